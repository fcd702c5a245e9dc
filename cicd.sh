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
  test-deploy   the image, chart and cluster-script checks alone (no cluster needed)
  chaos         the chaos run: faults, safety and liveness figures, report under out/chaos (CHAOS_PROFILE=quick: short)
  bench         request rates against GitHub's limits, failover times, memory and CPU (BENCH_QUICK=1: short)

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
  # Reap it quietly: bash would otherwise report the killed job in the middle of the demo output.
  { wait "$(pid_of "${next}")" || true; } 2>/dev/null
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
  local name="$1" pid rc=0
  shift
  log "check: ${name}"
  # In the background, errexit stays in force inside the check (an `if` would switch it off), and
  # a check that dies does not end the run.
  "$@" &
  pid=$!
  wait "${pid}" || rc=$?
  if (( rc == 0 )); then
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
  # git: GistLockTests drive the real upload-pack and receive-pack; zlib: CompressNIO links it.
  ensure_apt_packages git zlib1g-dev || return 1
  (set -x; swift build --build-tests && swift test)
}

test_system() {
  build_local
  local python
  python="$(python_venv pytest jsonschema)"
  export BIN_DIR
  (set -x; "${python}" -m pytest -q Tests/system)
}

# build_release builds the app as the Dockerfile does, for the release-binary check.
build_release() {
  require_swift
  ensure_apt_packages libcurl4-openssl-dev zlib1g-dev
  (set -x; swift build -c release --static-swift-stdlib --product leader-election)
}

test_all() {
  export LEADER_ELECTION_RELEASE_BIN="${LEADER_ELECTION_RELEASE_BIN:-${REPO_ROOT}/.build/release/leader-election}"
  run_check swift test_swift
  SKIP_BUILD=true run_check system test_system
  SKIP_BUILD=true run_check chaos chaos_quick
  run_check release-build build_release
  run_check deploy test_deploy
  local result passed=0 failed=0
  printf '\n'
  for result in "${TEST_RESULTS[@]}"; do
    printf '%s\n' "${result}"
    if [[ "${result}" == PASS* ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  done
  printf 'checks: %d passed, %d failed\n' "${passed}" "${failed}"
  (( failed == 0 ))
}

# chaos: the chaos run (Tests/chaos/chaos.py): copies of leader-election and a gist-server on this machine,
# driven through process, network, server, clock and contention faults, each repeated, with a fixed seed.
# It writes out/chaos/<profile>/report.md and timeline.png and fails when a safety property the store
# allows is broken (a term shared, two leaders past the bound) or a leader does not come back.
# CHAOS_PROFILE=full (default, about 20 minutes) or quick; CHAOS_SEED=N replays a run's faults.
# Network namespaces need root; without them cuts fall back to the server's per-client blackhole.
CHAOS_PROFILE="${CHAOS_PROFILE:-full}"
CHAOS_SEED="${CHAOS_SEED:-1}"

chaos() {
  build_local
  ensure_apt_packages iproute2 libfaketime || return 1
  local python
  python="$(python_venv matplotlib==3.11.2)"
  (set -x; "${python}" Tests/chaos/chaos.py --profile "${CHAOS_PROFILE}" --seed "${CHAOS_SEED}" \
    --bin-dir "${BIN_DIR}" --assert-safety)
}

# chaos_quick: one pass of each fault kind with short timings (about 4 minutes), for make test.
chaos_quick() {
  CHAOS_PROFILE=quick chaos
}

# bench: request rates against GitHub's limits, failover times, memory and CPU (Tests/bench/bench.py).
# It prints figures and never fails on slow ones. BENCH_QUICK=1 takes under 3 minutes instead of about 6;
# SKIP_BUILD=true BIN_DIR=.build/release measures release builds of both binaries.
bench() {
  build_local
  command -v python3 >/dev/null 2>&1 || die "python3 is not installed: install Python 3.9 or newer"
  export BIN_DIR
  (set -x; python3 Tests/bench/bench.py)
}

#---------------------------------------------------------------------------------------------------
# Cluster workflows
#---------------------------------------------------------------------------------------------------
# Run the app in one kind cluster holding one vcluster per name in CLUSTERS, all electing through one gist.
# Written for kind v0.32 (Kubernetes v1.36 nodes), vcluster CLI v0.36 (v0.20 or newer: --connect=false
# and `vcluster connect NAME -- CMD`), helm v3.18 or v4, kubectl v1.34 to v1.37 and docker 28.
# Each setting comes from the environment; the Makefile passes its own variables through.
CLUSTERS="${CLUSTERS:-napoleon stalin cleopatra}"   # vclusters, each in the host namespace vcluster-NAME
KIND_CLUSTER="${KIND_CLUSTER:-kind}"                # the kind cluster that hosts them
KIND_CONTEXT="kind-${KIND_CLUSTER}"                 # kind names the kubeconfig context after the cluster
IMAGE="${IMAGE:-leader-election}"                   # image repository, under REGISTRY when that is set
TAG="${TAG:-}"                                      # image tag; empty: the chart's appVersion
REGISTRY="${REGISTRY:-}"                            # e.g. ghcr.io/you: push there; empty: kind load the image
GIST_ID="${GIST_ID:-}"                              # the lock's gist; empty: deploy creates a private one
ELECTION="${ELECTION:-multi-cluster-leader-election}" # the lock is the gist file <ELECTION>.lock
RELEASE="${RELEASE:-leader-election}"               # Helm release, Deployment and Service name
APP_NAMESPACE="${APP_NAMESPACE:-leader-election}"   # namespace of the release inside each vcluster
REPLICAS="${REPLICAS:-1}"                           # copies per cluster; more than 1 gives pod-named identities
VALUES_FILE="${VALUES_FILE:-}"                      # extra Helm values file for deploy, e.g. other timings
LOG_LINES="${LOG_LINES:-15}"                        # log lines per cluster in check-leader
CLUSTER_TIMEOUT="${CLUSTER_TIMEOUT:-300}"           # seconds a wait may take before giving up
POLL_INTERVAL="${POLL_INTERVAL:-5}"                 # seconds between two looks while waiting
KEEP_KIND="${KEEP_KIND:-false}"                     # teardown keeps the kind cluster when true
# LEADER_ELECTION_GITHUB_API_TOKEN: token with only the gist scope (deploy; never printed or passed as an argument).
# LEADER_ELECTION_GITHUB_API_URL: another GitHub API (deploy); LEADER_ELECTION_BIN: run `init` with this
# binary instead of the image.

# The temporary files of this run, removed on exit whatever happens.
CLUSTER_TMP_FILES=()

cluster_cleanup() {
  local file
  for file in ${CLUSTER_TMP_FILES[@]+"${CLUSTER_TMP_FILES[@]}"}; do
    rm -f "${file}"
  done
  CLUSTER_TMP_FILES=()
}

# install_hint TOOL: where to get TOOL, in the version this script was written for.
install_hint() {
  case "$1" in
    docker) printf 'install Docker Engine 28 or Docker Desktop: https://docs.docker.com/engine/install/' ;;
    kind) printf 'install kind v0.32: https://kind.sigs.k8s.io/docs/user/quick-start/#installation' ;;
    vcluster) printf 'install the vcluster CLI v0.36: https://www.vcluster.com/docs/get-started' ;;
    helm) printf 'install helm v3.18+ or v4: https://helm.sh/docs/intro/install/' ;;
    kubectl) printf 'install kubectl v1.34+: https://kubernetes.io/docs/tasks/tools/' ;;
    *) printf 'install it and put it on PATH' ;;
  esac
}

# require_tools TOOL...: names every missing tool with its install hint, then stops.
require_tools() {
  local tool absent=0
  for tool in "$@"; do
    if ! command -v "${tool}" >/dev/null 2>&1; then
      printf 'error: %s is not installed: %s\n' "${tool}" "$(install_hint "${tool}")" >&2
      absent=1
    fi
  done
  (( absent == 0 )) || exit 1
}

# require_env VAR HINT: stops unless VAR is set and not empty.
require_env() {
  [[ -n "${!1:-}" ]] || die "$1 is not set: $2"
}

chart_app_version() {
  sed -n 's/^appVersion:[[:space:]]*"\{0,1\}\([^"[:space:]]*\)"\{0,1\}[[:space:]]*$/\1/p' "${REPO_ROOT}/chart/Chart.yaml"
}

image_tag() {
  printf '%s' "${TAG:-$(chart_app_version)}"
}

image_repository() {
  printf '%s' "${REGISTRY:+${REGISTRY%/}/}${IMAGE}"
}

image_ref() {
  printf '%s:%s' "$(image_repository)" "$(image_tag)"
}

vcluster_namespace() {
  printf 'vcluster-%s' "$1"
}

kind_cluster_exists() {
  kind get clusters 2>/dev/null | grep -qx -- "${KIND_CLUSTER}"
}

# vcluster_listed LIST_JSON NAME: whether `vcluster list --output json` shows NAME in its namespace.
vcluster_listed() {
  printf '%s' "$1" | tr -d ' \n' | grep -q -- "\"Name\":\"$2\",\"Namespace\":\"$(vcluster_namespace "$2")\""
}

vcluster_list_json() {
  vcluster list --context "${KIND_CONTEXT}" --output json
}

# vcluster_ready NAME: whether the vcluster's control plane pod reports ready.
vcluster_ready() {
  local ready
  ready="$(kubectl --context "${KIND_CONTEXT}" get pods --namespace "$(vcluster_namespace "$1")" \
    --selector "app=vcluster,release=$1" --output 'jsonpath={.items[*].status.containerStatuses[*].ready}')"
  [[ "${ready}" == *true* && "${ready}" != *false* ]]
}

# in_vcluster NAME CMD...: runs CMD on this machine with KUBECONFIG pointing at vcluster NAME.
in_vcluster() {
  local name="$1"
  shift
  vcluster connect "${name}" --namespace "$(vcluster_namespace "${name}")" --context "${KIND_CONTEXT}" \
    --silent -- "$@"
}

# wait_for WHAT CMD...: retries CMD every POLL_INTERVAL seconds until it succeeds, for at most CLUSTER_TIMEOUT.
wait_for() {
  local what="$1" start="${SECONDS}"
  shift
  until "$@" >/dev/null 2>&1; do
    log "waiting for ${what} ($(( SECONDS - start ))s of ${CLUSTER_TIMEOUT}s)"
    if (( SECONDS - start >= CLUSTER_TIMEOUT )); then
      die "gave up waiting for ${what} after ${CLUSTER_TIMEOUT}s (raise CLUSTER_TIMEOUT to wait longer)"
    fi
    sleep "${POLL_INTERVAL}"
  done
}

# run_app ARGS...: the leader-election app on this machine: LEADER_ELECTION_BIN, or else the image via docker.
# docker gets the token's variable name only (-e NAME), so the token stays out of every command line.
run_app() {
  if [[ -n "${LEADER_ELECTION_BIN:-}" ]]; then
    "${LEADER_ELECTION_BIN}" "$@"
  else
    docker run --rm -e LEADER_ELECTION_GITHUB_API_TOKEN -e LEADER_ELECTION_GITHUB_API_URL "$(image_ref)" "$@"
  fi
}

build_image() {
  require_tools docker git
  local ref
  ref="$(image_ref)"
  log "building ${ref}"
  (set -x; docker build --tag "${ref}" --build-arg VERSION="$(image_tag)" \
    --build-arg REVISION="$(git rev-parse --short HEAD 2>/dev/null || printf unknown)" "${REPO_ROOT}")
  if [[ -n "${REGISTRY}" ]]; then
    (set -x; docker push "${ref}")
  else
    require_tools kind
    if kind_cluster_exists; then
      (set -x; kind load docker-image "${ref}" --name "${KIND_CLUSTER}")
    else
      log "no kind cluster '${KIND_CLUSTER}' yet: deploy loads ${ref} into it after ./cicd.sh provision"
    fi
  fi
}

provision() {
  require_tools kind vcluster kubectl
  if kind_cluster_exists; then
    log "kind cluster '${KIND_CLUSTER}' exists"
  else
    (set -x; kind create cluster --name "${KIND_CLUSTER}" --wait "${CLUSTER_TIMEOUT}s")
  fi
  local existing name
  existing="$(vcluster_list_json)"
  for name in ${CLUSTERS}; do
    if vcluster_listed "${existing}" "${name}"; then
      log "vcluster '${name}' exists"
    else
      (set -x; vcluster create "${name}" --namespace "$(vcluster_namespace "${name}")" \
        --context "${KIND_CONTEXT}" --connect=false)
    fi
  done
  for name in ${CLUSTERS}; do
    wait_for "vcluster ${name} to be ready" vcluster_ready "${name}"
  done
  log "provisioned: kind cluster '${KIND_CLUSTER}' with vclusters ${CLUSTERS}"
}

# create_gist: makes a private gist with the app's init and prints its id.
create_gist() {
  local out id
  out="$(run_app init --election "${ELECTION}")" ||
    die "could not create a gist: check that LEADER_ELECTION_GITHUB_API_TOKEN has the gist scope (or set GIST_ID)"
  id="$(printf '%s\n' "${out}" | awk 'NF { last = $1 } END { print last }')"
  [[ "${id}" =~ ^[A-Za-z0-9_-]+$ ]] || die "init printed no gist id; set GIST_ID to an existing gist instead"
  printf '%s' "${id}"
}

# require_replicas: REPLICAS must be a whole number.
require_replicas() {
  [[ "${REPLICAS}" =~ ^[0-9]+$ ]] || die "REPLICAS must be a whole number, not '${REPLICAS}'"
}

deploy() {
  require_tools vcluster kubectl helm
  if [[ -z "${REGISTRY}" ]]; then require_tools kind docker; fi
  if [[ -z "${GIST_ID}" && -z "${LEADER_ELECTION_BIN:-}" ]]; then require_tools docker; fi
  require_env LEADER_ELECTION_GITHUB_API_TOKEN \
    "export a GitHub token with only the gist scope (https://github.com/settings/tokens)"
  export LEADER_ELECTION_GITHUB_API_TOKEN
  require_replicas
  [[ -z "${VALUES_FILE}" || -r "${VALUES_FILE}" ]] || die "VALUES_FILE '${VALUES_FILE}' cannot be read"
  kind_cluster_exists || die "no kind cluster '${KIND_CLUSTER}': run ./cicd.sh provision first"
  local ref
  ref="$(image_ref)"
  if [[ -z "${REGISTRY}" ]]; then
    docker image inspect "${ref}" >/dev/null 2>&1 || die "image ${ref} is not built: run ./cicd.sh build first"
  fi

  local gist_id="${GIST_ID}"
  if [[ -z "${gist_id}" ]]; then
    log "GIST_ID is empty: creating a private gist for the lock"
    gist_id="$(create_gist)"
    log "created gist ${gist_id}; reuse it with: export GIST_ID=${gist_id}"
  fi
  [[ "${gist_id}" =~ ^[A-Za-z0-9_-]+$ ]] || die "GIST_ID '${gist_id}' is not a gist id (the last part of the gist's URL)"

  # No `set -x` from here on: the token is in scope.
  if [[ -z "${REGISTRY}" ]]; then
    log "kind load docker-image ${ref} --name ${KIND_CLUSTER}"
    kind load docker-image "${ref}" --name "${KIND_CLUSTER}"
  fi

  # The token goes to kubectl in a file only this user can read, never as an argument.
  trap cluster_cleanup EXIT
  local token_file
  token_file="$(mktemp "${TMPDIR:-/tmp}/leader-election-token.XXXXXX")"
  CLUSTER_TMP_FILES+=("${token_file}")
  chmod 600 "${token_file}"
  printf '%s' "${LEADER_ELECTION_GITHUB_API_TOKEN}" >"${token_file}"

  # Every copy in every cluster shares the token, so the app's request-rate warning at start counts
  # them all (at least 1, which the chart requires even when REPLICAS is 0).
  local cluster_names candidates
  read -ra cluster_names <<<"${CLUSTERS}"
  candidates=$(( ${#cluster_names[@]} * 10#${REPLICAS} ))
  (( candidates >= 1 )) || candidates=1

  local helm_args=(
    upgrade --install "${RELEASE}" "${REPO_ROOT}/chart"
    --namespace "${APP_NAMESPACE}"
    --set-string "gist.id=${gist_id}"
    --set-string "gist.existingSecret.name=${RELEASE}-token"
    --set-string "election.name=${ELECTION}"
    --set-string "image.repository=$(image_repository)"
    --set-string "image.tag=$(image_tag)"
    --set "replicaCount=${REPLICAS}"
    --set "election.candidates=${candidates}"
    --wait --timeout "${CLUSTER_TIMEOUT}s"
  )
  if [[ -n "${LEADER_ELECTION_GITHUB_API_URL:-}" ]]; then
    helm_args+=(--set-string "gist.apiUrl=${LEADER_ELECTION_GITHUB_API_URL}")
  fi
  if [[ -n "${VALUES_FILE}" ]]; then
    helm_args+=(--values "${VALUES_FILE}")
  fi

  local name applied
  for name in ${CLUSTERS}; do
    log "deploying ${RELEASE} to ${name}"
    kubectl create namespace "${APP_NAMESPACE}" --dry-run=client --output yaml |
      in_vcluster "${name}" kubectl apply -f - >/dev/null
    applied="$(kubectl create secret generic "${RELEASE}-token" --namespace "${APP_NAMESPACE}" \
      --from-file="token=${token_file}" --dry-run=client --output yaml |
      in_vcluster "${name}" kubectl apply -f -)"
    log "${applied}"
    log "helm upgrade --install in ${name} (waits up to ${CLUSTER_TIMEOUT}s for the pods to be ready)"
    in_vcluster "${name}" helm "${helm_args[@]}" --set-string "clusterName=${name}"
    if [[ "${applied}" == *configured* ]]; then
      log "the token changed: restarting the pods in ${name} so they read it"
      in_vcluster "${name}" kubectl rollout restart --namespace "${APP_NAMESPACE}" "deployment/${RELEASE}"
    fi
  done
  cluster_cleanup
  log "deployed to ${CLUSTERS} with gist ${gist_id}; watch them with ./cicd.sh check-leader"
}

# cluster_lock_status FORMAT: the lock record (text or json), read by the first copy that answers.
cluster_lock_status() {
  local name
  for name in ${CLUSTERS}; do
    if in_vcluster "${name}" kubectl exec --namespace "${APP_NAMESPACE}" "deployment/${RELEASE}" -- \
      leader-election status --output "$1" 2>/dev/null; then
      return 0
    fi
  done
  return 1
}

cluster_lock_holder() {
  cluster_lock_status json | sed -n 's/.*"holderIdentity" *: *"\([^"]*\)".*/\1/p'
}

# cluster_of IDENTITY: the cluster in CLUSTERS that IDENTITY belongs to (NAME, or NAME-<pod> with replicas).
cluster_of() {
  local name best=""
  for name in ${CLUSTERS}; do
    if [[ "$1" == "${name}" || "$1" == "${name}-"* ]] && (( ${#name} > ${#best} )); then
      best="${name}"
    fi
  done
  [[ -n "${best}" ]] && printf '%s' "${best}"
}

check_leader() {
  require_tools vcluster kubectl
  require_replicas
  local name prefix=()
  if (( REPLICAS > 1 )); then prefix=(--prefix); fi
  for name in ${CLUSTERS}; do
    printf '\n===== %s =====\n' "${name}"
    in_vcluster "${name}" kubectl logs --namespace "${APP_NAMESPACE}" \
      --selector "app.kubernetes.io/instance=${RELEASE}" --tail "${LOG_LINES}" ${prefix[@]+"${prefix[@]}"} ||
      printf '(no logs from %s: scaled to 0, or not deployed yet)\n' "${name}"
  done
  printf '\n===== lock =====\n'
  cluster_lock_status text || die "no running copy could read the lock: run ./cicd.sh status"
}

kill_leader() {
  require_tools vcluster kubectl
  require_replicas
  local holder cluster
  holder="$(cluster_lock_holder || true)"
  [[ -n "${holder}" ]] || die "nobody holds the lock right now; see ./cicd.sh check-leader"
  cluster="$(cluster_of "${holder}")" || die "the leader '${holder}' runs in none of CLUSTERS (${CLUSTERS})"
  log "${holder} leads: scaling deployment/${RELEASE} in ${cluster} to 0"
  (set -x; in_vcluster "${cluster}" kubectl scale --namespace "${APP_NAMESPACE}" "deployment/${RELEASE}" --replicas=0)
  local start="${SECONDS}" next=""
  while true; do
    next="$(cluster_lock_holder || true)"
    if [[ -n "${next}" && "$(cluster_of "${next}" || true)" != "${cluster}" ]]; then
      break
    fi
    log "waiting for a new leader, holder now '${next:-none}' ($(( SECONDS - start ))s of ${CLUSTER_TIMEOUT}s)"
    if (( SECONDS - start >= CLUSTER_TIMEOUT )); then
      die "no new leader after ${CLUSTER_TIMEOUT}s; see ./cicd.sh check-leader"
    fi
    sleep "${POLL_INTERVAL}"
  done
  log "${next} took over after about $(( SECONDS - start ))s"
  log "bring ${cluster} back: vcluster connect ${cluster} -n $(vcluster_namespace "${cluster}") -- kubectl scale -n ${APP_NAMESPACE} deployment/${RELEASE} --replicas=${REPLICAS}"
}

cluster_status() {
  require_tools kind vcluster kubectl helm
  printf '===== kind clusters =====\n'
  kind get clusters
  if ! kind_cluster_exists; then
    printf '(no kind cluster %s: run ./cicd.sh provision)\n' "${KIND_CLUSTER}"
    return 0
  fi
  printf '\n===== vclusters =====\n'
  vcluster list --context "${KIND_CONTEXT}"
  local existing name
  existing="$(vcluster_list_json)"
  for name in ${CLUSTERS}; do
    printf '\n===== %s =====\n' "${name}"
    if ! vcluster_listed "${existing}" "${name}"; then
      printf '(no vcluster %s: run ./cicd.sh provision)\n' "${name}"
      continue
    fi
    in_vcluster "${name}" helm list --namespace "${APP_NAMESPACE}"
    in_vcluster "${name}" kubectl get deployments,pods --namespace "${APP_NAMESPACE}" --output wide
  done
}

teardown() {
  require_tools kind vcluster
  if ! kind_cluster_exists; then
    log "no kind cluster '${KIND_CLUSTER}': nothing to delete"
    return 0
  fi
  local existing name
  existing="$(vcluster_list_json)"
  for name in ${CLUSTERS}; do
    if vcluster_listed "${existing}" "${name}"; then
      (set -x; vcluster delete "${name}" --namespace "$(vcluster_namespace "${name}")" --context "${KIND_CONTEXT}")
    else
      log "vcluster '${name}' is already gone"
    fi
  done
  if [[ "${KEEP_KIND}" == "true" ]]; then
    log "KEEP_KIND=true: keeping kind cluster '${KIND_CLUSTER}'"
  else
    (set -x; kind delete cluster --name "${KIND_CLUSTER}")
  fi
}

# test_deploy: the checks of the image, chart and cluster workflows that run without a cluster.
# Installs what it needs (shellcheck from apt, Python tools into .venv-deploy) on a fresh machine.
DEPLOY_VENV="${DEPLOY_VENV:-${REPO_ROOT}/.venv-deploy}"

test_deploy() {
  ensure_apt_packages shellcheck libcurl4-openssl-dev || return 1
  if [[ ! -x "${DEPLOY_VENV}/bin/python" ]]; then
    python3 -m venv "${DEPLOY_VENV}" || die "python3 -m venv failed: install python3-venv"
  fi
  local req="${REPO_ROOT}/Tests/deploy/requirements.txt" stamp="${DEPLOY_VENV}/.requirements"
  if ! cmp -s "${req}" "${stamp}"; then
    "${DEPLOY_VENV}/bin/python" -m pip install --quiet --disable-pip-version-check -r "${req}" || return 1
    cp "${req}" "${stamp}"
  fi
  (set -x; "${DEPLOY_VENV}/bin/python" -m pytest -q Tests/deploy)
}

main() {
  local verb="${1:-help}"
  [[ $# -gt 0 ]] && shift
  case "${verb}" in
    help | -h | --help) usage ;;
    demo) demo ;;
    test) test_all ;;
    bench) bench ;;
    build-local) build_local ;;
    build) build_image ;;
    provision) provision ;;
    deploy) deploy ;;
    check-leader) check_leader ;;
    kill-leader) kill_leader ;;
    status) cluster_status ;;
    teardown) teardown ;;
    test-deploy) test_deploy ;;
    chaos) chaos ;;
    *) usage >&2; die "unknown verb '${verb}'" ;;
  esac
}

main "$@"
