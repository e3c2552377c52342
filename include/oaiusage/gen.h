/* gen.h - the man page and the shell completions, made from the tables.
 *
 * Everything an option, a command, a format or an endpoint's group field
 * is comes from the option table (options.h), the command table
 * (command.h) and the endpoint table (endpoint.h); the prose around them
 * (DESCRIPTION, EXIT STATUS, ENVIRONMENT, FILES, EXAMPLES) lives in gen.c.
 * tools/oaiusage-gen.c writes the files at build time, so the page and the
 * completions cannot drift from the binary. Pure: each function writes
 * text to out and returns 0, or -1 when out reports a write error.
 */
#ifndef OAIUSAGE_GEN_H
#define OAIUSAGE_GEN_H

#include <stddef.h>
#include <stdio.h>

#include "oaiusage/command.h"
#include "oaiusage/options.h"

/* What an option's argument completes to. */
enum gen_values {
    GV_NONE,     /* nothing to offer: a value to type (a date, a number) */
    GV_WORDS,    /* one of the words */
    GV_LIST,     /* a comma-separated list of the words */
    GV_FILE,     /* a file name */
    GV_PROFILE,  /* a profile name of the config file */
    GV_PROFILES, /* profile names of the config file (a list) */
    GV_COMMAND,  /* a usage endpoint's command name (a list) */
    GV_ZONE      /* a time zone of the system's tzdata ($TZDIR) */
};

/* The words option o's argument takes with command c (NULL: before any
 * command), space-separated in buf; returns their kind. The words of a
 * GV_LIST or GV_COMMAND are the list's items. */
enum gen_values gen_option_values(const struct opt_desc *o,
                                  const struct command *c, char *buf,
                                  size_t size);

/* oaiusage(1) in man(7) roff. version: "0.1.0"; date: "2026-11-30". */
int gen_man(FILE *out, const char *version, const char *date);
/* oaiusage-mock(1), the bundled API server (a test tool). */
int gen_man_mock(FILE *out, const char *version, const char *date);
/* The bash completion (bash-completion's _init_completion when loaded). */
int gen_bash(FILE *out);
/* The zsh completion (#compdef oaiusage). */
int gen_zsh(FILE *out);
/* The fish completion. */
int gen_fish(FILE *out);

#endif
