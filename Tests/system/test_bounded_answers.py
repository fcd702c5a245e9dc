"""A server whose answers are huge: the app refuses a REST answer past 10 MB and a git answer past
20 MB at the bound, with a line naming the bound, what answered and what to do. Its peak memory
against such answers is a measurement (`make bench`, Tests/bench/huge_answers.py): what libcurl still
reads until the cancel lands is dropped as it comes, but how much that is depends on the machine."""

import pytest

from conftest import wait_until
from harness.huge_answers import GIST, HugeAnswers
from test_bad_input import FAST, app  # noqa: F401  (the fixture)

HUGE = 200 << 20


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "chunked"])
def test_a_huge_api_answer_is_refused_at_the_bound(tmp_path, app, announce):  # noqa: F811
    huge = HugeAnswers(HUGE, announce)
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
        huge.stop()


@pytest.mark.parametrize("announce", [True, False], ids=["content-length", "chunked"])
def test_a_huge_git_answer_is_refused_at_the_bound(tmp_path, app, announce):  # noqa: F811
    huge = HugeAnswers(HUGE, announce, git=True)
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
        huge.stop()
