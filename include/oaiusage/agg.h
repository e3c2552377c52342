/* agg.h - folding records into report rows. Pure: no I/O, no libcurl, no
 * cJSON.
 *
 * Three shapes:
 *  - grouped (per == TU_PER_NONE, !records): one row per distinct
 *    combination of the group fields over the whole window;
 *  - per period (per != TU_PER_NONE): the same, split by period (UTC,
 *    or local with spec.floor);
 *  - records: one row per record, as the API returned it.
 * Rows with different MK_TEXT labels (e.g. currency) are never merged.
 * Integer metrics are summed exactly (overflow is an error); decimals are
 * summed exactly with dec_add. MA_LEVEL metrics keep the value of the latest
 * bucket instead of summing.
 *
 * Without group fields, grouped mode always yields exactly one row and
 * per-period mode one row for every period the buckets touched (zero when
 * idle): the API's buckets are dense, so an idle day is a fact, not a gap.
 *
 * The struct agg owns every row and every string in it (copies of the
 * borrowed record strings); rows are valid until agg_free(). Pure: no I/O,
 * no parser (records come from record.h).
 */
#ifndef OAIUSAGE_AGG_H
#define OAIUSAGE_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oaiusage/dec.h"
#include "oaiusage/endpoint.h"
#include "oaiusage/record.h"
#include "oaiusage/status.h"
#include "oaiusage/timeutil.h"

struct agg_spec {
    const struct endpoint *ep;
    int ngroup;
    int group[EP_MAX_GROUPS]; /* endpoint group indices, output order */
    enum tu_period per;       /* TU_PER_NONE: totals over the window */
    bool records;             /* one row per record (per must be NONE) */
    /* Where a period starts: NULL for UTC periods (tu_period_start);
     * zone_floor (zone.h) for local days, weeks and months. */
    int64_t (*floor)(enum tu_period p, int64_t t);
};

struct agg_row {
    int64_t t0;        /* records: bucket start; per: period start */
    int64_t t1;        /* records: bucket end */
    const char **key;  /* [ngroup] group values; NULL = null */
    const char **text; /* [nmetrics] MK_TEXT values; NULL = null */
    int64_t *ival;     /* [nmetrics] MK_INT values */
    struct dec *dval;  /* [nmetrics] MK_DEC values, or NULL if none */
    bool *present;     /* [nmetrics] false = null */
    int64_t level_ts;  /* bucket start of the MA_LEVEL values held */
    size_t seq;        /* insertion order, the last tie-break */
};

struct agg;

struct agg *agg_new(const struct agg_spec *spec);
void agg_free(struct agg *a);

/* Fold one record. Fails only on overflow or out of memory. */
int agg_add(struct agg *a, const struct record *rec, struct ou_err *err);
/* Note a bucket (called for every bucket, empty ones included). */
int agg_bucket(struct agg *a, int64_t start, int64_t end, struct ou_err *err);
/* Add src (same spec, not records, neither finished) into dst, exactly,
 * and free src (also on failure): what one pair of aggregates folded
 * from two parts of the records, as if dst had folded them all. Levels
 * keep the latest bucket's value; a group id's name stays the one dst
 * had. Fails only on overflow or out of memory. */
int agg_merge(struct agg *dst, struct agg *src, struct ou_err *err);

/* Sort the rows and compute the totals. Call once, after the last add. */
int agg_finish(struct agg *a, struct ou_err *err);

size_t agg_nrows(const struct agg *a);
const struct agg_row *agg_row_at(const struct agg *a, size_t i);
/* Totals: one row per distinct total_key label (usually exactly one). */
size_t agg_ntotals(const struct agg *a);
const struct agg_row *agg_total_at(const struct agg *a, size_t i);
const struct agg_spec *agg_spec_of(const struct agg *a);

/* The name the results gave the id of the group at position g (costs:
 * the user_email beside a user_id), or NULL. */
const char *agg_hint(const struct agg *a, int g, const char *id);

/* With --per: the distinct periods the buckets touched, ascending (after
 * agg_finish; idle periods included). */
size_t agg_nperiods(const struct agg *a);
int64_t agg_period_at(const struct agg *a, size_t i);

/* A finished aggregate's rows folded again into a new, finished aggregate
 * with spec (same endpoint; its group fields a subset of a's, its period
 * the same or none): e.g. the window's totals per group of a --per report.
 * Levels keep their latest period's value. NULL with err on failure. */
struct agg *agg_regroup(const struct agg *a, const struct agg_spec *spec,
                        struct ou_err *err);

#endif
