"""The table that sets every run against GitHub's limits and the 75% goals, with the Go original at
client-go's defaults beside them."""

from __future__ import annotations

from limits import LIMITS


def table(header: list[str], rows: list[list[str]]) -> str:
    """Left-aligned first column, right-aligned others, two spaces apart."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [cells[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:])]
        return "  ".join(padded).rstrip()

    return "\n".join([line(header), line(["-" * width for width in widths]), *map(line, rows)])


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.2f}".rstrip("0").rstrip(".")


def _cell(figure: dict) -> str:
    """`value (share of GitHub's limit)`, marked `!` beyond the 75% goal and `!!` beyond the limit."""
    if figure["value"] is None:
        return "-"
    mark = "!!" if figure["value"] > figure["github"] else ("!" if not figure["within_goal"] else "")
    return f"{_number(figure['value'])} ({figure['percent']:.0f}%){mark}"


def limits_table(modes: dict) -> str:
    """One column per write mode and configuration (app's defaults, chart's), one row per limit."""
    runs = [(f"{mode}, {config}", rate) for mode, figures in modes.items() for config, rate in figures["rate"].items()]
    go = runs[0][1]["go_client_go_defaults"]
    rows = []
    for limit in LIMITS:
        rows.append([limit.label, _number(limit.github), _number(limit.goal),
                     *(_cell(rate["github"][limit.key]) for _, rate in runs), _cell(go["limits"][limit.key])])
    notes = [f"  {name}: `{' '.join(['leader-election run', *rate['args']])}`"
             + f" measured over {rate['window_seconds']:.0f}s ({rate['samples']} samples of the server's counts)"
             for name, rate in runs]
    over = [f"ABOVE THE 75% GOAL: {name}: {figure['label']} {_number(figure['value'])}, goal {_number(figure['goal'])}"
            for name, rate in runs for figure in rate["github"].values()
            if figure["value"] is not None and not figure["within_goal"]]
    return "\n\n".join([
        "Three copies of one election against GitHub's limits for one user's token and one gist "
        "(the copies' tokens summed; 304 answers are free; `!` above the 75% goal, `!!` above the limit):",
        table(["limit", "GitHub", "75% goal", *(name for name, _ in runs), "Go at client-go's defaults (model)"], rows),
        "\n".join(["Runs:", *notes,
                   f"  Go: {go['timings']}; leader: get, get, PATCH, get every retry period; each follower one get "
                   "per attempt; no git, no conditional read"]),
        *over,
    ])
