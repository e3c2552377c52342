/* pages.h - the page builder: turns a validated page_query into the
 * Usage/Costs `page` JSON object (dense buckets, grouping, pagination
 * cursors, amount serialization). */
#ifndef OAIMOCK_PAGES_H
#define OAIMOCK_PAGES_H

#include <cjson/cJSON.h>

#include "org.h"
#include "params.h"

typedef enum { AMOUNTS_NUMBER, AMOUNTS_STRING, AMOUNTS_MIXED } amount_mode;

bool amount_mode_parse(const char *s, amount_mode *out);

/* the server options that shape page bodies */
typedef struct {
    amount_mode amounts;
    /* schema-drift hooks (NULL: off), completions only: an unknown integer
     * field of this name in every result, and one result object of this
     * unknown `object` type at the end of every non-empty bucket */
    const char *extra_field;
    const char *extra_object;
} page_options;

typedef struct {
    cJSON *json;          /* {"object":"page",...}; caller frees */
    char self_cursor[64]; /* a cursor designating this very page */
} page_result;

/* Builds the page for q at time `now`. On a bad cursor returns false with a
 * 400 in err. */
bool pages_build(const org_t *org, const page_query *q, int64_t now,
                 const page_options *opts, page_result *out, api_error *err);

#endif
