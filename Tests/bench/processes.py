"""The processes the benchmark runs: a gist-server with one token per caller, copies of
`leader-election run`, and what /proc says about them. Every process starts through a
`ProcessGroup`, which stops them all at the end, also after Ctrl-C."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
from pathlib import Path

from harness import events
from harness.bounds import Timings
from harness.copies import run_command
from harness.gist_server import GistServer, stop_process as stop
from harness.waiting import wait_until

__all__ = ["BenchServer", "Copy", "ProcessGroup", "cpu_seconds", "log", "memory_kib", "stop", "wait_until"]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def log(message: str):
    """A progress line on stderr; the figures go to stdout."""
    print(f"==> {message}", file=sys.stderr, flush=True)


class ProcessGroup:
    """Starts processes and stops every one still running, newest first (copies before their server,
    so they can release the lease), SIGTERM then SIGKILL."""

    def __init__(self):
        self._processes: list[subprocess.Popen] = []
        self._lock = threading.Lock()
        self._closed = False

    def start(self, args: list[str], **kwargs) -> subprocess.Popen:
        with self._lock:
            if self._closed:
                raise RuntimeError("the benchmark is stopping: no new processes")
            process = subprocess.Popen(args, **kwargs)
            self._processes.append(process)
            return process

    def stop_all(self):
        with self._lock:
            self._closed = True
            processes = list(reversed(self._processes))
        for process in processes:
            stop(process, signal.SIGTERM, timeout=10)


class BenchServer(GistServer):
    """A gist-server on a free loopback port with one fresh gist and one token per caller, so its
    stats split the requests by caller (all copies share one token in a real deployment)."""

    def __init__(self, group: ProcessGroup, binary: str, workdir: Path, callers: list[str],
                 extra_args: tuple[str, ...] = ()):
        self.caller_tokens = {caller: "bench-" + secrets.token_hex(8) for caller in callers}
        # gist-server labels the tokens of --token-file token-1, token-2... in the file's order.
        self.labels = {caller: f"token-{index}" for index, caller in enumerate(callers, start=1)}
        super().__init__(binary, workdir, list(self.caller_tokens.values()), extra_args=extra_args,
                         user_agent="leader-election-bench", spawn=group.start)
        self.start()

    def token_file(self, caller: str) -> Path:
        """A file holding only this caller's token, for `--token-file`."""
        path = self.workdir / f"{caller}.token"
        path.touch(mode=0o600)
        path.write_text(self.caller_tokens[caller] + "\n")
        return path

    def holder_as(self, caller: str) -> str:
        """The lock's holder as `caller` reads it; empty when free or when there is no lock file yet."""
        return self.holder(self.caller_tokens[caller])


class Copy:
    """One `leader-election run` with its own token; stderr goes to `<identity>.log`, appended to
    on every restart so that log offsets keep growing. `timings` None: the app's defaults."""

    def __init__(self, group: ProcessGroup, binary: str, server: BenchServer, identity: str,
                 timings: Timings | None, extra_args: list[str]):
        self.identity = identity
        self.log = server.workdir / f"{identity}.log"
        self._group = group
        self._args = run_command(binary, identity, server, timings, "--token-file", str(server.token_file(identity)),
                                 *extra_args)
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self):
        with self.log.open("a") as log:
            self.process = self._group.start(self._args, stdout=subprocess.DEVNULL, stderr=log)

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def log_size(self) -> int:
        return self.log.stat().st_size

    def lines_after(self, offset: int) -> list[str]:
        """Complete log lines written after byte `offset`."""
        with self.log.open("rb") as log:
            log.seek(offset)
            text = log.read().decode(errors="replace")
        # The last piece is either empty or a line still being written.
        return text.split("\n")[:-1]

    def events(self) -> list[events.LogLine]:
        """Its whole log's lifecycle events, in order."""
        return [line for line in map(events.parse, self.lines_after(0)) if line.event]


def memory_kib(pid: int) -> dict[str, int]:
    """Resident memory now (VmRSS) and at its peak (VmHWM), in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return {"rss_kib": fields["VmRSS"], "peak_rss_kib": fields["VmHWM"]}


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far (utime + stime of /proc/PID/stat)."""
    # The command name in parentheses may hold spaces; the fields after it are fixed.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / CLOCK_TICKS
