/* emit.c - JSON objects out, with cJSON (see emit.h). */
#include "oaiusage/emit.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <stdlib.h>

struct jw {
    cJSON *obj;
};

struct jw *jw_object(void)
{
    struct jw *o = malloc(sizeof(*o));
    if (o == NULL)
        return NULL;
    o->obj = cJSON_CreateObject();
    if (o->obj == NULL) {
        free(o);
        return NULL;
    }
    return o;
}

void jw_free(struct jw *o)
{
    if (o == NULL)
        return;
    cJSON_Delete(o->obj);
    free(o);
}

int jw_string(struct jw *o, const char *key, const char *value)
{
    return cJSON_AddStringToObject(o->obj, key, value) ? 0 : -1;
}

int jw_raw(struct jw *o, const char *key, const char *literal)
{
    return cJSON_AddRawToObject(o->obj, key, literal) ? 0 : -1;
}

int jw_null(struct jw *o, const char *key)
{
    return cJSON_AddNullToObject(o->obj, key) ? 0 : -1;
}

int jw_bool(struct jw *o, const char *key, bool value)
{
    return cJSON_AddBoolToObject(o->obj, key, value) ? 0 : -1;
}

int jw_strings(struct jw *o, const char *key, const char *const *values, int n)
{
    cJSON *a = cJSON_AddArrayToObject(o->obj, key);
    if (a == NULL)
        return -1;
    for (int i = 0; i < n; i++) {
        cJSON *s = cJSON_CreateString(values[i]);
        if (s == NULL || !cJSON_AddItemToArray(a, s)) {
            cJSON_Delete(s);
            return -1;
        }
    }
    return 0;
}

int jw_print(const struct jw *o, bool open, struct buf *out)
{
    char *s = cJSON_PrintUnformatted(o->obj);
    if (s == NULL)
        return -1;
    size_t n = strlen(s);
    int rc = buf_append(out, s, open && n > 0 ? n - 1 : n);
    cJSON_free(s);
    return rc;
}

const char *json_lib_version(void)
{
    static char v[32];
    snprintf(v, sizeof(v), "cJSON %s", cJSON_Version());
    return v;
}
