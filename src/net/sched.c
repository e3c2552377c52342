/* sched.c - every request of a run, with one retry policy (see sched.h). */
#include "oaiusage/sched.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oaiusage/apierror.h"
#include "oaiusage/htab.h"
#include "oaiusage/msg.h"

struct sched_req {
    char *url;
    char *what;
    char *label;
    const struct sched_ops *ops;
    void *ctx;
    int attempt;        /* attempts finished */
    int64_t not_before; /* no new attempt before (transport clock) */
    bool running;
    bool deferred; /* answered; its body's work is finishing elsewhere */
    struct buf body;
    struct api_error error; /* why it failed for good */
    struct sched_req *next;
};

struct sched {
    struct sched_config cfg;
    struct sched_req *head; /* the queue, running requests included */
    struct sched_req *tail;
    int limit;         /* transfers allowed in flight now */
    int successes;     /* since the last 429 */
    int64_t resume_ms; /* no new transfer before this (429) */
    long queued, done; /* requests ever queued, and answered */
    sched_progress_fn progress;
    void *progress_ctx;
    sched_idle_fn idle;
    void *idle_ctx;
};

/* A uniform number in [0, 1) for jitter (not for secrets). */
static double default_jitter(void)
{
    static uint64_t x;
    if (x == 0)
        x = (uint64_t)getpid() * 2654435761u ^ (uint64_t)(uintptr_t)&x;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return (double)(x >> 11) / 9007199254740992.0;
}

static int64_t now_ms(const struct sched *s)
{
    return s->cfg.tp->clock_ms(s->cfg.tp->ctx);
}

struct sched *sched_new(const struct sched_config *cfg)
{
    struct sched *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->cfg = *cfg;
    if (s->cfg.parallel < 1)
        s->cfg.parallel = 1;
    if (s->cfg.jitter == NULL)
        s->cfg.jitter = default_jitter;
    s->limit = s->cfg.parallel;
    return s;
}

static void req_free(struct sched_req *r)
{
    if (r == NULL)
        return;
    free(r->url);
    free(r->what);
    free(r->label);
    buf_release(&r->body);
    free(r);
}

void sched_free(struct sched *s)
{
    if (s == NULL)
        return;
    sched_drop(s);
    free(s);
}

struct sched_req *sched_get(struct sched *s, const char *url, const char *what,
                            const char *label, const struct sched_ops *ops,
                            void *ctx, struct sched_req *after)
{
    struct sched_req *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return NULL;
    r->url = strdup(url);
    r->what = strdup(what);
    r->label = strdup(label);
    r->ops = ops;
    r->ctx = ctx;
    buf_init(&r->body, OU_MAX_RESPONSE_BYTES);
    if (r->url == NULL || r->what == NULL || r->label == NULL) {
        req_free(r);
        return NULL;
    }
    struct sched_req **at = after != NULL ? &after->next : NULL;
    if (at == NULL) {
        at = s->tail != NULL ? &s->tail->next : &s->head;
        after = s->tail;
    }
    r->next = *at;
    *at = r;
    if (s->tail == after)
        s->tail = r;
    s->queued++;
    return r;
}

void sched_on_progress(struct sched *s, sched_progress_fn fn, void *ctx)
{
    s->progress = fn;
    s->progress_ctx = ctx;
}

void sched_on_idle(struct sched *s, sched_idle_fn fn, void *ctx)
{
    s->idle = fn;
    s->idle_ctx = ctx;
}

int sched_attempts(const struct sched_req *r)
{
    return r->attempt;
}

const struct api_error *sched_error(const struct sched_req *r)
{
    return &r->error;
}

static void unlink_req(struct sched *s, struct sched_req *r)
{
    struct sched_req **pp = &s->head;
    struct sched_req *prev = NULL;

    while (*pp != NULL && *pp != r) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (*pp == NULL)
        return;
    *pp = r->next;
    if (s->tail == r)
        s->tail = prev;
    r->next = NULL;
}

/* The time a transfer may still take under the deadline (0 = no limit). */
static long time_left(const struct sched *s)
{
    if (s->cfg.deadline_ms <= 0)
        return 0;
    long t = (long)(s->cfg.deadline_ms - now_ms(s));
    return t < 1 ? 1 : t;
}

/* Start what may start now, in queue order; return how long to wait for
 * the next event. A request waiting to retry keeps its place among the
 * `limit` under way. */
static long start_ready(struct sched *s)
{
    const struct transport *tp = s->cfg.tp;
    int64_t now = now_ms(s);
    long wait = 1000;
    int held = 0;

    if (now < s->resume_ms)
        return (long)(s->resume_ms - now);
    /* A deferred request (its page with a worker) holds its place too:
     * bodies waiting to be parsed are bounded by the transfers allowed. */
    for (struct sched_req *r = s->head; r != NULL; r = r->next)
        held += r->running || r->attempt > 0;
    for (struct sched_req *r = s->head; r != NULL; r = r->next) {
        if (r->running || r->deferred) {
            /* without a wakeup, look at deferred work every few ms */
            if (r->deferred && tp->wakeup == NULL && wait > 2)
                wait = 2;
            continue;
        }
        if (r->not_before > now) {
            if (r->not_before - now < wait)
                wait = (long)(r->not_before - now);
            continue;
        }
        bool fresh = r->attempt == 0;
        if (fresh && held >= s->limit)
            break;
        if (tp->start(tp->ctx, r->url, &r->body, time_left(s), r) < 0)
            break;
        r->running = true;
        held += fresh;
    }
    return wait;
}

/* After a failed attempt: the delay before the next one, or -1 to give up
 * (announcing why). *early: a retry was due but the deadline or the
 * Retry-After cap forbade it. */
static long next_delay(const struct sched *s, const struct sched_req *r,
                       const struct http_response *resp)
{
    const struct retry_policy *p = &s->cfg.retry;
    enum retry_reason why = retry_classify(resp->result, resp->status);
    int attempt = r->attempt - 1;
    char rb[32];

    if (why == RETRY_NO || attempt >= p->max_retries)
        return -1;
    long d = retry_delay_ms(p, attempt, resp->retry_after, s->cfg.jitter());
    const char *reason = retry_reason_text(why, resp->status, rb, sizeof(rb));
    if (d < 0) {
        msg_note("%s page %s: %s with Retry-After %lld s, longer than %ld s: "
                 "not retrying",
                 r->what, r->label, reason, (long long)resp->retry_after,
                 p->retry_after_cap_ms / 1000);
        return -1;
    }
    if (s->cfg.deadline_ms > 0 && now_ms(s) + d >= s->cfg.deadline_ms) {
        msg_note("%s page %s: %s; no retry, the --deadline would pass", r->what,
                 r->label, reason);
        return -1;
    }
    int left = p->max_retries - attempt;
    msg_note("%s page %s: %s; retrying in %.1f s (%d attempt%s left)", r->what,
             r->label, reason, (double)d / 1000.0, left, left == 1 ? "" : "s");
    return d;
}

/* The length of s without a final period and spaces: the API's sentence
 * goes on in ours ("... api-keys; an Admin API key is needed"). */
static size_t sentence_len(const char *s)
{
    size_t n = strlen(s);

    while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
        n--;
    return n;
}

/* A request that failed for good, as an error. */
static int failure(struct sched_req *r, const struct http_response *resp,
                   struct ou_err *err)
{
    char after[64] = "";
    const char *api = r->error.message;
    bool has_msg;

    api_error_read(r->body.data, r->body.len,
                   resp->result == HTTP_OK ? resp->status : 0, &r->error);
    has_msg = r->error.has_message;

    if (r->attempt > 1)
        snprintf(after, sizeof(after), " (after %d attempts)", r->attempt);
    if (resp->result != HTTP_OK)
        return ou_fail(err, OU_E_API, "%s page %s: %s (%s)%s", r->what,
                       r->label, http_result_text(resp->result), resp->error,
                       after);
    if (resp->status == 401 || resp->status == 403)
        return ou_fail(err, OU_E_AUTH,
                       "%s page %s: HTTP %ld: %.*s; an Admin API key is "
                       "needed (Organization settings > Admin keys); "
                       "project keys (sk-proj-...) cannot read usage or "
                       "costs",
                       r->what, r->label, resp->status,
                       (int)sentence_len(has_msg ? api
                                                 : "the API refused the key"),
                       has_msg ? api : "the API refused the key");
    if (resp->status == 429 && resp->retry_after >= 0)
        return ou_fail(err, OU_E_API,
                       "%s page %s: HTTP 429 (rate limited; Retry-After "
                       "%lld s)%s: %s",
                       r->what, r->label, (long long)resp->retry_after, after,
                       has_msg ? api : "too many requests");
    return ou_fail(err, OU_E_API, "%s page %s: HTTP %ld%s: %s", r->what,
                   r->label, resp->status, after,
                   has_msg ? api : "unexpected status");
}

/* url with the value of each cursor parameter (page=, after=) replaced by
 * its length and a short hash. */
static int url_for_log(const char *url, struct buf *out)
{
    const char *q = strchr(url, '?');
    int rc = buf_append(out, url, q != NULL ? (size_t)(q - url) : strlen(url));

    for (const char *p = q; p != NULL && *p != '\0' && rc == 0;) {
        size_t n = strcspn(p + 1, "&") + 1; /* "?name=value" or "&..." */
        bool cursor = strncmp(p + 1, "page=", 5) == 0 ||
                      strncmp(p + 1, "after=", 6) == 0;
        if (cursor) {
            const char *eq = memchr(p, '=', n);
            char *value = strndup(eq + 1, n - (size_t)(eq + 1 - p));
            if (value == NULL)
                return -1;
            rc = buf_printf(out, "%.*s<%zu chars, #%08x>", (int)(eq + 1 - p), p,
                            strlen(value),
                            (unsigned)(hash_str(value) & 0xffffffffu));
            free(value);
        } else {
            rc = buf_append(out, p, n);
        }
        p += n;
    }
    return rc;
}

static void log_attempt(const struct sched_req *r,
                        const struct http_response *resp)
{
    struct buf url;

    if (msg_get_level() < MSG_VERBOSE)
        return;
    buf_init(&url, 0);
    if (url_for_log(r->url, &url) == 0)
        msg_verbose("GET %s -> %s%ld (%ld ms, %zu bytes)", url.data,
                    resp->result == HTTP_OK ? "" : "failed, ", resp->status,
                    resp->elapsed_ms, r->body.len);
    buf_release(&url);
}

/* A 200: recover one transfer after enough successes, hand the body over,
 * forget the request. */
static int succeeded(struct sched *s, struct sched_req *r, struct ou_err *err)
{
    if (++s->successes >= 2 * s->limit && s->limit < s->cfg.parallel) {
        s->limit++; /* recover after a 429, slowly */
        s->successes = 0;
    }
    int rc = r->ops->done(r->ctx, s, r, &r->body, err);
    if (rc == SCHED_DEFERRED) {
        r->deferred = true;
        return 0;
    }
    if (rc != 0) {
        unlink_req(s, r);
        req_free(r);
        return rc;
    }
    sched_complete(s, r);
    return 0;
}

void sched_complete(struct sched *s, struct sched_req *r)
{
    unlink_req(s, r);
    req_free(r);
    s->done++;
    if (s->progress != NULL)
        s->progress(s->progress_ctx, s->done, s->queued);
}

/* One finished attempt of r. */
static int finished(struct sched *s, struct sched_req *r,
                    const struct http_response *resp, struct ou_err *err)
{
    r->running = false;
    r->attempt++;
    log_attempt(r, resp);
    if (resp->result == HTTP_OK && resp->status == 200)
        return succeeded(s, r, err);
    long d = next_delay(s, r, resp);
    if (d < 0) {
        int rc = failure(r, resp, err);
        if (r->ops->failed != NULL)
            rc = r->ops->failed(r->ctx, r, err);
        if (rc == 0) {
            unlink_req(s, r);
            req_free(r);
        }
        return rc;
    }
    if (resp->status == 429) {
        /* A 429 slows the whole run: fewer transfers, and none until the
         * wait is over. */
        s->limit = s->limit > 1 ? s->limit / 2 : 1;
        s->successes = 0;
        if (now_ms(s) + d > s->resume_ms)
            s->resume_ms = now_ms(s) + d;
    }
    r->not_before = now_ms(s) + d;
    return 0;
}

int sched_run(struct sched *s, struct ou_err *err)
{
    const struct transport *tp = s->cfg.tp;
    int rc = 0;

    while (rc == 0 && s->head != NULL) {
        long wait = start_ready(s);
        struct http_response resp;
        void *tag = NULL;
        if (tp->poll(tp->ctx, wait, &resp, &tag) >= 0)
            rc = finished(s, tag, &resp, err);
        if (rc == 0 && s->idle != NULL)
            rc = s->idle(s->idle_ctx, s, err);
    }
    tp->cancel_all(tp->ctx);
    sched_drop(s);
    return rc;
}

void sched_drop(struct sched *s)
{
    while (s->head != NULL) {
        struct sched_req *r = s->head;
        s->head = r->next;
        req_free(r);
    }
    s->tail = NULL;
}
