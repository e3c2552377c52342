/* query.h - what to ask the API, and its encoding as a URL. Pure.
 *
 * A struct query borrows every string it points to (they belong to the
 * parsed command line) and owns nothing.
 */
#ifndef OAIUSAGE_QUERY_H
#define OAIUSAGE_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "oaiusage/buf.h"
#include "oaiusage/endpoint.h"

struct filter_values {
    const struct filter_desc *desc;
    const char *const *values; /* FK_LIST: the values, in given order */
    int nvalues;
    bool flag; /* FK_BOOL: the value */
};

struct query {
    const struct endpoint *ep;
    int64_t start_time; /* inclusive, Unix seconds */
    int64_t end_time;   /* exclusive; < 0 = omitted (the API's now) */
    enum bucket_width width;
    struct filter_values filters[EP_MAX_FILTERS];
    int nfilters;
    int group[EP_MAX_GROUPS]; /* endpoint group indices, --group-by order */
    int ngroup;
    int limit; /* buckets per page */
};

/* Append base_url + ep->path + "?" + the encoded parameters to out, in the
 * spec's order (start_time, end_time, bucket_width, filters, group_by,
 * limit, page). Arrays use the official SDKs' form `k[]=v` percent-encoded
 * as `k%5B%5D=v`. page may be NULL. Returns 0, or -1 if out is full. */
int query_url(const struct query *q, const char *base_url, const char *page,
              struct buf *out);

/* The group_by value sent for the query's i-th group field: the field
 * itself, or the field a derived one is computed from; NULL when an
 * earlier field already sends it. */
const char *query_group_sent(const struct query *q, int i);

/* Append s percent-encoded (RFC 3986 unreserved characters kept). */
int url_encode(struct buf *out, const char *s);

#endif
