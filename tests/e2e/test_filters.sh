#!/usr/bin/env bash
# Filters go into the query (never applied after the fetch) and the results
# equal the server's truth for the same filters.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
start_mock
W="--since 1735689600 --until 1740787200"
T="--start-time 1735689600 --end-time 1740787200 --bucket-width 1d"

ids() { # ids FIELD N: the first N non-null values of a group field
    truth completions $T --group-by "$1" >/dev/null
    tail -n +2 "$WORK/truth" | cut -d, -f1 | tr -d '\r' | grep -v '^$' | head -n "$2" | paste -sd, -
}
P=$(ids project_id 2); U=$(ids user_id 1); K=$(ids api_key_id 3); M=$(ids model 2)
check "the dataset has ids to filter by" eval '[ -n "$P" ] && [ -n "$U" ] && [ -n "$K" ] && [ -n "$M" ]'

fcase() { # fcase NAME "oaiusage filter args" "truth filter args" GROUP
    local name=$1 of=$2 tf=$3 g=$4
    : >"$WORK/requests.log"
    # shellcheck disable=SC2086
    ou completions $W $of --group-by "$g" --format csv
    # shellcheck disable=SC2086
    truth completions $T $tf --group-by "$g"
    same_as_truth "$name"
}
fcase "--project" "--project $P" "--project-ids $P" model
check "--project values are sent as project_ids[]" \
    grep -q "project_ids%5B%5D=${P%%,*}" "$WORK/requests.log"
fcase "--user" "--user $U" "--user-ids $U" model
fcase "--api-key (repeated option)" "--api-key ${K%%,*} --api-key ${K#*,}" "--api-key-ids $K" project_id
fcase "--model" "--model $M" "--models $M" project_id,model
fcase "--batch" "--batch" "--batch true" model
check "--batch is sent as batch=true" grep -q "batch=true" "$WORK/requests.log"
fcase "--no-batch" "--no-batch" "--batch false" model
fcase "--project with --model" "--project $P --model $M" "--project-ids $P --models $M" user_id

# A filter that matches nothing gives zero, not an error.
ou completions $W --model no-such-model --format csv
check "an empty result is one zero row" eval 'tail -n 1 "$WORK/out" | tr -d "\r" | grep -qx "0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0"'
finish
