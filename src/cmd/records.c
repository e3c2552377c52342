/* records.c - --records in CSV, JSON or NDJSON, streamed (see cmds.h).
 *
 * Rows are collected per sub-window of the plan (the fetch says which); as
 * soon as a sub-window and every earlier one are complete, its rows are
 * rendered, in time order, to an anonymous spill file and forgotten.
 * Memory holds only the sub-windows still in flight. The output (head,
 * spilled rows, tail) is delivered once the whole fetch has succeeded.
 */
#include "oaiusage/cmds.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oaiusage/output.h"
#include "oaiusage/report.h"

struct rec_stream {
    struct agg_spec spec;
    enum fmt_kind kind;
    bool header;
    bool csv_safe;
    int nseg;
    struct agg **seg; /* the rows of each sub-window still open */
    bool *done;
    int next;   /* the next sub-window to write */
    int spill;  /* descriptor of the spill file */
    bool first; /* no row written yet */
    struct buf chunk;
    const struct piece *piece; /* the piece being fetched (session.h) */
};

static struct agg *seg_of(struct rec_stream *rs, int sub, struct ou_err *err)
{
    if (rs->seg[sub] == NULL && (rs->seg[sub] = agg_new(&rs->spec)) == NULL)
        ou_nomem(err);
    return rs->seg[sub];
}

static int rs_bucket(void *ctx, int sub, int64_t start, int64_t end,
                     struct ou_err *err)
{
    struct agg *a = seg_of(ctx, sub, err);
    return a != NULL ? agg_bucket(a, start, end, err) : (int)err->cat;
}

static int rs_record(void *ctx, int sub, const struct record *rec,
                     struct ou_err *err)
{
    struct rec_stream *rs = ctx;
    const struct piece *pc = rs->piece;
    struct agg *a = seg_of(rs, sub, err);
    struct record r;

    if (a == NULL)
        return (int)err->cat;
    if (pc->fill < 0 || rec->group[pc->fill] != NULL)
        return agg_add(a, rec, err);
    r = *rec;
    r.group[pc->fill] = pc->fill_value;
    return agg_add(a, &r, err);
}

/* Render one finished sub-window's rows to the spill and free them. */
static int rs_planned(void *ctx, int nsub, struct ou_err *err)
{
    struct rec_stream *rs = ctx;

    rs->nseg = nsub;
    rs->next = 0;
    rs->seg = calloc((size_t)nsub, sizeof(*rs->seg));
    rs->done = calloc((size_t)nsub, sizeof(*rs->done));
    return rs->seg != NULL && rs->done != NULL ? 0 : ou_nomem(err);
}

static int rs_flush(struct rec_stream *rs, int i, struct ou_err *err)
{
    struct agg *a = rs->seg[i];
    struct report_meta m = { 0, 0, "", 0 };
    struct grid g;
    int rc;

    if (a == NULL)
        return 0;
    rc = agg_finish(a, err);
    grid_init(&g, "oaiusage.report");
    g.csv_safe = rs->csv_safe;
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

static int rs_segment(void *ctx, int sub, struct ou_err *err)
{
    struct rec_stream *rs = ctx;
    int rc = 0;

    rs->done[sub] = true;
    while (rc == 0 && rs->next < rs->nseg && rs->done[rs->next])
        rc = rs_flush(rs, rs->next++, err);
    return rc;
}

/* The head and tail: the columns and the window, from an empty report. */
static int deliver(const struct session *s, struct rec_stream *rs,
                   const struct check_span *span, int64_t key_from,
                   struct ou_err *err)
{
    struct report_meta m = { 0, 0, bucket_width_name(s->cfg->width), key_from };
    struct agg *none = agg_new(&rs->spec);
    struct buf head;
    struct buf tail;
    struct grid g;
    int rc;

    buf_init(&head, 0);
    buf_init(&tail, 0);
    grid_init(&g, "oaiusage.report");
    session_window(s, span, &m.start_time, &m.end_time);
    rc = none != NULL ? agg_finish(none, err) : ou_nomem(err);
    if (rc == 0)
        rc = report_grid(none, NULL, &m, &g, err);
    if (rc == 0)
        rc = fmt_grid_part(&g, rs->kind, FMT_HEAD, rs->header, true, &head,
                           err);
    if (rc == 0)
        rc = fmt_grid_part(&g, rs->kind, FMT_TAIL, rs->header, rs->first, &tail,
                           err);
    if (rc == 0)
        rc = output_write_parts(s->cfg->output, head.data ? head.data : "",
                                head.len, rs->spill, tail.data ? tail.data : "",
                                tail.len, err);
    grid_release(&g);
    agg_free(none);
    buf_release(&head);
    buf_release(&tail);
    return rc;
}

/* Forget the sub-windows of a piece (its rows are in the spill). */
static void rs_forget(struct rec_stream *rs)
{
    for (int i = 0; rs->seg != NULL && i < rs->nseg; i++)
        agg_free(rs->seg[i]);
    free(rs->seg);
    free(rs->done);
    rs->seg = NULL;
    rs->done = NULL;
    rs->nseg = 0;
}

/* Fetch one piece's rows into the spill. */
static int fetch_piece(struct session *s, struct rec_stream *rs,
                       const struct piece *pc, struct check_span *span,
                       bool last, struct ou_err *err)
{
    struct fetch_sink sink = { rs_planned, rs_bucket, rs_record, rs_segment,
                               rs,         NULL,      NULL,      NULL };
    struct fetch_stream fs = { &pc->q, &sink, { 0, 0, -1, -1 } };
    int rc;

    rs->piece = pc;
    rc = fetch_streams(&s->env, &fs, 1, err);
    for (int i = rs->next; rc == 0 && i < rs->nseg; i++)
        rc = rs_flush(rs, i, err); /* sub-windows the API had no page for */
    rs_forget(rs);
    if (rc != 0)
        return rc;
    if (last)
        session_warn_short(s, &pc->q, &fs.span);
    span->pages += fs.span.pages;
    span->buckets += fs.span.buckets;
    if (span->first_start < 0)
        span->first_start = fs.span.first_start;
    if (fs.span.last_end > span->last_end)
        span->last_end = fs.span.last_end;
    return 0;
}

/* Start over: no row written. */
static int rs_restart(struct rec_stream *rs, struct ou_err *err)
{
    rs->first = true;
    if (ftruncate(rs->spill, 0) != 0 || lseek(rs->spill, 0, SEEK_SET) != 0)
        return ou_fail(err, OU_E_IO, "cannot reset the spill file");
    return 0;
}

static int stream(struct session *s, struct rec_stream *rs,
                  const struct query *q, struct ou_err *err)
{
    struct piece pieces[2] = { { *q, -1, NULL }, { *q, -1, NULL } };
    struct check_span span = { 0, 0, -1, -1 };
    int64_t key_from = 0;
    int n = 1;
    int rc = fetch_piece(s, rs, &pieces[0], &span, true, err);

    if (rc != 0 &&
        (n = session_work_around(s, q, pieces, &key_from, err)) > 0) {
        /* A refusal the client can work around: fetch in pieces. */
        span = (struct check_span){ 0, 0, -1, -1 };
        rc = rs_restart(rs, err);
        for (int i = 0; i < n && rc == 0; i++)
            rc = fetch_piece(s, rs, &pieces[i], &span, i == n - 1, err);
    }
    if (rc == 0)
        rc = deliver(s, rs, &span, key_from, err);
    if (rc == 0 && key_from > 0)
        session_warn_floor(s, q->ep, key_from);
    return rc;
}

int cmd_records_streamed(struct session *s, struct ou_err *err)
{
    const struct config *cfg = s->cfg;
    struct rec_stream rs;
    struct query q;
    int rc;

    memset(&rs, 0, sizeof(rs));
    buf_init(&rs.chunk, 0);
    struct filter_ids fr;
    memset(&fr, 0, sizeof(fr));
    plan_usage(cfg, &q);
    rs.spec = (struct agg_spec){ cfg->ep, cfg->ngroup,
                                 { 0 },   TU_PER_NONE,
                                 true,    cli_period_floor(cfg->ep) };
    memcpy(rs.spec.group, cfg->group, sizeof(rs.spec.group));
    rs.kind = cfg->format;
    rs.header = cfg->header;
    rs.csv_safe = cfg->csv_safe;
    rs.first = true;
    rs.spill = -1;
    if ((rc = session_resolve_filters(s, &q, &fr, err)) != 0)
        ; /* err says why */
    else if ((rs.spill = output_spill_open(cfg->output, err)) < 0)
        rc = (int)err->cat;
    else
        rc = stream(s, &rs, &q, err);
    filter_ids_release(&fr);
    rs_forget(&rs);
    if (rs.spill >= 0)
        close(rs.spill);
    buf_release(&rs.chunk);
    return rc;
}
