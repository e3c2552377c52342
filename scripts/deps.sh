#!/usr/bin/env bash
# deps.sh [--test|--pg|--fuzz|--style|--valgrind|--bench|--deb] - install the
# Debian packages oaiusage needs, if missing.
# Build: a C compiler, CMake, pkg-config, libcurl, cJSON, libmicrohttpd
# (the bundled API server), libsqlite3 and libpq (the history store's two
# engines), libxlsxwriter (--format xlsx), libinih (the config file), and
# tzdata (the zones of --tz).
# --test adds what the test suite uses (jq, xmllint, the sqlite3
# CLI, faketime, systemd-analyze for the example units, chromium for the
# browser test, python3 for the bundled server's own check and its
# Prometheus client's OpenMetrics parser, man-db and groff to render the man
# page, bash-completion, zsh and fish to drive the three completions); --pg the --test packages plus a PostgreSQL server and psql
# (postgresql, postgresql-client) for the tests that start a throwaway
# server with scripts/pg.sh; --fuzz clang and its libFuzzer runtime; --style
# clang, clang-format and clang-tidy; --valgrind the --test packages plus
# valgrind; --bench what bench/run.sh compares against (Debian's
# python3-pandas and python3-requests, GNU time, curl); --deb the --test
# packages plus what scripts/test-deb.sh needs to build, check and install
# the .deb (dpkg-dev for dpkg-shlibdeps, fakeroot, lintian, file).
set -euo pipefail

pkgs=(gcc make cmake pkg-config libcurl4-openssl-dev libcjson-dev
      libmicrohttpd-dev libsqlite3-dev libpq-dev libxlsxwriter-dev libinih-dev
      ca-certificates tzdata)
test_pkgs=(jq python3 python3-prometheus-client python3-openpyxl libxml2-utils sqlite3 faketime systemd chromium tmux man-db groff-base bash-completion zsh fish)
case "${1:-}" in
--test) pkgs+=("${test_pkgs[@]}") ;;
--pg) pkgs+=("${test_pkgs[@]}" postgresql postgresql-client) ;;
--fuzz) pkgs+=(clang libclang-rt-dev) ;;
--style) pkgs+=(clang clang-format clang-tidy) ;;
--valgrind) pkgs+=("${test_pkgs[@]}" valgrind) ;;
--bench) pkgs+=(jq python3 python3-pandas python3-requests time curl) ;;
--deb) pkgs+=("${test_pkgs[@]}" dpkg-dev fakeroot lintian file) ;;
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
