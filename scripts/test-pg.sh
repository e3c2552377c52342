#!/usr/bin/env bash
# test-pg.sh - start throwaway PostgreSQL servers with scripts/pg.sh and
# check them: queries, INSERT ... ON CONFLICT, advisory locks across
# sessions, the history store's end-to-end suite (tests/e2e/test_store.sh
# with STORE_PG_URI), two servers side by side, and that stop leaves no
# process or file behind. Prints one line per check and a summary; exits
# non-zero if any check fails. Bounded in time (OAIUSAGE_PG_TEST_TIMEOUT seconds in
# all, default 600); the servers are always stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${OAIUSAGE_PG_TEST_BOUNDED:-}" ]; then
    export OAIUSAGE_PG_TEST_BOUNDED=1
    exec timeout -k 10 "${OAIUSAGE_PG_TEST_TIMEOUT:-600}" scripts/test-pg.sh "$@"
fi

started=$EPOCHREALTIME
pg=scripts/pg.sh
base=$(mktemp -d /tmp/oaiusage-test-pg.XXXXXX)
# The servers run as another user when this runs as root: let it reach
# DIR/run below (mktemp -d makes a 0700 directory).
chmod 755 "$base"
A=$base/a
# A path too long for a Unix socket: pg.sh moves the socket to /tmp.
B=$base/b-$(printf 'x%.0s' {1..100})
URI="" URI_B="" holder=""

# The original stdout and stderr: a trap runs with the redirections of the
# command it interrupted.
exec 3>&1 4>&2
cleanup() {
    local rc=$?
    exec 1>&3 2>&4
    # Finish cleaning up even if signalled again (timeout(1) signals both
    # this script and its process group).
    trap - EXIT
    trap ':' INT TERM
    # Background jobs (a start still running, the advisory-lock holder) end
    # first; an interrupted start cleans up after itself.
    # shellcheck disable=SC2046
    kill $(jobs -p) 2>/dev/null || true
    until wait; do :; done
    "$pg" stop "$A" || rc=1
    "$pg" stop "$B" || rc=1
    rm -rf -- "$base"
    exit "$rc"
}
trap cleanup EXIT
trap 'echo "test-pg: interrupted (time limit ${OAIUSAGE_PG_TEST_TIMEOUT:-600}s?)" >&4; exit 130' INT TERM

pass=0 fail=0 failed=()
check() { # name command...
    local name=$1 t0=$EPOCHREALTIME
    shift
    if "$@"; then
        pass=$((pass + 1))
        printf 'ok   %-52s %6.2fs\n' "$name" "$(bc_sub "$EPOCHREALTIME" "$t0")"
    else
        fail=$((fail + 1))
        failed+=("$name")
        printf 'FAIL %-52s %6.2fs\n' "$name" "$(bc_sub "$EPOCHREALTIME" "$t0")"
    fi
}
bc_sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }

# sql URI QUERY: run QUERY (one or more statements), print the rows
# unaligned (-At), fail on the first error.
sql() {
    timeout 20 psql -X -q -At -v ON_ERROR_STOP=1 "$1" -c "$2"
}

expect() { # what got want
    [ "$2" = "$3" ] && return 0
    echo "  $1: got '$2', want '$3'" >&2
    return 1
}

# Pids of a server: the postmaster (pg.env) and every process it reports.
server_pids() { # dir uri
    sed -n 's/^pid=//p' "$1/pg.env"
    sql "$2" "select pid from pg_stat_activity"
}

# True if no pid in $1 is still a postgres process, and no process runs on
# data directory $2.
all_gone() { # pids datadir
    local p exe c args
    for p in $1; do
        exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
        case ${exe##*/} in postgres*)
            echo "  postgres process $p still runs" >&2
            return 1
            ;;
        esac
    done
    for c in /proc/[0-9]*/cmdline; do
        { mapfile -d '' -t args <"$c"; } 2>/dev/null || continue
        if [[ " ${args[*]-} " == *" $2 "* ]]; then
            echo "  a process still runs on $2: ${c%/cmdline}" >&2
            return 1
        fi
    done
}

# --- starting -----------------------------------------------------------

start_both() {
    local ra=0 rb=0
    timeout 90 "$pg" start "$A" >"$base/a.uri" 2>"$base/a.err" &
    local pa=$!
    timeout 90 "$pg" start "$B" >"$base/b.uri" 2>"$base/b.err" &
    wait "$pa" || ra=$?
    wait $! || rb=$?
    [ "$ra" -eq 0 ] || { echo "  start $A failed ($ra):" >&2; sed 's/^/    /' "$base/a.err" >&2; }
    [ "$rb" -eq 0 ] || { echo "  start B failed ($rb):" >&2; sed 's/^/    /' "$base/b.err" >&2; }
    URI=$(cat "$base/a.uri")
    URI_B=$(cat "$base/b.uri")
    [ "$ra" -eq 0 ] && [ "$rb" -eq 0 ] &&
        expect "lines printed by start A" "$(wc -l <"$base/a.uri")" 1 &&
        expect "lines printed by start B" "$(wc -l <"$base/b.uri")" 1
}
check "two servers start at the same time" start_both
if [ -z "$URI" ]; then
    echo "test-pg: server A did not start; $pass passed, $((fail + 1)) failed" >&2
    exit 1
fi
echo "     A: $URI"
echo "     B: $URI_B"

# --- server A: basics ---------------------------------------------------

t_select1() { expect "select 1" "$(sql "$URI" 'select 1')" 1; }
t_uri() { expect "pg.sh uri" "$("$pg" uri "$A")" "$URI"; }
t_settings() {
    expect "user, database" "$(sql "$URI" "select current_user || ' ' || current_database()")" \
        "oaiusage oaiusage_test" &&
        expect "listen_addresses" "$(sql "$URI" "show listen_addresses")" "" &&
        expect "fsync" "$(sql "$URI" "show fsync")" off &&
        expect "TimeZone" "$(sql "$URI" "show timezone")" UTC &&
        expect "encoding" "$(sql "$URI" "show server_encoding")" UTF8
}
t_crud() {
    expect "create/insert/select" "$(sql "$URI" "
        create table t_crud (id bigint primary key, name text not null);
        insert into t_crud values (1, 'one'), (2, 'two'), (3, 'three');
        update t_crud set name = 'TWO' where id = 2;
        delete from t_crud where id = 3;
        select string_agg(id || '=' || name, ',' order by id) from t_crud;")" "1=one,2=TWO"
}
t_upsert() {
    expect "insert ... on conflict" "$(sql "$URI" "
        create table t_kv (k text primary key, n bigint not null);
        insert into t_kv values ('a', 1) on conflict (k) do update set n = t_kv.n + excluded.n;
        insert into t_kv values ('a', 2) on conflict (k) do update set n = t_kv.n + excluded.n;
        insert into t_kv values ('a', 9) on conflict do nothing;
        insert into t_kv values ('b', 5) on conflict (k) do update set n = excluded.n;
        select string_agg(k || '=' || n, ',' order by k) from t_kv;")" "a=3,b=5"
}
t_advisory() {
    local held="" i
    # Session 1 takes the lock and holds it (bounded by pg_sleep).
    timeout 40 psql -X -q -At "$URI" \
        -c "select pg_advisory_lock(4242), pg_sleep(30)" >/dev/null 2>&1 &
    holder=$!
    for ((i = 0; i < 100; i++)); do
        held=$(sql "$URI" "select count(*) from pg_locks
            where locktype = 'advisory' and objid = 4242 and granted") || return 1
        [ "$held" = 1 ] && break
        sleep 0.1
    done
    expect "lock held by session 1" "$held" 1 || return 1
    # Session 2 cannot take it, and waiting for it times out.
    expect "pg_try_advisory_lock in session 2" \
        "$(sql "$URI" "select pg_try_advisory_lock(4242)")" f || return 1
    if sql "$URI" "set lock_timeout = '300ms'; select pg_advisory_lock(4242)" \
        >/dev/null 2>"$base/lock.err"; then
        echo "  pg_advisory_lock did not wait for session 1" >&2
        return 1
    fi
    grep -q "lock timeout" "$base/lock.err" || { cat "$base/lock.err" >&2; return 1; }
    # End session 1: the lock is free again.
    expect "terminate session 1" "$(sql "$URI" "select pg_terminate_backend(pid) from pg_locks
        where locktype = 'advisory' and objid = 4242 and granted")" t || return 1
    wait "$holder" || true
    holder=""
    expect "pg_try_advisory_lock after session 1 ended" \
        "$(sql "$URI" "select pg_try_advisory_lock(4242)")" t
}
t_createdb() {
    # The role may create databases (e.g. one per parallel test).
    sql "$URI" "create database oaiusage_t2" &&
        expect "other database" "$(sql "$("$pg" uri "$A" oaiusage_t2)" "select current_database()")" \
            oaiusage_t2 &&
        sql "$URI" "drop database oaiusage_t2"
}

check "select 1" t_select1
check "pg.sh uri prints the same URI" t_uri
check "role, database and settings" t_settings
check "create, insert, update, delete, select" t_crud
check "INSERT ... ON CONFLICT" t_upsert
check "advisory lock held by one session blocks another" t_advisory
check "role can create a database" t_createdb

# --- server A: the history store's end-to-end suite ---------------------
# The same checks as ctest's e2e_test_store (SQLite), on this server: every
# report from a PostgreSQL store equal to the live one, revisions, kill -9,
# faults, two syncs at once, the views read with psql. Needs a build
# (OAIUSAGE_BUILD, default build/, as scripts/test.sh makes it).
build=${OAIUSAGE_BUILD:-build}
t_store_e2e() {
    [ -x "$build/oaiusage" ] && [ -x "$build/server/oaiusage-mock" ] || {
        echo "  no build in $build (run scripts/test.sh first, or set OAIUSAGE_BUILD)" >&2
        return 1
    }
    OAIUSAGE_BIN=$(cd "$build" && pwd)/oaiusage \
        OAIUSAGE_MOCK=$(cd "$build" && pwd)/server/oaiusage-mock \
        E2E_DIR=$(pwd)/tests/e2e STORE_PG_URI=$URI \
        timeout 400 bash tests/e2e/test_store.sh >"$base/store.log" 2>&1 || {
        tail -n 30 "$base/store.log" | sed 's/^/  /' >&2
        return 1
    }
    echo "     $(tail -n 1 "$base/store.log")"
}
check "history store e2e suite on PostgreSQL" t_store_e2e

# --- server B, side by side ---------------------------------------------

t_b_separate() {
    expect "select 1 on B" "$(sql "$URI_B" 'select 1')" 1 &&
        expect "A's table on B" "$(sql "$URI_B" "select to_regclass('t_kv') is null")" t &&
        case $URI_B in *host=/tmp/oaiusage-pg.*) ;; *)
            echo "  B's socket is not in /tmp/oaiusage-pg.*: $URI_B" >&2
            false
            ;;
        esac
}
t_b_crash_stop() {
    # A crashed postmaster: stop must still end its children and clean up.
    local pids run
    pids=$(server_pids "$B" "$URI_B") || return 1
    run=$(sed -n 's/^rundir=//p' "$B/pg.env")
    kill -KILL "$(sed -n 's/^pid=//p' "$B/pg.env")"
    timeout 60 "$pg" stop "$B" || return 1
    all_gone "$pids" "$run/data" &&
        { [ ! -e "$B" ] || { echo "  $B remains" >&2; false; }; } &&
        { [ ! -e "$run" ] || { echo "  $run remains" >&2; false; }; }
}
check "server B is separate (socket moved to /tmp)" t_b_separate
check "stop after a crash (kill -9) cleans up" t_b_crash_stop

# --- refusals -----------------------------------------------------------

t_refuse_nonempty() {
    mkdir "$base/full" && echo keep >"$base/full/file"
    if "$pg" start "$base/full" >/dev/null 2>"$base/full.err"; then
        echo "  start in a non-empty directory succeeded" >&2
        return 1
    fi
    if "$pg" stop "$base/full" 2>>"$base/full.err"; then
        echo "  stop of a non-pg.sh directory succeeded" >&2
        return 1
    fi
    [ "$(cat "$base/full/file")" = keep ] && [ "$(ls -A "$base/full")" = file ]
}
check "start/stop refuse a foreign non-empty directory" t_refuse_nonempty

# --- stopping A ---------------------------------------------------------

t_stop() {
    local pids run t0
    pids=$(server_pids "$A" "$URI") || return 1
    run=$(sed -n 's/^rundir=//p' "$A/pg.env")
    t0=$EPOCHREALTIME
    timeout 60 "$pg" stop "$A" || return 1
    echo "     stop took $(bc_sub "$EPOCHREALTIME" "$t0")s"
    all_gone "$pids" "$run/data" &&
        { [ ! -e "$A" ] || { echo "  $A remains" >&2; false; }; }
}
t_stop_again() { "$pg" stop "$A" && [ ! -e "$A" ]; }
t_no_connect() {
    if sql "$URI" 'select 1' >/dev/null 2>&1; then
        echo "  the stopped server still answers" >&2
        return 1
    fi
}
check "stop ends every server process and removes DIR" t_stop
check "stop again is a no-op" t_stop_again
check "the stopped server refuses connections" t_no_connect

total=$(bc_sub "$EPOCHREALTIME" "$started")
if [ "$fail" -ne 0 ]; then
    echo "test-pg: $pass passed, $fail failed (${failed[*]}) in ${total}s"
    exit 1
fi
echo "test-pg: all $pass checks passed in ${total}s"
