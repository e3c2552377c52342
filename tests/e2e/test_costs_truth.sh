#!/usr/bin/env bash
# Costs: grouped totals, --per and --records equal the server's truth to the
# last digit of money, with amounts arriving as numbers, strings and
# exponent forms; a window longer than one page (180 days).
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"

S=1717200000   # 2024-06-01T00:00:00Z
E=1738368000   # 2025-02-01T00:00:00Z (245 days: two pages of 180)
MID=1736616660 # 2025-01-11T17:31:00Z (costs floor it to 00:00 UTC)

for mode in mixed string number; do
    start_mock --amounts "$mode"
    for g in "" line_item project_id api_key_id project_id,line_item \
             line_item,project_id,api_key_id; do
        gb=${g:+--group-by $g}
        # shellcheck disable=SC2086
        ou costs --since $S --until $E $gb --format csv
        # shellcheck disable=SC2086
        truth costs --start-time $S --end-time $E $gb
        same_as_truth "costs $mode [$g]"
    done
done

start_mock
ou costs --since $S --until $E --group-by line_item --per month --format csv
truth costs --start-time $S --end-time $E --group-by line_item --per month
same_as_truth "costs per month [line_item]"
ou costs --since $S --until $E --per week --format csv
truth costs --start-time $S --end-time $E --per week
same_as_truth "costs per week [none]"
ou costs --since $MID --until $E --group-by project_id --records --format csv
truth costs --start-time $MID --end-time $E --group-by project_id --records
same_as_truth "costs records from mid-day [project_id]"
check "a mid-day start is explained (costs are whole UTC days)" \
    grep -q 'whole UTC days' "$WORK/err"
check "costs are fetched 180 days at a time" grep -q 'limit=180' "$WORK/requests.log"

# Filters go into the query.
proj=$(tail -n +2 "$WORK/truth" | head -n 1 | cut -d, -f3)
ou costs --since $S --until $E --project "$proj" --group-by line_item --format csv
truth costs --start-time $S --end-time $E --project-ids "$proj" --group-by line_item
same_as_truth "costs --project $proj"
check "--project is sent as project_ids[]" \
    grep -q "project_ids%5B%5D=$proj\|project_ids\[\]=$proj" "$WORK/requests.log"

# The table's TOTAL equals the sum of the truth, exactly with --exact,
# and rounded once to the cent (half away from zero) with its symbol
# without it.
ou costs --since $S --until $E --group-by line_item --exact
truth costs --start-time $S --end-time $E
want=$(tail -n 1 "$WORK/truth" | cut -d, -f1)
got=$(grep '^TOTAL' "$WORK/out" | awk '{print $2}' | tr -d ,)
norm() { echo "$1" | sed -E 's/(\.[0-9]*[1-9])0+$/\1/; s/\.0+$//'; }
check "--exact: table TOTAL equals the truth ($want)" [ "$(norm "$got")" = "$(norm "$want")" ]
ou costs --since $S --until $E --group-by line_item
got=$(grep '^TOTAL' "$WORK/out" | awk '{print $2}')
cents=$(python3 -c 'import sys; from decimal import Decimal as D, ROUND_HALF_UP as H; print("${:,}".format(D(sys.argv[1]).quantize(D("0.01"), H)))' "$want")
check "table TOTAL is the truth to the cent ($got = $cents)" [ "$got" = "$cents" ]
check "the table has no currency column; every amount has two decimals" \
    bash -c "! head -n 1 '$WORK/out' | grep -q currency && ! grep -Eq '[0-9]\.[0-9]{3,}' <(awk '{print \$0}' '$WORK/out' | grep -o '\$[0-9,.]*')"
finish
