#!/usr/bin/env bash
# test-clang.sh [ctest arguments...] - build everything (the tool, the
# bundled API server, the unit tests and the benchmark) with clang and
# warnings as errors (build-clang/), then run the unit tests there: a
# warning that clang gives and gcc does not fails the build.
set -euo pipefail
cd "$(dirname "$0")/.."
# python3 is needed to configure the tests (server_verify), clang to build.
scripts/deps.sh --test
OAIUSAGE_DEPS_ARGS=--fuzz scripts/build.sh build-clang \
    -DCMAKE_C_COMPILER=clang -DOAIUSAGE_WERROR=ON -DOAIUSAGE_TESTS=ON \
    -DOAIUSAGE_SANITIZE=OFF -DOAIUSAGE_FUZZ=OFF
cd build-clang
ctest --output-on-failure -j "$(nproc)" -L unit "$@"
