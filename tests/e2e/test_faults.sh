#!/usr/bin/env bash
# Faults: a transient failure is retried and the output is byte-identical to
# the fault-free run; a persistent or final one fails with its documented
# exit code, one message naming the endpoint, page and cause, an empty
# stdout, and the -o file exactly as it was.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
# One transfer at a time: the server numbers requests, so faults hit a
# known page. (A run under concurrency is checked at the end.)
W="--since 2025-01-01 --until 2025-03-01 --group-by model,project_id --format csv --concurrency 1"

start_mock
ou completions $W
cp "$WORK/out" "$WORK/clean.csv"
check "the fault-free run works" eval '[ "$RC" -eq 0 ] && [ -s "$WORK/clean.csv" ]'

transient() { # transient NAME "serve options" [oaiusage options] [stderr pattern]
    local name=$1 faults=$2 extra=${3:-} pattern=${4:-retrying in}
    # shellcheck disable=SC2086
    start_mock $faults
    # shellcheck disable=SC2086
    ou completions $W $extra -o "$WORK/t.csv"
    if [ "$RC" -ne 0 ]; then
        not_ok "$name: exit $RC: $(cat "$WORK/err")"
        return
    fi
    check "$name: output identical to the fault-free run" cmp -s "$WORK/t.csv" "$WORK/clean.csv"
    check "$name: the retry is announced ($pattern)" grep -Eq -- "$pattern" "$WORK/err"
    check "$name: nothing on stdout with -o" [ ! -s "$WORK/out" ]
}
transient "429 with Retry-After 1" "--fault 1:429:1" "" \
    "completions page 1: HTTP 429; retrying in 1.0 s \(4 attempts left\)"
transient "503 twice" "--fault 1:503 --fault 2:503" "" \
    "completions page 1: HTTP 503; retrying in [0-9.]+ s \(3 attempts left\)"
transient "a single 500" "--fault 1:500"
transient "a 500 on page 2" "--fault 2:500" "" "completions page 2: HTTP 500; retrying"
transient "a dropped connection" "--fault 1:drop" "" "connection broke off; retrying"
transient "a truncated body" "--fault 2:truncate" "" "page 2: connection broke off; retrying"
transient "a response slower than --timeout" "--fault 1:delay:3000" "--timeout 0.5" \
    "page 1: timed out; retrying"
transient "502 then 503 with Retry-After 0" "--fault 1:502 --fault 2:503:0" "" \
    "HTTP 503; retrying in 0.0 s"
check "Retry-After 0 was honoured (three requests for the first page)" \
    [ "$(grep -c 'usage/completions' "$WORK/requests.log")" -eq 4 ]
# Quiet retries: -q silences the announcements, not the result.
start_mock --fault 1:500
ou completions $W -q
check "-q: retried silently" eval '[ "$RC" -eq 0 ] && [ ! -s "$WORK/err" ] && cmp -s "$WORK/out" "$WORK/clean.csv"'

echo "precious" >"$WORK/keep.csv"
final() { # final NAME "serve options" CODE PATTERN [oaiusage options]
    local name=$1 faults=$2 code=$3 pattern=$4 extra=${5:-}
    # shellcheck disable=SC2086
    start_mock $faults
    # shellcheck disable=SC2086
    ou completions $W $extra -q -o "$WORK/keep.csv"
    expect_failure "$name" "$code" "$pattern"
    check "$name: the output file is untouched" grep -qx precious "$WORK/keep.csv"
    check "$name: no temporary file is left" bash -c "! ls '$WORK'/keep.csv.tmp.* 2>/dev/null"
}
# Persistent failures, after the retries.
final "persistent 500" "--fault 1+:500" 1 \
    "completions page 1: HTTP 500 \(after 3 attempts\): " "--retries 2"
final "persistent 500 from the middle of the pagination" "--fault 2+:500" 1 \
    "completions page 2: HTTP 500 \(after 3 attempts\)" "--retries 2"
final "persistent drop" "--fault 1+:drop" 1 \
    "completions page 1: connection broke off .*\(after 2 attempts\)" "--retries 1"
final "a Retry-After beyond the cap" "--fault 1:429:600" 1 \
    "completions page 1: HTTP 429 \(rate limited; Retry-After 600 s\)"
final "--retries 0" "--fault 1:503" 1 "completions page 1: HTTP 503: " "--retries 0"
# Never retried: the request is wrong, or the key is.
for spec in "400:1:HTTP 400" "401:3:HTTP 401.*Admin API key" "403:3:HTTP 403.*Admin API key" ; do
    IFS=: read -r f code pat <<<"$spec"
    final "fault $f" "--fault 1:$f" "$code" "completions page 1: $pat"
    check "fault $f was not retried" [ "$(grep -c 'usage/completions' "$WORK/requests.log")" -eq 1 ]
done
# Malformed responses: named, with the place, never retried.
final "malformed JSON" "--fault 1:malformed" 4 "completions page 1: response is not (complete|valid) JSON"
final "an HTML body" "--fault 1:notjson" 4 "completions page 1: response is not valid JSON \(byte offset 0\)"
final "wrong-type field" "--fault 2:wrongtype" 4 \
    "completions page 2: data\[[0-9]+\]\.results\[[0-9]+\]\.input_tokens: expected an integer, got a string"
final "no data array" "--fault 1:nodata" 4 "completions page 1: data: expected an array of buckets"
final "has_more without a cursor" "--fault 1:hasmore-nocursor" 4 "has_more is true but next_page is missing"
# With pages of 7 buckets, each sub-window follows cursors.
final "a cursor repeated on a page" "--page-cap 7 --fault 2:repeatcursor" 4 \
    "completions page 1.2: the API repeated a page cursor"
final "a first page whose cursor loops back" "--fault 1:repeatcursor" 4 "buckets overlap or are out of order"
final "a 500 on a follow-up page" "--page-cap 7 --fault 3+:500" 1 "completions page 1.3: HTTP 500 \(after 2 attempts\)" "--retries 1"
final "a gap between buckets" "--fault 1:gap" 4 "buckets have a gap"
final "overlapping buckets" "--fault 1:overlap" 4 "buckets overlap or are out of order"
final "a bucket after the window" "--fault 2:extra" 4 "at or after the window's end"
final "a 4 GiB body" "--fault 1:huge" 1 "completions page 1: response larger than the size cap"
final "JSON nested 10000 deep" "--fault 1:deep" 4 "completions page 1: .*nested"
final "a failure after streamed records" "--fault 2+:500" 1 \
    "completions page 2: HTTP 500" "--records --retries 0"
check "nothing was retried after the last fault" [ "$(grep -c 'usage/completions' "$WORK/requests.log")" -eq 2 ]

# Under concurrency: transient faults on several requests, a 429 that
# slows the run down, the same output; a persistent fault still fails.
WC="--since 2025-01-01 --until 2025-01-31 --bucket 1h --group-by model --format csv"
start_mock
ou completions $WC --concurrency 1
cp "$WORK/out" "$WORK/hours.csv"
start_mock --fault 1:503 --fault 2:429:1 --fault 3:drop --fault 4:500
ou completions $WC --concurrency 4
check "concurrent transient faults: same output" eval '[ "$RC" -eq 0 ] && cmp -s "$WORK/out" "$WORK/hours.csv"'
check "the 429 was announced" grep -q 'HTTP 429; retrying in 1.0 s' "$WORK/err"
start_mock --fault 3+:503
ou completions $WC --concurrency 4 --retries 1 -q -o "$WORK/keep.csv"
expect_failure "concurrent persistent fault" 1 "completions page [0-9]: HTTP 503 \(after 2 attempts\)"
check "concurrent failure left the output file alone" grep -qx precious "$WORK/keep.csv"

# --deadline bounds the whole run, retries included.
start_mock --fault 1+:503
t0=$(date +%s%N)
ou completions $W --deadline 2 --retries 6 -q -o "$WORK/keep.csv"
t1=$(date +%s%N)
expect_failure "--deadline" 1 "completions page 1: HTTP 503 \(after [0-9]+ attempts\)"
elapsed=$(( (t1 - t0) / 1000000 ))
# Without the deadline six retries would wait 0.5+1+2+4+8+8 s (a quarter
# less at most): well over 10 s. With it the run ends after about 2 s.
check "the run stopped at its deadline, not after its retries (${elapsed} ms)" \
    [ "$elapsed" -lt 10000 ]
check "the output file is untouched after the deadline" grep -qx precious "$WORK/keep.csv"
ou completions $W --deadline 2
check "the deadline is announced" grep -q 'no retry, the --deadline would pass' "$WORK/err"
finish
