/* The generated man page and completions against the tables, walked here
 * independently of gen.c: every command and every option (with its
 * argument and its help text) is on the page, every format and exit code
 * too; and the completions offer exactly what the tables say, for
 * concrete cases. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oaiusage/cli.h"
#include "oaiusage/gen.h"
#include "test.h"

/* A generator's text, whole. */
static char *text_of(int (*gen)(FILE *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL)
        return NULL;
    if (gen(f) != 0) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    return buf;
}

static int man(FILE *f)
{
    return gen_man(f, "9.8.7", "2026-01-02");
}

/* s the way roff text writes it: '-' as "\-", each run of spaces and
 * newlines as one space. */
static void roffed(const char *s, char *out, size_t size)
{
    size_t n = 0;

    for (; *s != '\0' && n + 3 < size; s++) {
        if (*s == '-') {
            out[n++] = '\\';
            out[n++] = '-';
        } else if (*s == ' ' || *s == '\n') {
            if (n > 0 && out[n - 1] != ' ')
                out[n++] = ' ';
        } else {
            out[n++] = *s;
        }
    }
    out[n] = '\0';
}

static int contains(const char *page, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int contains(const char *page, const char *fmt, ...)
{
    char want[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(want, sizeof(want), fmt, ap);
    va_end(ap);
    if (strstr(page, want) != NULL)
        return 1;
    fprintf(stderr, "  the page lacks: %s\n", want);
    return 0;
}

static void check_options(const char *page)
{
    int n = 0;

    for (int i = 0; opt_at(i) != NULL; i++) {
        const struct opt_desc *o = opt_at(i);
        char name[128], arg[128], help[1024];
        roffed(o->name, name, sizeof(name));
        roffed(o->arg != NULL ? o->arg : "", arg, sizeof(arg));
        roffed(o->help, help, sizeof(help));
        if (o->arg != NULL)
            CHECK(contains(page, "\\fB\\-\\-%s\\fR \\fI%s\\fR", name, arg));
        else
            CHECK(contains(page, "\\fB\\-\\-%s\\fR\n%s", name, ""));
        CHECK(contains(page, "%s%s", help, ""));
        if (o->short_name != 0) {
            char s[2] = { o->short_name, '\0' };
            CHECK(contains(page, "\\fB\\-%s\\fR, \\fB\\-\\-%s", s, name));
        }
        n++;
    }
    CHECK(n >= 50);
    /* Every value of a choice option. */
    for (int i = 0; opt_at(i) != NULL; i++) {
        const struct opt_desc *o = opt_at(i);
        for (int k = 0; o->store == ST_CHOICE && o->choices[k]; k++)
            CHECK(contains(page, "\\fB%s\\fR%s", o->choices[k], ""));
    }
}

static void check_commands(const char *page)
{
    for (int i = 0; command_at(i) != NULL; i++) {
        const struct command *c = command_at(i);
        const struct endpoint *ep = command_endpoint(c);
        char name[128];
        roffed(command_name(c), name, sizeof(name));
        CHECK(contains(page, ".TP\n\\fB%s\\fR %s", name, ""));
        for (int g = 0; ep != NULL && g < ep->ngroups; g++)
            CHECK(contains(page, "\\fB%s\\fR%s", ep->groups[g].name, ""));
        if (ep != NULL)
            CHECK(contains(page, "API: GET /v1%s%s", ep->path, ""));
    }
    CHECK(contains(page, ".TP\n\\fBhelp\\fR%s%s", "", ""));
}

static void check_prose(const char *page)
{
    static const char *const sections[] = {
        ".SH NAME\n",
        ".SH SYNOPSIS\n",
        ".SH DESCRIPTION\n",
        ".SH COMMANDS\n",
        ".SH OPTIONS\n",
        ".SH FORMATS\n",
        ".SH \"EXIT STATUS\"\n",
        ".SH ENVIRONMENT\n",
        ".SH FILES\n",
        ".SH EXAMPLES\n",
    };
    static const char *const env[] = {
        "OPENAI_ADMIN_KEY", "OAIUSAGE_BASE_URL", "NO_COLOR",
        "XDG_CACHE_HOME",   "XDG_CONFIG_HOME",   "OAIUSAGE_PROFILE",
    };
    static const int codes[] = { OU_EXIT_OK,         OU_EXIT_API,
                                 OU_EXIT_USAGE,      OU_EXIT_AUTH,
                                 OU_EXIT_DATA,       OU_EXIT_IO,
                                 OU_EXIT_NOMEM,      OU_EXIT_BUSY,
                                 OU_EXIT_UNCOVERED,  OU_EXIT_BUDGET_WARN,
                                 OU_EXIT_BUDGET_OVER };

    CHECK(strncmp(page, ".\\\"", 3) == 0);
    CHECK(contains(page, ".TH OAIUSAGE 1 \"2026-01-02\" \"oaiusage %s\"%s",
                   "9.8.7", ""));
    for (size_t i = 0; i < sizeof(sections) / sizeof(*sections); i++)
        CHECK(contains(page, "%s%s", sections[i], ""));
    for (size_t i = 0; i < sizeof(env) / sizeof(*env); i++)
        CHECK(contains(page, ".B %s\n%s", env[i], ""));
    for (size_t i = 0; i < sizeof(codes) / sizeof(*codes); i++) {
        char code[16];
        snprintf(code, sizeof(code), "%d", codes[i]);
        CHECK(contains(page, ".TP\n.B %s\n%s", code, ""));
    }
    CHECK(contains(page, ".I $XDG_CONFIG_HOME/oaiusage/config\n%s%s", "", ""));
    CHECK(contains(page, "\\fB[profile\\fR \\fINAME\\fR\\fB]\\fR%s%s", "", ""));
    /* No line is a request by accident, no raw '-' in option names. */
    CHECK(strstr(page, "\n'") == NULL);
    CHECK(strstr(page, "\\fB--") == NULL);
}

static void check_values(void)
{
    char buf[1024];
    const struct command *costs = command_find("costs");
    const struct command *images = command_find("images");
    const struct command *web = command_find("web-search-calls");
    const struct command *report = command_find("report");

    CHECK(gen_option_values(opt_get(OPT_GROUP_BY), costs, buf, sizeof(buf)) ==
          GV_LIST);
    CHECK_STR(buf, "project_id user_id line_item api_key_id api_source model "
                   "component");
    CHECK(gen_option_values(opt_get(OPT_BUCKET), costs, buf, sizeof(buf)) ==
          GV_WORDS);
    CHECK_STR(buf, "1d");
    CHECK(gen_option_values(opt_get(OPT_BUCKET), images, buf, sizeof(buf)) ==
          GV_WORDS);
    CHECK_STR(buf, "1m 1h 1d");
    CHECK(gen_option_values(opt_get(OPT_SOURCE), images, buf, sizeof(buf)) ==
          GV_LIST);
    CHECK_STR(buf, "image.generation image.edit image.variation");
    CHECK(gen_option_values(opt_get(OPT_SIZE), images, buf, sizeof(buf)) ==
          GV_LIST);
    CHECK(strncmp(buf, "1024x1024 1536x1024 ", 20) == 0);
    CHECK(gen_option_values(opt_get(OPT_CONTEXT_LEVEL), web, buf,
                            sizeof(buf)) == GV_LIST);
    CHECK_STR(buf, "low medium high");
    CHECK(gen_option_values(opt_get(OPT_FORMAT), costs, buf, sizeof(buf)) ==
          GV_WORDS);
    CHECK_STR(buf, "table csv json ndjson svg openmetrics xlsx");
    /* several profiles where one report can span organizations */
    CHECK(gen_option_values(opt_get(OPT_PROFILE), costs, buf, sizeof(buf)) ==
          GV_PROFILES);
    CHECK(gen_option_values(opt_get(OPT_PROFILE), NULL, buf, sizeof(buf)) ==
          GV_PROFILES);
    CHECK(gen_option_values(opt_get(OPT_PROFILE), report, buf, sizeof(buf)) ==
          GV_PROFILE);
    CHECK(gen_option_values(opt_get(OPT_TZ), images, buf, sizeof(buf)) ==
          GV_ZONE);
    CHECK(gen_option_values(opt_get(OPT_SORT), costs, buf, sizeof(buf)) ==
          GV_WORDS);
    CHECK_STR(buf, "amount quantity");
    CHECK(gen_option_values(opt_get(OPT_OUTPUT), report, buf, sizeof(buf)) ==
          GV_FILE);
    CHECK(gen_option_values(opt_get(OPT_ENDPOINT), NULL, buf, sizeof(buf)) ==
          GV_COMMAND);
    CHECK(strstr(buf, "completions") == buf && strstr(buf, " costs") != NULL);
    CHECK(gen_option_values(opt_get(OPT_DAYS), costs, buf, sizeof(buf)) ==
          GV_NONE);
    CHECK(gen_option_values(opt_get(OPT_RECORDS), costs, buf, sizeof(buf)) ==
          GV_NONE);
}

/* The bash completion names every command, and each command's option
 * list is exactly the options it takes. */
static void check_bash(const char *sh)
{
    CHECK(contains(sh, "complete -F _oaiusage oaiusage%s%s", "", ""));
    for (int i = 0; command_at(i) != NULL; i++) {
        const struct command *c = command_at(i);
        char head[128];
        const char *line;
        snprintf(head, sizeof(head), "\n    %s) echo \"", command_name(c));
        line = strstr(sh, head);
        CHECK(line != NULL);
        if (line == NULL)
            continue;
        line += strlen(head);
        for (int k = 0; opt_at(k) != NULL; k++) {
            const struct opt_desc *o = opt_at(k);
            char word[96];
            const char *end = strchr(line, '"');
            const char *hit;
            snprintf(word, sizeof(word), "--%s", o->name);
            hit = strstr(line, word);
            while (hit != NULL && hit < end && hit[strlen(word)] != ' ' &&
                   hit[strlen(word)] != '"')
                hit = strstr(hit + 1, word);
            CHECK((hit != NULL && hit < end) == opt_takes(o, c));
        }
    }
}

int main(void)
{
    char *page = text_of(man);
    char *bash = text_of(gen_bash);
    char *zsh = text_of(gen_zsh);
    char *fish = text_of(gen_fish);

    CHECK(page != NULL && bash != NULL && zsh != NULL && fish != NULL);
    if (page != NULL) {
        check_options(page);
        check_commands(page);
        check_prose(page);
    }
    check_values();
    if (bash != NULL)
        check_bash(bash);
    free(page);
    free(bash);
    free(zsh);
    free(fish);
    TEST_END();
}
