/* svg.h - charts as standalone SVG, written into a struct buf. Pure.
 *
 * The pieces are tested on their own: a linear scale, "nice" axis ticks at
 * 1, 2 or 5 times a power of ten, compact tick labels, the top-N fold that
 * gathers small series into "Other", and label thinning so axis labels
 * never overlap. On top of them: vertical bar charts (grouped or stacked),
 * and a donut with its legend. Colours come from the Okabe-Ito palette
 * (safe for colour-blind readers), "Other" is grey. Every text is escaped;
 * nothing refers to an external resource.
 */
#ifndef OAIUSAGE_SVG_H
#define OAIUSAGE_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "oaiusage/buf.h"

#define SVG_MAX_TICKS 16
#define SVG_OTHER (-1)

struct scale {
    double d0, d1; /* domain */
    double r0, r1; /* range (pixels) */
};

double scale_map(const struct scale *s, double v);

/* Ticks from 0 (or lo) up to at least hi at a nice step, about `target`
 * of them; returns the count (<= SVG_MAX_TICKS) and sets *top to the last
 * tick, the axis' end. */
int svg_nice_ticks(double lo, double hi, int target, double *ticks,
                   double *top);

/* "950", "1.5k", "12M", "3.4B"; money adds "$" (values in dollars). */
void svg_compact(double v, bool money, char *buf, size_t size);

/* Keep the series that matter: those with at least min_share of the grand
 * total (when min_share > 0) and at most `top` of them (largest first);
 * map[i] is the kept rank of series i, or SVG_OTHER. Returns how many are
 * kept; ties keep the lower index. */
int svg_fold(int n, const double *totals, int top, double min_share, int *map);

/* Every k-th label fits: the smallest k with n/k labels of label_px each
 * within width_px. */
int svg_label_step(int n, double label_px, double width_px);

const char *svg_color(int i); /* i >= 0: palette; SVG_OTHER: grey */

/* Append s with &, <, >, " escaped. */
int svg_escape(struct buf *b, const char *s);

enum bar_kind { BARS_GROUPED, BARS_STACKED };

struct bar_chart {
    const char *title;
    const char *subtitle;
    const char *y_label;
    bool money;
    enum bar_kind kind;
    int ncat;                  /* categories along x */
    const char *const *cats;   /* their labels */
    int nser;                  /* series (colours) */
    const char *const *series; /* their names (legend) */
    const int *color;          /* palette index per series (SVG_OTHER) */
    const double *v;           /* v[s * ncat + c] */
    bool dates;                /* x labels are dates: show every k-th;
                                    otherwise shorten each to its slot */
};

/* s shortened to at most max_chars characters (UTF-8 aware), ending in an
 * ellipsis when cut, into buf. */
void svg_fit(const char *s, int max_chars, char *buf, size_t size);

int svg_bar_chart(struct buf *b, const struct bar_chart *c, int width,
                  int height);

struct donut {
    const char *title;
    const char *subtitle;
    int n;
    const char *const *labels;
    const int *color;
    const double *v;
};

int svg_donut(struct buf *b, const struct donut *d, int width, int height);

#endif
