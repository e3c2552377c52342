/* report.c - an aggregated report as a grid (see report.h). */
#include "report_int.h"

#include "oaiusage/fmt.h"

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

/* ---- the first metric ------------------------------------------------------ */

double report_metric_double(const struct agg *a, const struct agg_row *r)
{
    const struct endpoint *ep = agg_spec_of(a)->ep;
    int m = ep->sort_metric;

    if (ep->metrics[m].kind == MK_INT)
        return (double)r->ival[m];
    if (ep->metrics[m].kind == MK_DEC && r->present[m])
        return dec_to_double(&r->dval[m]);
    return 0;
}

void report_metric_text(const struct agg *a, const struct agg_row *r, char *buf,
                        size_t size)
{
    const struct endpoint *ep = agg_spec_of(a)->ep;
    int m = ep->sort_metric;

    if (ep->metrics[m].kind == MK_INT)
        snprintf(buf, size, "%" PRId64, r->ival[m]);
    else if (ep->metrics[m].kind == MK_DEC && r->present[m])
        dec_format(&r->dval[m], buf, size);
    else
        snprintf(buf, size, "0");
}

void report_metric_dec(const struct agg *a, const struct agg_row *r,
                       struct dec *out)
{
    const struct endpoint *ep = agg_spec_of(a)->ep;
    int m = ep->sort_metric;

    if (ep->metrics[m].kind == MK_INT)
        *out = dec_from_int64(r->ival[m]);
    else if (ep->metrics[m].kind == MK_DEC && r->present[m])
        *out = r->dval[m];
    else
        *out = DEC_ZERO;
}

const char *report_label(const struct agg *a, const struct agg_row *r)
{
    const struct endpoint *ep = agg_spec_of(a)->ep;

    for (int m = 0; m < ep->nmetrics; m++) {
        if (ep->metrics[m].kind == MK_TEXT && ep->metrics[m].total_key)
            return r->text[m];
    }
    return NULL;
}

/* ---- columns ------------------------------------------------------------- */

bool report_token_split(const struct endpoint *ep, int *in, int *out)
{
    *in = endpoint_metric_index(ep, "input_tokens");
    *out = endpoint_metric_index(ep, "output_tokens");
    return *in >= 0 && *out >= 0 && ep->metrics[*in].kind == MK_INT &&
           ep->metrics[*out].kind == MK_INT;
}

int money_currency(const struct endpoint *ep, int m)
{
    for (int k = 0; k < ep->nmetrics; k++) {
        const struct metric_desc *md = &ep->metrics[k];
        if (md->kind == MK_TEXT && md->labels != NULL &&
            strcmp(md->name, "currency") == 0 &&
            strcmp(md->labels, ep->metrics[m].name) == 0)
            return k;
    }
    return -1;
}

/* A currency column that labels money: the table shows the currency in
 * the amount instead ("$5,698.51"). */
static bool currency_in_amount(const struct endpoint *ep, int m)
{
    const struct metric_desc *md = &ep->metrics[m];

    if (md->kind != MK_TEXT || strcmp(md->name, "currency") != 0 ||
        md->labels == NULL)
        return false;
    for (int k = 0; k < ep->nmetrics; k++) {
        if (strcmp(ep->metrics[k].name, md->labels) == 0)
            return true;
    }
    return false;
}

int layout_add(struct grid *g, struct layout *l, enum role r, int index,
               struct grid_col c)
{
    int k = grid_add_col(g, &c);
    if (k >= 0) {
        l->role[k] = r;
        l->index[k] = index;
    }
    return k;
}

int layout_groups(const struct agg *a, const struct names *names,
                  struct grid *g, struct layout *l)
{
    const struct agg_spec *sp = agg_spec_of(a);
    int rc = 0;

    for (int i = 0; i < sp->ngroup; i++) {
        const struct group_desc *gd = &sp->ep->groups[sp->group[i]];
        bool named = names != NULL && gd->names != NK_NONE;
        rc |= layout_add(g, l, R_KEY, i,
                         (struct grid_col){ gd->name, !named, false, false,
                                            false, "(none)", false });
        if (named)
            rc |= layout_add(g, l, R_NAME, i,
                             (struct grid_col){ name_column(gd->names), true,
                                                false, false, false, "(none)",
                                                false });
    }
    return rc < 0 ? -1 : 0;
}

static int build_columns(const struct agg *a, const struct report_opts *o,
                         struct grid *g, struct layout *l)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const struct endpoint *ep = sp->ep;
    int rc = 0;

    if (sp->ngroup == 0 && !sp->records && sp->per == TU_PER_NONE) {
        /* The only row is the total: the table shows it under a label. */
        rc |= layout_add(g, l, R_LABEL, 0,
                         (struct grid_col){ "", true, true, false, false, NULL,
                                            false });
        g->table_hides_rows = true;
    }
    if (sp->records) {
        rc |= layout_add(g, l, R_T0, 0,
                         (struct grid_col){ "start_time", true, false, false,
                                            false, NULL, false });
        rc |= layout_add(g, l, R_T1, 0,
                         (struct grid_col){ "end_time", true, false, false,
                                            false, NULL, false });
    } else if (sp->per != TU_PER_NONE) {
        rc |= layout_add(g, l, R_T0, 0,
                         (struct grid_col){ "period_start", true, false, false,
                                            sp->per != TU_PER_BUCKET, NULL,
                                            false });
    }
    rc |= layout_groups(a, o->names, g, l);
    /* On a narrow terminal the sorted-by metric stays longest (table.c
     * leaves out columns of lower priority first). */
    int sorted = o->sort >= 0 ? o->sort : ep->sort_metric;
    int tin, tout;
    int k;
    if (report_token_split(ep, &tin, &tout)) {
        k = layout_add(g, l, R_TOKENS, 0,
                       (struct grid_col){ "total_tokens", true, true, false,
                                          false, NULL, false });
        if (k >= 0)
            g->priority[k] = o->sort == REPORT_SORT_TOTAL ? 900 : 800;
        rc |= k;
    }
    for (int m = 0; m < ep->nmetrics; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        bool shown = md->in_table && !(l->money && currency_in_amount(ep, m));
        k = layout_add(g, l, R_METRIC, m,
                       (struct grid_col){ md->name, shown, false, md->nullable,
                                          false, NULL, false });
        if (k >= 0 && m == sorted && o->sort != REPORT_SORT_TOTAL)
            g->priority[k] = 900;
        else if (k >= 0 && m == ep->sort_metric)
            g->priority[k] = 850;
        rc |= k;
    }
    if (o->chart)
        rc |= layout_add(g, l, R_CHART, 0,
                         (struct grid_col){ ep->metrics[ep->sort_metric].name,
                                            true, true, false, false, NULL,
                                            true });
    return rc < 0 ? -1 : 0;
}

/* ---- cells ----------------------------------------------------------------- */

static int text_cell(struct grid *g, struct cell *c, enum cell_kind kind,
                     const char *s)
{
    c->kind = kind;
    c->s = grid_strdup(g, s);
    return c->s != NULL ? 0 : -1;
}

static int key_cell(const struct agg *a, const struct agg_row *r, int i,
                    struct grid *g, struct cell *c)
{
    const struct agg_spec *sp = agg_spec_of(a);

    if (r->key[i] == NULL)
        return 0;
    if (sp->ep->groups[sp->group[i]].type == GT_BOOL) {
        c->kind = CELL_BOOL;
        c->b = r->key[i][0] == 't';
        return 0;
    }
    return text_cell(g, c, CELL_TEXT, r->key[i]);
}

static int cmp_cstr(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

struct name_id {
    const char *name, *id;
};

static int cmp_name_id(const void *x, const void *y)
{
    const struct name_id *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    return c != 0 ? c : strcmp(a->id, b->id);
}

int layout_dups(struct layout *l, const struct agg *a,
                const struct names *names)
{
    const struct agg_spec *sp = agg_spec_of(a);
    size_t n = agg_nrows(a);

    for (int i = 0; names != NULL && i < sp->ngroup; i++) {
        enum name_kind k = sp->ep->groups[sp->group[i]].names;
        struct name_id *v;
        size_t m = 0;
        if (k == NK_NONE)
            continue;
        if ((v = malloc((n + 1) * sizeof(*v))) == NULL)
            return -1;
        for (size_t r = 0; r < n; r++) {
            const char *id = agg_row_at(a, r)->key[i];
            const char *name = id != NULL ? names_get(names, k, id) : NULL;
            if (name != NULL)
                v[m++] = (struct name_id){ name, id };
        }
        qsort(v, m, sizeof(*v), cmp_name_id);
        for (size_t r = 1; r < m; r++) {
            if (strcmp(v[r].name, v[r - 1].name) != 0 ||
                strcmp(v[r].id, v[r - 1].id) == 0)
                continue;
            size_t nd = l->ndups[i];
            if (nd > 0 && strcmp(l->dups[i][nd - 1], v[r].name) == 0)
                continue;
            const char **d = realloc(l->dups[i], (nd + 1) * sizeof(*d));
            if (d == NULL) {
                free(v);
                return -1;
            }
            l->dups[i] = d;
            d[l->ndups[i]++] = v[r].name;
        }
        free(v);
    }
    return 0;
}

void layout_release(struct layout *l)
{
    for (int i = 0; i < EP_MAX_GROUPS; i++) {
        free(l->dups[i]);
        l->dups[i] = NULL;
        l->ndups[i] = 0;
    }
}

/* "Staging (key_…3Xk9Qa)": a name several ids share, told apart. */
static const char *told_apart(const struct layout *l, int i, const char *name,
                              const char *id, char *buf, size_t size)
{
    if (l == NULL || l->ndups[i] == 0 ||
        bsearch(&name, l->dups[i], l->ndups[i], sizeof(*l->dups[i]),
                cmp_cstr) == NULL)
        return name;
    const char *us = strchr(id, '_');
    size_t len = strlen(id);
    size_t pre = us != NULL ? (size_t)(us - id) + 1 : 0;
    if (len <= pre + 8)
        snprintf(buf, size, "%s (%s)", name, id);
    else
        snprintf(buf, size, "%s (%.*s\xE2\x80\xA6%s)", name, (int)pre, id,
                 id + len - 6);
    return buf;
}

static int name_cell(const struct agg *a, const struct names *names,
                     const struct layout *l, const struct agg_row *r, int i,
                     struct grid *g, struct cell *c)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const struct group_desc *gd = &sp->ep->groups[sp->group[i]];
    const char *name;
    char shown[512];

    if (r->key[i] == NULL)
        return 0;
    name = names_get(names, gd->names, r->key[i]);
    enum name_state st = names_state(names, gd->names, r->key[i]);
    if (name != NULL) {
        const char *t = told_apart(l, i, name, r->key[i], shown, sizeof(shown));
        char marked[600];
        if (text_cell(g, c, CELL_TEXT, name) != 0)
            return -1;
        /* The table marks an archived project. */
        if (st == NAME_ARCHIVED) {
            snprintf(marked, sizeof(marked), "%s (archived)", t);
            t = marked;
        }
        /* CSV and JSON carry the id beside the name already. */
        if (t != name && (c->display = grid_strdup(g, t)) == NULL)
            return -1;
        return 0;
    }
    /* unknown: the table shows the id, and a project the whole list
     * (archived ones included) does not hold as deleted */
    if (gd->names == NK_PROJECT && st == NAME_UNLISTED) {
        snprintf(shown, sizeof(shown), "%s (deleted)", r->key[i]);
        c->display = grid_strdup(g, shown);
    } else {
        c->display = grid_strdup(g, r->key[i]);
    }
    return c->display != NULL ? 0 : -1;
}

static int metric_cell(const struct agg *a, const struct agg_row *r, int m,
                       bool money, struct grid *g, struct cell *c)
{
    const struct metric_desc *md = &agg_spec_of(a)->ep->metrics[m];
    char tmp[DEC_FMT_MAX];

    if (md->kind == MK_INT) {
        snprintf(tmp, sizeof(tmp), "%" PRId64, r->ival[m]);
        return text_cell(g, c, CELL_INT, tmp);
    }
    if (!r->present[m])
        return 0;
    if (md->kind == MK_DEC) {
        int cur = money ? money_currency(agg_spec_of(a)->ep, m) : -1;
        dec_format(&r->dval[m], tmp, sizeof(tmp));
        if (text_cell(g, c, CELL_DEC, tmp) != 0)
            return -1;
        if (cur >= 0) {
            char shown[MONEY_FMT_MAX];
            money_format(&r->dval[m], r->text[cur], shown, sizeof(shown));
            if ((c->display = grid_strdup(g, shown)) == NULL)
                return -1;
        }
        return 0;
    }
    return text_cell(g, c, CELL_TEXT, r->text[m]);
}

static int fill_cell(const struct agg *a, const struct names *names,
                     const struct layout *l, int k, const struct agg_row *r,
                     bool total, const char *chart, struct grid *g,
                     struct cell *c)
{
    char tmp[DEC_FMT_MAX];
    enum role role = l->role[k];
    int i = l->index[k];
    bool money = l->money;

    switch (role) {
    case R_LABEL:
        return 0;
    case R_T0:
    case R_T1:
        if (!total) {
            c->kind = CELL_TIME;
            c->t = role == R_T0 ? r->t0 : r->t1;
        }
        return 0;
    case R_KEY:
        return total ? 0 : key_cell(a, r, i, g, c);
    case R_NAME:
        return total ? 0 : name_cell(a, names, l, r, i, g, c);
    case R_METRIC:
        return metric_cell(a, r, i, money, g, c);
    case R_TEXT:
        return r->text[i] != NULL ? text_cell(g, c, CELL_TEXT, r->text[i]) : 0;
    case R_CHART:
        return chart != NULL ? text_cell(g, c, CELL_TEXT, chart) : 0;
    case R_TOTAL:
        report_metric_text(a, r, tmp, sizeof(tmp));
        return text_cell(g, c, CELL_DEC, tmp);
    case R_TOKENS: {
        int tin, tout;
        if (!report_token_split(agg_spec_of(a)->ep, &tin, &tout))
            return 0;
        /* Each fits an int64 (agg checks); their sum may not: unsigned. */
        snprintf(tmp, sizeof(tmp), "%" PRIu64,
                 (uint64_t)r->ival[tin] + (uint64_t)r->ival[tout]);
        return text_cell(g, c, CELL_INT, tmp);
    }
    }
    return 0;
}

int layout_fill(const struct agg *a, const struct names *names,
                const struct layout *l, const struct agg_row *r, bool total,
                const char *chart, struct grid *g, struct cell *row)
{
    bool labelled = false;

    for (int k = 0; k < g->ncols; k++) {
        struct cell *c = &row[k];
        if (fill_cell(a, names, l, k, r, total, chart, g, c) != 0)
            return -1;
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

/* ---- the title -------------------------------------------------------------- */

/* A window edge for people: a date at midnight, else date and time (on
 * the local clock with local). */
static void edge_text(int64_t t, bool end, bool local, char *out)
{
    char buf[TU_RFC3339_LEN];

    if (local)
        t = zone_wall(t);
    if (t % 86400 == 0) {
        tu_format_date(end ? t - 86400 : t, out);
        return;
    }
    tu_format_rfc3339(t, buf);
    buf[16] = '\0'; /* YYYY-MM-DDTHH:MM */
    buf[10] = ' ';
    snprintf(out, TU_RFC3339_LEN, "%s", buf);
}

static int64_t period_end(enum tu_period p, int64_t t, bool local)
{
    if (local)
        return zone_next(p, t);
    switch (p) {
    case TU_PER_DAY:
        return t + 86400;
    case TU_PER_WEEK:
        return t + 7 * 86400LL;
    case TU_PER_MONTH:
        return tu_floor_month(t + 32 * 86400LL);
    default:
        return t;
    }
}

/* Mark the period_start cells of periods the window cuts. */
static bool mark_partial(const struct agg *a, const struct report_meta *m,
                         struct grid *g)
{
    enum tu_period per = agg_spec_of(a)->per;
    bool any = false;
    int k = 0;

    if (per == TU_PER_NONE || per == TU_PER_BUCKET)
        return false;
    while (k < g->ncols && strcmp(g->cols[k].name, "period_start") != 0)
        k++;
    for (size_t i = 0; k < g->ncols && i < g->nrows; i++) {
        struct cell *c = &g->cells[i * (size_t)g->ncols + (size_t)k];
        char day[TU_RFC3339_LEN];
        char d[TU_RFC3339_LEN + 2];
        if (c->kind != CELL_TIME ||
            (c->t >= m->start_time &&
             period_end(per, c->t, g->local) <= m->end_time))
            continue;
        grid_date_text(g, c->t, day);
        snprintf(d, sizeof(d), "%s*", day);
        c->display = grid_strdup(g, d);
        any = true;
    }
    return any;
}

void report_window_text(int64_t start, int64_t end, bool local, char *out,
                        size_t size)
{
    char from[TU_RFC3339_LEN], to[TU_RFC3339_LEN];
    const char *zone = local ? zone_name() : "UTC";

    edge_text(start, false, local, from);
    edge_text(end, true, local, to);
    if (strcmp(from, to) == 0)
        snprintf(out, size, "%s %s", from, zone);
    else
        snprintf(out, size, "%s to %s %s", from, to, zone);
}

int report_title(const struct agg *a, const struct report_meta *m,
                 const char *filters, struct grid *g)
{
    const struct agg_spec *sp = agg_spec_of(a);
    char win[160];
    struct buf t;
    int rc = 0;

    report_window_text(m->start_time, m->end_time, sp->floor != NULL, win,
                       sizeof(win));
    buf_init(&t, 0);
    rc |= buf_printf(&t, "%s, %s", sp->ep->command, win);
    for (int i = 0; i < sp->ngroup; i++)
        rc |= buf_printf(&t, "%s%s", i == 0 ? ", by " : ", ",
                         sp->ep->groups[sp->group[i]].name);
    if (report_per_name(sp->per) != NULL)
        rc |= buf_printf(&t, ", per %s", report_per_name(sp->per));
    if (sp->records)
        rc |= buf_puts(&t, ", every bucket");
    if (filters != NULL && filters[0] != '\0')
        rc |= buf_printf(&t, "; %s", filters);
    if (mark_partial(a, m, g))
        rc |= buf_puts(&t, "; * a period the window does not cover whole");
    if (rc == 0)
        g->title = grid_strdup(g, t.data);
    buf_release(&t);
    return rc != 0 || g->title == NULL ? -1 : 0;
}

/* ---- --sort and --top ------------------------------------------------------ */

/* A row's sort key as an exact decimal. */
static struct dec sort_key(const struct agg *a, const struct agg_row *r,
                           int sort)
{
    const struct endpoint *ep = agg_spec_of(a)->ep;
    int tin, tout;

    if (sort == REPORT_SORT_TOTAL && report_token_split(ep, &tin, &tout)) {
        struct dec d = dec_from_int64(r->ival[tin]);
        struct dec e = dec_from_int64(r->ival[tout]);
        dec_add(&d, &e); /* two int64 always fit */
        return d;
    }
    if (sort < 0 || sort >= ep->nmetrics)
        return DEC_ZERO;
    if (ep->metrics[sort].kind == MK_INT)
        return dec_from_int64(r->ival[sort]);
    if (ep->metrics[sort].kind == MK_DEC && r->present[sort])
        return r->dval[sort];
    return DEC_ZERO;
}

struct order_ctx {
    const struct agg *a;
    int sort;
    bool by_period;
};

/* Stable: by period (with --per), the key descending, then the agg's own
 * order. */
static void order_rows(const struct order_ctx *x, size_t *v, size_t *tmp,
                       size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    order_rows(x, v, tmp, h);
    order_rows(x, v + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        const struct agg_row *p = agg_row_at(x->a, v[i]);
        const struct agg_row *q = agg_row_at(x->a, v[j]);
        int c = 0;
        if (x->by_period && p->t0 != q->t0)
            c = q->t0 < p->t0 ? -1 : 1;
        if (c == 0) {
            struct dec kp = sort_key(x->a, p, x->sort);
            struct dec kq = sort_key(x->a, q, x->sort);
            c = dec_cmp(&kp, &kq); /* > 0: q goes first (larger) */
            c = c < 0 ? -1 : 0;
        }
        tmp[k++] = c < 0 ? v[j++] : v[i++];
    }
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof(*v));
}

/* The rows to show, in order: --sort, then --top (per period with --per).
 * *n is their count; NULL when out of memory. */
static size_t *shown_rows(const struct agg *a, const struct report_opts *o,
                          size_t *n, size_t *hidden)
{
    size_t total = agg_nrows(a);
    size_t *v = malloc((total + 1) * sizeof(*v));
    size_t *tmp = malloc((total + 1) * sizeof(*tmp));
    bool by_period = agg_spec_of(a)->per != TU_PER_NONE;
    size_t kept = 0, run = 0;

    if (v == NULL || tmp == NULL) {
        free(v);
        free(tmp);
        return NULL;
    }
    for (size_t i = 0; i < total; i++)
        v[i] = i;
    if (o->sort != REPORT_SORT_DEFAULT) {
        struct order_ctx x = { a, o->sort, by_period };
        order_rows(&x, v, tmp, total);
    }
    free(tmp);
    for (size_t i = 0; i < total; i++) {
        if (i > 0 && by_period &&
            agg_row_at(a, v[i])->t0 != agg_row_at(a, v[i - 1])->t0)
            run = 0;
        if (o->top > 0 && run >= (size_t)o->top)
            continue;
        run++;
        v[kept++] = v[i];
    }
    *n = kept;
    *hidden = total - kept;
    return v;
}

/* ---- the report ------------------------------------------------------------- */

static void add_meta(const struct agg *a, const struct report_opts *o,
                     const struct report_meta *m, struct grid *g)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const char *per = report_per_name(sp->per);

    for (int i = 0; i < sp->ngroup; i++)
        g->lists[i] = sp->ep->groups[sp->group[i]].name;
    grid_add_meta(g, &(struct grid_meta){ "endpoint", META_STRING,
                                          sp->ep->command, 0, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "start_time", META_TIME, NULL,
                                          m->start_time, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "end_time", META_TIME, NULL,
                                          m->end_time, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "bucket_width", META_STRING,
                                          m->bucket_width, 0, false, NULL, 0 });
    if (g->local)
        grid_add_meta(g, &(struct grid_meta){ "time_zone", META_STRING,
                                              zone_name(), 0, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "group_by", META_LIST, NULL, 0, false,
                                          g->lists, sp->ngroup });
    grid_add_meta(g, &(struct grid_meta){ "per", per ? META_STRING : META_NULL,
                                          per, 0, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "records", META_BOOL, NULL, 0,
                                          sp->records, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "names", META_BOOL, NULL, 0,
                                          o->names != NULL, NULL, 0 });
    if (m->api_key_id_from > 0)
        grid_add_meta(g, &(struct grid_meta){ "api_key_id_from", META_TIME,
                                              NULL, m->api_key_id_from, false,
                                              NULL, 0 });
}

static int fill_rows(const struct agg *a, const struct report_opts *o,
                     struct layout *l, struct grid *g, struct ou_err *err)
{
    struct scales sc = { { NULL }, { 0 }, 0 };
    char bar[256];

    for (size_t i = 0; o->chart && i < agg_nrows(a); i++)
        scales_note(&sc, report_label(a, agg_row_at(a, i)),
                    report_metric_double(a, agg_row_at(a, i)));
    size_t nshown, hidden;
    size_t *shown = shown_rows(a, o, &nshown, &hidden);
    if (shown == NULL)
        return ou_nomem(err);
    if (o->hidden != NULL)
        *o->hidden = hidden;
    for (size_t i = 0; i < nshown; i++) {
        const struct agg_row *r = agg_row_at(a, shown[i]);
        struct cell *row = grid_add_row(g, false);
        /* --chart without --per: a bar, on its currency's scale */
        if (o->chart)
            report_bar(report_metric_double(a, r),
                       scales_max(&sc, report_label(a, r)), o->chart_width, bar,
                       sizeof(bar));
        if (row == NULL || layout_fill(a, o->names, l, r, false,
                                       o->chart ? bar : NULL, g, row) != 0) {
            free(shown);
            return ou_nomem(err);
        }
    }
    free(shown);
    for (size_t i = 0; i < agg_ntotals(a); i++) {
        struct cell *row = grid_add_row(g, true);
        if (row == NULL || layout_fill(a, o->names, l, agg_total_at(a, i), true,
                                       o->chart ? "" : NULL, g, row) != 0)
            return ou_nomem(err);
    }
    return 0;
}

int report_grid(const struct agg *a, const struct report_opts *o,
                const struct report_meta *m, struct grid *g, struct ou_err *err)
{
    static const struct report_opts plain = { NULL,  false, 0,
                                              false, true,  REPORT_SORT_DEFAULT,
                                              0,     NULL };
    struct layout l;
    int rc;

    if (o == NULL)
        o = &plain;
    memset(&l, 0, sizeof(l));
    l.money = !o->exact;
    g->color = o->color;
    g->local = agg_spec_of(a)->floor != NULL;
    if (o->chart && agg_spec_of(a)->per != TU_PER_NONE)
        return report_sparklines(a, o, g, err);
    if (build_columns(a, o, g, &l) != 0)
        return ou_fail(err, OU_E_DATA, "too many columns");
    rc = layout_dups(&l, a, o->names) != 0 ? ou_nomem(err)
                                           : fill_rows(a, o, &l, g, err);
    layout_release(&l);
    if (rc == 0)
        add_meta(a, o, m, g);
    return rc;
}
