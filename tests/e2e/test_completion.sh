#!/usr/bin/env bash
# test_completion.sh - the generated shell completions, in real shells.
#
# bash (always; Debian's bash-completion, scripts/deps.sh --test): each
# case sets COMP_WORDS/COMP_CWORD/COMP_LINE/COMP_POINT as readline does and
# calls the completion function in a fresh `bash --norc`, once with
# bash-completion loaded and once without it (the script's own fallback),
# and compares COMPREPLY with concrete words, most of them read from the
# binary's own help (`oaiusage help COMMAND`, help.c, not the generator):
# commands, each command's options (and not another's), the group fields
# of the chosen endpoint as comma lists, the values of the choice options
# and of filters with fixed values, profile names from the config file,
# file names. bash-completion's loader finds the file by the command's name.
# zsh and fish too, each in a real shell (scripts/deps.sh --test installs
# them; a missing one fails the test).
source "$E2E_DIR/lib.sh"

build=${OAIUSAGE_BUILD_DIR:-$(dirname "$OAIUSAGE_BIN")}
comp=$build/completions/oaiusage
BC=/usr/share/bash-completion/bash_completion
BASE=http://127.0.0.1:9/v1 # help needs no server
check "bash completion exists" test -s "$comp"
check "bash-completion is installed ($BC)" test -r "$BC"
check "the bash completion parses" bash -n "$comp"

cat >"$WORK/complete.sh" <<'SH'
# complete.sh MODE WORD...: complete the last word (MODE bc: with
# bash-completion loaded); prints COMPREPLY, one per line.
mode=$1
shift
[ "$mode" = bc ] && source "$BC"
source "$COMP"
COMP_WORDS=(oaiusage "$@")
COMP_CWORD=$#
COMP_LINE=oaiusage
for w in "$@"; do # "--format" "=" "c" is "--format=c" on the line
    if [[ $w == = || $COMP_LINE == *= ]]; then
        COMP_LINE+=$w
    else
        COMP_LINE+=" $w"
    fi
done
COMP_POINT=${#COMP_LINE}
_oaiusage oaiusage "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
printf '%s\n' "${COMPREPLY[@]}"
SH

# expect MODE "WANT WORDS" WORD...: the completions of WORD... are exactly
# the words WANT (in any order).
expect() {
    local mode=$1 want got
    want=$(tr ' ' '\n' <<<"$2" | sed '/^$/d' | LC_ALL=C sort | tr '\n' ' ')
    shift 2
    got=$(BC=$BC COMP=$comp bash --norc --noprofile "$WORK/complete.sh" "$mode" "$@" |
        sed '/^$/d' | LC_ALL=C sort | tr '\n' ' ')
    if [ "$got" = "$want" ]; then
        ok
    else
        not_ok "[$mode] oaiusage $* <TAB>: got '$got', want '$want'"
    fi
}

# The binary's own help: commands, and a command's options and values.
ou --help
commands=$(sed -n '/^Commands:/,/^$/p' "$WORK/out" |
    sed -nE 's/^  ([a-z][a-z-]*) .*/\1/p' | grep -vx help | tr '\n' ' ')
options_of() { # the long options `oaiusage help $1` lists
    ou help "$1"
    grep -oE -- '^  (-[A-Za-z], )?--[a-z][a-z-]*' "$WORK/out" | grep -oE -- '--[a-z-]+' | tr '\n' ' '
}
group_fields_of() { # "one row per combination of: a, b, c"
    ou help "$1"
    sed -n '/--group-by/,/default/p' "$WORK/out" | tr '\n' ' ' |
        sed -E 's/.*combination of: *//; s/ *\(default.*//; s/,/ /g; s/  */ /g'
}
formats_of() { # "--format F  table (default), csv, json, ..."
    ou help "$1"
    sed -nE '/^  --format/{s/^  --format F *//;s/ \(default\)//;s/,/ /g;p}' "$WORK/out"
}
check "--help lists commands" test "$(wc -w <<<"$commands")" -ge 19
costs_fields=$(group_fields_of costs)
check "help costs names its group fields: $costs_fields" \
    test "$(wc -w <<<"$costs_fields")" -ge 7

for m in bc plain; do
    expect $m "completions" comp
    expect $m "$commands help" ""
    expect $m "$commands" help ""
    expect $m "code-interpreter-sessions completions config costs" help co
    expect $m "$(options_of costs)" costs --
    expect $m "$(options_of images)" images --
    expect $m "$(options_of report)" report --
    expect $m "--group-by" costs --gr
    expect $m "--since --source --size --sort" images --s
    # an option the command does not take is not offered
    expect $m "--sort" costs --so
    expect $m "" costs --batc
    expect $m "--batch" completions --batc
    expect $m "" projects --group
    expect $m "$costs_fields" costs --group-by ""
    expect $m "project_id user_id line_item api_key_id api_source model component" \
        costs --group-by ""
    expect $m "project_id,user_id project_id,line_item project_id,api_key_id project_id,api_source project_id,model project_id,component" \
        costs --group-by project_id,
    expect $m "model,line_item" costs --group-by model,l
    expect $m "$(group_fields_of images)" images --group-by ""
    expect $m "project_id" vector-stores --group-by ""
    expect $m "project_id user_id api_key_id model" audio_speeches --group-by ""
    expect $m "$(formats_of costs)" costs --format ""
    expect $m "table csv json ndjson svg openmetrics xlsx" costs --format ""
    expect $m "table csv json ndjson xlsx" projects --format ""
    expect $m "csv" costs --format c
    expect $m "1d" costs --bucket ""
    expect $m "1m 1h 1d" completions --bucket ""
    expect $m "day week month bucket" completions --per ""
    expect $m "previous year" costs --compare ""
    expect $m "month week day" budget --period ""
    expect $m "image.generation image.edit image.variation" images --source ""
    expect $m "image.generation,image.edit image.generation,image.variation" \
        images --source image.generation,
    expect $m "1024x1024 1024x1536 1024x1792" images --size 1024x
    expect $m "low medium high" web-search-calls --context-level ""
    expect $m "amount quantity" costs --sort ""
    expect $m "completions,code-interpreter-sessions completions,costs" \
        sync --endpoint completions,co
    expect $m "completions,costs" sync --endpoint completions,cos
    # a value is no command: the command after an option's value is found
    expect $m "--group-by" --days 3 costs --gr
    expect $m "$commands help" --days 3 "" # "3" is a value, not the command
    expect $m "" costs --days ""
done
# --option=value (readline splits at the '=')
expect bc "csv" costs --format = c
expect bc "--group-by" costs --format = csv --gr
expect plain "csv" costs --format = c

# Profiles: the [profile NAME] sections of the config file.
mkdir -p "$WORK/config/oaiusage"
printf '%s\n' '[default]' 'format = table' '[profile acme]' 'days = 7' \
    '  [ profile  beta-2 ]  ' '[profilex]' '# [profile commented]' \
    '[profile gamma]' >"$WORK/config/oaiusage/config"
for m in bc plain; do
    expect $m "acme beta-2 gamma" costs --profile ""
    expect $m "beta-2" costs --profile b
    # several profiles, one report: a comma list where a command takes one
    expect $m "acme,beta-2 acme,gamma" costs --profile acme,
    expect $m "acme,gamma" overview --profile acme,g
    expect $m "acme,beta-2 acme,gamma" --profile acme,
    # the HTML report and the lists read one organization: one name
    expect $m "acme beta-2 gamma" report --profile ""
    expect $m "" report --profile acme,
done
mv "$WORK/config" "$WORK/config.off"
expect bc "" costs --profile ""
mv "$WORK/config.off" "$WORK/config"
got=$(XDG_CONFIG_HOME=$WORK/config bash --norc -c 'source "$1"; _oaiusage_profiles' _ "$comp" | tr '\n' ' ')
check "_oaiusage_profiles reads the sections: '$got'" test "$got" = "acme beta-2 gamma "
got=$(unset XDG_CONFIG_HOME; HOME=$WORK/home bash --norc -c 'source "$1"; _oaiusage_profiles' _ "$comp" | tr '\n' ' ')
check "no config file: no profiles" test -z "$got"
mkdir -p "$WORK/home/.config/oaiusage"
cp "$WORK/config/oaiusage/config" "$WORK/home/.config/oaiusage/config"
got=$(unset XDG_CONFIG_HOME; HOME=$WORK/home bash --norc -c 'source "$1"; _oaiusage_profiles' _ "$comp" | tr '\n' ' ')
check "~/.config/oaiusage/config without XDG_CONFIG_HOME: '$got'" test "$got" = "acme beta-2 gamma "

# Time zones for --tz: the zones of the system's tzdata, against Python's
# zoneinfo over the same directory (which reads each file's TZif magic);
# $TZDIR first, as the C library does. Debian's "localtime" (a link to
# /etc/localtime, not an IANA name) is not offered. Costs take no --tz.
zones_of() { # the zone names zoneinfo finds in directory $1
    python3 - "$1" <<'PY'
import os, sys, zoneinfo
d = sys.argv[1]
zoneinfo.reset_tzpath([d])
print(" ".join(sorted(z for z in zoneinfo.available_timezones()
                      if os.path.isfile(os.path.join(d, z)) and z != "localtime")))
PY
}
zones=$(zones_of /usr/share/zoneinfo)
europe_be=$(tr ' ' '\n' <<<"$zones" | grep '^Europe/Be' | tr '\n' ' ')
check "tzdata has zones ($(wc -w <<<"$zones")), Europe/Berlin among them" \
    grep -qw 'Europe/Berlin' <<<"$zones"
check "Europe/Be: Berlin and more ($europe_be)" test "$(wc -w <<<"$europe_be")" -ge 2
mkdir -p "$WORK/tz/Europe" "$WORK/tz/posix/Europe" "$WORK/tz/Etc"
cp /usr/share/zoneinfo/Europe/Berlin "$WORK/tz/Europe/Berlin"
cp /usr/share/zoneinfo/Europe/Berlin "$WORK/tz/posix/Europe/Berlin"
cp /usr/share/zoneinfo/Etc/UTC "$WORK/tz/Etc/UTC"
cp /usr/share/zoneinfo/Etc/UTC "$WORK/tz/posixrules"
printf '# not a zone\n' >"$WORK/tz/zone.tab"
fakezones=$(zones_of "$WORK/tz")
check "the made-up TZDIR holds two zones ($fakezones)" test "$fakezones" = "Etc/UTC Europe/Berlin"
for m in bc plain; do
    expect $m "$zones" completions --tz ""
    expect $m "$europe_be" completions --tz Europe/Be
    expect $m "Asia/Kolkata" overview --tz Asia/Kolk
    TZDIR=$WORK/tz expect $m "$fakezones" completions --tz ""
    expect $m "--timeout --top" costs --t # no --tz
done

# File names for -o, --admin-key-file.
mkdir -p "$WORK/files"
touch "$WORK/files/report-a.html" "$WORK/files/report-b.html"
for m in bc plain; do
    expect $m "$WORK/files/report-a.html $WORK/files/report-b.html" report -o "$WORK/files/rep"
    expect $m "$WORK/files/report-a.html $WORK/files/report-b.html" costs --admin-key-file "$WORK/files/rep"
done

# bash-completion's loader finds it by the command's name where it is
# installed (share/bash-completion/completions/oaiusage).
mkdir -p "$WORK/bcdir/completions"
cp "$comp" "$WORK/bcdir/completions/oaiusage"
got=$(BASH_COMPLETION_USER_DIR=$WORK/bcdir bash --norc -c \
    'source "$1"; __load_completion oaiusage; complete -p oaiusage' _ "$BC" 2>&1)
check "bash-completion loads it on demand: $got" test "$got" = "complete -F _oaiusage oaiusage"

# ---- zsh ---------------------------------------------------------------------
# zsh: the completion function run in a real `zsh -f` with words/CURRENT/
# PREFIX set, and compsys's builtins stubbed to print the candidates they
# are given (before zsh filters them by the prefix).
if command -v zsh >/dev/null; then
    zcomp=$build/completions/_oaiusage
    check "the zsh completion parses" zsh -n "$zcomp"
    check "the zsh completion is a #compdef file" \
        test "$(head -n 1 "$zcomp")" = "#compdef oaiusage"
    cat >"$WORK/zcomp.zsh" <<'ZSH'
compadd() {
  local -a w; local seen=0
  while (( $# )); do
    case $1 in (-a) shift; w+=("${(@P)1}") ;; (-) seen=1 ;; (*) (( seen )) && w+=("$1") ;; esac
    shift
  done
  print -l -- $w
}
_sequence() { "$@"; }
_describe() { local e; for e in "${(@P)${@[-1]}}"; do print -- "${e%%:*}"; done; }
_files() { print -- FILES; }
_message() { print -- MESSAGE; }
_wanted() { shift 3; "$@"; }
compset() { PREFIX=${PREFIX#*=}; }
file=$1; shift
args=("$@")
set --
source $file >/dev/null # it ends by completing, with no words
words=(oaiusage "${args[@]}"); CURRENT=$(( ${#args} + 1 )); PREFIX=${words[CURRENT]}
_oaiusage
ZSH
    zexpect() { # zexpect "WANT WORDS" WORD...
        local want got
        want=$(tr ' ' '\n' <<<"$1" | sed '/^$/d' | LC_ALL=C sort | tr '\n' ' ')
        shift
        got=$(zsh -f "$WORK/zcomp.zsh" "$zcomp" "$@" 2>&1 | sed '/^$/d' |
            LC_ALL=C sort | tr '\n' ' ')
        if [ "$got" = "$want" ]; then ok; else
            not_ok "[zsh] oaiusage $* <TAB>: got '$got', want '$want'"
        fi
    }
    zexpect "$commands help" ""
    zexpect "$commands" help ""
    zexpect "$(options_of costs) -o -q -v -h -V -j" costs -
    zexpect "$costs_fields" costs --group-by ""
    zexpect "$(group_fields_of images)" images --group-by ""
    zexpect "$(formats_of costs)" costs --format ""
    zexpect "$(formats_of costs)" costs --format=c
    zexpect "1d" costs --bucket ""
    zexpect "image.generation image.edit image.variation" images --source ""
    zexpect "low medium high" web-search-calls --context-level ""
    zexpect "$(options_of costs) -o -q -v -h -V -j" --days 3 costs --gr
    zexpect "FILES" costs -o ""
    XDG_CONFIG_HOME=$WORK/config zexpect "acme beta-2 gamma" costs --profile ""
    XDG_CONFIG_HOME=$WORK/config zexpect "acme beta-2 gamma" report --profile ""
    check "zsh: a comma list of profiles where a command takes several" \
        grep -q '(--profile) _sequence _oaiusage_profiles ;;' "$zcomp"
    zexpect "$zones" completions --tz ""
    TZDIR=$WORK/tz zexpect "$fakezones" overview --tz ""
    zexpect "MESSAGE" costs --days ""
else
    not_ok "zsh is not installed (scripts/deps.sh --test installs it)"
fi

# ---- fish --------------------------------------------------------------------
# fish: its own completion engine, `complete -C LINE`, on the script.
if command -v fish >/dev/null; then
    fcomp=$build/completions/oaiusage.fish
    check "the fish completion parses" fish --no-execute "$fcomp"
    fexpect() { # fexpect "WANT WORDS" LINE
        local want got
        want=$(tr ' ' '\n' <<<"$1" | sed '/^$/d' | LC_ALL=C sort | tr '\n' ' ')
        got=$(fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
            "$fcomp" "$2" 2>&1 | cut -f 1 | sed '/^$/d' | LC_ALL=C sort | tr '\n' ' ')
        if [ "$got" = "$want" ]; then ok; else
            not_ok "[fish] $2<TAB>: got '$got', want '$want'"
        fi
    }
    fexpect "completions" "oaiusage comp"
    fexpect "$commands help" "oaiusage "
    fexpect "$costs_fields" "oaiusage costs --group-by "
    fexpect "model,line_item" "oaiusage costs --group-by model,l"
    fexpect "model,project_id model,user_id model,line_item model,api_key_id model,api_source model,component" \
        "oaiusage costs --group-by model," # not model,model
    fexpect "$(formats_of costs)" "oaiusage costs --format "
    fexpect "--format=csv" "oaiusage costs --format=c"
    fexpect "--sort" "oaiusage costs --so"
    fexpect "" "oaiusage costs --batc"
    fexpect "--batch" "oaiusage completions --batc"
    fexpect "--group-by" "oaiusage --days 3 costs --gr"
    fexpect "1d" "oaiusage costs --bucket "
    fexpect "image.generation image.edit image.variation" "oaiusage images --source "
    fexpect "project_id user_id api_key_id model" "oaiusage audio_speeches --group-by "
    XDG_CONFIG_HOME=$WORK/config fexpect "acme beta-2 gamma" "oaiusage costs --profile "
    XDG_CONFIG_HOME=$WORK/config fexpect "acme,beta-2 acme,gamma" "oaiusage costs --profile acme,"
    XDG_CONFIG_HOME=$WORK/config fexpect "acme beta-2 gamma" "oaiusage report --profile "
    fexpect "$zones" "oaiusage completions --tz "
    fexpect "$europe_be" "oaiusage completions --tz Europe/Be"
    TZDIR=$WORK/tz fexpect "$fakezones" "oaiusage overview --tz "
else
    not_ok "fish is not installed (scripts/deps.sh --test installs it)"
fi
finish
