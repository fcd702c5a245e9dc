# shellcheck shell=bash
# Shared by the recording stand-ins: each call appends its tool name and argv to STANDIN_LOG, one line
# per call, and keeps what it "created" under STANDIN_STATE so later calls see it, like the real tools.
set -euo pipefail

: "${STANDIN_LOG:?STANDIN_LOG must name the call log}"
: "${STANDIN_STATE:?STANDIN_STATE must name the state directory}"
mkdir -p "${STANDIN_STATE}"

# record TOOL ARGS...: appends one line; inside `vcluster connect` the line names the vcluster.
record() {
  local tool="$1"
  shift
  local where=""
  [[ -n "${STANDIN_VCLUSTER:-}" ]] && where="[${STANDIN_VCLUSTER}] "
  printf '%s%s %s\n' "${where}" "${tool}" "$*" >>"${STANDIN_LOG}"
}

# flag_value NAME ARGS...: the value of --NAME VALUE or --NAME=VALUE among ARGS.
flag_value() {
  local name="$1"
  shift
  while (( $# > 0 )); do
    case "$1" in
      "--${name}="*) printf '%s' "${1#*=}"; return 0 ;;
      "--${name}") printf '%s' "${2:-}"; return 0 ;;
    esac
    shift
  done
  return 1
}

# has_line FILE LINE: whether FILE holds LINE exactly.
has_line() {
  [[ -f "$1" ]] && grep -qxF -- "$2" "$1"
}

# remove_line FILE LINE
remove_line() {
  [[ -f "$1" ]] || return 0
  grep -vxF -- "$2" "$1" >"$1.new" || true
  mv "$1.new" "$1"
}

# replicas_of CLUSTER: the deployment's replicas in that vcluster, or nothing when never deployed.
replicas_of() {
  local file="${STANDIN_STATE}/replicas-$1"
  [[ -f "${file}" ]] && cat "${file}"
}

# current_leader: the cluster a handover named (STANDIN_STATE/leader) while it still runs a copy, else the
# first deployed cluster, in CLUSTERS order, that still runs a copy.
current_leader() {
  local name replicas
  name="$(cat "${STANDIN_STATE}/leader" 2>/dev/null || true)"
  replicas="$( [[ -z "${name}" ]] || replicas_of "${name}" || true)"
  if [[ -n "${replicas}" && "${replicas}" != "0" ]]; then
    printf '%s' "${name}"
    return 0
  fi
  for name in ${CLUSTERS:-napoleon stalin cleopatra}; do
    replicas="$(replicas_of "${name}" || true)"
    if [[ -n "${replicas}" && "${replicas}" != "0" ]]; then
      printf '%s' "${name}"
      return 0
    fi
  done
  return 1
}

# identity_of CLUSTER: the identity a copy there has; STANDIN_POD_SUFFIX mimics pod-named identities.
identity_of() {
  printf '%s%s' "$1" "${STANDIN_POD_SUFFIX:+-${STANDIN_POD_SUFFIX}}"
}

# print_status FORMAT [WRITES] [KEY]: what `leader-election status` prints for the current leader; WRITES is
# how a run would write the lock (git, rest, or "none (why)"), as StatusCommand.swift reports it. With KEY
# the lock is that etcd key (EtcdStore's place and facts) instead of the gist.
print_status() {
  local leader=""
  if leader="$(current_leader)"; then leader="$(identity_of "${leader}")"; fi
  if [[ -n "${3:-}" ]]; then
    if [[ "$1" == "json" ]]; then
      printf '{"lock":"etcd","exists":true,"holderIdentity":"%s","leaderTransitions":2,"key":"%s","endpoints":"%s","member":"%s"}\n' \
        "${leader}" "$3" "${STANDIN_ETCD_ENDPOINTS:-}" "${STANDIN_ETCD_ENDPOINTS%%,*}"
    else
      printf 'lock:     etcd key %s\nholder:   %s\nterm:     2 (leaderTransitions)\n' "$3" "${leader:-none (released)}"
    fi
  elif [[ "$1" == "json" ]]; then
    printf '{"exists":true,"file":"multi-cluster-leader-election.lock","gist":"%s","holderIdentity":"%s","leaderTransitions":2,"writeMode":"%s"}\n' \
      "${STANDIN_GIST_ID:-feedc0de}" "${leader}" "${2:-git}"
  else
    printf 'lock:     multi-cluster-leader-election.lock in gist %s\nholder:   %s\nterm:     2 (leaderTransitions)\n' \
      "${STANDIN_GIST_ID:-feedc0de}" "${leader:-none (released)}"
  fi
}

# release_value CLUSTER PATH: a value the release in that vcluster was given (helm's stand-in keeps them).
release_value() {
  local file="${STANDIN_STATE}/values-$1"
  [[ -f "${file}" ]] && sed -n "s|^$2=||p" "${file}"
  return 0
}

# kubeconfig: the file kubectl, helm and vcluster read, as they pick it: KUBECONFIG, else ~/.kube/config.
kubeconfig() {
  printf '%s' "${KUBECONFIG:-${HOME}/.kube/config}"
}

# kubeconfig_lines SED_SCRIPT: what `sed -n SED_SCRIPT` prints of the kubeconfig; nothing when there is none.
kubeconfig_lines() {
  local file
  file="$(kubeconfig)"
  [[ -f "${file}" ]] && sed -n "$1" "${file}"
  return 0
}

# current_context: the kubeconfig's current-context, empty when there is none.
current_context() {
  kubeconfig_lines 's/^current-context: *//p'
}

# has_context NAME: whether the kubeconfig defines context NAME.
has_context() {
  kubeconfig_contexts | grep -qxF -- "$1"
}

# write_kubeconfig FILE CURRENT CONTEXT...: a kubeconfig holding CONTEXTs (each with a client key,
# as kind's and vcluster's have), CURRENT selected.
write_kubeconfig() {
  local file="$1" current="$2" name
  shift 2
  mkdir -p "$(dirname "${file}")"
  {
    printf 'apiVersion: v1\nkind: Config\ncontexts:\n'
    for name in "$@"; do printf -- '- name: %s\n  context:\n    cluster: %s\n    user: %s\n' "${name}" "${name}" "${name}"; done
    printf 'users:\n'
    for name in "$@"; do printf -- '- user: %s\n  client-key-data: c2VjcmV0LWtleS1vZi0%s\n' "${name}" "${name}"; done
    printf 'current-context: %s\n' "${current}"
  } >"${file}"
}

# kubeconfig_contexts: the context names the kubeconfig defines.
kubeconfig_contexts() {
  kubeconfig_lines 's/^- name: //p'
}

# The gist's own token: when STANDIN_STATE/gist-token exists, GitHub takes that token and no other (401).
token_accepted() {
  local file="${STANDIN_STATE}/gist-token"
  [[ ! -f "${file}" || "$1" == "$(cat "${file}")" ]]
}

# pods_crash NAME: whether the copies in vcluster NAME stop at start: the token in their Secret is refused
# (the app's StartupCheck ends it on a 401), or NAME is in STANDIN_POD_CRASH (any other reason).
pods_crash() {
  local secret="${STANDIN_STATE}/applied/$1/Secret-leader-election-token.yaml" token
  [[ " ${STANDIN_POD_CRASH:-} " == *" $1 "* ]] && return 0
  [[ -f "${secret}" ]] || return 1
  token="$(sed -n 's/^  token: //p' "${secret}" | base64 -d)"
  ! token_accepted "${token}"
}

# crash_log: what a copy that stopped at start printed (the app's error for a refused token).
crash_log() {
  echo "I1121 10:00:01.000000       1 ElectionApp.swift:30] starting identity=\"$1\""
  echo "E1121 10:00:01.400000       1 ElectionApp.swift:61] the token was rejected (401 Bad credentials): check LEADER_ELECTION_GITHUB_API_TOKEN"
}
