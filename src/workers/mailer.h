/* The email delivery worker: sends outbox rows over SMTP (or writes .eml files), with retries. */
#ifndef COBRO_MAILER_H
#define COBRO_MAILER_H
#include <stdbool.h>
#include <stdint.h>

typedef struct mailer mailer_t;

enum {
    MAILER_RETRY_BASE_S = 60,  /* the wait after a first failed attempt */
    MAILER_RETRY_MAX_S = 3600, /* the longest wait between two attempts */
    MAILER_REJECTIONS_MAX = 3, /* refusals in a row that mark a message failed */
    MAILER_LEASE_S = 300,      /* a claim's length: longer than one SMTP attempt (60 s time-out) */
};

typedef struct {
    const char *db_path;
    const char *smtp_url;  /* NULL or "": write .eml files into mail_dir instead of sending */
    const char *mail_from; /* "Name <addr>" or addr */
    const char *mail_dir;  /* e.g. "var/mail" */
    int retry_base_s;      /* 0: MAILER_RETRY_BASE_S */
    int retry_max_s;       /* 0: MAILER_RETRY_MAX_S; never below the base */
} mailer_config_t;

/* Starts the worker thread with its own store connection. It wakes every second (and at once on
 * mailer_wake) to send what is due: at most one attempt per row at a time. A failed attempt is
 * retried after 1, 2, 4... minutes, capped at 1 hour, for as long as it takes: a message is never
 * given up for a failure another attempt may get past (no connection, time-out, 4xx reply, a
 * server or set-up problem). Only a message the server refuses itself (5xx to its recipient or
 * content) MAILER_REJECTIONS_MAX times in a row is marked failed, with a log line, until an
 * operator requeues it (cobro outbox retry). */
mailer_t *mailer_start(const mailer_config_t *cfg);
/* Asks the worker to look at the outbox now (after a commit that queued mail). Thread-safe. */
void mailer_wake(mailer_t *m);
/* Stops the worker after the message in flight; NULL is accepted. */
void mailer_stop(mailer_t *m);

/* Sends every due message once, on the calling thread (for `cobro` subcommands and tests).
 * Returns the number of messages delivered, or -1 when the store failed. */
int mailer_drain(const mailer_config_t *cfg, int64_t now);

/* The wait before the next attempt after the attempts-th failed one: base, then doubled each
 * time, never more than max (nor less than base). */
int64_t mailer_backoff(int64_t attempts, int64_t base, int64_t max);

#endif
