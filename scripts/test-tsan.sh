#!/usr/bin/env bash
# test-tsan.sh [ctest arguments...] - build with ThreadSanitizer
# (-DOAIUSAGE_TSAN=ON, build-tsan/) and run the end-to-end tests with
# four parsing threads (OAIUSAGE_JOBS=4: every page parsed on a worker,
# folded or replayed on the main thread) and the reports over several
# organizations (one thread each), plus the thread pool's unit test: any
# data race or lock-order problem ends the run that raced with exit 66,
# which fails its test. The browser, terminal, man page, completion and
# package tests start no thread of the tool's and are left to the other
# runs.
set -euo pipefail
cd "$(dirname "$0")/.."
OAIUSAGE_DEPS_ARGS=--test scripts/build.sh build-tsan -DOAIUSAGE_TSAN=ON \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo
cd build-tsan
OAIUSAGE_JOBS=4 \
TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1" \
    ctest --output-on-failure -j "$(nproc)" \
    -R '^(e2e_|unit_pool$|unit_sched$)' \
    -E '^e2e_test_(browser|terminal|man|completion)$' "$@"
