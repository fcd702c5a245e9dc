"""Fixtures that run the real binaries: a local gist server and copies of leader-election."""

import json
import os
import secrets
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# Where the binaries are; the demo test hands it on to cicd.sh.
BIN_DIR_ENV = "BIN_DIR"
BIN_DIR = Path(os.environ.get(BIN_DIR_ENV, REPO_ROOT / ".build/debug"))
LEADER_ELECTION_BIN = os.environ.get("LEADER_ELECTION_BIN", str(BIN_DIR / "leader-election"))
GIST_SERVER_BIN = os.environ.get("GIST_SERVER_BIN", str(BIN_DIR / "gist-server"))


def wait_until(condition, timeout, interval=0.05, what="condition"):
    """Polls `condition` until it returns a truthy value, or fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


class GistServer:
    """A running gist-server on a free loopback port, with one token and one fresh gist."""

    def __init__(self, workdir: Path):
        for binary in (GIST_SERVER_BIN, LEADER_ELECTION_BIN):
            if not os.access(binary, os.X_OK):
                raise AssertionError(f"{binary} is missing: build first with ./cicd.sh build-local")
        self.workdir = workdir
        self.token = "test-" + secrets.token_hex(8)
        token_file = workdir / "token"
        token_file.write_text(self.token + "\n")
        token_file.chmod(0o600)
        self.ready = workdir / "ready"
        self.log = workdir / "gist-server.log"
        self.process = subprocess.Popen(
            [GIST_SERVER_BIN, "--port", "0", "--ready-file", str(self.ready), "--token-file", str(token_file),
             "--state-file", str(workdir / "state.json"), "--create-gist"],
            stdout=subprocess.PIPE, stderr=self.log.open("w"), text=True)
        self.gist_id = self.process.stdout.readline().strip()
        assert self.gist_id, f"gist-server printed no gist id: {self.log.read_text()}"
        self.url = wait_until(lambda: self.ready.exists() and self.ready.read_text().strip(), 20,
                              what="gist-server ready file")

    def request(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "User-Agent": "system-tests",
            "Accept": "application/vnd.github+json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def lock_record(self, election="multi-cluster-leader-election"):
        """The parsed lock record, or None when the lock file does not exist."""
        files = self.request("GET", f"/gists/{self.gist_id}")["files"]
        file = files.get(f"{election}.lock")
        return None if file is None else json.loads(file["content"])

    def holder(self):
        """The holder, or "" while the lock is absent or is not a record."""
        try:
            record = self.lock_record()
        except (ValueError, KeyError):
            return ""
        return record.get("holderIdentity", "") if isinstance(record, dict) else ""

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class Candidate:
    """One running `leader-election run` whose stderr goes to a file."""

    def __init__(self, server: GistServer, identity: str, timings, extra_args=()):
        self.identity = identity
        self.log = server.workdir / f"{identity}.log"
        env = dict(os.environ, LEADER_ELECTION_GITHUB_API_TOKEN=server.token)
        self.process = subprocess.Popen(
            [LEADER_ELECTION_BIN, "run", "--id", identity, "--gist", server.gist_id,
             "--github-api-url", server.url, *timings.args(), *extra_args],
            stdout=subprocess.DEVNULL, stderr=self.log.open("w"), env=env)

    def output(self):
        return self.log.read_text()

    def signal(self, sig):
        self.process.send_signal(sig)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)


class Timings:
    """Short timings for the tests, and the bounds client-go's algorithm gives for them (README)."""

    lease = 4.0
    renew = 2.5
    retry = 0.5
    settle = 0.5
    jitter = 1.2

    def args(self):
        return ["--lease-duration", f"{self.lease}s", "--renew-deadline", f"{self.renew}s",
                "--retry-period", f"{self.retry}s", "--takeover-settle", f"{self.settle}s"]

    @property
    def renew_interval(self):
        """The app's default: a third of the lease, at most the renew deadline minus the retry period."""
        return min(self.lease / 3, self.renew - self.retry)

    @property
    def poll(self):
        """The longest wait between two attempts of a follower: retry plus full jitter."""
        return self.retry * (1 + self.jitter)

    @property
    def graceful_bound(self):
        """Released lease: the next attempt of a follower sees an empty holder and takes it."""
        return self.poll + self.settle

    @property
    def crash_bound(self):
        """Crashed leader: followers see its last renewal up to one poll late, wait a lease, then poll."""
        return self.poll + self.lease + self.poll + self.settle


@pytest.fixture
def server(tmp_path):
    gist_server = GistServer(tmp_path)
    yield gist_server
    gist_server.stop()


@pytest.fixture
def timings():
    return Timings()


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
