/* The option table against the command table, for every command: each
 * option it takes is in its help, each option in its help is accepted,
 * and each option it does not take is refused (a usage error naming the
 * command). Plus: `oaiusage --help` lists every command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oaiusage/cli.h"
#include "test.h"

#define NOW 1739208663 /* 2025-02-10T17:31:03Z */

/* A value that a command taking the option accepts. */
static const char *sample(const struct opt_desc *o, const struct command *c)
{
    const struct endpoint *ep = command_endpoint(c);
    const struct filter_desc *f = opt_filter(o, c);

    if (f != NULL && f->allowed != NULL)
        return f->allowed[0];
    switch (o->id) {
    case OPT_SINCE:
        return "2025-01-01";
    case OPT_UNTIL:
        return "2025-01-03";
    case OPT_DAYS:
        return "3";
    case OPT_BUCKET:
        return "1d";
    case OPT_GROUP_BY:
        return ep != NULL ? ep->groups[0].name : "x";
    case OPT_PER:
        return "day";
    case OPT_ENDPOINT:
        return "completions,costs";
    case OPT_SETTLE:
        return "6h";
    case OPT_LOCK_TIMEOUT:
        return "5";
    case OPT_FORMAT:
        return "csv";
    case OPT_OUTPUT:
        return "/tmp/oaiusage-test-out";
    case OPT_BASE_URL:
        return "http://127.0.0.1:9/v1";
    case OPT_TIMEOUT:
        return "5";
    case OPT_RETRIES:
        return "1";
    case OPT_DEADLINE:
        return "30";
    case OPT_CONCURRENCY:
        return "2";
    case OPT_API_KEY:
        return "key_abc";
    case OPT_PERIOD:
        return "month";
    case OPT_TOP:
        return "3";
    case OPT_SORT:
        for (int m = 0; ep != NULL && m < ep->nmetrics; m++) {
            if (ep->metrics[m].kind != MK_TEXT)
                return ep->metrics[m].name;
        }
        return "x";
    case OPT_MONTH:
        return "2025-01";
    case OPT_COMPARE:
        return "previous";
    case OPT_PROFILE:
        return "ci";
    case OPT_COLOR:
        return "never";
    case OPT_TZ:
        return "Europe/Berlin";
    case OPT_JOBS:
        return "2";
    case OPT_AMOUNT:
        return "100";
    case OPT_WARN_AT:
        return "90";
    default:
        return "value";
    }
}

static int parse(const struct command *c, const struct opt_desc *o,
                 struct config *cfg, struct ou_err *err)
{
    char opt[64];
    char *argv[8];
    int argc = 0;

    snprintf(opt, sizeof(opt), "--%s", o->name);
    argv[argc++] = (char *)"oaiusage";
    argv[argc++] = (char *)command_name(c);
    argv[argc++] = opt;
    if (o->arg != NULL)
        argv[argc++] = (char *)sample(o, c);
    if (o->id == OPT_CSV_SAFE) { /* it needs the format it applies to */
        argv[argc++] = (char *)"--format";
        argv[argc++] = (char *)"csv";
    }
    argv[argc] = NULL;
    config_init(cfg);
    err->cat = OU_OK;
    err->msg[0] = '\0';
    return cli_parse(argc, argv, NOW, cfg, err);
}

/* The help of c, as text. */
static char *help_of(const struct command *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    if (f == NULL)
        return NULL;
    if (c != NULL)
        cli_command_usage(f, c);
    else
        cli_usage(f);
    fclose(f);
    return text;
}

/* Does the help list option name on an option line ("  --name",
 * "  -x, --name")? */
static bool help_lists(const char *help, const char *name)
{
    char want[80];
    snprintf(want, sizeof(want), "--%s", name);
    for (const char *line = help; line != NULL && *line;) {
        const char *nl = strchr(line, '\n');
        size_t n = nl != NULL ? (size_t)(nl - line) : strlen(line);
        if (n > 2 && line[0] == ' ' && line[1] == ' ' && line[2] == '-') {
            const char *flag = strstr(line, "--");
            size_t k = strlen(want);
            if (flag != NULL && flag < line + n &&
                strncmp(flag, want, k) == 0 &&
                (flag[k] == ' ' || flag[k] == '\n'))
                return true;
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
    return false;
}

/* Every option line of the help names an option the command takes. */
static void help_lines_are_taken(const struct command *c, const char *help)
{
    for (const char *line = help; line != NULL && *line;) {
        const char *nl = strchr(line, '\n');
        if (line[0] == ' ' && line[1] == ' ' && line[2] == '-') {
            const char *flag = strstr(line, "--");
            char name[64] = "";
            if (flag != NULL && (nl == NULL || flag < nl))
                sscanf(flag + 2, "%63[a-z-]", name);
            const struct opt_desc *o = NULL;
            for (int i = 0; opt_at(i) != NULL && o == NULL; i++) {
                if (strcmp(opt_at(i)->name, name) == 0)
                    o = opt_at(i);
            }
            if (o == NULL || !opt_takes(o, c)) {
                CHECK(!"the help lists an option the command does not take");
                fprintf(stderr, "  %s: --%s\n", command_name(c), name);
            }
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
}

static void walk(const struct command *c, FILE *devnull)
{
    char *help = help_of(c);

    CHECK(help != NULL);
    if (help == NULL)
        return;
    help_lines_are_taken(c, help);
    for (int i = 0; opt_at(i) != NULL; i++) {
        const struct opt_desc *o = opt_at(i);
        bool takes = opt_takes(o, c);
        struct config cfg;
        struct ou_err err;
        if (help_lists(help, o->name) != takes) {
            CHECK(!"help and the table disagree");
            fprintf(stderr, "  %s --%s: takes %d\n", command_name(c), o->name,
                    takes);
        }
        fflush(stdout);
        int saved = dup(STDOUT_FILENO);
        dup2(fileno(devnull), STDOUT_FILENO); /* --help, --version */
        int rc = parse(c, o, &cfg, &err);
        fflush(stdout);
        dup2(saved, STDOUT_FILENO);
        close(saved);
        bool refused = rc == OU_E_USAGE &&
                       (strstr(err.msg, "does not take") != NULL ||
                        strstr(err.msg, " filter (its filters:") != NULL ||
                        strstr(err.msg, "writes one HTML file") != NULL);
        if (refused == takes || (!takes && rc != OU_E_USAGE) ||
            (takes && rc != CLI_OK && rc != CLI_DONE)) {
            CHECK(!"an option is accepted or refused against the table");
            fprintf(stderr, "  %s --%s: takes %d, rc %d: %s\n", command_name(c),
                    o->name, takes, rc, err.msg);
        } else {
            CHECK(true);
        }
        if (!takes && refused && strstr(err.msg, command_name(c)) == NULL)
            CHECK(!"a refusal names the command");
        config_release(&cfg);
    }
    free(help);
}

/* A config file of one profile, "ci", in a directory of its own: the
 * user's own file never takes part. */
static void own_config(void)
{
    static char dir[] = "/tmp/oaiusage-options-XXXXXX";
    char path[sizeof(dir) + 32];

    if (mkdtemp(dir) == NULL)
        return;
    setenv("XDG_CONFIG_HOME", dir, 1);
    snprintf(path, sizeof(path), "%s/oaiusage", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/oaiusage/config", dir);
    FILE *f = fopen(path, "w");
    if (f != NULL) {
        fputs("[profile ci]\norg = ci\n", f);
        fclose(f);
        chmod(path, 0600);
    }
}

int main(void)
{
    own_config();
    FILE *devnull = fopen("/dev/null", "w");
    char *general = help_of(NULL);
    int ncommands = 0;

    CHECK(devnull != NULL && general != NULL);
    for (int i = 0; command_at(i) != NULL; i++) {
        const struct command *c = command_at(i);
        char line[64];
        snprintf(line, sizeof(line), "\n  %s ", command_name(c));
        CHECK(strstr(general, line) != NULL); /* --help lists it */
        CHECK(command_find(command_name(c)) == c);
        walk(c, devnull);
        ncommands++;
    }
    CHECK(ncommands == 20);
    /* Aliases. */
    CHECK(command_find("audio_speeches") == command_find("audio-speeches"));
    CHECK(command_find("api_keys") == command_find("api-keys"));
    CHECK(command_find("bogus") == NULL);
    free(general);
    fclose(devnull);
    TEST_END();
}
