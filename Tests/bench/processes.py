"""The processes the benchmark runs: a gist-server with one token per caller, copies of
`leader-election run`, and what /proc says about them. Every process starts through a
`ProcessGroup`, which stops them all at the end, also after Ctrl-C."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ELECTION_FILE = "multi-cluster-leader-election.lock"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def log(message: str):
    """A progress line on stderr; the figures go to stdout."""
    print(f"==> {message}", file=sys.stderr, flush=True)


def wait_until(condition, timeout: float, what: str, interval: float = 0.05):
    """Polls `condition` until it returns something truthy; TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)
    return value


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


def stop(process: subprocess.Popen, sig: int, timeout: float):
    """Sends `sig` unless the process has exited, waits for it, and kills it if it outlives `timeout`."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class GistServer:
    """A gist-server on a free loopback port with one fresh gist and one token per caller, so its
    stats split the requests by caller (all copies share one token in a real deployment)."""

    def __init__(self, group: ProcessGroup, binary: str, workdir: Path, callers: list[str],
                 extra_args: tuple[str, ...] = ()):
        self.workdir = workdir
        self.tokens = {caller: "bench-" + secrets.token_hex(8) for caller in callers}
        # gist-server labels the tokens of --token-file token-1, token-2... in the file's order.
        self.labels = {caller: f"token-{index}" for index, caller in enumerate(callers, start=1)}
        self._write_secret(workdir / "tokens", "".join(token + "\n" for token in self.tokens.values()))
        ready, gist_id = workdir / "ready", workdir / "gist-id"
        with gist_id.open("w") as out, (workdir / "gist-server.log").open("w") as log:
            self.process = group.start(
                [binary, "--port", "0", "--ready-file", str(ready), "--token-file", str(workdir / "tokens"),
                 "--state-file", str(workdir / "state.json"), "--create-gist", *extra_args],
                stdout=out, stderr=log)
        self.url = wait_until(lambda: self._text(ready), 30, "gist-server to listen")
        self.gist_id = wait_until(lambda: self._text(gist_id), 30, "gist-server to print the gist id")

    def _text(self, path: Path) -> str:
        if self.process.poll() is not None:
            log = (self.workdir / "gist-server.log").read_text()
            raise RuntimeError(f"gist-server exited with {self.process.returncode}: {log}")
        return path.read_text().strip() if path.exists() else ""

    @staticmethod
    def _write_secret(path: Path, text: str):
        path.touch(mode=0o600)
        path.write_text(text)

    def token_file(self, caller: str) -> Path:
        """A file holding only this caller's token, for `--token-file`."""
        path = self.workdir / f"{caller}.token"
        self._write_secret(path, self.tokens[caller] + "\n")
        return path

    def _call(self, method: str, path: str, caller: str | None = None):
        headers = {"User-Agent": "leader-election-bench", "Accept": "application/vnd.github+json"}
        if caller:
            headers["Authorization"] = f"Bearer {self.tokens[caller]}"
        request = urllib.request.Request(self.url + path, method=method, headers=headers,
                                         data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")

    def stats(self) -> dict:
        """`GET /_gist-server/stats`: requests by method, route, status and token label."""
        return self._call("GET", "/_gist-server/stats")

    def reset_stats(self):
        self._call("POST", "/_gist-server/reset-stats")

    def holder(self, caller: str) -> str:
        """The lock's holder as `caller` reads it; empty when free or when there is no lock file yet."""
        file = self._call("GET", f"/gists/{self.gist_id}", caller)["files"].get(ELECTION_FILE)
        return json.loads(file["content"])["holderIdentity"] if file else ""


class Copy:
    """One `leader-election run` with its own token; stderr goes to `<identity>.log`, appended to
    on every restart so that log offsets keep growing."""

    def __init__(self, group: ProcessGroup, binary: str, server: GistServer, identity: str, extra_args: list[str]):
        self.identity = identity
        self.log = server.workdir / f"{identity}.log"
        self._group = group
        self._args = [binary, "run", "--id", identity, "--gist", server.gist_id, "--github-api-url", server.url,
                      "--token-file", str(server.token_file(identity)), *extra_args]
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
