/* The card on file (docs/cards.md): saving it on the gateway's hosted set-up page (the card
 * arrives with the gateway's event), replacing and removing it, the autopay choice, and the
 * automatic charge of each invoice on its due date, at most once a day per invoice. */
#include "payment_cards.h"
#include "billing/money.h"
#include "i18n/format.h"
#include "mail.h"
#include "payments_internal.h"
#include "service_tx.h"
#include "services_internal.h"
#include "util/log.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

/* "visa •••• 4242", for the audit log. */
static const char *card_words(arena_t *a, const payment_card_t *c)
{
    return arena_printf(a, "%s \xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2 %s", c->brand,
                        c->last4);
}

/* The payer's account: a corporate account (only its billing contact signs in to its portal),
 * or an online account whose billing administrator the payer still is (read in the change's
 * transaction: a role handed over meanwhile answers not found, as a member would be). */
static store_status_t payer_account(store_t *s, arena_t *a, const payer_t *who, account_t *acc)
{
    store_status_t r = store_account_by_id(s, a, who->account_id, acc);
    if (r != STORE_OK) return r;
    if (!who->billing_center)
        return strcmp(acc->kind, "corporate") == 0 ? STORE_OK : STORE_NOT_FOUND;
    account_user_t u;
    if (strcmp(acc->kind, "online") != 0) return STORE_NOT_FOUND;
    r = store_account_user_by_id(s, a, who->credential_id, &u);
    if (r == STORE_OK && (u.account_id != acc->id || strcmp(u.role, "billing_admin") != 0))
        return STORE_NOT_FOUND;
    return r;
}

/* The audit log's actor kind for the payer. */
static const char *payer_kind(const payer_t *who)
{
    return who->billing_center ? "billing" : "corporate";
}

/* ---- views --------------------------------------------------------------------------------- */

status_t card_on_file_view(services_t *svc, arena_t *a, int64_t account_id, card_view_t *out)
{
    memset(out, 0, sizeof *out);
    out->payments_on = payments_gateway() != NULL;
    store_status_t r = store_payment_card_of(svc->store, a, account_id, &out->card);
    if (r == STORE_NOT_FOUND) return STATUS_OK;
    out->has_card = r == STORE_OK;
    return outcome(r, REFUSED_NONE);
}

status_t card_setup_view(services_t *svc, arena_t *a, int64_t account_id, int64_t setup_id,
                         card_setup_t *out)
{
    if (setup_id <= 0) return STATUS_NOT_FOUND;
    store_status_t r = store_card_setup_by_id(svc->store, a, setup_id, out);
    if (r == STORE_OK && out->account_id != account_id) return STATUS_NOT_FOUND;
    return outcome(r, REFUSED_NONE);
}

/* ---- saving a card ------------------------------------------------------------------------- */

typedef struct {
    arena_t *a;
    const payer_t *who;
    refused_t refused;
    int64_t setup_id;
    const char *customer_ref, *currency, *email;
    /* after the gateway */
    gw_result_t result;
    const gw_session_t *session;
} setup_tx_t;

static store_status_t setup_body(store_t *s, void *arg)
{
    setup_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    account_t acc;
    store_status_t r = payer_account(s, t->a, t->who, &acc);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    t->currency = acc.currency;
    const char *gateway = payments_gateway()->ops->name;
    /* The gateway's customer of the card kept now, so that a replaced card joins it. */
    payment_card_t old;
    t->customer_ref = "";
    r = store_payment_card_of(s, t->a, acc.id, &old);
    if (r == STORE_OK && strcmp(old.gateway, gateway) == 0) t->customer_ref = old.customer_ref;
    if (r != STORE_OK && r != STORE_NOT_FOUND) return r;
    invoice_doc_t party;
    t->email = "";
    r = store_invoice_party(s, t->a, acc.id, &party);
    if (r == STORE_OK) t->email = party.contact_email;
    if (r != STORE_OK && r != STORE_NOT_FOUND) return r;
    r = store_card_setup_insert(s, acc.id, gateway, t->who->now, &t->setup_id);
    if (r == STORE_OK)
        r = audit(s, payer_kind(t->who), t->who->credential_id, acc.id, "card_setup_started",
                  "card", "", arena_printf(t->a, "%lld", (long long)t->setup_id), t->who->ip,
                  t->who->now);
    return r;
}

static store_status_t setup_made_body(store_t *s, void *arg)
{
    setup_tx_t *t = arg;
    if (t->result == GW_OK)
        return store_card_setup_set_session(s, t->setup_id, t->session->session_ref);
    /* No page reached us: nobody can save a card on it. */
    store_status_t r = store_card_setup_finish(s, t->setup_id, "failed", t->who->now);
    return r == STORE_NOT_FOUND ? STORE_OK : r;
}

status_t card_setup_start(services_t *svc, arena_t *a, const payer_t *who, char **redirect)
{
    *redirect = NULL;
    gateway_t *gw = payments_gateway();
    if (!gw) return STATUS_NOT_FOUND;
    setup_tx_t t = {.a = a, .who = who};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, setup_body, &t);
    status_t st = outcome(r, t.refused); /* t.refused only once the body has run */
    if (st != STATUS_OK) return st;

    /* The gateway is asked outside any transaction: it may take seconds. */
    const char *base = who->base_url ? who->base_url : "";
    const char *tab =
        arena_printf(a, "%s%s", base,
                     who->billing_center ? "/billing/payment-method" : "/corporate/payment-method");
    gw_checkout_req_t req = {
        .payment_id = t.setup_id,
        .idempotency_key = arena_printf(a, "cobro-setup-%lld", (long long)t.setup_id),
        .amount = 0,
        .currency = t.currency,
        .description = tr(who->lang, "Card on file"),
        .customer_email = t.email,
        .customer_ref = t.customer_ref,
        .lang = lang_code(who->lang),
        .success_url = arena_printf(a, "%s?setup=%lld", tab, (long long)t.setup_id),
        .cancel_url = tab,
        .expires_at = who->now + GW_CHECKOUT_SECONDS,
    };
    gw_session_t session;
    memset(&session, 0, sizeof session);
    char err[GW_ERR_MAX] = "";
    t.result = gw->ops->create_setup(gw, svc->store, &req, &session, err);
    t.session = &session;
    if (t.result != GW_OK)
        log_info("card set-up %lld: the gateway made no page (%d): %s", (long long)t.setup_id,
                 t.result, err);
    r = store_run_tx(svc->store, STORE_TX_WRITE, setup_made_body, &t);
    st = outcome(r, REFUSED_NONE);
    if (st != STATUS_OK) return st;
    if (t.result != GW_OK) return STATUS_ERROR;
    *redirect = arena_strdup(a, session.url);
    return STATUS_OK;
}

/* The gateway's event: the card was saved on set-up ev->payment_id. Runs inside the event's
 * transaction (services/payments.c). */
store_status_t card_setup_succeeded(store_t *s, arena_t *a, const gw_event_t *ev, int64_t now)
{
    card_setup_t setup;
    store_status_t r = store_card_setup_by_id(s, a, ev->payment_id, &setup);
    if (r == STORE_NOT_FOUND) {
        log_info("gateway event %s names no card set-up of ours (%lld)", ev->id,
                 (long long)ev->payment_id);
        return STORE_OK;
    }
    if (r != STORE_OK) return r;
    if (strcmp(setup.state, "succeeded") == 0) return STORE_OK;
    const gw_card_t *k = &ev->card;
    bool digits = strlen(k->last4) == 4 && strspn(k->last4, "0123456789") == 4;
    if (!*k->method_ref || !digits || k->exp_month < 1 || k->exp_month > 12 || k->exp_year < 2000 ||
        k->exp_year > 2200) {
        /* Nothing cobro could charge or show: the set-up fails, the contact may try again. */
        log_error("card set-up %lld: the event %s lacks the card's details", (long long)setup.id,
                  ev->id);
        r = store_card_setup_finish(s, setup.id, "failed", now);
        return r == STORE_NOT_FOUND ? STORE_OK : r;
    }
    payment_card_t old;
    r = store_payment_card_of(s, a, setup.account_id, &old);
    bool replaced = r == STORE_OK;
    if (r != STORE_OK && r != STORE_NOT_FOUND) return r;
    payment_card_t card = {.account_id = setup.account_id,
                           .exp_month = k->exp_month,
                           .exp_year = k->exp_year,
                           .gateway = setup.gateway,
                           .customer_ref = (char *)k->customer_ref,
                           .method_ref = (char *)k->method_ref,
                           .brand = (char *)(*k->brand ? k->brand : "card"),
                           .last4 = (char *)k->last4,
                           .holder_name = (char *)k->holder_name};
    /* A page the contact finished after cobro gave up on it still saves the card. */
    r = store_card_setup_finish(s, setup.id, "succeeded", now);
    if (r == STORE_NOT_FOUND) r = STORE_OK;
    if (r == STORE_OK) r = store_payment_card_upsert(s, &card, now);
    if (r == STORE_OK)
        r = audit(s, "system", 0, setup.account_id, replaced ? "card_replaced" : "card_saved",
                  "card", replaced ? card_words(a, &old) : "",
                  arena_printf(a, "%s %02lld/%04lld", card_words(a, &card),
                               (long long)card.exp_month, (long long)card.exp_year),
                  "", now);
    /* A new card: the account's dunning retries at once (docs/dunning.md). */
    if (r == STORE_OK) r = dunning_card_saved(s, a, setup.account_id, now);
    return r;
}

/* ---- removing, autopay --------------------------------------------------------------------- */

typedef struct {
    arena_t *a;
    const payer_t *who;
    bool on;
    refused_t refused;
} change_tx_t;

static store_status_t remove_body(store_t *s, void *arg)
{
    change_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    account_t acc;
    payment_card_t old;
    store_status_t r = payer_account(s, t->a, t->who, &acc);
    if (r == STORE_OK) r = store_payment_card_of(s, t->a, acc.id, &old);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r == STORE_OK) r = store_payment_card_delete(s, acc.id);
    if (r == STORE_OK)
        r = audit(s, payer_kind(t->who), t->who->credential_id, acc.id, "card_removed", "card",
                  card_words(t->a, &old), "", t->who->ip, t->who->now);
    return r;
}

status_t card_remove(services_t *svc, arena_t *a, const payer_t *who)
{
    change_tx_t t = {.a = a, .who = who};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, remove_body, &t);
    return outcome(r, t.refused);
}

static store_status_t autopay_body(store_t *s, void *arg)
{
    change_tx_t *t = arg;
    t->refused = REFUSED_NONE;
    account_t acc;
    payment_card_t card;
    /* Online accounts' renewals are charged to the card anyway: no choice to make. */
    if (t->who->billing_center) return refuse(&t->refused, REFUSED_NOT_FOUND);
    store_status_t r = payer_account(s, t->a, t->who, &acc);
    if (r == STORE_OK) r = store_payment_card_of(s, t->a, acc.id, &card);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK || card.autopay == t->on) return r; /* nothing changes: nothing to log */
    r = store_payment_card_set_autopay(s, acc.id, t->on, t->who->now);
    if (r == STORE_OK)
        r = audit(s, "corporate", t->who->credential_id, acc.id, "card_autopay", "autopay",
                  card.autopay ? "on" : "off", t->on ? "on" : "off", t->who->ip, t->who->now);
    return r;
}

status_t card_set_autopay(services_t *svc, arena_t *a, const payer_t *who, bool on)
{
    change_tx_t t = {.a = a, .who = who, .on = on};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, autopay_body, &t);
    return outcome(r, t.refused);
}

/* ---- the automatic charge ------------------------------------------------------------------ */

/* The email that tells the billing contact an automatic charge failed, with where to pay. */
store_status_t autopay_declined_email(store_t *s, arena_t *a, const payment_t *p, int64_t now)
{
    invoice_doc_t party;
    store_status_t r = store_invoice_party(s, a, p->account_id, &party);
    if (r != STORE_OK || !*party.contact_email) return r == STORE_NOT_FOUND ? STORE_OK : r;
    lang_t lang = lang_of(party.lang);
    char amount[64];
    format_money(lang, party.country, p->currency, p->amount, amount, sizeof amount);
    const char *base = payments_base_url();
    const char *card = *p->card_last4
                           ? mail_text(a, tr(lang, "%s ending in %s"),
                                       *p->card_brand ? p->card_brand : "card", p->card_last4)
                           : tr(lang, "your card on file");
    const char *body = mail_text(
        a,
        tr(lang, "Hello %s,\n\n"
                 "We could not charge %s for invoice %s (%s) on its due date: the card was "
                 "declined. Nothing was charged.\n\n"
                 "Please pay the invoice here:\n%s/corporate/invoices/%s/pay\n\n"
                 "You can replace the card on file on the Payment Method tab:\n"
                 "%s/corporate/payment-method\n"),
        party.contact_name, card, p->invoice_number, amount, base, p->invoice_number, base);
    email_t e = {.kind = "autopay_failed",
                 .account_id = p->account_id,
                 .sender_ref = arena_printf(a, "payment:%lld", (long long)p->id),
                 .to_addr = party.contact_email,
                 .to_name = party.contact_name,
                 .subject = mail_text(a, tr(lang, "Automatic payment of invoice %s failed"),
                                      p->invoice_number),
                 .body_text = body};
    int64_t id = 0;
    return store_outbox_add(s, &e, now, &id);
}

/* The vendor's today ('YYYY-MM-DD') and the instant it began, in the vendor's time zone. */
static void vendor_day(const char *time_zone, int64_t now, char today[11], int64_t *start)
{
    GTimeZone *tz = time_zone && *time_zone ? g_time_zone_new_identifier(time_zone) : NULL;
    if (!tz) tz = g_time_zone_new_utc();
    GDateTime *utc = g_date_time_new_from_unix_utc(now);
    GDateTime *local = utc ? g_date_time_to_timezone(utc, tz) : NULL;
    GDateTime *midnight =
        local ? g_date_time_new(tz, g_date_time_get_year(local), g_date_time_get_month(local),
                                g_date_time_get_day_of_month(local), 0, 0, 0)
              : NULL;
    if (local && midnight) {
        snprintf(today, 11, "%04d-%02d-%02d", g_date_time_get_year(local),
                 g_date_time_get_month(local), g_date_time_get_day_of_month(local));
        *start = g_date_time_to_unix(midnight);
    } else {
        int64_t day = now >= 0 ? now / 86400 : (now - 86399) / 86400;
        *start = day * 86400;
        GDateTime *d = g_date_time_new_from_unix_utc(*start);
        snprintf(today, 11, "%04d-%02d-%02d", d ? g_date_time_get_year(d) : 1970,
                 d ? g_date_time_get_month(d) : 1, d ? g_date_time_get_day_of_month(d) : 1);
        if (d) g_date_time_unref(d);
    }
    if (midnight) g_date_time_unref(midnight);
    if (local) g_date_time_unref(local);
    if (utc) g_date_time_unref(utc);
    g_time_zone_unref(tz);
}

typedef struct {
    arena_t *a;
    int64_t now, day_start;
    char today[11];
    int64_t *ids;
    size_t n;
} due_tx_t;

static store_status_t due_body(store_t *s, void *arg)
{
    due_tx_t *t = arg;
    char *tz = NULL;
    store_status_t r = store_setting(s, t->a, "time_zone", &tz);
    if (r != STORE_OK && r != STORE_NOT_FOUND) return r;
    vendor_day(r == STORE_OK ? tz : "UTC", t->now, t->today, &t->day_start);
    return store_autopay_due(s, t->a, t->today, t->day_start, t->now, 50, &t->ids, &t->n);
}

typedef struct {
    arena_t *a;
    const due_tx_t *day;
    int64_t invoice_id;
    bool claimed;
    payment_t p;
    payment_card_t card;
} claim_tx_t;

/* Claims the invoice's one automatic attempt of the day: the row written here is the claim. The
 * invoice's row lock (PostgreSQL; SQLite has one writer) orders two nodes doing this at once, so
 * the second finds the first's payment and leaves the invoice alone. */
static store_status_t claim_body(store_t *s, void *arg)
{
    claim_tx_t *t = arg;
    t->claimed = false;
    const char *gateway = payments_gateway()->ops->name;
    invoice_money_t m;
    account_t acc;
    int64_t attempts = 0;
    store_status_t r = store_invoice_lock(s, t->invoice_id);
    if (r == STORE_OK) r = store_invoice_money_by_id(s, t->a, t->invoice_id, t->day->now, &m);
    if (r == STORE_OK) r = store_saved_card_attempts(s, m.id, t->day->day_start, &attempts);
    if (r == STORE_OK) r = store_account_by_id(s, t->a, m.account_id, &acc);
    if (r == STORE_OK) r = store_payment_card_of(s, t->a, m.account_id, &t->card);
    if (r == STORE_NOT_FOUND) return STORE_OK; /* the card went meanwhile */
    if (r != STORE_OK) return r;
    if (attempts > 0 || m.reserved > 0 || m.total - m.amount_paid <= 0 ||
        (strcmp(m.status, "open") != 0 && strcmp(m.status, "partially_paid") != 0) ||
        strcmp(m.due_date, t->day->today) > 0 || !t->card.autopay ||
        strcmp(t->card.gateway, gateway) != 0 || strcmp(acc.payment_method, "card") != 0 ||
        strcmp(acc.kind, "corporate") != 0)
        return STORE_OK;
    r = saved_card_payment_insert(s, t->a, &m, &acc, &t->card, 0, t->day->now, &t->p);
    if (r == STORE_OK) t->claimed = true;
    return r;
}

store_status_t saved_card_payment_insert(store_t *s, arena_t *a, const invoice_money_t *m,
                                         const account_t *acc, const payment_card_t *card,
                                         int64_t attempt, int64_t now, payment_t *p)
{
    memset(p, 0, sizeof *p);
    p->account_id = m->account_id;
    p->invoice_id = m->id;
    p->method = "card";
    p->source = "saved_card";
    p->gateway = (char *)payments_gateway()->ops->name;
    p->amount = m->total - m->amount_paid;
    p->currency = m->currency;
    p->state = "processing"; /* held on the invoice until its outcome is known */
    p->received_date = p->reference = p->payer = "";
    p->lang = *acc->lang ? acc->lang : "en";
    p->invoice_number = m->number;
    p->attempt = attempt;
    store_status_t r = store_payment_insert(s, p, now, &p->id);
    if (r != STORE_OK) return r;
    /* The card charged, for the receipt and the staff's list. */
    p->session_ref = p->payment_ref = p->decline_code = p->reversal_reason = "";
    p->card_brand = card->brand;
    p->card_last4 = card->last4;
    /* Asked of the gateway later should its answer never be recorded (cleared once it is). */
    p->next_check_at = payment_next_check(1, now);
    r = store_payment_update(s, p, now);
    char amount_text[MONEY_TEXT_MAX];
    money_decimal(p->amount, currency_exponent(p->currency), amount_text);
    if (r == STORE_OK)
        r = audit(s, "system", 0, p->account_id,
                  attempt == 0   ? "autopay_started"
                  : attempt == 1 ? "renewal_charge_started"
                                 : "dunning_retry_started",
                  "invoice", m->number, arena_printf(a, "%s %s", amount_text, p->currency), "",
                  now);
    return r;
}

store_status_t saved_card_failed(store_t *s, arena_t *a, const payment_t *p, int64_t now)
{
    /* A renewal's charge or a retry goes on with dunning (its own emails); autopay emails,
     * except for a request the gateway refused (a driver's misconfiguration: for staff). */
    if (p->attempt > 0) return dunning_charge_failed(s, a, p, now);
    if (strcmp(p->decline_code, "gateway_refused") == 0) return STORE_OK;
    return autopay_declined_email(s, a, p, now);
}

void saved_card_ask(services_t *svc, arena_t *a, const payment_t *p, const payment_card_t *card,
                    gw_answer_t *out)
{
    gateway_t *gw = payments_gateway();
    gw_charge_req_t req = {
        .payment_id = p->id,
        .idempotency_key = payment_idempotency_key(a, p->id),
        .amount = p->amount,
        .currency = p->currency,
        .description = arena_printf(a, "%s %s", tr(lang_of(p->lang), "Invoice"), p->invoice_number),
        .customer_ref = card->customer_ref,
        .method_ref = card->method_ref,
    };
    char err[GW_ERR_MAX] = "";
    memset(out, 0, sizeof *out);
    out->payment_id = p->id;
    out->result = gw->ops->charge_saved(gw, svc->store, &req, &out->answer, err);
    if (out->result != GW_OK && out->result != GW_DECLINED)
        log_info("payment %lld: the automatic charge came to %d: %s", (long long)p->id, out->result,
                 err);
}

void saved_card_charge(services_t *svc, arena_t *a, const payment_t *p, const payment_card_t *card,
                       int64_t now)
{
    gw_answer_t answer;
    saved_card_ask(svc, a, p, card, &answer);
    /* Settled at once on a success or a decline, as its event would (docs/payments.md). */
    if (payment_record_answers(svc, a, &answer, 1, now) != STATUS_OK)
        log_error("payment %lld: the charge's answer could not be recorded (reconciliation will "
                  "ask)",
                  (long long)p->id);
}

/* One invoice: claim, charge, record the answer. True when the gateway was asked. */
static bool autopay_one(services_t *svc, arena_t *a, const due_tx_t *day, int64_t invoice_id)
{
    claim_tx_t t = {.a = a, .day = day, .invoice_id = invoice_id};
    if (store_run_tx(svc->store, STORE_TX_WRITE, claim_body, &t) != STORE_OK || !t.claimed)
        return false;
    saved_card_charge(svc, a, &t.p, &t.card, day->now);
    return true;
}

int64_t payments_autopay_due(services_t *svc, int64_t now)
{
    if (!payments_gateway()) return 0;
    arena_t *a = arena_new();
    due_tx_t d = {.a = a, .now = now};
    int64_t asked = -1;
    if (store_run_tx(svc->store, STORE_TX_READ, due_body, &d) == STORE_OK) {
        asked = 0;
        for (size_t i = 0; i < d.n; i++)
            asked += autopay_one(svc, a, &d, d.ids[i]);
    }
    arena_free(a);
    return asked;
}
