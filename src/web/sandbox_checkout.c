/* The sandbox gateway's hosted pages (docs/payments.md): /sandbox/checkout/REF takes a test card,
 * /sandbox/checkout/REF/authenticate is the extra authentication step, and
 * /sandbox/checkout/REF/cancel leaves. Marked "test mode" everywhere: no real money moves. */
#include "i18n/format.h"
#include "pages.h"
#include "services/sandbox_checkout.h"

#include <string.h>

static void test_mode_banner(req_t *r)
{
    html_render(&r->resp.body, "<p class=\"notice warning test-mode\"><strong>%s</strong></p>",
                T("Test mode: no real money"));
}

static void summary(req_t *r, const sandbox_session_t *x)
{
    buf_t *b = &r->resp.body;
    html_render(b, "<dl class=\"facts\">");
    if (*x->description) html_render(b, "<dt>%s</dt><dd>%s</dd>", T("For"), x->description);
    if (x->amount > 0) {
        char amount[64];
        format_money(r->lang, "", x->currency, x->amount, amount, sizeof amount);
        html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Amount"), amount);
    }
    html_render(b, "</dl>");
}

static const char *card_error(req_t *r, field_error_t e)
{
    if (e == FIELD_BAD_CHOICE) return T("Check the number: only digits, in groups if you like.");
    return field_error_text(r, e);
}

static void card_field(req_t *r, const char *id, const char *label, const char *value,
                       const char *autocomplete, const char *error, const char *extra)
{
    buf_t *b = &r->resp.body;
    html_render(b, "<div class=\"field\"><label for=\"%s\">%s</label>", id, label);
    if (error) html_render(b, "<p class=\"field-error\" id=\"%s-error\">%s</p>", id, error);
    html_render(b, "<input id=\"%s\" name=\"%s\" type=\"text\" value=\"%s\" autocomplete=\"%s\"",
                id, id, value ? value : "", autocomplete);
    if (error) html_render(b, " aria-invalid=\"true\" aria-describedby=\"%s-error\"", id);
    html_render(b, "%s></div>", extra);
}

static void render_form(req_t *r, const sandbox_page_t *p, const sandbox_card_form_t *typed,
                        const sandbox_card_errors_t *e)
{
    buf_t *b = &r->resp.body;
    const sandbox_session_t *x = &p->session;
    bool setup = strcmp(x->kind, "setup") == 0;
    const char *title = setup ? T("Save a card") : T("Pay by card");
    layout_begin(r, SECTION_HOME, title);
    html_render(b, "<h1>%s</h1>", title);
    test_mode_banner(r);
    summary(r, x);
    if (p->expired || strcmp(x->state, "open") != 0) {
        notice_info(r, T("This payment page is closed: it has expired, or it was already used."));
        if (*x->cancel_url)
            html_render(b, "<p><a href=\"%s\">%s</a></p>", x->cancel_url, T("Return"));
        layout_end(r);
        return;
    }
    if (e && e->not_test_card)
        notice_error(r, T("This is a test page: use a test card, such as 4242 4242 4242 4242."));
    html_render(b, "<section class=\"card\">");
    form_open(r, arena_printf(r->arena, "/sandbox/checkout/%s", x->ref), "novalidate");
    card_field(r, "number", T("Card number"), typed ? typed->number : "", "cc-number",
               e && e->number ? card_error(r, e->number) : NULL, " inputmode=\"numeric\" required");
    html_render(b, "<div class=\"field-row\">");
    card_field(r, "expiry", T("Expiry date (MM / YY)"), typed ? typed->expiry : "", "cc-exp",
               e && e->expiry ? T("Enter a month and year that have not passed, such as 12 / 30.")
                              : NULL,
               " required");
    card_field(r, "cvc", T("Security code"), typed ? typed->cvc : "", "cc-csc",
               e && e->cvc ? card_error(r, e->cvc) : NULL, " inputmode=\"numeric\" required");
    html_render(b, "</div>");
    card_field(r, "name", T("Name on card"), typed ? typed->name : "", "cc-name",
               e && e->name ? field_error_text(r, e->name) : NULL, "");
    html_render(b, "<p class=\"hint\">%s</p>",
                T("Test cards: 4242 4242 4242 4242 is accepted, 4000 0000 0000 0002 is "
                  "declined, 4000 0000 0000 9995 has insufficient funds, 4000 0025 0000 3155 "
                  "asks for an extra authentication step."));
    html_render(b, "<button type=\"submit\" class=\"primary\">%s</button></form>",
                setup ? T("Save card") : T("Pay"));
    form_open(r, arena_printf(r->arena, "/sandbox/checkout/%s/cancel", x->ref), NULL);
    html_render(b, "<button type=\"submit\" class=\"secondary\">%s</button></form></section>",
                T("Cancel and return"));
    layout_end(r);
}

/* A status answered, or the redirect the outcome asks for. */
static void follow(req_t *r, status_t st, const sandbox_page_t *p)
{
    if (answer_status(r, st)) return;
    resp_redirect(r, p->redirect && *p->redirect ? p->redirect : "/");
}

void page_sandbox_checkout(req_t *r)
{
    const char *ref = r->n_params > 0 ? r->params[0] : NULL;
    sandbox_page_t p;
    if (r->method != METHOD_POST) {
        if (answer_status(r, sandbox_page_view(r->svc, r->arena, ref, r->now, &p))) return;
        render_form(r, &p, NULL, NULL);
        return;
    }
    sandbox_card_form_t form = {.number = req_field(r, "number"),
                                .expiry = req_field(r, "expiry"),
                                .cvc = req_field(r, "cvc"),
                                .name = req_field(r, "name")};
    sandbox_card_errors_t errors;
    status_t st = sandbox_page_pay(r->svc, r->arena, ref, &form, r->now, &errors, &p);
    if (st == STATUS_INVALID || st == STATUS_CONFLICT) {
        if (answer_status(r, sandbox_page_view(r->svc, r->arena, ref, r->now, &p))) return;
        r->resp.status = st == STATUS_INVALID ? 400 : 409;
        render_form(r, &p, &form, st == STATUS_INVALID ? &errors : NULL);
        return;
    }
    follow(r, st, &p);
}

void page_sandbox_authenticate(req_t *r)
{
    const char *ref = r->n_params > 0 ? r->params[0] : NULL;
    sandbox_page_t p;
    if (r->method == METHOD_POST) {
        bool approve = strcmp(req_field(r, "outcome"), "approve") == 0;
        follow(r, sandbox_page_authenticate(r->svc, r->arena, ref, approve, r->now, &p), &p);
        return;
    }
    if (answer_status(r, sandbox_page_view(r->svc, r->arena, ref, r->now, &p))) return;
    buf_t *b = &r->resp.body;
    const char *title = T("Confirm this payment with your bank");
    layout_begin(r, SECTION_HOME, title);
    html_render(b, "<h1>%s</h1>", title);
    test_mode_banner(r);
    summary(r, &p.session);
    if (strcmp(p.session.state, "authenticating") != 0) {
        notice_info(r, T("This payment page is closed: it has expired, or it was already used."));
        layout_end(r);
        return;
    }
    html_render(b, "<p>%s</p>",
                T("Your bank asks you to confirm this payment. In test mode, choose what the "
                  "bank answers."));
    form_open(r, arena_printf(r->arena, "/sandbox/checkout/%s/authenticate", p.session.ref), NULL);
    html_render(b,
                "<button type=\"submit\" name=\"outcome\" value=\"approve\" class=\"primary\">%s"
                "</button> <button type=\"submit\" name=\"outcome\" value=\"fail\" "
                "class=\"secondary\">%s</button></form>",
                T("Complete authentication"), T("Fail authentication"));
    layout_end(r);
}

void page_sandbox_cancel(req_t *r)
{
    const char *ref = r->n_params > 0 ? r->params[0] : NULL;
    sandbox_page_t p;
    follow(r, sandbox_page_cancel(r->svc, r->arena, ref, r->now, &p), &p);
}
