/* atomic.c - replacing a file atomically (see atomic.h). */
#include "oaiusage/atomic.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporaries being written (threads of a run over several
 * organizations write at once), for the signal handler: a slot is claimed
 * under the lock and marked active only once its name is complete. */
#define ATOMIC_SLOTS 16
static char active_tmp[ATOMIC_SLOTS][ATOMIC_PATH_MAX];
static volatile sig_atomic_t active[ATOMIC_SLOTS];
static bool claimed[ATOMIC_SLOTS];
static pthread_mutex_t slots_mu = PTHREAD_MUTEX_INITIALIZER;

void atomic_abort_cleanup(void)
{
    for (int i = 0; i < ATOMIC_SLOTS; i++) {
        if (active[i])
            unlink(active_tmp[i]);
    }
}

static int claim_slot(void)
{
    int slot = -1;

    pthread_mutex_lock(&slots_mu);
    for (int i = 0; i < ATOMIC_SLOTS && slot < 0; i++) {
        if (!claimed[i]) {
            claimed[i] = true;
            slot = i;
        }
    }
    pthread_mutex_unlock(&slots_mu);
    return slot;
}

static void release_slot(int slot)
{
    if (slot < 0)
        return;
    active[slot] = 0;
    pthread_mutex_lock(&slots_mu);
    claimed[slot] = false;
    pthread_mutex_unlock(&slots_mu);
}

int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;

    while (n > 0) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int afile_open(struct afile *f, const char *path, mode_t mode,
               struct ou_err *err)
{
    f->fd = -1;
    f->slot = -1;
    f->live = false;
    if (snprintf(f->path, sizeof(f->path), "%s", path) >=
            (int)sizeof(f->path) ||
        snprintf(f->tmp, sizeof(f->tmp), "%s.tmp.XXXXXX", path) >=
            (int)sizeof(f->tmp))
        return ou_fail(err, OU_E_IO, "output path too long: '%s'", path);
    f->slot = claim_slot();
    f->fd = mkstemp(f->tmp);
    if (f->fd < 0) {
        int e = errno;
        release_slot(f->slot);
        f->slot = -1;
        return ou_fail(err, OU_E_IO,
                       "cannot create a temporary file next to '%s': %s", path,
                       strerror(e));
    }
    f->live = true;
    if (f->slot >= 0) {
        memcpy(active_tmp[f->slot], f->tmp, sizeof(active_tmp[f->slot]));
        active[f->slot] = 1;
    }
    if (fchmod(f->fd, mode) != 0) {
        int e = errno;
        afile_abort(f);
        return ou_fail(err, OU_E_IO, "cannot write '%s': %s", path,
                       strerror(e));
    }
    return 0;
}

int afile_write(struct afile *f, const void *p, size_t n, struct ou_err *err)
{
    if (write_all(f->fd, p, n) != 0) {
        int e = errno;
        afile_abort(f);
        return ou_fail(err, OU_E_IO, "cannot write '%s': %s", f->path,
                       strerror(e));
    }
    return 0;
}

int afile_commit(struct afile *f, struct ou_err *err)
{
    int e = 0;

    if (fsync(f->fd) != 0)
        e = errno;
    if (close(f->fd) != 0 && e == 0)
        e = errno;
    f->fd = -1;
    if (e == 0 && rename(f->tmp, f->path) != 0)
        e = errno;
    if (e != 0) {
        afile_abort(f);
        return ou_fail(err, OU_E_IO, "cannot write '%s': %s", f->path,
                       strerror(e));
    }
    f->live = false; /* renamed: nothing left to remove */
    release_slot(f->slot);
    f->slot = -1;
    return 0;
}

void afile_abort(struct afile *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    if (f->live) {
        unlink(f->tmp);
        f->live = false;
    }
    release_slot(f->slot);
    f->slot = -1;
}
