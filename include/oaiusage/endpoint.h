/* endpoint.h - the table of API endpoints the tool knows.
 *
 * One static descriptor per endpoint drives the command line (which filters
 * and group fields are allowed), the query (path, parameter names, limits),
 * the page parser (result object name, where each metric lives) and the
 * output (column order, table columns, sort order). Adding an endpoint is
 * adding a descriptor, not code. All data here is static and read-only.
 */
#ifndef OAIUSAGE_ENDPOINT_H
#define OAIUSAGE_ENDPOINT_H

#include <stdbool.h>
#include <stdint.h>

#define EP_MAX_GROUPS 10
#define EP_MAX_METRICS 20
#define EP_MAX_FILTERS 8

enum bucket_width { BW_1M = 0, BW_1H = 1, BW_1D = 2, BW_COUNT = 3 };

enum group_type { GT_STRING, GT_BOOL };

/* Which organization list can name a group field's ids (--names). */
enum name_kind { NK_NONE = 0, NK_PROJECT, NK_USER, NK_API_KEY, NK_COUNT };

/* A group field the client derives from another one instead of asking the
 * API (costs: model and component from "<model>, <component>" line
 * items). */
enum derive { DG_NONE = 0, DG_MODEL, DG_COMPONENT };

struct group_desc {
    const char *name; /* API field and group_by value, e.g. "model" */
    enum group_type type;
    enum name_kind names;   /* NK_NONE: not an id with a name */
    const char *name_field; /* a result field that names the id (costs:
                               user_email), or NULL */
    enum derive derived;    /* DG_*: computed from source, never sent */
    const char *source;     /* the group field it is derived from */
};

/* The output column holding the name of an NK_* id ("project_name"). */
const char *name_column(enum name_kind k);

enum filter_kind { FK_LIST, FK_BOOL };

struct filter_desc {
    const char *option; /* CLI long option without "--", e.g. "project" */
    const char *param;  /* query parameter, e.g. "project_ids" */
    enum filter_kind kind;
    const char *const *allowed; /* NULL-terminated enum, or NULL = free text */
    const char *field; /* the group field it constrains ("project_id") */
};

enum metric_kind {
    MK_INT, /* integer counter, summed exactly (missing = 0) */
    MK_DEC, /* exact decimal (money, quantities), number or numeric string */
    MK_TEXT /* label that travels with a decimal (currency, unit); rows
                 with different labels are never merged */
};

enum metric_agg {
    MA_SUM,  /* a flow: totals add up buckets */
    MA_LEVEL /* a stored level: totals take the latest bucket's value */
};

struct metric_desc {
    const char *name; /* output column name (API field name) */
    enum metric_kind kind;
    enum metric_agg agg;
    const char *parent; /* JSON object holding the field, or NULL */
    const char *field;  /* field name inside parent / result */
    bool nullable;      /* null stays null (else null/missing = 0) */
    bool in_table;      /* shown in the table format */
    const char *labels; /* MK_TEXT: the MK_DEC metric it labels */
    bool total_key;     /* MK_TEXT: totals are split by it (currency) */
    const char *alt;    /* an older name of the field, or NULL */
};

struct endpoint {
    const char *command;       /* "completions" */
    const char *alias;         /* alternative spelling, or NULL */
    const char *path;          /* "/organization/usage/completions" */
    const char *result_object; /* "organization.usage.completions.result" */
    const char *summary;       /* one line for --help */
    const struct group_desc *groups;
    int ngroups;
    const struct filter_desc *filters;
    int nfilters;
    const struct metric_desc *metrics;
    int nmetrics;
    bool widths[BW_COUNT];   /* which bucket widths the API accepts */
    int limit_max[BW_COUNT]; /* maximum buckets per page, per width */
    bool day_aligned_start;  /* first bucket floored to 00:00 UTC (costs) */
    int sort_metric;         /* metric index that orders table rows */
    /* The overview's columns: metric names, NULL where not applicable. */
    const char *ov_requests;
    const char *ov_input_tokens;
    const char *ov_output_tokens;
    const char *ov_units; /* the endpoint's own unit count */
    const char *ov_unit;  /* its label: "images", "bytes", ... */
    bool billing;         /* the costs endpoint (money, not usage) */
    /* Result fields known to carry nothing to report (not drift). */
    const char *const *quiet_fields;
};

/* The endpoints, in the table's (and the overview's) order. */
enum ep_index {
    EP_COMPLETIONS,
    EP_DECISIONS,
    EP_EMBEDDINGS,
    EP_MODERATIONS,
    EP_IMAGES,
    EP_AUDIO_SPEECHES,
    EP_AUDIO_TRANSCRIPTIONS,
    EP_VECTOR_STORES,
    EP_CODE_INTERPRETER_SESSIONS,
    EP_FILE_SEARCH_CALLS,
    EP_WEB_SEARCH_CALLS,
    EP_COSTS,
    EP_COUNT
};

/* Look up by command name or alias; NULL if unknown. */
const struct endpoint *endpoint_find(const char *name);
/* The i-th endpoint, or NULL past the end. */
const struct endpoint *endpoint_at(int i);
/* Does ep report a stored level (MA_LEVEL) rather than flows? */
bool endpoint_has_level(const struct endpoint *ep);
/* The index of ep in the table (enum ep_index). */
int endpoint_index(const struct endpoint *ep);

int endpoint_group_index(const struct endpoint *ep, const char *name);
int endpoint_metric_index(const struct endpoint *ep, const char *name);
const struct filter_desc *endpoint_filter(const struct endpoint *ep,
                                          const char *option);

const char *bucket_width_name(enum bucket_width w);
bool bucket_width_parse(const char *s, enum bucket_width *out);
int64_t bucket_width_seconds(enum bucket_width w);

#endif
