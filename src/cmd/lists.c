/* lists.c - the organization's lists: projects, users and project API keys
 * (see cmds.h). */
#include "oaiusage/cmds.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/orglist.h"

/* A column of a list: the item's field (a dot path), a second path when
 * the first is null, and whether it is a time. */
struct list_col {
    const char *name;
    const char *path;
    const char *fallback;
    bool time;
};

/* A table, laid out by hand. */
/* clang-format off */
static const struct list_col project_cols[] = {
    { "id", "id", NULL, false },
    { "name", "name", NULL, false },
    { "status", "status", NULL, false },
    { "created_at", "created_at", NULL, true },
    { "archived_at", "archived_at", NULL, true },
};
static const struct list_col user_cols[] = {
    { "id", "id", NULL, false },
    { "email", "email", NULL, false },
    { "name", "name", NULL, false },
    { "role", "role", NULL, false },
    { "added_at", "added_at", NULL, true },
};
static const struct list_col key_cols[] = {
    { "id", "id", NULL, false },
    { "name", "name", NULL, false },
    { "redacted_value", "redacted_value", NULL, false },
    { "owner_type", "owner.type", NULL, false },
    { "owner", "owner.user.email", "owner.service_account.name", false },
    { "created_at", "created_at", NULL, true },
    { "last_used_at", "last_used_at", NULL, true },
};
/* clang-format on */

#define NCOLS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* One list into one grid. */
struct list_ctx {
    struct grid *g;
    const struct list_col *cols;
    int ncols;
    const char *project; /* api-keys: the project column's value */
    int first;           /* grid column of the first list field */
    const char *fields[LIST_MAX_FIELDS];
    struct orglist list;
};

static int value_cell(struct grid *g, struct cell *c,
                      const struct list_col *col, const struct list_value *x)
{
    char tmp[32];

    switch (x->kind) {
    case LV_STRING:
        c->kind = CELL_TEXT;
        c->s = grid_strdup(g, x->s);
        return c->s != NULL ? 0 : -1;
    case LV_INT:
        if (col->time) {
            c->kind = CELL_TIME;
            c->t = x->i;
            return 0;
        }
        snprintf(tmp, sizeof(tmp), "%" PRId64, x->i);
        c->kind = CELL_INT;
        c->s = grid_strdup(g, tmp);
        return c->s != NULL ? 0 : -1;
    case LV_BOOL:
        c->kind = CELL_BOOL;
        c->b = x->b;
        return 0;
    case LV_NULL:
        return 0;
    }
    return 0;
}

/* values: each column's path, then each column's fallback */
static int list_item(void *ctx, const struct list_value *v, struct ou_err *err)
{
    struct list_ctx *lc = ctx;
    struct cell *row = grid_add_row(lc->g, false);

    if (row == NULL)
        return ou_nomem(err);
    if (lc->project != NULL) {
        row[0].kind = CELL_TEXT;
        if ((row[0].s = grid_strdup(lc->g, lc->project)) == NULL)
            return ou_nomem(err);
    }
    for (int k = 0; k < lc->ncols; k++) {
        const struct list_value *x = &v[k];
        if (x->kind == LV_NULL && lc->cols[k].fallback != NULL)
            x = &v[lc->ncols + k];
        if (value_cell(lc->g, &row[lc->first + k], &lc->cols[k], x) != 0)
            return ou_nomem(err);
    }
    return 0;
}

/* Set up lc to read the list at path into g (columns added by the
 * caller), and queue its first page. */
static int list_start(struct session *s, struct list_ctx *lc, const char *path,
                      const char *extra, const char *what, struct ou_err *err)
{
    int n = 0;

    for (int k = 0; k < lc->ncols; k++)
        lc->fields[n++] = lc->cols[k].path;
    for (int k = 0; k < lc->ncols; k++)
        lc->fields[n++] = lc->cols[k].fallback != NULL ? lc->cols[k].fallback
                                                       : lc->cols[k].path;
    lc->list = (struct orglist){ .path = path,
                                 .extra = extra,
                                 .what = what,
                                 .fields = lc->fields,
                                 .nfields = n,
                                 .item = list_item,
                                 .ctx = lc };
    return orglist_start(&lc->list, &s->env, err);
}

static void add_cols(struct grid *g, const struct list_col *cols, int n)
{
    for (int k = 0; k < n; k++)
        grid_add_col(g, &(struct grid_col){ cols[k].name, true, false, false,
                                            false, NULL, false });
}

/* The table's title (in the table, above the header): what the list is,
 * and how many it holds ("projects of the organization (archived
 * included), 12"). */
static int list_title(const struct session *s, struct grid *g, const char *what,
                      struct ou_err *err)
{
    struct buf t;
    int rc;

    if (s->cfg->format != FMT_TABLE || !s->cfg->header)
        return 0;
    buf_init(&t, 0);
    rc = buf_printf(&t, "%s, %zu", what, g->nrows);
    if (rc == 0 && (g->title = grid_strdup(g, t.data)) == NULL)
        rc = -1;
    buf_release(&t);
    return rc != 0 ? ou_nomem(err) : 0;
}

static int one_list(struct session *s, const struct list_col *cols, int ncols,
                    const char *path, const char *extra, const char *what,
                    const char *title, struct ou_err *err)
{
    struct grid g;
    struct list_ctx lc = { &g, cols, ncols, NULL, 0, { 0 }, { 0 } };
    int rc;

    grid_init(&g, "oaiusage.list");
    add_cols(&g, cols, ncols);
    rc = list_start(s, &lc, path, extra, what, err);
    rc = rc == 0 ? sched_run(s->sched, err) : (sched_drop(s->sched), rc);
    if (rc == 0)
        rc = list_title(s, &g, title, err);
    if (rc == 0)
        rc = session_deliver_grid(s, &g, err);
    orglist_release(&lc.list);
    grid_release(&g);
    return rc;
}

int cmd_projects(struct session *s, struct ou_err *err)
{
    return one_list(s, project_cols, NCOLS(project_cols),
                    "/organization/projects", "include_archived=true",
                    "projects",
                    "projects of the organization (archived included)", err);
}

int cmd_users(struct session *s, struct ou_err *err)
{
    return one_list(s, user_cols, NCOLS(user_cols), "/organization/users", NULL,
                    "users", "users of the organization", err);
}

/* ---- api-keys: the keys of each project, fetched at once, in project
 * order --------------------------------------------------------------------- */

struct key_job {
    struct grid g; /* this project's rows */
    struct buf path;
    struct buf what; /* "project ID: API keys", for messages */
    struct list_ctx lc;
};

static void key_grid(struct grid *g)
{
    grid_init(g, "oaiusage.list");
    grid_add_col(g, &(struct grid_col){ "project_id", true, false, false, false,
                                        NULL, false });
    add_cols(g, key_cols, NCOLS(key_cols));
}

static int collect_id(void *ctx, const struct list_value *v, struct ou_err *err)
{
    struct strlist *ids = ctx;

    if (v[0].kind != LV_STRING)
        return ou_fail(err, OU_E_DATA, "a project without an id");
    char **nv = realloc(ids->v, sizeof(*nv) * (size_t)(ids->n + 1));
    if (nv == NULL)
        return ou_nomem(err);
    ids->v = nv;
    if ((nv[ids->n] = strdup(v[0].s)) == NULL)
        return ou_nomem(err);
    ids->n++;
    return 0;
}

/* Every project's id (archived ones included). */
static int all_projects(struct session *s, struct strlist *ids,
                        struct ou_err *err)
{
    static const char *const id_field[] = { "id" };
    struct orglist l = { .path = "/organization/projects",
                         .extra = "include_archived=true",
                         .what = "projects",
                         .fields = id_field,
                         .nfields = 1,
                         .item = collect_id,
                         .ctx = ids };
    int rc = orglist_start(&l, &s->env, err);

    rc = rc == 0 ? sched_run(s->sched, err) : (sched_drop(s->sched), rc);
    orglist_release(&l);
    return rc;
}

static int start_key_job(struct session *s, struct key_job *j,
                         const char *project, struct ou_err *err)
{
    key_grid(&j->g);
    buf_init(&j->path, 0);
    buf_init(&j->what, 0);
    j->lc = (struct list_ctx){ &j->g, key_cols, NCOLS(key_cols), project, 1,
                               { 0 }, { 0 } };
    if (orglist_project_path(&j->path, project, "api_keys") != 0 ||
        buf_printf(&j->what, "project %s: API keys", project) != 0)
        return ou_nomem(err);
    return list_start(s, &j->lc, j->path.data, ORGLIST_ALL_KEYS, j->what.data,
                      err);
}

/* Run every project's key list, then gather the rows in project order. */
static int key_lists(struct session *s, const struct strlist *pids,
                     struct grid *out, struct ou_err *err)
{
    struct key_job *jobs = calloc((size_t)pids->n + 1, sizeof(*jobs));
    int started = 0;
    int rc = 0;

    if (jobs == NULL)
        return ou_nomem(err);
    for (; rc == 0 && started < pids->n; started++)
        rc = start_key_job(s, &jobs[started], pids->v[started], err);
    rc = rc == 0 ? sched_run(s->sched, err) : (sched_drop(s->sched), rc);
    for (int i = 0; i < started; i++) {
        if (rc == 0 && grid_append(out, &jobs[i].g) != 0)
            rc = ou_nomem(err);
        orglist_release(&jobs[i].lc.list);
        buf_release(&jobs[i].path);
        buf_release(&jobs[i].what);
        grid_release(&jobs[i].g);
    }
    free(jobs);
    return rc;
}

/* "API keys of every project (archived included), 30"; with --project,
 * "API keys of project proj_a, proj_b, 7". */
static int keys_title(const struct session *s, const struct filter_opt *proj,
                      struct grid *g, struct ou_err *err)
{
    struct buf t;
    int rc = 0;

    buf_init(&t, 0);
    if (proj == NULL) {
        rc |= buf_puts(&t, "API keys of every project (archived included)");
    } else {
        rc |= buf_printf(&t, "API keys of project%s ",
                         proj->values.n == 1 ? "" : "s");
        for (int i = 0; i < proj->values.n; i++)
            rc |= buf_printf(&t, "%s%s", i > 0 ? ", " : "", proj->values.v[i]);
    }
    rc = rc == 0 ? list_title(s, g, t.data, err) : ou_nomem(err);
    buf_release(&t);
    return rc;
}

int cmd_api_keys(struct session *s, struct ou_err *err)
{
    const struct filter_opt *proj = cli_filter(s->cfg, "project");
    struct strlist all = { NULL, 0 };
    struct grid g;
    int rc = 0;

    key_grid(&g);
    if (proj == NULL)
        rc = all_projects(s, &all, err);
    if (rc == 0)
        rc = key_lists(s, proj != NULL ? &proj->values : &all, &g, err);
    if (rc == 0)
        rc = keys_title(s, proj, &g, err);
    if (rc == 0)
        rc = session_deliver_grid(s, &g, err);
    for (int i = 0; i < all.n; i++)
        free(all.v[i]);
    free(all.v);
    grid_release(&g);
    return rc;
}
