/* session.c - what every command run shares (see session.h). */
#include "oaiusage/session.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oaiusage/clock.h"
#include "oaiusage/htab.h"
#include "oaiusage/json.h"
#include "oaiusage/msg.h"
#include "oaiusage/output.h"
#include "oaiusage/pool.h"
#include "oaiusage/refusal.h"
#include "oaiusage/secret.h"

/* ---- schema drift ---------------------------------------------------------- */

/* Note an unknown member (or, as field "object", result type) of ep. */
static int session_unknown(void *ctx, const struct endpoint *ep,
                           const char *field, const char *number,
                           struct ou_err *err)
{
    struct session *s = ctx;
    bool object = strcmp(field, "object") == 0;
    const char *name = object ? number : field;
    struct drift *d = s->drift;

    if (object && name == NULL)
        return 0;
    while (d != NULL &&
           !(d->ep == ep && d->object == object && strcmp(d->field, name) == 0))
        d = d->next;
    if (d == NULL) {
        if ((d = calloc(1, sizeof(*d))) == NULL ||
            (d->field = strdup(name)) == NULL) {
            free(d);
            return ou_nomem(err);
        }
        *d = (struct drift){ ep,   d->field, object,  !object && number != NULL,
                             true, DEC_ZERO, s->drift };
        s->drift = d;
    }
    if (object)
        return 0;
    struct dec v;
    if (number == NULL || dec_parse(number, strlen(number), &v) != DEC_OK) {
        d->number = false; /* not (always) a number: no sum to give */
        return 0;
    }
    if (d->exact && dec_add(&d->sum, &v) != DEC_OK)
        d->exact = false;
    return 0;
}

void session_report_drift(const struct session *s)
{
    char sum[DEC_FMT_MAX];

    for (const struct drift *d = s->drift; d != NULL; d = d->next) {
        if (d->object) {
            msg_warn("%s: the API sent results of type \"%s\", which this "
                     "version does not know; their known fields are counted",
                     d->ep->command, d->field);
        } else if (d->number) {
            dec_format(&d->sum, sum, sizeof(sum));
            msg_warn("%s: the API sent a field this version does not know, "
                     "%s (it would have added %s%s); it is not in the report",
                     d->ep->command, d->field, d->exact ? "" : "more than ",
                     sum);
        } else {
            msg_warn("%s: the API sent a field this version does not know, "
                     "%s; it is not in the report",
                     d->ep->command, d->field);
        }
    }
}

bool session_uses_api(const struct config *cfg)
{
    if (cfg->cmd->kind == CK_SYNC)
        return !cfg->status;
    if (cfg->cmd->kind == CK_BUDGET)
        return cfg->db == NULL || cfg->api_limits; /* the spend limits */
    return cfg->db == NULL;
}

static int open_store(struct session *s, struct ou_err *err)
{
    const struct config *cfg = s->cfg;
    bool sync = cfg->cmd->kind == CK_SYNC;
    char *dflt = NULL;
    int rc;

    s->org = cfg->org_label != NULL ? cfg->org_label : STORE_DEFAULT_ORG;
    if (cfg->db == NULL && !sync)
        return 0;
    if (cfg->db == NULL && (dflt = store_default_db()) == NULL)
        return ou_nomem(err);
    rc = store_open(cfg->db != NULL ? cfg->db : dflt, sync && !cfg->status,
                    cfg->lock_timeout_ms, &s->store, err);
    free(dflt);
    return rc;
}

static void progress(void *ctx, long done, long queued);

/* ---- calling a run off ------------------------------------------------------
 *
 * A linked session's transport: the HTTP client's, until another
 * organization fails; then the transfers in flight are aborted and every
 * transfer, running or about to start, ends at once as failed (a failure
 * the scheduler does not retry), so the run stops without waiting. */

static void forget_busy(struct cancel_tp *c, const void *tag)
{
    for (int i = 0; i < c->nbusy; i++) {
        if (c->busy[i] == tag) {
            c->busy[i] = c->busy[--c->nbusy];
            return;
        }
    }
}

static int ctp_start(void *ctx, const char *url, struct buf *body,
                     long timeout_ms, void *tag)
{
    struct cancel_tp *c = ctx;
    int slot;

    if (atomic_load(c->cancel) != 0) {
        if (c->nended == SESSION_MAX_INFLIGHT)
            return -1;
        c->ended[c->nended++] = tag;
        return 0;
    }
    if (c->nbusy == SESSION_MAX_INFLIGHT)
        return -1;
    slot = c->inner.start(c->inner.ctx, url, body, timeout_ms, tag);
    if (slot >= 0)
        c->busy[c->nbusy++] = tag;
    return slot;
}

static int ctp_poll(void *ctx, long wait_ms, struct http_response *resp,
                    void **tag)
{
    struct cancel_tp *c = ctx;
    int slot;

    if (atomic_load(c->cancel) != 0 && !c->cut) {
        c->inner.cancel_all(c->inner.ctx);
        for (int i = 0; i < c->nbusy && c->nended < SESSION_MAX_INFLIGHT; i++)
            c->ended[c->nended++] = c->busy[i];
        c->nbusy = 0;
        c->cut = true;
    }
    if (c->cut) {
        if (c->nended == 0)
            return -1;
        memset(resp, 0, sizeof(*resp));
        resp->result = HTTP_E_OTHER;
        resp->retry_after = -1;
        snprintf(resp->error, sizeof(resp->error),
                 "called off: another organization failed");
        *tag = c->ended[--c->nended];
        return 0;
    }
    /* Look at the flag at least ten times a second. */
    slot = c->inner.poll(c->inner.ctx, wait_ms < 100 ? wait_ms : 100, resp,
                         tag);
    if (slot >= 0)
        forget_busy(c, *tag);
    return slot;
}

static void ctp_cancel_all(void *ctx)
{
    struct cancel_tp *c = ctx;

    c->inner.cancel_all(c->inner.ctx);
    c->nbusy = 0;
    c->nended = 0;
}

static int64_t ctp_clock_ms(void *ctx)
{
    struct cancel_tp *c = ctx;
    return c->inner.clock_ms(c->inner.ctx);
}

static void ctp_wakeup(void *ctx)
{
    struct cancel_tp *c = ctx;
    c->inner.wakeup(c->inner.ctx);
}

static void link_transport(struct session *s, const atomic_int *cancel)
{
    s->ctp.inner = s->tp;
    s->ctp.cancel = cancel;
    s->tp = (struct transport){
        &s->ctp,        ctp_start,    ctp_poll,
        ctp_cancel_all, ctp_clock_ms, s->tp.wakeup != NULL ? ctp_wakeup : NULL
    };
}

static void wake(void *ctx)
{
    const struct session *s = ctx;
    s->tp.wakeup(s->tp.ctx);
}

/* --jobs N > 1: N threads parse the pages (fetch.h); a finished one
 * wakes the transport's poll. */
static int open_pool(struct session *s, struct ou_err *err)
{
    if (s->cfg->jobs <= 1)
        return 0;
    /* each thread's tree memory is kept for its next page, and freed
     * when it ends */
    if ((s->pool = pool_new(s->cfg->jobs, json_release)) == NULL)
        return ou_fail(err, OU_E_NOMEM, "cannot start %d threads (--jobs)",
                       s->cfg->jobs);
    if (s->tp.wakeup != NULL)
        pool_set_notify(s->pool, wake, s);
    s->env.pool = s->pool;
    return 0;
}

int session_open(struct session *s, const struct config *cfg, int64_t now,
                 struct ou_err *err)
{
    return session_open_linked(s, cfg, now, NULL, err);
}

int session_open_linked(struct session *s, const struct config *cfg,
                        int64_t now, const struct session_link *link,
                        struct ou_err *err)
{
    const char *source = NULL;
    char mask[SECRET_MASK_MAX];
    int rc;

    memset(s, 0, sizeof(*s));
    s->cfg = cfg;
    s->now = now;
    if (link != NULL) {
        s->collect = link->collect;
        s->label = link->label;
        s->sum = link->sum;
        s->slot = link->slot;
        s->book = link->book;
    }
    if ((rc = open_store(s, err)) != 0)
        return rc;
    if (!session_uses_api(cfg))
        return 0;
    if ((rc = secret_load(cfg->key_file, &s->key, &source, err)) != 0)
        return rc;
    msg_add_secret(s->key);
    secret_mask(s->key, mask, sizeof(mask));
    msg_verbose("admin key %s from %s; base URL %s", mask, source,
                cfg->base_url);
    struct http_config hc = { s->key, "oaiusage/" OAIUSAGE_VERSION,
                              cfg->timeout_ms, OU_MAX_RESPONSE_BYTES,
                              cfg->cacert };
    s->http = http_client_new(&hc, cfg->concurrency, err);
    if (s->http == NULL)
        return (int)err->cat;
    http_transport(s->http, &s->tp);
    if (link != NULL && link->cancel != NULL)
        link_transport(s, link->cancel);
    struct sched_config sc = { &s->tp, RETRY_POLICY_DEFAULT, 0,
                               cfg->concurrency, NULL };
    sc.retry.max_retries = cfg->retries;
    if (cfg->deadline_ms > 0)
        sc.deadline_ms = cfg->start_ms + cfg->deadline_ms;
    if ((s->sched = sched_new(&sc)) == NULL)
        return ou_nomem(err);
    /* A progress line for a person watching; never in a file or a pipe. */
    if (isatty(STDERR_FILENO)) {
        msg_progress_enable(true);
        sched_on_progress(s->sched, progress, s);
    }
    s->env = (struct fetch_env){ s->sched, cfg->base_url, now, session_unknown,
                                 s,        &s->failed,    NULL };
    return open_pool(s, err);
}

/* Pages answered of pages known (a next page is known once its previous
 * one names it), and the time so far: from half a second on, at most ten
 * times a second. */
static void progress(void *ctx, long done, long queued)
{
    struct session *s = ctx;
    int64_t now = clock_ms();
    int64_t ran = now - s->cfg->start_ms;

    if (ran < 500 || (now - s->progress_ms < 100 && done < queued))
        return;
    s->progress_ms = now;
    if (s->sum != NULL) { /* one line over every organization of the run */
        long all_done = 0, all_queued = 0;
        atomic_store(&s->sum->done[s->slot], done);
        atomic_store(&s->sum->queued[s->slot], queued);
        for (int i = 0; i < s->sum->n; i++) {
            all_done += atomic_load(&s->sum->done[i]);
            all_queued += atomic_load(&s->sum->queued[i]);
        }
        msg_progress_all("%d organizations: %ld of %ld pages, %.1f s",
                         s->sum->n, all_done, all_queued, (double)ran / 1e3);
        return;
    }
    msg_progress("%ld of %ld pages, %.1f s", done, queued, (double)ran / 1e3);
}

static void drift_clear(struct session *s)
{
    while (s->drift != NULL) {
        struct drift *d = s->drift;
        s->drift = d->next;
        free(d->field);
        free(d);
    }
}

void session_close(struct session *s)
{
    msg_progress_end();
    drift_clear(s);
    store_close(s->store);
    pool_free(s->pool);
    sched_free(s->sched);
    http_client_free(s->http);
    secret_free(s->key);
    memset(s, 0, sizeof(*s));
}

/* ---- fetching into aggregates ------------------------------------------- */

static int sink_bucket(void *ctx, int sub, int64_t start, int64_t end,
                       struct ou_err *err)
{
    (void)sub;
    return agg_bucket(ctx, start, end, err);
}

static int sink_record(void *ctx, int sub, const struct record *rec,
                       struct ou_err *err)
{
    (void)sub;
    return agg_add(ctx, rec, err);
}

/* A worker's empty copy of the aggregate, and its fold back into it. */
static void *sink_fork(void *ctx)
{
    return agg_new(agg_spec_of(ctx));
}

static int sink_join(void *ctx, void *copy, struct ou_err *err)
{
    return agg_merge(ctx, copy, err);
}

static int store_bucket(void *ctx, int64_t start, int64_t end,
                        struct ou_err *err)
{
    return agg_bucket(ctx, start, end, err);
}

static int store_record(void *ctx, const struct record *rec, struct ou_err *err)
{
    return agg_add(ctx, rec, err);
}

/* How old the store's answer is, when it ends where the store does. */
static void note_age(const struct session *s, const struct query *q,
                     const struct store_cov *cov, int n)
{
    int64_t synced = 0;
    char at[TU_RFC3339_LEN];
    char end[TU_RFC3339_LEN];

    for (int i = 0; i < n; i++)
        synced = cov[i].synced_at > synced ? cov[i].synced_at : synced;
    if (n == 0 || q->end_time >= 0)
        return;
    tu_format_rfc3339(synced, at);
    tu_format_rfc3339(cov[n - 1].end, end);
    msg_note("note: %s from the store up to %s (last synced %s, %lld min "
             "ago)",
             q->ep->command, end, at, (long long)((s->now - synced) / 60));
}

/* The window of q at stored width w: its coverage (*cov, the caller's to
 * free) and the read plan in *r. */
static int plan_at(struct session *s, const struct query *q,
                   enum bucket_width w, struct store_read *r,
                   struct store_cov **cov, int *ncov, struct ou_err *err)
{
    int64_t from = q->ep->day_aligned_start ? tu_floor_day(q->start_time)
                                            : q->start_time;
    int rc;

    *r = (struct store_read){ w, 0, 0, 0 };
    rc = store_coverage(s->store, s->org, q->ep, w, from, INT64_MAX, cov, ncov,
                        err);
    if (rc == 0 && q->ep->billing)
        rc = store_key_floor(s->store, s->org, q->ep, &r->key_from, err);
    if (rc == 0)
        rc = store_plan_window(q, q->end_time >= 0, *cov, *ncov, r, err);
    return rc;
}

/* q from the store into agg. The coarsest stored width that is no finer
 * than the report's and covers the window is read (a sync keeps usage at
 * 1h and 1d: a daily report reads 24 times fewer rows); if none covers
 * it, the coarsest one's refusal is the answer. */
static int store_fetch(struct session *s, const struct query *q,
                       struct agg *agg, struct check_span *span,
                       struct ou_err *err)
{
    bool have[BW_COUNT];
    struct store_read r;
    struct store_cov *cov = NULL;
    enum bucket_width first = BW_1D;
    int ncov = 0;
    int rc;

    rc = store_widths(s->store, s->org, q->ep, have, err);
    if (rc == 0)
        rc = store_plan_width(q, have, &first, err);
    if (rc != 0)
        return rc;
    rc = plan_at(s, q, first, &r, &cov, &ncov, err);
    /* A level cannot be summed from finer buckets: no fallback. */
    for (int w = (int)first - 1;
         rc == OU_E_UNCOVERED && w >= 0 && !endpoint_has_level(q->ep); w--) {
        struct store_read r2;
        struct store_cov *cov2 = NULL;
        struct ou_err err2;
        int ncov2 = 0;

        if (!have[w])
            continue;
        if (plan_at(s, q, (enum bucket_width)w, &r2, &cov2, &ncov2, &err2) !=
            0) {
            free(cov2);
            continue;
        }
        free(cov);
        cov = cov2;
        ncov = ncov2;
        r = r2;
        rc = 0;
        err->cat = OU_OK;
        err->msg[0] = '\0';
    }
    if (rc == 0) {
        struct store_sink sink = { store_bucket, store_record, agg };
        rc = store_read_query(s->store, s->org, q, &r, cov, ncov, &sink, err);
    }
    if (rc == 0) {
        note_age(s, q, cov, ncov);
        if (r.key_from > 0)
            s->key_from = r.key_from;
        if (span != NULL)
            *span = (struct check_span){ 0,
                                         (r.end - r.start) /
                                             bucket_width_seconds(q->width),
                                         r.start, r.end };
    }
    free(cov);
    return rc;
}

int session_fetch_aggs(struct session *s, const struct query *q,
                       const struct agg_spec *spec, struct agg **aggs,
                       struct check_span *span, int n, struct ou_err *err)
{
    struct fetch_sink *sinks = NULL;
    struct fetch_stream *fss = NULL;
    int rc = 0;

    if (s->store != NULL) {
        for (int i = 0; i < n && rc == 0; i++) {
            if ((aggs[i] = agg_new(&spec[i])) == NULL)
                rc = ou_nomem(err);
            if (rc == 0)
                rc = store_fetch(s, &q[i], aggs[i], span ? &span[i] : NULL,
                                 err);
            if (rc == 0)
                rc = agg_finish(aggs[i], err);
        }
        return rc;
    }
    sinks = calloc((size_t)n, sizeof(*sinks));
    fss = calloc((size_t)n, sizeof(*fss));

    if (sinks == NULL || fss == NULL) {
        free(sinks);
        free(fss);
        return ou_nomem(err);
    }
    for (int i = 0; i < n && rc == 0; i++) {
        if ((aggs[i] = agg_new(&spec[i])) == NULL)
            rc = ou_nomem(err);
        /* an aggregate folds in any order: workers fold pages into
         * copies of it (fetch.h); records keep theirs */
        bool fold = !spec[i].records;
        sinks[i] = (struct fetch_sink){ NULL,
                                        sink_bucket,
                                        sink_record,
                                        NULL,
                                        aggs[i],
                                        NULL,
                                        fold ? sink_fork : NULL,
                                        fold ? sink_join : NULL };
        fss[i] = (struct fetch_stream){ &q[i], &sinks[i], { 0, 0, -1, -1 } };
    }
    if (rc == 0)
        rc = fetch_streams(&s->env, fss, n, err);
    for (int i = 0; i < n && rc == 0; i++) {
        session_warn_short(s, &q[i], &fss[i].span);
        if (span != NULL)
            span[i] = fss[i].span;
        rc = agg_finish(aggs[i], err);
    }
    free(sinks);
    free(fss);
    return rc;
}

/* A piece's records, with its fill value where the piece has none. */
struct filled {
    const struct piece *pc;
    struct agg *agg;
};

static int fill_bucket(void *ctx, int sub, int64_t start, int64_t end,
                       struct ou_err *err)
{
    (void)sub;
    return agg_bucket(((struct filled *)ctx)->agg, start, end, err);
}

static int fill_record(void *ctx, int sub, const struct record *rec,
                       struct ou_err *err)
{
    const struct filled *f = ctx;
    struct record r;

    (void)sub;
    if (f->pc->fill < 0 || rec->group[f->pc->fill] != NULL)
        return agg_add(f->agg, rec, err);
    r = *rec;
    r.group[f->pc->fill] = f->pc->fill_value;
    return agg_add(f->agg, &r, err);
}

static void span_join(struct check_span *into, const struct check_span *sp)
{
    into->pages += sp->pages;
    into->buckets += sp->buckets;
    if (sp->first_start >= 0 &&
        (into->first_start < 0 || sp->first_start < into->first_start))
        into->first_start = sp->first_start;
    if (sp->last_end > into->last_end)
        into->last_end = sp->last_end;
}

int session_fetch_pieces(struct session *s, const struct piece *pc, int n,
                         const struct agg_spec *spec, struct agg **agg,
                         struct check_span *span, struct ou_err *err)
{
    struct filled f[2];
    struct fetch_sink sinks[2];
    struct fetch_stream fss[2];
    int rc;

    if ((*agg = agg_new(spec)) == NULL)
        return ou_nomem(err);
    for (int i = 0; i < n; i++) {
        f[i] = (struct filled){ &pc[i], *agg };
        sinks[i] = (struct fetch_sink){ NULL,  fill_bucket, fill_record, NULL,
                                        &f[i], NULL,        NULL,        NULL };
        fss[i] = (struct fetch_stream){ &pc[i].q, &sinks[i], { 0, 0, -1, -1 } };
    }
    rc = fetch_streams(&s->env, fss, n, err);
    if (rc != 0)
        return rc;
    *span = fss[0].span;
    for (int i = 1; i < n; i++)
        span_join(span, &fss[i].span);
    session_warn_short(s, &pc[n - 1].q, &fss[n - 1].span);
    return agg_finish(*agg, err);
}

void session_warn_floor(const struct session *s, const struct endpoint *ep,
                        int64_t floor)
{
    char at[TU_RFC3339_LEN];

    (void)s;
    tu_format_rfc3339(floor, at);
    msg_warn("%s: the API has api_key_id only from %s on; costs before "
             "then show api_key_id %s",
             ep->command, at, REFUSAL_UNAVAILABLE);
}

int session_work_around(struct session *s, const struct query *q,
                        struct piece pieces[2], int64_t *floor_at,
                        struct ou_err *err)
{
    struct query qs[2];
    int64_t floor;
    int n;

    if (err->cat != OU_E_API)
        return 0;
    if (refusal_user_project(&s->failed, q)) {
        size_t len = strlen(err->msg);
        snprintf(err->msg + len, sizeof(err->msg) - len,
                 " (the API does not combine user_id with project_id, as "
                 "grouping or --project, for every organization and window: "
                 "drop one of them)");
        return 0;
    }
    if ((floor = refusal_key_floor(&s->failed, q)) < 0) {
        if (refusal_is_key_floor(&s->failed, q)) {
            size_t len = strlen(err->msg);
            snprintf(err->msg + len, sizeof(err->msg) - len,
                     " (the API refused api_key_id for this window without "
                     "naming a start time inside it to split the window at; "
                     "try a later --since)");
        }
        return 0;
    }
    n = refusal_split(q, floor, s->now, qs);
    *floor_at = floor;
    drift_clear(s); /* the pieces see every result again */
    for (int i = 0; i < n; i++)
        pieces[i] = (struct piece){ qs[i], -1, NULL };
    pieces[0].fill = endpoint_group_index(q->ep, "api_key_id");
    pieces[0].fill_value = REFUSAL_UNAVAILABLE;
    return n;
}

/* ---- names ----------------------------------------------------------------- */

static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;

int session_resolve_names(struct names *n, const struct names_want *want,
                          const struct names_opts *o, struct ou_err *err)
{
    int rc;

    pthread_mutex_lock(&names_lock);
    rc = names_resolve(n, want, o, err);
    pthread_mutex_unlock(&names_lock);
    return rc;
}

/* The distinct ids of one kind in the rows, as a hash set. */
struct idset {
    struct htab seen;
    const char **v;
    int n;
};

static bool id_eq(const void *entry, const void *key)
{
    return strcmp(entry, key) == 0;
}

static int idset_add(struct idset *ids, const char *id)
{
    uint64_t h = hash_str(id);

    if (htab_reserve(&ids->seen) != 0)
        return -1;
    size_t i = htab_probe(&ids->seen, h, id_eq, id);
    if (ids->seen.entry[i] != NULL)
        return 0;
    const char **nv = realloc(ids->v, sizeof(*nv) * (size_t)(ids->n + 1));
    if (nv == NULL)
        return -1;
    ids->v = nv;
    nv[ids->n++] = id;
    htab_set(&ids->seen, i, h, (void *)id);
    return 0;
}

/* Every nameable id of the aggregates' rows, by kind. */
/* The ids of one group field of an aggregate: those the results named
 * (costs: user_email) go straight into names; the others are wanted. */
static int collect_group(const struct agg *a, int g, struct names *names,
                         struct names_want *want, struct idset *ids)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const struct group_desc *gd = &sp->ep->groups[sp->group[g]];
    enum name_kind k = gd->names;
    bool all_named = gd->name_field != NULL;

    for (size_t i = 0; i < agg_nrows(a); i++) {
        const char *id = agg_row_at(a, i)->key[g];
        const char *hint = id != NULL ? agg_hint(a, g, id) : NULL;
        if (hint != NULL) {
            if (names_put(names, k, id, hint) != 0)
                return -1;
        } else if (id != NULL) {
            all_named = false;
            if (idset_add(&ids[k], id) != 0)
                return -1;
        }
    }
    if (!all_named)
        want->kind[k] = true;
    return 0;
}

/* Every nameable id of the aggregates' rows, by kind. */
static int collect_ids(const struct agg *const *aggs, int n,
                       struct names *names, struct names_want *want,
                       struct idset *ids)
{
    for (int a = 0; a < n; a++) {
        const struct agg_spec *sp = agg_spec_of(aggs[a]);
        for (int g = 0; g < sp->ngroup; g++) {
            if (sp->ep->groups[sp->group[g]].names != NK_NONE &&
                collect_group(aggs[a], g, names, want, ids) != 0)
                return -1;
        }
    }
    for (int k = 0; k < NK_COUNT; k++) {
        want->ids[k] = ids[k].v;
        want->nids[k] = ids[k].n;
    }
    return 0;
}

struct names *session_names(struct session *s, const struct agg *const *aggs,
                            int n, struct ou_err *err)
{
    struct names_want want;
    struct idset ids[NK_COUNT];
    struct names *names = names_new();
    struct ou_err e2 = { OU_OK, "" };

    memset(&want, 0, sizeof(want));
    memset(ids, 0, sizeof(ids));
    if (names == NULL || collect_ids(aggs, n, names, &want, ids) != 0) {
        names_free(names);
        names = NULL;
        ou_nomem(err);
    } else if (s->store != NULL) {
        /* Offline: the lists as the last sync stored them. */
        if (store_get_names(s->store, s->org, names, &e2) != 0) {
            if (e2.cat == OU_E_NOMEM) {
                names_free(names);
                names = NULL;
                *err = e2;
            } else {
                msg_warn("names: %s; rows keep their ids", e2.msg);
            }
        }
    } else {
        struct names_opts o = {
            &s->env, s->key, s->now, OU_NAMES_TTL_S, s->cfg->refresh_names, NULL
        };
        bool any = false;
        for (int k = 0; k < NK_COUNT; k++)
            any |= want.kind[k];
        if (any && session_resolve_names(names, &want, &o, &e2) != 0)
            msg_warn("names: %s; rows keep their ids", e2.msg);
    }
    for (int k = 0; k < NK_COUNT; k++) {
        htab_release(&ids[k].seen);
        free(ids[k].v);
    }
    return names;
}

/* ---- notes and warnings ---------------------------------------------------- */

void session_explain_window(const struct session *s, const struct endpoint *ep)
{
    const struct config *cfg = s->cfg;
    char a[TU_RFC3339_LEN];
    char b[TU_RFC3339_LEN];

    tu_format_rfc3339(cfg->since, a);
    tu_format_rfc3339(cfg->until, b);
    msg_verbose("%s from %s to %s%s, %s buckets", ep->command, a, b,
                cfg->until_sent ? "" : " (now)", bucket_width_name(cfg->width));
    if (ep->day_aligned_start && tu_floor_day(cfg->since) != cfg->since) {
        tu_format_rfc3339(tu_floor_day(cfg->since), a);
        msg_note("note: %s are whole UTC days; the first day starts at %s",
                 ep->command, a);
    }
}

/* The API ends the window at min(end_time, its now). Data that stops
 * earlier is reported as it is, with the gap said out loud. */
void session_warn_short(const struct session *s, const struct query *q,
                        const struct check_span *span)
{
    int64_t want_end = q->end_time >= 0
                           ? q->end_time
                           : s->now - bucket_width_seconds(q->width);

    msg_verbose("%s: %d page(s), %lld bucket(s)", q->ep->command, span->pages,
                (long long)span->buckets);
    if (span->last_end < want_end) {
        char a[TU_RFC3339_LEN];
        char b[TU_RFC3339_LEN];
        tu_format_rfc3339(span->last_end, a);
        tu_format_rfc3339(q->end_time >= 0 ? q->end_time : s->now, b);
        msg_warn("%s: the API's data ends at %s, before %s (its clock is "
                 "behind, or data is missing)",
                 q->ep->command, a, b);
    }
}

void session_window(const struct session *s, const struct check_span *span,
                    int64_t *start, int64_t *end)
{
    const struct config *cfg = s->cfg;

    *start = span->first_start >= 0 && span->first_start < cfg->since
                 ? span->first_start
                 : cfg->since;
    *end = cfg->until_sent ? cfg->until : span->last_end;
}

bool session_color(const struct session *s)
{
    const char *o = s->cfg->output;
    const char *no = getenv("NO_COLOR");

    if (s->cfg->color == COLOR_NEVER)
        return false;
    if (s->cfg->color == COLOR_ALWAYS)
        return true;
    /* auto: on a terminal, unless NO_COLOR is set (and not empty) */
    return (o == NULL || strcmp(o, "-") == 0) && isatty(STDOUT_FILENO) &&
           (no == NULL || no[0] == '\0');
}

/* ---- delivery ---------------------------------------------------------------- */

int session_deliver(const struct session *s, const struct buf *out,
                    struct ou_err *err)
{
    if (s->collect != NULL)
        return ou_fail(err, OU_E_USAGE,
                       "this output reads one organization: give one "
                       "profile");
    return output_write(s->cfg->output, out->data ? out->data : "", out->len,
                        err);
}

/* The length of the metric name a comparison column extends
 * ("amount_change" -> 6), or 0. */
static size_t compared_base(const char *name)
{
    static const char *const suffix[] = { "_previous", "_change_pct",
                                          "_change" };
    size_t n = strlen(name);

    for (size_t i = 0; i < sizeof(suffix) / sizeof(*suffix); i++) {
        size_t k = strlen(suffix[i]);
        if (n > k && strcmp(name + n - k, suffix[i]) == 0)
            return n - k;
    }
    return 0;
}

int session_deliver_book(const struct session *s,
                         const struct xlsx_sheet *sheets, int n,
                         struct ou_err *err)
{
    struct buf out;
    int rc;

    buf_init(&out, 0);
    rc = fmt_xlsx_book(sheets, n, &out, err);
    if (rc == 0)
        rc = session_deliver(s, &out, err);
    buf_release(&out);
    return rc;
}

int session_collect_grid(struct grid *into, struct grid *g)
{
    *into = *g;
    for (int i = 0; i < into->nmeta; i++) {
        struct grid_meta *m = &into->meta[i];
        if (m->kind == META_LIST && m->list >= g->lists &&
            m->list < g->lists + GRID_MAX_COLS)
            m->list = into->lists + (m->list - g->lists);
    }
    grid_init(g, g->object);
    return 0;
}

int session_deliver_grid(const struct session *s, struct grid *g,
                         struct ou_err *err)
{
    struct buf out;
    int rc;

    struct table_fit fit;

    if (s->collect != NULL)
        return session_collect_grid(s->collect, g);
    buf_init(&out, 0);
    g->csv_safe = s->cfg->csv_safe;
    /* A table for a terminal fits it (unless --wide); a file or a pipe
     * gets every column. */
    memset(&fit, 0, sizeof(fit));
    if (s->cfg->format == FMT_TABLE && !s->cfg->wide && s->cfg->output == NULL)
        fit.width = output_terminal_width();
    g->fit = fit.width > 0 ? &fit : NULL;
    rc = fmt_grid(g, s->cfg->format, s->cfg->header, &out, err);
    g->fit = NULL;
    if (rc == 0)
        rc = session_deliver(s, &out, err);
    buf_release(&out);
    if (rc == 0 && (fit.ndropped > 0 || fit.shortened > 0)) {
        char names[2048] = "";
        bool with = false;
        for (int i = 0; i < fit.ndropped; i++) {
            /* A comparison's metric left out whole is named once. */
            size_t base = compared_base(fit.dropped[i]);
            bool whole = false;
            for (int j = 0; base > 0 && j < fit.ndropped; j++)
                whole |= strlen(fit.dropped[j]) == base &&
                         strncmp(fit.dropped[j], fit.dropped[i], base) == 0;
            if (whole) {
                with = true;
                continue;
            }
            snprintf(names + strlen(names), sizeof(names) - strlen(names),
                     "%s%s", names[0] != '\0' ? ", " : "", fit.dropped[i]);
        }
        if (fit.ndropped > 0)
            msg_note("note: to fit %d columns, left out: %s%s (--wide shows "
                     "them; CSV and JSON have every column)",
                     fit.width, names,
                     with ? " (each with its previous, change and %)" : "");
        else
            msg_note("note: long names shortened to fit %d columns (--wide "
                     "shows them whole)",
                     fit.width);
    }
    return rc;
}

/* The filters as given, for the table's title: "project a, b; batch". */
int session_filters_text(const struct config *cfg, struct buf *out)
{
    int rc = 0;

    for (int i = 0; i < cfg->nfilters; i++) {
        const struct filter_opt *f = &cfg->filters[i];
        rc |= buf_puts(out, i > 0 ? "; " : "");
        if (f->values.n == 0) {
            rc |= buf_puts(out, f->flag ? "batch only" : "no batch");
            continue;
        }
        rc |= buf_printf(out, "%s ", f->option);
        for (int k = 0; k < f->values.n; k++)
            rc |= buf_printf(out, "%s%s", k > 0 ? ", " : "", f->values.v[k]);
    }
    return rc;
}
