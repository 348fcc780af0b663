#!/usr/bin/env bash
# Runs every certdesk test on this machine, installing what the tests need first:
# unit and integration tests of all crates (real SQLite files, the real binary, the crash
# storm) and a smoke run of the search benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
export CARGO_TERM_COLOR=never

echo "== build the test PKCS#11 module (a locking USB key on top of SoftHSM)"
cargo build -p certdesk-pkcs11-shim --locked

echo "== cargo test (workspace)"
cargo test --workspace --locked

echo "== search benchmark, smoke run (debug build, small store; figures in README come from release)"
cargo run -q -p certdesk-cli --bin certdesk-bench-search --locked -- --cases 3000 --queries 180
