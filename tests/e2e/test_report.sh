#!/usr/bin/env bash
# oaiusage report: one self-contained, well-formed HTML file whose charts
# are there and whose totals tables equal the server's truth.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
command -v xmllint >/dev/null || { echo "xmllint is required" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }
export XDG_CACHE_HOME="$WORK/cache"
start_mock
S=1738368000; E=1740787200   # February 2025
ou report --since $S --until $E -o "$WORK/r.html"
check "report succeeds quietly" eval '[ "$RC" -eq 0 ] && [ ! -s "$WORK/out" ]'
check "the report is well-formed XML (XHTML)" xmllint --noout "$WORK/r.html"
check "the report refers to no external resource" \
    bash -c "! grep -Eiq '(src|href)=|url\\(|<script|<link|@import' '$WORK/r.html'"
check "the report has its seven charts" eval '[ "$(grep -o "<svg " "$WORK/r.html" | wc -l)" -eq 7 ]'
check "the report names its window, the last day included" grep -q 'Window: 2025-02-01 to 2025-02-28, UTC days, the last one included (2025-02-01T00:00:00Z to 2025-03-01T00:00:00Z, end exclusive)' "$WORK/r.html"
truth costs --start-time 1738368000 --end-time 1740787200
total=$(python3 -c 'import csv, sys; from decimal import Decimal as D, ROUND_HALF_UP as H; t = sum(D(r["amount"]) for r in csv.DictReader(open(sys.argv[1]))); print("${:,}".format(t.quantize(D("0.01"), H)))' "$WORK/truth")
check "the total spend up front, to the cent ($total)" grep -q "<p class=\"total\">Total spend: $total</p>" "$WORK/r.html"
check "an unfiltered report says no filter" bash -c "! grep -q 'Filtered:' '$WORK/r.html'"
check "the report is small enough to mail ($(wc -c <"$WORK/r.html") bytes)" \
    [ "$(wc -c <"$WORK/r.html")" -lt 2000000 ]

truth completions --start-time $S --end-time $E --bucket-width 1d --group-by model
cp "$WORK/truth" "$WORK/t_models.csv"
truth costs --start-time $S --end-time $E --group-by line_item
cp "$WORK/truth" "$WORK/t_items.csv"
python3 - "$WORK/r.html" "$WORK/t_models.csv" "$WORK/t_items.csv" <<'PY' && ok || not_ok "report tables differ from the truth"
import csv, sys, xml.etree.ElementTree as ET
from decimal import Decimal
ns = {"h": "http://www.w3.org/1999/xhtml"}
doc = ET.parse(sys.argv[1])
tables = {t.get("id"): t for t in doc.findall(".//h:table", ns)}
def cell(td):
    text = "".join(td.itertext())
    # numbers carry thousands separators; names may carry commas
    return text.replace(",", "") if td.get("class") == "n" else text
def rows(t, part):
    return [[cell(td) for td in tr.findall("h:td", ns)]
            for tr in t.findall(f"h:{part}/h:tr", ns)]
models = {r[0]: [int(x) for x in r[1:4]] for r in rows(tables["models-table"], "tbody")}
want = {}
for r in csv.DictReader(open(sys.argv[2], newline="")):
    want[r["model"] or "(no model)"] = [int(r["num_model_requests"]), int(r["input_tokens"]), int(r["output_tokens"])]
if models != want:
    print("models differ", models, want); sys.exit(1)
total = [int(x) for x in rows(tables["models-table"], "tfoot")[0][1:4]]
if total != [sum(v[i] for v in want.values()) for i in range(3)]:
    print("model total differs"); sys.exit(1)
items = {r[0]: Decimal(r[1]) for r in rows(tables["items-table"], "tbody")}
witems = {r["line_item"]: Decimal(r["amount"]) for r in csv.DictReader(open(sys.argv[3], newline=""))}
if items != witems:
    print("line items differ"); sys.exit(1)
if Decimal(rows(tables["items-table"], "tfoot")[0][1]) != sum(witems.values()):
    print("cost total differs"); sys.exit(1)
PY

# Names in the legends with --names; ids without.
ou report --since $S --until $E --names -o "$WORK/named.html"
python3 "$E2E_DIR/orglists.py" "$BASE" projects >"$WORK/projects.tsv"
first_name=$(cut -f2 "$WORK/projects.tsv" | head -n 1 | sed 's/&/\&amp;/g; s/"/\&quot;/g')
check "--names puts project names in the charts" grep -qF "$first_name" "$WORK/named.html"
check "without --names the charts show project ids" grep -q 'proj_' "$WORK/r.html"

# A single day and a long window both render.
ou projects --format csv
fproj=$(sed -n 2p "$WORK/out" | cut -d, -f1)
ou report --since $S --until $E --project "$fproj" -o "$WORK/filtered.html"
check "a --project report says so in its header" grep -q "<p class=\"filters\">Filtered: project $fproj</p>" "$WORK/filtered.html"
ou report --since 2022-01-01 --until 2022-01-08 -o "$WORK/empty.html"
truth completions --start-time 1640995200 --end-time 1641600000
check "the truth of that window is empty (a real check)" \
    bash -c "[ \"\$(tail -n 1 '$WORK/truth' | cut -d, -f1)\" = 0 ]"
check "an empty window says so, draws no chart, stays well-formed" \
    bash -c "grep -q '<p class=\"empty\">No completions usage in this window.</p>' '$WORK/empty.html' && grep -q '<p class=\"empty\">No billed cost in this window.</p>' '$WORK/empty.html' && ! grep -q '<svg' '$WORK/empty.html' && xmllint --noout '$WORK/empty.html'"
ou report --since 2025-02-10 --until 2025-02-11 -o "$WORK/oneday.html"
check "a one-day report is well-formed" xmllint --noout "$WORK/oneday.html"
ou report --days 180 --until 2025-03-01 -o "$WORK/long.html"
check "a 180-day report is well-formed" xmllint --noout "$WORK/long.html"
check "a 180-day report thins its date labels" \
    eval '[ "$(grep -o "2025-0[0-9]-[0-9][0-9]</text>" "$WORK/long.html" | wc -l)" -lt 100 ]'

# The report's own checker (python3, stdlib): reads the XHTML, never our
# other outputs; the expected values come from the server's truth.
cat >"$WORK/rcheck.py" <<'PY'
import csv, json, re, sys, xml.etree.ElementTree as ET
from decimal import Decimal
H = "{http://www.w3.org/1999/xhtml}"
S = "{http://www.w3.org/2000/svg}"
def doc(path):
    return ET.parse(path).getroot()
def text(e):
    return "".join(e.itertext())
def section(root, sid):
    for sec in root.iter(H + "section"):
        if sec.get("id") == sid:
            return sec
    return None
def table(root, tid):
    for t in root.iter(H + "table"):
        if t.get("id") == tid:
            return t
    sys.exit(f"no table {tid}")
def body_rows(t):
    out = []
    for tr in t.find(H + "tbody").findall(H + "tr"):
        tds = tr.findall(H + "td")
        span = tds[0].find(H + "span")
        key = span.text if span is not None else text(tds[0])
        out.append((key, Decimal(text(tds[1]).replace(",", "")), text(tds[2])))
    return out
def truth_by(path, field, derive=None):
    want = {}
    for r in csv.DictReader(open(path, newline="")):
        k = derive(r[field]) if derive else r[field]
        want[(k, r["currency"])] = want.get((k, r["currency"]), Decimal(0)) + Decimal(r["amount"])
    return want
def model_of(item):
    # the API's line item is "<model>, <component>" for a model's line item
    return item.split(", ", 1)[0] if ", " in item else ""
def got_by(rows, none):
    got = {}
    for k, amount, cur in rows:
        k = "" if k == none else k
        if (k, cur) in got:
            sys.exit(f"{k} twice")
        got[(k, cur)] = amount
    return got
def cmp(what, got, want):
    if not want:
        sys.exit(f"{what}: the truth is empty (a vacuous comparison)")
    if got != want:
        for k in sorted(set(got) | set(want)):
            if got.get(k) != want.get(k):
                print(what, k, "got", got.get(k), "want", want.get(k))
        sys.exit(1)
def svg_texts(svg, cls=None):
    return [text(t) for t in svg.iter(S + "text") if cls is None or t.get("class") == cls]
def legend(svg):
    # each legend entry is a swatch <rect> followed by its <text class="legend">
    out, prev = [], None
    for e in svg:
        if e.tag == S + "text" and e.get("class") == "legend":
            out.append((text(e), prev.get("fill")))
        prev = e
    return out

cmd = sys.argv[1]
root = doc(sys.argv[2])
if cmd == "costs":
    # cost by project and by model tables equal the truth, per currency
    cmp("cost by project", got_by(body_rows(table(root, "projects-table")), "(no project)"),
        truth_by(sys.argv[3], "project_id"))
    cmp("cost by model", got_by(body_rows(table(root, "cost-models-table")), "(no model)"),
        truth_by(sys.argv[4], "line_item", model_of))
    for tid in ("projects-table", "cost-models-table"):
        foot = table(root, tid).find(H + "tfoot").findall(H + "tr")
        total = sum(truth_by(sys.argv[4], "line_item").values())
        if len(foot) != 1 or Decimal(text(foot[0].findall(H + "td")[1]).replace(",", "")) != total:
            sys.exit(f"{tid}: TOTAL is not {total}")
elif cmd == "readable":
    svgs = list(root.iter(S + "svg"))
    if len(svgs) < 7:
        sys.exit(f"only {len(svgs)} charts")
    for svg in svgs:
        title = svg.find(S + "title").text
        for cls in ("legend", "cat"):
            t = svg_texts(svg, cls)
            dup = {x for x in t if t.count(x) > 1}
            if dup:
                sys.exit(f"{title}: {cls} entries read the same: {dup}")
        for t in svg_texts(svg):
            if t.endswith("\u2026") or t.endswith(".."):
                sys.exit(f"{title}: a cut label: {t!r}")
        if svg.find(S + "text[@class='cat']") is None:
            # over time: every shown x label a whole date (or date and hour)
            for t in svg.iter(S + "text"):
                if t.get("text-anchor") == "middle" and re.match(r"\d{4}-", text(t)) and \
                        not re.fullmatch(r"\d{4}-\d\d-\d\d( \d\d:00)?", text(t)):
                    sys.exit(f"{title}: a cut date label {text(t)!r}")
elif cmd == "colours":
    # legend name -> colour in the requests-by-model chart and the donut
    out = {}
    for sid in ("models", "share"):
        for name, fill in legend(section(root, sid).find(S + "svg")):
            if not name.startswith("Other ("):
                out[sid + ":" + re.sub(r" \(\d+\.\d%\)$", "", name)] = fill
    print(json.dumps(out, sort_keys=True))
elif cmd == "hourly":
    def compact(v):
        for f, suf in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
            if abs(v) >= f:
                x = v / f
                return ("%.0f%s" if abs(x - round(x)) < 1e-9 else "%.1f%s") % (x, suf)
        return "%.0f" % v if abs(v - round(v)) < 1e-9 else "%.1f" % v
    sec = section(root, "tokens")
    svg = sec.find(S + "svg")
    if svg.find(S + "title").text != "Hourly input vs output tokens":
        sys.exit("the tokens chart is not hourly")
    got = sorted(t.text for t in svg.iter(S + "title") if t.text.startswith("input tokens, "))
    want, hours = [], 0
    for r in csv.DictReader(open(sys.argv[3], newline="")):
        hours += 1
        v = int(r["input_tokens"])
        if v > 0:
            want.append("input tokens, %s %s: %s" % (r["period_start"][:10], r["period_start"][11:16], compact(v)))
    if hours != int(sys.argv[4]) or len(want) < hours // 2:
        sys.exit(f"the truth has {hours} hours, {len(want)} busy: not the window asked for")
    if got != sorted(want):
        print("got", got[:3], "want", sorted(want)[:3])
        sys.exit("hourly bars differ from the truth")
PY
rcheck() { python3 "$WORK/rcheck.py" "$@"; }

# Cost by project and by model: the exact amounts of the truth (the model
# derived here from the truth's line items).
truth costs --start-time $S --end-time $E --group-by project_id
cp "$WORK/truth" "$WORK/t_projects.csv"
check "cost by project and by model equal the truth" rcheck costs "$WORK/r.html" "$WORK/t_projects.csv" "$WORK/t_items.csv"
check "with --names too (ids kept beside names)" rcheck costs "$WORK/named.html" "$WORK/t_projects.csv" "$WORK/t_items.csv"
check "no chart label is cut or reads like another" rcheck readable "$WORK/named.html"

# One or two days: hourly usage charts (1h buckets), each hour's bar the
# truth's; three days are daily again.
H0=1739145600   # 2025-02-10
ou report --since 2025-02-10 --until 2025-02-12 -o "$WORK/twoday.html"
check "a two-day report succeeds" [ "$RC" -eq 0 ]
truth completions --start-time $H0 --end-time $((H0 + 172800)) --bucket-width 1h --per bucket
check "a two-day report charts 48 hours, each the truth's" rcheck hourly "$WORK/twoday.html" "$WORK/truth" 48
check "it fetched 1h buckets" grep -q 'usage/completions?.*bucket_width=1h' "$WORK/requests.log"
check "its window still names the last day included" grep -q 'per UTC hour, 2025-02-10 to 2025-02-11' "$WORK/twoday.html"
ou report --since 2025-02-10 --until 2025-02-11 -o "$WORK/oneday.html"
truth completions --start-time $H0 --end-time $((H0 + 86400)) --bucket-width 1h --per bucket
check "a one-day report charts 24 hours, each the truth's" rcheck hourly "$WORK/oneday.html" "$WORK/truth" 24
ou report --since 2025-02-10 --until 2025-02-13 -o "$WORK/threeday.html"
check "a three-day report is daily" grep -q '<title>Daily input vs output tokens</title>' "$WORK/threeday.html"

# Stable colours: the same projects (all six of the organization's),
# ranked differently in two windows, keep their colours.
rank() { # the projects' order by requests in the truth of a window
    truth completions --start-time "$1" --end-time "$2" --group-by project_id
    python3 -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(" ".join(x["project_id"] for x in sorted(r, key=lambda x: -int(x["num_model_requests"]))))' "$WORK/truth"
}
W1=$(rank 1736294400 1736899200); W2=$(rank 1738713600 1739318400)
check "the two windows rank the projects differently (a real check)" \
    eval '[ "$W1" != "$W2" ] && [ "$(echo $W1 | wc -w)" -eq 6 ]'
ou report --since 2025-01-08 --until 2025-01-15 --names -o "$WORK/c1.html"
ou report --since 2025-02-05 --until 2025-02-12 --names -o "$WORK/c2.html"
c1=$(rcheck colours "$WORK/c1.html"); c2=$(rcheck colours "$WORK/c2.html")
check "a project keeps its colour from one report to the next" \
    eval '[ -n "$c1" ] && [ "$c1" = "$c2" ] && [ "$(echo "$c1" | grep -o "#" | wc -l)" -eq 12 ]'

# The large organization: many projects and models, long names.
start_mock --org large
ou report --since $S --until $E --names -o "$WORK/large.html"
check "the large organization's report succeeds" [ "$RC" -eq 0 ]
check "it is well-formed" xmllint --noout "$WORK/large.html"
check "no chart label is cut or reads like another (large)" rcheck readable "$WORK/large.html"
"$OAIUSAGE_MOCK" truth costs --start-time $S --end-time $E --group-by project_id --org large --now "$MOCK_NOW" >"$WORK/tl_projects.csv"
"$OAIUSAGE_MOCK" truth costs --start-time $S --end-time $E --group-by line_item --org large --now "$MOCK_NOW" >"$WORK/tl_items.csv"
check "cost by project and by model equal the truth (large)" rcheck costs "$WORK/large.html" "$WORK/tl_projects.csv" "$WORK/tl_items.csv"
check "the large report names the model line items' models in full" grep -q '>gpt-4o-realtime-preview-2024-12-17</tspan>' "$WORK/large.html"
check "the large report has no admin key" bash -c "! grep -q '$OPENAI_ADMIN_KEY' '$WORK/large.html'"
start_mock   # the small organization again

# --format svg: the current query as one standalone chart.
ou completions --since $S --until $E --group-by model --format svg -o "$WORK/m.svg"
check "--format svg is well-formed XML" xmllint --noout "$WORK/m.svg"
nmodels=$(($(wc -l <"$WORK/t_models.csv") - 1))
check "--format svg: one bar per model ($nmodels)" \
    eval '[ "$(grep -o "<rect x=[^>]*><title>" "$WORK/m.svg" | wc -l)" -eq "$nmodels" ]'
check "--format svg refers to no external resource" \
    bash -c "! grep -Eiq '(src|href)=|url\\(|<script' '$WORK/m.svg'"
ou costs --since $S --until $E --group-by line_item --per week --format svg
check "--format svg --per: a stacked chart on stdout" eval 'head -c 4 "$WORK/out" | grep -q "<svg" && grep -q "Other" "$WORK/out"'
ou completions --since $S --until $E --records --format svg
expect_failure "--format svg --records" 2 "not --records"
ou overview --since $S --until $E --format svg
expect_failure "overview --format svg" 2 "charts usage and costs reports"

# Failures leave nothing; options that make no sense are refused.
echo precious >"$WORK/keep.html"
start_mock --fault 1+:503
ou report --since $S --until $E --retries 0 -q -o "$WORK/keep.html"
expect_failure "report when the API fails" 1 "HTTP 503"
check "a failed report leaves the file alone" grep -qx precious "$WORK/keep.html"
ou report --format csv;        expect_failure "report --format" 2 "report writes one HTML file"
ou report --group-by model;    expect_failure "report --group-by" 2 "report does not take --group-by"
finish
