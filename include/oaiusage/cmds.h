/* cmds.h - the commands' run and plan functions, which the command table
 * (command.h) points at. One file per command or family in src/cmd/. */
#ifndef OAIUSAGE_CMDS_H
#define OAIUSAGE_CMDS_H

#include <stdint.h>

#include "oaiusage/cli.h"
#include "oaiusage/session.h"

/* usage.c: one usage or costs endpoint (grouped, --per, --records, svg). */
int cmd_usage(struct session *s, struct ou_err *err);
int plan_usage(const struct config *cfg, struct query *q);

/* records.c: --records in CSV/JSON/NDJSON, streamed in time order. */
int cmd_records_streamed(struct session *s, struct ou_err *err);

/* overview.c: every endpoint's headline totals and the billed cost. */
int cmd_overview(struct session *s, struct ou_err *err);
int plan_overview(const struct config *cfg, struct query *q);

/* htmlreport.c: the HTML report. */
int cmd_report(struct session *s, struct ou_err *err);
int plan_report(const struct config *cfg, struct query *q);

/* lists.c: the organization's lists. */
int cmd_projects(struct session *s, struct ou_err *err);
/* sync.c: keep the history store current; --status: what it holds. */
int cmd_sync(struct session *s, struct ou_err *err);
int cmd_users(struct session *s, struct ou_err *err);
int cmd_api_keys(struct session *s, struct ou_err *err);

/* budget.c: spend in the period against budgets (exit 10/11 alerts). */
int cmd_budget(struct session *s, struct ou_err *err);
/* config: the settings a run would use and their sources; no key, no
 * store, no network (s holds only the config). */
int cmd_config(struct session *s, struct ou_err *err);

/* commands.c: one organization's run of a parsed command (not config,
 * not --dry-run): its session (linked to a run over several
 * organizations, or link NULL), the command, the drift report. */
int command_run_linked(const struct config *cfg, int64_t now,
                       const struct session_link *link, struct ou_err *err);

/* orgs.c: a run over several organizations (cfg->profiles.n >= 2,
 * --profile a,b or --all-profiles): argv parsed again per profile
 * (cli_parse_as), the organizations fetched at once, one thread each,
 * and one report with an org column first. */
int orgs_run(const struct config *cfg, int argc, char **argv, int64_t now,
             struct ou_err *err);

/* dryrun.c: the requests a command would make, on stdout. */
int dry_run(const struct config *cfg, int64_t now, struct ou_err *err);

#endif
