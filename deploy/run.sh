#!/usr/bin/env bash
# COMMAND 1: installs what is missing, builds, and starts Courtyard with demo data on SQLite.
#   deploy/run.sh [COURTYARD_ARGS...]      e.g. deploy/run.sh --listen 0.0.0.0:8080
# COURTYARD_DATA_DIR (default <repo>/data) holds the SQLite file unless COURTYARD_DB or --db
# says otherwise. The first platform admin comes from COURTYARD_ADMIN_EMAIL /
# COURTYARD_ADMIN_PASSWORD (defaults below; used only while no admin exists).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${BUILD_DIR:-$root/build}
export BUILD_DIR=$build_dir

"$root/deploy/setup.sh"
"$root/deploy/build.sh" courtyard

data_dir=${COURTYARD_DATA_DIR:-$root/data}
mkdir -p "$data_dir"
data_dir=$(cd "$data_dir" && pwd)
unset COURTYARD_DATA_DIR  # the server rejects COURTYARD_* variables that are not its keys
# Environment, so a --db on the command line still wins (flags > environment).
export COURTYARD_DB=${COURTYARD_DB:-sqlite3://$data_dir/courtyard.db}
export COURTYARD_ADMIN_EMAIL=${COURTYARD_ADMIN_EMAIL:-admin@courtyard.local}
export COURTYARD_ADMIN_PASSWORD=${COURTYARD_ADMIN_PASSWORD:-courtyard-admin-change-me}

args=("$@")
demo=(--demo)
for a in "$@"; do [[ $a == --demo || $a == --demo=* ]] && demo=(); done

echo "run.sh: database $COURTYARD_DB (unless --db is given)"
echo "run.sh: platform admin $COURTYARD_ADMIN_EMAIL / $COURTYARD_ADMIN_PASSWORD (created only if no admin exists)"
cd "$root"
exec "$build_dir/courtyard" "${demo[@]}" "${args[@]}"
