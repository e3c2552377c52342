#!/usr/bin/env bash
# --format xlsx, read back by an independent reader (openpyxl, Debian's
# python3-openpyxl): one sheet, the header frozen with an autofilter, real
# dates, numbers as numbers equal to the truth (the nearest double of the
# exact amount: a spreadsheet holds doubles), text as strings, money in
# its currency's format; and the usual -o guarantees.
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
