#!/usr/bin/env bash
# WebSocket broadcast benchmark, loopback only, bounded in time: N residents (default 5000)
# each hold a socket on /v1/ws; an announcement to all of them is published R times; the
# client reports delivery-time percentiles and the server's VmRSS.
#
#   tests/bench/ws_run.sh [COURTYARD_BIN]
#
# Defaults: build/courtyard. Environment knobs: WS_RESIDENTS (5000), WS_ROUNDS (3),
# WS_TIMEOUT (s per round, 60), WS_DB (sqlite3 file in a temp dir; or a mysql:// URL),
# COURTYARD_THREADS (server I/O threads, 2). Builds its client with the system compiler
# (Boost headers + boost_json only).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-$ROOT/build/courtyard}
RESIDENTS=${WS_RESIDENTS:-5000}
ROUNDS=${WS_ROUNDS:-3}
TIMEOUT=${WS_TIMEOUT:-60}
SERVER_THREADS=${COURTYARD_THREADS:-2}
# shellcheck source=tests/bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_bin "ws bench" "$BIN"

bench_work courtyard-ws-bench
# One descriptor per socket on each side.
raise_fds $((RESIDENTS + 4096))

CLIENT="$WORK/courtyard_ws_bench"
${CXX:-c++} -std=c++20 -O2 -DCOURTYARD_WS_BENCH -DBOOST_ASIO_NO_DEPRECATED "$ROOT/tests/bench/ws_broadcast.cpp" \
  -o "$CLIENT" -lboost_json -pthread

DB=${WS_DB:-sqlite3://$WORK/bench.db}
ADMIN_EMAIL=ws-bench-admin@example.com
ADMIN_PASSWORD=ws-bench-admin-password
COURTYARD_ADMIN_EMAIL=$ADMIN_EMAIL COURTYARD_ADMIN_PASSWORD=$ADMIN_PASSWORD \
  "$BIN" --listen 127.0.0.1:0 --db "$DB" --threads "$SERVER_THREADS" \
  --access-log=false --log-level warn --rate-limit-rps 0 --password-hash min \
  --max-connections $((RESIDENTS + 1000)) >"$WORK/courtyard.out" 2>"$WORK/courtyard.err" &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
URL=$(courtyard_url "$SERVER_PID" "$WORK/courtyard.out" "$WORK/courtyard.err")
PORT=${URL##*:}
[[ -n $PORT ]] || { echo "ws bench: server did not start" >&2; cat "$WORK/courtyard.err" >&2; exit 1; }

machine_line
echo "courtyard --threads $SERVER_THREADS, db ${DB%%:*}; $RESIDENTS residents, one socket each, $ROUNDS announcement rounds"
status=0
timeout $((TIMEOUT * (ROUNDS + 10) + 300)) "$CLIENT" --port "$PORT" --admin-email "$ADMIN_EMAIL" \
  --admin-password "$ADMIN_PASSWORD" --residents "$RESIDENTS" --rounds "$ROUNDS" --timeout "$TIMEOUT" \
  --server-pid "$SERVER_PID" || status=$?
gauge=$(curl -fsS "$URL/metrics" 2>/dev/null | awk '$1 == "courtyard_websocket_connections" {print $2}' || true)
echo "server gauge courtyard_websocket_connections after the client closed: ${gauge:-?}"
if grep -qiE 'error|critical' "$WORK/courtyard.err"; then
  echo "server log errors:" >&2
  grep -iE 'error|critical' "$WORK/courtyard.err" | head -5 >&2
fi
exit $status
