#!/usr/bin/env bash
# GET /v1/me/recommendations under load (issue 12, goal p99 < 20 ms) on a generated community
# (tests/bench/recs_seed.py: 10,000 residents, 1,000,000 completed orders by default).
# Builds nothing.
#
#   tests/bench/recs_bench.sh sqlite|mysql [COURTYARD_BIN]
#
# Starts courtyard once on a fresh database (SQLite file under /tmp, or a fresh database on
# the MariaDB named by RECS_MYSQL_URL, default /work/handoff/mysql_url's) so the migrations
# create the schema, stops it, generates the data straight into the tables, starts courtyard
# again and runs wrk with tests/bench/recs.lua (a different resident's bearer token each
# request) for RECS_DURATION seconds after a short warm-up. Prints one RESULT line (p50, p90,
# p99, max, requests/s) and a sample answer. The MariaDB database is dropped at the end.
#
# Knobs: RECS_RESIDENTS (10000) RECS_ORDERS (1000000) RECS_DURATION (10) RECS_CONNECTIONS (8)
#   COURTYARD_THREADS (1) COURTYARD_WORKERS (4) RECS_KEEP (1: keep the work directory)
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

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "recs_bench: $tool is not installed" >&2; exit 1; }
done
[[ -x $BIN ]] || { echo "recs_bench: no courtyard binary at $BIN (build first)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/courtyard-recs-XXXXXX)
PID=""
DROP=""
cleanup() {
  [[ -n $PID ]] && { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
  [[ -n $DROP ]] && "${SQL[@]}" -e "DROP DATABASE IF EXISTS $DROP" || true
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
  NAME=recs_bench_$$
  SQL=(mariadb --no-defaults -u"$USER_" -h"${HOSTPORT%%:*}" -P"${HOSTPORT##*:}")
  "${SQL[@]}" -e "CREATE DATABASE $NAME CHARACTER SET utf8mb4"
  DROP=$NAME
  DB="mysql://$USER_@$HOSTPORT/$NAME"
  SEED_TARGET=("${SQL[@]}" "$NAME")
fi

start() {
  "$BIN" --listen 127.0.0.1:0 --db "$DB" --threads "$THREADS" --workers "$WORKERS" --background=false \
    --access-log=false --log-level warn --rate-limit-rps 0 >"$WORK/courtyard.out" 2>"$WORK/courtyard.err" &
  PID=$!
  for _ in $(seq 1 600); do
    grep -q '^courtyard listening on' "$WORK/courtyard.out" 2>/dev/null && break
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/courtyard.err" >&2; exit 1; }
    sleep 0.1
  done
  BASE=$(sed -n 's/^courtyard listening on //p' "$WORK/courtyard.out")
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

start
stop
echo "recs_bench: generating $RESIDENTS residents, $ORDERS completed orders ($BACKEND)"
SEED_START=$(date +%s)
CID=$(python3 "$ROOT/tests/bench/recs_seed.py" --residents "$RESIDENTS" --orders "$ORDERS" \
  --tokens-file "$WORK/tokens.txt" "$BACKEND" -- "${SEED_TARGET[@]}" | sed -n 's/^COMMUNITY=//p')
echo "recs_bench: generated in $(( $(date +%s) - SEED_START )) s"
start
export RECS_TOKENS=$WORK/tokens.txt RECS_PATH="/v1/me/recommendations?community_id=$CID"
echo "sample: $(curl -fsS -H "Authorization: Bearer $(head -1 "$WORK/tokens.txt")" "$BASE$RECS_PATH" | head -c 400)"
wrk -t1 -c"$CONNECTIONS" -d2s -s "$ROOT/tests/bench/recs.lua" "$BASE" >/dev/null  # warm-up
echo "wrk -t1 -c$CONNECTIONS -d${DURATION}s, courtyard --threads $THREADS --workers $WORKERS, $BACKEND"
wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s "$ROOT/tests/bench/recs.lua" "$BASE" | grep '^RESULT'
