# shellcheck shell=bash
# The cluster verbs: build, provision, deploy, check-leader, kill-leader, status, teardown.

# Run the app in one kind cluster holding one vcluster per name in CLUSTERS, all electing through one gist
# (or, with LOCK=etcd, one etcd cluster: scripts/etcd-deploy.sh).
# Written for kind v0.32 (Kubernetes v1.36 nodes), vcluster CLI v0.36 (v0.23 or newer: --driver,
# --connect=false and `vcluster connect NAME -- CMD`), helm v3.18 or v4, kubectl v1.35 to v1.37 and docker 28.
# Each setting comes from the environment; the Makefile passes its own variables through.
CLUSTERS="${CLUSTERS:-napoleon stalin cleopatra}"   # vclusters, each in the host namespace vcluster-NAME
KIND_CLUSTER="${KIND_CLUSTER:-kind}"                # the kind cluster that hosts them
KIND_CONTEXT="kind-${KIND_CLUSTER}"                 # kind names the kubeconfig context after the cluster
IMAGE="${IMAGE:-leader-election}"                   # image repository, under REGISTRY when that is set
TAG="${TAG:-}"                                      # image tag; empty: <appVersion>-<commit>[-dirty-<changes>]
REGISTRY="${REGISTRY:-}"                            # e.g. ghcr.io/you: push there; empty: kind load the image
PLATFORMS="${PLATFORMS:-linux/amd64,linux/arm64}"   # what an image pushed to REGISTRY is built for
IMAGE_PULL_SECRET="${IMAGE_PULL_SECRET:-}"          # a docker-registry Secret in each vcluster for a private REGISTRY
LOCK="${LOCK:-gist}"                                # the releases' lock (deploy): gist, or etcd (scripts/etcd-deploy.sh)
GIST_ID="${GIST_ID:-}"                              # the lock's gist; empty: the releases' gist, else a new one
ELECTION="${ELECTION:-multi-cluster-leader-election}" # the lock is the gist file <ELECTION>.lock
RELEASE="${RELEASE:-leader-election}"               # Helm release, Deployment and Service name
APP_NAMESPACE="${APP_NAMESPACE:-leader-election}"   # namespace of the release inside each vcluster
REPLICAS="${REPLICAS:-1}"                           # copies per cluster (deploy; the other verbs read the release's)
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

# in_build_context: the lines of stdin ("PATH" or "PATH<tab>REST") whose PATH docker would send as the
# build context: .dockerignore read as docker's patternmatcher reads it (the last pattern that matches the
# path or a folder above it decides; `**` spans folders, `*` and `?` stay within one; `!` lets back in),
# plus the Dockerfile and .dockerignore, which shape the image too.
in_build_context() {
  local ignore="${REPO_ROOT}/.dockerignore"
  [[ -f "${ignore}" ]] || ignore=/dev/null
  awk -F '\t' '
    function to_regex(glob,    out, i, c, n) {
      out = "^"; n = length(glob)
      for (i = 1; i <= n; i++) {
        c = substr(glob, i, 1)
        if (c == "*" && substr(glob, i + 1, 1) == "*") {
          i++
          if (substr(glob, i + 1, 1) == "/") { i++; out = out "(.*/)?" } else { out = out ".*" }
        } else if (c == "*") { out = out "[^/]*" }
        else if (c == "?") { out = out "[^/]" }
        else if (c == "\\") { i++; out = out "\\" substr(glob, i, 1) }
        else if (index(".+()|{}^$", c)) { out = out "\\" c }
        else { out = out c }
      }
      return out "$"
    }
    NR == FNR {
      line = $0; sub(/^[ \t]+/, "", line); sub(/[ \t\r]+$/, "", line)
      if (line == "" || substr(line, 1, 1) == "#") next
      keep = substr(line, 1, 1) == "!"
      if (keep) { line = substr(line, 2); sub(/^[ \t]+/, "", line) }
      sub(/^\/+/, "", line); sub(/\/+$/, "", line); sub(/^\.\//, "", line)
      n++; pattern[n] = to_regex(line); included[n] = keep
      next
    }
    {
      path = $1
      if (path == "Dockerfile" || path == ".dockerignore") { print; next }
      sent = 1
      for (i = 1; i <= n; i++) {
        prefix = path
        while (1) {
          if (prefix ~ pattern[i]) { sent = included[i]; break }
          if (!sub(/\/[^\/]*$/, "", prefix)) break
        }
      }
      if (sent) print
    }' "${ignore}" -
}

# build_context_blobs REV: "PATH<tab>BLOB" of every file of the build context, sorted: in commit REV, or
# with REV empty as the files are now (tracked and untracked, not the ones git ignores; hash-object
# without -w writes nothing).
build_context_blobs() {
  if [[ -n "$1" ]]; then
    git -C "${REPO_ROOT}" -c core.quotePath=false ls-tree -r "$1" |
      awk -F '\t' '{ split($1, meta, " "); print $2 "\t" meta[3] }' | in_build_context | LC_ALL=C sort
    return 0
  fi
  local names shas
  names="$(git -C "${REPO_ROOT}" -c core.quotePath=false ls-files --cached --others --exclude-standard |
    { cat; printf 'Dockerfile\n.dockerignore\n'; } | in_build_context | LC_ALL=C sort -u |
    while IFS= read -r name; do [[ -f "${REPO_ROOT}/${name}" ]] && printf '%s\n' "${name}"; done)"
  [[ -n "${names}" ]] || return 0
  shas="$(printf '%s\n' "${names}" | (cd "${REPO_ROOT}" && git hash-object --stdin-paths))"
  awk 'NR == FNR { name[FNR] = $0; next } { print name[FNR] "\t" $0 }' <(printf '%s\n' "${names}") <(printf '%s\n' "${shas}")
}

# image_tag: TAG, else the chart's appVersion with the commit, and a hash of the build context when it
# differs from the commit's, so that every build of other code gets a tag of its own and deploy rolls the
# pods onto it. Only what docker sends counts: a stray .DS_Store, a swap file or a values file kept in
# the repository changes neither the image nor its tag.
image_tag() {
  if [[ -n "${TAG}" ]]; then
    printf '%s' "${TAG}"
    return 0
  fi
  local version sha
  version="$(chart_app_version)"
  if ! sha="$(git -C "${REPO_ROOT}" rev-parse --short HEAD 2>/dev/null)"; then
    printf '%s' "${version}"
    return 0
  fi
  local now committed
  now="$(build_context_blobs "")"
  committed="$(build_context_blobs HEAD)"
  if [[ "${now}" == "${committed}" ]]; then
    printf '%s-%s' "${version}" "${sha}"
    return 0
  fi
  printf '%s-%s-dirty-%s' "${version}" "${sha}" "$(printf '%s\n' "${now}" | git hash-object --stdin | cut -c1-7)"
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

# The ConfigMap (in kube-system) by which a kind cluster says that provision created it.
PROVISIONED_MARK="leader-election-provisioned"

# provision_made_kind: whether KIND_CLUSTER carries provision's mark; a cluster that does not answer is
# treated as not made here, which keeps it.
provision_made_kind() {
  kubectl --context "${KIND_CONTEXT}" get configmap "${PROVISIONED_MARK}" --namespace kube-system >/dev/null 2>&1
}

# kind_cluster_exists: whether kind lists KIND_CLUSTER. kind's own failure (it asks Docker) stops with its
# message, so it never reads as "no cluster".
kind_cluster_exists() {
  local out
  out="$(kind get clusters 2>&1)" || die "kind could not list its clusters: ${out}"
  printf '%s\n' "${out}" | grep -qx -- "${KIND_CLUSTER}"
}

# require_docker: kind's nodes are Docker containers, so every cluster verb needs Docker to answer first.
require_docker() {
  local out
  out="$(docker version --format '{{.Server.Version}}' 2>&1)" ||
    die "Docker does not answer (${out%%$'\n'*}): start Docker Desktop, or on Linux: sudo systemctl start docker; then run this again"
}

# vcluster_listed LIST_JSON NAME: whether `vcluster list --output json` shows NAME in its namespace.
vcluster_listed() {
  printf '%s' "$1" | tr -d ' \n' | grep -q -- "\"Name\":\"$2\",\"Namespace\":\"$(vcluster_namespace "$2")\""
}

vcluster_list_json() {
  vc list --context "${KIND_CONTEXT}" --output json
}

# HOST_KUBECONFIG: a private kubeconfig holding only the kind context, for every vcluster call. In the
# user's own, the current context may be a vcluster's (`vcluster connect NAME` leaves it so), and since
# v0.23 `vcluster connect NAME -- CMD` then returns 0 at once without running CMD.
HOST_KUBECONFIG=""
# Where a tool's error output is kept to be read, removed with the other files of the run.
CLUSTER_ERR_FILE=""

use_host_kubeconfig() {
  [[ -n "${HOST_KUBECONFIG}" ]] && return 0
  trap cluster_cleanup EXIT
  CLUSTER_ERR_FILE="$(mktemp "${TMPDIR:-/tmp}/leader-election-errors.XXXXXX")"
  CLUSTER_TMP_FILES+=("${CLUSTER_ERR_FILE}")
  HOST_KUBECONFIG="$(mktemp "${TMPDIR:-/tmp}/leader-election-kubeconfig.XXXXXX")"
  CLUSTER_TMP_FILES+=("${HOST_KUBECONFIG}")
  # It holds the cluster's client key.
  chmod 600 "${HOST_KUBECONFIG}"
  kubectl config view --raw --minify --flatten --context "${KIND_CONTEXT}" >"${HOST_KUBECONFIG}" 2>/dev/null ||
    die "your kubeconfig has no context '${KIND_CONTEXT}': run kind export kubeconfig --name ${KIND_CLUSTER}, or ./cicd.sh provision"
}

# vc ARGS...: vcluster on the private kubeconfig, with the helm driver: since v0.32 a user's default driver
# may be docker or platform, which would put the vclusters outside kind, where kind load cannot reach them.
vc() {
  [[ -n "${HOST_KUBECONFIG}" ]] || die "internal: vcluster called before use_host_kubeconfig"
  local verb="$1" target=()
  shift
  if [[ "${verb}" != list ]]; then
    target=("$1")
    shift
  fi
  # VCLUSTER_SKIP_VERSION_CHECK=true: no request to GitHub for a newer CLI on every call (pkg/upgrade).
  KUBECONFIG="${HOST_KUBECONFIG}" VCLUSTER_SKIP_VERSION_CHECK=true \
    vcluster "${verb}" ${target[@]+"${target[@]}"} --driver helm "$@"
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
  vc connect "${name}" --namespace "$(vcluster_namespace "${name}")" --context "${KIND_CONTEXT}" \
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

# has_buildx: whether docker has the buildx plugin, through which docker 23 and newer build with BuildKit.
has_buildx() {
  docker buildx version >/dev/null 2>&1
}

# require_buildkit: the Dockerfile's RUN --mount needs BuildKit. Without the buildx plugin docker 23 and
# newer fall back to the legacy builder, which refuses --mount; docker 20.10 (Debian's docker.io) has
# BuildKit built in and uses it when DOCKER_BUILDKIT=1, which the build asks for.
require_buildkit() {
  has_buildx && return 0
  local client major
  client="$(docker version --format '{{.Client.Version}}' 2>/dev/null || true)"
  major="${client%%.*}"
  if [[ "${major}" =~ ^[0-9]+$ ]] && (( 10#${major} < 23 )); then return 0; fi
  die "the image needs BuildKit (the Dockerfile's RUN --mount) and docker ${client:-?} has no buildx plugin: install it (docker-buildx-plugin from Docker's packages, docker-buildx from your distribution's; Docker Desktop has it), then run this again"
}

# The buildx builder a multi-platform push uses: docker's default builder (the docker driver) builds for
# one platform only unless Docker uses the containerd image store.
BUILDX_BUILDER="${BUILDX_BUILDER:-leader-election}"

build_image() {
  require_tools docker git
  require_docker
  require_buildkit
  local ref version revision
  ref="$(image_ref)"
  version="$(image_tag)"
  revision="$(git -C "${REPO_ROOT}" rev-parse --short HEAD 2>/dev/null || printf unknown)"
  if [[ -n "${REGISTRY}" && "${PLATFORMS}" == *,* ]]; then
    has_buildx ||
      die "pushing for several platforms (PLATFORMS=${PLATFORMS}) needs docker's buildx plugin: install it, or set PLATFORMS to your cluster's one platform, e.g. PLATFORMS=linux/amd64"
    if ! docker buildx inspect "${BUILDX_BUILDER}" >/dev/null 2>&1; then
      (set -x; docker buildx create --name "${BUILDX_BUILDER}" --driver docker-container)
    fi
    log "building ${ref} for ${PLATFORMS} and pushing it (other platforms than this machine's run emulated)"
    (set -x; docker buildx build --builder "${BUILDX_BUILDER}" --platform "${PLATFORMS}" --tag "${ref}" \
      --build-arg VERSION="${version}" --build-arg REVISION="${revision}" --push "${REPO_ROOT}")
    return 0
  fi
  local platform=()
  if [[ -n "${REGISTRY}" ]]; then platform=(--platform "${PLATFORMS}"); fi
  log "building ${ref}"
  (set -x; DOCKER_BUILDKIT=1 docker build ${platform[@]+"${platform[@]}"} --tag "${ref}" --build-arg VERSION="${version}" \
    --build-arg REVISION="${revision}" "${REPO_ROOT}")
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
  require_tools docker kind vcluster kubectl
  require_docker
  if kind_cluster_exists; then
    log "kind cluster '${KIND_CLUSTER}' exists"
  else
    (set -x; kind create cluster --name "${KIND_CLUSTER}" --wait "${CLUSTER_TIMEOUT}s")
    # The cluster itself records that provision made it, so teardown deletes it and no other.
    (set -x; kubectl --context "${KIND_CONTEXT}" create configmap "${PROVISIONED_MARK}" --namespace kube-system \
      --from-literal=created-by=cicd.sh)
  fi
  use_host_kubeconfig
  local existing name
  existing="$(vcluster_list_json)"
  for name in ${CLUSTERS}; do
    if vcluster_listed "${existing}" "${name}"; then
      log "vcluster '${name}' exists"
    else
      (set -x; vc create "${name}" --namespace "$(vcluster_namespace "${name}")" \
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

# require_replicas: REPLICAS must be a whole number; written in base 10 from here on, since helm keeps
# 08 a string (which the chart refuses) and bash arithmetic would read it in base 8.
require_replicas() {
  [[ "${REPLICAS}" =~ ^[0-9]+$ ]] || die "REPLICAS must be a whole number, not '${REPLICAS}'"
  REPLICAS="$(( 10#${REPLICAS} ))"
}

# release_values NAME: the values the release in vcluster NAME was given (`helm get values`), or
# nothing when it has none. Only helm's "release: not found" (its storage driver's ErrReleaseNotFound)
# means no release; any other failure (the vcluster's API not answering, vcluster connect failing) stops
# here, since reading it as "no release" would make deploy create a second gist: two locks, two leaders.
release_values() {
  local out rc=0
  out="$(in_vcluster "$1" helm get values "${RELEASE}" --namespace "${APP_NAMESPACE}" --output yaml 2>"${CLUSTER_ERR_FILE}")" ||
    rc=$?
  if (( rc == 0 )); then
    printf '%s\n' "${out}"
  elif ! grep -q 'release: not found' "${CLUSTER_ERR_FILE}"; then
    sed 's/^/  /' "${CLUSTER_ERR_FILE}" >&2
    die "could not read the release ${RELEASE} in $1 (helm get values failed, see above), so stopped before changing any release: check the cluster with ./cicd.sh status and run this again"
  fi
}

# release_gist NAME: the gist id the release in vcluster NAME runs with; nothing when there is no release.
release_gist() {
  local values
  values="$(release_values "$1")" || exit 1
  printf '%s\n' "${values}" |
    awk '/^gist:/ { gist = 1; next } /^[^ ]/ { gist = 0 } gist && /^  id:/ { id = $2; gsub(/["'"'"']/, "", id); print id }'
}

# release_replicas NAME: the copies the release in vcluster NAME was deployed with (its replicaCount);
# nothing when it has no release. kill-leader scales the deployment, so the release is what was meant.
release_replicas() {
  local values
  values="$(release_values "$1")" || exit 1
  printf '%s\n' "${values}" | awk '/^replicaCount:/ { n = $2; gsub(/["'"'"']/, "", n); print n }'
}

# existing_gist: the one gist the releases in CLUSTERS share, so a deploy again never makes a second
# lock (two gists mean two leaders); nothing when no cluster has a release; stops when they differ.
existing_gist() {
  local name id found="" where="" seen=()
  for name in ${CLUSTERS}; do
    id="$(release_gist "${name}")" || exit 1
    [[ -n "${id}" ]] || continue
    seen+=("${name}: ${id}")
    if [[ -z "${found}" ]]; then
      found="${id}"
      where="${name}"
    elif [[ "${id}" != "${found}" ]]; then
      local listed
      listed="$(printf '%s, ' "${seen[@]}")"
      die "the releases use different gists (${listed%, }): set GIST_ID to the one to keep and deploy again"
    fi
  done
  [[ -n "${found}" ]] || return 0
  log "reusing gist ${found} of the release in ${where}"
  printf '%s' "${found}"
}

# put_secret NAME SECRET KEY=FILE...: creates or replaces the Secret SECRET in vcluster NAME holding each FILE
# under its KEY, and prints created, unchanged or replaced. Never `kubectl apply`: its
# last-applied-configuration annotation would hold the contents in plain text for anyone who can read the
# Secret's metadata.
put_secret() {
  local name="$1" secret="$2" pair key from=() same=true
  shift 2
  for pair in "$@"; do from+=("--from-file=${pair}"); done
  if ! in_vcluster "${name}" kubectl get secret "${secret}" --namespace "${APP_NAMESPACE}" >/dev/null 2>&1; then
    in_vcluster "${name}" kubectl create secret generic "${secret}" --namespace "${APP_NAMESPACE}" \
      "${from[@]}" >/dev/null || return 1
    printf 'created'
    return 0
  fi
  for pair in "$@"; do
    # jsonpath reads a dot in a key (ca.crt) as a step unless it is escaped.
    key="$(printf '%s' "${pair%%=*}" | sed 's/\./\\./g')"
    if ! in_vcluster "${name}" kubectl get secret "${secret}" --namespace "${APP_NAMESPACE}" \
      --output "jsonpath={.data.${key}}" | base64 -d | cmp -s - "${pair#*=}"; then
      same=false
      break
    fi
  done
  if [[ "${same}" == true ]]; then
    printf 'unchanged'
  else
    kubectl create secret generic "${secret}" --namespace "${APP_NAMESPACE}" "${from[@]}" \
      --dry-run=client --output yaml | in_vcluster "${name}" kubectl replace -f - >/dev/null || return 1
    printf 'replaced'
  fi
}

# put_token_secret NAME TOKEN_FILE: the token Secret in vcluster NAME (put_secret).
put_token_secret() {
  put_secret "$1" "${RELEASE}-token" "token=$2"
}

# chart_write_mode: how the release will write the lock: gist.writeMode from VALUES_FILE, else the chart's.
chart_write_mode() {
  local file mode=""
  for file in ${VALUES_FILE:+"${VALUES_FILE}"} "${REPO_ROOT}/chart/values.yaml"; do
    mode="$(awk '/^gist:/ { gist = 1; next } /^[^ #]/ { gist = 0 }
      gist && /^  writeMode:/ { m = $2; gsub(/["'"'"']/, "", m); print m; exit }' "${file}")"
    [[ -n "${mode}" ]] && break
  done
  printf '%s' "${mode:-auto}"
}

# check_token GIST MODE: the app's own status reads the gist with the token (GET /gists/{id}) and, for git
# writes, asks the gist's receive-pack for its advertisement, as every pod will at start. So a token that
# GitHub refuses (401), or that may not push where the chart writes through git, stops deploy before any
# cluster is touched, instead of crash-looping every copy. REST writes cannot be tried without writing.
check_token() {
  local gist="$1" mode="$2" out writes
  if [[ "${TOKEN_CHECK:-true}" != true ]]; then
    log "TOKEN_CHECK=${TOKEN_CHECK}: not checking the token against gist ${gist}"
    return 0
  fi
  log "checking the token against gist ${gist} (reading it; write mode ${mode})"
  if ! out="$(run_app status --gist "${gist}" --election "${ELECTION}" --write-mode "${mode}" --output json \
    2>"${CLUSTER_ERR_FILE}")"; then
    sed 's/^/  /' "${CLUSTER_ERR_FILE}" >&2
    die "the token cannot read gist ${gist} (see above); no cluster was changed: export a token with the gist scope, or set GIST_ID to a gist it can read (TOKEN_CHECK=false skips this check when only the pods can reach the API)"
  fi
  writes="$(printf '%s' "${out}" | sed -n 's/.*"writeMode" *: *"\([^"]*\)".*/\1/p')"
  case "${mode}:${writes}" in
    git:git | auto:git | rest:rest) ;;
    auto:rest)
      log "warning: gist ${gist}'s repository refuses this token's pushes: the pods will write the lock through REST (their start-up log says why); a token with the gist scope may push" ;;
    *)
      die "the token may not write gist ${gist} through ${mode} (${writes:-no answer}); no cluster was changed: give a token with the gist scope, or set gist.writeMode in VALUES_FILE" ;;
  esac
}

# deploy_failed NAME WHY: the pods' last log lines in vcluster NAME, from now and from before their last
# restart (--previous, where a crash-looping copy said why), the command to see more, then stops.
deploy_failed() {
  local name="$1" why="$2" connect
  connect="vcluster connect ${name} -n $(vcluster_namespace "${name}") --context ${KIND_CONTEXT} --"
  local selector="app.kubernetes.io/name=leader-election,app.kubernetes.io/instance=${RELEASE}"
  printf '\n===== %s: the last %s log lines of each pod =====\n' "${name}" "${LOG_LINES}" >&2
  in_vcluster "${name}" kubectl logs --namespace "${APP_NAMESPACE}" --selector "${selector}" --prefix \
    --tail "${LOG_LINES}" >&2 || true
  printf '\n===== %s: before their last restart (--previous) =====\n' "${name}" >&2
  in_vcluster "${name}" kubectl logs --namespace "${APP_NAMESPACE}" --selector "${selector}" --prefix --previous \
    --tail "${LOG_LINES}" >&2 || true
  printf '\n' >&2
  log "more: ${connect} kubectl logs -n ${APP_NAMESPACE} --selector ${selector} --prefix --previous --tail 200"
  log "and:  ${connect} kubectl describe pods -n ${APP_NAMESPACE} --selector ${selector}"
  die "deploying to ${name} failed: ${why}; the clusters after it were left as they were"
}

# recover_pending_release NAME: an interrupted helm (a Ctrl-C during --wait) leaves the release's last
# revision pending-install, pending-upgrade or pending-rollback, and helm then refuses every upgrade with
# "another operation (install/upgrade/rollback) is in progress". helm's docs give the way out: roll a
# pending upgrade or rollback back to the revision before it; uninstall a pending first install.
recover_pending_release() {
  local name="$1" status
  status="$(in_vcluster "${name}" helm status "${RELEASE}" --namespace "${APP_NAMESPACE}" --output json 2>/dev/null |
    sed -n 's/.*"status" *: *"\(pending-[a-z]*\)".*/\1/p' | head -n 1 || true)"
  case "${status}" in
    pending-install)
      log "the release in ${name} is ${status} (an install was interrupted): uninstalling it before installing again"
      in_vcluster "${name}" helm uninstall "${RELEASE}" --namespace "${APP_NAMESPACE}" --wait --timeout "${CLUSTER_TIMEOUT}s" ||
        die "could not uninstall the pending release in ${name}: see helm's message above" ;;
    pending-upgrade | pending-rollback)
      log "the release in ${name} is ${status} (an upgrade was interrupted): rolling it back to its last revision first"
      in_vcluster "${name}" helm rollback "${RELEASE}" --namespace "${APP_NAMESPACE}" --wait --timeout "${CLUSTER_TIMEOUT}s" ||
        die "could not roll back the pending release in ${name}: see helm's message above" ;;
  esac
}

# release_lock NAME: the lock the release in vcluster NAME elects through (its lock.backend, gist when it
# has none); nothing when there is no release.
release_lock() {
  local values
  values="$(release_values "$1")" || exit 1
  [[ -n "${values}" ]] || return 0
  printf '%s\n' "${values}" |
    awk '/^lock:/ { lock = 1; next } /^[^ ]/ { lock = 0 } lock && /^  backend:/ { b = $2; gsub(/["'"'"']/, "", b); found = b }
      END { print (found == "" ? "gist" : found) }'
}

# require_same_lock: stops when a release elects through another lock than LOCK. deploy upgrades one
# cluster after the other, so in between the clusters would elect through two locks: two leaders.
require_same_lock() {
  local name lock others=""
  for name in ${CLUSTERS}; do
    lock="$(release_lock "${name}")" || exit 1
    [[ -z "${lock}" || "${lock}" == "${LOCK}" ]] || others="${others} ${name}"
  done
  [[ -n "${others}" ]] || return 0
  for name in ${others}; do
    printf '  vcluster connect %s -n %s --context %s -- helm uninstall %s -n %s --wait\n' "${name}" \
      "$(vcluster_namespace "${name}")" "${KIND_CONTEXT}" "${RELEASE}" "${APP_NAMESPACE}" >&2
  done
  die "the releases in${others} elect through another lock than LOCK=${LOCK}, and switching them one cluster at a time would leave two locks and two leaders meanwhile; nothing was changed: uninstall them first with the commands above (or deploy with their lock), then deploy again"
}

deploy() {
  require_tools docker kind vcluster kubectl helm
  require_lock
  if [[ "${LOCK}" == gist ]]; then
    require_env LEADER_ELECTION_GITHUB_API_TOKEN \
      "export a GitHub token with only the gist scope (https://github.com/settings/tokens)"
    export LEADER_ELECTION_GITHUB_API_TOKEN
  else
    require_etcd_settings
  fi
  require_replicas
  [[ -z "${VALUES_FILE}" || -r "${VALUES_FILE}" ]] || die "VALUES_FILE '${VALUES_FILE}' cannot be read"
  require_docker
  local ref
  ref="$(image_ref)"
  if [[ -z "${REGISTRY}" ]]; then
    docker image inspect "${ref}" >/dev/null 2>&1 || die "image ${ref} is not built: run ./cicd.sh build first"
  fi
  # Provision is idempotent: it creates only what is missing, so deploy runs it first, as the original's did.
  provision
  require_same_lock

  local gist_id="${GIST_ID}" endpoints=""
  if [[ "${LOCK}" == gist ]]; then
    if [[ -z "${gist_id}" ]]; then
      gist_id="$(existing_gist)" || exit 1
    fi
    if [[ -z "${gist_id}" ]]; then
      log "GIST_ID is empty and no release has a gist: creating a private gist for the lock"
      gist_id="$(create_gist)"
      log "created gist ${gist_id}; reuse it with: export GIST_ID=${gist_id}"
    fi
    [[ "${gist_id}" =~ ^[A-Za-z0-9_-]+$ ]] || die "GIST_ID '${gist_id}' is not a gist id (the last part of the gist's URL)"
    check_token "${gist_id}" "$(chart_write_mode)"
  elif [[ "${ETCD_IN_CLUSTER}" == true ]]; then
    endpoints="$(etcd_in_cluster)" || exit 1
  else
    endpoints="$(etcd_endpoints_value)"
    check_etcd "${endpoints}"
  fi

  # No `set -x` from here on: the token is in scope.
  if [[ -z "${REGISTRY}" ]]; then
    log "kind load docker-image ${ref} --name ${KIND_CLUSTER}"
    kind load docker-image "${ref}" --name "${KIND_CLUSTER}"
  fi

  # The token goes to kubectl in a file only this user can read, never as an argument; so does the etcd
  # user's name, beside the password file the user gave.
  local token_file="" username_file=""
  if [[ "${LOCK}" == gist ]]; then
    token_file="$(mktemp "${TMPDIR:-/tmp}/leader-election-token.XXXXXX")"
    CLUSTER_TMP_FILES+=("${token_file}")
    chmod 600 "${token_file}"
    printf '%s' "${LEADER_ELECTION_GITHUB_API_TOKEN}" >"${token_file}"
  elif [[ -n "${ETCD_USERNAME}" ]]; then
    username_file="$(mktemp "${TMPDIR:-/tmp}/leader-election-etcd-user.XXXXXX")"
    CLUSTER_TMP_FILES+=("${username_file}")
    chmod 600 "${username_file}"
    printf '%s' "${ETCD_USERNAME}" >"${username_file}"
  fi

  # Every copy in every cluster shares the token, so the app's request-rate warning at start counts
  # them all (at least 1, which the chart requires even when REPLICAS is 0).
  local cluster_names candidates
  read -ra cluster_names <<<"${CLUSTERS}"
  candidates=$(( ${#cluster_names[@]} * 10#${REPLICAS} ))
  (( candidates >= 1 )) || candidates=1

  local helm_args=(
    upgrade --install "${RELEASE}" "${REPO_ROOT}/chart"
    --namespace "${APP_NAMESPACE}"
  )
  if [[ "${LOCK}" == gist ]]; then
    helm_args+=(
      --set-string "gist.id=${gist_id}"
      --set-string "gist.existingSecret.name=${RELEASE}-token"
    )
  else
    etcd_helm_args "${endpoints}"
    helm_args+=("${ETCD_HELM_ARGS[@]}")
  fi
  helm_args+=(
    --set-string "election.name=${ELECTION}"
    --set-string "image.repository=$(image_repository)"
    --set-string "image.tag=$(image_tag)"
    --set "replicaCount=${REPLICAS}"
  )
  # The expected GitHub request rate concerns the gist only.
  [[ "${LOCK}" != gist ]] || helm_args+=(--set "election.candidates=${candidates}")
  helm_args+=(--wait --timeout "${CLUSTER_TIMEOUT}s")
  if [[ "${LOCK}" == gist && -n "${LEADER_ELECTION_GITHUB_API_URL:-}" ]]; then
    helm_args+=(--set-string "gist.apiUrl=${LEADER_ELECTION_GITHUB_API_URL}")
  fi
  if [[ -n "${IMAGE_PULL_SECRET}" ]]; then
    helm_args+=(--set-string "imagePullSecrets[0].name=${IMAGE_PULL_SECRET}")
  fi
  if [[ -n "${VALUES_FILE}" ]]; then
    helm_args+=(--values "${VALUES_FILE}")
  fi

  # The namespace in every cluster first; a pull secret the pods would miss stops deploy before any
  # release changes (without it they wait in ImagePullBackOff until helm's --wait gives up).
  local name missing=""
  for name in ${CLUSTERS}; do
    kubectl create namespace "${APP_NAMESPACE}" --dry-run=client --output yaml |
      in_vcluster "${name}" kubectl apply -f - >/dev/null
    if [[ -n "${IMAGE_PULL_SECRET}" ]] &&
      ! in_vcluster "${name}" kubectl get secret "${IMAGE_PULL_SECRET}" --namespace "${APP_NAMESPACE}" >/dev/null 2>&1; then
      missing="${missing} ${name}"
    fi
  done
  if [[ -n "${missing}" ]]; then
    for name in ${missing}; do
      # shellcheck disable=SC2016 # the $(cat ...) is for the user to run
      printf '  vcluster connect %s -n %s --context %s -- kubectl create secret docker-registry %s -n %s --docker-server=%s --docker-username=YOU --docker-password="$(cat /path/to/read-packages-token)"\n' \
        "${name}" "$(vcluster_namespace "${name}")" "${KIND_CONTEXT}" "${IMAGE_PULL_SECRET}" "${APP_NAMESPACE}" "${REGISTRY%%/*}" >&2
    done
    die "IMAGE_PULL_SECRET ${IMAGE_PULL_SECRET} is missing in${missing}: create it with the commands above (or make the package public and unset IMAGE_PULL_SECRET), then deploy again"
  fi

  local applied changed
  for name in ${CLUSTERS}; do
    log "deploying ${RELEASE} to ${name}"
    recover_pending_release "${name}"
    changed=""
    if [[ "${LOCK}" == gist ]]; then
      applied="$(put_token_secret "${name}" "${token_file}")" ||
        die "could not store the token Secret in ${name}: see kubectl's message above"
      log "secret/${RELEASE}-token ${applied}"
      [[ "${applied}" != replaced ]] || changed="the token changed"
    else
      applied="$(put_etcd_secrets "${name}" "${username_file}")" || exit 1
      [[ -z "${applied}" ]] || changed="the etcd Secrets changed (${applied})"
    fi
    log "helm upgrade --install in ${name} (waits up to ${CLUSTER_TIMEOUT}s for the pods to be ready)"
    in_vcluster "${name}" helm "${helm_args[@]}" --set-string "clusterName=${name}" \
      --set-string "notes.commandPrefix=vcluster connect ${name} -n $(vcluster_namespace "${name}") --context ${KIND_CONTEXT} --" ||
      deploy_failed "${name}" "helm upgrade --install failed (see helm's message above)"
    if [[ -n "${changed}" ]]; then
      log "${changed}: restarting the pods in ${name} so they read it"
      in_vcluster "${name}" kubectl rollout restart --namespace "${APP_NAMESPACE}" "deployment/${RELEASE}"
      log "waiting up to ${CLUSTER_TIMEOUT}s for the restarted pods in ${name} to be ready"
      in_vcluster "${name}" kubectl rollout status --namespace "${APP_NAMESPACE}" "deployment/${RELEASE}" \
        --timeout "${CLUSTER_TIMEOUT}s" ||
        deploy_failed "${name}" "the restarted pods did not get ready within ${CLUSTER_TIMEOUT}s"
    fi
  done
  cluster_cleanup
  if [[ "${LOCK}" == gist ]]; then
    log "deployed to ${CLUSTERS} with gist ${gist_id}; watch them with ./cicd.sh check-leader"
  else
    log "deployed to ${CLUSTERS} with etcd at ${endpoints} (key ${ETCD_PREFIX}/${ELECTION}); watch them with ./cicd.sh check-leader"
  fi
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
  require_tools docker vcluster kubectl helm
  require_docker
  use_host_kubeconfig
  # Pod names tell the copies apart when a release runs more than one.
  local name replicas prefix=()
  for name in ${CLUSTERS}; do
    replicas="$(release_replicas "${name}")" || exit 1
    if [[ "${replicas}" =~ ^[0-9]+$ ]] && (( 10#${replicas} > 1 )); then prefix=(--prefix); fi
  done
  for name in ${CLUSTERS}; do
    printf '\n===== %s =====\n' "${name}"
    in_vcluster "${name}" kubectl logs --namespace "${APP_NAMESPACE}" \
      --selector "app.kubernetes.io/name=leader-election,app.kubernetes.io/instance=${RELEASE}" --tail "${LOG_LINES}" ${prefix[@]+"${prefix[@]}"} ||
      printf '(no logs from %s: scaled to 0, or not deployed yet)\n' "${name}"
  done
  printf '\n===== lock =====\n'
  cluster_lock_status text || die "no running copy could read the lock: run ./cicd.sh status"
}

kill_leader() {
  require_tools docker vcluster kubectl helm
  require_docker
  use_host_kubeconfig
  local holder cluster replicas
  holder="$(cluster_lock_holder || true)"
  [[ -n "${holder}" ]] || die "nobody holds the lock right now; see ./cicd.sh check-leader"
  cluster="$(cluster_of "${holder}")" || die "the leader '${holder}' runs in none of CLUSTERS (${CLUSTERS})"
  replicas="$(release_replicas "${cluster}")" || exit 1
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
  log "bring ${cluster} back: vcluster connect ${cluster} -n $(vcluster_namespace "${cluster}") --context ${KIND_CONTEXT} -- kubectl scale -n ${APP_NAMESPACE} deployment/${RELEASE} --replicas=${replicas:-1}"
}

# handover_leader [TO]: asks the leader, inside its pod (the endpoint answers loopback only), to stop its
# work and hand the lease to TO (an identity, e.g. stalin), or to release it for another copy.
handover_leader() {
  require_tools docker vcluster kubectl helm
  require_docker
  use_host_kubeconfig
  local to="${1:-}" holder cluster target next=""
  holder="$(cluster_lock_holder || true)"
  [[ -n "${holder}" ]] || die "nobody holds the lock right now; see ./cicd.sh check-leader"
  cluster="$(cluster_of "${holder}")" || die "the leader '${holder}' runs in none of CLUSTERS (${CLUSTERS})"
  [[ "${to}" != "${holder}" ]] || die "${to} already leads: give another copy as TO, or none"
  # One copy per release is named after its cluster; with replicas the identity ends in the pod's name.
  target="deployment/${RELEASE}"
  [[ "${holder}" == "${cluster}" ]] || target="pod/${holder#"${cluster}"-}"
  log "${holder} leads: asking it to hand over to ${to:-any other copy}"
  (set -x; in_vcluster "${cluster}" kubectl exec --namespace "${APP_NAMESPACE}" "${target}" -- \
    leader-election handover ${to:+--to "${to}"})
  local start="${SECONDS}"
  while true; do
    next="$(cluster_lock_holder || true)"
    if [[ -n "${next}" && "${next}" != "${holder}" ]] && [[ -z "${to}" || "${next}" == "${to}" ]]; then
      break
    fi
    if (( SECONDS - start >= CLUSTER_TIMEOUT )); then
      die "no new leader after ${CLUSTER_TIMEOUT}s (holder now '${next:-none}'); see ./cicd.sh check-leader"
    fi
    sleep "${POLL_INTERVAL}"
  done
  log "${next} took over after about $(( SECONDS - start ))s"
}

cluster_status() {
  require_tools docker kind vcluster kubectl helm
  require_docker
  printf '===== kind clusters =====\n'
  kind get clusters
  if ! kind_cluster_exists; then
    printf '(no kind cluster %s: run ./cicd.sh provision)\n' "${KIND_CLUSTER}"
    return 0
  fi
  use_host_kubeconfig
  printf '\n===== vclusters =====\n'
  vc list --context "${KIND_CONTEXT}"
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
  require_tools docker kind vcluster
  require_docker
  if ! kind_cluster_exists; then
    log "no kind cluster '${KIND_CLUSTER}': nothing to delete"
    return 0
  fi
  use_host_kubeconfig
  local existing name
  existing="$(vcluster_list_json)"
  for name in ${CLUSTERS}; do
    if vcluster_listed "${existing}" "${name}"; then
      (set -x; vc delete "${name}" --namespace "$(vcluster_namespace "${name}")" --context "${KIND_CONTEXT}")
    else
      log "vcluster '${name}' is already gone"
    fi
  done
  if [[ "${KEEP_KIND}" == "true" ]] || ! provision_made_kind; then
    remove_etcd_in_cluster
  fi
  if [[ "${KEEP_KIND}" == "true" ]]; then
    log "KEEP_KIND=true: keeping kind cluster '${KIND_CLUSTER}'"
  elif ! provision_made_kind; then
    log "keeping kind cluster '${KIND_CLUSTER}': ./cicd.sh provision did not create it (it has no configmap ${PROVISIONED_MARK} in kube-system); delete it yourself with: kind delete cluster --name ${KIND_CLUSTER}"
  else
    (set -x; kind delete cluster --name "${KIND_CLUSTER}")
  fi
}
