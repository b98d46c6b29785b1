#!/usr/bin/env bash
# vigil developer entry point.
#
#   packaging/dev.sh run [vigild options]   set up, build (Release) and run vigild in the foreground
#   packaging/dev.sh test                   set up, build and run the whole test suite
#   packaging/dev.sh setup | build          only those steps
#   packaging/dev.sh bench [--smoke]        build and run the benchmarks
#
# Set-up installs with apt-get whatever Debian 12 package the build, the tests or the daemon
# need and is missing; the build is incremental. A second run on a set-up machine installs and
# rebuilds nothing. Environment: VIGIL_BUILD_DIR (default build), VIGIL_WERROR (default ON, as
# in CI, so that run, test and CI share one build), VIGIL_JOBS (default 2).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build_dir=${VIGIL_BUILD_DIR:-build}
jobs=${VIGIL_JOBS:-2}

# Debian package -> what it is for.
packages=(
  g++ cmake ninja-build pkg-config ccache          # toolchain
  libboost-dev                                     # Boost.Asio, Boost.Beast (header-only)
  librdkafka-dev libsimdjson-dev libhyperscan-dev librocksdb-dev libyaml-cpp-dev libssl-dev
  catch2                                           # unit tests
  bsdutils curl kcat openssl python3               # real clients used by the tests (logger is in bsdutils)
)

log() { printf 'dev.sh: %s\n' "$*" >&2; }

setup() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return
  fi
  log "installing: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { log "need root (or sudo) to install packages"; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
  local args=(-G Ninja -DCMAKE_BUILD_TYPE=Release "-DVIGIL_WERROR=${VIGIL_WERROR:-ON}")
  # Configure only when the build directory is new or the options changed.
  if [ ! -f "$build_dir/build.ninja" ] || [ "$(cat "$build_dir/.dev-sh-args" 2>/dev/null)" != "${args[*]}" ]; then
    cmake -S . -B "$build_dir" "${args[@]}"
    echo "${args[*]}" > "$build_dir/.dev-sh-args"
  fi
  cmake --build "$build_dir" -j "$jobs"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  setup) setup ;;
  build) setup; build ;;
  run)
    setup; build
    exec "$build_dir/daemon/vigild" "$@"
    ;;
  test)
    setup; build
    ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
    "$build_dir/daemon/vigil" rules test rules/ --require-fixtures
    ;;
  bench)
    setup; build
    # Each writes its table to stdout and its JSON beside the build.
    "$build_dir/bench/vigil_stage_bench" --json "$build_dir/stage_bench.json" "$@"
    "$build_dir/bench/vigil_sigma_bench" --json "$build_dir/sigma_bench.json" "$@"
    ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
