#!/usr/bin/env bash
# Lints the merged OpenAPI document (the one GET /v1/openapi.json serves) with
# @redocly/cli (rules: redocly.yaml, which extends `recommended`).
# Exits non-zero when the document has errors.
#
#   bash tools/openapi/lint.sh
#
# Needs Node.js >= 20.19 and npm; installs the pinned @redocly/cli from
# package-lock.json into tools/openapi/node_modules on first use, and again
# whenever package-lock.json changes.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

command -v node >/dev/null || { echo "lint.sh: node is required (Node.js >= 20.19)" >&2; exit 2; }
command -v npm >/dev/null || { echo "lint.sh: npm is required" >&2; exit 2; }

# Reinstall only when node_modules is missing or was installed from another lock file.
stamp=node_modules/.courtyard-lock-sha256
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ ! -x node_modules/.bin/redocly || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  if ! out="$(npm ci --no-audit --no-fund --loglevel=error 2>&1)"; then
    printf '%s\n' "$out" >&2
    echo "lint.sh: npm ci failed in $here" >&2
    exit 2
  fi
  echo "$want" >"$stamp"
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
node merge.mjs "$tmp/openapi.json"

export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
if ! node_modules/.bin/redocly lint --config redocly.yaml "$tmp/openapi.json"; then
  # Line numbers above are in the merged document: keep it for reading.
  trap - EXIT
  echo "lint.sh: the OpenAPI document has errors; merged document kept at $tmp/openapi.json" >&2
  exit 1
fi
