#!/usr/bin/env bash
# check-style.sh - the style gate: clang-format (.clang-format) over every C
# source and header (src, include, tests/unit, tests/fuzz, bench, server/src,
# tools) and clang-tidy (.clang-tidy) over src/**/*.c and tools/*.c, with a compile database
# configured in build-tidy/. Any finding of either fails; nothing is
# rewritten (to apply the format: clang-format -i FILE...).
set -euo pipefail
cd "$(dirname "$0")/.."

# Build dependencies (to configure the compile database), then clang,
# clang-format and clang-tidy.
scripts/deps.sh --style

status=0

# clang-format: every C file, each checked against .clang-format.
mapfile -t sources < <(
    { find src include tests/unit tests/fuzz server/src tools -type f \( -name '*.c' -o -name '*.h' \)
      find bench -maxdepth 1 -type f -name '*.c'; } | LC_ALL=C sort)
unformatted=()
for f in "${sources[@]}"; do
    if ! clang-format --style=file --dry-run -Werror "$f"; then
        unformatted+=("$f")
    fi
done
if [ ${#unformatted[@]} -ne 0 ]; then
    echo "check-style: clang-format: ${#unformatted[@]} of ${#sources[@]} files" \
         "differ from .clang-format: ${unformatted[*]}" >&2
    status=1
else
    echo "check-style: clang-format: ${#sources[@]} files clean" >&2
fi

# clang-tidy: src/**/*.c and tools/*.c against a compile database of clang's own flags.
dir=build-tidy
cmake -S . -B "$dir" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DOAIUSAGE_TESTS=OFF -DOAIUSAGE_FUZZ=OFF \
    -DOAIUSAGE_SANITIZE=OFF >/dev/null
mapfile -t units < <(find src tools -type f -name '*.c' | LC_ALL=C sort)
rm -rf "$dir/tidy" && mkdir -p "$dir/tidy"
# One log per file (in parallel), then printed in order; a file fails on a
# finding (every check is an error here) or a compiler error.
printf '%s\n' "${units[@]}" | xargs -P "$(nproc)" -I{} sh -c '
    log="$1/tidy/$(echo "$2" | tr / _).log"
    if clang-tidy -p "$1" --quiet --warnings-as-errors="*" "$2" >"$log" 2>&1; then
        rm -f "$log"
    fi' sh "$dir" {} || true
failed=()
for f in "${units[@]}"; do
    log="$dir/tidy/$(echo "$f" | tr / _).log"
    if [ -f "$log" ]; then
        grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$' "$log" >&2 || true
        failed+=("$f")
    fi
done
if [ ${#failed[@]} -ne 0 ]; then
    echo "check-style: clang-tidy: findings in ${#failed[@]} of ${#units[@]} files:" \
         "${failed[*]}" >&2
    status=1
else
    echo "check-style: clang-tidy: ${#units[@]} files clean" >&2
fi
exit $status
