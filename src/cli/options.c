/* options.c - the option table (see options.h). */
#include "oaiusage/options.h"

#include <string.h>

#include "oaiusage/budget.h"
#include "oaiusage/cli.h"
#include "oaiusage/pool.h"

#define CFG(field) offsetof(struct config, field)
#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Who takes what. */
#define T_WINDOW (CK_USAGE | CK_OVERVIEW | CK_HTML)
#define T_FETCH (CK_USAGE | CK_OVERVIEW | CK_HTML)
#define T_TABLES \
    (CK_USAGE | CK_OVERVIEW | CK_LISTS | CK_SYNC | CK_BUDGET | CK_CONFIG)

/* A table, laid out by hand. */
/* clang-format off */
static const char *const bucket_names[] = { "1m", "1h", "1d", NULL };
static const int bucket_values[] = { BW_1M, BW_1H, BW_1D };
static const char *const per_names[] = { "day", "week", "month", "bucket",
                                         NULL };
static const int per_values[] = { TU_PER_DAY, TU_PER_WEEK, TU_PER_MONTH,
                                  TU_PER_BUCKET };
static const char *const color_names[] = { "auto", "always", "never",
                                           NULL };
static const int color_values[] = { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };
static const char *const compare_names[] = { "previous", "year", NULL };
static const int compare_values[] = { 1, 2 };
static const char *const format_names[] = {
    "table", "csv", "json", "ndjson", "svg", "openmetrics", "xlsx", NULL
};
static const char *const period_names[] = { "month", "week", "day", NULL };
static const int period_values[] = { BP_MONTH, BP_WEEK, BP_DAY };
static const int format_values[] = { FMT_TABLE,  FMT_CSV, FMT_JSON,
                                     FMT_NDJSON, FMT_SVG, FMT_OPENMETRICS,
                                     FMT_XLSX };

/* A filter option: a usage command takes it when its endpoint has it. */
#define FILTER(id, name, arg, takes, help) \
    { id, name, 0, arg, SEC_FILTER, takes, ST_FILTER, 0, 0, 0, NULL, NULL, \
      NULL, help }

static const struct opt_desc options[] = {
    { OPT_SINCE, "since", 0, "WHEN", SEC_WINDOW, T_WINDOW | CK_SYNC, ST_WHEN,
      CFG(since_arg), 0, 0, NULL, NULL, NULL, "start, inclusive" },
    { OPT_UNTIL, "until", 0, "WHEN", SEC_WINDOW, T_WINDOW, ST_WHEN,
      CFG(until_arg), 0, 0, NULL, NULL, NULL,
      "end, exclusive (default: now; a future end\nis cut to now)" },
    { OPT_DAYS, "days", 0, "N", SEC_WINDOW, T_WINDOW | CK_SYNC, ST_INT,
      CFG(days), 1,
      OU_MAX_DAYS, NULL, NULL, " of days",
      "the last N UTC calendar days up to --until:\nfrom 00:00 UTC of the "
      "day N-1 days before the\nday holding the last second of the window;"
      "\ntoday counts as one (default: --days 30)" },
    { OPT_MONTH, "month", 0, "M", SEC_WINDOW, T_WINDOW, ST_WHEN,
      CFG(month_arg), 0, 0, NULL, NULL, NULL,
      "one calendar month: 2025-01, this-month or\nlast-month (this month "
      "ends now)" },
    { OPT_BUCKET, "bucket", 0, "W", SEC_WINDOW, CK_USAGE | CK_SYNC, ST_CHOICE,
      CFG(width),
      0, 0, bucket_names, bucket_values, NULL,
      "bucket width: 1m, 1h or 1d (default 1d)" },
    FILTER(OPT_PROJECT, "project", "ID,...",
           CK_USAGE | CK_OVERVIEW | CK_HTML | CK_APIKEYS,
           "only these projects"),
    FILTER(OPT_USER, "user", "ID,...", CK_USAGE, "only these users"),
    FILTER(OPT_API_KEY, "api-key", "ID,...", CK_USAGE,
           "only these API key ids (key_...)"),
    FILTER(OPT_MODEL, "model", "NAME,...", CK_USAGE, "only these models"),
    { OPT_BATCH, "batch", 0, NULL, SEC_FILTER, CK_USAGE, ST_FILTER_FLAG, 0, 1,
      0, NULL, NULL, NULL, "only batch jobs" },
    { OPT_NO_BATCH, "no-batch", 0, NULL, SEC_FILTER, CK_USAGE, ST_FILTER_FLAG,
      0, 0, 0, NULL, NULL, NULL, "only non-batch jobs" },
    FILTER(OPT_SOURCE, "source", "S,...", CK_USAGE, "only these sources"),
    FILTER(OPT_SIZE, "size", "WxH,...", CK_USAGE,
           "only these image sizes (open: any WIDTHxHEIGHT; common: "
           "1024x1024, 1536x1024, 1024x1536, 1792x1024, 1024x1792, 512x512, "
           "256x256)"),
    FILTER(OPT_LINE_ITEM, "line-item", "ITEM", CK_USAGE,
           "only this line item, exactly as the API names it "
           "(\"gpt-4o-2024-08-06, input\"); repeat for more"),
    FILTER(OPT_VECTOR_STORE, "vector-store", "ID,...", CK_USAGE,
           "only these vector stores"),
    FILTER(OPT_CONTEXT_LEVEL, "context-level", "L,...", CK_USAGE,
           "only these search context levels"),
    { OPT_GROUP_BY, "group-by", 0, "F,...", SEC_SHAPE, CK_USAGE, ST_LIST,
      CFG(group_by), 0, 0, NULL, NULL, NULL,
      "one row per combination of the fields\n(default: one row, the "
      "window's total)" },
    { OPT_PER, "per", 0, "P", SEC_SHAPE, CK_USAGE, ST_CHOICE, CFG(per), 0, 0,
      per_names, per_values, NULL,
      "split rows by UTC day, week (ISO, Monday),\nmonth, or bucket; adds "
      "period_start" },
    { OPT_RECORDS, "records", 0, NULL, SEC_SHAPE, CK_USAGE, ST_FLAG,
      CFG(records), 0, 0, NULL, NULL, NULL,
      "one row per bucket and result, as the API\nreturned them; adds "
      "start_time, end_time" },
    { OPT_SORT, "sort", 0, "METRIC", SEC_SHAPE, CK_USAGE, ST_STRING,
      CFG(sort_arg), 0, 0, NULL, NULL, NULL,
      "order rows by this metric, largest first\n(default: the first; "
      "total_tokens = input\n+ output where tokens are split)" },
    { OPT_TOP, "top", 0, "N", SEC_SHAPE, CK_USAGE, ST_INT, CFG(top), 1,
      1000000, NULL, NULL, "",
      "only the first N rows (per period with\n--per); the TOTAL still "
      "counts them all" },
    { OPT_COMPARE, "compare", 0, "WHAT", SEC_SHAPE, CK_USAGE, ST_CHOICE,
      CFG(compare), 0, 0, compare_names, compare_values, NULL,
      "previous: each metric beside the previous\nperiod's, with the change "
      "and %; the same\ndays of the last month, week or day when\nthe "
      "window starts on one, else as long\njust before; year: the same "
      "dates a year\nearlier (--sort METRIC_change)" },
    { OPT_CHART, "chart", 0, NULL, SEC_SHAPE, CK_USAGE, ST_FLAG, CFG(chart), 0,
      0, NULL, NULL, NULL,
      "table: a bar per row (scaled to the largest);\nwith --per, a "
      "sparkline per group over time" },
    { OPT_NAMES, "names", 0, NULL, SEC_SHAPE, CK_USAGE | CK_HTML, ST_FLAG,
      CFG(names), 0, 0, NULL, NULL, NULL,
      "add project_name, user_email, api_key_name\nbeside the ids (the "
      "table shows names);\ncached for 24 hours per base URL and key" },
    { OPT_REFRESH_NAMES, "refresh-names", 0, NULL, SEC_SHAPE,
      CK_USAGE | CK_HTML | CK_SYNC, ST_FLAG, CFG(refresh_names), 0, 0, NULL,
      NULL, NULL,
      "--names, re-reading the lists now (sync:\nre-read them even if "
      "less than a day old)" },
    { OPT_DB, "db", 0, "DB", SEC_STORE, CK_REPORTS | CK_SYNC | CK_BUDGET,
      ST_STRING,
      CFG(db), 0, 0, NULL, NULL, NULL,
      "the history store: a file, sqlite:PATH or a\npostgresql:// URI; "
      "reports read it instead\nof the API (no key, no network); sync\n"
      "default: $OAIUSAGE_DB, else\n~/.local/share/oaiusage/usage.db" },
    { OPT_ENDPOINT, "endpoint", 0, "NAME,...", SEC_STORE, CK_SYNC, ST_LIST,
      CFG(endpoints), 0, 0, NULL, NULL, NULL,
      "only these endpoints (default: every usage\nendpoint and costs)" },
    { OPT_SETTLE, "settle", 0, "DURATION", SEC_STORE, CK_SYNC | CK_BUDGET,
      ST_DURATION, CFG(settle), 0, 0, NULL, NULL, NULL,
      "re-fetch what ended less than DURATION ago\n(90s, 30m, 6h, 3d; "
      "default 1d for usage,\n3d for costs): the API revises closed\n"
      "buckets (budget: such days are provisional)" },
    { OPT_PERIOD, "period", 0, "P", SEC_BUDGET, CK_BUDGET, ST_CHOICE,
      CFG(period), 0, 0, period_names, period_values, NULL,
      "the UTC calendar period: month (default),\nweek (ISO, from Monday) "
      "or day" },
    { OPT_AMOUNT, "amount", 0, "N", SEC_BUDGET, CK_BUDGET, ST_STRING,
      CFG(amount), 0, 0, NULL, NULL, NULL,
      "the organization's budget for the period,\nin USD (1500, 99.95)" },
    { OPT_BUDGETS, "budgets", 0, "FILE", SEC_BUDGET, CK_BUDGET, ST_STRING,
      CFG(budgets), 0, 0, NULL, NULL, NULL,
      "per-project budgets: CSV lines project,amount\n(a project id or "
      "name; '#' comments)" },
    { OPT_WARN_AT, "warn-at", 0, "PERCENT", SEC_BUDGET, CK_BUDGET, ST_INT,
      CFG(warn_at), 1, 1000, NULL, NULL, " of percent",
      "exit 10 when a budget is this much used\n(default 80)" },
    { OPT_WARN_ON_PROJECTION, "warn-on-projection", 0, NULL, SEC_BUDGET,
      CK_BUDGET, ST_FLAG, CFG(warn_on_projection), 0, 0, NULL, NULL, NULL,
      "exit 10 also when the projection reaches\na budget" },
    { OPT_LOCK_TIMEOUT, "lock-timeout", 0, "SECS", SEC_STORE, CK_SYNC, ST_MS,
      CFG(lock_timeout_ms), 0, 0, NULL, NULL, NULL,
      "wait this long for another sync (default\n60), then exit 7" },
    { OPT_STATUS, "status", 0, NULL, SEC_STORE, CK_SYNC, ST_FLAG,
      CFG(status), 0, 0, NULL, NULL, NULL,
      "what the store holds, per endpoint and\nwidth; fetches nothing" },
    { OPT_FORMAT, "format", 0, "F", SEC_OUTPUT, T_TABLES, ST_CHOICE,
      CFG(format), 0, 0, format_names, format_values, NULL,
      "table (default), csv, json, ndjson, svg\n(a standalone chart of "
      "the first metric), openmetrics (Prometheus\ngauges), or xlsx (a workbook; needs -o)" },
    { OPT_OUTPUT, "output", 'o', "FILE", SEC_OUTPUT, CK_ALL, ST_STRING,
      CFG(output), 0, 0, NULL, NULL, NULL,
      "write FILE atomically instead of stdout" },
    { OPT_NO_HEADER, "no-header", 0, NULL, SEC_OUTPUT, T_TABLES, ST_FLAG,
      CFG(no_header), 0, 0, NULL, NULL, NULL, "no header row (csv, table)" },
    { OPT_CSV_SAFE, "csv-safe", 0, NULL, SEC_OUTPUT, T_TABLES, ST_FLAG,
      CFG(csv_safe), 0, 0, NULL, NULL, NULL,
      "csv for spreadsheets: a text cell that starts with = + - @ TAB or CR\n"
      "gets a leading ' so it is not run as a formula (numbers untouched)" },
    { OPT_EXACT, "exact", 0, NULL, SEC_OUTPUT,
      CK_USAGE | CK_OVERVIEW | CK_BUDGET, ST_FLAG, CFG(exact), 0, 0, NULL,
      NULL, NULL,
      "table: money with every digit the API gave\n(default: to the cent, "
      "as $1,234.57)" },
    { OPT_WIDE, "wide", 0, NULL, SEC_OUTPUT, T_TABLES, ST_FLAG, CFG(wide), 0,
      0, NULL, NULL, NULL,
      "table on a terminal: every column, however\nwide (default: fit the "
      "terminal, leaving\nout the least important columns)" },
    { OPT_BASE_URL, "base-url", 0, "URL", SEC_CONNECTION, CK_ALL, ST_STRING,
      CFG(base_url), 0, 0, NULL, NULL, NULL,
      "API base (env OAIUSAGE_BASE_URL; default\n" OU_DEFAULT_BASE_URL ")" },
    { OPT_TIMEOUT, "timeout", 0, "SECS", SEC_CONNECTION, CK_ALL, ST_MS,
      CFG(timeout_ms), 0, 0, NULL, NULL, NULL, "per request (default 120)" },
    { OPT_RETRIES, "retries", 0, "N", SEC_CONNECTION, CK_ALL, ST_INT,
      CFG(retries), 0, 20, NULL, NULL, "",
      "retries of a failed request: connection\nerrors, timeouts, 408, 409, "
      "429, 5xx (default\n4; backoff 0.5 s doubling to 8 s, or the\n"
      "server's Retry-After up to 120 s)" },
    { OPT_DEADLINE, "deadline", 0, "SECS", SEC_CONNECTION, CK_ALL, ST_MS,
      CFG(deadline_ms), 0, 0, NULL, NULL, NULL,
      "give up the whole run after SECS" },
    { OPT_CONCURRENCY, "concurrency", 0, "N", SEC_CONNECTION,
      T_FETCH | CK_APIKEYS | CK_SYNC | CK_BUDGET, ST_INT, CFG(concurrency), 1, OU_MAX_CONCURRENCY,
      NULL, NULL, "",
      "requests in flight at once (default 4, at\nmost 32); a 429 halves "
      "it for a while" },
    { OPT_JOBS, "jobs", 'j', "N", SEC_CONNECTION, T_FETCH | CK_SYNC | CK_BUDGET,
      ST_INT, CFG(jobs), 1, POOL_MAX_THREADS, NULL, NULL, "",
      "threads parsing pages while transfers go\non (env OAIUSAGE_JOBS; default: "
      "one per\nCPU; 1: parse on the main thread)" },
    { OPT_DRY_RUN, "dry-run", 0, NULL, SEC_CONNECTION, T_FETCH, ST_FLAG,
      CFG(dry_run), 0, 0, NULL, NULL, NULL,
      "print the requests the window needs, fetch\nnothing (no key needed)" },
    { OPT_CACERT, "cacert", 0, "FILE", SEC_CONNECTION, CK_ALL, ST_STRING,
      CFG(cacert), 0, 0, NULL, NULL, NULL,
      "CA certificates for TLS (corporate proxies)" },
    { OPT_KEY_FILE, "admin-key-file", 0, "FILE", SEC_CONNECTION, CK_ALL,
      ST_STRING, CFG(key_file), 0, 0, NULL, NULL, NULL,
      "read the key from FILE ('-' = stdin)\ninstead of OPENAI_ADMIN_KEY" },
    { OPT_INSECURE, "allow-insecure-http", 0, NULL, SEC_CONNECTION, CK_ALL,
      ST_FLAG, CFG(allow_insecure_http), 0, 0, NULL, NULL, NULL,
      "allow plain http to a non-loopback host" },
    { OPT_QUIET, "quiet", 'q', NULL, SEC_GENERAL, CK_ALL, ST_LEVEL,
      CFG(verbosity), 0, 0, NULL, NULL, NULL, "only errors on stderr" },
    { OPT_VERBOSE, "verbose", 'v', NULL, SEC_GENERAL, CK_ALL, ST_LEVEL,
      CFG(verbosity), 2, 0, NULL, NULL, NULL,
      "each request, its status and time on stderr" },
    { OPT_PROFILE, "profile", 0, "NAME", SEC_GENERAL, CK_ALL, ST_STRING,
      CFG(profile), 0, 0, NULL, NULL, NULL,
      "settings of [profile NAME] in the config\nfile (env OAIUSAGE_PROFILE; "
      "see 'oaiusage\nconfig'); NAME,NAME,...: one report over\nthose "
      "organizations (usage, overview, sync)" },
    { OPT_ALL_PROFILES, "all-profiles", 0, NULL, SEC_GENERAL,
      CK_USAGE | CK_OVERVIEW | CK_SYNC, ST_FLAG, CFG(all_profiles), 0, 0,
      NULL, NULL, NULL,
      "every profile of the config file: one\nreport with an org column "
      "(as --profile\na,b,... names some of them)" },
    { OPT_TZ, "tz", 0, "ZONE", SEC_WINDOW, T_WINDOW, ST_STRING, CFG(tz), 0, 0,
      NULL, NULL, NULL,
      "local days, weeks and months in ZONE (an\nIANA name: Europe/Berlin, "
      "America/New_York;\ndefault UTC): built from 1h buckets (1m\nwhere "
      "the offset is not whole hours); costs\nare per UTC day" },
    { OPT_COLOR, "color", 0, "WHEN", SEC_OUTPUT, T_TABLES, ST_CHOICE,
      CFG(color), 0, 0, color_names, color_values, NULL,
      "colour the charts in tables: auto (on a\nterminal, unless NO_COLOR is "
      "set), always,\nnever" },
    { OPT_HELP, "help", 'h', NULL, SEC_GENERAL, CK_ALL, ST_ACTION, 0, 0, 0,
      NULL, NULL, NULL, "this help" },
    { OPT_VERSION, "version", 'V', NULL, SEC_GENERAL, CK_ALL, ST_ACTION, 0, 0,
      0, NULL, NULL, NULL, "the version" },
};
/* clang-format on */

const struct opt_desc *opt_at(int i)
{
    return i >= 0 && i < COUNT(options) ? &options[i] : NULL;
}

const struct opt_desc *opt_get(enum opt_id id)
{
    for (int i = 0; i < COUNT(options); i++) {
        if (options[i].id == id)
            return &options[i];
    }
    return NULL;
}

const char *opt_section_title(enum opt_section s)
{
    static const char *const titles[SEC_COUNT] = {
        ("Time window (UTC; WHEN is YYYY-MM-DD or YYYYMMDD for 00:00 UTC,\n"
         "YYYY-MM for the month's first day, RFC 3339 such as\n"
         "2025-01-11T17:31:00Z or ...+02:00, Unix seconds, or a word:\n"
         "now, today, yesterday, this-week, last-week, this-month,\n"
         "last-month; --days 7 --until today: the 7 complete days)"),
        "Filters (sent to the API; repeatable, comma-separated)",
        "Shape",
        "History store",
        "Budget",
        "Output",
        "Connection and key",
        "General",
    };
    return (unsigned)s < SEC_COUNT ? titles[s] : "";
}

/* The filter option name of a row: "batch" for --batch and --no-batch. */
static const char *filter_name(const struct opt_desc *o)
{
    if (o->store == ST_FILTER_FLAG)
        return "batch";
    return o->store == ST_FILTER ? o->name : NULL;
}

const struct filter_desc *opt_filter(const struct opt_desc *o,
                                     const struct command *c)
{
    const struct endpoint *ep = command_endpoint(c);
    const char *name = filter_name(o);

    return ep != NULL && name != NULL ? endpoint_filter(ep, name) : NULL;
}

bool opt_takes(const struct opt_desc *o, const struct command *c)
{
    if ((o->takes & c->kind) == 0)
        return false;
    if (filter_name(o) != NULL && c->kind == CK_USAGE)
        return opt_filter(o, c) != NULL;
    /* costs have UTC days only */
    if (o->id == OPT_TZ && c->kind == CK_USAGE)
        return !command_endpoint(c)->billing;
    return true;
}
