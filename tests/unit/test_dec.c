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

/* a / b rounded to scale digits, half away from zero. The expected
 * values were computed with Python's decimal module (precision 200,
 * quantize with ROUND_HALF_UP, which rounds half away from zero), random
 * cases from random.seed(13) after the hand-picked ones. */
static const struct {
    const char *a, *b;
    int scale;
    const char *want;
} div_cases[] = {
    { "1", "3", 2, "0.33" },
    { "2", "3", 2, "0.67" },
    { "-2", "3", 2, "-0.67" },
    { "0.125", "1", 2, "0.13" },
    { "-0.125", "1", 2, "-0.13" },
    { "0.135", "1", 2, "0.14" },
    { "12.345", "0", 2, "RANGE" },
    { "100", "7", 0, "14" },
    { "5", "10", 0, "1" },
    { "15", "10", 0, "2" },
    { "-5", "10", 0, "-1" },
    { "0", "3", 4, "0" },
    { "1234.56", "0.01", 2, "123456" },
    { "7.5", "2.5", 0, "3" },
    { "1e-20", "3", 25, "0.0000000000000000000033333" },
    { "3042.32", "17984635132.183406290", 1, "0" },
    { "978435381336", "7327703.24537896565159478", 1, "133525.5" },
    { "-7425779594.824", "33202.57494", 1, "-223650.7" },
    { "-9227913.39335", "-6286343485.060", 4, "0.0015" },
    { "-63729349148.42645358293739099", "-45397322443.24328", 1, "1.4" },
    { "6.9", "-87372773331.18024", 2, "0" },
    { "641301867.17", "0.55278887334068224", 1, "1160120794.9" },
    { "616575.35", "7010.35605", 0, "88" },
    { "657325882486", "207474320392.778650486", 1, "3.2" },
    { "0.52344964052157799", "-70130", 0, "0" },
    { "69.20", "643168921.75154303387396908", 0, "0" },
    { "68.58642", "1423.50", 1, "0" },
    { "-0.841562940", "-406521.76", 1, "0" },
    { "-60.808", "959.35", 4, "-0.0634" },
    { "2540.798", "748787.73090782210924179", 0, "0" },
    { "-97276882066.6", "0.49208", 2, "-197685096054.71" },
    { "-360942.9", "67645545.09", 2, "-0.01" },
    { "622.086380152", "17474.53491422291082980", 2, "0.04" },
    { "874798160.979", "8846000", 2, "98.89" },
    { "-9473300114.569", "314721.076", 6, "-30100.621906" },
    { "0.430285483", "184.31121", 1, "0" },
    { "-2.22", "592914.2", 4, "0" },
    { "7.821059088", "11.646434498", 2, "0.67" },
    { "-28843402252.11", "4.23941177910986273", 2, "-6803633087.55" },
    { "-1", "944024611429", 4, "0" },
    { "-965029", "-2235486847", 1, "0" },
    { "20208.555", "109.229260961", 6, "185.010453" },
    { "79.6", "-375353411272.664", 1, "0" },
    { "76.807", "792474729215.72808", 0, "0" },
    { "-46891.7", "1.376", 1, "-34078.3" },
    { "473331297775.960", "810298412012.3", 4, "0.5841" },
    { "0.0", "-6923328207.682717797", 6, "0" },
    { "-2183674606.07231", "27316748.770603478", 1, "-79.9" },
    { "-793813750177.0", "2767", 1, "-286886068" },
    { "32708.931711916", "576.0", 4, "56.7863" },
    { "736.75279", "30.9", 6, "23.843132" },
    { "8.682696344", "0.77324073849890926", 4, "11.229" },
    { "-36076594780", "-57945", 0, "622601" },
    { "11128", "821094498019.979790780", 2, "0" },
    { "-51379901910.16619", "-15.92", 6, "3227380773.251645" },
    { "6425022398.63", "575788838", 0, "11" },
    { "7392", "0.681", 2, "10854.63" },
    { "9114535495.9", "1.70", 6, "5361491468.176471" },
    { "1.60", "8421917716.0", 1, "0" },
    { "88223.63487301520334596", "189.034183216", 4, "466.7073" },
    { "5153.84164361731131532", "52267.339851156", 4, "0.0986" },
    { "79119.596", "-6147.78", 1, "-12.9" },
    { "-5.90556968621368193", "5995742640.78369147705347425", 2, "0" },
    { "903070159907.20512344950712967", "0.423", 0, "2134917635714" },
    { "-6", "-3140310.5", 4, "0" },
    { "1.69960", "-10.94", 0, "0" },
    { "78431806.704", "-46.739", 4, "-1678080.5474" },
    { "767195.54625", "0.73684", 6, "1041196.930473" },
    { "595312.0", "76099258.054", 2, "0.01" },
    { "-456040963", "3943", 1, "-115658.4" },
    { "-59018951", "3515768.001", 1, "-16.8" },
    { "-16851449", "-1.71", 1, "9854648.5" },
    { "-1", "-8749829.222105880", 1, "0" },
    { "83130.96", "9206.3", 0, "9" },
    { "5.283", "-502366412.740109147", 6, "0" },
};

static void check_div(void)
{
    for (size_t i = 0; i < sizeof(div_cases) / sizeof(div_cases[0]); i++) {
        struct dec a, b, q;
        char out[DEC_FMT_MAX];
        const char *got = "RANGE";
        CHECK(dec_parse(div_cases[i].a, strlen(div_cases[i].a), &a) == DEC_OK);
        CHECK(dec_parse(div_cases[i].b, strlen(div_cases[i].b), &b) == DEC_OK);
        if (dec_div(&a, &b, div_cases[i].scale, &q) == DEC_OK) {
            dec_format(&q, out, sizeof(out));
            got = out;
        }
        if (strcmp(got, div_cases[i].want) != 0)
            fprintf(stderr, "%s / %s (%d): got %s, want %s\n", div_cases[i].a,
                    div_cases[i].b, div_cases[i].scale, got, div_cases[i].want);
        CHECK_STR(got, div_cases[i].want);
    }
}

static void check_sub_mul(void)
{
    struct dec a, b, r;
    char out[DEC_FMT_MAX];

    dec_parse("10.5", 4, &a);
    dec_parse("12.25", 5, &b);
    CHECK(dec_sub(&a, &b) == DEC_OK);
    dec_format(&a, out, sizeof(out));
    CHECK_STR(out, "-1.75");
    CHECK(dec_sub(&a, &a) == DEC_OK && dec_is_zero(&a) && !a.neg);
    dec_parse("-0.0123456789", 13, &a);
    CHECK(dec_mul_u32(&a, 604800u, &r) == DEC_OK);
    dec_format(&r, out, sizeof(out));
    CHECK_STR(out, "-7466.66659872");
    static const char nines[] = "999999999999999999999999999999999999999999999"
                                "999999999999999999999999999999999999";
    dec_parse(nines, 81, &a);
    CHECK(dec_mul_u32(&a, 2, &r) == DEC_RANGE);
    CHECK(dec_mul_u32(&a, 1, &r) == DEC_OK && dec_cmp(&a, &r) == 0);
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
    check_div();
    check_sub_mul();
    TEST_END();
}
