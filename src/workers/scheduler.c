/* The server's own clock work, checked at start and every minute: the daily bill run, which one
 * node at a time runs under a lease in the database, the purchase-order expiry reminders, which
 * every node may look for (each reminder is claimed by its mark), and marking quotes past their
 * valid-until day expired (one idempotent update that any node may run). */
#include "scheduler.h"
#include "store/store.h"
#include "services/bill_run_cli.h"
#include "services/quotes.h"
#include "services/services.h"
#include "services/settings.h"
#include "util/log.h"
#include "util/clock.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A node that dies while running the daily bill run holds its lease for at most JOB_LEASE_S
 * (renewed after each batch of accounts, which takes well under a second), and the others look
 * every CHECK_EVERY_S: the run goes on within some three minutes. */
enum { CHECK_EVERY_S = 60, JOB_LEASE_S = 120 };

static const char BILL_RUN_JOB[] = "daily_bill_run";

struct scheduler {
    char *db_path, *base_url;
    char node[96]; /* this process among the nodes: host, pid and a random tag */
    mailer_t *mailer;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

/* Purchase orders about to expire: one reminder each (the mark commits with the email, so a
 * second node or a second hour sends nothing more). */
static void po_reminders(struct scheduler *sc, store_t *s)
{
    arena_t *a = arena_new();
    int sent = settings_po_reminders(s, a, clock_now());
    arena_free(a);
    if (sent < 0) log_error("scheduler: purchase-order reminders failed");
    if (sent > 0) {
        log_info("queued %d purchase-order expiry reminders", sent);
        if (sc->mailer) mailer_wake(sc->mailer);
    }
}

/* Sent quotes whose valid-until day has passed in the vendor's time zone become expired (pages
 * already show them so: this makes the stored state say it too). */
static void expire_quotes(services_t *svc)
{
    int64_t n = quotes_expire(svc, clock_now());
    if (n < 0) log_error("scheduler: marking expired quotes failed");
    if (n > 0) log_info("marked %lld quotes expired", (long long)n);
}

/* The lease of the daily bill run, renewed after each batch. */
typedef struct {
    struct scheduler *sc;
    store_t *s;
} lease_t;

static void renew_lease(const bill_run_stats_t *so_far, void *ctx)
{
    (void)so_far;
    lease_t *l = ctx;
    if (store_job_renew(l->s, BILL_RUN_JOB, l->sc->node, clock_now() + JOB_LEASE_S) != STORE_OK)
        log_error("scheduler: %s no longer holds the daily bill run (its lease ran out and "
                  "another node took it over; both runs bill each period once)",
                  l->sc->node);
}

/* Runs today's bill run unless it is done (here or on another node) or another node is running
 * it. The day done is kept in scheduled_jobs, not as the date of the last manual `cobro
 * bill-run`: that one may have been run --at a date in the future, and must not switch the daily
 * run off until then. A manual run for today or later leaves nothing due, so running after it
 * only costs a query. */
static void maybe_run(struct scheduler *sc, store_t *s)
{
    int64_t now = clock_now();
    date_t today = date_from_unix(now);
    char day[11];
    date_format(today, day);
    bool claimed = false;
    if (store_job_claim(s, BILL_RUN_JOB, day, sc->node, now, now + JOB_LEASE_S, &claimed) !=
        STORE_OK) {
        log_error("scheduler: cannot claim the daily bill run of %s", day);
        return;
    }
    if (!claimed) return;
    log_info("scheduler: %s runs the daily bill run of %s", sc->node, day);
    bill_run_stats_t stats;
    lease_t lease = {sc, s};
    bool ok = bill_run_with_settings(&s, 1, today, now, sc->base_url, &stats, renew_lease, &lease);
    if (store_job_finish(s, BILL_RUN_JOB, sc->node, ok ? day : NULL) != STORE_OK)
        log_error("scheduler: cannot record the end of the daily bill run of %s", day);
    if (stats.emails > 0 && sc->mailer) mailer_wake(sc->mailer);
}

static void *scheduler_main(void *arg)
{
    struct scheduler *sc = arg;
    char err[256];
    store_t *s = store_open(sc->db_path, err, sizeof err);
    if (!s) {
        log_error("scheduler: %s", err);
        return NULL;
    }
    services_t *svc = services_new(s);
    pthread_mutex_lock(&sc->mu);
    while (!sc->stop) {
        pthread_mutex_unlock(&sc->mu);
        maybe_run(sc, s);
        po_reminders(sc, s);
        if (svc) expire_quotes(svc);
        pthread_mutex_lock(&sc->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += CHECK_EVERY_S;
        while (!sc->stop && pthread_cond_timedwait(&sc->cv, &sc->mu, &until) == 0) {
        }
    }
    pthread_mutex_unlock(&sc->mu);
    if (svc) services_free(svc);
    store_close(s);
    return NULL;
}

scheduler_t *scheduler_start(const char *db_path, const char *base_url, mailer_t *mailer)
{
    struct scheduler *sc = calloc(1, sizeof *sc);
    if (!sc) return NULL;
    sc->db_path = strdup(db_path);
    sc->base_url = strdup(base_url ? base_url : "");
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    snprintf(sc->node, sizeof sc->node, "%s:%ld:%08x", host[0] ? host : "node", (long)getpid(),
             (unsigned)randombytes_random());
    sc->mailer = mailer;
    pthread_mutex_init(&sc->mu, NULL);
    pthread_cond_init(&sc->cv, NULL);
    if (!sc->db_path || !sc->base_url ||
        pthread_create(&sc->thread, NULL, scheduler_main, sc) != 0) {
        free(sc->db_path);
        free(sc->base_url);
        free(sc);
        return NULL;
    }
    return sc;
}

void scheduler_stop(scheduler_t *sc)
{
    if (!sc) return;
    pthread_mutex_lock(&sc->mu);
    sc->stop = true;
    pthread_cond_signal(&sc->cv);
    pthread_mutex_unlock(&sc->mu);
    pthread_join(sc->thread, NULL);
    pthread_mutex_destroy(&sc->mu);
    pthread_cond_destroy(&sc->cv);
    free(sc->db_path);
    free(sc->base_url);
    free(sc);
}
