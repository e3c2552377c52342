/* help.c - `oaiusage --help` and `oaiusage help COMMAND`, made from the
 * command table and the option table (see cli.h). */
#include <string.h>

#include "oaiusage/cli.h"

#define HELP_COL 20   /* where an option's help text starts */
#define HELP_WIDTH 78 /* where lines end */

static const char exit_codes_help[] =
    "Exit codes:\n"
    "  0  success\n"
    "  1  API or network failure (HTTP 429/5xx, timeout, connection)\n"
    "  2  usage error (bad option, value, date or group-by field)\n"
    "  3  authentication or permission (HTTP 401/403, missing key; an\n"
    "     Admin key is needed, project keys cannot read usage)\n"
    "  4  malformed or unexpected API response\n"
    "  5  local I/O error (output file, key file, full disk)\n"
    "  6  out of memory\n"
    "  7  the history store is locked by another sync\n"
    "  8  the history store does not hold what was asked for\n"
    "  10 budget: a budget crossed --warn-at (report written in full)\n"
    "  11 budget: a budget is used up (report written in full)\n"
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
    for (int i = 0; command_at(i) != NULL; i++)
        fprintf(out, "  %-26s %s\n", command_name(command_at(i)),
                command_summary(command_at(i)));
    fprintf(out,
            "  %-26s the options of a command (also COMMAND --help)\n"
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
            "help COMMAND", OU_DEFAULT_BASE_URL, exit_codes_help);
}

/* Text from column `col` on, broken at spaces before HELP_WIDTH and at
 * '\n'; `w` characters are already on the first line. */
static void wrapped(FILE *out, const char *text, int col, int w)
{
    const char *p = text;

    while (*p != '\0') {
        int len = (int)strcspn(p, "\n");
        int room = HELP_WIDTH - col;
        if (len > room) {
            /* the last space within the room, else a hard cut */
            int cut = 0;
            for (int k = 0; k <= room; k++) {
                if (p[k] == ' ')
                    cut = k;
            }
            len = cut > 0 ? cut : room;
        }
        fprintf(out, "%*s%.*s\n",
                w < col ? col - w
                : w > 0 ? 2
                        : 0,
                "", len, p);
        p += len;
        if (*p == ' ' || *p == '\n')
            p++;
        w = 0;
    }
}

/* One option: its flags on the left, its help lines beside them. */
static void option_lines(FILE *out, const char *flags, const char *help)
{
    int w = fprintf(out, "  %s", flags);

    wrapped(out, help, HELP_COL, w);
}

static void flags_of(const struct opt_desc *o, char *buf, size_t size)
{
    if (o->short_name != 0)
        snprintf(buf, size, "-%c, --%s%s%s", o->short_name, o->name,
                 o->arg ? " " : "", o->arg ? o->arg : "");
    else
        snprintf(buf, size, "--%s%s%s", o->name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
}

/* A filter of a usage command: its API parameter, what it does, and the
 * values it allows. */
static void filter_help(const struct opt_desc *o, const struct filter_desc *f,
                        char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "%s: %s", f->param, o->help);
    for (const char *const *a = f->allowed; a != NULL && *a && n < size; a++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s",
                              a == f->allowed ? "\n(one of: " : ", ", *a);
    if (f->allowed != NULL && n < size)
        snprintf(buf + n, size - n, ")");
}

/* The help of option o for command c: the row's, or made for c. */
static const char *help_for(const struct opt_desc *o, const struct command *c,
                            char *buf, size_t size)
{
    const struct endpoint *ep = command_endpoint(c);
    const struct filter_desc *f = opt_filter(o, c);

    buf[0] = '\0';
    if (f != NULL && f->kind == FK_LIST) {
        filter_help(o, f, buf, size);
        return buf;
    }
    if (o->id == OPT_GROUP_BY && ep != NULL) {
        size_t n = (size_t)snprintf(buf, size, "one row per combination of:");
        for (int g = 0; g < ep->ngroups && n < size; g++)
            n += (size_t)snprintf(buf + n, size - n, "%s %s", g ? "," : "",
                                  ep->groups[g].name);
        snprintf(buf + n, size - n,
                 "\n(default: one row, the window's "
                 "total)");
        return buf;
    }
    if (o->id == OPT_BUCKET && ep != NULL && !ep->widths[BW_1M])
        return "the only width this endpoint has; costs are\nwhole UTC days, "
               "so a window starting mid-day\nincludes that whole first day";
    if (o->id == OPT_FORMAT) {
        size_t n = 0;
        for (int k = 0; o->choices[k] != NULL && n < size; k++) {
            if (c->formats & (1u << o->choice_values[k]))
                n += (size_t)snprintf(buf + n, size - n, "%s%s%s",
                                      n ? ", " : "", o->choices[k],
                                      k == 0 ? " (default)" : "");
        }
        if (c->formats & (1u << FMT_SVG))
            snprintf(buf + n, size - n,
                     "\n(svg: a standalone chart of the "
                     "first metric)");
        return buf;
    }
    return o->help;
}

static void options_help(FILE *out, const struct command *c)
{
    for (int s = 0; s < SEC_COUNT; s++) {
        bool titled = false;
        for (int i = 0; opt_at(i) != NULL; i++) {
            const struct opt_desc *o = opt_at(i);
            char flags[64];
            char help[512];
            if ((int)o->section != s || !opt_takes(o, c))
                continue;
            if (!titled)
                fprintf(out, "\n%s:\n", opt_section_title((enum opt_section)s));
            titled = true;
            flags_of(o, flags, sizeof(flags));
            option_lines(out, flags, help_for(o, c, help, sizeof(help)));
        }
    }
}

/* What a usage command's help says about its endpoint. */
static void endpoint_about(FILE *out, const struct endpoint *ep)
{
    fprintf(out, "%s.\nAPI: GET /v1%s\n", ep->summary, ep->path);
}

static void endpoint_columns(FILE *out, const struct endpoint *ep)
{
    char cols[1024];
    size_t n = (size_t)snprintf(cols, sizeof(cols), "Columns (CSV/JSON):");

    for (int m = 0; m < ep->nmetrics && n < sizeof(cols); m++)
        n += (size_t)snprintf(cols + n, sizeof(cols) - n, "%s %s", m ? "," : "",
                              ep->metrics[m].name);
    fputc('\n', out);
    wrapped(out, cols, 0, 0);
    for (int m = 0; m < ep->nmetrics; m++) {
        if (ep->metrics[m].agg == MA_LEVEL)
            fprintf(out,
                    "%s is a stored level, not a flow: totals and --per\n"
                    "periods report the latest bucket's value per group,\n"
                    "never a sum over buckets.\n",
                    ep->metrics[m].name);
    }
}

void cli_command_usage(FILE *out, const struct command *c)
{
    const struct endpoint *ep = command_endpoint(c);

    fprintf(out, "Usage: oaiusage %s %s\n\n", command_name(c),
            c->synopsis != NULL ? c->synopsis : "[OPTIONS]");
    if (ep != NULL)
        endpoint_about(out, ep);
    if (c->about != NULL)
        fprintf(out, "%s", c->about);
    options_help(out, c);
    if (ep != NULL)
        endpoint_columns(out, ep);
    fprintf(out, "\n%s", exit_codes_help);
}
