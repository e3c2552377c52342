/* main.c - process setup, the command line, one run, the exit code. */
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "oaiusage/atomic.h"
#include "oaiusage/cli.h"
#include "oaiusage/clock.h"
#include "oaiusage/cmds.h"
#include "oaiusage/http.h"
#include "oaiusage/json.h"
#include "oaiusage/msg.h"

static void on_signal(int sig)
{
    static const char msg[] = "oaiusage: interrupted; nothing was written\n";
    /* unlink(2) and write(2) only: async-signal-safe */
    atomic_abort_cleanup(); /* NOLINT(bugprone-signal-handler,cert-sig30-c) */
    if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
        /* nothing more can be done */
    }
    _exit(128 + sig);
}

int main(int argc, char **argv)
{
    struct config cfg;
    struct ou_err err = { OU_OK, "" };
    int64_t now = (int64_t)time(NULL);
    int rc;

    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (http_global_init() != 0) {
        msg_error("cannot initialise libcurl");
        return ou_exit_code(OU_E_API);
    }
    json_init(); /* before any thread parses */
    config_init(&cfg);
    rc = cli_parse(argc, argv, now, &cfg, &err);
    cfg.start_ms = clock_ms();
    if (rc == CLI_OK) {
        msg_set_level((enum msg_level)cfg.verbosity);
        /* --profile a,b or --all-profiles: one report over several
         * organizations */
        rc = cfg.profiles.n >= 2 ? orgs_run(&cfg, argc, argv, now, &err)
                                 : command_run(&cfg, now, &err);
    } else if (rc == CLI_DONE) {
        rc = OU_OK;
    }
    if (rc != OU_OK && !OU_IS_ALERT(rc))
        msg_error("%s", err.msg);
    msg_set_secret(NULL);
    config_release(&cfg);
    http_global_cleanup();
    return ou_exit_code(rc);
}
