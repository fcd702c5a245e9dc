"""gist-server as the suites run it: on loopback, with its tokens, one fresh gist and a state file, so it
can be stopped and started again on the same address with the same gists."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .lock import LOCK_FILE
from .waiting import wait_until

# A read of a gist, by the name gist-server's stats give its route.
READ_ROUTE = "GET /gists/{gist_id}"


def require_binary(path: str) -> None:
    """Stops with the way out when a binary has not been built."""
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{path} is missing: build it first with ./cicd.sh build-local")


class GistServer:
    """One gist-server. `tokens` go to --token-file in order (gist-server labels them token-1, token-2,
    ... in its stats); the first is the one requests carry unless told otherwise. `spawn` starts the
    process (subprocess.Popen's signature), so a caller can track it; `extra_args` are more flags."""

    def __init__(self, binary: str, workdir: Path, tokens: list[str], *, host: str = "127.0.0.1",
                 extra_args: tuple[str, ...] = (), user_agent: str = "leader-election-tests",
                 spawn: Callable[..., subprocess.Popen] = subprocess.Popen):
        require_binary(binary)
        self.binary, self.workdir, self.host = binary, workdir, host
        self.tokens, self.token = list(tokens), tokens[0]
        self.extra_args, self.user_agent, self._spawn = tuple(extra_args), user_agent, spawn
        self.tokens_file = workdir / "tokens"
        self.tokens_file.touch(mode=0o600)
        self.tokens_file.write_text("".join(t + "\n" for t in tokens))
        self.log = workdir / "gist-server.log"
        self.state = workdir / "state.json"
        self.port = 0
        self.url = ""
        self.gist_id: str | None = None
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> GistServer:
        """Starts the server: the first time with a new gist, later on the same port and state."""
        ready = self.workdir / "ready"
        ready.unlink(missing_ok=True)
        first = self.gist_id is None
        command = [self.binary, "--host", self.host, "--port", str(self.port), "--ready-file", str(ready),
                   "--token-file", str(self.tokens_file), "--state-file", str(self.state),
                   *self.extra_args]
        if first:
            command.append("--create-gist")
        self.starts += 1
        with self.log.open("a") as err:
            self.process = self._spawn(command, stdout=subprocess.PIPE, stderr=err, text=True)
        if first:
            self.gist_id = self.process.stdout.readline().strip()
            if not self.gist_id:
                raise RuntimeError(f"gist-server printed no gist id: {self.log.read_text()}")
        self.url = wait_until(lambda: self._ready_url(ready), 30, "gist-server to listen")
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    def _ready_url(self, ready: Path) -> str:
        if self.process.poll() is not None:
            raise RuntimeError(f"gist-server exited with {self.process.returncode}: {self.log.read_text()}")
        return ready.read_text().strip() if ready.exists() else ""

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None:
            stop_process(self.process, sig, timeout=10)

    # ---- requests ----------------------------------------------------------------------------------

    def call(self, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
             token: str | None = None, timeout: float = 10) -> tuple[int, Any]:
        """One request carrying `token` (the first token by default; "" for none). (status, parsed body)."""
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        if data is None and method == "POST":
            data = b""
        headers = {"User-Agent": self.user_agent, "Accept": "application/vnd.github+json"}
        if token != "":
            headers["Authorization"] = f"Bearer {token or self.token}"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                text = response.read()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as error:
            return error.code, None

    def request(self, method: str, path: str, body: Any = None, *, token: str | None = None) -> Any:
        """A request that must succeed: its parsed body."""
        status, parsed = self.call(method, path, body, token=token)
        if not 200 <= status < 300:
            raise RuntimeError(f"{method} {path} answered {status}")
        return parsed

    def gist(self, token: str | None = None) -> dict | None:
        status, body = self.call("GET", f"/gists/{self.gist_id}", token=token)
        return body if status == 200 else None

    def files(self) -> dict[str, str | None] | None:
        gist = self.gist()
        return None if gist is None else {name: f.get("content") for name, f in gist["files"].items()}

    def lock_record(self, token: str | None = None) -> Any:
        """The parsed lock record; None when the lock file does not exist."""
        file = self.request("GET", f"/gists/{self.gist_id}", token=token)["files"].get(LOCK_FILE)
        return None if file is None else json.loads(file["content"])

    def holder(self, token: str | None = None) -> str:
        """The holder; empty while the lock is free, absent or not a record."""
        try:
            record = self.lock_record(token)
        except (ValueError, KeyError):
            return ""
        return record.get("holderIdentity", "") if isinstance(record, dict) else ""

    # ---- gist-server's own routes ------------------------------------------------------------------

    def fault(self, **fields: Any) -> None:
        status, _ = self.call("POST", "/_gist-server/faults", fields)
        if status != 201:
            raise RuntimeError(f"the server refused fault {fields}: {status}")

    def clear_faults(self) -> None:
        self.call("DELETE", "/_gist-server/faults")

    def replace_file(self, name: str, content: str) -> None:
        status, _ = self.call("PUT", f"/_gist-server/gists/{self.gist_id}/files/{name}", raw=content.encode())
        if status != 200:
            raise RuntimeError(f"raw edit of {name} failed: {status}")

    def stats(self) -> dict:
        """`GET /_gist-server/stats`: requests by method, route, status and token label."""
        return self.request("GET", "/_gist-server/stats", token="")

    def reset_stats(self) -> None:
        self.request("POST", "/_gist-server/reset-stats", token="")

    def route_count(self, route: str) -> int:
        """Requests served on `route` as the stats name it ("GET /gists/{gist_id}")."""
        return self.stats()["byRoute"].get(route, 0)

    def wait_for_reads(self, count: int, timeout: float, what: str) -> int:
        """Waits until the gist has been read `count` more times: a copy reads the lock once per attempt,
        so this waits for its attempts themselves. The caller must not read the gist meanwhile (stats
        are not reads). Returns the reads counted."""
        base = self.route_count(READ_ROUTE)
        return wait_until(lambda: (n := self.route_count(READ_ROUTE) - base) >= count and n, timeout,
                          f"{count} reads of the gist: {what}")


def stored_revisions(state_file: Path, gist_id: str) -> list[dict]:
    """A gist's revisions, oldest first, as gist-server stored them: each with `version`, `committedAt`
    and every file's content in `files`. Reads version 2 (metadata in the state file, one journal line
    per revision holding only the files it changed) and version 1 (every revision inline)."""
    state = json.loads(state_file.read_text())
    entry = next(g for g in state["gists"] if g["id"] == gist_id)
    if state["version"] == 1:
        return entry["revisions"]
    journal = Path(str(state_file) + ".revisions") / f"{gist_id}.jsonl"
    revisions, files = [], {}
    for line in journal.read_text().splitlines()[:entry["revisionCount"]]:
        change = json.loads(line)
        for name in change.get("removed", []):
            files.pop(name, None)
        files.update(change["files"])
        revisions.append({"version": change["version"], "committedAt": change["committedAt"], "files": dict(files)})
    return revisions


def stop_process(process: subprocess.Popen, sig: int, timeout: float) -> None:
    """Sends `sig` unless the process has exited, waits, and kills it if it outlives `timeout`."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
