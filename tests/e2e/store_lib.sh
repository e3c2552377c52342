# store_lib.sh - what the history store's end-to-end tests share (sourced
# after lib.sh): the client's clock faked to the server's, and the
# comparison of a report from the store with the live one.
#
# Each store test runs against a DB given in $STORE_DB (a SQLite file or a
# PostgreSQL URI), so the same checks run on both engines.

command -v faketime >/dev/null || { echo "faketime is required (scripts/deps.sh --test)" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is required" >&2; exit 1; }

# The client's clock: the server's --now, so that "now" means the same to
# both (the server's data ends at its own now).
CLIENT_NOW=$MOCK_NOW

# The clock is faked by preloading libfaketime directly: the faketime
# wrapper forks, so killing it would leave the program running. A
# sanitizer build needs its runtime first in the preload list (ASan refuses
# to start otherwise).
FAKETIME_LIB=$(faketime -f '@2025-01-01 00:00:00' sh -c 'printf %s "$LD_PRELOAD"')
[ -n "$FAKETIME_LIB" ] || { echo "cannot find libfaketime" >&2; exit 1; }
SAN_PRELOAD=$(ldd "$OAIUSAGE_BIN" 2>/dev/null | awk '/lib(a|ub)san\.so/ { printf "%s ", $3 }')

# at_time NOW CMD...: exec CMD with the clock at NOW (Unix seconds),
# ticking from there. Run it in a subshell, ( at_time ... ) or with &: the
# process (and $!) is then CMD itself.
at_time() {
    local when
    when=$(date -u -d "@$1" '+%Y-%m-%d %H:%M:%S')
    shift
    exec env LD_PRELOAD="$SAN_PRELOAD$FAKETIME_LIB" FAKETIME="@$when" "$@"
}

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
