#!/usr/bin/env bash
# The history store (SQLite here; scripts/test-pg.sh runs the same checks
# on PostgreSQL with STORE_DB set): a sync, then every kind of report from
# the store equal to the live report of the same window; windows the store
# cannot answer refused with the sync that would; the organization's names
# offline; a sync killed at several points and then completed; syncs under
# 429s, 500s and truncated pages; two syncs at once; the documented views
# read with the engine's own client.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
. "$E2E_DIR/store_lib.sh"
export XDG_CACHE_HOME="$WORK/cache"

# STORE_PG_URI (scripts/test-pg.sh): run on PostgreSQL, each store a new
# database of that server.
ENGINE=sqlite
[ -n "${STORE_PG_URI:-}" ] && ENGINE=postgres
fresh_db() { # fresh_db NAME: an empty store's DB
    if [ "$ENGINE" = sqlite ]; then
        echo "$WORK/store/$1.db"
    else
        local db="t$$_$1"
        psql "$STORE_PG_URI" -X -q -c "CREATE DATABASE $db" >/dev/null
        echo "$STORE_PG_URI" | sed -E "s|^(postgres(ql)?://[^/]*)/[^?]*|\1/$db|"
    fi
}
STORE_DB=$(fresh_db usage)

S=1738368000   # 2025-02-01T00:00:00Z
E=$MOCK_NOW    # 2025-04-01T00:00:00Z: the server's now
W="--since 2025-03-01 --until 2025-04-01"

sql() { # sql QUERY: one value, from the engine's own client
    if [ "$ENGINE" = sqlite ]; then
        sqlite3 -batch -noheader "$STORE_DB" "$1"
    else
        psql "$STORE_DB" -X -A -t -q -c "$1"
    fi
}

# ---- the first sync ----
start_mock
ouat "$CLIENT_NOW" sync --db "$STORE_DB" --since 2025-02-01
check "first sync succeeds ($(head -c 200 "$WORK/err"))" [ "$RC" -eq 0 ]
check "first sync prints nothing on stdout" [ ! -s "$WORK/out" ]
check "the sync says what it stored" grep -q 'sync: completions 1h: 1416 buckets stored' "$WORK/err"
if [ "$ENGINE" = sqlite ]; then
    check "the store file is private (0600)" [ "$(stat -c %a "$STORE_DB")" = 600 ]
    check "its directory is private (0700)" [ "$(stat -c %a "$(dirname "$STORE_DB")")" = 700 ]
    check "the store holds no key" bash -c "! grep -aq '$OPENAI_ADMIN_KEY' '$STORE_DB'*"
fi

# ---- reports from the store equal the live ones ----
same_report "completions [model]" completions $W --group-by model
same_report "completions csv [project_id,model] per week" completions $W --group-by project_id,model --per week --format csv
same_report "completions 1h records json [user_id]" completions --since 2025-03-10 --until 2025-03-12 --bucket 1h --group-by user_id --records --format json
same_report "completions every field ndjson" completions $W --group-by project_id,user_id,api_key_id,model,batch,service_tier,api_source --format ndjson
same_report "completions filters" completions $W --model gpt-4o-mini-2024-07-18 --no-batch --group-by project_id --format csv
same_report "completions per day, chart" completions $W --group-by model --per day --chart
same_report "decisions [api_source,model]" decisions $W --group-by api_source,model --format csv
for ep in embeddings moderations images audio-speeches audio-transcriptions \
          code-interpreter-sessions file-search-calls web-search-calls; do
    same_report "$ep [project_id] per week" "$ep" $W --group-by project_id --per week --format csv
    same_report "$ep records 1h" "$ep" --since 2025-03-20 --until 2025-03-21 --bucket 1h --records --format csv
done
same_report "vector-stores levels per day" vector-stores $W --group-by project_id --per day --format csv
same_report "vector-stores 1h levels" vector-stores --since 2025-03-20 --until 2025-03-22 --bucket 1h --format csv --per day
same_report "costs [line_item]" costs $W --group-by line_item --format csv
same_report "costs [project_id] records json" costs $W --group-by project_id --records --format json
same_report "costs [model,component]" costs $W --group-by model,component
same_report "costs [user_id] names" costs $W --group-by user_id --names --format csv
same_report "costs --line-item" costs $W --line-item "gpt-4o-2024-08-06, input" --group-by project_id --format csv
same_report "overview" overview $W
same_report "overview json" overview --since 2025-02-01 --until 2025-04-01 --format json
same_report "--names offline" completions $W --group-by project_id,user_id,api_key_id --names --format csv
same_report "svg" completions $W --group-by model --format svg
# The HTML report: the same document but for where the data came from.
ou report $W -o "$WORK/live.html"
"${OU[@]}" --db "$STORE_DB" report $W -o "$WORK/store.html" 2>"$WORK/err"
check "report from the store" cmp -s <(sed 's/Generated [^<]*//' "$WORK/live.html") <(sed 's/Generated [^<]*//' "$WORK/store.html")
check "report says it came from the store" grep -q 'from the history store' "$WORK/store.html"

# Offline: no key, no server.
stop_mock
(unset OPENAI_ADMIN_KEY; "${OU[@]}" completions --db "$STORE_DB" $W --group-by model --format csv >"$WORK/out" 2>"$WORK/err"); RC=$?
check "a report from the store needs no key and no server ($(head -c 200 "$WORK/err"))" [ "$RC" -eq 0 ]
# Without --until: the store's end, and how old it is.
"${OU[@]}" completions --db "$STORE_DB" --since 2025-03-01 --format json >"$WORK/out" 2>"$WORK/err"; RC=$?
check "without --until the report ends where the store does" \
    eval 'jq -e ".end_time == \"2025-04-01T00:00:00Z\"" "$WORK/out" >/dev/null'
check "and says when it was synced" grep -q 'from the store up to 2025-04-01T00:00:00Z (last synced 2025-04-01T00:00' "$WORK/err"

# ---- what the store cannot answer ----
store_fail() { # store_fail DESCRIPTION CODE PATTERN ARGS...
    local what=$1 code=$2 pattern=$3
    shift 3
    "${OU[@]}" --db "$STORE_DB" "$@" >"$WORK/out" 2>"$WORK/err"
    RC=$?
    expect_failure "$what" "$code" "$pattern"
}
store_fail "a window before the store" 8 "the store does not cover completions \(1d buckets\) from 2025-01-01T00:00:00Z to 2025-02-01T00:00:00Z: run 'oaiusage sync --endpoint completions --since 2025-01-01'" \
    completions --since 2025-01-01 --until 2025-03-01
store_fail "an hourly window before the store" 8 "the store does not cover completions \(1h buckets\) from 2025-01-31T00:00:00Z to 2025-02-01T00:00:00Z" \
    completions --since 2025-01-31 --until 2025-02-02 --bucket 1h
# A PostgreSQL URI's password never reaches a message, however spelled
# (no server listens on port 1 of loopback; the URI that libpq cannot
# parse is not echoed at all).
for uri in 'postgresql://u:Zq7s3cretpw@127.0.0.1:1/x' \
    'postgresql://u@127.0.0.1:1/x?sslpassword=abc&password=Zq7s3cretpw' \
    'postgres://127.0.0.1:1/x?password=Zq7s3cretpw&connect_timeout=2' \
    'postgresql://u:Zq7s3cret%zzpw@127.0.0.1:1/x'; do
    "${OU[@]}" --db "$uri" completions $W >"$WORK/out" 2>"$WORK/err"; RC=$?
    check "no password in the error for $uri (exit $RC)" \
        bash -c "[ $RC -ne 0 ] && [ -s '$WORK/err' ] && ! grep -q 'Zq7s3cret' '$WORK/err' && [ ! -s '$WORK/out' ]"
done
# Many filter values (more than the old fixed array held): the store
# answers as live does for the ids that exist.
many=$(seq -f 'proj_none%03g' 1 600 | paste -sd, -)
start_mock
ou completions $W --group-by project_id --format csv
cut -d, -f1 "$WORK/out" | tail -n +2 | grep -v '^TOTAL' | grep . | paste -sd, - >"$WORK/real_ids"
# (usage without a project, the empty id, is left out on both sides)
ou completions $W --project "$(cat "$WORK/real_ids")" --group-by project_id --format csv
"${OU[@]}" --db "$STORE_DB" completions $W --project "$many,$(cat "$WORK/real_ids")" --group-by project_id --format csv >"$WORK/many.out" 2>"$WORK/err"; RC=$?
check "600 unknown project ids and the real ones from the store: exit $RC, same as live with the real ones" \
    bash -c "[ $RC -eq 0 ] && [ -s '$WORK/real_ids' ] && cmp -s '$WORK/out' '$WORK/many.out'"
store_fail "an edge inside a bucket" 2 "falls inside a 1d bucket" \
    completions --since 2025-03-01T05:00:00Z --until 2025-03-05
store_fail "finer than stored" 8 "1m buckets are finer than the store holds completions \(1h, 1d\)" \
    completions --since 2025-03-01 --until 2025-03-02 --bucket 1m
store_fail "--refresh-names with --db" 2 "--refresh-names reads the API" \
    completions $W --refresh-names
if [ "$ENGINE" = sqlite ]; then
    store_fail "no store" 8 "no store at" --db "$WORK/nowhere.db" completions $W
fi

# ---- sync --status ----
"${OU[@]}" sync --db "$STORE_DB" --status --format json >"$WORK/out" 2>"$WORK/err"; RC=$?
check "sync --status" [ "$RC" -eq 0 ]
check "status: completions 1h from 2025-02-01 to 2025-04-01, 1416 buckets, no gap" \
    eval 'jq -e "[.data[] | select(.endpoint == \"completions\" and .width == \"1h\")] == [{\"endpoint\":\"completions\",\"width\":\"1h\",\"from\":\"2025-02-01T00:00:00Z\",\"to\":\"2025-04-01T00:00:00Z\",\"buckets\":1416,\"gap_buckets\":0,\"provisional_from\":\"2025-03-31T00:00:00Z\",\"rows\":(.data[] | select(.endpoint == \"completions\" and .width == \"1h\") | .rows),\"last_sync\":(.data[] | select(.endpoint == \"completions\" and .width == \"1h\") | .last_sync)}]" "$WORK/out" >/dev/null'
check "status: last_sync is when the sync ran (its clock: 2025-04-01 00:00 and a little)" \
    eval 'jq -e "[.data[] | .last_sync | select(. < \"2025-04-01T00:00:00Z\" or . > \"2025-04-01T00:30:00Z\")] == []" "$WORK/out" >/dev/null'

# ---- the views, read with the engine's own client ----
start_mock
truth completions --start-time 1741132800 --end-time 1741219200   # 2025-03-05
want=$(tail -n 1 "$WORK/truth" | cut -d, -f1)
got=$(sql "SELECT SUM(input_tokens) FROM daily_completions WHERE day = '2025-03-05'")
check "view daily_completions: input tokens of 2025-03-05 = truth ($got vs $want)" [ "$got" = "$want" ]
truth costs --start-time 1741132800 --end-time 1741219200 --group-by project_id
python3 - "$WORK/truth" "$(sql "SELECT project_id || '=' || SUM(CAST(amount AS NUMERIC)) FROM daily_costs WHERE day = '2025-03-05' GROUP BY project_id")" <<'PY' && ok || not_ok "view daily_costs differs from the truth"
import csv, sys
from decimal import Decimal
want = {r["project_id"]: Decimal(r["amount"]) for r in csv.DictReader(open(sys.argv[1], newline=""))}
got = {}
for line in sys.argv[2].splitlines():
    k, v = line.rsplit("=", 1)
    got[k] = Decimal(v)
# The view's sums are the engine's numbers (SQLite: floating point).
assert want.keys() == got.keys(), (want.keys(), got.keys())
assert all(abs(got[k] - want[k]) < Decimal("1e-6") for k in want), (got, want)
PY
named=$(sql "SELECT COUNT(*) FROM daily_costs WHERE project_name IS NOT NULL")
check "view daily_costs joins project names ($named rows)" [ "${named:-0}" -gt 0 ]

# ---- a second sync: only what may still change, never a duplicate ----
: >"$WORK/requests.log"
ouat "$CLIENT_NOW" sync --db "$STORE_DB"
check "second sync succeeds" [ "$RC" -eq 0 ]
n=$(grep -c '/usage/completions?' "$WORK/requests.log")
check "the second sync re-fetches only the settle window (completions: $n requests, 1h and 1d)" [ "$n" -eq 2 ]
check "the settle window is one day" grep -q 'usage/completions?start_time=1743379200&bucket_width=1h' "$WORK/requests.log"
rows1=$(sql "SELECT COUNT(*) FROM usage_completions")
same_report "after a second sync" completions $W --group-by model,project_id --format csv
ouat "$CLIENT_NOW" sync --db "$STORE_DB"
check "a re-run never duplicates rows" [ "$(sql "SELECT COUNT(*) FROM usage_completions")" = "$rows1" ]
# The organization's lists: kept when less than a day old and every
# stored id is named; read again on --refresh-names, or when an id has no
# name (a new key), or a day later.
: >"$WORK/requests.log"
ouat "$CLIENT_NOW" sync --db "$STORE_DB"
check "names less than a day old are kept: no list read" \
    bash -c "[ $RC -eq 0 ] && ! grep -q '/organization/projects' '$WORK/requests.log' && grep -q 'names: kept' '$WORK/err'"
: >"$WORK/requests.log"
ouat "$CLIENT_NOW" sync --db "$STORE_DB" --refresh-names
check "--refresh-names reads them" \
    bash -c "[ $RC -eq 0 ] && grep -q '/organization/projects' '$WORK/requests.log'"
gone=$(sql "SELECT api_key_id FROM usage_completions WHERE api_key_id IS NOT NULL AND start_time >= 1743206400 LIMIT 1")
sql "DELETE FROM names WHERE kind = 'api_key' AND id = '$gone'" >/dev/null
: >"$WORK/requests.log"
ouat "$CLIENT_NOW" sync --db "$STORE_DB"
check "an id without a name ($gone) makes the sync read them" \
    bash -c "[ -n '$gone' ] && [ $RC -eq 0 ] && grep -q '/organization/projects' '$WORK/requests.log'"
check "and the name is back" [ "$(sql "SELECT COUNT(*) FROM names WHERE kind = 'api_key' AND id = '$gone'")" = 1 ]
: >"$WORK/requests.log"
# Read a day before this run's clock starts (the clock ticks from
# CLIENT_NOW, so the age is at least a day however slow the machine).
sql "UPDATE names SET synced_at = $((CLIENT_NOW - 86400))" >/dev/null
ouat "$CLIENT_NOW" sync --db "$STORE_DB" --endpoint moderations
check "a day later the sync reads them ($(head -c 300 "$WORK/err"))" \
    bash -c "[ $RC -eq 0 ] && grep -q '/organization/projects' '$WORK/requests.log'"

# ---- revisions: the server's clock moves and recent buckets change ----
# The server revises the last 3 hours of usage and 2 days of costs
# (--revise-lag): late data arrives and unattributed usage (project_id
# null) moves to its project. A second sync 3 days later must leave the
# store equal to what the server now says, the vanished groups gone.
RDB=$(fresh_db revised)
LAG=10800,172800
start_mock --revise-lag $LAG
ouat "$CLIENT_NOW" sync --db "$RDB" --since 2025-03-01
check "sync with revisions pending" [ "$RC" -eq 0 ]
STORE_SAVE=$STORE_DB
STORE_DB=$RDB
same_report "revised: at the first sync" completions --since 2025-03-25 --until 2025-04-01 --bucket 1h --group-by project_id --format csv
LATE="--since 2025-03-31T21:00:00Z --until 2025-04-01 --bucket 1h --group-by project_id --format csv"
"${OU[@]}" --db "$RDB" completions $LATE >"$WORK/early.csv" 2>"$WORK/err"
check "the provisional hours hold an unattributed row" grep -q '^,' "$WORK/early.csv"
NOW1=$MOCK_NOW
MOCK_NOW=$((NOW1 + 3 * 86400))   # the server's clock, 3 days later
start_mock --revise-lag $LAG
ouat "$MOCK_NOW" sync --db "$RDB"
check "the later sync succeeds" [ "$RC" -eq 0 ]
W2="--since 2025-03-01 --until 2025-04-04"
same_report "revised: completions after the clock moved" completions $W2 --group-by project_id,model --per day --format csv
same_report "revised: 1h records" completions --since 2025-03-30 --until 2025-04-03 --bucket 1h --group-by project_id --records --format csv
same_report "revised: costs" costs $W2 --group-by project_id,line_item --per day --format csv
same_report "revised: vector stores" vector-stores $W2 --group-by project_id --per day --format csv
same_report "revised: overview" overview $W2 --format csv
"${OU[@]}" --db "$RDB" completions $LATE >"$WORK/late.csv" 2>"$WORK/err"
check "the unattributed row vanished once settled" bash -c "! grep -q '^,' '$WORK/late.csv'"
# And the truth, computed without pages, agrees with the store.
"${OU[@]}" --db "$RDB" costs $W2 --group-by project_id --format csv >"$WORK/out" 2>"$WORK/err"; RC=$?
truth costs --start-time 1740787200 --end-time 1743724800 --group-by project_id --revise-lag $LAG
same_as_truth "revised: the store's costs equal the truth at the new now"
"${OU[@]}" --db "$RDB" completions $W2 --group-by model --format csv >"$WORK/out" 2>"$WORK/err"; RC=$?
truth completions --start-time 1740787200 --end-time 1743724800 --group-by model --revise-lag $LAG
same_as_truth "revised: the store's completions equal the truth at the new now"
# Daily reports read the daily buckets, hourly ones the hourly buckets,
# and a daily report falls back to the hourly ones where the daily
# coverage is missing (a store synced before daily buckets were kept).
sql "DELETE FROM coverage WHERE endpoint = 'completions' AND width = '1h' AND start_time >= 1742774400 AND start_time < 1742860800" >/dev/null
same_report "a daily report without the hourly coverage of a day" completions --since 2025-03-20 --until 2025-03-28 --group-by model --format csv
store_fail "an hourly report of that day" 8 "the store does not cover completions \(1h buckets\) from 2025-03-24T00:00:00Z to 2025-03-25T00:00:00Z" \
    completions --since 2025-03-24 --until 2025-03-26 --bucket 1h
# A level (vector stores' bytes) is never summed from hourly buckets.
sql "DELETE FROM coverage WHERE endpoint = 'vector-stores' AND width = '1d' AND start_time = 1742774400" >/dev/null
store_fail "a daily level without its daily bucket" 8 "the store does not cover vector-stores \(1d buckets\) from 2025-03-24T00:00:00Z to 2025-03-25T00:00:00Z" \
    vector-stores --since 2025-03-20 --until 2025-03-28 --group-by project_id
sql "DELETE FROM coverage WHERE endpoint = 'completions' AND width = '1d'" >/dev/null
same_report "a daily report from the hourly buckets alone" completions --since 2025-03-01 --until 2025-03-24 --group-by model,project_id --per week --format csv
store_fail "a daily report where neither covers" 8 "the store does not cover completions \(1h buckets\) from 2025-03-24T00:00:00Z to 2025-03-25T00:00:00Z" \
    completions --since 2025-03-20 --until 2025-03-28
STORE_DB=$STORE_SAVE
MOCK_NOW=$NOW1

# ---- a sync killed with -9 at several points, then completed ----
KDB=$(fresh_db killed)
start_mock --latency 40
killed=0
for at in 0.3 0.9 1.6; do
    at_time "$CLIENT_NOW" "$OAIUSAGE_BIN" --base-url "$BASE" sync --db "$KDB" --since 2025-02-01 \
        --concurrency 2 >/dev/null 2>&1 &
    pid=$!
    sleep "$at"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ $? -eq 137 ] && killed=$((killed + 1))
done
check "each kill -9 landed while the sync ran ($killed of 3)" [ "$killed" -eq 3 ]
if [ "$ENGINE" = sqlite ]; then
    check "after kill -9 the SQLite file is intact" \
        bash -c "[ \"\$(sqlite3 '$KDB' 'PRAGMA integrity_check')\" = ok ]"
fi
: >"$WORK/requests.log"
STORE_SAVE=$STORE_DB
ouat "$CLIENT_NOW" sync --db "$KDB" --since 2025-02-01
check "the sync after the kills completes ($(head -c 200 "$WORK/err"))" [ "$RC" -eq 0 ]
STORE_DB=$KDB
same_report "killed then completed: completions" completions --since 2025-02-01 --until 2025-04-01 --group-by model,user_id --format csv
same_report "killed then completed: costs" costs --since 2025-02-01 --until 2025-04-01 --group-by line_item,project_id --format csv
same_report "killed then completed: overview" overview --since 2025-02-01 --until 2025-04-01 --format csv
STORE_DB=$STORE_SAVE

# ---- faults: 429s and 500s are retried; a persistent failure fails the
# sync and leaves the store consistent for the next one ----
FDB=$(fresh_db faults)
FDB2=$(fresh_db faults2)
start_mock --fault 3:429:1 --fault 5:500 --fault 7:truncate
ouat "$CLIENT_NOW" sync --db "$FDB" --since 2025-03-01 --retries 3
check "sync under 429, 500 and a truncated page succeeds ($(head -c 300 "$WORK/err"))" [ "$RC" -eq 0 ]
check "the retries were announced" grep -q 'retrying' "$WORK/err"
STORE_DB=$FDB
same_report "after faults: completions" completions $W --group-by model --format csv
same_report "after faults: costs" costs $W --group-by line_item --format csv
STORE_DB=$STORE_SAVE
start_mock --fault 10+:500
ouat "$CLIENT_NOW" sync --db "$FDB2" --since 2025-03-01 --retries 0
check "a persistent 500 fails the sync (exit 1)" [ "$RC" -eq 1 ]
start_mock
ouat "$CLIENT_NOW" sync --db "$FDB2" --since 2025-03-01
check "the next sync completes it" [ "$RC" -eq 0 ]
STORE_DB=$FDB2
same_report "after a failed sync and a good one" completions $W --group-by project_id --format csv
STORE_DB=$STORE_SAVE

# ---- two syncs at once: the second waits, then gives up (exit 7) ----
start_mock --latency 300
at_time "$CLIENT_NOW" "$OAIUSAGE_BIN" --base-url "$BASE" sync --db "$STORE_DB" --since 2025-02-01 \
    --settle 30d >/dev/null 2>"$WORK/first.err" &
first=$!
sleep 1
ouat "$CLIENT_NOW" sync --db "$STORE_DB" --lock-timeout 1
check "a second sync at once waits, then exits 7" [ "$RC" -eq 7 ]
check "and says why" grep -q 'another sync holds it (waited 1 s; see --lock-timeout)' "$WORK/err"
wait "$first"
check "the first sync was not disturbed" [ "$?" -eq 0 ]

# ---- two first syncs of a new store at once: the schema is made under
# the lock, so the second waits for the first, then tops it up ----
NDB=$(fresh_db twofirst)
start_mock --latency 20
at_time "$CLIENT_NOW" "$OAIUSAGE_BIN" --base-url "$BASE" sync --db "$NDB" --since 2025-03-20 \
    --endpoint completions,costs >/dev/null 2>"$WORK/a.err" &
a=$!
at_time "$CLIENT_NOW" "$OAIUSAGE_BIN" --base-url "$BASE" sync --db "$NDB" --since 2025-03-20 \
    --endpoint completions,costs >/dev/null 2>"$WORK/b.err" &
b=$!
wait "$a"; ra=$?
wait "$b"; rb=$?
check "two first syncs at once both succeed ($ra, $rb: $(head -c 200 "$WORK/a.err") $(head -c 200 "$WORK/b.err"))" \
    [ "$ra,$rb" = "0,0" ]
STORE_DB=$NDB
same_report "after two first syncs at once" completions --since 2025-03-20 --until 2025-04-01 --group-by model,project_id --format csv
STORE_DB=$STORE_SAVE
finish
