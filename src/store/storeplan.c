/* storeplan.c - how a report is answered from the store: the width to
 * read, the window, and whether the stored buckets cover it (see
 * store.h). Pure: no SQL, no I/O. */
#include <stdio.h>
#include <string.h>

#include "oaiusage/store.h"
#include "oaiusage/timeutil.h"

static void list_widths(const bool have[BW_COUNT], char *buf, size_t size)
{
    size_t n = 0;

    buf[0] = '\0';
    for (int w = 0; w < BW_COUNT; w++) {
        if (have[w])
            n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
                                  bucket_width_name((enum bucket_width)w));
        if (n >= size)
            break;
    }
}

int store_plan_width(const struct query *q, const bool have[BW_COUNT],
                     enum bucket_width *out, struct ou_err *err)
{
    const char *cmd = q->ep->command;
    const char *want = bucket_width_name(q->width);
    char widths[32];
    bool any = false;

    for (int w = 0; w < BW_COUNT; w++)
        any |= have[w];
    list_widths(have, widths, sizeof(widths));
    if (!any)
        return ou_fail(err, OU_E_UNCOVERED,
                       "the store holds no %s (run 'oaiusage sync')", cmd);
    if (have[q->width]) {
        *out = q->width;
        return 0;
    }
    if (endpoint_has_level(q->ep))
        return ou_fail(err, OU_E_UNCOVERED,
                       "the store holds %s at %s only, and a level cannot be "
                       "re-bucketed: report with --bucket %s, or sync with "
                       "--bucket %s",
                       cmd, widths, widths, want);
    for (int w = (int)q->width - 1; w >= 0; w--) {
        if (have[w]) {
            *out = (enum bucket_width)w;
            return 0;
        }
    }
    return ou_fail(err, OU_E_UNCOVERED,
                   "%s buckets are finer than the store holds %s (%s): sync "
                   "with --bucket %s%s",
                   want, cmd, widths, want,
                   q->width == BW_1M ? " (--tz in a zone whose offset is "
                                       "not whole hours needs them too)"
                                     : "");
}

/* ---- the window ------------------------------------------------------------- */

static int off_boundary(const struct query *q, const char *opt, int64_t t,
                        int64_t w, struct ou_err *err)
{
    char at[TU_RFC3339_LEN];
    char lo[TU_RFC3339_LEN];
    char hi[TU_RFC3339_LEN];
    int64_t f = tu_floor(t, w);

    tu_format_rfc3339(t, at);
    tu_format_rfc3339(f, lo);
    tu_format_rfc3339(f + w, hi);
    return ou_fail(err, OU_E_USAGE,
                   "%s %s falls inside a %s bucket of the store (%s): use %s "
                   "or %s",
                   opt, at, bucket_width_name(q->width), q->ep->command, lo,
                   hi);
}

static int uncovered(const struct query *q, enum bucket_width stored,
                     int64_t from, int64_t to, struct ou_err *err)
{
    char a[TU_RFC3339_LEN];
    char b[TU_RFC3339_LEN];
    char day[TU_RFC3339_LEN];

    tu_format_rfc3339(from, a);
    tu_format_rfc3339(to, b);
    tu_format_rfc3339(tu_floor_day(from), day);
    day[10] = '\0';
    return ou_fail(err, OU_E_UNCOVERED,
                   "the store does not cover %s (%s buckets) from %s to %s: "
                   "run 'oaiusage sync --endpoint %s --since %s%s'",
                   q->ep->command, bucket_width_name(stored), a, b,
                   q->ep->command, day, stored == BW_1M ? " --bucket 1m" : "");
}

/* Does a comma-separated dims list hold field? */
static bool dims_have(const char *dims, const char *field)
{
    size_t n = strlen(field);

    for (const char *p = dims; *p != '\0';) {
        const char *c = strchr(p, ',');
        size_t len = c != NULL ? (size_t)(c - p) : strlen(p);
        if (len == n && strncmp(p, field, n) == 0)
            return true;
        if (c == NULL)
            break;
        p = c + 1;
    }
    return false;
}

/* The fields q needs each bucket to hold: its group fields as sent, and
 * the fields its filters constrain; *grouped: the field is a group field
 * (not only a filter). */
static int needed_fields(const struct query *q, const char **f, bool *grouped,
                         int max)
{
    int n = 0;

    for (int i = 0; i < q->ngroup && n < max; i++) {
        const char *g = query_group_sent(q, i);
        if (g != NULL) {
            grouped[n] = true;
            f[n++] = g;
        }
    }
    for (int i = 0; i < q->nfilters && n < max; i++) {
        grouped[n] = false;
        f[n++] = q->filters[i].desc->field;
    }
    return n;
}

static int check_dims(const struct query *q, const struct store_cov *cov,
                      int ncov, struct store_read *r, struct ou_err *err)
{
    const char *f[EP_MAX_GROUPS + EP_MAX_FILTERS];
    bool grouped[EP_MAX_GROUPS + EP_MAX_FILTERS];
    int nf = needed_fields(q, f, grouped, EP_MAX_GROUPS + EP_MAX_FILTERS);
    int64_t floor = r->key_from;

    r->key_from = 0;
    for (int k = 0; k < nf; k++) {
        bool key = strcmp(f[k], "api_key_id") == 0 && grouped[k];
        bool seen = false; /* a bucket that has it */
        for (int i = 0; i < ncov; i++) {
            if (cov[i].start < r->start || cov[i].start >= r->end)
                continue;
            if (dims_have(cov[i].dims, f[k])) {
                seen = true;
                continue;
            }
            /* api_key_id may start late (the API's floor): unavailable
             * before, as a live report shows it. */
            if (key && !seen) {
                r->key_from = floor > 0 ? floor : cov[i].end;
                continue;
            }
            char a[TU_RFC3339_LEN];
            tu_format_rfc3339(cov[i].start, a);
            return ou_fail(err, OU_E_UNCOVERED,
                           "the store has no %s for %s from %s (the API "
                           "refused it when that day was synced)",
                           f[k], q->ep->command, a);
        }
    }
    return 0;
}

int store_plan_window(const struct query *q, bool until_given,
                      const struct store_cov *cov, int ncov,
                      struct store_read *r, struct ou_err *err)
{
    int64_t w = bucket_width_seconds(q->width);
    int64_t s = q->start_time;
    int64_t last = ncov > 0 ? cov[ncov - 1].end : -1;
    int64_t e;
    int64_t t;

    if (q->ep->day_aligned_start)
        s = tu_floor_day(s);
    if (s % w != 0)
        return off_boundary(q, "--since", s, w, err);
    if (until_given) {
        e = q->end_time;
        if (e % w != 0 && e != last)
            return off_boundary(q, "--until", e, w, err);
    } else {
        e = last;
    }
    if (e <= s)
        return uncovered(q, r->stored, s,
                         until_given ? e : s + bucket_width_seconds(r->stored),
                         err);
    t = s;
    for (int i = 0; i < ncov && t < e; i++) {
        if (cov[i].start < t)
            continue;
        if (cov[i].start != t)
            return uncovered(q, r->stored, t, cov[i].start, err);
        t = cov[i].end;
    }
    if (t < e)
        return uncovered(q, r->stored, t, e, err);
    r->start = s;
    r->end = e;
    return check_dims(q, cov, ncov, r, err);
}
