/* limits.c - spend limits and the project list (see limits.h). */
#include "oaiusage/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/orglist.h"

/* One limit request: where its answer goes, and its name in messages
 * ("project proj_abc spend limit"). */
struct limit_req {
    struct spend_limit *dst;
    char what[160];
    struct limit_req *next;
};

struct read {
    const struct fetch_env *env;
    const struct limits_want *want;
    struct limits *out;
    struct orglist projects;
    struct limit_req *reqs; /* owned, freed at the end */
};

static int limit_done(void *ctx, struct sched *s, struct sched_req *r,
                      struct buf *body, struct ou_err *err);
static int limit_failed(void *ctx, struct sched_req *r, struct ou_err *err);
static const struct sched_ops limit_ops = { limit_done, limit_failed };

static int limit_done(void *ctx, struct sched *s, struct sched_req *r,
                      struct buf *body, struct ou_err *err)
{
    struct limit_req *q = ctx;
    int rc;

    (void)s;
    (void)r;
    rc = spend_limit_parse(body->data, body->len, q->dst, err);
    if (rc != 0 && rc != OU_E_NOMEM)
        ou_err_prefix(err, "%s: ", q->what);
    return rc;
}

/* 404: no limit is set for this scope. */
static int limit_failed(void *ctx, struct sched_req *r, struct ou_err *err)
{
    struct limit_req *q = ctx;
    const struct api_error *e = sched_error(r);

    if (e != NULL && e->status == 404) {
        memset(q->dst, 0, sizeof(*q->dst));
        return 0;
    }
    return (int)err->cat;
}

static int queue_limit(struct read *rd, const char *project,
                       struct spend_limit *dst, struct ou_err *err)
{
    struct limit_req *q = calloc(1, sizeof(*q));
    struct buf url;
    int rc = 0;

    if (q == NULL)
        return ou_nomem(err);
    q->dst = dst;
    q->next = rd->reqs;
    rd->reqs = q;
    /* Named in messages: "project proj_abc spend limit page 1: ...". */
    snprintf(q->what, sizeof(q->what), "%s%s spend limit",
             project != NULL ? "project " : "organization",
             project != NULL ? project : "");
    buf_init(&url, 0);
    rc |= buf_puts(&url, rd->env->base_url);
    if (project == NULL)
        rc |= buf_puts(&url, "/organization/spend_limit");
    else
        rc |= orglist_project_path(&url, project, "spend_limit");
    if (rc != 0 || sched_get(rd->env->sched, url.data, q->what, "1", &limit_ops,
                             q, NULL) == NULL)
        rc = ou_nomem(err);
    buf_release(&url);
    return rc;
}

static char *dup_or_null(const struct list_value *v)
{
    return v->kind == LV_STRING ? strdup(v->s) : NULL;
}

static int on_project(void *ctx, const struct list_value *v, struct ou_err *err)
{
    struct read *rd = ctx;
    struct limits *out = rd->out;
    struct project_info *p;

    if (v[0].kind != LV_STRING || v[0].s[0] == '\0')
        return ou_fail(err, OU_E_DATA, "a project without an id");
    p = realloc(out->v, (out->n + 1) * sizeof(*p));
    if (p == NULL)
        return ou_nomem(err);
    out->v = p;
    p = &out->v[out->n];
    memset(p, 0, sizeof(*p));
    p->id = strdup(v[0].s);
    p->name = dup_or_null(&v[1]);
    p->status = dup_or_null(&v[2]);
    out->n++;
    if (p->id == NULL || (v[1].kind == LV_STRING && p->name == NULL) ||
        (v[2].kind == LV_STRING && p->status == NULL))
        return ou_nomem(err);
    return 0;
}

/* Every project is listed: read the limits of the active ones. The
 * array no longer grows, so pointers into it stay valid. */
static int projects_done(struct orglist *l, struct ou_err *err)
{
    struct read *rd = l->ctx;

    if (!rd->want->project_limits)
        return 0;
    for (size_t i = 0; i < rd->out->n; i++) {
        struct project_info *p = &rd->out->v[i];
        if (p->status != NULL && strcmp(p->status, "active") != 0)
            continue;
        int rc = queue_limit(rd, p->id, &p->limit, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int limits_fetch(const struct fetch_env *env, const struct limits_want *w,
                 struct limits *out, struct ou_err *err)
{
    static const char *const fields[] = { "id", "name", "status" };
    struct read rd = { env, w, out, { 0 }, NULL };
    int rc = 0;

    memset(out, 0, sizeof(*out));
    rd.projects = (struct orglist){ .path = "/organization/projects",
                                    .extra = "include_archived=true",
                                    .what = "projects",
                                    .fields = fields,
                                    .nfields = 3,
                                    .item = on_project,
                                    .ctx = &rd,
                                    .complete = projects_done };
    if (w->org_limit)
        rc = queue_limit(&rd, NULL, &out->org, err);
    if (rc == 0 && (w->projects || w->project_limits))
        rc = orglist_start(&rd.projects, env, err);
    if (rc == 0)
        rc = sched_run(env->sched, err);
    else
        sched_drop(env->sched);
    orglist_release(&rd.projects);
    while (rd.reqs != NULL) {
        struct limit_req *q = rd.reqs;
        rd.reqs = q->next;
        free(q);
    }
    return rc;
}

void limits_release(struct limits *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].id);
        free(l->v[i].name);
        free(l->v[i].status);
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}
