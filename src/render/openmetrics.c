/* openmetrics.c - a grid as OpenMetrics text, for Prometheus and
 * node_exporter's textfile collector (see fmt.h).
 *
 * Every numeric column (integer or exact decimal) becomes a gauge family
 * named oaiusage_<report>_<column>, where <report> is the grid's "report"
 * (budget) or endpoint (completions, costs, vector_stores, ...) or
 * "overview"; every text,
 * boolean or time column becomes a label of each sample of its row
 * (project_id, model, currency, period_start, ...), and a null cell is no
 * label. Values are written as the grid holds them (exact integers and
 * decimals, never through a double). Total rows are the table's and are
 * not written. The window is explicit: oaiusage_report_window_start_seconds
 * and ..._end_seconds, labelled with the report. No sample carries a
 * timestamp (the textfile collector refuses them), and a label never
 * carries the window, so a cron job that rewrites the file does not start
 * new series every run. The text ends with "# EOF".
 */
#include "oaiusage/fmt.h"

#include <inttypes.h>
#include <string.h>

#include "oaiusage/timeutil.h"
#include "oaiusage/zone.h"

/* A label value or HELP text, escaped (\\, \", \n). */
static int put_escaped(struct buf *out, const char *s, bool quote)
{
    int rc = 0;

    for (; *s != '\0' && rc == 0; s++) {
        if (*s == '\\')
            rc = buf_puts(out, "\\\\");
        else if (*s == '\n')
            rc = buf_puts(out, "\\n");
        else if (quote && *s == '"')
            rc = buf_puts(out, "\\\"");
        else
            rc = buf_putc(out, *s);
    }
    return rc;
}

/* A metric or label name: [a-zA-Z_][a-zA-Z0-9_]*, anything else '_'. */
static int put_name(struct buf *out, const char *s)
{
    int rc = 0;

    for (size_t i = 0; s[i] != '\0' && rc == 0; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                  c == '_' || (i > 0 && c >= '0' && c <= '9');
        if (!ok)
            c = '_';
        rc = buf_putc(out, c);
    }
    return rc;
}

static const char *meta_string(const struct grid *g, const char *key)
{
    for (int i = 0; i < g->nmeta; i++) {
        if (strcmp(g->meta[i].key, key) == 0 && g->meta[i].kind == META_STRING)
            return g->meta[i].s;
    }
    return NULL;
}

static bool meta_time(const struct grid *g, const char *key, int64_t *t)
{
    for (int i = 0; i < g->nmeta; i++) {
        if (strcmp(g->meta[i].key, key) == 0 && g->meta[i].kind == META_TIME) {
            *t = g->meta[i].t;
            return true;
        }
    }
    return false;
}

enum col_role { ROLE_NONE, ROLE_METRIC, ROLE_LABEL };

/* What a column is, from its first non-null cell. */
static enum col_role role_of(const struct grid *g, int k)
{
    if (g->cols[k].table_only)
        return ROLE_NONE;
    for (size_t i = 0; i < g->nrows; i++) {
        switch (g->cells[i * (size_t)g->ncols + (size_t)k].kind) {
        case CELL_NULL:
            continue;
        case CELL_INT:
        case CELL_DEC:
            return ROLE_METRIC;
        case CELL_TEXT:
        case CELL_BOOL:
        case CELL_TIME:
            return ROLE_LABEL;
        }
    }
    return ROLE_NONE;
}

static int put_labels(struct buf *out, const struct grid *g,
                      const struct cell *row, const enum col_role *role)
{
    char t[ZONE_RFC3339_LEN];
    const char *sep = "{";
    int rc = 0;

    for (int k = 0; k < g->ncols && rc == 0; k++) {
        const struct cell *c = &row[k];
        const char *v;

        if (role[k] != ROLE_LABEL || c->kind == CELL_NULL)
            continue;
        if (c->kind == CELL_BOOL) {
            v = c->b ? "true" : "false";
        } else if (c->kind == CELL_TIME) {
            grid_time_text(g, c->t, t);
            v = t;
        } else {
            v = c->s;
        }
        rc |= buf_puts(out, sep);
        rc |= put_name(out, g->cols[k].name);
        rc |= buf_puts(out, "=\"");
        rc |= put_escaped(out, v, true);
        rc |= buf_putc(out, '"');
        sep = ",";
    }
    if (rc == 0 && sep[0] == ',')
        rc = buf_putc(out, '}');
    return rc;
}

static int put_family(struct buf *out, const struct grid *g, const char *rep,
                      const char *what, int k, const enum col_role *role)
{
    int rc = 0;

    rc |= buf_puts(out, "# HELP oaiusage_");
    rc |= put_name(out, rep);
    rc |= buf_putc(out, '_');
    rc |= put_name(out, g->cols[k].name);
    if (strcmp(what, "budget") == 0)
        rc |= buf_printf(out, " %s, per budget line of the period\n",
                         g->cols[k].name);
    else
        rc |= buf_printf(out, " %s over the report window (%s)\n",
                         g->cols[k].name, what);
    rc |= buf_puts(out, "# TYPE oaiusage_");
    rc |= put_name(out, rep);
    rc |= buf_putc(out, '_');
    rc |= put_name(out, g->cols[k].name);
    rc |= buf_puts(out, " gauge\n");
    for (size_t i = 0; i < g->nrows && rc == 0; i++) {
        const struct cell *row = &g->cells[i * (size_t)g->ncols];
        if (row[k].kind != CELL_INT && row[k].kind != CELL_DEC)
            continue;
        rc |= buf_puts(out, "oaiusage_");
        rc |= put_name(out, rep);
        rc |= buf_putc(out, '_');
        rc |= put_name(out, g->cols[k].name);
        rc |= put_labels(out, g, row, role);
        rc |= buf_printf(out, " %s\n", row[k].s);
    }
    return rc;
}

static int put_window(struct buf *out, const char *rep, const char *edge,
                      int64_t t)
{
    int rc = 0;

    rc |= buf_printf(out,
                     "# HELP oaiusage_report_window_%s_seconds the report "
                     "window's %s (Unix time)\n"
                     "# TYPE oaiusage_report_window_%s_seconds gauge\n"
                     "# UNIT oaiusage_report_window_%s_seconds seconds\n"
                     "oaiusage_report_window_%s_seconds{report=\"",
                     edge, edge, edge, edge, edge);
    rc |= put_escaped(out, rep, true);
    rc |= buf_printf(out, "\"} %" PRId64 "\n", t);
    return rc;
}

int fmt_openmetrics(const struct grid *g, struct buf *out, struct ou_err *err)
{
    enum col_role role[GRID_MAX_COLS];
    const char *ep = meta_string(g, "endpoint");
    const char *named = meta_string(g, "report");
    const char *rep = named != NULL ? named : ep != NULL ? ep : "overview";
    int64_t start = 0;
    int64_t end = 0;
    int rc = 0;

    for (int k = 0; k < g->ncols; k++)
        role[k] = role_of(g, k);
    for (int k = 0; k < g->ncols && rc == 0; k++) {
        if (role[k] == ROLE_METRIC)
            rc = put_family(out, g, rep,
                            named != NULL ? named
                            : ep != NULL  ? ep
                                          : "every endpoint",
                            k, role);
    }
    if (rc == 0 && meta_time(g, "start_time", &start) &&
        meta_time(g, "end_time", &end))
        rc = put_window(out, rep, "start", start) |
             put_window(out, rep, "end", end);
    if (rc == 0)
        rc = buf_puts(out, "# EOF\n");
    return rc == 0 ? 0 : ou_nomem(err);
}
