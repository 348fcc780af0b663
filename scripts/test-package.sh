#!/usr/bin/env bash
# The installable package, tested as a counter PC gets it: builds the Debian package (the debug
# build the other tests use), installs it with apt, checks the menu entry and the commands on
# the PATH, prints forms with the installed CLI from a folder elsewhere while the source tree is
# out of reach (hidden under an empty tmpfs in a private mount namespace), and leaves the
# installed app for the end-to-end test (scripts/test.sh runs it against /usr/bin/certdesk-app).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

bash scripts/package.sh --debug
# the bundler writes where cargo builds: CARGO_TARGET_DIR when set, else target/
bundles=$(realpath -m "${CARGO_TARGET_DIR:-target}")/debug/bundle/deb
deb=$(ls -1t "$bundles"/certdesk_*_amd64.deb | head -1)
# (over whatever an earlier run left, the upgrade test's newer version included)
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends --allow-downgrades "$deb" >/dev/null
echo "installed $deb"

fail() { echo "package test: $*" >&2; exit 1; }
[ "$(command -v certdesk)" = /usr/bin/certdesk ] || fail "certdesk is not on the PATH"
[ -x /usr/bin/certdesk-app ] || fail "the app is not installed"
grep -qx 'Name=证书受理台' /usr/share/applications/certdesk.desktop || fail "the menu entry is not named 证书受理台"
grep -qx 'Exec=certdesk-app' /usr/share/applications/certdesk.desktop || fail "the menu entry does not start the app"
[ -f /usr/share/icons/hicolor/128x128/apps/certdesk-app.png ] || fail "no icon"
[ -f /usr/lib/certdesk/fonts/NotoSerifSC-Regular.otf ] || fail "the forms' font is not in the package's resource folder"
# the printed manual: every page, its fonts and pictures (docs/manual/check.mjs --pdf)
manual=/usr/share/doc/certdesk/证书受理台操作手册.pdf
[ -f "$manual" ] || fail "the manual's PDF is not installed"
node docs/manual/check.mjs --pdf "$manual" >/dev/null || fail "the manual's PDF misses pages, fonts or pictures"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# an upgrade keeps the store: a store made with the installed package, then the same build
# packaged as a newer version and installed over it with apt
installed=$(dpkg-query -W -f='${Version}' certdesk)
export CERTDESK_DB="$work/store/certdesk.db"
printf 'admin-secret-1\n' >"$work/admin.pw"; printf 'zhang-secret-1\n' >"$work/zhang.pw"
certdesk user add admin --role admin --password-file "$work/admin.pw" >/dev/null
certdesk user add zhang --role clerk --password-file "$work/zhang.pw" --as admin --as-password-file "$work/admin.pw" >/dev/null
number=$(certdesk case import tests/fixtures/case-org-new.json --as zhang --password-file "$work/zhang.pw")
CERTDESK_PACKAGE_VERSION=0.1.1 bash scripts/package.sh --debug >/dev/null
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$bundles/certdesk_0.1.1_amd64.deb" >/dev/null
[ "$(dpkg-query -W -f='${Version}' certdesk)" = 0.1.1 ] || fail "the newer package did not replace $installed"
# the reads sign in through the environment's account
export CERTDESK_USER=admin CERTDESK_PASSWORD_FILE="$work/admin.pw"
certdesk case show "$number" >/dev/null || fail "the upgrade lost case $number"
verified=$(certdesk --json audit verify)
grep -q '"ok": *true' <<<"$verified" || fail "the audit chain does not verify after the upgrade"
rm -f "$bundles/certdesk_0.1.1_amd64.deb"
unset CERTDESK_DB CERTDESK_USER CERTDESK_PASSWORD_FILE
echo "package test: upgraded $installed → 0.1.1 over a store with case $number: kept, audit chain verified"
cp tests/fixtures/case-org-new.json "$work/case.json"
chmod 755 "$work"
# the installed CLI, with the source tree and the build hidden: everything it needs comes
# from the package
unshare --mount --propagation private bash -euc '
  mount -t tmpfs -o size=1m tmpfs "$1"
  [ -z "$(ls -A "$1")" ]
  cd "$2"
  env -u CERTDESK_FONTS -u CERTDESK_FORMS certdesk validate uscc 91440101MA59ABCD1D >/dev/null
  env -u CERTDESK_FONTS -u CERTDESK_FORMS certdesk form render --input case.json --out forms.pdf
' _ "$root" "$work" || fail "the installed CLI could not print forms without the source tree"
# read whole before matching (grep -q closing the pipe early would fail it under pipefail)
fonts=$(pdffonts "$work/forms.pdf")
text=$(pdftotext "$work/forms.pdf" -)
grep -q 'NotoSerifSC' <<<"$fonts" || fail "the printed forms do not embed the packaged font"
grep -q '广州市示例科技有限公司' <<<"$text" || fail "the printed forms do not carry the case"
echo "package test: installed, menu entry 证书受理台, certdesk on the PATH, forms printed with the packaged font from $work"
