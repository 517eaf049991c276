# shellcheck shell=bash
# Shared by the benchmark scripts (source it first): set-up, clean-up, waiting for servers,
# wrk's figures, and the /healthz yardstick (nginx serving a static file).

# need_tools WHO TOOL...: exits naming the first tool that is not installed.
need_tools() {
  local who=$1 tool
  shift
  for tool; do command -v "$tool" >/dev/null || { echo "$who: $tool is not installed" >&2; exit 1; }; done
}
# need_bin WHO BIN: exits unless the courtyard binary is there.
need_bin() { [[ -x $2 ]] || { echo "$1: no courtyard binary at $2 (build first)" >&2; exit 1; }; }

# bench_work NAME: a fresh WORK directory (/tmp/NAME-XXXXXX), an empty PIDS array, and an EXIT
# trap that stops every pid in PIDS and removes WORK (kept when KEEP_WORK=1). First it writes
# back what earlier work left dirty in the page cache: a build or a copied binary (250 MB) is
# written back some 30 s later, in the middle of a benchmark, where its I/O stalled the flash
# sale's commits (RESULTS.md, "Dirty pages from before the run").
bench_work() {
  sync
  WORK=$(mktemp -d "/tmp/$1-XXXXXX")
  PIDS=()
  trap stop_all EXIT
}
stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ ${KEEP_WORK:-0} == 1 ]] || rm -rf "$WORK"
}

# raise_fds N: the descriptor limit to N (root may raise the hard limit), else the hard limit.
raise_fds() {
  ulimit -Hn "$1" 2>/dev/null || true
  ulimit -n "$1" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for_http URL [TENTHS]: until URL answers 2xx (default up to 30 s).
wait_for_http() {
  for _ in $(seq 1 "${2:-300}"); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "bench: $1 did not come up" >&2
  return 1
}

# courtyard_url PID OUT ERR: waits (up to 60 s) for "courtyard listening on URL" in OUT and
# prints URL; exits with ERR's text when the server dies first.
courtyard_url() {
  for _ in $(seq 1 600); do
    grep -q '^courtyard listening on' "$2" 2>/dev/null && break
    kill -0 "$1" 2>/dev/null || { cat "$3" >&2; exit 1; }
    sleep 0.1
  done
  sed -n 's/^courtyard listening on //p' "$2"
}

# cpu_ticks PID: the process's CPU so far (utime + stime, all threads), in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# start_mariadb PORT [mariadbd flags...]: a private MariaDB (datadir $WORK/mariadb) on
# 127.0.0.1:PORT, root without password; waits (up to 30 s) until it answers; sets MARIADB_PID.
start_mariadb() {
  local port=$1
  shift
  mariadb-install-db --no-defaults --datadir="$WORK/mariadb" --user="$(id -un)" --skip-test-db \
    --auth-root-authentication-method=normal >"$WORK/mariadb-install.log" 2>&1
  mariadbd --no-defaults --datadir="$WORK/mariadb" --user="$(id -un)" --port="$port" --bind-address=127.0.0.1 \
    --socket="$WORK/mariadb.sock" --pid-file="$WORK/mariadb.pid" --log-error="$WORK/mariadb.err" \
    --skip-name-resolve "$@" &
  MARIADB_PID=$!
  PIDS+=("$MARIADB_PID")
  for _ in $(seq 1 300); do
    mariadb --no-defaults -uroot -h127.0.0.1 -P"$port" -e 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "bench: MariaDB on port $port did not come up (see $WORK/mariadb.err)" >&2
  exit 1
}

machine_line() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
}

# For awk programs over wrk --latency output: ms("812.00us" / "1.23ms" / "1.02s") in milliseconds.
WRK_MS='function ms(v) {
  if (v ~ /us$/) { sub(/us$/, "", v); return v / 1000 }
  if (v ~ /ms$/) { sub(/ms$/, "", v); return v }
  if (v ~ /s$/) { sub(/s$/, "", v); return v * 1000 }
  return v
}'

# measure NAME URL [wrk args...]: one wrk round (-t$WRK_THREADS, default 1, -c$CONNECTIONS,
# -d$DURATION s); appends "rps p99_ms" to $WORK/rounds-NAME (rps with RPS_DECIMALS, default 2).
measure() {
  local name=$1 url=$2 out="$WORK/wrk-$1.txt"
  shift 2
  wrk -t"${WRK_THREADS:-1}" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$@" "$url" >"$out"
  if grep -qE 'Non-2xx|Socket errors' "$out"; then
    echo "bench: $name: $(grep -E 'Non-2xx|Socket errors' "$out" | paste -sd' ')" >&2
  fi
  awk -v f="%.${RPS_DECIMALS:-2}f %.2f\n" "$WRK_MS"'
       /^Requests\/sec:/ {rps=$2}
       $1 == "99%" {p99=ms($2)}
       END {printf f, rps, p99}' "$out" >>"$WORK/rounds-$name"
}
# median NAME: "rps p99" of the median round by rps.
median() {
  sort -n -k1,1 "$WORK/rounds-$1" | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'
}

# Starts nginx serving {"status":"ok"} as /healthz.json (2 workers, no access log, keep-alive
# without limit) on a free loopback port; sets NGINX_PORT.
start_nginx() {
  NGINX_PORT=$(free_port)
  mkdir -p "$WORK/www" "$WORK/nginx-tmp"
  printf '{"status":"ok"}' >"$WORK/www/healthz.json"
  chmod -R a+rX "$WORK/www"
  cat >"$WORK/nginx.conf" <<CONF
worker_processes 2;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  client_body_temp_path $WORK/nginx-tmp/body;
  proxy_temp_path $WORK/nginx-tmp/proxy;
  fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
  scgi_temp_path $WORK/nginx-tmp/scgi;
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK/www; default_type application/json; }
}
CONF
  nginx -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log" &
  PIDS+=($!)
  wait_for_http "http://127.0.0.1:$NGINX_PORT/healthz.json"
}
