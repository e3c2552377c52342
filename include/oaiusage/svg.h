/* svg.h - charts as standalone SVG, written into a struct buf. Pure.
 *
 * The pieces are tested on their own: a linear scale, "nice" axis ticks at
 * 1, 2 or 5 times a power of ten, compact tick labels, the top-N fold that
 * gathers small series into "Other", label thinning so date labels never
 * overlap, a text width estimate and stable colours. On top of them: bar
 * charts (over time: vertical, grouped or stacked; over named categories:
 * horizontal, one row per category) and a donut with its legend.
 *
 * Names are never cut: a category label or legend entry too long for its
 * room wraps onto more lines, and the chart grows to hold it (legends sit
 * below a bar chart, in as many rows as they need). Colours come from a
 * fixed palette that starts with Okabe-Ito (safe for colour-blind readers);
 * "Other" is grey. Every text is escaped; nothing refers to an external
 * resource.
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

#define SVG_NCOLORS 12 /* the palette's size */

const char *svg_color(int i); /* i >= 0: palette; SVG_OTHER: grey */

/* Stable colours: each of n series gets a palette index chosen from its id
 * (a name, a project id), never from its rank, so a series keeps its
 * colour from one report to the next. The id's home is its 64-bit FNV-1a
 * hash modulo SVG_NCOLORS; ids are served in ascending (hash, id) order,
 * each taking its home or, when an earlier id took it, the next free index
 * after it (wrapping). The result depends on the set of ids only, not on
 * their order; equal ids get equal colours, and up to SVG_NCOLORS distinct
 * ids get distinct colours (beyond that, ids share their home). A NULL id
 * (the "Other" fold) gets SVG_OTHER. Returns -1 when out of memory. */
int svg_stable_colors(int n, const char *const *ids, int *color);

/* The width in pixels of s drawn at font_px, estimated generously from
 * Arial's advance widths (+15% for wider sans-serif fallbacks; any
 * non-ASCII character counts one em), so text sized with it fits. */
double svg_text_px(const char *s, double font_px);

/* How many lines s takes wrapped to max_px at 12 px: broken after a space,
 * comma, hyphen or slash when it can, else between characters; never
 * cut. */
int svg_text_lines(const char *s, double max_px);

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
    bool dates;                /* categories are times: vertical bars along
                                  x, labels thinned to every k-th; else
                                  horizontal bars, one row per category,
                                  its full label (wrapped) at the left */
    const int *cat_color;      /* NULL, or with one series: a palette
                                  index per category (its bar's colour) */
};

/* s shortened to at most max_chars characters (UTF-8 aware), ending in an
 * ellipsis when cut, into buf. */
void svg_fit(const char *s, int max_chars, char *buf, size_t size);

/* A chart width pixels wide. Over time (dates), height is the height
 * without the legend; horizontal charts take the height their rows need.
 * The legend (with two series or more) is added below, as tall as it must
 * be: the <svg> element's height and viewBox say the total. */
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

/* The legend is to the right of the donut; when it is taller than height,
 * the chart grows to hold it. */
int svg_donut(struct buf *b, const struct donut *d, int width, int height);

#endif
