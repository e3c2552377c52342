/* apierror.c - the message of an API error body (see apierror.h). */
#include "oaiusage/apierror.h"

#include "oaiusage/json.h"
#include "oaiusage/text.h"

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

bool api_error_message(char *body, size_t len, char *msg, size_t size)
{
    struct ou_err ignored = { OU_OK, "" };
    cJSON *root;
    bool ok;

    if (body == NULL || len == 0 || size == 0)
        return false;
    root = json_parse(body, len, &ignored);
    ok = root != NULL && api_error_in(root, msg, size);
    json_tree_end(root);
    return ok;
}
