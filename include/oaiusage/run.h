/* run.h - one report from a parsed command line: key, fetch, aggregate,
 * render, deliver. Returns an exit code; err says what failed. */
#ifndef OAIUSAGE_RUN_H
#define OAIUSAGE_RUN_H

#include <stdint.h>

#include "oaiusage/cli.h"
#include "oaiusage/status.h"

int run_report(const struct config *cfg, int64_t now, struct ou_err *err);

#endif
