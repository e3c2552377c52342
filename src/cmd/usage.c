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

/* The report grid out, then the note of rows --top left out. */
static int deliver(struct session *s, struct grid *g, size_t hidden,
                   struct ou_err *err)
{
    int rc = session_deliver_grid(s, g, err);

    if (rc == 0 && hidden > 0)
        msg_note("note: --top %d: %zu more row%s not shown; the TOTAL counts "
                 "them",
                 s->cfg->top, hidden, hidden == 1 ? " is" : "s are");
    return rc;
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
        rc = deliver(s, &g, hidden, err);
    grid_release(&g);
    return rc;
}

/* One window into one aggregate, working around a refusal the client
 * can work around by fetching it in pieces; *key_from is then where the
 * refused field starts. */
static int fetch_window(struct session *s, const struct query *q,
                        const struct agg_spec *spec, struct agg **agg,
                        struct check_span *span, int64_t *key_from,
                        struct ou_err *err)
{
    int rc = session_fetch_aggs(s, q, spec, agg, span, 1, err);

    if (rc != 0) {
        struct piece pieces[2];
        int n = session_work_around(s, q, pieces, key_from, err);
        if (n > 0) {
            agg_free(*agg);
            *agg = NULL;
            rc = session_fetch_pieces(s, pieces, n, spec, agg, span, err);
        }
    }
    if (rc == 0 && s->key_from > 0)
        *key_from = s->key_from; /* read from the store */
    return rc;
}

/* The window q and the one before it (cfg->prev_*) into aggs[2]: both at
 * once; after a refusal with a workaround, one after the other. */
static int fetch_both(struct session *s, const struct query *q,
                      const struct agg_spec *spec, struct agg **aggs,
                      struct check_span *span, int64_t *from,
                      struct ou_err *err)
{
    const struct config *cfg = s->cfg;
    struct query qp = *q;
    int rc;

    qp.start_time = cfg->prev_since;
    qp.end_time = cfg->prev_until;
    /* A store holds whole buckets: the previous window ends on the last
     * bucket boundary before its end (the title says where). */
    if (s->store != NULL) {
        int64_t w = bucket_width_seconds(q->width);
        qp.end_time = tu_floor(qp.end_time, w);
        if (qp.end_time <= qp.start_time)
            qp.end_time = qp.start_time + w;
    }
    struct query qs[2] = { *q, qp };
    struct agg_spec specs[2] = { *spec, *spec };
    rc = session_fetch_aggs(s, qs, specs, aggs, span, 2, err);
    if (rc != 0 && err->cat == OU_E_API && s->store == NULL) {
        for (int i = 0; i < 2; i++) {
            agg_free(aggs[i]);
            aggs[i] = NULL;
        }
        rc = fetch_window(s, &qs[0], spec, &aggs[0], &span[0], &from[0], err);
        if (rc == 0)
            rc = fetch_window(s, &qs[1], spec, &aggs[1], &span[1], &from[1],
                              err);
    }
    for (int i = 0; rc == 0 && i < 2; i++) {
        if (from[i] == 0 && s->key_from > 0)
            from[i] = s->key_from;
    }
    return rc;
}

/* --compare previous: the window and the one before it, side by side. */
static int compare(struct session *s, struct query *q,
                   const struct agg_spec *spec, struct ou_err *err)
{
    const struct config *cfg = s->cfg;
    struct agg *aggs[2] = { NULL, NULL };
    struct check_span span[2];
    int64_t from[2] = { 0, 0 };
    struct names *names = NULL;
    struct grid g;
    size_t hidden = 0;
    int rc = fetch_both(s, q, spec, aggs, span, from, err);

    if (rc == 0 && cfg->names) {
        names = session_names(s, (const struct agg *const *)aggs, 2, err);
        if (names == NULL)
            rc = (int)err->cat;
    }
    struct report_meta m = { 0, 0, bucket_width_name(cfg->width), from[0] };
    struct report_meta pm = { cfg->prev_since, cfg->prev_until,
                              bucket_width_name(cfg->width), from[1] };
    struct report_opts o = { names,      false,     30,       session_color(s),
                             cfg->exact, cfg->sort, cfg->top, &hidden };
    grid_init(&g, "oaiusage.comparison");
    if (rc == 0) {
        session_window(s, &span[0], &m.start_time, &m.end_time);
        /* The previous window as the data covers it (costs: whole days;
         * a store: whole buckets) */
        if (span[1].first_start >= 0 && span[1].first_start < pm.start_time)
            pm.start_time = span[1].first_start;
        if (span[1].first_start >= 0)
            pm.end_time = span[1].last_end;
        rc = report_compare_grid(aggs[0], aggs[1], &o, cfg->sort_change, &m,
                                 &pm, &g, err);
    }
    if (rc == 0 && cfg->format == FMT_TABLE && cfg->header) {
        struct buf f;
        buf_init(&f, 0);
        if (session_filters_text(cfg, &f) != 0 ||
            report_compare_title(aggs[0], &m, &pm, f.data, &g) != 0)
            rc = ou_nomem(err);
        buf_release(&f);
    }
    if (rc == 0)
        rc = deliver(s, &g, hidden, err);
    for (int i = 0; rc == 0 && i < 2; i++) {
        if (from[i] > 0)
            session_warn_floor(s, cfg->ep, from[i]);
    }
    grid_release(&g);
    names_free(names);
    agg_free(aggs[0]);
    agg_free(aggs[1]);
    return rc;
}

int cmd_usage(struct session *s, struct ou_err *err)
{
    const struct config *cfg = s->cfg;
    struct query q;
    struct agg_spec spec = {
        cfg->ep,  cfg->ngroup,  { 0 },
        cfg->per, cfg->records, cli_period_floor(cfg->ep)
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
    if (rc == 0 && cfg->compare) {
        rc = compare(s, &q, &spec, err);
        filter_ids_release(&fr);
        return rc;
    }
    if (rc == 0)
        rc = fetch_window(s, &q, &spec, &agg, &span, &key_from, err);
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
