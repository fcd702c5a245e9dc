"""Phase 2, failover time: three copies at the demo timings. Each trial stops the leader with SIGKILL
(a crash: its lease must run out) or SIGTERM (it releases the lease) and measures from the signal to
the timestamp of another copy's "successfully acquired lease" log line; then the stopped copy is
started again, so three copies compete in every trial. Crash and graceful trials alternate, so
background load on the machine falls on both alike. Handover trials come third in each round: the
leader is asked (POST /handover?to=...) to hand over to another running copy, and the time runs from
the request to the target's acquisition; the old leader keeps running."""

from __future__ import annotations

import json
import signal
import socket
import statistics
import subprocess
import threading
import time
import urllib.request
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from harness import events
from processes import BenchServer, Copy, ProcessGroup, log, stop, wait_until
from rate import IDENTITIES, OBSERVER
from timings import Timings

# After a restart, before the next signal: the restarted copy has read the lock (its first attempt
# is at once) and the new leader has renewed at least once.
PAUSE_SECONDS = 3
SIGNALS = {"crash": signal.SIGKILL, "graceful": signal.SIGTERM}
KINDS = ("crash", "graceful", "handover")
# The demo timings write far more often than GitHub allows for long; this phase measures time, not
# limits, so a long run must not meet the server's secondary limits.
UNLIMITED = ("--rate-limit", "1000000", "--secondary-limit-per-minute", "100000",
             "--secondary-limit-per-hour", "1000000")


def bound(timings: Timings, kind: str) -> float:
    # A handover's target claims at its next attempt, as a follower does after a release.
    return timings.crash_bound if kind == "crash" else timings.graceful_bound


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def handover_trial(copies: dict[str, Copy], endpoints: dict[str, str], leader: str, timeout: float) -> dict:
    """Asks the leader to hand over to the next copy and waits for that copy to acquire."""
    names = list(copies)
    target = names[(names.index(leader) + 1) % len(names)]
    offsets = {target: copies[target].log_size()}
    request = urllib.request.Request(f"{endpoints[leader]}/handover?to={target}", method="POST")
    asked = time.time()
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        handed = json.loads(answer.read())
    try:
        successor, acquired_at = wait_until(lambda: acquisition([copies[target]], offsets), timeout,
                                            f"{target} to lead after the handover from {leader}", interval=0.02)
        seconds = acquired_at - asked
    except TimeoutError:
        successor, seconds = None, None
    return {"stopped": leader, "successor": successor, "seconds": seconds, "exit_status": 0 if handed["written"] else 1}


def acquisition(copies: list[Copy], offsets: dict[str, int]) -> tuple[str, float] | None:
    """The first copy that logged an acquisition after its offset, and when (epoch seconds)."""
    found = []
    for copy in copies:
        for line in map(events.parse, copy.lines_after(offsets[copy.identity])):
            if line.event == "acquired" and line.ts:
                found.append((datetime.fromisoformat(line.ts.replace("Z", "+00:00")).timestamp(), copy.identity))
    if not found:
        return None
    at, identity = min(found)
    return identity, at


def trial(copies: dict[str, Copy], leader: str, kind: str, timeout: float) -> dict:
    """Signals the leader and waits for another copy to lead; `seconds` is None after `timeout`."""
    others = [copy for identity, copy in copies.items() if identity != leader]
    offsets = {copy.identity: copy.log_size() for copy in others}
    process = copies[leader].process
    signalled = time.time()
    process.send_signal(SIGNALS[kind])
    try:
        successor, acquired_at = wait_until(lambda: acquisition(others, offsets), timeout,
                                            f"a new leader after the {kind} of {leader}", interval=0.02)
        seconds = acquired_at - signalled
    except TimeoutError:
        successor, seconds = None, None
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        stop(process, signal.SIGKILL, timeout=10)
    return {"stopped": leader, "successor": successor, "seconds": seconds, "exit_status": process.returncode}


def current_leader(server: BenchServer, copies: dict[str, Copy]) -> str:
    holder = server.holder_as(OBSERVER)
    return holder if holder in copies and copies[holder].running() else ""


def summary(timings: Timings, kind: str, results: list[dict]) -> dict:
    """Median, max and min of the trials that ended, each as a ratio to the algorithm's bound."""
    limit = bound(timings, kind)
    times = [result["seconds"] for result in results if result["seconds"] is not None]
    figures = {"trials": len(results), "timed_out": len(results) - len(times), "bound": limit, "results": results}
    if times:
        median, longest = statistics.median(times), max(times)
        figures |= {"median": median, "max": longest, "min": min(times),
                    "median_to_bound": median / limit, "max_to_bound": longest / limit}
    if kind == "crash":
        figures |= {"lower_bound": timings.crash_lower_bound,
                    "below_lower_bound": sum(t < timings.crash_lower_bound for t in times)}
    else:
        figures["unclean_exits"] = sum(result["exit_status"] != 0 for result in results)
    return figures


def measure(group: ProcessGroup, bins, workdir: Path, timings: Timings, trials: int,
            halt: threading.Event, mode: str = "git") -> dict | None:
    """Runs `trials` crash and `trials` graceful trials; None when `halt` was set meanwhile."""
    workdir.mkdir(parents=True)
    server = BenchServer(group, bins.gist_server, workdir, [*IDENTITIES, OBSERVER], UNLIMITED)
    # Debug level, so the log shows each renewal that failed and was retried.
    args = ["--log-format", "json", "--log-level", "debug", "--write-mode", mode]
    endpoints = {identity: f"http://127.0.0.1:{free_port()}" for identity in IDENTITIES}
    copies = {identity: Copy(group, bins.leader_election, server, identity, timings,
                             [*args, "--http", endpoints[identity].removeprefix("http://")])
              for identity in IDENTITIES}
    log(f"failover ({mode} writes): {trials} crash, {trials} graceful and {trials} handover trials at the demo "
        f"timings ({timings.describe()})")
    results = {kind: [] for kind in KINDS}
    for number in range(len(KINDS) * trials):
        kind = KINDS[number % len(KINDS)]
        if halt.wait(PAUSE_SECONDS):
            return None
        leader = wait_until(lambda: current_leader(server, copies), 60, "a leader at the demo timings")
        timeout = 3 * bound(timings, kind) + 10
        result = (handover_trial(copies, endpoints, leader, timeout) if kind == "handover"
                  else trial(copies, leader, kind, timeout))
        results[kind].append(result)
        took = "no new leader" if result["seconds"] is None else f"{result['successor']} after {result['seconds']:.2f}s"
        log(f"failover {number + 1}/{len(KINDS) * trials}: {kind} of {leader}: {took}")
        if kind != "handover":
            copies[leader].start()
    for copy in copies.values():
        stop(copy.process, signal.SIGTERM, timeout=10)
    stop(server.process, signal.SIGTERM, timeout=10)
    seen = [line.event for copy in copies.values() for line in copy.events()]
    return {"timings": asdict(timings), "write_mode": mode, **{kind: summary(timings, kind, results[kind]) for kind in KINDS},
            "renewals_retried": seen.count("renew_failed"), "terms_started": seen.count("started_leading")}
