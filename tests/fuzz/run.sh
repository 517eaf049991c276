#!/usr/bin/env bash
# The fuzzing suite (issue 10): builds the libFuzzer harnesses with clang-14 + ASan + UBSan in
# their own build dir and runs each for a bounded time, seeded with its committed corpus.
#
#   tests/fuzz/run.sh [HARNESS...]      http json config plugin_manifest (default: all)
#
#   FUZZ_SECONDS=30        time per harness (CI). A longer run: FUZZ_SECONDS=1800, see README.md
#   FUZZ_BUILD_DIR=...     default <repo>/build-fuzz
#   FUZZ_UPDATE_CORPUS=1   merge the new interesting inputs back into tests/fuzz/corpus/<h>/
#   FUZZ_BUILD=0           skip configure + build (use what is in FUZZ_BUILD_DIR)
#   FUZZ_PREBUILT_SERVICES=<g++ build dir>  quick mode: link the service libraries of the
#                          normal build (uninstrumented) instead of compiling services/ with
#                          the sanitizers; db/, http/ and gateway/ are always instrumented
#   JOBS=2                 build parallelism
# Exit status: 0 when every harness ran clean; 1 on any crash, leak, UB report, timeout or
# oracle failure (the input that triggered it is printed and kept under
# $FUZZ_BUILD_DIR/artifacts/<harness>/). Needs clang-14, libfuzzer-14-dev and
# libclang-rt-14-dev (deploy/setup.sh --with-fuzz).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-30}
jobs=${JOBS:-2}
all=(http json config plugin_manifest)
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=("${all[@]}")

# Inputs longer than this are not tried: a request head is bounded by the server's 16 KiB
# header limit; bodies, configs and manifests that matter are small.
max_len() {
  case $1 in
    http) echo 16384 ;;
    json) echo 8192 ;;
    config) echo 4096 ;;
    plugin_manifest) echo 2048 ;;
    *) echo 4096 ;;
  esac
}

if [ "${FUZZ_BUILD:-1}" != 0 ]; then
  for tool in clang-14 clang++-14 cmake ninja; do
    command -v "$tool" >/dev/null || { echo "run.sh: $tool not found (deploy/setup.sh --with-fuzz)" >&2; exit 2; }
  done
  launcher=()
  if command -v ccache >/dev/null; then
    launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
    export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
  fi
  cmake -S "$here" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
    "${launcher[@]}" -DFUZZ_PREBUILT_SERVICES="${FUZZ_PREBUILT_SERVICES:-}" >/dev/null
  targets=()
  for h in "${harnesses[@]}"; do targets+=(--target "fuzz_$h"); done
  cmake --build "$build" --parallel "$jobs" "${targets[@]}"
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:symbolize=1}

failed=0
summary=()
for h in "${harnesses[@]}"; do
  bin=$build/fuzz_$h
  [ -x "$bin" ] || { echo "run.sh: $bin is missing" >&2; exit 2; }
  seeds=$here/corpus/$h
  work=$(mktemp -d "${TMPDIR:-/tmp}/courtyard-fuzz-$h.XXXXXX")
  mkdir -p "$work/corpus" "$build/artifacts/$h"
  [ -d "$seeds" ] && cp -r "$seeds/." "$work/corpus/"
  seeded=$(find "$work/corpus" -type f | wc -l)
  dict=()
  [ -f "$here/$h.dict" ] && dict=(-dict="$here/$h.dict")
  log=$build/artifacts/$h/last-run.log
  echo "== fuzz_$h: ${seconds}s, $seeded seeds, max_len $(max_len "$h")"
  set +e
  "$bin" "$work/corpus" "${dict[@]}" -max_total_time="$seconds" -max_len="$(max_len "$h")" -timeout=25 \
    -rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$build/artifacts/$h/" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  size=$(find "$work/corpus" -type f | wc -l)
  crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
  if [ $rc -ne 0 ] || [ -n "$crash" ]; then
    failed=1
    echo "!! fuzz_$h FAILED (exit $rc)"
    grep -E "==ERROR|ERROR: libFuzzer|runtime error|==FUZZ ORACLE==|SUMMARY" "$log" | head -5 || true
    echo "   log: $log"
    [ -n "$crash" ] && echo "   crash input: $crash   (reproduce: $bin $crash)"
    summary+=("fuzz_$h: FAIL exit=$rc execs=${execs:-?} corpus=$size crash=${crash:-none}")
  else
    summary+=("fuzz_$h: ok execs=${execs:-?} corpus=$seeded->$size time=${seconds}s")
  fi
  if [ "${FUZZ_UPDATE_CORPUS:-0}" = 1 ] && [ $rc -eq 0 ]; then
    mkdir -p "$seeds"
    "$bin" -merge=1 -max_len="$(max_len "$h")" "$seeds" "$work/corpus" >>"$log" 2>&1
    echo "   corpus merged into $seeds ($(find "$seeds" -type f | wc -l) files)"
  fi
  rm -rf "$work"
done

echo "== summary"
printf '%s\n' "${summary[@]}"
exit $failed
