#!/usr/bin/env bash
# Installs what `npm start` and `npm test` need, quickly when it is all there already:
# node packages (npm ci when a package-lock.json changed), the Deno of hosted Edge Runtime's line
# that runs the functions (scripts/stack/edge-deno), and, when the stack comes up, Debian's
# Postgres extensions and PgBouncer (scripts/stack/packages.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

# npm ci in $1 when its package-lock.json differs from the one last installed there.
npm_ci() {
  local dir=$1 binary=$2
  local stamp=$dir/node_modules/.package-lock.sha
  local want
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [ ! -x "$dir/$binary" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "[setup] npm ci in $dir" >&2
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
    echo "$want" > "$stamp"
  fi
}

npm_ci . node_modules/.bin/deno
npm_ci scripts/stack/edge-deno node_modules/deno/deno
