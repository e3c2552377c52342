#!/usr/bin/env bash
# demo.sh [oaiusage arguments...] - install what is missing, build, start
# the bundled API server on a free loopback port, run
#   oaiusage completions --days 30 --group-by model
# (or the given arguments) against it, and stop the server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh build

tmp=$(mktemp -d)
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

build/server/oaiusage-mock serve --port 0 --port-file "$tmp/port" >/dev/null &
server=$!
for _ in $(seq 1 100); do
    [ -s "$tmp/port" ] && break
    sleep 0.05
done
[ -s "$tmp/port" ] || { echo "demo: the bundled server did not start" >&2; exit 1; }

# The bundled server accepts any key that looks like an Admin key.
export OPENAI_ADMIN_KEY="sk-admin-demo-0000000000000000000000"
export OAIUSAGE_BASE_URL="http://127.0.0.1:$(cat "$tmp/port")/v1"
if [ $# -eq 0 ]; then
    set -- completions --days 30 --group-by model
fi
echo "\$ oaiusage $*   # against the bundled server at $OAIUSAGE_BASE_URL" >&2
build/oaiusage "$@"
