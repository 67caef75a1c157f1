/* Staff console: GET/POST /staff/accounts/ID/payments/new, Corporate Account Services and admins
 * record a wire, check or ACH payment received and apply it to the account's open invoices; what
 * is not applied is kept as credit. Also what the staff payment pages share: who acts, the
 * words for methods, states and refused fields, and the account page's "Record a payment". */
#include "http/session.h"
#include "pages.h"
#include "services/payments_offline.h"
#include "services/session_views.h"

#include <stdlib.h>
#include <string.h>

pay_staff_t staff_pay_ctx(req_t *r)
{
    const principal_view_t *p = session_principal(r, NULL);
    return (pay_staff_t){.staff_id = r->principal_id,
                         .role = p && p->role ? p->role : "",
                         .ip = r->ip,
                         .now = r->now};
}

char staff_decimal_mark(const req_t *r)
{
    return r->lang == LANG_EN ? '.' : ',';
}

const char *staff_payment_method_label(req_t *r, const char *method)
{
    if (strcmp(method, "wire") == 0) return T("Wire transfer");
    if (strcmp(method, "check") == 0) return T("Check");
    if (strcmp(method, "ach") == 0) return T("ACH / direct debit");
    if (strcmp(method, "card") == 0) return T("Card");
    return method;
}

const char *staff_payment_state_label(req_t *r, const char *state)
{
    if (strcmp(state, "pending") == 0) return T("Pending");
    if (strcmp(state, "processing") == 0) return T("Processing");
    if (strcmp(state, "succeeded") == 0) return T("Succeeded");
    if (strcmp(state, "failed") == 0) return T("Failed");
    if (strcmp(state, "expired") == 0) return T("Expired");
    if (strcmp(state, "unknown") == 0) return T("Unknown");
    if (strcmp(state, "reversed") == 0) return T("Reversed");
    return state;
}

const char *offline_error_text(req_t *r, offline_error_t e)
{
    switch (e) {
    case OFFLINE_OK:
        return NULL;
    case OFFLINE_REQUIRED:
        return T("This field is required.");
    case OFFLINE_TOO_LONG:
        return T("This is too long.");
    case OFFLINE_NOT_ONE_LINE:
        return T("Use one line of text, without tabs or control characters.");
    case OFFLINE_BAD_CHOICE:
        return T("Choose one of the options.");
    case OFFLINE_BAD_DATE:
        return T("Enter a real date as YYYY-MM-DD.");
    case OFFLINE_FUTURE_DATE:
        return T("The date received cannot be in the future.");
    case OFFLINE_BAD_AMOUNT:
        return T("Enter the amount as a number above zero, such as 1250.00.");
    case OFFLINE_BAD_CURRENCY:
        return T("Payments are recorded in the account's currency.");
    case OFFLINE_OVER_BALANCE:
        return T("This is more than the invoice's balance less payments in progress.");
    case OFFLINE_OVER_AMOUNT:
        return T("The amounts applied to invoices add up to more than the amount received.");
    case OFFLINE_UNKNOWN_INVOICE:
        return T("This is not an open invoice of this account.");
    }
    return NULL;
}

void staff_account_payments_link(req_t *r, int64_t account_id)
{
    pay_staff_t who = staff_pay_ctx(r);
    if (!pay_staff_may_record(&who)) return;
    html_render(&r->resp.body,
                "<section class=\"card\" aria-labelledby=\"record\"><h2 id=\"record\">%s</h2>"
                "<p><a class=\"button\" href=\"/staff/accounts/%L/payments/new\">%s</a></p>"
                "</section>",
                T("Payments received"), account_id, T("Record a payment"));
}

/* An input with its label, hint and error, all tied to it. */
static void field(req_t *r, const char *id, const char *label, const char *type, const char *value,
                  const char *hint, offline_error_t e, const char *attrs)
{
    buf_t *b = &r->resp.body;
    const char *error = offline_error_text(r, e);
    html_render(b, "<div class=\"field\"><label for=\"%s\">%s</label>", id, label);
    if (hint) html_render(b, "<p class=\"help\" id=\"%s-hint\">%s</p>", id, hint);
    if (error) html_render(b, "<p class=\"field-error\" id=\"%s-error\">%s</p>", id, error);
    html_render(b, "<input id=\"%s\" name=\"%s\" type=\"%s\" value=\"%s\" %R", id, id, type,
                value ? value : "", attrs ? attrs : "");
    if (hint || error)
        html_render(b, " aria-describedby=\"%R%R%R\"",
                    hint ? arena_printf(r->arena, "%s-hint", id) : "", hint && error ? " " : "",
                    error ? arena_printf(r->arena, "%s-error", id) : "");
    html_render(b, "%R></div>", error ? " aria-invalid=\"true\"" : "");
}

/* What the form shows again after a refusal: as typed. */
typedef struct {
    const offline_payment_in_t *in;
    const offline_payment_out_t *errors;
} typed_t;

/* The amount typed for invoice_id, and its error. */
static const char *typed_apply(const typed_t *t, int64_t invoice_id, offline_error_t *e)
{
    *e = OFFLINE_OK;
    if (!t) return "";
    for (size_t i = 0; i < t->in->n_applies; i++)
        if (strtoll(t->in->applies[i].invoice_id, NULL, 10) == invoice_id) {
            *e = t->errors->applies[i];
            return t->in->applies[i].amount;
        }
    return "";
}

static void method_choices(req_t *r, const char *chosen, offline_error_t e)
{
    buf_t *b = &r->resp.body;
    const char *error = offline_error_text(r, e);
    html_render(b, "<fieldset class=\"field\"><legend>%s</legend>", T("Method"));
    if (error) html_render(b, "<p class=\"field-error\" id=\"method-error\">%s</p>", error);
    static const char *const methods[] = {"wire", "check", "ach"};
    for (size_t i = 0; i < 3; i++)
        html_render(b,
                    "<div class=\"field check\"><label for=\"method-%s\"><input type=\"radio\" "
                    "id=\"method-%s\" name=\"method\" value=\"%s\"%R%R> %s</label></div>",
                    methods[i], methods[i], methods[i],
                    chosen && strcmp(chosen, methods[i]) == 0 ? " checked" : "",
                    error ? " aria-invalid=\"true\" aria-describedby=\"method-error\"" : "",
                    staff_payment_method_label(r, methods[i]));
    html_render(b, "</fieldset>");
}

static void invoices_table(req_t *r, const offline_form_view_t *v, const typed_t *t)
{
    buf_t *b = &r->resp.body;
    const char *country = v->account.country;
    html_render(b, "<section class=\"card\" aria-labelledby=\"apply\"><h2 id=\"apply\">%s</h2>",
                T("Apply to invoices"));
    html_render(b, "<p class=\"help\">%s</p>",
                T("Enter what this payment pays on each invoice. What is not applied to an "
                  "invoice is kept as credit on the account."));
    if (v->credit > 0)
        html_render(b, "<p>%s</p>",
                    arena_printf(r->arena, T("Credit on the account now: %s"),
                                 staff_quote_money(r, country, v->account.currency, v->credit)));
    if (v->n_invoices == 0) {
        html_render(b, "<p>%s</p></section>",
                    T("The account has no open invoice: the whole amount is kept as credit."));
        return;
    }
    const char *inv = T("Invoice"), *due = T("Due date"), *balance = T("Balance due"),
               *progress = T("Payments in progress"), *apply = T("Amount to apply");
    html_render(b,
                "<div class=\"table-wrap\"><table class=\"stack open-invoices\"><caption "
                "class=\"sr-only\">%s</caption><thead><tr><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s</th>"
                "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">%s</th></tr></thead>"
                "<tbody>",
                T("The account's open invoices, oldest due first"), inv, due, balance, progress,
                apply);
    for (size_t i = 0; i < v->n_invoices; i++) {
        const open_invoice_t *o = &v->invoices[i];
        offline_error_t e;
        const char *typed = typed_apply(t, o->invoice.id, &e);
        const char *error = offline_error_text(r, e);
        const char *id = arena_printf(r->arena, "apply_%lld", (long long)o->invoice.id);
        html_render(b,
                    "<tr><th scope=\"row\" data-label=\"%s\"><a href=\"/staff/invoices/%s\">%s</a>"
                    "</th><td class=\"nowrap\" data-label=\"%s\">%s</td><td class=\"num\" "
                    "data-label=\"%s\">%s</td><td class=\"num\" data-label=\"%s\">%s</td>"
                    "<td data-label=\"%s\"><label class=\"sr-only\" for=\"%s\">%s</label>",
                    inv, o->invoice.number, o->invoice.number, due,
                    staff_quote_day(r, country, o->invoice.due_date), balance,
                    staff_quote_money(r, country, o->invoice.currency, o->balance), progress,
                    staff_quote_money(r, country, o->invoice.currency, o->invoice.reserved), apply,
                    id,
                    arena_printf(r->arena, T("Amount to apply to invoice %s"), o->invoice.number));
        if (error) html_render(b, "<p class=\"field-error\" id=\"%s-error\">%s</p>", id, error);
        html_render(b,
                    "<input id=\"%s\" name=\"%s\" type=\"text\" inputmode=\"decimal\" "
                    "autocomplete=\"off\" size=\"12\" value=\"%s\"%R%R></td></tr>",
                    id, id, typed, error ? " aria-invalid=\"true\"" : "",
                    error ? arena_printf(r->arena, " aria-describedby=\"%s-error\"", id) : "");
    }
    html_render(b, "</tbody></table></div></section>");
}

/* An amount applied to an invoice the form does not list (another account's, or none). */
static bool stray_apply(const offline_form_view_t *v, const typed_t *t)
{
    if (!t) return false;
    for (size_t i = 0; i < t->in->n_applies; i++) {
        if (!t->errors->applies[i]) continue;
        int64_t id = strtoll(t->in->applies[i].invoice_id, NULL, 10);
        bool listed = false;
        for (size_t k = 0; k < v->n_invoices; k++)
            listed = listed || v->invoices[k].invoice.id == id;
        if (!listed) return true;
    }
    return false;
}

static void render(req_t *r, const offline_form_view_t *v, const typed_t *t)
{
    buf_t *b = &r->resp.body;
    const account_t *acc = &v->account;
    const char *title = arena_printf(r->arena, T("Record a payment for %s"), acc->name);
    layout_begin(r, SECTION_STAFF, title);
    html_render(b, "<h1>%s</h1>", title);
    const offline_payment_out_t *e = t ? t->errors : NULL;
    if (e) notice_error(r, T("Nothing was recorded. Check the fields marked below."));
    if (stray_apply(v, t))
        notice_error(r, T("An amount was applied to an invoice that is not an open invoice of "
                          "this account."));
    html_render(b, "<p class=\"help\">%s</p>",
                T("For a wire transfer, check or ACH payment the vendor has received. Card "
                  "payments are recorded by the payment service."));
    form_open(r, arena_printf(r->arena, "/staff/accounts/%lld/payments/new", (long long)acc->id),
              "novalidate");
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"received\"><h2 id=\"received\">%s"
                "</h2>",
                T("Payment received"));
    method_choices(r, t ? t->in->method : NULL, e ? e->method : OFFLINE_OK);
    field(r, "received_date", T("Date received"), "date", t ? t->in->received_date : v->today,
          T("As YYYY-MM-DD; not after today."), e ? e->received_date : OFFLINE_OK,
          arena_printf(r->arena, "required max=\"%s\"", v->today));
    field(r, "amount", T("Amount received"), "text", t ? t->in->amount : "", NULL,
          e ? e->amount : OFFLINE_OK, "required inputmode=\"decimal\" autocomplete=\"off\"");
    const char *cur_error = offline_error_text(r, e ? e->currency : OFFLINE_OK);
    html_render(b, "<div class=\"field\"><label for=\"currency\">%s</label>", T("Currency"));
    if (cur_error)
        html_render(b, "<p class=\"field-error\" id=\"currency-error\">%s</p>", cur_error);
    html_render(b,
                "<select id=\"currency\" name=\"currency\"%R><option value=\"%s\" selected>%s"
                "</option></select></div>",
                cur_error ? " aria-invalid=\"true\" aria-describedby=\"currency-error\"" : "",
                acc->currency, acc->currency);
    field(r, "reference", T("Reference"), "text", t ? t->in->reference : "",
          T("The wire reference or the check number."), e ? e->reference : OFFLINE_OK,
          "required maxlength=\"100\" autocomplete=\"off\"");
    field(r, "payer", T("Payer"), "text", t ? t->in->payer : "",
          T("Who sent the money, as the bank or the check shows it (optional)."),
          e ? e->payer : OFFLINE_OK, "maxlength=\"200\" autocomplete=\"off\"");
    html_render(b, "</section>");
    invoices_table(r, v, t);
    html_render(b,
                "<p><button type=\"submit\" class=\"primary\">%s</button> <a href=\"/staff/"
                "accounts/%L\">%s</a></p></form>",
                T("Record payment"), acc->id, T("Back to the account"));
    layout_end(r);
}

void page_staff_payment_new(req_t *r)
{
    int64_t account_id = settings_path_id(r);
    pay_staff_t who = staff_pay_ctx(r);
    offline_form_view_t v;
    if (r->method != METHOD_POST) {
        if (answer_status(r, offline_form_view(r->svc, r->arena, &who, account_id, &v))) return;
        render(r, &v, NULL);
        return;
    }
    /* Every "apply_<invoice id>" field, the listed invoices' and any other a form names. */
    offline_apply_in_t *applies =
        arena_alloc(r->arena, sizeof *applies * (r->form.n ? r->form.n : 1));
    size_t n = 0;
    for (size_t i = 0; i < r->form.n; i++)
        if (strncmp(r->form.items[i].name, "apply_", 6) == 0)
            applies[n++] = (offline_apply_in_t){.invoice_id = r->form.items[i].name + 6,
                                                .amount = r->form.items[i].value};
    offline_payment_in_t in = {.method = req_field(r, "method"),
                               .received_date = req_field(r, "received_date"),
                               .amount = req_field(r, "amount"),
                               .currency = req_field(r, "currency"),
                               .reference = req_field(r, "reference"),
                               .payer = req_field(r, "payer"),
                               .applies = applies,
                               .n_applies = n,
                               .decimal_mark = staff_decimal_mark(r)};
    offline_payment_out_t out;
    status_t st = payment_record_offline(r->svc, r->arena, &who, account_id, &in, &out);
    if (st == STATUS_OK) {
        resp_redirect(r, arena_printf(r->arena, "/staff/payments/%lld?recorded=1",
                                      (long long)out.payment_id));
        return;
    }
    if (st != STATUS_INVALID) {
        answer_status(r, st);
        return;
    }
    if (answer_status(r, offline_form_view(r->svc, r->arena, &who, account_id, &v))) return;
    r->resp.status = 400;
    typed_t t = {.in = &in, .errors = &out};
    render(r, &v, &t);
}
