"""A server whose answers are huge: the app refuses a REST answer past 10 MB and a git answer past
20 MB at the bound, with a line naming the bound, what answered and what to do. Its peak memory
against such answers is a measurement (`make bench`, Tests/bench/huge_answers.py): what libcurl still
reads until the cancel lands is dropped as it comes, but how much that is depends on the machine."""

import http.server
import json
import threading

import pytest

from conftest import wait_until
from test_bad_input import FAST, app  # noqa: F401  (the fixture)

GIST = "b0a4dedc1a55e5b1a5f0"
HUGE = 200 << 20
PIECE = b"x" * (64 << 10)


class HugeAnswers(http.server.ThreadingHTTPServer):
    """Answers with HUGE bytes of body, announced or chunked, as fast as the client takes them: every
    request, or with `git` every request but the REST read of the gist, which names a git_push_url on
    this server. `written` holds the body bytes written into each huge answer, as each ended."""

    daemon_threads = True

    def __init__(self, announce, git=False):
        self.announce, self.git = announce, git
        self.written = []
        super().__init__(("127.0.0.1", 0), HugeHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class HugeHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

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
        self.send_response(200)
        self.send_header("Content-Type", "application/x-git-receive-pack-advertisement" if self.server.git
                         else "application/json")
        if self.server.announce:
            self.send_header("Content-Length", str(HUGE))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        written = 0
        try:
            while written < HUGE:
                self.wfile.write(PIECE if self.server.announce else b"%x\r\n%s\r\n" % (len(PIECE), PIECE))
                written += len(PIECE)
            if not self.server.announce:
                self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client hung up, as it should
        self.server.written.append(written)
        self.close_connection = True

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "chunked"])
def test_a_huge_api_answer_is_refused_at_the_bound(tmp_path, app, announce):  # noqa: F811
    huge = HugeAnswers(announce)
    try:
        copy = app(huge.url, GIST, "some-token", args=[*FAST, "--request-timeout", "10s"])
        wait_until(lambda: "a gist answer may take" in copy.text() and len(huge.written) >= 2, 60,
                   what="a line naming the bound, and a retry")
        text = copy.text()
        assert copy.still_running(), text
        assert f"GET {huge.url}/gists/{GIST}" in text, text
        assert "over the 10 MB a gist answer may take" in text, text
        assert "check --github-api-url" in text, text
        assert "some-token" not in text
    finally:
        huge.shutdown()


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "chunked"])
def test_a_huge_git_answer_is_refused_at_the_bound(tmp_path, app, announce):  # noqa: F811
    huge = HugeAnswers(announce, git=True)
    try:
        copy = app(huge.url, GIST, "some-token", args=[*FAST, "--request-timeout", "10s", "--write-mode", "git"])
        copy.process.wait(timeout=60)
        text = copy.text()
        assert copy.process.returncode != 0, text
        assert f"GET {huge.url}/{GIST}.git/info/refs" in text, text
        assert "over the 20 MB a git answer to the lock may take" in text, text
        assert "check --github-api-url" in text, text
        assert "some-token" not in text
        assert len(huge.written) == 1, huge.written
    finally:
        huge.shutdown()
