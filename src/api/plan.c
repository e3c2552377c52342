/* plan.c - a query's window as sub-windows of one page each (see plan.h). */
#include "oaiusage/plan.h"

#include <stdlib.h>

#include "oaiusage/timeutil.h"

int64_t plan_max_buckets(const struct query *q, int64_t now)
{
    int64_t w = bucket_width_seconds(q->width);
    int64_t lo = tu_floor(q->start_time, w);
    /* Without end_time the API's clock ends the window; allow a day of
     * clock difference. */
    int64_t end = q->end_time >= 0 ? q->end_time : now + 86400;
    int64_t n = (end - lo + w - 1) / w;
    return n < 1 ? 1 : n;
}

int plan_windows(const struct query *q, int64_t now, struct subwin **out,
                 int *nout)
{
    int64_t w = bucket_width_seconds(q->width);
    int64_t span = w * q->limit;
    int64_t b0 = tu_floor(q->start_time, w);
    int64_t end = q->end_time >= 0 ? q->end_time : now;
    int64_t n = end > b0 ? (end - b0 + span - 1) / span : 1;

    if (n < 1)
        n = 1;
    if (n > PLAN_MAX_SUBWINDOWS)
        return -1;
    struct subwin *sw = calloc((size_t)n, sizeof(*sw));
    if (sw == NULL)
        return -1;
    for (int64_t i = 0; i < n; i++) {
        sw[i].start = i == 0 ? q->start_time : b0 + i * span;
        sw[i].end = b0 + (i + 1) * span;
        sw[i].end_sent = true;
        if (i == n - 1) {
            sw[i].end = q->end_time;
            sw[i].end_sent = q->end_time >= 0;
        }
    }
    *out = sw;
    *nout = (int)n;
    return 0;
}
