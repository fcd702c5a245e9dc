"""Election timings: the app's defaults read from `leader-election run --help`, the demo timings, and
the failover bounds of client-go's algorithm as docs/design.md states them."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from harness.bounds import Timings, parse_duration
from processes import log

__all__ = ["Timings", "app_timings", "chart_renew_interval", "help_defaults", "parse_duration", "renew_interval"]

_HELP_FLAGS = {"lease": "--lease-duration", "renew_deadline": "--renew-deadline", "retry": "--retry-period",
               "settle": "--takeover-settle", "renew_interval": "--renew-interval",
               "request_timeout": "--request-timeout"}


def help_defaults(leader_election_bin: str) -> dict[str, str]:
    """The `(default: ...)` text of each timing flag in `leader-election run --help`."""
    help_text = subprocess.run([leader_election_bin, "run", "--help"], capture_output=True, text=True,
                               timeout=30, check=True).stdout
    # One block per option: from its `--flag` at the start of a line to the next option.
    blocks = [" ".join(block.split()) for block in re.split(r"\n(?=\s+(?:-\w, )?--)", help_text)]
    found = {}
    for field, flag in _HELP_FLAGS.items():
        for block in blocks:
            if block.startswith(flag + " ") and (match := re.search(r"\(default: ([^)]+)\)", block)):
                found[field] = match.group(1)
    missing = {"lease", "renew_deadline", "retry", "settle"} - found.keys()
    if missing:
        raise RuntimeError(f"`{leader_election_bin} run --help` states no default for {sorted(missing)}")
    return found


def renew_interval(default: str | None, lease: float, renew_deadline: float, retry: float,
                   request_timeout: float = 2.5) -> float | None:
    """The renew interval the app applies to these timings, from the default its help states: a
    duration; "half of what the renew deadline leaves after two retry periods" (one retry period when
    two leave nothing); or, in older builds, "a third of the lease duration[, at most the renew deadline
    minus the retry period]". None when the app has no such flag, or states a default this function
    cannot read (logged)."""
    if default is None:
        return None
    # "16s when two retries of a renewal that takes twice the request timeout still fit ...; otherwise
    # half of what the renew deadline leaves after two retry periods": the app's ElectionDefaults rule.
    if (rule := re.match(r"([0-9.]+(?:ms|s|m|h)+) when two retries of a renewal that takes twice the request "
                         r"timeout still fit", default)):
        preferred = parse_duration(rule.group(1))
        if preferred + 2 * retry + 2 * request_timeout < renew_deadline:
            return preferred
        after_two = renew_deadline - 2 * retry
        return after_two / 2 if after_two > 0 else (renew_deadline - retry) / 2
    if "half of what the renew deadline leaves after two retry periods" in default:
        after_two = renew_deadline - 2 * retry
        return after_two / 2 if after_two > 0 else (renew_deadline - retry) / 2
    if "third of the lease" in default:
        interval = lease / 3
        if "at most the renew deadline minus the retry period" in default:
            interval = min(interval, renew_deadline - retry)
        return interval
    try:
        return parse_duration(default)
    except ValueError:
        log(f"cannot read the default of --renew-interval ({default!r}); figures go without it")
        return None


def timings_with_interval(defaults: dict[str, str], lease: float, renew_deadline: float, retry: float,
                          settle: float) -> Timings:
    timeout = parse_duration(defaults["request_timeout"]) if "request_timeout" in defaults else 2.5
    interval = renew_interval(defaults.get("renew_interval"), lease, renew_deadline, retry, timeout)
    return Timings(lease=lease, renew_deadline=renew_deadline, retry=retry, settle=settle, renew_interval=interval)


def app_timings(leader_election_bin: str) -> tuple[Timings, Timings]:
    """The app's defaults, and the demo timings of cicd.sh (lease 5s, renew deadline 3s, retry 1s,
    settle 1s), each with the renew interval the app applies to it."""
    defaults = help_defaults(leader_election_bin)
    app = timings_with_interval(defaults, *(parse_duration(defaults[field])
                                            for field in ("lease", "renew_deadline", "retry", "settle")))
    demo = timings_with_interval(defaults, lease=5.0, renew_deadline=3.0, retry=1.0, settle=1.0)
    return app, demo


def chart_renew_interval(values_yaml: Path) -> float:
    """`election.renewInterval` of the chart's values: the renewal period a deployment runs with."""
    match = re.search(r"^  renewInterval: *\"?([0-9.a-z]+)\"?\s*$", values_yaml.read_text(), re.M)
    if not match:
        raise RuntimeError(f"no election.renewInterval in {values_yaml}")
    return parse_duration(match.group(1))
