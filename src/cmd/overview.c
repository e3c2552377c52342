/* overview.c - every endpoint's headline totals and the billed cost, all
 * fetched at once (see cmds.h). As a workbook (--format xlsx), the
 * overview is the first sheet, then each endpoint has a sheet of its own
 * with its rows per day of the window (what `ENDPOINT --per day` shows). */
#include "oaiusage/cmds.h"

#include "oaiusage/report.h"
#include "oaiusage/zone.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Columns of the overview. */
enum {
    OV_ENDPOINT,
    OV_REQUESTS,
    OV_INPUT,
    OV_OUTPUT,
    OV_UNITS,
    OV_UNIT,
    OV_AMOUNT,
    OV_CURRENCY,
    OV_NCOLS
};

/* The overview's query for one endpoint: the window, 1d buckets (with
 * --tz, usage in 1h or 1m buckets: local days), the --project filter, no
 * grouping. */
static void endpoint_query(const struct config *cfg, const struct endpoint *ep,
                           struct query *q)
{
    const struct filter_opt *proj = cli_filter(cfg, "project");

    memset(q, 0, sizeof(*q));
    q->ep = ep;
    q->start_time = cfg->since;
    q->end_time = cfg->until_sent ? cfg->until : -1;
    q->width = BW_1D;
    if (cli_period_floor(ep) != NULL)
        q->width = cli_local_width(cfg->since, cfg->until);
    q->limit = ep->limit_max[q->width];
    if (proj != NULL) {
        q->filters[0].desc = endpoint_filter(ep, "project");
        q->filters[0].values = (const char *const *)proj->values.v;
        q->filters[0].nvalues = proj->values.n;
        q->nfilters = 1;
    }
}

int plan_overview(const struct config *cfg, struct query *q)
{
    int n = 0;

    for (; endpoint_at(n) != NULL && n < CMD_MAX_QUERIES; n++)
        endpoint_query(cfg, endpoint_at(n), &q[n]);
    return n;
}

static int int_cell(struct grid *g, struct cell *c, const struct agg_row *t,
                    const struct endpoint *ep, const char *metric)
{
    int m = endpoint_metric_index(ep, metric);
    char tmp[32];

    if (m < 0)
        return 0;
    snprintf(tmp, sizeof(tmp), "%" PRId64, t->ival[m]);
    c->kind = CELL_INT;
    c->s = grid_strdup(g, tmp);
    return c->s != NULL ? 0 : -1;
}

/* The costs row: the amount (one row per currency). */
static int cost_cells(struct grid *g, struct cell *row, const struct agg_row *t,
                      const struct endpoint *ep, bool exact)
{
    const struct dec *amount = &t->dval[endpoint_metric_index(ep, "amount")];
    const char *cur = t->text[endpoint_metric_index(ep, "currency")];
    char tmp[MONEY_FMT_MAX];

    dec_format(amount, tmp, sizeof(tmp));
    row[OV_AMOUNT].kind = CELL_DEC;
    row[OV_AMOUNT].s = grid_strdup(g, tmp);
    if (row[OV_AMOUNT].s == NULL)
        return -1;
    if (!exact) {
        /* The table: to the cent, with its symbol ("$18,770.34"). */
        money_format(amount, cur, tmp, sizeof(tmp));
        if ((row[OV_AMOUNT].display = grid_strdup(g, tmp)) == NULL)
            return -1;
    }
    return grid_text(g, &row[OV_CURRENCY],
                     t->text[endpoint_metric_index(ep, "currency")]);
}

static int usage_cells(struct grid *g, struct cell *row,
                       const struct agg_row *t, const struct endpoint *ep)
{
    if (int_cell(g, &row[OV_REQUESTS], t, ep, ep->ov_requests) != 0 ||
        int_cell(g, &row[OV_INPUT], t, ep, ep->ov_input_tokens) != 0 ||
        int_cell(g, &row[OV_OUTPUT], t, ep, ep->ov_output_tokens) != 0 ||
        int_cell(g, &row[OV_UNITS], t, ep, ep->ov_units) != 0)
        return -1;
    if (ep->ov_unit != NULL) {
        row[OV_UNIT].kind = CELL_TEXT;
        row[OV_UNIT].s = ep->ov_unit;
    }
    return 0;
}

static int overview_rows(const struct agg *agg, bool exact, struct grid *g,
                         struct ou_err *err)
{
    const struct endpoint *ep = agg_spec_of(agg)->ep;

    for (size_t i = 0; i < agg_ntotals(agg); i++) {
        const struct agg_row *t = agg_total_at(agg, i);
        struct cell *row = grid_add_row(g, false);
        if (row == NULL)
            return ou_nomem(err);
        row[OV_ENDPOINT].kind = CELL_TEXT;
        row[OV_ENDPOINT].s = ep->command;
        if ((ep->billing ? cost_cells(g, row, t, ep, exact)
                         : usage_cells(g, row, t, ep)) != 0)
            return ou_nomem(err);
    }
    return 0;
}

static void overview_grid(const struct config *cfg, struct grid *g)
{
    static const char *const names[OV_NCOLS] = {
        "endpoint", "requests", "input_tokens", "output_tokens",
        "units",    "unit",     "amount",       "currency",
    };

    /* The table shows the currency in the amount, unless --exact. */
    for (int k = 0; k < OV_NCOLS; k++)
        grid_add_col(g, &(struct grid_col){ names[k],
                                            k != OV_CURRENCY || cfg->exact,
                                            false, false, false, NULL, false });
    /* On a narrow terminal the money and the requests stay longest. */
    g->priority[OV_AMOUNT] = 950;
    g->priority[OV_REQUESTS] = 900;
    g->priority[OV_INPUT] = 800;
    g->priority[OV_OUTPUT] = 700;
    g->priority[OV_UNIT] = 650;
    g->priority[OV_UNITS] = 640;
    grid_add_meta(g, &(struct grid_meta){ "start_time", META_TIME, NULL,
                                          cfg->since, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "end_time", META_TIME, NULL,
                                          cfg->until, false, NULL, 0 });
    g->local = !zone_is_utc();
    if (g->local)
        grid_add_meta(g, &(struct grid_meta){ "time_zone", META_STRING,
                                              zone_name(), 0, false, NULL, 0 });
}

/* "Every endpoint, 2025-03-01 to 2025-03-07 UTC; project a". */
static int overview_title(struct session *s, struct grid *g, struct ou_err *err)
{
    char win[160];
    struct buf t;
    int rc = 0;

    report_window_text(s->cfg->since, s->cfg->until, !zone_is_utc(), win,
                       sizeof(win));
    buf_init(&t, 0);
    rc |= buf_printf(&t, "Every endpoint, %s", win);
    if (!zone_is_utc())
        rc |= buf_puts(&t, " (costs: the UTC days it touches)");
    struct buf f;
    buf_init(&f, 0);
    rc |= session_filters_text(s->cfg, &f);
    if (f.len > 0)
        rc |= buf_printf(&t, "; %s", f.data);
    buf_release(&f);
    if (rc == 0 && (g->title = grid_strdup(g, t.data)) == NULL)
        rc = -1;
    buf_release(&t);
    return rc != 0 ? ou_nomem(err) : 0;
}

/* The width an endpoint was fetched in (plan_overview). */
static enum bucket_width aggs_width(const struct config *cfg,
                                    const struct agg *a)
{
    struct query q;

    endpoint_query(cfg, agg_spec_of(a)->ep, &q);
    return q.width;
}

/* --format xlsx: the overview grid ov as the first sheet, then one sheet
 * per endpoint (named after its command, as the overview's endpoint column
 * names it) with its rows per day; their totals are the overview's. */
static int overview_book(struct session *s, struct agg *const *aggs, int n,
                         struct grid *ov, struct ou_err *err)
{
    struct report_meta m = { s->cfg->since, s->cfg->until,
                             bucket_width_name(BW_1D), 0 };
    struct xlsx_sheet sheets[CMD_MAX_QUERIES + 1];
    struct grid *gs = calloc((size_t)n + 1, sizeof(*gs));
    int built = 0;
    int rc = 0;

    if (gs == NULL)
        return ou_nomem(err);
    sheets[0] = (struct xlsx_sheet){ ov, "overview" };
    for (; built < n && rc == 0; built++) {
        grid_init(&gs[built], "oaiusage.report");
        m.bucket_width = bucket_width_name(aggs_width(s->cfg, aggs[built]));
        rc = report_grid(aggs[built], NULL, &m, &gs[built], err);
        sheets[built + 1] = (struct xlsx_sheet){
            &gs[built], agg_spec_of(aggs[built])->ep->command
        };
    }
    if (s->book != NULL) { /* one organization of several: collected */
        for (int i = 0; i < built && rc == 0; i++) {
            s->book->names[i] = sheets[i + 1].name;
            rc = session_collect_grid(&s->book->sheets[i], &gs[i]);
            s->book->n = i + 1;
        }
        if (rc == 0)
            rc = session_deliver_grid(s, ov, err);
    } else if (rc == 0) {
        rc = session_deliver_book(s, sheets, n + 1, err);
    }
    for (int i = 0; i < built; i++)
        grid_release(&gs[i]);
    free(gs);
    return rc;
}

int cmd_overview(struct session *s, struct ou_err *err)
{
    /* A workbook has a sheet per endpoint, of its days (over several
     * organizations, each one's sheets are collected into s->book). */
    const bool book = s->cfg->format == FMT_XLSX || s->book != NULL;
    struct query q[CMD_MAX_QUERIES];
    struct agg_spec spec[CMD_MAX_QUERIES];
    struct agg *aggs[CMD_MAX_QUERIES] = { 0 };
    struct grid g;
    int n = plan_overview(s->cfg, q);
    struct filter_ids fr;
    int rc;

    /* --project by name: resolved once, the ids shared by every endpoint
     * (all of them take the filter first). */
    memset(&fr, 0, sizeof(fr));
    rc = n > 0 ? session_resolve_filters(s, &q[0], &fr, err) : 0;
    for (int i = 1; i < n && rc == 0 && q[0].nfilters > 0; i++) {
        q[i].filters[0].values = q[0].filters[0].values;
        q[i].filters[0].nvalues = q[0].filters[0].nvalues;
    }
    if (rc != 0) {
        filter_ids_release(&fr);
        return rc;
    }
    for (int i = 0; i < n; i++)
        spec[i] = (struct agg_spec){ q[i].ep, 0,
                                     { 0 },   book ? TU_PER_DAY : TU_PER_NONE,
                                     false,   cli_period_floor(q[i].ep) };
    grid_init(&g, "oaiusage.overview");
    overview_grid(s->cfg, &g);
    /* Every endpoint at once: their pages share the transfers. */
    rc = session_fetch_aggs(s, q, spec, aggs, NULL, n, err);
    filter_ids_release(&fr);
    for (int i = 0; i < n && rc == 0; i++)
        rc = overview_rows(aggs[i], s->cfg->exact, &g, err);
    /* The title: the table's line above the header; the workbook's title
     * property. */
    if (rc == 0 && (book || (s->cfg->format == FMT_TABLE && s->cfg->header)))
        rc = overview_title(s, &g, err);
    if (rc == 0)
        rc = book ? overview_book(s, aggs, n, &g, err)
                  : session_deliver_grid(s, &g, err);
    for (int i = 0; i < n; i++)
        agg_free(aggs[i]);
    grid_release(&g);
    return rc;
}
