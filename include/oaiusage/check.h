/* check.h - is a sequence of buckets complete? The rules that keep a
 * report from being silently incomplete. Pure: no I/O.
 *
 * One struct check follows one sub-window of the plan (plan.h) as its
 * pages arrive, in order: every bucket must be a bucket of the query's
 * width, start where the previous one ended (no gap, no overlap, nothing
 * out of order), start inside the window, end by the window's end (costs,
 * whole UTC days, may end on the day boundary after it), and only the
 * window's last bucket may be truncated (at end_time or the API's now).
 * A later sub-window's first bucket starts at its start; the plan's first
 * sub-window's may start earlier, anywhere from the bucket boundary holding
 * the window's start (the API floors a start) up to the start.
 * A sub-window cannot hold more buckets than its window has, nor more pages
 * than buckets + 1.
 *
 * check_seams() then joins the sub-windows of one query: each must start
 * where the previous ended, and once the data stops (the API's now came
 * before a sub-window) no later sub-window may have data.
 *
 * Errors are OU_E_DATA with a message in UTC times.
 */
#ifndef OAIUSAGE_CHECK_H
#define OAIUSAGE_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "oaiusage/plan.h"
#include "oaiusage/query.h"
#include "oaiusage/status.h"

/* Slack for the API's clock running ahead of ours (no end_time sent). */
#define CHECK_CLOCK_SKEW 3600
/* How far the API's clock may lag ours: a window that ended longer ago
 * than this must have every bucket. */
#define CHECK_LAG 300

struct check {
    struct subwin win;
    enum bucket_width width_name;
    int64_t width;       /* seconds per bucket */
    int64_t lo;          /* earliest allowed first-bucket start */
    int64_t start_limit; /* every bucket starts before this */
    int64_t hi;          /* latest allowed bucket end */
    int64_t max_buckets;
    int64_t next_start;  /* required start of the next bucket, or -1 */
    int64_t first_start; /* -1 until a bucket arrives */
    int64_t last_end;    /* -1 until a bucket arrives */
    int64_t buckets;
    int pages;
    bool first; /* the plan's first sub-window */
};

/* Follow sub-window win of q (first: the plan's first). now: the client's
 * clock, which bounds a window without end_time. */
void check_init(struct check *c, const struct query *q,
                const struct subwin *win, bool first, int64_t now);

/* A page arrives (before its buckets). */
int check_page(struct check *c, struct ou_err *err);

/* The next bucket, [start, end). */
int check_bucket(struct check *c, int64_t start, int64_t end,
                 struct ou_err *err);

/* What a whole query's buckets covered. */
struct check_span {
    int pages;
    int64_t buckets;
    int64_t first_start; /* -1 when there was no bucket */
    int64_t last_end;
};

/* Join the n sub-windows of one query (in plan order). what names the
 * query in messages ("completions"). */
int check_seams(const struct check *c, int n, const char *what,
                struct check_span *span, struct ou_err *err);

/* Is the data all there? A window that ended more than CHECK_LAG before
 * now must have every bucket up to its end; one that ends at the API's now
 * (no end_time, or an end within CHECK_LAG) may lack only its last bucket,
 * and that by no more than CHECK_LAG. Anything shorter is incomplete
 * data, not a lagging clock. */
int check_complete(const struct query *q, const struct check_span *span,
                   int64_t now, struct ou_err *err);

#endif
