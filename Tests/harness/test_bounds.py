"""The failover bounds and the waiting helper every suite uses."""

import itertools

import pytest

from harness.bounds import Timings, go_duration, parse_duration
from harness.waiting import wait_until


# Worked out by hand from the bounds in docs/design.md (client-go's jitter 1.2: a follower polls within 2.2 retry
# periods): poll = 2.2 r; graceful = poll + settle; crash = poll + lease + poll + settle;
# crash lower bound = lease - renew interval (or - retry when the interval is unknown).
@pytest.mark.parametrize("timings, poll, graceful, crash, crash_lower", [
    # the chaos run's and the system tests' timings: 1.1 = 2.2 x 0.5; 6.7 = 1.1 + 4 + 1.1 + 0.5
    (Timings(lease=4.0, renew_deadline=2.5, retry=0.5, settle=0.5, renew_interval=0.75), 1.1, 1.6, 6.7, 3.25),
    (Timings(lease=4.0, renew_deadline=2.5, retry=0.5, settle=0.5, renew_interval=4 / 3), 1.1, 1.6, 6.7, 2.6667),
    (Timings(lease=4.0, renew_deadline=2.5, retry=0.5, settle=0.5), 1.1, 1.6, 6.7, 3.5),
    # client-go's defaults with no settle: 4.4 = 2.2 x 2; 23.8 = 4.4 + 15 + 4.4
    (Timings(lease=15.0, renew_deadline=10.0, retry=2.0, settle=0.0), 4.4, 4.4, 23.8, 13.0),
    # the demo's: 2.2 = 2.2 x 1; 10.4 = 2.2 + 5 + 2.2 + 1
    (Timings(lease=5.0, renew_deadline=3.0, retry=1.0, settle=1.0, renew_interval=0.5), 2.2, 3.2, 10.4, 4.5),
])
def test_bounds_match_values_worked_out_by_hand(timings, poll, graceful, crash, crash_lower):
    assert timings.poll == pytest.approx(poll)
    assert timings.graceful_bound == pytest.approx(graceful)
    assert timings.crash_bound == pytest.approx(crash)
    assert timings.crash_lower_bound == pytest.approx(crash_lower, abs=1e-4)


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


def test_go_durations_read_as_seconds_and_anything_else_is_refused():
    assert parse_duration("1m30s") == 90 and parse_duration("500ms") == 0.5 and parse_duration("2.5s") == 2.5
    assert all(parse_duration(go_duration(seconds)) == seconds for seconds in (0.25, 1, 2.5, 35))
    for text in ("", "30", "5 s", "1d", "s", "30s "):
        with pytest.raises(ValueError, match="not a Go duration"):
            parse_duration(text)
