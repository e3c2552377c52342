/* html.h - the self-contained HTML report (oaiusage report). Pure.
 *
 * One XHTML document (it parses as XML) with inline CSS and inline SVG
 * charts, no script, no font or image from anywhere: it opens offline and
 * mails as one file. The charts are the cookbook notebook's, done well:
 * daily input vs output tokens; requests per model stacked by project; the
 * share of requests per project (under 5% folded into "Other", with a
 * second chart breaking "Other" down); total cost per day; cost per day
 * stacked by line item. Then the totals tables (exact numbers) and, in the
 * header, the window, the time it was made and the API it came from.
 *
 * Money is never added across currencies. The costs table has one row per
 * line item and currency and one TOTAL row per currency, by currency code
 * (with a single currency, its TOTAL leaves the currency cell empty). When
 * the costs hold more than one currency, each cost chart is drawn once per
 * currency, its title suffixed with the code ("Total cost per day (eur)");
 * the y axis is the code in capitals, with "$" ticks for usd only.
 *
 * Every sum is exact: token and request totals are int64 with overflow
 * checks (an overflow is OU_E_DATA, "... total overflows a 64-bit
 * integer"), amounts are summed with dec_add, and a chart turns its exact
 * sums into doubles only to draw them.
 *
 * Who owns what: html.c owns the document, the sums and which series each
 * chart shows; the drawing (bars, donut, the top-N fold, escaping) is
 * svg.h's. html_report() only reads its input (the aggregates, the names
 * and base_url stay the caller's) and appends the document to out, which
 * the caller owns and frees; its own scratch memory is freed before it
 * returns. On failure (OU_E_DATA or OU_E_NOMEM, err filled) a data error
 * leaves out untouched, but out of memory may leave part of a document in
 * it: the caller discards out on any failure.
 */
#ifndef OAIUSAGE_HTML_H
#define OAIUSAGE_HTML_H

#include <stdint.h>

#include "oaiusage/agg.h"
#include "oaiusage/buf.h"
#include "oaiusage/names.h"
#include "oaiusage/status.h"

struct html_input {
    const struct agg *usage;   /* completions, --per day, by model,project_id */
    const struct agg *costs;   /* costs, --per day, by line_item,project_id */
    const struct names *names; /* project names, or NULL */
    int64_t start;             /* the window */
    int64_t end;
    int64_t generated;   /* when the report was made */
    const char *source;  /* where the data came from: the API's base URL,
                           or "the history store PATH" */
    const char *filters; /* the filters as given ("project a, b"), or
                            NULL: the header says the report is filtered */
};

int html_report(const struct html_input *in, struct buf *out,
                struct ou_err *err);

#endif
