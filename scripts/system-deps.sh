#!/bin/sh
# Installs the Debian packages reportgen needs, or says exactly what to run.
# Usage: scripts/system-deps.sh [report|test]
#   report: what building the briefing needs (Pango, HarfBuzz subsetting, the font)
#   test:   plus what the tests need (poppler for rasterising, Chromium for the page)
set -eu
want="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-inter"
if [ "${1:-report}" = "test" ]; then
    want="$want poppler-utils chromium faketime"
fi
missing=""
for pkg in $want; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
    echo "missing Debian packages:$missing" >&2
    echo "run: sudo apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi
