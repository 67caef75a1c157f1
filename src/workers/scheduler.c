/* The server's own clock work, checked at start and every hour: the daily bill run and the
 * purchase-order expiry reminders. */
#include "scheduler.h"
#include "store/store.h"
#include "services/bill_run_cli.h"
#include "services/settings.h"
#include "util/log.h"
#include "util/clock.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { CHECK_EVERY_S = 3600 };

struct scheduler {
    char *db_path, *base_url;
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

/* The vendor setting holding the last day this daily run completed, on any node. Its own key,
 * not the date of the last manual `cobro bill-run`: that one may have been run --at a date in
 * the future, and must not switch the daily run off until then. */
static const char DAILY_RUN_KEY[] = "daily_bill_run";

/* Runs today's bill run unless the daily run already did (here or on another node). A manual
 * run for today or later leaves nothing due, so running after it only costs a query. */
static void maybe_run(struct scheduler *sc, store_t *s)
{
    int64_t now = clock_now();
    date_t today = date_from_unix(now);
    char day[11];
    date_format(today, day);
    arena_t *a = arena_new();
    char *last = NULL;
    bool due = store_setting(s, a, DAILY_RUN_KEY, &last) != STORE_OK || strcmp(last, day) < 0;
    arena_free(a);
    if (!due) return;
    bill_run_stats_t stats;
    if (!bill_run_with_settings(s, today, now, sc->base_url, &stats)) return;
    if (store_set_setting(s, DAILY_RUN_KEY, day) != STORE_OK)
        log_error("scheduler: cannot record the bill run of %s", day);
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
    pthread_mutex_lock(&sc->mu);
    while (!sc->stop) {
        pthread_mutex_unlock(&sc->mu);
        maybe_run(sc, s);
        po_reminders(sc, s);
        pthread_mutex_lock(&sc->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += CHECK_EVERY_S;
        while (!sc->stop && pthread_cond_timedwait(&sc->cv, &sc->mu, &until) == 0) {
        }
    }
    pthread_mutex_unlock(&sc->mu);
    store_close(s);
    return NULL;
}

scheduler_t *scheduler_start(const char *db_path, const char *base_url, mailer_t *mailer)
{
    struct scheduler *sc = calloc(1, sizeof *sc);
    if (!sc) return NULL;
    sc->db_path = strdup(db_path);
    sc->base_url = strdup(base_url ? base_url : "");
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
