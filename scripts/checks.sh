# shellcheck shell=bash
# The checks: make test and its parts, the chaos run and the benchmark.

# Each check runs even after another failed; a summary closes the run with each check's verdict and time.
TEST_RESULTS=()

# run_check NAME COMMAND...: runs one check in the foreground.
run_check() {
  local name="$1" pid rc=0 started=${SECONDS}
  shift
  log "check: ${name}"
  # In the background, errexit stays in force inside the check (an `if` would switch it off), and
  # a check that dies does not end the run.
  "$@" &
  pid=$!
  wait "${pid}" || rc=$?
  record_check "${name}" "${rc}" $((SECONDS - started))
}

# start_check NAME COMMAND...: starts one check beside the next ones, its output kept in
# out/checks/NAME.log so that it does not mix with theirs; finish_check waits for it and shows that
# output in one piece before its verdict.
BESIDE_NAME=""
BESIDE_PID=""
BESIDE_STARTED=0

start_check() {
  BESIDE_NAME="$1"
  shift
  mkdir -p "${REPO_ROOT}/out/checks"
  log "check: ${BESIDE_NAME} (beside the next checks; its output follows when it ends)"
  local ended="${REPO_ROOT}/out/checks/${BESIDE_NAME}.ended"
  rm -f "${ended}"
  BESIDE_STARTED=$(date +%s)
  # Its time is its own, not the time until the checks beside it are done: it notes when it ends.
  (
    trap 'date +%s >"${ended}"' EXIT
    "$@"
  ) >"${REPO_ROOT}/out/checks/${BESIDE_NAME}.log" 2>&1 &
  BESIDE_PID=$!
}

finish_check() {
  local rc=0 ended
  wait "${BESIDE_PID}" || rc=$?
  log "check: ${BESIDE_NAME}: its output (out/checks/${BESIDE_NAME}.log)"
  cat "${REPO_ROOT}/out/checks/${BESIDE_NAME}.log" >&2
  ended="$(cat "${REPO_ROOT}/out/checks/${BESIDE_NAME}.ended" 2>/dev/null || date +%s)"
  record_check "${BESIDE_NAME}" "${rc}" $((ended - BESIDE_STARTED))
}

record_check() {
  local name="$1" rc="$2" seconds="$3" verdict=PASS
  (( rc == 0 )) || verdict=FAIL
  TEST_RESULTS+=("$(printf '%s %s (%dm%02ds)' "${verdict}" "${name}" $((seconds / 60)) $((seconds % 60)))")
  log "check: ${name}: ${verdict} after $((seconds / 60))m$(printf '%02d' $((seconds % 60)))s"
}

# require_swift_format: swift-format comes with the Swift 6 toolchains as `swift format`.
require_swift_format() {
  require_swift
  swift format --version >/dev/null 2>&1 ||
    die "swift format is missing: it comes with Swift 6.0 or newer (https://www.swift.org/install/)"
}

# test_lint: swift-format and ruff, each with the project's settings (.swift-format; pyproject.toml's
# [tool.ruff]); --strict makes swift-format's findings fail the check. `make format` fixes what both can.
test_lint() {
  require_swift_format
  local python rc=0
  python="$(python_venv)"
  # Both run, so that one check names every finding.
  (set -x; swift format lint --strict --parallel --recursive Package.swift Sources Tests) || rc=1
  (set -x; "$(dirname "${python}")/ruff" check --quiet) || rc=1
  return "${rc}"
}

# format: what test_lint checks, fixed in place: swift-format rewraps the Swift, ruff fixes imports and
# syntax. A Python line over 130 characters stays for a hand to break (ruff then names it).
format() {
  require_swift_format
  local python
  python="$(python_venv)"
  (set -x; swift format format --in-place --parallel --recursive Package.swift Sources Tests)
  (set -x; "$(dirname "${python}")/ruff" check --quiet --fix) || true
  test_lint
}

# The debug build of the tests holds both binaries too: the system tests and the chaos run use them.
test_swift() {
  require_swift
  # git: GistLockTests drive the real upload-pack and receive-pack; zlib: CompressNIO links it;
  # libssl-dev: the git client's SHA-1 comes from libcrypto; etcd: EtcdLockTests start a real
  # single-member etcd and read it back with etcdctl; openssl makes their TLS certificates.
  ensure_apt_packages git zlib1g-dev libssl-dev etcd-server etcd-client openssl || return 1
  # This is a fresh clone's first build, the one that compiles every file: a warning from Sources/
  # fails the check (the build's own output is shown as it comes, and kept for the grep).
  local build_log="${REPO_ROOT}/out/build-tests.log"
  mkdir -p "${REPO_ROOT}/out"
  (set -x; swift build --build-tests) 2>&1 | tee "${build_log}"
  (( PIPESTATUS[0] == 0 )) || return 1
  source_warnings "${build_log}" || { echo "the build warned about the project's own sources (above)" >&2; return 1; }
  (set -x; swift test --skip-build)
}

test_system() {
  # Built by the Swift check in make test; alone, a build of the two binaries.
  FAIL_ON_WARNINGS=true build_local
  # gist-server serves its gists' repositories with the real git; the tests clone and push with it.
  command -v git >/dev/null 2>&1 || ensure_apt_packages git || return 1
  # test_etcd_app.py runs copies with --lock etcd against a real etcd member; test_etcd_cluster.py runs a
  # three-member etcd and reads it with etcdctl.
  { command -v etcd && command -v etcdctl; } >/dev/null 2>&1 || ensure_apt_packages etcd-server etcd-client || return 1
  local python
  python="$(python_venv)"
  export BIN_DIR
  (set -x; "${python}" -m pytest -q Tests/harness Tests/bench Tests/chaos Tests/system)
}

# test_demo: make demo as a user's fresh clone runs it (Tests/demo): the gist demo's own build, without
# the etcd lock and in .build-demo, then the demo and its failovers.
test_demo() {
  command -v git >/dev/null 2>&1 || ensure_apt_packages git || return 1
  local python
  python="$(python_venv)"
  (set -x; "${python}" -m pytest -q Tests/demo)
}

# test_release: the app built as the Dockerfile builds it, and the checks of that binary (what it loads
# at run time is in the runtime image; the chart's environment reaches it). A release build of the app
# and its TLS stack takes about as long as the debug build and all tests together, so it is a check of
# its own (make test-release, and every image build) rather than a part of make test.
test_release() {
  build_release || return 1
  local python
  python="$(python_venv)"
  export LEADER_ELECTION_RELEASE_BIN="${LEADER_ELECTION_RELEASE_BIN:-${REPO_ROOT}/.build/release/leader-election}"
  (set -x; "${python}" -m pytest -q Tests/deploy/test_release_binary.py Tests/deploy/test_chart_app.py)
}

# build_release builds the app as the Dockerfile does, for the release-binary check.
build_release() {
  require_swift
  ensure_apt_packages libcurl4-openssl-dev zlib1g-dev libssl-dev || return 1
  (set -x; swift build -c release --static-swift-stdlib --product leader-election)
}

# test_all: lint beside the Swift check; the demo's own build (CPU-bound, in .build-demo) beside the
# system tests, which mostly wait for processes; the chaos run starts only after both, so that its
# timing verdicts are never judged under a compiler's load. The deployment checks (stand-ins and
# linters, light) run beside chaos.
test_all() {
  local started=${SECONDS}
  start_check lint test_lint
  run_check swift test_swift
  finish_check
  # The demo's own build is CPU-bound and the system tests mostly wait for processes: side by side.
  start_check demo test_demo
  SKIP_BUILD=true run_check system test_system
  finish_check
  # What both install comes first, so that two apt-get or pip runs never meet (each check installs
  # again, and fails with the reason, if this could not).
  (ensure_apt_packages git iproute2 libfaketime shellcheck libcurl4-openssl-dev) || true
  (python_venv >/dev/null) || true
  start_check deploy test_deploy
  SKIP_BUILD=true run_check chaos chaos_quick
  finish_check
  local result passed=0 failed=0 total=$((SECONDS - started))
  printf '\n'
  for result in "${TEST_RESULTS[@]}"; do
    printf '%s\n' "${result}"
    if [[ "${result}" == PASS* ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done
  printf 'all checks took %dm%02ds\n' $((total / 60)) $((total % 60))
  printf 'checks: %d passed, %d failed\n' "${passed}" "${failed}"
  (( failed == 0 ))
}

# chaos: the chaos run (Tests/chaos/chaos.py): copies of leader-election and a gist-server on this machine,
# driven through process, network, server, clock and contention faults, each repeated, with a fixed seed.
# It writes out/chaos/<profile>/report.md and timeline.png and fails when any goal of the run is broken
# (Tests/chaos/chaoslib/verdict.py lists them); Tests/chaos/test_analysis.py shows each can fail.
# CHAOS_PROFILE=full (default, about 20 minutes, then as long again with REST writes beside) or quick;
# CHAOS_SEED=N replays a run's faults; CHAOS_WITH_REST=true|false adds or skips the REST run.
# Network namespaces need root; without them cuts fall back to the server's per-client blackhole.
CHAOS_PROFILE="${CHAOS_PROFILE:-full}"
CHAOS_SEED="${CHAOS_SEED:-1}"

# LOCK=etcd runs it on a three-member etcd on loopback instead (out/chaos/<profile>-etcd/), with etcd's
# own faults added; LOCK="gist etcd" runs both, one after the other.
chaos() {
  build_local
  local python lock
  python="$(python_venv)"
  for lock in ${LOCK:-gist}; do
    case "${lock}" in
      gist) chaos_gist "${python}" || return 1 ;;
      etcd)
        ensure_apt_packages etcd-server etcd-client || return 1
        (set -x; "${python}" Tests/chaos/chaos.py --lock etcd --profile "${CHAOS_PROFILE}" --seed "${CHAOS_SEED}" \
          --bin-dir "${BIN_DIR}" --assert-safety) || return 1 ;;
      *) log "error: LOCK=${lock}: choose gist or etcd (or both: LOCK=\"gist etcd\")"; return 1 ;;
    esac
  done
}

chaos_gist() {
  local python="$1"
  ensure_apt_packages git iproute2 libfaketime || return 1
  # Called in a list (chaos_gist || ...), where errexit is off: each run's failure is returned by hand.
  (set -x; "${python}" Tests/chaos/chaos.py --profile "${CHAOS_PROFILE}" --seed "${CHAOS_SEED}" \
    --bin-dir "${BIN_DIR}" --assert-safety) || return 1
  # The same faults with REST writes (out/chaos/<profile>-rest/), judged on the goals compare-before-write
  # can meet; the lock-history goals it cannot meet are reported. make chaos does it; make test does not.
  local with_rest=false
  if [[ "${CHAOS_PROFILE}" == full ]]; then with_rest=true; fi
  if [[ "${CHAOS_WITH_REST:-${with_rest}}" == true ]]; then
    (set -x; "${python}" Tests/chaos/chaos.py --profile "${CHAOS_PROFILE}" --seed "${CHAOS_SEED}" \
      --bin-dir "${BIN_DIR}" --write-mode rest --assert-mode-goals)
  fi
}

# chaos_quick: one pass of each fault kind with short timings (about 4 minutes), for make test; on the
# gist alone, whatever LOCK says (the etcd run takes about as long again: make chaos LOCK=etcd).
chaos_quick() {
  CHAOS_PROFILE=quick LOCK=gist chaos
}

# bench: request rates against GitHub's limits, failover times, memory and CPU (Tests/bench/bench.py).
# It prints figures and never fails on slow ones. BENCH_QUICK=1 takes about 5 minutes instead of about 12;
# SKIP_BUILD=true BIN_DIR=.build/release measures release builds of both binaries.
# LOCK=etcd measures the same on a three-member etcd on loopback (Tests/bench/etcd_bench.py,
# out/bench-etcd.json); LOCK="gist etcd" runs both.
bench() {
  build_local
  local python lock
  python="$(python_venv)"
  export BIN_DIR
  for lock in ${LOCK:-gist}; do
    case "${lock}" in
      gist)
        command -v git >/dev/null 2>&1 || ensure_apt_packages git || return 1
        (set -x; "${python}" Tests/bench/bench.py) || return 1 ;;
      etcd)
        ensure_apt_packages etcd-server etcd-client || return 1
        (set -x; "${python}" Tests/bench/etcd_bench.py) || return 1 ;;
      *) log "error: LOCK=${lock}: choose gist or etcd (or both: LOCK=\"gist etcd\")"; return 1 ;;
    esac
  done
}

# test_deploy: the checks of the image, chart and cluster workflows that run without a cluster.
# Installs what it needs (shellcheck from apt, the Python tools into the venv) on a fresh machine.
test_deploy() {
  ensure_apt_packages shellcheck libcurl4-openssl-dev || return 1
  local python
  python="$(python_venv)"
  (set -x; "${python}" -m pytest -q Tests/deploy)
}

# flag_docs: the flag tables in docs/ (between <!-- flags-doc: BINARY --> and <!-- /flags-doc -->),
# rendered from the binaries' help by scripts/flags-doc.py; Tests/system/test_docs.py fails when the
# committed tables differ from it.
flag_docs() {
  build_local
  local python
  python="$(python_venv)"
  "${python}" scripts/flags-doc.py --bin-dir "${BIN_DIR}"
}
