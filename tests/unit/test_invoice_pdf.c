/* Unit tests: the invoice PDF (src/render/invoice_pdf.c). With COBRO_PDF_OUT set to a directory,
 * the samples are also written there (en.pdf, es.pdf, fr.pdf, it.pdf, long.pdf, change-en.pdf,
 * change-es.pdf, change-fr.pdf, change-it.pdf) for
 * tests/pdf/check-pdf-text, which reads them back with pdftotext. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "billing/money.h"
#include "billing/tax.h"
#include "render/invoice_pdf.h"
#include "render/invoice_text.h"
#include "services/invoices.h"
#include "util/arena.h"
#include "util/buf.h"

static arena_t *arena;

/* Under LeakSanitizer: fontconfig's one-time global configuration (see tests/lsan.supp). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

static int setup(void **state)
{
    (void)state;
    arena = arena_new();
    return arena ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(arena);
    arena = NULL;
    return 0;
}

static invoice_line_t line(const char *product, const char *period, const char *start,
                           const char *end, int64_t seats, int64_t unit, int64_t net,
                           int64_t rate_ppm, int64_t tax)
{
    return (invoice_line_t){
        .product_name = (char *)product,
        .billing_period = (char *)period,
        .period_start = (char *)start,
        .period_end = (char *)end,
        .seats = seats,
        .unit_amount = unit,
        .net = net,
        .tax_rate_ppm = rate_ppm,
        .tax = tax,
        .gross = net + tax,
    };
}

static void sums(invoice_doc_t *inv)
{
    inv->subtotal = inv->tax_total = 0;
    for (size_t i = 0; i < inv->n_lines; i++) {
        inv->subtotal += inv->lines[i].net;
        inv->tax_total += inv->lines[i].tax;
    }
    inv->total = inv->subtotal + inv->tax_total;
}

/* Tax per rate, rounded once per rate (tax_by_rate), as the bill run now issues invoices; the
 * samples that skip it stand for invoices issued before, shown with their stored figures. */
static void per_rate(invoice_doc_t *inv, invoice_tax_t *taxes)
{
    int64_t amounts[16], rates[16];
    tax_subtotal_t sub[16];
    size_t n = 0;
    for (size_t i = 0; i < inv->n_lines; i++) {
        amounts[i] = inv->lines[i].net;
        rates[i] = inv->lines[i].tax_rate_ppm;
    }
    assert_true(tax_by_rate(amounts, rates, inv->n_lines, TAX_EXCLUSIVE, sub, &n));
    inv->subtotal = inv->tax_total = 0;
    for (size_t i = 0; i < n; i++) {
        taxes[i] = (invoice_tax_t){.name = (char *)tax_scheme_name(inv->country),
                                   .rate_ppm = sub[i].rate_ppm,
                                   .base = sub[i].base,
                                   .tax = sub[i].tax};
        inv->subtotal += sub[i].base;
        inv->tax_total += sub[i].tax;
    }
    inv->taxes = taxes;
    inv->n_taxes = n;
    inv->total = inv->subtotal + inv->tax_total;
}

/* The vendor's payment details the samples are paid with. */
static const vendor_payment_t vendor_pay = {
    .bank_name = "Banca Demo",
    .account_name = "Cobro Software S.r.l.",
    .routing = "",
    .account = "",
    .iban = "IT60 X054 2811 1010 0000 0123 456",
    .bic = "BPMOIT22XXX",
    .check_address = "Cobro Software S.r.l.\nCasella postale 12\n20124 Milano (MI)",
};

/* How to pay, by the service's rule (invoice_payment_instructions). */
static void payments(invoice_doc_t *inv)
{
    invoice_payment_t *list = NULL;
    inv->n_payments = invoice_payment_instructions(arena, inv->payment_method, inv->account_kind,
                                                   &vendor_pay, &list);
    inv->payments = list;
}

static void seller(invoice_doc_t *inv)
{
    inv->vendor_name = "Cobro Software S.r.l.";
    inv->vendor_address = "Corso Buenos Aires 12\n20124 Milano (MI)\nItalia";
    inv->vendor_email = "billing@cobro.example";
    inv->vendor_tax_id = "IT01234567890";
}

/* The samples: one per language, each exercising different parts of the layout. The figures
 * are asserted again in tests/pdf/check-pdf-text: change both together. */

/* en/US: Letter, USD, one rate (8.875%), card, open. Total $2,926.57. */
static invoice_doc_t sample_en(void)
{
    static invoice_line_t lines[3];
    lines[0] = line("Cobro Team Edition", "annual", "2026-11-22", "2027-11-22", 12, 9900, 118800,
                    88750, 10544);
    lines[1] = line("Priority Support", "annual", "2026-11-22", "2027-11-22", 12, 2500, 30000,
                    88750, 2663);
    lines[2] = line("Storage add-on, 1 TB", "annual", "2026-11-22", "2027-11-22", 1, 120000, 120000,
                    88750, 10650);
    invoice_doc_t inv = {
        .id = 1,
        .account_id = 7,
        .number = "INV-2026-000123",
        .issue_date = "2026-11-22",
        .due_date = "2026-12-22",
        .currency = "USD",
        .lang = "en",
        .status = "open",
        .tax_mode = "exclusive",
        .account_kind = "corporate",
        .bill_to_name = "Acme Widgets, Inc.",
        .address_line1 = "100 Main Street",
        .address_line2 = "Suite 400",
        .city = "Springfield",
        .region = "IL",
        .postal_code = "62701",
        .country = "US",
        .phone = "+1 217 555 0100",
        .contact_name = "Jane Doe",
        .contact_email = "jane.doe@acme.example",
        .portal_user_id = "acme-billing",
        .po_number = "",
        .payment_method = "card",
        .amount_paid = 0,
        .lines = lines,
        .n_lines = 3,
    };
    seller(&inv);
    sums(&inv);
    static invoice_tax_t taxes[3];
    per_rate(&inv, taxes);
    payments(&inv);
    return inv;
}

/* es/ES: A4, 21%, due on receipt, bank transfer. Total 1.324,83 €. */
static invoice_doc_t sample_es(void)
{
    static invoice_line_t lines[3];
    lines[0] = line("Suscripción Estándar", "annual", "2026-11-01", "2027-11-01", 5, 19900, 99500,
                    210000, 20895);
    lines[1] = line("Soporte prioritario", "monthly", "2026-11-01", "2026-12-01", 5, 1000, 5000,
                    210000, 1050);
    lines[2] = line("Almacenamiento adicional", "monthly", "2026-11-01", "2026-12-01", 1, 4990,
                    4990, 210000, 1048);
    invoice_doc_t inv = {
        .id = 2,
        .account_id = 8,
        .number = "INV-2026-000124",
        .issue_date = "2026-11-01",
        .due_date = "2026-11-01",
        .currency = "EUR",
        .lang = "es",
        .status = "open",
        .tax_mode = "exclusive",
        .account_kind = "online",
        .bill_to_name = "Distribuciones Peñalara S.L.",
        .address_line1 = "Calle de Alcalá 48",
        .address_line2 = "",
        .city = "Madrid",
        .region = "M",
        .postal_code = "28014",
        .country = "ES",
        .phone = "+34 91 555 01 00",
        .contact_name = "José Martínez",
        .contact_email = "jose@penalara.example",
        .portal_user_id = "jmartinez",
        .po_number = "",
        .payment_method = "wire",
        .lines = lines,
        .n_lines = 3,
    };
    seller(&inv);
    sums(&inv);
    payments(&inv);
    return inv;
}

/* fr/FR: A4, two rates (20% and 5.5%) so a tax column, purchase order, paid. Total 2 526,60 €. */
static invoice_doc_t sample_fr(void)
{
    static invoice_line_t lines[3];
    lines[0] = line("Édition Équipe", "annual", "2026-12-01", "2027-12-01", 10, 15000, 150000,
                    200000, 30000);
    lines[1] = line("Livres numériques", "annual", "2026-12-01", "2027-12-01", 10, 1200, 12000,
                    55000, 660);
    lines[2] = line("Assistance prioritaire", "annual", "2026-12-01", "2027-12-01", 1, 50000, 50000,
                    200000, 10000);
    invoice_doc_t inv = {
        .id = 3,
        .account_id = 9,
        .number = "INV-2026-000125",
        .issue_date = "2026-12-01",
        .due_date = "2026-12-31",
        .currency = "EUR",
        .lang = "fr",
        .status = "paid",
        .tax_mode = "exclusive",
        .account_kind = "corporate",
        .bill_to_name = "Société Générale des Éditions",
        .address_line1 = "12 rue de la Paix",
        .address_line2 = "",
        .city = "Paris",
        .region = "",
        .postal_code = "75002",
        .country = "FR",
        .phone = "+33 1 55 55 01 00",
        .contact_name = "Hélène Dubois",
        .contact_email = "helene.dubois@sge.example",
        .portal_user_id = "h.dubois@sge.example",
        .po_number = "BC-2026-0042",
        .payment_method = "",
        .lines = lines,
        .n_lines = 3,
    };
    seller(&inv);
    sums(&inv);
    static invoice_tax_t taxes[3];
    per_rate(&inv, taxes);
    payments(&inv);
    inv.amount_paid = inv.total;
    return inv;
}

/* it/IT: A4, 22% included in prices, partially paid. Total 4.453,00 €, balance 3.453,00 €. */
static invoice_doc_t sample_it(void)
{
    static invoice_line_t lines[3];
    lines[0] = line("Edizione Team", "annual", "2027-01-15", "2028-01-15", 30, 12200, 300000,
                    220000, 66000);
    lines[1] = line("Supporto prioritario", "annual", "2027-01-15", "2028-01-15", 30, 2440, 60000,
                    220000, 13200);
    lines[2] = line("Più spazio di archiviazione", "annual", "2027-01-15", "2028-01-15", 1, 6100,
                    5000, 220000, 1100);
    invoice_doc_t inv = {
        .id = 4,
        .account_id = 10,
        .number = "INV-2027-000001",
        .issue_date = "2027-01-15",
        .due_date = "2027-02-14",
        .currency = "EUR",
        .lang = "it",
        .status = "partially_paid",
        .tax_mode = "inclusive",
        .account_kind = "corporate",
        .bill_to_name = "Rossi & Figli S.p.A.",
        .address_line1 = "Via Dante 7",
        .address_line2 = "Scala B",
        .city = "Milano",
        .region = "MI",
        .postal_code = "20121",
        .country = "IT",
        .phone = "+39 02 5550 0100",
        .contact_name = "Giulia Rossi",
        .contact_email = "giulia.rossi@rossi.example",
        .portal_user_id = "grossi",
        .po_number = "OA-77/2027",
        .payment_method = "check",
        .amount_paid = 100000,
        .lines = lines,
        .n_lines = 3,
    };
    seller(&inv);
    sums(&inv);
    payments(&inv);
    /* What was paid, as received (issue 12): a card payment and a wire, 1.000,00 € in all. */
    static const invoice_received_t received[2] = {
        {.date = "2027-01-20",
         .method = "card",
         .card_brand = "visa",
         .card_last4 = "4242",
         .reference = "",
         .amount = 60000},
        {.date = "2027-02-01",
         .method = "wire",
         .card_brand = "",
         .card_last4 = "",
         .reference = "CRO-5521",
         .amount = 40000},
    };
    inv.received = received;
    inv.n_received = 2;
    return inv;
}

/* en/IT, 200 lines: several pages. */
static invoice_doc_t sample_long(void)
{
    static invoice_line_t lines[200];
    static char names[200][48];
    for (int i = 0; i < 200; i++) {
        snprintf(names[i], sizeof names[i], "Seat pack %03d", i + 1);
        lines[i] = line(names[i], "monthly", "2026-11-22", "2026-12-22", 1 + i % 7, 1500,
                        (1 + i % 7) * 1500, 220000, (1 + i % 7) * 330);
    }
    invoice_doc_t inv = sample_it();
    inv.number = "INV-2026-000200";
    inv.lang = "en";
    inv.status = "open";
    inv.tax_mode = "exclusive";
    inv.amount_paid = 0;
    inv.lines = lines;
    inv.n_lines = 200;
    sums(&inv);
    return inv;
}

/* A change line (issue 13): days of term_days of seats at unit, less credit, priced as a change
 * is: the charge (seats x unit) x days / term_days rounded half away from zero, then the credit
 * taken off, then the tax of what is left (exclusive) or what is left split (inclusive). */
static invoice_line_t change(const char *product, const char *period, const char *start,
                             const char *end, int64_t from_seats, const char *from_period,
                             int64_t seats, int64_t unit, int64_t days, int64_t term_days,
                             int64_t credit, int64_t rate_ppm, tax_mode_t mode)
{
    int64_t charge = 0;
    assert_true(money_mul_div(seats * unit, days, term_days, &charge));
    tax_split_t split;
    assert_true(tax_split(charge - credit, rate_ppm, mode, &split));
    invoice_line_t l =
        line(product, period, start, end, seats, unit, split.net, rate_ppm, split.tax);
    l.days = days;
    l.term_days = term_days;
    l.is_change = true;
    l.from_seats = from_seats;
    l.from_period = (char *)from_period;
    l.credit = credit;
    return l;
}

/* The change samples: each language's invoice with the lines a change issues; their figures are
 * asserted again in tests/pdf/check-pdf-text (change-*). */

/* en/US: 5 -> 8 seats for 24 of 31 days ($61.94 less $38.71) and a product added ($113.81). */
static invoice_doc_t sample_change_en(void)
{
    static invoice_line_t lines[2];
    lines[0] = change("GoToMeeting", "monthly", "2026-12-12", "2027-01-05", 5, "", 8, 1000, 24, 31,
                      3871, 88750, TAX_EXCLUSIVE);
    lines[1] = change("GoToWebinar", "monthly", "2026-12-12", "2027-01-05", 0, "", 3, 4900, 24, 31,
                      0, 88750, TAX_EXCLUSIVE);
    invoice_doc_t inv = sample_en();
    inv.number = "INV-2026-000301";
    inv.issue_date = inv.due_date = "2026-12-12";
    inv.account_kind = "online";
    inv.lines = lines;
    inv.n_lines = 2;
    static invoice_tax_t taxes[2];
    per_rate(&inv, taxes);
    return inv;
}

/* es/ES: monthly -> annual, 8 seats, a whole year (800,00 €) less the month's rest (61,94 €). */
static invoice_doc_t sample_change_es(void)
{
    static invoice_line_t lines[1];
    lines[0] = change("GoToMeeting", "annual", "2026-12-12", "2027-12-12", 8, "monthly", 8, 10000,
                      365, 365, 6194, 210000, TAX_EXCLUSIVE);
    invoice_doc_t inv = sample_es();
    inv.number = "INV-2026-000302";
    inv.issue_date = inv.due_date = "2026-12-12";
    inv.lines = lines;
    inv.n_lines = 1;
    static invoice_tax_t taxes[1];
    per_rate(&inv, taxes);
    return inv;
}

/* fr/FR: 10 -> 12 seats for 275 of 365 days (1 356,16 € less 1 130,14 €). */
static invoice_doc_t sample_change_fr(void)
{
    static invoice_line_t lines[1];
    lines[0] = change("Édition Équipe", "annual", "2027-03-01", "2027-12-01", 10, "annual", 12,
                      15000, 275, 365, 113014, 200000, TAX_EXCLUSIVE);
    invoice_doc_t inv = sample_fr();
    inv.number = "INV-2027-000302";
    inv.issue_date = inv.due_date = "2027-03-01";
    inv.po_number = "";
    inv.status = "open";
    inv.amount_paid = 0;
    inv.lines = lines;
    inv.n_lines = 1;
    static invoice_tax_t taxes[1];
    per_rate(&inv, taxes);
    return inv;
}

/* it/IT, prices including 22%: 3 -> 5 seats for 26 of 31 days (51,16 € less 30,70 € with tax:
 * 41,93 € less 25,16 € before it). */
static invoice_doc_t sample_change_it(void)
{
    static invoice_line_t lines[1];
    lines[0] = change("GoToMeeting", "monthly", "2027-01-20", "2027-02-15", 3, "monthly", 5, 1220,
                      26, 31, 3070, 220000, TAX_INCLUSIVE);
    invoice_doc_t inv = sample_it();
    inv.number = "INV-2027-000303";
    inv.issue_date = inv.due_date = "2027-01-20";
    inv.po_number = "";
    inv.status = "open";
    inv.amount_paid = 0;
    inv.received = NULL;
    inv.n_received = 0;
    inv.lines = lines;
    inv.n_lines = 1;
    sums(&inv);
    return inv;
}

static size_t count(const buf_t *b, const char *needle)
{
    size_t n = 0, k = strlen(needle);
    for (const char *p = b->data; (p = memmem(p, b->len - (size_t)(p - b->data), needle, k));
         p += k)
        n++;
    return n;
}

/* Pages in a cairo PDF: "/Type /Page" objects, not the "/Type /Pages" tree. */
static size_t pages(const buf_t *b)
{
    return count(b, "/Type /Page") - count(b, "/Type /Pages");
}

static void save(const char *name, const buf_t *b)
{
    const char *dir = getenv("COBRO_PDF_OUT");
    if (!dir || !*dir) return;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.pdf", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) fail_msg("cannot write %s", path);
    assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
    assert_int_equal(fclose(f), 0);
}

static void render_ok(const invoice_doc_t *inv, buf_t *b)
{
    char err[200] = "";
    buf_init(b, arena);
    if (!invoice_pdf_render(inv, b, err, sizeof err)) fail_msg("render: %s", err);
    assert_string_equal(err, "");
    assert_true(b->len > 1024);
    assert_memory_equal(b->data, "%PDF-", 5);
    assert_non_null(memmem(b->data + b->len - 16, 16, "%%EOF", 5));
}

static void render_sample(const char *name, invoice_doc_t inv, const char *media_box)
{
    buf_t b;
    render_ok(&inv, &b);
    assert_int_equal(pages(&b), 1);
    if (!memmem(b.data, b.len, media_box, strlen(media_box)))
        fail_msg("%s: no \"%s\" in the PDF", name, media_box);
    save(name, &b);
}

#define LETTER_BOX "/MediaBox [ 0 0 612 792 ]"
#define A4_BOX "/MediaBox [ 0 0 595.28 841.89 ]"

static void test_01_english_us_letter(void **state)
{
    (void)state;
    render_sample("en", sample_en(), LETTER_BOX);
}

static void test_02_spanish_a4(void **state)
{
    (void)state;
    render_sample("es", sample_es(), A4_BOX);
}

static void test_03_french_a4(void **state)
{
    (void)state;
    render_sample("fr", sample_fr(), A4_BOX);
}

static void test_04_italian_a4(void **state)
{
    (void)state;
    render_sample("it", sample_it(), A4_BOX);
}

static void test_05_canada_is_letter(void **state)
{
    (void)state;
    invoice_doc_t inv = sample_en();
    inv.country = "CA";
    inv.region = "ON";
    inv.currency = "CAD";
    render_sample("en-ca", inv, LETTER_BOX);
}

static void test_06_metadata(void **state)
{
    (void)state;
    invoice_doc_t inv = sample_en();
    buf_t b;
    render_ok(&inv, &b);
    assert_non_null(memmem(b.data, b.len, "/Title (INV-2026-000123)", 24));
    assert_non_null(memmem(b.data, b.len, "/Author (Cobro Software S.r.l.)", 31));
    /* The creation date is the issue date: the same invoice gives the same bytes. */
    /* (cairo 1.16 writes the date without the "D:" prefix; pdfinfo reads it either way.) */
    assert_non_null(memmem(b.data, b.len, "20261122000000", 14));
    buf_t again;
    render_ok(&inv, &again);
    assert_int_equal(again.len, b.len);
    assert_memory_equal(again.data, b.data, b.len);
}

static void test_07_many_lines_many_pages(void **state)
{
    (void)state;
    invoice_doc_t inv = sample_long();
    buf_t b;
    render_ok(&inv, &b);
    size_t n = pages(&b);
    if (n < 4 || n > 12) fail_msg("200 lines on %zu pages", n);
    save("long", &b);
}

static void test_08_no_lines(void **state)
{
    (void)state;
    invoice_doc_t inv = sample_fr();
    inv.n_lines = 0;
    inv.subtotal = inv.tax_total = inv.total = inv.amount_paid = 0;
    buf_t b;
    render_ok(&inv, &b);
    assert_int_equal(pages(&b), 1);
}

static void test_09_odd_input(void **state)
{
    (void)state;
    invoice_doc_t inv = sample_es();
    static invoice_line_t lines[2];
    /* Invalid UTF-8, an empty and a very long name, a nonsense date, unknown codes. */
    lines[0] = line("Bad \xff\xfe UTF-8", "weekly", "2026-13-01", "not a date", 1, 100, 100, 0, 0);
    static char longname[2000];
    memset(longname, 'W', sizeof longname - 1);
    lines[1] = line(longname, "annual", "2026-01-01", "2026-01-01", 1, 100, 100, 0, 0);
    inv.lines = lines;
    inv.n_lines = 2;
    inv.lang = "xx";
    inv.status = "weird";
    inv.currency = "XYZ";
    inv.country = "";
    inv.payment_method = "Pay to IBAN IT60X0542811101000000123456";
    inv.vendor_tax_id = "";
    inv.phone = inv.address_line1 = inv.city = inv.region = inv.postal_code = "";
    sums(&inv);
    payments(&inv);
    buf_t b;
    render_ok(&inv, &b);
    assert_non_null(memmem(b.data, b.len, A4_BOX, strlen(A4_BOX)));
}

static void test_10_filename(void **state)
{
    (void)state;
    invoice_doc_t inv = sample_en();
    assert_string_equal(invoice_pdf_filename(&inv, arena), "INV-2026-000123.pdf");
    inv.number = "../x\"y z";
    assert_string_equal(invoice_pdf_filename(&inv, arena), ".._x_y_z.pdf");
    inv.number = "";
    assert_string_equal(invoice_pdf_filename(&inv, arena), "invoice.pdf");
}

/* Each thread renders with its own fonts and formatters; results must equal the main thread's. */
static buf_t reference;

static void *render_many(void *arg)
{
    (void)arg;
    arena_t *a = arena_new();
    if (!a) return (void *)"arena";
    const char *failure = NULL;
    for (int i = 0; i < 10 && !failure; i++) {
        invoice_doc_t inv = sample_it();
        buf_t b;
        buf_init(&b, a);
        char err[200];
        if (!invoice_pdf_render(&inv, &b, err, sizeof err))
            failure = "render";
        else if (b.len != reference.len || memcmp(b.data, reference.data, b.len) != 0)
            failure = "different bytes";
    }
    arena_free(a);
    return (void *)failure;
}

static void test_11_threads(void **state)
{
    (void)state;
    invoice_doc_t inv = sample_it();
    render_ok(&inv, &reference);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, render_many, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *r = NULL;
        assert_int_equal(pthread_join(th[i], &r), 0);
        if (r) fail_msg("thread %d: %s", i, (const char *)r);
    }
}

/* invoice_remit_text with the result compared and freed. */
static void assert_remit(lang_t lang, const char *remit_to, const char *expected)
{
    char *out = invoice_remit_text(lang, remit_to);
    assert_non_null(out);
    assert_string_equal(out, expected);
    free(out);
}

static void test_12_remit_text(void **state)
{
    (void)state;
    assert_remit(LANG_IT, "Bank\tBanca Esempio\nIBAN\tIT60 X054\nAccount name\tVendor, Inc.",
                 "Banca: Banca Esempio\nIBAN: IT60 X054\nIntestazione del conto: Vendor, Inc.");
    assert_remit(LANG_FR, "Bank\tB", "Banque: B");
    /* A mailing address (no labels) stays as it is. */
    assert_remit(LANG_EN, "Vendor, Inc.\nLockbox 4411\nSan Francisco, CA 94120",
                 "Vendor, Inc.\nLockbox 4411\nSan Francisco, CA 94120");
    assert_remit(LANG_EN, "", "");
    assert_remit(LANG_EN, NULL, "");
    /* An unknown label is kept as typed. */
    assert_remit(LANG_ES, "Sort code\t12-34-56", "Sort code: 12-34-56");
}

/* A long address in a script of three-byte characters comes out whole (it was once cut at a
 * fixed 1 KiB buffer). */
static void test_13_remit_text_long(void **state)
{
    (void)state;
    char in[1300] = "";
    for (int i = 0; i < 399; i++)
        strcat(in, "\xe6\x9d\xb1"); /* U+6771 */
    strcat(in, "X");
    char *label_in = malloc(strlen(in) + 16);
    assert_non_null(label_in);
    sprintf(label_in, "Bank\t%s", in);
    char *out = invoice_remit_text(LANG_EN, label_in);
    assert_non_null(out);
    assert_int_equal(strlen(out), strlen("Bank: ") + 399 * 3 + 1);
    assert_int_equal(out[strlen(out) - 1], 'X');
    free(out);
    free(label_in);
    assert_remit(LANG_EN, in, in);
}

/* The description of each kind of change, in each language, dates as the invoice writes them
 * and the last day shown the day before the period's end; the dates' no-break spaces compared as
 * spaces. */
static void assert_change_text(const char *lang, const char *country, invoice_line_t l,
                               const char *expected)
{
    char out[512], plain[512];
    invoice_change_text(lang_of(lang), country, &l, out, sizeof out);
    size_t n = 0;
    for (const char *p = out; *p; p++) {
        if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0) {
            plain[n++] = ' ';
            p++;
        } else {
            plain[n++] = *p;
        }
    }
    plain[n] = '\0';
    assert_string_equal(plain, expected);
}

static void test_14_change_text(void **state)
{
    (void)state;
    invoice_line_t seats = change("GoToMeeting", "monthly", "2026-12-12", "2027-01-05", 5,
                                  "monthly", 8, 1000, 24, 31, 3871, 0, TAX_EXCLUSIVE);
    assert_change_text("en", "US", seats, "GoToMeeting, 5 → 8 seats, Dec 12, 2026 – Jan 4, 2027");
    /* A date is never cut in two where the text wraps: its spaces are no-break spaces. */
    char raw[512];
    invoice_change_text(LANG_EN, "US", &seats, raw, sizeof raw);
    assert_string_equal(raw,
                        "GoToMeeting, 5 → 8 seats, Dec\u00a012,\u00a02026 – Jan\u00a04,\u00a02027");
    assert_change_text("es", "ES", seats, "GoToMeeting, 5 → 8 puestos, 12 dic 2026 – 4 ene 2027");
    assert_change_text("fr", "FR", seats, "GoToMeeting, 5 → 8 postes, 12 déc. 2026 – 4 janv. 2027");
    assert_change_text("it", "IT", seats,
                       "GoToMeeting, 5 → 8 postazioni, 12 dic 2026 – 4 gen 2027");

    invoice_line_t annual = change("GoToMeeting", "annual", "2026-12-12", "2027-12-12", 8,
                                   "monthly", 8, 10000, 365, 365, 6194, 0, TAX_EXCLUSIVE);
    assert_change_text("en", "US", annual,
                       "GoToMeeting, monthly → annual, 8 seats, Dec 12, 2026 – Dec 11, 2027");
    assert_change_text("es", "ES", annual,
                       "GoToMeeting, mensual → anual, 8 puestos, 12 dic 2026 – 11 dic 2027");
    assert_change_text("fr", "FR", annual,
                       "GoToMeeting, mensuel → annuel, 8 postes, 12 déc. 2026 – 11 déc. 2027");
    assert_change_text("it", "IT", annual,
                       "GoToMeeting, mensile → annuale, 8 postazioni, 12 dic 2026 – 11 dic 2027");

    invoice_line_t added = change("GoToMeeting", "monthly", "2026-12-12", "2027-01-05", 0, "", 3,
                                  1000, 24, 31, 0, 0, TAX_EXCLUSIVE);
    assert_change_text("en", "US", added, "GoToMeeting, new, 3 seats, Dec 12, 2026 – Jan 4, 2027");
    assert_change_text("es", "ES", added,
                       "GoToMeeting, nuevo producto, 3 puestos, 12 dic 2026 – 4 ene 2027");
    assert_change_text("fr", "FR", added,
                       "GoToMeeting, nouveau produit, 3 postes, 12 déc. 2026 – 4 janv. 2027");
    assert_change_text("it", "IT", added,
                       "GoToMeeting, nuovo prodotto, 3 postazioni, 12 dic 2026 – 4 gen 2027");

    /* One seat: the singular (French counts 1 as singular too); both changed at once. */
    invoice_line_t one = change("Rescue", "monthly", "2026-12-12", "2027-01-05", 0, "", 1, 1000, 24,
                                31, 0, 0, TAX_EXCLUSIVE);
    assert_change_text("en", "US", one, "Rescue, new, 1 seat, Dec 12, 2026 – Jan 4, 2027");
    assert_change_text("fr", "FR", one,
                       "Rescue, nouveau produit, 1 poste, 12 déc. 2026 – 4 janv. 2027");
    invoice_line_t both = change("Rescue", "annual", "2026-12-12", "2027-12-12", 2, "monthly", 4,
                                 1000, 365, 365, 100, 0, TAX_EXCLUSIVE);
    assert_change_text("en", "US", both,
                       "Rescue, monthly → annual, 2 → 4 seats, Dec 12, 2026 – Dec 11, 2027");
    assert_change_text("it", "IT", both,
                       "Rescue, mensile → annuale, 2 → 4 postazioni, 12 dic 2026 – 11 dic 2027");
    /* Nothing that changed (a reactivation written as a change): product, seats, dates; a one-day
     * period is its day alone. */
    invoice_line_t same = change("Rescue", "monthly", "2026-12-12", "2026-12-13", 4, "monthly", 4,
                                 1000, 1, 31, 0, 0, TAX_EXCLUSIVE);
    assert_change_text("en", "US", same, "Rescue, 4 seats, Dec 12, 2026");
    assert_change_text("es", "ES", same, "Rescue, 4 puestos, 12 dic 2026");
}

/* The Amount column of a change line: its charge for the days and its credit, which add up to
 * the line's amount exactly, so that the rows add up to the subtotal. */
static void test_15_change_amounts(void **state)
{
    (void)state;
    int64_t charge, credit;
    invoice_doc_t en = sample_change_en();
    invoice_change_amounts(&en.lines[0], "exclusive", &charge, &credit);
    /* (8 x $10.00) x 24 / 31 = $61.935... rounds to $61.94; less the $38.71 credit. */
    assert_int_equal(charge, 6194);
    assert_int_equal(credit, 3871);
    assert_int_equal(en.lines[0].net, 2323);
    invoice_change_amounts(&en.lines[1], "exclusive", &charge, &credit);
    assert_int_equal(charge, 11381);
    assert_int_equal(credit, 0);
    assert_int_equal(en.subtotal, 2323 + 11381);

    /* Prices including tax: the credit's part before tax (30.70 / 1.22 = 25.16), the charge the
     * rest of the line's net, so the shown rows still come to the net (16.77). */
    invoice_doc_t it = sample_change_it();
    invoice_change_amounts(&it.lines[0], "inclusive", &charge, &credit);
    assert_int_equal(it.lines[0].gross, 5116 - 3070);
    assert_int_equal(it.lines[0].net, 1677);
    assert_int_equal(credit, 2516);
    assert_int_equal(charge, 4193);
    assert_int_equal(charge - credit, it.subtotal);
}

static void test_16_change_samples(void **state)
{
    (void)state;
    render_sample("change-en", sample_change_en(), LETTER_BOX);
    render_sample("change-es", sample_change_es(), A4_BOX);
    render_sample("change-fr", sample_change_fr(), A4_BOX);
    render_sample("change-it", sample_change_it(), A4_BOX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_english_us_letter),
        cmocka_unit_test(test_02_spanish_a4),
        cmocka_unit_test(test_03_french_a4),
        cmocka_unit_test(test_04_italian_a4),
        cmocka_unit_test(test_05_canada_is_letter),
        cmocka_unit_test(test_06_metadata),
        cmocka_unit_test(test_07_many_lines_many_pages),
        cmocka_unit_test(test_08_no_lines),
        cmocka_unit_test(test_09_odd_input),
        cmocka_unit_test(test_10_filename),
        cmocka_unit_test(test_11_threads),
        cmocka_unit_test(test_12_remit_text),
        cmocka_unit_test(test_13_remit_text_long),
        cmocka_unit_test(test_14_change_text),
        cmocka_unit_test(test_15_change_amounts),
        cmocka_unit_test(test_16_change_samples),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
