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

#define DAY 86400LL
#define TOP_MODELS 12
#define TOP_SERIES 7
#define OTHER_SHARE 0.05
#define NOT_FOLDED (-2) /* a fold map entry svg_fold has not written */

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

/* Distinct labels, first seen first (a tiny string -> index map). */
struct labels {
    const char **name;
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

/* Which series a chart shows: the kept ones (largest first), then "Other"
 * when anything is folded. map[i] is series i's row in the chart. */
struct fold {
    int kept;
    int n;              /* rows in the chart: kept, plus one for "Other" */
    int *map;           /* [series]; folded series map to row `kept` */
    const char **names; /* [n] */
    int *color;         /* [n] palette index, SVG_OTHER for "Other" */
};

static int fold_make(struct arena *ar, const char *const *name, int n,
                     const double *totals, int top, double min_share,
                     struct fold *f)
{
    f->map = zalloc(ar, (size_t)n, sizeof(*f->map));
    if (f->map == NULL)
        return -1;
    f->map[0] = NOT_FOLDED;
    f->kept = svg_fold(n, totals, top, min_share, f->map);
    if (n > 0 && f->map[0] == NOT_FOLDED)
        return -1; /* svg_fold ran out of memory */
    f->n = f->kept + (f->kept < n);
    f->names = zalloc(ar, (size_t)f->n, sizeof(*f->names));
    f->color = zalloc(ar, (size_t)f->n, sizeof(*f->color));
    if (f->names == NULL || f->color == NULL)
        return -1;
    for (int i = 0; i < n; i++) {
        if (f->map[i] == SVG_OTHER) {
            f->map[i] = f->kept;
        } else {
            f->names[f->map[i]] = name[i];
            f->color[f->map[i]] = f->map[i];
        }
    }
    if (f->kept < n) {
        f->names[f->kept] = "Other";
        f->color[f->kept] = SVG_OTHER;
    }
    return 0;
}

/* ---- the report's state --------------------------------------------------------- */

/* Completions: labels per row, exact sums for the table and the charts. */
struct usage {
    struct labels models, projects;
    int *row_model, *row_project; /* per agg row: its labels */
    int64_t (*mt)[3];             /* per model: requests, input, output */
    int64_t sum[3];               /* the TOTAL row */
    double *mtotal;               /* per model: requests (for folding) */
    double *ptotal;               /* per project: requests */
    struct sums inout;            /* 2 x days: input, output tokens */
    struct sums req;              /* projects x models: requests */
    struct sums preq;             /* projects x 1: requests */
};

/* Costs: amounts per line item and currency, never across currencies. */
struct costs {
    struct labels items;     /* line items, first seen first */
    struct labels curs;      /* currencies, by code */
    int *row_item, *row_cur; /* per agg row: its labels */
    struct sums amount;      /* items x currencies */
    bool *billed;            /* [items x currencies]: has rows */
    struct sums total;       /* 1 x currencies */
};

struct ctx {
    const struct html_input *in;
    struct ou_err *err;
    struct arena ar;
    int m_use[3]; /* requests, input, output tokens */
    int m_amt, m_cur;
    int64_t d0; /* 00:00 UTC of the first day */
    int ndays;
    const char **days; /* "YYYY-MM-DD" per day */
    char a[TU_RFC3339_LEN], b[TU_RFC3339_LEN];
    char last[TU_RFC3339_LEN]; /* the last day included */
    char sub[128];             /* "per UTC day, FROM to TO" */
    char win[64];              /* "FROM to TO" */
    struct usage u;
    struct costs c;
};

static const char *const use_metric[3] = { "num_model_requests", "input_tokens",
                                           "output_tokens" };

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
    x->d0 = tu_floor_day(in->start);
    x->ndays = (int)((in->end - x->d0 + DAY - 1) / DAY);
    if (x->ndays < 1)
        x->ndays = 1;
    tu_format_rfc3339(in->start, x->a);
    tu_format_rfc3339(in->end, x->b);
    /* "A to B" always names the last day included. */
    tu_format_date(in->end > in->start ? in->end - 1 : in->end, x->last);
    snprintf(x->sub, sizeof(x->sub), "per UTC day, %.10s to %s", x->a, x->last);
    snprintf(x->win, sizeof(x->win), "%.10s to %s", x->a, x->last);
    x->days = zalloc(&x->ar, (size_t)x->ndays, sizeof(*x->days));
    char *text = zalloc(&x->ar, (size_t)x->ndays, 11);
    if (x->days == NULL || text == NULL)
        return ou_nomem(err);
    for (int i = 0; i < x->ndays; i++) {
        tu_format_date(x->d0 + (int64_t)i * DAY, text + (size_t)11 * i);
        x->days[i] = text + (size_t)11 * i;
    }
    return 0;
}

/* The row's day in the window, or -1. */
static int day_index(const struct ctx *x, int64_t t0)
{
    int64_t di = (t0 - x->d0) / DAY;
    return di >= 0 && di < x->ndays ? (int)di : -1;
}

/* ---- summing -------------------------------------------------------------------- */

typedef const char *label_fn(const struct ctx *x, const struct agg_row *row);

static const char *model_of(const struct ctx *x, const struct agg_row *row)
{
    (void)x;
    return row->key[0] ? row->key[0] : "(no model)";
}

static const char *project_of(const struct ctx *x, const struct agg_row *row)
{
    if (row->key[1] == NULL)
        return "(no project)";
    const char *n = names_get(x->in->names, NK_PROJECT, row->key[1]);
    return n != NULL ? n : row->key[1];
}

static const char *item_of(const struct ctx *x, const struct agg_row *row)
{
    (void)x;
    return row->key[0] ? row->key[0] : "(no line item)";
}

static const char *currency_of(const struct ctx *x, const struct agg_row *row)
{
    const char *c = row->text[x->m_cur];
    return c ? c : "";
}

/* Each row's label index (labels gathered into l, first seen first). */
static int *label_rows(struct ctx *x, const struct agg *a, label_fn *fn,
                       struct labels *l)
{
    size_t n = agg_nrows(a);
    int *idx = zalloc(&x->ar, n, sizeof(*idx));
    for (size_t r = 0; idx != NULL && r < n; r++) {
        idx[r] = label_index(&x->ar, l, fn(x, agg_row_at(a, r)));
        if (idx[r] < 0)
            return NULL;
    }
    return idx;
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
    int di = day_index(x, row->t0);
    int rc = 0;

    for (int j = 0; j < 3 && rc == 0; j++)
        rc = add_int(&u->mt[mi][j], row->ival[x->m_use[j]], use_metric[j],
                     x->err);
    for (int j = 0; j < 2 && rc == 0 && di >= 0; j++)
        rc = sums_add_int(&u->inout, j, di, row->ival[x->m_use[1 + j]], x->err);
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
        rc = sums_fold(&x->ar, &u->req, NULL, u->projects.n, zero, 1, &u->preq,
                       x->err);
    if (rc == 0 && (u->ptotal = sums_doubles(&x->ar, &u->preq)) == NULL)
        rc = ou_nomem(x->err);
    return rc;
}

static int usage_prepare(struct ctx *x)
{
    struct usage *u = &x->u;
    const struct agg *a = x->in->usage;
    int rc = 0;

    u->row_model = label_rows(x, a, model_of, &u->models);
    u->row_project = label_rows(x, a, project_of, &u->projects);
    if (u->row_model == NULL || u->row_project == NULL)
        return ou_nomem(x->err);
    u->mt = zalloc(&x->ar, (size_t)u->models.n, sizeof(*u->mt));
    if (u->mt == NULL ||
        sums_init(&x->ar, &u->inout, 2, x->ndays, "token") != 0 ||
        sums_init(&x->ar, &u->req, u->projects.n, u->models.n, "request") != 0)
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

static int costs_prepare(struct ctx *x)
{
    struct costs *k = &x->c;
    const struct agg *a = x->in->costs;
    int rc;

    k->row_item = label_rows(x, a, item_of, &k->items);
    k->row_cur = label_rows(x, a, currency_of, &k->curs);
    if (k->row_item == NULL || k->row_cur == NULL)
        return ou_nomem(x->err);
    if ((rc = costs_sort_currencies(x)) != 0)
        return rc;
    int ncur = k->curs.n;
    int *zero = zalloc(&x->ar, (size_t)k->items.n, sizeof(*zero));
    k->billed = zalloc(&x->ar, (size_t)k->items.n * (size_t)ncur,
                       sizeof(*k->billed));
    if (zero == NULL || k->billed == NULL ||
        sums_init(&x->ar, &k->amount, k->items.n, ncur, "amount") != 0)
        return ou_nomem(x->err);
    for (size_t r = 0; r < agg_nrows(a); r++) {
        int i = k->row_item[r], c = k->row_cur[r];
        rc = sums_add(&k->amount, i, c, &agg_row_at(a, r)->dval[x->m_amt],
                      x->err);
        if (rc != 0)
            return rc;
        k->billed[i * ncur + c] = true;
    }
    return sums_fold(&x->ar, &k->amount, zero, 1, NULL, ncur, &k->total,
                     x->err);
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
    "section{margin:28px 0}h2{font-size:17px;margin:0 0 8px}"
    "svg{max-width:100%;height:auto;border:1px solid #eee}"
    "table{border-collapse:collapse;font-size:13px}"
    "th,td{padding:4px 10px;border-bottom:1px solid #eee;text-align:left}"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
    "tfoot td{font-weight:600}";

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

static int chart_tokens(struct ctx *x, struct buf *out)
{
    static const char *const names[] = { "input tokens", "output tokens" };
    static const int color[] = { 0, 1 };
    double *v = sums_doubles(&x->ar, &x->u.inout);

    if (v == NULL)
        return ou_nomem(x->err);
    struct bar_chart c = { "Daily input vs output tokens",
                           x->sub,
                           "tokens",
                           false,
                           BARS_GROUPED,
                           x->ndays,
                           x->days,
                           2,
                           names,
                           color,
                           v,
                           true };
    return put_bars(x, out, "tokens", NULL, &c, 360);
}

/* Requests per model (top models + Other) stacked by project (top
 * projects + Other). */
static int chart_models(struct ctx *x, struct buf *out)
{
    struct usage *u = &x->u;
    struct fold fp, fm;
    double *v;
    int rc;

    if (fold_make(&x->ar, u->projects.name, u->projects.n, u->ptotal,
                  TOP_SERIES, 0, &fp) != 0 ||
        fold_make(&x->ar, u->models.name, u->models.n, u->mtotal, TOP_MODELS, 0,
                  &fm) != 0)
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
                           false };
    return put_bars(x, out, "models", NULL, &c, 380);
}

/* The projects folded into "Other" by the share chart, one bar each. */
static int chart_other(struct ctx *x, struct buf *out, const struct fold *f)
{
    static const char *const one[] = { "requests" };
    static const int onecol[] = { SVG_OTHER };
    struct usage *u = &x->u;
    const char **lab = zalloc(&x->ar, (size_t)u->projects.n, sizeof(*lab));
    double *v = zalloc(&x->ar, (size_t)u->projects.n, sizeof(*v));
    int no = 0;

    if (lab == NULL || v == NULL)
        return ou_nomem(x->err);
    for (int i = 0; i < u->projects.n; i++) {
        if (f->map[i] == f->kept) {
            lab[no] = u->projects.name[i];
            v[no++] = u->ptotal[i];
        }
    }
    if (no == 0)
        return 0;
    struct bar_chart c = { "\"Other\" broken down: requests by project",
                           "the projects under 5% of requests",
                           "requests",
                           false,
                           BARS_GROUPED,
                           no,
                           lab,
                           1,
                           one,
                           onecol,
                           v,
                           false };
    return put_bars(x, out, "other", NULL, &c, 320);
}

/* Share of requests per project: under 5% folded into "Other". */
static int chart_share(struct ctx *x, struct buf *out)
{
    struct usage *u = &x->u;
    struct fold f;
    double *v;
    int rc;

    if (fold_make(&x->ar, u->projects.name, u->projects.n, u->ptotal, 1000,
                  OTHER_SHARE, &f) != 0)
        return ou_nomem(x->err);
    rc = fold_doubles(&x->ar, &u->preq, f.map, f.n, NULL, 1, &v, x->err);
    if (rc != 0)
        return rc;
    struct donut d = { "Share of requests by project",
                       "projects under 5% of requests are folded into "
                       "\"Other\"",
                       f.n,
                       f.names,
                       f.color,
                       v };
    rc = section_open(out, "share", NULL);
    rc |= svg_donut(out, &d, 1000, 320);
    rc |= buf_puts(out, "</section>");
    return rc != 0 ? ou_nomem(x->err) : chart_other(x, out, &f);
}

/* One currency's costs per day by line item, exact. */
struct cost_series {
    int n; /* line items billed in the currency */
    const char **names;
    double *total;   /* their totals, for folding */
    struct sums day; /* n x days */
};

static int cost_series(struct ctx *x, int c, struct cost_series *s)
{
    struct costs *k = &x->c;
    const struct agg *a = x->in->costs;
    int *pos = zalloc(&x->ar, (size_t)k->items.n, sizeof(*pos));

    memset(s, 0, sizeof(*s));
    s->names = zalloc(&x->ar, (size_t)k->items.n, sizeof(*s->names));
    s->total = zalloc(&x->ar, (size_t)k->items.n, sizeof(*s->total));
    if (pos == NULL || s->names == NULL || s->total == NULL)
        return ou_nomem(x->err);
    for (int i = 0; i < k->items.n; i++) {
        if (!k->billed[i * k->curs.n + c])
            continue;
        pos[i] = s->n;
        s->names[s->n] = k->items.name[i];
        s->total[s->n++] = dec_to_double(sums_at(&k->amount, i, c));
    }
    if (sums_init(&x->ar, &s->day, s->n, x->ndays, "amount") != 0)
        return ou_nomem(x->err);
    for (size_t r = 0; r < agg_nrows(a); r++) {
        const struct agg_row *row = agg_row_at(a, r);
        int di = day_index(x, row->t0);
        if (k->row_cur[r] != c || di < 0)
            continue;
        int rc = sums_add(&s->day, pos[k->row_item[r]], di,
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
    char total[96];
    char items[96];
    char y[48];
    bool money;
};

static void cost_text(const char *code, bool several, struct cost_text *t)
{
    char fit[48], sfx[56] = "";

    svg_fit(code[0] ? code : "no currency", 16, fit, sizeof(fit));
    if (several)
        snprintf(sfx, sizeof(sfx), " (%s)", fit);
    snprintf(t->total, sizeof(t->total), "Total cost per day%s", sfx);
    snprintf(t->items, sizeof(t->items), "Cost per day by line item%s", sfx);
    svg_fit(code[0] ? code : "amount", 16, t->y, sizeof(t->y));
    for (char *p = t->y; *p; p++) {
        if (*p >= 'a' && *p <= 'z' && code[0])
            *p = (char)(*p - 'a' + 'A');
    }
    t->money = strcmp(code, "usd") == 0 || strcmp(code, "USD") == 0;
}

/* Total cost per day, then cost per day stacked by line item (top line
 * items + Other), in currency c. */
static int chart_costs_in(struct ctx *x, struct buf *out, int c)
{
    static const char *const cost_name[] = { "cost" };
    static const int cost_color[] = { 2 };
    bool several = x->c.curs.n > 1;
    const char *suffix = several ? x->c.curs.name[c] : NULL;
    struct cost_series s;
    struct cost_text t;
    struct fold f;
    double *vt, *vl;
    int rc;

    if ((rc = cost_series(x, c, &s)) != 0)
        return rc;
    int *zero = zalloc(&x->ar, (size_t)s.n, sizeof(*zero));
    if (zero == NULL ||
        fold_make(&x->ar, s.names, s.n, s.total, TOP_SERIES, 0, &f) != 0)
        return ou_nomem(x->err);
    if ((rc = fold_doubles(&x->ar, &s.day, zero, 1, NULL, x->ndays, &vt,
                           x->err)) != 0 ||
        (rc = fold_doubles(&x->ar, &s.day, f.map, f.n, NULL, x->ndays, &vl,
                           x->err)) != 0)
        return rc;
    cost_text(x->c.curs.name[c], several, &t);
    struct bar_chart c5 = { t.total,      x->sub,     t.y,     t.money,
                            BARS_GROUPED, x->ndays,   x->days, 1,
                            cost_name,    cost_color, vt,      true };
    struct bar_chart c6 = { t.items,      x->sub,   t.y,     t.money,
                            BARS_STACKED, x->ndays, x->days, f.n,
                            f.names,      f.color,  vl,      true };
    if ((rc = put_bars(x, out, "cost", suffix, &c5, 340)) != 0)
        return rc;
    return put_bars(x, out, "line-items", suffix, &c6, 380);
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
    struct fold f; /* keeping every model: map[i] is model i's rank */
    int *at = zalloc(&x->ar, (size_t)u->models.n, sizeof(*at));
    int rc;

    if (at == NULL || fold_make(&x->ar, u->models.name, u->models.n, u->mtotal,
                                u->models.n, 0, &f) != 0)
        return ou_nomem(x->err);
    for (int i = 0; i < u->models.n; i++)
        at[f.map[i]] = i;
    rc = buf_puts(out,
                  "<h2>Completions by model</h2><table><thead><tr>"
                  "<th>model</th><th class=\"n\">requests</th>"
                  "<th class=\"n\">input tokens</th>"
                  "<th class=\"n\">output tokens</th></tr></thead><tbody>");
    for (int k = 0; k < u->models.n; k++) {
        rc |= name_cell(out, u->models.name[at[k]]);
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

/* A (line item, currency) row of the costs table. */
struct entry {
    int item;
    int cur;
    const struct dec *amount;
};

/* By currency code, then the larger amount, then the line item seen first. */
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

static struct entry *cost_entries(struct ctx *x, int *n)
{
    struct costs *k = &x->c;
    struct entry *e = zalloc(&x->ar, (size_t)k->items.n * (size_t)k->curs.n,
                             sizeof(*e));
    *n = 0;
    for (int i = 0; e != NULL && i < k->items.n; i++) {
        for (int c = 0; c < k->curs.n; c++) {
            if (k->billed[i * k->curs.n + c])
                e[(*n)++] = (struct entry){ i, c, sums_at(&k->amount, i, c) };
        }
    }
    if (e != NULL)
        qsort(e, (size_t)*n, sizeof(*e), cmp_entry);
    return e;
}

/* Costs by line item and currency, and one TOTAL row per currency (its
 * currency cell left empty when there is only one). */
static int table_costs(struct ctx *x, struct buf *out)
{
    struct costs *k = &x->c;
    int n;
    struct entry *e = cost_entries(x, &n);
    int rc;

    if (e == NULL)
        return ou_nomem(x->err);
    rc = buf_puts(out, "<h2>Costs by line item</h2><table><thead><tr>"
                       "<th>line item</th><th class=\"n\">amount</th>"
                       "<th>currency</th></tr></thead><tbody>");
    for (int i = 0; i < n; i++) {
        rc |= name_cell(out, k->items.name[e[i].item]);
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

static int put_body(struct ctx *x, struct buf *out)
{
    int rc = put_head(x, out);
    bool no_usage = all_zero(x->in->usage);
    bool no_costs = all_zero(x->in->costs);
    if (rc == 0 && no_usage)
        rc = put_empty(x, out, "usage", "completions usage");
    if (rc == 0 && !no_usage)
        rc = chart_tokens(x, out);
    if (rc == 0 && !no_usage)
        rc = chart_models(x, out);
    if (rc == 0 && !no_usage)
        rc = chart_share(x, out);
    if (rc == 0 && no_costs)
        rc = put_empty(x, out, "costs", "billed cost");
    for (int c = 0; rc == 0 && !no_costs && c < x->c.curs.n; c++)
        rc = chart_costs_in(x, out, c);
    if (rc == 0)
        rc = nomem_if(x, section_open(out, "totals", NULL));
    if (rc == 0)
        rc = table_models(x, out);
    if (rc == 0)
        rc = table_costs(x, out);
    if (rc == 0)
        rc = nomem_if(x, buf_puts(out, "</section></body></html>\n"));
    return rc;
}

int html_report(const struct html_input *in, struct buf *out,
                struct ou_err *err)
{
    struct ctx x = { 0 };
    int rc = ctx_init(&x, in, err);

    /* Every sum first: a data error leaves out untouched. */
    if (rc == 0)
        rc = usage_prepare(&x);
    if (rc == 0)
        rc = costs_prepare(&x);
    if (rc == 0)
        rc = put_body(&x, out);
    arena_release(&x.ar);
    return rc;
}
