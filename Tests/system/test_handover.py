"""Handover over real processes: POST /handover and `leader-election handover`, the term at GET /,
and the leader file."""

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

from conftest import LEADER_ELECTION_BIN, wait_until
from test_failover import NAMES, REQUEST, leaders

# The target's claim after it saw the handover record: its write, then the takeover settle's read-back.
CLAIM_REQUESTS = 2


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_with_http(candidates, *identities, extra_args=()):
    """Starts copies each with an HTTP endpoint on a free loopback port; returns {identity: (copy, url)}."""
    started = {}
    for identity in identities:
        port = free_port()
        (copy,) = candidates(identity, extra_args=("--http", f"127.0.0.1:{port}", *extra_args))
        started[identity] = (copy, f"http://127.0.0.1:{port}")
    return started


def get(url, path="/"):
    try:
        with urllib.request.urlopen(url + path, timeout=2) as answer:
            return json.loads(answer.read())
    except (OSError, ValueError):
        return None


def elect(server, copies):
    def sole_leader():
        leading = leaders([copy for copy, _ in copies.values()])
        return len(leading) == 1 and server.holder() == leading[0] and get(copies[leading[0]][1])
    wait_until(sole_leader, 30, what="one copy to lead and answer on its endpoint")
    (leader,) = leaders([copy for copy, _ in copies.values()])
    return leader


def handover(url, *args):
    return subprocess.run([LEADER_ELECTION_BIN, "handover", "--endpoint", url, *args],
                          capture_output=True, text=True, timeout=60)


class Watcher:
    """Polls GET / of some copies in a thread, noting when each named itself."""

    def __init__(self, copies):
        self.copies = copies
        self.named_itself = {identity: [] for identity in copies}
        self.running = True
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while self.running:
            for identity, (_, url) in self.copies.items():
                answer = get(url)
                if answer and answer.get("name") == identity:
                    self.named_itself[identity].append(time.monotonic())
            time.sleep(0.02)

    def stop(self):
        self.running = False
        self.thread.join()


def test_a_handover_to_a_named_copy_makes_it_lead_within_one_attempt(server, candidates, timings):
    copies = start_with_http(candidates, *NAMES)
    leader = elect(server, copies)
    old_term = get(copies[leader][1])["term"]
    target = next(name for name in NAMES if name != leader)
    wait_until(lambda: (get(copies[target][1]) or {}).get("name") == leader, 10, what=f"{target} to name {leader}")
    watcher = Watcher({leader: copies[leader], target: copies[target]})
    asked = time.monotonic()
    result = handover(copies[leader][1], "--to", target)
    answered = time.monotonic()
    assert result.returncode == 0, result.stderr
    assert f"handed the lease to {target}" in result.stdout
    wait_until(lambda: leaders([c for c, _ in copies.values()]) == [target] and server.holder() == target,
               timings.poll + timings.settle + CLAIM_REQUESTS * REQUEST + (answered - asked),
               what=f"{target} to lead within one attempt of the handover")
    answer = wait_until(lambda: (a := get(copies[target][1])) and a["name"] == target and a, 5,
                        what=f"{target}'s GET / to name itself")
    # The watcher samples on its own thread: it may not have asked the target since its answer changed.
    wait_until(lambda: watcher.named_itself[target], 5, what=f"the watcher to see {target} name itself")
    watcher.stop()
    assert answer["term"] > old_term
    assert server.lock_record()["leaderTransitions"] == answer["term"]
    # The old leader stopped naming itself before the target started.
    assert watcher.named_itself[leader] and watcher.named_itself[target]
    assert max(watcher.named_itself[leader]) < min(watcher.named_itself[target])
    events = copies[leader][0].events()
    assert events.index("handing_over") < events.index("handed_over")
    leader_info = get(copies[target][1], "/leader")
    assert leader_info["leaderTerm"] == answer["term"] and leader_info["leaderSince"]
    with urllib.request.urlopen(copies[target][1] + "/metrics", timeout=5) as scrape:
        metrics = scrape.read().decode()
    for name in ("transitions_total", "term", "lease_age_seconds", "failover_seconds", "leaderless_seconds_total"):
        assert f"# HELP leader_election_{name} " in metrics, name
    assert re.search(r'^leader_election_failover_seconds_count\{name="[^"]+"\} 1$', metrics, re.M), metrics
    assert re.search(rf'^leader_election_term\{{name="[^"]+"\}} {answer["term"]}(\.0)?$', metrics, re.M)
    # status shows the transitions the target saw: the old leader's term, then its own.
    status = subprocess.run(
        [LEADER_ELECTION_BIN, "status", "--gist", server.gist_id, "--github-api-url", server.url,
         "--endpoint", copies[target][1]],
        capture_output=True, text=True, timeout=30, env=dict(os.environ, LEADER_ELECTION_GITHUB_API_TOKEN=server.token))
    assert status.returncode == 0, status.stderr
    history = status.stdout.split("history:", 1)[1]
    assert f"term {old_term}  {leader}" in history and f"term {answer['term']}  {target}" in history


def test_a_handover_without_target_lets_another_copy_take_it(server, candidates, timings):
    copies = start_with_http(candidates, *NAMES)
    leader = elect(server, copies)
    result = handover(copies[leader][1])
    assert result.returncode == 0, result.stderr
    assert "released the lease" in result.stdout
    wait_until(lambda: (ls := leaders([c for c, _ in copies.values()])) and ls != [leader]
               and server.holder() == ls[0], timings.poll + timings.settle + CLAIM_REQUESTS * REQUEST + 5,
               what="another copy to lead")


def test_a_follower_refuses_with_409_naming_the_leader(server, candidates, timings):
    copies = start_with_http(candidates, *NAMES[:2])
    leader = elect(server, copies)
    follower = next(name for name in copies if name != leader)
    wait_until(lambda: (get(copies[follower][1]) or {}).get("name") == leader, 10,
               what=f"{follower} to name {leader}")
    request = urllib.request.Request(copies[follower][1] + "/handover?to=" + follower, method="POST")
    try:
        urllib.request.urlopen(request, timeout=10)
        raise AssertionError("the follower accepted a handover")
    except urllib.error.HTTPError as error:
        assert error.code == 409
        assert json.loads(error.read())["leader"] == leader
    result = handover(copies[follower][1], "--to", follower)
    assert result.returncode == 1
    assert f"the leader is {leader}" in result.stderr
    assert leaders([c for c, _ in copies.values()]) == [leader]


def test_the_leader_file_holds_the_term_while_leading_and_vanishes_at_sigterm(server, candidates, tmp_path):
    leader_file = tmp_path / "leader" / "term"
    leader_file.parent.mkdir()
    copies = start_with_http(candidates, "napoleon", extra_args=("--leader-file", str(leader_file)))
    elect(server, copies)
    copy, url = copies["napoleon"]
    wait_until(leader_file.exists, 10, what="the leader file to appear")
    assert leader_file.read_text() == f"{get(url)['term']}\n"
    copy.signal(signal.SIGTERM)
    copy.process.wait(timeout=20)
    assert not leader_file.exists()
    assert server.holder() == ""
