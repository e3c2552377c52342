/* cli.c - the command line (see cli.h). */
#include "oaiusage/cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400
#define MAX_DAYS 3660
#define MAX_FILTER_VALUE 256

enum opt_id {
    OPT_SINCE = 256, OPT_UNTIL, OPT_DAYS, OPT_BUCKET, OPT_PROJECT, OPT_USER,
    OPT_API_KEY, OPT_MODEL, OPT_BATCH, OPT_NO_BATCH, OPT_GROUP_BY, OPT_PER,
    OPT_RECORDS, OPT_FORMAT, OPT_NO_HEADER, OPT_BASE_URL, OPT_TIMEOUT,
    OPT_KEY_FILE, OPT_INSECURE, OPT_SOURCE, OPT_SIZE, OPT_VECTOR_STORE,
    OPT_CONTEXT_LEVEL, OPT_NAMES, OPT_REFRESH_NAMES, OPT_RETRIES,
    OPT_DEADLINE, OPT_CACERT, OPT_CONCURRENCY, OPT_DRY_RUN, OPT_CHART,
};

/* Filter options: all take comma-separated, repeatable values. */
static const struct {
    int id;
    const char *option;
} filter_options[] = {
    { OPT_PROJECT, "project" },   { OPT_USER, "user" },
    { OPT_API_KEY, "api-key" },   { OPT_MODEL, "model" },
    { OPT_SOURCE, "source" },     { OPT_SIZE, "size" },
    { OPT_VECTOR_STORE, "vector-store" },
    { OPT_CONTEXT_LEVEL, "context-level" },
};

static const struct option long_options[] = {
    { "since", required_argument, NULL, OPT_SINCE },
    { "until", required_argument, NULL, OPT_UNTIL },
    { "days", required_argument, NULL, OPT_DAYS },
    { "bucket", required_argument, NULL, OPT_BUCKET },
    { "project", required_argument, NULL, OPT_PROJECT },
    { "user", required_argument, NULL, OPT_USER },
    { "api-key", required_argument, NULL, OPT_API_KEY },
    { "model", required_argument, NULL, OPT_MODEL },
    { "source", required_argument, NULL, OPT_SOURCE },
    { "size", required_argument, NULL, OPT_SIZE },
    { "vector-store", required_argument, NULL, OPT_VECTOR_STORE },
    { "context-level", required_argument, NULL, OPT_CONTEXT_LEVEL },
    { "names", no_argument, NULL, OPT_NAMES },
    { "refresh-names", no_argument, NULL, OPT_REFRESH_NAMES },
    { "batch", no_argument, NULL, OPT_BATCH },
    { "no-batch", no_argument, NULL, OPT_NO_BATCH },
    { "group-by", required_argument, NULL, OPT_GROUP_BY },
    { "per", required_argument, NULL, OPT_PER },
    { "records", no_argument, NULL, OPT_RECORDS },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "output", required_argument, NULL, 'o' },
    { "no-header", no_argument, NULL, OPT_NO_HEADER },
    { "base-url", required_argument, NULL, OPT_BASE_URL },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "retries", required_argument, NULL, OPT_RETRIES },
    { "deadline", required_argument, NULL, OPT_DEADLINE },
    { "cacert", required_argument, NULL, OPT_CACERT },
    { "concurrency", required_argument, NULL, OPT_CONCURRENCY },
    { "dry-run", no_argument, NULL, OPT_DRY_RUN },
    { "chart", no_argument, NULL, OPT_CHART },
    { "admin-key-file", required_argument, NULL, OPT_KEY_FILE },
    { "allow-insecure-http", no_argument, NULL, OPT_INSECURE },
    { "quiet", no_argument, NULL, 'q' },
    { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

/* Raw option values, validated once the command is known. */
struct raw {
    const char *since;
    const char *until;
    const char *days;
    const char *bucket;
    const char *per;
    const char *format;
    const char *timeout;
    const char *retries;
    const char *deadline;
    const char *concurrency;
    const char *base_url;
    char **group_by;
    int ngroup_by;
    bool help;
    bool version;
    bool batch;
    bool no_batch;
    bool no_header;
};

void config_init(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->width = BW_1D;
    cfg->per = TU_PER_NONE;
    cfg->format = FMT_TABLE;
    cfg->header = true;
    cfg->timeout_ms = (long)(OU_DEFAULT_TIMEOUT_S * 1000);
    cfg->retries = RETRY_DEFAULT_RETRIES;
    cfg->concurrency = OU_DEFAULT_CONCURRENCY;
    cfg->verbosity = 1;
}

void config_release(struct config *cfg)
{
    for (int i = 0; i < cfg->nfilters; i++) {
        for (int k = 0; k < cfg->filters[i].nvalues; k++)
            free(cfg->filters[i].values[k]);
        free(cfg->filters[i].values);
    }
    free(cfg->output);
    free(cfg->base_url);
    free(cfg->key_file);
    free(cfg->cacert);
    config_init(cfg);
}

static void free_list(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

static char *xstrdup(const char *s, struct ou_err *err)
{
    char *d = strdup(s);
    if (d == NULL)
        ou_nomem(err);
    return d;
}

/* Split "a, b,c" into trimmed values appended to *v. Duplicates are dropped,
 * or are an error when dup_is_error. */
static int split_values(const char *opt, const char *arg, char ***v, int *n,
                        bool dup_is_error, struct ou_err *err)
{
    const char *p = arg;

    for (;;) {
        const char *comma = strchr(p, ',');
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
        for (int i = 0; i < *n && !dup; i++)
            dup = strlen((*v)[i]) == len && strncmp((*v)[i], s, len) == 0;
        if (dup && dup_is_error)
            return ou_fail(err, OU_E_USAGE,
                              "option '--%s': '%.*s' given twice", opt,
                              (int)len, s);
        if (!dup) {
            char **nv = realloc(*v, sizeof(*nv) * (size_t)(*n + 1));
            if (nv == NULL)
                return ou_nomem(err);
            *v = nv;
            nv[*n] = strndup(s, len);
            if (nv[*n] == NULL)
                return ou_nomem(err);
            (*n)++;
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

static int add_filter(struct config *cfg, const char *option, const char *arg,
                      struct ou_err *err)
{
    struct filter_opt *f = filter_slot(cfg, option);

    if (f == NULL)
        return ou_fail(err, OU_E_USAGE, "too many filter options");
    /* --api-key filters by key id (key_...). A secret key here would end up
     * in the URL and the verbose log: refuse it, without echoing it. */
    if (strcmp(option, "api-key") == 0 && strstr(arg, "sk-") != NULL)
        return ou_fail(err, OU_E_USAGE,
                          "option '--api-key' takes API key ids (key_...), "
                          "not secret keys (sk-...)");
    f->given = true;
    return split_values(option, arg, &f->values, &f->nvalues, false, err);
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

/* Append ", " (unless out is empty), prefix and item to out. */
static void list_append(char *out, size_t size, const char *prefix,
                        const char *item)
{
    size_t n = strlen(out);
    snprintf(out + n, size - n, "%s%s%s", n > 0 ? ", " : "", prefix, item);
}

/* --group-by values against the endpoint's fields, in order. */
static int resolve_group_by(const struct raw *r, struct config *cfg,
                            struct ou_err *err)
{
    const struct endpoint *ep = cfg->ep;

    for (int i = 0; i < r->ngroup_by; i++) {
        int g = endpoint_group_index(ep, r->group_by[i]);
        if (g < 0) {
            char allowed[256] = "";
            for (int k = 0; k < ep->ngroups; k++)
                list_append(allowed, sizeof(allowed), "", ep->groups[k].name);
            return ou_fail(err, OU_E_USAGE,
                              "unknown --group-by field '%s' for %s "
                              "(allowed: %s)",
                              r->group_by[i], ep->command, allowed);
        }
        if (cfg->ngroup == EP_MAX_GROUPS)
            return ou_fail(err, OU_E_USAGE, "too many --group-by fields");
        cfg->group[cfg->ngroup++] = g;
    }
    return 0;
}

static int check_filters(struct config *cfg, const struct raw *r,
                         struct ou_err *err)
{
    const struct endpoint *ep = cfg->ep;

    if (r->batch && r->no_batch)
        return ou_fail(err, OU_E_USAGE,
                          "--batch and --no-batch exclude each other");
    if (r->batch || r->no_batch) {
        struct filter_opt *f = filter_slot(cfg, "batch");
        if (f == NULL)
            return ou_fail(err, OU_E_USAGE, "too many filter options");
        f->given = true;
        f->flag = r->batch;
    }
    for (int i = 0; i < cfg->nfilters; i++) {
        const struct filter_opt *f = &cfg->filters[i];
        const struct filter_desc *fd = endpoint_filter(ep, f->option);
        if (fd == NULL) {
            char allowed[256] = "";
            for (int k = 0; k < ep->nfilters; k++)
                list_append(allowed, sizeof(allowed), "--",
                            ep->filters[k].option);
            return ou_fail(err, OU_E_USAGE,
                              "%s has no --%s filter (its filters: %s)",
                              ep->command,
                              strcmp(f->option, "batch") == 0 && !f->flag
                                  ? "no-batch"
                                  : f->option,
                              allowed);
        }
        if (fd->allowed == NULL)
            continue;
        for (int k = 0; k < f->nvalues; k++) {
            bool ok = false;
            for (const char *const *a = fd->allowed; *a && !ok; a++)
                ok = strcmp(*a, f->values[k]) == 0;
            if (!ok) {
                char allowed[256] = "";
                for (const char *const *a = fd->allowed; *a; a++)
                    list_append(allowed, sizeof(allowed), "", *a);
                return ou_fail(err, OU_E_USAGE,
                                  "option '--%s': unknown value '%s' "
                                  "(allowed: %s)",
                                  f->option, f->values[k], allowed);
            }
        }
    }
    return 0;
}

static int resolve_window(const struct raw *r, int64_t now, struct config *cfg,
                          struct ou_err *err)
{
    const char *why;
    long days = OU_DEFAULT_DAYS;
    int64_t until = now;

    if (r->until != NULL) {
        if (!tu_parse_when(r->until, &until, &why))
            return ou_fail(err, OU_E_USAGE, "option '--until': '%s': %s",
                              r->until, why);
    }
    if (r->since != NULL && r->days != NULL)
        return ou_fail(err, OU_E_USAGE,
                          "--since and --days exclude each other");
    if (r->days != NULL && !parse_long(r->days, 1, MAX_DAYS, &days))
        return ou_fail(err, OU_E_USAGE,
                          "option '--days': '%s' is not a whole number of "
                          "days from 1 to %d",
                          r->days, MAX_DAYS);
    cfg->until_sent = r->until != NULL;
    if (until > now) {
        /* The API rejects or truncates a future end: stop at its own now. */
        until = now;
        cfg->until_sent = false;
    }
    cfg->until = until;
    if (r->since != NULL) {
        if (!tu_parse_when(r->since, &cfg->since, &why))
            return ou_fail(err, OU_E_USAGE, "option '--since': '%s': %s",
                              r->since, why);
    } else {
        cfg->since = tu_floor_day(until - 1) - (int64_t)(days - 1) * DAY;
        if (cfg->since < 0)
            return ou_fail(err, OU_E_USAGE,
                              "option '--days': the window would start "
                              "before 1970");
    }
    if (cfg->since >= now)
        return ou_fail(err, OU_E_USAGE,
                          "the window starts in the future (--since)");
    if (cfg->since >= cfg->until)
        return ou_fail(err, OU_E_USAGE,
                          "empty time window: --since must be before --until");
    return 0;
}

static const char *command_name(const struct config *cfg)
{
    switch (cfg->cmd) {
    case CMD_REPORT:
        return cfg->ep->command;
    case CMD_OVERVIEW:
        return "overview";
    case CMD_PROJECTS:
        return "projects";
    case CMD_USERS:
        return "users";
    case CMD_API_KEYS:
        return "api-keys";
    case CMD_HTML:
        return "report";
    }
    return "?";
}

/* Options that only a report command takes. */
static int refuse_report_options(const struct raw *r,
                                 const struct config *cfg, bool window,
                                 struct ou_err *err)
{
    const char *opt = r->bucket    ? "--bucket"
                      : r->per     ? "--per"
                      : cfg->records ? "--records"
                      : r->ngroup_by ? "--group-by"
                      : r->batch   ? "--batch"
                      : r->no_batch ? "--no-batch"
                                   : NULL;

    if (opt == NULL && !window)
        opt = r->since ? "--since" : r->until ? "--until" : r->days ? "--days"
                                                                    : NULL;
    if (opt == NULL && cfg->cmd != CMD_REPORT && cfg->names &&
        cfg->cmd != CMD_API_KEYS && cfg->cmd != CMD_HTML)
        opt = "--names";
    if (opt != NULL)
        return ou_fail(err, OU_E_USAGE, "%s does not take %s",
                          command_name(cfg), opt);
    for (int i = 0; i < cfg->nfilters; i++) {
        bool ok = strcmp(cfg->filters[i].option, "project") == 0 &&
                  (cfg->cmd == CMD_OVERVIEW || cfg->cmd == CMD_API_KEYS ||
                   cfg->cmd == CMD_HTML);
        if (!ok)
            return ou_fail(err, OU_E_USAGE, "%s does not take --%s",
                              command_name(cfg), cfg->filters[i].option);
    }
    return 0;
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

static int resolve_common(const struct raw *r, struct config *cfg,
                          struct ou_err *err)
{
    if (r->format != NULL && !fmt_parse_kind(r->format, &cfg->format))
        return ou_fail(err, OU_E_USAGE,
                          "option '--format': '%s' is not one of table, csv, "
                          "json, ndjson, svg",
                          r->format);
    if (r->no_header) {
        if (cfg->format != FMT_CSV && cfg->format != FMT_TABLE)
            return ou_fail(err, OU_E_USAGE,
                              "--no-header applies to --format csv or table");
        cfg->header = false;
    }
    if (r->timeout != NULL &&
        !parse_seconds(r->timeout, &cfg->timeout_ms))
        return ou_fail(err, OU_E_USAGE,
                          "option '--timeout': '%s' is not a number of "
                          "seconds (0 < t <= 86400)",
                          r->timeout);
    if (r->deadline != NULL &&
        !parse_seconds(r->deadline, &cfg->deadline_ms))
        return ou_fail(err, OU_E_USAGE,
                          "option '--deadline': '%s' is not a number of "
                          "seconds (0 < t <= 86400)",
                          r->deadline);
    long conc;
    if (r->concurrency != NULL) {
        if (!parse_long(r->concurrency, 1, OU_MAX_CONCURRENCY, &conc))
            return ou_fail(err, OU_E_USAGE,
                              "option '--concurrency': '%s' is not a whole "
                              "number from 1 to %d",
                              r->concurrency, OU_MAX_CONCURRENCY);
        cfg->concurrency = (int)conc;
    }
    long retries;
    if (r->retries != NULL) {
        if (!parse_long(r->retries, 0, 20, &retries))
            return ou_fail(err, OU_E_USAGE,
                              "option '--retries': '%s' is not a whole number "
                              "from 0 to 20",
                              r->retries);
        cfg->retries = (int)retries;
    }
    const char *base = r->base_url;
    if (base == NULL)
        base = getenv("OAIUSAGE_BASE_URL");
    if (base == NULL || base[0] == '\0')
        base = OU_DEFAULT_BASE_URL;
    cfg->base_url = xstrdup(base, err);
    if (cfg->base_url == NULL)
        return OU_E_IO;
    size_t bl = strlen(cfg->base_url);
    while (bl > 0 && cfg->base_url[bl - 1] == '/')
        cfg->base_url[--bl] = '\0';
    return 0;
}

static int resolve(const struct raw *r, int64_t now, struct config *cfg,
                   struct ou_err *err)
{
    const struct endpoint *ep = cfg->ep;
    int rc;

    rc = resolve_common(r, cfg, err);
    if (rc != 0)
        return rc;
    if (cfg->format == FMT_SVG && cfg->cmd != CMD_REPORT)
        return ou_fail(err, OU_E_USAGE,
                          "--format svg charts usage and costs reports");
    if (cfg->cmd == CMD_OVERVIEW || cfg->cmd == CMD_HTML) {
        if (cfg->cmd == CMD_HTML && r->format != NULL)
            return ou_fail(err, OU_E_USAGE,
                              "report writes one HTML file: use -o FILE, "
                              "not --format");
        rc = refuse_report_options(r, cfg, true, err);
        return rc != 0 ? rc : resolve_window(r, now, cfg, err);
    }
    if (cfg->cmd != CMD_REPORT)
        return refuse_report_options(r, cfg, false, err);

    if (r->bucket != NULL) {
        if (!bucket_width_parse(r->bucket, &cfg->width))
            return ou_fail(err, OU_E_USAGE,
                              "option '--bucket': '%s' is not one of 1m, 1h, "
                              "1d",
                              r->bucket);
        if (!ep->widths[cfg->width])
            return ou_fail(err, OU_E_USAGE,
                              "%s accepts only --bucket 1d (the API reports "
                              "it per UTC day)",
                              ep->command);
    }
    if (r->per != NULL) {
        static const char *const pers[] = { "day", "week", "month", "bucket" };
        static const enum tu_period vals[] = { TU_PER_DAY, TU_PER_WEEK,
                                               TU_PER_MONTH, TU_PER_BUCKET };
        cfg->per = TU_PER_NONE;
        for (int i = 0; i < 4; i++) {
            if (strcmp(r->per, pers[i]) == 0)
                cfg->per = vals[i];
        }
        if (cfg->per == TU_PER_NONE)
            return ou_fail(err, OU_E_USAGE,
                              "option '--per': '%s' is not one of day, week, "
                              "month, bucket",
                              r->per);
    }
    if (cfg->records && cfg->per != TU_PER_NONE)
        return ou_fail(err, OU_E_USAGE,
                          "--records and --per exclude each other");
    if (cfg->format == FMT_SVG && cfg->records)
        return ou_fail(err, OU_E_USAGE,
                          "--format svg charts a grouped or --per report, "
                          "not --records");
    if (cfg->chart && (cfg->format != FMT_TABLE || cfg->records))
        return ou_fail(err, OU_E_USAGE,
                          "--chart draws on the table: it needs --format "
                          "table, without --records");
    if ((rc = resolve_group_by(r, cfg, err)) != 0 ||
        (rc = check_filters(cfg, r, err)) != 0 ||
        (rc = resolve_window(r, now, cfg, err)) != 0)
        return rc;
    return 0;
}

static int set_string(char **slot, const char *v, struct ou_err *err)
{
    free(*slot);
    *slot = xstrdup(v, err);
    return *slot == NULL ? OU_E_IO : 0;
}

int cli_parse(int argc, char **argv, int64_t now, struct config *cfg,
              struct ou_err *err)
{
    struct raw r;
    int rc = 0;
    int c;

    memset(&r, 0, sizeof(r));
    opterr = 0;
    optind = 0; /* glibc: a full re-initialisation of getopt's state */
    while ((c = getopt_long(argc, argv, ":o:qvhV", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_SINCE: r.since = optarg; break;
        case OPT_UNTIL: r.until = optarg; break;
        case OPT_DAYS: r.days = optarg; break;
        case OPT_BUCKET: r.bucket = optarg; break;
        case OPT_PER: r.per = optarg; break;
        case OPT_FORMAT: r.format = optarg; break;
        case OPT_TIMEOUT: r.timeout = optarg; break;
        case OPT_RETRIES: r.retries = optarg; break;
        case OPT_CONCURRENCY: r.concurrency = optarg; break;
        case OPT_DRY_RUN: cfg->dry_run = true; break;
        case OPT_CHART: cfg->chart = true; break;
        case OPT_DEADLINE: r.deadline = optarg; break;
        case OPT_CACERT: rc = set_string(&cfg->cacert, optarg, err); break;
        case OPT_BASE_URL: r.base_url = optarg; break;
        case OPT_PROJECT:
        case OPT_USER:
        case OPT_API_KEY:
        case OPT_MODEL:
        case OPT_SOURCE:
        case OPT_SIZE:
        case OPT_VECTOR_STORE:
        case OPT_CONTEXT_LEVEL:
            for (size_t i = 0; i < sizeof(filter_options) /
                                       sizeof(filter_options[0]); i++) {
                if (filter_options[i].id == c)
                    rc = add_filter(cfg, filter_options[i].option, optarg,
                                    err);
            }
            break;
        case OPT_NAMES: cfg->names = true; break;
        case OPT_REFRESH_NAMES: cfg->names = cfg->refresh_names = true; break;
        case OPT_BATCH: r.batch = true; break;
        case OPT_NO_BATCH: r.no_batch = true; break;
        case OPT_GROUP_BY:
            rc = split_values("group-by", optarg, &r.group_by, &r.ngroup_by,
                              true, err);
            break;
        case OPT_RECORDS: cfg->records = true; break;
        case OPT_NO_HEADER: r.no_header = true; break;
        case 'o': rc = set_string(&cfg->output, optarg, err); break;
        case OPT_KEY_FILE: rc = set_string(&cfg->key_file, optarg, err); break;
        case OPT_INSECURE: cfg->allow_insecure_http = true; break;
        case 'q': cfg->verbosity = 0; break;
        case 'v': cfg->verbosity = 2; break;
        case 'h': r.help = true; break;
        case 'V': r.version = true; break;
        case ':':
            rc = ou_fail(err, OU_E_USAGE, "option '%s' needs a value",
                            argv[optind - 1]);
            break;
        default:
            if (optopt != 0)
                rc = ou_fail(err, OU_E_USAGE, "unknown option '-%c'",
                                optopt);
            else
                rc = ou_fail(err, OU_E_USAGE, "unknown option '%s'",
                                argv[optind - 1]);
            break;
        }
        if (rc != 0)
            goto out;
    }

    const char *command = optind < argc ? argv[optind] : NULL;
    if (command != NULL && strcmp(command, "help") == 0) {
        r.help = true;
        command = optind + 1 < argc ? argv[optind + 1] : NULL;
        optind++;
    }
    if (r.version) {
        printf("oaiusage %s\n", OAIUSAGE_VERSION);
        rc = CLI_DONE;
        goto out;
    }
    bool known = false;
    if (command != NULL) {
        static const struct {
            const char *name;
            enum command cmd;
        } others[] = { { "overview", CMD_OVERVIEW },
                       { "projects", CMD_PROJECTS },
                       { "users", CMD_USERS },
                       { "api-keys", CMD_API_KEYS },
                       { "api_keys", CMD_API_KEYS },
                       { "report", CMD_HTML } };
        cfg->ep = endpoint_find(command);
        known = cfg->ep != NULL;
        for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
            if (strcmp(command, others[i].name) == 0) {
                cfg->cmd = others[i].cmd;
                known = true;
            }
        }
    }
    if (r.help) {
        if (command != NULL && !known) {
            rc = ou_fail(err, OU_E_USAGE,
                            "unknown command '%s' (try 'oaiusage --help')",
                            command);
            goto out;
        }
        if (cfg->ep != NULL)
            cli_command_usage(stdout, cfg->ep);
        else if (known)
            cli_other_usage(stdout, cfg->cmd);
        else
            cli_usage(stdout);
        rc = CLI_DONE;
        goto out;
    }
    if (command == NULL) {
        rc = ou_fail(err, OU_E_USAGE,
                        "no command given (try 'oaiusage --help')");
        goto out;
    }
    if (!known) {
        rc = ou_fail(err, OU_E_USAGE,
                        "unknown command '%s' (try 'oaiusage --help')",
                        command);
        goto out;
    }
    if (optind + 1 < argc) {
        rc = ou_fail(err, OU_E_USAGE, "unexpected argument '%s'",
                        argv[optind + 1]);
        goto out;
    }
    rc = resolve(&r, now, cfg, err);
out:
    free_list(r.group_by, r.ngroup_by);
    return rc;
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
        fv->values = (const char *const *)f->values;
        fv->nvalues = f->nvalues;
        fv->flag = f->flag;
    }
    q->ngroup = cfg->ngroup;
    memcpy(q->group, cfg->group, sizeof(q->group));
}

/* ---- help ----------------------------------------------------------------- */

static const char exit_codes_help[] =
    "Exit codes:\n"
    "  0  success\n"
    "  1  API or network failure (HTTP 429/5xx, timeout, connection)\n"
    "  2  usage error (bad option, value, date or group-by field)\n"
    "  3  authentication or permission (HTTP 401/403, missing key; an\n"
    "     Admin key is needed, project keys cannot read usage)\n"
    "  4  malformed or unexpected API response\n"
    "  5  local I/O error (output file, key file, full disk)\n"
    "  130, 143  interrupted by SIGINT, SIGTERM (nothing written)\n";

void cli_usage(FILE *out)
{
    fprintf(out,
            "Usage: oaiusage COMMAND [OPTIONS]\n"
            "\n"
            "Report an OpenAI organization's usage and billed costs from the\n"
            "Administration API as a table, CSV, JSON or NDJSON.\n"
            "\n"
            "Commands:\n");
    for (int i = 0; endpoint_at(i) != NULL; i++)
        fprintf(out, "  %-26s %s\n", endpoint_at(i)->command,
                endpoint_at(i)->summary);
    fprintf(out,
            "  %-26s every endpoint's headline totals and the billed cost\n"
            "  %-26s the organization's projects (archived included)\n"
            "  %-26s the organization's users\n"
            "  %-26s project API keys (of --project, or of all projects)\n"
            "  %-26s a self-contained HTML report with charts (-o FILE)\n"
            "  %-26s the options of a command (also COMMAND --help)\n",
            "overview", "projects", "users", "api-keys", "report",
            "help COMMAND");
    fprintf(out,
            "\n"
            "Example:\n"
            "  oaiusage completions --days 30 --group-by model\n"
            "  oaiusage costs --days 7 --group-by line_item --format csv\n"
            "\n"
            "Environment:\n"
            "  OPENAI_ADMIN_KEY   the organization's Admin API key\n"
            "  OAIUSAGE_BASE_URL  API base URL (default %s)\n"
            "\n"
            "Options: -h/--help, -V/--version; see 'oaiusage help COMMAND'.\n"
            "\n"
            "%s",
            OU_DEFAULT_BASE_URL, exit_codes_help);
}

void cli_command_usage(FILE *out, const struct endpoint *ep)
{
    fprintf(out, "Usage: oaiusage %s [OPTIONS]\n\n%s.\nAPI: GET /v1%s\n\n",
            ep->command, ep->summary, ep->path);
    fprintf(out,
            "Time window (UTC; WHEN is Unix seconds, YYYY-MM-DD for 00:00 UTC,\n"
            "or RFC 3339 such as 2025-01-11T17:31:00Z or ...+02:00):\n"
            "  --since WHEN     start, inclusive\n"
            "  --until WHEN     end, exclusive (default: now; a future end\n"
            "                   is cut to now)\n"
            "  --days N         the last N UTC calendar days up to --until:\n"
            "                   from 00:00 UTC of the day N-1 days before the\n"
            "                   day holding the last second of the window;\n"
            "                   today counts as one (default: --days %d)\n",
            OU_DEFAULT_DAYS);
    if (ep->widths[BW_1M])
        fprintf(out, "  --bucket W       bucket width: 1m, 1h or 1d (default 1d)\n");
    else
        fprintf(out, "  --bucket 1d      the only width this endpoint has; "
                     "costs are whole\n"
                     "                   UTC days, so a window starting mid-day "
                     "includes that\n"
                     "                   whole first day\n");
    fprintf(out, "\nFilters (sent to the API; repeatable, comma-separated):\n");
    for (int i = 0; i < ep->nfilters; i++) {
        const struct filter_desc *f = &ep->filters[i];
        if (f->kind == FK_BOOL) {
            fprintf(out, "  --%-15s only batch jobs\n"
                         "  --no-%-12s only non-batch jobs\n",
                    f->option, f->option);
            continue;
        }
        fprintf(out, "  --%-14s  %s", f->option, f->param);
        for (const char *const *a = f->allowed; a != NULL && *a; a++)
            fprintf(out, "%s%s", a == f->allowed ? ": " : ", ", *a);
        fputc('\n', out);
    }
    fprintf(out, "\nShape:\n  --group-by F,...  one row per combination of: ");
    for (int g = 0; g < ep->ngroups; g++)
        fprintf(out, "%s%s", g ? ", " : "", ep->groups[g].name);
    fprintf(out,
            "\n"
            "                    (default: one row, the window's total)\n"
            "  --per P           split rows by UTC day, week (ISO, Monday),\n"
            "                    month, or bucket; adds period_start\n"
            "  --records         one row per bucket and result, as the API\n"
            "                    returned them; adds start_time, end_time\n"
            "  --chart           table: a bar per row (scaled to the largest);\n"
            "                    with --per, a sparkline per group over time\n"
            "  --names           add project_name, user_email, api_key_name\n"
            "                    beside the ids (the table shows names);\n"
            "                    cached for 24 hours per base URL and key\n"
            "  --refresh-names   --names, re-reading the lists now\n"
            "\n"
            "Output:\n"
            "  --format F        table (default), csv, json, ndjson, or svg\n"
            "                    (a standalone chart of the first metric)\n"
            "  -o, --output FILE write FILE atomically instead of stdout\n"
            "  --no-header       no header row (csv, table)\n"
            "\n"
            "Connection and key:\n"
            "  --base-url URL    API base (env OAIUSAGE_BASE_URL; default\n"
            "                    %s)\n"
            "  --timeout SECS    per request (default %.0f)\n"
            "  --retries N       retries of a failed request: connection\n"
            "                    errors, timeouts, 408, 409, 429, 5xx (default\n"
            "                    4; backoff 0.5 s doubling to 8 s, or the\n"
            "                    server's Retry-After up to 120 s)\n"
            "  --deadline SECS   give up the whole run after SECS\n"
            "  --concurrency N   requests in flight at once (default 4, at\n"
            "                    most 32); a 429 halves it for a while\n"
            "  --dry-run         print the requests the window needs, fetch\n"
            "                    nothing\n"
            "  --cacert FILE     CA certificates for TLS (corporate proxies)\n"
            "  --admin-key-file FILE  read the key from FILE ('-' = stdin)\n"
            "                    instead of OPENAI_ADMIN_KEY\n"
            "  --allow-insecure-http  allow plain http to a non-loopback host\n"
            "  -q, --quiet       only errors on stderr\n"
            "  -v, --verbose     each request, its status and time on stderr\n"
            "\n"
            "Columns (CSV/JSON): ",
            OU_DEFAULT_BASE_URL, OU_DEFAULT_TIMEOUT_S);
    for (int m = 0; m < ep->nmetrics; m++)
        fprintf(out, "%s%s", m ? ", " : "", ep->metrics[m].name);
    fprintf(out, "\n");
    for (int m = 0; m < ep->nmetrics; m++) {
        if (ep->metrics[m].agg == MA_LEVEL)
            fprintf(out,
                    "%s is a stored level, not a flow: totals and --per\n"
                    "periods report the latest bucket's value per group,\n"
                    "never a sum over buckets.\n",
                    ep->metrics[m].name);
    }
    fprintf(out, "\n%s", exit_codes_help);
}

static const char common_help[] =
    "Output and connection:\n"
    "  --format F        table (default), csv, json or ndjson\n"
    "  -o, --output FILE write FILE atomically instead of stdout\n"
    "  --no-header       no header row (csv, table)\n"
    "  --base-url URL    API base (env OAIUSAGE_BASE_URL)\n"
    "  --timeout SECS    per request; --retries N; --deadline SECS\n"
    "  --cacert FILE     CA certificates for TLS\n"
    "  --admin-key-file FILE  the key from FILE ('-' = stdin) instead of\n"
    "                    OPENAI_ADMIN_KEY\n"
    "  -q, --quiet / -v, --verbose\n";

void cli_other_usage(FILE *out, enum command cmd)
{
    switch (cmd) {
    case CMD_OVERVIEW:
        fprintf(out,
                "Usage: oaiusage overview [--since WHEN] [--until WHEN] "
                "[--days N]\n"
                "                         [--project ID,...] [OPTIONS]\n\n"
                "One row per usage endpoint with its headline totals over the\n"
                "window (requests, input and output tokens, and the endpoint's\n"
                "own unit: images, characters, seconds, bytes stored, sessions,\n"
                "calls), then the billed cost from the costs endpoint. Every\n"
                "endpoint is fetched in one run; an idle one shows zeros.\n"
                "vector-stores bytes are the latest level, not a sum.\n"
                "Columns: endpoint, requests, input_tokens, output_tokens,\n"
                "units, unit, amount, currency (empty where not applicable).\n"
                "The window options are those of 'oaiusage help completions'.\n\n"
                "%s\n%s",
                common_help, exit_codes_help);
        break;
    case CMD_PROJECTS:
        fprintf(out,
                "Usage: oaiusage projects [OPTIONS]\n\n"
                "Every project of the organization, archived ones included\n"
                "(GET /v1/organization/projects?include_archived=true).\n"
                "Columns: id, name, status, created_at, archived_at.\n\n"
                "%s\n%s",
                common_help, exit_codes_help);
        break;
    case CMD_USERS:
        fprintf(out,
                "Usage: oaiusage users [OPTIONS]\n\n"
                "Every user of the organization (GET /v1/organization/users).\n"
                "Columns: id, email, name, role, added_at.\n\n%s\n%s",
                common_help, exit_codes_help);
        break;
    case CMD_API_KEYS:
        fprintf(out,
                "Usage: oaiusage api-keys [--project ID,...] [OPTIONS]\n\n"
                "Project API keys (GET /v1/organization/projects/ID/api_keys)\n"
                "of the given projects, or of every project.\n"
                "Columns: project_id, id, name, redacted_value, owner_type,\n"
                "owner, created_at, last_used_at.\n\n%s\n%s",
                common_help, exit_codes_help);
        break;
    case CMD_HTML:
        fprintf(out,
                "Usage: oaiusage report [--since WHEN] [--until WHEN] "
                "[--days N]\n"
                "                       [--project ID,...] [--names] "
                "[-o FILE] [OPTIONS]\n\n"
                "One self-contained HTML file (inline SVG and CSS, no script,\n"
                "nothing fetched when it is opened): daily input vs output\n"
                "tokens, requests per model stacked by project, each project's\n"
                "share of requests (under 5%% folded into \"Other\", broken\n"
                "down in a second chart), total cost per day, cost per day by\n"
                "line item, and the totals tables. Completions and costs are\n"
                "fetched per UTC day, at once. --names shows project names.\n"
                "The window options are those of 'oaiusage help completions'.\n"
                "\n%s\n%s",
                common_help, exit_codes_help);
        break;
    case CMD_REPORT:
        break;
    }
}
