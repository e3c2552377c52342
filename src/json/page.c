/* page.c - one API page (JSON) into flat records, with cJSON. */
#include "oaiusage/page.h"

#include "oaiusage/arena.h"
#include "oaiusage/hash.h"
#include "oaiusage/secret.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- exact numbers ----------------------------------------------------
 *
 * cJSON keeps numbers only as doubles. To read them exactly we scan the
 * body once more after a successful parse: outside strings, each number
 * literal is one token, and tokens appear in the same order as cJSON's
 * number nodes in a depth-first walk. Each number node then gets its own
 * literal as valuestring (pointing into the body, NUL-terminated in place;
 * the node is flagged cJSON_IsReference, so the literal is never freed as
 * the node's own string).
 * The scan also enforces the nesting cap.
 */

struct numtoks {
    size_t *off;
    size_t n;
    size_t cap;
};

static bool is_num_char(char c)
{
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' ||
           c == 'e' || c == 'E';
}

/* The JSON number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool json_number(const char *s, size_t n)
{
    size_t i = 0;

    if (i < n && s[i] == '-')
        i++;
    if (i >= n || s[i] < '0' || s[i] > '9')
        return false;
    if (s[i] == '0')
        i++;
    else
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    if (i < n && s[i] == '.') {
        size_t d = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return false;
    }
    return i == n;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xE0) == 0xC0) {
        len = 2;
        cp = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        len = 3;
        cp = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        len = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static int scan_numbers(char *s, size_t len, size_t base, struct numtoks *t,
                        struct ou_err *err)
{
    int depth = 0;
    size_t i = 0;

    while (i < len) {
        char c = s[i];
        if (c == '"') {
            for (i++; i < len && s[i] != '"';) {
                /* Plain ASCII runs first: the common case, no checks. */
                while (i < len) {
                    unsigned char u = (unsigned char)s[i];
                    if (u == '"' || u == '\\' || u >= 0x80)
                        break;
                    i++;
                }
                if (i >= len || s[i] == '"')
                    break;
                if (s[i] == '\\') {
                    if (i + 5 < len && memcmp(s + i, "\\u0000", 6) == 0)
                        return ou_fail(err, OU_E_DATA,
                                          "a string holds a NUL character "
                                          "(\\u0000) at byte offset %zu",
                                          base + i);
                    i += 2;
                    continue;
                }
                size_t n = utf8_len((const unsigned char *)s + i, len - i);
                if (n == 0)
                    return ou_fail(err, OU_E_DATA,
                                      "invalid UTF-8 at byte offset %zu",
                                      base + i);
                i += n;
            }
            i++;
        } else if (c == '{' || c == '[') {
            if (++depth > PAGE_MAX_DEPTH)
                return ou_fail(err, OU_E_DATA,
                                  "JSON nested deeper than %d levels at byte "
                                  "offset %zu",
                                  PAGE_MAX_DEPTH, base + i);
            i++;
        } else if (c == '}' || c == ']') {
            depth--;
            i++;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (t->n == t->cap) {
                size_t cap = t->cap ? t->cap * 2 : 256;
                size_t *p = realloc(t->off, cap * sizeof(*p));
                if (p == NULL)
                    return ou_nomem(err);
                t->off = p;
                t->cap = cap;
            }
            size_t start = i;
            t->off[t->n++] = i;
            while (i < len && is_num_char(s[i]))
                i++;
            if (!json_number(s + start, i - start))
                return ou_fail(err, OU_E_DATA,
                                  "invalid number literal '%.*s' at byte "
                                  "offset %zu",
                                  (int)(i - start > 40 ? 40 : i - start),
                                  s + start, base + start);
        } else {
            i++;
        }
    }
    return 0;
}

static int attach_numbers(cJSON *node, char *s, size_t len,
                          const struct numtoks *t, size_t *k,
                          struct ou_err *err)
{
    for (; node != NULL; node = node->next) {
        if (cJSON_IsNumber(node)) {
            if (*k >= t->n)
                return ou_fail(err, OU_E_DATA,
                                  "number literals do not match the parse");
            size_t off = t->off[(*k)++];
            size_t end = off;
            while (end < len && is_num_char(s[end]))
                end++;
            s[end] = '\0'; /* a delimiter, or the buffer's own NUL */
            node->valuestring = s + off;
            node->type |= cJSON_IsReference;
        } else if (node->child != NULL) {
            int rc = attach_numbers(node->child, s, len, t, k, err);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

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

static const char *type_name(const cJSON *v)
{
    if (v == NULL)
        return "nothing";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsObject(v))
        return "an object";
    return "an unknown value";
}

static int bad_type(struct ou_err *err, const struct path *p,
                    const char *field, const char *want, const cJSON *got)
{
    char pb[64];
    const char *ps = path_str(p, pb, sizeof(pb));
    return ou_fail(err, OU_E_DATA, "%s%s%s: expected %s, got %s", ps,
                      ps[0] && field ? "." : "", field ? field : "", want,
                      type_name(got));
}

/* Read an exact int64 from a number node. */
static bool node_int64(const cJSON *v, int64_t *out)
{
    const char *s = v->valuestring;
    int64_t r = 0;
    bool neg = false;

    if (s == NULL)
        return false;
    if (*s == '-') {
        neg = true;
        s++;
    }
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        int d = *p - '0';
        if (r > (INT64_MAX - d) / 10)
            goto slow;
        r = r * 10 + d;
    }
    if (*p == '\0' && p != s) {
        *out = neg ? -r : r;
        return true;
    }
slow: {
        struct dec d;
        if (dec_parse(v->valuestring, strlen(v->valuestring), &d) != DEC_OK)
            return false;
        return dec_to_int64(&d, out);
    }
}

/* ---- a result's fields, found in one pass ----------------------------------
 *
 * Looking up each of a result's ~20 fields by name would scan its members
 * ~20 times. Instead every member is looked up once in a small hash table
 * of the endpoint's field names, built on first use.
 */

enum fkind { FK_NONE = 0, FK_OBJECT, FK_GROUP, FK_METRIC, FK_PARENT };

struct fslot {
    const char *name;
    enum fkind kind;
    int index;       /* group or metric index; FK_PARENT: parent slot */
};

#define FMAP_SIZE 64     /* power of two, > 2 x the fields of any endpoint */
#define FMAP_PARENTS 4

struct field_map {
    const struct endpoint *ep;
    struct fslot slot[FMAP_SIZE];
    const char *parent[FMAP_PARENTS];
    int nparents;
};

static uint32_t name_hash(const char *s)
{
    return (uint32_t)hash_str(s);
}

static void fmap_add(struct field_map *fm, const char *name, enum fkind k,
                     int index)
{
    uint32_t j = name_hash(name) & (FMAP_SIZE - 1);
    while (fm->slot[j].name != NULL) {
        if (strcmp(fm->slot[j].name, name) == 0)
            return; /* the first meaning wins */
        j = (j + 1) & (FMAP_SIZE - 1);
    }
    fm->slot[j] = (struct fslot){ name, k, index };
}

static const struct fslot *fmap_find(const struct field_map *fm,
                                     const char *name)
{
    uint32_t j = name_hash(name) & (FMAP_SIZE - 1);
    while (fm->slot[j].name != NULL) {
        if (strcmp(fm->slot[j].name, name) == 0)
            return &fm->slot[j];
        j = (j + 1) & (FMAP_SIZE - 1);
    }
    return NULL;
}

static const struct field_map *field_map_of(const struct endpoint *ep)
{
    static struct field_map maps[16];
    static int nmaps;

    for (int i = 0; i < nmaps; i++) {
        if (maps[i].ep == ep)
            return &maps[i];
    }
    struct field_map *fm = nmaps < 16 ? &maps[nmaps++] : &maps[15];
    memset(fm, 0, sizeof(*fm));
    fm->ep = ep;
    fmap_add(fm, "object", FK_OBJECT, 0);
    for (int g = 0; g < ep->ngroups; g++)
        fmap_add(fm, ep->groups[g].name, FK_GROUP, g);
    for (int m = 0; m < ep->nmetrics; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        if (md->parent == NULL) {
            fmap_add(fm, md->field, FK_METRIC, m);
            if (md->alt != NULL)
                fmap_add(fm, md->alt, FK_METRIC, m + EP_MAX_METRICS);
            continue;
        }
        int k = 0;
        while (k < fm->nparents && strcmp(fm->parent[k], md->parent) != 0)
            k++;
        if (k == fm->nparents && k < FMAP_PARENTS) {
            fm->parent[fm->nparents++] = md->parent;
            fmap_add(fm, md->parent, FK_PARENT, k);
        }
    }
    return fm;
}

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
        if (cJSON_IsNumber(v) && node_int64(v, &rec->ival[i]))
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
    if (m->kind == MK_INT)
        return bad_type(err, p, fname, "an integer", v);
    if (m->kind == MK_TEXT)
        return bad_type(err, p, fname, "a string or null", v);
    const char *s = v->valuestring;
    if (cJSON_IsString(v))
        return ou_fail(err, OU_E_DATA,
                          "%s.%s: \"%.40s\" is not a decimal number",
                          path_str(p, pb, sizeof(pb)), fname,
                          s != NULL ? s : "");
    if (cJSON_IsNumber(v))
        return ou_fail(err, OU_E_DATA,
                          "%s.%s: number %.40s is outside the exact range",
                          path_str(p, pb, sizeof(pb)), fname,
                          s != NULL ? s : "");
    return bad_type(err, p, fname, "a number or a numeric string", v);
}

static int parse_result(const cJSON *res, const struct endpoint *ep,
                        const struct field_map *fm, const struct path *p,
                        struct record *rec, struct ou_err *err)
{
    const cJSON *obj = NULL;
    const cJSON *gv[EP_MAX_GROUPS] = { 0 };
    const cJSON *mv[EP_MAX_METRICS] = { 0 };
    const cJSON *alt[EP_MAX_METRICS] = { 0 };
    const cJSON *parent[FMAP_PARENTS] = { 0 };
    int rc;

    if (!cJSON_IsObject(res))
        return bad_type(err, p, NULL, "an object", res);
    /* One pass over the members; with duplicate keys the first wins. */
    for (const cJSON *c = res->child; c != NULL; c = c->next) {
        const struct fslot *f = c->string ? fmap_find(fm, c->string) : NULL;
        if (f == NULL)
            continue; /* unknown fields are ignored */
        const cJSON **slot = f->kind == FK_OBJECT   ? &obj
                             : f->kind == FK_GROUP  ? &gv[f->index]
                             : f->kind == FK_PARENT ? &parent[f->index]
                             : f->index >= EP_MAX_METRICS
                                 ? &alt[f->index - EP_MAX_METRICS]
                                 : &mv[f->index];
        if (*slot == NULL)
            *slot = c;
    }
    if (obj != NULL && (!cJSON_IsString(obj) ||
                        strcmp(obj->valuestring, ep->result_object) != 0))
        return ou_fail(err, OU_E_DATA,
                          "%s.object: expected \"%s\", got %s%.60s%s",
                          path_str(p, (char[64]){ 0 }, 64), ep->result_object,
                          cJSON_IsString(obj) ? "\"" : "",
                          cJSON_IsString(obj) ? obj->valuestring
                                              : type_name(obj),
                          cJSON_IsString(obj) ? "\"" : "");
    for (int g = 0; g < ep->ngroups; g++) {
        rc = read_group(gv[g], &ep->groups[g], p, &rec->group[g], err);
        if (rc != 0)
            return rc;
    }
    for (int m = 0; m < ep->nmetrics; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        const cJSON *v = mv[m] != NULL ? mv[m] : alt[m];
        if (md->parent != NULL) {
            int k = 0;
            while (k < fm->nparents && strcmp(fm->parent[k], md->parent) != 0)
                k++;
            const cJSON *h = k < fm->nparents ? parent[k] : NULL;
            if (h != NULL && !cJSON_IsNull(h) && !cJSON_IsObject(h))
                return bad_type(err, p, md->parent, "an object or null", h);
            v = cJSON_IsObject(h) ? cJSON_GetObjectItemCaseSensitive(h, md->field)
                                  : NULL;
        }
        rc = read_metric(v, md, m, p, rec, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int parse_bucket(const cJSON *b, int bi, const struct endpoint *ep,
                        const struct field_map *fm,
                        const struct page_sink *sink, struct record *rec,
                        struct ou_err *err)
{
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
    if (!cJSON_IsNumber(st) || !node_int64(st, &start))
        return bad_type(err, &p, "start_time", "an integer", st);
    if (!cJSON_IsNumber(et) || !node_int64(et, &end))
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
        rec->start_time = start;
        rec->end_time = end;
        rc = parse_result(res, ep, fm, &rp, rec, err);
        if (rc == 0 && sink->record != NULL)
            rc = sink->record(sink->ctx, rec, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int parse_envelope(cJSON *root, const struct endpoint *ep,
                          const struct page_sink *sink,
                          struct page_info *info, struct ou_err *err)
{
    static const struct path top = { -1, -1 };
    const cJSON *obj;
    const cJSON *data;
    const cJSON *more;
    const cJSON *next;
    struct record *rec;
    int rc = 0;

    if (!cJSON_IsObject(root))
        return bad_type(err, &top, NULL, "a page object", root);
    obj = cJSON_GetObjectItemCaseSensitive(root, "object");
    if (obj != NULL &&
        (!cJSON_IsString(obj) || strcmp(obj->valuestring, "page") != 0))
        return ou_fail(err, OU_E_DATA,
                          "object: expected \"page\", got %s",
                          cJSON_IsString(obj) ? obj->valuestring
                                              : type_name(obj));
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
    rec = calloc(1, sizeof(*rec));
    if (rec == NULL)
        return ou_nomem(err);
    int bi = 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, data)
    {
        rc = parse_bucket(b, bi++, ep, field_map_of(ep), sink, rec, err);
        if (rc != 0)
            break;
    }
    info->nbuckets = bi;
    free(rec);
    return rc;
}

/* The offset where brackets (outside strings) first nest deeper than the
 * cap, or 0. cJSON refuses such a body with a bare parse error; this says
 * why. */
static size_t too_deep(const char *s, size_t len)
{
    int depth = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"') {
            for (i++; i < len && s[i] != '"'; i++) {
                if (s[i] == '\\')
                    i++;
            }
        } else if (s[i] == '{' || s[i] == '[') {
            if (++depth > PAGE_MAX_DEPTH)
                return i;
        } else if (s[i] == '}' || s[i] == ']') {
            depth--;
        }
    }
    return 0;
}

/* ---- the parse tree's memory ------------------------------------------------
 *
 * A page's tree is hundreds of thousands of small nodes and key strings.
 * While a page is parsed, cJSON allocates them from an arena (its hooks are
 * set for the duration), and the whole tree is dropped at once afterwards:
 * twice cJSON's speed with malloc/free per node. The tool is single
 * threaded; nothing else uses cJSON while a tree is alive.
 */

static struct arena tree_arena;

static void *tree_malloc(size_t n)
{
    return arena_alloc(&tree_arena, n);
}

static void tree_free(void *p)
{
    (void)p; /* released with the arena */
}

static void tree_begin(void)
{
    cJSON_Hooks hooks = { tree_malloc, tree_free };
    cJSON_InitHooks(&hooks);
}

/* Drop a tree from parse_exact (root may be NULL) and restore malloc. The
 * arena keeps its memory for the next page (page_release frees it). */
static void tree_end(cJSON *root)
{
    (void)root;
    cJSON_InitHooks(NULL);
    arena_reset(&tree_arena);
}

void page_release(void)
{
    arena_release(&tree_arena);
}

/* Parse body into a tree whose number nodes carry their literal text.
 * Every successful or failed call is followed by tree_end(). */
static cJSON *parse_exact_at(char *body, size_t len, size_t base,
                             struct ou_err *err)
{
    const char *end = NULL;
    struct numtoks toks = { NULL, 0, 0 };
    cJSON *root;
    int rc;

    if (len == 0) {
        ou_fail(err, OU_E_DATA, "empty response body");
        return NULL;
    }
    tree_begin();
    root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
    if (root == NULL) {
        size_t off = end != NULL && end >= body ? (size_t)(end - body) : 0;
        size_t deep = too_deep(body, len);
        if (deep != 0) {
            ou_fail(err, OU_E_DATA,
                       "JSON nested deeper than %d levels at byte offset %zu",
                       PAGE_MAX_DEPTH, base + deep);
            return NULL;
        }
        size_t last = len;
        while (last > 0 && strchr(" \t\r\n", body[last - 1]) != NULL)
            last--;
        size_t first = strspn(body, " \t\r\n");
        bool opened = first < len && (body[first] == '{' || body[first] == '[');
        if (opened && (last == 0 || (body[last - 1] != '}' &&
                                     body[last - 1] != ']')))
            ou_fail(err, OU_E_DATA,
                       "response is not complete JSON: it stops after %zu "
                       "bytes inside a value (parse error at byte offset %zu)",
                       base + len, base + off);
        else
            ou_fail(err, OU_E_DATA,
                       "response is not valid JSON (byte offset %zu)",
                       base + off);
        return NULL;
    }
    for (size_t i = (size_t)(end - body); i < len; i++) {
        char c = body[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            ou_fail(err, OU_E_DATA,
                       "unexpected data after the JSON value at byte offset "
                       "%zu",
                       base + i);
            return NULL;
        }
    }
    rc = scan_numbers(body, len, base, &toks, err);
    if (rc == 0) {
        size_t k = 0;
        rc = attach_numbers(root, body, len, &toks, &k, err);
        if (rc == 0 && k != toks.n)
            rc = ou_fail(err, OU_E_DATA,
                            "number literals do not match the parse");
    }
    free(toks.off);
    if (rc != 0) {
        return NULL;
    }
    return root;
}

static cJSON *parse_exact(char *body, size_t len, struct ou_err *err)
{
    return parse_exact_at(body, len, 0, err);
}

/* ---- one bucket at a time ----------------------------------------------------
 *
 * A page's tree is several times the page's size. To keep memory at one
 * bucket's tree, the page is split structurally first: a small scanner finds
 * the top-level "data" array and the boundaries of its elements (checking
 * the commas between them), then the envelope (with "data" emptied) and
 * each bucket are parsed on their own. A body the splitter does not
 * recognise is parsed whole, which gives the precise error.
 */

static size_t skip_ws(const char *s, size_t i, size_t len)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
                       s[i] == '\n'))
        i++;
    return i;
}

/* The offset of the '"' that closes the string whose body starts at i, or
 * len when it does not close. */
static size_t string_close(const char *s, size_t i, size_t len)
{
    for (;;) {
        const char *q = i < len ? memchr(s + i, '"', len - i) : NULL;
        if (q == NULL)
            return len;
        size_t k = (size_t)(q - s);
        size_t bs = 0;
        while (k - bs > i && s[k - bs - 1] == '\\')
            bs++;
        if (bs % 2 == 0)
            return k; /* not escaped */
        i = k + 1;
    }
}

/* The end (one past) of the JSON value starting at i, or 0 if it does not
 * end inside the body or nests deeper than the cap (depth: the value's own
 * nesting level). Only brackets and strings are followed; cJSON checks the
 * rest. */
static size_t value_end(const char *s, size_t i, size_t len, int depth0)
{
    int depth = 0;

    if (i >= len)
        return 0;
    if (s[i] != '{' && s[i] != '[' && s[i] != '"') {
        while (i < len && s[i] != ',' && s[i] != '}' && s[i] != ']' &&
               s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            i++;
        return i;
    }
    for (; i < len; i++) {
        char c = s[i];
        if (c == '"') {
            i = string_close(s, i + 1, len);
            if (i >= len)
                return 0;
            if (depth == 0)
                return i + 1;
        } else if (c == '{' || c == '[') {
            if (++depth + depth0 > PAGE_MAX_DEPTH)
                return 0;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                return i + 1;
        }
    }
    return 0;
}

struct split {
    size_t open;          /* offset of the data array's '[' */
    size_t close;         /* offset of its ']' */
    size_t *elem;         /* start and end offset of each element */
    size_t n;
    size_t cap;
};

/* Find data's elements. false: not a shape the splitter knows. */
static bool split_page(const char *s, size_t len, struct split *sp)
{
    size_t i = skip_ws(s, 0, len);
    bool found = false;

    if (i >= len || s[i] != '{')
        return false;
    i = skip_ws(s, i + 1, len);
    if (i < len && s[i] == '}')
        return false;
    for (;;) {
        if (i >= len || s[i] != '"')
            return false;
        size_t kend = value_end(s, i, len, 1);
        if (kend == 0)
            return false;
        bool is_data = kend - i == 6 && memcmp(s + i, "\"data\"", 6) == 0;
        i = skip_ws(s, kend, len);
        if (i >= len || s[i] != ':')
            return false;
        i = skip_ws(s, i + 1, len);
        size_t vend = value_end(s, i, len, 1);
        if (vend == 0)
            return false;
        if (is_data && !found) {
            if (s[i] != '[')
                return false; /* a wrong type: the whole parse says so */
            found = true;
            sp->open = i;
            sp->close = vend - 1;
            size_t j = skip_ws(s, i + 1, len);
            while (j < sp->close) {
                size_t e = value_end(s, j, sp->close, 2);
                if (e == 0 || e == j)
                    return false;
                if (sp->n + 2 > sp->cap) {
                    size_t cap = sp->cap ? sp->cap * 2 : 256;
                    size_t *v = realloc(sp->elem, cap * sizeof(*v));
                    if (v == NULL)
                        return false;
                    sp->elem = v;
                    sp->cap = cap;
                }
                sp->elem[sp->n++] = j;
                sp->elem[sp->n++] = e;
                j = skip_ws(s, e, len);
                if (j == sp->close)
                    break;
                if (s[j] != ',')
                    return false;
                j = skip_ws(s, j + 1, len);
                if (j >= sp->close)
                    return false; /* a trailing comma */
            }
        }
        i = skip_ws(s, vend, len);
        if (i < len && s[i] == ',') {
            i = skip_ws(s, i + 1, len);
            continue;
        }
        if (i < len && s[i] == '}')
            break;
        return false;
    }
    return found && skip_ws(s, i + 1, len) == len;
}

static int parse_split(char *body, size_t len, const struct endpoint *ep,
                       const struct page_sink *sink, struct page_info *info,
                       const struct split *sp, struct ou_err *err)
{
    size_t nb = sp->n / 2;
    size_t envlen = sp->open + 1 + (len - sp->close);
    char *env = malloc(envlen + 1);
    struct record *rec = NULL;
    cJSON *root;
    int rc;

    if (env == NULL)
        return ou_nomem(err);
    /* The envelope, its data array emptied. */
    memcpy(env, body, sp->open + 1);
    memcpy(env + sp->open + 1, body + sp->close, len - sp->close);
    env[envlen] = '\0';
    root = parse_exact(env, envlen, err);
    rc = root != NULL ? parse_envelope(root, ep, sink, info, err) : (int)err->cat;
    tree_end(root);
    free(env);
    if (rc != 0)
        return rc;
    rec = calloc(1, sizeof(*rec));
    if (rec == NULL)
        return ou_nomem(err);
    const struct field_map *fm = field_map_of(ep);
    for (size_t k = 0; k < nb && rc == 0; k++) {
        size_t a = sp->elem[2 * k];
        size_t b = sp->elem[2 * k + 1];
        char keep = body[b];
        body[b] = '\0';
        root = parse_exact_at(body + a, b - a, a, err);
        if (root == NULL) {
            ou_err_prefix(err, "data[%zu]: ", k);
            rc = err->cat;
        } else {
            rc = parse_bucket(root, (int)k, ep, fm, sink, rec, err);
        }
        tree_end(root);
        body[b] = keep;
    }
    info->nbuckets = (int)nb;
    free(rec);
    return rc;
}

int page_parse(char *body, size_t len, const struct endpoint *ep,
               const struct page_sink *sink, struct page_info *info,
               struct ou_err *err)
{
    struct split sp = { 0, 0, NULL, 0, 0 };
    cJSON *root;
    int rc;

    info->has_more = false;
    info->next_page = NULL;
    info->nbuckets = 0;
    if (len > 0 && split_page(body, len, &sp)) {
        rc = parse_split(body, len, ep, sink, info, &sp, err);
        free(sp.elem);
        return rc;
    }
    free(sp.elem);
    root = parse_exact(body, len, err);
    rc = root != NULL ? parse_envelope(root, ep, sink, info, err) : (int)err->cat;
    tree_end(root);
    return rc;
}

/* The value at a dot path ("owner.user.email"), or NULL. */
static const cJSON *at_path(const cJSON *obj, const char *path)
{
    char part[64];

    while (obj != NULL && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof(part) || !cJSON_IsObject(obj))
            return NULL;
        memcpy(part, path, n);
        part[n] = '\0';
        obj = cJSON_GetObjectItemCaseSensitive(obj, part);
        path += n + (path[n] == '.');
    }
    return obj;
}

int page_parse_list(char *body, size_t len, const char *const *paths,
                    int npaths, list_item_fn fn, void *ctx,
                    struct list_info *info, struct ou_err *err)
{
    static const struct path top = { -1, -1 };
    struct list_value vals[LIST_MAX_FIELDS];
    cJSON *root;
    const cJSON *data;
    const cJSON *more;
    const cJSON *last;
    const cJSON *item;
    int rc = 0;

    info->has_more = false;
    info->last_id = NULL;
    info->nitems = 0;
    if (npaths > LIST_MAX_FIELDS)
        return ou_fail(err, OU_E_USAGE, "too many list fields");
    root = parse_exact(body, len, err);
    if (root == NULL) {
        tree_end(NULL);
        return err->cat;
    }
    if (!cJSON_IsObject(root)) {
        rc = bad_type(err, &top, NULL, "a list object", root);
        goto out;
    }
    data = cJSON_GetObjectItemCaseSensitive(root, "data");
    more = cJSON_GetObjectItemCaseSensitive(root, "has_more");
    last = cJSON_GetObjectItemCaseSensitive(root, "last_id");
    if (!cJSON_IsArray(data)) {
        rc = bad_type(err, &top, "data", "an array", data);
        goto out;
    }
    if (!cJSON_IsBool(more)) {
        rc = bad_type(err, &top, "has_more", "a boolean", more);
        goto out;
    }
    info->has_more = cJSON_IsTrue(more);
    if (cJSON_IsString(last) && last->valuestring[0] != '\0') {
        info->last_id = strdup(last->valuestring);
        if (info->last_id == NULL) {
            rc = ou_nomem(err);
            goto out;
        }
    } else if (last != NULL && !cJSON_IsNull(last) && !cJSON_IsString(last)) {
        rc = bad_type(err, &top, "last_id", "a string or null", last);
        goto out;
    }
    cJSON_ArrayForEach(item, data)
    {
        struct path p = { info->nitems, -1 };
        if (!cJSON_IsObject(item)) {
            rc = bad_type(err, &p, NULL, "an object", item);
            goto out;
        }
        for (int k = 0; k < npaths; k++) {
            const cJSON *v = at_path(item, paths[k]);
            struct list_value *lv = &vals[k];
            memset(lv, 0, sizeof(*lv));
            if (v == NULL || cJSON_IsNull(v))
                continue;
            if (cJSON_IsString(v)) {
                lv->kind = LV_STRING;
                lv->s = v->valuestring;
            } else if (cJSON_IsBool(v)) {
                lv->kind = LV_BOOL;
                lv->b = cJSON_IsTrue(v);
            } else if (cJSON_IsNumber(v) && node_int64(v, &lv->i)) {
                lv->kind = LV_INT;
            } else {
                rc = bad_type(err, &p, paths[k], "a string, integer or null",
                              v);
                goto out;
            }
        }
        info->nitems++;
        rc = fn(ctx, vals, err);
        if (rc != 0)
            goto out;
    }
out:
    tree_end(root);
    return rc;
}

bool page_error_message(const char *body, size_t len, const char *key,
                        char *msg, size_t size)
{
    cJSON *root;
    const cJSON *e;
    const cJSON *m;
    bool ok = false;

    if (body == NULL || len == 0 || size == 0)
        return false;
    root = cJSON_ParseWithLength(body, len);
    if (root == NULL)
        return false;
    e = cJSON_GetObjectItemCaseSensitive(root, "error");
    m = cJSON_IsObject(e) ? cJSON_GetObjectItemCaseSensitive(e, "message")
                          : NULL;
    if (cJSON_IsString(m) && m->valuestring[0] != '\0') {
        /* Scrub the whole message first, then cut: a key straddling the
         * cut must not survive in part. */
        secret_scrub(m->valuestring, key, msg, size);
        ok = true;
    }
    cJSON_Delete(root);
    return ok;
}
