/* session.h - what every command run shares: the parsed options, the key,
 * the connection and the request scheduler; and the steps several
 * commands take (fetch queries into aggregates, resolve names, warn about
 * data that ends early, deliver the output).
 *
 * A session owns the key (wiped when closed), the HTTP client and the
 * scheduler; it borrows the config.
 */
#ifndef OAIUSAGE_SESSION_H
#define OAIUSAGE_SESSION_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "oaiusage/agg.h"
#include "oaiusage/cli.h"
#include "oaiusage/fetch.h"
#include "oaiusage/fmt.h"
#include "oaiusage/http.h"
#include "oaiusage/names.h"
#include "oaiusage/sched.h"
#include "oaiusage/store.h"

/* Schema drift seen during a run: one entry per endpoint and field. */
struct drift {
    const struct endpoint *ep;
    char *field; /* the member's name, or the unknown object type */
    bool object; /* an unknown result object type */
    bool number; /* the field held numbers: sum is their total */
    bool exact;  /* the sum stayed within the exact range */
    struct dec sum;
    struct drift *next;
};

/* The pages of every organization of a run, for one progress line over
 * all of them: slot i is organization i's (pages answered, pages known),
 * written by its thread, read by all. Owned by the run. */
struct progress_sum {
    int n;
    atomic_long *done;
    atomic_long *queued;
};

/* An overview workbook's sheets after its first: one per endpoint, of its
 * days, named after the endpoint's command. A run over several
 * organizations collects them from each (the names are static). */
struct grid_book {
    struct grid sheets[CMD_MAX_QUERIES];
    const char *names[CMD_MAX_QUERIES];
    int n;
};

/* A run over several organizations (orgs.h) runs one session per
 * organization, each in its own thread; what links a session to the run. */
struct session_link {
    const char *label;        /* the organization, named in its messages */
    const atomic_int *cancel; /* non-zero: another organization failed */
    struct grid *collect;     /* session_deliver_grid hands its grid here */
    struct progress_sum *sum; /* the run's pages (may be NULL) */
    int slot;                 /* this organization's in sum */
    struct grid_book *book;   /* an overview's endpoint sheets go here (or
                                 NULL: no workbook) */
};

/* The transport of a linked session: the HTTP client's, until the run is
 * called off; then every transfer ends at once as failed. */
#define SESSION_MAX_INFLIGHT (2 * OU_MAX_CONCURRENCY + 8)
struct cancel_tp {
    struct transport inner;
    const atomic_int *cancel;
    void *busy[SESSION_MAX_INFLIGHT]; /* tags of transfers in flight */
    int nbusy;
    void *ended[SESSION_MAX_INFLIGHT]; /* tags to end as cancelled */
    int nended;
    bool cut; /* the inner transfers were aborted */
};

struct session {
    const struct config *cfg;
    int64_t now; /* the client's clock at start (Unix) */
    char *key;   /* the admin key (owned, wiped) */
    struct http_client *http;
    struct transport tp;
    struct sched *sched;
    struct fetch_env env;    /* sched, base URL, now */
    struct drift *drift;     /* what the API sent that this version does not
                            know */
    struct api_error failed; /* why the last failed request failed */
    struct store *store;     /* --db (reports read it; sync writes it) */
    const char *org;         /* the store's organization label */
    int64_t key_from;        /* a store read: api_key_id known from then on */
    int64_t progress_ms;     /* when the progress line was last drawn */
    /* A run over several organizations (NULL fields otherwise): the grid
     * session_deliver_grid() hands back instead of writing it, and the
     * transport that stops when another organization fails. */
    struct grid *collect;
    const char *label;
    struct progress_sum *sum; /* its progress is drawn summed (or NULL) */
    int slot;
    struct grid_book *book; /* the overview's endpoint sheets, collected */
    struct cancel_tp ctp;
    struct pool *pool; /* the threads parsing pages (--jobs > 1), or NULL */
};

/* Does this run use the API (a key, the network)? Reports with --db and
 * sync --status do not. */
bool session_uses_api(const struct config *cfg);

/* One piece of a window fetched in pieces (refusal.h): its query, and the
 * value its records get in group field fill (an endpoint group index; -1
 * for none), which the piece does not ask for. */
struct piece {
    struct query q;
    int fill;
    const char *fill_value;
};

/* Filter values given by name, resolved to ids (owned here; the query
 * borrows them). */
struct filter_ids {
    struct strlist values[EP_MAX_FILTERS]; /* per query filter, or empty */
};

/* --project, --user and --api-key values given by name ("Customer Support
 * Bot", maya@example.com, "Production") become the ids they name, through
 * the organization's lists (cached as --names caches them; from the store
 * with --db). An id stays an id. An ambiguous name is a usage error
 * listing the ids; a value that is neither an id nor a name the
 * organization has is a warning with the closest match (the API would
 * answer with nothing). Project and user ids are checked too; API key
 * names list every project's keys, so only names trigger that. Rewrites
 * q's filter values to fr's, which the caller releases. */
int session_resolve_filters(struct session *s, struct query *q,
                            struct filter_ids *fr, struct ou_err *err);
void filter_ids_release(struct filter_ids *fr);

/* The filters as given, for a title: "project a, b; batch only". */
int session_filters_text(const struct config *cfg, struct buf *out);

/* Load the key, connect, make the scheduler; open the store of --db (and
 * sync's, default or not). */
int session_open(struct session *s, const struct config *cfg, int64_t now,
                 struct ou_err *err);
/* The same, as one organization of a run over several (link may be
 * NULL: a run of its own). */
int session_open_linked(struct session *s, const struct config *cfg,
                        int64_t now, const struct session_link *link,
                        struct ou_err *err);
void session_close(struct session *s);

/* names_resolve() with a process-wide lock: organizations resolving
 * names at once write their name caches one at a time (atomic.c keeps
 * one temporary file for the signal handler). */
int session_resolve_names(struct names *n, const struct names_want *want,
                          const struct names_opts *o, struct ou_err *err);

/* Fetch n queries at once, each folded into its aggregate (made from
 * spec[i]), then finished; aggs[i] are the caller's to free (also on
 * failure). span[i] (may be NULL) receives what each covered. */
int session_fetch_aggs(struct session *s, const struct query *q,
                       const struct agg_spec *spec, struct agg **aggs,
                       struct check_span *span, int n, struct ou_err *err);

/* Fetch n (1 or 2) consecutive pieces of one window into one aggregate (made from
 * spec, the caller's to free, also on failure); span receives what they
 * covered together. */
int session_fetch_pieces(struct session *s, const struct piece *pc, int n,
                         const struct agg_spec *spec, struct agg **agg,
                         struct check_span *span, struct ou_err *err);

/* After q failed: the pieces that work around the API's refusal of it
 * (refusal.h), and how many; *floor_at is where the
 * refused field starts. 0: no workaround (err is then explained where the
 * refusal is known). */
int session_work_around(struct session *s, const struct query *q,
                        struct piece pieces[2], int64_t *floor_at,
                        struct ou_err *err);

/* Once the pieces succeeded: the warning that api_key_id starts at floor. */
void session_warn_floor(const struct session *s, const struct endpoint *ep,
                        int64_t floor);

/* Names for the ids in the aggregates' group fields. Never fatal: a
 * failure is a warning and the report keeps its ids. NULL only when out
 * of memory (err filled). */
struct names *session_names(struct session *s, const struct agg *const *aggs,
                            int n, struct ou_err *err);

/* -v: the window; a note when costs (whole days) start mid-day. */
void session_explain_window(const struct session *s, const struct endpoint *ep);
/* A warning when the data ends before the window does. */
void session_warn_short(const struct session *s, const struct query *q,
                        const struct check_span *span);

/* The JSON envelope's window: where the data really starts and ends. */
void session_window(const struct session *s, const struct check_span *span,
                    int64_t *start, int64_t *end);

/* Colour only on a terminal, and never with NO_COLOR. */
bool session_color(const struct session *s);

/* Once per run, after success: each unknown field and object type the API
 * sent, per endpoint, with the sum a numeric field would have added. */
void session_report_drift(const struct session *s);

/* Write the finished output to -o FILE or stdout. */
int session_deliver(const struct session *s, const struct buf *out,
                    struct ou_err *err);
/* The workbook of sheets[0..n), delivered as session_deliver() does. */
int session_deliver_book(const struct session *s,
                         const struct xlsx_sheet *sheets, int n,
                         struct ou_err *err);
/* Move the grid g into into (the lists its metadata points at with
 * it); g is left empty. */
int session_collect_grid(struct grid *into, struct grid *g);
/* Render a grid in the chosen format (--csv-safe applied) and deliver
 * it; in a session that collects (s->collect), move it there instead (g
 * is left empty). */
int session_deliver_grid(const struct session *s, struct grid *g,
                         struct ou_err *err);

#endif
