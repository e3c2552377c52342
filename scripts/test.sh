#!/usr/bin/env bash
# test.sh [ctest arguments...] - install what is missing, build, and run the
# whole test suite (unit and end-to-end) with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
OAIUSAGE_DEPS_ARGS=--test scripts/build.sh build
cd build
ctest --output-on-failure -j "$(nproc)" "$@"
