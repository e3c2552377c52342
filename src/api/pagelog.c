/* pagelog.c - a page's events, written down and replayed (see pagelog.h).
 *
 * The format, native byte order (a log never leaves the process): a tag
 * byte, then for 'B' (a bucket) two int64 bounds; for 'R' (a record) its
 * bounds, each group field and hint (strings), then per metric a present
 * byte and its value by kind (int64, struct dec, or a string); for 'U' (an
 * unknown field) the field and the number (strings). A string is a uint32
 * length (UINT32_MAX: NULL) and its bytes with a NUL.
 */
#include "oaiusage/pagelog.h"

#include <stdint.h>
#include <string.h>

#define NULL_STR UINT32_MAX

void pagelog_init(struct pagelog *l, const struct endpoint *ep)
{
    l->ep = ep;
    buf_init(&l->b, 0);
}

void pagelog_release(struct pagelog *l)
{
    buf_release(&l->b);
}

void pagelog_reset(struct pagelog *l)
{
    l->b.len = 0;
}

/* The most a record can take in the log besides its strings. */
#define RECORD_FIXED                                \
    ((size_t)1 + 2 * sizeof(int64_t) +              \
     (size_t)2 * EP_MAX_GROUPS * sizeof(uint32_t) + \
     (size_t)EP_MAX_METRICS * (1 + sizeof(struct dec) + sizeof(uint32_t)))

/* Room for n more bytes at the log's end: where to write them, or NULL
 * when out of memory; done() then says where the writing stopped. */
static char *room_for(struct pagelog *l, size_t n)
{
    return buf_reserve(&l->b, n) == 0 ? l->b.data + l->b.len : NULL;
}

static void done(struct pagelog *l, const char *p)
{
    l->b.len = (size_t)(p - l->b.data);
}

/* Append n bytes at *p (room reserved by the caller). */
static void put_at(char **p, const void *v, size_t n)
{
    memcpy(*p, v, n);
    *p += n;
}

static void put_str_at(char **p, const char *s)
{
    uint32_t n = s != NULL ? (uint32_t)strlen(s) : NULL_STR;

    put_at(p, &n, sizeof(n));
    if (s != NULL)
        put_at(p, s, (size_t)n + 1);
}

/* A string's bytes in the log, besides its length. */
static size_t str_room(const char *s)
{
    return s != NULL ? strlen(s) + 1 : 0;
}

static int log_bucket(void *ctx, int64_t start, int64_t end, struct ou_err *err)
{
    struct pagelog *l = ctx;
    int64_t t[2] = { start, end };
    char *p = room_for(l, 1 + sizeof(t));

    if (p == NULL)
        return ou_nomem(err);
    put_at(&p, "B", 1);
    put_at(&p, t, sizeof(t));
    done(l, p);
    return 0;
}

static int log_record(void *ctx, const struct record *rec, struct ou_err *err)
{
    struct pagelog *l = ctx;
    const struct endpoint *ep = l->ep;
    size_t room = RECORD_FIXED;
    int64_t t[2] = { rec->start_time, rec->end_time };

    for (int g = 0; g < ep->ngroups; g++)
        room += str_room(rec->group[g]) + str_room(rec->hint[g]);
    for (int m = 0; m < ep->nmetrics; m++) {
        if (ep->metrics[m].kind == MK_TEXT)
            room += str_room(rec->text[m]);
    }
    char *p = room_for(l, room);
    if (p == NULL)
        return ou_nomem(err);
    put_at(&p, "R", 1);
    put_at(&p, t, sizeof(t));
    for (int g = 0; g < ep->ngroups; g++) {
        put_str_at(&p, rec->group[g]);
        put_str_at(&p, rec->hint[g]);
    }
    for (int m = 0; m < ep->nmetrics; m++) {
        unsigned char present = rec->present[m];
        put_at(&p, &present, 1);
        switch (ep->metrics[m].kind) {
        case MK_INT:
            put_at(&p, &rec->ival[m], sizeof(rec->ival[m]));
            break;
        case MK_DEC:
            put_at(&p, &rec->dval[m], sizeof(rec->dval[m]));
            break;
        case MK_TEXT:
            put_str_at(&p, rec->text[m]);
            break;
        }
    }
    done(l, p);
    return 0;
}

static int log_unknown(void *ctx, const char *field, const char *number,
                       struct ou_err *err)
{
    struct pagelog *l = ctx;
    char *p = room_for(l, 1 + 2 * sizeof(uint32_t) + str_room(field) +
                              str_room(number));

    if (p == NULL)
        return ou_nomem(err);
    put_at(&p, "U", 1);
    put_str_at(&p, field);
    put_str_at(&p, number);
    done(l, p);
    return 0;
}

void pagelog_sink(struct pagelog *l, struct page_sink *out)
{
    *out = (struct page_sink){ log_bucket, log_record, l, log_unknown };
}

/* ---- reading it back --------------------------------------------------- */

struct reader {
    const char *p;
    const char *end;
};

static void get(struct reader *r, void *out, size_t n)
{
    memcpy(out, r->p, n);
    r->p += n;
}

static const char *get_str(struct reader *r)
{
    uint32_t n;
    const char *s;

    get(r, &n, sizeof(n));
    if (n == NULL_STR)
        return NULL;
    s = r->p;
    r->p += (size_t)n + 1;
    return s;
}

/* Only the endpoint's own fields are set, each metric's by its kind. */
static void read_record(struct reader *rd, const struct endpoint *ep,
                        struct record *rec)
{
    int64_t t[2];

    get(rd, t, sizeof(t));
    rec->start_time = t[0];
    rec->end_time = t[1];
    for (int g = 0; g < ep->ngroups; g++) {
        rec->group[g] = get_str(rd);
        rec->hint[g] = get_str(rd);
    }
    for (int m = 0; m < ep->nmetrics; m++) {
        unsigned char present;
        get(rd, &present, 1);
        rec->present[m] = present != 0;
        switch (ep->metrics[m].kind) {
        case MK_INT:
            get(rd, &rec->ival[m], sizeof(rec->ival[m]));
            break;
        case MK_DEC:
            get(rd, &rec->dval[m], sizeof(rec->dval[m]));
            break;
        case MK_TEXT:
            rec->text[m] = get_str(rd);
            break;
        }
    }
}

int pagelog_replay(const struct pagelog *l, const struct page_sink *sink,
                   struct ou_err *err)
{
    struct reader rd = { l->b.data, l->b.data + l->b.len };
    struct record rec;
    int rc = 0;

    /* zeroed once: each record writes only its endpoint's fields (by
     * kind), so what no record writes stays null and zero */
    memset(&rec, 0, sizeof(rec));

    while (rc == 0 && rd.p != NULL && rd.p < rd.end) {
        char tag = *rd.p++;
        int64_t t[2];
        const char *field, *number;
        switch (tag) {
        case 'B':
            get(&rd, t, sizeof(t));
            if (sink->bucket != NULL)
                rc = sink->bucket(sink->ctx, t[0], t[1], err);
            break;
        case 'R':
            read_record(&rd, l->ep, &rec);
            if (sink->record != NULL)
                rc = sink->record(sink->ctx, &rec, err);
            break;
        default: /* 'U' */
            field = get_str(&rd);
            number = get_str(&rd);
            if (sink->unknown != NULL)
                rc = sink->unknown(sink->ctx, field, number, err);
            break;
        }
    }
    return rc;
}
