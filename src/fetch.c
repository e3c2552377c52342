/* fetch.c - every page of one query, checked for completeness. */
#include "oaiusage/fetch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oaiusage/msg.h"
#include "oaiusage/timeutil.h"


/* Validation state wrapped around the caller's sink. */
struct check {
    const struct page_sink *inner;
    const struct query *q;
    int64_t width;
    int64_t lo;          /* earliest allowed first-bucket start */
    int64_t hi;          /* latest allowed bucket end */
    int64_t start_limit; /* every bucket starts before this */
    int64_t max_buckets;
    int64_t next_start;  /* required start of the next bucket, or -1 */
    struct fetch_stats *st;
};

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

static void fmt_time(int64_t t, char *buf)
{
    tu_format_rfc3339(t, buf);
}

/* Slack for the API's clock running ahead of ours (no end_time sent). */
#define CLOCK_SKEW 3600

static int on_bucket(void *ctx, int64_t start, int64_t end,
                     struct ou_err *err)
{
    struct check *c = ctx;
    char a[TU_RFC3339_LEN];
    char b[TU_RFC3339_LEN];

    if (start < 0 || end < 0 || start > TU_MAX_TIME || end > TU_MAX_TIME)
        return ou_err_set(err, OU_EXIT_DATA,
                          "a bucket has a time out of range (%lld..%lld)",
                          (long long)start, (long long)end);
    fmt_time(start, a);
    fmt_time(end, b);
    if (end <= start || end - start > c->width)
        return ou_err_set(err, OU_EXIT_DATA,
                          "bucket %s..%s is not a %s bucket", a, b,
                          bucket_width_name(c->q->width));
    if (c->next_start < 0) {
        if (start < c->lo || start > c->q->start_time) {
            fmt_time(c->q->start_time, b);
            return ou_err_set(err, OU_EXIT_DATA,
                              "the first bucket starts at %s, but the window "
                              "starts at %s",
                              a, b);
        }
    } else if (start != c->next_start) {
        fmt_time(c->next_start, b);
        return ou_err_set(err, OU_EXIT_DATA,
                          start > c->next_start
                              ? "buckets have a gap: expected one starting "
                                "at %s, got %s"
                              : "buckets overlap or are out of order: expected "
                                "one starting at %s, got %s",
                          b, a);
    } else if (tu_floor(start, c->width) != start) {
        /* Only the last bucket may end off a boundary (at end_time or at
         * the API's now): nothing may follow it. */
        return ou_err_set(err, OU_EXIT_DATA,
                          "a bucket starting at %s follows the window's last "
                          "(truncated) bucket",
                          a);
    }
    if (start >= c->start_limit) {
        fmt_time(c->start_limit, b);
        return ou_err_set(err, OU_EXIT_DATA,
                          "a bucket starts at %s, at or after the window's "
                          "end %s",
                          a, b);
    }
    if (end > c->hi) {
        fmt_time(c->hi, b);
        return ou_err_set(err, OU_EXIT_DATA,
                          "a bucket ends at %s, after the window's end %s", a,
                          b);
    }
    if (++c->st->buckets > c->max_buckets)
        return ou_err_set(err, OU_EXIT_DATA,
                          "more buckets than the window can hold (%lld)",
                          (long long)c->max_buckets);
    if (c->st->first_start < 0)
        c->st->first_start = start;
    c->st->last_end = end;
    c->next_start = end;
    return c->inner->bucket != NULL
               ? c->inner->bucket(c->inner->ctx, start, end, err)
               : 0;
}

static int on_record(void *ctx, const struct record *rec, struct ou_err *err)
{
    struct check *c = ctx;
    return c->inner->record != NULL ? c->inner->record(c->inner->ctx, rec, err)
                                    : 0;
}

/* An HTTP-level failure of request `page` of `what` as an exit code. */
static int http_failure(const char *what, const char *key, int page,
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
        return ou_err_set(err, OU_EXIT_API, "%s page %d: %s (%s)%s", what,
                          page, http_result_text(resp->result), resp->error,
                          after);
    if (resp->status == 401 || resp->status == 403)
        return ou_err_set(err, OU_EXIT_AUTH,
                          "%s page %d: HTTP %ld: %s; an Admin API key is "
                          "needed (Organization settings > Admin keys); "
                          "project keys (sk-proj-...) cannot read usage or "
                          "costs",
                          what, page, resp->status,
                          has_msg ? api : "the API refused the key");
    if (resp->status == 429 && resp->retry_after >= 0)
        return ou_err_set(err, OU_EXIT_API,
                          "%s page %d: HTTP 429 (rate limited; Retry-After "
                          "%lld s)%s: %s",
                          what, page, (long long)resp->retry_after, after,
                          has_msg ? api : "too many requests");
    return ou_err_set(err, OU_EXIT_API, "%s page %d: HTTP %ld%s: %s", what,
                      page, resp->status, after,
                      has_msg ? api : "unexpected status");
}

/* The cursors already followed, as 64-bit hashes in an open-addressing
 * set: constant memory per page, whatever the server sends. */
struct cursors {
    uint64_t *slot;   /* 0 = empty */
    size_t cap;       /* power of two */
    size_t n;
};

static uint64_t cursor_hash(const char *c)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *c; c++) {
        h ^= (unsigned char)*c;
        h *= 1099511628211ULL;
    }
    return h != 0 ? h : 1;
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

enum http_result fetch_get(const struct fetch_ctl *ctl, const char *url,
                           const char *what, int page, struct buf *body,
                           struct http_response *resp)
{
    for (int attempt = 0;; attempt++) {
        long timeout = 0;
        if (ctl->deadline_ms > 0) {
            timeout = (long)(ctl->deadline_ms - fetch_clock_ms());
            if (timeout < 1)
                timeout = 1;
        }
        http_get(ctl->http, url, body, resp, timeout);
        resp->attempts = attempt + 1;
        msg_verbose("GET %s -> %s%ld (%ld ms, %zu bytes)", url,
                    resp->result == HTTP_OK ? "" : "failed, ", resp->status,
                    resp->elapsed_ms, body->len);
        enum retry_reason why = retry_classify(resp->result, resp->status);
        if (why == RETRY_NO || attempt >= ctl->retry.max_retries)
            return resp->result;
        long d = retry_delay_ms(&ctl->retry, attempt, resp->retry_after,
                                jitter());
        char rb[32];
        const char *reason = retry_reason_text(why, resp->status, rb,
                                               sizeof(rb));
        if (d < 0) {
            msg_note("%s page %d: %s with Retry-After %lld s, longer than "
                     "%ld s: not retrying",
                     what, page, reason, (long long)resp->retry_after,
                     ctl->retry.retry_after_cap_ms / 1000);
            resp->gave_up_early = true;
            return resp->result;
        }
        if (ctl->deadline_ms > 0 && fetch_clock_ms() + d >= ctl->deadline_ms) {
            msg_note("%s page %d: %s; no retry, the --deadline would pass",
                     what, page, reason);
            resp->gave_up_early = true;
            return resp->result;
        }
        int left = ctl->retry.max_retries - attempt;
        msg_note("%s page %d: %s; retrying in %.1f s (%d attempt%s left)",
                 what, page, reason, (double)d / 1000.0, left,
                 left == 1 ? "" : "s");
        sleep_ms(d);
    }
}

int fetch_all(const struct fetch_opts *fo, const struct page_sink *sink,
              struct fetch_stats *st, struct ou_err *err)
{
    const struct query *q = fo->q;
    struct check chk;
    struct page_sink wrapped = { on_bucket, on_record, &chk };
    struct cursors seen = { NULL, 0, 0 };
    struct buf url;
    struct buf body;
    char *cursor = NULL;
    int rc = 0;

    memset(st, 0, sizeof(*st));
    st->first_start = -1;
    st->last_end = -1;
    chk.inner = sink;
    chk.q = q;
    chk.width = bucket_width_seconds(q->width);
    chk.lo = tu_floor(q->start_time, chk.width);
    if (q->end_time >= 0) {
        /* Usage buckets end at end_time at the latest; costs are whole UTC
         * days, so their last day may end after it. */
        chk.start_limit = q->end_time;
        chk.hi = q->ep->day_aligned_start
                     ? tu_floor(q->end_time + chk.width - 1, chk.width)
                     : q->end_time;
    } else {
        chk.start_limit = fo->now + CLOCK_SKEW;
        chk.hi = fo->now + CLOCK_SKEW;
        if (q->ep->day_aligned_start)
            chk.hi = tu_floor(chk.hi + chk.width - 1, chk.width);
    }
    chk.max_buckets = fetch_max_buckets(q, fo->now);
    chk.next_start = -1;
    chk.st = st;
    buf_init(&url, 0);
    buf_init(&body, OU_MAX_RESPONSE_BYTES);

    for (;;) {
        struct http_response resp;
        struct page_info info;
        int page = st->pages + 1;

        if (page > chk.max_buckets + 1) {
            rc = ou_err_set(err, OU_EXIT_DATA,
                            "%s: more pages than the window can need (%lld)",
                            q->ep->command, (long long)chk.max_buckets + 1);
            break;
        }
        buf_reset(&url);
        if (query_url(q, fo->base_url, cursor, &url) != 0) {
            rc = ou_err_set(err, OU_EXIT_IO, "out of memory");
            break;
        }
        fetch_get(fo->ctl, url.data, q->ep->command, page, &body, &resp);
        if (resp.result != HTTP_OK || resp.status != 200) {
            rc = http_failure(q->ep->command, fo->ctl->key, page, &resp, &body,
                              err);
            break;
        }
        st->pages = page;
        rc = page_parse(body.data, body.len, q->ep, &wrapped, &info, err);
        if (rc != 0) {
            free(info.next_page);
            ou_err_prefix(err, "%s page %d: ", q->ep->command, page);
            break;
        }
        if (!info.has_more) {
            free(info.next_page);
            break;
        }
        if (info.next_page == NULL) {
            rc = ou_err_set(err, OU_EXIT_DATA,
                            "%s page %d: has_more is true but next_page is "
                            "missing",
                            q->ep->command, page);
            break;
        }
        if (info.nbuckets == 0) {
            free(info.next_page);
            rc = ou_err_set(err, OU_EXIT_DATA,
                            "%s page %d: has_more is true but the page has no "
                            "buckets",
                            q->ep->command, page);
            break;
        }
        if (cursor_seen(&seen, info.next_page)) {
            free(info.next_page);
            rc = ou_err_set(err, OU_EXIT_DATA,
                            "%s page %d: the API repeated a page cursor "
                            "(pagination would loop)",
                            q->ep->command, page);
            break;
        }
        if (cursor_add(&seen, info.next_page) != 0) {
            free(info.next_page);
            rc = ou_err_set(err, OU_EXIT_IO, "out of memory");
            break;
        }
        free(cursor);
        cursor = info.next_page;
    }
    if (rc == 0 && st->buckets == 0)
        rc = ou_err_set(err, OU_EXIT_DATA,
                        "%s: the API returned no buckets for the window",
                        q->ep->command);
    free(cursor);
    free(seen.slot);
    buf_release(&url);
    buf_release(&body);
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
            rc = ou_err_set(err, OU_EXIT_DATA, "%s: more than %d pages",
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
            rc = ou_err_set(err, OU_EXIT_IO, "out of memory");
            break;
        }
        fetch_get(lf->ctl, url.data, lf->what, page, &body, &resp);
        if (resp.result != HTTP_OK || resp.status != 200) {
            rc = http_failure(lf->what, lf->ctl->key, page, &resp, &body, err);
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
            rc = ou_err_set(err, OU_EXIT_DATA,
                            "%s page %d: has_more is true but the page %s",
                            lf->what, page,
                            info.nitems == 0 ? "is empty" : "has no last_id");
            break;
        }
        if (cursor_seen(&seen, info.last_id)) {
            free(info.last_id);
            rc = ou_err_set(err, OU_EXIT_DATA,
                            "%s page %d: the API repeated last_id "
                            "(pagination would loop)",
                            lf->what, page);
            break;
        }
        if (cursor_add(&seen, info.last_id) != 0) {
            free(info.last_id);
            rc = ou_err_set(err, OU_EXIT_IO, "out of memory");
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
