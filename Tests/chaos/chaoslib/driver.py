"""What a chaos run's main does whatever the lock: the fresh work folder, the report's heading facts, the
sequence of faults and its playing, and the summary printed at the end (chaos.py for the gist,
chaoslib/etcd.py for etcd)."""

import datetime
import shutil
import signal
from contextlib import contextmanager

from .analysis import describe_handover

# Kinds run several rounds per pass, as many as the profile says.
ROUNDS = ("contention", "handover")


def fresh_workdir(path):
    """`path`, emptied of a former run's files."""
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def meta(args, machine, command, write_mode):
    """The facts the report opens with."""
    started_at = datetime.datetime.now(datetime.UTC)
    return {"profile": args.profile, "seed": args.seed, "machine": machine(), "command": command,
            "date": started_at.strftime("%Y-%m-%d %H:%M UTC"), "write_mode": write_mode}


def interrupt_on_sigterm():
    """Turns SIGTERM into KeyboardInterrupt, so that the run stops its processes; the list it returns
    holds the signals caught."""
    interrupted = []

    def stop(signum, _frame):
        interrupted.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    return interrupted


@contextmanager
def stopping(run, log):
    """Stops every copy when the block ends, however it ends; an interrupt (SIGTERM too, see
    `interrupt_on_sigterm`) ends the block early, said in a line."""
    try:
        yield
    except KeyboardInterrupt:
        log("interrupted: stopping every process")
    finally:
        run.stop_all(signal.SIGTERM)


def sequence(kinds, repetitions, profile, rng):
    """(kind, round) pairs: every kind once a pass (those of ROUNDS as many rounds as the profile says),
    the first pass in the order given, the later ones shuffled."""
    played = []
    for rep in range(repetitions):
        order = list(kinds)
        if rep > 0:
            rng.shuffle(order)
        for kind in order:
            rounds = profile[kind] if kind in ROUNDS else 1
            played.extend((kind, rep * rounds + r) for r in range(rounds))
    return played


def play(run, kinds, repetitions, profile, table, log):
    """Plays the faults of `kinds` through their functions in `table`, with a line for each."""
    faults = sequence(kinds, repetitions, profile, run.rng)
    for number, (kind, rep) in enumerate(faults, 1):
        table[kind](run, rep)
        fault = run.faults[-1]
        log(f"[{number}/{len(faults)}] {kind} {fault.variant} -> leader {run.leader() or 'none'} "
            f"after {fault.end - fault.start:.1f}s{'' if fault.recovered else ' (NO LEADER)'}")


def summarize(report_path, picture, workdir, found, writes, log, extra=""):
    """Prints the report's table per fault kind and the safety figures (`extra` after the lock's writes),
    and logs where the report, picture and logs are."""
    table = open(report_path).read().split("\n## Per fault kind\n")[1].split("\n## ")[0]
    for line in table.splitlines():
        if line.startswith("|"):
            print(line)
    history = found.history
    print(f"lock writes: {writes}; {extra}claims overwritten: {len(history['claims_raced'])}; older terms written "
          f"back: {len(history['terms_back'])}; releases over another's claim: {len(history['releases_overwrote'])}; "
          f"terms written by several: {len(history['terms_written_by_several'])}; terms started twice: "
          f"{len(found.started_twice)}; double leadership among copies that could act: "
          f"{sum(e - s for s, e, _ in found.double):.3f}s in {len(found.double)} stretches "
          f"(tolerance {found.tolerance:g}s)")
    for handover in found.handovers:
        print(f"handover: {describe_handover(handover)}")
    log(f"report:   {report_path}")
    log(f"timeline: {picture}")
    log(f"logs:     {workdir}")
