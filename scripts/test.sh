#!/usr/bin/env bash
# Runs every certdesk test on this machine, installing what the tests need first: UI component
# tests (Vitest), unit and integration tests of all crates (real SQLite files, the real binary,
# the crash storm, PDFs read back with poppler, SoftHSM2 and a private pcscd),
# the PostgreSQL hall back end against a throwaway cluster (scripts/pg-cluster.sh, up until the
# end), the hall's failover and point-in-time recovery rehearsals on a primary and standby of
# their own (scripts/pg-failover.sh, started and removed by the tests), smoke runs of the benchmarks (search, the encrypted store against the plain one, the hall load on the cluster, dual certificates, a unit's batch of keys),
# the Debian package (built and installed with apt: it installs certdesk on this machine) and
# the end-to-end tests of the installed desktop app in its real webview, on a store file and
# once on the cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
# each phase says when it starts (minutes:seconds into the run): a CI run's log tells what is slow
phase() { printf '[%02d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }
trap 'rc=$?; phase "== end (exit $rc)"; exit $rc' EXIT
bash scripts/deps.sh test
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
export CARGO_TERM_COLOR=never
# the counters are in China: every test runs in their time zone (Rust, the UI, the app)
export TZ=Asia/Shanghai

phase "== UI: build, type check against the generated IPC bindings, component tests"
bash scripts/ui.sh
# TAP: Vitest's default reporter needs Node 21's Map.groupBy to print a failure and crashed on
# Node 20 instead, hiding which assertion failed; TAP prints each failure where it happens
(cd ui && npx vue-tsc --noEmit && npx eslint . && npx vitest run --reporter=tap-flat)

phase "== formatting and lints (cargo fmt, clippy with warnings as errors; the app embeds ui/dist, built above)"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

phase "== build the test PKCS#11 module (a locking USB key on top of SoftHSM), the soft SKF library, the test SM2 CA, the CLI and the app"
cargo build --locked -p certdesk-pkcs11-shim -p certdesk-skf-soft -p certdesk-testkit -p certdesk-cli -p certdesk-app -p certdesk-bench -p certdesk-bank

phase "== a throwaway PostgreSQL cluster for the hall back end's tests (stopped on exit, even on failure)"
export CERTDESK_PG_DIR=${CERTDESK_PG_DIR:-$(mktemp -d -u "${TMPDIR:-/tmp}/certdesk-pg.XXXXXX")}
trap 'rc=$?; bash scripts/pg-cluster.sh stop; phase "== end (exit $rc)"; exit $rc' EXIT
eval "$(bash scripts/pg-cluster.sh start)"

phase "== cargo test (workspace; the hall back end's tests in certdesk-store against the cluster at $CERTDESK_TEST_PG; the failover and PITR rehearsals, certdesk-store/tests/failover.rs and certdesk-bench/tests/hall_rehearsal.rs, on rigs of scripts/pg-failover.sh)"
cargo test --workspace --locked

phase "== fuzzing, bounded (#78): the list reader, the key file and a backup opened as untrusted input 45 s each, the seal decoder, case JSON and fees 10 s each, on the stable toolchain (scripts/fuzz.sh: seeds made at run time, a crash, memory past 1 GiB or a 10 s input fails the run)"
bash scripts/fuzz.sh

phase "== search benchmark, smoke run (debug build, small store; figures in README come from release)"
# (the binary the build above made: `cargo run -p certdesk-bench` alone resolves the shared
# crates' features for that one package and rebuilt them, 3 minutes of a CI run)
"${CARGO_TARGET_DIR:-target}/debug/certdesk-bench-search" --cases 3000 --queries 180

phase "== privacy benchmark, smoke run (debug build, small stores: search on the encrypted store against the plain one, the sign-in that opens it; its checks fail the run, a missed target is printed; README figures from release)"
"${CARGO_TARGET_DIR:-target}/debug/certdesk-bench-privacy" --cases 1000 --queries 180 --signins 2

phase "== due list benchmark, smoke run (debug build, 6,000 cases over 2025's working days; it checks some are late and some waiting; README figures from release over 1,000,000)"
TZ=Asia/Shanghai "${CARGO_TARGET_DIR:-target}/debug/certdesk-bench-due" --cases 6000 --runs 20

phase "== bank statement benchmarks, smoke runs (debug builds: the reader and matcher alone, and an import through the desk API into a store of waiting cases; their checks fail the run; README figures from release over 20,000 credits and 100,000 cases)"
"${CARGO_TARGET_DIR:-target}/debug/certdesk-bench-bank" --credits 200 --cases 1000
"${CARGO_TARGET_DIR:-target}/debug/certdesk-bench-payments" --cases 2000 --credits 400

phase "== hall load benchmark, smoke run on the cluster (debug build, 4 desk processes × 3 rounds; its checks fail the run; README figures from release)"
"${CARGO_TARGET_DIR:-target}/debug/certdesk-bench-hall" --db "$CERTDESK_TEST_PG" --db-password-file "$CERTDESK_TEST_PG_PASSWORD_FILE" --desks 4 --rounds 3

phase "== dual-certificate issuance benchmark on the soft SKF key, smoke run (debug build; README figures from release)"
"${CARGO_TARGET_DIR:-target}/debug/certdesk-bench-skf" --rounds 3

phase "== a unit's whole order on SoftHSM2 through the desk API, smoke run (debug build, 3 employees; a step that fails fails the run, a missed target is printed; README figures from release)"
"${CARGO_TARGET_DIR:-target}/debug/certdesk-bench-batch" --employees 3

phase "== staff keys benchmark on SoftHSM2, smoke run (debug build, 3 rounds: sign-in with password and key, a signed approval, each beyond the key's own signature; audit verify checks every signature, a failure fails the run)"
"${CARGO_TARGET_DIR:-target}/debug/certdesk-bench-staff" --rounds 3

phase "== seal verdicts on sheets drawn by independent makers (#34), smoke run (two sheets per maker through their whole tool chains, the benchmark's per-set figures; the held-out figures in the seal crate's README come from release)"
CERTDESK_BENCH_SEAL_BIN="$(realpath -m "${CARGO_TARGET_DIR:-target}")/debug/certdesk-bench-seal" bash scripts/seal-sheets-smoke.sh

phase "== ID card benchmark, smoke run (debug build, a simulated GA/T 467 reader: the intake's path and the CLI read; README figures from release)"
"${CARGO_TARGET_DIR:-target}/debug/certdesk-bench-idcard-desk" --runs 3 --cli "${CARGO_TARGET_DIR:-target}/debug/certdesk"

phase "== the Debian package: built, installed with apt, the CLI printing forms with the source tree out of reach"
# (the CLI the workspace build above made and the tests ran goes into the package as it is)
CERTDESK_PACKAGE_CLI_BUILT=1 bash scripts/test-package.sh

phase "== end-to-end: the installed desktop app in WebKitWebDriver under Xvfb"
# a test file that hangs fails after 10 minutes (Node 20 times the file as a whole; the longest,
# app.test.mjs, takes under 2) instead of holding the suite until CI's limit; --test-force-exit
# leaves no driver keeping a file's run open
E2E_NODE_FLAGS="--test-timeout=600000 --test-force-exit"
# a session bus of its own: the single-instance handover goes through it, as on a desktop;
# every screen the walks pass is photographed at 1366×768 for the manual (#77)
shots=$(mktemp -d /tmp/certdesk-shots.XXXXXX)
CERTDESK_SCREENSHOTS=$shots CERTDESK_E2E_APP=/usr/bin/certdesk-app CERTDESK_E2E_CLI=/usr/bin/certdesk dbus-run-session -- xvfb-run -a -s "-screen 0 1366x768x24" node --test $E2E_NODE_FLAGS tests/e2e/

phase "== the manual (操作手册, #77) built from this run's screenshots: a page showing a screen the run no longer takes fails"
# the run's pictures replace docs/manual/public/shots (a screen that changed shows in git's diff)
node docs/manual/check.mjs --run "$shots" --take
manual_out=$(mktemp -d /tmp/certdesk-manual.XXXXXX)
CERTDESK_MANUAL_OUT=$manual_out bash scripts/manual.sh
rm -rf "$shots" "$manual_out"

phase "== end-to-end: the installed app once on a counter hall (the PostgreSQL cluster above)"
CERTDESK_E2E_APP=/usr/bin/certdesk-app CERTDESK_E2E_CLI=/usr/bin/certdesk dbus-run-session -- xvfb-run -a -s "-screen 0 1366x768x24" node --test $E2E_NODE_FLAGS tests/e2e/hall.e2e.mjs

phase "== end-to-end: the installed app through a hall's failover (a primary and a standby of scripts/pg-failover.sh)"
CERTDESK_E2E_APP=/usr/bin/certdesk-app CERTDESK_E2E_CLI=/usr/bin/certdesk dbus-run-session -- xvfb-run -a -s "-screen 0 1366x768x24" node --test $E2E_NODE_FLAGS tests/e2e/failover.e2e.mjs
