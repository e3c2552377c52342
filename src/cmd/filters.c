/* filters.c - filter values given by name, as ids (see session.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/msg.h"
#include "oaiusage/session.h"
#include "oaiusage/text.h"

/* The name kind a filter's values are ids of, or NK_NONE. */
static enum name_kind kind_of(const struct endpoint *ep,
                              const struct filter_desc *fd)
{
    int g = fd->field != NULL ? endpoint_group_index(ep, fd->field) : -1;
    return g >= 0 ? ep->groups[g].names : NK_NONE;
}

/* Does the value look like an id of its kind? */
static bool id_like(enum name_kind k, const char *v)
{
    switch (k) {
    case NK_PROJECT:
        return strncmp(v, "proj_", 5) == 0;
    case NK_USER:
        return strncmp(v, "user-", 5) == 0 || strncmp(v, "svc_acct_", 9) == 0;
    case NK_API_KEY:
        return strncmp(v, "key_", 4) == 0;
    default:
        return true;
    }
}

static const char *kind_word(enum name_kind k)
{
    return k == NK_PROJECT ? "project" : k == NK_USER ? "user" : "API key";
}

/* Every (id, name) of one kind, gathered from a struct names. */
struct pairs {
    enum name_kind kind;
    const char **id;
    const char **name;
    size_t n, cap;
};

static int gather(void *ctx, enum name_kind k, const char *id, const char *name)
{
    struct pairs *p = ctx;

    if (k != p->kind)
        return 0;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        const char **a = realloc(p->id, cap * sizeof(*a));
        if (a == NULL)
            return -1;
        p->id = a;
        const char **b = realloc(p->name, cap * sizeof(*b));
        if (b == NULL)
            return -1;
        p->name = b;
        p->cap = cap;
    }
    p->id[p->n] = id;
    p->name[p->n++] = name;
    return 0;
}

/* One value as ids (appended to out): an id as it is, a name as the ids
 * it names. */
static int resolve_value(const struct pairs *p, const char *v,
                         const char *option, struct strlist *out,
                         struct ou_err *err)
{
    size_t hits = 0, first = 0;
    char cands[512] = "";

    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->id[i], v) == 0)
            goto keep;
    }
    for (size_t i = 0; i < p->n; i++) {
        if (p->name[i] == NULL || strcmp(p->name[i], v) != 0)
            continue;
        if (hits++ == 0)
            first = i;
        snprintf(cands + strlen(cands), sizeof(cands) - strlen(cands), "%s%s",
                 hits > 1 ? ", " : "", p->id[i]);
    }
    if (hits > 1)
        return ou_fail(err, OU_E_USAGE,
                       "option '--%s': %zu %ss are named \"%s\": give one of "
                       "their ids (%s)",
                       option, hits, kind_word(p->kind), v, cands);
    if (hits == 1) {
        msg_verbose("--%s \"%s\" is %s", option, v, p->id[first]);
        v = p->id[first];
        goto keep;
    }
    {
        /* Neither an id nor a name the organization has: say so (the
         * API would answer with nothing, which reads as "no usage"). */
        const char *guess = text_closest(v, p->name, p->n);
        if (guess == NULL)
            guess = text_closest(v, p->id, p->n);
        if (guess != NULL)
            msg_warn("--%s %s: no %s has this id or name; did you mean "
                     "\"%s\"?",
                     option, v, kind_word(p->kind), guess);
        else
            msg_warn("--%s %s: no %s has this id or name (the report will "
                     "be empty for it)",
                     option, v, kind_word(p->kind));
    }
keep:;
    char **nv = realloc(out->v, (size_t)(out->n + 1) * sizeof(*nv));
    if (nv == NULL)
        return ou_nomem(err);
    out->v = nv;
    if ((out->v[out->n] = strdup(v)) == NULL)
        return ou_nomem(err);
    out->n++;
    return 0;
}

/* The organization's names of kind k: live (the lists, cached as --names
 * caches them) or from the store. */
static int names_of(struct session *s, enum name_kind k, bool need,
                    struct names *names, bool *have, struct ou_err *err)
{
    struct ou_err e2 = { OU_OK, "" };
    struct names_want want;
    int rc;

    *have = false;
    memset(&want, 0, sizeof(want));
    want.kind[k] = true;
    if (s->store != NULL) {
        rc = store_get_names(s->store, s->org, names, &e2);
    } else {
        struct names_opts o = {
            &s->env, s->key, s->now, OU_NAMES_TTL_S, s->cfg->refresh_names, NULL
        };
        /* A cached key list may hold only some projects' keys (a
         * --names report's): names of keys are looked up afresh. */
        o.refresh |= k == NK_API_KEY;
        rc = names_resolve(names, &want, &o, &e2);
        /* A cache made for another report may lack this kind: read the
         * lists then. */
        if (rc == 0 && names_count(names, k) == 0 && !o.refresh) {
            o.refresh = true;
            rc = names_resolve(names, &want, &o, &e2);
        }
    }
    if (rc == 0) {
        *have = true;
        return 0;
    }
    if (need || e2.cat == OU_E_NOMEM) {
        *err = e2;
        ou_err_prefix(err, "cannot read the %s names a filter needs: ",
                      kind_word(k));
        return rc;
    }
    msg_warn("cannot check the %s filter against the organization: %s",
             kind_word(k), e2.msg);
    return 0;
}

int session_resolve_filters(struct session *s, struct query *q,
                            struct filter_ids *fr, struct ou_err *err)
{
    int rc = 0;

    for (int i = 0; i < q->nfilters && rc == 0; i++) {
        struct filter_values *fv = &q->filters[i];
        enum name_kind k = kind_of(q->ep, fv->desc);
        bool named = false;
        if (k == NK_NONE || fv->desc->kind != FK_LIST)
            continue;
        for (int j = 0; j < fv->nvalues; j++)
            named |= !id_like(k, fv->values[j]);
        /* Ids alone are checked against the cheap lists; API keys only
         * when a name must be resolved (every project's keys). */
        if (!named && k == NK_API_KEY)
            continue;
        struct names *names = names_new();
        struct pairs p = { k, NULL, NULL, 0, 0 };
        if (names == NULL)
            return ou_nomem(err);
        bool have = false;
        rc = names_of(s, k, named, names, &have, err);
        if (rc == 0 && names_each(names, gather, &p) != 0)
            rc = ou_nomem(err);
        struct strlist *out = &fr->values[i];
        for (int j = 0; rc == 0 && have && j < fv->nvalues; j++)
            rc = resolve_value(&p, fv->values[j], fv->desc->option, out, err);
        if (rc == 0 && have) {
            fv->values = (const char *const *)out->v;
            fv->nvalues = out->n;
        }
        free(p.id);
        free(p.name);
        names_free(names);
    }
    return rc;
}

void filter_ids_release(struct filter_ids *fr)
{
    for (int i = 0; i < EP_MAX_FILTERS; i++) {
        for (int j = 0; j < fr->values[i].n; j++)
            free(fr->values[i].v[j]);
        free(fr->values[i].v);
    }
    memset(fr, 0, sizeof(*fr));
}
