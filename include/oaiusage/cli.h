/* cli.h - the command line into a struct config, and the help.
 *
 * cli_parse() reads argv with the option table (options.h) and the
 * command table (command.h): the command, then which options it takes,
 * then each value, then the checks between options (the window, the group
 * fields and filters against the endpoint, formats). It never exits and
 * never prints errors itself: it returns CLI_OK, CLI_DONE (help or version
 * was printed to stdout) or a status with err filled (OU_E_USAGE).
 * Everything in struct config is owned by it and released with
 * config_release().
 */
#ifndef OAIUSAGE_CLI_H
#define OAIUSAGE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "oaiusage/command.h"
#include "oaiusage/endpoint.h"
#include "oaiusage/fmt.h"
#include "oaiusage/options.h"
#include "oaiusage/profile.h"
#include "oaiusage/query.h"
#include "oaiusage/retry.h"
#include "oaiusage/status.h"
#include "oaiusage/timeutil.h"

#define OAIUSAGE_VERSION "0.1.0"
#define OU_DEFAULT_BASE_URL "https://api.openai.com/v1"
#define OU_DEFAULT_DAYS 30
#define OU_MAX_DAYS 3660
#define OU_DEFAULT_TIMEOUT_MS 120000L
#define OU_DEFAULT_CONCURRENCY 4
#define OU_MAX_CONCURRENCY 32
#define OU_NAMES_TTL_S (24LL * 3600)
/* How long after it ends a bucket may still be revised (sync --settle's
 * defaults; budget marks such days provisional). */
#define OU_SETTLE_USAGE_S (24LL * 3600)
#define OU_SETTLE_COSTS_S (3 * 24LL * 3600)
#define OU_DEFAULT_WARN_AT 80

enum cli_status { CLI_OK = 0, CLI_DONE = -1 };

/* Values of a repeatable option, in the order given. */
struct strlist {
    char **v; /* owned */
    int n;
};

struct filter_opt {
    const char *option; /* "project", "model", ... ("batch" for both
                              --batch and --no-batch) */
    struct strlist values;
    bool flag; /* --batch (true) / --no-batch (false) */
};

#define CLI_MAX_FILTER_OPTS 8

/* Where a setting came from, for `oaiusage config` (flag > environment >
 * profile > built-in default). */
enum setting_source { SRC_BUILTIN = 0, SRC_FLAG, SRC_ENV, SRC_PROFILE };

enum color_mode { COLOR_AUTO = 0, COLOR_ALWAYS, COLOR_NEVER };

struct config {
    const struct command *cmd;
    const struct endpoint *ep; /* the command's endpoint, or NULL */
    bool given[OPT_COUNT];     /* which options were given */

    /* The time window, resolved: [since, until). until_sent false means
     * end_time is omitted and the API's own "now" ends the window. */
    int64_t since;
    int64_t until;
    bool until_sent;
    int64_t since_arg; /* --since and --until as given */
    int64_t until_arg;
    int64_t month_arg;                /* --month: the month's first second */
    const char *when_text[OPT_COUNT]; /* --since/--until/--month as given
                                         (borrowed; read again in --tz) */
    int days;                         /* --days */
    enum bucket_width width;

    struct filter_opt filters[CLI_MAX_FILTER_OPTS]; /* in order given */
    int nfilters;
    struct strlist group_by;  /* --group-by as given */
    int group[EP_MAX_GROUPS]; /* resolved: endpoint group indices */
    int ngroup;
    enum tu_period per;
    bool records;
    char *sort_arg;     /* --sort METRIC as given */
    int sort;           /* resolved: a metric index, or REPORT_SORT_* */
    int top;            /* --top N; 0: every row */
    int compare;        /* --compare previous: 1, year: 2; 0: none */
    bool sort_change;   /* --sort METRIC_change (with --compare) */
    int64_t prev_since; /* --compare: the window compared with */
    int64_t prev_until;
    bool chart;
    bool names; /* --names (or --refresh-names) */
    bool refresh_names;

    enum fmt_kind format;
    char *output; /* NULL = stdout */
    bool no_header;
    bool header;   /* resolved: !no_header */
    bool csv_safe; /* --csv-safe */
    bool exact;    /* --exact: tables show money with every digit */
    bool wide;     /* --wide: tables never shrink to the terminal */
    int color;     /* --color: enum color_mode */

    /* The config file (profile.h) and the profile read from it. */
    char *profile;            /* --profile NAME or OAIUSAGE_PROFILE */
    const char *profile_from; /* "--profile", "OAIUSAGE_PROFILE" or NULL */
    struct profile_file pfile;
    char *org_label; /* the profile's org: the store's organization label */
    /* Several organizations in one run (--profile a,b or --all-profiles):
     * their profile names, in order, n >= 2; the config itself is then
     * resolved with the first (cli_parse_as() gives each one's). */
    struct strlist profiles;
    bool all_profiles; /* --all-profiles */
    char *tz;          /* --tz ZONE as given (or the profile's); NULL: UTC */
    enum setting_source src[OPT_COUNT];
    const struct profile_entry *src_entry[OPT_COUNT]; /* SRC_PROFILE */

    char *db;                 /* --db, NULL: reports use the API */
    struct strlist endpoints; /* sync --endpoint */
    int64_t settle;           /* sync --settle seconds, 0: per endpoint */
    long lock_timeout_ms;     /* sync --lock-timeout */
    bool status;              /* sync --status */
    bool sync_ep[EP_COUNT];   /* resolved: the endpoints sync fetches */

    int period;    /* budget --period (enum budget_period) */
    char *amount;  /* budget --amount, as given */
    char *budgets; /* budget --budgets FILE */
    int warn_at;   /* budget --warn-at percent */
    bool warn_on_projection;
    bool api_limits; /* resolved: budgets from the API's spend limits */

    char *base_url; /* resolved: without a trailing slash */
    long timeout_ms;
    int retries;
    long deadline_ms; /* 0 = none */
    int concurrency;
    int jobs; /* --jobs; 0: $OAIUSAGE_JOBS, else one per CPU */
    bool dry_run;
    char *cacert;
    char *key_file; /* NULL = the environment */
    bool allow_insecure_http;
    int verbosity;    /* 0 quiet, 1 normal, 2 verbose */
    int64_t start_ms; /* monotonic clock at start (deadline) */
};

void config_init(struct config *cfg);
void config_release(struct config *cfg);

/* Parse argv. now is the current Unix time (the default --until). */
int cli_parse(int argc, char **argv, int64_t now, struct config *cfg,
              struct ou_err *err);

/* The query of a usage command (borrowing the config's strings). */
void cli_build_query(const struct config *cfg, struct query *q);

/* The values given for a filter option ("project"), or NULL. */
/* Parse argv as cli_parse() does, but with the profile NAME in place of
 * --profile, OAIUSAGE_PROFILE and --all-profiles: one organization's
 * config of a run over several (cfg->profiles). */
int cli_parse_as(int argc, char **argv, int64_t now, const char *profile,
                 struct config *cfg, struct ou_err *err);

/* The agg_spec floor of the endpoint's periods: local (zone_floor) with
 * --tz for usage, NULL (UTC) for costs and without --tz. */
int64_t (*cli_period_floor(const struct endpoint *ep))(enum tu_period, int64_t);

/* The buckets local days are built from over [since, until) with --tz:
 * 1h, or 1m where an offset is not whole hours (an API day is a UTC
 * day). */
enum bucket_width cli_local_width(int64_t since, int64_t until);

const struct filter_opt *cli_filter(const struct config *cfg,
                                    const char *option);

/* Help, generated from the tables (help.c). */
void cli_usage(FILE *out);
void cli_command_usage(FILE *out, const struct command *c);

#endif
