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
check "the report has its six charts" eval '[ "$(grep -o "<svg " "$WORK/r.html" | wc -l)" -ge 5 ]'
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
tables = doc.findall(".//h:table", ns)
def cell(td):
    text = "".join(td.itertext())
    # numbers carry thousands separators; names may carry commas
    return text.replace(",", "") if td.get("class") == "n" else text
def rows(t, part):
    return [[cell(td) for td in tr.findall("h:td", ns)]
            for tr in t.findall(f"h:{part}/h:tr", ns)]
models = {r[0]: [int(x) for x in r[1:4]] for r in rows(tables[0], "tbody")}
want = {}
for r in csv.DictReader(open(sys.argv[2], newline="")):
    want[r["model"] or "(no model)"] = [int(r["num_model_requests"]), int(r["input_tokens"]), int(r["output_tokens"])]
if models != want:
    print("models differ", models, want); sys.exit(1)
total = [int(x) for x in rows(tables[0], "tfoot")[0][1:4]]
if total != [sum(v[i] for v in want.values()) for i in range(3)]:
    print("model total differs"); sys.exit(1)
items = {r[0]: Decimal(r[1]) for r in rows(tables[1], "tbody")}
witems = {r["line_item"]: Decimal(r["amount"]) for r in csv.DictReader(open(sys.argv[3], newline=""))}
if items != witems:
    print("line items differ"); sys.exit(1)
if Decimal(rows(tables[1], "tfoot")[0][1]) != sum(witems.values()):
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
