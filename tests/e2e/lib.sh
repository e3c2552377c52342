# lib.sh - shared helpers for the end-to-end tests (sourced, bash).
#
# Each test script starts its own bundled API server on a free loopback
# port, runs the real oaiusage binary against it and compares what it prints
# with the server's independently computed truth (`oaiusage-mock truth`,
# which sums the synthetic dataset minute by minute without building pages).
# Every script ends with "N passed, N failed" and exits non-zero on failure.

set -u
: "${OAIUSAGE_BIN:?OAIUSAGE_BIN must point at the oaiusage binary}"
: "${OAIUSAGE_MOCK:?OAIUSAGE_MOCK must point at the oaiusage-mock binary}"

export LC_ALL=C TZ=UTC
WORK=$(mktemp -d "${TMPDIR:-/tmp}/oaiusage-e2e.XXXXXX")
MOCK_PID=""
PASS=0
FAIL=0
# A well-formed admin key; every test checks it never appears in output.
export OPENAI_ADMIN_KEY="sk-admin-e2eSECRETe2eSECRETe2eSECRET0042"
unset OAIUSAGE_BASE_URL
# A fixed "now" for the server, well after every window the tests ask for.
MOCK_NOW=1743465600   # 2025-04-01T00:00:00Z
# Names caches stay with the test: a port another test used before must
# not hand this one its names.
export XDG_CACHE_HOME="$WORK/cache"
# No config file unless a test writes one: the user's own never counts.
export XDG_CONFIG_HOME="$WORK/config"
unset OAIUSAGE_PROFILE

cleanup() {
    stop_mock
    rm -rf "$WORK"
}
trap cleanup EXIT

ok() { PASS=$((PASS + 1)); }
not_ok() {
    FAIL=$((FAIL + 1))
    echo "FAIL: $*" >&2
}
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then ok; else not_ok "$what"; fi
}

# start_mock [serve options...]: start a server, set BASE.
start_mock() {
    stop_mock
    rm -f "$WORK/port"
    : >"$WORK/requests.log"   # each server's log starts empty
    "$OAIUSAGE_MOCK" serve --port 0 --port-file "$WORK/port" \
        --log "$WORK/requests.log" --now "$MOCK_NOW" "$@" \
        >"$WORK/mock.out" 2>"$WORK/mock.err" &
    MOCK_PID=$!
    for _ in $(seq 1 200); do
        [ -s "$WORK/port" ] && break
        if ! kill -0 "$MOCK_PID" 2>/dev/null; then
            echo "mock server died:" >&2
            cat "$WORK/mock.err" >&2
            exit 1
        fi
        sleep 0.05
    done
    [ -s "$WORK/port" ] || { echo "mock server did not start" >&2; exit 1; }
    BASE="http://127.0.0.1:$(cat "$WORK/port")/v1"
}

stop_mock() {
    if [ -n "$MOCK_PID" ]; then
        kill "$MOCK_PID" 2>/dev/null
        wait "$MOCK_PID" 2>/dev/null
        MOCK_PID=""
    fi
}

# OAIUSAGE_VALGRIND=1 runs every oaiusage under valgrind memcheck: any
# memory error or leak turns the exit status into 99 (and fails the test),
# with valgrind's report kept beside the test's files.
OU=("$OAIUSAGE_BIN")
if [ -n "${OAIUSAGE_VALGRIND:-}" ]; then
    OU=(valgrind --quiet --error-exitcode=99 --leak-check=full
        --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
        --log-file="$WORK/valgrind.%p.log" "$OAIUSAGE_BIN")
fi

# ou ARGS...: run oaiusage against the server; stdout in $WORK/out, stderr
# in $WORK/err, exit status in RC.
ou() {
    "${OU[@]}" --base-url "$BASE" "$@" >"$WORK/out" 2>"$WORK/err"
    RC=$?
    if [ "$RC" -eq 99 ] && [ -n "${OAIUSAGE_VALGRIND:-}" ]; then
        not_ok "valgrind found errors in: oaiusage $*"
        cat "$WORK"/valgrind.*.log >&2
    fi
    if grep -q "$OPENAI_ADMIN_KEY" "$WORK/out" "$WORK/err"; then
        not_ok "the admin key appeared in the output of: oaiusage $*"
    fi
}

# drop_title: remove the table's title line (and the blank line after
# it) from $WORK/out, for checks that read the table by line number.
drop_title() {
    if [ "$(sed -n 2p "$WORK/out")" = "" ] && head -n 1 "$WORK/out" | grep -q ' UTC'; then
        sed -i '1,2d' "$WORK/out"
    fi
}

# truth ENDPOINT ARGS...: the server's truth CSV in $WORK/truth.
truth() {
    "$OAIUSAGE_MOCK" truth "$@" --now "$MOCK_NOW" >"$WORK/truth" 2>"$WORK/truth.err" ||
        { echo "truth failed: $*" >&2; cat "$WORK/truth.err" >&2; return 1; }
}

# canon FILE: CSV rows in a canonical form for comparison: CR dropped,
# decimals without trailing fractional zeros, header first, rows sorted.
canon() {
    tr -d '\r' <"$1" | sed -E 's/([0-9]\.[0-9]*[1-9])0+(,|$|")/\1\2/g; s/([0-9])\.0+(,|$|")/\1\2/g' >"$1.c1"
    head -n 1 "$1.c1"
    tail -n +2 "$1.c1" | sort
}

# same_as_truth DESCRIPTION: compare $WORK/out (CSV) with $WORK/truth.
same_as_truth() {
    if [ "$RC" -ne 0 ]; then
        not_ok "$1: oaiusage exited $RC: $(head -c 300 "$WORK/err")"
        return
    fi
    canon "$WORK/out" >"$WORK/out.canon"
    canon "$WORK/truth" >"$WORK/truth.canon"
    if [ "$(wc -l <"$WORK/truth.canon")" -lt 2 ]; then
        not_ok "$1: the truth has no rows (a vacuous comparison)"
        return
    fi
    if cmp -s "$WORK/out.canon" "$WORK/truth.canon"; then
        ok
    else
        not_ok "$1: output differs from the server's truth"
        diff "$WORK/truth.canon" "$WORK/out.canon" | head -n 10 >&2
    fi
}

# expect_failure DESCRIPTION CODE PATTERN: RC is CODE, stdout empty, stderr
# is one line matching PATTERN.
expect_failure() {
    local what=$1 code=$2 pattern=$3
    if [ "$RC" -ne "$code" ]; then
        not_ok "$what: exit $RC, wanted $code ($(head -c 300 "$WORK/err"))"
        return
    fi
    if [ -s "$WORK/out" ]; then
        not_ok "$what: stdout is not empty on failure"
        return
    fi
    if [ "$(wc -l <"$WORK/err")" -ne 1 ]; then
        not_ok "$what: wanted exactly one line on stderr, got: $(cat "$WORK/err")"
        return
    fi
    if ! grep -Eq -- "$pattern" "$WORK/err"; then
        not_ok "$what: stderr does not match /$pattern/: $(cat "$WORK/err")"
        return
    fi
    ok
}

finish() {
    echo "$PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
    exit $?
}
