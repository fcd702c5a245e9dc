# shellcheck shell=bash
# The demo: napoleon, stalin and cleopatra against a local gist server, with two failovers and a
# handover between them; with LOCK=etcd (make demo LOCK=etcd) against a local three-member etcd cluster instead.

# Demo timings: short, so a failover shows within seconds. Override like DEMO_LEASE=10s make demo.
DEMO_LEASE="${DEMO_LEASE:-5s}"
DEMO_RENEW="${DEMO_RENEW:-3s}"
DEMO_RETRY="${DEMO_RETRY:-1s}"
DEMO_CANDIDATES="${DEMO_CANDIDATES:-napoleon stalin cleopatra}"
# How long a wait may take before the demo gives up, in seconds.
DEMO_TIMEOUT="${DEMO_TIMEOUT:-60}"
# Where the lock lives: gist (a local gist server) or etcd (a local three-member etcd cluster).
DEMO_LOCK="${LOCK:-gist}"
# The processes the demo started, so cleanup can stop them whatever happens; the etcd members are
# stopped after the copies, so that a copy stopping gracefully can still release its lease.
DEMO_PIDS=()
DEMO_ETCD_PIDS=()
DEMO_DIR=""

demo_cleanup() {
  demo_stop ${DEMO_PIDS[@]+"${DEMO_PIDS[@]}"}
  DEMO_PIDS=()
  stop_etcd
  if [[ -n "${DEMO_DIR}" && "${KEEP_DEMO_DIR:-false}" != "true" ]]; then
    rm -rf "${DEMO_DIR}"
  fi
  DEMO_DIR=""
}

# demo_stop PID...: stops these processes and waits for them.
demo_stop() {
  local pid
  for pid in "$@"; do
    kill -TERM "${pid}" 2>/dev/null || true
  done
  for pid in "$@"; do
    wait "${pid}" 2>/dev/null || true
  done
}

# lock_holder prints the current holder ("" when free or absent).
lock_holder() {
  lock_status json | sed -n 's/.*"holderIdentity":"\([^"]*\)".*/\1/p'
}

lock_status() {
  if [[ "${DEMO_LOCK}" == etcd ]]; then
    "${BIN_DIR}/leader-election" status --lock etcd --etcd-endpoints "$(etcd_endpoints 0)" \
      --election "${DEMO_ELECTION}" --output "$1"
    return
  fi
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
  if [[ "${DEMO_LOCK}" == etcd ]]; then
    printf '\n===== etcdctl get %s =====\n' "${DEMO_ETCD_KEY}"
    demo_etcdctl get --print-value-only "${DEMO_ETCD_KEY}"
  fi
}

# start_candidate NAME INDEX: starts copy NAME, the INDEX-th; with etcd it is given the members starting
# with the INDEX-th, so that each copy talks to a member of its own first.
start_candidate() {
  local name="$1"
  if [[ "${DEMO_LOCK}" == etcd ]]; then
    "${BIN_DIR}/leader-election" run --id "${name}" --lock etcd --etcd-endpoints "$(etcd_endpoints "$2")" \
      --election "${DEMO_ELECTION}" \
      --lease-duration "${DEMO_LEASE}" --renew-deadline "${DEMO_RENEW}" --retry-period "${DEMO_RETRY}" \
      --http 127.0.0.1:0 2>"${DEMO_DIR}/${name}.log" &
  else
    LEADER_ELECTION_GITHUB_API_TOKEN="$(cat "${DEMO_DIR}/token")" \
      "${BIN_DIR}/leader-election" run --id "${name}" --gist "${DEMO_GIST}" --github-api-url "${DEMO_URL}" \
      --lease-duration "${DEMO_LEASE}" --renew-deadline "${DEMO_RENEW}" --retry-period "${DEMO_RETRY}" \
      --http 127.0.0.1:0 2>"${DEMO_DIR}/${name}.log" &
  fi
  DEMO_PIDS+=("$!")
  eval "DEMO_PID_${name}=$!"
}

# ---- the local etcd cluster (LOCK=etcd) --------------------------------------------------------------

# The election the etcd demo holds, and so its key: <the app's default prefix>/<election>.
DEMO_ELECTION="${DEMO_ELECTION:-demo}"
DEMO_ETCD_KEY="/leader-election/${DEMO_ELECTION}"
# The members' client URLs, set by start_etcd.
DEMO_ETCD_URLS=()

# etcd_endpoints FIRST: the members' client URLs, comma-separated, from the FIRST-th (0-based) round.
etcd_endpoints() {
  local count=${#DEMO_ETCD_URLS[@]} i out=""
  for (( i = 0; i < count; i++ )); do
    out+="${out:+,}${DEMO_ETCD_URLS[$(( ($1 + i) % count ))]}"
  done
  printf '%s' "${out}"
}

demo_etcdctl() {
  etcdctl --endpoints "$(etcd_endpoints 0)" --dial-timeout 1s --command-timeout 2s "$@"
}

# free_port_block: the first of six consecutive loopback ports that nothing listens on. A port taken
# between this look and etcd's bind makes the member exit, and start_etcd tries other ports.
free_port_block() {
  local tries base port busy
  for (( tries = 0; tries < 50; tries++ )); do
    base=$(( 20000 + RANDOM % 30000 ))
    busy=false
    for (( port = base; port < base + 6; port++ )); do
      if (: <"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
        busy=true
        break
      fi
    done
    if [[ "${busy}" == false ]]; then
      printf '%s' "${base}"
      return 0
    fi
  done
  return 1
}

# require_etcd installs Debian's etcd when it is missing, as the tests do.
require_etcd() {
  if ! command -v etcd >/dev/null 2>&1 || ! command -v etcdctl >/dev/null 2>&1; then
    ensure_apt_packages etcd-server etcd-client || return 1
  fi
  if ! command -v etcd >/dev/null 2>&1 || ! command -v etcdctl >/dev/null 2>&1; then
    die "etcd and etcdctl are not installed: install etcd 3.4 or newer (Debian: apt-get install etcd-server etcd-client; macOS: brew install etcd)"
  fi
}

# stop_etcd stops the members one after the other: a Raft leader stopped beside its followers waits
# seven seconds for a transfer of leadership that cannot happen. Ctrl-C reaches every member at once
# (etcd handles SIGINT even when started in the background), so a member still running after 3 s is
# killed: its data is thrown away with the demo's directory anyway.
stop_etcd() {
  local pid waited
  for pid in ${DEMO_ETCD_PIDS[@]+"${DEMO_ETCD_PIDS[@]}"}; do
    kill -TERM "${pid}" 2>/dev/null || true
    waited=0
    while kill -0 "${pid}" 2>/dev/null && (( waited++ < 30 )); do
      sleep 0.1
    done
    kill -KILL "${pid}" 2>/dev/null || true
    wait "${pid}" 2>/dev/null || true
  done
  DEMO_ETCD_PIDS=()
}

# start_etcd: three members on loopback, each with its own data directory under DEMO_DIR, started
# together as a new cluster; returns once every member answers. Tries other ports when a member exits.
start_etcd() {
  local attempt
  for attempt in 1 2 3; do
    if start_etcd_once "${attempt}"; then
      return 0
    fi
    stop_etcd
    log "etcd did not start on these ports (attempt ${attempt}); trying others"
  done
  die "etcd did not start: see ${DEMO_DIR}/etcd-*.log, e.g.: $(tail -n 5 "${DEMO_DIR}/etcd-1.log" 2>/dev/null)"
}

start_etcd_once() {
  local attempt="$1" base i name cluster="" waited=0 pid
  base="$(free_port_block)" || die "found no six free ports on 127.0.0.1 for etcd"
  DEMO_ETCD_URLS=()
  for i in 0 1 2; do
    cluster+="${cluster:+,}etcd-$((i + 1))=http://127.0.0.1:$((base + 3 + i))"
    DEMO_ETCD_URLS+=("http://127.0.0.1:$((base + i))")
  done
  for i in 0 1 2; do
    name="etcd-$((i + 1))"
    rm -rf "${DEMO_DIR:?}/${name}"
    etcd --name "${name}" --data-dir "${DEMO_DIR}/${name}" \
      --listen-client-urls "${DEMO_ETCD_URLS[i]}" --advertise-client-urls "${DEMO_ETCD_URLS[i]}" \
      --listen-peer-urls "http://127.0.0.1:$((base + 3 + i))" \
      --initial-advertise-peer-urls "http://127.0.0.1:$((base + 3 + i))" \
      --initial-cluster "${cluster}" --initial-cluster-state new \
      --initial-cluster-token "leader-election-demo-${base}-${attempt}" \
      --logger zap --log-outputs stderr 2>"${DEMO_DIR}/${name}.log" &
    DEMO_ETCD_PIDS+=("$!")
  done
  until demo_etcdctl endpoint health >/dev/null 2>&1; do
    for pid in "${DEMO_ETCD_PIDS[@]}"; do
      kill -0 "${pid}" 2>/dev/null || return 1
    done
    (( waited++ < DEMO_TIMEOUT * 5 )) || die "etcd did not become healthy in ${DEMO_TIMEOUT}s: see ${DEMO_DIR}/etcd-*.log"
    sleep 0.2
  done
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
  case "${DEMO_LOCK}" in
    gist | etcd) ;;
    *) die "LOCK=${DEMO_LOCK}: the demo's lock is gist (the default) or etcd, e.g. make demo LOCK=etcd" ;;
  esac
  demo_build
  if [[ "${DEMO_LOCK}" == etcd ]]; then
    require_etcd || return 1
  else
    # gist-server keeps the gist as a git repository served by the real git.
    command -v git >/dev/null 2>&1 || ensure_apt_packages git || return 1
  fi
  DEMO_DIR="$(mktemp -d "${TMPDIR:-/tmp}/leader-election-demo.XXXXXX")"
  trap demo_cleanup EXIT
  trap 'exit 130' INT TERM
  if [[ "${DEMO_LOCK}" == etcd ]]; then
    demo_etcd_lock
  else
    demo_gist_lock
  fi

  local name index=0
  for name in ${DEMO_CANDIDATES}; do
    start_candidate "${name}" "${index}"
    index=$((index + 1))
  done
  local leader
  leader="$(wait_for_new_leader "")"
  sleep 3
  log "${leader} leads"
  if [[ "${DEMO_LOCK}" == etcd ]]; then
    log "lock writes: etcd transactions on ${DEMO_ETCD_KEY}, each applied only at the revision it was built on"
  elif grep -q 'writing the lock through git' "${DEMO_DIR}/${leader}.log"; then
    log "lock writes: git pushes to ${DEMO_URL}/${DEMO_GIST}.git, each applied only on the commit it was built on"
  else
    log "lock writes: REST PATCHes with a read-back (git refused; see the warning in ${leader}'s log)"
  fi
  demo_failovers "${leader}"
}

# demo_build: the binaries the demo runs. The gist demo builds the app without the etcd lock, whose TLS
# stack (AsyncHTTPClient, BoringSSL) is more than half of a first build, and without an index store and
# debug information, which only an editor or a debugger reads (a tenth of the build each), in a build
# folder of its own: .build-demo, so that the full build in .build (make test's, LOCK=etcd's) is not
# remade each time one follows the other. SKIP_BUILD=true runs the binaries in BIN_DIR as they are.
demo_build() {
  if [[ "${DEMO_LOCK}" == etcd || "${SKIP_BUILD}" == "true" ]]; then
    build_local
    return
  fi
  BIN_DIR="${REPO_ROOT}/.build-demo/debug"
  BUILD_LOG="${BUILD_LOG:-${REPO_ROOT}/out/build-demo.log}" \
    build_local --disable-default-traits --disable-index-store -debug-info-format none \
    --scratch-path "${REPO_ROOT}/.build-demo"
}

# demo_etcd_lock: the local etcd cluster the copies share.
demo_etcd_lock() {
  log "starting a local etcd cluster of three members"
  start_etcd
  log "etcd members etcd-1, etcd-2, etcd-3 on $(etcd_endpoints 0); the lock is the key ${DEMO_ETCD_KEY}; timings: lease ${DEMO_LEASE}, renew deadline ${DEMO_RENEW}, retry ${DEMO_RETRY}"
}

# demo_gist_lock: the local gist server and the gist the copies share.
demo_gist_lock() {
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
}

# demo_failovers LEADER: a graceful stop of LEADER, then a crash of the copy that took over.
demo_failovers() {
  local leader="$1" started
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
