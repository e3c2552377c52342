/* xlsx.c - a grid as an Excel workbook through libxlsxwriter (see fmt.h).
 * The only file that knows libxlsxwriter.
 *
 * One sheet per grid (one for a report; the overview has several), each
 * under a name Excel accepts (see fmt_xlsx_sheet_name). On every sheet the
 * header row is bold, frozen, with an autofilter over the data. Text is
 * written as strings, so a name that starts with '=' can never become a
 * formula; numbers are numbers (an integer beyond 2^53, which a
 * spreadsheet cannot hold exactly, is written as text); times are real
 * dates (UTC, shown as yyyy-mm-dd, with the time when a column has one);
 * booleans are booleans; money (a decimal column beside a currency
 * column) gets the currency's number format, which only rounds what is
 * shown. The total rows are left out (a spreadsheet sums). The workbook is
 * built in a temporary file (the library writes files) and handed back as
 * bytes, for the caller's atomic -o.
 */
#include "oaiusage/fmt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "oaiusage/zone.h"

#define XLSX_MAX_ROWS 1048576

static bool money_col(const struct grid *g, int k)
{
    static const char *const names[] = { "amount",    "budget",
                                         "spent",     "provisional",
                                         "remaining", "projected",
                                         "daily_rate" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(g->cols[k].name, names[i]) == 0)
            return true;
    }
    return false;
}

static int currency_col(const struct grid *g)
{
    for (int k = 0; k < g->ncols; k++) {
        if (strcmp(g->cols[k].name, "currency") == 0)
            return k;
    }
    return -1;
}

/* Does a time column hold a time of day anywhere? */
static bool has_clock(const struct grid *g, int k)
{
    for (size_t i = 0; i < g->nrows; i++) {
        const struct cell *c = &g->cells[i * (size_t)g->ncols + (size_t)k];
        if (c->kind == CELL_TIME &&
            (g->local ? zone_wall(c->t) : c->t) % 86400 != 0)
            return true;
    }
    return false;
}

struct formats {
    lxw_format *head, *date, *datetime, *usd, *eur, *gbp, *money;
};

static lxw_format *money_format_of(const struct formats *f, const char *cur)
{
    if (cur == NULL)
        return f->money;
    if (strcmp(cur, "usd") == 0)
        return f->usd;
    if (strcmp(cur, "eur") == 0)
        return f->eur;
    if (strcmp(cur, "gbp") == 0)
        return f->gbp;
    return f->money;
}

/* Grid column k of a row (rowc, in grid columns; cur: the grid's currency
 * column or -1) into sheet cell (row, col). */
static lxw_error write_cell(lxw_worksheet *ws, const struct grid *g,
                            const struct formats *f, int cur, lxw_row_t row,
                            lxw_col_t col, int k, const struct cell *rowc,
                            bool clock)
{
    const struct cell *c = &rowc[k];
    char *end;

    switch (c->kind) {
    case CELL_NULL:
        return LXW_NO_ERROR;
    case CELL_TEXT:
        return worksheet_write_string(ws, row, col, c->s, NULL);
    case CELL_BOOL:
        return worksheet_write_boolean(ws, row, col, c->b, NULL);
    case CELL_TIME:
        /* a spreadsheet's times have no zone: the local clock */
        return worksheet_write_unixtime(ws, row, col,
                                        g->local ? zone_wall(c->t) : c->t,
                                        clock ? f->datetime : f->date);
    case CELL_INT: {
        long long v = strtoll(c->s, &end, 10);
        if (*end != '\0' || v > (1LL << 53) || v < -(1LL << 53))
            return worksheet_write_string(ws, row, col, c->s, NULL);
        return worksheet_write_number(ws, row, col, (double)v, NULL);
    }
    case CELL_DEC: {
        double v = strtod(c->s, &end);
        lxw_format *fmt = NULL;
        if (money_col(g, k))
            fmt = money_format_of(f, cur >= 0 && rowc[cur].kind == CELL_TEXT
                                         ? rowc[cur].s
                                         : NULL);
        if (*end != '\0')
            return worksheet_write_string(ws, row, col, c->s, NULL);
        return worksheet_write_number(ws, row, col, v, fmt);
    }
    }
    return LXW_NO_ERROR;
}

static void make_formats(lxw_workbook *wb, struct formats *f)
{
    const struct {
        lxw_format **fmt;
        const char *num;
    } nums[] = {
        { &f->date, "yyyy-mm-dd" },
        { &f->datetime, "yyyy-mm-dd hh:mm:ss" },
        { &f->usd, "\"$\"#,##0.00" },
        { &f->eur, "[$\xE2\x82\xAC-x-euro2] #,##0.00" },
        { &f->gbp, "[$\xC2\xA3-809]#,##0.00" },
        { &f->money, "#,##0.00" },
    };

    f->head = workbook_add_format(wb);
    format_set_bold(f->head);
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        *nums[i].fmt = workbook_add_format(wb);
        format_set_num_format(*nums[i].fmt, nums[i].num);
    }
}

static int write_sheet(lxw_workbook *wb, const struct formats *f,
                       const struct grid *g, const char *name)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, name);
    int cols[GRID_MAX_COLS];
    bool clock[GRID_MAX_COLS];
    int n = 0;
    int cur = currency_col(g);
    lxw_error e = LXW_NO_ERROR;

    if (ws == NULL)
        return -1;
    for (int k = 0; k < g->ncols; k++) {
        if (g->cols[k].table_only)
            continue;
        clock[n] = has_clock(g, k);
        cols[n++] = k;
    }
    for (int c = 0; c < n && e == LXW_NO_ERROR; c++) {
        e = worksheet_write_string(ws, 0, (lxw_col_t)c, g->cols[cols[c]].name,
                                   f->head);
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, clock[c] ? 20 : 16,
                             NULL);
    }
    for (size_t i = 0; i < g->nrows && e == LXW_NO_ERROR; i++) {
        const struct cell *row = &g->cells[i * (size_t)g->ncols];
        for (int c = 0; c < n && e == LXW_NO_ERROR; c++)
            e = write_cell(ws, g, f, cur, (lxw_row_t)(i + 1), (lxw_col_t)c,
                           cols[c], row, clock[c]);
    }
    if (e == LXW_NO_ERROR) {
        worksheet_freeze_panes(ws, 1, 0);
        if (n > 0)
            worksheet_autofilter(ws, 0, 0, (lxw_row_t)g->nrows,
                                 (lxw_col_t)(n - 1));
    }
    return e == LXW_NO_ERROR ? 0 : -1;
}

/* When the data is as of: the window's end or as_of, else 1980-01-01 (the
 * zip epoch: no date of its own). */
static int64_t data_time(const struct grid *g)
{
    for (int i = 0; i < g->nmeta; i++) {
        if (g->meta[i].kind == META_TIME &&
            (strcmp(g->meta[i].key, "end_time") == 0 ||
             strcmp(g->meta[i].key, "as_of") == 0))
            return g->meta[i].t;
    }
    return 315532800;
}

/* ---- sheet names ------------------------------------------------------------ */

/* The bytes of the UTF-8 sequence starting with lead byte c (1 for a
 * stray continuation byte, which is then replaced). */
static size_t utf8_len(unsigned char c)
{
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    if (c >= 0xE0)
        return c <= 0xEF ? 3 : 1;
    if (c >= 0xC2)
        return 2;
    return 1;
}

/* A complete, well-formed sequence of n bytes at s? */
static bool utf8_ok(const char *s, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            return false;
    }
    return true;
}

/* ASCII case-insensitive equality (Excel's names ignore case). */
static bool same_name(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z')
            x += 'a' - 'A';
        if (y >= 'A' && y <= 'Z')
            y += 'a' - 'A';
        if (x != y)
            return false;
    }
    return *a == *b;
}

static bool name_taken(const char *name, const struct xlsx_name *taken,
                       int ntaken)
{
    /* "History" is reserved by Excel. */
    if (same_name(name, "History"))
        return true;
    for (int i = 0; i < ntaken; i++) {
        if (same_name(name, taken[i].s))
            return true;
    }
    return false;
}

/* Copy at most max characters of the valid name base into out, then
 * suffix. */
static void put_name(const char *base, size_t max, const char *suffix,
                     struct xlsx_name *name)
{
    char *out = name->s;
    size_t o = 0, chars = 0;

    for (size_t i = 0; base[i] != '\0' && chars < max; chars++) {
        size_t n = utf8_len((unsigned char)base[i]);
        memcpy(out + o, base + i, n);
        o += n;
        i += n;
    }
    /* A name never ends in an apostrophe, also once cut. */
    if (o > 0 && out[o - 1] == '\'')
        out[o - 1] = '_';
    snprintf(out + o, sizeof(name->s) - o, "%s", suffix);
}

void fmt_xlsx_sheet_name(const char *want, const struct xlsx_name *taken,
                         int ntaken, struct xlsx_name *out)
{
    char clean[sizeof(out->s)];
    size_t o = 0, chars = 0;

    /* Valid characters only: []:*?/\ and control characters become '_',
     * as does a byte that is not well-formed UTF-8. */
    for (size_t i = 0; want != NULL && want[i] != '\0' &&
                       o + 4 < sizeof(clean) && chars < FMT_XLSX_NAME_MAX;
         chars++) {
        unsigned char c = (unsigned char)want[i];
        size_t n = utf8_len(c);
        if (c >= 0x80 && (n == 1 || !utf8_ok(want + i, n))) {
            clean[o++] = '_';
            i++;
            continue;
        }
        if (c < 0x20 || c == 0x7F || strchr("[]:*?/\\", c) != NULL) {
            clean[o++] = '_';
            i++;
            continue;
        }
        memcpy(clean + o, want + i, n);
        o += n;
        i += n;
    }
    clean[o] = '\0';
    if (o == 0)
        snprintf(clean, sizeof(clean), "Sheet");
    /* Nor starts with an apostrophe. */
    if (clean[0] == '\'')
        clean[0] = '_';
    put_name(clean, FMT_XLSX_NAME_MAX, "", out);
    for (int k = 2; name_taken(out->s, taken, ntaken); k++) {
        char suffix[16];
        int len = snprintf(suffix, sizeof(suffix), " (%d)", k);
        put_name(clean, FMT_XLSX_NAME_MAX - (size_t)len, suffix, out);
    }
}

/* ---- the workbook ------------------------------------------------------------ */

int fmt_xlsx_book(const struct xlsx_sheet *sheets, int n, struct buf *out,
                  struct ou_err *err)
{
    const char *dir = getenv("TMPDIR");
    char tmpl[4096];
    struct xlsx_name *names;
    struct formats fm;
    int fd;
    FILE *f;
    int rc = 0;

    if (n < 1)
        return ou_fail(err, OU_E_USAGE, "a workbook needs a sheet");
    for (int i = 0; i < n; i++) {
        if (sheets[i].g->nrows + 1 > XLSX_MAX_ROWS)
            return ou_fail(err, OU_E_USAGE,
                           "%zu rows do not fit a worksheet (at most %d); use "
                           "--format csv",
                           sheets[i].g->nrows, XLSX_MAX_ROWS - 1);
    }
    if ((names = calloc((size_t)n, sizeof(*names))) == NULL)
        return ou_nomem(err);
    for (int i = 0; i < n; i++)
        fmt_xlsx_sheet_name(sheets[i].name, names, i, &names[i]);
    snprintf(tmpl, sizeof(tmpl), "%s/oaiusage-xlsx.XXXXXX",
             dir != NULL && dir[0] != '\0' ? dir : "/tmp");
    if ((fd = mkstemp(tmpl)) < 0) {
        free(names);
        return ou_fail(err, OU_E_IO, "cannot create a temporary file '%s': %s",
                       tmpl, strerror(errno));
    }
    close(fd);
    lxw_workbook *wb = workbook_new(tmpl);
    if (wb == NULL) {
        unlink(tmpl);
        free(names);
        return ou_nomem(err);
    }
    /* The same report gives the same bytes: the document's creation
     * time is the data's (the window's end), never the clock's. */
    lxw_doc_properties props;
    memset(&props, 0, sizeof(props));
    props.created = (time_t)data_time(sheets[0].g);
    /* (the library takes a char *; kept until the workbook is closed) */
    char *title = sheets[0].g->title != NULL ? strdup(sheets[0].g->title)
                                             : NULL;
    props.title = title;
    workbook_set_properties(wb, &props);
    make_formats(wb, &fm);
    for (int i = 0; i < n && rc == 0; i++) {
        if (write_sheet(wb, &fm, sheets[i].g, names[i].s) != 0)
            rc = ou_fail(err, OU_E_IO, "cannot build the workbook");
    }
    free(names);
    if (workbook_close(wb) != LXW_NO_ERROR && rc == 0)
        rc = ou_fail(err, OU_E_IO, "cannot write the workbook '%s'", tmpl);
    free(title);
    if (rc == 0 && (f = fopen(tmpl, "rb")) != NULL) {
        char chunk[65536];
        size_t got;
        while (rc == 0 && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
            rc = buf_append(out, chunk, got) == 0 ? 0 : ou_nomem(err);
        if (rc == 0 && ferror(f))
            rc = ou_fail(err, OU_E_IO, "cannot read back '%s'", tmpl);
        (void)fclose(f); /* read only */
    } else if (rc == 0) {
        rc = ou_fail(err, OU_E_IO, "cannot read back '%s': %s", tmpl,
                     strerror(errno));
    }
    unlink(tmpl);
    return rc;
}

int fmt_xlsx(const struct grid *g, const char *sheet, struct buf *out,
             struct ou_err *err)
{
    const struct xlsx_sheet one = { g, sheet };

    return fmt_xlsx_book(&one, 1, out, err);
}

const char *xlsx_lib_version(void)
{
    return "libxlsxwriter " LXW_VERSION;
}
