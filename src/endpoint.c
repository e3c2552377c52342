/* endpoint.c - the endpoint descriptor table (see endpoint.h). */
#include "oaiusage/endpoint.h"

#include <stddef.h>
#include <string.h>

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Filters shared by several endpoints. */
#define F_PROJECT { "project", "project_ids", FK_LIST, NULL }
#define F_USER { "user", "user_ids", FK_LIST, NULL }
#define F_API_KEY { "api-key", "api_key_ids", FK_LIST, NULL }
#define F_MODEL { "model", "models", FK_LIST, NULL }

#define M_INT(n, tab) { n, MK_INT, MA_SUM, NULL, n, false, tab, NULL, false }

/* ---- completions ---------------------------------------------------- */

static const struct group_desc completions_groups[] = {
    { "project_id", GT_STRING }, { "user_id", GT_STRING },
    { "api_key_id", GT_STRING }, { "model", GT_STRING },
    { "batch", GT_BOOL },        { "service_tier", GT_STRING },
};

static const struct filter_desc completions_filters[] = {
    F_PROJECT, F_USER, F_API_KEY, F_MODEL,
    { "batch", "batch", FK_BOOL, NULL },
};

/* Order: the reference's field order (2025 set and the current one). */
static const struct metric_desc completions_metrics[] = {
    M_INT("input_tokens", true),
    M_INT("input_cached_tokens", true),
    M_INT("input_cache_write_tokens", false),
    M_INT("input_uncached_tokens", false),
    M_INT("output_tokens", true),
    M_INT("input_text_tokens", false),
    M_INT("output_text_tokens", false),
    M_INT("input_cached_text_tokens", false),
    M_INT("input_audio_tokens", false),
    M_INT("input_cached_audio_tokens", false),
    M_INT("output_audio_tokens", false),
    M_INT("input_image_tokens", false),
    M_INT("input_cached_image_tokens", false),
    M_INT("output_image_tokens", false),
    M_INT("num_model_requests", true),
};

/* ---- costs ------------------------------------------------------------ */

static const struct group_desc costs_groups[] = {
    { "project_id", GT_STRING },
    { "line_item", GT_STRING },
    { "api_key_id", GT_STRING },
};

static const struct filter_desc costs_filters[] = { F_PROJECT, F_API_KEY };

static const struct metric_desc costs_metrics[] = {
    { "amount", MK_DEC, MA_SUM, "amount", "value", false, true, NULL, false },
    { "currency", MK_TEXT, MA_SUM, "amount", "currency", true, true,
      "amount", true },
    { "quantity", MK_DEC, MA_SUM, NULL, "quantity", true, true, NULL, false },
    { "quantity_unit", MK_TEXT, MA_SUM, NULL, "quantity_unit", true, true,
      "quantity", false },
};

static const struct endpoint endpoints[] = {
    {
        "completions", NULL, "/organization/usage/completions",
        "organization.usage.completions.result",
        "tokens and requests of chat and text completions",
        completions_groups, COUNT(completions_groups),
        completions_filters, COUNT(completions_filters),
        completions_metrics, COUNT(completions_metrics),
        { true, true, true }, { 1440, 168, 31 }, false, 0,
    },
    {
        "costs", NULL, "/organization/costs",
        "organization.costs.result",
        "billed costs per UTC day (the source of truth for money)",
        costs_groups, COUNT(costs_groups),
        costs_filters, COUNT(costs_filters),
        costs_metrics, COUNT(costs_metrics),
        { false, false, true }, { 0, 0, 180 }, true, 0,
    },
};

const struct endpoint *endpoint_at(int i)
{
    if (i < 0 || i >= COUNT(endpoints))
        return NULL;
    return &endpoints[i];
}

const struct endpoint *endpoint_find(const char *name)
{
    for (int i = 0; i < COUNT(endpoints); i++) {
        const struct endpoint *ep = &endpoints[i];
        if (strcmp(ep->command, name) == 0 ||
            (ep->alias != NULL && strcmp(ep->alias, name) == 0))
            return ep;
    }
    return NULL;
}

int endpoint_group_index(const struct endpoint *ep, const char *name)
{
    for (int i = 0; i < ep->ngroups; i++) {
        if (strcmp(ep->groups[i].name, name) == 0)
            return i;
    }
    return -1;
}

int endpoint_metric_index(const struct endpoint *ep, const char *name)
{
    for (int i = 0; i < ep->nmetrics; i++) {
        if (strcmp(ep->metrics[i].name, name) == 0)
            return i;
    }
    return -1;
}

const struct filter_desc *endpoint_filter(const struct endpoint *ep,
                                          const char *option)
{
    for (int i = 0; i < ep->nfilters; i++) {
        if (strcmp(ep->filters[i].option, option) == 0)
            return &ep->filters[i];
    }
    return NULL;
}

const char *bucket_width_name(enum bucket_width w)
{
    static const char *const names[BW_COUNT] = { "1m", "1h", "1d" };
    return (unsigned)w < BW_COUNT ? names[w] : "?";
}

bool bucket_width_parse(const char *s, enum bucket_width *out)
{
    for (int i = 0; i < BW_COUNT; i++) {
        if (strcmp(s, bucket_width_name((enum bucket_width)i)) == 0) {
            *out = (enum bucket_width)i;
            return true;
        }
    }
    return false;
}

int64_t bucket_width_seconds(enum bucket_width w)
{
    static const int64_t secs[BW_COUNT] = { 60, 3600, 86400 };
    return (unsigned)w < BW_COUNT ? secs[w] : 0;
}
