/* Reads a gateway event in Stripe's JSON shape into gw_event_t (both drivers' events). */
#include "payments/gateway.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* What is read, and nothing else (the sandbox writes exactly this shape):
 *
 * The envelope: {"id": "evt_...", "type": "...", "created": <unix seconds>,
 *                "data": {"object": {...}}}. id (1..127 characters), type (1..63) and created
 *   (1..253402300799) are required; data.object must be an object for the types below.
 *
 * checkout.session.completed, .async_payment_succeeded, .async_payment_failed, .expired:
 *   data.object is a Checkout Session: id (-> session_ref), mode ("payment" or "setup"),
 *   payment_status ("paid", "unpaid", "no_payment_required"), amount_total, currency,
 *   client_reference_id, metadata.cobro_payment, metadata.cobro_setup, customer (id or object),
 *   payment_intent (id, or an expanded PaymentIntent read as below), setup_intent (id, or an
 *   expanded SetupIntent read as below).
 *   - mode "payment": payment_id = metadata.cobro_payment, else client_reference_id when it is
 *     all digits. completed: paid -> PAYMENT_SUCCEEDED, unpaid -> PAYMENT_PROCESSING;
 *     async_payment_succeeded -> PAYMENT_SUCCEEDED; async_payment_failed -> PAYMENT_FAILED;
 *     expired -> CHECKOUT_EXPIRED.
 *   - mode "setup": completed -> SETUP_SUCCEEDED, and payment_id holds OUR SET-UP's id
 *     (metadata.cobro_setup, else client_reference_id); card.customer_ref = customer,
 *     setup_ref = setup_intent. A set-up page that expires is IGNORED (no money, nothing
 *     reserved; and its set-up id must never be read as a payment's).
 * payment_intent.succeeded -> PAYMENT_SUCCEEDED, .payment_failed -> PAYMENT_FAILED,
 * .processing -> PAYMENT_PROCESSING:
 *   data.object is a PaymentIntent: id (-> payment.payment_ref), amount, amount_received (the
 *   amount when > 0 on success), currency, metadata.cobro_payment (-> payment_id),
 *   last_payment_error.decline_code, else last_payment_error.code (-> decline_code),
 *   latest_charge (id, or an expanded Charge: payment_method_details.card.brand/last4),
 *   payment_method (id, or an expanded PaymentMethod, read as below).
 * setup_intent.succeeded -> SETUP_SUCCEEDED:
 *   data.object is a SetupIntent: id (-> setup_ref), metadata.cobro_setup (-> payment_id: our
 *   set-up's id), customer (id or object), payment_method (id -> card.method_ref, or an expanded
 *   PaymentMethod: id, card.brand/last4/exp_month/exp_year, billing_details.name).
 * refund.created, refund.updated, charge.refund.updated -> REFUND_UPDATED:
 *   data.object is a Refund: id (-> refund.refund_ref), status (succeeded -> SUCCEEDED; failed,
 *   canceled -> FAILED; anything else PENDING), amount, currency, payment_intent (id ->
 *   payment.payment_ref), metadata.cobro_refund (-> refund_id), metadata.cobro_payment.
 * Any other type -> IGNORED (its data is not looked at).
 *
 * Currencies are upper-cased; amounts are 0..10^12 minor units; our ids are 1..18 digits as a
 * JSON string. A field of the wrong type or out of range refuses the whole event (GW_ERROR);
 * a missing optional field reads as "" or 0. */

enum { BODY_MAX = 1 << 20 };
static const json_int_t AMOUNT_MAX = 1000000000000; /* 10^12 minor units */
static const json_int_t CREATED_MAX = 253402300799; /* 9999-12-31T23:59:59Z */

/* The first problem found, kept for the log; once bad, the rest is read but not trusted. */
typedef struct {
    char *err;
    bool bad;
} ctx_t;

static void fail(ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(ctx_t *c, const char *fmt, ...)
{
    if (c->bad) return;
    c->bad = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, GW_ERR_MAX, fmt, ap);
    va_end(ap);
}

/* o[key] when it is there and not null. */
static json_t *field(json_t *o, const char *key)
{
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    return json_is_null(v) ? NULL : v;
}

static bool printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return false;
    return true;
}

/* A string field into dst; absent reads as "". Too long or not a string refuses the event. */
static void str_field(ctx_t *c, json_t *o, const char *key, char *dst, size_t size)
{
    dst[0] = '\0';
    json_t *v = field(o, key);
    if (!v) return;
    const char *s = json_string_value(v);
    if (!s || strlen(s) >= size || !printable(s)) {
        fail(c, "%s: not a string of fewer than %zu characters", key, size);
        return;
    }
    memcpy(dst, s, strlen(s) + 1);
}

/* A name may be long: cut at a character's start rather than refuse the event for it. */
static void name_field(ctx_t *c, json_t *o, const char *key, char *dst, size_t size)
{
    dst[0] = '\0';
    const char *s = json_string_value(field(o, key));
    if (!s) return;
    if (!printable(s)) {
        fail(c, "%s: control characters", key);
        return;
    }
    size_t n = strlen(s);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/* An integer field in 0..max (absent: 0). */
static int64_t int_field(ctx_t *c, json_t *o, const char *key, json_int_t max)
{
    json_t *v = field(o, key);
    if (!v) return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max) {
        fail(c, "%s: not an integer in 0..%lld", key, (long long)max);
        return 0;
    }
    return (int64_t)json_integer_value(v);
}

/* A reference that Stripe gives as an id, or as the object itself when expanded. */
static void ref_field(ctx_t *c, json_t *o, const char *key, char *dst, size_t size)
{
    json_t *v = field(o, key);
    if (json_is_object(v))
        str_field(c, v, "id", dst, size);
    else
        str_field(c, o, key, dst, size);
}

/* The object o[key] when it was expanded; NULL when absent or only an id. */
static json_t *expanded(json_t *o, const char *key)
{
    json_t *v = field(o, key);
    return json_is_object(v) ? v : NULL;
}

/* Our id from a string of 1..18 digits; 0 for "" (not ours). Anything else refuses. */
static int64_t digits_id(ctx_t *c, const char *what, const char *s)
{
    size_t n = strlen(s);
    if (n == 0) return 0;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (n > 18 || s[i] < '0' || s[i] > '9') {
            fail(c, "%s: not our id", what);
            return 0;
        }
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int64_t metadata_id(ctx_t *c, json_t *o, const char *key)
{
    char s[32];
    json_t *md = field(o, "metadata");
    if (md && !json_is_object(md)) fail(c, "metadata: not an object");
    str_field(c, md, key, s, sizeof s);
    return digits_id(c, key, s);
}

/* client_reference_id, when it is one of ours (all digits); other integrations' values: 0. */
static int64_t client_reference(ctx_t *c, json_t *session)
{
    char s[GW_REF_MAX];
    str_field(c, session, "client_reference_id", s, sizeof s);
    if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 18) return 0;
    return digits_id(c, "client_reference_id", s);
}

static void currency_field(ctx_t *c, json_t *o, char dst[4])
{
    str_field(c, o, "currency", dst, 4);
    if (!dst[0]) return;
    for (int i = 0; i < 3; i++) {
        char ch = dst[i];
        if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 'a' + 'A');
        if (ch < 'A' || ch > 'Z') { /* also a string shorter than three */
            fail(c, "currency: not three letters");
            return;
        }
        dst[i] = ch;
    }
}

static void last4_field(ctx_t *c, json_t *card, char dst[5])
{
    str_field(c, card, "last4", dst, 5);
    if (dst[0] && (strlen(dst) != 4 || strspn(dst, "0123456789") != 4))
        fail(c, "last4: not four digits");
}

/* A Charge's card (payment_method_details.card): brand and last four digits. */
static void charge_card(ctx_t *c, json_t *charge, gw_payment_t *p)
{
    json_t *card = field(field(charge, "payment_method_details"), "card");
    str_field(c, card, "brand", p->card_brand, sizeof p->card_brand);
    last4_field(c, card, p->card_last4);
}

/* A PaymentMethod's display fields (expanded): the card saved, or the card that paid. */
static void method_card(ctx_t *c, json_t *pm, gw_card_t *card)
{
    str_field(c, pm, "id", card->method_ref, sizeof card->method_ref);
    json_t *k = field(pm, "card");
    str_field(c, k, "brand", card->brand, sizeof card->brand);
    last4_field(c, k, card->last4);
    card->exp_month = (int)int_field(c, k, "exp_month", 12);
    card->exp_year = (int)int_field(c, k, "exp_year", 9999);
    name_field(c, field(pm, "billing_details"), "name", card->holder_name,
               sizeof card->holder_name);
}

/* A PaymentIntent's fields into p (and our payment id into ev when it names one). */
static void read_intent(ctx_t *c, json_t *pi, gw_event_t *ev)
{
    gw_payment_t *p = &ev->payment;
    str_field(c, pi, "id", p->payment_ref, sizeof p->payment_ref);
    int64_t id = metadata_id(c, pi, "cobro_payment");
    if (id) ev->payment_id = id;
    int64_t amount = int_field(c, pi, "amount", AMOUNT_MAX);
    int64_t received = int_field(c, pi, "amount_received", AMOUNT_MAX);
    p->amount = received > 0 ? received : amount;
    currency_field(c, pi, p->currency);
    json_t *lpe = field(pi, "last_payment_error");
    str_field(c, lpe, "decline_code", p->decline_code, sizeof p->decline_code);
    if (!p->decline_code[0]) str_field(c, lpe, "code", p->decline_code, sizeof p->decline_code);
    json_t *charge = expanded(pi, "latest_charge");
    if (charge) charge_card(c, charge, p);
    json_t *pm = expanded(pi, "payment_method");
    if (pm && !p->card_brand[0]) {
        gw_card_t card = {0};
        method_card(c, pm, &card);
        memcpy(p->card_brand, card.brand, sizeof p->card_brand);
        memcpy(p->card_last4, card.last4, sizeof p->card_last4);
    }
}

/* A SetupIntent (or its id): the card saved, as far as the event says. */
static void read_setup_intent(ctx_t *c, json_t *si, gw_event_t *ev)
{
    str_field(c, si, "id", ev->setup_ref, sizeof ev->setup_ref);
    ref_field(c, si, "customer", ev->card.customer_ref, sizeof ev->card.customer_ref);
    ref_field(c, si, "payment_method", ev->card.method_ref, sizeof ev->card.method_ref);
    json_t *pm = expanded(si, "payment_method");
    if (pm) method_card(c, pm, &ev->card);
}

/* A Checkout Session's event: its mode decides between a payment and a card saved. */
static void read_session(ctx_t *c, const char *type, json_t *s, gw_event_t *ev)
{
    char mode[16], paid[32];
    str_field(c, s, "id", ev->session_ref, sizeof ev->session_ref);
    str_field(c, s, "mode", mode, sizeof mode);
    str_field(c, s, "payment_status", paid, sizeof paid);
    if (strcmp(mode, "setup") == 0) {
        if (strcmp(type, "checkout.session.completed") != 0) return; /* IGNORED */
        ev->kind = GW_EVENT_SETUP_SUCCEEDED;
        ev->payment_id = metadata_id(c, s, "cobro_setup");
        if (!ev->payment_id) ev->payment_id = client_reference(c, s);
        json_t *si = expanded(s, "setup_intent");
        if (si)
            read_setup_intent(c, si, ev);
        else
            str_field(c, s, "setup_intent", ev->setup_ref, sizeof ev->setup_ref);
        ref_field(c, s, "customer", ev->card.customer_ref, sizeof ev->card.customer_ref);
        return;
    }
    if (strcmp(mode, "payment") != 0) return; /* subscriptions are not ours: IGNORED */
    json_t *pi = expanded(s, "payment_intent");
    if (pi)
        read_intent(c, pi, ev);
    else
        ref_field(c, s, "payment_intent", ev->payment.payment_ref, GW_REF_MAX);
    int64_t id = metadata_id(c, s, "cobro_payment");
    ev->payment_id = id ? id : ev->payment_id ? ev->payment_id : client_reference(c, s);
    ev->payment.amount = int_field(c, s, "amount_total", AMOUNT_MAX);
    currency_field(c, s, ev->payment.currency);
    if (strcmp(type, "checkout.session.completed") == 0) {
        bool unpaid = strcmp(paid, "unpaid") == 0;
        ev->kind = unpaid ? GW_EVENT_PAYMENT_PROCESSING : GW_EVENT_PAYMENT_SUCCEEDED;
        ev->payment.state = unpaid ? GW_PAY_PROCESSING : GW_PAY_SUCCEEDED;
    } else if (strcmp(type, "checkout.session.async_payment_succeeded") == 0) {
        ev->kind = GW_EVENT_PAYMENT_SUCCEEDED;
        ev->payment.state = GW_PAY_SUCCEEDED;
    } else if (strcmp(type, "checkout.session.async_payment_failed") == 0) {
        ev->kind = GW_EVENT_PAYMENT_FAILED;
        ev->payment.state = GW_PAY_FAILED;
    } else {
        ev->kind = GW_EVENT_CHECKOUT_EXPIRED;
        ev->payment.state = GW_PAY_EXPIRED;
    }
}

static void read_payment_intent_event(ctx_t *c, const char *type, json_t *pi, gw_event_t *ev)
{
    read_intent(c, pi, ev);
    if (strcmp(type, "payment_intent.succeeded") == 0) {
        ev->kind = GW_EVENT_PAYMENT_SUCCEEDED;
        ev->payment.state = GW_PAY_SUCCEEDED;
    } else if (strcmp(type, "payment_intent.payment_failed") == 0) {
        ev->kind = GW_EVENT_PAYMENT_FAILED;
        ev->payment.state = GW_PAY_FAILED;
    } else {
        ev->kind = GW_EVENT_PAYMENT_PROCESSING;
        ev->payment.state = GW_PAY_PROCESSING;
    }
}

static void read_setup_event(ctx_t *c, json_t *si, gw_event_t *ev)
{
    ev->kind = GW_EVENT_SETUP_SUCCEEDED;
    ev->payment_id = metadata_id(c, si, "cobro_setup");
    read_setup_intent(c, si, ev);
}

static void read_refund(ctx_t *c, json_t *r, gw_event_t *ev)
{
    char status[32];
    ev->kind = GW_EVENT_REFUND_UPDATED;
    str_field(c, r, "id", ev->refund.refund_ref, sizeof ev->refund.refund_ref);
    str_field(c, r, "status", status, sizeof status);
    ev->refund.state = strcmp(status, "succeeded") == 0 ? GW_REFUND_SUCCEEDED
                       : strcmp(status, "failed") == 0 || strcmp(status, "canceled") == 0
                           ? GW_REFUND_FAILED
                           : GW_REFUND_PENDING;
    ev->refund_id = metadata_id(c, r, "cobro_refund");
    ev->payment_id = metadata_id(c, r, "cobro_payment");
    ev->payment.amount = int_field(c, r, "amount", AMOUNT_MAX);
    currency_field(c, r, ev->payment.currency);
    ref_field(c, r, "payment_intent", ev->payment.payment_ref, sizeof ev->payment.payment_ref);
}

static bool starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The type's reader, on data.object (which must then be an object). */
static void read_object(ctx_t *c, const char *type, json_t *obj, gw_event_t *ev)
{
    bool session = starts(type, "checkout.session.") &&
                   (strcmp(type + 17, "completed") == 0 || strcmp(type + 17, "expired") == 0 ||
                    strcmp(type + 17, "async_payment_succeeded") == 0 ||
                    strcmp(type + 17, "async_payment_failed") == 0);
    bool intent = strcmp(type, "payment_intent.succeeded") == 0 ||
                  strcmp(type, "payment_intent.payment_failed") == 0 ||
                  strcmp(type, "payment_intent.processing") == 0;
    bool setup = strcmp(type, "setup_intent.succeeded") == 0;
    bool refund = strcmp(type, "charge.refund.updated") == 0 ||
                  strcmp(type, "refund.updated") == 0 || strcmp(type, "refund.created") == 0;
    if (!session && !intent && !setup && !refund) return; /* IGNORED */
    if (!json_is_object(obj)) {
        fail(c, "data.object: not an object");
        return;
    }
    if (session)
        read_session(c, type, obj, ev);
    else if (intent)
        read_payment_intent_event(c, type, obj, ev);
    else if (setup)
        read_setup_event(c, obj, ev);
    else
        read_refund(c, obj, ev);
}

gw_result_t gw_read_stripe_event(const char *body, size_t len, gw_event_t *out,
                                 char err[GW_ERR_MAX])
{
    memset(out, 0, sizeof *out);
    err[0] = '\0';
    if (!body || len == 0 || len > BODY_MAX) {
        snprintf(err, GW_ERR_MAX, "event: empty or longer than %d bytes", BODY_MAX);
        return GW_ERROR;
    }
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(root)) {
        snprintf(err, GW_ERR_MAX, "event: not a JSON object (%s)", root ? "" : je.text);
        json_decref(root);
        return GW_ERROR;
    }
    ctx_t c = {err, false};
    str_field(&c, root, "id", out->id, sizeof out->id);
    str_field(&c, root, "type", out->type, sizeof out->type);
    json_t *created = field(root, "created");
    if (!c.bad && (!out->id[0] || !out->type[0] || !json_is_integer(created) ||
                   json_integer_value(created) <= 0 || json_integer_value(created) > CREATED_MAX))
        fail(&c, "event: no id, type or created");
    out->created = c.bad ? 0 : (int64_t)json_integer_value(created);
    if (!c.bad) read_object(&c, out->type, field(field(root, "data"), "object"), out);
    json_decref(root);
    if (c.bad) {
        gw_event_t keep = {0}; /* nothing half-read reaches the caller */
        *out = keep;
        return GW_ERROR;
    }
    return GW_OK;
}
