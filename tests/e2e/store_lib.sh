# store_lib.sh - what the history store's end-to-end tests share (sourced
# after lib.sh): the client's clock faked to the server's, and the
# comparison of a report from the store with the live one.
#
# Each store test runs against a DB given in $STORE_DB (a SQLite file or a
# PostgreSQL URI), so the same checks run on both engines.

command -v jq >/dev/null || { echo "jq is required" >&2; exit 1; }
. "${E2E_DIR:-$(dirname "$0")}/clock_lib.sh"

# The client's clock: the server's --now, so that "now" means the same to
# both (the server's data ends at its own now).
CLIENT_NOW=$MOCK_NOW

# ouat NOW ARGS...: oaiusage with its clock at NOW (Unix seconds).
ouat() {
    (at_time "$1" "${OU[@]}" --base-url "$BASE" "${@:2}") >"$WORK/out" 2>"$WORK/err"
    RC=$?
    if grep -q "$OPENAI_ADMIN_KEY" "$WORK/out" "$WORK/err"; then
        not_ok "the admin key appeared in the output of: oaiusage $*"
    fi
}

# same_report DESCRIPTION ARGS...: the report from the store (--db) and
# the live one print the same bytes.
same_report() {
    local what=$1
    shift
    ou "$@"
    local live_rc=$RC
    cp "$WORK/out" "$WORK/live.out"
    "${OU[@]}" --db "$STORE_DB" "$@" >"$WORK/out" 2>"$WORK/err"
    RC=$?
    if [ "$live_rc" -ne 0 ] || [ "$RC" -ne 0 ]; then
        not_ok "$what: live exit $live_rc, store exit $RC: $(head -c 300 "$WORK/err")"
        return
    fi
    if [ ! -s "$WORK/live.out" ]; then
        not_ok "$what: the live report is empty (a vacuous comparison)"
        return
    fi
    if cmp -s "$WORK/live.out" "$WORK/out"; then
        ok
    else
        not_ok "$what: the store's report differs from the live one"
        diff "$WORK/live.out" "$WORK/out" | head -n 6 >&2
    fi
}
