"""A server on loopback whose answers are huge, for the bound on answers (Tests/system/test_bounded_answers.py)
and the memory it leaves (Tests/bench/huge_answers.py)."""

from __future__ import annotations

import http.server
import json
import threading

from .loopback import LoopbackServer

GIST = "b0a4dedc1a55e5b1a5f0"
PIECE = b"x" * (64 << 10)


class HugeAnswers(LoopbackServer):
    """Answers with `size` bytes of body, announced in Content-Length or chunked, as fast as the client
    takes them: every request, or with `git` every request but the REST read of the gist, which names a
    git_push_url on this server. `written` holds the body bytes written into each huge answer, as each
    ended (the client hung up, or took it whole)."""

    def __init__(self, size: int, announce: bool, git: bool = False):
        self.size, self.announce, self.git = size, announce, git
        self.written: list[int] = []
        self.lock = threading.Lock()
        super().__init__(_HugeHandler)


class _HugeHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HugeAnswers

    def do_GET(self):
        if self.server.git and self.path.startswith("/gists/"):
            body = json.dumps({"id": GIST, "files": {}, "history": [{"version": "0" * 40}],
                               "git_push_url": f"{self.server.url}/{GIST}.git"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.huge()

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.huge()

    def huge(self):
        size, announce = self.server.size, self.server.announce
        self.send_response(200)
        self.send_header("Content-Type", "application/x-git-receive-pack-advertisement" if self.server.git
                         else "application/json")
        self.send_header("Content-Length" if announce else "Transfer-Encoding", str(size) if announce else "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        sent = 0
        try:
            while sent < size:
                piece = PIECE[:size - sent]
                self.wfile.write(piece if announce else b"%x\r\n%s\r\n" % (len(piece), piece))
                sent += len(piece)
            if not announce:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client hung up
        with self.server.lock:
            self.server.written.append(sent)
        self.close_connection = True

    def log_message(self, *args):
        pass
