"""The copies of leader-election in a chaos run, whose log lines are read as they come. Each line keeps
the copy's own stamp (the machine's wall clock, which every copy shares; a copy whose wall clock is
skewed on purpose has the known offset taken back out) beside the time the harness read it."""

import datetime
import os
import re
import signal
import subprocess
import threading
from dataclasses import dataclass, field

from harness import events
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
    t: float          # run clock (wall seconds since the run began) when the harness read or did it
    copy: str
    kind: str         # acquired, started_leading, lost, handing_over, released, exit, signal, line, unparsed, unreadable
    term: int | None = None
    text: str = ""
    ts: str = ""      # the copy's own wall timestamp, when the line had one
    stamp: float | None = None  # `ts` on the run clock, the copy's clock offset taken out
    digits: int = 0   # fractional digits of `ts`: its resolution is 10**-digits seconds
    skew: float = 0.0  # the offset taken out of `ts`: the copy's wall clock was skewed by this much

    @property
    def at(self):
        """When it happened: the copy's own stamp, else the harness's time (its signals, exits)."""
        return self.stamp if self.stamp is not None else self.t


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
        skew = faketime_offset((extra_env or {}).get("FAKETIME", ""))
        env = dict(os.environ, **run.copy_env(self), **(extra_env or {}))
        # Started through ip-netns-exec or env(1): the app loses its arguments when Python spawns it
        # directly with libfaketime preloaded.
        launcher = run.network.prefix(self.index) or ["env"]
        command = [*launcher, *run.copy_command(self, args)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        self.env = extra_env or {}
        run.record(Event(run.now(), self.name, "start", text=" ".join(f"{k}={v}" for k, v in self.env.items())))
        threading.Thread(target=self._read, args=(self.process, skew), daemon=True).start()

    def _read(self, process, skew):
        run = self.run
        with (run.workdir / f"{self.name}.log").open("a") as log:
            for raw in process.stderr:
                t = run.now()
                line = raw.decode(errors="replace").rstrip("\n")
                log.write(f"{t:9.3f} {line}\n")
                log.flush()
                run.record(parse_line(self.name, t, line, wall0=run.wall0, skew=skew))
        process.wait()
        run.record(Event(run.now(), self.name, "exit", text=f"exit status {process.returncode}"))

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def send(self, sig):
        """Sends `sig`. A pause is stamped once sent, a resume before: the copy's paused stretch is never
        longer than the one recorded."""
        if not self.running:
            return
        if sig == signal.SIGCONT:
            self.run.record(Event(self.run.now(), self.name, "signal", text=signal.Signals(sig).name))
        self.process.send_signal(sig)
        if sig != signal.SIGCONT:
            self.run.record(Event(self.run.now(), self.name, "signal", text=signal.Signals(sig).name))

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


# The events of the app's log a chaos run follows; other lines are kept as text. A term ends with `lost`,
# or with `handing_over` when the leader was asked to hand over (its work stopped, the copy runs on).
TRACKED = ("acquired", "started_leading", "lost", "handing_over", "handed_over", "released")
ENDS = ("lost", "handing_over")
# A term begins with these: one that cannot be read would hide a term, so it fails the run.
BEGINS = ("acquired", "started_leading")
_BEGINS_TEXT = re.compile(r"acquired|started_leading")
_FAKETIME = re.compile(r"^([+-]\d+(?:\.\d+)?)([smhdy]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "y": 365 * 86400}


def faketime_offset(spec):
    """Seconds libfaketime adds to the wall clock for a relative FAKETIME ("+5m", "-10m"); 0 when unset.
    Anything else (an absolute date, a speed) cannot be taken back out of the stamps: ValueError."""
    if not spec:
        return 0.0
    match = _FAKETIME.match(spec.strip())
    if not match:
        raise ValueError(f"FAKETIME={spec!r} is not a relative offset; the stamps could not be corrected")
    return float(match.group(1)) * _UNITS[match.group(2)]


def stamp_seconds(ts):
    """An ISO 8601 stamp of the JSON log format as POSIX seconds and its fractional digits; None if unreadable."""
    try:
        when = datetime.datetime.fromisoformat(ts)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    fraction = re.search(r"\.(\d+)", ts)
    return when.timestamp(), len(fraction.group(1)) if fraction else 0


def parse_line(name, t, line, wall0=0.0, skew=0.0):
    """Sorts one log line of the app into the events the analysis needs, with the copy's own stamp on
    the run clock (`wall0`: the POSIX time the run clock starts at; `skew`: the copy's known offset).
    A line that is not the app's format is `unparsed`; a lifecycle line whose term or stamp cannot be
    read is `unreadable`, and so is an unparsed line that names the start of a term."""
    parsed = events.parse(line)
    if not parsed.message and not parsed.level:
        kind = "unreadable" if _BEGINS_TEXT.search(line) else "unparsed"
        return Event(t, name, kind, text=line)
    stamp = stamp_seconds(parsed.ts)
    at = None if stamp is None else stamp[0] - skew - wall0
    digits = 0 if stamp is None else stamp[1]
    if parsed.event == "handed_over":
        # The record the leader wrote for the handover's target: its term kept, the target as holder.
        return Event(t, name, "handed_over", term=parsed.term, text=parsed.metadata.get("target", ""), ts=parsed.ts,
                     stamp=at, digits=digits, skew=skew)
    if parsed.event in TRACKED:
        term = parsed.term if parsed.event in BEGINS else None
        if parsed.event in BEGINS and (term is None or stamp is None):
            what = "term" if term is None else "stamp"
            return Event(t, name, "unreadable", text=f"{parsed.event} with no readable {what}: {line}", ts=parsed.ts)
        return Event(t, name, parsed.event, term=term, text=parsed.message, ts=parsed.ts, stamp=at, digits=digits,
                     skew=skew)
    return Event(t, name, "line", text=f"[{parsed.level}] {parsed.message}", ts=parsed.ts, stamp=at, digits=digits,
                 skew=skew)
