/* server.c - owns the HTTP side of `oaiusage-mock serve`: libmicrohttpd
 * daemon (thread per connection, 127.0.0.1 only), request numbering and the
 * request log, routing, admin-key authentication, JSON error bodies, latency
 * and the effect of every injected fault, the use of the --cache-mb response
 * cache, and clean shutdown on SIGINT or SIGTERM. Page contents come from
 * pages.c and lists.c, spend-limit objects from spendlimits.c, the cache itself
 * from cache.c. */
#include "server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "lists.h"
#include "params.h"
#include "spendlimits.h"
#include "util.h"

/* ---- shared server state --------------------------------------------------- */

typedef struct {
    const server_config *cfg;
    org_t *org;
    atomic_uint_fast64_t requests;
    FILE *log;
    pthread_mutex_t log_lock;
    resp_cache *cache; /* NULL: no --cache-mb, or --now auto */
} server_state;

/* one per HTTP request, created by the URI-log callback */
typedef struct {
    uint64_t n;
    char *uri; /* raw request target, query string as received */
    bool started, done;
} req_state;

/* ---- response under construction ------------------------------------------- */

typedef enum { KIND_OTHER, KIND_PAGE, KIND_LIST, KIND_LIMIT } body_kind;

typedef struct {
    int status;
    cJSON *json; /* owned; serialized at the end */
    char *body;  /* owned raw body (used when json is NULL) */
    const char *content_type;
    char retry_after[24];
    body_kind kind;
    endpoint_kind ep;
    org_xe xe; /* EP_USAGE only */
    char self_cursor[64];
    char *page_param; /* owned copies of the request cursors */
    char *after_param;
} response_plan;

static void plan_free(response_plan *p)
{
    cJSON_Delete(p->json);
    free(p->body);
    free(p->page_param);
    free(p->after_param);
}

static void plan_error(response_plan *p, int status, const char *message,
                       const char *type, const char *param, const char *code)
{
    cJSON_Delete(p->json);
    p->json = cJSON_CreateObject();
    cJSON *e = cJSON_AddObjectToObject(p->json, "error");
    cJSON_AddStringToObject(e, "message", message);
    cJSON_AddStringToObject(e, "type", type);
    if (param)
        cJSON_AddStringToObject(e, "param", param);
    else
        cJSON_AddNullToObject(e, "param");
    if (code)
        cJSON_AddStringToObject(e, "code", code);
    else
        cJSON_AddNullToObject(e, "code");
    p->status = status;
    p->kind = KIND_OTHER;
    p->content_type = "application/json";
}

static void plan_api_error(response_plan *p, const api_error *err)
{
    const char *type = "invalid_request_error";
    plan_error(p, err->status, err->message, type, err->param, NULL);
}

/* ---- small helpers ------------------------------------------------------------ */

static void sleep_ms(long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static int64_t current_now(const server_config *cfg)
{
    return cfg->now_auto ? (int64_t)time(NULL) : cfg->now_fixed;
}

static void log_request(server_state *s, const req_state *r, const char *method,
                        const char *outcome)
{
    if (!s->log)
        return;
    pthread_mutex_lock(&s->log_lock);
    fprintf(s->log, "%llu %s %s -> %s\n", (unsigned long long)r->n, method,
            r->uri, outcome);
    fflush(s->log);
    pthread_mutex_unlock(&s->log_lock);
}

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind,
                                   const char *key, const char *value)
{
    (void)kind;
    qargs_add(cls, key, value);
    return MHD_YES;
}

/* ---- authentication --------------------------------------------------------------- */

static void redact_key(const char *key, char *out, size_t n)
{
    size_t len = strlen(key);
    if (len >= 12)
        snprintf(out, n, "%.3s...%s", key, key + len - 4);
    else
        snprintf(out, n, "***");
}

/* true when authorized; otherwise fills a 401/403 plan */
static bool authorize(const server_config *cfg, struct MHD_Connection *c,
                      response_plan *p)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                "Authorization");
    const char *key = NULL;
    if (h && strncasecmp(h, "Bearer ", 7) == 0) {
        key = h + 7;
        while (*key == ' ')
            key++;
    }
    if (!key || !*key) {
        plan_error(p, 401,
                   "You didn't provide an API key. You need to provide your "
                   "API key in an Authorization header using Bearer auth "
                   "(i.e. Authorization: Bearer YOUR_KEY).",
                   "invalid_request_error", NULL, "invalid_api_key");
        return false;
    }
    bool ok = cfg->key ? strcmp(key, cfg->key) == 0
                       : strncmp(key, "sk-admin-", 9) == 0;
    if (ok)
        return true;
    if (strncmp(key, "sk-proj-", 8) == 0) {
        plan_error(p, 403,
                   "You have insufficient permissions for this operation. "
                   "Missing scopes: api.usage.read.",
                   "invalid_request_error", NULL, NULL);
        return false;
    }
    char red[32], msg[160];
    redact_key(key, red, sizeof red);
    snprintf(msg, sizeof msg,
             "Incorrect API key provided: %s. You can find your API key at "
             "https://platform.openai.com/account/api-keys.",
             red);
    plan_error(p, 401, msg, "invalid_request_error", NULL, "invalid_api_key");
    return false;
}

/* ---- routing ------------------------------------------------------------------------ */

typedef enum {
    ROUTE_NONE,
    ROUTE_COMPLETIONS,
    ROUTE_DECISIONS,
    ROUTE_COSTS,
    ROUTE_USAGE, /* the nine other usage endpoints */
    ROUTE_PROJECTS,
    ROUTE_USERS,
    ROUTE_API_KEYS,
    ROUTE_SERVICE_ACCOUNTS,
    ROUTE_SPEND_LIMIT,         /* the organization's */
    ROUTE_PROJECT_SPEND_LIMIT, /* a project's */
} route_kind;

/* /v1/organization/projects/{id}<suffix>: copies the id */
static bool project_sub_route(const char *url, const char *suf,
                              char *project_id, size_t n)
{
    const char *pre = "/v1/organization/projects/";
    size_t lp = strlen(pre), ls = strlen(suf), lu = strlen(url);
    if (lu <= lp + ls || strncmp(url, pre, lp) != 0 ||
        strcmp(url + lu - ls, suf) != 0)
        return false;
    size_t idlen = lu - lp - ls;
    if (idlen >= n || memchr(url + lp, '/', idlen))
        return false;
    memcpy(project_id, url + lp, idlen);
    project_id[idlen] = '\0';
    return true;
}

static route_kind route(const char *url, char *project_id, size_t n, org_xe *xe)
{
    const char *usage = "/v1/organization/usage/";
    if (strcmp(url, "/v1/organization/usage/completions") == 0)
        return ROUTE_COMPLETIONS;
    if (strcmp(url, "/v1/organization/usage/decisions") == 0)
        return ROUTE_DECISIONS;
    if (strncmp(url, usage, strlen(usage)) == 0 &&
        org_xe_by_path(url + strlen(usage), xe))
        return ROUTE_USAGE;
    if (strcmp(url, "/v1/organization/costs") == 0)
        return ROUTE_COSTS;
    if (strcmp(url, "/v1/organization/projects") == 0)
        return ROUTE_PROJECTS;
    if (strcmp(url, "/v1/organization/users") == 0)
        return ROUTE_USERS;
    if (project_sub_route(url, "/api_keys", project_id, n))
        return ROUTE_API_KEYS;
    if (project_sub_route(url, "/service_accounts", project_id, n))
        return ROUTE_SERVICE_ACCOUNTS;
    if (strcmp(url, "/v1/organization/spend_limit") == 0)
        return ROUTE_SPEND_LIMIT;
    if (project_sub_route(url, "/spend_limit", project_id, n))
        return ROUTE_PROJECT_SPEND_LIMIT;
    return ROUTE_NONE;
}

static void handle_page(server_state *s, endpoint_kind ep, org_xe xe,
                        int64_t now, const qargs *a, response_plan *p)
{
    page_query q;
    api_error err = {0};
    page_result pr = {0};
    bool parsed = page_query_parse(a, ep, xe, &q, &err);
    /* --page-cap: pages smaller than the limit asked for (the cursor
     * still binds the query as sent). */
    if (parsed && s->cfg->page_cap > 0 && q.limit > s->cfg->page_cap)
        q.limit = s->cfg->page_cap;
    page_options opts = {s->cfg->amounts, s->cfg->extra_field,
                         s->cfg->extra_object};
    if (!parsed ||
        !page_query_policy(&q, s->cfg->api_key_floor,
                           s->cfg->refuse_user_project, &err) ||
        !pages_build(s->org, &q, now, &opts, &pr, &err)) {
        plan_api_error(p, &err);
    } else {
        p->status = 200;
        p->json = pr.json;
        p->kind = KIND_PAGE;
        p->ep = ep;
        p->xe = xe;
        snprintf(p->self_cursor, sizeof p->self_cursor, "%s", pr.self_cursor);
        if (q.page)
            p->page_param = xstrdup(q.page);
    }
    page_query_free(&q);
}

static void handle_list(server_state *s, route_kind r, const char *project_id,
                        const qargs *a, response_plan *p)
{
    api_error err = {0};
    cJSON *j = r == ROUTE_PROJECTS ? lists_projects(s->org, a, &err)
               : r == ROUTE_USERS  ? lists_users(s->org, a, &err)
               : r == ROUTE_API_KEYS
                   ? lists_api_keys(s->org, project_id, a, &err)
                   : lists_service_accounts(s->org, project_id, a, &err);
    if (!j) {
        if (err.status == 404)
            plan_error(p, 404, err.message, "invalid_request_error", NULL,
                       NULL);
        else
            plan_api_error(p, &err);
        return;
    }
    p->status = 200;
    p->json = j;
    p->kind = KIND_LIST;
    const char *after = qargs_get(a, "after");
    if (after)
        p->after_param = xstrdup(after);
}

/* Spend limits take no parameters (any are ignored); 404 for an unknown
 * project, or for no limit with --no-spend-limit 404. */
static void handle_limit(server_state *s, route_kind r, const char *project_id,
                         response_plan *p)
{
    api_error err = {0};
    const char *id = r == ROUTE_PROJECT_SPEND_LIMIT ? project_id : NULL;
    cJSON *j = limits_object(&s->cfg->limits, s->org, id, &err);
    if (!j) {
        plan_error(p, err.status, err.message, "invalid_request_error", NULL,
                   NULL);
        return;
    }
    p->status = 200;
    p->json = j;
    p->kind = KIND_LIMIT;
}

/* ---- response cache (--cache-mb) --------------------------------------------------- */

/* Faults that edit the cJSON tree of a page or list: such a request neither
 * reads nor fills the cache, its page is built afresh. Every other fault
 * either replaces the response before the cache is consulted, or works on
 * the serialized body (truncate, malformed, huge, deep), cached or not. */
static bool fault_needs_tree(fault_kind k)
{
    switch (k) {
    case FAULT_WRONGTYPE:
    case FAULT_NODATA:
    case FAULT_REPEATCURSOR:
    case FAULT_HASMORE_NOCURSOR:
    case FAULT_GAP:
    case FAULT_OVERLAP:
    case FAULT_EXTRA:
        return true;
    default:
        return false;
    }
}

/* The response is a function of the raw request target (path and query as
 * received), "now" and the fixed server options. */
static char *cache_key(const char *uri, int64_t now)
{
    size_t n = strlen(uri) + 32;
    char *key = xmalloc(n);
    snprintf(key, n, "%lld %s", (long long)now, uri);
    return key;
}

static bool plan_from_cache(server_state *s, const char *key, response_plan *p)
{
    char *body;
    size_t len;
    int kind;
    if (!cache_get(s->cache, key, &body, &len, &kind))
        return false;
    p->status = 200;
    p->body = body;
    p->kind = (body_kind)kind;
    p->content_type = "application/json";
    return true;
}

/* Serializes a fresh 200 page or list exactly as make_response would and
 * stores the bytes; the plan then carries the body instead of the tree. */
static void plan_to_cache(server_state *s, const char *key, response_plan *p)
{
    if (p->status != 200 || !p->json ||
        (p->kind != KIND_PAGE && p->kind != KIND_LIST))
        return;
    char *body = cJSON_PrintUnformatted(p->json);
    if (!body)
        return; /* make_response deals with it, uncached */
    cJSON_Delete(p->json);
    p->json = NULL;
    free(p->body);
    p->body = body;
    cache_put(s->cache, key, body, strlen(body), (int)p->kind);
}

static void handle_normal(server_state *s, struct MHD_Connection *c,
                          const char *url, const char *method, const char *uri,
                          bool use_cache, response_plan *p)
{
    char project_id[128];
    org_xe xe = XE_EMBEDDINGS;
    route_kind r = route(url, project_id, sizeof project_id, &xe);
    if (r == ROUTE_NONE) {
        char msg[256];
        snprintf(msg, sizeof msg, "Invalid URL (%.16s %.200s)", method, url);
        plan_error(p, 404, msg, "invalid_request_error", NULL, NULL);
        return;
    }
    if (strcmp(method, "GET") != 0) {
        char msg[128];
        snprintf(msg, sizeof msg,
                 "Method %.16s not allowed for this endpoint; use GET.",
                 method);
        plan_error(p, 405, msg, "invalid_request_error", NULL, NULL);
        return;
    }
    if (!authorize(s->cfg, c, p))
        return;
    if (r == ROUTE_SPEND_LIMIT || r == ROUTE_PROJECT_SPEND_LIMIT) {
        handle_limit(s, r, project_id, p); /* never cached */
        return;
    }
    int64_t now = current_now(s->cfg);
    char *key = use_cache && s->cache ? cache_key(uri, now) : NULL;
    if (key && plan_from_cache(s, key, p)) {
        free(key);
        return;
    }
    qargs a = {0};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
    if (r == ROUTE_COMPLETIONS)
        handle_page(s, EP_COMPLETIONS, xe, now, &a, p);
    else if (r == ROUTE_DECISIONS)
        handle_page(s, EP_DECISIONS, xe, now, &a, p);
    else if (r == ROUTE_COSTS)
        handle_page(s, EP_COSTS, xe, now, &a, p);
    else if (r == ROUTE_USAGE)
        handle_page(s, EP_USAGE, xe, now, &a, p);
    else
        handle_list(s, r, project_id, &a, p);
    qargs_free(&a);
    if (key)
        plan_to_cache(s, key, p);
    free(key);
}

/* ---- faults that replace the response ---------------------------------------------- */

static const char NOT_JSON_BODY[] =
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>"
    "\r\n</body>\r\n</html>\r\n";

/* true when the fault fully determines the response */
static bool apply_replacing_fault(const fault_spec *f, response_plan *p)
{
    switch (f->kind) {
    case FAULT_429: {
        long secs = f->arg >= 0 ? f->arg : 1;
        char msg[160];
        snprintf(msg, sizeof msg,
                 "Rate limit reached for requests. Please try again in %lds.",
                 secs);
        plan_error(p, 429, msg, "requests", NULL, "rate_limit_exceeded");
        snprintf(p->retry_after, sizeof p->retry_after, "%ld", secs);
        return true;
    }
    case FAULT_500:
        plan_error(p, 500,
                   "The server had an error while processing your request. "
                   "Sorry about that!",
                   "server_error", NULL, NULL);
        return true;
    case FAULT_502:
        plan_error(p, 502, "Bad gateway.", "server_error", NULL, NULL);
        return true;
    case FAULT_503:
        plan_error(p, 503, "The server is overloaded or not ready yet.",
                   "server_error", NULL, NULL);
        if (f->arg >= 0)
            snprintf(p->retry_after, sizeof p->retry_after, "%ld", f->arg);
        return true;
    case FAULT_400:
        plan_error(p, 400, "Injected fault: invalid request.",
                   "invalid_request_error", NULL, NULL);
        return true;
    case FAULT_401:
        plan_error(p, 401,
                   "Incorrect API key provided: sk-...xxxx. You can find your "
                   "API key at https://platform.openai.com/account/api-keys.",
                   "invalid_request_error", NULL, "invalid_api_key");
        return true;
    case FAULT_403:
        plan_error(p, 403,
                   "You have insufficient permissions for this operation. "
                   "Missing scopes: api.usage.read.",
                   "invalid_request_error", NULL, NULL);
        return true;
    case FAULT_NOTJSON:
        p->status = 200;
        p->body = xstrdup(NOT_JSON_BODY);
        p->content_type = "text/html";
        p->kind = KIND_OTHER;
        return true;
    default:
        return false;
    }
}

/* ---- faults that mutate a successful page or list ----------------------------------- */

static void set_string(cJSON *obj, const char *name, const char *v)
{
    cJSON_ReplaceItemInObject(obj, name, cJSON_CreateString(v));
}

static void wrongtype_page(response_plan *p)
{
    cJSON *data = cJSON_GetObjectItem(p->json, "data");
    cJSON *bucket;
    cJSON_ArrayForEach(bucket, data)
    {
        cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(bucket, "results"),
                                      0);
        if (!r)
            continue;
        if (p->ep == EP_COSTS)
            set_string(cJSON_GetObjectItem(r, "amount"), "value", "abc");
        else if (p->ep == EP_USAGE) /* the endpoint's first metric */
            set_string(r, org_xe_table[p->xe].metrics[0], "abc");
        else
            set_string(r, "input_tokens", "abc");
        return;
    }
    bucket = cJSON_GetArrayItem(data, 0);
    if (bucket)
        set_string(bucket, "start_time", "abc");
    else
        set_string(p->json, "data", "abc");
}

static void wrongtype_list(response_plan *p)
{
    cJSON *o = cJSON_GetArrayItem(cJSON_GetObjectItem(p->json, "data"), 0);
    if (!o) {
        set_string(p->json, "has_more", "abc");
        return;
    }
    const char *field = cJSON_GetObjectItem(o, "added_at") ? "added_at"
                                                           : "created_at";
    set_string(o, field, "abc");
}

static void nodata(response_plan *p)
{
    cJSON_Delete(p->json);
    p->json = cJSON_CreateObject();
    if (p->kind == KIND_PAGE) {
        cJSON_AddStringToObject(p->json, "object", "page");
        cJSON_AddFalseToObject(p->json, "has_more");
        cJSON_AddNullToObject(p->json, "next_page");
    } else {
        cJSON_AddStringToObject(p->json, "object", "list");
        cJSON_AddNullToObject(p->json, "first_id");
        cJSON_AddNullToObject(p->json, "last_id");
        cJSON_AddFalseToObject(p->json, "has_more");
    }
}

static void set_more(response_plan *p, const char *cursor_field,
                     const char *cursor)
{
    cJSON_ReplaceItemInObject(p->json, "has_more", cJSON_CreateTrue());
    cJSON_ReplaceItemInObject(p->json, cursor_field,
                              cursor ? cJSON_CreateString(cursor)
                                     : cJSON_CreateNull());
}

/* Damage the sequence of buckets: the client must notice. */
static void bucket_fault(fault_kind k, response_plan *p)
{
    cJSON *data = cJSON_GetObjectItem(p->json, "data");
    int n = cJSON_GetArraySize(data);

    if (k == FAULT_GAP && n >= 3) {
        cJSON_DeleteItemFromArray(data, n / 2);
    } else if (k == FAULT_OVERLAP && n >= 1) {
        cJSON_AddItemToArray(data,
                             cJSON_Duplicate(cJSON_GetArrayItem(data, 0), 1));
    } else if (k == FAULT_EXTRA && n >= 1) {
        cJSON *last = cJSON_GetArrayItem(data, n - 1);
        cJSON *b = cJSON_Duplicate(last, 1);
        /* Bucket times are raw JSON literals (exact integers). */
        long long s0 =
            atoll(cJSON_GetObjectItem(last, "start_time")->valuestring);
        long long e0 =
            atoll(cJSON_GetObjectItem(last, "end_time")->valuestring);
        long long w = e0 - s0 < 60 ? 60 : e0 - s0;
        char t[32];
        snprintf(t, sizeof t, "%lld", e0);
        cJSON_ReplaceItemInObject(b, "start_time", cJSON_CreateRaw(t));
        snprintf(t, sizeof t, "%lld", e0 + w);
        cJSON_ReplaceItemInObject(b, "end_time", cJSON_CreateRaw(t));
        cJSON_AddItemToArray(data, b);
    }
}

static void apply_mutating_fault(const fault_spec *f, response_plan *p)
{
    /* a spend limit has no data or cursor: only wrongtype applies */
    if (p->status == 200 && p->json && p->kind == KIND_LIMIT &&
        f->kind == FAULT_WRONGTYPE) {
        set_string(p->json, "threshold_amount", "abc");
        return;
    }
    if (p->status != 200 || !p->json ||
        (p->kind != KIND_PAGE && p->kind != KIND_LIST))
        return;
    bool page = p->kind == KIND_PAGE;
    const char *cursor_field = page ? "next_page" : "last_id";
    switch (f->kind) {
    case FAULT_WRONGTYPE:
        page ? wrongtype_page(p) : wrongtype_list(p);
        break;
    case FAULT_NODATA:
        nodata(p);
        break;
    case FAULT_REPEATCURSOR:
        if (page)
            set_more(p, cursor_field,
                     p->page_param ? p->page_param : p->self_cursor);
        else
            set_more(p, cursor_field, p->after_param);
        break;
    case FAULT_HASMORE_NOCURSOR:
        set_more(p, cursor_field, NULL);
        break;
    case FAULT_GAP:
    case FAULT_OVERLAP:
    case FAULT_EXTRA:
        if (page)
            bucket_fault(f->kind, p);
        break;
    default:
        break;
    }
}

/* ---- sending ------------------------------------------------------------------------- */

typedef struct {
    char *body;
    size_t send_len; /* bytes actually sent before the connection aborts */
} truncated_body;

static ssize_t truncated_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    truncated_body *t = cls;
    if (pos >= t->send_len)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = t->send_len - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, t->body + pos, n);
    return (ssize_t)n;
}

static void truncated_free(void *cls)
{
    truncated_body *t = cls;
    free(t->body);
    free(t);
}

/* FAULT_HUGE: an endless run of blanks (the client must refuse it). */
static ssize_t blank_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)cls;
    (void)pos;
    memset(buf, ' ', max);
    return (ssize_t)max;
}

static struct MHD_Response *make_response(response_plan *p, fault_kind fault)
{
    if (fault == FAULT_HUGE) {
        free(p->body);
        p->body = NULL;
        return MHD_create_response_from_callback((uint64_t)4 << 30, 65536,
                                                 blank_reader, NULL, NULL);
    }
    if (fault == FAULT_DEEP) {
        enum { DEPTH = 10000 };
        char *deep = xmalloc(2 * DEPTH + 1);
        memset(deep, '[', DEPTH);
        memset(deep + DEPTH, ']', DEPTH);
        deep[2 * DEPTH] = '\0';
        free(p->body);
        p->body = deep;
        if (p->json) {
            cJSON_Delete(p->json);
            p->json = NULL;
        }
    }
    char *body = p->body;
    p->body = NULL;
    if (p->json) {
        body = cJSON_PrintUnformatted(p->json);
        if (!body)
            body = xstrdup("{}");
    }
    size_t len = strlen(body);
    if (fault == FAULT_TRUNCATE) {
        truncated_body *t = xmalloc(sizeof *t);
        t->body = body;
        t->send_len = len / 2;
        return MHD_create_response_from_callback(len, 4096, truncated_reader, t,
                                                 truncated_free);
    }
    if (fault == FAULT_MALFORMED) {
        len /= 2;
        body[len] = '\0';
    }
    return MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
}

static void add_headers(struct MHD_Response *r, const response_plan *p,
                        uint64_t n)
{
    MHD_add_response_header(r, "Content-Type", p->content_type);
    if (p->retry_after[0])
        MHD_add_response_header(r, "Retry-After", p->retry_after);
    char rid[40];
    snprintf(rid, sizeof rid, "req_%016llx",
             (unsigned long long)mix64(n ^ 0x7265717565737421ULL));
    MHD_add_response_header(r, "x-request-id", rid);
}

/* ---- MHD callbacks ------------------------------------------------------------------------ */

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)c;
    server_state *s = cls;
    req_state *r = xcalloc(1, sizeof *r);
    r->n = atomic_fetch_add(&s->requests, 1) + 1;
    r->uri = xstrdup(uri ? uri : "");
    return r;
}

static void request_completed(void *cls, struct MHD_Connection *c,
                              void **req_cls,
                              enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    req_state *r = *req_cls;
    if (r) {
        free(r->uri);
        free(r);
        *req_cls = NULL;
    }
}

static enum MHD_Result handle_request(void *cls, struct MHD_Connection *c,
                                      const char *url, const char *method,
                                      const char *version,
                                      const char *upload_data,
                                      size_t *upload_data_size, void **req_cls)
{
    (void)version;
    (void)upload_data;
    server_state *s = cls;
    req_state *r = *req_cls;
    if (!r)
        return MHD_NO;
    /* Answer only once the whole request has been read (first call: headers
     * only; then body chunks, which are discarded; then a final call with
     * no data). Queueing earlier would make MHD close the connection. */
    if (!r->started) {
        r->started = true;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->done)
        return MHD_YES;
    r->done = true;

    sleep_ms(s->cfg->latency_ms);
    long delay = 0;
    fault_spec f = faults_match(&s->cfg->faults, r->n, &delay);
    sleep_ms(delay);
    if (f.kind == FAULT_DROP) {
        log_request(s, r, method, "drop");
        return MHD_NO;
    }

    response_plan p = {0};
    p.content_type = "application/json";
    if (!apply_replacing_fault(&f, &p)) {
        handle_normal(s, c, url, method, r->uri, !fault_needs_tree(f.kind), &p);
        apply_mutating_fault(&f, &p);
    }
    struct MHD_Response *resp = make_response(&p, f.kind);
    add_headers(resp, &p, r->n);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)p.status, resp);
    MHD_destroy_response(resp);
    char status[16];
    snprintf(status, sizeof status, "%d", p.status);
    log_request(s, r, method, status);
    plan_free(&p);
    return ret;
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

static bool write_port_file(const char *path, unsigned port)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return false;
    bool ok = fprintf(f, "%u\n", port) > 0;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return false;
    }
    return true;
}

static struct MHD_Daemon *start_daemon(server_state *s, int port)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
                                MHD_USE_INTERNAL_POLLING_THREAD,
                            (uint16_t)port, NULL, NULL, handle_request, s,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                            MHD_OPTION_URI_LOG_CALLBACK, uri_logger, s,
                            MHD_OPTION_NOTIFY_COMPLETED, request_completed, s,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
                            MHD_OPTION_END);
}

static void block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int server_run(const server_config *cfg)
{
    sigset_t sigs;
    block_signals(&sigs); /* inherited by MHD's threads */

    server_state s;
    memset(&s, 0, sizeof s);
    s.cfg = cfg;
    atomic_init(&s.requests, 0);
    pthread_mutex_init(&s.log_lock, NULL);
    if (cfg->log_path && !(s.log = fopen(cfg->log_path, "a"))) {
        perror(cfg->log_path);
        pthread_mutex_destroy(&s.log_lock);
        return 1;
    }
    s.org = org_create(cfg->seed, cfg->org);
    if (cfg->sa_users)
        org_attribute_service_accounts(s.org);
    org_set_revise_lag(s.org, cfg->revise_lag, cfg->revise_costs_lag);
    if (cfg->cache_mb > 0 && cfg->now_auto)
        fprintf(stderr, "oaiusage-mock: --cache-mb has no effect with "
                        "--now auto\n");
    else if (cfg->cache_mb > 0)
        s.cache = cache_create((size_t)cfg->cache_mb << 20);

    int status = 0;
    struct MHD_Daemon *d = start_daemon(&s, cfg->port);
    if (!d) {
        fprintf(stderr, "oaiusage-mock: cannot listen on 127.0.0.1:%d\n",
                cfg->port);
        status = 1;
    } else {
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        unsigned port = info ? info->port : (unsigned)cfg->port;
        printf("oaiusage-mock listening on http://127.0.0.1:%u/v1\n", port);
        fflush(stdout);
        if (cfg->port_file && !write_port_file(cfg->port_file, port)) {
            perror(cfg->port_file);
            status = 1;
        } else {
            int sig = 0;
            sigwait(&sigs, &sig);
        }
        MHD_stop_daemon(d);
    }
    if (s.cache) {
        cache_stats st;
        cache_get_stats(s.cache, &st);
        fprintf(stderr,
                "oaiusage-mock: cache: %llu hits, %llu misses, %llu stored, "
                "%llu evicted, %llu too big, %zu entries, %zu of %zu bytes\n",
                (unsigned long long)st.hits, (unsigned long long)st.misses,
                (unsigned long long)st.stored, (unsigned long long)st.evicted,
                (unsigned long long)st.too_big, st.entries, st.bytes,
                st.max_bytes);
        cache_free(s.cache);
    }
    org_free(s.org);
    if (s.log)
        fclose(s.log);
    pthread_mutex_destroy(&s.log_lock);
    return status;
}
