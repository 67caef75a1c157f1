/* The payment work of a node: the sandbox's events posted a moment after the page that caused
 * them (as a real gateway's arrive), and reconciliation and automatic charges every minute. Any
 * node may do both: an event is claimed before it is posted, and settling a payment twice changes
 * nothing. */
#include "payments_worker.h"
#include "services/dunning.h"
#include "services/payment_cards.h"
#include "services/payments.h"
#include "services/payments_offline.h"
#include "services/services.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { EVENTS_EVERY_MS = 250, RECONCILE_EVERY_S = 60 };

struct payments_worker {
    char *db_path;
    mailer_t *mailer;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

static void wait_ms(payments_worker_t *w, int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += (long)ms * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&w->mu);
    while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &until) == 0) {
    }
    pthread_mutex_unlock(&w->mu);
}

static bool stopping(payments_worker_t *w)
{
    pthread_mutex_lock(&w->mu);
    bool stop = w->stop;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

static void *worker_main(void *arg)
{
    payments_worker_t *w = arg;
    char err[256];
    store_t *s = store_open(w->db_path, err, sizeof err);
    services_t *svc = s ? services_new(s) : NULL;
    if (!svc) {
        log_error("payments worker: %s", s ? "out of memory" : err);
        if (s) store_close(s);
        return NULL;
    }
    int64_t next_reconcile = 0;
    bool first_round = true;
    while (!stopping(w)) {
        int64_t now = clock_now();
        if (sandbox_deliver_events(svc, now) < 0)
            log_error("payments worker: posting the sandbox's events failed");
        if (now >= next_reconcile) {
            int64_t changed = payments_reconcile(svc, now);
            if (changed < 0) log_error("payments worker: reconciliation failed");
            if (changed > 0) {
                log_info("reconciliation settled %lld payments", (long long)changed);
                if (w->mailer) mailer_wake(w->mailer);
            }
            if (refunds_reconcile(svc, now) < 0)
                log_error("payments worker: reconciling refunds failed");
            if (payments_apply_credit(svc, now) < 0)
                log_error("payments worker: applying account credit failed");
            /* Then, credit used first, the invoices due today on a card with autopay: each once a
             * day at most. */
            int64_t charged = payments_autopay_due(svc, now);
            if (charged < 0) log_error("payments worker: automatic charges failed");
            if (charged > 0) {
                log_info("asked the gateway for %lld automatic charges", (long long)charged);
                if (w->mailer) mailer_wake(w->mailer);
            }
            /* Renewals of online accounts charged to their card, and dunning's retries,
             * suspensions (docs/dunning.md). */
            int64_t steps = dunning_run(svc, now);
            if (steps < 0) log_error("payments worker: renewal charges and dunning failed");
            /* The first round is logged even when idle: tests and operators see it ran. */
            if (steps > 0 || (steps == 0 && first_round))
                log_info("renewal charges and dunning took %lld steps", (long long)steps);
            if (steps > 0 && w->mailer) mailer_wake(w->mailer);
            first_round = false;
            next_reconcile = now + RECONCILE_EVERY_S;
        } else if (dunning_poked()) {
            /* A new card was saved here: its account's dunning retries now. */
            int64_t steps = dunning_run(svc, now);
            if (steps > 0) {
                log_info("renewal charges and dunning took %lld steps", (long long)steps);
                if (w->mailer) mailer_wake(w->mailer);
            }
        }
        wait_ms(w, EVENTS_EVERY_MS);
    }
    services_free(svc);
    store_close(s);
    return NULL;
}

payments_worker_t *payments_worker_start(const char *db_path, mailer_t *mailer)
{
    payments_worker_t *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->db_path = strdup(db_path);
    w->mailer = mailer;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (!w->db_path || pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        free(w->db_path);
        free(w);
        return NULL;
    }
    return w;
}

void payments_worker_stop(payments_worker_t *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w->db_path);
    free(w);
}
