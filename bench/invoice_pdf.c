/* Benchmark: renders a typical 3-line invoice PDF over and over on one thread for about
 * SECONDS (argument, default 5) and prints PDFs per second per core and the PDF's size.
 * Built as bench_invoice_pdf; run through bench/invoice-pdf. */
#include "render/invoice_pdf.h"
#include "util/arena.h"
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static invoice_line_t line(const char *product, int64_t seats, int64_t unit, int64_t tax)
{
    return (invoice_line_t){
        .product_name = (char *)product,
        .billing_period = "annual",
        .period_start = "2026-11-22",
        .period_end = "2027-11-22",
        .seats = seats,
        .unit_amount = unit,
        .net = seats * unit,
        .tax_rate_ppm = 220000,
        .tax = tax,
        .gross = seats * unit + tax,
    };
}

int main(int argc, char **argv)
{
    double duration = argc > 1 ? atof(argv[1]) : 5.0;
    if (duration <= 0) duration = 5.0;
    invoice_line_t lines[3] = {
        line("Cobro Team Edition", 12, 9900, 26136),
        line("Priority Support", 12, 2500, 6600),
        line("Storage add-on, 1 TB", 1, 120000, 26400),
    };
    invoice_doc_t inv = {
        .id = 1,
        .account_id = 7,
        .number = "INV-2026-000123",
        .issue_date = "2026-11-22",
        .due_date = "2026-12-22",
        .currency = "EUR",
        .lang = "it",
        .status = "open",
        .tax_mode = "exclusive",
        .account_kind = "corporate",
        .bill_to_name = "Rossi & Figli S.p.A.",
        .address_line1 = "Via Dante 7",
        .address_line2 = "",
        .city = "Milano",
        .region = "MI",
        .postal_code = "20121",
        .country = "IT",
        .phone = "+39 02 5550 0100",
        .contact_name = "Giulia Rossi",
        .contact_email = "giulia.rossi@rossi.example",
        .portal_user_id = "grossi",
        .po_number = "OA-77/2026",
        .payment_method = "wire",
        .payments = &(const invoice_payment_t){.method = "wire", .remit_to = ""},
        .n_payments = 1,
        .subtotal = 268800,
        .tax_total = 59136,
        .total = 327936,
        .amount_paid = 0,
        .lines = lines,
        .n_lines = 3,
        .vendor_name = "Cobro Software S.r.l.",
        .vendor_address = "Corso Buenos Aires 12\n20124 Milano (MI)\nItalia",
        .vendor_email = "billing@cobro.example",
        .vendor_tax_id = "IT01234567890",
    };

    char err[200];
    size_t size = 0;
    /* Warm-up: the first render opens the thread's fonts and formatters. */
    {
        arena_t *a = arena_new();
        buf_t b;
        buf_init(&b, a);
        if (!invoice_pdf_render(&inv, &b, err, sizeof err)) {
            fprintf(stderr, "invoice_pdf_render: %s\n", err);
            return 1;
        }
        size = b.len;
        arena_free(a);
    }

    long n = 0;
    double wall0 = seconds(CLOCK_MONOTONIC), cpu0 = seconds(CLOCK_THREAD_CPUTIME_ID), wall = 0;
    do {
        for (int i = 0; i < 20; i++, n++) {
            arena_t *a = arena_new();
            buf_t b;
            buf_init(&b, a);
            if (!invoice_pdf_render(&inv, &b, err, sizeof err)) {
                fprintf(stderr, "invoice_pdf_render: %s\n", err);
                return 1;
            }
            arena_free(a);
        }
        wall = seconds(CLOCK_MONOTONIC) - wall0;
    } while (wall < duration);
    double cpu = seconds(CLOCK_THREAD_CPUTIME_ID) - cpu0;

    printf(
        "rendered %ld invoice PDFs (3 lines, it/IT, A4) in %.2f s wall, %.2f s CPU on one thread\n",
        n, wall, cpu);
    printf("mean %.3f ms per PDF (CPU)\n", cpu * 1000.0 / (double)n);
    printf("PDF size: %zu bytes\n", size);
    printf("invoice PDFs per second per core: %.0f\n", (double)n / cpu);
    return 0;
}
