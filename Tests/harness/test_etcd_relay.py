"""The per-copy relay to etcd members, on a plain TCP server standing in for a member: it relays and
counts v3 requests, drops every byte while cut (the connection stays open), and relays again after."""

import socket
import threading
from types import SimpleNamespace

import pytest

from harness.etcd_cluster import EtcdPath


@pytest.fixture
def member():
    """An echo server on loopback, standing in for a member's client port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def serve():
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=lambda c=conn: [c.sendall(d) for d in iter(lambda: c.recv(4096), b"")],
                             daemon=True).start()
    threading.Thread(target=serve, daemon=True).start()
    yield SimpleNamespace(name="m0", client_port=listener.getsockname()[1])
    listener.close()


def exchange(port, data, timeout=1.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(data)
        return conn.recv(4096)


def test_the_relay_carries_and_counts_requests_and_a_cut_drops_them(member):
    path = EtcdPath(SimpleNamespace(members=[member]))
    try:
        port = path.relays[0].port
        request = b"POST /v3/kv/range HTTP/1.1\r\n\r\n"
        assert exchange(port, request) == request
        assert path.requests == 1 and path.by_member["m0"].requests == 1
        path.cut()
        with pytest.raises(socket.timeout):
            exchange(port, request, timeout=0.5)
        assert path.requests == 1
        path.heal()
        assert exchange(port, request) == request
        assert path.reset_count() == 2 and path.requests == 0
    finally:
        path.close()
