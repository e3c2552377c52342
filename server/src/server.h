/* server.h - the `serve` subcommand: configuration and the HTTP server. */
#ifndef OAIMOCK_SERVER_H
#define OAIMOCK_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "faults.h"
#include "org.h"
#include "pages.h"
#include "spendlimits.h"

typedef struct {
    int port;              /* 0 = pick a free port */
    const char *port_file; /* NULL = none */
    uint64_t seed;
    bool now_auto; /* true: time(NULL) per request */
    int64_t now_fixed;
    org_size org;
    long latency_ms;
    int page_cap;  /* > 0: at most this many buckets per page */
    long cache_mb; /* > 0: cache 200 page/list bodies, this many MiB
                               (ignored with now_auto) */
    fault_list faults;
    amount_mode amounts;
    int64_t api_key_floor;    /* costs group_by api_key_id needs start_time
                                 >= this (0: no floor) */
    bool refuse_user_project; /* costs: user_id with project_id -> 400 */
    bool sa_users;            /* service-account usage carries the account
                                 as user_id (org_attribute_service_accounts) */
    int64_t revise_lag;       /* --revise-lag SECS (0: off) */
    int64_t revise_costs_lag; /* --revise-lag ...,COSTS_SECS (0: off) */
    const char *extra_field;  /* NULL: off (see page_options) */
    const char *extra_object; /* NULL: off */
    const char *log_path;     /* NULL = no request log */
    const char *key;          /* NULL = any sk-admin-* key */
    spend_limits limits;      /* the spend_limit endpoints */
} server_config;

/* Runs until SIGINT/SIGTERM; returns the process exit status. */
int server_run(const server_config *cfg);

#endif
