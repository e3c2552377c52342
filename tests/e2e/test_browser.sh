#!/usr/bin/env bash
# The HTML report in a real browser: headless Chromium (Debian's) renders
# the large organization's report offline. Its layout, measured by the
# browser itself: every text of every chart lies inside its chart (nothing
# clipped) and no two texts of a chart overlap. Then the picture: it has
# the expected size, is not blank, shows the charts' colours, and the
# browser logged no console error.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || { echo "chromium is required (scripts/deps.sh --test)" >&2; exit 1; }
export XDG_CACHE_HOME="$WORK/cache"
start_mock --org large
ou report --since 2025-02-01 --until 2025-03-01 --names -o "$WORK/report.html"
check "report written" [ "$RC" -eq 0 ]
ou report --since 2025-02-10 --until 2025-02-12 --names -o "$WORK/hourly.html"
check "hourly report written" [ "$RC" -eq 0 ]
stop_mock   # the page must need nothing from any server

chromium() { # chromium URL ARGS...: headless, offline, its log in $WORK
    local url=$1
    shift
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$WORK/chromium" --hide-scrollbars --enable-logging=stderr \
        --v=0 "$@" "$url" 2>>"$WORK/chromium.log"
}

# The layout probe: a copy of the report with a script (the report has
# none) that measures every chart text's box and writes what is wrong.
cat >"$WORK/probe.js" <<'JS'
(function () {
  var bad = [], svgs = document.querySelectorAll("svg");
  svgs.forEach(function (svg) {
    var r = svg.getBoundingClientRect(), title = svg.querySelector("title").textContent;
    var boxes = [];
    svg.querySelectorAll("text").forEach(function (t) {
      var b = t.getBoundingClientRect();
      if (b.width === 0) return;
      if (b.left < r.left - 0.5 || b.right > r.right + 0.5 || b.top < r.top - 0.5 || b.bottom > r.bottom + 0.5)
        bad.push("clipped in " + title + ": " + t.textContent);
      boxes.push([b, t.textContent]);
    });
    for (var i = 0; i < boxes.length; i++)
      for (var j = i + 1; j < boxes.length; j++) {
        var p = boxes[i][0], q = boxes[j][0];
        var w = Math.min(p.right, q.right) - Math.max(p.left, q.left);
        var h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
        if (w > 1 && h > 1) bad.push("overlap in " + title + ": " + boxes[i][1] + " / " + boxes[j][1]);
      }
  });
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify({ charts: svgs.length, bad: bad });
  document.body.appendChild(pre);
})();
JS
probe() { # probe NAME MIN_CHARTS: measure $WORK/NAME.html in the browser
    python3 - "$WORK/$1.html" "$WORK/probe.js" "$WORK/$1-probe.html" <<'PY'
import sys
doc, js = open(sys.argv[1]).read(), open(sys.argv[2]).read()
open(sys.argv[3], "w").write(doc.replace("</body>", "<script>//<![CDATA[\n" + js + "\n//]]></script></body>"))
PY
    chromium "file://$WORK/$1-probe.html" --window-size=1100,2400 --dump-dom >"$WORK/$1-dom.html"
    python3 - "$WORK/$1-dom.html" "$2" <<'PY'
import html, json, re, sys
m = re.search(r'<pre id="probe">(.*?)</pre>', open(sys.argv[1]).read(), re.S)
if not m:
    sys.exit("the probe did not run")
r = json.loads(html.unescape(m.group(1)))
for b in r["bad"][:20]:
    print(b)
if r["charts"] < int(sys.argv[2]) or r["bad"]:
    sys.exit(f'{r["charts"]} charts, {len(r["bad"])} layout faults')
PY
}
check "large report: no chart text clipped or overlapping" probe report 8
check "hourly report: no chart text clipped or overlapping" probe hourly 8

chromium "file://$WORK/report.html" --window-size=1100,3000 --screenshot="$WORK/report.png" >/dev/null
check "chromium rendered the report" test -s "$WORK/report.png"
check "no console error" bash -c "! grep -Eiq 'CONSOLE.*error|Uncaught' '$WORK/chromium.log'"
check "the picture: size, not blank, the charts' colours drawn" \
    python3 "$E2E_DIR/pngcheck.py" "$WORK/report.png" 1100 3000 '#0072B2' '#E69F00' '#009E73' '#999999'
if [ -n "${OAIUSAGE_SCREENSHOT:-}" ]; then
    cp "$WORK/report.png" "$OAIUSAGE_SCREENSHOT"
fi
finish
