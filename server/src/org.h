/* org.h - the synthetic organization: projects, users, API keys, models,
 * usage streams and cost streams, all derived deterministically from a seed,
 * plus the two pure dataset functions every other module builds on:
 *   org_usage_at()  - one usage stream's counters for one UTC minute
 *   org_cost_at()   - one cost stream's amount/quantity for one UTC hour */
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

/* completions metrics, in the CSV/reference order */
enum {
    M_INPUT_TOKENS,
    M_INPUT_CACHED_TOKENS,
    M_INPUT_CACHE_WRITE_TOKENS,
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

typedef struct {
    char id[24];
    char name[64];
    char redacted[32];
    int project;
    int owner; /* user index */
    int64_t created_at;
    int64_t last_used_at;
} org_key;

typedef struct {
    const char *name;
    bool audio, image_in, image_out, cache;
    /* prices in 1e-10 USD per token */
    int64_t price_in, price_cached, price_out;
} org_model;

typedef struct {
    int project, user /* -1: null */, key, model, tier;
    bool batch;
    int intensity; /* percent multiplier on the activity probability */
    uint64_t salt;
} org_stream;

typedef enum {
    COST_INPUT,
    COST_CACHED_INPUT,
    COST_OUTPUT,
    COST_FILE_STORAGE,
    COST_WEB_SEARCH
} org_cost_kind;

typedef struct {
    int project, key /* -1: null */, model /* -1 */;
    org_cost_kind kind;
    char line_item[96];
    const char *quantity_unit; /* NULL: JSON null */
    int64_t base;              /* per-stream magnitude parameter */
    uint64_t salt;
} org_cost_stream;

typedef struct {
    uint64_t seed;
    org_size size;
    int nprojects, nusers, nkeys, nmodels, nstreams, ncost_streams;
    org_project *projects;
    org_user *users;
    org_key *keys;
    const org_model *models;
    org_stream *streams;
    org_cost_stream *cost_streams;
} org_t;

org_t *org_create(uint64_t seed, org_size size);
void org_free(org_t *org);
bool org_parse_size(const char *s, org_size *out);

/* Counters of usage stream s for the minute starting at minute_start
 * (must be minute aligned). Returns false (and zeroes out) when idle. */
bool org_usage_at(const org_t *org, int s, int64_t minute_start,
                  int64_t out[ORG_NMETRICS]);

/* Cost of cost stream c for the hour starting at hour_start (hour aligned).
 * Returns false when nothing accrued. */
bool org_cost_at(const org_t *org, int c, int64_t hour_start,
                 int64_t *amount_e10, int64_t *quantity_e4);

#endif
