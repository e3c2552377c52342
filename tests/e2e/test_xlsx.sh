#!/usr/bin/env bash
# --format xlsx, read back by an independent reader (openpyxl, Debian's
# python3-openpyxl): one sheet, the header frozen with an autofilter, real
# dates, numbers as numbers equal to the truth (the nearest double of the
# exact amount: a spreadsheet holds doubles), text as strings, money in
# its currency's format; and the usual -o guarantees. overview: a sheet
# "overview" (equal to the truth's window totals), then one sheet per
# endpoint with its rows per day (equal to the truth per day), each sheet
# with the same guarantees.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
"$PY" -c 'import openpyxl' 2>/dev/null ||
    { echo "python3-openpyxl is required (scripts/deps.sh --test)" >&2; exit 1; }
start_mock
W="--since 2025-03-01 --until 2025-03-08"
T="--start-time 1740787200 --end-time 1741392000"

# xlsx_vs_truth WHAT FILE SHEET: the workbook's rows equal the truth CSV.
xlsx_vs_truth() {
    if [ "$RC" -ne 0 ]; then not_ok "$1: exit $RC $(head -c 200 "$WORK/err")"; return; fi
    "$PY" - "$2" "$WORK/truth" "$3" <<'PY' >"$WORK/py.err" 2>&1 && ok || not_ok "$1: $(tail -c 500 "$WORK/py.err")"
import csv, sys
from datetime import datetime
from decimal import Decimal
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == [sys.argv[3]], wb.sheetnames
ws = wb.active
truth = list(csv.DictReader(open(sys.argv[2], newline="")))
head = [c.value for c in ws[1]]
assert head == list(truth[0].keys()), (head, list(truth[0].keys()))
assert all(c.font.b for c in ws[1]), "the header is bold"
assert ws.freeze_panes == "A2", ws.freeze_panes
assert ws.auto_filter.ref == "A1:%s%d" % (openpyxl.utils.get_column_letter(len(head)), len(truth) + 1), ws.auto_filter.ref
got = [dict(zip(head, (c for c in row))) for row in ws.iter_rows(min_row=2)]
assert len(got) == len(truth), (len(got), len(truth))
key = lambda r: tuple(str(r[k]) for k in head if k not in ("amount", "quantity") and not k.endswith("tokens"))
def norm(cells):
    out = {}
    for k, c in cells.items():
        v = c.value
        out[k] = v
    return out
rows = [norm(r) for r in got]
seen = 0
for t in truth:
    match = None
    for r in rows:
        ok = True
        for k, tv in t.items():
            v = r[k]
            if k == "period_start":
                ok &= isinstance(v, datetime) and v == datetime.strptime(tv, "%Y-%m-%dT%H:%M:%SZ")
            elif tv == "":
                ok &= v is None
            elif k in ("amount", "quantity") or k.endswith("tokens") or k.startswith("num_"):
                # numbers are numbers: the double nearest the exact value
                ok &= isinstance(v, (int, float)) and not isinstance(v, bool) and float(v) == float(Decimal(tv))
            else:
                ok &= isinstance(v, str) and v == tv
            if not ok:
                break
        if ok:
            match = r
            break
    assert match is not None, ("no workbook row for", t)
    rows.remove(match)
    seen += 1
assert seen == len(truth) > 0
# money: the amount cells carry the dollar format
for r in got:
    if "amount" in r and r["amount"].value is not None:
        assert r["amount"].number_format == '"$"#,##0.00', r["amount"].number_format
        break
PY
}

truth costs $T --group-by line_item,project_id --per day
ou costs $W --group-by line_item,project_id --per day --format xlsx -o "$WORK/costs.xlsx"
xlsx_vs_truth "costs per day, line item and project" "$WORK/costs.xlsx" costs
truth completions $T --group-by model --per week
ou completions $W --group-by model --per week --format xlsx -o "$WORK/comp.xlsx"
xlsx_vs_truth "completions per week and model" "$WORK/comp.xlsx" completions
# ---- overview: a workbook of one sheet per endpoint ----
# endpoint (sheet) : truth name : requests : input : output : units metric
OV_SPECS="completions:completions:num_model_requests:input_tokens:output_tokens:
decisions:decisions:num_model_requests:input_tokens:output_tokens:
embeddings:embeddings:num_model_requests:input_tokens::
moderations:moderations:num_model_requests:input_tokens::
images:images:num_model_requests:::images
audio-speeches:audio_speeches:num_model_requests:::characters
audio-transcriptions:audio_transcriptions:num_model_requests:::seconds
vector-stores:vector_stores::::usage_bytes
code-interpreter-sessions:code_interpreter_sessions::::num_sessions
file-search-calls:file_search_calls::::num_requests
web-search-calls:web_search_calls:num_model_requests:::num_requests
costs:costs::::"
# overview_vs_truth WHAT FILE: every sheet of the overview workbook equals
# the server's truth (window totals and per day) in $WORK/ovt/.
overview_vs_truth() {
    if [ "$RC" -ne 0 ]; then not_ok "$1: exit $RC $(head -c 200 "$WORK/err")"; return; fi
    "$PY" - "$2" "$WORK/ovt" "$OV_SPECS" <<'PY' >"$WORK/py.err" 2>&1 && ok || not_ok "$1: $(tail -c 800 "$WORK/py.err")"
import csv, sys
from datetime import datetime
from decimal import Decimal
import openpyxl
from openpyxl.utils import get_column_letter
wb = openpyxl.load_workbook(sys.argv[1])
tdir = sys.argv[2]
specs = [l.split(":") for l in sys.argv[3].split("\n") if l]
eps = [s[0] for s in specs]
assert wb.sheetnames == ["overview"] + eps, wb.sheetnames
for name in wb.sheetnames:
    assert len(name) <= 31 and not set(name) & set("[]:*?/\\"), name

def frame(ws, head, nrows):
    """The sheet's shape: header bold, frozen, autofilter over the rows;
    no formula anywhere; strings stored as strings."""
    got = [c.value for c in ws[1]]
    assert got == head, (ws.title, got, head)
    assert all(c.font.b for c in ws[1]), (ws.title, "the header is bold")
    assert ws.freeze_panes == "A2", (ws.title, ws.freeze_panes)
    ref = "A1:%s%d" % (get_column_letter(len(head)), nrows + 1)
    assert ws.auto_filter.ref == ref, (ws.title, ws.auto_filter.ref, ref)
    assert ws.max_row == nrows + 1, (ws.title, ws.max_row, nrows)
    for row in ws.iter_rows():
        for c in row:
            assert c.data_type != "f", (ws.title, c.coordinate, "a formula")
            if isinstance(c.value, str):
                assert c.data_type == "s", (ws.title, c.coordinate, c.data_type)

def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)

def same(ws, k, cell, tv):
    """One cell against the truth's text for it."""
    v = cell.value
    if k == "period_start":
        return cell.is_date and v == datetime.strptime(tv, "%Y-%m-%dT%H:%M:%SZ")
    if tv == "":
        return v is None
    try:
        d = Decimal(tv)
    except Exception:
        return isinstance(v, str) and v == tv
    # numbers are numbers: the double nearest the exact value
    return is_num(v) and float(v) == float(d)

def rows(path):
    return list(csv.DictReader(open(path, newline="")))

# One sheet per endpoint: its rows per day, in order, equal to the truth.
for ep, tname, *_ in specs:
    ws = wb[ep]
    truth = rows(f"{tdir}/{tname}.day.csv")
    assert len(truth) == 7, (ep, len(truth))
    head = list(truth[0].keys())
    frame(ws, head, len(truth))
    for i, t in enumerate(truth):
        cells = dict(zip(head, ws[i + 2]))
        for k, tv in t.items():
            assert same(ws, k, cells[k], tv), (ep, i, k, cells[k].value, tv)
        if "amount" in cells:
            assert cells["amount"].number_format == '"$"#,##0.00', cells["amount"].number_format
            assert cells["currency"].value == "usd"

# The overview sheet: one row per endpoint, the window's totals.
ws = wb["overview"]
head = ["endpoint", "requests", "input_tokens", "output_tokens", "units", "unit", "amount", "currency"]
frame(ws, head, len(specs))
units = {"images": "images", "characters": "characters", "seconds": "seconds",
         "usage_bytes": "bytes", "num_sessions": "sessions", "num_requests": "calls"}
for i, (ep, tname, req, inp, outp, unit) in enumerate(specs):
    cells = dict(zip(head, ws[i + 2]))
    assert cells["endpoint"].value == ep and cells["endpoint"].data_type == "s", cells["endpoint"].value
    total = rows(f"{tdir}/{tname}.csv")
    assert len(total) == 1, (ep, total)
    total = total[0]
    want = {"requests": req, "input_tokens": inp, "output_tokens": outp, "units": unit}
    if ep == "costs":
        assert same(ws, "amount", cells["amount"], total["amount"]), (cells["amount"].value, total["amount"])
        assert cells["amount"].number_format == '"$"#,##0.00', cells["amount"].number_format
        assert cells["currency"].value == total["currency"] == "usd"
        for k in ("requests", "input_tokens", "output_tokens", "units", "unit"):
            assert cells[k].value is None, (ep, k, cells[k].value)
        continue
    for k, m in want.items():
        if m:
            assert is_num(cells[k].value) and cells[k].value == int(total[m]), (ep, k, cells[k].value, total[m])
        else:
            assert cells[k].value is None, (ep, k, cells[k].value)
    assert cells["unit"].value == (units[unit] if unit else None), (ep, cells["unit"].value)
    assert cells["amount"].value is None and cells["currency"].value is None
# The workbook says which window it holds.
assert "2025-03-01 to 2025-03-07 UTC" in (wb.properties.title or ""), wb.properties.title
PY
}
mkdir -p "$WORK/ovt"
while IFS=: read -r ep tep _; do
    truth "$tep" $T --per day && cp "$WORK/truth" "$WORK/ovt/$tep.day.csv"
    truth "$tep" $T && cp "$WORK/truth" "$WORK/ovt/$tep.csv"
done <<<"$OV_SPECS"
ou overview $W --format xlsx -o "$WORK/ov.xlsx"
overview_vs_truth "overview workbook" "$WORK/ov.xlsx"
check "overview xlsx prints nothing on stdout" [ ! -s "$WORK/out" ]
# The other formats keep one row per endpoint.
ou overview $W --format csv
check "overview CSV still has 12 rows" [ "$(tail -n +2 "$WORK/out" | wc -l)" -eq 12 ]

check "xlsx is a zip (PK)" bash -c "head -c 2 '$WORK/comp.xlsx' | grep -q PK"
ou costs $W --format xlsx
expect_failure "xlsx needs -o" 2 'give -o FILE.xlsx'
echo keep >"$WORK/keep.xlsx"
cp "$WORK/keep.xlsx" "$WORK/keep.orig"
start_mock --fault '1+:500'
ou costs $W --format xlsx -o "$WORK/keep.xlsx" --retries 0
check "a failed run leaves the old file untouched (exit $RC)" \
    bash -c "[ $RC -eq 1 ] && cmp -s '$WORK/keep.xlsx' '$WORK/keep.orig'"

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
