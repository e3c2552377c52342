/* command.h - the command table: one row per command.
 *
 * A row names the command, says what kind it is (which decides the
 * options it takes, see options.h), which endpoint it reports (usage
 * commands), its one-line summary and help, the formats it writes, and the
 * functions that run it and plan it (--dry-run). Adding a command is one
 * row here and, for a new kind, one file in src/cmd/. The table is static
 * and read-only.
 */
#ifndef OAIUSAGE_COMMAND_H
#define OAIUSAGE_COMMAND_H

#include <stdint.h>

#include "oaiusage/query.h"
#include "oaiusage/status.h"

struct config;
struct session;

/* Kinds of command; an option lists the kinds that take it. */
enum cmd_kind {
    CK_USAGE = 1u << 0,    /* one usage or costs endpoint */
    CK_OVERVIEW = 1u << 1, /* every endpoint's headline totals */
    CK_HTML = 1u << 2,     /* the HTML report */
    CK_PROJECTS = 1u << 3,
    CK_USERS = 1u << 4,
    CK_APIKEYS = 1u << 5,
    CK_SYNC = 1u << 6,   /* the history store's sync */
    CK_BUDGET = 1u << 7, /* spend against budgets */
    CK_CONFIG = 1u << 8  /* the effective settings */
};
#define CK_LISTS (CK_PROJECTS | CK_USERS | CK_APIKEYS)
#define CK_REPORTS (CK_USAGE | CK_OVERVIEW | CK_HTML)
#define CK_ALL (CK_REPORTS | CK_LISTS | CK_SYNC | CK_BUDGET | CK_CONFIG)

/* The most queries a command's plan can hold (the overview: every
 * endpoint). */
#define CMD_MAX_QUERIES 16

struct command {
    const char *name;  /* NULL for usage commands: the endpoint's */
    const char *alias; /* another spelling, or NULL (usage commands
                                 take their endpoint's alias) */
    enum cmd_kind kind;
    int endpoint;         /* CK_USAGE: endpoint_at() index; else -1 */
    const char *summary;  /* one line; NULL: the endpoint's */
    const char *synopsis; /* the usage line after the name */
    const char *about;    /* help text; NULL: made from the endpoint */
    unsigned formats;     /* 1 << FMT_* of each format it writes; 0:
                                 it writes one HTML file */
    /* Run it: fetch, build, deliver. */
    int (*run)(struct session *s, struct ou_err *err);
    /* The queries it would send (--dry-run); NULL: no plan. Returns how
     * many were filled (at most CMD_MAX_QUERIES). */
    int (*plan)(const struct config *cfg, struct query *q);
};

/* Look a command up by name or alias; NULL if unknown. */
const struct command *command_find(const char *name);
/* The i-th row, or NULL past the end. */
const struct command *command_at(int i);
/* Its name. */
const char *command_name(const struct command *c);
/* Its endpoint (CK_USAGE), or NULL. */
const struct endpoint *command_endpoint(const struct command *c);
/* Its summary line. */
const char *command_summary(const struct command *c);

/* Run a parsed command line: the dry run, or a session (key, connection)
 * and the command. */
int command_run(const struct config *cfg, int64_t now, struct ou_err *err);

#endif
