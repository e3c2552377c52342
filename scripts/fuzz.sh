#!/usr/bin/env bash
# fuzz.sh [SECONDS] - build the libFuzzer targets with clang (build-fuzz/,
# AddressSanitizer + UndefinedBehaviorSanitizer) and run each for SECONDS
# (default 30) from the seed corpus in tests/fuzz/corpus. A crash, a leak or
# a failed check stops with the reproducer saved in build-fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
scripts/deps.sh --fuzz
CC=clang scripts/build.sh build-fuzz -DOAIUSAGE_FUZZ=ON -DOAIUSAGE_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo
mkdir -p build-fuzz/findings
status=0
for t in page time dec cli text budget; do
    work=build-fuzz/corpus-$t
    mkdir -p "$work"
    cp -n tests/fuzz/corpus/$t/* "$work"/ 2>/dev/null || true
    echo "fuzz: $t for ${secs}s" >&2
    if ! build-fuzz/tests/fuzz/fuzz_$t -max_total_time="$secs" -max_len=65536 \
            -rss_limit_mb=2048 -artifact_prefix=build-fuzz/findings/$t- \
            -print_final_stats=1 "$work" >build-fuzz/fuzz-$t.log 2>&1; then
        echo "fuzz: $t FOUND A PROBLEM (see build-fuzz/fuzz-$t.log)" >&2
        tail -n 40 build-fuzz/fuzz-$t.log >&2
        status=1
    else
        grep -E '^stat::number_of_executed_units|^Done' build-fuzz/fuzz-$t.log >&2 || true
    fi
done
exit $status
