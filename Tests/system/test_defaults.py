"""One source of defaults: the app's `defaults` command (from ElectionDefaults) against its own --help,
the chart's values and schema, and the flag tables in docs/configuration.md (rendered from --help by
`make docs`; Tests/system/test_docs.py checks they are what the binary prints). Any of them drifting
fails here."""

import json
import os
import re
import subprocess
from pathlib import Path

import yaml

from conftest import LEADER_ELECTION_BIN
from harness.bounds import parse_duration as seconds

REPO = Path(__file__).resolve().parents[2]
# The app's flags for each timing, and the chart's key for it under `election`.
TIMINGS = {"leaseDuration": "--lease-duration", "renewDeadline": "--renew-deadline", "retryPeriod": "--retry-period",
           "renewInterval": "--renew-interval", "requestTimeout": "--request-timeout",
           "takeoverSettle": "--takeover-settle"}


def app(*args) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADER_ELECTION_")}
    result = subprocess.run([LEADER_ELECTION_BIN, *args], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


def defaults() -> dict:
    return json.loads(app("defaults", "--output", "json"))


def documented_run_flags() -> dict[str, tuple[str, str]]:
    """The rows of `leader-election run`'s tables in docs/configuration.md (every option group's):
    flag -> (environment variable, default)."""
    text = (REPO / "docs/configuration.md").read_text()
    section = text[text.index("### `leader-election run`"):]
    section = section[:section.index("\n### ", 1)] if "\n### " in section[1:] else section
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.split(" | ")]
        if len(cells) >= 4 and cells[0].startswith("| `--"):
            flag = re.match(r"\| `(--[a-z0-9-]+)", cells[0]).group(1)
            rows[flag] = (cells[1].strip("`"), cells[2].strip("`"))
    return rows


def test_the_defaults_leave_two_retries_and_fit_three_quarters_of_githubs_limits():
    d = defaults()
    assert d["renewalRetries"] >= 2
    r, big_r, t, dl = (seconds(d[k]) for k in ("retryPeriod", "renewInterval", "requestTimeout", "renewDeadline"))
    assert big_r + 2 * r + 2 * t < dl, "R + 2r + A < D with A = two requests of the whole timeout"
    for mode in ("git", "rest"):
        budget = d[f"budget.{mode}"]
        assert budget["fitsThreeQuarters"], budget
        assert budget["pushesPerMinute"] <= 4.5 and budget["writesPerHour"] <= 375
        assert budget["pushesInBusiestMinute"] <= 4.5
        assert budget["writesPerMinute"] <= 60 and budget["countedPerHour"] <= 3750


def test_help_states_the_defaults():
    d = defaults()
    text = " ".join(app("run", "--help").split())
    for key, flag in TIMINGS.items():
        assert re.search(re.escape(flag) + r" <[^>]+>.*?\(default: " + re.escape(d[key]), text), (flag, d[key])
    assert f"(default: {d['election']})" in text
    assert f"(default: {d['candidates']})" in text


def test_the_chart_uses_the_apps_defaults():
    d = defaults()
    values = yaml.safe_load((REPO / "chart/values.yaml").read_text())
    election = values["election"]
    assert election["name"] == d["election"]
    for key in TIMINGS:
        assert seconds(election[key]) == seconds(d[key]), (key, election[key], d[key])
    assert election["candidates"] == d["candidates"] and election["elections"] == d["elections"]
    assert values["gist"]["writeMode"] == d["writeMode"]
    assert values["logFormat"] == d["logFormat"] and values["logLevel"] == d["logLevel"]
    assert values["lock"]["backend"] == d["lock"]
    assert values["etcd"]["prefix"] == d["etcdPrefix"]
    schema = json.loads((REPO / "chart/values.schema.json").read_text())["properties"]["election"]
    assert set(schema["required"]) == set(election), "every election value is in the schema, and required"
    for key in TIMINGS:
        assert re.fullmatch(schema["properties"][key]["pattern"], election[key])


def test_the_documented_tables_state_the_defaults_and_every_flag_has_its_variable():
    d = defaults()
    rows = documented_run_flags()
    for key, flag in TIMINGS.items():
        stated = rows[flag][1].split()[0]
        assert seconds(stated) == seconds(d[key]), (flag, rows[flag], d[key])
    assert rows["--election"][1] == d["election"]
    assert rows["--candidates"][1] == str(d["candidates"])
    assert rows["--elections"][1] == str(d["elections"])
    assert rows["--log-format"][1] == d["logFormat"] and rows["--log-level"][1] == d["logLevel"]
    assert rows["--write-mode"][1] == d["writeMode"]
    help_text = app("run", "--help")
    # An option's own line is indented by two; a wrapped description line that starts with a flag is not.
    flags = set(re.findall(r"^  (?:-\w, )?(--[a-z0-9-]+)", help_text, re.M)) - {"--help", "--version"}
    assert flags == set(rows), f"docs/configuration.md's run tables and --help differ: run `make docs` ({flags ^ set(rows)})"
    for flag in flags:
        assert rows[flag][0].startswith("LEADER_ELECTION_"), f"{flag} has no environment variable"


def test_the_written_tables_state_the_defaults():
    """The tables written by hand: docs/configuration.md's "The defaults", the chart README's values
    and docs/design.md's row of defaults."""
    d = defaults()
    config = (REPO / "docs/configuration.md").read_text()
    section = config[config.index("## The defaults"):]
    section = section[:section.index("\n## ")]
    stated = {m.group(1): m.group(2) for m in re.finditer(r"^\| [a-z ]+ \| `(--[a-z-]+)` \| `([^`]+)` \|", section, re.M)}
    readme = (REPO / "chart/README.md").read_text()
    chart = {m.group(1): m.group(2) for m in re.finditer(r"^\| `election\.(\w+)` \|.*\| `\"?([^`\"]*)\"?` \|$", readme, re.M)}
    for key, flag in TIMINGS.items():
        assert seconds(stated[flag]) == seconds(d[key]), ("docs/configuration.md", flag, stated[flag], d[key])
        assert seconds(chart[key]) == seconds(d[key]), ("chart/README.md", key, chart[key], d[key])
    design = (REPO / "docs/design.md").read_text()
    header = next(line for line in design.splitlines() if line.startswith("| lease `L` | renew deadline `D` |"))
    row = design.splitlines()[design.splitlines().index(header) + 2]
    cells = [c.strip() for c in row.strip("|").split("|")][:5]
    expected = [d[k] for k in ("leaseDuration", "renewDeadline", "retryPeriod", "renewInterval", "requestTimeout")]
    assert [seconds(c) for c in cells] == [seconds(e) for e in expected], ("docs/design.md", cells, expected)
