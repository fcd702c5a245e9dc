"""The timeline picture: one lane per copy with its leadership as bars (colour = term, hatched = paused),
a lane for "two leaders" and one for "no leader", and every fault as a shaded, labelled band."""

import math

from .analysis import active_parts


def draw(path, names, intervals, faults, double, gaps, run_end, panel_seconds):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    panels = max(1, math.ceil(run_end / panel_seconds))
    lanes = list(names) + ["2+ leaders", "no leader"]
    height = 0.32 * len(lanes) + 1.3
    fig, axes = plt.subplots(panels, 1, figsize=(16, height * panels), squeeze=False)
    palette = plt.get_cmap("tab20").colors
    fault_colours = {}
    for row in range(panels):
        ax = axes[row][0]
        lo, hi = row * panel_seconds, min((row + 1) * panel_seconds, run_end)
        for fault in faults:
            if fault.end < lo or fault.start > hi:
                continue
            colour = fault_colours.setdefault(fault.kind, palette[(len(fault_colours) * 2 + 1) % len(palette)])
            ax.axvspan(max(fault.start, lo), min(fault.end, hi), color=colour, alpha=0.3, lw=0)
            if fault.heal and fault.start < fault.heal < fault.end:
                ax.axvline(fault.heal, color="0.35", lw=0.8, ls=":")
            if lo <= fault.start <= hi:
                # Two label heights, so that the names of short neighbouring faults do not overlap.
                height = -1.45 if faults.index(fault) % 2 else -0.85
                ax.text(fault.start + 0.2, height, fault.kind, fontsize=7, va="center", ha="left", clip_on=True)
        for interval in intervals:
            y = names.index(interval.copy)
            for start, end in active_parts(interval):
                if end < lo or start > hi:
                    continue
                colour = palette[(interval.term * 2) % len(palette)]
                ax.broken_barh([(start, end - start)], (y - 0.35, 0.7), facecolors=colour, edgecolors="0.2", lw=0.4)
                mid = (max(start, lo) + min(end, hi)) / 2
                if min(end, hi) - max(start, lo) > panel_seconds / 40:
                    ax.text(mid, y, f"t{interval.term}", fontsize=6.5, ha="center", va="center")
            for start, end in interval.frozen:
                ax.broken_barh([(start, end - start)], (y - 0.35, 0.7), facecolors="white", edgecolors="0.3",
                               hatch="///", lw=0.4)
        y_double, y_none = len(names), len(names) + 1
        # Drawn at least 0.4% of a row wide, so that a stretch of milliseconds still shows.
        least = panel_seconds * 0.004
        ax.broken_barh([(s, max(e - s, least)) for s, e, _ in double], (y_double - 0.3, 0.6), facecolors="red")
        ax.broken_barh([(s, e - s) for s, e in gaps], (y_none - 0.3, 0.6), facecolors="0.45")
        ax.set_xlim(lo, lo + panel_seconds)
        ax.set_ylim(len(lanes) - 0.4, -1.9)
        ax.set_yticks(range(len(lanes)))
        ax.set_yticklabels(lanes, fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
        ax.grid(axis="x", color="0.85", lw=0.5)
        ax.set_axisbelow(True)
        if row == panels - 1:
            ax.set_xlabel("seconds since the run began", fontsize=8)
    legend = [Patch(facecolor=palette[0], edgecolor="0.2", label="leads (colour and label: term)"),
              Patch(facecolor="white", edgecolor="0.3", hatch="///", label="believes it leads but is paused (SIGSTOP)"),
              Patch(facecolor="red", label="two copies believe they lead"),
              Patch(facecolor="0.45", label="no copy leads"),
              Patch(facecolor="0.8", alpha=0.5, label="fault window (dotted line: healed)")]
    axes[0][0].legend(handles=legend, loc="lower left", bbox_to_anchor=(0, 1.12), ncol=5, fontsize=7, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
