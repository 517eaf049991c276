#!/usr/bin/env bash
# COMMAND 2: installs what is missing, builds, starts a throwaway MariaDB, runs every test
# (unit, integration on SQLite and on MariaDB, end-to-end) and prints "N passed, N failed".
#   deploy/test.sh [CTEST_ARGS...]     e.g. deploy/test.sh -R identity
# Fails when a test fails, when any test was skipped (a skipped MariaDB run means MariaDB
# was not reached), or when no test ran.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build_dir=${BUILD_DIR:-$root/build}
export BUILD_DIR=$build_dir

deploy/setup.sh --with-mariadb --with-browser --with-fuzz --with-galera
deploy/build.sh || { echo "test.sh: build failed" >&2; exit 1; }

# A private state dir, so this run's server never collides with one started by hand.
# (Not a COURTYARD_* name: the server rejects unknown COURTYARD_* variables, and e2e tests
# start it with this environment.)
work=$(mktemp -d "${TMPDIR:-/tmp}/courtyard-test.XXXXXX")
export MARIADB_LOCAL_DIR=$work/mariadb
cleanup() {
  deploy/mariadb-local.sh stop || true
  rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

COURTYARD_TEST_MYSQL=$(deploy/mariadb-local.sh start)
export COURTYARD_TEST_MYSQL
echo "test.sh: MariaDB at $COURTYARD_TEST_MYSQL"

log=$work/ctest.log
set +e
ctest --test-dir "$build_dir" --output-on-failure -j2 --no-tests=error --timeout 600 "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
out=$(cat "$log")
cleanup  # before the summary, so the summary is the last line printed
trap - EXIT

summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' <<<"$out" | tail -n 1 || true)
total=0
failed=0
if [[ $summary =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
  failed=${BASH_REMATCH[1]}
  total=${BASH_REMATCH[2]}
fi
skipped=$(grep -cE '^[[:space:]]*[0-9]+ - .+ \((Skipped|Disabled)\)[[:space:]]*$' <<<"$out" || true)
passed=$((total - failed - skipped))
((passed >= 0)) || passed=0

status=0
if ((total == 0)); then
  echo "test.sh: ctest ran no tests" >&2
  status=1
fi
if ((skipped > 0)); then
  echo "test.sh: $skipped test(s) skipped; counted as failed (is MariaDB reachable?)" >&2
  status=1
fi
if ((rc != 0 || failed > 0)); then
  status=1
fi
echo "$passed passed, $((failed + skipped)) failed"
exit "$status"
