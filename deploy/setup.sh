#!/usr/bin/env bash
# Installs the Debian 12 packages Courtyard needs, and only those that are missing.
#   deploy/setup.sh [--with-mariadb] [--with-browser] [--with-fuzz] [--with-galera] [--with-bench]
# Runs as root (CI) or through sudo. Safe to run again: with nothing missing it does nothing.
set -euo pipefail

packages=(build-essential cmake ninja-build ccache pkg-config
          libboost1.81-all-dev libboost-json1.81-dev libboost-url1.81-dev
          libsoci-dev libmariadb-dev libsqlite3-dev libsodium-dev libspdlog-dev libssl-dev libjemalloc-dev catch2)
# Node.js builds the web clients; a Node.js that did not come from Debian (20.x) counts too.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

for arg in "$@"; do
  case "$arg" in
    --with-mariadb) packages+=(mariadb-server mariadb-client) ;;
    --with-browser) packages+=(chromium) ;;
    --with-fuzz) packages+=(clang-14 libfuzzer-14-dev libclang-rt-14-dev) ;;
    --with-galera) packages+=(galera-4 mariadb-server mariadb-client rsync) ;;
    --with-bench) packages+=(wrk nginx-light) ;;
    -h|--help) sed -n '2,4s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "setup.sh: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup.sh: all ${#packages[@]} packages present"
  exit 0
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "setup.sh: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi

echo "setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
