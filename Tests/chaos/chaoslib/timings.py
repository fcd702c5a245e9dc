"""Election timings of a chaos run and the bounds client-go's algorithm gives for them (README)."""

from dataclasses import dataclass

JITTER = 1.2


@dataclass(frozen=True)
class Timings:
    lease: float = 4.0
    renew: float = 2.5
    retry: float = 0.5
    settle: float = 0.5
    request_timeout: float = 1.0

    def args(self):
        return ["--lease-duration", f"{self.lease}s", "--renew-deadline", f"{self.renew}s",
                "--retry-period", f"{self.retry}s", "--takeover-settle", f"{self.settle}s",
                "--request-timeout", f"{self.request_timeout}s"]

    @property
    def poll(self):
        """The longest wait between two attempts of a follower: retry plus full jitter."""
        return self.retry * (1 + JITTER)

    @property
    def graceful_bound(self):
        """A released lease is taken at a follower's next attempt."""
        return self.poll + self.settle

    @property
    def crash_bound(self):
        """A silent leader: followers see its last renewal up to one poll late, wait a lease, then poll."""
        return self.poll + self.lease + self.poll + self.settle

    def describe(self):
        return (f"lease {self.lease:g}s, renew deadline {self.renew:g}s, retry {self.retry:g}s "
                f"(+ up to {JITTER:g}x jitter), takeover settle {self.settle:g}s, request timeout "
                f"{self.request_timeout:g}s; bounds: graceful <= {self.graceful_bound:.1f}s, "
                f"crash <= {self.crash_bound:.1f}s")
