"""What a user's own machine does that this one does not: macOS's BSD date and bash 3.2, no dpkg, Docker
stopped, a cluster the user made, a token that no longer works. Each tool's behaviour comes from a
stand-in in standins/ that says where it was read from."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .conftest import CICD_BASH, REPO, STANDINS


def tools_dir(root: Path, *names: str, **standins: str) -> Path:
    """A PATH folder with the named real tools and the given stand-ins (name -> stand-in file)."""
    bin_dir = root / "tools"
    bin_dir.mkdir(exist_ok=True)
    for name in names:
        found = shutil.which(name)
        assert found, f"{name} is needed on this machine"
        (bin_dir / name).symlink_to(found)
    for name, standin in standins.items():
        (bin_dir / name).symlink_to(STANDINS / standin)
    return bin_dir


def sourced(script: str, path: Path, bash: str = CICD_BASH, **env: str) -> subprocess.CompletedProcess[str]:
    """SCRIPT run by bash with cicd.sh's helpers and the demo sourced, the way cicd.sh sources them."""
    prologue = (f"set -euo pipefail; REPO_ROOT={REPO}; source scripts/lib.sh; source scripts/demo.sh; "
                f"source scripts/checks.sh; ")
    return subprocess.run([bash, "-c", prologue + script], cwd=REPO, capture_output=True, text=True, timeout=60,
                          env={"PATH": str(path), "HOME": str(path.parent), **env})


# ---- make demo on macOS: BSD date has no %N ---------------------------------------------------------

def test_the_demo_times_failovers_in_milliseconds_with_bsd_date(tmp_path):
    # bash before 5 has no EPOCHREALTIME; unsetting it here takes that clock away from bash 5 as well.
    path = tools_dir(tmp_path, "bash", "sleep", date="date-bsd")
    for extra in ((), ("perl",)):
        for name in extra:
            if not (path / name).exists():
                (path / name).symlink_to(shutil.which(name))
        result = sourced("unset EPOCHREALTIME; started=$(millis); sleep 0.01; "
                         "printf '%s %s\\n' \"${started}\" \"$(( $(millis) - started ))\"",
                         path, STANDIN_REAL_DATE=shutil.which("date"))
        assert result.returncode == 0, result.stderr
        started, elapsed = result.stdout.split()
        assert started.isdigit() and len(started) == 13, f"not milliseconds since 1970: {started!r}"
        assert 0 <= int(elapsed) < 60_000


def test_the_demo_times_failovers_with_gnu_date_and_with_epochrealtime(tmp_path):
    path = tools_dir(tmp_path, "bash", "date")
    for unset in ("unset EPOCHREALTIME; ", ""):
        result = sourced(unset + "millis", path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().isdigit() and len(result.stdout.strip()) == 13, result.stdout


# ---- make test on macOS: no dpkg ------------------------------------------------------------------

def test_the_package_check_is_skipped_where_there_is_no_dpkg(tmp_path):
    # macOS has neither dpkg nor apt-get; git and zlib come with Xcode's command line tools.
    path = tools_dir(tmp_path, "bash")
    result = sourced("ensure_apt_packages git zlib1g-dev && ensure_apt_packages git iproute2 libfaketime "
                     "&& echo checked", path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "checked\n"
    assert "no dpkg here: not checking the Debian packages git zlib1g-dev" in result.stderr
    assert "network namespaces (the chaos run cuts the network with the server's per-client blackhole instead) " \
           "is Linux-only" in result.stderr
    assert "libfaketime (the chaos run's clock-skew fault) is Linux-only" in result.stderr


def test_the_package_check_still_names_missing_packages_with_dpkg_and_no_apt(tmp_path):
    # dpkg -s exits 1 for a package that is not installed (dpkg-query's own status).
    path = tools_dir(tmp_path, "bash")
    (path / "dpkg").write_text("#!/bin/sh\nexit 1\n")
    (path / "dpkg").chmod(0o755)
    result = sourced("ensure_apt_packages zlib1g-dev", path)
    assert result.returncode == 1
    assert "missing packages zlib1g-dev: install them with your package manager" in result.stderr


# ---- bash 3.2, macOS's /bin/bash ---------------------------------------------------------------------
# CICD_BASH=/path/to/bash-3.2 runs every check of this folder under it; this check needs no such bash.

BASH4_ONLY = {
    r"\b(declare|local|typeset)\s+-[a-zA-Z]*A": "associative arrays (bash 4.0)",
    r"\b(declare|local|typeset)\s+-[a-zA-Z]*n\b": "namerefs (bash 4.3)",
    r"\b(mapfile|readarray)\b": "mapfile (bash 4.0)",
    r"\$\{[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?(,,?|\^\^?)": "case conversion (bash 4.0)",
    r"\$\{[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?@[QEPAaUuLK]\}": "${var@...} (bash 4.4)",
    r"\|&": "|& (bash 4.0)",
    r"&>>": "&>> (bash 4.0)",
    r"\bcoproc\b": "coproc (bash 4.0)",
    r";;&|;&\s*$": "case fall-through (bash 4.0)",
    r"\bwait\s+-n\b": "wait -n (bash 4.3)",
    r"\[\[\s+-v\s": "[[ -v ]] (bash 4.2)",
    r"\[\s*-1\s*\]\}": "negative array index (bash 4.3)",
}


def test_the_scripts_use_nothing_bash_3_2_lacks():
    import re
    found = []
    for script in [REPO / "cicd.sh", *sorted((REPO / "scripts").glob("*.sh"))]:
        for number, line in enumerate(script.read_text().splitlines(), 1):
            code = line.split(" # ")[0] if not line.lstrip().startswith("#") else ""
            for pattern, what in BASH4_ONLY.items():
                if re.search(pattern, code):
                    found.append(f"{script.name}:{number}: {what}: {line.strip()}")
    assert found == []
