#!/usr/bin/env bash
# Completions: grouped totals, --per splits and --records rows, for 1d, 1h
# and 1m buckets over windows that need several pages, equal the server's
# truth exactly, token for token.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
start_mock

D_START=1735689600   # 2025-01-01T00:00:00Z
D_END=1740787200     # 2025-03-01T00:00:00Z  (59 daily buckets: 2 pages)
H_START=1738387053   # 2025-02-01T05:17:33Z  (partial first bucket)
H_END=1739059200     # 2025-02-09T00:00:00Z  (187 hourly buckets: 2 pages)
M_START=1739224800   # 2025-02-10T22:00:00Z
M_END=1739323800     # 2025-02-12T01:30:00Z  (1650 minute buckets: 2 pages)

cmp_case() { # cmp_case NAME "oaiusage args" "truth args"
    local name=$1 oargs=$2 targs=$3
    # shellcheck disable=SC2086
    ou completions $oargs --format csv
    # shellcheck disable=SC2086
    truth completions $targs || { not_ok "$name: truth"; return; }
    same_as_truth "$name"
}

for g in "" model project_id,model user_id,api_key_id batch,service_tier \
         api_source,model project_id,user_id,api_key_id,model,batch,service_tier,api_source; do
    gb=${g:+--group-by $g}
    cmp_case "1d grouped [$g]" "--since $D_START --until $D_END $gb" \
        "--start-time $D_START --end-time $D_END --bucket-width 1d $gb"
    cmp_case "1h grouped [$g]" "--since $H_START --until $H_END --bucket 1h $gb" \
        "--start-time $H_START --end-time $H_END --bucket-width 1h $gb"
done
cmp_case "1m grouped [model,project_id]" \
    "--since $M_START --until $M_END --bucket 1m --group-by model,project_id" \
    "--start-time $M_START --end-time $M_END --bucket-width 1m --group-by model,project_id"

for per in day week month; do
    cmp_case "per $per [model]" "--since $D_START --until $D_END --group-by model --per $per" \
        "--start-time $D_START --end-time $D_END --bucket-width 1d --group-by model --per $per"
    cmp_case "per $per [none]" "--since $D_START --until $D_END --per $per" \
        "--start-time $D_START --end-time $D_END --bucket-width 1d --per $per"
done
cmp_case "per day of 1h buckets [service_tier]" \
    "--since $H_START --until $H_END --bucket 1h --group-by service_tier --per day" \
    "--start-time $H_START --end-time $H_END --bucket-width 1h --group-by service_tier --per day"
cmp_case "per bucket [batch]" "--since $H_START --until $H_END --bucket 1h --group-by batch --per bucket" \
    "--start-time $H_START --end-time $H_END --bucket-width 1h --group-by batch --per bucket"
cmp_case "records 1d [model,project_id]" \
    "--since $D_START --until $D_END --group-by model,project_id --records" \
    "--start-time $D_START --end-time $D_END --bucket-width 1d --group-by model,project_id --records"
cmp_case "records 1h [none]" "--since $H_START --until $H_END --bucket 1h --records" \
    "--start-time $H_START --end-time $H_END --bucket-width 1h --records"
cmp_case "records 1m [user_id]" \
    "--since $M_START --until $M_END --bucket 1m --group-by user_id --records" \
    "--start-time $M_START --end-time $M_END --bucket-width 1m --group-by user_id --records"

# Pagination really happened, with the largest page the width allows.
check "1m windows are fetched 1440 buckets at a time" \
    grep -q 'bucket_width=1m.*limit=1440' "$WORK/requests.log"
check "a 1m window is split into one-page sub-windows" \
    eval '[ "$(grep -c "bucket_width=1m" "$WORK/requests.log")" -ge 2 ]'
check "group_by is sent in the SDKs' bracket form" \
    grep -q 'group_by%5B%5D=user_id\|group_by\[\]=user_id' "$WORK/requests.log"

# A server that pages more finely than asked: every sub-window follows its
# cursors, and the result is the same.
start_mock --page-cap 7
cmp_case "pages of 7 buckets [model]" "--since $D_START --until $D_END --group-by model" \
    "--start-time $D_START --end-time $D_END --bucket-width 1d --group-by model"
check "pages are followed with the cursor" grep -q 'page=page_' "$WORK/requests.log"
cmp_case "pages of 7 minutes, records [project_id]" \
    "--since $M_START --until $M_END --bucket 1m --group-by project_id --records" \
    "--start-time $M_START --end-time $M_END --bucket-width 1m --group-by project_id --records"

# Concurrency changes nothing in the output.
start_mock
ou completions --since $M_START --until $M_END --bucket 1m --group-by model,user_id --per bucket --format csv --concurrency 1
cp "$WORK/out" "$WORK/c1.csv"
ou completions --since $M_START --until $M_END --bucket 1m --group-by model,user_id --per bucket --format csv --concurrency 8
check "--concurrency 8 prints exactly what --concurrency 1 prints" cmp -s "$WORK/out" "$WORK/c1.csv"
ou completions --since $H_START --until $H_END --bucket 1h --records --format csv --concurrency 1
cp "$WORK/out" "$WORK/r1.csv"
ou completions --since $H_START --until $H_END --bucket 1h --records --format csv --concurrency 5
check "records are identical under concurrency" cmp -s "$WORK/out" "$WORK/r1.csv"

# --dry-run prints the plan and makes no request.
: >"$WORK/requests.log"
ou completions --since 2025-01-01 --until 2025-01-31 --bucket 1h --dry-run
check "--dry-run: 5 requests for 30 days of hours" eval '[ "$(grep -c "^GET " "$WORK/out")" -eq 5 ]'
check "--dry-run: the plan's header" grep -q '^# completions: 5 requests (1h buckets, 168 per page)' "$WORK/out"
check "--dry-run: sub-windows are contiguous" eval '[ "$(grep -o "start_time=[0-9]*" "$WORK/out" | sed -n 2p)" = "start_time=$((1735689600 + 168 * 3600))" ]'
check "--dry-run makes no request" [ ! -s "$WORK/requests.log" ]
(unset OPENAI_ADMIN_KEY; "$OAIUSAGE_BIN" --base-url "$BASE" costs --days 400 --dry-run >"$WORK/out" 2>&1)
check "--dry-run needs no key; 400 days of costs are 3 requests" grep -q '^# costs: 3 requests' "$WORK/out"

# --days N up to an explicit end: N whole UTC days.
cmp_case "--days 10 --until" "--days 10 --until 2025-02-20 --group-by model" \
    "--start-time 1739145600 --end-time 1740009600 --bucket-width 1d --group-by model"

# RFC 3339 with an offset means the same instant as Unix seconds.
ou completions --since 2025-02-01T07:17:33+02:00 --until $H_END --bucket 1h --format csv
cp "$WORK/out" "$WORK/offset.csv"
ou completions --since $H_START --until $H_END --bucket 1h --format csv
check "an RFC 3339 offset selects the same window" cmp -s "$WORK/out" "$WORK/offset.csv"

# The default window ends at the API's own now (no end_time is sent): run
# a server whose clock is the real one, frozen at this moment.
MOCK_NOW=$(date +%s)
start_mock
ou completions --days 3 --group-by model --format csv
start=$(grep -o 'start_time=[0-9]*' "$WORK/requests.log" | tail -n 1 | cut -d= -f2)
check "without --until no end_time is sent" \
    bash -c "tail -n 1 '$WORK/requests.log' | grep -vq end_time="
truth completions --start-time "$start" --bucket-width 1d --group-by model
same_as_truth "default window ending at the server's now"
finish
