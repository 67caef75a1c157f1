/* cobro bill-run: renews the subscriptions due at a date and issues their invoices. */
#include "billing/calendar.h"
#include "store/store.h"
#include "cli/cli.h"
#include "services/bill_run_cli.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_bill_run[] =
    "Usage: cobro bill-run [--at YYYY-MM-DD] [--db PATH] [--base-url URL] [--workers N]\n"
    "\n"
    "Renews every active subscription whose period ends on or before the date (default: today,\n"
    "UTC): one invoice per account, numbered without gaps, with its emails queued. Running it\n"
    "again for the same date writes nothing new; a run that was killed can simply be run again.\n"
    "The server also runs it by itself once a day.\n"
    "  --at DATE       the run date, which is the invoices' issue date (9998-12-31 at the\n"
    "                  latest: renewals run up to a year past it)\n"
    "  --db DB         database file or PostgreSQL connection string (COBRO_DB,\n"
    "                  default var/cobro.db)\n"
    "  --data-key-file PATH  the database's data key (COBRO_DATA_KEY_FILE, default PATH.key)\n"
    "  --base-url URL  portal URL named in the invoice emails (COBRO_BASE_URL)\n"
    "  --workers N     bill runs at once in this process, each with its own database connection,\n"
    "                  splitting the accounts between them (default 1, at most 64). On PostgreSQL\n"
    "                  each batch claims its accounts, so runs on other nodes may run at the same\n"
    "                  time too; SQLite has one writer, so there one worker does all the work.\n";

int cmd_bill_run(int argc, char **argv)
{
    bool missing = false;
    const char *at_text = cli_take_option(&argc, argv, "--at", &missing);
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
    const char *workers_text = cli_take_option(&argc, argv, "--workers", &missing);
    int workers = 1;
    if (workers_text || missing) {
        char *end = NULL;
        long v = workers_text ? strtol(workers_text, &end, 10) : 0;
        if (missing || !*workers_text || *end || v < 1 || v > BILL_RUN_MAX_WORKERS) {
            fprintf(stderr, "cobro bill-run: --workers \"%s\": expected a number from 1 to %d\n",
                    workers_text ? workers_text : "", BILL_RUN_MAX_WORKERS);
            return 2;
        }
        workers = (int)v;
    }
    config_t cfg;
    int rc = cli_load_config(&cfg, CFG_DB | CFG_BASE_URL, argc, argv, usage_bill_run);
    if (rc >= 0) return rc;
    data_key_t keys[BILL_RUN_MAX_WORKERS];
    store_t *stores[BILL_RUN_MAX_WORKERS];
    int opened = 0;
    for (; opened < workers; opened++) {
        stores[opened] = cli_open_store(&cfg, &keys[opened]);
        if (!stores[opened]) break;
        /* SQLite's one writer runs one batch at a time whatever the number of workers: more
         * would only wait for each other's lock. */
        if (opened == 0 && !store_writers_at_once(stores[0])) workers = 1;
    }
    bill_run_stats_t stats;
    memset(&stats, 0, sizeof stats);
    bool ok = opened == workers &&
              bill_run_with_settings(stores, workers, at, now, cfg.base_url, &stats, NULL, NULL);
    for (int i = 0; i < opened; i++)
        store_close(stores[i]);
    if (opened < workers) return 1;
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
