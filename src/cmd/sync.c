/* sync.c - oaiusage sync: keep the history store current (see cmds.h and
 * store.h).
 *
 * For each endpoint (and width) the spans to fetch are worked out from
 * what the store holds: what was never fetched (a first sync's backfill,
 * a gap a killed sync left, an earlier --since) and what may still be
 * revised (buckets that ended less than the settle window ago, and the
 * provisional current bucket). Each span is fetched grouped by every
 * group field the endpoint has; each page is committed as it arrives, with
 * its coverage, so a sync that dies resumes where it stopped. Costs come
 * first, alone, because the API refuses some of their groupings
 * (refusal.h): the api_key_id floor splits the spans, and a refused
 * user_id with project_id leaves user_id out. Then every usage endpoint at
 * once, then the organization's lists.
 */
#include "oaiusage/cmds.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/msg.h"
#include "oaiusage/refusal.h"

#define SYNC_DEFAULT_DAYS 90
#define DAY_S 86400LL
#define SETTLE_USAGE DAY_S
#define SETTLE_COSTS (3 * DAY_S)
#define SYNC_ATTEMPTS 3

struct span {
    int64_t start;
    int64_t end;
    bool open; /* ends at the API's now: no end_time */
};

/* One endpoint at one width. */
struct job {
    const struct endpoint *ep;
    enum bucket_width w;
    int64_t since;  /* where the store's history starts */
    int64_t settle; /* re-fetch what ended less than this ago */
    int64_t floor;  /* costs: api_key_id from here on (0: no floor) */
    bool no_user;   /* costs: user_id refused (with project_id) */
    struct span *spans;
    int nspans;
    int64_t buckets; /* stored by this run */
    int64_t provisional;
};

/* One query of a job, and the page being received. */
struct stream {
    struct session *s;
    struct job *job;
    struct query q;
    char dims[160];
    struct store_bucket *b;
    int nb;
    int capb;
    struct record *r;
    int *rb;
    int nr;
    int capr;
    char **strs; /* copies of the records' strings */
    int ns;
    int caps;
};

/* ---- the page buffer ------------------------------------------------------------ */

static const char *keep(struct stream *st, const char *s, struct ou_err *err)
{
    char *c;

    if (s == NULL)
        return NULL;
    if (st->ns == st->caps) {
        int cap = st->caps ? st->caps * 2 : 256;
        char **nv = realloc(st->strs, sizeof(*nv) * (size_t)cap);
        if (nv == NULL) {
            ou_nomem(err);
            return NULL;
        }
        st->strs = nv;
        st->caps = cap;
    }
    if ((c = strdup(s)) == NULL) {
        ou_nomem(err);
        return NULL;
    }
    st->strs[st->ns++] = c;
    return c;
}

static void page_reset(struct stream *st)
{
    for (int i = 0; i < st->ns; i++)
        free(st->strs[i]);
    st->ns = 0;
    st->nb = 0;
    st->nr = 0;
}

static void stream_release(struct stream *st)
{
    page_reset(st);
    free(st->strs);
    free(st->b);
    free(st->r);
    free(st->rb);
}

static int on_bucket(void *ctx, int sub, int64_t start, int64_t end,
                     struct ou_err *err)
{
    struct stream *st = ctx;
    int64_t w = bucket_width_seconds(st->job->w);

    (void)sub;
    if (st->nb == st->capb) {
        int cap = st->capb ? st->capb * 2 : 64;
        struct store_bucket *nv = realloc(st->b, sizeof(*nv) * (size_t)cap);
        if (nv == NULL)
            return ou_nomem(err);
        st->b = nv;
        st->capb = cap;
    }
    /* Provisional: the bucket is not over (truncated at the API's now) or
     * ended inside the settle window: the next sync fetches it again. */
    st->b[st->nb++] = (struct store_bucket){
        start, end, end - start < w || end > st->s->now - st->job->settle
    };
    return 0;
}

static int on_record(void *ctx, int sub, const struct record *rec,
                     struct ou_err *err)
{
    struct stream *st = ctx;
    const struct endpoint *ep = st->job->ep;
    struct record *r;

    (void)sub;
    if (st->nb == 0)
        return ou_fail(err, OU_E_DATA, "a result outside any bucket");
    if (st->nr == st->capr) {
        int cap = st->capr ? st->capr * 2 : 256;
        struct record *nr = realloc(st->r, sizeof(*nr) * (size_t)cap);
        int *nb = realloc(st->rb, sizeof(*nb) * (size_t)cap);
        if (nr != NULL)
            st->r = nr;
        if (nb != NULL)
            st->rb = nb;
        if (nr == NULL || nb == NULL)
            return ou_nomem(err);
        st->capr = cap;
    }
    r = &st->r[st->nr];
    *r = *rec;
    for (int g = 0; g < ep->ngroups; g++) {
        if ((rec->group[g] != NULL &&
             (r->group[g] = keep(st, rec->group[g], err)) == NULL) ||
            (rec->hint[g] != NULL &&
             (r->hint[g] = keep(st, rec->hint[g], err)) == NULL))
            return (int)err->cat;
    }
    for (int m = 0; m < ep->nmetrics; m++) {
        if (rec->text[m] != NULL &&
            (r->text[m] = keep(st, rec->text[m], err)) == NULL)
            return (int)err->cat;
    }
    st->rb[st->nr++] = st->nb - 1;
    return 0;
}

/* A whole page: stored in one transaction. */
static int on_page(void *ctx, int sub, struct ou_err *err)
{
    struct stream *st = ctx;
    struct store_page p = { st->job->ep, st->job->w, st->dims,
                            st->s->now,  st->b,      st->nb,
                            st->r,       st->rb,     st->nr };
    int rc;

    (void)sub;
    rc = store_put_page(st->s->store, st->s->org, &p, err);
    for (int i = 0; rc == 0 && i < st->nb; i++) {
        st->job->buckets++;
        st->job->provisional += st->b[i].provisional;
    }
    page_reset(st);
    return rc;
}

/* ---- what to fetch --------------------------------------------------------------- */

static int add_span(struct job *j, int64_t start, int64_t end, bool open)
{
    if (j->nspans > 0 && j->spans[j->nspans - 1].end == start &&
        !j->spans[j->nspans - 1].open) {
        j->spans[j->nspans - 1].end = end;
        j->spans[j->nspans - 1].open = open;
        return 0;
    }
    struct span *nv = realloc(j->spans, sizeof(*nv) * (size_t)(j->nspans + 1));
    if (nv == NULL)
        return -1;
    j->spans = nv;
    j->spans[j->nspans++] = (struct span){ start, end, open };
    return 0;
}

/* The spans of j: every bucket from j->since to now that the store lacks
 * or that may still change. */
static int plan_job(struct session *s, struct job *j, struct ou_err *err)
{
    struct store_cov *cov = NULL;
    int n = 0;
    int64_t t = j->since;
    int rc;

    free(j->spans);
    j->spans = NULL;
    j->nspans = 0;
    rc = store_coverage(s->store, s->org, j->ep, j->w, j->since, INT64_MAX,
                        &cov, &n, err);
    for (int i = 0; rc == 0 && i < n; i++) {
        const struct store_cov *c = &cov[i];
        bool settled = !c->provisional && c->end <= s->now - j->settle;
        if (c->start > t && add_span(j, t, c->start, false) != 0)
            rc = ou_nomem(err);
        if (rc == 0 && !settled && add_span(j, c->start, c->end, false) != 0)
            rc = ou_nomem(err);
        t = c->end > t ? c->end : t;
    }
    /* Up to the API's own now (no end_time: the last bucket is cut
     * there). */
    if (rc == 0 && t < s->now && add_span(j, t, s->now, true) != 0)
        rc = ou_nomem(err);
    if (rc == 0 && j->nspans > 0 && !j->spans[j->nspans - 1].open &&
        j->spans[j->nspans - 1].end >= s->now - j->settle)
        j->spans[j->nspans - 1].open = true;
    free(cov);
    return rc;
}

/* The group fields a job asks for, as query indices and a dims list. */
static void job_groups(const struct job *j, bool with_key, struct query *q,
                       char *dims, size_t size)
{
    const struct endpoint *ep = j->ep;
    size_t n = 0;

    q->ngroup = 0;
    dims[0] = '\0';
    for (int g = 0; g < ep->ngroups; g++) {
        const char *name = ep->groups[g].name;
        if (ep->groups[g].derived != DG_NONE ||
            (!with_key && strcmp(name, "api_key_id") == 0) ||
            (j->no_user && strcmp(name, "user_id") == 0))
            continue;
        q->group[q->ngroup++] = g;
        n += (size_t)snprintf(dims + n, size - n, "%s%s", n ? "," : "", name);
        if (n >= size)
            n = size - 1;
    }
}

static void job_query(const struct job *j, int64_t start, int64_t end,
                      bool open, bool with_key, struct query *q, char *dims,
                      size_t size)
{
    memset(q, 0, sizeof(*q));
    q->ep = j->ep;
    q->width = j->w;
    q->start_time = start;
    q->end_time = open ? -1 : end;
    q->limit = j->ep->limit_max[j->w];
    job_groups(j, with_key, q, dims, size);
}

/* The streams of the jobs' spans (a span across the api_key_id floor is
 * two: before it without api_key_id). */
static int make_streams(struct session *s, struct job *jobs, int njobs,
                        struct stream **out, int *nout, struct ou_err *err)
{
    struct stream *v = NULL;
    int n = 0;

    for (int k = 0; k < njobs; k++) {
        struct job *j = &jobs[k];
        for (int i = 0; i < j->nspans; i++) {
            const struct span *sp = &j->spans[i];
            int64_t cut = j->floor > sp->start && j->floor < sp->end ? j->floor
                                                                     : -1;
            bool before = j->floor > 0 && sp->start < j->floor;
            struct stream *nv = realloc(v, sizeof(*nv) * (size_t)(n + 2));
            if (nv == NULL) {
                free(v);
                return ou_nomem(err);
            }
            v = nv;
            if (cut > 0) {
                memset(&v[n], 0, sizeof(v[n]));
                v[n].s = s;
                v[n].job = j;
                job_query(j, sp->start, cut, false, false, &v[n].q, v[n].dims,
                          sizeof(v[n].dims));
                n++;
                memset(&v[n], 0, sizeof(v[n]));
                v[n].s = s;
                v[n].job = j;
                job_query(j, cut, sp->end, sp->open, true, &v[n].q, v[n].dims,
                          sizeof(v[n].dims));
                n++;
            } else {
                memset(&v[n], 0, sizeof(v[n]));
                v[n].s = s;
                v[n].job = j;
                job_query(j, sp->start, sp->end, sp->open, !before, &v[n].q,
                          v[n].dims, sizeof(v[n].dims));
                n++;
            }
        }
    }
    *out = v;
    *nout = n;
    return 0;
}

/* Fetch the jobs' spans, every page into the store. */
static int fetch_jobs(struct session *s, struct job *jobs, int njobs,
                      struct ou_err *err)
{
    struct stream *st = NULL;
    struct fetch_sink *sinks = NULL;
    struct fetch_stream *fss = NULL;
    int n = 0;
    int rc = 0;

    for (int k = 0; k < njobs && rc == 0; k++)
        rc = plan_job(s, &jobs[k], err);
    if (rc == 0)
        rc = make_streams(s, jobs, njobs, &st, &n, err);
    if (rc != 0 || n == 0) {
        free(st);
        return rc;
    }
    sinks = calloc((size_t)n, sizeof(*sinks));
    fss = calloc((size_t)n, sizeof(*fss));
    if (sinks == NULL || fss == NULL) {
        rc = ou_nomem(err);
    } else {
        for (int i = 0; i < n; i++) {
            sinks[i] = (struct fetch_sink){
                NULL, on_bucket, on_record, NULL, &st[i], on_page, NULL, NULL
            };
            fss[i] =
                (struct fetch_stream){ &st[i].q, &sinks[i], { 0, 0, -1, -1 } };
        }
        rc = fetch_streams(&s->env, fss, n, err);
    }
    for (int i = 0; i < n; i++)
        stream_release(&st[i]);
    free(st);
    free(sinks);
    free(fss);
    return rc;
}

/* ---- costs, and the API's refusals ------------------------------------------------- */

static int sync_costs(struct session *s, struct job *j, struct ou_err *err)
{
    int rc = OU_E_API;

    for (int attempt = 0; attempt < SYNC_ATTEMPTS; attempt++) {
        struct query whole;
        char dims[160];
        int64_t floor;

        rc = fetch_jobs(s, j, 1, err);
        if (rc != OU_E_API)
            return rc;
        job_query(j, j->since, s->now, true, true, &whole, dims, sizeof(dims));
        if (!j->no_user && refusal_user_project(&s->failed, &whole)) {
            msg_warn("costs: the API refuses user_id with project_id for "
                     "this organization; costs are stored without user_id");
            j->no_user = true;
            continue;
        }
        floor = refusal_key_floor(&s->failed, &whole);
        if (floor > 0 && floor != j->floor) {
            char at[TU_RFC3339_LEN];
            tu_format_rfc3339(floor, at);
            msg_note("note: costs: the API has api_key_id only from %s on; "
                     "earlier days are stored without it",
                     at);
            j->floor = floor;
            continue;
        }
        return rc;
    }
    return rc;
}

/* ---- --status -------------------------------------------------------------------- */

static int status_row(struct grid *g, const struct endpoint *ep,
                      enum bucket_width w, const struct store_cov *cov, int a,
                      int b, int64_t gap, int64_t rows, int64_t last)
{
    struct cell *row = grid_add_row(g, false);
    char num[3][24];
    int64_t prov = -1;

    if (row == NULL)
        return -1;
    for (int i = a; i < b && prov < 0; i++)
        prov = cov[i].provisional ? cov[i].start : -1;
    snprintf(num[0], sizeof(num[0]), "%d", b - a);
    snprintf(num[1], sizeof(num[1]), "%" PRId64, gap);
    snprintf(num[2], sizeof(num[2]), "%" PRId64, rows);
    row[0] = (struct cell){ CELL_TEXT, ep->command, 0, false, NULL };
    row[1] = (struct cell){ CELL_TEXT, bucket_width_name(w), 0, false, NULL };
    row[2] = (struct cell){ CELL_TIME, NULL, cov[a].start, false, NULL };
    row[3] = (struct cell){ CELL_TIME, NULL, cov[b - 1].end, false, NULL };
    row[4] = (struct cell){ CELL_INT, grid_strdup(g, num[0]), 0, false, NULL };
    row[5] = (struct cell){ CELL_INT, grid_strdup(g, num[1]), 0, false, NULL };
    if (prov >= 0)
        row[6] = (struct cell){ CELL_TIME, NULL, prov, false, NULL };
    row[7] = (struct cell){ CELL_INT, grid_strdup(g, num[2]), 0, false, NULL };
    if (last >= 0)
        row[8] = (struct cell){ CELL_TIME, NULL, last, false, NULL };
    return row[4].s != NULL && row[5].s != NULL && row[7].s != NULL ? 0 : -1;
}

/* One row per covered span of each endpoint and width: a gap shows as
 * two rows (gap_buckets: how many buckets are missing before a span). */
static int status_of(struct session *s, struct grid *g,
                     const struct endpoint *ep, enum bucket_width w,
                     struct ou_err *err)
{
    struct store_cov *cov = NULL;
    int64_t since = -1;
    int64_t last = -1;
    int64_t rows = 0;
    int n = 0;
    int rc;

    rc = store_coverage(s->store, s->org, ep, w, INT64_MIN, INT64_MAX, &cov, &n,
                        err);
    if (rc == 0 && n > 0)
        rc = store_sync_state(s->store, s->org, ep, w, &since, &last, err);
    if (rc == 0 && n > 0)
        rc = store_count_rows(s->store, s->org, ep, w, &rows, err);
    for (int a = 0, b = 1; rc == 0 && a < n; a = b, b = a + 1) {
        while (b < n && cov[b].start == cov[b - 1].end)
            b++;
        int64_t gap = a == 0 ? 0
                             : (cov[a].start - cov[a - 1].end) /
                                   bucket_width_seconds(w);
        if (status_row(g, ep, w, cov, a, b, gap, rows, last) != 0)
            rc = ou_nomem(err);
    }
    free(cov);
    return rc;
}

static int sync_status(struct session *s, struct ou_err *err)
{
    static const char *const cols[] = {
        "endpoint",         "width", "from",     "to", "buckets", "gap_buckets",
        "provisional_from", "rows",  "last_sync"
    };
    struct grid g;
    int rc = 0;

    grid_init(&g, "oaiusage.store_status");
    for (size_t k = 0; k < sizeof(cols) / sizeof(*cols); k++)
        grid_add_col(&g, &(struct grid_col){ cols[k], true, false, false, false,
                                             NULL, false });
    for (int i = 0; i < EP_COUNT && rc == 0; i++) {
        for (int w = 0; w < BW_COUNT && rc == 0; w++)
            rc = status_of(s, &g, endpoint_at(i), (enum bucket_width)w, err);
    }
    grid_add_meta(&g, &(struct grid_meta){ "store", META_STRING,
                                           store_where(s->store), 0, false,
                                           NULL, 0 });
    if (rc == 0)
        rc = session_deliver_grid(s, &g, err);
    grid_release(&g);
    return rc;
}

/* ---- the command -------------------------------------------------------------------- */

/* Where the history starts: --since/--days, else what the store says,
 * else the last 90 days; never later than what is stored. */
static int job_since(struct session *s, struct job *j, struct ou_err *err)
{
    const struct config *cfg = s->cfg;
    int64_t stored = -1;
    int64_t last = -1;
    int64_t w = bucket_width_seconds(j->w);
    int64_t want;
    int rc = store_sync_state(s->store, s->org, j->ep, j->w, &stored, &last,
                              err);

    if (rc != 0)
        return rc;
    if (cfg->given[OPT_SINCE])
        want = cfg->since_arg;
    else if (cfg->given[OPT_DAYS])
        want = tu_floor_day(s->now - 1) - (int64_t)(cfg->days - 1) * DAY_S;
    else if (stored >= 0)
        want = stored;
    else
        want = tu_floor_day(s->now - 1) -
               (int64_t)(SYNC_DEFAULT_DAYS - 1) * DAY_S;
    want = tu_floor(want, j->ep->billing ? DAY_S : w);
    j->since = stored >= 0 && stored < want ? stored : want;
    if (j->ep->billing)
        rc = store_key_floor(s->store, s->org, j->ep, &j->floor, err);
    return rc;
}

static void report_job(const struct job *j)
{
    msg_note("sync: %s %s: %" PRId64 " bucket%s stored (%" PRId64
             " provisional)",
             j->ep->command, bucket_width_name(j->w), j->buckets,
             j->buckets == 1 ? "" : "s", j->provisional);
}

/* The organization's lists, for --names offline. A failure is a warning:
 * the usage is stored, only names are missing. */
/* The organization's lists are read again when the stored ones are 24
 * hours old (as the names cache of live reports), when --refresh-names
 * asks, or when rows stored since the last read carry an id no stored
 * name covers (a new project, user or key). An hourly sync otherwise
 * spends most of its requests on unchanged lists. */
static int names_fresh(struct session *s, bool *fresh, int64_t *since,
                       struct ou_err *err)
{
    int64_t at = -1;
    bool unknown = false;
    int rc;

    *fresh = false;
    *since = 0;
    /* When they were read (INT64_MAX: no rows to look at yet). */
    rc = store_names_state(s->store, s->org, INT64_MAX, &at, &unknown, err);
    /* Rows that may have arrived since: after the last read, less the
     * longest settle window. */
    if (at >= 0)
        *since = at - SETTLE_COSTS - DAY_S;
    if (rc != 0 || s->cfg->refresh_names || at < 0 ||
        s->now - at >= OU_NAMES_TTL_S)
        return rc;
    rc = store_names_state(s->store, s->org, *since, &at, &unknown, err);
    if (rc == 0 && !unknown) {
        *fresh = true;
        msg_note("sync: names: kept (read %lld min ago; --refresh-names "
                 "reads them now)",
                 (long long)((s->now - at) / 60));
    }
    return rc;
}

static int sync_names(struct session *s, struct ou_err *err)
{
    struct names *n = NULL;
    struct names_want want;
    struct names_opts o = {
        &s->env, s->key, s->now, OU_NAMES_TTL_S, true, NULL
    };
    struct ou_err e2 = { OU_OK, "" };
    bool fresh = false;
    int64_t since = 0;
    int rc = names_fresh(s, &fresh, &since, err);

    if (rc != 0 || fresh)
        return rc;
    if ((n = names_new()) == NULL)
        return ou_nomem(err);
    memset(&want, 0, sizeof(want));
    for (int k = NK_PROJECT; k < NK_COUNT; k++)
        want.kind[k] = true;
    want.all = true;
    if (session_resolve_names(n, &want, &o, &e2) != 0)
        msg_warn("sync: names: %s; the store keeps the names it had", e2.msg);
    else
        rc = store_put_names(s->store, s->org, n, s->now, since, err);
    names_free(n);
    return rc;
}

static int add_job(struct session *s, struct job *jobs, int *n,
                   const struct endpoint *ep, enum bucket_width w,
                   struct ou_err *err)
{
    struct job *j = &jobs[(*n)++];
    const struct config *cfg = s->cfg;

    memset(j, 0, sizeof(*j));
    j->ep = ep;
    j->w = w;
    j->settle = cfg->given[OPT_SETTLE] ? cfg->settle
                : ep->billing          ? SETTLE_COSTS
                                       : SETTLE_USAGE;
    return job_since(s, j, err);
}

int cmd_sync(struct session *s, struct ou_err *err)
{
    const struct config *cfg = s->cfg;
    enum bucket_width w = cfg->given[OPT_BUCKET] ? cfg->width : BW_1H;
    struct job jobs[EP_COUNT * 2];
    int nusage = 0;
    int njobs = 0;
    int rc = 0;

    /* The session opened the store under the sync lock. */
    if (cfg->status)
        return sync_status(s, err);
    for (int i = 0; i < EP_COUNT && rc == 0; i++) {
        const struct endpoint *ep = endpoint_at(i);
        if (!cfg->sync_ep[i] || ep->billing)
            continue;
        rc = add_job(s, jobs, &njobs, ep, w, err);
        /* Daily buckets too: daily reports (the default) read 24 times
         * fewer rows, and a level cannot be summed into a coarser bucket
         * at all. A page holds 31 days: a year is 12 more requests. */
        if (rc == 0 && w != BW_1D)
            rc = add_job(s, jobs, &njobs, ep, BW_1D, err);
    }
    nusage = njobs;
    for (int i = 0; i < EP_COUNT && rc == 0; i++) {
        if (cfg->sync_ep[i] && endpoint_at(i)->billing)
            rc = add_job(s, jobs, &njobs, endpoint_at(i), BW_1D, err);
    }
    /* Costs alone first (their refusals), then the rest together. */
    if (rc == 0 && njobs > nusage)
        rc = sync_costs(s, &jobs[nusage], err);
    if (rc == 0 && nusage > 0)
        rc = fetch_jobs(s, jobs, nusage, err);
    for (int k = 0; k < njobs && rc == 0; k++) {
        struct job *j = &jobs[k];
        rc = store_set_sync_state(s->store, s->org, j->ep, j->w, j->since,
                                  s->now, err);
        if (rc == 0 && j->ep->billing)
            rc = store_set_key_floor(s->store, s->org, j->ep, j->floor, err);
        report_job(j);
    }
    if (rc == 0)
        rc = sync_names(s, err);
    for (int k = 0; k < njobs; k++)
        free(jobs[k].spans);
    return rc;
}
