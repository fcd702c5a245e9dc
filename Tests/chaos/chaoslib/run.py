"""One chaos run: the network, the server, the copies, every event on one clock (the machine's wall clock,
the one the copies stamp their lines with), and the helpers the
fault scenarios use to wait for a leader and to bring everything back to a steady state."""

import json
import random
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field

from harness.copies import run_command
from harness.gist_server import stored_revisions
from harness.waiting import wait_until

from .network import Network
from .processes import ENDS, LOCK_FILE, Copy, Event, chaos_server

NAMES = ["napoleon", "stalin", "cleopatra", "josephine", "caesar", "elizabeth"]


def holder_of(record):
    """The holder a record's text names; None when it is not a record."""
    try:
        return json.loads(record or "")["holderIdentity"]
    except (ValueError, KeyError, TypeError):
        return None


@dataclass
class FaultRecord:
    """One injected fault: when it began, when it was healed, when the run moved on, and what to expect."""

    kind: str
    rep: int
    start: float
    heal: float = 0.0
    end: float = 0.0
    variant: str = ""
    target: str = ""
    bound: float = 0.0        # leaderless seconds the algorithm allows within this fault's window
    expect_leader_kept: bool = False  # no leaderless time is expected at all
    recovered: bool = True
    notes: list = field(default_factory=list)


class Run:
    def __init__(self, workdir, bins, timings, copies, seed, log, write_mode="git"):
        self._begin(workdir, bins["leader-election"], timings, seed, log, write_mode)
        tokens = ["chaos-" + secrets.token_hex(8) for _ in range(copies + 1)]
        self.network = Network(copies, log)
        self.network.blackhole = self._blackhole
        self.server = chaos_server(bins["gist-server"], workdir, self.network.server_host, tokens)
        self.copies = [Copy(NAMES[i], i, tokens[i + 1], f"token-{i + 2}", self) for i in range(copies)]
        self.by_name = {copy.name: copy for copy in self.copies}

    def _begin(self, workdir, leader_election_bin, timings, seed, log, write_mode):
        """What every run holds, whatever its lock: the clock, the events, who leads, the faults."""
        self.workdir = workdir
        self.write_mode = write_mode
        self.timings = timings
        self.log = log
        self.rng = random.Random(seed)
        self.seed = seed
        self.leader_election_bin = leader_election_bin
        # The run clock is the wall clock the copies stamp their lines with, so that their own stamps
        # and the harness's times compare; waits are measured on the monotonic clock.
        self.wall0 = time.time()
        self._lock = threading.Lock()
        self.events: list[Event] = []
        self.leading: dict[str, int | None] = {}  # copy -> term while it believes it leads
        self.frozen: set[str] = set()
        self.faults: list[FaultRecord] = []
        self.checks: dict = {}
        self._suspects: dict[str, float] = {}
        self.http_ports: dict[str, int] = {}

    def copy_command(self, copy, args=()):
        """The command line of `copy` (without its launcher)."""
        return run_command(self.leader_election_bin, copy.name, self.server, self.timings, "--log-format", "json",
                           "--write-mode", self.write_mode, "--allow-plain-http", *self.http_args(copy), *args,
                           url=f"http://{self.server.host}:{self.server.port}")

    def http_args(self, copy):
        """`--http` on loopback, a port of its own per copy (kept across its restarts): the handover fault
        calls it from the copy's own network namespace, so the route's loopback-only rule holds."""
        if copy.name not in self.http_ports:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                self.http_ports[copy.name] = sock.getsockname()[1]
        return ["--http", f"127.0.0.1:{self.http_ports[copy.name]}"]

    def handover(self, name, target=""):
        """`leader-election handover` against copy `name`'s endpoint, run where the copy runs (inside its
        network namespace); `target` empty: without --to. The finished process."""
        copy = self.by_name[name]
        self.http_args(copy)
        command = [*self.network.prefix(copy.index), self.leader_election_bin, "handover",
                   "--endpoint", f"http://127.0.0.1:{self.http_ports[name]}", *(["--to", target] if target else [])]
        try:
            return subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
        except subprocess.TimeoutExpired as error:
            return subprocess.CompletedProcess(command, -1, "", f"no answer within {error.timeout:g}s")

    def copy_env(self, copy):
        """What `copy` finds in its environment beside the harness's own."""
        return {"LEADER_ELECTION_GITHUB_API_TOKEN": copy.token}

    def holder(self):
        """The holder the lock names now; None when it cannot be read."""
        try:
            return holder_of((self.server.files() or {}).get(LOCK_FILE))
        except OSError:
            return None

    def lock_mark(self):
        """Where the lock's history stands now: the gist's newest version."""
        return self.server.gist()["history"][0]["version"]

    def holders_since(self, mark):
        """The holder each version of the lock names, oldest first, from the one current at `mark` (from
        the server's state file); None for a version that is not a record."""
        revisions = stored_revisions(self.server.state, self.server.gist_id)
        versions = [r["version"] for r in revisions]
        start = versions.index(mark) if mark in versions else len(revisions)
        return [holder_of(revision["files"].get(LOCK_FILE)) for revision in revisions[start:]]

    def heal_all(self):
        """Takes back every fault on the store and the network."""
        self.server.clear_faults()
        if self.network.mode == "netns":
            for copy in self.copies:
                self.network.heal(copy.index)

    def now(self):
        return time.time() - self.wall0

    def write_fault(self, **fields):
        """A fault on the copies' writes: pushes to the gist's repository in git mode, PATCHes in REST mode."""
        if self.write_mode == "git":
            fields.update(methods=["POST"], path=f"/{self.server.gist_id}.git/git-receive-pack")
        else:
            fields.update(methods=["PATCH"])
        self.server.fault(**fields)

    @property
    def write_name(self):
        return "push" if self.write_mode == "git" else "PATCH"

    def record(self, event: Event):
        with self._lock:
            self.events.append(event)
            if event.kind == "acquired":
                self.leading[event.copy] = event.term
            elif event.kind in (*ENDS, "exit"):
                self.leading.pop(event.copy, None)
            elif event.kind == "signal" and event.text == "SIGKILL":
                self.leading.pop(event.copy, None)

    def _blackhole(self, index, cut):
        if cut:
            self.server.fault(token=self.copies[index].label, blackhole="hold", latencyMs=60_000)
        else:
            self.server.clear_faults()

    # -- what the copies believe now

    def leaders(self):
        """Copies that believe they lead and can act (not paused)."""
        with self._lock:
            return [name for name in self.leading if name not in self.frozen]

    def leader(self):
        current = self.leaders()
        return current[0] if len(current) == 1 else None

    def term_of(self, name):
        with self._lock:
            return self.leading.get(name)

    def wait_leader(self, timeout, other_than=None, stable=0.0):
        """Waits until exactly one active copy leads (not `other_than`) for `stable` seconds; its name or None."""
        deadline = time.monotonic() + timeout
        looked = 0.0
        while time.monotonic() < deadline:
            if len(self.leaders()) > 1 and time.monotonic() - looked > 1.0:
                looked = time.monotonic()
                self.reap_hung()
            name = self.leader()
            if name and name != other_than:
                if stable <= 0:
                    return name
                held_until = time.monotonic() + stable
                while time.monotonic() < held_until and self.leader() == name:
                    time.sleep(0.05)
                if self.leader() == name:
                    return name
            time.sleep(0.05)
        return None

    def reap_hung(self):
        """A copy that still believes it leads while the lock has named another holder for longer than a
        lease plus its renew deadline has stopped working (it never stands down): its threads are
        saved with gdb where there is one, it is noted, killed and started again."""
        holder = self.holder()
        if holder is None:
            return
        now = self.now()
        for name in self.leaders():
            if name == holder:
                self._suspects.pop(name, None)
                continue
            since = self._suspects.setdefault(name, now)
            if now - since < self.timings.lease + self.timings.renew_deadline + 2:
                continue
            copy = self.by_name[name]
            dump = self.workdir / f"{name}-hung-{now:.0f}s.txt"
            if shutil.which("gdb"):
                with dump.open("w") as out:
                    subprocess.run(["gdb", "-p", str(copy.process.pid), "-batch", "-ex", "thread apply all bt 16"],
                                   stdout=out, stderr=subprocess.STDOUT, timeout=120, check=False)
            self.record(Event(now, name, "hung", text=f"still believes it leads; the lock names {holder or 'nobody'} "
                                                      f"since {now - since:.1f}s"))
            self.checks.setdefault("hung", []).append({"copy": name, "t": now, "holder": holder,
                                                       "threads": dump.name if dump.exists() else ""})
            self.log(f"{name} still believes it leads while the lock names {holder or 'nobody'}: killing it "
                     f"(threads saved to {dump.name})")
            self._suspects.pop(name, None)
            copy.stop(signal.SIGKILL)
            copy.start()

    def sleep(self, seconds):
        time.sleep(max(0.0, seconds))

    # -- faults and steady state

    def send(self, name, sig):
        copy = self.by_name[name]
        if sig == signal.SIGSTOP:
            with self._lock:
                self.frozen.add(name)
        copy.send(sig)
        if sig == signal.SIGCONT:
            with self._lock:
                self.frozen.discard(name)

    def steady(self):
        """Heals everything, starts any copy that is not running, and waits for a settled leader."""
        self.heal_all()
        for copy in self.copies:
            if copy.name in self.frozen:
                self.send(copy.name, signal.SIGCONT)
            if not copy.running or copy.env:
                copy.stop()
                copy.start()
        leader = self.wait_leader(self.timings.crash_bound * 3 + 10, stable=self.timings.retry * 3)
        if leader is None:
            self.log("no leader after bringing every copy back; going on")
        # Followers need one look at the fresh record before the next fault.
        self.sleep(self.timings.poll)
        return leader

    def begin(self, kind, rep, **fields):
        record = FaultRecord(kind=kind, rep=rep, start=self.now(), **fields)
        self.faults.append(record)
        return record

    def finish(self, record: FaultRecord, wait=True, other_than=None):
        """Marks the heal, waits for a leader (at most three times the bound plus slack), ends the window."""
        if not record.heal:
            record.heal = self.now()
        if wait:
            timeout = max(record.bound, self.timings.crash_bound) * 3 + 10
            record.recovered = self.wait_leader(timeout, other_than=other_than, stable=self.timings.retry * 2) is not None
            if not record.recovered:
                record.notes.append(f"no leader within {timeout:.0f}s of the heal")
        record.end = self.now()
        return record

    def start_all(self):
        for copy in self.copies:
            copy.start()

    def stop_all(self, sig=signal.SIGTERM):
        threads = [threading.Thread(target=copy.stop, args=(sig,)) for copy in self.copies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def wait_events(self, predicate, timeout):
        """Waits until an event matching `predicate` was recorded; returns it or None."""
        def find():
            with self._lock:
                return next((e for e in reversed(self.events) if predicate(e)), None)
        try:
            return wait_until(find, timeout, "a matching event")
        except TimeoutError:
            return None
