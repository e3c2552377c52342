#!/usr/bin/env bash
# test-tsan-orgs.sh [BUILD_DIR] - build with ThreadSanitizer (default
# build-tsan-org/) and run the test of reports over several organizations
# (tests/e2e/test_multiorg.sh), whose organizations run in threads of
# their own: any data race or lock-order problem fails it (exit 66).
set -euo pipefail
cd "$(dirname "$0")/.."
"${OAIUSAGE_DEPS:-scripts/deps.sh}" --test
dir=${1:-build-tsan-org}
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" >/dev/null
cmake --build "$dir" -j "$(nproc)" --target oaiusage oaiusage-mock >/dev/null
cd "$dir"
# halt_on_error: the first race ends the run with exitcode 66, which the
# test reports as a failure of the run that raced.
TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1" \
    ctest --output-on-failure -R '^e2e_test_multiorg$'
