/* Renewal charges and dunning (docs/dunning.md): each renewal invoice of an online account is
 * charged to its card on file by the payments worker (attempt 1, written before the gateway is
 * asked); a failure opens a dunning case that retries on the vendor's schedule, becomes past due,
 * then suspended after a grace period, and resolves as soon as the invoice is paid by any path.
 * Every step is audited and emailed once: each email's sender_ref names its case and step, and
 * is queued in the transaction that takes the step, under the invoice's row lock. */
#include "dunning.h"
#include "billing/calendar.h"
#include "billing/money.h"
#include "i18n/format.h"
#include "mail.h"
#include "payments.h"
#include "payments_internal.h"
#include "service_tx.h"
#include "services_internal.h"
#include "util/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DAY_S = 24 * 60 * 60, BATCH = 200, CHARGE_BATCH = 50 };

static const char NO_CARD_KIND[] = "renewal_no_card";
static const char EMAIL_KIND[] = "dunning";
/* Invoices created before cobro first charged renewals (an upgrade's history, the demo's) are
 * not charged: the first round keeps its instant here. */
static const char SINCE_KEY[] = "renewal_charges_from";

/* Set when a card was saved in this process: its worker retries at once, not a minute later. */
static atomic_bool poked;

bool dunning_poked(void)
{
    return atomic_exchange(&poked, false);
}

/* ---- the schedule -------------------------------------------------------------------------- */

dunning_days_error_t dunning_schedule_parse(const char *text, dunning_schedule_t *out)
{
    memset(out, 0, sizeof *out);
    const char *p = text ? text : "";
    while (*p == ' ' || *p == '\t')
        p++;
    if (!*p) return DUNNING_DAYS_EMPTY;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!isdigit((unsigned char)*p)) return DUNNING_DAYS_NOT_NUMBER;
        errno = 0;
        char *end = NULL;
        long v = strtol(p, &end, 10);
        if (errno || end - p > 4) return DUNNING_DAYS_RANGE;
        p = end;
        while (*p == ' ' || *p == '\t')
            p++;
        if (v < 1 || v > DUNNING_DAY_MAX) return DUNNING_DAYS_RANGE;
        if (out->n == DUNNING_RETRIES_MAX) return DUNNING_DAYS_TOO_MANY;
        if (out->n && v <= out->days[out->n - 1]) return DUNNING_DAYS_ORDER;
        out->days[out->n++] = (int)v;
        if (!*p) return DUNNING_DAYS_OK;
        if (*p != ',') return DUNNING_DAYS_NOT_NUMBER;
        p++;
    }
}

const char *dunning_days_error_text(lang_t lang, dunning_days_error_t e)
{
    switch (e) {
    case DUNNING_DAYS_OK:
        return "";
    case DUNNING_DAYS_EMPTY:
        return tr(lang, "Enter the retry days, for example 1,3,5,7.");
    case DUNNING_DAYS_NOT_NUMBER:
        return tr(lang, "Enter whole numbers of days separated by commas, for example 1,3,5,7.");
    case DUNNING_DAYS_RANGE:
        return tr(lang, "Each retry day must be between 1 and 365.");
    case DUNNING_DAYS_ORDER:
        return tr(lang, "Enter the retry days in increasing order, each once.");
    case DUNNING_DAYS_TOO_MANY:
        return tr(lang, "Enter at most 12 retry days.");
    }
    return "";
}

bool dunning_grace_parse(const char *text, int *days)
{
    const char *p = text ? text : "";
    while (*p == ' ')
        p++;
    if (!isdigit((unsigned char)*p)) return false;
    char *end = NULL;
    errno = 0;
    long v = strtol(p, &end, 10);
    while (*end == ' ')
        end++;
    if (errno || *end || v < 0 || v > DUNNING_DAY_MAX) return false;
    *days = (int)v;
    return true;
}

int64_t dunning_next_retry(const dunning_schedule_t *s, int64_t first_failed_at, int64_t after)
{
    for (size_t i = 0; i < s->n; i++) {
        int64_t at = first_failed_at + (int64_t)s->days[i] * DAY_S;
        if (at > after) return at;
    }
    return 0;
}

bool dunning_hard_decline(const char *code)
{
    /* Stripe's decline codes whose next step is another card, never the same one again. */
    static const char *const hard[] = {"lost_card",
                                       "stolen_card",
                                       "pickup_card",
                                       "restricted_card",
                                       "fraudulent",
                                       "merchant_blacklist",
                                       "security_violation",
                                       "do_not_try_again",
                                       "invalid_account",
                                       "new_account_information_available",
                                       "revocation_of_authorization",
                                       "revocation_of_all_authorizations",
                                       "stop_payment_order",
                                       "expired_card",
                                       "incorrect_number"};
    for (size_t i = 0; code && i < sizeof hard / sizeof hard[0]; i++)
        if (strcmp(code, hard[i]) == 0) return true;
    return false;
}

const char *dunning_decline_words(lang_t lang, const char *code)
{
    const char *c = code ? code : "";
    if (strcmp(c, "insufficient_funds") == 0) return tr(lang, "insufficient funds");
    if (strcmp(c, "lost_card") == 0 || strcmp(c, "stolen_card") == 0 ||
        strcmp(c, "pickup_card") == 0)
        return tr(lang, "the card was reported lost or stolen");
    if (strcmp(c, "expired_card") == 0) return tr(lang, "the card has expired");
    if (strcmp(c, "no_card") == 0) return tr(lang, "there is no card on file");
    if (dunning_hard_decline(c)) return tr(lang, "the bank will not accept charges to this card");
    return tr(lang, "the card was declined");
}

/* ---- the vendor's settings ------------------------------------------------------------------ */

typedef struct {
    dunning_schedule_t schedule;
    int grace_days;
} policy_t;

/* The settings, or their defaults with an error in the log when a value is unusable. */
static store_status_t load_policy(store_t *s, arena_t *a, policy_t *out)
{
    char *v = NULL;
    store_status_t r = store_setting(s, a, "dunning_retry_days", &v);
    if (r != STORE_OK && r != STORE_NOT_FOUND) return r;
    dunning_days_error_t e =
        dunning_schedule_parse(r == STORE_OK ? v : DUNNING_RETRY_DAYS_DEFAULT, &out->schedule);
    if (e != DUNNING_DAYS_OK) {
        log_error("vendor setting dunning_retry_days = \"%s\" is not valid: %s Using %s.", v,
                  dunning_days_error_text(LANG_EN, e), DUNNING_RETRY_DAYS_DEFAULT);
        dunning_schedule_parse(DUNNING_RETRY_DAYS_DEFAULT, &out->schedule);
    }
    r = store_setting(s, a, "dunning_grace_days", &v);
    if (r != STORE_OK && r != STORE_NOT_FOUND) return r;
    out->grace_days = DUNNING_GRACE_DEFAULT;
    if (r == STORE_OK && !dunning_grace_parse(v, &out->grace_days)) {
        log_error("vendor setting dunning_grace_days = \"%s\" is not valid: enter a whole number "
                  "of days from 0 to 365. Using %d.",
                  v, DUNNING_GRACE_DEFAULT);
        out->grace_days = DUNNING_GRACE_DEFAULT;
    }
    return STORE_OK;
}

/* ---- the emails ---------------------------------------------------------------------------- */

typedef enum {
    STEP_OPENED,
    STEP_RETRY_FAILED,
    STEP_PAST_DUE,
    STEP_SUSPENDED,
    STEP_RESOLVED
} step_t;

static const char *step_action(step_t step)
{
    static const char *const actions[] = {"dunning_opened", "dunning_retry_failed",
                                          "dunning_past_due", "dunning_suspended",
                                          "dunning_resolved"};
    return actions[step];
}

/* "YYYY-MM-DD" of instant t (UTC). */
static void day_text(int64_t t, char out[11])
{
    date_format(date_from_unix(t), out);
}

/* Queues the step's email to the billing administrator, in the account's language, unless the
 * case's step (ref) was emailed already; and the step's audit line. */
static store_status_t take_step(store_t *s, arena_t *a, const dunning_case_t *c, step_t step,
                                const char *ref, int64_t grace_end, int64_t now)
{
    store_status_t r =
        audit(s, "system", 0, c->account_id, step_action(step), "invoice", c->invoice_number,
              step == STEP_RESOLVED ? "" : c->last_decline_code, "", now);
    if (r != STORE_OK) return r;
    const char *sender_ref = arena_printf(a, "dunning:%lld:%s", (long long)c->id, ref);
    bool sent = false;
    r = store_outbox_has(s, EMAIL_KIND, sender_ref, &sent);
    if (r != STORE_OK || sent) return r;
    invoice_doc_t party;
    r = store_invoice_party(s, a, c->account_id, &party);
    if (r != STORE_OK || !*party.contact_email) return r == STORE_NOT_FOUND ? STORE_OK : r;
    invoice_money_t m;
    r = store_invoice_money_by_id(s, a, c->invoice_id, now, &m);
    if (r != STORE_OK) return r;
    lang_t lang = lang_of(party.lang);
    char amount[64], day[11], when[64] = "";
    format_money(lang, party.country, m.currency, m.total - m.amount_paid, amount, sizeof amount);
    const char *why = dunning_decline_words(lang, c->last_decline_code);
    const char *base = payments_base_url();
    const char *subject = "", *what = "";
    switch (step) {
    case STEP_OPENED:
    case STEP_RETRY_FAILED:
        subject = mail_text(a,
                            step == STEP_OPENED ? tr(lang, "Payment of invoice %s failed")
                                                : tr(lang, "Payment of invoice %s failed again"),
                            m.number);
        what = mail_text(a,
                         tr(lang, "We could not charge your card on file for invoice %s (%s): "
                                  "%s. Nothing was charged.\n"),
                         m.number, amount, why);
        if (c->next_retry_at) {
            day_text(c->next_retry_at, day);
            format_date(lang, party.country, day, when, sizeof when);
            what = arena_printf(a, "%s%s", what,
                                mail_text(a, tr(lang, "We will try again on %s.\n"), when));
        } else if (c->no_retry) {
            what = arena_printf(a, "%s%s", what,
                                tr(lang, "This card cannot be charged again: please replace "
                                         "it.\n"));
        }
        break;
    case STEP_PAST_DUE:
        day_text(grace_end, day);
        format_date(lang, party.country, day, when, sizeof when);
        subject = mail_text(a, tr(lang, "Invoice %s is past due"), m.number);
        what = mail_text(a,
                         tr(lang, "We could not charge your card on file for invoice %s (%s): "
                                  "%s. Nothing was charged and no more attempts are planned: the "
                                  "invoice is past due. Unless it is paid by %s, your "
                                  "subscription will be suspended.\n"),
                         m.number, amount, why, when);
        if (c->no_retry)
            what = arena_printf(a, "%s%s", what,
                                tr(lang, "This card cannot be charged again: please replace "
                                         "it.\n"));
        break;
    case STEP_SUSPENDED:
        subject = mail_text(a, tr(lang, "Your subscription is suspended: invoice %s is unpaid"),
                            m.number);
        what = mail_text(a,
                         tr(lang, "Invoice %s (%s) is still unpaid, so your subscription is "
                                  "suspended. Paying the invoice reactivates it at once.\n"),
                         m.number, amount);
        break;
    case STEP_RESOLVED:
        subject = mail_text(a, tr(lang, "Invoice %s is paid"), m.number);
        what = mail_text(a,
                         tr(lang, "Thank you: invoice %s is paid, and nothing more is owed on "
                                  "it.\n"),
                         m.number);
        break;
    }
    const char *body =
        arena_printf(a, "%s%s", mail_text(a, tr(lang, "Hello %s,\n\n"), party.contact_name), what);
    if (step != STEP_RESOLVED)
        body = arena_printf(
            a, "%s\n%s", body,
            mail_text(a,
                      tr(lang, "Pay the invoice in the Billing Center:\n%s/billing/invoices/%s\n\n"
                               "Or replace your card, and we will charge the new one at once:\n"
                               "%s/billing/payment-method\n"),
                      base, m.number, base));
    email_t e = {.kind = EMAIL_KIND,
                 .account_id = c->account_id,
                 .sender_ref = sender_ref,
                 .to_addr = party.contact_email,
                 .to_name = party.contact_name,
                 .subject = subject,
                 .body_text = body};
    int64_t id = 0;
    return store_outbox_add(s, &e, now, &id);
}

/* ---- the steps, inside the caller's transaction ---------------------------------------------- */

store_status_t dunning_charge_failed(store_t *s, arena_t *a, const payment_t *p, int64_t now)
{
    policy_t pol;
    dunning_case_t c;
    store_status_t r = store_invoice_lock(s, p->invoice_id);
    if (r == STORE_OK) r = load_policy(s, a, &pol);
    if (r == STORE_OK) r = store_dunning_case_of_invoice(s, a, p->invoice_id, &c);
    if (r != STORE_OK && r != STORE_NOT_FOUND) return r;
    const char *code = *p->decline_code ? p->decline_code : "declined";
    bool hard = dunning_hard_decline(code);
    bool opened = r == STORE_NOT_FOUND;
    if (opened) {
        memset(&c, 0, sizeof c);
        c.account_id = p->account_id;
        c.invoice_id = p->invoice_id;
        c.state = "retrying";
        c.first_failed_at = now;
        c.invoice_number = p->invoice_number;
    } else if (strcmp(c.state, "resolved") == 0) {
        return STORE_OK; /* paid meanwhile: that stands */
    }
    c.failures++;
    c.last_decline_code = (char *)code;
    c.no_retry = c.no_retry || hard;
    c.claimed_until = 0;
    c.next_retry_at = c.no_retry ? 0 : dunning_next_retry(&pol.schedule, c.first_failed_at, now);
    bool past_due = c.next_retry_at == 0 && strcmp(c.state, "retrying") == 0;
    if (past_due) {
        c.state = "past_due";
        c.past_due_at = now;
    }
    r = opened ? store_dunning_case_insert(s, &c, now, &c.id)
               : store_dunning_case_update(s, &c, now);
    if (r != STORE_OK) return r;
    const char *ref = arena_printf(a, "failed-%lld", (long long)c.failures);
    if (past_due)
        return take_step(s, a, &c, STEP_PAST_DUE, ref, now + (int64_t)pol.grace_days * DAY_S, now);
    return take_step(s, a, &c, opened ? STEP_OPENED : STEP_RETRY_FAILED, ref, 0, now);
}

store_status_t dunning_charge_lost(store_t *s, arena_t *a, const payment_t *p, int64_t now)
{
    dunning_case_t c;
    store_status_t r = store_invoice_lock(s, p->invoice_id);
    if (r == STORE_OK) r = store_dunning_case_of_invoice(s, a, p->invoice_id, &c);
    if (r == STORE_OK) {
        if (strcmp(c.state, "resolved") == 0) return STORE_OK;
        c.claimed_until = 0; /* due again as it was */
        return store_dunning_case_update(s, &c, now);
    }
    if (r != STORE_NOT_FOUND) return r;
    /* The renewal's charge never reached the gateway (nothing was charged, nobody was told): a
     * case with no failure retries it at once. */
    memset(&c, 0, sizeof c);
    c.account_id = p->account_id;
    c.invoice_id = p->invoice_id;
    c.state = "retrying";
    c.first_failed_at = now;
    c.next_retry_at = now;
    c.last_decline_code = "";
    r = store_dunning_case_insert(s, &c, now, &c.id);
    if (r == STORE_OK)
        r = audit(s, "system", 0, p->account_id, "dunning_charge_lost", "invoice",
                  p->invoice_number, "", "", now);
    return r;
}

/* Resolves case c (its invoice paid, or no longer owed). */
static store_status_t resolve(store_t *s, arena_t *a, dunning_case_t *c, int64_t now)
{
    if (strcmp(c->state, "resolved") == 0) return STORE_OK;
    c->state = "resolved";
    c->resolved_at = now;
    c->next_retry_at = 0;
    c->claimed_until = 0;
    store_status_t r = store_dunning_case_update(s, c, now);
    if (r == STORE_OK) r = take_step(s, a, c, STEP_RESOLVED, "resolved", 0, now);
    return r;
}

store_status_t dunning_invoice_paid(store_t *s, arena_t *a, int64_t invoice_id, int64_t now)
{
    dunning_case_t c;
    store_status_t r = store_dunning_case_of_invoice(s, a, invoice_id, &c);
    if (r == STORE_NOT_FOUND) return STORE_OK;
    if (r != STORE_OK) return r;
    return resolve(s, a, &c, now);
}

store_status_t dunning_card_saved(store_t *s, arena_t *a, int64_t account_id, int64_t now)
{
    (void)a;
    int64_t changed = 0;
    store_status_t r = store_dunning_retry_now(s, account_id, now, &changed);
    if (r == STORE_OK && changed > 0) {
        r = audit(s, "system", 0, account_id, "dunning_retry_new_card", "card", "",
                  arena_printf(a, "%lld", (long long)changed), "", now);
        atomic_store(&poked, true); /* a rolled-back poke costs one idle round, nothing more */
    }
    return r;
}

/* ---- the job ------------------------------------------------------------------------------- */

typedef struct {
    arena_t *a;
    int64_t now, since, id, after_id;
    bool with_card;
    int64_t *ids;
    size_t n;
    /* one charge */
    bool claimed;
    payment_t p;
    payment_card_t card;
    int64_t steps;
} job_tx_t;

static store_status_t since_body(store_t *s, void *arg)
{
    job_tx_t *t = arg;
    char *v = NULL;
    store_status_t r = store_setting(s, t->a, SINCE_KEY, &v);
    if (r == STORE_NOT_FOUND) {
        r = store_setting_first(s, SINCE_KEY, arena_printf(t->a, "%lld", (long long)t->now));
        if (r == STORE_OK) r = store_setting(s, t->a, SINCE_KEY, &v);
    }
    if (r == STORE_OK) t->since = strtoll(v, NULL, 10);
    return r;
}

static store_status_t renewals_body(store_t *s, void *arg)
{
    job_tx_t *t = arg;
    return store_renewals_to_charge(s, t->a, t->since, t->with_card, NO_CARD_KIND, t->after_id,
                                    BATCH, &t->ids, &t->n);
}

/* Whether the account has a suspended case: its new invoices are not charged on their own. */
static store_status_t account_suspended(store_t *s, arena_t *a, int64_t account_id, bool *yes)
{
    dunning_case_t *cases = NULL;
    size_t n = 0;
    *yes = false;
    store_status_t r = store_dunning_cases_of(s, a, account_id, 50, &cases, &n);
    for (size_t i = 0; r == STORE_OK && i < n; i++)
        *yes = *yes || strcmp(cases[i].state, "suspended") == 0;
    return r;
}

/* Claims invoice t->id's renewal charge: attempt 1, written under the invoice's lock (and at
 * most once: the database refuses a second attempt 1). */
static store_status_t renewal_claim_body(store_t *s, void *arg)
{
    job_tx_t *t = arg;
    t->claimed = false;
    invoice_money_t m;
    account_t acc;
    int64_t last = 0;
    bool suspended = false;
    store_status_t r = store_invoice_lock(s, t->id);
    if (r == STORE_OK) r = store_invoice_money_by_id(s, t->a, t->id, t->now, &m);
    if (r == STORE_OK) r = store_invoice_last_attempt(s, t->id, &last);
    if (r == STORE_OK) r = store_account_by_id(s, t->a, m.account_id, &acc);
    if (r == STORE_OK) r = account_suspended(s, t->a, m.account_id, &suspended);
    if (r == STORE_OK) r = store_payment_card_of(s, t->a, m.account_id, &t->card);
    if (r == STORE_NOT_FOUND) return STORE_OK;
    if (r != STORE_OK) return r;
    if (last > 0 || suspended || m.reserved > 0 || m.total - m.amount_paid <= 0 ||
        strcmp(acc.kind, "online") != 0 ||
        (strcmp(m.status, "open") != 0 && strcmp(m.status, "partially_paid") != 0) ||
        strcmp(t->card.gateway, payments_gateway()->ops->name) != 0)
        return STORE_OK;
    r = saved_card_payment_insert(s, t->a, &m, &acc, &t->card, 1, t->now, &t->p);
    if (r == STORE_OK) t->claimed = true;
    return r;
}

typedef struct {
    job_tx_t *t;
    const int64_t *ids;
    size_t n;
    payment_t *p;
    payment_card_t *card;
    size_t *got;
} claim_batch_t;

/* Claims each invoice of a batch as renewal_claim_body does, in one transaction (in id order:
 * the order every node takes invoices' rows in). */
static store_status_t claim_batch_body(store_t *s, void *arg)
{
    claim_batch_t *b = arg;
    *b->got = 0;
    for (size_t i = 0; i < b->n; i++) {
        b->t->id = b->ids[i];
        store_status_t r = renewal_claim_body(s, b->t);
        if (r != STORE_OK) return r;
        if (!b->t->claimed) continue;
        b->p[*b->got] = b->t->p;
        b->card[*b->got] = b->t->card;
        (*b->got)++;
    }
    return STORE_OK;
}

/* An online account's renewal invoice with no card to charge: the billing administrator is
 * asked to add one, once per invoice. */
static store_status_t no_card_body(store_t *s, void *arg)
{
    job_tx_t *t = arg;
    t->claimed = false;
    invoice_money_t m;
    payment_card_t card;
    invoice_doc_t party;
    bool sent = false;
    const char *ref = arena_printf(t->a, "invoice:%lld", (long long)t->id);
    store_status_t r = store_invoice_lock(s, t->id);
    if (r == STORE_OK) r = store_outbox_has(s, NO_CARD_KIND, ref, &sent);
    if (r == STORE_OK) r = store_invoice_money_by_id(s, t->a, t->id, t->now, &m);
    if (r != STORE_OK || sent) return r;
    r = store_payment_card_of(s, t->a, m.account_id, &card);
    if (r != STORE_NOT_FOUND) return r; /* a card came meanwhile: the next round charges it */
    r = store_invoice_party(s, t->a, m.account_id, &party);
    if (r != STORE_OK || !*party.contact_email) return r == STORE_NOT_FOUND ? STORE_OK : r;
    lang_t lang = lang_of(party.lang);
    char amount[64];
    format_money(lang, party.country, m.currency, m.total - m.amount_paid, amount, sizeof amount);
    const char *base = payments_base_url();
    email_t e = {
        .kind = NO_CARD_KIND,
        .account_id = m.account_id,
        .sender_ref = ref,
        .to_addr = party.contact_email,
        .to_name = party.contact_name,
        .subject = mail_text(t->a, tr(lang, "Add a card to pay invoice %s"), m.number),
        .body_text = mail_text(
            t->a,
            tr(lang, "Hello %s,\n\n"
                     "Your subscription has renewed: invoice %s (%s) is due now. There is no card "
                     "on file to charge it to. Please add one in the Billing Center, and we will "
                     "charge it:\n%s/billing/payment-method\n\n"
                     "Or pay the invoice:\n%s/billing/invoices/%s\n"),
            party.contact_name, m.number, amount, base, base, m.number)};
    int64_t id = 0;
    r = store_outbox_add(s, &e, t->now, &id);
    if (r == STORE_OK)
        r = audit(s, "system", 0, m.account_id, "renewal_no_card", "invoice", m.number, "", "",
                  t->now);
    if (r == STORE_OK) t->claimed = true;
    return r;
}

/* Claims case t->id's retry (a lease, so that one node retries it) and writes the retry's payment
 * before the gateway is asked. A case whose invoice is paid meanwhile resolves; one whose account
 * has no card counts a failure without asking the gateway. */
static store_status_t retry_claim_body(store_t *s, void *arg)
{
    job_tx_t *t = arg;
    t->claimed = false;
    t->steps = 0;
    dunning_case_t c;
    invoice_money_t m;
    account_t acc;
    int64_t last = 0;
    store_status_t r = store_dunning_claim(s, t->id, t->now, t->now + DUNNING_LEASE_S);
    if (r == STORE_NOT_FOUND) return STORE_OK; /* another node has it, or it is done */
    if (r == STORE_OK) r = store_dunning_case_by_id(s, t->a, t->id, &c);
    if (r == STORE_OK) r = store_invoice_lock(s, c.invoice_id);
    if (r == STORE_OK) r = store_invoice_money_by_id(s, t->a, c.invoice_id, t->now, &m);
    if (r == STORE_OK) r = store_account_by_id(s, t->a, c.account_id, &acc);
    if (r == STORE_OK) r = store_invoice_last_attempt(s, c.invoice_id, &last);
    if (r != STORE_OK) return r;
    if (m.total - m.amount_paid <= 0 || strcmp(m.status, "void") == 0) {
        t->steps = 1;
        return resolve(s, t->a, &c, t->now); /* nothing is owed on it any more */
    }
    if (m.reserved > 0) return STORE_OK; /* a payment in progress: its outcome comes first */
    r = store_payment_card_of(s, t->a, c.account_id, &t->card);
    if (r == STORE_NOT_FOUND ||
        (r == STORE_OK && strcmp(t->card.gateway, payments_gateway()->ops->name) != 0)) {
        payment_t none = {.account_id = c.account_id,
                          .invoice_id = c.invoice_id,
                          .decline_code = "no_card",
                          .invoice_number = m.number};
        t->steps = 1;
        return dunning_charge_failed(s, t->a, &none, t->now);
    }
    if (r != STORE_OK) return r;
    r = saved_card_payment_insert(s, t->a, &m, &acc, &t->card, last < 1 ? 2 : last + 1, t->now,
                                  &t->p);
    if (r == STORE_OK) t->claimed = true;
    return r;
}

static store_status_t due_body(store_t *s, void *arg)
{
    job_tx_t *t = arg;
    return store_dunning_due(s, t->a, t->now, BATCH, &t->ids, &t->n);
}

static store_status_t to_suspend_body(store_t *s, void *arg)
{
    job_tx_t *t = arg;
    policy_t pol;
    store_status_t r = load_policy(s, t->a, &pol);
    if (r == STORE_OK)
        r = store_dunning_to_suspend(s, t->a, t->now - (int64_t)pol.grace_days * DAY_S, BATCH,
                                     &t->ids, &t->n);
    return r;
}

static store_status_t suspend_body(store_t *s, void *arg)
{
    job_tx_t *t = arg;
    t->claimed = false;
    t->steps = 0;
    dunning_case_t c;
    policy_t pol;
    store_status_t r = store_dunning_case_by_id(s, t->a, t->id, &c);
    if (r == STORE_OK) r = store_invoice_lock(s, c.invoice_id); /* then read it again, fresh */
    if (r == STORE_OK) r = store_dunning_case_by_id(s, t->a, t->id, &c);
    if (r == STORE_OK) r = load_policy(s, t->a, &pol);
    if (r != STORE_OK) return r;
    if (strcmp(c.state, "past_due") != 0 ||
        c.past_due_at > t->now - (int64_t)pol.grace_days * DAY_S)
        return STORE_OK;
    c.state = "suspended";
    c.suspended_at = t->now;
    r = store_dunning_case_update(s, &c, t->now);
    if (r == STORE_OK) r = take_step(s, t->a, &c, STEP_SUSPENDED, "suspended", 0, t->now);
    if (r == STORE_OK) t->steps = 1;
    return r;
}

/* A batch of renewal invoices (ids, n of them, at most CHARGE_BATCH): claimed in one transaction
 * (one commit, not one each), each charge asked of the gateway outside it, the answers recorded
 * in one more. A batch whose claim fails is claimed one invoice at a time. Returns how many
 * charges were asked. */
static int64_t charge_renewals(services_t *svc, job_tx_t *t, const int64_t *ids, size_t n)
{
    payment_t p[CHARGE_BATCH];
    payment_card_t card[CHARGE_BATCH];
    gw_answer_t answers[CHARGE_BATCH];
    size_t got = 0;
    claim_batch_t b = {.t = t, .ids = ids, .n = n, .p = p, .card = card, .got = &got};
    bool one_by_one = store_run_tx(svc->store, STORE_TX_WRITE, claim_batch_body, &b) != STORE_OK;
    int64_t asked = 0;
    for (size_t i = 0; one_by_one && i < n; i++) {
        /* One invoice the batch could not take must not hold back the others. */
        t->id = ids[i];
        got = 0;
        if (store_run_tx(svc->store, STORE_TX_WRITE, renewal_claim_body, t) != STORE_OK) {
            log_error("renewal charge of invoice %lld: the claim failed", (long long)t->id);
            continue;
        }
        if (!t->claimed) continue;
        saved_card_charge(svc, t->a, &t->p, &t->card, t->now);
        asked++;
    }
    if (one_by_one) return asked;
    for (size_t i = 0; i < got; i++)
        saved_card_ask(svc, t->a, &p[i], &card[i], &answers[i]);
    if (got && payment_record_answers(svc, t->a, answers, got, t->now) != STATUS_OK)
        log_error("renewal charges: %zu answers could not be recorded (reconciliation will ask)",
                  got);
    return (int64_t)got;
}

/* A batch of renewal invoices whose account has no card: each asks for one, once. */
static int64_t ask_for_cards(services_t *svc, job_tx_t *t, const int64_t *ids, size_t n)
{
    int64_t asked = 0;
    for (size_t i = 0; i < n; i++) {
        t->id = ids[i];
        if (store_run_tx(svc->store, STORE_TX_WRITE, no_card_body, t) != STORE_OK)
            log_error("renewal invoice %lld: the email asking for a card failed", (long long)t->id);
        else
            asked += t->claimed;
    }
    return asked;
}

/* Lists cases with list, then takes each one's step in its own write transaction (a retry's
 * charge after it, outside): *steps counts the steps taken. False when the list failed. */
static bool each_case(services_t *svc, job_tx_t *t, store_tx_body_t list, store_tx_body_t step,
                      int64_t *steps)
{
    if (store_run_tx(svc->store, STORE_TX_READ, list, t) != STORE_OK) return false;
    int64_t *ids = t->ids;
    size_t n = t->n;
    for (size_t i = 0; i < n; i++) {
        t->id = ids[i];
        if (store_run_tx(svc->store, STORE_TX_WRITE, step, t) != STORE_OK) {
            log_error("dunning case %lld: its step could not be taken", (long long)t->id);
            continue;
        }
        *steps += t->steps + t->claimed;
        if (t->claimed) saved_card_charge(svc, t->a, &t->p, &t->card, t->now);
    }
    return true;
}

int64_t dunning_run(services_t *svc, int64_t now)
{
    if (!payments_gateway()) return 0;
    arena_t *a = arena_new();
    job_tx_t t = {.a = a, .now = now};
    int64_t steps = 0;
    bool ok = store_run_tx(svc->store, STORE_TX_WRITE, since_body, &t) == STORE_OK;
    /* New renewals with a card: charged; without one: the administrator is asked for one. All
     * of them in this round, a batch at a time (a bill run's renewals are charged at once). */
    for (int pass = 0; ok && pass < 2; pass++) {
        t.with_card = pass == 0;
        t.after_id = 0;
        for (bool more = true; ok && more;) {
            arena_t *batch = arena_new(); /* each batch's memory goes with it */
            t.a = batch;
            ok = store_run_tx(svc->store, STORE_TX_READ, renewals_body, &t) == STORE_OK;
            int64_t *ids = t.ids;
            size_t n = ok ? t.n : 0;
            more = n == BATCH;
            if (n) t.after_id = ids[n - 1];
            for (size_t i = 0; i < n; i += CHARGE_BATCH) {
                size_t to = n - i < CHARGE_BATCH ? n : i + CHARGE_BATCH;
                steps += t.with_card ? charge_renewals(svc, &t, ids + i, to - i)
                                     : ask_for_cards(svc, &t, ids + i, to - i);
            }
            t.a = a;
            arena_free(batch);
        }
    }
    /* Retries due, then past due cases beyond their grace period: suspended. */
    if (ok) ok = each_case(svc, &t, due_body, retry_claim_body, &steps);
    if (ok) ok = each_case(svc, &t, to_suspend_body, suspend_body, &steps);
    arena_free(a);
    return ok ? steps : -1;
}

/* ---- the view ------------------------------------------------------------------------------- */

static int severity(const char *state)
{
    if (strcmp(state, "suspended") == 0) return 3;
    if (strcmp(state, "past_due") == 0) return 2;
    if (strcmp(state, "retrying") == 0) return 1;
    return 0;
}

status_t dunning_view(services_t *svc, arena_t *a, int64_t account_id, dunning_view_t *out)
{
    memset(out, 0, sizeof *out);
    out->state = "none";
    out->invoice_number = out->last_decline_code = "";
    dunning_case_t *cases = NULL;
    size_t n = 0;
    store_status_t r = store_dunning_cases_of(svc->store, a, account_id, 50, &cases, &n);
    if (r != STORE_OK) return outcome(r, REFUSED_NONE);
    const dunning_case_t *pick = NULL;
    for (size_t i = 0; i < n; i++) { /* newest first: the first of the worst wins */
        int sv = severity(cases[i].state);
        if (sv > 0) out->open_cases++;
        if (sv == 3) out->suspended = true;
        if (!pick || sv > severity(pick->state)) pick = &cases[i];
    }
    if (!pick) return STATUS_OK;
    out->state = pick->state;
    out->invoice_number = pick->invoice_number;
    out->failures = pick->failures;
    out->next_retry_at = strcmp(pick->state, "resolved") == 0 ? 0 : pick->next_retry_at;
    if (out->next_retry_at) day_text(out->next_retry_at, out->next_retry_date);
    out->last_decline_code = pick->last_decline_code;
    out->no_retry = pick->no_retry;
    out->first_failed_at = pick->first_failed_at;
    out->past_due_at = pick->past_due_at;
    out->suspended_at = pick->suspended_at;
    out->resolved_at = pick->resolved_at;
    if (pick->suspended_at) day_text(pick->suspended_at, out->suspended_on);
    return STATUS_OK;
}
