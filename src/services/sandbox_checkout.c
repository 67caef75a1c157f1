/* The sandbox's hosted checkout: the test card numbers and what each does, the extra
 * authentication step, leaving the page. Every outcome becomes an event in the gateway's shape,
 * posted to cobro's own event endpoint a moment later (payments/sandbox.c). */
#include "sandbox_checkout.h"
#include "payments/sandbox.h"
#include "service_tx.h"
#include "services_internal.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The test cards (as Stripe's test mode knows them): what each does. */
typedef enum { CARD_SUCCEEDS, CARD_DECLINED, CARD_NO_FUNDS, CARD_AUTHENTICATES } card_kind_t;
static const struct {
    const char *number, *brand;
    card_kind_t kind;
    const char *decline_code; /* of a declined card */
} test_cards[] = {
    {"4242424242424242", "visa", CARD_SUCCEEDS, ""},
    {"5555555555554444", "mastercard", CARD_SUCCEEDS, ""},
    {"4000000000000002", "visa", CARD_DECLINED, "generic_decline"},
    {"4000000000009995", "visa", CARD_NO_FUNDS, "insufficient_funds"},
    {"4000002500003155", "visa", CARD_AUTHENTICATES, ""},
    /* For dunning's tests (docs/dunning.md): saved, then declined when charged. */
    {"4000000000000341", "visa", CARD_DECLINED, "card_declined"},
    {"4000000000009987", "visa", CARD_DECLINED, "lost_card"},
    {"4000000000009979", "visa", CARD_DECLINED, "stolen_card"},
};

/* The digits of a card number as typed (spaces and dashes between groups allowed). */
static bool card_digits(const char *typed, char out[24])
{
    size_t n = 0;
    for (const char *p = typed ? typed : ""; *p; p++) {
        if (*p == ' ' || *p == '-') continue;
        if (!isdigit((unsigned char)*p) || n >= 19) return false;
        out[n++] = *p;
    }
    out[n] = '\0';
    return n >= 12;
}

/* "MM / YY", "MM/YY" or "MM/YYYY", not before this month. */
static bool expiry_ok(const char *typed, int64_t now, int *month, int *year)
{
    int m = 0, y = 0, used = 0;
    if (!typed || sscanf(typed, " %2d / %4d %n", &m, &y, &used) != 2 || typed[used] != '\0')
        return false;
    if (y < 100) y += 2000;
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    int this_year = tm.tm_year + 1900, this_month = tm.tm_mon + 1;
    if (m < 1 || m > 12 || y > this_year + 20) return false;
    if (y < this_year || (y == this_year && m < this_month)) return false;
    *month = m;
    *year = y;
    return true;
}

static bool cvc_ok(const char *typed)
{
    size_t n = typed ? strlen(typed) : 0;
    if (n < 3 || n > 4) return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)typed[i])) return false;
    return true;
}

/* ---- reading ------------------------------------------------------------------------------ */

static store_status_t read_page(store_t *s, arena_t *a, const char *ref, int64_t now,
                                sandbox_page_t *out)
{
    store_status_t r = store_sandbox_session(s, a, ref, &out->session);
    if (r == STORE_OK)
        out->expired = strcmp(out->session.state, "expired") == 0 ||
                       (strcmp(out->session.state, "open") == 0 && out->session.expires_at <= now);
    return r;
}

status_t sandbox_page_view(services_t *svc, arena_t *a, const char *ref, int64_t now,
                           sandbox_page_t *out)
{
    memset(out, 0, sizeof *out);
    if (!ref) return STATUS_NOT_FOUND;
    return outcome(read_page(svc->store, a, ref, now, out), REFUSED_NONE);
}

/* ---- acting --------------------------------------------------------------------------------- */

typedef struct {
    arena_t *a;
    const char *ref;
    int64_t now;
    sandbox_page_t *out;
    refused_t refused;
    /* pay */
    const sandbox_card_form_t *form;
    sandbox_card_errors_t *errors;
    /* authenticate */
    bool approve;
} page_tx_t;

/* Finishes the session as done (state) and queues the event that tells cobro. */
static store_status_t finish(store_t *s, page_tx_t *t, sandbox_session_t *x, const char *from,
                             const char *event)
{
    store_status_t r = store_sandbox_session_finish(s, x, from);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_CONFLICT);
    if (r == STORE_OK) r = sandbox_queue_event(s, event, x, t->now);
    return r;
}

static const char *success_event(const sandbox_session_t *x)
{
    return strcmp(x->kind, "setup") == 0 ? "checkout.session.completed"
                                         : "payment_intent.succeeded";
}

/* Where the payer goes after the outcome: back to the portal, with the outcome in our state. */
static const char *back_to(page_tx_t *t, const sandbox_session_t *x)
{
    (void)t;
    return x->success_url;
}

static store_status_t pay_body(store_t *s, void *arg)
{
    page_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    memset(t->errors, 0, sizeof *t->errors);
    store_status_t r = read_page(s, t->a, t->ref, t->now, t->out);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    sandbox_session_t x = t->out->session;
    if (strcmp(x.state, "open") != 0 || t->out->expired)
        return refuse(&t->refused, REFUSED_CONFLICT);

    char digits[24] = "";
    int month = 0, year = 0;
    const sandbox_card_form_t *f = t->form;
    if (!f->number || !*f->number)
        t->errors->number = FIELD_REQUIRED;
    else if (!card_digits(f->number, digits))
        t->errors->number = FIELD_BAD_CHOICE;
    if (!f->expiry || !*f->expiry)
        t->errors->expiry = FIELD_REQUIRED;
    else if (!expiry_ok(f->expiry, t->now, &month, &year))
        t->errors->expiry = FIELD_BAD_DATE;
    if (!f->cvc || !*f->cvc)
        t->errors->cvc = FIELD_REQUIRED;
    else if (!cvc_ok(f->cvc))
        t->errors->cvc = FIELD_BAD_CHOICE;
    if (f->name && strlen(f->name) > 100) t->errors->name = FIELD_TOO_LONG;
    int card = -1;
    for (size_t i = 0; !t->errors->number && i < sizeof test_cards / sizeof test_cards[0]; i++)
        if (strcmp(digits, test_cards[i].number) == 0) card = (int)i;
    if (!t->errors->number && card < 0) t->errors->not_test_card = true;
    if (t->errors->number || t->errors->expiry || t->errors->cvc || t->errors->name ||
        t->errors->not_test_card)
        return refuse(&t->refused, REFUSED_INVALID);

    char pi[48], pm[48], cus[48];
    sandbox_random_ref("pi_sb_", pi, sizeof pi);
    snprintf(pm, sizeof pm, "pm_sb_%s", digits + strlen(digits) - 4);
    sandbox_random_ref("cus_sb_", cus, sizeof cus);
    x.payment_ref = arena_strdup(t->a, pi);
    x.card_brand = (char *)test_cards[card].brand;
    x.card_last4 = arena_strdup(t->a, digits + strlen(digits) - 4);
    x.exp_month = month;
    x.exp_year = year;
    x.holder_name = (char *)(f->name ? f->name : "");
    if (strcmp(x.kind, "setup") == 0) {
        x.method_ref = arena_strdup(t->a, pm);
        if (!*x.customer_ref) x.customer_ref = arena_strdup(t->a, cus);
    }
    card_kind_t kind = test_cards[card].kind;
    /* A set-up charges nothing: the decline cards are saved, and declined when charged later
     * (payments/sandbox.c, charge_saved). */
    if (strcmp(x.kind, "setup") == 0 && (kind == CARD_DECLINED || kind == CARD_NO_FUNDS))
        kind = CARD_SUCCEEDS;
    switch (kind) {
    case CARD_SUCCEEDS:
        x.state = "complete";
        r = finish(s, t, &x, "open", success_event(&x));
        t->out->redirect = back_to(t, &x);
        break;
    case CARD_DECLINED:
    case CARD_NO_FUNDS:
        x.state = "failed";
        x.decline_code = (char *)test_cards[card].decline_code;
        r = finish(s, t, &x, "open", "payment_intent.payment_failed");
        t->out->redirect = back_to(t, &x);
        break;
    case CARD_AUTHENTICATES:
        /* No event yet: the payment waits for the extra step. */
        x.state = "authenticating";
        r = store_sandbox_session_finish(s, &x, "open");
        if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_CONFLICT);
        t->out->redirect = arena_printf(t->a, "/sandbox/checkout/%s/authenticate", x.ref);
        break;
    }
    t->out->session = x;
    return r;
}

/* Runs one action's transaction and answers for it. */
static status_t run_page(services_t *svc, page_tx_t *t, store_tx_body_t body)
{
    memset(t->out, 0, sizeof *t->out);
    if (!t->ref) return STATUS_NOT_FOUND;
    /* The body sets t->refused: read it only once the transaction has run. */
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, body, t);
    return outcome(r, t->refused);
}

status_t sandbox_page_pay(services_t *svc, arena_t *a, const char *ref,
                          const sandbox_card_form_t *form, int64_t now,
                          sandbox_card_errors_t *errors, sandbox_page_t *out)
{
    page_tx_t t = {.a = a, .ref = ref, .now = now, .out = out, .form = form, .errors = errors};
    return run_page(svc, &t, pay_body);
}

static store_status_t authenticate_body(store_t *s, void *arg)
{
    page_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    store_status_t r = read_page(s, t->a, t->ref, t->now, t->out);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    sandbox_session_t x = t->out->session;
    if (strcmp(x.state, "authenticating") != 0) return refuse(&t->refused, REFUSED_CONFLICT);
    if (t->approve) {
        x.state = "complete";
        r = finish(s, t, &x, "authenticating", success_event(&x));
    } else if (strcmp(x.kind, "setup") == 0) {
        /* No card saved, and no payment to fail: no event; back to where the set-up began. */
        x.state = "failed";
        x.decline_code = "authentication_failed";
        r = store_sandbox_session_finish(s, &x, "authenticating");
        if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_CONFLICT);
        t->out->session = x;
        t->out->redirect = x.cancel_url;
        return r;
    } else {
        x.state = "failed";
        x.decline_code = "authentication_failed";
        r = finish(s, t, &x, "authenticating", "payment_intent.payment_failed");
    }
    t->out->session = x;
    t->out->redirect = back_to(t, &x);
    return r;
}

status_t sandbox_page_authenticate(services_t *svc, arena_t *a, const char *ref, bool approve,
                                   int64_t now, sandbox_page_t *out)
{
    page_tx_t t = {.a = a, .ref = ref, .now = now, .out = out, .approve = approve};
    return run_page(svc, &t, authenticate_body);
}

static store_status_t cancel_body(store_t *s, void *arg)
{
    page_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    store_status_t r = read_page(s, t->a, t->ref, t->now, t->out);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    sandbox_session_t x = t->out->session;
    t->out->redirect = x.cancel_url;
    const char *from = x.state;
    if (strcmp(from, "open") != 0 && strcmp(from, "authenticating") != 0)
        return STORE_OK; /* already over: just go back */
    x.state = "expired";
    r = finish(s, t, &x, from, "checkout.session.expired");
    t->out->session = x;
    return r;
}

status_t sandbox_page_cancel(services_t *svc, arena_t *a, const char *ref, int64_t now,
                             sandbox_page_t *out)
{
    page_tx_t t = {.a = a, .ref = ref, .now = now, .out = out};
    return run_page(svc, &t, cancel_body);
}
