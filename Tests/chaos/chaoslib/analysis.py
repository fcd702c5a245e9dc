"""From the recorded events and the server's state file: who believed it led when, where two believed it
at once, where nobody led, whether terms were ever reused, and whether anything in the gist was lost."""

import json
import statistics
from dataclasses import dataclass, field

from harness.gist_server import stored_revisions

from .processes import LOCK_FILE


@dataclass
class Interval:
    copy: str
    start: float
    end: float
    term: int
    frozen: list = field(default_factory=list)  # (start, end) while the process was paused
    end_reason: str = ""


def leadership_intervals(events, run_end):
    """Every copy's leadership terms, from its "successfully acquired" line to its stand-down line, its
    SIGKILL or its exit; paused stretches (SIGSTOP..SIGCONT) are kept apart."""
    intervals, open_by_copy, paused_since = [], {}, {}
    for event in sorted(events, key=lambda e: e.t):
        current = open_by_copy.get(event.copy)
        if event.kind == "acquired":
            if current is None:
                open_by_copy[event.copy] = Interval(event.copy, event.t, run_end, event.term)
        elif event.kind == "signal" and event.text == "SIGSTOP":
            paused_since[event.copy] = event.t
        elif event.kind == "signal" and event.text == "SIGCONT":
            since = paused_since.pop(event.copy, None)
            if since is not None and current is not None:
                current.frozen.append((max(since, current.start), event.t))
        elif current is not None and (event.kind in ("lost", "exit") or
                                       (event.kind == "signal" and event.text == "SIGKILL")):
            current.end = event.t
            current.end_reason = event.text
            since = paused_since.pop(event.copy, None) if event.kind != "lost" else None
            if since is not None:
                current.frozen.append((max(since, current.start), event.t))
            intervals.append(current)
            del open_by_copy[event.copy]
    for current in open_by_copy.values():
        since = paused_since.get(current.copy)
        if since is not None:
            current.frozen.append((max(since, current.start), run_end))
        current.end_reason = "run ended"
        intervals.append(current)
    return sorted(intervals, key=lambda i: i.start)


def active_parts(interval):
    """The parts of a term in which the process could act (not paused)."""
    parts, cursor = [], interval.start
    for start, end in sorted(interval.frozen):
        if start > cursor:
            parts.append((cursor, start))
        cursor = max(cursor, end)
    if interval.end > cursor:
        parts.append((cursor, interval.end))
    return parts


def overlaps(intervals, active=True):
    """Stretches in which two or more copies believed they led: (start, end, copies)."""
    points = []
    for interval in intervals:
        for start, end in (active_parts(interval) if active else [(interval.start, interval.end)]):
            points.append((start, 1, interval.copy))
            points.append((end, -1, interval.copy))
    points.sort(key=lambda p: (p[0], p[1]))
    result, leading, since = [], [], None
    for t, step, copy in points:
        if step == 1:
            leading.append(copy)
            if len(leading) == 2:
                since = t
        else:
            if len(leading) == 2 and since is not None and t > since:
                result.append((since, t, sorted(set(leading))))
            leading.remove(copy)
    return result


def leaderless(intervals, start, end):
    """Stretches within [start, end] in which no copy that could act believed it led."""
    parts = sorted(p for i in intervals for p in active_parts(i))
    gaps, cursor = [], start
    for s, e in parts:
        if e <= cursor:
            continue
        if s > cursor:
            gaps.append((cursor, min(s, end)))
        cursor = max(cursor, e)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append((cursor, end))
    return [(s, e) for s, e in gaps if e > s]


def clip(spans, start, end):
    return [(max(s, start), min(e, end)) for s, e, *_ in spans if min(e, end) > max(s, start)]


def term_checks(intervals):
    """Terms from the copies' own lines: shared by two copies, or not increasing across a change of leader."""
    shared, decreasing, holders = [], [], {}
    for interval in intervals:
        holders.setdefault(interval.term, set()).add(interval.copy)
    for term, names in sorted(holders.items()):
        if len(names) > 1:
            shared.append((term, sorted(names)))
    previous = None
    for interval in intervals:
        if previous and interval.copy != previous.copy and interval.term <= previous.term:
            decreasing.append((interval.start, previous.copy, previous.term, interval.copy, interval.term))
        previous = interval
    return shared, decreasing


def history_checks(state_file, gist_id, original_files):
    """The lock's whole history from the server's state file: every record in order, terms that went
    down or were shared across holders, records that did not parse, and edits to other files."""
    revisions = stored_revisions(state_file, gist_id)
    records, invalid, touched, seen_original = [], 0, [], False
    for revision in revisions:
        files = revision["files"]
        # Checked from the first revision that holds the other files as the run began.
        seen_original = seen_original or all(files.get(n) == c for n, c in original_files.items())
        for name, content in original_files.items():
            if seen_original and files.get(name) != content:
                touched.append((revision["version"], name))
        raw = files.get(LOCK_FILE)
        if raw is None:
            continue
        try:
            record = json.loads(raw)
            records.append((revision["committedAt"], record["holderIdentity"], int(record["leaderTransitions"])))
        except (ValueError, KeyError, TypeError):
            invalid += 1
    # A claim that lost the race is overwritten by another holder's claim of the same term; a write that
    # lands late (from a deposed leader) puts back an older term.
    raced, back, by_term = [], [], {}
    last = None
    for when, holder, term in records:
        if not holder:
            continue
        by_term.setdefault(term, set()).add(holder)
        if last and holder != last[1]:
            if term == last[2]:
                raced.append((when, last[1], holder, term))
            elif term < last[2]:
                back.append((when, last[1], last[2], holder, term))
        last = (when, holder, term)
    shared = [(term, sorted(names)) for term, names in sorted(by_term.items()) if len(names) > 1]
    final = revisions[-1]["files"].get(LOCK_FILE)
    try:
        final_ok = final is not None and "holderIdentity" in json.loads(final)
    except ValueError:
        final_ok = False
    return {"revisions": len(revisions), "records": len(records), "invalid": invalid,
            "terms_back": back, "terms_written_by_several": shared, "claims_raced": raced, "other_files_touched": touched, "final_parses": final_ok,
            "final": final}


def summarize(faults, intervals, timings):
    """Per fault kind: safety and liveness figures over every repetition."""
    double = overlaps(intervals, active=True)
    double_paused = overlaps(intervals, active=False)
    kinds = {}
    for fault in faults:
        k = kinds.setdefault(fault.kind, {"reps": 0, "double": [], "double_paused": [], "leaderless": [],
                                          "over_bound": 0, "unrecovered": 0, "bound": fault.bound,
                                          "kept_expected": fault.expect_leader_kept, "lost_needlessly": 0})
        k["reps"] += 1
        spans = clip(double, fault.start, fault.end)
        k["double"].extend(e - s for s, e in spans)
        k["double_paused"].extend(e - s for s, e in clip(double_paused, fault.start, fault.end))
        gap = sum(e - s for s, e in leaderless(intervals, fault.start, fault.end))
        fault.leaderless = gap
        fault.double = sum(e - s for s, e in spans)
        k["leaderless"].append(gap)
        k["bound"] = max(k["bound"], fault.bound)
        if gap > fault.bound + timings.retry:
            k["over_bound"] += 1
        if fault.expect_leader_kept and gap > 0:
            k["lost_needlessly"] += 1
        if not fault.recovered:
            k["unrecovered"] += 1
    for k in kinds.values():
        k["double_count"] = len([d for d in k["double"] if d > 0])
        k["double_total"] = sum(k["double"])
        k["double_max"] = max(k["double"], default=0.0)
        k["paused_overlap_total"] = sum(k["double_paused"]) - k["double_total"]
        k["leaderless_median"] = statistics.median(k["leaderless"]) if k["leaderless"] else 0.0
        k["leaderless_max"] = max(k["leaderless"], default=0.0)
    return kinds, double


def terms_started_twice(events):
    """Term numbers handed to `started_leading` more than once, by any copy: {term: [copies]}."""
    starts = {}
    for event in sorted(events, key=lambda e: e.t):
        if event.kind == "started_leading" and event.term is not None:
            starts.setdefault(event.term, []).append(event.copy)
    return {term: copies for term, copies in starts.items() if len(copies) > 1}
