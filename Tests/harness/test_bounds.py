"""The failover bounds and the waiting helper every suite uses."""

import itertools

import pytest

from harness.bounds import JITTER, Timings, go_duration
from harness.waiting import wait_until


def test_bounds_follow_the_algorithm():
    t = Timings(lease=4.0, renew_deadline=2.5, retry=0.5, settle=0.5, renew_interval=4 / 3)
    poll = 0.5 * (1 + JITTER)
    assert t.poll == pytest.approx(poll)
    assert t.graceful_bound == pytest.approx(poll + 0.5)
    assert t.crash_bound == pytest.approx(poll + 4.0 + poll + 0.5)
    assert t.crash_lower_bound == pytest.approx(4.0 - 4 / 3)
    assert Timings(renew_interval=None).crash_lower_bound == pytest.approx(4.0 - 0.5)


def test_args_are_go_durations_and_the_request_timeout_only_when_set():
    assert Timings(lease=5, renew_deadline=3, retry=0.25, settle=1).args() == [
        "--lease-duration", "5s", "--renew-deadline", "3s", "--retry-period", "250ms", "--takeover-settle", "1s"]
    assert Timings(request_timeout=1.0).args()[-2:] == ["--request-timeout", "1s"]
    assert go_duration(0.5) == "500ms" and go_duration(2.5) == "2.5s"


def test_wait_until_returns_the_first_truthy_value():
    counter = itertools.count()
    assert wait_until(lambda: next(counter) >= 3 and "done", 5, "the counter", interval=0) == "done"


def test_wait_until_names_what_it_waited_for():
    with pytest.raises(TimeoutError, match=r"timed out after 0s waiting for the moon"):
        wait_until(lambda: None, 0, "the moon", interval=0)
