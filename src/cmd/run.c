/* run.c - one command: key, fetch, aggregate, render, deliver. */
#include "oaiusage/run.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oaiusage/agg.h"
#include "oaiusage/buf.h"
#include "oaiusage/fetch.h"
#include "oaiusage/fmt.h"
#include "oaiusage/html.h"
#include "oaiusage/http.h"
#include "oaiusage/msg.h"
#include "oaiusage/names.h"
#include "oaiusage/output.h"
#include "oaiusage/report.h"
#include "oaiusage/secret.h"

#define EP_COUNT_MAX 16

/* What every command shares: the parsed options and a connection. */
struct session {
    const struct config *cfg;
    int64_t now;
    struct http_client *http;
    struct fetch_ctl ctl;       /* http, key, retries, deadline */
    char *key;
    char mask[SECRET_MASK_MAX];
};

/* ---- one endpoint into an aggregate --------------------------------------- */

static int sink_bucket(void *ctx, int64_t start, int64_t end,
                       struct ou_err *err)
{
    return agg_bucket(ctx, start, end, err);
}

static int sink_record(void *ctx, const struct record *rec, struct ou_err *err)
{
    return agg_add(ctx, rec, err);
}

/* The API ends the window at min(end_time, its now). Data that stops
 * earlier is reported as it is, with the gap said out loud. */
static void warn_if_short(const struct session *s, const struct query *q,
                          const struct fetch_stats *st)
{
    int64_t want_end = q->end_time >= 0
                           ? q->end_time
                           : s->now - bucket_width_seconds(q->width);
    msg_verbose("%s: %d page(s), %lld bucket(s)", q->ep->command, st->pages,
                (long long)st->buckets);
    if (st->last_end < want_end) {
        char a[TU_RFC3339_LEN];
        char b[TU_RFC3339_LEN];
        tu_format_rfc3339(st->last_end, a);
        tu_format_rfc3339(q->end_time >= 0 ? q->end_time : s->now, b);
        msg_warn("%s: the API's data ends at %s, before %s (its clock is "
                 "behind, or data is missing)",
                 q->ep->command, a, b);
    }
}

static int fetch_agg(const struct session *s, const struct query *q,
                     struct agg *agg, struct fetch_stats *st,
                     struct ou_err *err)
{
    struct page_sink sink = { sink_bucket, sink_record, agg, NULL };
    struct fetch_opts fo = { q, s->cfg->base_url, &s->ctl, s->now };
    int rc = fetch_all(&fo, &sink, st, err);

    if (rc != 0)
        return rc;
    warn_if_short(s, q, st);
    return agg_finish(agg, err);
}

static void explain_window(const struct config *cfg, const struct endpoint *ep)
{
    char a[TU_RFC3339_LEN];
    char b[TU_RFC3339_LEN];

    tu_format_rfc3339(cfg->since, a);
    tu_format_rfc3339(cfg->until, b);
    msg_verbose("%s from %s to %s%s, %s buckets", ep->command, a, b,
                cfg->until_sent ? "" : " (now)", bucket_width_name(cfg->width));
    if (ep->day_aligned_start && tu_floor_day(cfg->since) != cfg->since) {
        tu_format_rfc3339(tu_floor_day(cfg->since), a);
        msg_note("note: %s are whole UTC days; the first day starts at %s",
                 ep->command, a);
    }
}

/* ---- --names ----------------------------------------------------------------- */

/* The distinct ids of each nameable group field in the rows. */
struct idset {
    const char **v[NK_COUNT];
    int n[NK_COUNT];
};

static int idset_add(struct idset *ids, enum name_kind k, const char *id)
{
    for (int i = 0; i < ids->n[k]; i++) {
        if (ids->v[k][i] == id || strcmp(ids->v[k][i], id) == 0)
            return 0;
    }
    const char **nv = realloc(ids->v[k], sizeof(*nv) * (size_t)(ids->n[k] + 1));
    if (nv == NULL)
        return -1;
    ids->v[k] = nv;
    nv[ids->n[k]++] = id;
    return 0;
}

static void idset_release(struct idset *ids)
{
    for (int k = 0; k < NK_COUNT; k++)
        free(ids->v[k]);
}

/* Resolve the names a report needs. Never fatal: a failure is a warning and
 * the report keeps its raw ids. */
static struct names *resolve_names_of(const struct session *s,
                                      const struct agg *const *aggs, int naggs,
                                      struct ou_err *err)
{
    struct names_want want;
    struct idset ids;
    struct names *names = names_new();
    struct ou_err e2 = { 0, "" };

    memset(&want, 0, sizeof(want));
    memset(&ids, 0, sizeof(ids));
    if (names == NULL) {
        ou_nomem(err);
        return NULL;
    }
    for (int a = 0; a < naggs; a++) {
        const struct agg *agg = aggs[a];
        const struct agg_spec *sp = agg_spec_of(agg);
        for (int g = 0; g < sp->ngroup; g++) {
            enum name_kind k = sp->ep->groups[sp->group[g]].names;
            if (k == NK_NONE)
                continue;
            want.kind[k] = true;
            for (size_t i = 0; i < agg_nrows(agg); i++) {
                const char *id = agg_row_at(agg, i)->key[g];
                if (id != NULL && idset_add(&ids, k, id) != 0) {
                    idset_release(&ids);
                    names_free(names);
                    ou_nomem(err);
                    return NULL;
                }
            }
        }
    }
    for (int k = 0; k < NK_COUNT; k++) {
        want.ids[k] = ids.v[k];
        want.nids[k] = ids.n[k];
    }
    struct names_opts o = { &s->ctl, s->cfg->base_url, s->key, s->now,
                            OU_NAMES_TTL_S, s->cfg->refresh_names, NULL };
    if (names_resolve(names, &want, &o, &e2) != 0)
        msg_warn("names: %s; rows keep their ids", e2.msg);
    idset_release(&ids);
    return names;
}

static struct names *resolve_names(const struct session *s,
                                   const struct agg *agg, struct ou_err *err)
{
    return resolve_names_of(s, &agg, 1, err);
}

/* ---- commands ------------------------------------------------------------------ */

/* ---- --records, streamed ------------------------------------------------------
 *
 * Rows are collected per sub-window of the fetch plan; as soon as a
 * sub-window and every earlier one are complete, its rows are rendered, in
 * time order, to an anonymous spill file and forgotten. Memory holds only
 * the sub-windows still in flight. The output (head, spilled rows, tail) is
 * delivered once the whole fetch has succeeded.
 */
struct rec_stream {
    struct agg_spec spec;
    enum fmt_kind kind;
    bool header;
    int nseg;
    int64_t b0;          /* the plan's first bucket boundary */
    int64_t span;        /* seconds per sub-window */
    struct agg **seg;
    bool *done;
    int next;            /* the next sub-window to write */
    int spill;           /* descriptor of the spill file */
    bool first;          /* no row written yet */
    struct buf chunk;
};

static struct agg *seg_of(struct rec_stream *rs, int64_t start,
                          struct ou_err *err)
{
    int64_t i = (start - rs->b0) / rs->span;
    if (i < 0)
        i = 0;
    if (i >= rs->nseg)
        i = rs->nseg - 1;
    if (rs->seg[i] == NULL && (rs->seg[i] = agg_new(&rs->spec)) == NULL)
        ou_nomem(err);
    return rs->seg[i];
}

static int rs_bucket(void *ctx, int64_t start, int64_t end, struct ou_err *err)
{
    struct agg *a = seg_of(ctx, start, err);
    return a != NULL ? agg_bucket(a, start, end, err) : (int)err->cat;
}

static int rs_record(void *ctx, const struct record *rec, struct ou_err *err)
{
    struct agg *a = seg_of(ctx, rec->start_time, err);
    return a != NULL ? agg_add(a, rec, err) : (int)err->cat;
}

/* Render one finished sub-window's rows to the spill and free them. */
static int rs_flush(struct rec_stream *rs, int i, struct ou_err *err)
{
    struct agg *a = rs->seg[i];
    struct report_meta m = { 0, 0, "" };
    struct grid g;
    int rc;

    if (a == NULL)
        return 0;
    rc = agg_finish(a, err);
    grid_init(&g, "oaiusage.report");
    if (rc == 0)
        rc = report_grid(a, NULL, &m, &g, err);
    buf_reset(&rs->chunk);
    if (rc == 0)
        rc = fmt_grid_part(&g, rs->kind, FMT_ROWS, rs->header, rs->first,
                           &rs->chunk, err);
    if (rc == 0 && rs->chunk.len > 0) {
        rc = output_spill_write(rs->spill, rs->chunk.data, rs->chunk.len, err);
        rs->first = false;
    }
    grid_release(&g);
    agg_free(a);
    rs->seg[i] = NULL;
    return rc;
}

static int rs_segment(void *ctx, int index, struct ou_err *err)
{
    struct rec_stream *rs = ctx;
    int rc = 0;

    if (index < 0 || index >= rs->nseg)
        return 0;
    rs->done[index] = true;
    while (rc == 0 && rs->next < rs->nseg && rs->done[rs->next])
        rc = rs_flush(rs, rs->next++, err);
    return rc;
}

static int run_records_streamed(const struct session *s, struct ou_err *err)
{
    const struct config *cfg = s->cfg;
    struct rec_stream rs;
    struct query q;
    struct subwin *plan = NULL;
    struct fetch_stats st;
    struct buf head;
    struct buf tail;
    int rc;

    memset(&rs, 0, sizeof(rs));
    buf_init(&head, 0);
    buf_init(&tail, 0);
    buf_init(&rs.chunk, 0);
    cli_build_query(cfg, &q);
    rs.spec = (struct agg_spec){ cfg->ep, cfg->ngroup, { 0 }, TU_PER_NONE,
                                 true };
    memcpy(rs.spec.group, cfg->group, sizeof(rs.spec.group));
    rs.kind = cfg->format;
    rs.header = cfg->header;
    rs.first = true;
    rs.spill = -1;
    if (fetch_plan(&q, s->now, &plan, &rs.nseg) != 0)
        return ou_nomem(err);
    free(plan);
    rs.b0 = tu_floor(q.start_time, bucket_width_seconds(q.width));
    rs.span = bucket_width_seconds(q.width) * q.limit;
    rs.seg = calloc((size_t)rs.nseg, sizeof(*rs.seg));
    rs.done = calloc((size_t)rs.nseg, sizeof(*rs.done));
    if (rs.seg == NULL || rs.done == NULL) {
        rc = ou_nomem(err);
        goto out;
    }
    rs.spill = output_spill_open(cfg->output, err);
    if (rs.spill < 0) {
        rc = err->cat;
        goto out;
    }
    struct page_sink sink = { rs_bucket, rs_record, &rs, rs_segment };
    struct fetch_opts fo = { &q, cfg->base_url, &s->ctl, s->now };
    rc = fetch_all(&fo, &sink, &st, err);
    for (int i = rs.next; rc == 0 && i < rs.nseg; i++)
        rc = rs_flush(&rs, i, err); /* sub-windows the API had no page for */
    if (rc != 0)
        goto out;
    warn_if_short(s, &q, &st);

    /* The head and tail: the columns and the window, from an empty report. */
    struct agg *none = agg_new(&rs.spec);
    struct grid g;
    struct report_meta m = {
        st.first_start >= 0 && st.first_start < cfg->since ? st.first_start
                                                           : cfg->since,
        cfg->until_sent ? cfg->until : st.last_end,
        bucket_width_name(cfg->width),
    };
    grid_init(&g, "oaiusage.report");
    rc = none != NULL ? agg_finish(none, err) : ou_nomem(err);
    if (rc == 0)
        rc = report_grid(none, NULL, &m, &g, err);
    if (rc == 0)
        rc = fmt_grid_part(&g, rs.kind, FMT_HEAD, rs.header, true, &head, err);
    if (rc == 0)
        rc = fmt_grid_part(&g, rs.kind, FMT_TAIL, rs.header, rs.first, &tail,
                           err);
    grid_release(&g);
    agg_free(none);
    if (rc == 0)
        rc = output_write_parts(cfg->output, head.data ? head.data : "",
                                head.len, rs.spill,
                                tail.data ? tail.data : "", tail.len, err);
out:
    for (int i = 0; rs.seg != NULL && i < rs.nseg; i++)
        agg_free(rs.seg[i]);
    free(rs.seg);
    free(rs.done);
    if (rs.spill >= 0)
        close(rs.spill);
    buf_release(&rs.chunk);
    buf_release(&head);
    buf_release(&tail);
    return rc;
}

static int run_endpoint(const struct session *s, struct grid *g,
                        struct buf *svg, struct ou_err *err)
{
    const struct config *cfg = s->cfg;
    struct query q;
    struct agg_spec spec;
    struct fetch_stats st;
    struct names *names = NULL;
    struct agg *agg;
    int rc;

    explain_window(cfg, cfg->ep);
    cli_build_query(cfg, &q);
    spec.ep = cfg->ep;
    spec.ngroup = cfg->ngroup;
    memcpy(spec.group, cfg->group, sizeof(spec.group));
    spec.per = cfg->per;
    spec.records = cfg->records;
    agg = agg_new(&spec);
    if (agg == NULL)
        return ou_nomem(err);
    rc = fetch_agg(s, &q, agg, &st, err);
    if (rc == 0 && cfg->names) {
        names = resolve_names(s, agg, err);
        if (names == NULL)
            rc = err->cat;
    }
    struct report_meta m = {
        st.first_start >= 0 && st.first_start < cfg->since ? st.first_start
                                                           : cfg->since,
        cfg->until_sent ? cfg->until : st.last_end,
        bucket_width_name(cfg->width),
    };
    if (rc == 0 && cfg->format == FMT_SVG) {
        rc = report_svg(agg, names, &m, svg, err);
    } else if (rc == 0) {
        rc = report_grid(agg, names, &m, g, err);
        /* Colour only on a terminal, and never with NO_COLOR. */
        g->color = (cfg->output == NULL || strcmp(cfg->output, "-") == 0) &&
                   isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL;
        if (rc == 0 && cfg->chart)
            rc = report_chart(agg, g, 30, err);
    }
    names_free(names);
    agg_free(agg);
    return rc;
}

/* Columns of the overview. */
enum { OV_ENDPOINT, OV_REQUESTS, OV_INPUT, OV_OUTPUT, OV_UNITS, OV_UNIT,
       OV_AMOUNT, OV_CURRENCY, OV_NCOLS };

static int set_int_cell(struct grid *g, struct cell *c,
                        const struct agg_row *t, int m)
{
    char tmp[32];

    if (m < 0)
        return 0;
    snprintf(tmp, sizeof(tmp), "%" PRId64, t->ival[m]);
    c->kind = CELL_INT;
    c->s = grid_strdup(g, tmp);
    return c->s != NULL ? 0 : -1;
}

/* The overview's query for one endpoint: the window, 1d buckets, the
 * --project filter, no grouping. */
static void overview_query(const struct config *cfg, const struct endpoint *ep,
                           struct query *q)
{
    const struct filter_opt *proj = cli_filter(cfg, "project");

    memset(q, 0, sizeof(*q));
    q->ep = ep;
    q->start_time = cfg->since;
    q->end_time = cfg->until_sent ? cfg->until : -1;
    q->width = BW_1D;
    q->limit = ep->limit_max[BW_1D];
    if (proj != NULL) {
        q->filters[0].desc = endpoint_filter(ep, "project");
        q->filters[0].values = (const char *const *)proj->values;
        q->filters[0].nvalues = proj->nvalues;
        q->nfilters = 1;
    }
}

static int overview_rows(const struct endpoint *ep, const struct agg *agg,
                         struct grid *g, struct ou_err *err)
{
    for (size_t i = 0; i < agg_ntotals(agg); i++) {
        const struct agg_row *t = agg_total_at(agg, i);
        struct cell *row = grid_add_row(g, false);
        char tmp[DEC_FMT_MAX];
        if (row == NULL)
            return ou_nomem(err);
        row[OV_ENDPOINT].kind = CELL_TEXT;
        row[OV_ENDPOINT].s = ep->command;
        if (ep->billing) {
            int am = endpoint_metric_index(ep, "amount");
            int cm = endpoint_metric_index(ep, "currency");
            dec_format(&t->dval[am], tmp, sizeof(tmp));
            row[OV_AMOUNT].kind = CELL_DEC;
            row[OV_AMOUNT].s = grid_strdup(g, tmp);
            if (t->text[cm] != NULL) {
                row[OV_CURRENCY].kind = CELL_TEXT;
                row[OV_CURRENCY].s = grid_strdup(g, t->text[cm]);
            }
            if (row[OV_AMOUNT].s == NULL ||
                (t->text[cm] != NULL && row[OV_CURRENCY].s == NULL))
                return ou_nomem(err);
            continue;
        }
        if (set_int_cell(g, &row[OV_REQUESTS], t,
                         endpoint_metric_index(ep, ep->ov_requests)) != 0 ||
            set_int_cell(g, &row[OV_INPUT], t,
                         endpoint_metric_index(ep, ep->ov_input_tokens)) != 0 ||
            set_int_cell(g, &row[OV_OUTPUT], t,
                         endpoint_metric_index(ep, ep->ov_output_tokens)) != 0 ||
            set_int_cell(g, &row[OV_UNITS], t,
                         endpoint_metric_index(ep, ep->ov_units)) != 0)
            return ou_nomem(err);
        if (ep->ov_unit != NULL) {
            row[OV_UNIT].kind = CELL_TEXT;
            row[OV_UNIT].s = ep->ov_unit;
        }
    }
    return 0;
}

static int run_overview(const struct session *s, struct grid *g,
                        struct ou_err *err)
{
    static const char *const names[OV_NCOLS] = {
        "endpoint", "requests", "input_tokens", "output_tokens",
        "units",    "unit",     "amount",       "currency",
    };
    const struct config *cfg = s->cfg;
    struct query q[EP_COUNT_MAX];
    struct agg *aggs[EP_COUNT_MAX] = { 0 };
    struct page_sink sinks[EP_COUNT_MAX];
    struct fetch_stream fss[EP_COUNT_MAX];
    int n = 0;
    int rc = 0;

    for (int k = 0; k < OV_NCOLS; k++)
        grid_add_col(g, &(struct grid_col){ names[k], true, false, false,
                                            false, NULL, false });
    /* Every endpoint at once: their pages share the transfers. */
    for (; endpoint_at(n) != NULL && n < EP_COUNT_MAX; n++) {
        const struct endpoint *ep = endpoint_at(n);
        struct agg_spec spec = { ep, 0, { 0 }, TU_PER_NONE, false };
        overview_query(cfg, ep, &q[n]);
        aggs[n] = agg_new(&spec);
        if (aggs[n] == NULL) {
            rc = ou_nomem(err);
            goto out;
        }
        sinks[n] = (struct page_sink){ sink_bucket, sink_record, aggs[n],
                                       NULL };
        fss[n] = (struct fetch_stream){ &q[n], &sinks[n], { 0, 0, -1, -1 } };
    }
    rc = fetch_streams(&s->ctl, cfg->base_url, s->now, fss, n, err);
    for (int i = 0; rc == 0 && i < n; i++) {
        warn_if_short(s, &q[i], &fss[i].stats);
        rc = agg_finish(aggs[i], err);
        if (rc == 0)
            rc = overview_rows(endpoint_at(i), aggs[i], g, err);
    }
    grid_add_meta(g, &(struct grid_meta){ "start_time", META_TIME, NULL,
                                          cfg->since, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "end_time", META_TIME, NULL,
                                          cfg->until, false, NULL, 0 });
out:
    for (int i = 0; i < n; i++)
        agg_free(aggs[i]);
    return rc;
}

/* report: completions and costs per day, at once, into the HTML report. */
static int run_html(const struct session *s, struct buf *out,
                    struct ou_err *err)
{
    const struct config *cfg = s->cfg;
    const struct endpoint *ue = endpoint_find("completions");
    const struct endpoint *ce = endpoint_find("costs");
    struct query q[2];
    struct agg *aggs[2] = { NULL, NULL };
    struct page_sink sinks[2];
    struct fetch_stream fss[2];
    struct names *names = NULL;
    int rc = 0;

    overview_query(cfg, ue, &q[0]);
    overview_query(cfg, ce, &q[1]);
    struct agg_spec us = { ue, 2, { endpoint_group_index(ue, "model"),
                                    endpoint_group_index(ue, "project_id") },
                           TU_PER_DAY, false };
    struct agg_spec cs = { ce, 2, { endpoint_group_index(ce, "line_item"),
                                    endpoint_group_index(ce, "project_id") },
                           TU_PER_DAY, false };
    q[0].ngroup = 2;
    memcpy(q[0].group, us.group, sizeof(q[0].group));
    q[1].ngroup = 2;
    memcpy(q[1].group, cs.group, sizeof(q[1].group));
    aggs[0] = agg_new(&us);
    aggs[1] = agg_new(&cs);
    if (aggs[0] == NULL || aggs[1] == NULL) {
        rc = ou_nomem(err);
        goto out;
    }
    for (int i = 0; i < 2; i++) {
        sinks[i] = (struct page_sink){ sink_bucket, sink_record, aggs[i], NULL };
        fss[i] = (struct fetch_stream){ &q[i], &sinks[i], { 0, 0, -1, -1 } };
    }
    explain_window(cfg, ue);
    rc = fetch_streams(&s->ctl, cfg->base_url, s->now, fss, 2, err);
    for (int i = 0; rc == 0 && i < 2; i++) {
        warn_if_short(s, &q[i], &fss[i].stats);
        rc = agg_finish(aggs[i], err);
    }
    if (rc == 0 && cfg->names) {
        names = resolve_names_of(s, (const struct agg *const *)aggs, 2, err);
        if (names == NULL)
            rc = err->cat;
    }
    if (rc == 0) {
        struct html_input in = {
            aggs[0], aggs[1], names, cfg->since,
            cfg->until_sent ? cfg->until : fss[0].stats.last_end,
            s->now, cfg->base_url,
        };
        rc = html_report(&in, out, err);
    }
out:
    names_free(names);
    agg_free(aggs[0]);
    agg_free(aggs[1]);
    return rc;
}

/* ---- organization lists ---------------------------------------------------------- */

struct list_col {
    const char *name;
    const char *path;
    const char *fallback;   /* a second path when the first is null */
    bool time;
};

struct list_ctx {
    struct grid *g;
    const struct list_col *cols;
    int ncols;
    const char *project;    /* api-keys: the project column's value */
    int first;              /* grid column of the first list field */
};

static int list_item(void *ctx, const struct list_value *v, struct ou_err *err)
{
    struct list_ctx *lc = ctx;
    struct cell *row = grid_add_row(lc->g, false);

    if (row == NULL)
        return ou_nomem(err);
    if (lc->project != NULL) {
        row[0].kind = CELL_TEXT;
        row[0].s = grid_strdup(lc->g, lc->project);
        if (row[0].s == NULL)
            return ou_nomem(err);
    }
    /* values: each column's path, then each column's fallback */
    for (int k = 0; k < lc->ncols; k++) {
        const struct list_value *x = &v[k];
        struct cell *c = &row[lc->first + k];
        if (x->kind == LV_NULL && lc->cols[k].fallback != NULL)
            x = &v[lc->ncols + k];
        if (x->kind == LV_STRING) {
            c->kind = CELL_TEXT;
            c->s = grid_strdup(lc->g, x->s);
            if (c->s == NULL)
                return ou_nomem(err);
        } else if (x->kind == LV_INT) {
            char tmp[32];
            if (lc->cols[k].time) {
                c->kind = CELL_TIME;
                c->t = x->i;
                continue;
            }
            snprintf(tmp, sizeof(tmp), "%" PRId64, x->i);
            c->kind = CELL_INT;
            c->s = grid_strdup(lc->g, tmp);
            if (c->s == NULL)
                return ou_nomem(err);
        } else if (x->kind == LV_BOOL) {
            c->kind = CELL_BOOL;
            c->b = x->b;
        }
    }
    return 0;
}

static int list_into(const struct session *s, const char *path,
                     const char *extra, const char *what,
                     struct list_ctx *lc, struct ou_err *err)
{
    const char *fields[LIST_MAX_FIELDS];
    int n = 0;

    for (int k = 0; k < lc->ncols; k++)
        fields[n++] = lc->cols[k].path;
    for (int k = 0; k < lc->ncols; k++)
        fields[n++] = lc->cols[k].fallback != NULL ? lc->cols[k].fallback
                                                   : lc->cols[k].path;
    struct list_fetch lf = { &s->ctl, s->cfg->base_url, path, extra, what,
                             fields, n };
    return fetch_list(&lf, list_item, lc, err);
}

static const struct list_col project_cols[] = {
    { "id", "id", NULL, false },
    { "name", "name", NULL, false },
    { "status", "status", NULL, false },
    { "created_at", "created_at", NULL, true },
    { "archived_at", "archived_at", NULL, true },
};
static const struct list_col user_cols[] = {
    { "id", "id", NULL, false },
    { "email", "email", NULL, false },
    { "name", "name", NULL, false },
    { "role", "role", NULL, false },
    { "added_at", "added_at", NULL, true },
};
static const struct list_col key_cols[] = {
    { "id", "id", NULL, false },
    { "name", "name", NULL, false },
    { "redacted_value", "redacted_value", NULL, false },
    { "owner_type", "owner.type", NULL, false },
    { "owner", "owner.user.email", "owner.service_account.name", false },
    { "created_at", "created_at", NULL, true },
    { "last_used_at", "last_used_at", NULL, true },
};

#define NCOLS(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void add_list_cols(struct grid *g, const struct list_col *cols, int n)
{
    for (int k = 0; k < n; k++)
        grid_add_col(g, &(struct grid_col){ cols[k].name, true, false, false,
                                            false, NULL, false });
}

/* Collects project ids for api-keys without --project. */
static int collect_id(void *ctx, const struct list_value *v,
                      struct ou_err *err)
{
    struct idset *ids = ctx;
    if (v[0].kind != LV_STRING)
        return ou_fail(err, OU_E_DATA, "a project without an id");
    char *id = strdup(v[0].s);
    if (id == NULL || idset_add(ids, NK_PROJECT, id) != 0) {
        free(id);
        return ou_nomem(err);
    }
    return 0;
}

static int run_list(const struct session *s, struct grid *g,
                    struct ou_err *err)
{
    const struct config *cfg = s->cfg;
    struct list_ctx lc = { g, NULL, 0, NULL, 0 };

    switch (cfg->cmd) {
    case CMD_PROJECTS:
        lc.cols = project_cols;
        lc.ncols = NCOLS(project_cols);
        add_list_cols(g, lc.cols, lc.ncols);
        return list_into(s, "/organization/projects", "include_archived=true",
                         "projects", &lc, err);
    case CMD_USERS:
        lc.cols = user_cols;
        lc.ncols = NCOLS(user_cols);
        add_list_cols(g, lc.cols, lc.ncols);
        return list_into(s, "/organization/users", NULL, "users", &lc, err);
    case CMD_API_KEYS:
        break;
    case CMD_REPORT:
    case CMD_OVERVIEW:
    default:
        return ou_fail(err, OU_E_USAGE, "not a list command");
    }

    /* api-keys: per project, of --project or of every project. */
    const struct filter_opt *proj = cli_filter(cfg, "project");
    struct idset all;
    const char *const *pids;
    int np;
    int rc = 0;

    memset(&all, 0, sizeof(all));
    if (proj != NULL) {
        pids = (const char *const *)proj->values;
        np = proj->nvalues;
    } else {
        static const char *const id_field[] = { "id" };
        struct list_fetch lf = { &s->ctl, cfg->base_url,
                                 "/organization/projects",
                                 "include_archived=true", "projects",
                                 id_field, 1 };
        rc = fetch_list(&lf, collect_id, &all, err);
        pids = all.v[NK_PROJECT];
        np = all.n[NK_PROJECT];
    }
    grid_add_col(g, &(struct grid_col){ "project_id", true, false, false,
                                        false, NULL, false });
    lc.cols = key_cols;
    lc.ncols = NCOLS(key_cols);
    lc.first = 1;
    add_list_cols(g, lc.cols, lc.ncols);
    for (int i = 0; rc == 0 && i < np; i++) {
        struct buf path;
        buf_init(&path, 0);
        if (buf_puts(&path, "/organization/projects/") != 0 ||
            url_encode(&path, pids[i]) != 0 ||
            buf_puts(&path, "/api_keys") != 0) {
            buf_release(&path);
            rc = ou_nomem(err);
            break;
        }
        lc.project = pids[i];
        rc = list_into(s, path.data, NULL, "API keys", &lc, err);
        if (rc != 0)
            ou_err_prefix(err, "project %s: ", pids[i]);
        buf_release(&path);
    }
    if (proj == NULL) {
        for (int i = 0; i < all.n[NK_PROJECT]; i++)
            free((char *)all.v[NK_PROJECT][i]);
    }
    idset_release(&all);
    return rc;
}

/* --dry-run: the requests the command would make, on stdout. */
static int dry_run(const struct config *cfg, int64_t now, struct ou_err *err)
{
    struct query q[EP_COUNT_MAX];
    int n = 0;
    struct buf out;
    int rc = 0;

    if (cfg->cmd == CMD_REPORT) {
        cli_build_query(cfg, &q[n++]);
    } else if (cfg->cmd == CMD_OVERVIEW) {
        for (; endpoint_at(n) != NULL && n < EP_COUNT_MAX; n++)
            overview_query(cfg, endpoint_at(n), &q[n]);
    } else {
        return ou_fail(err, OU_E_USAGE,
                          "--dry-run applies to usage, costs and overview");
    }
    buf_init(&out, 0);
    for (int k = 0; k < n && rc == 0; k++) {
        struct subwin *plan = NULL;
        int np = 0;
        if (fetch_plan(&q[k], now, &plan, &np) != 0) {
            rc = ou_nomem(err);
            break;
        }
        char a[TU_RFC3339_LEN];
        char b[TU_RFC3339_LEN];
        tu_format_rfc3339(q[k].start_time, a);
        if (q[k].end_time >= 0)
            tu_format_rfc3339(q[k].end_time, b);
        buf_printf(&out, "# %s: %d request%s (%s buckets, %d per page) for "
                         "%s .. %s, at most %d at once\n",
                   q[k].ep->command, np, np == 1 ? "" : "s",
                   bucket_width_name(q[k].width), q[k].limit, a,
                   q[k].end_time >= 0 ? b : "now", cfg->concurrency);
        for (int i = 0; i < np && rc == 0; i++) {
            struct query sq = q[k];
            sq.start_time = plan[i].start;
            sq.end_time = plan[i].end_sent ? plan[i].end : -1;
            buf_puts(&out, "GET ");
            if (query_url(&sq, cfg->base_url, NULL, &out) != 0)
                rc = ou_nomem(err);
            buf_putc(&out, '\n');
        }
        free(plan);
    }
    if (rc == 0)
        rc = output_write(NULL, out.data ? out.data : "", out.len, err);
    buf_release(&out);
    return rc;
}

int run_report(const struct config *cfg, int64_t now, struct ou_err *err)
{
    struct session s;
    struct http_config hc;
    struct grid g;
    struct buf out;
    const char *source = NULL;
    int rc;

    memset(&s, 0, sizeof(s));
    s.cfg = cfg;
    s.now = now;
    grid_init(&g, cfg->cmd == CMD_REPORT     ? "oaiusage.report"
                  : cfg->cmd == CMD_OVERVIEW ? "oaiusage.overview"
                                             : "oaiusage.list");
    buf_init(&out, 0);
    rc = http_check_base_url(cfg->base_url, cfg->allow_insecure_http, err);
    if (rc != 0)
        goto out;
    if (cfg->dry_run) {
        rc = dry_run(cfg, now, err);
        goto out;
    }
    rc = secret_load(cfg->key_file, &s.key, &source, err);
    if (rc != 0)
        goto out;
    secret_mask(s.key, s.mask, sizeof(s.mask));
    msg_verbose("admin key %s from %s; base URL %s", s.mask, source,
                cfg->base_url);

    hc.bearer = s.key;
    hc.user_agent = "oaiusage/" OAIUSAGE_VERSION;
    hc.timeout_ms = cfg->timeout_ms;
    hc.max_body = OU_MAX_RESPONSE_BYTES;
    hc.cacert = cfg->cacert;
    s.http = http_client_new(&hc, cfg->concurrency, err);
    if (s.http == NULL) {
        rc = err->cat;
        goto out;
    }
    s.ctl.http = s.http;
    s.ctl.key = s.key;
    s.ctl.retry = (struct retry_policy)RETRY_POLICY_DEFAULT;
    s.ctl.retry.max_retries = cfg->retries;
    s.ctl.parallel = cfg->concurrency;
    s.ctl.deadline_ms = cfg->deadline_ms > 0
                            ? cfg->start_ms + cfg->deadline_ms
                            : 0;
    switch (cfg->cmd) {
    case CMD_REPORT:
        if (cfg->records && cfg->format != FMT_TABLE && !cfg->names) {
            explain_window(cfg, cfg->ep);
            rc = run_records_streamed(&s, err);
            goto out; /* delivered already */
        }
        rc = run_endpoint(&s, &g, &out, err);
        if (rc == 0 && cfg->format == FMT_SVG) {
            rc = output_write(cfg->output, out.data ? out.data : "", out.len,
                              err);
            goto out;
        }
        break;
    case CMD_OVERVIEW:
        rc = run_overview(&s, &g, err);
        break;
    case CMD_PROJECTS:
    case CMD_USERS:
    case CMD_API_KEYS:
        rc = run_list(&s, &g, err);
        break;
    case CMD_HTML:
        rc = run_html(&s, &out, err);
        if (rc == 0)
            rc = output_write(cfg->output, out.data ? out.data : "", out.len,
                              err);
        goto out;
    }
    if (rc == 0)
        rc = fmt_grid(&g, cfg->format, cfg->header, &out, err);
    if (rc == 0)
        rc = output_write(cfg->output, out.data ? out.data : "", out.len, err);
out:
    page_release();
    grid_release(&g);
    http_client_free(s.http);
    secret_free(s.key);
    buf_release(&out);
    return rc;
}
