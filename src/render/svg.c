/* svg.c - charts as standalone SVG (see svg.h). */
#include "oaiusage/svg.h"

#include "oaiusage/text.h"

#include <math.h>
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
    /* Okabe & Ito (2008), black left out. */
    static const char *const palette[] = { "#0072B2", "#E69F00", "#009E73",
                                           "#CC79A7", "#56B4E9", "#D55E00",
                                           "#F0E442", "#004D7A" };
    if (i < 0)
        return "#999999";
    return palette[i % (int)(sizeof(palette) / sizeof(palette[0]))];
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

/* A legend in a column at x, from y; long names are cut. */
static int legend(struct buf *b, double x, double y, int n,
                  const char *const *names, const int *color,
                  const double *share)
{
    int rc = 0;
    for (int i = 0; i < n; i++) {
        double yy = y + i * 18;
        char name[40];
        snprintf(name, sizeof(name), "%s", names[i]);
        if (strlen(names[i]) >= sizeof(name) - 1)
            memcpy(name + sizeof(name) - 4, "...", 4);
        rc |= buf_printf(b,
                         "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" "
                         "height=\"12\" fill=\"%s\"/>",
                         x, yy, svg_color(color[i]));
        rc |= buf_printf(b, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#333\">",
                         x + 18, yy + 10);
        rc |= svg_escape(b, name);
        if (share != NULL)
            rc |= buf_printf(b, " (%.1f%%)", share[i] * 100);
        rc |= buf_puts(b, "</text>");
    }
    return rc;
}

/* Where a bar chart draws: the plot area and its y scale. */
struct frame {
    double left, top, pw, ph;
    double slot; /* width per category */
    struct scale y;
};

/* The tallest bar (or stack). */
static double chart_max(const struct bar_chart *c)
{
    double max = 0;

    for (int k = 0; k < c->ncat; k++) {
        double stack = 0;
        for (int s = 0; s < c->nser; s++) {
            double v = c->v[s * c->ncat + k];
            if (c->kind == BARS_STACKED)
                stack += v > 0 ? v : 0;
            else if (v > max)
                max = v;
        }
        if (stack > max)
            max = stack;
    }
    return max;
}

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
                         "<text transform=\"translate(14 %.1f) rotate(-90)\" "
                         "text-anchor=\"middle\" fill=\"#555\">",
                         f->top + f->ph / 2);
        rc |= svg_escape(b, c->y_label);
        rc |= buf_puts(b, "</text>");
    }
    return rc;
}

/* The bars of category k, with a tooltip each. */
static int category_bars(struct buf *b, const struct bar_chart *c,
                         const struct frame *f, int k)
{
    double gap = f->slot * 0.15;
    double x0 = f->left + k * f->slot + gap / 2;
    double bw = f->slot - gap;
    double base = 0;
    char lab[32];
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
        svg_compact(v, c->money, lab, sizeof(lab));
        rc |= buf_printf(b,
                         "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                         "height=\"%.2f\" fill=\"%s\"><title>",
                         x, y1, w > 0.5 ? w : 0.5, y0 - y1,
                         svg_color(c->color[s]));
        rc |= svg_escape(b, c->series[s]);
        rc |= buf_puts(b, ", ");
        rc |= svg_escape(b, c->cats[k]);
        rc |= buf_printf(b, ": %s</title></rect>", lab);
    }
    return rc;
}

/* x labels that never overlap: dates thinned to every k-th, other labels
 * shortened to their slot (about 7 px a character). */
static int x_labels(struct buf *b, const struct bar_chart *c,
                    const struct frame *f)
{
    double label_px = 0;
    int rc = 0;

    for (int k = 0; k < c->ncat; k++) {
        double px = 7.0 * (double)strlen(c->cats[k]) + 8;
        if (px > label_px)
            label_px = px;
    }
    int step = c->dates ? svg_label_step(c->ncat, label_px, f->pw) : 1;
    int max_chars = (int)((f->slot - 6) / 7.0);
    for (int k = 0; k < c->ncat; k += step) {
        char fit[128];
        svg_fit(c->cats[k], c->dates ? 127 : max_chars, fit, sizeof(fit));
        rc |= buf_printf(b,
                         "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                         "fill=\"#555\">",
                         f->left + (k + 0.5) * f->slot, f->top + f->ph + 18);
        rc |= svg_escape(b, fit);
        rc |= buf_puts(b, "</text>");
    }
    return rc;
}

int svg_bar_chart(struct buf *b, const struct bar_chart *c, int width,
                  int height)
{
    const double legend_w = 230, bottom = 46;
    struct frame f = { 70, 56, 0, 0, 0, { 0, 0, 0, 0 } };
    double ticks[SVG_MAX_TICKS];
    double axis_top;
    double max = chart_max(c);
    int rc;

    f.pw = width - f.left - legend_w - 20;
    f.ph = height - f.top - bottom;
    f.slot = c->ncat > 0 ? f.pw / c->ncat : f.pw;
    int nt = svg_nice_ticks(0, max > 0 ? max : 1, 5, ticks, &axis_top);
    f.y = (struct scale){ 0, axis_top, f.top + f.ph, f.top };
    rc = head(b, width, height, c->title, c->subtitle);
    rc |= y_axis(b, c, &f, ticks, nt);
    for (int k = 0; k < c->ncat; k++)
        rc |= category_bars(b, c, &f, k);
    rc |= x_labels(b, c, &f);
    rc |= buf_printf(b,
                     "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                     "stroke=\"#999\"/>",
                     f.left, f.top + f.ph, f.left + f.pw, f.top + f.ph);
    rc |= legend(b, f.left + f.pw + 20, f.top, c->nser, c->series, c->color,
                 NULL);
    rc |= buf_puts(b, "</svg>");
    return rc;
}

int svg_donut(struct buf *b, const struct donut *d, int width, int height)
{
    double total = 0;
    double *share = calloc((size_t)(d->n > 0 ? d->n : 1), sizeof(*share));
    double cx = 150, cy = 56 + (height - 56) / 2.0;
    double r = (height - 56) / 2.0 - 10, ri = r * 0.55;
    int rc;

    if (share == NULL)
        return -1;
    for (int i = 0; i < d->n; i++)
        total += d->v[i] > 0 ? d->v[i] : 0;
    rc = head(b, width, height, d->title, d->subtitle);
    double a = -M_PI / 2;
    for (int i = 0; i < d->n; i++) {
        double v = d->v[i] > 0 ? d->v[i] : 0;
        share[i] = total > 0 ? v / total : 0;
        if (v <= 0)
            continue;
        double a1 = a + 2 * M_PI * share[i];
        if (share[i] > 0.9999) {
            /* a full ring: two half arcs */
            rc |= buf_printf(b,
                             "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\" "
                             "fill=\"none\" stroke=\"%s\" "
                             "stroke-width=\"%.2f\"><title>",
                             cx, cy, (r + ri) / 2, svg_color(d->color[i]),
                             r - ri);
        } else {
            int large = a1 - a > M_PI;
            rc |= buf_printf(
                b,
                "<path d=\"M%.2f %.2f A%.2f %.2f 0 %d 1 %.2f %.2f "
                "L%.2f %.2f A%.2f %.2f 0 %d 0 %.2f %.2f Z\" fill=\"%s\">"
                "<title>",
                cx + r * cos(a), cy + r * sin(a), r, r, large, cx + r * cos(a1),
                cy + r * sin(a1), cx + ri * cos(a1), cy + ri * sin(a1), ri, ri,
                large, cx + ri * cos(a), cy + ri * sin(a),
                svg_color(d->color[i]));
        }
        rc |= svg_escape(b, d->labels[i]);
        rc |= buf_printf(b, ": %.1f%%</title>%s", share[i] * 100,
                         share[i] > 0.9999 ? "</circle>" : "</path>");
        a = a1;
    }
    rc |= legend(b, cx + r + 30, 64, d->n, d->labels, d->color, share);
    rc |= buf_puts(b, "</svg>");
    free(share);
    return rc;
}
