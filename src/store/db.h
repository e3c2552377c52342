/* db.h - the seam between the store (store.c) and a database engine
 * (sqlite.c: SQLite; pg.c: PostgreSQL through libpq). Internal to
 * src/store/: nothing outside the store sees an engine.
 *
 * Every value crosses the seam as text, both ways: parameters are
 * NUL-terminated strings (NULL is SQL NULL) and result columns likewise,
 * so integers and exact decimals never pass through a double. SQL uses
 * PostgreSQL's numbered placeholders $1, $2, ... in order of first
 * appearance (SQLite reads them as named parameters of those indexes).
 *
 * An engine owns its connection and its statement cache; a struct db is
 * used by one thread at a time.
 */
#ifndef OAIUSAGE_STORE_DB_H
#define OAIUSAGE_STORE_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "oaiusage/status.h"

/* One result row: ncols values, NULL for SQL NULL. Non-zero stops the
 * query (the callback has filled err). */
typedef int (*db_row_fn)(void *ctx, int ncols, const char *const *vals,
                         struct ou_err *err);

enum db_engine { DB_SQLITE, DB_POSTGRES };

struct db;

struct db_ops {
    enum db_engine engine;
    /* Run one statement; rows (if any) go to fn (may be NULL). Engines
     * may cache the prepared statement by its text. */
    int (*run)(struct db *db, const char *sql, int nparams,
               const char *const *params, db_row_fn fn, void *ctx,
               struct ou_err *err);
    /* Run a script of several statements without parameters (DDL). */
    int (*script)(struct db *db, const char *sql, struct ou_err *err);
    /* Take the store's sync lock, waiting up to timeout_ms (OU_E_BUSY
     * when another process holds it). Released by unlock or on exit. */
    int (*lock)(struct db *db, long timeout_ms, struct ou_err *err);
    void (*unlock)(struct db *db);
    void (*close)(struct db *db);
};

struct db {
    const struct db_ops *ops;
    char *where; /* for messages: the file, or the URI without password */
};

/* Open a SQLite file (create: make it, mode 0600, in a 0700 directory). */
int db_sqlite_open(const char *path, bool create, struct db **out,
                   struct ou_err *err);
/* Connect to PostgreSQL with a libpq URI. */
int db_pg_open(const char *uri, struct db **out, struct ou_err *err);
/* The engines' library versions ("3.40.1"; 150013 for 15.13). */
const char *db_sqlite_version(void);
int db_pg_version(void);

/* Helpers over ops. */
static inline int db_run(struct db *db, const char *sql, int n,
                         const char *const *p, db_row_fn fn, void *ctx,
                         struct ou_err *err)
{
    return db->ops->run(db, sql, n, p, fn, ctx, err);
}

#endif
