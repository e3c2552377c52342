#!/usr/bin/env bash
# --tz ZONE: local days, weeks and months, checked against truth computed
# here with Python's zoneinfo (an independent implementation of the time
# zone database): the server's own hourly (or per-minute) truth, each
# bucket put in the local day of its start by zoneinfo, summed in Python.
# Across DST in both hemispheres, a midnight that does not exist
# (America/Santiago), and half-hour zones (Asia/Kolkata, America/St_Johns).
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
# 2025-11-15T00:00:00Z: every 2025 transition below is in the past.
MOCK_NOW=1763164800
. "${E2E_DIR:-$(dirname "$0")}/clock_lib.sh"
start_mock

# local ZONE DATE: the first instant of DATE (YYYY-MM-DD) in ZONE.
local_start() {
    python3 - "$1" "$2" <<'PY'
import sys
from datetime import datetime
from zoneinfo import ZoneInfo
y, m, d = map(int, sys.argv[2].split("-"))
# fold=0: a midnight a DST gap skips is the instant the gap ends
print(int(datetime(y, m, d, tzinfo=ZoneInfo(sys.argv[1])).timestamp()))
PY
}

# expect ZONE PER GROUPS START END WIDTH: the truth of completions in
# [START, END) (Unix), per local PER (day, week, month or none), grouped
# by GROUPS (comma list or ""), as CSV rows "period,groups...,metrics..."
# sorted; from the server's WIDTH buckets.
expect() {
    local zone=$1 per=$2 groups=$3 start=$4 end=$5 width=$6
    "$OAIUSAGE_MOCK" truth completions --start-time "$start" --end-time "$end" \
        --now "$MOCK_NOW" --bucket-width "$width" --per bucket \
        ${groups:+--group-by "$groups"} >"$WORK/truth.csv" || return 1
    python3 - "$WORK/truth.csv" "$zone" "$per" "$groups" <<'PY'
import csv, sys
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo
rows = list(csv.DictReader(open(sys.argv[1])))
zone, per = ZoneInfo(sys.argv[2]), sys.argv[3]
groups = [g for g in sys.argv[4].split(",") if g]
head = list(csv.reader(open(sys.argv[1])))[0]
metrics = [c for c in head if c not in groups and c != "period_start"]
sums = defaultdict(lambda: [0] * len(metrics))
for r in rows:
    t = datetime.fromisoformat(r["period_start"].replace("Z", "+00:00"))
    d = t.astimezone(zone).date()
    if per == "week":
        d -= timedelta(days=d.weekday())
    elif per == "month":
        d = d.replace(day=1)
    key = (d.isoformat() if per != "none" else "",) + tuple(r[g] for g in groups)
    for i, m in enumerate(metrics):
        sums[key][i] += int(r[m] or 0)
for k in sorted(sums):
    print(",".join(list(k) + [str(v) for v in sums[k]]))
PY
}

# got ZONE PER GROUPS: the report in $WORK/out (CSV) as expect prints it;
# each period_start must be the first instant of its local date
# (zoneinfo), written with the zone's offset then.
got() {
    python3 - "$WORK/out" "$1" "$2" "$3" <<'PY'
import csv, sys
from datetime import datetime
from zoneinfo import ZoneInfo
rows = list(csv.DictReader(open(sys.argv[1])))
zone, per = ZoneInfo(sys.argv[2]), sys.argv[3]
groups = [g for g in sys.argv[4].split(",") if g]
head = list(csv.reader(open(sys.argv[1])))[0]
metrics = [c for c in head if c not in groups and c != "period_start"]
out = []
for r in rows:
    key = ""
    if per != "none":
        p = r["period_start"]
        y, m, d = map(int, p[:10].split("-"))
        first = datetime(y, m, d, tzinfo=zone)  # fold=0, as the gap rule
        want = datetime.fromtimestamp(first.timestamp(), zone).isoformat()
        if p != want:
            sys.exit(f"period_start {p}: the local day starts at {want}")
        key = p[:10]
    out.append(",".join([key] + [r[g] for g in groups] +
                        [r[m] or "0" for m in metrics]))
print("\n".join(sorted(out)))
PY
}

# case NAME ZONE PER GROUPS SINCE UNTIL WIDTH [ARGS...]: oaiusage --tz
# (with ARGS) against the truth; SINCE and UNTIL are local dates.
case_tz() {
    local name=$1 zone=$2 per=$3 groups=$4 since=$5 until=$6 width=$7
    shift 7
    local s e
    s=$(local_start "$zone" "$since")
    e=$(local_start "$zone" "$until")
    expect "$zone" "$per" "$groups" "$s" "$e" "$width" >"$WORK/want" ||
        { not_ok "$name: truth"; return; }
    local args=(completions --tz "$zone" --since "$since" --until "$until"
        --format csv)
    [ "$per" != none ] && args+=(--per "$per")
    [ -n "$groups" ] && args+=(--group-by "$groups")
    args+=("$@")
    ou "${args[@]}"
    if [ "$RC" -ne 0 ]; then
        not_ok "$name: exit $RC $(cat "$WORK/err")"
        return
    fi
    if got "$zone" "$per" "$groups" >"$WORK/have" &&
        diff "$WORK/want" "$WORK/have" >"$WORK/diff"; then
        ok
    else
        not_ok "$name: report differs from zoneinfo's truth"
        head -5 "$WORK/diff" >&2
    fi
    # every request was for the buckets the zone needs; a store's
    # report (ARGS: --db) asks the API nothing
    if [ $# -gt 0 ]; then
        check "$name: no request" test ! -s "$WORK/requests.log"
    elif grep -q "bucket_width=1d" "$WORK/requests.log" ||
        ! grep -q "bucket_width=$width" "$WORK/requests.log"; then
        not_ok "$name: not in $width buckets"
    else
        ok
    fi
    : >"$WORK/requests.log"
}

# Europe: spring forward (Mar 30, 23 h) and fall back (Oct 26, 25 h)
case_tz "Berlin spring" Europe/Berlin day "" 2025-03-28 2025-04-02 1h
case_tz "Berlin autumn by model" Europe/Berlin day model 2025-10-24 2025-10-28 1h
# the southern hemisphere: DST ends Apr 6, starts Oct 5
case_tz "Sydney April" Australia/Sydney day "" 2025-04-04 2025-04-08 1h
case_tz "Sydney October" Australia/Sydney day project_id 2025-10-03 2025-10-07 1h
# Chile: Sep 7 has no midnight (24:00 is 01:00); Apr 5 repeats 23:00
case_tz "Santiago September" America/Santiago day "" 2025-09-05 2025-09-09 1h
case_tz "Santiago April" America/Santiago day "" 2025-04-04 2025-04-07 1h
# half-hour offsets: built from 1m buckets
case_tz "Kolkata" Asia/Kolkata day "" 2025-11-01 2025-11-04 1m
case_tz "St Johns fall back" America/St_Johns day "" 2025-11-01 2025-11-04 1m
# weeks and months on the local calendar; a window's total
case_tz "New York weeks" America/New_York week "" 2025-10-20 2025-11-10 1h
case_tz "Berlin months" Europe/Berlin month model 2025-09-01 2025-11-01 1h
case_tz "Berlin 25-hour day total" Europe/Berlin none "" 2025-10-26 2025-10-27 1h

# From the history store: local days from its hourly buckets, offline.
frozen "$MOCK_NOW" sync --db "$WORK/h.db" --since 2025-10-20 --endpoint completions
check "sync for the store (exit $RC)" test "$RC" -eq 0
: >"$WORK/requests.log"
case_tz "Berlin autumn from the store" Europe/Berlin day model 2025-10-24 \
    2025-10-28 1h --db "$WORK/h.db"

# --compare previous on local days: the 23-hour Sunday Mar 30 against
# Saturday Mar 29, each summed from zoneinfo's hours.
ou completions --tz Europe/Berlin --since 2025-03-30 --until 2025-03-31 \
    --compare previous --format csv
cp "$WORK/out" "$WORK/cmp.csv"
for d in 2025-03-29:input_tokens_previous 2025-03-30:input_tokens; do
    day=${d%%:*} col=${d#*:}
    next=$(date -u -d "$day + 1 day" +%F)
    expect Europe/Berlin none "" "$(local_start Europe/Berlin "$day")" \
        "$(local_start Europe/Berlin "$next")" 1h >"$WORK/want"
    want=$(cut -d, -f2 "$WORK/want") # input_tokens, the first metric
    have=$(python3 -c 'import csv,sys; print(next(csv.DictReader(open(sys.argv[1])))[sys.argv[2]])' "$WORK/cmp.csv" "$col")
    check "compare: $col is local $day ($want = $have)" test "$want" = "$have"
done

# The header names the zone; JSON says it and writes local offsets.
ou completions --tz Europe/Berlin --since 2025-10-26 \
    --until 2025-10-27 --per day
check "table title names the zone" \
    grep -q "^completions, 2025-10-26 Europe/Berlin, per day$" "$WORK/out"
ou completions --tz Europe/Berlin --since 2025-10-26 \
    --until 2025-10-27 --per day --format json
check "json names the zone and writes local times" python3 - "$WORK/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["time_zone"] == "Europe/Berlin", d
assert d["start_time"] == "2025-10-26T00:00:00+02:00", d["start_time"]
assert d["end_time"] == "2025-10-27T00:00:00+01:00", d["end_time"]
assert [r["period_start"] for r in d["data"]] == ["2025-10-26T00:00:00+02:00"]
PY

# today and yesterday are local: at 2025-11-09T23:30Z it is already
# Monday Nov 10 in Berlin, so yesterday is Sunday Nov 9 there.
NOW=1762731000
frozen "$NOW" completions --tz Europe/Berlin --since yesterday --until today \
    --format csv
s=$(local_start Europe/Berlin 2025-11-09)
e=$(local_start Europe/Berlin 2025-11-10)
expect Europe/Berlin none "" "$s" "$e" 1h >"$WORK/want"
got Europe/Berlin none "" >"$WORK/have" 2>/dev/null
check "yesterday is the local yesterday" diff "$WORK/want" "$WORK/have"
frozen "$NOW" completions --tz Europe/Berlin --since today --dry-run
check "today starts at local midnight" \
    grep -q "start_time=$e&" "$WORK/out"

# A profile's tz applies; the flag wins over it.
mkdir -p "$XDG_CONFIG_HOME/oaiusage"
printf '[default]\ntz = America/Santiago\n' >"$XDG_CONFIG_HOME/oaiusage/config"
chmod 600 "$XDG_CONFIG_HOME/oaiusage/config"
ou completions --since 2025-09-06 --until 2025-09-08 --per day \
    --format csv
check "the profile's tz" grep -q "^2025-09-07T01:00:00-03:00," "$WORK/out"
ou completions --tz Asia/Tokyo --since 2025-09-06 \
    --until 2025-09-08 --per day --format csv
check "the flag over the profile" grep -q "^2025-09-07T00:00:00+09:00," "$WORK/out"
# costs stay in UTC days: the profile's zone does not apply, the flag is
# refused with the reason
ou costs --since 2025-09-06 --until 2025-09-08
check "costs keep UTC days under a profile tz" \
    grep -q "^costs, 2025-09-06 to 2025-09-07 UTC" "$WORK/out"
rm "$XDG_CONFIG_HOME/oaiusage/config"
ou costs --tz Europe/Berlin
expect_failure "costs --tz refused, saying why" 2 "costs does not take --tz: the API bills per UTC day"
ou completions --tz Europe/Berlin --bucket 1d
expect_failure "--bucket 1d with --tz refused" 2 "1d buckets are UTC days, not Europe/Berlin days"
ou completions --tz Asia/Kolkata --bucket 1h
expect_failure "--bucket 1h in a half-hour zone refused" 2 "built from 1m buckets"
ou completions --tz Mars/Olympus_Mons
expect_failure "unknown zone" 2 "'Mars/Olympus_Mons' is not a time zone"

# The overview: usage on local days (its requests hourly), costs on UTC
# days, and the title says so.
ou overview --tz Asia/Tokyo --since 2025-11-01 --until 2025-11-03 \
    --format csv
s=$(local_start Asia/Tokyo 2025-11-01)
e=$(local_start Asia/Tokyo 2025-11-03)
want=$("$OAIUSAGE_MOCK" truth completions --start-time "$s" --end-time "$e" \
    --now "$MOCK_NOW" --bucket-width 1h | python3 -c '
import csv, sys
print(next(csv.DictReader(sys.stdin))["input_tokens"])')
have=$(python3 -c '
import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["endpoint"] == "completions":
        print(r["input_tokens"])' "$WORK/out")
check "overview: local days of usage ($want = $have)" test "$want" = "$have"
ou overview --tz Asia/Tokyo --since 2025-11-01 --until 2025-11-03
check "overview title names the zone and the costs' UTC days" \
    grep -q "Asia/Tokyo (costs: the UTC days it touches)" "$WORK/out"

# The HTML report says which charts are in the zone and which are UTC.
ou report --tz Australia/Sydney --since 2025-10-01 --until 2025-10-08 \
    -o "$WORK/r.html"
check "html report written" test -s "$WORK/r.html"
check "html says the usage charts' zone and the costs' UTC days" \
    grep -q "Usage charts are in Australia/Sydney (local days); cost charts are per UTC day" "$WORK/r.html"
check "html's usage days are local" grep -q "per day in Australia/Sydney" "$WORK/r.html"

finish
