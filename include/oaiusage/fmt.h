/* fmt.h - rendering a grid of typed cells as table, CSV, JSON or NDJSON.
 * Pure: everything is written into a struct buf, never to a file.
 *
 * Every report (usage, costs, the overview, the id lists) is first turned
 * into a struct grid: named, typed columns and rows of cells. The renderers
 * know nothing about endpoints:
 *  - CSV (RFC 4180, CRLF) and JSON/NDJSON show every column that is not
 *    table_only, under its name; null is an empty field / JSON null.
 *  - The table shows the in_table columns, aligned (text left, numbers
 *    right), numbers with thousands separators, hide_if_null columns only
 *    when some cell is non-null, then the total rows under a rule.
 * A grid owns its cells' strings: builders copy them with grid_strdup()
 * (only static strings may be stored as they are). Released with
 * grid_release().
 */
#ifndef OAIUSAGE_FMT_H
#define OAIUSAGE_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oaiusage/arena.h"
#include "oaiusage/buf.h"
#include "oaiusage/status.h"

enum fmt_kind { FMT_TABLE, FMT_CSV, FMT_JSON, FMT_NDJSON, FMT_SVG };

enum cell_kind {
    CELL_NULL = 0,
    CELL_TEXT,   /* s */
    CELL_INT,    /* s: plain decimal digits of an integer */
    CELL_DEC,    /* s: plain exact decimal */
    CELL_BOOL,   /* b */
    CELL_TIME    /* t: Unix seconds, RFC 3339 UTC in CSV/JSON */
};

struct cell {
    enum cell_kind kind;
    const char *s;
    int64_t t;
    bool b;
    const char *display;  /* table text instead of the value, or NULL */
};

struct grid_col {
    const char *name;
    bool in_table;        /* shown in the table */
    bool table_only;      /* not in CSV/JSON (a label column) */
    bool hide_if_null;    /* table: hidden when every cell is null */
    bool date_only;       /* table: a CELL_TIME shown as YYYY-MM-DD */
    const char *null_text;/* table text for null (default empty) */
    bool bar;             /* table: a chart column (coloured on a tty) */
};

enum meta_kind { META_STRING, META_NULL, META_BOOL, META_TIME, META_LIST };

struct grid_meta {
    const char *key;
    enum meta_kind kind;
    const char *s;
    int64_t t;
    bool b;
    const char *const *list;
    int nlist;
};

#define GRID_MAX_COLS 48
#define GRID_MAX_META 12

struct grid {
    const char *object;            /* JSON envelope "object" */
    struct grid_col cols[GRID_MAX_COLS];
    int ncols;
    struct cell *cells;            /* (nrows + ntotals) * ncols, row-major */
    size_t nrows;                  /* data rows */
    size_t ntotals;                /* total rows after them (table only) */
    size_t cap;                    /* rows allocated */
    bool table_hides_rows;         /* table shows only the totals */
    bool color;                    /* table: colour the bar columns */
    struct grid_meta meta[GRID_MAX_META];
    int nmeta;
    const char *lists[GRID_MAX_COLS]; /* storage for a META_LIST */
    struct arena strings;          /* owned string storage */
};

void grid_init(struct grid *g, const char *object);
void grid_release(struct grid *g);
/* Add a column; returns its index. */
int grid_add_col(struct grid *g, const struct grid_col *col);
/* Append a row of ncols null cells; returns it, or NULL when out of memory.
 * total rows must come after every data row. */
struct cell *grid_add_row(struct grid *g, bool total);
/* A copy owned by the grid (NULL when out of memory). */
const char *grid_strdup(struct grid *g, const char *s);
void grid_add_meta(struct grid *g, const struct grid_meta *m);

bool fmt_parse_kind(const char *s, enum fmt_kind *out);

/* Render the grid. header: CSV / table header row. */
int fmt_grid(const struct grid *g, enum fmt_kind kind, bool header,
             struct buf *out, struct ou_err *err);

/* Streaming CSV, JSON and NDJSON in parts: the head (CSV header, JSON
 * envelope up to "data":[), the rows of one or more grids with the same
 * columns, and the tail. `first` says no row was rendered before. */
enum fmt_part { FMT_HEAD, FMT_ROWS, FMT_TAIL };
int fmt_grid_part(const struct grid *g, enum fmt_kind kind, enum fmt_part part,
                  bool header, bool first, struct buf *out,
                  struct ou_err *err);

/* Append one CSV field, quoted when it holds a comma, quote, CR or LF. */
int fmt_csv_field(struct buf *out, const char *s);

/* Internal to the fmt module (fmt.c / fmt_json.c). */
int fmt_grid_json(const struct grid *g, bool ndjson, struct buf *out,
                  struct ou_err *err);
int fmt_json_part(const struct grid *g, bool ndjson, enum fmt_part part,
                  bool first, struct buf *out, struct ou_err *err);

#endif
