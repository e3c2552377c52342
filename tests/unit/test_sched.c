/* The request scheduler through a fake transport with a virtual clock:
 * ordering, concurrency, retries and their delays, Retry-After, the 429
 * slow-down, a transfer finishing while another waits, final errors, the
 * deadline, tolerated failures and requests queued from a callback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/msg.h"
#include "oaiusage/sched.h"
#include "test.h"

/* ---- the fake transport ------------------------------------------------- */

#define MAX_SCRIPT 32
#define MAX_SLOTS 8
#define MAX_LOG 64

/* One scripted answer: for the n-th attempt at a URL. */
struct answer {
    const char *url;
    long status; /* 0 with result != HTTP_OK: no response */
    enum http_result result;
    int64_t retry_after; /* -1: none */
    long delay_ms;       /* how long the transfer takes */
    const char *body;
};

struct slot {
    bool busy;
    const struct answer *ans;
    struct buf *body;
    void *tag;
    int64_t done_at;
};

struct fake {
    int64_t now;
    struct answer script[MAX_SCRIPT];
    bool used[MAX_SCRIPT];
    int nscript;
    struct slot slots[MAX_SLOTS];
    int nslots;
    int inflight;
    int max_inflight;
    struct start_log {
        const char *url;
        int64_t at;
    } starts[MAX_LOG];
    int nstarts;
};

/* The first unused answer for url (its attempts are scripted in order). */
static const struct answer *next_answer(struct fake *f, const char *url)
{
    for (int i = 0; i < f->nscript; i++) {
        if (!f->used[i] && strcmp(f->script[i].url, url) == 0) {
            f->used[i] = true;
            return &f->script[i];
        }
    }
    return NULL;
}

static int fake_start(void *ctx, const char *url, struct buf *body,
                      long timeout_ms, void *tag)
{
    struct fake *f = ctx;
    (void)timeout_ms;
    for (int i = 0; i < f->nslots; i++) {
        struct slot *s = &f->slots[i];
        if (s->busy)
            continue;
        s->ans = next_answer(f, url);
        if (s->ans == NULL)
            return -1; /* an unscripted request: the test fails below */
        s->busy = true;
        s->body = body;
        s->tag = tag;
        s->done_at = f->now + s->ans->delay_ms;
        buf_reset(body);
        if (++f->inflight > f->max_inflight)
            f->max_inflight = f->inflight;
        if (f->nstarts < MAX_LOG)
            f->starts[f->nstarts++] = (struct start_log){ s->ans->url, f->now };
        return i;
    }
    return -1;
}

static int fake_poll(void *ctx, long wait_ms, struct http_response *resp,
                     void **tag)
{
    struct fake *f = ctx;
    int best = -1;

    for (int i = 0; i < f->nslots; i++) {
        if (f->slots[i].busy &&
            (best < 0 || f->slots[i].done_at < f->slots[best].done_at))
            best = i;
    }
    if (best < 0 || f->slots[best].done_at > f->now + wait_ms) {
        f->now += wait_ms;
        return -1;
    }
    struct slot *s = &f->slots[best];
    if (s->done_at > f->now)
        f->now = s->done_at;
    memset(resp, 0, sizeof(*resp));
    resp->result = s->ans->result;
    resp->status = s->ans->status;
    resp->retry_after = s->ans->retry_after;
    if (s->ans->body != NULL)
        buf_puts(s->body, s->ans->body);
    if (resp->result != HTTP_OK)
        snprintf(resp->error, sizeof(resp->error), "fake failure");
    *tag = s->tag;
    s->busy = false;
    f->inflight--;
    return best;
}

static void fake_cancel(void *ctx)
{
    struct fake *f = ctx;
    for (int i = 0; i < f->nslots; i++)
        f->slots[i].busy = false;
    f->inflight = 0;
}

static int64_t fake_clock(void *ctx)
{
    return ((struct fake *)ctx)->now;
}

static double no_jitter(void)
{
    return 0;
}

static void fake_init(struct fake *f, int nslots)
{
    memset(f, 0, sizeof(*f));
    f->now = 1000000;
    f->nslots = nslots;
}

static void add(struct fake *f, const char *url, long status, long delay,
                int64_t retry_after, const char *body)
{
    f->script[f->nscript++] = (struct answer){ url,         status, HTTP_OK,
                                               retry_after, delay,  body };
}

static void add_fail(struct fake *f, const char *url, enum http_result r,
                     long delay)
{
    f->script[f->nscript++] = (struct answer){ url, 0, r, -1, delay, NULL };
}

/* A scheduler over f. */
static struct sched *make(struct fake *f, struct transport *tp, int parallel,
                          int retries, int64_t deadline)
{
    *tp = (struct transport){ f,           fake_start, fake_poll,
                              fake_cancel, fake_clock, NULL };
    struct sched_config cfg = { tp, RETRY_POLICY_DEFAULT, deadline, parallel,
                                no_jitter };
    cfg.retry.max_retries = retries;
    return sched_new(&cfg);
}

/* ---- what the requests' owners see ----------------------------------------- */

struct seen {
    struct fake *f;
    const char *done[MAX_LOG];
    int64_t done_at[MAX_LOG];
    int attempts[MAX_LOG];
    char bodies[MAX_LOG][64];
    int ndone;
    int nfailed;
    const char *then_url; /* queue this after the first done */
    struct ou_err failed_err;
};

static struct seen seen;

static int on_done(void *ctx, struct sched *s, struct sched_req *r,
                   struct buf *body, struct ou_err *err)
{
    (void)err;
    seen.done[seen.ndone] = ctx;
    seen.done_at[seen.ndone] = seen.f->now;
    seen.attempts[seen.ndone] = sched_attempts(r);
    snprintf(seen.bodies[seen.ndone], sizeof(seen.bodies[0]), "%s",
             body->data ? body->data : "");
    seen.ndone++;
    if (seen.then_url != NULL) {
        static const struct sched_ops ops = { on_done, NULL };
        const char *u = seen.then_url;
        seen.then_url = NULL;
        if (sched_get(s, u, "x", "1.2", &ops, (void *)u, r) == NULL)
            return ou_nomem(err);
    }
    return 0;
}

static int tolerate(void *ctx, struct sched_req *r, struct ou_err *err)
{
    (void)ctx;
    (void)r;
    seen.nfailed++;
    seen.failed_err = *err;
    return 0;
}

static const struct sched_ops ops = { on_done, NULL };
static const struct sched_ops tolerant = { on_done, tolerate };

static void queue(struct sched *s, const char *url)
{
    CHECK(sched_get(s, url, "x", "1", &ops, (void *)url, NULL) != NULL);
}

static void reset_seen(struct fake *f)
{
    memset(&seen, 0, sizeof(seen));
    seen.f = f;
}

/* ---- the cases -------------------------------------------------------------- */

/* Up to `parallel` at once, started in queue order. */
static void test_order_and_concurrency(void)
{
    static const char *urls[] = { "u1", "u2", "u3", "u4", "u5" };
    struct fake f;
    struct transport tp;
    struct ou_err err = { OU_OK, "" };

    fake_init(&f, 2);
    reset_seen(&f);
    for (int i = 0; i < 5; i++)
        add(&f, urls[i], 200, 100 * (5 - i), -1, urls[i]);
    struct sched *s = make(&f, &tp, 2, 4, 0);
    for (int i = 0; i < 5; i++)
        queue(s, urls[i]);
    CHECK(sched_run(s, &err) == 0);
    CHECK(seen.ndone == 5 && f.nstarts == 5 && f.max_inflight == 2);
    for (int i = 0; i < 5 && i < f.nstarts; i++)
        CHECK_STR(f.starts[i].url, urls[i]);
    /* u2 (400 ms) finishes before u1 (500 ms) */
    CHECK(seen.ndone >= 2 && strcmp(seen.done[0], "u2") == 0);
    CHECK_STR(seen.bodies[0], "u2");
    sched_free(s);
}

/* 503, 503, 200: retried after 500 ms then 1000 ms (no jitter). */
static void test_retry_backoff(void)
{
    struct fake f;
    struct transport tp;
    struct ou_err err = { OU_OK, "" };

    fake_init(&f, 4);
    reset_seen(&f);
    add(&f, "a", 503, 10, -1, NULL);
    add(&f, "a", 503, 10, -1, NULL);
    add(&f, "a", 200, 10, -1, "ok");
    struct sched *s = make(&f, &tp, 4, 4, 0);
    queue(s, "a");
    CHECK(sched_run(s, &err) == 0);
    CHECK(seen.ndone == 1 && seen.attempts[0] == 3 && f.nstarts == 3);
    CHECK(f.nstarts == 3 && f.starts[1].at - f.starts[0].at == 10 + 500);
    CHECK(f.nstarts == 3 && f.starts[2].at - f.starts[1].at == 10 + 1000);
    sched_free(s);
}

/* Retry-After is honoured; a 429 halves the transfers in flight and holds
 * every new one until it has passed. */
static void test_429_slows_the_run(void)
{
    static const char *urls[] = { "r0", "r1", "r2", "r3", "r4", "r5" };
    struct fake f;
    struct transport tp;
    struct ou_err err = { OU_OK, "" };

    fake_init(&f, 4);
    reset_seen(&f);
    add(&f, "r0", 429, 50, 2, NULL);
    for (int i = 0; i < 6; i++)
        add(&f, urls[i], 200, 100, -1, NULL);
    struct sched *s = make(&f, &tp, 4, 4, 0);
    for (int i = 0; i < 6; i++)
        queue(s, urls[i]);
    int64_t t0 = f.now;
    CHECK(sched_run(s, &err) == 0);
    CHECK(seen.ndone == 6);
    /* r0, r1, r2, r3 start at t0; r0 gets its 429 at t0 + 50. */
    int late = 0;
    for (int i = 4; i < f.nstarts; i++) {
        CHECK(f.starts[i].at >= t0 + 50 + 2000); /* nothing before it */
        late++;
    }
    CHECK(late == 3); /* r4, r5 and r0's retry */
    /* After the 429 the limit is 2: r0's retry and r4 hold it; r5 waits
     * for one of them. */
    int at_resume = 0;
    for (int i = 4; i < f.nstarts; i++)
        at_resume += f.starts[i].at == t0 + 50 + 2000;
    CHECK(at_resume == 2);
    sched_free(s);
}

/* A transfer that finishes while another waits for its retry is collected
 * and handed over at once, not held back by the wait. */
static void test_finish_while_another_waits(void)
{
    struct fake f;
    struct transport tp;
    struct ou_err err = { OU_OK, "" };

    fake_init(&f, 4);
    reset_seen(&f);
    add_fail(&f, "slowfail", HTTP_E_CONNECT, 10); /* then waits 500 ms */
    add(&f, "slowfail", 200, 10, -1, NULL);
    add(&f, "quick", 200, 200, -1, NULL);
    struct sched *s = make(&f, &tp, 4, 4, 0);
    int64_t t0 = f.now;
    queue(s, "slowfail");
    queue(s, "quick");
    CHECK(sched_run(s, &err) == 0);
    CHECK(seen.ndone == 2);
    CHECK(seen.ndone == 2 && strcmp(seen.done[0], "quick") == 0);
    CHECK(seen.done_at[0] == t0 + 200); /* during the other's wait */
    CHECK(seen.done_at[1] == t0 + 10 + 500 + 10);
    sched_free(s);
}

/* With one transfer at a time, a request waiting to retry keeps its place:
 * nothing else starts meanwhile. */
static void test_strict_order_at_one(void)
{
    struct fake f;
    struct transport tp;
    struct ou_err err = { OU_OK, "" };

    fake_init(&f, 1);
    reset_seen(&f);
    add(&f, "p1", 500, 10, -1, NULL);
    add(&f, "p1", 200, 10, -1, NULL);
    add(&f, "p2", 200, 10, -1, NULL);
    struct sched *s = make(&f, &tp, 1, 4, 0);
    queue(s, "p1");
    queue(s, "p2");
    CHECK(sched_run(s, &err) == 0);
    CHECK(f.nstarts == 3 && strcmp(f.starts[1].url, "p1") == 0 &&
          strcmp(f.starts[2].url, "p2") == 0);
    sched_free(s);
}

/* Final failures: the status, the attempts, the API's message scrubbed of
 * the key, and the category. */
static void test_final_errors(void)
{
    static const char body[] =
        "{\"error\":{\"message\":\"bad key sk-admin-SECRETsecretSECRETsecret"
        "1234 given\"}}";
    struct fake f;
    struct transport tp;
    struct ou_err err = { OU_OK, "" };

    fake_init(&f, 2);
    reset_seen(&f);
    add(&f, "k", 401, 10, -1, body);
    struct sched *s = make(&f, &tp, 2, 4, 0);
    queue(s, "k");
    CHECK(sched_run(s, &err) == OU_E_AUTH);
    /* the API's own words (stderr scrubs the key: see test_secret) */
    CHECK(strstr(err.msg, "x page 1: HTTP 401: bad key sk-admin-SECRET") !=
          NULL);
    CHECK(f.nstarts == 1); /* 401 is never retried */
    sched_free(s);

    fake_init(&f, 2);
    reset_seen(&f);
    for (int i = 0; i < 3; i++)
        add(&f, "down", 503, 10, -1, "<html>busy</html>");
    s = make(&f, &tp, 2, 2, 0);
    queue(s, "down");
    CHECK(sched_run(s, &err) == OU_E_API);
    CHECK(strstr(err.msg, "x page 1: HTTP 503 (after 3 attempts): "
                          "unexpected status") != NULL);
    CHECK(f.nstarts == 3);
    sched_free(s);

    fake_init(&f, 2);
    reset_seen(&f);
    add(&f, "bad", 400, 10, -1, "{\"error\":{\"message\":\"Invalid limit\"}}");
    add(&f, "other", 200, 500, -1, NULL);
    s = make(&f, &tp, 2, 4, 0);
    queue(s, "bad");
    queue(s, "other");
    CHECK(sched_run(s, &err) == OU_E_API);
    CHECK(strstr(err.msg, "HTTP 400: Invalid limit") != NULL);
    CHECK(seen.ndone == 0); /* the run stopped: "other" was cancelled */
    sched_free(s);
}

/* A failure the owner tolerates ends only that request. */
static void test_tolerated_failure(void)
{
    struct fake f;
    struct transport tp;
    struct ou_err err = { OU_OK, "" };

    fake_init(&f, 2);
    reset_seen(&f);
    add(&f, "gone", 404, 10, -1, NULL);
    add(&f, "fine", 200, 100, -1, NULL);
    struct sched *s = make(&f, &tp, 2, 4, 0);
    CHECK(sched_get(s, "gone", "keys", "1", &tolerant, (void *)"gone", NULL) !=
          NULL);
    queue(s, "fine");
    CHECK(sched_run(s, &err) == 0);
    CHECK(seen.nfailed == 1 && seen.ndone == 1);
    CHECK(strstr(seen.failed_err.msg, "keys page 1: HTTP 404") != NULL);
    sched_free(s);
}

/* No retry starts that would end after the deadline. */
static void test_deadline(void)
{
    struct fake f;
    struct transport tp;
    struct ou_err err = { OU_OK, "" };

    fake_init(&f, 2);
    reset_seen(&f);
    add(&f, "d", 503, 10, -1, NULL);
    add(&f, "d", 503, 10, -1, NULL);
    add(&f, "d", 200, 10, -1, NULL);
    /* the first retry (500 ms) fits, the second (1000 ms) would not */
    struct sched *s = make(&f, &tp, 2, 4, f.now + 1200);
    queue(s, "d");
    CHECK(sched_run(s, &err) == OU_E_API);
    CHECK(f.nstarts == 2);
    CHECK(strstr(err.msg, "HTTP 503 (after 2 attempts)") != NULL);
    sched_free(s);
}

/* A next page queued from a callback runs, right behind its request. */
static void test_queue_from_callback(void)
{
    struct fake f;
    struct transport tp;
    struct ou_err err = { OU_OK, "" };

    fake_init(&f, 1);
    reset_seen(&f);
    add(&f, "page1", 200, 10, -1, NULL);
    add(&f, "page2", 200, 10, -1, NULL);
    add(&f, "later", 200, 10, -1, NULL);
    struct sched *s = make(&f, &tp, 1, 4, 0);
    seen.then_url = "page2";
    queue(s, "page1");
    queue(s, "later");
    CHECK(sched_run(s, &err) == 0);
    CHECK(seen.ndone == 3 && f.nstarts == 3);
    /* page2 was queued after page1, ahead of "later" */
    CHECK(f.nstarts == 3 && strcmp(f.starts[1].url, "page2") == 0);
    sched_free(s);
}

/* A page whose work is deferred (a worker parses it) keeps its place and
 * its transfer slot until the idle hook finishes it; the next page it
 * queues then still goes ahead of what was queued after it. */
static struct sched_req *deferred_req;
static int idle_calls;

static int defer_first(void *ctx, struct sched *s, struct sched_req *r,
                       struct buf *body, struct ou_err *err)
{
    if (strcmp(ctx, "page1") == 0 && deferred_req == NULL) {
        deferred_req = r;
        buf_release(body); /* taken */
        return SCHED_DEFERRED;
    }
    return on_done(ctx, s, r, body, err);
}

static int finish_deferred(void *ctx, struct sched *s, struct ou_err *err)
{
    struct fake *f = ctx;

    if (deferred_req == NULL || ++idle_calls < 3)
        return 0;
    /* while it waited, nothing else started (parallel 1) */
    CHECK(f->nstarts == 1);
    if (sched_get(s, "page2", "x", "1.2", &ops, (void *)"page2",
                  deferred_req) == NULL) /* the file's plain ops */
        return ou_nomem(err);
    sched_complete(s, deferred_req);
    deferred_req = NULL;
    return 0;
}

static void test_deferred(void)
{
    static const struct sched_ops dops = { defer_first, NULL };
    struct fake f;
    struct transport tp;
    struct ou_err err = { OU_OK, "" };

    fake_init(&f, 1);
    reset_seen(&f);
    add(&f, "page1", 200, 10, -1, NULL);
    add(&f, "page2", 200, 10, -1, NULL);
    add(&f, "later", 200, 10, -1, NULL);
    struct sched *s = make(&f, &tp, 1, 4, 0);
    sched_on_idle(s, finish_deferred, &f);
    CHECK(sched_get(s, "page1", "x", "1", &dops, (void *)"page1", NULL) !=
          NULL);
    queue(s, "later");
    CHECK(sched_run(s, &err) == 0);
    CHECK(idle_calls >= 3 && deferred_req == NULL);
    CHECK(f.nstarts == 3 && seen.ndone == 2);
    CHECK(f.nstarts == 3 && strcmp(f.starts[1].url, "page2") == 0);
    sched_free(s);
}

int main(void)
{
    msg_set_level(MSG_QUIET);
    test_order_and_concurrency();
    test_retry_backoff();
    test_429_slows_the_run();
    test_finish_while_another_waits();
    test_strict_order_at_one();
    test_final_errors();
    test_tolerated_failure();
    test_deadline();
    test_queue_from_callback();
    test_deferred();
    TEST_END();
}
