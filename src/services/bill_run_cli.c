/* Runs a bill run with the vendor's settings: shared by `cobro bill-run` and the scheduler. */
#include "bill_run_cli.h"
#include "store/store.h"
#include "util/log.h"

bool bill_run_with_settings(store_t *const *stores, int workers, date_t at, int64_t now,
                            const char *base_url, bill_run_stats_t *stats,
                            void (*on_batch)(const bill_run_stats_t *so_far, void *ctx), void *ctx)
{
    store_t *s = stores[0];
    arena_t *a = arena_new();
    char *tax_mode = NULL, *vendor = NULL;
    if (store_setting(s, a, "tax_mode", &tax_mode) != STORE_OK) tax_mode = "exclusive";
    if (store_setting(s, a, "vendor_name", &vendor) != STORE_OK) vendor = "Vendor, Inc.";
    bill_run_opts_t opts = {.at = at,
                            .now = now,
                            .vendor_tax_mode = tax_mode,
                            .vendor_name = vendor,
                            .base_url = base_url,
                            .on_batch = on_batch,
                            .ctx = ctx};
    char day[11];
    date_format(at, day);
    bool ok =
        workers > 1 ? bill_run_workers(stores, workers, &opts, stats) : bill_run(s, &opts, stats);
    log_info("bill run %s: %s; %lld accounts, %lld invoices, %lld lines, %lld renewed, %lld ended,"
             " %lld emails; %lld accounts skipped",
             day, ok ? "done" : "FAILED", (long long)stats->accounts, (long long)stats->invoices,
             (long long)stats->lines, (long long)stats->renewed, (long long)stats->ended,
             (long long)stats->emails, (long long)stats->skipped);
    arena_free(a);
    return ok;
}
