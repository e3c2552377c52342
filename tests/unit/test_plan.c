/* Planning: a window split into sub-windows of one page each. The expected
 * plans are worked out by hand in the table (UTC times as offsets from
 * 2025-01-01T00:00:00Z); every plan, and a few thousand pseudo-random
 * ones, is also checked against the rules stated in plan.h (contiguity,
 * coverage, alignment, one page per sub-window, the fewest requests). */
#include <stdlib.h>

#include "oaiusage/plan.h"
#include "test.h"

#define M 60LL
#define H 3600LL
#define D 86400LL
#define T0 1735689600LL /* 2025-01-01T00:00:00Z = 20089 days * 86400 */

static int64_t floor_to(int64_t t, int64_t w)
{
    /* Only non-negative times here. */
    return t - t % w;
}

static struct query make_query(const char *ep, enum bucket_width w,
                               int64_t start, int64_t end)
{
    struct query q;

    memset(&q, 0, sizeof(q));
    q.ep = endpoint_find(ep);
    q.width = w;
    q.start_time = start;
    q.end_time = end;
    q.limit = q.ep->limit_max[w];
    return q;
}

/* The limits the plan relies on, stated by the API reference. */
static void limits(void)
{
    const struct endpoint *u = endpoint_find("completions");
    const struct endpoint *c = endpoint_find("costs");

    CHECK(u != NULL && c != NULL);
    CHECK(u->limit_max[BW_1M] == 1440);
    CHECK(u->limit_max[BW_1H] == 168);
    CHECK(u->limit_max[BW_1D] == 31);
    CHECK(c->limit_max[BW_1D] == 180);
    CHECK(bucket_width_seconds(BW_1M) == M);
    CHECK(bucket_width_seconds(BW_1H) == H);
    CHECK(bucket_width_seconds(BW_1D) == D);
}

/* The rules of plan.h, checked on any plan. */
static void check_rules(const struct query *q, int64_t now,
                        const struct subwin *sw, int n, const char *name)
{
    int64_t w = bucket_width_seconds(q->width);
    int64_t b0 = floor_to(q->start_time, w);
    int64_t end = q->end_time >= 0 ? q->end_time : now;
    int64_t span = w * q->limit;
    /* The fewest pages: ceil((end - b0) / span), at least one. */
    int64_t want_n = end > b0 ? (end - b0 + span - 1) / span : 1;
    int bad = test_fail;

    CHECK(n == want_n);
    CHECK(n >= 1);
    if (n < 1)
        return;
    CHECK(sw[0].start == q->start_time);
    for (int i = 0; i < n; i++) {
        bool last = i == n - 1;
        if (i > 0) {
            CHECK(sw[i].start == sw[i - 1].end); /* contiguous */
            CHECK(sw[i].start % w == 0);         /* on a bucket boundary */
            CHECK(sw[i].start == b0 + i * span); /* aligned from the floor */
        }
        if (!last) {
            CHECK(sw[i].end_sent);
            /* A full page: exactly limit buckets from the floor of its
             * start to its end. */
            CHECK(sw[i].end == b0 + (i + 1) * span);
            CHECK((sw[i].end - floor_to(sw[i].start, w)) / w == q->limit);
            CHECK(sw[i].end % w == 0);
        } else if (q->end_time >= 0) {
            CHECK(sw[i].end_sent);
            CHECK(sw[i].end == q->end_time); /* covers the whole window */
            CHECK(sw[i].end > sw[i].start);
            /* At most one page of buckets, partial last bucket included. */
            int64_t nb = (sw[i].end - floor_to(sw[i].start, w) + w - 1) / w;
            CHECK(nb >= 1 && nb <= q->limit);
        } else {
            CHECK(!sw[i].end_sent); /* open: ends at the API's now */
            /* The open sub-window starts no later than now (or at the
             * window's start when now is before it). */
            CHECK(sw[i].start <= now || i == 0);
            CHECK(i == 0 || now - sw[i].start <= span);
        }
    }
    if (test_fail != bad)
        fprintf(stderr, "  (in plan case '%s')\n", name);
}

struct want_sw {
    int64_t start;
    int64_t end; /* ignored when !end_sent */
    bool end_sent;
};

struct plan_case {
    const char *name;
    const char *ep;
    enum bucket_width w;
    int64_t start;
    int64_t end;
    int64_t now;
    int n;
    struct want_sw sw[6];
};

/* A table, laid out by hand. */
/* clang-format off */
static const struct plan_case cases[] = {
    /* 1d usage, 31 buckets per page */
    { "1d exactly one page",
      "completions",
      BW_1D,
      T0,
      T0 + 31 * D,
      T0 + 400 * D,
      1,
      { { T0, T0 + 31 * D, true } } },
    { "1d one page plus one bucket",
      "completions",
      BW_1D,
      T0,
      T0 + 32 * D,
      T0 + 400 * D,
      2,
      { { T0, T0 + 31 * D, true }, { T0 + 31 * D, T0 + 32 * D, true } } },
    { "1d one page minus one bucket",
      "completions",
      BW_1D,
      T0,
      T0 + 30 * D,
      T0 + 400 * D,
      1,
      { { T0, T0 + 30 * D, true } } },
    { "1d one day",
      "completions",
      BW_1D,
      T0 + 5 * D,
      T0 + 6 * D,
      T0 + 400 * D,
      1,
      { { T0 + 5 * D, T0 + 6 * D, true } } },
    { "1d start mid-bucket",
      "completions",
      BW_1D,
      T0 + 12 * H,
      T0 + 40 * D,
      T0 + 400 * D,
      2,
      { { T0 + 12 * H, T0 + 31 * D, true },
        { T0 + 31 * D, T0 + 40 * D, true } } },
    { "1d start mid-bucket, end on the page boundary",
      "completions",
      BW_1D,
      T0 + 12 * H,
      T0 + 31 * D,
      T0 + 400 * D,
      1,
      { { T0 + 12 * H, T0 + 31 * D, true } } },
    { "1d unaligned end one second past a page",
      "completions",
      BW_1D,
      T0 + 12 * H,
      T0 + 31 * D + 1,
      T0 + 400 * D,
      2,
      { { T0 + 12 * H, T0 + 31 * D, true },
        { T0 + 31 * D, T0 + 31 * D + 1, true } } },
    { "1d unaligned both ends, three pages",
      "completions",
      BW_1D,
      T0 + 7 * H + 5,
      T0 + 70 * D + 3 * H,
      T0 + 400 * D,
      3,
      { { T0 + 7 * H + 5, T0 + 31 * D, true },
        { T0 + 31 * D, T0 + 62 * D, true },
        { T0 + 62 * D, T0 + 70 * D + 3 * H, true } } },
    /* 1h, 168 per page: 30 days = 720 h = 4 * 168 + 48 */
    { "1h 30 days",
      "completions",
      BW_1H,
      T0,
      T0 + 30 * D,
      T0 + 400 * D,
      5,
      { { T0, T0 + 168 * H, true },
        { T0 + 168 * H, T0 + 336 * H, true },
        { T0 + 336 * H, T0 + 504 * H, true },
        { T0 + 504 * H, T0 + 672 * H, true },
        { T0 + 672 * H, T0 + 720 * H, true } } },
    { "1h exactly one page",
      "embeddings",
      BW_1H,
      T0 + 3 * H,
      T0 + 171 * H,
      T0 + 400 * D,
      1,
      { { T0 + 3 * H, T0 + 171 * H, true } } },
    { "1h mid-hour start, one page plus a minute",
      "embeddings",
      BW_1H,
      T0 + 3 * H + 30 * M,
      T0 + 171 * H + M,
      T0 + 400 * D,
      2,
      { { T0 + 3 * H + 30 * M, T0 + 171 * H, true },
        { T0 + 171 * H, T0 + 171 * H + M, true } } },
    /* 1m, 1440 per page */
    { "1m exactly one page",
      "completions",
      BW_1M,
      T0,
      T0 + D,
      T0 + 400 * D,
      1,
      { { T0, T0 + D, true } } },
    { "1m one page plus one bucket",
      "completions",
      BW_1M,
      T0,
      T0 + D + M,
      T0 + 400 * D,
      2,
      { { T0, T0 + D, true }, { T0 + D, T0 + D + M, true } } },
    { "1m start mid-minute",
      "completions",
      BW_1M,
      T0 + 30,
      T0 + D + 30,
      T0 + 400 * D,
      2,
      { { T0 + 30, T0 + D, true }, { T0 + D, T0 + D + 30, true } } },
    /* costs: 1d, 180 per page */
    { "costs 180 days",
      "costs",
      BW_1D,
      T0,
      T0 + 180 * D,
      T0 + 900 * D,
      1,
      { { T0, T0 + 180 * D, true } } },
    { "costs 181 days",
      "costs",
      BW_1D,
      T0,
      T0 + 181 * D,
      T0 + 900 * D,
      2,
      { { T0, T0 + 180 * D, true }, { T0 + 180 * D, T0 + 181 * D, true } } },
    { "costs 400 days",
      "costs",
      BW_1D,
      T0,
      T0 + 400 * D,
      T0 + 900 * D,
      3,
      { { T0, T0 + 180 * D, true },
        { T0 + 180 * D, T0 + 360 * D, true },
        { T0 + 360 * D, T0 + 400 * D, true } } },
    { "costs 400 days from noon",
      "costs",
      BW_1D,
      T0 + 12 * H,
      T0 + 400 * D + 12 * H,
      T0 + 900 * D,
      3,
      { { T0 + 12 * H, T0 + 180 * D, true },
        { T0 + 180 * D, T0 + 360 * D, true },
        { T0 + 360 * D, T0 + 400 * D + 12 * H, true } } },
    /* no end_time: now bounds the plan, the last sub-window is open */
    { "open, one page",
      "completions",
      BW_1D,
      T0,
      -1,
      T0 + 10 * D + 5 * H,
      1,
      { { T0, 0, false } } },
    { "open, now on the page boundary",
      "completions",
      BW_1D,
      T0,
      -1,
      T0 + 31 * D,
      1,
      { { T0, 0, false } } },
    { "open, now one second past a page",
      "completions",
      BW_1D,
      T0,
      -1,
      T0 + 31 * D + 1,
      2,
      { { T0, T0 + 31 * D, true }, { T0 + 31 * D, 0, false } } },
    { "open, mid-bucket start, three pages",
      "completions",
      BW_1D,
      T0 + 12 * H,
      -1,
      T0 + 70 * D + 5 * H,
      3,
      { { T0 + 12 * H, T0 + 31 * D, true },
        { T0 + 31 * D, T0 + 62 * D, true },
        { T0 + 62 * D, 0, false } } },
    { "open, now before the start",
      "completions",
      BW_1H,
      T0 + 5 * D,
      -1,
      T0 + 4 * D,
      1,
      { { T0 + 5 * D, 0, false } } },
    { "open costs 400 days",
      "costs",
      BW_1D,
      T0,
      -1,
      T0 + 400 * D + 7 * H,
      3,
      { { T0, T0 + 180 * D, true },
        { T0 + 180 * D, T0 + 360 * D, true },
        { T0 + 360 * D, 0, false } } },
};
/* clang-format on */

static void table(void)
{
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        const struct plan_case *c = &cases[k];
        struct query q = make_query(c->ep, c->w, c->start, c->end);
        struct subwin *sw = NULL;
        int n = -1;
        int bad = test_fail;

        CHECK(plan_windows(&q, c->now, &sw, &n) == 0);
        CHECK(n == c->n);
        for (int i = 0; i < n && i < c->n; i++) {
            CHECK(sw[i].start == c->sw[i].start);
            CHECK(sw[i].end_sent == c->sw[i].end_sent);
            if (c->sw[i].end_sent)
                CHECK(sw[i].end == c->sw[i].end);
        }
        if (test_fail != bad)
            fprintf(stderr, "  (in plan case '%s')\n", c->name);
        if (sw != NULL)
            check_rules(&q, c->now, sw, n, c->name);
        free(sw);
    }
}

/* A smaller page than the maximum (the limit field is what counts). */
static void small_limit(void)
{
    struct query q = make_query("completions", BW_1H, T0 + 30 * M,
                                T0 + 3 * H + 1);
    struct subwin *sw = NULL;
    int n = 0;

    q.limit = 1;
    CHECK(plan_windows(&q, T0 + D, &sw, &n) == 0);
    CHECK(n == 4);
    if (n == 4) {
        CHECK(sw[0].start == T0 + 30 * M && sw[0].end == T0 + H);
        CHECK(sw[1].start == T0 + H && sw[1].end == T0 + 2 * H);
        CHECK(sw[2].start == T0 + 2 * H && sw[2].end == T0 + 3 * H);
        CHECK(sw[3].start == T0 + 3 * H && sw[3].end == T0 + 3 * H + 1);
        CHECK(sw[3].end_sent);
    }
    free(sw);
}

/* PLAN_MAX_SUBWINDOWS is the most a plan may hold. */
static void too_many(void)
{
    struct query q = make_query("completions", BW_1M, T0, 0);
    struct subwin *sw = NULL;
    int n = 0;

    q.limit = 1;
    q.end_time = T0 + (int64_t)PLAN_MAX_SUBWINDOWS * M;
    CHECK(plan_windows(&q, T0, &sw, &n) == 0);
    CHECK(n == PLAN_MAX_SUBWINDOWS);
    if (sw != NULL && n == PLAN_MAX_SUBWINDOWS)
        CHECK(sw[n - 1].end == q.end_time && sw[n - 1].start == q.end_time - M);
    free(sw);
    sw = NULL;

    q.end_time = T0 + (int64_t)PLAN_MAX_SUBWINDOWS * M + 1;
    CHECK(plan_windows(&q, T0, &sw, &n) == -1);
    free(sw);
    sw = NULL;

    /* The same through now, with no end_time. */
    q.end_time = -1;
    CHECK(plan_windows(&q, T0 + (int64_t)PLAN_MAX_SUBWINDOWS * M + M, &sw,
                       &n) == -1);
    free(sw);
}

/* Pseudo-random windows against the rules. */
static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void random_plans(void)
{
    static const struct {
        const char *ep;
        enum bucket_width w;
    } kinds[] = {
        { "completions", BW_1M }, { "completions", BW_1H },
        { "completions", BW_1D }, { "images", BW_1H },
        { "costs", BW_1D },
    };
    for (int it = 0; it < 3000; it++) {
        int k = (int)(next() % 5);
        int64_t w = bucket_width_seconds(kinds[k].w);
        int64_t start = T0 + (int64_t)(next() % (200 * D));
        int64_t len = 1 + (int64_t)(next() % (w * 700));
        bool open = next() % 4 == 0;
        int64_t now = start + (open ? (int64_t)(next() % (w * 700)) - w
                                    : len + (int64_t)(next() % D));
        struct query q = make_query(kinds[k].ep, kinds[k].w, start,
                                    open ? -1 : start + len);
        struct subwin *sw = NULL;
        int n = 0;
        if (next() % 3 == 0)
            q.limit = 1 + (int)(next() % (uint64_t)q.limit);
        CHECK(plan_windows(&q, now, &sw, &n) == 0);
        if (sw != NULL)
            check_rules(&q, now, sw, n, "random");
        /* plan_max_buckets bounds the buckets of every sub-window. */
        int64_t total = 0;
        for (int i = 0; sw != NULL && i < n; i++) {
            int64_t e = sw[i].end_sent ? sw[i].end : now;
            if (e > sw[i].start)
                total += (e - floor_to(sw[i].start, w) + w - 1) / w;
        }
        CHECK(total <= plan_max_buckets(&q, now));
        free(sw);
    }
}

/* An upper bound on the buckets of the window: whole buckets from the floor
 * of the start to the end (or to now + one day). */
static void max_buckets(void)
{
    static const struct {
        const char *ep;
        enum bucket_width w;
        int64_t start, end, now, want;
    } mb[] = {
        { "completions", BW_1D, T0, T0 + 31 * D, T0, 31 },
        { "completions", BW_1D, T0 + 12 * H, T0 + 31 * D, T0, 31 },
        { "completions", BW_1D, T0 + 12 * H, T0 + 31 * D + 1, T0, 32 },
        { "completions", BW_1D, T0, T0 + 31 * D + 1, T0, 32 },
        { "completions", BW_1D, T0, T0 + 1, T0, 1 },
        { "completions", BW_1H, T0 + 30 * M, T0 + 2 * H, T0, 2 },
        { "completions", BW_1H, T0, T0 + 30 * D, T0, 720 },
        { "completions", BW_1M, T0 + 30, T0 + 90, T0, 2 },
        { "costs", BW_1D, T0 + 12 * H, T0 + D + 12 * H, T0, 2 },
        { "costs", BW_1D, T0, T0 + 400 * D, T0, 400 },
        /* no end_time: now + one day of clock difference */
        { "completions", BW_1D, T0, -1, T0 + 10 * D, 11 },
        { "completions", BW_1D, T0, -1, T0 + 10 * D + 1, 12 },
        { "completions", BW_1D, T0 + 12 * H, -1, T0 + 10 * D, 11 },
        { "completions", BW_1H, T0, -1, T0 + 5 * H, 29 },
        { "completions", BW_1M, T0, -1, T0 + 10 * M, 1450 },
        { "costs", BW_1D, T0, -1, T0 + 2 * D + 12 * H, 4 },
    };
    /* A window starting more than a day after now: still a count (the
     * first page must be allowed, check.h allows max_buckets + 1 pages). */
    struct query fut = make_query("completions", BW_1H, T0 + 5 * D, -1);
    CHECK(plan_max_buckets(&fut, T0) >= 0);

    for (size_t k = 0; k < sizeof(mb) / sizeof(mb[0]); k++) {
        struct query q = make_query(mb[k].ep, mb[k].w, mb[k].start, mb[k].end);
        int64_t got = plan_max_buckets(&q, mb[k].now);
        CHECK(got == mb[k].want);
        if (got != mb[k].want)
            fprintf(stderr, "  (max_buckets case %zu: got %lld, want %lld)\n",
                    k, (long long)got, (long long)mb[k].want);
    }
}

int main(void)
{
    limits();
    table();
    small_limit();
    too_many();
    random_plans();
    max_buckets();
    TEST_END();
}
