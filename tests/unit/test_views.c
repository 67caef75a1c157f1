/* Unit tests: the rules the pages read through services (the purchase order in force, the bank
 * details that apply, the address order) and the one answer to a service's status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "i18n/address.h"
#include "services/invoices.h"
#include "services/purchase_orders.h"
#include "services/services.h"
#include "store_fixture.h"
#include "web/pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    char path[64];
    store_t *s;
    services_t *svc;
    arena_t *a;
    int64_t acme, globex;
} fixture_t;

static int64_t account(store_t *s, const char *name, int64_t rep)
{
    account_t acc = {.kind = "corporate",
                     .name = (char *)name,
                     .currency = "USD",
                     .lang = "en",
                     .bill_to_name = (char *)name,
                     .address_line1 = "1 Main Street",
                     .address_line2 = "",
                     .city = "Springfield",
                     .region = "IL",
                     .postal_code = "62701",
                     .country = "US",
                     .phone = "",
                     .sales_rep_id = rep};
    int64_t id = 0;
    assert_int_equal(store_ensure_account(s, &acc, 1700000000, &id), STORE_OK);
    return id;
}

static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    f->s = fixture_store_new(f->path, "views");
    staff_user_t rep = {
        .email = "rep@vendor.example", .name = "Rita", .role = "sales_rep", .password_hash = "x"};
    int64_t rep_id = 0;
    assert_int_equal(store_ensure_staff(f->s, &rep, 1700000000, &rep_id), STORE_OK);
    f->acme = account(f->s, "Acme", rep_id);
    f->globex = account(f->s, "Globex", rep_id);
    f->svc = services_new(f->s);
    f->a = arena_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    arena_free(f->a);
    services_free(f->svc);
    fixture_store_drop(f->s, f->path);
    free(f);
    return 0;
}

static void add_po(fixture_t *f, int64_t account_id, const char *number, const char *start,
                   const char *end)
{
    assert_int_equal(store_ensure_purchase_order(f->s, account_id, number, start, end, 1700000000),
                     STORE_OK);
}

/* The number in force on date, "" for none. */
static const char *in_force(fixture_t *f, int64_t account_id, const char *date)
{
    po_in_force_t po;
    assert_int_equal(po_in_force(f->svc, f->a, account_id, date, &po), STATUS_OK);
    assert_true(po.in_force == (*po.number != '\0'));
    return po.number;
}

static void test_01_po_in_force_from_its_first_to_its_last_day(void **state)
{
    fixture_t *f = *state;
    add_po(f, f->acme, "PO-2026", "2026-01-01", "2026-12-31");
    assert_string_equal(in_force(f, f->acme, "2025-12-31"), "");
    assert_string_equal(in_force(f, f->acme, "2026-01-01"), "PO-2026");
    assert_string_equal(in_force(f, f->acme, "2026-06-15"), "PO-2026");
    assert_string_equal(in_force(f, f->acme, "2026-12-31"), "PO-2026");
    assert_string_equal(in_force(f, f->acme, "2027-01-01"), "");
    /* Another account's purchase order never applies. */
    assert_string_equal(in_force(f, f->globex, "2026-06-15"), "");
}

static void test_02_of_overlapping_ones_the_latest_start_applies(void **state)
{
    fixture_t *f = *state;
    /* The portal refuses overlaps, but older data may hold them: one answer, everywhere. */
    add_po(f, f->acme, "PO-YEAR", "2026-01-01", "2026-12-31");
    add_po(f, f->acme, "PO-SUMMER", "2026-06-01", "2026-08-31");
    assert_string_equal(in_force(f, f->acme, "2026-05-31"), "PO-YEAR");
    assert_string_equal(in_force(f, f->acme, "2026-06-01"), "PO-SUMMER");
    assert_string_equal(in_force(f, f->acme, "2026-09-01"), "PO-YEAR");
    /* The bill run's form (a range of accounts) gives one row per account, the same one. */
    add_po(f, f->globex, "G-1", "2026-01-01", "2026-12-31");
    account_texts_t *rows = NULL;
    size_t n = 0;
    assert_int_equal(pos_in_force(f->s, f->a, f->acme, f->globex, "2026-07-01", &rows, &n),
                     STORE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].account_id, f->acme);
    assert_string_equal(rows[0].a, "PO-SUMMER");
    assert_string_equal(rows[0].b, "2026-08-31");
    assert_int_equal(rows[1].account_id, f->globex);
    assert_string_equal(rows[1].a, "G-1");
}

static void test_03_the_list_status_agrees_with_the_po_in_force(void **state)
{
    fixture_t *f = *state;
    add_po(f, f->acme, "PO-A", "2026-01-01", "2026-03-31");
    add_po(f, f->acme, "PO-B", "2026-04-01", "2026-06-30");
    po_t *pos = NULL;
    size_t n = 0;
    assert_int_equal(store_pos_of(f->s, f->a, f->acme, &pos, &n), STORE_OK);
    assert_int_equal(n, 2);
    const char *dates[] = {"2025-12-31", "2026-01-01", "2026-03-31",
                           "2026-04-01", "2026-06-30", "2026-07-01"};
    for (size_t d = 0; d < sizeof dates / sizeof dates[0]; d++) {
        const char *number = in_force(f, f->acme, dates[d]);
        for (size_t i = 0; i < n; i++)
            assert_true((po_state_on(&pos[i], dates[d]) == PO_IN_FORCE) ==
                        (strcmp(pos[i].number, number) == 0));
    }
    const po_t *first = strcmp(pos[0].number, "PO-A") == 0 ? &pos[0] : &pos[1]; /* newest first */
    assert_string_equal(first->number, "PO-A");
    assert_int_equal(po_state_on(first, "2025-12-31"), PO_NOT_YET);
    assert_int_equal(po_state_on(first, "2026-04-01"), PO_EXPIRED);
}

static void test_04_bank_details_that_apply(void **state)
{
    fixture_t *f = *state;
    vendor_payment_t v = {.bank_name = "First Bank",
                          .account_name = " ",
                          .routing = "",
                          .account = "12345678",
                          .iban = "",
                          .bic = "FBNKUS33",
                          .check_address = ""};
    bank_detail_t rows[BANK_DETAILS_MAX];
    size_t n = vendor_bank_details(f->a, &v, rows);
    assert_int_equal(n, 3); /* the blank account name is not a detail */
    assert_string_equal(rows[0].label, "Bank");
    assert_string_equal(rows[1].label, "BIC / SWIFT");
    assert_string_equal(rows[2].label, "Account number");
    assert_string_equal(rows[2].value, "12345678");
    /* The invoice's "How to pay" prints the same ones, in the same order. */
    invoice_payment_t *pay = NULL;
    assert_int_equal(invoice_payment_instructions(f->a, "wire", "corporate", &v, &pay), 1);
    assert_string_equal(pay[0].remit_to,
                        "Bank\tFirst Bank\nBIC / SWIFT\tFBNKUS33\nAccount number\t12345678");
}

static void test_05_address_order_of_the_country(void **state)
{
    (void)state;
    address_lines_t us, it;
    format_address(LANG_EN, "100 Main Street", "Suite 400", "Springfield", "IL", "62701", "US",
                   &us);
    assert_int_equal(us.n, 4);
    assert_string_equal(us.line[2], "Springfield, IL 62701");
    assert_string_equal(us.line[3], "United States");
    format_address(LANG_IT, "Via Roma 12", "", "Milano", "MI", "20121", "IT", &it);
    assert_int_equal(it.n, 3);
    assert_string_equal(it.line[0], "Via Roma 12");
    assert_string_equal(it.line[1], "20121 Milano (MI)");
    assert_string_equal(it.line[2], "Italia");
}

/* ---- the answer to a status ------------------------------------------------------------- */

static req_t *request(arena_t *a, lang_t lang)
{
    static const app_t app = {.vendor_name = "Vendor, Inc.",
                              .care_email = "care@vendor.example",
                              .cas_email = "cas@vendor.example"};
    req_t *r = arena_alloc(a, sizeof *r);
    memset(r, 0, sizeof *r);
    r->arena = a;
    r->app = &app;
    r->lang = lang;
    r->method = METHOD_GET;
    r->method_name = "GET";
    r->path = "/corporate/account";
    r->csrf = "";
    r->resp.status = 200;
    buf_init(&r->resp.body, a);
    return r;
}

static const char *header(const req_t *r, const char *name)
{
    for (int i = 0; i < r->resp.n_headers; i++)
        if (strcmp(r->resp.headers[i].name, name) == 0) return r->resp.headers[i].value;
    return NULL;
}

static void test_06_each_status_has_one_answer(void **state)
{
    fixture_t *f = *state;
    const struct {
        status_t st;
        int http;
        const char *title;
    } cases[] = {
        {STATUS_NOT_FOUND, 404, "Page not found"},  {STATUS_REFUSED, 404, "Page not found"},
        {STATUS_INVALID, 400, "Bad request"},       {STATUS_CONFLICT, 409, "Changed meanwhile"},
        {STATUS_LIMITED, 429, "Too many requests"}, {STATUS_LOCKED, 429, "Too many requests"},
        {STATUS_BUSY, 503, "Service unavailable"},  {STATUS_ERROR, 500, "Something went wrong"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        req_t *r = request(f->a, LANG_EN);
        assert_true(answer_status(r, cases[i].st));
        assert_int_equal(r->resp.status, cases[i].http);
        assert_int_equal(status_http(cases[i].st), cases[i].http);
        assert_non_null(strstr(r->resp.body.data, cases[i].title));
        /* Only a busy database says when to come back. */
        assert_true((header(r, "Retry-After") != NULL) == (cases[i].st == STATUS_BUSY));
    }
    req_t *r = request(f->a, LANG_EN);
    assert_false(answer_status(r, STATUS_OK));
    assert_int_equal(r->resp.status, 200);
    assert_int_equal(r->resp.body.len, 0);
}

static void test_07_the_answer_is_in_the_users_language(void **state)
{
    fixture_t *f = *state;
    req_t *r = request(f->a, LANG_FR);
    assert_true(answer_status(r, STATUS_CONFLICT));
    assert_int_equal(r->resp.status, 409);
    assert_non_null(strstr(r->resp.body.data, "Modifié entre-temps"));
    r = request(f->a, LANG_IT);
    assert_true(answer_status(r, STATUS_ERROR));
    assert_non_null(strstr(r->resp.body.data, "Si è verificato un errore"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_01_po_in_force_from_its_first_to_its_last_day, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_02_of_overlapping_ones_the_latest_start_applies, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_03_the_list_status_agrees_with_the_po_in_force, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_04_bank_details_that_apply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_05_address_order_of_the_country, setup, teardown),
        cmocka_unit_test_setup_teardown(test_06_each_status_has_one_answer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_07_the_answer_is_in_the_users_language, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
