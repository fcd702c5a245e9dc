"""The chaos analysis shown able to fail: made-up logs, lock histories and restarts, each with one
violation, must each break the goal they violate, and a clean run must break none. The lines go
through the same parser as a run's, the history through a state file and the restart through real git.
"""

import datetime
import json
import subprocess

import pytest

from chaoslib import restart, scenarios, verdict
from chaoslib.analysis import history_checks
from chaoslib.processes import LOCK_FILE, Event, faketime_offset, parse_line
from chaoslib.run import FaultRecord
from harness.bounds import Timings

WALL0 = 1_800_000_000.0  # the run clock's zero, in POSIX seconds
TIMINGS = Timings(lease=4.0, renew_deadline=2.5, retry=0.5, settle=0.5, request_timeout=1.0)
READ_LAG = 0.002         # the harness reads each line this long after the copy stamped it


def stamp(at, skew=0.0):
    """The JSON log format's stamp for run time `at` on a wall clock skewed by `skew` seconds."""
    when = datetime.datetime.fromtimestamp(WALL0 + at + skew, datetime.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def line(copy, at, event, term=None, skew=0.0, read=None):
    """One lifecycle line of `copy` stamped at run time `at`, as the app writes it with --log-format json
    and the run reads it (at `read`, by default READ_LAG later)."""
    fields = {"ts": stamp(at, skew), "level": "info", "caller": "LeaderElector.swift:1", "msg": event,
              "event": event, "identity": copy}
    if term is not None:
        fields["term"] = str(term)
    return parse_line(copy, at + READ_LAG if read is None else read, json.dumps(fields), wall0=WALL0, skew=skew)


def lead(copy, start, end, term, **kwargs):
    """A term from `acquired` (and `started_leading`) to the stand-down line."""
    return [line(copy, start, "acquired", term, **kwargs), line(copy, start + 0.001, "started_leading", term, **kwargs),
            line(copy, end, "lost", **kwargs)]


def signal(copy, at, name):
    return Event(at, copy, "signal", text=name)


def fault(start=0.0, end=60.0):
    return FaultRecord(kind="kill-leader", rep=0, start=start, heal=start, end=end, bound=TIMINGS.crash_bound)


def clean_events():
    """a leads, is killed, b takes over after the lease, releases, and c takes over at once."""
    return [*lead("a", 1.0, 11.0, 1)[:2], signal("a", 11.0, "SIGKILL"),
            *lead("b", 16.0, 30.0, 2), *lead("c", 30.5, 60.0, 3)]


def history(tmp_path, records, gist="g"):
    """The lock history `records` ((holder, term) each) written as gist-server's state file and journal,
    read back by the run's own reader."""
    state = tmp_path / "state.json"
    journal = tmp_path / "state.json.revisions"
    journal.mkdir(exist_ok=True)
    lines = [{"version": "v0", "committedAt": "2026-12-03T00:00:00Z",
              "files": {"notes.txt": "not the lock", LOCK_FILE: "{}"}}]
    for n, (holder, term) in enumerate(records, 1):
        record = {"holderIdentity": holder, "leaderTransitions": term, "leaseDurationSeconds": 4}
        lines.append({"version": f"v{n}", "committedAt": f"2026-12-03T00:00:{n:02d}Z",
                      "files": {LOCK_FILE: json.dumps(record)}})
    (journal / f"{gist}.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    state.write_text(json.dumps({"version": 2, "gists": [{"id": gist, "revisionCount": len(lines)}]}))
    return history_checks(state, gist, {"notes.txt": "not the lock"})


CLEAN_HISTORY = [("a", 1), ("a", 1), ("b", 2), ("b", 2), ("", 2), ("c", 3)]


def judge(tmp_path, events=None, records=None, checks=None, run_end=60.0):
    found = verdict.judge(clean_events() if events is None else events, run_end, [fault(end=run_end)], TIMINGS,
                          history(tmp_path, CLEAN_HISTORY if records is None else records), checks or {})
    return found, [key for key, _ in found.broken]


def test_a_clean_run_breaks_no_goal(tmp_path):
    found, broken = judge(tmp_path)
    assert broken == []
    assert found.tolerance == pytest.approx(0.001)
    assert [(i.copy, i.term) for i in found.intervals] == [("a", 1), ("b", 2), ("c", 3)]


# -- the lock's history

def test_the_same_holder_writing_back_an_older_term_fails(tmp_path):
    found, broken = judge(tmp_path, records=[("a", 5), ("a", 6), ("a", 5)])
    assert broken == ["terms_back"]
    assert found.history["terms_back"][0][1:] == ("a", 6, "a", 5)


def test_a_stale_release_landing_on_another_holders_claim_fails(tmp_path):
    found, broken = judge(tmp_path, records=[("a", 5), ("b", 6), ("", 5), ("b", 7)])
    assert set(broken) == {"terms_back", "releases_overwrote"}
    assert found.history["releases_overwrote"][0][1:] == ("b", 6, 5)


def test_a_term_written_with_two_holders_fails_even_apart(tmp_path):
    _, broken = judge(tmp_path, records=[("a", 5), ("", 5), ("b", 5), ("b", 6)])
    assert broken == ["terms_written_by_several"]


def test_a_claim_overwritten_by_another_of_the_same_term_fails(tmp_path):
    _, broken = judge(tmp_path, records=[("a", 5), ("b", 5)])
    assert set(broken) == {"claims_raced", "terms_written_by_several"}


def test_rest_writes_are_not_failed_for_what_compare_before_write_cannot_prevent(tmp_path):
    found, _ = judge(tmp_path, records=[("a", 5), ("b", 5), ("a", 4)])
    assert found.failing("rest", every_goal=False) == []
    assert {key for key, _ in found.unmet_by_design("rest")} == {"claims_raced", "terms_back",
                                                                 "terms_written_by_several"}
    assert {key for key, _ in found.failing("rest", every_goal=True)} == {"claims_raced", "terms_back",
                                                                          "terms_written_by_several"}
    assert {key for key, _ in found.failing("git", every_goal=False)} == {"claims_raced", "terms_back",
                                                                          "terms_written_by_several"}


# -- two leaders at once, from the copies' own stamps

def test_a_50ms_overlap_of_copies_that_could_act_fails(tmp_path):
    events = [*lead("a", 1.0, 14.0, 1), *lead("b", 13.95, 60.0, 2)]
    found, broken = judge(tmp_path, events=events)
    assert broken == ["double"]
    (start, end, names), = found.double
    assert (end - start, names) == (pytest.approx(0.05, abs=0.0011), ["a", "b"])


def test_the_overlap_is_timed_by_the_stamps_not_by_when_the_harness_read_the_lines(tmp_path):
    # b's line was read 60 ms late: by the reading there is no overlap at all, by the stamps 50 ms.
    events = [*lead("a", 1.0, 14.0, 1), line("b", 13.95, "acquired", 2, read=14.01), line("b", 60.0, "lost")]
    _, broken = judge(tmp_path, events=events)
    assert broken == ["double"]


def test_an_overlap_within_one_step_of_the_stamps_passes(tmp_path):
    events = [*lead("a", 1.0, 14.0, 1), *lead("b", 14.0, 60.0, 2)]
    assert judge(tmp_path, events=events)[1] == []


def test_a_paused_copy_is_counted_apart_and_its_resume_until_it_stands_down(tmp_path):
    # a is paused past its renew deadline; b takes over; a resumes and stands down 4 ms later.
    events = [line("a", 1.0, "acquired", 1), signal("a", 10.0, "SIGSTOP"), *lead("b", 15.0, 60.0, 2),
              signal("a", 17.0, "SIGCONT"), line("a", 17.004, "lost")]
    found, broken = judge(tmp_path, events=events)
    assert broken == []
    assert found.double == []
    assert sum(e - s for s, e, _ in found.double_all) == pytest.approx(2.004, abs=0.002)
    assert sum(e - s for s, e, _ in found.double_resumed) == pytest.approx(0.004, abs=0.002)


def test_a_stand_down_stamped_within_one_step_before_the_resume_counts_as_paused(tmp_path):
    # The copy writes its stand-down at the resume; cut to whole milliseconds, its stamp can fall before
    # the time the harness noted for SIGCONT.
    events = [line("a", 1.0, "acquired", 1), signal("a", 10.0, "SIGSTOP"), *lead("b", 15.0, 60.0, 2),
              signal("a", 17.0008, "SIGCONT"), line("a", 17.0008, "lost")]
    assert events[-1].at < 17.0008
    found, broken = judge(tmp_path, events=events)
    assert broken == [] and found.double == []


def test_a_short_pause_does_not_excuse_what_follows_the_resume(tmp_path):
    # Paused less than its renew deadline, a may still lead on resume: an overlap after it is real.
    events = [line("a", 1.0, "acquired", 1), signal("a", 10.0, "SIGSTOP"), *lead("b", 10.5, 60.0, 2),
              signal("a", 11.0, "SIGCONT"), line("a", 11.5, "lost")]
    assert judge(tmp_path, events=events)[1] == ["double"]


def test_a_skewed_copys_stamps_count_with_the_offset_taken_out(tmp_path):
    assert faketime_offset("+5m") == 300 and faketime_offset("-10m") == -600 and faketime_offset("") == 0
    with pytest.raises(ValueError):
        faketime_offset("@2026-01-01 00:00:00")
    events = [*lead("a", 1.0, 14.0, 1), *lead("b", 13.95, 60.0, 2, skew=300.0)]
    found, broken = judge(tmp_path, events=events)
    assert broken == ["double"] and not found.stamps["untrusted"]


def test_a_skewed_copys_stamps_that_disagree_with_the_reading_are_not_trusted(tmp_path):
    # Stamps written 300 s ahead but corrected as if 600 s: they would fall before the lines were
    # written; the analysis drops them and times those lines by their reading, and says so.
    events = [*lead("a", 1.0, 14.0, 1)]
    for e in lead("b", 14.05, 60.0, 2, skew=300.0):
        events.append(parse_line("b", e.t, json.dumps({"ts": e.ts, "level": "info", "msg": e.text,
                                                        "event": e.kind, "term": str(e.term)}),
                                 wall0=WALL0, skew=600.0))
    found, broken = judge(tmp_path, events=events)
    assert ("b", 600.0) in found.stamps["untrusted"]
    assert broken == []
    assert found.intervals[1].start == pytest.approx(14.05 + READ_LAG)


# -- lines that cannot be read

def test_an_acquisition_without_a_readable_term_fails(tmp_path):
    unreadable = parse_line("b", 20.0, json.dumps({"ts": stamp(20.0), "level": "info", "msg": "acquired",
                                                   "event": "acquired", "term": "five"}), wall0=WALL0)
    assert unreadable.kind == "unreadable"
    _, broken = judge(tmp_path, events=[*clean_events(), unreadable])
    assert broken == ["unreadable"]


def test_a_cut_off_line_that_names_an_acquisition_fails_and_other_noise_is_counted(tmp_path):
    cut = parse_line("b", 20.0, '{"ts":"2026-12-03T00:00:20.000Z","event":"acquired","te', wall0=WALL0)
    noise = parse_line("b", 21.0, "Fatal error: something the runtime printed", wall0=WALL0)
    found, broken = judge(tmp_path, events=[*clean_events(), cut, noise])
    assert broken == ["unreadable"]
    assert [e.text for e in found.stamps["unparsed"]] == ["Fatal error: something the runtime printed"]


# -- terms and notes that used to be findings only

def test_a_new_leader_without_a_higher_term_fails(tmp_path):
    events = [*lead("a", 1.0, 11.0, 5), *lead("b", 16.0, 60.0, 4)]
    assert judge(tmp_path, events=events)[1] == ["terms_not_increasing"]


@pytest.mark.parametrize("key, value", [("skew_steals", [0, 2]), ("no_stand_down", ["stop-leader: a did not"]),
                                        ("corruption_overwritten", ["corrupt-lock: a did not"]),
                                        ("paused_writes", [1]), ("hung", [{"copy": "a", "t": 3.0}])])
def test_what_the_scenarios_saw_fails_the_run(tmp_path, key, value):
    assert judge(tmp_path, checks={key: value})[1] == [key]


# -- handover on purpose

HANDOVER_BOUND = scenarios.handover_bound(TIMINGS)


def asked(to="b", exit_status=0):
    """A handover asked of a at t=20.0, answered 0.2 s later."""
    return {"fault": "handover#0", "from": "a", "to": to, "asked": 20.0, "answered": 20.2, "bound": HANDOVER_BOUND,
            "exit": exit_status, "output": "" if exit_status == 0 else "handover refused (HTTP 409)"}


def handed_over(taker="b", led_at=20.9, down_at=20.1):
    """a leads, stands down for a handover (its process runs on), and `taker` leads from `led_at`."""
    return [line("a", 1.0, "acquired", 1), line("a", 1.001, "started_leading", 1), line("a", down_at, "handing_over"),
            *lead(taker, led_at, 60.0, 2)]


def test_a_handover_whose_target_leads_within_the_bound_passes_and_its_stand_down_ends_the_term(tmp_path):
    found, broken = judge(tmp_path, events=handed_over(), checks={"handovers": [asked()]})
    assert broken == []
    assert [(i.copy, i.end) for i in found.intervals][0] == ("a", pytest.approx(20.1, abs=0.001))
    (seen,) = found.handovers
    assert (seen["stood_down"], seen["led_by"], seen["led_after"]) == (
        pytest.approx(0.1, abs=0.001), "b", pytest.approx(0.7, abs=0.001))


def handed_line(copy, at, term, target):
    fields = {"ts": stamp(at), "level": "info", "msg": "handed over", "event": "handed_over", "term": str(term),
              "target": target}
    return parse_line(copy, at + READ_LAG, json.dumps(fields), wall0=WALL0)


def test_the_record_a_handover_writes_is_no_raced_claim_but_a_second_one_is(tmp_path):
    # a hands term 1 over to b (the record names b with term 1), b claims term 2.
    records = [("a", 1), ("b", 1), ("b", 2)]
    events = [*handed_over(), handed_line("a", 20.15, 1, "b")]
    assert judge(tmp_path, events=events, records=records, checks={"handovers": [asked()]})[1] == []
    # Without the copy's line saying so, the same history is another holder's claim of the same term.
    assert set(judge(tmp_path, events=handed_over(), records=records, checks={"handovers": [asked()]})[1]) == {
        "claims_raced", "terms_written_by_several"}
    # One handover excuses one record: c claiming term 1 over it as well is still found.
    _, broken = judge(tmp_path, events=events, records=[("a", 1), ("b", 1), ("c", 1), ("c", 2)],
                      checks={"handovers": [asked()]})
    assert set(broken) == {"claims_raced", "terms_written_by_several"}


def test_a_handover_without_a_target_passes_whoever_else_takes_it(tmp_path):
    assert judge(tmp_path, events=handed_over(taker="c"), checks={"handovers": [asked(to="")]})[1] == []


@pytest.mark.parametrize("events, asked_for, problem", [
    (handed_over(led_at=20.2 + HANDOVER_BOUND + 0.5), asked(), "past the bound"),
    (handed_over(taker="c"), asked(), "c took the lease, not b"),
    (handed_over(), asked(exit_status=1), "the call failed (exit 1)"),
    (handed_over(led_at=20.15, down_at=20.18), asked(), "before a stood down"),
], ids=["target-late", "another-copy", "call-refused", "target-before-stand-down"])
def test_a_failed_handover_fails_the_run(tmp_path, events, asked_for, problem):
    found, broken = judge(tmp_path, events=events, checks={"handovers": [asked_for]})
    assert "handover" in broken
    assert problem in dict(found.broken)["handover"]


def test_a_handover_whose_target_never_leads_fails(tmp_path):
    events = [line("a", 1.0, "acquired", 1), line("a", 20.1, "handing_over")]
    found, broken = judge(tmp_path, events=events, checks={"handovers": [asked()]})
    assert broken == ["handover"]
    assert "b never led" in dict(found.broken)["handover"]


# -- server restarts, read with real git

def git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def gist_repository(tmp_path, commits):
    """A bare repository where gist-server keeps the gist "g", with `commits` lock contents."""
    work = tmp_path / "work"
    work.mkdir()
    git("init", "-q", "--initial-branch=main", cwd=work)
    for n in range(commits):
        (work / LOCK_FILE).write_text(json.dumps({"holderIdentity": "a", "leaderTransitions": n}))
        (work / "notes.txt").write_text("not the lock")
        git("add", "-A", cwd=work)
        git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", f"r{n}", cwd=work)
    repo = restart.repository(tmp_path / "state.json", "g")
    git("clone", "-q", "--bare", str(work), str(repo), cwd=tmp_path)
    history(tmp_path, [("a", n) for n in range(commits)])
    return repo


def test_a_restart_that_keeps_everything_and_adds_commits_loses_nothing(tmp_path):
    repo = gist_repository(tmp_path, 12)
    before = restart.snapshot(tmp_path / "state.json", "g")
    assert len(before["commits"]) == 12 and len(before["revisions"]) == 13
    assert set(before["commits"][-1][1]) == {LOCK_FILE, "notes.txt"}
    work = tmp_path / "work"
    (work / LOCK_FILE).write_text(json.dumps({"holderIdentity": "b", "leaderTransitions": 12}))
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-am", "r12", cwd=work)
    git("push", "-q", str(repo), "main", cwd=work)
    after = restart.snapshot(tmp_path / "state.json", "g")
    assert len(after["commits"]) == 13
    assert restart.lost(before, after) == []


def test_a_restart_that_loses_a_revision_fails_though_the_api_would_still_show_ten(tmp_path):
    repo = gist_repository(tmp_path, 12)
    before = restart.snapshot(tmp_path / "state.json", "g")
    git("--git-dir", str(repo), "update-ref", "refs/heads/main", "main~1", cwd=tmp_path)
    problems = restart.lost(before, restart.snapshot(tmp_path / "state.json", "g"))
    assert len(problems) == 1 and "1 of 12 commits gone" in problems[0]
    checks = {"server_restarts": [{"signal": "SIGKILL", "kept": False, "problems": problems}]}
    assert judge(tmp_path, checks=checks)[1] == ["restart_lost"]


def test_a_restart_that_changes_the_lock_in_a_kept_commit_fails(tmp_path):
    gist_repository(tmp_path, 3)
    before = restart.snapshot(tmp_path / "state.json", "g")
    after = {"commits": before["commits"], "revisions": [(v, dict(f)) for v, f in before["revisions"]]}
    after["revisions"][2][1][LOCK_FILE] = "{}"
    problems = restart.lost(before, after)
    assert problems == [f"revision v2 holds other files after the restart: ['{LOCK_FILE}']"]
