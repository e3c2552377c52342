/* query.c - URL encoding of a usage/costs query. */
#include "oaiusage/query.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
           (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
           c == '~';
}

int url_encode(struct buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (unreserved(*p)) {
            if (buf_putc(out, (char)*p) != 0)
                return -1;
        } else {
            char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
            if (buf_append(out, e, 3) != 0)
                return -1;
        }
    }
    return 0;
}

/* "&name%5B%5D=value" (or "?" for the first parameter). */
static int add_param(struct buf *out, bool *first, const char *name, bool array,
                     const char *value)
{
    if (buf_putc(out, *first ? '?' : '&') != 0 || url_encode(out, name) != 0)
        return -1;
    *first = false;
    if (array && buf_puts(out, "%5B%5D") != 0)
        return -1;
    if (buf_putc(out, '=') != 0)
        return -1;
    return url_encode(out, value);
}

static int add_int(struct buf *out, bool *first, const char *name, int64_t v)
{
    char tmp[32];

    snprintf(tmp, sizeof(tmp), "%" PRId64, v);
    return add_param(out, first, name, false, tmp);
}

/* The API field a group field is read from. */
static const char *sent_name(const struct group_desc *g)
{
    return g->derived != DG_NONE && g->source != NULL ? g->source : g->name;
}

const char *query_group_sent(const struct query *q, int i)
{
    const char *name = sent_name(&q->ep->groups[q->group[i]]);

    /* a field asked for twice (line_item, and model derived from it) is
     * sent once, where it first appears */
    for (int k = 0; k < i; k++) {
        if (strcmp(sent_name(&q->ep->groups[q->group[k]]), name) == 0)
            return NULL;
    }
    return name;
}

int query_url(const struct query *q, const char *base_url, const char *page,
              struct buf *out)
{
    bool first = true;
    int rc = 0;

    rc |= buf_puts(out, base_url);
    rc |= buf_puts(out, q->ep->path);
    rc |= add_int(out, &first, "start_time", q->start_time);
    if (q->end_time >= 0)
        rc |= add_int(out, &first, "end_time", q->end_time);
    rc |= add_param(out, &first, "bucket_width", false,
                    bucket_width_name(q->width));
    for (int i = 0; i < q->nfilters; i++) {
        const struct filter_values *f = &q->filters[i];
        if (f->desc->kind == FK_BOOL) {
            rc |= add_param(out, &first, f->desc->param, false,
                            f->flag ? "true" : "false");
            continue;
        }
        for (int k = 0; k < f->nvalues; k++)
            rc |= add_param(out, &first, f->desc->param, true, f->values[k]);
    }
    for (int i = 0; i < q->ngroup; i++) {
        const char *name = query_group_sent(q, i);
        if (name != NULL)
            rc |= add_param(out, &first, "group_by", true, name);
    }
    rc |= add_int(out, &first, "limit", q->limit);
    if (page != NULL)
        rc |= add_param(out, &first, "page", false, page);
    return rc == 0 ? 0 : -1;
}
