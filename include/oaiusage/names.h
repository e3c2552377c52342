/* names.h - names for project, user and API key ids (--names).
 *
 * A struct names maps (kind, id) to a name: a project's name, a user's
 * e-mail, an API key's name. names_resolve() fills it from the organization
 * lists (projects with include_archived=true, users, and the API keys of
 * the projects concerned; see orglist.h), fetched at once through the
 * scheduler, with an on-disk cache per base URL and key (XDG cache
 * directory, a TTL; written atomically, mode 0600, holding ids and names
 * only; an archived project is marked so). Ids the lists do not hold (a deleted project, a
 * rotated key) are cached as known-unknown, so they do not force a refetch
 * on every run; an id the cache has never seen does. API keys are listed
 * only for projects the organization still lists. Failing to resolve is
 * never fatal: the caller gets a warning text and keeps the raw ids.
 */
#ifndef OAIUSAGE_NAMES_H
#define OAIUSAGE_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "oaiusage/endpoint.h"
#include "oaiusage/fetch.h"
#include "oaiusage/status.h"

struct names;

struct names *names_new(void);
void names_free(struct names *n);

/* The name of an id, or NULL when unknown. */
const char *names_get(const struct names *n, enum name_kind k, const char *id);
/* Record a name (copied). Returns 0, or -1 when out of memory. */
int names_put(struct names *n, enum name_kind k, const char *id,
              const char *name);
size_t names_count(const struct names *n, enum name_kind k);

/* What the lists said of an id: never asked (or a list could not be
 * read), listed, listed as archived (projects), or not listed although
 * the lists were read whole (for a project: deleted). */
enum name_state { NAME_UNSEEN, NAME_LISTED, NAME_ARCHIVED, NAME_UNLISTED };
enum name_state names_state(const struct names *n, enum name_kind k,
                            const char *id);
/* Mark an id archived (kept with its name; added with none when new). 0,
 * or -1 when out of memory. */
int names_mark_archived(struct names *n, enum name_kind k, const char *id);
/* Call fn for every archived entry, as names_each. */
int names_each_archived(const struct names *n,
                        int (*fn)(void *ctx, enum name_kind k, const char *id,
                                  const char *name),
                        void *ctx);
/* Call fn for every named entry (ids known to be unknown are skipped), in
 * no particular order; non-zero from fn stops and is returned. */
int names_each(const struct names *n,
               int (*fn)(void *ctx, enum name_kind k, const char *id,
                         const char *name),
               void *ctx);

/* What to resolve: the kinds needed and, for API keys, the projects whose
 * keys to list (NULL = every project). */
struct names_want {
    bool kind[NK_COUNT];
    const char *const *ids[NK_COUNT]; /* ids the report holds, per kind */
    int nids[NK_COUNT];
    bool all; /* every list: every project's keys and service accounts
                 (sync stores them all) */
};

struct names_opts {
    const struct fetch_env *env; /* the scheduler and the base URL */
    const char *key;             /* the admin key: hashed into the cache file's
                                name (never written into it) */
    int64_t now;
    int64_t ttl;           /* seconds a cache stays fresh */
    bool refresh;          /* ignore the cache */
    const char *cache_dir; /* NULL: $XDG_CACHE_HOME/oaiusage or
                                ~/.cache/oaiusage */
};

/* Resolve what want asks for into n. Returns 0 when every list could be
 * read (unknown ids are fine), or an exit code with err describing what
 * failed; n then holds whatever could be resolved. */
int names_resolve(struct names *n, const struct names_want *want,
                  const struct names_opts *o, struct ou_err *err);

/* The cache file itself: save every entry of n (atomically, mode 0600,
 * creating private directories), and load one younger than ttl seconds
 * (false when it is absent, stale, from the future or malformed). */
int names_cache_save(const struct names *n, const char *path,
                     struct ou_err *err);
bool names_cache_load(struct names *n, const char *path, int64_t now,
                      int64_t ttl);

#endif
