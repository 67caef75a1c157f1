/* Unit tests: invoice numbers (series per year, gapless sequence through the bill run). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "services/billing.h"
#include "services/demo.h"
#include "util/token.h"
#include "store_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_01_series_is_the_issue_year(void **state)
{
    (void)state;
    char series[16];
    invoice_series_of((date_t){2026, 11, 22}, series);
    assert_string_equal(series, "INV-2026");
    invoice_series_of((date_t){2027, 1, 1}, series);
    assert_string_equal(series, "INV-2027");
}

static void test_02_number_is_zero_padded_to_six_digits(void **state)
{
    (void)state;
    char number[32];
    invoice_number_of("INV-2026", 1, number);
    assert_string_equal(number, "INV-2026-000001");
    invoice_number_of("INV-2026", 999999, number);
    assert_string_equal(number, "INV-2026-999999");
    invoice_number_of("INV-2026", 1000000, number); /* a seventh digit, never a wrap */
    assert_string_equal(number, "INV-2026-1000000");
}

/* Every invoice number of the database, checked series by series: each series holds 1..n with
 * no gap and no repeat, and its last number handed out is n. Returns how many invoices. */
static size_t assert_series_gapless(store_t *s)
{
    enum { MAX_INVOICES = 4096, MAX_SERIES = 8 };
    arena_t *a = arena_new();
    account_row_t *accounts = NULL;
    size_t n_accounts = 0, total = 0, n_series = 0;
    assert_int_equal(store_accounts_list(s, a, 100, 0, &accounts, &n_accounts), STORE_OK);
    char series[MAX_SERIES][16];
    static unsigned char seen[MAX_SERIES][MAX_INVOICES + 1];
    memset(seen, 0, sizeof seen);
    for (size_t i = 0; i < n_accounts; i++) {
        invoice_summary_t *inv = NULL;
        size_t n = 0;
        assert_int_equal(store_invoices_recent(s, a, accounts[i].id, MAX_INVOICES, &inv, &n),
                         STORE_OK);
        for (size_t k = 0; k < n; k++) {
            const char *number = inv[k].number; /* INV-2026-000001 */
            assert_int_equal(strlen(number), 15);
            size_t x = 0;
            while (x < n_series && strncmp(series[x], number, 8) != 0)
                x++;
            if (x == n_series) {
                assert_true(n_series < MAX_SERIES);
                snprintf(series[n_series++], sizeof series[0], "%.8s", number);
            }
            long seq = atol(number + 9);
            assert_true(seq >= 1 && seq <= MAX_INVOICES);
            assert_int_equal(seen[x][seq], 0); /* no number twice */
            seen[x][seq] = 1;
            total++;
        }
    }
    for (size_t x = 0; x < n_series; x++) {
        int64_t last = 0;
        assert_int_equal(store_invoice_seq_last(s, series[x], &last), STORE_OK);
        assert_true(last >= 1 && last <= MAX_INVOICES);
        for (int64_t q = 1; q <= last; q++)
            if (!seen[x][q]) fail_msg("%s: number %lld is missing", series[x], (long long)q);
        for (int64_t q = last + 1; q <= MAX_INVOICES; q++)
            assert_int_equal(seen[x][q], 0);
    }
    arena_free(a);
    return total;
}

/* 2026-03-15 12:00 UTC: the demo replays two and a half years of bill runs up to it. */
enum { DEMO_NOW = 1773576000 };

static void test_03_bill_runs_number_each_series_from_one_without_gaps(void **state)
{
    (void)state;
    char path[64], err[256];
    store_t *s = fixture_store_new(path, "numbering");
    assert_true(demo_load(s, DEMO_NOW, err, sizeof err));
    assert_true(assert_series_gapless(s) > 0);
    fixture_store_drop(s, path);
}

typedef struct {
    const char *series;
    int64_t taken;
} take_number_t;

/* What a bill-run batch does with the series, then a failure: the batch is rolled back. */
static store_status_t take_number_then_fail(store_t *s, void *ctx)
{
    take_number_t *t = ctx;
    int64_t last = 0;
    store_status_t r = store_invoice_seq_last(s, t->series, &last);
    if (r == STORE_OK) r = store_invoice_seq_set(s, t->series, last + 1);
    t->taken = last + 1;
    return r == STORE_OK ? STORE_CONFLICT : r;
}

static void test_04_a_rolled_back_batch_leaves_no_gap(void **state)
{
    (void)state;
    char path[64], err[256];
    store_t *s = fixture_store_new(path, "numbering");
    assert_true(demo_load(s, DEMO_NOW, err, sizeof err));
    size_t before = assert_series_gapless(s);
    int64_t last = 0;
    assert_int_equal(store_invoice_seq_last(s, "INV-2026", &last), STORE_OK);
    take_number_t t = {.series = "INV-2026"};
    assert_int_equal(store_run_tx(s, STORE_TX_WRITE, take_number_then_fail, &t), STORE_CONFLICT);
    assert_int_equal(t.taken, last + 1); /* the number the failed batch would have used */
    /* The next bill run, two months on, uses that number: the rolled-back batch left no gap. */
    bill_run_stats_t stats;
    bill_run_opts_t opts = {.at = {2026, 5, 20},
                            .now = DEMO_NOW + 66 * 86400,
                            .vendor_name = "Vendor, Inc.",
                            .base_url = "https://billing.vendor.example"};
    assert_true(bill_run(s, &opts, &stats));
    assert_true(stats.invoices > 0);
    assert_int_equal(assert_series_gapless(s), before + (size_t)stats.invoices);
    int64_t after = 0;
    assert_int_equal(store_invoice_seq_last(s, "INV-2026", &after), STORE_OK);
    assert_int_equal(after, last + stats.invoices);
    fixture_store_drop(s, path);
}

typedef struct {
    int64_t id, seats, unit_amount, plan_id;
    const char *start;
} renewal_t;

static store_status_t renew_body(store_t *s, void *ctx)
{
    renewal_t *r = ctx;
    store_status_t st = store_subscription_renew(s, r->id, r->start, "2099-12-31", r->seats,
                                                 r->unit_amount, r->plan_id);
    return st == STORE_OK ? store_flush(s) : st;
}

/* A bill run renews with the seats and price it read and billed. At READ COMMITTED (PostgreSQL)
 * a quote accepted between its read and its write would otherwise have its change for the next
 * renewal made the subscription's own while the invoice billed the old one: the write must match
 * nothing, and the batch run again. */
static void test_05_a_renewal_refuses_a_subscription_changed_since_it_was_read(void **state)
{
    (void)state;
    char path[64], err[256];
    store_t *s = fixture_store_new(path, "numbering");
    assert_true(demo_load(s, DEMO_NOW, err, sizeof err));
    arena_t *a = arena_new();
    due_subscription_t *due = NULL;
    size_t n = 0;
    assert_int_equal(store_due_subscriptions_between(s, a, 0, INT64_MAX, "2099-12-31", &due, &n),
                     STORE_OK);
    assert_true(n > 0);
    const due_subscription_t d = due[0];
    /* Read, then a quote's change for the next renewal accepted. */
    assert_int_equal(store_subscription_set_next(s, d.account_id, d.id, d.seats + 1, -1), STORE_OK);
    renewal_t r = {.id = d.id,
                   .seats = d.seats,
                   .unit_amount = d.unit_amount,
                   .plan_id = d.plan_id,
                   .start = d.period_end};
    assert_int_equal(store_run_tx(s, STORE_TX_LOCKING, renew_body, &r), STORE_NOT_FOUND);
    /* Renewed with what it now renews with: those become its own. */
    r.seats = d.seats + 1;
    assert_int_equal(store_run_tx(s, STORE_TX_LOCKING, renew_body, &r), STORE_OK);
    assert_int_equal(
        store_due_subscriptions_between(s, a, d.account_id, d.account_id, "2099-12-31", &due, &n),
        STORE_OK);
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (due[i].id != d.id) continue;
        found = true;
        assert_int_equal(due[i].seats, d.seats + 1);
        assert_string_equal(due[i].period_start, d.period_end);
        assert_string_equal(due[i].period_end, "2099-12-31");
    }
    assert_true(found);
    arena_free(a);
    fixture_store_drop(s, path);
}

int main(void)
{
    assert_true(token_init());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_series_is_the_issue_year),
        cmocka_unit_test(test_02_number_is_zero_padded_to_six_digits),
        cmocka_unit_test(test_03_bill_runs_number_each_series_from_one_without_gaps),
        cmocka_unit_test(test_04_a_rolled_back_batch_leaves_no_gap),
        cmocka_unit_test(test_05_a_renewal_refuses_a_subscription_changed_since_it_was_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
