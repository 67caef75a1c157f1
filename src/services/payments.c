/* Card payments of invoices (docs/payments.md): starting one on the gateway's hosted page with
 * its amount reserved, settling it from the gateway's signed event (each event once), the
 * receipt, money beyond the balance kept as credit, and reconciliation by asking the gateway. */
#include "payments.h"
#include "billing/money.h"
#include "i18n/format.h"
#include "mail.h"
#include "payments_internal.h"
#include "payments_offline.h"
#include "service_tx.h"
#include "services_internal.h"
#include "subscriptions_internal.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

static gateway_t *the_gateway;

void payments_init(gateway_t *gw)
{
    the_gateway = gw;
}

gateway_t *payments_gateway(void)
{
    return the_gateway;
}

const char *payment_idempotency_key(arena_t *a, int64_t id)
{
    return arena_printf(a, "cobro-payment-%lld", (long long)id);
}

int64_t payment_minimum(const char *currency)
{
    /* 0.50 of the currency's unit, at least one minor unit. */
    int e = currency_exponent(currency);
    if (e < 0) e = 2;
    int64_t m = 50;
    for (int i = 2; i < e; i++)
        m *= 10;
    for (int i = e; i < 2; i++)
        m = (m + 9) / 10;
    return m;
}

const char *invoice_status_for(int64_t total, int64_t amount_paid)
{
    if (amount_paid <= 0) return "open";
    return amount_paid >= total ? "paid" : "partially_paid";
}

/* ---- the Pay page ------------------------------------------------------------------------ */

static void fill_view(const invoice_money_t *m, const char *country, pay_view_t *v)
{
    v->invoice = *m;
    v->balance = m->total - m->amount_paid;
    v->payable = v->balance - m->reserved;
    if (v->payable < 0) v->payable = 0;
    v->minimum = payment_minimum(m->currency);
    v->country = country;
}

static store_status_t read_view(store_t *s, arena_t *a, const payer_t *who, const char *number,
                                pay_view_t *out)
{
    invoice_money_t m;
    store_status_t r = store_invoice_money(s, a, who->account_id, number, who->now, &m);
    if (r != STORE_OK) return r;
    if (strcmp(m.status, "void") == 0) return STORE_NOT_FOUND;
    account_t acc;
    r = store_account_by_id(s, a, who->account_id, &acc);
    if (r != STORE_OK) return r;
    fill_view(&m, acc.country, out);
    return STORE_OK;
}

status_t pay_view(services_t *svc, arena_t *a, const payer_t *who, const char *number,
                  pay_view_t *out)
{
    memset(out, 0, sizeof *out);
    if (!number) return STATUS_NOT_FOUND;
    return outcome(read_view(svc->store, a, who, number, out), REFUSED_NONE);
}

/* ---- starting a payment ------------------------------------------------------------------ */

typedef struct {
    arena_t *a;
    const payer_t *who;
    const char *number, *amount_text;
    char decimal_mark;
    pay_start_t *out;
    refused_t refused;
    payment_t payment; /* the row written */
} start_tx_t;

static pay_amount_error_t check_amount(const pay_view_t *v, const char *text, char decimal_mark,
                                       int64_t *amount)
{
    if (v->payable <= 0) return PAY_NOTHING_DUE;
    int e = currency_exponent(v->invoice.currency);
    if (!text || !money_parse_typed(text, e < 0 ? 2 : e, decimal_mark, amount) || *amount <= 0)
        return PAY_AMOUNT_BAD;
    if (*amount < v->minimum) return PAY_AMOUNT_TOO_SMALL;
    if (*amount > v->payable) return PAY_AMOUNT_TOO_LARGE;
    return PAY_AMOUNT_OK;
}

static store_status_t start_body(store_t *s, void *arg)
{
    start_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    t->out->amount_error = PAY_AMOUNT_OK;
    invoice_money_t m;
    store_status_t r = store_invoice_money(s, t->a, t->who->account_id, t->number, t->who->now, &m);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_NOT_FOUND);
    /* The invoice's row is the turn every payer takes: what is reserved is read after it. */
    if (r == STORE_OK) r = store_invoice_lock(s, m.id);
    if (r == STORE_OK) r = read_view(s, t->a, t->who, t->number, &t->out->view);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    int64_t amount = 0;
    t->out->amount_error = check_amount(&t->out->view, t->amount_text, t->decimal_mark, &amount);
    if (t->out->amount_error != PAY_AMOUNT_OK) return refuse(&t->refused, REFUSED_INVALID);
    payment_t *p = &t->payment;
    memset(p, 0, sizeof *p);
    p->account_id = t->who->account_id;
    p->invoice_id = m.id;
    p->method = "card";
    p->source = "checkout";
    p->gateway = (char *)the_gateway->ops->name;
    p->amount = amount;
    p->currency = m.currency;
    p->state = "pending";
    p->reserved_until = t->who->now + GW_CHECKOUT_SECONDS + PAYMENT_RESERVE_GRACE;
    p->received_date = p->reference = p->payer = "";
    p->lang = (char *)lang_code(t->who->lang);
    p->invoice_number = m.number;
    r = store_payment_insert(s, p, t->who->now, &p->id);
    char amount_text[MONEY_TEXT_MAX];
    money_decimal(amount, currency_exponent(m.currency), amount_text);
    if (r == STORE_OK)
        r = audit(s, "corporate", t->who->credential_id, t->who->account_id, "payment_started",
                  "invoice", m.number, arena_printf(t->a, "%s %s", amount_text, m.currency),
                  t->who->ip, t->who->now);
    return r;
}

/* What the gateway's answer to "make the page" comes to on the payment row. */
typedef struct {
    arena_t *a;
    const payer_t *who;
    int64_t payment_id;
    gw_result_t result;
    const gw_session_t *session;
} made_tx_t;

static store_status_t made_body(store_t *s, void *arg)
{
    made_tx_t *t = arg;
    payment_t p;
    store_status_t r = store_payment_by_id(s, t->a, t->payment_id, &p);
    if (r != STORE_OK) return r;
    if (t->result == GW_OK) {
        p.session_ref = (char *)t->session->session_ref;
        return store_payment_update(s, &p, t->who->now);
    }
    /* No page was made (or its address never reached us): nobody can pay on it, so nothing was
     * charged. The reservation ends at once. */
    if (strcmp(p.state, "pending") != 0) return STORE_OK;
    p.state = "failed";
    p.decline_code = "gateway_unavailable";
    p.reserved_until = 0;
    r = store_payment_update(s, &p, t->who->now);
    if (r == STORE_OK)
        r = audit(s, "system", 0, p.account_id, "payment_failed", "invoice", p.invoice_number,
                  "gateway_unavailable", t->who->ip, t->who->now);
    return r;
}

status_t pay_start(services_t *svc, arena_t *a, const payer_t *who, const char *number,
                   const char *amount_text, char decimal_mark, pay_start_t *out)
{
    memset(out, 0, sizeof *out);
    if (!number) return STATUS_NOT_FOUND;
    if (!the_gateway) return STATUS_NOT_FOUND;
    start_tx_t t = {.a = a,
                    .who = who,
                    .number = number,
                    .amount_text = amount_text,
                    .decimal_mark = decimal_mark,
                    .out = out};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, start_body, &t);
    status_t st = outcome(r, t.refused); /* t.refused only once the body has run */
    if (st != STATUS_OK) return st;
    out->payment_id = t.payment.id;

    const char *base = who->base_url ? who->base_url : "";
    const char *back = arena_printf(a, "%s/corporate/invoices/%s", base, number);
    invoice_doc_t party;
    const char *email = "";
    if (store_invoice_party(svc->store, a, who->account_id, &party) == STORE_OK)
        email = party.contact_email;
    gw_checkout_req_t req = {
        .payment_id = t.payment.id,
        .idempotency_key = payment_idempotency_key(a, t.payment.id),
        .amount = t.payment.amount,
        .currency = t.payment.currency,
        .description = arena_printf(a, "%s %s", tr(who->lang, "Invoice"), number),
        .customer_email = email,
        .customer_ref = "",
        .lang = lang_code(who->lang),
        .success_url = arena_printf(a, "%s?payment=%lld", back, (long long)t.payment.id),
        .cancel_url = arena_printf(a, "%s/pay?left=%lld", back, (long long)t.payment.id),
        .expires_at = who->now + GW_CHECKOUT_SECONDS,
    };
    gw_session_t session;
    memset(&session, 0, sizeof session);
    char err[GW_ERR_MAX] = "";
    gw_result_t g = the_gateway->ops->create_checkout(the_gateway, svc->store, &req, &session, err);
    if (g != GW_OK)
        log_info("payment %lld: the gateway made no page (%d): %s", (long long)t.payment.id, g,
                 err);
    made_tx_t m = {
        .a = a, .who = who, .payment_id = t.payment.id, .result = g, .session = &session};
    st = outcome(store_run_tx(svc->store, STORE_TX_WRITE, made_body, &m), REFUSED_NONE);
    if (st != STATUS_OK) return st;
    if (g != GW_OK) {
        out->gateway_unavailable = true;
        return STATUS_ERROR;
    }
    out->redirect = arena_strdup(a, session.url);
    return STATUS_OK;
}

status_t payment_of_invoice(services_t *svc, arena_t *a, int64_t account_id, const char *number,
                            int64_t payment_id, payment_t *out)
{
    store_status_t r = store_payment_by_id(svc->store, a, payment_id, out);
    if (r != STORE_OK) return outcome(r, REFUSED_NONE);
    if (out->account_id != account_id || !number || strcmp(out->invoice_number, number) != 0)
        return STATUS_NOT_FOUND;
    return STATUS_OK;
}

status_t payments_list(services_t *svc, arena_t *a, int64_t account_id, int64_t invoice_id,
                       payment_t **out, size_t *n)
{
    return outcome(
        store_payments_of(svc->store, a, account_id, invoice_id, PAYMENTS_LISTED, out, n),
        REFUSED_NONE);
}

status_t account_credit(services_t *svc, int64_t account_id, const char *currency, int64_t *credit)
{
    return outcome(store_account_credit(svc->store, account_id, currency, credit), REFUSED_NONE);
}

/* ---- applying money ------------------------------------------------------------------------- */

store_status_t payment_apply(store_t *s, arena_t *a, const payment_t *p, int64_t invoice_id,
                             int64_t amount, int64_t now, int64_t *applied)
{
    *applied = 0;
    invoice_money_t m;
    store_status_t r = store_invoice_lock(s, invoice_id);
    if (r == STORE_OK) r = store_invoice_money_by_id(s, a, invoice_id, now, &m);
    if (r != STORE_OK) return r;
    if (m.account_id != p->account_id || strcmp(m.currency, p->currency) != 0)
        return STORE_NOT_FOUND;
    int64_t balance = m.total - m.amount_paid;
    int64_t take = amount < balance ? amount : balance;
    if (take <= 0) return STORE_OK;
    allocation_t al = {.account_id = p->account_id,
                       .payment_id = p->id,
                       .invoice_id = invoice_id,
                       .kind = "payment",
                       .amount = take,
                       .currency = p->currency};
    r = store_allocation_add(s, &al, now);
    if (r == STORE_OK)
        r = store_invoice_set_paid(s, invoice_id, m.amount_paid + take,
                                   invoice_status_for(m.total, m.amount_paid + take));
    if (r == STORE_OK && m.amount_paid + take >= m.total)
        r = dunning_invoice_paid(s, a, invoice_id, now); /* paid in full: dunning ends */
    if (r == STORE_OK) *applied = take;
    return r;
}

store_status_t payment_keep_credit(store_t *s, const payment_t *p, int64_t amount, int64_t now)
{
    if (amount <= 0) return STORE_OK;
    allocation_t al = {.account_id = p->account_id,
                       .payment_id = p->id,
                       .kind = "credit",
                       .amount = amount,
                       .currency = p->currency};
    return store_allocation_add(s, &al, now);
}

/* ---- credit: money paid beyond invoices pays the account's next ones ----------------------- */

typedef struct {
    arena_t *a;
    allocation_t **out;
    size_t *n;
} due_credit_t;

static store_status_t credit_holders_body(store_t *s, void *arg)
{
    due_credit_t *d = arg;
    return store_credit_to_apply(s, d->a, 100, d->out, d->n);
}

typedef struct {
    arena_t *a;
    const allocation_t *holder; /* account and currency */
    int64_t now, applied;
} credit_tx_t;

/* Uses one account's credit on its oldest invoices with a balance: a row to each invoice and
 * its negative with no invoice, so the ledger still adds up. */
static store_status_t credit_body(store_t *s, void *arg)
{
    credit_tx_t *t = arg;
    t->applied = 0;
    int64_t credit = 0;
    store_status_t r = store_account_credit(s, t->holder->account_id, t->holder->currency, &credit);
    while (r == STORE_OK && credit > 0) {
        int64_t invoice_id = 0;
        r = store_oldest_open_invoice(s, t->holder->account_id, t->holder->currency, &invoice_id);
        if (r == STORE_NOT_FOUND) return STORE_OK;
        invoice_money_t m;
        if (r == STORE_OK) r = store_invoice_lock(s, invoice_id);
        if (r == STORE_OK) r = store_invoice_money_by_id(s, t->a, invoice_id, t->now, &m);
        if (r != STORE_OK) return r;
        int64_t take = credit < m.total - m.amount_paid ? credit : m.total - m.amount_paid;
        allocation_t to_invoice = {.account_id = m.account_id,
                                   .invoice_id = invoice_id,
                                   .kind = "credit_applied",
                                   .amount = take,
                                   .currency = m.currency};
        allocation_t from_credit = to_invoice;
        from_credit.invoice_id = 0;
        from_credit.amount = -take;
        r = store_allocation_add(s, &to_invoice, t->now);
        if (r == STORE_OK) r = store_allocation_add(s, &from_credit, t->now);
        if (r == STORE_OK)
            r = store_invoice_set_paid(s, invoice_id, m.amount_paid + take,
                                       invoice_status_for(m.total, m.amount_paid + take));
        if (r == STORE_OK && m.amount_paid + take >= m.total)
            r = dunning_invoice_paid(s, t->a, invoice_id, t->now);
        char amount[MONEY_TEXT_MAX];
        money_decimal(take, currency_exponent(m.currency), amount);
        if (r == STORE_OK)
            r = audit(s, "system", 0, m.account_id, "credit_applied", "invoice", m.number,
                      arena_printf(t->a, "%s %s", amount, m.currency), "", t->now);
        credit -= take;
        t->applied += take;
    }
    return r;
}

int64_t payments_apply_credit(services_t *svc, int64_t now)
{
    arena_t *a = arena_new();
    allocation_t *holders = NULL;
    size_t n = 0;
    int64_t accounts = -1;
    due_credit_t d = {.a = a, .out = &holders, .n = &n};
    if (store_run_tx(svc->store, STORE_TX_READ, credit_holders_body, &d) == STORE_OK) {
        accounts = 0;
        for (size_t i = 0; i < n; i++) {
            credit_tx_t t = {.a = a, .holder = &holders[i], .now = now};
            store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, credit_body, &t);
            if (r != STORE_OK) {
                log_error("applying the credit of account %lld failed",
                          (long long)holders[i].account_id);
                accounts = -1;
                break;
            }
            accounts += t.applied > 0;
        }
    }
    arena_free(a);
    return accounts;
}

/* ---- the receipt ------------------------------------------------------------------------------
 */

static store_status_t queue_receipt(store_t *s, arena_t *a, const payment_t *p, int64_t credit,
                                    const char *base_url, int64_t now)
{
    invoice_doc_t party;
    store_status_t r = store_invoice_party(s, a, p->account_id, &party);
    if (r != STORE_OK || !*party.contact_email) return r == STORE_NOT_FOUND ? STORE_OK : r;
    invoice_money_t m = {0};
    if (p->invoice_id) {
        r = store_invoice_money_by_id(s, a, p->invoice_id, now, &m);
        if (r != STORE_OK) return r;
    }
    lang_t lang = lang_of(party.lang);
    char amount[64], balance[64], extra[64];
    format_money(lang, party.country, p->currency, p->amount, amount, sizeof amount);
    format_money(lang, party.country, p->currency, m.total - m.amount_paid, balance,
                 sizeof balance);
    const char *card = "";
    if (*p->card_last4) /* TRANSLATORS: "Visa ending in 4242" in a payment receipt. */
        card = mail_text(a, tr(lang, "Card: %s ending in %s\n"),
                         *p->card_brand ? p->card_brand : "card", p->card_last4);
    const char *body =
        mail_text(a,
                  tr(lang, "Hello %s,\n\n"
                           "Thank you: we have received your payment of %s for "
                           "invoice %s.\n%s"
                           "Balance still due on the invoice: %s\n"),
                  party.contact_name, amount, m.number ? m.number : "", card, balance);
    if (credit > 0) {
        format_money(lang, party.country, p->currency, credit, extra, sizeof extra);
        body = arena_printf(a, "%s%s", body,
                            mail_text(a,
                                      tr(lang, "%s of it was more than the balance: it is kept as "
                                               "credit on your account and used for your next "
                                               "invoice.\n"),
                                      extra));
    }
    body = arena_printf(a, "%s\n%s", body,
                        mail_text(a,
                                  tr(lang, "Your invoices are in the Corporate Billing Portal: "
                                           "%s/corporate\n"),
                                  base_url ? base_url : ""));
    email_t e = {.kind = "payment_receipt",
                 .account_id = p->account_id,
                 .sender_ref = arena_printf(a, "payment:%lld", (long long)p->id),
                 .to_addr = party.contact_email,
                 .to_name = party.contact_name,
                 .subject = mail_text(a, tr(lang, "Payment received for invoice %s"),
                                      m.number ? m.number : ""),
                 .body_text = body};
    int64_t id = 0;
    return store_outbox_add(s, &e, now, &id);
}

/* ---- settling from events (and from reconciliation) -------------------------------------------
 */

static const char *base_url_of_payments;

void payments_set_base_url(const char *base_url)
{
    base_url_of_payments = base_url;
}

const char *payments_base_url(void)
{
    return base_url_of_payments ? base_url_of_payments : "";
}

/* The gateway took the money: the payment succeeds, what the invoice still owes is paid from
 * it, the rest is kept as credit, and the contact gets a receipt. A payment already settled is
 * left as it is (the same success told twice). */
static store_status_t settle_success(store_t *s, arena_t *a, payment_t *p, const gw_payment_t *g,
                                     int64_t now)
{
    if (strcmp(p->state, "succeeded") == 0 || strcmp(p->state, "reversed") == 0) return STORE_OK;
    if ((g->amount && g->amount != p->amount) ||
        (*g->currency && strcasecmp(g->currency, p->currency) != 0)) {
        /* Not what we asked for: staff must look. It stays reserved and is never applied. */
        log_error("payment %lld: the gateway reports %lld %s, we asked %lld %s", (long long)p->id,
                  (long long)g->amount, g->currency, (long long)p->amount, p->currency);
        p->state = "unknown";
        p->next_check_at = 0;
        p->decline_code = "amount_mismatch";
        return store_payment_update(s, p, now);
    }
    p->state = "succeeded";
    p->settled_at = now;
    p->reserved_until = 0;
    p->next_check_at = 0;
    p->decline_code = "";
    if (*g->payment_ref) p->payment_ref = arena_strdup(a, g->payment_ref);
    if (*g->card_brand) p->card_brand = arena_strdup(a, g->card_brand);
    if (*g->card_last4) p->card_last4 = arena_strdup(a, g->card_last4);
    store_status_t r = store_payment_update(s, p, now);
    int64_t applied = 0, invoice_id = p->invoice_id;
    if (r == STORE_OK && p->change_id) { /* a subscription change: made now, on its invoice */
        char *number = NULL;
        r = subscription_change_paid(s, a, p, now, &invoice_id, &number);
        if (number) p->invoice_number = number;
    }
    if (r == STORE_OK && invoice_id)
        r = payment_apply(s, a, p, invoice_id, p->amount, now, &applied);
    if (r == STORE_OK) r = payment_keep_credit(s, p, p->amount - applied, now);
    if (r == STORE_OK) r = queue_receipt(s, a, p, p->amount - applied, base_url_of_payments, now);
    if (r == STORE_OK)
        r = audit(s, "system", 0, p->account_id, "payment_succeeded", "invoice", p->invoice_number,
                  arena_printf(a, "%lld", (long long)p->id), "", now);
    return r;
}

/* The payment did not happen (declined, or its page expired): its reservation ends. */
static store_status_t settle_not_paid(store_t *s, arena_t *a, payment_t *p, const char *state,
                                      const char *code, int64_t now)
{
    if (strcmp(p->state, "succeeded") == 0 || strcmp(p->state, "reversed") == 0 ||
        strcmp(p->state, state) == 0)
        return STORE_OK;
    p->state = (char *)state;
    p->reserved_until = 0;
    p->next_check_at = 0;
    if (code && *code) p->decline_code = arena_strdup(a, code);
    store_status_t r = store_payment_update(s, p, now);
    if (r == STORE_OK)
        r = audit(s, "system", 0, p->account_id,
                  strcmp(state, "failed") == 0 ? "payment_failed" : "payment_expired", "invoice",
                  p->invoice_number, p->decline_code, "", now);
    if (r == STORE_OK && p->change_id) /* the person who asked sees why on the page */
        return subscription_change_unpaid(s, p, p->decline_code, now);
    bool automatic = strcmp(p->source, "saved_card") == 0;
    if (r == STORE_OK && automatic && strcmp(state, "failed") == 0)
        r = saved_card_failed(s, a, p, now); /* an automatic charge: tell the contact */
    else if (r == STORE_OK && automatic && p->attempt > 0)
        r = dunning_charge_lost(s, a, p, now); /* never reached the gateway: try again */
    return r;
}

static store_status_t settle_processing(store_t *s, payment_t *p, int64_t now)
{
    if (strcmp(p->state, "pending") != 0 && strcmp(p->state, "unknown") != 0) return STORE_OK;
    p->state = "processing";
    /* Its success or failure comes as another event; should that be lost, it is asked for. */
    p->next_check_at = payment_next_check(2, now);
    return store_payment_update(s, p, now);
}

/* Applies what the gateway says of payment p (from an event or when asked). */
static store_status_t settle(store_t *s, arena_t *a, payment_t *p, gw_pay_state_t state,
                             const gw_payment_t *g, int64_t now)
{
    switch (state) {
    case GW_PAY_SUCCEEDED:
        return settle_success(s, a, p, g, now);
    case GW_PAY_PROCESSING:
        return settle_processing(s, p, now);
    case GW_PAY_FAILED:
        return settle_not_paid(s, a, p, "failed", *g->decline_code ? g->decline_code : "declined",
                               now);
    case GW_PAY_EXPIRED:
    case GW_PAY_NOT_FOUND:
        return settle_not_paid(s, a, p, "expired", "", now);
    case GW_PAY_PENDING:
        break;
    }
    return STORE_OK;
}

typedef struct {
    arena_t *a;
    const gw_event_t *ev;
    int64_t now;
    bool seen;
} event_tx_t;

static store_status_t event_body(store_t *s, void *arg)
{
    event_tx_t *t = arg;
    const gw_event_t *ev = t->ev;
    t->seen = false;
    store_status_t r = store_gateway_event_once(s, ev->id, the_gateway->ops->name, ev->type,
                                                ev->payment_id, t->now);
    if (r == STORE_CONFLICT) {
        t->seen = true;
        return STORE_OK;
    }
    if (r != STORE_OK) return r;
    if (ev->kind == GW_EVENT_SETUP_SUCCEEDED) return card_setup_succeeded(s, t->a, ev, t->now);
    gw_pay_state_t state;
    switch (ev->kind) {
    case GW_EVENT_PAYMENT_SUCCEEDED:
        state = GW_PAY_SUCCEEDED;
        break;
    case GW_EVENT_PAYMENT_PROCESSING:
        state = GW_PAY_PROCESSING;
        break;
    case GW_EVENT_PAYMENT_FAILED:
        state = GW_PAY_FAILED;
        break;
    case GW_EVENT_CHECKOUT_EXPIRED:
        state = GW_PAY_EXPIRED;
        break;
    case GW_EVENT_REFUND_UPDATED:
        return refund_event(s, t->a, ev, t->now);
    default:
        return STORE_OK; /* recorded, nothing to do here */
    }
    payment_t p;
    r = store_payment_by_id(s, t->a, ev->payment_id, &p);
    if (r == STORE_NOT_FOUND) {
        log_info("gateway event %s names no payment of ours (%lld)", ev->id,
                 (long long)ev->payment_id);
        return STORE_OK;
    }
    if (r != STORE_OK) return r;
    return settle(s, t->a, &p, state, &ev->payment, t->now);
}

event_outcome_t payments_handle_event(services_t *svc, const char *body, size_t len,
                                      const char *signature, int64_t now)
{
    if (!the_gateway || !body) return EVENT_REFUSED;
    gw_event_t ev;
    memset(&ev, 0, sizeof ev);
    char err[GW_ERR_MAX] = "";
    gw_result_t read = the_gateway->ops->read_event(the_gateway, body, len,
                                                    signature ? signature : "", now, &ev, err);
    if (read != GW_OK) {
        /* UNKNOWN: genuine, but a detail it needs could not be fetched: sent again later. */
        log_info("gateway event %s: %s", read == GW_UNKNOWN ? "not read yet" : "refused", err);
        return read == GW_UNKNOWN ? EVENT_RETRY : EVENT_REFUSED;
    }
    arena_t *a = arena_new();
    event_tx_t t = {.a = a, .ev = &ev, .now = now};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, event_body, &t);
    arena_free(a);
    if (r != STORE_OK) return EVENT_RETRY;
    return t.seen ? EVENT_SEEN : EVENT_ACTED;
}

/* ---- reconciliation ----------------------------------------------------------------------------
 */

/* When to ask again after the gateway could not tell us: 5 minutes, an hour, then daily for a
 * week; 0 after that (staff see the payment as unknown). */
int64_t payment_next_check(int64_t checks, int64_t now)
{
    if (checks <= 1) return now + 5 * 60;
    if (checks == 2) return now + 60 * 60;
    if (checks <= 9) return now + 24 * 60 * 60;
    return 0;
}

typedef struct {
    arena_t *a;
    int64_t id, now;
    payment_t p;
    gw_result_t result;
    gw_payment_t answer;
    bool changed;
} check_tx_t;

static store_status_t read_payment_body(store_t *s, void *arg)
{
    check_tx_t *t = arg;
    return store_payment_by_id(s, t->a, t->id, &t->p);
}

static store_status_t checked_body(store_t *s, void *arg)
{
    check_tx_t *t = arg;
    payment_t p;
    store_status_t r = store_payment_by_id(s, t->a, t->id, &p);
    if (r != STORE_OK) return r;
    t->changed = false;
    const char *before = p.state;
    if (t->result == GW_OK && t->answer.state == GW_PAY_PROCESSING) {
        /* Paid, not settled yet (a bank's delay): asked again on the schedule of unknowns. */
        p.state = "processing";
        p.checks++;
        p.next_check_at = payment_next_check(p.checks, t->now);
        r = store_payment_update(s, &p, t->now);
    } else if (t->result == GW_OK && t->answer.state != GW_PAY_PENDING) {
        r = settle(s, t->a, &p, t->answer.state, &t->answer, t->now);
    } else if (t->result == GW_OK) {
        /* The page is still open on the gateway's side: hold the amount a little longer. */
        p.reserved_until = t->now + PAYMENT_RESERVE_GRACE;
        p.next_check_at = 0;
        r = store_payment_update(s, &p, t->now);
    } else {
        if (strcmp(p.state, "succeeded") == 0 || strcmp(p.state, "reversed") == 0 ||
            strcmp(p.state, "failed") == 0 || strcmp(p.state, "expired") == 0)
            return STORE_OK; /* settled by an event meanwhile */
        p.state = "unknown";
        p.checks++;
        p.next_check_at = payment_next_check(p.checks, t->now);
        r = store_payment_update(s, &p, t->now);
        if (r == STORE_OK && strcmp(before, "unknown") != 0)
            r = audit(s, "system", 0, p.account_id, "payment_unknown", "invoice", p.invoice_number,
                      "", "", t->now);
    }
    t->changed = strcmp(before, p.state) != 0;
    return r;
}

static bool check_one(services_t *svc, arena_t *a, int64_t id, int64_t now)
{
    check_tx_t t = {.a = a, .id = id, .now = now};
    if (store_run_tx(svc->store, STORE_TX_READ, read_payment_body, &t) != STORE_OK) return false;
    const char *st = t.p.state;
    if (strcmp(st, "pending") && strcmp(st, "processing") && strcmp(st, "unknown")) return false;
    gw_lookup_t which = {.payment_id = id,
                         .idempotency_key = payment_idempotency_key(a, id),
                         .session_ref = t.p.session_ref,
                         .payment_ref = t.p.payment_ref};
    char err[GW_ERR_MAX] = "";
    memset(&t.answer, 0, sizeof t.answer);
    t.result = the_gateway->ops->retrieve(the_gateway, svc->store, &which, &t.answer, err);
    if (t.result != GW_OK)
        log_info("payment %lld: the gateway could not say: %s", (long long)id, err);
    if (store_run_tx(svc->store, STORE_TX_WRITE, checked_body, &t) != STORE_OK) return false;
    return t.changed;
}

typedef struct {
    arena_t *a;
    int64_t id, now;
    gw_result_t result;
    const gw_payment_t *answer;
} answer_tx_t;

static store_status_t answer_body(store_t *s, void *arg)
{
    answer_tx_t *t = arg;
    payment_t p;
    store_status_t r = store_payment_by_id(s, t->a, t->id, &p);
    if (r != STORE_OK) return r;
    if (*t->answer->payment_ref && !*p.payment_ref)
        p.payment_ref = arena_strdup(t->a, t->answer->payment_ref);
    switch (t->result) {
    case GW_OK:
        if (t->answer->state == GW_PAY_SUCCEEDED || t->answer->state == GW_PAY_FAILED)
            return settle(s, t->a, &p, t->answer->state, t->answer, t->now);
        if (strcmp(p.state, "processing") != 0) return STORE_OK; /* settled meanwhile */
        p.next_check_at = payment_next_check(2, t->now);         /* its event, or asked later */
        return store_payment_update(s, &p, t->now);
    case GW_DECLINED:
        return settle(s, t->a, &p, GW_PAY_FAILED, t->answer, t->now);
    case GW_ERROR: {
        gw_payment_t refused = *t->answer;
        snprintf(refused.decline_code, sizeof refused.decline_code, "gateway_refused");
        return settle(s, t->a, &p, GW_PAY_FAILED, &refused, t->now);
    }
    case GW_UNKNOWN:
        break;
    }
    if (strcmp(p.state, "processing") != 0) return STORE_OK;
    /* Nobody knows whether the card was charged: asked later, never charged again. */
    p.state = "unknown";
    p.checks = 1;
    p.next_check_at = payment_next_check(p.checks, t->now);
    r = store_payment_update(s, &p, t->now);
    if (r == STORE_OK)
        r = audit(s, "system", 0, p.account_id, "payment_unknown", "invoice", p.invoice_number, "",
                  "", t->now);
    return r;
}

status_t payment_record_answer(services_t *svc, arena_t *a, int64_t payment_id, gw_result_t result,
                               const gw_payment_t *answer, int64_t now)
{
    gw_answer_t one = {.payment_id = payment_id, .result = result, .answer = *answer};
    return payment_record_answers(svc, a, &one, 1, now);
}

typedef struct {
    arena_t *a;
    const gw_answer_t *answers;
    size_t n;
    int64_t now;
} answers_tx_t;

static store_status_t answers_body(store_t *s, void *arg)
{
    answers_tx_t *t = arg;
    store_status_t r = STORE_OK;
    for (size_t i = 0; r == STORE_OK && i < t->n; i++) {
        answer_tx_t one = {.a = t->a,
                           .id = t->answers[i].payment_id,
                           .now = t->now,
                           .result = t->answers[i].result,
                           .answer = &t->answers[i].answer};
        r = answer_body(s, &one);
    }
    return r;
}

status_t payment_record_answers(services_t *svc, arena_t *a, const gw_answer_t *answers, size_t n,
                                int64_t now)
{
    answers_tx_t t = {.a = a, .answers = answers, .n = n, .now = now};
    return outcome(store_run_tx(svc->store, STORE_TX_WRITE, answers_body, &t), REFUSED_NONE);
}

typedef struct {
    arena_t *a;
    int64_t now;
    int64_t *ids;
    size_t n;
} due_tx_t;

static store_status_t due_body(store_t *s, void *arg)
{
    due_tx_t *t = arg;
    return store_payments_to_check(s, t->a, t->now, 50, &t->ids, &t->n);
}

int64_t payments_reconcile(services_t *svc, int64_t now)
{
    if (!the_gateway) return 0;
    arena_t *a = arena_new();
    due_tx_t d = {.a = a, .now = now};
    int64_t changed = -1;
    if (store_run_tx(svc->store, STORE_TX_READ, due_body, &d) == STORE_OK) {
        changed = 0;
        for (size_t i = 0; i < d.n; i++)
            changed += check_one(svc, a, d.ids[i], now);
    }
    arena_free(a);
    return changed;
}

int64_t sandbox_deliver_events(services_t *svc, int64_t now)
{
    if (!the_gateway || !the_gateway->ops->deliver_events) return 0;
    return the_gateway->ops->deliver_events(the_gateway, svc->store, now);
}
