"""The chaos run on etcd (`chaos.py --lock etcd`): the copies elect through a three-member etcd cluster on
loopback, each through its own relay to the members (harness.etcd_cluster.EtcdPath), and go through the
copy faults of the gist's run, a copy cut off from etcd, and etcd's own faults: the member a leader talks
to killed, the Raft leader killed, quorum lost. The lock's history is every revision etcd kept of the key;
the verdict is the gist's, with every goal (an etcd transaction compares the key's revision, as a push
compares the commit)."""

import json
import signal

from harness.etcd_cluster import DEFAULT_PREFIX, EtcdCluster, EtcdPath, run_args
from harness.waiting import wait_until

from . import analysis, driver, report, scenarios, timeline, verdict
from .processes import Copy
from .run import NAMES, Run, holder_of

ELECTION = "chaos"
# The mark of a copy started with another copy's identity, by the unsafe `twin-identity` kind.
TWIN = "~twin"
KEY = f"{DEFAULT_PREFIX}/{ELECTION}"


class RelayNetwork:
    """The chaos run's network for etcd: a copy's cut drops everything on its relays to the members."""

    mode = "relay"
    reason = ""
    server_host = "127.0.0.1"

    def __init__(self, paths):
        self.paths = paths

    def prefix(self, index):
        return []

    def cut(self, index):
        self.paths[index].cut()

    def heal(self, index):
        self.paths[index].heal()

    def teardown(self):
        for path in self.paths:
            path.close()


class EtcdRun(Run):
    """A chaos run whose lock lives in etcd: `cluster` instead of a gist server."""

    def __init__(self, workdir, leader_election_bin, timings, copies, seed, log):
        self._begin(workdir, leader_election_bin, timings, seed, log, "etcd")
        self.cluster = EtcdCluster(workdir / "etcd")
        self.paths = [EtcdPath(self.cluster) for _ in range(copies)]
        self.network = RelayNetwork(self.paths)
        self.copies = [Copy(NAMES[i], i, "", "", self) for i in range(copies)]
        self.by_name = {copy.name: copy for copy in self.copies}

    def copy_command(self, copy, args=()):
        # A twin (see `twin_identity`) runs with the identity of the copy it is named after.
        identity = copy.name.split(TWIN)[0]
        return [self.leader_election_bin, "run", "--id", identity, "--lock", "etcd",
                "--etcd-endpoints", ",".join(self.paths[copy.index].endpoints), "--election", ELECTION,
                *run_args(self.timings), "--log-format", "json", *self.http_args(copy), *args]

    def copy_env(self, copy):
        return {}

    def holder(self):
        try:
            record = self.cluster.record(KEY)
        except (ValueError, RuntimeError):
            return None
        return record.get("holderIdentity") if isinstance(record, dict) else None

    def lock_mark(self):
        """Where the lock's history stands now: the key's mod revision (0 before it exists)."""
        kv = self.cluster._range(KEY)
        return int(kv["mod_revision"]) if kv else 0

    def holders_since(self, mark):
        """The holder each version of the key names, oldest first, from the one current at `mark` (from
        etcd's history); None for a version that is not a record."""
        history = self.cluster.history(KEY)
        start = max((i for i, (revision, _) in enumerate(history) if revision <= mark), default=0)
        return [holder_of(value) for _, value in history[start:]]

    def heal_all(self):
        for path in self.paths:
            path.heal()
        down = [m.name for m in self.cluster.members if not m.running]
        for name in down:
            self.cluster.start_member(name, wait=False)
        if down:
            self.cluster.wait_healthy()

    def member_in_use(self, name, timeout):
        """The member `name`'s requests go to now: the one whose relay counts its next request."""
        relays = self.paths[self.by_name[name].index].by_member
        before = {member: relay.requests for member, relay in relays.items()}
        try:
            return wait_until(lambda: next((m for m, r in relays.items() if r.requests > before[m]), None), timeout,
                              f"a request of {name}")
        except TimeoutError:
            return None


def member_killed(run, rep):
    """The member the leader talks to is killed (kill -9) and comes back a lease later: the leader goes on
    through another member and keeps its term, so no leaderless time is allowed."""
    t = run.timings
    leader = run.steady()
    member = run.member_in_use(leader, t.poll * 2 + 1) or run.cluster.members[0].name
    term = run.term_of(leader)
    down = t.lease + 1.0
    record = run.begin("etcd-member-killed", rep, target=f"{member} (used by {leader})", bound=0.0,
                       expect_leader_kept=True, variant=f"member down {down:.1f}s")
    run.cluster.kill_member(member)
    run.sleep(down)
    kept = run.leader() == leader and run.term_of(leader) == term
    record.notes.append(f"{leader} {'kept' if kept else 'did NOT keep'} term {term} through another member")
    run.cluster.start_member(member, wait=False)
    run.cluster.wait_healthy()
    run.finish(record)


def raft_leader_killed(run, rep):
    """The etcd Raft leader is killed (kill -9) and comes back a lease later; etcd elects another in about
    a second, inside the copies' renew deadline, so leadership may go on; it must come back within the bound."""
    t = run.timings
    run.steady()
    raft = run.cluster.leader() or run.cluster.members[0].name
    down = t.lease + 1.0
    record = run.begin("etcd-raft-leader-killed", rep, target=raft, bound=t.crash_bound,
                       variant=f"Raft leader down {down:.1f}s")
    run.cluster.kill_member(raft)
    run.sleep(down)
    record.notes.append(f"new Raft leader {run.cluster.leader() or 'none'}")
    run.cluster.start_member(raft, wait=False)
    run.cluster.wait_healthy()
    run.finish(record)


def quorum_lost(run, rep):
    """Two of the three members are killed: after the renew deadline (and a request in flight) no copy may
    lead, since no write can land; when they come back a leader must be back within the bound."""
    t = run.timings
    run.steady()
    names = [m.name for m in run.cluster.members]
    run.rng.shuffle(names)
    killed = sorted(names[:2])
    down = t.lease + t.renew_deadline + 2.0
    record = run.begin("etcd-quorum-lost", rep, target=",".join(killed), bound=down + t.crash_bound + 3.0,
                       variant=f"two members down {down:.1f}s")
    for name in killed:
        run.cluster.kill_member(name)
    # From the renew deadline on, plus one request timeout per member tried, nobody may lead.
    settled = t.renew_deadline + 3 * (t.request_timeout or 1.0) + 0.5
    run.sleep(settled)
    seen = set()
    while run.now() - record.start < down:
        seen.update(run.leaders())
        run.sleep(0.05)
    if seen:
        run.checks.setdefault("led_without_quorum", []).append(
            f"etcd-quorum-lost#{rep}: {', '.join(sorted(seen))} led {settled:.1f}s or more after quorum was lost")
    record.notes.append(f"copies leading from {settled:.1f}s after the loss until quorum returned: "
                        f"{', '.join(sorted(seen)) or 'none'}")
    for name in killed:
        run.cluster.start_member(name, wait=False)
    run.cluster.wait_healthy()
    run.finish(record)


def contention(run, rep):
    """Every copy starts at the same instant against a released lease."""
    t = run.timings
    run.steady()
    run.stop_all(signal.SIGTERM)
    record = run.begin("contention", rep, bound=t.crash_bound + 2.0, variant="every copy at once")
    run.start_all()
    run.wait_leader(t.crash_bound * 2 + 5, stable=t.lease)
    run.finish(record)


def twin_identity(run, rep):
    """Unsafe on purpose, and not among the kinds a run picks by default: a second copy with the
    leader's identity is started for a lease. It finds the record naming it and leads beside the leader,
    so the run must fail its verdict (`--kinds twin-identity`: the verdict shown able to fail)."""
    t = run.timings
    leader = run.steady()
    record = run.begin("twin-identity", rep, target=leader, bound=t.crash_bound, variant="a second copy as the leader")
    twin = Copy(leader + TWIN, run.by_name[leader].index, "", "", run)
    twin.start()
    run.wait_events(lambda e: e.copy == twin.name and e.kind == "acquired", t.lease * 2)
    run.sleep(t.lease)
    twin.stop(signal.SIGKILL)
    run.finish(record)


UNSAFE = {"twin-identity": twin_identity}

KINDS = {
    "kill-leader": scenarios.kill_leader,
    "stop-leader": scenarios.stop_leader,
    "term-leader": scenarios.term_leader,
    "restart-same-id": scenarios.restart_copy,
    "partition-leader": scenarios.partition_leader,
    "partition-followers": scenarios.partition_followers,
    "etcd-member-killed": member_killed,
    "etcd-raft-leader-killed": raft_leader_killed,
    "etcd-quorum-lost": quorum_lost,
    "handover": scenarios.handover,
    "contention": contention,
}
scenarios.CATEGORY.update({"etcd-member-killed": "etcd", "etcd-raft-leader-killed": "etcd",
                           "etcd-quorum-lost": "etcd", "twin-identity": "unsafe"})


def history_checks(cluster):
    """The key's whole life from etcd's revisions, judged as the gist's history is."""
    versions = cluster.history(KEY)
    records, invalid = [], 0
    for rev, value in versions:
        try:
            record = json.loads(value)
            records.append((f"revision {rev}", record["holderIdentity"], int(record["leaderTransitions"])))
        except (ValueError, KeyError, TypeError):
            invalid += 1
    final = versions[-1][1].decode(errors="replace") if versions else None
    try:
        final_ok = final is not None and "holderIdentity" in json.loads(final)
    except ValueError:
        final_ok = False
    return {"revisions": len(versions), "records": len(records), "invalid": invalid,
            **analysis.lock_findings(records), "other_files_touched": [], "final_parses": final_ok, "final": final}


def main(args, profile, kinds, copies, repetitions, timings, log, machine):
    """One chaos run on etcd; returns the exit status as chaos.py's main does."""
    workdir = driver.fresh_workdir(args.out / f"{args.profile}-etcd")
    meta = driver.meta(args, machine, f"LOCK=etcd CHAOS_PROFILE={args.profile} make chaos", "etcd")
    run = EtcdRun(workdir, str(args.bin_dir / "leader-election"), timings, copies, args.seed, log)
    interrupted = driver.interrupt_on_sigterm()
    history = None
    try:
        with driver.stopping(run, log):
            run.cluster.start()
            log(f"etcd members {', '.join(run.cluster.endpoints)}, key {KEY}; {timings.describe()}")
            run.start_all()
            driver.play(run, kinds, repetitions, profile, {**KINDS, **UNSAFE}, log)
            run.steady()
    finally:
        run_end = run.now()
        try:
            run.heal_all()
            history = history_checks(run.cluster)
        except (RuntimeError, TimeoutError) as error:
            log(f"could not read the key's history: {error}")
        run.cluster.stop()
        run.network.teardown()
    if interrupted or not run.faults:
        return 130
    if history is None:
        history = {"revisions": 0, "records": 0, "invalid": 0, **analysis.lock_findings([]),
                   "other_files_touched": [], "final_parses": False, "final": None}

    meta.update(duration=run_end, copies=[c.name for c in run.copies], server_restarts=[],
                network="loopback; each copy reaches the three etcd members through its own relay, and a cut "
                        "drops every byte on it both ways (connections stay open, requests time out)")
    found = verdict.judge(run.events, run_end, run.faults, timings, history, run.checks)
    gaps = analysis.leaderless(found.intervals, 0, run_end)
    picture = workdir / "timeline.png"
    report_path = workdir / "report.md"
    names = [c.name for c in run.copies]
    names += sorted({i.copy for i in found.intervals} - set(names))  # twins of the unsafe kind
    timeline.draw(picture, names, found.intervals, run.faults, found.double, gaps, run_end,
                  profile["panel"])
    report.write(report_path, meta, found, run.faults, run.events, timings, picture, "etcd")
    driver.summarize(report_path, picture, workdir, found, "etcd transactions", log,
                     extra=f"revisions of the key: {found.history['revisions']}; ")
    failing = found.failing("etcd", every_goal=True)
    if (args.assert_safety or args.assert_mode_goals) and failing:
        for key, problem in failing:
            log(f"FAILED: {key}: {problem}")
        return 1
    for key, problem in found.broken:
        log(f"finding: {key}: {problem}")
    return 0
