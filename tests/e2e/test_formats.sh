#!/usr/bin/env bash
# The formats carry the same numbers: JSON and NDJSON rows equal the truth,
# the table's TOTAL equals the truth's sum, CSV is RFC 4180 with CRLF, and
# output is byte-identical from run to run.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
command -v jq >/dev/null || { echo "jq is required" >&2; exit 1; }
start_mock
W="--since 1735689600 --until 1740787200"
T="--start-time 1735689600 --end-time 1740787200 --bucket-width 1d"
COLS="input_tokens,input_cached_tokens,input_cache_write_tokens,input_cache_write_12h_tokens,input_uncached_tokens,output_tokens,input_text_tokens,output_text_tokens,input_cached_text_tokens,input_audio_tokens,input_cached_audio_tokens,output_audio_tokens,input_image_tokens,input_cached_image_tokens,output_image_tokens,num_model_requests"
JQ_COLS=$(echo "$COLS" | sed 's/\([a-z0-9_]*\)/(.\1|tostring)/g')

truth completions $T --group-by model,project_id
for fmt in json ndjson; do
    ou completions $W --group-by model,project_id --format $fmt
    sel='.'
    [ $fmt = json ] && sel='.data[]'
    { echo "model,project_id,$COLS"
      jq -r "$sel | [(.model // \"\"), (.project_id // \"\"), $JQ_COLS] | join(\",\")" "$WORK/out"
    } >"$WORK/out.csv" && mv "$WORK/out.csv" "$WORK/out"
    same_as_truth "$fmt rows equal the truth"
done
ou completions $W --group-by model,project_id --format json
check "json envelope names the query" \
    eval 'jq -e ".object == \"oaiusage.report\" and .endpoint == \"completions\" and .group_by == [\"model\",\"project_id\"] and .bucket_width == \"1d\" and .start_time == \"2025-01-01T00:00:00Z\" and .end_time == \"2025-03-01T00:00:00Z\"" "$WORK/out" >/dev/null'
ou completions $W --group-by batch --format ndjson
check "batch is a JSON boolean" eval 'jq -e "select(.batch != null) | (.batch|type) == \"boolean\"" "$WORK/out" >/dev/null'

# Table: TOTAL equals the truth's sum; identical from run to run.
truth completions $T
ou completions $W --group-by model
check "the table's title says what it answers" \
    bash -c "head -n 1 '$WORK/out' | grep -qx 'completions, 2025-01-01 to 2025-02-28 UTC, by model'"
drop_title
cp "$WORK/out" "$WORK/table1"
want=$(tail -n 1 "$WORK/truth" | tr -d '\r' | cut -d, -f1)
got=$(grep '^TOTAL' "$WORK/out" | awk '{print $3}' | tr -d ,)
check "table TOTAL input_tokens equals the truth ($want)" [ "$got" = "$want" ]
ou completions $W --group-by model
drop_title
check "table output is byte-identical across runs" cmp -s "$WORK/out" "$WORK/table1"
check "table has a header and a rule" eval 'head -n 2 "$WORK/out" | grep -q "^model .*input_tokens" && sed -n 2p "$WORK/out" | grep -q "^-----"'
check "table numbers have thousands separators" grep -Eq '[0-9],[0-9]{3}' "$WORK/out"
check "table rows are ordered by input_tokens, largest first" \
    eval 'sed -n "3,/^---/p" "$WORK/out" | grep -v "^---" | awk "{print \$3}" | tr -d , | sort -c -n -r'

# --chart: a bar per row, the largest full; sparklines with --per; no
# colour codes off a terminal.
ou completions $W --group-by model --chart
drop_title
check "--chart: the first row has the full 30-cell bar" \
    eval 'sed -n 3p "$WORK/out" | grep -q "$(printf "\xe2\x96\x88%.0s" $(seq 1 30))"'
check "--chart: no colour codes when stdout is not a terminal" bash -c "! grep -q $'\x1b' '$WORK/out'"
ou completions $W --group-by model --per week --chart
drop_title
"$OAIUSAGE_MOCK" truth completions $T --group-by model --now "$MOCK_NOW" >"$WORK/models.csv"
nmodels=$(($(wc -l <"$WORK/models.csv") - 1))
check "--chart --per: one sparkline row per model ($nmodels)" \
    eval '[ "$(sed -n "3,/^---/p" "$WORK/out" | grep -vc "^---")" -eq "$nmodels" ]'
# ... then a TOTAL row whose total is the truth's, exactly
want=$(tail -n 1 "$WORK/truth" | tr -d '\r' | cut -d, -f1)
check "--chart --per: a TOTAL row with the exact total ($want)" \
    eval '[ "$(grep "^TOTAL" "$WORK/out" | awk "{print \$NF}" | tr -d ,)" = "$want" ]'
# ... in the table's order (by total, largest first) and with --names
ou completions $W --group-by project_id --per week --chart --names
drop_title
check "--chart --per --names: names, not ids, ordered by total" \
    eval 'sed -n "3,/^---/p" "$WORK/out" | grep -v "^---" | grep -q "Customer Support Bot" && ! sed -n "3,/^---/p" "$WORK/out" | grep -v "^---" | awk "{print \$NF}" | tr -d , | sort -c -n -r 2>&1 | grep -q .'
# Money: exact, per currency, equal to the truth (was rounded through a
# double to 2 places)
truth costs $T --group-by project_id
ou costs $W --group-by project_id --per week --chart
drop_title
python3 - "$WORK/out" "$WORK/truth" <<'PY' && ok || not_ok "costs --per --chart totals are not the exact truth"
import csv, sys
from decimal import Decimal
lines = open(sys.argv[1]).read().splitlines()
rows = [l.split() for l in lines[2:] if l and not l.startswith("-")]
want = {r["project_id"]: Decimal(r["amount"]) for r in csv.DictReader(open(sys.argv[2], newline=""))}
got = {r[0]: Decimal(r[-1].replace(",", "")) for r in rows if r[0] != "TOTAL"}
total = [Decimal(r[-1].replace(",", "")) for r in rows if r[0] == "TOTAL"]
assert all(r[1] == "usd" for r in rows), "every row names its currency"
assert got == want, (got, want)
assert total == [sum(want.values())], (total, sum(want.values()))
PY
ou completions $W --group-by model --chart --format csv
expect_failure "--chart with csv" 2 "--chart draws on the table"

# CSV: CRLF line ends, header unless --no-header.
ou completions $W --group-by model --format csv
check "CSV lines end with CRLF" eval '[ "$(grep -c $'"'"'\r$'"'"' "$WORK/out")" -eq "$(wc -l <"$WORK/out")" ]'
check "CSV header names the API fields" eval 'head -n 1 "$WORK/out" | tr -d "\r" | grep -qx "model,$COLS"'
tail -n +2 "$WORK/out" >"$WORK/body.csv"
ou completions $W --group-by model --format csv --no-header
check "--no-header drops exactly the header" cmp -s "$WORK/out" "$WORK/body.csv"

# --records is streamed (rows written per sub-window, in time order): JSON
# and NDJSON carry exactly the CSV's rows, also with many sub-windows.
R="--since 2025-02-10 --until 2025-02-13 --bucket 1h --group-by model --records"
ou completions $R --format csv --concurrency 3
csv_rows=$(($(wc -l <"$WORK/out") - 1))
ou completions $R --format json --concurrency 3
check "streamed JSON records parse and hold every row ($csv_rows)" \
    eval '[ "$(jq ".data | length" "$WORK/out")" -eq "$csv_rows" ]'
check "streamed JSON records are in time order" \
    eval 'jq -e "[.data[].start_time] | . == sort" "$WORK/out" >/dev/null'
ou completions $R --format ndjson --concurrency 3
check "streamed NDJSON records hold every row" [ "$(wc -l <"$WORK/out")" -eq "$csv_rows" ]
ou completions --since 2023-01-01 --until 2023-01-03 --records --format json
check "records of an idle window are an empty JSON list" \
    eval 'jq -e ".data == []" "$WORK/out" >/dev/null'
ou completions $R --format csv -o "$WORK/rec.csv"
check "streamed records to a file leave no temporary file" \
    bash -c "! ls -a '$WORK' | grep -q 'spill\|tmp\.'"

# Costs in JSON keep every digit: amounts are raw decimal numbers.
ou costs --since 1717200000 --until 1738368000 --group-by line_item --format ndjson
truth costs --start-time 1717200000 --end-time 1738368000 --group-by line_item
check "costs ndjson has one row per line item" eval '[ "$(wc -l <"$WORK/out")" -eq "$(($(wc -l <"$WORK/truth") - 1))" ]'
first_amount=$(grep -o '"amount":[-0-9.]*' "$WORK/out" | head -n 1 | cut -d: -f2)
check "costs amounts are plain decimals ($first_amount)" eval '[[ "$first_amount" =~ ^-?[0-9]+(\.[0-9]+)?$ ]]'
finish
