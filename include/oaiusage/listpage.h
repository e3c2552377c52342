/* listpage.h - one page of an organization list (projects, users, API
 * keys) into flat values, on the exact-number JSON layer (json.h).
 *
 * The list envelope is {"object":"list","data":[...],"has_more":...,
 * "last_id":...}. For each item, the values at the given dot paths ("id",
 * "owner.user.email") are handed to the callback; strings are borrowed for
 * the duration of the call, which must not use cJSON.
 */
#ifndef OAIUSAGE_LISTPAGE_H
#define OAIUSAGE_LISTPAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oaiusage/status.h"

enum list_vkind { LV_NULL = 0, LV_STRING, LV_INT, LV_BOOL };

struct list_value {
    enum list_vkind kind;
    const char *s;
    int64_t i;
    bool b;
};

#define LIST_MAX_FIELDS 16

struct list_info {
    bool has_more;
    char *last_id; /* owned (free()), or NULL */
    int nitems;
};

typedef int (*list_item_fn)(void *ctx, const struct list_value *values,
                            struct ou_err *err);

/* Parse body[0..len) (writable, NUL at body[len]). info->last_id must be
 * freed by the caller either way. */
int page_parse_list(char *body, size_t len, const char *const *paths,
                    int npaths, list_item_fn fn, void *ctx,
                    struct list_info *info, struct ou_err *err);

#endif
