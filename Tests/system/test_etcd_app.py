"""`leader-election run|status|init --lock etcd` against one real etcd member on loopback: an election,
its klog lines, `status`, `init`, and a failover after the leader is killed."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from conftest import LEADER_ELECTION_BIN, wait_until
from harness import events
from harness.gist_server import require_binary

# Short timings: the lease, renew deadline and retry period the gist tests use (no takeover settle:
# etcd's transactions need none).
TIMINGS = ["--lease-duration", "4s", "--renew-deadline", "2500ms", "--retry-period", "500ms"]
LEASE = 4.0
POLL = 2.2 * 0.5
# A crash: the last renewal seen a poll late, a lease, its expiry seen a poll late; doubled for a slow machine.
CRASH_CEILING = 2 * (POLL + LEASE + POLL) + 5
ELECTION = "etcd-app"
PREFIX = "/leader-election-test"
KEY = f"{PREFIX}/{ELECTION}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Etcd:
    """One etcd member on free loopback ports, with a data directory under the test's tmp_path."""

    def __init__(self, workdir):
        binary = shutil.which("etcd") or "/usr/bin/etcd"
        if not os.access(binary, os.X_OK):
            pytest.fail("etcd is not installed: apt-get install -y etcd-server etcd-client (scripts/checks.sh does)")
        client, peer = free_port(), free_port()
        self.url = f"http://127.0.0.1:{client}"
        peer_url = f"http://127.0.0.1:{peer}"
        self.log = workdir / "etcd.log"
        self.process = subprocess.Popen(
            [binary, "--name", "app-test", "--data-dir", str(workdir / "etcd-data"),
             "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
             "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
             "--initial-cluster", f"app-test={peer_url}"],
            stdout=subprocess.DEVNULL, stderr=self.log.open("w"))
        wait_until(self.healthy, 30, what=f"etcd at {self.url} to be healthy")

    def healthy(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"etcd exited: {self.log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=1) as answer:
                return json.loads(answer.read()).get("health") == "true"
        except OSError:
            return False

    def value(self, key=KEY):
        """The key's value as text, None when it does not exist (through the v3 JSON gateway, as etcdctl get)."""
        import base64
        body = json.dumps({"key": base64.b64encode(key.encode()).decode()}).encode()
        request = urllib.request.Request(f"{self.url}/v3/kv/range", data=body, method="POST")
        with urllib.request.urlopen(request, timeout=5) as answer:
            kvs = json.loads(answer.read()).get("kvs") or []
        return base64.b64decode(kvs[0].get("value", "")).decode() if kvs else None

    def record(self):
        text = self.value()
        return json.loads(text) if text else None

    def holder(self):
        record = self.record()
        return record["holderIdentity"] if record else None

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADER_ELECTION_")}
    env.update(extra)
    return env


class Copy:
    """One `leader-election run --lock etcd` whose stderr goes to a file."""

    def __init__(self, etcd, workdir, identity, *extra):
        self.identity = identity
        self.log = workdir / f"{identity}.log"
        self.process = subprocess.Popen(
            [LEADER_ELECTION_BIN, "run", "--lock", "etcd", "--etcd-endpoints", etcd.url, "--etcd-prefix", PREFIX,
             "--election", ELECTION, "--id", identity, *TIMINGS, *extra],
            stdout=subprocess.DEVNULL, stderr=self.log.open("w"), env=clean_env())

    def output(self):
        return self.log.read_text()

    def get(self, path):
        """GET `path` from the copy's HTTP endpoint, found in its `serving HTTP` line."""
        address = wait_until(lambda: re.search(r'serving HTTP address="[^"]*?(\d+\.\d+\.\d+\.\d+):(\d+)"',
                                               self.output()), 10, what=f"{self.identity} to serve HTTP")
        with urllib.request.urlopen(f"http://{address.group(1)}:{address.group(2)}{path}", timeout=5) as answer:
            return answer.read().decode()

    def events(self):
        return [line for line in map(events.parse, self.output().splitlines()) if line.event]

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def etcd(tmp_path):
    require_binary(LEADER_ELECTION_BIN)
    member = Etcd(tmp_path)
    yield member
    member.stop()


@pytest.fixture
def copies(etcd, tmp_path):
    started = []

    def start(*identities):
        new = [Copy(etcd, tmp_path, identity, "--http", "127.0.0.1:0") for identity in identities]
        started.extend(new)
        return new

    yield start
    for copy in started:
        copy.stop()


def app(etcd, *args):
    return subprocess.run([LEADER_ELECTION_BIN, *args, "--lock", "etcd", "--etcd-endpoints", etcd.url,
                           "--etcd-prefix", PREFIX, "--election", ELECTION],
                          env=clean_env(), capture_output=True, text=True, timeout=30)


def test_an_election_through_etcd_logs_as_the_gist_one_and_fails_over(etcd, copies):
    started = copies("napoleon", "stalin", "cleopatra")
    leader_id = wait_until(etcd.holder, 30, what="a leader in etcd")
    leader = next(c for c in started if c.identity == leader_id)
    wait_until(lambda: "started leading." in leader.output(), 10, what=f"{leader_id} to start leading")
    text = leader.output()
    assert f"attempting to acquire leader lease etcd lock {KEY}: {leader_id}..." in text
    assert f"successfully acquired lease etcd lock {KEY}: {leader_id}" in text
    assert f"I am {leader_id}! I will lead you to greatness!" in text
    for other in (c for c in started if c is not leader):
        wait_until(lambda: f"All hail {leader_id}" in other.output(), 10, what=f"{other.identity} to hail {leader_id}")
    # The value is exactly the record's JSON, as etcdctl get shows it.
    record = etcd.record()
    term = record["leaderTransitions"]
    assert record["holderIdentity"] == leader_id and record["leaseDurationSeconds"] == 4

    report = json.loads(app(etcd, "status", "--output", "json").stdout)
    assert report["lock"] == "etcd" and report["key"] == KEY and report["endpoints"] == etcd.url
    assert report["holderIdentity"] == leader_id and report["leaderTransitions"] == term
    assert report["member"] == etcd.url and report["looksExpired"] is False
    text = app(etcd, "status").stdout
    assert f"lock:     etcd key {KEY}\n" in text and f"holder:   {leader_id}\n" in text
    assert f"term:     {term} (leaderTransitions)" in text and f"endpoints: {etcd.url}\n" in text

    leader_report = json.loads(leader.get("/leader"))
    assert leader_report["isLeader"] is True and leader_report["term"] == term
    assert leader_report["etcdKey"] == KEY and leader_report["etcdEndpoints"] == etcd.url
    assert "writeMode" not in leader_report
    assert f'leader_election_etcd_member_answering{{member="{etcd.url}"}} 1' in leader.get("/metrics")

    killed_at = time.monotonic()
    leader.process.send_signal(signal.SIGKILL)
    leader.process.wait(timeout=10)
    successor = wait_until(lambda: (h := etcd.holder()) not in (None, leader_id) and h, CRASH_CEILING,
                           what="another copy to take the lease after the leader was killed")
    took = time.monotonic() - killed_at
    assert successor in {c.identity for c in started if c is not leader}
    assert took >= LEASE - 1.5, f"the lease was taken {took:.1f}s after the kill, before it could expire"
    assert etcd.record()["leaderTransitions"] == term + 1
    follower = next(c for c in started if c.identity == successor)
    wait_until(lambda: f"I am {successor}! I will lead you to greatness!" in follower.output(), 10,
               what=f"{successor} to hail itself")
    acquired = [line for line in follower.events() if line.event == "started_leading"]
    assert acquired and acquired[-1].term == term + 1


def test_init_creates_the_free_record_once_and_leaves_a_record_alone(etcd):
    assert etcd.value() is None
    first = app(etcd, "init")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == KEY
    assert etcd.record()["holderIdentity"] == "" and etcd.record()["leaderTransitions"] == 0
    before = etcd.value()
    again = app(etcd, "init")
    assert again.returncode == 0, again.stderr
    assert etcd.value() == before
    status = json.loads(app(etcd, "status", "--output", "json").stdout)
    assert status["exists"] is True and status["looksExpired"] is True


def test_status_of_a_missing_key_and_of_an_unreachable_cluster(etcd, tmp_path):
    result = app(etcd, "status")
    assert result.returncode == 0, result.stderr
    assert "holder:   none (the key does not exist yet)" in result.stdout
    # Whether a run could write is asked without writing: the key is still missing.
    assert "writes:   permitted (checked without writing)" in result.stdout
    assert etcd.value() is None
    password = tmp_path / "password"
    password.write_text("hunter2-secret\n")
    port = free_port()
    down = subprocess.run(
        [LEADER_ELECTION_BIN, "status", "--lock", "etcd", "--etcd-endpoints", f"http://127.0.0.1:{port}",
         "--etcd-username", "root", "--etcd-password-file", str(password)],
        env=clean_env(), capture_output=True, text=True, timeout=30)
    assert down.returncode == 1
    assert f"127.0.0.1:{port}" in down.stderr and "hunter2" not in down.stderr + down.stdout


def test_options_of_the_other_lock_are_refused(etcd):
    gist_flag = app(etcd, "status", "--gist", "abc")
    assert gist_flag.returncode == 64
    assert "--gist is an option of the gist lock, but the lock is etcd" in gist_flag.stderr
    env = clean_env(LEADER_ELECTION_GITHUB_API_TOKEN="t0ken-value")
    gist_env = subprocess.run([LEADER_ELECTION_BIN, "run", "--id", "a", "--lock", "etcd", "--etcd-endpoints", etcd.url],
                              env=env, capture_output=True, text=True, timeout=30)
    assert gist_env.returncode == 64
    assert "unset LEADER_ELECTION_GITHUB_API_TOKEN" in gist_env.stderr and "t0ken-value" not in gist_env.stderr
    etcd_flag = subprocess.run([LEADER_ELECTION_BIN, "status", "--gist", "abc", "--etcd-endpoints", etcd.url],
                               env=clean_env(), capture_output=True, text=True, timeout=30)
    assert etcd_flag.returncode == 64
    assert "--etcd-endpoints is an option of the etcd lock, but the lock is gist" in etcd_flag.stderr
