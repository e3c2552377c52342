/* The chart module: scales, nice ticks, compact labels, the "Other" fold,
 * label thinning, and the charts' SVG. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

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

/* The text of the document: tags dropped (a wrapped label's lines joined
 * back), into a malloc'd string. */
static char *plain(const char *doc)
{
    char *t = malloc(strlen(doc) + 1), *o = t;
    bool tag = false;
    for (const char *p = doc; t != NULL && *p; p++) {
        if (*p == '<')
            tag = true;
        else if (*p == '>')
            tag = false;
        else if (!tag)
            *o++ = *p;
    }
    if (t != NULL)
        *o = '\0';
    return t;
}

/* Stable colours: from the id, not the order; distinct up to the
 * palette's size; NULL (Other) grey. The homes are the ids' 64-bit FNV-1a
 * hashes modulo 12, worked out apart (python): "a" 4, "b" 1, "proj_a" 6,
 * "proj_b" 11. */
static void stable_colors(void)
{
    static const char *const ids[] = { "a", "b", "proj_a", "proj_b", NULL };
    static const char *const rev[] = { NULL, "proj_b", "proj_a", "b", "a" };
    int c[5], r[5];

    CHECK(svg_stable_colors(5, ids, c) == 0 &&
          svg_stable_colors(5, rev, r) == 0);
    CHECK(c[0] == 4 && c[1] == 1 && c[2] == 6 && c[3] == 11);
    CHECK(c[4] == SVG_OTHER && r[0] == SVG_OTHER);
    for (int i = 0; i < 4; i++)
        CHECK(c[i] == r[4 - i]);
    /* 12 ids, distinct colours whatever their order; a 13th shares. */
    const char *many[13];
    char name[13][8];
    int m1[13], m2[13];
    for (int i = 0; i < 13; i++) {
        snprintf(name[i], sizeof(name[i]), "id%d", i);
        many[i] = name[i];
    }
    CHECK(svg_stable_colors(12, many, m1) == 0);
    for (int i = 0; i < 12; i++)
        for (int j = i + 1; j < 12; j++)
            CHECK(m1[i] != m1[j]);
    const char *back[12];
    for (int i = 0; i < 12; i++)
        back[i] = many[11 - i];
    CHECK(svg_stable_colors(12, back, m2) == 0);
    for (int i = 0; i < 12; i++)
        CHECK(m1[i] == m2[11 - i]);
    CHECK(svg_stable_colors(13, many, m1) == 0);
    /* the same id twice: the same colour */
    static const char *const twice[] = { "x", "y", "x" };
    CHECK(svg_stable_colors(3, twice, c) == 0 && c[0] == c[2] && c[0] != c[1]);
}

/* Names are never cut: long category labels and legend entries wrap onto
 * more lines, every character kept; the chart grows to hold them. */
static void never_cut(void)
{
    static const char *const cats[] = {
        "gpt-4o-realtime-preview-2024-12-17",
        "gpt-4o-audio-preview-2024-12-17",
        ("an extraordinarily long project name that is much wider than the "
         "whole label column of the chart, with no end in sight at all"),
    };
    static const char *const ser[] = {
        "gpt-4o-realtime-preview-2024-12-17, cached input",
        "gpt-4o-realtime-preview-2024-12-17, input",
        "Other (12 line items)",
    };
    static const int col[] = { 0, 1, SVG_OTHER };
    static const double v[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    struct bar_chart bc = { "Rows", NULL,  "requests", false, BARS_STACKED,
                            3,      cats,  3,          ser,   col,
                            v,      false, NULL };
    struct buf b;
    buf_init(&b, 0);
    CHECK(svg_bar_chart(&b, &bc, 1000, 300) == 0);
    char *t = plain(b.data ? b.data : "");
    for (int i = 0; t != NULL && i < 3; i++) {
        CHECK(strstr(t, cats[i]) != NULL);
        CHECK(strstr(t, ser[i]) != NULL);
    }
    CHECK(t != NULL && strstr(t, "\xe2\x80\xa6") == NULL && !strstr(t, ".."));
    CHECK(count(b.data, "class=\"cat\"") == 3);
    CHECK(count(b.data, "class=\"legend\"") == 3);
    CHECK(count(b.data, "dy=\"15\"") >= 1); /* the long one wrapped */
    free(t);
    buf_release(&b);

    /* The wrap itself: at spaces when it can, else between characters. */
    CHECK(svg_text_lines("short", 400) == 1);
    CHECK(svg_text_lines("aaaa bbbb cccc dddd", 60) >= 3);
    CHECK(svg_text_lines("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 60) >= 4);
    CHECK(svg_text_px("MMMM", 12) > svg_text_px("iiii", 12));
    CHECK(svg_text_px("\xc3\xa9", 12) >= 12);

    /* A donut whose legend is taller than the chart grows to hold it. */
    static const char *const lab[] = { "p1",  "p2",  "p3",  "p4",  "p5",
                                       "p6",  "p7",  "p8",  "p9",  "p10",
                                       "p11", "p12", "p13", "p14", "Other" };
    int dc[15];
    double dv[15];
    for (int i = 0; i < 15; i++) {
        dc[i] = i < 14 ? i : SVG_OTHER;
        dv[i] = 1;
    }
    struct donut d = { "Share", NULL, 15, lab, dc, dv };
    CHECK(svg_donut(&b, &d, 600, 200) == 0);
    CHECK(strstr(b.data, "height=\"200\"") == NULL);
    CHECK(count(b.data, "class=\"legend\"") == 15);
    buf_release(&b);
}

int main(void)
{
    stable_colors();
    never_cut();
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
    CHECK(strcmp(svg_color(0), svg_color(SVG_NCOLORS)) == 0);

    /* A stacked chart: one rect per positive value, escaped names, the
     * stack's top at the tallest total. */
    static const char *const cats[] = { "2025-01-01", "2025-01-02" };
    static const char *const ser[] = { "a&b", "<c>" };
    static const int col[] = { 0, SVG_OTHER };
    static const double v[] = { 10, 0, 5, 20 };
    struct bar_chart bc = { "Tokens", "Jan", "tokens", false, BARS_STACKED,
                            2,        cats,  2,        ser,   col,
                            v,        true,  NULL };
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
