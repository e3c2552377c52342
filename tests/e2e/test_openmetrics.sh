#!/usr/bin/env bash
# --format openmetrics: every report parses with an independent parser
# (the Python Prometheus client's strict OpenMetrics parser), and every
# sample equals the server's truth exactly (the sample's text read as a
# Decimal against the truth CSV's cell: labels are the truth's text
# columns, families its numeric ones).
. "${E2E_DIR:-$(dirname "$0")}/lib.sh"
# Debian's python3-prometheus-client lives in the system Python (not in a
# pyenv or venv one that may come first in PATH).
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
"$PY" -c 'import prometheus_client.openmetrics.parser' 2>/dev/null ||
    { echo "python3-prometheus-client is required (scripts/deps.sh --test)" >&2; exit 1; }
start_mock

# om_vs_truth WHAT REPORT: $WORK/out (OpenMetrics) against $WORK/truth
# (CSV) for report REPORT (the family prefix).
om_vs_truth() {
    if [ "$RC" -ne 0 ]; then
        not_ok "$1: oaiusage exited $RC: $(head -c 300 "$WORK/err")"
        return
    fi
    if "$PY" - "$WORK/out" "$WORK/truth" "$2" <<'PY' >"$WORK/py.err" 2>&1; then ok; else not_ok "$1: $(head -c 600 "$WORK/py.err")"; fi
import csv, re, sys
from decimal import Decimal
from prometheus_client.openmetrics.parser import text_string_to_metric_families

text = open(sys.argv[1]).read()
prefix = "oaiusage_" + sys.argv[3].replace("-", "_") + "_"
# 1. The strict parser accepts the whole text (it raises on any error,
#    a missing "# EOF" included); every family is a gauge.
fams = list(text_string_to_metric_families(text))
assert fams, "no metric family"
for f in fams:
    assert f.type == "gauge", (f.name, f.type)
    for s in f.samples:
        assert s.timestamp is None, ("a sample has a timestamp", s)
# 2. Exact values, read from the text itself.
got = {}
line_re = re.compile(r'^([a-zA-Z_][a-zA-Z0-9_]*)(?:\{(.*)\})? (\S+)$')
label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
for line in text.splitlines():
    if line.startswith("#"):
        continue
    m = line_re.match(line)
    assert m, line
    name, labels, value = m.groups()
    if not name.startswith(prefix):
        continue
    lab = tuple(sorted(label_re.findall(labels or "")))
    key = (name[len(prefix):], lab)
    assert key not in got, ("duplicate sample", key)
    got[key] = Decimal(value)
metrics = {k[0] for k in got}
want = {}
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
assert rows, "the truth has no rows"
for r in rows:
    lab = tuple(sorted((k, v) for k, v in r.items() if k not in metrics and v != ""))
    for k in metrics:
        if r.get(k, "") != "":
            want[(k, lab)] = Decimal(r[k])
missing = set(want) - set(got)
extra = set(got) - set(want)
assert not missing and not extra, ("missing", sorted(missing)[:3], "extra", sorted(extra)[:3])
bad = [k for k in want if want[k] != got[k]]
assert not bad, [(k, want[k], got[k]) for k in bad[:3]]
# 3. The window is explicit.
win = {f.name: f.samples for f in fams if f.name.startswith("oaiusage_report_window_")}
assert set(win) == {"oaiusage_report_window_start_seconds", "oaiusage_report_window_end_seconds"}, win.keys()
print(len(want), "samples equal the truth")
PY
}

W="--since 2025-03-01 --until 2025-03-08"
T="--start-time 1740787200 --end-time 1741392000"
ou completions $W --group-by model,project_id --format openmetrics
truth completions $T --group-by model,project_id
om_vs_truth "completions by model and project" completions
ou completions $W --group-by model,batch --per day --format openmetrics
truth completions $T --group-by model,batch --per day
om_vs_truth "completions per day by model and batch" completions
ou costs $W --group-by project_id,line_item --format openmetrics
truth costs $T --group-by project_id,line_item
om_vs_truth "costs by project and line item (currency a label)" costs
ou vector-stores $W --group-by project_id --per day --format openmetrics
truth vector_stores $T --group-by project_id --per day
om_vs_truth "vector-stores levels per day" vector-stores
ou images --since 2025-03-01 --until 2025-03-02 --bucket 1h --group-by size --records --format openmetrics
truth images --start-time 1740787200 --end-time 1740873600 --bucket-width 1h --group-by size --records
om_vs_truth "images 1h records by size" images
ou completions $W --format openmetrics
truth completions $T
om_vs_truth "completions ungrouped" completions

# Labels are escaped; the file is written atomically with -o.
ou completions $W --group-by model --format openmetrics -o "$WORK/m.prom"
check "-o writes the file, nothing on stdout" bash -c "[ -s '$WORK/m.prom' ] && [ ! -s '$WORK/out' ]"
check "the text ends with # EOF" bash -c "[ \"\$(tail -n 1 '$WORK/m.prom')\" = '# EOF' ]"
check "the window: 2025-03-01 to 2025-03-08" \
    bash -c "grep -qx 'oaiusage_report_window_start_seconds{report=\"completions\"} 1740787200' '$WORK/m.prom' &&
             grep -qx 'oaiusage_report_window_end_seconds{report=\"completions\"} 1741392000' '$WORK/m.prom'"
ou overview $W --format openmetrics
check "overview parses (exit $RC)" "$PY" -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
assert "oaiusage_overview_input_tokens" in fams, fams.keys()
eps = {s.labels["endpoint"] for s in fams["oaiusage_overview_input_tokens"].samples}
assert "completions" in eps, eps
' "$WORK/out"
ou projects --format openmetrics
expect_failure "lists have no openmetrics form" 2 "projects does not write --format openmetrics"
finish
