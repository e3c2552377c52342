#!/usr/bin/env bash
# overview equals the server's truth endpoint by endpoint (zeros included);
# --names adds names beside ids without losing a row or changing a total,
# caches them, and survives a failed lookup; the list commands print the
# organization's lists in every format, the tables under a title that
# counts them.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }
command -v jq >/dev/null || { echo "jq is required" >&2; exit 1; }
export XDG_CACHE_HOME="$WORK/cache"
start_mock
S=1735689600; E=1740787200
W="--since $S --until $E"
T="--start-time $S --end-time $E --bucket-width 1d"

# ---- overview ----
col() { # col FILE NAME: the value of column NAME in the last row of a CSV
    tr -d '\r' <"$1" | awk -F, -v n="$2" 'NR==1{for(i=1;i<=NF;i++) if($i==n) c=i} END{if(c) print $c}'
}
ou overview $W --format csv
cp "$WORK/out" "$WORK/overview.csv"
check "overview succeeded" [ "$RC" -eq 0 ]
ov() { # ov ENDPOINT COLUMN
    tr -d '\r' <"$WORK/overview.csv" | awk -F, -v e="$1" -v n="$2" \
        'NR==1{for(i=1;i<=NF;i++) if($i==n) c=i} $1==e{print $c}'
}
# endpoint : truth name : requests metric : input : output : units metric
for spec in completions:completions:num_model_requests:input_tokens:output_tokens: \
            decisions:decisions:num_model_requests:input_tokens:output_tokens: \
            embeddings:embeddings:num_model_requests:input_tokens:: \
            moderations:moderations:num_model_requests:input_tokens:: \
            images:images:num_model_requests:::images \
            audio-speeches:audio_speeches:num_model_requests:::characters \
            audio-transcriptions:audio_transcriptions:num_model_requests:::seconds \
            vector-stores:vector_stores::::usage_bytes \
            code-interpreter-sessions:code_interpreter_sessions::::num_sessions \
            file-search-calls:file_search_calls::::num_requests \
            web-search-calls:web_search_calls:num_model_requests:::num_requests; do
    IFS=: read -r ep tep req inp outp units <<<"$spec"
    truth "$tep" $T
    for pair in "requests:$req" "input_tokens:$inp" "output_tokens:$outp" "units:$units"; do
        oc=${pair%%:*}; tc=${pair#*:}
        want=""
        [ -n "$tc" ] && want=$(col "$WORK/truth" "$tc")
        got=$(ov "$ep" "$oc")
        check "overview $ep $oc = truth ${tc:-(n/a)} ($got vs $want)" [ "$got" = "$want" ]
    done
done
truth costs --start-time $S --end-time $E
want=$(col "$WORK/truth" amount)
got=$(ov costs amount)
norm() { echo "$1" | sed -E 's/(\.[0-9]*[1-9])0+$/\1/; s/\.0+$//'; }
check "overview cost = truth ($got vs $want)" [ "$(norm "$got")" = "$(norm "$want")" ]
check "overview lists all 12 endpoints" [ "$(tail -n +2 "$WORK/overview.csv" | wc -l)" -eq 12 ]
check "overview fetched every endpoint once" \
    [ "$(grep -c ' GET /v1/organization/' "$WORK/requests.log")" -ge 12 ]

# An idle window (before the organization's activity): zeros, not gaps.
ou overview --since 2023-06-01 --until 2023-06-08 --format csv
check "idle overview has 12 rows" [ "$(tail -n +2 "$WORK/out" | wc -l)" -eq 12 ]
check "idle completions requests are 0" eval '[ "$(tr -d "\r" <"$WORK/out" | awk -F, "\$1==\"completions\"{print \$2}")" = 0 ]'
check "idle cost is 0" eval '[ "$(tr -d "\r" <"$WORK/out" | awk -F, "\$1==\"costs\"{print \$7}")" = 0 ]'
ou overview $W
check "overview table shows every endpoint" eval '[ "$(grep -cE "^(completions|decisions|embeddings|moderations|images|audio-speeches|audio-transcriptions|vector-stores|code-interpreter-sessions|file-search-calls|web-search-calls|costs) " "$WORK/out")" -eq 12 ]'
ou overview $W --group-by model; expect_failure "overview --group-by" 2 "overview does not take --group-by"

# ---- --names ----
G="--group-by project_id,user_id,api_key_id,model"
ou completions $W $G --format csv
cp "$WORK/out" "$WORK/plain.csv"
: >"$WORK/requests.log"
ou completions $W $G --format csv --names
cp "$WORK/out" "$WORK/named.csv"
check "--names run succeeded" [ "$RC" -eq 0 ]
check "--names read the lists" grep -q '/organization/projects?' "$WORK/requests.log"
check "--names CSV header" eval 'head -n 1 "$WORK/named.csv" | tr -d "\r" | grep -q "^project_id,project_name,user_id,user_email,api_key_id,api_key_name,model,input_tokens"'
# Dropping the name columns gives back exactly the report without names.
python3 - "$WORK/named.csv" "$WORK/plain.csv" <<'PY' && ok || not_ok "--names changed rows or totals"
import csv, sys
named = list(csv.reader(open(sys.argv[1], newline="")))
plain = list(csv.reader(open(sys.argv[2], newline="")))
drop = {named[0].index(c) for c in ("project_name", "user_email", "api_key_name")}
stripped = [[v for i, v in enumerate(r) if i not in drop] for r in named]
sys.exit(0 if stripped == plain and len(plain) > 5 else 1)
PY
# The names are the server's names; unknown ids keep their rows, unnamed.
python3 "$E2E_DIR/orglists.py" "$BASE" projects >"$WORK/projects.tsv"
python3 "$E2E_DIR/orglists.py" "$BASE" users >"$WORK/users.tsv"
python3 "$E2E_DIR/orglists.py" "$BASE" keys >"$WORK/keys.tsv"
python3 "$E2E_DIR/orglists.py" "$BASE" service-accounts >"$WORK/accounts.tsv"
python3 "$E2E_DIR/orglists.py" "$BASE" visible-keys >"$WORK/visible.tsv"
check "some keys are listed only with owner_project_access=any" \
    [ "$(wc -l <"$WORK/keys.tsv")" -gt "$(wc -l <"$WORK/visible.tsv")" ]
python3 - "$WORK/named.csv" "$WORK" <<'PY' && ok || not_ok "--names do not match the server's lists"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
def load(name):
    return dict(l.rstrip("\n").split("\t", 1) for l in open(f"{sys.argv[2]}/{name}.tsv"))
# A user_id is a person (users) or a service account (named per project).
lists = {"project": load("projects"), "user": {**load("accounts"), **load("users")},
         "api_key": load("keys")}
hidden = set(load("keys")) - set(load("visible"))
named_hidden = sum(1 for r in rows if r["api_key_id"] in hidden and r["api_key_name"])

unknown = 0
for r in rows:
    for kind, col in (("project", "project_name"), ("user", "user_email"), ("api_key", "api_key_name")):
        i = r[f"{kind}_id"]
        want = lists[kind].get(i, "")
        if r[col] != want:
            print("mismatch", kind, i, repr(r[col]), repr(want)); sys.exit(1)
        unknown += bool(i) and i not in lists[kind]
# The dataset has usage from a key of a deleted project: kept, unnamed;
# keys hidden from the default listing are named.
sys.exit(0 if unknown > 0 and named_hidden > 0 else 1)
PY
ou completions $W --group-by project_id --names
drop_title
check "the table shows names" grep -q "^project_name " "$WORK/out"
check "the table has no raw project_id column" bash -c "! head -n 1 '$WORK/out' | grep -q 'project_id'"

# The cache: a second run reads no list; --refresh-names does.
: >"$WORK/requests.log"
ou completions $W $G --format csv --names
check "cached names give the same output" cmp -s "$WORK/out" "$WORK/named.csv"
check "cached names read no list" bash -c "! grep -q '/organization/projects?\|/organization/users?' '$WORK/requests.log'"
ou completions $W $G --format csv --refresh-names
check "--refresh-names reads the lists again" grep -q '/organization/users?' "$WORK/requests.log"
check "the cache holds no key" bash -c "! grep -rq '$OPENAI_ADMIN_KEY' '$XDG_CACHE_HOME'"
touch -d '2 days ago' "$XDG_CACHE_HOME"/oaiusage/names-*.tsv
: >"$WORK/requests.log"
ou completions $W --group-by user_id --names --format csv
check "a stale cache is refreshed" grep -q '/organization/users?' "$WORK/requests.log"

# Whether the API puts a service account's id in user_id is unknown: when
# it does, the account is named from its project's service accounts.
start_mock --service-account-users
ou completions $W --group-by user_id --names --format csv --refresh-names
cp "$WORK/out" "$WORK/sa.csv"
truth completions $T --group-by user_id --service-account-users
python3 - "$WORK/sa.csv" "$WORK/truth" "$WORK" <<'PY' && ok || not_ok "service accounts are not named as the server lists them"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
truth = {r["user_id"]: r["input_tokens"] for r in csv.DictReader(open(sys.argv[2], newline=""))}
def load(name):
    return dict(l.rstrip("\n").split("\t", 1) for l in open(f"{sys.argv[3]}/{name}.tsv"))
accounts, users = load("accounts"), load("users")
assert {r["user_id"]: r["input_tokens"] for r in rows} == truth, "rows differ from the truth"
named = [r for r in rows if r["user_id"] in accounts]
assert named, "no service account in the data"
for r in rows:
    assert r["user_email"] == {**accounts, **users}.get(r["user_id"], ""), r
PY
check "service accounts were listed" grep -q '/service_accounts?' "$WORK/requests.log"

# A failed lookup is a warning; the report keeps its rows and ids.
rm -rf "$XDG_CACHE_HOME"
start_mock --fault 3+:500   # requests 1-2: the two completions pages
ou completions $W $G --format csv --names --retries 1
check "failed lookup: exit 0" [ "$RC" -eq 0 ]
check "failed lookup: a warning" grep -q 'warning: names: projects page 1: HTTP 500 (after 2 attempts)' "$WORK/err"
python3 - "$WORK/out" "$WORK/plain.csv" <<'PY' && ok || not_ok "failed lookup changed rows or totals"
import csv, sys
named = list(csv.reader(open(sys.argv[1], newline="")))
plain = list(csv.reader(open(sys.argv[2], newline="")))
drop = {named[0].index(c) for c in ("project_name", "user_email", "api_key_name")}
sys.exit(0 if [[v for i, v in enumerate(r) if i not in drop] for r in named] == plain else 1)
PY

# ---- lists ----
start_mock
nproj=$(wc -l <"$WORK/projects.tsv")
ou projects --format csv
check "projects CSV has every project, archived too ($nproj)" [ "$(($(wc -l <"$WORK/out") - 1))" -eq "$nproj" ]
check "an archived project is listed" grep -q ',archived,' "$WORK/out"
ou projects --format json
check "projects JSON ids are the server's" eval '[ "$(jq -r ".data[].id" "$WORK/out" | sort)" = "$(cut -f1 "$WORK/projects.tsv" | sort)" ]'
ou users --format ndjson
check "users NDJSON emails are the server's" eval '[ "$(jq -r .email "$WORK/out" | sort)" = "$(cut -f2 "$WORK/users.tsv" | sort)" ]'
p1=$(head -n 1 "$WORK/projects.tsv" | cut -f1)
python3 "$E2E_DIR/orglists.py" "$BASE" keys "$p1" >"$WORK/p1keys.tsv"
ou api-keys --project "$p1" --format csv
check "api-keys --project lists that project's keys" eval '[ "$(tail -n +2 "$WORK/out" | cut -d, -f2 | sort)" = "$(cut -f1 "$WORK/p1keys.tsv" | sort)" ]'
# The tables: a title saying what the list is and how many it holds (the
# server's count, read by orglists.py), a blank line, the header, the rule,
# then one line per item.
nkeys=$(wc -l <"$WORK/keys.tsv")
nusers=$(wc -l <"$WORK/users.tsv")
ou api-keys
check "api-keys table lists every key" [ "$(($(wc -l <"$WORK/out") - 4))" -eq "$nkeys" ]
check "api-keys table title" [ "$(head -n 1 "$WORK/out")" = "API keys of every project (archived included), $nkeys" ]
check "api-keys table: a blank line, then the header" \
    bash -c "[ -z \"\$(sed -n 2p '$WORK/out')\" ] && sed -n 3p '$WORK/out' | grep -q '^project_id  *id  *name '"
check "no secret key values in the key list" bash -c "! grep -Eq 'sk-(proj|admin)-[A-Za-z0-9]{20,}' '$WORK/out'"
ou api-keys --project "$p1"
check "api-keys --project table title" \
    [ "$(head -n 1 "$WORK/out")" = "API keys of project $p1, $(wc -l <"$WORK/p1keys.tsv")" ]
check "api-keys --project table lists that project's keys" \
    [ "$(($(wc -l <"$WORK/out") - 4))" -eq "$(wc -l <"$WORK/p1keys.tsv")" ]
ou projects
check "projects table title" [ "$(head -n 1 "$WORK/out")" = "projects of the organization (archived included), $nproj" ]
check "projects table lists every project" [ "$(($(wc -l <"$WORK/out") - 4))" -eq "$nproj" ]
check "projects table: the header on line 3" bash -c "sed -n 3p '$WORK/out' | grep -q '^id  *name  *status '"
ou users
check "users table title" [ "$(head -n 1 "$WORK/out")" = "users of the organization, $nusers" ]
check "users table lists every user" [ "$(($(wc -l <"$WORK/out") - 4))" -eq "$nusers" ]
# --no-header: no title either, only the items.
ou projects --no-header
check "projects --no-header: no title, one line per project" \
    bash -c "[ \$(wc -l <'$WORK/out') -eq $nproj ] && ! grep -q 'of the organization' '$WORK/out'"
ou users --format csv
check "users CSV has no title" bash -c "head -n 1 '$WORK/out' | tr -d '\r' | grep -qx 'id,email,name,role,added_at' && [ \$((\$(wc -l <'$WORK/out') - 1)) -eq $nusers ]"
ou api-keys --format csv
check "api-keys CSV has no title" bash -c "head -n 1 '$WORK/out' | grep -q '^project_id,id,' && [ \$((\$(wc -l <'$WORK/out') - 1)) -eq $nkeys ]"
ou users --days 3; expect_failure "users --days" 2 "users does not take --days"
finish
