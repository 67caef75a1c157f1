/* Unit tests: store_run_tx commits once, rolls back a failed body, retries a busy one a bounded
 * number of times, and keeps two writers on one database file from losing an update. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store.h"
#include "util/token.h"
#include "store_fixture.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The number stored under key (a vendor setting), -1 when there is none. */
static long long counter(store_t *s, const char *key)
{
    arena_t *a = arena_new();
    char *v = NULL;
    store_status_t r = store_setting(s, a, key, &v);
    long long n = r == STORE_OK ? atoll(v) : -1;
    arena_free(a);
    return n;
}

typedef struct {
    const char *key;
    int runs;            /* how many times the body ran */
    int busy_runs;       /* the first busy_runs runs answer STORE_BUSY (after writing) */
    store_status_t last; /* what the runs after those answer */
} body_ctx_t;

/* Adds 1 to the counter, then answers as the test says: whatever a run that does not answer
 * STORE_OK wrote must vanish with it. */
static store_status_t add_one(store_t *s, void *ctx)
{
    body_ctx_t *c = ctx;
    c->runs++;
    arena_t *a = arena_new();
    char *v = NULL;
    store_status_t r = store_setting(s, a, c->key, &v);
    long long n = r == STORE_OK ? atoll(v) : 0;
    arena_free(a);
    if (r != STORE_OK && r != STORE_NOT_FOUND) return r;
    char text[32];
    snprintf(text, sizeof text, "%lld", n + 1);
    r = store_set_setting(s, c->key, text);
    if (r != STORE_OK) return r;
    return c->runs <= c->busy_runs ? STORE_BUSY : c->last;
}

static void test_01_busy_twice_then_ok_runs_three_times_and_commits_once(void **state)
{
    (void)state;
    char path[64];
    store_t *s = fixture_store_new(path, "store-tx");
    body_ctx_t c = {.key = "tx_counter", .busy_runs = 2, .last = STORE_OK};
    assert_int_equal(store_run_tx(s, STORE_TX_WRITE, add_one, &c), STORE_OK);
    assert_int_equal(c.runs, 3);
    assert_int_equal(counter(s, "tx_counter"), 1); /* the two busy runs left nothing */
    fixture_store_drop(s, path);
}

static void test_02_a_failing_body_is_rolled_back(void **state)
{
    (void)state;
    char path[64];
    store_t *s = fixture_store_new(path, "store-tx");
    store_status_t refusals[] = {STORE_ERROR, STORE_CONFLICT, STORE_NOT_FOUND};
    for (size_t i = 0; i < sizeof refusals / sizeof refusals[0]; i++) {
        body_ctx_t c = {.key = "tx_counter", .last = refusals[i]};
        assert_int_equal(store_run_tx(s, STORE_TX_WRITE, add_one, &c), refusals[i]);
        assert_int_equal(c.runs, 1); /* only busy is worth another run */
        assert_int_equal(counter(s, "tx_counter"), -1);
    }
    /* The connection is usable afterwards: no transaction was left open. */
    body_ctx_t c = {.key = "tx_counter", .last = STORE_OK};
    assert_int_equal(store_run_tx(s, STORE_TX_WRITE, add_one, &c), STORE_OK);
    assert_int_equal(counter(s, "tx_counter"), 1);
    fixture_store_drop(s, path);
}

static void test_03_always_busy_gives_up_after_the_bound(void **state)
{
    (void)state;
    char path[64];
    store_t *s = fixture_store_new(path, "store-tx");
    body_ctx_t c = {.key = "tx_counter", .busy_runs = 1000, .last = STORE_OK};
    assert_int_equal(store_run_tx(s, STORE_TX_WRITE, add_one, &c), STORE_BUSY);
    assert_int_equal(c.runs, STORE_TX_ATTEMPTS);
    assert_int_equal(counter(s, "tx_counter"), -1);
    fixture_store_drop(s, path);
}

static store_status_t read_counter(store_t *s, void *ctx)
{
    long long *n = ctx;
    *n = counter(s, "tx_counter");
    return STORE_OK;
}

static void test_04_a_read_transaction_returns_what_it_read(void **state)
{
    (void)state;
    char path[64];
    store_t *s = fixture_store_new(path, "store-tx");
    assert_int_equal(store_set_setting(s, "tx_counter", "41"), STORE_OK);
    long long n = 0;
    assert_int_equal(store_run_tx(s, STORE_TX_READ, read_counter, &n), STORE_OK);
    assert_int_equal(n, 41);
    fixture_store_drop(s, path);
}

enum { INCREMENTS = 100 };

typedef struct {
    const char *path;
    int failures;
} writer_t;

/* One writer on its own connection, as each server worker has. */
static void *writer(void *arg)
{
    writer_t *w = arg;
    char err[256];
    store_t *s = store_open(w->path, err, sizeof err);
    if (!s) {
        w->failures = INCREMENTS;
        return NULL;
    }
    for (int i = 0; i < INCREMENTS; i++) {
        body_ctx_t c = {.key = "tx_counter", .last = STORE_OK};
        if (store_run_tx(s, STORE_TX_WRITE, add_one, &c) != STORE_OK) w->failures++;
    }
    store_close(s);
    return NULL;
}

static void test_05_two_connections_lose_no_increment(void **state)
{
    (void)state;
    char path[64];
    store_t *s = fixture_store_new(path, "store-tx");
    writer_t w[2] = {{.path = path}, {.path = path}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, writer, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(w[0].failures + w[1].failures, 0);
    assert_int_equal(counter(s, "tx_counter"), 2 * INCREMENTS);
    fixture_store_drop(s, path);
}

int main(void)
{
    assert_true(token_init());
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_busy_twice_then_ok_runs_three_times_and_commits_once),
        cmocka_unit_test(test_02_a_failing_body_is_rolled_back),
        cmocka_unit_test(test_03_always_busy_gives_up_after_the_bound),
        cmocka_unit_test(test_04_a_read_transaction_returns_what_it_read),
        cmocka_unit_test(test_05_two_connections_lose_no_increment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
