/* Writing files: atomic replacement (atomic.h) and report delivery
 * (output.h), in a fresh temporary directory. Every case looks at what is
 * on disk afterwards: the exact bytes, the mode, whether a symlink is still
 * a symlink, and the whole directory listing (no temporary left behind). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "oaiusage/atomic.h"
#include "oaiusage/output.h"
#include "test.h"

static char root[PATH_MAX];

/* a/b into out; the test's paths are short, so a longer one is a bug here. */
static void join(char *out, size_t cap, const char *a, const char *b)
{
    int n = snprintf(out, cap, "%s/%s", a, b);
    if (n < 0 || (size_t)n >= cap) {
        fprintf(stderr, "path too long: %s/%s\n", a, b);
        exit(2);
    }
}

/* root/name (a few rotating buffers). */
static const char *at(const char *name)
{
    static char bufs[8][PATH_MAX];
    static int k;
    char *b = bufs[k++ % 8];
    join(b, PATH_MAX, root, name);
    return b;
}

static void put_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f != NULL) {
        fputs(s, f);
        fclose(f);
    }
}

/* The whole file, NUL-terminated in buf; its length, or -1. */
static long get_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
    return (long)n;
}

static bool file_is(const char *path, const char *want)
{
    char buf[4096];
    long n = get_file(path, buf, sizeof(buf));
    return n >= 0 && (size_t)n == strlen(want) &&
           memcmp(buf, want, (size_t)n) == 0;
}

static int mode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names in dir, sorted, joined with ',' (no "." or ".."). */
static const char *listing(const char *dir)
{
    static char out[4096];
    char *names[64];
    int n = 0;
    DIR *d = opendir(dir);

    out[0] = '\0';
    if (d == NULL)
        return "(cannot open)";
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
    for (int i = 0; i < n; i++) {
        if (i > 0)
            strncat(out, ",", sizeof(out) - strlen(out) - 1);
        strncat(out, names[i], sizeof(out) - strlen(out) - 1);
        free(names[i]);
    }
    return out;
}

static int nentries(const char *dir)
{
    const char *l = listing(dir);
    int n = l[0] != '\0';
    for (; *l; l++)
        n += *l == ',';
    return n;
}

static void new_files(void)
{
    struct ou_err err = { OU_OK, "" };
    const char *d = at("new");
    char p[PATH_MAX];

    CHECK(mkdir(d, 0755) == 0);
    join(p, sizeof(p), d, "a.txt");
    umask(022);
    CHECK(output_write(p, "hello\n", 6, &err) == 0);
    CHECK(file_is(p, "hello\n"));
    CHECK(mode_of(p) == 0644);

    join(p, sizeof(p), d, "b.txt");
    umask(027);
    CHECK(output_write(p, "b", 1, &err) == 0);
    CHECK(mode_of(p) == 0640);

    join(p, sizeof(p), d, "c.txt");
    umask(077);
    CHECK(output_write(p, "", 0, &err) == 0);
    CHECK(mode_of(p) == 0600);
    CHECK(file_is(p, ""));
    umask(022);

    /* Bytes, not a string: NULs and all. */
    join(p, sizeof(p), d, "d.bin");
    CHECK(output_write(p, "a\0b\n\0", 5, &err) == 0);
    char buf[16];
    CHECK(get_file(p, buf, sizeof(buf)) == 5 &&
          memcmp(buf, "a\0b\n\0", 5) == 0);

    CHECK_STR(listing(d), "a.txt,b.txt,c.txt,d.bin");
}

static void replace_keeps_mode(void)
{
    struct ou_err err = { OU_OK, "" };
    const char *d = at("replace");
    char p[PATH_MAX], q[PATH_MAX];
    struct stat before, after;

    umask(022);
    CHECK(mkdir(d, 0755) == 0);
    join(p, sizeof(p), d, "r.txt");
    put_file(p, "the old content, longer than the new\n");
    CHECK(chmod(p, 0640) == 0);
    CHECK(stat(p, &before) == 0);
    CHECK(output_write(p, "new\n", 4, &err) == 0);
    CHECK(file_is(p, "new\n"));
    CHECK(mode_of(p) == 0640);
    /* Replaced by a rename, not rewritten in place. */
    CHECK(stat(p, &after) == 0 && after.st_ino != before.st_ino);

    join(q, sizeof(q), d, "x.sh");
    put_file(q, "#!/bin/sh\n");
    CHECK(chmod(q, 0751) == 0);
    CHECK(output_write(q, "#!/bin/sh\necho hi\n", 18, &err) == 0);
    CHECK(mode_of(q) == 0751);
    CHECK(file_is(q, "#!/bin/sh\necho hi\n"));

    /* A file of mode 0600 under umask 0: stays 0600 (not 0666). */
    umask(0);
    CHECK(chmod(p, 0600) == 0);
    CHECK(output_write(p, "again\n", 6, &err) == 0);
    CHECK(mode_of(p) == 0600);
    umask(022);

    CHECK_STR(listing(d), "r.txt,x.sh");
}

static void through_symlink(void)
{
    struct ou_err err = { OU_OK, "" };
    const char *d = at("link");
    char real[PATH_MAX], link[PATH_MAX], l2[PATH_MAX], buf[PATH_MAX];
    struct stat st;

    CHECK(mkdir(d, 0755) == 0);
    join(real, sizeof(real), d, "real.txt");
    join(link, sizeof(link), d, "link.txt");
    put_file(real, "old\n");
    CHECK(chmod(real, 0600) == 0);
    CHECK(symlink("real.txt", link) == 0);
    CHECK(output_write(link, "through the link\n", 17, &err) == 0);
    CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
    ssize_t n = readlink(link, buf, sizeof(buf) - 1);
    CHECK(n == 8 && memcmp(buf, "real.txt", 8) == 0);
    CHECK(file_is(real, "through the link\n"));
    CHECK(mode_of(real) == 0600);

    /* A chain of links. */
    join(l2, sizeof(l2), d, "link2.txt");
    CHECK(symlink("link.txt", l2) == 0);
    CHECK(output_write(l2, "chain\n", 6, &err) == 0);
    CHECK(lstat(l2, &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(file_is(real, "chain\n"));
    CHECK_STR(listing(d), "link.txt,link2.txt,real.txt");

    /* A link into another directory: the target there is replaced, and
     * neither directory keeps a temporary. */
    const char *d1 = at("link-from");
    const char *d2 = at("link-to");
    char t[PATH_MAX], l[PATH_MAX];
    CHECK(mkdir(d1, 0755) == 0 && mkdir(d2, 0755) == 0);
    join(t, sizeof(t), d2, "target.csv");
    join(l, sizeof(l), d1, "out.csv");
    put_file(t, "a,b\n");
    CHECK(symlink("../link-to/target.csv", l) == 0);
    CHECK(output_write(l, "c,d\n", 4, &err) == 0);
    CHECK(file_is(t, "c,d\n"));
    CHECK(lstat(l, &st) == 0 && S_ISLNK(st.st_mode));
    CHECK_STR(listing(d1), "out.csv");
    CHECK_STR(listing(d2), "target.csv");

    /* A dangling link: output.h says a symlink's target is replaced, not
     * the link; the link is replaced by a regular file instead. */
    char dl[PATH_MAX], dt[PATH_MAX];
    join(dl, sizeof(dl), d, "dangling");
    join(dt, sizeof(dt), d, "missing.txt");
    CHECK(symlink("missing.txt", dl) == 0);
    CHECK(output_write(dl, "x\n", 2, &err) == 0);
    CHECK(lstat(dl, &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(file_is(dt, "x\n"));
}

static void refused(void)
{
    struct ou_err err = { OU_OK, "" };
    const char *d = at("refuse");
    char sub[PATH_MAX], ln[PATH_MAX];
    struct stat st;

    CHECK(mkdir(d, 0755) == 0);
    join(sub, sizeof(sub), d, "adir");
    CHECK(mkdir(sub, 0755) == 0);

    err.cat = OU_OK;
    CHECK(output_write(sub, "x", 1, &err) == OU_E_IO);
    CHECK(err.cat == OU_E_IO);
    CHECK(strstr(err.msg, "not a regular file") != NULL);
    CHECK(stat(sub, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK_STR(listing(sub), "");
    CHECK_STR(listing(d), "adir");

    /* A link to a directory is refused too; the link stays. */
    join(ln, sizeof(ln), d, "tolink");
    CHECK(symlink("adir", ln) == 0);
    err.cat = OU_OK;
    CHECK(output_write(ln, "x", 1, &err) == OU_E_IO);
    CHECK(strstr(err.msg, "not a regular file") != NULL);
    CHECK(lstat(ln, &st) == 0 && S_ISLNK(st.st_mode));
    CHECK_STR(listing(d), "adir,tolink");
    CHECK_STR(listing(sub), "");

    /* Special files are written in place, never replaced: a FIFO (with a
     * reader) gets the bytes and stays a FIFO. Not /dev/null itself: if
     * that ever broke, a test run as root would rename a regular file over
     * the machine's /dev/null. The same device (1, 3) made in the
     * temporary directory stands in for it when mknod is allowed (root). */
    const char *dd = at("refuse-dev");
    char fifo[PATH_MAX], dev[PATH_MAX];
    char got[8] = "";
    CHECK(mkdir(dd, 0755) == 0);
    join(fifo, sizeof(fifo), dd, "fifo");
    CHECK(mkfifo(fifo, 0644) == 0);
    int rd = open(fifo, O_RDONLY | O_NONBLOCK); /* a reader, so no wait */
    CHECK(rd >= 0);
    err.cat = OU_OK;
    CHECK(output_write(fifo, "xyz", 3, &err) == 0);
    CHECK(read(rd, got, sizeof(got) - 1) == 3 && strcmp(got, "xyz") == 0);
    close(rd);
    CHECK(lstat(fifo, &st) == 0 && S_ISFIFO(st.st_mode));
    CHECK_STR(listing(dd), "fifo");

    join(dev, sizeof(dev), dd, "null");
    if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) == 0) {
        err.cat = OU_OK;
        CHECK(output_write(dev, "x", 1, &err) == 0);
        CHECK(lstat(dev, &st) == 0 && S_ISCHR(st.st_mode) &&
              st.st_rdev == makedev(1, 3));
        CHECK_STR(listing(dd), "fifo,null");
    } else {
        fprintf(stderr, "note: mknod not permitted, device case skipped\n");
    }

    /* The parts form refuses the same way. */
    err.cat = OU_OK;
    CHECK(output_write_parts(sub, "h", 1, -1, "t", 1, &err) == OU_E_IO);
    CHECK(strstr(err.msg, "not a regular file") != NULL);

    /* A missing directory: an I/O error, nothing created. */
    char miss[PATH_MAX];
    join(miss, sizeof(miss), d, "nope/out.txt");
    err.cat = OU_OK;
    CHECK(output_write(miss, "x", 1, &err) == OU_E_IO);
    CHECK(err.cat == OU_E_IO && err.msg[0] != '\0');
    CHECK_STR(listing(d), "adir,tolink");

    /* A path too long to hold a temporary beside it. */
    static char longp[ATOMIC_PATH_MAX + 64];
    int off = snprintf(longp, sizeof(longp), "%s/", d);
    memset(longp + off, 'a', sizeof(longp) - (size_t)off - 1);
    longp[sizeof(longp) - 1] = '\0';
    err.cat = OU_OK;
    CHECK(output_write(longp, "x", 1, &err) == OU_E_IO);
    CHECK_STR(listing(d), "adir,tolink");
}

static void abort_leaves_nothing(void)
{
    struct ou_err err = { OU_OK, "" };
    const char *d = at("abort");
    char p[PATH_MAX], q[PATH_MAX];
    struct afile f;

    CHECK(mkdir(d, 0755) == 0);
    join(p, sizeof(p), d, "keep.txt");
    put_file(p, "keep\n");

    CHECK(afile_open(&f, p, 0644, &err) == 0);
    CHECK(f.fd >= 0);
    /* The temporary is beside the target while it is written. */
    CHECK(nentries(d) == 2);
    CHECK(afile_write(&f, "replacement\n", 12, &err) == 0);
    CHECK(file_is(p, "keep\n")); /* not yet */
    afile_abort(&f);
    CHECK(f.fd == -1);
    CHECK(file_is(p, "keep\n"));
    CHECK_STR(listing(d), "keep.txt");
    afile_abort(&f); /* safe when not open */
    CHECK_STR(listing(d), "keep.txt");

    /* A target that does not exist yet stays absent. */
    join(q, sizeof(q), d, "never.txt");
    CHECK(afile_open(&f, q, 0644, &err) == 0);
    CHECK(afile_write(&f, "x", 1, &err) == 0);
    afile_abort(&f);
    CHECK(access(q, F_OK) != 0);
    CHECK_STR(listing(d), "keep.txt");

    /* The signal handler's cleanup removes the temporary. */
    CHECK(afile_open(&f, p, 0644, &err) == 0);
    CHECK(afile_write(&f, "x", 1, &err) == 0);
    CHECK(nentries(d) == 2);
    atomic_abort_cleanup();
    CHECK_STR(listing(d), "keep.txt");
    afile_abort(&f);
    CHECK(file_is(p, "keep\n"));
    CHECK_STR(listing(d), "keep.txt");

    /* Opening in a directory that does not exist fails cleanly. */
    join(q, sizeof(q), d, "missing/x.txt");
    err.cat = OU_OK;
    CHECK(afile_open(&f, q, 0644, &err) == OU_E_IO);
    CHECK(strstr(err.msg, "cannot create a temporary file next to") != NULL);
    CHECK(f.fd == -1);
    afile_abort(&f);
    CHECK_STR(listing(d), "keep.txt");
}

static void commit_and_modes(void)
{
    struct ou_err err = { OU_OK, "" };
    const char *d = at("commit");
    char p[PATH_MAX], q[PATH_MAX];
    struct afile f;

    CHECK(mkdir(d, 0755) == 0);
    join(p, sizeof(p), d, "secret");
    umask(022);
    CHECK(afile_open(&f, p, 0600, &err) == 0);
    CHECK(afile_write(&f, "one ", 4, &err) == 0);
    CHECK(afile_write(&f, "two ", 4, &err) == 0);
    CHECK(afile_write(&f, "three\n", 6, &err) == 0);
    CHECK(afile_commit(&f, &err) == 0);
    CHECK(f.fd == -1);
    CHECK(file_is(p, "one two three\n"));
    CHECK(mode_of(p) == 0600);
    /* Aborting after a commit changes nothing; nor does the signal
     * handler's cleanup, even if a file now has the temporary's old name. */
    afile_abort(&f);
    CHECK(file_is(p, "one two three\n"));
    CHECK_STR(listing(d), "secret");
    put_file(f.tmp, "not ours\n");
    atomic_abort_cleanup();
    afile_abort(&f);
    CHECK(file_is(f.tmp, "not ours\n"));
    CHECK(unlink(f.tmp) == 0);
    CHECK_STR(listing(d), "secret");

    /* The mode given, whatever the umask. */
    join(q, sizeof(q), d, "shared");
    umask(077);
    CHECK(afile_open(&f, q, 0644, &err) == 0);
    CHECK(afile_commit(&f, &err) == 0);
    CHECK(mode_of(q) == 0644);
    CHECK(file_is(q, ""));
    umask(022);

    /* Replacing with afile sets the given mode (0600 over a 0644 file). */
    CHECK(chmod(q, 0644) == 0);
    CHECK(afile_open(&f, q, 0600, &err) == 0);
    CHECK(afile_write(&f, "private\n", 8, &err) == 0);
    CHECK(afile_commit(&f, &err) == 0);
    CHECK(mode_of(q) == 0600);
    CHECK(file_is(q, "private\n"));
    CHECK_STR(listing(d), "secret,shared");
}

/* A commit that fails at the rename. Making a directory read-only does not
 * stop root; a directory appearing at the target's path stops anyone
 * (rename(2) cannot put a file over a directory). */
static void failed_commit(void)
{
    struct ou_err err = { OU_OK, "" };
    const char *d = at("fail");
    char p[PATH_MAX], inner[PATH_MAX];
    struct afile f;
    struct stat st;

    CHECK(mkdir(d, 0755) == 0);
    join(p, sizeof(p), d, "out.txt");
    CHECK(afile_open(&f, p, 0644, &err) == 0);
    CHECK(afile_write(&f, "data\n", 5, &err) == 0);
    CHECK(mkdir(p, 0755) == 0);
    join(inner, sizeof(inner), p, "inside");
    put_file(inner, "i"); /* not empty either */
    err.cat = OU_OK;
    CHECK(afile_commit(&f, &err) == OU_E_IO);
    CHECK(err.cat == OU_E_IO);
    CHECK(strstr(err.msg, "out.txt") != NULL);
    CHECK(f.fd == -1);
    CHECK(stat(p, &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(file_is(inner, "i"));
    CHECK_STR(listing(d), "out.txt");
    CHECK_STR(listing(p), "inside");
    afile_abort(&f); /* safe afterwards */
    CHECK_STR(listing(d), "out.txt");
}

static void parts_with_spill(void)
{
    struct ou_err err = { OU_OK, "" };
    const char *d = at("parts");
    char p[PATH_MAX];

    CHECK(mkdir(d, 0755) == 0);
    join(p, sizeof(p), d, "report.csv");

    int spill = output_spill_open(p, &err);
    CHECK(spill >= 0);
    CHECK_STR(listing(d), ""); /* anonymous: no name on disk */
    CHECK(output_spill_write(spill, "row1,1\n", 7, &err) == 0);
    CHECK(output_spill_write(spill, "row2,2\n", 7, &err) == 0);
    CHECK(output_write_parts(p, "head\n", 5, spill, "tail\n", 5, &err) == 0);
    CHECK(file_is(p, "head\nrow1,1\nrow2,2\ntail\n"));
    /* The spill is read from its start, whatever its offset: twice the
     * same output. */
    CHECK(output_write_parts(p, "H\n", 2, spill, "T\n", 2, &err) == 0);
    CHECK(file_is(p, "H\nrow1,1\nrow2,2\nT\n"));
    close(spill);
    CHECK_STR(listing(d), "report.csv");

    /* No spill. */
    CHECK(output_write_parts(p, "only head ", 10, -1, "and tail", 8, &err) ==
          0);
    CHECK(file_is(p, "only head and tail"));

    /* A spill larger than any copy buffer: byte for byte. */
    enum { BIG = 300007 };
    char *want = malloc(BIG + 20);
    char *got = malloc(BIG + 64);
    CHECK(want != NULL && got != NULL);
    if (want == NULL || got == NULL) {
        free(want);
        free(got);
        return;
    }
    spill = output_spill_open(p, &err);
    CHECK(spill >= 0);
    memcpy(want, "<<", 2);
    for (size_t i = 0; i < BIG; i++)
        want[2 + i] = (char)('a' + (i * 7 + i / 251) % 26);
    for (size_t i = 0; i < BIG; i += 1000)
        CHECK(output_spill_write(spill, want + 2 + i,
                                 i + 1000 <= BIG ? 1000 : BIG - i, &err) == 0);
    memcpy(want + 2 + BIG, ">>", 2);
    CHECK(output_write_parts(p, "<<", 2, spill, ">>", 2, &err) == 0);
    close(spill);
    long n = get_file(p, got, BIG + 64);
    CHECK(n == BIG + 4);
    CHECK(n == BIG + 4 && memcmp(got, want, BIG + 4) == 0);
    free(want);
    free(got);
    CHECK_STR(listing(d), "report.csv");

    /* The spill for stdout lives in $TMPDIR, also without a name. */
    const char *td = at("spilltmp");
    CHECK(mkdir(td, 0700) == 0);
    const char *old = getenv("TMPDIR");
    char *saved = old != NULL ? strdup(old) : NULL;
    setenv("TMPDIR", td, 1);
    spill = output_spill_open(NULL, &err);
    CHECK(spill >= 0);
    CHECK_STR(listing(td), "");
    if (spill >= 0)
        close(spill);
    if (saved != NULL) {
        setenv("TMPDIR", saved, 1);
        free(saved);
    } else {
        unsetenv("TMPDIR");
    }
}

static void to_stdout(void)
{
    struct ou_err err = { OU_OK, "" };
    const char *out = at("stdout.txt");
    int rc[4];

    int spill = output_spill_open(NULL, &err);
    CHECK(spill >= 0);
    CHECK(output_spill_write(spill, "s1\ns2\n", 6, &err) == 0);

    const char *cwd = at("cwd");
    int here = open(".", O_RDONLY | O_DIRECTORY);
    CHECK(here >= 0);
    CHECK(mkdir(cwd, 0755) == 0 && chdir(cwd) == 0);

    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(saved >= 0 && fd >= 0);
    if (saved < 0 || fd < 0)
        return;
    dup2(fd, STDOUT_FILENO);
    close(fd);
    rc[0] = output_write(NULL, "null path\n", 10, &err);
    rc[1] = output_write("-", "dash\n", 5, &err);
    rc[2] = output_write_parts("-", "head\n", 5, spill, "tail\n", 5, &err);
    rc[3] = output_write_parts(NULL, "", 0, -1, "end\n", 4, &err);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(spill);
    CHECK_STR(listing(at("tmp")), "");
    if (here >= 0) {
        CHECK(fchdir(here) == 0);
        close(here);
    }

    for (int i = 0; i < 4; i++)
        CHECK(rc[i] == 0);
    CHECK(file_is(out, "null path\ndash\nhead\ns1\ns2\ntail\nend\n"));
    /* "-" is stdout, never a file named "-" (the writes ran in cwd). */
    CHECK_STR(listing(cwd), "");

    /* A reader that went away: EPIPE is not an error. */
    int pfd[2];
    CHECK(pipe(pfd) == 0);
    close(pfd[0]);
    signal(SIGPIPE, SIG_IGN);
    fflush(stdout);
    saved = dup(STDOUT_FILENO);
    dup2(pfd[1], STDOUT_FILENO);
    close(pfd[1]);
    err.cat = OU_OK;
    int prc = output_write(NULL, "lost\n", 5, &err);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    signal(SIGPIPE, SIG_DFL);
    CHECK(prc == 0);
    CHECK(err.cat == OU_OK);
}

/* rm -r root (only what the test made: files, links, directories). */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[PATH_MAX];
    struct stat st;

    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        join(p, sizeof(p), dir, e->d_name);
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(root, sizeof(root), "%s/oaiusage-atomic-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(root) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    mode_t old = umask(022);
    /* Spills for stdout go to $TMPDIR: keep them in here too. */
    char tdir[PATH_MAX];
    join(tdir, sizeof(tdir), root, "tmp");
    if (mkdir(tdir, 0700) != 0 || setenv("TMPDIR", tdir, 1) != 0) {
        perror(tdir);
        return 1;
    }

    new_files();
    replace_keeps_mode();
    through_symlink();
    refused();
    abort_leaves_nothing();
    commit_and_modes();
    failed_commit();
    parts_with_spill();
    to_stdout();

    umask(old);
    if (test_fail == 0)
        remove_tree(root);
    else
        fprintf(stderr, "left %s for inspection\n", root);
    TEST_END();
}
