#!/usr/bin/env bash
# WebSocket broadcast benchmark, loopback only, bounded in time: N residents (default 5000)
# each hold a socket on /v1/ws; an announcement to all of them is published R times; the
# client reports delivery-time percentiles and the server's VmRSS.
#
#   tests/bench/ws_run.sh [COURTYARD_BIN]
#
# Defaults: build/courtyard. Environment knobs: WS_RESIDENTS (5000), WS_ROUNDS (3),
# WS_TIMEOUT (s per round, 60), WS_DB (sqlite3 file in a temp dir; or a mysql:// URL),
# COURTYARD_THREADS (server I/O threads, 2), WS_SERVERS (courtyard processes) and WS_HOLDERS
# (client processes holding the sockets; both default to as many as the descriptor limit asks
# for). Builds its client with the system compiler (Boost
# headers + boost_json only).
#
# A process holds at most its descriptor limit of sockets (this sandbox's hard limit is
# 20,000, which not even root may raise). When WS_RESIDENTS does not fit under it, the sockets
# are held by several courtyard processes sharing the port (--reuse-port: the kernel spreads
# new connections over them) and one database, as instances scaled out on one host are: the
# instance that writes a broadcast's notifications pushes them to its sockets at once, the
# others on their next poll of the table. The client holds its sockets in as many child
# processes as its own limit asks for, and sums the servers' memory.
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
fd_limit=$(ulimit -n)
SERVERS_WANTED=${WS_SERVERS:-1}
if [[ -z ${WS_SERVERS:-} && $((RESIDENTS + 1000)) -gt $fd_limit ]]; then
  per_proc=$((fd_limit * 85 / 100))  # the kernel's spread over the processes is uneven by a few hundred
  SERVERS_WANTED=$(((RESIDENTS + per_proc - 1) / per_proc))
fi
max_conn=$((RESIDENTS + 1000))
[[ $max_conn -lt $((fd_limit - 500)) ]] || max_conn=$((fd_limit - 500))
ADMIN_EMAIL=ws-bench-admin@example.com
ADMIN_PASSWORD=ws-bench-admin-password
server_args=(--db "$DB" --threads "$SERVER_THREADS" --access-log=false --log-level warn --rate-limit-rps 0
  --password-hash min --max-connections "$max_conn" --reuse-port)
COURTYARD_ADMIN_EMAIL=$ADMIN_EMAIL COURTYARD_ADMIN_PASSWORD=$ADMIN_PASSWORD \
  "$BIN" --listen 127.0.0.1:0 "${server_args[@]}" >"$WORK/courtyard.out" 2>"$WORK/courtyard.err" &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
URL=$(courtyard_url "$SERVER_PID" "$WORK/courtyard.out" "$WORK/courtyard.err")
PORT=${URL##*:}
[[ -n $PORT ]] || { echo "ws bench: server did not start" >&2; cat "$WORK/courtyard.err" >&2; exit 1; }
SERVER_PIDS=$SERVER_PID
for i in $(seq 2 "$SERVERS_WANTED"); do
  "$BIN" --listen "127.0.0.1:$PORT" "${server_args[@]}" >"$WORK/courtyard-$i.out" 2>"$WORK/courtyard-$i.err" &
  PIDS+=("$!")
  SERVER_PIDS+=",$!"
  courtyard_url "$!" "$WORK/courtyard-$i.out" "$WORK/courtyard-$i.err" >/dev/null
done

machine_line
echo "courtyard --threads $SERVER_THREADS, db ${DB%%:*}, $SERVERS_WANTED process(es) on port $PORT; $RESIDENTS residents, one socket each, $ROUNDS announcement rounds"
status=0
timeout $((TIMEOUT * (ROUNDS + 10) + 300)) "$CLIENT" --port "$PORT" --admin-email "$ADMIN_EMAIL" \
  --admin-password "$ADMIN_PASSWORD" --residents "$RESIDENTS" --rounds "$ROUNDS" --timeout "$TIMEOUT" \
  --server-pids "$SERVER_PIDS" ${WS_HOLDERS:+--holders "$WS_HOLDERS"} || status=$?
if [[ $SERVERS_WANTED -eq 1 ]]; then  # with several, /metrics answers from whichever the kernel picks
  gauge=$(curl -fsS "$URL/metrics" 2>/dev/null | awk '$1 == "courtyard_websocket_connections" {print $2}' || true)
  echo "server gauge courtyard_websocket_connections after the client closed: ${gauge:-?}"
fi
if cat "$WORK"/courtyard*.err | grep -qiE 'error|critical'; then
  echo "server log errors:" >&2
  cat "$WORK"/courtyard*.err | grep -iE 'error|critical' | head -5 >&2
fi
exit $status
