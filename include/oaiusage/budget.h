/* budget.h - what a period's spend means against a budget: spent,
 * remaining, percent used, the projection at the recent run rate, the day
 * the budget runs out, and the state (ok, warn, over). Pure: no I/O, no
 * parser; the budget command (src/cmd/budget.c) feeds it the costs per day
 * and renders the lines. Money is exact (dec.h); the percent and the
 * projection are ratios, rounded once, half away from zero.
 *
 * Also the budgets file (--budgets): CSV lines "project,amount", parsed
 * here from its text. A struct budget_file owns its strings.
 */
#ifndef OAIUSAGE_BUDGET_H
#define OAIUSAGE_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oaiusage/dec.h"
#include "oaiusage/status.h"

enum budget_period { BP_MONTH, BP_WEEK, BP_DAY };
enum budget_state { BS_OK, BS_WARN, BS_OVER };

/* The projection's run rate: the mean of this many complete UTC days. */
#define BUDGET_RATE_DAYS 7
/* The most days a period has (a month). */
#define BUDGET_MAX_DAYS 31
/* Scales of the rounded values. */
#define BUDGET_PERCENT_SCALE 2
#define BUDGET_PROJECTION_SCALE 2

/* The times a budget check works with, all UTC. */
struct budget_clock {
    int64_t now;
    int64_t start, end;           /* the period: [start, end) */
    int64_t rate_start, rate_end; /* the last BUDGET_RATE_DAYS complete days */
    int64_t fetch_start;          /* min(start, rate_start) */
    int64_t settled_end;          /* days ending after it are provisional */
};

/* The clock of the period holding now; days ending less than settle
 * seconds before now are provisional (the API may still revise them). */
void budget_clock_at(enum budget_period p, int64_t now, int64_t settle,
                     struct budget_clock *c);
const char *budget_period_name(enum budget_period p);
const char *budget_state_name(enum budget_state s);

/* One budget line: its budget, the spend folded in day by day, and the
 * results of budget_finish(). */
struct budget_line {
    struct dec budget; /* > 0 */
    /* Folded in: */
    struct dec spent;       /* the period up to now */
    struct dec provisional; /* the part of spent from provisional days */
    struct dec rate_sum;    /* spend of the rate days */
    struct dec day[BUDGET_MAX_DAYS]; /* spend per day of the period */
    bool any_provisional;
    /* Results: */
    struct dec remaining;  /* budget - spent (negative when over) */
    struct dec percent;    /* spent / budget * 100, 2 decimals */
    struct dec projected;  /* spend at period end at the run rate */
    struct dec daily_rate; /* rate_sum / BUDGET_RATE_DAYS, 2 decimals */
    int64_t runs_out;      /* day (00:00 UTC) the budget is or would be
                             used up within the period, or -1 */
    enum budget_state state;
    bool warn_percent; /* the warning came from the percent used */
};

/* A line with its budget and nothing spent. */
void budget_line_init(struct budget_line *l, const struct dec *budget);
/* Fold the spend of the UTC day starting at day (outside the period and
 * the rate days: ignored). OU_E_DATA on overflow. */
int budget_add_day(struct budget_line *l, const struct budget_clock *c,
                   int64_t day, const struct dec *amount, struct ou_err *err);

struct budget_rules {
    int warn_at;             /* percent used that warns */
    bool warn_on_projection; /* a projection at or over the budget warns */
};
/* Compute the results. OU_E_DATA when a value does not fit. */
int budget_finish(struct budget_line *l, const struct budget_clock *c,
                  const struct budget_rules *r, struct ou_err *err);

/* A budget amount as a person writes it: a plain decimal above 0 with at
 * most 12 integer and 6 fractional digits ("1500", "99.95"; no exponent,
 * no sign). */
bool budget_amount_parse(const char *s, struct dec *out);

/* The most lines a budgets file may hold. */
#define BUDGET_MAX_LINES 10000

/* --budgets FILE: "project,amount" per line. */
struct budget_entry {
    char *project; /* an id or a name, as written */
    struct dec amount;
    int line; /* 1-based line number, for messages */
};
struct budget_file {
    struct budget_entry *v;
    size_t n;
};

/* Parse the file's text (what names it in messages: the path). Blank
 * lines and lines starting with '#' are skipped; a first line
 * "project,amount" (any case) is a header. Fields may be double-quoted (RFC 4180).
 * Amounts are plain decimals > 0 ("1500", "99.95"), a project named
 * twice is an error. OU_E_USAGE naming the file and line on a bad line. */
int budget_file_parse(const char *text, size_t len, const char *what,
                      struct budget_file *f, struct ou_err *err);
void budget_file_release(struct budget_file *f);

#endif
