/* atomic.c - replacing a file atomically (see atomic.h). */
#include "oaiusage/atomic.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporary being written, for the signal handler. */
static char active_tmp[ATOMIC_PATH_MAX];
static volatile sig_atomic_t active;

void atomic_abort_cleanup(void)
{
    if (active)
        unlink(active_tmp);
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
    if (snprintf(f->path, sizeof(f->path), "%s", path) >=
            (int)sizeof(f->path) ||
        snprintf(f->tmp, sizeof(f->tmp), "%s.tmp.XXXXXX", path) >=
            (int)sizeof(f->tmp))
        return ou_fail(err, OU_E_IO, "output path too long: '%s'", path);
    memcpy(active_tmp, f->tmp, sizeof(active_tmp));
    f->fd = mkstemp(active_tmp);
    if (f->fd < 0)
        return ou_fail(err, OU_E_IO,
                       "cannot create a temporary file next to '%s': %s", path,
                       strerror(errno));
    memcpy(f->tmp, active_tmp, sizeof(f->tmp));
    active = 1;
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
    active = 0;
    return 0;
}

void afile_abort(struct afile *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    if (active) {
        unlink(f->tmp);
        active = 0;
    }
}
