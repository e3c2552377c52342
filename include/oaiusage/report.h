/* report.h - an aggregated usage or costs report as a grid (grid.h), and
 * as a chart. Pure: no I/O.
 *
 * Columns: the time columns (start_time,end_time for records; period_start
 * with --per), the group fields in --group-by order, each id field followed
 * by its name column when names are given (project_name, user_email,
 * api_key_name: null when the id is unknown; the table shows the name, or
 * the raw id when there is none), then every metric of the endpoint (and,
 * in the table, total_tokens where tokens are split into input and
 * output); the total rows (one per currency) follow the data rows. --sort
 * orders rows by another metric, largest first; --top keeps the first N
 * (the totals still count them all).
 *
 * --chart is an option of the build, not a second pass:
 *  - without --per, a table-only column of Unicode bars, each row's first
 *    metric scaled to the largest row's of the same currency;
 *  - with --per, the grid is one row per group (the table's order, names
 *    honoured) with a sparkline of the first metric over every period of
 *    the window and its exact total, then a TOTAL row per currency.
 * Every money figure is summed exactly (struct dec) and per currency;
 * doubles are used only to size bars.
 */
#ifndef OAIUSAGE_REPORT_H
#define OAIUSAGE_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "oaiusage/agg.h"
#include "oaiusage/buf.h"
#include "oaiusage/grid.h"
#include "oaiusage/names.h"

struct report_meta {
    int64_t start_time;       /* window start, for the JSON envelope */
    int64_t end_time;         /* window end (exclusive) */
    const char *bucket_width; /* "1d" */
    int64_t api_key_id_from;  /* > 0: api_key_id is known only from then
                                 on (refusal.h); the envelope says so */
};

struct report_opts {
    const struct names *names; /* NULL: no name columns */
    bool chart;                /* --chart */
    int chart_width;           /* cells of the longest bar */
    bool color;                /* colour the chart (a terminal) */
    bool exact;                /* table: every digit of money (--exact);
                                  else to the cent with its symbol */
    int sort;                  /* --sort: a metric index, REPORT_SORT_TOTAL
                                  (input + output tokens), or
                                  REPORT_SORT_DEFAULT (the first metric) */
    int top;                   /* --top N: the N first rows (per period
                                  with --per); 0: all */
    size_t *hidden;            /* set to the rows --top left out, or NULL */
};

#define REPORT_SORT_DEFAULT (-1)
#define REPORT_SORT_TOTAL (-2)

/* The endpoint's input and output token metrics (for total_tokens), or
 * false when it does not split tokens so. */
bool report_token_split(const struct endpoint *ep, int *in, int *out);

/* Fill g (grid_init'ed by the caller) from a finished aggregate. o may be
 * NULL (no names, no chart). */
int report_grid(const struct agg *a, const struct report_opts *o,
                const struct report_meta *m, struct grid *g,
                struct ou_err *err);

const char *report_per_name(enum tu_period p);

/* The table's title (owned by g): what the report answers. "completions,
 * 2025-03-01 to 2025-03-07 UTC, by model, per day; project proj_a" (the
 * end as the last day included, or a time when the window ends mid-day),
 * filters as given (may be NULL). With --per, a period the window does
 * not cover whole is marked '*' in the table and the title says so. */
int report_title(const struct agg *a, const struct report_meta *m,
                 const char *filters, struct grid *g);

/* A window as people say it: "2025-03-01 to 2025-03-07 UTC" (the last
 * day included; a time when it ends mid-day; one date for one day). */
void report_window_text(int64_t start, int64_t end, bool local, char *out,
                        size_t size);

/* ---- compare.c: --compare previous ----------------------------------------- */

/* The report of now (a grouped aggregate, no --per, no --records) beside
 * prev's (the same spec over the previous window, pm): per group (and
 * currency), each metric (and, table only, total_tokens) as four columns: METRIC,
 * METRIC_previous, METRIC_change (now - previous, exact) and
 * METRIC_change_pct (the change in % of the previous, to 2 decimals; null
 * when the previous is 0: the table says "new"). A group only one window
 * has counts as 0 in the other. Rows in now's order, then the groups only
 * prev has; o->sort orders by a metric now, or by its change with
 * sort_change (the first metric when o->sort is REPORT_SORT_DEFAULT),
 * largest first; o->top keeps the first N; the TOTAL rows (one per
 * currency) count every group. The envelope adds previous_start_time and
 * previous_end_time. o must not ask for a chart. */
int report_compare_grid(const struct agg *now, const struct agg *prev,
                        const struct report_opts *o, bool sort_change,
                        const struct report_meta *m,
                        const struct report_meta *pm, struct grid *g,
                        struct ou_err *err);

/* The table's title: "costs, 2026-11-01 to 2026-11-30 04:38 UTC against
 * 2026-10-01 to 2026-10-30 04:38 UTC, by project_id; filters". */
int report_compare_title(const struct agg *a, const struct report_meta *m,
                         const struct report_meta *pm, const char *filters,
                         struct grid *g);

/* ---- chart.c ---------------------------------------------------------- */

/* The --per --chart grid (see above). */
int report_sparklines(const struct agg *a, const struct report_opts *o,
                      struct grid *g, struct ou_err *err);

/* --format svg: the report as one standalone SVG chart of its first metric:
 * bars per group (the largest 20, the rest as "Other"), or with --per
 * periods along x stacked by group (the largest 7 groups + "Other"). Groups
 * of different currencies are separate bars, labelled with the currency. */
int report_svg(const struct agg *a, const struct names *names,
               const struct report_meta *m, struct buf *out,
               struct ou_err *err);

/* A bar of `width` cells for v/max in eighth blocks ("███▍"). */
void report_bar(double v, double max, int width, char *buf, size_t size);

/* The first (sort) metric of a row, for drawing. */
double report_metric_double(const struct agg *a, const struct agg_row *r);

/* The first metric of a row as exact text ("1234", "12.5"). */
void report_metric_text(const struct agg *a, const struct agg_row *r, char *buf,
                        size_t size);

/* The first metric of a row as an exact decimal (for exact sums). */
void report_metric_dec(const struct agg *a, const struct agg_row *r,
                       struct dec *out);

/* The row's currency (its total_key label), or NULL. */
const char *report_label(const struct agg *a, const struct agg_row *r);

#endif
