"""Fixtures that run the real binaries: a local gist server and copies of leader-election."""

import os
import secrets
import signal
from pathlib import Path

import pytest

from harness import events
from harness.bounds import Timings
from harness.copies import LoggedCopy, run_command
from harness.gist_server import GistServer, require_binary
from harness.waiting import wait_until  # noqa: F401  (the tests import it from here)

REPO_ROOT = Path(__file__).resolve().parents[2]
# Where the binaries are (the demo test hands BIN_DIR on to cicd.sh).
BIN_DIR = Path(os.environ.get("BIN_DIR", REPO_ROOT / ".build/debug"))
LEADER_ELECTION_BIN = os.environ.get("LEADER_ELECTION_BIN", str(BIN_DIR / "leader-election"))
GIST_SERVER_BIN = os.environ.get("GIST_SERVER_BIN", str(BIN_DIR / "gist-server"))


class TestTimings(Timings):
    """Short timings for the tests; the app's default renew interval for them (half of what the renew
    deadline leaves after two retry periods)."""

    __test__ = False

    def __init__(self):
        lease, renew_deadline, retry = 4.0, 2.5, 0.5
        super().__init__(lease=lease, renew_deadline=renew_deadline, retry=retry, settle=0.5,
                         renew_interval=(renew_deadline - 2 * retry) / 2)


class Candidate(LoggedCopy):
    """One running `leader-election run` against `server`, its stderr in a file."""

    def __init__(self, server: GistServer, identity: str, timings, extra_args=()):
        self.identity = identity
        super().__init__(run_command(LEADER_ELECTION_BIN, identity, server, timings, *extra_args),
                         server.workdir / f"{identity}.log", dict(os.environ, LEADER_ELECTION_GITHUB_API_TOKEN=server.token))

    def output(self):
        return self.text()

    def events(self):
        """The lifecycle events of its log, in order."""
        return [line.event for line in map(events.parse, self.output().splitlines()) if line.event]

    def signal(self, sig):
        self.process.send_signal(sig)

    def stop(self):
        super().stop(signal.SIGKILL, timeout=10)


@pytest.fixture
def server(tmp_path):
    require_binary(LEADER_ELECTION_BIN)
    gist_server = GistServer(GIST_SERVER_BIN, tmp_path, ["test-" + secrets.token_hex(8)],
                             user_agent="system-tests").start()
    yield gist_server
    gist_server.stop()


@pytest.fixture
def timings():
    return TestTimings()


@pytest.fixture
def candidates(server, timings):
    started = []

    def start(*identities, extra_args=()):
        new = [Candidate(server, identity, timings, extra_args) for identity in identities]
        started.extend(new)
        return new

    yield start
    for candidate in started:
        candidate.stop()
