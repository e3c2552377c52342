/* report_int.h - the column machinery shared by report.c (the report
 * grid) and chart.c (the sparkline grid). Private to src/render. */
#ifndef OAIUSAGE_REPORT_INT_H
#define OAIUSAGE_REPORT_INT_H

#include "oaiusage/htab.h"
#include "oaiusage/report.h"
#include "oaiusage/zone.h"

/* What a grid column shows, parallel to the grid's columns. */
enum role {
    R_LABEL,  /* the TOTAL label of an ungrouped report */
    R_T0,     /* period or bucket start */
    R_T1,     /* bucket end */
    R_KEY,    /* group value (index: group position) */
    R_NAME,   /* the name of the group's id (index: group position) */
    R_METRIC, /* a metric (index: metric index) */
    R_TEXT,   /* a metric's label alone (index: metric index) */
    R_CHART,  /* a bar or sparkline, from the caller */
    R_TOTAL,  /* the first metric, exact */
    R_TOKENS  /* input + output tokens (table only) */
};

struct layout {
    enum role role[GRID_MAX_COLS];
    int index[GRID_MAX_COLS];
    bool money; /* the table shows money to the cent, with its symbol */
    /* Per group position: names that several ids of the rows share,
     * sorted (the table shows a short id beside them). Owned. */
    const char **dups[EP_MAX_GROUPS];
    size_t ndups[EP_MAX_GROUPS];
};

/* Find the names several ids share, per group position, among a's rows.
 * 0, or -1 when out of memory. */
int layout_dups(struct layout *l, const struct agg *a,
                const struct names *names);
void layout_release(struct layout *l);

/* The currency metric that labels metric m (money), or -1. */
int money_currency(const struct endpoint *ep, int m);

/* Add a column with its role; returns its index, or -1. */
int layout_add(struct grid *g, struct layout *l, enum role r, int index,
               struct grid_col c);
/* The group columns (each id followed by its name column with names). */
int layout_groups(const struct agg *a, const struct names *names,
                  struct grid *g, struct layout *l);
/* Fill one row's cells from agg row r (a total row when total); chart is
 * the R_CHART text. 0, or -1 when out of memory. */
int layout_fill(const struct agg *a, const struct names *names,
                const struct layout *l, const struct agg_row *r, bool total,
                const char *chart, struct grid *g, struct cell *row);

/* The largest value per currency, so that charts never compare amounts in
 * different currencies. Currencies past SCALES_MAX share the last scale. */
#define SCALES_MAX 8

struct scales {
    const char *label[SCALES_MAX];
    double max[SCALES_MAX];
    int n;
};

void scales_note(struct scales *s, const char *label, double v);
double scales_max(const struct scales *s, const char *label);

/* Rows of two aggregates of one report that are the same group: the same
 * group values and currency. */
struct ident {
    const struct agg *a;
    const struct agg_row *r;
    size_t index; /* in the aggregate that owns the entry */
};

/* Index the rows of a by group (ids[nrows] is the entries' storage). */
int index_groups(const struct agg *a, struct ident *ids, struct htab *t);
/* The index of the group of row r of a in the indexed aggregate. */
size_t group_of(const struct htab *t, const struct agg *a,
                const struct agg_row *r);
/* The same, or SIZE_MAX when the indexed aggregate has no such group. */
size_t find_group(const struct htab *t, const struct agg *a,
                  const struct agg_row *r);
/* The index of period t among a's periods. */
size_t period_of(const struct agg *a, int64_t t);
/* a's periods as axis labels (dates, or times per bucket) into cats. */
int period_labels(const struct agg *a, const char **cats, struct grid *store);

#endif
