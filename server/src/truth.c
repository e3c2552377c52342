/* truth.c - owns `oaiusage-mock truth`: the independent reference path. It
 * computes, straight from the dataset functions in org.c, the CSV a correct
 * client must print for a window. It deliberately shares nothing with the
 * page builder (pages.c) or the wire tables (params.c, org_xe_table): it has
 * its own endpoint table, walks every minute (usage) or hour (costs) of the
 * window, applies the filters itself and accumulates into a hash map keyed
 * by the rendered CSV prefix (period or bucket bounds + group values); it
 * never builds pages or JSON. Only the vector_stores level, which is read
 * once per bucket, needs the bucket starts, and it derives them itself.
 * With --revise-lag it reads the served values (org_*_served) as of --now
 * and itself files an unattributed provisional part under null project,
 * user and api key, and keeps it out of those three filters. */
#include "truth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "org.h"
#include "util.h"

/* ---- options ------------------------------------------------------------- */

typedef enum { PER_NONE, PER_DAY, PER_WEEK, PER_MONTH, PER_BUCKET } per_mode;

/* The nine usage endpoints besides completions and decisions, by org_xe:
 * the CSV metrics, whether the metric is a level (see walk_xlevels) and the
 * allowed --group-by fields, which are also the allowed filters (except
 * api_source, which has no filter). */
typedef struct {
    const char *name;
    const char *metrics[2];
    bool level;
    const char *groups[7];
} xe_truth;

static const xe_truth XE[ORG_NXE] = {
    [XE_EMBEDDINGS] = {"embeddings",
                       {"input_tokens", "num_model_requests"},
                       false,
                       {"project_id", "user_id", "api_key_id", "model"}},
    [XE_MODERATIONS] = {"moderations",
                        {"input_tokens", "num_model_requests"},
                        false,
                        {"project_id", "user_id", "api_key_id", "model"}},
    [XE_IMAGES] = {"images",
                   {"images", "num_model_requests"},
                   false,
                   {"project_id", "user_id", "api_key_id", "model", "size",
                    "source"}},
    [XE_AUDIO_SPEECHES] = {"audio_speeches",
                           {"characters", "num_model_requests"},
                           false,
                           {"project_id", "user_id", "api_key_id", "model"}},
    [XE_AUDIO_TRANSCRIPTIONS] = {"audio_transcriptions",
                                 {"seconds", "num_model_requests"},
                                 false,
                                 {"project_id", "user_id", "api_key_id",
                                  "model"}},
    [XE_VECTOR_STORES] = {"vector_stores",
                          {"usage_bytes"},
                          true,
                          {"project_id"}},
    [XE_CODE_INTERPRETER_SESSIONS] = {"code_interpreter_sessions",
                                      {"num_sessions"},
                                      false,
                                      {"project_id"}},
    [XE_FILE_SEARCH_CALLS] = {"file_search_calls",
                              {"num_requests"},
                              false,
                              {"project_id", "user_id", "api_key_id",
                               "vector_store_id"}},
    [XE_WEB_SEARCH_CALLS] = {"web_search_calls",
                             {"num_model_requests", "num_requests"},
                             false,
                             {"project_id", "user_id", "api_key_id", "model",
                              "context_level", "api_source"}},
};

/* group field, filter option (NULL: none) and (for enums) allowed values,
 * per org_xdim; sizes are open text */
static const struct {
    const char *field, *option;
    const char *const values[6];
} XDIM[ORG_NXD] = {
    {"project_id", "--project-ids", {NULL}},
    {"user_id", "--user-ids", {NULL}},
    {"api_key_id", "--api-key-ids", {NULL}},
    {"model", "--models", {NULL}},
    {"size", "--sizes", {NULL}},
    {"source",
     "--sources",
     {"image.generation", "image.edit", "image.variation", NULL}},
    {"vector_store_id", "--vector-store-ids", {NULL}},
    {"context_level", "--context-levels", {"low", "medium", "high", NULL}},
    {"api_source", NULL, {NULL}},
};

typedef struct {
    bool costs;
    bool decisions; /* completions' shape, decisions' streams */
    int xe;         /* an org_xe, or -1 for completions, decisions, costs */
    int64_t start, end, now;
    bool has_end;
    uint64_t seed;
    org_size org;
    int64_t width;
    strlist group_by; /* in the order given */
    per_mode per;
    bool records;
    strlist filter[ORG_NXD]; /* by org_xdim: --project-ids ... */
    strlist line_items;      /* costs: --line-items */
    bool sa_users;           /* --service-account-users */
    int batch;               /* -1 any */
    /* --revise-lag SECS,COSTS_SECS; 0: off */
    int64_t revise_lag, revise_costs_lag;
} truth_opts;

/* completions and decisions */
static const char *const USAGE_GROUPS[] = {"project_id", "user_id",
                                           "api_key_id", "model",
                                           "batch",      "service_tier",
                                           "api_source"};
static const char *const COST_GROUPS[] = {"project_id", "user_id", "line_item",
                                          "api_key_id", "api_source"};

static int fail(const char *msg, const char *arg)
{
    fprintf(stderr, "oaiusage-mock truth: %s%s%s\n", msg, arg ? ": " : "",
            arg ? arg : "");
    return 2;
}

static bool valid_group(const truth_opts *o, const char *g)
{
    const char *const *names = o->costs ? COST_GROUPS : USAGE_GROUPS;
    size_t n = o->costs ? 5 : 7;
    if (o->xe >= 0) {
        names = XE[o->xe].groups;
        for (n = 0; names[n]; n++)
            ;
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], g) == 0)
            return true;
    return false;
}

static bool parse_per(const char *v, per_mode *out)
{
    static const char *const names[] = {"day", "week", "month", "bucket"};
    for (int i = 0; i < 4; i++)
        if (strcmp(v, names[i]) == 0) {
            *out = (per_mode)(i + 1);
            return true;
        }
    return false;
}

static bool parse_width(const char *v, int64_t *out)
{
    if (strcmp(v, "1m") == 0)
        *out = SECS_MINUTE;
    else if (strcmp(v, "1h") == 0)
        *out = SECS_HOUR;
    else if (strcmp(v, "1d") == 0)
        *out = SECS_DAY;
    else
        return false;
    return true;
}

static void opts_free(truth_opts *o)
{
    strlist_free(&o->group_by);
    strlist_free(&o->line_items);
    for (int d = 0; d < ORG_NXD; d++)
        strlist_free(&o->filter[d]);
}

/* the org_xdim of a filter option, or -1 */
static int filter_option(const char *name)
{
    for (int d = 0; d < ORG_NXD; d++)
        if (XDIM[d].option && strcmp(XDIM[d].option, name) == 0)
            return d;
    return -1;
}

/* --line-items: line items contain ", ", so a value is split only at
 * commas not followed by a space */
static void add_line_items(strlist *l, const char *v)
{
    size_t start = 0, n = strlen(v);
    for (size_t i = 0; i <= n; i++) {
        if (i < n && !(v[i] == ',' && v[i + 1] != ' '))
            continue;
        if (i > start)
            strlist_push_n(l, v + start, i - start);
        start = i + 1;
    }
}

/* does the endpoint have the filter of dimension d? */
static bool has_filter(const truth_opts *o, int d)
{
    if (o->costs)
        return d == XD_PROJECT || d == XD_API_KEY;
    if (o->xe < 0)
        return d <= XD_MODEL;
    for (int i = 0; XE[o->xe].groups[i]; i++)
        if (strcmp(XE[o->xe].groups[i], XDIM[d].field) == 0)
            return true;
    return false;
}

static int check_filters(const truth_opts *o)
{
    for (int d = 0; d < ORG_NXD; d++) {
        const strlist *l = &o->filter[d];
        if (l->len && !has_filter(o, d))
            return fail("this ENDPOINT has no such filter", XDIM[d].option);
        for (size_t i = 0; i < l->len && XDIM[d].values[0]; i++) {
            int k = 0;
            while (XDIM[d].values[k] &&
                   strcmp(XDIM[d].values[k], l->items[i]) != 0)
                k++;
            if (!XDIM[d].values[k])
                return fail("value outside the enum", l->items[i]);
        }
    }
    if (o->batch >= 0 && (o->costs || o->xe >= 0))
        return fail("only completions and decisions have --batch", NULL);
    if (o->line_items.len && !o->costs)
        return fail("only costs has --line-items", NULL);
    return 0;
}

/* parse one "--name value" option; returns 0, or an exit status */
static int parse_valued(truth_opts *o, const char *name, const char *v,
                        bool *have_start)
{
    int64_t n;
    if (strcmp(name, "--start-time") == 0) {
        if (!parse_int64(v, &o->start) || o->start < 0)
            return fail("bad --start-time", v);
        *have_start = true;
    } else if (strcmp(name, "--end-time") == 0) {
        if (!parse_int64(v, &o->end) || o->end < 0)
            return fail("bad --end-time", v);
        o->has_end = true;
    } else if (strcmp(name, "--now") == 0) {
        if (!parse_int64(v, &o->now) || o->now < 0)
            return fail("bad --now", v);
    } else if (strcmp(name, "--seed") == 0) {
        if (!parse_int64(v, &n) || n < 0)
            return fail("bad --seed", v);
        o->seed = (uint64_t)n;
    } else if (strcmp(name, "--org") == 0) {
        if (!org_parse_size(v, &o->org))
            return fail("bad --org (small|large)", v);
    } else if (strcmp(name, "--bucket-width") == 0) {
        if (!parse_width(v, &o->width))
            return fail("bad --bucket-width (1m|1h|1d)", v);
    } else if (strcmp(name, "--group-by") == 0) {
        strlist_push_split(&o->group_by, v);
    } else if (strcmp(name, "--per") == 0) {
        if (!parse_per(v, &o->per))
            return fail("bad --per (day|week|month|bucket)", v);
    } else if (filter_option(name) >= 0) {
        strlist_push_split(&o->filter[filter_option(name)], v);
    } else if (strcmp(name, "--line-items") == 0) {
        add_line_items(&o->line_items, v);
    } else if (strcmp(name, "--revise-lag") == 0) {
        if (!org_parse_revise_lag(v, &o->revise_lag, &o->revise_costs_lag))
            return fail("bad --revise-lag (SECS[,COSTS_SECS])", v);
    } else if (strcmp(name, "--extra-field") == 0 ||
               strcmp(name, "--extra-object") == 0) {
        /* schema-drift hooks of serve: never data, nothing changes */
    } else if (strcmp(name, "--batch") == 0) {
        if (strcmp(v, "true") == 0)
            o->batch = 1;
        else if (strcmp(v, "false") == 0)
            o->batch = 0;
        else
            return fail("bad --batch (true|false)", v);
    } else {
        return fail("unknown option", name);
    }
    return 0;
}

static int check_opts(truth_opts *o)
{
    for (size_t i = 0; i < o->group_by.len; i++) {
        if (!valid_group(o, o->group_by.items[i]))
            return fail("invalid --group-by field", o->group_by.items[i]);
        for (size_t j = 0; j < i; j++)
            if (strcmp(o->group_by.items[i], o->group_by.items[j]) == 0)
                return fail("duplicate --group-by field", o->group_by.items[i]);
    }
    if (o->costs && o->width != SECS_DAY)
        return fail("costs supports only --bucket-width 1d", NULL);
    int rc = check_filters(o);
    if (rc)
        return rc;
    if (o->records && o->per != PER_NONE)
        return fail("--records and --per are mutually exclusive", NULL);
    if (o->has_end && o->end <= o->start)
        return fail("--end-time must be greater than --start-time", NULL);
    return 0;
}

static int parse_opts(int argc, char **argv, truth_opts *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 42;
    o->width = SECS_DAY;
    o->batch = -1;
    o->now = (int64_t)time(NULL);
    o->xe = -1;
    if (argc < 1)
        return fail("missing ENDPOINT", NULL);
    for (int e = 0; e < ORG_NXE; e++)
        if (strcmp(argv[0], XE[e].name) == 0)
            o->xe = e;
    if (strcmp(argv[0], "costs") == 0)
        o->costs = true;
    else if (strcmp(argv[0], "decisions") == 0)
        o->decisions = true;
    else if (strcmp(argv[0], "completions") != 0 && o->xe < 0)
        return fail("unknown ENDPOINT (completions, decisions, costs, "
                    "embeddings, moderations, images, audio_speeches, "
                    "audio_transcriptions, vector_stores, "
                    "code_interpreter_sessions, file_search_calls, "
                    "web_search_calls)",
                    argv[0]);
    bool have_start = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--records") == 0) {
            o->records = true;
            continue;
        }
        if (strcmp(argv[i], "--service-account-users") == 0) {
            o->sa_users = true;
            continue;
        }
        if (i + 1 >= argc)
            return fail("option needs a value", argv[i]);
        int rc = parse_valued(o, argv[i], argv[i + 1], &have_start);
        if (rc)
            return rc;
        i++;
    }
    if (!have_start)
        return fail("--start-time is required", NULL);
    return check_opts(o);
}

/* ---- accumulator: open-addressing map from CSV prefix to sums -------------- */

typedef struct {
    char *prefix; /* NULL = empty slot */
    uint64_t hash;
    int64_t v[ORG_NMETRICS]; /* usage metrics, or [0]=amount [1]=quantity */
    const char *unit;
    bool has_slot; /* levels: v holds the sum for bucket start `slot` */
    int64_t slot;
} acc_entry;

typedef struct {
    acc_entry *slots;
    size_t cap, len;
} acc_map;

static void acc_grow(acc_map *m);

static acc_entry *acc_get(acc_map *m, const char *prefix)
{
    if ((m->len + 1) * 2 > m->cap)
        acc_grow(m);
    uint64_t h = hash_str(0, prefix);
    size_t i = (size_t)h & (m->cap - 1);
    while (m->slots[i].prefix) {
        if (m->slots[i].hash == h && strcmp(m->slots[i].prefix, prefix) == 0)
            return &m->slots[i];
        i = (i + 1) & (m->cap - 1);
    }
    m->slots[i].prefix = xstrdup(prefix);
    m->slots[i].hash = h;
    m->len++;
    return &m->slots[i];
}

static void acc_grow(acc_map *m)
{
    acc_map bigger = {0};
    bigger.cap = m->cap ? m->cap * 2 : 1024;
    bigger.slots = xcalloc(bigger.cap, sizeof *bigger.slots);
    for (size_t i = 0; i < m->cap; i++) {
        acc_entry *e = &m->slots[i];
        if (!e->prefix)
            continue;
        size_t j = (size_t)e->hash & (bigger.cap - 1);
        while (bigger.slots[j].prefix)
            j = (j + 1) & (bigger.cap - 1);
        bigger.slots[j] = *e;
        bigger.len++;
    }
    free(m->slots);
    *m = bigger;
}

static void acc_free(acc_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].prefix);
    free(m->slots);
}

/* ---- CSV rendering ---------------------------------------------------------- */

/* a CSV line being built; n counts the fields already in it */
typedef struct {
    strbuf sb;
    int n;
} csv_row;

static void csv_reset(csv_row *r)
{
    r->sb.len = 0;
    if (r->sb.data)
        r->sb.data[0] = '\0';
    r->n = 0;
}

static const char *csv_text(const csv_row *r)
{
    return r->sb.data ? r->sb.data : "";
}

static void csv_field(csv_row *r, const char *v)
{
    strbuf *b = &r->sb;
    if (r->n++ > 0)
        sb_append(b, ",");
    if (!strpbrk(v, ",\"\r\n")) {
        sb_append(b, v);
        return;
    }
    sb_append(b, "\"");
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            sb_append(b, "\"\"");
        else
            sb_append_n(b, p, 1);
    }
    sb_append(b, "\"");
}

static void csv_time(csv_row *b, int64_t t)
{
    char ts[40];
    fmt_rfc3339(t, ts, sizeof ts);
    csv_field(b, ts);
}

/* ---- window walk --------------------------------------------------------------- */

typedef struct {
    const truth_opts *o;
    const org_t *org;
    int64_t first, end; /* [first, end) */
} walk;

static int64_t period_of(per_mode per, int64_t bucket_start)
{
    switch (per) {
    case PER_DAY:
        return floor_to(bucket_start, SECS_DAY);
    case PER_WEEK:
        return floor_week(bucket_start);
    case PER_MONTH:
        return floor_month(bucket_start);
    default:
        return bucket_start;
    }
}

/* leading CSV columns that identify the time slot of instant t */
static void time_prefix(const walk *w, int64_t t, csv_row *b)
{
    int64_t aligned = floor_to(t, w->o->width);
    int64_t bs = aligned > w->first ? aligned : w->first;
    int64_t be = aligned + w->o->width < w->end ? aligned + w->o->width
                                                : w->end;
    if (w->o->records) {
        csv_time(b, bs);
        csv_time(b, be);
    } else if (w->o->per != PER_NONE) {
        csv_time(b, period_of(w->o->per, bs));
    }
}

/* the group fields an unattributed provisional part has null */
static bool unattributed_field(const char *field)
{
    return strcmp(field, "project_id") == 0 || strcmp(field, "user_id") == 0 ||
           strcmp(field, "api_key_id") == 0;
}

/* the filters that exclude an unattributed provisional part */
static bool filters_attribution(const truth_opts *o)
{
    return o->filter[XD_PROJECT].len || o->filter[XD_USER].len ||
           o->filter[XD_API_KEY].len;
}

static const char *usage_group_value(const org_t *org, const org_stream *s,
                                     const char *field, bool unattributed)
{
    if (unattributed && unattributed_field(field))
        return "";
    if (strcmp(field, "project_id") == 0)
        return org->projects[s->project].id;
    if (strcmp(field, "user_id") == 0)
        return s->user >= 0 ? org_user_id(org, s->user) : "";
    if (strcmp(field, "api_key_id") == 0)
        return org->keys[s->key].id;
    if (strcmp(field, "model") == 0)
        return org->models[s->model].name;
    if (strcmp(field, "batch") == 0)
        return s->batch ? "true" : "false";
    if (strcmp(field, "api_source") == 0)
        return org_api_sources[s->api_source];
    return org_tier_names[s->tier];
}

static bool usage_stream_wanted(const truth_opts *o, const org_t *org,
                                const org_stream *s)
{
    if (o->filter[XD_PROJECT].len &&
        !strlist_contains(&o->filter[XD_PROJECT], org->projects[s->project].id))
        return false;
    if (o->filter[XD_USER].len) {
        if (s->user < 0 ||
            !strlist_contains(&o->filter[XD_USER], org_user_id(org, s->user)))
            return false;
    }
    if (o->filter[XD_API_KEY].len &&
        !strlist_contains(&o->filter[XD_API_KEY], org->keys[s->key].id))
        return false;
    if (o->filter[XD_MODEL].len &&
        !strlist_contains(&o->filter[XD_MODEL], org->models[s->model].name))
        return false;
    return o->batch < 0 || (o->batch == 1) == s->batch;
}

/* completions or decisions: every counter summed over every minute */
static void walk_usage(const walk *w, acc_map *m)
{
    const truth_opts *o = w->o;
    const org_stream *streams = o->decisions ? w->org->dstreams
                                             : w->org->streams;
    int n = o->decisions ? w->org->ndstreams : w->org->nstreams;
    csv_row key = {0};
    int64_t row[ORG_NMETRICS];
    bool *wanted = xcalloc((size_t)n, sizeof *wanted);
    for (int s = 0; s < n; s++)
        wanted[s] = usage_stream_wanted(o, w->org, &streams[s]);
    /* an unattributed part passes no project, user or key filter */
    bool any_un = !filters_attribution(o);
    for (int64_t t = w->first; t < w->end; t += SECS_MINUTE) {
        for (int s = 0; s < n; s++) {
            bool un;
            if (!wanted[s] ||
                !org_token_usage_served(w->org, &streams[s], t, o->now, row,
                                        &un) ||
                (un && !any_un))
                continue;
            csv_reset(&key);
            time_prefix(w, t, &key);
            for (size_t g = 0; g < o->group_by.len; g++)
                csv_field(&key, usage_group_value(w->org, &streams[s],
                                                  o->group_by.items[g], un));
            acc_entry *e = acc_get(m, csv_text(&key));
            for (int k = 0; k < ORG_NMETRICS; k++)
                e->v[k] += row[k];
        }
    }
    free(wanted);
    sb_free(&key.sb);
}

static const char *cost_group_value(const org_t *org, const org_cost_stream *c,
                                    const char *field, bool unattributed)
{
    if (unattributed && unattributed_field(field))
        return "";
    if (strcmp(field, "project_id") == 0)
        return org->projects[c->project].id;
    if (strcmp(field, "line_item") == 0)
        return c->line_item;
    if (strcmp(field, "user_id") == 0)
        return c->user >= 0 ? org_user_id(org, c->user) : "";
    if (strcmp(field, "api_source") == 0)
        return org_api_sources[c->api_source];
    return c->key >= 0 ? org->keys[c->key].id : "";
}

static bool cost_stream_wanted(const truth_opts *o, const org_t *org,
                               const org_cost_stream *c)
{
    if (o->filter[XD_PROJECT].len &&
        !strlist_contains(&o->filter[XD_PROJECT], org->projects[c->project].id))
        return false;
    if (o->filter[XD_API_KEY].len &&
        (c->key < 0 ||
         !strlist_contains(&o->filter[XD_API_KEY], org->keys[c->key].id)))
        return false;
    if (o->line_items.len && !strlist_contains(&o->line_items, c->line_item))
        return false;
    return true;
}

static void walk_costs(const walk *w, acc_map *m)
{
    const truth_opts *o = w->o;
    csv_row key = {0};
    int n = w->org->ncost_streams;
    bool *wanted = xcalloc((size_t)n, sizeof *wanted);
    for (int c = 0; c < n; c++)
        wanted[c] = cost_stream_wanted(o, w->org, &w->org->cost_streams[c]);
    bool any_un = !filters_attribution(o);
    for (int64_t t = w->first; t < w->end; t += SECS_HOUR) {
        for (int c = 0; c < n; c++) {
            int64_t amount, qty;
            bool un;
            if (!wanted[c] ||
                !org_cost_served(w->org, c, t, o->now, &amount, &qty, &un) ||
                (un && !any_un))
                continue;
            const org_cost_stream *cs = &w->org->cost_streams[c];
            csv_reset(&key);
            time_prefix(w, t, &key);
            for (size_t g = 0; g < o->group_by.len; g++)
                csv_field(&key, cost_group_value(w->org, cs,
                                                 o->group_by.items[g], un));
            acc_entry *e = acc_get(m, csv_text(&key));
            e->v[0] += amount;
            e->v[1] += qty;
            e->unit = cs->quantity_unit;
        }
    }
    free(wanted);
    sb_free(&key.sb);
}

/* the other usage endpoints: value of dimension d of a stream; NULL = null
 * (the dataset's own accessor: truth shares the dataset, not the pages) */
static const char *xdim_value(const org_t *org, const org_xstream *s, int d)
{
    return org_xdim_value(org, (org_xdim)d, s->dim[d]);
}

static bool xstream_wanted(const truth_opts *o, const org_t *org,
                           const org_xstream *s)
{
    for (int d = 0; d < ORG_NXD; d++) {
        if (!o->filter[d].len)
            continue;
        const char *v = xdim_value(org, s, d);
        if (!v || !strlist_contains(&o->filter[d], v))
            return false;
    }
    return true;
}

/* the group values of stream s (of its unattributed part), appended to a
 * key */
static void xgroup_fields(const walk *w, const org_xstream *s,
                          bool unattributed, csv_row *key)
{
    for (size_t g = 0; g < w->o->group_by.len; g++) {
        int d = 0;
        while (strcmp(XDIM[d].field, w->o->group_by.items[g]) != 0)
            d++;
        const char *v = unattributed && unattributed_field(XDIM[d].field)
                            ? NULL
                            : xdim_value(w->org, s, d);
        csv_field(key, v ? v : "");
    }
}

static bool *xwanted(const walk *w)
{
    int n = w->org->nxstreams[w->o->xe];
    bool *wanted = xcalloc((size_t)n, sizeof *wanted);
    for (int s = 0; s < n; s++)
        wanted[s] = xstream_wanted(w->o, w->org,
                                   &w->org->xstreams[w->o->xe][s]);
    return wanted;
}

/* flows: sums over every minute, like completions */
static void walk_xflows(const walk *w, acc_map *m)
{
    org_xe e = (org_xe)w->o->xe;
    int n = w->org->nxstreams[e];
    csv_row key = {0};
    int64_t row[ORG_XE_MAXMETRICS];
    bool *wanted = xwanted(w);
    bool any_un = !filters_attribution(w->o);
    for (int64_t t = w->first; t < w->end; t += SECS_MINUTE) {
        for (int s = 0; s < n; s++) {
            bool un;
            if (!wanted[s] ||
                !org_xusage_served(w->org, e, s, t, w->o->now, row, &un) ||
                (un && !any_un))
                continue;
            csv_reset(&key);
            time_prefix(w, t, &key);
            xgroup_fields(w, &w->org->xstreams[e][s], un, &key);
            acc_entry *ent = acc_get(m, csv_text(&key));
            for (int k = 0; k < ORG_XE_MAXMETRICS; k++)
                ent->v[k] += row[k];
        }
    }
    free(wanted);
    sb_free(&key.sb);
}

/* Levels (vector_stores): a bucket's value is the level at its start
 * minute, summed over the streams of a group. Bucket starts are visited in
 * time order and a key keeps the sum of the latest bucket of its period
 * (the window, the period, or the bucket itself with --records): zero when
 * the group had no result in that bucket. Without --group-by the aggregate
 * is the one group. */
static void walk_xlevels(const walk *w, acc_map *m)
{
    org_xe e = (org_xe)w->o->xe;
    int n = w->org->nxstreams[e];
    csv_row key = {0};
    int64_t row[ORG_XE_MAXMETRICS];
    bool *wanted = xwanted(w);
    for (int64_t bs = w->first; bs < w->end;
         bs = floor_to(bs, w->o->width) + w->o->width) {
        for (int s = 0; s < n; s++) {
            bool un; /* a level is never unattributed */
            if (!wanted[s] ||
                !org_xusage_served(w->org, e, s, bs, w->o->now, row, &un))
                continue;
            csv_reset(&key);
            time_prefix(w, bs, &key);
            xgroup_fields(w, &w->org->xstreams[e][s], un, &key);
            acc_entry *ent = acc_get(m, csv_text(&key));
            if (!ent->has_slot || ent->slot != bs) {
                ent->has_slot = true;
                ent->slot = bs;
                ent->v[0] = 0;
            }
            ent->v[0] += row[0];
        }
        /* A group absent from this bucket holds nothing at its end: zero
         * every key of this bucket's period that it did not reach. */
        csv_reset(&key);
        time_prefix(w, bs, &key);
        const char *tp = csv_text(&key);
        size_t tl = strlen(tp);
        for (size_t i = 0; i < m->cap; i++) {
            acc_entry *x = &m->slots[i];
            if (x->prefix != NULL && x->has_slot && x->slot != bs &&
                strncmp(x->prefix, tp, tl) == 0) {
                x->slot = bs;
                x->v[0] = 0;
            }
        }
    }
    free(wanted);
    sb_free(&key.sb);
}

/* zero rows that must exist even when idle (only without --group-by) */
static void seed_idle_rows(const walk *w, acc_map *m)
{
    const truth_opts *o = w->o;
    if (o->group_by.len > 0 || o->records)
        return;
    if (o->per == PER_NONE) {
        acc_get(m, "");
        return;
    }
    csv_row key = {0};
    for (int64_t t = w->first; t < w->end;
         t = floor_to(t, o->width) + o->width) {
        csv_reset(&key);
        time_prefix(w, t, &key);
        acc_get(m, csv_text(&key));
    }
    sb_free(&key.sb);
}

/* ---- output ---------------------------------------------------------------------- */

static void header(const truth_opts *o, csv_row *b)
{
    if (o->records) {
        csv_field(b, "start_time");
        csv_field(b, "end_time");
    } else if (o->per != PER_NONE) {
        csv_field(b, "period_start");
    }
    for (size_t g = 0; g < o->group_by.len; g++)
        csv_field(b, o->group_by.items[g]);
    if (o->costs) {
        const char *cols[] = {"amount", "currency", "quantity",
                              "quantity_unit"};
        for (int i = 0; i < 4; i++)
            csv_field(b, cols[i]);
    } else if (o->xe >= 0) {
        for (int k = 0; k < 2 && XE[o->xe].metrics[k]; k++)
            csv_field(b, XE[o->xe].metrics[k]);
    } else {
        for (int k = 0; k < ORG_NMETRICS; k++)
            csv_field(b, org_metric_names[k]);
    }
}

static bool grouped_by(const truth_opts *o, const char *field)
{
    return strlist_contains(&o->group_by, field);
}

/* number of CSV fields in every accumulator prefix */
static int prefix_fields(const truth_opts *o)
{
    int n = o->records ? 2 : o->per != PER_NONE ? 1 : 0;
    return n + (int)o->group_by.len;
}

static char *render_row(const truth_opts *o, const acc_entry *e)
{
    csv_row b = {0};
    sb_append(&b.sb, e->prefix);
    b.n = prefix_fields(o);
    char num[48];
    if (o->costs) {
        fmt_fixed(e->v[0], ORG_AMOUNT_SCALE, 0, num, sizeof num);
        csv_field(&b, num);
        csv_field(&b, "usd");
        bool li = grouped_by(o, "line_item");
        if (li)
            fmt_fixed(e->v[1], ORG_QTY_SCALE, 0, num, sizeof num);
        csv_field(&b, li ? num : "");
        csv_field(&b, li && e->unit ? e->unit : "");
    } else if (o->xe >= 0) {
        for (int k = 0; k < 2 && XE[o->xe].metrics[k]; k++) {
            snprintf(num, sizeof num, "%lld", (long long)e->v[k]);
            csv_field(&b, num);
        }
    } else {
        for (int k = 0; k < ORG_NMETRICS; k++) {
            snprintf(num, sizeof num, "%lld", (long long)e->v[k]);
            csv_field(&b, num);
        }
    }
    if (!b.sb.data)
        sb_append(&b.sb, "");
    return b.sb.data;
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_csv(const truth_opts *o, const acc_map *m)
{
    csv_row h = {0};
    header(o, &h);
    fputs(csv_text(&h), stdout);
    fputs("\r\n", stdout);
    sb_free(&h.sb);
    char **lines = xcalloc(m->len ? m->len : 1, sizeof *lines);
    size_t n = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].prefix)
            lines[n++] = render_row(o, &m->slots[i]);
    qsort(lines, n, sizeof *lines, cmp_line);
    for (size_t i = 0; i < n; i++) {
        fputs(lines[i], stdout);
        fputs("\r\n", stdout);
        free(lines[i]);
    }
    free(lines);
}

int truth_main(int argc, char **argv)
{
    truth_opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc) {
        opts_free(&o);
        return rc;
    }
    org_t *org = org_create(o.seed, o.org);
    if (o.sa_users)
        org_attribute_service_accounts(org);
    org_set_revise_lag(org, o.revise_lag, o.revise_costs_lag);
    walk w = {&o, org, 0, 0};
    w.first = o.costs ? floor_to(o.start, SECS_DAY)
                      : floor_to(o.start, SECS_MINUTE);
    w.end = o.has_end && o.end < o.now ? o.end : o.now;

    acc_map m = {0};
    seed_idle_rows(&w, &m);
    if (o.costs)
        walk_costs(&w, &m);
    else if (o.xe >= 0 && XE[o.xe].level)
        walk_xlevels(&w, &m);
    else if (o.xe >= 0)
        walk_xflows(&w, &m);
    else
        walk_usage(&w, &m);
    print_csv(&o, &m);
    fflush(stdout);

    acc_free(&m);
    org_free(org);
    opts_free(&o);
    return 0;
}
