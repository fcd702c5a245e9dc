"""`make bench LOCK=etcd` (./cicd.sh bench): what leader-election costs and how fast it fails over with its
lock in etcd, on a three-member etcd cluster on loopback (harness.etcd_cluster).

Each copy reaches the members through its own relay, which counts the v3 API requests it carries, so
the figures are the requests each copy sends to etcd, whichever member answers. Two phases run side by
side on the same cluster, each on its own election key:
  1. request rate at the app's default timings over a measured window, per copy and in total;
  2. failover time after SIGKILL and after SIGTERM of the leader at the demo timings, against the
     algorithm's bounds (as Tests/bench/failover.py measures it for the gist), with the requests per
     copy per hour at the demo timings counted over the trials.
It prints tables on stdout and writes the figures as JSON; it never fails on slow figures.

Environment: BIN_DIR (or LEADER_ELECTION_BIN), BENCH_QUICK=1 (a 60 s window and 10 trials of each kind),
BENCH_RATE_SECONDS, BENCH_TRIALS, BENCH_OUT (default out/bench-etcd.json; logs beside it in <stem>-logs/).
"""

from __future__ import annotations

import dataclasses
import os
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

import failover
import report
from harness.etcd_cluster import DEFAULT_PREFIX, EtcdCluster, EtcdPath, require_etcd, run_args
from processes import Copy, ProcessGroup, log, stop, wait_until
from rate import IDENTITIES, WARM_UP_SECONDS
from session import Session
from timings import Timings, app_timings

REPO_ROOT = Path(__file__).resolve().parents[2]


class EtcdCopy(Copy):
    """One `leader-election run --lock etcd` through its own relay; otherwise the gist bench's copy."""

    def __init__(self, group: ProcessGroup, binary: str, cluster: EtcdCluster, workdir: Path, identity: str,
                 election: str, timings: Timings | None, extra_args: list[str]):
        self.identity = identity
        self.path = EtcdPath(cluster)
        self.log = workdir / f"{identity}.log"
        self._group = group
        self._args = [binary, "run", "--id", identity, "--lock", "etcd", "--etcd-endpoints",
                      ",".join(self.path.endpoints), "--election", election,
                      *(run_args(timings) if timings else []), *extra_args]
        self.process = None
        self.start()


class Election:
    """Three copies on one election key of the cluster."""

    def __init__(self, group, binary, cluster, workdir: Path, election: str, timings, extra_args):
        workdir.mkdir(parents=True)
        self.cluster, self.key = cluster, f"{DEFAULT_PREFIX}/{election}"
        self.copies = {identity: EtcdCopy(group, binary, cluster, workdir, identity, election, timings, extra_args)
                       for identity in IDENTITIES}

    def holder(self) -> str:
        holder = self.cluster.holder(self.key)
        return holder if holder in self.copies and self.copies[holder].running() else ""

    def reset_counts(self) -> None:
        for copy in self.copies.values():
            copy.path.reset_count()

    def per_hour(self, seconds: float) -> dict[str, float]:
        return {identity: copy.path.requests * 3600 / seconds for identity, copy in self.copies.items()}

    def stop(self) -> None:
        for copy in self.copies.values():
            stop(copy.process, signal.SIGTERM, timeout=10)
            copy.path.close()


def measure_rate(group, binary, cluster, workdir, defaults, window, halt):
    """Requests per copy per hour at the app's default timings (`defaults` describes them)."""
    election = Election(group, binary, cluster, workdir, "bench-rate", None, [])
    log(f"etcd rate: 3 copies at the app's default timings; warming up {WARM_UP_SECONDS}s")
    if halt.wait(WARM_UP_SECONDS):
        return None
    leader = wait_until(election.holder, 60, "a leader at the default timings")
    election.reset_counts()
    started = time.monotonic()
    log(f"etcd rate: {leader} leads; measuring for {window:g}s")
    if halt.wait(window):
        return None
    seconds = time.monotonic() - started
    rates = election.per_hour(seconds)
    leader_at_end = election.holder()
    election.stop()
    return {"timings": asdict(defaults), "window_seconds": seconds, "leader": leader, "leader_at_end": leader_at_end,
            "copies": [{"identity": i, "role": "leader" if i == leader else "follower", "requests_per_hour": r}
                       for i, r in rates.items()], "total_per_hour": sum(rates.values())}


def measure_failover(group, binary, cluster, workdir, timings, trials, halt):
    """Crash and graceful trials at the demo timings, and the requests the copies sent meanwhile."""
    election = Election(group, binary, cluster, workdir, "bench-failover", timings,
                        ["--log-format", "json", "--log-level", "debug"])
    log(f"etcd failover: {trials} crash and {trials} graceful trials at the demo timings ({timings.describe()})")
    results = {kind: [] for kind in failover.SIGNALS}
    started = time.monotonic()
    for number in range(2 * trials):
        kind = "crash" if number % 2 == 0 else "graceful"
        if halt.wait(failover.PAUSE_SECONDS):
            return None
        leader = wait_until(election.holder, 60, "a leader at the demo timings")
        result = failover.trial(election.copies, leader, kind, timeout=3 * failover.bound(timings, kind) + 10)
        results[kind].append(result)
        took = "no new leader" if result["seconds"] is None else f"{result['successor']} after {result['seconds']:.2f}s"
        log(f"etcd failover {number + 1}/{2 * trials}: {kind} of {leader}: {took}")
        election.copies[leader].start()
    seconds = time.monotonic() - started
    rates = election.per_hour(seconds)
    election.stop()
    seen = [line.event for copy in election.copies.values() for line in copy.events()]
    return {"timings": asdict(timings), **{kind: failover.summary(timings, kind, results[kind])
                                           for kind in failover.SIGNALS},
            "renewals_retried": seen.count("renew_failed"), "terms_started": seen.count("started_leading"),
            "requests_per_hour": rates, "window_seconds": seconds}


def render(results: dict) -> str:
    rate, fail = results["rate"], results["failover"]
    rows = [[row["identity"], row["role"], f"{row['requests_per_hour']:.0f}"] for row in rate["copies"]]
    rows.append(["all three", "", f"{rate['total_per_hour']:.0f}"])
    demo_rows = [[identity, f"{value:.0f}"] for identity, value in fail["requests_per_hour"].items()]
    machine = results["machine"]
    return "\n\n".join([
        f"leader-election benchmark on etcd, {results['date']}, binaries in {results['binaries']}\n"
        f"{machine['cpus']} CPUs, load average {machine['load_average_before'][0]:.1f} before and "
        f"{machine['load_average_after'][0]:.1f} after; run took {results['runtime_seconds']:.0f}s; "
        f"{results['etcd']}",
        f"etcd requests per copy per hour at the app's default timings ({report.describe(rate['timings'])}), "
        f"counted at each copy's relay over {rate['window_seconds']:.0f}s "
        f"(leader {rate['leader']}, at the end {rate['leader_at_end'] or 'none'})",
        report.table(["copy", "role", "requests/h"], rows),
        f"etcd requests per copy per hour at the demo timings, over the {fail['window_seconds']:.0f}s of failover "
        "trials (each copy leads in turn)",
        report.table(["copy", "requests/h"], demo_rows),
        report.failover_table(fail),
    ]) + "\n"


def main() -> int:
    env = os.environ
    binary = env.get("LEADER_ELECTION_BIN", str(Path(env.get("BIN_DIR", REPO_ROOT / ".build/debug")) / "leader-election"))
    if not os.access(binary, os.X_OK):
        sys.exit(f"error: {binary} is missing: build with ./cicd.sh build-local, or set BIN_DIR")
    try:
        require_etcd()
    except RuntimeError as error:
        sys.exit(f"error: {error}")
    quick = env.get("BENCH_QUICK", "") not in ("", "0", "false")
    window = float(env.get("BENCH_RATE_SECONDS", 60 if quick else 300))
    trials = int(env.get("BENCH_TRIALS", 10 if quick else 20))
    out = Path(env.get("BENCH_OUT", REPO_ROOT / "out/bench-etcd.json")).resolve()
    logs = out.with_name(out.stem + "-logs")
    session = Session(logs)
    group, halt = session.group, session.halt
    defaults, demo = (dataclasses.replace(t, settle=0.0) for t in app_timings(binary))  # no option of etcd's
    cluster = EtcdCluster(logs / "etcd", spawn=group.start)

    def measure():
        cluster.start()
        log(f"etcd: three members at {', '.join(cluster.endpoints)}")
        with ThreadPoolExecutor(max_workers=1) as pool:
            rate_phase = pool.submit(measure_rate, group, binary, cluster, logs / "rate", defaults, window,
                                     halt)
            try:
                fail = measure_failover(group, binary, cluster, logs / "failover", demo, trials, halt)
                rate = rate_phase.result()
            finally:
                halt.set()
        if rate is None or fail is None:
            raise KeyboardInterrupt("halted")
        return rate, fail

    measured, status = session.measure(measure)
    if status is not None:
        return status
    rate, fail = measured
    version = os.popen("etcd --version").read().split("\n")[0]
    results = session.results(binary, etcd=f"{version}, three members on loopback",
                              settings={"quick": quick, "rate_seconds": window, "trials": trials},
                              rate=rate, failover=fail)
    return session.write(results, render(results), out)


if __name__ == "__main__":
    sys.exit(main())
