#!/usr/bin/env bash
# vigil developer entry point.
#
#   packaging/dev.sh run [vigild options]   set up, build (Release) and run vigild in the foreground
#   packaging/dev.sh test                   set up, build and run the whole test suite
#   packaging/dev.sh setup | build          only those steps
#   packaging/dev.sh bench [--smoke]        build and run the benchmarks
#   packaging/dev.sh fuzz [SECONDS]         build the libFuzzer targets (clang) and run each for
#                                           SECONDS (default 20); CI runs it after test
#   packaging/dev.sh format [--check]       clang-format every C++ file (--check: only report
#                                           files that differ, exit 1; CI runs it)
#   packaging/dev.sh sanitize               ASan+UBSan build (build-asan): unit and integration
#                                           tests; TSan build (build-tsan): the pipeline and
#                                           correlator tests; CI runs it after test
#
# Set-up installs with apt-get whatever Debian 12 package the build, the tests or the daemon
# need and is missing; the build is incremental. A second run on a set-up machine installs and
# rebuilds nothing. Environment: VIGIL_BUILD_DIR (default build), VIGIL_WERROR (default ON, as
# in CI, so that run, test and CI share one build), VIGIL_JOBS (default 2).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build_dir=${VIGIL_BUILD_DIR:-build}
# ccache hashes paths relative to the checkout, so clones elsewhere (CI) reuse its objects.
export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=true
jobs=${VIGIL_JOBS:-2}

# Debian package -> what it is for.
packages=(
  g++ cmake ninja-build pkg-config ccache          # toolchain
  clang-format-14                                  # code layout (.clang-format), checked in CI
  libboost-dev                                     # Boost.Asio, Boost.Beast (header-only)
  librdkafka-dev libsimdjson-dev libhyperscan-dev librocksdb-dev libyaml-cpp-dev libssl-dev
  zlib1g-dev                                       # gzip bodies of HTTP ingest
  libabsl-dev tzdata                               # time zones: Abseil over the system zoneinfo
  catch2                                           # unit tests
  bsdutils curl kcat openssl python3               # real clients used by the tests (logger is in bsdutils)
  python3-yaml                                     # the log-source fixtures (tests/data/logsources)
  chromium fonts-dejavu-core                       # the browser tests (driven by puppeteer-core)
)
# Only for `fuzz`: clang 16 with libFuzzer.
fuzz_packages=(clang-16 libclang-rt-16-dev)

log() { printf 'dev.sh: %s\n' "$*" >&2; }

setup() {
  local missing=()
  for p in "${packages[@]}" "$@"; do
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

# The npm packages the tests run with node (tests/node: third-party verifiers such as
# standardwebhooks, and puppeteer-core for the browser tests), pinned by package-lock.json; reinstalled only when the lock file changed.
node_setup() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    setup nodejs npm
  fi
  local dir=tests/node
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.vigil-lock"; then
    log "installing the test tools of $dir (npm ci)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$dir/package-lock.json" "$dir/node_modules/.vigil-lock"
  fi
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
# Sanitizer builds (tests/README.md): ASan+UBSan over the unit and integration tests (every
# finding fails: halt_on_error, no recovery from UBSan), TSan over the tests of the threaded
# pipeline and the correlator. Each build directory is its own; ccache keeps repeats fast.
sanitize() {
  # Warnings are the normal build's business: GCC warns differently under sanitizers.
  local common=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIL_WERROR=OFF
                -DVIGIL_ENABLE_BENCH=OFF)
  local kind dir args
  for kind in asan tsan; do
    dir=build-$kind
    if [ "$kind" = asan ]; then
      args=("${common[@]}" "-DVIGIL_SANITIZE=address;undefined"
            "-DCMAKE_CXX_FLAGS=-fno-sanitize-recover=undefined")
    else
      args=("${common[@]}" -DVIGIL_SANITIZE=thread)
    fi
    if [ ! -f "$dir/build.ninja" ] || [ "$(cat "$dir/.dev-sh-args" 2>/dev/null)" != "${args[*]}" ]; then
      cmake -S . -B "$dir" "${args[@]}"
      echo "${args[*]}" > "$dir/.dev-sh-args"
    fi
  done
  log "ASan+UBSan: building"
  cmake --build build-asan -j "$jobs" --target vigil_unit_tests vigild vigil vigil_kafka_mock
  log "ASan+UBSan: unit and integration tests"
  ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --test-dir build-asan -L 'unit|integration' --output-on-failure -j "$jobs" \
      -E 'integration\.(log_sources|rule_reload)'
  # Left out under ASan (both run in the normal test step): log_sources parses every fixture
  # sample once more (over 3 minutes); rule_reload's reloads-under-load case needs its reloads
  # to finish while a fixed stream still runs, which ASan's slower compiles do not always do.
  log "TSan: building"
  cmake --build build-tsan -j "$jobs" --target vigil_unit_tests
  log "TSan: pipeline and correlator tests"
  # Catch2 file tags: the threaded pipeline (workers, shards, alert stage, durability) and the
  # correlator and its rings; not the cases that read ../shared/data (single-threaded, and the
  # directory may be absent).
  local spec="" file
  for file in pipeline_test worker_step_test correlator_test input_watermarks_test \
              reorder_buffer_test spsc_ring_test; do
    spec+="${spec:+,}[#$file]~[shared-data]"
  done
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/tests/tsan.supp" \
    build-tsan/tests/vigil_unit_tests -# "$spec"
}
# clang-format 14 over every tracked C++ file; with --check, changes nothing and fails when a
# file is not formatted (the files are listed).
format() {
  local files
  mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
  if [ "${1:-}" = "--check" ]; then
    local bad=()
    for f in "${files[@]}"; do
      clang-format-14 --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
    done
    if [ ${#bad[@]} -gt 0 ]; then
      log "not formatted (run packaging/dev.sh format): ${bad[*]}"
      return 1
    fi
    log "format: ${#files[@]} files formatted"
    return 0
  fi
  clang-format-14 -i "${files[@]}"
}
# Builds the fuzz targets in build-fuzz and runs each for a bounded time on a corpus of the
# checked-in seeds plus records from the shared data beside the checkout (when it is there).
# A crash fails the run; its input is left in build-fuzz/crashes/<target>/ and belongs in
# tests/fuzz/regressions/<target>/ once fixed.
fuzz() {
  local seconds=${1:-20}
  local dir=build-fuzz
  local args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-16
              -DVIGIL_ENABLE_FUZZ=ON -DVIGIL_ENABLE_TESTS=OFF -DVIGIL_ENABLE_BENCH=OFF)
  if [ ! -f "$dir/build.ninja" ] || [ "$(cat "$dir/.dev-sh-args" 2>/dev/null)" != "${args[*]}" ]; then
    cmake -S . -B "$dir" "${args[@]}"
    echo "${args[*]}" > "$dir/.dev-sh-args"
  fi
  cmake --build "$dir" -j "$jobs" --target vigil_fuzzers
  local shared=../shared/data failed=0
  for target in syslog cef leef json kv csv record framer sigma config schemas; do
    local corpus="$dir/corpus/$target" crashes="$dir/crashes/$target"
    mkdir -p "$corpus" "$crashes"
    cp -f tests/fuzz/seeds/$target/* "$corpus/"
    [ -d "$shared" ] && python3 tests/fuzz/shared_seeds.py "$shared" "$target" "$corpus"
    log "fuzzing $target for ${seconds}s"
    if ! "$dir/tests/fuzz/vigil_fuzz_$target" -max_total_time="$seconds" -timeout=10 \
         -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
         -artifact_prefix="$crashes/" "$corpus" > "$dir/fuzz-$target.log" 2>&1; then
      log "vigil_fuzz_$target failed; see $dir/fuzz-$target.log and $crashes/"
      tail -30 "$dir/fuzz-$target.log" >&2
      failed=1
    else
      grep -E '^stat::number_of_executed_units' "$dir/fuzz-$target.log" | sed "s/^/dev.sh: $target /" >&2 || true
    fi
  done
  return $failed
}

[ $# -gt 0 ] && shift
case "$cmd" in
  setup) setup; node_setup ;;
  build) setup; build ;;
  run)
    setup; build
    exec "$build_dir/daemon/vigild" "$@"
    ;;
  test)
    setup; node_setup; build
    ctest --test-dir "$build_dir" --output-on-failure -j "$jobs"
    # The reliability scenarios' figures (the README's "Reliability" section quotes them).
    grep -h '^RELIABILITY' "$build_dir/Testing/Temporary/LastTest.log" || true
    "$build_dir/daemon/vigil" rules test rules/ --require-fixtures
    ;;
  fuzz)
    setup "${fuzz_packages[@]}"
    fuzz "$@"
    ;;
  format)
    setup
    format "$@"
    ;;
  sanitize)
    setup; node_setup
    sanitize
    ;;
  bench)
    setup; build
    # Each writes its table to stdout and its JSON beside the build.
    "$build_dir/bench/vigil_stage_bench" --json "$build_dir/stage_bench.json" "$@"
    "$build_dir/bench/vigil_sigma_bench" --json "$build_dir/sigma_bench.json" "$@"
    "$build_dir/bench/vigil_parse_bench" --json "$build_dir/parse_bench.json" "$@"
    "$build_dir/bench/vigil_correlator_bench" --json "$build_dir/correlator_bench.json" "$@"
    "$build_dir/bench/vigil_alert_stage_bench" --json "$build_dir/alert_stage_bench.json" "$@"
    "$build_dir/bench/vigil_report_bench" --json "$build_dir/report_bench.json" "$@"
    python3 bench/e2e/e2e_bench.py --build "$build_dir" --json "$build_dir/e2e_bench.json" "$@"
    ;;
  *)
    sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
