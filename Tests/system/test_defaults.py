"""One source of defaults: the app's `defaults` command (from ElectionDefaults) against its own --help,
the chart's values and schema, and the README's flags table. Any of them drifting fails here."""

import json
import os
import re
import subprocess
from pathlib import Path

import yaml

from conftest import LEADER_ELECTION_BIN

REPO = Path(__file__).resolve().parents[2]
UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
# The app's flags for each timing, and the chart's key for it under `election`.
TIMINGS = {"leaseDuration": "--lease-duration", "renewDeadline": "--renew-deadline", "retryPeriod": "--retry-period",
           "renewInterval": "--renew-interval", "requestTimeout": "--request-timeout",
           "takeoverSettle": "--takeover-settle"}


def seconds(text: str) -> float:
    parts = re.findall(r"([0-9.]+)(ms|h|m|s)", text)
    assert parts and "".join(n + u for n, u in parts) == text, f"not a Go duration: {text!r}"
    return sum(float(n) * UNITS[u] for n, u in parts)


def app(*args) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADER_ELECTION_")}
    result = subprocess.run([LEADER_ELECTION_BIN, *args], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout


def defaults() -> dict:
    return json.loads(app("defaults", "--output", "json"))


def readme_defaults() -> dict[str, str]:
    rows = {}
    for line in (REPO / "README.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 4 and cells[1].startswith("`--"):
            rows[cells[1].strip("`")] = cells[3]
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


def test_the_readme_table_states_the_defaults_and_every_flag_has_its_variable():
    d = defaults()
    rows = readme_defaults()
    for key, flag in TIMINGS.items():
        stated = re.match(r"`([^`]+)`", rows[flag]).group(1)
        assert seconds(stated) == seconds(d[key]), (flag, rows[flag], d[key])
    assert rows["--election"] == f"`{d['election']}`"
    assert rows["--candidates"] == f"`{d['candidates']}`"
    assert rows["--elections"] == f"`{d['elections']}`"
    assert rows["--log-format"] == f"`{d['logFormat']}`" and rows["--log-level"] == f"`{d['logLevel']}`"
    help_text = app("run", "--help")
    flags = set(re.findall(r"^\s+(--[a-z-]+)", help_text, re.M)) - {"--help", "--version"}
    for flag in flags:
        assert flag in rows, f"{flag} is missing from the README's flags table"
    for line in (REPO / "README.md").read_text().splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) > 4 and cells[1].strip("`") in flags:
            assert cells[2].startswith("`LEADER_ELECTION_"), f"{cells[1]} has no environment variable"
