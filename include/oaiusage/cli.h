/* cli.h - the command line: options into a struct config, and --help.
 *
 * cli_parse() never exits and never prints errors itself: it returns
 * CLI_OK, CLI_DONE (help or version was printed to stdout) or an exit code
 * with err filled. Everything in struct config is owned by it and released
 * with config_release().
 */
#ifndef OAIUSAGE_CLI_H
#define OAIUSAGE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "oaiusage/endpoint.h"
#include "oaiusage/fmt.h"
#include "oaiusage/query.h"
#include "oaiusage/retry.h"
#include "oaiusage/status.h"
#include "oaiusage/timeutil.h"

#define OAIUSAGE_VERSION "0.1.0"
#define OU_DEFAULT_BASE_URL "https://api.openai.com/v1"
#define OU_DEFAULT_DAYS 30
#define OU_DEFAULT_TIMEOUT_S 120.0
#define OU_DEFAULT_CONCURRENCY 4
#define OU_MAX_CONCURRENCY 32

enum cli_status { CLI_OK = 0, CLI_DONE = -1 };

enum command {
    CMD_REPORT,     /* one endpoint (cfg->ep) */
    CMD_OVERVIEW,   /* every endpoint's headline totals and the cost */
    CMD_PROJECTS,   /* the organization's lists */
    CMD_USERS,
    CMD_API_KEYS,
    CMD_HTML        /* report: the HTML report with charts */
};

#define OU_NAMES_TTL_S (24 * 3600)

struct filter_opt {
    const char *option;    /* "project", "model", ... */
    char **values;         /* owned */
    int nvalues;
    bool given;
    bool flag;             /* --batch (true) / --no-batch (false) */
};

#define CLI_MAX_FILTER_OPTS 8

struct config {
    enum command cmd;
    const struct endpoint *ep;     /* CMD_REPORT only */
    /* Time window, resolved: [since, until). until_sent false means
     * end_time is omitted and the API's own "now" ends the window. */
    int64_t since;
    int64_t until;
    bool until_sent;
    enum bucket_width width;
    struct filter_opt filters[CLI_MAX_FILTER_OPTS];
    int nfilters;
    int group[EP_MAX_GROUPS];
    int ngroup;
    enum tu_period per;
    bool records;
    enum fmt_kind format;
    char *output;          /* NULL = stdout */
    bool header;
    char *base_url;        /* without a trailing slash */
    long timeout_ms;
    char *key_file;        /* NULL = environment */
    char *cacert;          /* --cacert FILE, or NULL */
    int retries;           /* --retries (default RETRY_DEFAULT_RETRIES) */
    int concurrency;       /* --concurrency: transfers in flight at most */
    bool dry_run;          /* --dry-run: print the plan, fetch nothing */
    bool chart;            /* --chart: bars (or sparklines) in the table */
    long deadline_ms;      /* --deadline for the whole run; 0 = none */
    int64_t start_ms;      /* monotonic clock at start (for the deadline) */
    bool allow_insecure_http;
    bool names;            /* --names: resolve ids to names */
    bool refresh_names;    /* --refresh-names: ignore the name cache */
    int verbosity;         /* 0 quiet, 1 normal, 2 verbose */
};

void config_init(struct config *cfg);
void config_release(struct config *cfg);

/* Parse argv. now is the current Unix time (the default --until). */
int cli_parse(int argc, char **argv, int64_t now, struct config *cfg,
              struct ou_err *err);

/* Fill a struct query from a parsed config (borrowing its strings). */
void cli_build_query(const struct config *cfg, struct query *q);

/* The values given for a filter option ("project"), or NULL. */
const struct filter_opt *cli_filter(const struct config *cfg,
                                    const char *option);

void cli_usage(FILE *out);
void cli_command_usage(FILE *out, const struct endpoint *ep);
void cli_other_usage(FILE *out, enum command cmd);

#endif
