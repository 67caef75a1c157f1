/* Staff console: one payment at /staff/payments/ID: its details, where its money went (each ledger
 * row: invoices, credit, reversals, refunds), its refunds, and the actions it allows: "Reverse"
 * for an offline payment (POST ID/reverse) and "Refund" for a card payment, admins only (POST
 * ID/refund, through the gateway). */
#include "billing/money.h"
#include "pages.h"
#include "services/payments_offline.h"

#include <string.h>
#include <time.h>

static const char *when(req_t *r, int64_t at)
{
    char *out = arena_alloc(r->arena, 32);
    time_t t = (time_t)at;
    struct tm tm;
    out[0] = '\0';
    if (at > 0 && gmtime_r(&t, &tm)) strftime(out, 32, "%Y-%m-%d %H:%M", &tm);
    return out;
}

static const char *kind_label(req_t *r, const char *kind)
{
    if (strcmp(kind, "payment") == 0) return T("Applied to invoice");
    if (strcmp(kind, "credit") == 0) return T("Kept as credit");
    if (strcmp(kind, "credit_applied") == 0) return T("Credit used");
    if (strcmp(kind, "reversal") == 0) return T("Reversed");
    if (strcmp(kind, "refund") == 0) return T("Refunded");
    return kind;
}

static const char *refund_state_label(req_t *r, const char *state)
{
    if (strcmp(state, "pending") == 0) return T("Pending");
    if (strcmp(state, "succeeded") == 0) return T("Succeeded");
    if (strcmp(state, "failed") == 0) return T("Failed");
    if (strcmp(state, "unknown") == 0) return T("Unknown");
    return state;
}

/* What the forms show again after a refusal. */
typedef struct {
    const char *reverse_reason;
    const reverse_out_t *reverse;
    const char *refund_amount, *refund_reason;
    const refund_out_t *refund;
} typed_t;

static void fact(req_t *r, const char *label, const char *value)
{
    if (value && *value) html_render(&r->resp.body, "<dt>%s</dt><dd>%s</dd>", label, value);
}

static void facts(req_t *r, const payment_staff_view_t *v)
{
    buf_t *b = &r->resp.body;
    const payment_t *p = &v->payment;
    const char *country = v->account.country;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"details\"><h2 id=\"details\">%s</h2>"
                "<dl class=\"facts\">",
                T("Details"));
    html_render(b, "<dt>%s</dt><dd><a href=\"/staff/accounts/%L\">%s</a></dd>", T("Account"),
                p->account_id, v->account.name);
    fact(r, T("Method"), staff_payment_method_label(r, p->method));
    html_render(b, "<dt>%s</dt><dd data-state=\"%s\">%s</dd>", T("State"), p->state,
                staff_payment_state_label(r, p->state));
    fact(r, T("Amount"), staff_quote_money(r, country, p->currency, p->amount));
    if (*p->invoice_number)
        html_render(b, "<dt>%s</dt><dd><a href=\"/staff/invoices/%s\">%s</a></dd>", T("Invoice"),
                    p->invoice_number, p->invoice_number);
    fact(r, T("Date received"), staff_quote_day(r, country, p->received_date));
    fact(r, T("Reference"), p->reference);
    fact(r, T("Payer"), p->payer);
    fact(r, T("Recorded by"), v->recorded_by);
    fact(r, T("Created"), arena_printf(r->arena, T("%s UTC"), when(r, p->created_at)));
    if (p->settled_at)
        fact(r, T("Settled"), arena_printf(r->arena, T("%s UTC"), when(r, p->settled_at)));
    if (*p->card_last4)
        fact(r, T("Card"),
             arena_printf(r->arena, T("%s ending in %s"), *p->card_brand ? p->card_brand : "card",
                          p->card_last4));
    fact(r, T("Payment service"), p->gateway);
    fact(r, T("Payment service reference"), p->payment_ref);
    fact(r, T("Checkout session"), p->session_ref);
    fact(r, T("Decline code"), p->decline_code);
    fact(r, T("Reason for the reversal"), p->reversal_reason);
    html_render(b, "</dl></section>");
}

static void ledger(req_t *r, const payment_staff_view_t *v)
{
    buf_t *b = &r->resp.body;
    const char *country = v->account.country;
    html_render(b, "<section class=\"card\" aria-labelledby=\"went\"><h2 id=\"went\">%s</h2>",
                T("Where the money went"));
    if (v->n_allocations == 0) {
        html_render(b, "<p>%s</p></section>", T("Nothing has been applied from this payment."));
        return;
    }
    const char *date = T("Date (UTC)"), *what = T("Entry"), *where = T("Applied to"),
               *amount = T("Amount");
    html_render(
        b,
        "<div class=\"table-wrap\"><table class=\"stack ledger\"><caption class=\"sr-only\">"
        "%s</caption><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
        "<th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s</th></tr></thead>"
        "<tbody>",
        T("The payment's ledger entries, oldest first"), date, what, where, amount);
    for (size_t i = 0; i < v->n_allocations; i++) {
        const allocation_row_t *l = &v->allocations[i];
        html_render(b,
                    "<tr><td class=\"nowrap\" data-label=\"%s\">%s</td><td data-label=\"%s\">%s"
                    "</td><td data-label=\"%s\">",
                    date, when(r, l->created_at), what, kind_label(r, l->kind), where);
        if (l->invoice_id)
            html_render(b, "<a href=\"/staff/invoices/%s\">%s</a>", l->invoice_number,
                        l->invoice_number);
        else
            html_render(b, "%s", T("Account credit"));
        html_render(b, "</td><td class=\"num\" data-label=\"%s\">%s</td></tr>", amount,
                    staff_quote_money(r, country, l->currency, l->amount));
    }
    html_render(b, "</tbody></table></div></section>");
}

void staff_refunds_table(req_t *r, const char *country, const refund_t *rows, size_t n)
{
    if (n == 0) return;
    buf_t *b = &r->resp.body;
    const char *date = T("Date (UTC)"), *amount = T("Amount"), *state = T("State"),
               *reason = T("Reason"), *by = T("By"), *ref = T("Payment service reference");
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"refunds\"><h2 id=\"refunds\">%s</h2>"
                "<div class=\"table-wrap\"><table class=\"stack refunds\"><thead><tr>"
                "<th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th></tr></thead><tbody>",
                T("Refunds"), date, amount, state, reason, by, ref);
    for (size_t i = 0; i < n; i++) {
        const refund_t *f = &rows[i];
        html_render(b,
                    "<tr><td class=\"nowrap\" data-label=\"%s\">%s</td><td class=\"num\" "
                    "data-label=\"%s\">%s</td><td data-label=\"%s\" data-state=\"%s\">%s</td>"
                    "<td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td>"
                    "<td data-label=\"%s\">%s</td></tr>",
                    date, when(r, f->created_at), amount,
                    staff_quote_money(r, country, f->currency, f->amount), state, f->state,
                    refund_state_label(r, f->state), reason, f->reason, by, f->created_by_name, ref,
                    f->refund_ref);
    }
    html_render(b, "</tbody></table></div></section>");
}

void staff_credit_table(req_t *r, const account_t *acc, const allocation_row_t *rows, size_t n)
{
    if (n == 0) return;
    buf_t *b = &r->resp.body;
    const char *date = T("Date (UTC)"), *what = T("What"), *amount = T("Amount");
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"credit\"><h2 id=\"credit\">%s</h2>"
                "<div class=\"table-wrap\"><table class=\"stack credit\"><thead><tr>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\" class=\"num\">%s</th></tr></thead><tbody>",
                T("Account credit"), date, what, amount);
    for (size_t i = 0; i < n; i++) {
        const allocation_row_t *l = &rows[i];
        const char *text =
            strcmp(l->kind, "credit") == 0
                ? arena_printf(r->arena, T("Kept from payment %lld"), (long long)l->payment_id)
            : strcmp(l->kind, "credit_applied") == 0
                ? arena_printf(r->arena, T("Used on invoice %s"), l->invoice_number)
                : T("Taken back (reversal or refund)");
        html_render(b,
                    "<tr><td class=\"nowrap\" data-label=\"%s\">%s</td><td data-label=\"%s\">"
                    "%s</td><td class=\"num\" data-label=\"%s\">%s</td></tr>",
                    date, when(r, l->created_at), what, text, amount,
                    staff_quote_money(r, acc->country, l->currency, l->amount));
    }
    html_render(b, "</tbody></table></div></section>");
}

/* A one-line text input with its label and error. */
static void input(req_t *r, const char *id, const char *label, const char *value, const char *error,
                  const char *attrs)
{
    buf_t *b = &r->resp.body;
    html_render(b, "<div class=\"field\"><label for=\"%s\">%s</label>", id, label);
    if (error) html_render(b, "<p class=\"field-error\" id=\"%s-error\">%s</p>", id, error);
    html_render(
        b, "<input id=\"%s\" name=\"%s\" type=\"text\" value=\"%s\" %R%R></div>", id, id,
        value ? value : "", attrs,
        error ? arena_printf(r->arena, " aria-invalid=\"true\" aria-describedby=\"%s-error\"", id)
              : "");
}

static const char *reverse_error(req_t *r, const payment_staff_view_t *v, const reverse_out_t *e)
{
    if (!e) return NULL;
    switch (e->error) {
    case REVERSE_NOT_OFFLINE:
        return T("Card payments are refunded, not reversed.");
    case REVERSE_NOT_SETTLED:
        return T("Only a payment that has succeeded can be reversed.");
    case REVERSE_CREDIT_USED:
        return arena_printf(
            r->arena,
            T("This payment cannot be reversed: %s of the credit it left has "
              "already been used on other invoices."),
            staff_quote_money(r, v->account.country, v->payment.currency, e->credit_used));
    default:
        return NULL;
    }
}

static void reverse_form(req_t *r, const payment_staff_view_t *v, const typed_t *t)
{
    if (!v->may_reverse) return;
    buf_t *b = &r->resp.body;
    html_render(b, "<section class=\"card\" aria-labelledby=\"reverse\"><h2 id=\"reverse\">%s</h2>",
                T("Reverse this payment"));
    const char *whole = reverse_error(r, v, t ? t->reverse : NULL);
    if (whole) notice_error(r, whole);
    html_render(b, "<p class=\"help\">%s</p>",
                T("For a check that bounced or a payment recorded by mistake: what it paid on "
                  "invoices is owed again and the credit it left is taken back."));
    form_open(r, arena_printf(r->arena, "/staff/payments/%lld/reverse", (long long)v->payment.id),
              "novalidate");
    input(r, "reverse_reason", T("Reason"), t ? t->reverse_reason : "",
          offline_error_text(r, t && t->reverse ? t->reverse->reason : OFFLINE_OK),
          "required maxlength=\"500\" autocomplete=\"off\"");
    html_render(b, "<button type=\"submit\" class=\"secondary\">%s</button></form></section>",
                T("Reverse payment"));
}

static void refund_form(req_t *r, const payment_staff_view_t *v, const typed_t *t)
{
    if (!v->may_refund) return;
    buf_t *b = &r->resp.body;
    const char *country = v->account.country;
    const payment_t *p = &v->payment;
    html_render(b, "<section class=\"card\" aria-labelledby=\"refund\"><h2 id=\"refund\">%s</h2>",
                T("Refund"));
    const refund_out_t *e = t ? t->refund : NULL;
    if (e && e->error == REFUND_NOT_CARD)
        notice_error(r, T("Offline payments are reversed, not refunded."));
    if (e && e->error == REFUND_NOT_SETTLED)
        notice_error(r, T("Only a payment that has succeeded can be refunded."));
    html_render(b, "<p class=\"help\">%s</p>",
                arena_printf(r->arena,
                             T("The money goes back to the card through the payment service, and "
                               "the invoice owes it again. At most %s can still be refunded."),
                             staff_quote_money(r, country, p->currency, v->refundable)));
    form_open(r, arena_printf(r->arena, "/staff/payments/%lld/refund", (long long)p->id),
              "novalidate");
    const char *amount_error = offline_error_text(r, e ? e->amount : OFFLINE_OK);
    if (!amount_error && e && e->error == REFUND_TOO_MUCH)
        amount_error = arena_printf(r->arena, T("At most %s can still be refunded."),
                                    staff_quote_money(r, country, p->currency, e->refundable));
    char left[MONEY_TEXT_MAX];
    money_decimal(v->refundable, currency_exponent(p->currency), left);
    if (r->lang != LANG_EN)
        for (char *c = left; *c; c++)
            if (*c == '.') *c = ',';
    input(r, "refund_amount", arena_printf(r->arena, T("Amount to refund (%s)"), p->currency),
          t ? t->refund_amount : left, amount_error,
          "required inputmode=\"decimal\" autocomplete=\"off\"");
    input(r, "refund_reason", T("Reason"), t ? t->refund_reason : "",
          offline_error_text(r, e ? e->reason : OFFLINE_OK),
          "required maxlength=\"500\" autocomplete=\"off\"");
    html_render(b, "<button type=\"submit\" class=\"secondary\">%s</button></form></section>",
                T("Refund"));
}

static void outcome_notice(req_t *r)
{
    if (req_param(r, "recorded")) notice_info(r, T("The payment has been recorded."));
    if (req_param(r, "reversed")) notice_info(r, T("The payment has been reversed."));
    const char *state = req_param(r, "refund");
    if (!state) return;
    if (strcmp(state, "succeeded") == 0)
        notice_info(r, T("The refund has been made. The billing contact gets an email."));
    else if (strcmp(state, "pending") == 0)
        notice_info(r, T("The refund has been sent to the payment service. It completes when the "
                         "service confirms it."));
    else if (strcmp(state, "failed") == 0)
        notice_error(r, T("The payment service refused the refund. Nothing was refunded."));
    else if (strcmp(state, "unknown") == 0)
        notice_warning(r, T("The payment service did not answer. The refund is marked unknown "
                            "until the service confirms it: do not refund again."));
}

static void render(req_t *r, const payment_staff_view_t *v, const typed_t *t)
{
    buf_t *b = &r->resp.body;
    const char *title = arena_printf(r->arena, T("Payment %s"),
                                     arena_printf(r->arena, "%lld", (long long)v->payment.id));
    layout_begin(r, SECTION_STAFF, title);
    html_render(b, "<h1>%s</h1>", title);
    if (t) {
        notice_error(r, T("Nothing was changed. Check the fields marked below."));
        /* Refused for the payment itself, whose form is then not shown: said here. */
        const char *why = v->may_reverse ? NULL : reverse_error(r, v, t->reverse);
        if (!why && !v->may_refund && t->refund && t->refund->error == REFUND_NOT_CARD)
            why = T("Offline payments are reversed, not refunded.");
        if (!why && !v->may_refund && t->refund && t->refund->error == REFUND_TOO_MUCH)
            why = arena_printf(r->arena, T("At most %s can still be refunded."),
                               staff_quote_money(r, v->account.country, v->payment.currency,
                                                 t->refund->refundable));
        if (!why && !v->may_refund && t->refund && t->refund->error == REFUND_NOT_SETTLED)
            why = T("Only a payment that has succeeded can be refunded.");
        if (why) notice_error(r, why);
    } else {
        outcome_notice(r);
    }
    facts(r, v);
    ledger(r, v);
    staff_refunds_table(r, v->account.country, v->refunds, v->n_refunds);
    reverse_form(r, v, t);
    refund_form(r, v, t);
    html_render(b, "<p><a href=\"/staff/accounts/%L\">%s</a></p>", v->payment.account_id,
                T("Back to the account"));
    layout_end(r);
}

void page_staff_payment(req_t *r)
{
    pay_staff_t who = staff_pay_ctx(r);
    payment_staff_view_t v;
    if (answer_status(r, payment_staff_view(r->svc, r->arena, &who, settings_path_id(r), &v)))
        return;
    render(r, &v, NULL);
}

/* After a refused action: the page again with what was typed, answered 400. */
static void refused(req_t *r, const pay_staff_t *who, int64_t id, const typed_t *t)
{
    payment_staff_view_t v;
    if (answer_status(r, payment_staff_view(r->svc, r->arena, who, id, &v))) return;
    r->resp.status = 400;
    render(r, &v, t);
}

void page_staff_payment_reverse(req_t *r)
{
    pay_staff_t who = staff_pay_ctx(r);
    int64_t id = settings_path_id(r);
    const char *reason = req_field(r, "reverse_reason");
    reverse_out_t out;
    status_t st = payment_reverse(r->svc, r->arena, &who, id, reason, &out);
    if (st == STATUS_OK) {
        resp_redirect(r, arena_printf(r->arena, "/staff/payments/%lld?reversed=1", (long long)id));
        return;
    }
    if (st != STATUS_INVALID) {
        answer_status(r, st);
        return;
    }
    typed_t t = {.reverse_reason = reason, .reverse = &out};
    refused(r, &who, id, &t);
}

void page_staff_payment_refund(req_t *r)
{
    pay_staff_t who = staff_pay_ctx(r);
    int64_t id = settings_path_id(r);
    const char *amount = req_field(r, "refund_amount"), *reason = req_field(r, "refund_reason");
    refund_out_t out;
    status_t st = refund_card_payment(r->svc, r->arena, &who, id, amount, staff_decimal_mark(r),
                                      reason, &out);
    if (st == STATUS_OK) {
        resp_redirect(r, arena_printf(r->arena, "/staff/payments/%lld?refund=%s", (long long)id,
                                      out.state ? out.state : "pending"));
        return;
    }
    if (st != STATUS_INVALID) {
        answer_status(r, st);
        return;
    }
    typed_t t = {.refund_amount = amount, .refund_reason = reason, .refund = &out};
    refused(r, &who, id, &t);
}
