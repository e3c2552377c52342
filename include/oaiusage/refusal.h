/* refusal.h - the API's known refusals of valid queries, and what the
 * client does about them. Pure: reads an API error and a query, writes
 * queries.
 *
 * api_key_id floor: the costs endpoint refuses a query grouped by
 * api_key_id whose window starts before a date it names (HTTP 400, param
 * "start_time", "... Try a start_time on or after 1764979200."). The floor
 * is read from the message, never hard-coded: it may move. The window is
 * then fetched in two pieces, before the floor without api_key_id and from
 * the floor with it; rows of the first piece carry REFUSAL_UNAVAILABLE as
 * their api_key_id.
 *
 * user_id with project_id: costs grouped by user_id together with a
 * project_id grouping or a --project filter is refused for some
 * organizations and time ranges (HTTP 400). Nothing to work around: the
 * error is explained.
 */
#ifndef OAIUSAGE_REFUSAL_H
#define OAIUSAGE_REFUSAL_H

#include <stdbool.h>
#include <stdint.h>

#include "oaiusage/apierror.h"
#include "oaiusage/query.h"

#define REFUSAL_UNAVAILABLE "(unavailable)"

/* The floor e names for q (rounded up to q's bucket width), or -1 when e
 * is not that refusal, q does not group by api_key_id, or the floor is not
 * after q's start. */
int64_t refusal_key_floor(const struct api_error *e, const struct query *q);

/* Is e the api_key_id refusal of q (HTTP 400 on param start_time for a
 * query grouped by api_key_id), whether or not it names a usable floor? */
bool refusal_is_key_floor(const struct api_error *e, const struct query *q);

/* q's window cut at floor: pieces[0] before it, without api_key_id in its
 * group_by; pieces[1] from it on, as q. Returns the number of pieces: 1
 * when the whole window is before the floor (pieces[0] only). */
int refusal_split(const struct query *q, int64_t floor, int64_t now,
                  struct query pieces[2]);

/* Is e the refusal of user_id combined with project_id for q? */
bool refusal_user_project(const struct api_error *e, const struct query *q);

#endif
