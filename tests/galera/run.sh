#!/usr/bin/env bash
# The two-instance test on a three-node MariaDB Galera cluster (multi-primary), all on
# loopback: node 1 bootstraps the cluster, nodes 2 and 3 join it by rsync SST, and the
# two-instance test (tests/e2e/two_instances_test.cpp) runs with courtyard instance A on
# node 1 and instance B on node 2. Then it prints the figures: orders/s, the load's answers,
# the cluster's certification conflicts and brute-force aborts, and the invariants.
#   tests/galera/run.sh            (deploy/setup.sh --with-galera installs galera-4 + rsync)
# BUILD_DIR (default <repo>/build) must hold courtyard and tests/test_e2e; the script builds
# them when missing. KEEP=1 leaves the cluster's directory for inspection. Everything is
# unprivileged on 127.0.0.1 in a temp directory and is removed at the end.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
provider=${GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}
mariadbd=$(command -v mariadbd || echo /usr/sbin/mariadbd)
user=$(id -un)

log() { echo "galera: $*" >&2; }

for t in mariadb-install-db mariadb rsync; do
  command -v "$t" >/dev/null || { log "$t not found (deploy/setup.sh --with-galera installs it)"; exit 1; }
done
[[ -x $mariadbd ]] || { log "mariadbd not found (deploy/setup.sh --with-galera)"; exit 1; }
[[ -f $provider ]] || { log "$provider not found (deploy/setup.sh --with-galera installs galera-4)"; exit 1; }
if [[ ! -x $build_dir/courtyard || ! -x $build_dir/tests/test_e2e ]]; then
  WEB=0 BUILD_DIR=$build_dir "$root/deploy/build.sh" courtyard test_e2e
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/courtyard-galera.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ ${KEEP:-0} == 1 ]]; then log "kept $work"; else rm -rf -- "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# Four ports per node (SQL, group communication, IST, SST) from one random base, below the
# kernel's ephemeral range (32768+ here), where servers started on port 0 and outgoing
# connections of tests running beside this one can take a port between our check and bind.
for _ in $(seq 1 20); do
  base=$((20000 + RANDOM % 12700))
  ok=1
  for off in $(seq 0 11); do port_free $((base + off)) || ok=0; done
  ((ok)) && break
done
sql_port() { echo $((base + $1 - 1)); }
gcomm_port() { echo $((base + 3 + $1 - 1)); }
ist_port() { echo $((base + 6 + $1 - 1)); }
sst_port() { echo $((base + 9 + $1 - 1)); }
cluster="gcomm://127.0.0.1:$(gcomm_port 1),127.0.0.1:$(gcomm_port 2),127.0.0.1:$(gcomm_port 3)"

sql() {  # node, statement
  mariadb --no-defaults --protocol=TCP -h 127.0.0.1 -P "$(sql_port "$1")" -u root -N -B -e "$2"
}
status() {  # node, wsrep status variable
  sql "$1" "SHOW GLOBAL STATUS LIKE '$2'" 2>/dev/null | awk '{print $2}'
}

start_node() {  # node [extra mariadbd args...]
  local n=$1
  shift
  local dir=$work/node$n
  mkdir -p "$dir/data"
  if ((n == 1)); then
    mariadb-install-db --no-defaults --datadir="$dir/data" --user="$user" \
      --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1 ||
      { cat "$dir/install.log" >&2; exit 1; }
  else
    # A joiner starts empty and receives node 1's data by rsync SST. rsync's daemon, started
    # as root, writes as `nobody`: the data directory is nobody's, and the path lets it in.
    chmod 755 "$work" "$dir"
    [[ $user == root ]] && chown nobody "$dir/data"
  fi
  # wsrep_sync_wait=1: a read waits until the node has applied what the cluster committed
  # before it, so a request on node B sees a write acknowledged on node A (a session token,
  # an order). Courtyard needs causal reads across instances; README "Galera" says so.
  setsid "$mariadbd" --no-defaults --datadir="$dir/data" --user="$user" \
    --socket="$dir/mysqld.sock" --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" \
    --port="$(sql_port "$n")" --bind-address=127.0.0.1 --skip-name-resolve \
    --binlog-format=ROW --default-storage-engine=InnoDB --innodb-autoinc-lock-mode=2 \
    --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 --innodb-buffer-pool-size=128M \
    --max-connections=300 \
    --wsrep-on=ON --wsrep-provider="$provider" --wsrep-cluster-name=courtyard-test \
    --wsrep-cluster-address="$cluster" --wsrep-node-name="node$n" \
    --wsrep-node-address="127.0.0.1:$(gcomm_port "$n")" \
    --wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:$(gcomm_port "$n");ist.recv_addr=127.0.0.1:$(ist_port "$n");gcache.size=64M" \
    --wsrep-sst-method=rsync --wsrep-sst-receive-address="127.0.0.1:$(sst_port "$n")" \
    --wsrep-slave-threads=2 --wsrep-sync-wait=1 \
    "$@" </dev/null >/dev/null 2>&1 &
  pids+=($!)
  local waited=0
  until [[ $(status "$n" wsrep_local_state_comment) == Synced ]]; do
    if ! kill -0 "${pids[-1]}" 2>/dev/null || ((waited > 1200)); then
      tail -n 40 "$dir/error.log" >&2
      log "node $n did not reach Synced"
      exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  log "node $n synced (SQL port $(sql_port "$n"), cluster size $(status "$n" wsrep_cluster_size))"
}

t0=$SECONDS
start_node 1 --wsrep-new-cluster
start_node 2
start_node 3
log "cluster of $(status 1 wsrep_cluster_size) up in $((SECONDS - t0)) s"

counters() {
  for n in 1 2 3; do
    printf 'node%s cert_failures=%s bf_aborts=%s local_commits=%s replicated=%s\n' "$n" \
      "$(status "$n" wsrep_local_cert_failures)" "$(status "$n" wsrep_local_bf_aborts)" \
      "$(status "$n" wsrep_local_commits)" "$(status "$n" wsrep_replicated)"
  done
}
before=$(counters)

set +e
COURTYARD_BIN=$build_dir/courtyard COURTYARD_TEST_DB=mysql \
  COURTYARD_TEST_MYSQL="mysql://root@127.0.0.1:$(sql_port 1)/" \
  COURTYARD_TEST_MYSQL_B="mysql://root@127.0.0.1:$(sql_port 2)/" \
  "$build_dir/tests/test_e2e" "[scaleout]" --success --reporter compact 2>&1 | grep -vE '^[^ ]+:[0-9]+: passed' |
  tee "$work/test.log"
rc=${PIPESTATUS[0]}
set -e

echo "--- Galera counters before the test"
echo "$before"
echo "--- after the test (certification failures and brute-force aborts are the multi-primary"
echo "    conflicts; courtyard sees them as deadlock errors and retries the transaction)"
counters
echo "--- cluster: $(status 1 wsrep_cluster_size) nodes, $(nproc) cores, $(uname -m), $(mariadbd --version | awk '{print $3}')"
((rc == 0)) && echo "galera: two-instance test passed" || echo "galera: two-instance test FAILED (rc $rc)"
exit "$rc"
