/* buf.h - growable byte buffer with a size cap.
 *
 * Invariants: data is always NUL-terminated when non-NULL (len excludes the
 * NUL); buf_init allocates nothing; buf_release frees data and re-inits.
 * Appends fail (return -1, buffer unchanged) when the result would exceed
 * max (0 = no cap) or memory runs out; b->toobig tells which.
 */
#ifndef OAIUSAGE_BUF_H
#define OAIUSAGE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
    char *data;  /* owned; NULL until the first append */
    size_t len;  /* bytes used, excluding the terminating NUL */
    size_t cap;  /* bytes allocated */
    size_t max;  /* size cap in bytes, 0 = unlimited */
    bool toobig; /* set when an append failed because of max */
};

void buf_init(struct buf *b, size_t max);
void buf_release(struct buf *b);
void buf_reset(struct buf *b); /* len = 0, keeps the allocation */
int buf_append(struct buf *b, const void *p, size_t n);
/* Make room for n more bytes, so the next appends of up to n bytes do not
 * move data. */
int buf_reserve(struct buf *b, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Hand the data to the caller (free() it); the buffer is re-initialised. */
char *buf_detach(struct buf *b, size_t *len);

#endif
