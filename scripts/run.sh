#!/usr/bin/env bash
# Builds (release) and starts certdesk on the default per-user store (CERTDESK_DB chooses
# another). With no arguments: the desktop app (证书受理台). With arguments: the `certdesk`
# command line, e.g. `bash scripts/run.sh case import case.json`. The first build takes a
# while (about 15 minutes on two cores); later ones only rebuild what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh build
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
if [ $# -gt 0 ]; then
  cargo build -q --release --locked -p certdesk-cli --bin certdesk
  exec target/release/certdesk "$@"
fi
bash scripts/ui.sh
cargo build -q --release --locked -p certdesk-app -p certdesk-cli
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "certdesk: no display here; the desktop app needs one (or run it under xvfb-run)." >&2
  echo "The same jobs headless: target/release/certdesk --help" >&2
  exit 1
fi
# a release build: no DevTools (Tauri opens them only in debug builds)
exec target/release/certdesk-app
