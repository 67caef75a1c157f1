/* The bill run: renews every subscription whose period has ended, one invoice per account per
 * run, numbered without gaps, with its emails queued in the same transaction. */
#ifndef COBRO_BILLING_H
#define COBRO_BILLING_H
#include "billing/calendar.h"
#include "billing/tax.h"
#include "store/rows.h"
#include "util/arena.h"
#include <stdbool.h>
#include <stdint.h>

enum {
    BILL_RUN_BATCH = 200,      /* accounts per transaction: each batch lands whole or not at all */
    BILL_RUN_MAX_WORKERS = 64, /* cobro bill-run --workers */
    CORPORATE_NET_DAYS = 30,
    /* The last year a run date may be in: a renewal's period ends up to a year after the run
     * date, and dates are stored with four-digit years (see date_parse and date_format). The
     * usage text of `cobro bill-run` names it. */
    BILL_RUN_LAST_YEAR = 9998,
};

typedef struct {
    int64_t accounts, invoices, lines, renewed, ended, emails;
    /* Accounts left due and unbilled because no tax rate is known for their address (each one
     * logged): they need a person, so the run reports them and the CLI exits non-zero. */
    int64_t skipped;
} bill_run_stats_t;

typedef struct {
    date_t at;   /* renew what ends on or before this date; the invoices' issue date */
    int64_t now; /* Unix seconds, for created_at */
    const char *vendor_tax_mode; /* "exclusive" (default when NULL) or "inclusive" */
    const char *vendor_name;     /* named in the invoice email */
    const char *base_url;        /* the portals' public URL, for the link in the email */
    /* Called after each committed batch (progress, tests); may be NULL. */
    void (*on_batch)(const bill_run_stats_t *so_far, void *ctx);
    void *ctx;
} bill_run_opts_t;

/* Runs the bill run to the end. Idempotent: a second run for the same date finds nothing due.
 * Crash-safe: each batch of accounts commits whole, so a run killed at any moment and run again
 * invoices every period exactly once. False, with the reason logged, when the store failed
 * (what committed stays) or opts->at is after BILL_RUN_LAST_YEAR. */
bool bill_run(store_t *s, const bill_run_opts_t *opts, bill_run_stats_t *stats);
/* The same with workers (at most BILL_RUN_MAX_WORKERS) bill runs at once, one per connection in
 * stores[], each on a thread of its own; they split the due accounts between them (each batch
 * claims its accounts) and *stats is their sum. True when every worker finished; on_batch is
 * called by the first worker only. Safe on PostgreSQL; on SQLite, with its one writer, more than
 * one worker is no faster (the caller runs one). */
bool bill_run_workers(store_t *const *stores, int workers, const bill_run_opts_t *opts,
                      bill_run_stats_t *stats);

/* THE PRICING of an invoice's lines, for the bill run and every other invoice (a quote's): line
 * i is worth amounts[i] (net with exclusive tax, gross with inclusive), taxed at rate; each line
 * gets its net, tax and gross for reference, and the invoice its taxes per rate, subtotal, tax
 * and total by tax_totals (tax rounded once per rate, BR-CO-17). False on overflow. */
bool invoice_price_lines(arena_t *a, invoice_doc_t *inv, const int64_t *amounts, int64_t rate,
                         tax_mode_t mode);

/* THE EMAIL that carries an invoice (its PDF attached when sent), in the invoice's language, to
 * one of its recipients. Strings in the arena. */
email_t invoice_email(arena_t *a, const invoice_doc_t *inv, const char *to_name,
                      const char *to_addr, const char *vendor_name, const char *base_url);

/* The invoice number of seq in the year of issue: "INV-2026-000042"; series "INV-2026". */
void invoice_series_of(date_t issue, char series[16]);
void invoice_number_of(const char *series, int64_t seq, char out[32]);

#endif
