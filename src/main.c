/* cobro's command line: serve, migrate, demo. */
#include "config.h"
#include "http/server.h"
#include "billing/calendar.h"
#include "render/invoice_pdf.h"
#include "services/bill_run_cli.h"
#include "services/data_key.h"
#include "services/demo.h"
#include "services/invoices.h"
#include "store/store.h"
#include "util/log.h"
#include "util/clock.h"
#include "util/token.h"
#include "workers/mailer.h"
#include "workers/scheduler.h"

#include <curl/curl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern char **environ;

static const char usage_main[] =
    "Usage: cobro COMMAND [OPTIONS]\n"
    "\n"
    "Subscription billing server with self-service billing portals.\n"
    "\n"
    "Commands:\n"
    "  serve     serve the portals and the staff console over HTTP\n"
    "  migrate   create or update the database schema\n"
    "  demo      load the demo data (safe to run twice)\n"
    "  bill-run  renew due subscriptions and issue their invoices\n"
    "  invoice   write an invoice's PDF (cobro invoice pdf NUMBER -o FILE)\n"
    "  outbox    list the emails not yet sent, and requeue failed ones\n"
    "\n"
    "Run 'cobro COMMAND --help' for the options of a command.\n"
    "\n"
    "Every command reads the time from one clock. COBRO_NOW=YYYY-MM-DD[THH:MM:SS[.fff]Z] (UTC)\n"
    "starts that clock at the given instant instead of the system's time; it then runs on as\n"
    "usual. Tests and demos use it so that nothing depends on the day they run.\n";

static const char usage_serve[] =
    "Usage: cobro serve [OPTIONS]\n"
    "\n"
    "Applies pending migrations, then serves http://LISTEN until SIGTERM or SIGINT.\n"
    "\n"
    "  --db PATH            database file (COBRO_DB, default var/cobro.db)\n"
    "  --data-key-file PATH key that seals bank numbers at rest (COBRO_DATA_KEY_FILE, default\n"
    "                       the database path + .key; made for a new database)\n"
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
    "                       reminders (COBRO_BILL_RUN=0)\n";

static const char usage_migrate[] =
    "Usage: cobro migrate [--db PATH]\n"
    "\n"
    "Creates the database when absent and applies the migrations it lacks.\n"
    "  --db PATH   database file (COBRO_DB, default var/cobro.db)\n"
    "  --data-key-file PATH  key that seals bank numbers at rest (COBRO_DATA_KEY_FILE,\n"
    "              default the database path + .key; made for a new database)\n";

static const char usage_bill_run[] =
    "Usage: cobro bill-run [--at YYYY-MM-DD] [--db PATH] [--base-url URL]\n"
    "\n"
    "Renews every active subscription whose period ends on or before the date (default: today,\n"
    "UTC): one invoice per account, numbered without gaps, with its emails queued. Running it\n"
    "again for the same date writes nothing new; a run that was killed can simply be run again.\n"
    "The server also runs it by itself once a day.\n"
    "  --at DATE       the run date, which is the invoices' issue date (9998-12-31 at the\n"
    "                  latest: renewals run up to a year past it)\n"
    "  --db PATH       database file (COBRO_DB, default var/cobro.db)\n"
    "  --data-key-file PATH  the database's data key (COBRO_DATA_KEY_FILE, default PATH.key)\n"
    "  --base-url URL  portal URL named in the invoice emails (COBRO_BASE_URL)\n";

static const char usage_invoice[] =
    "Usage: cobro invoice pdf NUMBER -o FILE [--db PATH]\n"
    "\n"
    "Writes the PDF of the invoice NUMBER (e.g. INV-2026-000001) to FILE.\n";

static const char usage_outbox[] =
    "Usage: cobro outbox list [--failed] [--limit N] [--db PATH]\n"
    "       cobro outbox retry (ID... | --all) [--db PATH]\n"
    "\n"
    "The emails not yet sent. An email that fails for a reason another attempt may get past (no\n"
    "connection, a time-out, a 4xx reply, a refused login or sender) is retried until it is\n"
    "sent, waiting at most an hour (serve --mail-retry-max) between attempts. One the mail server\n"
    "refuses itself (a 5xx reply to its recipient or content) 3 times in a row is marked failed\n"
    "and waits for an operator.\n"
    "  list          one line per unsent email: failed first, then the most attempts first\n"
    "    --failed    only the failed ones\n"
    "    --limit N   at most N lines (default 100)\n"
    "  retry ID...   requeue these emails: a failed one is retried again, a waiting one is due\n"
    "                now; a running server sends them within seconds. A sent email is never\n"
    "                sent again.\n"
    "  retry --all   the same for every unsent email (after fixing the cause of failures)\n"
    "  --db PATH     database file (COBRO_DB, default var/cobro.db)\n"
    "  --data-key-file PATH  the database's data key (COBRO_DATA_KEY_FILE, default PATH.key)\n";

static const char usage_demo[] =
    "Usage: cobro demo [--db PATH]\n"
    "\n"
    "Applies migrations and loads the demo products, accounts, users and staff.\n"
    "Every demo password is '" DEMO_PASSWORD "'. Running it again changes nothing.\n"
    "  --db PATH   database file (COBRO_DB, default var/cobro.db)\n"
    "  --data-key-file PATH  key that seals bank numbers at rest (COBRO_DATA_KEY_FILE,\n"
    "              default the database path + .key; made for a new database)\n";

/* Opens and migrates the database and opens its data key; NULL after printing why. */
static store_t *open_store(const config_t *cfg, data_key_t *key)
{
    char err[512];
    store_t *s = store_open(cfg->db_path, err, sizeof err);
    if (!s) {
        fprintf(stderr, "cobro: %s\n", err);
        return NULL;
    }
    int from = 0, to = 0;
    if (store_migrate(s, &from, &to) != STORE_OK) {
        fprintf(stderr, "cobro: cannot migrate database %s\n", cfg->db_path);
        store_close(s);
        return NULL;
    }
    if (to != from) log_info("database %s migrated from version %d to %d", cfg->db_path, from, to);
    if (!data_key_open(s, cfg->data_key_path, key, err, sizeof err)) {
        fprintf(stderr, "cobro: %s\n", err);
        store_close(s);
        return NULL;
    }
    return s;
}

/* Loads the flags of a subcommand; returns -1 to go on, else the exit status. */
static int load_config(config_t *cfg, unsigned accepted, int argc, char **argv, const char *usage)
{
    char err[512];
    switch (config_load(cfg, accepted, argc, argv, environ, err, sizeof err)) {
    case CONFIG_HELP:
        fputs(usage, stdout);
        return 0;
    case CONFIG_ERROR:
        fprintf(stderr, "cobro %s: %s\n", argv[0], err);
        return 2;
    default:
        return -1;
    }
}

static const char *setting_or(store_t *s, arena_t *a, const char *key, const char *fallback)
{
    char *v = NULL;
    return store_setting(s, a, key, &v) == STORE_OK ? v : fallback;
}

static int cmd_serve(int argc, char **argv)
{
    config_t cfg;
    int rc = load_config(&cfg, CFG_DB | CFG_LISTEN | CFG_BASE_URL | CFG_SMTP | CFG_THREADS, argc,
                         argv, usage_serve);
    if (rc >= 0) return rc;
    data_key_t key;
    store_t *s = open_store(&cfg, &key);
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
    if (clock_is_set())
        log_info("the clock was set by COBRO_NOW: it is %s", getenv("COBRO_NOW"));
    if (!cfg.smtp_url || !*cfg.smtp_url)
        log_info("no SMTP URL set: emails are written as .eml files into %s", cfg.mail_dir);
    rc = server_run(&app);
    scheduler_stop(scheduler);
    mailer_stop(app.mailer);
    arena_free(a);
    return rc;
}

static int cmd_migrate(int argc, char **argv)
{
    config_t cfg;
    int rc = load_config(&cfg, CFG_DB, argc, argv, usage_migrate);
    if (rc >= 0) return rc;
    data_key_t key;
    store_t *s = open_store(&cfg, &key);
    if (!s) return 1;
    printf("database %s is at the latest schema version\n", cfg.db_path);
    store_close(s);
    return 0;
}

static int cmd_demo(int argc, char **argv)
{
    config_t cfg;
    int rc = load_config(&cfg, CFG_DB, argc, argv, usage_demo);
    if (rc >= 0) return rc;
    data_key_t key;
    store_t *s = open_store(&cfg, &key);
    if (!s) return 1;
    char err[256];
    bool ok = demo_load(s, clock_now(), err, sizeof err);
    store_close(s);
    if (!ok) {
        fprintf(stderr, "cobro demo: %s\n", err);
        return 1;
    }
    printf("Demo data loaded into %s. Every password is '%s'.\n"
           "  Corporate Billing Portal  /corporate  User ID acme-billing (Acme Corporation)\n"
           "                                        User ID ap@globex.example (Globex Italia, in "
           "Italian)\n"
           "  Billing Center            /billing    owner@initech.example (billing administrator)\n"
           "                                        user@initech.example (member)\n"
           "  Staff console             /staff      rep@vendor.example, cas@vendor.example,\n"
           "                                        care@vendor.example, admin@vendor.example\n",
           cfg.db_path, DEMO_PASSWORD);
    return 0;
}

/* Removes "NAME VALUE" or "NAME=VALUE" from argv (so config_load never sees it) and returns
 * VALUE; NULL when absent. *missing is set when NAME comes without a value. */
static const char *take_option(int *argc, char **argv, const char *name, bool *missing)
{
    size_t len = strlen(name);
    for (int i = 1; i < *argc; i++) {
        const char *value = NULL;
        int used = 0;
        if (strcmp(argv[i], name) == 0) {
            if (i + 1 >= *argc) {
                *missing = true;
                (*argc)--;
                argv[i] = NULL;
                return NULL;
            }
            value = argv[i + 1], used = 2;
        } else if (strncmp(argv[i], name, len) == 0 && argv[i][len] == '=') {
            value = argv[i] + len + 1, used = 1;
        } else {
            continue;
        }
        memmove(&argv[i], &argv[i + used], (size_t)(*argc - i - used + 1) * sizeof *argv);
        *argc -= used;
        return value;
    }
    return NULL;
}

static int cmd_bill_run(int argc, char **argv)
{
    bool missing = false;
    const char *at_text = take_option(&argc, argv, "--at", &missing);
    int64_t now = clock_now();
    date_t at = date_from_unix(now);
    if (missing || (at_text && !date_parse(at_text, &at))) {
        fprintf(stderr, "cobro bill-run: --at \"%s\": expected a date YYYY-MM-DD\n",
                at_text ? at_text : "");
        return 2;
    }
    /* Refused here, in one line, rather than by the store half-way through the run. */
    if (at.y > BILL_RUN_LAST_YEAR) {
        fprintf(stderr, "cobro bill-run: --at \"%s\": run dates after %d-12-31 are not supported\n",
                at_text ? at_text : "", BILL_RUN_LAST_YEAR);
        return 2;
    }
    config_t cfg;
    int rc = load_config(&cfg, CFG_DB | CFG_BASE_URL, argc, argv, usage_bill_run);
    if (rc >= 0) return rc;
    data_key_t key;
    store_t *s = open_store(&cfg, &key);
    if (!s) return 1;
    bill_run_stats_t stats;
    bool ok = bill_run_with_settings(s, at, now, cfg.base_url, &stats);
    store_close(s);
    char day[11];
    date_format(at, day);
    printf("bill run %s: %lld invoices (%lld lines) for %lld accounts; %lld subscriptions renewed,"
           " %lld ended; %lld emails queued\n",
           day, (long long)stats.invoices, (long long)stats.lines, (long long)stats.accounts,
           (long long)stats.renewed, (long long)stats.ended, (long long)stats.emails);
    if (stats.skipped)
        printf("bill run %s: %lld accounts skipped: no tax rate for their address (see the log)\n",
               day, (long long)stats.skipped);
    return ok && !stats.skipped ? 0 : 1;
}

static int cmd_invoice(int argc, char **argv)
{
    bool missing = false;
    const char *file = take_option(&argc, argv, "-o", &missing);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage_invoice, stdout);
        return 0;
    }
    if (argc < 3 || strcmp(argv[1], "pdf") != 0 || missing || !file) {
        fputs(usage_invoice, stderr);
        return 2;
    }
    const char *number = argv[2];
    memmove(&argv[1], &argv[3], (size_t)(argc - 2) * sizeof *argv);
    argc -= 2;
    config_t cfg;
    int rc = load_config(&cfg, CFG_DB, argc, argv, usage_invoice);
    if (rc >= 0) return rc;
    data_key_t key;
    store_t *s = open_store(&cfg, &key);
    if (!s) return 1;
    arena_t *a = arena_new();
    invoice_doc_t inv;
    buf_t pdf;
    buf_init(&pdf, a);
    char err[256] = "";
    store_status_t st = invoice_load(s, a, number, 0, &inv);
    bool ok = st == STORE_OK && invoice_pdf_render(&inv, &pdf, err, sizeof err);
    store_close(s);
    if (st == STORE_NOT_FOUND) {
        fprintf(stderr, "cobro invoice: no invoice numbered %s\n", number);
    } else if (!ok) {
        fprintf(stderr, "cobro invoice: cannot render %s: %s\n", number, err);
    } else {
        FILE *f = strcmp(file, "-") == 0 ? stdout : fopen(file, "wb");
        ok = f && fwrite(pdf.data, 1, pdf.len, f) == pdf.len;
        if (f && f != stdout) ok = fclose(f) == 0 && ok;
        if (!ok) fprintf(stderr, "cobro invoice: cannot write %s\n", file);
    }
    arena_free(a);
    return ok ? 0 : 1;
}

/* Removes the switch name (a flag without a value) from argv; true when it was there. */
static bool take_switch(int *argc, char **argv, const char *name)
{
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], name) != 0) continue;
        memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i) * sizeof *argv);
        (*argc)--;
        return true;
    }
    return false;
}

/* "2026-11-22T10:00:00Z", or "-" for 0. */
static const char *utc(int64_t at, char out[32])
{
    time_t t = (time_t)at;
    struct tm tm;
    if (at <= 0 || !gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm)) return "-";
    return out;
}

static int outbox_list(store_t *s, bool failed_only, int limit)
{
    outbox_counts_t c;
    arena_t *a = arena_new();
    outbox_row_t *rows = NULL;
    size_t n = 0;
    if (!a || store_outbox_counts(s, &c) != STORE_OK ||
        store_outbox_list(s, a, failed_only, limit, &rows, &n) != STORE_OK) {
        fprintf(stderr, "cobro outbox: cannot read the outbox\n");
        arena_free(a);
        return 1;
    }
    printf("outbox: %lld waiting (%lld of them after a failed attempt), %lld failed\n",
           (long long)c.waiting, (long long)c.retrying, (long long)c.failed);
    if (n > 0)
        printf("%-8s %-7s %8s  %-20s  %-20s  %-15s %s  %s\n", "ID", "STATE", "ATTEMPTS", "QUEUED",
               "NEXT ATTEMPT/FAILED", "KIND", "TO", "LAST ERROR");
    int64_t now = clock_now();
    for (size_t i = 0; i < n; i++) {
        const outbox_row_t *r = &rows[i];
        const char *state = r->failed_at             ? "failed"
                            : r->claimed_until > now ? "sending"
                                                     : "waiting";
        char queued[32], when[32];
        printf("%-8lld %-7s %8lld  %-20s  %-20s  %-15s %s  %s\n", (long long)r->id, state,
               (long long)r->attempts, utc(r->created_at, queued),
               utc(r->failed_at ? r->failed_at : r->next_attempt_at, when), r->kind, r->to_addr,
               *r->last_error ? r->last_error : "-");
    }
    int64_t total = failed_only ? c.failed : c.waiting + c.failed;
    if ((int64_t)n < total)
        printf("... and %lld more (--limit)\n", (long long)(total - (int64_t)n));
    arena_free(a);
    return 0;
}

/* Each id in its own transaction, reported once committed: a mistyped id does not hold back the
 * others, and what is printed is what happened. */
static int outbox_retry(store_t *s, const int64_t *ids, int nids)
{
    int rc = 0;
    for (int i = 0; i < (nids ? nids : 1); i++) {
        int64_t id = nids ? ids[i] : 0, requeued = 0, hastened = 0;
        store_status_t r = store_begin(s);
        if (r == STORE_OK)
            r = store_outbox_requeue(s, id, clock_now(), &requeued, &hastened);
        if (r == STORE_OK) r = store_commit(s);
        if (r != STORE_OK) {
            store_rollback(s);
            rc = 1;
            if (r == STORE_NOT_FOUND)
                fprintf(stderr,
                        "cobro outbox: no unsent email %lld (sent already, or no such id)\n",
                        (long long)id);
            else
                fprintf(stderr, "cobro outbox: cannot requeue %s (store status %d); try again\n",
                        id ? "this email" : "the emails", (int)r);
        } else if (!id) {
            printf("requeued %lld failed emails; %lld waiting emails are due now\n",
                   (long long)requeued, (long long)hastened);
        } else {
            printf("email %lld: %s\n", (long long)id,
                   requeued   ? "requeued (it had failed)"
                   : hastened ? "due now"
                              : "already due");
        }
    }
    return rc;
}

static int cmd_outbox(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_outbox, stdout);
            return 0;
        }
    }
    bool list = argc >= 2 && strcmp(argv[1], "list") == 0;
    bool retry = argc >= 2 && strcmp(argv[1], "retry") == 0;
    if (!list && !retry) {
        fputs(usage_outbox, stderr);
        return 2;
    }
    /* The ids come right after "retry"; then the action and the ids leave argv. */
    int64_t *ids = calloc((size_t)argc, sizeof *ids);
    if (!ids) return 1;
    int nids = 0;
    while (retry && 2 + nids < argc && argv[2 + nids][0] != '-') {
        if (!config_parse_whole(argv[2 + nids], INT64_MAX, &ids[nids])) {
            fprintf(stderr,
                    "cobro outbox retry: \"%s\": expected an email id (see cobro outbox"
                    " list)\n",
                    argv[2 + nids]);
            free(ids);
            return 2;
        }
        nids++;
    }
    memmove(&argv[1], &argv[2 + nids], (size_t)(argc - 1 - nids) * sizeof *argv);
    argc -= 1 + nids;
    bool missing = false;
    bool failed_only = take_switch(&argc, argv, "--failed");
    bool all = take_switch(&argc, argv, "--all");
    const char *limit_text = take_option(&argc, argv, "--limit", &missing);
    int64_t limit = 100;
    const char *problem = NULL;
    if (list &&
        (missing || (limit_text && !config_parse_whole(limit_text, 1000000, &limit))))
        problem = "--limit: expected a whole number from 1 to 1000000";
    else if (list && all)
        problem = "--all is an option of cobro outbox retry";
    else if (retry && (failed_only || limit_text || missing))
        problem = "--failed and --limit are options of cobro outbox list";
    else if (retry && (all ? nids > 0 : nids == 0))
        problem = "expected the ids of the emails to requeue, or --all";
    if (problem) {
        fprintf(stderr, "cobro outbox: %s (see cobro outbox --help)\n", problem);
        free(ids);
        return 2;
    }
    config_t cfg;
    int rc = load_config(&cfg, CFG_DB, argc, argv, usage_outbox);
    if (rc < 0) {
        data_key_t key;
        store_t *s = open_store(&cfg, &key);
        rc = !s ? 1 : list ? outbox_list(s, failed_only, (int)limit) : outbox_retry(s, ids, nids);
        store_close(s);
    }
    free(ids);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_main, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    /* Keep freed memory instead of handing it back to the kernel at once: SQLite frees and
     * takes back the same pages at every statement, and trimming the heap each time cost a
     * fifth of a bill run in brk calls and page faults. */
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
    mallopt(M_TOP_PAD, 16 * 1024 * 1024);
    if (!token_init() || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "cobro: cannot initialize the crypto or network libraries\n");
        return 1;
    }
    char clock_err[160];
    if (!clock_init_from_env(clock_err, sizeof clock_err)) {
        fprintf(stderr, "cobro: %s\n", clock_err);
        return 2;
    }
    const char *cmd = argv[1];
    int rc;
    if (strcmp(cmd, "serve") == 0)
        rc = cmd_serve(argc - 1, argv + 1);
    else if (strcmp(cmd, "migrate") == 0)
        rc = cmd_migrate(argc - 1, argv + 1);
    else if (strcmp(cmd, "demo") == 0)
        rc = cmd_demo(argc - 1, argv + 1);
    else if (strcmp(cmd, "bill-run") == 0)
        rc = cmd_bill_run(argc - 1, argv + 1);
    else if (strcmp(cmd, "invoice") == 0)
        rc = cmd_invoice(argc - 1, argv + 1);
    else if (strcmp(cmd, "outbox") == 0)
        rc = cmd_outbox(argc - 1, argv + 1);
    else {
        fprintf(stderr, "cobro: unknown command '%s' (try 'cobro --help')\n", cmd);
        rc = 2;
    }
    curl_global_cleanup();
    return rc;
}
