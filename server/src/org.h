/* org.h - the synthetic organization: projects, users, service accounts,
 * API keys, models, vector stores, usage streams (completions, decisions and
 * the nine other usage endpoints) and cost streams, all derived
 * deterministically from a seed, plus the pure dataset functions every other
 * module builds on:
 *   org_token_usage_at() - one completions or decisions stream's counters
 *                          for one UTC minute (org_usage_at: completions)
 *   org_xusage_at() - one stream of another usage endpoint for one minute
 *   org_cost_at()   - one cost stream's amount/quantity for one UTC hour
 * and their "served" variants (org_*_served), which apply the late
 * revisions of --revise-lag for a given "now". */
#ifndef OAIMOCK_ORG_H
#define OAIMOCK_ORG_H

#include <stdbool.h>
#include <stdint.h>

/* first minute with any data: 2024-01-01T00:00:00Z */
#define ORG_DATA_START 1704067200LL
/* amounts are int64 counts of 1e-10 USD, quantities of 1e-4 units */
#define ORG_AMOUNT_SCALE 10
#define ORG_QTY_SCALE 4

typedef enum { ORG_SMALL = 0, ORG_LARGE = 1 } org_size;

/* completions (and decisions) metrics, in the CSV/result order */
enum {
    M_INPUT_TOKENS,
    M_INPUT_CACHED_TOKENS,
    M_INPUT_CACHE_WRITE_TOKENS,
    M_INPUT_CACHE_WRITE_12H_TOKENS,
    M_INPUT_UNCACHED_TOKENS,
    M_OUTPUT_TOKENS,
    M_INPUT_TEXT_TOKENS,
    M_OUTPUT_TEXT_TOKENS,
    M_INPUT_CACHED_TEXT_TOKENS,
    M_INPUT_AUDIO_TOKENS,
    M_INPUT_CACHED_AUDIO_TOKENS,
    M_OUTPUT_AUDIO_TOKENS,
    M_INPUT_IMAGE_TOKENS,
    M_INPUT_CACHED_IMAGE_TOKENS,
    M_OUTPUT_IMAGE_TOKENS,
    M_NUM_MODEL_REQUESTS,
    ORG_NMETRICS
};
extern const char *const org_metric_names[ORG_NMETRICS];

#define ORG_NTIERS 4
extern const char *const org_tier_names[ORG_NTIERS];

/* api_source values (open text on the wire): index 0 is "unlabeled" */
#define ORG_NAPI_SOURCES 3
extern const char *const org_api_sources[ORG_NAPI_SOURCES];

typedef struct {
    char id[32];
    char name[80];
    int64_t created_at;
    int64_t archived_at; /* 0 = not archived */
    bool deleted;        /* never listed; still appears in usage/costs */
} org_project;

typedef struct {
    char id[32];
    char name[64];
    char email[96];
    const char *role; /* "owner" | "reader" */
    int64_t added_at;
} org_user;

/* a project's service account ("svc_acct_" + 24 alnum) */
typedef struct {
    char id[40];
    char name[64];
    int project;
    const char *role; /* "owner" | "member" */
    int64_t created_at;
} org_service_account;

typedef struct {
    char id[24];
    char name[64];
    char redacted[32];
    int project;
    int owner;     /* user index; -1 when a service account owns the key */
    int owner_sa;  /* service account index, or -1 */
    bool inactive; /* the owner left the project: owner_project_access
                      "inactive", hidden from the default api_keys list */
    int64_t created_at;
    int64_t last_used_at;
} org_key;

typedef struct {
    const char *name;
    bool audio, image_in, image_out, cache;
    /* prices in 1e-10 USD per token */
    int64_t price_in, price_cached, price_out;
} org_model;

/* a completions or decisions usage stream */
typedef struct {
    int project, user /* -1: null */, key, model, tier;
    int api_source; /* index into org_api_sources */
    bool batch;
    bool extended_cache; /* also writes 12-hour cache entries */
    int intensity;       /* percent multiplier on the activity probability */
    /* --revise-lag: the provisional part is unattributed */
    bool late_attribution;
    uint64_t salt;
} org_stream;

typedef enum {
    COST_INPUT,
    COST_CACHED_INPUT,
    COST_OUTPUT,
    COST_FILE_STORAGE,
    COST_WEB_SEARCH,
    COST_CACHE_WRITE,
    COST_CACHE_WRITE_12H
} org_cost_kind;

typedef struct {
    int project, key /* -1: null */, model /* -1 */;
    int user;       /* -1: null */
    int api_source; /* index into org_api_sources */
    org_cost_kind kind;
    char line_item[96];
    const char *quantity_unit; /* NULL: JSON null */
    int64_t base;              /* per-stream magnitude parameter */
    bool late_attribution;     /* --revise-lag: provisional part unattributed */
    uint64_t salt;
} org_cost_stream;

/* ---- the nine usage endpoints besides completions and decisions ---------
 * They share one data model: streams that are fixed tuples over a few
 * dimensions, each with one or two int64 metrics per minute. */

typedef enum {
    XE_EMBEDDINGS,
    XE_MODERATIONS,
    XE_IMAGES,
    XE_AUDIO_SPEECHES,
    XE_AUDIO_TRANSCRIPTIONS,
    XE_VECTOR_STORES,
    XE_CODE_INTERPRETER_SESSIONS,
    XE_FILE_SEARCH_CALLS,
    XE_WEB_SEARCH_CALLS,
    ORG_NXE
} org_xe;

/* their grouping dimensions; org_xdim_names[] are the group_by values and
 * result field names */
typedef enum {
    XD_PROJECT,
    XD_USER,
    XD_API_KEY,
    XD_MODEL,
    XD_SIZE,
    XD_SOURCE,
    XD_VECTOR_STORE,
    XD_CONTEXT_LEVEL,
    XD_API_SOURCE, /* group_by only: no filter */
    ORG_NXD
} org_xdim;
extern const char *const org_xdim_names[ORG_NXD];

#define ORG_XE_MAXDIMS 6
#define ORG_XE_MAXMETRICS 2

typedef struct {
    const char *path;   /* segment after /v1/organization/usage/ */
    const char *object; /* result object name */
    int nmetrics;
    const char *metrics[ORG_XE_MAXMETRICS]; /* result/CSV order */
    bool level; /* the metric is a stored level, not a per-minute flow */
    int ndims;
    org_xdim groups[ORG_XE_MAXDIMS]; /* group_by enum (= filters), in order */
    org_xdim fields[ORG_XE_MAXDIMS]; /* group keys of a result, in order */
} org_xe_info;
extern const org_xe_info org_xe_table[ORG_NXE];
/* the endpoint whose path segment is `path`; false when none */
bool org_xe_by_path(const char *path, org_xe *out);

/* value catalogues of the enum dimensions (sizes are open text on the wire:
 * the first five are the 2026-08 spec's enum, the rest newer sizes) */
#define ORG_NSIZES 8
extern const char *const org_image_sizes[ORG_NSIZES];
#define ORG_NSOURCES 3
extern const char *const org_image_sources[ORG_NSOURCES];
#define ORG_NCONTEXT_LEVELS 3
extern const char *const org_context_levels[ORG_NCONTEXT_LEVELS];
/* models of the other usage endpoints (completions models are separate) */
extern const char *const org_xmodel_names[];

typedef struct {
    char id[32]; /* "vs_" + 24 alnum */
    int project;
} org_vector_store;

typedef struct {
    /* per dimension: an index into projects, users, keys, org_xmodel_names,
     * org_image_sizes, org_image_sources, vector_stores, org_context_levels
     * or org_api_sources; -1 = null (user) or not a dimension here */
    int dim[ORG_NXD];
    int intensity; /* percent multiplier on the activity probability */
    /* vector_stores only: the project's stored bytes (see org_xusage_at) */
    int64_t since;        /* first minute with a non-zero level */
    int64_t base, growth; /* bytes at `since`, bytes added per hour */
    bool sporadic;        /* emptied on about one UTC day in four */
    /* --revise-lag: the provisional part is unattributed */
    bool late_attribution;
    uint64_t salt;
} org_xstream;

typedef struct {
    uint64_t seed;
    org_size size;
    int nprojects, nusers, nkeys, nmodels, nstreams, ncost_streams;
    org_project *projects;
    org_user *users;
    org_key *keys;
    const org_model *models;
    org_stream *streams; /* completions */
    org_cost_stream *cost_streams;
    int nservice_accounts;
    org_service_account *service_accounts;
    int ndstreams;
    org_stream *dstreams; /* decisions */
    int nvector_stores;
    org_vector_store *vector_stores;
    int nxstreams[ORG_NXE];
    org_xstream *xstreams[ORG_NXE];
    /* --revise-lag (org_set_revise_lag); 0: that part is never revised */
    int64_t revise_lag, revise_costs_lag;
} org_t;

org_t *org_create(uint64_t seed, org_size size);
/* Attribute usage on service-account keys to the service account: such
 * rows carry the account's id as user_id (user index nusers + account)
 * instead of null. Whether the live API does is unknown; serve and truth
 * take --service-account-users to switch it on. */
void org_attribute_service_accounts(org_t *org);
/* A user index as an id: a person's, or (>= nusers) a service account's;
 * NULL for -1. The email is NULL for a service account. */
const char *org_user_id(const org_t *org, int user);
const char *org_user_email(const org_t *org, int user);
void org_free(org_t *org);
bool org_parse_size(const char *s, org_size *out);

/* Counters of completions or decisions stream s (an element of
 * org->streams or org->dstreams) for the minute starting at minute_start
 * (must be minute aligned). Returns false (and zeroes out) when idle. */
bool org_token_usage_at(const org_t *org, const org_stream *s,
                        int64_t minute_start, int64_t out[ORG_NMETRICS]);
/* the same for completions stream number s */
bool org_usage_at(const org_t *org, int s, int64_t minute_start,
                  int64_t out[ORG_NMETRICS]);

/* Metrics of stream s of endpoint e for the minute starting at minute_start
 * (minute aligned), in org_xe_table[e].metrics order. Returns false (and
 * zeroes out) when idle. For XE_VECTOR_STORES the one metric, usage_bytes,
 * is the project's stored LEVEL at that minute, not a flow; false means the
 * level is 0 (the project then has no result). */
bool org_xusage_at(const org_t *org, org_xe e, int s, int64_t minute_start,
                   int64_t out[ORG_XE_MAXMETRICS]);

/* The string of value index v of dimension d (see org_xstream.dim); NULL for
 * a negative v. */
const char *org_xdim_value(const org_t *org, org_xdim d, int v);

/* Cost of cost stream c for the hour starting at hour_start (hour aligned).
 * Returns false when nothing accrued. */
bool org_cost_at(const org_t *org, int c, int64_t hour_start,
                 int64_t *amount_e10, int64_t *quantity_e4);

/* ---- late revisions (--revise-lag) ---------------------------------------
 * The live API revises closed buckets for a while after they close. With a
 * usage lag L > 0, the minute [m, m + 60) is PROVISIONAL at `now` while
 * now < m + 60 + L, and SETTLED from then on; with a costs lag C > 0, an
 * hour of costs is provisional while now < (end of its UTC day) + C. A
 * settled minute or hour serves exactly the org_*_at() values. A
 * provisional one serves:
 *   - flows (completions, decisions, the flow endpoints, costs): every base
 *     counter (amount and quantity) v scaled to v - v * (1000 - p) / 1000
 *     with p in 700..950 permille drawn per (stream, minute or hour), so
 *     never more than the settled value and never 0 for a non-zero one;
 *     completions' and decisions' derived counters are re-derived (the
 *     identities hold);
 *   - for the streams with late_attribution (index % 4 == 3; cost streams
 *     index % 4 == 1; never vector_stores), that whole provisional part
 *     UNATTRIBUTED: project, user and api key null (*unattributed = true);
 *     the caller groups and filters it with those three values null;
 *   - vector_stores: the settled level of one hour earlier (m - 3600).
 * Without --revise-lag (both lags 0) these equal org_*_at() exactly. */
void org_set_revise_lag(org_t *org, int64_t usage_lag, int64_t costs_lag);
/* "SECS[,COSTS_SECS]", both >= 0; COSTS_SECS defaults to 3 * SECS */
bool org_parse_revise_lag(const char *s, int64_t *usage_lag,
                          int64_t *costs_lag);
bool org_minute_provisional(const org_t *org, int64_t minute_start,
                            int64_t now);
bool org_hour_provisional(const org_t *org, int64_t hour_start, int64_t now);
bool org_token_usage_served(const org_t *org, const org_stream *s,
                            int64_t minute_start, int64_t now,
                            int64_t out[ORG_NMETRICS], bool *unattributed);
bool org_xusage_served(const org_t *org, org_xe e, int s, int64_t minute_start,
                       int64_t now, int64_t out[ORG_XE_MAXMETRICS],
                       bool *unattributed);
bool org_cost_served(const org_t *org, int c, int64_t hour_start, int64_t now,
                     int64_t *amount_e10, int64_t *quantity_e4,
                     bool *unattributed);

#endif
