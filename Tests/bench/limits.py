"""GitHub's documented limits for one user and one gist, the 75% goals the defaults are held to
(issue 16), and a run's figures against both; beside them, the Go original at client-go's own
defaults as a model. The chart's timings, read from its values, for the run at the chart's defaults."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from harness.bounds import JITTER, go_duration
from timings import Timings, parse_duration  # noqa: I001 (timings puts Tests/ on the path for harness)

GOAL_SHARE = 0.75


@dataclass(frozen=True)
class Limit:
    key: str
    label: str
    github: float
    # Where a run's figure comes from: "rate" (per hour over the window, divided by `per`) or "peak".
    source: str
    field: str
    per: float = 1.0

    @property
    def goal(self) -> float:
        return GOAL_SHARE * self.github


LIMITS = (
    Limit("counted_per_hour", "counted REST requests / h (primary)", 5000, "rate", "counted"),
    Limit("creating_per_hour", "content-creating REST requests / h", 500, "rate", "creating"),
    Limit("creating_per_minute_mean", "content-creating / min, mean", 80, "rate", "creating", per=60),
    Limit("creating_per_minute_peak", "content-creating / min, busiest minute", 80, "peak", "creating_per_minute"),
    Limit("pushes_per_minute_mean", "pushes / min to the gist, mean", 6, "rate", "pushes", per=60),
    Limit("pushes_per_minute_peak", "pushes / min to the gist, busiest minute", 6, "peak", "pushes_per_minute"),
    Limit("git_reads_per_second_peak", "git reads / s of the gist, busiest second", 15, "peak", "git_reads_per_second"),
)

# client-go's defaults (leaderelection.LeaderElectionConfig as most controllers set it: 15s/10s/2s).
CLIENT_GO_DEFAULTS = Timings(lease=15.0, renew_deadline=10.0, retry=2.0, settle=0.0)


def against(per_hour: dict[str, float], peaks: dict[str, float]) -> dict[str, dict]:
    """Each limit: the figure, GitHub's limit, the 75% goal, the share of the limit, and whether the
    figure is within the goal."""
    rows = {}
    for limit in LIMITS:
        value = per_hour[limit.field] / limit.per if limit.source == "rate" else peaks.get(limit.field)
        rows[limit.key] = {"label": limit.label, "value": value, "github": limit.github, "goal": limit.goal,
                           "percent": None if value is None else 100 * value / limit.github,
                           "within_goal": None if value is None else value <= limit.goal}
    return rows


def go_model(timings: Timings, copies: int = 3) -> dict:
    """The Go original as the README models it: the leader renews every retry period with three GETs
    and a PATCH (get, get-for-compare, PATCH, get-for-readback), a follower reads once per attempt,
    (1 + J/2)·r apart on average; nothing is conditional, nothing is git. Its busiest minute is its
    mean: the renew loop has no jitter."""
    renewals = 3600 / timings.retry
    follower_reads = 3600 / (timings.retry * (1 + JITTER / 2))
    per_hour = {"counted": 4 * renewals + (copies - 1) * follower_reads, "creating": renewals,
                "pushes": 0.0, "git_reads": 0.0}
    peaks = {"creating_per_minute": renewals / 60, "pushes_per_minute": 0.0, "git_reads_per_second": 0.0,
             "counted_per_minute": per_hour["counted"] / 60}
    described = (f"lease {timings.lease:g}s, renew deadline {timings.renew_deadline:g}s, "
                 f"retry {timings.retry:g}s (+ up to {JITTER:g}x jitter)")
    return {"timings": described, "per_hour": per_hour, "limits": against(per_hour, peaks)}


_CHART_FLAGS = {"leaseDuration": "--lease-duration", "renewDeadline": "--renew-deadline",
                "retryPeriod": "--retry-period", "renewInterval": "--renew-interval",
                "requestTimeout": "--request-timeout", "takeoverSettle": "--takeover-settle"}


def chart_election(values_yaml: Path) -> dict[str, str]:
    """The timing values under `election:` in the chart's values (an empty one is left out, as the
    chart leaves its flag out)."""
    text = values_yaml.read_text()
    section = re.search(r"^election:\n((?:[ #].*\n|\n)*)", text, re.M)
    if not section:
        raise RuntimeError(f"no election section in {values_yaml}")
    found = {}
    for key in _CHART_FLAGS:
        match = re.search(rf"^  {key}: *\"?([^\"\s#]*)\"?\s*(?:#.*)?$", section.group(1), re.M)
        if match is None:
            raise RuntimeError(f"no election.{key} in {values_yaml}")
        if match.group(1):
            found[key] = match.group(1)
    return found


def chart_args(values_yaml: Path) -> list[str]:
    """The `leader-election run` flags the chart's defaults pass."""
    return [arg for key, value in chart_election(values_yaml).items() for arg in (_CHART_FLAGS[key], value)]


def chart_timings(values_yaml: Path, app: Timings) -> Timings:
    """The chart's timings, with the app's for any value the chart leaves empty."""
    values = {key: parse_duration(value) for key, value in chart_election(values_yaml).items()}
    return Timings(lease=values.get("leaseDuration", app.lease), renew_deadline=values.get("renewDeadline", app.renew_deadline),
                   retry=values.get("retryPeriod", app.retry), settle=values.get("takeoverSettle", app.settle),
                   request_timeout=values.get("requestTimeout", app.request_timeout),
                   renew_interval=values.get("renewInterval", app.renew_interval))


def flags(timings: Timings) -> str:
    """The timings as the flags that set them, for the report."""
    parts = [f"--lease-duration {go_duration(timings.lease)}", f"--renew-deadline {go_duration(timings.renew_deadline)}",
             f"--retry-period {go_duration(timings.retry)}"]
    if timings.renew_interval is not None:
        parts.append(f"--renew-interval {go_duration(timings.renew_interval)}")
    if timings.request_timeout is not None:
        parts.append(f"--request-timeout {go_duration(timings.request_timeout)}")
    return " ".join(parts)
