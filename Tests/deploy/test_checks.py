"""make test's own plumbing: the summary names each check's verdict and time, the lint check runs
beside the Swift build and tests and ends before the system tests, the demo runs beside the system
tests and ends before chaos, the deployment checks run beside chaos, and the image builds from pinned
versions.

The checks themselves are replaced by small functions here; scripts/lib.sh and scripts/checks.sh are
the real ones."""

from __future__ import annotations

import re
import subprocess

from .conftest import REPO

# Each stand-in check prints one line. The Swift check waits until lint has started, the system tests
# until the demo has, and chaos until the deployment checks have (each would wait in vain if the two
# ran one after the other); the system tests must find lint finished, and chaos the demo. Nothing is
# installed.
DRIVER = r"""
set -euo pipefail
REPO_ROOT="$1"
source "$2/scripts/lib.sh"
source "$2/scripts/checks.sh"
test_lint() {
  touch "${REPO_ROOT}/lint-started"
  echo "lint ran"
  touch "${REPO_ROOT}/lint-done"
  return "${LINT_RC}"
}
# await_file FILE MESSAGE: waits up to 30 s for FILE; fails saying MESSAGE when it does not come.
await_file() {
  local waited=0
  until [[ -e "$1" ]]; do
    (( waited++ < 300 )) || { echo "$2"; return 1; }
    sleep 0.1
  done
}
test_swift() {
  await_file "${REPO_ROOT}/lint-started" "lint never started beside the Swift check" || return 1
  echo "swift tests ran"
}
test_system() {
  [[ -e "${REPO_ROOT}/lint-done" ]] || { echo "the system tests started before lint ended"; return 1; }
  await_file "${REPO_ROOT}/demo-started" "the demo never started beside the system tests" || return 1
  echo "system tests ran"
}
test_demo() { touch "${REPO_ROOT}/demo-started"; echo "demo ran"; touch "${REPO_ROOT}/demo-done"; }
chaos_quick() {
  [[ -e "${REPO_ROOT}/demo-done" ]] || { echo "chaos started before the demo ended"; return 1; }
  await_file "${REPO_ROOT}/deploy-started" "the deployment checks never started beside chaos" || return 1
  # Outlasts the deployment checks by two seconds: their time must not include this wait.
  local waited=0
  until [[ -e "${REPO_ROOT}/out/checks/deploy.ended" ]] || (( waited++ > 50 )); do sleep 0.1; done
  sleep 2
  echo "chaos ran"
}
test_deploy() { touch "${REPO_ROOT}/deploy-started"; echo "deploy checks ran"; }
ensure_apt_packages() { :; }
python_venv() { :; }
test_all
"""


def run_all(tmp_path, lint_rc: int) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", DRIVER, "driver", str(tmp_path), str(REPO)],
                          env={"PATH": "/usr/bin:/bin", "LINT_RC": str(lint_rc)},
                          capture_output=True, text=True, timeout=120)


def summary(result: subprocess.CompletedProcess) -> list[str]:
    lines = result.stdout.splitlines()
    return lines[lines.index("") + 1:]


def test_the_summary_gives_each_checks_verdict_and_time(tmp_path):
    result = run_all(tmp_path, lint_rc=0)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = summary(result)
    names = ["swift", "lint", "system", "demo", "chaos", "deploy"]
    assert [re.sub(r" \(\d+m\d\ds\)$", "", line) for line in lines[:6]] == [f"PASS {name}" for name in names], lines
    assert re.fullmatch(r"all checks took \d+m\d\ds", lines[6]), lines
    assert lines[7] == "checks: 6 passed, 0 failed"
    seconds = {name: int(m) * 60 + int(s) for name, m, s in
               (re.fullmatch(r"PASS (\S+) \((\d+)m(\d\d)s\)", line).groups() for line in lines[:6])}
    assert seconds["deploy"] < seconds["chaos"], lines


def test_a_failed_check_beside_the_others_is_counted_and_its_output_shown_in_one_piece(tmp_path):
    result = run_all(tmp_path, lint_rc=3)
    assert result.returncode != 0
    lines = summary(result)
    assert any(re.fullmatch(r"FAIL lint \(\d+m\d\ds\)", line) for line in lines), lines
    assert lines[-1] == "checks: 5 passed, 1 failed"
    # Its output is kept aside while the Swift check runs, then shown under its own heading.
    log = result.stderr
    assert "lint ran" not in result.stdout
    assert log.index("check: lint: its output") < log.index("lint ran")
    assert (tmp_path / "out/checks/lint.log").read_text() == "lint ran\n"


def test_the_image_builds_from_exact_versions():
    """Package.resolved stays out of git, so the manifest names the versions make test ran with."""
    manifest = (REPO / "Package.swift").read_text()
    packages = re.findall(r"^\s*\.package\((.*)\),?$", manifest, re.MULTILINE)
    assert packages, "no .package lines found in Package.swift"
    loose = [line for line in packages if not re.search(r'exact: "\d+\.\d+\.\d+"', line)]
    assert not loose, f"dependencies without an exact version: {loose}"


def test_the_image_build_cache_has_an_explicit_id():
    dockerfile = (REPO / "Dockerfile").read_text()
    mounts = re.findall(r"--mount=type=cache,(\S+)", dockerfile)
    assert mounts, "the Dockerfile has no build cache"
    ids = {re.search(r"(?:^|,)id=([\w.-]+)", mount).group(1) if "id=" in mount else None for mount in mounts}
    assert None not in ids and len(ids) == 1, f"every cache mount needs the same explicit id: {mounts}"
