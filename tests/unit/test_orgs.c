/* orgs_merge: two organizations' grids, written out by hand, as one; the
 * grand totals summed exactly per currency. */
#include <string.h>

#include "oaiusage/orgs.h"
#include "test.h"

static void cell(struct grid *g, struct cell *c, enum cell_kind k,
                 const char *s, const char *display)
{
    c->kind = k;
    c->s = s != NULL ? grid_strdup(g, s) : NULL;
    c->display = display;
}

/* project, amount, currency: rows, then one total row per currency. */
static void org_grid(struct grid *g, const char *const rows[][3], int nrows,
                     const char *const totals[][2], int ntotals)
{
    static const char *const names[] = { "project_id", "amount", "currency" };

    grid_init(g, "oaiusage.report");
    for (int k = 0; k < 3; k++)
        grid_add_col(g, &(struct grid_col){ names[k], true, false, false, false,
                                            NULL, false });
    for (int i = 0; i < nrows; i++) {
        struct cell *r = grid_add_row(g, false);
        cell(g, &r[0], CELL_TEXT, rows[i][0], NULL);
        cell(g, &r[1], CELL_DEC, rows[i][1], "$");
        cell(g, &r[2], CELL_TEXT, rows[i][2], NULL);
    }
    for (int i = 0; i < ntotals; i++) {
        struct cell *r = grid_add_row(g, true);
        cell(g, &r[0], CELL_NULL, NULL, "TOTAL");
        cell(g, &r[1], CELL_DEC, totals[i][0], "$");
        cell(g, &r[2], CELL_TEXT, totals[i][1], NULL);
    }
}

static const struct cell *at(const struct grid *g, size_t row, int col)
{
    return &g->cells[row * (size_t)g->ncols + (size_t)col];
}

int main(void)
{
    static const char *const rows_a[][3] = { { "proj_a1", "0.1", "usd" },
                                             { "proj_a2", "0.2", "usd" } };
    static const char *const tot_a[][2] = { { "0.3", "usd" } };
    static const char *const rows_b[][3] = {
        { "proj_b1", "123456789012345678901234567890.000000000001", "usd" },
        { "proj_b2", "5", "eur" }
    };
    static const char *const tot_b[][2] = {
        { "123456789012345678901234567890.000000000001", "usd" }, { "5", "eur" }
    };
    struct grid a, b, m;
    struct grid *gs[2] = { &a, &b };
    const char *names[2] = { "alpha", "beta" };
    struct ou_err err = { OU_OK, "" };

    org_grid(&a, rows_a, 2, tot_a, 1);
    org_grid(&b, rows_b, 2, tot_b, 2);
    CHECK(orgs_merge(gs, names, 2, ORGS_TOTALS_TOTAL, &m, &err) == 0);
    CHECK(m.ncols == 4);
    CHECK_STR(m.cols[0].name, "org");
    CHECK_STR(m.cols[1].name, "project_id");
    CHECK(m.nrows == 4);
    /* rows in profile order, each organization's own order */
    CHECK_STR(at(&m, 0, 0)->s, "alpha");
    CHECK_STR(at(&m, 1, 1)->s, "proj_a2");
    CHECK_STR(at(&m, 2, 0)->s, "beta");
    CHECK_STR(at(&m, 3, 1)->s, "proj_b2");
    /* 3 subtotals, then a grand total per currency (usd, eur) */
    CHECK(m.ntotals == 5);
    CHECK_STR(at(&m, 4, 0)->s, "alpha");
    CHECK_STR(at(&m, 4, 1)->display, "TOTAL");
    CHECK_STR(at(&m, 6, 0)->s, "beta");
    CHECK_STR(at(&m, 6, 3)->s, "eur");
    CHECK(at(&m, 7, 0)->kind == CELL_NULL);
    CHECK_STR(at(&m, 7, 0)->display, "TOTAL");
    CHECK_STR(at(&m, 7, 2)->s, "123456789012345678901234567890.300000000001");
    CHECK_STR(at(&m, 7, 3)->s, "usd");
    CHECK_STR(at(&m, 8, 2)->s, "5");
    CHECK_STR(at(&m, 8, 3)->s, "eur");
    /* the envelope lists the organizations */
    const struct grid_meta *last = &m.meta[m.nmeta - 1];
    CHECK_STR(last->key, "organizations");
    CHECK(last->nlist == 2);
    CHECK_STR(last->list[1], "beta");
    grid_release(&m);

    /* the overview: totals from the rows, per text key */
    CHECK(orgs_merge(gs, names, 2, ORGS_TOTALS_ROWS, &m, &err) == 0);
    CHECK(m.nrows == 4 && m.ntotals == 4); /* one per project */
    grid_release(&m);
    CHECK(orgs_merge(gs, names, 2, ORGS_TOTALS_NONE, &m, &err) == 0);
    CHECK(m.ntotals == 0);
    grid_release(&m);

    grid_release(&a);
    grid_release(&b);
    TEST_END();
}
