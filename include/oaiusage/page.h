/* page.h - one API page (JSON) into flat records. The only input-side user
 * of cJSON.
 *
 * page_parse() parses a whole page body, checks its shape against the
 * endpoint descriptor and hands each bucket and each result to the sink's
 * callbacks, in document order. A struct record passed to a callback
 * borrows strings from the parse tree: they are valid only during that
 * callback (copy what you keep). Numbers are read from their JSON text, not
 * through a double, so integers are exact to int64 and decimals keep every
 * digit. Unknown fields are ignored; group fields may be null; missing
 * counters count 0; a decimal may be a JSON number or a numeric string.
 */
#ifndef OAIUSAGE_PAGE_H
#define OAIUSAGE_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oaiusage/dec.h"
#include "oaiusage/endpoint.h"
#include "oaiusage/status.h"

#define PAGE_MAX_DEPTH 64
#define PAGE_MAX_CURSOR 4096

struct record {
    int64_t start_time;                /* the bucket's bounds */
    int64_t end_time;
    const char *group[EP_MAX_GROUPS];  /* by endpoint group index; NULL = null */
    int64_t ival[EP_MAX_METRICS];      /* MK_INT metrics, by metric index */
    struct dec dval[EP_MAX_METRICS];   /* MK_DEC metrics */
    const char *text[EP_MAX_METRICS];  /* MK_TEXT metrics; NULL = null */
    bool present[EP_MAX_METRICS];      /* false: a nullable metric was null */
};

struct page_sink {
    /* Called once per bucket, before its results. Non-zero stops parsing
     * (the callback has filled err). */
    int (*bucket)(void *ctx, int64_t start, int64_t end, struct ou_err *err);
    /* Called once per result. */
    int (*record)(void *ctx, const struct record *rec, struct ou_err *err);
    void *ctx;
    /* Optional (fetch_streams): sub-window `index` of the plan has all its
     * pages; they arrive in any order. */
    int (*segment)(void *ctx, int index, struct ou_err *err);
};

struct page_info {
    bool has_more;
    char *next_page;   /* owned (free()), NULL when the page has none */
    int nbuckets;
};

/* Parse body[0..len). body must be writable and have a NUL at body[len]
 * (a struct buf does); its bytes are modified. On failure returns the exit
 * code (OU_E_DATA, or the callback's) with err naming the field path or
 * byte offset. info->next_page must be freed by the caller either way. */
int page_parse(char *body, size_t len, const struct endpoint *ep,
               const struct page_sink *sink, struct page_info *info,
               struct ou_err *err);

/* Free the memory kept between pages for parse trees (call when done). */
void page_release(void);

/* From an error response body {"error":{"message":...}} copy the message
 * into msg, scrubbed of the key (see secret_scrub; key may be NULL) and
 * then truncated. Returns false when the body has no such message. */
bool page_error_message(const char *body, size_t len, const char *key,
                        char *msg, size_t size);

/* ---- organization lists (projects, users, API keys) -------------------
 *
 * The list envelope {"object":"list","data":[...],"has_more":...,
 * "last_id":...}. For each item, the values at the given dot paths
 * ("id", "owner.user.email") are handed to the callback; strings are
 * borrowed for the duration of the call.
 */
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
    char *last_id;   /* owned (free()), or NULL */
    int nitems;
};

typedef int (*list_item_fn)(void *ctx, const struct list_value *values,
                            struct ou_err *err);

int page_parse_list(char *body, size_t len, const char *const *paths,
                    int npaths, list_item_fn fn, void *ctx,
                    struct list_info *info, struct ou_err *err);

#endif
