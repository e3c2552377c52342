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
# Every session gets a socket of its own: a new server on the socket of
# one just killed can meet the old one still exiting ("server exited
# unexpectedly"), so sockets are never reused, and a session that fails
# to start is tried again.
NSOCK=0
SOCK=""
trap 'for s in "$WORK"/tmux.*.sock; do tmux -S "$s" kill-server 2>/dev/null; done; cleanup' EXIT
# tmux_new WIDTH HEIGHT CMD: CMD in a new detached session of that size.
tmux_new() {
    local width=$1 height=$2 cmd=$3 try
    [ -n "$SOCK" ] && tmux -S "$SOCK" kill-server 2>/dev/null
    for try in 1 2 3; do
        NSOCK=$((NSOCK + 1))
        SOCK="$WORK/tmux.$NSOCK.sock"
        tmux -S "$SOCK" -f /dev/null new-session -d -x "$width" -y "$height" "$cmd" && return 0
        echo "tmux new-session failed (try $try)" >&2
        sleep 1
    done
    return 1
}

# pane WIDTH CMD: run CMD in a detached tmux pane WIDTH columns wide, its
# stdout on the terminal and stderr in $WORK/err; the screen (wrapped
# lines joined) in $WORK/screen.
pane() {
    local width=$1
    shift
    rm -f "$WORK/done"
    tmux_new "$width" 200 \
        "env -u COLUMNS $* 2>'$WORK/err'; touch '$WORK/done'; sleep 60"
    for _ in $(seq 1 200); do [ -e "$WORK/done" ] && break; sleep 0.05; done
    tmux -S "$SOCK" capture-pane -p -J -S - -E - | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$WORK/screen"
    tmux -S "$SOCK" kill-server 2>/dev/null
}
OUR="$OAIUSAGE_BIN --base-url $BASE"
# widest: the widest line of the screen in terminal columns (characters,
# not bytes: a name shortened in the middle holds a 3-byte ellipsis).
widest() {
    python3 -c 'import sys; print(max((len(l) for l in open(sys.argv[1], encoding="utf-8").read().splitlines()), default=0))' "$WORK/screen"
}

truth completions $T --group-by model,project_id
want_total=$(python3 -c "import csv,sys; print(sum(int(r['input_tokens']) for r in csv.DictReader(open('$WORK/truth'))))")
for width in 80 120; do
    pane "$width" "$OUR completions $W --group-by model,project_id --names"
    widest=$(widest)
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
widest=$(widest)
check "--wide: every column, wider than 80 ($widest)" [ "$widest" -gt 80 ]
check "--wide: num_model_requests is there" grep -q 'num_model_requests' "$WORK/screen"
pane 80 "$OUR completions $W --group-by model,project_id --names | cat"
check "a pipe: every column, unchanged" grep -q 'num_model_requests' "$WORK/screen"
check "a pipe: nothing left out, no note" bash -c "! grep -q 'left out' '$WORK/err'"

truth costs $T --group-by line_item
pane 80 "$OUR costs $W --group-by line_item"
cents=$(python3 -c 'import csv, sys; from decimal import Decimal as D, ROUND_HALF_UP as H; t = sum(D(r["amount"]) for r in csv.DictReader(open(sys.argv[1]))); print("${:,}".format(t.quantize(D("0.01"), H)))' "$WORK/truth")
check "costs on a terminal: TOTAL $cents, to the cent with its symbol" grep -Eq "^TOTAL +\\$cents( |\$)" "$WORK/screen"
widest=$(widest)
check "costs at 80 columns: line items shortened to fit ($widest)" [ "$widest" -le 80 ]

# --compare in 80 columns: the first metric's four columns (now, previous,
# change, %) stay, their values equal the truths of both windows (March
# 1-7 starts on the first of a month: against February 1-7), the title
# wraps at a space, and the note names each metric left out once.
truth completions $T --group-by model
cp "$WORK/truth" "$WORK/now.csv"
truth completions --start-time 1738368000 --end-time 1738972800 --group-by model
cp "$WORK/truth" "$WORK/prev.csv"
pane 80 "$OUR completions $W --group-by model --compare previous"
widest=$(widest)
check "--compare, 80 columns: fits (widest $widest)" [ "$widest" -le 80 ]
python3 - "$WORK/screen" "$WORK/now.csv" "$WORK/prev.csv" <<'PY' >"$WORK/py.err" 2>&1 && ok || not_ok "--compare, 80 columns: $(tail -c 400 "$WORK/py.err")"
import csv, sys
from decimal import Decimal, ROUND_HALF_UP
lines = open(sys.argv[1]).read().splitlines()
title = lines[0] + " " + lines[1]
assert title == "completions, 2025-03-01 to 2025-03-07 UTC against 2025-02-01 to 2025-02-07 UTC, by model", title
head = next(l for l in lines if l.startswith("model "))
assert head.split()[1:5] == ["input_tokens", "previous", "change", "%"], head
now = {r["model"]: int(r["input_tokens"]) for r in csv.DictReader(open(sys.argv[2]))}
prev = {r["model"]: int(r["input_tokens"]) for r in csv.DictReader(open(sys.argv[3]))}
for m in set(now) | set(prev):
    a, b = now.get(m, 0), prev.get(m, 0)
    row = next(l for l in lines if l.startswith(m + " "))
    f = row.split()
    pct = "new" if b == 0 else "%+.1f%%" % (Decimal(a - b) * 100 / b).quantize(Decimal("0.1"), ROUND_HALF_UP)
    want = [f"{a:,}", f"{b:,}", ("+" if a > b else "") + f"{a - b:,}", pct]
    assert f[1:5] == want, (m, f[1:5], want)
PY
check "--compare, 80 columns: the note names a left-out metric once" \
    grep -q "left out: .*num_model_requests.* (each with its previous, change and %)" "$WORK/err"

# A progress line on stderr, only when stderr is a terminal: drawn while
# a slow fetch runs (pages answered of pages known, the time so far),
# wiped when it ends; never in a file.
start_mock --latency 500
OUR="$OAIUSAGE_BIN --base-url $BASE"
rm -f "$WORK/done"
tmux_new 100 20 \
    "env -u COLUMNS $OUR completions --bucket 1h --since 2025-01-01 --until 2025-03-01 --group-by model --concurrency 1 >'$WORK/out'; touch '$WORK/done'; sleep 60"
seen=""
for _ in $(seq 1 1200); do # up to a minute on a loaded machine
    line=$(tmux -S "$SOCK" capture-pane -p | grep -E '^oaiusage: [0-9]+ of [0-9]+ pages, [0-9]+\.[0-9] s' | head -n 1)
    [ -n "$line" ] && seen=$line
    [ -e "$WORK/done" ] && break
    sleep 0.05
done
check "a progress line while the fetch runs ($seen)" [ -n "$seen" ]
check "the progress line is wiped at the end" \
    bash -c "! tmux -S '$SOCK' capture-pane -p | grep -q ' pages, '"
check "the report itself is whole on stdout" grep -q '^TOTAL' "$WORK/out"
tmux_new 100 20 \
    "env -u COLUMNS $OUR completions --bucket 1h --since 2025-01-01 --until 2025-03-01 --group-by model --concurrency 1 >'$WORK/out' 2>'$WORK/err'; touch '$WORK/done2'; sleep 60"
for _ in $(seq 1 1200); do [ -e "$WORK/done2" ] && break; sleep 0.05; done
check "stderr in a file: no progress line" bash -c "! grep -q 'pages' '$WORK/err'"
# Several organizations: one progress line over all of them ("2
# organizations: pages of both"), never one per organization taking
# turns. Both profiles read the same slow server, so the pages of both
# are twice those of one: one run's requests, counted in the server log.
mkdir -p "$XDG_CONFIG_HOME/oaiusage"
printf '[profile p1]\nbase-url = %s\n[profile p2]\nbase-url = %s\n' "$BASE" "$BASE" \
    >"$XDG_CONFIG_HOME/oaiusage/config"
chmod 600 "$XDG_CONFIG_HOME/oaiusage/config"
Q="completions --bucket 1h --since 2025-01-01 --until 2025-03-01 --group-by model --concurrency 1"
: >"$WORK/requests.log"
$OUR --profile p1 $Q >/dev/null 2>&1
one=$(grep -c 'usage/completions' "$WORK/requests.log")
check "one organization's run takes several pages ($one)" [ "$one" -ge 3 ]
rm -f "$WORK/done4"
tmux_new 100 20 \
    "env -u COLUMNS $OUR --profile p1,p2 $Q >'$WORK/out'; touch '$WORK/done4'; sleep 60"
: >"$WORK/lines"
for _ in $(seq 1 1200); do
    tmux -S "$SOCK" capture-pane -p | grep '^oaiusage: ' >>"$WORK/lines"
    [ -e "$WORK/done4" ] && break
    sleep 0.05
done
most=$(sed -nE 's/^oaiusage: 2 organizations: ([0-9]+) of ([0-9]+) pages, [0-9]+\.[0-9] s$/\1 \2/p' "$WORK/lines" |
    sort -n -k1,1 | tail -n 1)
check "2 organizations: one line over both ($most of $((2 * one)) pages at most)" \
    bash -c "[ -n '$most' ] && set -- $most && [ \$1 -gt $one ] && [ \$2 -le $((2 * one)) ]"
check "no line of one organization alone" bash -c "! grep -Eq '^oaiusage: p[12]: ' '$WORK/lines'"
check "every line drawn is the summed one" \
    bash -c "! grep -Evq '^oaiusage: 2 organizations: [0-9]+ of [0-9]+ pages, [0-9]+\.[0-9] s$' '$WORK/lines'"
check "the merged report is whole on stdout" grep -q '^TOTAL' "$WORK/out"
rm "$XDG_CONFIG_HOME/oaiusage/config"

# stdout on the same terminal: the table starts on a clean line
tmux_new 200 60 \
    "env -u COLUMNS $OUR completions --bucket 1h --since 2025-01-01 --until 2025-03-01 --group-by model --concurrency 1; touch '$WORK/done3'; sleep 60"
for _ in $(seq 1 1200); do [ -e "$WORK/done3" ] && break; sleep 0.05; done
tmux -S "$SOCK" capture-pane -p >"$WORK/screen"
check "the table's title starts its own line, the progress wiped" \
    bash -c "grep -q '^completions, 2025-01-01 to 2025-02-28 UTC, by model' '$WORK/screen' && ! grep -q ' pages, ' '$WORK/screen'"
tmux -S "$SOCK" kill-server 2>/dev/null

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
