#!/usr/bin/env bash
# Product search over 50,000 products: p50/p90/p99 on SQLite and on MariaDB (issue 14 goal:
# p99 < 30 ms). Runs the hidden Catch2 case "[.bench][search]" of test_demand (in-process:
# auth, routing, ranking, the page's products and the search-log write; no network), so it
# builds nothing. The MariaDB run needs COURTYARD_TEST_MYSQL (mysql://root@127.0.0.1:PORT/).
#
#   tests/bench/search.sh [build/tests/test_demand]
# BENCH_PRODUCTS (default 50000) and BENCH_SEARCHES (default 500) may be set.
set -euo pipefail
bin=${1:-build/tests/test_demand}
# shellcheck source=tests/bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
machine_line
for backend in sqlite mysql; do
  if [[ $backend == mysql && -z ${COURTYARD_TEST_MYSQL:-} ]]; then
    echo "backend mariadb: skipped (COURTYARD_TEST_MYSQL not set)"
    continue
  fi
  COURTYARD_TEST_DB=$backend "$bin" "[.bench][search]" 2>&1 | grep -E "^(backend|searches)|FAILED|test cases" || true
done
