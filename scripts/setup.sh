#!/usr/bin/env bash
# Installs what `npm start` and `npm test` need, quickly when it is all there already:
# node packages (npm ci when package-lock.json changed) and Debian's Postgres extensions.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=node_modules/.package-lock.sha
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -x node_modules/.bin/deno ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "[setup] npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  echo "$want" > "$stamp"
fi
