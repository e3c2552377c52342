/* spendlimits.c - owns the spend limits: the values of the spend-limit options
 * (organization limit, per-project limits, the answer for a scope without
 * one, the amount form and the status), the startup check that every
 * configured project exists, and the organization.spend_limit /
 * project.spend_limit objects. Routing, auth, faults and the error bodies
 * stay in server.c; the project lookup is lists.c's. */
#include "spendlimits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lists.h"
#include "util.h"

/* ---- options ---------------------------------------------------------------- */

static bool parse_cents(const char *s, int64_t *out)
{
    return parse_int64(s, out) && *out >= 0;
}

bool limits_set_org(spend_limits *l, const char *cents)
{
    if (!parse_cents(cents, &l->org_cents))
        return false;
    l->org_set = true;
    return true;
}

/* "PROJECT_ID=CENTS" */
bool limits_add_project(spend_limits *l, const char *id_eq_cents)
{
    const char *eq = strrchr(id_eq_cents, '=');
    int64_t cents;
    if (!eq || eq == id_eq_cents || !parse_cents(eq + 1, &cents))
        return false;
    if (l->nprojects == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->projects = xrealloc(l->projects, l->cap * sizeof *l->projects);
    }
    project_limit *p = &l->projects[l->nprojects++];
    size_t n = (size_t)(eq - id_eq_cents);
    p->project_id = xmalloc(n + 1);
    memcpy(p->project_id, id_eq_cents, n);
    p->project_id[n] = '\0';
    p->cents = cents;
    return true;
}

bool limits_parse_no_limit(spend_limits *l, const char *v)
{
    if (strcmp(v, "zero") == 0)
        l->no_limit = NO_LIMIT_ZERO;
    else if (strcmp(v, "404") == 0)
        l->no_limit = NO_LIMIT_404;
    else
        return false;
    return true;
}

bool limits_parse_amounts(spend_limits *l, const char *v)
{
    if (strcmp(v, "integer") != 0 && strcmp(v, "float") != 0)
        return false;
    l->float_amounts = v[0] == 'f';
    return true;
}

bool limits_parse_status(spend_limits *l, const char *v)
{
    if (strcmp(v, "enforcing") != 0 && strcmp(v, "inactive") != 0)
        return false;
    l->inactive = v[0] == 'i';
    return true;
}

void limits_free(spend_limits *l)
{
    for (size_t i = 0; i < l->nprojects; i++)
        free(l->projects[i].project_id);
    free(l->projects);
    l->projects = NULL;
    l->nprojects = l->cap = 0;
}

const char *limits_unknown_project(const spend_limits *l, const org_t *org)
{
    api_error err;
    for (size_t i = 0; i < l->nprojects; i++)
        if (lists_find_project(org, l->projects[i].project_id, &err) < 0)
            return l->projects[i].project_id;
    return NULL;
}

/* ---- objects ------------------------------------------------------------------ */

/* the configured limit of a project, the last one given; false if none */
static bool project_cents(const spend_limits *l, const char *project_id,
                          int64_t *cents)
{
    bool found = false;
    for (size_t i = 0; i < l->nprojects; i++)
        if (strcmp(l->projects[i].project_id, project_id) == 0) {
            *cents = l->projects[i].cents;
            found = true;
        }
    return found;
}

/* {"object","threshold_amount","currency","interval","enforcement"}; the
 * amount is a raw literal, so that the float form is exactly "10000.0" */
static cJSON *limit_obj(const char *object, int64_t cents, bool is_float,
                        const char *status)
{
    char amount[32];
    if (is_float)
        snprintf(amount, sizeof amount, "%lld.0", (long long)cents);
    else
        snprintf(amount, sizeof amount, "%lld", (long long)cents);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "object", object);
    cJSON_AddRawToObject(o, "threshold_amount", amount);
    cJSON_AddStringToObject(o, "currency", "USD");
    cJSON_AddStringToObject(o, "interval", "month");
    cJSON *e = cJSON_AddObjectToObject(o, "enforcement");
    cJSON_AddStringToObject(e, "status", status);
    return o;
}

cJSON *limits_object(const spend_limits *l, const org_t *org,
                     const char *project_id, api_error *err)
{
    int64_t cents = 0;
    bool set;
    if (project_id) {
        if (lists_find_project(org, project_id, err) < 0)
            return NULL;
        set = project_cents(l, project_id, &cents);
    } else {
        set = l->org_set;
        cents = l->org_cents;
    }
    if (!set && l->no_limit == NO_LIMIT_404) {
        api_error_set(err, 404, NULL, "No spend limit is configured.");
        return NULL;
    }
    const char *object = project_id ? "project.spend_limit"
                                    : "organization.spend_limit";
    const char *status = !set || l->inactive ? "inactive" : "enforcing";
    return limit_obj(object, set ? cents : 0, l->float_amounts, status);
}
