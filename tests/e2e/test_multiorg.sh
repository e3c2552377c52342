#!/usr/bin/env bash
# Several organizations in one report (--profile a,b, --all-profiles): two
# servers with different data and different keys. Each organization's rows
# and subtotal equal its server's truth (and its own single-profile
# report); the grand total is their exact sum; the org column comes first;
# names resolve per organization; one organization failing fails the run
# with nothing written; neither key ever shows; profiles disagreeing on
# a setting that shapes the report are refused; sync fills each
# organization's own store.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
. "${E2E_DIR:-$(dirname "$0")}/clock_lib.sh"
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/xdg"
mkdir -p "$HOME" "$XDG_CONFIG_HOME/oaiusage"
CONF="$XDG_CONFIG_HOME/oaiusage/config"
W="--since 2025-03-01 --until 2025-03-08"
T="--start-time 1740787200 --end-time 1741392000"
KA="sk-admin-alphaSECRETalphaSECRETalpha0001"
KB="sk-admin-betaSECRETbetaSECRETbetaSECR0002"
unset OPENAI_ADMIN_KEY

# Two organizations: the small org (seed 1, key A), the large one (seed 7,
# key B); a third server fails every request (organization b's data).
start_mock --seed 1 --key "$KA"
A_BASE=$BASE A_PID=$MOCK_PID
MOCK_PID=""
start_mock --seed 7 --org large --key "$KB" --fault 1+:500
F_BASE=$BASE F_PID=$MOCK_PID
MOCK_PID=""
start_mock --seed 7 --org large --key "$KB"
B_BASE=$BASE
trap 'kill $A_PID $F_PID 2>/dev/null; cleanup' EXIT

printf '%s' "$KA" >"$HOME/key-a"
printf '%s' "$KB" >"$HOME/key-b"
printf '%s' "sk-admin-wrongWRONGwrongWRONGwrong0003" >"$HOME/key-wrong"
chmod 600 "$HOME"/key-*
cat >"$CONF" <<EOF
[profile a]
base-url = $A_BASE
admin-key-file = ~/key-a
org = alpha
db = ~/alpha.db

[profile b]
base-url = $B_BASE
admin-key-file = ~/key-b
org = beta
db = ~/beta.db

[profile failing]
base-url = $F_BASE
admin-key-file = ~/key-b
org = failing

[profile wrongkey]
base-url = $B_BASE
admin-key-file = ~/key-wrong

[profile bymodel]
base-url = $B_BASE
admin-key-file = ~/key-b
group-by = model

[profile shared1]
base-url = $A_BASE
admin-key-file = ~/key-a
org = one
db = ~/shared.db

[profile shared2]
base-url = $B_BASE
admin-key-file = ~/key-b
org = two
db = ~/shared.db

[profile samelabel]
base-url = $B_BASE
admin-key-file = ~/key-b
org = one
db = ~/shared.db
EOF
chmod 600 "$CONF"

# run ARGS...: oaiusage with the config (no --base-url); neither key may
# show in anything it prints.
run() {
    "${OU[@]}" "$@" >"$WORK/out" 2>"$WORK/err"
    RC=$?
    if [ "$RC" -eq 99 ] && [ -n "${OAIUSAGE_VALGRIND:-}" ]; then
        not_ok "valgrind found errors in: oaiusage $*"
        cat "$WORK"/valgrind.*.log >&2
    fi
    if grep -q -e "$KA" -e "$KB" "$WORK/out" "$WORK/err"; then
        not_ok "an admin key appeared in the output of: oaiusage $*"
    fi
}
truth_of() { # truth_of SEED ORG ENDPOINT ARGS...: truth CSV in $WORK/truth
    local seed=$1 org=$2
    shift 2
    "$OAIUSAGE_MOCK" truth "$@" $T --now "$MOCK_NOW" --seed "$seed" \
        --org "$org" >"$WORK/truth"
}
# org_rows NAME: the merged CSV's rows of organization NAME, without the
# org column, under the header (without it either), into $WORK/out
org_rows() {
    local src=$WORK/merged.csv
    { head -n 1 "$src" | cut -d, -f2-
      tail -n +2 "$src" | grep "^$1," | cut -d, -f2-; } >"$WORK/out"
}

# ---- a usage report: rows, subtotals, the grand total ----
run costs $W --profile a,b --group-by project_id --format csv
check "costs over two profiles (exit $RC: $(head -c 300 "$WORK/err"))" [ "$RC" -eq 0 ]
cp "$WORK/out" "$WORK/merged.csv"
check "the CSV's first column is org" \
    [ "$(head -n 1 "$WORK/merged.csv" | cut -d, -f1)" = "org" ]
check "the stderr of a good run is empty" [ ! -s "$WORK/err" ]
org_rows alpha
truth_of 1 small costs --group-by project_id
same_as_truth "organization alpha's rows are seed 1's truth"
org_rows beta
truth_of 7 large costs --group-by project_id
same_as_truth "organization beta's rows are seed 7's truth"
# ... and each organization's own report
run costs $W --profile b --group-by project_id --format csv
org_rows beta
mv "$WORK/out" "$WORK/merged-beta.csv"
run costs $W --profile b --group-by project_id --format csv
check "organization beta's rows equal its own report, in its order" \
    cmp -s "$WORK/out" "$WORK/merged-beta.csv"

run costs $W --all-profiles --profile a,b 2>/dev/null
check "--all-profiles with --profile is a usage error" [ "$RC" -eq 2 ]

# Subtotals and the grand total: the table, exact.
truth_of 1 small costs
cp "$WORK/truth" "$WORK/truth-a.csv"
truth_of 7 large costs
cp "$WORK/truth" "$WORK/truth-b.csv"
run costs $W --profile a,b --exact
check "costs table (exit $RC)" [ "$RC" -eq 0 ]
python3 - "$WORK/out" "$WORK/truth-a.csv" "$WORK/truth-b.csv" <<'PY' && ok || not_ok "costs subtotals and grand total are not the truth's exact sums"
import csv, sys
from decimal import Decimal
def total(path):
    return sum((Decimal(r["amount"]) for r in csv.DictReader(open(path))), Decimal(0))
a, b = total(sys.argv[2]), total(sys.argv[3])
lines = [l.split() for l in open(sys.argv[1])]
rows = {tuple(l[:-2]): (Decimal(l[-2].replace(",", "")), l[-1]) for l in lines
        if "TOTAL" in l}
want = {("alpha", "TOTAL"): (a, "usd"), ("beta", "TOTAL"): (b, "usd"),
        ("TOTAL",): (a + b, "usd")}
if rows != want:
    print("got", rows, "want", want); sys.exit(1)
PY

# Tokens: integers, per organization and in all.
run completions $W --profile a,b --group-by model --format csv
cp "$WORK/out" "$WORK/merged.csv"
org_rows alpha
truth_of 1 small completions --group-by model
cp "$WORK/truth" "$WORK/truth-a.csv"
same_as_truth "completions of alpha are seed 1's truth"
org_rows beta
truth_of 7 large completions --group-by model
cp "$WORK/truth" "$WORK/truth-b.csv"
same_as_truth "completions of beta are seed 7's truth"
run completions $W --profile a,b --group-by model --wide
python3 - "$WORK/out" "$WORK/truth-a.csv" "$WORK/truth-b.csv" <<'PY' && ok || not_ok "token subtotals and grand total are not the truth's sums"
import csv, sys
def total(path, col):
    return sum(int(r[col]) for r in csv.DictReader(open(path)))
lines = [l.split() for l in open(sys.argv[1])]
header = next(l for l in lines if l and l[0] == "org")
tot = {tuple(l[:2]) if l[0] != "TOTAL" else ("TOTAL",): l for l in lines if "TOTAL" in l}
for col in ("input_tokens", "output_tokens", "num_model_requests"):
    i = header.index(col) - len(header)  # from the right: labels vary
    a, b = total(sys.argv[2], col), total(sys.argv[3], col)
    got = [int(tot[k][i].replace(",", "")) for k in (("alpha", "TOTAL"), ("beta", "TOTAL"), ("TOTAL",))]
    if got != [a, b, a + b]:
        print(col, got, [a, b, a + b]); sys.exit(1)
PY
check "the table's header starts with org" grep -q '^org  ' "$WORK/out"

# JSON: org first in every row, the organizations in the envelope.
run costs $W --profile a,b --group-by line_item --format json
python3 - "$WORK/out" <<'PY' && ok || not_ok "JSON rows start with org; the envelope lists the organizations"
import json, sys
doc = json.load(open(sys.argv[1]), object_pairs_hook=lambda p: p)
env = dict(doc)
rows = env["data"]
assert dict(env)["organizations"] == ["alpha", "beta"], env["organizations"]
assert rows and all(r[0][0] == "org" for r in rows)
assert {dict(r)["org"] for r in rows} == {"alpha", "beta"}
PY
cp "$WORK/out" "$WORK/json-ab"

# ---- --all-profiles equals --profile a,b ----
cat >"$WORK/only-ab" <<EOF
[profile a]
base-url = $A_BASE
admin-key-file = ~/key-a
org = alpha
[profile b]
base-url = $B_BASE
admin-key-file = ~/key-b
org = beta
EOF
cp "$CONF" "$WORK/conf-all"
cp "$WORK/only-ab" "$CONF"
run costs $W --all-profiles --group-by line_item --format json
check "--all-profiles gives what --profile a,b gives" cmp -s "$WORK/out" "$WORK/json-ab"
cp "$WORK/conf-all" "$CONF"

# ---- names: each organization's own lists, with its own key ----
run completions $W --profile a,b --group-by project_id --names --format csv
check "--names over two profiles (exit $RC: $(head -c 300 "$WORK/err"))" [ "$RC" -eq 0 ]
cp "$WORK/out" "$WORK/named.csv"
OPENAI_ADMIN_KEY=$KA python3 "$E2E_DIR/orglists.py" "$A_BASE" projects >"$WORK/projects-a.tsv"
OPENAI_ADMIN_KEY=$KB python3 "$E2E_DIR/orglists.py" "$B_BASE" projects >"$WORK/projects-b.tsv"
python3 - "$WORK/named.csv" "$WORK/projects-a.tsv" "$WORK/projects-b.tsv" <<'PY' && ok || not_ok "--names are not each organization's own"
import csv, sys
load = lambda p: dict(l.rstrip("\n").split("\t", 1) for l in open(p))
lists = {"alpha": load(sys.argv[2]), "beta": load(sys.argv[3])}
assert not set(lists["alpha"]) & set(lists["beta"])
n = 0
for r in csv.DictReader(open(sys.argv[1], newline="")):
    want = lists[r["org"]].get(r["project_id"], "")
    if r["project_name"] != want:
        print(r); sys.exit(1)
    n += bool(want)
sys.exit(0 if n > 2 else 1)
PY

# ---- one organization failing fails the run ----
run costs $W --profile a,failing --retries 0 -o "$WORK/report.csv" --format csv
expect_failure "a server failing fails the run" 1 "^oaiusage: error: organization failing: .*HTTP 500"
check "no -o file after a failure" [ ! -e "$WORK/report.csv" ]
check "no temporary file after a failure" bash -c "! ls '$WORK'/report.csv.tmp.* 2>/dev/null"
run completions $W --profile wrongkey,a --group-by model
expect_failure "a refused key fails the run (exit 3)" 3 "^oaiusage: error: organization wrongkey: .*401"
run overview $W --profile a,wrongkey --format json
expect_failure "overview: a refused key fails the run" 3 "organization wrongkey"

# ---- settings that shape the report must agree ----
run costs $W --profile a,bymodel
expect_failure "profiles disagreeing on group-by" 2 "profiles a and bymodel disagree on --group-by"
run costs $W --profile a,bymodel --group-by project_id --format csv
check "the command line settles it (exit $RC)" [ "$RC" -eq 0 ]
run costs $W --profile a,b --format svg
expect_failure "svg cannot hold an org column" 2 "svg"
run projects --profile a,b
expect_failure "a list reads one organization" 2 "several profiles"

# ---- overview ----
run overview $W --profile a,b --format csv
check "overview over two profiles (exit $RC)" [ "$RC" -eq 0 ]
truth_of 1 small completions
cp "$WORK/truth" "$WORK/truth-a.csv"
truth_of 7 large completions
python3 - "$WORK/out" "$WORK/truth-a.csv" "$WORK/truth" <<'PY' && ok || not_ok "overview completions per organization are not the truth"
import csv, sys
rows = {(r["org"], r["endpoint"]): r for r in csv.DictReader(open(sys.argv[1]))}
for org, t in (("alpha", sys.argv[2]), ("beta", sys.argv[3])):
    want = sum(int(r["num_model_requests"]) for r in csv.DictReader(open(t)))
    assert int(rows[(org, "completions")]["requests"]) == want, (org, want)
PY

# An overview workbook over two profiles: the overview sheet, then a sheet
# per endpoint as for one organization, each with an org column and every
# organization's days; read back by openpyxl, against each server's truth.
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
run overview $W --profile a,b --format xlsx -o "$WORK/ov2.xlsx"
check "overview xlsx over two profiles (exit $RC: $(head -c 300 "$WORK/err"))" [ "$RC" -eq 0 ]
for ep in completions costs; do
    truth_of 1 small "$ep" --per day
    cp "$WORK/truth" "$WORK/day-a-$ep.csv"
    truth_of 7 large "$ep" --per day
    cp "$WORK/truth" "$WORK/day-b-$ep.csv"
done
"$PY" - "$WORK/ov2.xlsx" "$WORK" <<'PY' >"$WORK/py.err" 2>&1 && ok || not_ok "overview workbook over two profiles: $(tail -c 600 "$WORK/py.err")"
import csv, sys
from datetime import datetime
from decimal import Decimal
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
eps = ["completions", "decisions", "embeddings", "moderations", "images",
       "audio-speeches", "audio-transcriptions", "vector-stores",
       "code-interpreter-sessions", "file-search-calls", "web-search-calls", "costs"]
assert wb.sheetnames == ["overview"] + eps, wb.sheetnames
for ep in eps:
    head = [c.value for c in wb[ep][1]]
    assert head[:2] == ["org", "period_start"], (ep, head)
    orgs = [r[0] for r in wb[ep].iter_rows(min_row=2, values_only=True)]
    assert orgs == ["alpha"] * 7 + ["beta"] * 7, (ep, orgs)
for ep, metric in (("completions", "input_tokens"), ("costs", "amount")):
    ws = wb[ep]
    head = [c.value for c in ws[1]]
    got = [dict(zip(head, r)) for r in ws.iter_rows(min_row=2, values_only=True)]
    for org, tag in (("alpha", "a"), ("beta", "b")):
        truth = list(csv.DictReader(open(f"{sys.argv[2]}/day-{tag}-{ep}.csv")))
        mine = [r for r in got if r["org"] == org]
        assert len(mine) == len(truth) == 7, (ep, org, len(mine), len(truth))
        for r, t in zip(mine, truth):
            assert r["period_start"] == datetime.strptime(t["period_start"], "%Y-%m-%dT%H:%M:%SZ"), (r, t)
            if metric == "amount":
                assert r[metric] == float(Decimal(t[metric])), (ep, org, r[metric], t[metric])
            else:
                assert r[metric] == int(t[metric]), (ep, org, r[metric], t[metric])
PY

# ---- sync: each organization into its own store ----
S="--since 2025-03-20 --endpoint costs,completions"
( at_time "$MOCK_NOW" "${OU[@]}" sync --profile a,b $S ) >"$WORK/out" 2>"$WORK/err"
RC=$?
check "sync over two profiles (exit $RC: $(head -c 300 "$WORK/err"))" [ "$RC" -eq 0 ]
check "sync's notes name the organization" grep -q "^oaiusage: beta: sync: costs" "$WORK/err"
check "no key in sync's messages" bash -c "! grep -q -e '$KA' -e '$KB' '$WORK/err'"
ST="--start-time 1742428800 --end-time 1743206400" # 2025-03-20 .. 03-29
store_total() { # store_total DB ORG: the costs amount in ST, exactly
    sqlite3 -separator , "$1" "SELECT org, amount FROM costs WHERE width = '1d'
        AND start_time >= 1742428800 AND end_time <= 1743206400" |
        python3 -c "
import sys
from decimal import Decimal
orgs, s = set(), Decimal(0)
for l in sys.stdin:
    o, a = l.rstrip('\n').split(',', 1)
    orgs.add(o); s += Decimal(a) if a else 0
print(','.join(sorted(orgs)) + ',' + str(s.normalize()))"
}
truth_total() { # truth_total SEED ORG
    "$OAIUSAGE_MOCK" truth costs $ST --now "$MOCK_NOW" --seed "$1" --org "$2" |
        python3 -c "
import csv, sys
from decimal import Decimal
print(sum((Decimal(r['amount']) for r in csv.DictReader(sys.stdin)), Decimal(0)).normalize())"
}
check "alpha.db holds alpha's costs, labelled alpha" \
    [ "$(store_total "$HOME/alpha.db")" = "alpha,$(truth_total 1 small)" ]
check "beta.db holds beta's costs, labelled beta" \
    [ "$(store_total "$HOME/beta.db")" = "beta,$(truth_total 7 large)" ]

# Two profiles sharing one store: one after the other, each its label.
( at_time "$MOCK_NOW" "${OU[@]}" sync --profile shared1,shared2 --since 2025-03-27 --endpoint costs ) >"$WORK/out" 2>"$WORK/err"
RC=$?
check "sync of two profiles sharing a store (exit $RC: $(head -c 300 "$WORK/err"))" [ "$RC" -eq 0 ]
check "the shared store holds both labels" \
    [ "$(sqlite3 "$HOME/shared.db" 'SELECT group_concat(org) FROM (SELECT DISTINCT org FROM costs ORDER BY org)')" = "one,two" ]
( at_time "$MOCK_NOW" "${OU[@]}" sync --profile shared1,samelabel --endpoint costs ) >"$WORK/out" 2>"$WORK/err"
RC=$?
expect_failure "one label twice in one store is refused" 2 "both sync into .*shared.db as organization 'one'"

finish
