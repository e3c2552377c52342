/* gen.c - the man page and the shell completions, made from the tables
 * (see gen.h). The structure (commands, options, their arguments, values,
 * group fields, formats) comes from the tables; the prose is here. */
#include "oaiusage/gen.h"

#include <string.h>

#include "oaiusage/cli.h"
#include "oaiusage/report.h"

#define VALUES_MAX 1024

/* ---- values an option's argument takes ----------------------------------- */

/* Append word to a space-separated list in buf. */
static void add_word(char *buf, size_t size, const char *word, size_t len)
{
    size_t n = strlen(buf);

    if (n + len + 2 > size)
        return;
    if (n > 0)
        buf[n++] = ' ';
    memcpy(buf + n, word, len);
    buf[n + len] = '\0';
}

/* The WIDTHxHEIGHT words of a help text (--size: open text, with the
 * common sizes named in its help). */
static void size_words(const char *help, char *buf, size_t size)
{
    const char *p = help;

    while (*p != '\0') {
        size_t d1 = strspn(p, "0123456789");
        size_t d2 = d1 > 0 && p[d1] == 'x' ? strspn(p + d1 + 1, "0123456789")
                                           : 0;
        if (d2 > 0 && (p == help || strchr(" (,", p[-1]) != NULL)) {
            add_word(buf, size, p, d1 + 1 + d2);
            p += d1 + 1 + d2;
        } else {
            p += d1 > 0 ? d1 : 1;
        }
    }
}

/* The choices of a choice option, those c can use (formats it writes,
 * bucket widths its endpoint has). */
static void choice_words(const struct opt_desc *o, const struct command *c,
                         char *buf, size_t size)
{
    const struct endpoint *ep = c != NULL ? command_endpoint(c) : NULL;

    for (int k = 0; o->choices[k] != NULL; k++) {
        enum bucket_width w;
        if (c != NULL && o->id == OPT_FORMAT &&
            (c->formats & (1u << o->choice_values[k])) == 0)
            continue;
        if (ep != NULL && o->id == OPT_BUCKET &&
            bucket_width_parse(o->choices[k], &w) && !ep->widths[w])
            continue;
        add_word(buf, size, o->choices[k], strlen(o->choices[k]));
    }
}

/* The metrics --sort takes for c's endpoint. */
static void sort_words(const struct endpoint *ep, char *buf, size_t size)
{
    int tin, tout;

    for (int m = 0; m < ep->nmetrics; m++) {
        if (ep->metrics[m].kind != MK_TEXT)
            add_word(buf, size, ep->metrics[m].name,
                     strlen(ep->metrics[m].name));
    }
    if (report_token_split(ep, &tin, &tout))
        add_word(buf, size, "total_tokens", strlen("total_tokens"));
}

static enum gen_values filter_values(const struct opt_desc *o,
                                     const struct command *c, char *buf,
                                     size_t size)
{
    const struct filter_desc *f = c != NULL ? opt_filter(o, c) : NULL;

    if (f == NULL)
        return GV_NONE;
    for (int k = 0; f->allowed != NULL && f->allowed[k] != NULL; k++)
        add_word(buf, size, f->allowed[k], strlen(f->allowed[k]));
    if (f->allowed == NULL && strcmp(o->name, "size") == 0)
        size_words(o->help, buf, size);
    return buf[0] != '\0' ? GV_LIST : GV_NONE;
}

enum gen_values gen_option_values(const struct opt_desc *o,
                                  const struct command *c, char *buf,
                                  size_t size)
{
    const struct endpoint *ep = c != NULL ? command_endpoint(c) : NULL;

    buf[0] = '\0';
    if (o->arg == NULL)
        return GV_NONE;
    /* Several profiles (one report over those organizations) where the
     * command takes --all-profiles, as the option table says. */
    if (o->id == OPT_PROFILE)
        return c == NULL || opt_takes(opt_get(OPT_ALL_PROFILES), c)
                   ? GV_PROFILES
                   : GV_PROFILE;
    if (o->id == OPT_TZ)
        return GV_ZONE;
    if (o->store == ST_CHOICE) {
        choice_words(o, c, buf, size);
        return GV_WORDS;
    }
    if (o->store == ST_FILTER)
        return filter_values(o, c, buf, size);
    if (o->id == OPT_GROUP_BY && ep != NULL) {
        for (int g = 0; g < ep->ngroups; g++)
            add_word(buf, size, ep->groups[g].name, strlen(ep->groups[g].name));
        return GV_LIST;
    }
    if (o->id == OPT_SORT && ep != NULL) {
        sort_words(ep, buf, size);
        return GV_WORDS;
    }
    if (o->id == OPT_ENDPOINT) {
        for (int i = 0; endpoint_at(i) != NULL; i++)
            add_word(buf, size, endpoint_at(i)->command,
                     strlen(endpoint_at(i)->command));
        return GV_COMMAND;
    }
    if (strcmp(o->arg, "FILE") == 0 || o->id == OPT_DB)
        return GV_FILE;
    return GV_NONE;
}

/* ---- roff ------------------------------------------------------------------ */

/* One UTF-8 character at p as \[uXXXX]; returns its length. */
static size_t roff_utf8(FILE *out, const unsigned char *p)
{
    unsigned cp;
    size_t n;

    if (p[0] >= 0xF0) {
        cp = p[0] & 0x07u;
        n = 4;
    } else if (p[0] >= 0xE0) {
        cp = p[0] & 0x0Fu;
        n = 3;
    } else {
        cp = p[0] & 0x1Fu;
        n = 2;
    }
    for (size_t k = 1; k < n; k++) {
        if ((p[k] & 0xC0u) != 0x80u)
            return 1; /* not UTF-8: drop the byte */
        cp = (cp << 6) | (p[k] & 0x3Fu);
    }
    fprintf(out, "\\[u%04X]", cp);
    return n;
}

/* Text for roff: '-' as \-, '\' as \e, other than ASCII as \[uXXXX], each
 * run of spaces and newlines as one space. */
static void roff(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p != '\0') {
        if (*p == ' ' || *p == '\n') {
            p += strspn((const char *)p, " \n");
            if (*p != '\0')
                fputc(' ', out);
        } else if (*p == '-' || *p == '\\') {
            fputs(*p == '-' ? "\\-" : "\\e", out);
            p++;
        } else if (*p >= 0x80) {
            p += roff_utf8(out, p);
        } else {
            fputc(*p++, out);
        }
    }
}

/* A line of text: a leading '.' or '\'' is guarded, so it is no request. */
static void roff_line(FILE *out, const char *s)
{
    if (s[0] == '.' || s[0] == '\'')
        fputs("\\&", out);
    roff(out, s);
    fputc('\n', out);
}

static void roff_bold(FILE *out, const char *s)
{
    fputs("\\fB", out);
    roff(out, s);
    fputs("\\fR", out);
}

/* "\fB\-o\fR, \fB\-\-output\fR \fIFILE\fR" */
static void man_flags(FILE *out, const struct opt_desc *o)
{
    if (o->short_name != 0)
        fprintf(out, "\\fB\\-%c\\fR, ", o->short_name);
    fputs("\\fB\\-\\-", out);
    roff(out, o->name);
    fputs("\\fR", out);
    if (o->arg != NULL) {
        fputs(" \\fI", out);
        roff(out, o->arg);
        fputs("\\fR", out);
    }
}

/* A list of words as "a, b, c" (words space-separated). */
static void roff_words(FILE *out, const char *words)
{
    char buf[VALUES_MAX];
    char *save = NULL;

    snprintf(buf, sizeof(buf), "%s", words);
    for (char *w = strtok_r(buf, " ", &save); w != NULL;
         w = strtok_r(NULL, " ", &save)) {
        if (w != buf)
            fputs(", ", out);
        roff_bold(out, w);
    }
}

/* ---- the man page: commands ------------------------------------------------ */

static const char man_description[] =
    "reads an OpenAI organization's usage and billed costs from the "
    "Administration API and turns them into answers: grouped tables in the "
    "terminal, CSV for spreadsheets, JSON and NDJSON for other programs, "
    "OpenMetrics for Prometheus, SVG charts, XLSX workbooks and an HTML "
    "report, and exit codes a cron job can trust. Token counts are exact "
    "integers, money is summed in exact decimal arithmetic and printed with "
    "every digit the API gave, and a run that fails prints nothing: no "
    "partial report is ever passed off as complete.";

static const char man_description2[] =
    "Only an Admin key can read usage and costs; it comes from "
    "OPENAI_ADMIN_KEY or from a file (--admin-key-file), never from an "
    "option, so it does not show in ps(1) or the shell's history. All times "
    "are UTC. With no arguments, oaiusage prints its commands; a mistyped "
    "command, option, group field or value gets a \"did you mean\". "
    "Underscore spellings of commands (audio_speeches) work too.";

static void man_usage_details(FILE *out, const struct command *c)
{
    const struct endpoint *ep = command_endpoint(c);
    char buf[VALUES_MAX];

    fputs(".IP\nAPI: GET /v1", out);
    roff(out, ep->path);
    fputs("\n.br\nGroup fields (\\fB\\-\\-group\\-by\\fR): ", out);
    (void)gen_option_values(opt_get(OPT_GROUP_BY), c, buf, sizeof(buf));
    roff_words(out, buf);
    fputs("\n.br\nFilters:", out);
    for (int i = 0; opt_at(i) != NULL; i++) {
        const struct opt_desc *o = opt_at(i);
        if (o->section == SEC_FILTER && opt_takes(o, c)) {
            fputs(" \\fB\\-\\-", out);
            roff(out, o->name);
            fputs("\\fR", out);
        }
    }
    fputs("\n.br\nColumns (CSV, JSON): ", out);
    for (int m = 0; m < ep->nmetrics; m++) {
        fputs(m > 0 ? ", " : "", out);
        roff(out, ep->metrics[m].name);
    }
    fputc('\n', out);
}

static void man_formats_of(FILE *out, const struct command *c)
{
    const struct opt_desc *f = opt_get(OPT_FORMAT);
    char buf[VALUES_MAX];

    if (!opt_takes(f, c)) {
        fputs(".br\nWrites one HTML file (\\fB\\-o\\fR \\fIFILE\\fR).\n", out);
        return;
    }
    (void)gen_option_values(f, c, buf, sizeof(buf));
    fputs(".br\nFormats (\\fB\\-\\-format\\fR): ", out);
    roff_words(out, buf);
    fputc('\n', out);
}

/* A command's help text: lines filled as one paragraph, except blank
 * lines (a new paragraph) and lines indented by two spaces (an example,
 * kept as it is). */
static void man_about(FILE *out, const char *about)
{
    const char *p = about;
    bool ex = false;

    fputs(".IP\n", out);
    while (*p != '\0') {
        size_t len = strcspn(p, "\n");
        char line[256];
        snprintf(line, sizeof(line), "%.*s", (int)len, p);
        p += len + (p[len] == '\n' ? 1 : 0);
        if (strncmp(line, "  ", 2) == 0) {
            fputs(ex ? "" : ".EX\n", out);
            ex = true;
            roff_line(out, line + 2);
            continue;
        }
        fputs(ex ? ".EE\n" : "", out);
        ex = false;
        if (line[0] == '\0')
            fputs(".IP\n", out);
        else
            roff_line(out, line);
    }
    fputs(ex ? ".EE\n" : "", out);
}

/* Text with its first letter capitalised (a summary as a sentence). */
static void roff_sentence(FILE *out, const char *s)
{
    if (s[0] >= 'a' && s[0] <= 'z') {
        fputc(s[0] - 'a' + 'A', out);
        s++;
    }
    roff(out, s);
    fputs(".\n", out);
}

static void man_command(FILE *out, const struct command *c)
{
    const struct endpoint *ep = command_endpoint(c);
    const char *alias = ep != NULL ? ep->alias : c->alias;

    fputs(".TP\n", out);
    roff_bold(out, command_name(c));
    fputc(' ', out);
    roff(out, c->synopsis != NULL ? c->synopsis : "[OPTIONS]");
    fputc('\n', out);
    roff_sentence(out, command_summary(c));
    if (alias != NULL) {
        fputs("Also spelled ", out);
        roff_bold(out, alias);
        fputs(".\n", out);
    }
    if (c->about != NULL)
        man_about(out, c->about);
    if (ep != NULL)
        man_usage_details(out, c);
    else
        fputs(".IP\n", out);
    man_formats_of(out, c);
}

static void man_commands(FILE *out)
{
    int first = -1, last = -1;

    for (int i = 0; command_at(i) != NULL; i++) {
        if (command_at(i)->kind == CK_USAGE) {
            first = first < 0 ? i : first;
            last = i;
        }
    }
    fputs(".SH COMMANDS\nThe usage commands, ", out);
    roff_bold(out, command_name(command_at(first)));
    fputs(" to ", out);
    roff_bold(out, command_name(command_at(last)));
    fputs(", each report one endpoint of the API, costs included.\n", out);
    for (int i = 0; command_at(i) != NULL; i++)
        man_command(out, command_at(i));
    fputs(".TP\n\\fBhelp\\fR \\fICOMMAND\\fR\n"
          "The options of a command, as \\fIcommand\\fR \\fB\\-\\-help\\fR "
          "prints them.\n",
          out);
}

/* ---- the man page: options ------------------------------------------------- */

/* Does every usage command take o? */
static bool takes_all_usage(const struct opt_desc *o)
{
    for (int i = 0; command_at(i) != NULL; i++) {
        if (command_at(i)->kind == CK_USAGE && !opt_takes(o, command_at(i)))
            return false;
    }
    return true;
}

/* "Commands: all." or the commands that take o. */
static void man_taken_by(FILE *out, const struct opt_desc *o)
{
    int n = 0, all = 0;

    for (int i = 0; command_at(i) != NULL; i++) {
        all++;
        n += opt_takes(o, command_at(i)) ? 1 : 0;
    }
    fputs(".br\nCommands: ", out);
    if (n == all) {
        fputs("all.\n", out);
        return;
    }
    bool usage = takes_all_usage(o);
    int k = 0;
    if (usage) {
        fputs("the usage commands", out);
        k++;
    }
    for (int i = 0; command_at(i) != NULL; i++) {
        const struct command *c = command_at(i);
        if (!opt_takes(o, c) || (usage && c->kind == CK_USAGE))
            continue;
        fputs(k++ > 0 ? ", " : "", out);
        roff_bold(out, command_name(c));
    }
    fputs(".\n", out);
}

/* The fixed values of a filter, per command that has them. */
static void man_filter_values(FILE *out, const struct opt_desc *o)
{
    for (int i = 0; command_at(i) != NULL; i++) {
        const struct command *c = command_at(i);
        const struct filter_desc *f = opt_filter(o, c);
        char buf[VALUES_MAX];
        if (f == NULL || f->allowed == NULL)
            continue;
        (void)gen_option_values(o, c, buf, sizeof(buf));
        fputs(".br\nWith ", out);
        roff_bold(out, command_name(c));
        fputs(", one of: ", out);
        roff_words(out, buf);
        fputs(".\n", out);
    }
}

static void man_option(FILE *out, const struct opt_desc *o)
{
    char buf[VALUES_MAX];

    fputs(".TP\n", out);
    man_flags(out, o);
    fputc('\n', out);
    roff_line(out, o->help);
    if (o->store == ST_CHOICE) {
        (void)gen_option_values(o, NULL, buf, sizeof(buf));
        fputs(".br\nValues: ", out);
        roff_words(out, buf);
        fputs(".\n", out);
    }
    if (o->id == OPT_GROUP_BY)
        fputs(".br\nThe fields of each command are listed under "
              "COMMANDS.\n",
              out);
    if (o->store == ST_FILTER)
        man_filter_values(out, o);
    man_taken_by(out, o);
}

static void man_section_title(FILE *out, enum opt_section s)
{
    const char *t = opt_section_title(s);
    const char *paren = strstr(t, " (");
    char head[128];

    snprintf(head, sizeof(head), "%.*s",
             paren != NULL ? (int)(paren - t) : (int)strlen(t), t);
    fputs(".SS ", out);
    roff(out, head);
    fputc('\n', out);
    if (paren != NULL) {
        char rest[1024];
        size_t n = strlen(paren + 2);
        snprintf(rest, sizeof(rest), "%.*s.", (int)(n > 0 ? n - 1 : 0),
                 paren + 2);
        rest[0] = (char)(rest[0] >= 'a' && rest[0] <= 'z' ? rest[0] - 32
                                                          : rest[0]);
        fputs(".PP\n", out);
        roff_line(out, rest);
    }
}

static void man_options(FILE *out)
{
    fputs(".SH OPTIONS\n"
          "Options come before or after the command. Each option lists the "
          "commands that take it; an option a command does not take is a "
          "usage error (exit 2). A value is given as \\fB\\-\\-option\\fR "
          "\\fIvalue\\fR or \\fB\\-\\-option\\fR=\\fIvalue\\fR.\n",
          out);
    for (int s = 0; s < SEC_COUNT; s++) {
        bool titled = false;
        for (int i = 0; opt_at(i) != NULL; i++) {
            const struct opt_desc *o = opt_at(i);
            if ((int)o->section != s)
                continue;
            if (!titled)
                man_section_title(out, (enum opt_section)s);
            titled = true;
            man_option(out, o);
        }
    }
}

/* ---- the man page: formats, exit status, environment, files ---------------- */

static const char *format_prose(const char *name)
{
    static const char *const prose[][2] = {
        { "table", "aligned columns for a terminal, with a TOTAL row "
                   "(the default)" },
        { "csv", "comma-separated values with a header row, byte-exact "
                 "(\\fB\\-\\-csv\\-safe\\fR for spreadsheets)" },
        { "json", "one JSON document: the window, the query and the rows" },
        { "ndjson", "one JSON object per row" },
        { "svg", "a standalone SVG chart of the first metric" },
        { "openmetrics", "Prometheus gauges in the OpenMetrics text format" },
        { "xlsx", "an Excel workbook (needs \\fB\\-o\\fR)" },
    };

    for (size_t i = 0; i < sizeof(prose) / sizeof(prose[0]); i++) {
        if (strcmp(prose[i][0], name) == 0)
            return prose[i][1];
    }
    return "";
}

static void man_formats(FILE *out)
{
    const struct opt_desc *f = opt_get(OPT_FORMAT);

    fputs(".SH FORMATS\n", out);
    for (int k = 0; f->choices[k] != NULL; k++) {
        fputs(".TP\n", out);
        roff_bold(out, f->choices[k]);
        fprintf(out, "\n%s.\n.br\nCommands:", format_prose(f->choices[k]));
        for (int i = 0; command_at(i) != NULL; i++) {
            if (command_at(i)->formats & (1u << f->choice_values[k])) {
                fputc(' ', out);
                roff_bold(out, command_name(command_at(i)));
            }
        }
        fputs(".\n", out);
    }
    fputs(".PP\nThe \\fBreport\\fR command writes one self-contained HTML "
          "file instead.\n",
          out);
}

static void man_exit_status(FILE *out)
{
    static const struct {
        int code;
        const char *text;
    } codes[] = {
        { OU_EXIT_OK, "Success (also when a reader such as head(1) closes "
                      "the pipe early)." },
        { OU_EXIT_API, "API or network failure after the retries: HTTP 429 "
                       "or 5xx, another 4xx, a timeout, a refused or broken "
                       "connection, a truncated transfer, \\-\\-deadline "
                       "reached." },
        { OU_EXIT_USAGE, "Usage error: a bad option or value, a malformed "
                         "date, an unknown group field, an empty window." },
        { OU_EXIT_AUTH, "Authentication or permission: a missing key, HTTP "
                        "401 or 403 (an Admin key is needed; project keys "
                        "cannot read usage)." },
        { OU_EXIT_DATA, "A malformed, unexpected or incomplete response." },
        { OU_EXIT_IO, "A local I/O error: the output file, a full disk, an "
                      "unreadable key file." },
        { OU_EXIT_NOMEM, "Out of memory." },
        { OU_EXIT_BUSY, "The history store is locked by another "
                        "\\fBsync\\fR (after \\-\\-lock\\-timeout)." },
        { OU_EXIT_UNCOVERED, "The history store does not hold what the "
                             "report asks for." },
        { OU_EXIT_BUDGET_WARN, "\\fBbudget\\fR: a budget crossed "
                               "\\-\\-warn\\-at (or, with "
                               "\\-\\-warn\\-on\\-projection, is projected "
                               "to run out); the report was written in "
                               "full." },
        { OU_EXIT_BUDGET_OVER, "\\fBbudget\\fR: a budget is used up; the "
                               "report was written in full." },
    };

    fputs(".SH \"EXIT STATUS\"\n", out);
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
        fprintf(out, ".TP\n.B %d\n%s\n", codes[i].code, codes[i].text);
    fputs(".TP\n.B 130, 143\nInterrupted by SIGINT or SIGTERM.\n"
          ".PP\nA run that fails prints nothing on standard output and "
          "leaves an \\fB\\-o\\fR file as it was.\n",
          out);
}

static const char man_environment[] =
    ".SH ENVIRONMENT\n"
    ".TP\n.B OPENAI_ADMIN_KEY\n"
    "The organization's Admin API key (sk\\-admin\\-...), unless "
    "\\fB\\-\\-admin\\-key\\-file\\fR is given.\n"
    ".TP\n.B OAIUSAGE_BASE_URL\n"
    "The API's base URL, ending in /v1 (default https://api.openai.com/v1); "
    "\\fB\\-\\-base\\-url\\fR wins over it.\n"
    ".TP\n.B OAIUSAGE_PROFILE\n"
    "The profile of the configuration file to use, when "
    "\\fB\\-\\-profile\\fR is not given.\n"
    ".TP\n.B OAIUSAGE_DB\n"
    "The history store of \\fBsync\\fR when \\fB\\-\\-db\\fR is not given.\n"
    ".TP\n.B NO_COLOR\n"
    "When set, \\fB\\-\\-color auto\\fR (the default) does not colour "
    "the table's charts.\n"
    ".TP\n.B XDG_CONFIG_HOME\n"
    "Where the configuration file is (default ~/.config).\n"
    ".TP\n.B XDG_CACHE_HOME\n"
    "Where the names cache is (default ~/.cache).\n"
    ".TP\n.B XDG_DATA_HOME\n"
    "Where the default history store is (default ~/.local/share).\n"
    ".TP\n.BR https_proxy \", \" no_proxy\n"
    "The standard proxy variables, through libcurl (never for plain http).\n";

static const char man_files[] =
    ".SH FILES\n"
    ".TP\n.I $XDG_CONFIG_HOME/oaiusage/config\n"
    "The configuration file (default ~/.config/oaiusage/config), INI: "
    "settings for every run in \\fB[default]\\fR, and those of a profile "
    "in \\fB[profile\\fR \\fINAME\\fR\\fB]\\fR, chosen with "
    "\\fB\\-\\-profile\\fR \\fINAME\\fR or OAIUSAGE_PROFILE. Keys are "
    "long option names; the key itself is never in the file. "
    "\\fBoaiusage config\\fR shows the settings a run would use.\n"
    ".TP\n.I $XDG_CACHE_HOME/oaiusage/\n"
    "The names cache of \\fB\\-\\-names\\fR (default ~/.cache/oaiusage/): "
    "ids and names, one file per base URL and key, kept 24 hours; never the "
    "key.\n"
    ".TP\n.I $XDG_DATA_HOME/oaiusage/usage.db\n"
    "The default history store of \\fBsync\\fR and \\fB\\-\\-db\\fR "
    "(default ~/.local/share/oaiusage/usage.db).\n"
    ".TP\n.I /usr/share/doc/oaiusage/examples/\n"
    "A cron wrapper, a crontab, and a hardened systemd service and timer "
    "for \\fBsync\\fR.\n";

static const char man_examples[] =
    ".SH EXAMPLES\n"
    "Tokens per model over the last 30 days:\n"
    ".PP\n.RS\n.EX\n"
    "oaiusage completions \\-\\-days 30 \\-\\-group\\-by model\n"
    ".EE\n.RE\n.PP\n"
    "Costs per line item of last month, as CSV:\n"
    ".PP\n.RS\n.EX\n"
    "oaiusage costs \\-\\-month last\\-month \\-\\-group\\-by line_item "
    "\\e\n    \\-\\-format csv \\-o costs.csv\n"
    ".EE\n.RE\n.PP\n"
    "Every endpoint's totals, and an HTML report:\n"
    ".PP\n.RS\n.EX\n"
    "oaiusage overview \\-\\-days 7\n"
    "oaiusage report \\-\\-days 30 \\-o report.html\n"
    ".EE\n.RE\n.PP\n"
    "Keep a history store current from cron, then report from it "
    "offline:\n"
    ".PP\n.RS\n.EX\n"
    "oaiusage sync\n"
    "oaiusage costs \\-\\-db ~/.local/share/oaiusage/usage.db \\-\\-days 90 "
    "\\-\\-per month\n"
    ".EE\n.RE\n.PP\n"
    "Alert when this month's spend nears a budget (exit 10 or 11):\n"
    ".PP\n.RS\n.EX\n"
    "oaiusage budget \\-\\-amount 5000 \\-\\-warn\\-at 80\n"
    ".EE\n.RE\n"
    ".SH \"SEE ALSO\"\n"
    ".BR oaiusage\\-mock (1),\n"
    ".BR crontab (5),\n"
    ".BR systemd.timer (5)\n"
    ".PP\nhttps://platform.openai.com/docs/api\\-reference/usage\n";

int gen_man(FILE *out, const char *version, const char *date)
{
    fputs(".\\\" oaiusage(1): generated by oaiusage-gen from the command and "
          "option tables; do not edit.\n",
          out);
    fprintf(out,
            ".TH OAIUSAGE 1 \"%s\" \"oaiusage %s\" \"User Commands\"\n"
            ".nh\n.ad l\n",
            date, version);
    fputs(".SH NAME\noaiusage \\- report an OpenAI organization's usage and "
          "costs\n"
          ".SH SYNOPSIS\n.B oaiusage\n.I COMMAND\n.RI [ OPTIONS ]\n.br\n"
          ".B oaiusage help\n.I COMMAND\n.br\n"
          ".B oaiusage\n.BR \\-\\-help \" | \" \\-\\-version\n"
          ".SH DESCRIPTION\n.B oaiusage\n",
          out);
    roff_line(out, man_description);
    fputs(".PP\n", out);
    roff_line(out, man_description2);
    man_commands(out);
    man_options(out);
    man_formats(out);
    man_exit_status(out);
    fputs(man_environment, out);
    fputs(man_files, out);
    fputs(man_examples, out);
    return ferror(out) ? -1 : 0;
}

int gen_man_mock(FILE *out, const char *version, const char *date)
{
    fputs(".\\\" oaiusage-mock(1): generated by oaiusage-gen; do not edit.\n",
          out);
    fprintf(out,
            ".TH OAIUSAGE\\-MOCK 1 \"%s\" \"oaiusage %s\" \"User Commands\"\n"
            ".nh\n.ad l\n",
            date, version);
    fputs(".SH NAME\noaiusage\\-mock \\- a local OpenAI usage and costs API "
          "server, for testing oaiusage\n"
          ".SH SYNOPSIS\n.B oaiusage\\-mock serve\n.RI [ OPTIONS ]\n.br\n"
          ".B oaiusage\\-mock truth\n.I ENDPOINT\n.RI [ OPTIONS ]\n.br\n"
          ".B oaiusage\\-mock \\-\\-help\n"
          ".SH DESCRIPTION\n"
          ".B oaiusage\\-mock\nis a test tool. \\fBserve\\fR answers the "
          "OpenAI Usage and Costs API (and the project, user and API key "
          "lists) on 127.0.0.1 with a deterministic synthetic organization, "
          "with fault injection and latency for tests and benchmarks; it "
          "prints the URL it listens on and runs until SIGINT or SIGTERM. "
          "\\fBtruth\\fR prints the correct report for a window, computed by "
          "a path that shares nothing with the server's pages. It holds no "
          "real data and is not meant to face a network.\n"
          ".PP\n\\fBoaiusage\\-mock \\-\\-help\\fR lists every option.\n"
          ".SH EXAMPLES\n.EX\n"
          "oaiusage\\-mock serve \\-\\-port 8080 &\n"
          "OPENAI_ADMIN_KEY=sk\\-admin\\-test oaiusage completions "
          "\\e\n    \\-\\-base\\-url http://127.0.0.1:8080/v1 \\-\\-days 7\n"
          ".EE\n"
          ".SH \"SEE ALSO\"\n.BR oaiusage (1)\n",
          out);
    return ferror(out) ? -1 : 0;
}

/* ---- completions: shared -------------------------------------------------- */

/* Every option that takes a value, as "--since|--until|...|-o". */
static void arg_options(FILE *out, const char *sep)
{
    int k = 0;

    for (int i = 0; opt_at(i) != NULL; i++) {
        const struct opt_desc *o = opt_at(i);
        if (o->arg == NULL)
            continue;
        fprintf(out, "%s--%s", k++ > 0 ? sep : "", o->name);
        if (o->short_name != 0)
            fprintf(out, "%s-%c", sep, o->short_name);
    }
}

/* Does every command take o? (Offered before the command too.) */
static bool taken_by_all(const struct opt_desc *o)
{
    for (int i = 0; command_at(i) != NULL; i++) {
        if (!opt_takes(o, command_at(i)))
            return false;
    }
    return true;
}

/* The long options of c (NULL: those every command takes), spaced. */
static void options_of(FILE *out, const struct command *c)
{
    int k = 0;

    for (int i = 0; opt_at(i) != NULL; i++) {
        const struct opt_desc *o = opt_at(i);
        if (c != NULL ? opt_takes(o, c) : taken_by_all(o))
            fprintf(out, "%s--%s", k++ > 0 ? " " : "", o->name);
    }
}

/* A command's other spelling, or NULL. */
static const char *alias_of(const struct command *c)
{
    const struct endpoint *ep = command_endpoint(c);
    return ep != NULL ? ep->alias : c->alias;
}

/* ---- completions: bash ---------------------------------------------------- */

static const char bash_head[] =
    "# bash completion for oaiusage                            "
    "-*- shell-script -*-\n"
    "# Generated by oaiusage-gen from the command and option tables; do "
    "not edit.\n"
    "\n"
    "# The [profile NAME] sections of the config file.\n"
    "_oaiusage_profiles()\n"
    "{\n"
    "    local f=${XDG_CONFIG_HOME:-$HOME/.config}/oaiusage/config line\n"
    "    local re='^[[:space:]]*\\[[[:space:]]*profile[[:space:]]+"
    "([^]]*[^][:space:]])[[:space:]]*\\]'\n"
    "    [[ -r $f ]] || return 0\n"
    "    while IFS= read -r line || [[ -n $line ]]; do\n"
    "        [[ $line =~ $re ]] && printf '%s\\n' \"${BASH_REMATCH[1]}\"\n"
    "    done <\"$f\"\n"
    "}\n"
    "\n"
    "# The time zones of the system's tzdata ($TZDIR first, as the C library).\n"
    "_oaiusage_zones()\n"
    "{\n"
    "    local d=${TZDIR:-/usr/share/zoneinfo}\n"
    "    [[ -d $d ]] || return 0\n"
    "    (cd \"$d\" && find -L . -type f ! -path './posix/*' "
    "! -path './right/*' 2>/dev/null) |\n"
    "        sed -n 's|^\\./\\([A-Z].*\\)|\\1|p'\n"
    "}\n"
    "\n"
    "# Complete the last item of a comma-separated list of the words $1.\n"
    "_oaiusage_list()\n"
    "{\n"
    "    local prefix= last=$cur w\n"
    "    if [[ $cur == *,* ]]; then\n"
    "        prefix=${cur%,*},\n"
    "        last=${cur##*,}\n"
    "    fi\n"
    "    COMPREPLY=()\n"
    "    for w in $1; do\n"
    "        [[ $w == \"$last\"* && ,$prefix != *,\"$w\",* ]] &&\n"
    "            COMPREPLY+=(\"$prefix$w\")\n"
    "    done\n"
    "}\n"
    "\n"
    "_oaiusage_words()\n"
    "{\n"
    "    mapfile -t COMPREPLY < <(compgen -W \"$1\" -- \"$cur\")\n"
    "}\n"
    "\n"
    "_oaiusage_files()\n"
    "{\n"
    "    if declare -F _filedir >/dev/null; then\n"
    "        _filedir\n"
    "    else\n"
    "        mapfile -t COMPREPLY < <(compgen -f -- \"$cur\")\n"
    "    fi\n"
    "}\n"
    "\n";

/* One value completion, as bash. */
static void bash_value(FILE *out, enum gen_values kind, const char *words)
{
    switch (kind) {
    case GV_WORDS:
        fprintf(out, "_oaiusage_words \"%s\"", words);
        break;
    case GV_LIST:
    case GV_COMMAND:
        fprintf(out, "_oaiusage_list \"%s\"", words);
        break;
    case GV_FILE:
        fputs("_oaiusage_files", out);
        break;
    case GV_PROFILE:
        fputs("_oaiusage_words \"$(_oaiusage_profiles)\"", out);
        break;
    case GV_PROFILES:
        fputs("_oaiusage_list \"$(_oaiusage_profiles)\"", out);
        break;
    case GV_ZONE:
        fputs("_oaiusage_words \"$(_oaiusage_zones)\"", out);
        break;
    case GV_NONE:
        fputs("COMPREPLY=()", out);
        break;
    }
}

/* "--name | -n" of a case pattern, indented by `indent` spaces. */
static void bash_case_label(FILE *out, int indent, const struct opt_desc *o)
{
    fprintf(out, "%*s--%s", indent, "", o->name);
    if (o->short_name != 0)
        fprintf(out, " | -%c", o->short_name);
}

/* The values of c's options that differ from before any command. */
static void bash_command_values(FILE *out, const struct command *c)
{
    bool opened = false;

    for (int i = 0; opt_at(i) != NULL; i++) {
        const struct opt_desc *o = opt_at(i);
        char mine[VALUES_MAX], any[VALUES_MAX];
        enum gen_values k;
        if (!opt_takes(o, c))
            continue;
        k = gen_option_values(o, c, mine, sizeof(mine));
        if (k == GV_NONE ||
            (k == gen_option_values(o, NULL, any, sizeof(any)) &&
             strcmp(mine, any) == 0))
            continue;
        if (!opened)
            fprintf(out, "    %s)\n        case $2 in\n", command_name(c));
        opened = true;
        bash_case_label(out, 8, o);
        fputs(")\n            ", out);
        bash_value(out, k, mine);
        fputs("\n            return\n            ;;\n", out);
    }
    if (opened)
        fputs("        esac\n        ;;\n", out);
}

static void bash_values(FILE *out)
{
    fputs("# The value of option $2 of command $1 (empty: none yet).\n"
          "_oaiusage_value()\n{\n    case $1 in\n",
          out);
    for (int i = 0; command_at(i) != NULL; i++)
        bash_command_values(out, command_at(i));
    fputs("    esac\n    case $2 in\n", out);
    for (int i = 0; opt_at(i) != NULL; i++) {
        const struct opt_desc *o = opt_at(i);
        char any[VALUES_MAX];
        enum gen_values k = gen_option_values(o, NULL, any, sizeof(any));
        if (k == GV_NONE)
            continue;
        bash_case_label(out, 4, o);
        fputs(")\n        ", out);
        bash_value(out, k, any);
        fputs("\n        ;;\n", out);
    }
    fputs("    *)\n        COMPREPLY=()\n        ;;\n    esac\n}\n\n", out);
}

static void bash_commands(FILE *out)
{
    fputs("# The command a word names (aliases too), or nothing.\n"
          "_oaiusage_command()\n{\n    case $1 in\n",
          out);
    for (int i = 0; command_at(i) != NULL; i++) {
        const struct command *c = command_at(i);
        fprintf(out, "    %s", command_name(c));
        if (alias_of(c) != NULL)
            fprintf(out, " | %s", alias_of(c));
        fprintf(out, ") echo %s ;;\n", command_name(c));
    }
    fputs("    esac\n}\n\n"
          "# The options of command $1 (empty: before any command).\n"
          "_oaiusage_options()\n{\n    case $1 in\n    \"\") echo \"",
          out);
    options_of(out, NULL);
    fputs(" -h -V\" ;;\n", out);
    for (int i = 0; command_at(i) != NULL; i++) {
        fprintf(out, "    %s) echo \"", command_name(command_at(i)));
        options_of(out, command_at(i));
        fputs("\" ;;\n", out);
    }
    fputs("    esac\n}\n\n", out);
}

static const char bash_main_tail[] =
    "        help) [[ -z $cmd ]] && help=1 ;;\n"
    "        *)\n"
    "            cmd=$(_oaiusage_command \"${words[i]}\")\n"
    "            [[ -n $cmd ]] || cmd=-\n"
    "            break\n"
    "            ;;\n"
    "        esac\n"
    "    done\n"
    "    [[ $cmd == - ]] && return\n"
    "    if ((cword > 1)) && _oaiusage_takes_value \"$prev\"; then\n"
    "        _oaiusage_value \"$cmd\" \"$prev\"\n"
    "        return\n"
    "    fi\n"
    "    if [[ $cur == -* ]]; then\n"
    "        _oaiusage_words \"$(_oaiusage_options \"$cmd\")\"\n"
    "    elif [[ -z $cmd && -n $help ]]; then\n"
    "        _oaiusage_words \"$commands\"\n"
    "    elif [[ -z $cmd ]]; then\n"
    "        _oaiusage_words \"$commands help\"\n"
    "    fi\n"
    "} &&\n"
    "    complete -F _oaiusage oaiusage\n"
    "\n"
    "# ex: filetype=sh\n";

static void bash_main(FILE *out)
{
    fputs("# Does option $1 take a value (as the next word)?\n"
          "_oaiusage_takes_value()\n{\n    case $1 in\n    ",
          out);
    arg_options(out, " | ");
    fputs(") return 0 ;;\n    esac\n    return 1\n}\n\n", out);
    fputs("_oaiusage()\n{\n"
          "    local cur prev words cword split\n"
          "    if declare -F _init_completion >/dev/null; then\n"
          "        _init_completion -s || return\n"
          "    else\n"
          "        COMPREPLY=()\n"
          "        cur=${COMP_WORDS[COMP_CWORD]}\n"
          "        prev=${COMP_WORDS[COMP_CWORD - 1]}\n"
          "        words=(\"${COMP_WORDS[@]}\")\n"
          "        cword=$COMP_CWORD\n"
          "        # --option=value: readline splits at the '='\n"
          "        [[ $prev == = ]] && ((cword > 2)) &&\n"
          "            prev=${COMP_WORDS[COMP_CWORD - 2]}\n"
          "    fi\n"
          "    local commands='",
          out);
    for (int i = 0; command_at(i) != NULL; i++)
        fprintf(out, "%s%s", i > 0 ? "\n" : "", command_name(command_at(i)));
    fputs("'\n    local i cmd= help=\n"
          "    # The command: the first word that is no option and no "
          "option's value.\n"
          "    for ((i = 1; i < cword; i++)); do\n"
          "        case ${words[i]} in\n"
          "        --*=*) ;;\n"
          "        -*)\n"
          "            if _oaiusage_takes_value \"${words[i]}\"; then\n"
          "                ((i++))\n"
          "                [[ ${words[i]} == = ]] && ((i++))\n"
          "            fi\n"
          "            ;;\n",
          out);
    fputs(bash_main_tail, out);
}

int gen_bash(FILE *out)
{
    fputs(bash_head, out);
    bash_commands(out);
    bash_values(out);
    bash_main(out);
    return ferror(out) ? -1 : 0;
}

/* ---- completions: zsh and fish, shared ------------------------------------ */

/* The first line of text, in single quotes for zsh (' as '\'') or fish
 * (' as \', \ as \\). */
static void quoted_line(FILE *out, const char *text, bool fish)
{
    fputc('\'', out);
    for (const char *p = text; *p != '\0' && *p != '\n'; p++) {
        if (*p == '\'')
            fputs(fish ? "\\'" : "'\\''", out);
        else if (*p == '\\' && fish)
            fputs("\\\\", out);
        else
            fputc(*p, out);
    }
    fputc('\'', out);
}

/* "case $1 in (name|alias) echo name ;; ... esac" for zsh or fish. */
static void command_names(FILE *out, bool fish)
{
    for (int i = 0; command_at(i) != NULL; i++) {
        const struct command *c = command_at(i);
        const char *alias = alias_of(c);
        if (fish)
            fprintf(out, "        case %s%s%s\n            echo %s\n",
                    command_name(c), alias ? " " : "", alias ? alias : "",
                    command_name(c));
        else
            fprintf(out, "    (%s%s%s) echo %s ;;\n", command_name(c),
                    alias ? "|" : "", alias ? alias : "", command_name(c));
    }
}

/* ---- completions: zsh ----------------------------------------------------- */

static const char zsh_head[] =
    "#compdef oaiusage\n"
    "# zsh completion for oaiusage.\n"
    "# Generated by oaiusage-gen from the command and option tables; do "
    "not edit.\n"
    "\n"
    "# The [profile NAME] sections of the config file.\n"
    "_oaiusage_profiles() {\n"
    "  local f=${XDG_CONFIG_HOME:-$HOME/.config}/oaiusage/config line\n"
    "  local -a names match mbegin mend\n"
    "  [[ -r $f ]] || return 1\n"
    "  while IFS= read -r line || [[ -n $line ]]; do\n"
    "    if [[ $line =~ '^[[:space:]]*\\[[[:space:]]*profile[[:space:]]+"
    "([^]]*[^][:space:]])[[:space:]]*\\]' ]]; then\n"
    "      names+=(\"$match[1]\")\n"
    "    fi\n"
    "  done <$f\n"
    "  _wanted profiles expl profile compadd \"$@\" -a names\n"
    "}\n"
    "\n"
    "# The time zones of the system's tzdata ($TZDIR first, as the C library).\n"
    "_oaiusage_zones() {\n"
    "  local d=${TZDIR:-/usr/share/zoneinfo}\n"
    "  local -a names\n"
    "  names=(${(f)\"$(cd $d 2>/dev/null && find -L . -type f "
    "! -path './posix/*' ! -path './right/*' 2>/dev/null |\n"
    "    sed -n 's|^\\./\\([A-Z].*\\)|\\1|p')\"})\n"
    "  _wanted time-zones expl 'time zone' compadd -a names\n"
    "}\n"
    "\n";

static void zsh_value(FILE *out, enum gen_values kind, const char *words)
{
    switch (kind) {
    case GV_WORDS:
        fprintf(out, "compadd - %s", words);
        break;
    case GV_LIST:
    case GV_COMMAND:
        fprintf(out, "_sequence compadd - %s", words);
        break;
    case GV_FILE:
        fputs("_files", out);
        break;
    case GV_PROFILE:
        fputs("_oaiusage_profiles", out);
        break;
    case GV_PROFILES:
        fputs("_sequence _oaiusage_profiles", out);
        break;
    case GV_ZONE:
        fputs("_oaiusage_zones", out);
        break;
    case GV_NONE:
        fputs("_message -e values 'a value'", out);
        break;
    }
}

static void zsh_label(FILE *out, const struct opt_desc *o)
{
    fprintf(out, "(--%s", o->name);
    if (o->short_name != 0)
        fprintf(out, "|-%c", o->short_name);
    fputc(')', out);
}

static void zsh_values(FILE *out)
{
    fputs("# The value of option $2 of command $1.\n"
          "_oaiusage_value() {\n  case $1 in\n",
          out);
    for (int i = 0; command_at(i) != NULL; i++) {
        const struct command *c = command_at(i);
        bool opened = false;
        for (int k = 0; opt_at(k) != NULL; k++) {
            const struct opt_desc *o = opt_at(k);
            char mine[VALUES_MAX], any[VALUES_MAX];
            enum gen_values v;
            if (!opt_takes(o, c))
                continue;
            v = gen_option_values(o, c, mine, sizeof(mine));
            if (v == GV_NONE ||
                (v == gen_option_values(o, NULL, any, sizeof(any)) &&
                 strcmp(mine, any) == 0))
                continue;
            if (!opened)
                fprintf(out, "  (%s)\n    case $2 in\n", command_name(c));
            opened = true;
            fputs("      ", out);
            zsh_label(out, o);
            fputs(" ", out);
            zsh_value(out, v, mine);
            fputs("; return ;;\n", out);
        }
        fputs(opened ? "    esac ;;\n" : "", out);
    }
    fputs("  esac\n  case $2 in\n", out);
    for (int k = 0; opt_at(k) != NULL; k++) {
        char any[VALUES_MAX];
        enum gen_values v = gen_option_values(opt_at(k), NULL, any,
                                              sizeof(any));
        if (v == GV_NONE)
            continue;
        fputs("    ", out);
        zsh_label(out, opt_at(k));
        fputs(" ", out);
        zsh_value(out, v, any);
        fputs(" ;;\n", out);
    }
    fputs("    (*) _message -e values 'a value' ;;\n  esac\n}\n\n", out);
}

/* One option of a _describe list: '--name:help' (and '-o:help'). */
static void zsh_option_entry(FILE *out, const struct opt_desc *o)
{
    char entry[256];

    snprintf(entry, sizeof(entry), "--%s:%s", o->name, o->help);
    fputs("    ", out);
    quoted_line(out, entry, false);
    fputc('\n', out);
    if (o->short_name != 0) {
        snprintf(entry, sizeof(entry), "-%c:%s", o->short_name, o->help);
        fputs("    ", out);
        quoted_line(out, entry, false);
        fputc('\n', out);
    }
}

static void zsh_options(FILE *out)
{
    fputs("# The options of command $1 (empty: before any command).\n"
          "_oaiusage_options() {\n  local -a opts\n  case $1 in\n  ('') "
          "opts=(\n",
          out);
    for (int k = 0; opt_at(k) != NULL; k++) {
        if (taken_by_all(opt_at(k)))
            zsh_option_entry(out, opt_at(k));
    }
    fputs("  ) ;;\n", out);
    for (int i = 0; command_at(i) != NULL; i++) {
        fprintf(out, "  (%s) opts=(\n", command_name(command_at(i)));
        for (int k = 0; opt_at(k) != NULL; k++) {
            if (opt_takes(opt_at(k), command_at(i)))
                zsh_option_entry(out, opt_at(k));
        }
        fputs("  ) ;;\n", out);
    }
    fputs("  esac\n  _describe -t options option opts\n}\n\n", out);
}

static const char zsh_main_tail[] =
    "  if [[ $PREFIX == --*=* ]]; then\n"
    "    local opt=${PREFIX%%=*}\n"
    "    compset -P '*='\n"
    "    _oaiusage_value \"$cmd\" \"$opt\"\n"
    "    return\n"
    "  fi\n"
    "  if (( CURRENT > 2 )) && _oaiusage_takes_value "
    "\"$words[CURRENT-1]\"; then\n"
    "    _oaiusage_value \"$cmd\" \"$words[CURRENT-1]\"\n"
    "    return\n"
    "  fi\n"
    "  if [[ $PREFIX == -* ]]; then\n"
    "    _oaiusage_options \"$cmd\"\n"
    "  elif [[ -z $cmd ]]; then\n"
    "    [[ -z $help ]] && commands+=('help:the options of a command')\n"
    "    _describe -t commands 'oaiusage command' commands\n"
    "  fi\n"
    "}\n"
    "\n"
    "_oaiusage \"$@\"\n";

static void zsh_main(FILE *out)
{
    fputs("_oaiusage_command() {\n  case $1 in\n", out);
    command_names(out, false);
    fputs("  esac\n}\n\n_oaiusage_takes_value() {\n  case $1 in\n    (", out);
    arg_options(out, "|");
    fputs(") return 0 ;;\n  esac\n  return 1\n}\n\n"
          "_oaiusage() {\n  local cmd= help= i w\n  local -a commands\n"
          "  commands=(\n",
          out);
    for (int i = 0; command_at(i) != NULL; i++) {
        char entry[256];
        snprintf(entry, sizeof(entry), "%s:%s", command_name(command_at(i)),
                 command_summary(command_at(i)));
        fputs("    ", out);
        quoted_line(out, entry, false);
        fputc('\n', out);
    }
    fputs("  )\n"
          "  for (( i = 2; i < CURRENT; i++ )); do\n"
          "    w=$words[i]\n"
          "    case $w in\n"
          "    (--*=*) ;;\n"
          "    (-*) _oaiusage_takes_value $w && (( i++ )) ;;\n"
          "    (help) [[ -z $cmd ]] && help=1 ;;\n"
          "    (*) cmd=$(_oaiusage_command $w)\n"
          "      [[ -n $cmd ]] || return 1\n"
          "      break ;;\n"
          "    esac\n"
          "  done\n",
          out);
    fputs(zsh_main_tail, out);
}

int gen_zsh(FILE *out)
{
    fputs(zsh_head, out);
    zsh_values(out);
    zsh_options(out);
    zsh_main(out);
    return ferror(out) ? -1 : 0;
}

/* ---- completions: fish ---------------------------------------------------- */

static const char fish_head[] =
    "# fish completion for oaiusage.\n"
    "# Generated by oaiusage-gen from the command and option tables; do "
    "not edit.\n"
    "\n"
    "# The [profile NAME] sections of the config file.\n"
    "function __oaiusage_profiles\n"
    "    set -l f $HOME/.config/oaiusage/config\n"
    "    if set -q XDG_CONFIG_HOME; and test -n \"$XDG_CONFIG_HOME\"\n"
    "        set f $XDG_CONFIG_HOME/oaiusage/config\n"
    "    end\n"
    "    test -r $f; or return 1\n"
    "    string replace -rf '^\\s*\\[\\s*profile\\s+([^\\]]*[^\\]\\s])\\s*\\]"
    ".*$' '$1' <$f\n"
    "end\n"
    "\n"
    "# The time zones of the system's tzdata ($TZDIR first, as the C library).\n"
    "function __oaiusage_zones\n"
    "    set -l d /usr/share/zoneinfo\n"
    "    if set -q TZDIR; and test -n \"$TZDIR\"\n"
    "        set d $TZDIR\n"
    "    end\n"
    "    test -d $d; or return 1\n"
    "    find -L $d/ -type f ! -path \"$d/posix/*\" ! -path \"$d/right/*\" "
    "2>/dev/null |\n"
    "        string replace -f -- $d/ '' | string match -r '^[A-Z].*'\n"
    "end\n"
    "\n"
    "# The last item of a comma-separated list, from the words given that\n"
    "# are not in the list yet.\n"
    "function __oaiusage_list\n"
    "    set -l prefix (string replace -r -- '[^,]*$' '' (commandline -ct))\n"
    "    set -l have (string split -n , -- $prefix)\n"
    "    for w in $argv\n"
    "        contains -- $w $have; or printf '%s%s\\n' $prefix $w\n"
    "    end\n"
    "end\n"
    "\n"
    "# Is the command one of those given (none: before any command)?\n"
    "function __oaiusage_using\n"
    "    set -l c (__oaiusage_command)\n"
    "    if test (count $argv) -eq 0\n"
    "        test -z \"$c\"\n"
    "    else\n"
    "        contains -- \"$c\" $argv\n"
    "    end\n"
    "end\n"
    "\n";

static void fish_command_fn(FILE *out)
{
    fputs("# The command of the line (aliases as their command), or nothing.\n"
          "function __oaiusage_command\n"
          "    set -l tokens (commandline -opc)\n"
          "    set -e tokens[1]\n"
          "    set -l skip 0\n"
          "    for t in $tokens\n"
          "        if test $skip -eq 1\n"
          "            set skip 0\n"
          "            continue\n"
          "        end\n"
          "        switch $t\n"
          "            case '--*=*'\n"
          "            case ",
          out);
    arg_options(out, " ");
    fputs("\n                set skip 1\n"
          "            case '-*' help\n"
          "            case '*'\n"
          "                switch $t\n",
          out);
    command_names(out, true);
    fputs("                end\n"
          "                return 0\n"
          "        end\n"
          "    end\n"
          "end\n\n"
          "complete -c oaiusage -f\n",
          out);
}

static void fish_value(FILE *out, enum gen_values kind, const char *words)
{
    switch (kind) {
    case GV_WORDS:
        fprintf(out, " -x -a '%s'", words);
        break;
    case GV_LIST:
    case GV_COMMAND:
        fprintf(out, " -x -a '(__oaiusage_list %s)'", words);
        break;
    case GV_FILE:
        fputs(" -r -F", out);
        break;
    case GV_PROFILE:
        fputs(" -x -a '(__oaiusage_profiles)'", out);
        break;
    case GV_PROFILES:
        fputs(" -x -a '(__oaiusage_list (__oaiusage_profiles))'", out);
        break;
    case GV_ZONE:
        fputs(" -x -a '(__oaiusage_zones)'", out);
        break;
    case GV_NONE:
        fputs(" -x", out);
        break;
    }
}

/* One complete line for o: the commands in `cmds` (a space-separated
 * list; empty: before any command) with these values. */
static void fish_line(FILE *out, const struct opt_desc *o, const char *cmds,
                      enum gen_values kind, const char *words)
{
    fprintf(out, "complete -c oaiusage -n '__oaiusage_using%s%s' -l %s",
            cmds[0] ? " " : "", cmds, o->name);
    if (o->short_name != 0)
        fprintf(out, " -s %c", o->short_name);
    if (o->arg != NULL)
        fish_value(out, kind, words);
    fputs(" -d ", out);
    quoted_line(out, o->help, true);
    fputc('\n', out);
}

/* Option o: one line per set of commands whose values are the same. */
static void fish_option(FILE *out, const struct opt_desc *o)
{
    bool done[64] = { false };

    if (taken_by_all(o)) {
        char any[VALUES_MAX];
        fish_line(out, o, "", gen_option_values(o, NULL, any, sizeof(any)),
                  any);
    }
    for (int i = 0; command_at(i) != NULL && i < 64; i++) {
        char mine[VALUES_MAX], cmds[1024] = "";
        enum gen_values kind;
        if (done[i] || !opt_takes(o, command_at(i)))
            continue;
        kind = gen_option_values(o, command_at(i), mine, sizeof(mine));
        for (int j = i; command_at(j) != NULL && j < 64; j++) {
            char theirs[VALUES_MAX];
            if (done[j] || !opt_takes(o, command_at(j)) ||
                gen_option_values(o, command_at(j), theirs, sizeof(theirs)) !=
                    kind ||
                strcmp(theirs, mine) != 0)
                continue;
            done[j] = true;
            add_word(cmds, sizeof(cmds), command_name(command_at(j)),
                     strlen(command_name(command_at(j))));
        }
        fish_line(out, o, cmds, kind, mine);
    }
}

int gen_fish(FILE *out)
{
    fputs(fish_head, out);
    fish_command_fn(out);
    for (int i = 0; command_at(i) != NULL; i++) {
        const struct command *c = command_at(i);
        fputs("complete -c oaiusage -n '__oaiusage_using' -a ", out);
        quoted_line(out, command_name(c), true);
        fputs(" -d ", out);
        quoted_line(out, command_summary(c), true);
        fputc('\n', out);
    }
    fputs("complete -c oaiusage -n '__oaiusage_using' -a help -d 'the "
          "options of a command'\n",
          out);
    for (int k = 0; opt_at(k) != NULL; k++)
        fish_option(out, opt_at(k));
    return ferror(out) ? -1 : 0;
}
