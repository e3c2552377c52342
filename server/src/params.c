/* params.c - owns query-string interpretation for the Usage and Costs
 * endpoints: array-parameter encodings, per-endpoint allowed parameters and
 * enums, limits/defaults, and the canonical query hash that cursors bind to. */
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

/* ---- errors -------------------------------------------------------------- */

void api_error_set(api_error *e, int status, const char *param,
                   const char *fmt, ...)
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

static const group_field COMPLETIONS_GROUPS[] = {
    {"project_id", G_PROJECT}, {"user_id", G_USER}, {"api_key_id", G_API_KEY},
    {"model", G_MODEL},        {"batch", G_BATCH},  {"service_tier", G_TIER},
    {NULL, 0}};
static const group_field COSTS_GROUPS[] = {{"project_id", G_PROJECT},
                                           {"line_item", G_LINE_ITEM},
                                           {"api_key_id", G_API_KEY},
                                           {NULL, 0}};

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
                          "Supported values are: 1d.", w);
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
                      "values are: 1m, 1h, 1d.", w);
        return false;
    }
    const char *l = qargs_get(a, "limit");
    int64_t lim = def_limit;
    if (l && (!parse_int64(l, &lim) || lim < 1 || lim > max_limit)) {
        api_error_set(err, 400, "limit",
                      "Invalid value for 'limit': must be an integer between "
                      "1 and %d for bucket_width=%s.", max_limit,
                      q->width_name);
        return false;
    }
    q->limit = (int)lim;
    return true;
}

static bool parse_group_by(const qargs *a, page_query *q, api_error *err)
{
    const group_field *fields =
        q->ep == EP_COSTS ? COSTS_GROUPS : COMPLETIONS_GROUPS;
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
                          "values are: %s.", g.items[i], allowed);
            ok = false;
        }
    }
    strlist_free(&g);
    return ok;
}

static bool reject_unsupported(const qargs *a, const char *name,
                               api_error *err)
{
    if (!qargs_has_array(a, name))
        return true;
    api_error_set(err, 400, name,
                  "Unrecognized request argument supplied: %s. This "
                  "parameter is not supported by this endpoint.", name);
    return false;
}

static bool parse_filters(const qargs *a, page_query *q, api_error *err)
{
    qargs_get_array(a, "project_ids", &q->project_ids);
    qargs_get_array(a, "api_key_ids", &q->api_key_ids);
    q->batch = -1;
    if (q->ep == EP_COSTS) {
        return reject_unsupported(a, "user_ids", err) &&
               reject_unsupported(a, "models", err) &&
               reject_unsupported(a, "batch", err);
    }
    qargs_get_array(a, "user_ids", &q->user_ids);
    qargs_get_array(a, "models", &q->models);
    const char *b = qargs_get(a, "batch");
    if (b) {
        if (strcmp(b, "true") == 0) {
            q->batch = 1;
        } else if (strcmp(b, "false") == 0) {
            q->batch = 0;
        } else {
            api_error_set(err, 400, "batch",
                          "Invalid value for 'batch': '%.64s'. Expected true "
                          "or false.", b);
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
             (int)q->has_end, q->width_name, q->limit, q->group_mask,
             q->batch);
    uint64_t h = hash_str(0x51ed270b27ab4c1dULL, head);
    h = hash_list(h, "p", &q->project_ids);
    h = hash_list(h, "u", &q->user_ids);
    h = hash_list(h, "k", &q->api_key_ids);
    h = hash_list(h, "m", &q->models);
    return (uint32_t)(h ^ (h >> 32));
}

bool page_query_parse(const qargs *a, endpoint_kind ep, page_query *q,
                      api_error *err)
{
    memset(q, 0, sizeof *q);
    q->ep = ep;
    q->batch = -1;
    if (!parse_times(a, q, err) || !parse_width_limit(a, q, err) ||
        !parse_filters(a, q, err) || !parse_group_by(a, q, err))
        return false;
    strlist_sort_unique(&q->project_ids);
    strlist_sort_unique(&q->user_ids);
    strlist_sort_unique(&q->api_key_ids);
    strlist_sort_unique(&q->models);
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
}
