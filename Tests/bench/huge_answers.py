"""Peak memory of `leader-election run` against a server on loopback whose answers are huge: the REST
read of the gist, or (with a small gist answer naming a git_push_url on the same server) the git
push's first answer, each announced in Content-Length or chunked.

A copy runs until the server has ended `ROUNDS` huge answers (the copy hung up or took them whole), or
until it stops by itself; its peak resident memory is the ru_maxrss of its whole life. A 1 KB answer
gives the baseline of the same failing loop. Also reported: the most body bytes the server could write into one answer before the
copy hung up, which shows how far the copy read past its bound.

Run alone: `python Tests/bench/huge_answers.py [SIZE_MB ...]` (BIN_DIR or LEADER_ELECTION_BIN as for
bench.py); `make bench` runs it with 200 MB and 1 GB.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness.huge_answers import GIST, HugeAnswers
from processes import ProcessGroup, log

ROUNDS = 3
CEILING_SECONDS = 90
SIZES = [200 << 20, 1 << 30]
TARGETS = ("rest", "git")
FRAMINGS = ("content-length", "chunked")
FAST = ["--lease-duration", "3s", "--renew-deadline", "2s", "--retry-period", "0.5s", "--takeover-settle", "0.2s",
        "--request-timeout", "20s"]


def reap(process: subprocess.Popen, seconds: float) -> int | None:
    """The peak resident memory (ru_maxrss, KiB) of `process` once it has exited within `seconds`, else
    None. It reaps the process itself: Popen's own wait would drop the resource usage."""
    deadline = time.monotonic() + seconds
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return usage.ru_maxrss
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)


def one_run(group: ProcessGroup, binary: str, workdir: Path, target: str, size: int, framing: str) -> dict:
    server = HugeAnswers(size, framing == "content-length", git=target == "git")
    logfile = workdir / f"{target}-{framing}-{size}.log"
    # git mode: the copy stops at start when the gist's repository does not take its push, so one
    # huge git answer per run; REST reads go on until ROUNDS answers ended.
    args = [binary, "run", "--id", "bench-huge", "--gist", GIST, "--github-api-url", server.url, *FAST,
            "--write-mode", "git" if target == "git" else "rest"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADER_ELECTION_")}
    env["LEADER_ELECTION_GITHUB_API_TOKEN"] = "bench-huge-token"
    with logfile.open("w") as stderr:
        process = group.start(args, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    started = time.monotonic()
    try:
        peak = None
        while peak is None and len(server.written) < ROUNDS and time.monotonic() - started < CEILING_SECONDS:
            peak = reap(process, 0.05)
        if peak is None:
            process.send_signal(signal.SIGTERM)
            peak = reap(process, 10)
        if peak is None:
            process.kill()
            peak = reap(process, 10)
    finally:
        server.stop()
    text = logfile.read_text(errors="replace")
    return {"target": target, "framing": framing, "size_bytes": size, "answers_ended": len(server.written),
            "peak_rss_mb": (peak or 0) / 1024, "max_body_bytes_written": max(server.written, default=0),
            "refused_at_bound": "may take" in text, "seconds": time.monotonic() - started}


def measure(group: ProcessGroup, binary: str, workdir: Path, sizes: list[int]) -> list[dict]:
    """One run for each target, framing and size, one after the other (they measure memory)."""
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for size in [1 << 10, *sizes]:
        for target in TARGETS:
            for framing in FRAMINGS:
                log(f"huge answers: {target}, {framing}, {size} bytes")
                results.append(one_run(group, binary, workdir, target, size, framing))
    return results


def rows(results: list[dict]) -> list[list[str]]:
    def size(n: int) -> str:
        return f"{n >> 30} GB" if n >= 1 << 30 else f"{n >> 20} MB" if n >= 1 << 20 else f"{n >> 10} KB"

    return [[f"{r['target']} {r['framing']} {size(r['size_bytes'])}", f"{r['peak_rss_mb']:.0f}",
             f"{r['max_body_bytes_written'] / (1 << 20):.1f}", str(r["answers_ended"]),
             "yes" if r["refused_at_bound"] else "no"] for r in results]


HEADER = ["answer", "peak RSS MB", "most MB written into one answer", "answers", "refused at the bound"]


def main() -> int:
    from report import table

    bin_dir = Path(os.environ.get("BIN_DIR", Path(__file__).resolve().parents[2] / ".build/debug"))
    binary = os.environ.get("LEADER_ELECTION_BIN", str(bin_dir / "leader-election"))
    sizes = [int(arg) << 20 for arg in sys.argv[1:]] or SIZES
    group = ProcessGroup()
    try:
        with tempfile.TemporaryDirectory(prefix="huge-answers-") as workdir:
            results = measure(group, binary, Path(workdir), sizes)
    finally:
        group.stop_all()
    print(table(HEADER, rows(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
