#!/usr/bin/env bash
# Tables on a real terminal: tmux panes of 80 and 120 columns, read back
# with capture-pane. A table fits its terminal (no line wraps), keeps the
# first metric and the group columns with values equal to the truth, and
# says on stderr which columns it left out; --wide and a pipe keep every
# column; money shows to the cent with its symbol.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
command -v tmux >/dev/null || { echo "tmux is required (scripts/deps.sh --test)" >&2; exit 1; }
start_mock
W="--since 2025-03-01 --until 2025-03-08"
T="--start-time 1740787200 --end-time 1741392000"
SOCK="$WORK/tmux.sock"
trap 'tmux -S "$SOCK" kill-server 2>/dev/null; cleanup' EXIT

# pane WIDTH CMD: run CMD in a detached tmux pane WIDTH columns wide, its
# stdout on the terminal and stderr in $WORK/err; the screen (wrapped
# lines joined) in $WORK/screen.
pane() {
    local width=$1
    shift
    rm -f "$WORK/done"
    tmux -S "$SOCK" kill-server 2>/dev/null
    tmux -S "$SOCK" -f /dev/null new-session -d -x "$width" -y 200 \
        "env -u COLUMNS $* 2>'$WORK/err'; touch '$WORK/done'; sleep 60"
    for _ in $(seq 1 200); do [ -e "$WORK/done" ] && break; sleep 0.05; done
    tmux -S "$SOCK" capture-pane -p -J -S - -E - | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$WORK/screen"
    tmux -S "$SOCK" kill-server 2>/dev/null
}
OUR="$OAIUSAGE_BIN --base-url $BASE"

truth completions $T --group-by model,project_id
want_total=$(python3 -c "import csv,sys; print(sum(int(r['input_tokens']) for r in csv.DictReader(open('$WORK/truth'))))")
for width in 80 120; do
    pane "$width" "$OUR completions $W --group-by model,project_id --names"
    widest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$WORK/screen")
    check "$width columns: no table line is wider than the terminal (widest $widest)" [ "$widest" -le "$width" ]
    check "$width columns: the title, the header with model, project_name and input_tokens" \
        bash -c "grep -q '^completions, 2025-03-01 to 2025-03-07 UTC' '$WORK/screen' && grep -Eq '^model +project_name .*input_tokens' '$WORK/screen'"
    got=$(python3 - "$WORK/screen" <<'PY'
import sys
lines = open(sys.argv[1]).read().splitlines()
head = next(l for l in lines if l.startswith("model "))
cols = head.split()
total = next(l for l in lines if l.startswith("TOTAL"))
# TOTAL's numbers line up under the numeric headers, right-aligned.
end = head.index("input_tokens") + len("input_tokens")
print(total[:end].split()[-1].replace(",", ""))
PY
)
    check "$width columns: TOTAL input_tokens equals the truth ($got = $want_total)" [ "$got" = "$want_total" ]
    check "$width columns: stderr names the columns left out" grep -q "to fit $width columns, left out: .*num_model_requests" "$WORK/err"
done
pane 80 "$OUR completions $W --group-by model,project_id --names --wide"
widest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$WORK/screen")
check "--wide: every column, wider than 80 ($widest)" [ "$widest" -gt 80 ]
check "--wide: num_model_requests is there" grep -q 'num_model_requests' "$WORK/screen"
pane 80 "$OUR completions $W --group-by model,project_id --names | cat"
check "a pipe: every column, unchanged" grep -q 'num_model_requests' "$WORK/screen"
check "a pipe: nothing left out, no note" bash -c "! grep -q 'left out' '$WORK/err'"

truth costs $T --group-by line_item
pane 80 "$OUR costs $W --group-by line_item"
cents=$(python3 -c 'import csv, sys; from decimal import Decimal as D, ROUND_HALF_UP as H; t = sum(D(r["amount"]) for r in csv.DictReader(open(sys.argv[1]))); print("${:,}".format(t.quantize(D("0.01"), H)))' "$WORK/truth")
check "costs on a terminal: TOTAL $cents, to the cent with its symbol" grep -Eq "^TOTAL +\\$cents( |\$)" "$WORK/screen"
widest=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$WORK/screen")
check "costs at 80 columns: line items shortened to fit ($widest)" [ "$widest" -le 80 ]

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
