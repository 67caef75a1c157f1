/* The audit log as staff read it: a page of entries in words of the reader's language, with a
 * link to the older ones, for an account's page and for the vendor's payment details. */
#include "pages.h"
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const char *code, *label;
} code_label_t;

/* The label of code in table, translated; a code the table does not know shows as itself. */
static const char *label_of(req_t *r, const code_label_t *table, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(code, table[i].code) == 0) return T(table[i].label);
    return code;
}

/* Who made a change: the kind of person and their sign-in (User ID or email), else their id. */
static const char *actor_text(req_t *r, const audit_row_t *e)
{
    static const code_label_t kinds[] = {
        {"corporate", N_("Billing contact")},
        {"billing", N_("Billing Center user")},
        {"staff", N_("Staff")},
        {"system", N_("System")},
    };
    const char *kind = label_of(r, kinds, sizeof kinds / sizeof kinds[0], e->actor_kind);
    if (*e->actor_login) return arena_printf(r->arena, "%s (%s)", kind, e->actor_login);
    return e->actor_id ? arena_printf(r->arena, "%s #%lld", kind, (long long)e->actor_id) : kind;
}

/* Each action in words: a sentence of the reader's language with the entry's values. args says
 * which values fill the sentence's %s, in order: f the field's name, o the old value, n the new
 * one; an empty value reads as a dash. */
typedef struct {
    const char *code, *args, *sentence;
} action_words_t;

static const action_words_t action_words[] = {
    {"bill_to_changed", "fon", N_("Bill To changed: %s from “%s” to “%s”.")},
    {"invoice_recipient_added", "n", N_("Invoice recipient added: %s.")},
    {"invoice_recipient_removed", "o", N_("Invoice recipient removed: %s.")},
    {"purchase_order_added", "n", N_("Purchase order added: %s.")},
    {"purchase_order_changed", "on", N_("Purchase order changed from %s to %s.")},
    {"purchase_order_removed", "o", N_("Purchase order removed: %s.")},
    {"payment_method_changed", "on", N_("Payment method changed from %s to %s.")},
    {"bank_account_replaced", "on", N_("Bank account replaced: %s, now %s.")},
    {"direct_debit_mandate_accepted", "", N_("Direct debit mandate accepted.")},
    {"sign_in", "", N_("Signed in.")},
    {"password_reset_requested", "",
     N_("Password reset requested: a link was emailed to the billing contact.")},
    {"password_changed", "", N_("Password changed.")},
    {"billing_admin_emailed", "", N_("Emailed the billing administrator.")},
    {"vendor_setting_changed", "fon", N_("Payment details changed: %s from “%s” to “%s”.")},
    {"account_created", "n", N_("Account %s created.")},
    {"portal_user_created", "n", N_("Portal User ID %s created.")},
    {"password_set_link_sent", "n", N_("Link to set the password emailed to %s.")},
    {"password_reset_link_sent", "n", N_("Password-reset link emailed to %s.")},
    {"invoice_email_resent", "on", N_("Invoice %s emailed again to %s.")},
    {"sign_in_lockout_lifted", "no", N_("Sign-in lockout of %s lifted (it was to last until %s).")},
    {"subscription_added", "n", N_("Subscription added: %s.")},
    {"invoice_issued", "on", N_("Invoice %s issued: %s.")},
    {"email_sent", "no", N_("Email sent to %s: “%s”.")},
    {"email_failed", "no", N_("Email to %s could not be delivered: “%s”.")},
    {"quote_created", "n", N_("Quote %s created.")},
    {"quote_saved", "n", N_("Quote %s saved.")},
    {"quote_sent", "n", N_("Quote %s sent to the billing contact.")},
    {"quote_withdrawn", "", N_("Quote withdrawn.")},
    {"quote_revised", "on", N_("Quote %s revised as %s.")},
    {"quote_accepted", "on", N_("Quote %s accepted; invoice %s.")},
    {"quote_accepted_on_behalf", "on",
     N_("Quote %s accepted on the customer's behalf; invoice %s.")},
    {"quote_rejected", "on", N_("Quote %s rejected: %s.")},
    {"payment_recorded", "n", N_("Payment recorded: %s.")},
    {"payment_reversed", "on", N_("Payment %s reversed: %s.")},
    {"payment_started", "on", N_("Payment of invoice %s started: %s.")},
    {"payment_succeeded", "on", N_("Invoice %s paid (payment %s).")},
    {"payment_failed", "on", N_("Payment of invoice %s failed: %s.")},
    {"payment_expired", "o", N_("Payment of invoice %s expired.")},
    {"payment_unknown", "o", N_("Payment of invoice %s: outcome unknown.")},
    {"credit_applied", "on", N_("Credit applied to invoice %s: %s.")},
    {"autopay_started", "on", N_("Automatic card payment of invoice %s started: %s.")},
    {"refund_started", "on", N_("Refund of payment %s started: %s.")},
    {"refund_succeeded", "on", N_("Refund of payment %s succeeded: %s.")},
    {"refund_failed", "on", N_("Refund of payment %s failed (refund %s).")},
    {"refund_unknown", "on", N_("Refund of payment %s: outcome unknown (refund %s).")},
    {"card_setup_started", "", N_("Saving a card started.")},
    {"card_saved", "n", N_("Card saved: %s.")},
    {"card_replaced", "on", N_("Card %s replaced by %s.")},
    {"card_removed", "o", N_("Card removed: %s.")},
    {"card_autopay", "on", N_("Automatic card payments changed from %s to %s.")},
    {"w9_uploaded", "n", N_("W-9 uploaded: %s.")},
    {"w9_downloaded", "n", N_("W-9 downloaded: %s.")},
    {"care_caller_verified", "f", N_("Caller verified by Customer Care (%s).")},
    {"care_caller_not_verified", "f", N_("Caller not verified by Customer Care (%s).")},
    {"care_change_locked", "", N_("Billing administrator change locked.")},
    {"account_flag_cleared", "", N_("Account flag cleared.")},
    {"account_user_invited", "n", N_("User invited: %s.")},
    {"billing_admin_changed", "on", N_("Billing administrator changed from %s to %s.")},
    {"renewal_charge_started", "on", N_("Renewal charge of invoice %s to the card started: %s.")},
    {"renewal_no_card", "o", N_("Renewal invoice %s could not be charged: no card on file.")},
    {"dunning_retry_started", "on", N_("Card charge of invoice %s tried again: %s.")},
    {"dunning_opened", "on", N_("Renewal charge of invoice %s declined (%s): retries planned.")},
    {"dunning_retry_failed", "on", N_("Retry of invoice %s declined (%s).")},
    {"dunning_past_due", "o", N_("Invoice %s is past due: the card retries are over.")},
    {"dunning_suspended", "o", N_("Account suspended: invoice %s is still unpaid.")},
    {"dunning_resolved", "o", N_("Failed renewal charges ended: invoice %s is paid.")},
    {"dunning_charge_lost", "o", N_("The charge of invoice %s was lost: it is tried again.")},
    {"dunning_retry_new_card", "n", N_("New card on file: the retries start again (%s).")},
    {"request_submitted", "n", N_("Request %s submitted.")},
    {"request_withdrawn", "", N_("Request withdrawn by the billing contact.")},
    {"request_replied", "n", N_("Reply added to request %s.")},
    {"request_note_added", "n", N_("Internal note added to request %s.")},
    {"request_assigned", "n", N_("Request %s assigned.")},
    {"request_state", "on", N_("Request state changed from %s to %s.")},
    {"care_request_filed", "n", N_("Request %s filed with the Care Billing Form.")},
    {"billing_frequency_decided", "n", N_("Billing frequency reviewed: it stays %s.")},
    {"subscription_cancel_at_end", "", N_("Subscription set to end at the end of its term.")},
    {"subscription_reactivated", "", N_("Subscription reactivated.")},
    {"invoice_copy_sent", "n", N_("Copy of invoice %s emailed.")},
    {"subscription_changed", "on", N_("Subscription changed: %s, %s.")},
    {"subscription_change_charging", "on", N_("Subscription change awaiting its payment: %s, %s.")},
    {"subscription_change_conflict", "on",
     N_("Subscription change not made, the subscription had changed meanwhile: %s, %s.")},
};

static const char *field_text(req_t *r, const char *field);
static const char *value_text(req_t *r, const char *field, const char *value);

static const char *action_text(req_t *r, const audit_row_t *e)
{
    for (size_t i = 0; i < sizeof action_words / sizeof action_words[0]; i++) {
        const action_words_t *w = &action_words[i];
        if (strcmp(e->action, w->code) != 0) continue;
        const char *v[3] = {"", "", ""};
        for (size_t k = 0; k < 3 && w->args[k]; k++)
            v[k] = w->args[k] == 'f'   ? (*e->field ? field_text(r, e->field) : "—")
                   : w->args[k] == 'o' ? value_text(r, e->field, e->old_value)
                                       : value_text(r, e->field, e->new_value);
        return arena_printf(r->arena, T(w->sentence), v[0], v[1], v[2]);
    }
    return e->action; /* a code this table does not know yet shows as itself */
}

static const char *field_text(req_t *r, const char *field)
{
    static const code_label_t fields[] = {
        {"contact_name", N_("Billing contact name")},
        {"contact_email", N_("Billing contact email")},
        {"bill_to_name", N_("Company name")},
        {"address_line1", N_("Address line 1")},
        {"address_line2", N_("Address line 2")},
        {"city", N_("City")},
        {"region", N_("Region or state")},
        {"postal_code", N_("Postal code")},
        {"phone", N_("Phone")},
        {"email", N_("Email")},
        {"purchase_order", N_("Purchase order")},
        {"payment_method", N_("Payment method")},
        {"bank_account", N_("Bank account to debit")},
        {"mandate", N_("Direct debit mandate")},
        {"password", N_("Password")},
        {"vendor_bank_name", N_("Bank")},
        {"vendor_bank_account_name", N_("Account name")},
        {"vendor_bank_routing", N_("Routing number (ABA)")},
        {"vendor_bank_account", N_("Account number")},
        {"vendor_bank_iban", N_("IBAN")},
        {"vendor_bank_bic", N_("BIC / SWIFT")},
        {"vendor_check_address", N_("Mailing address for checks")},
        {"w9", N_("W-9")},
        {"invoice", N_("Invoice")},
        {"account", N_("Account")},
        {"user_id", N_("User ID")},
        {"login", N_("Sign-in")},
        {"subscription", N_("Subscription")},
        {"billing_frequency", N_("Billing frequency")},
        {"cancel_at_period_end", N_("Cancel at the end of the term")},
        {"status", N_("Status")},
        {"card", N_("Card")},
        {"autopay", N_("Automatic card payments")},
        {"payment", N_("Payment")},
        {"quote", N_("Quote")},
        {"number", N_("Request")},
        {"state", N_("State")},
        {"cardholder", N_("As the cardholder")},
        {"registered_admin", N_("As a registered administrator")},
        {"billing_admin", N_("Billing administrator")},
    };
    return label_of(r, fields, sizeof fields / sizeof fields[0], field);
}

/* A stored value in words: a payment method's code (the first word of a payment value, the rest
 * being the holder and the masked numbers) and the mandate's acceptance are translated. */
static const char *value_text(req_t *r, const char *field, const char *value)
{
    if (!*value) return "—";
    if (strcmp(field, "mandate") == 0 && strcmp(value, "accepted") == 0) return T("Accepted");
    if (strcmp(field, "payment_method") != 0 && strcmp(field, "bank_account") != 0) return value;
    size_t code_len = strcspn(value, " ");
    char code[16];
    if (code_len >= sizeof code) return value;
    memcpy(code, value, code_len);
    code[code_len] = '\0';
    return arena_printf(r->arena, "%s%s", payment_method_label(r, code), value + code_len);
}

/* The entries as a table (stacked on a phone: each entry a card of labels and values). */
static void entries_table(req_t *r, const audit_row_t *rows, size_t shown, const char *klass,
                          const char *label, const char *caption)
{
    buf_t *b = &r->resp.body;
    const char *when_label = T("When"), *who = T("Who"), *action = T("Action"), *field = T("Field"),
               *old_value = T("Old value"), *new_value = T("New value");
    html_render(b,
                "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
                "<table class=\"%s stack\"><caption>%s</caption><thead><tr><th "
                "scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th></tr></thead><tbody>",
                label, klass, caption, when_label, who, action, field, old_value, new_value);
    for (size_t i = 0; i < shown; i++) {
        const audit_row_t *e = &rows[i];
        char when[32] = "";
        time_t t = (time_t)e->at;
        struct tm tm;
        if (gmtime_r(&t, &tm)) strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
        html_render(b,
                    "<tr><td class=\"nowrap\" data-label=\"%s\"><time "
                    "datetime=\"%sZ\">%s</time></td><td data-label=\"%s\">%s</td>"
                    "<td data-label=\"%s\">%s</td>"
                    "<td data-label=\"%s\">%s</td><td class=\"value\" data-label=\"%s\">%s</td>"
                    "<td class=\"value\" data-label=\"%s\">%s</td></tr>",
                    when_label, arena_printf(r->arena, "%.10sT%s", when, when + 11), when, who,
                    actor_text(r, e), action, action_text(r, e), field,
                    *e->field ? field_text(r, e->field) : "—", old_value,
                    value_text(r, e->field, e->old_value), new_value,
                    value_text(r, e->field, e->new_value));
    }
    html_render(b, "</tbody></table></div>");
}

void audit_table(req_t *r, const audit_row_t *rows, size_t n, size_t page_rows,
                 const char *page_url, bool older_page)
{
    buf_t *b = &r->resp.body;
    html_render(b, "<section class=\"audit\" aria-labelledby=\"audit\"><h2 id=\"audit\">%s</h2>",
                T("Audit log"));
    if (n == 0) {
        html_render(b, "<p>%s</p></section>", T("No changes have been recorded yet."));
        return;
    }
    size_t shown = n < page_rows ? n : page_rows;
    entries_table(r, rows, shown, "audit-log", T("Audit log"),
                  older_page ? T("Older changes, newest first (times in UTC)")
                             : T("The latest changes, newest first (times in UTC)"));
    /* Keyset paging: the next page starts after the last entry shown, so entries written
     * meanwhile never shift what the reader sees. */
    if (older_page || n > page_rows) {
        html_render(b, "<p class=\"pager\">");
        if (older_page)
            html_render(b, "<a href=\"%s#audit\">%s</a> ", page_url, T("Latest changes"));
        if (n > page_rows)
            html_render(b, "<a href=\"%s?before=%L#audit\">%s</a>", page_url, rows[shown - 1].id,
                        T("Older changes"));
        html_render(b, "</p>");
    }
    html_render(b, "</section>");
}

void sign_ins_table(req_t *r, const audit_row_t *rows, size_t n)
{
    if (n == 0) {
        html_render(&r->resp.body, "<p>%s</p>", T("No sign-ins have been recorded yet."));
        return;
    }
    entries_table(r, rows, n, "sign-in-log", T("Sign-ins"),
                  T("The latest sign-ins, newest first (times in UTC)"));
}

int64_t audit_before_param(const req_t *r)
{
    const char *v = req_param(r, "before");
    if (!v) return 0;
    /* Digits only and in range: strtoll would turn 99999999999999999999 into LLONG_MAX and a
     * nonsense page into a 200. */
    int64_t id = 0;
    return config_parse_whole(v, INT64_MAX, &id) ? id : -1;
}
