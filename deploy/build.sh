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

# The web clients (web/: portal and resident app), rebuilt only when their sources changed.
# The server serves web/dist (found next to build/). WEB=0 skips them.
if [[ ${WEB:-1} != 0 && -f $root/web/package.json ]]; then
  if ! command -v npm >/dev/null; then
    echo "build.sh: npm not found; the web clients are not built (deploy/setup.sh installs Node.js)" >&2
  else
    cd "$root/web"
    stamp=dist/.source-hash
    hash=$(cd "$root" && { git ls-files -co --exclude-standard web gateway/openapi.json 'services/*/openapi.json' 2>/dev/null |
             grep -vE '^web/(dist|node_modules|build|test-results)/' | sort | xargs sha256sum; } | sha256sum | cut -c1-32)
    if [[ ! -f $stamp || $(cat "$stamp") != "$hash" ]]; then
      lock_hash=$(sha256sum package-lock.json | cut -c1-32)
      if [[ ! -f node_modules/.lock-hash || $(cat node_modules/.lock-hash 2>/dev/null) != "$lock_hash" ]]; then
        echo "build.sh: npm ci (web)"
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
        echo "$lock_hash" > node_modules/.lock-hash
      fi
      echo "build.sh: building the web clients"
      npm run --silent build
      echo "$hash" > "$stamp"
    fi
  fi
fi
