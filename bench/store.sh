#!/usr/bin/env bash
# store.sh [BUILD_DIR] [DAYS] [sqlite|postgres] - the history store
# against the large organization (bench/RESULTS.md, "History store"):
#   1. the first sync of DAYS days (default 365) of every endpoint and the
#      costs into a new store (SQLite, or a throwaway PostgreSQL server
#      started with scripts/pg.sh): wall time, requests, store size;
#   2. the next day's incremental sync (the server's clock a day later):
#      wall time and requests;
#   3. reports over the whole window from the store and live (best of 3),
#      and that both print the same bytes.
# The server runs with --latency 100 (every request waits 100 ms). The
# client's clock is set to the server's with libfaketime.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
days=${2:-365}
engine=${3:-sqlite}
latency=${OAIUSAGE_BENCH_LATENCY:-100}
work=$(mktemp -d)
chmod 755 "$work" # pg.sh's server user reaches its run directory below
server=""
cleanup() {
    [ -z "$server" ] || kill "$server" 2>/dev/null
    [ "$engine" != postgres ] || scripts/pg.sh stop "$work/pg" || true
    rm -rf "$work"
}
trap cleanup EXIT
command -v faketime >/dev/null || { echo "faketime is required (scripts/deps.sh --test)" >&2; exit 1; }
export OPENAI_ADMIN_KEY=sk-admin-bench000000000000000000000000
export XDG_CACHE_HOME=$work/cache
now=1743465600 # 2025-04-01T00:00:00Z, the server's default clock
since=$(date -u -d "@$((now - days * 86400))" +%Y-%m-%d)
until=$(date -u -d "@$now" +%Y-%m-%d)
case $engine in
sqlite)
    db=$work/usage.db
    size() { echo "$(($(du -k "$db" | cut -f1) / 1024)) MiB"; }
    ;;
postgres)
    db=$(scripts/pg.sh start "$work/pg")
    size() { echo "$(psql "$db" -X -A -t -q -c "SELECT pg_database_size(current_database()) / 1048576") MiB"; }
    ;;
*) echo "engine: sqlite or postgres" >&2; exit 2 ;;
esac

start() { # start NOW
    [ -z "$server" ] || { kill "$server"; wait "$server" 2>/dev/null || true; }
    rm -f "$work/port"
    : >"$work/requests.log"
    "$build/server/oaiusage-mock" serve --org large --port 0 --port-file "$work/port" \
        --now "$1" --latency "$latency" --log "$work/requests.log" >/dev/null 2>&1 &
    server=$!
    for _ in $(seq 1 200); do [ -s "$work/port" ] && break; sleep 0.05; done
    base="http://127.0.0.1:$(cat "$work/port")/v1"
}
at() { # at NOW: the faketime command line for that clock
    printf '%s\n' faketime -f "@$(date -u -d "@$1" '+%Y-%m-%d %H:%M:%S')"
}
# timed LABEL CMD...: wall seconds and peak memory of CMD into $work/t
timed() {
    /usr/bin/time -f '%e %M' -o "$work/t" "$@"
}

echo "oaiusage store bench ($engine): large organization, $days days ($since .. $until), latency ${latency} ms"
echo

start "$now"
mapfile -t clock < <(at "$now")
timed "${clock[@]}" "$build/oaiusage" --base-url "$base" sync --db "$db" --since "$since" \
    --concurrency 4 -q
read -r wall kb <"$work/t"
echo "first sync: ${wall} s, $(wc -l <"$work/requests.log") requests, peak $((kb / 1024)) MiB," \
    "store $(size)"

next=$((now + 86400))
start "$next"
mapfile -t clock < <(at "$next")
timed "${clock[@]}" "$build/oaiusage" --base-url "$base" sync --db "$db" --concurrency 4 -q
read -r wall kb <"$work/t"
echo "next day's sync: ${wall} s, $(wc -l <"$work/requests.log") requests"

# Reports over the first sync's window: from the store, then live.
best() { # best CMD...: the best wall time of 3 runs, output in $work/out
    local b="" w
    for _ in 1 2 3; do
        timed "$@" >"$work/out"
        read -r w _ <"$work/t"
        if [ -z "$b" ] || awk -v a="$w" -v b="$b" 'BEGIN { exit !(a < b) }'; then b=$w; fi
    done
    echo "$b"
}
start "$next"
report() { # report LABEL ARGS...
    local label=$1 s l
    shift
    s=$(best "$build/oaiusage" --db "$db" "$@")
    cp "$work/out" "$work/store.out"
    l=$(best "$build/oaiusage" --base-url "$base" --concurrency 4 "$@")
    local same=differ
    cmp -s "$work/out" "$work/store.out" && same="same bytes"
    echo "$label: store ${s} s, live ${l} s, $(wc -l <"$work/out") lines, $same"
}
w=(--since "$since" --until "$until")
report "completions by model" completions "${w[@]}" --group-by model --format csv
report "completions by project and model, per month" completions "${w[@]}" \
    --group-by project_id,model --per month --format csv
report "costs by project and line item" costs "${w[@]}" --group-by project_id,line_item --format csv
report "overview" overview "${w[@]}" --format csv
