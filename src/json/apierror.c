/* apierror.c - the message of an API error body (see apierror.h). */
#include "oaiusage/apierror.h"

#include "oaiusage/json.h"
#include "oaiusage/text.h"

#include <stdio.h>
#include <string.h>

bool api_error_in(const cJSON *root, char *msg, size_t size)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(root, "error");
    const cJSON *m = cJSON_IsObject(e)
                         ? cJSON_GetObjectItemCaseSensitive(e, "message")
                         : NULL;

    if (m == NULL || !cJSON_IsString(m) || m->valuestring == NULL ||
        m->valuestring[0] == '\0' || size == 0)
        return false;
    /* Cut between characters; the key is scrubbed where every message goes
     * out (msg.h), from the whole text before any cut there. */
    size_t n = utf8_cut(m->valuestring, strlen(m->valuestring), size - 1);
    memcpy(msg, m->valuestring, n);
    msg[n] = '\0';
    return true;
}

void api_error_read(char *body, size_t len, long status, struct api_error *e)
{
    struct ou_err ignored = { OU_OK, "" };
    cJSON *root = NULL;

    memset(e, 0, sizeof(*e));
    e->status = status;
    if (body == NULL || len == 0)
        return;
    root = json_parse(body, len, &ignored);
    if (root != NULL) {
        const cJSON *er = cJSON_GetObjectItemCaseSensitive(root, "error");
        const cJSON *pa = cJSON_IsObject(er)
                              ? cJSON_GetObjectItemCaseSensitive(er, "param")
                              : NULL;
        e->has_message = api_error_in(root, e->message, sizeof(e->message));
        if (pa != NULL && cJSON_IsString(pa) && pa->valuestring != NULL) {
            size_t n = utf8_cut(pa->valuestring, strlen(pa->valuestring),
                                sizeof(e->param) - 1);
            memcpy(e->param, pa->valuestring, n);
            e->param[n] = '\0';
        }
    }
    json_tree_end(root);
}
