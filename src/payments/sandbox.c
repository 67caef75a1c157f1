/* The sandbox gateway (docs/payments.md): cobro's own hosted test checkout, kept in cobro's
 * database so that every node serves it, whose outcomes come back as events in Stripe's shape,
 * signed as Stripe signs them and posted to this node's event endpoint a moment later: the same
 * path a real gateway's events take. No real money moves. */
#include "sandbox.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/log.h"

#include <ctype.h>
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *base_url, *event_url, *secret;
} sandbox_t;

static sandbox_t *impl(gateway_t *gw)
{
    return gw->impl;
}

void sandbox_random_ref(const char *prefix, char *out, size_t n)
{
    unsigned char raw[12];
    randombytes_buf(raw, sizeof raw);
    char hex[sizeof raw * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    snprintf(out, n, "%s%s", prefix, hex);
}

static void lower_copy(const char *in, char out[4])
{
    size_t i = 0;
    for (; in && in[i] && i < 3; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[i] = '\0';
}

/* ---- events --------------------------------------------------------------------------- */

static json_t *metadata(const char *key, int64_t id)
{
    char v[24];
    snprintf(v, sizeof v, "%lld", (long long)id);
    return json_pack("{ss}", key, v);
}

static json_t *payment_intent(const sandbox_session_t *x, const char *status)
{
    char currency[4];
    lower_copy(x->currency, currency);
    json_t *pi =
        json_pack("{ss ss sI sI ss ss so}", "id", x->payment_ref, "object", "payment_intent",
                  "amount", (json_int_t)x->amount, "amount_received",
                  (json_int_t)(strcmp(status, "succeeded") == 0 ? x->amount : 0), "currency",
                  currency, "status", status, "metadata", metadata("cobro_payment", x->object_id));
    if (*x->card_last4)
        json_object_set_new(pi, "latest_charge",
                            json_pack("{ss ss s{s{ssss}}}", "id", x->payment_ref, "object",
                                      "charge", "payment_method_details", "card", "brand",
                                      x->card_brand, "last4", x->card_last4));
    if (*x->decline_code)
        json_object_set_new(
            pi, "last_payment_error",
            json_pack("{ss ss}", "code", "card_declined", "decline_code", x->decline_code));
    return pi;
}

static json_t *checkout_session(const sandbox_session_t *x, const char *status)
{
    char currency[4], ref_id[24];
    lower_copy(x->currency, currency);
    snprintf(ref_id, sizeof ref_id, "%lld", (long long)x->object_id);
    bool setup = strcmp(x->kind, "setup") == 0;
    json_t *cs =
        json_pack("{ss ss ss ss ss sI ss so}", "id", x->ref, "object", "checkout.session", "mode",
                  setup ? "setup" : "payment", "status", status, "client_reference_id", ref_id,
                  "amount_total", (json_int_t)x->amount, "currency", currency, "metadata",
                  metadata(setup ? "cobro_setup" : "cobro_payment", x->object_id));
    json_object_set_new(cs, "payment_status",
                        json_string(strcmp(status, "complete") == 0
                                        ? (setup ? "no_payment_required" : "paid")
                                        : "unpaid"));
    if (setup && *x->method_ref) {
        json_object_set_new(cs, "customer", json_string(x->customer_ref));
        json_object_set_new(
            cs, "setup_intent",
            json_pack("{ss ss ss s{ss ss s{ss ss sI sI} s{ss}}}", "id", x->ref, "object",
                      "setup_intent", "status", "succeeded", "payment_method", "id", x->method_ref,
                      "object", "payment_method", "card", "brand", x->card_brand, "last4",
                      x->card_last4, "exp_month", (json_int_t)x->exp_month, "exp_year",
                      (json_int_t)x->exp_year, "billing_details", "name", x->holder_name));
    }
    return cs;
}

store_status_t sandbox_queue_event(store_t *s, const char *type, const sandbox_session_t *x,
                                   int64_t now)
{
    json_t *object;
    if (strncmp(type, "payment_intent.", 15) == 0)
        object = payment_intent(x, strcmp(type, "payment_intent.succeeded") == 0
                                       ? "succeeded"
                                       : "requires_payment_method");
    else
        object = checkout_session(x, strcmp(type, "checkout.session.expired") == 0 ? "expired"
                                                                                   : "complete");
    char id[48];
    sandbox_random_ref("evt_sb_", id, sizeof id);
    json_t *ev = json_pack("{ss ss ss sI sb s{so}}", "id", id, "object", "event", "type", type,
                           "created", (json_int_t)now, "livemode", 0, "data", "object", object);
    char *body = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    json_decref(ev);
    if (!body) return STORE_ERROR;
    /* Posted a moment later, as a real gateway's events arrive: never inside the request that
     * caused them. */
    store_status_t r = store_sandbox_event_add(s, id, body, now);
    free(body);
    return r;
}

/* ---- delivery ------------------------------------------------------------------------- */

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/* Posts body to the event endpoint, signed now; the HTTP status, 0 when none came. */
static long post_event(const sandbox_t *sb, const char *body, int64_t now)
{
    char signature[160], header[200];
    gw_sign_event(sb->secret, now, body, strlen(body), signature, sizeof signature);
    snprintf(header, sizeof header, GW_SIGNATURE_HEADER ": %s", signature);
    CURL *c = curl_easy_init();
    if (!c) return 0;
    struct curl_slist *h = curl_slist_append(NULL, header);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, sb->event_url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

typedef struct {
    arena_t *a;
    int64_t now, id;
    char *body;
    bool delivered;
} deliver_tx_t;

static store_status_t claim_body(store_t *s, void *arg)
{
    deliver_tx_t *t = arg;
    return store_sandbox_event_claim(s, t->a, t->now, 30, &t->id, &t->body);
}

static store_status_t done_body(store_t *s, void *arg)
{
    deliver_tx_t *t = arg;
    return store_sandbox_event_done(s, t->id, t->delivered, t->now, t->now + 2);
}

static int64_t sb_deliver(gateway_t *gw, store_t *s, int64_t now)
{
    sandbox_t *sb = impl(gw);
    int64_t delivered = 0;
    for (int i = 0; i < 50; i++) {
        arena_t *a = arena_new();
        deliver_tx_t t = {.a = a, .now = now};
        store_status_t r = store_run_tx(s, STORE_TX_WRITE, claim_body, &t);
        if (r != STORE_OK) {
            arena_free(a);
            return r == STORE_NOT_FOUND ? delivered : (delivered ? delivered : -1);
        }
        long status = post_event(sb, t.body, now);
        /* 2xx: taken (or seen before); 400: refused for good (a test's forged copy). */
        t.delivered = (status >= 200 && status < 300) || status == 400;
        if (!t.delivered)
            log_info("sandbox event %lld: the endpoint answered %ld", (long long)t.id, status);
        r = store_run_tx(s, STORE_TX_WRITE, done_body, &t);
        arena_free(a);
        if (r != STORE_OK) return -1;
        if (t.delivered)
            delivered++;
        else
            break;
    }
    return delivered;
}

/* ---- the driver ----------------------------------------------------------------------- */

typedef struct {
    arena_t *a;
    sandbox_session_t in, out;
} make_tx_t;

static store_status_t make_body(store_t *s, void *arg)
{
    make_tx_t *t = arg;
    return store_sandbox_session_make(s, t->a, &t->in, &t->out);
}

static gw_result_t make_session(gateway_t *gw, store_t *s, const gw_checkout_req_t *req,
                                const char *kind, gw_session_t *out, char err[GW_ERR_MAX])
{
    char ref[48];
    sandbox_random_ref("cs_test_", ref, sizeof ref);
    arena_t *a = arena_new();
    make_tx_t t = {.a = a,
                   .in = {.ref = ref,
                          .kind = (char *)kind,
                          .object_id = req->payment_id,
                          .amount = req->amount,
                          .currency = (char *)req->currency,
                          .description = (char *)(req->description ? req->description : ""),
                          .lang = (char *)(req->lang ? req->lang : "en"),
                          .success_url = (char *)req->success_url,
                          .cancel_url = (char *)req->cancel_url,
                          .expires_at = req->expires_at,
                          .state = "open",
                          .payment_ref = "",
                          .customer_ref = (char *)(req->customer_ref ? req->customer_ref : ""),
                          .method_ref = "",
                          .card_brand = "",
                          .card_last4 = "",
                          .decline_code = "",
                          .idempotency_key = (char *)req->idempotency_key,
                          .created_at = clock_now()}};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, make_body, &t);
    if (r == STORE_OK)
        snprintf(out->url, sizeof out->url, "%s/sandbox/checkout/%s", impl(gw)->base_url,
                 t.out.ref);
    if (r == STORE_OK) snprintf(out->session_ref, sizeof out->session_ref, "%s", t.out.ref);
    arena_free(a);
    if (r != STORE_OK) snprintf(err, GW_ERR_MAX, "the sandbox's database failed");
    return r == STORE_OK ? GW_OK : GW_UNKNOWN;
}

static gw_result_t sb_create_checkout(gateway_t *gw, store_t *s, const gw_checkout_req_t *req,
                                      gw_session_t *out, char err[GW_ERR_MAX])
{
    return make_session(gw, s, req, "payment", out, err);
}

static gw_result_t sb_create_setup(gateway_t *gw, store_t *s, const gw_checkout_req_t *req,
                                   gw_session_t *out, char err[GW_ERR_MAX])
{
    return make_session(gw, s, req, "setup", out, err);
}

typedef struct {
    arena_t *a;
    const char *kind;
    int64_t object_id;
    sandbox_session_t x;
} find_tx_t;

static store_status_t find_body(store_t *s, void *arg)
{
    find_tx_t *t = arg;
    return store_sandbox_session_of(s, t->a, t->kind, t->object_id, &t->x);
}

static void answer_of(const sandbox_session_t *x, int64_t now, gw_payment_t *out)
{
    memset(out, 0, sizeof *out);
    if (strcmp(x->state, "complete") == 0)
        out->state = GW_PAY_SUCCEEDED;
    else if (strcmp(x->state, "failed") == 0)
        out->state = GW_PAY_FAILED;
    else if (strcmp(x->state, "expired") == 0 || x->expires_at <= now)
        out->state = GW_PAY_EXPIRED;
    else
        out->state = strcmp(x->state, "authenticating") == 0 ? GW_PAY_PROCESSING : GW_PAY_PENDING;
    snprintf(out->payment_ref, sizeof out->payment_ref, "%s", x->payment_ref);
    out->amount = x->amount;
    snprintf(out->currency, sizeof out->currency, "%s", x->currency);
    snprintf(out->card_brand, sizeof out->card_brand, "%s", x->card_brand);
    snprintf(out->card_last4, sizeof out->card_last4, "%s", x->card_last4);
    snprintf(out->decline_code, sizeof out->decline_code, "%s", x->decline_code);
}

static gw_result_t sb_retrieve(gateway_t *gw, store_t *s, const gw_lookup_t *which,
                               gw_payment_t *out, char err[GW_ERR_MAX])
{
    (void)gw;
    arena_t *a = arena_new();
    find_tx_t t = {.a = a, .kind = "payment", .object_id = which->payment_id};
    store_status_t r = store_run_tx(s, STORE_TX_READ, find_body, &t);
    if (r == STORE_NOT_FOUND) {
        t.kind = "charge";
        r = store_run_tx(s, STORE_TX_READ, find_body, &t);
    }
    if (r == STORE_OK) answer_of(&t.x, clock_now(), out);
    if (r == STORE_NOT_FOUND) {
        memset(out, 0, sizeof *out);
        out->state = GW_PAY_NOT_FOUND;
    }
    arena_free(a);
    if (r != STORE_OK && r != STORE_NOT_FOUND) {
        snprintf(err, GW_ERR_MAX, "the sandbox's database failed");
        return GW_UNKNOWN;
    }
    return GW_OK;
}

/* A saved sandbox card charges at once: its method_ref ends with the card's last four digits,
 * and the decline test cards (…0002, …9995) are declined as on the hosted page. */
typedef struct {
    arena_t *a;
    const gw_charge_req_t *req;
    sandbox_session_t x;
    bool declined;
} charge_tx_t;

static store_status_t charge_body(store_t *s, void *arg)
{
    charge_tx_t *t = arg;
    sandbox_session_t in = t->x;
    store_status_t r = store_sandbox_session_make(s, t->a, &in, &t->x);
    if (r != STORE_OK || strcmp(t->x.state, "open") != 0) return r; /* the same request again */
    sandbox_session_t done = t->x;
    done.state = t->declined ? "failed" : "complete";
    r = store_sandbox_session_finish(s, &done, "open");
    if (r == STORE_OK)
        r = sandbox_queue_event(
            s, t->declined ? "payment_intent.payment_failed" : "payment_intent.succeeded", &done,
            clock_now());
    if (r == STORE_OK) t->x = done;
    return r;
}

static gw_result_t sb_charge_saved(gateway_t *gw, store_t *s, const gw_charge_req_t *req,
                                   gw_payment_t *out, char err[GW_ERR_MAX])
{
    (void)gw;
    const char *m = req->method_ref ? req->method_ref : "";
    size_t n = strlen(m);
    const char *last4 = n >= 4 ? m + n - 4 : "0000";
    /* The decline test cards, saved on a set-up page, are declined here, with Stripe's test
     * cards' codes: …0002 generic_decline, …9995 insufficient_funds, …0341 (a card that saves
     * but cannot be charged) card_declined, …9987 lost_card and …9979 stolen_card (declines
     * after which the card must not be charged again). */
    static const struct {
        const char *last4, *code;
    } declines[] = {{"0002", "generic_decline"},
                    {"9995", "insufficient_funds"},
                    {"0341", "card_declined"},
                    {"9987", "lost_card"},
                    {"9979", "stolen_card"}};
    const char *decline_code = "";
    for (size_t i = 0; i < sizeof declines / sizeof declines[0]; i++)
        if (strcmp(last4, declines[i].last4) == 0) decline_code = declines[i].code;
    bool declined = *decline_code != '\0';
    char ref[48], pi[48];
    sandbox_random_ref("ch_test_", ref, sizeof ref);
    sandbox_random_ref("pi_sb_", pi, sizeof pi);
    arena_t *a = arena_new();
    charge_tx_t t = {.a = a,
                     .req = req,
                     .declined = declined,
                     .x = {.ref = ref,
                           .kind = "charge",
                           .object_id = req->payment_id,
                           .amount = req->amount,
                           .currency = (char *)req->currency,
                           .description = (char *)(req->description ? req->description : ""),
                           .lang = "en",
                           .success_url = "",
                           .cancel_url = "",
                           .expires_at = clock_now(),
                           .state = "open",
                           .payment_ref = pi,
                           .customer_ref = (char *)(req->customer_ref ? req->customer_ref : ""),
                           .method_ref = (char *)m,
                           .card_brand = "visa",
                           .card_last4 = (char *)last4,
                           .decline_code = (char *)decline_code,
                           .idempotency_key = (char *)req->idempotency_key,
                           .created_at = clock_now()}};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, charge_body, &t);
    if (r == STORE_OK) answer_of(&t.x, clock_now(), out);
    arena_free(a);
    if (r != STORE_OK) {
        snprintf(err, GW_ERR_MAX, "the sandbox's database failed");
        return GW_UNKNOWN;
    }
    /* As Stripe answers a confirmed off-session charge: succeeded or declined at once (its event
     * follows, and finds the payment settled when the caller settled it on this answer). */
    return out->state == GW_PAY_FAILED ? GW_DECLINED : GW_OK;
}

typedef struct {
    const gw_refund_req_t *req;
} refund_tx_t;

/* The refund's event (refund.updated, succeeded), kept under an id made of the request's
 * idempotency key: the same request again finds it and refunds nothing more, as Stripe does. */
static store_status_t refund_body(store_t *s, void *arg)
{
    refund_tx_t *t = arg;
    const gw_refund_req_t *q = t->req;
    char currency[4], id[24], event_id[GW_REF_MAX + 16], refund_ref[32];
    lower_copy(q->currency, currency);
    snprintf(id, sizeof id, "%lld", (long long)q->refund_id);
    snprintf(event_id, sizeof event_id, "evt_sb_refund_%s", q->idempotency_key);
    snprintf(refund_ref, sizeof refund_ref, "re_sb_%lld", (long long)q->refund_id);
    json_t *ev = json_pack(
        "{ss ss ss sI sb s{s{ss ss sI ss ss ss s{ss}}}}", "id", event_id, "object", "event", "type",
        "refund.updated", "created", (json_int_t)clock_now(), "livemode", 0, "data", "object", "id",
        refund_ref, "object", "refund", "amount", (json_int_t)q->amount, "currency", currency,
        "status", "succeeded", "payment_intent", q->payment_ref, "metadata", "cobro_refund", id);
    char *body = ev ? json_dumps(ev, JSON_COMPACT) : NULL;
    json_decref(ev);
    if (!body) return STORE_ERROR;
    store_status_t r = store_sandbox_event_add(s, event_id, body, clock_now());
    free(body);
    if (r == STORE_CONFLICT) return STORE_OK; /* refunded before */
    return r == STORE_OK ? store_sandbox_refund(s, q->payment_ref, q->amount) : r;
}

static gw_result_t sb_refund(gateway_t *gw, store_t *s, const gw_refund_req_t *req,
                             gw_refund_t *out, char err[GW_ERR_MAX])
{
    (void)gw;
    refund_tx_t t = {.req = req};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, refund_body, &t);
    memset(out, 0, sizeof *out);
    if (r == STORE_NOT_FOUND) {
        snprintf(err, GW_ERR_MAX, "no such charge, or the refund exceeds it");
        return GW_ERROR;
    }
    if (r != STORE_OK) {
        snprintf(err, GW_ERR_MAX, "the sandbox's database failed");
        return GW_UNKNOWN;
    }
    out->state = GW_REFUND_SUCCEEDED;
    snprintf(out->refund_ref, sizeof out->refund_ref, "re_sb_%lld", (long long)req->refund_id);
    return GW_OK;
}

static gw_result_t sb_read_event(gateway_t *gw, const char *body, size_t len, const char *header,
                                 int64_t now, gw_event_t *out, char err[GW_ERR_MAX])
{
    const char *secrets[] = {impl(gw)->secret, NULL};
    if (!gw_verify_signature(secrets, header, body, len, now, GW_EVENT_TOLERANCE)) {
        snprintf(err, GW_ERR_MAX, "the event's signature does not verify");
        return GW_ERROR;
    }
    return gw_read_stripe_event(body, len, out, err);
}

static void sb_free(gateway_t *gw)
{
    sandbox_t *sb = impl(gw);
    if (sb) {
        free(sb->base_url);
        free(sb->event_url);
        sodium_memzero(sb->secret, strlen(sb->secret));
        free(sb->secret);
        free(sb);
    }
    free(gw);
}

static const gateway_ops_t sandbox_ops = {
    .name = "sandbox",
    .create_checkout = sb_create_checkout,
    .create_setup = sb_create_setup,
    .charge_saved = sb_charge_saved,
    .retrieve = sb_retrieve,
    .refund = sb_refund,
    .read_event = sb_read_event,
    .deliver_events = sb_deliver,
    .free = sb_free,
};

gateway_t *gateway_sandbox_new(const char *base_url, const char *event_url, const char *secret,
                               char err[GW_ERR_MAX])
{
    gateway_t *gw = calloc(1, sizeof *gw);
    sandbox_t *sb = calloc(1, sizeof *sb);
    if (gw && sb) {
        sb->base_url = strdup(base_url);
        sb->event_url = strdup(event_url);
        sb->secret = strdup(secret);
    }
    if (!gw || !sb || !sb->base_url || !sb->event_url || !sb->secret) {
        if (sb) {
            free(sb->base_url);
            free(sb->event_url);
            free(sb->secret);
        }
        free(sb);
        free(gw);
        snprintf(err, GW_ERR_MAX, "out of memory");
        return NULL;
    }
    gw->ops = &sandbox_ops;
    gw->impl = sb;
    return gw;
}

void gateway_free(gateway_t *gw)
{
    if (gw && gw->ops->free) gw->ops->free(gw);
}
