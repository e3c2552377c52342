/* libFuzzer target: the command line. Input lines are arguments; parsing
 * either succeeds with a sane window or fails with a usage message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oaiusage/cli.h"

#define NOW 1739208663

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int quiet;
    char *copy = malloc(size + 1);
    char *argv[34];
    int argc = 0;
    struct config cfg;
    struct ou_err err = { OU_OK, "" };

    if (!quiet) {
        /* --help and --version print to stdout: keep the fuzzer quiet. */
        if (freopen("/dev/null", "w", stdout) == NULL)
            abort();
        quiet = 1;
    }
    if (copy == NULL)
        return 0;
    memcpy(copy, data, size);
    copy[size] = '\0';
    argv[argc++] = (char *)"oaiusage";
    for (char *p = copy; argc < 33;) {
        argv[argc++] = p;
        char *nl = strchr(p, '\n');
        if (nl == NULL)
            break;
        *nl = '\0';
        p = nl + 1;
    }
    argv[argc] = NULL;
    config_init(&cfg);
    int rc = cli_parse(argc, argv, NOW, &cfg, &err);
    if (rc == CLI_OK && (cfg.cmd->kind & (CK_USAGE | CK_OVERVIEW | CK_HTML)) &&
        (cfg.since >= cfg.until || cfg.until > NOW || cfg.since < 0))
        abort(); /* an accepted window is never empty or in the future */
    if (rc > 0 && err.msg[0] == '\0')
        abort(); /* every error says why */
    config_release(&cfg);
    free(copy);
    return 0;
}
