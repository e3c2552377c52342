/* dec.h - exact decimal numbers for money and quantities.
 *
 * A value is (neg ? -1 : 1) * mag / 10^scale, where mag is an unsigned
 * integer of up to 81 decimal digits kept in base-10^9 limbs. Parsing keeps
 * every digit given (so "12.50" has scale 2, and a float residue such as
 * -1.1102230246251565e-16 is kept exactly); addition aligns to the larger
 * scale; formatting prints plain decimal without trailing fractional
 * zeros (one spelling per value). Nothing here ever goes through a double. The all-zero struct
 * (DEC_ZERO) is 0.
 */
#ifndef OAIUSAGE_DEC_H
#define OAIUSAGE_DEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEC_LIMBS 9 /* 9 limbs of 9 digits: 81 significant digits */
#define DEC_MAX_SCALE 60
#define DEC_FMT_MAX 128 /* buffer size that fits any formatted dec */

struct dec {
    uint32_t limb[DEC_LIMBS]; /* magnitude, little-endian, base 10^9 */
    int scale;                /* 0..DEC_MAX_SCALE */
    bool neg;
};

#define DEC_ZERO ((struct dec){ { 0 }, 0, false })

enum dec_status { DEC_OK = 0, DEC_SYNTAX, DEC_RANGE };

/* Parse a JSON-number-shaped text of n bytes: -?digits(.digits)?([eE][+-]?digits)?
 * (leading '+', leading zeros and surrounding whitespace are refused). */
enum dec_status dec_parse(const char *s, size_t n, struct dec *out);
/* acc += v, exactly. DEC_RANGE on overflow (acc unchanged). */
enum dec_status dec_add(struct dec *acc, const struct dec *v);
/* Plain decimal text, e.g. "-1234.56" (never trailing fractional zeros);
 * returns length. size >= DEC_FMT_MAX
 * always suffices. */
size_t dec_format(const struct dec *d, char *buf, size_t size);
/* Same with ',' thousands separators in the integer part (for tables). */
size_t dec_format_grouped(const struct dec *d, char *buf, size_t size);
/* The value as an int64 when it is integral and in range. */
bool dec_to_int64(const struct dec *d, int64_t *out);
/* An int64 as a dec (scale 0). */
struct dec dec_from_int64(int64_t v);
/* The nearest double, for drawing only (charts), never for sums. */
double dec_to_double(const struct dec *d);
int dec_cmp(const struct dec *a, const struct dec *b);
/* acc -= v, exactly. DEC_RANGE on overflow (acc unchanged). */
enum dec_status dec_sub(struct dec *acc, const struct dec *v);
/* out = d * m, exactly. DEC_RANGE on overflow. */
enum dec_status dec_mul_u32(const struct dec *d, uint32_t m, struct dec *out);
/* out = a / b rounded half away from zero to scale fractional digits
 * (the one rounding of a ratio or an estimate; sums never divide).
 * DEC_RANGE when b is zero or a digit would not fit. */
enum dec_status dec_div(const struct dec *a, const struct dec *b, int scale,
                        struct dec *out);
bool dec_is_zero(const struct dec *d);

#endif
