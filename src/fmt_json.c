/* fmt_json.c - JSON and NDJSON rendering, with cJSON.
 *
 * Numbers are written as raw JSON text (cJSON_CreateRaw) from the exact
 * integer or decimal, never through a double.
 */
#include "oaiusage/fmt.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool add_raw(cJSON *obj, const char *name, const char *raw)
{
    return cJSON_AddRawToObject(obj, name, raw) != NULL;
}

static bool add_time(cJSON *obj, const char *name, int64_t t)
{
    char s[TU_RFC3339_LEN];
    tu_format_rfc3339(t, s);
    return cJSON_AddStringToObject(obj, name, s) != NULL;
}

static cJSON *row_object(const struct agg *a, const struct agg_row *r)
{
    const struct agg_spec *sp = agg_spec_of(a);
    const struct endpoint *ep = sp->ep;
    cJSON *o = cJSON_CreateObject();
    char tmp[DEC_FMT_MAX];
    bool ok = o != NULL;

    if (ok && sp->records)
        ok = add_time(o, "start_time", r->t0) && add_time(o, "end_time", r->t1);
    else if (ok && sp->per != TU_PER_NONE)
        ok = add_time(o, "period_start", r->t0);
    for (int g = 0; ok && g < sp->ngroup; g++) {
        const struct group_desc *gd = &ep->groups[sp->group[g]];
        const char *v = r->key[g];
        if (v == NULL)
            ok = cJSON_AddNullToObject(o, gd->name) != NULL;
        else if (gd->type == GT_BOOL)
            ok = add_raw(o, gd->name, v[0] == 't' ? "true" : "false");
        else
            ok = cJSON_AddStringToObject(o, gd->name, v) != NULL;
    }
    for (int m = 0; ok && m < ep->nmetrics; m++) {
        const struct metric_desc *md = &ep->metrics[m];
        switch (md->kind) {
        case MK_INT:
            snprintf(tmp, sizeof(tmp), "%" PRId64, r->ival[m]);
            ok = add_raw(o, md->name, tmp);
            break;
        case MK_DEC:
            if (!r->present[m]) {
                ok = cJSON_AddNullToObject(o, md->name) != NULL;
                break;
            }
            dec_format(&r->dval[m], tmp, sizeof(tmp));
            ok = add_raw(o, md->name, tmp);
            break;
        case MK_TEXT:
            ok = r->text[m] != NULL
                     ? cJSON_AddStringToObject(o, md->name, r->text[m]) != NULL
                     : cJSON_AddNullToObject(o, md->name) != NULL;
            break;
        }
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static int append_printed(struct buf *out, cJSON *item)
{
    char *s = cJSON_PrintUnformatted(item);
    int rc;

    if (s == NULL)
        return -1;
    rc = buf_puts(out, s);
    cJSON_free(s);
    return rc;
}

/* The envelope's metadata, printed without its closing brace. */
static int json_head(const struct agg *a, const struct fmt_opts *o,
                     struct buf *out)
{
    const struct agg_spec *sp = agg_spec_of(a);
    cJSON *h = cJSON_CreateObject();
    cJSON *gb;
    const char *per = fmt_per_name(sp->per);
    int rc = -1;

    if (h == NULL)
        return -1;
    if (cJSON_AddStringToObject(h, "object", "oaiusage.report") == NULL ||
        cJSON_AddStringToObject(h, "endpoint", sp->ep->command) == NULL ||
        !add_time(h, "start_time", o->start_time) ||
        !add_time(h, "end_time", o->end_time) ||
        cJSON_AddStringToObject(h, "bucket_width", o->bucket_width) == NULL ||
        (gb = cJSON_AddArrayToObject(h, "group_by")) == NULL)
        goto out;
    for (int g = 0; g < sp->ngroup; g++) {
        cJSON *s = cJSON_CreateString(sp->ep->groups[sp->group[g]].name);
        if (s == NULL || !cJSON_AddItemToArray(gb, s))
            goto out;
    }
    if ((per ? cJSON_AddStringToObject(h, "per", per)
             : cJSON_AddNullToObject(h, "per")) == NULL ||
        cJSON_AddBoolToObject(h, "records", sp->records) == NULL)
        goto out;
    char *s = cJSON_PrintUnformatted(h);
    if (s == NULL)
        goto out;
    size_t n = strlen(s);
    rc = buf_append(out, s, n - 1); /* drop the closing brace */
    cJSON_free(s);
out:
    cJSON_Delete(h);
    return rc;
}

int fmt_render_json(const struct agg *a, const struct fmt_opts *o,
                    struct buf *out, struct ou_err *err)
{
    bool nd = o->kind == FMT_NDJSON;
    int rc = 0;

    if (!nd) {
        rc |= json_head(a, o, out);
        rc |= buf_puts(out, ",\"data\":[");
    }
    for (size_t i = 0; i < agg_nrows(a) && rc == 0; i++) {
        cJSON *row = row_object(a, agg_row_at(a, i));
        if (row == NULL)
            return ou_err_set(err, OU_EXIT_IO, "out of memory");
        if (!nd && i > 0)
            rc |= buf_putc(out, ',');
        if (!nd)
            rc |= buf_putc(out, '\n');
        rc |= append_printed(out, row);
        if (nd)
            rc |= buf_putc(out, '\n');
        cJSON_Delete(row);
    }
    if (!nd)
        rc |= buf_puts(out, agg_nrows(a) > 0 ? "\n]}\n" : "]}\n");
    return rc == 0 ? 0 : ou_err_set(err, OU_EXIT_IO, "out of memory");
}
