/* orglist.h - an organization list (projects, users, a project's API
 * keys), every page, through the request scheduler (sched.h).
 *
 * Pages follow one another (limit=100, after=last_id); several lists run
 * at once when queued before one sched_run(). Each item's fields (dot
 * paths, see listpage.h) go to the item callback. A repeated last_id,
 * has_more without one, or an empty page with has_more is refused. Errors
 * name the list and the page ("projects page 3: ...").
 *
 * A struct orglist is the caller's: it sets the first block of fields,
 * calls orglist_start() (which queues the first page), runs the scheduler,
 * then orglist_release().
 */
#ifndef OAIUSAGE_ORGLIST_H
#define OAIUSAGE_ORGLIST_H

#include <stdbool.h>

#include "oaiusage/fetch.h"
#include "oaiusage/htab.h"
#include "oaiusage/listpage.h"
#include "oaiusage/status.h"

#define ORGLIST_MAX_PAGES 100000

struct orglist {
    /* Set by the caller. */
    const char *path;          /* "/organization/projects" */
    const char *extra;         /* more query ("include_archived=true") */
    const char *what;          /* "projects", for messages */
    const char *const *fields; /* dot paths of the values to read */
    int nfields;
    list_item_fn item;
    void *ctx;
    /* Optional: every page is in (may queue more lists). */
    int (*complete)(struct orglist *l, struct ou_err *err);
    bool tolerate; /* a failure ends only this list: it is
                                    kept in err below, the run goes on */
    /* Kept by the module. */
    const struct fetch_env *env;
    int page;
    struct htab seen; /* last_id values followed */
    bool failed;
    struct ou_err err; /* the tolerated failure */
};

int orglist_start(struct orglist *l, const struct fetch_env *env,
                  struct ou_err *err);
void orglist_release(struct orglist *l);

/* Append the path of one of a project's lists ("api_keys",
 * "service_accounts") to path. 0, or -1 when out of memory. */
int orglist_project_path(struct buf *path, const char *project,
                         const char *list);

/* The API keys list shows only the keys of the project's members unless
 * asked for all: a cost review must name every key. */
#define ORGLIST_ALL_KEYS "owner_project_access=any"

#endif
