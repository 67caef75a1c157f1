/* The outbox delivery worker: claims due messages, sends them, and schedules retries. */
#include "mailer.h"
#include "services/invoices.h"
#include "services/quote_docs.h"
#include "services/mail.h"
#include "smtp.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/email_addr.h"
#include "util/log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    MARK_TRIES = 3,
    MARK_PAUSE_FIRST_MS = 50,
    MARK_PAUSE_MAX_MS = 2000,
};

struct mailer {
    mailer_config_t cfg; /* strings below are owned copies */
    char *db_path, *smtp_url, *mail_from, *mail_dir;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, wake;
    bool ready, open_failed; /* the worker's report of its store_open, for mailer_start */
};

int64_t mailer_backoff(int64_t attempts, int64_t base, int64_t max)
{
    if (base < 1) base = 1;
    if (max < base) max = base;
    int64_t d = base;
    /* Stops doubling at the cap, so attempts in the thousands cannot overflow. */
    for (int64_t i = 1; i < attempts && d < max; i++)
        d *= 2;
    return d < max ? d : max;
}

static bool should_stop(mailer_t *m)
{
    if (!m) return false;
    pthread_mutex_lock(&m->mu);
    bool s = m->stop;
    pthread_mutex_unlock(&m->mu);
    return s;
}

/* The outcome marks retry a busy or unreachable database: the message has already left, and a
 * lost mark means sending it again when the lease ends. A database that restarts or fails over
 * is back within seconds, so a mark keeps trying, with pauses growing to MARK_PAUSE_MAX_MS, for
 * up to half the lease; a mailer asked to stop gives up after MARK_TRIES. */
typedef enum { MARK_SENT, MARK_RETRY, MARK_GIVE_UP } mark_t;

static void pause_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

static store_status_t mark(mailer_t *m, store_t *s, mark_t which, int64_t id, int64_t t,
                           int64_t rejections, const char *error)
{
    store_status_t r = STORE_BUSY;
    int waited_ms = 0, pause = MARK_PAUSE_FIRST_MS;
    for (int i = 1;; i++) {
        if (which == MARK_SENT)
            r = store_outbox_sent(s, id, t);
        else if (which == MARK_RETRY)
            r = store_outbox_retry(s, id, t, rejections, error);
        else
            r = store_outbox_give_up(s, id, t, rejections, error);
        if (r != STORE_BUSY) break;
        if (i >= MARK_TRIES && (should_stop(m) || waited_ms >= MAILER_LEASE_S * 1000 / 2)) break;
        pause_ms(pause);
        waited_ms += pause;
        pause = pause * 2 < MARK_PAUSE_MAX_MS ? pause * 2 : MARK_PAUSE_MAX_MS;
    }
    return r;
}

/* Turns the kind into a file-name-safe word (it comes from the database). */
static void safe_kind(const char *kind, char *out, size_t n)
{
    size_t j = 0;
    for (const char *p = kind ? kind : ""; *p && j + 1 < n; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        out[j++] = ok ? c : '_';
    }
    out[j] = '\0';
}

/* One attempt at one claimed message. Returns 1 delivered, 0 not, -1 store failure. */
static int attempt(mailer_t *m, store_t *s, const mailer_config_t *cfg, const email_t *e,
                   arena_t *a, int64_t now)
{
    buf_t msg;
    buf_init(&msg, a);
    const char *from = cfg->mail_from ? cfg->mail_from : "";
    char err[512] = "";
    bool ok = true;
    /* A failure here (rendering, the .eml directory) is ours, never the message's: temporary. */
    smtp_result_t result = SMTP_TEMPORARY;
    int64_t invoice_id = e->invoice_id;
    long long copy_of = 0;
    /* A copy of an invoice a request asked for (services/requests.c) names its invoice in
     * sender_ref: email_outbox.invoice_id keeps one invoice email per invoice and address. */
    if (!invoice_id && e->kind && strcmp(e->kind, "invoice_copy") == 0 && e->sender_ref &&
        sscanf(e->sender_ref, "invoice:%lld", &copy_of) == 1 && copy_of > 0)
        invoice_id = copy_of;
    if (invoice_id) {
        /* Invoices are immutable, so the PDF made now is the one the bill run would have made;
         * rendering here keeps a million-invoice bill run free of PDF work. */
        buf_t pdf;
        buf_init(&pdf, a);
        mail_attachment_t att = {.content_type = "application/pdf"};
        ok = invoice_pdf_for(s, a, invoice_id, &pdf, &att.filename, err, sizeof err);
        att.data = pdf.data;
        att.len = pdf.len;
        if (ok) mail_render_with(&msg, e, from, &att);
    } else if (e->quote_id) {
        /* A sent quote never changes either: its PDF now is the one the rep sent. */
        buf_t pdf;
        buf_init(&pdf, a);
        mail_attachment_t att = {.content_type = "application/pdf"};
        ok = quote_pdf_for(s, a, e->quote_id, &pdf, &att.filename, err, sizeof err);
        att.data = pdf.data;
        att.len = pdf.len;
        if (ok) mail_render_with(&msg, e, from, &att);
    } else {
        mail_render(&msg, e, from);
    }

    if (ok && cfg->smtp_url && *cfg->smtp_url) {
        char from_addr[EMAIL_MAX + 1];
        email_addr_part(from, from_addr, sizeof from_addr);
        result =
            smtp_send(cfg->smtp_url, from_addr, e->to_addr, msg.data, msg.len, err, sizeof err);
        ok = result == SMTP_SENT;
    } else if (ok) {
        char kind[64], name[96];
        safe_kind(e->kind, kind, sizeof kind);
        snprintf(name, sizeof name, "%06lld-%s", (long long)e->id, kind);
        ok = eml_write(cfg->mail_dir && *cfg->mail_dir ? cfg->mail_dir : ".", name, msg.data,
                       msg.len, err, sizeof err);
    }

    /* Refusals count in a row: any other failure means the last word on the message is not
     * yet said. */
    int64_t rejections = result == SMTP_REJECTED ? e->rejections + 1 : 0;
    store_status_t r;
    if (ok) {
        r = mark(m, s, MARK_SENT, e->id, now, 0, NULL);
        log_info("mail %lld %s to %s: sent (attempt %lld)", (long long)e->id, e->kind, e->to_addr,
                 (long long)e->attempts);
    } else if (rejections >= MAILER_REJECTIONS_MAX) {
        r = mark(m, s, MARK_GIVE_UP, e->id, now, rejections, err);
        log_error("mail %lld %s to %s: FAILED, refused %lld times in a row, no longer retried"
                  " (see `cobro outbox list --failed`; once the cause is fixed, `cobro outbox"
                  " retry %lld`): %s",
                  (long long)e->id, e->kind, e->to_addr, (long long)rejections, (long long)e->id,
                  err);
    } else {
        int64_t wait = mailer_backoff(
            e->attempts, cfg->retry_base_s > 0 ? cfg->retry_base_s : MAILER_RETRY_BASE_S,
            cfg->retry_max_s > 0 ? cfg->retry_max_s : MAILER_RETRY_MAX_S);
        r = mark(m, s, MARK_RETRY, e->id, now + wait, rejections, err);
        if (rejections)
            log_error("mail %lld %s to %s: attempt %lld refused (%lld of %d), retry in %llds: %s",
                      (long long)e->id, e->kind, e->to_addr, (long long)e->attempts,
                      (long long)rejections, MAILER_REJECTIONS_MAX, (long long)wait, err);
        else
            log_error("mail %lld %s to %s: attempt %lld failed, retry in %llds: %s",
                      (long long)e->id, e->kind, e->to_addr, (long long)e->attempts,
                      (long long)wait, err);
    }
    if (r != STORE_OK) {
        log_error("mail %lld: could not record the outcome (store status %d)", (long long)e->id,
                  (int)r);
        return -1;
    }
    return ok ? 1 : 0;
}

/* Sends what is due, one claimed row at a time. With a worker (m), "now" is read afresh for each
 * message and a stop request ends the loop between messages; a drain uses the given now. */
static int send_due(store_t *s, const mailer_config_t *cfg, int64_t now, mailer_t *m)
{
    /* A read first: the claim is an UPDATE, and taking the write lock every second for nothing
     * would contend with the web server's transactions. */
    int64_t due = 0;
    if (m) now = clock_now();
    if (store_outbox_next_due(s, &due) != STORE_OK) return -1;
    if (due == 0 || due > now) return 0;

    int delivered = 0;
    while (!should_stop(m)) {
        if (m) now = clock_now();
        arena_t *a = arena_new();
        if (!a) return -1;
        email_t e;
        store_status_t r = store_outbox_claim(s, a, now, MAILER_LEASE_S, &e);
        if (r == STORE_NOT_FOUND) {
            arena_free(a);
            break;
        }
        if (r != STORE_OK) {
            arena_free(a);
            return -1;
        }
        int k = attempt(m, s, cfg, &e, a, now);
        arena_free(a);
        if (k < 0) return -1;
        delivered += k;
    }
    return delivered;
}

int mailer_drain(const mailer_config_t *cfg, int64_t now)
{
    char err[256];
    store_t *s = store_open(cfg->db_path, err, (int)sizeof err);
    if (!s) {
        log_error("mailer: %s", err);
        return -1;
    }
    int n = send_due(s, cfg, now, NULL);
    store_close(s);
    return n;
}

/* The worker. curl_global_init is main()'s job (it is not thread-safe), never done here. */
static void *run(void *arg)
{
    mailer_t *m = arg;
    char err[256];
    store_t *s = store_open(m->cfg.db_path, err, (int)sizeof err);
    pthread_mutex_lock(&m->mu);
    m->ready = true;
    m->open_failed = !s;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
    if (!s) {
        log_error("mailer: %s", err);
        return NULL;
    }

    pthread_mutex_lock(&m->mu);
    while (!m->stop) {
        m->wake = false;
        pthread_mutex_unlock(&m->mu);
        if (send_due(s, &m->cfg, 0, m) < 0) log_error("mailer: store failure, will try again");
        pthread_mutex_lock(&m->mu);
        if (m->stop || m->wake) continue;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += 1;
        /* One wait per pass: a spurious wake-up only costs an early look at the outbox. */
        pthread_cond_timedwait(&m->cv, &m->mu, &until);
    }
    pthread_mutex_unlock(&m->mu);
    store_close(s);
    return NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void mailer_free(mailer_t *m)
{
    pthread_cond_destroy(&m->cv);
    pthread_mutex_destroy(&m->mu);
    free(m->db_path);
    free(m->smtp_url);
    free(m->mail_from);
    free(m->mail_dir);
    free(m);
}

mailer_t *mailer_start(const mailer_config_t *cfg)
{
    mailer_t *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    /* The caller's strings may not outlive the call; the worker keeps its own. */
    m->db_path = dup_or_null(cfg->db_path);
    m->smtp_url = dup_or_null(cfg->smtp_url);
    m->mail_from = dup_or_null(cfg->mail_from);
    m->mail_dir = dup_or_null(cfg->mail_dir);
    m->cfg = (mailer_config_t){m->db_path,  m->smtp_url,       m->mail_from,
                               m->mail_dir, cfg->retry_base_s, cfg->retry_max_s};
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* wall-clock jumps must not stall it */
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, &ca);
    pthread_condattr_destroy(&ca);
    if ((cfg->db_path && !m->db_path) || (cfg->smtp_url && !m->smtp_url) ||
        (cfg->mail_from && !m->mail_from) || (cfg->mail_dir && !m->mail_dir) ||
        pthread_create(&m->thread, NULL, run, m) != 0) {
        log_error("mailer: could not start the worker");
        mailer_free(m);
        return NULL;
    }
    /* Wait for the worker's store_open so that a bad database fails the start, not silently. */
    pthread_mutex_lock(&m->mu);
    while (!m->ready)
        pthread_cond_wait(&m->cv, &m->mu);
    bool failed = m->open_failed;
    pthread_mutex_unlock(&m->mu);
    if (failed) {
        pthread_join(m->thread, NULL);
        mailer_free(m);
        return NULL;
    }
    return m;
}

void mailer_wake(mailer_t *m)
{
    if (!m) return;
    pthread_mutex_lock(&m->mu);
    m->wake = true;
    pthread_cond_signal(&m->cv);
    pthread_mutex_unlock(&m->mu);
}

void mailer_stop(mailer_t *m)
{
    if (!m) return;
    pthread_mutex_lock(&m->mu);
    m->stop = true;
    pthread_cond_signal(&m->cv);
    pthread_mutex_unlock(&m->mu);
    pthread_join(m->thread, NULL);
    mailer_free(m);
}
