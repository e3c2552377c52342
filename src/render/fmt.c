/* fmt.c - the grid, and its table and CSV renderers (see fmt.h). */
#include "oaiusage/fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/timeutil.h"


/* ---- the grid ------------------------------------------------------------ */

void grid_init(struct grid *g, const char *object)
{
    memset(g, 0, sizeof(*g));
    g->object = object;
}

void grid_release(struct grid *g)
{
    arena_release(&g->strings);
    free(g->cells);
    grid_init(g, g->object);
}

const char *grid_strdup(struct grid *g, const char *s)
{
    return arena_strdup(&g->strings, s);
}

int grid_add_col(struct grid *g, const struct grid_col *col)
{
    if (g->ncols == GRID_MAX_COLS || g->cap > 0)
        return -1; /* columns come before rows */
    g->cols[g->ncols] = *col;
    return g->ncols++;
}

struct cell *grid_add_row(struct grid *g, bool total)
{
    size_t n = g->nrows + g->ntotals;

    if (!total && g->ntotals > 0)
        return NULL;
    if (n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 64;
        struct cell *c = realloc(g->cells, cap * (size_t)g->ncols * sizeof(*c));
        if (c == NULL)
            return NULL;
        g->cells = c;
        g->cap = cap;
    }
    struct cell *row = &g->cells[n * (size_t)g->ncols];
    memset(row, 0, (size_t)g->ncols * sizeof(*row));
    if (total)
        g->ntotals++;
    else
        g->nrows++;
    return row;
}

void grid_add_meta(struct grid *g, const struct grid_meta *m)
{
    if (g->nmeta < GRID_MAX_META)
        g->meta[g->nmeta++] = *m;
}

bool fmt_parse_kind(const char *s, enum fmt_kind *out)
{
    static const struct {
        const char *name;
        enum fmt_kind kind;
    } kinds[] = { { "table", FMT_TABLE },
                  { "csv", FMT_CSV },
                  { "json", FMT_JSON },
                  { "ndjson", FMT_NDJSON },
                  { "svg", FMT_SVG } };

    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        if (strcmp(s, kinds[i].name) == 0) {
            *out = kinds[i].kind;
            return true;
        }
    }
    return false;
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

static int csv_cell(struct buf *out, const struct cell *c)
{
    char t[TU_RFC3339_LEN];

    switch (c->kind) {
    case CELL_NULL:
        return 0;
    case CELL_TEXT:
        return fmt_csv_field(out, c->s);
    case CELL_INT:
    case CELL_DEC:
        return buf_puts(out, c->s);
    case CELL_BOOL:
        return buf_puts(out, c->b ? "true" : "false");
    case CELL_TIME:
        tu_format_rfc3339(c->t, t);
        return buf_puts(out, t);
    }
    return 0;
}

static int csv_part(const struct grid *g, bool header, bool head, bool rows,
                    struct buf *out)
{
    int rc = 0;

    if (head && header) {
        const char *sep = "";
        for (int k = 0; k < g->ncols; k++) {
            if (g->cols[k].table_only)
                continue;
            rc |= buf_puts(out, sep);
            rc |= fmt_csv_field(out, g->cols[k].name);
            sep = ",";
        }
        rc |= buf_puts(out, "\r\n");
    }
    for (size_t i = 0; rows && i < g->nrows && rc == 0; i++) {
        const struct cell *row = &g->cells[i * (size_t)g->ncols];
        const char *sep = "";
        for (int k = 0; k < g->ncols; k++) {
            if (g->cols[k].table_only)
                continue;
            rc |= buf_puts(out, sep);
            rc |= csv_cell(out, &row[k]);
            sep = ",";
        }
        rc |= buf_puts(out, "\r\n");
    }
    return rc == 0 ? 0 : -1;
}

/* ---- table ------------------------------------------------------------------ */

/* "-1234567.5" -> "-1,234,567.5" */
static void group_digits(const char *plain, char *out, size_t size)
{
    const char *p = plain;
    size_t o = 0;

    if (*p == '-' && o + 1 < size)
        out[o++] = *p++;
    size_t int_len = strcspn(p, ".");
    for (size_t k = 0; k < int_len && o + 2 < size; k++) {
        out[o++] = p[k];
        size_t left = int_len - 1 - k;
        if (left > 0 && left % 3 == 0)
            out[o++] = ',';
    }
    for (p += int_len; *p && o + 1 < size; p++)
        out[o++] = *p;
    out[o] = '\0';
}

/* The visible width of UTF-8 text: code points, not bytes. */
static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++) {
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    }
    return w;
}

/* A copy for the terminal: control characters (escape sequences, line
 * breaks from the API) shown as '?'. */
static char *safe_dup(const char *s)
{
    char *d = strdup(s);
    for (char *p = d; p != NULL && *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    }
    return d;
}

static char *table_text(const struct grid_col *col, const struct cell *c)
{
    char tmp[128];

    if (c->display != NULL)
        return safe_dup(c->display);
    switch (c->kind) {
    case CELL_NULL:
        return strdup(col->null_text != NULL ? col->null_text : "");
    case CELL_TEXT:
        return safe_dup(c->s);
    case CELL_INT:
    case CELL_DEC:
        group_digits(c->s, tmp, sizeof(tmp));
        return strdup(tmp);
    case CELL_BOOL:
        return strdup(c->b ? "true" : "false");
    case CELL_TIME:
        if (col->date_only)
            tu_format_date(c->t, tmp);
        else
            tu_format_rfc3339(c->t, tmp);
        return strdup(tmp);
    }
    return strdup("");
}

static bool numeric_col(const struct grid *g, int k)
{
    size_t n = g->nrows + g->ntotals;
    for (size_t i = 0; i < n; i++) {
        enum cell_kind kind = g->cells[i * (size_t)g->ncols + k].kind;
        if (kind == CELL_INT || kind == CELL_DEC)
            return true;
        if (kind != CELL_NULL)
            return false;
    }
    return false;
}

static bool col_all_null(const struct grid *g, int k)
{
    size_t n = g->nrows + g->ntotals;
    for (size_t i = 0; i < n; i++) {
        if (g->cells[i * (size_t)g->ncols + k].kind != CELL_NULL)
            return false;
    }
    return true;
}

struct tcol {
    int k;
    bool right;
    bool color;      /* wrap in an ANSI colour (bar columns on a tty) */
    size_t width;
};

static int table_line(struct buf *out, const struct tcol *tc, int n,
                      char *const *text)
{
    int rc = 0;

    for (int c = 0; c < n; c++) {
        size_t w = text_width(text[c]);
        size_t pad = tc[c].width > w ? tc[c].width - w : 0;
        if (c > 0)
            rc |= buf_puts(out, "  ");
        if (tc[c].right)
            rc |= buf_printf(out, "%*s", (int)pad, "");
        if (tc[c].color && text[c][0] != '\0')
            rc |= buf_printf(out, "\x1b[34m%s\x1b[0m", text[c]);
        else
            rc |= buf_puts(out, text[c]);
        if (!tc[c].right)
            rc |= buf_printf(out, "%*s", (int)pad, "");
    }
    while (rc == 0 && out->len > 0 && out->data[out->len - 1] == ' ')
        out->data[--out->len] = '\0'; /* no trailing blanks */
    rc |= buf_putc(out, '\n');
    return rc;
}

static int table_rule(struct buf *out, const struct tcol *tc, int n)
{
    int rc = 0;

    for (int c = 0; c < n; c++) {
        if (c > 0)
            rc |= buf_puts(out, "  ");
        for (size_t k = 0; k < tc[c].width; k++)
            rc |= buf_putc(out, '-');
    }
    rc |= buf_putc(out, '\n');
    return rc;
}

static int render_table(const struct grid *g, bool header, struct buf *out,
                        struct ou_err *err)
{
    struct tcol tc[GRID_MAX_COLS];
    int n = 0;
    size_t first = g->table_hides_rows ? g->nrows : 0;
    size_t last = g->nrows + g->ntotals;
    size_t lines = last - first;
    char **text;
    int rc = 0;

    for (int k = 0; k < g->ncols; k++) {
        if (!g->cols[k].in_table ||
            (g->cols[k].hide_if_null && col_all_null(g, k)))
            continue;
        tc[n].k = k;
        tc[n].right = numeric_col(g, k);
        tc[n].color = g->color && g->cols[k].bar;
        tc[n].width = header ? text_width(g->cols[k].name) : 0;
        n++;
    }
    text = calloc(lines * (size_t)n + 1, sizeof(*text));
    if (text == NULL)
        return ou_nomem(err);
    for (size_t i = 0; i < lines; i++) {
        const struct cell *row = &g->cells[(first + i) * (size_t)g->ncols];
        for (int c = 0; c < n; c++) {
            char *t = table_text(&g->cols[tc[c].k], &row[tc[c].k]);
            if (t == NULL) {
                rc = ou_nomem(err);
                goto out;
            }
            text[i * (size_t)n + (size_t)c] = t;
            if (text_width(t) > tc[c].width)
                tc[c].width = text_width(t);
        }
    }
    if (header) {
        char *head[GRID_MAX_COLS] = { 0 };
        struct tcol plain[GRID_MAX_COLS] = { 0 };
        for (int c = 0; c < n; c++) {
            head[c] = (char *)g->cols[tc[c].k].name;
            plain[c] = tc[c];
            plain[c].color = false;
        }
        rc |= table_line(out, plain, n, head);
        rc |= table_rule(out, tc, n);
    }
    for (size_t i = 0; i < lines; i++) {
        if (first + i == g->nrows && g->nrows > 0 && !g->table_hides_rows)
            rc |= table_rule(out, tc, n);
        rc |= table_line(out, tc, n, &text[i * (size_t)n]);
    }
    if (rc != 0)
        rc = ou_nomem(err);
out:
    for (size_t i = 0; i < lines * (size_t)n; i++)
        free(text[i]);
    free(text);
    return rc;
}

int fmt_grid(const struct grid *g, enum fmt_kind kind, bool header,
             struct buf *out, struct ou_err *err)
{
    switch (kind) {
    case FMT_TABLE:
        return render_table(g, header, out, err);
    case FMT_CSV:
        return csv_part(g, header, true, true, out) == 0 ? 0 : ou_nomem(err);
    case FMT_JSON:
        return fmt_grid_json(g, false, out, err);
    case FMT_NDJSON:
        return fmt_grid_json(g, true, out, err);
    case FMT_SVG:
        break; /* charts are drawn by report_svg */
    }
    return ou_fail(err, OU_E_USAGE, "this report has no SVG form");
}

int fmt_grid_part(const struct grid *g, enum fmt_kind kind, enum fmt_part part,
                  bool header, bool first, struct buf *out,
                  struct ou_err *err)
{
    switch (kind) {
    case FMT_CSV:
        if (part == FMT_TAIL)
            return 0;
        return csv_part(g, header, part == FMT_HEAD, part == FMT_ROWS, out) == 0
                   ? 0
                   : ou_nomem(err);
    case FMT_JSON:
    case FMT_NDJSON:
        return fmt_json_part(g, kind == FMT_NDJSON, part, first, out, err);
    case FMT_TABLE:
    case FMT_SVG:
    default:
        return ou_fail(err, OU_E_USAGE, "a table cannot be streamed");
    }
}
