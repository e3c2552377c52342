#!/usr/bin/env bash
# deps.sh [--test] - install the Debian packages oaiusage needs, if missing.
# Build: a C compiler, CMake, pkg-config, libcurl, cJSON, libmicrohttpd
# (the bundled API server). --test adds what the test suite uses (jq,
# xmllint, chromium for the browser test, and
# python3 for the bundled server's own check); --fuzz clang and its libFuzzer
# runtime; --style clang, clang-format and clang-tidy; --valgrind valgrind; --bench what bench/run.sh compares against
# (Debian's python3-pandas and python3-requests, GNU time, curl).
set -euo pipefail

pkgs=(gcc make cmake pkg-config libcurl4-openssl-dev libcjson-dev
      libmicrohttpd-dev ca-certificates)
case "${1:-}" in
--test) pkgs+=(jq python3 libxml2-utils chromium) ;;
--fuzz) pkgs+=(clang libclang-rt-dev) ;;
--style) pkgs+=(clang clang-format clang-tidy) ;;
--valgrind) pkgs+=(jq python3 libxml2-utils chromium valgrind) ;;
--bench) pkgs+=(jq python3 python3-pandas python3-requests time curl) ;;
esac

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >&2
