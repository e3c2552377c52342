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
    int64_t generated;         /* when the report was made */
    const char *base_url;
};

int html_report(const struct html_input *in, struct buf *out,
                struct ou_err *err);

#endif
