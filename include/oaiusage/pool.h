/* pool.h - worker threads for the CPU work of a run (parsing pages), the
 * results collected back on the thread that owns the pool.
 *
 * A pool of n threads runs submitted jobs first in, first out. A finished
 * job goes to the done list and the pool calls notify(notify_ctx) from the
 * worker (it must be thread-safe: it wakes the owner's poll, e.g.
 * curl_multi_wakeup). The owner takes finished jobs with pool_take(), in
 * the order they finished; nothing a job touches may be used by the owner
 * until it is taken. The pool owns its threads and its list nodes; a job's
 * arg stays the submitter's.
 */
#ifndef OAIUSAGE_POOL_H
#define OAIUSAGE_POOL_H

#include <stdbool.h>

#define POOL_MAX_THREADS 64

struct pool;

typedef void (*pool_fn)(void *arg);

/* n threads (1..POOL_MAX_THREADS); each calls at_exit (may be NULL)
 * before it ends (to free what it kept per thread). NULL when out of
 * memory or when a thread cannot be started. */
struct pool *pool_new(int n, void (*at_exit)(void));
/* Who to wake when a job finishes (NULL: nobody; the owner polls). */
void pool_set_notify(struct pool *p, void (*notify)(void *ctx), void *ctx);
/* Queue fn(arg). 0, or -1 when out of memory (nothing queued). */
int pool_submit(struct pool *p, pool_fn fn, void *arg);
/* A finished job's arg, or NULL when none has finished since the last
 * take. */
void *pool_take(struct pool *p);
/* Block until a job has finished, then take it; NULL when no job is
 * queued, running or finished. */
void *pool_wait(struct pool *p);
/* Jobs submitted and not yet taken. */
int pool_pending(struct pool *p);
/* Stop the threads (jobs queued and not started are dropped: their arg
 * is never taken) and free the pool. Waits for running jobs. */
void pool_free(struct pool *p);

/* The number of CPUs this process may run on (at least 1). */
int pool_cpus(void);

#endif
