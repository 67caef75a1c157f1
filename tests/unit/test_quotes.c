/* Unit tests: the quote service on a real SQLite database with the demo's data (demo quotes,
 * acceptance and what it changes, refusals, rejection, revisions, the staff's rights, and many
 * acceptances at once giving one invoice). The clock is fixed: 2026-12-05 10:00 UTC. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "services/demo.h"
#include "services/quotes.h"
#include "services/services.h"
#include "store/store.h"
#include "store_fixture.h"

#include <pthread.h>

static const int64_t NOW = 1796464800; /* 2026-12-05T10:00:00Z */

typedef struct {
    char path[64];
    store_t *s;
    services_t *svc;
    arena_t *a;
    int64_t acme, globex, rep, care, acme_credential;
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->s = fixture_store_new(f->path, "quotes");
    char err[256] = "";
    if (!demo_load(f->s, NOW, err, sizeof err)) fail_msg("demo: %s", err);
    f->svc = services_new(f->s);
    f->a = arena_new();
    account_row_t *rows = NULL;
    size_t n = 0;
    assert_int_equal(store_accounts_list(f->s, f->a, 10, 0, &rows, &n), STORE_OK);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].name, "Acme Corporation") == 0) f->acme = rows[i].id;
        if (strcmp(rows[i].name, "Globex Italia S.p.A.") == 0) f->globex = rows[i].id;
    }
    staff_user_t u;
    assert_int_equal(store_staff_by_email(f->s, f->a, "rep@vendor.example", &u), STORE_OK);
    f->rep = u.id;
    assert_int_equal(store_staff_by_email(f->s, f->a, "care@vendor.example", &u), STORE_OK);
    f->care = u.id;
    credential_t c;
    assert_int_equal(store_credential_by_user_id(f->s, f->a, "acme-billing", &c), STORE_OK);
    f->acme_credential = c.id;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    arena_free(f->a);
    services_free(f->svc);
    fixture_store_drop(f->s, f->path);
    free(f);
    return 0;
}

static quote_decider_t acme_contact(fx_t *f)
{
    return (quote_decider_t){
        .account_id = f->acme, .credential_id = f->acme_credential, .ip = "192.0.2.7", .now = NOW};
}

static status_t accept(fx_t *f, const quote_decider_t *who, const char *number,
                       quote_decision_t *out)
{
    quote_accept_form_t form = {
        .name = "Jordan Smith", .title = "Controller", .po_number = "", .accept_terms = "yes"};
    quote_accept_errors_t e;
    return quote_accept(f->svc, f->a, who, number, &form, &e, out);
}

/* 01: the demo's quotes, priced when sent: Acme's 15 RescueAssist seats at 990.00 less 10 % for
 * the 27 days left of its term (2026-12-05 to 2027-01-01 of 365): 13,365.00 x 27 / 365 = 988.64,
 * Illinois sales tax 6.25 % = 61.79; and its expired one. */
static void test_01_demo_quotes(void **state)
{
    fx_t *f = *state;
    quote_t q;
    char *live = NULL, today[11];
    assert_int_equal(
        quote_customer_view(f->svc, f->a, f->acme, "Q-2026-000002", NOW, &q, &live, today),
        STATUS_OK);
    assert_string_equal(today, "2026-12-05");
    assert_string_equal(q.state, "sent");
    assert_string_equal(q.valid_until, "2027-01-04");
    assert_string_equal(q.term_end, "2027-01-01");
    assert_int_equal(q.n_lines, 1);
    assert_int_equal(q.lines[0].renewal_unit_amount, 89100);
    assert_int_equal(q.lines[0].days, 27);
    assert_int_equal(q.due_subtotal, 98864);
    assert_int_equal(q.due_tax, 6179);
    assert_int_equal(q.due_total, 105043);
    assert_string_equal(q.sales_rep_email, "rep@vendor.example");
    assert_int_equal(
        quote_customer_view(f->svc, f->a, f->acme, "Q-2026-000001", NOW, &q, &live, today),
        STATUS_OK);
    assert_string_equal(q.state, "expired");
    /* Globex's quote is not Acme's: no such quote for Acme. */
    assert_int_equal(
        quote_customer_view(f->svc, f->a, f->acme, "Q-2026-000003", NOW, &q, &live, today),
        STATUS_NOT_FOUND);
}

/* 02: accepting: refused input writes nothing; then one transaction adds the seats as a
 * subscription of their own, issues the prorated invoice (Net 30, the PO in force), emails it
 * and tells the rep; a second acceptance finds the first. */
static void test_02_accept(void **state)
{
    fx_t *f = *state;
    quote_decider_t who = acme_contact(f);
    quote_decision_t d;
    quote_accept_form_t unticked = {
        .name = "Jordan Smith", .title = "Controller", .po_number = "", .accept_terms = ""};
    quote_accept_errors_t e;
    assert_int_equal(quote_accept(f->svc, f->a, &who, "Q-2026-000002", &unticked, &e, &d),
                     STATUS_INVALID);
    assert_int_equal(e.accept_terms, FIELD_NOT_ACCEPTED);
    account_subscription_t *subs = NULL;
    size_t n_before = 0, n_after = 0;
    assert_int_equal(store_account_subscriptions(f->s, f->a, f->acme, &subs, &n_before), STORE_OK);
    assert_int_equal(accept(f, &who, "Q-2026-000002", &d), STATUS_OK);
    assert_true(strncmp(d.invoice_number, "INV-2026-", 9) == 0);
    invoice_doc_t inv;
    assert_int_equal(store_invoice_by_number(f->s, f->a, d.invoice_number, &inv), STORE_OK);
    assert_int_equal(inv.total, 105043);
    assert_int_equal(inv.tax_total, 6179);
    assert_string_equal(inv.due_date, "2027-01-04");
    assert_string_equal(inv.po_number, "PO-4500012345");
    assert_int_equal(inv.n_lines, 1);
    assert_int_equal(inv.lines[0].days, 27);
    assert_int_equal(inv.lines[0].term_days, 365);
    assert_int_equal(inv.lines[0].net, 98864);
    assert_int_equal(store_account_subscriptions(f->s, f->a, f->acme, &subs, &n_after), STORE_OK);
    assert_int_equal(n_after, n_before + 1);
    bool found = false;
    for (size_t i = 0; i < n_after; i++)
        if (subs[i].seats == 15 && subs[i].unit_amount == 89100 &&
            strcmp(subs[i].period_start, "2026-12-05") == 0 &&
            strcmp(subs[i].period_end, "2027-01-01") == 0)
            found = true;
    assert_true(found);
    quote_t q;
    char *live = NULL, today[11];
    assert_int_equal(
        quote_customer_view(f->svc, f->a, f->acme, "Q-2026-000002", NOW, &q, &live, today),
        STATUS_OK);
    assert_string_equal(q.state, "accepted");
    assert_string_equal(q.decided_name, "Jordan Smith");
    assert_string_equal(q.decided_ip, "192.0.2.7");
    assert_string_equal(q.invoice_number, d.invoice_number);
    /* Twice: the outcome of the first, nothing more. */
    assert_int_equal(accept(f, &who, "Q-2026-000002", &d), STATUS_CONFLICT);
    assert_int_equal(d.block, QUOTE_IS_ACCEPTED);
    /* The expired one cannot be. */
    assert_int_equal(accept(f, &who, "Q-2026-000001", &d), STATUS_CONFLICT);
    assert_int_equal(d.block, QUOTE_IS_EXPIRED);
    /* Another account's: not found. */
    assert_int_equal(accept(f, &who, "Q-2026-000003", &d), STATUS_NOT_FOUND);
    verify_opts_t o = {.latest_claim = NOW + 3600, .max_findings = 10};
    verify_finding_t *found_rows = NULL;
    size_t n = 0;
    int64_t total = 0;
    assert_int_equal(store_verify(f->s, f->a, &o, &found_rows, &n, &total), STORE_OK);
    if (total) fail_msg("verify: %s", found_rows[0].message);
}

/* 03: rejecting needs a reason from the list. */
static void test_03_reject(void **state)
{
    fx_t *f = *state;
    quote_decider_t who = acme_contact(f);
    quote_decision_t d;
    field_error_t re, ce;
    assert_int_equal(quote_reject(f->svc, f->a, &who, "Q-2026-000002", "cheaper", "", &re, &ce, &d),
                     STATUS_INVALID);
    assert_int_equal(re, FIELD_BAD_CHOICE);
    assert_int_equal(quote_reject(f->svc, f->a, &who, "Q-2026-000002", "price", "Over our budget.",
                                  &re, &ce, &d),
                     STATUS_OK);
    assert_int_equal(accept(f, &who, "Q-2026-000002", &d), STATUS_CONFLICT);
    assert_int_equal(d.block, QUOTE_IS_REJECTED);
}

/* 04: the staff side: Customer Care may not; the rep drafts, refused input is said line by line,
 * sends, revises (the revision supersedes the sent one when it is sent), withdraws. */
static void test_04_staff_lifecycle(void **state)
{
    fx_t *f = *state;
    quote_staff_ctx_t care = {.staff_id = f->care, .role = "customer_care", .now = NOW};
    char *number = NULL;
    assert_int_equal(quote_create(f->svc, f->a, &care, f->acme, &number), STATUS_NOT_FOUND);
    quote_staff_ctx_t rep = {.staff_id = f->rep, .role = "sales_rep", .now = NOW, .ip = "10.0.0.1"};
    assert_int_equal(quote_create(f->svc, f->a, &rep, f->acme, &number), STATUS_OK);
    assert_string_equal(number, "Q-2026-000004");
    quote_builder_t b;
    assert_int_equal(quote_builder_view(f->svc, f->a, &rep, number, &b), STATUS_OK);
    assert_string_equal(b.quote.state, "draft");
    assert_true(b.n_subscriptions >= 2);
    assert_true(b.n_plans >= 3);
    char sub_id[24];
    snprintf(sub_id, sizeof sub_id, "%lld", (long long)b.subscriptions[0].id);
    quote_form_t form = {.effective_date = "2026-12-05",
                         .valid_until = "2026-12-31",
                         .payment_terms = "45",
                         .customer_note = "For the new office.",
                         .internal_note = "Agreed by phone.",
                         .n_lines = 2,
                         .decimal_mark = '.'};
    form.lines[0] = (quote_line_form_t){.kind = "remove_seats",
                                        .subscription_id = sub_id,
                                        .seats = "1000",
                                        .unit_price = "",
                                        .discount_kind = "",
                                        .discount = ""};
    form.lines[1] = (quote_line_form_t){.kind = "add_product",
                                        .plan_id = "x",
                                        .seats = "2",
                                        .unit_price = "12,5",
                                        .discount_kind = "percent",
                                        .discount = "150"};
    quote_errors_t e;
    assert_int_equal(quote_save_draft(f->svc, f->a, &rep, number, &form, &e), STATUS_INVALID);
    assert_int_equal(e.product[1], FIELD_BAD_CHOICE);
    assert_int_equal(e.discount[1], FIELD_BAD_PERCENT);
    form.lines[1] = (quote_line_form_t){.kind = "", .seats = ""}; /* an empty row: no line */
    assert_int_equal(quote_save_draft(f->svc, f->a, &rep, number, &form, &e), STATUS_INVALID);
    assert_int_equal(e.seats[0], FIELD_TOO_MANY_SEATS);
    form.lines[0].seats = "5";
    form.valid_until = "2026-12-04";
    assert_int_equal(quote_save_draft(f->svc, f->a, &rep, number, &form, &e), STATUS_INVALID);
    assert_int_equal(e.valid_until, FIELD_PAST_DATE);
    form.valid_until = "2026-12-31";
    assert_int_equal(quote_save_draft(f->svc, f->a, &rep, number, &form, &e), STATUS_OK);
    assert_int_equal(quote_send(f->svc, f->a, &rep, number, &e), STATUS_OK);
    /* Sent: no more edits, by the service or by SQL. */
    assert_int_equal(quote_save_draft(f->svc, f->a, &rep, number, &form, &e), STATUS_CONFLICT);
    char *revision = NULL;
    assert_int_equal(quote_revise(f->svc, f->a, &rep, number, &revision), STATUS_OK);
    assert_string_equal(revision, "Q-2026-000004-2");
    char *again = NULL;
    assert_int_equal(quote_revise(f->svc, f->a, &rep, number, &again), STATUS_CONFLICT);
    assert_int_equal(quote_send(f->svc, f->a, &rep, revision, &e), STATUS_OK);
    quote_t q;
    char *live = NULL, today[11];
    assert_int_equal(quote_customer_view(f->svc, f->a, f->acme, number, NOW, &q, &live, today),
                     STATUS_OK);
    assert_string_equal(q.state, "superseded");
    assert_string_equal(live, "Q-2026-000004-2");
    quote_decision_t d;
    quote_decider_t who = acme_contact(f);
    assert_int_equal(accept(f, &who, number, &d), STATUS_CONFLICT);
    assert_int_equal(d.block, QUOTE_IS_SUPERSEDED);
    assert_int_equal(quote_withdraw(f->svc, f->a, &rep, revision), STATUS_OK);
    assert_int_equal(accept(f, &who, revision, &d), STATUS_CONFLICT);
    assert_int_equal(d.block, QUOTE_IS_WITHDRAWN);
    assert_int_equal(quote_withdraw(f->svc, f->a, &rep, revision), STATUS_CONFLICT);
}

typedef struct {
    const char *path;
    fx_t *f;
    status_t status;
} racer_t;

static void *race_accept(void *arg)
{
    racer_t *r = arg;
    char err[256];
    store_t *s = store_open(r->path, err, sizeof err);
    services_t *svc = services_new(s);
    arena_t *a = arena_new();
    quote_decider_t who = acme_contact(r->f);
    quote_accept_form_t form = {
        .name = "Jordan Smith", .title = "Controller", .po_number = "", .accept_terms = "yes"};
    quote_accept_errors_t e;
    quote_decision_t d;
    r->status = quote_accept(svc, a, &who, "Q-2026-000002", &form, &e, &d);
    arena_free(a);
    services_free(svc);
    store_close(s);
    return NULL;
}

/* 05: eight acceptances at once, each on its own connection: one succeeds, one invoice. */
static void test_05_accept_race(void **state)
{
    fx_t *f = *state;
    enum { RACERS = 8 };
    pthread_t t[RACERS];
    racer_t r[RACERS];
    for (int i = 0; i < RACERS; i++) {
        r[i] = (racer_t){.path = f->path, .f = f};
        assert_int_equal(pthread_create(&t[i], NULL, race_accept, &r[i]), 0);
    }
    int ok = 0, conflict = 0;
    for (int i = 0; i < RACERS; i++) {
        pthread_join(t[i], NULL);
        ok += r[i].status == STATUS_OK;
        conflict += r[i].status == STATUS_CONFLICT;
    }
    assert_int_equal(ok, 1);
    assert_int_equal(conflict, RACERS - 1);
    quote_t *qs = NULL;
    size_t n = 0;
    assert_int_equal(store_quotes_of_account(f->s, f->a, f->acme, false, 10, &qs, &n), STORE_OK);
    int accepted = 0;
    for (size_t i = 0; i < n; i++)
        accepted += strcmp(qs[i].state, "accepted") == 0;
    assert_int_equal(accepted, 1);
}

/* 06: "valid until" is a day in the vendor's time zone (setting time_zone, UTC when unset or
 * unknown): at 05:00 UTC on 5 December it is still the 4th in Los Angeles and already the 5th in
 * UTC, so a quote valid until the 4th is pending for a vendor there and expired for one in UTC. */
static void test_06_vendor_time_zone(void **state)
{
    fx_t *f = *state;
    char day[11];
    const int64_t early = 1796446800; /* 2026-12-05T05:00:00Z */
    vendor_today("America/Los_Angeles", early, day);
    assert_string_equal(day, "2026-12-04");
    vendor_today("Pacific/Auckland", early, day); /* UTC+13 in December */
    assert_string_equal(day, "2026-12-05");
    vendor_today("Pacific/Auckland", early + 11 * 3600, day);
    assert_string_equal(day, "2026-12-06");
    vendor_today("UTC", early, day);
    assert_string_equal(day, "2026-12-05");
    vendor_today("", early, day);
    assert_string_equal(day, "2026-12-05");
    vendor_today(NULL, early, day);
    assert_string_equal(day, "2026-12-05");
    quote_t q = {.state = "sent", .valid_until = "2026-12-04"};
    assert_string_equal(quote_shown_state(&q, "2026-12-04"), "sent");
    assert_string_equal(quote_shown_state(&q, "2026-12-05"), "expired");
    /* Through the service: Acme's expired demo quote was valid until 2026-11-20. */
    quote_t read;
    char *live = NULL, today[11];
    assert_int_equal(store_set_setting(f->s, "time_zone", "America/Los_Angeles"), STORE_OK);
    const int64_t nov21_early = 1795237200; /* 2026-11-21T05:00:00Z: the 20th in Los Angeles */
    assert_int_equal(quote_customer_view(f->svc, f->a, f->acme, "Q-2026-000001", nov21_early, &read,
                                         &live, today),
                     STATUS_OK);
    assert_string_equal(today, "2026-11-20");
    assert_string_equal(read.valid_until, "2026-11-20");
    /* Stored expired by the demo's job (it ran on 5 December): the stored state wins. */
    assert_string_equal(read.state, "expired");
    assert_int_equal(store_set_setting(f->s, "time_zone", "Not/AZone"), STORE_OK);
    assert_int_equal(quote_customer_view(f->svc, f->a, f->acme, "Q-2026-000001", nov21_early, &read,
                                         &live, today),
                     STATUS_OK);
    assert_string_equal(today, "2026-11-21"); /* unknown: UTC */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_01_demo_quotes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_02_accept, setup, teardown),
        cmocka_unit_test_setup_teardown(test_03_reject, setup, teardown),
        cmocka_unit_test_setup_teardown(test_04_staff_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_05_accept_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_06_vendor_time_zone, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
