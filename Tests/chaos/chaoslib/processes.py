"""The processes of a chaos run: the gist server (with its admin routes) and the copies of leader-election,
whose log lines are read as they come and stamped with the run's own monotonic clock."""

import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ELECTION = "multi-cluster-leader-election"
LOCK_FILE = f"{ELECTION}.lock"
USER_AGENT = "chaos-run"


def wait_until(condition, timeout, interval=0.05):
    """Polls `condition` until it returns a truthy value or `timeout` seconds pass; returns the value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


class GistServer:
    """gist-server on a fixed address with a state file; it can be killed and started again on it."""

    def __init__(self, binary, workdir: Path, host, tokens, log):
        self.binary, self.workdir, self.host, self.log = binary, workdir, host, log
        self.token = tokens[0]
        self.token_file = workdir / "tokens"
        self.token_file.write_text("".join(t + "\n" for t in tokens))
        self.token_file.chmod(0o600)
        self.state = workdir / "state.json"
        self.port = 0
        self.process = None
        self.gist_id = None
        self.starts = 0

    def start(self):
        ready = self.workdir / "ready"
        ready.unlink(missing_ok=True)
        first = self.gist_id is None
        # Limits far above what the copies need: rate-limit answers come only from injected faults.
        command = [self.binary, "--host", self.host, "--port", str(self.port), "--ready-file", str(ready),
                   "--token-file", str(self.token_file), "--state-file", str(self.state),
                   "--rate-limit", "100000000", "--secondary-limit-per-minute", "100000000",
                   "--secondary-limit-per-hour", "100000000"]
        if first:
            command.append("--create-gist")
        self.starts += 1
        with (self.workdir / "gist-server.log").open("a") as err:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=err, text=True)
        if first:
            self.gist_id = self.process.stdout.readline().strip()
            if not self.gist_id:
                raise RuntimeError(f"gist-server printed no gist id; see {self.workdir / 'gist-server.log'}")
        url = wait_until(lambda: ready.exists() and ready.read_text().strip(), 20)
        if not url:
            raise RuntimeError(f"gist-server did not start; see {self.workdir / 'gist-server.log'}")
        self.url = url
        self.port = int(url.rsplit(":", 1)[1])

    def stop(self, sig=signal.SIGTERM):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def call(self, method, path, body=None, raw=None, timeout=5):
        """A request to the server; GitHub routes carry the run's own token. Returns (status, parsed body)."""
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={
            "Authorization": f"Bearer {self.token}", "User-Agent": USER_AGENT,
            "Accept": "application/vnd.github+json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                text = response.read()
                return response.status, (json.loads(text) if text else None)
        except urllib.error.HTTPError as error:
            return error.code, None

    def fault(self, **fields):
        status, _ = self.call("POST", "/_gist-server/faults", fields)
        if status != 201:
            raise RuntimeError(f"the server refused fault {fields}: {status}")

    def clear_faults(self):
        self.call("DELETE", "/_gist-server/faults")

    def gist(self):
        status, body = self.call("GET", f"/gists/{self.gist_id}")
        return body if status == 200 else None

    def files(self):
        gist = self.gist()
        return None if gist is None else {name: f.get("content") for name, f in gist["files"].items()}

    def replace_file(self, name, content):
        status, _ = self.call("PUT", f"/_gist-server/gists/{self.gist_id}/files/{name}", raw=content.encode())
        if status != 200:
            raise RuntimeError(f"raw edit of {name} failed: {status}")


@dataclass
class Event:
    t: float          # run clock (seconds since the run began)
    copy: str
    kind: str         # acquired, lost, released, exit, signal, line
    term: int | None = None
    text: str = ""
    ts: str = ""      # the copy's own wall timestamp, when the line had one


@dataclass
class Copy:
    """One `leader-election run`, started in its network namespace, its stderr read line by line."""

    name: str
    index: int
    token: str
    label: str
    run: "object"
    env: dict = field(default_factory=dict)
    process: subprocess.Popen | None = None
    starts: int = 0

    def start(self, extra_env=None, args=()):
        run = self.run
        self.starts += 1
        env = dict(os.environ, LEADER_ELECTION_GITHUB_API_TOKEN=self.token, **(extra_env or {}))
        # Started through ip-netns-exec or env(1): the app loses its arguments when Python spawns it
        # directly with libfaketime preloaded.
        launcher = run.network.prefix(self.index) or ["env"]
        command = [*launcher, run.leader_election_bin, "run", "--id", self.name,
                   "--gist", run.server.gist_id, "--github-api-url", f"http://{run.server.host}:{run.server.port}",
                   *run.timings.args(), "--log-format", "json", *args]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        self.env = extra_env or {}
        run.record(Event(run.now(), self.name, "start", text=" ".join(f"{k}={v}" for k, v in self.env.items())))
        threading.Thread(target=self._read, args=(self.process,), daemon=True).start()

    def _read(self, process):
        run = self.run
        with (run.workdir / f"{self.name}.log").open("a") as log:
            for raw in process.stderr:
                t = run.now()
                line = raw.decode(errors="replace").rstrip("\n")
                log.write(f"{t:9.3f} {line}\n")
                log.flush()
                run.record(parse_line(self.name, t, line))
        process.wait()
        run.record(Event(run.now(), self.name, "exit", text=f"exit status {process.returncode}"))

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def send(self, sig):
        if self.running:
            self.run.record(Event(self.run.now(), self.name, "signal", text=signal.Signals(sig).name))
            self.process.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Sends `sig` (SIGCONT too, so a paused copy can act on it) and waits for the exit."""
        if not self.running:
            return
        self.send(sig)
        if sig != signal.SIGKILL:
            self.process.send_signal(signal.SIGCONT)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.send(signal.SIGKILL)
            self.process.wait()


def parse_line(name, t, line):
    """Sorts one JSON log line of the app into the events the analysis needs."""
    try:
        entry = json.loads(line)
    except ValueError:
        return Event(t, name, "line", text=line)
    message = entry.get("msg", "")
    ts = entry.get("ts", "")
    if message.startswith("successfully acquired lease"):
        return Event(t, name, "acquired", term=int(entry.get("term", -1)), text=message, ts=ts)
    if message.startswith("failed to renew lease") or message.startswith("stopped renewing lease"):
        return Event(t, name, "lost", text=message, ts=ts)
    if message.startswith("released lease"):
        return Event(t, name, "released", text=message, ts=ts)
    return Event(t, name, "line", text=f"[{entry.get('level', '')}] {message}", ts=ts)
