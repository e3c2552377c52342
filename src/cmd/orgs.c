/* orgs.c - one run over several organizations (--profile a,b and
 * --all-profiles; see cmds.h and orgs.h).
 *
 * The command line is parsed again for each profile (cli_parse_as): each
 * organization has its own config (base URL, key file, store, org label,
 * the profile's defaults). The settings that shape the report must agree
 * between them (a usage error names the one that does not); connection
 * settings may differ. Each organization then runs the ordinary command
 * in a thread of its own, with its own session (key, HTTP client,
 * scheduler, store), its grid collected instead of written; the grids are
 * merged (orgs_merge) and delivered once, in the chosen format.
 *
 * One organization failing fails the run: the others are called off (their
 * transfers end at once, their messages fall silent), nothing is written,
 * and the one error names the organization.
 *
 * sync: each organization into its own store (the profile's db), its rows
 * labelled by its org label. Profiles sharing one store sync one after the
 * other (the store's sync lock is one per file); two that would write the
 * same label into the same store are refused.
 */
#include "oaiusage/orgs.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/cmds.h"
#include "oaiusage/dec.h"
#include "oaiusage/fmt.h"
#include "oaiusage/http.h"
#include "oaiusage/json.h"
#include "oaiusage/msg.h"
#include "oaiusage/output.h"

/* ---- the merge ------------------------------------------------------------ */

/* The column of out named name (from index 1: 0 is org), or -1. */
static int col_named(const struct grid *g, const char *name)
{
    for (int k = 1; k < g->ncols; k++) {
        if (strcmp(g->cols[k].name, name) == 0)
            return k;
    }
    return -1;
}

/* out's columns: org, then every grid's columns by name, in order of
 * first appearance; map[i * GRID_MAX_COLS + k]: where column k of grid i
 * goes. */
static int merge_columns(struct grid *const *gs, int n, struct grid *out,
                         int *map, struct ou_err *err)
{
    out->ncols = 1;
    out->cols[0] = (struct grid_col){ "org", true, false, false,
                                      false, NULL, false };
    out->priority[0] = 1000; /* stays longest on a narrow terminal */
    out->header[0] = NULL;
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < gs[i]->ncols; k++) {
            int at = col_named(out, gs[i]->cols[k].name);
            if (at < 0) {
                if (out->ncols == GRID_MAX_COLS)
                    return ou_fail(err, OU_E_DATA, "too many columns");
                at = out->ncols++;
                out->cols[at] = gs[i]->cols[k];
                out->priority[at] = gs[i]->priority[k];
                out->header[at] = gs[i]->header[k];
            }
            map[(size_t)i * GRID_MAX_COLS + (size_t)k] = at;
        }
    }
    return 0;
}

/* Copy row from (of grid i) into a new row of out, under the org name. */
static int copy_row(struct grid *out, const struct grid *g, const int *map,
                    const struct cell *from, const char *name, bool total)
{
    struct cell *row = grid_add_row(out, total);

    if (row == NULL || grid_text(out, &row[0], name) != 0)
        return -1;
    for (int k = 1; total && k < out->ncols; k++)
        row[k].display = ""; /* a column this organization lacks */
    for (int k = 0; k < g->ncols; k++) {
        struct cell *c = &row[map[k]];
        *c = from[k];
        if ((from[k].s != NULL &&
             (c->s = grid_strdup(out, from[k].s)) == NULL) ||
            (from[k].display != NULL &&
             (c->display = grid_strdup(out, from[k].display)) == NULL))
            return -1;
    }
    return 0;
}

/* A column no grand total sums: a percentage (a comparison's change). */
static bool unsummed(const char *name)
{
    size_t n = strlen(name);

    return (n >= 3 && strcmp(name + n - 3, "pct") == 0) ||
           strstr(name, "percent") != NULL || strstr(name, "share") != NULL;
}

/* Do rows a and b (of out) agree on every text cell (a key of a grand
 * total)? Chart columns are not keys. */
static bool same_key(const struct grid *g, const struct cell *a,
                     const struct cell *b)
{
    for (int k = 1; k < g->ncols; k++) {
        if (g->cols[k].bar)
            continue;
        bool ta = a[k].kind == CELL_TEXT;
        bool tb = b[k].kind == CELL_TEXT;
        if (ta != tb || (ta && strcmp(a[k].s, b[k].s) != 0))
            return false;
    }
    return true;
}

/* One grand total: the key row's text, and the sums. */
struct gtotal {
    size_t key; /* a row of out with the group's text cells */
    struct dec sum[GRID_MAX_COLS];
    bool summed[GRID_MAX_COLS];
    bool money[GRID_MAX_COLS]; /* the table showed it as money */
};

static int add_to(struct gtotal *t, const struct grid *g, const struct cell *r,
                  struct ou_err *err)
{
    for (int k = 1; k < g->ncols; k++) {
        struct dec v;
        if ((r[k].kind != CELL_INT && r[k].kind != CELL_DEC) ||
            unsummed(g->cols[k].name))
            continue;
        if (dec_parse(r[k].s, strlen(r[k].s), &v) != DEC_OK)
            return ou_fail(err, OU_E_DATA, "%s: not a number: %s",
                           g->cols[k].name, r[k].s);
        if (!t->summed[k])
            t->sum[k] = DEC_ZERO;
        if (dec_add(&t->sum[k], &v) != DEC_OK)
            return ou_fail(err, OU_E_DATA,
                           "the total of %s across the organizations is "
                           "beyond the exact range",
                           g->cols[k].name);
        t->summed[k] = true;
        t->money[k] |= r[k].kind == CELL_DEC && r[k].display != NULL;
    }
    return 0;
}

/* The grand total row of t. */
static int gtotal_row(struct grid *out, const struct gtotal *t)
{
    struct cell *row = grid_add_row(out, true);
    const struct cell *key;
    int cur = col_named(out, "currency");
    char num[MONEY_FMT_MAX];

    if (row == NULL)
        return -1;
    key = &out->cells[t->key * (size_t)out->ncols];
    row[0].display = "TOTAL";
    for (int k = 1; k < out->ncols; k++) {
        struct cell *c = &row[k];
        c->display = "";
        if (key[k].kind == CELL_TEXT && !out->cols[k].bar) {
            if (grid_text(out, c, key[k].s) != 0)
                return -1;
            c->display = NULL;
        } else if (t->summed[k]) {
            c->kind = key[k].kind;
            dec_format(&t->sum[k], num, sizeof(num));
            if ((c->s = grid_strdup(out, num)) == NULL)
                return -1;
            c->display = NULL;
            if (t->money[k]) {
                money_format(&t->sum[k],
                             cur >= 0 && key[cur].kind == CELL_TEXT ? key[cur].s
                                                                    : NULL,
                             num, sizeof(num));
                if ((c->display = grid_strdup(out, num)) == NULL)
                    return -1;
            }
        }
    }
    return 0;
}

/* The grand totals of out's rows [from, to) (each organization's totals,
 * or its rows), one per key, in order of first appearance. */
static int grand_totals(struct grid *out, size_t from, size_t to,
                        struct ou_err *err)
{
    struct gtotal *t = calloc(to - from + 1, sizeof(*t));
    size_t nt = 0;
    int rc = 0;

    if (t == NULL)
        return ou_nomem(err);
    for (size_t r = from; r < to && rc == 0; r++) {
        const struct cell *row = &out->cells[r * (size_t)out->ncols];
        size_t j = 0;
        while (j < nt &&
               !same_key(out, &out->cells[t[j].key * (size_t)out->ncols], row))
            j++;
        if (j == nt)
            t[nt++].key = r;
        rc = add_to(&t[j], out, row, err);
    }
    for (size_t j = 0; j < nt && rc == 0; j++) {
        if (gtotal_row(out, &t[j]) != 0)
            rc = ou_nomem(err);
    }
    free(t);
    return rc;
}

/* The envelope: the first grid's, the window covering every one, and the
 * organizations; the title says which. */
static int merge_meta(struct grid *const *gs, const char *const *names, int n,
                      struct grid *out)
{
    const char **list;
    struct buf t;
    int rc = 0;

    for (int i = 0; i < out->nmeta; i++) {
        struct grid_meta *m = &out->meta[i];
        if (m->kind == META_LIST && m->list >= gs[0]->lists &&
            m->list < gs[0]->lists + GRID_MAX_COLS)
            m->list = out->lists + (m->list - gs[0]->lists);
        for (int j = 1; j < n && m->kind == META_TIME; j++) {
            for (int k = 0; k < gs[j]->nmeta; k++) {
                const struct grid_meta *o = &gs[j]->meta[k];
                if (o->kind != META_TIME || strcmp(o->key, m->key) != 0)
                    continue;
                if ((strcmp(m->key, "start_time") == 0 && o->t < m->t) ||
                    (strcmp(m->key, "end_time") == 0 && o->t > m->t))
                    m->t = o->t;
            }
        }
    }
    list = arena_alloc(&out->strings, sizeof(*list) * (size_t)n);
    if (list == NULL)
        return -1;
    for (int i = 0; i < n; i++)
        if ((list[i] = grid_strdup(out, names[i])) == NULL)
            return -1;
    grid_add_meta(out, &(struct grid_meta){ "organizations", META_LIST, NULL, 0,
                                            false, list, n });
    if (gs[0]->title == NULL)
        return 0;
    buf_init(&t, 0);
    rc |= buf_printf(&t, "%s; organizations ", gs[0]->title);
    for (int i = 0; i < n; i++)
        rc |= buf_printf(&t, "%s%s", i > 0 ? ", " : "", names[i]);
    if (rc == 0 && (out->title = grid_strdup(out, t.data)) == NULL)
        rc = -1;
    buf_release(&t);
    return rc;
}

/* out: gs[0] without its cells and strings (its flags, metadata). */
static void merge_init(const struct grid *first, struct grid *out)
{
    *out = *first;
    out->title = NULL;
    out->cells = NULL;
    out->nrows = 0;
    out->ntotals = 0;
    out->cap = 0;
    out->fit = NULL;
    memset(&out->strings, 0, sizeof(out->strings));
    memset(out->cols, 0, sizeof(out->cols));
    memset(out->priority, 0, sizeof(out->priority));
    memset(out->header, 0, sizeof(out->header));
    out->ncols = 0;
}

int orgs_merge(struct grid *const *gs, const char *const *names, int n,
               enum orgs_totals totals, struct grid *out, struct ou_err *err)
{
    int *map = calloc((size_t)n * GRID_MAX_COLS, sizeof(*map));
    size_t from;
    int rc;

    merge_init(gs[0], out);
    if (map == NULL)
        return ou_nomem(err);
    rc = merge_columns(gs, n, out, map, err);
    for (int i = 0; i < n && rc == 0; i++) {
        for (size_t r = 0; r < gs[i]->nrows && rc == 0; r++)
            if (copy_row(out, gs[i], &map[(size_t)i * GRID_MAX_COLS],
                         &gs[i]->cells[r * (size_t)gs[i]->ncols], names[i],
                         false) != 0)
                rc = ou_nomem(err);
    }
    from = out->nrows;
    for (int i = 0; i < n && rc == 0 && totals == ORGS_TOTALS_TOTAL; i++) {
        for (size_t r = 0; r < gs[i]->ntotals && rc == 0; r++)
            if (copy_row(
                    out, gs[i], &map[(size_t)i * GRID_MAX_COLS],
                    &gs[i]->cells[(gs[i]->nrows + r) * (size_t)gs[i]->ncols],
                    names[i], true) != 0)
                rc = ou_nomem(err);
    }
    if (rc == 0 && totals == ORGS_TOTALS_ROWS)
        from = 0;
    if (rc == 0 && totals != ORGS_TOTALS_NONE)
        rc = grand_totals(out, from, out->nrows + out->ntotals, err);
    if (rc == 0 && merge_meta(gs, names, n, out) != 0)
        rc = ou_nomem(err);
    free(map);
    return rc;
}

/* ---- the run ---------------------------------------------------------------- */

struct org {
    const char *profile;
    char *name; /* the org column's: its org label, else the profile */
    struct config cfg;
    struct grid grid; /* its report, collected */
    int rc;
    struct ou_err err;
    int thread;             /* the thread that runs it (sync: one per store) */
    struct grid_book *book; /* an overview workbook's endpoint sheets */
};

struct run {
    struct org *orgs;
    int n;
    int64_t now;
    atomic_int cancel; /* an organization failed: call the others off */
    pthread_mutex_t lock;
    int failed;               /* the first organization that failed, or -1 */
    struct progress_sum *sum; /* one progress line for all (or NULL) */
};

/* Each profile's own config: argv parsed again with it alone. */
static int parse_orgs(const struct config *cfg, int argc, char **argv,
                      int64_t now, struct org *orgs, struct ou_err *err)
{
    for (int i = 0; i < cfg->profiles.n; i++) {
        struct org *o = &orgs[i];
        int rc = cli_parse_as(argc, argv, now, cfg->profiles.v[i], &o->cfg,
                              err);
        if (rc != CLI_OK) {
            char why[OU_ERR_MSG_MAX];
            snprintf(why, sizeof(why), "%s", err->msg);
            return ou_fail(err, rc > 0 ? (enum ou_status)rc : OU_E_USAGE,
                           "profile %s: %s", o->profile, why);
        }
        o->cfg.start_ms = cfg->start_ms;
    }
    return 0;
}

/* The org column's names: labels, else profiles; a name two profiles
 * share gets its profile's name too. */
static int name_orgs(struct org *orgs, int n, struct ou_err *err)
{
    for (int i = 0; i < n; i++) {
        const char *label = orgs[i].cfg.org_label != NULL
                                ? orgs[i].cfg.org_label
                                : orgs[i].profile;
        bool shared = false;
        for (int j = 0; j < n; j++) {
            const char *other = orgs[j].cfg.org_label != NULL
                                    ? orgs[j].cfg.org_label
                                    : orgs[j].profile;
            shared |= j != i && strcmp(label, other) == 0;
        }
        size_t len = strlen(label) + strlen(orgs[i].profile) + 4;
        if ((orgs[i].name = malloc(len)) == NULL)
            return ou_nomem(err);
        if (shared && strcmp(label, orgs[i].profile) != 0)
            snprintf(orgs[i].name, len, "%s/%s", label, orgs[i].profile);
        else
            snprintf(orgs[i].name, len, "%s", label);
    }
    return 0;
}

/* Settings that may differ between the organizations of one run: where
 * and how to connect, and (sync) what each store keeps. */
static bool may_differ(enum opt_id id, bool sync)
{
    static const enum opt_id conn[] = {
        OPT_BASE_URL,      OPT_KEY_FILE,    OPT_CACERT,
        OPT_TIMEOUT,       OPT_DB,          OPT_RETRIES,
        OPT_DEADLINE,      OPT_CONCURRENCY, OPT_INSECURE,
        OPT_LOCK_TIMEOUT,  OPT_PROFILE,     OPT_ALL_PROFILES,
        OPT_REFRESH_NAMES, OPT_HELP,        OPT_VERSION
    };
    static const enum opt_id store[] = { OPT_SINCE, OPT_DAYS, OPT_BUCKET,
                                         OPT_ENDPOINT, OPT_SETTLE };

    for (size_t i = 0; i < sizeof(conn) / sizeof(*conn); i++)
        if (conn[i] == id)
            return true;
    for (size_t i = 0; sync && i < sizeof(store) / sizeof(*store); i++)
        if (store[i] == id)
            return true;
    return false;
}

/* What a profile sets an option to ("7, in [profile b]"), or "not set". */
static void value_text(const struct config *cfg, enum opt_id id, char *out,
                       size_t size)
{
    const struct profile_entry *e = cfg->src_entry[id];

    if (cfg->src[id] == SRC_PROFILE && e != NULL)
        snprintf(out, size, "%s, in [%s%s]", e->value,
                 strcmp(e->section, "default") == 0 ? "" : "profile ",
                 e->section);
    else
        snprintf(out, size, "not set");
}

static const char *profile_value(const struct config *cfg, enum opt_id id)
{
    return cfg->src[id] == SRC_PROFILE && cfg->src_entry[id] != NULL
               ? cfg->src_entry[id]->value
               : NULL;
}

static int disagree(const struct org *a, const struct org *b, const char *what,
                    const char *va, const char *vb, struct ou_err *err)
{
    return ou_fail(err, OU_E_USAGE,
                   "the profiles %s and %s disagree on %s (%s: %s; %s: %s): "
                   "one report over several organizations needs one value: "
                   "give it on the command line, or the same in every profile",
                   a->profile, b->profile, what, a->profile, va, b->profile,
                   vb);
}

static bool same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) ||
           (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* The resolved settings that shape the report, beyond the profiles'
 * text: the window, the zone, grouping, periods, format. */
static const char *resolved_differs(const struct config *a,
                                    const struct config *b, bool sync)
{
    if (!same_str(a->tz, b->tz))
        return "--tz";
    if (a->format != b->format)
        return "--format";
    if (sync)
        return NULL;
    if (a->since != b->since || a->until != b->until ||
        a->until_sent != b->until_sent)
        return "the window (--since, --until, --days, --month)";
    if (a->per != b->per)
        return "--per";
    if (a->ngroup != b->ngroup ||
        memcmp(a->group, b->group, sizeof(a->group)) != 0)
        return "--group-by";
    return NULL;
}

/* Every setting that shapes the report agrees between the profiles. */
static int check_agree(const struct org *orgs, int n, bool sync,
                       struct ou_err *err)
{
    char va[256];
    char vb[256];

    for (int i = 1; i < n; i++) {
        const struct org *a = &orgs[0];
        const struct org *b = &orgs[i];
        for (int id = 0; id < OPT_COUNT; id++) {
            if (may_differ((enum opt_id)id, sync) ||
                same_str(profile_value(&a->cfg, (enum opt_id)id),
                         profile_value(&b->cfg, (enum opt_id)id)))
                continue;
            char what[64];
            snprintf(what, sizeof(what), "--%s",
                     opt_get((enum opt_id)id)->name);
            value_text(&a->cfg, (enum opt_id)id, va, sizeof(va));
            value_text(&b->cfg, (enum opt_id)id, vb, sizeof(vb));
            return disagree(a, b, what, va, vb, err);
        }
        const char *what = resolved_differs(&a->cfg, &b->cfg, sync);
        if (what != NULL)
            return disagree(a, b, what, "one value", "another", err);
    }
    return 0;
}

/* ---- sync: one store each, or one after the other ---------------------------- */

/* The store a sync writes, as a comparable path (owned). */
static char *store_of(const struct config *cfg)
{
    char *db = cfg->db != NULL ? strdup(cfg->db) : store_default_db();
    char *real = db != NULL ? realpath(db, NULL) : NULL;

    if (real == NULL)
        return db; /* not made yet: as written */
    free(db);
    return real;
}

/* Which thread syncs each organization: profiles sharing a store share a
 * thread and sync one after the other (one sync lock per store); the
 * same label in the same store is refused (their rows would mix). */
static int sync_threads(struct org *orgs, int n, struct ou_err *err)
{
    char **db = calloc((size_t)n, sizeof(*db));
    int rc = 0;

    if (db == NULL)
        return ou_nomem(err);
    for (int i = 0; i < n && rc == 0; i++) {
        const char *li = orgs[i].cfg.org_label != NULL ? orgs[i].cfg.org_label
                                                       : STORE_DEFAULT_ORG;
        orgs[i].thread = i;
        if ((db[i] = store_of(&orgs[i].cfg)) == NULL)
            rc = ou_nomem(err);
        for (int j = 0; j < i && rc == 0; j++) {
            const char *lj = orgs[j].cfg.org_label != NULL
                                 ? orgs[j].cfg.org_label
                                 : STORE_DEFAULT_ORG;
            if (strcmp(db[i], db[j]) != 0)
                continue;
            if (strcmp(li, lj) == 0)
                rc = ou_fail(err, OU_E_USAGE,
                             "the profiles %s and %s would both sync into %s "
                             "as organization '%s': their rows would mix; "
                             "give each profile its own org (or db)",
                             orgs[j].profile, orgs[i].profile, db[i], li);
            orgs[i].thread = orgs[j].thread;
            break;
        }
    }
    for (int i = 0; i < n; i++)
        free(db[i]);
    free(db);
    return rc;
}

/* ---- threads ------------------------------------------------------------------ */

struct worker {
    struct run *run;
    int thread;
    pthread_t tid;
    bool started;
};

static void failed(struct run *run, int i)
{
    pthread_mutex_lock(&run->lock);
    if (run->failed < 0) {
        run->failed = i;
        atomic_store(&run->cancel, 1);
    }
    pthread_mutex_unlock(&run->lock);
}

/* The organizations of one thread, in profile order. */
static void *work(void *arg)
{
    const struct worker *w = arg;
    struct run *run = w->run;

    for (int i = 0; i < run->n; i++) {
        struct org *o = &run->orgs[i];
        struct session_link link = { o->name, &run->cancel, &o->grid, run->sum,
                                     i,       o->book };
        if (o->thread != w->thread)
            continue;
        if (atomic_load(&run->cancel) != 0) {
            o->rc = OU_E_API; /* called off before it started */
            continue;
        }
        msg_set_context(o->name, &run->cancel);
        o->rc = command_run_linked(&o->cfg, run->now, &link, &o->err);
        if (o->rc != 0 && !OU_IS_ALERT(o->rc))
            failed(run, i);
    }
    msg_set_context(NULL, NULL);
    json_release();
    return NULL;
}

/* The pages of n organizations, all none yet; NULL without memory (each
 * then draws its own line). */
static struct progress_sum *sum_new(int n)
{
    struct progress_sum *sum = malloc(sizeof(*sum));

    if (sum == NULL)
        return NULL;
    sum->n = n;
    sum->done = malloc((size_t)n * sizeof(*sum->done));
    sum->queued = malloc((size_t)n * sizeof(*sum->queued));
    if (sum->done == NULL || sum->queued == NULL) {
        free(sum->done);
        free(sum->queued);
        free(sum);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        atomic_init(&sum->done[i], 0);
        atomic_init(&sum->queued[i], 0);
    }
    return sum;
}

static void sum_free(struct progress_sum *sum)
{
    if (sum != NULL) {
        free(sum->done);
        free(sum->queued);
        free(sum);
    }
}

/* Every organization at once: a thread per store (per organization but
 * for a shared sync store). A thread that cannot start runs here. */
static void run_all(struct run *run)
{
    struct worker *w = calloc((size_t)run->n, sizeof(*w));

    if (w == NULL) {
        struct worker one = { run, 0, 0, false };
        for (int i = 0; i < run->n; i++) {
            one.thread = i;
            work(&one);
        }
        return;
    }
    for (int t = 0; t < run->n; t++) {
        bool used = false;
        for (int i = 0; i < run->n; i++)
            used |= run->orgs[i].thread == t;
        w[t] = (struct worker){ run, t, 0, false };
        if (used)
            w[t].started = pthread_create(&w[t].tid, NULL, work, &w[t]) == 0;
        if (used && !w[t].started)
            work(&w[t]);
    }
    for (int t = 0; t < run->n; t++) {
        if (w[t].started)
            pthread_join(w[t].tid, NULL);
    }
    free(w);
}

/* ---- the outcome ------------------------------------------------------------------ */

/* An overview workbook over n >= 1 organizations: the merged overview
 * (ov), then each endpoint's sheet merged over the organizations, their
 * days under an org column. */
static int deliver_book(struct session *s, struct org *orgs, int n,
                        struct grid *ov, struct ou_err *err)
{
    const struct grid_book *b0 = n > 0 ? orgs[0].book : NULL;
    struct grid merged[CMD_MAX_QUERIES];
    struct xlsx_sheet sheets[CMD_MAX_QUERIES + 1];
    struct grid **gs;
    const char **names;
    int built = 0;
    int rc = 0;

    if (b0 == NULL) /* none: nothing to merge (orgs_run has two or more) */
        return ou_fail(err, OU_E_DATA, "an overview of no organization");
    gs = calloc((size_t)n, sizeof(*gs));
    names = calloc((size_t)n, sizeof(*names));
    if (gs == NULL || names == NULL) {
        free(gs);
        free(names);
        return ou_nomem(err);
    }
    for (int i = 1; i < n && rc == 0; i++) {
        if (orgs[i].book->n != b0->n)
            rc = ou_fail(err, OU_E_DATA,
                         "the organizations' workbooks differ in sheets");
    }
    sheets[0] = (struct xlsx_sheet){ ov, "overview" };
    for (; rc == 0 && built < b0->n; built++) {
        for (int i = 0; i < n; i++) {
            gs[i] = &orgs[i].book->sheets[built];
            names[i] = orgs[i].name;
        }
        rc = orgs_merge(gs, names, n, ORGS_TOTALS_NONE, &merged[built], err);
        sheets[built + 1] = (struct xlsx_sheet){ &merged[built],
                                                 b0->names[built] };
    }
    if (rc == 0)
        rc = session_deliver_book(s, sheets, b0->n + 1, err);
    for (int k = 0; k < built; k++)
        grid_release(&merged[k]);
    free(gs);
    free(names);
    return rc;
}

/* The merged report, in the chosen format, to -o FILE or stdout. */
static int deliver(const struct config *cfg, struct org *orgs, int n,
                   int64_t now, struct ou_err *err)
{
    struct grid **gs = calloc((size_t)n, sizeof(*gs));
    const char **names = calloc((size_t)n, sizeof(*names));
    enum orgs_totals totals = cfg->cmd->kind == CK_USAGE ? ORGS_TOTALS_TOTAL
                              : cfg->cmd->kind == CK_OVERVIEW
                                  ? ORGS_TOTALS_ROWS
                                  : ORGS_TOTALS_NONE;
    struct grid merged;
    struct session s;
    int ngrids = 0;
    int rc = 0;

    if (gs == NULL || names == NULL)
        rc = ou_nomem(err);
    for (int i = 0; i < n && rc == 0; i++) {
        gs[i] = &orgs[i].grid;
        names[i] = orgs[i].name;
        ngrids += orgs[i].grid.ncols > 0;
    }
    if (rc == 0 && ngrids > 0 && ngrids < n)
        rc = ou_fail(err, OU_E_DATA, "an organization made no report");
    if (rc == 0 && ngrids == n) {
        rc = orgs_merge(gs, names, n, totals, &merged, err);
        memset(&s, 0, sizeof(s));
        s.cfg = cfg;
        s.now = now;
        if (rc == 0)
            rc = orgs[0].book != NULL ? deliver_book(&s, orgs, n, &merged, err)
                                      : session_deliver_grid(&s, &merged, err);
        grid_release(&merged);
    }
    free(gs);
    free(names);
    return rc;
}

/* --dry-run: each organization's requests, one after the other. */
static int dry_runs(struct org *orgs, int n, int64_t now, struct ou_err *err)
{
    int rc = 0;

    for (int i = 0; i < n && rc == 0; i++) {
        char head[512];
        int len = snprintf(head, sizeof(head),
                           "# organization %s (profile %s)\n", orgs[i].name,
                           orgs[i].profile);
        rc = http_check_base_url(orgs[i].cfg.base_url,
                                 orgs[i].cfg.allow_insecure_http, err);
        if (rc == 0)
            rc = output_write(NULL, head, (size_t)len, err);
        if (rc == 0)
            rc = dry_run(&orgs[i].cfg, now, err);
    }
    return rc;
}

/* The failure of organization o, named. */
static int org_failure(const struct org *o, struct ou_err *err)
{
    if (strcmp(o->name, o->profile) == 0)
        return ou_fail(err, o->err.cat, "organization %s: %s", o->name,
                       o->err.msg);
    return ou_fail(err, o->err.cat, "organization %s (profile %s): %s", o->name,
                   o->profile, o->err.msg);
}

static int prepare(const struct config *cfg, int argc, char **argv, int64_t now,
                   struct org *orgs, struct ou_err *err)
{
    bool sync = cfg->cmd->kind == CK_SYNC;
    int n = cfg->profiles.n;
    int rc;

    if (cfg->format == FMT_SVG)
        return ou_fail(err, OU_E_USAGE,
                       "--format svg draws one organization: a report over "
                       "several profiles is a table, csv, json, ndjson, xlsx "
                       "or openmetrics (its org column first)");
    rc = parse_orgs(cfg, argc, argv, now, orgs, err);
    if (rc == 0)
        rc = name_orgs(orgs, n, err);
    if (rc == 0)
        rc = check_agree(orgs, n, sync, err);
    for (int i = 0; i < n && rc == 0; i++) {
        orgs[i].thread = i;
        /* Each one's report is made as a table's grid, and collected. */
        orgs[i].cfg.format = FMT_TABLE;
    }
    if (rc == 0 && sync && !cfg->status)
        rc = sync_threads(orgs, n, err);
    return rc;
}

int orgs_run(const struct config *cfg, int argc, char **argv, int64_t now,
             struct ou_err *err)
{
    int n = cfg->profiles.n;
    struct org *orgs = calloc((size_t)n, sizeof(*orgs));
    struct run run;
    int rc_book = 0;
    int rc;

    if (orgs == NULL)
        return ou_nomem(err);
    if (cfg->pfile.others_read)
        msg_warn("the config file %s can be read by others: chmod go-r it",
                 cfg->pfile.path);
    for (int i = 0; i < n; i++) {
        orgs[i].profile = cfg->profiles.v[i];
        config_init(&orgs[i].cfg);
        grid_init(&orgs[i].grid, NULL);
        /* An overview workbook: each one's endpoint sheets too. */
        if (cfg->cmd->kind == CK_OVERVIEW && cfg->format == FMT_XLSX &&
            rc_book == 0) {
            orgs[i].book = calloc(1, sizeof(*orgs[i].book));
            rc_book = orgs[i].book == NULL ? ou_nomem(err) : 0;
        }
    }
    rc = rc_book != 0 ? rc_book : prepare(cfg, argc, argv, now, orgs, err);
    if (rc == 0 && cfg->dry_run) {
        rc = dry_runs(orgs, n, now, err);
    } else if (rc == 0) {
        run.orgs = orgs;
        run.n = n;
        run.now = now;
        run.failed = -1;
        atomic_init(&run.cancel, 0);
        pthread_mutex_init(&run.lock, NULL);
        run.sum = sum_new(n);
        run_all(&run);
        sum_free(run.sum);
        rc = run.failed >= 0 ? org_failure(&orgs[run.failed], err)
                             : deliver(cfg, orgs, n, now, err);
        pthread_mutex_destroy(&run.lock);
    }
    for (int i = 0; i < n; i++) {
        grid_release(&orgs[i].grid);
        config_release(&orgs[i].cfg);
        free(orgs[i].name);
        for (int k = 0; orgs[i].book != NULL && k < orgs[i].book->n; k++)
            grid_release(&orgs[i].book->sheets[k]);
        free(orgs[i].book);
    }
    free(orgs);
    return rc;
}
