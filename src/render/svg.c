/* svg.c - charts as standalone SVG (see svg.h). */
#include "oaiusage/svg.h"

#include "oaiusage/text.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double scale_map(const struct scale *s, double v)
{
    if (s->d1 == s->d0)
        return s->r0;
    return s->r0 + (v - s->d0) * (s->r1 - s->r0) / (s->d1 - s->d0);
}

int svg_nice_ticks(double lo, double hi, int target, double *ticks, double *top)
{
    if (target < 2)
        target = 2;
    if (!(hi > lo)) {
        hi = lo + 1;
    }
    double raw = (hi - lo) / (double)target;
    double mag = pow(10, floor(log10(raw)));
    double step = mag;
    static const double mult[] = { 1, 2, 5, 10 };
    for (size_t i = 0; i < 4; i++) {
        step = mult[i] * mag;
        if (step >= raw)
            break;
    }
    double start = floor(lo / step) * step;
    int n = 0;
    for (int i = 0; n < SVG_MAX_TICKS; i++) {
        /* snap away floating-point dust (0.30000000000000004) */
        double snapped = round((start + i * step) / step) * step;
        ticks[n++] = snapped;
        if (snapped >= hi - step * 1e-9)
            break;
    }
    *top = ticks[n - 1];
    return n;
}

void svg_compact(double v, bool money, char *buf, size_t size)
{
    static const struct {
        double f;
        const char *suffix;
    } units[] = { { 1e12, "T" }, { 1e9, "B" }, { 1e6, "M" }, { 1e3, "k" } };
    const char *cur = money ? "$" : "";
    double a = fabs(v);

    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (a >= units[i].f) {
            double x = v / units[i].f;
            if (fabs(x - round(x)) < 1e-9)
                snprintf(buf, size, "%s%.0f%s", cur, x, units[i].suffix);
            else
                snprintf(buf, size, "%s%.1f%s", cur, x, units[i].suffix);
            return;
        }
    }
    if (money && a > 0 && a < 10 && fabs(v - round(v)) > 1e-9)
        snprintf(buf, size, "%s%.2f", cur, v);
    else if (fabs(v - round(v)) < 1e-9)
        snprintf(buf, size, "%s%.0f", cur, v);
    else
        snprintf(buf, size, "%s%.1f", cur, v);
}

int svg_fold(int n, const double *totals, int top, double min_share, int *map)
{
    double grand = 0;
    int *order = malloc((size_t)(n > 0 ? n : 1) * sizeof(*order));
    int kept = 0;

    if (order == NULL)
        return 0;
    for (int i = 0; i < n; i++) {
        grand += totals[i];
        order[i] = i;
        map[i] = SVG_OTHER;
    }
    /* Stable selection order: largest total first, lower index on ties. */
    for (int i = 1; i < n; i++) {
        int x = order[i];
        int j = i - 1;
        while (j >= 0 && totals[order[j]] < totals[x]) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = x;
    }
    for (int r = 0; r < n && kept < top; r++) {
        int i = order[r];
        if (min_share > 0 && grand > 0 && totals[i] / grand < min_share)
            break;
        map[i] = kept++;
    }
    /* A single folded series is clearer shown as itself. */
    int folded = n - kept;
    if (folded == 1) {
        for (int i = 0; i < n; i++) {
            if (map[i] == SVG_OTHER)
                map[i] = kept++;
        }
    }
    free(order);
    return kept;
}

void svg_fit(const char *s, int max_chars, char *buf, size_t size)
{
    size_t n = strlen(s);
    size_t o = 0;
    int total = 0;

    for (const char *p = s; *p; p++)
        total += ((unsigned char)*p & 0xC0) != 0x80;
    if (max_chars < 2)
        max_chars = 2;
    /* Whole characters only, leaving room for the ellipsis and the NUL. */
    for (int chars = 0; o < n; chars++) {
        size_t k = 1;
        while (o + k < n && ((unsigned char)s[o + k] & 0xC0) == 0x80)
            k++;
        if ((total > max_chars && chars == max_chars - 1) || o + k + 4 > size)
            break;
        memcpy(buf + o, s + o, k);
        o += k;
    }
    if (o < n && o + 4 <= size) {
        memcpy(buf + o, "\xe2\x80\xa6", 3); /* ... */
        o += 3;
    }
    buf[o] = '\0';
}

int svg_label_step(int n, double label_px, double width_px)
{
    if (n <= 0 || width_px <= 0)
        return 1;
    for (int k = 1; k < n; k++) {
        int shown = (n + k - 1) / k; /* labels when every k-th is shown */
        if ((double)shown * label_px <= width_px)
            return k;
    }
    return n;
}

const char *svg_color(int i)
{
    /* Okabe & Ito (2008), black left out, then four of Tol's muted colours
     * and a dark blue: more homes, fewer collisions for stable colours. */
    static const char *const palette[SVG_NCOLORS] = {
        "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
        "#F0E442", "#004D7A", "#882255", "#44AA99", "#999933", "#332288"
    };
    if (i < 0)
        return "#999999";
    return palette[i % SVG_NCOLORS];
}

/* ---- stable colours -------------------------------------------------------- */

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h;
}

struct keyed {
    uint64_t hash;
    const char *id;
    int at; /* index in the caller's arrays */
};

static int cmp_keyed(const void *p, const void *q)
{
    const struct keyed *a = p, *b = q;
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    int c = strcmp(a->id, b->id);
    return c != 0 ? c : (a->at > b->at) - (a->at < b->at);
}

int svg_stable_colors(int n, const char *const *ids, int *color)
{
    struct keyed *k = malloc((size_t)(n > 0 ? n : 1) * sizeof(*k));
    bool taken[SVG_NCOLORS] = { false };
    int m = 0, used = 0;

    if (k == NULL)
        return -1;
    for (int i = 0; i < n; i++) {
        color[i] = SVG_OTHER;
        if (ids[i] != NULL)
            k[m++] = (struct keyed){ fnv1a(ids[i]), ids[i], i };
    }
    qsort(k, (size_t)m, sizeof(*k), cmp_keyed);
    for (int j = 0; j < m; j++) {
        int home = (int)(k[j].hash % SVG_NCOLORS);
        if (j > 0 && strcmp(k[j - 1].id, k[j].id) == 0) {
            color[k[j].at] = color[k[j - 1].at]; /* the same id */
            continue;
        }
        int c = home; /* with every colour taken, ids share their home */
        if (used < SVG_NCOLORS) {
            while (taken[c])
                c = (c + 1) % SVG_NCOLORS;
            taken[c] = true;
            used++;
        }
        color[k[j].at] = c;
    }
    free(k);
    return 0;
}

/* ---- text ------------------------------------------------------------------ */

#define FONT_PX 12.0
#define LINE_H 15.0 /* between lines of 12 px text */

/* The advance of the character at p in thousandths of an em; *len its
 * bytes (a non-ASCII character counts a whole em). */
static int char_units(const unsigned char *p, size_t *len)
{
    /* Arial's advance widths, ' ' to '~'. */
    static const unsigned short w[95] = {
        278, 278, 355, 556, 556,  889, 667, 191, 333, 333, 389, 584, 278, 333,
        278, 278, 556, 556, 556,  556, 556, 556, 556, 556, 556, 556, 278, 278,
        584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278,
        500, 667, 556, 833, 722,  778, 667, 778, 722, 667, 611, 722, 667, 944,
        667, 667, 611, 278, 278,  278, 469, 556, 333, 556, 556, 500, 556, 556,
        278, 556, 556, 222, 222,  500, 222, 833, 556, 556, 556, 556, 333, 500,
        278, 556, 500, 722, 500,  500, 500, 334, 260, 334, 584
    };
    *len = 1;
    if (*p >= 32 && *p < 127)
        return w[*p - 32];
    while ((p[*len] & 0xC0) == 0x80)
        (*len)++;
    return 1000;
}

double svg_text_px(const char *s, double font_px)
{
    double units = 0;
    size_t k;

    for (const unsigned char *p = (const unsigned char *)s; *p; p += k)
        units += char_units(p, &k);
    return units * font_px / 1000.0 * 1.15;
}

/* The bytes of s's next line at most max_px wide (at 12 px): up to the last
 * break that fits (after ' ', ',', '-', '/'), else as many whole characters
 * as fit; at least one character. */
static size_t line_len(const char *s, double max_px)
{
    const unsigned char *p = (const unsigned char *)s;
    double px = 0;
    size_t at = 0, brk = 0, k;

    while (p[at] != '\0') {
        double w = char_units(p + at, &k) * FONT_PX / 1000.0 * 1.15;
        if (at > 0 && px + w > max_px)
            return brk > 0 ? brk : at;
        px += w;
        at += k;
        if (p[at - 1] == ' ' || p[at - 1] == ',' || p[at - 1] == '-' ||
            p[at - 1] == '/')
            brk = at;
    }
    return at;
}

int svg_text_lines(const char *s, double max_px)
{
    int n = 1;
    size_t k;

    while (s[k = line_len(s, max_px)] != '\0') {
        s += k;
        n++;
    }
    return n;
}

/* s escaped, at most n bytes of it. */
static int escape_n(struct buf *b, const char *s, size_t n)
{
    struct buf t;
    int rc;

    buf_init(&t, 0);
    rc = buf_append(&t, s, n);
    rc |= buf_putc(&t, '\0');
    rc |= rc == 0 ? svg_escape(b, t.data) : -1;
    buf_release(&t);
    return rc;
}

/* s as one <text> at (x, y) wrapped to max_px, each line a <tspan>;
 * attrs go into the <text> tag. */
static int wrapped(struct buf *b, const char *s, double x, double y,
                   double max_px, const char *attrs)
{
    int rc = buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, attrs);
    bool first = true;

    do {
        size_t k = line_len(s, max_px);
        rc |= buf_printf(b, "<tspan x=\"%.1f\" dy=\"%s\">", x,
                         first ? "0" : "15");
        rc |= escape_n(b, s, k);
        rc |= buf_puts(b, "</tspan>");
        s += k;
        first = false;
    } while (*s != '\0');
    return rc | buf_puts(b, "</text>");
}

int svg_escape(struct buf *b, const char *s)
{
    return text_xml(b, s);
}

/* ---- chart furniture ------------------------------------------------------ */

#define FONT \
    "font-family=\"system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif\""

static int head(struct buf *b, int w, int h, const char *title,
                const char *subtitle)
{
    int rc = buf_printf(b,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                        "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        "role=\"img\" " FONT " font-size=\"12\">",
                        w, h, w, h);
    rc |= buf_puts(b, "<title>");
    rc |= svg_escape(b, title);
    rc |= buf_puts(b, "</title><rect width=\"100%\" height=\"100%\" "
                      "fill=\"#ffffff\"/>");
    rc |= buf_puts(b, "<text x=\"12\" y=\"22\" font-size=\"15\" "
                      "font-weight=\"600\" fill=\"#222\">");
    rc |= svg_escape(b, title);
    rc |= buf_puts(b, "</text>");
    if (subtitle != NULL) {
        rc |= buf_puts(b, "<text x=\"12\" y=\"40\" fill=\"#555\">");
        rc |= svg_escape(b, subtitle);
        rc |= buf_puts(b, "</text>");
    }
    return rc;
}

/* A legend's entries placed in a box width wide: in rows (flow) or one
 * per row (column). Long names wrap; nothing is cut. */
struct legend {
    int n;
    const char *const *names;
    const int *color;
    double *x, *y; /* [n] each entry's swatch */
    double height;
};

static int legend_layout(struct legend *l, double width, bool flow)
{
    double x = 0, y = 0, row = 0;

    l->x = calloc((size_t)l->n + 1, sizeof(*l->x));
    l->y = calloc((size_t)l->n + 1, sizeof(*l->y));
    if (l->x == NULL || l->y == NULL)
        return -1;
    for (int i = 0; i < l->n; i++) {
        double tw = svg_text_px(l->names[i], FONT_PX);
        double text_w = tw < width - 18 ? tw : width - 18;
        int lines = svg_text_lines(l->names[i], width - 18);
        if (x > 0 && (!flow || x + 18 + text_w > width)) {
            y += row;
            x = 0;
            row = 0;
        }
        l->x[i] = x;
        l->y[i] = y;
        x += 18 + text_w + 22;
        if (lines * LINE_H + 5 > row)
            row = lines * LINE_H + 5;
    }
    l->height = y + row;
    return 0;
}

static int legend_draw(struct buf *b, const struct legend *l, double x0,
                       double y0, double width)
{
    int rc = 0;
    for (int i = 0; i < l->n; i++) {
        double x = x0 + l->x[i], y = y0 + l->y[i];
        rc |= buf_printf(b,
                         "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" "
                         "height=\"12\" fill=\"%s\"/>",
                         x, y, svg_color(l->color[i]));
        rc |= wrapped(b, l->names[i], x + 18, y + 10, width - 18 - l->x[i],
                      "class=\"legend\" fill=\"#333\"");
    }
    return rc;
}

static void legend_free(struct legend *l)
{
    free(l->x);
    free(l->y);
}

/* Where a bar chart draws: the plot area and its value scale. */
struct frame {
    double left, top, pw, ph;
    double slot; /* width (vertical) or height (horizontal) per category */
    struct scale y;
};

/* The category's bar total (stacked: its positive values). */
static double cat_total(const struct bar_chart *c, int k)
{
    double t = 0, max = 0;
    for (int s = 0; s < c->nser; s++) {
        double v = c->v[s * c->ncat + k];
        t += v > 0 ? v : 0;
        max = v > max ? v : max;
    }
    return c->kind == BARS_STACKED ? t : max;
}

/* The tallest bar (or stack). */
static double chart_max(const struct bar_chart *c)
{
    double max = 0;
    for (int k = 0; k < c->ncat; k++) {
        double t = cat_total(c, k);
        max = t > max ? t : max;
    }
    return max;
}

static const char *bar_color(const struct bar_chart *c, int s, int k)
{
    if (c->cat_color != NULL && c->nser == 1)
        return svg_color(c->cat_color[k]);
    return svg_color(c->color[s]);
}

/* One bar with its tooltip: "series, category: value". */
static int bar(struct buf *b, const struct bar_chart *c, int s, int k, double x,
               double y, double w, double h)
{
    char lab[32];
    int rc;

    svg_compact(c->v[s * c->ncat + k], c->money, lab, sizeof(lab));
    rc = buf_printf(b,
                    "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                    "height=\"%.2f\" fill=\"%s\"><title>",
                    x, y, w > 0.5 ? w : 0.5, h > 0.5 ? h : 0.5,
                    bar_color(c, s, k));
    rc |= svg_escape(b, c->series[s]);
    rc |= buf_puts(b, ", ");
    rc |= svg_escape(b, c->cats[k]);
    return rc | buf_printf(b, ": %s</title></rect>", lab);
}

/* ---- over time: vertical bars ------------------------------------------------ */

/* Grid lines, y tick labels and the y axis title. */
static int y_axis(struct buf *b, const struct bar_chart *c,
                  const struct frame *f, const double *ticks, int nt)
{
    char lab[32];
    int rc = 0;

    for (int i = 0; i < nt; i++) {
        double yy = scale_map(&f->y, ticks[i]);
        svg_compact(ticks[i], c->money, lab, sizeof(lab));
        rc |= buf_printf(b,
                         "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                         "y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
                         "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
                         "fill=\"#555\">%s</text>",
                         f->left, yy, f->left + f->pw, yy, f->left - 6, yy + 4,
                         lab);
    }
    if (c->y_label != NULL) {
        rc |= buf_printf(b,
                         "<text transform=\"translate(16 %.1f) rotate(-90)\" "
                         "text-anchor=\"middle\" fill=\"#555\">",
                         f->top + f->ph / 2);
        rc |= svg_escape(b, c->y_label);
        rc |= buf_puts(b, "</text>");
    }
    return rc;
}

static int column_bars(struct buf *b, const struct bar_chart *c,
                       const struct frame *f, int k)
{
    double gap = f->slot * 0.15;
    double x0 = f->left + k * f->slot + gap / 2;
    double bw = f->slot - gap;
    double base = 0;
    int rc = 0;

    for (int s = 0; s < c->nser; s++) {
        double v = c->v[s * c->ncat + k];
        if (!(v > 0))
            continue;
        double x = x0, w = bw, y0, y1;
        if (c->kind == BARS_STACKED) {
            y0 = scale_map(&f->y, base);
            y1 = scale_map(&f->y, base + v);
            base += v;
        } else {
            w = bw / c->nser;
            x = x0 + s * w;
            y0 = scale_map(&f->y, 0);
            y1 = scale_map(&f->y, v);
        }
        rc |= bar(b, c, s, k, x, y1, w, y0 - y1);
    }
    return rc;
}

/* The widest category label. */
static double label_px(const struct bar_chart *c)
{
    double px = 0;
    for (int k = 0; k < c->ncat; k++) {
        double w = svg_text_px(c->cats[k], FONT_PX);
        px = w > px ? w : px;
    }
    return px;
}

/* Time labels, every k-th so that none overlap, each whole. */
static int x_labels(struct buf *b, const struct bar_chart *c,
                    const struct frame *f, double lpx)
{
    int step = svg_label_step(c->ncat, lpx + 12, f->pw);
    int rc = 0;

    for (int k = 0; k < c->ncat; k += step) {
        rc |= buf_printf(b,
                         "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                         "fill=\"#555\">",
                         f->left + (k + 0.5) * f->slot, f->top + f->ph + 18);
        rc |= svg_escape(b, c->cats[k]);
        rc |= buf_puts(b, "</text>");
    }
    return rc;
}

static int legend_of(const struct bar_chart *c, struct legend *l, double width)
{
    *l = (struct legend){
        c->nser > 1 ? c->nser : 0, c->series, c->color, NULL, NULL, 0
    };
    return legend_layout(l, width, true);
}

static int time_chart(struct buf *b, const struct bar_chart *c, int width,
                      int height)
{
    const double bottom = 46;
    double lpx = label_px(c);
    double right = lpx / 2 + 4 > 20 ? lpx / 2 + 4 : 20;
    struct frame f = { 70, 56, 0, 0, 0, { 0, 0, 0, 0 } };
    double ticks[SVG_MAX_TICKS];
    double axis_top, max = chart_max(c);
    struct legend l;
    int rc;

    f.pw = width - f.left - right;
    f.ph = height - f.top - bottom;
    f.slot = c->ncat > 0 ? f.pw / c->ncat : f.pw;
    int nt = svg_nice_ticks(0, max > 0 ? max : 1, 5, ticks, &axis_top);
    f.y = (struct scale){ 0, axis_top, f.top + f.ph, f.top };
    if (legend_of(c, &l, width - 24) != 0) {
        legend_free(&l);
        return -1;
    }
    rc = head(b, width, height + (int)ceil(l.height), c->title, c->subtitle);
    rc |= y_axis(b, c, &f, ticks, nt);
    for (int k = 0; k < c->ncat; k++)
        rc |= column_bars(b, c, &f, k);
    rc |= x_labels(b, c, &f, lpx);
    rc |= buf_printf(b,
                     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                     "stroke=\"#999\"/>",
                     f.left, f.top + f.ph, f.left + f.pw, f.top + f.ph);
    rc |= legend_draw(b, &l, 12, height - 6, width - 24);
    legend_free(&l);
    return rc | buf_puts(b, "</svg>");
}

/* ---- over named categories: horizontal bars -------------------------------- */

/* Vertical grid lines and value ticks under the plot, the axis title
 * under them. */
static int x_axis(struct buf *b, const struct bar_chart *c,
                  const struct frame *f, const double *ticks, int nt)
{
    char lab[32];
    double yb = f->top + f->ph;
    int rc = 0;

    for (int i = 0; i < nt; i++) {
        double xx = scale_map(&f->y, ticks[i]);
        svg_compact(ticks[i], c->money, lab, sizeof(lab));
        rc |= buf_printf(b,
                         "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                         "y2=\"%.1f\" stroke=\"#e5e5e5\"/>"
                         "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                         "fill=\"#555\">%s</text>",
                         xx, f->top, xx, yb, xx, yb + 16, lab);
    }
    rc |= buf_printf(b,
                     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                     "stroke=\"#999\"/>",
                     f->left, f->top, f->left, yb);
    if (c->y_label != NULL) {
        rc |= buf_printf(b,
                         "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                         "fill=\"#555\">",
                         f->left + f->pw / 2, yb + 34);
        rc |= svg_escape(b, c->y_label);
        rc |= buf_puts(b, "</text>");
    }
    return rc;
}

/* Category k's row: its label (wrapped, right-aligned), its bars, and
 * its total at the end. */
static int row_bars(struct buf *b, const struct bar_chart *c,
                    const struct frame *f, int k, double label_w)
{
    double y0 = f->top + k * f->slot, gap = f->slot * 0.2;
    double bh = f->slot - gap, base = 0;
    int lines = svg_text_lines(c->cats[k], label_w);
    char lab[32];
    int rc;

    rc = wrapped(b, c->cats[k], f->left - 8,
                 y0 + f->slot / 2 + 4 - (lines - 1) * LINE_H / 2, label_w,
                 "class=\"cat\" text-anchor=\"end\" fill=\"#333\"");
    for (int s = 0; s < c->nser; s++) {
        double v = c->v[s * c->ncat + k];
        if (!(v > 0))
            continue;
        double x0 = scale_map(&f->y, base), y = y0 + gap / 2, h = bh;
        double x1 = scale_map(&f->y, base + v);
        if (c->kind == BARS_STACKED) {
            base += v;
        } else {
            h = bh / c->nser;
            y += s * h;
            x0 = scale_map(&f->y, 0);
        }
        rc |= bar(b, c, s, k, x0, y, x1 - x0, h);
    }
    svg_compact(cat_total(c, k), c->money, lab, sizeof(lab));
    return rc | buf_printf(b,
                           "<text x=\"%.1f\" y=\"%.1f\" fill=\"#555\">%s"
                           "</text>",
                           scale_map(&f->y, cat_total(c, k)) + 5,
                           y0 + f->slot / 2 + 4, lab);
}

static int row_chart(struct buf *b, const struct bar_chart *c, int width)
{
    double label_w = label_px(c), value_w = 0;
    double ticks[SVG_MAX_TICKS], axis_top, max = chart_max(c);
    char lab[32];
    int lines = 1;
    struct legend l;
    struct frame f = { 0, 56, 0, 0, 0, { 0, 0, 0, 0 } };

    if (label_w > width * 0.4)
        label_w = width * 0.4;
    for (int k = 0; k < c->ncat; k++) {
        int n = svg_text_lines(c->cats[k], label_w);
        svg_compact(cat_total(c, k), c->money, lab, sizeof(lab));
        lines = n > lines ? n : lines;
        if (svg_text_px(lab, FONT_PX) > value_w)
            value_w = svg_text_px(lab, FONT_PX);
    }
    f.left = 12 + label_w + 12;
    f.pw = width - f.left - value_w - 24;
    f.slot = lines * LINE_H + 9 > 24 ? lines * LINE_H + 9 : 24;
    f.ph = f.slot * (c->ncat > 0 ? c->ncat : 1);
    int nt = svg_nice_ticks(0, max > 0 ? max : 1, 5, ticks, &axis_top);
    f.y = (struct scale){ 0, axis_top, f.left, f.left + f.pw };
    if (legend_of(c, &l, width - 24) != 0) {
        legend_free(&l);
        return -1;
    }
    double legend_y = f.top + f.ph + (c->y_label != NULL ? 52 : 34);
    int height = (int)ceil(legend_y + l.height + 8);
    int rc = head(b, width, height, c->title, c->subtitle);
    rc |= x_axis(b, c, &f, ticks, nt);
    for (int k = 0; k < c->ncat; k++)
        rc |= row_bars(b, c, &f, k, label_w);
    rc |= legend_draw(b, &l, 12, legend_y, width - 24);
    legend_free(&l);
    return rc | buf_puts(b, "</svg>");
}

int svg_bar_chart(struct buf *b, const struct bar_chart *c, int width,
                  int height)
{
    return c->dates ? time_chart(b, c, width, height) : row_chart(b, c, width);
}

/* ---- the donut ---------------------------------------------------------------- */

/* One slice (a full ring when it is all), with its tooltip. */
static int slice(struct buf *b, const struct donut *d, int i, double share,
                 double a, double a1, const double *geo)
{
    double cx = geo[0], cy = geo[1], r = geo[2], ri = geo[3];
    int rc;

    if (share > 0.9999) {
        rc = buf_printf(b,
                        "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" "
                        "fill=\"none\" stroke=\"%s\" "
                        "stroke-width=\"%.2f\"><title>",
                        cx, cy, (r + ri) / 2, svg_color(d->color[i]), r - ri);
    } else {
        int large = a1 - a > M_PI;
        rc =
            buf_printf(b,
                       "<path d=\"M%.2f %.2f A%.2f %.2f 0 %d 1 %.2f %.2f "
                       "L%.2f %.2f A%.2f %.2f 0 %d 0 %.2f %.2f Z\" fill=\"%s\">"
                       "<title>",
                       cx + r * cos(a), cy + r * sin(a), r, r, large,
                       cx + r * cos(a1), cy + r * sin(a1), cx + ri * cos(a1),
                       cy + ri * sin(a1), ri, ri, large, cx + ri * cos(a),
                       cy + ri * sin(a), svg_color(d->color[i]));
    }
    rc |= svg_escape(b, d->labels[i]);
    return rc | buf_printf(b, ": %.1f%%</title>%s", share * 100,
                           share > 0.9999 ? "</circle>" : "</path>");
}

/* "name (12.5%)" for each slice, in one block (free the array). */
static char **share_names(const struct donut *d, const double *share)
{
    char **s = calloc((size_t)d->n + 1, sizeof(*s));
    for (int i = 0; s != NULL && i < d->n; i++) {
        size_t n = strlen(d->labels[i]) + 16;
        s[i] = malloc(n);
        if (s[i] == NULL) {
            for (int j = 0; j < i; j++)
                free(s[j]);
            free(s);
            return NULL;
        }
        snprintf(s[i], n, "%s (%.1f%%)", d->labels[i], share[i] * 100);
    }
    return s;
}

int svg_donut(struct buf *b, const struct donut *d, int width, int height)
{
    double total = 0;
    double *share = calloc((size_t)(d->n > 0 ? d->n : 1), sizeof(*share));
    double geo[4] = { 150, 56 + (height - 56) / 2.0, 0, 0 };
    char **names = NULL;
    struct legend l = { 0, NULL, NULL, NULL, NULL, 0 };
    int rc = -1;

    geo[2] = (height - 56) / 2.0 - 10;
    geo[3] = geo[2] * 0.55;
    for (int i = 0; share != NULL && i < d->n; i++)
        total += d->v[i] > 0 ? d->v[i] : 0;
    for (int i = 0; share != NULL && i < d->n; i++)
        share[i] = total > 0 && d->v[i] > 0 ? d->v[i] / total : 0;
    double lx = geo[0] + geo[2] + 30, lw = width - lx - 12;
    if (share != NULL && (names = share_names(d, share)) != NULL) {
        l = (struct legend){ d->n,     (const char *const *)names,
                             d->color, NULL,
                             NULL,     0 };
        rc = legend_layout(&l, lw, false);
    }
    if (rc == 0) {
        int h = 64 + l.height + 12 > height ? (int)ceil(64 + l.height + 12)
                                            : height;
        double a = -M_PI / 2;
        rc = head(b, width, h, d->title, d->subtitle);
        for (int i = 0; i < d->n; i++) {
            double a1 = a + 2 * M_PI * share[i];
            if (share[i] > 0)
                rc |= slice(b, d, i, share[i], a, a1, geo);
            a = a1;
        }
        rc |= legend_draw(b, &l, lx, 64, lw);
        rc |= buf_puts(b, "</svg>");
    }
    for (int i = 0; names != NULL && i < d->n; i++)
        free(names[i]);
    free(names);
    legend_free(&l);
    free(share);
    return rc;
}
