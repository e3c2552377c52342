#!/bin/sh
# cron.sh - a nightly cost export that never leaves a half-written or
# partial file. Put the Admin key in a file readable only by you:
#   install -m 600 /dev/null ~/.config/oaiusage/admin-key
# and schedule e.g.:  15 1 * * *  /path/to/cron.sh /srv/reports
set -eu
out=${1:-.}
key=${OAIUSAGE_KEY_FILE:-$HOME/.config/oaiusage/admin-key}
day=$(date -u +%Y-%m-%d)

# Yesterday and the six days before it, whole UTC days, per line item.
if oaiusage costs --days 7 --until "$day" --group-by line_item,project_id \
        --per day --format csv --admin-key-file "$key" -q \
        -o "$out/costs-$day.csv"; then
    exit 0
else
    status=$?
    # 1 API/network, 3 key, 4 bad response, 5 local I/O: the old file stays.
    echo "oaiusage failed with exit code $status; previous reports kept" >&2
    exit "$status"
fi
