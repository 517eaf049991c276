#!/usr/bin/env bash
# Browser tests of the portal and the resident app against the real server on a fresh database.
#
#   COURTYARD_BIN=/path/to/courtyard web/scripts/browser-test.sh [playwright args...]
#
# Starts the binary with demo data on a temp SQLite file (port picked by the OS), serves the
# built web files (scripts/serve.mjs proxying /v1 to the API; WEB_SERVED_BY_SERVER=1 uses
# the server's own /portal/ and /app/ instead), runs Playwright with Debian's Chromium and
# leaves screenshots in web/test-results/screenshots/. Exits non-zero when a test fails.
# SKIP_BUILD=1 reuses an existing web/dist.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"

bin="${COURTYARD_BIN:-}"
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "browser-test: set COURTYARD_BIN to the courtyard binary (got '${bin}')" >&2
  exit 2
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"

[[ -d node_modules ]] || npm ci --no-audit --no-fund
[[ "${SKIP_BUILD:-0}" == 1 && -f dist/portal/index.html ]] || npm run build

tmp="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

export COURTYARD_ADMIN_EMAIL="admin@test.courtyard.local"
export COURTYARD_ADMIN_PASSWORD="admin-password-for-tests"
# The webhook test's receiver listens on loopback, which the URL guard refuses by default.
export COURTYARD_WEBHOOKS_ALLOW_LOOPBACK=true
"$bin" --demo --listen 127.0.0.1:0 --db "sqlite3://$tmp/courtyard.db" --password-hash min \
  --rate-limit-rps 0 --access-log=false --log-level warn >"$tmp/server.out" 2>"$tmp/server.err" &
pids+=($!)

api=""
for _ in $(seq 1 200); do
  api="$(grep -oE 'courtyard listening on http://[0-9.:]+' "$tmp/server.out" | head -1 | sed 's/courtyard listening on //' || true)"
  [[ -n "$api" ]] && grep -q "demo community" "$tmp/server.out" && break
  if ! kill -0 "${pids[0]}" 2>/dev/null; then
    echo "browser-test: the server exited" >&2
    cat "$tmp/server.out" "$tmp/server.err" >&2
    exit 1
  fi
  sleep 0.1
done
[[ -n "$api" ]] || { echo "browser-test: no listen line from the server" >&2; cat "$tmp/server.err" >&2; exit 1; }
export API_URL="$api"
export DEMO_COMMUNITY="$(grep -oE 'demo community [0-9]+' "$tmp/server.out" | grep -oE '[0-9]+' | head -1)"

if [[ "${WEB_SERVED_BY_SERVER:-0}" == 1 ]]; then
  export BASE_URL="$api"
else
  API="$api" PORT=0 node scripts/serve.mjs >"$tmp/web.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 100); do
    BASE_URL="$(grep -oE 'http://[0-9.:]+' "$tmp/web.out" | head -1 || true)"
    [[ -n "$BASE_URL" ]] && break
    sleep 0.1
  done
  export BASE_URL
fi
echo "browser-test: api $API_URL, web $BASE_URL, demo community $DEMO_COMMUNITY"

rm -rf test-results/screenshots
mkdir -p test-results/screenshots
status=0
npx playwright test "$@" || status=$?
if [[ $status -ne 0 ]]; then
  echo "--- server stderr (tail) ---" >&2
  tail -n 40 "$tmp/server.err" >&2 || true
fi
exit $status
