"""The Markdown report of a chaos run: per fault kind, safety, liveness and no-loss figures, then
every violation with the log lines around it."""

from .scenarios import CATEGORY
from .verdict import GOALS

WRITES = {"git": "git pushes (compare-and-swap on the observed commit)",
          "rest": "REST PATCHes (compare-before-write with a read-back)",
          "etcd": "etcd transactions (compare-and-swap on the key's observed revision)"}


def _s(value):
    return f"{value:.2f}"


def excerpt(events, t, names, before=3.0, after=1.0, limit=12):
    """Log lines of `names` within [t - before, t + after], for a finding."""
    lines = [e for e in events if e.copy in names and t - before <= e.at <= t + after and e.kind != "start"]
    lines = sorted((e for e in lines if not e.text.startswith("[debug]")), key=lambda e: e.at)[-limit:]
    return "\n".join(f"{e.at:9.3f} {e.copy:<10} {e.kind:<8} {('term ' + str(e.term) + ' ') if e.term is not None else ''}{e.text}"
                     for e in lines)


def write(path, meta, found, faults, events, timings, picture, write_mode):
    """`found`: the run's verdict (chaoslib/verdict.py)."""
    kinds, double, history = found.kinds, found.double, found.history
    out = []
    w = out.append
    w(f"# Chaos run ({meta['profile']})\n")
    w(f"- command: `{meta['command']}`")
    w(f"- date: {meta['date']}; machine: {meta['machine']}")
    w(f"- seed: {meta['seed']} (CHAOS_SEED); copies: {', '.join(meta['copies'])}; duration {meta['duration']:.0f}s")
    w(f"- network: {meta['network']}")
    w(f"- timings: {timings.describe()}")
    w(f"- lock writes: {WRITES[meta.get('write_mode', 'git')]}")
    w(f"- timeline: ![timeline]({picture.name})\n")

    w("## Per fault kind\n")
    w("Times are the copies' own log stamps (the harness's for its signals). "
      "Double leadership counts only copies that could act; a paused copy's belief, and a copy's belief "
      "from its resume after a pause past its renew deadline to its stand-down, are shown apart. "
      "Leaderless time is measured over the fault's whole window (fault, heal, recovery) against the bound "
      "the algorithm allows for that fault.\n")
    w("| kind | category | runs | double leadership: times / total s / longest s | while paused, s | "
      "resumed until it stood down, s | leaderless s: median / max | bound s | over bound | leader back |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for kind, k in kinds.items():
        bound = "0 (must keep leading)" if k["kept_expected"] else _s(k["bound"])
        over = k["lost_needlessly"] if k["kept_expected"] else k["over_bound"]
        w(f"| {kind} | {CATEGORY.get(kind, '')} | {k['reps']} | {k['double_count']} / {_s(k['double_total'])} / "
          f"{_s(k['double_max'])} | {_s(k['paused_overlap_total'])} | {k['resumed_overlap_total']:.3f} | "
          f"{_s(k['leaderless_median'])} / "
          f"{_s(k['leaderless_max'])} | {bound} | {over} | {k['reps'] - k['unrecovered']}/{k['reps']} |")

    w("\n## Verdict\n")
    failing = found.failing(write_mode, every_goal=False)
    w(f"Goals of the run, judged for {write_mode} writes (a goal marked 'not for REST' cannot be met by "
      "compare-before-write: it is reported, and fails only under `--assert-safety`):\n")
    broken = dict(found.broken)
    for key, text, modes in GOALS:
        if modes == ("etcd",) and write_mode != "etcd":
            continue
        mark = "BROKEN" if key in broken else "met"
        scope = "" if write_mode in modes else f" (not for {write_mode}: reported)"
        w(f"- {mark}: {text}{scope}" + (f": {broken[key]}" if key in broken else ""))
    w(f"\n{len(failing)} goals the {write_mode} writes can meet were broken; "
      f"{len(found.unmet_by_design(write_mode))} that they cannot meet were broken.")

    w("\n## Stamps\n")
    st = found.stamps
    w(f"- resolution of the copies' stamps: {st['resolution'] if st['resolution'] is not None else 'none read'}s; "
      f"the tolerance for two leaders at once is one step of it ({found.tolerance:g}s): a stretch measured "
      "between two stamps each cut to that step is off by less than one step")
    w(f"- the harness read the lines of the copies with true clocks {st['true_lag'][0] * 1000:.1f} to "
      f"{st['true_lag'][1] * 1000:.1f} ms after their stamps; stamps later than their reading: {st['ahead']}")
    for copy, skew in st["skewed_copies"]:
        if (copy, skew) in st["untrusted"]:
            low, high, count = st["untrusted"][(copy, skew)]
            w(f"- {copy} ran with its wall clock {skew:+g}s: {count} of its stamps, the offset taken out, fell "
              f"{low * 1000:.1f} to {high * 1000:.1f} ms from their reading, outside what the true copies show; "
              "its stamps are NOT trusted, its lines count at the time they were read")
        else:
            lag = st["skewed_lag"]
            w(f"- {copy} ran with its wall clock {skew:+g}s (libfaketime): its stamps with the offset taken out "
              f"fell {lag[0] * 1000:.1f} to {lag[1] * 1000:.1f} ms before their reading, as the true copies' do; "
              "trusted")
    w(f"- lines that are not the app's log format: {len(st['unparsed'])}"
      + (f" (first: `{st['unparsed'][0].copy}: {st['unparsed'][0].text[:120]}`)" if st["unparsed"] else ""))
    w(f"- lines starting a term that could not be read: {len(st['unreadable'])}; stand-down lines without a "
      f"readable stamp (counted when read): {len(st['unstamped'])}")

    w("\n## Safety\n")
    total_all = sum(e - s for s, e, _ in found.double_all)
    total = sum(e - s for s, e, _ in double)
    resumed = sum(e - s for s, e, _ in found.double_resumed) - total
    longest = max((e - s for s, e, _ in double), default=0.0)
    w(f"- two or more copies believed they led {len(found.double_all)} times, {total_all:.3f}s in all: "
      f"{total_all - total - resumed:.3f}s of it while one of them was paused, {resumed:.3f}s while one had "
      f"resumed after a pause past its renew deadline and not yet stood down, and {total:.3f}s "
      f"({len(double)} stretches, longest {longest:.3f}s) between copies that could act")
    twice = found.started_twice
    which = "; ".join(f"{term} by {' and '.join(copies)}" for term, copies in sorted(twice.items()))
    w(f"- terms started twice: {len(twice)} (a term number handed to `started_leading` more than once, by any "
      f"copy{': ' + which if which else ''})")
    shared, decreasing = found.log_terms
    w(f"- terms the copies led with (their own lines): {len(shared)} shared by two copies, {len(decreasing)} "
      f"not higher than the term before at a change of leader")
    for term, names in shared:
        w(f"  - term {term} led by {', '.join(names)}")
    for t, old, old_term, new, new_term in decreasing:
        fault = next((f for f in faults if f.start <= t <= f.end), None)
        w(f"  - t={t:.3f}s: {new} led with term {new_term} after {old} led with term {old_term}"
          f" ({fault.kind + ' ' + fault.variant if fault else 'outside any fault window'})")
    w(f"- the lock's history ({history['revisions']} revisions, {history['records']} records, releases included): "
      f"{len(history['claims_raced'])} claims overwritten by another holder's claim of the same term; "
      f"{len(history['terms_back'])} records with a lower term than an earlier one (an older term written back, "
      f"whoever wrote it); {len(history['releases_overwrote'])} releases landing on another holder's claim; "
      f"{len(history['terms_written_by_several'])} terms written with several holders")
    for when, old, old_term, new, new_term in history["terms_back"][:6]:
        w(f"  - {when}: {new} wrote term {new_term} after {old} had written term {old_term}")
    for when, holder, term, released in history["releases_overwrote"][:6]:
        w(f"  - {when}: a release of term {released} landed on {holder}'s term {term}")
    for term, names in history["terms_written_by_several"][:6]:
        w(f"  - term {term} written with holders {', '.join(names)}")
    if decreasing:
        w("\n### Terms that did not increase, with the log lines around each\n")
        for t, old, _, new, _ in decreasing[:4]:
            w("```")
            w(excerpt(events, t, [old, new], before=timings.lease, after=1.0, limit=16))
            w("```")
    w("\n## No loss\n")
    w(f"- the lock file parses after the run: {'yes' if history['final_parses'] else 'NO'} "
      f"(`{(history['final'] or '').strip()[:160]}`)")
    w(f"- invalid lock contents in the history (injected by corrupt-lock, then repaired): {history['invalid']}")
    restarts = meta.get("server_restarts", [])
    kept = sum(1 for r in restarts if r["kept"])
    w(f"- server restarts: {kept}/{len(restarts)} kept every commit of the gist's repository with every file "
      "(the lock included) and every revision of the server's journal, as read before the stop and on disk at it")
    for r in restarts:
        w(f"  - {r['signal']}: {r['commits_before']} commits and {r['revisions_before']} revisions before, "
          f"{r['commits_after']} and {r['revisions_after']} after"
          + (f"; LOST: {'; '.join(r['problems'])}" if r["problems"] else ""))
    touched = history["other_files_touched"]
    w(f"- files other than the lock changed in any revision: {len(touched)}"
      + (f" (first: {touched[0]})" if touched else ""))

    w("\n## Notes per fault\n")
    w("| # | t (s) | kind | variant | target | leaderless s | double s | notes |")
    w("|---|---|---|---|---|---|---|---|")
    for number, fault in enumerate(faults, 1):
        w(f"| {number} | {fault.start:.1f} | {fault.kind} | {fault.variant} | {fault.target} | "
          f"{_s(fault.leaderless)} | {_s(fault.double)} | {'; '.join(fault.notes)} |")

    for title, lines in meta.get("extra_sections", []):
        w(f"\n## {title}\n")
        out.extend(lines)

    if double:
        w("\n## Double leadership, with the log lines around each\n")
        for start, end, names in sorted(double, key=lambda d: d[0] - d[1])[:8]:
            fault = next((f for f in faults if f.start <= start <= f.end), None)
            w(f"### {end - start:.3f}s from t={start:.3f}: {', '.join(names)}"
              f" ({fault.kind + ' ' + fault.variant if fault else 'outside any fault window'})\n")
            w("```")
            w(excerpt(events, start, names, before=timings.lease, after=end - start + 0.5))
            w("```")
    path.write_text("\n".join(out) + "\n")
