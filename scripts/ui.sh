#!/usr/bin/env bash
# Builds the Vue UI into ui/dist (the desktop app embeds it at compile time).
set -euo pipefail
cd "$(dirname "$0")/../ui"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npx vite build --logLevel warn
