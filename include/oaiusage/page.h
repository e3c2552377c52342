/* page.h - one usage or costs page (JSON) into flat records: the page
 * schema, on the exact-number layer (json.h).
 *
 * page_parse() checks a page's shape against the endpoint descriptor and
 * hands each bucket and each result to the sink's callbacks, in document
 * order, one bucket's tree at a time (a page is split into its buckets
 * first, so memory holds one bucket's tree, not the page's). Numbers are
 * exact (see json.h); unknown fields are handed to sink->unknown, never an
 * error; group fields may be null;
 * missing counters count 0; a decimal may be a JSON number or a numeric
 * string. Callbacks run while a tree is alive: they must not use cJSON.
 */
#ifndef OAIUSAGE_PAGE_H
#define OAIUSAGE_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oaiusage/endpoint.h"
#include "oaiusage/record.h"
#include "oaiusage/status.h"

#define PAGE_MAX_CURSOR 4096

struct page_sink {
    /* Once per bucket, before its results. Non-zero stops parsing (the
     * callback has filled err). */
    int (*bucket)(void *ctx, int64_t start, int64_t end, struct ou_err *err);
    /* Once per result; rec is valid during the call only. */
    int (*record)(void *ctx, const struct record *rec, struct ou_err *err);
    void *ctx;
    /* Optional: a result member this version does not know (a new counter,
     * a new field), with its literal when it is a number (else NULL); or,
     * as field "object", a result type it does not know. Never an error
     * by itself: the caller reports it. */
    int (*unknown)(void *ctx, const char *field, const char *number,
                   struct ou_err *err);
};

struct page_info {
    bool has_more;
    char *next_page; /* owned (free()), NULL when the page has none */
    int nbuckets;
};

/* Parse body[0..len). body must be writable with a NUL at body[len] (a
 * struct buf's data is); its bytes are modified. On failure returns the
 * status (OU_E_DATA, or the callback's) with err naming the field path or
 * byte offset. info->next_page must be freed by the caller either way. */
int page_parse(char *body, size_t len, const struct endpoint *ep,
               const struct page_sink *sink, struct page_info *info,
               struct ou_err *err);

#endif
