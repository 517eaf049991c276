#!/usr/bin/env bash
# Configures and builds Courtyard with CMake + Ninja (+ ccache when present).
#   deploy/build.sh [TARGET...]        builds everything, or just the named targets
# BUILD_DIR (default <repo>/build) and BUILD_TYPE (default RelWithDebInfo) may be set.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
build_type=${BUILD_TYPE:-RelWithDebInfo}
jobs=${JOBS:-$(nproc)}

if command -v ccache >/dev/null; then
  # CMake reads these as the default launchers (no warning for a language not enabled).
  export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}
  export CMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER:-ccache}
  # Paths relative to the checkout, so a fresh clone elsewhere (CI) hits the same cache.
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
  export CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-true}
fi

cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type"

targets=()
for t in "$@"; do targets+=(--target "$t"); done
cmake --build "$build_dir" --parallel "$jobs" "${targets[@]}"
