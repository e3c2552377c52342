#!/usr/bin/env bash
# The API as of 2026-11 (shared/reference/openai-usage-api-2026-11.md):
# costs by user_id and api_source and filtered by line item equal the
# server's truth; costs by the derived model and component add up to the
# line items exactly; the api_key_id floor is worked around (pieces before
# and after it, complete totals); the user_id/project_id refusal is
# explained; fields and result types this version does not know are
# reported with what they would have added, and never change a total.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is required" >&2; exit 1; }
export XDG_CACHE_HOME="$WORK/cache"

S=1735689600   # 2025-01-01T00:00:00Z
E=1740787200   # 2025-03-01T00:00:00Z
W="--since $S --until $E"
T="--start-time $S --end-time $E"

# ---- costs: new group fields and the line_items filter ----
start_mock
for g in user_id api_source user_id,api_source project_id,user_id \
         line_item,api_source; do
    ou costs $W --group-by $g --format csv
    truth costs $T --group-by $g
    same_as_truth "costs [$g]"
done
ou costs $W --group-by api_source --per week --format csv
truth costs $T --group-by api_source --per week
same_as_truth "costs per week [api_source]"
truth costs $T --group-by line_item
li=$(tail -n +2 "$WORK/truth" | grep -m 1 '^"[^"]*, output"' | cut -d'"' -f2)
li2=$(tail -n +2 "$WORK/truth" | grep -m 1 '^"[^"]*, input"' | cut -d'"' -f2)
ou costs $W --line-item "$li" --group-by project_id --format csv
truth costs $T --line-items "$li" --group-by project_id
same_as_truth "costs --line-item '$li' (its comma is part of the name)"
ou costs $W --line-item "$li" --line-item "$li2" --group-by line_item --format csv
truth costs $T --group-by line_item
grep -F -e "\"$li\"" -e "\"$li2\"" -e "line_item," "$WORK/truth" >"$WORK/truth.two"
mv "$WORK/truth.two" "$WORK/truth"
same_as_truth "costs --line-item twice"
check "--line-item is sent as line_items[]" grep -q 'line_items%5B%5D=' "$WORK/requests.log"

# user_email in the results names users with --names, without the users
# list; the names are the server's.
: >"$WORK/requests.log"
ou costs $W --group-by user_id --names --format csv
check "costs --names succeeded" [ "$RC" -eq 0 ]
check "costs named its users without the users list" \
    bash -c "! grep -q '/organization/users?' '$WORK/requests.log'"
python3 "$E2E_DIR/orglists.py" "$BASE" users >"$WORK/users.tsv"
python3 - "$WORK/out" "$WORK/users.tsv" <<'PY' && ok || not_ok "costs user_email differs from the users list"
import csv, sys
users = dict(l.rstrip("\n").split("\t", 1) for l in open(sys.argv[2]))
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
named = [r for r in rows if r["user_id"]]
assert named and all(r["user_email"] == users[r["user_id"]] for r in named), named[:3]
PY

# ---- costs by model and component: derived from line_item ----
truth costs $T --group-by line_item
cp "$WORK/truth" "$WORK/items.csv"
for g in model component model,component; do
    ou costs $W --group-by $g --format csv
    python3 - "$WORK/out" "$WORK/items.csv" "$g" <<'PY' && ok || not_ok "costs [$g] does not add up to the truth's line items"
import csv, sys
from collections import defaultdict
from decimal import Decimal
got = list(csv.DictReader(open(sys.argv[1], newline="")))
fields = sys.argv[3].split(",")
want = defaultdict(Decimal)
for r in csv.DictReader(open(sys.argv[2], newline="")):
    li = r["line_item"]
    model, sep, comp = li.partition(", ")
    parts = {"model": model if sep else "", "component": comp if sep else li}
    want[(tuple(parts[f] for f in fields), r["currency"], r["quantity_unit"])] += Decimal(r["amount"])
# Rows with different currencies or quantity units are never merged.
have = {(tuple(r[f] for f in fields), r["currency"], r["quantity_unit"]): Decimal(r["amount"])
        for r in got}
assert len(have) == len(got), "a group appears twice"
assert have == dict(want), (sorted(have.items())[:4], sorted(want.items())[:4])
assert any(k[0][0] for k in have), "no model line item in the data"
PY
done
check "model,component send group_by line_item once" \
    eval '[ "$(grep "/costs?" "$WORK/requests.log" | tail -n 1 | grep -o "group_by%5B%5D=line_item" | wc -l)" -eq 1 ]'
ou costs $W --group-by component,line_item --format csv
truth costs $T --group-by line_item
python3 - "$WORK/out" "$WORK/truth" <<'PY' && ok || not_ok "component,line_item rows differ from the truth"
import csv, sys
from decimal import Decimal
got = {(r["line_item"], r["currency"]): Decimal(r["amount"]) for r in csv.DictReader(open(sys.argv[1], newline=""))}
want = {(r["line_item"], r["currency"]): Decimal(r["amount"]) for r in csv.DictReader(open(sys.argv[2], newline=""))}
assert got == want
PY

# ---- the api_key_id floor ----
F=1738368000   # 2025-02-01T00:00:00Z: the floor this server names
start_mock --api-key-floor $F
: >"$WORK/requests.log"
ou costs $W --group-by api_key_id --per day --format csv
check "floor: the run succeeds" [ "$RC" -eq 0 ]
check "floor: the API refused the first query (HTTP 400)" grep -q 'group_by%5B%5D=api_key_id.* -> 400$' "$WORK/requests.log"
check "floor: one warning names the floor" \
    eval '[ "$(grep -c "api_key_id only from 2025-02-01T00:00:00Z" "$WORK/err")" -eq 1 ]'
cp "$WORK/out" "$WORK/floor.csv"
truth costs --start-time $S --end-time $F --per day
cp "$WORK/truth" "$WORK/before.csv"
truth costs --start-time $F --end-time $E --group-by api_key_id --per day
cp "$WORK/truth" "$WORK/after.csv"
python3 - "$WORK/floor.csv" "$WORK/before.csv" "$WORK/after.csv" <<'PY' && ok || not_ok "floor: pieces differ from the truth"
import csv, sys
from decimal import Decimal
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
before = {(r["period_start"], "(unavailable)", r["currency"]): Decimal(r["amount"])
          for r in csv.DictReader(open(sys.argv[2], newline=""))}
after = {(r["period_start"], r["api_key_id"], r["currency"]): Decimal(r["amount"])
         for r in csv.DictReader(open(sys.argv[3], newline=""))}
got = {(r["period_start"], r["api_key_id"], r["currency"]): Decimal(r["amount"]) for r in rows}
assert len(got) == len(rows)
assert got == {**before, **after}, "rows differ"
assert all(k[1] == "(unavailable)" for k in got if k[0] < "2025-02-01")
assert not any(k[1] == "(unavailable)" for k in got if k[0] >= "2025-02-01")
PY
ou costs $W --group-by api_key_id,line_item --format json
check "floor: the JSON envelope says where api_key_id starts" \
    eval 'jq -e ".api_key_id_from == \"2025-02-01T00:00:00Z\"" "$WORK/out" >/dev/null'
ou costs $W --group-by api_key_id,line_item --records --format ndjson
python3 - "$WORK/out" <<'PY' && ok || not_ok "floor: --records pieces are not in time order or not filled"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
starts = [r["start_time"] for r in rows]
assert starts == sorted(starts) and rows
assert all((r["api_key_id"] == "(unavailable)") == (r["start_time"] < "2025-02-01") for r in rows)
PY
ou costs --since 2025-01-01 --until 2025-01-15 --group-by api_key_id --format csv
truth costs --start-time $S --end-time 1736899200
check "floor: a window wholly before it is one unavailable row" \
    eval '[ "$(tail -n +2 "$WORK/out" | cut -d, -f1 | tr -d "\r" | sort -u)" = "(unavailable)" ]'
ou costs --since 2025-02-03 --until 2025-02-10 --group-by api_key_id --format csv
truth costs --start-time 1738540800 --end-time 1739145600 --group-by api_key_id
same_as_truth "floor: a window after it is fetched as asked"

# ---- user_id with project_id ----
start_mock --refuse-user-project
ou costs $W --group-by user_id,project_id
expect_failure "user_id with project_id" 1 "HTTP 400: .*drop one of them"
ou projects --format csv
a_project=$(sed -n 2p "$WORK/out" | cut -d, -f1)
ou costs $W --group-by user_id --project "$a_project"
expect_failure "user_id with --project" 1 "HTTP 400: .*drop one of them"
ou costs $W --group-by user_id --format csv
truth costs $T --group-by user_id
same_as_truth "user_id alone is still served"

# ---- schema drift: an unknown counter and an unknown result type ----
start_mock --extra-field input_video_tokens
ou completions $W --group-by model --format csv
truth completions $T --group-by model
same_as_truth "an unknown counter leaves the totals intact"
python3 - "$BASE" "$S" "$E" >"$WORK/extra.sum" <<'PY'
# Sum the unknown field straight from the server's pages (stdlib only), for
# the same query (group_by=model) as the client's.
import json, os, sys, urllib.request
base, s, e = sys.argv[1:4]
total, page = 0, None
while True:
    q = (f"start_time={s}&end_time={e}&bucket_width=1d&group_by=model&limit=31"
         + (f"&page={page}" if page else ""))
    req = urllib.request.Request(f"{base}/organization/usage/completions?{q}",
        headers={"Authorization": "Bearer " + os.environ["OPENAI_ADMIN_KEY"]})
    with urllib.request.urlopen(req) as r:
        d = json.load(r)
    total += sum(res.get("input_video_tokens", 0) for b in d["data"] for res in b["results"])
    if not d["has_more"]:
        break
    page = d["next_page"]
print(total)
PY
want=$(cat "$WORK/extra.sum")
check "the unknown counter is named with its total ($want)" \
    grep -q "completions: the API sent a field this version does not know, input_video_tokens (it would have added $want)" "$WORK/err"
check "the drift warning is given once" \
    eval '[ "$(grep -c input_video_tokens "$WORK/err")" -eq 1 ]'
check "the unknown counter sum is not zero" [ "${want:-0}" -gt 0 ]
start_mock --extra-object organization.usage.completions.future_result
ou completions $W --format csv
check "an unknown result type is reported" \
    grep -q 'results of type "organization.usage.completions.future_result"' "$WORK/err"
check "an unknown result type does not fail the run" [ "$RC" -eq 0 ]
finish
