/* pagelog.h - one page's buckets, records and unknown fields, written down
 * by a worker thread as page_parse() hands them over, and replayed later,
 * in the same order, on the thread that owns the sink.
 *
 * This is how pages are parsed on every core while what consumes them
 * (aggregation, the store, the checks) stays on one thread and sees
 * exactly what a parse on that thread would have handed it: the output
 * does not depend on how many threads parsed. A log owns copies of every
 * string; a replayed record's strings point into the log and are valid
 * during the callback (as a parsed record's are). Pure: no threads here.
 */
#ifndef OAIUSAGE_PAGELOG_H
#define OAIUSAGE_PAGELOG_H

#include "oaiusage/buf.h"
#include "oaiusage/endpoint.h"
#include "oaiusage/page.h"
#include "oaiusage/status.h"

struct pagelog {
    const struct endpoint *ep;
    struct buf b; /* the events, back to back */
};

void pagelog_init(struct pagelog *l, const struct endpoint *ep);
void pagelog_release(struct pagelog *l);
/* Empty l, keeping its memory for the next page. */
void pagelog_reset(struct pagelog *l);

/* A page_sink that writes into l (its ctx is l; callbacks fail only when
 * out of memory). */
void pagelog_sink(struct pagelog *l, struct page_sink *out);

/* Hand every event of l to sink, in the order written. Stops at the first
 * non-zero return (err filled by the callback). */
int pagelog_replay(const struct pagelog *l, const struct page_sink *sink,
                   struct ou_err *err);

#endif
