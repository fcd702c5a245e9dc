"""The chart's renew interval, candidate count and shutdown grace period, as the app reads them."""

from __future__ import annotations

from typing import Any

import helm_python as helm
import pytest
import yaml

from harness.bounds import parse_duration

from .conftest import CHART, NAMESPACE, RELEASE, ci_values, merged

CI = ci_values()
BASE = CI["existing-secret-values.yaml"]
DEFAULTS = yaml.safe_load((CHART / "values.yaml").read_text())


def env_of(render, extra: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return render(merged(BASE, extra)).env()


def test_renew_interval_keeps_to_githubs_guidance_by_default(render):
    # The chart talks to github.com: 16s is 3.75 pushes a minute and never 5 in any 60 s (6 recommended
    # per gist), 225 writes an hour.
    assert DEFAULTS["election"]["renewInterval"] == "16s"
    env = env_of(render, {})
    assert env["LEADER_ELECTION_RENEW_INTERVAL"]["value"] == "16s"
    assert env["LEADER_ELECTION_REQUEST_TIMEOUT"]["value"] == "2500ms"
    assert env["LEADER_ELECTION_TAKEOVER_SETTLE"]["value"] == "1s"
    assert env["LEADER_ELECTION_ELECTIONS"]["value"] == "1"


def test_an_empty_renew_interval_is_left_to_the_app(render):
    env = env_of(render, {"election": {"renewInterval": ""}})
    assert "LEADER_ELECTION_RENEW_INTERVAL" not in env, "an empty value must leave the app's default alone"


def test_renew_interval_reaches_the_app_when_set(render):
    rendered = render(CI["custom-timings-values.yaml"])
    env = rendered.env()
    assert env["LEADER_ELECTION_RENEW_INTERVAL"] == {"name": "LEADER_ELECTION_RENEW_INTERVAL", "value": "5s"}
    assert env["LEADER_ELECTION_CANDIDATES"]["value"] == "6"


@pytest.mark.parametrize(("lease", "renew", "retry", "interval"), [
    ("30s", "15s", "5s", "10s"),
    ("30s", "15s", "5s", "14s999ms"),
    ("2m", "1m1s", "50s", "1m"),
    ("1s", "700ms", "500ms", "1ms"),
])
def test_renew_intervals_shorter_than_the_deadline_render(render, lease, renew, retry, interval):
    env = env_of(render, {"election": {"leaseDuration": lease, "renewDeadline": renew, "retryPeriod": retry,
                                       "renewInterval": interval}})
    assert env["LEADER_ELECTION_RENEW_INTERVAL"]["value"] == interval


@pytest.mark.parametrize(("candidates", "text"), [(None, "3"), (1, "1"), (30, "30"), (1_000_000, "1000000")])
def test_candidates_reach_the_app_as_a_whole_number(render, candidates, text):
    extra = {} if candidates is None else {"election": {"candidates": candidates}}
    assert env_of(render, extra)["LEADER_ELECTION_CANDIDATES"]["value"] == text


BAD_VALUES = [
    pytest.param({"renewInterval": "35s"}, helm.HelmRenderError,
                 "election.renewInterval (35s) must be shorter than election.renewDeadline (35s)",
                 id="interval-equals-deadline"),
    pytest.param({"renewInterval": "1m"}, helm.HelmRenderError,
                 "election.renewInterval (1m) must be shorter than election.renewDeadline (35s)",
                 id="interval-above-deadline"),
    pytest.param({"renewDeadline": "20s", "renewInterval": "20s"}, helm.HelmRenderError,
                 "election.renewInterval (20s) must be shorter than election.renewDeadline (20s)",
                 id="interval-follows-the-deadline"),
    pytest.param({"renewInterval": "0s"}, helm.HelmRenderError,
                 "election.renewInterval (0s) must be greater than 0", id="zero-interval"),
    pytest.param({"renewInterval": "10 seconds"}, helm.HelmValuesError, "at '/election/renewInterval'",
                 id="interval-not-a-duration"),
    pytest.param({"renewInterval": 10}, helm.HelmValuesError,
                 "at '/election/renewInterval': got number, want string", id="interval-without-unit"),
    pytest.param({"candidates": 0}, helm.HelmValuesError, "minimum: got 0, want 1", id="no-candidates"),
    pytest.param({"candidates": "three"}, helm.HelmValuesError,
                 "at '/election/candidates': got string, want integer", id="candidates-not-a-number"),
]


@pytest.mark.parametrize(("election", "error", "message"), BAD_VALUES)
def test_bad_interval_or_candidates_fail_with_the_values_named(chart, election, error, message):
    with pytest.raises(error) as raised:
        chart.render(merged(BASE, {"election": election}), name=RELEASE, namespace=NAMESPACE)
    assert message in str(raised.value)


def chart_seconds(key: str) -> float:
    """A duration of the chart's election values, which Tests/system/test_defaults.py keeps equal to the app's."""
    return parse_duration(DEFAULTS["election"][key])


def test_grace_period_outlasts_the_apps_worst_case_shutdown(render):
    # On SIGTERM the app lets a lock call in flight finish, then releases: at worst four requests,
    # each up to the request timeout, plus the takeover settle.
    worst_case = 4 * chart_seconds("requestTimeout") + chart_seconds("takeoverSettle")
    assert worst_case == 11
    grace = DEFAULTS["terminationGracePeriodSeconds"]
    assert grace > worst_case + 10, f"terminationGracePeriodSeconds {grace} leaves no margin over {worst_case}s"
    assert render(BASE).pod_spec["terminationGracePeriodSeconds"] == grace
    assert render(merged(BASE, {"terminationGracePeriodSeconds": 90})).pod_spec[
        "terminationGracePeriodSeconds"] == 90
