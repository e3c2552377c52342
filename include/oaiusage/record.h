/* record.h - one result of one bucket, flat: what the page parser hands to
 * aggregation. Plain data; no parser and no JSON in sight.
 *
 * A record's strings are borrowed from the parse tree that produced it:
 * they are valid only during the callback that receives the record (copy
 * what you keep). Integers are exact; decimals keep every digit.
 */
#ifndef OAIUSAGE_RECORD_H
#define OAIUSAGE_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "oaiusage/buf.h"
#include "oaiusage/dec.h"
#include "oaiusage/endpoint.h"

struct record {
    int64_t start_time; /* the bucket's bounds */
    int64_t end_time;
    const char *group[EP_MAX_GROUPS]; /* by endpoint group index; NULL = null */
    const char *hint[EP_MAX_GROUPS];  /* a name the result gives the group's
                                         id (costs: user_email), or NULL */
    int64_t ival[EP_MAX_METRICS];     /* MK_INT metrics, by metric index */
    struct dec dval[EP_MAX_METRICS];  /* MK_DEC metrics */
    const char *text[EP_MAX_METRICS]; /* MK_TEXT metrics; NULL = null */
    bool present[EP_MAX_METRICS];     /* false: a nullable metric was null */
};

/* Fill the group fields the client derives (endpoint.h, DG_*) from their
 * source field: from a "<model>, <component>" line item, the model (the
 * part before the first ", ") and the component (the part after); a label
 * without that form has a null model and is its own component. Derived
 * strings are written into scratch (reset first), which must outlive the
 * record's use. Returns 0, or -1 when out of memory. Pure. */
int record_derive(const struct endpoint *ep, struct record *rec,
                  struct buf *scratch);

#endif
