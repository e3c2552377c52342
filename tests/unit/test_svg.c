/* The chart module: scales, nice ticks, compact labels, the "Other" fold,
 * label thinning, and the charts' SVG. */
#include <math.h>

#include "oaiusage/report.h"
#include "oaiusage/svg.h"
#include "test.h"

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p++)
        n++;
    return n;
}

int main(void)
{
    double t[SVG_MAX_TICKS];
    double top;
    char s[32];

    struct scale sc = { 0, 100, 300, 100 };
    CHECK(scale_map(&sc, 0) == 300 && scale_map(&sc, 100) == 100 &&
          scale_map(&sc, 50) == 200);

    /* Ticks at 1/2/5 x 10^k, from 0, ending at or above the maximum. */
    static const struct {
        double hi;
        double step;
    } cases[] = { { 95, 20 }, { 1234567, 500000 }, { 1, 0.2 }, { 0.3, 0.1 },
                  { 7, 2 },   { 1e12, 2e11 },      { 5, 1 } };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int n = svg_nice_ticks(0, cases[i].hi, 5, t, &top);
        CHECK(n >= 2 && n <= SVG_MAX_TICKS);
        CHECK(t[0] == 0 && top >= cases[i].hi && top == t[n - 1]);
        for (int k = 1; k < n; k++)
            CHECK(fabs(t[k] - t[k - 1] - cases[i].step) < cases[i].step * 1e-9);
        CHECK(top - cases[i].hi < cases[i].step);
    }
    CHECK(svg_nice_ticks(0, 0, 5, t, &top) >= 2 && top > 0);

    svg_compact(950, false, s, sizeof(s));
    CHECK_STR(s, "950");
    svg_compact(1500, false, s, sizeof(s));
    CHECK_STR(s, "1.5k");
    svg_compact(12e6, false, s, sizeof(s));
    CHECK_STR(s, "12M");
    svg_compact(3.45e9, false, s, sizeof(s));
    CHECK_STR(s, "3.5B");
    svg_compact(0.5, true, s, sizeof(s));
    CHECK_STR(s, "$0.50");
    svg_compact(1234.5, true, s, sizeof(s));
    CHECK_STR(s, "$1.2k");
    svg_compact(0, true, s, sizeof(s));
    CHECK_STR(s, "$0");

    /* The fold: >= 5% kept, largest first; the rest are "Other". */
    int map[8];
    static const double tot[] = { 5, 50, 3, 30, 10, 2 };
    CHECK(svg_fold(6, tot, 10, 0.05, map) == 4);
    CHECK(map[1] == 0 && map[3] == 1 && map[4] == 2 && map[0] == 3);
    CHECK(map[2] == SVG_OTHER && map[5] == SVG_OTHER);
    CHECK(svg_fold(6, tot, 2, 0, map) == 2);
    CHECK(map[1] == 0 && map[3] == 1 && map[4] == SVG_OTHER);
    /* One series alone in "Other" is shown as itself. */
    static const double tot2[] = { 60, 37, 3 };
    CHECK(svg_fold(3, tot2, 10, 0.05, map) == 3 && map[2] == 2);
    /* Ties keep the lower index first. */
    static const double tie[] = { 7, 7, 7 };
    CHECK(svg_fold(3, tie, 1, 0, map) == 1 && map[0] == 0 &&
          map[1] == SVG_OTHER);

    /* Labels thinned to fit: 180 days of 80 px labels in 800 px. */
    CHECK(svg_label_step(180, 80, 800) == 18);
    CHECK(svg_label_step(5, 80, 800) == 1);
    CHECK(svg_label_step(1, 1000, 800) == 1);

    svg_fit("gpt-4o-mini-2024-07-18", 10, s, sizeof(s));
    CHECK_STR(s, "gpt-4o-mi\xe2\x80\xa6");
    svg_fit("short", 10, s, sizeof(s));
    CHECK_STR(s, "short");
    svg_fit("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 3, s, sizeof(s));
    CHECK_STR(s, "\xc3\xa9\xc3\xa9\xe2\x80\xa6");
    CHECK(strcmp(svg_color(SVG_OTHER), "#999999") == 0);
    CHECK(strcmp(svg_color(0), svg_color(8)) == 0);

    /* A stacked chart: one rect per positive value, escaped names, the
     * stack's top at the tallest total. */
    static const char *const cats[] = { "2025-01-01", "2025-01-02" };
    static const char *const ser[] = { "a&b", "<c>" };
    static const int col[] = { 0, SVG_OTHER };
    static const double v[] = { 10, 0, 5, 20 };
    struct bar_chart bc = { "Tokens",     "Jan", "tokens", false,
                            BARS_STACKED, 2,     cats,     2,
                            ser,          col,   v,        true };
    struct buf b;
    buf_init(&b, 0);
    CHECK(svg_bar_chart(&b, &bc, 800, 300) == 0);
    CHECK(strncmp(b.data, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) ==
          0);
    CHECK(strcmp(b.data + b.len - 6, "</svg>") == 0);
    CHECK(count(b.data, "<rect x=") - 2 == 3); /* 3 bars + 2 legend keys */
    CHECK(strstr(b.data, "a&amp;b") != NULL && strstr(b.data, "&lt;c&gt;"));
    CHECK(strstr(b.data, "<c>") == NULL);
    CHECK(strstr(b.data, ">20<") != NULL || strstr(b.data, ">25<") != NULL ||
          strstr(b.data, ">30<") != NULL);
    buf_release(&b);

    static const char *const lab[] = { "p1", "p2", "Other" };
    static const int dc[] = { 0, 1, SVG_OTHER };
    static const double dv[] = { 75, 20, 5 };
    struct donut d = { "Share", NULL, 3, lab, dc, dv };
    CHECK(svg_donut(&b, &d, 600, 300) == 0);
    CHECK(count(b.data, "<path ") == 3);
    CHECK(strstr(b.data, "p1 (75.0%)") != NULL);
    CHECK(strstr(b.data, "Other (5.0%)") != NULL);
    buf_release(&b);
    static const double one[] = { 1 };
    struct donut d1 = { "All", NULL, 1, lab, dc, one };
    CHECK(svg_donut(&b, &d1, 600, 300) == 0);
    CHECK(count(b.data, "<circle ") == 1);
    buf_release(&b);
    /* Terminal bars: whole blocks plus an eighth, non-zero never empty. */
    char bar[256];
    report_bar(10, 10, 4, bar, sizeof(bar));
    CHECK_STR(bar, "\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88");
    report_bar(5, 10, 4, bar, sizeof(bar));
    CHECK_STR(bar, "\xe2\x96\x88\xe2\x96\x88");
    report_bar(1, 10, 4, bar, sizeof(bar)); /* 3.2 eighths -> 3 */
    CHECK_STR(bar, "\xe2\x96\x8d");
    report_bar(0.0001, 10, 4, bar, sizeof(bar));
    CHECK_STR(bar, "\xe2\x96\x8f");
    report_bar(0, 10, 4, bar, sizeof(bar));
    CHECK_STR(bar, "");
    TEST_END();
}
