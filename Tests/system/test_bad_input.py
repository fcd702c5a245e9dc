"""docs/bad-input.md's table, row by row: what the user sees, whether the app exits or retries, and
that nothing that should survive was lost or overwritten."""

import http.server
import json
import os
import re
import socket
import subprocess
import time

import pytest

from conftest import GIST_SERVER_BIN, LEADER_ELECTION_BIN, wait_until
from harness.copies import LoggedCopy
from harness.gist_server import READ_ROUTE
from harness.loopback import LoopbackServer

LOCK = "multi-cluster-leader-election.lock"
FAST = ["--lease-duration", "3s", "--renew-deadline", "2s", "--retry-period", "0.5s", "--takeover-settle", "0.2s"]


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADER_ELECTION_")}
    env.update(extra)
    return env


class App(LoggedCopy):
    """One `leader-election run` with its stderr in a file."""

    def __init__(self, tmp_path, url, gist, token, identity="napoleon", args=FAST):
        super().__init__([LEADER_ELECTION_BIN, "run", "--id", identity, "--gist", gist, "--github-api-url", url, *args],
                         tmp_path / f"{identity.encode().hex()}.log", clean_env(LEADER_ELECTION_GITHUB_API_TOKEN=token))


@pytest.fixture
def app(tmp_path):
    started = []

    def start(url, gist, token, **kwargs):
        started.append(App(tmp_path, url, gist, token, **kwargs))
        return started[-1]

    yield start
    for one in started:
        if one.process.poll() is None:
            one.process.kill()
            one.process.wait()


def put_file(server, name, content):
    server.request("PATCH", f"/gists/{server.gist_id}", {"files": {name: {"content": content}}})


def files(server):
    return {name: f["content"] for name, f in server.request("GET", f"/gists/{server.gist_id}")["files"].items()}


# --- credentials and gist ---------------------------------------------------------------------------

def test_missing_token_exits_naming_both_ways_to_give_one(server):
    result = subprocess.run([LEADER_ELECTION_BIN, "run", "--id", "a", "--gist", server.gist_id,
                             "--github-api-url", server.url], env=clean_env(), capture_output=True, text=True)
    assert result.returncode == 2
    assert "LEADER_ELECTION_GITHUB_API_TOKEN" in result.stderr and "--token-file" in result.stderr


def test_token_without_gist_scope_stops_at_the_first_write_and_changes_nothing(tmp_path, app):
    token, scopeless = "scoped-token", "scopeless-token"
    (tmp_path / "t").write_text(token)
    ready = tmp_path / "ready"
    server = subprocess.Popen([GIST_SERVER_BIN, "--port", "0", "--ready-file", str(ready), "--token-file",
                               str(tmp_path / "t"), "--token-without-gist-scope", scopeless, "--create-gist"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        gist = server.stdout.readline().strip()
        url = wait_until(lambda: ready.exists() and ready.read_text().strip(), 20, what="gist-server")
        copy = app(url, gist, scopeless)
        assert copy.process.wait(timeout=30) == 1, copy.text()
        critical = [line for line in copy.text().splitlines() if line.startswith("F")]
        assert len(critical) == 1 and "gist scope" in critical[0], copy.text()
        assert scopeless not in copy.text()
    finally:
        server.terminate()
        server.wait()


def test_missing_lock_file_is_created_and_other_files_are_left_alone(server, app):
    before = files(server)
    assert LOCK not in before
    copy = app(server.url, server.gist_id, server.token)
    wait_until(lambda: server.holder() == "napoleon", 20, what="napoleon to create the lock and lead")
    after = files(server)
    assert {name: after[name] for name in before} == before
    copy.stop()


# --- what the lock file holds -------------------------------------------------------------------------

@pytest.mark.parametrize("content, reason", [
    ("this is not json at all", "not a lease record"),
    ('{"foo": 1}', "not a lease record"),
    ("x" * (1024 * 1024 + 10), "truncated"),
], ids=["not JSON", "wrong shape", "over 1 MB"])
def test_lock_that_is_not_a_record_is_reported_then_repaired_after_a_lease(server, app, content, reason):
    put_file(server, LOCK, content)
    put_file(server, "notes.md", "keep me")
    started = time.monotonic()
    copy = app(server.url, server.gist_id, server.token)
    wait_until(lambda: reason in copy.text(), 15, what="the invalid lock to be reported")
    assert copy.text().count("not a lease record") <= 3, "the same problem should not flood the log"
    wait_until(lambda: server.holder() == "napoleon", 30, what="the election to repair the lock")
    assert time.monotonic() - started >= 3 - 0.5, "an invalid lock must stay unchanged a whole lease first"
    assert files(server)["notes.md"] == "keep me"
    copy.stop()


def test_lock_being_edited_is_not_clobbered(server, app):
    copy = app(server.url, server.gist_id, server.token)
    # Someone edits the file between any two reads of the app, for more than a lease of its attempts:
    # eight reads are at least seven retry periods (3.5 s), longer than the 3 s lease (FAST).
    base, edits = server.route_count(READ_ROUTE), 0
    while (seen := server.route_count(READ_ROUTE)) < base + 8:
        put_file(server, LOCK, f"draft {edits}")
        edits += 1
        wait_until(lambda: server.route_count(READ_ROUTE) > seen, 30, what="the app's next read of the lock")
    assert files(server)[LOCK].startswith("draft"), "a file still being edited was overwritten"
    assert copy.still_running()
    copy.stop()


def test_record_with_a_negative_lease_is_expired_at_once(server, app):
    put_file(server, LOCK, json.dumps({"holderIdentity": "ghost", "leaseDurationSeconds": -5,
                                       "acquireTime": None, "renewTime": None, "leaderTransitions": 7}))
    copy = app(server.url, server.gist_id, server.token)
    wait_until(lambda: server.holder() == "napoleon", 10, what="napoleon to take the expired lease")
    assert server.lock_record()["leaderTransitions"] == 8
    copy.stop()


def test_record_with_a_huge_lease_does_not_crash_and_is_not_stolen_early(server, app):
    put_file(server, LOCK, json.dumps({"holderIdentity": "ghost", "leaseDurationSeconds": 10**15,
                                       "acquireTime": None, "renewTime": None, "leaderTransitions": 7}))
    copy = app(server.url, server.gist_id, server.token)
    # Eight reads of the app are at least seven retry periods (3.5 s): past the 3 s lease it would use
    # if it misread the huge one.
    server.wait_for_reads(8, 60, "the app's attempts on the lock")
    assert copy.still_running(), copy.text()
    assert server.holder() == "ghost"
    assert "All hail ghost" in copy.text()
    copy.stop()


@pytest.mark.parametrize("identity", ['Cléopâtre "VII" Philopator', "拿破仑", "a\\b/c'd"],
                         ids=["quotes and accents", "CJK", "slashes and apostrophe"])
def test_identity_with_odd_characters_round_trips(server, app, identity):
    copy = app(server.url, server.gist_id, server.token, identity=identity)
    wait_until(lambda: server.holder() == identity, 20, what="the odd identity to lead")
    wait_until(lambda: f"I am {identity}! I will lead you to greatness!" in copy.text(), 10, what="the log to hail it")
    copy.stop()


def test_identity_with_a_newline_is_refused(server):
    result = subprocess.run([LEADER_ELECTION_BIN, "run", "--id", "two\nlines", "--gist", server.gist_id,
                             "--github-api-url", server.url],
                            env=clean_env(LEADER_ELECTION_GITHUB_API_TOKEN=server.token), capture_output=True,
                            text=True)
    assert result.returncode == 2
    assert "invalid identity" in result.stderr


# --- what the API URL answers ----------------------------------------------------------------------------

class OddServer(LoopbackServer):
    """A loopback server that answers every request in one odd way."""

    def __init__(self, mode):
        self.mode = mode
        self.requests = 0
        super().__init__(OddHandler)


class OddHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests += 1
        if self.server.mode == "html":
            body = b"<!DOCTYPE html><html><body>Sign in to your corporate proxy</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.server.mode == "redirect":
            self.send_response(301)
            self.send_header("Location", "https://elsewhere.invalid/gists")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.server.mode == "slow":
            time.sleep(3)
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("mode, message", [
    ("html", "text/html"),
    ("redirect", "redirect"),
    ("slow", "no answer within the timeout"),
])
def test_odd_api_answers_are_logged_clearly_and_retried(tmp_path, app, mode, message):
    odd = OddServer(mode)
    try:
        copy = app(odd.url, "abc123", "some-token",
                   args=[*FAST, "--request-timeout", "1s"])
        wait_until(lambda: message in copy.text().lower() and odd.requests >= 2, 20,
                   what=f"a clear line about the {mode} answer and a retry")
        assert copy.still_running(), copy.text()
        assert "some-token" not in copy.text()
    finally:
        odd.stop()


def test_unreachable_api_is_retried_until_it_comes_back(tmp_path, app):
    with socket.socket() as probe:  # a port that nothing listens on, for now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = tmp_path / "token"
    token.write_text("the-token")
    state = tmp_path / "state.json"
    first = subprocess.Popen([GIST_SERVER_BIN, "--port", "0", "--token-file", str(token), "--state-file", str(state),
                              "--create-gist"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    gist = first.stdout.readline().strip()
    first.terminate()
    first.wait()
    copy = app(f"http://127.0.0.1:{port}", gist, "the-token")
    wait_until(lambda: copy.text().count(f"127.0.0.1:{port}") >= 2, 20, what="failed attempts naming the URL")
    assert copy.still_running()
    server = subprocess.Popen([GIST_SERVER_BIN, "--port", str(port), "--token-file", str(token), "--state-file",
                               str(state)], stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: "I am napoleon!" in copy.text(), 30, what="napoleon to lead once the API is back")
    finally:
        copy.stop()
        server.terminate()
        server.wait()


# --- issue 15: hostile text from the store, tokens from the environment ---------------------------------

HOSTILE = "x\nI0101 00:00:00.000000       1 LeaderElector.swift:1] started leading. event=\"started_leading\"\r\x1b]0;pwned\x07"


def test_a_hostile_holder_identity_cannot_forge_log_lines_or_status(tmp_path, app, server):
    """The klog handler's real output, read by the harness's own parser: one line per entry, the identity
    read back exactly from its escaped form, and `status` shows it escaped too."""
    from harness import events  # the parser the chaos run and the suites use
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    record = {"holderIdentity": HOSTILE, "leaseDurationSeconds": 3600, "acquireTime": now, "renewTime": now,
              "leaderTransitions": 7}
    server.replace_file(LOCK, json.dumps(record))
    copy = app(server.url, server.gist_id, server.token)
    wait_until(lambda: "All hail" in copy.text(), timeout=30, what="the copy hails the holder")
    copy.stop()
    lines = copy.text().splitlines()
    parsed = [events.parse(line) for line in lines]
    assert all(line.level for line in parsed), [line.raw for line in parsed if not line.level]
    assert not any(line.event == "started_leading" for line in parsed)
    hails = [line for line in parsed if line.event == "new_leader"]
    assert [line.leader for line in hails] == [HOSTILE]
    assert not any(ch in copy.text() for ch in "\r\x1b\x07")
    status = subprocess.run([LEADER_ELECTION_BIN, "status", "--gist", server.gist_id, "--github-api-url", server.url],
                            env=clean_env(LEADER_ELECTION_GITHUB_API_TOKEN=server.token), capture_output=True,
                            text=True, timeout=30)
    assert status.returncode == 0, status.stderr
    holder = [line for line in status.stdout.splitlines() if line.startswith("holder:")]
    assert holder == ["holder:   x\\nI0101 00:00:00.000000       1 LeaderElector.swift:1] started leading. "
                      "event=\"started_leading\"\\r\\u001b]0;pwned\\u0007"], status.stdout
    assert not any(ch in status.stdout for ch in "\r\x1b\x07")


def test_a_token_variable_with_a_trailing_newline_still_authenticates(tmp_path, app, server):
    copy = app(server.url, server.gist_id, server.token + "\n")
    wait_until(lambda: server.holder() == "napoleon", timeout=30, what="the copy takes the free lease")
    copy.stop()
    # A 401 of its own: not the digits inside a log line's timestamp, such as 22:41:55.804014.
    assert not re.search(r"(?<![\d.])401(?!\d)", copy.text()), copy.text()
