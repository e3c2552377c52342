#!/usr/bin/env bash
# test_man.sh - the generated man pages: oaiusage(1) and oaiusage-mock(1)
# render through man-db and groff with every warning on and give none, and
# oaiusage(1) names every command, every option with its argument, and
# every exit code that the binary's own help prints (`oaiusage --help`,
# `oaiusage help COMMAND`: help.c's walk of the tables, not the
# generator's). Needs man-db and groff (scripts/deps.sh --test).
source "$E2E_DIR/lib.sh"

build=${OAIUSAGE_BUILD_DIR:-$(dirname "$OAIUSAGE_BIN")}
page=$build/man/oaiusage.1
mockpage=$build/man/oaiusage-mock.1
BASE=http://127.0.0.1:9/v1 # help needs no server

for p in "$page" "$mockpage"; do
    check "$p exists" test -s "$p"
    warn=$(groff -man -ww -z -Tutf8 "$p" 2>&1)
    check "groff -man -ww: no warning for $p: $warn" test -z "$warn"
    MANWIDTH=80 man --warnings -l "$p" >"$WORK/page.txt" 2>"$WORK/man.err"
    check "man --warnings -l $p exits 0" test $? -eq 0
    check "man --warnings: no warning for $p: $(head -c 500 "$WORK/man.err")" \
        test ! -s "$WORK/man.err"
    check "$p renders to text" test "$(wc -l <"$WORK/page.txt")" -gt 20
done
# The gzip'd copy that is installed is the same page.
check "oaiusage.1.gz is oaiusage.1" cmp -s <(gzip -dc "$page.gz") "$page"

MANWIDTH=200 man -l "$page" 2>/dev/null >"$WORK/page.txt"
has_line() { grep -qxF -- "$1" "$WORK/page.txt"; }
# A tag line: the command or the flags at the start (a regular expression),
# then a space, a comma or the end (a short tag has its text beside it).
has_tag() { grep -qE -- "^       $1( |,|\$)" "$WORK/page.txt"; }
# The same for a literal tag, matched in bash (no process per option).
page_text=$'\n'$(cat "$WORK/page.txt")$'\n'
has_tag_lit() { [[ $page_text == *$'\n       '"$1"[\ ,$'\n']* ]]; }
declare -A seen

ou --help
check "oaiusage --help exits 0" test "$RC" -eq 0
cp "$WORK/out" "$WORK/help.txt"
mapfile -t commands < <(sed -n '/^Commands:/,/^$/p' "$WORK/help.txt" |
    sed -nE 's/^  ([a-z][a-z-]*) .*/\1/p' | grep -vx help)
check "--help lists commands (${#commands[@]})" test "${#commands[@]}" -ge 19

nopts=0
for c in "${commands[@]}"; do
    check "the page has command $c" has_tag "$c"
    ou help "$c"
    check "oaiusage help $c exits 0" test "$RC" -eq 0
    # "  --since WHEN        start" or "  -o, --output FILE   write ...": the
    # flags column, then two spaces or the end of the line.
    while IFS= read -r flags; do
        nopts=$((nopts + 1))
        [ -n "${seen[$flags]:-}" ] && continue
        seen[$flags]=1
        check "the page has option '$flags' (of $c)" has_tag_lit "$flags"
    done < <(sed -nE 's/^  ((-[A-Za-z], )?--[a-z][a-z-]*( [^ ]+)?)(  .*)?$/\1/p' \
        "$WORK/out")
done
check "options were compared ($nopts)" test "$nopts" -ge 300

# Every exit code --help names, and the environment it names.
while read -r code; do
    check "the page has exit code $code" has_tag "$code"
done < <(sed -n '/^Exit codes:/,$p' "$WORK/help.txt" | sed -nE 's/^  ([0-9]+)[ ,].*/\1/p')
for var in $(sed -n '/^Environment:/,/^$/p' "$WORK/help.txt" |
    sed -nE 's/^  ([A-Z_]+) .*/\1/p') OPENAI_ADMIN_KEY NO_COLOR \
    XDG_CACHE_HOME XDG_CONFIG_HOME OAIUSAGE_PROFILE; do
    check "the page has variable $var" has_tag "$var"
done
for sec in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS FORMATS "EXIT STATUS" \
    ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
    check "the page has section $sec" has_line "$sec"
done
check "FILES names the config file" has_tag '\$XDG_CONFIG_HOME/oaiusage/config'
check "the config file's profile sections" grep -q '\[profile NAME\]' "$WORK/page.txt"

# man finds it by name through MANPATH, as an installed page.
mkdir -p "$WORK/man/man1"
cp "$page.gz" "$WORK/man/man1/"
check "man -w finds oaiusage in a MANPATH" \
    test "$(MANPATH="$WORK/man" man -w oaiusage 2>/dev/null)" = "$WORK/man/man1/oaiusage.1.gz"
finish
