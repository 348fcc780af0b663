#!/usr/bin/env bash
# Issue 34's independent seal sheets in CI, kept short: the makers name nothing of the
# importer (independence.sh), each maker draws two sheets through its whole tool chain
# (librsvg + poppler + numpy/Pillow; fontTools + Ghostscript + ImageMagick), and the benchmark
# reads them with their truth and prints its per-set figures and the worst table. The full
# held-out sets (40 sheets each) are made by `certdesk-bench-seal --make`, not here; the debug
# build, as the other smoke runs (figures come from release).
#   bash scripts/seal-sheets-smoke.sh      (needs `scripts/deps.sh test`)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
export CARGO_TARGET_DIR=$target
bash "$root/tests/seal-sheets/independence.sh"
for maker in print outline; do
  bash "$root/tests/seal-sheets/make-set.sh" "$maker" smoke 2 "$target/seal-sets/$maker-smoke"
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# scripts/test.sh hands over the benchmark its workspace build made (CERTDESK_BENCH_SEAL_BIN):
# `cargo run -p certdesk-seal` alone resolves the shared crates' features for that one package
# and rebuilds them. A handed binary that is not there is an error, not a reason to rebuild.
if [ -n "${CERTDESK_BENCH_SEAL_BIN:-}" ]; then
  [ -x "$CERTDESK_BENCH_SEAL_BIN" ] || { echo "seal-sheets-smoke: CERTDESK_BENCH_SEAL_BIN=$CERTDESK_BENCH_SEAL_BIN is not an executable (the workspace build did not make it)" >&2; exit 1; }
  "$CERTDESK_BENCH_SEAL_BIN" --set B-smoke --set C-smoke | tee "$out"
else
  (cd "$root/src-tauri" && cargo run --quiet --locked -p certdesk-seal --bin certdesk-bench-seal -- --set B-smoke --set C-smoke) | tee "$out"
fi
# Both sets read, every sheet imported or counted, the worst table printed.
grep -q '^== set `B-smoke`: 2 sheets' "$out" || { echo "seal-sheets-smoke: B's sheets were not read" >&2; exit 1; }
grep -q '^== set `C-smoke`: 2 sheets' "$out" || { echo "seal-sheets-smoke: C's sheets were not read" >&2; exit 1; }
grep -q '^== worst over 2 sets' "$out" || { echo "seal-sheets-smoke: no worst table" >&2; exit 1; }
if grep -Eq '^boxes 0/' "$out"; then echo "seal-sheets-smoke: a set where no box was found" >&2; exit 1; fi
echo "seal-sheets-smoke: 1 passed, 0 failed"
