/* fetch.c - every page of one or more queries, checked (see fetch.h). */
#include "oaiusage/fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/htab.h"
#include "oaiusage/page.h"

/* One sub-window of one stream: its query, its checker, its cursors. */
struct sub {
    const struct fetch_stream *fs;
    const struct fetch_env *env;
    int index;
    struct query q; /* the stream's query, on this sub-window */
    struct check chk;
    struct htab seen; /* the cursors followed, as hashes */
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
                        struct planned *p, struct ou_err *err)
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
    int rc = 0;

    if (p == NULL)
        return ou_nomem(err);
    for (int k = 0; k < nfs && rc == 0; k++)
        rc = start_stream(env, &fss[k], &p[k], err);
    /* Every stream's first pages, in time order within each stream. */
    for (int k = 0; k < nfs && rc == 0; k++) {
        for (int i = 0; i < p[k].n && rc == 0; i++)
            rc = queue_page(&p[k].subs[i], NULL, 1, NULL, err);
    }
    if (rc == 0)
        rc = sched_run(env->sched, err);
    else
        sched_drop(env->sched);
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
