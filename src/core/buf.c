/* buf.c - growable byte buffer with a size cap. */
#include "oaiusage/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->toobig = false;
}

void buf_release(struct buf *b)
{
    size_t max = b->max;

    free(b->data);
    buf_init(b, max);
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    b->toobig = false;
    if (b->data != NULL)
        b->data[0] = '\0';
}

static int buf_grow(struct buf *b, size_t extra)
{
    size_t need;
    size_t cap;
    char *p;

    if (extra > SIZE_MAX - b->len - 1)
        return -1;
    need = b->len + extra + 1;
    if (b->max != 0 && b->len + extra > b->max) {
        b->toobig = true;
        return -1;
    }
    if (need <= b->cap)
        return 0;
    cap = b->cap != 0 ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    p = realloc(b->data, cap);
    if (p == NULL)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int buf_reserve(struct buf *b, size_t n)
{
    return buf_grow(b, n);
}

int buf_append(struct buf *b, const void *p, size_t n)
{
    if (buf_grow(b, n) != 0)
        return -1;
    if (n != 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_puts(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
    return buf_append(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;

    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || buf_grow(b, (size_t)n) != 0)
        return -1;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *buf_detach(struct buf *b, size_t *len)
{
    char *p = b->data;

    if (len != NULL)
        *len = b->len;
    if (p == NULL)
        p = calloc(1, 1);
    buf_init(b, b->max);
    return p;
}
