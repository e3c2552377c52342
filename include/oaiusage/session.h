/* session.h - what every command run shares: the parsed options, the key,
 * the connection and the request scheduler; and the steps several
 * commands take (fetch queries into aggregates, resolve names, warn about
 * data that ends early, deliver the output).
 *
 * A session owns the key (wiped when closed), the HTTP client and the
 * scheduler; it borrows the config.
 */
#ifndef OAIUSAGE_SESSION_H
#define OAIUSAGE_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "oaiusage/agg.h"
#include "oaiusage/cli.h"
#include "oaiusage/fetch.h"
#include "oaiusage/fmt.h"
#include "oaiusage/http.h"
#include "oaiusage/names.h"
#include "oaiusage/sched.h"

struct session {
    const struct config *cfg;
    int64_t now; /* the client's clock at start (Unix) */
    char *key;   /* the admin key (owned, wiped) */
    struct http_client *http;
    struct transport tp;
    struct sched *sched;
    struct fetch_env env; /* sched, base URL, now */
};

/* Load the key, connect, make the scheduler. */
int session_open(struct session *s, const struct config *cfg, int64_t now,
                 struct ou_err *err);
void session_close(struct session *s);

/* Fetch n queries at once, each folded into its aggregate (made from
 * spec[i]), then finished; aggs[i] are the caller's to free (also on
 * failure). span[i] (may be NULL) receives what each covered. */
int session_fetch_aggs(struct session *s, const struct query *q,
                       const struct agg_spec *spec, struct agg **aggs,
                       struct check_span *span, int n, struct ou_err *err);

/* Names for the ids in the aggregates' group fields. Never fatal: a
 * failure is a warning and the report keeps its ids. NULL only when out
 * of memory (err filled). */
struct names *session_names(struct session *s, const struct agg *const *aggs,
                            int n, struct ou_err *err);

/* -v: the window; a note when costs (whole days) start mid-day. */
void session_explain_window(const struct session *s, const struct endpoint *ep);
/* A warning when the data ends before the window does. */
void session_warn_short(const struct session *s, const struct query *q,
                        const struct check_span *span);

/* The JSON envelope's window: where the data really starts and ends. */
void session_window(const struct session *s, const struct check_span *span,
                    int64_t *start, int64_t *end);

/* Colour only on a terminal, and never with NO_COLOR. */
bool session_color(const struct session *s);

/* Write the finished output to -o FILE or stdout. */
int session_deliver(const struct session *s, const struct buf *out,
                    struct ou_err *err);
/* Render a grid in the chosen format (--csv-safe applied) and deliver
 * it. */
int session_deliver_grid(const struct session *s, struct grid *g,
                         struct ou_err *err);

#endif
