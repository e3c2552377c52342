/* sqlite.c - the SQLite engine of the store (see db.h).
 *
 * The file is opened in WAL mode, so reports read while a sync writes;
 * each page of a sync is one transaction. The sync lock is an flock() on
 * a sidecar file (PATH-lock): the kernel drops it when the process dies,
 * so a killed sync never leaves the store locked. Statements are prepared
 * once and cached by their text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"

#define STMT_CACHE 64

struct sqlite_db {
    struct db base;
    sqlite3 *h;
    char *lock_path;
    int lock_fd;
    struct {
        sqlite3_stmt *st;
    } cache[STMT_CACHE];
    int ncache;
};

static int fail_sql(struct sqlite_db *d, struct ou_err *err, const char *what)
{
    int code = sqlite3_extended_errcode(d->h);

    if (code == SQLITE_NOMEM)
        return ou_nomem(err);
    return ou_fail(err,
                   (code & 0xff) == SQLITE_BUSY ||
                           (code & 0xff) == SQLITE_LOCKED
                       ? OU_E_BUSY
                       : OU_E_IO,
                   "store %s: %s: %s", d->base.where, what,
                   sqlite3_errmsg(d->h));
}

/* PostgreSQL's $N placeholders as SQLite's ?N (same index, whatever the
 * order they appear in). The SQL is ours: no '$' inside literals. */
static char *placeholders(const char *sql)
{
    char *out = strdup(sql);

    for (char *p = out; p != NULL && *p != '\0'; p++) {
        if (p[0] == '$' && p[1] >= '0' && p[1] <= '9')
            p[0] = '?';
    }
    return out;
}

static sqlite3_stmt *prepared(struct sqlite_db *d, const char *sql_pg,
                              struct ou_err *err)
{
    sqlite3_stmt *st = NULL;
    char *sql = placeholders(sql_pg);

    if (sql == NULL) {
        ou_nomem(err);
        return NULL;
    }

    /* By text: a statement built for one query may sit at an address
     * another one had before. */
    for (int i = 0; i < d->ncache; i++) {
        if (strcmp(sqlite3_sql(d->cache[i].st), sql) == 0) {
            free(sql);
            return d->cache[i].st;
        }
    }
    if (sqlite3_prepare_v2(d->h, sql, -1, &st, NULL) != SQLITE_OK) {
        free(sql);
        fail_sql(d, err, "prepare");
        return NULL;
    }
    free(sql);
    if (d->ncache < STMT_CACHE) {
        d->cache[d->ncache].st = st;
        d->ncache++;
    }
    return st;
}

static void release(struct sqlite_db *d, sqlite3_stmt *st)
{
    bool cached = false;

    for (int i = 0; i < d->ncache && !cached; i++)
        cached = d->cache[i].st == st;
    if (cached) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    } else {
        sqlite3_finalize(st);
    }
}

static int sq_run(struct db *db, const char *sql, int nparams,
                  const char *const *params, db_row_fn fn, void *ctx,
                  struct ou_err *err)
{
    struct sqlite_db *d = (struct sqlite_db *)db;
    sqlite3_stmt *st = prepared(d, sql, err);
    const char *vals[64];
    int rc = 0;
    int step;

    if (st == NULL)
        return (int)err->cat;
    for (int i = 0; i < nparams; i++) {
        int b = params[i] == NULL ? sqlite3_bind_null(st, i + 1)
                                  : sqlite3_bind_text(st, i + 1, params[i], -1,
                                                      SQLITE_STATIC);
        if (b != SQLITE_OK) {
            rc = fail_sql(d, err, "bind");
            release(d, st);
            return rc;
        }
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        int n = sqlite3_column_count(st);
        if (n > 64)
            n = 64;
        for (int c = 0; c < n; c++)
            vals[c] = (const char *)sqlite3_column_text(st, c);
        if (fn != NULL && (rc = fn(ctx, n, vals, err)) != 0)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = fail_sql(d, err, "query");
    release(d, st);
    return rc;
}

static int sq_script(struct db *db, const char *sql, struct ou_err *err)
{
    struct sqlite_db *d = (struct sqlite_db *)db;
    char *msg = NULL;

    if (sqlite3_exec(d->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = ou_fail(err, OU_E_IO, "store %s: %s", d->base.where,
                         msg != NULL ? msg : "error");
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

static int sq_lock(struct db *db, long timeout_ms, struct ou_err *err)
{
    struct sqlite_db *d = (struct sqlite_db *)db;
    long waited = 0;

    if (d->lock_fd < 0) {
        d->lock_fd = open(d->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (d->lock_fd < 0)
            return ou_fail(err, OU_E_IO, "store %s: cannot open %s: %s",
                           d->base.where, d->lock_path, strerror(errno));
    }
    while (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR)
            return ou_fail(err, OU_E_IO, "store %s: cannot lock %s: %s",
                           d->base.where, d->lock_path, strerror(errno));
        if (waited >= timeout_ms)
            return ou_fail(err, OU_E_BUSY,
                           "store %s: another sync holds it (waited %ld s; "
                           "see --lock-timeout)",
                           d->base.where, timeout_ms / 1000);
        struct timespec ts = { 0, 50 * 1000000L };
        nanosleep(&ts, NULL);
        waited += 50;
    }
    return 0;
}

static void sq_unlock(struct db *db)
{
    struct sqlite_db *d = (struct sqlite_db *)db;

    if (d->lock_fd >= 0) {
        flock(d->lock_fd, LOCK_UN);
        close(d->lock_fd);
        d->lock_fd = -1;
    }
}

static void sq_close(struct db *db)
{
    struct sqlite_db *d = (struct sqlite_db *)db;

    if (d == NULL)
        return;
    for (int i = 0; i < d->ncache; i++)
        sqlite3_finalize(d->cache[i].st);
    sqlite3_close(d->h);
    sq_unlock(db);
    free(d->lock_path);
    free(d->base.where);
    free(d);
}

static const struct db_ops sqlite_ops = {
    DB_SQLITE, sq_run, sq_script, sq_lock, sq_unlock, sq_close,
};

/* mkdir -p for the directories above path that do not exist, mode 0700. */
static int make_parents(const char *path, struct ou_err *err)
{
    char *dir = strdup(path);
    int rc = 0;

    if (dir == NULL)
        return ou_nomem(err);
    char *slash = strrchr(dir, '/');
    if (slash != NULL && slash != dir) {
        *slash = '\0';
        for (char *p = dir + 1; rc == 0; p++) {
            bool end = *p == '\0';
            if (*p != '/' && !end)
                continue;
            *p = '\0';
            if (mkdir(dir, 0700) != 0 && errno != EEXIST)
                rc = ou_fail(err, OU_E_IO, "cannot create directory %s: %s",
                             dir, strerror(errno));
            if (end)
                break;
            *p = '/';
        }
    }
    free(dir);
    return rc;
}

int db_sqlite_open(const char *path, bool create, struct db **out,
                   struct ou_err *err)
{
    struct sqlite_db *d = calloc(1, sizeof(*d));
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    struct stat sb;
    int rc = 0;

    *out = NULL;
    if (d == NULL)
        return ou_nomem(err);
    d->base.ops = &sqlite_ops;
    d->lock_fd = -1;
    d->base.where = strdup(path);
    d->lock_path = malloc(strlen(path) + 6);
    if (d->base.where == NULL || d->lock_path == NULL) {
        sq_close(&d->base);
        return ou_nomem(err);
    }
    snprintf(d->lock_path, strlen(path) + 6, "%s-lock", path);
    if (stat(path, &sb) != 0) {
        if (!create) {
            rc = ou_fail(err, OU_E_UNCOVERED,
                         "no store at %s (run 'oaiusage sync' first)", path);
        } else if ((rc = make_parents(path, err)) == 0) {
            /* Create it private before SQLite opens it. */
            int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (fd < 0 && errno != EEXIST)
                rc = ou_fail(err, OU_E_IO, "cannot create %s: %s", path,
                             strerror(errno));
            if (fd >= 0)
                close(fd);
        }
    } else if (!S_ISREG(sb.st_mode)) {
        rc = ou_fail(err, OU_E_IO, "store %s is not a regular file", path);
    }
    if (rc == 0 && sqlite3_open_v2(path, &d->h, flags, NULL) != SQLITE_OK)
        rc = d->h != NULL ? fail_sql(d, err, "open") : ou_nomem(err);
    if (rc == 0) {
        sqlite3_busy_timeout(d->h, 30000);
        rc = sq_script(&d->base,
                       "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                       "PRAGMA foreign_keys=OFF;",
                       err);
    }
    if (rc != 0) {
        sq_close(&d->base);
        return rc;
    }
    *out = &d->base;
    return 0;
}

const char *db_sqlite_version(void)
{
    return sqlite3_libversion();
}
