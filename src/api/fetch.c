/* fetch.c - every page of one or more queries, fetched concurrently and
 * checked for completeness (see fetch.h). */
#include "oaiusage/fetch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oaiusage/hash.h"
#include "oaiusage/msg.h"
#include "oaiusage/timeutil.h"

/* Slack for the API's clock running ahead of ours (no end_time sent). */
#define CLOCK_SKEW 3600

/* The cursors already followed, as 64-bit hashes in an open-addressing
 * set: constant memory per page, whatever the server sends. */
struct cursors {
    uint64_t *slot;   /* 0 = empty */
    size_t cap;       /* power of two */
    size_t n;
};

static uint64_t cursor_hash(const char *c)
{
    uint64_t h = hash_str(c);
    return h != 0 ? h : 1; /* 0 marks an empty slot */
}

static bool cursor_seen(const struct cursors *cs, const char *c)
{
    uint64_t h = cursor_hash(c);
    if (cs->cap == 0)
        return false;
    for (size_t j = h & (cs->cap - 1); cs->slot[j] != 0;
         j = (j + 1) & (cs->cap - 1)) {
        if (cs->slot[j] == h)
            return true;
    }
    return false;
}

static int cursor_add(struct cursors *cs, const char *c)
{
    if ((cs->n + 1) * 2 > cs->cap) {
        size_t cap = cs->cap ? cs->cap * 2 : 64;
        uint64_t *slot = calloc(cap, sizeof(*slot));
        if (slot == NULL)
            return -1;
        for (size_t i = 0; i < cs->cap; i++) {
            if (cs->slot[i] == 0)
                continue;
            size_t j = cs->slot[i] & (cap - 1);
            while (slot[j] != 0)
                j = (j + 1) & (cap - 1);
            slot[j] = cs->slot[i];
        }
        free(cs->slot);
        cs->slot = slot;
        cs->cap = cap;
    }
    uint64_t h = cursor_hash(c);
    size_t j = h & (cs->cap - 1);
    while (cs->slot[j] != 0)
        j = (j + 1) & (cs->cap - 1);
    cs->slot[j] = h;
    cs->n++;
    return 0;
}

/* An HTTP-level failure of request `page` of `what` as an exit code. */
static int http_failure(const char *what, const char *key, const char *page,
                        const struct http_response *resp,
                        const struct buf *body, struct ou_err *err)
{
    char api[512] = "";
    bool has_msg =
        page_error_message(body->data, body->len, key, api, sizeof(api));

    char after[64] = "";
    if (resp->attempts > 1)
        snprintf(after, sizeof(after), " (after %d attempts)", resp->attempts);
    if (resp->result != HTTP_OK)
        return ou_fail(err, OU_E_API, "%s page %s: %s (%s)%s", what,
                          page, http_result_text(resp->result), resp->error,
                          after);
    if (resp->status == 401 || resp->status == 403)
        return ou_fail(err, OU_E_AUTH,
                          "%s page %s: HTTP %ld: %s; an Admin API key is "
                          "needed (Organization settings > Admin keys); "
                          "project keys (sk-proj-...) cannot read usage or "
                          "costs",
                          what, page, resp->status,
                          has_msg ? api : "the API refused the key");
    if (resp->status == 429 && resp->retry_after >= 0)
        return ou_fail(err, OU_E_API,
                          "%s page %s: HTTP 429 (rate limited; Retry-After "
                          "%lld s)%s: %s",
                          what, page, (long long)resp->retry_after, after,
                          has_msg ? api : "too many requests");
    return ou_fail(err, OU_E_API, "%s page %s: HTTP %ld%s: %s", what,
                      page, resp->status, after,
                      has_msg ? api : "unexpected status");
}

int64_t fetch_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* A uniform number in [0, 1) for jitter (not for secrets). */
static double jitter(void)
{
    static uint64_t x;
    if (x == 0)
        x = (uint64_t)fetch_clock_ms() * 2654435761u ^ (uint64_t)getpid();
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return (double)(x >> 11) / 9007199254740992.0;
}

/* What to do after a failed attempt: the delay before the next one, or -1
 * to give up (announcing why). */
static long next_delay(const struct fetch_ctl *ctl, const char *what,
                       const char *page, int attempt,
                       struct http_response *resp)
{
    enum retry_reason why = retry_classify(resp->result, resp->status);
    char rb[32];
    const char *reason;
    long d;

    if (why == RETRY_NO || attempt >= ctl->retry.max_retries)
        return -1;
    d = retry_delay_ms(&ctl->retry, attempt, resp->retry_after, jitter());
    reason = retry_reason_text(why, resp->status, rb, sizeof(rb));
    if (d < 0) {
        msg_note("%s page %s: %s with Retry-After %lld s, longer than %ld s: "
                 "not retrying",
                 what, page, reason, (long long)resp->retry_after,
                 ctl->retry.retry_after_cap_ms / 1000);
        resp->gave_up_early = true;
        return -1;
    }
    if (ctl->deadline_ms > 0 && fetch_clock_ms() + d >= ctl->deadline_ms) {
        msg_note("%s page %s: %s; no retry, the --deadline would pass", what,
                 page, reason);
        resp->gave_up_early = true;
        return -1;
    }
    int left = ctl->retry.max_retries - attempt;
    msg_note("%s page %s: %s; retrying in %.1f s (%d attempt%s left)", what,
             page, reason, (double)d / 1000.0, left, left == 1 ? "" : "s");
    return d;
}

/* The time a request may still take under the deadline (0 = no limit). */
static long time_left(const struct fetch_ctl *ctl)
{
    if (ctl->deadline_ms <= 0)
        return 0;
    long t = (long)(ctl->deadline_ms - fetch_clock_ms());
    return t < 1 ? 1 : t;
}

static void log_request(const char *url, const struct http_response *resp,
                        size_t bytes)
{
    msg_verbose("GET %s -> %s%ld (%ld ms, %zu bytes)", url,
                resp->result == HTTP_OK ? "" : "failed, ", resp->status,
                resp->elapsed_ms, bytes);
}

enum http_result fetch_get(const struct fetch_ctl *ctl, const char *url,
                           const char *what, int page, struct buf *body,
                           struct http_response *resp)
{
    char label[16];

    snprintf(label, sizeof(label), "%d", page);
    for (int attempt = 0;; attempt++) {
        http_get(ctl->http, url, body, resp, time_left(ctl));
        resp->attempts = attempt + 1;
        log_request(url, resp, body->len);
        long d = next_delay(ctl, what, label, attempt, resp);
        if (d < 0)
            return resp->result;
        sleep_ms(d);
    }
}

/* ---- planning: a window as sub-windows of one page each -------------------- */

int64_t fetch_max_buckets(const struct query *q, int64_t now)
{
    int64_t w = bucket_width_seconds(q->width);
    int64_t lo = tu_floor(q->start_time, w);
    /* Without end_time the API's clock ends the window; allow a day of
     * clock difference. */
    int64_t end = q->end_time >= 0 ? q->end_time : now + 86400;
    int64_t n = (end - lo + w - 1) / w;
    return n < 1 ? 1 : n;
}

int fetch_plan(const struct query *q, int64_t now, struct subwin **out,
               int *nout)
{
    int64_t w = bucket_width_seconds(q->width);
    int64_t span = w * q->limit;
    int64_t b0 = tu_floor(q->start_time, w);
    int64_t end = q->end_time >= 0 ? q->end_time : now;
    int64_t n = end > b0 ? (end - b0 + span - 1) / span : 1;

    if (n < 1)
        n = 1;
    if (n > 1000000)
        return -1;
    struct subwin *sw = calloc((size_t)n, sizeof(*sw));
    if (sw == NULL)
        return -1;
    for (int64_t i = 0; i < n; i++) {
        sw[i].start = i == 0 ? q->start_time : b0 + i * span;
        sw[i].end = b0 + (i + 1) * span;
        sw[i].end_sent = true;
        if (i == n - 1) {
            sw[i].end = q->end_time;
            sw[i].end_sent = q->end_time >= 0;
        }
    }
    *out = sw;
    *nout = (int)n;
    return 0;
}

/* ---- checking one sub-window's buckets -------------------------------------- */

struct sw_state {
    struct subwin win;
    const struct query *q;      /* the sub-window's own query */
    struct query qs;
    const struct page_sink *inner;
    int64_t width;
    int64_t lo;                 /* earliest allowed first-bucket start */
    int64_t start_limit;        /* every bucket starts before this */
    int64_t hi;                 /* latest allowed bucket end */
    int64_t max_buckets;
    int64_t next_start;         /* required start of the next bucket, or -1 */
    int64_t first_start;
    int64_t last_end;
    int64_t buckets;
    int pages;
    bool first_sw;
    struct cursors seen;
};

static void fmt_time(int64_t t, char *buf)
{
    tu_format_rfc3339(t, buf);
}

static int on_bucket(void *ctx, int64_t start, int64_t end,
                     struct ou_err *err)
{
    struct sw_state *c = ctx;
    char a[TU_RFC3339_LEN];
    char b[TU_RFC3339_LEN];

    if (start < 0 || end < 0 || start > TU_MAX_TIME || end > TU_MAX_TIME)
        return ou_fail(err, OU_E_DATA,
                          "a bucket has a time out of range (%lld..%lld)",
                          (long long)start, (long long)end);
    fmt_time(start, a);
    fmt_time(end, b);
    if (end <= start || end - start > c->width)
        return ou_fail(err, OU_E_DATA,
                          "bucket %s..%s is not a %s bucket", a, b,
                          bucket_width_name(c->q->width));
    if (c->next_start < 0) {
        bool ok = c->first_sw ? start >= c->lo && start <= c->win.start
                              : start == c->win.start;
        if (!ok) {
            fmt_time(c->win.start, b);
            return ou_fail(err, OU_E_DATA,
                              "the first bucket starts at %s, but the window "
                              "starts at %s",
                              a, b);
        }
    } else if (start != c->next_start) {
        fmt_time(c->next_start, b);
        return ou_fail(err, OU_E_DATA,
                          start > c->next_start
                              ? "buckets have a gap: expected one starting "
                                "at %s, got %s"
                              : "buckets overlap or are out of order: expected "
                                "one starting at %s, got %s",
                          b, a);
    } else if (tu_floor(start, c->width) != start) {
        /* Only the last bucket may end off a boundary (at end_time or at
         * the API's now): nothing may follow it. */
        return ou_fail(err, OU_E_DATA,
                          "a bucket starting at %s follows the window's last "
                          "(truncated) bucket",
                          a);
    }
    if (start >= c->start_limit) {
        fmt_time(c->start_limit, b);
        return ou_fail(err, OU_E_DATA,
                          "a bucket starts at %s, at or after the window's "
                          "end %s",
                          a, b);
    }
    if (end > c->hi) {
        fmt_time(c->hi, b);
        return ou_fail(err, OU_E_DATA,
                          "a bucket ends at %s, after the window's end %s", a,
                          b);
    }
    if (++c->buckets > c->max_buckets)
        return ou_fail(err, OU_E_DATA,
                          "more buckets than the window can hold (%lld)",
                          (long long)c->max_buckets);
    if (c->first_start < 0)
        c->first_start = start;
    c->last_end = end;
    c->next_start = end;
    return c->inner->bucket != NULL
               ? c->inner->bucket(c->inner->ctx, start, end, err)
               : 0;
}

static int on_record(void *ctx, const struct record *rec, struct ou_err *err)
{
    struct sw_state *c = ctx;
    return c->inner->record != NULL ? c->inner->record(c->inner->ctx, rec, err)
                                    : 0;
}

static void sw_init(struct sw_state *c, const struct fetch_stream *fs,
                    const struct subwin *win, bool first, int64_t now)
{
    const struct query *q = fs->q;

    memset(c, 0, sizeof(*c));
    c->win = *win;
    c->qs = *q;
    c->qs.start_time = win->start;
    c->qs.end_time = win->end_sent ? win->end : -1;
    c->q = &c->qs;
    c->inner = fs->sink;
    c->width = bucket_width_seconds(q->width);
    c->lo = tu_floor(win->start, c->width);
    c->first_sw = first;
    if (win->end_sent) {
        /* Usage buckets end at end_time at the latest; costs are whole UTC
         * days, so their last day may end after it. */
        c->start_limit = win->end;
        c->hi = q->ep->day_aligned_start
                    ? tu_floor(win->end + c->width - 1, c->width)
                    : win->end;
    } else {
        c->start_limit = now + CLOCK_SKEW;
        c->hi = now + CLOCK_SKEW;
        if (q->ep->day_aligned_start)
            c->hi = tu_floor(c->hi + c->width - 1, c->width);
    }
    c->max_buckets = fetch_max_buckets(c->q, now);
    c->next_start = -1;
    c->first_start = -1;
    c->last_end = -1;
}

/* ---- the scheduler ------------------------------------------------------------ */

struct job {
    struct sw_state *sw;
    const struct fetch_stream *fs;
    int swi;                  /* sub-window index */
    char *cursor;             /* owned; NULL for the first page */
    int page;                 /* page within the sub-window, from 1 */
    int attempt;
    int64_t not_before;       /* monotonic ms */
    bool running;
    struct buf url;
    struct buf body;
    struct job *next;
};

struct sched {
    const struct fetch_ctl *ctl;
    const char *base_url;
    struct job *head;         /* FIFO of jobs, running ones included */
    struct job *tail;
    int limit;                /* transfers allowed in flight now */
    int successes;            /* since the last 429 */
    int64_t resume_ms;        /* no new transfer before this (429) */
};

static void job_label(const struct job *j, char *buf, size_t size)
{
    if (j->page == 1)
        snprintf(buf, size, "%d", j->swi + 1);
    else
        snprintf(buf, size, "%d.%d", j->swi + 1, j->page);
}

static void job_free(struct job *j)
{
    if (j == NULL)
        return;
    free(j->cursor);
    buf_release(&j->url);
    buf_release(&j->body);
    free(j);
}

/* A new job, queued after `after` (NULL: at the end). */
static struct job *job_new(struct sched *s, const struct fetch_stream *fs,
                           struct sw_state *sw, int swi, char *cursor,
                           int page, struct job *after)
{
    struct job *j = calloc(1, sizeof(*j));
    if (j == NULL)
        return NULL;
    j->sw = sw;
    j->fs = fs;
    j->swi = swi;
    j->cursor = cursor;
    j->page = page;
    buf_init(&j->url, 0);
    buf_init(&j->body, OU_MAX_RESPONSE_BYTES);
    if (query_url(sw->q, s->base_url, cursor, &j->url) != 0) {
        j->cursor = NULL;
        job_free(j);
        return NULL;
    }
    if (after != NULL) {
        j->next = after->next;
        after->next = j;
        if (s->tail == after)
            s->tail = j;
    } else {
        if (s->tail != NULL)
            s->tail->next = j;
        else
            s->head = j;
        s->tail = j;
    }
    return j;
}

static void job_unlink(struct sched *s, struct job *j)
{
    struct job **pp = &s->head;
    struct job *prev = NULL;
    while (*pp != NULL && *pp != j) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (*pp == NULL)
        return;
    *pp = j->next;
    if (s->tail == j)
        s->tail = prev;
    j->next = NULL;
}

/* A finished page: check it, fold it, queue its successor. */
static int page_done(struct sched *s, struct job *j, struct ou_err *err)
{
    struct sw_state *sw = j->sw;
    const char *ep = j->fs->q->ep->command;
    struct page_sink wrapped = { on_bucket, on_record, sw, NULL };
    struct page_info info;
    char label[32];
    int rc;

    job_label(j, label, sizeof(label));
    if (++sw->pages > sw->max_buckets + 1)
        return ou_fail(err, OU_E_DATA,
                          "%s: more pages than the window can need (%lld)", ep,
                          (long long)sw->max_buckets + 1);
    rc = page_parse(j->body.data, j->body.len, j->fs->q->ep, &wrapped, &info,
                    err);
    buf_release(&j->body); /* the page is folded: free it now */
    if (rc != 0) {
        free(info.next_page);
        ou_err_prefix(err, "%s page %s: ", ep, label);
        return rc;
    }
    if (!info.has_more) {
        free(info.next_page);
        const struct page_sink *sk = j->fs->sink;
        return sk->segment != NULL ? sk->segment(sk->ctx, j->swi, err) : 0;
    }
    if (info.next_page == NULL)
        return ou_fail(err, OU_E_DATA,
                          "%s page %s: has_more is true but next_page is "
                          "missing",
                          ep, label);
    if (info.nbuckets == 0) {
        free(info.next_page);
        return ou_fail(err, OU_E_DATA,
                          "%s page %s: has_more is true but the page has no "
                          "buckets",
                          ep, label);
    }
    if (cursor_seen(&sw->seen, info.next_page)) {
        free(info.next_page);
        return ou_fail(err, OU_E_DATA,
                          "%s page %s: the API repeated a page cursor "
                          "(pagination would loop)",
                          ep, label);
    }
    if (cursor_add(&sw->seen, info.next_page) != 0 ||
        job_new(s, j->fs, sw, j->swi, info.next_page, j->page + 1, j) ==
            NULL) {
        free(info.next_page);
        return ou_nomem(err);
    }
    return 0;
}

/* Start what may start now, in queue (time) order; return how long to
 * wait for the next event. A job waiting to retry keeps its place among
 * the `limit` jobs under way, so --concurrency 1 fetches strictly one page
 * after the other. */
static long start_ready(struct sched *s)
{
    int64_t now = fetch_clock_ms();
    long wait = 1000;
    int held = 0;

    if (now < s->resume_ms)
        return (long)(s->resume_ms - now);
    for (struct job *j = s->head; j != NULL; j = j->next)
        held += j->running || j->attempt > 0;
    for (struct job *j = s->head; j != NULL; j = j->next) {
        if (j->running)
            continue;
        if (j->not_before > now) {
            if (j->not_before - now < wait)
                wait = (long)(j->not_before - now);
            continue;
        }
        bool fresh = j->attempt == 0;
        if (fresh && held >= s->limit)
            break;
        if (http_start(s->ctl->http, j->url.data, &j->body, time_left(s->ctl),
                       j) < 0)
            break;
        j->running = true;
        held += fresh;
    }
    return wait;
}

/* Check the seams between a stream's sub-windows and sum its stats. */
static int finish_stream(struct fetch_stream *fs, struct sw_state *sws, int n,
                         struct ou_err *err)
{
    const char *ep = fs->q->ep->command;
    bool ended = false;
    char a[TU_RFC3339_LEN];

    memset(&fs->stats, 0, sizeof(fs->stats));
    fs->stats.first_start = -1;
    fs->stats.last_end = -1;
    for (int i = 0; i < n; i++) {
        struct sw_state *sw = &sws[i];
        fs->stats.pages += sw->pages;
        fs->stats.buckets += sw->buckets;
        if (sw->buckets == 0) {
            if (i == 0)
                return ou_fail(err, OU_E_DATA,
                                  "%s: the API returned no buckets for the "
                                  "window",
                                  ep);
            ended = true; /* the API's now came before this sub-window */
            continue;
        }
        if (ended) {
            fmt_time(sw->first_start, a);
            return ou_fail(err, OU_E_DATA,
                              "%s: buckets have a gap: data stops, then "
                              "resumes at %s",
                              ep, a);
        }
        if (i > 0 && sws[i - 1].last_end != sw->first_start) {
            fmt_time(sws[i - 1].last_end, a);
            return ou_fail(err, OU_E_DATA,
                              "%s: buckets have a gap: data stops at %s, then "
                              "resumes later",
                              ep, a);
        }
        if (i == 0)
            fs->stats.first_start = sw->first_start;
        fs->stats.last_end = sw->last_end;
        if (sw->win.end_sent && sw->last_end < sw->win.end)
            ended = true; /* truncated at the API's now */
    }
    return 0;
}

int fetch_streams(const struct fetch_ctl *ctl, const char *base_url,
                  int64_t now, struct fetch_stream *fss, int nfs,
                  struct ou_err *err)
{
    struct sched s = { ctl, base_url, NULL, NULL, 0, 0, 0 };
    struct sw_state **sws = calloc((size_t)nfs, sizeof(*sws));
    int *nsw = calloc((size_t)nfs, sizeof(*nsw));
    int rc = 0;

    s.limit = ctl->parallel > 0 ? ctl->parallel : 1;
    if (sws == NULL || nsw == NULL) {
        rc = ou_nomem(err);
        goto out;
    }
    /* Plan every stream; queue the first page of every sub-window, in
     * time order. */
    for (int k = 0; k < nfs && rc == 0; k++) {
        struct subwin *plan = NULL;
        if (fetch_plan(fss[k].q, now, &plan, &nsw[k]) != 0) {
            rc = ou_nomem(err);
            break;
        }
        sws[k] = calloc((size_t)nsw[k], sizeof(**sws));
        if (sws[k] == NULL) {
            free(plan);
            rc = ou_nomem(err);
            break;
        }
        for (int i = 0; i < nsw[k]; i++)
            sw_init(&sws[k][i], &fss[k], &plan[i], i == 0, now);
        free(plan);
    }
    for (int k = 0; k < nfs && rc == 0; k++) {
        for (int i = 0; i < nsw[k] && rc == 0; i++) {
            if (job_new(&s, &fss[k], &sws[k][i], i, NULL, 1, NULL) == NULL)
                rc = ou_nomem(err);
        }
    }
    while (rc == 0 && s.head != NULL) {
        long wait = start_ready(&s);
        struct http_response resp;
        void *tag = NULL;
        if (http_poll(ctl->http, wait, &resp, &tag) < 0)
            continue;
        struct job *j = tag;
        char label[32];
        const char *ep = j->fs->q->ep->command;
        j->running = false;
        resp.attempts = ++j->attempt;
        log_request(j->url.data, &resp, j->body.len);
        job_label(j, label, sizeof(label));
        if (resp.result == HTTP_OK && resp.status == 200) {
            if (++s.successes >= 2 * s.limit && s.limit < ctl->parallel) {
                s.limit++; /* recover after a 429, slowly */
                s.successes = 0;
            }
            rc = page_done(&s, j, err);
            job_unlink(&s, j);
            job_free(j);
            continue;
        }
        long d = next_delay(ctl, ep, label, j->attempt - 1, &resp);
        if (d < 0) {
            rc = http_failure(ep, ctl->key, label, &resp, &j->body, err);
            break;
        }
        if (resp.status == 429) {
            /* A 429 slows the whole run: fewer transfers, and none until
             * the wait is over. */
            s.limit = s.limit > 1 ? s.limit / 2 : 1;
            s.successes = 0;
            if (fetch_clock_ms() + d > s.resume_ms)
                s.resume_ms = fetch_clock_ms() + d;
        }
        j->not_before = fetch_clock_ms() + d;
    }
    http_cancel_all(ctl->http);
    for (int k = 0; k < nfs && rc == 0; k++)
        rc = finish_stream(&fss[k], sws[k], nsw[k], err);
out:
    while (s.head != NULL) {
        struct job *j = s.head;
        s.head = j->next;
        job_free(j);
    }
    for (int k = 0; sws != NULL && k < nfs; k++) {
        for (int i = 0; sws[k] != NULL && i < nsw[k]; i++)
            free(sws[k][i].seen.slot);
        free(sws[k]);
    }
    free(sws);
    free(nsw);
    return rc;
}

int fetch_all(const struct fetch_opts *fo, const struct page_sink *sink,
              struct fetch_stats *st, struct ou_err *err)
{
    struct fetch_stream fs = { fo->q, sink, { 0, 0, -1, -1 } };
    int rc = fetch_streams(fo->ctl, fo->base_url, fo->now, &fs, 1, err);
    *st = fs.stats;
    return rc;
}

/* ---- organization lists ---------------------------------------------------- */

#define LIST_MAX_PAGES 100000

int fetch_list(const struct list_fetch *lf, list_item_fn fn, void *ctx,
               struct ou_err *err)
{
    struct cursors seen = { NULL, 0, 0 };
    struct buf url;
    struct buf body;
    char *after = NULL;
    int rc = 0;

    buf_init(&url, 0);
    buf_init(&body, OU_MAX_RESPONSE_BYTES);
    for (int page = 1;; page++) {
        struct http_response resp;
        struct list_info info;

        if (page > LIST_MAX_PAGES) {
            rc = ou_fail(err, OU_E_DATA, "%s: more than %d pages",
                            lf->what, LIST_MAX_PAGES);
            break;
        }
        buf_reset(&url);
        int b = buf_puts(&url, lf->base_url) | buf_puts(&url, lf->path) |
                buf_puts(&url, "?limit=100");
        if (lf->extra != NULL)
            b |= buf_putc(&url, '&') | buf_puts(&url, lf->extra);
        if (after != NULL)
            b |= buf_puts(&url, "&after=") | url_encode(&url, after);
        if (b != 0) {
            rc = ou_nomem(err);
            break;
        }
        fetch_get(lf->ctl, url.data, lf->what, page, &body, &resp);
        if (resp.result != HTTP_OK || resp.status != 200) {
            char num[16];
            snprintf(num, sizeof(num), "%d", page);
            rc = http_failure(lf->what, lf->ctl->key, num, &resp, &body, err);
            break;
        }
        rc = page_parse_list(body.data, body.len, lf->fields, lf->nfields, fn,
                             ctx, &info, err);
        if (rc != 0) {
            free(info.last_id);
            ou_err_prefix(err, "%s page %d: ", lf->what, page);
            break;
        }
        if (!info.has_more) {
            free(info.last_id);
            break;
        }
        if (info.last_id == NULL || info.nitems == 0) {
            free(info.last_id);
            rc = ou_fail(err, OU_E_DATA,
                            "%s page %d: has_more is true but the page %s",
                            lf->what, page,
                            info.nitems == 0 ? "is empty" : "has no last_id");
            break;
        }
        if (cursor_seen(&seen, info.last_id)) {
            free(info.last_id);
            rc = ou_fail(err, OU_E_DATA,
                            "%s page %d: the API repeated last_id "
                            "(pagination would loop)",
                            lf->what, page);
            break;
        }
        if (cursor_add(&seen, info.last_id) != 0) {
            free(info.last_id);
            rc = ou_nomem(err);
            break;
        }
        free(after);
        after = info.last_id;
    }
    free(after);
    free(seen.slot);
    buf_release(&url);
    buf_release(&body);
    return rc;
}
