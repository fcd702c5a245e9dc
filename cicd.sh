#!/usr/bin/env bash
# Every workflow of the project: local (demo, test, bench) and cluster (build, provision, deploy,
# check-leader, kill-leader, status, teardown). The Makefile calls this script; so can you:
#   ./cicd.sh <verb>        ./cicd.sh help
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
cd "${REPO_ROOT}"

usage() {
  cat <<'USAGE'
Usage: ./cicd.sh <verb>

Local (this machine, no cluster, no GitHub account):
  demo          build, then run napoleon, stalin and cleopatra against a local gist server and fail over
  test          every check: Swift tests, system tests, chart render and lint, script lint
  build-local   build the Swift binaries (debug) into .build

Clusters (kind + vcluster + helm + kubectl + docker):
  build         build the image; push it to $REGISTRY, or load it into the kind cluster
  provision     create the kind cluster and the vclusters (idempotent)
  deploy        install or upgrade the chart in every vcluster
  check-leader  show each cluster's logs and the current lock record
  kill-leader   scale the leader's deployment to 0 to watch a failover
  status        show clusters, vclusters and releases
  teardown      delete what provision made
USAGE
}

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

#---------------------------------------------------------------------------------------------------
# Local workflows
#---------------------------------------------------------------------------------------------------

# Demo timings: short, so a failover shows within seconds. Override like DEMO_LEASE=10s make demo.
DEMO_LEASE="${DEMO_LEASE:-5s}"
DEMO_RENEW="${DEMO_RENEW:-3s}"
DEMO_RETRY="${DEMO_RETRY:-1s}"
DEMO_CANDIDATES="${DEMO_CANDIDATES:-napoleon stalin cleopatra}"
# How long a wait may take before the demo gives up, in seconds.
DEMO_TIMEOUT="${DEMO_TIMEOUT:-60}"
# Where `swift build` puts the binaries; SKIP_BUILD=true uses what is there.
BIN_DIR="${BIN_DIR:-${REPO_ROOT}/.build/debug}"
SKIP_BUILD="${SKIP_BUILD:-false}"

# require_swift names the way out when the toolchain is missing.
require_swift() {
  command -v swift >/dev/null 2>&1 ||
    die "swift is not installed: get Swift 6.1 or newer from https://www.swift.org/install/"
}

# ensure_libcurl_dev installs what FoundationNetworking links against, when apt-get can.
ensure_apt_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg -s "${pkg}" >/dev/null 2>&1 || missing+=("${pkg}")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  command -v apt-get >/dev/null 2>&1 || die "missing packages ${missing[*]}: install them with your package manager"
  log "installing ${missing[*]}"
  local sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build_local() {
  if [[ "${SKIP_BUILD}" == "true" ]]; then
    [[ -x "${BIN_DIR}/leader-election" && -x "${BIN_DIR}/gist-server" ]] ||
      die "SKIP_BUILD=true but ${BIN_DIR} has no leader-election and gist-server: run ./cicd.sh build-local"
    return 0
  fi
  require_swift
  log "building leader-election and gist-server"
  (set -x; swift build --product leader-election && swift build --product gist-server)
}

# The processes the demo started, so cleanup can stop them whatever happens.
DEMO_PIDS=()
DEMO_DIR=""

demo_cleanup() {
  local pid
  for pid in "${DEMO_PIDS[@]}"; do
    kill -TERM "${pid}" 2>/dev/null || true
  done
  for pid in "${DEMO_PIDS[@]}"; do
    wait "${pid}" 2>/dev/null || true
  done
  DEMO_PIDS=()
  if [[ -n "${DEMO_DIR}" && "${KEEP_DEMO_DIR:-false}" != "true" ]]; then
    rm -rf "${DEMO_DIR}"
  fi
  DEMO_DIR=""
}

# lock_holder prints the current holder ("" when free or absent).
lock_holder() {
  lock_status json | sed -n 's/.*"holderIdentity":"\([^"]*\)".*/\1/p'
}

lock_status() {
  LEADER_ELECTION_GITHUB_API_TOKEN="$(cat "${DEMO_DIR}/token")" \
    "${BIN_DIR}/leader-election" status --gist "${DEMO_GIST}" --github-api-url "${DEMO_URL}" --output "$1"
}

# wait_for_new_leader OLD: waits until a holder other than OLD (and not empty) holds the lease.
wait_for_new_leader() {
  local old="$1" start now holder
  start=$(date +%s)
  while true; do
    holder="$(lock_holder || true)"
    if [[ -n "${holder}" && "${holder}" != "${old}" ]]; then
      printf '%s' "${holder}"
      return 0
    fi
    now=$(date +%s)
    if (( now - start > DEMO_TIMEOUT )); then
      die "no new leader after ${DEMO_TIMEOUT}s (logs in ${DEMO_DIR})"
    fi
    sleep 0.2
  done
}

show_logs() {
  local name
  for name in ${DEMO_CANDIDATES}; do
    printf '\n===== %s =====\n' "${name}"
    tail -n "${DEMO_LOG_LINES:-12}" "${DEMO_DIR}/${name}.log"
  done
  printf '\n===== lock =====\n'
  lock_status text
}

start_candidate() {
  local name="$1"
  LEADER_ELECTION_GITHUB_API_TOKEN="$(cat "${DEMO_DIR}/token")" \
    "${BIN_DIR}/leader-election" run --id "${name}" --gist "${DEMO_GIST}" --github-api-url "${DEMO_URL}" \
    --lease-duration "${DEMO_LEASE}" --renew-deadline "${DEMO_RENEW}" --retry-period "${DEMO_RETRY}" \
    2>"${DEMO_DIR}/${name}.log" &
  DEMO_PIDS+=("$!")
  eval "DEMO_PID_${name}=$!"
}

pid_of() {
  local var="DEMO_PID_$1"
  printf '%s' "${!var}"
}

# millis prints the time in milliseconds, for failover figures.
millis() { date +%s%3N; }

demo() {
  build_local
  DEMO_DIR="$(mktemp -d "${TMPDIR:-/tmp}/leader-election-demo.XXXXXX")"
  trap demo_cleanup EXIT
  trap 'exit 130' INT TERM
  # A throwaway token for the local server only; it never leaves this machine.
  (umask 077; printf 'demo-%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >"${DEMO_DIR}/token")

  log "starting the local gist server"
  "${BIN_DIR}/gist-server" --port 0 --ready-file "${DEMO_DIR}/ready" --token-file "${DEMO_DIR}/token" \
    --state-file "${DEMO_DIR}/state.json" --create-gist >"${DEMO_DIR}/gist-id" 2>"${DEMO_DIR}/gist-server.log" &
  DEMO_PIDS+=("$!")
  local waited=0
  until [[ -s "${DEMO_DIR}/ready" && -s "${DEMO_DIR}/gist-id" ]]; do
    (( waited++ < DEMO_TIMEOUT * 10 )) || die "the gist server did not start: $(cat "${DEMO_DIR}/gist-server.log")"
    sleep 0.1
  done
  DEMO_URL="$(cat "${DEMO_DIR}/ready")"
  DEMO_GIST="$(head -n 1 "${DEMO_DIR}/gist-id")"
  log "gist ${DEMO_GIST} on ${DEMO_URL}; timings: lease ${DEMO_LEASE}, renew deadline ${DEMO_RENEW}, retry ${DEMO_RETRY}"

  local name
  for name in ${DEMO_CANDIDATES}; do
    start_candidate "${name}"
  done
  local leader started
  leader="$(wait_for_new_leader "")"
  sleep 3
  log "${leader} leads"
  show_logs

  log "stopping ${leader} gracefully (SIGTERM): it releases the lease"
  started=$(millis)
  kill -TERM "$(pid_of "${leader}")"
  local next
  next="$(wait_for_new_leader "${leader}")"
  log "${next} took over after $(( $(millis) - started )) ms"
  sleep 2
  show_logs

  log "killing ${next} (SIGKILL): its lease must expire first"
  started=$(millis)
  kill -KILL "$(pid_of "${next}")"
  local last
  last="$(wait_for_new_leader "${next}")"
  log "${last} took over after $(( $(millis) - started )) ms"
  sleep 2
  show_logs
  log "demo done"
}

# Each check runs even after another failed; a summary closes the run.
TEST_RESULTS=()

run_check() {
  local name="$1"
  shift
  log "check: ${name}"
  if "$@"; then
    TEST_RESULTS+=("PASS ${name}")
  else
    TEST_RESULTS+=("FAIL ${name}")
  fi
}

python_venv() {
  local venv="${REPO_ROOT}/.venv"
  if [[ ! -x "${venv}/bin/python" ]]; then
    python3 -m venv "${venv}" || die "python3 -m venv failed: install python3-venv"
  fi
  "${venv}/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
  printf '%s' "${venv}/bin/python"
}

test_swift() {
  require_swift
  (set -x; swift build --build-tests && swift test)
}

test_system() {
  build_local
  local python
  python="$(python_venv pytest jsonschema)"
  (set -x; LEADER_ELECTION_BIN="${BIN_DIR}/leader-election" GIST_SERVER_BIN="${BIN_DIR}/gist-server" \
    "${python}" -m pytest -q Tests/system)
}

test_all() {
  run_check swift test_swift
  SKIP_BUILD=true run_check system test_system
  if declare -F test_deploy >/dev/null; then
    run_check deploy test_deploy
  fi
  local result passed=0 failed=0
  printf '\n'
  for result in "${TEST_RESULTS[@]}"; do
    printf '%s\n' "${result}"
    if [[ "${result}" == PASS* ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done
  printf 'checks: %d passed, %d failed\n' "${passed}" "${failed}"
  (( failed == 0 ))
}

#---------------------------------------------------------------------------------------------------
# Cluster workflows
#---------------------------------------------------------------------------------------------------

main() {
  local verb="${1:-help}"
  [[ $# -gt 0 ]] && shift
  case "${verb}" in
    help | -h | --help) usage ;;
    demo) demo ;;
    test) test_all ;;
    build-local) build_local ;;
    *) usage >&2; die "unknown verb '${verb}'" ;;
  esac
}

main "$@"
