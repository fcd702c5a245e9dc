# shellcheck shell=bash
# deploy with LOCK=etcd: the members' settings and their check from this machine, the Secrets made from the
# user's files, the chart's etcd values; and ETCD_IN_CLUSTER's three-member etcd in the kind cluster.

ETCD_ENDPOINTS="${ETCD_ENDPOINTS:-}"               # the members' client URLs as the pods reach them, comma-separated
ETCD_PREFIX="${ETCD_PREFIX:-/leader-election}"     # the record is the key <ETCD_PREFIX>/<ELECTION>
ETCD_CA_FILE="${ETCD_CA_FILE:-}"                   # PEM CA of the members' certificates (https://)
ETCD_CERT_FILE="${ETCD_CERT_FILE:-}"               # PEM client certificate, with ETCD_KEY_FILE
ETCD_KEY_FILE="${ETCD_KEY_FILE:-}"                 # PEM key of that certificate
ETCD_USERNAME="${ETCD_USERNAME:-}"                 # etcd user, with ETCD_PASSWORD_FILE
ETCD_PASSWORD_FILE="${ETCD_PASSWORD_FILE:-}"       # file holding that user's password (never printed)
ETCD_CHECK="${ETCD_CHECK:-true}"                   # false: skip reading the key from this machine first
ETCD_IN_CLUSTER="${ETCD_IN_CLUSTER:-false}"        # true: run a three-member etcd in the kind cluster for the demo
ETCD_NAMESPACE="${ETCD_NAMESPACE:-leader-election-etcd}" # its namespace in the kind cluster
ETCD_IMAGE="${ETCD_IMAGE:-gcr.io/etcd-development/etcd:v3.6.5}" # its image

# Where the check mounts the user's files in the app's container, when it runs through docker.
ETCD_CHECK_DIR="/etc/leader-election/etcd-check"

# require_lock: LOCK names one of the app's two locks.
require_lock() {
  case "${LOCK}" in
    gist | etcd) ;;
    *) die "LOCK=${LOCK}: the releases' lock is gist (the default) or etcd, e.g. make deploy LOCK=etcd" ;;
  esac
}

# user_path PATH: PATH as an absolute path, a relative one read from where cicd.sh was started.
user_path() {
  case "$1" in
    /*) printf '%s' "$1" ;;
    *) printf '%s/%s' "${CICD_CALLER_DIR:-${PWD}}" "$1" ;;
  esac
}

# require_etcd_file VAR: the file VAR names can be read; VAR then holds its absolute path.
require_etcd_file() {
  local name="$1" path
  [[ -n "${!name}" ]] || return 0
  path="$(user_path "${!name}")"
  [[ -f "${path}" && -r "${path}" ]] || die "${name} '${!name}' is not a file this user can read: give the path of the file"
  printf -v "${name}" '%s' "${path}"
}

# etcd_endpoint_list: ETCD_ENDPOINTS one URL a line, blanks around the commas dropped.
etcd_endpoint_list() {
  printf '%s\n' "${ETCD_ENDPOINTS}" | tr ',' '\n' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//; s|/$||' | grep -v '^$' || true
}

# require_etcd_settings: what LOCK=etcd needs, checked before anything is touched. A URL is never printed
# when it may hold a password (user:password@host).
require_etcd_settings() {
  if [[ "${ETCD_IN_CLUSTER}" == true ]]; then
    [[ -z "${ETCD_ENDPOINTS}" ]] ||
      die "ETCD_ENDPOINTS and ETCD_IN_CLUSTER=true are both set: ETCD_IN_CLUSTER runs the members in the kind cluster and finds their endpoints itself; unset one of them"
    [[ -z "${ETCD_CA_FILE}${ETCD_CERT_FILE}${ETCD_KEY_FILE}${ETCD_USERNAME}${ETCD_PASSWORD_FILE}" ]] ||
      die "the etcd ETCD_IN_CLUSTER=true runs speaks plain http and has no users: unset ETCD_CA_FILE, ETCD_CERT_FILE, ETCD_KEY_FILE, ETCD_USERNAME and ETCD_PASSWORD_FILE, or give your own members in ETCD_ENDPOINTS"
    [[ "${ETCD_NAMESPACE}" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] ||
      die "ETCD_NAMESPACE '${ETCD_NAMESPACE}' is not a namespace name: lowercase letters, digits and '-'"
    require_etcd_prefix
    return 0
  fi
  [[ "${ETCD_IN_CLUSTER}" == false ]] || die "ETCD_IN_CLUSTER must be true or false, not '${ETCD_IN_CLUSTER}'"
  [[ -n "${ETCD_ENDPOINTS}" ]] ||
    die "ETCD_ENDPOINTS is not set: LOCK=etcd needs the client URLs of your etcd members as the pods in the clusters reach them, comma-separated, e.g. ETCD_ENDPOINTS=https://etcd-a.example.net:2379,https://etcd-b.example.net:2379 (or ETCD_IN_CLUSTER=true: a three-member etcd inside the kind cluster, for a demo)"
  require_etcd_prefix
  local tls=false url host number=0 seen=" " pattern='^https?://[^/@[:space:]{}\]+/?$'
  [[ -n "${ETCD_CA_FILE}${ETCD_CERT_FILE}${ETCD_KEY_FILE}" ]] && tls=true
  while IFS= read -r url; do
    number=$(( number + 1 ))
    # The chart's schema takes a scheme, a host and a port, nothing more; helm's --set reads { } and \\.
    [[ "${url}" =~ ${pattern} ]] ||
      die "entry ${number} of ETCD_ENDPOINTS is not an http:// or https:// URL of a host and port (no path, user or password): give the members' client URLs, e.g. https://etcd-a.example.net:2379, separated by commas"
    url="${url%/}"
    [[ "${seen}" != *" ${url} "* ]] || die "ETCD_ENDPOINTS names ${url} twice: give each member once"
    seen="${seen}${url} "
    host="${url#*://}"
    host="${host%%/*}"
    case "${host}" in
      localhost | localhost:* | 127.* | \[::1\]* | 0.0.0.0 | 0.0.0.0:*)
        die "ETCD_ENDPOINTS names ${url}, this machine's loopback: inside kind a pod's loopback is its own, so no copy could reach it; give an address the kind nodes reach (Docker Desktop: host.docker.internal; Linux: the kind network's gateway, docker network inspect kind), or ETCD_IN_CLUSTER=true" ;;
    esac
    if [[ "${tls}" == true && "${url}" == http://* ]]; then
      die "ETCD_ENDPOINTS has the plain http URL ${url} but TLS files are given (ETCD_CA_FILE, ETCD_CERT_FILE, ETCD_KEY_FILE): TLS needs https:// URLs"
    fi
  done < <(etcd_endpoint_list)
  (( number > 0 )) || die "ETCD_ENDPOINTS holds no URL: give the members' client URLs separated by commas"
  if [[ -n "${ETCD_CERT_FILE}" && -z "${ETCD_KEY_FILE}" ]] || [[ -z "${ETCD_CERT_FILE}" && -n "${ETCD_KEY_FILE}" ]]; then
    die "ETCD_CERT_FILE and ETCD_KEY_FILE go together: a client certificate needs its key; set both, or neither"
  fi
  if [[ -n "${ETCD_USERNAME}" && -z "${ETCD_PASSWORD_FILE}" ]] || [[ -z "${ETCD_USERNAME}" && -n "${ETCD_PASSWORD_FILE}" ]]; then
    die "ETCD_USERNAME and ETCD_PASSWORD_FILE go together: set the etcd user and the file holding its password, or neither"
  fi
  [[ -z "${ETCD_PASSWORD:-}${LEADER_ELECTION_ETCD_PASSWORD:-}" || -n "${ETCD_PASSWORD_FILE}" ]] ||
    die "deploy takes the etcd password from a file only: put it in a file this user alone can read and set ETCD_PASSWORD_FILE (and ETCD_USERNAME) to it"
  [[ "${ETCD_USERNAME}" =~ ^[^[:space:][:cntrl:]]+$ || -z "${ETCD_USERNAME}" ]] ||
    die "ETCD_USERNAME must be one word without blanks or control characters"
  local name
  for name in ETCD_CA_FILE ETCD_CERT_FILE ETCD_KEY_FILE ETCD_PASSWORD_FILE; do
    require_etcd_file "${name}"
  done
  if [[ -n "${ETCD_PASSWORD_FILE}" ]] && [[ -z "$(tr -d '\r\n' <"${ETCD_PASSWORD_FILE}" | head -c 1)" ]]; then
    die "the etcd password file ${ETCD_PASSWORD_FILE} is empty: put the etcd user's password in it"
  fi
  return 0
}

# require_etcd_prefix: ETCD_PREFIX as the chart's schema takes it, and helm's --set can carry it.
require_etcd_prefix() {
  local pattern='^/[^[:space:],{}\]*[^[:space:]/,{}\]$'
  [[ "${ETCD_PREFIX}" =~ ${pattern} ]] ||
    die "ETCD_PREFIX '${ETCD_PREFIX}' is not a key prefix such as /leader-election: start it with '/', end it without one, and leave out blanks and , { } \\"
}

# etcd_endpoints_value: the endpoints as the app takes them, comma-separated without blanks.
etcd_endpoints_value() {
  etcd_endpoint_list | tr '\n' ',' | sed 's/,$//'
}

# run_etcd_check ENDPOINTS: the app's `status --lock etcd` on this machine, as every pod runs its start-up
# read: LEADER_ELECTION_BIN with the files where they are, or the image through docker with each file
# mounted read-only, this user's uid (a key or password file may be readable by its owner only) and the
# host's network (the members may sit on a network only this machine reaches, such as kind's). The app
# refuses another lock's variables, so none of the user's LEADER_ELECTION_* reach it: only these flags.
run_etcd_check() {
  local args=(status --lock etcd --etcd-endpoints "$1" --etcd-prefix "${ETCD_PREFIX}" --election "${ELECTION}" --output json)
  local mounts=() file name flag path there
  for file in ETCD_CA_FILE:--etcd-ca-file:ca.crt ETCD_CERT_FILE:--etcd-cert-file:client.crt \
    ETCD_KEY_FILE:--etcd-key-file:client.key ETCD_PASSWORD_FILE:--etcd-password-file:password; do
    name="${file%%:*}"
    there="${file##*:}"
    flag="${file#*:}"
    flag="${flag%%:*}"
    path="${!name}"
    [[ -n "${path}" ]] || continue
    if [[ -n "${LEADER_ELECTION_BIN:-}" ]]; then
      args+=("${flag}" "${path}")
    else
      mounts+=(-v "${path}:${ETCD_CHECK_DIR}/${there}:ro")
      args+=("${flag}" "${ETCD_CHECK_DIR}/${there}")
    fi
  done
  [[ -z "${ETCD_USERNAME}" ]] || args+=(--etcd-username "${ETCD_USERNAME}")
  if [[ -n "${LEADER_ELECTION_BIN:-}" ]]; then
    local unset=() variable
    for variable in $(compgen -e); do
      [[ "${variable}" == LEADER_ELECTION_* && "${variable}" != LEADER_ELECTION_BIN ]] && unset+=(-u "${variable}")
    done
    env ${unset[@]+"${unset[@]}"} "${LEADER_ELECTION_BIN}" "${args[@]}"
  else
    docker run --rm --network host --user "$(id -u):$(id -g)" ${mounts[@]+"${mounts[@]}"} "$(image_ref)" "${args[@]}"
  fi
}

# check_etcd ENDPOINTS: reads the lock's key from this machine before any cluster is touched, so members
# that do not answer, a CA that did not sign them, or a refused user stop deploy with the app's reason
# instead of copies that never get ready. ETCD_CHECK=false skips it when only the pods reach the members.
check_etcd() {
  local endpoints="$1" out holder writes
  if [[ "${ETCD_CHECK}" != true ]]; then
    log "ETCD_CHECK=${ETCD_CHECK}: not reading etcd at ${endpoints} from this machine; the pods' start-up read is the check"
    return 0
  fi
  log "checking etcd from this machine: reading ${ETCD_PREFIX}/${ELECTION} through ${endpoints}"
  if ! out="$(run_etcd_check "${endpoints}" 2>"${CLUSTER_ERR_FILE}")"; then
    sed 's/^/  /' "${CLUSTER_ERR_FILE}" >&2
    die "etcd at ${endpoints} cannot be read from this machine (the app's reason is above); no cluster was changed: start the members or correct ETCD_ENDPOINTS, the TLS files (ETCD_CA_FILE, ETCD_CERT_FILE, ETCD_KEY_FILE) or the user (ETCD_USERNAME, ETCD_PASSWORD_FILE); if only the pods can reach the members, skip this check with ETCD_CHECK=false"
  fi
  # A role that may only read passes the read; the app's status also asks etcd whether it may write,
  # without writing, so such a user stops here and not in every pod's first renewal.
  writes="$(printf '%s' "${out}" | sed -n 's/.*"writes" *: *"\([^"]*\)".*/\1/p')"
  if [[ "${writes}" != permitted ]]; then
    die "etcd at ${endpoints} answers, but the user may not write ${ETCD_PREFIX}/${ELECTION}: ${writes:-no answer}; no cluster was changed: grant ETCD_USERNAME's role readwrite on the prefix (etcdctl role grant-permission --prefix <role> readwrite ${ETCD_PREFIX}/), or give another user"
  fi
  holder="$(printf '%s' "${out}" | sed -n 's/.*"holderIdentity" *: *"\([^"]*\)".*/\1/p')"
  if [[ "${out}" == *'"exists":false'* || "${out}" == *'"exists" : false'* ]]; then
    log "etcd answers; the key ${ETCD_PREFIX}/${ELECTION} does not exist yet (the first copy creates it)"
  else
    log "etcd answers; the key ${ETCD_PREFIX}/${ELECTION} is held by ${holder:-nobody}"
  fi
}

# put_etcd_secrets NAME USERNAME_FILE: the etcd Secrets in vcluster NAME made from the user's files (TLS:
# ca.crt, tls.crt, tls.key, the chart's default keys; auth: username, password); prints the names of those
# it replaced.
put_etcd_secrets() {
  local name="$1" username_file="$2" pairs=() applied replaced=""
  if [[ -n "${ETCD_CA_FILE}${ETCD_CERT_FILE}" ]]; then
    [[ -z "${ETCD_CA_FILE}" ]] || pairs+=("ca.crt=${ETCD_CA_FILE}")
    [[ -z "${ETCD_CERT_FILE}" ]] || pairs+=("tls.crt=${ETCD_CERT_FILE}" "tls.key=${ETCD_KEY_FILE}")
    applied="$(put_secret "${name}" "${RELEASE}-etcd-tls" "${pairs[@]}")" ||
      die "could not store the Secret ${RELEASE}-etcd-tls in ${name}: see kubectl's message above"
    log "secret/${RELEASE}-etcd-tls ${applied}"
    [[ "${applied}" != replaced ]] || replaced="${replaced} ${RELEASE}-etcd-tls"
  fi
  if [[ -n "${ETCD_USERNAME}" ]]; then
    applied="$(put_secret "${name}" "${RELEASE}-etcd-auth" "username=${username_file}" \
      "password=${ETCD_PASSWORD_FILE}")" ||
      die "could not store the Secret ${RELEASE}-etcd-auth in ${name}: see kubectl's message above"
    log "secret/${RELEASE}-etcd-auth ${applied}"
    [[ "${applied}" != replaced ]] || replaced="${replaced} ${RELEASE}-etcd-auth"
  fi
  printf '%s' "${replaced# }"
}

# etcd_helm_args ENDPOINTS: the chart's etcd values for deploy; the keys of a TLS file not given are
# emptied, so the pod mounts only what the Secret holds.
etcd_helm_args() {
  ETCD_HELM_ARGS=(
    --set-string "lock.backend=etcd"
    --set-string "etcd.endpoints={$1}"
    --set-string "etcd.prefix=${ETCD_PREFIX}"
  )
  if [[ -n "${ETCD_CA_FILE}${ETCD_CERT_FILE}" ]]; then
    ETCD_HELM_ARGS+=(--set-string "etcd.tls.secretName=${RELEASE}-etcd-tls")
    [[ -n "${ETCD_CA_FILE}" ]] || ETCD_HELM_ARGS+=(--set-string "etcd.tls.caKey=")
    [[ -n "${ETCD_CERT_FILE}" ]] || ETCD_HELM_ARGS+=(--set-string "etcd.tls.certKey=" --set-string "etcd.tls.keyKey=")
  fi
  if [[ -n "${ETCD_USERNAME}" ]]; then
    ETCD_HELM_ARGS+=(--set-string "etcd.auth.secretName=${RELEASE}-etcd-auth")
  fi
}

# ETCD_IN_CLUSTER=true: a three-member etcd in the kind cluster itself, for a demo without an etcd of
# your own. The vclusters' pods run in the host cluster (vcluster syncs them there), but their DNS is the
# vcluster's own, which knows none of the host's Services; so each member gets a Service of its own and
# the copies are given the three Services' cluster IPs, which any pod on the host's nodes reaches.
ETCD_MEMBERS="etcd-0 etcd-1 etcd-2"

# etcd_labels INDENT: the two labels every etcd object and selector carries, indented by INDENT spaces.
etcd_labels() {
  local pad
  pad="$(printf '%*s' "$1" '')"
  printf '%sapp.kubernetes.io/name: etcd\n%sapp.kubernetes.io/part-of: leader-election\n' "${pad}" "${pad}"
}

# etcd_object API_VERSION KIND NAME: the start of one more etcd object in the namespace: the document
# separator, then its kind, name and labels.
etcd_object() {
  cat <<YAML
---
apiVersion: $1
kind: $2
metadata:
  name: $3
  namespace: ${ETCD_NAMESPACE}
  labels:
$(etcd_labels 4)
YAML
}

# etcd_manifest: the namespace, a headless Service that gives the members their peer names, one Service
# per member, and the StatefulSet of three (plain http, no users: a demo inside one kind cluster).
etcd_manifest() {
  local peers="" member
  for member in ${ETCD_MEMBERS}; do
    peers="${peers:+${peers},}${member}=http://${member}.etcd.${ETCD_NAMESPACE}.svc:2380"
  done
  cat <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: ${ETCD_NAMESPACE}
  labels:
    app.kubernetes.io/part-of: leader-election
    app.kubernetes.io/managed-by: cicd.sh
YAML
  etcd_object v1 Service etcd
  cat <<YAML
spec:
  clusterIP: None
  # The members find each other by these names before any of them is ready.
  publishNotReadyAddresses: true
  selector:
$(etcd_labels 4)
  ports:
    - name: client
      port: 2379
      targetPort: client
    - name: peer
      port: 2380
      targetPort: peer
YAML
  for member in ${ETCD_MEMBERS}; do
    etcd_object v1 Service "${member}"
    cat <<YAML
spec:
  type: ClusterIP
  selector:
    statefulset.kubernetes.io/pod-name: ${member}
  ports:
    - name: client
      port: 2379
      targetPort: client
YAML
  done
  etcd_object apps/v1 StatefulSet etcd
  cat <<YAML
spec:
  serviceName: etcd
  replicas: 3
  # All three start at once: none is ready before a majority has formed the cluster.
  podManagementPolicy: Parallel
  selector:
    matchLabels:
$(etcd_labels 6)
  template:
    metadata:
      labels:
$(etcd_labels 8)
    spec:
      automountServiceAccountToken: false
      enableServiceLinks: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        fsGroup: 65532
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: etcd
          image: ${ETCD_IMAGE}
          command:
            - /usr/local/bin/etcd
          args:
            - --name=\$(POD_NAME)
            - --data-dir=/var/lib/etcd/data
            - --listen-client-urls=http://0.0.0.0:2379
            - --advertise-client-urls=http://\$(POD_NAME).etcd.${ETCD_NAMESPACE}.svc:2379
            - --listen-peer-urls=http://0.0.0.0:2380
            - --initial-advertise-peer-urls=http://\$(POD_NAME).etcd.${ETCD_NAMESPACE}.svc:2380
            - --initial-cluster=${peers}
            - --initial-cluster-state=new
            - --initial-cluster-token=leader-election-etcd
            - --auto-compaction-mode=periodic
            - --auto-compaction-retention=1h
          env:
            - name: POD_NAME
              valueFrom:
                fieldRef:
                  fieldPath: metadata.name
          ports:
            - name: client
              containerPort: 2379
              protocol: TCP
            - name: peer
              containerPort: 2380
              protocol: TCP
          readinessProbe:
            httpGet:
              path: /readyz
              port: client
            periodSeconds: 5
            failureThreshold: 3
          livenessProbe:
            httpGet:
              path: /livez
              port: client
            initialDelaySeconds: 15
            periodSeconds: 10
            failureThreshold: 6
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop:
                - ALL
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
            limits:
              memory: 256Mi
          volumeMounts:
            - name: data
              mountPath: /var/lib/etcd
  # A member that restarts keeps its data, so it rejoins the cluster instead of starting another.
  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes:
          - ReadWriteOnce
        resources:
          requests:
            storage: 1Gi
YAML
}

# etcd_in_cluster: applies etcd_manifest to the kind cluster, waits for the three members, and prints
# their endpoints as the copies reach them. Reading the key from this machine cannot work here (the
# cluster IPs are the cluster's own), so the members' readiness, which needs a Raft leader, is the check.
etcd_in_cluster() {
  log "ETCD_IN_CLUSTER=true: a three-member etcd (${ETCD_IMAGE}) in namespace ${ETCD_NAMESPACE} of kind cluster ${KIND_CLUSTER}"
  etcd_manifest | kubectl --context "${KIND_CONTEXT}" apply -f - >&2 ||
    die "could not apply the etcd members to kind cluster ${KIND_CLUSTER}: see kubectl's message above"
  log "waiting up to ${CLUSTER_TIMEOUT}s for the etcd members to be ready"
  kubectl --context "${KIND_CONTEXT}" rollout status statefulset/etcd --namespace "${ETCD_NAMESPACE}" \
    --timeout "${CLUSTER_TIMEOUT}s" >&2 ||
    die "the etcd members in ${ETCD_NAMESPACE} did not get ready within ${CLUSTER_TIMEOUT}s; no vcluster was changed: see kubectl --context ${KIND_CONTEXT} -n ${ETCD_NAMESPACE} get pods, and its logs (raise CLUSTER_TIMEOUT when the image is still being pulled)"
  local ips endpoints="" ip count=0
  # shellcheck disable=SC2086 # one argument per member
  ips="$(kubectl --context "${KIND_CONTEXT}" get services ${ETCD_MEMBERS} --namespace "${ETCD_NAMESPACE}" \
    --output 'jsonpath={.items[*].spec.clusterIP}')" || die "could not read the etcd members' Services in ${ETCD_NAMESPACE}"
  for ip in ${ips}; do
    [[ "${ip}" =~ ^[0-9a-fA-F.:]+$ ]] || die "the etcd Service in ${ETCD_NAMESPACE} has no cluster IP ('${ip}')"
    [[ "${ip}" == *:* ]] && ip="[${ip}]"
    endpoints="${endpoints:+${endpoints},}http://${ip}:2379"
    count=$(( count + 1 ))
  done
  (( count == 3 )) || die "found ${count} of the 3 etcd member Services in ${ETCD_NAMESPACE}: apply them again with this deploy"
  log "the etcd members are ready; the copies reach them at ${endpoints} (the members' Services)"
  printf '%s' "${endpoints}"
}

# remove_etcd_in_cluster: for teardown when the kind cluster stays: deletes the namespace of
# ETCD_IN_CLUSTER's members (and so their data) when deploy made it, and nothing else.
remove_etcd_in_cluster() {
  local made
  made="$(kubectl --context "${KIND_CONTEXT}" get namespace "${ETCD_NAMESPACE}" \
    --output 'jsonpath={.metadata.labels.app\.kubernetes\.io/managed-by}' 2>/dev/null || true)"
  [[ "${made}" == cicd.sh ]] || return 0
  (set -x; kubectl --context "${KIND_CONTEXT}" delete namespace "${ETCD_NAMESPACE}" --wait=false)
}
