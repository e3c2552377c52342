/* html.c - the self-contained HTML report (see html.h). */
#include "oaiusage/html.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/svg.h"
#include "oaiusage/timeutil.h"

#define DAY 86400
#define TOP_MODELS 12
#define TOP_SERIES 7

/* Distinct labels with a total each (a tiny string -> index map). */
struct labels {
    const char **name;
    double *total;
    int n;
    int cap;
};

static int label_index(struct labels *l, const char *name)
{
    for (int i = 0; i < l->n; i++) {
        if (strcmp(l->name[i], name) == 0)
            return i;
    }
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 32;
        const char **nn = realloc(l->name, (size_t)cap * sizeof(*nn));
        if (nn == NULL)
            return -1;
        l->name = nn;
        double *nt = realloc(l->total, (size_t)cap * sizeof(*nt));
        if (nt == NULL)
            return -1;
        l->total = nt;
        l->cap = cap;
    }
    l->name[l->n] = name;
    l->total[l->n] = 0;
    return l->n++;
}

static void labels_free(struct labels *l)
{
    free(l->name);
    free(l->total);
}

static const char *project_label(const struct html_input *in, const char *id)
{
    if (id == NULL)
        return "(no project)";
    const char *n = names_get(in->names, NK_PROJECT, id);
    return n != NULL ? n : id;
}

/* ---- series matrices ------------------------------------------------------ */

/* Fold a (series x category) matrix: kept series first, then "Other". */
struct folded {
    int nser;
    const char **names;
    int *color;
    double *v;           /* [nser * ncat] */
    int *map;            /* original series -> folded row */
};

static int fold_matrix(const struct labels *ser, const double *v, int ncat,
                       int top, double min_share, struct folded *f)
{
    int n = ser->n;
    f->map = calloc((size_t)(n ? n : 1), sizeof(*f->map));
    if (f->map == NULL)
        return -1;
    int kept = svg_fold(n, ser->total, top, min_share, f->map);
    bool other = kept < n;
    f->nser = kept + other;
    f->names = calloc((size_t)(f->nser ? f->nser : 1), sizeof(*f->names));
    f->color = calloc((size_t)(f->nser ? f->nser : 1), sizeof(*f->color));
    f->v = calloc((size_t)(f->nser ? f->nser : 1) * (size_t)(ncat ? ncat : 1),
                  sizeof(*f->v));
    if (f->names == NULL || f->color == NULL || f->v == NULL)
        return -1;
    for (int i = 0; i < n; i++) {
        int row = f->map[i] == SVG_OTHER ? kept : f->map[i];
        if (f->map[i] != SVG_OTHER) {
            f->names[row] = ser->name[i];
            f->color[row] = row;
        }
        for (int c = 0; c < ncat; c++)
            f->v[row * ncat + c] += v[i * ncat + c];
    }
    if (other) {
        f->names[kept] = "Other";
        f->color[kept] = SVG_OTHER;
    }
    return 0;
}

static void folded_free(struct folded *f)
{
    free(f->names);
    free(f->color);
    free(f->v);
    free(f->map);
}

/* ---- the document ------------------------------------------------------------ */

static int esc(struct buf *b, const char *s)
{
    return svg_escape(b, s);
}

static int section(struct buf *b, const char *id)
{
    return buf_printf(b, "<section id=\"%s\">", id);
}

static int num_cell(struct buf *b, int64_t v)
{
    struct dec d = dec_from_int64(v);
    char tmp[DEC_FMT_MAX];
    dec_format_grouped(&d, tmp, sizeof(tmp));
    return buf_printf(b, "<td class=\"n\">%s</td>", tmp);
}

static int dec_cell(struct buf *b, const struct dec *d)
{
    char tmp[DEC_FMT_MAX];
    dec_format_grouped(d, tmp, sizeof(tmp));
    return buf_printf(b, "<td class=\"n\">%s</td>", tmp);
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

int html_report(const struct html_input *in, struct buf *out,
                struct ou_err *err)
{
    const struct endpoint *uep = agg_spec_of(in->usage)->ep;
    const struct endpoint *cep = agg_spec_of(in->costs)->ep;
    int m_in = endpoint_metric_index(uep, "input_tokens");
    int m_out = endpoint_metric_index(uep, "output_tokens");
    int m_req = endpoint_metric_index(uep, "num_model_requests");
    int m_amt = endpoint_metric_index(cep, "amount");
    int m_cur = endpoint_metric_index(cep, "currency");
    int64_t d0 = tu_floor_day(in->start);
    int ndays = (int)((in->end - d0 + DAY - 1) / DAY);
    char a[TU_RFC3339_LEN], b2[TU_RFC3339_LEN], g[TU_RFC3339_LEN];
    const char **days = NULL;
    char *daytext = NULL;
    double *inout = NULL;
    double *cost_day = NULL;
    double *li_day = NULL;
    double *req_mp = NULL;
    int *row_model = NULL;    /* per usage row: its model label */
    int *row_project = NULL;  /* per usage row: its project label */
    int *row_item = NULL;     /* per costs row: its line item label */
    struct labels models = { 0 }, projects = { 0 }, items = { 0 };
    struct folded fp = { 0 }, fli = { 0 };
    int rc = 0;

    if (ndays < 1)
        ndays = 1;
    days = calloc((size_t)ndays, sizeof(*days));
    daytext = calloc((size_t)ndays, 11);
    inout = calloc(2 * (size_t)ndays, sizeof(*inout));
    cost_day = calloc((size_t)ndays, sizeof(*cost_day));
    row_model = calloc(agg_nrows(in->usage) + 1, sizeof(*row_model));
    row_project = calloc(agg_nrows(in->usage) + 1, sizeof(*row_project));
    row_item = calloc(agg_nrows(in->costs) + 1, sizeof(*row_item));
    if (days == NULL || daytext == NULL || inout == NULL || cost_day == NULL ||
        row_model == NULL || row_project == NULL || row_item == NULL)
        goto nomem;
    for (int i = 0; i < ndays; i++) {
        tu_format_date(d0 + (int64_t)i * DAY, daytext + 11 * i);
        days[i] = daytext + 11 * i;
    }

    /* Usage: per day, per model, per project. */
    for (size_t r = 0; r < agg_nrows(in->usage); r++) {
        const struct agg_row *row = agg_row_at(in->usage, r);
        int di = (int)((row->t0 - d0) / DAY);
        const char *model = row->key[0] ? row->key[0] : "(no model)";
        const char *proj = project_label(in, row->key[1]);
        if (di >= 0 && di < ndays) {
            inout[di] += (double)row->ival[m_in];
            inout[ndays + di] += (double)row->ival[m_out];
        }
        int mi = label_index(&models, model);
        int pi = label_index(&projects, proj);
        if (mi < 0 || pi < 0)
            goto nomem;
        row_model[r] = mi;
        row_project[r] = pi;
        models.total[mi] += (double)row->ival[m_req];
        projects.total[pi] += (double)row->ival[m_req];
    }
    req_mp = calloc((size_t)(projects.n ? projects.n : 1) *
                        (size_t)(models.n ? models.n : 1),
                    sizeof(*req_mp));
    if (req_mp == NULL)
        goto nomem;
    for (size_t r = 0; r < agg_nrows(in->usage); r++) {
        const struct agg_row *row = agg_row_at(in->usage, r);
        req_mp[row_project[r] * models.n + row_model[r]] +=
            (double)row->ival[m_req];
    }

    /* Costs: per day, per line item. */
    for (size_t r = 0; r < agg_nrows(in->costs); r++) {
        const struct agg_row *row = agg_row_at(in->costs, r);
        int li = label_index(&items, row->key[0] ? row->key[0] : "(no line item)");
        if (li < 0)
            goto nomem;
        row_item[r] = li;
        items.total[li] += dec_to_double(&row->dval[m_amt]);
    }
    li_day = calloc((size_t)(items.n ? items.n : 1) * (size_t)ndays,
                    sizeof(*li_day));
    if (li_day == NULL)
        goto nomem;
    for (size_t r = 0; r < agg_nrows(in->costs); r++) {
        const struct agg_row *row = agg_row_at(in->costs, r);
        int di = (int)((row->t0 - d0) / DAY);
        int li = row_item[r];
        double v = dec_to_double(&row->dval[m_amt]);
        if (di >= 0 && di < ndays) {
            cost_day[di] += v;
            li_day[li * ndays + di] += v;
        }
    }

    tu_format_rfc3339(in->start, a);
    tu_format_rfc3339(in->end, b2);
    tu_format_rfc3339(in->generated, g);
    rc |= buf_puts(out, "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/"
                        "xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>"
                        "<title>OpenAI usage and costs, ");
    rc |= buf_printf(out, "%.10s to %.10s</title><style>%s</style></head>"
                          "<body><header><h1>OpenAI usage and costs</h1>",
                     a, b2, style);
    rc |= buf_printf(out, "<p>Window: %s to %s (UTC, end exclusive)</p>", a, b2);
    rc |= buf_printf(out, "<p>Generated %s by oaiusage from ", g);
    rc |= esc(out, in->base_url);
    rc |= buf_puts(out, "</p></header>");

    char sub[128];
    char win[64];
    snprintf(sub, sizeof(sub), "per UTC day, %.10s to %.10s", a, b2);
    snprintf(win, sizeof(win), "%.10s to %.10s", a, b2);
    static const char *const io_names[] = { "input tokens", "output tokens" };
    static const int io_color[] = { 0, 1 };
    struct bar_chart c1 = { "Daily input vs output tokens", sub, "tokens",
                            false, BARS_GROUPED, ndays, days, 2, io_names,
                            io_color, inout, true };
    rc |= section(out, "tokens");
    rc |= svg_bar_chart(out, &c1, 1000, 360);
    rc |= buf_puts(out, "</section>");

    /* Requests per model (categories, top models + Other) stacked by
     * project (series, top projects + Other). */
    if (fold_matrix(&projects, req_mp, models.n, TOP_SERIES, 0, &fp) != 0)
        goto nomem;
    {
        int *mmap = calloc((size_t)(models.n ? models.n : 1), sizeof(*mmap));
        if (mmap == NULL)
            goto nomem;
        int kept = svg_fold(models.n, models.total, TOP_MODELS, 0, mmap);
        int ncat = kept + (kept < models.n);
        const char **mcat = calloc((size_t)(ncat ? ncat : 1), sizeof(*mcat));
        double *mv = calloc((size_t)(fp.nser ? fp.nser : 1) *
                                (size_t)(ncat ? ncat : 1),
                            sizeof(*mv));
        if (mcat == NULL || mv == NULL) {
            free(mmap);
            free(mcat);
            free(mv);
            goto nomem;
        }
        for (int i = 0; i < models.n; i++) {
            int c = mmap[i] == SVG_OTHER ? kept : mmap[i];
            mcat[c] = mmap[i] == SVG_OTHER ? "Other" : models.name[i];
            for (int s = 0; s < fp.nser; s++)
                mv[s * ncat + c] += fp.v[s * models.n + i];
        }
        struct bar_chart c2 = { "Model requests by model, stacked by project",
                                win, "requests", false, BARS_STACKED,
                                ncat, mcat, fp.nser, fp.names, fp.color, mv,
                                false };
        rc |= section(out, "models");
        rc |= svg_bar_chart(out, &c2, 1000, 380);
        rc |= buf_puts(out, "</section>");
        free(mmap);
        free(mcat);
        free(mv);
    }

    /* Share of requests per project: under 5% folded into Other. */
    {
        int *pmap = calloc((size_t)(projects.n ? projects.n : 1), sizeof(*pmap));
        if (pmap == NULL)
            goto nomem;
        int kept = svg_fold(projects.n, projects.total, 1000, 0.05, pmap);
        int n = kept + (kept < projects.n);
        const char **lab = calloc((size_t)(n ? n : 1), sizeof(*lab));
        int *col = calloc((size_t)(n ? n : 1), sizeof(*col));
        double *v = calloc((size_t)(n ? n : 1), sizeof(*v));
        const char **olab = calloc((size_t)(projects.n ? projects.n : 1),
                                   sizeof(*olab));
        double *ov = calloc((size_t)(projects.n ? projects.n : 1), sizeof(*ov));
        int *ocol = calloc((size_t)(projects.n ? projects.n : 1), sizeof(*ocol));
        int no = 0;
        if (lab == NULL || col == NULL || v == NULL || olab == NULL ||
            ov == NULL || ocol == NULL) {
            free(pmap); free(lab); free(col); free(v);
            free(olab); free(ov); free(ocol);
            goto nomem;
        }
        for (int i = 0; i < projects.n; i++) {
            int k = pmap[i] == SVG_OTHER ? kept : pmap[i];
            lab[k] = pmap[i] == SVG_OTHER ? "Other" : projects.name[i];
            col[k] = pmap[i] == SVG_OTHER ? SVG_OTHER : k;
            v[k] += projects.total[i];
            if (pmap[i] == SVG_OTHER) {
                olab[no] = projects.name[i];
                ov[no] = projects.total[i];
                ocol[no] = SVG_OTHER;
                no++;
            }
        }
        struct donut d = { "Share of requests by project",
                           "projects under 5% of requests are folded into "
                           "\"Other\"",
                           n, lab, col, v };
        rc |= section(out, "share");
        rc |= svg_donut(out, &d, 1000, 320);
        rc |= buf_puts(out, "</section>");
        if (no > 0) {
            static const char *const one[] = { "requests" };
            static const int onecol[] = { SVG_OTHER };
            struct bar_chart c4 = { "\"Other\" broken down: requests by "
                                    "project",
                                    "the projects under 5% of requests",
                                    "requests", false, BARS_GROUPED, no,
                                    olab, 1, one, onecol, ov, false };
            rc |= section(out, "other");
            rc |= svg_bar_chart(out, &c4, 1000, 320);
            rc |= buf_puts(out, "</section>");
        }
        free(pmap); free(lab); free(col); free(v);
        free(olab); free(ov); free(ocol);
    }

    static const char *const cost_name[] = { "cost" };
    static const int cost_color[] = { 2 };
    struct bar_chart c5 = { "Total cost per day", sub, "USD", true,
                            BARS_GROUPED, ndays, days, 1, cost_name,
                            cost_color, cost_day, true };
    rc |= section(out, "cost");
    rc |= svg_bar_chart(out, &c5, 1000, 340);
    rc |= buf_puts(out, "</section>");

    if (fold_matrix(&items, li_day, ndays, TOP_SERIES, 0, &fli) != 0)
        goto nomem;
    struct bar_chart c6 = { "Cost per day by line item", sub, "USD", true,
                            BARS_STACKED, ndays, days, fli.nser, fli.names,
                            fli.color, fli.v, true };
    rc |= section(out, "line-items");
    rc |= svg_bar_chart(out, &c6, 1000, 380);
    rc |= buf_puts(out, "</section>");

    /* Totals tables: exact numbers. */
    rc |= section(out, "totals");
    rc |= buf_puts(out, "<h2>Completions by model</h2><table><thead><tr>"
                        "<th>model</th><th class=\"n\">requests</th>"
                        "<th class=\"n\">input tokens</th>"
                        "<th class=\"n\">output tokens</th></tr></thead><tbody>");
    {
        int64_t *t = calloc((size_t)(models.n ? models.n : 1) * 3, sizeof(*t));
        int64_t sum[3] = { 0, 0, 0 };
        if (t == NULL)
            goto nomem;
        for (size_t r = 0; r < agg_nrows(in->usage); r++) {
            const struct agg_row *row = agg_row_at(in->usage, r);
            int mi = row_model[r];
            t[mi * 3] += row->ival[m_req];
            t[mi * 3 + 1] += row->ival[m_in];
            t[mi * 3 + 2] += row->ival[m_out];
        }
        int *order = calloc((size_t)(models.n ? models.n : 1), sizeof(*order));
        if (order == NULL) {
            free(t);
            goto nomem;
        }
        svg_fold(models.n, models.total, models.n, 0, order);
        for (int k = 0; k < models.n; k++) {
            for (int i = 0; i < models.n; i++) {
                if (order[i] != k)
                    continue;
                rc |= buf_puts(out, "<tr><td>");
                rc |= esc(out, models.name[i]);
                rc |= buf_puts(out, "</td>");
                for (int j = 0; j < 3; j++) {
                    rc |= num_cell(out, t[i * 3 + j]);
                    sum[j] += t[i * 3 + j];
                }
                rc |= buf_puts(out, "</tr>");
            }
        }
        rc |= buf_puts(out, "</tbody><tfoot><tr><td>TOTAL</td>");
        for (int j = 0; j < 3; j++)
            rc |= num_cell(out, sum[j]);
        rc |= buf_puts(out, "</tr></tfoot></table>");
        free(order);
        free(t);
    }
    /* Costs by line item, exact. */
    rc |= buf_puts(out, "<h2>Costs by line item</h2><table><thead><tr>"
                        "<th>line item</th><th class=\"n\">amount</th>"
                        "<th>currency</th></tr></thead><tbody>");
    {
        struct dec *amt = calloc((size_t)(items.n ? items.n : 1), sizeof(*amt));
        const char **cur = calloc((size_t)(items.n ? items.n : 1), sizeof(*cur));
        struct dec total = DEC_ZERO;
        if (amt == NULL || cur == NULL) {
            free(amt);
            free(cur);
            goto nomem;
        }
        for (size_t r = 0; r < agg_nrows(in->costs); r++) {
            const struct agg_row *row = agg_row_at(in->costs, r);
            int li = row_item[r];
            if (dec_add(&amt[li], &row->dval[m_amt]) != DEC_OK ||
                dec_add(&total, &row->dval[m_amt]) != DEC_OK) {
                free(amt);
                free(cur);
                rc = ou_fail(err, OU_E_DATA, "cost total out of range");
                goto out;
            }
            cur[li] = row->text[m_cur];
        }
        int *order = calloc((size_t)(items.n ? items.n : 1), sizeof(*order));
        if (order == NULL) {
            free(amt);
            free(cur);
            goto nomem;
        }
        svg_fold(items.n, items.total, items.n, 0, order);
        for (int k = 0; k < items.n; k++) {
            for (int i = 0; i < items.n; i++) {
                if (order[i] != k)
                    continue;
                rc |= buf_puts(out, "<tr><td>");
                rc |= esc(out, items.name[i]);
                rc |= buf_puts(out, "</td>");
                rc |= dec_cell(out, &amt[i]);
                rc |= buf_puts(out, "<td>");
                rc |= esc(out, cur[i] ? cur[i] : "");
                rc |= buf_puts(out, "</td></tr>");
            }
        }
        rc |= buf_puts(out, "</tbody><tfoot><tr><td>TOTAL</td>");
        rc |= dec_cell(out, &total);
        rc |= buf_puts(out, "<td></td></tr></tfoot></table>");
        free(order);
        free(amt);
        free(cur);
    }
    rc |= buf_puts(out, "</section></body></html>\n");
    if (rc != 0)
        goto nomem;
    goto out;
nomem:
    rc = ou_nomem(err);
out:
    free(days);
    free(daytext);
    free(inout);
    free(cost_day);
    free(li_day);
    free(req_mp);
    free(row_model);
    free(row_project);
    free(row_item);
    labels_free(&models);
    labels_free(&projects);
    labels_free(&items);
    folded_free(&fp);
    folded_free(&fli);
    return rc;
}
