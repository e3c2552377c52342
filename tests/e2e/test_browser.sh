#!/usr/bin/env bash
# The HTML report in a real browser: headless Chromium (Debian's) renders
# it offline to a PNG; the picture has the expected size, is not blank,
# shows the charts' palette, and the browser logged no console error.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "chromium is required (scripts/deps.sh --test)" >&2; exit 1; }
export XDG_CACHE_HOME="$WORK/cache"
start_mock
ou report --since 2025-02-01 --until 2025-03-01 --names -o "$WORK/report.html"
check "report written" [ "$RC" -eq 0 ]
stop_mock   # the page must need nothing from any server

"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$WORK/chromium" --hide-scrollbars --enable-logging=stderr \
    --v=0 --window-size=1100,2400 --screenshot="$WORK/report.png" \
    "file://$WORK/report.html" >"$WORK/chromium.log" 2>&1
check "chromium rendered the report" test -s "$WORK/report.png"
check "no console error" bash -c "! grep -Eiq 'CONSOLE.*error|Uncaught' '$WORK/chromium.log'"
check "the picture: size, not blank, the palette drawn" \
    python3 "$E2E_DIR/pngcheck.py" "$WORK/report.png" 1100 2400 '#0072B2' '#E69F00' '#009E73' '#CC79A7'
if [ -n "${OAIUSAGE_SCREENSHOT:-}" ]; then
    cp "$WORK/report.png" "$OAIUSAGE_SCREENSHOT"
fi
finish
