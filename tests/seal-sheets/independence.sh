#!/usr/bin/env bash
# The independent sheet makers read nothing of the importer: no name of its crate, of its
# fitted thresholds or of its own generator may appear in them. Fails on a hit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if grep -rniE 'certdesk|thresholds|synth' "$here/print" "$here/outline" "$here/raster" "$here/flatbed" "$here/sheetfed" "$here/camera" "$here/phone" "$here/scanapp" "$here/mfpscan" "$here/wand" "$here/duplex" "$here/copystand" "$here/uvcdesk" "$here/monitor" "$here/tablet" "$here/teller" "$here/planetary" "$here/colorfax" "$here/letterfold" "$here/kiosk" "$here/webcam" "$here/sleeve" "$here/mouse" "$here/microfilm" "$here/filmscan" "$here/govector" "$here/scriptfu" "$here/linescan" "$here/bookcradle" "$here/make-set.sh"; then
  echo "independence.sh: the sheet makers above name the importer's code" >&2
  exit 1
fi
echo "independence.sh: makers B, C, D, E, F, G, H, I, J, K, L, M, N, O, P, Q, R, S, T, U, V, W, X, Y, Z, AA, AB, AC and AD name nothing of the importer"
