#!/usr/bin/env bash
# test-valgrind.sh [ctest arguments...] - run the end-to-end tests with every
# oaiusage run under valgrind memcheck; any memory error or leak (definite
# or indirect) fails the test that ran it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Under memcheck a test runs 10-20 times slower: up to 30 minutes each
# (the whole run is bounded in .ci/run).
OAIUSAGE_DEPS_ARGS=--valgrind scripts/build.sh build -DOAIUSAGE_E2E_TIMEOUT=1800
cd build
OAIUSAGE_VALGRIND=1 ctest --output-on-failure -j "$(nproc)" -L e2e "$@"
