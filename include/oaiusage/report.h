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
#include "oaiusage/svg.h"

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

/* --chart. Without --per: a table-only column of Unicode bars, each row's
 * first metric scaled to the largest row's. With --per: g becomes one row
 * per group with a sparkline of the first metric over the periods (all on
 * one scale) and its total. width: cells of the longest bar. */
int report_chart(const struct agg *a, struct grid *g, int width,
                 struct ou_err *err);

/* --format svg: the report as one standalone SVG chart of its first metric:
 * bars per group (the largest 20, the rest as "Other"), or with --per
 * periods along x stacked by group (the largest 7 groups + "Other"). */
int report_svg(const struct agg *a, const struct names *names,
               const struct report_meta *m, struct buf *out,
               struct ou_err *err);

/* A bar of `width` cells for v/max in eighth blocks ("███▍"). */
void report_bar(double v, double max, int width, char *buf, size_t size);

#endif
