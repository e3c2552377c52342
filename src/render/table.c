/* table.c - a grid as an aligned text table for the terminal (see
 * fmt.h). */
#include "oaiusage/fmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/text.h"
#include "oaiusage/timeutil.h"
#include "oaiusage/zone.h"

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

static char *table_text(const struct grid *g, const struct grid_col *col,
                        const struct cell *c)
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
            grid_date_text(g, c->t, tmp);
        else
            grid_time_text(g, c->t, tmp);
        return strdup(tmp);
    }
    return strdup("");
}

static const char *head_of(const struct grid *g, int k)
{
    return g->header[k] != NULL ? g->header[k] : g->cols[k].name;
}

/* The title, broken at spaces into lines of at most width columns when
 * the table fits a terminal (0: one line). */
static int put_title(struct buf *out, const char *title, size_t width)
{
    char *t = safe_dup(title);
    char *line;
    int rc = 0;

    if (t == NULL)
        return -1;
    line = t;
    while (width > 0 && text_width(line) > width) {
        char *cut = NULL;
        size_t w = 0;
        for (char *p = line; *p != '\0' && w <= width; p++) {
            if (*p == ' ')
                cut = p;
            if (((unsigned char)*p & 0xC0) != 0x80)
                w++;
        }
        if (cut == NULL || cut == line)
            break; /* one word wider than the terminal: as it is */
        rc |= buf_printf(out, "%.*s\n", (int)(cut - line), line);
        line = cut + 1;
    }
    rc |= buf_puts(out, line);
    free(t);
    return rc;
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
    size_t head; /* the header's width */
};

/* ---- fitting a terminal ------------------------------------------------------ */

/* Text columns are cut in the middle down to this width, no further. */
#define FIT_MIN_TEXT 20

/* s cut in the middle to w code points: "gpt-4o-mi…2024-07-18". */
static void shorten(char **s, size_t w)
{
    size_t have = text_width(*s);
    if (have <= w || w < 5)
        return;
    size_t keep_head = (w - 1) / 2, keep_tail = w - 1 - keep_head;
    const char *p = *s;
    size_t n = strlen(p), a = 0, b = n, cp = 0;
    /* byte offset after keep_head code points */
    while (a < n && cp < keep_head) {
        a++;
        while (a < n && ((unsigned char)p[a] & 0xC0) == 0x80)
            a++;
        cp++;
    }
    /* byte offset of the last keep_tail code points */
    cp = 0;
    while (b > 0 && cp < keep_tail) {
        b--;
        while (b > 0 && ((unsigned char)p[b] & 0xC0) == 0x80)
            b--;
        cp++;
    }
    char *t = malloc(a + 3 + (n - b) + 1);
    if (t == NULL)
        return; /* left whole: wider, never wrong */
    /* head, the ellipsis as one character, tail (with its NUL) */
    snprintf(t, a + 3 + (n - b) + 1, "%.*s\xE2\x80\xA6%s", (int)a, p, p + b);
    free(*s);
    *s = t;
}

static size_t total_width(const struct tcol *tc, int n)
{
    size_t w = 0;
    for (int c = 0; c < n; c++)
        w += tc[c].width + (c > 0 ? 2 : 0);
    return w;
}

static int priority_of(const struct grid *g, const struct tcol *tc, int c)
{
    if (g->priority[tc[c].k] != 0)
        return g->priority[tc[c].k];
    if (c == 0 || !tc[c].right)
        return 1000; /* labels and keys stay */
    return 500 - c;  /* numbers: the rightmost go first */
}

/* Cut the widest text columns in the middle until the table fits or no
 * text column is wider than floor. */
static void shrink_text(const struct grid *g, struct tcol *tc, int n,
                        char **text, size_t lines, size_t floor)
{
    size_t want = (size_t)g->fit->width;

    while (total_width(tc, n) > want) {
        int widest = -1;
        for (int c = 0; c < n; c++) {
            if (!tc[c].right && tc[c].width > floor &&
                (widest < 0 || tc[c].width > tc[widest].width))
                widest = c;
        }
        if (widest < 0)
            return;
        size_t over = total_width(tc, n) - want;
        size_t to = tc[widest].width > over ? tc[widest].width - over : 0;
        if (to < floor)
            to = floor;
        if (to < tc[widest].head)
            to = tc[widest].head;
        if (to >= tc[widest].width)
            return;
        for (size_t i = 0; i < lines; i++)
            shorten(&text[i * (size_t)n + (size_t)widest], to);
        tc[widest].width = to;
        g->fit->shortened++;
    }
}

/* Leave out the least important column below priority `below` (never the
 * first). false when there is none. */
static bool drop_one(const struct grid *g, struct tcol *tc, int *n, char **text,
                     size_t lines, int below)
{
    struct table_fit *f = g->fit;
    int drop = -1;

    for (int c = 1; c < *n; c++) {
        int p = priority_of(g, tc, c);
        if (p < below && (drop < 0 || p < priority_of(g, tc, drop)))
            drop = c;
    }
    if (drop < 0)
        return false;
    f->dropped[f->ndropped++] = g->cols[tc[drop].k].name;
    for (size_t i = 0; i < lines; i++) {
        char **row = &text[i * (size_t)*n];
        free(row[drop]);
        memmove(row + drop, row + drop + 1,
                (size_t)(*n - drop - 1) * sizeof(*row));
    }
    /* Rows were n wide: close the gaps, row by row. */
    for (size_t i = 1; i < lines; i++)
        memmove(&text[i * (size_t)(*n - 1)], &text[i * (size_t)*n],
                (size_t)(*n - 1) * sizeof(*text));
    memmove(tc + drop, tc + drop + 1, (size_t)(*n - drop - 1) * sizeof(*tc));
    (*n)--;
    return true;
}

/* Fit the table into g->fit->width, in steps a reader minds least first:
 * cut very long names (over FIT_LONG_TEXT) in the middle; leave out the
 * minor number columns (the first metric, keys and names stay); cut names
 * down to FIT_MIN_TEXT; then leave out anything but the first column. */
#define FIT_LONG_TEXT 32
#define FIT_PRIMARY 900

static int fit_table(const struct grid *g, struct tcol *tc, int n, char **text,
                     size_t lines)
{
    size_t want = (size_t)g->fit->width;

    shrink_text(g, tc, n, text, lines, FIT_LONG_TEXT);
    while (total_width(tc, n) > want &&
           drop_one(g, tc, &n, text, lines, FIT_PRIMARY))
        ;
    shrink_text(g, tc, n, text, lines, FIT_MIN_TEXT);
    while (total_width(tc, n) > want &&
           drop_one(g, tc, &n, text, lines, 1 << 30))
        ;
    return n;
}

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
        tc[n].width = header ? text_width(head_of(g, k)) : 0;
        tc[n].head = tc[n].width;
        n++;
    }
    text = calloc(lines * (size_t)n + 1, sizeof(*text));
    if (text == NULL)
        return ou_nomem(err);
    for (size_t i = 0; i < lines; i++) {
        const struct cell *row = &g->cells[(first + i) * (size_t)g->ncols];
        for (int c = 0; c < n; c++) {
            char *t = table_text(g, &g->cols[tc[c].k], &row[tc[c].k]);
            if (t == NULL) {
                rc = ou_nomem(err);
                goto out;
            }
            text[i * (size_t)n + (size_t)c] = t;
            if (text_width(t) > tc[c].width)
                tc[c].width = text_width(t);
        }
    }
    if (g->fit != NULL && g->fit->width > 0) {
        int n0 = n;
        n = fit_table(g, tc, n, text, lines);
        /* the cells past the last row's are unused now */
        for (size_t i = lines * (size_t)n; i < lines * (size_t)n0; i++)
            text[i] = NULL;
    }
    if (header && g->title != NULL) {
        rc |= put_title(out, g->title,
                        g->fit != NULL ? (size_t)g->fit->width : 0);
        rc |= buf_puts(out, "\n\n");
    }
    if (header) {
        char *head[GRID_MAX_COLS] = { 0 };
        struct tcol plain[GRID_MAX_COLS] = { 0 };
        for (int c = 0; c < n; c++) {
            head[c] = (char *)head_of(g, tc[c].k);
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
