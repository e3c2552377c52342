/* main.c - owns the command line of oaiusage-mock: dispatches to `serve`
 * (parses the server options into a server_config) and `truth`, and prints
 * --help. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "truth.h"
#include "util.h"

static const char USAGE[] =
    "usage:\n"
    "  oaiusage-mock serve [--port N] [--port-file FILE] [--seed N]\n"
    "                      [--now UNIX|auto] [--org small|large] [--latency MS]\n"
    "                      [--fault SPEC]... [--amounts number|string|mixed]\n"
    "                      [--page-cap N] [--cache-mb N]\n"
    "                      [--log FILE] [--key KEY]\n"
    "                      [--api-key-floor UNIX] [--refuse-user-project]\n"
    "                      [--service-account-users]\n"
    "                      [--extra-field NAME] [--extra-object NAME]\n"
    "                      [--revise-lag SECS[,COSTS_SECS]]\n"
    "                      [--spend-limit CENTS]\n"
    "                      [--project-spend-limit PROJECT_ID=CENTS]...\n"
    "                      [--no-spend-limit 404|zero]\n"
    "                      [--spend-limit-amounts integer|float]\n"
    "                      [--spend-limit-status inactive|enforcing]\n"
    "  oaiusage-mock truth ENDPOINT --start-time T [--end-time T]\n"
    "                      [--now T] [--seed N] [--org small|large]\n"
    "                      [--bucket-width 1m|1h|1d] [--group-by f1,f2,...]\n"
    "                      [--per day|week|month|bucket] [--records]\n"
    "                      [--project-ids a,b] [--user-ids a,b]\n"
    "                      [--api-key-ids a,b] [--models a,b]\n"
    "                      [--batch true|false] [--sources a,b]\n"
    "                      [--sizes a,b] [--context-levels a,b]\n"
    "                      [--vector-store-ids a,b] [--line-items a,b]\n"
    "                      [--extra-field NAME] [--extra-object NAME]\n"
    "                      [--service-account-users]\n"
    "                      [--revise-lag SECS[,COSTS_SECS]]\n"
    "    ENDPOINT: completions decisions costs embeddings moderations\n"
    "              images audio_speeches audio_transcriptions\n"
    "              vector_stores code_interpreter_sessions\n"
    "              file_search_calls web_search_calls\n"
    "  oaiusage-mock --help\n"
    "\n"
    "serve: a local OpenAI Usage/Costs API on 127.0.0.1 with deterministic\n"
    "synthetic data. Prints 'oaiusage-mock listening on "
    "http://127.0.0.1:PORT/v1'\n"
    "once listening; exits 0 on SIGINT/SIGTERM.\n"
    "  fault SPEC: N:KIND[:ARG] (request N) or N+:KIND[:ARG] (N and later);\n"
    "  KIND: 429[:SECS] 500 502 503[:SECS] drop truncate malformed notjson\n"
    "        wrongtype nodata repeatcursor hasmore-nocursor gap overlap extra\n"
    "        huge deep\n"
    "        delay:MS 400 401 "
    "403\n"
    "  --cache-mb N: keep the bodies of successful (200) page and list\n"
    "        responses in memory, at most N MiB, least recently used evicted\n"
    "        first; a repeated request (same path, raw query and now) is\n"
    "        answered from it with identical bytes. Latency and faults apply\n"
    "        as without it. Disabled with --now auto. 0 (default): no cache.\n"
    "  --api-key-floor UNIX: costs grouped by api_key_id with a start_time\n"
    "        before UNIX get a 400 (default 0: no floor; the live API's is\n"
    "        1764979200).\n"
    "  --refuse-user-project: costs grouped by user_id together with\n"
    "        project_id (or a project_ids filter) get a 400 (default:\n"
    "        allowed).\n"
    "  --service-account-users: usage on a service account's key carries the\n"
    "        account's id as user_id (default: null, as the live API is\n"
    "        believed to send; the reference does not say). truth takes it\n"
    "        too.\n"
    "  --extra-field NAME: every completions result also carries an unknown\n"
    "        integer field NAME. --extra-object NAME: every non-empty\n"
    "        completions bucket ends with a result of the unknown object\n"
    "        type NAME. truth accepts both and ignores them.\n"
    "  --revise-lag SECS[,COSTS_SECS]: serve late revisions (default: off).\n"
    "        A usage minute that ended less than SECS before now, and a costs\n"
    "        hour whose UTC day ended less than COSTS_SECS (default 3 * SECS)\n"
    "        before now, is provisional: its counters, amounts and\n"
    "        quantities are 70-95% of the settled ones, and for one usage\n"
    "        stream and one cost stream in four the provisional part has\n"
    "        project_id, user_id and api_key_id null; vector_stores serve\n"
    "        the level of one hour earlier. Once settled, the values are\n"
    "        exactly those without the option. 0 turns a part off. truth\n"
    "        takes it too (with the same --now).\n";

/* the rest of USAGE (C11 compilers need not take longer literals) */
static const char USAGE_MORE[] =
    "  --spend-limit CENTS: the organization's monthly spend limit, served\n"
    "        by GET /v1/organization/spend_limit (default: none).\n"
    "  --project-spend-limit PROJECT_ID=CENTS: a project's limit, served by\n"
    "        GET /v1/organization/projects/PROJECT_ID/spend_limit;\n"
    "        repeatable, the last one given for an id wins. PROJECT_ID must\n"
    "        be a listed project of the organization (--seed, --org).\n"
    "  --no-spend-limit 404|zero: the answer for a scope without a limit:\n"
    "        zero (default) = 200 with threshold_amount 0 and status\n"
    "        inactive; 404 = 404 \"No spend limit is configured.\"\n"
    "  --spend-limit-amounts integer|float: threshold_amount written as\n"
    "        10000 (default) or 10000.0.\n"
    "  --spend-limit-status inactive|enforcing: enforcement.status of a\n"
    "        configured limit (default enforcing).\n"
    "truth: prints the CSV a correct client must produce for the window.\n"
    "See server/README.md for details.\n";

static void print_usage(FILE *f)
{
    fputs(USAGE, f);
    fputs(USAGE_MORE, f);
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "oaiusage-mock: %s%s%s\n", msg, arg ? ": " : "",
            arg ? arg : "");
    print_usage(stderr);
    return 2;
}

static int parse_limit_option(spend_limits *l, const char *name, const char *v)
{
    if (strcmp(name, "--spend-limit") == 0) {
        if (!limits_set_org(l, v))
            return usage_error("bad --spend-limit (CENTS >= 0)", v);
    } else if (strcmp(name, "--project-spend-limit") == 0) {
        if (!limits_add_project(l, v))
            return usage_error("bad --project-spend-limit "
                               "(PROJECT_ID=CENTS, CENTS >= 0)",
                               v);
    } else if (strcmp(name, "--no-spend-limit") == 0) {
        if (!limits_parse_no_limit(l, v))
            return usage_error("bad --no-spend-limit (404|zero)", v);
    } else if (strcmp(name, "--spend-limit-amounts") == 0) {
        if (!limits_parse_amounts(l, v))
            return usage_error("bad --spend-limit-amounts (integer|float)", v);
    } else if (strcmp(name, "--spend-limit-status") == 0) {
        if (!limits_parse_status(l, v))
            return usage_error("bad --spend-limit-status (inactive|enforcing)",
                               v);
    } else {
        return usage_error("unknown option", name);
    }
    return 0;
}

/* every --project-spend-limit names a listed project of the organization
 * that --seed and --org describe (given in any order) */
static int check_limit_projects(const server_config *c)
{
    if (c->limits.nprojects == 0)
        return 0;
    org_t *org = org_create(c->seed, c->org);
    const char *bad = limits_unknown_project(&c->limits, org);
    int rc = bad ? usage_error("--project-spend-limit: no such project in "
                               "the synthetic organization",
                               bad)
                 : 0;
    org_free(org);
    return rc;
}

static int parse_serve_option(server_config *c, const char *name, const char *v)
{
    int64_t n;
    char msg[256];
    if (strcmp(name, "--port") == 0) {
        if (!parse_int64(v, &n) || n < 0 || n > 65535)
            return usage_error("bad --port", v);
        c->port = (int)n;
    } else if (strcmp(name, "--port-file") == 0) {
        c->port_file = v;
    } else if (strcmp(name, "--seed") == 0) {
        if (!parse_int64(v, &n) || n < 0)
            return usage_error("bad --seed", v);
        c->seed = (uint64_t)n;
    } else if (strcmp(name, "--now") == 0) {
        if (strcmp(v, "auto") == 0) {
            c->now_auto = true;
        } else if (parse_int64(v, &n) && n >= 0) {
            c->now_auto = false;
            c->now_fixed = n;
        } else {
            return usage_error("bad --now (UNIX seconds or auto)", v);
        }
    } else if (strcmp(name, "--org") == 0) {
        if (!org_parse_size(v, &c->org))
            return usage_error("bad --org (small|large)", v);
    } else if (strcmp(name, "--latency") == 0) {
        if (!parse_int64(v, &n) || n < 0)
            return usage_error("bad --latency", v);
        c->latency_ms = (long)n;
    } else if (strcmp(name, "--fault") == 0) {
        if (!faults_add(&c->faults, v, msg, sizeof msg))
            return usage_error(msg, NULL);
    } else if (strcmp(name, "--page-cap") == 0) {
        if (!parse_int64(v, &n) || n < 1 || n > 100000)
            return usage_error("bad --page-cap", v);
        c->page_cap = (int)n;
    } else if (strcmp(name, "--cache-mb") == 0) {
        if (!parse_int64(v, &n) || n < 0 || n > 1048576)
            return usage_error("bad --cache-mb (0..1048576)", v);
        c->cache_mb = (long)n;
    } else if (strcmp(name, "--amounts") == 0) {
        if (!amount_mode_parse(v, &c->amounts))
            return usage_error("bad --amounts (number|string|mixed)", v);
    } else if (strcmp(name, "--log") == 0) {
        c->log_path = v;
    } else if (strcmp(name, "--key") == 0) {
        c->key = v;
    } else if (strcmp(name, "--api-key-floor") == 0) {
        if (!parse_int64(v, &n) || n < 0)
            return usage_error("bad --api-key-floor (UNIX seconds)", v);
        c->api_key_floor = n;
    } else if (strcmp(name, "--revise-lag") == 0) {
        if (!org_parse_revise_lag(v, &c->revise_lag, &c->revise_costs_lag))
            return usage_error("bad --revise-lag (SECS[,COSTS_SECS])", v);
    } else if (strcmp(name, "--extra-field") == 0) {
        if (!*v)
            return usage_error("bad --extra-field (a field name)", v);
        c->extra_field = v;
    } else if (strcmp(name, "--extra-object") == 0) {
        if (!*v)
            return usage_error("bad --extra-object (an object type)", v);
        c->extra_object = v;
    } else if (strncmp(name, "--spend-limit", 13) == 0 ||
               strcmp(name, "--project-spend-limit") == 0 ||
               strcmp(name, "--no-spend-limit") == 0) {
        return parse_limit_option(&c->limits, name, v);
    } else {
        return usage_error("unknown option", name);
    }
    return 0;
}

static int serve_main(int argc, char **argv)
{
    server_config c;
    memset(&c, 0, sizeof c);
    c.seed = 42;
    c.now_auto = true;
    c.org = ORG_SMALL;
    c.amounts = AMOUNTS_MIXED;
    int rc = 0;
    for (int i = 0; i < argc && rc == 0; i += 2) {
        if (strcmp(argv[i], "--refuse-user-project") == 0 ||
            strcmp(argv[i], "--service-account-users") == 0) {
            /* the options without a value */
            if (argv[i][2] == 'r')
                c.refuse_user_project = true;
            else
                c.sa_users = true;
            i--;
        } else if (i + 1 >= argc) {
            rc = usage_error("option needs a value", argv[i]);
        } else {
            rc = parse_serve_option(&c, argv[i], argv[i + 1]);
        }
    }
    if (rc == 0)
        rc = check_limit_projects(&c);
    if (rc == 0)
        rc = server_run(&c);
    faults_free(&c.faults);
    limits_free(&c.limits);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("missing command", NULL);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "serve") == 0)
        return serve_main(argc - 2, argv + 2);
    if (strcmp(argv[1], "truth") == 0)
        return truth_main(argc - 2, argv + 2);
    return usage_error("unknown command", argv[1]);
}
