"""The etcd chaos run's verdict shown able to fail: an etcd key history with one violation each (read by
the run's own reader from etcd's revisions, here a stand-in with the same answers), and a copy that led
without quorum, must each fail the run; a clean history must fail nothing."""

import json

import pytest

from chaoslib import etcd, verdict
from test_analysis import TIMINGS, clean_events, fault


class Revisions:
    """Stands in for EtcdCluster.history: the key's versions as (mod revision, bytes)."""

    def __init__(self, records):
        self.versions = [(n + 2, json.dumps({"holderIdentity": holder, "leaderTransitions": term,
                                             "leaseDurationSeconds": 4}).encode())
                         for n, (holder, term) in enumerate(records)]

    def history(self, key):
        assert key == etcd.KEY
        return self.versions


def judge(records, checks=None):
    found = verdict.judge(clean_events(), 60.0, [fault()], TIMINGS, etcd.history_checks(Revisions(records)),
                          checks or {})
    return [key for key, _ in found.failing("etcd", every_goal=False)]


CLEAN = [("a", 1), ("a", 1), ("b", 2), ("b", 2), ("", 2), ("c", 3)]


def test_a_clean_history_fails_nothing():
    assert judge(CLEAN) == []


@pytest.mark.parametrize("records, goal", [
    ([("a", 1), ("b", 1)], "claims_raced"),
    ([("a", 5), ("a", 6), ("a", 5)], "terms_back"),
    ([("a", 1), ("b", 2), ("", 1)], "releases_overwrote"),
])
def test_an_unsafe_history_in_etcd_fails_the_run(records, goal):
    assert goal in judge(records)


def test_an_unreadable_last_version_fails():
    revisions = Revisions(CLEAN)
    revisions.versions.append((99, b"<html>"))
    found = verdict.judge(clean_events(), 60.0, [fault()], TIMINGS, etcd.history_checks(revisions), {})
    assert [key for key, _ in found.broken] == ["final_parses"]


def test_a_copy_that_led_without_quorum_fails_the_run():
    assert judge(CLEAN, {"led_without_quorum": ["etcd-quorum-lost#0: a led"]}) == ["led_without_quorum"]


def test_every_goal_of_git_writes_holds_for_etcd_writes():
    for key, _, modes in verdict.GOALS:
        if "git" in modes:
            assert "etcd" in modes, key
