/* params.c - owns query-string interpretation for the Usage and Costs
 * endpoints: array-parameter encodings, per-endpoint allowed parameters and
 * enums (completions, decisions, costs, and the nine other usage endpoints
 * described by org_xe_table), limits/defaults, the canonical query hash that
 * cursors bind to, and the costs policies (api_key_id floor, refused
 * user_id + project_id combination). */
#include "params.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- qargs -------------------------------------------------------------- */

void qargs_add(qargs *q, const char *key, const char *value)
{
    if (q->len == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 16;
        q->items = xrealloc(q->items, q->cap * sizeof *q->items);
    }
    q->items[q->len].key = xstrdup(key ? key : "");
    q->items[q->len].value = xstrdup(value ? value : "");
    q->len++;
}

void qargs_free(qargs *q)
{
    for (size_t i = 0; i < q->len; i++) {
        free(q->items[i].key);
        free(q->items[i].value);
    }
    free(q->items);
    q->items = NULL;
    q->len = q->cap = 0;
}

const char *qargs_get(const qargs *q, const char *key)
{
    const char *v = NULL;
    for (size_t i = 0; i < q->len; i++)
        if (strcmp(q->items[i].key, key) == 0)
            v = q->items[i].value;
    return v;
}

/* key is `name`, `name[]` or `name[<digits>]` */
static bool array_key_matches(const char *key, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(key, name, n) != 0)
        return false;
    const char *rest = key + n;
    if (*rest == '\0')
        return true;
    if (*rest != '[')
        return false;
    rest++;
    while (*rest >= '0' && *rest <= '9')
        rest++;
    return rest[0] == ']' && rest[1] == '\0';
}

bool qargs_has_array(const qargs *q, const char *name)
{
    for (size_t i = 0; i < q->len; i++)
        if (array_key_matches(q->items[i].key, name))
            return true;
    return false;
}

void qargs_get_array(const qargs *q, const char *name, strlist *out)
{
    for (size_t i = 0; i < q->len; i++)
        if (array_key_matches(q->items[i].key, name))
            strlist_push_split(out, q->items[i].value);
}

/* Line items contain ", " ("gpt-4o-2024-08-06, input"): a comma-joined
 * value is split only at commas NOT followed by a space. */
static void push_split_line_items(strlist *l, const char *s)
{
    const char *start = s;
    for (const char *p = s;; p++) {
        if (*p == '\0' || (*p == ',' && p[1] != ' ')) {
            if (p > start)
                strlist_push_n(l, start, (size_t)(p - start));
            if (*p == '\0')
                return;
            start = p + 1;
        }
    }
}

static void qargs_get_line_items(const qargs *q, strlist *out)
{
    for (size_t i = 0; i < q->len; i++)
        if (array_key_matches(q->items[i].key, "line_items"))
            push_split_line_items(out, q->items[i].value);
}

/* ---- errors -------------------------------------------------------------- */

void api_error_set(api_error *e, int status, const char *param, const char *fmt,
                   ...)
{
    e->status = status;
    e->param = param;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
}

/* ---- endpoint tables ----------------------------------------------------- */

typedef struct {
    const char *name;
    unsigned flag;
} group_field;

/* completions and decisions */
static const group_field COMPLETIONS_GROUPS[] = {
    {"project_id", G_PROJECT},    {"user_id", G_USER},
    {"api_key_id", G_API_KEY},    {"model", G_MODEL},
    {"batch", G_BATCH},           {"service_tier", G_TIER},
    {"api_source", G_API_SOURCE}, {NULL, 0}};
static const group_field COSTS_GROUPS[] = {{"project_id", G_PROJECT},
                                           {"user_id", G_USER},
                                           {"line_item", G_LINE_ITEM},
                                           {"api_key_id", G_API_KEY},
                                           {"api_source", G_API_SOURCE},
                                           {NULL, 0}};

/* group_by flags of the other usage endpoints, by org_xdim */
static const unsigned XDIM_FLAGS[ORG_NXD] = {G_PROJECT,      G_USER,
                                             G_API_KEY,      G_MODEL,
                                             G_SIZE,         G_SOURCE,
                                             G_VECTOR_STORE, G_CONTEXT_LEVEL,
                                             G_API_SOURCE};

unsigned group_flag_of(org_xdim d)
{
    return XDIM_FLAGS[d];
}

/* the array filters, by the org_xdim they filter on; enum filters carry
 * their allowed values. Image sizes are open text (any WIDTHxHEIGHT; an
 * unknown size matches nothing). api_source has no filter. */
typedef struct {
    const char *name;          /* NULL: no filter parameter */
    const char *const *values; /* NULL: free-form */
    int nvalues;
} filter_param;

static const filter_param FILTERS[ORG_NXD] = {
    {"project_ids", NULL, 0},
    {"user_ids", NULL, 0},
    {"api_key_ids", NULL, 0},
    {"models", NULL, 0},
    {"sizes", NULL, 0},
    {"sources", org_image_sources, ORG_NSOURCES},
    {"vector_store_ids", NULL, 0},
    {"context_levels", org_context_levels, ORG_NCONTEXT_LEVELS},
    {NULL, NULL, 0},
};

/* only for dimensions with a filter parameter */
static strlist *filter_slot(page_query *q, org_xdim d)
{
    switch (d) {
    case XD_PROJECT:
        return &q->project_ids;
    case XD_USER:
        return &q->user_ids;
    case XD_API_KEY:
        return &q->api_key_ids;
    case XD_MODEL:
        return &q->models;
    case XD_SIZE:
        return &q->sizes;
    case XD_SOURCE:
        return &q->sources;
    case XD_VECTOR_STORE:
        return &q->vector_store_ids;
    default:
        return &q->context_levels;
    }
}

const strlist *page_query_filter(const page_query *q, org_xdim d)
{
    return FILTERS[d].name ? filter_slot((page_query *)q, d) : NULL;
}

/* does the endpoint of q have the filter (and group_by value) of d? */
static bool has_dim(const page_query *q, org_xdim d)
{
    switch (q->ep) {
    case EP_COMPLETIONS:
    case EP_DECISIONS:
        return d <= XD_MODEL;
    case EP_COSTS:
        return d == XD_PROJECT || d == XD_API_KEY;
    default:
        break;
    }
    const org_xe_info *info = &org_xe_table[q->xe];
    for (int i = 0; i < info->ndims; i++)
        if (info->groups[i] == d)
            return true;
    return false;
}

static void enum_list(const group_field *g, char *out, size_t n)
{
    out[0] = '\0';
    for (; g->name; g++) {
        if (out[0])
            strncat(out, ", ", n - strlen(out) - 1);
        strncat(out, g->name, n - strlen(out) - 1);
    }
}

/* ---- parameter parsing ---------------------------------------------------- */

static bool parse_times(const qargs *a, page_query *q, api_error *err)
{
    const char *s = qargs_get(a, "start_time");
    if (!s) {
        api_error_set(err, 400, "start_time",
                      "Missing required parameter: 'start_time'.");
        return false;
    }
    if (!parse_int64(s, &q->start) || q->start < 0) {
        api_error_set(err, 400, "start_time",
                      "Invalid value for 'start_time': expected a Unix "
                      "timestamp in seconds (non-negative integer).");
        return false;
    }
    const char *e = qargs_get(a, "end_time");
    if (e) {
        if (!parse_int64(e, &q->end) || q->end < 0) {
            api_error_set(err, 400, "end_time",
                          "Invalid value for 'end_time': expected a Unix "
                          "timestamp in seconds (non-negative integer).");
            return false;
        }
        if (q->end <= q->start) {
            api_error_set(err, 400, "end_time",
                          "Invalid value for 'end_time': must be greater "
                          "than 'start_time'.");
            return false;
        }
        q->has_end = true;
    }
    return true;
}

static bool parse_width_limit(const qargs *a, page_query *q, api_error *err)
{
    const char *w = qargs_get(a, "bucket_width");
    int def_limit, max_limit;
    if (q->ep == EP_COSTS) {
        if (w && strcmp(w, "1d") != 0) {
            api_error_set(err, 400, "bucket_width",
                          "Invalid value for 'bucket_width': '%.64s'. "
                          "Supported values are: 1d.",
                          w);
            return false;
        }
        q->width = SECS_DAY, q->width_name = "1d";
        def_limit = 7, max_limit = 180;
    } else if (!w || strcmp(w, "1d") == 0) {
        q->width = SECS_DAY, q->width_name = "1d";
        def_limit = 7, max_limit = 31;
    } else if (strcmp(w, "1h") == 0) {
        q->width = SECS_HOUR, q->width_name = "1h";
        def_limit = 24, max_limit = 168;
    } else if (strcmp(w, "1m") == 0) {
        q->width = SECS_MINUTE, q->width_name = "1m";
        def_limit = 60, max_limit = 1440;
    } else {
        api_error_set(err, 400, "bucket_width",
                      "Invalid value for 'bucket_width': '%.64s'. Supported "
                      "values are: 1m, 1h, 1d.",
                      w);
        return false;
    }
    const char *l = qargs_get(a, "limit");
    int64_t lim = def_limit;
    if (l && (!parse_int64(l, &lim) || lim < 1 || lim > max_limit)) {
        api_error_set(err, 400, "limit",
                      "Invalid value for 'limit': must be an integer between "
                      "1 and %d for bucket_width=%s.",
                      max_limit, q->width_name);
        return false;
    }
    q->limit = (int)lim;
    return true;
}

static bool parse_group_by(const qargs *a, page_query *q, api_error *err)
{
    const group_field *fields = q->ep == EP_COSTS ? COSTS_GROUPS
                                                  : COMPLETIONS_GROUPS;
    group_field xfields[ORG_XE_MAXDIMS + 1] = {{NULL, 0}};
    if (q->ep == EP_USAGE) {
        const org_xe_info *info = &org_xe_table[q->xe];
        for (int i = 0; i < info->ndims; i++) {
            xfields[i].name = org_xdim_names[info->groups[i]];
            xfields[i].flag = XDIM_FLAGS[info->groups[i]];
        }
        fields = xfields;
    }
    strlist g = {0};
    qargs_get_array(a, "group_by", &g);
    bool ok = true;
    for (size_t i = 0; i < g.len && ok; i++) {
        const group_field *f = fields;
        while (f->name && strcmp(f->name, g.items[i]) != 0)
            f++;
        if (f->name) {
            q->group_mask |= f->flag;
        } else {
            char allowed[200];
            enum_list(fields, allowed, sizeof allowed);
            api_error_set(err, 400, "group_by",
                          "Invalid value for 'group_by': '%.64s'. Supported "
                          "values are: %s.",
                          g.items[i], allowed);
            ok = false;
        }
    }
    strlist_free(&g);
    return ok;
}

static bool reject_unsupported(const qargs *a, const char *name, api_error *err)
{
    if (!qargs_has_array(a, name))
        return true;
    api_error_set(err, 400, name,
                  "Unrecognized request argument supplied: %s. This "
                  "parameter is not supported by this endpoint.",
                  name);
    return false;
}

/* values of an enum filter must come from its enum */
static bool check_enum_filter(const filter_param *f, const strlist *l,
                              api_error *err)
{
    for (size_t i = 0; i < l->len; i++) {
        int k = 0;
        while (k < f->nvalues && strcmp(f->values[k], l->items[i]) != 0)
            k++;
        if (k < f->nvalues)
            continue;
        char allowed[200] = "";
        for (k = 0; k < f->nvalues; k++) {
            if (allowed[0])
                strncat(allowed, ", ", sizeof allowed - strlen(allowed) - 1);
            strncat(allowed, f->values[k],
                    sizeof allowed - strlen(allowed) - 1);
        }
        api_error_set(err, 400, f->name,
                      "Invalid value for '%s': '%.64s'. Supported values "
                      "are: %s.",
                      f->name, l->items[i], allowed);
        return false;
    }
    return true;
}

static bool parse_filters(const qargs *a, page_query *q, api_error *err)
{
    q->batch = -1;
    for (int d = 0; d < ORG_NXD; d++) {
        const filter_param *f = &FILTERS[d];
        if (!f->name)
            continue;
        if (!has_dim(q, (org_xdim)d)) {
            if (!reject_unsupported(a, f->name, err))
                return false;
            continue;
        }
        strlist *l = filter_slot(q, (org_xdim)d);
        qargs_get_array(a, f->name, l);
        if (f->values && !check_enum_filter(f, l, err))
            return false;
    }
    if (q->ep == EP_COSTS)
        qargs_get_line_items(a, &q->line_items);
    else if (!reject_unsupported(a, "line_items", err))
        return false;
    if (q->ep != EP_COMPLETIONS && q->ep != EP_DECISIONS)
        return reject_unsupported(a, "batch", err);
    const char *b = qargs_get(a, "batch");
    if (b) {
        if (strcmp(b, "true") == 0) {
            q->batch = 1;
        } else if (strcmp(b, "false") == 0) {
            q->batch = 0;
        } else {
            api_error_set(err, 400, "batch",
                          "Invalid value for 'batch': '%.64s'. Expected true "
                          "or false.",
                          b);
            return false;
        }
    }
    return true;
}

/* ---- canonical hash -------------------------------------------------------- */

static uint64_t hash_list(uint64_t h, const char *tag, const strlist *l)
{
    h = hash_str(h, tag);
    for (size_t i = 0; i < l->len; i++)
        h = hash_str(h, l->items[i]);
    return h;
}

static uint32_t canonical_hash(const page_query *q)
{
    char head[160];
    snprintf(head, sizeof head, "%d|%lld|%lld|%d|%s|%d|%u|%d", (int)q->ep,
             (long long)q->start, (long long)(q->has_end ? q->end : -1),
             (int)q->has_end, q->width_name, q->limit, q->group_mask, q->batch);
    if (q->ep == EP_USAGE) /* keeps the hashes of completions and costs */
        snprintf(head + strlen(head), sizeof head - strlen(head), "|%s",
                 org_xe_table[q->xe].path);
    uint64_t h = hash_str(0x51ed270b27ab4c1dULL, head);
    h = hash_list(h, "p", &q->project_ids);
    h = hash_list(h, "u", &q->user_ids);
    h = hash_list(h, "k", &q->api_key_ids);
    h = hash_list(h, "m", &q->models);
    if (q->ep == EP_USAGE) {
        h = hash_list(h, "s", &q->sizes);
        h = hash_list(h, "o", &q->sources);
        h = hash_list(h, "v", &q->vector_store_ids);
        h = hash_list(h, "c", &q->context_levels);
    }
    if (q->ep == EP_COSTS)
        h = hash_list(h, "l", &q->line_items);
    return (uint32_t)(h ^ (h >> 32));
}

bool page_query_parse(const qargs *a, endpoint_kind ep, org_xe xe,
                      page_query *q, api_error *err)
{
    memset(q, 0, sizeof *q);
    q->ep = ep;
    q->xe = xe;
    q->batch = -1;
    if (!parse_times(a, q, err) || !parse_width_limit(a, q, err) ||
        !parse_filters(a, q, err) || !parse_group_by(a, q, err))
        return false;
    for (int d = 0; d < ORG_NXD; d++)
        if (FILTERS[d].name)
            strlist_sort_unique(filter_slot(q, (org_xdim)d));
    strlist_sort_unique(&q->line_items);
    q->page = qargs_get(a, "page");
    q->hash = canonical_hash(q);
    return true;
}

void page_query_free(page_query *q)
{
    strlist_free(&q->project_ids);
    strlist_free(&q->user_ids);
    strlist_free(&q->api_key_ids);
    strlist_free(&q->models);
    strlist_free(&q->sizes);
    strlist_free(&q->sources);
    strlist_free(&q->vector_store_ids);
    strlist_free(&q->context_levels);
    strlist_free(&q->line_items);
}

/* ---- costs policies ----------------------------------------------------------- */

bool page_query_policy(const page_query *q, int64_t api_key_floor,
                       bool refuse_user_project, api_error *err)
{
    if (q->ep != EP_COSTS)
        return true;
    if ((q->group_mask & G_API_KEY) && q->start < api_key_floor) {
        api_error_set(err, 400, "start_time",
                      "group_by=api_key_id is not available for this time "
                      "range. Try a start_time on or after %lld.",
                      (long long)api_key_floor);
        return false;
    }
    if (refuse_user_project && (q->group_mask & G_USER)) {
        if (q->group_mask & G_PROJECT) {
            api_error_set(err, 400, "group_by",
                          "group_by user_id cannot be combined with "
                          "project_id for this organization.");
            return false;
        }
        if (q->project_ids.len) {
            api_error_set(err, 400, "group_by",
                          "group_by user_id cannot be combined with the "
                          "project_ids filter for this organization.");
            return false;
        }
    }
    return true;
}
