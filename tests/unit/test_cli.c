/* The command line: the window arithmetic and every usage error. */
#include "oaiusage/cli.h"
#include "oaiusage/command.h"
#include "test.h"

/* 2025-02-10T17:31:03Z, a fixed "now". */
#define NOW 1739208663

static int parse(struct config *cfg, struct ou_err *err, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;

    argv[argc++] = (char *)"oaiusage";
    va_start(ap, err);
    for (char *a; (a = va_arg(ap, char *)) != NULL;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    config_init(cfg);
    err->cat = 0;
    err->msg[0] = '\0';
    return cli_parse(argc, argv, NOW, cfg, err);
}

#define EXPECT_USAGE(want, ...)                                              \
    do {                                                                     \
        struct config c_;                                                    \
        struct ou_err e_;                                                    \
        int rc_ = parse(&c_, &e_, __VA_ARGS__, (char *)NULL);                \
        CHECK(rc_ == OU_E_USAGE);                                            \
        if (strstr(e_.msg, want) == NULL) {                                  \
            CHECK(!"usage error message lacks the expected text");           \
            fprintf(stderr, "  message: %s\n  wanted:  %s\n", e_.msg, want); \
        }                                                                    \
        config_release(&c_);                                                 \
    } while (0)

int main(void)
{
    struct config c;
    struct ou_err e;

    /* Every endpoint of the API is a command (decisions was once left
     * out of the table while the overview had it). */
    for (int i = 0; i < EP_COUNT; i++) {
        const struct endpoint *ep = endpoint_at(i);
        const struct command *cmd = command_find(ep->command);
        CHECK(cmd != NULL && cmd->endpoint == i);
    }

    /* The default window: the last 30 UTC days, today included. */
    CHECK(parse(&c, &e, "completions", (char *)NULL) == 0);
    CHECK(c.since == 1739145600 - 29 * 86400); /* 2025-01-12T00:00Z */
    CHECK(c.until == NOW && !c.until_sent);
    CHECK(c.width == BW_1D && c.format == FMT_TABLE && c.header);
    config_release(&c);

    /* --days up to an explicit midnight: N whole days. */
    CHECK(parse(&c, &e, "costs", "--days", "7", "--until", "2025-02-01",
                (char *)NULL) == 0);
    CHECK(c.since == 1738368000 - 7 * 86400 && c.until == 1738368000 &&
          c.until_sent);
    config_release(&c);

    /* Explicit window, filters, grouping, formats. */
    CHECK(parse(&c, &e, "completions", "--since", "2025-01-11T17:31:00Z",
                "--until", "1739000000", "--bucket", "1h", "--group-by",
                "model, project_id", "--model", "a,b", "--model", "b,c",
                "--no-batch", "--format", "csv", "--no-header", "-o", "out.csv",
                "--per", "week", (char *)NULL) == 0);
    CHECK(c.since == 1736616660 && c.until == 1739000000);
    CHECK(c.width == BW_1H && c.ngroup == 2);
    CHECK(c.group[0] == endpoint_group_index(c.ep, "model"));
    CHECK(c.group[1] == endpoint_group_index(c.ep, "project_id"));
    CHECK(c.per == TU_PER_WEEK && c.format == FMT_CSV && !c.header);
    CHECK_STR(c.output, "out.csv");
    {
        struct query q;
        cli_build_query(&c, &q);
        CHECK(q.limit == 168 && q.end_time == 1739000000);
        int models = -1, batch = -1;
        for (int i = 0; i < q.nfilters; i++) {
            if (strcmp(q.filters[i].desc->param, "models") == 0)
                models = i;
            if (strcmp(q.filters[i].desc->param, "batch") == 0)
                batch = i;
        }
        CHECK(models >= 0 && q.filters[models].nvalues == 3);
        CHECK(batch >= 0 && !q.filters[batch].flag);
    }
    config_release(&c);

    /* A future --until is cut to now and end_time is left out. */
    CHECK(parse(&c, &e, "completions", "--since", "2025-02-01", "--until",
                "2030-01-01", (char *)NULL) == 0);
    CHECK(c.until == NOW && !c.until_sent);
    config_release(&c);

    /* --days counts back from the end after a future --until is cut to
     * now: still N days, today included. */
    CHECK(parse(&c, &e, "completions", "--until", "2030-01-01", "--days", "3",
                (char *)NULL) == 0);
    CHECK(c.until == NOW && c.since == 1739145600 - 2 * 86400);
    config_release(&c);

    /* Help and version print and stop. */
    CHECK(parse(&c, &e, "--version", (char *)NULL) == CLI_DONE);
    config_release(&c);

    /* Usage errors, each with a clear message. */
    EXPECT_USAGE("unknown option '--bogus'", "completions", "--bogus");
    EXPECT_USAGE("needs a value", "completions", "--since");
    EXPECT_USAGE("unknown --group-by field 'modle' for completions; did you "
                 "mean 'model'? (allowed: "
                 "project_id, user_id, api_key_id, model, batch, service_tier, "
                 "api_source)",
                 "completions", "--group-by", "modle");
    EXPECT_USAGE("unknown --group-by field 'batch' for costs (allowed: "
                 "project_id, user_id, line_item, api_key_id, api_source, "
                 "model, component)",
                 "costs", "--group-by", "batch");
    EXPECT_USAGE("'model' given twice", "completions", "--group-by",
                 "model,model");
    EXPECT_USAGE("option '--since': '2025-02-30': no such calendar date",
                 "completions", "--since", "2025-02-30");
    EXPECT_USAGE("option '--until': 'tomorrow'", "completions", "--until",
                 "tomorrow");
    EXPECT_USAGE("--since and --days exclude each other", "completions",
                 "--since", "2025-01-01", "--days", "3");
    EXPECT_USAGE("'0' is not a whole number of days", "completions", "--days",
                 "0");
    EXPECT_USAGE("'3x' is not a whole number of days", "completions", "--days",
                 "3x");
    EXPECT_USAGE("costs accepts only --bucket 1d", "costs", "--bucket", "1h");
    EXPECT_USAGE("'2h' is not one of 1m, 1h, 1d", "completions", "--bucket",
                 "2h");
    EXPECT_USAGE("costs has no --model filter (its filters: --project, "
                 "--api-key, --line-item)",
                 "costs", "--model", "gpt-4o");
    EXPECT_USAGE("costs has no --user filter", "costs", "--user", "u");
    EXPECT_USAGE("costs has no --batch filter", "costs", "--batch");
    EXPECT_USAGE("--batch and --no-batch exclude each other", "completions",
                 "--batch", "--no-batch");
    EXPECT_USAGE("--records and --per exclude each other", "completions",
                 "--records", "--per", "day");
    EXPECT_USAGE("'hour' is not one of day, week, month, bucket", "completions",
                 "--per", "hour");
    EXPECT_USAGE("'xml' is not one of table, csv, json, ndjson", "completions",
                 "--format", "xml");
    EXPECT_USAGE("--no-header applies to --format csv or table", "completions",
                 "--format", "json", "--no-header");
    EXPECT_USAGE("empty time window", "completions", "--since", "2025-02-01",
                 "--until", "2025-02-01");
    EXPECT_USAGE("starts in the future", "completions", "--since",
                 "2031-01-01");
    EXPECT_USAGE("empty value", "completions", "--project", "a,,b");
    EXPECT_USAGE("unknown command 'complete'", "complete");
    EXPECT_USAGE("no command given", "--days", "3");
    {
        /* No arguments at all: the usage on stdout, exit 0. */
        struct config c3;
        struct ou_err e3;
        FILE *saved = stdout;
        stdout = fopen("/dev/null", "w");
        int rc3 = parse(&c3, &e3, (char *)NULL);
        fclose(stdout);
        stdout = saved;
        CHECK(rc3 == CLI_DONE);
        config_release(&c3);
    }
    EXPECT_USAGE("unexpected argument 'extra'", "completions", "extra");
    EXPECT_USAGE("'--timeout': 'soon'", "completions", "--timeout", "soon");
    EXPECT_USAGE("dates before 1970 are not supported", "completions",
                 "--since", "1969-12-01");
    EXPECT_USAGE("takes API key ids (key_...), not secret keys", "completions",
                 "--api-key", "key_a,sk-proj-secret");
    EXPECT_USAGE("overview does not take --bucket", "overview", "--bucket",
                 "1h");
    EXPECT_USAGE("projects does not take --project", "projects", "--project",
                 "p");
    EXPECT_USAGE("users does not take --names", "users", "--names");
    /* Accepted and silently ignored before the option table. */
    EXPECT_USAGE("report does not take --no-header", "report", "--no-header");
    EXPECT_USAGE("overview does not take --chart", "overview", "--chart");
    EXPECT_USAGE("api-keys does not take --names", "api-keys", "--names");
    EXPECT_USAGE("projects does not take --concurrency", "projects",
                 "--concurrency", "2");
    EXPECT_USAGE("report writes one HTML file", "report", "--format", "csv");
    EXPECT_USAGE("--format svg charts usage and costs reports", "users",
                 "--format", "svg");
    /* Did you mean: commands, options, group fields, choices. */
    EXPECT_USAGE("unknown command 'cost'; did you mean 'costs'?", "cost");
    EXPECT_USAGE("did you mean 'audio_speeches'?", "audio_speech");
    EXPECT_USAGE("unknown option '--grup-by'; did you mean '--group-by'?",
                 "completions", "--grup-by", "model");
    EXPECT_USAGE("did you mean '--group-by'?", "completions",
                 "--gruop-by=model");
    EXPECT_USAGE("'modle' for completions; did you mean 'model'?",
                 "completions", "--group-by", "modle");
    EXPECT_USAGE("'jsn' is not one of table, csv, json, ndjson, svg, "
                 "openmetrics, xlsx; did you mean 'json'?",
                 "costs", "--format", "jsn");
    {
        /* Nothing close: no guess. */
        struct config c2;
        struct ou_err e2;
        CHECK(parse(&c2, &e2, "xyzzy", (char *)NULL) == OU_E_USAGE &&
              strstr(e2.msg, "did you mean") == NULL);
        config_release(&c2);
        CHECK(parse(&c2, &e2, "costs", "--frobnicate", (char *)NULL) ==
                  OU_E_USAGE &&
              strstr(e2.msg, "did you mean") == NULL);
        config_release(&c2);
    }
    /* Calendar words at NOW (2025-02-10, a Monday). */
    CHECK(parse(&c, &e, "costs", "--since", "last-week", "--until", "this-week",
                (char *)NULL) == CLI_OK &&
          c.since == 1738540800 && c.until == 1739145600 && c.until_sent);
    config_release(&c);
    CHECK(parse(&c, &e, "costs", "--month", "last-month", (char *)NULL) ==
              CLI_OK &&
          c.since == 1735689600 && c.until == 1738368000);
    config_release(&c);
    CHECK(parse(&c, &e, "costs", "--month", "this-month", (char *)NULL) ==
              CLI_OK &&
          c.since == 1738368000 && c.until == NOW && !c.until_sent);
    config_release(&c);
    TEST_END();
}
