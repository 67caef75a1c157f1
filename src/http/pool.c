/* The worker pool: a mutex-guarded FIFO of jobs served by threads with their own store. */
#include "pool.h"
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct job {
    struct job *next;
    pool_job_fn fn;
    void *arg;
};

struct worker {
    pthread_t thread;
    store_t *store;
    services_t *svc; /* over store */
    pool_t *pool;
};

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *head, *tail;
    int queued, queue_max; /* jobs waiting for a thread, and the most that may */
    bool stopping;
    int n;
    struct worker *workers;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    pool_t *p = w->pool;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->head && !p->stopping)
            pthread_cond_wait(&p->cv, &p->mu);
        struct job *j = p->head;
        if (j) {
            p->head = j->next;
            if (!p->head) p->tail = NULL;
            p->queued--;
        }
        pthread_mutex_unlock(&p->mu);
        if (!j) return NULL; /* stopping and nothing left */
        j->fn(j->arg, w->svc);
        free(j);
    }
}

pool_t *pool_start(int n, int queue_max, const char *db_path, char *err, int err_size)
{
    pool_t *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->queue_max = queue_max;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->workers = calloc((size_t)n, sizeof *p->workers);
    if (!p->workers) {
        free(p);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        p->workers[i].pool = p;
        p->workers[i].store = store_open(db_path, err, err_size);
        p->workers[i].svc = p->workers[i].store ? services_new(p->workers[i].store) : NULL;
        if (!p->workers[i].svc ||
            pthread_create(&p->workers[i].thread, NULL, worker_main, &p->workers[i]) != 0) {
            if (p->workers[i].store) snprintf(err, (size_t)err_size, "cannot start a worker");
            services_free(p->workers[i].svc);
            store_close(p->workers[i].store);
            p->n = i;
            pool_stop(p);
            return NULL;
        }
        p->n = i + 1;
    }
    return p;
}

bool pool_submit(pool_t *p, pool_job_fn fn, void *arg)
{
    struct job *j = malloc(sizeof *j);
    if (!j) {
        fputs("cobro: out of memory\n", stderr);
        abort();
    }
    j->next = NULL;
    j->fn = fn;
    j->arg = arg;
    pthread_mutex_lock(&p->mu);
    if (p->queued >= p->queue_max) {
        pthread_mutex_unlock(&p->mu);
        free(j);
        return false;
    }
    p->queued++;
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return true;
}

void pool_stop(pool_t *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n; i++) {
        pthread_join(p->workers[i].thread, NULL);
        services_free(p->workers[i].svc);
        store_close(p->workers[i].store);
    }
    free(p->workers);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
}
