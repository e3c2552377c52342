#!/usr/bin/env bash
# test-sanitize.sh [ctest arguments...] - build with AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/) and run the whole test suite
# against that build: any memory error or undefined behaviour fails a test.
set -euo pipefail
cd "$(dirname "$0")/.."
OAIUSAGE_DEPS_ARGS=--test scripts/build.sh build-asan -DOAIUSAGE_SANITIZE=ON
cd build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    ctest --output-on-failure -j "$(nproc)" "$@"
