/* svgreport.c - --format svg: one report as a standalone SVG chart (see
 * report.h). Sums are exact (struct dec) and per currency; each is turned
 * into a double once, to be drawn. */
#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/svg.h"

#define SVG_TOP_GROUPS 20
#define SVG_TOP_SERIES 7

/* A report's groups over the window: the rows of `roll`, in table order. */
struct groups {
    const struct agg *a;    /* the report */
    struct agg *own;        /* the rollup, when a has --per */
    const struct agg *roll; /* a itself, or own */
    const char **label;     /* [n] "model / project (eur)" */
    double *total;          /* [n] exact totals, as doubles */
    size_t n;
    struct grid store; /* string storage */
};

static void groups_free(struct groups *gs)
{
    agg_free(gs->own);
    free(gs->label);
    free(gs->total);
    grid_release(&gs->store);
}

static bool many_currencies(const struct agg *a)
{
    const char *first = NULL;

    for (size_t i = 0; i < agg_nrows(a); i++) {
        const char *l = report_label(a, agg_row_at(a, i));
        if (l != NULL && first != NULL && strcmp(l, first) != 0)
            return true;
        if (first == NULL)
            first = l;
    }
    return false;
}

/* "model / project" for a row's group values (names when known), and its
 * currency when the report has several. */
static const char *row_label(const struct agg *a, const struct names *names,
                             const struct agg_row *r, bool currency,
                             struct grid *store)
{
    const struct agg_spec *sp = agg_spec_of(a);
    struct buf b;
    int rc = 0;

    buf_init(&b, 0);
    if (sp->ngroup == 0)
        rc |= buf_puts(&b, "total");
    for (int k = 0; k < sp->ngroup; k++) {
        const struct group_desc *gd = &sp->ep->groups[sp->group[k]];
        const char *v = r->key[k];
        const char *n = v != NULL ? names_get(names, gd->names, v) : NULL;
        if (k > 0)
            rc |= buf_puts(&b, " / ");
        rc |= buf_puts(&b, n != NULL ? n : v != NULL ? v : "(none)");
    }
    if (currency && report_label(a, r) != NULL)
        rc |= buf_printf(&b, " (%s)", report_label(a, r));
    const char *s = rc == 0 ? grid_strdup(store, b.data) : NULL;
    buf_release(&b);
    return s;
}

static int groups_build(struct groups *gs, const struct agg *a,
                        const struct names *names, struct ou_err *err)
{
    const struct agg_spec *s = agg_spec_of(a);
    struct agg_spec roll = { s->ep,       s->ngroup, { 0 },
                             TU_PER_NONE, false,     s->floor };

    memset(gs, 0, sizeof(*gs));
    grid_init(&gs->store, "");
    gs->store.local = s->floor != NULL; /* period labels in the zone */
    gs->a = a;
    gs->roll = a;
    if (s->per != TU_PER_NONE) {
        memcpy(roll.group, s->group, sizeof(roll.group));
        if ((gs->own = agg_regroup(a, &roll, err)) == NULL)
            return (int)err->cat;
        gs->roll = gs->own;
    }
    gs->n = agg_nrows(gs->roll);
    gs->label = calloc(gs->n + 1, sizeof(*gs->label));
    gs->total = calloc(gs->n + 1, sizeof(*gs->total));
    if (gs->label == NULL || gs->total == NULL)
        return ou_nomem(err);
    bool cur = many_currencies(gs->roll);
    for (size_t i = 0; i < gs->n; i++) {
        const struct agg_row *r = agg_row_at(gs->roll, i);
        gs->label[i] = row_label(gs->roll, names, r, cur, &gs->store);
        gs->total[i] = report_metric_double(gs->roll, r);
        if (gs->label[i] == NULL)
            return ou_nomem(err);
    }
    return 0;
}

/* acc[i] as doubles into v[i], once summed; an error when a sum left the
 * exact range. */
static int to_doubles(const struct dec *acc, double *v, size_t n, bool ok,
                      struct ou_err *err)
{
    for (size_t i = 0; i < n; i++)
        v[i] = dec_to_double(&acc[i]);
    return ok ? 0
              : ou_fail(err, OU_E_DATA,
                        "a chart total exceeds the exact decimal range");
}

/* Without --per: a bar per group, the largest 20, the rest as Other. */
static int bars(const struct groups *gs, const char *title, const char *sub,
                const struct metric_desc *md, struct buf *out,
                struct ou_err *err)
{
    static const int color[] = { 0 };
    const char *series[] = { md->name };
    int n = (int)gs->n;
    int *map = calloc((size_t)n + 1, sizeof(*map));
    int kept = map != NULL ? svg_fold(n, gs->total, SVG_TOP_GROUPS, 0, map) : 0;
    int ncat = kept + (kept < n);
    const char **cats = calloc((size_t)ncat + 1, sizeof(*cats));
    struct dec *acc = calloc((size_t)ncat + 1, sizeof(*acc));
    double *v = calloc((size_t)ncat + 1, sizeof(*v));
    bool ok = true;
    int rc = -1;

    if (map != NULL && cats != NULL && acc != NULL && v != NULL) {
        for (int i = 0; i < n; i++) {
            int c = map[i] == SVG_OTHER ? kept : map[i];
            struct dec d;
            report_metric_dec(gs->roll, agg_row_at(gs->roll, (size_t)i), &d);
            cats[c] = map[i] == SVG_OTHER ? "Other" : gs->label[i];
            ok &= dec_add(&acc[c], &d) == DEC_OK;
        }
        struct bar_chart bc = {
            title,        sub,   md->name, md->kind == MK_DEC,
            BARS_GROUPED, ncat,  cats,     1,
            series,       color, v,        false,
            NULL
        };
        rc = to_doubles(acc, v, (size_t)ncat, ok, err);
        if (rc == 0 && svg_bar_chart(out, &bc, 1000, 420) != 0)
            rc = ou_nomem(err);
    }
    if (rc < 0)
        rc = ou_nomem(err);
    free(map);
    free(cats);
    free(acc);
    free(v);
    return rc;
}

/* With --per: periods along x, stacked by group (the largest 7 + Other). */
static int stacks(struct groups *gs, const char *title, const char *sub,
                  const struct metric_desc *md, struct buf *out,
                  struct ou_err *err)
{
    const struct agg *a = gs->a;
    struct ident *ids = calloc(gs->n + 1, sizeof(*ids));
    struct htab t = { NULL, NULL, 0, 0 };
    int n = (int)gs->n;
    int np = (int)agg_nperiods(a);
    int *map = calloc((size_t)n + 1, sizeof(*map));
    int kept = map != NULL ? svg_fold(n, gs->total, SVG_TOP_SERIES, 0, map) : 0;
    int nser = kept + (kept < n);
    const char **ser = calloc((size_t)nser + 1, sizeof(*ser));
    int *col = calloc((size_t)nser + 1, sizeof(*col));
    struct dec *acc = calloc((size_t)nser * (size_t)np + 1, sizeof(*acc));
    double *v = calloc((size_t)nser * (size_t)np + 1, sizeof(*v));
    const char **cats = calloc((size_t)np + 1, sizeof(*cats));
    bool ok = true;
    int rc = -1;

    if (ids != NULL && map != NULL && ser != NULL && col != NULL &&
        acc != NULL && v != NULL && cats != NULL &&
        index_groups(gs->roll, ids, &t) == 0) {
        for (int i = 0; i < n; i++) {
            int k = map[i] == SVG_OTHER ? kept : map[i];
            ser[k] = map[i] == SVG_OTHER ? "Other" : gs->label[i];
        }
        /* A group's colour follows its label, not its rank (svg.h). */
        if (kept < nser)
            ser[kept] = NULL;
        rc = svg_stable_colors(nser, ser, col);
        if (kept < nser)
            ser[kept] = "Other";
        if (rc == 0)
            rc = period_labels(a, cats, &gs->store);
        for (size_t i = 0; rc == 0 && i < agg_nrows(a); i++) {
            const struct agg_row *r = agg_row_at(a, i);
            int g = map[group_of(&t, a, r)];
            int k = g == SVG_OTHER ? kept : g;
            struct dec d;
            report_metric_dec(a, r, &d);
            ok &= dec_add(&acc[(size_t)k * (size_t)np + period_of(a, r->t0)],
                          &d) == DEC_OK;
        }
        struct bar_chart bc = { title,        sub, md->name, md->kind == MK_DEC,
                                BARS_STACKED, np,  cats,     nser,
                                ser,          col, v,        true,
                                NULL };
        if (rc == 0)
            rc = to_doubles(acc, v, (size_t)nser * (size_t)np, ok, err);
        if (rc == 0 && svg_bar_chart(out, &bc, 1000, 420) != 0)
            rc = ou_nomem(err);
    }
    if (rc < 0)
        rc = ou_nomem(err);
    htab_release(&t);
    free(ids);
    free(map);
    free(ser);
    free(col);
    free(acc);
    free(v);
    free(cats);
    return rc;
}

int report_svg(const struct agg *a, const struct names *names,
               const struct report_meta *m, struct buf *out, struct ou_err *err)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const struct metric_desc *md = &sp->ep->metrics[sp->ep->sort_metric];
    char from[TU_RFC3339_LEN], to[TU_RFC3339_LEN], title[160], sub[160];
    struct groups gs;
    int rc;

    if (sp->records)
        return ou_fail(err, OU_E_USAGE,
                       "--format svg charts a grouped or --per report, not "
                       "--records");
    if (sp->floor != NULL) {
        zone_format_date(m->start_time, from);
        zone_format_date(m->end_time - 1, to);
    } else {
        tu_format_date(m->start_time, from);
        tu_format_date(m->end_time - 1, to);
    }
    snprintf(title, sizeof(title), "%s: %s", sp->ep->command, md->name);
    snprintf(sub, sizeof(sub), "%s to %s (%s)%s%s", from, to,
             sp->floor != NULL ? zone_name() : "UTC",
             sp->per != TU_PER_NONE ? ", per " : "",
             sp->per != TU_PER_NONE ? report_per_name(sp->per) : "");
    rc = groups_build(&gs, a, names, err);
    if (rc == 0)
        rc = sp->per == TU_PER_NONE ? bars(&gs, title, sub, md, out, err)
                                    : stacks(&gs, title, sub, md, out, err);
    groups_free(&gs);
    return rc;
}
