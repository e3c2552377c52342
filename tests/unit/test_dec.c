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
    CHECK_STR(fmt("12.50"), "12.5"); /* no trailing zeros */
    CHECK_STR(fmt("-0.06"), "-0.06");
    CHECK_STR(fmt("10.1425634"), "10.1425634");
    CHECK_STR(fmt("3.5e-05"), "0.000035");
    CHECK_STR(fmt("1.25E-7"), "0.000000125");
    CHECK_STR(fmt("1e3"), "1000");
    CHECK_STR(fmt("1.5e+2"), "150");
    CHECK_STR(fmt("2.50e1"), "25");
    CHECK_STR(fmt("123456789012345678901234567890"),
              "123456789012345678901234567890");
    CHECK_STR(fmt("1000000000"), "1000000000");
    CHECK_STR(fmt("0.000000001"), "0.000000001");
    CHECK_STR(fmt("0.1234567890123456789"), "0.1234567890123456789");
    static const char *const bad[] = { "",       "-",        "01",  "1.",
                                       ".5",     "+1",       "1e",  "1e+",
                                       "0x10",   "1 ",       " 1",  "1.2.3",
                                       "NaN",    "Infinity", "--1", "1e5000",
                                       "1e-5000" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        CHECK(dec_parse(bad[i], strlen(bad[i]), &a) != DEC_OK);

    /* 0.01 added 100000 times is exactly 1000.00 (a double drifts). */
    struct dec acc = DEC_ZERO;
    dec_parse("0.01", 4, &b);
    for (int i = 0; i < 100000; i++)
        CHECK(dec_add(&acc, &b) == DEC_OK);
    dec_format(&acc, out, sizeof(out));
    CHECK_STR(out, "1000");

    /* Mixed scales align to the finer one; the sum is exact. */
    acc = DEC_ZERO;
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
    struct dec u = dec_from_int64(units);
    u.scale = 7;
    CHECK(acc.scale == 7 && dec_cmp(&acc, &u) == 0);

    /* Float residues keep every digit and add up exactly. */
    CHECK_STR(fmt("-1.1102230246251565e-16"),
              "-0.00000000000000011102230246251565");
    CHECK_STR(fmt("0E+40"), "0");
    CHECK_STR(fmt("0.00"), "0");
    acc = DEC_ZERO;
    static const char *const res[] = { "123456789.5", "-1.1102230246251565e-16",
                                       "5.551115123125783e-17", "0.25" };
    for (size_t i = 0; i < 4; i++) {
        dec_parse(res[i], strlen(res[i]), &b);
        CHECK(dec_add(&acc, &b) == DEC_OK);
    }
    dec_format(&acc, out, sizeof(out));
    CHECK_STR(out, "123456789.74999999999999994448884876874218");
    /* Big totals with many decimals: 10^20 dollars at scale 40 still fit. */
    dec_parse("100000000000000000000", 21, &a);
    dec_parse("1e-40", 5, &b);
    CHECK(dec_add(&a, &b) == DEC_OK);
    dec_format(&a, out, sizeof(out));
    CHECK_STR(out,
              "100000000000000000000.0000000000000000000000000000000000000001");
    /* Sign handling: a - a = 0, never "-0". */
    dec_parse("-12.50", 6, &a);
    dec_parse("12.5", 4, &b);
    CHECK(dec_add(&a, &b) == DEC_OK);
    dec_format(&a, out, sizeof(out));
    CHECK_STR(out, "0");
    CHECK(dec_is_zero(&a));
    /* One spelling per value, however it was summed. */
    dec_parse("1.50", 4, &a);
    dec_parse("1.25", 4, &b);
    dec_add(&a, &b);
    dec_format(&a, out, sizeof(out));
    CHECK_STR(out, "2.75");
    CHECK_STR(fmt("2.750000"), "2.75");
    CHECK_STR(fmt("-0.0"), "0");
    CHECK_STR(fmt("100.000"), "100");
    CHECK_STR(fmt("1000.0010"), "1000.001");
    dec_parse("-3", 2, &a);
    dec_parse("1.5", 3, &b);
    dec_add(&a, &b);
    dec_format(&a, out, sizeof(out));
    CHECK_STR(out, "-1.5");
    CHECK(dec_cmp(&a, &b) < 0);
    int64_t mn;
    dec_parse("-9223372036854775808", 20, &a);
    CHECK(dec_to_int64(&a, &mn) && mn == INT64_MIN);
    dec_parse("9223372036854775808", 19, &a);
    CHECK(!dec_to_int64(&a, &mn));

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
    static const char nines[] = "999999999999999999999999999999999999999999999"
                                "999999999999999999999999999999999999";
    CHECK(dec_parse(nines, 81, &a) == DEC_OK);
    b = a;
    CHECK(dec_add(&a, &b) == DEC_RANGE);
    CHECK(dec_parse(nines, 82, &a) != DEC_OK);

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
