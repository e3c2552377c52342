#!/usr/bin/env bash
# The config file and its profiles: two organizations (two servers with
# different data), each profile's report equal to its own server's truth;
# the precedence flag > environment > profile > built-in; refusals of an
# unsafe or wrong file; `oaiusage config` naming each source without the
# key; the store's rows labelled by the profile's org; --color.
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
. "${E2E_DIR:-$(dirname "$0")}/clock_lib.sh"
export HOME="$WORK/home" XDG_CONFIG_HOME="$WORK/xdg"
mkdir -p "$HOME" "$XDG_CONFIG_HOME/oaiusage"
CONF="$XDG_CONFIG_HOME/oaiusage/config"
W="--since 2025-03-01 --until 2025-03-08"
T="--start-time 1740787200 --end-time 1741392000"

# Two organizations: the small org (seed 1) and the large one (seed 7).
start_mock --seed 1
A_BASE=$BASE A_PID=$MOCK_PID
MOCK_PID=""
start_mock --seed 7 --org large
B_BASE=$BASE
truth_of() { # truth_of SEED ORG: costs by project of W, as CSV
    "$OAIUSAGE_MOCK" truth costs $T --group-by project_id --now "$MOCK_NOW" \
        --seed "$1" --org "$2" >"$WORK/truth"
}
trap 'kill $A_PID 2>/dev/null; cleanup' EXIT

printf '%s' "$OPENAI_ADMIN_KEY" >"$HOME/key-a"
printf '%s' "$OPENAI_ADMIN_KEY" >"$HOME/key-b"
chmod 600 "$HOME/key-a" "$HOME/key-b"
cat >"$CONF" <<EOF
; two organizations
[default]
format = csv
group-by = project_id

[profile a]
base-url = $A_BASE
admin-key-file = ~/key-a
org = alpha
db = ~/alpha.db

[profile b]
base_url = $B_BASE
key_file = ~/key-b
org = beta
days = 3
EOF
chmod 600 "$CONF"
KEY=$OPENAI_ADMIN_KEY
unset OPENAI_ADMIN_KEY

# run ARGS...: oaiusage with the environment as set (no --base-url).
run() {
    "${OU[@]}" "$@" >"$WORK/out" 2>"$WORK/err"
    RC=$?
    if grep -q "$KEY" "$WORK/out" "$WORK/err"; then
        not_ok "the admin key appeared in the output of: oaiusage $*"
    fi
}

run costs $W --profile a
truth_of 1 small
same_as_truth "--profile a: organization a's costs, CSV and grouped from [default]"
run costs $W --profile b
truth_of 7 large
same_as_truth "--profile b: organization b's costs (base_url, key_file spellings)"
OAIUSAGE_PROFILE=b run costs $W
same_as_truth "OAIUSAGE_PROFILE=b selects profile b"
OAIUSAGE_PROFILE=b run costs $W --profile a
truth_of 1 small
same_as_truth "--profile beats OAIUSAGE_PROFILE"

# base-url: flag > environment > profile
OAIUSAGE_BASE_URL=$B_BASE run costs $W --profile a
truth_of 7 large
same_as_truth "the environment's base URL beats the profile's"
OAIUSAGE_BASE_URL=$B_BASE run costs $W --profile a --base-url "$A_BASE"
truth_of 1 small
same_as_truth "the command line's base URL beats the environment's"
# the key: OPENAI_ADMIN_KEY beats the profile's key file
chmod 000 "$HOME/key-a"
OPENAI_ADMIN_KEY=$KEY run costs $W --profile a
same_as_truth "OPENAI_ADMIN_KEY beats the profile's key file (unreadable here)"
chmod 600 "$HOME/key-a"
# options: the command line beats the profile and [default]
run costs $W --profile a --format json
check "--format json beats format = csv (exit $RC)" bash -c "jq -e '.data | length > 0' '$WORK/out' >/dev/null"
# a window on the command line replaces the profile's whole (days = 3)
run costs --since 2025-03-01 --until 2025-03-08 --profile b
truth_of 7 large
same_as_truth "--since/--until with a profile's days: no conflict, the flags win"
run costs --profile b --dry-run
start=$(date -u -d "$(date -u +%F) -2 days" +%FT00:00:00Z)
check "the profile's days = 3 is the window: from $start (exit $RC)" \
    grep -q "for $start \.\. now" "$WORK/out"

# `config`: each setting and its source; never the key
run config --profile a --format csv
check "config names each source (exit $RC)" python3 - "$WORK/out" "$A_BASE" "$HOME" <<'PY'
import csv, sys
rows = {r["setting"]: r for r in csv.DictReader(open(sys.argv[1]))}
base, home = sys.argv[2], sys.argv[3]
assert rows["profile"]["value"] == "a" and rows["profile"]["source"] == "--profile", rows["profile"]
assert rows["base-url"]["value"] == base and rows["base-url"]["source"] == "config [profile a]", rows["base-url"]
assert rows["admin key"]["value"] == f"read from {home}/key-a (not shown)", rows["admin key"]
assert rows["db"]["value"] == f"{home}/alpha.db", rows["db"]
assert rows["org"]["value"] == "alpha", rows["org"]
assert rows["format"]["source"] == "config [default]", rows["format"]
assert rows["group-by"]["value"] == "project_id", rows["group-by"]
PY
OPENAI_ADMIN_KEY=$KEY OAIUSAGE_BASE_URL=http://127.0.0.1:9/v1 run config --profile a --format csv
check "config: the environment's sources, the key hidden (exit $RC)" \
    bash -c "grep -q '^base-url,http://127.0.0.1:9/v1,environment OAIUSAGE_BASE_URL' '$WORK/out' && grep -q '^admin key,set (not shown),environment OPENAI_ADMIN_KEY' '$WORK/out'"
OPENAI_ADMIN_KEY=$KEY run config --format csv
check "config without a profile: [default] only, the key from the environment, not shown" \
    bash -c "grep -q '^profile,(none),-' '$WORK/out' && grep -q '^admin key,set (not shown),environment OPENAI_ADMIN_KEY' '$WORK/out' && ! grep -q 'key-a' '$WORK/out'"

# the store's rows carry the profile's org
# sync keeps the profile's store (db = ~/alpha.db); the clock at the
# server's now
( at_time "$MOCK_NOW" "${OU[@]}" sync --profile a --since 2025-03-01 --endpoint costs ) >"$WORK/out" 2>"$WORK/err"
RC=$?
check "sync with --profile a (exit $RC: $(head -c 200 "$WORK/err"))" [ "$RC" -eq 0 ]
check "the store is the profile's db, its rows labelled alpha" \
    bash -c "[ \"\$(sqlite3 '$HOME/alpha.db' 'SELECT DISTINCT org FROM costs')\" = alpha ]"
( at_time "$MOCK_NOW" "${OU[@]}" costs $W --profile a --db "$HOME/alpha.db" ) >"$WORK/out" 2>"$WORK/err"
RC=$?
truth_of 1 small
same_as_truth "a report from the store of profile a reads org alpha"
run costs $W --profile a
check "a report with a profile's db still reads the API (exit $RC)" \
    bash -c "[ $RC -eq 0 ] && ! grep -q 'from the store' '$WORK/err'"

# refusals and warnings
run costs $W --profile c
expect_failure "an unknown profile lists the profiles" 2 "profile 'c' \\(--profile\\) is not in .*\\(its profiles: a, b\\)"
chmod 620 "$CONF"
run costs $W --profile a
expect_failure "a file the group can write is refused" 2 "can be changed by others \\(mode 620\\)"
chmod 644 "$CONF"
run costs $W --profile a
check "a file others can read: a warning, and the report (exit $RC)" \
    bash -c "[ $RC -eq 0 ] && grep -q 'can be read by others' '$WORK/err'"
chmod 600 "$CONF"
cp "$CONF" "$CONF.good"
printf '[profile x]\ngrup-by = model\n' >>"$CONF"
run costs $W
expect_failure "an unknown setting gets a guess" 2 "unknown setting 'grup-by'; did you mean 'group-by'"
cp "$CONF.good" "$CONF"
printf '[team]\nformat = csv\n' >>"$CONF"
run costs $W
expect_failure "an unknown section" 2 "sections are \\[default\\] and \\[profile NAME\\]"
cp "$CONF.good" "$CONF"
printf '[default]\nnames = maybe\n' >>"$CONF"
run costs $W --profile a
expect_failure "a flag is true or false" 2 "names = maybe: a flag is true or false"
cp "$CONF.good" "$CONF"
rm "$CONF"
run costs $W --profile a --base-url "$A_BASE"
expect_failure "--profile without a config file" 2 "profile 'a' .*is not in"
cp "$CONF.good" "$CONF"

# --color: always and never, and NO_COLOR for auto
run costs $W --profile a --format table --chart --color always
check "--color always colours the bars even in a pipe" grep -q $'\e\\[' "$WORK/out"
run costs $W --profile a --format table --chart --color never
check "--color never: no escape" bash -c "! grep -q $'\\e' '$WORK/out'"
run costs $W --profile a --format table --chart
check "--color auto in a pipe: no escape" bash -c "! grep -q $'\\e' '$WORK/out'"

# --version names the libraries
run --version
check "--version names libcurl, cJSON, SQLite, libpq, libxlsxwriter, inih" \
    bash -c "grep -Eq '^libcurl [0-9.]+.*, cJSON [0-9.]+, SQLite [0-9.]+, libpq [0-9.]+, libxlsxwriter [0-9.]+, inih [0-9]+' '$WORK/out'"

finish
