/* lists.h - the admin list endpoints used for ID -> name resolution:
 * /organization/projects, /organization/users,
 * /organization/projects/{id}/api_keys and
 * /organization/projects/{id}/service_accounts (after/limit/has_more
 * envelope), and the project lookup (404) of the per-project routes. */
#ifndef OAIMOCK_LISTS_H
#define OAIMOCK_LISTS_H

#include <cjson/cJSON.h>

#include "org.h"
#include "params.h"

/* Each returns the list JSON, or NULL with err filled (400 / 404). */
cJSON *lists_projects(const org_t *org, const qargs *a, api_error *err);
cJSON *lists_users(const org_t *org, const qargs *a, api_error *err);
/* owner_project_access: absent or "active" lists the keys whose owner still
 * has access, "inactive" only the others, "any" all of them */
cJSON *lists_api_keys(const org_t *org, const char *project_id, const qargs *a,
                      api_error *err);
cJSON *lists_service_accounts(const org_t *org, const char *project_id,
                              const qargs *a, api_error *err);
/* the listed (not deleted) project with this id, or -1 with a 404 */
int lists_find_project(const org_t *org, const char *project_id,
                       api_error *err);

#endif
