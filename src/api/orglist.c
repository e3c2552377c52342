/* orglist.c - an organization list, every page (see orglist.h). */
#include "oaiusage/orglist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/query.h"

static int list_done(void *ctx, struct sched *s, struct sched_req *r,
                     struct buf *body, struct ou_err *err);
static int list_failed(void *ctx, struct sched_req *r, struct ou_err *err);
static const struct sched_ops list_ops = { list_done, list_failed };

static int queue_page(struct orglist *l, const char *after,
                      struct sched_req *behind, struct ou_err *err)
{
    struct buf url;
    char label[16];
    int rc = 0;

    buf_init(&url, 0);
    rc |= buf_puts(&url, l->env->base_url);
    rc |= buf_puts(&url, l->path);
    rc |= buf_puts(&url, "?limit=100");
    if (l->extra != NULL)
        rc |= buf_putc(&url, '&') | buf_puts(&url, l->extra);
    if (after != NULL)
        rc |= buf_puts(&url, "&after=") | url_encode(&url, after);
    snprintf(label, sizeof(label), "%d", l->page + 1);
    if (rc != 0 || sched_get(l->env->sched, url.data, l->what, label, &list_ops,
                             l, behind) == NULL)
        rc = ou_nomem(err);
    buf_release(&url);
    return rc;
}

int orglist_project_path(struct buf *path, const char *project,
                         const char *list)
{
    return buf_puts(path, "/organization/projects/") != 0 ||
                   url_encode(path, project) != 0 || buf_putc(path, '/') != 0 ||
                   buf_puts(path, list) != 0
               ? -1
               : 0;
}

int orglist_start(struct orglist *l, const struct fetch_env *env,
                  struct ou_err *err)
{
    l->env = env;
    l->page = 0;
    l->failed = false;
    return queue_page(l, NULL, NULL, err);
}

void orglist_release(struct orglist *l)
{
    htab_release(&l->seen);
}

/* A failure of this list: kept when tolerated, else it stops the run. */
static int list_failed(void *ctx, struct sched_req *r, struct ou_err *err)
{
    struct orglist *l = ctx;

    (void)r;
    if (!l->tolerate || err->cat == OU_E_NOMEM)
        return (int)err->cat;
    l->failed = true;
    l->err = *err;
    return 0;
}

/* What a page says about the next one. */
static int follow(struct orglist *l, struct sched_req *r,
                  const struct list_info *info, struct ou_err *err)
{
    if (!info->has_more)
        return l->complete != NULL ? l->complete(l, err) : 0;
    if (info->last_id == NULL || info->nitems == 0)
        return ou_fail(err, OU_E_DATA, "has_more is true but the page %s",
                       info->nitems == 0 ? "is empty" : "has no last_id");
    if (l->page >= ORGLIST_MAX_PAGES)
        return ou_fail(err, OU_E_DATA, "more than %d pages", ORGLIST_MAX_PAGES);
    int seen = htab_seen(&l->seen, info->last_id);
    if (seen < 0)
        return ou_nomem(err);
    if (seen > 0)
        return ou_fail(err, OU_E_DATA,
                       "the API repeated last_id (pagination would loop)");
    return queue_page(l, info->last_id, r, err);
}

static int list_done(void *ctx, struct sched *s, struct sched_req *r,
                     struct buf *body, struct ou_err *err)
{
    struct orglist *l = ctx;
    struct list_info info;
    int rc;

    (void)s;
    l->page++;
    rc = page_parse_list(body->data, body->len, l->fields, l->nfields, l->item,
                         l->ctx, &info, err);
    if (rc == 0)
        rc = follow(l, r, &info, err);
    free(info.last_id);
    if (rc != 0 && rc != OU_E_NOMEM)
        ou_err_prefix(err, "%s page %d: ", l->what, l->page);
    return rc != 0 ? list_failed(l, r, err) : 0;
}
