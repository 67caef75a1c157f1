/* Test program: runs the Stripe driver's operations, one JSON request a line on stdin, one JSON
 * answer a line on stdout (tests/integration/test_stripe_driver.py; docs/stripe.md).
 *
 *   stripe_probe --stripe-api-url URL --key-file FILE --secret-file FILE
 *
 * The secret file holds one webhook secret, or two lines while one is rotated. Requests:
 *   {"op": "create_checkout" | "create_setup", "payment_id", "key", "amount", "currency",
 *    "description", "email", "customer", "lang", "success_url", "cancel_url", "expires_at"}
 *   {"op": "charge_saved", "payment_id", "key", "amount", "currency", "description",
 *    "customer", "method"}
 *   {"op": "retrieve", "payment_id", "key", "session_ref", "payment_ref"}
 *   {"op": "refund", "refund_id", "key", "payment_ref", "amount", "currency"}
 *   {"op": "read_event", "body", "header", "now"}
 * Every answer has "result" (OK, DECLINED, UNKNOWN, ERROR) and "err", and the op's fields. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payments/gateway.h"
#include "util/token.h"

static const char *const RESULTS[] = {"OK", "DECLINED", "UNKNOWN", "ERROR"};
static const char *const STATES[] = {"PENDING", "PROCESSING", "SUCCEEDED",
                                     "FAILED",  "EXPIRED",    "NOT_FOUND"};
static const char *const KINDS[] = {"IGNORED",        "PAYMENT_SUCCEEDED", "PAYMENT_PROCESSING",
                                    "PAYMENT_FAILED", "CHECKOUT_EXPIRED",  "SETUP_SUCCEEDED",
                                    "REFUND_UPDATED"};
static const char *const REFUND_STATES[] = {"PENDING", "SUCCEEDED", "FAILED"};

/* The file's lines (at most max), without their line ends. */
static int read_lines(const char *path, char lines[][512], int max)
{
    FILE *f = fopen(path, "r");
    int n = 0;
    if (!f) return -1;
    while (n < max && fgets(lines[n], 512, f)) {
        lines[n][strcspn(lines[n], "\r\n")] = '\0';
        if (lines[n][0]) n++;
    }
    fclose(f);
    return n;
}

static const char *s_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int64_t i_of(json_t *o, const char *key)
{
    return (int64_t)json_integer_value(json_object_get(o, key));
}

static json_t *payment_json(gw_result_t r, const gw_payment_t *p, const char *err)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s}", "result", RESULTS[r], "err", err,
                     "state", STATES[p->state], "payment_ref", p->payment_ref, "amount",
                     (json_int_t)p->amount, "currency", p->currency, "brand", p->card_brand,
                     "last4", p->card_last4, "decline_code", p->decline_code);
}

static json_t *page(gateway_t *gw, json_t *q, bool setup)
{
    gw_checkout_req_t r = {
        .payment_id = i_of(q, "payment_id"),
        .idempotency_key = s_of(q, "key"),
        .amount = i_of(q, "amount"),
        .currency = s_of(q, "currency"),
        .description = s_of(q, "description"),
        .customer_email = s_of(q, "email"),
        .customer_ref = s_of(q, "customer"),
        .lang = s_of(q, "lang"),
        .success_url = s_of(q, "success_url"),
        .cancel_url = s_of(q, "cancel_url"),
        .expires_at = i_of(q, "expires_at"),
    };
    gw_session_t out;
    char err[GW_ERR_MAX] = "";
    gw_result_t res = setup ? gw->ops->create_setup(gw, NULL, &r, &out, err)
                            : gw->ops->create_checkout(gw, NULL, &r, &out, err);
    return json_pack("{s:s,s:s,s:s,s:s,s:s}", "result", RESULTS[res], "err", err, "session_ref",
                     out.session_ref, "url", out.url, "customer_ref", out.customer_ref);
}

static json_t *charge(gateway_t *gw, json_t *q)
{
    gw_charge_req_t r = {
        .payment_id = i_of(q, "payment_id"),
        .idempotency_key = s_of(q, "key"),
        .amount = i_of(q, "amount"),
        .currency = s_of(q, "currency"),
        .description = s_of(q, "description"),
        .customer_ref = s_of(q, "customer"),
        .method_ref = s_of(q, "method"),
    };
    gw_payment_t out;
    char err[GW_ERR_MAX] = "";
    gw_result_t res = gw->ops->charge_saved(gw, NULL, &r, &out, err);
    return payment_json(res, &out, err);
}

static json_t *retrieve(gateway_t *gw, json_t *q)
{
    gw_lookup_t w = {
        .payment_id = i_of(q, "payment_id"),
        .idempotency_key = s_of(q, "key"),
        .session_ref = s_of(q, "session_ref"),
        .payment_ref = s_of(q, "payment_ref"),
    };
    gw_payment_t out;
    char err[GW_ERR_MAX] = "";
    gw_result_t res = gw->ops->retrieve(gw, NULL, &w, &out, err);
    return payment_json(res, &out, err);
}

static json_t *refund(gateway_t *gw, json_t *q)
{
    gw_refund_req_t r = {
        .refund_id = i_of(q, "refund_id"),
        .idempotency_key = s_of(q, "key"),
        .payment_ref = s_of(q, "payment_ref"),
        .amount = i_of(q, "amount"),
        .currency = s_of(q, "currency"),
    };
    gw_refund_t out;
    char err[GW_ERR_MAX] = "";
    gw_result_t res = gw->ops->refund(gw, NULL, &r, &out, err);
    return json_pack("{s:s,s:s,s:s,s:s}", "result", RESULTS[res], "err", err, "state",
                     REFUND_STATES[out.state], "refund_ref", out.refund_ref);
}

static json_t *read_event(gateway_t *gw, json_t *q)
{
    const char *body = s_of(q, "body");
    gw_event_t ev;
    char err[GW_ERR_MAX] = "";
    gw_result_t res =
        gw->ops->read_event(gw, body, strlen(body), s_of(q, "header"), i_of(q, "now"), &ev, err);
    json_t *a = payment_json(res, &ev.payment, err);
    json_object_set_new(a, "id", json_string(ev.id));
    json_object_set_new(a, "type", json_string(ev.type));
    json_object_set_new(a, "kind", json_string(KINDS[ev.kind]));
    json_object_set_new(a, "payment_id", json_integer(ev.payment_id));
    json_object_set_new(a, "refund_id", json_integer(ev.refund_id));
    json_object_set_new(a, "session_ref", json_string(ev.session_ref));
    json_object_set_new(a, "refund_ref", json_string(ev.refund.refund_ref));
    json_object_set_new(a, "refund_state", json_string(REFUND_STATES[ev.refund.state]));
    json_object_set_new(a, "card",
                        json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:s}", "customer_ref",
                                  ev.card.customer_ref, "method_ref", ev.card.method_ref, "brand",
                                  ev.card.brand, "last4", ev.card.last4, "exp_month",
                                  ev.card.exp_month, "exp_year", ev.card.exp_year, "holder_name",
                                  ev.card.holder_name));
    return a;
}

static json_t *run(gateway_t *gw, json_t *q)
{
    const char *op = s_of(q, "op");
    if (strcmp(op, "create_checkout") == 0) return page(gw, q, false);
    if (strcmp(op, "create_setup") == 0) return page(gw, q, true);
    if (strcmp(op, "charge_saved") == 0) return charge(gw, q);
    if (strcmp(op, "retrieve") == 0) return retrieve(gw, q);
    if (strcmp(op, "refund") == 0) return refund(gw, q);
    if (strcmp(op, "read_event") == 0) return read_event(gw, q);
    return json_pack("{s:s,s:s}", "result", "ERROR", "err", "unknown op");
}

static const char *arg(int argc, char **argv, const char *name)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], name) == 0) return argv[i + 1];
    return NULL;
}

int main(int argc, char **argv)
{
    const char *url = arg(argc, argv, "--stripe-api-url");
    const char *key_file = arg(argc, argv, "--key-file");
    const char *secret_file = arg(argc, argv, "--secret-file");
    char key[1][512], secrets[2][512];
    if (!url || !key_file || !secret_file || read_lines(key_file, key, 1) != 1 ||
        read_lines(secret_file, secrets, 2) < 1) {
        fprintf(stderr, "usage: stripe_probe --stripe-api-url URL --key-file F --secret-file F\n");
        return 2;
    }
    int n = read_lines(secret_file, secrets, 2);
    if (!token_init() || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) return 1;
    const char *const webhook[2] = {secrets[0], n > 1 ? secrets[1] : NULL};
    char err[GW_ERR_MAX];
    gateway_t *gw = gateway_stripe_new(url, key[0], webhook, err);
    if (!gw) {
        fprintf(stderr, "stripe_probe: %s\n", err);
        return 1;
    }
    static char line[1 << 20];
    while (fgets(line, sizeof line, stdin)) {
        json_t *q = json_loads(line, 0, NULL);
        json_t *a = q ? run(gw, q) : json_pack("{s:s,s:s}", "result", "ERROR", "err", "bad line");
        char *out = json_dumps(a, JSON_COMPACT);
        printf("%s\n", out);
        fflush(stdout);
        free(out);
        json_decref(a);
        json_decref(q);
    }
    gw->ops->free(gw); /* gateway_free belongs to the payment service, not linked here */
    curl_global_cleanup();
    return 0;
}
