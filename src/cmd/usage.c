/* usage.c - the usage and costs commands: one endpoint, grouped, --per,
 * --records or --format svg (see cmds.h). */
#include "oaiusage/cmds.h"

#include <string.h>

#include "oaiusage/msg.h"
#include "oaiusage/report.h"

int plan_usage(const struct config *cfg, struct query *q)
{
    cli_build_query(cfg, q);
    return 1;
}

/* The aggregate as the chosen output: a grid, or an SVG chart. */
static int render(struct session *s, const struct agg *agg,
                  const struct names *names, const struct check_span *span,
                  int64_t key_from, struct ou_err *err)
{
    const struct config *cfg = s->cfg;
    struct report_meta m = { 0, 0, bucket_width_name(cfg->width), key_from };
    size_t hidden = 0;
    struct report_opts o = { names,      cfg->chart, 30,       session_color(s),
                             cfg->exact, cfg->sort,  cfg->top, &hidden };
    struct grid g;
    struct buf svg;
    int rc;

    session_window(s, span, &m.start_time, &m.end_time);
    if (cfg->format == FMT_SVG) {
        buf_init(&svg, 0);
        rc = report_svg(agg, names, &m, &svg, err);
        if (rc == 0)
            rc = session_deliver(s, &svg, err);
        buf_release(&svg);
        return rc;
    }
    grid_init(&g, "oaiusage.report");
    rc = report_grid(agg, &o, &m, &g, err);
    if (rc == 0 && cfg->format == FMT_TABLE && cfg->header) {
        struct buf f;
        buf_init(&f, 0);
        if (session_filters_text(cfg, &f) != 0 ||
            report_title(agg, &m, f.data, &g) != 0)
            rc = ou_nomem(err);
        buf_release(&f);
    }
    if (rc == 0)
        rc = session_deliver_grid(s, &g, err);
    if (rc == 0 && hidden > 0)
        msg_note("note: --top %d: %zu more row%s not shown; the TOTAL counts "
                 "them",
                 cfg->top, hidden, hidden == 1 ? " is" : "s are");
    grid_release(&g);
    return rc;
}

int cmd_usage(struct session *s, struct ou_err *err)
{
    const struct config *cfg = s->cfg;
    struct query q;
    struct agg_spec spec = {
        cfg->ep, cfg->ngroup, { 0 }, cfg->per, cfg->records
    };
    struct check_span span;
    struct names *names = NULL;
    struct agg *agg = NULL;
    int64_t key_from = 0;
    struct filter_ids fr;
    int rc;

    memset(&fr, 0, sizeof(fr));
    session_explain_window(s, cfg->ep);
    if (cfg->records && cfg->format != FMT_TABLE &&
        cfg->format != FMT_OPENMETRICS && cfg->format != FMT_XLSX &&
        !cfg->names && s->store == NULL)
        return cmd_records_streamed(s, err);
    plan_usage(cfg, &q);
    memcpy(spec.group, cfg->group, sizeof(spec.group));
    rc = session_resolve_filters(s, &q, &fr, err);
    if (rc == 0)
        rc = session_fetch_aggs(s, &q, &spec, &agg, &span, 1, err);
    if (rc != 0) {
        /* A refusal the client can work around: fetch in pieces. */
        struct piece pieces[2];
        int n = session_work_around(s, &q, pieces, &key_from, err);
        if (n > 0) {
            agg_free(agg);
            agg = NULL;
            rc = session_fetch_pieces(s, pieces, n, &spec, &agg, &span, err);
        }
    }
    if (rc == 0 && s->key_from > 0)
        key_from = s->key_from; /* read from the store */
    if (rc == 0 && cfg->names) {
        names = session_names(s, (const struct agg *const *)&agg, 1, err);
        if (names == NULL)
            rc = (int)err->cat;
    }
    if (rc == 0)
        rc = render(s, agg, names, &span, key_from, err);
    if (rc == 0 && key_from > 0)
        session_warn_floor(s, cfg->ep, key_from);
    names_free(names);
    agg_free(agg);
    filter_ids_release(&fr);
    return rc;
}
