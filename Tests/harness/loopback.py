"""A test HTTP server on loopback, serving from a thread of its own."""

from __future__ import annotations

import http.server
import threading


class LoopbackServer(http.server.ThreadingHTTPServer):
    """Serves `handler` on a free loopback port from the moment it is made, until `stop`."""

    daemon_threads = True

    def __init__(self, handler: type[http.server.BaseHTTPRequestHandler]):
        super().__init__(("127.0.0.1", 0), handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def stop(self):
        self.shutdown()
        self.server_close()
