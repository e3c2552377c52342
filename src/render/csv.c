/* csv.c - a grid as CSV: RFC 4180, CRLF line ends (see fmt.h). */
#include "oaiusage/fmt.h"

#include <string.h>

#include "oaiusage/timeutil.h"
#include "oaiusage/zone.h"

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

/* --csv-safe (OWASP, CSV injection): a text cell a spreadsheet would read
 * as a formula gets a leading single quote. */
static int safe_text(struct buf *out, const char *s)
{
    struct buf q;
    int rc;

    if (s[0] == '\0' || strchr("=+-@\t\r", s[0]) == NULL)
        return fmt_csv_field(out, s);
    buf_init(&q, 0);
    rc = buf_putc(&q, '\'') | buf_puts(&q, s);
    if (rc == 0)
        rc = fmt_csv_field(out, q.data);
    buf_release(&q);
    return rc;
}

static int csv_cell(const struct grid *g, struct buf *out, const struct cell *c,
                    bool safe)
{
    char t[ZONE_RFC3339_LEN];

    switch (c->kind) {
    case CELL_NULL:
        return 0;
    case CELL_TEXT:
        return safe ? safe_text(out, c->s) : fmt_csv_field(out, c->s);
    case CELL_INT:
    case CELL_DEC:
        return buf_puts(out, c->s);
    case CELL_BOOL:
        return buf_puts(out, c->b ? "true" : "false");
    case CELL_TIME:
        grid_time_text(g, c->t, t);
        return buf_puts(out, t);
    }
    return 0;
}

int fmt_csv_part(const struct grid *g, bool header, bool head, bool rows,
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
            rc |= csv_cell(g, out, &row[k], g->csv_safe);
            sep = ",";
        }
        rc |= buf_puts(out, "\r\n");
    }
    return rc == 0 ? 0 : -1;
}
