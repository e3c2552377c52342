#!/usr/bin/env bash
# Every bad input ends with its documented exit code, one clear line on
# stderr, nothing on stdout, and an --output file left exactly as it was.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
start_mock
W="--since 2025-01-01 --until 2025-01-10"

# Usage errors (2), before any request is made.
: >"$WORK/requests.log"
ou completions --bogus;                  expect_failure "unknown option" 2 "unknown option '--bogus'"
ou completions --group-by modle $W;      expect_failure "unknown group_by" 2 "allowed: project_id, user_id, api_key_id, model, batch, service_tier"
ou costs --group-by model $W;            expect_failure "costs group_by model" 2 "allowed: project_id, line_item, api_key_id"
ou completions --since 2025-13-01;       expect_failure "malformed date" 2 "'--since': '2025-13-01'"
ou completions --since yesterday;        expect_failure "malformed date word" 2 "expected Unix seconds, YYYY-MM-DD or RFC 3339"
ou completions --days -3;                expect_failure "negative days" 2 "whole number of days"
ou costs --bucket 1h $W;                 expect_failure "costs 1h" 2 "only --bucket 1d"
ou costs --model gpt-4o $W;              expect_failure "costs --model" 2 "costs has no --model filter"
ou completions --format yaml $W;         expect_failure "bad format" 2 "not one of table, csv, json, ndjson"
ou completions --records --per day $W;   expect_failure "records+per" 2 "exclude each other"
ou bogus;                                expect_failure "unknown command" 2 "unknown command 'bogus'"
"$OAIUSAGE_BIN" >"$WORK/out" 2>"$WORK/err"; RC=$?
expect_failure "no command" 2 "no command given"
"$OAIUSAGE_BIN" completions --base-url http://example.com/v1 $W >"$WORK/out" 2>"$WORK/err"; RC=$?
expect_failure "plain http to a remote host" 2 "refusing to send the admin key over plain http"
check "usage errors made no request" [ ! -s "$WORK/requests.log" ]

# Authentication (3): missing key, wrong key, project key.
(unset OPENAI_ADMIN_KEY; "$OAIUSAGE_BIN" completions --base-url "$BASE" $W >"$WORK/out" 2>"$WORK/err"); RC=$?
expect_failure "no key" 3 "no admin key: set OPENAI_ADMIN_KEY"
OPENAI_ADMIN_KEY=sk-wrong-key-0000000000000000 ou completions $W
expect_failure "wrong key (401)" 3 "HTTP 401.*Admin API key is needed"
OPENAI_ADMIN_KEY=sk-proj-projectkey000000000000000 ou completions $W
expect_failure "project key (403)" 3 "HTTP 403.*Missing scopes: api.usage.read.*Admin API key is needed"
check "the project key is not echoed" bash -c "! grep -q projectkey000000000000000 '$WORK/err'"

# The key from a file or stdin.
printf '%s\n' "$OPENAI_ADMIN_KEY" >"$WORK/key"
(unset OPENAI_ADMIN_KEY; "$OAIUSAGE_BIN" completions --base-url "$BASE" $W --admin-key-file "$WORK/key" >"$WORK/out" 2>"$WORK/err"); RC=$?
check "--admin-key-file FILE works" eval '[ "$RC" -eq 0 ] && [ -s "$WORK/out" ]'
(unset OPENAI_ADMIN_KEY; "$OAIUSAGE_BIN" completions --base-url "$BASE" $W --admin-key-file - <"$WORK/key" >"$WORK/out" 2>"$WORK/err"); RC=$?
check "--admin-key-file - reads stdin" eval '[ "$RC" -eq 0 ] && [ -s "$WORK/out" ]'
ou completions $W --admin-key-file "$WORK/nonexistent"
expect_failure "unreadable key file" 5 "cannot read admin key file"

# API failures (1) and malformed responses (4), each with the output file
# left untouched.
echo "precious" >"$WORK/keep.csv"
fault() { # fault SPEC CODE PATTERN
    start_mock --fault "$1"
    ou completions $W --format csv -o "$WORK/keep.csv"
    expect_failure "fault $1" "$2" "$3"
    check "fault $1 left the output file alone" grep -qx precious "$WORK/keep.csv"
    check "fault $1 left no temporary file" bash -c "! ls '$WORK'/keep.csv.tmp.* 2>/dev/null"
}
fault 1:429:7 1 "completions page 1: HTTP 429 \(rate limited; Retry-After 7 s\)"
fault 1:500 1 "completions page 1: HTTP 500"
fault 1:503 1 "completions page 1: HTTP 503"
fault 1:400 1 "completions page 1: HTTP 400"
fault 1:drop 1 "completions page 1: "
fault 1:truncate 1 "completions page 1: connection broke off"
fault 1:malformed 4 "completions page 1: response is not (complete|valid) JSON"
fault 1:notjson 4 "completions page 1: response is not valid JSON \(byte offset 0\)"
fault 1:wrongtype 4 "completions page 1: data\[[0-9]+\]\.results\[[0-9]+\]\.input_tokens: expected an integer, got a string"
fault 1:nodata 4 "completions page 1: data: expected an array of buckets"
fault 1:hasmore-nocursor 4 "has_more is true but next_page is missing"
fault 1:repeatcursor 4 "buckets overlap or are out of order"
fault 1:401 3 "HTTP 401"
fault 1:403 3 "HTTP 403"
fault 1:gap 4 "completions page 1: buckets have a gap: expected one starting at 2025-01-0[0-9]T00:00:00Z, got 2025-01-0[0-9]T00:00:00Z"
fault 1:overlap 4 "completions page 1: buckets overlap or are out of order"
fault 1:extra 4 "completions page 1: a bucket starts at 2025-01-10T00:00:00Z, at or after the window's end"
# A failure on the second page loses the first: nothing is printed.
start_mock --fault 2:500
ou completions --since 2025-01-01 --until 2025-03-01 --format csv -o "$WORK/keep.csv"
expect_failure "500 on page 2 of 2" 1 "completions page 2: HTTP 500"
check "page 2 failure left the output file alone" grep -qx precious "$WORK/keep.csv"
# Page 2 hands back the cursor that fetched it.
start_mock --fault 2:repeatcursor
ou completions --since 2025-01-01 --until 2025-03-01 --format csv
expect_failure "cursor repeated on page 2" 4 "completions page 2: the API repeated a page cursor"
# A response slower than --timeout.
start_mock --fault 1:delay:3000
ou completions $W --timeout 0.5
expect_failure "timeout" 1 "completions page 1: timed out"

# A successful run replaces the file atomically and prints nothing.
start_mock
ou completions $W --group-by model --format csv -o "$WORK/keep.csv"
check "-o succeeds quietly" eval '[ "$RC" -eq 0 ] && [ ! -s "$WORK/out" ]'
ou completions $W --group-by model --format csv
check "-o wrote exactly what stdout gets" cmp -s "$WORK/out" "$WORK/keep.csv"
# Through a symlink: the target is replaced, the link and the mode stay.
echo old >"$WORK/target.csv"
chmod 640 "$WORK/target.csv"
ln -s target.csv "$WORK/link.csv"
ou completions $W --group-by model --format csv -o "$WORK/link.csv"
check "-o through a symlink keeps the link" test -L "$WORK/link.csv"
check "-o through a symlink writes the target" cmp -s "$WORK/target.csv" "$WORK/keep.csv"
check "-o keeps an existing file's mode" eval '[ "$(stat -c %a "$WORK/target.csv")" = 640 ]'
ou completions $W --format csv -o /dev/null
expect_failure "-o to a device" 5 "not a regular file"
ou completions $W --format csv -o "$WORK/no/such/dir/out.csv"
expect_failure "unwritable output" 5 "cannot create a temporary file next to"

# -v shows each request and the masked key, never the key.
ou completions $W -v
check "verbose lists the request" grep -q 'GET http://127.0.0.1:.*/organization/usage/completions?start_time=.* -> 200' "$WORK/err"
check "verbose shows the masked key" grep -q 'sk-admin-…0042' "$WORK/err"
ou completions $W -q
check "-q prints nothing on stderr" [ ! -s "$WORK/err" ]
finish
