/* page.c - the usage and costs page schema (see page.h), on the
 * exact-number JSON layer (json.h). */
#include "oaiusage/page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/apierror.h"
#include "oaiusage/buf.h"
#include "oaiusage/htab.h"
#include "oaiusage/json.h"

/* ---- field access with paths for error messages ---------------------- */

/* Where a value is, for messages: data[bi].results[ri] (-1 = absent).
 * Only formatted when an error is reported. */
struct path {
    int bi;
    int ri;
};

static const char *path_str(const struct path *p, char *buf, size_t size)
{
    if (p->bi < 0)
        snprintf(buf, size, "%s", "");
    else if (p->ri < 0)
        snprintf(buf, size, "data[%d]", p->bi);
    else
        snprintf(buf, size, "data[%d].results[%d]", p->bi, p->ri);
    return buf;
}

static int bad_type(struct ou_err *err, const struct path *p, const char *field,
                    const char *want, const cJSON *got)
{
    char pb[64];
    const char *ps = path_str(p, pb, sizeof(pb));
    return ou_fail(err, OU_E_DATA, "%s%s%s: expected %s, got %s", ps,
                   ps[0] && field ? "." : "", field ? field : "", want,
                   json_type_name(got));
}

/* ---- a result's fields, found in one pass ----------------------------------
 *
 * Looking up each of a result's ~20 fields by name would scan its members
 * ~20 times. Instead every member is looked up once in a hash table of the
 * endpoint's field names, built per page.
 */

enum fkind {
    FK_NONE = 0,
    FK_OBJECT,
    FK_GROUP,
    FK_METRIC,
    FK_PARENT,
    FK_HINT, /* a field that names a group's id (index: the group) */
    FK_QUIET /* known, and nothing to report */
};

struct fslot {
    const char *name;
    enum fkind kind;
    int index; /* group or metric index; FK_PARENT: parent slot */
};

#define FMAP_PARENTS 4
#define FMAP_QUIET 4
#define FMAP_SLOTS \
    (1 + 2 * EP_MAX_GROUPS + 2 * EP_MAX_METRICS + FMAP_PARENTS + FMAP_QUIET)

struct field_map {
    struct htab tab; /* name -> struct fslot */
    struct fslot slot[FMAP_SLOTS];
    int nslots;
    const char *parent[FMAP_PARENTS];
    int nparents;
};

static bool fslot_eq(const void *entry, const void *key)
{
    return strcmp(((const struct fslot *)entry)->name, key) == 0;
}

/* Map a name (the first meaning wins). -1 when out of memory. */
static int fmap_add(struct field_map *fm, const char *name, enum fkind k,
                    int index)
{
    uint64_t h = hash_str(name);

    if (htab_reserve(&fm->tab) != 0)
        return -1;
    size_t i = htab_probe(&fm->tab, h, fslot_eq, name);
    if (fm->tab.entry[i] != NULL || fm->nslots == FMAP_SLOTS)
        return 0;
    fm->slot[fm->nslots] = (struct fslot){ name, k, index };
    htab_set(&fm->tab, i, h, &fm->slot[fm->nslots++]);
    return 0;
}

static const struct fslot *fmap_find(const struct field_map *fm,
                                     const char *name)
{
    return htab_find(&fm->tab, hash_str(name), fslot_eq, name);
}

static int fmap_parent(struct field_map *fm, const char *parent)
{
    int k = 0;
    while (k < fm->nparents && strcmp(fm->parent[k], parent) != 0)
        k++;
    if (k == fm->nparents && k < FMAP_PARENTS) {
        fm->parent[fm->nparents++] = parent;
        return fmap_add(fm, parent, FK_PARENT, k);
    }
    return 0;
}

static int field_map_init(struct field_map *fm, const struct endpoint *ep)
{
    int rc = 0;

    memset(fm, 0, sizeof(*fm));
    rc |= fmap_add(fm, "object", FK_OBJECT, 0);
    for (int g = 0; g < ep->ngroups; g++) {
        const struct group_desc *gd = &ep->groups[g];
        if (gd->derived == DG_NONE)
            rc |= fmap_add(fm, gd->name, FK_GROUP, g);
        if (gd->name_field != NULL)
            rc |= fmap_add(fm, gd->name_field, FK_HINT, g);
    }
    for (int k = 0; ep->quiet_fields != NULL && ep->quiet_fields[k]; k++)
        rc |= fmap_add(fm, ep->quiet_fields[k], FK_QUIET, 0);
    for (int m = 0; m < ep->nmetrics; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        if (md->parent != NULL) {
            rc |= fmap_parent(fm, md->parent);
            continue;
        }
        rc |= fmap_add(fm, md->field, FK_METRIC, m);
        if (md->alt != NULL)
            rc |= fmap_add(fm, md->alt, FK_METRIC, m + EP_MAX_METRICS);
    }
    return rc;
}

/* What one page's parse needs: the schema, the sink, the result. */
struct page_ctx {
    const struct endpoint *ep;
    const struct page_sink *sink;
    struct page_info *info;
    struct field_map fm;
    struct record rec;
    struct buf derived; /* the current result's derived strings */
};

static int read_group(const cJSON *v, const struct group_desc *g,
                      const struct path *p, const char **out,
                      struct ou_err *err)
{
    *out = NULL;
    if (v == NULL || cJSON_IsNull(v))
        return 0;
    if (g->type == GT_BOOL) {
        if (!cJSON_IsBool(v))
            return bad_type(err, p, g->name, "a boolean or null", v);
        *out = cJSON_IsTrue(v) ? "true" : "false";
        return 0;
    }
    if (!cJSON_IsString(v))
        return bad_type(err, p, g->name, "a string or null", v);
    *out = v->valuestring;
    return 0;
}

static int read_metric(const cJSON *v, const struct metric_desc *m, int i,
                       const struct path *p, struct record *rec,
                       struct ou_err *err)
{
    char fname[128];
    bool missing = v == NULL || cJSON_IsNull(v);

    rec->present[i] = true;
    switch (m->kind) {
    case MK_INT:
        rec->ival[i] = 0;
        if (missing)
            return 0;
        if (cJSON_IsNumber(v) && json_int64(v, &rec->ival[i]))
            return 0;
        break;
    case MK_DEC:
        rec->dval[i] = DEC_ZERO;
        if (missing) {
            rec->present[i] = !m->nullable;
            return 0;
        }
        if (cJSON_IsNumber(v) || cJSON_IsString(v)) {
            const char *s = v->valuestring;
            if (s != NULL && dec_parse(s, strlen(s), &rec->dval[i]) == DEC_OK)
                return 0;
        }
        break;
    case MK_TEXT:
        rec->text[i] = NULL;
        if (missing) {
            rec->present[i] = false;
            return 0;
        }
        if (cJSON_IsString(v)) {
            rec->text[i] = v->valuestring;
            return 0;
        }
        break;
    }

    /* The error, with the field's full name. */
    char pb[64];
    if (m->parent != NULL)
        snprintf(fname, sizeof(fname), "%s.%s", m->parent, m->field);
    else
        snprintf(fname, sizeof(fname), "%s", m->field);
    if (m->kind == MK_INT && cJSON_IsNumber(v) &&
        strspn(v->valuestring + (v->valuestring[0] == '-'), "0123456789") ==
            strlen(v->valuestring + (v->valuestring[0] == '-')))
        return ou_fail(err, OU_E_DATA,
                       "%s.%s: %.40s is out of range (beyond a 64-bit integer)",
                       path_str(p, pb, sizeof(pb)), fname, v->valuestring);
    if (m->kind == MK_INT)
        return bad_type(err, p, fname, "an integer", v);
    if (m->kind == MK_TEXT)
        return bad_type(err, p, fname, "a string or null", v);
    const char *s = v->valuestring;
    if (cJSON_IsString(v))
        return ou_fail(err, OU_E_DATA,
                       "%s.%s: \"%.40s\" is not a decimal number",
                       path_str(p, pb, sizeof(pb)), fname, s != NULL ? s : "");
    if (cJSON_IsNumber(v))
        return ou_fail(err, OU_E_DATA,
                       "%s.%s: number %.40s is outside the exact range",
                       path_str(p, pb, sizeof(pb)), fname, s != NULL ? s : "");
    return bad_type(err, p, fname, "a number or a numeric string", v);
}

/* The value of metric md in a result: its own member, an older name of
 * it, or a field of its parent object. */
static int metric_value(const struct field_map *fm,
                        const struct metric_desc *md, const cJSON *own,
                        const cJSON *const *parent, const struct path *p,
                        const cJSON **v, struct ou_err *err)
{
    *v = own;
    if (md->parent == NULL)
        return 0;
    int k = 0;
    while (k < fm->nparents && strcmp(fm->parent[k], md->parent) != 0)
        k++;
    const cJSON *h = k < fm->nparents ? parent[k] : NULL;
    if (h != NULL && !cJSON_IsNull(h) && !cJSON_IsObject(h))
        return bad_type(err, p, md->parent, "an object or null", h);
    *v = cJSON_IsObject(h) ? cJSON_GetObjectItemCaseSensitive(h, md->field)
                           : NULL;
    return 0;
}

/* What a result holds, found in one pass over its members. */
struct members {
    const cJSON *obj;
    const cJSON *gv[EP_MAX_GROUPS];
    const cJSON *hint[EP_MAX_GROUPS];
    const cJSON *mv[EP_MAX_METRICS];
    const cJSON *alt[EP_MAX_METRICS];
    const cJSON *parent[FMAP_PARENTS];
};

/* A member this version does not know: noticed, never an error. */
static int unknown_member(struct page_ctx *pc, const cJSON *c,
                          struct ou_err *err)
{
    const struct page_sink *sk = pc->sink;

    if (sk->unknown == NULL || cJSON_IsNull(c))
        return 0;
    return sk->unknown(sk->ctx, c->string, json_number_text(c), err);
}

static int sort_members(const cJSON *res, struct page_ctx *pc,
                        struct members *mb, struct ou_err *err)
{
    memset(mb, 0, sizeof(*mb));
    /* With duplicate keys the first wins. */
    for (const cJSON *c = res->child; c != NULL; c = c->next) {
        const struct fslot *f = c->string ? fmap_find(&pc->fm, c->string)
                                          : NULL;
        const cJSON **slot = NULL;
        if (f == NULL) {
            int rc = unknown_member(pc, c, err);
            if (rc != 0)
                return rc;
            continue;
        }
        switch (f->kind) {
        case FK_OBJECT:
            slot = &mb->obj;
            break;
        case FK_GROUP:
            slot = &mb->gv[f->index];
            break;
        case FK_HINT:
            slot = &mb->hint[f->index];
            break;
        case FK_PARENT:
            slot = &mb->parent[f->index];
            break;
        case FK_METRIC:
            slot = f->index >= EP_MAX_METRICS
                       ? &mb->alt[f->index - EP_MAX_METRICS]
                       : &mb->mv[f->index];
            break;
        case FK_QUIET:
        case FK_NONE:
            break;
        }
        if (slot != NULL && *slot == NULL)
            *slot = c;
    }
    return 0;
}

/* The group fields the client derives (record.h). */
static int derive_groups(struct page_ctx *pc, struct ou_err *err)
{
    return record_derive(pc->ep, &pc->rec, &pc->derived) != 0 ? ou_nomem(err)
                                                              : 0;
}

static int check_object(const struct members *mb, struct page_ctx *pc,
                        const struct path *p, struct ou_err *err)
{
    const struct page_sink *sk = pc->sink;
    const cJSON *obj = mb->obj;

    if (obj == NULL || (cJSON_IsString(obj) &&
                        strcmp(obj->valuestring, pc->ep->result_object) == 0))
        return 0;
    if (!cJSON_IsString(obj))
        return bad_type(err, p, "object", "a string", obj);
    /* A result type this version does not know: its known fields count,
     * and it is reported. */
    return sk->unknown != NULL
               ? sk->unknown(sk->ctx, "object", obj->valuestring, err)
               : 0;
}

static int parse_result(const cJSON *res, struct page_ctx *pc,
                        const struct path *p, struct ou_err *err)
{
    const struct endpoint *ep = pc->ep;
    struct record *rec = &pc->rec;
    struct members mb;
    int rc;

    if (!cJSON_IsObject(res))
        return bad_type(err, p, NULL, "an object", res);
    if ((rc = sort_members(res, pc, &mb, err)) != 0 ||
        (rc = check_object(&mb, pc, p, err)) != 0)
        return rc;
    for (int g = 0; g < ep->ngroups; g++) {
        const cJSON *h = mb.hint[g];
        rec->hint[g] = h != NULL && cJSON_IsString(h) ? h->valuestring : NULL;
        rc = read_group(mb.gv[g], &ep->groups[g], p, &rec->group[g], err);
        if (rc != 0)
            return rc;
    }
    if ((rc = derive_groups(pc, err)) != 0)
        return rc;
    for (int m = 0; m < ep->nmetrics; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        const cJSON *v;
        rc = metric_value(&pc->fm, md, mb.mv[m] != NULL ? mb.mv[m] : mb.alt[m],
                          mb.parent, p, &v, err);
        if (rc == 0)
            rc = read_metric(v, md, m, p, rec, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int parse_bucket(const cJSON *b, int bi, struct page_ctx *pc,
                        struct ou_err *err)
{
    const struct page_sink *sink = pc->sink;
    struct path p = { bi, -1 };
    const cJSON *st;
    const cJSON *et;
    const cJSON *results;
    int64_t start;
    int64_t end;
    int rc;

    if (!cJSON_IsObject(b))
        return bad_type(err, &p, NULL, "a bucket object", b);
    const cJSON *bo = cJSON_GetObjectItemCaseSensitive(b, "object");
    if (bo != NULL &&
        (!cJSON_IsString(bo) || strcmp(bo->valuestring, "bucket") != 0))
        return bad_type(err, &p, "object", "\"bucket\"", bo);
    st = cJSON_GetObjectItemCaseSensitive(b, "start_time");
    et = cJSON_GetObjectItemCaseSensitive(b, "end_time");
    if (!cJSON_IsNumber(st) || !json_int64(st, &start))
        return bad_type(err, &p, "start_time", "an integer", st);
    if (!cJSON_IsNumber(et) || !json_int64(et, &end))
        return bad_type(err, &p, "end_time", "an integer", et);
    results = cJSON_GetObjectItemCaseSensitive(b, "results");
    if (results == NULL) /* the spec's schema said "result" until 2026 */
        results = cJSON_GetObjectItemCaseSensitive(b, "result");
    if (!cJSON_IsArray(results))
        return bad_type(err, &p, "results", "an array", results);
    if (sink->bucket != NULL) {
        rc = sink->bucket(sink->ctx, start, end, err);
        if (rc != 0)
            return rc;
    }
    int ri = 0;
    const cJSON *res;
    cJSON_ArrayForEach(res, results)
    {
        struct path rp = { bi, ri++ };
        pc->rec.start_time = start;
        pc->rec.end_time = end;
        rc = parse_result(res, pc, &rp, err);
        if (rc == 0 && sink->record != NULL)
            rc = sink->record(sink->ctx, &pc->rec, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The page's own fields: object, data (an array), has_more, next_page. */
static int parse_envelope(const cJSON *root, struct page_ctx *pc,
                          struct ou_err *err)
{
    static const struct path top = { -1, -1 };
    struct page_info *info = pc->info;
    const cJSON *obj;
    const cJSON *data;
    const cJSON *more;
    const cJSON *next;

    char api[512];

    if (!cJSON_IsObject(root))
        return bad_type(err, &top, NULL, "a page object", root);
    if (cJSON_GetObjectItemCaseSensitive(root, "data") == NULL &&
        api_error_in(root, api, sizeof(api)))
        return ou_fail(err, OU_E_API, "the API answered with an error: %s",
                       api);
    obj = cJSON_GetObjectItemCaseSensitive(root, "object");
    if (obj != NULL &&
        (!cJSON_IsString(obj) || strcmp(obj->valuestring, "page") != 0))
        return ou_fail(err, OU_E_DATA, "object: expected \"page\", got %.60s",
                       cJSON_IsString(obj) ? obj->valuestring
                                           : json_type_name(obj));
    data = cJSON_GetObjectItemCaseSensitive(root, "data");
    if (!cJSON_IsArray(data))
        return bad_type(err, &top, "data", "an array of buckets", data);
    more = cJSON_GetObjectItemCaseSensitive(root, "has_more");
    if (!cJSON_IsBool(more))
        return bad_type(err, &top, "has_more", "a boolean", more);
    info->has_more = cJSON_IsTrue(more);
    next = cJSON_GetObjectItemCaseSensitive(root, "next_page");
    if (next != NULL && !cJSON_IsNull(next)) {
        if (!cJSON_IsString(next))
            return bad_type(err, &top, "next_page", "a string or null", next);
        if (strlen(next->valuestring) > PAGE_MAX_CURSOR)
            return ou_fail(err, OU_E_DATA,
                           "next_page: cursor longer than %d bytes",
                           PAGE_MAX_CURSOR);
        if (next->valuestring[0] != '\0') {
            info->next_page = strdup(next->valuestring);
            if (info->next_page == NULL)
                return ou_nomem(err);
        }
    }
    return 0;
}

/* Every bucket of a page parsed whole. */
static int parse_buckets(const cJSON *root, struct page_ctx *pc,
                         struct ou_err *err)
{
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    const cJSON *b;
    int bi = 0;
    int rc = 0;

    cJSON_ArrayForEach(b, data)
    {
        rc = parse_bucket(b, bi++, pc, err);
        if (rc != 0)
            break;
    }
    pc->info->nbuckets = bi;
    return rc;
}

/* ---- the page, one bucket at a time ----------------------------------------
 *
 * A page's tree is several times the page's size. The scan locates the
 * elements of "data", so the envelope (with "data" emptied) and each bucket
 * are parsed on their own: memory holds one bucket's tree. A body the scan
 * cannot split is parsed whole, which gives the precise error.
 */

static int parse_split(char *body, size_t len, struct page_ctx *pc,
                       const struct json_scan *sc, struct ou_err *err)
{
    cJSON *root = json_parse_envelope(body, len, sc, err);
    int rc = root != NULL ? parse_envelope(root, pc, err) : (int)err->cat;
    size_t k = 0;

    json_tree_end(root);
    for (size_t e = 0; e < sc->nelem && rc == 0; e++) {
        size_t a = sc->elem[2 * e];
        size_t b = sc->elem[2 * e + 1];
        while (k < sc->nnum && sc->num[k] < a)
            k++; /* the envelope's own numbers */
        root = json_parse_range(body, a, b, sc, &k, err);
        if (root == NULL) {
            ou_err_prefix(err, "data[%zu]: ", e);
            rc = err->cat;
        } else {
            rc = parse_bucket(root, (int)e, pc, err);
        }
        json_tree_end(root);
    }
    pc->info->nbuckets = (int)sc->nelem;
    return rc;
}

/* Why a body the scan refused is not a page: cJSON's verdict on the
 * structure first, then the scan's. */
static int explain(char *body, size_t len, const struct json_scan *sc,
                   const struct ou_err *scan_err, struct ou_err *err)
{
    if (scan_err->cat == OU_E_NOMEM) {
        *err = *scan_err;
        return err->cat;
    }
    cJSON *root = json_parse(body, len, err);
    json_tree_end(root);
    if (root != NULL || sc->precise || err->cat == OU_E_NOMEM)
        *err = *scan_err;
    return err->cat;
}

int page_parse(char *body, size_t len, const struct endpoint *ep,
               const struct page_sink *sink, struct page_info *info,
               struct ou_err *err)
{
    struct page_ctx *pc = calloc(1, sizeof(*pc));
    struct json_scan sc;
    struct ou_err scan_err = { OU_OK, "" };
    int rc;

    info->has_more = false;
    info->next_page = NULL;
    info->nbuckets = 0;
    if (pc == NULL)
        return ou_nomem(err);
    pc->ep = ep;
    pc->sink = sink;
    pc->info = info;
    if (field_map_init(&pc->fm, ep) != 0) {
        rc = ou_nomem(err);
    } else if (len == 0) {
        rc = ou_fail(err, OU_E_DATA, "empty response body");
    } else if (json_scan(body, len, "data", &sc, &scan_err) != 0) {
        rc = explain(body, len, &sc, &scan_err, err);
        json_scan_free(&sc);
    } else if (sc.split) {
        rc = parse_split(body, len, pc, &sc, err);
        json_scan_free(&sc);
    } else {
        size_t k = 0;
        cJSON *root = json_parse_range(body, 0, len, &sc, &k, err);
        rc = root != NULL ? parse_envelope(root, pc, err) : (int)err->cat;
        if (rc == 0 && root != NULL)
            rc = parse_buckets(root, pc, err);
        json_tree_end(root);
        json_scan_free(&sc);
    }
    htab_release(&pc->fm.tab);
    buf_release(&pc->derived);
    free(pc);
    return rc;
}
