/* fmt_json.c - JSON and NDJSON rendering of a grid (through emit.h).
 *
 * Numbers are written as their exact literal text, never through a double.
 */
#include "oaiusage/fmt.h"

#include <stdlib.h>
#include <string.h>

#include "oaiusage/emit.h"

#include "oaiusage/timeutil.h"
#include "oaiusage/zone.h"

static int add_cell(const struct grid *g, struct jw *o, const char *name,
                    const struct cell *c)
{
    char t[ZONE_RFC3339_LEN];

    switch (c->kind) {
    case CELL_NULL:
        return jw_null(o, name);
    case CELL_TEXT:
        return jw_string(o, name, c->s);
    case CELL_INT:
    case CELL_DEC:
        return jw_raw(o, name, c->s);
    case CELL_BOOL:
        return jw_bool(o, name, c->b);
    case CELL_TIME:
        grid_time_text(g, c->t, t);
        return jw_string(o, name, t);
    }
    return -1;
}

/* Row i as one compact object, appended to out. */
static int row_json(const struct grid *g, size_t i, struct buf *out)
{
    const struct cell *row = &g->cells[i * (size_t)g->ncols];
    struct jw *o = jw_object();
    int rc = o != NULL ? 0 : -1;

    for (int k = 0; k < g->ncols && rc == 0; k++) {
        if (!g->cols[k].table_only)
            rc = add_cell(g, o, g->cols[k].name, &row[k]);
    }
    if (rc == 0)
        rc = jw_print(o, false, out);
    jw_free(o);
    return rc;
}

static int add_meta(const struct grid *g, struct jw *h,
                    const struct grid_meta *m)
{
    char t[ZONE_RFC3339_LEN];

    switch (m->kind) {
    case META_STRING:
        return jw_string(h, m->key, m->s);
    case META_NULL:
        return jw_null(h, m->key);
    case META_BOOL:
        return jw_bool(h, m->key, m->b);
    case META_TIME:
        grid_time_text(g, m->t, t);
        return jw_string(h, m->key, t);
    case META_LIST:
        return jw_strings(h, m->key, m->list, m->nlist);
    }
    return -1;
}

/* The envelope's metadata, printed without its closing brace. */
static int json_head(const struct grid *g, struct buf *out)
{
    struct jw *h = jw_object();
    int rc = h != NULL ? jw_string(h, "object", g->object) : -1;

    for (int i = 0; i < g->nmeta && rc == 0; i++)
        rc = add_meta(g, h, &g->meta[i]);
    if (rc == 0)
        rc = jw_print(h, true, out);
    jw_free(h);
    return rc;
}

int fmt_json_part(const struct grid *g, bool nd, enum fmt_part part, bool first,
                  struct buf *out, struct ou_err *err)
{
    int rc = 0;

    if (part == FMT_HEAD) {
        if (!nd) {
            rc |= json_head(g, out);
            rc |= buf_puts(out, ",\"data\":[");
        }
    } else if (part == FMT_ROWS) {
        for (size_t i = 0; i < g->nrows && rc == 0; i++) {
            if (!nd)
                rc |= buf_puts(out, first && i == 0 ? "\n" : ",\n");
            rc |= row_json(g, i, out);
            if (nd)
                rc |= buf_putc(out, '\n');
        }
    } else if (!nd) {
        rc |= buf_puts(out, first ? "]}\n" : "\n]}\n");
    }
    return rc == 0 ? 0 : ou_nomem(err);
}

int fmt_grid_json(const struct grid *g, bool nd, struct buf *out,
                  struct ou_err *err)
{
    int rc = fmt_json_part(g, nd, FMT_HEAD, true, out, err);
    if (rc == 0)
        rc = fmt_json_part(g, nd, FMT_ROWS, true, out, err);
    if (rc == 0)
        rc = fmt_json_part(g, nd, FMT_TAIL, g->nrows == 0, out, err);
    return rc;
}
