"""Election timings and the failover bounds client-go's algorithm gives for them (see docs/design.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# client-go's jitter factor: a follower waits between r and (1 + J)·r between two attempts.
JITTER = 1.2


def go_duration(seconds: float) -> str:
    """`5s` or `500ms`: the flag value for a number of seconds."""
    return f"{seconds:g}s" if seconds >= 1 else f"{seconds * 1000:g}ms"


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """Seconds in a Go duration such as `30s`, `1m30s` or `500ms` (the app's flags, help and chart values);
    ValueError for anything else."""
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise ValueError(f"not a Go duration: {text!r}")
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


@dataclass(frozen=True)
class Timings:
    """One set of election timings in seconds. `renew_interval` is the leader's interval between
    renewals as the app applies it, None when unknown (then a renewal every retry period is assumed);
    `request_timeout` is passed on only when set."""

    lease: float = 4.0
    renew_deadline: float = 2.5
    retry: float = 0.5
    settle: float = 0.5
    request_timeout: float | None = None
    renew_interval: float | None = None

    def args(self) -> list[str]:
        """The `leader-election run` flags that set these timings."""
        args = ["--lease-duration", go_duration(self.lease), "--renew-deadline", go_duration(self.renew_deadline),
                "--retry-period", go_duration(self.retry), "--takeover-settle", go_duration(self.settle)]
        if self.request_timeout is not None:
            args += ["--request-timeout", go_duration(self.request_timeout)]
        return args

    @property
    def poll(self) -> float:
        """The longest wait of a follower between two attempts: retry plus full jitter."""
        return (1 + JITTER) * self.retry

    @property
    def graceful_bound(self) -> float:
        """Released lease: a follower's next attempt sees the empty holder, claims, and settles."""
        return self.poll + self.settle

    @property
    def crash_bound(self) -> float:
        """Crash: the last renewal is seen up to one poll late, lasts a lease, and its expiry is seen one poll late."""
        return self.poll + self.lease + self.poll + self.settle

    @property
    def crash_lower_bound(self) -> float:
        """The safety side: the last renewal was at most one renew interval before the crash and lasts a lease."""
        return self.lease - (self.renew_interval or self.retry)

    def describe(self) -> str:
        text = (f"lease {self.lease:g}s, renew deadline {self.renew_deadline:g}s, retry {self.retry:g}s "
                f"(+ up to {JITTER:g}x jitter), takeover settle {self.settle:g}s")
        if self.request_timeout is not None:
            text += f", request timeout {self.request_timeout:g}s"
        if self.renew_interval is not None:
            text += f", renew interval {self.renew_interval:.3g}s"
        return text + f"; bounds: graceful <= {self.graceful_bound:.1f}s, crash <= {self.crash_bound:.1f}s"
