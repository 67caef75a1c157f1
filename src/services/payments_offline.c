/* Money handled by staff (docs/payments_staff.md): offline payments recorded and applied,
 * reversals, card refunds through the gateway (settled at once or by the gateway's event), the
 * refund email, and the views of the staff console's payment pages. */
#include "payments_offline.h"
#include "billing/calendar.h"
#include "billing/money.h"
#include "i18n/format.h"
#include "mail.h"
#include "payments.h"
#include "payments_internal.h"
#include "quotes.h"
#include "service_tx.h"
#include "services_internal.h"
#include "util/log.h"
#include "util/form.h"
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool pay_staff_may_record(const pay_staff_t *who)
{
    return who && who->role &&
           (strcmp(who->role, "admin") == 0 || strcmp(who->role, "account_services") == 0);
}

bool pay_staff_may_refund(const pay_staff_t *who)
{
    return who && who->role && strcmp(who->role, "admin") == 0;
}

static offline_error_t text_error(const char *s, bool required, size_t max)
{
    switch (check_text(s ? s : "", required, max)) {
    case FIELD_OK:
        return OFFLINE_OK;
    case FIELD_REQUIRED:
        return OFFLINE_REQUIRED;
    case FIELD_TOO_LONG:
        return OFFLINE_TOO_LONG;
    default:
        return OFFLINE_NOT_ONE_LINE;
    }
}

/* A copy of s without white space at either end (what is stored). */
static char *trimmed(arena_t *a, const char *s)
{
    return str_trim(arena_strdup(a, s ? s : ""));
}

static offline_error_t parse_amount(const char *text, const char *currency, char decimal_mark,
                                    int64_t *amount)
{
    *amount = 0;
    const char *t = text ? text : "";
    while (*t == ' ')
        t++;
    if (!*t) return OFFLINE_REQUIRED;
    int e = currency_exponent(currency);
    if (!money_parse_typed(t, e < 0 ? 2 : e, decimal_mark, amount) || *amount <= 0)
        return OFFLINE_BAD_AMOUNT;
    return OFFLINE_OK;
}

static const char *amount_text(arena_t *a, int64_t minor, const char *currency)
{
    char text[MONEY_TEXT_MAX];
    int e = currency_exponent(currency);
    money_decimal(minor, e < 0 ? 2 : e, text);
    return arena_printf(a, "%s %s", text, currency);
}

static void today_of(store_t *s, arena_t *a, int64_t now, char out[11])
{
    char *tz = NULL;
    if (store_setting(s, a, "time_zone", &tz) != STORE_OK || !tz || !*tz) tz = "UTC";
    vendor_today(tz, now, out);
}

/* ---- the form ------------------------------------------------------------------------------ */

static store_status_t read_form_view(store_t *s, arena_t *a, int64_t account_id, int64_t now,
                                     offline_form_view_t *out)
{
    store_status_t r = store_account_by_id(s, a, account_id, &out->account);
    if (r != STORE_OK) return r;
    today_of(s, a, now, out->today);
    invoice_money_t *rows = NULL;
    size_t n = 0;
    r = store_open_invoices(s, a, account_id, now, OFFLINE_INVOICES_SHOWN, &rows, &n);
    if (r != STORE_OK) return r;
    out->invoices = arena_alloc(a, sizeof *out->invoices * (n ? n : 1));
    out->n_invoices = 0;
    for (size_t i = 0; i < n; i++) {
        /* Another currency's invoice cannot take this account's payments. */
        if (strcmp(rows[i].currency, out->account.currency) != 0) continue;
        open_invoice_t *o = &out->invoices[out->n_invoices++];
        o->invoice = rows[i];
        o->balance = rows[i].total - rows[i].amount_paid;
        o->payable = o->balance - rows[i].reserved;
        if (o->payable < 0) o->payable = 0;
    }
    return store_account_credit(s, account_id, out->account.currency, &out->credit);
}

status_t offline_form_view(services_t *svc, arena_t *a, const pay_staff_t *who, int64_t account_id,
                           offline_form_view_t *out)
{
    memset(out, 0, sizeof *out);
    if (!pay_staff_may_record(who) || account_id <= 0) return STATUS_NOT_FOUND;
    return outcome(read_form_view(svc->store, a, account_id, who->now, out), REFUSED_NONE);
}

/* ---- recording ------------------------------------------------------------------------------ */

typedef struct {
    int64_t invoice_id, amount; /* amount 0: nothing applied */
} apply_t;

typedef struct {
    arena_t *a;
    const pay_staff_t *who;
    int64_t account_id;
    const offline_payment_in_t *in;
    offline_payment_out_t *out;
    refused_t refused;
} record_tx_t;

static int by_invoice(const void *x, const void *y)
{
    const apply_t *p = x, *q = y;
    return p->invoice_id < q->invoice_id ? -1 : p->invoice_id > q->invoice_id;
}

static store_status_t record_body(store_t *s, void *arg)
{
    record_tx_t *t = arg;
    const offline_payment_in_t *in = t->in;
    offline_payment_out_t *out = t->out;
    t->refused = REFUSED_NONE;
    out->any = false;
    out->method = out->received_date = out->amount = out->currency = OFFLINE_OK;
    out->reference = out->payer = OFFLINE_OK;
    for (size_t i = 0; i < in->n_applies; i++)
        out->applies[i] = OFFLINE_OK;
    account_t acc;
    store_status_t r = store_account_by_id(s, t->a, t->account_id, &acc);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;

    const char *method = in->method ? in->method : "";
    if (!*method)
        out->method = OFFLINE_REQUIRED;
    else if (strcmp(method, "wire") && strcmp(method, "check") && strcmp(method, "ach"))
        out->method = OFFLINE_BAD_CHOICE;
    char today[11];
    today_of(s, t->a, t->who->now, today);
    const char *day = trimmed(t->a, in->received_date);
    date_t d;
    if (!*day)
        out->received_date = OFFLINE_REQUIRED;
    else if (strlen(day) != 10 || !date_parse(day, &d))
        out->received_date = OFFLINE_BAD_DATE;
    else if (strcmp(day, today) > 0)
        out->received_date = OFFLINE_FUTURE_DATE;
    const char *currency = trimmed(t->a, in->currency);
    if (!*currency)
        out->currency = OFFLINE_REQUIRED;
    else if (strcmp(currency, acc.currency) != 0)
        out->currency = OFFLINE_BAD_CURRENCY;
    int64_t amount = 0;
    out->amount = parse_amount(in->amount, acc.currency, in->decimal_mark, &amount);
    out->reference = text_error(in->reference, true, OFFLINE_REFERENCE_MAX);
    out->payer = text_error(in->payer, false, OFFLINE_PAYER_MAX);

    /* Each amount applied: an open invoice of this account, within what it may still take. The
     * invoices are taken in id order (the order every payer takes them in) before their
     * balances are read. */
    apply_t *applies = arena_alloc(t->a, sizeof *applies * (in->n_applies ? in->n_applies : 1));
    size_t n = 0;
    int64_t applied = 0;
    for (size_t i = 0; i < in->n_applies; i++) {
        const char *typed = in->applies[i].amount ? in->applies[i].amount : "";
        while (*typed == ' ')
            typed++;
        if (!*typed) continue;
        char *end = NULL;
        const char *id_text = in->applies[i].invoice_id ? in->applies[i].invoice_id : "";
        long long invoice_id = strtoll(id_text, &end, 10);
        if (!*id_text || !end || *end || invoice_id <= 0) {
            out->applies[i] = OFFLINE_UNKNOWN_INVOICE;
            continue;
        }
        int64_t v = 0;
        out->applies[i] = parse_amount(typed, acc.currency, in->decimal_mark, &v);
        if (out->applies[i] != OFFLINE_OK) continue;
        applies[n++] = (apply_t){.invoice_id = invoice_id, .amount = v};
    }
    qsort(applies, n, sizeof *applies, by_invoice);
    for (size_t k = 0; k < n; k++) {
        /* The same invoice twice (a forged form): its amounts add up. */
        if (k > 0 && applies[k].invoice_id == applies[k - 1].invoice_id) {
            applies[k].amount += applies[k - 1].amount;
            applies[k - 1].amount = 0;
        }
    }
    for (size_t k = 0; k < n; k++) {
        if (!applies[k].amount) continue;
        size_t field = 0; /* the form's row that named this invoice, for its message */
        for (size_t i = 0; i < in->n_applies; i++) {
            const char *id_text = in->applies[i].invoice_id ? in->applies[i].invoice_id : "";
            if (strtoll(id_text, NULL, 10) == applies[k].invoice_id) field = i;
        }
        invoice_money_t m;
        r = store_invoice_lock(s, applies[k].invoice_id);
        if (r == STORE_OK)
            r = store_invoice_money_by_id(s, t->a, applies[k].invoice_id, t->who->now, &m);
        if (r == STORE_NOT_FOUND ||
            (r == STORE_OK && (m.account_id != acc.id || strcmp(m.currency, acc.currency) != 0 ||
                               strcmp(m.status, "void") == 0))) {
            out->applies[field] = OFFLINE_UNKNOWN_INVOICE;
            continue;
        }
        if (r != STORE_OK) return r;
        if (applies[k].amount > m.total - m.amount_paid - m.reserved) {
            out->applies[field] = OFFLINE_OVER_BALANCE;
            continue;
        }
        applied += applies[k].amount;
    }
    if (out->amount == OFFLINE_OK && applied > amount) out->amount = OFFLINE_OVER_AMOUNT;

    out->any = out->method || out->received_date || out->amount || out->currency ||
               out->reference || out->payer;
    for (size_t i = 0; i < in->n_applies; i++)
        out->any = out->any || out->applies[i];
    if (out->any) return refuse(&t->refused, REFUSED_INVALID);

    payment_t p;
    memset(&p, 0, sizeof p);
    p.account_id = acc.id;
    p.method = (char *)method;
    p.source = "offline";
    p.gateway = "";
    p.amount = amount;
    p.currency = acc.currency;
    p.state = "succeeded";
    p.settled_at = t->who->now;
    p.received_date = (char *)day;
    p.reference = trimmed(t->a, in->reference);
    p.payer = trimmed(t->a, in->payer);
    p.lang = *acc.lang ? acc.lang : "en";
    p.created_by_staff = t->who->staff_id;
    p.session_ref = p.payment_ref = p.card_brand = p.card_last4 = p.decline_code = "";
    p.reversal_reason = p.invoice_number = "";
    r = store_payment_insert(s, &p, t->who->now, &p.id);
    int64_t used = 0;
    for (size_t k = 0; r == STORE_OK && k < n; k++) {
        if (!applies[k].amount) continue;
        int64_t took = 0;
        r = payment_apply(s, t->a, &p, applies[k].invoice_id, applies[k].amount, t->who->now,
                          &took);
        /* Checked above under the invoice's lock: anything else is a bug, never half-written. */
        if (r == STORE_OK && took != applies[k].amount) r = STORE_ERROR;
        used += took;
    }
    if (r == STORE_OK) r = payment_keep_credit(s, &p, amount - used, t->who->now);
    if (r == STORE_OK)
        r = audit(s, "staff", t->who->staff_id, acc.id, "payment_recorded", "payment", "",
                  arena_printf(t->a, "%lld: %s %s, %s, ref %s", (long long)p.id, method,
                               amount_text(t->a, amount, acc.currency), day, p.reference),
                  t->who->ip, t->who->now);
    if (r == STORE_OK) {
        out->payment_id = p.id;
        out->credit = amount - used;
    }
    return r;
}

status_t payment_record_offline(services_t *svc, arena_t *a, const pay_staff_t *who,
                                int64_t account_id, const offline_payment_in_t *in,
                                offline_payment_out_t *out)
{
    memset(out, 0, sizeof *out);
    out->applies = arena_alloc(a, sizeof *out->applies * (in->n_applies ? in->n_applies : 1));
    for (size_t i = 0; i < in->n_applies; i++)
        out->applies[i] = OFFLINE_OK;
    if (!pay_staff_may_record(who) || account_id <= 0) return STATUS_NOT_FOUND;
    record_tx_t t = {.a = a, .who = who, .account_id = account_id, .in = in, .out = out};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, record_body, &t);
    return outcome(r, t.refused); /* r is stored first: the body has run */
}

/* ---- one payment ------------------------------------------------------------------------------
 */

static bool is_card(const payment_t *p)
{
    return strcmp(p->source, "offline") != 0;
}

typedef struct {
    arena_t *a;
    const pay_staff_t *who;
    int64_t id;
    payment_staff_view_t *out;
} view_tx_t;

static store_status_t view_body(store_t *s, void *arg)
{
    view_tx_t *t = arg;
    payment_staff_view_t *v = t->out;
    store_status_t r = store_payment_by_id(s, t->a, t->id, &v->payment);
    if (r == STORE_OK) r = store_account_by_id(s, t->a, v->payment.account_id, &v->account);
    if (r == STORE_OK)
        r = store_payment_allocations(s, t->a, t->id, &v->allocations, &v->n_allocations);
    if (r == STORE_OK) r = store_refunds_of(s, t->a, t->id, &v->refunds, &v->n_refunds);
    int64_t held = 0;
    if (r == STORE_OK) r = store_refunds_held(s, t->id, &held);
    if (r != STORE_OK) return r;
    v->recorded_by = "";
    if (v->payment.created_by_staff) {
        staff_user_t u;
        if (store_staff_by_id(s, t->a, v->payment.created_by_staff, &u) == STORE_OK)
            v->recorded_by = u.name;
    }
    const payment_t *p = &v->payment;
    bool succeeded = strcmp(p->state, "succeeded") == 0;
    v->refundable = is_card(p) && succeeded ? p->amount - held : 0;
    v->may_reverse = !is_card(p) && succeeded && pay_staff_may_record(t->who);
    v->may_refund = is_card(p) && succeeded && v->refundable > 0 && pay_staff_may_refund(t->who) &&
                    payments_gateway() != NULL;
    return STORE_OK;
}

status_t payment_staff_view(services_t *svc, arena_t *a, const pay_staff_t *who, int64_t payment_id,
                            payment_staff_view_t *out)
{
    memset(out, 0, sizeof *out);
    if (!pay_staff_may_record(who) || payment_id <= 0) return STATUS_NOT_FOUND;
    view_tx_t t = {.a = a, .who = who, .id = payment_id, .out = out};
    return outcome(view_body(svc->store, &t), REFUSED_NONE);
}

/* ---- undoing a payment's rows -----------------------------------------------------------------
 */

/* Takes back amount of an invoice's money: a negative row of kind, and the invoice owes it again.
 */
static store_status_t take_from_invoice(store_t *s, arena_t *a, const payment_t *p,
                                        int64_t refund_id, int64_t invoice_id, const char *kind,
                                        int64_t amount, int64_t now)
{
    invoice_money_t m;
    store_status_t r = store_invoice_lock(s, invoice_id);
    if (r == STORE_OK) r = store_invoice_money_by_id(s, a, invoice_id, now, &m);
    if (r != STORE_OK) return r;
    allocation_t al = {.account_id = p->account_id,
                       .payment_id = p->id,
                       .refund_id = refund_id,
                       .invoice_id = invoice_id,
                       .kind = kind,
                       .amount = -amount,
                       .currency = p->currency};
    r = store_allocation_add(s, &al, now);
    if (r == STORE_OK)
        r = store_invoice_set_paid(s, invoice_id, m.amount_paid - amount,
                                   invoice_status_for(m.total, m.amount_paid - amount));
    return r;
}

static store_status_t take_from_credit(store_t *s, const payment_t *p, int64_t refund_id,
                                       const char *kind, int64_t amount, int64_t now)
{
    allocation_t al = {.account_id = p->account_id,
                       .payment_id = p->id,
                       .refund_id = refund_id,
                       .kind = kind,
                       .amount = -amount,
                       .currency = p->currency};
    return store_allocation_add(s, &al, now);
}

/* ---- reversing ------------------------------------------------------------------------------ */

typedef struct {
    arena_t *a;
    const pay_staff_t *who;
    int64_t id;
    const char *reason;
    reverse_out_t *out;
    refused_t refused;
} reverse_tx_t;

static store_status_t reverse_body(store_t *s, void *arg)
{
    reverse_tx_t *t = arg;
    reverse_out_t *out = t->out;
    t->refused = REFUSED_NONE;
    out->error = REVERSE_OK;
    out->credit_used = 0;
    store_status_t r = store_payment_lock(s, t->id);
    payment_t p;
    if (r == STORE_OK) r = store_payment_by_id(s, t->a, t->id, &p);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    if (is_card(&p))
        out->error = REVERSE_NOT_OFFLINE;
    else if (strcmp(p.state, "succeeded") != 0)
        out->error = REVERSE_NOT_SETTLED;
    allocation_net_t *nets = NULL;
    size_t n = 0;
    r = store_payment_nets(s, t->a, p.id, &nets, &n);
    if (r != STORE_OK) return r;
    /* The credit it left must still be there: money already used on another invoice cannot be
     * taken back from the credit (staff reverse or correct that first). */
    int64_t own_credit = 0;
    for (size_t i = 0; i < n; i++)
        if (nets[i].invoice_id == 0) own_credit = nets[i].net;
    if (out->error == REVERSE_OK && own_credit > 0) {
        int64_t credit = 0;
        r = store_account_credit(s, p.account_id, p.currency, &credit);
        if (r != STORE_OK) return r;
        if (credit < own_credit) {
            out->error = REVERSE_CREDIT_USED;
            out->credit_used = own_credit - (credit > 0 ? credit : 0);
        }
    }
    if (out->error != REVERSE_OK || out->reason != OFFLINE_OK)
        return refuse(&t->refused, REFUSED_INVALID);
    /* Invoices in id order (nets come sorted), as every payer takes them. */
    for (size_t i = 0; r == STORE_OK && i < n; i++) {
        if (nets[i].net == 0) continue;
        if (nets[i].invoice_id)
            r = take_from_invoice(s, t->a, &p, 0, nets[i].invoice_id, "reversal", nets[i].net,
                                  t->who->now);
        else
            r = take_from_credit(s, &p, 0, "reversal", nets[i].net, t->who->now);
    }
    if (r != STORE_OK) return r;
    p.state = "reversed";
    p.reversal_reason = (char *)t->reason;
    r = store_payment_update(s, &p, t->who->now);
    if (r == STORE_OK)
        r = audit(s, "staff", t->who->staff_id, p.account_id, "payment_reversed", "payment",
                  arena_printf(t->a, "%lld", (long long)p.id), t->reason, t->who->ip, t->who->now);
    return r;
}

status_t payment_reverse(services_t *svc, arena_t *a, const pay_staff_t *who, int64_t payment_id,
                         const char *reason, reverse_out_t *out)
{
    memset(out, 0, sizeof *out);
    if (!pay_staff_may_record(who) || payment_id <= 0) return STATUS_NOT_FOUND;
    out->reason = text_error(reason, true, OFFLINE_REASON_MAX);
    reverse_tx_t t = {
        .a = a, .who = who, .id = payment_id, .reason = trimmed(a, reason), .out = out};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, reverse_body, &t);
    return outcome(r, t.refused);
}

/* ---- refunding ------------------------------------------------------------------------------ */

const char *refund_idempotency_key(arena_t *a, int64_t id)
{
    return arena_printf(a, "cobro-refund-%lld", (long long)id);
}

static store_status_t queue_refund_email(store_t *s, arena_t *a, const payment_t *p,
                                         const refund_t *rf, int64_t now)
{
    invoice_doc_t party;
    store_status_t r = store_invoice_party(s, a, p->account_id, &party);
    if (r != STORE_OK || !*party.contact_email) return r == STORE_NOT_FOUND ? STORE_OK : r;
    lang_t lang = lang_of(party.lang);
    char amount[64], balance[64];
    format_money(lang, party.country, p->currency, rf->amount, amount, sizeof amount);
    const char *body = mail_text(a,
                                 tr(lang, "Hello %s,\n\n"
                                          "We have refunded %s of your card payment to the card "
                                          "it was made with.\n"
                                          "Reason: %s\n"),
                                 party.contact_name, amount, rf->reason);
    if (p->invoice_id) {
        invoice_money_t m;
        r = store_invoice_money_by_id(s, a, p->invoice_id, now, &m);
        if (r != STORE_OK) return r;
        format_money(lang, party.country, p->currency, m.total - m.amount_paid, balance,
                     sizeof balance);
        body = arena_printf(
            a, "%s%s", body,
            mail_text(a, tr(lang, "Invoice %s: balance now due %s\n"), m.number, balance));
    }
    body = arena_printf(
        a, "%s\n%s", body,
        tr(lang, "Depending on your bank, the money reaches your card within 5 to 10 days.\n"));
    email_t e = {.kind = "payment_refund",
                 .account_id = p->account_id,
                 .sender_ref = arena_printf(a, "refund:%lld", (long long)rf->id),
                 .to_addr = party.contact_email,
                 .to_name = party.contact_name,
                 .subject = *p->invoice_number
                                ? mail_text(a, tr(lang, "Refund of your payment for invoice %s"),
                                            p->invoice_number)
                                : tr(lang, "Refund of your payment"),
                 .body_text = body};
    int64_t id = 0;
    return store_outbox_add(s, &e, now, &id);
}

/* The gateway has paid the refund back: the ledger gives it back, first from the invoice the
 * payment paid (which owes it again), then from other invoices it paid, then from its credit. */
static store_status_t refund_succeeded(store_t *s, arena_t *a, refund_t *rf, const char *ref,
                                       int64_t now)
{
    if (strcmp(rf->state, "succeeded") == 0) return STORE_OK;
    payment_t p;
    store_status_t r = store_payment_lock(s, rf->payment_id);
    if (r == STORE_OK) r = store_payment_by_id(s, a, rf->payment_id, &p);
    allocation_net_t *nets = NULL;
    size_t n = 0;
    if (r == STORE_OK) r = store_payment_nets(s, a, p.id, &nets, &n);
    if (r != STORE_OK) return r;
    int64_t left = rf->amount;
    for (int pass = 0; pass < 3 && r == STORE_OK && left > 0; pass++) {
        for (size_t i = 0; r == STORE_OK && left > 0 && i < n; i++) {
            int64_t inv = nets[i].invoice_id;
            bool mine = pass == 0   ? inv && inv == p.invoice_id
                        : pass == 1 ? inv && inv != p.invoice_id
                                    : inv == 0;
            if (!mine || nets[i].net <= 0) continue;
            int64_t take = nets[i].net < left ? nets[i].net : left;
            r = inv ? take_from_invoice(s, a, &p, rf->id, inv, "refund", take, now)
                    : take_from_credit(s, &p, rf->id, "refund", take, now);
            nets[i].net -= take;
            left -= take;
        }
    }
    if (r != STORE_OK) return r;
    if (left > 0) /* cannot happen while refunds never pass the amount: staff must look */
        log_error("refund %lld: %lld of it found no ledger row to come from", (long long)rf->id,
                  (long long)left);
    rf->state = "succeeded";
    rf->settled_at = now;
    rf->next_check_at = 0;
    if (ref && *ref) rf->refund_ref = arena_strdup(a, ref);
    r = store_refund_update(s, rf);
    if (r == STORE_OK) r = queue_refund_email(s, a, &p, rf, now);
    if (r == STORE_OK)
        r = audit(s, "system", 0, p.account_id, "refund_succeeded", "payment",
                  arena_printf(a, "%lld", (long long)p.id),
                  arena_printf(a, "%lld: %s", (long long)rf->id,
                               amount_text(a, rf->amount, rf->currency)),
                  "", now);
    return r;
}

static store_status_t refund_failed(store_t *s, arena_t *a, refund_t *rf, int64_t now)
{
    if (strcmp(rf->state, "succeeded") == 0 || strcmp(rf->state, "failed") == 0) return STORE_OK;
    rf->state = "failed";
    rf->next_check_at = 0;
    store_status_t r = store_refund_update(s, rf);
    if (r == STORE_OK)
        r = audit(s, "system", 0, rf->account_id, "refund_failed", "payment",
                  arena_printf(a, "%lld", (long long)rf->payment_id),
                  arena_printf(a, "%lld", (long long)rf->id), "", now);
    return r;
}

store_status_t refund_event(store_t *s, arena_t *a, const gw_event_t *ev, int64_t now)
{
    refund_t rf;
    store_status_t r = store_refund_by_id(s, a, ev->refund_id, &rf);
    if (r == STORE_NOT_FOUND) {
        log_info("gateway event %s names no refund of ours (%lld)", ev->id,
                 (long long)ev->refund_id);
        return STORE_OK;
    }
    if (r != STORE_OK) return r;
    switch (ev->refund.state) {
    case GW_REFUND_SUCCEEDED:
        return refund_succeeded(s, a, &rf, ev->refund.refund_ref, now);
    case GW_REFUND_FAILED:
        if (strcmp(rf.state, "succeeded") == 0) {
            /* The money came back to us after all (Stripe's rare failed refund): staff must
             * look; the ledger is left as it is. */
            log_error("refund %lld: the gateway reports it failed after it succeeded",
                      (long long)rf.id);
            return STORE_OK;
        }
        return refund_failed(s, a, &rf, now);
    case GW_REFUND_PENDING:
        if (*rf.refund_ref || !*ev->refund.refund_ref) return STORE_OK;
        rf.refund_ref = arena_strdup(a, ev->refund.refund_ref);
        return store_refund_update(s, &rf);
    }
    return STORE_OK;
}

typedef struct {
    arena_t *a;
    const pay_staff_t *who;
    int64_t id;
    const char *amount_text, *reason;
    char decimal_mark;
    refund_out_t *out;
    refused_t refused;
    payment_t payment;
    refund_t refund;
} refund_tx_t;

static store_status_t refund_start_body(store_t *s, void *arg)
{
    refund_tx_t *t = arg;
    refund_out_t *out = t->out;
    t->refused = REFUSED_NONE;
    out->error = REFUND_OK;
    out->amount = OFFLINE_OK;
    /* The payment's row is the turn refunders take: what was refunded is read after it. */
    store_status_t r = store_payment_lock(s, t->id);
    payment_t *p = &t->payment;
    if (r == STORE_OK) r = store_payment_by_id(s, t->a, t->id, p);
    if (r == STORE_NOT_FOUND) return refuse(&t->refused, REFUSED_NOT_FOUND);
    if (r != STORE_OK) return r;
    int64_t held = 0;
    r = store_refunds_held(s, p->id, &held);
    if (r != STORE_OK) return r;
    out->refundable = p->amount - held;
    if (!is_card(p))
        out->error = REFUND_NOT_CARD;
    else if (strcmp(p->state, "succeeded") != 0 || !*p->payment_ref)
        out->error = REFUND_NOT_SETTLED;
    int64_t amount = 0;
    out->amount = parse_amount(t->amount_text, p->currency, t->decimal_mark, &amount);
    if (out->error == REFUND_OK && out->amount == OFFLINE_OK && amount > out->refundable)
        out->error = REFUND_TOO_MUCH;
    if (out->error != REFUND_OK || out->amount != OFFLINE_OK || out->reason != OFFLINE_OK)
        return refuse(&t->refused, REFUSED_INVALID);
    refund_t *rf = &t->refund;
    memset(rf, 0, sizeof *rf);
    rf->payment_id = p->id;
    rf->account_id = p->account_id;
    rf->amount = amount;
    rf->currency = p->currency;
    rf->state = "pending";
    rf->reason = (char *)t->reason;
    rf->refund_ref = "";
    rf->created_by = t->who->staff_id;
    r = store_refund_insert(s, rf, t->who->now, &rf->id);
    if (r == STORE_OK)
        r = audit(s, "staff", t->who->staff_id, p->account_id, "refund_started", "payment",
                  arena_printf(t->a, "%lld", (long long)p->id),
                  arena_printf(t->a, "%lld: %s, %s", (long long)rf->id,
                               amount_text(t->a, amount, p->currency), t->reason),
                  t->who->ip, t->who->now);
    return r;
}

typedef struct {
    arena_t *a;
    int64_t refund_id, now;
    gw_result_t result;
    const gw_refund_t *answer;
    const char *state; /* after */
} refund_done_tx_t;

static store_status_t refund_done_body(store_t *s, void *arg)
{
    refund_done_tx_t *t = arg;
    refund_t rf;
    store_status_t r = store_refund_by_id(s, t->a, t->refund_id, &rf);
    if (r != STORE_OK) return r;
    if (t->result == GW_OK && t->answer->state == GW_REFUND_SUCCEEDED)
        r = refund_succeeded(s, t->a, &rf, t->answer->refund_ref, t->now);
    else if ((t->result == GW_OK && t->answer->state == GW_REFUND_FAILED) ||
             t->result == GW_ERROR || t->result == GW_DECLINED)
        r = refund_failed(s, t->a, &rf, t->now);
    else if (t->result == GW_OK) {
        /* Pending at the gateway: its event settles it (unless it already did meanwhile). */
        bool was_unknown = strcmp(rf.state, "unknown") == 0;
        if (was_unknown) {
            rf.state = "pending";
            rf.next_check_at = 0;
        }
        if ((strcmp(rf.state, "pending") == 0 && *t->answer->refund_ref && !*rf.refund_ref) ||
            was_unknown) {
            if (*t->answer->refund_ref) rf.refund_ref = arena_strdup(t->a, t->answer->refund_ref);
            r = store_refund_update(s, &rf);
        }
    } else if (strcmp(rf.state, "unknown") == 0) {
        /* Still no answer: asked again every hour for a week, then left to staff. */
        rf.next_check_at = t->now - rf.created_at < 7 * 86400 ? t->now + 3600 : 0;
        r = store_refund_update(s, &rf);
    } else if (strcmp(rf.state, "pending") == 0) {
        /* No answer we can trust: it may have been paid back. Asked again later with the same
         * idempotency key, never sent as a new refund. */
        rf.state = "unknown";
        rf.next_check_at = payment_next_check(1, t->now);
        r = store_refund_update(s, &rf);
        if (r == STORE_OK)
            r = audit(s, "system", 0, rf.account_id, "refund_unknown", "payment",
                      arena_printf(t->a, "%lld", (long long)rf.payment_id),
                      arena_printf(t->a, "%lld", (long long)rf.id), "", t->now);
    }
    t->state = rf.state;
    return r;
}

status_t refund_card_payment(services_t *svc, arena_t *a, const pay_staff_t *who,
                             int64_t payment_id, const char *amount_text, char decimal_mark,
                             const char *reason, refund_out_t *out)
{
    memset(out, 0, sizeof *out);
    gateway_t *gw = payments_gateway();
    if (!pay_staff_may_refund(who) || payment_id <= 0 || !gw) return STATUS_NOT_FOUND;
    out->reason = text_error(reason, true, OFFLINE_REASON_MAX);
    refund_tx_t t = {.a = a,
                     .who = who,
                     .id = payment_id,
                     .amount_text = amount_text,
                     .reason = trimmed(a, reason),
                     .decimal_mark = decimal_mark,
                     .out = out};
    store_status_t r = store_run_tx(svc->store, STORE_TX_WRITE, refund_start_body, &t);
    status_t st = outcome(r, t.refused);
    if (st != STATUS_OK) return st;
    out->refund_id = t.refund.id;

    /* The gateway is asked outside any transaction (it may block). */
    gw_refund_req_t req = {.refund_id = t.refund.id,
                           .idempotency_key = refund_idempotency_key(a, t.refund.id),
                           .payment_ref = t.payment.payment_ref,
                           .amount = t.refund.amount,
                           .currency = t.payment.currency};
    gw_refund_t answer;
    memset(&answer, 0, sizeof answer);
    char err[GW_ERR_MAX] = "";
    gw_result_t g = gw->ops->refund(gw, svc->store, &req, &answer, err);
    if (g != GW_OK)
        log_info("refund %lld of payment %lld: the gateway answered %d: %s", (long long)t.refund.id,
                 (long long)payment_id, g, err);
    refund_done_tx_t d = {
        .a = a, .refund_id = t.refund.id, .now = who->now, .result = g, .answer = &answer};
    r = store_run_tx(svc->store, STORE_TX_WRITE, refund_done_body, &d);
    st = outcome(r, REFUSED_NONE);
    if (st != STATUS_OK) return st;
    out->state = d.state;
    return STATUS_OK;
}

status_t account_refunds_and_credit(services_t *svc, arena_t *a, int64_t account_id,
                                    refund_t **refunds, size_t *n_refunds,
                                    allocation_row_t **credit, size_t *n_credit)
{
    store_status_t r =
        store_refunds_of_account(svc->store, a, account_id, PAYMENTS_LISTED, refunds, n_refunds);
    if (r == STORE_OK)
        r = store_credit_moves(svc->store, a, account_id, PAYMENTS_LISTED, credit, n_credit);
    return outcome(r, REFUSED_NONE);
}

/* ---- refunds whose outcome is unknown -------------------------------------------------------- */

typedef struct {
    arena_t *a;
    int64_t now, id;
    int64_t *ids;
    size_t n;
    refund_t refund;
    payment_t payment;
} refund_check_tx_t;

static store_status_t refunds_due_body(store_t *s, void *arg)
{
    refund_check_tx_t *t = arg;
    return store_refunds_to_check(s, t->a, t->now, 50, &t->ids, &t->n);
}

static store_status_t refund_read_body(store_t *s, void *arg)
{
    refund_check_tx_t *t = arg;
    store_status_t r = store_refund_by_id(s, t->a, t->id, &t->refund);
    if (r == STORE_OK) r = store_payment_by_id(s, t->a, t->refund.payment_id, &t->payment);
    return r;
}

int64_t refunds_reconcile(services_t *svc, int64_t now)
{
    gateway_t *gw = payments_gateway();
    if (!gw) return 0;
    arena_t *a = arena_new();
    refund_check_tx_t t = {.a = a, .now = now};
    int64_t settled = -1;
    if (store_run_tx(svc->store, STORE_TX_READ, refunds_due_body, &t) == STORE_OK) {
        settled = 0;
        int64_t *ids = t.ids;
        size_t n = t.n;
        for (size_t i = 0; i < n; i++) {
            t.id = ids[i];
            if (store_run_tx(svc->store, STORE_TX_READ, refund_read_body, &t) != STORE_OK) continue;
            /* The same request, with the same idempotency key: the gateway answers with the
             * refund it made, or makes it now; never a second one. */
            gw_refund_req_t req = {.refund_id = t.refund.id,
                                   .idempotency_key = refund_idempotency_key(a, t.refund.id),
                                   .payment_ref = t.payment.payment_ref,
                                   .amount = t.refund.amount,
                                   .currency = t.payment.currency};
            gw_refund_t answer;
            memset(&answer, 0, sizeof answer);
            char err[GW_ERR_MAX] = "";
            gw_result_t g = gw->ops->refund(gw, svc->store, &req, &answer, err);
            refund_done_tx_t d = {
                .a = a, .refund_id = t.refund.id, .now = now, .result = g, .answer = &answer};
            if (store_run_tx(svc->store, STORE_TX_WRITE, refund_done_body, &d) == STORE_OK &&
                strcmp(d.state, "unknown") != 0)
                settled++;
        }
    }
    arena_free(a);
    return settled;
}

/* ---- payments by state ------------------------------------------------------------------- */

status_t payments_unknown_view(services_t *svc, arena_t *a, const pay_staff_t *who,
                               payment_line_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!pay_staff_may_record(who)) return STATUS_NOT_FOUND;
    return outcome(
        store_payments_in_state(svc->store, a, "unknown", PAYMENTS_UNKNOWN_SHOWN, out, n),
        REFUSED_NONE);
}
