/* options.h - the option table: every option, declared once.
 *
 * A row gives an option's long and short name, its argument, its help
 * line, the kinds of command that take it (command.h), and where its value
 * goes in struct config (cli.h) and how it is read. Everything about
 * options is made from this table: the getopt_long array, `oaiusage
 * --help`, `oaiusage help COMMAND`, the check that a command takes an
 * option (an option it does not take is a usage error naming the
 * command), and the value checks with their messages. The table is static
 * and read-only; rows are in help order.
 */
#ifndef OAIUSAGE_OPTIONS_H
#define OAIUSAGE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "oaiusage/command.h"

enum opt_id {
    OPT_SINCE,
    OPT_UNTIL,
    OPT_DAYS,
    OPT_MONTH,
    OPT_BUCKET,
    OPT_PROJECT,
    OPT_USER,
    OPT_API_KEY,
    OPT_MODEL,
    OPT_BATCH,
    OPT_NO_BATCH,
    OPT_SOURCE,
    OPT_LINE_ITEM,
    OPT_SIZE,
    OPT_VECTOR_STORE,
    OPT_CONTEXT_LEVEL,
    OPT_GROUP_BY,
    OPT_PER,
    OPT_RECORDS,
    OPT_SORT,
    OPT_TOP,
    OPT_COMPARE,
    OPT_CHART,
    OPT_NAMES,
    OPT_REFRESH_NAMES,
    OPT_PERIOD,
    OPT_AMOUNT,
    OPT_BUDGETS,
    OPT_WARN_AT,
    OPT_WARN_ON_PROJECTION,
    OPT_FORMAT,
    OPT_OUTPUT,
    OPT_NO_HEADER,
    OPT_CSV_SAFE,
    OPT_EXACT,
    OPT_WIDE,
    OPT_DB,
    OPT_ENDPOINT,
    OPT_SETTLE,
    OPT_LOCK_TIMEOUT,
    OPT_STATUS,
    OPT_BASE_URL,
    OPT_TIMEOUT,
    OPT_RETRIES,
    OPT_DEADLINE,
    OPT_CONCURRENCY,
    OPT_DRY_RUN,
    OPT_CACERT,
    OPT_KEY_FILE,
    OPT_INSECURE,
    OPT_QUIET,
    OPT_VERBOSE,
    OPT_HELP,
    OPT_VERSION,
    OPT_PROFILE,
    OPT_COLOR,
    OPT_TZ,
    OPT_ALL_PROFILES,
    OPT_JOBS,
    OPT_COUNT
};

/* The help section an option is listed in. */
enum opt_section {
    SEC_WINDOW,
    SEC_FILTER,
    SEC_SHAPE,
    SEC_STORE,
    SEC_BUDGET,
    SEC_OUTPUT,
    SEC_CONNECTION,
    SEC_GENERAL,
    SEC_COUNT
};

/* How an option's value is read and stored at its offset in struct
 * config. */
enum opt_store {
    ST_FLAG,        /* bool: true */
    ST_STRING,      /* char *: a copy; the last one wins */
    ST_LIST,        /* struct strlist: comma-separated, repeatable; a
                       value given twice is an error */
    ST_FILTER,      /* a filter (struct filter_opt), comma-separated,
                       repeatable; duplicates dropped */
    ST_FILTER_FLAG, /* a boolean filter: lo is the value */
    ST_INT,         /* int: a whole number from lo to hi */
    ST_MS,          /* long: seconds (0 < t <= 86400) as milliseconds */
    ST_WHEN,        /* int64_t: a time, see timeutil.h */
    ST_DURATION,    /* int64_t: seconds, from "90s", "30m", "6h", "3d" */
    ST_CHOICE,      /* int: choice_values[i] for the i-th of choices */
    ST_LEVEL,       /* int: lo (verbosity) */
    ST_ACTION       /* help and version: acted on by the parser */
};

struct opt_desc {
    enum opt_id id;
    const char *name; /* long name, without "--" */
    char short_name;  /* or 0 */
    const char *arg;  /* metavar; NULL: a flag */
    enum opt_section section;
    unsigned takes; /* CK_* of the commands that take it */
    enum opt_store store;
    size_t offset; /* into struct config */
    long lo, hi;
    const char *const *choices; /* ST_CHOICE: NULL-terminated */
    const int *choice_values;
    const char *unit; /* ST_INT messages: " of days" */
    const char *help; /* lines separated by '\n' */
};

/* The row of an option, by id (every id has one). */
const struct opt_desc *opt_get(enum opt_id id);
/* The i-th row in help order, or NULL past the end. */
const struct opt_desc *opt_at(int i);
/* The title of a help section. */
const char *opt_section_title(enum opt_section s);

/* Does command c take option o? A filter is taken by a usage command only
 * when its endpoint has it. */
bool opt_takes(const struct opt_desc *o, const struct command *c);
/* The filter an option sets on c's endpoint, or NULL (not a filter, or
 * not one of c's). */
const struct filter_desc *opt_filter(const struct opt_desc *o,
                                     const struct command *c);

#endif
