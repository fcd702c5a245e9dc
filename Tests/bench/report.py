"""The benchmark's figures as plain-text tables for stdout (the JSON file holds the same and more).
`table` lays them out (it lives in limits_report, which this module imports)."""

from __future__ import annotations

import huge_answers
from limits_report import limits_table, table
from rate import CONFIGS, KINDS
from timings import Timings

LIMIT_NAMES = {"requests_per_hour": "counted requests / h", "creation_per_hour": "writes (content creation) / h",
               "creation_per_minute": "writes (content creation) / min"}


def describe(timings: dict) -> str:
    return Timings(**timings).describe()


def rate_rows(section: dict) -> list[list[str]]:
    rows = [[f"{row['identity']} ({row['role']})", *(f"{row[kind]:.0f}" for kind in KINDS)]
            for row in section["copies"]]
    return rows + [["total", *(f"{section['total'][kind]:.0f}" for kind in KINDS)]]


def limit_rows(rate: dict) -> list[list[str]]:
    rows = []
    for name, ours in rate["limits"].items():
        go = rate["go_model"]["limits"][name]
        rows.append([LIMIT_NAMES[name], f"{ours['limit']:g}", f"{ours['value']:.0f}", f"{ours['percent']:.0f}%",
                     f"{go['value']:.0f}", f"{go['percent']:.0f}%"])
    return rows


def rate_tables(rate: dict) -> str:
    header = ["copy", "counted reads (GET 200)", "304 reads", "writes (PATCH)", "other answers", "git requests"]
    changed = "" if rate["leader_at_end"] == rate["leader"] else f" (leader changed to {rate['leader_at_end']!r}!)"
    over = [f"OVER A LIMIT: {LIMIT_NAMES[name]} at {figure['percent']:.0f}% of GitHub's {figure['limit']:g}"
            for name, figure in rate["limits"].items() if figure["percent"] > 100]
    return "\n\n".join([
        f"Request rate, 3 copies at {CONFIGS[rate.get('config', 'app')]} ({describe(rate['timings'])}), "
        f"measured over {rate['window_seconds']:.0f}s after {rate['warm_up_seconds']}s, per hour{changed}",
        table(header, rate_rows(rate)),
        "The Go original at the same timings (model, docs/benchmark.md; the table below also gives it at client-go's defaults):",
        table(header, rate_rows(rate["go_model"])),
        "Against GitHub's limits for one token shared by the 3 copies (304 answers are free):",
        table(["limit", "GitHub", "this app", "share", "Go model", "share"], limit_rows(rate)),
        f"Elections of 3 copies that fit on one token: {rate['elections_per_token']:.1f} "
        "(the first GitHub limit reached decides; git requests do not count against the REST limits)",
        *over,
    ])


def failover_row(label: str, figures: dict) -> list[str]:
    ended = f"{figures['trials'] - figures['timed_out']}/{figures['trials']}"
    if "median" not in figures:
        return [label, ended, *["-"] * 6]
    seconds = [f"{figures[key]:.2f}s" for key in ("min", "median", "max")]
    return [label, ended, *seconds, f"{figures['bound']:.1f}s",
            f"{figures['median_to_bound']:.2f}", f"{figures['max_to_bound']:.2f}"]


def failover_table(failover: dict) -> str:
    crash, graceful = failover["crash"], failover["graceful"]
    notes = []
    if crash["below_lower_bound"]:
        notes.append(f"{crash['below_lower_bound']} crash failover(s) faster than the lower bound "
                     f"{crash['lower_bound']:.1f}s: a lease ended early")
    if graceful["unclean_exits"]:
        notes.append(f"{graceful['unclean_exits']} SIGTERM'd leader(s) did not exit with status 0")
    handover = failover.get("handover")
    if handover and handover["unclean_exits"]:
        notes.append(f"{handover['unclean_exits']} handover(s) stopped the work but could not write the record")
    return "\n\n".join([
        f"Failover at the demo timings ({describe(failover['timings'])}), from the signal (for a handover: the "
        f"request) to the new leader's \"successfully acquired lease\"",
        table(["event", "ended", "min", "median", "max", "bound", "median/bound", "max/bound"],
              [failover_row("crash (SIGKILL)", crash), failover_row("graceful (SIGTERM)", graceful),
               *([failover_row("handover (POST /handover)", handover)] if handover else [])]),
        f"terms started: {failover['terms_started']}; renewals retried: {failover['renewals_retried']} "
        f"(started_leading and renew_failed events in the copies' debug logs over the trials)",
        *notes,
    ])


def resources_table(rate: dict) -> str:
    rows = [[f"{name} ({r['identity']})", f"{r['rss_kib'] / 1024:.1f} MiB", f"{r['peak_rss_kib'] / 1024:.1f} MiB",
             f"{r['cpu_seconds']:.2f}s", f"{r['cpu_percent']:.2f}%"] for name, r in rate["resources"].items()]
    return "\n\n".join([
        f"Memory and CPU over the rate window ({rate['window_seconds']:.0f}s)",
        table(["copy", "VmRSS", "VmHWM", "CPU time", "CPU (% of one core)"], rows),
    ])


GOALS = [
    ("graceful failover, median, demo timings", "≤ 1.1 s", lambda m: m["failover"]["graceful"].get("median"), "{:.2f} s"),
    ("crash failover, median, demo timings", "≤ 5.5 s", lambda m: m["failover"]["crash"].get("median"), "{:.2f} s"),
    ("REST counted requests, 3 copies, app's defaults", "≤ 800/h",
     lambda m: m["rate"]["app"]["limits"]["requests_per_hour"]["value"], "{:.0f}/h"),
    ("REST content-creating writes, 3 copies", "about 0", lambda m: m["rate"]["app"]["total"]["writes"], "{:.0f}/h"),
    ("git requests, 3 copies", "-", lambda m: m["rate"]["app"]["total"]["git"], "{:.0f}/h"),
    ("elections per token", "-", lambda m: m["rate"]["app"]["elections_per_token"], "{:.1f}"),
]


def goals_table(modes: dict) -> str:
    rows = []
    for name, goal, figure, shape in GOALS:
        cells = []
        for mode in modes.values():
            value = figure(mode)
            cells.append("-" if value is None else shape.format(value))
        rows.append([name, goal, *cells])
    return "\n\n".join(["Goals, git writes beside REST writes:",
                         table(["figure", "goal", *(f"{mode} writes" for mode in modes)], rows)])


def render(results: dict) -> str:
    """Every table, with the run's context first."""
    machine = results["machine"]
    header = (f"leader-election benchmark, {results['date']}, binaries in {results['binaries']}\n"
              f"{machine['cpus']} CPUs, load average {machine['load_average_before'][0]:.1f} before and "
              f"{machine['load_average_after'][0]:.1f} after; run took {results['runtime_seconds']:.0f}s")
    parts = [header]
    for mode, figures in results["modes"].items():
        parts += [f"=== lock writes: {mode} ===", *(rate_tables(rate) for rate in figures["rate"].values()),
                  failover_table(figures["failover"]), resources_table(figures["rate"]["app"])]
    parts.append(limits_table(results["modes"]))
    parts.append(goals_table(results["modes"]))
    if "huge_answers" in results:
        parts += ["Huge answers: one copy against a server whose REST read, or git push's first answer, is huge; "
                  "peak resident memory over the copy's life (REST bound 10 MB, git 20 MB; the 1 KB row is the "
                  "same failing loop's baseline)",
                  table(huge_answers.HEADER, huge_answers.rows(results["huge_answers"]))]
    return "\n\n".join(parts) + "\n"
