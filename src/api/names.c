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

#include "oaiusage/buf.h"
#include "oaiusage/fetch.h"
#include "oaiusage/hash.h"
#include "oaiusage/msg.h"
#include "oaiusage/query.h"

#define CACHE_MAGIC "oaiusage-names 1"

struct entry {
    char *id;
    char *name;
};

struct map {
    struct entry *slot;
    size_t cap;   /* power of two */
    size_t n;
};

struct names {
    struct map m[NK_COUNT];
};


struct names *names_new(void)
{
    return calloc(1, sizeof(struct names));
}

static void map_clear(struct map *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->slot[i].id);
        free(m->slot[i].name);
    }
    free(m->slot);
    memset(m, 0, sizeof(*m));
}

void names_free(struct names *n)
{
    if (n == NULL)
        return;
    for (int k = 0; k < NK_COUNT; k++)
        map_clear(&n->m[k]);
    free(n);
}

/* The slot holding id, or the empty slot where it would go (cap > 0). */
static struct entry *slot_for(const struct map *m, const char *id)
{
    size_t j = hash_str(id) & (m->cap - 1);
    while (m->slot[j].id != NULL) {
        if (strcmp(m->slot[j].id, id) == 0)
            break;
        j = (j + 1) & (m->cap - 1);
    }
    return &m->slot[j];
}

static struct entry *map_find(const struct map *m, const char *id)
{
    return m->cap == 0 ? NULL : slot_for(m, id);
}

static int map_grow(struct map *m)
{
    struct map bigger = { NULL, m->cap ? m->cap * 2 : 64, 0 };

    bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
    if (bigger.slot == NULL)
        return -1;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slot[i].id == NULL)
            continue;
        *slot_for(&bigger, m->slot[i].id) = m->slot[i];
        bigger.n++;
    }
    free(m->slot);
    *m = bigger;
    return 0;
}

/* An entry with an empty name records an id the lists do not know (a
 * deleted project, a rotated key): it is "known to be unknown", so a cache
 * holding it is complete without naming it. */
static const struct entry *lookup(const struct names *n, enum name_kind k,
                                  const char *id)
{
    if (n == NULL || id == NULL || k <= NK_NONE || k >= NK_COUNT)
        return NULL;
    const struct entry *e = map_find(&n->m[k], id);
    return e != NULL && e->id != NULL ? e : NULL;
}

const char *names_get(const struct names *n, enum name_kind k, const char *id)
{
    const struct entry *e = lookup(n, k, id);
    return e != NULL && e->name[0] != '\0' ? e->name : NULL;
}

int names_put(struct names *n, enum name_kind k, const char *id,
              const char *name)
{
    struct map *m;

    if (k <= NK_NONE || k >= NK_COUNT || id == NULL || name == NULL)
        return 0;
    m = &n->m[k];
    if ((m->n + 1) * 2 > m->cap && map_grow(m) != 0)
        return -1;
    struct entry *e = slot_for(m, id);
    char *nm = strdup(name);
    if (nm == NULL)
        return -1;
    if (e->id == NULL) {
        e->id = strdup(id);
        if (e->id == NULL) {
            free(nm);
            return -1;
        }
        m->n++;
    }
    free(e->name);
    e->name = nm;
    return 0;
}

size_t names_count(const struct names *n, enum name_kind k)
{
    return k > NK_NONE && k < NK_COUNT ? n->m[k].n : 0;
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
    uint64_t h = hash_more(hash_str(o->base_url), "\n");
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

static void put_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '\\': fputs("\\\\", f); break;
        case '\t': fputs("\\t", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        default: fputc(*s, f); break;
        }
    }
}

static void unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s == '\\' && s[1] != '\0') {
            s++;
            *o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

static int cache_save(const struct names *n, const char *path)
{
    char tmp[PATH_MAX + 16];
    FILE *f;
    int fd;

    if (make_dirs(path) != 0)
        return -1;
    snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0)
        return -1;
    f = fdopen(fd, "w");
    if (f == NULL) {
        close(fd);
        unlink(tmp);
        return -1;
    }
    fprintf(f, "%s\n", CACHE_MAGIC);
    for (int k = NK_PROJECT; k < NK_COUNT; k++) {
        const struct map *m = &n->m[k];
        for (size_t i = 0; i < m->cap; i++) {
            if (m->slot[i].id == NULL)
                continue;
            fputc(kind_char[k], f);
            fputc('\t', f);
            put_escaped(f, m->slot[i].id);
            fputc('\t', f);
            put_escaped(f, m->slot[i].name);
            fputc('\n', f);
        }
    }
    if (fflush(f) != 0 || ferror(f) || fsync(fd) != 0) {
        fclose(f);
        unlink(tmp);
        return -1;
    }
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Load a cache younger than ttl into n; false when absent, stale or bad. */
static bool cache_load(struct names *n, const char *path, int64_t now,
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
    if (getline(&line, &cap, f) < 0 || strncmp(line, CACHE_MAGIC,
                                               strlen(CACHE_MAGIC)) != 0)
        goto out;
    ok = true;
    while (getline(&line, &cap, f) >= 0) {
        line[strcspn(line, "\n")] = '\0';
        char *id = strchr(line, '\t');
        char *name = id ? strchr(id + 1, '\t') : NULL;
        if (name == NULL) {
            ok = false;
            break;
        }
        *id++ = '\0';
        *name++ = '\0';
        unescape(id);
        unescape(name);
        int k = NK_NONE;
        for (int j = NK_PROJECT; j < NK_COUNT; j++) {
            if (line[0] == kind_char[j])
                k = j;
        }
        if (k <= NK_NONE || k >= NK_COUNT || names_put(n, k, id, name) != 0) {
            ok = false;
            break;
        }
    }
out:
    free(line);
    fclose(f);
    return ok;
}

/* ---- fetching the lists ----------------------------------------------------- */

struct collect {
    struct names *n;
    enum name_kind kind;
    char ***ids;        /* optional: also collect the ids (projects) */
    int *nids;
};

static int on_item(void *ctx, const struct list_value *v, struct ou_err *err)
{
    struct collect *c = ctx;
    /* fields: id, then the preferred name, then a fallback name */
    const char *name = v[1].kind == LV_STRING ? v[1].s
                       : v[2].kind == LV_STRING ? v[2].s
                                                : NULL;

    if (v[0].kind != LV_STRING)
        return ou_fail(err, OU_E_DATA, "a list item has no string id");
    if (name != NULL && names_put(c->n, c->kind, v[0].s, name) != 0)
        return ou_nomem(err);
    if (c->ids != NULL) {
        char **nv = realloc(*c->ids, sizeof(*nv) * (size_t)(*c->nids + 1));
        if (nv == NULL)
            return ou_nomem(err);
        *c->ids = nv;
        nv[*c->nids] = strdup(v[0].s);
        if (nv[*c->nids] == NULL)
            return ou_nomem(err);
        (*c->nids)++;
    }
    return 0;
}

static bool all_known(const struct names *n, const struct names_want *w)
{
    for (int k = NK_PROJECT; k < NK_COUNT; k++) {
        if (!w->kind[k])
            continue;
        for (int i = 0; i < w->nids[k]; i++) {
            if (lookup(n, k, w->ids[k][i]) == NULL)
                return false;
        }
    }
    return true;
}

static int fetch_all_names(struct names *n, const struct names_want *w,
                           const struct names_opts *o, struct ou_err *err)
{
    static const char *const project_fields[] = { "id", "name", "id" };
    static const char *const user_fields[] = { "id", "email", "name" };
    static const char *const key_fields[] = { "id", "name", "redacted_value" };
    struct list_fetch lf = { o->ctl, o->base_url, NULL, NULL, NULL, NULL, 3 };
    char **projects = NULL;
    int nprojects = 0;
    int rc = 0;
    int first_rc = 0;

    if (w->kind[NK_PROJECT] || w->kind[NK_API_KEY]) {
        struct collect c = { n, NK_PROJECT, &projects, &nprojects };
        lf.path = "/organization/projects";
        lf.extra = "include_archived=true";
        lf.what = "projects";
        lf.fields = project_fields;
        rc = fetch_list(&lf, on_item, &c, err);
        if (rc != 0)
            goto out;
    }
    if (w->kind[NK_USER]) {
        struct collect c = { n, NK_USER, NULL, NULL };
        lf.path = "/organization/users";
        lf.extra = NULL;
        lf.what = "users";
        lf.fields = user_fields;
        rc = fetch_list(&lf, on_item, &c, err);
        if (rc != 0)
            goto out;
    }
    if (w->kind[NK_API_KEY]) {
        /* The keys of the projects the report shows, or of every project;
         * a project the organization no longer lists has no key list. */
        const char *const *pids = w->nids[NK_PROJECT] > 0
                                      ? w->ids[NK_PROJECT]
                                      : (const char *const *)projects;
        int np = w->nids[NK_PROJECT] > 0 ? w->nids[NK_PROJECT] : nprojects;
        for (int i = 0; i < np; i++) {
            if (lookup(n, NK_PROJECT, pids[i]) == NULL)
                continue;
            struct collect c = { n, NK_API_KEY, NULL, NULL };
            struct buf path;
            struct ou_err e2 = { 0, "" };
            buf_init(&path, 0);
            if (buf_puts(&path, "/organization/projects/") != 0 ||
                url_encode(&path, pids[i]) != 0 ||
                buf_puts(&path, "/api_keys") != 0) {
                buf_release(&path);
                rc = ou_nomem(err);
                goto out;
            }
            lf.path = path.data;
            lf.extra = NULL;
            lf.what = "API keys";
            lf.fields = key_fields;
            int r = fetch_list(&lf, on_item, &c, &e2);
            buf_release(&path);
            if (r != 0 && first_rc == 0) {
                first_rc = r;
                *err = e2;
                ou_err_prefix(err, "project %s: ", pids[i]);
            }
        }
        rc = first_rc;
    }
out:
    for (int i = 0; i < nprojects; i++)
        free(projects[i]);
    free(projects);
    return rc;
}

int names_resolve(struct names *n, const struct names_want *want,
                  const struct names_opts *o, struct ou_err *err)
{
    char path[PATH_MAX];
    bool have_path = cache_path(o, path, sizeof(path)) == 0;
    struct names *fresh;
    int rc;

    if (have_path && !o->refresh) {
        struct names *cached = names_new();
        if (cached == NULL)
            return ou_nomem(err);
        if (cache_load(cached, path, o->now, o->ttl) &&
            all_known(cached, want)) {
            for (int k = NK_PROJECT; k < NK_COUNT; k++) {
                struct map tmp = n->m[k];
                n->m[k] = cached->m[k];
                cached->m[k] = tmp;
            }
            names_free(cached);
            msg_verbose("names from the cache %s", path);
            return 0;
        }
        names_free(cached);
    }
    fresh = names_new();
    if (fresh == NULL)
        return ou_nomem(err);
    rc = fetch_all_names(fresh, want, o, err);
    if (rc == 0) {
        /* Ids the complete lists do not hold are remembered as unknown. */
        for (int k = NK_PROJECT; k < NK_COUNT; k++) {
            for (int i = 0; want->kind[k] && i < want->nids[k]; i++) {
                if (lookup(fresh, k, want->ids[k][i]) == NULL &&
                    names_put(fresh, k, want->ids[k][i], "") != 0) {
                    names_free(fresh);
                    return ou_nomem(err);
                }
            }
        }
    }
    /* Whatever was read is used; only a complete read is cached. */
    for (int k = NK_PROJECT; k < NK_COUNT; k++) {
        struct map *m = &fresh->m[k];
        for (size_t i = 0; i < m->cap; i++) {
            if (m->slot[i].id != NULL &&
                names_put(n, k, m->slot[i].id, m->slot[i].name) != 0) {
                names_free(fresh);
                return ou_nomem(err);
            }
        }
    }
    if (rc == 0 && have_path) {
        if (cache_save(fresh, path) != 0)
            msg_warn("cannot write the name cache %s: %s", path,
                     strerror(errno));
        else
            msg_verbose("names cached in %s", path);
    }
    names_free(fresh);
    return rc;
}
