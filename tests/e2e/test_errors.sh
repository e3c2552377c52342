#!/usr/bin/env bash
# Every bad input ends with its documented exit code, one clear line on
# stderr, nothing on stdout, and an --output file left exactly as it was.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
start_mock
W="--since 2025-01-01 --until 2025-01-10"

# Usage errors (2), before any request is made.
: >"$WORK/requests.log"
ou completions --bogus;                  expect_failure "unknown option" 2 "unknown option '--bogus'"
ou completions --group-by modle $W;      expect_failure "unknown group_by" 2 "allowed: project_id, user_id, api_key_id, model, batch, service_tier, api_source"
ou costs --group-by batch $W;            expect_failure "costs group_by batch" 2 "allowed: project_id, user_id, line_item, api_key_id, api_source, model, component"
ou completions --since 2025-13-01;       expect_failure "malformed date" 2 "'--since': '2025-13-01'"
ou completions --since fortnight;        expect_failure "malformed date word" 2 "'--since': 'fortnight'"
ou completions --days -3;                expect_failure "negative days" 2 "whole number of days"
ou costs --bucket 1h $W;                 expect_failure "costs 1h" 2 "only --bucket 1d"
ou costs --model gpt-4o $W;              expect_failure "costs --model" 2 "costs has no --model filter"
ou completions --format yaml $W;         expect_failure "bad format" 2 "not one of table, csv, json, ndjson"
ou completions --records --per day $W;   expect_failure "records+per" 2 "exclude each other"
ou bogus;                                expect_failure "unknown command" 2 "unknown command 'bogus'"
"$OAIUSAGE_BIN" --days 3 >"$WORK/out" 2>"$WORK/err"; RC=$?
expect_failure "options but no command" 2 "no command given"
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
chmod 600 "$WORK/key"
(unset OPENAI_ADMIN_KEY; "$OAIUSAGE_BIN" completions --base-url "$BASE" $W --admin-key-file "$WORK/key" >"$WORK/out" 2>"$WORK/err")
check "a private key file gives no warning" [ ! -s "$WORK/err" ]
chmod 644 "$WORK/key"
(unset OPENAI_ADMIN_KEY; "$OAIUSAGE_BIN" completions --base-url "$BASE" $W --admin-key-file "$WORK/key" >"$WORK/out" 2>"$WORK/err")
check "a world-readable key file is warned about" grep -q "warning: admin key file '.*' is readable by others (chmod 600" "$WORK/err"
ou completions $W --admin-key-file "$WORK/nonexistent"
expect_failure "unreadable key file" 5 "cannot read admin key file"

# A successful run replaces the file atomically and prints nothing.
echo "precious" >"$WORK/keep.csv"
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
check "-o /dev/null: written in place, exit 0 ($(head -c 200 "$WORK/err"))" [ "$RC" -eq 0 ]
check "... and /dev/null is still the device" test -c /dev/null
mkdir -p "$WORK/adir"
ou completions $W --format csv -o "$WORK/adir"
expect_failure "-o to a directory" 5 "not a regular file"
ou completions $W --format csv -o "$WORK/no/such/dir/out.csv"
expect_failure "unwritable output" 5 "cannot create a temporary file next to"

# SIGTERM and SIGINT end the run with 143 / 130, the output file untouched.
echo "precious" >"$WORK/keep.csv"
for sig in TERM INT; do
    # Two pages; the second is slow. Once the first is answered the client
    # is surely running, mid-fetch.
    start_mock --fault 2:delay:5000
    "${OU[@]}" --base-url "$BASE" completions --since 2025-01-01 --until 2025-03-01 \
        --format csv --concurrency 1 -o "$WORK/keep.csv" >"$WORK/out" 2>"$WORK/err" &
    pid=$!
    for _ in $(seq 1 200); do
        [ -s "$WORK/requests.log" ] && break
        sleep 0.05
    done
    kill -s $sig $pid
    wait $pid
    RC=$?
    want=143; [ $sig = INT ] && want=130
    check "SIG$sig exits $want (got $RC)" [ "$RC" -eq "$want" ]
    check "SIG$sig leaves the output file alone" grep -qx precious "$WORK/keep.csv"
    check "SIG$sig leaves no temporary file" bash -c "! ls '$WORK'/keep.csv.tmp.* 2>/dev/null"
    check "SIG$sig says so" grep -q 'interrupted' "$WORK/err"
done
start_mock

# A full disk on stdout is exit 5; a reader that stops early is not an error.
if [ -w /dev/full ]; then
    "$OAIUSAGE_BIN" --base-url "$BASE" completions $W --group-by model >/dev/full 2>"$WORK/err"
    RC=$?
    : >"$WORK/out"
    expect_failure "stdout on a full disk" 5 "cannot write to standard output: No space left on device"
fi
"$OAIUSAGE_BIN" --base-url "$BASE" completions --since 2025-01-01 --until 2025-01-03 \
    --bucket 1m --records --group-by model,project_id --format csv 2>"$WORK/err" | head -n 1 >/dev/null
status=${PIPESTATUS[0]}
check "| head: oaiusage exits 0 (got $status)" [ "$status" -eq 0 ]
check "| head: nothing on stderr" [ ! -s "$WORK/err" ]

# -v shows each request and the masked key, never the key.
ou completions $W -v
check "verbose lists the request" grep -q 'GET http://127.0.0.1:.*/organization/usage/completions?start_time=.* -> 200' "$WORK/err"
check "verbose shows the masked key" grep -q 'sk-admin-…0042' "$WORK/err"
ou completions $W -q
check "-q prints nothing on stderr" [ ! -s "$WORK/err" ]
finish
