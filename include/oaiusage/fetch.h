/* fetch.h - every page of one or more queries, checked for completeness.
 *
 * A query's window is split into sub-windows of one full page each
 * (fetch_plan: `limit` buckets, aligned to bucket boundaries), fetched
 * concurrently over one libcurl multi handle (fetch_ctl.parallel transfers
 * at most). Each page is parsed and handed to the sink as it arrives, then
 * freed, so memory does not grow with the number of pages; the sink (an
 * aggregate) must not depend on arrival order. A sub-window that still has
 * more follows next_page.
 *
 * Nothing that would make a report silently incomplete is accepted: a
 * repeated cursor, has_more without a cursor, a page with has_more but no
 * buckets, more pages or buckets than the window can hold, buckets out of
 * order, overlapping, with gaps (also between sub-windows), unaligned, or
 * outside the window. Any failure stops every transfer and ends the fetch
 * with an exit code and a message naming the endpoint and the page ("page
 * N" is the N-th sub-window; "page N.K" its K-th page).
 *
 * Failed requests are retried per retry.h; a 429 slows the whole run (half
 * the transfers in flight, none before its Retry-After), recovering one
 * transfer at a time after successes.
 */
#ifndef OAIUSAGE_FETCH_H
#define OAIUSAGE_FETCH_H

#include <stdint.h>

#include "oaiusage/http.h"
#include "oaiusage/page.h"
#include "oaiusage/query.h"
#include "oaiusage/retry.h"
#include "oaiusage/status.h"

/* The largest response accepted; a larger one is refused, not allocated. */
#define OU_MAX_RESPONSE_BYTES ((size_t)256 * 1024 * 1024)

/* How every request of a run is made: one connection, the retry policy and
 * the run's deadline. Each retry is announced on stderr (unless --quiet)
 * with its reason, its delay and the attempts left. */
struct fetch_ctl {
    struct http_client *http;
    const char *key;              /* scrubbed from echoed API messages */
    struct retry_policy retry;
    int64_t deadline_ms;          /* monotonic clock (fetch_clock_ms); 0 = none */
    int parallel;                 /* transfers in flight at most (>= 1) */
};

/* Milliseconds on the monotonic clock. */
int64_t fetch_clock_ms(void);

/* One GET with retries (see retry.h); resp->attempts says how many. */
enum http_result fetch_get(const struct fetch_ctl *ctl, const char *url,
                           const char *what, int page, struct buf *body,
                           struct http_response *resp);

struct fetch_opts {
    const struct query *q;
    const char *base_url;
    const struct fetch_ctl *ctl;
    int64_t now;              /* the client's clock (bounds the window) */
};

struct fetch_stats {
    int pages;
    int64_t buckets;
    int64_t first_start;      /* first bucket's start, or -1 */
    int64_t last_end;         /* last bucket's end, or -1 */
};

/* One query to fetch in full. */
struct fetch_stream {
    const struct query *q;
    const struct page_sink *sink;
    struct fetch_stats stats;     /* filled by fetch_streams */
};

/* Fetch every stream (e.g. every endpoint of the overview) at once. */
int fetch_streams(const struct fetch_ctl *ctl, const char *base_url,
                  int64_t now, struct fetch_stream *streams, int n,
                  struct ou_err *err);

/* fetch_streams for a single query. */
int fetch_all(const struct fetch_opts *fo, const struct page_sink *sink,
              struct fetch_stats *st, struct ou_err *err);

/* One request of the plan: [start, end), end omitted when !end_sent. */
struct subwin {
    int64_t start;
    int64_t end;
    bool end_sent;
};

/* Split the query's window into sub-windows of one page each. *out is
 * malloc'ed (free it). Returns 0, or -1 when out of memory. */
int fetch_plan(const struct query *q, int64_t now, struct subwin **out,
               int *n);

/* One organization list (projects, users, a project's API keys), every page
 * (limit=100, after=last_id), each item's fields handed to fn. Refuses a
 * repeated last_id, has_more without one, or an empty page with has_more. */
struct list_fetch {
    const struct fetch_ctl *ctl;
    const char *base_url;
    const char *path;          /* "/organization/projects" */
    const char *extra;         /* more query ("include_archived=true"), or NULL */
    const char *what;          /* "projects", for messages */
    const char *const *fields; /* dot paths, see page_parse_list */
    int nfields;
};

int fetch_list(const struct list_fetch *lf, list_item_fn fn, void *ctx,
               struct ou_err *err);

/* Upper bound on the buckets of the query's window (pure, for tests). */
int64_t fetch_max_buckets(const struct query *q, int64_t now);

#endif
