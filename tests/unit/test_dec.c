/* Exact decimals: parsing every JSON number form, exact sums, formatting. */
#include <inttypes.h>

#include "oaiusage/dec.h"
#include "test.h"

static const char *fmt(const char *in)
{
    static char out[DEC_FMT_MAX];
    struct dec d;
    if (dec_parse(in, strlen(in), &d) != DEC_OK)
        return "ERR";
    dec_format(&d, out, sizeof(out));
    return out;
}

int main(void)
{
    struct dec a, b;
    char out[DEC_FMT_MAX];

    CHECK_STR(fmt("0"), "0");
    CHECK_STR(fmt("12.50"), "12.50");
    CHECK_STR(fmt("-0.06"), "-0.06");
    CHECK_STR(fmt("10.1425634"), "10.1425634");
    CHECK_STR(fmt("3.5e-05"), "0.000035");
    CHECK_STR(fmt("1.25E-7"), "0.000000125");
    CHECK_STR(fmt("1e3"), "1000");
    CHECK_STR(fmt("1.5e+2"), "150");
    CHECK_STR(fmt("2.50e1"), "25.0");
    CHECK_STR(fmt("123456789012345678901234567890"),
              "123456789012345678901234567890");
    CHECK_STR(fmt("0.1234567890123456789"), "0.1234567890123456789");
    static const char *const bad[] = { "", "-", "01", "1.", ".5", "+1", "1e",
                                       "1e+", "0x10", "1 ", " 1", "1.2.3",
                                       "NaN", "Infinity", "--1", "1e5000" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(dec_parse(bad[i], strlen(bad[i]), &a) != DEC_OK);

    /* 0.01 added 100000 times is exactly 1000.00 (a double drifts). */
    struct dec acc = { 0, 0 };
    dec_parse("0.01", 4, &b);
    for (int i = 0; i < 100000; i++)
        CHECK(dec_add(&acc, &b) == DEC_OK);
    dec_format(&acc, out, sizeof(out));
    CHECK_STR(out, "1000.00");

    /* Mixed scales align to the finer one; the sum is exact. */
    acc = (struct dec){ 0, 0 };
    static const char *const parts[] = { "12.50", "0.06", "3.5e-05",
                                         "10.1425634", "-2" };
    for (size_t i = 0; i < 5; i++) {
        dec_parse(parts[i], strlen(parts[i]), &b);
        dec_add(&acc, &b);
    }
    dec_format(&acc, out, sizeof(out));
    CHECK_STR(out, "20.7025984");
    /* Independent check in integer units of 1e-7. */
    int64_t units = 125000000 + 600000 + 350 + 101425634 - 20000000;
    CHECK(acc.scale == 7 && acc.mant == units);

    /* Grouped formatting. */
    dec_parse("-1234567.891", 12, &a);
    dec_format_grouped(&a, out, sizeof(out));
    CHECK_STR(out, "-1,234,567.891");
    dec_parse("999", 3, &a);
    dec_format_grouped(&a, out, sizeof(out));
    CHECK_STR(out, "999");
    dec_parse("1000", 4, &a);
    dec_format_grouped(&a, out, sizeof(out));
    CHECK_STR(out, "1,000");

    /* Overflow is reported, not wrapped. */
    dec_parse("99999999999999999999999999999999999999", 38, &a);
    b = a;
    CHECK(dec_add(&a, &b) == DEC_RANGE);

    /* Integers and comparisons. */
    int64_t v;
    dec_parse("9007199254740993", 16, &a);
    CHECK(dec_to_int64(&a, &v) && v == INT64_C(9007199254740993));
    dec_parse("5.0", 3, &a);
    CHECK(dec_to_int64(&a, &v) && v == 5);
    dec_parse("5.5", 3, &a);
    CHECK(!dec_to_int64(&a, &v));
    dec_parse("0.10", 4, &a);
    dec_parse("0.1", 3, &b);
    CHECK(dec_cmp(&a, &b) == 0);
    dec_parse("0.11", 4, &b);
    CHECK(dec_cmp(&a, &b) < 0 && dec_cmp(&b, &a) > 0);
    TEST_END();
}
