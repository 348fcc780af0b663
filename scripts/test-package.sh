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
deb=$(ls -1t target/debug/bundle/deb/certdesk_*_amd64.deb | head -1)
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "./$deb" >/dev/null
echo "installed $deb"

fail() { echo "package test: $*" >&2; exit 1; }
[ "$(command -v certdesk)" = /usr/bin/certdesk ] || fail "certdesk is not on the PATH"
[ -x /usr/bin/certdesk-app ] || fail "the app is not installed"
grep -qx 'Name=证书受理台' /usr/share/applications/certdesk.desktop || fail "the menu entry is not named 证书受理台"
grep -qx 'Exec=certdesk-app' /usr/share/applications/certdesk.desktop || fail "the menu entry does not start the app"
[ -f /usr/share/icons/hicolor/128x128/apps/certdesk-app.png ] || fail "no icon"
[ -f /usr/lib/certdesk/fonts/NotoSerifSC-Regular.otf ] || fail "the forms' font is not in the package's resource folder"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
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
