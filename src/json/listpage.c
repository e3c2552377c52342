/* listpage.c - one page of an organization list (see listpage.h). */
#include "oaiusage/listpage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/apierror.h"
#include "oaiusage/json.h"

static int bad_type(struct ou_err *err, int item, const char *field,
                    const char *want, const cJSON *got)
{
    char where[64] = "";

    if (item >= 0)
        snprintf(where, sizeof(where), "data[%d]%s", item, field ? "." : "");
    return ou_fail(err, OU_E_DATA, "%s%s: expected %s, got %s", where,
                   field ? field : "", want, json_type_name(got));
}

/* One item's values at the paths. */
static int item_values(const cJSON *item, int index, const char *const *paths,
                       int npaths, struct list_value *vals, struct ou_err *err)
{
    if (!cJSON_IsObject(item))
        return bad_type(err, index, NULL, "an object", item);
    for (int k = 0; k < npaths; k++) {
        const cJSON *v = json_at_path(item, paths[k]);
        struct list_value *lv = &vals[k];
        memset(lv, 0, sizeof(*lv));
        if (v == NULL || cJSON_IsNull(v))
            continue;
        if (cJSON_IsString(v)) {
            lv->kind = LV_STRING;
            lv->s = v->valuestring;
        } else if (cJSON_IsBool(v)) {
            lv->kind = LV_BOOL;
            lv->b = cJSON_IsTrue(v);
        } else if (cJSON_IsNumber(v) && json_int64(v, &lv->i)) {
            lv->kind = LV_INT;
        } else {
            return bad_type(err, index, paths[k], "a string, integer or null",
                            v);
        }
    }
    return 0;
}

/* The list's own fields: data (an array), has_more, last_id. */
static int list_envelope(const cJSON *root, struct list_info *info,
                         struct ou_err *err)
{
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
    const cJSON *more = cJSON_GetObjectItemCaseSensitive(root, "has_more");
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(root, "last_id");

    char api[512];

    if (!cJSON_IsObject(root))
        return bad_type(err, -1, NULL, "a list object", root);
    if (data == NULL && api_error_in(root, api, sizeof(api)))
        return ou_fail(err, OU_E_API, "the API answered with an error: %s",
                       api);
    if (!cJSON_IsArray(data))
        return bad_type(err, -1, "data", "an array", data);
    if (!cJSON_IsBool(more))
        return bad_type(err, -1, "has_more", "a boolean", more);
    info->has_more = cJSON_IsTrue(more);
    if (cJSON_IsString(last) && last->valuestring[0] != '\0') {
        info->last_id = strdup(last->valuestring);
        if (info->last_id == NULL)
            return ou_nomem(err);
    } else if (last != NULL && !cJSON_IsNull(last) && !cJSON_IsString(last)) {
        return bad_type(err, -1, "last_id", "a string or null", last);
    }
    return 0;
}

int page_parse_list(char *body, size_t len, const char *const *paths,
                    int npaths, list_item_fn fn, void *ctx,
                    struct list_info *info, struct ou_err *err)
{
    struct list_value vals[LIST_MAX_FIELDS];
    const cJSON *item;
    cJSON *root;
    int rc;

    info->has_more = false;
    info->last_id = NULL;
    info->nitems = 0;
    if (npaths > LIST_MAX_FIELDS)
        return ou_fail(err, OU_E_USAGE, "too many list fields");
    root = json_parse(body, len, err);
    rc = root != NULL ? list_envelope(root, info, err) : (int)err->cat;
    const cJSON *data = rc == 0 ? cJSON_GetObjectItemCaseSensitive(root, "data")
                                : NULL;
    cJSON_ArrayForEach(item, data)
    {
        rc = item_values(item, info->nitems, paths, npaths, vals, err);
        if (rc == 0) {
            info->nitems++;
            rc = fn(ctx, vals, err);
        }
        if (rc != 0)
            break;
    }
    json_tree_end(root);
    return rc;
}
