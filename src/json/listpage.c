/* listpage.c - one page of an organization list (see listpage.h). */
#include "oaiusage/listpage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int page_parse_list(char *body, size_t len, const char *const *paths,
                    int npaths, list_item_fn fn, void *ctx,
                    struct list_info *info, struct ou_err *err)
{
    struct list_value vals[LIST_MAX_FIELDS];
    cJSON *root;
    const cJSON *data;
    const cJSON *more;
    const cJSON *last;
    const cJSON *item;
    int rc = 0;

    info->has_more = false;
    info->last_id = NULL;
    info->nitems = 0;
    if (npaths > LIST_MAX_FIELDS)
        return ou_fail(err, OU_E_USAGE, "too many list fields");
    root = json_parse(body, len, err);
    if (root == NULL) {
        json_tree_end(NULL);
        return (int)err->cat;
    }
    if (!cJSON_IsObject(root)) {
        rc = bad_type(err, -1, NULL, "a list object", root);
        goto out;
    }
    data = cJSON_GetObjectItemCaseSensitive(root, "data");
    more = cJSON_GetObjectItemCaseSensitive(root, "has_more");
    last = cJSON_GetObjectItemCaseSensitive(root, "last_id");
    if (!cJSON_IsArray(data)) {
        rc = bad_type(err, -1, "data", "an array", data);
        goto out;
    }
    if (!cJSON_IsBool(more)) {
        rc = bad_type(err, -1, "has_more", "a boolean", more);
        goto out;
    }
    info->has_more = cJSON_IsTrue(more);
    if (cJSON_IsString(last) && last->valuestring[0] != '\0') {
        info->last_id = strdup(last->valuestring);
        if (info->last_id == NULL) {
            rc = ou_nomem(err);
            goto out;
        }
    } else if (last != NULL && !cJSON_IsNull(last) && !cJSON_IsString(last)) {
        rc = bad_type(err, -1, "last_id", "a string or null", last);
        goto out;
    }
    cJSON_ArrayForEach(item, data)
    {
        if (!cJSON_IsObject(item)) {
            rc = bad_type(err, info->nitems, NULL, "an object", item);
            goto out;
        }
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
                rc = bad_type(err, info->nitems, paths[k], "a string, integer or null",
                              v);
                goto out;
            }
        }
        info->nitems++;
        rc = fn(ctx, vals, err);
        if (rc != 0)
            goto out;
    }
out:
    json_tree_end(root);
    return rc;
}

