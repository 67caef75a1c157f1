/* Settings from command-line flags and environment variables, checked before start-up. */
#ifndef COBRO_CONFIG_H
#define COBRO_CONFIG_H
#include "http/client_addr.h"
#include <stdbool.h>
#include <stdint.h>

enum { CONFIG_PROXIES_MAX = 64 };

typedef enum { PAYMENTS_SANDBOX = 0, PAYMENTS_STRIPE, PAYMENTS_OFF } payments_mode_t;

typedef struct {
    const char *db_path; /* --db / COBRO_DB, default var/cobro.db */
    /* --data-key-file / COBRO_DATA_KEY_FILE, default db_path.key; NULL for a PostgreSQL
     * database named without one */
    const char *data_key_path;
    const char *listen; /* --listen / COBRO_LISTEN, default 127.0.0.1:8080 */
    char host[64];      /* parsed from listen */
    int port;
    const char *base_url;  /* --base-url / COBRO_BASE_URL, default http://<listen> */
    bool secure_cookies;   /* base_url starts with https:// */
    const char *smtp_url;  /* --smtp-url / COBRO_SMTP_URL, default none: .eml files */
    const char *mail_from; /* --mail-from / COBRO_MAIL_FROM, default "cobro <billing@localhost>" */
    const char *mail_dir;  /* --mail-dir / COBRO_MAIL_DIR, default var/mail */
    /* Seconds between email attempts: the first wait, doubled after each failure up to the cap
     * (--mail-retry-base / COBRO_MAIL_RETRY_BASE, --mail-retry-max / COBRO_MAIL_RETRY_MAX);
     * 0 when not set, for the mailer's defaults (1 minute, 1 hour). */
    int mail_retry_base, mail_retry_max;
    int threads;         /* --threads / COBRO_THREADS: event loops, default one per core */
    int workers;         /* --workers / COBRO_WORKERS: blocking-work threads, default 4 */
    int queue_max;       /* --queue-max / COBRO_QUEUE_MAX: blocking jobs waiting, default 1024 */
    int request_timeout; /* --request-timeout / COBRO_REQUEST_TIMEOUT: seconds, default 10 */
    /* --trusted-proxy (repeatable) / COBRO_TRUSTED_PROXY (comma-separated): peers whose
     * X-Forwarded-For is believed. */
    ipnet_t trusted_proxies[CONFIG_PROXIES_MAX];
    int n_trusted_proxies;
    bool access_log; /* --no-access-log / COBRO_ACCESS_LOG=0 turns it off */
    bool bill_run;   /* --no-bill-run / COBRO_BILL_RUN=0: this node runs no daily bill run */
    /* --payments / COBRO_PAYMENTS: sandbox (the default), stripe or off (docs/payments.md). */
    payments_mode_t payments;
    bool allow_test_payments;    /* --allow-test-payments: the sandbox on an https base URL */
    const char *stripe_key_file; /* --stripe-key-file / COBRO_STRIPE_KEY_FILE */
    const char *stripe_webhook_secret_file; /* --stripe-webhook-secret-file: 1 or 2 lines */
    const char *stripe_api_url;             /* --stripe-api-url: https://api.stripe.com */
} config_t;

typedef enum { CONFIG_OK = 0, CONFIG_HELP, CONFIG_ERROR } config_status_t;

/* Which settings a subcommand takes (flags not listed are refused). */
enum {
    CFG_DB = 1 << 0,
    CFG_LISTEN = 1 << 1,
    CFG_BASE_URL = 1 << 2,
    CFG_SMTP = 1 << 3,     /* --smtp-url, --mail-from, --mail-dir, --mail-retry-base/-max */
    CFG_THREADS = 1 << 4,  /* --threads, --workers, --queue-max, --request-timeout,
                              --trusted-proxy, --no-access-log, --no-bill-run */
    CFG_PAYMENTS = 1 << 5, /* --payments, --allow-test-payments, --stripe-* */
};

/* Fills cfg from defaults, then the environment (env may be NULL for none; it is a NULL-ended
 * array of "NAME=value"), then argv (flags "--name value" or "--name=value"). On CONFIG_ERROR,
 * err holds one line naming the setting and what is wrong with it. argv[0] is the subcommand. */
config_status_t config_load(config_t *cfg, unsigned accepted, int argc, char **argv,
                            char *const *env, char *err, int err_size);

/* Checks a host:port, a URL, an SMTP URL, a From address; false with a reason in err. */
bool config_parse_listen(const char *listen, char host[64], int *port, char *err, int err_size);
bool config_check_base_url(const char *url, char *err, int err_size);
bool config_check_smtp_url(const char *url, char *err, int err_size);
bool config_check_mail_from(const char *from, char *err, int err_size);
/* A whole number from 1 to max, in digits only (no sign, no spaces): a count, seconds, an id. */
bool config_parse_whole(const char *s, int64_t max, int64_t *out);
/* Adds the comma-separated addresses or CIDR ranges of list to nets (*n of them so far, at most
 * CONFIG_PROXIES_MAX); false with a reason in err. */
bool config_parse_proxies(const char *list, ipnet_t *nets, int *n, char *err, int err_size);

#endif
