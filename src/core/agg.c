/* agg.c - folding records into report rows (see agg.h). */
#include "oaiusage/agg.h"

#include "oaiusage/arena.h"
#include "oaiusage/htab.h"

#include <stdlib.h>
#include <string.h>

/* ---- string pool: equal strings share one pointer ----------------------- */

static bool str_eq(const void *entry, const void *key)
{
    return strcmp(entry, key) == 0;
}

/* The pool's copy of s (made on first sight), or NULL when out of memory
 * (or s is NULL). */
static const char *pool_intern(struct htab *pool, struct arena *ar,
                               const char *s)
{
    if (s == NULL || htab_reserve(pool) != 0)
        return NULL;
    uint64_t h = hash_str(s);
    size_t i = htab_probe(pool, h, str_eq, s);
    if (pool->entry[i] == NULL) {
        char *copy = arena_strdup(ar, s);
        if (copy == NULL)
            return NULL;
        htab_set(pool, i, h, copy);
    }
    return pool->entry[i];
}

/* ---- the aggregate -------------------------------------------------------- */

struct i64vec {
    int64_t *v;
    size_t n;
    size_t cap;
};

static int i64_push(struct i64vec *iv, int64_t x)
{
    if (iv->n == iv->cap) {
        size_t cap = iv->cap ? iv->cap * 2 : 64;
        int64_t *v = realloc(iv->v, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        iv->v = v;
        iv->cap = cap;
    }
    iv->v[iv->n++] = x;
    return 0;
}

struct rowvec {
    struct agg_row **v;
    size_t n;
    size_t cap;
};

struct agg {
    struct agg_spec spec;
    int nmetrics;
    bool has_dec;
    bool has_level;
    struct arena arena;
    struct htab pool;  /* interned group values and labels */
    struct htab map;   /* rows by (period, key, labels); not records */
    struct htab hints; /* names the results gave group ids */
    struct rowvec rows;
    struct rowvec totals;
    struct i64vec periods; /* distinct period starts seen, ascending */
    struct i64vec bstarts; /* levels: every bucket start, to find the last
                               bucket of each period */
    int64_t last_period;   /* levels: the window's last period */
};

static int rowvec_push(struct rowvec *rv, struct agg_row *r)
{
    if (rv->n == rv->cap) {
        size_t cap = rv->cap ? rv->cap * 2 : 64;
        struct agg_row **v = realloc(rv->v, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        rv->v = v;
        rv->cap = cap;
    }
    rv->v[rv->n++] = r;
    return 0;
}

static int64_t period_start(const struct agg_spec *sp, enum tu_period p,
                            int64_t t)
{
    return sp->floor != NULL ? sp->floor(p, t) : tu_period_start(p, t);
}

struct agg *agg_new(const struct agg_spec *spec)
{
    struct agg *a = calloc(1, sizeof(*a));

    if (a == NULL)
        return NULL;
    a->spec = *spec;
    a->nmetrics = spec->ep->nmetrics;
    for (int m = 0; m < a->nmetrics; m++) {
        if (spec->ep->metrics[m].kind == MK_DEC)
            a->has_dec = true;
        if (spec->ep->metrics[m].agg == MA_LEVEL)
            a->has_level = true;
    }
    return a;
}

void agg_free(struct agg *a)
{
    if (a == NULL)
        return;
    arena_release(&a->arena);
    htab_release(&a->pool);
    htab_release(&a->map);
    htab_release(&a->hints);
    free(a->rows.v);
    free(a->totals.v);
    free(a->periods.v);
    free(a->bstarts.v);
    free(a);
}

static struct agg_row *row_new(struct agg *a, int64_t t0, int64_t t1,
                               const char **key, const char **text)
{
    int nm = a->nmetrics;
    int ng = a->spec.ngroup;
    struct agg_row *r = arena_alloc(&a->arena, sizeof(*r));
    if (r == NULL)
        return NULL;
    memset(r, 0, sizeof(*r));
    r->t0 = t0;
    r->t1 = t1;
    r->level_ts = INT64_MIN;
    r->key = arena_alloc(&a->arena, sizeof(*r->key) * (size_t)(ng ? ng : 1));
    r->text = arena_alloc(&a->arena, sizeof(*r->text) * (size_t)nm);
    r->ival = arena_alloc(&a->arena, sizeof(*r->ival) * (size_t)nm);
    r->present = arena_alloc(&a->arena, sizeof(*r->present) * (size_t)nm);
    if (a->has_dec)
        r->dval = arena_alloc(&a->arena, sizeof(*r->dval) * (size_t)nm);
    if (r->key == NULL || r->text == NULL || r->ival == NULL ||
        r->present == NULL || (a->has_dec && r->dval == NULL))
        return NULL;
    for (int g = 0; g < ng; g++)
        r->key[g] = key != NULL ? key[g] : NULL;
    for (int m = 0; m < nm; m++) {
        const struct metric_desc *md = &a->spec.ep->metrics[m];
        r->text[m] = text != NULL ? text[m] : NULL;
        r->ival[m] = 0;
        if (r->dval != NULL)
            r->dval[m] = DEC_ZERO;
        r->present[m] = md->kind == MK_TEXT ? r->text[m] != NULL
                                            : !md->nullable;
    }
    r->seq = a->rows.n;
    return r;
}

static uint64_t row_hash(const struct agg *a, int64_t t0, const char **key,
                         const char **text)
{
    uint64_t h = hash_mix(0, (uint64_t)t0);
    for (int g = 0; g < a->spec.ngroup; g++)
        h = hash_mix(h, (uint64_t)(uintptr_t)key[g]);
    for (int m = 0; m < a->nmetrics; m++) {
        if (a->spec.ep->metrics[m].kind == MK_TEXT)
            h = hash_mix(h, (uint64_t)(uintptr_t)text[m]);
    }
    return h;
}

static bool row_matches(const struct agg *a, const struct agg_row *r,
                        int64_t t0, const char **key, const char **text)
{
    if (r->t0 != t0)
        return false;
    for (int g = 0; g < a->spec.ngroup; g++) {
        if (r->key[g] != key[g])
            return false;
    }
    for (int m = 0; m < a->nmetrics; m++) {
        if (a->spec.ep->metrics[m].kind == MK_TEXT && r->text[m] != text[m])
            return false;
    }
    return true;
}

/* A row's identity, as a key for the row map. */
struct row_key {
    const struct agg *a;
    int64_t t0;
    const char **key;
    const char **text;
};

static bool row_eq(const void *entry, const void *key)
{
    const struct row_key *k = key;
    return row_matches(k->a, entry, k->t0, k->key, k->text);
}

/* Add a value (iv or *dv; present false: null) to metric m of dst, or,
 * with replace, take it (a newer level). */
static int add_metric(struct agg_row *dst, int m, const struct metric_desc *md,
                      int64_t iv, const struct dec *dv, bool present,
                      bool replace, struct ou_err *err)
{
    switch (md->kind) {
    case MK_INT:
        if (replace)
            dst->ival[m] = iv;
        else if (__builtin_add_overflow(dst->ival[m], iv, &dst->ival[m]))
            return ou_fail(err, OU_E_DATA,
                           "%s total overflows a 64-bit integer", md->name);
        return 0;
    case MK_DEC:
        if (!present || dv == NULL) {
            if (replace)
                dst->present[m] = false;
            return 0;
        }
        if (replace || !dst->present[m]) {
            dst->dval[m] = *dv;
            dst->present[m] = true;
        } else if (dec_add(&dst->dval[m], dv) != DEC_OK) {
            return ou_fail(err, OU_E_DATA,
                           "%s total exceeds the exact decimal range",
                           md->name);
        }
        return 0;
    case MK_TEXT:
        return 0; /* part of the row's identity */
    }
    return 0;
}

static int fold(struct agg *a, struct agg_row *r, const struct record *rec,
                struct ou_err *err)
{
    const struct endpoint *ep = a->spec.ep;
    bool newer = false;
    bool same = true;
    int rc = 0;

    if (a->has_level) {
        newer = rec->start_time > r->level_ts;
        same = rec->start_time == r->level_ts;
        if (newer)
            r->level_ts = rec->start_time;
    }
    for (int m = 0; m < a->nmetrics && rc == 0; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        if (md->agg == MA_LEVEL && !newer && !same)
            continue; /* an older level than the one held */
        rc = add_metric(r, m, md, rec->ival[m], &rec->dval[m], rec->present[m],
                        md->agg == MA_LEVEL && newer, err);
    }
    return rc;
}

static int intern_record(struct agg *a, const struct record *rec,
                         const char **key, const char **text,
                         struct ou_err *err)
{
    for (int g = 0; g < a->spec.ngroup; g++) {
        const char *s = rec->group[a->spec.group[g]];
        key[g] = pool_intern(&a->pool, &a->arena, s);
        if (s != NULL && key[g] == NULL)
            return ou_nomem(err);
    }
    for (int m = 0; m < a->nmetrics; m++) {
        const char *s = a->spec.ep->metrics[m].kind == MK_TEXT ? rec->text[m]
                                                               : NULL;
        text[m] = pool_intern(&a->pool, &a->arena, s);
        if (s != NULL && text[m] == NULL)
            return ou_nomem(err);
    }
    return 0;
}

/* A name a result gave a group's id (the group at position g). */
struct hint {
    int g;
    const char *id;   /* interned */
    const char *name; /* interned */
};

static bool hint_eq(const void *entry, const void *key)
{
    const struct hint *x = entry;
    const struct hint *y = key;
    return x->g == y->g && x->id == y->id;
}

static uint64_t hint_hash(int g, const char *id)
{
    return hash_mix((uint64_t)(uintptr_t)id, (uint64_t)g);
}

/* Remember the first name the results give each group id. */
static int note_hints(struct agg *a, const struct record *rec, const char **key,
                      struct ou_err *err)
{
    for (int g = 0; g < a->spec.ngroup; g++) {
        const char *name = rec->hint[a->spec.group[g]];
        if (name == NULL || key[g] == NULL)
            continue;
        struct hint k = { g, key[g], NULL };
        uint64_t h = hint_hash(g, key[g]);
        if (htab_reserve(&a->hints) != 0)
            return ou_nomem(err);
        size_t i = htab_probe(&a->hints, h, hint_eq, &k);
        if (a->hints.entry[i] != NULL)
            continue;
        struct hint *e = arena_alloc(&a->arena, sizeof(*e));
        if (e == NULL ||
            (k.name = pool_intern(&a->pool, &a->arena, name)) == NULL)
            return ou_nomem(err);
        *e = k;
        htab_set(&a->hints, i, h, e);
    }
    return 0;
}

const char *agg_hint(const struct agg *a, int g, const char *id)
{
    /* ids are interned: look the pool's copy up first */
    const char *own = htab_find(&a->pool, hash_str(id), str_eq, id);
    struct hint k = { g, own, NULL };
    const struct hint *e = own != NULL ? htab_find(&a->hints, hint_hash(g, own),
                                                   hint_eq, &k)
                                       : NULL;
    return e != NULL ? e->name : NULL;
}

int agg_add(struct agg *a, const struct record *rec, struct ou_err *err)
{
    const char *key[EP_MAX_GROUPS] = { NULL };
    const char *text[EP_MAX_METRICS] = { NULL };
    struct agg_row *r;
    int64_t t0 = 0;
    int rc;

    rc = intern_record(a, rec, key, text, err);
    if (rc == 0)
        rc = note_hints(a, rec, key, err);
    if (rc != 0)
        return rc;
    if (a->spec.records) {
        r = row_new(a, rec->start_time, rec->end_time, key, text);
        if (r == NULL || rowvec_push(&a->rows, r) != 0)
            return ou_nomem(err);
        return fold(a, r, rec, err);
    }
    if (a->spec.per == TU_PER_BUCKET)
        t0 = rec->start_time;
    else if (a->spec.per != TU_PER_NONE)
        t0 = period_start(&a->spec, a->spec.per, rec->start_time);
    if (htab_reserve(&a->map) != 0)
        return ou_nomem(err);
    struct row_key k = { a, t0, key, text };
    uint64_t h = row_hash(a, t0, key, text);
    size_t i = htab_probe(&a->map, h, row_eq, &k);
    r = a->map.entry[i];
    if (r == NULL) {
        r = row_new(a, t0, 0, key, text);
        if (r == NULL || rowvec_push(&a->rows, r) != 0)
            return ou_nomem(err);
        htab_set(&a->map, i, h, r);
    }
    return fold(a, r, rec, err);
}

/* The row of dst for (t0, key, text) (interned in dst), made if new. */
static struct agg_row *row_at(struct agg *dst, int64_t t0, const char **key,
                              const char **text)
{
    struct row_key k = { dst, t0, key, text };
    uint64_t h = row_hash(dst, t0, key, text);
    struct agg_row *r;

    if (htab_reserve(&dst->map) != 0)
        return NULL;
    size_t i = htab_probe(&dst->map, h, row_eq, &k);
    if ((r = dst->map.entry[i]) != NULL)
        return r;
    r = row_new(dst, t0, 0, key, text);
    if (r == NULL || rowvec_push(&dst->rows, r) != 0)
        return NULL;
    htab_set(&dst->map, i, h, r);
    return r;
}

/* src's row r added into dst's row d: sums exactly, levels by age. */
static int merge_row(const struct agg *a, struct agg_row *d,
                     const struct agg_row *r, struct ou_err *err)
{
    const struct endpoint *ep = a->spec.ep;
    bool newer = r->level_ts > d->level_ts;
    bool same = r->level_ts == d->level_ts;
    int rc = 0;

    if (newer)
        d->level_ts = r->level_ts;
    for (int m = 0; m < a->nmetrics && rc == 0; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        bool level = md->agg == MA_LEVEL;
        if (level && !newer && !same)
            continue; /* an older level than the one held */
        rc = add_metric(d, m, md, r->ival[m],
                        r->dval != NULL ? &r->dval[m] : NULL, r->present[m],
                        level && newer, err);
    }
    return rc;
}

int agg_merge(struct agg *dst, struct agg *src, struct ou_err *err)
{
    const char *key[EP_MAX_GROUPS], *text[EP_MAX_METRICS];
    int rc = 0;

    for (size_t i = 0; i < src->rows.n && rc == 0; i++) {
        const struct agg_row *r = src->rows.v[i];
        for (int g = 0; g < dst->spec.ngroup; g++)
            if ((key[g] = pool_intern(&dst->pool, &dst->arena, r->key[g])) ==
                    NULL &&
                r->key[g] != NULL)
                return ou_nomem(err);
        for (int m = 0; m < dst->nmetrics; m++)
            if ((text[m] = pool_intern(&dst->pool, &dst->arena, r->text[m])) ==
                    NULL &&
                r->text[m] != NULL)
                return ou_nomem(err);
        struct agg_row *d = row_at(dst, r->t0, key, text);
        rc = d != NULL ? merge_row(dst, d, r, err) : ou_nomem(err);
    }
    /* the names results gave ids: the first one dst saw stays */
    for (size_t i = 0; i < src->hints.cap && rc == 0; i++) {
        const struct hint *e = src->hints.entry[i];
        struct record rec;
        if (e == NULL)
            continue;
        memset(rec.group, 0, sizeof(rec.group));
        memset(rec.hint, 0, sizeof(rec.hint));
        rec.group[dst->spec.group[e->g]] = e->id;
        rec.hint[dst->spec.group[e->g]] = e->name;
        for (int g = 0; g < dst->spec.ngroup; g++)
            key[g] = g == e->g ? pool_intern(&dst->pool, &dst->arena, e->id)
                               : NULL;
        if (key[e->g] == NULL)
            return ou_nomem(err);
        rc = note_hints(dst, &rec, key, err);
    }
    for (size_t i = 0; i < src->periods.n && rc == 0; i++)
        if (i64_push(&dst->periods, src->periods.v[i]) != 0)
            rc = ou_nomem(err);
    for (size_t i = 0; i < src->bstarts.n && rc == 0; i++)
        if (i64_push(&dst->bstarts, src->bstarts.v[i]) != 0)
            rc = ou_nomem(err);
    agg_free(src);
    return rc;
}

int agg_bucket(struct agg *a, int64_t start, int64_t end, struct ou_err *err)
{
    (void)end;
    if (a->spec.records)
        return 0;
    if (a->has_level && i64_push(&a->bstarts, start) != 0)
        return ou_nomem(err);
    if (a->spec.per == TU_PER_NONE)
        return 0;
    int64_t p = a->spec.per == TU_PER_BUCKET
                    ? start
                    : period_start(&a->spec, a->spec.per, start);
    /* Buckets may arrive in any order (concurrent pages): duplicates are
     * dropped here when adjacent, and for good in agg_finish. */
    if (a->periods.n > 0 && a->periods.v[a->periods.n - 1] == p)
        return 0;
    return i64_push(&a->periods, p) == 0 ? 0 : ou_nomem(err);
}

/* ---- ordering ------------------------------------------------------------- */

static int cmp_str(const char *x, const char *y)
{
    if (x == y)
        return 0;
    if (x == NULL)
        return 1; /* nulls last */
    if (y == NULL)
        return -1;
    return strcmp(x, y);
}

static int cmp_metric_desc(const struct agg *a, const struct agg_row *x,
                           const struct agg_row *y)
{
    int m = a->spec.ep->sort_metric;
    const struct metric_desc *md = &a->spec.ep->metrics[m];

    if (md->kind == MK_INT)
        return (x->ival[m] < y->ival[m]) - (x->ival[m] > y->ival[m]);
    if (md->kind == MK_DEC) {
        if (x->present[m] != y->present[m])
            return x->present[m] ? -1 : 1;
        return -dec_cmp(&x->dval[m], &y->dval[m]);
    }
    return 0;
}

static int row_cmp(const struct agg *a, const struct agg_row *x,
                   const struct agg_row *y)
{
    int c;

    if (a->spec.records || a->spec.per != TU_PER_NONE) {
        if (x->t0 != y->t0)
            return x->t0 < y->t0 ? -1 : 1;
    }
    if (!a->spec.records) {
        c = cmp_metric_desc(a, x, y);
        if (c != 0)
            return c;
    }
    for (int g = 0; g < a->spec.ngroup; g++) {
        c = cmp_str(x->key[g], y->key[g]);
        if (c != 0)
            return c;
    }
    for (int m = 0; m < a->nmetrics; m++) {
        if (a->spec.ep->metrics[m].kind != MK_TEXT)
            continue;
        c = cmp_str(x->text[m], y->text[m]);
        if (c != 0)
            return c;
    }
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static void merge_sort(const struct agg *a, struct agg_row **v,
                       struct agg_row **tmp, size_t n)
{
    if (n < 2)
        return;
    size_t h = n / 2;
    merge_sort(a, v, tmp, h);
    merge_sort(a, v + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = row_cmp(a, v[j], v[i]) < 0 ? v[j++] : v[i++];
    while (i < h)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof(*v));
}

/* ---- totals --------------------------------------------------------------- */

static bool same_total_key(const struct agg *a, const struct agg_row *t,
                           const struct agg_row *r)
{
    for (int m = 0; m < a->nmetrics; m++) {
        const struct metric_desc *md = &a->spec.ep->metrics[m];
        if (md->kind == MK_TEXT && md->total_key && t->text[m] != r->text[m])
            return false;
    }
    return true;
}

static int add_to_total(struct agg *a, struct agg_row *t,
                        const struct agg_row *r, bool latest,
                        struct ou_err *err)
{
    const struct endpoint *ep = a->spec.ep;
    int rc = 0;

    for (int m = 0; m < a->nmetrics && rc == 0; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        if (md->agg == MA_LEVEL && !latest)
            continue;
        rc = add_metric(t, m, md, r->ival[m], r->dval ? &r->dval[m] : NULL,
                        r->present[m], false, err);
    }
    return rc;
}

static int compute_totals(struct agg *a, struct ou_err *err)
{
    const struct endpoint *ep = a->spec.ep;
    bool *mixed = calloc((size_t)a->nmetrics, sizeof(*mixed));
    int rc = 0;

    if (mixed == NULL)
        return ou_nomem(err);
    for (size_t i = 0; i < a->rows.n && rc == 0; i++) {
        const struct agg_row *r = a->rows.v[i];
        struct agg_row *t = NULL;
        for (size_t k = 0; k < a->totals.n; k++) {
            if (same_total_key(a, a->totals.v[k], r)) {
                t = a->totals.v[k];
                break;
            }
        }
        if (t == NULL) {
            t = row_new(a, 0, 0, NULL, r->text);
            if (t == NULL || rowvec_push(&a->totals, t) != 0) {
                rc = ou_nomem(err);
                break;
            }
            for (int m = 0; m < a->nmetrics; m++) {
                if (ep->metrics[m].kind == MK_DEC)
                    t->present[m] = false;
            }
        }
        for (int m = 0; m < a->nmetrics; m++) {
            const struct metric_desc *md = &ep->metrics[m];
            if (md->kind == MK_TEXT && !md->total_key &&
                t->text[m] != r->text[m])
                mixed[m] = true;
        }
        /* A level's total is its value at the window's end: the rows of
         * the last period (absent groups were zeroed by agg_finish). */
        bool latest = !a->has_level || a->spec.records ||
                      a->spec.per == TU_PER_NONE || r->t0 == a->last_period;
        rc = add_to_total(a, t, r, latest, err);
    }
    /* A label that differs between rows cannot label their sum. */
    for (size_t k = 0; k < a->totals.n && rc == 0; k++) {
        struct agg_row *t = a->totals.v[k];
        for (int m = 0; m < a->nmetrics; m++) {
            const struct metric_desc *md = &ep->metrics[m];
            if (md->kind != MK_TEXT || !mixed[m])
                continue;
            t->text[m] = NULL;
            t->present[m] = false;
            int lm = md->labels ? endpoint_metric_index(ep, md->labels) : -1;
            if (lm >= 0)
                t->present[lm] = false;
        }
        for (int m = 0; m < a->nmetrics; m++) {
            if (ep->metrics[m].kind == MK_DEC && !ep->metrics[m].nullable)
                t->present[m] = true;
        }
    }
    if (rc == 0 && a->totals.n == 0) {
        struct agg_row *t = row_new(a, 0, 0, NULL, NULL);
        if (t == NULL || rowvec_push(&a->totals, t) != 0)
            rc = ou_nomem(err);
    }
    free(mixed);
    return rc;
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x;
    int64_t b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* The distinct periods the buckets touched, sorted. */
static void sort_periods(struct agg *a)
{
    size_t n = 0;

    if (a->periods.n > 1)
        qsort(a->periods.v, a->periods.n, sizeof(*a->periods.v), cmp_i64);
    for (size_t i = 0; i < a->periods.n; i++) {
        if (n == 0 || a->periods.v[i] != a->periods.v[n - 1])
            a->periods.v[n++] = a->periods.v[i];
    }
    a->periods.n = n;
}

/* Without group fields, every period the buckets touched has a row (zero
 * when idle): the API's buckets are dense, so an idle day is a fact. */
static int dense_periods(struct agg *a, struct ou_err *err)
{
    size_t n = a->rows.n;
    int64_t *seen = malloc((n ? n : 1) * sizeof(*seen));
    size_t k = 0;

    if (seen == NULL)
        return ou_nomem(err);
    for (size_t i = 0; i < n; i++)
        seen[i] = a->rows.v[i]->t0;
    qsort(seen, n, sizeof(*seen), cmp_i64);
    for (size_t i = 0; i < a->periods.n; i++) {
        while (k < n && seen[k] < a->periods.v[i])
            k++;
        if (k < n && seen[k] == a->periods.v[i])
            continue;
        struct agg_row *r = row_new(a, a->periods.v[i], 0, NULL, NULL);
        if (r == NULL || rowvec_push(&a->rows, r) != 0) {
            free(seen);
            return ou_nomem(err);
        }
    }
    free(seen);
    return 0;
}

/* Zero a row's levels: the group was absent from the last bucket. */
static void zero_levels(struct agg *a, struct agg_row *r, int64_t last)
{
    for (int m = 0; m < a->nmetrics; m++) {
        if (a->spec.ep->metrics[m].agg == MA_LEVEL)
            r->ival[m] = 0;
    }
    r->level_ts = last;
}

/* A level at the end of a period is its value in the period's last bucket:
 * a group absent from that bucket holds nothing then. Finds each period's
 * last bucket (bucket starts sorted, one pass) and zeroes the rows that do
 * not come from it; notes the window's last period for the totals. */
static int levels_at_period_end(struct agg *a, struct ou_err *err)
{
    struct i64vec ends = { NULL, 0, 0 }; /* pairs: period, last bucket */
    enum tu_period per = a->spec.per;

    if (!a->has_level || a->spec.records)
        return 0;
    if (a->bstarts.n == 0) {
        for (size_t i = 0; i < a->rows.n; i++) {
            if (i == 0 || a->rows.v[i]->t0 > a->last_period)
                a->last_period = a->rows.v[i]->t0;
        }
        return 0;
    }
    qsort(a->bstarts.v, a->bstarts.n, sizeof(*a->bstarts.v), cmp_i64);
    for (size_t i = 0; i < a->bstarts.n; i++) {
        int64_t b = a->bstarts.v[i];
        int64_t p = per == TU_PER_NONE     ? 0
                    : per == TU_PER_BUCKET ? b
                                           : period_start(&a->spec, per, b);
        if (ends.n > 0 && ends.v[ends.n - 2] == p)
            ends.v[ends.n - 1] = b;
        else if (i64_push(&ends, p) != 0 || i64_push(&ends, b) != 0) {
            free(ends.v);
            return ou_nomem(err);
        }
    }
    a->last_period = ends.v[ends.n - 2];
    for (size_t i = 0; i < a->rows.n; i++) {
        struct agg_row *r = a->rows.v[i];
        size_t lo = 0;
        size_t hi = ends.n / 2;
        while (lo + 1 < hi) { /* the pair of the row's period */
            size_t mid = (lo + hi) / 2;
            if (ends.v[2 * mid] <= r->t0)
                lo = mid;
            else
                hi = mid;
        }
        if (r->level_ts < ends.v[2 * lo + 1])
            zero_levels(a, r, ends.v[2 * lo + 1]);
    }
    free(ends.v);
    return 0;
}

int agg_finish(struct agg *a, struct ou_err *err)
{
    int rc;

    if ((rc = levels_at_period_end(a, err)) != 0)
        return rc;
    sort_periods(a);
    if (!a->spec.records && a->spec.ngroup == 0) {
        if (a->spec.per != TU_PER_NONE) {
            if ((rc = dense_periods(a, err)) != 0)
                return rc;
        } else if (a->rows.n == 0) {
            struct agg_row *r = row_new(a, 0, 0, NULL, NULL);
            if (r == NULL || rowvec_push(&a->rows, r) != 0)
                return ou_nomem(err);
        }
    }
    if (a->rows.n > 1) {
        struct agg_row **tmp = malloc(a->rows.n * sizeof(*tmp));
        if (tmp == NULL)
            return ou_nomem(err);
        merge_sort(a, a->rows.v, tmp, a->rows.n);
        free(tmp);
    }
    return compute_totals(a, err);
}

/* ---- folding an aggregate again -------------------------------------------- */

/* Row r of a as a record starting at its period (for agg_add). */
static void row_record(const struct agg *a, const struct agg_row *r,
                       struct record *rec)
{
    const struct agg_spec *sp = &a->spec;

    memset(rec, 0, sizeof(*rec));
    rec->start_time = r->t0;
    rec->end_time = r->t0;
    for (int g = 0; g < sp->ngroup; g++)
        rec->group[sp->group[g]] = r->key[g];
    for (int m = 0; m < a->nmetrics; m++) {
        rec->ival[m] = r->ival[m];
        if (r->dval != NULL)
            rec->dval[m] = r->dval[m];
        rec->text[m] = r->text[m];
        rec->present[m] = r->present[m];
    }
}

struct agg *agg_regroup(const struct agg *a, const struct agg_spec *spec,
                        struct ou_err *err)
{
    struct agg *b = agg_new(spec);
    struct record *rec = malloc(sizeof(*rec));
    int rc = 0;

    if (b == NULL || rec == NULL) {
        agg_free(b);
        free(rec);
        ou_nomem(err);
        return NULL;
    }
    /* Rows are in period order, so a level keeps its latest period. */
    for (size_t i = 0; i < a->rows.n && rc == 0; i++) {
        row_record(a, a->rows.v[i], rec);
        rc = agg_add(b, rec, err);
    }
    for (size_t i = 0; i < a->periods.n && rc == 0; i++)
        rc = agg_bucket(b, a->periods.v[i], a->periods.v[i], err);
    if (rc == 0)
        rc = agg_finish(b, err);
    free(rec);
    if (rc != 0) {
        agg_free(b);
        return NULL;
    }
    return b;
}

size_t agg_nperiods(const struct agg *a)
{
    return a->periods.n;
}

int64_t agg_period_at(const struct agg *a, size_t i)
{
    return i < a->periods.n ? a->periods.v[i] : 0;
}

size_t agg_nrows(const struct agg *a)
{
    return a->rows.n;
}

const struct agg_row *agg_row_at(const struct agg *a, size_t i)
{
    return i < a->rows.n ? a->rows.v[i] : NULL;
}

size_t agg_ntotals(const struct agg *a)
{
    return a->totals.n;
}

const struct agg_row *agg_total_at(const struct agg *a, size_t i)
{
    return i < a->totals.n ? a->totals.v[i] : NULL;
}

const struct agg_spec *agg_spec_of(const struct agg *a)
{
    return &a->spec;
}
