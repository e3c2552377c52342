/* lists.c - owns the list endpoints (projects, users, project API keys with
 * their owner_project_access views, project service accounts): object
 * serialization per reference section 6 / appendix A.12 and the after/limit
 * cursor pagination with first_id/last_id/has_more. */
#include "lists.h"

#include <stdlib.h>
#include <string.h>

/* ---- shared pagination ---------------------------------------------------- */

typedef struct {
    int limit;
    const char *after;
} list_params;

static bool parse_list_params(const qargs *a, list_params *p, api_error *err)
{
    p->limit = 20;
    p->after = qargs_get(a, "after");
    if (p->after && !*p->after)
        p->after = NULL;
    const char *l = qargs_get(a, "limit");
    int64_t v;
    if (l) {
        if (!parse_int64(l, &v) || v < 1 || v > 100) {
            api_error_set(err, 400, "limit",
                          "Invalid value for 'limit': must be an integer "
                          "between 1 and 100.");
            return false;
        }
        p->limit = (int)v;
    }
    return true;
}

/* Generic pager over candidate indices: `ids[i]` is the id of candidate i. */
typedef cJSON *(*make_obj_fn)(const org_t *org, int idx);

static cJSON *paginate(const org_t *org, const int *idx, const char *const *ids,
                       int n, const list_params *p, make_obj_fn make,
                       api_error *err)
{
    int start = 0;
    if (p->after) {
        start = -1;
        for (int i = 0; i < n; i++)
            if (strcmp(ids[i], p->after) == 0)
                start = i + 1;
        if (start < 0) {
            api_error_set(err, 400, "after",
                          "Invalid value for 'after': no object with id "
                          "'%.64s' in this list.",
                          p->after);
            return NULL;
        }
    }
    cJSON *list = cJSON_CreateObject();
    cJSON_AddStringToObject(list, "object", "list");
    cJSON *data = cJSON_AddArrayToObject(list, "data");
    int end = start + p->limit < n ? start + p->limit : n;
    for (int i = start; i < end; i++)
        cJSON_AddItemToArray(data, make(org, idx[i]));
    if (end > start) {
        cJSON_AddStringToObject(list, "first_id", ids[start]);
        cJSON_AddStringToObject(list, "last_id", ids[end - 1]);
    } else {
        cJSON_AddNullToObject(list, "first_id");
        cJSON_AddNullToObject(list, "last_id");
    }
    cJSON_AddBoolToObject(list, "has_more", end < n);
    return list;
}

static void add_i64(cJSON *o, const char *name, int64_t v)
{
    cJSON_AddNumberToObject(o, name, (double)v);
}

/* ---- projects --------------------------------------------------------------- */

static cJSON *project_obj(const org_t *org, int i)
{
    const org_project *p = &org->projects[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", p->id);
    cJSON_AddStringToObject(o, "object", "organization.project");
    cJSON_AddStringToObject(o, "name", p->name);
    add_i64(o, "created_at", p->created_at);
    if (p->archived_at)
        add_i64(o, "archived_at", p->archived_at);
    else
        cJSON_AddNullToObject(o, "archived_at");
    cJSON_AddStringToObject(o, "status",
                            p->archived_at ? "archived" : "active");
    cJSON_AddNullToObject(o, "external_key_id");
    return o;
}

cJSON *lists_projects(const org_t *org, const qargs *a, api_error *err)
{
    list_params p;
    if (!parse_list_params(a, &p, err))
        return NULL;
    const char *ia = qargs_get(a, "include_archived");
    bool include_archived = false;
    if (ia) {
        if (strcmp(ia, "true") == 0) {
            include_archived = true;
        } else if (strcmp(ia, "false") != 0) {
            api_error_set(err, 400, "include_archived",
                          "Invalid value for 'include_archived': expected "
                          "true or false.");
            return NULL;
        }
    }
    int *idx = xcalloc((size_t)org->nprojects, sizeof *idx);
    const char **ids = xcalloc((size_t)org->nprojects, sizeof *ids);
    int n = 0;
    for (int i = 0; i < org->nprojects; i++) {
        const org_project *pr = &org->projects[i];
        if (pr->deleted || (pr->archived_at && !include_archived))
            continue;
        idx[n] = i;
        ids[n++] = pr->id;
    }
    cJSON *r = paginate(org, idx, ids, n, &p, project_obj, err);
    free(idx);
    free(ids);
    return r;
}

/* ---- users ------------------------------------------------------------------ */

static cJSON *user_obj(const org_t *org, int i)
{
    const org_user *u = &org->users[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "object", "organization.user");
    cJSON_AddStringToObject(o, "id", u->id);
    cJSON_AddStringToObject(o, "name", u->name);
    cJSON_AddStringToObject(o, "email", u->email);
    cJSON_AddStringToObject(o, "role", u->role);
    add_i64(o, "added_at", u->added_at);
    return o;
}

cJSON *lists_users(const org_t *org, const qargs *a, api_error *err)
{
    list_params p;
    if (!parse_list_params(a, &p, err))
        return NULL;
    strlist emails = {0};
    qargs_get_array(a, "emails", &emails);
    int *idx = xcalloc((size_t)org->nusers, sizeof *idx);
    const char **ids = xcalloc((size_t)org->nusers, sizeof *ids);
    int n = 0;
    for (int i = 0; i < org->nusers; i++) {
        if (emails.len && !strlist_contains(&emails, org->users[i].email))
            continue;
        idx[n] = i;
        ids[n++] = org->users[i].id;
    }
    cJSON *r = paginate(org, idx, ids, n, &p, user_obj, err);
    strlist_free(&emails);
    free(idx);
    free(ids);
    return r;
}

/* ---- project API keys -------------------------------------------------------- */

static cJSON *key_obj(const org_t *org, int i)
{
    const org_key *k = &org->keys[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "object", "organization.project.api_key");
    cJSON_AddStringToObject(o, "redacted_value", k->redacted);
    cJSON_AddStringToObject(o, "name", k->name);
    add_i64(o, "created_at", k->created_at);
    add_i64(o, "last_used_at", k->last_used_at);
    cJSON_AddStringToObject(o, "id", k->id);
    cJSON_AddStringToObject(o, "owner_project_access",
                            k->inactive ? "inactive" : "active");
    cJSON *owner = cJSON_AddObjectToObject(o, "owner");
    if (k->owner_sa >= 0) {
        const org_service_account *sa = &org->service_accounts[k->owner_sa];
        cJSON_AddStringToObject(owner, "type", "service_account");
        cJSON *os = cJSON_AddObjectToObject(owner, "service_account");
        cJSON_AddStringToObject(os, "id", sa->id);
        cJSON_AddStringToObject(os, "name", sa->name);
        add_i64(os, "created_at", sa->created_at);
        cJSON_AddStringToObject(os, "role", sa->role);
        return o;
    }
    const org_user *u = &org->users[k->owner];
    cJSON_AddStringToObject(owner, "type", "user");
    cJSON *ou = cJSON_AddObjectToObject(owner, "user");
    cJSON_AddStringToObject(ou, "id", u->id);
    cJSON_AddStringToObject(ou, "name", u->name);
    cJSON_AddStringToObject(ou, "email", u->email);
    cJSON_AddStringToObject(ou, "role", u->role);
    add_i64(ou, "created_at", u->added_at);
    return o;
}

int lists_find_project(const org_t *org, const char *project_id, api_error *err)
{
    for (int i = 0; i < org->nprojects; i++)
        if (!org->projects[i].deleted &&
            strcmp(org->projects[i].id, project_id) == 0)
            return i;
    api_error_set(err, 404, NULL, "No project found with id '%.64s'.",
                  project_id);
    return -1;
}

typedef enum { ACCESS_ACTIVE, ACCESS_INACTIVE, ACCESS_ANY } owner_access;

static bool parse_owner_access(const qargs *a, owner_access *out,
                               api_error *err)
{
    const char *v = qargs_get(a, "owner_project_access");
    *out = ACCESS_ACTIVE;
    if (!v || !*v || strcmp(v, "active") == 0)
        return true;
    if (strcmp(v, "inactive") == 0) {
        *out = ACCESS_INACTIVE;
        return true;
    }
    if (strcmp(v, "any") == 0) {
        *out = ACCESS_ANY;
        return true;
    }
    api_error_set(err, 400, "owner_project_access",
                  "Invalid value for 'owner_project_access': '%.64s'. "
                  "Supported values are: active, inactive, any.",
                  v);
    return false;
}

cJSON *lists_api_keys(const org_t *org, const char *project_id, const qargs *a,
                      api_error *err)
{
    int proj = lists_find_project(org, project_id, err);
    if (proj < 0)
        return NULL;
    list_params p;
    owner_access access;
    if (!parse_list_params(a, &p, err) || !parse_owner_access(a, &access, err))
        return NULL;
    int *idx = xcalloc((size_t)org->nkeys, sizeof *idx);
    const char **ids = xcalloc((size_t)org->nkeys, sizeof *ids);
    int n = 0;
    for (int i = 0; i < org->nkeys; i++) {
        const org_key *k = &org->keys[i];
        if (k->project != proj || (access == ACCESS_ACTIVE && k->inactive) ||
            (access == ACCESS_INACTIVE && !k->inactive))
            continue;
        idx[n] = i;
        ids[n++] = k->id;
    }
    cJSON *r = paginate(org, idx, ids, n, &p, key_obj, err);
    free(idx);
    free(ids);
    return r;
}

/* ---- project service accounts ------------------------------------------------ */

static cJSON *service_account_obj(const org_t *org, int i)
{
    const org_service_account *sa = &org->service_accounts[i];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "object",
                            "organization.project.service_account");
    cJSON_AddStringToObject(o, "id", sa->id);
    cJSON_AddStringToObject(o, "name", sa->name);
    cJSON_AddStringToObject(o, "role", sa->role);
    add_i64(o, "created_at", sa->created_at);
    return o;
}

cJSON *lists_service_accounts(const org_t *org, const char *project_id,
                              const qargs *a, api_error *err)
{
    int proj = lists_find_project(org, project_id, err);
    if (proj < 0)
        return NULL;
    list_params p;
    if (!parse_list_params(a, &p, err))
        return NULL;
    int n = 0, cap = org->nservice_accounts;
    int *idx = xcalloc((size_t)cap, sizeof *idx);
    const char **ids = xcalloc((size_t)cap, sizeof *ids);
    for (int i = 0; i < org->nservice_accounts; i++) {
        if (org->service_accounts[i].project != proj)
            continue;
        idx[n] = i;
        ids[n++] = org->service_accounts[i].id;
    }
    cJSON *r = paginate(org, idx, ids, n, &p, service_account_obj, err);
    free(idx);
    free(ids);
    return r;
}
