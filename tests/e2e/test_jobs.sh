#!/usr/bin/env bash
# --jobs: pages parsed (and folded) on worker threads give output
# byte-identical to one thread's, at any --jobs and --concurrency, for
# every shape of report (grouped, --per, --records streamed and as a
# table, costs' exact money, the overview, a store filled by sync), and
# equal to the server's truth. OAIUSAGE_JOBS is the default of --jobs.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
. "${E2E_DIR:-$(dirname "$0")}/clock_lib.sh"
start_mock

S=1740787200 # 2025-03-01
E=1741996800 # 2025-03-15: 14 days, several pages in 1h buckets

# same NAME ARGS...: the report at --jobs 1 --concurrency 1 is the
# reference; every other combination must print the same bytes.
same() {
    local name=$1
    shift
    ou "$@" --jobs 1 --concurrency 1
    if [ "$RC" -ne 0 ]; then
        not_ok "$name: exit $RC: $(head -c 300 "$WORK/err")"
        return
    fi
    cp "$WORK/out" "$WORK/ref"
    for jc in "2 1" "2 4" "4 4" "3 2"; do
        ou "$@" --jobs "${jc% *}" --concurrency "${jc#* }"
        if [ "$RC" -ne 0 ] || ! cmp -s "$WORK/ref" "$WORK/out"; then
            not_ok "$name: --jobs ${jc% *} --concurrency ${jc#* } differs from --jobs 1 (exit $RC)"
            diff "$WORK/ref" "$WORK/out" | head -n 5 >&2
            return
        fi
    done
    ok
}

same "grouped, 1h" completions --since $S --until $E --bucket 1h \
    --group-by model,project_id --format csv
same "per day, json" completions --since $S --until $E --bucket 1h \
    --group-by model --per day --format json
same "per bucket" embeddings --since $S --until $E --bucket 1h --per bucket \
    --format csv
same "records, streamed" completions --since $S --until $E --bucket 1h \
    --records --group-by project_id --format ndjson
same "records, table" completions --since $S --until $E --bucket 1h \
    --records --group-by project_id --wide
same "costs, exact money" costs --since $S --until $E --group-by line_item,project_id \
    --format json
same "levels" vector-stores --since $S --until $E --bucket 1h --per day \
    --group-by project_id --format csv
same "table, sorted, top" completions --since $S --until $E --bucket 1h \
    --group-by user_id --sort output_tokens --top 5 --wide
same "overview" overview --since $S --until $E --format json
same "local days" completions --since 2025-03-01 --until 2025-03-15 \
    --tz America/New_York --per day --group-by model --format csv

# And the threads' sums are the truth's.
ou completions --since $S --until $E --bucket 1h --group-by model,project_id \
    --per day --format csv --jobs 4 --concurrency 4
truth completions --start-time $S --end-time $E --bucket-width 1h \
    --group-by model,project_id --per day
same_as_truth "--jobs 4 equals the truth"
ou costs --since $S --until $E --group-by line_item --format csv --jobs 3
truth costs --start-time $S --end-time $E --bucket-width 1d --group-by line_item
same_as_truth "costs --jobs 3 equals the truth"

# OAIUSAGE_JOBS is the default; a bad value is a usage error.
OAIUSAGE_JOBS=3 ou completions --since $S --until $E --bucket 1h -v
check "OAIUSAGE_JOBS runs (exit $RC)" test "$RC" -eq 0
OAIUSAGE_JOBS=zero ou completions --since $S --until $E
expect_failure "a bad OAIUSAGE_JOBS" 2 "OAIUSAGE_JOBS: 'zero' is not a whole number"
ou completions --jobs 0
expect_failure "--jobs 0" 2 "'--jobs'"

# sync: pages parsed on the workers, written in order; the store's rows
# are the same at one job and at four.
for j in 1 4; do
    frozen "$MOCK_NOW" sync --db "$WORK/s$j.db" --since $S --endpoint completions,costs \
        --jobs "$j" --concurrency 4
    check "sync --jobs $j (exit $RC: $(head -c 300 "$WORK/err"))" test "$RC" -eq 0
    for t in usage_completions costs; do
        sqlite3 -csv "$WORK/s$j.db" "SELECT * FROM $t" | sort
    done >"$WORK/rows$j"
done
check "the store's rows at --jobs 4 are those at --jobs 1" \
    cmp -s "$WORK/rows1" "$WORK/rows4"
check "the store holds rows" test -s "$WORK/rows1"
finish
