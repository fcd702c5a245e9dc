# shellcheck shell=bash
# Helpers every part of cicd.sh uses: messages, packages, the Swift build and the Python venv.

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Where `swift build` puts the binaries; SKIP_BUILD=true uses what is there.
BIN_DIR="${BIN_DIR:-${REPO_ROOT}/.build/debug}"
SKIP_BUILD="${SKIP_BUILD:-false}"

# require_swift names the way out when the toolchain is missing.
require_swift() {
  command -v swift >/dev/null 2>&1 ||
    die "swift is not installed: get Swift 6.1 or newer from https://www.swift.org/install/"
}

# linux_only PACKAGE: what a package serves that only Linux has, for the message where there is no dpkg.
linux_only() {
  case "$1" in
    iproute2) printf 'network namespaces (the chaos run cuts the network with the server'"'"'s per-client blackhole instead)' ;;
    libfaketime) printf 'libfaketime (the chaos run'"'"'s clock-skew fault)' ;;
    *) return 1 ;;
  esac
}

# ensure_apt_packages PACKAGE...: installs the Debian packages that are missing, when apt-get can. Without
# dpkg (macOS, or a Linux of another family) nothing can be asked of apt: the names are Debian's, so the
# check is skipped with a note, and the build or test that needs one says what it lacks.
ensure_apt_packages() {
  if ! command -v dpkg >/dev/null 2>&1; then
    local pkg note
    for pkg in "$@"; do
      if note="$(linux_only "${pkg}")"; then
        log "no dpkg here: skipping the check for ${pkg}; ${note} is Linux-only"
      fi
    done
    log "no dpkg here: not checking the Debian packages $*; install their equivalents if a step fails"
    return 0
  fi
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
  ${sudo[@]+"${sudo[@]}"} apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive ${sudo[@]+"${sudo[@]}"} apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# build_local [SWIFT_BUILD_OPTION...]: builds the binaries into BIN_DIR (the caller points BIN_DIR at the
# build folder its options pick), unless SKIP_BUILD=true; its compiler log goes to BUILD_LOG.
build_local() {
  if [[ "${SKIP_BUILD}" == "true" ]]; then
    [[ -x "${BIN_DIR}/leader-election" && -x "${BIN_DIR}/gist-server" ]] ||
      die "SKIP_BUILD=true but ${BIN_DIR} has no leader-election and gist-server: run ./cicd.sh build-local"
    return 0
  fi
  require_swift
  # The compiler's output goes to a file: a first build prints thousands of lines, none of them news
  # unless the build fails or warns.
  local build_log="${BUILD_LOG:-${REPO_ROOT}/out/build.log}" warnings
  # The git client's SHA-1 comes from the system's libcrypto.
  ensure_apt_packages libssl-dev || return 1
  mkdir -p "$(dirname "${build_log}")"
  log "building leader-election and gist-server${*:+ (swift build $*)} (a first build takes a few minutes; compiler log: ${build_log})"
  # One build of the package's products: one plan and one pass over the shared modules, not two.
  if ! swift build "$@" >"${build_log}" 2>&1; then
    grep -E 'error:' "${build_log}" | sort -u | head -n 20 >&2 || true
    die "the build failed: the full compiler log is ${build_log}"
  fi
  source_warnings "${build_log}" || [[ "${FAIL_ON_WARNINGS:-false}" != "true" ]] ||
    die "the build warned about the project's own sources (compiler log: ${build_log})"
  log "built ${BIN_DIR}/leader-election and ${BIN_DIR}/gist-server"
}

# source_warnings LOG: prints the compiler's warnings about the project's own Sources/ in LOG, once
# each, and fails when there is one. Only a build that compiled the file shows its warning, so the
# check belongs to the first build of a clone.
source_warnings() {
  local warnings
  warnings="$(grep -E '/Sources/[^:]+:[0-9]+:[0-9]+: warning: ' "$1" | grep -v '/\.build/' | sort -u || true)"
  [[ -z "${warnings}" ]] && return 0
  printf '%s\n' "${warnings}" >&2
  return 1
}

# python_venv: the one venv of every Python check (VENV, default .venv), with Tests/requirements.txt
# installed; installs again only when that file changed. Prints its python.
VENV="${VENV:-${REPO_ROOT}/.venv}"

python_venv() {
  command -v python3 >/dev/null 2>&1 || die "python3 is not installed: install Python 3.11 or newer"
  if [[ ! -x "${VENV}/bin/python" ]]; then
    python3 -m venv "${VENV}" >&2 || die "python3 -m venv failed: install python3-venv"
  fi
  local req="${REPO_ROOT}/Tests/requirements.txt" stamp="${VENV}/.requirements"
  if ! cmp -s "${req}" "${stamp}"; then
    log "installing Tests/requirements.txt into ${VENV}"
    "${VENV}/bin/python" -m pip install --quiet --disable-pip-version-check -r "${req}" >&2 ||
      die "pip could not install Tests/requirements.txt into ${VENV}"
    cp "${req}" "${stamp}"
  fi
  # Tests/ on the venv's path, as an editable install would put it: the scripts run directly (chaos.py,
  # bench.py) import the harness as the suites do, and no file touches sys.path.
  local site
  site="$("${VENV}/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" ||
    die "the venv ${VENV} does not run: delete it and run again"
  [[ "$(cat "${site}/leader-election-tests.pth" 2>/dev/null)" == "${REPO_ROOT}/Tests" ]] ||
    printf '%s\n' "${REPO_ROOT}/Tests" >"${site}/leader-election-tests.pth"
  printf '%s' "${VENV}/bin/python"
}
