/* atomic.h - replacing a file atomically: the one way this program writes
 * a file in place.
 *
 * A temporary file is made in the target's directory, written, flushed and
 * synced, then renamed over the target. On any failure the temporary is
 * removed and the target is exactly as it was; a signal handler removes it
 * with atomic_abort_cleanup(). One file is written at a time.
 */
#ifndef OAIUSAGE_ATOMIC_H
#define OAIUSAGE_ATOMIC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oaiusage/status.h"

#define ATOMIC_PATH_MAX 4096

struct afile {
    int fd;                     /* -1 when not open */
    char path[ATOMIC_PATH_MAX]; /* the target */
    char tmp[ATOMIC_PATH_MAX];  /* the temporary beside it */
    int slot;                   /* its entry for the signal handler */
    bool live;                  /* tmp is ours and not yet renamed */
};

/* Start replacing path with a file of the given mode. Errors (OU_E_IO)
 * say "cannot create a temporary file next to 'PATH': why". */
int afile_open(struct afile *f, const char *path, mode_t mode,
               struct ou_err *err);
/* Append n bytes. */
int afile_write(struct afile *f, const void *p, size_t n, struct ou_err *err);
/* Sync and rename over the target; the file is closed either way. */
int afile_commit(struct afile *f, struct ou_err *err);
/* Give up: remove the temporary (safe to call when not open). */
void afile_abort(struct afile *f);

/* Remove the temporary being written, if any (async-signal-safe). */
void atomic_abort_cleanup(void);

/* write(2) until done (EINTR resumed). 0, or -1 with errno. */
int write_all(int fd, const void *p, size_t n);

#endif
