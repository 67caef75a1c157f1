/* Confirming a subscription change (docs/subscriptions.md): one that waits for the renewal is made
 * at once; one that charges now is written as "charging" with its payment, the card on file is
 * charged (outside any transaction), and the change is made when the money arrives, by the same
 * settlement that settles every payment (the gateway's answer, its event, or the reconciliation,
 * whichever comes first), only while its subscription is still as it was previewed. */
#include "services/subscriptions.h"

#include "billing/money.h"
#include "services/invoice_issue.h"
#include "services/payments.h"
#include "services/payments_internal.h"
#include "services/services_internal.h"
#include "services/subscriptions_internal.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

static store_status_t audit_change(store_t *s, arena_t *a, const subscription_change_t *c,
                                   const char *action, const char *ip, int64_t now)
{
    char amount[MONEY_TEXT_MAX];
    money_decimal(c->total, currency_exponent(c->currency), amount);
    return audit(s, strcmp(c->actor_kind, "staff") == 0 ? "staff" : "billing", c->actor_id,
                 c->account_id, action, c->kind, c->product_name ? c->product_name : "",
                 arena_printf(a, "%lld seats, %s %s, change %lld", (long long)c->seats, amount,
                              c->currency, (long long)c->id),
                 ip, now);
}

/* Writes the subscription as change c leaves it (a new one for an addition); *id is its id. */
static store_status_t save_after(store_t *s, subscription_row_t *after, int64_t now, int64_t *id)
{
    if (after->id) {
        *id = after->id;
        return store_subscription_save(s, after);
    }
    subscription_new_t n = {.account_id = after->account_id,
                            .plan_id = after->plan_id,
                            .unit_amount = after->unit_amount,
                            .seats = after->seats,
                            .currency = after->currency,
                            .period_start = after->period_start,
                            .period_end = after->period_end,
                            .anchor_day = after->anchor_day};
    store_status_t r = store_subscription_add(s, &n, now, id);
    after->id = *id;
    /* What the co-termed addition was charged, for the credit of a later change. */
    if (r == STORE_OK && after->charged_amount >= 0) r = store_subscription_save(s, after);
    return r;
}

/* ---- confirming -------------------------------------------------------------------------- */

typedef struct {
    arena_t *a;
    const subscriber_t *who;
    const subchg_form_t *form;
    int64_t expected_total, expected_renewal;
    subchg_result_t *out;
    subchg_errors_t *errors;
    refused_t refused;
    subscription_change_t c;
    payment_t p;
    bool charge; /* the gateway is to be asked */
} confirm_tx_t;

/* Written before the card is charged: the change, charging, and its payment, whose id makes the
 * gateway's idempotency key, so that nothing is ever charged twice for it. */
static store_status_t start_charge(store_t *s, confirm_tx_t *t)
{
    subchg_preview_t *o = &t->out->preview;
    gateway_t *gw = payments_gateway();
    if (!gw || !o->has_card || strcmp(o->card.gateway, gw->ops->name) != 0) {
        t->out->outcome = SUBCHG_NO_CARD;
        return STORE_OK;
    }
    int64_t busy = 0;
    store_status_t r = store_change_charging(s, t->c.account_id, &busy);
    if (r == STORE_OK) {
        t->out->outcome = SUBCHG_BUSY;
        return STORE_OK;
    }
    if (r != STORE_NOT_FOUND) return r;
    t->c.state = "charging";
    r = store_change_insert(s, &t->c, t->who->now, &t->c.id);
    if (r != STORE_OK) return r;
    account_t acc;
    r = store_account_by_id(s, t->a, t->c.account_id, &acc);
    if (r != STORE_OK) return r;
    payment_t *p = &t->p;
    memset(p, 0, sizeof *p);
    p->account_id = t->c.account_id;
    p->method = "card";
    p->source = "saved_card";
    p->gateway = (char *)gw->ops->name;
    p->amount = t->c.total;
    p->currency = t->c.currency;
    p->state = "processing";
    p->received_date = p->reference = p->payer = "";
    p->lang = *acc.lang ? acc.lang : "en";
    p->change_id = t->c.id;
    p->invoice_number = "";
    r = store_payment_insert(s, p, t->who->now, &p->id);
    if (r == STORE_OK) {
        p->session_ref = p->payment_ref = p->decline_code = p->reversal_reason = "";
        p->card_brand = o->card.brand;
        p->card_last4 = o->card.last4;
        /* Asked of the gateway later should its answer never be recorded. */
        p->next_check_at = payment_next_check(1, t->who->now);
        r = store_payment_update(s, p, t->who->now);
    }
    if (r == STORE_OK) r = store_change_set_payment(s, t->c.id, p->id);
    if (r == STORE_OK)
        r = audit_change(s, t->a, &t->c, "subscription_change_charging", t->who->ip, t->who->now);
    t->charge = r == STORE_OK;
    t->out->change_id = t->c.id;
    return r;
}

/* A change that charges nothing now: made at once. */
static store_status_t make_now(store_t *s, confirm_tx_t *t)
{
    subchg_preview_t *o = &t->out->preview;
    subscription_row_t after = o->after;
    int64_t sub_id = 0;
    store_status_t r = save_after(s, &after, t->who->now, &sub_id);
    t->c.subscription_id = sub_id;
    t->c.state = "applied";
    t->c.decided_at = t->who->now;
    if (r == STORE_OK) r = store_change_insert(s, &t->c, t->who->now, &t->c.id);
    if (r == STORE_OK)
        r = audit_change(s, t->a, &t->c, "subscription_changed", t->who->ip, t->who->now);
    t->out->change_id = t->c.id;
    t->out->outcome = SUBCHG_DONE;
    return r;
}

static store_status_t confirm_body(store_t *s, void *arg)
{
    confirm_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    t->charge = false;
    t->out->outcome = SUBCHG_DONE;
    t->out->change_id = 0;
    store_status_t r = store_subscription_lock_account(s, t->who->account_id);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r == STORE_OK)
        r = subscription_change_plan(s, t->a, t->who, t->form, &t->c, &t->out->preview, t->errors,
                                     &t->refused);
    if (r != STORE_OK) return r;
    if (t->c.total != t->expected_total || t->c.renewal_total != t->expected_renewal) {
        t->out->outcome = SUBCHG_DIFFERENT; /* nothing written: the page shows the new figures */
        return STORE_OK;
    }
    if (subscription_change_charges(&t->c) && t->c.total > 0) return start_charge(s, t);
    return make_now(s, t);
}

typedef struct {
    arena_t *a;
    int64_t change_id;
    subscription_change_t c;
} change_tx_t;

static store_status_t read_change_body(store_t *s, void *arg)
{
    change_tx_t *t = arg;
    return store_change_by_id(s, t->a, t->change_id, &t->c);
}

/* Charges the card for the change written charging, records the answer, and says what became of
 * the change. */
static void charge_card(services_t *svc, arena_t *a, confirm_tx_t *t)
{
    gateway_t *gw = payments_gateway();
    const subchg_preview_t *o = &t->out->preview;
    gw_charge_req_t req = {
        .payment_id = t->p.id,
        .idempotency_key = payment_idempotency_key(a, t->p.id),
        .amount = t->p.amount,
        .currency = t->p.currency,
        .description = arena_printf(a, "%s, %lld", o->sub.product_name, (long long)t->c.seats),
        .customer_ref = o->card.customer_ref,
        .method_ref = o->card.method_ref,
    };
    char err[GW_ERR_MAX] = "";
    gw_payment_t answer;
    memset(&answer, 0, sizeof answer);
    gw_result_t result = gw->ops->charge_saved(gw, svc->store, &req, &answer, err);
    if (result != GW_OK && result != GW_DECLINED)
        log_info("payment %lld (change %lld): the charge came to %d: %s", (long long)t->p.id,
                 (long long)t->c.id, result, err);
    if (payment_record_answer(svc, a, t->p.id, result, &answer, t->who->now) != STATUS_OK)
        log_error("payment %lld: the charge's answer could not be recorded (reconciliation will "
                  "ask)",
                  (long long)t->p.id);
    change_tx_t ct = {.a = a, .change_id = t->c.id};
    t->out->outcome = SUBCHG_PENDING;
    if (store_run_tx(svc->store, STORE_TX_READ, read_change_body, &ct) != STORE_OK) return;
    if (strcmp(ct.c.state, "applied") == 0) {
        t->out->outcome = SUBCHG_DONE;
        t->out->invoice_number = ct.c.invoice_number;
    } else if (strcmp(ct.c.state, "declined") == 0) {
        bool refused = strcmp(ct.c.decline_code, "gateway_refused") == 0;
        t->out->outcome = refused ? SUBCHG_GATEWAY_DOWN : SUBCHG_DECLINED;
        t->out->decline_code = ct.c.decline_code;
    } else if (strcmp(ct.c.state, "conflict") == 0) {
        t->out->outcome = SUBCHG_CONFLICT;
    }
}

status_t subscription_change_confirm(services_t *svc, arena_t *a, const subscriber_t *who,
                                     const subchg_form_t *form, int64_t expected_total,
                                     int64_t expected_renewal, subchg_result_t *out,
                                     subchg_errors_t *errors)
{
    memset(out, 0, sizeof *out);
    confirm_tx_t t = {.a = a,
                      .who = who,
                      .form = form,
                      .expected_total = expected_total,
                      .expected_renewal = expected_renewal,
                      .out = out,
                      .errors = errors};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, confirm_body, &t);
    status_t st = outcome(r, t.refused);
    if (st != STATUS_OK || !t.charge) return st;
    charge_card(svc, a, &t);
    return STATUS_OK;
}

/* ---- made when the money arrives (from the payments' settlement) -------------------------- */

static store_status_t conflict(store_t *s, arena_t *a, subscription_change_t *c, int64_t now,
                               int64_t *invoice_id)
{
    *invoice_id = 0;
    log_info("change %lld: its subscription changed before its payment arrived; the money is kept "
             "as credit",
             (long long)c->id);
    store_status_t r = store_change_decide(s, c->id, "conflict", 0, 0, "", now);
    if (r == STORE_OK) r = audit_change(s, a, c, "subscription_change_conflict", "", now);
    return r;
}

store_status_t subscription_change_paid(store_t *s, arena_t *a, const payment_t *p, int64_t now,
                                        int64_t *invoice_id, char **invoice_number)
{
    *invoice_id = 0;
    *invoice_number = NULL;
    subscription_change_t c;
    store_status_t r = store_change_by_id(s, a, p->change_id, &c);
    if (r != STORE_OK) return r;
    if (strcmp(c.state, "charging") != 0) return STORE_OK; /* decided already: money is credit */
    r = store_subscription_lock_account(s, c.account_id);
    subscription_row_t before;
    memset(&before, 0, sizeof before);
    if (r == STORE_OK && c.subscription_id) {
        r = store_subscription_of(s, a, c.account_id, c.subscription_id, &before);
        if (r == STORE_NOT_FOUND) return conflict(s, a, &c, now, invoice_id);
        if (r == STORE_OK && strcmp(subscription_basis(a, &before), c.basis) != 0)
            return conflict(s, a, &c, now, invoice_id);
    } else if (r == STORE_OK) {
        subscription_row_t *subs = NULL;
        size_t n = 0;
        r = store_subscriptions_of(s, a, c.account_id, &subs, &n);
        if (r != STORE_OK) return r;
        for (size_t i = 0; i < n; i++)
            if (subs[i].product_id == c.product_id && strcmp(subs[i].status, "active") == 0)
                return conflict(s, a, &c, now, invoice_id);
        const subscription_row_t *co = coterm_with(subs, n, c.billing_period, c.period_start);
        if (strcmp(add_basis(a, co), c.basis) != 0) return conflict(s, a, &c, now, invoice_id);
        before.status = "new";
    }
    if (r != STORE_OK) return r;
    invoice_doc_t inv;
    r = subscription_change_price(s, a, &c, c.product_name, c.billing_period, &inv);
    if (r != STORE_OK) return r;
    if (inv.total != c.total || inv.total != p->amount) return conflict(s, a, &c, now, invoice_id);
    subscription_row_t after;
    subscription_after(&before, &c, now, &after);
    int64_t sub_id = 0;
    r = save_after(s, &after, now, &sub_id);
    if (r != STORE_OK) return r;
    char today[11];
    vendor_today_of(s, a, now, today);
    inv.issue_date = arena_strdup(a, today);
    inv.due_date = inv.issue_date; /* paid as it is issued */
    inv.status = "open";
    inv.po_number = "";
    r = invoice_issue(s, a, &inv, &sub_id, now);
    if (r == STORE_OK) r = store_change_decide(s, c.id, "applied", sub_id, inv.id, "", now);
    if (r == STORE_OK) r = invoice_queue_emails(s, a, &inv, payments_base_url(), now);
    c.subscription_id = sub_id;
    if (r == STORE_OK) r = audit_change(s, a, &c, "subscription_changed", "", now);
    if (r != STORE_OK) return r;
    *invoice_id = inv.id;
    *invoice_number = inv.number;
    return STORE_OK;
}

store_status_t subscription_change_unpaid(store_t *s, const payment_t *p, const char *code,
                                          int64_t now)
{
    store_status_t r = store_change_decide(s, p->change_id, "declined", 0, 0,
                                           code && *code ? code : "expired", now);
    return r == STORE_NOT_FOUND ? STORE_OK : r; /* decided already */
}
