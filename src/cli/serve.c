/* cobro serve: the portals and the staff console over HTTP, with the mailer and the daily jobs. */
#include "cli/cli.h"
#include "store/store.h"
#include "http/server.h"
#include "util/clock.h"
#include "util/log.h"
#include "workers/mailer.h"
#include "workers/payments_worker.h"
#include "workers/scheduler.h"
#include "payments/gateway.h"
#include "services/payments.h"

#include <stdio.h>
#include <stdlib.h>

static const char usage_serve[] =
    "Usage: cobro serve [OPTIONS]\n"
    "\n"
    "Applies pending migrations, then serves http://LISTEN until SIGTERM or SIGINT.\n"
    "\n"
    "  --db DB              a SQLite file, or a PostgreSQL connection string such as\n"
    "                       postgresql://cobro@db1,db2/cobro?target_session_attrs=read-write\n"
    "                       (its password in PGPASSFILE or passfile=, never in DB)\n"
    "                       (COBRO_DB, default var/cobro.db)\n"
    "  --data-key-file PATH key that seals bank numbers at rest (COBRO_DATA_KEY_FILE, default\n"
    "                       the database path + .key, required for PostgreSQL: the same\n"
    "                       file on every node; made for a new database)\n"
    "  --listen HOST:PORT   address to listen on (COBRO_LISTEN, default 127.0.0.1:8080)\n"
    "  --base-url URL       public URL used in emailed links (COBRO_BASE_URL,\n"
    "                       default http://LISTEN)\n"
    "  --smtp-url URL       smtp://HOST:PORT or smtps://HOST:PORT (COBRO_SMTP_URL); without it\n"
    "                       every email is written as an .eml file into the mail directory\n"
    "  --mail-from FROM     sender, \"Name <addr>\" or addr (COBRO_MAIL_FROM)\n"
    "  --mail-dir DIR       where .eml files go without SMTP (COBRO_MAIL_DIR, default var/mail)\n"
    "  --mail-retry-base S  seconds before retrying a failed email (COBRO_MAIL_RETRY_BASE,\n"
    "                       default 60), doubled after each failure up to:\n"
    "  --mail-retry-max S   the longest wait between two attempts (COBRO_MAIL_RETRY_MAX,\n"
    "                       default 3600). An email is retried until it is sent; only one the\n"
    "                       mail server refuses (5xx) 3 times in a row is marked failed: see\n"
    "                       cobro outbox --help\n"
    "  --threads N          event loops (COBRO_THREADS, default one per core)\n"
    "  --workers N          threads for blocking work (COBRO_WORKERS, default 4)\n"
    "  --queue-max N        blocking requests that may wait for a worker (COBRO_QUEUE_MAX,\n"
    "                       default 1024); beyond, 503 with Retry-After at once\n"
    "  --request-timeout S  a request must arrive whole within S seconds of its connection\n"
    "                       opening or of the previous answer, else the connection is closed\n"
    "                       (COBRO_REQUEST_TIMEOUT, default 10); also how long a kept-alive\n"
    "                       connection may stay idle\n"
    "  --trusted-proxy ADDR a reverse proxy (an IPv4/IPv6 address or a CIDR range; repeat the\n"
    "                       flag for more) whose X-Forwarded-For is believed: the client is\n"
    "                       the right-most address in it that is not a trusted proxy\n"
    "                       (COBRO_TRUSTED_PROXY, comma-separated). From any other peer the\n"
    "                       header is ignored\n"
    "  --no-access-log      do not log one line per request (COBRO_ACCESS_LOG=0)\n"
    "  --no-bill-run        run no daily jobs on this node: bill run, purchase-order\n"
    "                       reminders (COBRO_BILL_RUN=0)\n"
    "  --payments MODE      sandbox (the default: cobro's own test checkout, no real money),\n"
    "                       stripe or off (COBRO_PAYMENTS); see docs/payments.md\n"
    "  --allow-test-payments  run the sandbox even at an https base URL\n"
    "                       (COBRO_ALLOW_TEST_PAYMENTS=1)\n"
    "  --stripe-key-file F  the file holding the Stripe secret key (COBRO_STRIPE_KEY_FILE)\n"
    "  --stripe-webhook-secret-file F  the webhook signing secret, or two lines while one\n"
    "                       is rotated (COBRO_STRIPE_WEBHOOK_SECRET_FILE)\n"
    "  --stripe-api-url URL Stripe's API (COBRO_STRIPE_API_URL, default\n"
    "                       https://api.stripe.com; tests name their fake)\n";

/* A vendor setting from the database, or fallback when it has none. */
static const char *setting_or(store_t *s, arena_t *a, const char *key, const char *fallback)
{
    char *v = NULL;
    return store_setting(s, a, key, &v) == STORE_OK ? v : fallback;
}

int cmd_serve(int argc, char **argv)
{
    config_t cfg;
    int rc = cli_load_config(
        &cfg, CFG_DB | CFG_LISTEN | CFG_BASE_URL | CFG_SMTP | CFG_THREADS | CFG_PAYMENTS, argc,
        argv, usage_serve);
    if (rc >= 0) return rc;
    data_key_t key;
    store_t *s = cli_open_store(&cfg, &key);
    if (!s) return 1;
    arena_t *a = arena_new();
    app_t app = {.cfg = &cfg};
    char *secret = NULL;
    if (store_server_secret(s, a, &secret) != STORE_OK) {
        fprintf(stderr, "cobro: the database has no server secret; run cobro migrate\n");
        store_close(s);
        return 1;
    }
    app.secret = secret;
    app.data_key = &key;
    app.vendor_name = setting_or(s, a, "vendor_name", "Vendor, Inc.");
    app.care_email = setting_or(s, a, "care_email", "care@vendor.example");
    app.care_phone = setting_or(s, a, "care_phone", "+1 800 555 0123");
    app.cas_email = setting_or(s, a, "cas_email", "cas@vendor.example");
    app.cas_phone = setting_or(s, a, "cas_phone", "+1 800 555 0145");

    /* Failed emails wait for an operator: say so at every start, not only when they failed. */
    outbox_counts_t oc;
    if (store_outbox_counts(s, &oc) == STORE_OK && oc.failed > 0)
        log_error("%lld emails failed (their recipient or content was refused) and are not"
                  " retried: see `cobro outbox list --failed`, and `cobro outbox retry` once the"
                  " cause is fixed",
                  (long long)oc.failed);
    store_close(s);

    gateway_t *gateway = cli_payment_gateway(&cfg, secret);
    if (!gateway && cfg.payments != PAYMENTS_OFF) {
        arena_free(a);
        return 1;
    }
    payments_init(gateway);
    payments_set_base_url(cfg.base_url);

    mailer_config_t mc = {.db_path = cfg.db_path,
                          .smtp_url = cfg.smtp_url,
                          .mail_from = cfg.mail_from,
                          .mail_dir = cfg.mail_dir,
                          .retry_base_s = cfg.mail_retry_base,
                          .retry_max_s = cfg.mail_retry_max};
    app.mailer = mailer_start(&mc);
    if (!app.mailer) {
        fprintf(stderr, "cobro: cannot start the email delivery worker\n");
        arena_free(a);
        return 1;
    }
    scheduler_t *scheduler =
        cfg.bill_run ? scheduler_start(cfg.db_path, cfg.base_url, app.mailer) : NULL;
    if (cfg.bill_run && !scheduler) {
        fprintf(stderr, "cobro: cannot start the bill-run scheduler\n");
        mailer_stop(app.mailer);
        arena_free(a);
        return 1;
    }
    payments_worker_t *payments = gateway ? payments_worker_start(cfg.db_path, app.mailer) : NULL;
    if (gateway && !payments) {
        fprintf(stderr, "cobro: cannot start the payments worker\n");
        scheduler_stop(scheduler);
        mailer_stop(app.mailer);
        gateway_free(gateway);
        arena_free(a);
        return 1;
    }
    if (clock_is_set()) log_info("the clock was set by COBRO_NOW: it is %s", getenv("COBRO_NOW"));
    if (!cfg.smtp_url || !*cfg.smtp_url)
        log_info("no SMTP URL set: emails are written as .eml files into %s", cfg.mail_dir);
    rc = server_run(&app);
    payments_worker_stop(payments);
    payments_init(NULL);
    gateway_free(gateway);
    scheduler_stop(scheduler);
    mailer_stop(app.mailer);
    arena_free(a);
    return rc;
}
