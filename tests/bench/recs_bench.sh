#!/usr/bin/env bash
# GET /v1/me/recommendations under load (issue 12, goal p99 < 20 ms) and segment sizes (goal
# < 200 ms) on a generated community (tests/bench/recs_seed.py: 10,000 residents, 1,000,000
# completed orders by default).
# Builds nothing.
#
#   tests/bench/recs_bench.sh sqlite|mysql [COURTYARD_BIN]
#
# Starts courtyard once on a fresh database (SQLite file under /tmp, or a fresh database on
# the MariaDB named by RECS_MYSQL_URL, default /work/handoff/mysql_url's) so the migrations
# create the schema, stops it, generates the data straight into the tables (the last
# RECS_REPLAY orders as pending order.completed events), starts courtyard again, waits until
# its subscribers have applied those events, checks the maintained tables against the
# generator's EXPECT sums (exit 1 on a mismatch), and runs wrk with tests/bench/recs.lua (a different resident's bearer token each
# request) for RECS_DURATION seconds after a short warm-up. Prints one RESULT line (p50, p90,
# p99, max, requests/s) and a sample answer; then tests/bench/segments_time.py creates
# segments (the manager's and a merchant's) and prints each one's size read time (SEGMENT
# lines). RECS_CONNECTIONS=1 gives the unqueued latency. The MariaDB database is dropped at
# the end.
#
# Knobs: RECS_RESIDENTS (10000) RECS_ORDERS (1000000) RECS_REPLAY (20000) RECS_DURATION (10) RECS_CONNECTIONS (8)
#   COURTYARD_THREADS (1) COURTYARD_WORKERS (4) RECS_KEEP (1: keep the work directory and, on
#   MariaDB, the database) RECS_REUSE (a kept work directory: skip generating) RECS_SEGMENT_READS (20)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BACKEND=${1:?usage: recs_bench.sh sqlite|mysql [COURTYARD_BIN]}
BIN=${2:-$ROOT/build/courtyard}
RESIDENTS=${RECS_RESIDENTS:-10000}
ORDERS=${RECS_ORDERS:-1000000}
DURATION=${RECS_DURATION:-10}
CONNECTIONS=${RECS_CONNECTIONS:-8}
THREADS=${COURTYARD_THREADS:-1}
WORKERS=${COURTYARD_WORKERS:-4}

# shellcheck source=tests/bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tools recs_bench wrk curl python3
need_bin recs_bench "$BIN"

# RECS_REUSE=<a work directory kept by RECS_KEEP=1>: measure again on the data generated
# then (same database: the SQLite file in it, or the MariaDB database it names); it is kept.
if [[ -n ${RECS_REUSE:-} ]]; then
  WORK=$RECS_REUSE
  RECS_KEEP=1
else
  WORK=$(mktemp -d /tmp/courtyard-recs-XXXXXX)
fi
PID=""
DROP=""
cleanup() {
  [[ -n $PID ]] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
  [[ -n $DROP && ${RECS_KEEP:-0} != 1 ]] && "${SQL[@]}" -e "DROP DATABASE IF EXISTS $DROP" || true
  [[ ${RECS_KEEP:-0} == 1 ]] || rm -rf "$WORK"
}
trap cleanup EXIT

if [[ $BACKEND == sqlite ]]; then
  DB="sqlite3://$WORK/recs.db"
  SEED_TARGET=("$WORK/recs.db")
else
  URL=${RECS_MYSQL_URL:-$(cat /work/handoff/mysql_url)}
  HOSTPORT=${URL#mysql://}; HOSTPORT=${HOSTPORT#*@}; HOSTPORT=${HOSTPORT%%/*}
  USER_=${URL#mysql://}; USER_=${USER_%%@*}
  SQL=(mariadb --no-defaults -u"$USER_" -h"${HOSTPORT%%:*}" -P"${HOSTPORT##*:}")
  if [[ -n ${RECS_REUSE:-} ]]; then
    NAME=$(cat "$WORK/mysql_db")
  else
    NAME=recs_bench_$$
    "${SQL[@]}" -e "CREATE DATABASE $NAME CHARACTER SET utf8mb4"
    echo "$NAME" >"$WORK/mysql_db"
    DROP=$NAME
  fi
  DB="mysql://$USER_@$HOSTPORT/$NAME"
  SEED_TARGET=("${SQL[@]}" "$NAME")
fi

# start [true]: with the event dispatcher (to apply the replayed events); measured without.
start() {
  "$BIN" --listen 127.0.0.1:0 --db "$DB" --threads "$THREADS" --workers "$WORKERS" --background="${1:-false}" \
    --access-log=false --log-level warn --rate-limit-rps 0 >"$WORK/courtyard.out" 2>"$WORK/courtyard.err" &
  PID=$!
  BASE=$(courtyard_url "$PID" "$WORK/courtyard.out" "$WORK/courtyard.err")
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

if [[ -z ${RECS_REUSE:-} ]]; then
  start
  stop
  echo "recs_bench: generating $RESIDENTS residents, $ORDERS completed orders ($BACKEND) in $WORK"
  SEED_START=$(date +%s)
  python3 "$ROOT/tests/bench/recs_seed.py" --residents "$RESIDENTS" --orders "$ORDERS" --replay "${RECS_REPLAY:-20000}" \
    --tokens-file "$WORK/tokens.txt" --manager-token-file "$WORK/manager_token.txt" \
    "$BACKEND" -- "${SEED_TARGET[@]}" >"$WORK/seed.out"
  echo "recs_bench: generated in $(( $(date +%s) - SEED_START )) s"
fi
CID=$(sed -n 's/^COMMUNITY=//p' "$WORK/seed.out")

# One number from the database (sqlite3's Python module, or the mariadb client).
q() {
  if [[ $BACKEND == sqlite ]]; then
    python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1], timeout=60).execute(sys.argv[2]).fetchone()[0] or 0)' \
      "$WORK/recs.db" "$1"
  else
    "${SQL[@]}" -N -B "$NAME" -e "$1"
  fi
}

start true
# The generator left its last orders' order.completed events pending: the server's
# subscribers apply them now. Wait for them, then check the tables against what the
# subscribers' rules give for all the orders (EXPECT lines).
PENDING="SELECT COUNT(*) FROM event_deliveries WHERE status = 'pending' AND subscriber IN
  ('recommendations.order_completed', 'members.facts_order')"
REPLAY_START=$(date +%s.%N)
REPLAYED=$(q "$PENDING")
while [[ $(q "$PENDING") != 0 ]]; do sleep 1; done
echo "replay: $REPLAYED pending deliveries applied by the server (start-up included) in" \
  "$(python3 -c "import time; print(f'{time.time() - $REPLAY_START:.1f}')") s"
C="community_id = $CID"
declare -A GOT=(
  [rec_orders]="SELECT COUNT(*) FROM rec_orders WHERE $C AND counted = 1"
  [rec_buyer_products]="SELECT COUNT(*) FROM rec_buyer_products WHERE $C"
  [rec_pairs_rows]="SELECT COUNT(*) FROM rec_pairs WHERE $C"
  [rec_pairs_buyers]="SELECT SUM(buyers) FROM rec_pairs WHERE $C"
  [rec_building_products_buyers]="SELECT SUM(buyers) FROM rec_building_products WHERE $C"
  [members_fact_spend_rows]="SELECT COUNT(*) FROM members_fact_spend WHERE $C"
  [members_fact_spend_cents]="SELECT SUM(cents) FROM members_fact_spend WHERE $C"
  [members_fact_merchant_spend_cents]="SELECT SUM(cents) FROM members_fact_merchant_spend WHERE $C"
  [members_fact_spend_period_rows]="SELECT COUNT(*) FROM members_fact_spend_period WHERE $C"
  [members_fact_spend_period_cents]="SELECT SUM(cents) FROM members_fact_spend_period WHERE $C"
  [members_fact_merchant_spend_period_rows]="SELECT COUNT(*) FROM members_fact_merchant_spend_period WHERE $C"
  [members_fact_customers_orders]="SELECT SUM(orders) FROM members_fact_customers WHERE $C"
  [members_fact_customers_cents]="SELECT SUM(cents) FROM members_fact_customers WHERE $C"
  [members_facts_last_order_at]="SELECT SUM(last_order_at) FROM members_facts WHERE $C"
)
MISMATCH=0
while IFS='=' read -r key want; do
  got=$(q "${GOT[$key]}")
  if [[ $got != "$want" ]]; then echo "check: $key = $got, expected $want" >&2; MISMATCH=1; fi
done < <(sed -n 's/^EXPECT //p' "$WORK/seed.out")
[[ $MISMATCH == 0 ]] || { echo "recs_bench: the maintained tables do not match the orders" >&2; exit 1; }
echo "check: the maintained tables match all $ORDERS orders (${#GOT[@]} sums and counts)"
stop
start
export RECS_TOKENS=$WORK/tokens.txt RECS_PATH="/v1/me/recommendations?community_id=$CID"
echo "sample: $(curl -fsS -H "Authorization: Bearer $(head -1 "$WORK/tokens.txt")" "$BASE$RECS_PATH" | head -c 400)"
wrk -t1 -c"$CONNECTIONS" -d2s -s "$ROOT/tests/bench/recs.lua" "$BASE" >/dev/null  # warm-up
echo "wrk -t1 -c$CONNECTIONS -d${DURATION}s, courtyard --threads $THREADS --workers $WORKERS, $BACKEND"
wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$ROOT/tests/bench/recs.lua" "$BASE" | grep '^RESULT'
echo "segment sizes (each read ${RECS_SEGMENT_READS:-20} times, one connection):"
python3 "$ROOT/tests/bench/segments_time.py" "$BASE" "$CID" "$(sed -n 's/^BUILDING=//p' "$WORK/seed.out")" \
  "$(sed -n 's/^MERCHANT=//p' "$WORK/seed.out")" "$(sed -n 's/^CATEGORY=//p' "$WORK/seed.out")" \
  "$(cat "$WORK/manager_token.txt")" "$(head -1 "$WORK/tokens.txt")" "${RECS_SEGMENT_READS:-20}"
