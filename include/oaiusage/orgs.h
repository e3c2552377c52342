/* orgs.h - one report over several organizations (--profile a,b,
 * --all-profiles): the merge of the organizations' grids. The run itself
 * is orgs_run() (cmds.h).
 *
 * Each organization's report is made as a report of its own (its grid
 * collected instead of written, session.h), then the grids become one:
 * an org column first; each organization's data rows in profile order,
 * each keeping its own order (--sort and --top apply per organization);
 * then, as total rows (shown by the table only, as every report's
 * totals), each organization's own total rows, labelled with its name;
 * then the grand totals. A grand total row sums, per group of rows that
 * agree on every text cell (the currency of costs; the endpoint and unit
 * of the overview), every integer and exact-decimal column, exactly (dec.h:
 * never through floating point), but no percentage.
 */
#ifndef OAIUSAGE_ORGS_H
#define OAIUSAGE_ORGS_H

#include "oaiusage/grid.h"
#include "oaiusage/status.h"

enum orgs_totals {
    ORGS_TOTALS_NONE,  /* no grand total (sync --status) */
    ORGS_TOTALS_TOTAL, /* from each grid's total rows (usage reports) */
    ORGS_TOTALS_ROWS   /* from each grid's data rows (the overview) */
};

/* The grids gs[0..n) of the organizations names[0..n) as one grid in out
 * (initialised here; released with grid_release). Columns are matched by
 * name (a column only some grids have is null for the others). out
 * borrows column names, headers and metadata from the grids: release it
 * before them. 0, or OU_E_NOMEM / OU_E_DATA (a sum out of the exact
 * range, too many columns) with err filled. */
int orgs_merge(struct grid *const *gs, const char *const *names, int n,
               enum orgs_totals totals, struct grid *out, struct ou_err *err);

#endif
