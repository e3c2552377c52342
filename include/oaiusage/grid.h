/* grid.h - the one shape every report takes before it is rendered:
 * named, typed columns and rows of cells, total rows after the data rows,
 * and metadata for the JSON envelope.
 *
 * Usage and costs reports, the overview and the organization lists are
 * all built as a grid; the renderers (fmt.h) know nothing about
 * endpoints. A grid owns its cells' strings: builders copy them with
 * grid_strdup() (only static strings may be stored as they are).
 * Released with grid_release().
 */
#ifndef OAIUSAGE_GRID_H
#define OAIUSAGE_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oaiusage/arena.h"

enum cell_kind {
    CELL_NULL = 0,
    CELL_TEXT, /* s */
    CELL_INT,  /* s: plain decimal digits of an integer */
    CELL_DEC,  /* s: plain exact decimal */
    CELL_BOOL, /* b */
    CELL_TIME  /* t: Unix seconds, RFC 3339 UTC in CSV/JSON */
};

struct cell {
    enum cell_kind kind;
    const char *s;
    int64_t t;
    bool b;
    const char *display; /* table text instead of the value, or NULL */
};

struct grid_col {
    const char *name;
    bool in_table;         /* shown in the table */
    bool table_only;       /* not in CSV/JSON (a label column) */
    bool hide_if_null;     /* table: hidden when every cell is null */
    bool date_only;        /* table: a CELL_TIME shown as YYYY-MM-DD */
    const char *null_text; /* table text for null (default empty) */
    bool bar;              /* table: a chart column (coloured on a tty) */
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

#define GRID_MAX_COLS 128
#define GRID_MAX_META 12

/* A table that must fit a terminal: the width to fit, and what was left
 * out to fit it (the caller says so). */
struct table_fit {
    int width;                          /* columns; 0: no limit */
    const char *dropped[GRID_MAX_COLS]; /* names of the columns left out */
    int ndropped;
    int shortened; /* text columns cut in the middle */
};

struct grid {
    const char *object; /* JSON envelope "object" */
    const char *title;  /* table: a line above the header saying what the
                           table answers (owned by strings), or NULL */
    struct grid_col cols[GRID_MAX_COLS];
    int ncols;
    struct cell *cells;    /* (nrows + ntotals) * ncols, row-major */
    size_t nrows;          /* data rows */
    size_t ntotals;        /* total rows after them (table only) */
    size_t cap;            /* rows allocated */
    bool table_hides_rows; /* table shows only the totals */
    bool color;            /* table: colour the bar columns */
    bool csv_safe;         /* CSV: defuse text cells that look like
                              spreadsheet formulas */
    bool local;            /* times are written in the zone of --tz
                              (zone.h), with its offset; else UTC */
    struct table_fit *fit; /* table: fit a terminal, or NULL */
    /* Table: how much a column matters when the table must shrink
     * (higher stays longer); 0: by its kind (the first column and text
     * columns stay, numbers further right go first). */
    int priority[GRID_MAX_COLS];
    /* Table: a column's header instead of its name ("previous" under a
     * comparison's metric), or NULL. Static or grid-owned strings. */
    const char *header[GRID_MAX_COLS];
    struct grid_meta meta[GRID_MAX_META];
    int nmeta;
    const char *lists[GRID_MAX_COLS]; /* storage for a META_LIST */
    struct arena strings;             /* owned string storage */
};

void grid_init(struct grid *g, const char *object);
void grid_release(struct grid *g);
/* Add a column (before any row); returns its index, or -1. */
int grid_add_col(struct grid *g, const struct grid_col *col);
/* Append a row of ncols null cells; returns it, or NULL when out of memory.
 * total rows must come after every data row. */
struct cell *grid_add_row(struct grid *g, bool total);
/* A copy owned by the grid (NULL when out of memory). */
const char *grid_strdup(struct grid *g, const char *s);
/* Make c a text cell holding a copy of s (s NULL: c stays null). 0, or
 * -1 when out of memory. */
int grid_text(struct grid *g, struct cell *c, const char *s);
void grid_add_meta(struct grid *g, const struct grid_meta *m);
/* A time as RFC 3339 (buf >= 26: "...+05:30" when g->local, else "...Z"),
 * and its date (buf >= 11), in the grid's zone. */
void grid_time_text(const struct grid *g, int64_t t, char *buf);
void grid_date_text(const struct grid *g, int64_t t, char *buf);
/* Append src's data rows (same columns) to dst, copying their strings.
 * 0, or -1 when out of memory. */
int grid_append(struct grid *dst, const struct grid *src);

#endif
