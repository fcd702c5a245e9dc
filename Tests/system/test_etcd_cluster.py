"""Copies of the app on a real three-member etcd cluster, through member, Raft-leader, network and quorum
faults. Each copy reaches every member through its own relay (harness.etcd_cluster.EtcdPath), so a test
sees which member it talks to and can cut it off alone. Who leads is judged from the copies' own log
lines, as the other system tests do; every wait is for the event itself, with a ceiling from the timings."""

import datetime
import json
import os
import re
import signal
import subprocess

import pytest

from conftest import LEADER_ELECTION_BIN, TestTimings, wait_until
from harness import events
from harness.etcd_cluster import DEFAULT_PREFIX, EtcdCluster, EtcdPath, require_etcd, run_args
from harness.gist_server import require_binary

NAMES = ("napoleon", "stalin", "cleopatra")
# What a request may take on this loaded 2-core machine, beyond the algorithm's own waits.
REQUEST = 1.0
# The time etcd takes to elect a new Raft leader or to answer again after quorum returns: its election
# timeout is 0.5s on loopback (harness.etcd_cluster), and a member restarting replays its log first.
ETCD_RECOVERY = 3.0


class EtcdTimings(TestTimings):
    """The system tests' short timings, with a request timeout per member short enough that a copy
    whose member died tries the next one well inside its renew deadline."""

    __test__ = False

    def __init__(self):
        super().__init__()
        object.__setattr__(self, "request_timeout", 0.25)
        object.__setattr__(self, "settle", 0.0)


def stamp(ts):
    return datetime.datetime.fromisoformat(ts).timestamp()


class EtcdCopy:
    """One `leader-election run --lock etcd` whose endpoints are its own relays to the three members."""

    def __init__(self, cluster, workdir, identity, election, timings):
        self.identity = identity
        self.path = EtcdPath(cluster)
        self.log = workdir / f"{identity}.log"
        command = [LEADER_ELECTION_BIN, "run", "--id", identity, "--lock", "etcd",
                   "--etcd-endpoints", ",".join(self.path.endpoints), "--election", election,
                   *run_args(timings), "--log-format", "json"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEADER_ELECTION_")}
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=self.log.open("w"), env=env)

    def lines(self):
        return [events.parse(line) for line in self.log.read_text().splitlines()]

    def output(self):
        return self.log.read_text()

    def leading(self):
        """Whether its log says it leads now: acquired, and not stood down since."""
        seen = [line.event for line in self.lines() if line.event in ("acquired", "lost", "released")]
        return bool(seen) and seen[-1] == "acquired"

    def terms(self):
        """(start, end, term) of each stretch it believed it led, by its own stamps; end None while open."""
        spans, start, term = [], None, None
        for line in self.lines():
            if line.event == "acquired" and start is None:
                start, term = stamp(line.ts), line.term
            elif line.event in ("lost", "released") and start is not None:
                spans.append((start, stamp(line.ts), term))
                start = None
        if start is not None:
            spans.append((start, None, term))
        return spans

    def stood_down(self):
        return next((stamp(line.ts) for line in self.lines() if line.event == "lost"), None)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.path.close()


def leaders(copies):
    return [c.identity for c in copies if c.leading()]


def double_leadership(copies, until):
    """Stretches in which two copies believed they led at once, from their own stamps: (start, end, a, b)."""
    spans = [(s, e if e is not None else until, c.identity) for c in copies for s, e, _ in c.terms()]
    found = []
    for i, (s1, e1, a) in enumerate(spans):
        for s2, e2, b in spans[i + 1:]:
            if a != b and min(e1, e2) > max(s1, s2):
                found.append((max(s1, s2), min(e1, e2), a, b))
    return found


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    require_etcd()
    require_binary(LEADER_ELECTION_BIN)
    etcd = EtcdCluster(tmp_path_factory.mktemp("etcd")).start()
    yield etcd
    etcd.stop()


@pytest.fixture
def etcd(cluster):
    """The module's cluster, every member running again after the test."""
    yield cluster
    for member in cluster.members:
        cluster.start_member(member.name, wait=False)
    cluster.wait_healthy()


@pytest.fixture
def timings():
    return EtcdTimings()


@pytest.fixture
def election(request):
    return re.sub(r"[^a-z0-9-]", "-", request.node.name.lower())[:60]


@pytest.fixture
def copies(etcd, tmp_path, election, timings):
    started = []

    def start(*identities):
        new = [EtcdCopy(etcd, tmp_path, identity, election, timings) for identity in identities]
        started.extend(new)
        return new

    yield start
    for copy in started:
        copy.stop()


def elect(etcd, copies, election):
    """Starts the three copies; the one that leads (its log says so and the record in etcd names it)."""
    started = copies(*NAMES)
    key = f"{DEFAULT_PREFIX}/{election}"

    def sole_leader():
        leading = leaders(started)
        return len(leading) == 1 and etcd.holder(key) == leading[0] and leading[0]
    leader = wait_until(sole_leader, 30, "one copy to hold the etcd lock and log that it leads")
    return started, next(c for c in started if c.identity == leader), key


def renewals(etcd, key, count, timeout, what):
    """Waits for `count` more writes of the record (each renewal is one etcd revision of the key)."""
    base = int(etcd._range(key)["mod_revision"])
    wait_until(lambda: etcd._range(key) and int(etcd._range(key)["mod_revision"]) >= base + count, timeout, what)


def test_the_record_in_etcd_is_the_lock_record_json(etcd, copies, election):
    started, leader, key = elect(etcd, copies, election)
    record = json.loads(etcd.etcdctl("get", key, "--print-value-only").stdout)
    assert record["holderIdentity"] == leader.identity
    assert record["leaseDurationSeconds"] == 4
    for copy in started:
        if copy is not leader:
            wait_until(lambda c=copy: f"All hail {leader.identity}" in c.output(), 10, f"{copy.identity} to hail")


def test_killing_the_member_a_copy_talks_to_keeps_its_term(etcd, copies, election, timings):
    started, leader, key = elect(etcd, copies, election)
    term = etcd.record(key)["leaderTransitions"]
    # The member its requests go to now: the relay whose count grows.
    before = {name: relay.requests for name, relay in leader.path.by_member.items()}
    renewals(etcd, key, 2, timings.lease * 3, f"two renewals by {leader.identity}")
    # A request that timed out on a loaded machine moves on to the next member: the one that took the
    # most of them is the one it talks to.
    grown = {name: relay.requests - before[name] for name, relay in leader.path.by_member.items()}
    member = max(grown, key=grown.get)
    assert grown[member] > 0, f"{leader.identity} sent nothing: {grown}"
    etcd.kill_member(member)
    after = {name: relay.requests for name, relay in leader.path.by_member.items()}
    renewals(etcd, key, 3, timings.renew_deadline + ETCD_RECOVERY + 3 * REQUEST,
             f"{leader.identity} to renew through another member")
    others = [name for name in after if name != member and leader.path.by_member[name].requests > after[name]]
    assert others, f"{leader.identity} sent nothing to the other members"
    assert leaders(started) == [leader.identity]
    assert etcd.record(key)["holderIdentity"] == leader.identity
    assert etcd.record(key)["leaderTransitions"] == term
    assert [line.event for line in leader.lines() if line.event == "lost"] == []


def test_killing_the_raft_leader_never_gives_two_leaders_and_leadership_goes_on(etcd, copies, election, timings):
    started, leader, key = elect(etcd, copies, election)
    raft_leader = etcd.leader()
    killed = datetime.datetime.now().timestamp()
    etcd.kill_member(raft_leader)
    new_raft = wait_until(lambda: etcd.leader(), ETCD_RECOVERY * 3, "a new Raft leader")
    assert new_raft != raft_leader
    # Leadership goes on or moves: within the bound some copy leads and the record names it, renewed.
    wait_until(lambda: len(leaders(started)) == 1 and etcd.holder(key) == leaders(started)[0],
               ETCD_RECOVERY + timings.crash_bound + 2 * REQUEST, "a copy to lead after the Raft leader died")
    renewals(etcd, key, 2, timings.lease * 3, "two renewals after the Raft leader died")
    now = datetime.datetime.now().timestamp()
    assert double_leadership(started, now) == []
    moved = [c.identity for c in started if any(e is None or e > killed for s, e, _ in c.terms())]
    assert moved, "no copy led after the kill"


def test_a_copy_cut_off_from_etcd_stands_down_at_its_renew_deadline_and_another_leads(etcd, copies, election, timings):
    started, leader, key = elect(etcd, copies, election)
    cut = datetime.datetime.now().timestamp()
    leader.path.cut()
    # It stands down once its renew deadline passes without a renewal: at most the deadline after the cut
    # plus a request in flight, and no earlier than the deadline after its last renewal before the cut.
    wait_until(lambda: leader.stood_down(), timings.renew_deadline + 3 * REQUEST, f"{leader.identity} to stand down")
    down = leader.stood_down()
    assert down - cut <= timings.renew_deadline + 2 * REQUEST, f"stood down {down - cut:.2f}s after the cut"
    assert down - cut >= timings.renew_deadline - timings.renew_interval - REQUEST, f"after {down - cut:.2f}s"
    rest = [c for c in started if c is not leader]
    new = wait_until(lambda: (h := etcd.holder(key)) and h != leader.identity and leaders(rest) == [h] and h,
                     timings.crash_bound + 2 * REQUEST, "another copy to lead")
    taken = next(s for c in rest if c.identity == new for s, _, _ in c.terms())
    assert taken > down, f"{new} led {down - taken:.2f}s before {leader.identity} stood down"
    assert double_leadership(started, datetime.datetime.now().timestamp()) == []
    assert not leader.leading()
    leader.path.heal()


def test_losing_quorum_leaves_no_leader_and_its_return_brings_one_back(etcd, copies, election, timings):
    started, leader, key = elect(etcd, copies, election)
    down = [m.name for m in etcd.members][:2]
    lost_at = datetime.datetime.now().timestamp()
    for name in down:
        etcd.kill_member(name)
    wait_until(lambda: leader.stood_down(), timings.renew_deadline + 3 * REQUEST,
               f"{leader.identity} to stand down without quorum")
    assert leader.stood_down() - lost_at <= timings.renew_deadline + 2 * REQUEST
    # Without quorum no write lands, so no copy may lead while the followers go on trying: the test
    # watches until each has made two more attempts (requests at its relay to the member still up).
    up = next(m.name for m in etcd.members if m.name not in down)
    followers = [c for c in started if c is not leader]
    tried = {c.identity: c.path.by_member[up].requests for c in followers}
    wait_until(lambda: all(c.path.by_member[up].requests >= tried[c.identity] + 2 for c in followers),
               timings.lease + 3 * REQUEST, "the followers to try twice more without quorum")
    assert leaders(started) == []
    returned = datetime.datetime.now().timestamp()
    for name in down:
        etcd.start_member(name, wait=False)
    etcd.wait_healthy()
    healthy = datetime.datetime.now().timestamp()
    new = wait_until(lambda: len(leaders(started)) == 1 and etcd.holder(key) == leaders(started)[0] and
                     leaders(started)[0], timings.crash_bound + 2 * REQUEST, "a leader once quorum is back")
    led = next(s for c in started if c.identity == new for s, _, _ in c.terms() if s > lost_at)
    assert led > returned, f"{new} led before quorum came back"
    assert led - healthy <= timings.crash_bound + 2 * REQUEST
    assert double_leadership(started, datetime.datetime.now().timestamp()) == []
