/* spendlimits.h - the spend-limit endpoints, GET /organization/spend_limit and
 * GET /organization/projects/{id}/spend_limit: the configured limits
 * (--spend-limit, --project-spend-limit, --no-spend-limit,
 * --spend-limit-amounts, --spend-limit-status), their parsing and startup
 * check, and the objects served. */
#ifndef OAIMOCK_SPENDLIMITS_H
#define OAIMOCK_SPENDLIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "org.h"
#include "params.h"

/* how a scope without a configured limit is answered */
typedef enum {
    NO_LIMIT_ZERO, /* 200, threshold_amount 0, status "inactive" */
    NO_LIMIT_404,  /* 404 "No spend limit is configured." */
} no_limit_mode;

typedef struct {
    char *project_id; /* owned */
    int64_t cents;
} project_limit;

typedef struct {
    bool org_set;
    int64_t org_cents;
    project_limit *projects; /* the last one given for an id wins */
    size_t nprojects, cap;
    no_limit_mode no_limit;
    bool float_amounts; /* threshold_amount 10000.0 instead of 10000 */
    bool inactive;      /* status of a configured limit (default enforcing) */
} spend_limits;

/* The option values; each returns false on a malformed value. */
bool limits_set_org(spend_limits *l, const char *cents);
bool limits_add_project(spend_limits *l, const char *id_eq_cents);
bool limits_parse_no_limit(spend_limits *l, const char *v);
bool limits_parse_amounts(spend_limits *l, const char *v);
bool limits_parse_status(spend_limits *l, const char *v);
void limits_free(spend_limits *l);

/* The first configured project id that is not a listed project of org, or
 * NULL when they all are. */
const char *limits_unknown_project(const spend_limits *l, const org_t *org);

/* The spend-limit object of the organization (project_id NULL) or of a
 * project; NULL with err filled (404: unknown project, or no limit with
 * --no-spend-limit 404). */
cJSON *limits_object(const spend_limits *l, const org_t *org,
                     const char *project_id, api_error *err);

#endif
