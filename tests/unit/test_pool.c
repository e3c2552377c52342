/* pool.c: every job runs once, on a worker; results come back whole; the
 * notify hook fires once per finished job; freeing waits for running
 * jobs. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "oaiusage/pool.h"
#include "test.h"

struct job {
    int in;
    long out;
    pthread_t ran_on;
};

static void square_sum(void *arg)
{
    struct job *j = arg;
    long s = 0;

    for (int i = 1; i <= j->in; i++)
        s += (long)i * i;
    j->out = s;
    j->ran_on = pthread_self();
}

static atomic_int notified;

static void on_done(void *ctx)
{
    atomic_fetch_add(&notified, 1);
    (void)ctx;
}

static void test_jobs(int threads)
{
    enum { N = 500 };
    static struct job jobs[N];
    struct pool *p = pool_new(threads, NULL);
    int seen[N] = { 0 };

    CHECK(p != NULL);
    atomic_store(&notified, 0);
    pool_set_notify(p, on_done, NULL);
    for (int i = 0; i < N; i++) {
        jobs[i] = (struct job){ i % 300, -1, pthread_self() };
        CHECK(pool_submit(p, square_sum, &jobs[i]) == 0);
    }
    for (int i = 0; i < N; i++) {
        struct job *j = pool_wait(p);
        CHECK(j != NULL);
        int k = (int)(j - jobs);
        CHECK(k >= 0 && k < N && !seen[k]);
        seen[k] = 1;
        long n = j->in, want = n * (n + 1) * (2 * n + 1) / 6;
        CHECK(j->out == want);
        CHECK(!pthread_equal(j->ran_on, pthread_self()));
    }
    CHECK(pool_take(p) == NULL);
    CHECK(pool_wait(p) == NULL); /* nothing queued: no wait */
    CHECK(pool_pending(p) == 0);
    pool_free(p);
    CHECK(atomic_load(&notified) == N);
}

static int exited;
static void at_exit_count(void)
{
    __atomic_add_fetch(&exited, 1, __ATOMIC_SEQ_CST);
}

static void test_exit_hook(void)
{
    struct pool *p = pool_new(3, at_exit_count);
    struct job j = { 10, 0, pthread_self() };

    CHECK(pool_submit(p, square_sum, &j) == 0);
    CHECK(pool_wait(p) == &j && j.out == 385);
    pool_free(p);
    CHECK(__atomic_load_n(&exited, __ATOMIC_SEQ_CST) == 3);
    CHECK(pool_new(0, NULL) == NULL);
    CHECK(pool_new(POOL_MAX_THREADS + 1, NULL) == NULL);
    CHECK(pool_cpus() >= 1);
}

int main(void)
{
    test_jobs(1);
    test_jobs(2);
    test_jobs(7);
    test_exit_hook();
    TEST_END();
}
