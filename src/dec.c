/* dec.c - exact decimal numbers (128-bit mantissa, decimal scale). */
#include "oaiusage/dec.h"

#include <string.h>

static bool pow10_i128(int n, dec_int *out)
{
    dec_int r = 1;

    for (int i = 0; i < n; i++) {
        if (__builtin_mul_overflow(r, (dec_int)10, &r))
            return false;
    }
    *out = r;
    return true;
}

/* Rescale d to a larger scale; false on overflow. */
static bool rescale(struct dec *d, int scale)
{
    dec_int f;
    dec_int m;

    if (scale < d->scale)
        return false;
    if (!pow10_i128(scale - d->scale, &f))
        return false;
    if (__builtin_mul_overflow(d->mant, f, &m))
        return false;
    d->mant = m;
    d->scale = scale;
    return true;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

enum dec_status dec_parse(const char *s, size_t n, struct dec *out)
{
    size_t i = 0;
    bool neg = false;
    dec_int mant = 0;
    int frac = 0;
    long exp = 0;
    bool exp_neg = false;
    size_t int_start;

    if (i < n && s[i] == '-') {
        neg = true;
        i++;
    }
    int_start = i;
    if (i >= n || !is_digit(s[i]))
        return DEC_SYNTAX;
    if (s[i] == '0' && i + 1 < n && is_digit(s[i + 1]))
        return DEC_SYNTAX; /* no leading zeros, as in JSON */
    for (; i < n && is_digit(s[i]); i++) {
        if (__builtin_mul_overflow(mant, (dec_int)10, &mant) ||
            __builtin_add_overflow(mant, (dec_int)(s[i] - '0'), &mant))
            return DEC_RANGE;
    }
    (void)int_start;
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !is_digit(s[i]))
            return DEC_SYNTAX;
        for (; i < n && is_digit(s[i]); i++) {
            if (__builtin_mul_overflow(mant, (dec_int)10, &mant) ||
                __builtin_add_overflow(mant, (dec_int)(s[i] - '0'), &mant))
                return DEC_RANGE;
            frac++;
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            exp_neg = s[i] == '-';
            i++;
        }
        if (i >= n || !is_digit(s[i]))
            return DEC_SYNTAX;
        for (; i < n && is_digit(s[i]); i++) {
            exp = exp * 10 + (s[i] - '0');
            if (exp > 1000)
                return DEC_RANGE;
        }
    }
    if (i != n)
        return DEC_SYNTAX;

    long scale = (long)frac - (exp_neg ? -exp : exp);
    struct dec d = { neg ? -mant : mant, 0 };
    if (scale < 0) {
        d.scale = 0;
        dec_int f;
        if (!pow10_i128((int)-scale, &f) ||
            __builtin_mul_overflow(d.mant, f, &d.mant))
            return DEC_RANGE;
    } else {
        /* Drop trailing zeros that only the exponent introduced beyond the
         * cap; digits the text gave are kept when they fit. */
        while (scale > DEC_MAX_SCALE && d.mant % 10 == 0) {
            d.mant /= 10;
            scale--;
        }
        if (scale > DEC_MAX_SCALE)
            return DEC_RANGE;
        d.scale = (int)scale;
    }
    *out = d;
    return DEC_OK;
}

enum dec_status dec_add(struct dec *acc, const struct dec *v)
{
    struct dec a = *acc;
    struct dec b = *v;
    dec_int sum;

    if (a.scale < b.scale) {
        if (!rescale(&a, b.scale))
            return DEC_RANGE;
    } else if (b.scale < a.scale) {
        if (!rescale(&b, a.scale))
            return DEC_RANGE;
    }
    if (__builtin_add_overflow(a.mant, b.mant, &sum))
        return DEC_RANGE;
    acc->mant = sum;
    acc->scale = a.scale;
    return DEC_OK;
}

/* Digits of |m| into tmp (reversed); returns count (>= 1). */
static size_t digits_rev(dec_int m, char *tmp)
{
    size_t n = 0;
    /* Work on the negative side so INT128_MIN is safe. */
    if (m > 0)
        m = -m;
    do {
        tmp[n++] = (char)('0' - (int)(m % 10));
        m /= 10;
    } while (m != 0);
    return n;
}

static size_t format_impl(const struct dec *d, char *buf, size_t size,
                          bool grouped)
{
    char rev[48];
    char out[DEC_FMT_MAX * 2];
    size_t n = digits_rev(d->mant, rev);
    size_t o = 0;
    size_t scale = (size_t)d->scale;

    while (n <= scale)
        rev[n++] = '0'; /* at least one integer digit */
    if (d->mant < 0)
        out[o++] = '-';
    size_t int_digits = n - scale;
    for (size_t k = 0; k < int_digits; k++) {
        out[o++] = rev[n - 1 - k];
        size_t left = int_digits - 1 - k;
        if (grouped && left > 0 && left % 3 == 0)
            out[o++] = ',';
    }
    if (scale > 0) {
        out[o++] = '.';
        for (size_t k = 0; k < scale; k++)
            out[o++] = rev[scale - 1 - k];
    }
    if (o >= size)
        o = size - 1;
    memcpy(buf, out, o);
    buf[o] = '\0';
    return o;
}

size_t dec_format(const struct dec *d, char *buf, size_t size)
{
    return format_impl(d, buf, size, false);
}

size_t dec_format_grouped(const struct dec *d, char *buf, size_t size)
{
    return format_impl(d, buf, size, true);
}

bool dec_to_int64(const struct dec *d, int64_t *out)
{
    dec_int m = d->mant;

    for (int s = d->scale; s > 0; s--) {
        if (m % 10 != 0)
            return false;
        m /= 10;
    }
    if (m > INT64_MAX || m < INT64_MIN)
        return false;
    *out = (int64_t)m;
    return true;
}

int dec_cmp(const struct dec *a, const struct dec *b)
{
    struct dec x = *a;
    struct dec y = *b;

    if (x.scale < y.scale) {
        if (!rescale(&x, y.scale))
            return x.mant < 0 ? -1 : 1;
    } else if (y.scale < x.scale) {
        if (!rescale(&y, x.scale))
            return y.mant < 0 ? 1 : -1;
    }
    return (x.mant > y.mant) - (x.mant < y.mant);
}

bool dec_is_zero(const struct dec *d)
{
    return d->mant == 0;
}
