#!/usr/bin/env bash
# Builds certdesk's installable Debian package with the Tauri bundler (@tauri-apps/cli, pinned in
# ui/package.json: it ships its own binary, nothing is downloaded while building):
#   bash scripts/package.sh           # release build → target/release/bundle/deb/certdesk_<version>_amd64.deb
#   bash scripts/package.sh --debug   # the debug build the tests use → target/debug/bundle/deb/
# (target/ is $CARGO_TARGET_DIR when that is set)
# The package holds the desktop app (menu entry 证书受理台, icons), the `certdesk` CLI on the
# PATH, the resources (the forms' font) under /usr/lib/certdesk and the printed manual
# (/usr/share/doc/certdesk/证书受理台操作手册.pdf). The catalogs, layouts and key models are built
# into the binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh package
[ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
profile=release
flags=()
if [ "${1:-}" = --debug ]; then
  profile=debug
  flags=(--debug)
fi
bash scripts/ui.sh
# cargo's and the bundler's output: CARGO_TARGET_DIR when set (a clone sharing a build), else target/
target=$(realpath -m "${CARGO_TARGET_DIR:-target}")
cargo_profile=(); [ "$profile" = release ] && cargo_profile=(--release)
# (scripts/test-package.sh packages the CLI the test run's workspace build made and tested,
# CERTDESK_PACKAGE_CLI_BUILT=1: `cargo build -p certdesk-cli` alone resolves the shared crates'
# features for that one package and rebuilds them). A build said to be made that is not there
# is an error, not a reason to rebuild.
if [ "${CERTDESK_PACKAGE_CLI_BUILT:-}" = 1 ]; then
  [ -x "$target/$profile/certdesk" ] || { echo "package: CERTDESK_PACKAGE_CLI_BUILT=1 but $target/$profile/certdesk is not there" >&2; exit 1; }
else
  cargo build --locked "${cargo_profile[@]}" -p certdesk-cli
fi
# the manual as a PDF to print (#77), typeset from the site ui.sh just built into the app; the
# same build packaged as another version (the upgrade test) keeps the one made for it
manual_pdf="$target/manual/证书受理台操作手册.pdf"
if [ -z "${CERTDESK_PACKAGE_VERSION:-}" ] || [ ! -f "$manual_pdf" ]; then
  mkdir -p "$target/manual"
  node docs/manual/pdf.mjs ui/dist/manual "$manual_pdf"
fi
# the CLI of the same profile goes to /usr/bin/certdesk
version=""
# CERTDESK_PACKAGE_VERSION packages the same build as another version (the upgrade test)
[ -n "${CERTDESK_PACKAGE_VERSION:-}" ] && version="\"version\":\"$CERTDESK_PACKAGE_VERSION\","
config="{$version\"bundle\":{\"linux\":{\"deb\":{\"files\":{\"/usr/bin/certdesk\":\"$target/$profile/certdesk\",\"/usr/share/doc/certdesk/证书受理台操作手册.pdf\":\"$manual_pdf\"}}}}}"
ui/node_modules/.bin/tauri build "${flags[@]}" --bundles deb --ci --config "$config"
ls -1 "$target/$profile/bundle/deb/"*.deb
