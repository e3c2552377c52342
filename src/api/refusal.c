/* refusal.c - the API's known refusals and their workarounds (see
 * refusal.h). */
#include "oaiusage/refusal.h"

#include <string.h>

static bool groups_by(const struct query *q, const char *field)
{
    for (int i = 0; i < q->ngroup; i++) {
        if (strcmp(q->ep->groups[q->group[i]].name, field) == 0)
            return true;
    }
    return false;
}

static bool filters_by(const struct query *q, const char *param)
{
    for (int i = 0; i < q->nfilters; i++) {
        if (strcmp(q->filters[i].desc->param, param) == 0)
            return true;
    }
    return false;
}

/* The Unix time after "on or after " in text, or -1. */
static int64_t floor_in(const char *text)
{
    static const char lead[] = "on or after ";
    const char *p = strstr(text, lead);
    int64_t v = 0;
    int digits = 0;

    if (p == NULL)
        return -1;
    for (p += sizeof(lead) - 1; *p >= '0' && *p <= '9'; p++) {
        if (++digits > 12) /* beyond year 33000: not a time */
            return -1;
        v = v * 10 + (*p - '0');
    }
    return digits > 0 ? v : -1;
}

bool refusal_is_key_floor(const struct api_error *e, const struct query *q)
{
    return e->status == 400 && strcmp(e->param, "start_time") == 0 &&
           groups_by(q, "api_key_id");
}

int64_t refusal_key_floor(const struct api_error *e, const struct query *q)
{
    int64_t w = bucket_width_seconds(q->width);

    if (!refusal_is_key_floor(e, q) || !e->has_message)
        return -1;
    int64_t floor = floor_in(e->message);
    if (floor < 0)
        return -1;
    if (floor % w != 0)
        floor += w - floor % w; /* a bucket is keyed whole or not at all */
    return floor > q->start_time ? floor : -1;
}

int refusal_split(const struct query *q, int64_t floor, int64_t now,
                  struct query pieces[2])
{
    int64_t end = q->end_time >= 0 ? q->end_time : now;
    struct query *before = &pieces[0];

    *before = *q;
    before->ngroup = 0;
    for (int i = 0; i < q->ngroup; i++) {
        if (strcmp(q->ep->groups[q->group[i]].name, "api_key_id") != 0)
            before->group[before->ngroup++] = q->group[i];
    }
    if (floor >= end)
        return 1;
    before->end_time = floor;
    pieces[1] = *q;
    pieces[1].start_time = floor;
    return 2;
}

bool refusal_user_project(const struct api_error *e, const struct query *q)
{
    return e->status == 400 && groups_by(q, "user_id") &&
           (groups_by(q, "project_id") || filters_by(q, "project_ids"));
}
