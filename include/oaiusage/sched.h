/* sched.h - every request of a run: one queue, one retry policy, one 429
 * slow-down, over a transport (transport.h).
 *
 * Requests are queued with what to do with their outcome (struct
 * sched_ops) and run by sched_run(): up to `parallel` transfers at once, in
 * queue order (the queue is the run's time order: a request queued `after`
 * another takes its place right behind it, as a next page keeps its
 * sub-window's place). A failed attempt is retried per retry.h and
 * announced on stderr (unless --quiet): connection errors, timeouts,
 * broken transfers, 408, 409, 429 and 5xx; nothing else. A waiting retry
 * keeps its place among the transfers under way, so parallel == 1 is
 * strictly one request after the other. A 429 slows the whole run: half
 * the transfers in flight, none before its Retry-After; then one more
 * transfer after every 2 x limit successes. No retry starts that would end
 * after the deadline, and the last transfer is cut at it.
 *
 * A 200 response's body goes to ops->done, which may queue more requests
 * (sched_get with after = the request at hand). A request that fails for
 * good becomes one error naming `what` and `label` ("completions page 3:
 * HTTP 503 (after 5 attempts): <the API's message>"),
 * with OU_E_AUTH for 401/403 and OU_E_API otherwise; ops->failed may
 * tolerate it, else the run stops: every transfer is cancelled and
 * sched_run returns the error.
 *
 * With -v every attempt is logged (URL, status, time, size); a cursor in
 * the URL (page=, after=) is shown only as its length and a short hash, as
 * the server chose it and it may echo anything.
 *
 * The scheduler owns its requests (URL copies and response bodies); a
 * body handed to done is valid during the call only.
 */
#ifndef OAIUSAGE_SCHED_H
#define OAIUSAGE_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "oaiusage/apierror.h"
#include "oaiusage/buf.h"
#include "oaiusage/retry.h"
#include "oaiusage/status.h"
#include "oaiusage/transport.h"

/* The largest response accepted; a larger one is refused, not allocated. */
#define OU_MAX_RESPONSE_BYTES ((size_t)256 * 1024 * 1024)

struct sched;
struct sched_req;

struct sched_config {
    const struct transport *tp;
    struct retry_policy retry;
    int64_t deadline_ms;    /* on tp's clock; 0 = none */
    int parallel;           /* transfers in flight at most (>= 1) */
    double (*jitter)(void); /* uniform in [0, 1); NULL: the built-in one */
};

struct sched_ops {
    /* The 200 response of r. Non-zero stops the run (err filled). */
    int (*done)(void *ctx, struct sched *s, struct sched_req *r,
                struct buf *body, struct ou_err *err);
    /* Optional: r failed for good, as err says. Return 0 to go on without
     * it, or err->cat to stop the run. NULL: stop. */
    int (*failed)(void *ctx, struct sched_req *r, struct ou_err *err);
};

/* ops->done may return SCHED_DEFERRED: it has taken the body (moved out
 * of *body) to finish the work elsewhere (a worker thread parses it), and
 * will finish r with sched_complete() from the idle hook. Until then r
 * keeps its place in the queue (a next page may be queued after it) but
 * holds no transfer. */
#define SCHED_DEFERRED (-2)

struct sched *sched_new(const struct sched_config *cfg);
void sched_free(struct sched *s);

/* Queue a GET of url (copied). what and label name it in messages
 * ("completions", "3.2"; copied). after: NULL queues at the end. Returns
 * the request, or NULL when out of memory. */
struct sched_req *sched_get(struct sched *s, const char *url, const char *what,
                            const char *label, const struct sched_ops *ops,
                            void *ctx, struct sched_req *after);

/* After each answered request: how many have been answered, and how many
 * were ever queued (a next page adds one as it is found), for a progress
 * line. NULL: none. */
typedef void (*sched_progress_fn)(void *ctx, long done, long queued);
void sched_on_progress(struct sched *s, sched_progress_fn fn, void *ctx);

/* Called on the run's thread after every wait for the transport (a
 * transfer finished, a wait ended, or the transport was woken): where
 * deferred work is finished (sched_complete). Non-zero stops the run with
 * err filled. NULL: none. */
typedef int (*sched_idle_fn)(void *ctx, struct sched *s, struct ou_err *err);
void sched_on_idle(struct sched *s, sched_idle_fn fn, void *ctx);

/* The deferred request r is done: forget it (and count it answered). */
void sched_complete(struct sched *s, struct sched_req *r);

/* Run until every queued request is done, or one fails for good; the
 * queue is empty afterwards either way. */
int sched_run(struct sched *s, struct ou_err *err);

/* Forget every queued request without running it (after a failure while
 * queueing). */
void sched_drop(struct sched *s);

/* The attempts made for r so far (1 on a first success). */
int sched_attempts(const struct sched_req *r);

/* Why r failed for good (in ops->failed): the status and the API's own
 * error message and param. */
const struct api_error *sched_error(const struct sched_req *r);

#endif
