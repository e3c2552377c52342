/* plan.h - a query's window as sub-windows of one page each. Pure.
 *
 * A window is split into sub-windows of `limit` buckets (one full page),
 * aligned to bucket boundaries from the bucket holding the window's start:
 * the first starts at the window's start, the last ends at its end (or,
 * when no end_time is sent, is open and ends at the API's own now). The
 * sub-windows can then be fetched concurrently and their buckets checked
 * for seams (check.h).
 */
#ifndef OAIUSAGE_PLAN_H
#define OAIUSAGE_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "oaiusage/query.h"

#define PLAN_MAX_SUBWINDOWS 1000000

/* One request of the plan: [start, end), end omitted when !end_sent. */
struct subwin {
    int64_t start;
    int64_t end;
    bool end_sent;
};

/* Split q's window (now: the client's clock, the end when none is sent)
 * into sub-windows; *out is malloc'ed (free it). Returns 0, or -1 when out
 * of memory or the plan would exceed PLAN_MAX_SUBWINDOWS. */
int plan_windows(const struct query *q, int64_t now, struct subwin **out,
                 int *n);

/* An upper bound on the buckets of q's window, allowing a day of clock
 * difference when no end_time is sent. */
int64_t plan_max_buckets(const struct query *q, int64_t now);

#endif
