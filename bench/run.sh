#!/usr/bin/env bash
# bench/run.sh [--quick] - the performance benchmark (issue 5). Prints a
# Markdown report on stdout (bench/RESULTS.md records one).
#
# 1. Network: the bundled server with the large synthetic organization, a
#    per-request latency of 100 ms and 300 ms (a real API round trip) and its
#    response cache (every client is measured on its second run, so no one
#    waits for the server to compute pages on the same two cores); four
#    queries through oaiusage and through the seed notebook's pipeline
#    (bench/notebook.py: requests + pandas, page after page), checking both
#    give the same totals (bench/compare.py) and reporting wall time, CPU
#    time and peak memory (GNU time) with their ratios, and the latency
#    floor: pages / concurrency x latency.
# 2. Memory as the window grows: grouped output for 7, 30 and 90 days.
# 3. CPU: parse and aggregate saved pages on one core and on every core
#    (bench/parse_bench -j N), beside jq summing the same pages.
# oaiusage runs with its default --jobs (one thread per CPU) and, in the
# column "1 job", with --jobs 1.
# --quick skips the notebook on the minute query and the 300 ms runs.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=${1:-}

scripts/deps.sh --bench >&2
OAIUSAGE_DEPS=true scripts/build.sh build-bench -DCMAKE_BUILD_TYPE=Release >&2
OU=build-bench/oaiusage
MOCK=build-bench/server/oaiusage-mock
PY=/usr/bin/python3
TIME=/usr/bin/time
export OPENAI_ADMIN_KEY=sk-admin-bench00000000000000000000000
NOW=1743465600                      # 2025-04-01T00:00:00Z, the server's now
DAY=86400
tmp=$(mktemp -d)
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

start_server() { # start_server LATENCY_MS
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -f "$tmp/port"
    "$MOCK" serve --port 0 --port-file "$tmp/port" --org large --now "$NOW" \
        --latency "$1" --cache-mb 8192 >/dev/null 2>&1 &
    server=$!
    for _ in $(seq 1 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
    BASE="http://127.0.0.1:$(cat "$tmp/port")/v1"
}

# measure NAME CMD...: wall s, CPU s (user+sys), peak RSS MiB into $tmp/NAME.m
measure() {
    local name=$1
    shift
    $TIME -f "%e %U %S %M" -o "$tmp/$name.time" "$@" >/dev/null 2>"$tmp/$name.err" ||
        { echo "FAILED: $*" >&2; cat "$tmp/$name.err" >&2; exit 1; }
    read -r wall user sys rss <"$tmp/$name.time"
    echo "$wall $(echo "$user + $sys" | awk '{printf "%.2f", $1 + $3}') $((rss / 1024))" >"$tmp/$name.m"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }

# name : endpoint : days : width : groups
QUERIES="q1:completions:30:1d:model
q2:completions:30:1h:model,project_id
q3:completions:30:1m:model,project_id,user_id
q4:costs:180:1d:line_item,project_id"

echo "## Network queries (large organization, concurrency 4)"
echo
echo "Columns: the latency floor is pages / concurrency x latency; curl s is"
echo "the same requests downloaded 4 at a time by curl --parallel and thrown"
echo "away (what the network and the server cost, with no client work)."
echo
echo "| query | latency | pages | floor s | curl s | oaiusage wall s | 1 job wall s | notebook wall s | wall ratio | vs curl | oaiusage CPU s | notebook CPU s | oaiusage MiB | notebook MiB | memory ratio | same totals |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for lat in 100 300; do
    [ "$quick" = --quick ] && [ "$lat" = 300 ] && continue
    start_server "$lat"
    while IFS=: read -r q ep days width groups; do
        start=$((NOW - days * DAY))
        args=("$ep" --base-url "$BASE" --since "$start" --until "$NOW" \
              --group-by "$groups" --format csv)
        [ "$ep" = costs ] || args+=(--bucket "$width")
        "$OU" "${args[@]}" --dry-run >"$tmp/plan"
        pages=$(grep -c '^GET ' "$tmp/plan")
        floor=$(awk -v p="$pages" -v l="$lat" 'BEGIN { printf "%.2f", (p < 4 ? 1 : p / 4) * l / 1000 }')
        { echo "header = \"Authorization: Bearer $OPENAI_ADMIN_KEY\""
          grep '^GET ' "$tmp/plan" | while read -r _ u; do
              echo "url = \"$u\""; echo "output = /dev/null"; done
        } >"$tmp/curl.cfg"
        # Warm the server's cache so every client is timed against pages it
        # does not have to compute (the server shares the machine's cores).
        curl -s --parallel --parallel-max 4 -K "$tmp/curl.cfg"
        measure "curl-$q-$lat" curl -s --parallel --parallel-max 4 -K "$tmp/curl.cfg"
        read -r cw _ _ <"$tmp/curl-$q-$lat.m"
        measure "ou-$q-$lat" "$OU" "${args[@]}" -q -o "$tmp/ou-$q.csv"
        read -r ow oc om <"$tmp/ou-$q-$lat.m"
        measure "ou1-$q-$lat" "$OU" "${args[@]}" --jobs 1 -q -o "$tmp/ou1-$q.csv"
        read -r o1w _ _ <"$tmp/ou1-$q-$lat.m"
        cmp -s "$tmp/ou-$q.csv" "$tmp/ou1-$q.csv" ||
            { echo "--jobs 1 and the default printed different bytes ($q)" >&2; exit 1; }
        nb="skipped"; nw="-"; nc="-"; nm="-"; same="-"
        if [ "$quick" != --quick ] || [ "$q" != q3 ]; then
            # One untimed run fills the server's cache with the notebook's
            # own requests (its URLs differ from oaiusage's).
            "$PY" bench/notebook.py "$BASE" "$ep" "$start" "$NOW" "$width" "$groups" "$tmp/nb-$q.csv" >/dev/null
            measure "nb-$q-$lat" "$PY" bench/notebook.py "$BASE" "$ep" "$start" "$NOW" "$width" "$groups" "$tmp/nb-$q.csv"
            read -r nw nc nm <"$tmp/nb-$q-$lat.m"
            same=$("$PY" bench/compare.py "$tmp/ou-$q.csv" "$tmp/nb-$q.csv" "$groups" || true)
        fi
        echo "| $q $ep ${days}d $width by $groups | ${lat} ms | $pages | $floor | $cw | $ow | $o1w | $nw | $(ratio "$nw" "$ow")x | $(ratio "$ow" "$cw")x | $oc | $nc | $om | $nm | $(ratio "$nm" "$om")x | $same |"
    done <<<"$QUERIES"
done
echo

echo "## Memory as the window grows (grouped output, 1h buckets by model and project, 100 ms)"
echo
echo "| days | pages | wall s | CPU s | peak MiB |"
echo "|---|---|---|---|---|"
start_server 100
for days in 7 30 90; do
    args=(completions --base-url "$BASE" --since $((NOW - days * DAY)) --until "$NOW"
          --bucket 1h --group-by model,project_id --format csv)
    pages=$("$OU" "${args[@]}" --dry-run | grep -c '^GET ')
    measure "grow-$days" "$OU" "${args[@]}" -q -o "$tmp/grow.csv"
    read -r w c m <"$tmp/grow-$days.m"
    echo "| $days | $pages | $w | $c | $m |"
done
echo

echo "## CPU: parse and aggregate saved pages on one core and on $(nproc)"
echo
start_server 0
mkdir -p "$tmp/pages"
for d in $(seq 0 9); do
    s=$((NOW - (d + 1) * DAY))
    curl -s -o "$tmp/pages/m$d.json" -H "Authorization: Bearer $OPENAI_ADMIN_KEY" \
        "$BASE/organization/usage/completions?start_time=$s&end_time=$((s + DAY))&bucket_width=1m&limit=1440&group_by[]=model&group_by[]=project_id&group_by[]=user_id"
done
mb=$(du -cb "$tmp"/pages/*.json | tail -n 1 | awk '{printf "%.0f", $1 / 1e6}')
echo "10 pages of 1440 one-minute buckets grouped by model, project and user: $mb MB."
echo
echo '```'
echo "oaiusage (bench/parse_bench, page_parse + aggregation, 3 runs on 1 thread, then on $(nproc)):"
for _ in 1 2 3; do build-bench/bench/parse_bench -j 1 completions model,project_id,user_id "$tmp"/pages/*.json; done
for _ in 1 2 3; do build-bench/bench/parse_bench -j "$(nproc)" completions model,project_id,user_id "$tmp"/pages/*.json; done
echo
echo "jq 1.6, the same pages, summing input_tokens per (model, project, user):"
$TIME -f "%e s wall, %U s user" jq -n '[inputs | .data[].results[]] | group_by([.model, .project_id, .user_id]) | map(map(.input_tokens) | add) | add' "$tmp"/pages/*.json 2>&1 | tail -n 2
echo '```'
