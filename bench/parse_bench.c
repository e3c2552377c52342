/* parse_bench [-j N] ENDPOINT GROUPS FILE... - parse and aggregate saved
 * API pages as oaiusage does for each page it receives, and report the
 * throughput. Files are read into memory first; only page_parse + agg_add
 * (+ agg_finish) are timed, on the wall clock and the process CPU clock.
 * With -j N (N > 1), N worker threads parse and fold the pages, each
 * into an aggregate of its own that this thread merges into the whole, as
 * a fetch with --jobs N does (fetch.h); without, this thread does it all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "oaiusage/agg.h"
#include "oaiusage/json.h"
#include "oaiusage/page.h"
#include "oaiusage/pool.h"

/* What a page is folded into: an aggregate, and a count of its records
 * (one counter per fold, never shared between threads). */
struct fold {
    struct agg *a;
    long long n;
};

static int on_fold_bucket(void *ctx, int64_t s, int64_t e, struct ou_err *err)
{
    struct fold *f = ctx;
    return agg_bucket(f->a, s, e, err);
}

static int on_record(void *ctx, const struct record *r, struct ou_err *err)
{
    struct fold *f = ctx;
    f->n++;
    return agg_add(f->a, r, err);
}

static double clock_now(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One page for a worker: folded there into its own aggregate, which this
 * thread merges into the whole (what a fetch with --jobs N does for an
 * aggregate, fetch.h). */
struct job {
    char *body;
    size_t len;
    const struct endpoint *ep;
    struct fold copy;
    struct page_info info;
    struct ou_err err;
    int rc;
};

static void parse_job(void *arg)
{
    struct job *j = arg;
    struct page_sink sink = { on_fold_bucket, on_record, &j->copy, NULL };

    j->rc = page_parse(j->body, j->len, j->ep, &sink, &j->info, &j->err);
}

/* The pages folded by n workers, at most n + 2 at once (a fetch holds at
 * most --concurrency pages), merged here into a. */
static int parse_parallel(int n, char **bodies, size_t *lens, int nfiles,
                          const struct endpoint *ep, struct fold *whole)
{
    struct pool *p = pool_new(n, json_release);
    struct job *jobs = calloc((size_t)nfiles, sizeof(*jobs));
    struct ou_err err = { OU_OK, "" };
    int rc = 0, next = 0;

    if (p == NULL || jobs == NULL)
        return 1;
    for (int i = 0; i < nfiles; i++) {
        while (next < nfiles && next - i < n + 2) {
            jobs[next] = (struct job){ bodies[next],
                                       lens[next],
                                       ep,
                                       { agg_new(agg_spec_of(whole->a)), 0 },
                                       { 0 },
                                       { 0 },
                                       0 };
            if (jobs[next].copy.a == NULL ||
                pool_submit(p, parse_job, &jobs[next++]) != 0)
                return 1;
        }
        struct job *j = pool_wait(p);
        whole->n += j->copy.n;
        if (j->rc != 0 || agg_merge(whole->a, j->copy.a, &err) != 0) {
            fprintf(stderr, "%s\n", j->rc != 0 ? j->err.msg : err.msg);
            rc = 1;
        }
        free(j->info.next_page);
    }
    pool_free(p);
    free(jobs);
    return rc;
}

int main(int argc, char **argv)
{
    int jobs = 1;
    if (argc > 2 && strcmp(argv[1], "-j") == 0) {
        jobs = atoi(argv[2]);
        argv += 2;
        argc -= 2;
    }
    if (argc < 4 || jobs < 1 || jobs > POOL_MAX_THREADS) {
        fprintf(stderr, "usage: parse_bench [-j N] ENDPOINT GROUPS FILE...\n");
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
    struct fold whole = { a, 0 };
    struct page_sink sink = { on_fold_bucket, on_record, &whole, NULL };
    struct ou_err err = { OU_OK, "" };
    double t0 = clock_now(CLOCK_PROCESS_CPUTIME_ID);
    double w0 = clock_now(CLOCK_MONOTONIC);
    if (jobs > 1 && parse_parallel(jobs, bodies, lens, nfiles, ep, &whole) != 0)
        return 1;
    for (int i = 0; jobs == 1 && i < nfiles; i++) {
        struct page_info info;
        if (page_parse(bodies[i], lens[i], ep, &sink, &info, &err) != 0) {
            fprintf(stderr, "%s: %s\n", argv[3 + i], err.msg);
            return 1;
        }
        free(info.next_page);
    }
    if (agg_finish(a, &err) != 0)
        return 1;
    double secs = clock_now(CLOCK_PROCESS_CPUTIME_ID) - t0;
    double wall = clock_now(CLOCK_MONOTONIC) - w0;
    const struct agg_row *t = agg_total_at(a, 0);
    printf("%d thread%s: %.1f MB in %.3f s wall, %.3f s CPU: %.0f MB/s, "
           "%.0f records/s (%lld records, %zu groups, first metric total "
           "%lld)\n",
           jobs, jobs == 1 ? "" : "s", (double)total / 1e6, wall, secs,
           (double)total / 1e6 / wall, (double)whole.n / wall, whole.n,
           agg_nrows(a), (long long)t->ival[0]);
    agg_free(a);
    json_release();
    for (int i = 0; i < nfiles; i++)
        free(bodies[i]);
    free(bodies);
    free(lens);
    return 0;
}
