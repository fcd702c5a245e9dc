"""From the recorded events and the server's state file: who believed it led when, where two believed it
at once, where nobody led, whether terms were ever reused, and whether anything in the gist was lost."""

import json
import statistics
from dataclasses import dataclass, field

from harness.gist_server import stored_revisions

from .processes import ENDS, LOCK_FILE


@dataclass
class Interval:
    copy: str
    start: float
    end: float
    term: int
    frozen: list = field(default_factory=list)  # (start, end) while the process was paused
    resumed: list = field(default_factory=list)  # (start, end) from a resume after a long pause to the stand-down
    end_reason: str = ""


# Slack on the harness's side when checking a skewed copy's corrected stamps against the times its
# lines were read: a line is read after it was written, and no later than the slowest reading of a copy
# whose clock is true, plus this much for the reader thread being scheduled late on a loaded machine.
READ_SLACK = 0.5


def check_stamps(events):
    """How far the copies' own stamps can be trusted, and which lines could not be read.

    Every copy stamps its lines from the machine's wall clock, the one the run clock reads, so a stamp
    can never be later than the harness's reading of the line. A copy run with a skewed wall clock has
    its known offset taken out; its stamps are trusted only if, corrected, they fall where its lines were
    read (not after, and no later than the copies with true clocks are read plus READ_SLACK). Untrusted
    stamps are dropped, so those lines count at the time they were read; the result says so.
    Returns the stamps' resolution (seconds), the lag of reading behind stamping for true and skewed
    copies, the untrusted copies, and the unparsed and unreadable lines."""
    stamped = [e for e in events if e.stamp is not None]
    digits = min((e.digits for e in stamped), default=0)
    resolution = 10.0 ** -digits if stamped else None
    true_lags = [e.t - e.stamp for e in stamped if not e.skew]
    limit = max(true_lags, default=0.0) + READ_SLACK
    untrusted = {}
    for e in stamped:
        if e.skew:
            lag = e.t - e.stamp
            # A corrected stamp later than the reading, or read far later than any true copy's line.
            if lag < -(resolution or 0) or lag > limit:
                untrusted.setdefault((e.copy, e.skew), []).append(lag)
    unstamped = [e for e in events if e.kind in ("lost", "released") and e.stamp is None]
    for e in stamped:
        if (e.copy, e.skew) in untrusted:
            e.stamp = None
    skewed_lags = [e.t - e.stamp for e in events if e.stamp is not None and e.skew]
    ahead = [e for e in stamped if not e.skew and e.t - e.stamp < -(resolution or 0)]
    return {
        "resolution": resolution,
        "true_lag": (min(true_lags, default=0.0), max(true_lags, default=0.0)),
        "skewed_lag": (min(skewed_lags, default=0.0), max(skewed_lags, default=0.0)) if skewed_lags else None,
        "skewed_copies": sorted({(e.copy, e.skew) for e in events if e.skew}),
        "untrusted": {key: (min(lags), max(lags), len(lags)) for key, lags in untrusted.items()},
        "ahead": len(ahead),
        "unparsed": [e for e in events if e.kind == "unparsed"],
        "unreadable": [e for e in events if e.kind == "unreadable"],
        "unstamped": unstamped,
    }


def leadership_intervals(events, run_end, pause_limit=None):
    """Every copy's leadership terms, from its "successfully acquired" line to its stand-down line (`lost`,
    or `handing_over` when it was asked to hand over), its SIGKILL or its exit, timed by the copies' own
    stamps (the harness's time for its signals and the exits it sees). Paused stretches (SIGSTOP..SIGCONT)
    are kept apart; so is the stretch from a resume after a pause of at least `pause_limit` seconds (past
    the copy's renew deadline, when it can no longer lead) to its stand-down line."""
    intervals, open_by_copy, paused_since, resumes = [], {}, {}, {}
    for event in sorted(events, key=lambda e: e.at):
        at = event.at
        current = open_by_copy.get(event.copy)
        if event.kind == "acquired":
            if current is None:
                open_by_copy[event.copy] = Interval(event.copy, at, run_end, event.term)
        elif event.kind == "signal" and event.text == "SIGSTOP":
            paused_since[event.copy] = at
        elif event.kind == "signal" and event.text == "SIGCONT":
            since = paused_since.pop(event.copy, None)
            if since is not None and current is not None:
                current.frozen.append((max(since, current.start), at))
                if pause_limit is not None and at - since >= pause_limit:
                    resumes[event.copy] = at
        elif current is not None and (event.kind in (*ENDS, "exit") or
                                       (event.kind == "signal" and event.text == "SIGKILL")):
            current.end = max(at, current.start)
            current.end_reason = event.text
            # A stand-down line stamped while the copy is still marked paused was written at its resume:
            # its stamp, cut to the stamps' resolution, fell up to one step before the recorded SIGCONT.
            since = paused_since.pop(event.copy, None)
            if since is not None:
                current.frozen.append((max(since, current.start), current.end))
            resumed = resumes.pop(event.copy, None)
            if event.kind == "lost" and resumed is not None and resumed >= current.start:
                current.resumed.append((resumed, current.end))
            intervals.append(current)
            del open_by_copy[event.copy]
        if event.kind in ("acquired", *ENDS, "exit") and event.copy not in open_by_copy:
            resumes.pop(event.copy, None)
    for current in open_by_copy.values():
        since = paused_since.get(current.copy)
        if since is not None:
            current.frozen.append((max(since, current.start), run_end))
        current.end_reason = "run ended"
        intervals.append(current)
    return sorted(intervals, key=lambda i: i.start)


def parts(interval):
    """A term cut into (start, end, state): "active" (it could act), "paused", or "resumed" (awake again
    after a pause past its renew deadline, not yet stood down)."""
    marks = sorted([(s, e, "paused") for s, e in interval.frozen] + [(s, e, "resumed") for s, e in interval.resumed])
    result, cursor = [], interval.start
    for start, end, state in marks:
        if start > cursor:
            result.append((cursor, start, "active"))
        if end > max(start, cursor):
            result.append((max(start, cursor), end, state))
        cursor = max(cursor, end)
    if interval.end > cursor:
        result.append((cursor, interval.end, "active"))
    return result


def active_parts(interval):
    """The parts of a term in which the process could act (not paused, not resumed past its deadline)."""
    return [(s, e) for s, e, state in parts(interval) if state == "active"]


def overlaps(intervals, active=True, states=None):
    """Stretches in which two or more copies believed they led: (start, end, copies). A copy counts in
    the states given (by default: active only; with active=False: every state)."""
    if states is None:
        states = ("active",) if active else ("active", "paused", "resumed")
    spans = [(s, e, i.copy) for i in intervals for s, e, state in parts(i) if state in states and e > s]
    edges = sorted({x for s, e, _ in spans for x in (s, e)})
    result = []
    for a, b in zip(edges, edges[1:]):
        names = sorted({c for s, e, c in spans if s <= a and e >= b})
        if len(names) < 2:
            continue
        if result and result[-1][1] == a and result[-1][2] == names:
            result[-1] = (result[-1][0], b, names)
        else:
            result.append((a, b, names))
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


def lock_findings(records):
    """What the lock's records, oldest first as (when, holder, term), show: `terms_back` (a record whose
    term is lower than an earlier record's, whoever wrote it: an older term written back),
    `claims_raced` (another holder's claim of the same term replacing one), `releases_overwrote` (a
    release, holder empty, landing on a record of another term: another holder's claim), and
    `terms_written_by_several` (a term named with two or more holders anywhere in the history)."""
    raced, back, releases, by_term = [], [], [], {}
    last, highest = None, None
    for when, holder, term in records:
        if holder:
            by_term.setdefault(term, set()).add(holder)
        if highest is not None and term < highest[2]:
            back.append((when, highest[1] or "(released)", highest[2], holder or "(released)", term))
        if last is not None:
            if holder and last[1] and holder != last[1] and term == last[2]:
                raced.append((when, last[1], holder, term))
            if not holder and last[1] and term != last[2]:
                releases.append((when, last[1], last[2], term))
        last = (when, holder, term)
        if highest is None or term > highest[2]:
            highest = last
    shared = [(term, sorted(names)) for term, names in sorted(by_term.items()) if len(names) > 1]
    return {"terms_back": back, "claims_raced": raced, "releases_overwrote": releases,
            "terms_written_by_several": shared}


def history_checks(state_file, gist_id, original_files):
    """The lock's whole history from the server's state file: every record in order (releases too), what
    `lock_findings` sees in it, records that did not parse, and edits to other files."""
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
    final = revisions[-1]["files"].get(LOCK_FILE)
    try:
        final_ok = final is not None and "holderIdentity" in json.loads(final)
    except ValueError:
        final_ok = False
    return {"revisions": len(revisions), "records": len(records), "invalid": invalid, **lock_findings(records),
            "other_files_touched": touched, "final_parses": final_ok, "final": final}


def summarize(faults, intervals, timings):
    """Per fault kind: safety and liveness figures over every repetition."""
    double = overlaps(intervals, states=("active",))
    double_resumed = overlaps(intervals, states=("active", "resumed"))
    double_paused = overlaps(intervals, states=("active", "resumed", "paused"))
    kinds = {}
    for fault in faults:
        k = kinds.setdefault(fault.kind, {"reps": 0, "double": [], "double_paused": [], "double_resumed": [],
                                          "leaderless": [],
                                          "over_bound": 0, "unrecovered": 0, "bound": fault.bound,
                                          "kept_expected": fault.expect_leader_kept, "lost_needlessly": 0})
        k["reps"] += 1
        spans = clip(double, fault.start, fault.end)
        k["double"].extend(e - s for s, e in spans)
        k["double_paused"].extend(e - s for s, e in clip(double_paused, fault.start, fault.end))
        k["double_resumed"].extend(e - s for s, e in clip(double_resumed, fault.start, fault.end))
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
        k["resumed_overlap_total"] = sum(k["double_resumed"]) - k["double_total"]
        k["paused_overlap_total"] = sum(k["double_paused"]) - sum(k["double_resumed"])
        k["leaderless_median"] = statistics.median(k["leaderless"]) if k["leaderless"] else 0.0
        k["leaderless_max"] = max(k["leaderless"], default=0.0)
    return kinds, double


def terms_started_twice(events):
    """Term numbers handed to `started_leading` more than once, by any copy: {term: [copies]}."""
    starts = {}
    for event in sorted(events, key=lambda e: e.at):
        if event.kind == "started_leading" and event.term is not None:
            starts.setdefault(event.term, []).append(event.copy)
    return {term: copies for term, copies in starts.items() if len(copies) > 1}


def handovers(events, asked):
    """Each handover the run asked for (`asked`: dicts with `fault`, `from`, `to` ("" for any other copy),
    `asked` and `answered` on the run clock, `bound`, and the command's `exit` and `output`), judged from
    the copies' own lines: when the leader stood down (its `handing_over`), who acquired next and when.
    The target must lead within `bound` of the answer, after the leader stood down; `problem` says what
    went wrong, None when nothing did."""
    ordered = sorted(events, key=lambda e: e.at)
    found = []
    for h in asked:
        old, target = h["from"], h["to"]
        down = next((e for e in ordered if e.copy == old and e.kind == "handing_over" and e.at >= h["asked"]), None)
        taken = next((e for e in ordered if e.kind == "acquired" and e.copy != old and e.at >= h["asked"]), None)
        result = {**h, "stood_down": down.at - h["asked"] if down else None, "led_by": taken.copy if taken else None,
                  "led_after": taken.at - h["answered"] if taken else None, "problem": None}
        wanted = target or "another copy"
        if h["exit"] != 0:
            result["problem"] = f"the call failed (exit {h['exit']}): {h['output'][:200]}"
        elif down is None:
            result["problem"] = f"{old} never logged handing_over"
        elif taken is None:
            result["problem"] = f"{wanted} never led"
        elif target and taken.copy != target:
            result["problem"] = f"{taken.copy} took the lease, not {target}"
        elif taken.at - h["answered"] > h["bound"]:
            result["problem"] = (f"{taken.copy} led {taken.at - h['answered']:.3f}s after the answer, past the "
                                 f"bound {h['bound']:.2f}s")
        elif taken.at < down.at:
            result["problem"] = f"{taken.copy} led {down.at - taken.at:.3f}s before {old} stood down"
        found.append(result)
    return found


def describe_handover(h):
    """One handover's times, for the notes and the summary line."""
    whom = f"to {h['to']}" if h["to"] else "without a target"
    text = f"{h['from']} {whom}: "
    if h["stood_down"] is not None:
        text += f"stood down {h['stood_down']:.3f}s after the call, "
    text += f"answered after {h['answered'] - h['asked']:.3f}s"
    if h["led_by"] is not None:
        text += f", {h['led_by']} led {h['led_after']:.3f}s after the answer (bound {h['bound']:.2f}s)"
    return text + (f"; FAILED: {h['problem']}" if h["problem"] else "")


def excuse_handovers(history, events):
    """The lock's findings without the records handovers wrote on purpose: a leader handing over writes
    its own term with the target as holder (the target then claims a new term), which reads in the
    history like another holder's claim of the same term. Each `handed_over` line of a copy (its term,
    its target) excuses one such record of that term, from that copy to that target."""
    handed = [(e.term, e.copy, e.text) for e in events if e.kind == "handed_over" and e.term is not None]
    raced, left = [], list(handed)
    for when, old, new, term in history["claims_raced"]:
        if (term, old, new) in left:
            left.remove((term, old, new))
        else:
            raced.append((when, old, new, term))
    several = []
    for term, names in history["terms_written_by_several"]:
        kept = [n for n in names if not any(t == term and to == n and old in names for t, old, to in handed)]
        if len(kept) > 1:
            several.append((term, kept))
    return {**history, "claims_raced": raced, "terms_written_by_several": several}
