"""The benchmark's arithmetic against GitHub's limits, without running anything: what counts as a push
or a git read, the busiest window from samples, the chart's flags, and the Go model."""

from pathlib import Path

import limits
import sampling

REPO = Path(__file__).resolve().parents[2]


def test_stats_lines_count_as_github_counts_them():
    push = {"method": "POST", "route": "/{gist_id}.git/git-receive-pack", "status": 200, "count": 2}
    advertisement = {"method": "GET", "route": "/{gist_id}.git/info/refs", "status": 200, "count": 3}
    patch = {"method": "PATCH", "route": "/gists/{gist_id}", "status": 200, "count": 1}
    free = {"method": "GET", "route": "/gists/{gist_id}", "status": 304, "count": 5}
    read = {"method": "GET", "route": "/gists/{gist_id}", "status": 200, "count": 4}
    stats = {"entries": [{**line, "token": "token-1"} for line in (push, advertisement, patch, free, read)]
             + [{**read, "token": "token-9"}]}
    assert sampling.totals(stats, {"token-1"}) == {"counted": 5, "creating": 1, "pushes": 2, "git_reads": 3}


def samples(pushes: list[float]) -> list[tuple[float, dict]]:
    """A sample a second for 70 s, each counting the pushes before it."""
    return [(float(t), {"pushes": sum(p <= t for p in pushes)}) for t in range(0, 70)]


def test_the_busiest_minute_holds_five_pushes_when_four_intervals_span_under_a_minute():
    sampler = sampling.Sampler(server=None, tokens=set())
    sampler.samples = samples([0.5, 15.3, 30.1, 44.9, 59.7])
    assert sampler.busiest("pushes", 60) == 5
    assert sampler.busiest("pushes", 1) == 1


def test_the_busiest_minute_holds_four_pushes_at_16_second_intervals():
    sampler = sampling.Sampler(server=None, tokens=set())
    sampler.samples = samples([0.5, 16.5, 32.5, 48.5, 64.5])
    assert sampler.busiest("pushes", 60) == 4


def test_against_marks_figures_beyond_the_goal():
    rows = limits.against({"counted": 3000, "creating": 400, "pushes": 240, "git_reads": 0},
                          {"creating_per_minute": 7, "pushes_per_minute": 5, "git_reads_per_second": 1})
    assert rows["counted_per_hour"]["within_goal"] and rows["counted_per_hour"]["percent"] == 60
    assert not rows["creating_per_hour"]["within_goal"], "400 an hour is above 375"
    assert rows["pushes_per_minute_mean"]["value"] == 4 and rows["pushes_per_minute_mean"]["within_goal"]
    assert not rows["pushes_per_minute_peak"]["within_goal"], "5 in a minute is above 4.5"


def test_go_model_at_client_go_defaults():
    model = limits.go_model(limits.CLIENT_GO_DEFAULTS)
    # Leader: 4 requests every 2 s (1,800 renewals); each follower a read every 3.2 s on average.
    assert model["per_hour"]["creating"] == 1800
    assert model["per_hour"]["counted"] == 4 * 1800 + 2 * 1125


def test_the_chart_run_passes_every_timing_of_the_charts_values():
    args = limits.chart_args(REPO / "chart/values.yaml")
    flags = args[0::2]
    assert flags == ["--lease-duration", "--renew-deadline", "--retry-period", "--renew-interval",
                     "--request-timeout", "--takeover-settle"]
