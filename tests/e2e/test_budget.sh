#!/usr/bin/env bash
# oaiusage budget against the bundled server: every line's numbers equal
# an independent computation (Python's decimal and datetime over the
# server's truth CSV of the costs per project and day), for budgets from
# --amount, a --budgets file and the API's spend limits, under, warning
# and over, per month, week and day; days still provisional marked; the
# store (--db) equal to live; OpenMetrics through the Prometheus client's
# parser; and failures that exit as failures, never as "under budget".
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
"$PY" -c 'import prometheus_client.openmetrics.parser' 2>/dev/null ||
    { echo "python3-prometheus-client is required (scripts/deps.sh --test)" >&2; exit 1; }

# Thursday 2025-03-20 12:00 UTC: the month straddles settled and
# provisional days, the week started on Monday the 17th, and the run-rate
# days (the 13th to the 19th) reach into the week before.
MOCK_NOW=1742472000
NOW=$MOCK_NOW
MONTH_START=1740787200 # 2025-03-01
FETCH_START=$((NOW - 12 * 3600 - 7 * 86400)) # 2025-03-13, for week and day

# The client's clock is frozen at NOW, so a report's as_of is NOW exactly
# and a report from the store can be compared byte for byte with the live
# one.
. "${E2E_DIR:-$(dirname "$0")}/clock_lib.sh"
bud() { frozen "$NOW" budget "$@"; }

# The truth: costs per project and day from the earliest day any check
# reads, and the project list (ids and names).
truth costs --start-time "$((MONTH_START < FETCH_START ? MONTH_START : FETCH_START))" \
    --end-time "$NOW" --group-by project_id --per day
cp "$WORK/truth" "$WORK/costs.csv"
start_mock
ou projects --format csv
cp "$WORK/out" "$WORK/projects.csv"
PROJ1=$(sed -n 2p "$WORK/projects.csv" | cut -d, -f1)
PROJ2=$(sed -n 3p "$WORK/projects.csv" | cut -d, -f1)
PROJ2_NAME=$("$PY" -c 'import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(r[1]["name"])' "$WORK/projects.csv")
check "the truth has costs and the org has projects" \
    bash -c "[ \$(wc -l <'$WORK/costs.csv') -gt 20 ] && [ -n '$PROJ1' ] && [ -n '$PROJ2' ]"

# expect.py: the lines a correct client prints, from the truth alone.
cat >"$WORK/expect.py" <<'PY'
import csv, json, sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal, ROUND_HALF_UP

def day_start(t):
    return t.replace(hour=0, minute=0, second=0, microsecond=0)

def period(kind, now):
    d = day_start(now)
    if kind == "day":
        return d, d + timedelta(days=1)
    if kind == "week":
        s = d - timedelta(days=d.weekday())
        return s, s + timedelta(days=7)
    s = d.replace(day=1)
    e = (s + timedelta(days=32)).replace(day=1)
    return s, e

def parse_t(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)

def lines(costs_csv, now, kind, budgets, warn_at=80, warn_proj=False,
          settle=3 * 86400):
    """budgets: [(project_id or None, Decimal amount)] -> expected dicts."""
    rows = list(csv.DictReader(open(costs_csv, newline="")))
    start, end = period(kind, now)
    today = day_start(now)
    rate_start = today - timedelta(days=7)
    settled_end = now - timedelta(seconds=settle)
    left = int((end - now).total_seconds())
    out = []
    for proj, budget in budgets:
        spent = prov = rate = Decimal(0)
        per_day = {}
        for r in rows:
            if r["currency"] != "usd" or not r["amount"]:
                continue
            if proj is not None and r["project_id"] != proj:
                continue
            d = parse_t(r["period_start"])
            a = Decimal(r["amount"])
            if rate_start <= d < today:
                rate += a
            if start <= d < end and d < now:
                spent += a
                per_day[d] = per_day.get(d, Decimal(0)) + a
                if d + timedelta(days=1) > settled_end:
                    prov += a
        q2 = Decimal("0.01")
        percent = (spent * 100 / budget).quantize(q2, ROUND_HALF_UP)
        projected = (spent + rate * left / Decimal(7 * 86400)).quantize(q2, ROUND_HALF_UP)
        remaining = budget - spent
        runs_out = None
        if spent >= budget:
            cum = Decimal(0)
            for d in sorted(per_day):
                cum += per_day[d]
                if cum >= budget:
                    runs_out = d
                    break
        elif rate > 0:
            s = (remaining * 7 * 86400 / rate).quantize(Decimal(1), ROUND_HALF_UP)
            if s < left:
                runs_out = day_start(now + timedelta(seconds=int(s)))
        over = spent >= budget
        warn = spent * 100 >= warn_at * budget or (
            warn_proj and spent + rate * left / Decimal(7 * 86400) >= budget)
        out.append({
            "project_id": proj or "", "budget": budget, "spent": spent,
            "provisional": prov, "percent": percent, "remaining": remaining,
            "projected": projected,
            "daily_rate": (rate / 7).quantize(q2, ROUND_HALF_UP),
            "runs_out": runs_out.strftime("%Y-%m-%dT%H:%M:%SZ") if runs_out else "",
            "state": "over" if over else "warn" if warn else "ok",
        })
    return out

if __name__ == "__main__":
    # expect.py COSTS NOW KIND OUT_CSV [warn_at [warn_proj [settle]]] -- proj=amount...
    costs, now, kind, got_csv = sys.argv[1:5]
    args = sys.argv[5:]
    sep = args.index("--")
    opts, specs = args[:sep], args[sep + 1:]
    warn_at = int(opts[0]) if opts else 80
    warn_proj = len(opts) > 1 and opts[1] == "1"
    settle = int(opts[2]) if len(opts) > 2 else 3 * 86400
    budgets = []
    for s in specs:
        p, a = s.rsplit("=", 1)
        budgets.append((None if p == "org" else p, Decimal(a)))
    now_t = datetime.fromtimestamp(int(now), timezone.utc)
    want = lines(costs, now_t, kind, budgets, warn_at, warn_proj, settle)
    got = list(csv.DictReader(open(got_csv, newline="")))
    assert len(got) == len(want), ("lines", len(got), len(want))
    by = {g["project_id"]: g for g in got}
    assert len(by) == len(got), "duplicate lines"
    for w in want:
        g = by[w["project_id"]]
        for k, v in w.items():
            if isinstance(v, Decimal):
                assert Decimal(g[k]) == v, (w["project_id"] or "org", k, g[k], str(v))
            else:
                assert g[k] == v, (w["project_id"] or "org", k, g[k], v)
    print(json.dumps([w["state"] for w in want]))
PY

# expect_csv WHAT KIND [WARN_AT [WARN_PROJ [SETTLE]]] -- PROJECT=AMOUNT...: the CSV
# in $WORK/out is what expect.py computes for these budgets ("org" for
# the organization's).
expect_csv() {
    local what=$1 kind=$2
    shift 2
    cp "$WORK/out" "$WORK/got.csv"
    if "$PY" "$WORK/expect.py" "$WORK/costs.csv" "$NOW" "$kind" "$WORK/got.csv" "$@" \
        >"$WORK/py.out" 2>&1; then ok; else not_ok "$what: $(tail -c 400 "$WORK/py.out")"; fi
}

# spent KIND PROJ: the truth's spend of the period so far (for choosing
# budgets that land under, in the warning band, or over).
spent() {
    "$PY" - "$WORK" "$NOW" "$1" "$2" <<'PY'
import sys
from datetime import datetime, timezone
from decimal import Decimal
sys.path.insert(0, sys.argv[1])
from expect import lines
now = datetime.fromtimestamp(int(sys.argv[2]), timezone.utc)
proj = None if sys.argv[4] == "org" else sys.argv[4]
print(lines(sys.argv[1] + "/costs.csv", now, sys.argv[3], [(proj, Decimal(1))])[0]["spent"])
PY
}
scaled() { # scaled AMOUNT FACTOR: AMOUNT * FACTOR to cents
    "$PY" -c 'import sys; from decimal import Decimal as D; print((D(sys.argv[1]) * D(sys.argv[2])).quantize(D("0.01")))' "$1" "$2"
}
ORG_SPENT=$(spent month org)
check "the month so far has spend ($ORG_SPENT)" "$PY" -c "import sys; assert float('$ORG_SPENT') > 0"

# ---- --amount: under, warning, over ------------------------------------
UNDER=$(scaled "$ORG_SPENT" 3)
bud --amount "$UNDER" --format csv
check "under budget exits 0 ($(head -c 200 "$WORK/err"))" [ "$RC" -eq 0 ]
expect_csv "--amount under: every number equals the truth" month -- "org=$UNDER"
WARN=$(scaled "$ORG_SPENT" 1.1) # about 91% used
bud --amount "$WARN" --format csv
check "past --warn-at exits 10 (got $RC)" [ "$RC" -eq 10 ]
check "the warning is said on stderr" grep -q 'past the warning threshold' "$WORK/err"
expect_csv "--amount warn: every number equals the truth" month -- "org=$WARN"
bud --amount "$WARN" --warn-at 95 --format csv
check "--warn-at 95 does not warn at 91% (got $RC)" [ "$RC" -eq 0 ]
expect_csv "--warn-at 95: state ok" month 95 -- "org=$WARN"
OVER=$(scaled "$ORG_SPENT" 0.6)
bud --amount "$OVER" --format csv
check "over budget exits 11 (got $RC)" [ "$RC" -eq 11 ]
check "over budget: stdout holds the whole report" [ "$(wc -l <"$WORK/out")" -eq 2 ]
expect_csv "--amount over: every number, the day it ran out included" month -- "org=$OVER"
# Under 80% used, but the projection passes the budget: a warning only
# with --warn-on-projection.
PROJ_BUDGET=$(scaled "$ORG_SPENT" 1.3)
bud --amount "$PROJ_BUDGET" --format csv
check "projected over, 77% used: exit 0 without --warn-on-projection (got $RC)" [ "$RC" -eq 0 ]
expect_csv "projection: the numbers" month -- "org=$PROJ_BUDGET"
check "and the projection does pass the budget" \
    "$PY" -c "import csv; r=next(csv.DictReader(open('$WORK/got.csv'))); from decimal import Decimal as D; assert D(r['projected']) > D(r['budget']), r"
bud --amount "$PROJ_BUDGET" --warn-on-projection --format csv
check "--warn-on-projection exits 10 (got $RC)" [ "$RC" -eq 10 ]
check "... saying why" grep -q 'projected to reach the budget' "$WORK/err"
expect_csv "--warn-on-projection: state warn" month 80 1 -- "org=$PROJ_BUDGET"

# ---- periods -------------------------------------------------------------
WEEK_SPENT=$(spent week org)
bud --period week --amount "$(scaled "$WEEK_SPENT" 2)" --format csv
check "--period week exits 0 (got $RC)" [ "$RC" -eq 0 ]
expect_csv "--period week (from Monday the 17th)" week -- "org=$(scaled "$WEEK_SPENT" 2)"
DAY_SPENT=$(spent day org)
bud --period day --amount "$(scaled "$DAY_SPENT" 0.5)" --format csv
check "--period day over exits 11 (got $RC)" [ "$RC" -eq 11 ]
expect_csv "--period day (today so far)" day -- "org=$(scaled "$DAY_SPENT" 0.5)"

# ---- provisional days -----------------------------------------------------
bud --amount "$UNDER"
check "table: spent marked * (provisional days in the period)" grep -Eq '[0-9]\*' "$WORK/out"
check "stderr says from which day spend is provisional" grep -q 'includes spend from 2025-03-17 on' "$WORK/err"
bud --amount "$UNDER" --settle 1d --format csv
expect_csv "--settle 1d: provisional from yesterday on" month 80 0 86400 -- "org=$UNDER"
"$PY" - "$WORK/got.csv" <<'PY' && ok || not_ok "--settle 1d: provisional is only today and yesterday"
import csv, sys
from decimal import Decimal
r = next(csv.DictReader(open(sys.argv[1])))
assert Decimal(r["provisional"]) < Decimal(r["spent"]), r
PY

# ---- --budgets FILE -------------------------------------------------------
P1_SPENT=$(spent month "$PROJ1")
P2_SPENT=$(spent month "$PROJ2")
P1_BUDGET=$(scaled "$P1_SPENT" 0.5)
P2_BUDGET=$(scaled "$P2_SPENT" 4)
# A name with a comma and quotes, quoted as RFC 4180 says.
Q_NAME=$(printf '%s' "$PROJ2_NAME" | sed 's/"/""/g')
cat >"$WORK/budgets.csv" <<EOF
project,amount
# the id of one, the name of the other
$PROJ1,$P1_BUDGET
"$Q_NAME",$P2_BUDGET
EOF
bud --budgets "$WORK/budgets.csv" --format csv
check "project over budget exits 11 (got $RC)" [ "$RC" -eq 11 ]
expect_csv "--budgets: per project, by id and by name" month -- "$PROJ1=$P1_BUDGET" "$PROJ2=$P2_BUDGET"
check "the file's lines name their projects" grep -q "$PROJ2" "$WORK/got.csv"
bud --budgets "$WORK/budgets.csv" --amount "$UNDER" --format csv
expect_csv "--budgets and --amount together" month -- "org=$UNDER" "$PROJ1=$P1_BUDGET" "$PROJ2=$P2_BUDGET"
printf '%s\n' "$PROJ1,10" "No Such Project,5" "proj_nope,7" >"$WORK/bad.csv"
bud --budgets "$WORK/bad.csv"
expect_failure "unknown projects are an error naming them" 2 'no such project.*"No Such Project", "proj_nope"'
printf '%s\n' "$PROJ1,ten" >"$WORK/bad2.csv"
bud --budgets "$WORK/bad2.csv"
expect_failure "a bad amount names the file and line" 2 'bad2.csv line 1: the amount "ten"'
bud --budgets "$WORK/missing.csv"
expect_failure "a missing file is an I/O error" 5 'missing.csv'
: >"$WORK/requests.log"
bud --budgets "$WORK/bad2.csv"
check "a bad file is refused before any request" bash -c "! grep -q costs '$WORK/requests.log'"

# ---- the API's spend limits ---------------------------------------------
org_cents=$("$PY" -c "from decimal import Decimal as D; print(int(D('$ORG_SPENT') * 2 * 100))")
p1_cents=$("$PY" -c "from decimal import Decimal as D; print(int(D('$P1_SPENT') * 100 / D('0.85')))")
ORG_LIMIT=$("$PY" -c "from decimal import Decimal as D; print(D($org_cents) / 100)")
P1_LIMIT=$("$PY" -c "from decimal import Decimal as D; print(D($p1_cents) / 100)")
for shape in zero 404; do
    for amounts in integer float; do
        start_mock --spend-limit "$org_cents" --project-spend-limit "$PROJ1=$p1_cents" \
            --no-spend-limit "$shape" --spend-limit-amounts "$amounts"
        bud --format csv
        check "API limits ($shape, $amounts): project at 85% exits 10 (got $RC; $(head -c 200 "$WORK/err"))" [ "$RC" -eq 10 ]
        expect_csv "API limits ($shape, $amounts): the organization's and the project's" month -- \
            "org=$ORG_LIMIT" "$PROJ1=$P1_LIMIT"
        check "API limits ($shape): source api, enforcement shown" \
            bash -c "grep -c ',api,enforcing,usd,' '$WORK/got.csv' | grep -qx 2"
    done
done
check "every active project's limit was read" \
    bash -c "[ \$(grep -c '/spend_limit' '$WORK/requests.log') -ge 3 ]"
start_mock --no-spend-limit 404
bud
expect_failure "no limits anywhere: a usage error" 2 'no monthly spend limit; give --amount or --budgets'
start_mock --spend-limit "$org_cents"
bud --period week
expect_failure "the API's limits are monthly" 2 'monthly: --period week needs --amount or --budgets'

# ---- a server that revises recent days ------------------------------------
# With --revise-lag the server's recent costs are provisional (70-95% of
# what they settle to): the budget shows what the API says now, and the
# truth at the same now says the same.
truth costs --start-time "$((MONTH_START < FETCH_START ? MONTH_START : FETCH_START))" \
    --end-time "$NOW" --group-by project_id --per day --revise-lag 86400
cp "$WORK/costs.csv" "$WORK/costs.settled.csv"
cp "$WORK/truth" "$WORK/costs.csv"
check "the revised truth differs from the settled one" bash -c "! cmp -s '$WORK/costs.csv' '$WORK/costs.settled.csv'"
start_mock --revise-lag 86400
bud --amount "$UNDER" --budgets "$WORK/budgets.csv" --format csv
expect_csv "--revise-lag: the provisional numbers the API sends now" month -- \
    "org=$UNDER" "$PROJ1=$P1_BUDGET" "$PROJ2=$P2_BUDGET"
cp "$WORK/costs.settled.csv" "$WORK/costs.csv"

# ---- OpenMetrics ----------------------------------------------------------
start_mock --spend-limit "$org_cents" --project-spend-limit "$PROJ1=$p1_cents"
bud --format csv
cp "$WORK/out" "$WORK/om.csv"
expect_csv "the CSV the OpenMetrics are checked against is the truth" month -- \
    "org=$ORG_LIMIT" "$PROJ1=$P1_LIMIT"
bud --format openmetrics -o "$WORK/budget.prom"
check "openmetrics -o: exit 10 and the file written in full (got $RC)" \
    bash -c "[ $RC -eq 10 ] && tail -n 1 '$WORK/budget.prom' | grep -qx '# EOF'"
"$PY" - "$WORK/budget.prom" "$WORK/om.csv" <<'PY' >"$WORK/py.err" 2>&1 && ok || not_ok "openmetrics: $(head -c 500 "$WORK/py.err")"
import csv, sys
from decimal import Decimal
from prometheus_client.openmetrics.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
fams = {f.name: f for f in text_string_to_metric_families(text)}
for f in fams.values():
    assert f.type == "gauge", f
rows = {r["project_id"]: r for r in csv.DictReader(open(sys.argv[2]))}
# Exact values: read from the text, not the parser's floats.
vals = {}
for line in text.splitlines():
    if line.startswith("#"):
        continue
    name_labels, value = line.rsplit(" ", 1)
    vals[name_labels] = value
states = {"ok": "0", "warn": "1", "over": "2"}
n = 0
for pid, r in rows.items():
    for metric in ("budget", "spent", "provisional", "percent", "remaining", "projected", "daily_rate"):
        key = [k for k in vals if k.startswith("oaiusage_budget_%s{" % metric) and
               (('project_id="%s"' % pid) in k if pid else "project_id=" not in k)]
        assert len(key) == 1, (metric, pid, key)
        assert Decimal(vals[key[0]]) == Decimal(r[metric]), (metric, pid, vals[key[0]], r[metric])
        assert 'currency="usd"' in key[0] and 'state=' not in key[0], key[0]
        n += 1
    key = [k for k in vals if k.startswith("oaiusage_budget_state{") and
           (('project_id="%s"' % pid) in k if pid else "project_id=" not in k)]
    assert vals[key[0]] == states[r["state"]], (pid, vals[key[0]], r["state"])
assert "oaiusage_budget_spent" in fams and "oaiusage_budget_state" in fams
assert 'oaiusage_report_window_start_seconds{report="budget"} 1740787200' in text
assert n == 14, n
PY

# ---- the store: --db equals live ------------------------------------------
STORE_DB="$WORK/store.db"
frozen "$NOW" sync --db "$STORE_DB" --endpoint costs --since 2025-02-20 -q
check "sync of the costs into a store ($(head -c 200 "$WORK/err"))" [ "$RC" -eq 0 ]
for args in "--amount $WARN" "--budgets $WORK/budgets.csv" "--period week --amount $WARN" ""; do
    # shellcheck disable=SC2086
    bud $args --format csv
    live_rc=$RC
    cp "$WORK/out" "$WORK/live.out"
    # shellcheck disable=SC2086
    bud $args --format csv --db "$STORE_DB"
    check "--db equals live: budget $args (exit $live_rc and $RC; $(head -c 200 "$WORK/err"))" \
        bash -c "[ $live_rc -eq $RC ] && [ -s '$WORK/live.out' ] && cmp -s '$WORK/live.out' '$WORK/out'"
done
# A store synced two hours ago answers as of its sync: the same numbers
# as live then, and a warning saying how old they are.
bud --budgets "$WORK/budgets.csv" --amount "$WARN" --format csv
cp "$WORK/out" "$WORK/live.out"
frozen "$((NOW + 7200))" budget --budgets "$WORK/budgets.csv" --amount "$WARN" --format csv --db "$STORE_DB"
check "--db synced 2 h ago: the live numbers as of the sync (exit $RC; $(head -c 300 "$WORK/err"))" \
    bash -c "[ $RC -eq 11 ] && cmp -s '$WORK/live.out' '$WORK/out'"
check "... with a warning how old they are" grep -q "the store's costs end at 2025-03-20T12:00:00Z, 120 min ago" "$WORK/err"
frozen "$((NOW + 86400))" budget --amount "$WARN" --db "$STORE_DB" -q
expect_failure "--db synced yesterday: exit 8, never numbers short of a day" 8 "before today"
bud --amount "$WARN" --db "$WORK/empty.db"
check "--db that holds nothing fails (exit 8), never 'under budget' (got $RC)" [ "$RC" -eq 8 ]

# ---- failures exit as failures -------------------------------------------
start_mock --fault '1+:500'
bud --amount "$UNDER" --retries 0
expect_failure "the costs cannot be read: exit 1" 1 'HTTP 500'
# One request at a time: the organization's limit is the first.
start_mock --spend-limit "$org_cents" --fault '1:503'
bud --retries 0 --concurrency 1
expect_failure "a spend limit cannot be read: exit 1, not 'no limit'" 1 'organization spend limit page 1: HTTP 503'
start_mock --spend-limit "$org_cents" --fault '1+:truncate'
bud --retries 0 --amount "$UNDER"
check "a broken response fails (exit $RC), stdout empty" bash -c "[ $RC -ne 0 ] && [ $RC -lt 10 ] && [ ! -s '$WORK/out' ]"
bud --amount 0
expect_failure "--amount 0 is refused" 2 "'--amount': '0' is not a plain decimal"
bud --amount 1234567890123
expect_failure "--amount of 13 digits is refused" 2 "at most 12 digits"
bud --amount 1e3
expect_failure "--amount 1e3 is refused" 2 "'--amount': '1e3'"
bud --amount 10 --warn-at 0
expect_failure "--warn-at 0 is refused" 2 'warn-at'
bud --amount 10 --since 2025-01-01
expect_failure "budget takes no --since" 2 'since'

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
