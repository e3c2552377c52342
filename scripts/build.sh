#!/usr/bin/env bash
# build.sh [BUILD_DIR] [cmake options...] - configure and build (default
# build/). Installs missing build dependencies first.
set -euo pipefail
cd "$(dirname "$0")/.."
"${OAIUSAGE_DEPS:-scripts/deps.sh}" ${OAIUSAGE_DEPS_ARGS:-}
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)" >/dev/null
