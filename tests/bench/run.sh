#!/usr/bin/env bash
# Throughput and idle-connection benchmark, loopback only, bounded in time. Builds nothing.
#
#   tests/bench/run.sh [COURTYARD_BIN] [LOADGEN_BIN]
#
# Defaults: build/courtyard and build/tests/courtyard_loadgen. Environment knobs:
#   BENCH_DURATION (s per round, default 10)  BENCH_ROUNDS (default 3)
#   BENCH_CONNECTIONS (default 64)  BENCH_THREADS (wrk, 2)
#   BENCH_IDLE (idle connections, default 10000; 0 skips)  COURTYARD_THREADS (server, default 2)
#
# Compares courtyard against nginx serving a static JSON file (worker_processes 2, access
# log off) with wrk, then holds BENCH_IDLE keep-alive connections open and reads courtyard's
# VmRSS. Needs wrk, nginx and curl.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-$ROOT/build/courtyard}
LOADGEN=${2:-$(dirname "$BIN")/tests/courtyard_loadgen}
DURATION=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-3}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
WRK_THREADS=${BENCH_THREADS:-2}
IDLE=${BENCH_IDLE:-10000}
SERVER_THREADS=${COURTYARD_THREADS:-2}

# shellcheck source=tests/bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tools bench wrk nginx curl
need_bin bench "$BIN"

bench_work courtyard-bench
chmod 755 "$WORK"  # nginx workers run as nobody

# Both the server and the idle-connection client need one descriptor per connection.
want_fds=$((IDLE + 4096))
raise_fds "$want_fds"
[[ $(ulimit -n) -ge $want_fds ]] || echo "bench: descriptor limit $(ulimit -n) < $want_fds: some idle connections will fail" >&2

# ---- nginx, static file
start_nginx

# ---- courtyard on SQLite
ADMIN_EMAIL=bench-admin@example.com
ADMIN_PASSWORD=bench-admin-password
COURTYARD_ADMIN_EMAIL=$ADMIN_EMAIL COURTYARD_ADMIN_PASSWORD=$ADMIN_PASSWORD \
  "$BIN" --listen 127.0.0.1:0 --db "sqlite3://$WORK/bench.db" --threads "$SERVER_THREADS" \
  --access-log=false --log-level warn --rate-limit-rps 0 --password-hash min \
  --max-connections $((IDLE + 1000)) --idle-timeout 120 >"$WORK/courtyard.out" 2>"$WORK/courtyard.err" &
COURTYARD_PID=$!
PIDS+=("$COURTYARD_PID")
COURTYARD_URL=$(courtyard_url "$COURTYARD_PID" "$WORK/courtyard.out" "$WORK/courtyard.err")
COURTYARD_PORT=${COURTYARD_URL##*:}
wait_for_http "$COURTYARD_URL/healthz"

TOKEN=$(curl -fsS -X POST -H 'Content-Type: application/json' \
  -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" "$COURTYARD_URL/v1/auth/login" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# wrk prints "Requests/sec: N" and, with --latency, "99%  1.23ms". The targets are measured
# in interleaved rounds and the median round is reported, so a burst of unrelated load on a
# shared machine does not decide the comparison.
declare -A RPS P99
summarise() {  # name -> prints the median round; sets RPS[name], P99[name]
  local name=$1 line
  line=$(median "$name")
  RPS[$name]=${line% *}
  P99[$name]=${line#* }
  printf '%-20s %10s rps   p99 %7s ms   (rounds: %s)\n' "$name" "${RPS[$name]}" "${P99[$name]}" \
    "$(awk '{printf "%s%d", (NR > 1 ? ", " : ""), $1}' "$WORK/rounds-$name")"
}

machine_line
echo "wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s --latency, $ROUNDS interleaved rounds; courtyard --threads $SERVER_THREADS"
for _ in $(seq 1 "$ROUNDS"); do
  measure nginx_static "http://127.0.0.1:$NGINX_PORT/healthz.json"
  measure courtyard_healthz "$COURTYARD_URL/healthz"
  measure courtyard_me "$COURTYARD_URL/v1/me" -H "Authorization: Bearer $TOKEN"
done
for name in nginx_static courtyard_healthz courtyard_me; do summarise "$name"; done
awk -v c="${RPS[courtyard_healthz]}" -v n="${RPS[nginx_static]}" 'BEGIN {printf "ratio courtyard /healthz : nginx static = %.2f\n", c / n}'
awk -v c="${RPS[courtyard_me]}" -v n="${RPS[nginx_static]}" 'BEGIN {printf "ratio courtyard /v1/me   : nginx static = %.2f\n", c / n}'

# ---- idle keep-alive connections
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
if [[ $IDLE -gt 0 ]]; then
  [[ -x $LOADGEN ]] || { echo "bench: no loadgen at $LOADGEN (build courtyard_loadgen)" >&2; exit 1; }
  kill "${PIDS[0]}"  # nginx is done; free its CPU
  before=$(rss_kb "$COURTYARD_PID")
  "$LOADGEN" 127.0.0.1 "$COURTYARD_PORT" "$IDLE" 60 >"$WORK/loadgen.out" 2>&1 &
  LOADGEN_PID=$!
  PIDS+=("$LOADGEN_PID")
  for _ in $(seq 1 1200); do
    grep -q '^ready' "$WORK/loadgen.out" && break
    kill -0 "$LOADGEN_PID" 2>/dev/null || break
    sleep 0.1
  done
  read -r _ opened failed < <(grep '^ready' "$WORK/loadgen.out" || echo "ready 0 $IDLE")
  sleep 2
  during=$(rss_kb "$COURTYARD_PID")
  open_gauge=$(curl -fsS "$COURTYARD_URL/metrics" | awk '$1 == "courtyard_open_connections" {print $2}')
  kill "$LOADGEN_PID" 2>/dev/null || true
  awk -v o="$opened" -v f="$failed" -v g="$open_gauge" -v b="$before" -v d="$during" 'BEGIN {
    printf "idle keep-alive: %d open (%d failed, server gauge %s); courtyard VmRSS %.1f MB before, %.1f MB with them (%.2f KB per connection)\n",
      o, f, g, b / 1024, d / 1024, (d - b) / (o > 0 ? o : 1) }' 
fi
