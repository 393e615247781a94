#!/usr/bin/env bash
# Sets up a Debian 12 machine for Ergon Console, builds it, and runs the console or the tests.
#
#   scripts/ergon.sh run [CONSOLE OPTIONS...]   install what is missing, build, start the console
#   scripts/ergon.sh test                       install what is missing, build everything, run ctest
#
# Works from any directory. Packages are installed with apt-get (through sudo when not root)
# only when one is missing, so repeated runs are fast and need no network. The build goes to
# build/ (Ninja, RelWithDebInfo); ERGON_BUILD_DIR overrides it. With CI set, warnings are errors.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${ERGON_BUILD_DIR:-$ROOT/build}"
JOBS=2

# The package line of the project's Qt notes: toolchain, Qt 6 (Widgets, Sql, Charts), QCoro,
# the SQLite and PostgreSQL drivers, and a virtual X server for GUI tests.
PACKAGES=(
    g++ make cmake ninja-build
    qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-charts-dev qcoro-qt6-dev
    libqt6sql6-sqlite libqt6sql6-psql libsqlite3-dev libxkbcommon-dev
    xvfb xauth fonts-dejavu-core
)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'ergon.sh: %s\n' "$*" >&2; exit 1; }

usage() {
    cat <<USAGE
usage: scripts/ergon.sh run [CONSOLE OPTIONS...]
       scripts/ergon.sh test

  run   install missing packages, build the console and its bundled plugins, start it on the
        default database (options such as --db PATH are passed to the console)
  test  install missing packages, build every target, run the test suites
USAGE
}

install_packages() {
    local missing=() package
    for package in "${PACKAGES[@]}"; do
        if [[ "$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)" != installed ]]; then
            missing+=("$package")
        fi
    done
    if ((${#missing[@]} == 0)); then
        return
    fi
    command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get: this script expects Debian 12"
    local sudo=()
    if ((EUID != 0)); then
        command -v sudo >/dev/null || die "missing packages (${missing[*]}): run as root or install sudo"
        sudo=(sudo)
    fi
    log "Installing ${missing[*]}"
    "${sudo[@]}" apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
}

configure() {
    local werror=OFF
    if [[ -n "${CI:-}" ]]; then
        werror=ON
    fi
    # Configure once; again only when the warnings setting changes (the build re-runs CMake
    # by itself whenever a CMakeLists.txt changes).
    if [[ -f "$BUILD_DIR/build.ninja" ]] \
        && grep -qx "ERGON_WARNINGS_AS_ERRORS:BOOL=$werror" "$BUILD_DIR/CMakeCache.txt"; then
        return
    fi
    log "Configuring $BUILD_DIR"
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DERGON_WARNINGS_AS_ERRORS="$werror"
}

build() {
    log "Building ${*:-all}"
    cmake --build "$BUILD_DIR" --parallel "$JOBS" ${1:+--target "$@"}
}

run_tests() {
    local runtime
    runtime="$(mktemp -d)"
    chmod 0700 "$runtime"
    # shellcheck disable=SC2064 # expand now: the folder is known
    trap "rm -rf '$runtime'" EXIT
    log "Testing"
    QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$runtime" \
        ctest --test-dir "$BUILD_DIR" --output-on-failure
}

main() {
    local command="${1:-}"
    case "$command" in
        run)
            shift
            install_packages
            configure
            build ergon-run
            log "Starting the console"
            exec "$BUILD_DIR/bin/ergon-console" "$@"
            ;;
        test)
            shift
            (($# == 0)) || die "test takes no arguments"
            install_packages
            configure
            build
            run_tests
            ;;
        -h | --help | help)
            usage
            ;;
        *)
            usage >&2
            exit 2
            ;;
    esac
}

main "$@"
