/* util.c - implementation of the small shared helpers declared in util.h:
 * hashing, UTC calendar math, exact decimal formatting, lists, buffers,
 * base64. */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- allocation -------------------------------------------------------- */

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fputs("oaiusage-mock: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *xcalloc(size_t n, size_t sz)
{
    void *p = calloc(n ? n : 1, sz ? sz : 1);
    if (!p) {
        fputs("oaiusage-mock: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("oaiusage-mock: out of memory\n", stderr);
        abort();
    }
    return q;
}

char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xmalloc(n);
    memcpy(d, s, n);
    return d;
}

/* ---- hashing ----------------------------------------------------------- */

uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t hash_str(uint64_t h, const char *s)
{
    /* FNV-1a folded through mix64 */
    uint64_t f = 0xcbf29ce484222325ULL ^ h;
    for (; *s; s++) {
        f ^= (unsigned char)*s;
        f *= 0x100000001b3ULL;
    }
    return mix64(f);
}

uint64_t prng_next(uint64_t *state)
{
    *state += 0x9e3779b97f4a7c15ULL;
    uint64_t z = *state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int64_t hash_range(uint64_t h, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    return lo + (int64_t)(h % span);
}

/* ---- time -------------------------------------------------------------- */

int64_t floor_to(int64_t t, int64_t width)
{
    int64_t r = t % width;
    if (r < 0)
        r += width;
    return t - r;
}

int64_t floor_week(int64_t t)
{
    int64_t day = floor_to(t, SECS_DAY) / SECS_DAY;
    /* 1970-01-01 was a Thursday: (day + 3) % 7 == 0 on Mondays */
    int64_t dow = (day + 3) % 7;
    if (dow < 0)
        dow += 7;
    return (day - dow) * SECS_DAY;
}

/* civil date <-> days since epoch (H. Hinnant's algorithms) */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

int64_t floor_month(int64_t t)
{
    int64_t y;
    unsigned m, d;
    civil_from_days(floor_to(t, SECS_DAY) / SECS_DAY, &y, &m, &d);
    return days_from_civil(y, m, 1) * SECS_DAY;
}

void fmt_rfc3339(int64_t t, char *out, size_t n)
{
    int64_t day = floor_to(t, SECS_DAY) / SECS_DAY;
    int64_t sod = t - day * SECS_DAY;
    int64_t y;
    unsigned m, d;
    civil_from_days(day, &y, &m, &d);
    snprintf(out, n, "%04lld-%02u-%02uT%02d:%02d:%02dZ", (long long)y, m, d,
             (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
}

bool parse_int64(const char *s, int64_t *out)
{
    if (!s || !*s)
        return false;
    const char *p = s;
    if (*p == '-')
        p++;
    if (!*p)
        return false;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return false;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return false;
    *out = (int64_t)v;
    return true;
}

/* ---- exact decimals ---------------------------------------------------- */

static int64_t pow10i(int e)
{
    int64_t p = 1;
    while (e-- > 0)
        p *= 10;
    return p;
}

void fmt_fixed(int64_t v, int scale, int min_decimals, char *out, size_t n)
{
    bool neg = v < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t p = (uint64_t)pow10i(scale);
    uint64_t ip = u / p, fp = u % p;
    char frac[32] = "";
    if (scale > 18)
        scale = 18;
    if (scale > 0) {
        for (int i = scale - 1; i >= 0; i--, fp /= 10)
            frac[i] = (char)('0' + fp % 10);
        frac[scale] = '\0';
        int keep = scale;
        while (keep > min_decimals && frac[keep - 1] == '0')
            keep--;
        frac[keep] = '\0';
    }
    int extra = min_decimals > scale ? min_decimals - scale : 0;
    snprintf(out, n, "%s%llu%s%s%.*s", neg ? "-" : "", (unsigned long long)ip,
             frac[0] || extra ? "." : "", frac, extra, "0000000000000000");
}

void fmt_pyrepr(int64_t v, int scale, char *out, size_t n)
{
    bool neg = v < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    if (u == 0 || scale < 4 || u >= (uint64_t)pow10i(scale - 4)) {
        fmt_fixed(v, scale, 0, out, n);
        return;
    }
    char digits[32];
    snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
    int len = (int)strlen(digits), stripped = 0;
    while (len > 1 && digits[len - 1] == '0') {
        digits[--len] = '\0';
        stripped++;
    }
    int exp10 = (len - 1) + stripped - scale; /* exponent of leading digit */
    snprintf(out, n, "%s%c%s%s%se-%02d", neg ? "-" : "", digits[0],
             len > 1 ? "." : "", digits + 1, "", -exp10);
}

/* ---- string list ------------------------------------------------------- */

void strlist_push_n(strlist *l, const char *s, size_t n)
{
    if (l->len == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->items = xrealloc(l->items, l->cap * sizeof *l->items);
    }
    char *c = xmalloc(n + 1);
    memcpy(c, s, n);
    c[n] = '\0';
    l->items[l->len++] = c;
}

void strlist_push(strlist *l, const char *s)
{
    strlist_push_n(l, s, strlen(s));
}

bool strlist_contains(const strlist *l, const char *s)
{
    for (size_t i = 0; i < l->len; i++)
        if (strcmp(l->items[i], s) == 0)
            return true;
    return false;
}

void strlist_push_split(strlist *l, const char *s)
{
    while (*s) {
        const char *c = strchr(s, ',');
        size_t n = c ? (size_t)(c - s) : strlen(s);
        if (n > 0)
            strlist_push_n(l, s, n);
        s += n;
        if (*s == ',')
            s++;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void strlist_sort_unique(strlist *l)
{
    if (l->len < 2)
        return;
    qsort(l->items, l->len, sizeof *l->items, cmp_str);
    size_t w = 1;
    for (size_t r = 1; r < l->len; r++) {
        if (strcmp(l->items[r], l->items[w - 1]) == 0)
            free(l->items[r]);
        else
            l->items[w++] = l->items[r];
    }
    l->len = w;
}

void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->len; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->len = l->cap = 0;
}

/* ---- string buffer ----------------------------------------------------- */

void sb_append_n(strbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t c = b->cap ? b->cap : 256;
        while (c < b->len + n + 1)
            c *= 2;
        b->data = xrealloc(b->data, c);
        b->cap = c;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void sb_append(strbuf *b, const char *s)
{
    sb_append_n(b, s, strlen(s));
}

void sb_printf(strbuf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        sb_append_n(b, tmp, (size_t)n);
        return;
    }
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_append_n(b, big, (size_t)n);
    free(big);
}

void sb_free(strbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- base64 ------------------------------------------------------------ */

static const char B64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void b64_encode(const unsigned char *in, size_t n, char *out, size_t outn)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        char q[4] = {B64[(v >> 18) & 63], B64[(v >> 12) & 63],
                     i + 1 < n ? B64[(v >> 6) & 63] : '=',
                     i + 2 < n ? B64[v & 63] : '='};
        for (int k = 0; k < 4 && o + 1 < outn; k++)
            out[o++] = q[k];
    }
    out[o] = '\0';
}

static int b64_val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-' || c == ' ') /* ' ': '+' decoded as a space */
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

long b64_decode(const char *in, unsigned char *out, size_t outn)
{
    size_t len = strlen(in);
    while (len > 0 && in[len - 1] == '=')
        len--;
    if (len % 4 == 1)
        return -1;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64_val(in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= outn)
                return -1;
            out[o++] = (unsigned char)((acc >> bits) & 0xff);
        }
    }
    return (long)o;
}
