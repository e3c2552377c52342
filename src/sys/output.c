/* output.c - delivering a finished report (see output.h). */
#include "oaiusage/output.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oaiusage/atomic.h"
#include "oaiusage/msg.h"

/* The spill's bytes, from its start, to fd. */
static int copy_spill(int fd, int spill)
{
    char chunk[65536];
    ssize_t n;

    if (lseek(spill, 0, SEEK_SET) != 0)
        return -1;
    while ((n = read(spill, chunk, sizeof(chunk))) > 0) {
        if (write_all(fd, chunk, (size_t)n) != 0)
            return -1;
    }
    return n < 0 ? -1 : 0;
}

static int to_stdout(const char *head, size_t hlen, int spill, const char *tail,
                     size_t tlen, struct ou_err *err)
{
    if (write_all(STDOUT_FILENO, head, hlen) != 0 ||
        (spill >= 0 && copy_spill(STDOUT_FILENO, spill) != 0) ||
        write_all(STDOUT_FILENO, tail, tlen) != 0) {
        if (errno == EPIPE)
            return 0; /* the reader chose to stop */
        return ou_fail(err, OU_E_IO, "cannot write to standard output: %s",
                       strerror(errno));
    }
    return 0;
}

/* A character device or a pipe, written in place. */
static int to_stream(const char *path, const char *head, size_t hlen, int spill,
                     const char *tail, size_t tlen, struct ou_err *err)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
    int rc = 0;

    if (fd < 0)
        return ou_fail(err, OU_E_IO, "cannot open '%s': %s", path,
                       strerror(errno));
    if (write_all(fd, head, hlen) != 0 ||
        (spill >= 0 && copy_spill(fd, spill) != 0) ||
        write_all(fd, tail, tlen) != 0)
        rc = ou_fail(err, OU_E_IO, "cannot write '%s': %s", path,
                     strerror(errno));
    if (close(fd) != 0 && rc == 0)
        rc = ou_fail(err, OU_E_IO, "cannot write '%s': %s", path,
                     strerror(errno));
    return rc;
}

/* Where a symlink points (a dangling one too: the file it names will be
 * made), into real. */
static void link_target(const char *path, char *real)
{
    char to[PATH_MAX];
    ssize_t n;

    if (realpath(path, real) != NULL)
        return;
    n = readlink(path, to, sizeof(to) - 1);
    if (n <= 0) {
        snprintf(real, PATH_MAX, "%s", path);
        return;
    }
    to[n] = '\0';
    const char *slash = strrchr(path, '/');
    int len = to[0] == '/' || slash == NULL
                  ? snprintf(real, PATH_MAX, "%s", to)
                  : snprintf(real, PATH_MAX, "%.*s%s", (int)(slash - path + 1),
                             path, to);
    if (len < 0 || len >= PATH_MAX)
        snprintf(real, PATH_MAX, "%s", path); /* too long: the link */
}

/* The file to replace (a symlink's target) and the mode it gets; *stream:
 * it is a character device or a pipe (/dev/null, /dev/stdout, a FIFO),
 * written in place, as there is nothing to replace atomically. */
static int target_of(const char *path, char *real, mode_t *mode, bool *stream,
                     struct ou_err *err)
{
    struct stat st;
    mode_t mask;

    *stream = false;
    snprintf(real, PATH_MAX, "%s", path);
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        link_target(path, real);
    mask = umask(0);
    umask(mask);
    *mode = 0666 & ~mask;
    if (stat(real, &st) == 0) {
        if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
            *stream = true;
            return 0;
        }
        if (!S_ISREG(st.st_mode))
            return ou_fail(err, OU_E_IO,
                           "cannot write '%s': not a regular file", real);
        *mode = st.st_mode & 07777;
    }
    return 0;
}

int output_write_parts(const char *path, const char *head, size_t hlen,
                       int spill, const char *tail, size_t tlen,
                       struct ou_err *err)
{
    char real[PATH_MAX];
    struct afile f;
    mode_t mode;
    bool stream;
    int rc;

    /* The report starts on a clean line of the terminal. */
    msg_progress_end();
    if (path == NULL || strcmp(path, "-") == 0)
        return to_stdout(head, hlen, spill, tail, tlen, err);
    if ((rc = target_of(path, real, &mode, &stream, err)) != 0)
        return rc;
    if (stream)
        return to_stream(real, head, hlen, spill, tail, tlen, err);
    if ((rc = afile_open(&f, real, mode, err)) != 0)
        return rc;
    rc = afile_write(&f, head, hlen, err);
    if (rc == 0 && spill >= 0 && copy_spill(f.fd, spill) != 0) {
        int e = errno;
        afile_abort(&f);
        rc = ou_fail(err, OU_E_IO, "cannot write '%s': %s", real, strerror(e));
    }
    if (rc == 0)
        rc = afile_write(&f, tail, tlen, err);
    if (rc == 0)
        rc = afile_commit(&f, err);
    return rc;
}

int output_write(const char *path, const char *data, size_t len,
                 struct ou_err *err)
{
    return output_write_parts(path, data, len, -1, "", 0, err);
}

int output_spill_open(const char *path, struct ou_err *err)
{
    char tmpl[PATH_MAX];
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
    if (fd < 0) {
        ou_fail(err, OU_E_IO, "cannot create a temporary file '%s': %s", tmpl,
                strerror(errno));
        return -1;
    }
    unlink(tmpl); /* anonymous: gone with the process, whatever happens */
    return fd;
}

int output_spill_write(int fd, const char *data, size_t len, struct ou_err *err)
{
    if (write_all(fd, data, len) != 0)
        return ou_fail(err, OU_E_IO, "cannot write a temporary file: %s",
                       strerror(errno));
    return 0;
}

int output_terminal_width(void)
{
    struct winsize ws;
    const char *cols = getenv("COLUMNS");

    if (!isatty(STDOUT_FILENO))
        return 0;
    if (cols != NULL && cols[0] != '\0') {
        char *end;
        long v = strtol(cols, &end, 10);
        if (*end == '\0' && v >= 20 && v <= 10000)
            return (int)v;
    }
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 0;
}
