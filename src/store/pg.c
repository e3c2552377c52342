/* pg.c - the PostgreSQL engine of the store, through libpq (see db.h).
 *
 * Parameters and results travel as text. The sync lock is a session-level
 * advisory lock: PostgreSQL drops it when the connection ends, so a killed
 * sync never leaves the store locked. Reports read in their own
 * transactions while a sync writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "db.h"
#include "oaiusage/buf.h"

/* The advisory lock's key: "oaiusage" as a number. */
#define PG_LOCK_KEY "7306916407233634149"

struct pg_db {
    struct db base;
    PGconn *c;
    bool locked;
    char *secret; /* the password, scrubbed from libpq's messages */
};

/* The URI for messages, rebuilt from libpq's own parse of it with only
 * user, host, port and database: never a password, whatever spelling
 * (user:pw@, ?password=, percent-encoded). *secret gets the password
 * (NULL if none; the caller frees it) to scrub from libpq's messages.
 * NULL with *bad set: the URI does not parse (libpq's reason may quote
 * the URI, so it is not shown); NULL without: out of memory. */
static char *display_of(const char *uri, char **secret, bool *bad)
{
    char *perr = NULL;
    PQconninfoOption *o = PQconninfoParse(uri, &perr);
    const char *user = NULL;
    const char *host = NULL;
    const char *port = NULL;
    const char *dbname = NULL;
    struct buf b;
    int rc = 0;

    *secret = NULL;
    *bad = o == NULL && perr != NULL;
    PQfreemem(perr);
    if (o == NULL)
        return NULL;
    for (PQconninfoOption *k = o; k->keyword != NULL; k++) {
        if (k->val == NULL || k->val[0] == '\0')
            continue;
        if (strcmp(k->keyword, "user") == 0)
            user = k->val;
        else if (strcmp(k->keyword, "host") == 0)
            host = k->val;
        else if (strcmp(k->keyword, "port") == 0)
            port = k->val;
        else if (strcmp(k->keyword, "dbname") == 0)
            dbname = k->val;
        else if (strcmp(k->keyword, "password") == 0 &&
                 (*secret = strdup(k->val)) == NULL)
            rc = -1;
    }
    buf_init(&b, 0);
    rc |= buf_printf(&b, "postgresql://%s%s%s%s%s/%s", user ? user : "",
                     user ? "@" : "", host ? host : "", port ? ":" : "",
                     port ? port : "", dbname ? dbname : "");
    PQconninfoFree(o);
    if (rc != 0) {
        buf_release(&b);
        free(*secret);
        *secret = NULL;
        return NULL;
    }
    return buf_detach(&b, NULL);
}

/* in into out (size bytes, cut there) with every occurrence of secret
 * replaced by a mask. */
static void scrub(const char *in, const char *secret, char *out, size_t size)
{
    static const char mask[] = "[password hidden]";
    size_t n = secret != NULL ? strlen(secret) : 0;
    size_t o = 0;

    while (*in != '\0' && o + 1 < size) {
        if (n > 0 && strncmp(in, secret, n) == 0) {
            for (size_t k = 0; mask[k] != '\0' && o + 1 < size; k++)
                out[o++] = mask[k];
            in += n;
        } else {
            out[o++] = *in++;
        }
    }
    out[o] = '\0';
}

/* One line of libpq's message. */
static int fail_pg(struct pg_db *d, struct ou_err *err, const char *what,
                   const PGresult *res)
{
    const char *m = res != NULL ? PQresultErrorMessage(res) : "";
    char line[512];
    char clean[512];

    if (m == NULL || m[0] == '\0')
        m = PQerrorMessage(d->c);
    snprintf(line, sizeof(line), "%s", m != NULL ? m : "error");
    line[strcspn(line, "\n")] = '\0';
    scrub(line, d->secret, clean, sizeof(clean));
    return ou_fail(err, OU_E_IO, "store %s: %s: %s", d->base.where, what,
                   clean);
}

static int pg_run(struct db *db, const char *sql, int nparams,
                  const char *const *params, db_row_fn fn, void *ctx,
                  struct ou_err *err)
{
    struct pg_db *d = (struct pg_db *)db;
    PGresult *res = PQexecParams(d->c, sql, nparams, NULL, params, NULL, NULL,
                                 0);
    ExecStatusType st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    const char *vals[64];
    int rc = 0;

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = fail_pg(d, err, "query", res);
        PQclear(res);
        return rc;
    }
    int nrows = PQntuples(res);
    int ncols = PQnfields(res);
    if (ncols > 64)
        ncols = 64;
    for (int r = 0; r < nrows && rc == 0 && fn != NULL; r++) {
        for (int c = 0; c < ncols; c++)
            vals[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
        rc = fn(ctx, ncols, vals, err);
    }
    PQclear(res);
    return rc;
}

static int pg_script(struct db *db, const char *sql, struct ou_err *err)
{
    struct pg_db *d = (struct pg_db *)db;
    PGresult *res = PQexec(d->c, sql);
    ExecStatusType st = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    int rc = 0;

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = fail_pg(d, err, "schema", res);
    PQclear(res);
    return rc;
}

static int got_lock(void *ctx, int n, const char *const *v, struct ou_err *err)
{
    (void)err;
    *(bool *)ctx = n > 0 && v[0] != NULL && v[0][0] == 't';
    return 0;
}

static int pg_lock(struct db *db, long timeout_ms, struct ou_err *err)
{
    struct pg_db *d = (struct pg_db *)db;
    long waited = 0;

    for (;;) {
        bool ok = false;
        int rc = pg_run(db, "SELECT pg_try_advisory_lock(" PG_LOCK_KEY ")", 0,
                        NULL, got_lock, &ok, err);
        if (rc != 0)
            return rc;
        if (ok) {
            d->locked = true;
            return 0;
        }
        if (waited >= timeout_ms)
            return ou_fail(err, OU_E_BUSY,
                           "store %s: another sync holds it (waited %ld s; "
                           "see --lock-timeout)",
                           d->base.where, timeout_ms / 1000);
        struct timespec ts = { 0, 100 * 1000000L };
        nanosleep(&ts, NULL);
        waited += 100;
    }
}

static void pg_unlock(struct db *db)
{
    struct pg_db *d = (struct pg_db *)db;
    struct ou_err ignored;

    if (d->locked)
        pg_run(db, "SELECT pg_advisory_unlock(" PG_LOCK_KEY ")", 0, NULL, NULL,
               NULL, &ignored);
    d->locked = false;
}

static void pg_close(struct db *db)
{
    struct pg_db *d = (struct pg_db *)db;

    if (d == NULL)
        return;
    if (d->c != NULL)
        PQfinish(d->c);
    free(d->base.where);
    free(d->secret);
    free(d);
}

static const struct db_ops pg_ops = {
    DB_POSTGRES, pg_run, pg_script, pg_lock, pg_unlock, pg_close,
};

int db_pg_open(const char *uri, struct db **out, struct ou_err *err)
{
    struct pg_db *d = calloc(1, sizeof(*d));
    struct ou_err ignored;
    bool bad = false;

    *out = NULL;
    if (d == NULL)
        return ou_nomem(err);
    d->base.ops = &pg_ops;
    if ((d->base.where = display_of(uri, &d->secret, &bad)) == NULL) {
        free(d);
        if (bad)
            return ou_fail(err, OU_E_USAGE,
                           "--db: not a valid PostgreSQL URI (libpq cannot "
                           "parse it; it is not shown, as it may hold a "
                           "password)");
        return ou_nomem(err);
    }
    d->c = PQconnectdb(uri);
    if (d->c == NULL) {
        pg_close(&d->base);
        return ou_nomem(err);
    }
    if (PQstatus(d->c) != CONNECTION_OK) {
        int rc = fail_pg(d, err, "cannot connect", NULL);
        pg_close(&d->base);
        return rc;
    }
    /* Quiet NOTICEs (IF NOT EXISTS) and UTC for the views. */
    pg_script(&d->base,
              "SET client_min_messages = warning; SET TIME ZONE 'UTC';",
              &ignored);
    *out = &d->base;
    return 0;
}

int db_pg_version(void)
{
    return PQlibVersion();
}
