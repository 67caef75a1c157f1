/* Unit tests: the quote PDF (src/render/quote_pdf.c) and the sentences it shares with the quote
 * page (src/render/quote_text.c). With COBRO_PDF_OUT set to a directory, the samples are also
 * written there (quote-en.pdf, quote-it.pdf, quote-long.pdf) for tests/pdf/check-pdf-text, which
 * reads them back with pdftotext. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/quote_doc.h"
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

static const quote_vendor_t vendor = {
    .name = "Cobro Software S.r.l.",
    .address = "Via Roma 1\n20121 Milano",
    .country = "IT",
    .email = "billing@cobro.example",
    .tax_id = "IT01234567890",
};

/* 2026-12-05 00:00:00 UTC */
#define DEC_5_2026 1796428800

/* Acme (US, Illinois): 15 seats added for the rest of the term with 10 % off, 5 seats removed
 * from the renewal. 117 of the term's 365 days: 162000 x 117 / 365 = 51928.77 -> 51929. */
static quote_line_t en_lines[] = {
    {.position = 1,
     .kind = "add_seats",
     .product_name = "RescueAssist",
     .discount_kind = "percent",
     .seats = 15,
     .unit_amount = 12000,
     .discount_value = 100000,
     .list_amount = 180000,
     .discount = 18000,
     .term_net = 162000,
     .days = 117,
     .term_days = 365,
     .due_now = 51929,
     .renewal_unit_amount = 10800},
    {.position = 2,
     .kind = "remove_seats",
     .product_name = "Cobro Team Edition",
     .discount_kind = "none",
     .seats = 5,
     .unit_amount = 9900},
};

static account_t en_account = {.id = 1,
                               .kind = "corporate",
                               .name = "Acme Widgets, Inc.",
                               .currency = "USD",
                               .lang = "en",
                               .bill_to_name = "Acme Widgets, Inc.",
                               .address_line1 = "100 Main Street",
                               .address_line2 = "Suite 400",
                               .city = "Springfield",
                               .region = "IL",
                               .postal_code = "62701",
                               .country = "US",
                               .phone = "+1 217 555 0100"};

static quote_t sample_en(void)
{
    return (quote_t){.id = 1,
                     .account_id = 1,
                     .number = "Q-2026-000001",
                     .state = "sent",
                     .currency = "USD",
                     .lang = "en",
                     .effective_date = "2026-12-05",
                     .valid_until = "2027-01-04",
                     .term_start = "2026-04-01",
                     .term_end = "2027-04-01",
                     .payment_terms_days = 30,
                     .customer_note = "Prices held for the whole term.",
                     .internal_note = "INTERNAL-ONLY margin 40%",
                     .tax_mode = "exclusive",
                     .tax_name = "sales tax",
                     .tax_rate_ppm = 62500,
                     .due_subtotal = 51929,
                     .due_tax = 3246,
                     .due_total = 55175,
                     .renewal_subtotal = 162000,
                     .renewal_tax = 10125,
                     .renewal_total = 172125,
                     .created_at = DEC_5_2026,
                     .sent_at = DEC_5_2026,
                     .po_number = "",
                     .sales_rep_name = "Sam Seller",
                     .sales_rep_email = "sam@vendor.example",
                     .account_name = "Acme Widgets, Inc.",
                     .lines = en_lines,
                     .n_lines = 2};
}

/* Globex (Italy, euros, read in Italian): a product added with 100 EUR off, and the renewal of
 * another set at 20 seats. */
static quote_line_t it_lines[] = {
    {.position = 1,
     .kind = "add_product",
     .product_name = "Edizione Team",
     .discount_kind = "amount",
     .seats = 10,
     .unit_amount = 12000,
     .discount_value = 10000,
     .list_amount = 120000,
     .discount = 10000,
     .term_net = 110000,
     .days = 200,
     .term_days = 365,
     .due_now = 60274,
     .renewal_unit_amount = 12000},
    {.position = 2,
     .kind = "set_renewal",
     .product_name = "RescueAssist",
     .discount_kind = "none",
     .seats = 20,
     .unit_amount = 9900,
     .renewal_unit_amount = 9900},
};

static account_t it_account = {.id = 2,
                               .kind = "corporate",
                               .name = "Globex Italia S.r.l.",
                               .currency = "EUR",
                               .lang = "it",
                               .bill_to_name = "Globex Italia S.r.l.",
                               .address_line1 = "Via Dante 7",
                               .address_line2 = "",
                               .city = "Milano",
                               .region = "MI",
                               .postal_code = "20121",
                               .country = "IT",
                               .phone = "+39 02 5550 0100"};

static quote_t sample_it(void)
{
    return (quote_t){.id = 2,
                     .account_id = 2,
                     .number = "Q-2026-000002-2",
                     .state = "sent",
                     .currency = "EUR",
                     .lang = "it",
                     .effective_date = "2026-12-05",
                     .valid_until = "2027-01-04",
                     .term_start = "2026-06-23",
                     .term_end = "2027-06-23",
                     .payment_terms_days = 60,
                     .customer_note = "Prezzi bloccati per l'intero anno.\nGrazie.",
                     .internal_note = "INTERNAL-ONLY",
                     .tax_mode = "exclusive",
                     .tax_name = "IVA",
                     .tax_rate_ppm = 220000,
                     .due_subtotal = 60274,
                     .due_tax = 13260,
                     .due_total = 73534,
                     .renewal_subtotal = 318000,
                     .renewal_tax = 69960,
                     .renewal_total = 387960,
                     .created_at = DEC_5_2026,
                     .sent_at = DEC_5_2026,
                     .po_number = "",
                     .sales_rep_name = "Marco Bianchi",
                     .sales_rep_email = "marco@vendor.example",
                     .account_name = "Globex Italia S.r.l.",
                     .lines = it_lines,
                     .n_lines = 2};
}

static size_t count(const buf_t *b, const char *needle)
{
    size_t n = 0, k = strlen(needle);
    for (const char *p = b->data; (p = memmem(p, b->len - (size_t)(p - b->data), needle, k));
         p += k)
        n++;
    return n;
}

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

static void render_ok(const quote_doc_t *d, buf_t *b)
{
    char err[200] = "";
    buf_init(b, arena);
    if (!quote_pdf_render(d, b, err, sizeof err)) fail_msg("render: %s", err);
    assert_string_equal(err, "");
    assert_true(b->len > 1024);
    assert_memory_equal(b->data, "%PDF-", 5);
}

#define LETTER_BOX "/MediaBox [ 0 0 612 792 ]"
#define A4_BOX "/MediaBox [ 0 0 595.28 841.89 ]"

/* 1. English, a US account: Letter, one page. */
static void test_01_english_letter(void **state)
{
    (void)state;
    quote_t q = sample_en();
    quote_doc_t d = {.quote = &q, .account = &en_account, .vendor = vendor};
    buf_t b;
    render_ok(&d, &b);
    assert_int_equal(pages(&b), 1);
    assert_non_null(memmem(b.data, b.len, LETTER_BOX, strlen(LETTER_BOX)));
    save("quote-en", &b);
}

/* 2. Italian, an Italian account: A4, one page. */
static void test_02_italian_a4(void **state)
{
    (void)state;
    quote_t q = sample_it();
    quote_doc_t d = {.quote = &q, .account = &it_account, .vendor = vendor};
    buf_t b;
    render_ok(&d, &b);
    assert_int_equal(pages(&b), 1);
    assert_non_null(memmem(b.data, b.len, A4_BOX, strlen(A4_BOX)));
    save("quote-it", &b);
}

/* 3. Many lines: several pages, each row drawn once. */
static void test_03_many_lines(void **state)
{
    (void)state;
    quote_t q = sample_en();
    enum { N = 60 };
    quote_line_t *lines = arena_alloc(arena, N * sizeof *lines);
    for (int i = 0; i < N; i++) {
        lines[i] = en_lines[0];
        lines[i].product_name = arena_printf(arena, "Seat pack %03d", i + 1);
    }
    q.lines = lines;
    q.n_lines = N;
    quote_doc_t d = {.quote = &q, .account = &en_account, .vendor = vendor};
    buf_t b;
    render_ok(&d, &b);
    assert_true(pages(&b) >= 3);
    save("quote-long", &b);
}

/* 4. The sentences the page and the PDF share. */
static void test_04_line_text(void **state)
{
    (void)state;
    quote_t q = sample_en();
    char what[QUOTE_TEXT_MAX], when[QUOTE_TEXT_MAX];
    quote_line_text(LANG_EN, "US", &q, &en_lines[0], what, when);
    assert_string_equal(what, "Add 15 seats of RescueAssist for the rest of the term");
    assert_string_equal(when, "from Dec 5, 2026 to Mar 31, 2027 (117 of 365 days), then renewed "
                              "with the account");
    quote_line_text(LANG_EN, "US", &q, &en_lines[1], what, when);
    assert_string_equal(what, "From the next renewal on Apr 1, 2027: remove 5 seats of Cobro "
                              "Team Edition");
    assert_string_equal(when, "");
    quote_line_t one = en_lines[0];
    one.seats = 1;
    quote_line_text(LANG_EN, "US", &q, &one, what, when);
    assert_string_equal(what, "Add 1 seat of RescueAssist for the rest of the term");
    assert_int_equal(quote_line_annual(&en_lines[0]), 15 * 10800);
    assert_int_equal(quote_line_annual(&en_lines[1]), -1);
    assert_true(quote_line_due_now(&en_lines[0]));
    assert_false(quote_line_due_now(&en_lines[1]));
    char terms[QUOTE_TEXT_MAX];
    quote_terms_text(LANG_EN, 30, terms);
    assert_string_equal(terms, "Net 30");
    quote_terms_text(LANG_EN, 0, terms);
    assert_string_equal(terms, "Due on receipt");
    assert_string_equal(quote_state_text(LANG_EN, "sent"), "Pending");
    assert_string_equal(quote_state_text(LANG_IT, "superseded"), "Sostituito");
    char last[11];
    quote_term_last_day(&q, last);
    assert_string_equal(last, "2027-03-31");
}

/* 5. The file name never carries anything but the number's safe characters. */
static void test_05_filename(void **state)
{
    (void)state;
    quote_t q = sample_en();
    assert_string_equal(quote_pdf_filename(&q, arena), "Q-2026-000001.pdf");
    q.number = "Q\"/../x";
    assert_string_equal(quote_pdf_filename(&q, arena), "Q__.._x.pdf");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_english_letter), cmocka_unit_test(test_02_italian_a4),
        cmocka_unit_test(test_03_many_lines),     cmocka_unit_test(test_04_line_text),
        cmocka_unit_test(test_05_filename),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
