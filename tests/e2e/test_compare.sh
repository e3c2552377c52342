#!/usr/bin/env bash
# --compare previous: each report beside the previous period's, checked
# against the server's truth for both windows, with the windows, the
# change and the percent computed here in Python (datetime, Decimal),
# independently of the client's calendar and decimal code.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
# Thursday 2025-03-20 12:00 UTC, for the server and the client's clock.
MOCK_NOW=1742472000
NOW=$MOCK_NOW
. "${E2E_DIR:-$(dirname "$0")}/clock_lib.sh"
start_mock

# windows NAME: "START END PSTART PEND" for a window people say, and the
# one it is compared with (the same days of the month, week or day before).
windows() {
    python3 - "$NOW" "$1" <<'PY'
import sys
from datetime import datetime, timedelta, timezone
now = datetime.fromtimestamp(int(sys.argv[1]), timezone.utc)
today = now.replace(hour=0, minute=0, second=0, microsecond=0)
week = today - timedelta(days=today.weekday())
month = today.replace(day=1)
d = lambda *a: datetime(*a, tzinfo=timezone.utc)
w = {
    # this month so far: March 1 to now, against February 1 to Feb 20 12:00
    "this-month": (month, now, d(2025, 2, 1), d(2025, 2, 20, 12)),
    # a whole month against the whole month before (31 days against 28)
    "feb": (d(2025, 2, 1), d(2025, 3, 1), d(2025, 1, 1), d(2025, 2, 1)),
    # last week against the week before
    "last-week": (week - timedelta(days=7), week, week - timedelta(days=14),
                  week - timedelta(days=7)),
    # this week so far against last week's same days and hours
    "this-week": (week, now, week - timedelta(days=7), now - timedelta(days=7)),
    # 7 complete days against the 7 before
    "7-days": (today - timedelta(days=7), today, today - timedelta(days=14),
               today - timedelta(days=7)),
    # today so far against yesterday to the same time
    "today": (today, now, today - timedelta(days=1), now - timedelta(days=1)),
    # --compare year: the same dates a year earlier
    "feb-year": (d(2025, 2, 1), d(2025, 3, 1), d(2024, 2, 1), d(2024, 3, 1)),
    "month-year": (month, now, d(2024, 3, 1), now.replace(year=2024)),
}[sys.argv[2]]
print(*(int(x.timestamp()) for x in w))
PY
}

# expect GROUPS SORT TOP: the comparison of $WORK/truth.now and
# $WORK/truth.prev (truth CSVs grouped by GROUPS, a comma list), in the
# report's columns: each metric, _previous, _change, _change_pct; rows
# ordered by SORT ("" = as given, checked as a set), cut to TOP (0: all).
expect() {
    python3 - "$WORK/truth.now" "$WORK/truth.prev" "$1" "$2" "$3" <<'PY'
import csv, sys
from decimal import Decimal, ROUND_HALF_UP
now, prev = (list(csv.DictReader(open(f))) for f in sys.argv[1:3])
groups = sys.argv[3].split(",")
sort, top = sys.argv[4], int(sys.argv[5])
head = list(csv.reader(open(sys.argv[1])))[0]
metrics = [c for c in head if c not in groups]
text = {"currency", "quantity_unit", "unit"}
key = lambda r: tuple(r[g] for g in groups) + (r.get("currency", ""),)
pn, pp = {key(r): r for r in now}, {key(r): r for r in prev}
keys = list(pn) + [k for k in pp if k not in pn]
out_head = groups[:]
for m in metrics:
    out_head += [m] if m in text else [m, m + "_previous", m + "_change", m + "_change_pct"]
def fmt(d):
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s
rows = []
for k in keys:
    a, b = pn.get(k), pp.get(k)
    base = a or b
    row = [base[g] for g in groups]
    sortkey = Decimal(0)
    for m in metrics:
        if m in text:
            row.append((a or {}).get(m) or (b or {}).get(m) or "")
            continue
        va = a[m] if a else None
        vb = b[m] if b else None
        # a side without the group: 0, or null where the other is null
        if va is None:
            va = "" if vb == "" else "0"
        if vb is None:
            vb = "" if va == "" else "0"
        if va == "" and vb == "":
            row += ["", "", "", ""]
            continue
        x, y = Decimal(va or 0), Decimal(vb or 0)
        ch = x - y
        pct = "" if y == 0 else fmt((ch * 100 / y).quantize(Decimal("0.01"), ROUND_HALF_UP))
        row += [va and fmt(Decimal(va)), vb and fmt(Decimal(vb)), fmt(ch), pct]
        if sort == m:
            sortkey = x
        if sort == m + "_change":
            sortkey = ch
    rows.append((sortkey, row))
if sort:
    rows.sort(key=lambda r: r[0], reverse=True)  # stable: ties as given
if top:
    rows = rows[:top]
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(out_head)
for _, r in rows:
    w.writerow(r)
PY
}

# compared WHAT ENDPOINT GROUPS WINDOW SORT TOP ARGS...: the report equals
# the comparison of the two windows' truths (--compare previous, unless
# COMPARE says otherwise).
compared() {
    local what=$1 ep=$2 groups=$3 name=$4 sort=$5 top=$6
    shift 6
    read -r a b pa pb <<<"$(windows "$name")"
    truth "$ep" --start-time "$a" --end-time "$b" --group-by "$groups" &&
        mv "$WORK/truth" "$WORK/truth.now"
    truth "$ep" --start-time "$pa" --end-time "$pb" --group-by "$groups" &&
        mv "$WORK/truth" "$WORK/truth.prev"
    expect "$groups" "$sort" "$top" >"$WORK/truth"
    frozen "$NOW" "$ep" --group-by "$groups" --compare "${COMPARE:-previous}" --format csv "$@"
    if [ -n "$sort" ]; then
        # the order is part of the answer: compare line by line
        if [ "$RC" -eq 0 ] && cmp -s <(tr -d '\r' <"$WORK/out") "$WORK/truth"; then
            ok
        else
            not_ok "$what: exit $RC; differs from the truth"
            diff "$WORK/truth" <(tr -d '\r' <"$WORK/out") | head -n 6 >&2
        fi
    else
        same_as_truth "$what"
    fi
}

compared "this month so far against the same days of last month (costs by project)" \
    costs project_id this-month "" 0 --since this-month
compared "this month so far (completions by model)" \
    completions model this-month "" 0 --since this-month
compared "--month 2025-02 against all of January" \
    costs line_item feb "" 0 --month 2025-02
compared "last week against the week before" \
    completions project_id last-week "" 0 --since last-week --until this-week
compared "this week so far against last week's same days" \
    costs project_id this-week "" 0 --since this-week
compared "7 complete days against the 7 before" \
    embeddings model 7-days "" 0 --days 7 --until today
compared "today so far against yesterday to the same time" \
    completions model today "" 0 --since today
compared "--sort amount_change: which project grew most this month" \
    costs project_id this-month amount_change 0 --since this-month --sort amount_change
compared "--sort output_tokens_change --top 2" \
    completions model 7-days output_tokens_change 2 --days 7 --until today \
    --sort output_tokens_change --top 2
compared "--sort input_tokens (the value now) --top 3" \
    completions model last-week input_tokens 3 --since last-week --until this-week \
    --sort input_tokens --top 3

COMPARE=year compared "--compare year: February against February 2024 (a leap year)" \
    costs project_id feb-year "" 0 --month 2025-02
COMPARE=year compared "--compare year: this month so far against its dates a year ago" \
    completions model month-year "" 0 --since this-month

# The JSON envelope says which windows were compared.
read -r a b pa pb <<<"$(windows this-month)"
frozen "$NOW" costs --since this-month --compare previous --format json
check "the JSON names both windows (exit $RC)" python3 - "$WORK/out" "$a" "$b" "$pa" "$pb" <<'PY'
import json, sys
from datetime import datetime, timezone
d = json.load(open(sys.argv[1]))
iso = lambda t: datetime.fromtimestamp(int(t), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
assert d["start_time"] == iso(sys.argv[2]), d["start_time"]
assert d["previous_start_time"] == iso(sys.argv[4]), d["previous_start_time"]
assert d["previous_end_time"] == iso(sys.argv[5]), d["previous_end_time"]
assert d["data"] and "amount_change_pct" in d["data"][0]
PY

# The table: a title naming both windows, money to the cent, a sign on
# each change and a percent; --sort change orders by the change.
frozen "$NOW" costs --since this-month --compare previous --group-by project_id \
    --sort change --wide
check "the table's title names both windows (exit $RC)" \
    grep -q '^costs, 2025-03-01 to 2025-03-20 12:00 UTC against 2025-02-01 to 2025-02-20 12:00 UTC, by project_id$' "$WORK/out"
check "the table heads each metric's columns previous, change, %" \
    grep -Eq '^project_id +amount +previous +change +%' "$WORK/out"
check "changes carry their sign and money its symbol" \
    grep -Eq '\$[0-9,]+\.[0-9]{2} +\$[0-9,]+\.[0-9]{2} +[-+]\$[0-9,]+\.[0-9]{2} +[-+][0-9]+\.[0-9]%$' "$WORK/out"
python3 - "$WORK/out" <<'PY' >"$WORK/py.err" 2>&1 && ok || not_ok "--sort change orders the table by the change: $(cat "$WORK/py.err")"
import re, sys
rows = [l for l in open(sys.argv[1]) if l.startswith("proj_")]
ch = [float(re.sub(r"[$,+]", "", l.split()[3])) for l in rows]
assert len(ch) >= 3 and ch == sorted(ch, reverse=True), ch
PY

# A terminal of 80 columns keeps the sorted metric's four columns.
frozen "$NOW" completions --since this-month --compare previous --group-by model \
    --sort total_tokens_change
check "a piped table keeps every metric (exit $RC)" grep -q 'num_model_requests' "$WORK/out"

# What --compare does not do is refused, with the reason.
frozen "$NOW" costs --compare previous --per day
expect_failure "--compare with --per" 2 'does not take --per'
frozen "$NOW" costs --compare previous --format svg
expect_failure "--compare with --format svg" 2 'not --format svg'
frozen "$NOW" costs --compare last-year
expect_failure "--compare takes previous" 2 "previous"
frozen "$NOW" costs --group-by project_id --sort amount_change
expect_failure "METRIC_change needs --compare" 2 "no metric 'amount_change'"
frozen "$NOW" costs --group-by project_id --compare previous --sort amount_chnage
expect_failure "a misspelt METRIC_change gets a suggestion" 2 "did you mean 'amount_change'"

finish
