#!/usr/bin/env bash
# Courtyard beside a typical Node service on the same database, in one run (issue #11):
#
#   tests/bench/peer_compare.sh [COURTYARD_BIN]
#
# 1. Starts a private MariaDB with durable commits (innodb_flush_log_at_trx_commit=1,
#    sync_binlog and everything else at their defaults) in a temp directory.
# 2. Starts courtyard --demo on it, adds products to the demo bakery (20 in all) and two
#    orders for alice, signs alice in.
# 3. Starts the Fastify + mysql2 peer (tests/bench/peer, `npm ci` on first use) on the same
#    database and sends it the same token.
# 4. A 2 s warm-up per read, then `wrk -t1 -cN` on each read, Courtyard and peer interleaved,
#    BENCH_ROUNDS rounds, the median round by rps reported (the lower one of two): /v1/me, one product, a page of 20 products, /v1/me/orders; /healthz
#    against nginx serving a static file.
# 5. The same reads on courtyard --demo over SQLite.
# Prints rps, p99 and the ratios. Knobs: BENCH_DURATION (s, default 10), BENCH_ROUNDS (2),
# BENCH_CONNECTIONS (64), COURTYARD_THREADS (2), BENCH_SQLITE=0 / BENCH_MARIADB=0 skip a part,
# BENCH_SERVER_ARGS (more server flags, e.g. "--auth-cache-ms 0" to measure without the cache).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${1:-$ROOT/build/courtyard}
DURATION=${BENCH_DURATION:-10}
ROUNDS=${BENCH_ROUNDS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
SERVER_THREADS=${COURTYARD_THREADS:-2}
PEER_SRC=$ROOT/tests/bench/peer

# shellcheck source=tests/bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_tools bench wrk nginx curl node npm python3 mariadbd mariadb-install-db mariadb
need_bin bench "$BIN"

bench_work courtyard-peer-bench
chmod 755 "$WORK"
ulimit -n "$(ulimit -Hn)"

# ---- courtyard: start_courtyard NAME DB_URL -> sets CY_URL, CY_PID
start_courtyard() {
  local name=$1 db=$2
  "$BIN" --listen 127.0.0.1:0 --db "$db" --demo --threads "$SERVER_THREADS" --access-log=false --log-level warn \
    --rate-limit-rps 0 --password-hash min --max-connections 20000 ${BENCH_SERVER_ARGS:-} >"$WORK/$name.out" 2>"$WORK/$name.err" &
  CY_PID=$!
  PIDS+=("$CY_PID")
  CY_URL=$(courtyard_url "$CY_PID" "$WORK/$name.out" "$WORK/$name.err")
  wait_for_http "$CY_URL/healthz"
}

# ---- the demo data the reads need; prints "TOKEN CID MID PID"
prepare() {
  python3 - "$1" <<'EOF'
import json, sys, urllib.request
base = sys.argv[1]
def call(method, path, body=None, token=None, key=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    req.add_header("Content-Type", "application/json")
    if token: req.add_header("Authorization", "Bearer " + token)
    if key: req.add_header("Idempotency-Key", key)
    with urllib.request.urlopen(req) as r:
        data = r.read()
        return json.loads(data) if data else None
def login(email):
    return call("POST", "/v1/auth/login", {"email": email, "password": "courtyard-demo"})["token"]
alice, carol = login("alice@demo.courtyard.local"), login("carol@demo.courtyard.local")
role = next(r for r in call("GET", "/v1/me", token=carol)["roles"] if r["role"] == "merchant")
cid, mid = role["community_id"], role["merchant_id"]
shop = "/v1/communities/%d/merchants/%d" % (cid, mid)
have = len(call("GET", shop + "/products?limit=200", token=carol)["items"])
for i in range(have, 20):
    call("POST", shop + "/products", {"name": "Bench loaf %d" % i, "price_cents": 300 + i, "stock": 100000},
         token=carol, key="bench-product-%d" % i)
pid = call("GET", shop + "/products?limit=1", token=alice)["items"][0]["id"]
for i in range(2):
    call("POST", "/v1/communities/%d/orders" % cid,
         {"merchant_id": mid, "items": [{"product_id": pid, "quantity": 1}], "fulfilment": "pickup"},
         token=alice, key="bench-order-%d" % i)
print(alice, cid, mid, pid)
EOF
}

# ---- wrk rounds: measure and median (lib.sh), whole requests per second
RPS_DECIMALS=0
rounds_of() { awk '{printf "%s%d", (NR > 1 ? "/" : ""), $1}' "$WORK/rounds-$1"; }
compare() {  # LABEL OURS THEIRS THEIR_NAME
  read -r a_rps a_p99 < <(median "$2")
  read -r b_rps b_p99 < <(median "$3")
  awk -v l="$1" -v ar="$a_rps" -v ap="$a_p99" -v br="$b_rps" -v bp="$b_p99" -v an="$(rounds_of "$2")" \
      -v bn="$(rounds_of "$3")" -v who="$4" 'BEGIN {
    printf "%-14s courtyard %7d rps p99 %7.2f ms | %-7s %7d rps p99 %7.2f ms | ratio %5.2fx  (rounds %s vs %s)\n",
      l, ar, ap, who, br, bp, (br > 0 ? ar / br : 0), an, bn }'
}

machine_line
echo "wrk -t1 -c$CONNECTIONS -d${DURATION}s --latency, $ROUNDS interleaved rounds, median round; courtyard --threads $SERVER_THREADS ${BENCH_SERVER_ARGS:-}"

# ---- nginx, static file (the /healthz yardstick)
start_nginx

if [[ ${BENCH_MARIADB:-1} != 0 ]]; then
  # ---- MariaDB with durable commits, private to this run
  MY_PORT=$(free_port)
  start_mariadb "$MY_PORT" --skip-grant-tables --max-connections=1000 --innodb-flush-log-at-trx-commit=1 \
    --innodb-buffer-pool-size=256M
  mariadb -h127.0.0.1 -P"$MY_PORT" -uroot \
    -e 'CREATE DATABASE courtyard CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'
  echo "mariadb $(mariadb -h127.0.0.1 -P"$MY_PORT" -uroot -N -e "SELECT CONCAT(VERSION(), ', innodb_flush_log_at_trx_commit=', @@innodb_flush_log_at_trx_commit, ', sync_binlog=', @@sync_binlog, ', log_bin=', @@log_bin)")"

  start_courtyard courtyard-mariadb "mysql://root@127.0.0.1:$MY_PORT/courtyard"
  read -r TOKEN CID MID PID < <(prepare "$CY_URL")

  # ---- the peer
  if [[ ! -d $PEER_SRC/node_modules ]]; then
    (cd "$PEER_SRC" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  PEER_PORT=$(free_port)
  (cd "$PEER_SRC" && DB_HOST=127.0.0.1 DB_PORT=$MY_PORT DB_USER=root DB_PASS= DB_NAME=courtyard PORT=$PEER_PORT \
    exec node server.js) >"$WORK/peer.out" 2>&1 &
  PIDS+=($!)
  PEER_URL=http://127.0.0.1:$PEER_PORT
  wait_for_http "$PEER_URL/healthz"

  AUTH=(-H "Authorization: Bearer $TOKEN")
  SHOP=/v1/communities/$CID/merchants/$MID
  declare -A PATHS=([me]=/v1/me [product]=$SHOP/products/$PID [products20]="$SHOP/products?limit=20"
                    [my_orders]="/v1/me/orders?limit=20")
  for what in me product products20 my_orders; do  # same answers from both (smoke check)
    for url in "$CY_URL" "$PEER_URL"; do
      code=$(curl -s -o /dev/null -w '%{http_code}' "${AUTH[@]}" "$url${PATHS[$what]}")
      [[ $code == 200 ]] || { echo "bench: $url${PATHS[$what]} answered $code" >&2; exit 1; }
    done
  done
  # Warm-up, not recorded: the first seconds after the setup writes are slower on both sides
  # (the dispatcher delivering the setup's events, InnoDB flushing, V8 compiling).
  for what in me product products20 my_orders; do
    for url in "$CY_URL" "$PEER_URL"; do wrk -t1 -c"$CONNECTIONS" -d2s "${AUTH[@]}" "$url${PATHS[$what]}" >/dev/null; done
  done
  for _ in $(seq 1 "$ROUNDS"); do
    for what in me product products20 my_orders; do
      measure "cy-$what" "$CY_URL${PATHS[$what]}" "${AUTH[@]}"
      measure "peer-$what" "$PEER_URL${PATHS[$what]}" "${AUTH[@]}"
    done
    measure cy-healthz "$CY_URL/healthz"
    measure nginx "http://127.0.0.1:$NGINX_PORT/healthz.json"
  done
  echo "== MariaDB (durable), Courtyard vs Fastify + mysql2 =="
  for what in me product products20 my_orders; do compare "$what" "cy-$what" "peer-$what" peer; done
  compare healthz cy-healthz nginx nginx
  kill "$CY_PID" 2>/dev/null || true
  wait "$CY_PID" 2>/dev/null || true
fi

if [[ ${BENCH_SQLITE:-1} != 0 ]]; then
  start_courtyard courtyard-sqlite "sqlite3://$WORK/bench.db"
  read -r TOKEN CID MID PID < <(prepare "$CY_URL")
  AUTH=(-H "Authorization: Bearer $TOKEN")
  SHOP=/v1/communities/$CID/merchants/$MID
  declare -A PATHS=([me]=/v1/me [product]=$SHOP/products/$PID [products20]="$SHOP/products?limit=20"
                    [my_orders]="/v1/me/orders?limit=20")
  for what in me product products20 my_orders; do
    wrk -t1 -c"$CONNECTIONS" -d2s "${AUTH[@]}" "$CY_URL${PATHS[$what]}" >/dev/null
  done
  for _ in $(seq 1 "$ROUNDS"); do
    for what in me product products20 my_orders; do measure "sq-$what" "$CY_URL${PATHS[$what]}" "${AUTH[@]}"; done
  done
  echo "== SQLite (WAL), Courtyard alone =="
  for what in me product products20 my_orders; do
    read -r rps p99 < <(median "sq-$what")
    printf '%-14s courtyard %7d rps p99 %7.2f ms  (rounds %s)\n' "$what" "$rps" "$p99" "$(rounds_of "sq-$what")"
  done
fi
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
