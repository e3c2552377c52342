/* check.c - is a sequence of buckets complete? (see check.h) */
#include "oaiusage/check.h"

#include <string.h>

#include "oaiusage/timeutil.h"

void check_init(struct check *c, const struct query *q,
                const struct subwin *win, bool first, int64_t now)
{
    struct query sub = *q;

    memset(c, 0, sizeof(*c));
    c->win = *win;
    c->width_name = q->width;
    c->width = bucket_width_seconds(q->width);
    c->lo = tu_floor(win->start, c->width);
    c->first = first;
    if (win->end_sent) {
        /* Usage buckets end at end_time at the latest; costs are whole UTC
         * days, so their last day may end after it. */
        c->start_limit = win->end;
        c->hi = q->ep->day_aligned_start
                    ? tu_floor(win->end + c->width - 1, c->width)
                    : win->end;
    } else {
        c->start_limit = now + CHECK_CLOCK_SKEW;
        c->hi = now + CHECK_CLOCK_SKEW;
        if (q->ep->day_aligned_start)
            c->hi = tu_floor(c->hi + c->width - 1, c->width);
    }
    sub.start_time = win->start;
    sub.end_time = win->end_sent ? win->end : -1;
    c->max_buckets = plan_max_buckets(&sub, now);
    c->next_start = -1;
    c->first_start = -1;
    c->last_end = -1;
}

int check_page(struct check *c, struct ou_err *err)
{
    if (++c->pages > c->max_buckets + 1)
        return ou_fail(err, OU_E_DATA,
                       "more pages than the window can need (%lld)",
                       (long long)c->max_buckets + 1);
    return 0;
}

/* Where the bucket at [start, end) may start, given what came before. */
static int check_start(const struct check *c, int64_t start, struct ou_err *err)
{
    char a[TU_RFC3339_LEN];
    char b[TU_RFC3339_LEN];

    tu_format_rfc3339(start, a);
    if (c->next_start < 0) {
        bool ok = c->first ? start >= c->lo && start <= c->win.start
                           : start == c->win.start;
        if (ok)
            return 0;
        tu_format_rfc3339(c->win.start, b);
        return ou_fail(err, OU_E_DATA,
                       "the first bucket starts at %s, but the window starts "
                       "at %s",
                       a, b);
    }
    if (start != c->next_start) {
        tu_format_rfc3339(c->next_start, b);
        return ou_fail(err, OU_E_DATA,
                       start > c->next_start
                           ? "buckets have a gap: expected one starting at "
                             "%s, got %s"
                           : "buckets overlap or are out of order: expected "
                             "one starting at %s, got %s",
                       b, a);
    }
    if (tu_floor(start, c->width) != start)
        /* Only the last bucket may end off a boundary (at end_time or at
         * the API's now): nothing may follow it. */
        return ou_fail(err, OU_E_DATA,
                       "a bucket starting at %s follows the window's last "
                       "(truncated) bucket",
                       a);
    return 0;
}

int check_bucket(struct check *c, int64_t start, int64_t end,
                 struct ou_err *err)
{
    char a[TU_RFC3339_LEN];
    char b[TU_RFC3339_LEN];
    int rc;

    if (start < 0 || end < 0 || start > TU_MAX_TIME || end > TU_MAX_TIME)
        return ou_fail(err, OU_E_DATA,
                       "a bucket has a time out of range (%lld..%lld)",
                       (long long)start, (long long)end);
    tu_format_rfc3339(start, a);
    tu_format_rfc3339(end, b);
    if (end <= start || end - start > c->width)
        return ou_fail(err, OU_E_DATA, "bucket %s..%s is not a %s bucket", a, b,
                       bucket_width_name(c->width_name));
    if ((rc = check_start(c, start, err)) != 0)
        return rc;
    if (start >= c->start_limit) {
        tu_format_rfc3339(c->start_limit, b);
        return ou_fail(err, OU_E_DATA,
                       "a bucket starts at %s, at or after the window's end "
                       "%s",
                       a, b);
    }
    if (end > c->hi) {
        tu_format_rfc3339(c->hi, a);
        return ou_fail(err, OU_E_DATA,
                       "a bucket ends at %s, after the window's end %s", b, a);
    }
    if (++c->buckets > c->max_buckets)
        return ou_fail(err, OU_E_DATA,
                       "more buckets than the window can hold (%lld)",
                       (long long)c->max_buckets);
    if (c->first_start < 0)
        c->first_start = start;
    c->last_end = end;
    c->next_start = end;
    return 0;
}

int check_seams(const struct check *c, int n, const char *what,
                struct check_span *span, struct ou_err *err)
{
    bool ended = false;
    char a[TU_RFC3339_LEN];

    memset(span, 0, sizeof(*span));
    span->first_start = -1;
    span->last_end = -1;
    for (int i = 0; i < n; i++) {
        span->pages += c[i].pages;
        span->buckets += c[i].buckets;
        if (c[i].buckets == 0) {
            if (i == 0)
                return ou_fail(err, OU_E_DATA,
                               "%s: the API returned no buckets for the "
                               "window",
                               what);
            ended = true; /* the API's now came before this sub-window */
            continue;
        }
        if (ended) {
            tu_format_rfc3339(c[i].first_start, a);
            return ou_fail(err, OU_E_DATA,
                           "%s: buckets have a gap: data stops, then resumes "
                           "at %s",
                           what, a);
        }
        if (i > 0 && c[i - 1].last_end != c[i].first_start) {
            tu_format_rfc3339(c[i - 1].last_end, a);
            return ou_fail(err, OU_E_DATA,
                           "%s: buckets have a gap: data stops at %s, then "
                           "resumes later",
                           what, a);
        }
        if (i == 0)
            span->first_start = c[i].first_start;
        span->last_end = c[i].last_end;
        if (c[i].win.end_sent && c[i].last_end < c[i].win.end)
            ended = true; /* truncated at the API's now */
    }
    return 0;
}

int check_complete(const struct query *q, const struct check_span *span,
                   int64_t now, struct ou_err *err)
{
    int64_t w = bucket_width_seconds(q->width);
    bool past = q->end_time >= 0 && q->end_time <= now - CHECK_LAG;
    int64_t end = q->end_time >= 0 ? q->end_time : now;
    int64_t need = past ? end : end - w - CHECK_LAG;
    char a[TU_RFC3339_LEN];
    char b[TU_RFC3339_LEN];

    if (span->last_end >= need)
        return 0;
    tu_format_rfc3339(span->last_end, a);
    tu_format_rfc3339(end, b);
    return ou_fail(err, OU_E_DATA,
                   "%s: the data ends at %s, but the window %s %s: the "
                   "buckets after it are missing",
                   q->ep->command, a,
                   past ? "ended at" : "ends at the API's now,", b);
}
