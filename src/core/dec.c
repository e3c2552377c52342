/* dec.c - exact decimal numbers (see dec.h). */
#include "oaiusage/dec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE 1000000000u
#define DIGITS ((size_t)DEC_LIMBS * 9)

static const uint32_t pow10_small[9] = { 1,       10,       100,
                                         1000,    10000,    100000,
                                         1000000, 10000000, 100000000 };

static bool mag_zero(const uint32_t *m)
{
    for (int i = 0; i < DEC_LIMBS; i++) {
        if (m[i] != 0)
            return false;
    }
    return true;
}

static int mag_cmp(const uint32_t *a, const uint32_t *b)
{
    for (int i = DEC_LIMBS - 1; i >= 0; i--) {
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}

/* m *= 10^k; false on overflow (m is then unspecified). */
static bool mag_mul_pow10(uint32_t *m, int k)
{
    int shift = k / 9;
    uint32_t f = pow10_small[k % 9];
    uint64_t carry = 0;

    if (shift > 0) {
        for (int i = DEC_LIMBS - shift; i < DEC_LIMBS; i++) {
            if (i >= 0 && m[i] != 0)
                return false;
        }
        if (shift >= DEC_LIMBS)
            return mag_zero(m);
        memmove(m + shift, m, (size_t)(DEC_LIMBS - shift) * sizeof(*m));
        memset(m, 0, (size_t)shift * sizeof(*m));
    }
    for (int i = 0; i < DEC_LIMBS; i++) {
        uint64_t v = (uint64_t)m[i] * f + carry;
        m[i] = (uint32_t)(v % BASE);
        carry = v / BASE;
    }
    return carry == 0;
}

static bool mag_add(const uint32_t *a, const uint32_t *b, uint32_t *out)
{
    uint32_t carry = 0;
    for (int i = 0; i < DEC_LIMBS; i++) {
        uint32_t v = a[i] + b[i] + carry;
        carry = v >= BASE;
        out[i] = carry ? v - BASE : v;
    }
    return carry == 0;
}

/* out = a - b, requires a >= b. */
static void mag_sub(const uint32_t *a, const uint32_t *b, uint32_t *out)
{
    uint32_t borrow = 0;
    for (int i = 0; i < DEC_LIMBS; i++) {
        uint64_t sub = (uint64_t)b[i] + borrow;
        if (a[i] >= sub) {
            out[i] = (uint32_t)(a[i] - sub);
            borrow = 0;
        } else {
            out[i] = (uint32_t)(a[i] + BASE - sub);
            borrow = 1;
        }
    }
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The significant digits of a number's text. */
struct digits {
    char d[DIGITS + 1];
    size_t n;
    long frac; /* digits after the point */
    long exp;  /* the exponent, signed */
    bool neg;
    bool range; /* more significant digits than fit */
};

/* The mantissa "-?int(.frac)?" from s[*i]; leading zeros dropped. */
static enum dec_status read_mantissa(const char *s, size_t n, size_t *i,
                                     struct digits *g)
{
    if (*i < n && s[*i] == '-') {
        g->neg = true;
        (*i)++;
    }
    if (*i >= n || !is_digit(s[*i]))
        return DEC_SYNTAX;
    if (s[*i] == '0' && *i + 1 < n && is_digit(s[*i + 1]))
        return DEC_SYNTAX; /* no leading zeros, as in JSON */
    for (int part = 0; part < 2; part++) {
        for (; *i < n && is_digit(s[*i]); (*i)++) {
            if (part == 1)
                g->frac++;
            if (g->n == 0 && s[*i] == '0')
                continue; /* leading zeros of the mantissa */
            if (g->n == DIGITS)
                g->range = true;
            else
                g->d[g->n++] = s[*i];
        }
        if (part == 1 || *i >= n || s[*i] != '.')
            break;
        (*i)++;
        if (*i >= n || !is_digit(s[*i]))
            return DEC_SYNTAX;
    }
    return DEC_OK;
}

/* The exponent "[eE][+-]?digits" from s[*i], if any. */
static enum dec_status read_exponent(const char *s, size_t n, size_t *i,
                                     struct digits *g)
{
    bool neg = false;

    if (*i >= n || (s[*i] != 'e' && s[*i] != 'E'))
        return DEC_OK;
    (*i)++;
    if (*i < n && (s[*i] == '+' || s[*i] == '-')) {
        neg = s[*i] == '-';
        (*i)++;
    }
    if (*i >= n || !is_digit(s[*i]))
        return DEC_SYNTAX;
    for (; *i < n && is_digit(s[*i]); (*i)++) {
        if (g->exp < 100000)
            g->exp = g->exp * 10 + (s[*i] - '0');
    }
    if (neg)
        g->exp = -g->exp;
    return DEC_OK;
}

/* The digits at their scale into limbs. */
static enum dec_status to_dec(struct digits *g, struct dec *out)
{
    long scale = g->frac - g->exp;
    struct dec d = DEC_ZERO;

    if (g->n == 0) {
        /* Zero: keep the scale the text gave ("0.00"), within bounds. */
        d.scale = scale < 0               ? 0
                  : scale > DEC_MAX_SCALE ? DEC_MAX_SCALE
                                          : (int)scale;
        *out = d;
        return DEC_OK;
    }
    while (scale > DEC_MAX_SCALE && g->d[g->n - 1] == '0') {
        g->n--; /* trailing zeros beyond the cap carry no value */
        scale--;
    }
    if (scale > DEC_MAX_SCALE)
        return DEC_RANGE;
    if (scale < 0) {
        if ((long)g->n - scale > (long)DIGITS)
            return DEC_RANGE;
        memset(g->d + g->n, '0', (size_t)-scale);
        g->n += (size_t)-scale;
        scale = 0;
    }
    /* Fill limbs from the least significant digit. */
    for (size_t k = 0; k < g->n; k++) {
        size_t pos = g->n - 1 - k; /* digit index from the left */
        d.limb[k / 9] += (uint32_t)(g->d[pos] - '0') * pow10_small[k % 9];
    }
    d.scale = (int)scale;
    d.neg = g->neg;
    *out = d;
    return DEC_OK;
}

enum dec_status dec_parse(const char *s, size_t n, struct dec *out)
{
    struct digits g;
    size_t i = 0;
    enum dec_status st;

    memset(&g, 0, sizeof(g));
    if ((st = read_mantissa(s, n, &i, &g)) != DEC_OK ||
        (st = read_exponent(s, n, &i, &g)) != DEC_OK)
        return st;
    if (i != n)
        return DEC_SYNTAX;
    if (g.range)
        return DEC_RANGE;
    return to_dec(&g, out);
}

/* x rescaled to scale (>= x->scale); false on overflow. */
static bool rescale(struct dec *x, int scale)
{
    if (!mag_mul_pow10(x->limb, scale - x->scale))
        return false;
    x->scale = scale;
    return true;
}

enum dec_status dec_add(struct dec *acc, const struct dec *v)
{
    struct dec a = *acc;
    struct dec b = *v;
    struct dec r = DEC_ZERO;

    if (a.scale < b.scale ? !rescale(&a, b.scale)
                          : b.scale < a.scale && !rescale(&b, a.scale))
        return DEC_RANGE;
    r.scale = a.scale;
    if (a.neg == b.neg) {
        if (!mag_add(a.limb, b.limb, r.limb))
            return DEC_RANGE;
        r.neg = a.neg;
    } else if (mag_cmp(a.limb, b.limb) >= 0) {
        mag_sub(a.limb, b.limb, r.limb);
        r.neg = a.neg;
    } else {
        mag_sub(b.limb, a.limb, r.limb);
        r.neg = b.neg;
    }
    if (mag_zero(r.limb))
        r.neg = false;
    *acc = r;
    return DEC_OK;
}

/* The magnitude's digits, no leading zeros ("0" for zero). */
static size_t mag_digits(const uint32_t *m, char *out)
{
    int top = DEC_LIMBS - 1;
    size_t n = 0;

    while (top > 0 && m[top] == 0)
        top--;
    n += (size_t)sprintf(out, "%u", m[top]);
    for (int i = top - 1; i >= 0; i--)
        n += (size_t)sprintf(out + n, "%09u", m[i]);
    return n;
}

static size_t format_impl(const struct dec *d, char *buf, size_t size,
                          bool grouped)
{
    char digs[DIGITS + 16];
    char out[DEC_FMT_MAX * 2];
    size_t nd = mag_digits(d->limb, digs);
    size_t scale = (size_t)d->scale;
    size_t o = 0;

    if (nd <= scale) {
        /* pad with leading zeros so there is one integer digit */
        size_t pad = scale + 1 - nd;
        memmove(digs + pad, digs, nd + 1);
        memset(digs, '0', pad);
        nd += pad;
    }
    if (d->neg && !mag_zero(d->limb))
        out[o++] = '-';
    size_t int_digits = nd - scale;
    for (size_t k = 0; k < int_digits; k++) {
        out[o++] = digs[k];
        size_t left = int_digits - 1 - k;
        if (grouped && left > 0 && left % 3 == 0)
            out[o++] = ',';
    }
    /* Trailing fractional zeros are not printed: a value has one
     * spelling however it was summed ("1.50" + "1.25" and "2.750" both
     * print 2.75), so a report from the store and the live one agree. */
    while (scale > 0 && digs[int_digits + scale - 1] == '0')
        scale--;
    if (scale > 0) {
        out[o++] = '.';
        memcpy(out + o, digs + int_digits, scale);
        o += scale;
    }
    if (size == 0)
        return 0;
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
    char digs[DIGITS + 16];
    size_t nd = mag_digits(d->limb, digs);
    size_t scale = (size_t)d->scale;
    uint64_t v = 0;

    for (size_t k = 0; k < scale && k < nd; k++) {
        if (digs[nd - 1 - k] != '0')
            return false;
    }
    size_t int_digits = nd > scale ? nd - scale : 0;
    for (size_t k = 0; k < int_digits; k++) {
        uint64_t dd = (uint64_t)(digs[k] - '0');
        if (v > (UINT64_MAX - dd) / 10)
            return false;
        v = v * 10 + dd;
    }
    if (d->neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
        return false;
    *out = d->neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

double dec_to_double(const struct dec *d)
{
    char tmp[DEC_FMT_MAX];
    dec_format(d, tmp, sizeof(tmp));
    return strtod(tmp, NULL);
}

struct dec dec_from_int64(int64_t v)
{
    struct dec d = DEC_ZERO;
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

    d.neg = v < 0;
    for (int i = 0; m != 0; i++) {
        d.limb[i] = (uint32_t)(m % BASE);
        m /= BASE;
    }
    return d;
}

int dec_cmp(const struct dec *a, const struct dec *b)
{
    struct dec x = *a;
    struct dec y = *b;
    bool xz = mag_zero(x.limb);
    bool yz = mag_zero(y.limb);
    int sx = xz ? 0 : x.neg ? -1 : 1;
    int sy = yz ? 0 : y.neg ? -1 : 1;

    if (sx != sy)
        return sx < sy ? -1 : 1;
    if (sx == 0)
        return 0;
    /* Same sign: compare magnitudes at a common scale. A rescale that
     * overflows means that value's magnitude is the larger one. */
    int m;
    if (x.scale < y.scale)
        m = rescale(&x, y.scale) ? mag_cmp(x.limb, y.limb) : 1;
    else if (y.scale < x.scale)
        m = rescale(&y, x.scale) ? mag_cmp(x.limb, y.limb) : -1;
    else
        m = mag_cmp(x.limb, y.limb);
    return sx > 0 ? m : -m;
}

bool dec_is_zero(const struct dec *d)
{
    return mag_zero(d->limb);
}

enum dec_status dec_sub(struct dec *acc, const struct dec *v)
{
    struct dec n = *v;

    n.neg = !n.neg;
    return dec_add(acc, &n);
}

enum dec_status dec_mul_u32(const struct dec *d, uint32_t m, struct dec *out)
{
    struct dec r = *d;
    uint64_t carry = 0;

    for (int i = 0; i < DEC_LIMBS; i++) {
        uint64_t v = (uint64_t)r.limb[i] * m + carry;
        r.limb[i] = (uint32_t)(v % BASE);
        carry = v / BASE;
    }
    if (carry != 0)
        return DEC_RANGE;
    if (mag_zero(r.limb))
        r.neg = false;
    *out = r;
    return DEC_OK;
}

/* m = m * 10 + digit; false on overflow. */
static bool mag_push_digit(uint32_t *m, uint32_t digit)
{
    uint32_t d[DEC_LIMBS] = { digit };

    return mag_mul_pow10(m, 1) && mag_add(m, d, m);
}

enum dec_status dec_div(const struct dec *a, const struct dec *b, int scale,
                        struct dec *out)
{
    /* Work at one digit more than asked (wide: at least a's own digits)
     * so the truncated quotient rounds exactly: for integers n, m and a
     * fraction f in [0, 1), floor((n + f + m/2) / m) equals
     * floor((n + m/2) / m) when m is an even multiple of 5. */
    int wide = a->scale - b->scale > scale + 1 ? a->scale - b->scale
                                               : scale + 1;
    uint32_t num[DEC_LIMBS];
    uint32_t rem[DEC_LIMBS] = { 0 };
    uint32_t q[DEC_LIMBS] = { 0 };
    char digs[DIGITS + 16];
    size_t nd;

    if (scale < 0 || scale > DEC_MAX_SCALE || mag_zero(b->limb))
        return DEC_RANGE;
    memcpy(num, a->limb, sizeof(num));
    if (!mag_mul_pow10(num, wide + b->scale - a->scale))
        return DEC_RANGE;
    /* Long division, one decimal digit at a time. */
    nd = mag_digits(num, digs);
    for (size_t k = 0; k < nd; k++) {
        uint32_t digit = 0;
        if (!mag_push_digit(rem, (uint32_t)(digs[k] - '0')))
            return DEC_RANGE;
        while (mag_cmp(rem, b->limb) >= 0) {
            mag_sub(rem, b->limb, rem);
            digit++;
        }
        if (!mag_push_digit(q, digit))
            return DEC_RANGE;
    }
    /* Round half away from zero from wide to scale digits. */
    uint32_t half[DEC_LIMBS] = { 5 };
    if (!mag_mul_pow10(half, wide - scale - 1) || !mag_add(q, half, q))
        return DEC_RANGE;
    nd = mag_digits(q, digs);
    size_t cut = (size_t)(wide - scale);
    struct dec r = DEC_ZERO;
    for (size_t k = 0; k + cut < nd; k++) {
        if (!mag_push_digit(r.limb, (uint32_t)(digs[k] - '0')))
            return DEC_RANGE;
    }
    r.scale = scale;
    r.neg = !mag_zero(r.limb) && a->neg != b->neg;
    *out = r;
    return DEC_OK;
}
