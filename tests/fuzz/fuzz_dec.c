/* libFuzzer target: exact decimals. A parsed number formats to a text that
 * parses back equal; x + y - y == x whenever both additions succeed;
 * x * m / m == x at x's scale, and x / 1 == x, whenever the division
 * fits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/dec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *bar = memchr(s, '|', size);
    size_t n1 = bar != NULL ? (size_t)(bar - s) : size;
    struct dec x;
    struct dec y;
    struct dec z;
    char buf[DEC_FMT_MAX];

    if (dec_parse(s, n1, &x) != DEC_OK)
        return 0;
    size_t len = dec_format(&x, buf, sizeof(buf));
    if (len >= sizeof(buf) - 1 || dec_parse(buf, len, &z) != DEC_OK ||
        dec_cmp(&x, &z) != 0)
        abort();
    dec_format_grouped(&x, buf, sizeof(buf));
    /* Division works one digit past the scale: near the 81-digit limit
     * it may refuse (DEC_RANGE), never answer wrong. */
    struct dec one = dec_from_int64(1);
    if (dec_div(&x, &one, x.scale, &z) == DEC_OK && dec_cmp(&x, &z) != 0)
        abort();
    uint32_t m = (uint32_t)size * 2654435761u + 1u;
    struct dec dm = dec_from_int64(m);
    if (dec_mul_u32(&x, m, &z) == DEC_OK &&
        dec_div(&z, &dm, x.scale, &y) == DEC_OK && dec_cmp(&x, &y) != 0)
        abort();
    if (bar == NULL || dec_parse(bar + 1, size - n1 - 1, &y) != DEC_OK)
        return 0;
    z = x;
    if (dec_add(&z, &y) != DEC_OK)
        return 0;
    struct dec neg = y;
    neg.neg = !neg.neg;
    if (dec_add(&z, &neg) == DEC_OK && dec_cmp(&z, &x) != 0)
        abort();
    return 0;
}
