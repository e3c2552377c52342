/* names.c - names for project, user and API key ids (see names.h). */
#include "oaiusage/names.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oaiusage/atomic.h"
#include "oaiusage/buf.h"
#include "oaiusage/htab.h"
#include "oaiusage/msg.h"
#include "oaiusage/orglist.h"
#include "oaiusage/query.h"

#define CACHE_MAGIC "oaiusage-names 2"

/* An entry with an empty name records an id the lists do not know (a
 * deleted project, a rotated key): it is "known to be unknown", so a cache
 * holding it is complete without naming it. */
struct entry {
    char *id;
    char *name;
    bool archived; /* a project the list says is archived */
};

struct names {
    struct htab m[NK_COUNT]; /* id -> struct entry, per kind */
};

struct names *names_new(void)
{
    return calloc(1, sizeof(struct names));
}

void names_free(struct names *n)
{
    if (n == NULL)
        return;
    for (int k = 0; k < NK_COUNT; k++) {
        for (size_t i = 0; i < n->m[k].cap; i++) {
            struct entry *e = n->m[k].entry[i];
            if (e != NULL) {
                free(e->id);
                free(e->name);
                free(e);
            }
        }
        htab_release(&n->m[k]);
    }
    free(n);
}

static bool entry_eq(const void *entry, const void *key)
{
    return strcmp(((const struct entry *)entry)->id, key) == 0;
}

static const struct entry *lookup(const struct names *n, enum name_kind k,
                                  const char *id)
{
    if (n == NULL || id == NULL || k <= NK_NONE || k >= NK_COUNT)
        return NULL;
    return htab_find(&n->m[k], hash_str(id), entry_eq, id);
}

const char *names_get(const struct names *n, enum name_kind k, const char *id)
{
    const struct entry *e = lookup(n, k, id);
    return e != NULL && e->name[0] != '\0' ? e->name : NULL;
}

int names_put(struct names *n, enum name_kind k, const char *id,
              const char *name)
{
    if (k <= NK_NONE || k >= NK_COUNT || id == NULL || name == NULL)
        return 0;
    struct htab *t = &n->m[k];
    if (htab_reserve(t) != 0)
        return -1;
    uint64_t h = hash_str(id);
    size_t i = htab_probe(t, h, entry_eq, id);
    char *nm = strdup(name);
    if (nm == NULL)
        return -1;
    struct entry *e = t->entry[i];
    if (e == NULL) {
        e = calloc(1, sizeof(*e));
        if (e == NULL || (e->id = strdup(id)) == NULL) {
            free(e);
            free(nm);
            return -1;
        }
        htab_set(t, i, h, e);
    }
    free(e->name);
    e->name = nm;
    return 0;
}

int names_mark_archived(struct names *n, enum name_kind k, const char *id)
{
    const struct entry *e = lookup(n, k, id);

    if (e == NULL && names_put(n, k, id, "") != 0)
        return -1;
    if ((e = lookup(n, k, id)) != NULL)
        ((struct entry *)e)->archived = true;
    return 0;
}

enum name_state names_state(const struct names *n, enum name_kind k,
                            const char *id)
{
    const struct entry *e = lookup(n, k, id);

    if (e == NULL)
        return NAME_UNSEEN;
    if (e->archived)
        return NAME_ARCHIVED;
    return e->name[0] != '\0' ? NAME_LISTED : NAME_UNLISTED;
}

size_t names_count(const struct names *n, enum name_kind k)
{
    return k > NK_NONE && k < NK_COUNT ? n->m[k].n : 0;
}

/* Call fn for every entry that `archived` says to (every named one when
 * false, every archived one when true); non-zero from fn stops. */
static int each_entry(const struct names *n, bool archived,
                      int (*fn)(void *ctx, enum name_kind k, const char *id,
                                const char *name),
                      void *ctx)
{
    for (int k = NK_PROJECT; k < NK_COUNT; k++) {
        for (size_t i = 0; i < n->m[k].cap; i++) {
            const struct entry *e = n->m[k].entry[i];
            int rc;
            if (e == NULL || (archived ? !e->archived : e->name[0] == '\0'))
                continue;
            if ((rc = fn(ctx, (enum name_kind)k, e->id, e->name)) != 0)
                return rc;
        }
    }
    return 0;
}

int names_each(const struct names *n,
               int (*fn)(void *ctx, enum name_kind k, const char *id,
                         const char *name),
               void *ctx)
{
    return each_entry(n, false, fn, ctx);
}

int names_each_archived(const struct names *n,
                        int (*fn)(void *ctx, enum name_kind k, const char *id,
                                  const char *name),
                        void *ctx)
{
    return each_entry(n, true, fn, ctx);
}

/* Copy every entry of src into n. */
static int names_merge(struct names *n, const struct names *src)
{
    for (int k = NK_PROJECT; k < NK_COUNT; k++) {
        const struct htab *t = &src->m[k];
        for (size_t i = 0; i < t->cap; i++) {
            const struct entry *e = t->entry[i];
            if (e != NULL && names_put(n, k, e->id, e->name) != 0)
                return -1;
            if (e != NULL && e->archived &&
                names_mark_archived(n, k, e->id) != 0)
                return -1;
        }
    }
    return 0;
}

/* ---- the cache file ----------------------------------------------------- */

static const char kind_char[NK_COUNT] = { 0, 'p', 'u', 'k' };

static int cache_path(const struct names_opts *o, char *path, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    char dir[PATH_MAX];

    if (o->cache_dir != NULL)
        snprintf(dir, sizeof(dir), "%s", o->cache_dir);
    else if (xdg != NULL && xdg[0] == '/')
        snprintf(dir, sizeof(dir), "%s/oaiusage", xdg);
    else if (home != NULL && home[0] == '/')
        snprintf(dir, sizeof(dir), "%s/.cache/oaiusage", home);
    else
        return -1;
    uint64_t h = hash_more(hash_str(o->env->base_url), "\n");
    h = hash_more(h, o->key != NULL ? o->key : "");
    if (snprintf(path, size, "%s/names-%016" PRIx64 ".tsv", dir, h) >=
        (int)size)
        return -1;
    return 0;
}

/* mkdir -p for the directory part of path, private. */
static int make_dirs(const char *path)
{
    char tmp[PATH_MAX];

    snprintf(tmp, sizeof(tmp), "%s", path);
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}

static int put_escaped(struct buf *b, const char *s)
{
    int rc = 0;
    for (; *s && rc == 0; s++) {
        switch (*s) {
        case '\\':
            rc = buf_puts(b, "\\\\");
            break;
        case '\t':
            rc = buf_puts(b, "\\t");
            break;
        case '\n':
            rc = buf_puts(b, "\\n");
            break;
        case '\r':
            rc = buf_puts(b, "\\r");
            break;
        default:
            rc = buf_putc(b, *s);
            break;
        }
    }
    return rc;
}

static void unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s == '\\' && s[1] != '\0') {
            s++;
            switch (*s) {
            case 't':
                *o++ = '\t';
                break;
            case 'n':
                *o++ = '\n';
                break;
            case 'r':
                *o++ = '\r';
                break;
            default:
                *o++ = *s;
                break;
            }
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

/* The cache's text: a magic line, then "kind TAB id TAB name" lines. */
static int cache_text(const struct names *n, struct buf *b)
{
    int rc = buf_printf(b, "%s\n", CACHE_MAGIC);

    for (int k = NK_PROJECT; k < NK_COUNT && rc == 0; k++) {
        const struct htab *t = &n->m[k];
        for (size_t i = 0; i < t->cap && rc == 0; i++) {
            const struct entry *e = t->entry[i];
            if (e == NULL)
                continue;
            rc |= buf_printf(b, "%c\t", e->archived ? 'A' : kind_char[k]);
            rc |= put_escaped(b, e->id);
            rc |= buf_putc(b, '\t');
            rc |= put_escaped(b, e->name);
            rc |= buf_putc(b, '\n');
        }
    }
    return rc;
}

int names_cache_save(const struct names *n, const char *path,
                     struct ou_err *err)
{
    struct buf text;
    struct afile f;
    int rc;

    buf_init(&text, 0);
    if (make_dirs(path) != 0)
        rc = ou_fail(err, OU_E_IO, "cannot create the directory of '%s': %s",
                     path, strerror(errno));
    else if (cache_text(n, &text) != 0)
        rc = ou_nomem(err);
    else if ((rc = afile_open(&f, path, 0600, err)) == 0 &&
             (rc = afile_write(&f, text.data, text.len, err)) == 0)
        rc = afile_commit(&f, err);
    buf_release(&text);
    return rc;
}

/* One cache line ("p\tid\tname") into n; false when malformed. */
static bool cache_line(struct names *n, char *line)
{
    line[strcspn(line, "\n")] = '\0';
    char *id = strchr(line, '\t');
    char *name = id ? strchr(id + 1, '\t') : NULL;
    if (name == NULL)
        return false;
    *id++ = '\0';
    *name++ = '\0';
    unescape(id);
    unescape(name);
    for (int k = NK_PROJECT; k < NK_COUNT; k++) {
        if (line[0] == kind_char[k] && line[1] == '\0')
            return names_put(n, k, id, name) == 0;
    }
    /* an archived project */
    if (line[0] == 'A' && line[1] == '\0')
        return names_put(n, NK_PROJECT, id, name) == 0 &&
               names_mark_archived(n, NK_PROJECT, id) == 0;
    return false;
}

bool names_cache_load(struct names *n, const char *path, int64_t now,
                      int64_t ttl)
{
    struct stat st;
    char *line = NULL;
    size_t cap = 0;
    FILE *f;
    bool ok = false;

    if (stat(path, &st) != 0 || (int64_t)st.st_mtime > now + 300 ||
        now - (int64_t)st.st_mtime >= ttl)
        return false;
    f = fopen(path, "r");
    if (f == NULL)
        return false;
    if (getline(&line, &cap, f) >= 0 && strcmp(line, CACHE_MAGIC "\n") == 0) {
        ok = true;
        while (ok && getline(&line, &cap, f) >= 0)
            ok = cache_line(n, line);
    }
    free(line);
    if (fclose(f) != 0)
        ok = false;
    return ok;
}

/* ---- fetching the lists ----------------------------------------------------- */

/* One of a project's lists (API keys, service accounts). */
struct project_list {
    struct orglist l;
    struct buf path;
    const char *project;
};

/* One names_resolve in progress: the lists and where they go. */
struct resolve {
    struct names *n;
    const struct names_want *want;
    const struct fetch_env *env;
    struct orglist projects;
    struct orglist users;
    struct project_list *keys; /* one per project */
    int nkeys;
    struct project_list *sas; /* service accounts, one per project */
    int nsas;
    char **pids; /* every project's id (projects list) */
    int npids;
};

/* fields: id, then the preferred name, then a fallback name */
static int put_item(struct resolve *rs, enum name_kind k,
                    const struct list_value *v, struct ou_err *err)
{
    const char *name = v[1].kind == LV_STRING   ? v[1].s
                       : v[2].kind == LV_STRING ? v[2].s
                                                : NULL;

    if (v[0].kind != LV_STRING)
        return ou_fail(err, OU_E_DATA, "a list item has no string id");
    if (name != NULL && names_put(rs->n, k, v[0].s, name) != 0)
        return ou_nomem(err);
    return 0;
}

static int on_project(void *ctx, const struct list_value *v, struct ou_err *err)
{
    struct resolve *rs = ctx;
    int rc = put_item(rs, NK_PROJECT, v, err);

    /* archived: an archived_at time, or the status saying so */
    if (rc == 0 && v[0].kind == LV_STRING &&
        ((v[3].kind == LV_INT && v[3].i > 0) ||
         (v[4].kind == LV_STRING && strcmp(v[4].s, "archived") == 0)) &&
        names_mark_archived(rs->n, NK_PROJECT, v[0].s) != 0)
        return ou_nomem(err);

    if (rc == 0 && (rs->want->kind[NK_API_KEY] || rs->want->kind[NK_USER])) {
        char **p = realloc(rs->pids, sizeof(*p) * (size_t)(rs->npids + 1));
        if (p == NULL)
            return ou_nomem(err);
        rs->pids = p;
        if ((p[rs->npids] = strdup(v[0].s)) == NULL)
            return ou_nomem(err);
        rs->npids++;
    }
    return rc;
}

static int on_user(void *ctx, const struct list_value *v, struct ou_err *err)
{
    return put_item(ctx, NK_USER, v, err);
}

static int on_key(void *ctx, const struct list_value *v, struct ou_err *err)
{
    return put_item(ctx, NK_API_KEY, v, err);
}

/* Start one of a project's lists into *pl. */
static int start_project_list(struct resolve *rs, struct project_list *pl,
                              const char *project, const char *list,
                              list_item_fn item, struct ou_err *err)
{
    static const char *const fields[] = { "id", "name", "redacted_value" };
    bool keys = strcmp(list, "api_keys") == 0;

    buf_init(&pl->path, 0);
    pl->project = project;
    if (orglist_project_path(&pl->path, project, list) != 0)
        return ou_nomem(err);
    pl->l = (struct orglist){ .path = pl->path.data,
                              .extra = keys ? ORGLIST_ALL_KEYS : NULL,
                              .what = keys ? "API keys" : "service accounts",
                              .fields = fields,
                              .nfields = 3,
                              .item = item,
                              .ctx = rs,
                              .tolerate = true };
    return orglist_start(&pl->l, rs->env, err);
}

/* The projects are in: list the API keys (all of them, not only the
 * members') of the projects the report shows, or of every project. A
 * project the organization no longer lists has no key list. Key lists
 * fail alone: the first failure is reported. */
static int projects_done(struct orglist *l, struct ou_err *err)
{
    struct resolve *rs = l->ctx;
    const struct names_want *w = rs->want;
    bool given = w->nids[NK_PROJECT] > 0;
    const char *const *pids = given ? w->ids[NK_PROJECT]
                                    : (const char *const *)rs->pids;
    int np = given ? w->nids[NK_PROJECT] : rs->npids;
    int rc = 0;

    if (!w->kind[NK_API_KEY])
        return 0;
    rs->keys = calloc((size_t)np + 1, sizeof(*rs->keys));
    if (rs->keys == NULL)
        return ou_nomem(err);
    for (int i = 0; i < np && rc == 0; i++) {
        if (lookup(rs->n, NK_PROJECT, pids[i]) != NULL)
            rc = start_project_list(rs, &rs->keys[rs->nkeys++], pids[i],
                                    "api_keys", on_key, err);
    }
    return rc;
}

/* Users the users list does not name may be service accounts: list every
 * project's service accounts, once, when some are left. */
static int service_accounts(struct resolve *rs, struct ou_err *err)
{
    const struct names_want *w = rs->want;
    bool unknown = false;
    int rc = 0;

    for (int i = 0; w->kind[NK_USER] && i < w->nids[NK_USER]; i++)
        unknown |= lookup(rs->n, NK_USER, w->ids[NK_USER][i]) == NULL;
    unknown |= w->all;
    if (!unknown || rs->npids == 0)
        return 0;
    rs->sas = calloc((size_t)rs->npids + 1, sizeof(*rs->sas));
    if (rs->sas == NULL)
        return ou_nomem(err);
    for (int i = 0; i < rs->npids && rc == 0; i++)
        rc = start_project_list(rs, &rs->sas[rs->nsas++], rs->pids[i],
                                "service_accounts", on_user, err);
    rc = rc == 0 ? sched_run(rs->env->sched, err)
                 : (sched_drop(rs->env->sched), rc);
    for (int i = 0; i < rs->nsas && rc == 0; i++) {
        if (rs->sas[i].l.failed) {
            *err = rs->sas[i].l.err;
            ou_err_prefix(err, "project %s: ", rs->sas[i].project);
            rc = err->cat;
        }
    }
    return rc;
}

static int fetch_lists(struct resolve *rs, struct ou_err *err)
{
    static const char *const project_fields[] = { "id", "name", "id",
                                                  "archived_at", "status" };
    static const char *const user_fields[] = { "id", "email", "name" };
    const struct names_want *w = rs->want;
    int rc = 0;

    rs->projects = (struct orglist){ .path = "/organization/projects",
                                     .extra = "include_archived=true",
                                     .what = "projects",
                                     .fields = project_fields,
                                     .nfields = 5,
                                     .item = on_project,
                                     .ctx = rs,
                                     .complete = projects_done,
                                     .tolerate = true };
    rs->users = (struct orglist){ .path = "/organization/users",
                                  .what = "users",
                                  .fields = user_fields,
                                  .nfields = 3,
                                  .item = on_user,
                                  .ctx = rs,
                                  .tolerate = true };
    if (w->kind[NK_PROJECT] || w->kind[NK_API_KEY] || w->kind[NK_USER])
        rc = orglist_start(&rs->projects, rs->env, err);
    if (rc == 0 && w->kind[NK_USER])
        rc = orglist_start(&rs->users, rs->env, err);
    if (rc == 0)
        rc = sched_run(rs->env->sched, err);
    else
        sched_drop(rs->env->sched);
    /* The lists run at once; their failures are told in a fixed order. */
    if (rc == 0 && (rs->projects.failed || rs->users.failed)) {
        *err = rs->projects.failed ? rs->projects.err : rs->users.err;
        rc = err->cat;
    }
    for (int i = 0; i < rs->nkeys && rc == 0; i++) {
        if (rs->keys[i].l.failed) {
            *err = rs->keys[i].l.err;
            ou_err_prefix(err, "project %s: ", rs->keys[i].project);
            rc = err->cat;
        }
    }
    return rc == 0 ? service_accounts(rs, err) : rc;
}

static void resolve_release(struct resolve *rs)
{
    orglist_release(&rs->projects);
    orglist_release(&rs->users);
    for (int i = 0; i < rs->nkeys; i++) {
        orglist_release(&rs->keys[i].l);
        buf_release(&rs->keys[i].path);
    }
    free(rs->keys);
    for (int i = 0; i < rs->nsas; i++) {
        orglist_release(&rs->sas[i].l);
        buf_release(&rs->sas[i].path);
    }
    free(rs->sas);
    for (int i = 0; i < rs->npids; i++)
        free(rs->pids[i]);
    free(rs->pids);
}

static bool all_known(const struct names *n, const struct names_want *w)
{
    for (int k = NK_PROJECT; k < NK_COUNT; k++) {
        for (int i = 0; w->kind[k] && i < w->nids[k]; i++) {
            if (lookup(n, k, w->ids[k][i]) == NULL)
                return false;
        }
    }
    return true;
}

/* Ids the complete lists do not hold are remembered as unknown. */
static int note_unknown(struct names *n, const struct names_want *w)
{
    for (int k = NK_PROJECT; k < NK_COUNT; k++) {
        for (int i = 0; w->kind[k] && i < w->nids[k]; i++) {
            if (lookup(n, k, w->ids[k][i]) == NULL &&
                names_put(n, k, w->ids[k][i], "") != 0)
                return -1;
        }
    }
    return 0;
}

static bool from_cache(struct names *n, const struct names_want *want,
                       const char *path, const struct names_opts *o)
{
    struct names *cached = names_new();
    bool ok = cached != NULL &&
              names_cache_load(cached, path, o->now, o->ttl) &&
              all_known(cached, want) && names_merge(n, cached) == 0;

    names_free(cached);
    if (ok)
        msg_verbose("names from the cache %s", path);
    return ok;
}

int names_resolve(struct names *n, const struct names_want *want,
                  const struct names_opts *o, struct ou_err *err)
{
    char path[PATH_MAX];
    bool have_path = cache_path(o, path, sizeof(path)) == 0;
    struct resolve rs = { .want = want, .env = o->env };
    int rc;

    if (have_path && !o->refresh && from_cache(n, want, path, o))
        return 0;
    if ((rs.n = names_new()) == NULL)
        return ou_nomem(err);
    rc = fetch_lists(&rs, err);
    if (rc == 0 && note_unknown(rs.n, want) != 0)
        rc = ou_nomem(err);
    /* Whatever was read is used; only a complete read is cached. */
    if (names_merge(n, rs.n) != 0 && rc == 0)
        rc = ou_nomem(err);
    if (rc == 0 && have_path) {
        struct ou_err e2 = { OU_OK, "" };
        if (names_cache_save(rs.n, path, &e2) != 0)
            msg_warn("cannot write the name cache: %s", e2.msg);
        else
            msg_verbose("names cached in %s", path);
    }
    resolve_release(&rs);
    names_free(rs.n);
    return rc;
}
