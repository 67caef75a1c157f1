/* Unit tests: Stripe-shaped events read into gw_event_t (src/payments/stripe_event.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payments/gateway.h"

static gw_result_t read_ev(const char *json, gw_event_t *ev)
{
    char err[GW_ERR_MAX];
    gw_result_t r = gw_read_stripe_event(json, strlen(json), ev, err);
    if (r != GW_OK) assert_true(err[0] != '\0'); /* the log is told why */
    return r;
}

#define ENVELOPE(type, object)                                                                     \
    "{\"id\":\"evt_1OaB2c\",\"object\":\"event\",\"api_version\":\"2024-06-20\","                  \
    "\"created\":1700000000,\"livemode\":false,\"pending_webhooks\":1,"                            \
    "\"request\":{\"id\":null,\"idempotency_key\":null},\"type\":\"" type "\","                    \
    "\"data\":{\"object\":" object "}}"

#define SESSION(mode, status, payment_status, extra)                                               \
    "{\"id\":\"cs_test_a1\",\"object\":\"checkout.session\",\"mode\":\"" mode "\","                \
    "\"status\":\"" status "\",\"payment_status\":\"" payment_status "\","                         \
    "\"amount_total\":12550,\"currency\":\"usd\",\"client_reference_id\":\"42\","                  \
    "\"customer\":\"cus_Q1\",\"customer_email\":\"ap@acme.example\"," extra "}"

static void test_01_session_completed_paid(void **state)
{
    (void)state;
    gw_event_t ev;
    assert_int_equal(read_ev(ENVELOPE("checkout.session.completed",
                                      SESSION("payment", "complete", "paid",
                                              "\"metadata\":{\"cobro_payment\":\"42\"},"
                                              "\"payment_intent\":\"pi_3Ab\"")),
                             &ev),
                     GW_OK);
    assert_string_equal(ev.id, "evt_1OaB2c");
    assert_string_equal(ev.type, "checkout.session.completed");
    assert_int_equal(ev.created, 1700000000);
    assert_int_equal(ev.kind, GW_EVENT_PAYMENT_SUCCEEDED);
    assert_int_equal(ev.payment.state, GW_PAY_SUCCEEDED);
    assert_int_equal(ev.payment_id, 42);
    assert_string_equal(ev.session_ref, "cs_test_a1");
    assert_string_equal(ev.payment.payment_ref, "pi_3Ab");
    assert_int_equal(ev.payment.amount, 12550);
    assert_string_equal(ev.payment.currency, "USD");
    assert_string_equal(ev.payment.card_brand, "");
}

static void test_02_session_unpaid_and_async(void **state)
{
    (void)state;
    gw_event_t ev;
    /* No metadata: client_reference_id names our payment. */
    assert_int_equal(read_ev(ENVELOPE("checkout.session.completed",
                                      SESSION("payment", "complete", "unpaid",
                                              "\"metadata\":{},\"payment_intent\":\"pi_3Ab\"")),
                             &ev),
                     GW_OK);
    assert_int_equal(ev.kind, GW_EVENT_PAYMENT_PROCESSING);
    assert_int_equal(ev.payment_id, 42);
    assert_int_equal(read_ev(ENVELOPE("checkout.session.async_payment_succeeded",
                                      SESSION("payment", "complete", "paid", "\"metadata\":null")),
                             &ev),
                     GW_OK);
    assert_int_equal(ev.kind, GW_EVENT_PAYMENT_SUCCEEDED);
    assert_int_equal(read_ev(ENVELOPE("checkout.session.async_payment_failed",
                                      SESSION("payment", "complete", "unpaid", "\"x\":1")),
                             &ev),
                     GW_OK);
    assert_int_equal(ev.kind, GW_EVENT_PAYMENT_FAILED);
    assert_int_equal(ev.payment.state, GW_PAY_FAILED);
    assert_int_equal(read_ev(ENVELOPE("checkout.session.expired",
                                      SESSION("payment", "expired", "unpaid",
                                              "\"metadata\":{\"cobro_payment\":\"7\"}")),
                             &ev),
                     GW_OK);
    assert_int_equal(ev.kind, GW_EVENT_CHECKOUT_EXPIRED);
    assert_int_equal(ev.payment.state, GW_PAY_EXPIRED);
    assert_int_equal(ev.payment_id, 7); /* the metadata wins over client_reference_id */
}

static void test_03_session_expanded_intent_card(void **state)
{
    (void)state;
    gw_event_t ev;
    assert_int_equal(
        read_ev(ENVELOPE("checkout.session.completed",
                         SESSION("payment", "complete", "paid",
                                 "\"metadata\":{\"cobro_payment\":\"42\"},"
                                 "\"payment_intent\":{\"id\":\"pi_3Ab\",\"object\":"
                                 "\"payment_intent\",\"amount\":12550,\"amount_received\":12550,"
                                 "\"currency\":\"usd\",\"status\":\"succeeded\","
                                 "\"metadata\":{\"cobro_payment\":\"42\"},\"latest_charge\":{"
                                 "\"id\":\"ch_1\",\"payment_method_details\":{\"type\":\"card\","
                                 "\"card\":{\"brand\":\"visa\",\"last4\":\"4242\"}}}}")),
                &ev),
        GW_OK);
    assert_string_equal(ev.payment.payment_ref, "pi_3Ab");
    assert_string_equal(ev.payment.card_brand, "visa");
    assert_string_equal(ev.payment.card_last4, "4242");
}

static void test_04_session_setup(void **state)
{
    (void)state;
    gw_event_t ev;
    assert_int_equal(read_ev(ENVELOPE("checkout.session.completed",
                                      SESSION("setup", "complete", "no_payment_required",
                                              "\"metadata\":{\"cobro_setup\":\"9\"},"
                                              "\"setup_intent\":\"seti_1\"")),
                             &ev),
                     GW_OK);
    assert_int_equal(ev.kind, GW_EVENT_SETUP_SUCCEEDED);
    assert_int_equal(ev.payment_id, 9); /* our set-up's id */
    assert_string_equal(ev.setup_ref, "seti_1");
    assert_string_equal(ev.card.customer_ref, "cus_Q1");
    assert_string_equal(ev.card.brand, "");
    /* Expanded: the card's display fields. */
    assert_int_equal(
        read_ev(ENVELOPE("checkout.session.completed",
                         SESSION("setup", "complete", "no_payment_required",
                                 "\"metadata\":{\"cobro_setup\":\"9\"},\"setup_intent\":{"
                                 "\"id\":\"seti_1\",\"customer\":\"cus_Q1\",\"payment_method\":{"
                                 "\"id\":\"pm_1\",\"card\":{\"brand\":\"mastercard\",\"last4\":"
                                 "\"4444\",\"exp_month\":12,\"exp_year\":2030},"
                                 "\"billing_details\":{\"name\":\"Ana Pérez\"}}}")),
                &ev),
        GW_OK);
    assert_string_equal(ev.card.method_ref, "pm_1");
    assert_string_equal(ev.card.brand, "mastercard");
    assert_string_equal(ev.card.last4, "4444");
    assert_int_equal(ev.card.exp_month, 12);
    assert_int_equal(ev.card.exp_year, 2030);
    assert_string_equal(ev.card.holder_name, "Ana Pérez");
    /* A set-up page that expires is no payment's business. */
    assert_int_equal(read_ev(ENVELOPE("checkout.session.expired",
                                      SESSION("setup", "expired", "no_payment_required",
                                              "\"metadata\":{\"cobro_setup\":\"9\"}")),
                             &ev),
                     GW_OK);
    assert_int_equal(ev.kind, GW_EVENT_IGNORED);
    assert_int_equal(ev.payment_id, 0);
}

#define INTENT(status, extra)                                                                      \
    "{\"id\":\"pi_3Ab\",\"object\":\"payment_intent\",\"amount\":5000,"                            \
    "\"amount_received\":0,\"currency\":\"eur\",\"status\":\"" status "\","                        \
    "\"metadata\":{\"cobro_payment\":\"1234567\"},\"latest_charge\":\"ch_1\"," extra "}"

static void test_05_payment_intents(void **state)
{
    (void)state;
    gw_event_t ev;
    assert_int_equal(read_ev(ENVELOPE("payment_intent.succeeded",
                                      INTENT("succeeded", "\"last_payment_error\":null")),
                             &ev),
                     GW_OK);
    assert_int_equal(ev.kind, GW_EVENT_PAYMENT_SUCCEEDED);
    assert_int_equal(ev.payment_id, 1234567);
    assert_string_equal(ev.payment.payment_ref, "pi_3Ab");
    assert_int_equal(ev.payment.amount, 5000);
    assert_string_equal(ev.payment.currency, "EUR");
    assert_int_equal(read_ev(ENVELOPE("payment_intent.payment_failed",
                                      INTENT("requires_payment_method",
                                             "\"last_payment_error\":{\"type\":\"card_error\","
                                             "\"code\":\"card_declined\","
                                             "\"decline_code\":\"insufficient_funds\"}")),
                             &ev),
                     GW_OK);
    assert_int_equal(ev.kind, GW_EVENT_PAYMENT_FAILED);
    assert_string_equal(ev.payment.decline_code, "insufficient_funds");
    assert_int_equal(
        read_ev(ENVELOPE("payment_intent.payment_failed",
                         INTENT("requires_payment_method", "\"last_payment_error\":{\"code\":"
                                                           "\"expired_card\"}")),
                &ev),
        GW_OK);
    assert_string_equal(ev.payment.decline_code, "expired_card");
    assert_int_equal(
        read_ev(ENVELOPE("payment_intent.processing", INTENT("processing", "\"x\":0")), &ev),
        GW_OK);
    assert_int_equal(ev.kind, GW_EVENT_PAYMENT_PROCESSING);
    /* Another integration's payment on the same account: no metadata, payment_id 0. */
    assert_int_equal(read_ev(ENVELOPE("payment_intent.succeeded",
                                      "{\"id\":\"pi_x\",\"amount\":1,\"currency\":\"usd\"}"),
                             &ev),
                     GW_OK);
    assert_int_equal(ev.kind, GW_EVENT_PAYMENT_SUCCEEDED);
    assert_int_equal(ev.payment_id, 0);
}

static void test_06_setup_intent_and_refunds(void **state)
{
    (void)state;
    gw_event_t ev;
    assert_int_equal(read_ev(ENVELOPE("setup_intent.succeeded",
                                      "{\"id\":\"seti_1\",\"object\":\"setup_intent\","
                                      "\"status\":\"succeeded\",\"customer\":\"cus_Q1\","
                                      "\"payment_method\":\"pm_1\",\"metadata\":{\"cobro_setup\":"
                                      "\"5\"}}"),
                             &ev),
                     GW_OK);
    assert_int_equal(ev.kind, GW_EVENT_SETUP_SUCCEEDED);
    assert_int_equal(ev.payment_id, 5);
    assert_string_equal(ev.setup_ref, "seti_1");
    assert_string_equal(ev.card.method_ref, "pm_1");
    assert_string_equal(ev.card.customer_ref, "cus_Q1");
    const char *types[] = {"charge.refund.updated", "refund.updated", "refund.created"};
    const char *statuses[] = {"succeeded", "failed", "pending", "canceled", "requires_action"};
    const gw_refund_state_t want[] = {GW_REFUND_SUCCEEDED, GW_REFUND_FAILED, GW_REFUND_PENDING,
                                      GW_REFUND_FAILED, GW_REFUND_PENDING};
    for (int t = 0; t < 3; t++)
        for (int i = 0; i < 5; i++) {
            char json[1024];
            snprintf(json, sizeof json,
                     "{\"id\":\"evt_r\",\"type\":\"%s\",\"created\":1700000001,\"data\":{"
                     "\"object\":{\"id\":\"re_1\",\"object\":\"refund\",\"amount\":300,"
                     "\"currency\":\"gbp\",\"payment_intent\":\"pi_3Ab\",\"status\":\"%s\","
                     "\"metadata\":{\"cobro_refund\":\"77\"}}}}",
                     types[t], statuses[i]);
            assert_int_equal(read_ev(json, &ev), GW_OK);
            assert_int_equal(ev.kind, GW_EVENT_REFUND_UPDATED);
            assert_int_equal(ev.refund.state, want[i]);
            assert_int_equal(ev.refund_id, 77);
            assert_string_equal(ev.refund.refund_ref, "re_1");
            assert_string_equal(ev.payment.payment_ref, "pi_3Ab");
            assert_int_equal(ev.payment.amount, 300);
            assert_string_equal(ev.payment.currency, "GBP");
        }
}

static void test_07_ignored_types(void **state)
{
    (void)state;
    gw_event_t ev;
    /* Not looked at beyond the envelope, whatever data holds. */
    assert_int_equal(read_ev("{\"id\":\"evt_9\",\"type\":\"customer.created\",\"created\":5,"
                             "\"data\":{\"object\":[1,2]}}",
                             &ev),
                     GW_OK);
    assert_int_equal(ev.kind, GW_EVENT_IGNORED);
    assert_string_equal(ev.type, "customer.created");
    assert_int_equal(read_ev("{\"id\":\"evt_9\",\"type\":\"checkout.session.completedX\","
                             "\"created\":5}",
                             &ev),
                     GW_OK);
    assert_int_equal(ev.kind, GW_EVENT_IGNORED);
    assert_int_equal(read_ev(ENVELOPE("checkout.session.completed",
                                      SESSION("subscription", "complete", "paid", "\"x\":1")),
                             &ev),
                     GW_OK);
    assert_int_equal(ev.kind, GW_EVENT_IGNORED);
}

static void test_08_refused(void **state)
{
    (void)state;
    gw_event_t ev;
    const char *bad[] = {
        "",
        "null",
        "[]",
        "\"evt\"",
        "{}",
        "{\"id\":\"evt_1\",\"type\":\"x\"}",                   /* no created */
        "{\"id\":\"evt_1\",\"created\":5}",                    /* no type */
        "{\"type\":\"x\",\"created\":5}",                      /* no id */
        "{\"id\":\"\",\"type\":\"x\",\"created\":5}",          /* empty id */
        "{\"id\":5,\"type\":\"x\",\"created\":5}",             /* id not a string */
        "{\"id\":\"evt_1\",\"type\":\"x\",\"created\":\"5\"}", /* created a string */
        "{\"id\":\"evt_1\",\"type\":\"x\",\"created\":-5}",    /* before 1970 */
        "{\"id\":\"evt_1\",\"type\":\"x\",\"created\":5.5}",   /* not an integer */
        "{\"id\":\"evt_1\",\"type\":\"x\",\"created\":1e300}", /* absurd */
        "{\"id\":\"evt_1\",\"type\":\"x\",\"created\":9999999999999}",
        "{\"id\":\"evt_1\",\"type\":\"x\",\"created\":99999999999999999999999999}", /* huge */
        "{\"id\":\"evt_1\",\"type\":\"x\",\"created\":5,\"id\":\"evt_2\"}",         /* twice */
        "{\"id\":\"evt\\u0000x\",\"type\":\"x\",\"created\":5}",                    /* a NUL */
        "{\"id\":\"evt\\n\",\"type\":\"x\",\"created\":5}",                         /* a control */
        "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\",\"created\":5,\"data\":{}}",
        "{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\",\"created\":5,\"data\":1}",
        ENVELOPE("payment_intent.succeeded", INTENT("succeeded", "\"amount\":-1")),
        ENVELOPE("payment_intent.succeeded", "{\"id\":\"pi\",\"amount\":10000000000000}"),
        ENVELOPE("payment_intent.succeeded", "{\"id\":\"pi\",\"amount\":\"5\"}"),
        ENVELOPE("payment_intent.succeeded", "{\"id\":\"pi\",\"currency\":\"us\"}"),
        ENVELOPE("payment_intent.succeeded", "{\"id\":\"pi\",\"currency\":\"usd1\"}"),
        ENVELOPE("payment_intent.succeeded", "{\"id\":\"pi\",\"currency\":\"u$d\"}"),
        ENVELOPE("payment_intent.succeeded", "{\"id\":\"pi\",\"metadata\":[]}"),
        ENVELOPE("payment_intent.succeeded", "{\"id\":\"pi\",\"metadata\":{\"cobro_payment\":5}}"),
        ENVELOPE("payment_intent.succeeded",
                 "{\"id\":\"pi\",\"metadata\":{\"cobro_payment\":\"12a\"}}"),
        ENVELOPE("payment_intent.succeeded",
                 "{\"id\":\"pi\",\"metadata\":{\"cobro_payment\":\"-3\"}}"),
        ENVELOPE("payment_intent.succeeded",
                 "{\"id\":\"pi\",\"metadata\":{\"cobro_payment\":\"1234567890123456789\"}}"),
        ENVELOPE("payment_intent.succeeded",
                 "{\"id\":\"pi\",\"latest_charge\":{\"payment_method_details\":{\"card\":{"
                 "\"last4\":\"42\"}}}}"),
        ENVELOPE("setup_intent.succeeded", "{\"id\":\"seti\",\"payment_method\":{\"card\":{"
                                           "\"exp_month\":13}}}"),
        ENVELOPE("refund.updated", "{\"id\":[\"re_1\"]}"),
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        memset(&ev, 0x5a, sizeof ev);
        if (read_ev(bad[i], &ev) != GW_ERROR) fail_msg("accepted: %s", bad[i]);
        assert_int_equal(ev.kind, GW_EVENT_IGNORED); /* nothing half-read is left behind */
        assert_int_equal(ev.payment_id, 0);
        assert_string_equal(ev.id, "");
    }
    /* An id too long for GW_REF_MAX is refused, not cut. */
    char json[512];
    char long_id[GW_REF_MAX + 1];
    memset(long_id, 'a', GW_REF_MAX);
    long_id[GW_REF_MAX] = '\0';
    snprintf(json, sizeof json, "{\"id\":\"%s\",\"type\":\"x\",\"created\":5}", long_id);
    assert_int_equal(read_ev(json, &ev), GW_ERROR);
    /* NULL and a length of 0. */
    char err[GW_ERR_MAX];
    assert_int_equal(gw_read_stripe_event(NULL, 0, &ev, err), GW_ERROR);
}

/* Every prefix of a real event, and bytes flipped at random (a fixed seed): refused or read,
 * never a crash (ASan and UBSan watch this test in build-asan). */
static void test_09_truncated_and_garbage(void **state)
{
    (void)state;
    static const char full[] = ENVELOPE(
        "checkout.session.completed",
        SESSION("payment", "complete", "paid",
                "\"metadata\":{\"cobro_payment\":\"42\"},\"payment_intent\":{\"id\":\"pi_3Ab\","
                "\"amount\":12550,\"currency\":\"usd\",\"latest_charge\":{\"id\":\"ch_1\","
                "\"payment_method_details\":{\"card\":{\"brand\":\"visa\",\"last4\":\"4242\"}}}}"));
    gw_event_t ev;
    char err[GW_ERR_MAX];
    size_t n = strlen(full);
    int ok = 0;
    for (size_t len = 0; len < n; len++) {
        /* A copy of exactly len bytes, so that ASan sees any read past the end. */
        char *cut = malloc(len ? len : 1);
        memcpy(cut, full, len);
        assert_int_equal(gw_read_stripe_event(cut, len, &ev, err), GW_ERROR);
        free(cut);
    }
    assert_int_equal(gw_read_stripe_event(full, n, &ev, err), GW_OK);
    srand(12);
    char *copy = malloc(n);
    for (int round = 0; round < 3000; round++) {
        memcpy(copy, full, n);
        for (int k = 0; k < 1 + round % 4; k++)
            copy[rand() % (int)n] = (char)(rand() % 256);
        gw_result_t r = gw_read_stripe_event(copy, n, &ev, err);
        assert_true(r == GW_OK || r == GW_ERROR);
        ok += r == GW_OK;
    }
    free(copy);
    assert_true(ok > 0); /* some flips land in a string and leave a readable event */
    /* Deep nesting and a long body. */
    size_t deep = 100000;
    char *nest = malloc(deep * 2 + 1);
    memset(nest, '[', deep);
    memset(nest + deep, ']', deep);
    nest[deep * 2] = '\0';
    assert_int_equal(gw_read_stripe_event(nest, deep * 2, &ev, err), GW_ERROR);
    free(nest);
    size_t big = (1 << 20) + 10;
    char *huge = malloc(big);
    memset(huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    assert_int_equal(gw_read_stripe_event(huge, big, &ev, err), GW_ERROR);
    free(huge);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_session_completed_paid),
        cmocka_unit_test(test_02_session_unpaid_and_async),
        cmocka_unit_test(test_03_session_expanded_intent_card),
        cmocka_unit_test(test_04_session_setup),
        cmocka_unit_test(test_05_payment_intents),
        cmocka_unit_test(test_06_setup_intent_and_refunds),
        cmocka_unit_test(test_07_ignored_types),
        cmocka_unit_test(test_08_refused),
        cmocka_unit_test(test_09_truncated_and_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
