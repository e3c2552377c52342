/* fmt.c - rendering a grid in the chosen format (see fmt.h). */
#include "oaiusage/fmt.h"

#include <string.h>

/* The sheet's name: the report (budget), the endpoint, else the grid's
 * object without its prefix (overview, list). */
static const char *sheet_name(const struct grid *g)
{
    const char *endpoint = NULL;
    const char *dot;

    for (int i = 0; i < g->nmeta; i++) {
        if (g->meta[i].kind != META_STRING)
            continue;
        if (strcmp(g->meta[i].key, "report") == 0)
            return g->meta[i].s;
        if (strcmp(g->meta[i].key, "endpoint") == 0)
            endpoint = g->meta[i].s;
    }
    if (endpoint != NULL)
        return endpoint;
    dot = strrchr(g->object, '.');
    return dot != NULL ? dot + 1 : g->object;
}

int fmt_grid(const struct grid *g, enum fmt_kind kind, bool header,
             struct buf *out, struct ou_err *err)
{
    switch (kind) {
    case FMT_TABLE:
        return fmt_table(g, header, out, err);
    case FMT_CSV:
        return fmt_csv_part(g, header, true, true, out) == 0 ? 0
                                                             : ou_nomem(err);
    case FMT_JSON:
        return fmt_grid_json(g, false, out, err);
    case FMT_NDJSON:
        return fmt_grid_json(g, true, out, err);
    case FMT_OPENMETRICS:
        return fmt_openmetrics(g, out, err);
    case FMT_XLSX:
        return fmt_xlsx(g, sheet_name(g), out, err);
    case FMT_SVG:
        break; /* charts are drawn by report_svg */
    }
    return ou_fail(err, OU_E_USAGE, "this report has no SVG form");
}

int fmt_grid_part(const struct grid *g, enum fmt_kind kind, enum fmt_part part,
                  bool header, bool first, struct buf *out, struct ou_err *err)
{
    switch (kind) {
    case FMT_CSV:
        if (part == FMT_TAIL)
            return 0;
        return fmt_csv_part(g, header, part == FMT_HEAD, part == FMT_ROWS,
                            out) == 0
                   ? 0
                   : ou_nomem(err);
    case FMT_JSON:
    case FMT_NDJSON:
        return fmt_json_part(g, kind == FMT_NDJSON, part, first, out, err);
    case FMT_TABLE:
    case FMT_SVG:
    case FMT_OPENMETRICS:
    case FMT_XLSX:
    default:
        return ou_fail(err, OU_E_USAGE, "a table cannot be streamed");
    }
}
