/* pages.c - owns the server's page builder for /organization/usage/... (all
 * eleven usage endpoints) and /organization/costs: the bucket layout (partial
 * first bucket, UTC aligned buckets, truncated last bucket), aggregation of
 * dataset streams into grouped results (sums of flows; for vector_stores the
 * level at the bucket's start minute), result serialization, and opaque
 * cursors ("page_" + base64(u64 snapshot, u32 query hash, u64 next bucket
 * start)). With --revise-lag a stream's provisional, unattributed part
 * (org_*_served) is grouped like a stream of its own, a "variant" with null
 * project, user and key. */
#include "pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool amount_mode_parse(const char *s, amount_mode *out)
{
    if (strcmp(s, "number") == 0)
        *out = AMOUNTS_NUMBER;
    else if (strcmp(s, "string") == 0)
        *out = AMOUNTS_STRING;
    else if (strcmp(s, "mixed") == 0)
        *out = AMOUNTS_MIXED;
    else
        return false;
    return true;
}

/* ---- cursor -------------------------------------------------------------- */

#define CURSOR_BYTES 20

static void put_be(unsigned char *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)(v & 0xff);
}

static uint64_t get_be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

static void cursor_encode(int64_t snapshot, uint32_t hash, int64_t next,
                          char *out, size_t n)
{
    unsigned char raw[CURSOR_BYTES];
    put_be(raw, (uint64_t)snapshot, 8);
    put_be(raw + 8, hash, 4);
    put_be(raw + 12, (uint64_t)next, 8);
    char b64[40];
    b64_encode(raw, sizeof raw, b64, sizeof b64);
    snprintf(out, n, "page_%s", b64);
}

static bool cursor_decode(const char *s, int64_t *snapshot, uint32_t *hash,
                          int64_t *next)
{
    if (strncmp(s, "page_", 5) != 0 || strlen(s) > 60)
        return false;
    unsigned char raw[48];
    if (b64_decode(s + 5, raw, sizeof raw) != CURSOR_BYTES)
        return false;
    *snapshot = (int64_t)get_be(raw, 8);
    *hash = (uint32_t)get_be(raw + 8, 4);
    *next = (int64_t)get_be(raw + 12, 8);
    return true;
}

/* ---- window -------------------------------------------------------------- */

typedef struct {
    int64_t snapshot; /* "now" this query is answered at */
    int64_t first;    /* start of the first bucket of the whole query */
    int64_t end;      /* end of the last bucket of the whole query */
    int64_t page_start;
} window;

static void window_init(const page_query *q, int64_t snapshot, window *w)
{
    w->snapshot = snapshot;
    w->first = q->ep == EP_COSTS ? floor_to(q->start, SECS_DAY)
                                 : floor_to(q->start, SECS_MINUTE);
    w->end = q->has_end && q->end < snapshot ? q->end : snapshot;
    w->page_start = w->first;
}

static bool window_from_cursor(const page_query *q, window *w, api_error *err)
{
    int64_t snap, next;
    uint32_t hash;
    if (!cursor_decode(q->page, &snap, &hash, &next)) {
        api_error_set(err, 400, "page",
                      "Invalid value for 'page': malformed pagination "
                      "cursor.");
        return false;
    }
    if (hash != q->hash) {
        api_error_set(err, 400, "page",
                      "Invalid value for 'page': the cursor was issued for "
                      "a different query. Re-send the same parameters with "
                      "the cursor.");
        return false;
    }
    window_init(q, snap, w);
    bool aligned = next == w->first || next % q->width == 0;
    if (next < w->first || next >= w->end || !aligned) {
        api_error_set(err, 400, "page",
                      "Invalid value for 'page': cursor out of range.");
        return false;
    }
    w->page_start = next;
    return true;
}

static int64_t bucket_end(const page_query *q, const window *w, int64_t bs)
{
    int64_t be = floor_to(bs, q->width) + q->width;
    return be < w->end ? be : w->end;
}

/* ---- JSON helpers --------------------------------------------------------- */

static void add_int(cJSON *o, const char *name, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)v);
    cJSON_AddRawToObject(o, name, buf);
}

static void add_str_or_null(cJSON *o, const char *name, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, name, v);
    else
        cJSON_AddNullToObject(o, name);
}

static bool string_amount(amount_mode m, int64_t bucket_start, int row)
{
    if (m == AMOUNTS_NUMBER)
        return false;
    if (m == AMOUNTS_STRING)
        return true;
    return (mix64((uint64_t)bucket_start * 1315423911ULL + (uint64_t)row) &
            1) != 0;
}

/* ---- completions and decisions --------------------------------------------- */

typedef struct {
    int project, user, key, model, batch, tier, api_source; /* -1 = null */
} ukey;

/* Variant v of a stream: v < n is stream v itself; v = n + i is the
 * provisional, unattributed part of stream i (--revise-lag), which exists
 * only when revisions are on and the stream has late attribution. */
typedef struct {
    const org_stream *streams; /* org->streams or org->dstreams */
    int nstreams;
    ukey *keys; /* distinct group keys, sorted */
    int ngroups;
    int *stream_group; /* per variant (2 * nstreams): group index or -1
                          (filtered out, or no such variant) */
} ugroups;

static bool ustream_selected(const org_t *org, const page_query *q,
                             const org_stream *s)
{
    if (q->project_ids.len &&
        (s->project < 0 ||
         !strlist_contains(&q->project_ids, org->projects[s->project].id)))
        return false;
    if (q->user_ids.len &&
        (s->user < 0 ||
         !strlist_contains(&q->user_ids, org_user_id(org, s->user))))
        return false;
    if (q->api_key_ids.len &&
        (s->key < 0 ||
         !strlist_contains(&q->api_key_ids, org->keys[s->key].id)))
        return false;
    if (q->models.len &&
        !strlist_contains(&q->models, org->models[s->model].name))
        return false;
    if (q->batch >= 0 && (int)s->batch != q->batch)
        return false;
    return true;
}

static ukey ukey_of(const page_query *q, const org_stream *s)
{
    unsigned g = q->group_mask;
    ukey k = {
        g & G_PROJECT ? s->project : -1,       g & G_USER ? s->user : -1,
        g & G_API_KEY ? s->key : -1,           g & G_MODEL ? s->model : -1,
        g & G_BATCH ? (int)s->batch : -1,      g & G_TIER ? s->tier : -1,
        g & G_API_SOURCE ? s->api_source : -1,
    };
    return k;
}

static int ukey_cmp(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(ukey));
}

/* variant v of the streams (see ugroups); false when it does not exist */
static bool uvariant(const org_t *org, const ugroups *g, int v, org_stream *out)
{
    if (v < g->nstreams) {
        *out = g->streams[v];
        return true;
    }
    *out = g->streams[v - g->nstreams];
    if (org->revise_lag <= 0 || !out->late_attribution)
        return false;
    out->project = out->user = out->key = -1;
    return true;
}

static void ugroups_init(const org_t *org, const page_query *q, ugroups *g)
{
    bool dec = q->ep == EP_DECISIONS;
    g->streams = dec ? org->dstreams : org->streams;
    g->nstreams = dec ? org->ndstreams : org->nstreams;
    int nv = 2 * g->nstreams;
    g->keys = xcalloc((size_t)nv, sizeof *g->keys);
    g->stream_group = xcalloc((size_t)nv, sizeof(int));
    g->ngroups = 0;
    org_stream s;
    for (int i = 0; i < nv; i++) {
        if (!uvariant(org, g, i, &s) || !ustream_selected(org, q, &s))
            continue;
        ukey k = ukey_of(q, &s);
        int j = 0;
        while (j < g->ngroups && ukey_cmp(&g->keys[j], &k) != 0)
            j++;
        if (j == g->ngroups)
            g->keys[g->ngroups++] = k;
    }
    qsort(g->keys, (size_t)g->ngroups, sizeof *g->keys, ukey_cmp);
    for (int i = 0; i < nv; i++) {
        g->stream_group[i] = -1;
        if (!uvariant(org, g, i, &s) || !ustream_selected(org, q, &s))
            continue;
        ukey k = ukey_of(q, &s);
        ukey *hit = bsearch(&k, g->keys, (size_t)g->ngroups, sizeof k,
                            ukey_cmp);
        g->stream_group[i] = (int)(hit - g->keys);
    }
}

static void ugroups_free(ugroups *g)
{
    free(g->keys);
    free(g->stream_group);
}

/* object, the 16 counters, [--extra-field], then the seven group keys */
static cJSON *usage_result(const org_t *org, const char *object, const ukey *k,
                           const int64_t *metrics, const char *extra_field)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "object", object);
    for (int m = 0; m < ORG_NMETRICS; m++)
        add_int(r, org_metric_names[m], metrics[m]);
    if (extra_field) /* deterministic and never 0 */
        add_int(r, extra_field, 1 + metrics[M_INPUT_TOKENS] % 997);
    add_str_or_null(r, "project_id",
                    k->project >= 0 ? org->projects[k->project].id : NULL);
    add_str_or_null(r, "user_id", org_user_id(org, k->user));
    add_str_or_null(r, "api_key_id", k->key >= 0 ? org->keys[k->key].id : NULL);
    add_str_or_null(r, "model",
                    k->model >= 0 ? org->models[k->model].name : NULL);
    if (k->batch >= 0)
        cJSON_AddBoolToObject(r, "batch", k->batch);
    else
        cJSON_AddNullToObject(r, "batch");
    add_str_or_null(r, "service_tier",
                    k->tier >= 0 ? org_tier_names[k->tier] : NULL);
    add_str_or_null(r, "api_source",
                    k->api_source >= 0 ? org_api_sources[k->api_source] : NULL);
    return r;
}

/* --extra-object: a result of an unknown type (a client must not add it) */
static cJSON *unknown_result(const char *object, int64_t bs)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "object", object);
    add_int(r, "input_tokens", 1000 + (int64_t)(mix64((uint64_t)bs) % 9000));
    add_int(r, "output_tokens", 7);
    add_int(r, "num_model_requests", 1);
    return r;
}

static cJSON *usage_bucket_results(const org_t *org, const page_query *q,
                                   const ugroups *g, int64_t bs, int64_t be,
                                   int64_t now, const page_options *opts)
{
    int64_t *acc = xcalloc((size_t)g->ngroups * ORG_NMETRICS, sizeof *acc);
    bool *seen = xcalloc((size_t)g->ngroups, sizeof *seen);
    int64_t row[ORG_NMETRICS];
    int n = g->nstreams;
    for (int64_t m = bs; m < be; m += SECS_MINUTE) {
        for (int s = 0; s < n; s++) {
            bool un;
            if ((g->stream_group[s] < 0 && g->stream_group[n + s] < 0) ||
                !org_token_usage_served(org, &g->streams[s], m, now, row, &un))
                continue;
            int gi = g->stream_group[un ? n + s : s];
            if (gi < 0)
                continue;
            seen[gi] = true;
            for (int k = 0; k < ORG_NMETRICS; k++)
                acc[(size_t)gi * ORG_NMETRICS + (size_t)k] += row[k];
        }
    }
    bool dec = q->ep == EP_DECISIONS;
    const char *object = dec ? "organization.usage.decisions.result"
                             : "organization.usage.completions.result";
    const char *extra = dec ? NULL : opts->extra_field;
    cJSON *results = cJSON_CreateArray();
    for (int gi = 0; gi < g->ngroups; gi++)
        if (seen[gi])
            cJSON_AddItemToArray(results,
                                 usage_result(org, object, &g->keys[gi],
                                              acc + (size_t)gi * ORG_NMETRICS,
                                              extra));
    if (!dec && opts->extra_object && cJSON_GetArraySize(results) > 0)
        cJSON_AddItemToArray(results, unknown_result(opts->extra_object, bs));
    free(acc);
    free(seen);
    return results;
}

/* ---- the other usage endpoints --------------------------------------------- */

typedef struct {
    int v[ORG_NXD]; /* value index per dimension; -1 = null */
} xkey;

typedef struct {
    org_xe e;
    xkey *keys; /* distinct group keys, sorted */
    int ngroups;
    int *stream_group; /* per variant (2 * streams, as in ugroups): group
                          index or -1 */
} xgroups;

static bool xstream_selected(const org_t *org, const page_query *q,
                             const org_xstream *s)
{
    const org_xe_info *info = &org_xe_table[q->xe];
    for (int i = 0; i < info->ndims; i++) {
        org_xdim d = info->groups[i];
        const strlist *f = page_query_filter(q, d);
        if (f && f->len &&
            (s->dim[d] < 0 ||
             !strlist_contains(f, org_xdim_value(org, d, s->dim[d]))))
            return false;
    }
    return true;
}

static xkey xkey_of(const page_query *q, const org_xstream *s)
{
    xkey k;
    for (int d = 0; d < ORG_NXD; d++)
        k.v[d] = (q->group_mask & group_flag_of((org_xdim)d)) ? s->dim[d] : -1;
    return k;
}

static int xkey_cmp(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(xkey));
}

/* variant v of the endpoint's streams (see ugroups) */
static bool xvariant(const org_t *org, org_xe e, int v, org_xstream *out)
{
    int n = org->nxstreams[e];
    if (v < n) {
        *out = org->xstreams[e][v];
        return true;
    }
    *out = org->xstreams[e][v - n];
    if (org->revise_lag <= 0 || !out->late_attribution)
        return false;
    out->dim[XD_PROJECT] = out->dim[XD_USER] = out->dim[XD_API_KEY] = -1;
    return true;
}

static void xgroups_init(const org_t *org, const page_query *q, xgroups *g)
{
    int nv = 2 * org->nxstreams[q->xe];
    g->e = q->xe;
    g->keys = xcalloc((size_t)nv, sizeof *g->keys);
    g->stream_group = xcalloc((size_t)nv, sizeof(int));
    g->ngroups = 0;
    org_xstream s;
    for (int i = 0; i < nv; i++) {
        if (!xvariant(org, q->xe, i, &s) || !xstream_selected(org, q, &s))
            continue;
        xkey k = xkey_of(q, &s);
        int j = 0;
        while (j < g->ngroups && xkey_cmp(&g->keys[j], &k) != 0)
            j++;
        if (j == g->ngroups)
            g->keys[g->ngroups++] = k;
    }
    qsort(g->keys, (size_t)g->ngroups, sizeof *g->keys, xkey_cmp);
    for (int i = 0; i < nv; i++) {
        g->stream_group[i] = -1;
        if (!xvariant(org, q->xe, i, &s) || !xstream_selected(org, q, &s))
            continue;
        xkey k = xkey_of(q, &s);
        xkey *hit = bsearch(&k, g->keys, (size_t)g->ngroups, sizeof k,
                            xkey_cmp);
        g->stream_group[i] = (int)(hit - g->keys);
    }
}

static void xgroups_free(xgroups *g)
{
    free(g->keys);
    free(g->stream_group);
}

static cJSON *xusage_result(const org_t *org, org_xe e, const xkey *k,
                            const int64_t *metrics)
{
    const org_xe_info *info = &org_xe_table[e];
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "object", info->object);
    for (int m = 0; m < info->nmetrics; m++)
        add_int(r, info->metrics[m], metrics[m]);
    for (int i = 0; i < info->ndims; i++) {
        org_xdim d = info->fields[i];
        add_str_or_null(r, org_xdim_names[d], org_xdim_value(org, d, k->v[d]));
    }
    return r;
}

/* Flows are summed over every minute of [bs, be); a level (vector_stores)
 * is the value at the bucket's start minute. */
static cJSON *xusage_bucket_results(const org_t *org, const xgroups *g,
                                    int64_t bs, int64_t be, int64_t now)
{
    const int M = ORG_XE_MAXMETRICS;
    int64_t *acc = xcalloc((size_t)g->ngroups * M, sizeof *acc);
    bool *seen = xcalloc((size_t)g->ngroups, sizeof *seen);
    int64_t row[ORG_XE_MAXMETRICS];
    int64_t stop = org_xe_table[g->e].level ? bs + SECS_MINUTE : be;
    int n = org->nxstreams[g->e];
    for (int64_t m = bs; m < stop; m += SECS_MINUTE) {
        for (int s = 0; s < n; s++) {
            bool un;
            if ((g->stream_group[s] < 0 && g->stream_group[n + s] < 0) ||
                !org_xusage_served(org, g->e, s, m, now, row, &un))
                continue;
            int gi = g->stream_group[un ? n + s : s];
            if (gi < 0)
                continue;
            seen[gi] = true;
            for (int k = 0; k < M; k++)
                acc[(size_t)gi * M + (size_t)k] += row[k];
        }
    }
    cJSON *results = cJSON_CreateArray();
    for (int gi = 0; gi < g->ngroups; gi++)
        if (seen[gi])
            cJSON_AddItemToArray(results, xusage_result(org, g->e, &g->keys[gi],
                                                        acc + (size_t)gi * M));
    free(acc);
    free(seen);
    return results;
}

/* ---- costs ----------------------------------------------------------------- */

typedef struct {
    int project, user, key, api_source; /* -1 = null */
    const char *line_item;              /* NULL = null */
    const char *unit;
} ckey;

typedef struct {
    ckey *keys;
    int ngroups;
    int *stream_group; /* per variant (2 * cost streams, as in ugroups) */
} cgroups;

static bool cstream_selected(const org_t *org, const page_query *q,
                             const org_cost_stream *c)
{
    if (q->project_ids.len &&
        (c->project < 0 ||
         !strlist_contains(&q->project_ids, org->projects[c->project].id)))
        return false;
    if (q->api_key_ids.len &&
        (c->key < 0 ||
         !strlist_contains(&q->api_key_ids, org->keys[c->key].id)))
        return false;
    if (q->line_items.len && !strlist_contains(&q->line_items, c->line_item))
        return false;
    return true;
}

static ckey ckey_of(const page_query *q, const org_cost_stream *c)
{
    unsigned g = q->group_mask;
    ckey k = {g & G_PROJECT ? c->project : -1,
              g & G_USER ? c->user : -1,
              g & G_API_KEY ? c->key : -1,
              g & G_API_SOURCE ? c->api_source : -1,
              g & G_LINE_ITEM ? c->line_item : NULL,
              g & G_LINE_ITEM ? c->quantity_unit : NULL};
    return k;
}

static int ckey_cmp(const void *pa, const void *pb)
{
    const ckey *a = pa, *b = pb;
    if (a->project != b->project)
        return a->project < b->project ? -1 : 1;
    if (a->user != b->user)
        return a->user < b->user ? -1 : 1;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->api_source != b->api_source)
        return a->api_source < b->api_source ? -1 : 1;
    if (!a->line_item || !b->line_item)
        return (a->line_item != NULL) - (b->line_item != NULL);
    return strcmp(a->line_item, b->line_item);
}

/* variant v of the cost streams (see ugroups) */
static bool cvariant(const org_t *org, int v, org_cost_stream *out)
{
    int n = org->ncost_streams;
    if (v < n) {
        *out = org->cost_streams[v];
        return true;
    }
    *out = org->cost_streams[v - n];
    if (org->revise_costs_lag <= 0 || !out->late_attribution)
        return false;
    out->project = out->user = out->key = -1;
    return true;
}

/* the group key of variant v (a copy in c): its line item is the
 * stream's own string, which outlives the copy */
static ckey cvariant_key(const org_t *org, const page_query *q, int v,
                         const org_cost_stream *c)
{
    ckey k = ckey_of(q, c);
    if (k.line_item)
        k.line_item = org->cost_streams[v % org->ncost_streams].line_item;
    return k;
}

static void cgroups_init(const org_t *org, const page_query *q, cgroups *g)
{
    int nv = 2 * org->ncost_streams;
    g->keys = xcalloc((size_t)nv, sizeof *g->keys);
    g->stream_group = xcalloc((size_t)nv, sizeof(int));
    g->ngroups = 0;
    org_cost_stream c;
    for (int i = 0; i < nv; i++) {
        if (!cvariant(org, i, &c) || !cstream_selected(org, q, &c))
            continue;
        ckey k = cvariant_key(org, q, i, &c);
        int j = 0;
        while (j < g->ngroups && ckey_cmp(&g->keys[j], &k) != 0)
            j++;
        if (j == g->ngroups)
            g->keys[g->ngroups++] = k;
    }
    qsort(g->keys, (size_t)g->ngroups, sizeof *g->keys, ckey_cmp);
    for (int i = 0; i < nv; i++) {
        g->stream_group[i] = -1;
        if (!cvariant(org, i, &c) || !cstream_selected(org, q, &c))
            continue;
        ckey k = cvariant_key(org, q, i, &c);
        ckey *hit = bsearch(&k, g->keys, (size_t)g->ngroups, sizeof k,
                            ckey_cmp);
        g->stream_group[i] = (int)(hit - g->keys);
    }
}

static void cgroups_free(cgroups *g)
{
    free(g->keys);
    free(g->stream_group);
}

static cJSON *amount_object(int64_t v, bool as_string)
{
    char buf[48];
    cJSON *a = cJSON_CreateObject();
    if (as_string) {
        fmt_fixed(v, ORG_AMOUNT_SCALE, 2, buf, sizeof buf);
        cJSON_AddStringToObject(a, "value", buf);
    } else {
        fmt_pyrepr(v, ORG_AMOUNT_SCALE, buf, sizeof buf);
        cJSON_AddRawToObject(a, "value", buf);
    }
    cJSON_AddStringToObject(a, "currency", "usd");
    return a;
}

static cJSON *cost_result(const org_t *org, const ckey *k, int64_t amount,
                          int64_t qty, bool as_string)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "object", "organization.costs.result");
    cJSON_AddItemToObject(r, "amount", amount_object(amount, as_string));
    add_str_or_null(r, "line_item", k->line_item);
    add_str_or_null(r, "project_id",
                    k->project >= 0 ? org->projects[k->project].id : NULL);
    add_str_or_null(r, "user_id", org_user_id(org, k->user));
    add_str_or_null(r, "user_email", org_user_email(org, k->user));
    add_str_or_null(r, "api_key_id", k->key >= 0 ? org->keys[k->key].id : NULL);
    add_str_or_null(r, "api_source",
                    k->api_source >= 0 ? org_api_sources[k->api_source] : NULL);
    if (k->line_item) {
        char buf[48];
        fmt_fixed(qty, ORG_QTY_SCALE, 0, buf, sizeof buf);
        cJSON_AddRawToObject(r, "quantity", buf);
    } else {
        cJSON_AddNullToObject(r, "quantity");
    }
    add_str_or_null(r, "quantity_unit", k->line_item ? k->unit : NULL);
    return r;
}

static cJSON *cost_bucket_results(const org_t *org, const cgroups *g,
                                  int64_t bs, int64_t be, int64_t now,
                                  amount_mode am)
{
    int64_t *amount = xcalloc((size_t)g->ngroups, sizeof *amount);
    int64_t *qty = xcalloc((size_t)g->ngroups, sizeof *qty);
    bool *seen = xcalloc((size_t)g->ngroups, sizeof *seen);
    int n = org->ncost_streams;
    for (int64_t h = bs; h < be; h += SECS_HOUR) {
        for (int c = 0; c < n; c++) {
            int64_t a, qn;
            bool un;
            if ((g->stream_group[c] < 0 && g->stream_group[n + c] < 0) ||
                !org_cost_served(org, c, h, now, &a, &qn, &un))
                continue;
            int gi = g->stream_group[un ? n + c : c];
            if (gi < 0)
                continue;
            seen[gi] = true;
            amount[gi] += a;
            qty[gi] += qn;
        }
    }
    cJSON *results = cJSON_CreateArray();
    int row = 0;
    for (int gi = 0; gi < g->ngroups; gi++) {
        if (!seen[gi])
            continue;
        bool s = string_amount(am, bs, row++);
        cJSON_AddItemToArray(results, cost_result(org, &g->keys[gi], amount[gi],
                                                  qty[gi], s));
    }
    free(amount);
    free(qty);
    free(seen);
    return results;
}

/* ---- page ------------------------------------------------------------------ */

static cJSON *bucket_object(int64_t bs, int64_t be, cJSON *results)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "object", "bucket");
    add_int(b, "start_time", bs);
    add_int(b, "end_time", be);
    cJSON_AddItemToObject(b, "results", results);
    return b;
}

bool pages_build(const org_t *org, const page_query *q, int64_t now,
                 const page_options *opts, page_result *out, api_error *err)
{
    window w;
    if (q->page) {
        if (!window_from_cursor(q, &w, err))
            return false;
    } else {
        window_init(q, now, &w);
    }
    cursor_encode(w.snapshot, q->hash, w.page_start, out->self_cursor,
                  sizeof out->self_cursor);

    ugroups ug = {0};
    cgroups cg = {0};
    xgroups xg = {0};
    if (q->ep == EP_COSTS)
        cgroups_init(org, q, &cg);
    else if (q->ep == EP_USAGE)
        xgroups_init(org, q, &xg);
    else
        ugroups_init(org, q, &ug);

    cJSON *data = cJSON_CreateArray();
    int64_t bs = w.page_start;
    for (int n = 0; n < q->limit && bs < w.end; n++) {
        int64_t be = bucket_end(q, &w, bs);
        /* revisions are served as of the query's snapshot */
        int64_t snap = w.snapshot;
        cJSON *results =
            q->ep == EP_COSTS
                ? cost_bucket_results(org, &cg, bs, be, snap, opts->amounts)
            : q->ep == EP_USAGE
                ? xusage_bucket_results(org, &xg, bs, be, snap)
                : usage_bucket_results(org, q, &ug, bs, be, snap, opts);
        cJSON_AddItemToArray(data, bucket_object(bs, be, results));
        bs = be;
    }
    cgroups_free(&cg);
    ugroups_free(&ug);
    xgroups_free(&xg);

    cJSON *page = cJSON_CreateObject();
    cJSON_AddStringToObject(page, "object", "page");
    cJSON_AddItemToObject(page, "data", data);
    bool more = bs < w.end;
    cJSON_AddBoolToObject(page, "has_more", more);
    if (more) {
        char next[64];
        cursor_encode(w.snapshot, q->hash, bs, next, sizeof next);
        cJSON_AddStringToObject(page, "next_page", next);
    } else {
        cJSON_AddNullToObject(page, "next_page");
    }
    out->json = page;
    return true;
}
