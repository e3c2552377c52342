/* limits.h - the organization's spend limits and its projects, read at
 * once through the request scheduler (sched.h).
 *
 * Asked for the projects, it lists every project (archived included:
 * GET /organization/projects?include_archived=true) with id, name and
 * status; asked for their limits, it then reads
 * GET /organization/projects/{id}/spend_limit for every active project,
 * and GET /organization/spend_limit for the organization's. A 404 for a
 * limit is "no limit set" (spendlimit.h); any other failure fails the
 * whole read, as every other fetch does. A struct limits owns its
 * strings; released with limits_release().
 */
#ifndef OAIUSAGE_LIMITS_H
#define OAIUSAGE_LIMITS_H

#include <stdbool.h>
#include <stddef.h>

#include "oaiusage/fetch.h"
#include "oaiusage/spendlimit.h"
#include "oaiusage/status.h"

struct limits_want {
    bool org_limit;      /* the organization's spend limit */
    bool projects;       /* the project list */
    bool project_limits; /* each active project's limit (implies projects) */
};

struct project_info {
    char *id;
    char *name;   /* may be NULL */
    char *status; /* "active", "archived", ... or NULL */
    struct spend_limit limit;
};

struct limits {
    struct spend_limit org;
    struct project_info *v;
    size_t n;
};

int limits_fetch(const struct fetch_env *env, const struct limits_want *w,
                 struct limits *out, struct ou_err *err);
void limits_release(struct limits *l);

#endif
