/* htmlreport.c - `oaiusage report`: completions and costs, fetched at once,
 * into the self-contained HTML report (see cmds.h, html.h). */
#include "oaiusage/cmds.h"

#include <string.h>

#include "oaiusage/html.h"
#include "oaiusage/zone.h"

#define DAY 86400LL
#define HOURLY_DAYS 2 /* a window of at most this many UTC days is hourly */

/* Does the window span at most HOURLY_DAYS UTC days? Then its usage is
 * fetched in 1h buckets and charted per hour (costs exist per day only). */
static bool report_hourly(const struct config *cfg)
{
    int64_t d0 = zone_from_wall(tu_floor_day(zone_wall(cfg->since)));
    return cfg->until > cfg->since && cfg->until - d0 <= HOURLY_DAYS * DAY &&
           zone_whole_hours(cfg->since, cfg->until);
}

/* The usage's bucket width: days in UTC; with --tz, local days are built
 * from hours (minutes where the offset is not whole hours). */
static enum bucket_width usage_width(const struct config *cfg)
{
    if (report_hourly(cfg))
        return BW_1H;
    if (zone_is_utc())
        return BW_1D;
    return cli_local_width(cfg->since, cfg->until);
}

/* Completions by model and project, per day (per hour in a short
 * window); costs by line item, project and model (derived from the line
 * item: one group_by=line_item is sent), per day; over the window (with
 * --project). */
int plan_report(const struct config *cfg, struct query *q)
{
    static const char *const by[2][3] = {
        { "model", "project_id", NULL }, { "line_item", "project_id", "model" }
    };
    const struct filter_opt *proj = cli_filter(cfg, "project");

    for (int i = 0; i < 2; i++) {
        const struct endpoint *ep = endpoint_find(i == 0 ? "completions"
                                                         : "costs");
        enum bucket_width w = i == 0 ? usage_width(cfg) : BW_1D;
        memset(&q[i], 0, sizeof(q[i]));
        q[i].ep = ep;
        q[i].start_time = cfg->since;
        q[i].end_time = cfg->until_sent ? cfg->until : -1;
        q[i].width = w;
        q[i].limit = ep->limit_max[w];
        for (int k = 0; k < 3 && by[i][k] != NULL; k++)
            q[i].group[q[i].ngroup++] = endpoint_group_index(ep, by[i][k]);
        if (proj != NULL) {
            q[i].filters[0].desc = endpoint_filter(ep, "project");
            q[i].filters[0].values = (const char *const *)proj->values.v;
            q[i].filters[0].nvalues = proj->values.n;
            q[i].nfilters = 1;
        }
    }
    return 2;
}

int cmd_report(struct session *s, struct ou_err *err)
{
    const struct config *cfg = s->cfg;
    struct query q[CMD_MAX_QUERIES];
    struct agg_spec spec[2];
    struct agg *aggs[2] = { NULL, NULL };
    struct check_span span[2];
    struct names *names = NULL;
    struct buf out;
    struct buf source;
    int rc;

    plan_report(cfg, q);
    for (int i = 0; i < 2; i++) {
        enum tu_period per = i == 0 && report_hourly(cfg) ? TU_PER_BUCKET
                                                          : TU_PER_DAY;
        spec[i] = (struct agg_spec){ q[i].ep, q[i].ngroup,
                                     { 0 },   per,
                                     false,   cli_period_floor(q[i].ep) };
        memcpy(spec[i].group, q[i].group, sizeof(spec[i].group));
    }
    buf_init(&out, 0);
    buf_init(&source, 0);
    session_explain_window(s, q[0].ep);
    /* --project by name: resolved once, for both queries. */
    struct filter_ids fr;
    memset(&fr, 0, sizeof(fr));
    rc = session_resolve_filters(s, &q[0], &fr, err);
    if (rc == 0 && q[0].nfilters > 0 && q[1].nfilters > 0) {
        q[1].filters[0].values = q[0].filters[0].values;
        q[1].filters[0].nvalues = q[0].filters[0].nvalues;
    }
    if (rc == 0)
        rc = session_fetch_aggs(s, q, spec, aggs, span, 2, err);
    filter_ids_release(&fr);
    if (rc == 0 && cfg->names) {
        names = session_names(s, (const struct agg *const *)aggs, 2, err);
        if (names == NULL)
            rc = (int)err->cat;
    }
    if (rc == 0 && s->store != NULL &&
        buf_printf(&source, "the history store %s", store_where(s->store)) != 0)
        rc = ou_nomem(err);
    if (rc == 0) {
        struct html_input in = {
            aggs[0],
            aggs[1],
            names,
            cfg->since,
            cfg->until_sent ? cfg->until : span[0].last_end,
            s->now,
            s->store != NULL ? source.data : cfg->base_url,
            NULL,
            report_hourly(cfg) ? 3600 : DAY,
            !zone_is_utc(),
        };
        struct buf filters;
        buf_init(&filters, 0);
        if (session_filters_text(cfg, &filters) != 0)
            rc = ou_nomem(err);
        in.filters = filters.len > 0 ? filters.data : NULL;
        if (rc == 0)
            rc = html_report(&in, &out, err);
        buf_release(&filters);
    }
    if (rc == 0)
        rc = session_deliver(s, &out, err);
    buf_release(&out);
    buf_release(&source);
    names_free(names);
    agg_free(aggs[0]);
    agg_free(aggs[1]);
    return rc;
}
