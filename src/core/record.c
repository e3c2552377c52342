/* record.c - the group fields the client derives (see record.h). */
#include "oaiusage/record.h"

#include <string.h>

int record_derive(const struct endpoint *ep, struct record *rec,
                  struct buf *scratch)
{
    size_t need = 0;

    buf_reset(scratch);
    /* Reserve first: pointers into scratch must not move. */
    for (int g = 0; g < ep->ngroups; g++) {
        const struct group_desc *gd = &ep->groups[g];
        if (gd->derived == DG_MODEL) {
            const char *src = rec->group[endpoint_group_index(ep, gd->source)];
            need += src != NULL ? strlen(src) + 1 : 0;
        }
    }
    if (need > 0 && buf_reserve(scratch, need + 1) != 0)
        return -1;
    for (int g = 0; g < ep->ngroups; g++) {
        const struct group_desc *gd = &ep->groups[g];
        if (gd->derived == DG_NONE)
            continue;
        const char *src = rec->group[endpoint_group_index(ep, gd->source)];
        const char *sep = src != NULL ? strstr(src, ", ") : NULL;
        rec->group[g] = NULL;
        if (src == NULL)
            continue;
        if (gd->derived == DG_COMPONENT) {
            rec->group[g] = sep != NULL ? sep + 2 : src;
        } else if (sep != NULL) {
            size_t at = scratch->len;
            if (buf_append(scratch, src, (size_t)(sep - src)) != 0 ||
                buf_putc(scratch, '\0') != 0)
                return -1;
            rec->group[g] = scratch->data + at;
        }
    }
    return 0;
}
