"""A three-member etcd cluster on loopback as the suites run it: free ports, data directories under a
work directory, members that can be stopped, killed and started again on the same ports and data, the
Raft leader found from `etcdctl endpoint status`, and the lock key's history read back from etcd's own
revisions. Beside it, `EtcdPath` gives one copy of the app its own way to the members (a TCP relay per
member) that a test can cut, and counts the requests the copy makes."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import urllib.request
from collections.abc import Callable
from pathlib import Path

from .waiting import wait_until

ETCD_PACKAGES = "apt-get install -y etcd-server etcd-client"
DEFAULT_PREFIX = "/leader-election"


def require_etcd() -> None:
    """Stops with the way out when etcd or etcdctl is missing."""
    missing = [name for name in ("etcd", "etcdctl") if shutil.which(name) is None]
    if missing:
        raise RuntimeError(f"{' and '.join(missing)} not found: install them with `{ETCD_PACKAGES}`")


def run_args(timings) -> list[str]:
    """The timing flags of `leader-election run --lock etcd`: the gist's takeover settle is no option of
    the etcd lock (a transaction on the key's revision needs no read-back), so the timings should have
    `settle=0` for their bounds."""
    args = timings.args()
    at = args.index("--takeover-settle")
    return args[:at] + args[at + 2:]


def free_ports(count: int) -> list[int]:
    """Ports free on loopback now, all held open together so that they differ."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class Member:
    """One etcd member: its name, client and peer ports, data directory and process."""

    def __init__(self, name: str, client_port: int, peer_port: int, workdir: Path):
        self.name, self.client_port, self.peer_port = name, client_port, peer_port
        self.data_dir = workdir / f"{name}.etcd"
        self.log = workdir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    @property
    def client_url(self) -> str:
        return f"http://127.0.0.1:{self.client_port}"

    @property
    def peer_url(self) -> str:
        return f"http://127.0.0.1:{self.peer_port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


class EtcdCluster:
    """`size` etcd members on loopback (three by default). `spawn` starts a process (subprocess.Popen's
    signature), so a caller can track it. Use as a context manager, or call `stop()` at the end."""

    def __init__(self, workdir: Path, size: int = 3, *, spawn: Callable[..., subprocess.Popen] = subprocess.Popen,
                 token: str | None = None):
        require_etcd()
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        ports = free_ports(2 * size)
        self.members = [Member(f"m{i}", ports[2 * i], ports[2 * i + 1], workdir) for i in range(size)]
        self.by_name = {m.name: m for m in self.members}
        self.token = token or f"cluster-{os.getpid()}-{ports[0]}"
        self._spawn = spawn
        self._initial = ",".join(f"{m.name}={m.peer_url}" for m in self.members)

    # ---- the members' lives -----------------------------------------------------------------------

    def start(self) -> EtcdCluster:
        """Starts every member and waits until the cluster has a leader and answers on every member."""
        for member in self.members:
            self.start_member(member.name, wait=False)
        self.wait_healthy()
        return self

    def start_member(self, name: str, wait: bool = True) -> None:
        """Starts (or starts again, on the same ports and data) one member."""
        member = self.by_name[name]
        if member.running:
            return
        # Short heartbeats on loopback: the cluster notices a dead Raft leader in about a second.
        command = ["etcd", "--name", member.name, "--data-dir", str(member.data_dir),
                   "--listen-client-urls", member.client_url, "--advertise-client-urls", member.client_url,
                   "--listen-peer-urls", member.peer_url, "--initial-advertise-peer-urls", member.peer_url,
                   "--initial-cluster", self._initial, "--initial-cluster-token", self.token,
                   "--initial-cluster-state", "new", "--heartbeat-interval", "50", "--election-timeout", "500",
                   "--logger", "zap", "--log-outputs", "stderr"]
        with member.log.open("a") as err:
            member.process = self._spawn(command, stdout=subprocess.DEVNULL, stderr=err)
        if wait:
            wait_until(lambda: self._answers(member), 30, f"etcd member {name} to answer")

    def stop_member(self, name: str, sig: int = signal.SIGTERM) -> None:
        """Stops one member (SIGKILL: `kill -9`) and waits for its exit."""
        member = self.by_name[name]
        if member.process is None or member.process.poll() is not None:
            return
        member.process.send_signal(sig)
        try:
            member.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            member.process.kill()
            member.process.wait()

    def kill_member(self, name: str) -> None:
        self.stop_member(name, signal.SIGKILL)

    def restart_member(self, name: str) -> None:
        self.stop_member(name)
        self.start_member(name)

    def stop(self) -> None:
        """Stops every member (kill -9: nothing is kept past the test)."""
        for member in self.members:
            self.stop_member(member.name, signal.SIGKILL)

    def __enter__(self) -> EtcdCluster:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()

    # ---- asking the cluster ------------------------------------------------------------------------

    @property
    def endpoints(self) -> list[str]:
        return [m.client_url for m in self.members]

    def running_members(self) -> list[Member]:
        return [m for m in self.members if m.running]

    def etcdctl(self, *args: str, endpoints: list[str] | None = None, timeout: float = 10,
                check: bool = True) -> subprocess.CompletedProcess:
        """etcdctl (API v3) against `endpoints` (every running member by default)."""
        urls = endpoints or [m.client_url for m in self.running_members()] or self.endpoints
        env = dict(os.environ, ETCDCTL_API="3")
        return subprocess.run(["etcdctl", "--endpoints", ",".join(urls), "--command-timeout", f"{timeout:g}s",
                               "--dial-timeout", "2s", *args], capture_output=True, text=True, env=env,
                              timeout=timeout + 5, check=check)

    def _answers(self, member: Member) -> bool:
        if not member.running:
            raise RuntimeError(f"etcd member {member.name} exited with {member.process.returncode}: "
                               f"{member.log.read_text()[-2000:]}")
        result = self.etcdctl("endpoint", "health", endpoints=[member.client_url], timeout=2, check=False)
        return result.returncode == 0

    def status(self) -> list[dict]:
        """`etcdctl endpoint status -w json` of every running member that answers."""
        result = self.etcdctl("endpoint", "status", "-w", "json", timeout=2, check=False)
        try:
            return json.loads(result.stdout or "[]")
        except ValueError:
            return []

    def leader(self) -> str | None:
        """The name of the member that is the Raft leader now; None while there is none (no quorum)."""
        for entry in self.status():
            if entry["Status"].get("leader") == entry["Status"]["header"]["member_id"]:
                return next((m.name for m in self.members if m.client_url == entry["Endpoint"]), None)
        return None

    def has_quorum(self) -> bool:
        """A write through the running members is committed (a linearizable read needs quorum too)."""
        result = self.etcdctl("get", "--consistency", "l", "/health-probe", timeout=2, check=False)
        return result.returncode == 0

    def wait_healthy(self, timeout: float = 30) -> str:
        """Waits until every running member answers and one of them is the Raft leader; its name."""
        for member in self.running_members():
            wait_until(lambda m=member: self._answers(m), timeout, f"etcd member {member.name} to answer")
        return wait_until(lambda: self.has_quorum() and self.leader(), timeout, "an etcd Raft leader")

    # ---- the lock key, read through etcd's JSON gateway (one request per revision, no process) ------

    def _range(self, key: str, revision: int = 0) -> dict | None:
        """The key-value of `key` at `revision` (0: now) from the first running member that answers."""
        body = {"key": base64.b64encode(key.encode()).decode()}
        if revision:
            body["revision"] = str(revision)
        last_error: Exception | None = None
        for member in self.running_members() or self.members:
            request = urllib.request.Request(member.client_url + "/v3/kv/range", data=json.dumps(body).encode(),
                                             headers={"Content-Type": "application/json"}, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    kvs = json.loads(response.read()).get("kvs") or []
                    return kvs[0] if kvs else None
            except (OSError, ValueError) as error:
                last_error = error
        raise RuntimeError(f"no etcd member answered a read of {key}: {last_error}")

    def get(self, key: str) -> bytes | None:
        """The value stored under `key`; None when it does not exist."""
        kv = self._range(key)
        return None if kv is None else base64.b64decode(kv.get("value", ""))

    def record(self, key: str) -> dict | None:
        value = self.get(key)
        return None if value is None else json.loads(value)

    def holder(self, key: str) -> str:
        """The lock's holder; empty while the lock is free, absent, unreadable or etcd has no quorum."""
        try:
            record = self.record(key)
        except (ValueError, RuntimeError):
            return ""
        return record.get("holderIdentity", "") if isinstance(record, dict) else ""

    def history(self, key: str) -> list[tuple[int, bytes]]:
        """Every value `key` had since it was created, oldest first, as (mod revision, value), read from
        etcd's own revisions (these clusters never compact): from the current version back, each read at
        the revision before the one that wrote it. The app never deletes the key, so one creation holds
        its whole life."""
        versions = []
        kv = self._range(key)
        while kv is not None:
            mod, created = int(kv["mod_revision"]), int(kv["create_revision"])
            versions.append((mod, base64.b64decode(kv.get("value", ""))))
            if mod == created:
                break
            kv = self._range(key, mod - 1)
        return list(reversed(versions))


class _Relay:
    """One listening port that relays to one member. While cut, every byte is dropped both ways and the
    connections stay open (as packets lost on a cut link do): the copy's requests end by its own timeout.
    At the heal the connections of the cut are closed, as their streams lost bytes."""

    def __init__(self, path: EtcdPath, target_port: int):
        self.path, self.target_port = path, target_port
        self.requests = 0  # v3 requests relayed to this member
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.path.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._connect, args=(client,), daemon=True).start()

    def _connect(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=2)
            upstream.settimeout(None)
        except OSError:
            client.close()  # the member is down: refused, as a dead member's port refuses
            return
        self.path._track(client, upstream)
        threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
        self._pipe(upstream, client, False)

    def _pipe(self, source: socket.socket, sink: socket.socket, requests: bool) -> None:
        tail = b""
        try:
            while chunk := source.recv(65536):
                if self.path.cut_now:
                    continue
                if requests:
                    seen = tail + chunk
                    self.path._count(self, seen.count(b"POST /v3/"))
                    tail = seen[-8:]
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()


class EtcdPath:
    """One copy's own way to the cluster: a relay port per member, so `endpoints` lists every member
    through it, in the members' order. `cut()` drops everything this copy sends or is sent until
    `heal()`; `requests` counts the v3 API requests (POSTs) it relayed (each relay counts its own member's
too), `reset_count()` starts again."""

    def __init__(self, cluster: EtcdCluster):
        self.cut_now = False
        self.closed = False
        self.requests = 0
        self._lock = threading.Lock()
        self._connections: list[tuple[socket.socket, socket.socket]] = []
        self.relays = [_Relay(self, member.client_port) for member in cluster.members]
        self.by_member = {member.name: relay for member, relay in zip(cluster.members, self.relays)}

    @property
    def endpoints(self) -> list[str]:
        return [f"http://127.0.0.1:{relay.port}" for relay in self.relays]

    def _track(self, client: socket.socket, upstream: socket.socket) -> None:
        with self._lock:
            self._connections.append((client, upstream))

    def _count(self, relay: _Relay, n: int) -> None:
        if n:
            with self._lock:
                self.requests += n
                relay.requests += n

    def reset_count(self) -> int:
        with self._lock:
            counted, self.requests = self.requests, 0
        return counted

    def cut(self) -> None:
        self.cut_now = True

    def heal(self) -> None:
        """Ends a cut: its connections, which lost bytes, are closed; new ones relay again."""
        if self.cut_now:
            self._close_connections()

    def _close_connections(self) -> None:
        with self._lock:
            connections, self._connections = self._connections, []
            self.cut_now = False
        for pair in connections:
            for s in pair:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.closed = True
        for relay in self.relays:
            relay.close()
        self._close_connections()
