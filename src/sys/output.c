/* output.c - delivering a finished report (see output.h). */
#include "oaiusage/output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporary file being written, for the signal handler. */
static char tmp_path[4096];
static volatile sig_atomic_t tmp_active;

void output_abort_cleanup(void)
{
    if (tmp_active)
        unlink(tmp_path);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* head, then the spill's bytes (fd >= 0), then tail, to fd. */
static int write_parts(int fd, const char *head, size_t hlen, int spill,
                       const char *tail, size_t tlen)
{
    char chunk[65536];
    ssize_t n;

    if (write_all(fd, head, hlen) != 0)
        return -1;
    if (spill >= 0) {
        if (lseek(spill, 0, SEEK_SET) != 0)
            return -1;
        while ((n = read(spill, chunk, sizeof(chunk))) > 0) {
            if (write_all(fd, chunk, (size_t)n) != 0)
                return -1;
        }
        if (n < 0)
            return -1;
    }
    return write_all(fd, tail, tlen);
}

int output_write_parts(const char *path, const char *head, size_t hlen,
                       int spill, const char *tail, size_t tlen,
                       struct ou_err *err)
{
    int fd;
    mode_t mask;

    if (path == NULL || strcmp(path, "-") == 0) {
        if (write_parts(STDOUT_FILENO, head, hlen, spill, tail, tlen) != 0) {
            if (errno == EPIPE)
                return 0; /* the reader chose to stop */
            return ou_fail(err, OU_E_IO,
                              "cannot write to standard output: %s",
                              strerror(errno));
        }
        return 0;
    }
    /* Replace what a symlink points to, not the link; keep an existing
     * file's permissions. */
    char real[4096];
    struct stat st;
    bool exists = false;
    mode_t mode;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
        realpath(path, real) != NULL)
        path = real;
    if (stat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode))
            return ou_fail(err, OU_E_IO,
                              "cannot write '%s': not a regular file", path);
        exists = true;
    }
    mask = umask(0);
    umask(mask);
    mode = exists ? st.st_mode & 07777 : 0666 & ~mask;
    if (snprintf(tmp_path, sizeof(tmp_path), "%s.tmp.XXXXXX", path) >=
        (int)sizeof(tmp_path))
        return ou_fail(err, OU_E_IO, "output path too long: '%s'", path);
    fd = mkstemp(tmp_path);
    if (fd < 0)
        return ou_fail(err, OU_E_IO,
                          "cannot create a temporary file next to '%s': %s",
                          path, strerror(errno));
    tmp_active = 1;
    if (fchmod(fd, mode) != 0 ||
        write_parts(fd, head, hlen, spill, tail, tlen) != 0 ||
        fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp_path);
        tmp_active = 0;
        return ou_fail(err, OU_E_IO, "cannot write '%s': %s", path,
                          strerror(e));
    }
    if (close(fd) != 0 || rename(tmp_path, path) != 0) {
        int e = errno;
        unlink(tmp_path);
        tmp_active = 0;
        return ou_fail(err, OU_E_IO, "cannot write '%s': %s", path,
                          strerror(e));
    }
    tmp_active = 0;
    return 0;
}

int output_write(const char *path, const char *data, size_t len,
                 struct ou_err *err)
{
    return output_write_parts(path, data, len, -1, "", 0, err);
}

int output_spill_open(const char *path, struct ou_err *err)
{
    char tmpl[4096];
    const char *dir = getenv("TMPDIR");

    if (path != NULL && strcmp(path, "-") != 0) {
        /* Beside the output: the same file system, as big as it. */
        const char *slash = strrchr(path, '/');
        snprintf(tmpl, sizeof(tmpl), "%.*s.oaiusage-spill.XXXXXX",
                 slash != NULL ? (int)(slash - path + 1) : 0, path);
    } else {
        snprintf(tmpl, sizeof(tmpl), "%s/oaiusage-spill.XXXXXX",
                 dir != NULL && dir[0] != '\0' ? dir : "/tmp");
    }
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return ou_fail(err, OU_E_IO,
                          "cannot create a temporary file '%s': %s", tmpl,
                          strerror(errno)) *
               -1;
    unlink(tmpl); /* anonymous: gone with the process, whatever happens */
    return fd;
}

int output_spill_write(int fd, const char *data, size_t len,
                       struct ou_err *err)
{
    if (write_all(fd, data, len) != 0)
        return ou_fail(err, OU_E_IO, "cannot write a temporary file: %s",
                          strerror(errno));
    return 0;
}
