/* commands.c - the command table, and running a parsed command line (see
 * command.h). */
#include "oaiusage/command.h"

#include <stdio.h>
#include <string.h>

#include "oaiusage/msg.h"

#include "oaiusage/cli.h"
#include "oaiusage/cmds.h"
#include "oaiusage/json.h"
#include "oaiusage/session.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define F(k) (1u << (k))
#define TABLES \
    (F(FMT_TABLE) | F(FMT_CSV) | F(FMT_JSON) | F(FMT_NDJSON) | F(FMT_XLSX))

/* A usage or costs command: everything comes from its endpoint. */
#define USAGE(index)                                                        \
    {                                                                       \
        NULL, NULL, CK_USAGE, index, NULL, NULL, NULL,                      \
            TABLES | F(FMT_SVG) | F(FMT_OPENMETRICS), cmd_usage, plan_usage \
    }

static const char overview_about[] =
    "One row per usage endpoint with its headline totals over the\n"
    "window (requests, input and output tokens, and the endpoint's\n"
    "own unit: images, characters, seconds, bytes stored, sessions,\n"
    "calls), then the billed cost from the costs endpoint. Every\n"
    "endpoint is fetched in one run; an idle one shows zeros.\n"
    "vector-stores bytes are the latest level, not a sum.\n"
    "Columns: endpoint, requests, input_tokens, output_tokens,\n"
    "units, unit, amount, currency (empty where not applicable).\n";

static const char report_about[] =
    "One self-contained HTML file (inline SVG and CSS, no script,\n"
    "nothing fetched when it is opened): daily input vs output\n"
    "tokens, requests per model stacked by project, each project's\n"
    "share of requests (under 5% folded into \"Other\", broken\n"
    "down in a second chart), total cost per day, cost per day by\n"
    "line item, and the totals tables. Completions and costs are\n"
    "fetched per UTC day, at once. --names shows project names.\n";

static const char budget_about[] =
    "Spend in the current UTC period (--period month, week or day)\n"
    "against budgets: --amount for the organization, --budgets FILE\n"
    "per project, or else the API's own monthly spend limits (the\n"
    "organization's and each active project's). Per budget: spent,\n"
    "percent used, remaining, the spend projected at period end from\n"
    "the mean of the last 7 complete days, and the day it runs out.\n"
    "Spend of the last --settle (3d) days may still be revised: the\n"
    "table marks it *. Exit 0 when every budget is fine, 10 when one\n"
    "crossed --warn-at (or, with --warn-on-projection, is projected to\n"
    "run out), 11 when one is used up; a failure exits 1-8 as always.\n"
    "Columns: scope, project_id, project_name, source, enforcement,\n"
    "currency, budget, spent, provisional, percent, remaining,\n"
    "projected, daily_rate, runs_out, state.\n";

static const char sync_about[] =
    "Fetch every usage endpoint and the costs, grouped by every field\n"
    "the API has, into the history store, and the organization's lists\n"
    "(names). The first run backfills --days (default 90) or --since;\n"
    "later runs fetch what is missing and re-fetch what ended less than\n"
    "the settle window ago (the API revises closed buckets). Usage is\n"
    "stored at --bucket (default 1h), costs per day. Each page is\n"
    "committed as it arrives: a killed sync resumes where it stopped.\n"
    "One sync per store at a time (exit 7 after --lock-timeout).\n"
    "Every report takes --db to answer from the store, offline.\n";

static const char config_about[] =
    "The settings a run would use and where each came from: the\n"
    "command line, the environment, the config file's [profile NAME]\n"
    "or [default], or the built-in default (in that order of\n"
    "precedence). The file is $XDG_CONFIG_HOME/oaiusage/config\n"
    "(default ~/.config/oaiusage/config), INI:\n"
    "\n"
    "  [default]\n"
    "  format = table\n"
    "  [profile acme]\n"
    "  base-url = https://api.openai.com/v1\n"
    "  admin-key-file = ~/.secrets/acme-admin-key\n"
    "  db = ~/.local/share/oaiusage/acme.db\n"
    "  org = acme\n"
    "  days = 7\n"
    "\n"
    "Keys are long option names; org labels the store's rows. The key\n"
    "itself is never in the file, and never shown: only where it\n"
    "comes from. A file others can write is refused.\n";

/* A table, laid out by hand. */
/* clang-format off */
static const struct command commands[] = {
    USAGE(EP_COMPLETIONS),
    USAGE(EP_DECISIONS),
    USAGE(EP_EMBEDDINGS),
    USAGE(EP_MODERATIONS),
    USAGE(EP_IMAGES),
    USAGE(EP_AUDIO_SPEECHES),
    USAGE(EP_AUDIO_TRANSCRIPTIONS),
    USAGE(EP_VECTOR_STORES),
    USAGE(EP_CODE_INTERPRETER_SESSIONS),
    USAGE(EP_FILE_SEARCH_CALLS),
    USAGE(EP_WEB_SEARCH_CALLS),
    USAGE(EP_COSTS),
    { "overview", NULL, CK_OVERVIEW, -1,
      "every endpoint's headline totals and the billed cost",
      "[--since WHEN] [--until WHEN] [--days N] [--project ID,...] "
      "[OPTIONS]",
      overview_about, TABLES | F(FMT_OPENMETRICS), cmd_overview,
      plan_overview },
    { "report", NULL, CK_HTML, -1,
      "a self-contained HTML report with charts (-o FILE)",
      "[--since WHEN] [--until WHEN] [--days N] [--project ID,...]\n"
      "                       [--names] [-o FILE] [OPTIONS]",
      report_about, 0, cmd_report, plan_report },
    { "sync", NULL, CK_SYNC, -1,
      "keep the history store current (--db; cron)",
      "[--db DB] [--since WHEN | --days N] [--bucket W]\n"
      "                       [--endpoint NAME,...] [--settle DURATION]\n"
      "                       [--lock-timeout SECS] [--status] [OPTIONS]",
      sync_about, TABLES, cmd_sync, NULL },
    { "budget", NULL, CK_BUDGET, -1,
      "spend this month (week, day) against budgets; exit 10/11",
      "[--period P] [--amount N] [--budgets FILE]\n"
      "                       [--warn-at PERCENT] [--warn-on-projection]\n"
      "                       [--db DB] [OPTIONS]",
      budget_about, TABLES | F(FMT_OPENMETRICS), cmd_budget, NULL },
    { "config", NULL, CK_CONFIG, -1,
      "the effective settings and where each came from",
      "[--profile NAME] [OPTIONS]", config_about,
      F(FMT_TABLE) | F(FMT_CSV) | F(FMT_JSON), cmd_config, NULL },
    { "projects", NULL, CK_PROJECTS, -1,
      "the organization's projects (archived included)", NULL,
      "Every project of the organization, archived ones included\n"
      "(GET /v1/organization/projects?include_archived=true).\n"
      "Columns: id, name, status, created_at, archived_at.\n",
      TABLES, cmd_projects, NULL },
    { "users", NULL, CK_USERS, -1, "the organization's users", NULL,
      "Every user of the organization (GET /v1/organization/users).\n"
      "Columns: id, email, name, role, added_at.\n",
      TABLES, cmd_users, NULL },
    { "api-keys", "api_keys", CK_APIKEYS, -1,
      "project API keys (of --project, or of all projects)",
      "[--project ID,...] [OPTIONS]",
      "Project API keys (GET /v1/organization/projects/ID/api_keys)\n"
      "of the given projects, or of every project, fetched at once.\n"
      "Columns: project_id, id, name, redacted_value, owner_type,\n"
      "owner, created_at, last_used_at.\n",
      TABLES, cmd_api_keys, NULL },
};

/* clang-format on */
const struct command *command_at(int i)
{
    return i >= 0 && i < COUNT(commands) ? &commands[i] : NULL;
}

const char *command_name(const struct command *c)
{
    const struct endpoint *ep = command_endpoint(c);
    return ep != NULL ? ep->command : c->name;
}

const struct endpoint *command_endpoint(const struct command *c)
{
    return c->kind == CK_USAGE ? endpoint_at(c->endpoint) : NULL;
}

const char *command_summary(const struct command *c)
{
    const struct endpoint *ep = command_endpoint(c);
    return c->summary != NULL ? c->summary : ep != NULL ? ep->summary : "";
}

const struct command *command_find(const char *name)
{
    for (int i = 0; command_at(i) != NULL; i++) {
        const struct command *c = command_at(i);
        const struct endpoint *ep = command_endpoint(c);
        const char *alias = ep != NULL ? ep->alias : c->alias;
        if (strcmp(command_name(c), name) == 0 ||
            (alias != NULL && strcmp(alias, name) == 0))
            return c;
    }
    return NULL;
}

/* A 404 from a base URL without /v1: say where the API lives. */
static void hint_base_url(const struct config *cfg, int rc, struct ou_err *err)
{
    size_t n = strlen(cfg->base_url);

    if (rc == OU_E_API && strstr(err->msg, "HTTP 404") != NULL &&
        (n < 3 || strcmp(cfg->base_url + n - 3, "/v1") != 0)) {
        size_t m = strlen(err->msg);
        snprintf(err->msg + m, sizeof(err->msg) - m,
                 " (the base URL %s has no /v1 at its end; the API's is %s)",
                 cfg->base_url, OU_DEFAULT_BASE_URL);
    }
}

int command_run_linked(const struct config *cfg, int64_t now,
                       const struct session_link *link, struct ou_err *err)
{
    struct session s;
    int rc;

    rc = http_check_base_url(cfg->base_url, cfg->allow_insecure_http, err);
    if (rc != 0)
        return rc;
    rc = session_open_linked(&s, cfg, now, link, err);
    if (rc == 0)
        rc = cfg->cmd->run(&s, err);
    if (rc == 0 || OU_IS_ALERT(rc))
        session_report_drift(&s);
    hint_base_url(cfg, rc, err);
    session_close(&s);
    json_release();
    return rc;
}

int command_run(const struct config *cfg, int64_t now, struct ou_err *err)
{
    struct session s;

    if (cfg->pfile.others_read)
        msg_warn("the config file %s can be read by others: chmod "
                 "go-r it",
                 cfg->pfile.path);
    if (cfg->cmd->kind == CK_CONFIG) {
        memset(&s, 0, sizeof(s));
        s.cfg = cfg;
        s.now = now;
        return cfg->cmd->run(&s, err);
    }
    if (cfg->dry_run) {
        int rc = http_check_base_url(cfg->base_url, cfg->allow_insecure_http,
                                     err);
        return rc != 0 ? rc : dry_run(cfg, now, err);
    }
    return command_run_linked(cfg, now, NULL, err);
}
