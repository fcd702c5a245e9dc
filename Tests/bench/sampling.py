"""gist-server's counts sampled once a second over the rate window. Its stats hold only totals, and
GitHub's secondary limits are per minute (80 content-creating requests, 6 pushes to one gist) and per
second (15 git reads of one repository): the samples give the busiest minute and the busiest second,
which an average over the window would hide."""

from __future__ import annotations

import threading
import time
import urllib.error

from processes import log

INTERVAL_SECONDS = 1.0
# What GitHub limits per minute or per second, as counted from one stats line.
FIGURES = ("counted", "creating", "pushes", "git_reads")


def figures_of(entry: dict) -> dict[str, int]:
    """How one line of gist-server's stats adds to each limit: REST answers but 304s count against the
    primary limit; PATCH, POST, PUT and DELETE are content creation; a POST to git-receive-pack is a
    push; any other git request (an advertisement, a fetch) is counted as a git read, which overstates
    reads by the advertisement before each push."""
    n = entry["count"]
    if ".git/" in entry["route"]:
        push = entry["method"] == "POST" and entry["route"].endswith("/git-receive-pack")
        return {"pushes": n if push else 0, "git_reads": 0 if push else n, "counted": 0, "creating": 0}
    return {"counted": 0 if entry["status"] == 304 else n,
            "creating": n if entry["method"] in ("PATCH", "POST", "PUT", "DELETE") else 0,
            "pushes": 0, "git_reads": 0}


def totals(stats: dict, tokens: set[str]) -> dict[str, int]:
    """The figures summed over the stats lines of `tokens` (gist-server's token labels)."""
    summed = dict.fromkeys(FIGURES, 0)
    for entry in stats["entries"]:
        if entry["token"] in tokens:
            for name, n in figures_of(entry).items():
                summed[name] += n
    return summed


class Sampler:
    """Reads the server's stats every second in a thread of its own until `stop()`; each sample is
    (monotonic seconds, totals of the copies' tokens)."""

    def __init__(self, server, tokens: set[str]):
        self._server, self._tokens = server, tokens
        self.samples: list[tuple[float, dict[str, int]]] = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stats-sampler", daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self):
        self._stopped.set()
        self._thread.join(timeout=15)

    def _run(self):
        next_at = time.monotonic()
        while not self._stopped.is_set():
            try:
                self.samples.append((time.monotonic(), totals(self._server.stats(), self._tokens)))
            except (OSError, RuntimeError, urllib.error.URLError) as error:
                log(f"stats sample failed ({error}); the busiest-minute figures skip it")
            next_at += INTERVAL_SECONDS
            self._stopped.wait(max(0.0, next_at - time.monotonic()))

    def busiest(self, figure: str, span: float) -> float:
        """The most of `figure` counted between a sample and the furthest one at most `span` seconds
        later (at least the next one: for a span of one second, between consecutive samples)."""
        best, j = 0, 0
        for i, (start, at_start) in enumerate(self.samples):
            j = max(j, i + 1)
            while j + 1 < len(self.samples) and self.samples[j + 1][0] - start <= span:
                j += 1
            if j < len(self.samples):
                best = max(best, self.samples[j][1][figure] - at_start[figure])
        return float(best)

    def peaks(self) -> dict[str, float]:
        return {"pushes_per_minute": self.busiest("pushes", 60), "creating_per_minute": self.busiest("creating", 60),
                "counted_per_minute": self.busiest("counted", 60), "git_reads_per_second": self.busiest("git_reads", 1)}
