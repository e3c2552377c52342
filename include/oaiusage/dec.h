/* dec.h - exact decimal numbers for money and quantities.
 *
 * A value is mant / 10^scale with a 128-bit mantissa. Parsing keeps every
 * digit given (so "12.50" has scale 2); addition aligns to the larger scale;
 * formatting prints plain decimal with exactly `scale` fractional digits.
 * Nothing here ever goes through a double.
 */
#ifndef OAIUSAGE_DEC_H
#define OAIUSAGE_DEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

__extension__ typedef __int128 dec_int;

#define DEC_MAX_SCALE 30
#define DEC_FMT_MAX 64   /* buffer size that fits any formatted dec */

struct dec {
    dec_int mant;
    int scale;   /* 0..DEC_MAX_SCALE */
};

enum dec_status { DEC_OK = 0, DEC_SYNTAX, DEC_RANGE };

/* Parse a JSON-number-shaped text of n bytes: -?digits(.digits)?([eE][+-]?digits)?
 * (leading '+' and surrounding whitespace are not accepted). */
enum dec_status dec_parse(const char *s, size_t n, struct dec *out);
/* acc += v, exactly. DEC_RANGE on overflow (acc unchanged). */
enum dec_status dec_add(struct dec *acc, const struct dec *v);
/* Plain decimal text, e.g. "-1234.5600"; returns length. buf >= DEC_FMT_MAX. */
size_t dec_format(const struct dec *d, char *buf, size_t size);
/* Same with ',' thousands separators in the integer part (for tables). */
size_t dec_format_grouped(const struct dec *d, char *buf, size_t size);
/* The value as an int64 when it is integral and in range. */
bool dec_to_int64(const struct dec *d, int64_t *out);
int dec_cmp(const struct dec *a, const struct dec *b);
bool dec_is_zero(const struct dec *d);

#endif
