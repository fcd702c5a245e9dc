"""`make bench` (./cicd.sh bench): what leader-election costs and how fast it fails over, on loopback.

Two phases run side by side, each with its own local gist-server and three copies (napoleon, stalin,
cleopatra), each copy with its own token so the server's stats split the requests by copy; both run
with git writes (the default) and then with REST writes, for comparison:
  1. request rate over a measured window, in two runs side by side: at the app's own defaults (no timing
     flag) and at the chart's (the flags its values.yaml passes); per copy and in total, the busiest
     minute and second, against every limit GitHub documents, the 75% goals, and the Go original at
     client-go's defaults and at the same timings (models); memory and CPU of the leader and one follower;
  2. failover time after SIGKILL and after SIGTERM of the leader at the demo timings, against the
     algorithm's bounds (docs/design.md);
then, one copy at a time, peak memory against a server whose answers are huge (huge_answers.py).
It prints tables on stdout and writes the figures as JSON; it never fails on slow figures.

Environment:
  BIN_DIR               where leader-election and gist-server are (default .build/debug); or
                        LEADER_ELECTION_BIN and GIST_SERVER_BIN for each binary
  BENCH_QUICK=1         a short run: a 60 s rate window and 10 trials of each kind (about 5 minutes;
                        the full run takes about 12, with a 600 s window about 22)
  BENCH_RATE_SECONDS    the rate window (default 300, quick 60)
  BENCH_TRIALS          failover trials of each kind (default 20, quick 10)
  BENCH_OUT             the JSON file (default out/bench.json); the copies' logs go to <BENCH_OUT stem>-logs/
"""

from __future__ import annotations

import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import failover
import huge_answers
import rate
import report
from limits import chart_args, chart_timings
from processes import ProcessGroup
from session import Session
from timings import app_timings

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Binaries:
    leader_election: str
    gist_server: str


@dataclass(frozen=True)
class Settings:
    bins: Binaries
    quick: bool
    rate_seconds: float
    trials: int
    out: Path

    @property
    def logs(self) -> Path:
        return self.out.with_name(self.out.stem + "-logs")


def settings_from_env() -> Settings:
    env = os.environ
    bin_dir = Path(env.get("BIN_DIR", REPO_ROOT / ".build/debug"))
    bins = Binaries(env.get("LEADER_ELECTION_BIN", str(bin_dir / "leader-election")),
                    env.get("GIST_SERVER_BIN", str(bin_dir / "gist-server")))
    for binary in (bins.leader_election, bins.gist_server):
        if not os.access(binary, os.X_OK):
            sys.exit(f"error: {binary} is missing: build with ./cicd.sh build-local, or set BIN_DIR")
    quick = env.get("BENCH_QUICK", "") not in ("", "0", "false")
    return Settings(bins=bins, quick=quick,
                    rate_seconds=float(env.get("BENCH_RATE_SECONDS", 60 if quick else 300)),
                    trials=int(env.get("BENCH_TRIALS", 10 if quick else 20)),
                    out=Path(env.get("BENCH_OUT", REPO_ROOT / "out/bench.json")).resolve())


MODES = ("git", "rest")


def run_phases(settings: Settings, group: ProcessGroup, halt: threading.Event, mode: str) -> tuple[dict, dict]:
    """The rate phase at the app's defaults and at the chart's, each in a thread (they mostly wait), and
    the failover trials meanwhile in this one."""
    defaults, demo = app_timings(settings.bins.leader_election)
    values = REPO_ROOT / "chart/values.yaml"
    configs = {"app": (defaults, []), "chart": (chart_timings(values, defaults), chart_args(values))}
    with ThreadPoolExecutor(max_workers=len(configs)) as pool:
        rate_phases = {config: pool.submit(rate.measure, group, settings.bins, settings.logs / mode / f"rate-{config}",
                                           timings, settings.rate_seconds, halt, mode, config, args)
                       for config, (timings, args) in configs.items()}
        try:
            failovers = failover.measure(group, settings.bins, settings.logs / mode / "failover", demo,
                                         settings.trials, halt, mode)
            rates = {config: phase.result() for config, phase in rate_phases.items()}
            if None in rates.values() or failovers is None:
                halt.set()
                return None, None
            return rates, failovers
        except BaseException:
            # Whatever ended this phase also ends the other ones.
            halt.set()
            raise


def main() -> int:
    settings = settings_from_env()
    session = Session(settings.logs)

    def measure():
        modes = {}
        for mode in MODES:
            rates, failovers = run_phases(settings, session.group, session.halt, mode)
            if rates is None or failovers is None:
                raise KeyboardInterrupt("halted")
            modes[mode] = {"rate": rates, "failover": failovers}
        huge = huge_answers.measure(session.group, settings.bins.leader_election, settings.logs / "huge-answers",
                                    huge_answers.SIZES)
        return modes, huge

    measured, status = session.measure(measure)
    if status is not None:
        return status
    modes, huge = measured
    results = session.results(
        settings.bins.leader_election,
        settings={"quick": settings.quick, "rate_seconds": settings.rate_seconds, "trials": settings.trials},
        modes=modes, huge_answers=huge)
    return session.write(results, report.render(results), settings.out)


if __name__ == "__main__":
    sys.exit(main())
