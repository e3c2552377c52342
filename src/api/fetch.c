/* fetch.c - every page of one or more queries, checked (see fetch.h). */
#include "oaiusage/fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/htab.h"
#include "oaiusage/page.h"
#include "oaiusage/pagelog.h"
#include "oaiusage/pool.h"

/* One sub-window of one stream: its query, its checker, its cursors. */
struct sub {
    const struct fetch_stream *fs;
    const struct fetch_env *env;
    int index;
    struct query q; /* the stream's query, on this sub-window */
    struct check chk;
    struct htab seen; /* the cursors followed, as hashes */
    int *jobs;        /* pages with the workers, for the whole fetch */
};

static const char *page_label(const struct sub *sw, int page, char *buf,
                              size_t size)
{
    if (page == 1)
        snprintf(buf, size, "%d", sw->index + 1);
    else
        snprintf(buf, size, "%d.%d", sw->index + 1, page);
    return buf;
}

static int on_bucket(void *ctx, int64_t start, int64_t end, struct ou_err *err)
{
    struct sub *sw = ctx;
    const struct fetch_sink *sk = sw->fs->sink;
    int rc = check_bucket(&sw->chk, start, end, err);

    if (rc == 0 && sk->bucket != NULL)
        rc = sk->bucket(sk->ctx, sw->index, start, end, err);
    return rc;
}

static int on_record(void *ctx, const struct record *rec, struct ou_err *err)
{
    struct sub *sw = ctx;
    const struct fetch_sink *sk = sw->fs->sink;

    return sk->record != NULL ? sk->record(sk->ctx, sw->index, rec, err) : 0;
}

static int on_unknown(void *ctx, const char *field, const char *number,
                      struct ou_err *err)
{
    struct sub *sw = ctx;
    const struct fetch_env *env = sw->env;

    return env->unknown != NULL
               ? env->unknown(env->unknown_ctx, sw->q.ep, field, number, err)
               : 0;
}

static int page_done(void *ctx, struct sched *s, struct sched_req *r,
                     struct buf *body, struct ou_err *err);
static int page_failed(void *ctx, struct sched_req *r, struct ou_err *err);
static const struct sched_ops page_ops = { page_done, page_failed };

/* A page failed for good: keep the API's reason for the caller. */
static int page_failed(void *ctx, struct sched_req *r, struct ou_err *err)
{
    const struct sub *sw = ctx;

    if (sw->env->failed != NULL)
        *sw->env->failed = *sched_error(r);
    return (int)err->cat;
}

static int queue_page(struct sub *sw, const char *cursor, int page,
                      struct sched_req *after, struct ou_err *err)
{
    struct buf url;
    char label[32];
    int rc = 0;

    buf_init(&url, 0);
    if (query_url(&sw->q, sw->env->base_url, cursor, &url) != 0 ||
        sched_get(sw->env->sched, url.data, sw->q.ep->command,
                  page_label(sw, page, label, sizeof(label)), &page_ops, sw,
                  after) == NULL)
        rc = ou_nomem(err);
    buf_release(&url);
    return rc;
}

/* What a page says about the next one: none, or a cursor never seen. */
static int follow(struct sub *sw, struct sched_req *r,
                  const struct page_info *info, struct ou_err *err)
{
    const struct fetch_sink *sk = sw->fs->sink;

    if (!info->has_more)
        return sk->segment != NULL ? sk->segment(sk->ctx, sw->index, err) : 0;
    if (info->next_page == NULL)
        return ou_fail(err, OU_E_DATA,
                       "has_more is true but next_page is missing");
    if (info->nbuckets == 0)
        return ou_fail(err, OU_E_DATA,
                       "has_more is true but the page has no buckets");
    int seen = htab_seen(&sw->seen, info->next_page);
    if (seen < 0)
        return ou_nomem(err);
    if (seen > 0)
        return ou_fail(err, OU_E_DATA,
                       "the API repeated a page cursor (pagination would "
                       "loop)");
    return queue_page(sw, info->next_page, sw->chk.pages + 1, r, err);
}

/* ---- pages parsed on worker threads ------------------------------------- */

/* A page handed to a worker: parsed there into a log, replayed here; or,
 * for a sink that forks, folded there into a copy, joined here (the log
 * then holds only the unknown fields, for this thread's drift report). */
struct parse_job {
    struct sub *sw;
    struct sched_req *r;
    struct buf body;
    struct pagelog log;
    void *copy; /* the sink's fork, or NULL */
    struct page_info info;
    struct ou_err err;
    int rc;
};

/* On a worker, with a copy: the sub-window's checks (its pages come one
 * after the other) and the fold into the copy. */
static int fold_bucket(void *ctx, int64_t start, int64_t end,
                       struct ou_err *err)
{
    struct parse_job *j = ctx;
    const struct fetch_sink *sk = j->sw->fs->sink;
    int rc = check_bucket(&j->sw->chk, start, end, err);

    if (rc == 0 && sk->bucket != NULL)
        rc = sk->bucket(j->copy, j->sw->index, start, end, err);
    return rc;
}

static int fold_record(void *ctx, const struct record *rec, struct ou_err *err)
{
    struct parse_job *j = ctx;
    const struct fetch_sink *sk = j->sw->fs->sink;

    return sk->record != NULL ? sk->record(j->copy, j->sw->index, rec, err) : 0;
}

static int fold_unknown(void *ctx, const char *field, const char *number,
                        struct ou_err *err)
{
    struct parse_job *j = ctx;
    struct page_sink log;

    pagelog_sink(&j->log, &log);
    return log.unknown(log.ctx, field, number, err);
}

/* On a worker: the page into its log, or folded into its copy. Nothing
 * here touches what this thread's sinks hold. */
static void parse_work(void *arg)
{
    struct parse_job *j = arg;
    struct page_sink sink = { fold_bucket, fold_record, j, fold_unknown };

    if (j->copy == NULL)
        pagelog_sink(&j->log, &sink);
    j->err.cat = OU_OK;
    j->err.msg[0] = '\0';
    j->rc = page_parse(j->body.data, j->body.len, j->sw->q.ep, &sink, &j->info,
                       &j->err);
    buf_release(&j->body);
}

static void job_free(struct parse_job *j)
{
    const struct fetch_sink *sk = j->sw->fs->sink;
    struct ou_err ignored;

    if (j->copy != NULL)
        (void)sk->join(sk->ctx, j->copy, &ignored); /* frees it */
    buf_release(&j->body);
    pagelog_release(&j->log);
    free(j->info.next_page);
    free(j);
}

/* After the parse: a page's failure named as page_done names it. */
static int page_error(const struct sub *sw, int rc, struct ou_err *err)
{
    char label[32];

    if (rc != 0 && rc != OU_E_NOMEM)
        ou_err_prefix(err, "%s page %s: ", sw->q.ep->command,
                      page_label(sw, sw->chk.pages, label, sizeof(label)));
    return rc;
}

/* Hand the page to a worker; r stays queued, deferred, until it is
 * replayed. */
static int defer_page(struct sub *sw, struct sched_req *r, struct buf *body,
                      struct ou_err *err)
{
    const struct fetch_sink *sk = sw->fs->sink;
    struct parse_job *j = calloc(1, sizeof(*j));

    if (j == NULL)
        return ou_nomem(err);
    j->sw = sw;
    j->r = r;
    j->body = *body; /* the body moves to the job */
    buf_init(body, 0);
    pagelog_init(&j->log, sw->q.ep);
    if (sk->fork != NULL && (j->copy = sk->fork(sk->ctx)) == NULL) {
        job_free(j);
        return ou_nomem(err);
    }
    if (pool_submit(sw->env->pool, parse_work, j) != 0) {
        job_free(j);
        return ou_nomem(err);
    }
    (*sw->jobs)++;
    return SCHED_DEFERRED;
}

/* On this thread: a parsed page's events to the sinks, in order, then
 * what a page done here does next. */
static int replay_page(struct sched *s, struct parse_job *j, struct ou_err *err)
{
    struct sub *sw = j->sw;
    struct page_sink wrapped = { on_bucket, on_record, sw, on_unknown };
    int rc = j->rc;

    if (rc != 0)
        *err = j->err;
    if (rc == 0)
        rc = pagelog_replay(&j->log, &wrapped, err);
    if (rc == 0 && j->copy != NULL) {
        void *copy = j->copy;
        j->copy = NULL;
        rc = sw->fs->sink->join(sw->fs->sink->ctx, copy, err);
    }
    if (rc == 0 && sw->fs->sink->page != NULL)
        rc = sw->fs->sink->page(sw->fs->sink->ctx, sw->index, err);
    if (rc == 0)
        rc = follow(sw, j->r, &j->info, err);
    if (rc == 0)
        sched_complete(s, j->r);
    return page_error(sw, rc, err);
}

/* The scheduler's idle hook: every page the workers have finished. */
static int drain(void *ctx, struct sched *s, struct ou_err *err)
{
    struct pool *pool = ctx;
    struct parse_job *j;
    int rc = 0;

    while (rc == 0 && (j = pool_take(pool)) != NULL) {
        (*j->sw->jobs)--;
        rc = replay_page(s, j, err);
        job_free(j);
    }
    return rc;
}

static int page_done(void *ctx, struct sched *s, struct sched_req *r,
                     struct buf *body, struct ou_err *err)
{
    struct sub *sw = ctx;
    struct page_sink wrapped = { on_bucket, on_record, sw, on_unknown };
    struct page_info info;
    char label[32];
    int rc;

    (void)s;
    rc = check_page(&sw->chk, err);
    if (rc == 0 && sw->env->pool != NULL)
        return defer_page(sw, r, body, err);
    if (rc == 0) {
        rc = page_parse(body->data, body->len, sw->q.ep, &wrapped, &info, err);
        buf_release(body); /* the page is folded: free it now */
        if (rc == 0 && sw->fs->sink->page != NULL)
            rc = sw->fs->sink->page(sw->fs->sink->ctx, sw->index, err);
        if (rc == 0)
            rc = follow(sw, r, &info, err);
        free(info.next_page);
    }
    if (rc != 0 && rc != OU_E_NOMEM)
        ou_err_prefix(err, "%s page %s: ", sw->q.ep->command,
                      page_label(sw, sw->chk.pages, label, sizeof(label)));
    return rc;
}

/* One stream's plan: its sub-windows. */
struct planned {
    struct sub *subs;
    int n;
};

/* Plan a stream: its sub-windows, each with its checker. */
static int start_stream(const struct fetch_env *env, struct fetch_stream *fs,
                        struct planned *p, int *jobs, struct ou_err *err)
{
    struct subwin *plan = NULL;

    if (plan_windows(fs->q, env->now, &plan, &p->n) != 0)
        return ou_nomem(err);
    p->subs = calloc((size_t)p->n, sizeof(*p->subs));
    if (p->subs == NULL) {
        free(plan);
        return ou_nomem(err);
    }
    for (int i = 0; i < p->n; i++) {
        struct sub *sw = &p->subs[i];
        sw->fs = fs;
        sw->env = env;
        sw->index = i;
        sw->jobs = jobs;
        sw->q = *fs->q;
        sw->q.start_time = plan[i].start;
        sw->q.end_time = plan[i].end_sent ? plan[i].end : -1;
        check_init(&sw->chk, fs->q, &plan[i], i == 0, env->now);
    }
    free(plan);
    if (fs->sink->planned != NULL)
        return fs->sink->planned(fs->sink->ctx, p->n, err);
    return 0;
}

/* The seams between a stream's sub-windows, what it covered, and whether
 * that is the whole window. */
static int join_seams(struct fetch_stream *fs, const struct planned *p,
                      int64_t now, struct ou_err *err)
{
    struct check *chk = malloc(((size_t)p->n + 1) * sizeof(*chk));
    int rc;

    if (chk == NULL)
        return ou_nomem(err);
    for (int i = 0; i < p->n; i++)
        chk[i] = p->subs[i].chk;
    rc = check_seams(chk, p->n, fs->q->ep->command, &fs->span, err);
    free(chk);
    return rc != 0 ? rc : check_complete(fs->q, &fs->span, now, err);
}

int fetch_streams(const struct fetch_env *env, struct fetch_stream *fss,
                  int nfs, struct ou_err *err)
{
    struct planned *p = calloc((size_t)nfs + 1, sizeof(*p));
    int jobs = 0; /* pages with the workers */
    int rc = 0;

    if (p == NULL)
        return ou_nomem(err);
    if (env->pool != NULL)
        sched_on_idle(env->sched, drain, env->pool);
    for (int k = 0; k < nfs && rc == 0; k++)
        rc = start_stream(env, &fss[k], &p[k], &jobs, err);
    /* Every stream's first pages, in time order within each stream. */
    for (int k = 0; k < nfs && rc == 0; k++) {
        for (int i = 0; i < p[k].n && rc == 0; i++)
            rc = queue_page(&p[k].subs[i], NULL, 1, NULL, err);
    }
    if (rc == 0)
        rc = sched_run(env->sched, err);
    else
        sched_drop(env->sched);
    /* After a failure, pages may still be with the workers: wait for
     * them (their results are dropped) before their sub-windows go. */
    for (struct parse_job *j; jobs > 0 && (j = pool_wait(env->pool));) {
        jobs--;
        job_free(j);
    }
    if (env->pool != NULL)
        sched_on_idle(env->sched, NULL, NULL);
    for (int k = 0; k < nfs && rc == 0; k++)
        rc = join_seams(&fss[k], &p[k], env->now, err);
    for (int k = 0; k < nfs; k++) {
        for (int i = 0; p[k].subs != NULL && i < p[k].n; i++)
            htab_release(&p[k].subs[i].seen);
        free(p[k].subs);
    }
    free(p);
    return rc;
}
