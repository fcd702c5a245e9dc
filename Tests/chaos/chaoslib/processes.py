"""The copies of leader-election in a chaos run, whose log lines are read as they come and stamped with
the run's own monotonic clock; gist-server is the harness's."""

import os
import signal
import subprocess
import threading
from dataclasses import dataclass, field

from harness import events
from harness.copies import run_command
from harness.gist_server import GistServer
from harness.lock import LOCK_FILE

__all__ = ["Copy", "Event", "GistServer", "LOCK_FILE", "chaos_server", "parse_line"]
USER_AGENT = "chaos-run"


def chaos_server(binary, workdir, host, tokens):
    """gist-server on `host`, with limits far above what the copies need: rate-limit answers come only
    from injected faults."""
    return GistServer(binary, workdir, tokens, host=host, user_agent=USER_AGENT, extra_args=(
        "--rate-limit", "100000000", "--secondary-limit-per-minute", "100000000",
        "--secondary-limit-per-hour", "100000000", "--expose-admin-routes"))


@dataclass
class Event:
    t: float          # run clock (seconds since the run began)
    copy: str
    kind: str         # acquired, started_leading, lost, released, exit, signal, line
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
        command = [*launcher, *run_command(run.leader_election_bin, self.name, run.server, run.timings,
                                           "--log-format", "json", "--write-mode", run.write_mode, "--allow-plain-http", *args,
                                           url=f"http://{run.server.host}:{run.server.port}")]
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


# The events of the app's log a chaos run follows; other lines are kept as text.
TRACKED = ("acquired", "started_leading", "lost", "released")


def parse_line(name, t, line):
    """Sorts one log line of the app into the events the analysis needs."""
    parsed = events.parse(line)
    if not parsed.message and not parsed.level:
        return Event(t, name, "line", text=line)
    if parsed.event in TRACKED:
        term = parsed.term if parsed.event in ("acquired", "started_leading") else None
        return Event(t, name, parsed.event, term=-1 if term is None and parsed.event == "acquired" else term,
                     text=parsed.message, ts=parsed.ts)
    return Event(t, name, "line", text=f"[{parsed.level}] {parsed.message}", ts=parsed.ts)
