"""Phase 1, request rate: three copies against one gist-server, at the app's own defaults (no timing
flag) or at the chart's (the flags its values pass). After a warm-up, the server's stats over a
measured window give each copy's requests per hour, split as GitHub counts them, and set against
GitHub's limits and the Go original's pattern; stats sampled every second give the busiest minute and
second. The leader's and one idle follower's memory and CPU are sampled over the same window."""

from __future__ import annotations

import signal
import threading
import time
from dataclasses import asdict
from pathlib import Path

import limits
import sampling
from harness.bounds import JITTER
from processes import BenchServer, Copy, ProcessGroup, cpu_seconds, log, memory_kib, stop, wait_until
from timings import Timings

IDENTITIES = ("napoleon", "stalin", "cleopatra")
# The benchmark's own token, for reading the holder; its requests are left out of the figures.
OBSERVER = "observer"
WARM_UP_SECONDS = 20

# GitHub's limits per token: every answer but a 304 counts against the primary limit; PATCH, POST and
# DELETE also count as content creation (secondary limits).
PRIMARY_PER_HOUR = 5000
CREATION_PER_HOUR = 500
CREATION_PER_MINUTE = 80

KINDS = ("counted_reads", "not_modified_reads", "writes", "other", "git")


def kind_of(entry: dict) -> str:
    """Which figure a stats line adds to: GET 200, any 304, PATCH 2xx, git smart-HTTP requests (which
    GitHub does not count against the REST limits), or anything else (errors)."""
    if ".git/" in entry["route"]:
        return "git"
    if entry["status"] == 304:
        return "not_modified_reads"
    if entry["method"] == "GET" and entry["status"] == 200:
        return "counted_reads"
    if entry["method"] == "PATCH" and 200 <= entry["status"] < 300:
        return "writes"
    return "other"


def per_hour(stats: dict, labels: dict[str, str], seconds: float) -> dict[str, dict[str, float]]:
    """Each copy's requests per hour by kind, from the server's stats over `seconds`."""
    caller_of = {label: caller for caller, label in labels.items()}
    counts = {identity: dict.fromkeys(KINDS, 0) for identity in IDENTITIES}
    for entry in stats["entries"]:
        caller = caller_of.get(entry["token"])
        if caller in counts:
            counts[caller][kind_of(entry)] += entry["count"]
    return {identity: {kind: n * 3600 / seconds for kind, n in by_kind.items()} for identity, by_kind in counts.items()}


def total(rows: list[dict]) -> dict[str, float]:
    return {kind: sum(row[kind] for row in rows) for kind in KINDS}


def against_limits(rates: dict[str, float]) -> dict[str, dict]:
    """The three copies' sum (one shared token in a real deployment) as a share of each GitHub limit."""
    counted = rates["counted_reads"] + rates["writes"] + rates["other"]
    figures = {"requests_per_hour": (counted, PRIMARY_PER_HOUR),
               "creation_per_hour": (rates["writes"], CREATION_PER_HOUR),
               "creation_per_minute": (rates["writes"] / 60, CREATION_PER_MINUTE)}
    # The go model has no git requests.
    return {name: {"value": value, "limit": limit, "percent": 100 * value / limit}
            for name, (value, limit) in figures.items()}


def go_model(timings: Timings, leader: str) -> dict:
    """The Go original at the same timings (docs/benchmark.md): a follower reads once per attempt,
    an attempt every retry period plus client-go's jitter, (1 + J/2)·r on average, and none of its
    reads is conditional; the leader renews every retry period, each renewal three GETs (get,
    get-for-compare, get-for-readback) and one PATCH."""
    attempts = 3600 / (timings.retry * (1 + JITTER / 2))
    renewals = 3600 / timings.retry
    rows = []
    for identity in IDENTITIES:
        reads, writes = (3 * renewals, renewals) if identity == leader else (attempts, 0.0)
        rows.append({"identity": identity, "role": role(identity, leader), "counted_reads": reads,
                     "not_modified_reads": 0.0, "writes": writes, "other": 0.0, "git": 0.0})
    summed = total(rows)
    return {"copies": rows, "total": summed, "limits": against_limits(summed)}


def role(identity: str, leader: str) -> str:
    return "leader" if identity == leader else "follower"


def sample(pid: int) -> dict:
    return {"cpu_seconds": cpu_seconds(pid), **memory_kib(pid)}


def resources(before: dict, after: dict, seconds: float) -> dict:
    """Memory at the end of the window and CPU over it, as a percentage of one core."""
    used = after["cpu_seconds"] - before["cpu_seconds"]
    return {"rss_kib": after["rss_kib"], "peak_rss_kib": after["peak_rss_kib"], "cpu_seconds": used,
            "cpu_percent": 100 * used / seconds}


def elections_per_token(rates: dict[str, float]) -> float:
    """How many elections of 3 copies one token carries before the first GitHub limit is reached."""
    counted = rates["counted_reads"] + rates["writes"] + rates["other"]
    shares = [counted / PRIMARY_PER_HOUR, rates["writes"] / CREATION_PER_HOUR]
    return 1 / max(shares) if max(shares) > 0 else float("inf")


CONFIGS = {"app": "the app's own defaults (no timing flag)", "chart": "the chart's defaults (its values' flags)"}


def measure(group: ProcessGroup, bins, workdir: Path, timings: Timings, window: float,
            halt: threading.Event, mode: str = "git", config: str = "app", timing_args: list[str] = ()) -> dict | None:
    """Runs the phase with the copies writing in `mode` (git or rest) at `timings`, set by `timing_args`
    (none: the app's defaults); None when `halt` was set before the window ended."""
    workdir.mkdir(parents=True)
    server = BenchServer(group, bins.gist_server, workdir, [*IDENTITIES, OBSERVER])
    args = ["--write-mode", mode, *timing_args]
    copies = {identity: Copy(group, bins.leader_election, server, identity, None, args) for identity in IDENTITIES}
    log(f"rate ({mode} writes, {config}): 3 copies at {CONFIGS[config]} ({timings.describe()}); "
        f"warming up {WARM_UP_SECONDS}s")
    if halt.wait(WARM_UP_SECONDS):
        return None
    leader = wait_until(lambda: server.holder_as(OBSERVER), 60, "a leader at the default timings")
    follower = next(identity for identity in IDENTITIES if identity != leader)
    watched = {"leader": copies[leader].pid, "follower": copies[follower].pid}
    server.reset_stats()
    started = time.monotonic()
    copy_tokens = {server.labels[identity] for identity in IDENTITIES}
    sampler = sampling.Sampler(server, copy_tokens).start()
    before = {name: sample(pid) for name, pid in watched.items()}
    log(f"rate ({mode}, {config}): {leader} leads; measuring for {window:g}s")
    if halt.wait(window):
        sampler.stop()
        return None
    seconds = time.monotonic() - started
    stats = server.stats()
    sampler.stop()
    after = {name: sample(pid) for name, pid in watched.items()}
    leader_at_end = server.holder_as(OBSERVER)
    for copy in copies.values():
        stop(copy.process, signal.SIGTERM, timeout=10)
    stop(server.process, signal.SIGTERM, timeout=10)

    rates = per_hour(stats, server.labels, seconds)
    rows = [{"identity": identity, "role": role(identity, leader), **rates[identity]} for identity in IDENTITIES]
    summed = total(rows)
    github_per_hour = {name: n * 3600 / seconds for name, n in sampling.totals(stats, copy_tokens).items()}
    peaks = sampler.peaks()
    return {
        "config": config, "args": args, "samples": len(sampler.samples),
        "github_per_hour": github_per_hour, "peaks": peaks, "github": limits.against(github_per_hour, peaks),
        "go_client_go_defaults": limits.go_model(limits.CLIENT_GO_DEFAULTS),
        "timings": asdict(timings), "warm_up_seconds": WARM_UP_SECONDS, "window_seconds": seconds,
        "leader": leader, "leader_at_end": leader_at_end, "copies": rows, "total": summed,
        "limits": against_limits(summed), "go_model": go_model(timings, leader), "write_mode": mode,
        "elections_per_token": elections_per_token(summed),
        "resources": {name: {"identity": leader if name == "leader" else follower,
                             **resources(before[name], after[name], seconds)} for name in watched},
    }
