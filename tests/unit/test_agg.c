/* Aggregation against brute-force sums computed here by a separate path. */
#include <stdio.h>
#include <stdlib.h>

#include "oaiusage/agg.h"
#include "test.h"

static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *const models[] = { "gpt-4o", "o3-mini", "gpt-5", NULL };
static const char *const projects[] = { "proj_a", "proj_b", NULL };

struct rec_in {
    int64_t start;
    int model;
    int project;
    int64_t tokens;
    int64_t requests;
};

static void fill(const struct endpoint *ep, const struct rec_in *in,
                 struct record *r)
{
    memset(r, 0, sizeof(*r));
    r->start_time = in->start;
    r->end_time = in->start + 86400;
    r->group[endpoint_group_index(ep, "model")] = models[in->model];
    r->group[endpoint_group_index(ep, "project_id")] = projects[in->project];
    r->ival[endpoint_metric_index(ep, "input_tokens")] = in->tokens;
    r->ival[endpoint_metric_index(ep, "num_model_requests")] = in->requests;
}

static int streq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static void grouped_vs_bruteforce(enum tu_period per)
{
    const struct endpoint *ep = endpoint_find("completions");
    struct agg_spec spec = { ep, 2, { 0 }, per, false, NULL };
    struct ou_err err;
    enum { N = 5000 };
    static struct rec_in in[N];
    int it = endpoint_metric_index(ep, "input_tokens");
    int ir = endpoint_metric_index(ep, "num_model_requests");

    spec.group[0] = endpoint_group_index(ep, "model");
    spec.group[1] = endpoint_group_index(ep, "project_id");
    struct agg *a = agg_new(&spec);
    int64_t base = 1735689600; /* 2025-01-01, a Wednesday */
    for (int i = 0; i < N; i++) {
        in[i].start = base + (int64_t)(i / 50) * 86400; /* 100 days */
        in[i].model = (int)(next() % 4);
        in[i].project = (int)(next() % 3);
        in[i].tokens = (int64_t)(next() % 100000);
        in[i].requests = (int64_t)(next() % 10);
        struct record r;
        fill(ep, &in[i], &r);
        if (i % 50 == 0)
            CHECK(agg_bucket(a, r.start_time, r.end_time, &err) == 0);
        CHECK(agg_add(a, &r, &err) == 0);
    }
    CHECK(agg_finish(a, &err) == 0);

    /* Every row equals the brute-force sum of its records. */
    int64_t all_tokens = 0;
    size_t nonempty = 0;
    for (size_t k = 0; k < agg_nrows(a); k++) {
        const struct agg_row *row = agg_row_at(a, k);
        int64_t tok = 0, req = 0;
        size_t count = 0;
        for (int i = 0; i < N; i++) {
            int64_t p = per == TU_PER_NONE ? 0
                                           : tu_period_start(per, in[i].start);
            if (p == row->t0 && streq(models[in[i].model], row->key[0]) &&
                streq(projects[in[i].project], row->key[1])) {
                tok += in[i].tokens;
                req += in[i].requests;
                count++;
            }
        }
        CHECK(count > 0);
        CHECK(row->ival[it] == tok && row->ival[ir] == req);
        all_tokens += row->ival[it];
        nonempty++;
        if (k > 0) {
            /* Ordered: period ascending, then tokens descending. */
            const struct agg_row *prev = agg_row_at(a, k - 1);
            CHECK(prev->t0 < row->t0 ||
                  (prev->t0 == row->t0 && prev->ival[it] >= row->ival[it]));
        }
    }
    /* Every (period, model, project) present in the input has a row. */
    size_t distinct = 0;
    for (int i = 0; i < N; i++) {
        int64_t p = per == TU_PER_NONE ? 0 : tu_period_start(per, in[i].start);
        int first = 1;
        for (int j = 0; j < i && first; j++) {
            int64_t q = per == TU_PER_NONE ? 0
                                           : tu_period_start(per, in[j].start);
            first = !(p == q && in[i].model == in[j].model &&
                      in[i].project == in[j].project);
        }
        distinct += (size_t)first;
    }
    CHECK(nonempty == distinct);
    int64_t sum = 0;
    for (int i = 0; i < N; i++)
        sum += in[i].tokens;
    CHECK(all_tokens == sum);
    CHECK(agg_ntotals(a) == 1 && agg_total_at(a, 0)->ival[it] == sum);
    agg_free(a);
}

static void dense_and_records(void)
{
    const struct endpoint *ep = endpoint_find("completions");
    struct agg_spec spec = { ep, 0, { 0 }, TU_PER_DAY, false, NULL };
    struct ou_err err;
    struct record r;
    struct rec_in in = { 86400 * 2, 0, 0, 5, 1 };

    /* Three idle days and one busy: four rows, zeros for the idle ones. */
    struct agg *a = agg_new(&spec);
    for (int d = 0; d < 4; d++)
        agg_bucket(a, 86400 * d, 86400 * (d + 1), &err);
    fill(ep, &in, &r);
    agg_add(a, &r, &err);
    CHECK(agg_finish(a, &err) == 0);
    CHECK(agg_nrows(a) == 4);
    for (size_t k = 0; k < agg_nrows(a); k++) {
        CHECK(agg_row_at(a, k)->t0 == (int64_t)k * 86400);
        CHECK(agg_row_at(a, k)->ival[0] == (k == 2 ? 5 : 0));
    }
    agg_free(a);

    /* No group, no period, no data: exactly one zero row. */
    spec.per = TU_PER_NONE;
    a = agg_new(&spec);
    agg_bucket(a, 0, 86400, &err);
    CHECK(agg_finish(a, &err) == 0);
    CHECK(agg_nrows(a) == 1 && agg_row_at(a, 0)->ival[0] == 0);
    agg_free(a);

    /* Records keep every row, ordered by bucket. */
    spec.records = true;
    spec.ngroup = 1;
    spec.group[0] = endpoint_group_index(ep, "model");
    a = agg_new(&spec);
    for (int i = 3; i >= 0; i--) {
        struct rec_in x = { 86400 * (i % 2), i % 2, 0, i, 1 };
        fill(ep, &x, &r);
        agg_add(a, &r, &err);
    }
    CHECK(agg_finish(a, &err) == 0);
    CHECK(agg_nrows(a) == 4);
    CHECK(agg_row_at(a, 0)->t0 == 0 && agg_row_at(a, 3)->t0 == 86400);
    CHECK(agg_total_at(a, 0)->ival[0] == 6);
    agg_free(a);
}

static void money(void)
{
    const struct endpoint *ep = endpoint_find("costs");
    struct agg_spec spec = { ep, 1, { 1 }, TU_PER_NONE, false, NULL };
    struct ou_err err;
    struct record r;
    char out[DEC_FMT_MAX];
    static const char *const amounts[] = { "0.1", "0.2", "12.50", "3.5e-05" };
    static const char *const cur[] = { "usd", "usd", "usd", "eur" };

    struct agg *a = agg_new(&spec);
    for (int rep = 0; rep < 1000; rep++) {
        for (int i = 0; i < 4; i++) {
            memset(&r, 0, sizeof(r));
            r.group[1] = "Text tokens";
            dec_parse(amounts[i], strlen(amounts[i]), &r.dval[0]);
            r.present[0] = true;
            r.text[1] = cur[i];
            agg_add(a, &r, &err);
        }
    }
    CHECK(agg_finish(a, &err) == 0);
    /* Currencies never merge: one row and one total per currency. */
    CHECK(agg_nrows(a) == 2 && agg_ntotals(a) == 2);
    for (size_t k = 0; k < 2; k++) {
        const struct agg_row *row = agg_row_at(a, k);
        dec_format(&row->dval[0], out, sizeof(out));
        if (strcmp(row->text[1], "usd") == 0)
            CHECK_STR(out, "12800"); /* 1000 * 12.80, no drift */
        else
            CHECK_STR(out, "0.035");
        CHECK(!row->present[2]); /* quantity stays null */
    }
    agg_free(a);
}

/* A stored level (like vector store bytes) is not summed across buckets;
 * at the end of a period it is the value in the period's last bucket, zero
 * for a group absent from it. */
static void level(void)
{
    const struct endpoint *vs = endpoint_find("vector-stores");
    struct agg_spec spec = { vs, 1, { 0 }, TU_PER_NONE, false, NULL };
    struct ou_err err;
    struct record r;

    for (int per = 0; per < 2; per++) {
        spec.per = per ? TU_PER_WEEK : TU_PER_NONE;
        struct agg *a = agg_new(&spec);
        /* proj_a: 100, 150, 120 over three days; proj_b: 7 on day 0. */
        static const int64_t va[] = { 100, 150, 120 };
        for (int d = 0; d < 3; d++) {
            int64_t t = 1736121600 + d * 86400; /* Mon 2025-01-06 */
            agg_bucket(a, t, t + 86400, &err);
            memset(&r, 0, sizeof(r));
            r.start_time = t;
            r.group[0] = "proj_a";
            r.ival[0] = va[d];
            agg_add(a, &r, &err);
        }
        memset(&r, 0, sizeof(r));
        r.start_time = 1736121600;
        r.group[0] = "proj_b";
        r.ival[0] = 7;
        agg_add(a, &r, &err);
        CHECK(agg_finish(a, &err) == 0);
        CHECK(agg_nrows(a) == 2);
        CHECK(agg_row_at(a, 0)->ival[0] == 120);
        CHECK(agg_row_at(a, 1)->ival[0] == 0); /* gone by day 2 */
        CHECK(agg_total_at(a, 0)->ival[0] == 120);
        agg_free(a);
    }
}

/* Grouped levels add up to the ungrouped level in every period, with
 * groups coming and going between buckets (brute force over a pattern). */
static void level_consistent(void)
{
    const struct endpoint *vs = endpoint_find("vector-stores");
    static const char *const proj[] = { "p0", "p1", "p2", "p3" };
    struct agg_spec gs = { vs, 1, { 0 }, TU_PER_DAY, false, NULL };
    struct agg_spec us = { vs, 0, { 0 }, TU_PER_DAY, false, NULL };
    struct agg *g = agg_new(&gs);
    struct agg *u = agg_new(&us);
    struct ou_err err;
    struct record r;
    int64_t want_end[5] = { 0 }; /* brute force: the level at day end */

    for (int h = 0; h < 5 * 24; h++) {
        int64_t t = 1736121600 + (int64_t)h * 3600;
        agg_bucket(g, t, t + 3600, &err);
        agg_bucket(u, t, t + 3600, &err);
        int64_t sum = 0;
        for (int k = 0; k < 4; k++) {
            if ((h * 7 + k * 3) % 5 == 0)
                continue; /* absent from this bucket */
            memset(&r, 0, sizeof(r));
            r.start_time = t;
            r.group[0] = proj[k];
            r.ival[0] = 1000 * (k + 1) + h;
            sum += r.ival[0];
            agg_add(g, &r, &err);
            r.group[0] = NULL;
            agg_add(u, &r, &err);
        }
        if (h % 24 == 23)
            want_end[h / 24] = sum;
    }
    CHECK(agg_finish(g, &err) == 0 && agg_finish(u, &err) == 0);
    CHECK(agg_nrows(u) == 5);
    for (size_t i = 0; i < agg_nrows(u); i++) {
        const struct agg_row *ur = agg_row_at(u, i);
        int64_t grouped = 0;
        for (size_t j = 0; j < agg_nrows(g); j++) {
            if (agg_row_at(g, j)->t0 == ur->t0)
                grouped += agg_row_at(g, j)->ival[0];
        }
        CHECK(ur->ival[0] == want_end[i]);
        CHECK(grouped == ur->ival[0]);
    }
    CHECK(agg_total_at(g, 0)->ival[0] == want_end[4]);
    CHECK(agg_total_at(u, 0)->ival[0] == want_end[4]);
    agg_free(g);
    agg_free(u);
}

/* ---- agg_merge: the parts folded apart and merged equal one fold ------- */

static bool same_rows(const struct agg *x, const struct agg *y,
                      const struct endpoint *ep, int ngroup)
{
    if (agg_nrows(x) != agg_nrows(y) || agg_ntotals(x) != agg_ntotals(y) ||
        agg_nperiods(x) != agg_nperiods(y))
        return false;
    for (size_t i = 0; i < agg_nperiods(x); i++) {
        if (agg_period_at(x, i) != agg_period_at(y, i))
            return false;
    }
    for (size_t i = 0; i < agg_nrows(x) + agg_ntotals(x); i++) {
        bool total = i >= agg_nrows(x);
        const struct agg_row *a = total ? agg_total_at(x, i - agg_nrows(x))
                                        : agg_row_at(x, i);
        const struct agg_row *b = total ? agg_total_at(y, i - agg_nrows(y))
                                        : agg_row_at(y, i);
        if (a->t0 != b->t0)
            return false;
        for (int g = 0; g < ngroup; g++) {
            if (!streq(a->key[g], b->key[g]))
                return false;
        }
        for (int m = 0; m < ep->nmetrics; m++) {
            if (a->present[m] != b->present[m] || a->ival[m] != b->ival[m] ||
                !streq(a->text[m], b->text[m]) ||
                (a->dval != NULL && dec_cmp(&a->dval[m], &b->dval[m]) != 0))
                return false;
        }
    }
    return true;
}

/* One random record of bucket t for ep (groups from small sets, money
 * with up to 9 decimals, sometimes null). */
static void random_record(const struct endpoint *ep, int64_t t,
                          struct record *r, char *money)
{
    memset(r, 0, sizeof(*r));
    r->start_time = t;
    r->end_time = t + 3600;
    for (int g = 0; g < ep->ngroups; g++)
        r->group[g] = next() % 7 == 0 ? NULL : models[next() % 3];
    for (int m = 0; m < ep->nmetrics; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        r->present[m] = !md->nullable || next() % 3 != 0;
        if (md->kind == MK_INT)
            r->ival[m] = (int64_t)(next() % 1000000);
        if (md->kind == MK_TEXT)
            r->text[m] = next() % 2 ? "usd" : "eur";
        if (md->kind == MK_DEC) {
            snprintf(money, 32, "%llu.%09llu",
                     (unsigned long long)(next() % 1000),
                     (unsigned long long)(next() % 1000000000));
            CHECK(dec_parse(money, strlen(money), &r->dval[m]) == DEC_OK);
        }
    }
}

static void merge_equals_fold(const char *command, enum tu_period per,
                              int ngroup)
{
    const struct endpoint *ep = endpoint_find(command);
    struct agg_spec spec = { ep, ngroup, { 0 }, per, false, NULL };
    enum { NB = 72, PARTS = 5 };
    struct agg *whole, *part[PARTS];
    struct ou_err err;
    struct record r;
    char money[32];

    for (int g = 0; g < ngroup; g++)
        spec.group[g] = g;
    whole = agg_new(&spec);
    for (int k = 0; k < PARTS; k++)
        part[k] = agg_new(&spec);
    /* buckets in pages of a few hours, each page to a random part; the
     * whole sees them in another order (as concurrent pages arrive) */
    for (int b = NB - 1; b >= 0; b--) {
        int64_t t = 1736121600 + (int64_t)b * 3600;
        struct agg *p = part[(b / 6 * 7 + 3) % PARTS];
        CHECK(agg_bucket(whole, t, t + 3600, &err) == 0);
        CHECK(agg_bucket(p, t, t + 3600, &err) == 0);
        for (int i = (int)(next() % 9); i > 0; i--) {
            random_record(ep, t, &r, money);
            CHECK(agg_add(whole, &r, &err) == 0);
            CHECK(agg_add(p, &r, &err) == 0);
        }
    }
    struct agg *merged = agg_new(&spec);
    for (int k = PARTS - 1; k >= 0; k--)
        CHECK(agg_merge(merged, part[k], &err) == 0); /* frees the part */
    CHECK(agg_finish(whole, &err) == 0);
    CHECK(agg_finish(merged, &err) == 0);
    CHECK(agg_nrows(whole) > 0);
    CHECK(same_rows(whole, merged, ep, ngroup));
    agg_free(whole);
    agg_free(merged);
}

static void merge(void)
{
    static const enum tu_period pers[] = { TU_PER_NONE, TU_PER_DAY,
                                           TU_PER_BUCKET };
    for (size_t i = 0; i < sizeof(pers) / sizeof(pers[0]); i++) {
        merge_equals_fold("completions", pers[i], 2);
        merge_equals_fold("completions", pers[i], 0);
        merge_equals_fold("costs", pers[i], 1);         /* money, currencies */
        merge_equals_fold("vector-stores", pers[i], 1); /* levels */
        merge_equals_fold("vector-stores", pers[i], 0);
    }
}

int main(void)
{
    grouped_vs_bruteforce(TU_PER_NONE);
    grouped_vs_bruteforce(TU_PER_DAY);
    grouped_vs_bruteforce(TU_PER_WEEK);
    grouped_vs_bruteforce(TU_PER_MONTH);
    grouped_vs_bruteforce(TU_PER_BUCKET);
    dense_and_records();
    money();
    level();
    level_consistent();
    merge();
    TEST_END();
}
