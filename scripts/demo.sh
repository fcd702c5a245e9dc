# shellcheck shell=bash
# The demo: napoleon, stalin and cleopatra against a local gist server, with two failovers and a
# handover between them.

# Demo timings: short, so a failover shows within seconds. Override like DEMO_LEASE=10s make demo.
DEMO_LEASE="${DEMO_LEASE:-5s}"
DEMO_RENEW="${DEMO_RENEW:-3s}"
DEMO_RETRY="${DEMO_RETRY:-1s}"
DEMO_CANDIDATES="${DEMO_CANDIDATES:-napoleon stalin cleopatra}"
# How long a wait may take before the demo gives up, in seconds.
DEMO_TIMEOUT="${DEMO_TIMEOUT:-60}"
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
    --http 127.0.0.1:0 2>"${DEMO_DIR}/${name}.log" &
  DEMO_PIDS+=("$!")
  eval "DEMO_PID_${name}=$!"
}

# endpoint_of NAME: the HTTP endpoint of copy NAME, from the address its log says it serves on.
endpoint_of() {
  local address
  address="$(grep 'serving HTTP' "${DEMO_DIR}/$1.log" | grep -o '127\.0\.0\.1:[0-9][0-9]*' | tail -n 1)"
  [[ -n "${address}" ]] || die "$1 does not say where it serves HTTP (log in ${DEMO_DIR}/$1.log)"
  printf 'http://%s' "${address}"
}

pid_of() {
  local var="DEMO_PID_$1"
  printf '%s' "${!var}"
}

# millis prints the time in milliseconds, for failover figures. BSD date (macOS) has no %N and prints
# it as a letter, and bash before 5 has no EPOCHREALTIME: then perl's clock, then whole seconds.
millis() {
  local now="${EPOCHREALTIME:-}"
  now="${now/[.,]/}"
  if [[ "${now}" =~ ^[0-9]{16}$ ]]; then
    printf '%s' "${now%???}"
    return 0
  fi
  now="$(date +%s%N 2>/dev/null || true)"
  if [[ "${now}" =~ ^[0-9]{19}$ ]]; then
    printf '%s' "${now%??????}"
  elif now="$(perl -MTime::HiRes=time -e 'printf "%d", time * 1000' 2>/dev/null)" && [[ "${now}" =~ ^[0-9]+$ ]]; then
    printf '%s' "${now}"
  else
    printf '%s000' "$(date +%s)"
  fi
}

demo() {
  build_local
  # gist-server keeps the gist as a git repository served by the real git.
  command -v git >/dev/null 2>&1 || ensure_apt_packages git || return 1
  DEMO_DIR="$(mktemp -d "${TMPDIR:-/tmp}/leader-election-demo.XXXXXX")"
  trap demo_cleanup EXIT
  trap 'exit 130' INT TERM
  # A throwaway token for the local server only; it never leaves this machine.
  (umask 077; printf 'demo-%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" >"${DEMO_DIR}/token")

  log "starting the local gist server"
  # The demo's short timings renew every 0.5s (two retries inside a 3s renew deadline): 120 writes a
  # minute, above GitHub's 80, so its secondary write limits are lifted here.
  "${BIN_DIR}/gist-server" --port 0 --ready-file "${DEMO_DIR}/ready" --token-file "${DEMO_DIR}/token" \
    --state-file "${DEMO_DIR}/state.json" --secondary-limit-per-minute 100000 --secondary-limit-per-hour 1000000 \
    --create-gist >"${DEMO_DIR}/gist-id" 2>"${DEMO_DIR}/gist-server.log" &
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
  if grep -q 'writing the lock through git' "${DEMO_DIR}/${leader}.log"; then
    log "lock writes: git pushes to ${DEMO_URL}/${DEMO_GIST}.git, each applied only on the commit it was built on"
  else
    log "lock writes: REST PATCHes with a read-back (git refused; see the warning in ${leader}'s log)"
  fi
  show_logs

  log "stopping ${leader} gracefully (SIGTERM): it releases the lease"
  started=$(millis)
  kill -TERM "$(pid_of "${leader}")"
  local next
  next="$(wait_for_new_leader "${leader}")"
  log "${next} took over after $(( $(millis) - started )) ms"
  sleep 2
  show_logs

  local target
  for target in ${DEMO_CANDIDATES}; do
    [[ "${target}" == "${leader}" || "${target}" == "${next}" ]] || break
  done
  log "handing over from ${next} to ${target}: ${next} stops its work, then names ${target} in the lock"
  started=$(millis)
  "${BIN_DIR}/leader-election" handover --to "${target}" --endpoint "$(endpoint_of "${next}")"
  [[ "$(wait_for_new_leader "${next}")" == "${target}" ]] || die "the lease went to another copy than ${target}"
  log "${target} leads after the handover, in $(( $(millis) - started )) ms"
  sleep 2
  show_logs

  log "killing ${target} (SIGKILL): its lease must expire first"
  started=$(millis)
  kill -KILL "$(pid_of "${target}")"
  # Reap it quietly: bash would otherwise report the killed job in the middle of the demo output.
  { wait "$(pid_of "${target}")" || true; } 2>/dev/null
  local last
  last="$(wait_for_new_leader "${target}")"
  log "${last} took over after $(( $(millis) - started )) ms"
  sleep 2
  show_logs
  log "demo done"
}
