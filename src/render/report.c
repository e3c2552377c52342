/* report.c - an aggregated report as a grid (see report.h). */
#include "oaiusage/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


const char *report_per_name(enum tu_period p)
{
    switch (p) {
    case TU_PER_DAY:
        return "day";
    case TU_PER_WEEK:
        return "week";
    case TU_PER_MONTH:
        return "month";
    case TU_PER_BUCKET:
        return "bucket";
    case TU_PER_NONE:
    default:
        return NULL;
    }
}

/* Column roles, parallel to the grid's columns. */
enum role { R_LABEL, R_T0, R_T1, R_KEY, R_NAME, R_METRIC };

struct layout {
    enum role role[GRID_MAX_COLS];
    int index[GRID_MAX_COLS];   /* group position or metric index */
};

static int add_col(struct grid *g, struct layout *l, enum role r, int index,
                   struct grid_col c)
{
    int k = grid_add_col(g, &c);
    if (k >= 0) {
        l->role[k] = r;
        l->index[k] = index;
    }
    return k;
}

static int build_columns(const struct agg *a, const struct names *names,
                         struct grid *g, struct layout *l)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const struct endpoint *ep = sp->ep;
    int rc = 0;

    if (sp->ngroup == 0 && !sp->records && sp->per == TU_PER_NONE) {
        /* The only row is the total: the table shows it under a label. */
        rc |= add_col(g, l, R_LABEL, 0,
                      (struct grid_col){ "", true, true, false, false, NULL, false });
        g->table_hides_rows = true;
    }
    if (sp->records) {
        rc |= add_col(g, l, R_T0, 0,
                      (struct grid_col){ "start_time", true, false, false,
                                         false, NULL, false });
        rc |= add_col(g, l, R_T1, 0,
                      (struct grid_col){ "end_time", true, false, false, false,
                                         NULL, false });
    } else if (sp->per != TU_PER_NONE) {
        rc |= add_col(g, l, R_T0, 0,
                      (struct grid_col){ "period_start", true, false, false,
                                         sp->per != TU_PER_BUCKET, NULL, false });
    }
    for (int i = 0; i < sp->ngroup; i++) {
        const struct group_desc *gd = &ep->groups[sp->group[i]];
        bool named = names != NULL && gd->names != NK_NONE;
        rc |= add_col(g, l, R_KEY, i,
                      (struct grid_col){ gd->name, !named, false, false, false,
                                         "(none)", false });
        if (named)
            rc |= add_col(g, l, R_NAME, i,
                          (struct grid_col){ name_column(gd->names), true,
                                             false, false, false, "(none)", false });
    }
    for (int m = 0; m < ep->nmetrics; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        rc |= add_col(g, l, R_METRIC, m,
                      (struct grid_col){ md->name, md->in_table, false,
                                         md->nullable, false, NULL, false });
    }
    return rc < 0 ? -1 : 0;
}

static int fill_row(const struct agg *a, const struct names *names,
                    const struct layout *l, const struct agg_row *r,
                    bool total, struct grid *g, struct cell *row)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const struct endpoint *ep = sp->ep;
    char tmp[DEC_FMT_MAX];
    bool labelled = false;

    for (int k = 0; k < g->ncols; k++) {
        struct cell *c = &row[k];
        int i = l->index[k];
        switch (l->role[k]) {
        case R_LABEL:
            break;
        case R_T0:
        case R_T1:
            if (!total) {
                c->kind = CELL_TIME;
                c->t = l->role[k] == R_T0 ? r->t0 : r->t1;
            }
            break;
        case R_KEY:
            if (total)
                break;
            if (r->key[i] != NULL) {
                const struct group_desc *gd = &ep->groups[sp->group[i]];
                if (gd->type == GT_BOOL) {
                    c->kind = CELL_BOOL;
                    c->b = r->key[i][0] == 't';
                } else {
                    c->kind = CELL_TEXT;
                    c->s = grid_strdup(g, r->key[i]);
                    if (c->s == NULL)
                        return -1;
                }
            }
            break;
        case R_NAME: {
            if (total || r->key[i] == NULL)
                break;
            const struct group_desc *gd = &ep->groups[sp->group[i]];
            const char *name = names_get(names, gd->names, r->key[i]);
            if (name != NULL) {
                c->kind = CELL_TEXT;
                c->s = grid_strdup(g, name);
                if (c->s == NULL)
                    return -1;
            } else {
                /* unknown: the table shows the id */
                c->display = grid_strdup(g, r->key[i]);
                if (c->display == NULL)
                    return -1;
            }
            break;
        }
        case R_METRIC: {
            const struct metric_desc *md = &ep->metrics[i];
            if (!r->present[i] && md->kind != MK_INT)
                break;
            if (md->kind == MK_INT) {
                snprintf(tmp, sizeof(tmp), "%" PRId64, r->ival[i]);
                c->kind = CELL_INT;
            } else if (md->kind == MK_DEC) {
                dec_format(&r->dval[i], tmp, sizeof(tmp));
                c->kind = CELL_DEC;
            } else {
                c->kind = CELL_TEXT;
                c->s = grid_strdup(g, r->text[i]);
                if (c->s == NULL)
                    return -1;
                break;
            }
            c->s = grid_strdup(g, tmp);
            if (c->s == NULL)
                return -1;
            break;
        }
        }
        /* Total rows: the first table column says so. */
        if (total && !labelled && g->cols[k].in_table) {
            if (c->kind == CELL_NULL)
                c->display = "TOTAL";
            labelled = true;
        }
        if (total && c->kind == CELL_NULL && c->display == NULL)
            c->display = "";
    }
    return 0;
}

int report_grid(const struct agg *a, const struct names *names,
                const struct report_meta *m, struct grid *g,
                struct ou_err *err)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const char **gb = g->lists;
    struct layout l;
    const char *per = report_per_name(sp->per);

    if (build_columns(a, names, g, &l) != 0)
        return ou_fail(err, OU_E_IO, "too many columns");
    for (size_t i = 0; i < agg_nrows(a); i++) {
        struct cell *row = grid_add_row(g, false);
        if (row == NULL || fill_row(a, names, &l, agg_row_at(a, i), false, g,
                                    row) != 0)
            return ou_nomem(err);
    }
    for (size_t i = 0; i < agg_ntotals(a); i++) {
        struct cell *row = grid_add_row(g, true);
        if (row == NULL || fill_row(a, names, &l, agg_total_at(a, i), true, g,
                                    row) != 0)
            return ou_nomem(err);
    }
    for (int i = 0; i < sp->ngroup; i++)
        gb[i] = sp->ep->groups[sp->group[i]].name;
    grid_add_meta(g, &(struct grid_meta){ "endpoint", META_STRING,
                                          sp->ep->command, 0, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "start_time", META_TIME, NULL,
                                          m->start_time, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "end_time", META_TIME, NULL,
                                          m->end_time, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "bucket_width", META_STRING,
                                          m->bucket_width, 0, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "group_by", META_LIST, NULL, 0, false,
                                          gb, sp->ngroup });
    grid_add_meta(g, &(struct grid_meta){ "per", per ? META_STRING : META_NULL,
                                          per, 0, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "records", META_BOOL, NULL, 0,
                                          sp->records, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "names", META_BOOL, NULL, 0,
                                          names != NULL, NULL, 0 });
    return 0;
}

/* ---- --chart ------------------------------------------------------------------- */

void report_bar(double v, double max, int width, char *buf, size_t size)
{
    static const char *const eighth[] = { "",
                                          "\xe2\x96\x8f", "\xe2\x96\x8e",
                                          "\xe2\x96\x8d", "\xe2\x96\x8c",
                                          "\xe2\x96\x8b", "\xe2\x96\x8a",
                                          "\xe2\x96\x89" };
    size_t o = 0;

    buf[0] = '\0';
    if (!(max > 0) || !(v > 0))
        return;
    long units = (long)(v / max * width * 8 + 0.5);
    if (units < 1)
        units = 1; /* non-zero is never shown as nothing */
    for (long i = 0; i < units / 8 && o + 4 < size; i++) {
        memcpy(buf + o, "\xe2\x96\x88", 3); /* full block */
        o += 3;
    }
    const char *tail = eighth[units % 8];
    if (o + strlen(tail) + 1 < size) {
        memcpy(buf + o, tail, strlen(tail));
        o += strlen(tail);
    }
    buf[o] = '\0';
}

static double first_metric(const struct agg *a, const struct agg_row *r)
{
    const struct endpoint *ep = agg_spec_of(a)->ep;
    int m = ep->sort_metric;
    if (ep->metrics[m].kind == MK_INT)
        return (double)r->ival[m];
    if (ep->metrics[m].kind == MK_DEC && r->present[m])
        return dec_to_double(&r->dval[m]);
    return 0;
}

/* A sparkline of v[0..n) on the scale of max. */
static void sparkline(const double *v, int n, double max, struct buf *b)
{
    static const char *const lvl[] = {
        "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
        "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"
    };
    for (int i = 0; i < n; i++) {
        if (!(v[i] > 0) || !(max > 0)) {
            buf_putc(b, ' ');
            continue;
        }
        int k = (int)(v[i] / max * 7 + 0.5);
        buf_puts(b, lvl[k < 0 ? 0 : k > 7 ? 7 : k]);
    }
}

int report_chart(const struct agg *a, struct grid *g, int width,
                 struct ou_err *err)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const struct endpoint *ep = sp->ep;
    double max = 0;

    for (size_t i = 0; i < agg_nrows(a); i++) {
        double v = first_metric(a, agg_row_at(a, i));
        if (v > max)
            max = v;
    }
    if (sp->per == TU_PER_NONE) {
        /* A bar column on the existing table: add it and fill each row. */
        struct grid ng;
        grid_init(&ng, g->object);
        for (int k = 0; k < g->ncols; k++)
            grid_add_col(&ng, &g->cols[k]);
        char title[64];
        snprintf(title, sizeof(title), "%s", ep->metrics[ep->sort_metric].name);
        int bc = grid_add_col(&ng, &(struct grid_col){ grid_strdup(&ng, title),
                                                       true, true, false, false,
                                                       NULL, true });
        if (bc < 0)
            return ou_fail(err, OU_E_USAGE, "too many columns");
        size_t total = g->nrows + g->ntotals;
        for (size_t i = 0; i < total; i++) {
            struct cell *row = grid_add_row(&ng, i >= g->nrows);
            if (row == NULL)
                return ou_nomem(err);
            const struct cell *src = &g->cells[i * (size_t)g->ncols];
            for (int k = 0; k < g->ncols; k++) {
                row[k] = src[k];
                if (src[k].s != NULL)
                    row[k].s = grid_strdup(&ng, src[k].s);
                if (src[k].display != NULL)
                    row[k].display = grid_strdup(&ng, src[k].display);
            }
            char bar[256] = "";
            if (i < g->nrows && i < agg_nrows(a))
                report_bar(first_metric(a, agg_row_at(a, i)), max, width, bar,
                           sizeof(bar));
            row[bc].kind = CELL_TEXT;
            row[bc].s = grid_strdup(&ng, bar);
        }
        ng.table_hides_rows = g->table_hides_rows;
        ng.color = g->color;
        ng.nmeta = g->nmeta;
        memcpy(ng.meta, g->meta, sizeof(g->meta));
        memcpy(ng.lists, g->lists, sizeof(g->lists));
        grid_release(g);
        *g = ng;
        return 0;
    }

    /* --per: one row per group, a sparkline over the periods. */
    int64_t *periods = malloc((agg_nrows(a) + 1) * sizeof(*periods));
    int np = 0;
    if (periods == NULL)
        return ou_nomem(err);
    for (size_t i = 0; i < agg_nrows(a); i++) {
        int64_t t = agg_row_at(a, i)->t0;
        bool seen = false;
        for (int k = 0; k < np && !seen; k++)
            seen = periods[k] == t;
        if (!seen)
            periods[np++] = t;
    }
    /* rows are sorted by period first: periods[] is ascending already */
    bool color = g->color;
    const char *object = g->object;
    grid_release(g);
    grid_init(g, object);
    g->color = color;
    for (int k = 0; k < sp->ngroup; k++)
        grid_add_col(g, &(struct grid_col){ ep->groups[sp->group[k]].name, true,
                                            false, false, false, "(none)",
                                            false });
    char first[TU_RFC3339_LEN], last[TU_RFC3339_LEN], title[96];
    tu_format_date(np > 0 ? periods[0] : 0, first);
    tu_format_date(np > 0 ? periods[np - 1] : 0, last);
    snprintf(title, sizeof(title), "%s per %s, %s .. %s",
             ep->metrics[ep->sort_metric].name, report_per_name(sp->per),
             first, last);
    int sc = grid_add_col(g, &(struct grid_col){ grid_strdup(g, title), true,
                                                 true, false, false, NULL,
                                                 true });
    int tc = grid_add_col(g, &(struct grid_col){ "total", true, false, false,
                                                 false, NULL, false });
    double *v = calloc((size_t)(np ? np : 1), sizeof(*v));
    bool *done = calloc(agg_nrows(a) + 1, sizeof(*done));
    struct buf spark;
    int rc = 0;
    buf_init(&spark, 0);
    if (v == NULL || done == NULL || sc < 0 || tc < 0) {
        rc = ou_nomem(err);
        goto out;
    }
    for (size_t i = 0; i < agg_nrows(a) && rc == 0; i++) {
        if (done[i])
            continue;
        const struct agg_row *r = agg_row_at(a, i);
        double sum = 0;
        memset(v, 0, (size_t)np * sizeof(*v));
        for (size_t j = i; j < agg_nrows(a); j++) {
            const struct agg_row *q = agg_row_at(a, j);
            bool same = true;
            for (int k = 0; k < sp->ngroup && same; k++)
                same = q->key[k] == r->key[k];
            if (!same)
                continue;
            done[j] = true;
            for (int p = 0; p < np; p++) {
                if (periods[p] == q->t0)
                    v[p] += first_metric(a, q);
            }
            sum += first_metric(a, q);
        }
        struct cell *row = grid_add_row(g, false);
        if (row == NULL) {
            rc = ou_nomem(err);
            break;
        }
        for (int k = 0; k < sp->ngroup; k++) {
            if (r->key[k] != NULL) {
                row[k].kind = CELL_TEXT;
                row[k].s = grid_strdup(g, r->key[k]);
            }
        }
        buf_reset(&spark);
        sparkline(v, np, max, &spark);
        row[sc].kind = CELL_TEXT;
        row[sc].s = grid_strdup(g, spark.data ? spark.data : "");
        char tot[64];
        if (ep->metrics[ep->sort_metric].kind == MK_INT)
            snprintf(tot, sizeof(tot), "%.0f", sum);
        else
            snprintf(tot, sizeof(tot), "%.2f", sum);
        row[tc].kind = ep->metrics[ep->sort_metric].kind == MK_INT ? CELL_INT
                                                                   : CELL_DEC;
        row[tc].s = grid_strdup(g, tot);
    }
out:
    buf_release(&spark);
    free(v);
    free(done);
    free(periods);
    return rc;
}

/* ---- --format svg ---------------------------------------------------------------- */

/* "model / project" for a row's group values (names when known). */
static const char *row_label(const struct agg *a, const struct names *names,
                             const struct agg_row *r, struct grid *store)
{
    const struct agg_spec *sp = agg_spec_of(a);
    struct buf b;
    buf_init(&b, 0);
    if (sp->ngroup == 0)
        buf_puts(&b, "total");
    for (int k = 0; k < sp->ngroup; k++) {
        const struct group_desc *gd = &sp->ep->groups[sp->group[k]];
        const char *v = r->key[k];
        const char *n = v != NULL ? names_get(names, gd->names, v) : NULL;
        if (k > 0)
            buf_puts(&b, " / ");
        buf_puts(&b, n != NULL ? n : v != NULL ? v : "(none)");
    }
    const char *s = grid_strdup(store, b.data ? b.data : "");
    buf_release(&b);
    return s;
}

int report_svg(const struct agg *a, const struct names *names,
               const struct report_meta *m, struct buf *out,
               struct ou_err *err)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const struct endpoint *ep = sp->ep;
    const struct metric_desc *md = &ep->metrics[ep->sort_metric];
    struct grid store; /* string storage */
    char from[TU_RFC3339_LEN], to[TU_RFC3339_LEN], title[160], sub[160];
    int rc = 0;
    size_t n = agg_nrows(a);

    if (sp->records)
        return ou_fail(err, OU_E_USAGE,
                          "--format svg charts a grouped or --per report, "
                          "not --records");
    grid_init(&store, "");
    tu_format_date(m->start_time, from);
    tu_format_date(m->end_time - 1, to);
    snprintf(title, sizeof(title), "%s: %s", ep->command, md->name);
    snprintf(sub, sizeof(sub), "%s to %s (UTC)%s%s", from, to,
             sp->per != TU_PER_NONE ? ", per " : "",
             sp->per != TU_PER_NONE ? report_per_name(sp->per) : "");

    /* Distinct group labels with totals, and (with --per) periods. */
    const char **glab = calloc(n + 1, sizeof(*glab));
    double *gtot = calloc(n + 1, sizeof(*gtot));
    int *grow = calloc(n + 1, sizeof(*grow));     /* row -> group */
    int64_t *per = calloc(n + 1, sizeof(*per));
    int *prow = calloc(n + 1, sizeof(*prow));     /* row -> period */
    int ng = 0, np = 0;
    if (glab == NULL || gtot == NULL || grow == NULL || per == NULL ||
        prow == NULL) {
        rc = ou_nomem(err);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        const struct agg_row *r = agg_row_at(a, i);
        const char *l = row_label(a, names, r, &store);
        int gi = 0;
        while (gi < ng && strcmp(glab[gi], l) != 0)
            gi++;
        if (gi == ng)
            glab[ng++] = l;
        gtot[gi] += first_metric(a, r);
        grow[i] = gi;
        int pi = 0;
        while (pi < np && per[pi] != r->t0)
            pi++;
        if (pi == np)
            per[np++] = r->t0;
        prow[i] = pi;
    }
    int *map = calloc((size_t)ng + 1, sizeof(*map));
    if (map == NULL) {
        rc = ou_nomem(err);
        goto out;
    }
    if (sp->per == TU_PER_NONE) {
        /* one series; categories = groups, largest 20 + Other */
        int kept = svg_fold(ng, gtot, 20, 0, map);
        int ncat = kept + (kept < ng);
        const char **cats = calloc((size_t)ncat + 1, sizeof(*cats));
        double *v = calloc((size_t)ncat + 1, sizeof(*v));
        static const int color[] = { 0 };
        const char *series[] = { md->name };
        if (cats == NULL || v == NULL) {
            free(cats);
            free(v);
            free(map);
            rc = ou_nomem(err);
            goto out;
        }
        for (int gi = 0; gi < ng; gi++) {
            int c = map[gi] == SVG_OTHER ? kept : map[gi];
            cats[c] = map[gi] == SVG_OTHER ? "Other" : glab[gi];
            v[c] += gtot[gi];
        }
        struct bar_chart bc = { title, sub, md->name, md->kind == MK_DEC,
                                BARS_GROUPED, ncat, cats, 1, series, color, v,
                                false };
        rc = svg_bar_chart(out, &bc, 1000, 420) == 0
                 ? 0
                 : ou_nomem(err);
        free(cats);
        free(v);
    } else {
        /* periods along x, stacked by group (largest 7 + Other) */
        int kept = svg_fold(ng, gtot, 7, 0, map);
        int nser = kept + (kept < ng);
        const char **ser = calloc((size_t)nser + 1, sizeof(*ser));
        int *col = calloc((size_t)nser + 1, sizeof(*col));
        double *v = calloc((size_t)nser * (size_t)np + 1, sizeof(*v));
        const char **cats = calloc((size_t)np + 1, sizeof(*cats));
        if (ser == NULL || col == NULL || v == NULL || cats == NULL) {
            free(ser); free(col); free(v); free(cats); free(map);
            rc = ou_nomem(err);
            goto out;
        }
        for (int gi = 0; gi < ng; gi++) {
            int k = map[gi] == SVG_OTHER ? kept : map[gi];
            ser[k] = map[gi] == SVG_OTHER ? "Other" : glab[gi];
            col[k] = map[gi] == SVG_OTHER ? SVG_OTHER : k;
        }
        for (int pi = 0; pi < np; pi++) {
            char d[TU_RFC3339_LEN];
            if (sp->per == TU_PER_BUCKET)
                tu_format_rfc3339(per[pi], d);
            else
                tu_format_date(per[pi], d);
            cats[pi] = grid_strdup(&store, d);
        }
        for (size_t i = 0; i < n; i++) {
            int k = map[grow[i]] == SVG_OTHER ? kept : map[grow[i]];
            v[k * np + prow[i]] += first_metric(a, agg_row_at(a, i));
        }
        struct bar_chart bc = { title, sub, md->name, md->kind == MK_DEC,
                                BARS_STACKED, np, cats, nser, ser, col, v,
                                true };
        rc = svg_bar_chart(out, &bc, 1000, 420) == 0
                 ? 0
                 : ou_nomem(err);
        free(ser); free(col); free(v); free(cats);
    }
    free(map);
out:
    free(glab);
    free(gtot);
    free(grow);
    free(per);
    free(prow);
    grid_release(&store);
    return rc;
}
