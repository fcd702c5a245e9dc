#!/usr/bin/env python3
"""The chaos run: several copies of leader-election and a gist-server on this machine, driven through a
scripted sequence of faults (process, network, server, clock, contention), each repeated, with a fixed
seed. Writes a Markdown report and a timeline picture, and with --assert-safety exits 1 when a safety
property the store allows was broken or a leader did not come back.

    python3 Tests/chaos/chaos.py --profile quick        # one pass of each fault, about 3-4 minutes
    python3 Tests/chaos/chaos.py --profile full         # every fault repeated, about 20 minutes
    python3 Tests/chaos/chaos.py --lock etcd            # on a three-member etcd, with etcd's faults
"""

import argparse
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

from chaoslib import analysis, driver, etcd, report, timeline, verdict
from chaoslib.processes import LOCK_FILE, parse_line
from chaoslib.run import Run
from chaoslib.scenarios import FAKETIME_LIB, KINDS
from chaoslib.timings import Timings
from harness.etcd_cluster import require_etcd

REPO_ROOT = Path(__file__).resolve().parents[2]
# Each etcd request is tried on up to three members in turn, so it gets a third of the gist's timeout.
ETCD_REQUEST_TIMEOUT = 0.25
PROFILES = {
    # copies, repetitions of each kind, contention and handover rounds per pass, seconds per picture row
    # (handover rounds alternate: to a named follower, then without a target)
    "quick": {"copies": 3, "repetitions": 1, "contention": 2, "handover": 2, "panel": 90},
    "full": {"copies": 4, "repetitions": 5, "contention": 3, "handover": 1, "panel": 120},
}


def log(message):
    print(f"chaos: {message}", flush=True)


def machine():
    load = os.getloadavg()
    return (f"{platform.node()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}, "
            f"load {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f} at the start")


def clock_probe(run):
    """What libfaketime's default mode (monotonic clock faked too) does to the app: run one copy in that
    mode against a gist of its own, free lease, and see whether it ever takes the lease."""
    if not Path(FAKETIME_LIB).exists():
        return ["libfaketime is not installed: no clock probe."]
    status, gist = run.server.call("POST", "/gists", {"public": False, "files": {"probe.txt": {"content": "probe"}}})
    if status != 201:
        return [f"could not create the probe's gist ({status})."]
    lines = []
    for mode, env in (("default mode (monotonic faked)", {"FAKETIME": "+5m"}),
                      ("FAKETIME_DONT_FAKE_MONOTONIC=1", {"FAKETIME": "+5m", "FAKETIME_DONT_FAKE_MONOTONIC": "1"})):
        command = ["env", run.leader_election_bin, "run", "--id", "probe", "--gist", gist["id"],
                   "--election", f"probe{len(lines)}",
                   "--github-api-url", f"http://{run.server.host}:{run.server.port}", *run.timings.args(),
                   "--log-format", "json", "--allow-plain-http"]
        environment = dict(os.environ, LEADER_ELECTION_GITHUB_API_TOKEN=run.server.token, LD_PRELOAD=FAKETIME_LIB, **env)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment)
        time.sleep(run.timings.lease + 2)
        process.send_signal(signal.SIGKILL)
        output = process.communicate()[1].decode(errors="replace").splitlines()
        events = [parse_line("probe", 0, line) for line in output]
        acquired = any(e.kind == "acquired" for e in events)
        last = events[-1].text if events else "(no output)"
        sleeper = subprocess.run(["env", sys.executable, "-c", "import time; time.sleep(0.2)"], env=environment,
                                 capture_output=True, text=True, timeout=60, check=False)
        slept = "returns" if sleeper.returncode == 0 else f"fails: {sleeper.stderr.strip().splitlines()[-1]}"
        lines.append(f"- {mode}: the app {'took the free lease' if acquired else 'never took the free lease'} within "
                     f"{run.timings.lease + 2:g}s ({len(events)} log lines, the last: `{last[:120]}`); "
                     f"Python's time.sleep(0.2) under the same settings {slept}")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="quick")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("CHAOS_SEED", "1")))
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "out" / "chaos")
    parser.add_argument("--bin-dir", type=Path, default=Path(os.environ.get("BIN_DIR", REPO_ROOT / ".build" / "debug")))
    parser.add_argument("--copies", type=int)
    parser.add_argument("--repetitions", type=int)
    parser.add_argument("--kinds", help="comma-separated fault kinds to run (default: all): " + ", ".join(KINDS))
    parser.add_argument("--assert-safety", action="store_true",
                        help="exit 1 if any goal of the run was broken (chaoslib/verdict.py lists them), whether or "
                             "not the write mode can meet it")
    parser.add_argument("--assert-mode-goals", action="store_true",
                        help="exit 1 if a goal the write mode can meet was broken; the others are reported")
    parser.add_argument("--lock", choices=["gist", "etcd"], default=os.environ.get("LOCK", "gist"),
                        help="the lock the copies elect through: a gist on gist-server (default), or a "
                             "three-member etcd cluster on loopback (its own fault kinds; etcd and etcdctl needed)")
    parser.add_argument("--write-mode", choices=["git", "rest"], default=os.environ.get("CHAOS_WRITE_MODE", "git"),
                        help="how the copies write the lock: git pushes (default) or REST PATCHes")
    args = parser.parse_args()
    profile = PROFILES[args.profile]
    copies = args.copies or profile["copies"]
    repetitions = args.repetitions or profile["repetitions"]
    known = {**etcd.KINDS, **etcd.UNSAFE} if args.lock == "etcd" else KINDS
    kinds = args.kinds.split(",") if args.kinds else [k for k in known if k not in etcd.UNSAFE]
    unknown = [k for k in kinds if k not in known]
    if unknown:
        parser.error(f"unknown fault kinds {unknown} for the {args.lock} lock; choose from {', '.join(known)}")
    if args.lock == "etcd":
        binary = args.bin_dir / "leader-election"
        if not os.access(binary, os.X_OK):
            parser.error(f"{binary} is missing: build first (./cicd.sh build-local) or give --bin-dir")
        require_etcd()
        return etcd.main(args, profile, kinds, copies, repetitions, Timings(settle=0.0, request_timeout=ETCD_REQUEST_TIMEOUT),
                         log, machine)
    bins = {name: str(args.bin_dir / name) for name in ("leader-election", "gist-server")}
    for path in bins.values():
        if not os.access(path, os.X_OK):
            parser.error(f"{path} is missing: build first (./cicd.sh build-local) or give --bin-dir")

    workdir = driver.fresh_workdir(args.out / (args.profile if args.write_mode == "git" else f"{args.profile}-rest"))
    timings = Timings()
    meta = driver.meta(args, machine, "make chaos" if args.profile == "full" else "./cicd.sh chaos_quick (part of make test)",
                       args.write_mode)
    run = Run(workdir, bins, timings, copies, args.seed, log, write_mode=args.write_mode)
    interrupted = driver.interrupt_on_sigterm()
    try:
        with driver.stopping(run, log):
            run.server.start()
            log(f"gist-server {run.server.url}, gist {run.server.gist_id}; {timings.describe()}")
            run.server.call("PATCH", f"/gists/{run.server.gist_id}",
                            {"files": {"notes.txt": {"content": "not the lock: must never change\n"}}})
            original = {k: v for k, v in run.server.files().items() if k != LOCK_FILE}
            probe = clock_probe(run) if "clock-skew" in kinds else []
            run.start_all()
            driver.play(run, kinds, repetitions, profile, KINDS, log)
            run.steady()
    finally:
        run_end = run.now()
        final_files = None
        if run.server.process and run.server.process.poll() is None:
            run.server.clear_faults()
            final_files = run.server.files()
        run.server.stop()
        run.network.teardown()
    if interrupted or not run.faults:
        return 130

    meta.update(duration=run_end, copies=[c.name for c in run.copies],
                network=("one network namespace per copy (veth pairs on a bridge); cuts drop every packet"
                         if run.network.mode == "netns" else
                         f"loopback; cuts are the server's per-client blackhole ({run.network.reason})"),
                server_restarts=run.checks.get("server_restarts", []))
    history = analysis.history_checks(run.server.state, run.server.gist_id, original)
    if final_files is not None:
        history["other_files_touched"] += [("final", n) for n, c in original.items() if final_files.get(n) != c]
    found = verdict.judge(run.events, run_end, run.faults, timings, history, run.checks)
    meta["terms_started_twice"] = found.started_twice
    gaps = analysis.leaderless(found.intervals, 0, run_end)
    hung = run.checks.get("hung", [])
    meta["extra_sections"] = [("Copies that hung", [
        f"- t={h['t']:.1f}s: {h['copy']} still believed it led while the lock named {h['holder'] or 'nobody'} for "
        f"longer than a lease and its renew deadline; killed and started again. Its threads: `{h['threads']}`"
        for h in hung])] if hung else []
    meta["extra_sections"] += [("libfaketime and the monotonic clock", [
        "The clock-skew fault runs its copy with `FAKETIME_DONT_FAKE_MONOTONIC=1`, so that only the wall clock "
        "(CLOCK_REALTIME: the record's acquireTime/renewTime and the log timestamps) is skewed; the elector "
        "judges expiry on the monotonic clock, so this checks that wall time does not change its decisions. "
        "The skewed copy's log stamps carry libfaketime's offset, which the analysis takes back out and checks "
        "against the times its lines were read (see Stamps). "
        "In libfaketime's default mode CLOCK_MONOTONIC is faked too (it then reads as the faked wall time), and "
        "even with the monotonic clock left alone libfaketime 0.9.10 rewrites timed waits. The probe, against "
        "a gist of its own:", *probe])] if probe else []
    picture = workdir / "timeline.png"
    report_path = workdir / "report.md"
    timeline.draw(picture, [c.name for c in run.copies], found.intervals, run.faults, found.double, gaps, run_end,
                  profile["panel"])
    report.write(report_path, meta, found, run.faults, run.events, timings, picture, args.write_mode)

    failing = found.failing(args.write_mode, every_goal=args.assert_safety)
    driver.summarize(report_path, picture, workdir, found, args.write_mode, log)
    if (args.assert_safety or args.assert_mode_goals) and failing:
        for key, problem in failing:
            log(f"FAILED: {key}: {problem}")
        for key, problem in found.broken:
            if (key, problem) not in failing:
                log(f"finding ({args.write_mode} writes cannot meet this goal): {key}: {problem}")
        return 1
    for key, problem in found.broken:
        log(f"finding: {key}: {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
