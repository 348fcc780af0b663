#!/usr/bin/env bash
# Builds the counter's manual (docs/manual, VitePress, #77) into ui/dist/manual, where the app
# embeds it with the UI (F1 opens it, offline). Run after the UI's own build (scripts/ui.sh,
# which empties ui/dist). Its pictures are checked against the pages first (check.mjs).
set -euo pipefail
cd "$(dirname "$0")/../docs/manual"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
node check.mjs
npx vitepress build . --logLevel warn
