/* cli.c - the command line into a struct config (see cli.h). */
#include "oaiusage/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/budget.h"
#include "oaiusage/emit.h"
#include "oaiusage/http.h"
#include "oaiusage/pool.h"
#include "oaiusage/report.h"
#include "oaiusage/store.h"
#include "oaiusage/text.h"
#include "oaiusage/zone.h"

#define DAY 86400LL
#define MAX_FILTER_VALUE 256
#define MAX_ARGS 256

_Static_assert(sizeof(enum color_mode) == sizeof(int) &&
                   sizeof(enum bucket_width) == sizeof(int) &&
                   sizeof(enum tu_period) == sizeof(int) &&
                   sizeof(enum fmt_kind) == sizeof(int),
               "ST_CHOICE stores an int into these enums");

/* "; did you mean 'x'?" into out when a candidate is close to word. */
static const char *did_you_mean(const char *word, const char *const *cands,
                                size_t n, const char *prefix, char *out,
                                size_t size)
{
    const char *m = text_closest(word, cands, n);

    if (m == NULL)
        out[0] = '\0';
    else
        snprintf(out, size, "; did you mean '%s%s'?", prefix, m);
    return out;
}

void config_init(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->width = BW_1D;
    cfg->per = TU_PER_NONE;
    cfg->format = FMT_TABLE;
    cfg->header = true;
    cfg->days = OU_DEFAULT_DAYS;
    cfg->timeout_ms = OU_DEFAULT_TIMEOUT_MS;
    cfg->retries = RETRY_DEFAULT_RETRIES;
    cfg->concurrency = OU_DEFAULT_CONCURRENCY;
    cfg->lock_timeout_ms = 60000;
    cfg->warn_at = OU_DEFAULT_WARN_AT;
    cfg->sort = REPORT_SORT_DEFAULT;
    cfg->verbosity = 1;
}

static void strlist_release(struct strlist *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

void config_release(struct config *cfg)
{
    for (int i = 0; i < cfg->nfilters; i++)
        strlist_release(&cfg->filters[i].values);
    strlist_release(&cfg->group_by);
    free(cfg->output);
    free(cfg->base_url);
    free(cfg->key_file);
    free(cfg->cacert);
    free(cfg->db);
    free(cfg->amount);
    free(cfg->sort_arg);
    free(cfg->budgets);
    free(cfg->profile);
    free(cfg->org_label);
    free(cfg->tz);
    strlist_release(&cfg->profiles);
    profile_release(&cfg->pfile);
    strlist_release(&cfg->endpoints);
    config_init(cfg);
}

/* ---- reading values ------------------------------------------------------ */

/* Split "a, b,c" into trimmed values appended to l (or, with whole, take
 * arg as one value: line items hold ", "). Duplicates are dropped, or are
 * an error when dup_is_error. */
static int add_values(const char *opt, const char *arg, struct strlist *l,
                      bool dup_is_error, bool whole, struct ou_err *err)
{
    for (const char *p = arg;;) {
        const char *comma = whole ? NULL : strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        const char *s = p;
        while (len > 0 && (*s == ' ' || *s == '\t')) {
            s++;
            len--;
        }
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len == 0)
            return ou_fail(err, OU_E_USAGE,
                           "option '--%s': empty value in '%s'", opt, arg);
        if (len > MAX_FILTER_VALUE)
            return ou_fail(err, OU_E_USAGE,
                           "option '--%s': value longer than %d characters",
                           opt, MAX_FILTER_VALUE);
        for (size_t i = 0; i < len; i++) {
            if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
                return ou_fail(err, OU_E_USAGE,
                               "option '--%s': control character in value",
                               opt);
        }
        bool dup = false;
        for (int i = 0; i < l->n && !dup; i++)
            dup = strlen(l->v[i]) == len && strncmp(l->v[i], s, len) == 0;
        if (dup && dup_is_error)
            return ou_fail(err, OU_E_USAGE, "option '--%s': '%.*s' given twice",
                           opt, (int)len, s);
        if (!dup) {
            char **nv = realloc(l->v, sizeof(*nv) * (size_t)(l->n + 1));
            if (nv == NULL)
                return ou_nomem(err);
            l->v = nv;
            if ((nv[l->n] = strndup(s, len)) == NULL)
                return ou_nomem(err);
            l->n++;
        }
        if (comma == NULL)
            return 0;
        p = comma + 1;
    }
}

static struct filter_opt *filter_slot(struct config *cfg, const char *option)
{
    for (int i = 0; i < cfg->nfilters; i++) {
        if (strcmp(cfg->filters[i].option, option) == 0)
            return &cfg->filters[i];
    }
    if (cfg->nfilters == CLI_MAX_FILTER_OPTS)
        return NULL;
    struct filter_opt *f = &cfg->filters[cfg->nfilters++];
    f->option = option;
    return f;
}

static int store_filter(struct config *cfg, const struct opt_desc *o,
                        const char *arg, struct ou_err *err)
{
    struct filter_opt *f =
        filter_slot(cfg, o->store == ST_FILTER_FLAG ? "batch" : o->name);

    if (f == NULL)
        return ou_fail(err, OU_E_USAGE, "too many filter options");
    if (o->store == ST_FILTER_FLAG) {
        f->flag = o->lo != 0;
        return 0;
    }
    /* --api-key filters by key id (key_...). A secret key here would end up
     * in the URL and the verbose log: refuse it, without echoing it. */
    if (o->id == OPT_API_KEY && strstr(arg, "sk-") != NULL)
        return ou_fail(err, OU_E_USAGE,
                       "option '--api-key' takes API key ids (key_...), not "
                       "secret keys (sk-...)");
    return add_values(o->name, arg, &f->values, false, o->id == OPT_LINE_ITEM,
                      err);
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Seconds (a decimal number, 0 < t <= 86400) as milliseconds. */
static bool parse_seconds(const char *s, long *ms)
{
    char *end;
    errno = 0;
    double t = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(t > 0) || t > 86400)
        return false;
    *ms = (long)ceil(t * 1000);
    return true;
}

/* "a, b, c" of a NULL-terminated list, into out. */
static void join(const char *const *v, const char *prefix, char *out,
                 size_t size)
{
    size_t n = 0;

    out[0] = '\0';
    for (; v != NULL && *v != NULL && n < size; v++)
        n += (size_t)snprintf(out + n, size - n, "%s%s%s", n ? ", " : "",
                              prefix, *v);
}

static int store_choice(const struct opt_desc *o, const char *arg, void *at,
                        struct ou_err *err)
{
    char list[256];
    char hint[96];
    size_t n = 0;

    for (int i = 0; o->choices[i] != NULL; i++, n++) {
        if (strcmp(arg, o->choices[i]) == 0) {
            memcpy(at, &o->choice_values[i], sizeof(int));
            return 0;
        }
    }
    join(o->choices, "", list, sizeof(list));
    return ou_fail(err, OU_E_USAGE, "option '--%s': '%s' is not one of %s%s",
                   o->name, arg, list,
                   did_you_mean(arg, o->choices, n, "", hint, sizeof(hint)));
}

static int store_string(char **slot, const char *v, struct ou_err *err)
{
    free(*slot);
    *slot = strdup(v);
    return *slot != NULL ? 0 : ou_nomem(err);
}

/* One option's value into the config, as its row says. */
static int store(struct config *cfg, const struct opt_desc *o, const char *arg,
                 int64_t now, struct ou_err *err)
{
    void *at = (char *)cfg + o->offset;
    const char *why;
    long v;

    cfg->given[o->id] = true;
    switch (o->store) {
    case ST_FLAG:
        *(bool *)at = true;
        return 0;
    case ST_STRING:
        return store_string(at, arg, err);
    case ST_LIST:
        return add_values(o->name, arg, at, true, false, err);
    case ST_FILTER:
    case ST_FILTER_FLAG:
        return store_filter(cfg, o, arg, err);
    case ST_INT:
        if (!parse_long(arg, o->lo, o->hi, &v))
            return ou_fail(err, OU_E_USAGE,
                           "option '--%s': '%s' is not a whole number%s from "
                           "%ld to %ld",
                           o->name, arg, o->unit, o->lo, o->hi);
        *(int *)at = (int)v;
        return 0;
    case ST_MS:
        if (!parse_seconds(arg, at))
            return ou_fail(err, OU_E_USAGE,
                           "option '--%s': '%s' is not a number of seconds "
                           "(0 < t <= 86400)",
                           o->name, arg);
        return 0;
    case ST_WHEN:
        cfg->when_text[o->id] = arg; /* read again in the zone (--tz) */
        if (!tu_parse_when_at(arg, now, at, &why))
            return ou_fail(err, OU_E_USAGE, "option '--%s': '%s': %s", o->name,
                           arg, why);
        return 0;
    case ST_DURATION:
        if (!tu_parse_duration(arg, at))
            return ou_fail(err, OU_E_USAGE,
                           "option '--%s': '%s' is not a duration (e.g. 90s, "
                           "30m, 6h, 3d; at most 366d)",
                           o->name, arg);
        return 0;
    case ST_CHOICE:
        return store_choice(o, arg, at, err);
    case ST_LEVEL:
        *(int *)at = (int)o->lo;
        return 0;
    case ST_ACTION:
        return 0;
    }
    return 0;
}

/* ---- the checks between options ------------------------------------------ */

/* ", " + prefix + item, for lists of what is allowed. */
static void list_append(char *out, size_t size, const char *prefix,
                        const char *item)
{
    size_t n = strlen(out);
    snprintf(out + n, size - n, "%s%s%s", n > 0 ? ", " : "", prefix, item);
}

/* --group-by values against the endpoint's fields, in order. */
static int resolve_group_by(struct config *cfg, struct ou_err *err)
{
    const struct endpoint *ep = cfg->ep;

    for (int i = 0; i < cfg->group_by.n; i++) {
        int g = endpoint_group_index(ep, cfg->group_by.v[i]);
        if (g < 0) {
            char allowed[256] = "";
            const char *names[EP_MAX_GROUPS * 2];
            char hint[96];
            int n = 0;
            for (int k = 0; k < ep->ngroups; k++) {
                list_append(allowed, sizeof(allowed), "", ep->groups[k].name);
                if (n < (int)(sizeof(names) / sizeof(names[0])))
                    names[n++] = ep->groups[k].name;
            }
            return ou_fail(err, OU_E_USAGE,
                           "unknown --group-by field '%s' for %s%s (allowed: "
                           "%s)",
                           cfg->group_by.v[i], ep->command,
                           did_you_mean(cfg->group_by.v[i], names, (size_t)n,
                                        "", hint, sizeof(hint)),
                           allowed);
        }
        if (cfg->ngroup == EP_MAX_GROUPS)
            return ou_fail(err, OU_E_USAGE, "too many --group-by fields");
        cfg->group[cfg->ngroup++] = g;
    }
    return 0;
}

/* Filter values against the sets the endpoint allows. */
static int check_filter_values(const struct config *cfg, struct ou_err *err)
{
    for (int i = 0; i < cfg->nfilters; i++) {
        const struct filter_opt *f = &cfg->filters[i];
        const struct filter_desc *fd = endpoint_filter(cfg->ep, f->option);
        for (int k = 0; fd != NULL && fd->allowed != NULL && k < f->values.n;
             k++) {
            bool ok = false;
            for (const char *const *a = fd->allowed; *a && !ok; a++)
                ok = strcmp(*a, f->values.v[k]) == 0;
            if (!ok) {
                char allowed[256];
                join(fd->allowed, "", allowed, sizeof(allowed));
                return ou_fail(err, OU_E_USAGE,
                               "option '--%s': unknown value '%s' (allowed: "
                               "%s)",
                               f->option, f->values.v[k], allowed);
            }
        }
    }
    return 0;
}

/* --month M: [the month's first day, the next month's). */
static int resolve_month(struct config *cfg, struct ou_err *err)
{
    if (cfg->given[OPT_MONTH]) {
        if (cfg->given[OPT_SINCE] || cfg->given[OPT_UNTIL] ||
            cfg->given[OPT_DAYS])
            return ou_fail(err, OU_E_USAGE,
                           "--month is a whole window: it excludes --since, "
                           "--until and --days");
        if (cfg->month_arg != zone_floor(TU_PER_MONTH, cfg->month_arg))
            return ou_fail(err, OU_E_USAGE,
                           "option '--month': expected a month (2025-01, "
                           "this-month, last-month)");
        cfg->since_arg = cfg->month_arg;
        cfg->until_arg = zone_next(TU_PER_MONTH, cfg->month_arg);
        cfg->given[OPT_SINCE] = cfg->given[OPT_UNTIL] = true;
    }
    return 0;
}

static int resolve_window(struct config *cfg, int64_t now, struct ou_err *err)
{
    int rc = resolve_month(cfg, err);
    if (rc != 0)
        return rc;
    int64_t until = cfg->given[OPT_UNTIL] ? cfg->until_arg : now;

    if (cfg->given[OPT_SINCE] && cfg->given[OPT_DAYS])
        return ou_fail(err, OU_E_USAGE,
                       "--since and --days exclude each other");
    cfg->until_sent = cfg->given[OPT_UNTIL];
    if (until > now) {
        /* The API rejects or truncates a future end: stop at its own now. */
        until = now;
        cfg->until_sent = false;
    }
    cfg->until = until;
    if (cfg->given[OPT_SINCE]) {
        cfg->since = cfg->since_arg;
    } else {
        cfg->since = zone_from_wall(tu_floor_day(zone_wall(until - 1)) -
                                    (int64_t)(cfg->days - 1) * DAY);
        if (cfg->since < 0)
            return ou_fail(err, OU_E_USAGE,
                           "option '--days': the window would start before "
                           "1970");
    }
    if (cfg->since >= now)
        return ou_fail(err, OU_E_USAGE,
                       "the window starts in the future (--since)");
    if (cfg->since >= cfg->until)
        return ou_fail(err, OU_E_USAGE,
                       "empty time window: --since must be before --until");
    return 0;
}

/* The format against what the command writes, and --no-header. */
static int check_format(struct config *cfg, struct ou_err *err)
{
    if ((cfg->cmd->formats & (1u << cfg->format)) == 0) {
        if (cfg->format == FMT_SVG)
            return ou_fail(err, OU_E_USAGE,
                           "--format svg charts usage and costs reports");
        return ou_fail(err, OU_E_USAGE, "%s does not write --format %s",
                       command_name(cfg->cmd),
                       opt_get(OPT_FORMAT)->choices[cfg->format]);
    }
    if (cfg->no_header) {
        if (cfg->format != FMT_CSV && cfg->format != FMT_TABLE)
            return ou_fail(err, OU_E_USAGE,
                           "--no-header applies to --format csv or table");
        cfg->header = false;
    }
    if (cfg->csv_safe && cfg->format != FMT_CSV)
        return ou_fail(err, OU_E_USAGE, "--csv-safe applies to --format csv");
    if (cfg->format == FMT_XLSX && cfg->output == NULL)
        return ou_fail(err, OU_E_USAGE,
                       "--format xlsx writes a workbook: give -o FILE.xlsx");
    if (cfg->exact && cfg->format != FMT_TABLE)
        return ou_fail(err, OU_E_USAGE,
                       "--exact applies to --format table (CSV, JSON and "
                       "OpenMetrics are always exact)");
    return 0;
}

/* --sort METRIC and --top N. */
static int resolve_sort(struct config *cfg, struct ou_err *err)
{
    const struct endpoint *ep = cfg->ep;
    const char *names[64];
    char allowed[512] = "";
    char hint[96];
    size_t n = 0;
    int tin, tout;

    if ((cfg->sort_arg != NULL || cfg->top > 0) &&
        (cfg->records || cfg->format == FMT_SVG))
        return ou_fail(err, OU_E_USAGE,
                       "--sort and --top shape a grouped or --per report, "
                       "not --records or --format svg");
    if (cfg->sort_arg == NULL)
        return 0;
    /* With --compare: METRIC_change, or change (of the first metric). */
    char want[128];
    size_t len = strlen(cfg->sort_arg);
    snprintf(want, sizeof(want), "%s", cfg->sort_arg);
    if (cfg->compare && strcmp(want, "change") == 0) {
        cfg->sort_change = true;
        return 0;
    }
    if (cfg->compare && len > 7 && len < sizeof(want) &&
        strcmp(want + len - 7, "_change") == 0) {
        want[len - 7] = '\0';
        cfg->sort_change = true;
    }
    for (int m = 0; m < ep->nmetrics && n + 1 < 64; m++) {
        if (ep->metrics[m].kind == MK_TEXT)
            continue;
        if (strcmp(want, ep->metrics[m].name) == 0) {
            cfg->sort = m;
            return 0;
        }
        names[n++] = ep->metrics[m].name;
        list_append(allowed, sizeof(allowed), "", ep->metrics[m].name);
    }
    if (report_token_split(ep, &tin, &tout)) {
        if (strcmp(want, "total_tokens") == 0) {
            cfg->sort = REPORT_SORT_TOTAL;
            return 0;
        }
        names[n++] = "total_tokens";
        list_append(allowed, sizeof(allowed), "", "total_tokens");
    }
    cfg->sort_change = false;
    /* With --compare, a suggestion may be a METRIC_change too. */
    char changed[32][96];
    size_t nplain = n;
    for (size_t i = 0; cfg->compare && i < nplain && i < 32 && n < 64; i++) {
        snprintf(changed[i], sizeof(changed[i]), "%s_change", names[i]);
        names[n++] = changed[i];
    }
    snprintf(want, sizeof(want), "%s", cfg->sort_arg);
    return ou_fail(err, OU_E_USAGE,
                   "option '--sort': %s has no metric '%s'%s (metrics: %s%s)",
                   ep->command, cfg->sort_arg,
                   did_you_mean(want, names, n, "", hint, sizeof(hint)),
                   allowed,
                   cfg->compare ? "; with --compare, each also as "
                                  "METRIC_change, or change"
                                : "");
}

/* --compare previous: what it shapes, and what it does not. */
static int resolve_compare(const struct config *cfg, struct ou_err *err)
{
    if (!cfg->compare)
        return 0;
    if (cfg->per != TU_PER_NONE || cfg->records || cfg->chart)
        return ou_fail(err, OU_E_USAGE,
                       "--compare sets the whole window beside the previous "
                       "one: it does not take --per, --records or --chart");
    if (cfg->format == FMT_SVG || cfg->format == FMT_OPENMETRICS ||
        cfg->format == FMT_NDJSON)
        return ou_fail(err, OU_E_USAGE,
                       "--compare writes a table, CSV, JSON or xlsx, not "
                       "--format %s",
                       opt_get(OPT_FORMAT)->choices[cfg->format]);
    return 0;
}

/* What only a usage command checks: bucket, shape, groups and filters. */
static int resolve_usage(struct config *cfg, struct ou_err *err)
{
    const struct endpoint *ep = cfg->ep;
    int rc;

    if (!ep->widths[cfg->width])
        return ou_fail(err, OU_E_USAGE,
                       "%s accepts only --bucket 1d (the API reports it per "
                       "UTC day)",
                       ep->command);
    if (cfg->records && cfg->per != TU_PER_NONE)
        return ou_fail(err, OU_E_USAGE,
                       "--records and --per exclude each other");
    if (cfg->format == FMT_SVG && cfg->records)
        return ou_fail(err, OU_E_USAGE,
                       "--format svg charts a grouped or --per report, not "
                       "--records");
    if (cfg->chart && (cfg->format != FMT_TABLE || cfg->records))
        return ou_fail(err, OU_E_USAGE,
                       "--chart draws on the table: it needs --format table, "
                       "without --records");
    if ((rc = resolve_group_by(cfg, err)) != 0 ||
        (rc = resolve_compare(cfg, err)) != 0 ||
        (rc = resolve_sort(cfg, err)) != 0)
        return rc;
    return check_filter_values(cfg, err);
}

static int resolve_base_url(struct config *cfg, struct ou_err *err)
{
    const char *base = cfg->base_url;

    if (base == NULL)
        base = getenv("OAIUSAGE_BASE_URL");
    if (base == NULL || base[0] == '\0')
        base = OU_DEFAULT_BASE_URL;
    if (base != cfg->base_url && store_string(&cfg->base_url, base, err) != 0)
        return OU_E_NOMEM;
    size_t n = strlen(cfg->base_url);
    while (n > 0 && cfg->base_url[n - 1] == '/')
        cfg->base_url[--n] = '\0';
    return 0;
}

/* sync: its endpoints, and what --status leaves out. */
static int resolve_sync(struct config *cfg, struct ou_err *err)
{
    static const enum opt_id fetch_only[] = { OPT_SINCE, OPT_DAYS, OPT_BUCKET,
                                              OPT_ENDPOINT, OPT_SETTLE };

    for (int i = 0; i < EP_COUNT; i++)
        cfg->sync_ep[i] = cfg->endpoints.n == 0;
    for (int i = 0; i < cfg->endpoints.n; i++) {
        const struct command *c = command_find(cfg->endpoints.v[i]);
        const struct endpoint *ep = c != NULL ? command_endpoint(c) : NULL;
        int k = 0;
        while (ep != NULL && k < EP_COUNT && endpoint_at(k) != ep)
            k++;
        if (ep == NULL || k == EP_COUNT)
            return ou_fail(err, OU_E_USAGE,
                           "option '--endpoint': '%s' is not a usage endpoint "
                           "or costs",
                           cfg->endpoints.v[i]);
        cfg->sync_ep[k] = true;
    }
    for (size_t i = 0;
         cfg->status && i < sizeof(fetch_only) / sizeof(*fetch_only); i++) {
        if (cfg->src[fetch_only[i]] == SRC_FLAG)
            return ou_fail(err, OU_E_USAGE,
                           "sync --status fetches nothing: it does not take "
                           "--%s",
                           opt_get(fetch_only[i])->name);
    }
    return 0;
}

/* budget: where the budgets come from. */
static int resolve_budget(struct config *cfg, struct ou_err *err)
{
    struct dec d;

    if (cfg->amount != NULL && !budget_amount_parse(cfg->amount, &d))
        return ou_fail(err, OU_E_USAGE,
                       "option '--amount': '%s' is not a plain decimal "
                       "greater than 0 (e.g. 1500 or 99.95; at most 12 "
                       "digits and 6 decimals)",
                       cfg->amount);
    cfg->api_limits = cfg->amount == NULL && cfg->budgets == NULL;
    if (cfg->api_limits && cfg->period != BP_MONTH)
        return ou_fail(err, OU_E_USAGE,
                       "the API's spend limits are monthly: --period %s "
                       "needs --amount or --budgets",
                       budget_period_name((enum budget_period)cfg->period));
    return 0;
}

/* Reports from the store: no API, so nothing that only the API does. */
static int resolve_db(struct config *cfg, struct ou_err *err)
{
    if (cfg->db == NULL || cfg->cmd->kind == CK_SYNC)
        return 0;
    if (cfg->refresh_names)
        return ou_fail(err, OU_E_USAGE,
                       "--refresh-names reads the API: with --db, names come "
                       "from the store (sync refreshes them)");
    if (cfg->dry_run)
        return ou_fail(err, OU_E_USAGE,
                       "--dry-run shows API requests: with --db there are "
                       "none");
    return 0;
}

/* --tz: the zone, and the window's times given as dates or words read
 * again in it. Costs have only UTC days: the option is not theirs
 * (opt_takes), and a profile's tz does not apply to them. */
static int resolve_zone(struct config *cfg, int64_t now, struct ou_err *err)
{
    static const enum opt_id whens[] = { OPT_SINCE, OPT_UNTIL, OPT_MONTH };
    int64_t *at[] = { &cfg->since_arg, &cfg->until_arg, &cfg->month_arg };
    const char *why;
    int rc;

    zone_reset();
    if (cfg->tz == NULL || !opt_takes(opt_get(OPT_TZ), cfg->cmd))
        return 0;
    if ((rc = zone_set(cfg->tz, err)) != 0 || zone_is_utc())
        return rc;
    for (size_t i = 0; i < sizeof(whens) / sizeof(whens[0]); i++) {
        const char *text = cfg->when_text[whens[i]];
        if (cfg->given[whens[i]] && text != NULL &&
            !zone_parse_when(text, now, at[i], &why))
            return ou_fail(err, OU_E_USAGE, "option '--%s': '%s': %s",
                           opt_get(whens[i])->name, text, why);
    }
    return 0;
}

/* In a zone other than UTC, usage days are built from 1h buckets, or 1m
 * where an offset is not whole hours (India, Newfoundland): an API day
 * (1d) is a UTC day. */
static int resolve_local_width(struct config *cfg, struct ou_err *err)
{
    const struct endpoint *ep = cfg->ep;

    if (zone_is_utc() || cfg->cmd->kind != CK_USAGE || ep == NULL ||
        ep->billing)
        return 0;
    int64_t from = cfg->compare != 0 && cfg->prev_since < cfg->since
                       ? cfg->prev_since
                       : cfg->since;
    enum bucket_width need = cli_local_width(from, cfg->until);
    bool hours = need == BW_1H;

    if (!cfg->given[OPT_BUCKET]) {
        cfg->width = need;
        return 0;
    }
    if (cfg->width == BW_1D || (cfg->width == BW_1H && !hours))
        return cfg->width == BW_1D
                   ? ou_fail(err, OU_E_USAGE,
                             "--bucket 1d with --tz %s: the API's 1d "
                             "buckets are UTC days, not %s days; leave "
                             "--bucket out (local days are built from %s "
                             "buckets)",
                             zone_name(), zone_name(), hours ? "1h" : "1m")
                   : ou_fail(err, OU_E_USAGE,
                             "--bucket 1h with --tz %s: the API's 1h "
                             "buckets start on whole UTC hours and %s days "
                             "do not; leave --bucket out (local days are "
                             "built from 1m buckets)",
                             zone_name(), zone_name());
    return 0;
}

/* --jobs, else OAIUSAGE_JOBS, else one thread per CPU (at most 16). */
static int resolve_jobs(struct config *cfg, struct ou_err *err)
{
    const char *env = getenv("OAIUSAGE_JOBS");
    long v;

    if (cfg->given[OPT_JOBS])
        return 0;
    if (env != NULL && env[0] != '\0') {
        if (!parse_long(env, 1, POOL_MAX_THREADS, &v))
            return ou_fail(err, OU_E_USAGE,
                           "OAIUSAGE_JOBS: '%s' is not a whole number from 1 "
                           "to %d",
                           env, POOL_MAX_THREADS);
        cfg->jobs = (int)v;
        cfg->src[OPT_JOBS] = SRC_ENV;
        return 0;
    }
    cfg->jobs = pool_cpus() < 16 ? pool_cpus() : 16;
    return 0;
}

static int resolve(struct config *cfg, int64_t now, struct ou_err *err)
{
    int rc;

    if (cfg->given[OPT_BATCH] && cfg->given[OPT_NO_BATCH])
        return ou_fail(err, OU_E_USAGE,
                       "--batch and --no-batch exclude each other");
    cfg->names = cfg->names || cfg->refresh_names;
    if ((rc = resolve_jobs(cfg, err)) != 0 ||
        (rc = resolve_base_url(cfg, err)) != 0)
        return rc;
    if (cfg->cmd->formats != 0 && (rc = check_format(cfg, err)) != 0)
        return rc;
    if (cfg->cmd->kind == CK_USAGE && (rc = resolve_usage(cfg, err)) != 0)
        return rc;
    if (cfg->cmd->kind == CK_SYNC && (rc = resolve_sync(cfg, err)) != 0)
        return rc;
    if (cfg->cmd->kind == CK_BUDGET && (rc = resolve_budget(cfg, err)) != 0)
        return rc;
    if ((rc = resolve_db(cfg, err)) != 0)
        return rc;
    if ((rc = resolve_zone(cfg, now, err)) != 0)
        return rc;
    if (opt_takes(opt_get(OPT_SINCE), cfg->cmd) &&
        (rc = resolve_window(cfg, now, err)) != 0)
        return rc;
    /* The window compared with, on the local calendar (wall times). */
    int64_t ws = zone_wall(cfg->since), we = zone_wall(cfg->until);
    if (cfg->compare == 1)
        tu_previous_window(ws, we, &cfg->prev_since, &cfg->prev_until);
    if (cfg->compare == 2)
        tu_year_before_window(ws, we, &cfg->prev_since, &cfg->prev_until);
    if (cfg->compare != 0) {
        cfg->prev_since = zone_from_wall(cfg->prev_since);
        cfg->prev_until = zone_from_wall(cfg->prev_until);
    }
    return resolve_local_width(cfg, err);
}

/* ---- the config file's profile ----------------------------------------------- */

/* The option a config key names (key normalised), or NULL. org is not an
 * option; help, version, profile and output are not settings. */
static const struct opt_desc *setting_option(const char *key)
{
    for (int i = 0; opt_at(i) != NULL; i++) {
        const struct opt_desc *o = opt_at(i);
        if (strcmp(o->name, key) == 0)
            return o->store == ST_ACTION || o->id == OPT_PROFILE ||
                           o->id == OPT_OUTPUT
                       ? NULL
                       : o;
    }
    return NULL;
}

/* Every key of the file names a setting. */
static int check_keys(const struct profile_file *pf, struct ou_err *err)
{
    for (int i = 0; i < pf->n; i++) {
        char key[128];
        profile_key(pf->v[i].key, key, sizeof(key));
        if (strcmp(key, "org") == 0 || setting_option(key) != NULL)
            continue;
        const char *names[OPT_COUNT + 1];
        char hint[96];
        size_t n = 0;
        for (int k = 0; opt_at(k) != NULL; k++) {
            if (setting_option(opt_at(k)->name) != NULL)
                names[n++] = opt_at(k)->name;
        }
        names[n++] = "org";
        return ou_fail(err, OU_E_USAGE,
                       "config file %s, [%s%s]: unknown setting '%s'%s (a "
                       "long option's name, or org)",
                       pf->path,
                       strcmp(pf->v[i].section, "default") == 0 ? ""
                                                                : "profile ",
                       pf->v[i].section, pf->v[i].key,
                       did_you_mean(key, names, n, "", hint, sizeof(hint)));
    }
    return 0;
}

/* The profile's name: --profile, else OAIUSAGE_PROFILE. */
static int profile_name(struct config *cfg, struct ou_err *err)
{
    const char *env = getenv("OAIUSAGE_PROFILE");

    if (cfg->profile != NULL) {
        cfg->profile_from = "--profile";
        return 0;
    }
    if (env == NULL || env[0] == '\0')
        return 0;
    cfg->profile_from = "OAIUSAGE_PROFILE";
    return store_string(&cfg->profile, env, err);
}

/* A profile value that yields to the command line or the environment. */
static bool overridden(const struct config *cfg, const struct opt_desc *o)
{
    static const enum opt_id window[] = { OPT_SINCE, OPT_UNTIL, OPT_DAYS,
                                          OPT_MONTH };
    const char *env = NULL;

    if (cfg->given[o->id])
        return true;
    if (o->id == OPT_BASE_URL)
        env = getenv("OAIUSAGE_BASE_URL");
    if (o->id == OPT_KEY_FILE)
        env = getenv("OPENAI_ADMIN_KEY");
    if (env != NULL && env[0] != '\0')
        return true;
    /* a window on the command line replaces the profile's whole */
    for (size_t i = 0; i < sizeof(window) / sizeof(*window); i++) {
        for (size_t j = 0; j < sizeof(window) / sizeof(*window); j++) {
            if (o->id == window[i] && cfg->given[window[j]])
                return true;
        }
    }
    return (o->id == OPT_BATCH || o->id == OPT_NO_BATCH) &&
           (cfg->given[OPT_BATCH] || cfg->given[OPT_NO_BATCH]);
}

static bool one_of(const char *v, const char *a, const char *b, const char *c,
                   const char *d)
{
    return strcmp(v, a) == 0 || strcmp(v, b) == 0 || strcmp(v, c) == 0 ||
           strcmp(v, d) == 0;
}

/* One profile value into the config, as if given (a flag's value is
 * true or false). */
static int apply_one(struct config *cfg, const struct opt_desc *o,
                     const struct profile_entry *e, int64_t now,
                     struct ou_err *err)
{
    const char *v = e->value;
    const char *home = getenv("HOME");
    char path[4096];
    int rc;

    /* A file's path may start at the home directory, as in a shell. */
    if ((o->id == OPT_KEY_FILE || o->id == OPT_DB || o->id == OPT_CACERT ||
         o->id == OPT_BUDGETS) &&
        strncmp(v, "~/", 2) == 0 && home != NULL && home[0] != '\0') {
        snprintf(path, sizeof(path), "%s%s", home, v + 1);
        v = path;
    }
    if (o->arg == NULL) {
        if (one_of(v, "false", "no", "0", "off"))
            return 0;
        if (!one_of(v, "true", "yes", "1", "on"))
            return ou_fail(err, OU_E_USAGE,
                           "config file %s, [%s]: %s = %s: a flag is true "
                           "or false",
                           cfg->pfile.path, e->section, e->key, v);
    }
    rc = store(cfg, o, v, now, err);
    if (rc != 0) {
        char why[sizeof(err->msg)];
        snprintf(why, sizeof(why), "%s", err->msg);
        return ou_fail(err, (enum ou_status)rc, "config file %s, [%s]: %s",
                       cfg->pfile.path, e->section, why);
    }
    cfg->src[o->id] = SRC_PROFILE;
    cfg->src_entry[o->id] = e;
    return 0;
}

/* --all-profiles, or --profile a,b: the organizations of one run, into
 * cfg->profiles (each must exist); the config is then resolved with the
 * first. One name is an ordinary profile. */
static int profile_list(struct config *cfg, struct ou_err *err)
{
    const char *names[64];
    int n;

    if (cfg->all_profiles) {
        if (cfg->given[OPT_PROFILE])
            return ou_fail(err, OU_E_USAGE,
                           "--all-profiles and --profile exclude each other");
        n = profile_names(&cfg->pfile, names, 64);
        if (n == 0)
            return ou_fail(err, OU_E_USAGE,
                           "--all-profiles: %s has no [profile NAME] section",
                           cfg->pfile.path);
        for (int i = 0; i < n && i < 64; i++) {
            int rc = add_values("all-profiles", names[i], &cfg->profiles, false,
                                true, err);
            if (rc != 0)
                return rc;
        }
    } else if (cfg->profile != NULL && strchr(cfg->profile, ',') != NULL) {
        int rc = add_values("profile", cfg->profile, &cfg->profiles, true,
                            false, err);
        if (rc != 0)
            return rc;
    } else {
        return 0;
    }
    if (cfg->profiles.n >= 2 &&
        (cfg->cmd->kind & (CK_USAGE | CK_OVERVIEW | CK_SYNC)) == 0)
        return ou_fail(err, OU_E_USAGE,
                       "%s reads one organization: several profiles are for "
                       "the usage commands, costs, overview and sync",
                       command_name(cfg->cmd));
    free(cfg->profile);
    cfg->profile = strdup(cfg->profiles.v[0]);
    if (cfg->profile == NULL)
        return ou_nomem(err);
    if (cfg->profile_from == NULL)
        cfg->profile_from = "--all-profiles";
    for (int i = 1; i < cfg->profiles.n; i++) {
        if (!profile_exists(&cfg->pfile, cfg->profiles.v[i])) {
            free(cfg->profile);
            cfg->profile = strdup(cfg->profiles.v[i]);
            return cfg->profile == NULL ? ou_nomem(err) : 0;
        }
    }
    if (cfg->profiles.n < 2)
        strlist_release(&cfg->profiles);
    return 0;
}

/* Read the config file and apply [default] and the profile: every
 * setting the command takes that neither the command line nor the
 * environment gives. `config` itself takes only where the API and the
 * store are. */
static int apply_profile(struct config *cfg, int64_t now, struct ou_err *err)
{
    const char *dir = NULL;
    char *path = profile_path(&dir);
    const struct profile_entry *e;
    const char *v;
    int rc;

    if ((rc = profile_name(cfg, err)) != 0) {
        free(path);
        return rc;
    }
    if (path == NULL)
        return cfg->profile == NULL
                   ? 0
                   : ou_fail(err, OU_E_USAGE,
                             "profile '%s': no config file (neither HOME nor "
                             "XDG_CONFIG_HOME is set)",
                             cfg->profile);
    rc = profile_load(&cfg->pfile, path, dir, err);
    free(path);
    if (rc == 0)
        rc = check_keys(&cfg->pfile, err);
    if (rc != 0)
        return rc;
    if ((rc = profile_list(cfg, err)) != 0)
        return rc;
    if (cfg->profile != NULL && !profile_exists(&cfg->pfile, cfg->profile)) {
        const char *names[64];
        char list[512] = "", hint[96];
        int n = profile_names(&cfg->pfile, names, 64);
        for (int i = 0; i < n && i < 64; i++)
            list_append(list, sizeof(list), "", names[i]);
        return ou_fail(err, OU_E_USAGE,
                       "profile '%s' (%s) is not in %s%s (its profiles: "
                       "%s)",
                       cfg->profile, cfg->profile_from, cfg->pfile.path,
                       did_you_mean(cfg->profile, names,
                                    (size_t)(n < 64 ? n : 64), "", hint,
                                    sizeof(hint)),
                       n > 0 ? list : "none");
    }
    for (int i = 0; opt_at(i) != NULL && rc == 0; i++) {
        const struct opt_desc *o = opt_at(i);
        if (setting_option(o->name) == NULL ||
            profile_get(&cfg->pfile, cfg->profile, o->name, &e) == NULL)
            continue;
        bool where = o->id == OPT_BASE_URL || o->id == OPT_KEY_FILE ||
                     o->id == OPT_DB;
        if (cfg->cmd->kind == CK_CONFIG
                ? !where || overridden(cfg, o)
                : !opt_takes(o, cfg->cmd) || overridden(cfg, o))
            continue;
        /* The profile's store is the one sync keeps; a report reads it
         * only when told to (--db), so a profile never turns every
         * report offline. */
        if (o->id == OPT_DB && cfg->cmd->kind != CK_SYNC &&
            cfg->cmd->kind != CK_CONFIG)
            continue;
        rc = apply_one(cfg, o, e, now, err);
    }
    if (rc == 0 && (v = profile_get(&cfg->pfile, cfg->profile, "org", &e)))
        rc = store_string(&cfg->org_label, v, err);
    return rc;
}

/* ---- argv ------------------------------------------------------------------ */

/* An option the command does not take: say so, naming the command. */
static int refuse(const struct config *cfg, const struct opt_desc *o,
                  struct ou_err *err)
{
    const struct command *c = cfg->cmd;
    const struct endpoint *ep = command_endpoint(c);

    if (o->id == OPT_TZ && ep != NULL && ep->billing)
        return ou_fail(err, OU_E_USAGE,
                       "costs does not take --tz: the API bills per UTC day "
                       "and has no smaller piece of a cost to move into "
                       "another zone's day (usage endpoints take --tz)");
    if (o->id == OPT_FORMAT && c->formats == 0)
        return ou_fail(err, OU_E_USAGE,
                       "%s writes one HTML file: use -o FILE, not --format",
                       command_name(c));
    bool filter = o->store == ST_FILTER || o->store == ST_FILTER_FLAG;

    if (ep != NULL && filter && (o->takes & c->kind) != 0) {
        char allowed[256] = "";
        for (int k = 0; k < ep->nfilters; k++)
            list_append(allowed, sizeof(allowed), "--", ep->filters[k].option);
        return ou_fail(err, OU_E_USAGE,
                       "%s has no --%s filter (its filters: %s)",
                       command_name(c), o->name, allowed);
    }
    return ou_fail(err, OU_E_USAGE, "%s does not take --%s", command_name(c),
                   o->name);
}

/* The options given, in order, with their values. */
struct given {
    const struct opt_desc *o[MAX_ARGS];
    const char *arg[MAX_ARGS];
    int n;
    bool help;
    bool version;
};

static void build_longopts(struct option *lo, char *shorts)
{
    int n = 0;
    char *s = shorts;

    *s++ = ':';
    for (const struct opt_desc *o; (o = opt_at(n)) != NULL; n++) {
        lo[n] = (struct option){ o->name,
                                 o->arg ? required_argument : no_argument, NULL,
                                 256 + n };
        if (o->short_name) {
            *s++ = o->short_name;
            if (o->arg)
                *s++ = ':';
        }
    }
    lo[n] = (struct option){ NULL, 0, NULL, 0 };
    *s = '\0';
}

/* The row of getopt's answer c. */
static const struct opt_desc *row_of(int c)
{
    if (c >= 256)
        return opt_at(c - 256);
    for (int i = 0; opt_at(i) != NULL; i++) {
        if (opt_at(i)->short_name == c)
            return opt_at(i);
    }
    return NULL;
}

static int unknown_option(const char *arg, struct ou_err *err)
{
    const char *names[OPT_COUNT];
    char word[64];
    char hint[96];
    size_t n = 0;

    /* "--grup-by=x" -> "grup-by" */
    snprintf(word, sizeof(word), "%s", arg + strspn(arg, "-"));
    word[strcspn(word, "=")] = '\0';
    for (int i = 0; opt_at(i) != NULL && n < OPT_COUNT; i++)
        names[n++] = opt_at(i)->name;
    return ou_fail(err, OU_E_USAGE, "unknown option '%s'%s", arg,
                   did_you_mean(word, names, n, "--", hint, sizeof(hint)));
}

static int unknown_command(const char *word, struct ou_err *err)
{
    const char *names[64];
    char hint[96];
    size_t n = 0;

    for (int i = 0; command_at(i) != NULL && n + 2 <= 64; i++) {
        const struct command *c = command_at(i);
        const struct endpoint *ep = command_endpoint(c);
        names[n++] = command_name(c);
        names[n++] = ep != NULL ? ep->alias : c->alias;
    }
    return ou_fail(err, OU_E_USAGE,
                   "unknown command '%s'%s (try 'oaiusage "
                   "--help')",
                   word, did_you_mean(word, names, n, "", hint, sizeof(hint)));
}

static int read_argv(int argc, char **argv, struct given *g, struct ou_err *err)
{
    struct option lo[OPT_COUNT + 1];
    char shorts[2 * OPT_COUNT + 2];
    int c;

    build_longopts(lo, shorts);
    opterr = 0;
    optind = 0; /* glibc: a full re-initialisation of getopt's state */
    while ((c = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
        const struct opt_desc *o = c == ':' || c == '?' ? NULL : row_of(c);
        if (c == ':')
            return ou_fail(err, OU_E_USAGE, "option '%s' needs a value",
                           argv[optind - 1]);
        if (o == NULL && optopt != 0)
            return ou_fail(err, OU_E_USAGE, "unknown option '-%c'", optopt);
        if (o == NULL)
            return unknown_option(argv[optind - 1], err);
        g->help |= o->id == OPT_HELP;
        g->version |= o->id == OPT_VERSION;
        if (g->n == MAX_ARGS)
            return ou_fail(err, OU_E_USAGE, "too many options");
        g->o[g->n] = o;
        g->arg[g->n++] = optarg;
    }
    return 0;
}

/* The command word (after "help", if that came first). */
static int find_command(int argc, char **argv, struct given *g,
                        struct config *cfg, struct ou_err *err)
{
    const char *word = optind < argc ? argv[optind] : NULL;

    if (word != NULL && strcmp(word, "help") == 0) {
        g->help = true;
        word = ++optind < argc ? argv[optind] : NULL;
    }
    if (word == NULL && !g->help && !g->version) {
        if (argc > 1)
            return ou_fail(err, OU_E_USAGE,
                           "no command given (try 'oaiusage --help')");
        g->help = true; /* no arguments at all: the usage, not an error */
    }
    if (word != NULL && (cfg->cmd = command_find(word)) == NULL)
        return unknown_command(word, err);
    if (cfg->cmd != NULL)
        cfg->ep = command_endpoint(cfg->cmd);
    if (word != NULL && optind + 1 < argc && !g->help && !g->version)
        return ou_fail(err, OU_E_USAGE, "unexpected argument '%s'",
                       argv[optind + 1]);
    return 0;
}

static int parse(int argc, char **argv, int64_t now, const char *as,
                 struct config *cfg, struct ou_err *err);

int cli_parse(int argc, char **argv, int64_t now, struct config *cfg,
              struct ou_err *err)
{
    return parse(argc, argv, now, NULL, cfg, err);
}

int cli_parse_as(int argc, char **argv, int64_t now, const char *profile,
                 struct config *cfg, struct ou_err *err)
{
    return parse(argc, argv, now, profile, cfg, err);
}

static int parse(int argc, char **argv, int64_t now, const char *as,
                 struct config *cfg, struct ou_err *err)
{
    struct given g;
    int rc;

    memset(&g, 0, sizeof(g));
    if ((rc = read_argv(argc, argv, &g, err)) != 0 ||
        (rc = find_command(argc, argv, &g, cfg, err)) != 0)
        return rc;
    if (g.version) {
        char store[96];
        store_lib_versions(store, sizeof(store));
        printf("oaiusage %s\n%s, %s, %s, %s, inih %s\n", OAIUSAGE_VERSION,
               http_lib_version(), json_lib_version(), store,
               xlsx_lib_version(), OU_INIH_VERSION);
        return CLI_DONE;
    }
    if (g.help) {
        if (cfg->cmd != NULL)
            cli_command_usage(stdout, cfg->cmd);
        else
            cli_usage(stdout);
        return CLI_DONE;
    }
    for (int i = 0; i < g.n; i++) {
        if (!opt_takes(g.o[i], cfg->cmd))
            return refuse(cfg, g.o[i], err);
    }
    for (int i = 0; i < g.n; i++) {
        if ((rc = store(cfg, g.o[i], g.arg[i], now, err)) != 0)
            return rc;
        cfg->src[g.o[i]->id] = SRC_FLAG;
    }
    if (as != NULL) {
        free(cfg->profile);
        cfg->profile = strdup(as);
        cfg->all_profiles = false;
        if (cfg->profile == NULL)
            return ou_nomem(err);
    }
    if ((rc = apply_profile(cfg, now, err)) != 0)
        return rc;
    return resolve(cfg, now, err);
}

const struct filter_opt *cli_filter(const struct config *cfg,
                                    const char *option)
{
    for (int i = 0; i < cfg->nfilters; i++) {
        if (strcmp(cfg->filters[i].option, option) == 0)
            return &cfg->filters[i];
    }
    return NULL;
}

void cli_build_query(const struct config *cfg, struct query *q)
{
    memset(q, 0, sizeof(*q));
    q->ep = cfg->ep;
    q->start_time = cfg->since;
    q->end_time = cfg->until_sent ? cfg->until : -1;
    q->width = cfg->width;
    q->limit = cfg->ep->limit_max[cfg->width];
    for (int i = 0; i < cfg->nfilters; i++) {
        const struct filter_opt *f = &cfg->filters[i];
        struct filter_values *fv = &q->filters[q->nfilters++];
        fv->desc = endpoint_filter(cfg->ep, f->option);
        fv->values = (const char *const *)f->values.v;
        fv->nvalues = f->values.n;
        fv->flag = f->flag;
    }
    q->ngroup = cfg->ngroup;
    memcpy(q->group, cfg->group, sizeof(q->group));
}

enum bucket_width cli_local_width(int64_t since, int64_t until)
{
    return zone_whole_hours(since, until) ? BW_1H : BW_1M;
}

int64_t (*cli_period_floor(const struct endpoint *ep))(enum tu_period, int64_t)
{
    return zone_is_utc() || ep == NULL || ep->billing ? NULL : zone_floor;
}
