/* Unit tests: invoice numbers (series per year, gapless sequence in the invoice's transaction). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "services/billing.h"
#include "util/token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static store_t *fresh_store(char path[64])
{
    snprintf(path, 64, "/tmp/cobro-numbering-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[256];
    store_t *s = store_open(path, err, sizeof err);
    assert_non_null(s);
    int from = 0, to = 0;
    assert_int_equal(store_migrate(s, &from, &to), STORE_OK);
    return s;
}

static void drop_store(store_t *s, const char *path)
{
    store_close(s);
    unlink(path);
    char side[80];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

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

static void test_03_sequence_starts_at_one_and_counts_per_series(void **state)
{
    (void)state;
    char path[64];
    store_t *s = fresh_store(path);
    int64_t seq = 0;
    for (int64_t want = 1; want <= 5; want++) {
        assert_int_equal(store_next_invoice_seq(s, "INV-2026", &seq), STORE_OK);
        assert_int_equal(seq, want);
    }
    assert_int_equal(store_next_invoice_seq(s, "INV-2027", &seq), STORE_OK);
    assert_int_equal(seq, 1);
    assert_int_equal(store_next_invoice_seq(s, "INV-2026", &seq), STORE_OK);
    assert_int_equal(seq, 6);
    drop_store(s, path);
}

static void test_04_a_rolled_back_invoice_leaves_no_gap(void **state)
{
    (void)state;
    char path[64];
    store_t *s = fresh_store(path);
    int64_t seq = 0;
    assert_int_equal(store_begin(s), STORE_OK);
    assert_int_equal(store_next_invoice_seq(s, "INV-2026", &seq), STORE_OK);
    assert_int_equal(seq, 1);
    store_rollback(s); /* the invoice that would have used 1 never existed */
    assert_int_equal(store_begin(s), STORE_OK);
    assert_int_equal(store_next_invoice_seq(s, "INV-2026", &seq), STORE_OK);
    assert_int_equal(store_commit(s), STORE_OK);
    assert_int_equal(seq, 1);
    drop_store(s, path);
}

int main(void)
{
    assert_true(token_init());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_series_is_the_issue_year),
        cmocka_unit_test(test_02_number_is_zero_padded_to_six_digits),
        cmocka_unit_test(test_03_sequence_starts_at_one_and_counts_per_series),
        cmocka_unit_test(test_04_a_rolled_back_invoice_leaves_no_gap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
