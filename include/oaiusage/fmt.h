/* fmt.h - rendering a grid (grid.h) as a table, CSV, JSON, NDJSON or
 * OpenMetrics.
 * Pure: everything is written into a struct buf, never to a file.
 *
 *  - CSV (RFC 4180, CRLF) and JSON/NDJSON show every column that is not
 *    table_only, under its name; null is an empty field / JSON null. CSV
 *    is byte-exact unless the grid asks for csv_safe (--csv-safe): then a
 *    text cell starting with = + - @ TAB or CR gets a leading ' (numbers,
 *    times and booleans are never touched).
 *  - The table shows the in_table columns, aligned (text left, numbers
 *    right), numbers with thousands separators, hide_if_null columns only
 *    when some cell is non-null, then the total rows under a rule. Control
 *    characters from the API are shown as '?'.
 */
#ifndef OAIUSAGE_FMT_H
#define OAIUSAGE_FMT_H

#include <stdbool.h>

#include "oaiusage/buf.h"
#include "oaiusage/dec.h"
#include "oaiusage/grid.h"
#include "oaiusage/status.h"

enum fmt_kind {
    FMT_TABLE,
    FMT_CSV,
    FMT_JSON,
    FMT_NDJSON,
    FMT_SVG,
    FMT_OPENMETRICS,
    FMT_XLSX
};

/* Render the grid. header: CSV / table header row. */
int fmt_grid(const struct grid *g, enum fmt_kind kind, bool header,
             struct buf *out, struct ou_err *err);

/* Streaming CSV, JSON and NDJSON in parts: the head (CSV header, JSON
 * envelope up to "data":[), the rows of one or more grids with the same
 * columns, and the tail. `first` says no row was rendered before. */
enum fmt_part { FMT_HEAD, FMT_ROWS, FMT_TAIL };
int fmt_grid_part(const struct grid *g, enum fmt_kind kind, enum fmt_part part,
                  bool header, bool first, struct buf *out, struct ou_err *err);

/* Append one CSV field, quoted when it holds a comma, quote, CR or LF. */
int fmt_csv_field(struct buf *out, const char *s);

/* The renderers behind fmt_grid (table.c, csv.c, fmt_json.c). */
int fmt_table(const struct grid *g, bool header, struct buf *out,
              struct ou_err *err);
int fmt_csv_part(const struct grid *g, bool header, bool head, bool rows,
                 struct buf *out);
int fmt_grid_json(const struct grid *g, bool ndjson, struct buf *out,
                  struct ou_err *err);
int fmt_json_part(const struct grid *g, bool ndjson, enum fmt_part part,
                  bool first, struct buf *out, struct ou_err *err);
/* OpenMetrics text (openmetrics.c): each numeric column a gauge family
 * oaiusage_<endpoint|overview>_<column>, the text, boolean and time
 * columns its labels (a null cell is no label), the total rows left out,
 * the window as oaiusage_report_window_{start,end}_seconds, no sample
 * timestamps, then "# EOF". */
int fmt_openmetrics(const struct grid *g, struct buf *out, struct ou_err *err);

/* An Excel workbook (xlsx.c): one sheet per grid, in order, each with
 * the grid's columns (as CSV has them) and data rows (never the total
 * rows), real dates, numbers as numbers, text as strings, a bold frozen
 * header with an autofilter, money in its currency's format. Sheet names
 * are made valid (fmt_xlsx_sheet_name). The workbook's creation time is
 * the first grid's end_time (or as_of) and its title the first grid's
 * title, if any, so the same report gives the same bytes. The bytes of the
 * .xlsx file go to out. */
struct xlsx_sheet {
    const struct grid *g;
    const char *name; /* wanted sheet name (made valid and unique) */
};
int fmt_xlsx_book(const struct xlsx_sheet *sheets, int n, struct buf *out,
                  struct ou_err *err);
/* A workbook of one sheet. */
int fmt_xlsx(const struct grid *g, const char *sheet, struct buf *out,
             struct ou_err *err);

/* A sheet name Excel accepts, from want (may be NULL): []:*?/\, control
 * characters and malformed UTF-8 become '_', so does an apostrophe that
 * starts or ends it; at most FMT_XLSX_NAME_MAX characters; "Sheet" when
 * empty; and unlike (ignoring ASCII case) each of the ntaken names in
 * taken[] and the reserved "History": else " (2)", " (3)"... ends it. */
#define FMT_XLSX_NAME_MAX 31
struct xlsx_name {
    char s[4 * FMT_XLSX_NAME_MAX + 1]; /* UTF-8, NUL-terminated */
};
void fmt_xlsx_sheet_name(const char *want, const struct xlsx_name *taken,
                         int ntaken, struct xlsx_name *out);

/* An amount for a person (money.c): rounded once, half away from zero, to
 * the cent, with thousands separators and always two decimals, the
 * currency as a symbol where there is one ("$5,698.51", "-$3.20") or as
 * its code after the number ("12.00 CHF"); a non-zero amount under a
 * cent is "<$0.01". currency may be NULL (no symbol, no code). Returns
 * the length (MONEY_FMT_MAX always fits). */
#define MONEY_FMT_MAX (DEC_FMT_MAX + 24)
size_t money_format(const struct dec *d, const char *currency, char *buf,
                    size_t size);

/* "libxlsxwriter 1.1.4": the library linked, for --version. */
const char *xlsx_lib_version(void);

#endif
