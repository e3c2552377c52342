/* fmt.h - rendering aggregated rows as table, CSV, JSON or NDJSON. Pure:
 * everything is written into a struct buf, never to a file.
 *
 * Output contract (README "Output formats"): columns are the time columns
 * (start_time,end_time for records; period_start with --per), then the
 * group fields in --group-by order, then the endpoint's metrics in the
 * reference's order, all under the API's own field names. Times are RFC
 * 3339 UTC. A null is an empty CSV field and a JSON null. CSV is RFC 4180
 * with CRLF line ends. The table shows the endpoint's headline metrics with
 * thousands separators and ends with TOTAL rows.
 */
#ifndef OAIUSAGE_FMT_H
#define OAIUSAGE_FMT_H

#include <stdbool.h>
#include <stdint.h>

#include "oaiusage/agg.h"
#include "oaiusage/buf.h"
#include "oaiusage/status.h"

enum fmt_kind { FMT_TABLE, FMT_CSV, FMT_JSON, FMT_NDJSON };

struct fmt_opts {
    enum fmt_kind kind;
    bool header;               /* CSV / table header row */
    /* Report metadata for the JSON envelope. */
    int64_t start_time;        /* window start as requested */
    int64_t end_time;          /* window end (exclusive) */
    const char *bucket_width;  /* "1d" */
};

bool fmt_parse_kind(const char *s, enum fmt_kind *out);
const char *fmt_per_name(enum tu_period p);

/* Render the finished aggregate. Returns 0 or an exit code with err. */
int fmt_render(const struct agg *a, const struct fmt_opts *o, struct buf *out,
               struct ou_err *err);

/* Append one CSV field, quoted when it holds a comma, quote, CR or LF. */
int fmt_csv_field(struct buf *out, const char *s);

/* Internal to the fmt module, shared by fmt.c and fmt_json.c. */
int fmt_render_json(const struct agg *a, const struct fmt_opts *o,
                    struct buf *out, struct ou_err *err);

#endif
