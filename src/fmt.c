/* fmt.c - table and CSV rendering, and the format dispatch. */
#include "oaiusage/fmt.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOMEM(err) ou_err_set(err, OU_EXIT_IO, "out of memory")

bool fmt_parse_kind(const char *s, enum fmt_kind *out)
{
    static const struct {
        const char *name;
        enum fmt_kind kind;
    } kinds[] = { { "table", FMT_TABLE },
                  { "csv", FMT_CSV },
                  { "json", FMT_JSON },
                  { "ndjson", FMT_NDJSON } };

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(s, kinds[i].name) == 0) {
            *out = kinds[i].kind;
            return true;
        }
    }
    return false;
}

const char *fmt_per_name(enum tu_period p)
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

int fmt_csv_field(struct buf *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL)
        return buf_puts(out, s);
    if (buf_putc(out, '"') != 0)
        return -1;
    for (; *s; s++) {
        if (*s == '"' && buf_putc(out, '"') != 0)
            return -1;
        if (buf_putc(out, *s) != 0)
            return -1;
    }
    return buf_putc(out, '"');
}

/* ---- CSV ------------------------------------------------------------------ */

static int csv_metric(struct buf *out, const struct endpoint *ep,
                      const struct agg_row *r, int m)
{
    char tmp[DEC_FMT_MAX];

    switch (ep->metrics[m].kind) {
    case MK_INT:
        return buf_printf(out, "%" PRId64, r->ival[m]);
    case MK_DEC:
        if (!r->present[m])
            return 0;
        dec_format(&r->dval[m], tmp, sizeof(tmp));
        return buf_puts(out, tmp);
    case MK_TEXT:
        return r->text[m] != NULL ? fmt_csv_field(out, r->text[m]) : 0;
    }
    return 0;
}

static int render_csv(const struct agg *a, const struct fmt_opts *o,
                      struct buf *out)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const struct endpoint *ep = sp->ep;
    char t[TU_RFC3339_LEN];
    int rc = 0;

    if (o->header) {
        const char *sep = "";
        if (sp->records) {
            rc |= buf_puts(out, "start_time,end_time");
            sep = ",";
        } else if (sp->per != TU_PER_NONE) {
            rc |= buf_puts(out, "period_start");
            sep = ",";
        }
        for (int g = 0; g < sp->ngroup; g++) {
            rc |= buf_printf(out, "%s%s", sep, ep->groups[sp->group[g]].name);
            sep = ",";
        }
        for (int m = 0; m < ep->nmetrics; m++) {
            rc |= buf_printf(out, "%s%s", sep, ep->metrics[m].name);
            sep = ",";
        }
        rc |= buf_puts(out, "\r\n");
    }
    for (size_t i = 0; i < agg_nrows(a) && rc == 0; i++) {
        const struct agg_row *r = agg_row_at(a, i);
        const char *sep = "";
        if (sp->records) {
            tu_format_rfc3339(r->t0, t);
            rc |= buf_printf(out, "%s,", t);
            tu_format_rfc3339(r->t1, t);
            rc |= buf_puts(out, t);
            sep = ",";
        } else if (sp->per != TU_PER_NONE) {
            tu_format_rfc3339(r->t0, t);
            rc |= buf_puts(out, t);
            sep = ",";
        }
        for (int g = 0; g < sp->ngroup; g++) {
            rc |= buf_puts(out, sep);
            if (r->key[g] != NULL)
                rc |= fmt_csv_field(out, r->key[g]);
            sep = ",";
        }
        for (int m = 0; m < ep->nmetrics; m++) {
            rc |= buf_puts(out, sep);
            rc |= csv_metric(out, ep, r, m);
            sep = ",";
        }
        rc |= buf_puts(out, "\r\n");
    }
    return rc == 0 ? 0 : -1;
}

/* ---- table ------------------------------------------------------------------ */

enum col_kind { CK_T0, CK_T1, CK_PERIOD, CK_KEY, CK_METRIC };

struct col {
    const char *name;
    enum col_kind kind;
    int index;        /* group position or metric index */
    bool right;       /* right-aligned (numbers) */
    size_t width;
};

/* A table cell's text. Cells are stored row-major in one array. */
struct cells {
    char **v;
    size_t ncols;
    size_t nrows;
};

static void group_int(int64_t v, char *buf, size_t size)
{
    struct dec d = { v, 0 };
    dec_format_grouped(&d, buf, size);
}

static char *cell_text(const struct agg *a, const struct col *c,
                       const struct agg_row *r, bool total)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const struct endpoint *ep = sp->ep;
    char tmp[DEC_FMT_MAX + TU_RFC3339_LEN];

    tmp[0] = '\0';
    switch (c->kind) {
    case CK_T0:
    case CK_T1:
        if (!total)
            tu_format_rfc3339(c->kind == CK_T0 ? r->t0 : r->t1, tmp);
        break;
    case CK_PERIOD:
        if (total)
            break;
        if (sp->per == TU_PER_BUCKET)
            tu_format_rfc3339(r->t0, tmp);
        else
            tu_format_date(r->t0, tmp);
        break;
    case CK_KEY:
        if (!total)
            snprintf(tmp, sizeof(tmp), "%s",
                     r->key[c->index] != NULL ? r->key[c->index] : "(none)");
        break;
    case CK_METRIC: {
        int m = c->index;
        switch (ep->metrics[m].kind) {
        case MK_INT:
            group_int(r->ival[m], tmp, sizeof(tmp));
            break;
        case MK_DEC:
            if (r->present[m])
                dec_format_grouped(&r->dval[m], tmp, sizeof(tmp));
            break;
        case MK_TEXT:
            if (r->text[m] != NULL)
                snprintf(tmp, sizeof(tmp), "%s", r->text[m]);
            break;
        }
        break;
    }
    }
    return strdup(tmp);
}

/* Is a nullable metric column null in every row and total? */
static bool column_all_null(const struct agg *a, int m)
{
    for (size_t i = 0; i < agg_nrows(a); i++) {
        if (agg_row_at(a, i)->present[m])
            return false;
    }
    for (size_t i = 0; i < agg_ntotals(a); i++) {
        if (agg_total_at(a, i)->present[m])
            return false;
    }
    return true;
}

static size_t table_columns(const struct agg *a, struct col *cols)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const struct endpoint *ep = sp->ep;
    size_t n = 0;

    if (sp->records) {
        cols[n++] = (struct col){ "start_time", CK_T0, 0, false, 0 };
        cols[n++] = (struct col){ "end_time", CK_T1, 0, false, 0 };
    } else if (sp->per != TU_PER_NONE) {
        cols[n++] = (struct col){ "period_start", CK_PERIOD, 0, false, 0 };
    }
    for (int g = 0; g < sp->ngroup; g++)
        cols[n++] = (struct col){ ep->groups[sp->group[g]].name, CK_KEY, g,
                                  false, 0 };
    for (int m = 0; m < ep->nmetrics; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        if (!md->in_table || (md->nullable && column_all_null(a, m)))
            continue;
        cols[n++] = (struct col){ md->name, CK_METRIC, m, md->kind != MK_TEXT,
                                  0 };
    }
    return n;
}

static int table_line(struct buf *out, const struct col *cols, size_t ncols,
                      char *const *cell)
{
    int rc = 0;

    for (size_t c = 0; c < ncols; c++) {
        size_t len = strlen(cell[c]);
        size_t pad = cols[c].width - len;
        bool last = c + 1 == ncols;
        if (c > 0)
            rc |= buf_puts(out, "  ");
        if (cols[c].right)
            rc |= buf_printf(out, "%*s", (int)pad, "");
        rc |= buf_puts(out, cell[c]);
        if (!cols[c].right && !last)
            rc |= buf_printf(out, "%*s", (int)pad, "");
    }
    while (rc == 0 && out->len > 0 && out->data[out->len - 1] == ' ')
        out->data[--out->len] = '\0'; /* no trailing blanks */
    rc |= buf_putc(out, '\n');
    return rc;
}

static int table_rule(struct buf *out, const struct col *cols, size_t ncols)
{
    int rc = 0;

    for (size_t c = 0; c < ncols; c++) {
        if (c > 0)
            rc |= buf_puts(out, "  ");
        for (size_t k = 0; k < cols[c].width; k++)
            rc |= buf_putc(out, '-');
    }
    rc |= buf_putc(out, '\n');
    return rc;
}

static int render_table(const struct agg *a, const struct fmt_opts *o,
                        struct buf *out, struct ou_err *err)
{
    struct col cols[EP_MAX_GROUPS + EP_MAX_METRICS + 2];
    size_t ncols = table_columns(a, cols);
    size_t nrows = agg_nrows(a);
    size_t ntot = agg_ntotals(a);
    const struct agg_spec *sp = agg_spec_of(a);
    /* Without key or time columns the only row is the total: show it once,
     * under a label column. */
    bool label_col = ncols == 0 || cols[0].kind == CK_METRIC;
    size_t lines = (label_col ? 0 : nrows) + ntot;
    char **cell;
    int rc = 0;

    if (label_col) {
        memmove(cols + 1, cols, ncols * sizeof(*cols));
        cols[0] = (struct col){ "", CK_KEY, -1, false, 0 };
        ncols++;
    }
    cell = calloc(lines * ncols + 1, sizeof(*cell));
    if (cell == NULL)
        return NOMEM(err);
    for (size_t i = 0; i < lines; i++) {
        bool total = label_col || i >= nrows;
        const struct agg_row *r = total ? agg_total_at(a, i - (label_col ? 0 : nrows))
                                        : agg_row_at(a, i);
        for (size_t c = 0; c < ncols; c++) {
            char **slot = &cell[i * ncols + c];
            if (c == 0 && total)
                *slot = strdup("TOTAL");
            else if (cols[c].index < 0)
                *slot = strdup("");
            else
                *slot = cell_text(a, &cols[c], r, total);
            if (*slot == NULL) {
                rc = NOMEM(err);
                goto out;
            }
        }
    }
    for (size_t c = 0; c < ncols; c++) {
        cols[c].width = o->header ? strlen(cols[c].name) : 0;
        for (size_t i = 0; i < lines; i++) {
            size_t len = strlen(cell[i * ncols + c]);
            if (len > cols[c].width)
                cols[c].width = len;
        }
    }
    if (o->header) {
        char *head[EP_MAX_GROUPS + EP_MAX_METRICS + 3];
        for (size_t c = 0; c < ncols; c++)
            head[c] = (char *)cols[c].name;
        rc |= table_line(out, cols, ncols, head);
        rc |= table_rule(out, cols, ncols);
    }
    for (size_t i = 0; i < lines; i++) {
        if (!label_col && i == nrows && nrows > 0)
            rc |= table_rule(out, cols, ncols);
        rc |= table_line(out, cols, ncols, &cell[i * ncols]);
    }
    if (rc != 0)
        rc = NOMEM(err);
    (void)sp;
out:
    for (size_t i = 0; i < lines * ncols; i++)
        free(cell[i]);
    free(cell);
    return rc;
}

int fmt_render(const struct agg *a, const struct fmt_opts *o, struct buf *out,
               struct ou_err *err)
{
    switch (o->kind) {
    case FMT_TABLE:
        return render_table(a, o, out, err);
    case FMT_CSV:
        return render_csv(a, o, out) == 0 ? 0 : NOMEM(err);
    case FMT_JSON:
    case FMT_NDJSON:
        return fmt_render_json(a, o, out, err);
    }
    return ou_err_set(err, OU_EXIT_USAGE, "unknown format");
}
