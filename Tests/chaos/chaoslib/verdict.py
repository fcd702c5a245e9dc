"""The chaos run's goals and the verdict on one run: every finding of the analysis is judged against a
goal, and each goal says which write modes can meet it.

REST writes compare before they write and read back after: nothing stops two writes made on the same
read from both landing, or a write from landing over bytes that changed since its read. So under REST
writes the lock's history can show overwritten claims, older terms and terms named with two holders,
and a leader can write over a corrupted record it never read; those goals are judged for git writes (a
push is applied only on the commit it was built on) and reported for REST."""

from dataclasses import dataclass, field

from . import analysis

# etcd writes are transactions on the key's revision: they meet every goal a push meets.
BOTH = ("git", "rest", "etcd")
GIT = ("git", "etcd")

# (key, what must hold, write modes that can meet it)
GOALS = [
    ("double", "no two copies that could act believe they lead at once, beyond the stamps' resolution", BOTH),
    ("unreadable", "every line that starts a term (`acquired`, `started_leading`) can be read", BOTH),
    ("terms_shared", "no term is led by two copies (their own lines)", BOTH),
    ("terms_started_twice", "no term number is handed to `started_leading` twice", BOTH),
    ("terms_not_increasing", "every change of leader comes with a higher term (their own lines)", BOTH),
    ("hung", "no copy hangs believing it leads", BOTH),
    ("no_stand_down", "a leader that was paused past its deadline, or cut off with a skewed clock, stands down", BOTH),
    ("corruption_overwritten", "a leader whose lock was corrupted stands down instead of writing over bytes it "
                               "never read", GIT),
    ("paused_writes", "a paused leader's write never replaces the new leader's record after it resumes", BOTH),
    ("skew_steals", "a copy with a skewed wall clock never takes a live lease", BOTH),
    ("unrecovered", "a leader comes back after every fault", BOTH),
    ("handover", "a leader asked to hand over stands down, and the target (without one, another copy) leads "
                 "within the handover bound of the answer", BOTH),
    ("led_without_quorum", "no copy leads once etcd has lost quorum for longer than the renew deadline", ("etcd",)),
    ("final_parses", "the lock file parses after the run", BOTH),
    ("other_files", "no file other than the lock changes", BOTH),
    ("restart_lost", "a server restart keeps every commit and every file of the gist", BOTH),
    ("claims_raced", "no claim is overwritten by another holder's claim of the same term", GIT),
    ("terms_back", "no record has a lower term than an earlier record (an older term written back)", GIT),
    ("releases_overwrote", "no release lands on another holder's claim", GIT),
    ("terms_written_by_several", "no term is written with two holders anywhere in the lock's history", GIT),
]
DESCRIPTIONS = {key: text for key, text, _ in GOALS}
MODES = {key: modes for key, _, modes in GOALS}


@dataclass
class Verdict:
    """Everything the report shows, and the goals broken: (key, message) each."""

    tolerance: float
    stamps: dict
    intervals: list
    kinds: dict
    double: list            # (start, end, copies) among copies that could act
    double_resumed: list    # the same, counting a copy resumed after a long pause until it stood down
    double_all: list        # the same, counting paused copies too
    log_terms: tuple
    started_twice: dict
    history: dict
    handovers: list = field(default_factory=list)  # analysis.handovers' result
    broken: list = field(default_factory=list)

    def failing(self, write_mode, every_goal):
        """The broken goals that fail the run: every one, or those `write_mode` can meet."""
        return [(key, text) for key, text in self.broken if every_goal or write_mode in MODES[key]]

    def unmet_by_design(self, write_mode):
        return [(key, text) for key, text in self.broken if write_mode not in MODES[key]]


def judge(events, run_end, faults, timings, history, checks):
    """Analyses a run and states every goal it broke. `history` is `analysis.history_checks`' result
    (with `other_files_touched` complete); `checks` holds what the scenarios saw as they ran
    (`server_restarts`, `hung`, `paused_writes`, `skew_steals`, `no_stand_down`, `corruption_overwritten`,
    `handovers`: the handovers asked for, judged here from the copies' lines)."""
    stamps = analysis.check_stamps(events)
    # A stretch measured from two stamps each cut to the resolution is off by less than one step.
    tolerance = stamps["resolution"] or 0.0
    intervals = analysis.leadership_intervals(events, run_end, pause_limit=timings.renew_deadline)
    kinds, double = analysis.summarize(faults, intervals, timings)
    double_resumed = analysis.overlaps(intervals, states=("active", "resumed"))
    double_all = analysis.overlaps(intervals, states=("active", "resumed", "paused"))
    log_terms = analysis.term_checks(intervals)
    started_twice = analysis.terms_started_twice(events)
    history = analysis.excuse_handovers(history, events)
    verdict = Verdict(tolerance, stamps, intervals, kinds, double, double_resumed, double_all, log_terms,
                      started_twice, history, analysis.handovers(events, checks.get("handovers", [])))
    broken = verdict.broken.append

    long_double = [(s, e, n) for s, e, n in double if e - s > tolerance]
    if long_double:
        s, e, names = max(long_double, key=lambda d: d[1] - d[0])
        broken(("double", f"{len(long_double)} stretches of two copies that could act leading at once, beyond the "
                          f"stamps' resolution {tolerance:g}s (longest {e - s:.3f}s from t={s:.3f}: {', '.join(names)})"))
    if stamps["unreadable"]:
        broken(("unreadable", f"{len(stamps['unreadable'])} lines starting a term could not be read "
                              f"(first: {stamps['unreadable'][0].copy}: {stamps['unreadable'][0].text[:160]!r})"))
    shared, decreasing = log_terms
    if shared:
        broken(("terms_shared", f"terms led by two copies: {shared}"))
    if started_twice:
        broken(("terms_started_twice", f"terms started twice: {started_twice}"))
    if decreasing:
        broken(("terms_not_increasing", f"{len(decreasing)} changes of leader without a higher term: " + "; ".join(
            f"t={t:.3f} {new} led with term {new_term} after {old} with {old_term}"
            for t, old, old_term, new, new_term in decreasing[:3])))
    if checks.get("hung"):
        broken(("hung", f"copies hung believing they led: {[(h['copy'], round(h['t'], 1)) for h in checks['hung']]}"))
    if checks.get("no_stand_down"):
        broken(("no_stand_down", "; ".join(checks["no_stand_down"])))
    if checks.get("corruption_overwritten"):
        broken(("corruption_overwritten", "; ".join(checks["corruption_overwritten"])))
    if any(checks.get("paused_writes", [])):
        broken(("paused_writes", f"a paused leader's write replaced the new leader's record after SIGCONT "
                                 f"({sum(checks['paused_writes'])} writes)"))
    if any(checks.get("skew_steals", [])):
        broken(("skew_steals", f"the skewed copy took a live lease {sum(checks['skew_steals'])} times"))
    if checks.get("led_without_quorum"):
        broken(("led_without_quorum", "; ".join(checks["led_without_quorum"])))
    failed = [h for h in verdict.handovers if h["problem"]]
    if failed:
        broken(("handover", f"{len(failed)} of {len(verdict.handovers)} handovers failed: "
                            + "; ".join(f"{h['fault']} {h['problem']}" for h in failed[:3])))
    unrecovered = [f"{f.kind}#{f.rep}" for f in faults if not f.recovered]
    if unrecovered:
        broken(("unrecovered", f"no leader came back after {', '.join(unrecovered)}"))
    if not history["final_parses"]:
        broken(("final_parses", "the lock file does not parse after the run"))
    if history["other_files_touched"]:
        broken(("other_files", f"files other than the lock changed: {history['other_files_touched'][:3]}"))
    lost = [r for r in checks.get("server_restarts", []) if r["problems"]]
    if lost:
        broken(("restart_lost", f"{len(lost)} server restarts lost data: {lost[0]['problems'][0]}"))
    if history["claims_raced"]:
        when, old, new, term = history["claims_raced"][0]
        broken(("claims_raced", f"{len(history['claims_raced'])} claims overwritten by another holder's claim of the "
                                f"same term (first {when}: {new} over {old}, term {term})"))
    if history["terms_back"]:
        when, old, old_term, new, new_term = history["terms_back"][0]
        broken(("terms_back", f"{len(history['terms_back'])} records with an older term written back (first {when}: "
                              f"{new} wrote term {new_term} after {old} wrote term {old_term})"))
    if history["releases_overwrote"]:
        when, holder, term, released = history["releases_overwrote"][0]
        broken(("releases_overwrote", f"{len(history['releases_overwrote'])} releases landed on another holder's "
                                      f"claim (first {when}: a release of term {released} over {holder}'s term {term})"))
    if history["terms_written_by_several"]:
        broken(("terms_written_by_several", f"terms written with several holders in the lock's history: "
                                            f"{history['terms_written_by_several'][:5]}"))
    return verdict

