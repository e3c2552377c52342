/* compare.c - a report beside the previous period's (see report.h). */
#include "report_int.h"

#include "oaiusage/fmt.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a metric column of the comparison shows. */
enum cmp_what { CW_NONE = 0, CW_NOW, CW_PREV, CW_CHANGE, CW_PCT, CW_TEXT };

#define CMP_TOKENS (-2) /* the metric index of total_tokens */

struct cmp_layout {
    struct layout l; /* the group columns (report_int.h) */
    enum cmp_what what[GRID_MAX_COLS];
    int metric[GRID_MAX_COLS]; /* a metric index, or CMP_TOKENS */
};

/* One row of the comparison: the same group now and before. */
struct pair {
    const struct agg_row *now;  /* NULL: only in the previous window */
    const struct agg_row *prev; /* NULL: only in this one */
};

/* ---- values ---------------------------------------------------------------- */

/* Metric m (or total_tokens) of a row as an exact decimal; false when it
 * is null (a decimal the API did not send). A missing row is 0, or null
 * for a metric that may be null. */
static bool value_of(const struct agg *a, const struct agg_row *r, int m,
                     struct dec *out)
{
    const struct endpoint *ep = agg_spec_of(a)->ep;
    int tin, tout;

    *out = DEC_ZERO;
    if (r == NULL) /* 0, or null where the API may send null */
        return m == CMP_TOKENS || !ep->metrics[m].nullable;
    if (m == CMP_TOKENS) {
        if (!report_token_split(ep, &tin, &tout))
            return false;
        struct dec d = dec_from_int64(r->ival[tout]);
        *out = dec_from_int64(r->ival[tin]);
        dec_add(out, &d); /* two int64 always fit */
        return true;
    }
    if (ep->metrics[m].kind == MK_INT) {
        *out = dec_from_int64(r->ival[m]);
        return true;
    }
    if (ep->metrics[m].kind == MK_DEC && r->present[m]) {
        *out = r->dval[m];
        return true;
    }
    return false;
}

/* The change now - prev; false when neither side has a value. */
static bool change_of(const struct agg *a, const struct pair *p, int m,
                      struct dec *out)
{
    struct dec prev;
    bool has_now = value_of(a, p->now, m, out);
    bool has_prev = value_of(a, p->prev, m, &prev);

    if (!has_now && !has_prev)
        return false;
    return dec_sub(out, &prev) == DEC_OK;
}

/* The row's currency (or other label), from whichever side has it. */
static const char *label_of(const struct pair *p, int m)
{
    if (p->now != NULL && p->now->text[m] != NULL)
        return p->now->text[m];
    return p->prev != NULL ? p->prev->text[m] : NULL;
}

/* ---- columns --------------------------------------------------------------- */

static int add_metric_cols(const struct agg *a, const struct report_opts *o,
                           bool sort_change, struct grid *g,
                           struct cmp_layout *cl, int m, const char *name,
                           bool in_table, bool nullable, bool table_only,
                           int prio)
{
    static const char *const suffix[] = { "", "_previous", "_change",
                                          "_change_pct" };
    static const enum cmp_what what[] = { CW_NOW, CW_PREV, CW_CHANGE, CW_PCT };
    /* The table heads a metric's four columns: name, previous, change, %. */
    static const char *const head[] = { NULL, "previous", "change", "%" };

    (void)a;
    (void)o;
    for (int i = 0; i < 4; i++) {
        char col[128];
        snprintf(col, sizeof(col), "%s%s", name, suffix[i]);
        const char *cn = grid_strdup(g, col);
        if (cn == NULL)
            return -1;
        int k = layout_add(g, &cl->l, R_LABEL, 0,
                           (struct grid_col){ cn, in_table, table_only,
                                              nullable, false, NULL, false });
        if (k < 0)
            return -1;
        cl->what[k] = what[i];
        g->header[k] = head[i];
        cl->metric[k] = m;
        if (prio > 0)
            g->priority[k] = prio - (sort_change ? (i == 2 ? 0 : i + 1) : i);
    }
    return 0;
}

static int build_columns(const struct agg *a, const struct report_opts *o,
                         bool sort_change, struct grid *g,
                         struct cmp_layout *cl)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const struct endpoint *ep = sp->ep;
    int tin, tout, k;

    if (sp->ngroup == 0) {
        k = layout_add(g, &cl->l, R_LABEL, 0,
                       (struct grid_col){ "", true, true, false, false, NULL,
                                          false });
        if (k < 0)
            return -1;
        g->table_hides_rows = true;
    }
    if (layout_groups(a, o->names, g, &cl->l) != 0)
        return -1;
    int sorted = o->sort >= 0 ? o->sort : ep->sort_metric;
    if (report_token_split(ep, &tin, &tout) &&
        add_metric_cols(a, o, sort_change, g, cl, CMP_TOKENS, "total_tokens",
                        true, false, true,
                        o->sort == REPORT_SORT_TOTAL ? 900 : 800) != 0)
        return -1;
    for (int m = 0; m < ep->nmetrics; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        if (md->kind == MK_TEXT) {
            /* A currency the table shows in the amounts instead. */
            bool in_amount = cl->l.money && md->labels != NULL &&
                             strcmp(md->name, "currency") == 0;
            k = layout_add(g, &cl->l, R_LABEL, 0,
                           (struct grid_col){
                               md->name, md->in_table && !in_amount, false,
                               md->nullable, false, NULL, false });
            if (k < 0)
                return -1;
            cl->what[k] = CW_TEXT;
            cl->metric[k] = m;
            continue;
        }
        int prio = 0;
        if (m == sorted && o->sort != REPORT_SORT_TOTAL)
            prio = 900;
        else if (m == ep->sort_metric)
            prio = 850;
        if (add_metric_cols(a, o, sort_change, g, cl, m, md->name, md->in_table,
                            md->nullable, false, prio) != 0)
            return -1;
    }
    return 0;
}

/* ---- cells ----------------------------------------------------------------- */

static int set_text(struct grid *g, struct cell *c, enum cell_kind kind,
                    const char *s, const char *display)
{
    c->kind = kind;
    c->display = NULL;
    if ((c->s = grid_strdup(g, s)) == NULL)
        return -1;
    if (display != NULL && (c->display = grid_strdup(g, display)) == NULL)
        return -1;
    return 0;
}

/* The table text of a value: money to the cent with its symbol (a sign
 * on a change), else the exact digits grouped. */
static void shown(const struct dec *d, bool money, const char *currency,
                  bool sign, char *out, size_t size)
{
    char num[MONEY_FMT_MAX];
    bool plus = sign && !d->neg && !dec_is_zero(d);

    if (money)
        money_format(d, currency, num, sizeof(num));
    else
        dec_format_grouped(d, num, sizeof(num));
    snprintf(out, size, "%s%s", plus ? "+" : "", num);
}

static int fill_metric(const struct agg *a, const struct cmp_layout *cl, int k,
                       const struct pair *p, struct grid *g, struct cell *c)
{
    const struct endpoint *ep = agg_spec_of(a)->ep;
    int m = cl->metric[k];
    bool integer = m == CMP_TOKENS || ep->metrics[m].kind == MK_INT;
    int cur = m >= 0 ? money_currency(ep, m) : -1;
    bool money = cl->l.money && cur >= 0;
    const char *currency = cur >= 0 ? label_of(p, cur) : NULL;
    char text[DEC_FMT_MAX], disp[MONEY_FMT_MAX + 2];
    struct dec now, prev, change, pct, hundred;

    memset(c, 0, sizeof(*c));
    switch (cl->what[k]) {
    case CW_NONE:
        return 0;
    case CW_TEXT: {
        const char *t = label_of(p, m);
        return t != NULL ? set_text(g, c, CELL_TEXT, t, NULL) : 0;
    }
    case CW_NOW:
    case CW_PREV: {
        const struct agg_row *r = cl->what[k] == CW_NOW ? p->now : p->prev;
        if (!value_of(a, r, m, &now))
            return 0;
        dec_format(&now, text, sizeof(text));
        shown(&now, money, currency, false, disp, sizeof(disp));
        return set_text(g, c, integer ? CELL_INT : CELL_DEC, text,
                        money || !integer ? disp : NULL);
    }
    case CW_CHANGE:
        if (!change_of(a, p, m, &change))
            return 0;
        dec_format(&change, text, sizeof(text));
        shown(&change, money, currency, true, disp, sizeof(disp));
        return set_text(g, c, integer ? CELL_INT : CELL_DEC, text, disp);
    case CW_PCT:
        if (!change_of(a, p, m, &change))
            return 0;
        value_of(a, p->prev, m, &prev);
        if (dec_is_zero(&prev)) {
            /* No percentage of nothing: new, or nothing either way. */
            c->display = dec_is_zero(&change) ? "" : "new";
            return 0;
        }
        hundred = DEC_ZERO;
        if (dec_mul_u32(&change, 100, &hundred) != DEC_OK ||
            dec_div(&hundred, &prev, 2, &pct) != DEC_OK)
            return 0;
        dec_format(&pct, text, sizeof(text));
        if (dec_div(&hundred, &prev, 1, &pct) != DEC_OK)
            return 0;
        {
            char one[DEC_FMT_MAX];
            bool plus = !pct.neg && !dec_is_zero(&pct);
            dec_format_grouped(&pct, one, sizeof(one));
            snprintf(disp, sizeof(disp), "%s%s%s%%", plus ? "+" : "", one,
                     strchr(one, '.') == NULL ? ".0" : "");
        }
        return set_text(g, c, CELL_DEC, text, disp);
    }
    return 0;
}

/* One row: the group cells from whichever side has the row, then the
 * metric cells from both. */
static int fill_pair(const struct agg *now, const struct agg *prev,
                     const struct report_opts *o, const struct cmp_layout *cl,
                     const struct pair *p, bool total, struct grid *g)
{
    struct cell *row = grid_add_row(g, total);
    const struct agg *side = p->now != NULL ? now : prev;
    const struct agg_row *r = p->now != NULL ? p->now : p->prev;

    if (row == NULL ||
        layout_fill(side, o->names, &cl->l, r, total, NULL, g, row) != 0)
        return -1;
    for (int k = 0; k < g->ncols; k++) {
        if (cl->what[k] == CW_NONE)
            continue;
        if (fill_metric(now, cl, k, p, g, &row[k]) != 0)
            return -1;
        if (total && row[k].kind == CELL_NULL && row[k].display == NULL)
            row[k].display = "";
    }
    return 0;
}

/* ---- rows ------------------------------------------------------------------ */

/* The total of prev (ids[np]) with r's currency, or SIZE_MAX. */
static size_t same_total(const struct agg *a, const struct agg_row *r,
                         const struct ident *ids, size_t np)
{
    const struct endpoint *ep = agg_spec_of(a)->ep;

    for (size_t j = 0; j < np; j++) {
        bool same = true;
        for (int m = 0; m < ep->nmetrics && same; m++) {
            const char *x = r->text[m], *y = ids[j].r->text[m];
            if (ep->metrics[m].kind == MK_TEXT && ep->metrics[m].total_key)
                same = x == y || (x != NULL && y != NULL && !strcmp(x, y));
        }
        if (same)
            return j;
    }
    return SIZE_MAX;
}

/* Pair the rows (or the totals) of now and prev by group and currency:
 * now's rows in its order, then those only prev has, in prev's. */
static struct pair *pair_rows(const struct agg *now, const struct agg *prev,
                              bool totals, size_t *n)
{
    size_t nn = totals ? agg_ntotals(now) : agg_nrows(now);
    size_t np = totals ? agg_ntotals(prev) : agg_nrows(prev);
    struct pair *v = calloc(nn + np + 1, sizeof(*v));
    bool *used = calloc(np + 1, sizeof(*used));
    struct ident *ids = calloc(np + 1, sizeof(*ids));
    struct htab t;
    size_t k = 0;

    memset(&t, 0, sizeof(t));
    if (v == NULL || used == NULL || ids == NULL)
        goto fail;
    if (totals) {
        for (size_t i = 0; i < np; i++)
            ids[i] = (struct ident){ prev, agg_total_at(prev, i), i };
    } else if (index_groups(prev, ids, &t) != 0) {
        goto fail;
    }
    for (size_t i = 0; i < nn; i++) {
        const struct agg_row *r = totals ? agg_total_at(now, i)
                                         : agg_row_at(now, i);
        size_t j = totals ? same_total(now, r, ids, np)
                          : find_group(&t, now, r);
        v[k].now = r;
        if (j < np && !used[j]) {
            v[k].prev = ids[j].r;
            used[j] = true;
        }
        k++;
    }
    for (size_t j = 0; j < np; j++) {
        if (!used[j])
            v[k++] = (struct pair){ NULL, ids[j].r };
    }
    htab_release(&t);
    free(used);
    free(ids);
    *n = k;
    return v;
fail:
    htab_release(&t);
    free(v);
    free(used);
    free(ids);
    return NULL;
}

/* A pair's sort key: the metric now, or its change. */
static struct dec pair_key(const struct agg *a, const struct pair *p, int m,
                           bool change)
{
    struct dec d;

    if (change ? !change_of(a, p, m, &d) : !value_of(a, p->now, m, &d))
        return DEC_ZERO;
    return d;
}

struct pair_order {
    const struct agg *a;
    int metric;
    bool change;
};

/* Stable merge sort, largest key first. */
static void order_pairs(const struct pair_order *x, struct pair *v,
                        struct pair *tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    order_pairs(x, v, tmp, h);
    order_pairs(x, v + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        struct dec ki = pair_key(x->a, &v[i], x->metric, x->change);
        struct dec kj = pair_key(x->a, &v[j], x->metric, x->change);
        tmp[k++] = dec_cmp(&ki, &kj) < 0 ? v[j++] : v[i++];
    }
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof(*v));
}

/* ---- the report ------------------------------------------------------------ */

static void add_meta(const struct agg *a, const struct report_opts *o,
                     const struct report_meta *m, const struct report_meta *pm,
                     struct grid *g)
{
    const struct agg_spec *sp = agg_spec_of(a);

    for (int i = 0; i < sp->ngroup; i++)
        g->lists[i] = sp->ep->groups[sp->group[i]].name;
    grid_add_meta(g, &(struct grid_meta){ "endpoint", META_STRING,
                                          sp->ep->command, 0, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "start_time", META_TIME, NULL,
                                          m->start_time, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "end_time", META_TIME, NULL,
                                          m->end_time, false, NULL, 0 });
    grid_add_meta(g,
                  &(struct grid_meta){ "previous_start_time", META_TIME, NULL,
                                       pm->start_time, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "previous_end_time", META_TIME, NULL,
                                          pm->end_time, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "bucket_width", META_STRING,
                                          m->bucket_width, 0, false, NULL, 0 });
    if (g->local)
        grid_add_meta(g, &(struct grid_meta){ "time_zone", META_STRING,
                                              zone_name(), 0, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "group_by", META_LIST, NULL, 0, false,
                                          g->lists, sp->ngroup });
    grid_add_meta(g, &(struct grid_meta){ "names", META_BOOL, NULL, 0,
                                          o->names != NULL, NULL, 0 });
    int64_t from = m->api_key_id_from > pm->api_key_id_from
                       ? m->api_key_id_from
                       : pm->api_key_id_from;
    if (from > 0)
        grid_add_meta(g, &(struct grid_meta){ "api_key_id_from", META_TIME,
                                              NULL, from, false, NULL, 0 });
}

int report_compare_grid(const struct agg *now, const struct agg *prev,
                        const struct report_opts *o, bool sort_change,
                        const struct report_meta *m,
                        const struct report_meta *pm, struct grid *g,
                        struct ou_err *err)
{
    const struct endpoint *ep = agg_spec_of(now)->ep;
    struct cmp_layout cl;
    struct pair *rows = NULL, *totals = NULL, *tmp = NULL;
    size_t nrows = 0, ntotals = 0;
    int rc = 0;

    memset(&cl, 0, sizeof(cl));
    cl.l.money = !o->exact;
    g->color = o->color;
    g->local = agg_spec_of(now)->floor != NULL;
    if (build_columns(now, o, sort_change, g, &cl) != 0)
        return ou_fail(err, OU_E_DATA, "too many columns");
    if (layout_dups(&cl.l, now, o->names) != 0 ||
        (rows = pair_rows(now, prev, false, &nrows)) == NULL ||
        (totals = pair_rows(now, prev, true, &ntotals)) == NULL ||
        (tmp = malloc((nrows + 1) * sizeof(*tmp))) == NULL) {
        rc = ou_nomem(err);
        goto done;
    }
    if (o->sort != REPORT_SORT_DEFAULT || sort_change) {
        struct pair_order x = { now, o->sort, sort_change };
        if (o->sort == REPORT_SORT_DEFAULT)
            x.metric = ep->sort_metric;
        else if (o->sort == REPORT_SORT_TOTAL)
            x.metric = CMP_TOKENS;
        order_pairs(&x, rows, tmp, nrows);
    }
    size_t shown_rows = o->top > 0 && (size_t)o->top < nrows ? (size_t)o->top
                                                             : nrows;
    if (o->hidden != NULL)
        *o->hidden = nrows - shown_rows;
    for (size_t i = 0; rc == 0 && i < shown_rows; i++)
        if (fill_pair(now, prev, o, &cl, &rows[i], false, g) != 0)
            rc = ou_nomem(err);
    for (size_t i = 0; rc == 0 && i < ntotals; i++)
        if (fill_pair(now, prev, o, &cl, &totals[i], true, g) != 0)
            rc = ou_nomem(err);
    if (rc == 0)
        add_meta(now, o, m, pm, g);
done:
    layout_release(&cl.l);
    free(rows);
    free(totals);
    free(tmp);
    return rc;
}

int report_compare_title(const struct agg *a, const struct report_meta *m,
                         const struct report_meta *pm, const char *filters,
                         struct grid *g)
{
    const struct agg_spec *sp = agg_spec_of(a);
    char win[160], pwin[160];
    struct buf t;
    int rc = 0;

    report_window_text(m->start_time, m->end_time, sp->floor != NULL, win,
                       sizeof(win));
    report_window_text(pm->start_time, pm->end_time, sp->floor != NULL, pwin,
                       sizeof(pwin));
    buf_init(&t, 0);
    rc |= buf_printf(&t, "%s, %s against %s", sp->ep->command, win, pwin);
    for (int i = 0; i < sp->ngroup; i++)
        rc |= buf_printf(&t, "%s%s", i == 0 ? ", by " : ", ",
                         sp->ep->groups[sp->group[i]].name);
    if (filters != NULL && filters[0] != '\0')
        rc |= buf_printf(&t, "; %s", filters);
    if (rc == 0)
        g->title = grid_strdup(g, t.data);
    buf_release(&t);
    return rc != 0 || g->title == NULL ? -1 : 0;
}
