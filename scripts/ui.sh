#!/usr/bin/env bash
# Builds the Vue UI into ui/dist (the desktop app embeds it at compile time).
set -euo pipefail
scripts="$(cd "$(dirname "$0")" && pwd)"
cd "$scripts/../ui"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npx vite build --logLevel warn
# the manual inside the UI's assets (ui/dist/manual)
bash "$scripts/manual.sh"
