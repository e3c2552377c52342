/* Answering from the store (storeplan.c): the width read, window edges on
 * bucket boundaries, coverage with its gaps named, the api_key_id floor,
 * and the fields a bucket was not asked for. Times are hand-computed
 * offsets from 2025-03-01T00:00:00Z. */
#include "oaiusage/store.h"
#include "oaiusage/timeutil.h"
#include "test.h"

#define H 3600LL
#define D 86400LL
#define T0 1740787200LL /* 2025-03-01T00:00:00Z */

static struct query q_of(const char *ep, enum bucket_width w, int64_t s,
                         int64_t e)
{
    struct query q;

    memset(&q, 0, sizeof(q));
    q.ep = endpoint_find(ep);
    q.width = w;
    q.start_time = s;
    q.end_time = e;
    return q;
}

/* n contiguous buckets of width w from t, with dims. */
static int covs(struct store_cov *c, int at, int64_t t, int64_t w, int n,
                const char *dims)
{
    for (int i = 0; i < n; i++) {
        c[at + i] = (struct store_cov){ t + i * w, t + (i + 1) * w, false, 0,
                                        "" };
        snprintf(c[at + i].dims, sizeof(c[at + i].dims), "%s", dims);
    }
    return at + n;
}

static void expect_err(int rc, const struct ou_err *e, int cat,
                       const char *want)
{
    CHECK(rc == cat);
    if (strstr(e->msg, want) == NULL) {
        CHECK(!"message lacks the expected text");
        fprintf(stderr, "  message: %s\n  wanted:  %s\n", e->msg, want);
    }
}

int main(void)
{
    struct ou_err e;
    enum bucket_width w;
    static struct store_cov c[2000];
    struct store_read r;
    int n;
    int rc;

    /* Durations. */
    int64_t d = 0;
    CHECK(tu_parse_duration("90s", &d) && d == 90);
    CHECK(tu_parse_duration("30m", &d) && d == 1800);
    CHECK(tu_parse_duration("6h", &d) && d == 21600);
    CHECK(tu_parse_duration("3d", &d) && d == 3 * D);
    CHECK(tu_parse_duration("3600", &d) && d == 3600);
    CHECK(!tu_parse_duration("", &d) && !tu_parse_duration("3x", &d) &&
          !tu_parse_duration("d", &d) && !tu_parse_duration("367d", &d) &&
          !tu_parse_duration("-1h", &d));

    /* Width: the query's own, else a finer one summed up; never coarser,
     * and never for a level. */
    bool h_only[BW_COUNT] = { false, true, false };
    bool none[BW_COUNT] = { false, false, false };
    bool both[BW_COUNT] = { false, true, true };
    struct query q = q_of("completions", BW_1D, T0, T0 + 2 * D);
    CHECK(store_plan_width(&q, h_only, &w, &e) == 0 && w == BW_1H);
    CHECK(store_plan_width(&q, both, &w, &e) == 0 && w == BW_1D);
    q.width = BW_1M;
    expect_err(store_plan_width(&q, h_only, &w, &e), &e, OU_E_UNCOVERED,
               "1m buckets are finer than the store holds completions (1h)");
    expect_err(store_plan_width(&q, none, &w, &e), &e, OU_E_UNCOVERED,
               "the store holds no completions");
    struct query vs = q_of("vector-stores", BW_1D, T0, T0 + D);
    expect_err(store_plan_width(&vs, h_only, &w, &e), &e, OU_E_UNCOVERED,
               "a level cannot be re-bucketed");
    CHECK(store_plan_width(&vs, both, &w, &e) == 0 && w == BW_1D);

    /* Window: covered, aligned, to the store's end without until. */
    n = covs(c, 0, T0, H, 72, "project_id,user_id");
    q = q_of("completions", BW_1D, T0, T0 + 2 * D);
    r = (struct store_read){ BW_1H, 0, 0, 0 };
    CHECK(store_plan_window(&q, true, c, n, &r, &e) == 0);
    CHECK(r.start == T0 && r.end == T0 + 2 * D && r.key_from == 0);
    CHECK(store_plan_window(&q, false, c, n, &r, &e) == 0);
    CHECK(r.end == T0 + 3 * D);
    /* An edge inside a bucket of the query's width. */
    q = q_of("completions", BW_1D, T0 + 5 * H, T0 + 2 * D);
    expect_err(store_plan_window(&q, true, c, n, &r, &e), &e, OU_E_USAGE,
               "--since 2025-03-01T05:00:00Z falls inside a 1d bucket of the "
               "store (completions): use 2025-03-01T00:00:00Z or "
               "2025-03-02T00:00:00Z");
    q = q_of("completions", BW_1H, T0 + 5 * H, T0 + D + 30 * 60);
    expect_err(store_plan_window(&q, true, c, n, &r, &e), &e, OU_E_USAGE,
               "--until 2025-03-02T00:30:00Z falls inside");
    /* A gap is named, with the sync that fills it. */
    n = covs(c, 0, T0, H, 24, "");
    n = covs(c, n, T0 + 30 * H, H, 24, "");
    q = q_of("completions", BW_1H, T0, T0 + 40 * H);
    expect_err(store_plan_window(&q, true, c, n, &r, &e), &e, OU_E_UNCOVERED,
               "the store does not cover completions (1h buckets) from "
               "2025-03-02T00:00:00Z to 2025-03-02T06:00:00Z: run 'oaiusage "
               "sync --endpoint completions --since 2025-03-02'");
    /* After the store's end, and before its start. */
    q = q_of("completions", BW_1H, T0 + 30 * H, T0 + 60 * H);
    expect_err(store_plan_window(&q, true, c, n, &r, &e), &e, OU_E_UNCOVERED,
               "from 2025-03-03T06:00:00Z to 2025-03-03T12:00:00Z");
    q = q_of("completions", BW_1H, T0 - D, T0 + H);
    expect_err(store_plan_window(&q, true, c, n, &r, &e), &e, OU_E_UNCOVERED,
               "from 2025-02-28T00:00:00Z to 2025-03-01T00:00:00Z");
    /* A store kept at 1m: the sync that fills the gap says so (a plain
     * sync keeps 1h and 1d). */
    n = covs(c, 0, T0, 60, 10, "");
    q = q_of("completions", BW_1M, T0, T0 + 20 * 60);
    r = (struct store_read){ BW_1M, 0, 0, 0 };
    expect_err(store_plan_window(&q, true, c, n, &r, &e), &e, OU_E_UNCOVERED,
               "from 2025-03-01T00:10:00Z to 2025-03-01T00:20:00Z: run "
               "'oaiusage sync --endpoint completions --since 2025-03-01 "
               "--bucket 1m'");
    r = (struct store_read){ BW_1H, 0, 0, 0 };
    /* A truncated last bucket (synced mid-hour) is a valid end. */
    n = covs(c, 0, T0, H, 3, "");
    c[n++] = (struct store_cov){ T0 + 3 * H, T0 + 3 * H + 1234, true, 0, "" };
    q = q_of("completions", BW_1H, T0, -1);
    CHECK(store_plan_window(&q, false, c, n, &r, &e) == 0);
    CHECK(r.end == T0 + 3 * H + 1234);

    /* Costs: a mid-day start is floored, as the API does. */
    n = covs(c, 0, T0, D, 10, "project_id,user_id,line_item,api_key_id");
    q = q_of("costs", BW_1D, T0 + 5 * H, T0 + 3 * D);
    CHECK(store_plan_window(&q, true, c, n, &r, &e) == 0 && r.start == T0);
    /* api_key_id missing before the floor: unavailable, from the floor. */
    n = covs(c, 0, T0, D, 4, "project_id,line_item");
    n = covs(c, n, T0 + 4 * D, D, 4, "project_id,line_item,api_key_id");
    q = q_of("costs", BW_1D, T0, T0 + 8 * D);
    q.group[0] = endpoint_group_index(q.ep, "api_key_id");
    q.ngroup = 1;
    r = (struct store_read){ BW_1D, 0, 0, T0 + 4 * D };
    CHECK(store_plan_window(&q, true, c, n, &r, &e) == 0);
    CHECK(r.key_from == T0 + 4 * D);
    /* Not grouped by it: no floor to tell. */
    q.ngroup = 0;
    r = (struct store_read){ BW_1D, 0, 0, T0 + 4 * D };
    CHECK(store_plan_window(&q, true, c, n, &r, &e) == 0 && r.key_from == 0);
    /* Filtered by it before the floor: the store cannot answer. */
    static const char *const key[] = { "key_a" };
    q.filters[0] = (struct filter_values){ endpoint_filter(q.ep, "api-key"),
                                           key, 1, false };
    q.nfilters = 1;
    rc = store_plan_window(&q, true, c, n, &r, &e);
    expect_err(rc, &e, OU_E_UNCOVERED,
               "the store has no api_key_id for costs from "
               "2025-03-01T00:00:00Z");
    /* user_id the API refused: grouping by it is refused too. */
    q.nfilters = 0;
    q.group[0] = endpoint_group_index(q.ep, "user_id");
    q.ngroup = 1;
    expect_err(store_plan_window(&q, true, c, n, &r, &e), &e, OU_E_UNCOVERED,
               "the store has no user_id for costs");
    /* Every filter names the group field it constrains. */
    for (int i = 0; i < EP_COUNT; i++) {
        const struct endpoint *ep = endpoint_at(i);
        for (int k = 0; k < ep->nfilters; k++)
            CHECK(endpoint_group_index(ep, ep->filters[k].field) >= 0);
    }
    TEST_END();
}
