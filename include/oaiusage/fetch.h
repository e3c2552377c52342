/* fetch.h - every page of one or more usage or costs queries, checked for
 * completeness, through the request scheduler (sched.h).
 *
 * Each query's window is planned into sub-windows of one page each
 * (plan.h); the first page of every sub-window is queued in time order and
 * a sub-window that has more follows next_page, its next page queued right
 * behind it. Each page is parsed as it arrives (page.h), its buckets
 * checked (check.h) and handed to the stream's sink with the sub-window's
 * index, then freed: memory does not grow with the number of pages. Pages
 * arrive in any order across sub-windows, in order within one.
 *
 * With env->pool, pages are parsed on worker threads while transfers go
 * on; the sinks still run on the calling thread (see struct fetch_env).
 *
 * Nothing that would make a report silently incomplete is accepted: a
 * repeated cursor, has_more without a cursor, a page with has_more but no
 * buckets, and everything check.h refuses. Any failure stops every
 * transfer and ends the fetch with one error naming the endpoint and the
 * page ("page N" is the N-th sub-window; "page N.K" its K-th page).
 */
#ifndef OAIUSAGE_FETCH_H
#define OAIUSAGE_FETCH_H

#include <stdint.h>

#include "oaiusage/apierror.h"
#include "oaiusage/check.h"
#include "oaiusage/query.h"
#include "oaiusage/record.h"
#include "oaiusage/sched.h"
#include "oaiusage/status.h"

/* Where one query's data goes. sub: the sub-window's index in the plan.
 * Callbacks run while a page's tree is alive: no cJSON in them. */
struct fetch_sink {
    /* Optional: the plan has nsub sub-windows (once, before any page). */
    int (*planned)(void *ctx, int nsub, struct ou_err *err);
    int (*bucket)(void *ctx, int sub, int64_t start, int64_t end,
                  struct ou_err *err);
    int (*record)(void *ctx, int sub, const struct record *rec,
                  struct ou_err *err);
    /* Optional: sub-window sub has all its pages (no tree alive). */
    int (*segment)(void *ctx, int sub, struct ou_err *err);
    void *ctx;
    /* Optional: the buckets and records since the last call were one
     * whole page, parsed and checked (the store commits it). */
    int (*page)(void *ctx, int sub, struct ou_err *err);
    /* Optional, for a sink whose bucket and record only fold into ctx (in
     * any order, no I/O: an aggregate): with workers (fetch_env.pool),
     * each page is folded on a worker into fork(ctx), an empty copy made
     * here, and join(ctx, copy) adds the copy into ctx here and frees it
     * (also when it fails). Without them, pages parsed on workers are
     * replayed here, record by record. */
    void *(*fork)(void *ctx);
    int (*join)(void *ctx, void *copy, struct ou_err *err);
};

/* One query to fetch in full. */
struct fetch_stream {
    const struct query *q;
    const struct fetch_sink *sink;
    struct check_span span; /* filled by fetch_streams */
};

/* Schema drift: what page.h's unknown() reports, for endpoint ep. */
typedef int (*fetch_unknown_fn)(void *ctx, const struct endpoint *ep,
                                const char *field, const char *number,
                                struct ou_err *err);

/* What every fetch of a run shares. */
struct fetch_env {
    struct sched *sched;
    const char *base_url;
    int64_t now;              /* the client's clock (bounds the window) */
    fetch_unknown_fn unknown; /* optional */
    void *unknown_ctx;
    /* Optional: when a request fails for good, the API's error (status,
     * message, param), for a caller that can work around it. */
    struct api_error *failed;
    /* Optional: worker threads that parse the pages (pool.h; its notify
     * wakes the scheduler's transport). Each page is parsed on a worker
     * into a page log (pagelog.h) and replayed on this thread, so every
     * sink callback runs here, in the order a parse here would make: the
     * result is the same with or without workers. NULL: parse here. */
    struct pool *pool;
};

/* Fetch every stream (e.g. every endpoint of the overview) at once. */
int fetch_streams(const struct fetch_env *env, struct fetch_stream *fss,
                  int nfs, struct ou_err *err);

#endif
