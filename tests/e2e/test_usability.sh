#!/usr/bin/env bash
# Everyday usability: the windows people say (calendar words, YYYYMMDD,
# YYYY-MM, --month, complete days), each equal to the server's truth for
# the window Python's datetime computes for the same words.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
# Thursday 2025-03-20 12:00 UTC, for the server and the client's clock.
MOCK_NOW=1742472000
NOW=$MOCK_NOW
. "${E2E_DIR:-$(dirname "$0")}/clock_lib.sh"
start_mock

# span WORDS...: "START END" in Unix seconds for a Python expression of
# the window at NOW (independent of the client's calendar code).
span() {
    python3 - "$NOW" "$1" <<'PY'
import sys
from datetime import datetime, timedelta, timezone
now = datetime.fromtimestamp(int(sys.argv[1]), timezone.utc)
today = now.replace(hour=0, minute=0, second=0, microsecond=0)
week = today - timedelta(days=today.weekday())
month = today.replace(day=1)
last_month = (month - timedelta(days=1)).replace(day=1)
d = lambda *a: datetime(*a, tzinfo=timezone.utc)
windows = {
    "compact": (d(2025, 3, 1), d(2025, 3, 3)),
    "last-week": (week - timedelta(days=7), week),
    "last-month": (last_month, month),
    "feb": (d(2025, 2, 1), d(2025, 3, 1)),
    "7-complete": (today - timedelta(days=7), today),
    "yesterday": (today - timedelta(days=1), today),
    "this-month": (month, now),
}
a, b = windows[sys.argv[2]]
print(int(a.timestamp()), int(b.timestamp()))
PY
}

# window_is WHAT SPAN ARGS...: the report with ARGS equals the truth of
# the window SPAN names (costs per line item, completions per model).
window_is() {
    local what=$1 name=$2
    shift 2
    read -r a b <<<"$(span "$name")"
    truth costs --start-time "$a" --end-time "$b" --group-by line_item
    frozen "$NOW" costs --group-by line_item --format csv "$@"
    same_as_truth "$what: costs"
    truth completions --start-time "$a" --end-time "$b" --group-by model
    frozen "$NOW" completions --group-by model --format csv "$@"
    same_as_truth "$what: completions"
}

window_is "YYYYMMDD is a date" compact --since 20250301 --until 20250303
window_is "--since last-week --until this-week" last-week --since last-week --until this-week
window_is "--since last-month --until this-month" last-month --since last-month --until this-month
window_is "--month last-month" last-month --month last-month
window_is "--month 2025-02" feb --month 2025-02
window_is "--since 2025-02 --until 2025-03 (YYYY-MM)" feb --since 2025-02 --until 2025-03
window_is "--days 7 --until today: the 7 complete days" 7-complete --days 7 --until today
window_is "--since yesterday --until today" yesterday --since yesterday --until today
window_is "--month this-month ends now" this-month --month this-month

frozen "$NOW" costs --since 20261101
check "YYYYMMDD in the future is refused, never read as 1970 (exit $RC)" \
    bash -c "[ $RC -eq 2 ] && grep -q 'in the future' '$WORK/err'"
frozen "$NOW" costs --since 1234567
expect_failure "7 digits are neither a date nor Unix seconds" 2 'Unix seconds have 9 digits or more'
frozen "$NOW" costs --month 2025-02 --days 3
expect_failure "--month excludes --days" 2 '--month is a whole window'
frozen "$NOW" costs --since tomorrow
expect_failure "an unknown word says what WHEN may be" 2 "'--since': 'tomorrow'"

# ---- --sort and --top -------------------------------------------------------
# top_of WHAT N SORT ARGS...: the rows equal the truth's rows ordered by
# SORT (largest first; ties in the report's own order: the first metric,
# then the group values) and cut to N (per period with --per).
top_of() {
    local what=$1 n=$2 key=$3
    shift 3
    if [ "$RC" -ne 0 ]; then not_ok "$what: exit $RC $(head -c 200 "$WORK/err")"; return; fi
    python3 - "$WORK/truth" "$WORK/out" "$n" "$key" <<'PY' >"$WORK/py.err" 2>&1 && ok || not_ok "$what: $(tail -c 400 "$WORK/py.err")"
import csv, sys
from decimal import Decimal
truth = list(csv.DictReader(open(sys.argv[1], newline="")))
got = list(csv.DictReader(open(sys.argv[2], newline="")))
n, key = int(sys.argv[3]), sys.argv[4]
first = [k for k in truth[0] if k not in ("period_start", "model", "project_id", "line_item", "currency")][0]
def val(r, k):
    if k == "total_tokens":
        return Decimal(r["input_tokens"]) + Decimal(r["output_tokens"])
    return Decimal(r[k] or 0)
groups = [k for k in ("model", "project_id", "line_item") if k in truth[0]]
truth.sort(key=lambda r: [g and r[g] for g in groups])
truth.sort(key=lambda r: -val(r, first))
truth.sort(key=lambda r: -val(r, key))
if "period_start" in truth[0]:
    truth.sort(key=lambda r: r["period_start"])
want, seen = [], {}
for r in truth:
    p = r.get("period_start", "")
    seen[p] = seen.get(p, 0) + 1
    if seen[p] <= n:
        want.append(r)
assert len(got) == len(want) > 0, (len(got), len(want))
for g, w in zip(got, want):
    for k in w:
        assert k not in g or (Decimal(g[k]) == Decimal(w[k]) if k != "period_start" and w[k][:1].isdigit() and k not in groups else g[k] == w[k]), (k, g, w)
PY
}
truth completions --start-time 1740787200 --end-time 1741392000 --group-by model
frozen "$NOW" completions --since 2025-03-01 --until 2025-03-08 --group-by model --sort output_tokens --top 3 --format csv
top_of "--sort output_tokens --top 3" 3 output_tokens
frozen "$NOW" completions --since 2025-03-01 --until 2025-03-08 --group-by model --sort total_tokens --top 2 --format csv
top_of "--sort total_tokens --top 2" 2 total_tokens
check "--top says how many rows it left out" grep -q -- '--top 2: [0-9]* more rows are not shown' "$WORK/err"
truth costs --start-time 1740787200 --end-time 1741392000 --group-by project_id --per day
frozen "$NOW" costs --since 2025-03-01 --until 2025-03-08 --group-by project_id --per day --top 1 --format csv
top_of "--per day --top 1: the largest project of each day" 1 amount
frozen "$NOW" completions --since 2025-03-01 --until 2025-03-08 --group-by model --top 2
check "table: total_tokens = input + output, TOTAL over every row" \
    python3 -c "
import sys, re
rows = [l.split() for l in open('$WORK/out') if re.match(r'^(gpt|TOTAL|o[0-9]|text)', l)]
for r in rows:
    nums = [int(x.replace(',', '')) for x in r[1:]]
    assert nums[0] == nums[1] + nums[3], r
"
frozen "$NOW" completions --sort modl --days 2
expect_failure "--sort of an unknown metric gets a guess" 2 "no metric 'modl'"
frozen "$NOW" completions --records --top 3 --days 2
expect_failure "--top with --records is refused" 2 'not --records'

# ---- filters by name -----------------------------------------------------------
export XDG_CACHE_HOME="$WORK/cache"
ou projects --format csv
proj=$(sed -n 2p "$WORK/out" | cut -d, -f1)
pname=$(python3 -c 'import csv,sys; print(list(csv.DictReader(open(sys.argv[1])))[0]["name"])' "$WORK/out")
ou users --format csv
uid=$(sed -n 2p "$WORK/out" | cut -d, -f1)
umail=$(sed -n 2p "$WORK/out" | cut -d, -f2)
ou api-keys --format csv
read -r kid kname <<<"$(python3 - "$WORK/out" <<'PY'
import csv, sys, collections
rows = list(csv.DictReader(open(sys.argv[1])))
count = collections.Counter(r["name"] for r in rows)
r = next(r for r in rows if count[r["name"]] == 1 and " " not in r["name"])
print(r["id"], r["name"])
PY
)"
truth completions --start-time 1740787200 --end-time 1741392000 --group-by model --project-ids "$proj"
frozen "$NOW" completions --since 2025-03-01 --until 2025-03-08 --group-by model --project "$pname" --format csv
same_as_truth "--project by name ($pname) is the project's id"
truth completions --start-time 1740787200 --end-time 1741392000 --group-by model --user-ids "$uid"
frozen "$NOW" completions --since 2025-03-01 --until 2025-03-08 --group-by model --user "$umail" --format csv
same_as_truth "--user by e-mail ($umail)"
truth completions --start-time 1740787200 --end-time 1741392000 --group-by model --api-key-ids "$kid"
frozen "$NOW" completions --since 2025-03-01 --until 2025-03-08 --group-by model --api-key "$kname" --format csv
same_as_truth "--api-key by name ($kname)"
frozen "$NOW" completions --since 2025-03-01 --until 2025-03-08 --api-key Staging
expect_failure "an ambiguous key name lists the ids" 2 "3 API keys are named \"Staging\": give one of their ids \(key_"
frozen "$NOW" costs --since 2025-03-01 --until 2025-03-08 --project "${pname%?}"
check "a near miss warns with the closest name (exit $RC)" \
    bash -c "[ $RC -eq 0 ] && grep -q \"no project has this id or name; did you mean \\\"$pname\\\"\" '$WORK/err'"
frozen "$NOW" overview --since 2025-03-01 --until 2025-03-08 --project "$pname" --format csv
check "overview --project by name: the costs of that project" \
    python3 - "$WORK/out" "$("$OAIUSAGE_MOCK" truth costs --start-time 1740787200 --end-time 1741392000 --project-ids "$proj" --now "$MOCK_NOW" | tail -n 1 | cut -d, -f1)" <<'PY'
import csv, sys
from decimal import Decimal
row = next(r for r in csv.DictReader(open(sys.argv[1])) if r["endpoint"] == "costs")
assert Decimal(row["amount"]) == Decimal(sys.argv[2]), (row, sys.argv[2])
PY

frozen "$NOW" overview --since 2025-03-01 --until 2025-03-08 --project "$pname"
check "the overview's title says the window and the filter" \
    bash -c "head -n 1 '$WORK/out' | grep -qx 'Every endpoint, 2025-03-01 to 2025-03-07 UTC; project $pname'"

# ---- names never hide which row is which --------------------------------------
ou api-keys --format csv
cp "$WORK/out" "$WORK/keys.csv"
for view in "" "--per week --chart"; do
    # shellcheck disable=SC2086
    frozen "$NOW" completions --since 2025-03-01 --until 2025-03-08 --group-by api_key_id --names --wide $view
    python3 - "$WORK/keys.csv" "$WORK/out" <<'PY' >"$WORK/py.err" 2>&1 && ok || not_ok "shared key names told apart ($view): $(tail -c 300 "$WORK/py.err")"
import csv, re, sys, collections
keys = list(csv.DictReader(open(sys.argv[1])))
count = collections.Counter(k["name"] for k in keys)
shared = {n for n, c in count.items() if c > 1}
text = open(sys.argv[2]).read()
shown = re.findall(r"^(\S[^\n]*?) \(key_\u2026(\w{6})\)", text, re.M)
assert shown, "no told-apart name in the table"
for name, tail in shown:
    assert name in shared, (name, shared)
    ids = [k["id"] for k in keys if k["name"] == name and k["id"].endswith(tail)]
    assert len(ids) == 1, (name, tail, ids)
# a name no other key has is shown bare
for line in text.splitlines():
    for n in count:
        if count[n] == 1 and line.startswith(n + "  "):
            break
PY
done

# ---- archived and deleted projects ------------------------------------------
# The server's projects list (read here with urllib) says which are
# archived; a project id the costs truth holds that the list lacks is
# deleted. Each row of the table is marked so, from the API, from the
# names cache and from a store.
export XDG_CACHE_HOME="$WORK/cache"
python3 "${E2E_DIR:-$(dirname "$0")}/orglists.py" "$BASE" project-status >"$WORK/status.tsv"
truth costs --start-time 1740787200 --end-time 1742428800 --group-by project_id
cp "$WORK/truth" "$WORK/projects.truth"
marks() { # marks WHAT: every project row marked as the list says
    local what=$1
    if [ "$RC" -ne 0 ]; then not_ok "$what: exit $RC $(head -c 200 "$WORK/err")"; return; fi
    python3 - "$WORK/status.tsv" "$WORK/projects.truth" "$WORK/out" <<'PY' >"$WORK/py.err" 2>&1 && ok || not_ok "$what: $(tail -c 400 "$WORK/py.err")"
import csv, sys
status = {l.split("\t")[0]: l.rstrip("\n").split("\t")[1:] for l in open(sys.argv[1])}
ids = [r["project_id"] for r in csv.DictReader(open(sys.argv[2]))]
table = open(sys.argv[3]).read().splitlines()
seen = {"archived": 0, "deleted": 0, "active": 0}
for pid in ids:
    if pid in status:
        name, st = status[pid]
        want = name + (" (archived)" if st == "archived" else "")
    else:
        want, st = pid + " (deleted)", "deleted"
    rows = [l for l in table if l.startswith(want + "  ")]
    assert len(rows) == 1, f"no row starts with {want!r}"
    seen[st] += 1
assert seen["archived"] >= 1 and seen["deleted"] >= 1 and seen["active"] >= 1, seen
PY
}
frozen "$NOW" costs --since 2025-03-01 --until 2025-03-19 --group-by project_id --names
marks "archived and deleted projects marked (from the API)"
listed=$(grep -c '/organization/projects' "$WORK/requests.log")
frozen "$NOW" costs --since 2025-03-01 --until 2025-03-19 --group-by project_id --names
check "the second run read the cache, not the list ($listed before)" \
    [ "$(grep -c '/organization/projects' "$WORK/requests.log")" -eq "$listed" -a "$listed" -gt 0 ]
marks "archived and deleted projects marked (from the names cache)"
frozen "$NOW" costs --since 2025-03-01 --until 2025-03-19 --group-by project_id --names --format csv
check "CSV keeps the plain name, unmarked" bash -c "! grep -q '(archived)\|(deleted)' '$WORK/out' && grep -q ',Marketing Copy Studio,\|,\"R&D' '$WORK/out'"
frozen "$NOW" sync --db "$WORK/marks.db" --since 2025-03-01 --endpoint costs
check "sync for the marks (exit $RC: $(head -c 200 "$WORK/err"))" [ "$RC" -eq 0 ]
frozen "$NOW" costs --db "$WORK/marks.db" --since 2025-03-01 --until 2025-03-19 --group-by project_id --names
marks "archived and deleted projects marked (from the store)"

# ---- smaller things --------------------------------------------------------
"$OAIUSAGE_BIN" >"$WORK/out" 2>"$WORK/err"
check "no arguments: the commands on stdout, exit 0 ($?)" \
    bash -c "grep -q '^Usage: oaiusage COMMAND' '$WORK/out' && grep -q '  budget ' '$WORK/out' && [ ! -s '$WORK/err' ]"
ou cost --days 2
expect_failure "a mistyped command gets a guess" 2 "unknown command 'cost'; did you mean 'costs'\?"
ou completions --grup-by model --days 2
expect_failure "a mistyped option gets a guess" 2 "did you mean '--group-by'\?"
frozen "$NOW" costs --since 2025-03-01 --until 2025-03-03 -o /dev/null
check "-o /dev/null is written, exit 0 (got $RC: $(head -c 200 "$WORK/err"))" [ "$RC" -eq 0 ]
mkfifo "$WORK/fifo"
(cat "$WORK/fifo" >"$WORK/fifo.out") &
reader=$!
frozen "$NOW" costs --since 2025-03-01 --until 2025-03-03 --format csv -o "$WORK/fifo"
wait "$reader"
truth costs --start-time 1740787200 --end-time 1740960000
cp "$WORK/fifo.out" "$WORK/out"
same_as_truth "-o FIFO: the whole report through the pipe"
"${OU[@]}" --base-url "${BASE%/v1}" costs --since 2025-03-01 --until 2025-03-03 --retries 0 >"$WORK/out" 2>"$WORK/err"
RC=$?
expect_failure "a base URL without /v1: the 404 says so" 1 'has no /v1 at its end'

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
