"""An API that answers with a huge body: the app refuses it at the bound, with a clear line; its peak
memory is measured from /proc, since that is what the user would see."""

import http.server
import threading

import pytest

from conftest import wait_until
from test_bad_input import FAST, app  # noqa: F401  (the fixture)

HUGE = 200 << 20
PIECE = b"x" * (64 << 10)


class HugeAnswers(http.server.ThreadingHTTPServer):
    """Answers every GET with 200 and HUGE bytes of body, announced or chunked, as fast as the client
    takes them."""

    daemon_threads = True

    def __init__(self, announce):
        self.announce = announce
        self.requests = 0
        super().__init__(("127.0.0.1", 0), HugeHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class HugeHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.server.requests += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.server.announce:
            self.send_header("Content-Length", str(HUGE))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            for _ in range(HUGE // len(PIECE)):
                if self.server.announce:
                    self.wfile.write(PIECE)
                else:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(PIECE), PIECE))
            if not self.server.announce:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client hung up, as it should
        self.close_connection = True

    def log_message(self, *args):
        pass


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmHWM in /proc status")


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "chunked"])
def test_a_huge_api_answer_is_refused_at_the_bound_and_memory_stays_bounded(tmp_path, app, announce):  # noqa: F811
    huge = HugeAnswers(announce)
    try:
        copy = app(huge.url, "abc123", "some-token", args=[*FAST, "--request-timeout", "5s"])
        wait_until(lambda: "a gist answer may take" in copy.text() and huge.requests >= 2, 60,
                   what="a line naming the bound, and a retry")
        assert copy.still_running(), copy.text()
        assert "over the 10 MB a gist answer may take" in copy.text(), copy.text()
        assert "check --github-api-url" in copy.text(), copy.text()
        assert "some-token" not in copy.text()
    finally:
        huge.shutdown()


@pytest.mark.parametrize("announce", [
    True,
    pytest.param(False, marks=pytest.mark.xfail(
        reason="FoundationNetworking's libcurl reads on ahead of the delegate queue until the cancel lands: "
               "a fast chunked 200 MB answer peaks near 263 MB (a client with backpressure would bound it)",
        strict=False)),
], ids=["content-length", "chunked"])
def test_a_huge_api_answer_leaves_the_app_near_100_mb(tmp_path, app, announce):  # noqa: F811
    huge = HugeAnswers(announce)
    try:
        copy = app(huge.url, "abc123", "some-token", args=[*FAST, "--request-timeout", "5s"])
        wait_until(lambda: "a gist answer may take" in copy.text() and huge.requests >= 3, 60,
                   what="three refused answers")
        assert peak_rss_mb(copy.process.pid) < 150, f"peak RSS {peak_rss_mb(copy.process.pid)} MB"
    finally:
        huge.shutdown()
