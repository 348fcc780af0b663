#!/usr/bin/env bash
# Builds and starts certdesk on the default per-user store (CERTDESK_DB or --db to choose
# another). With no arguments it shows the CA projects and the cases; any arguments are passed
# to the `certdesk` command line, e.g. `bash scripts/run.sh case import case.json`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
cargo build -q -p certdesk-cli --bin certdesk
bin=target/debug/certdesk
if [ $# -eq 0 ]; then
  "$bin" catalog list
  echo
  "$bin" case list
  echo
  echo "certdesk is ready: run \`$bin --help\` for every command (the desktop app comes with the app issue)."
else
  exec "$bin" "$@"
fi
