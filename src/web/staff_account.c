/* Staff console: one account, its Bill To, its quotes, its invoices and its audit log. */
#include "pages.h"
#include "services/dunning.h"
#include "services/staff_views.h"

#include <stdlib.h>
#include <string.h>

enum { AUDIT_ROWS = 50, INVOICES_SHOWN = 100 };

/* A dunning state in words. */
static const char *dunning_state_label(req_t *r, const char *state)
{
    if (strcmp(state, "retrying") == 0) return T("Retrying the card");
    if (strcmp(state, "past_due") == 0) return T("Past due");
    if (strcmp(state, "suspended") == 0) return T("Suspended");
    return T("Resolved");
}

/* The account's dunning (docs/dunning.md): nothing when it was never in it. */
static void dunning_section(req_t *r, const account_t *acc)
{
    dunning_view_t v;
    if (dunning_view(r->svc, r->arena, acc->id, &v) != STATUS_OK || strcmp(v.state, "none") == 0)
        return;
    buf_t *b = &r->resp.body;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"dunning\"><h2 id=\"dunning\">%s</h2>"
                "<dl class=\"facts\"><dt>%s</dt><dd data-dunning=\"state\">",
                T("Failed renewal charges"), T("State"));
    /* A suspension stands out in words and weight, not by colour alone. */
    if (v.suspended)
        html_render(b, "<strong class=\"overdue\">%s</strong>", dunning_state_label(r, v.state));
    else
        html_render(b, "%s", dunning_state_label(r, v.state));
    html_render(b, "</dd><dt>%s</dt><dd><a href=\"/staff/invoices/%s\">%s</a></dd>", T("Invoice"),
                v.invoice_number, v.invoice_number);
    html_render(b, "<dt>%s</dt><dd data-dunning=\"failures\">%s</dd>", T("Failed attempts"),
                arena_printf(r->arena, "%lld", (long long)v.failures));
    if (*v.last_decline_code)
        html_render(b, "<dt>%s</dt><dd data-dunning=\"decline\">%s</dd>", T("Last decline"),
                    dunning_decline_words(r->lang, v.last_decline_code));
    if (*v.next_retry_date)
        html_render(b, "<dt>%s</dt><dd data-dunning=\"next-retry\">%s</dd>", T("Next retry"),
                    staff_quote_day(r, acc->country, v.next_retry_date));
    else if (strcmp(v.state, "resolved") != 0)
        html_render(b, "<dt>%s</dt><dd data-dunning=\"next-retry\">%s</dd>", T("Next retry"),
                    v.no_retry ? T("None: the card must be replaced") : T("None planned"));
    if (*v.suspended_on)
        html_render(b, "<dt>%s</dt><dd data-dunning=\"suspended-on\">%s</dd>", T("Suspended on"),
                    staff_quote_day(r, acc->country, v.suspended_on));
    html_render(b, "</dl></section>");
}

void page_staff_account(req_t *r)
{
    char *end = NULL;
    long long id = r->n_params ? strtoll(r->params[0], &end, 10) : 0;
    if (!(end && *end == '\0')) id = 0; /* not a number: no such account */
    int64_t before = audit_before_param(r);
    if (before < 0) {
        answer_status(r, STATUS_INVALID);
        return;
    }
    /* One audit entry more than a page tells whether there are older ones. */
    staff_account_view_t v;
    if (answer_status(r, staff_account_view(r->svc, r->arena, id, INVOICES_SHOWN, before,
                                            AUDIT_ROWS + 1, &v)))
        return;
    const account_t acc = v.account;
    const invoice_summary_t *rows = v.invoices;
    size_t n = v.n_invoices;
    const audit_row_t *audit = v.audit;
    size_t n_audit = v.n_audit;
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_STAFF, acc.name);
    /* Bill To first and the invoices below it at full width: the invoice table has six columns
     * and must not be squeezed beside the address. */
    html_render(b, "<h1>%s</h1>", acc.name);
    bill_to_block(r, &acc, NULL);
    staff_account_quotes_section(r, &acc);
    staff_account_subscription_link(r, &acc);
    staff_account_care_section(r, &acc);
    staff_account_payments_link(r, acc.id);
    html_render(b, "<section class=\"card\" aria-labelledby=\"inv\"><h2 id=\"inv\">%s</h2>",
                T("Invoices"));
    invoice_history_table(r, rows, n, acc.country, "/staff/invoices");
    html_render(b, "</section>");
    balances_card(r, &acc);
    dunning_section(r, &acc);
    payments_section(r, &acc);
    refund_t *refunds = NULL;
    allocation_row_t *credit = NULL;
    size_t n_refunds = 0, n_credit = 0;
    if (account_refunds_and_credit(r->svc, r->arena, acc.id, &refunds, &n_refunds, &credit,
                                   &n_credit) == STATUS_OK) {
        staff_refunds_table(r, acc.country, refunds, n_refunds);
        staff_credit_table(r, &acc, credit, n_credit);
    }
    audit_table(r, audit, n_audit, AUDIT_ROWS,
                arena_printf(r->arena, "/staff/accounts/%lld", (long long)acc.id), before > 0);
    layout_end(r);
}
