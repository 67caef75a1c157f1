/* Runs a bill run with the vendor's settings: shared by `cobro bill-run` and the scheduler. */
#ifndef COBRO_BILL_RUN_CLI_H
#define COBRO_BILL_RUN_CLI_H
#include "billing.h"

/* Reads the vendor settings (tax mode, name), runs the bill run for at with workers workers (one
 * connection each in stores[]; bill_run_workers) and logs the figures;
 * on_batch (may be NULL) is called with ctx after each committed batch. False when the store
 * failed (the reason is logged). */
bool bill_run_with_settings(store_t *const *stores, int workers, date_t at, int64_t now,
                            const char *base_url, bill_run_stats_t *stats,
                            void (*on_batch)(const bill_run_stats_t *so_far, void *ctx), void *ctx);

#endif
