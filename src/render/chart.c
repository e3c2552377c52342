/* chart.c - a report's charts: terminal bars and sparklines, and the
 * standalone SVG chart (see report.h). */
#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/htab.h"
#include "oaiusage/svg.h"

/* ---- scales per currency ---------------------------------------------------- */

static bool same_label(const char *x, const char *y)
{
    return x == y || (x != NULL && y != NULL && strcmp(x, y) == 0);
}

static int scale_slot(const struct scales *s, const char *label)
{
    for (int i = 0; i < s->n; i++) {
        if (same_label(s->label[i], label))
            return i;
    }
    return s->n < SCALES_MAX ? -1 : SCALES_MAX - 1;
}

void scales_note(struct scales *s, const char *label, double v)
{
    int i = scale_slot(s, label);

    if (i < 0) {
        i = s->n++;
        s->label[i] = label;
        s->max[i] = 0;
    }
    if (v > s->max[i])
        s->max[i] = v;
}

double scales_max(const struct scales *s, const char *label)
{
    int i = scale_slot(s, label);
    return i >= 0 ? s->max[i] : 0;
}

/* ---- bars and sparklines ------------------------------------------------------ */

void report_bar(double v, double max, int width, char *buf, size_t size)
{
    static const char *const eighth[] = { "",
                                          "\xe2\x96\x8f",
                                          "\xe2\x96\x8e",
                                          "\xe2\x96\x8d",
                                          "\xe2\x96\x8c",
                                          "\xe2\x96\x8b",
                                          "\xe2\x96\x8a",
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

/* A sparkline of v[0..n) on the scale of max. */
static int sparkline(const double *v, size_t n, double max, struct buf *b)
{
    static const char *const lvl[] = { "\xe2\x96\x81", "\xe2\x96\x82",
                                       "\xe2\x96\x83", "\xe2\x96\x84",
                                       "\xe2\x96\x85", "\xe2\x96\x86",
                                       "\xe2\x96\x87", "\xe2\x96\x88" };
    int rc = 0;

    buf_reset(b);
    for (size_t i = 0; i < n; i++) {
        if (!(v[i] > 0) || !(max > 0)) {
            rc |= buf_putc(b, ' ');
            continue;
        }
        int k = (int)(v[i] / max * 7 + 0.5);
        rc |= buf_puts(b, lvl[k < 0 ? 0 : k > 7 ? 7 : k]);
    }
    if (rc == 0 && b->data == NULL)
        rc = buf_puts(b, "");
    return rc;
}

/* ---- rows of two aggregates that are the same group -------------------------- */

/* A row's identity in an aggregate: its group values and its labels (the
 * text metrics: currency, unit). */
static uint64_t ident_hash(const struct agg *a, const struct agg_row *r)
{
    const struct agg_spec *sp = agg_spec_of(a);
    uint64_t h = HASH_FNV_SEED;

    for (int g = 0; g < sp->ngroup; g++)
        h = hash_mix(hash_more(h, r->key[g] ? r->key[g] : ""),
                     r->key[g] != NULL);
    for (int m = 0; m < sp->ep->nmetrics; m++) {
        if (sp->ep->metrics[m].kind == MK_TEXT)
            h = hash_mix(hash_more(h, r->text[m] ? r->text[m] : ""),
                         r->text[m] != NULL);
    }
    return h;
}

static bool ident_eq(const void *entry, const void *key)
{
    const struct ident *x = entry;
    const struct ident *y = key;
    const struct agg_spec *sp = agg_spec_of(x->a);

    for (int g = 0; g < sp->ngroup; g++) {
        if (!same_label(x->r->key[g], y->r->key[g]))
            return false;
    }
    for (int m = 0; m < sp->ep->nmetrics; m++) {
        if (sp->ep->metrics[m].kind == MK_TEXT &&
            !same_label(x->r->text[m], y->r->text[m]))
            return false;
    }
    return true;
}

int index_groups(const struct agg *a, struct ident *ids, struct htab *t)
{
    for (size_t i = 0; i < agg_nrows(a); i++) {
        ids[i] = (struct ident){ a, agg_row_at(a, i), i };
        uint64_t h = ident_hash(a, ids[i].r);
        if (htab_reserve(t) != 0)
            return -1;
        size_t k = htab_probe(t, h, ident_eq, &ids[i]);
        if (t->entry[k] == NULL)
            htab_set(t, k, h, &ids[i]);
    }
    return 0;
}

size_t group_of(const struct htab *t, const struct agg *a,
                const struct agg_row *r)
{
    struct ident key = { a, r, 0 };
    const struct ident *e = htab_find(t, ident_hash(a, r), ident_eq, &key);
    return e != NULL ? e->index : 0;
}

size_t find_group(const struct htab *t, const struct agg *a,
                  const struct agg_row *r)
{
    struct ident key = { a, r, 0 };
    const struct ident *e = htab_find(t, ident_hash(a, r), ident_eq, &key);
    return e != NULL ? e->index : SIZE_MAX;
}

int period_labels(const struct agg *a, const char **cats, struct grid *store)
{
    bool bucket = agg_spec_of(a)->per == TU_PER_BUCKET;

    for (size_t i = 0; i < agg_nperiods(a); i++) {
        char d[ZONE_RFC3339_LEN];
        if (bucket)
            grid_time_text(store, agg_period_at(a, i), d);
        else
            grid_date_text(store, agg_period_at(a, i), d);
        if ((cats[i] = grid_strdup(store, d)) == NULL)
            return -1;
    }
    return 0;
}

/* The index of period t among a's periods (binary search). */
size_t period_of(const struct agg *a, int64_t t)
{
    size_t lo = 0;
    size_t hi = agg_nperiods(a);

    while (lo + 1 < hi) {
        size_t mid = (lo + hi) / 2;
        if (agg_period_at(a, mid) <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* ---- --per --chart: a sparkline per group ------------------------------------ */

struct spark {
    const struct agg *a; /* the --per report */
    struct agg *roll;    /* its groups over the window (table order) */
    struct agg *ptot;    /* its totals per period (and currency) */
    size_t np;           /* periods */
    double *v;           /* [nrows(roll) * np], for drawing */
    struct ident *ids;
    struct htab map; /* roll's rows by group */
};

static void spark_free(struct spark *sp)
{
    agg_free(sp->roll);
    agg_free(sp->ptot);
    free(sp->v);
    free(sp->ids);
    htab_release(&sp->map);
}

static int spark_build(struct spark *sp, const struct agg *a,
                       struct ou_err *err)
{
    const struct agg_spec *s = agg_spec_of(a);
    struct agg_spec roll = { s->ep,       s->ngroup, { 0 },
                             TU_PER_NONE, false,     s->floor };
    struct agg_spec ptot = { s->ep, 0, { 0 }, s->per, false, s->floor };

    memset(sp, 0, sizeof(*sp));
    sp->a = a;
    sp->np = agg_nperiods(a);
    memcpy(roll.group, s->group, sizeof(roll.group));
    if ((sp->roll = agg_regroup(a, &roll, err)) == NULL ||
        (sp->ptot = agg_regroup(a, &ptot, err)) == NULL)
        return (int)err->cat;
    size_t n = agg_nrows(sp->roll);
    sp->v = calloc((n + 1) * (sp->np + 1), sizeof(*sp->v));
    sp->ids = calloc(n + 1, sizeof(*sp->ids));
    if (sp->v == NULL || sp->ids == NULL ||
        index_groups(sp->roll, sp->ids, &sp->map) != 0)
        return ou_nomem(err);
    for (size_t i = 0; i < agg_nrows(a); i++) {
        const struct agg_row *r = agg_row_at(a, i);
        size_t gi = group_of(&sp->map, a, r);
        sp->v[gi * sp->np + period_of(a, r->t0)] = report_metric_double(a, r);
    }
    return 0;
}

static int spark_columns(const struct spark *sp, const struct names *names,
                         struct grid *g, struct layout *l)
{
    const struct endpoint *ep = agg_spec_of(sp->a)->ep;
    const char *metric = ep->metrics[ep->sort_metric].name;
    char first[TU_RFC3339_LEN];
    char last[TU_RFC3339_LEN];
    char title[128];
    int rc = layout_groups(sp->roll, names, g, l);

    for (int m = 0; m < ep->nmetrics; m++) {
        if (ep->metrics[m].kind == MK_TEXT && ep->metrics[m].total_key)
            rc |= layout_add(g, l, R_TEXT, m,
                             (struct grid_col){ ep->metrics[m].name, true,
                                                false, false, false, NULL,
                                                false });
    }
    grid_date_text(g, sp->np > 0 ? agg_period_at(sp->a, 0) : 0, first);
    grid_date_text(g, sp->np > 0 ? agg_period_at(sp->a, sp->np - 1) : 0, last);
    snprintf(title, sizeof(title), "%s per %s, %s .. %s", metric,
             report_per_name(agg_spec_of(sp->a)->per), first, last);
    const char *t = grid_strdup(g, title);
    rc |= layout_add(g, l, R_CHART, 0,
                     (struct grid_col){ t, true, true, false, false, NULL,
                                        true });
    rc |= layout_add(g, l, R_TOTAL, 0,
                     (struct grid_col){ "total", true, false, false, false,
                                        NULL, false });
    return t != NULL && rc >= 0 ? 0 : -1;
}

/* A TOTAL row's sparkline: its currency's total per period (summed
 * exactly over the period's rows of other labels), on its own scale. */
static int total_line(const struct spark *sp, const struct agg_row *t,
                      double *v, struct dec *acc, struct buf *b)
{
    const char *label = report_label(sp->roll, t);
    double max = 0;

    memset(acc, 0, (sp->np + 1) * sizeof(*acc));
    for (size_t i = 0; i < agg_nrows(sp->ptot) && sp->np > 0; i++) {
        const struct agg_row *r = agg_row_at(sp->ptot, i);
        struct dec d;
        if (!same_label(report_label(sp->ptot, r), label))
            continue;
        report_metric_dec(sp->ptot, r, &d);
        if (dec_add(&acc[period_of(sp->a, r->t0)], &d) != DEC_OK)
            return -1;
    }
    for (size_t p = 0; p < sp->np; p++) {
        v[p] = dec_to_double(&acc[p]);
        if (v[p] > max)
            max = v[p];
    }
    return sparkline(v, sp->np, max, b);
}

static int spark_rows(const struct spark *sp, const struct report_opts *o,
                      const struct layout *l, struct grid *g, struct buf *b,
                      double *tv, struct dec *acc)
{
    struct scales sc = { { NULL }, { 0 }, 0 };
    size_t n = agg_nrows(sp->roll);

    for (size_t i = 0; i < n; i++) {
        for (size_t p = 0; p < sp->np; p++)
            scales_note(&sc, report_label(sp->roll, agg_row_at(sp->roll, i)),
                        sp->v[i * sp->np + p]);
    }
    for (size_t i = 0; i < n; i++) {
        const struct agg_row *r = agg_row_at(sp->roll, i);
        struct cell *row = grid_add_row(g, false);
        if (row == NULL ||
            sparkline(sp->v + i * sp->np, sp->np,
                      scales_max(&sc, report_label(sp->roll, r)), b) != 0 ||
            layout_fill(sp->roll, o->names, l, r, false, b->data, g, row) != 0)
            return -1;
    }
    for (size_t i = 0; i < agg_ntotals(sp->roll); i++) {
        const struct agg_row *t = agg_total_at(sp->roll, i);
        struct cell *row = grid_add_row(g, true);
        if (row == NULL || total_line(sp, t, tv, acc, b) != 0 ||
            layout_fill(sp->roll, o->names, l, t, true, b->data, g, row) != 0)
            return -1;
    }
    return 0;
}

int report_sparklines(const struct agg *a, const struct report_opts *o,
                      struct grid *g, struct ou_err *err)
{
    struct spark sp;
    struct layout l;
    struct buf b;
    int rc = spark_build(&sp, a, err);

    memset(&l, 0, sizeof(l));
    buf_init(&b, 0);
    if (rc == 0 && spark_columns(&sp, o->names, g, &l) != 0)
        rc = ou_fail(err, OU_E_DATA, "too many columns");
    /* Names several ids share are told apart here too. */
    if (rc == 0 && layout_dups(&l, sp.roll, o->names) != 0)
        rc = ou_nomem(err);
    if (rc == 0) {
        double *tv = calloc(sp.np + 1, sizeof(*tv));
        struct dec *acc = calloc(sp.np + 1, sizeof(*acc));
        if (tv == NULL || acc == NULL ||
            spark_rows(&sp, o, &l, g, &b, tv, acc) != 0)
            rc = ou_nomem(err);
        free(tv);
        free(acc);
    }
    layout_release(&l);
    buf_release(&b);
    spark_free(&sp);
    return rc;
}
