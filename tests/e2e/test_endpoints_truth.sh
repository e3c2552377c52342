#!/usr/bin/env bash
# Every usage endpoint: grouped totals, --per and --records equal the
# server's truth, over every group field, for windows of several pages;
# the endpoint's own filters go into the query; vector store bytes are a
# level (the latest value), never a sum over buckets.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
start_mock

D_START=1735689600   # 2025-01-01T00:00:00Z
D_END=1740787200     # 2025-03-01T00:00:00Z  (59 daily buckets: 2 pages)
H_START=1738387053   # 2025-02-01T05:17:33Z
H_END=1739059200     # 2025-02-09T00:00:00Z  (2 hourly pages)

# endpoint (CLI spelling) : truth endpoint : its group fields
ENDPOINTS="
decisions:decisions:project_id,user_id,api_key_id,model,batch,service_tier,api_source
embeddings:embeddings:project_id,user_id,api_key_id,model
moderations:moderations:project_id,user_id,api_key_id,model
images:images:project_id,user_id,api_key_id,model,size,source
audio-speeches:audio_speeches:project_id,user_id,api_key_id,model
audio-transcriptions:audio_transcriptions:project_id,user_id,api_key_id,model
vector-stores:vector_stores:project_id
code-interpreter-sessions:code_interpreter_sessions:project_id
file-search-calls:file_search_calls:project_id,user_id,api_key_id,vector_store_id
web-search-calls:web_search_calls:project_id,user_id,api_key_id,model,context_level,api_source
"

for line in $ENDPOINTS; do
    cmd=${line%%:*}; rest=${line#*:}; tep=${rest%%:*}; fields=${rest#*:}
    # No grouping, each field alone, and all of them together.
    for g in "" ${fields//,/ } "$fields"; do
        gb=${g:+--group-by $g}
        ou "$cmd" --since $D_START --until $D_END $gb --format csv
        truth "$tep" --start-time $D_START --end-time $D_END --bucket-width 1d $gb
        same_as_truth "$cmd 1d [$g]"
    done
    first=${fields%%,*}
    ou "$cmd" --since $H_START --until $H_END --bucket 1h --group-by "$first" --per day --format csv
    truth "$tep" --start-time $H_START --end-time $H_END --bucket-width 1h --group-by "$first" --per day
    same_as_truth "$cmd 1h per day [$first]"
    ou "$cmd" --since $D_START --until $D_END --per week --format csv
    truth "$tep" --start-time $D_START --end-time $D_END --bucket-width 1d --per week
    same_as_truth "$cmd per week [none]"
    ou "$cmd" --since $H_START --until $H_END --bucket 1h --group-by "$first" --records --format csv
    truth "$tep" --start-time $H_START --end-time $H_END --bucket-width 1h --group-by "$first" --records
    same_as_truth "$cmd 1h records [$first]"
done

# The underscore spellings are the same commands.
ou audio_speeches --since $D_START --until $D_END --format csv
cp "$WORK/out" "$WORK/underscore.csv"
ou audio-speeches --since $D_START --until $D_END --format csv
check "audio_speeches is audio-speeches" cmp -s "$WORK/out" "$WORK/underscore.csv"

# Each endpoint's own filters.
W="--since $D_START --until $D_END"
T="--start-time $D_START --end-time $D_END --bucket-width 1d"
ou images $W --source image.edit,image.variation --size 1024x1024 --group-by model --format csv
truth images $T --sources image.edit,image.variation --sizes 1024x1024 --group-by model
same_as_truth "images --source --size"
check "--source is sent as sources[]" grep -q 'sources%5B%5D=image.edit' "$WORK/requests.log"
ou web-search-calls $W --context-level high --group-by model --format csv
truth web_search_calls $T --context-levels high --group-by model
same_as_truth "web-search-calls --context-level"
vs=$("$OAIUSAGE_MOCK" truth file_search_calls $T --group-by vector_store_id --now "$MOCK_NOW" |
    tail -n +2 | cut -d, -f1 | tr -d '\r' | grep -v '^$' | head -n 1)
ou file-search-calls $W --vector-store "$vs" --group-by user_id --format csv
truth file_search_calls $T --vector-store-ids "$vs" --group-by user_id
same_as_truth "file-search-calls --vector-store $vs"

# Image sizes are open text (2026-11): a size missing from the 2026-08
# spec's list is sent, not refused.
ou images $W --size 1536x1024,1792x1024 --group-by size --format csv
truth images $T --sizes 1536x1024,1792x1024 --group-by size
same_as_truth "images --size beyond the old list"
check "an open --size is sent" grep -q 'sizes%5B%5D=1536x1024' "$WORK/requests.log"

# Filters are validated before any request.
: >"$WORK/requests.log"
ou web-search-calls $W --context-level max; expect_failure "bad --context-level" 2 "unknown value 'max'"
ou vector-stores $W --group-by model;   expect_failure "vector-stores group_by" 2 "allowed: project_id\)"
ou embeddings $W --batch;               expect_failure "embeddings --batch" 2 "embeddings has no --batch filter"
ou file-search-calls $W --model x;      expect_failure "file search --model" 2 "file-search-calls has no --model filter"
ou moderations $W --source image.edit;  expect_failure "moderations --source" 2 "moderations has no --source filter"
check "bad filters made no request" [ ! -s "$WORK/requests.log" ]

# Vector store bytes: the total is the last bucket's level, not a sum.
ou vector-stores $W --format csv
last=$(tr -d '\r' <"$WORK/out" | tail -n 1)
truth vector_stores $T --records
lastrec=$(tr -d '\r' <"$WORK/truth" | tail -n +2 | sort | tail -n 1 | cut -d, -f3)
check "vector-stores total = the last bucket's level ($last = $lastrec)" [ "$last" = "$lastrec" ]
sum=$(tr -d '\r' <"$WORK/truth" | tail -n +2 | cut -d, -f3 | awk '{s += $1} END {printf "%.0f", s}')
check "vector-stores total is not the sum over buckets" [ "$last" != "$sum" ]
finish
