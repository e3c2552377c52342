/* util.h - small shared helpers: hashing (splitmix64), UTC calendar math,
 * exact fixed-point decimal formatting, growable string lists and buffers.
 * Nothing here knows about HTTP, pages or the dataset. */
#ifndef OAIMOCK_UTIL_H
#define OAIMOCK_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- hashing ---------------------------------------------------------- */
uint64_t mix64(uint64_t x);
uint64_t hash_str(uint64_t h, const char *s);
/* splitmix64 PRNG step; state advanced in place */
uint64_t prng_next(uint64_t *state);
/* uniform-ish integer in [lo, hi] from a hash value */
int64_t hash_range(uint64_t h, int64_t lo, int64_t hi);

/* ---- time (UTC, Unix seconds >= 0) ------------------------------------ */
#define SECS_MINUTE 60
#define SECS_HOUR 3600
#define SECS_DAY 86400
int64_t floor_to(int64_t t, int64_t width);
int64_t floor_week(int64_t t);  /* Monday 00:00 UTC of the ISO week */
int64_t floor_month(int64_t t); /* 1st of month 00:00 UTC */
/* "2025-01-11T17:31:00Z"; out must hold >= 32 bytes */
void fmt_rfc3339(int64_t t, char *out, size_t n);
/* strict base-10 int64 parse (optional leading '-'), whole string */
bool parse_int64(const char *s, int64_t *out);

/* ---- exact decimals ----------------------------------------------------
 * A value is an int64 count of 10^-scale units. */
/* plain decimal, trailing zeros trimmed, at least min_decimals decimals */
void fmt_fixed(int64_t v, int scale, int min_decimals, char *out, size_t n);
/* Python repr() style: exponent form ("3.5e-05") when 0 < |value| < 1e-4,
 * plain trimmed decimal otherwise */
void fmt_pyrepr(int64_t v, int scale, char *out, size_t n);

/* ---- string list -------------------------------------------------------- */
typedef struct {
    char **items;
    size_t len, cap;
} strlist;
void strlist_push(strlist *l, const char *s);
void strlist_push_n(strlist *l, const char *s, size_t n);
bool strlist_contains(const strlist *l, const char *s);
/* split s on ',' and push each non-empty piece */
void strlist_push_split(strlist *l, const char *s);
void strlist_sort_unique(strlist *l);
void strlist_free(strlist *l);

/* ---- growable byte buffer ---------------------------------------------- */
typedef struct {
    char *data;
    size_t len, cap;
} strbuf;
void sb_append(strbuf *b, const char *s);
void sb_append_n(strbuf *b, const char *s, size_t n);
void sb_printf(strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sb_free(strbuf *b);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t sz);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* ---- base64 (standard alphabet; decoder also takes url-safe) ---------- */
void b64_encode(const unsigned char *in, size_t n, char *out, size_t outn);
/* returns decoded length or -1 on malformed input */
long b64_decode(const char *in, unsigned char *out, size_t outn);

#endif
