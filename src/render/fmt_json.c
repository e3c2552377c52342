/* fmt_json.c - JSON and NDJSON rendering of a grid, with cJSON.
 *
 * Numbers are written as raw JSON text (cJSON_CreateRaw) from their exact
 * decimal form, never through a double.
 */
#include "oaiusage/fmt.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/timeutil.h"

static bool add_cell(cJSON *o, const char *name, const struct cell *c)
{
    char t[TU_RFC3339_LEN];

    switch (c->kind) {
    case CELL_NULL:
        return cJSON_AddNullToObject(o, name) != NULL;
    case CELL_TEXT:
        return cJSON_AddStringToObject(o, name, c->s) != NULL;
    case CELL_INT:
    case CELL_DEC:
        return cJSON_AddRawToObject(o, name, c->s) != NULL;
    case CELL_BOOL:
        return cJSON_AddBoolToObject(o, name, c->b) != NULL;
    case CELL_TIME:
        tu_format_rfc3339(c->t, t);
        return cJSON_AddStringToObject(o, name, t) != NULL;
    }
    return false;
}

static cJSON *row_object(const struct grid *g, size_t i)
{
    const struct cell *row = &g->cells[i * (size_t)g->ncols];
    cJSON *o = cJSON_CreateObject();

    if (o == NULL)
        return NULL;
    for (int k = 0; k < g->ncols; k++) {
        if (g->cols[k].table_only)
            continue;
        if (!add_cell(o, g->cols[k].name, &row[k])) {
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

static bool add_meta(cJSON *h, const struct grid_meta *m)
{
    char t[TU_RFC3339_LEN];

    switch (m->kind) {
    case META_STRING:
        return cJSON_AddStringToObject(h, m->key, m->s) != NULL;
    case META_NULL:
        return cJSON_AddNullToObject(h, m->key) != NULL;
    case META_BOOL:
        return cJSON_AddBoolToObject(h, m->key, m->b) != NULL;
    case META_TIME:
        tu_format_rfc3339(m->t, t);
        return cJSON_AddStringToObject(h, m->key, t) != NULL;
    case META_LIST: {
        cJSON *a = cJSON_AddArrayToObject(h, m->key);
        if (a == NULL)
            return false;
        for (int i = 0; i < m->nlist; i++) {
            cJSON *s = cJSON_CreateString(m->list[i]);
            if (s == NULL || !cJSON_AddItemToArray(a, s))
                return false;
        }
        return true;
    }
    }
    return false;
}

/* The envelope's metadata, printed without its closing brace. */
static int json_head(const struct grid *g, struct buf *out)
{
    cJSON *h = cJSON_CreateObject();
    int rc = -1;

    if (h == NULL)
        return -1;
    if (cJSON_AddStringToObject(h, "object", g->object) == NULL)
        goto out;
    for (int i = 0; i < g->nmeta; i++) {
        if (!add_meta(h, &g->meta[i]))
            goto out;
    }
    char *s = cJSON_PrintUnformatted(h);
    if (s == NULL)
        goto out;
    rc = buf_append(out, s, strlen(s) - 1); /* drop the closing brace */
    cJSON_free(s);
out:
    cJSON_Delete(h);
    return rc;
}

int fmt_json_part(const struct grid *g, bool nd, enum fmt_part part,
                  bool first, struct buf *out, struct ou_err *err)
{
    int rc = 0;

    if (part == FMT_HEAD) {
        if (!nd) {
            rc |= json_head(g, out);
            rc |= buf_puts(out, ",\"data\":[");
        }
    } else if (part == FMT_ROWS) {
        for (size_t i = 0; i < g->nrows && rc == 0; i++) {
            cJSON *row = row_object(g, i);
            char *s = row != NULL ? cJSON_PrintUnformatted(row) : NULL;
            cJSON_Delete(row);
            if (s == NULL)
                return ou_nomem(err);
            if (!nd)
                rc |= buf_puts(out, first && i == 0 ? "\n" : ",\n");
            rc |= buf_puts(out, s);
            if (nd)
                rc |= buf_putc(out, '\n');
            cJSON_free(s);
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
