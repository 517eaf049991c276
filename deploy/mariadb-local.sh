#!/usr/bin/env bash
# A throwaway MariaDB for tests: unprivileged, loopback only, data in a temp dir.
#   deploy/mariadb-local.sh start   initialises and starts it; prints mysql://root@127.0.0.1:PORT/
#   deploy/mariadb-local.sh url     prints the URL of the running server (exit 1 when none)
#   deploy/mariadb-local.sh stop    shuts it down and deletes its data
# start and stop pair through a state dir: MARIADB_LOCAL_DIR, default
# ${TMPDIR:-/tmp}/courtyard-mariadb-<uid>. root has no password; the server listens on
# 127.0.0.1 only. Tuned for speed, not durability.
set -euo pipefail

state_dir=${MARIADB_LOCAL_DIR:-${TMPDIR:-/tmp}/courtyard-mariadb-$(id -u)}
state_file=$state_dir/state
user=$(id -un)

log() { echo "mariadb-local: $*" >&2; }

ping_server() {  # port
  mariadb-admin --no-defaults --protocol=TCP -h 127.0.0.1 -P "$1" -u root \
    --connect-timeout=2 ping >/dev/null 2>&1
}

port_in_use() {  # port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

load_state() {
  [[ -f $state_file ]] || return 1
  # shellcheck disable=SC1090
  source "$state_file"
}

running() {
  load_state && kill -0 "$PID" 2>/dev/null && ping_server "$PORT"
}

print_url() { echo "mysql://root@127.0.0.1:$PORT/"; }

stop_server() {
  load_state || { log "not running"; return 0; }
  if kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID" 2>/dev/null || true
    for _ in $(seq 1 300); do
      kill -0 "$PID" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$PID" 2>/dev/null; then
      log "pid $PID did not stop in 30 s; killing it"
      kill -KILL "$PID" 2>/dev/null || true
      sleep 0.5
    fi
  fi
  rm -rf -- "$DATADIR" "$state_file" "$state_dir/mysqld.sock" "$state_dir/mysqld.sock.lock" \
            "$state_dir/mysqld.pid" "$state_dir/error.log" "$state_dir/install.log"
  rmdir -- "$state_dir" 2>/dev/null || true
  log "stopped (port $PORT)"
}

start_server() {
  if running; then
    log "already running (pid $PID)"
    print_url
    return 0
  fi
  [[ -f $state_file ]] && stop_server
  for tool in mariadb-install-db mariadbd mariadb-admin; do
    command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] ||
      { log "$tool not found (deploy/setup.sh --with-mariadb installs it)"; exit 1; }
  done
  local mariadbd=mariadbd
  command -v mariadbd >/dev/null || mariadbd=/usr/sbin/mariadbd

  mkdir -p "$state_dir"
  local datadir
  datadir=$(mktemp -d "$state_dir/data.XXXXXX")
  log "initialising $datadir"
  if ! mariadb-install-db --no-defaults --datadir="$datadir" --user="$user" \
       --auth-root-authentication-method=normal --skip-test-db >"$state_dir/install.log" 2>&1; then
    cat "$state_dir/install.log" >&2
    rm -rf -- "$datadir"
    log "mariadb-install-db failed"
    exit 1
  fi

  local attempt port pid
  for attempt in 1 2 3 4 5; do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    port_in_use "$port" && continue
    : >"$state_dir/error.log"
    setsid "$mariadbd" --no-defaults --datadir="$datadir" --user="$user" \
      --socket="$state_dir/mysqld.sock" --pid-file="$state_dir/mysqld.pid" \
      --port="$port" --bind-address=127.0.0.1 --skip-name-resolve \
      --log-error="$state_dir/error.log" --skip-log-bin --sync-binlog=0 \
      --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 \
      --innodb-buffer-pool-size=256M --max-connections=500 \
      </dev/null >/dev/null 2>&1 &
    pid=$!
    printf 'PID=%s\nPORT=%s\nDATADIR=%q\n' "$pid" "$port" "$datadir" >"$state_file"

    local waited=0
    while ! ping_server "$port"; do
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      if ((waited >= 600)); then break; fi
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null && ping_server "$port"; then
      log "running: pid $pid, port $port, data $datadir"
      PORT=$port
      print_url
      return 0
    fi
    if kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$state_dir/error.log" >&2 || true
      log "no answer on port $port within 60 s"
      stop_server
      exit 1
    fi
    if grep -q "Address already in use" "$state_dir/error.log"; then
      log "port $port taken, trying another (attempt $attempt)"
      continue
    fi
    tail -n 30 "$state_dir/error.log" >&2 || true
    log "mariadbd exited during start"
    stop_server
    exit 1
  done
  log "could not find a free port"
  rm -rf -- "$datadir" "$state_file"
  exit 1
}

case "${1:-}" in
  start) start_server ;;
  stop) stop_server ;;
  url) if running; then print_url; else log "not running"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
