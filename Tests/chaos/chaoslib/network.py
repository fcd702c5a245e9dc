"""Gives every copy its own address: one network namespace per copy, joined to a bridge by a veth pair,
so one copy can be cut off from the gist server while the others still reach it. Where namespaces
cannot be made (not root, no iproute2), copies share loopback and a cut is the gist server's per-client
blackhole fault instead."""

import os
import shutil
import subprocess


def _ip(*args, check=True):
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


class Network:
    def __init__(self, copies, log):
        self.log = log
        self.copies = copies
        tag = os.getpid() % 1000
        self.bridge = f"chx{tag}br"
        self.subnet = 200 + os.getpid() % 50
        self.mode = "loopback"
        self.reason = ""
        self.blackhole = None  # set by the run: callable(index, cut: bool) for loopback mode
        self._made = []
        if os.geteuid() != 0:
            self.reason = "not root: network namespaces need CAP_NET_ADMIN and CAP_SYS_ADMIN"
        elif shutil.which("ip") is None:
            self.reason = "iproute2's ip is missing (apt-get install iproute2)"
        else:
            try:
                self._setup(tag)
                self.mode = "netns"
            except subprocess.CalledProcessError as error:
                self.reason = f"ip netns failed: {error.stderr.strip() or error}"
                self.teardown()
        if self.mode == "loopback":
            log(f"network: loopback with the server's per-client blackhole ({self.reason})")
        else:
            log(f"network: one namespace per copy on bridge {self.bridge} (10.{self.subnet}.0.0/24)")

    @property
    def server_host(self):
        return f"10.{self.subnet}.0.1" if self.mode == "netns" else "127.0.0.1"

    def namespace(self, index):
        return f"chx{os.getpid() % 1000}n{index}"

    def host_veth(self, index):
        return f"chx{os.getpid() % 1000}h{index}"

    def address(self, index):
        return f"10.{self.subnet}.0.{10 + index}" if self.mode == "netns" else "127.0.0.1"

    def _setup(self, tag):
        _ip("link", "add", self.bridge, "type", "bridge")
        self._made.append(("link", self.bridge))
        _ip("addr", "add", f"10.{self.subnet}.0.1/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")
        for index in range(self.copies):
            ns, host, inner = self.namespace(index), self.host_veth(index), f"chx{tag}c{index}"
            _ip("netns", "add", ns)
            self._made.append(("netns", ns))
            _ip("link", "add", host, "type", "veth", "peer", "name", inner)
            self._made.append(("link", host))
            _ip("link", "set", inner, "netns", ns)
            _ip("link", "set", host, "master", self.bridge)
            _ip("link", "set", host, "up")
            _ip("-n", ns, "addr", "add", f"10.{self.subnet}.0.{10 + index}/24", "dev", inner)
            _ip("-n", ns, "link", "set", inner, "up")
            _ip("-n", ns, "link", "set", "lo", "up")

    def prefix(self, index):
        """The command prefix that runs a program as copy `index`."""
        return ["ip", "netns", "exec", self.namespace(index)] if self.mode == "netns" else []

    def cut(self, index):
        """Copy `index` no longer reaches the server: its packets are dropped, its requests time out."""
        if self.mode == "netns":
            _ip("link", "set", self.host_veth(index), "down")
        else:
            self.blackhole(index, True)

    def heal(self, index):
        if self.mode == "netns":
            _ip("link", "set", self.host_veth(index), "up")
        else:
            self.blackhole(index, False)

    def teardown(self):
        for kind, name in reversed(self._made):
            if kind == "link":
                _ip("link", "del", name, check=False)
            else:
                _ip("netns", "del", name, check=False)
        self._made = []
