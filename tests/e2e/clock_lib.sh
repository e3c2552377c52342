# clock_lib.sh - the client's clock set by the tests (sourced after lib.sh).
#
# The clock is faked by preloading libfaketime directly: the faketime
# wrapper forks, so killing it would leave the program running. A
# sanitizer build needs its runtime first in the preload list (ASan refuses
# to start otherwise).
command -v faketime >/dev/null || { echo "faketime is required (scripts/deps.sh --test)" >&2; exit 1; }
# Found on disk: the faketime wrapper (asked as a last resort) makes a
# named semaphore, which tests starting at once can collide on.
FAKETIME_LIB=$(ls /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1 2>/dev/null | head -n 1)
[ -n "$FAKETIME_LIB" ] ||
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

# frozen NOW ARGS...: oaiusage against the server with its clock stopped at
# NOW (the monotonic clock stays real, for timeouts): a report's "now" is
# NOW exactly. stdout in $WORK/out, stderr in $WORK/err, status in RC.
frozen() {
    local when
    when=$(date -u -d "@$1" '+%Y-%m-%d %H:%M:%S')
    shift
    env LD_PRELOAD="$SAN_PRELOAD$FAKETIME_LIB" FAKETIME="$when" \
        FAKETIME_DONT_FAKE_MONOTONIC=1 "${OU[@]}" --base-url "$BASE" "$@" \
        >"$WORK/out" 2>"$WORK/err"
    RC=$?
    if grep -q "$OPENAI_ADMIN_KEY" "$WORK/out" "$WORK/err"; then
        not_ok "the admin key appeared in the output of: oaiusage $*"
    fi
}
