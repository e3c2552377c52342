/* store.c - the history store over an engine (see store.h, db.h and
 * docs/store.md). Everything here is SQL that both engines accept; the
 * few differences (a transaction's start, the day of a Unix time in the
 * views) are chosen by engine.
 */
#include "oaiusage/store.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "oaiusage/agg.h"
#include "oaiusage/refusal.h"

/* One endpoint's table and its statements. */
struct ep_sql {
    char *table;
    char *insert;       /* INSERT of one row */
    char *insert_batch; /* INSERT of BATCH_ROWS rows */
    char *delete;       /* DELETE of one bucket */
    int ncols;          /* parameters of insert (per row) */
};

/* Rows per INSERT: a round trip per row made a PostgreSQL sync 10 times
 * slower than SQLite's. 64 rows of at most MAX_COLS + 4 parameters stay
 * under both engines' limits (SQLite 32766, libpq 65535). */
#define BATCH_ROWS 64

struct store {
    struct db *db;
    struct ep_sql eps[EP_COUNT];
};

/* ---- names of things ---------------------------------------------------------- */

static const char *table_of(const struct endpoint *ep, char *buf, size_t size)
{
    static const char usage[] = "/organization/usage/";

    if (ep->billing)
        snprintf(buf, size, "costs");
    else
        snprintf(buf, size, "usage_%s",
                 strncmp(ep->path, usage, sizeof(usage) - 1) == 0
                     ? ep->path + sizeof(usage) - 1
                     : ep->command);
    return buf;
}

/* The columns of an endpoint's table after org, width, start_time and
 * end_time: its stored group fields, their name fields, its metrics. */
struct column {
    const char *name;
    const char *type; /* SQL type and constraint */
    int group;        /* group index, or -1 */
    int hint;         /* group index whose name field this is, or -1 */
    int metric;       /* metric index, or -1 */
};

static int columns_of(const struct endpoint *ep, struct column *c, int max)
{
    int n = 0;

    for (int g = 0; g < ep->ngroups && n < max; g++) {
        if (ep->groups[g].derived == DG_NONE)
            c[n++] = (struct column){ ep->groups[g].name, "TEXT", g, -1, -1 };
    }
    for (int g = 0; g < ep->ngroups && n < max; g++) {
        if (ep->groups[g].name_field != NULL)
            c[n++] = (struct column){ ep->groups[g].name_field, "TEXT", -1, g,
                                      -1 };
    }
    for (int m = 0; m < ep->nmetrics && n < max; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        c[n++] = (struct column){
            md->name, md->kind == MK_INT ? "BIGINT NOT NULL DEFAULT 0" : "TEXT",
            -1, -1, m
        };
    }
    return n;
}

#define MAX_COLS (EP_MAX_GROUPS * 2 + EP_MAX_METRICS)

/* ---- schema --------------------------------------------------------------- */

static const char schema_common[] =
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);\n"
    "CREATE TABLE IF NOT EXISTS coverage (\n"
    "  org TEXT NOT NULL, endpoint TEXT NOT NULL, width TEXT NOT NULL,\n"
    "  start_time BIGINT NOT NULL, end_time BIGINT NOT NULL,\n"
    "  provisional INTEGER NOT NULL, dims TEXT NOT NULL,\n"
    "  synced_at BIGINT NOT NULL,\n"
    "  PRIMARY KEY (org, endpoint, width, start_time));\n"
    "CREATE TABLE IF NOT EXISTS sync_state (\n"
    "  org TEXT NOT NULL, endpoint TEXT NOT NULL, width TEXT NOT NULL,\n"
    "  since BIGINT NOT NULL, last_sync BIGINT NOT NULL,\n"
    "  key_floor BIGINT NOT NULL DEFAULT 0,\n"
    "  PRIMARY KEY (org, endpoint, width));\n"
    "CREATE TABLE IF NOT EXISTS names (\n"
    "  org TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,\n"
    "  name TEXT NOT NULL, synced_at BIGINT NOT NULL,\n"
    "  PRIMARY KEY (org, kind, id));\n";

static int table_ddl(const struct endpoint *ep, struct buf *b)
{
    struct column c[MAX_COLS];
    int n = columns_of(ep, c, MAX_COLS);
    char t[64];
    int rc = 0;

    table_of(ep, t, sizeof(t));
    rc |= buf_printf(b,
                     "CREATE TABLE IF NOT EXISTS \"%s\" (\n"
                     "  org TEXT NOT NULL, width TEXT NOT NULL,\n"
                     "  start_time BIGINT NOT NULL, end_time BIGINT NOT NULL",
                     t);
    for (int i = 0; i < n; i++)
        rc |= buf_printf(b, ",\n  \"%s\" %s", c[i].name, c[i].type);
    rc |= buf_printf(b,
                     ");\nCREATE INDEX IF NOT EXISTS \"%s_bucket\" ON \"%s\" "
                     "(org, width, start_time);\n",
                     t, t);
    return rc;
}

/* The BI views: a day per row, names joined. The day of a Unix time is
 * the one thing the engines spell differently. Each view reads one width,
 * the coarsest the endpoint was synced at (1d: every sync keeps it), so
 * no day is counted twice. */
static int views_ddl(enum db_engine e, struct buf *b)
{
    const char *day = e == DB_SQLITE
                          ? "date(u.start_time, 'unixepoch')"
                          : "to_char(to_timestamp(u.start_time) AT TIME "
                            "ZONE 'UTC', 'YYYY-MM-DD')";
    const char *amount = e == DB_SQLITE ? "CAST(u.amount AS REAL)"
                                        : "CAST(u.amount AS NUMERIC)";
    int rc = 0;

    rc |= buf_puts(b, "DROP VIEW IF EXISTS daily_completions;\n"
                      "DROP VIEW IF EXISTS daily_costs;\n");
    rc |= buf_printf(b,
                     "CREATE VIEW daily_completions AS SELECT u.org, %s AS "
                     "day, u.project_id, pn.name AS project_name, u.model, "
                     "SUM(u.input_tokens) AS input_tokens, "
                     "SUM(u.input_cached_tokens) AS input_cached_tokens, "
                     "SUM(u.output_tokens) AS output_tokens, "
                     "SUM(u.num_model_requests) AS num_model_requests "
                     "FROM usage_completions u LEFT JOIN names pn ON pn.org "
                     "= u.org AND pn.kind = 'project' AND pn.id = "
                     "u.project_id WHERE ",
                     day);
    rc |= buf_puts(b, "u.width = (SELECT s.width FROM sync_state s WHERE "
                      "s.org = u.org AND s.endpoint = 'completions' ORDER BY "
                      "CASE s.width WHEN '1d' THEN 0 WHEN '1h' THEN 1 ELSE 2 "
                      "END LIMIT 1)");
    rc |= buf_printf(b,
                     " GROUP BY u.org, %s, u.project_id, pn.name, u.model;\n",
                     day);
    rc |= buf_printf(b,
                     "CREATE VIEW daily_costs AS SELECT u.org, %s AS day, "
                     "u.project_id, pn.name AS project_name, u.line_item, "
                     "u.currency, SUM(%s) AS amount FROM costs u LEFT JOIN "
                     "names pn ON pn.org = u.org AND pn.kind = 'project' AND "
                     "pn.id = u.project_id GROUP BY u.org, %s, u.project_id, "
                     "pn.name, u.line_item, u.currency;\n",
                     day, amount, day);
    return rc;
}

/* Columns a newer version added to a table an older one made. */
struct colnames {
    char **v;
    int n;
};

static int on_column(void *ctx, int ncols, const char *const *vals,
                     struct ou_err *err)
{
    struct colnames *c = ctx;
    char **nv;

    if (ncols < 1 || vals[0] == NULL)
        return 0;
    if ((nv = realloc(c->v, sizeof(*nv) * (size_t)(c->n + 1))) == NULL)
        return ou_nomem(err);
    c->v = nv;
    if ((nv[c->n] = strdup(vals[0])) == NULL)
        return ou_nomem(err);
    c->n++;
    return 0;
}

/* The columns table has (*n = 0 when it does not exist): one query, the
 * catalogue being the one thing the engines spell differently. The caller
 * frees (*names)[i] and *names. */
static int table_columns(struct store *s, const char *table, char ***names,
                         int *n, struct ou_err *err)
{
    const char *sql =
        s->db->ops->engine == DB_SQLITE
            ? "SELECT name FROM pragma_table_info($1)"
            : "SELECT column_name FROM information_schema.columns WHERE "
              "table_schema = current_schema() AND table_name = $1";
    const char *p[1] = { table };
    struct colnames c = { NULL, 0 };
    int rc = db_run(s->db, sql, 1, p, on_column, &c, err);

    *names = c.v;
    *n = c.n;
    return rc;
}

static int add_missing_columns(struct store *s, const struct endpoint *ep,
                               struct ou_err *err)
{
    struct column c[MAX_COLS];
    int n = columns_of(ep, c, MAX_COLS);
    char t[64];
    char **have = NULL;
    int nhave = 0;
    int rc;

    table_of(ep, t, sizeof(t));
    rc = table_columns(s, t, &have, &nhave, err);
    for (int i = 0; i < n && rc == 0 && nhave > 0; i++) {
        bool found = false;
        for (int j = 0; j < nhave && !found; j++)
            found = strcmp(have[j], c[i].name) == 0;
        if (!found) {
            struct buf sql;
            buf_init(&sql, 0);
            if (buf_printf(&sql, "ALTER TABLE \"%s\" ADD COLUMN \"%s\" %s;", t,
                           c[i].name, c[i].type) != 0)
                rc = ou_nomem(err);
            else
                rc = s->db->ops->script(s->db, sql.data, err);
            buf_release(&sql);
        }
    }
    for (int j = 0; j < nhave; j++)
        free(have[j]);
    free(have);
    return rc;
}

static int version_row(void *ctx, int n, const char *const *v,
                       struct ou_err *err)
{
    (void)err;
    if (n > 0 && v[0] != NULL)
        *(long *)ctx = strtol(v[0], NULL, 10);
    return 0;
}

static int check_version(struct store *s, long *version, struct ou_err *err)
{
    int rc = db_run(s->db, "SELECT MAX(version) FROM schema_version", 0, NULL,
                    version_row, version, err);

    if (rc == 0 && *version > STORE_SCHEMA_VERSION)
        return ou_fail(err, OU_E_IO,
                       "store %s has schema version %ld, newer than this "
                       "oaiusage knows (%d): upgrade oaiusage",
                       s->db->where, *version, STORE_SCHEMA_VERSION);
    return rc;
}

/* Reports: the schema must be there (a sync made it); columns a newer
 * version added are added (cheap, and only once). */
static int open_schema(struct store *s, struct ou_err *err)
{
    long version = -1;
    char **have = NULL;
    int nhave = 0;
    int rc = table_columns(s, "schema_version", &have, &nhave, err);

    for (int j = 0; j < nhave; j++)
        free(have[j]);
    free(have);
    if (rc == 0 && nhave == 0)
        return ou_fail(err, OU_E_UNCOVERED,
                       "store %s holds nothing yet (run 'oaiusage sync')",
                       s->db->where);
    if (rc == 0)
        rc = check_version(s, &version, err);
    for (int i = 0; i < EP_COUNT && rc == 0; i++)
        rc = add_missing_columns(s, endpoint_at(i), err);
    return rc;
}

/* Sync: make or migrate the schema and (re)make the views. */
static int make_schema(struct store *s, struct ou_err *err)
{
    struct buf ddl;
    long version = -1;
    int rc = 0;

    buf_init(&ddl, 0);
    rc |= buf_puts(&ddl, schema_common);
    for (int i = 0; i < EP_COUNT; i++)
        rc |= table_ddl(endpoint_at(i), &ddl);
    if (rc != 0) {
        buf_release(&ddl);
        return ou_nomem(err);
    }
    rc = s->db->ops->script(s->db, ddl.data, err);
    buf_release(&ddl);
    if (rc == 0)
        rc = check_version(s, &version, err);
    if (rc != 0)
        return rc;
    if (version < 0) {
        char v[16];
        const char *p[1] = { v };
        snprintf(v, sizeof(v), "%d", STORE_SCHEMA_VERSION);
        rc = db_run(s->db, "INSERT INTO schema_version (version) VALUES ($1)",
                    1, p, NULL, NULL, err);
    }
    for (int i = 0; i < EP_COUNT && rc == 0; i++)
        rc = add_missing_columns(s, endpoint_at(i), err);
    if (rc == 0) {
        buf_init(&ddl, 0);
        rc = views_ddl(s->db->ops->engine, &ddl) != 0
                 ? ou_nomem(err)
                 : s->db->ops->script(s->db, ddl.data, err);
        buf_release(&ddl);
    }
    return rc;
}

/* The insert and delete of each endpoint's table. */
static int make_statements(struct store *s, struct ou_err *err)
{
    for (int i = 0; i < EP_COUNT; i++) {
        const struct endpoint *ep = endpoint_at(i);
        struct ep_sql *es = &s->eps[i];
        struct column c[MAX_COLS];
        int n = columns_of(ep, c, MAX_COLS);
        char t[64];
        struct buf ins;
        struct buf del;
        int rc = 0;

        table_of(ep, t, sizeof(t));
        buf_init(&ins, 0);
        buf_init(&del, 0);
        rc |= buf_printf(&ins,
                         "INSERT INTO \"%s\" (org, width, start_time, "
                         "end_time",
                         t);
        for (int k = 0; k < n; k++)
            rc |= buf_printf(&ins, ", \"%s\"", c[k].name);
        rc |= buf_puts(&ins, ") VALUES ");
        size_t one = 0;
        for (int row = 0; row < BATCH_ROWS; row++) {
            int base = row * (n + 4);
            rc |= buf_printf(&ins, "%s($%d", row ? ", " : "", base + 1);
            for (int k = 1; k < n + 4; k++)
                rc |= buf_printf(&ins, ", $%d", base + k + 1);
            rc |= buf_putc(&ins, ')');
            if (row == 0)
                one = ins.len;
        }
        rc |= buf_printf(&del,
                         "DELETE FROM \"%s\" WHERE org = $1 AND width = $2 AND "
                         "start_time = $3",
                         t);
        es->table = strdup(t);
        es->insert = rc == 0 ? strndup(ins.data, one) : NULL;
        es->insert_batch = buf_detach(&ins, NULL);
        es->delete = buf_detach(&del, NULL);
        es->ncols = n + 4;
        buf_release(&ins);
        buf_release(&del);
        if (rc != 0 || es->table == NULL || es->insert == NULL ||
            es->insert_batch == NULL || es->delete == NULL)
            return ou_nomem(err);
    }
    return 0;
}

/* ---- open and close ---------------------------------------------------------- */

char *store_default_db(void)
{
    const char *env = getenv("OAIUSAGE_DB");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");
    struct buf b;

    if (env != NULL && env[0] != '\0')
        return strdup(env);
    buf_init(&b, 0);
    if (xdg != NULL && xdg[0] == '/')
        buf_printf(&b, "%s/oaiusage/usage.db", xdg);
    else
        buf_printf(&b, "%s/.local/share/oaiusage/usage.db",
                   home != NULL ? home : ".");
    return buf_detach(&b, NULL);
}

static bool is_pg(const char *db)
{
    return strncmp(db, "postgresql://", 13) == 0 ||
           strncmp(db, "postgres://", 11) == 0;
}

int store_open(const char *db, bool create, long lock_ms, struct store **out,
               struct ou_err *err)
{
    struct store *s = calloc(1, sizeof(*s));
    int rc;

    *out = NULL;
    if (s == NULL)
        return ou_nomem(err);
    if (is_pg(db))
        rc = db_pg_open(db, &s->db, err);
    else
        rc = db_sqlite_open(strncmp(db, "sqlite:", 7) == 0 ? db + 7 : db,
                            create, &s->db, err);
    /* The schema is made under the sync lock: two first syncs must not
     * race on CREATE TABLE. */
    if (rc == 0 && create)
        rc = s->db->ops->lock(s->db, lock_ms, err);
    if (rc == 0)
        rc = create ? make_schema(s, err) : open_schema(s, err);
    if (rc == 0)
        rc = make_statements(s, err);
    if (rc != 0) {
        store_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void store_close(struct store *s)
{
    if (s == NULL)
        return;
    for (int i = 0; i < EP_COUNT; i++) {
        free(s->eps[i].table);
        free(s->eps[i].insert);
        free(s->eps[i].insert_batch);
        free(s->eps[i].delete);
    }
    if (s->db != NULL)
        s->db->ops->close(s->db);
    free(s);
}

const char *store_where(const struct store *s)
{
    return s->db->where;
}

/* ---- transactions ------------------------------------------------------------ */

static int begin(struct store *s, struct ou_err *err)
{
    /* SQLite: take the write lock at once, so two writers never deadlock
     * upgrading a read. */
    return db_run(s->db,
                  s->db->ops->engine == DB_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN",
                  0, NULL, NULL, NULL, err);
}

static int commit(struct store *s, struct ou_err *err)
{
    return db_run(s->db, "COMMIT", 0, NULL, NULL, NULL, err);
}

static void rollback(struct store *s)
{
    struct ou_err ignored;
    db_run(s->db, "ROLLBACK", 0, NULL, NULL, NULL, &ignored);
}

/* ---- writing ----------------------------------------------------------------- */

static const char cov_upsert[] =
    "INSERT INTO coverage (org, endpoint, width, start_time, end_time, "
    "provisional, dims, synced_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
    "ON CONFLICT (org, endpoint, width, start_time) DO UPDATE SET "
    "end_time = excluded.end_time, provisional = excluded.provisional, "
    "dims = excluded.dims, synced_at = excluded.synced_at";

static int put_bucket(struct store *s, const char *org,
                      const struct store_page *p, const struct ep_sql *es,
                      const struct store_bucket *b, struct ou_err *err)
{
    char st[24];
    char en[24];
    char at[24];
    const char *w = bucket_width_name(p->width);
    const char *del[3] = { org, w, st };
    const char *cov[8] = {
        org, p->ep->command, w, st, en, b->provisional ? "1" : "0", p->dims, at
    };
    int rc;

    snprintf(st, sizeof(st), "%" PRId64, b->start);
    snprintf(en, sizeof(en), "%" PRId64, b->end);
    snprintf(at, sizeof(at), "%" PRId64, p->synced_at);
    rc = db_run(s->db, es->delete, 3, del, NULL, NULL, err);
    if (rc == 0)
        rc = db_run(s->db, cov_upsert, 8, cov, NULL, NULL, err);
    return rc;
}

/* One row's parameters: v points into the record and into num. */
struct row_params {
    const char *v[MAX_COLS + 4];
    char num[MAX_COLS][DEC_FMT_MAX];
    char st[24];
    char en[24];
};

static void row_params(const char *org, const struct store_page *p,
                       const struct record *r, const struct store_bucket *b,
                       struct row_params *rp)
{
    struct column c[MAX_COLS];
    int n = columns_of(p->ep, c, MAX_COLS);

    snprintf(rp->st, sizeof(rp->st), "%" PRId64, b->start);
    snprintf(rp->en, sizeof(rp->en), "%" PRId64, b->end);
    rp->v[0] = org;
    rp->v[1] = bucket_width_name(p->width);
    rp->v[2] = rp->st;
    rp->v[3] = rp->en;
    for (int k = 0; k < n; k++) {
        const char **slot = &rp->v[k + 4];
        if (c[k].group >= 0) {
            *slot = r->group[c[k].group];
        } else if (c[k].hint >= 0) {
            *slot = r->hint[c[k].hint];
        } else {
            int m = c[k].metric;
            const struct metric_desc *md = &p->ep->metrics[m];
            if (md->kind == MK_INT) {
                snprintf(rp->num[k], sizeof(rp->num[k]), "%" PRId64,
                         r->ival[m]);
                *slot = rp->num[k];
            } else if (md->kind == MK_DEC) {
                dec_format(&r->dval[m], rp->num[k], sizeof(rp->num[k]));
                *slot = r->present[m] ? rp->num[k] : NULL;
            } else {
                *slot = r->text[m];
            }
        }
    }
}

/* The page's records, BATCH_ROWS to a statement, then one at a time. */
static int put_records(struct store *s, const char *org,
                       const struct store_page *p, const struct ep_sql *es,
                       struct ou_err *err)
{
    int nc = es->ncols;
    struct row_params *rp = malloc(sizeof(*rp) * BATCH_ROWS);
    const char **v = malloc(sizeof(*v) * (size_t)nc * BATCH_ROWS);
    int rc = 0;
    int i = 0;

    if (rp == NULL || v == NULL) {
        free(rp);
        free((void *)v);
        return ou_nomem(err);
    }
    while (rc == 0 && i < p->nrecs) {
        int k = p->nrecs - i >= BATCH_ROWS ? BATCH_ROWS : 1;
        for (int j = 0; j < k; j++, i++) {
            row_params(org, p, &p->recs[i], &p->buckets[p->rec_bucket[i]],
                       &rp[j]);
            memcpy((void *)&v[(size_t)j * (size_t)nc], (void *)rp[j].v,
                   sizeof(*v) * (size_t)nc);
        }
        rc = db_run(s->db, k == 1 ? es->insert : es->insert_batch, k * nc, v,
                    NULL, NULL, err);
    }
    free(rp);
    free((void *)v);
    return rc;
}

int store_put_page(struct store *s, const char *org, const struct store_page *p,
                   struct ou_err *err)
{
    const struct ep_sql *es = &s->eps[endpoint_index(p->ep)];
    int rc;

    if ((rc = begin(s, err)) != 0)
        return rc;
    for (int i = 0; i < p->nbuckets && rc == 0; i++)
        rc = put_bucket(s, org, p, es, &p->buckets[i], err);
    if (rc == 0)
        rc = put_records(s, org, p, es, err);
    if (rc == 0)
        rc = commit(s, err);
    if (rc != 0)
        rollback(s);
    return rc;
}

/* ---- sync state --------------------------------------------------------------- */

struct state_row {
    int64_t since;
    int64_t last;
    int64_t floor;
};

static int state_row(void *ctx, int n, const char *const *v, struct ou_err *err)
{
    struct state_row *st = ctx;
    (void)err;
    if (n >= 3 && v[0] != NULL && v[1] != NULL && v[2] != NULL) {
        st->since = strtoll(v[0], NULL, 10);
        st->last = strtoll(v[1], NULL, 10);
        st->floor = strtoll(v[2], NULL, 10);
    }
    return 0;
}

static int get_state(struct store *s, const char *org,
                     const struct endpoint *ep, enum bucket_width w,
                     struct state_row *st, struct ou_err *err)
{
    const char *p[3] = { org, ep->command, bucket_width_name(w) };

    *st = (struct state_row){ -1, -1, 0 };
    return db_run(s->db,
                  "SELECT since, last_sync, key_floor FROM sync_state WHERE "
                  "org = $1 AND endpoint = $2 AND width = $3",
                  3, p, state_row, st, err);
}

int store_sync_state(struct store *s, const char *org,
                     const struct endpoint *ep, enum bucket_width w,
                     int64_t *since, int64_t *last_sync, struct ou_err *err)
{
    struct state_row st;
    int rc = get_state(s, org, ep, w, &st, err);

    *since = st.since;
    *last_sync = st.last;
    return rc;
}

static int set_state(struct store *s, const char *org,
                     const struct endpoint *ep, enum bucket_width w,
                     const struct state_row *st, struct ou_err *err)
{
    char a[24];
    char b[24];
    char c[24];
    const char *p[6] = { org, ep->command, bucket_width_name(w), a, b, c };

    snprintf(a, sizeof(a), "%" PRId64, st->since);
    snprintf(b, sizeof(b), "%" PRId64, st->last);
    snprintf(c, sizeof(c), "%" PRId64, st->floor);
    return db_run(s->db,
                  "INSERT INTO sync_state (org, endpoint, width, since, "
                  "last_sync, key_floor) VALUES ($1, $2, $3, $4, $5, $6) ON "
                  "CONFLICT (org, endpoint, width) DO UPDATE SET since = "
                  "excluded.since, last_sync = excluded.last_sync, key_floor "
                  "= excluded.key_floor",
                  6, p, NULL, NULL, err);
}

int store_set_sync_state(struct store *s, const char *org,
                         const struct endpoint *ep, enum bucket_width w,
                         int64_t since, int64_t last_sync, struct ou_err *err)
{
    struct state_row st;
    int rc = get_state(s, org, ep, w, &st, err);

    if (rc != 0)
        return rc;
    st.since = since;
    st.last = last_sync;
    return set_state(s, org, ep, w, &st, err);
}

int store_key_floor(struct store *s, const char *org, const struct endpoint *ep,
                    int64_t *floor, struct ou_err *err)
{
    struct state_row st;
    int rc = get_state(s, org, ep, BW_1D, &st, err);

    *floor = st.floor;
    return rc;
}

int store_set_key_floor(struct store *s, const char *org,
                        const struct endpoint *ep, int64_t floor,
                        struct ou_err *err)
{
    struct state_row st;
    int rc = get_state(s, org, ep, BW_1D, &st, err);

    if (rc != 0 || st.since < 0)
        return rc; /* set with the state, after the first run */
    st.floor = floor;
    return set_state(s, org, ep, BW_1D, &st, err);
}

/* ---- names --------------------------------------------------------------------- */

static const char *const kind_name[NK_COUNT] = { NULL, "project", "user",
                                                 "api_key" };

struct put_names {
    struct store *s;
    const char *org;
    char at[24];
    struct ou_err *err;
};

/* An archived project is a second row, of kind 'archived_project'. */
#define ARCHIVED_KIND "archived_project"

static int put_row(struct put_names *pn, const char *kind, const char *id,
                   const char *name)
{
    const char *p[5] = { pn->org, kind, id, name, pn->at };

    return db_run(pn->s->db,
                  "INSERT INTO names (org, kind, id, name, synced_at) VALUES "
                  "($1, $2, $3, $4, $5) ON CONFLICT (org, kind, id) DO UPDATE "
                  "SET name = excluded.name, synced_at = excluded.synced_at",
                  5, p, NULL, NULL, pn->err);
}

static int put_name(void *ctx, enum name_kind k, const char *id,
                    const char *name)
{
    return put_row(ctx, kind_name[k], id, name);
}

static int put_archived(void *ctx, enum name_kind k, const char *id,
                        const char *name)
{
    return k == NK_PROJECT ? put_row(ctx, ARCHIVED_KIND, id, name) : 0;
}

/* Ids of group g in ep's rows from p[3] on without a name: stored with an
 * empty one. p: org, kind, synced_at, since. */
static int mark_unnamed(struct store *s, const struct endpoint *ep, int g,
                        const char **p, struct ou_err *err)
{
    const char *col = ep->groups[g].name;
    char t[64];
    struct buf sql;
    int rc;

    buf_init(&sql, 0);
    if (buf_printf(
            &sql,
            "INSERT INTO names (org, kind, id, name, synced_at) SELECT "
            "DISTINCT $1, $2, u.\"%s\", '', CAST($3 AS BIGINT) FROM \"%s\" u "
            "WHERE "
            "u.org = $1 AND u.start_time >= $4 AND u.\"%s\" IS NOT "
            "NULL AND NOT EXISTS (SELECT 1 FROM names n WHERE n.org = "
            "$1 AND n.kind = $2 AND n.id = u.\"%s\")",
            col, table_of(ep, t, sizeof(t)), col, col) != 0) {
        buf_release(&sql);
        return ou_nomem(err);
    }
    rc = db_run(s->db, sql.data, 4, p, NULL, NULL, err);
    buf_release(&sql);
    return rc;
}

int store_put_names(struct store *s, const char *org, const struct names *n,
                    int64_t synced_at, int64_t mark_since, struct ou_err *err)
{
    struct put_names pn = { s, org, "", err };
    const char *p[1] = { org };
    char since[24];
    int rc;

    snprintf(pn.at, sizeof(pn.at), "%" PRId64, synced_at);
    snprintf(since, sizeof(since), "%" PRId64, mark_since);
    if ((rc = begin(s, err)) != 0)
        return rc;
    rc = db_run(s->db, "DELETE FROM names WHERE org = $1", 1, p, NULL, NULL,
                err);
    if (rc == 0)
        rc = names_each(n, put_name, &pn);
    if (rc == 0)
        rc = names_each_archived(n, put_archived, &pn);
    for (int i = 0; i < EP_COUNT && rc == 0; i++) {
        const struct endpoint *ep = endpoint_at(i);
        for (int g = 0; g < ep->ngroups && rc == 0; g++) {
            const char *mp[4] = { org, kind_name[ep->groups[g].names], pn.at,
                                  since };
            if (ep->groups[g].names != NK_NONE)
                rc = mark_unnamed(s, ep, g, mp, err);
        }
    }
    if (rc == 0)
        rc = commit(s, err);
    if (rc != 0)
        rollback(s);
    return rc;
}

static int name_row(void *ctx, int n, const char *const *v, struct ou_err *err)
{
    if (n < 3 || v[0] == NULL || v[1] == NULL || v[2] == NULL)
        return 0;
    for (int k = NK_PROJECT; k < NK_COUNT; k++) {
        if (strcmp(v[0], kind_name[k]) == 0 &&
            names_put(ctx, (enum name_kind)k, v[1], v[2]) != 0)
            return ou_nomem(err);
    }
    if (strcmp(v[0], ARCHIVED_KIND) == 0 &&
        names_mark_archived(ctx, NK_PROJECT, v[1]) != 0)
        return ou_nomem(err);
    return 0;
}

int store_get_names(struct store *s, const char *org, struct names *n,
                    struct ou_err *err)
{
    const char *p[1] = { org };

    return db_run(s->db, "SELECT kind, id, name FROM names WHERE org = $1", 1,
                  p, name_row, n, err);
}

static int first_int(void *ctx, int n, const char *const *v, struct ou_err *err)
{
    (void)err;
    if (n >= 1 && v[0] != NULL)
        *(int64_t *)ctx = strtoll(v[0], NULL, 10);
    return 0;
}

/* Does any row of ep's table from `since` on carry an id of group g that
 * no stored name covers? */
static int unknown_ids(struct store *s, const char *org,
                       const struct endpoint *ep, int g, const char *since,
                       bool *unknown, struct ou_err *err)
{
    const char *col = ep->groups[g].name;
    const char *p[3] = { org, since, kind_name[ep->groups[g].names] };
    int64_t hit = 0;
    char t[64];
    struct buf sql;
    int rc;

    buf_init(&sql, 0);
    if (buf_printf(&sql,
                   "SELECT 1 FROM \"%s\" u WHERE u.org = $1 AND u.start_time "
                   ">= $2 AND u.\"%s\" IS NOT NULL AND NOT EXISTS (SELECT 1 "
                   "FROM names n WHERE n.org = $1 AND n.kind = $3 AND n.id = "
                   "u.\"%s\") LIMIT 1",
                   table_of(ep, t, sizeof(t)), col, col) != 0) {
        buf_release(&sql);
        return ou_nomem(err);
    }
    rc = db_run(s->db, sql.data, 3, p, first_int, &hit, err);
    buf_release(&sql);
    if (rc == 0 && hit == 1)
        *unknown = true;
    return rc;
}

int store_names_state(struct store *s, const char *org, int64_t since,
                      int64_t *synced_at, bool *unknown, struct ou_err *err)
{
    const char *p[1] = { org };
    char from[24];
    int rc;

    *synced_at = -1;
    *unknown = false;
    snprintf(from, sizeof(from), "%" PRId64, since);
    rc = db_run(s->db, "SELECT MIN(synced_at) FROM names WHERE org = $1", 1, p,
                first_int, synced_at, err);
    for (int i = 0; i < EP_COUNT && rc == 0 && !*unknown; i++) {
        const struct endpoint *ep = endpoint_at(i);
        for (int g = 0; g < ep->ngroups && rc == 0 && !*unknown; g++) {
            if (ep->groups[g].names != NK_NONE)
                rc = unknown_ids(s, org, ep, g, from, unknown, err);
        }
    }
    return rc;
}

/* ---- coverage ------------------------------------------------------------------ */

struct cov_list {
    struct store_cov *v;
    int n;
    int cap;
};

static int cov_row(void *ctx, int n, const char *const *v, struct ou_err *err)
{
    struct cov_list *l = ctx;

    if (n < 5)
        return 0;
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 256;
        struct store_cov *nv = realloc(l->v, sizeof(*nv) * (size_t)cap);
        if (nv == NULL)
            return ou_nomem(err);
        l->v = nv;
        l->cap = cap;
    }
    struct store_cov *c = &l->v[l->n++];
    c->start = strtoll(v[0], NULL, 10);
    c->end = strtoll(v[1], NULL, 10);
    c->provisional = v[2] != NULL && strcmp(v[2], "0") != 0;
    c->synced_at = v[3] != NULL ? strtoll(v[3], NULL, 10) : 0;
    snprintf(c->dims, sizeof(c->dims), "%s", v[4] != NULL ? v[4] : "");
    return 0;
}

int store_coverage(struct store *s, const char *org, const struct endpoint *ep,
                   enum bucket_width w, int64_t from, int64_t to,
                   struct store_cov **out, int *n, struct ou_err *err)
{
    struct cov_list l = { NULL, 0, 0 };
    char a[24];
    char b[24];
    const char *p[5] = { org, ep->command, bucket_width_name(w), a, b };
    int rc;

    snprintf(a, sizeof(a), "%" PRId64, from);
    snprintf(b, sizeof(b), "%" PRId64, to);
    rc = db_run(s->db,
                "SELECT start_time, end_time, provisional, synced_at, dims "
                "FROM coverage WHERE org = $1 AND endpoint = $2 AND width = $3 "
                "AND start_time >= $4 AND start_time < $5 ORDER BY start_time",
                5, p, cov_row, &l, err);
    if (rc != 0) {
        free(l.v);
        l.v = NULL;
        l.n = 0;
    }
    *out = l.v;
    *n = l.n;
    return rc;
}

static int count_row(void *ctx, int n, const char *const *v, struct ou_err *err)
{
    (void)err;
    if (n > 0 && v[0] != NULL)
        *(int64_t *)ctx = strtoll(v[0], NULL, 10);
    return 0;
}

int store_count_rows(struct store *s, const char *org,
                     const struct endpoint *ep, enum bucket_width w, int64_t *n,
                     struct ou_err *err)
{
    struct buf sql;
    const char *p[2] = { org, bucket_width_name(w) };
    int rc;

    *n = 0;
    buf_init(&sql, 0);
    if (buf_printf(&sql,
                   "SELECT COUNT(*) FROM \"%s\" WHERE org = $1 AND width = $2",
                   s->eps[endpoint_index(ep)].table) != 0) {
        buf_release(&sql);
        return ou_nomem(err);
    }
    rc = db_run(s->db, sql.data, 2, p, count_row, n, err);
    buf_release(&sql);
    return rc;
}

static int width_row(void *ctx, int n, const char *const *v, struct ou_err *err)
{
    enum bucket_width w;
    (void)err;
    if (n > 0 && v[0] != NULL && bucket_width_parse(v[0], &w))
        ((bool *)ctx)[w] = true;
    return 0;
}

int store_widths(struct store *s, const char *org, const struct endpoint *ep,
                 bool have[BW_COUNT], struct ou_err *err)
{
    const char *p[2] = { org, ep->command };

    for (int w = 0; w < BW_COUNT; w++)
        have[w] = false;
    return db_run(s->db,
                  "SELECT DISTINCT width FROM coverage WHERE org = $1 AND "
                  "endpoint = $2",
                  2, p, width_row, have, err);
}

/* ---- reading ------------------------------------------------------------------- */

/* One read in progress. */
struct reader {
    const char *org;
    const struct query *q;
    const struct store_read *r;
    const struct store_sink *sink;
    int64_t w;               /* seconds of q's buckets */
    int64_t next;            /* the next bucket to announce */
    int gcol[EP_MAX_GROUPS]; /* result column of each group field, or -1 */
    int mcol[EP_MAX_METRICS];
    int hcol[EP_MAX_GROUPS];
    int key_group; /* api_key_id's group index when grouped by it, or -1 */
    struct buf scratch;
    /* costs: the current bucket's rows, merged */
    struct agg *bucket_agg;
    struct agg_spec spec;
    int64_t cur;
};

static int64_t bucket_end(const struct reader *rd, int64_t start)
{
    return start + rd->w < rd->r->end ? start + rd->w : rd->r->end;
}

/* Announce every bucket up to (not including) the one at t. */
static int announce_to(struct reader *rd, int64_t t, struct ou_err *err)
{
    int rc = 0;

    while (rc == 0 && rd->next < t && rd->next < rd->r->end) {
        rc = rd->sink->bucket(rd->sink->ctx, rd->next, bucket_end(rd, rd->next),
                              err);
        rd->next += rd->w;
    }
    return rc;
}

static int parse_int(const char *s, int64_t *out, struct ou_err *err)
{
    char *end;

    errno = 0;
    long long v = strtoll(s != NULL ? s : "0", &end, 10);
    if (errno != 0 || (s != NULL && *end != '\0'))
        return ou_fail(err, OU_E_DATA,
                       "store: a sum out of range (%s): more than 64 bits",
                       s != NULL ? s : "");
    *out = v;
    return 0;
}

/* Build the record of one result row. */
static int row_record(struct reader *rd, const char *const *v,
                      struct record *rec, struct ou_err *err)
{
    const struct endpoint *ep = rd->q->ep;

    memset(rec, 0, sizeof(*rec));
    for (int g = 0; g < ep->ngroups; g++) {
        rec->group[g] = rd->gcol[g] >= 0 ? v[rd->gcol[g]] : NULL;
        rec->hint[g] = rd->hcol[g] >= 0 ? v[rd->hcol[g]] : NULL;
    }
    for (int m = 0; m < ep->nmetrics; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        const char *s = rd->mcol[m] >= 0 ? v[rd->mcol[m]] : NULL;
        rec->present[m] = s != NULL;
        if (md->kind == MK_INT) {
            int rc = parse_int(s, &rec->ival[m], err);
            if (rc != 0)
                return rc;
            rec->present[m] = true;
        } else if (md->kind == MK_DEC) {
            if (s != NULL && dec_parse(s, strlen(s), &rec->dval[m]) != DEC_OK)
                return ou_fail(err, OU_E_DATA, "store: %s is not a decimal: %s",
                               md->name, s);
        } else {
            rec->text[m] = s;
        }
    }
    if (record_derive(ep, rec, &rd->scratch) != 0)
        return ou_nomem(err);
    return 0;
}

/* Counters: each row is one (bucket, group) of the answer, summed in SQL. */
static int sum_row(void *ctx, int n, const char *const *v, struct ou_err *err)
{
    struct reader *rd = ctx;
    struct record rec;
    int rc;

    (void)n;
    int64_t b = strtoll(v[0], NULL, 10);
    if ((rc = announce_to(rd, b + 1, err)) != 0 ||
        (rc = row_record(rd, v, &rec, err)) != 0)
        return rc;
    rec.start_time = b;
    rec.end_time = bucket_end(rd, b);
    return rd->sink->record(rd->sink->ctx, &rec, err);
}

/* Costs: decimals are summed here, exactly, one bucket at a time. */
static int flush_costs(struct reader *rd, struct ou_err *err)
{
    struct agg *a = rd->bucket_agg;
    const struct endpoint *ep = rd->q->ep;
    int rc;

    rd->bucket_agg = NULL;
    if (a == NULL)
        return 0;
    rc = agg_finish(a, err);
    for (size_t i = 0; rc == 0 && i < agg_nrows(a); i++) {
        const struct agg_row *row = agg_row_at(a, i);
        struct record rec;
        memset(&rec, 0, sizeof(rec));
        rec.start_time = rd->cur;
        rec.end_time = bucket_end(rd, rd->cur);
        for (int k = 0; k < rd->spec.ngroup; k++) {
            int g = rd->spec.group[k];
            rec.group[g] = row->key[k];
            rec.hint[g] = row->key[k] != NULL ? agg_hint(a, k, row->key[k])
                                              : NULL;
        }
        for (int m = 0; m < ep->nmetrics; m++) {
            rec.ival[m] = row->ival[m];
            rec.text[m] = row->text[m];
            rec.present[m] = row->present[m];
            if (row->dval != NULL)
                rec.dval[m] = row->dval[m];
        }
        rc = rd->sink->record(rd->sink->ctx, &rec, err);
    }
    agg_free(a);
    return rc;
}

static int cost_row(void *ctx, int n, const char *const *v, struct ou_err *err)
{
    struct reader *rd = ctx;
    struct record rec;
    int rc;

    (void)n;
    int64_t b = strtoll(v[0], NULL, 10);
    if (b != rd->cur && (rc = flush_costs(rd, err)) != 0)
        return rc;
    if ((rc = announce_to(rd, b + 1, err)) != 0 ||
        (rc = row_record(rd, v, &rec, err)) != 0)
        return rc;
    rd->cur = b;
    if (rd->bucket_agg == NULL && (rd->bucket_agg = agg_new(&rd->spec)) == NULL)
        return ou_nomem(err);
    rec.start_time = b;
    rec.end_time = bucket_end(rd, b);
    /* Before the api_key_id floor the bucket was asked without it. */
    if (rd->key_group >= 0 && b < rd->r->key_from)
        rec.group[rd->key_group] = REFUSAL_UNAVAILABLE;
    return agg_add(rd->bucket_agg, &rec, err);
}

/* SELECT list, FROM, WHERE and GROUP BY of a read. */
static int read_sql(struct reader *rd, const char *table, bool sum,
                    struct buf *sql, const char **params, int *np,
                    char nums[4][24])
{
    const struct query *q = rd->q;
    const struct endpoint *ep = q->ep;
    bool sent[EP_MAX_GROUPS] = { false };
    int col = 1;
    int rc = 0;

    for (int i = 0; i < q->ngroup; i++) {
        const char *f = query_group_sent(q, i);
        if (f != NULL)
            sent[endpoint_group_index(ep, f)] = true;
    }
    int li = endpoint_group_index(ep, "line_item");
    bool items = li >= 0 && sent[li];

    snprintf(nums[0], 24, "%" PRId64, rd->r->start);
    snprintf(nums[1], 24, "%" PRId64, rd->w);
    snprintf(nums[2], 24, "%" PRId64, rd->r->end);
    /* $1 start, $2 the width in seconds, $3 org, $4 the stored width,
     * $5 end, then the filters' values. */
    params[0] = nums[0];
    params[1] = nums[1];
    params[2] = rd->org;
    params[3] = bucket_width_name(rd->r->stored);
    params[4] = nums[2];
    rc |= buf_puts(sql, "SELECT start_time - ((start_time - $1) % $2)");
    for (int g = 0; g < ep->ngroups; g++) {
        rd->gcol[g] = -1;
        rd->hcol[g] = -1;
        if (!sent[g])
            continue;
        rd->gcol[g] = col++;
        rc |= buf_printf(sql, ", \"%s\"", ep->groups[g].name);
        if (ep->groups[g].name_field != NULL) {
            rd->hcol[g] = col++;
            rc |= buf_printf(sql, sum ? ", MAX(\"%s\")" : ", \"%s\"",
                             ep->groups[g].name_field);
        }
    }
    for (int m = 0; m < ep->nmetrics; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        /* The API gives a quantity only per line item. */
        bool only_with_items = li >= 0 && !items &&
                               (strcmp(md->name, "quantity") == 0 ||
                                strcmp(md->name, "quantity_unit") == 0);
        rd->mcol[m] = -1;
        if (only_with_items)
            continue;
        rd->mcol[m] = col++;
        rc |= buf_printf(sql, sum ? ", SUM(\"%s\")" : ", \"%s\"", md->name);
    }
    rc |= buf_printf(sql,
                     " FROM \"%s\" WHERE org = $3 AND width = $4 AND "
                     "start_time >= $1 AND start_time < $5",
                     table);
    *np = 5;
    for (int i = 0; i < q->nfilters; i++) {
        const struct filter_values *f = &q->filters[i];
        if (f->desc->kind == FK_BOOL) {
            rc |= buf_printf(sql, " AND \"%s\" = $%d", f->desc->field, *np + 1);
            params[(*np)++] = f->flag ? "true" : "false";
            continue;
        }
        rc |= buf_printf(sql, " AND \"%s\" IN (", f->desc->field);
        for (int k = 0; k < f->nvalues; k++) {
            rc |= buf_printf(sql, "%s$%d", k ? ", " : "", *np + 1);
            params[(*np)++] = f->values[k];
        }
        rc |= buf_putc(sql, ')');
    }
    if (sum) {
        rc |= buf_puts(sql, " GROUP BY 1");
        for (int g = 0; g < ep->ngroups; g++) {
            if (rd->gcol[g] >= 0)
                rc |= buf_printf(sql, ", %d", rd->gcol[g] + 1);
        }
    }
    rc |= buf_puts(sql, " ORDER BY 1");
    return rc;
}

int store_read_query(struct store *s, const char *org, const struct query *q,
                     const struct store_read *r, const struct store_cov *cov,
                     int ncov, const struct store_sink *sink,
                     struct ou_err *err)
{
    const struct endpoint *ep = q->ep;
    bool sum = !ep->billing;
    struct reader rd;
    struct buf sql;
    const char **params;
    size_t nparams = 5;
    char nums[4][24];
    char t[64];
    int np = 0;
    int rc;

    (void)cov;
    (void)ncov;
    memset(&rd, 0, sizeof(rd));
    rd.org = org;
    rd.q = q;
    rd.r = r;
    rd.sink = sink;
    rd.w = bucket_width_seconds(q->width);
    rd.next = r->start;
    rd.cur = -1;
    rd.key_group = -1;
    buf_init(&rd.scratch, 0);
    buf_init(&sql, 0);
    rd.spec =
        (struct agg_spec){ ep, q->ngroup, { 0 }, TU_PER_NONE, false, NULL };
    memcpy(rd.spec.group, q->group, sizeof(rd.spec.group));
    for (int i = 0; i < q->ngroup; i++) {
        if (strcmp(ep->groups[q->group[i]].name, "api_key_id") == 0)
            rd.key_group = q->group[i];
    }
    for (int i = 0; i < q->nfilters; i++)
        nparams += q->filters[i].desc->kind == FK_BOOL
                       ? 1
                       : (size_t)q->filters[i].nvalues;
    if ((params = malloc(sizeof(*params) * nparams)) == NULL)
        return ou_nomem(err);
    if (read_sql(&rd, table_of(ep, t, sizeof(t)), sum, &sql, params, &np,
                 nums) != 0) {
        buf_release(&sql);
        free((void *)params);
        return ou_nomem(err);
    }
    rc = db_run(s->db, sql.data, np, params, sum ? sum_row : cost_row, &rd,
                err);
    if (rc == 0)
        rc = flush_costs(&rd, err);
    else
        agg_free(rd.bucket_agg);
    if (rc == 0)
        rc = announce_to(&rd, r->end, err);
    buf_release(&sql);
    buf_release(&rd.scratch);
    free((void *)params);
    return rc;
}

void store_lib_versions(char *out, size_t size)
{
    int pg = db_pg_version();
    snprintf(out, size, "SQLite %s, libpq %d.%d", db_sqlite_version(),
             pg / 10000, pg % 10000);
}
