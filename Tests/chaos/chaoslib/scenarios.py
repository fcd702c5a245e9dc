"""The fault kinds of the chaos run. Each starts from a steady state (one settled leader), injects one
fault, heals it, and records the window with the leaderless time the algorithm allows for it."""

import signal

from . import analysis, restart
from .processes import LOCK_FILE

FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def _leader(run):
    return run.steady()


def _overwrites_by(holders, name):
    """How many times `name` replaced a record that named another holder, in `holders` (oldest first):
    the writes of a copy that had lost the lease."""
    return sum(1 for before, after in zip(holders, holders[1:]) if after == name and before not in (name, "", None))


def _others(run, name):
    return [copy.name for copy in run.copies if copy.name != name]


# -- process faults

def _leader_stopped(run, rep, kind, sig, bound):
    """The leader is stopped by `sig`; another copy must lead within `bound`."""
    leader = _leader(run)
    record = run.begin(kind, rep, target=leader, bound=bound)
    run.by_name[leader].stop(sig)
    run.finish(record, other_than=leader)


def kill_leader(run, rep):
    _leader_stopped(run, rep, "kill-leader", signal.SIGKILL, run.timings.crash_bound)


def stop_leader(run, rep):
    """SIGSTOP for longer than the lease, then SIGCONT: the paused leader must stand down before it writes
    over the new leader's record."""
    t = run.timings
    leader = _leader(run)
    pause = t.lease + run.rng.uniform(1.0, 3.0)
    record = run.begin("stop-leader", rep, target=leader, bound=t.crash_bound, variant=f"paused {pause:.1f}s")
    run.send(leader, signal.SIGSTOP)
    run.wait_leader(pause, other_than=leader)
    run.sleep(pause - (run.now() - record.start))
    mark = run.lock_mark()
    resumed = run.now()
    run.send(leader, signal.SIGCONT)
    lost = run.wait_events(lambda e: e.copy == leader and e.kind == "lost" and e.t >= resumed, t.renew_deadline + 5)
    if lost is None:
        record.notes.append(f"{leader} did not stand down within {t.renew_deadline + 5:.0f}s of SIGCONT")
        run.checks.setdefault("no_stand_down", []).append(f"stop-leader: {record.notes[-1]}")
    else:
        run.sleep(0.5)
        stale = _overwrites_by(run.holders_since(mark), leader)
        record.notes.append(f"{leader} stood down {lost.at - resumed:.3f}s after SIGCONT ({lost.text.split(': ', 1)[-1]}); "
                            f"its writes that replaced another holder's record after SIGCONT: {stale}")
        run.checks.setdefault("paused_writes", []).append(stale)
    run.finish(record)


def term_leader(run, rep):
    _leader_stopped(run, rep, "term-leader", signal.SIGTERM, run.timings.graceful_bound)


def restart_copy(run, rep):
    """A crashed leader comes straight back with the same identity: it finds its own record and renews it."""
    t = run.timings
    leader = _leader(run)
    record = run.begin("restart-same-id", rep, target=leader, bound=t.crash_bound)
    copy = run.by_name[leader]
    copy.stop(signal.SIGKILL)
    copy.start()
    run.finish(record)


# -- network faults

def partition_leader(run, rep):
    t = run.timings
    leader = _leader(run)
    cut = t.lease + run.rng.uniform(2.0, 4.0)
    record = run.begin("partition-leader", rep, target=leader, bound=t.crash_bound, variant=f"cut {cut:.1f}s")
    index = run.by_name[leader].index
    run.network.cut(index)
    run.sleep(cut)
    run.network.heal(index)
    run.finish(record)


def partition_followers(run, rep):
    """The reverse: only the leader still reaches the server. It must keep leading."""
    t = run.timings
    leader = _leader(run)
    cut = t.lease + run.rng.uniform(2.0, 4.0)
    record = run.begin("partition-followers", rep, target=",".join(_others(run, leader)), bound=0.0,
                       expect_leader_kept=True, variant=f"cut {cut:.1f}s")
    indexes = [run.by_name[name].index for name in _others(run, leader)]
    if run.network.mode != "loopback":
        for index in indexes:
            run.network.cut(index)
    else:
        for name in _others(run, leader):
            run.server.fault(token=run.by_name[name].label, blackhole="hold", latencyMs=60_000)
    run.sleep(cut)
    if run.network.mode != "loopback":
        for index in indexes:
            run.network.heal(index)
    else:
        run.server.clear_faults()
    run.finish(record)


# -- server faults

def _server_fault_for(run, seconds, leaders_writes=None, **fault):
    """The server answers with `fault` for `seconds`: every request, or the writes of copy
    `leaders_writes` only; then the fault is taken back."""
    if leaders_writes is None:
        run.server.fault(**fault)
    else:
        run.write_fault(token=run.by_name[leaders_writes].label, **fault)
    run.sleep(seconds)
    run.server.clear_faults()


def latency(run, rep):
    """Every request slowed; below (renew deadline - retry) / 3 per request the leader must keep its lease."""
    t = run.timings
    _leader(run)
    tolerable = (t.renew_deadline - t.retry) / 3
    delay = [0.25, 0.5, 0.8][rep % 3] * tolerable
    duration = t.lease * 2
    record = run.begin("latency", rep, bound=0.0, expect_leader_kept=True, variant=f"{delay * 1000:.0f}ms per request")
    _server_fault_for(run, duration, latencyMs=int(delay * 1000))
    run.finish(record)


def slow_write_late_apply(run, rep):
    """The leader's writes are delayed past its timeout and its renew deadline, then land anyway."""
    t = run.timings
    leader = _leader(run)
    delay = t.lease + t.poll + 1.0
    duration = t.lease + 1.0
    record = run.begin("slow-write-late-apply", rep, target=leader, bound=duration + t.crash_bound,
                       variant=f"leader's {run.write_name} held {delay:.1f}s, then applied")
    _server_fault_for(run, duration, leaders_writes=leader, latencyMs=int(delay * 1000))
    # Let the held writes land inside the window.
    run.sleep(delay)
    run.finish(record)


def slow_write_late_answer(run, rep):
    """The leader's writes land at once, but the answers come after its request timeout."""
    t = run.timings
    leader = _leader(run)
    duration = t.lease + 1.0
    record = run.begin("slow-write-late-answer", rep, target=leader, bound=duration + t.crash_bound,
                       variant=f"leader's {run.write_name} applied, answered after {t.request_timeout + 1:.1f}s")
    _server_fault_for(run, duration, leaders_writes=leader, responseDelayMs=int((t.request_timeout + 1) * 1000))
    run.finish(record)


def server_errors(run, rep):
    t = run.timings
    _leader(run)
    status = [503, 500, 502][rep % 3]
    burst = [t.renew_deadline * 0.5, t.renew_deadline + 1.0][rep % 2]
    record = run.begin("5xx-burst", rep, bound=burst + t.crash_bound, variant=f"{status} on every request for {burst:.1f}s")
    _server_fault_for(run, burst, status=status)
    run.finish(record)


def rate_limited(run, rep):
    """Secondary rate-limit answers with Retry-After; the client must hold back, then resume."""
    t = run.timings
    _leader(run)
    status = [403, 429][rep % 2]
    retry_after = [1, 2, 4][rep % 3]
    record = run.begin("rate-limit", rep, bound=retry_after + 1 + t.crash_bound,
                       variant=f"{status}, Retry-After {retry_after}s, for 1s")
    _server_fault_for(run, 1.0, status=status, retryAfter=retry_after)
    run.sleep(retry_after)
    run.finish(record)


def stale_reads(run, rep):
    """A replica frozen at the current version answers reads: for everyone, or for one follower only."""
    t = run.timings
    leader = _leader(run)
    version = run.server.gist()["history"][0]["version"]
    duration = t.lease + 2.0
    follower = run.rng.choice(_others(run, leader))
    everyone = rep % 2 == 0
    record = run.begin("stale-reads", rep, target="all" if everyone else follower, bound=duration + t.crash_bound,
                       variant=f"reads frozen for {duration:.1f}s ({'every copy' if everyone else 'one follower'})")
    if everyone:
        run.server.fault(serveVersion=version)
    else:
        run.server.fault(serveVersion=version, token=run.by_name[follower].label)
    run.sleep(duration)
    run.server.clear_faults()
    run.finish(record)


def server_restart(run, rep):
    """The server dies (SIGKILL or SIGTERM) and comes back on its state file and repositories; every
    commit and every file of the gist (the lock included) and every revision must still be there."""
    t = run.timings
    _leader(run)
    sig = [signal.SIGKILL, signal.SIGTERM][rep % 2]
    record = run.begin("server-restart", rep, bound=1.0 + t.crash_bound, variant=f"{signal.Signals(sig).name}, down 1s")
    before = restart.snapshot(run.server.state, run.server.gist_id)
    run.server.stop(sig)
    # What the server left on disk as it died, which the restart must not lose either.
    down = restart.snapshot(run.server.state, run.server.gist_id)
    run.sleep(1.0)
    run.server.start()
    after = restart.snapshot(run.server.state, run.server.gist_id)
    problems = restart.lost(before, after) + [f"(on disk at the kill) {p}" for p in restart.lost(down, after)]
    run.checks.setdefault("server_restarts", []).append({
        "signal": signal.Signals(sig).name, "kept": not problems, "problems": problems,
        "commits_before": len(before["commits"]), "commits_after": len(after["commits"]),
        "revisions_before": len(before["revisions"]), "revisions_after": len(after["revisions"])})
    record.notes.append(f"gist {'kept' if not problems else 'LOST'}: {len(before['commits'])} commits and "
                        f"{len(before['revisions'])} revisions before, {len(after['commits'])} and "
                        f"{len(after['revisions'])} after{': ' + problems[0] if problems else ''}")
    run.finish(record)


def corrupt_lock(run, rep):
    """The lock file's content is replaced behind the copies' backs: cut in half, or not JSON at all."""
    t = run.timings
    _leader(run)
    content = run.server.files()[LOCK_FILE]
    truncated = rep % 2 == 0
    bad = content[: len(content) // 2] if truncated else "<html><body>502 Bad Gateway</body></html>\n"
    leader = run.leader()
    record = run.begin("corrupt-lock", rep, bound=t.lease + t.crash_bound, target=leader or "",
                       variant="truncated record" if truncated else "HTML instead of JSON")
    run.server.replace_file(LOCK_FILE, bad)
    # The leader notices at its next renewal; only then is there a recovery to wait for.
    lost = run.wait_events(lambda e: e.copy == leader and e.kind == "lost" and e.t >= record.start, t.renew_deadline + t.lease)
    if leader and lost is None:
        record.notes.append(f"{leader} did not stand down within {t.renew_deadline + t.lease:.1f}s of the corruption")
        run.checks.setdefault("corruption_overwritten", []).append(f"corrupt-lock: {record.notes[-1]}")
    run.finish(record)


# -- clock faults

def clock_skew(run, rep):
    """One follower's wall clock is minutes off (libfaketime, monotonic clock untouched): it must not steal
    the live leader's lease, and once it leads and is cut off, it must stand down in time."""
    t = run.timings
    leader = _leader(run)
    skewed = run.rng.choice(_others(run, leader))
    offset = ["+5m", "-5m", "+10m", "-10m"][rep % 4]
    env = {"LD_PRELOAD": FAKETIME_LIB, "FAKETIME": offset, "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
    record = run.begin("clock-skew", rep, target=skewed, bound=t.crash_bound, variant=f"wall clock {offset}")
    copy = run.by_name[skewed]
    copy.stop()
    copy.start(extra_env=env)
    watch_from = run.now()
    run.sleep(t.lease * 2)
    steals = [e for e in run.events if e.kind == "acquired" and e.t >= watch_from and e.copy == skewed]
    record.notes.append(f"{skewed} took the lease {len(steals)} times while {leader} led ({offset} on {skewed})")
    run.checks.setdefault("skew_steals", []).append(len(steals))
    # Make the skewed copy the leader: release the lease from everyone else, one by one.
    for other in _others(run, skewed):
        if run.leader() == skewed:
            break
        run.by_name[other].stop(signal.SIGTERM)
        run.wait_leader(t.crash_bound + 2)
    led = run.leader() == skewed
    for other in _others(run, skewed):
        if not run.by_name[other].running:
            run.by_name[other].start()
    if led:
        run.sleep(t.poll * 2)
        cut_at = run.now()
        run.network.cut(copy.index)
        lost = run.wait_events(lambda e: e.copy == skewed and e.kind == "lost" and e.t >= cut_at, t.lease * 2)
        taken = run.wait_events(lambda e: e.copy != skewed and e.kind == "acquired" and e.t >= cut_at, t.crash_bound * 2)
        if lost and taken:
            record.notes.append(f"cut off while leading: stood down {lost.at - cut_at:.2f}s after the cut, "
                                f"{taken.at - lost.at:.2f}s before {taken.copy} took over")
        elif lost is None:
            record.notes.append(f"{skewed} did not stand down within {t.lease * 2:.0f}s of being cut off while leading")
            run.checks.setdefault("no_stand_down", []).append(f"clock-skew: {record.notes[-1]}")
        run.network.heal(copy.index)
    else:
        quiet = run.now() - max((e.t for e in run.events if e.copy == skewed), default=watch_from)
        record.notes.append(f"{skewed} never took the released lease (its last line {quiet:.1f}s ago; the report's "
                            f"libfaketime probe shows whether the app runs under libfaketime at all)")
    run.finish(record)


# -- handover on purpose

# The longest one request of a copy may take: the gist run's request timeout, or three etcd members
# tried at a third of it each.
REQUEST = 1.0
# The target's claim once it saw the record naming it: its write, then the takeover settle's read-back
# (as in Tests/system/test_handover.py).
CLAIM_REQUESTS = 2


def handover_bound(t):
    """From the leader's answer (its record written) to the target's acquisition: the target's next
    attempt within one poll, then its claim and the takeover settle."""
    return t.poll + t.settle + CLAIM_REQUESTS * REQUEST


def handover(run, rep):
    """The leader is asked through its HTTP endpoint (`leader-election handover`, run in the leader's own
    network namespace, so from loopback) to hand over: to a named follower, or in odd repetitions without
    a target. It must stand down before anyone else leads, and the target (without one: another copy)
    must lead within the handover bound of the answer. The verdict judges it (analysis.handovers)."""
    t = run.timings
    leader = _leader(run)
    target = run.rng.choice(_others(run, leader)) if rep % 2 == 0 else ""
    bound = handover_bound(t)
    # Leaderless from the stand-down: the leader's write of the record, then the bound.
    record = run.begin("handover", rep, target=leader, bound=REQUEST + bound,
                       variant=f"to {target}" if target else "without a target (released)")
    asked = run.now()
    result = run.handover(leader, target)
    answered = run.now()
    asked_for = {"fault": f"handover#{rep}", "from": leader, "to": target, "asked": asked, "answered": answered,
                 "bound": bound, "exit": result.returncode, "output": (result.stdout + result.stderr).strip()}
    run.checks.setdefault("handovers", []).append(asked_for)
    run.wait_events(lambda e: e.kind == "acquired" and e.copy != leader and e.t >= asked
                    and (not target or e.copy == target), bound + (answered - asked) + 2)
    (seen,) = analysis.handovers(run.events, [asked_for])
    record.notes.append(analysis.describe_handover(seen))
    run.finish(record, other_than=leader)


# -- contention

def contention(run, rep):
    """Every copy starts at the same instant against a released lease, with latency between read and write."""
    t = run.timings
    _leader(run)
    run.stop_all(signal.SIGTERM)
    delay = [0.3, 0.6][rep % 2]
    record = run.begin("contention", rep, bound=t.crash_bound + 2.0, variant=f"{delay * 1000:.0f}ms on every {run.write_name}")
    run.write_fault(latencyMs=int(delay * 1000))
    run.start_all()
    run.wait_leader(t.crash_bound * 2 + 5, stable=t.lease)
    run.server.clear_faults()
    run.finish(record)


KINDS = {
    "kill-leader": kill_leader,
    "stop-leader": stop_leader,
    "term-leader": term_leader,
    "restart-same-id": restart_copy,
    "partition-leader": partition_leader,
    "partition-followers": partition_followers,
    "latency": latency,
    "slow-write-late-apply": slow_write_late_apply,
    "slow-write-late-answer": slow_write_late_answer,
    "5xx-burst": server_errors,
    "rate-limit": rate_limited,
    "stale-reads": stale_reads,
    "server-restart": server_restart,
    "corrupt-lock": corrupt_lock,
    "clock-skew": clock_skew,
    "handover": handover,
    "contention": contention,
}

CATEGORY = {
    "kill-leader": "process", "stop-leader": "process", "term-leader": "process", "restart-same-id": "process",
    "partition-leader": "network", "partition-followers": "network",
    "latency": "server", "slow-write-late-apply": "server", "slow-write-late-answer": "server",
    "5xx-burst": "server", "rate-limit": "server", "stale-reads": "server", "server-restart": "server",
    "corrupt-lock": "server", "clock-skew": "clock", "handover": "process", "contention": "contention",
}
