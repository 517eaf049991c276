#!/usr/bin/env bash
# The concurrency tests under ThreadSanitizer: builds the integration test binaries with
# -fsanitize=thread in their own build dir and runs every case tagged [concurrency], [batch]
# or [ws] (stock, seats, money, one per resident, checkout batches: real threads against the
# real services; WebSockets: the I/O threads, the notifier and its wake-ups over real sockets)
# on SQLite and on a throwaway MariaDB. Not part of deploy/test.sh: the build alone
# takes about 25 minutes on two cores.
#
#   tests/tsan/run.sh [AREA...]     db wallet shops clubs ... (default: every area with such cases)
#
#   TSAN_BUILD_DIR=...  default <repo>/build-tsan
#   TSAN_BUILD=0        skip configure + build (use what is in TSAN_BUILD_DIR)
#   TSAN_MARIADB=0      SQLite only (default 1: deploy/mariadb-local.sh, or COURTYARD_TEST_MYSQL
#                       when it is set)
#   JOBS=2              build parallelism
# Exit status: 0 when every case passed and ThreadSanitizer reported nothing; 1 otherwise. Each
# run's output is kept in $TSAN_BUILD_DIR/logs/<area>-<backend>.log.
#
# SOCI, libmariadb and SQLite are not instrumented: a race inside them is not seen, and one
# between them and our code is reported from our side only. Catch2 v2's assertions are not
# thread-safe, so a test must check its threads' results after joining them (a CHECK on a
# worker thread shows up here as a race in Catch).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${TSAN_BUILD_DIR:-$root/build-tsan}
jobs=${JOBS:-2}
areas=("$@")
if [ ${#areas[@]} -eq 0 ]; then
  mapfile -t areas < <(grep -rlE '\[(concurrency|batch|ws)\]' "$root/tests" --include='*.cpp' \
    | sed -E "s|^$root/tests/([^/]+)/.*|\1|" | grep -vE '^(e2e|bench|fuzz|unit)$' | sort -u)
fi

if [ "${TSAN_BUILD:-1}" != 0 ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS="-fsanitize=thread -O1" -DCMAKE_C_FLAGS="-fsanitize=thread -O1" \
    -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread >/dev/null
  targets=()
  for area in "${areas[@]}"; do targets+=("tests/test_$area"); done
  ninja -C "$build" -j "$jobs" "${targets[@]}"
fi

backends=(sqlite)
started_mariadb=0
if [ "${TSAN_MARIADB:-1}" != 0 ]; then
  if [ -z "${COURTYARD_TEST_MYSQL:-}" ]; then
    COURTYARD_TEST_MYSQL=$("$root/deploy/mariadb-local.sh" start | tail -1)
    started_mariadb=1
  fi
  backends+=(mysql)
fi
# shellcheck disable=SC2317  # run by the trap
cleanup() {
  if [ "$started_mariadb" = 1 ]; then "$root/deploy/mariadb-local.sh" stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

mkdir -p "$build/logs"
failed=0
for area in "${areas[@]}"; do
  for backend in "${backends[@]}"; do
    log="$build/logs/$area-$backend.log"
    vars=("TSAN_OPTIONS=halt_on_error=0 exitcode=66")
    if [ "$backend" = mysql ]; then vars+=(COURTYARD_TEST_DB=mysql "COURTYARD_TEST_MYSQL=$COURTYARD_TEST_MYSQL"); fi
    set +e
    env "${vars[@]}" "$build/tests/test_$area" '[concurrency],[batch],[ws]' >"$log" 2>&1
    rc=$?
    set -e
    races=$(grep -c 'WARNING: ThreadSanitizer' "$log" || true)
    summary=$(grep -E '^(All tests passed|test cases:)' "$log" | tail -1 || true)
    printf '%-16s %-6s %s, %s ThreadSanitizer reports\n' "$area" "$backend" "${summary:-no summary (exit $rc)}" "$races"
    if [ "$rc" != 0 ] || [ "$races" != 0 ]; then failed=1; fi
  done
done
[ "$failed" = 0 ] && echo "tsan: clean" || echo "tsan: FAILED (logs in $build/logs/)"
exit "$failed"
