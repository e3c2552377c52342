/* html.c - the self-contained HTML report (see html.h).
 *
 * Two steps. First the aggregates are summed exactly: the tables' token and
 * request totals in int64 with overflow checks, everything a chart draws in
 * struct dec grids, money always per currency. Then the document is written
 * one section at a time; a chart converts its exact sums to double only to
 * draw them. All the scratch memory lives in one arena, freed at the end.
 */
#include "oaiusage/html.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/arena.h"
#include "oaiusage/fmt.h"
#include "oaiusage/svg.h"
#include "oaiusage/timeutil.h"
#include "oaiusage/zone.h"

#define DAY 86400LL
#define TOP_MODELS 12
#define TOP_SERIES 7
#define TOP_ROWS 15      /* bars of a cost by project or model chart */
#define OTHER_SHARE 0.01 /* a share under this is "Other" in the donut */
#define NOT_FOLDED (-2)  /* a fold map entry svg_fold has not written */

/* ---- scratch memory ----------------------------------------------------------- */

/* n zeroed elements (at least one) from the arena, or NULL. */
static void *zalloc(struct arena *ar, size_t n, size_t size)
{
    if (n == 0)
        n = 1;
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    void *p = arena_alloc(ar, n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

/* a, b, c and d (NULLs skipped) joined, in the arena; NULL when out of
 * memory. */
static char *acat(struct arena *ar, const char *a, const char *b, const char *c,
                  const char *d)
{
    const char *part[4] = { a, b, c, d };
    size_t n = 1, at = 0;

    for (int i = 0; i < 4; i++)
        n += part[i] != NULL ? strlen(part[i]) : 0;
    char *s = zalloc(ar, n, 1);
    for (int i = 0; s != NULL && i < 4; i++) {
        size_t k = part[i] != NULL ? strlen(part[i]) : 0;
        if (k > 0)
            memcpy(s + at, part[i], k);
        at += k;
    }
    return s;
}

/* Distinct keys (ids), first seen first (a tiny string -> index map), and
 * what each reads as in the report. */
struct labels {
    const char **name; /* the key: an id, a model, a line item */
    const char **disp; /* [n] what the report shows (label_display) */
    int n;
    int cap;
};

static int label_index(struct arena *ar, struct labels *l, const char *name)
{
    for (int i = 0; i < l->n; i++) {
        if (strcmp(l->name[i], name) == 0)
            return i;
    }
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 32;
        const char **nn = zalloc(ar, (size_t)cap, sizeof(*nn));
        if (nn == NULL)
            return -1;
        if (l->n > 0)
            memcpy(nn, l->name, (size_t)l->n * sizeof(*nn));
        l->name = nn;
        l->cap = cap;
    }
    l->name[l->n] = name;
    return l->n++;
}

/* Does another key read as disp[i]? */
static bool reads_same(const struct labels *l, int i)
{
    for (int j = 0; j < l->n; j++) {
        if (j != i && strcmp(l->disp[j], l->disp[i]) == 0)
            return true;
    }
    return false;
}

/* The shortest tail of key i (4 characters or more) that no other key
 * reading the same ends in. */
static size_t distinct_tail(const struct labels *l, int i)
{
    size_t n = strlen(l->name[i]), k = n < 4 ? n : 4;

    for (; k < n; k++) {
        bool clash = false;
        for (int j = 0; j < l->n && !clash; j++) {
            size_t m = strlen(l->name[j]);
            clash = j != i && strcmp(l->disp[j], l->disp[i]) == 0 && m >= k &&
                    strcmp(l->name[j] + m - k, l->name[i] + n - k) == 0;
        }
        if (!clash)
            break;
    }
    while (k < n && ((unsigned char)l->name[i][n - k] & 0xC0) == 0x80)
        k++; /* whole characters */
    return k;
}

/* Each key's display: disp[i] as given (a name, or the key itself), made
 * unique: keys that read the same gain the shortest distinct tail of their
 * id, "Data Evaluator (...R0HK)" with an ellipsis (the whole id when it is
 * that short). */
static int label_unique(struct arena *ar, struct labels *l)
{
    const char **out = zalloc(ar, (size_t)l->n, sizeof(*out));

    if (out == NULL)
        return -1;
    for (int i = 0; i < l->n; i++) {
        out[i] = l->disp[i];
        if (!reads_same(l, i))
            continue;
        size_t n = strlen(l->name[i]), k = distinct_tail(l, i);
        out[i] = acat(ar, l->disp[i], k < n ? " (\xe2\x80\xa6" : " (",
                      l->name[i] + n - k, ")");
        if (out[i] == NULL)
            return -1;
    }
    l->disp = out;
    return 0;
}
/* ---- exact sums ----------------------------------------------------------------- */

/* A (rows x columns) matrix of exact sums of one metric. */
struct sums {
    int nrow;
    int ncol;
    struct dec *v;    /* [nrow * ncol], DEC_ZERO to start */
    const char *what; /* the metric, for the range error */
};

static int sums_init(struct arena *ar, struct sums *g, int nrow, int ncol,
                     const char *what)
{
    *g = (struct sums){ nrow, ncol, NULL, what };
    g->v = zalloc(ar, (size_t)nrow * (size_t)ncol, sizeof(*g->v));
    return g->v == NULL ? -1 : 0;
}

static struct dec *sums_at(const struct sums *g, int r, int c)
{
    return &g->v[(size_t)r * (size_t)g->ncol + (size_t)c];
}

static int sums_add(struct sums *g, int r, int c, const struct dec *v,
                    struct ou_err *err)
{
    if (dec_add(sums_at(g, r, c), v) != DEC_OK)
        return ou_fail(err, OU_E_DATA,
                       "%s total exceeds the exact decimal range", g->what);
    return 0;
}

static int sums_add_int(struct sums *g, int r, int c, int64_t v,
                        struct ou_err *err)
{
    struct dec d = dec_from_int64(v);
    return sums_add(g, r, c, &d, err);
}

/* out[rmap[r]][cmap[c]] = the exact sum of the cells of g mapped there; a
 * NULL map keeps that dimension as it is, a map of zeros sums it away. */
static int sums_fold(struct arena *ar, const struct sums *g, const int *rmap,
                     int nrow, const int *cmap, int ncol, struct sums *out,
                     struct ou_err *err)
{
    if (sums_init(ar, out, nrow, ncol, g->what) != 0)
        return ou_nomem(err);
    for (int r = 0; r < g->nrow; r++) {
        for (int c = 0; c < g->ncol; c++) {
            int rc = sums_add(out, rmap ? rmap[r] : r, cmap ? cmap[c] : c,
                              sums_at(g, r, c), err);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

/* The cells as doubles, for drawing only. */
static double *sums_doubles(struct arena *ar, const struct sums *g)
{
    size_t n = (size_t)g->nrow * (size_t)g->ncol;
    double *d = zalloc(ar, n, sizeof(*d));
    for (size_t i = 0; d != NULL && i < n; i++)
        d[i] = dec_to_double(&g->v[i]);
    return d;
}

/* grid_fold, then the result as doubles: what a chart draws. */
static int fold_doubles(struct arena *ar, const struct sums *g, const int *rmap,
                        int nrow, const int *cmap, int ncol, double **v,
                        struct ou_err *err)
{
    struct sums f;
    int rc = sums_fold(ar, g, rmap, nrow, cmap, ncol, &f, err);
    if (rc != 0)
        return rc;
    *v = sums_doubles(ar, &f);
    return *v == NULL ? ou_nomem(err) : 0;
}

/* ---- folds ---------------------------------------------------------------------------- */

/* Which series a chart shows: the kept ones (largest first), then "Other
 * (N projects)" when anything is folded. map[i] is series i's row in the
 * chart; colours follow the keys (svg_stable_colors), "Other" is grey. */
struct fold {
    int kept;
    int n;              /* rows in the chart: kept, plus one for "Other" */
    int *map;           /* [series]; folded series map to row `kept` */
    const char **names; /* [n] */
    int *color;         /* [n] palette index, SVG_OTHER for "Other" */
};

/* The series to fold: n of them, keyed (for colours) and displayed, with
 * their totals. skip_zero: a series with no total (a project seen only in
 * the costs, in a usage chart) is left out: not kept, not counted in
 * "Other" (its values, all zero, go to a row that adds nothing). */
struct fold_in {
    int n;
    const char *const *key;
    const char *const *disp;
    const double *total;
    const char *noun; /* "projects": "Other (3 projects)" */
    bool skip_zero;
};

static int fold_make(struct arena *ar, const struct fold_in *in, int top,
                     double min_share, struct fold *f)
{
    int *idx = zalloc(ar, (size_t)in->n, sizeof(*idx));
    double *tot = zalloc(ar, (size_t)in->n, sizeof(*tot));
    int *map = zalloc(ar, (size_t)in->n, sizeof(*map));
    const char **keys;
    char num[24];
    int m = 0;

    f->map = zalloc(ar, (size_t)in->n, sizeof(*f->map));
    if (idx == NULL || tot == NULL || map == NULL || f->map == NULL)
        return -1;
    for (int i = 0; i < in->n; i++) {
        if (!in->skip_zero || in->total[i] > 0) {
            idx[m] = i;
            tot[m++] = in->total[i];
        }
    }
    map[0] = NOT_FOLDED;
    f->kept = svg_fold(m, tot, top, min_share, map);
    if (m > 0 && map[0] == NOT_FOLDED)
        return -1; /* svg_fold ran out of memory */
    f->n = f->kept + (f->kept < m || f->kept == 0);
    f->names = zalloc(ar, (size_t)f->n, sizeof(*f->names));
    f->color = zalloc(ar, (size_t)f->n, sizeof(*f->color));
    keys = zalloc(ar, (size_t)f->n, sizeof(*keys));
    if (f->names == NULL || f->color == NULL || keys == NULL)
        return -1;
    for (int j = 0; j < m; j++) {
        int r = map[j] == SVG_OTHER ? f->kept : map[j];
        f->map[idx[j]] = r;
        if (map[j] != SVG_OTHER) {
            f->names[r] = in->disp[idx[j]];
            keys[r] = in->key[idx[j]];
        }
    }
    for (int i = 0; i < in->n; i++) {
        if (in->skip_zero && !(in->total[i] > 0))
            f->map[i] = f->n - 1; /* all zero: adds nothing */
    }
    if (f->kept < f->n) {
        snprintf(num, sizeof(num), "%d ", m - f->kept);
        f->names[f->kept] = acat(ar, "Other (", num, in->noun, ")");
        if (f->names[f->kept] == NULL)
            return -1;
    }
    return svg_stable_colors(f->n, keys, f->color);
}

/* ---- the report's state --------------------------------------------------------- */

/* Completions: labels per row, exact sums for the table and the charts. */
struct usage {
    struct labels models;
    int *row_model, *row_project; /* per agg row: its labels */
    int64_t (*mt)[3];             /* per model: requests, input, output */
    int64_t sum[3];               /* the TOTAL row */
    double *mtotal;               /* per model: requests (for folding) */
    double *ptotal;               /* per project: requests */
    struct sums inout;            /* 2 x slots: input, output tokens */
    struct sums req;              /* projects x models: requests */
    struct sums preq;             /* projects x 1: requests */
};

/* Exact amounts of one kind of group (line item, project, model) per
 * currency, never across currencies. */
struct by_cur {
    struct sums amount; /* groups x currencies */
    bool *billed;       /* [groups x currencies]: has rows */
};

/* Costs: amounts per line item, project and model, and per currency. */
struct costs {
    struct labels items;     /* line items, first seen first */
    struct labels models;    /* models derived from the line items */
    struct labels curs;      /* currencies, by code */
    int *row_item, *row_cur; /* per agg row: its labels */
    int *row_project, *row_model;
    struct by_cur item, project, model;
    struct sums total; /* 1 x currencies */
    bool has_model;    /* the costs carry the derived model group */
};

struct ctx {
    const struct html_input *in;
    struct ou_err *err;
    struct arena ar;
    int m_use[3]; /* requests, input, output tokens */
    int m_amt, m_cur;
    int u_model, u_project;         /* group positions in the usage rows */
    int c_item, c_project, c_model; /* in the costs rows (-1: none) */
    int64_t d0;                     /* 00:00 UTC of the first day */
    int ndays;
    const char **days; /* "YYYY-MM-DD" per day */
    int64_t step;      /* the usage slots: DAY or 3600 */
    int64_t s0;        /* the first slot's start */
    int nslots;
    const char **slots; /* "YYYY-MM-DD" or "YYYY-MM-DD HH:00" per slot */
    char a[TU_RFC3339_LEN], b[TU_RFC3339_LEN];
    char last[TU_RFC3339_LEN]; /* the last day included */
    char sub[128];             /* "per UTC day, FROM to TO" */
    char usub[128];            /* the same per UTC hour for hourly slots */
    char win[64];              /* "FROM to TO" */
    struct labels projects;    /* of the usage and the costs */
    struct usage u;
    struct costs c;
};

static const char *const use_metric[3] = { "num_model_requests", "input_tokens",
                                           "output_tokens" };

/* The position of group field name in a's rows, or -1. */
static int group_pos(const struct agg *a, const char *name)
{
    const struct agg_spec *sp = agg_spec_of(a);
    for (int k = 0; k < sp->ngroup; k++) {
        if (strcmp(sp->ep->groups[sp->group[k]].name, name) == 0)
            return k;
    }
    return -1;
}

/* One label per slot: dates, or "YYYY-MM-DD HH:00" for hours. */
static const char **slot_labels(struct ctx *x, int64_t t0, int64_t step, int n,
                                bool local)
{
    const char **l = zalloc(&x->ar, (size_t)n, sizeof(*l));
    char *text = zalloc(&x->ar, (size_t)n, 17);
    char t[TU_RFC3339_LEN];

    for (int i = 0; l != NULL && text != NULL && i < n; i++) {
        char *s = text + (size_t)17 * i;
        int64_t at = t0 + (int64_t)i * step;
        tu_format_rfc3339(local ? zone_wall(at) : at, t);
        if (step == DAY)
            snprintf(s, 17, "%.10s", t);
        else
            snprintf(s, 17, "%.10s %.5s", t, t + 11);
        l[i] = s;
    }
    return text != NULL ? l : NULL;
}

static int ctx_init(struct ctx *x, const struct html_input *in,
                    struct ou_err *err)
{
    const struct endpoint *uep = agg_spec_of(in->usage)->ep;
    const struct endpoint *cep = agg_spec_of(in->costs)->ep;

    x->in = in;
    x->err = err;
    for (int j = 0; j < 3; j++)
        x->m_use[j] = endpoint_metric_index(uep, use_metric[j]);
    x->m_amt = endpoint_metric_index(cep, "amount");
    x->m_cur = endpoint_metric_index(cep, "currency");
    x->u_model = group_pos(in->usage, "model");
    x->u_project = group_pos(in->usage, "project_id");
    x->c_item = group_pos(in->costs, "line_item");
    x->c_project = group_pos(in->costs, "project_id");
    x->c_model = group_pos(in->costs, "model");
    x->d0 = tu_floor_day(in->start);
    x->ndays = (int)((in->end - x->d0 + DAY - 1) / DAY);
    x->ndays = x->ndays < 1 ? 1 : x->ndays;
    x->step = in->step > 0 && in->step < DAY ? in->step : DAY;
    x->s0 = in->start - ((in->start % x->step) + x->step) % x->step;
    x->nslots = (int)((in->end - x->s0 + x->step - 1) / x->step);
    if (in->local && x->step == DAY) {
        /* local days, counted on the local clock (23 to 25 hours) */
        x->s0 = tu_floor_day(zone_wall(in->start));
        x->nslots = (int)((zone_wall(in->end) - x->s0 + DAY - 1) / DAY);
    }
    x->nslots = x->nslots < 1 ? 1 : x->nslots;
    tu_format_rfc3339(in->start, x->a);
    tu_format_rfc3339(in->end, x->b);
    /* "A to B" always names the last day included. */
    tu_format_date(in->end > in->start ? in->end - 1 : in->end, x->last);
    snprintf(x->sub, sizeof(x->sub), "per UTC day, %.10s to %s", x->a, x->last);
    if (in->local) {
        char la[ZONE_RFC3339_LEN], ll[11];
        zone_format_rfc3339(in->start, la);
        zone_format_date(in->end > in->start ? in->end - 1 : in->end, ll);
        snprintf(x->usub, sizeof(x->usub), "per %s in %s, %.10s to %s",
                 x->step == DAY ? "day" : "hour", zone_name(), la, ll);
    } else {
        snprintf(x->usub, sizeof(x->usub), "per UTC %s, %.10s to %s",
                 x->step == DAY ? "day" : "hour", x->a, x->last);
    }
    snprintf(x->win, sizeof(x->win), "%.10s to %s", x->a, x->last);
    x->days = slot_labels(x, x->d0, DAY, x->ndays, false);
    x->slots = slot_labels(x, x->s0, x->step, x->nslots,
                           in->local && x->step != DAY);
    return x->days == NULL || x->slots == NULL ? ou_nomem(err) : 0;
}

/* The row's day in the window, or -1. */
static int day_index(const struct ctx *x, int64_t t0)
{
    int64_t di = (t0 - x->d0) / DAY;
    return t0 >= x->d0 && di < x->ndays ? (int)di : -1;
}

/* The usage row's slot (day or hour), or -1. */
static int slot_index(const struct ctx *x, int64_t t0)
{
    if (x->in->local && x->step == DAY)
        t0 = tu_floor_day(zone_wall(t0)); /* slots are local days */
    int64_t si = (t0 - x->s0) / x->step;
    return t0 >= x->s0 && si < x->nslots ? (int)si : -1;
}

/* ---- summing -------------------------------------------------------------------- */

/* Each row's label index for group position pos (a NULL value, or no such
 * group, is the key ""), the labels gathered into l, first seen first. */
static int *label_rows(struct ctx *x, const struct agg *a, int pos,
                       struct labels *l)
{
    size_t n = agg_nrows(a);
    int *idx = zalloc(&x->ar, n, sizeof(*idx));
    for (size_t r = 0; idx != NULL && r < n; r++) {
        const struct agg_row *row = agg_row_at(a, r);
        const char *k = pos >= 0 && row->key[pos] != NULL ? row->key[pos] : "";
        if ((idx[r] = label_index(&x->ar, l, k)) < 0)
            return NULL;
    }
    return idx;
}

/* Each row's currency index (labels in l). */
static int *currency_rows(struct ctx *x, const struct agg *a, struct labels *l)
{
    size_t n = agg_nrows(a);
    int *idx = zalloc(&x->ar, n, sizeof(*idx));
    for (size_t r = 0; idx != NULL && r < n; r++) {
        const char *c = agg_row_at(a, r)->text[x->m_cur];
        if ((idx[r] = label_index(&x->ar, l, c != NULL ? c : "")) < 0)
            return NULL;
    }
    return idx;
}

/* What each key reads as: the key "" as none, a project id as its name
 * when the names know it; then made unique (label_unique). */
static int label_display(struct ctx *x, struct labels *l, const char *none,
                         bool project)
{
    l->disp = zalloc(&x->ar, (size_t)l->n, sizeof(*l->disp));
    if (l->disp == NULL)
        return ou_nomem(x->err);
    for (int i = 0; i < l->n; i++) {
        const char *n = project && l->name[i][0] != '\0'
                            ? names_get(x->in->names, NK_PROJECT, l->name[i])
                            : NULL;
        l->disp[i] = l->name[i][0] == '\0' ? none : n != NULL ? n : l->name[i];
    }
    return label_unique(&x->ar, l) == 0 ? 0 : ou_nomem(x->err);
}

static int add_int(int64_t *acc, int64_t v, const char *what,
                   struct ou_err *err)
{
    if (__builtin_add_overflow(*acc, v, acc))
        return ou_fail(err, OU_E_DATA, "%s total overflows a 64-bit integer",
                       what);
    return 0;
}

/* One completions row into the model totals and the chart grids. */
static int usage_add_row(struct ctx *x, size_t r)
{
    struct usage *u = &x->u;
    const struct agg_row *row = agg_row_at(x->in->usage, r);
    int mi = u->row_model[r];
    int si = slot_index(x, row->t0);
    int rc = 0;

    for (int j = 0; j < 3 && rc == 0; j++)
        rc = add_int(&u->mt[mi][j], row->ival[x->m_use[j]], use_metric[j],
                     x->err);
    for (int j = 0; j < 2 && rc == 0 && si >= 0; j++)
        rc = sums_add_int(&u->inout, j, si, row->ival[x->m_use[1 + j]], x->err);
    if (rc == 0)
        rc = sums_add_int(&u->req, u->row_project[r], mi,
                          row->ival[x->m_use[0]], x->err);
    return rc;
}

/* The TOTAL row and the totals the charts fold by. */
static int usage_totals(struct ctx *x)
{
    struct usage *u = &x->u;
    int *zero = zalloc(&x->ar, (size_t)u->models.n, sizeof(*zero));
    int rc = 0;

    u->mtotal = zalloc(&x->ar, (size_t)u->models.n, sizeof(*u->mtotal));
    if (zero == NULL || u->mtotal == NULL)
        return ou_nomem(x->err);
    for (int i = 0; i < u->models.n && rc == 0; i++) {
        u->mtotal[i] = (double)u->mt[i][0];
        for (int j = 0; j < 3 && rc == 0; j++)
            rc = add_int(&u->sum[j], u->mt[i][j], use_metric[j], x->err);
    }
    if (rc == 0)
        rc = sums_fold(&x->ar, &u->req, NULL, x->projects.n, zero, 1, &u->preq,
                       x->err);
    if (rc == 0 && (u->ptotal = sums_doubles(&x->ar, &u->preq)) == NULL)
        rc = ou_nomem(x->err);
    return rc;
}

/* The rows' labels: models and projects of the usage, line items,
 * projects, models and currencies of the costs (projects shared). */
static int gather_labels(struct ctx *x)
{
    struct usage *u = &x->u;
    struct costs *k = &x->c;
    const struct agg *c = x->in->costs;

    u->row_model = label_rows(x, x->in->usage, x->u_model, &u->models);
    u->row_project = label_rows(x, x->in->usage, x->u_project, &x->projects);
    k->row_item = label_rows(x, c, x->c_item, &k->items);
    k->row_project = label_rows(x, c, x->c_project, &x->projects);
    k->row_model = label_rows(x, c, x->c_model, &k->models);
    k->row_cur = currency_rows(x, c, &k->curs);
    k->has_model = x->c_model >= 0;
    if (u->row_model == NULL || u->row_project == NULL || k->row_item == NULL ||
        k->row_project == NULL || k->row_model == NULL || k->row_cur == NULL)
        return ou_nomem(x->err);
    int rc = label_display(x, &x->projects, "(no project)", true);
    if (rc == 0)
        rc = label_display(x, &u->models, "(no model)", false);
    if (rc == 0)
        rc = label_display(x, &k->models, "(no model)", false);
    if (rc == 0)
        rc = label_display(x, &k->items, "(no line item)", false);
    return rc;
}

static int usage_prepare(struct ctx *x)
{
    struct usage *u = &x->u;
    const struct agg *a = x->in->usage;
    int rc = 0;

    u->mt = zalloc(&x->ar, (size_t)u->models.n, sizeof(*u->mt));
    if (u->mt == NULL ||
        sums_init(&x->ar, &u->inout, 2, x->nslots, "token") != 0 ||
        sums_init(&x->ar, &u->req, x->projects.n, u->models.n, "request") != 0)
        return ou_nomem(x->err);
    for (size_t r = 0; r < agg_nrows(a) && rc == 0; r++)
        rc = usage_add_row(x, r);
    return rc == 0 ? usage_totals(x) : rc;
}

static int cmp_str(const void *p, const void *q)
{
    return strcmp(*(const char *const *)p, *(const char *const *)q);
}

/* Order the currencies by code and renumber the rows' currencies. With no
 * costs at all, the charts still show (empty) in dollars. */
static int costs_sort_currencies(struct ctx *x)
{
    struct costs *k = &x->c;
    int n = k->curs.n;
    const char **sorted = zalloc(&x->ar, (size_t)n, sizeof(*sorted));
    int *rank = zalloc(&x->ar, (size_t)n, sizeof(*rank));

    if (sorted == NULL || rank == NULL)
        return ou_nomem(x->err);
    if (n > 0)
        memcpy(sorted, k->curs.name, (size_t)n * sizeof(*sorted));
    qsort(sorted, (size_t)n, sizeof(*sorted), cmp_str);
    for (int i = 0; i < n; i++) {
        while (strcmp(sorted[rank[i]], k->curs.name[i]) != 0)
            rank[i]++;
    }
    for (size_t r = 0; r < agg_nrows(x->in->costs); r++)
        k->row_cur[r] = rank[k->row_cur[r]];
    if (n > 0)
        memcpy(k->curs.name, sorted, (size_t)n * sizeof(*sorted));
    else if (label_index(&x->ar, &k->curs, "usd") < 0)
        return ou_nomem(x->err);
    return 0;
}

static int by_cur_init(struct ctx *x, struct by_cur *g, int n)
{
    int ncur = x->c.curs.n;
    g->billed = zalloc(&x->ar, (size_t)n * (size_t)ncur, sizeof(*g->billed));
    if (g->billed == NULL || sums_init(&x->ar, &g->amount, n, ncur, "amount"))
        return ou_nomem(x->err);
    return 0;
}

static int by_cur_add(struct ctx *x, struct by_cur *g, int i, int c,
                      const struct dec *v)
{
    g->billed[i * x->c.curs.n + c] = true;
    return sums_add(&g->amount, i, c, v, x->err);
}

static int costs_prepare(struct ctx *x)
{
    struct costs *k = &x->c;
    const struct agg *a = x->in->costs;
    int rc;

    if ((rc = costs_sort_currencies(x)) != 0)
        return rc;
    int *zero = zalloc(&x->ar, (size_t)k->items.n, sizeof(*zero));
    if (zero == NULL)
        return ou_nomem(x->err);
    if ((rc = by_cur_init(x, &k->item, k->items.n)) != 0 ||
        (rc = by_cur_init(x, &k->project, x->projects.n)) != 0 ||
        (rc = by_cur_init(x, &k->model, k->models.n)) != 0)
        return rc;
    for (size_t r = 0; r < agg_nrows(a) && rc == 0; r++) {
        const struct dec *v = &agg_row_at(a, r)->dval[x->m_amt];
        int c = k->row_cur[r];
        rc = by_cur_add(x, &k->item, k->row_item[r], c, v);
        if (rc == 0)
            rc = by_cur_add(x, &k->project, k->row_project[r], c, v);
        if (rc == 0)
            rc = by_cur_add(x, &k->model, k->row_model[r], c, v);
    }
    if (rc != 0)
        return rc;
    return sums_fold(&x->ar, &k->item.amount, zero, 1, NULL, k->curs.n,
                     &k->total, x->err);
}

/* ---- the document ----------------------------------------------------------------- */

static int nomem_if(struct ctx *x, int rc)
{
    return rc == 0 ? 0 : ou_nomem(x->err);
}

static const char style[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,"
    "sans-serif;margin:24px;color:#222;max-width:1100px}"
    "h1{font-size:22px;margin:0 0 4px}header p{margin:2px 0;color:#555}"
    "section{margin:28px 0}h2{font-size:17px;margin:22px 0 8px}"
    "svg{max-width:100%;height:auto;border:1px solid #eee}"
    "table{border-collapse:collapse;font-size:13px}"
    "th,td{padding:4px 10px;border-bottom:1px solid #eee;text-align:left}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "tfoot td{font-weight:600}span.id{color:#777;font-size:12px}";

/* The total spend up front: exact sums per currency, each rounded once
 * to the cent ("Total spend: $4,973.19"). */
static int put_total_spend(struct ctx *x, struct buf *out)
{
    const struct agg *c = x->in->costs;
    const struct endpoint *ep = agg_spec_of(c)->ep;
    int m = endpoint_metric_index(ep, "amount");
    int cur = endpoint_metric_index(ep, "currency");
    char money[MONEY_FMT_MAX];
    int rc = buf_puts(out, "<p class=\"total\">Total spend: ");

    if (agg_ntotals(c) == 0)
        rc |= buf_puts(out, "none");
    for (size_t i = 0; i < agg_ntotals(c); i++) {
        const struct agg_row *t = agg_total_at(c, i);
        money_format(&t->dval[m], t->text[cur], money, sizeof(money));
        rc |= buf_puts(out, i > 0 ? ", " : "");
        rc |= svg_escape(out, money);
    }
    return rc | buf_puts(out, "</p>");
}

static int put_head(struct ctx *x, struct buf *out)
{
    char g[TU_RFC3339_LEN];
    int rc;

    tu_format_rfc3339(x->in->generated, g);
    rc = buf_puts(out, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/"
                       "xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>"
                       "<title>OpenAI usage and costs, ");
    rc |= buf_printf(out,
                     "%.10s to %s</title><style>%s</style></head>"
                     "<body><header><h1>OpenAI usage and costs</h1>",
                     x->a, x->last, style);
    rc |= buf_printf(out,
                     "<p>Window: %.10s to %s, UTC days, the last one "
                     "included (%s to %s, end exclusive)</p>",
                     x->a, x->last, x->a, x->b);
    if (x->in->filters != NULL) {
        rc |= buf_puts(out, "<p class=\"filters\">Filtered: ");
        rc |= svg_escape(out, x->in->filters);
        rc |= buf_puts(out, "</p>");
    }
    if (x->in->local)
        rc |= buf_printf(out,
                         "<p class=\"zone\">Usage charts are in %s (local "
                         "days%s); cost charts are per UTC day, the only "
                         "days the API bills by.</p>",
                         zone_name(), x->step == DAY ? "" : " and hours");
    rc |= put_total_spend(x, out);
    rc |= buf_printf(out, "<p>Generated %s by oaiusage from ", g);
    rc |= svg_escape(out, x->in->source);
    rc |= buf_puts(out, "</p></header>");
    return nomem_if(x, rc);
}

/* <section id="ID"> or, with a suffix, id="ID-SUFFIX" with every byte but
 * an ASCII letter or digit written as _hh (distinct suffixes, distinct ids). */
static int section_open(struct buf *b, const char *id, const char *suffix)
{
    int rc = buf_printf(b, "<section id=\"%s", id);
    if (suffix != NULL)
        rc |= buf_putc(b, '-');
    for (const char *p = suffix; p != NULL && *p; p++) {
        unsigned char ch = (unsigned char)*p;
        bool plain = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
                     (ch >= 'A' && ch <= 'Z');
        rc |= plain ? buf_putc(b, (char)ch) : buf_printf(b, "_%02x", ch);
    }
    return rc | buf_puts(b, "\">");
}

static int put_bars(struct ctx *x, struct buf *out, const char *id,
                    const char *suffix, const struct bar_chart *c, int height)
{
    int rc = section_open(out, id, suffix);
    rc |= svg_bar_chart(out, c, 1000, height);
    rc |= buf_puts(out, "</section>");
    return nomem_if(x, rc);
}

/* Input vs output tokens per slot (day, or hour in a short window). */
static int chart_tokens(struct ctx *x, struct buf *out)
{
    static const char *const names[] = { "input tokens", "output tokens" };
    static const int color[] = { 0, 1 };
    double *v = sums_doubles(&x->ar, &x->u.inout);

    if (v == NULL)
        return ou_nomem(x->err);
    struct bar_chart c = { x->step == DAY ? "Daily input vs output tokens"
                                          : "Hourly input vs output tokens",
                           x->usub,
                           "tokens",
                           false,
                           BARS_GROUPED,
                           x->nslots,
                           x->slots,
                           2,
                           names,
                           color,
                           v,
                           true,
                           NULL };
    return put_bars(x, out, "tokens", NULL, &c, 360);
}

/* The usage's projects to fold by requests. */
static struct fold_in usage_projects(const struct ctx *x)
{
    return (struct fold_in){ x->projects.n, x->projects.name, x->projects.disp,
                             x->u.ptotal,   "projects",       true };
}

/* Requests per model (top models + Other), one row each, stacked by
 * project (top projects + Other). */
static int chart_models(struct ctx *x, struct buf *out)
{
    struct usage *u = &x->u;
    struct fold_in pin = usage_projects(x);
    struct fold_in min = { u->models.n, u->models.name, u->models.disp,
                           u->mtotal,   "models",       true };
    struct fold fp, fm;
    double *v;
    int rc;

    if (fold_make(&x->ar, &pin, TOP_SERIES, 0, &fp) != 0 ||
        fold_make(&x->ar, &min, TOP_MODELS, 0, &fm) != 0)
        return ou_nomem(x->err);
    rc = fold_doubles(&x->ar, &u->req, fp.map, fp.n, fm.map, fm.n, &v, x->err);
    if (rc != 0)
        return rc;
    struct bar_chart c = { "Model requests by model, stacked by project",
                           x->win,
                           "requests",
                           false,
                           BARS_STACKED,
                           fm.n,
                           fm.names,
                           fp.n,
                           fp.names,
                           fp.color,
                           v,
                           false,
                           NULL };
    return put_bars(x, out, "models", NULL, &c, 0);
}

/* The projects folded into "Other" by the share chart, one bar each. */
static int chart_other(struct ctx *x, struct buf *out, const struct fold *f)
{
    static const char *const one[] = { "requests" };
    static const int onecol[] = { SVG_OTHER };
    const char **lab = zalloc(&x->ar, (size_t)x->projects.n, sizeof(*lab));
    double *v = zalloc(&x->ar, (size_t)x->projects.n, sizeof(*v));
    int no = 0;

    if (lab == NULL || v == NULL)
        return ou_nomem(x->err);
    for (int i = 0; i < x->projects.n; i++) {
        if (f->map[i] != f->kept || !(x->u.ptotal[i] > 0))
            continue;
        int at = no++; /* largest first, the first seen first on ties */
        while (at > 0 && v[at - 1] < x->u.ptotal[i]) {
            lab[at] = lab[at - 1];
            v[at] = v[at - 1];
            at--;
        }
        lab[at] = x->projects.disp[i];
        v[at] = x->u.ptotal[i];
    }
    if (no == 0 || f->kept == f->n)
        return 0;
    struct bar_chart c = { "\"Other\" broken down: requests by project",
                           "the projects folded into \"Other\", largest first",
                           "requests",
                           false,
                           BARS_GROUPED,
                           no,
                           lab,
                           1,
                           one,
                           onecol,
                           v,
                           false,
                           NULL };
    return put_bars(x, out, "other", NULL, &c, 0);
}

/* Share of requests per project: the 7 largest, the rest (and any under
 * 1%) folded into "Other". */
static int chart_share(struct ctx *x, struct buf *out)
{
    struct fold_in in = usage_projects(x);
    struct fold f;
    double *v;
    int rc;

    if (fold_make(&x->ar, &in, TOP_SERIES, OTHER_SHARE, &f) != 0)
        return ou_nomem(x->err);
    rc = fold_doubles(&x->ar, &x->u.preq, f.map, f.n, NULL, 1, &v, x->err);
    if (rc != 0)
        return rc;
    struct donut d = { "Share of requests by project",
                       "the 7 largest projects; the rest, and any under 1% "
                       "of requests, are folded into \"Other\"",
                       f.n,
                       f.names,
                       f.color,
                       v };
    rc = section_open(out, "share", NULL);
    rc |= svg_donut(out, &d, 1000, 320);
    rc |= buf_puts(out, "</section>");
    return rc != 0 ? ou_nomem(x->err) : chart_other(x, out, &f);
}

/* One currency's groups (line items, projects or models billed in it):
 * their keys, names and totals, and where each group's rows go. */
struct cost_series {
    int n;
    const char **keys;
    const char **names;
    double *total; /* their totals, for folding */
    int *pos;      /* [all groups]: the group's index here */
};

static int cost_series(struct ctx *x, const struct labels *l,
                       const struct by_cur *g, int c, struct cost_series *s)
{
    int ncur = x->c.curs.n;

    memset(s, 0, sizeof(*s));
    s->keys = zalloc(&x->ar, (size_t)l->n, sizeof(*s->keys));
    s->names = zalloc(&x->ar, (size_t)l->n, sizeof(*s->names));
    s->total = zalloc(&x->ar, (size_t)l->n, sizeof(*s->total));
    s->pos = zalloc(&x->ar, (size_t)l->n, sizeof(*s->pos));
    if (s->keys == NULL || s->names == NULL || s->total == NULL ||
        s->pos == NULL)
        return ou_nomem(x->err);
    for (int i = 0; i < l->n; i++) {
        if (!g->billed[i * ncur + c])
            continue;
        s->pos[i] = s->n;
        s->keys[s->n] = l->name[i];
        s->names[s->n] = l->disp[i];
        s->total[s->n++] = dec_to_double(sums_at(&g->amount, i, c));
    }
    return 0;
}

/* Cost per day of currency c's line items (n x days), exact. */
static int item_days(struct ctx *x, int c, const struct cost_series *s,
                     struct sums *day)
{
    const struct agg *a = x->in->costs;

    if (sums_init(&x->ar, day, s->n, x->ndays, "amount") != 0)
        return ou_nomem(x->err);
    for (size_t r = 0; r < agg_nrows(a); r++) {
        const struct agg_row *row = agg_row_at(a, r);
        int di = day_index(x, row->t0);
        if (x->c.row_cur[r] != c || di < 0)
            continue;
        int rc = sums_add(day, s->pos[x->c.row_item[r]], di,
                          &row->dval[x->m_amt], x->err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Titles and axis of one currency's cost charts: with several currencies
 * the titles name theirs; the axis is the currency code in capitals, "$"
 * ticks for dollars only. */
struct cost_text {
    char sfx[56];
    char y[48];
    bool money;
};

static void cost_text(const char *code, bool several, struct cost_text *t)
{
    char fit[48];

    t->sfx[0] = '\0';
    svg_fit(code[0] ? code : "no currency", 16, fit, sizeof(fit));
    if (several)
        snprintf(t->sfx, sizeof(t->sfx), " (%s)", fit);
    svg_fit(code[0] ? code : "amount", 16, t->y, sizeof(t->y));
    for (char *p = t->y; *p; p++) {
        if (*p >= 'a' && *p <= 'z' && code[0])
            *p = (char)(*p - 'a' + 'A');
    }
    t->money = strcmp(code, "usd") == 0 || strcmp(code, "USD") == 0;
}

/* Currency c's total cost per day (items false), or its cost per day
 * stacked by line item (top line items + Other). */
static int chart_days_in(struct ctx *x, struct buf *out, int c,
                         const struct cost_text *t, bool items)
{
    static const char *const cost_name[] = { "cost" };
    static const int cost_color[] = { 2 };
    const char *suffix = x->c.curs.n > 1 ? x->c.curs.name[c] : NULL;
    struct cost_series s;
    struct sums day;
    struct fold f;
    double *v;
    char title[96];
    int rc;

    if ((rc = cost_series(x, &x->c.items, &x->c.item, c, &s)) != 0 ||
        (rc = item_days(x, c, &s, &day)) != 0)
        return rc;
    struct fold_in in = { s.n, s.keys, s.names, s.total, "line items", false };
    int *zero = zalloc(&x->ar, (size_t)s.n, sizeof(*zero));
    if (zero == NULL || fold_make(&x->ar, &in, TOP_SERIES, 0, &f) != 0)
        return ou_nomem(x->err);
    rc = fold_doubles(&x->ar, &day, items ? f.map : zero, items ? f.n : 1, NULL,
                      x->ndays, &v, x->err);
    if (rc != 0)
        return rc;
    snprintf(title, sizeof(title), "%s%s",
             items ? "Cost per day by line item" : "Total cost per day",
             t->sfx);
    struct bar_chart bc = { title,
                            x->sub,
                            t->y,
                            t->money,
                            items ? BARS_STACKED : BARS_GROUPED,
                            x->ndays,
                            x->days,
                            items ? f.n : 1,
                            items ? f.names : cost_name,
                            items ? f.color : cost_color,
                            v,
                            true,
                            NULL };
    return put_bars(x, out, items ? "line-items" : "cost", suffix, &bc,
                    items ? 380 : 340);
}

/* Cost by project or by model in currency c: a bar each for the largest,
 * the rest as "Other (N ...)", each bar in its group's own colour. */
static int chart_groups_in(struct ctx *x, struct buf *out, int c,
                           const struct cost_text *t, bool models)
{
    static const char *const cost_name[] = { "cost" };
    static const int cost_color[] = { 2 };
    const struct labels *l = models ? &x->c.models : &x->projects;
    const struct by_cur *g = models ? &x->c.model : &x->c.project;
    struct cost_series s;
    struct sums col;
    struct fold f;
    double *v;
    char title[96], sub[160];
    int rc;

    if ((rc = cost_series(x, l, g, c, &s)) != 0)
        return rc;
    struct fold_in in = {
        s.n, s.keys, s.names, s.total, models ? "models" : "projects", false
    };
    if (fold_make(&x->ar, &in, TOP_ROWS, 0, &f) != 0 ||
        sums_init(&x->ar, &col, s.n, 1, "amount") != 0)
        return ou_nomem(x->err);
    for (int i = 0; i < l->n && rc == 0; i++) {
        if (g->billed[i * x->c.curs.n + c])
            rc = sums_add(&col, s.pos[i], 0, sums_at(&g->amount, i, c), x->err);
    }
    if (rc != 0 ||
        (rc = fold_doubles(&x->ar, &col, f.map, f.n, NULL, 1, &v, x->err)))
        return rc;
    snprintf(title, sizeof(title), "Cost by %s%s", models ? "model" : "project",
             t->sfx);
    snprintf(sub, sizeof(sub), "%s%s", x->win,
             models ? "; line items that are not a model's are \"(no model)\""
                    : "");
    struct bar_chart bc = { title, sub,     t->y,   t->money,  BARS_GROUPED,
                            f.n,   f.names, 1,      cost_name, cost_color,
                            v,     false,   f.color };
    return put_bars(x, out, models ? "model-costs" : "project-costs",
                    x->c.curs.n > 1 ? x->c.curs.name[c] : NULL, &bc, 0);
}

/* Currency c's cost charts: per day, by project, by model, per day by
 * line item. */
static int chart_costs_in(struct ctx *x, struct buf *out, int c)
{
    struct cost_text t;
    int rc;

    cost_text(x->c.curs.name[c], x->c.curs.n > 1, &t);
    rc = chart_days_in(x, out, c, &t, false);
    if (rc == 0)
        rc = chart_groups_in(x, out, c, &t, false);
    if (rc == 0 && x->c.has_model)
        rc = chart_groups_in(x, out, c, &t, true);
    if (rc == 0)
        rc = chart_days_in(x, out, c, &t, true);
    return rc;
}

static int name_cell(struct buf *b, const char *name)
{
    int rc = buf_puts(b, "<tr><td>");
    rc |= svg_escape(b, name);
    return rc | buf_puts(b, "</td>");
}

static int dec_cell(struct buf *b, const struct dec *d)
{
    char tmp[DEC_FMT_MAX];
    dec_format_grouped(d, tmp, sizeof(tmp));
    return buf_printf(b, "<td class=\"n\">%s</td>", tmp);
}

static int num_cell(struct buf *b, int64_t v)
{
    struct dec d = dec_from_int64(v);
    return dec_cell(b, &d);
}

/* Completions by model, most requests first, and the TOTAL row. */
static int table_models(struct ctx *x, struct buf *out)
{
    struct usage *u = &x->u;
    struct fold_in in = { u->models.n, u->models.name, u->models.disp,
                          u->mtotal,   "models",       false };
    struct fold f; /* keeping every model: map[i] is model i's rank */
    int *at = zalloc(&x->ar, (size_t)u->models.n, sizeof(*at));
    int rc;

    if (at == NULL || fold_make(&x->ar, &in, u->models.n, 0, &f) != 0)
        return ou_nomem(x->err);
    for (int i = 0; i < u->models.n; i++)
        at[f.map[i]] = i;
    rc = buf_puts(out,
                  "<h2>Completions by model</h2><table id=\"models-table\">"
                  "<thead><tr>"
                  "<th>model</th><th class=\"n\">requests</th>"
                  "<th class=\"n\">input tokens</th>"
                  "<th class=\"n\">output tokens</th></tr></thead><tbody>");
    for (int k = 0; k < u->models.n; k++) {
        rc |= name_cell(out, u->models.disp[at[k]]);
        for (int j = 0; j < 3; j++)
            rc |= num_cell(out, u->mt[at[k]][j]);
        rc |= buf_puts(out, "</tr>");
    }
    rc |= buf_puts(out, "</tbody><tfoot>");
    rc |= name_cell(out, "TOTAL");
    for (int j = 0; j < 3; j++)
        rc |= num_cell(out, u->sum[j]);
    rc |= buf_puts(out, "</tr></tfoot></table>");
    return nomem_if(x, rc);
}

/* A (group, currency) row of a costs table. */
struct entry {
    int item;
    int cur;
    const struct dec *amount;
};

/* By currency code, then the larger amount, then the group seen first. */
static int cmp_entry(const void *p, const void *q)
{
    const struct entry *a = p, *b = q;
    if (a->cur != b->cur)
        return a->cur < b->cur ? -1 : 1;
    int c = dec_cmp(b->amount, a->amount);
    if (c != 0)
        return c;
    return (a->item > b->item) - (a->item < b->item);
}

static struct entry *cost_entries(struct ctx *x, int ngroup,
                                  const struct by_cur *g, int *n)
{
    int ncur = x->c.curs.n;
    struct entry *e = zalloc(&x->ar, (size_t)ngroup * (size_t)ncur, sizeof(*e));
    *n = 0;
    for (int i = 0; e != NULL && i < ngroup; i++) {
        for (int c = 0; c < ncur; c++) {
            if (g->billed[i * ncur + c])
                e[(*n)++] = (struct entry){ i, c, sums_at(&g->amount, i, c) };
        }
    }
    if (e != NULL)
        qsort(e, (size_t)*n, sizeof(*e), cmp_entry);
    return e;
}

/* One costs table: a row per group and currency, and one TOTAL row per
 * currency (its currency cell left empty when there is only one). With
 * ids, a group shown by another name carries its id too. */
static int table_costs(struct ctx *x, struct buf *out, const char *title,
                       const char *id, const struct labels *l,
                       const struct by_cur *g, bool ids)
{
    struct costs *k = &x->c;
    int n;
    struct entry *e = cost_entries(x, l->n, g, &n);
    int rc;

    if (e == NULL)
        return ou_nomem(x->err);
    rc = buf_printf(out,
                    "<h2>Costs by %s</h2><table id=\"%s\"><thead><tr>"
                    "<th>%s</th><th class=\"n\">amount</th>"
                    "<th>currency</th></tr></thead><tbody>",
                    title, id, title);
    for (int i = 0; i < n; i++) {
        const char *key = l->name[e[i].item];
        rc |= buf_puts(out, "<tr><td>");
        rc |= svg_escape(out, l->disp[e[i].item]);
        if (ids && key[0] != '\0' && strcmp(key, l->disp[e[i].item]) != 0) {
            rc |= buf_puts(out, " <span class=\"id\">");
            rc |= svg_escape(out, key);
            rc |= buf_puts(out, "</span>");
        }
        rc |= buf_puts(out, "</td>");
        rc |= dec_cell(out, e[i].amount);
        rc |= buf_puts(out, "<td>");
        rc |= svg_escape(out, k->curs.name[e[i].cur]);
        rc |= buf_puts(out, "</td></tr>");
    }
    rc |= buf_puts(out, "</tbody><tfoot>");
    for (int c = 0; c < k->curs.n; c++) {
        rc |= name_cell(out, "TOTAL");
        rc |= dec_cell(out, sums_at(&k->total, 0, c));
        rc |= buf_puts(out, "<td>");
        rc |= svg_escape(out, k->curs.n > 1 ? k->curs.name[c] : "");
        rc |= buf_puts(out, "</td></tr>");
    }
    rc |= buf_puts(out, "</tfoot></table>");
    return nomem_if(x, rc);
}

/* Is every counter of every total row zero (or are there none)? */
static bool all_zero(const struct agg *a)
{
    const struct endpoint *ep = agg_spec_of(a)->ep;

    for (size_t i = 0; i < agg_ntotals(a); i++) {
        const struct agg_row *t = agg_total_at(a, i);
        for (int m = 0; m < ep->nmetrics; m++) {
            if ((ep->metrics[m].kind == MK_INT && t->ival[m] != 0) ||
                (ep->metrics[m].kind == MK_DEC && t->present[m] &&
                 !dec_is_zero(&t->dval[m])))
                return false;
        }
    }
    return true;
}

/* An empty window says so instead of drawing empty axes. */
static int put_empty(struct ctx *x, struct buf *out, const char *id,
                     const char *what)
{
    int rc = section_open(out, id, NULL);
    rc |= buf_printf(out, "<p class=\"empty\">No %s in this window.</p>", what);
    return nomem_if(x, rc | buf_puts(out, "</section>"));
}

static int put_tables(struct ctx *x, struct buf *out)
{
    struct costs *k = &x->c;
    int rc = nomem_if(x, section_open(out, "totals", NULL));

    if (rc == 0)
        rc = table_models(x, out);
    if (rc == 0)
        rc = table_costs(x, out, "project", "projects-table", &x->projects,
                         &k->project, true);
    if (rc == 0 && k->has_model)
        rc = table_costs(x, out, "model", "cost-models-table", &k->models,
                         &k->model, false);
    if (rc == 0)
        rc = table_costs(x, out, "line item", "items-table", &k->items,
                         &k->item, false);
    if (rc == 0)
        rc = nomem_if(x, buf_puts(out, "</section></body></html>\n"));
    return rc;
}

static int put_body(struct ctx *x, struct buf *out)
{
    int rc = put_head(x, out);
    bool no_usage = all_zero(x->in->usage);
    bool no_costs = all_zero(x->in->costs);

    if (rc == 0 && no_costs)
        rc = put_empty(x, out, "costs", "billed cost");
    for (int c = 0; rc == 0 && !no_costs && c < x->c.curs.n; c++)
        rc = chart_costs_in(x, out, c);
    if (rc == 0 && no_usage)
        rc = put_empty(x, out, "usage", "completions usage");
    if (rc == 0 && !no_usage)
        rc = chart_tokens(x, out);
    if (rc == 0 && !no_usage)
        rc = chart_models(x, out);
    if (rc == 0 && !no_usage)
        rc = chart_share(x, out);
    return rc == 0 ? put_tables(x, out) : rc;
}

int html_report(const struct html_input *in, struct buf *out,
                struct ou_err *err)
{
    struct ctx x = { 0 };
    int rc = ctx_init(&x, in, err);

    /* Every sum first: a data error leaves out untouched. */
    if (rc == 0)
        rc = gather_labels(&x);
    if (rc == 0)
        rc = usage_prepare(&x);
    if (rc == 0)
        rc = costs_prepare(&x);
    if (rc == 0)
        rc = put_body(&x, out);
    arena_release(&x.ar);
    return rc;
}
