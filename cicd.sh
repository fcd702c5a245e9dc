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

#---------------------------------------------------------------------------------------------------
# Cluster workflows
#---------------------------------------------------------------------------------------------------

main() {
  local verb="${1:-help}"
  [[ $# -gt 0 ]] && shift
  case "${verb}" in
    help | -h | --help) usage ;;
    *) usage >&2; die "unknown verb '${verb}'" ;;
  esac
}

main "$@"
