/* --compare previous: the comparison grid of two small aggregates whose
 * expected cells are written out by hand here. */
#include <stdlib.h>
#include <string.h>

#include "oaiusage/agg.h"
#include "oaiusage/report.h"
#include "test.h"

/* A costs record: project, amount (text), currency. */
static void add(struct agg *a, const char *project, const char *amount,
                const char *currency)
{
    const struct endpoint *ep = endpoint_find("costs");
    struct record r;
    struct ou_err err;
    int am = endpoint_metric_index(ep, "amount");

    memset(&r, 0, sizeof(r));
    r.start_time = 1740787200;
    r.end_time = r.start_time + 86400;
    r.group[endpoint_group_index(ep, "project_id")] = project;
    CHECK(dec_parse(amount, strlen(amount), &r.dval[am]) == DEC_OK);
    r.present[am] = true;
    r.text[endpoint_metric_index(ep, "currency")] = currency;
    CHECK(agg_add(a, &r, &err) == 0);
}

static struct agg *costs_agg(void)
{
    const struct endpoint *ep = endpoint_find("costs");
    struct agg_spec spec = { ep, 1, { 0 }, TU_PER_NONE, false, NULL };
    spec.group[0] = endpoint_group_index(ep, "project_id");
    return agg_new(&spec);
}

static int col(const struct grid *g, const char *name)
{
    for (int k = 0; k < g->ncols; k++)
        if (strcmp(g->cols[k].name, name) == 0)
            return k;
    return -1;
}

static const struct cell *at(const struct grid *g, size_t row, const char *c)
{
    int k = col(g, c);
    CHECK(k >= 0);
    return &g->cells[row * (size_t)g->ncols + (size_t)(k < 0 ? 0 : k)];
}

static const char *value(const struct grid *g, size_t row, const char *c)
{
    const struct cell *x = at(g, row, c);
    return x->kind == CELL_NULL ? "(null)" : x->s;
}

static const char *shown(const struct grid *g, size_t row, const char *c)
{
    const struct cell *x = at(g, row, c);
    return x->display != NULL ? x->display : value(g, row, c);
}

static void test_costs(void)
{
    struct agg *now = costs_agg(), *prev = costs_agg();
    struct ou_err err;
    struct grid g;
    size_t hidden = 0;

    add(now, "proj_a", "100.005", "usd");
    add(now, "proj_a", "20", "usd");
    add(now, "proj_b", "5", "usd"); /* new this period */
    add(now, "proj_e", "7", "eur"); /* another currency */
    add(prev, "proj_a", "80", "usd");
    add(prev, "proj_b", "0", "usd");    /* there, but nothing spent */
    add(prev, "proj_c", "12.5", "usd"); /* gone this period */
    add(prev, "proj_e", "8", "eur");
    CHECK(agg_finish(now, &err) == 0 && agg_finish(prev, &err) == 0);

    struct report_opts o = { NULL,  false,  30,
                             false, false,  REPORT_SORT_DEFAULT,
                             0,     &hidden };
    struct report_meta m = { 1740787200, 1742472000, "1d", 0 };
    struct report_meta pm = { 1738368000, 1740052800, "1d", 0 };
    grid_init(&g, "oaiusage.comparison");
    CHECK(report_compare_grid(now, prev, &o, true, &m, &pm, &g, &err) == 0);
    /* --sort change: proj_a +40.005, proj_b +5, proj_e -1, proj_c -12.5 */
    CHECK(g.nrows == 4 && g.ntotals == 2);
    CHECK_STR(value(&g, 0, "project_id"), "proj_a");
    CHECK_STR(value(&g, 0, "amount"), "120.005");
    CHECK_STR(value(&g, 0, "amount_previous"), "80");
    CHECK_STR(value(&g, 0, "amount_change"), "40.005");
    CHECK_STR(value(&g, 0, "amount_change_pct"), "50.01"); /* 50.00625 */
    CHECK_STR(shown(&g, 0, "amount"), "$120.01");
    CHECK_STR(shown(&g, 0, "amount_change"), "+$40.01");
    CHECK_STR(shown(&g, 0, "amount_change_pct"), "+50.0%");
    CHECK_STR(value(&g, 1, "project_id"), "proj_b");
    CHECK_STR(value(&g, 1, "amount_change_pct"), "(null)");
    CHECK_STR(shown(&g, 1, "amount_change_pct"), "new");
    CHECK_STR(value(&g, 2, "project_id"), "proj_e");
    CHECK_STR(value(&g, 2, "currency"), "eur");
    CHECK_STR(shown(&g, 2, "amount_change"), "-\xE2\x82\xAC"
                                             "1.00");
    CHECK_STR(value(&g, 2, "amount_change_pct"), "-12.5");
    CHECK_STR(value(&g, 3, "project_id"), "proj_c");
    CHECK_STR(value(&g, 3, "amount"), "0");
    CHECK_STR(value(&g, 3, "amount_change"), "-12.5");
    CHECK_STR(value(&g, 3, "amount_change_pct"), "-100");
    /* the totals, one per currency, each against its own */
    for (size_t t = 4; t < 6; t++) {
        if (strcmp(value(&g, t, "currency"), "usd") == 0) {
            CHECK_STR(value(&g, t, "amount"), "125.005");
            CHECK_STR(value(&g, t, "amount_previous"), "92.5");
            CHECK_STR(value(&g, t, "amount_change"), "32.505");
            CHECK_STR(value(&g, t, "amount_change_pct"), "35.14");
        } else {
            CHECK_STR(value(&g, t, "currency"), "eur");
            CHECK_STR(value(&g, t, "amount_change"), "-1");
        }
    }
    /* the currency is in the amounts: the table hides its column */
    CHECK(!g.cols[col(&g, "currency")].in_table);
    CHECK_STR(g.header[col(&g, "amount_previous")], "previous");
    CHECK_STR(g.header[col(&g, "amount_change_pct")], "%");
    grid_release(&g);

    /* --top 1 by the amount now; the totals still count every group */
    o.sort = endpoint_metric_index(endpoint_find("costs"), "amount");
    o.top = 1;
    o.exact = true;
    grid_init(&g, "oaiusage.comparison");
    CHECK(report_compare_grid(now, prev, &o, false, &m, &pm, &g, &err) == 0);
    CHECK(g.nrows == 1 && hidden == 3);
    CHECK_STR(value(&g, 0, "project_id"), "proj_a");
    CHECK(g.cols[col(&g, "currency")].in_table); /* --exact: shown */
    CHECK_STR(shown(&g, 0, "amount"), "120.005");
    CHECK_STR(shown(&g, 0, "amount_change"), "+40.005");
    grid_release(&g);

    /* the title names both windows */
    grid_init(&g, "oaiusage.comparison");
    CHECK(report_compare_title(now, &m, &pm, "project proj_a", &g) == 0);
    CHECK_STR(g.title, "costs, 2025-03-01 to 2025-03-20 12:00 UTC against "
                       "2025-02-01 to 2025-02-20 12:00 UTC, by project_id; "
                       "project proj_a");
    grid_release(&g);
    agg_free(now);
    agg_free(prev);
}

int main(void)
{
    test_costs();
    TEST_END();
}
