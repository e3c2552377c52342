/* table.c - a grid as an aligned text table for the terminal (see
 * fmt.h). */
#include "oaiusage/fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/text.h"
#include "oaiusage/timeutil.h"

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

/* A copy for the terminal: what a terminal would act on (controls,
 * escape sequences, bidi overrides from the API) shown as '?'. */
static char *safe_dup(const char *s)
{
    struct buf b;

    buf_init(&b, 0);
    if (text_terminal(&b, s) != 0) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b, NULL);
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
    bool color; /* wrap in an ANSI colour (bar columns on a tty) */
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

int fmt_table(const struct grid *g, bool header, struct buf *out,
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
    if (header && g->title != NULL) {
        rc |= text_terminal(out, g->title);
        rc |= buf_puts(out, "\n\n");
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
