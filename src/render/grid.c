/* grid.c - the grid every report becomes before it is rendered (see
 * grid.h). */
#include "oaiusage/grid.h"

#include <stdlib.h>
#include <string.h>

#include "oaiusage/zone.h"

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

int grid_append(struct grid *dst, const struct grid *src)
{
    for (size_t i = 0; i < src->nrows; i++) {
        const struct cell *from = &src->cells[i * (size_t)src->ncols];
        struct cell *row = grid_add_row(dst, false);
        if (row == NULL)
            return -1;
        for (int k = 0; k < dst->ncols && k < src->ncols; k++) {
            row[k] = from[k];
            if (from[k].s != NULL &&
                (row[k].s = grid_strdup(dst, from[k].s)) == NULL)
                return -1;
            if (from[k].display != NULL &&
                (row[k].display = grid_strdup(dst, from[k].display)) == NULL)
                return -1;
        }
    }
    return 0;
}

int grid_text(struct grid *g, struct cell *c, const char *s)
{
    if (s == NULL)
        return 0;
    c->kind = CELL_TEXT;
    c->s = grid_strdup(g, s);
    return c->s != NULL ? 0 : -1;
}

void grid_time_text(const struct grid *g, int64_t t, char *buf)
{
    if (g->local)
        zone_format_rfc3339(t, buf);
    else
        tu_format_rfc3339(t, buf);
}

void grid_date_text(const struct grid *g, int64_t t, char *buf)
{
    if (g->local)
        zone_format_date(t, buf);
    else
        tu_format_date(t, buf);
}
