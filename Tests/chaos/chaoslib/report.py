"""The Markdown report of a chaos run: per fault kind, safety, liveness and no-loss figures, then
every violation with the log lines around it."""

from .scenarios import CATEGORY


def _s(value):
    return f"{value:.2f}"


def excerpt(events, t, names, before=3.0, after=1.0, limit=12):
    """Log lines of `names` within [t - before, t + after], for a finding."""
    lines = [e for e in events if e.copy in names and t - before <= e.t <= t + after and e.kind != "start"]
    lines = [e for e in lines if not e.text.startswith("[debug]")][-limit:]
    return "\n".join(f"{e.t:9.3f} {e.copy:<10} {e.kind:<8} {('term ' + str(e.term) + ' ') if e.term is not None else ''}{e.text}"
                     for e in lines)


def write(path, meta, kinds, faults, intervals, double, history, log_terms, events, timings, picture, safety_bound):
    out = []
    w = out.append
    w(f"# Chaos run ({meta['profile']})\n")
    w(f"- command: `{meta['command']}`")
    w(f"- date: {meta['date']}; machine: {meta['machine']}")
    w(f"- seed: {meta['seed']} (CHAOS_SEED); copies: {', '.join(meta['copies'])}; duration {meta['duration']:.0f}s")
    w(f"- network: {meta['network']}")
    w(f"- timings: {timings.describe()}")
    w(f"- lock writes: {'git pushes (compare-and-swap on the observed commit)' if meta.get('write_mode', 'git') == 'git' else 'REST PATCHes (compare-before-write with a read-back)'}")
    w(f"- timeline: ![timeline]({picture.name})\n")

    w("## Per fault kind\n")
    w("Double leadership counts only copies that could act (a paused copy's belief is shown apart). "
      "Leaderless time is measured over the fault's whole window (fault, heal, recovery) against the bound "
      "the algorithm allows for that fault.\n")
    w("| kind | category | runs | double leadership: times / total s / longest s | while paused, s | "
      "leaderless s: median / max | bound s | over bound | leader back |")
    w("|---|---|---|---|---|---|---|---|---|")
    for kind, k in kinds.items():
        bound = "0 (must keep leading)" if k["kept_expected"] else _s(k["bound"])
        over = k["lost_needlessly"] if k["kept_expected"] else k["over_bound"]
        w(f"| {kind} | {CATEGORY.get(kind, '')} | {k['reps']} | {k['double_count']} / {_s(k['double_total'])} / "
          f"{_s(k['double_max'])} | {_s(k['paused_overlap_total'])} | {_s(k['leaderless_median'])} / "
          f"{_s(k['leaderless_max'])} | {bound} | {over} | {k['reps'] - k['unrecovered']}/{k['reps']} |")

    w("\n## Safety\n")
    total = sum(e - s for s, e, _ in double)
    longest = max((e - s for s, e, _ in double), default=0.0)
    w(f"- two copies that could act both believed they led {len(double)} times, {_s(total)}s in all, "
      f"longest {_s(longest)}s (stated bound for `chaos_quick`: {safety_bound:g}s per stretch)")
    twice = meta.get("terms_started_twice", {})
    which = "; ".join(f"{term} by {' and '.join(copies)}" for term, copies in sorted(twice.items()))
    w(f"- terms started twice: {len(twice)} (a term number handed to `started_leading` more than once, by any "
      f"copy{': ' + which if which else ''})")
    shared, decreasing = log_terms
    w(f"- terms the copies led with (their own lines): {len(shared)} shared by two copies, {len(decreasing)} "
      f"not higher than the term before at a change of leader")
    for term, names in shared:
        w(f"  - term {term} led by {', '.join(names)}")
    for t, old, old_term, new, new_term in decreasing:
        fault = next((f for f in faults if f.start <= t <= f.end), None)
        w(f"  - t={t:.3f}s: {new} led with term {new_term} after {old} led with term {old_term}"
          f" ({fault.kind + ' ' + fault.variant if fault else 'outside any fault window'})")
    w(f"- the lock's history ({history['revisions']} revisions, {history['records']} records): "
      f"{len(history['claims_raced'])} claims overwritten by a simultaneous claim of the same term (the loser's "
      f"read-back fails, so it does not lead); {len(history['terms_back'])} writes put back an older term "
      f"(a deposed leader's write landing late)")
    for when, old, old_term, new, new_term in history["terms_back"][:6]:
        w(f"  - {when}: {old} (term {old_term}) overwritten by {new} (term {new_term})")
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
    w(f"- server restarts with the state file: {kept}/{len(restarts)} kept the gist, its versions and its files")
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
