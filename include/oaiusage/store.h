/* store.h - the history store: usage and costs at the finest grain the
 * API gives, bucket by bucket, in SQLite or PostgreSQL (docs/store.md has
 * the schema). The only module that knows SQL; SQLite and libpq are behind
 * it (src/store/db.h).
 *
 * Writing (sync): a page of buckets is stored in one transaction: for each
 * bucket, its stored rows are deleted and the page's rows inserted, with
 * the bucket's coverage record (its span, whether it is provisional, which
 * group fields were asked, when). A bucket is therefore replaced whole, a
 * re-run never duplicates, and a crash leaves every bucket either as it
 * was or as the API last sent it.
 *
 * Reading (every report with --db): records of an endpoint over a window,
 * grouped and filtered as a query asks, bucket by bucket at the query's
 * width (summed from a finer stored width when counters allow it), handed
 * to a sink exactly as fetch.h hands pages' records: the same aggregation
 * then gives the same report.
 *
 * A struct store owns its connection; it borrows nothing.
 */
#ifndef OAIUSAGE_STORE_H
#define OAIUSAGE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "oaiusage/endpoint.h"
#include "oaiusage/names.h"
#include "oaiusage/query.h"
#include "oaiusage/record.h"
#include "oaiusage/status.h"

#define STORE_SCHEMA_VERSION 1
#define STORE_DEFAULT_ORG "default"

struct store;

/* Open DB: a file path, "sqlite:PATH" or a "postgresql://" / "postgres://"
 * URI. create (sync): take the sync lock, one sync per store at a time,
 * waiting up to lock_ms (then OU_E_BUSY), and under it make the file (mode
 * 0600, directories 0700) and the schema; the lock is held until
 * store_close or process exit. Otherwise the store must exist
 * (OU_E_UNCOVERED when it does not) and lock_ms is unused. A store made by
 * a newer version is refused. */
int store_open(const char *db, bool create, long lock_ms, struct store **out,
               struct ou_err *err);
void store_close(struct store *s);
/* The store for messages: the file, or the URI without its password. */
const char *store_where(const struct store *s);
/* The default DB: $OAIUSAGE_DB, else $XDG_DATA_HOME/oaiusage/usage.db
 * (~/.local/share/oaiusage/usage.db). Returns a malloc'ed string. */
char *store_default_db(void);

/* ---- writing ------------------------------------------------------------ */

struct store_bucket {
    int64_t start;
    int64_t end;
    bool provisional; /* may still be revised: replaced by a later sync */
};

/* One page of one endpoint: its buckets, and its records, each with the
 * index of its bucket. dims: the group_by fields asked, comma-separated
 * (a bucket asked without api_key_id cannot answer for it). */
struct store_page {
    const struct endpoint *ep;
    enum bucket_width width;
    const char *dims;
    int64_t synced_at;
    const struct store_bucket *buckets;
    int nbuckets;
    const struct record *recs;
    const int *rec_bucket;
    int nrecs;
};

int store_put_page(struct store *s, const char *org, const struct store_page *p,
                   struct ou_err *err);

/* Where a sync of (endpoint, width) started, and its last run (-1 when
 * never synced); set after each run. */
int store_sync_state(struct store *s, const char *org,
                     const struct endpoint *ep, enum bucket_width w,
                     int64_t *since, int64_t *last_sync, struct ou_err *err);
int store_set_sync_state(struct store *s, const char *org,
                         const struct endpoint *ep, enum bucket_width w,
                         int64_t since, int64_t last_sync, struct ou_err *err);

/* The costs endpoint's api_key_id floor (refusal.h) as last read from the
 * API, 0 when none; set with the sync state (after the first run). */
int store_key_floor(struct store *s, const char *org, const struct endpoint *ep,
                    int64_t *floor, struct ou_err *err);
int store_set_key_floor(struct store *s, const char *org,
                        const struct endpoint *ep, int64_t floor,
                        struct ou_err *err);

/* Replace the organization's names (projects, users, service accounts,
 * API keys) in one transaction. Ids in rows stored from mark_since on
 * that the lists do not name (an archived project, a deleted key) are
 * stored with an empty name: known to have none, as the live names cache
 * keeps them, so that store_names_state does not report them again. */
int store_put_names(struct store *s, const char *org, const struct names *n,
                    int64_t synced_at, int64_t mark_since, struct ou_err *err);
/* Every name stored for org into n. */
int store_get_names(struct store *s, const char *org, struct names *n,
                    struct ou_err *err);
/* When org's names were last stored (*synced_at, -1 if never), and
 * whether rows stored from `since` on carry a project, user or API key id
 * that no stored name covers (*unknown). */
int store_names_state(struct store *s, const char *org, int64_t since,
                      int64_t *synced_at, bool *unknown, struct ou_err *err);

/* ---- coverage ----------------------------------------------------------- */

struct store_cov {
    int64_t start;
    int64_t end;
    bool provisional;
    int64_t synced_at;
    char dims[160];
};

/* The stored buckets of (endpoint, width) starting in [from, to), in
 * order; *out is malloc'ed. */
int store_coverage(struct store *s, const char *org, const struct endpoint *ep,
                   enum bucket_width w, int64_t from, int64_t to,
                   struct store_cov **out, int *n, struct ou_err *err);

/* The rows stored for (endpoint, width). */
int store_count_rows(struct store *s, const char *org,
                     const struct endpoint *ep, enum bucket_width w, int64_t *n,
                     struct ou_err *err);

/* The widths stored for an endpoint (any bucket at all). */
int store_widths(struct store *s, const char *org, const struct endpoint *ep,
                 bool have[BW_COUNT], struct ou_err *err);

/* ---- reading ------------------------------------------------------------ */

struct store_sink {
    int (*bucket)(void *ctx, int64_t start, int64_t end, struct ou_err *err);
    int (*record)(void *ctx, const struct record *rec, struct ou_err *err);
    void *ctx;
};

/* How a query is answered from the store (storeplan.c, pure). */
struct store_read {
    enum bucket_width stored; /* the width read */
    int64_t start;            /* the window: buckets [start, end) */
    int64_t end;
    int64_t key_from; /* > 0: buckets before it lack api_key_id, shown as
                         unavailable (costs) */
};

/* The width to read q from (storeplan.c, pure): q's own when stored;
 * else, for counters, the coarsest finer stored width (buckets are summed
 * up); never a coarser one, and never a different one for levels. */
int store_plan_width(const struct query *q, const bool have[BW_COUNT],
                     enum bucket_width *out, struct ou_err *err);

/* The window q reads (pure): [q's start, q's end or, without until_given,
 * the end of what is stored), its edges on bucket boundaries of q's width
 * (a costs start is floored to its day, as the API does), every bucket of
 * it in cov (the stored buckets at r->stored from q's start on), and every
 * group field or filter q needs held by each bucket (api_key_id may be
 * missing before some time: r->key_from). OU_E_USAGE for an edge inside a
 * bucket, OU_E_UNCOVERED naming the first missing span and the sync that
 * fills it. */
int store_plan_window(const struct query *q, bool until_given,
                      const struct store_cov *cov, int ncov,
                      struct store_read *r, struct ou_err *err);

/* Read q's window as planned in r: every bucket of q's width (empty ones
 * too) in order, each followed by its records, grouped by q's group
 * fields (only those: other fields are null, as the API sends them) and
 * filtered by q's filters. cov: the stored buckets of r (for the fill of
 * fields a bucket was not asked for). */
int store_read_query(struct store *s, const char *org, const struct query *q,
                     const struct store_read *r, const struct store_cov *cov,
                     int ncov, const struct store_sink *sink,
                     struct ou_err *err);

/* "SQLite 3.40.1, libpq 15.13": the engines linked, for --version. */
void store_lib_versions(char *out, size_t size);

#endif
