/* report.c - an aggregated report as a grid (see report.h). */
#include "oaiusage/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define NOMEM(err) ou_err_set(err, OU_EXIT_IO, "out of memory")

const char *report_per_name(enum tu_period p)
{
    switch (p) {
    case TU_PER_DAY:
        return "day";
    case TU_PER_WEEK:
        return "week";
    case TU_PER_MONTH:
        return "month";
    case TU_PER_BUCKET:
        return "bucket";
    case TU_PER_NONE:
    default:
        return NULL;
    }
}

/* Column roles, parallel to the grid's columns. */
enum role { R_LABEL, R_T0, R_T1, R_KEY, R_NAME, R_METRIC };

struct layout {
    enum role role[GRID_MAX_COLS];
    int index[GRID_MAX_COLS];   /* group position or metric index */
};

static int add_col(struct grid *g, struct layout *l, enum role r, int index,
                   struct grid_col c)
{
    int k = grid_add_col(g, &c);
    if (k >= 0) {
        l->role[k] = r;
        l->index[k] = index;
    }
    return k;
}

static int build_columns(const struct agg *a, const struct names *names,
                         struct grid *g, struct layout *l)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const struct endpoint *ep = sp->ep;
    int rc = 0;

    if (sp->ngroup == 0 && !sp->records && sp->per == TU_PER_NONE) {
        /* The only row is the total: the table shows it under a label. */
        rc |= add_col(g, l, R_LABEL, 0,
                      (struct grid_col){ "", true, true, false, false, NULL });
        g->table_hides_rows = true;
    }
    if (sp->records) {
        rc |= add_col(g, l, R_T0, 0,
                      (struct grid_col){ "start_time", true, false, false,
                                         false, NULL });
        rc |= add_col(g, l, R_T1, 0,
                      (struct grid_col){ "end_time", true, false, false, false,
                                         NULL });
    } else if (sp->per != TU_PER_NONE) {
        rc |= add_col(g, l, R_T0, 0,
                      (struct grid_col){ "period_start", true, false, false,
                                         sp->per != TU_PER_BUCKET, NULL });
    }
    for (int i = 0; i < sp->ngroup; i++) {
        const struct group_desc *gd = &ep->groups[sp->group[i]];
        bool named = names != NULL && gd->names != NK_NONE;
        rc |= add_col(g, l, R_KEY, i,
                      (struct grid_col){ gd->name, !named, false, false, false,
                                         "(none)" });
        if (named)
            rc |= add_col(g, l, R_NAME, i,
                          (struct grid_col){ name_column(gd->names), true,
                                             false, false, false, "(none)" });
    }
    for (int m = 0; m < ep->nmetrics; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        rc |= add_col(g, l, R_METRIC, m,
                      (struct grid_col){ md->name, md->in_table, false,
                                         md->nullable, false, NULL });
    }
    return rc < 0 ? -1 : 0;
}

static int fill_row(const struct agg *a, const struct names *names,
                    const struct layout *l, const struct agg_row *r,
                    bool total, struct grid *g, struct cell *row)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const struct endpoint *ep = sp->ep;
    char tmp[DEC_FMT_MAX];
    bool labelled = false;

    for (int k = 0; k < g->ncols; k++) {
        struct cell *c = &row[k];
        int i = l->index[k];
        switch (l->role[k]) {
        case R_LABEL:
            break;
        case R_T0:
        case R_T1:
            if (!total) {
                c->kind = CELL_TIME;
                c->t = l->role[k] == R_T0 ? r->t0 : r->t1;
            }
            break;
        case R_KEY:
            if (total)
                break;
            if (r->key[i] != NULL) {
                const struct group_desc *gd = &ep->groups[sp->group[i]];
                if (gd->type == GT_BOOL) {
                    c->kind = CELL_BOOL;
                    c->b = r->key[i][0] == 't';
                } else {
                    c->kind = CELL_TEXT;
                    c->s = grid_strdup(g, r->key[i]);
                    if (c->s == NULL)
                        return -1;
                }
            }
            break;
        case R_NAME: {
            if (total || r->key[i] == NULL)
                break;
            const struct group_desc *gd = &ep->groups[sp->group[i]];
            const char *name = names_get(names, gd->names, r->key[i]);
            if (name != NULL) {
                c->kind = CELL_TEXT;
                c->s = grid_strdup(g, name);
                if (c->s == NULL)
                    return -1;
            } else {
                /* unknown: the table shows the id */
                c->display = grid_strdup(g, r->key[i]);
                if (c->display == NULL)
                    return -1;
            }
            break;
        }
        case R_METRIC: {
            const struct metric_desc *md = &ep->metrics[i];
            if (!r->present[i] && md->kind != MK_INT)
                break;
            if (md->kind == MK_INT) {
                snprintf(tmp, sizeof(tmp), "%" PRId64, r->ival[i]);
                c->kind = CELL_INT;
            } else if (md->kind == MK_DEC) {
                dec_format(&r->dval[i], tmp, sizeof(tmp));
                c->kind = CELL_DEC;
            } else {
                c->kind = CELL_TEXT;
                c->s = grid_strdup(g, r->text[i]);
                if (c->s == NULL)
                    return -1;
                break;
            }
            c->s = grid_strdup(g, tmp);
            if (c->s == NULL)
                return -1;
            break;
        }
        }
        /* Total rows: the first table column says so. */
        if (total && !labelled && g->cols[k].in_table) {
            if (c->kind == CELL_NULL)
                c->display = "TOTAL";
            labelled = true;
        }
        if (total && c->kind == CELL_NULL && c->display == NULL)
            c->display = "";
    }
    return 0;
}

int report_grid(const struct agg *a, const struct names *names,
                const struct report_meta *m, struct grid *g,
                struct ou_err *err)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const char **gb = g->lists;
    struct layout l;
    const char *per = report_per_name(sp->per);

    if (build_columns(a, names, g, &l) != 0)
        return ou_err_set(err, OU_EXIT_IO, "too many columns");
    for (size_t i = 0; i < agg_nrows(a); i++) {
        struct cell *row = grid_add_row(g, false);
        if (row == NULL || fill_row(a, names, &l, agg_row_at(a, i), false, g,
                                    row) != 0)
            return NOMEM(err);
    }
    for (size_t i = 0; i < agg_ntotals(a); i++) {
        struct cell *row = grid_add_row(g, true);
        if (row == NULL || fill_row(a, names, &l, agg_total_at(a, i), true, g,
                                    row) != 0)
            return NOMEM(err);
    }
    for (int i = 0; i < sp->ngroup; i++)
        gb[i] = sp->ep->groups[sp->group[i]].name;
    grid_add_meta(g, &(struct grid_meta){ "endpoint", META_STRING,
                                          sp->ep->command, 0, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "start_time", META_TIME, NULL,
                                          m->start_time, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "end_time", META_TIME, NULL,
                                          m->end_time, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "bucket_width", META_STRING,
                                          m->bucket_width, 0, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "group_by", META_LIST, NULL, 0, false,
                                          gb, sp->ngroup });
    grid_add_meta(g, &(struct grid_meta){ "per", per ? META_STRING : META_NULL,
                                          per, 0, false, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "records", META_BOOL, NULL, 0,
                                          sp->records, NULL, 0 });
    grid_add_meta(g, &(struct grid_meta){ "names", META_BOOL, NULL, 0,
                                          names != NULL, NULL, 0 });
    return 0;
}
