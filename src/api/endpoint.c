/* endpoint.c - the endpoint descriptor table (see endpoint.h). */
#include "oaiusage/endpoint.h"

#include <stddef.h>
#include <string.h>

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The tables, laid out by hand. */
/* clang-format off */

/* Group fields shared by several endpoints. */
#define G(name, type, names) { name, type, names, NULL, DG_NONE, NULL }
#define G_PROJECT G("project_id", GT_STRING, NK_PROJECT)
#define G_USER G("user_id", GT_STRING, NK_USER)
#define G_API_KEY G("api_key_id", GT_STRING, NK_API_KEY)
#define G_MODEL G("model", GT_STRING, NK_NONE)
#define G_BATCH G("batch", GT_BOOL, NK_NONE)
#define G_TIER G("service_tier", GT_STRING, NK_NONE)
/* Open text: agents_api, unlabeled, and whatever comes next. */
#define G_SOURCE G("api_source", GT_STRING, NK_NONE)

/* Filters shared by several endpoints. */
#define F_PROJECT { "project", "project_ids", FK_LIST, NULL, "project_id" }
#define F_USER { "user", "user_ids", FK_LIST, NULL, "user_id" }
#define F_API_KEY { "api-key", "api_key_ids", FK_LIST, NULL, "api_key_id" }
#define F_MODEL { "model", "models", FK_LIST, NULL, "model" }
#define F_BATCH { "batch", "batch", FK_BOOL, NULL, "batch" }

#define M_INT(n, tab) { n, MK_INT, MA_SUM, NULL, n, false, tab, NULL, false, NULL }

#define ALL_WIDTHS { true, true, true }, { 1440, 168, 31 }, false, 0

static const struct group_desc owner_groups[] = {
    G_PROJECT, G_USER, G_API_KEY, G_MODEL,
};
static const struct filter_desc owner_filters[] = {
    F_PROJECT, F_USER, F_API_KEY, F_MODEL,
};
static const struct group_desc project_groups[] = { G_PROJECT };
static const struct filter_desc project_filters[] = { F_PROJECT };

/* ---- completions and decisions ------------------------------------------- */

static const struct group_desc completions_groups[] = {
    G_PROJECT, G_USER, G_API_KEY, G_MODEL, G_BATCH, G_TIER, G_SOURCE,
};

static const struct filter_desc completions_filters[] = {
    F_PROJECT, F_USER, F_API_KEY, F_MODEL, F_BATCH,
};

/* Order: the reference's field order; the 12-hour cache writes (2026)
 * follow the 30-minute ones. */
static const struct metric_desc completions_metrics[] = {
    M_INT("input_tokens", true),
    M_INT("input_cached_tokens", true),
    M_INT("input_cache_write_tokens", false),
    M_INT("input_cache_write_12h_tokens", false),
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

/* ---- the other usage endpoints ------------------------------------------- */

static const struct metric_desc tokens_metrics[] = {
    M_INT("input_tokens", true),
    M_INT("num_model_requests", true),
};

static const char *const image_sources[] = {
    "image.generation", "image.edit", "image.variation", NULL,
};
static const struct group_desc images_groups[] = {
    G_PROJECT, G_USER, G_API_KEY, G_MODEL,
    G("size", GT_STRING, NK_NONE), G("source", GT_STRING, NK_NONE),
};
/* Sizes are open text: newer models make sizes the 2026-08 list lacks. */
static const struct filter_desc images_filters[] = {
    { "source", "sources", FK_LIST, image_sources, "source" },
    { "size", "sizes", FK_LIST, NULL, "size" },
    F_PROJECT, F_USER, F_API_KEY, F_MODEL,
};
static const struct metric_desc images_metrics[] = {
    M_INT("images", true),
    M_INT("num_model_requests", true),
};

static const struct metric_desc speeches_metrics[] = {
    M_INT("characters", true),
    M_INT("num_model_requests", true),
};

static const struct metric_desc transcriptions_metrics[] = {
    M_INT("seconds", true),
    M_INT("num_model_requests", true),
};

static const struct metric_desc vector_stores_metrics[] = {
    { "usage_bytes", MK_INT, MA_LEVEL, NULL, "usage_bytes", false, true, NULL,
      false, NULL },
};

/* The spec's schema listed "sessions" before 2026-05 (reference Q12). */
static const struct metric_desc sessions_metrics[] = {
    { "num_sessions", MK_INT, MA_SUM, NULL, "num_sessions", false, true, NULL,
      false, "sessions" },
};

static const struct group_desc file_search_groups[] = {
    G_PROJECT, G_USER, G_API_KEY, G("vector_store_id", GT_STRING, NK_NONE),
};
static const struct filter_desc file_search_filters[] = {
    F_PROJECT, F_USER, F_API_KEY,
    { "vector-store", "vector_store_ids", FK_LIST, NULL, "vector_store_id" },
};
static const struct metric_desc file_search_metrics[] = {
    M_INT("num_requests", true),
};

static const char *const context_levels[] = { "low", "medium", "high", NULL };
static const struct group_desc web_search_groups[] = {
    G_PROJECT, G_USER, G_API_KEY, G_MODEL,
    G("context_level", GT_STRING, NK_NONE), G_SOURCE,
};
static const struct filter_desc web_search_filters[] = {
    F_PROJECT, F_USER, F_API_KEY, F_MODEL,
    { "context-level", "context_levels", FK_LIST, context_levels,
      "context_level" },
};
static const struct metric_desc web_search_metrics[] = {
    M_INT("num_model_requests", true),
    M_INT("num_requests", true),
};

/* ---- costs ------------------------------------------------------------------ */

/* model and component are the client's own: derived from line_item
 * ("<model>, <component>"); user_email names user_id for free. */
static const struct group_desc costs_groups[] = {
    G_PROJECT,
    { "user_id", GT_STRING, NK_USER, "user_email", DG_NONE, NULL },
    G("line_item", GT_STRING, NK_NONE),
    G_API_KEY,
    G_SOURCE,
    { "model", GT_STRING, NK_NONE, NULL, DG_MODEL, "line_item" },
    { "component", GT_STRING, NK_NONE, NULL, DG_COMPONENT, "line_item" },
};

static const struct filter_desc costs_filters[] = {
    F_PROJECT, F_API_KEY, { "line-item", "line_items", FK_LIST, NULL, "line_item" },
};

static const struct metric_desc costs_metrics[] = {
    { "amount", MK_DEC, MA_SUM, "amount", "value", false, true, NULL, false,
      NULL },
    { "currency", MK_TEXT, MA_SUM, "amount", "currency", true, true, "amount",
      true, NULL },
    { "quantity", MK_DEC, MA_SUM, NULL, "quantity", true, true, NULL, false,
      NULL },
    { "quantity_unit", MK_TEXT, MA_SUM, NULL, "quantity_unit", true, true,
      "quantity", false, NULL },
};

/* Sent by the live API, not in the spec, and nothing to report. */
static const char *const costs_quiet[] = { "organization_id", NULL };

#define LIST(a) a, COUNT(a)

/* Ordered as the overview lists them. */
static const struct endpoint endpoints[EP_COUNT] = {
    [EP_COMPLETIONS] = {
        "completions", NULL, "/organization/usage/completions",
        "organization.usage.completions.result",
        "tokens and requests of chat and text completions",
        LIST(completions_groups), LIST(completions_filters),
        LIST(completions_metrics), ALL_WIDTHS,
        "num_model_requests", "input_tokens", "output_tokens", NULL, NULL,
        false, NULL },
    [EP_DECISIONS] = {
        "decisions", NULL, "/organization/usage/decisions",
        "organization.usage.decisions.result",
        "tokens and requests of the Decisions API",
        LIST(completions_groups), LIST(completions_filters),
        LIST(completions_metrics), ALL_WIDTHS,
        "num_model_requests", "input_tokens", "output_tokens", NULL, NULL,
        false, NULL },
    [EP_EMBEDDINGS] = {
        "embeddings", NULL, "/organization/usage/embeddings",
        "organization.usage.embeddings.result",
        "tokens and requests of embeddings",
        LIST(owner_groups), LIST(owner_filters), LIST(tokens_metrics),
        ALL_WIDTHS, "num_model_requests", "input_tokens", NULL, NULL, NULL,
        false, NULL },
    [EP_MODERATIONS] = {
        "moderations", NULL, "/organization/usage/moderations",
        "organization.usage.moderations.result",
        "tokens and requests of moderations",
        LIST(owner_groups), LIST(owner_filters), LIST(tokens_metrics),
        ALL_WIDTHS, "num_model_requests", "input_tokens", NULL, NULL, NULL,
        false, NULL },
    [EP_IMAGES] = {
        "images", NULL, "/organization/usage/images",
        "organization.usage.images.result",
        "images generated, edited and varied, and requests",
        LIST(images_groups), LIST(images_filters), LIST(images_metrics),
        ALL_WIDTHS, "num_model_requests", NULL, NULL, "images", "images",
        false, NULL },
    [EP_AUDIO_SPEECHES] = {
        "audio-speeches", "audio_speeches",
        "/organization/usage/audio_speeches",
        "organization.usage.audio_speeches.result",
        "characters spoken by text-to-speech, and requests",
        LIST(owner_groups), LIST(owner_filters), LIST(speeches_metrics),
        ALL_WIDTHS, "num_model_requests", NULL, NULL, "characters",
        "characters", false, NULL },
    [EP_AUDIO_TRANSCRIPTIONS] = {
        "audio-transcriptions", "audio_transcriptions",
        "/organization/usage/audio_transcriptions",
        "organization.usage.audio_transcriptions.result",
        "seconds of audio transcribed, and requests",
        LIST(owner_groups), LIST(owner_filters),
        LIST(transcriptions_metrics), ALL_WIDTHS, "num_model_requests", NULL,
        NULL, "seconds", "seconds", false, NULL },
    [EP_VECTOR_STORES] = {
        "vector-stores", "vector_stores", "/organization/usage/vector_stores",
        "organization.usage.vector_stores.result",
        "bytes stored in vector stores (a level: the latest, not a sum)",
        LIST(project_groups), LIST(project_filters),
        LIST(vector_stores_metrics), ALL_WIDTHS, NULL, NULL, NULL,
        "usage_bytes", "bytes", false, NULL },
    [EP_CODE_INTERPRETER_SESSIONS] = {
        "code-interpreter-sessions", "code_interpreter_sessions",
        "/organization/usage/code_interpreter_sessions",
        "organization.usage.code_interpreter_sessions.result",
        "code interpreter sessions",
        LIST(project_groups), LIST(project_filters), LIST(sessions_metrics),
        ALL_WIDTHS, NULL, NULL, NULL, "num_sessions", "sessions", false,
        NULL },
    [EP_FILE_SEARCH_CALLS] = {
        "file-search-calls", "file_search_calls",
        "/organization/usage/file_search_calls",
        "organization.usage.file_searches.result", "file search tool calls",
        LIST(file_search_groups), LIST(file_search_filters),
        LIST(file_search_metrics), ALL_WIDTHS, NULL, NULL, NULL,
        "num_requests", "calls", false, NULL },
    [EP_WEB_SEARCH_CALLS] = {
        "web-search-calls", "web_search_calls",
        "/organization/usage/web_search_calls",
        "organization.usage.web_searches.result",
        "web search tool calls, and model requests",
        LIST(web_search_groups), LIST(web_search_filters),
        LIST(web_search_metrics), ALL_WIDTHS, "num_model_requests", NULL,
        NULL, "num_requests", "calls", false, NULL },
    [EP_COSTS] = {
        "costs", NULL, "/organization/costs", "organization.costs.result",
        "billed costs per UTC day (the source of truth for money)",
        LIST(costs_groups), LIST(costs_filters), LIST(costs_metrics),
        { false, false, true }, { 0, 0, 180 }, true, 0,
        NULL, NULL, NULL, NULL, NULL, true, costs_quiet },
};
/* clang-format on */

const struct endpoint *endpoint_at(int i)
{
    if (i < 0 || i >= COUNT(endpoints))
        return NULL;
    return &endpoints[i];
}

bool endpoint_has_level(const struct endpoint *ep)
{
    for (int m = 0; m < ep->nmetrics; m++) {
        if (ep->metrics[m].agg == MA_LEVEL)
            return true;
    }
    return false;
}

int endpoint_index(const struct endpoint *ep)
{
    return (int)(ep - endpoints);
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
    if (name == NULL)
        return -1;
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

const char *name_column(enum name_kind k)
{
    switch (k) {
    case NK_PROJECT:
        return "project_name";
    case NK_USER:
        return "user_email";
    case NK_API_KEY:
        return "api_key_name";
    case NK_NONE:
    case NK_COUNT:
    default:
        return NULL;
    }
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
