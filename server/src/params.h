/* params.h - query-string handling for the server: an ordered list of decoded
 * (key, value) pairs, array parameters in all three encodings (k[]=v,
 * repeated k=v, comma-joined k=v1,v2), and validation of the Usage/Costs
 * parameters into a canonical page_query. */
#ifndef OAIMOCK_PARAMS_H
#define OAIMOCK_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "org.h"
#include "util.h"

typedef struct {
    char *key, *value;
} qarg;

typedef struct {
    qarg *items;
    size_t len, cap;
} qargs;

void qargs_add(qargs *q, const char *key, const char *value);
void qargs_free(qargs *q);
/* last value of a scalar parameter (exact key), NULL when absent */
const char *qargs_get(const qargs *q, const char *key);
/* true if the array parameter appears under any encoding */
bool qargs_has_array(const qargs *q, const char *name);
/* collect an array parameter in any encoding (k, k[], k[N]; comma split) */
void qargs_get_array(const qargs *q, const char *name, strlist *out);

/* EP_USAGE: one of the nine other usage endpoints, page_query.xe says which;
 * EP_DECISIONS has the parameters and result shape of completions */
typedef enum { EP_COMPLETIONS, EP_COSTS, EP_USAGE, EP_DECISIONS } endpoint_kind;

/* group_by flags */
enum {
    G_PROJECT = 1 << 0,
    G_USER = 1 << 1,
    G_API_KEY = 1 << 2,
    G_MODEL = 1 << 3,
    G_BATCH = 1 << 4,
    G_TIER = 1 << 5,
    G_LINE_ITEM = 1 << 6,
    G_SIZE = 1 << 7,
    G_SOURCE = 1 << 8,
    G_VECTOR_STORE = 1 << 9,
    G_CONTEXT_LEVEL = 1 << 10,
    G_API_SOURCE = 1 << 11,
};

/* the group_by flag of a dimension of the other usage endpoints */
unsigned group_flag_of(org_xdim d);

typedef struct {
    int status;        /* HTTP status, 400 for validation errors */
    const char *param; /* offending parameter or NULL */
    char message[320];
} api_error;

typedef struct {
    endpoint_kind ep;
    org_xe xe; /* EP_USAGE only */
    int64_t start, end;
    bool has_end;
    int64_t width; /* seconds */
    const char *width_name;
    int limit;
    strlist project_ids, user_ids, api_key_ids, models; /* sorted, unique */
    strlist sources, sizes, vector_store_ids, context_levels;
    strlist line_items; /* costs only */
    int batch;          /* -1 any, 0, 1 */
    unsigned group_mask;
    const char *page; /* borrowed from the qargs; NULL when absent */
    uint32_t hash;    /* canonical hash of everything except page */
} page_query;

/* Returns false and fills err on invalid input. q is valid until
 * page_query_free() even on failure. */
bool page_query_parse(const qargs *args, endpoint_kind ep, org_xe xe,
                      page_query *q, api_error *err);
void page_query_free(page_query *q);
/* the filter list of dimension d (empty: no filter); NULL for a dimension
 * that has no filter parameter (api_source) */
const strlist *page_query_filter(const page_query *q, org_xdim d);

/* Server policies on a parsed costs query (no-ops for the other endpoints):
 * grouping by api_key_id with a start_time before `api_key_floor` is a 400
 * (param start_time; floor 0: never), and with `refuse_user_project`
 * grouping by user_id together with project_id grouping or a project_ids
 * filter is a 400 (param group_by). Returns false with err filled. */
bool page_query_policy(const page_query *q, int64_t api_key_floor,
                       bool refuse_user_project, api_error *err);

void api_error_set(api_error *e, int status, const char *param, const char *fmt,
                   ...) __attribute__((format(printf, 4, 5)));

#endif
