/* html.h - the self-contained HTML report (oaiusage report). Pure.
 *
 * One XHTML document (it parses as XML) with inline CSS and inline SVG
 * charts, no script, no font or image from anywhere: it opens offline and
 * mails as one file. The header gives the window, the total spend, the
 * filters, the time it was made and the API it came from. Then the charts:
 * total cost per day; cost by project; cost by model (the model derived
 * from the line item, record.h, as `costs --group-by model`: a line item
 * without one is "(no model)"); cost per day stacked by line item; input
 * vs output tokens per UTC day, or per UTC hour when the caller fetched
 * hourly buckets (step 3600: a window of one or two days); requests per
 * model stacked by project; the share of requests per project (the 7
 * largest, the rest and any under 1% folded into "Other", with a second
 * chart breaking "Other" down, largest first). Then the totals
 * tables (exact numbers): completions by model, costs by project, by model
 * and by line item.
 *
 * Readable at any size: a chart shows its largest groups and folds the rest
 * into "Other (N projects)"; names are never cut (svg.h wraps them); two
 * projects that read the same (one name, or a name equal to another's id)
 * are told apart by the shortest tail of their ids that differs
 * ("Data Evaluator (..R0HK)"). A project, model or line item has the same
 * colour in every report: chosen from its id (svg_stable_colors), never
 * from its rank. "A to B" always names the last day included.
 *
 * Money is never added across currencies. Each costs table has one row per
 * project, model or line item and currency and one TOTAL row per currency,
 * by currency code
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
    const struct agg *usage;   /* completions by model, project_id: --per day
                                (step 86400) or --per bucket of 1h buckets
                                (step 3600) */
    const struct agg *costs;   /* costs, --per day, by line_item, project_id
                                and model (without a model group, no cost
                                by model is shown) */
    const struct names *names; /* project names, or NULL */
    int64_t start;             /* the window */
    int64_t end;
    int64_t generated;   /* when the report was made */
    const char *source;  /* where the data came from: the API's base URL,
                           or "the history store PATH" */
    const char *filters; /* the filters as given ("project a, b"), or
                            NULL: the header says the report is filtered */
    int64_t step;        /* the usage slots: 86400 (days) or 3600 (hours);
                            0 means 86400 */
    bool local;          /* usage in the zone of --tz (zone.h): its slots
                            are local days or hours, usage->spec.floor
                            local; costs stay per UTC day */
};

int html_report(const struct html_input *in, struct buf *out,
                struct ou_err *err);

#endif
