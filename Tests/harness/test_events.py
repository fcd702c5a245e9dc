"""The log parser on lines of both of the app's formats, with the `event` key and without it."""

import json

import pytest

from harness import events

KLOG = 'I1121 08:54:13.874758       1 LeaderElector+Loops.swift:38] {message}{pairs}'


def klog(message, **pairs):
    return KLOG.format(message=message, pairs="".join(f' {k}="{v}"' for k, v in sorted(pairs.items())))


def json_line(message, **fields):
    return json.dumps({"ts": "2026-11-21T08:54:13.874Z", "level": "info", "caller": "LeaderElector.swift:38",
                       "msg": message, **fields})


@pytest.mark.parametrize("make", [klog, json_line])
@pytest.mark.parametrize("event", events.EVENTS)
def test_the_event_key_names_the_event_whatever_the_message(make, event):
    line = events.parse(make("some words that are no known message", event=event, identity="napoleon"))
    assert line.event == event
    assert line.metadata["identity"] == "napoleon"
    assert line.message == "some words that are no known message"


@pytest.mark.parametrize("make", [klog, json_line])
def test_the_event_key_wins_over_the_message(make):
    line = events.parse(make("successfully acquired lease g/multi.lock", event="renewed"))
    assert line.event == "renewed"


@pytest.mark.parametrize("make", [klog, json_line])
def test_term_and_leader_come_from_their_keys(make):
    acquired = events.parse(make("successfully acquired lease g/multi.lock", event="acquired", term="7"))
    assert (acquired.event, acquired.term) == ("acquired", 7)
    hailed = events.parse(make("All hail stalin", event="new_leader", leader="stalin"))
    assert (hailed.event, hailed.leader) == ("new_leader", "stalin")


def test_klog_reads_level_timestamp_and_quoted_values():
    line = events.parse(klog('lease is held by "x y"', event="acquiring", holder='a \\"quoted\\" name'))
    assert line.level == "info" and line.ts == "1121 08:54:13.874758"
    assert line.metadata["holder"] == 'a "quoted" name'
    assert line.message == 'lease is held by "x y"'
    warning = events.parse(klog("slow", event="renew_failed").replace("I1121", "W1121", 1))
    assert warning.level == "warning" and warning.event == "renew_failed"


def test_json_keeps_level_and_timestamp():
    line = events.parse(json_line("released lease g/multi.lock", event="released"))
    assert (line.level, line.ts, line.event) == ("info", "2026-11-21T08:54:13.874Z", "released")


@pytest.mark.parametrize("text", ["", "not a log line", "{not json", "[1, 2]", "Swift runtime failure: x"])
def test_other_lines_are_kept_as_text(text):
    line = events.parse(text)
    assert line.event is None and line.raw == text and line.message == ""


@pytest.mark.parametrize("make", [klog, json_line])
def test_a_line_without_the_key_that_is_no_event(make):
    assert events.parse(make("lease is held by stalin and has not yet expired", holder="stalin")).event is None


@pytest.mark.parametrize("make", [klog, json_line])
def test_a_lifecycle_message_without_the_key_is_no_event(make):
    """Only the key counts: the wording is for people and may change."""
    assert events.parse(make("started leading.", term="3")).event is None
