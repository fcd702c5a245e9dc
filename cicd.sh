#!/usr/bin/env bash
# Every workflow of the project: local (demo, test, bench) and cluster (build, provision, deploy,
# check-leader, kill-leader, status, teardown). The Makefile calls this script; so can you:
#   ./cicd.sh <verb>        ./cicd.sh help
# The verbs are listed here; their code is in scripts/.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
# Where the user started it: relative file paths in the settings (ETCD_CA_FILE, ...) are read from there.
CICD_CALLER_DIR="${PWD}"
cd "${REPO_ROOT}"

usage() {
  cat <<'USAGE'
Usage: ./cicd.sh <verb>

Local (this machine, no cluster, no GitHub account):
  demo          build, then run napoleon, stalin and cleopatra against a local gist server and fail over
                (LOCK=etcd: against a local three-member etcd cluster instead)
  test          every check: Swift tests, system tests, chart render and lint, script lint
  build-local   build the Swift binaries (debug) into .build
  test-deploy   the image, chart and cluster-script checks alone (no cluster needed)
  test-demo     make demo as on a fresh clone: the gist demo's own build, then the demo, checked
  test-release  the release build (as the Dockerfile builds it) and the checks of that binary
  chaos         the chaos run: faults, safety and liveness figures, report under out/chaos (CHAOS_PROFILE=quick: short)
  bench         request rates against GitHub's limits, failover times, memory and CPU (BENCH_QUICK=1: short)
  docs          render the flag tables in docs/ from the binaries' --help
  format        apply swift-format and ruff's fixes (make test's lint check names what is left)

Clusters (kind + vcluster + helm + kubectl + docker):
  build         build the image; push it to $REGISTRY, or load it into the kind cluster
  provision     create the kind cluster and the vclusters (idempotent)
  deploy        install or upgrade the chart in every vcluster (LOCK=etcd: electing through etcd at
                ETCD_ENDPOINTS, or with ETCD_IN_CLUSTER=true a three-member etcd in the kind cluster)
  check-leader  show each cluster's logs and the current lock record
  kill-leader   scale the leader's deployment to 0 to watch a failover
  handover      ask the leader to hand over to TO (./cicd.sh handover stalin), or to any other copy
  status        show clusters, vclusters and releases
  teardown      delete what provision made
USAGE
}

# shellcheck source=scripts/lib.sh
source "${REPO_ROOT}/scripts/lib.sh"
# shellcheck source=scripts/demo.sh
source "${REPO_ROOT}/scripts/demo.sh"
# shellcheck source=scripts/checks.sh
source "${REPO_ROOT}/scripts/checks.sh"
# shellcheck source=scripts/clusters.sh
source "${REPO_ROOT}/scripts/clusters.sh"
# shellcheck source=scripts/etcd-deploy.sh
source "${REPO_ROOT}/scripts/etcd-deploy.sh"

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
    handover) handover_leader "$@" ;;
    status) cluster_status ;;
    teardown) teardown ;;
    test-deploy) test_deploy ;;
    test-demo) test_demo ;;
    test-release) test_release ;;
    chaos) chaos ;;
    docs) flag_docs ;;
    format) format ;;
    *) usage >&2; die "unknown verb '${verb}'" ;;
  esac
}

main "$@"
