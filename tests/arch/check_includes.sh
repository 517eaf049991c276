#!/usr/bin/env bash
# The floors (ARCHITECTURE.md) only look down. Fails, naming file and line, on an #include
# that points upward or sideways:
#   db/        includes only db/
#   http/      includes only db/ and http/
#   services/X includes only db/, http/, services/X/ and another service's api.hpp
#   gateway/   may include anything (it is the top)
# Run by CTest (test "architecture") and usable by hand: tests/arch/check_includes.sh [ROOT]
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
cd "$root"

bad=0
report() { echo "upward include: $1 (${2})"; bad=$((bad + 1)); }

while IFS= read -r -d '' f; do
  while IFS= read -r hit; do
    line=${hit%%:*}
    inc=$(sed -E 's/^[0-9]+:[[:space:]]*#[[:space:]]*include[[:space:]]+"([^"]+)".*/\1/' <<<"$hit")
    case "$f" in
      db/*)
        [[ $inc == db/* ]] || report "$f:$line includes \"$inc\"" "db/ includes only db/" ;;
      http/*)
        [[ $inc == db/* || $inc == http/* ]] || report "$f:$line includes \"$inc\"" "http/ includes only db/ and http/" ;;
      services/*)
        svc=$(cut -d/ -f2 <<<"$f")
        if [[ $inc == db/* || $inc == http/* || $inc == services/$svc/* ]]; then :
        elif [[ $inc =~ ^services/[a-z_]+/api\.hpp$ ]]; then :
        else report "$f:$line includes \"$inc\"" "a service includes db/, http/, its own folder and other services' api.hpp"
        fi ;;
    esac
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"' "$f" || true)
done < <(find db http services -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) -print0)

if ((bad > 0)); then
  echo "check_includes: $bad upward include(s)" >&2
  exit 1
fi
echo "check_includes: every include under db/, http/ and services/ points down"
