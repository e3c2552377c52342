#!/usr/bin/env bash
# levels.sh [BUILD_DIR] - time vector-stores levels over many groups: one
# page of 3 daily buckets x 40,000 projects (12.6 MB), served from a static
# file on loopback, reported grouped by project without and with --per day
# (the --per totals were quadratic in the number of groups; issue 10).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
python3 - "$work/page.json" <<'PY'
import json, sys
days = [1735689600 + i * 86400 for i in range(3)]
data = [{"object": "bucket", "start_time": d, "end_time": d + 86400,
         "results": [{"object": "organization.usage.vector_stores.result",
                      "usage_bytes": 1000 + i + d % 7, "project_id": "proj_%05d" % i}
                     for i in range(40000)]} for d in days]
json.dump({"object": "page", "data": data, "has_more": False, "next_page": None},
          open(sys.argv[1], "w"))
PY
python3 - "$work/page.json" "$work/port" <<'PY' &
import http.server, sys
body = open(sys.argv[1], "rb").read()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[2], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
server=$!
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.05; done
export OPENAI_ADMIN_KEY=sk-admin-bench000000000000000000000000
for per in "" "--per day"; do
    /usr/bin/time -f "vector-stores --group-by project_id $per: %e s, %M KB" \
        "$build/oaiusage" --base-url "http://127.0.0.1:$(cat "$work/port")/v1" \
        vector-stores --since 2025-01-01 --until 2025-01-04 \
        --group-by project_id $per --format csv >/dev/null
done
