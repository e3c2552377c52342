/* budget.c - spend in the current period against budgets (see cmds.h).
 *
 * The budgets come from --amount (the organization), --budgets FILE (per
 * project, by id or name) or, without either, from the API's own spend
 * limits (the organization's and each active project's). The spend is the
 * costs endpoint's, per UTC day, from the earlier of the period's start
 * and the first of the last 7 complete days (the run rate), live or from
 * the store (--db). Each line's numbers come from budget.h; this file
 * gathers, folds and renders them, and turns the worst state into the
 * run's outcome: OU_ALERT_WARN or OU_ALERT_OVER after the output is
 * written.
 */
#include "oaiusage/cmds.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/budget.h"
#include "oaiusage/limits.h"
#include "oaiusage/msg.h"

#define BUDGETS_FILE_MAX ((size_t)4 * 1024 * 1024)
#define DAY_S 86400

struct line {
    const char *project_id; /* NULL: the organization */
    const char *project_name;
    const char *source; /* "amount", "file", "api" */
    int file_line;      /* "file": its line in the budgets file */
    const char *enforcement;
    char currency[16];
    struct budget_line b;
};

struct run {
    struct session *s;
    struct budget_clock clock;
    struct budget_file file;
    struct limits lim;   /* projects (names) and the API's limits */
    struct names *names; /* --db: the stored project names */
    struct line *v;
    size_t n;
    char seen[8][16]; /* the currencies the costs are in */
    int nseen;
    int64_t data_end; /* where the costs read end (-1: none) */
};

static struct line *add_line(struct run *r, struct ou_err *err)
{
    struct line *v = realloc(r->v, (r->n + 1) * sizeof(*v));

    if (v == NULL) {
        ou_nomem(err);
        return NULL;
    }
    r->v = v;
    memset(&v[r->n], 0, sizeof(v[r->n]));
    snprintf(v[r->n].currency, sizeof(v[r->n].currency), "usd");
    return &v[r->n++];
}

/* ---- the budgets file ------------------------------------------------- */

static int read_file(const char *path, struct buf *out, struct ou_err *err)
{
    FILE *f = fopen(path, "rb");
    char tmp[8192];
    size_t n;
    int rc = 0;

    if (f == NULL)
        return ou_fail(err, OU_E_IO, "--budgets %s: %s", path, strerror(errno));
    while (rc == 0 && (n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
        if (out->len + n > BUDGETS_FILE_MAX)
            rc = ou_fail(err, OU_E_USAGE, "--budgets %s: larger than %zu MiB",
                         path, BUDGETS_FILE_MAX >> 20);
        else if (buf_append(out, tmp, n) != 0)
            rc = ou_nomem(err);
    }
    if (rc == 0 && ferror(f))
        rc = ou_fail(err, OU_E_IO, "--budgets %s: %s", path, strerror(errno));
    (void)fclose(f); /* read only: nothing to lose */
    return rc;
}

static int load_file(struct run *r, struct ou_err *err)
{
    const char *path = r->s->cfg->budgets;
    struct buf text;
    int rc;

    buf_init(&text, 0);
    rc = read_file(path, &text, err);
    if (rc == 0 && buf_putc(&text, '\0') != 0)
        rc = ou_nomem(err);
    if (rc == 0)
        rc = budget_file_parse(text.data, text.len - 1, path, &r->file, err);
    buf_release(&text);
    return rc;
}

/* Projects by id and name: the API's list, or (--db) the stored names. */
struct project_ref {
    const char *id;
    const char *name;
};

struct refs {
    struct project_ref *v;
    size_t n;
};

static int collect_name(void *ctx, enum name_kind k, const char *id,
                        const char *name)
{
    struct refs *rf = ctx;
    struct project_ref *v;

    if (k != NK_PROJECT)
        return 0;
    v = realloc(rf->v, (rf->n + 1) * sizeof(*v));
    if (v == NULL)
        return -1;
    rf->v = v;
    v[rf->n++] = (struct project_ref){ id, name };
    return 0;
}

static int project_refs(struct run *r, struct refs *rf, struct ou_err *err)
{
    memset(rf, 0, sizeof(*rf));
    if (r->s->store == NULL) {
        for (size_t i = 0; i < r->lim.n; i++) {
            struct project_ref *v = realloc(rf->v, (rf->n + 1) * sizeof(*v));
            if (v == NULL)
                return ou_nomem(err);
            rf->v = v;
            v[rf->n++] = (struct project_ref){ r->lim.v[i].id,
                                               r->lim.v[i].name };
        }
        return 0;
    }
    if (names_each(r->names, collect_name, rf) != 0)
        return ou_nomem(err);
    return 0;
}

/* An entry of the file: a project id, else exactly one project's name. */
/* The unknown entries, named in the error: the first few. */
#define UNKNOWN_SHOWN 10

static int resolve_entry(const struct refs *rf, const char *entry,
                         const struct project_ref **out, struct buf *unknown,
                         int *nunknown, struct ou_err *err)
{
    const struct project_ref *by_name = NULL;
    int named = 0;

    *out = NULL;
    for (size_t i = 0; i < rf->n; i++) {
        if (strcmp(rf->v[i].id, entry) == 0) {
            *out = &rf->v[i];
            return 0;
        }
        if (rf->v[i].name != NULL && strcmp(rf->v[i].name, entry) == 0) {
            by_name = &rf->v[i];
            named++;
        }
    }
    if (named > 1)
        return ou_fail(err, OU_E_USAGE,
                       "--budgets: %d projects are named \"%s\": give its id",
                       named, entry);
    if (named == 0) {
        if (++*nunknown <= UNKNOWN_SHOWN &&
            ((unknown->len > 0 && buf_puts(unknown, ", ") != 0) ||
             buf_printf(unknown, "\"%s\"", entry) != 0))
            return ou_nomem(err);
        return 0;
    }
    *out = by_name;
    return 0;
}

static int file_lines(struct run *r, struct ou_err *err)
{
    struct refs rf;
    struct buf unknown;
    int nunknown = 0;
    int rc;

    buf_init(&unknown, 0);
    rc = project_refs(r, &rf, err);
    for (size_t i = 0; i < r->file.n && rc == 0; i++) {
        const struct project_ref *p;
        rc = resolve_entry(&rf, r->file.v[i].project, &p, &unknown, &nunknown,
                           err);
        if (rc != 0 || p == NULL)
            continue;
        for (size_t j = 0; j < r->n && rc == 0; j++) {
            if (r->v[j].project_id != NULL &&
                strcmp(r->v[j].project_id, p->id) == 0)
                rc = ou_fail(err, OU_E_USAGE,
                             "%s line %d: project %s already has a budget "
                             "(line %d)",
                             r->s->cfg->budgets, r->file.v[i].line, p->id,
                             r->v[j].file_line);
        }
        struct line *l = rc == 0 ? add_line(r, err) : NULL;
        if (l == NULL) {
            rc = rc != 0 ? rc : OU_E_NOMEM;
            continue;
        }
        l->project_id = p->id;
        l->project_name = p->name;
        l->source = "file";
        l->file_line = r->file.v[i].line;
        budget_line_init(&l->b, &r->file.v[i].amount);
    }
    if (rc == 0 && nunknown > 0)
        rc = ou_fail(err, OU_E_USAGE,
                     "%s: no such project in the organization%s: %s%s",
                     r->s->cfg->budgets,
                     r->s->store != NULL ? " (as the store knows it)" : "",
                     unknown.data, nunknown > UNKNOWN_SHOWN ? " and more" : "");
    free(rf.v);
    buf_release(&unknown);
    return rc;
}

/* ---- gathering the budgets -------------------------------------------- */

static int limit_line(struct run *r, const struct spend_limit *sl,
                      const struct project_info *p, struct ou_err *err)
{
    struct line *l;

    if (!sl->set)
        return 0;
    if (sl->interval[0] != '\0' && strcmp(sl->interval, "month") != 0) {
        msg_warn("budget: the spend limit of %s is per %s; only monthly "
                 "limits are checked",
                 p != NULL ? p->id : "the organization", sl->interval);
        return 0;
    }
    if ((l = add_line(r, err)) == NULL)
        return OU_E_NOMEM;
    l->project_id = p != NULL ? p->id : NULL;
    l->project_name = p != NULL ? p->name : NULL;
    l->source = "api";
    l->enforcement = sl->enforcement[0] != '\0' ? sl->enforcement : NULL;
    snprintf(l->currency, sizeof(l->currency), "%s", sl->currency);
    budget_line_init(&l->b, &sl->amount);
    return 0;
}

static int gather(struct run *r, struct ou_err *err)
{
    const struct config *cfg = r->s->cfg;
    struct limits_want want = { cfg->api_limits, cfg->budgets != NULL,
                                cfg->api_limits };
    struct ou_err e2 = { OU_OK, "" };
    int rc = 0;

    if (cfg->budgets != NULL && (rc = load_file(r, err)) != 0)
        return rc;
    if (cfg->amount != NULL) {
        struct line *l = add_line(r, err);
        struct dec d;
        if (l == NULL)
            return OU_E_NOMEM;
        budget_amount_parse(cfg->amount, &d); /* checked (cli) */
        l->source = "amount";
        budget_line_init(&l->b, &d);
    }
    if (r->s->store != NULL && cfg->budgets != NULL) {
        /* Offline: the projects as the last sync stored them. */
        want.projects = false;
        if ((r->names = names_new()) == NULL)
            return ou_nomem(err);
        if (store_get_names(r->s->store, r->s->org, r->names, &e2) != 0) {
            *err = e2;
            ou_err_prefix(err, "--budgets needs the project names: ");
            return (int)e2.cat;
        }
    }
    if (want.org_limit || want.projects || want.project_limits)
        rc = limits_fetch(&r->s->env, &want, &r->lim, err);
    if (rc == 0 && cfg->budgets != NULL)
        rc = file_lines(r, err);
    if (rc == 0 && cfg->api_limits) {
        rc = limit_line(r, &r->lim.org, NULL, err);
        for (size_t i = 0; i < r->lim.n && rc == 0; i++)
            rc = limit_line(r, &r->lim.v[i].limit, &r->lim.v[i], err);
        if (rc == 0 && r->n == 0)
            rc = ou_fail(err, OU_E_USAGE,
                         "no budget: the organization and its projects have "
                         "no monthly spend limit; give --amount or "
                         "--budgets");
    }
    return rc;
}

/* ---- the spend ---------------------------------------------------------- */

static bool any_project(const struct run *r)
{
    for (size_t i = 0; i < r->n; i++) {
        if (r->v[i].project_id != NULL)
            return true;
    }
    return false;
}

static void costs_query(const struct run *r, struct query *q,
                        struct agg_spec *spec)
{
    const struct endpoint *ep = endpoint_at(EP_COSTS);

    memset(q, 0, sizeof(*q));
    q->ep = ep;
    q->start_time = r->clock.fetch_start;
    q->end_time = -1; /* up to now */
    q->width = BW_1D;
    q->limit = ep->limit_max[BW_1D];
    if (any_project(r)) {
        q->group[0] = endpoint_group_index(ep, "project_id");
        q->ngroup = 1;
    }
    *spec = (struct agg_spec){ ep, q->ngroup, { 0 }, TU_PER_DAY, false, NULL };
    memcpy(spec->group, q->group, sizeof(spec->group));
}

/* One day's row of the costs into every line it counts for. */
static int fold_row(struct run *r, const struct agg *a,
                    const struct agg_row *row, struct ou_err *err)
{
    const struct agg_spec *sp = agg_spec_of(a);
    int m_amount = endpoint_metric_index(sp->ep, "amount");
    int m_cur = endpoint_metric_index(sp->ep, "currency");
    const char *cur = row->text[m_cur] != NULL ? row->text[m_cur] : "";
    const char *project = sp->ngroup > 0 ? row->key[0] : NULL;
    int k = 0;

    if (!row->present[m_amount] || dec_is_zero(&row->dval[m_amount]))
        return 0;
    while (k < r->nseen && strcmp(r->seen[k], cur) != 0)
        k++;
    if (k == r->nseen && k < (int)(sizeof(r->seen) / sizeof(r->seen[0])))
        snprintf(r->seen[r->nseen++], sizeof(r->seen[0]), "%s", cur);
    for (size_t i = 0; i < r->n; i++) {
        struct line *l = &r->v[i];
        if (strcmp(l->currency, cur) != 0)
            continue;
        if (l->project_id != NULL &&
            (project == NULL || strcmp(l->project_id, project) != 0))
            continue;
        int rc = budget_add_day(&l->b, &r->clock, row->t0, &row->dval[m_amount],
                                err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* From the store: the answer is as of where its costs end (the last
 * sync), so the spend, the run rate, the provisional days and the time
 * left all agree. A store that ends before today cannot give the spend so
 * far nor the rate: exit 8, as any window the store does not hold. */
static int anchor(struct run *r, struct ou_err *err)
{
    const struct config *cfg = r->s->cfg;
    char at[TU_RFC3339_LEN];

    if (r->s->store == NULL || r->data_end < 0 || r->data_end >= r->clock.now)
        return 0;
    tu_format_rfc3339(r->data_end, at);
    if (r->data_end < r->clock.rate_end)
        return ou_fail(err, OU_E_UNCOVERED,
                       "budget: the store's costs end at %s, before today: "
                       "the spend so far and the run rate need today "
                       "(run: oaiusage sync)",
                       at);
    if (r->clock.now - r->data_end >= 3600)
        msg_warn("budget: the store's costs end at %s, %lld min ago; the "
                 "numbers are as of then (oaiusage sync brings them up to "
                 "date)",
                 at, (long long)((r->clock.now - r->data_end) / 60));
    budget_clock_at((enum budget_period)cfg->period, r->data_end,
                    cfg->given[OPT_SETTLE] ? cfg->settle : OU_SETTLE_COSTS_S,
                    &r->clock);
    return 0;
}

/* A budget in a currency the costs are not in cannot be compared with
 * them: a failure, never an empty "ok". */
static int check_currencies(const struct run *r, struct ou_err *err)
{
    for (size_t i = 0; i < r->n && r->nseen > 0; i++) {
        const struct line *l = &r->v[i];
        int k = 0;
        while (k < r->nseen && strcmp(r->seen[k], l->currency) != 0)
            k++;
        if (k == r->nseen)
            return ou_fail(err, OU_E_DATA,
                           "the budget of %s%s is in %s, but the costs are in "
                           "%s: they cannot be compared",
                           l->project_id != NULL ? "project "
                                                 : "the "
                                                   "organization",
                           l->project_id != NULL ? l->project_id : "",
                           l->currency, r->seen[0]);
    }
    for (int k = 0; k < r->nseen; k++) {
        bool used = false;
        for (size_t i = 0; i < r->n; i++)
            used |= strcmp(r->v[i].currency, r->seen[k]) == 0;
        if (!used)
            msg_warn("budget: costs in %s are not counted: no budget is in "
                     "%s",
                     r->seen[k], r->seen[k]);
    }
    return 0;
}

static int fetch_spend(struct run *r, struct ou_err *err)
{
    struct query q;
    struct agg_spec spec;
    struct agg *agg = NULL;
    struct check_span span;
    int rc;

    costs_query(r, &q, &spec);
    span.last_end = -1;
    rc = session_fetch_aggs(r->s, &q, &spec, &agg, &span, 1, err);
    r->data_end = rc == 0 && span.buckets > 0 ? span.last_end : -1;
    if (rc == 0)
        rc = anchor(r, err);
    for (size_t i = 0; rc == 0 && i < agg_nrows(agg); i++)
        rc = fold_row(r, agg, agg_row_at(agg, i), err);
    agg_free(agg);
    if (rc == 0)
        rc = check_currencies(r, err);
    return rc;
}

/* ---- the output --------------------------------------------------------- */

enum {
    C_PERIOD_START,
    C_AS_OF,
    C_SCOPE,
    C_PROJECT_ID,
    C_PROJECT_NAME,
    C_SOURCE,
    C_ENFORCEMENT,
    C_CURRENCY,
    C_BUDGET,
    C_SPENT,
    C_PROVISIONAL,
    C_PERCENT,
    C_REMAINING,
    C_PROJECTED,
    C_DAILY_RATE,
    C_RUNS_OUT,
    C_STATE,
    C_NCOLS
};

static const char *const col_names[C_NCOLS] = {
    "period_start", "as_of",       "scope",     "project_id", "project_name",
    "source",       "enforcement", "currency",  "budget",     "spent",
    "provisional",  "percent",     "remaining", "projected",  "daily_rate",
    "runs_out",     "state",
};

/* Exact in CSV and JSON; the table shows it to the cent with its
 * currency ("$1,200.50"), mark after it, or every digit with --exact. */
static int money_cell(struct grid *g, struct cell *c, const struct dec *d,
                      const char *currency, bool exact, const char *mark)
{
    char tmp[MONEY_FMT_MAX];
    char shown[MONEY_FMT_MAX + 8];

    dec_format(d, tmp, sizeof(tmp));
    c->kind = CELL_DEC;
    c->s = grid_strdup(g, tmp);
    if (exact)
        dec_format_grouped(d, tmp, sizeof(tmp));
    else
        money_format(d, currency, tmp, sizeof(tmp));
    snprintf(shown, sizeof(shown), "%s%s", tmp, mark);
    c->display = grid_strdup(g, shown);
    return c->s != NULL && c->display != NULL ? 0 : -1;
}

/* A line's cells (strings owned by g), in column order. */
static int line_cells(struct grid *g, const struct run *r, const struct line *l,
                      struct cell c[C_NCOLS])
{
    const struct budget_line *b = &l->b;
    bool exact = r->s->cfg->exact;
    char tmp[DEC_FMT_MAX];
    int rc = 0;

    memset(c, 0, sizeof(*c) * C_NCOLS);
    c[C_PERIOD_START].kind = CELL_TIME;
    c[C_PERIOD_START].t = r->clock.start;
    c[C_AS_OF].kind = CELL_TIME;
    c[C_AS_OF].t = r->clock.now;
    rc |= grid_text(g, &c[C_SCOPE],
                    l->project_id != NULL ? "project" : "organization");
    rc |= grid_text(g, &c[C_PROJECT_ID], l->project_id);
    rc |= grid_text(g, &c[C_PROJECT_NAME], l->project_name);
    rc |= grid_text(g, &c[C_SOURCE], l->source);
    rc |= grid_text(g, &c[C_ENFORCEMENT], l->enforcement);
    rc |= grid_text(g, &c[C_CURRENCY], l->currency);
    rc |= money_cell(g, &c[C_BUDGET], &b->budget, l->currency, exact, "");
    rc |= money_cell(g, &c[C_SPENT], &b->spent, l->currency, exact,
                     b->any_provisional ? "*" : "");
    rc |= money_cell(g, &c[C_PROVISIONAL], &b->provisional, l->currency, exact,
                     "");
    dec_format(&b->percent, tmp, sizeof(tmp));
    c[C_PERCENT].kind = CELL_DEC;
    c[C_PERCENT].s = grid_strdup(g, tmp);
    rc |= c[C_PERCENT].s == NULL ? -1 : 0;
    /* The table: two decimals and a sign, 208.10%. */
    char shown[DEC_FMT_MAX + 8];
    char *dot = strchr(tmp, '.');
    size_t frac = dot != NULL ? strlen(dot + 1) : 0;
    snprintf(shown, sizeof(shown), "%s%s%s%%", tmp, dot == NULL ? "." : "",
             frac == 0   ? "00"
             : frac == 1 ? "0"
                         : "");
    c[C_PERCENT].display = grid_strdup(g, shown);
    rc |= c[C_PERCENT].display == NULL ? -1 : 0;
    rc |= money_cell(g, &c[C_REMAINING], &b->remaining, l->currency, exact, "");
    rc |= money_cell(g, &c[C_PROJECTED], &b->projected, l->currency, exact, "");
    rc |= money_cell(g, &c[C_DAILY_RATE], &b->daily_rate, l->currency, exact,
                     "");
    if (b->runs_out >= 0) {
        c[C_RUNS_OUT].kind = CELL_TIME;
        c[C_RUNS_OUT].t = b->runs_out;
    }
    rc |= grid_text(g, &c[C_STATE], budget_state_name(b->state));
    return rc;
}

static int line_row(struct grid *g, const struct run *r, const struct line *l)
{
    struct cell c[C_NCOLS];
    struct cell *row;

    if (line_cells(g, r, l, c) != 0 || (row = grid_add_row(g, false)) == NULL)
        return -1;
    memcpy(row, c, sizeof(c));
    return 0;
}

static void columns(struct grid *g, bool exact)
{
    for (int k = 0; k < C_NCOLS; k++) {
        struct grid_col c = { col_names[k], true, false, false,
                              false,        NULL, false };
        c.hide_if_null = k == C_PROJECT_ID || k == C_PROJECT_NAME ||
                         k == C_ENFORCEMENT;
        /* The table's title says the period and the time; the amounts
         * carry their currency ("$5,000.00") unless --exact. */
        c.in_table = k != C_PROVISIONAL && k != C_PERIOD_START &&
                     k != C_AS_OF && (k != C_CURRENCY || exact);
        c.date_only = k == C_RUNS_OUT;
        grid_add_col(g, &c);
    }
}

static void meta(struct grid *g, const struct run *r)
{
    const struct budget_clock *c = &r->clock;
    const struct config *cfg = r->s->cfg;

    grid_add_meta(g, &(struct grid_meta){ "report", META_STRING, "budget", 0,
                                          false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){
                         "period", META_STRING,
                         budget_period_name((enum budget_period)cfg->period), 0,
                         false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "start_time", META_TIME, NULL,
                                          c->start, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "end_time", META_TIME, NULL, c->end,
                                          false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "as_of", META_TIME, NULL, c->now,
                                          false, NULL, 0 });
    if (r->data_end >= 0)
        grid_add_meta(g, &(struct grid_meta){ "data_end", META_TIME, NULL,
                                              r->data_end, false, NULL, 0 });
    else
        grid_add_meta(g, &(struct grid_meta){ "data_end", META_NULL, NULL, 0,
                                              false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "rate_start", META_TIME, NULL,
                                          c->rate_start, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "rate_end", META_TIME, NULL,
                                          c->rate_end, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "provisional_from", META_TIME, NULL,
                                          tu_floor_day(c->settled_end), false,
                                          NULL, 0 });
}

/* OpenMetrics: labels that identify a line (never its state or dates, so
 * the series stay the same run after run), and numbers: the state as a
 * code (0 ok, 1 warn, 2 over) and the run-out day as Unix seconds. */
static int metrics_grid(struct grid *g, const struct run *r)
{
    static const int from[] = {
        C_SCOPE,     C_PROJECT_ID, C_PROJECT_NAME, C_CURRENCY,
        C_BUDGET,    C_SPENT,      C_PROVISIONAL,  C_PERCENT,
        C_REMAINING, C_PROJECTED,  C_DAILY_RATE,
    };
    enum { NFROM = sizeof(from) / sizeof(from[0]) };
    char tmp[32];

    for (int k = 0; k < NFROM; k++)
        grid_add_col(g, &(struct grid_col){ col_names[from[k]], true, false,
                                            false, false, NULL, false });
    grid_add_col(g, &(struct grid_col){ "state", true, false, false, false,
                                        NULL, false });
    grid_add_col(g, &(struct grid_col){ "as_of_seconds", true, false, false,
                                        false, NULL, false });
    grid_add_col(g, &(struct grid_col){ "runs_out_seconds", true, false, false,
                                        false, NULL, false });
    meta(g, r);
    for (size_t i = 0; i < r->n; i++) {
        const struct line *l = &r->v[i];
        struct cell c[C_NCOLS];
        struct cell *row;
        if (line_cells(g, r, l, c) != 0 ||
            (row = grid_add_row(g, false)) == NULL)
            return -1;
        for (int k = 0; k < NFROM; k++) {
            row[k] = c[from[k]];
            row[k].display = NULL;
        }
        snprintf(tmp, sizeof(tmp), "%d", (int)l->b.state);
        row[NFROM].kind = CELL_INT;
        row[NFROM].s = grid_strdup(g, tmp);
        if (row[NFROM].s == NULL)
            return -1;
        snprintf(tmp, sizeof(tmp), "%lld", (long long)r->clock.now);
        row[NFROM + 1].kind = CELL_INT;
        if ((row[NFROM + 1].s = grid_strdup(g, tmp)) == NULL)
            return -1;
        if (l->b.runs_out >= 0) {
            snprintf(tmp, sizeof(tmp), "%lld", (long long)l->b.runs_out);
            row[NFROM + 2].kind = CELL_INT;
            if ((row[NFROM + 2].s = grid_strdup(g, tmp)) == NULL)
                return -1;
        }
    }
    return 0;
}

/* "Budgets for the month 2026-11-01 to 2026-11-30, as of 2026-11-30
 * 01:51 UTC": the period's last day is the last day included. */
static const char *title(struct grid *g, const struct run *r)
{
    const struct budget_clock *c = &r->clock;
    char a[TU_RFC3339_LEN], b[TU_RFC3339_LEN], now[TU_RFC3339_LEN];
    char t[256];

    tu_format_date(c->start, a);
    tu_format_date(c->end - DAY_S, b);
    tu_format_rfc3339(c->now, now);
    now[16] = '\0'; /* YYYY-MM-DDTHH:MM */
    now[10] = ' ';
    if (c->end - c->start == DAY_S)
        snprintf(t, sizeof(t), "Budgets for the day %s, as of %s UTC", a, now);
    else
        snprintf(t, sizeof(t), "Budgets for the %s %s to %s, as of %s UTC",
                 budget_period_name((enum budget_period)r->s->cfg->period), a,
                 b, now);
    return grid_strdup(g, t);
}

static int render(struct run *r, struct ou_err *err)
{
    struct grid g;
    int rc;

    grid_init(&g, "oaiusage.budget");
    if (r->s->cfg->format == FMT_OPENMETRICS) {
        rc = metrics_grid(&g, r);
    } else {
        columns(&g, r->s->cfg->exact);
        meta(&g, r);
        g.title = title(&g, r);
        rc = 0;
        for (size_t i = 0; i < r->n && rc == 0; i++)
            rc = line_row(&g, r, &r->v[i]);
    }
    rc = rc != 0 ? ou_nomem(err) : session_deliver_grid(r->s, &g, err);
    grid_release(&g);
    return rc;
}

/* ---- notes and the outcome ---------------------------------------------- */

static void explain(const struct run *r)
{
    const struct budget_clock *c = &r->clock;
    char a[TU_RFC3339_LEN], b[TU_RFC3339_LEN], p[TU_RFC3339_LEN];
    bool provisional = false;
    /* Rate days still provisional: the API may revise them upwards. */
    int64_t first_prov = tu_floor_day(c->settled_end);
    int64_t nprov =
        first_prov < c->rate_end
            ? (c->rate_end -
               (first_prov > c->rate_start ? first_prov : c->rate_start)) /
                  DAY_S
            : 0;

    for (size_t i = 0; i < r->n; i++)
        provisional |= r->v[i].b.any_provisional;
    tu_format_date(c->rate_start, a);
    tu_format_date(c->rate_end - DAY_S, b);
    msg_note("budget: projected = spent + the mean daily spend of the %d "
             "complete days %s to %s (%lld of them still provisional), for "
             "the rest of the period",
             BUDGET_RATE_DAYS, a, b, (long long)nprov);
    if (provisional && r->s->cfg->format == FMT_TABLE) {
        tu_format_date(tu_floor_day(c->settled_end), p);
        msg_note("budget: * includes spend from %s on, which the API may "
                 "still revise (--settle)",
                 p);
    }
}

static int outcome(const struct run *r)
{
    enum budget_state worst = BS_OK;

    for (size_t i = 0; i < r->n; i++) {
        const struct line *l = &r->v[i];
        char pct[DEC_FMT_MAX], bud[DEC_FMT_MAX];
        if (l->b.state == BS_OK)
            continue;
        if (l->b.state > worst)
            worst = l->b.state;
        dec_format(&l->b.percent, pct, sizeof(pct));
        dec_format(&l->b.budget, bud, sizeof(bud));
        msg_warn("budget: %s%s%s%s at %s%% of %s %s: %s",
                 l->project_id != NULL ? "project " : "the organization",
                 l->project_id != NULL ? l->project_id : "",
                 l->project_name != NULL ? " " : "",
                 l->project_name != NULL ? l->project_name : "", pct, bud,
                 l->currency,
                 l->b.state == BS_OVER ? "over budget"
                 : l->b.warn_percent   ? "past the warning threshold"
                                       : "projected to reach the budget");
    }
    return worst == BS_OVER   ? OU_ALERT_OVER
           : worst == BS_WARN ? OU_ALERT_WARN
                              : 0;
}

int cmd_budget(struct session *s, struct ou_err *err)
{
    const struct config *cfg = s->cfg;
    struct budget_rules rules = { cfg->warn_at, cfg->warn_on_projection };
    struct run r;
    int rc;

    memset(&r, 0, sizeof(r));
    r.s = s;
    budget_clock_at((enum budget_period)cfg->period, s->now,
                    cfg->given[OPT_SETTLE] ? cfg->settle : OU_SETTLE_COSTS_S,
                    &r.clock);
    rc = gather(&r, err);
    if (rc == 0)
        rc = fetch_spend(&r, err);
    for (size_t i = 0; i < r.n && rc == 0; i++)
        rc = budget_finish(&r.v[i].b, &r.clock, &rules, err);
    if (rc == 0)
        rc = render(&r, err);
    if (rc == 0) {
        explain(&r);
        rc = outcome(&r);
    }
    budget_file_release(&r.file);
    limits_release(&r.lim);
    names_free(r.names);
    free(r.v);
    return rc;
}
