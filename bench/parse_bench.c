/* parse_bench ENDPOINT GROUPS FILE... - parse and aggregate saved API pages
 * on one core, as oaiusage does for each page it receives, and report the
 * throughput. Files are read into memory first; only page_parse + agg_add
 * (+ agg_finish) are timed, on the process CPU clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oaiusage/agg.h"
#include "oaiusage/json.h"
#include "oaiusage/page.h"

static int on_bucket(void *ctx, int64_t s, int64_t e, struct ou_err *err)
{
    return agg_bucket(ctx, s, e, err);
}

static long long nrecords;

static int on_record(void *ctx, const struct record *r, struct ou_err *err)
{
    nrecords++;
    return agg_add(ctx, r, err);
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: parse_bench ENDPOINT GROUPS FILE...\n");
        return 2;
    }
    const struct endpoint *ep = endpoint_find(argv[1]);
    if (ep == NULL)
        return 2;
    struct agg_spec spec = { ep, 0, { 0 }, TU_PER_NONE, false, NULL };
    char *groups = strdup(argv[2]);
    for (char *g = strtok(groups, ","); g != NULL; g = strtok(NULL, ","))
        spec.group[spec.ngroup++] = endpoint_group_index(ep, g);
    free(groups);

    int nfiles = argc - 3;
    char **bodies = calloc((size_t)nfiles, sizeof(*bodies));
    size_t *lens = calloc((size_t)nfiles, sizeof(*lens));
    size_t total = 0;
    for (int i = 0; i < nfiles; i++) {
        FILE *f = fopen(argv[3 + i], "rb");
        if (f == NULL) {
            perror(argv[3 + i]);
            return 1;
        }
        fseek(f, 0, SEEK_END);
        lens[i] = (size_t)ftell(f);
        rewind(f);
        bodies[i] = malloc(lens[i] + 1);
        if (fread(bodies[i], 1, lens[i], f) != lens[i])
            return 1;
        bodies[i][lens[i]] = '\0';
        fclose(f);
        total += lens[i];
    }

    struct agg *a = agg_new(&spec);
    struct page_sink sink = { on_bucket, on_record, a, NULL };
    struct ou_err err = { OU_OK, "" };
    double t0 = cpu_now();
    for (int i = 0; i < nfiles; i++) {
        struct page_info info;
        if (page_parse(bodies[i], lens[i], ep, &sink, &info, &err) != 0) {
            fprintf(stderr, "%s: %s\n", argv[3 + i], err.msg);
            return 1;
        }
        free(info.next_page);
    }
    if (agg_finish(a, &err) != 0)
        return 1;
    double secs = cpu_now() - t0;
    const struct agg_row *t = agg_total_at(a, 0);
    printf("%.1f MB in %.3f s CPU: %.0f MB/s, %.0f records/s "
           "(%lld records, %zu groups, first metric total %lld)\n",
           (double)total / 1e6, secs, (double)total / 1e6 / secs,
           (double)nrecords / secs, nrecords, agg_nrows(a),
           (long long)t->ival[0]);
    agg_free(a);
    json_release();
    for (int i = 0; i < nfiles; i++)
        free(bodies[i]);
    free(bodies);
    free(lens);
    return 0;
}
