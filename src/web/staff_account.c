/* Staff console: one account, its Bill To, its invoices and its audit log. */
#include "pages.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { AUDIT_ROWS = 50 };

/* Who made a change: the kind of person and their sign-in (User ID or email), else their id. */
static const char *actor_text(req_t *r, const audit_row_t *e)
{
    const char *kind = strcmp(e->actor_kind, "corporate") == 0 ? T("Billing contact")
                       : strcmp(e->actor_kind, "billing") == 0 ? T("Billing Center user")
                       : strcmp(e->actor_kind, "staff") == 0   ? T("Staff")
                       : strcmp(e->actor_kind, "system") == 0  ? T("System")
                                                               : e->actor_kind;
    if (*e->actor_login) return arena_printf(r->arena, "%s (%s)", kind, e->actor_login);
    return e->actor_id ? arena_printf(r->arena, "%s #%lld", kind, (long long)e->actor_id) : kind;
}

/* The action in words; an action this page does not know shows as its code. */
static const char *action_text(req_t *r, const char *action)
{
    static const struct {
        const char *code, *label;
    } known[] = {
        {"bill_to_changed", N_("Bill To changed")},
        {"invoice_recipient_added", N_("Invoice recipient added")},
        {"invoice_recipient_removed", N_("Invoice recipient removed")},
        {"purchase_order_added", N_("Purchase order added")},
        {"purchase_order_changed", N_("Purchase order changed")},
        {"purchase_order_removed", N_("Purchase order removed")},
        {"payment_method_changed", N_("Payment method changed")},
        {"direct_debit_mandate_accepted", N_("Direct debit mandate accepted")},
        {"sign_in", N_("Signed in")},
        {"password_reset_requested", N_("Password reset requested")},
        {"password_changed", N_("Password changed")},
        {"billing_admin_emailed", N_("Emailed the billing administrator")},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(action, known[i].code) == 0) return T(known[i].label);
    return action;
}

/* The newest audit entries of the account: when (UTC), who, what, and the values before and
 * after (bank numbers were masked before they were stored). */
static void audit_section(req_t *r, const audit_row_t *rows, size_t n)
{
    buf_t *b = &r->resp.body;
    html_render(b, "<section class=\"audit\" aria-labelledby=\"audit\"><h2 id=\"audit\">%s</h2>",
                T("Audit log"));
    if (n == 0) {
        html_render(b, "<p>%s</p></section>", T("No changes have been recorded yet."));
        return;
    }
    html_render(b,
                "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
                "<table class=\"audit-log\"><caption>%s</caption><thead><tr><th "
                "scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th></tr></thead><tbody>",
                T("Audit log"), T("The latest changes, newest first (times in UTC)"), T("When"),
                T("Who"), T("Action"), T("Field"), T("Old value"), T("New value"));
    for (size_t i = 0; i < n; i++) {
        const audit_row_t *e = &rows[i];
        char when[32] = "";
        time_t t = (time_t)e->at;
        struct tm tm;
        if (gmtime_r(&t, &tm)) strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        html_render(b,
                    "<tr><td class=\"nowrap\"><time datetime=\"%sZ\">%s</time></td>"
                    "<td>%s</td><td>%s</td><td><code>%s</code></td><td>%s</td><td>%s</td></tr>",
                    arena_printf(r->arena, "%.10sT%s", when, when + 11), when, actor_text(r, e),
                    action_text(r, e->action), e->field, *e->old_value ? e->old_value : "—",
                    *e->new_value ? e->new_value : "—");
    }
    html_render(b, "</tbody></table></div></section>");
}

void page_staff_account(req_t *r)
{
    char *end = NULL;
    long long id = r->n_params ? strtoll(r->params[0], &end, 10) : 0;
    account_t acc;
    store_status_t st = id > 0 && end && *end == '\0'
                            ? store_account_by_id(r->store, r->arena, id, &acc)
                            : STORE_NOT_FOUND;
    invoice_summary_t *rows = NULL;
    size_t n = 0;
    audit_row_t *audit = NULL;
    size_t n_audit = 0;
    if (st == STORE_OK) st = store_invoices_recent(r->store, r->arena, acc.id, 100, &rows, &n);
    if (st == STORE_OK)
        st = store_audit_recent(r->store, r->arena, acc.id, AUDIT_ROWS, &audit, &n_audit);
    if (st != STORE_OK) {
        page_error(r, st == STORE_NOT_FOUND ? 404 : 503);
        return;
    }
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_STAFF, acc.name);
    /* Bill To first and the invoices below it at full width: the invoice table has six columns
     * and must not be squeezed beside the address. */
    html_render(b, "<h1>%s</h1>", acc.name);
    bill_to_block(r, &acc);
    html_render(b, "<section class=\"card\" aria-labelledby=\"inv\"><h2 id=\"inv\">%s</h2>",
                T("Invoices"));
    invoice_history_table(r, rows, n, acc.country, "/staff/invoices");
    html_render(b, "</section>");
    audit_section(r, audit, n_audit);
    layout_end(r);
}
