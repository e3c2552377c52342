#!/usr/bin/env bash
# layout.sh - the README's Layout section names every source file and
# folder under src/, and nothing that is not there.
set -u
cd "$(dirname "$0")/.."
section=$(sed -n '/^## Layout/,/^`tests\/layout.sh`/p' README.md)
fail=0
for f in $(cd src && find . -name '*.c' | sed 's|^\./||' | sort); do
    dir=$(dirname "$f")
    base=$(basename "$f")
    if [ "$dir" = . ]; then
        grep -q "src/$base" <<<"$section" || { echo "README Layout lacks src/$base"; fail=1; }
        continue
    fi
    grep -q "^src/$dir/" <<<"$section" || { echo "README Layout lacks src/$dir/"; fail=1; }
    grep -Eq "(^|[ ,])$base([ :,)]|$)" <<<"$section" || { echo "README Layout lacks $dir/$base"; fail=1; }
done
for d in $(grep -o '^src/[a-z]*/' <<<"$section"); do
    [ -d "$d" ] || { echo "README Layout names $d, which does not exist"; fail=1; }
done
for f in $(grep -Eo '[a-z_]+\.c' <<<"$section" | sort -u); do
    [ -n "$(find src bench -name "$f")" ] || { echo "README Layout names $f, which does not exist"; fail=1; }
done
[ $fail -eq 0 ] && echo "layout: README matches src/"
exit $fail
