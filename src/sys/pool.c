/* pool.c - worker threads (see pool.h). */
/* sched_getaffinity, CPU_COUNT */
#define _GNU_SOURCE /* NOLINT(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
#include "oaiusage/pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

struct job {
    pool_fn fn;
    void *arg;
    struct job *next;
};

/* A FIFO of jobs. */
struct queue {
    struct job *head, *tail;
};

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t work; /* a job was queued, or stop */
    pthread_cond_t done; /* a job finished */
    struct queue todo;   /* submitted, not started */
    struct queue fin;    /* finished, not taken */
    int pending;         /* submitted and not taken */
    bool stop;
    void (*notify)(void *ctx);
    void *notify_ctx;
    void (*at_exit)(void);
    int n;
    pthread_t threads[POOL_MAX_THREADS];
};

static void push(struct queue *q, struct job *j)
{
    j->next = NULL;
    if (q->tail != NULL)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
}

static struct job *pop(struct queue *q)
{
    struct job *j = q->head;

    if (j != NULL) {
        q->head = j->next;
        if (q->head == NULL)
            q->tail = NULL;
    }
    return j;
}

static void *worker(void *arg)
{
    struct pool *p = arg;

    pthread_mutex_lock(&p->mu);
    for (;;) {
        struct job *j;
        while (!p->stop && p->todo.head == NULL)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->stop)
            break;
        j = pop(&p->todo);
        pthread_mutex_unlock(&p->mu);
        j->fn(j->arg);
        pthread_mutex_lock(&p->mu);
        push(&p->fin, j);
        pthread_cond_broadcast(&p->done);
        void (*notify)(void *) = p->notify;
        void *ctx = p->notify_ctx;
        pthread_mutex_unlock(&p->mu);
        if (notify != NULL)
            notify(ctx);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    if (p->at_exit != NULL)
        p->at_exit();
    return NULL;
}

struct pool *pool_new(int n, void (*at_exit)(void))
{
    struct pool *p;

    if (n < 1 || n > POOL_MAX_THREADS || (p = calloc(1, sizeof(*p))) == NULL)
        return NULL;
    p->at_exit = at_exit;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    for (; p->n < n; p->n++) {
        if (pthread_create(&p->threads[p->n], NULL, worker, p) != 0) {
            pool_free(p);
            return NULL;
        }
    }
    return p;
}

void pool_set_notify(struct pool *p, void (*notify)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&p->mu);
    p->notify = notify;
    p->notify_ctx = ctx;
    pthread_mutex_unlock(&p->mu);
}

int pool_submit(struct pool *p, pool_fn fn, void *arg)
{
    struct job *j = malloc(sizeof(*j));

    if (j == NULL)
        return -1;
    j->fn = fn;
    j->arg = arg;
    pthread_mutex_lock(&p->mu);
    push(&p->todo, j);
    p->pending++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

/* With the lock held: the first finished job's arg, or NULL. */
static void *take_locked(struct pool *p)
{
    struct job *j = pop(&p->fin);
    void *arg;

    if (j == NULL)
        return NULL;
    arg = j->arg;
    free(j);
    p->pending--;
    return arg;
}

void *pool_take(struct pool *p)
{
    void *arg;

    pthread_mutex_lock(&p->mu);
    arg = take_locked(p);
    pthread_mutex_unlock(&p->mu);
    return arg;
}

void *pool_wait(struct pool *p)
{
    void *arg;

    pthread_mutex_lock(&p->mu);
    while (p->fin.head == NULL && p->pending > 0)
        pthread_cond_wait(&p->done, &p->mu);
    arg = take_locked(p);
    pthread_mutex_unlock(&p->mu);
    return arg;
}

int pool_pending(struct pool *p)
{
    int n;

    pthread_mutex_lock(&p->mu);
    n = p->pending;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void pool_free(struct pool *p)
{
    struct job *j;

    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n; i++)
        pthread_join(p->threads[i], NULL);
    while ((j = pop(&p->todo)) != NULL)
        free(j);
    while ((j = pop(&p->fin)) != NULL)
        free(j);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

int pool_cpus(void)
{
    cpu_set_t set;

    if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}
