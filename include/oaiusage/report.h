/* report.h - an aggregated usage or costs report as a grid (see fmt.h).
 * Pure: no I/O.
 *
 * Columns: the time columns (start_time,end_time for records; period_start
 * with --per), the group fields in --group-by order, each id field followed
 * by its name column when names are given (project_name, user_email,
 * api_key_name: null when the id is unknown; the table shows the name, or
 * the raw id when there is none), then every metric of the endpoint.
 */
#ifndef OAIUSAGE_REPORT_H
#define OAIUSAGE_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "oaiusage/agg.h"
#include "oaiusage/fmt.h"
#include "oaiusage/names.h"

struct report_meta {
    int64_t start_time;         /* window start, for the JSON envelope */
    int64_t end_time;           /* window end (exclusive) */
    const char *bucket_width;   /* "1d" */
};

/* Fill g (grid_init'ed by the caller) from a finished aggregate. names may
 * be NULL (no name columns). */
int report_grid(const struct agg *a, const struct names *names,
                const struct report_meta *m, struct grid *g,
                struct ou_err *err);

const char *report_per_name(enum tu_period p);

#endif
