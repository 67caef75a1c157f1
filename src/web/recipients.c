/* Invoice recipients: the contacts who get every invoice email besides the billing contact (at
 * most RECIPIENTS_MAX per account), listed, added and removed by the corporate billing contact,
 * or in the Billing Center by the online account's billing administrator. */
#include "pages.h"
#include "services/actions.h"
#include "services/corporate_views.h"

/* What differs between the two portals' recipients pages. */
typedef struct {
    section_t section;
    const char *path; /* the page; each row's removal is path/ID/remove */
    const char *back; /* the account page */
} recipients_portal_t;

static const recipients_portal_t corporate = {SECTION_CORPORATE, "/corporate/recipients",
                                              "/corporate/account"};
static const recipients_portal_t billing = {SECTION_BILLING, "/billing/recipients",
                                            "/billing/account"};

typedef struct {
    const char *name, *email; /* as typed ("" on a first showing) */
    field_error_t name_error, email_error;
    const char *info; /* confirmation, or NULL */
} add_form_t;

static void recipients_table(req_t *r, const recipients_portal_t *p, const recipient_row_t *rows,
                             size_t n)
{
    buf_t *b = &r->resp.body;
    if (n == 0) {
        html_render(b, "<p>%s</p>", T("No one else receives the invoices yet."));
        return;
    }
    const char *name = T("Name"), *email = T("Email");
    /* Stacked on a phone (table.stack); the button needs no label there. */
    html_render(b,
                "<div class=\"table-wrap\"><table class=\"recipients stack\"><caption>%s</caption>"
                "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\"><span class=\"sr-only\">%s</span></th></tr></thead><tbody>",
                T("People who receive a copy of every invoice by email"), name, email, T("Action"));
    for (size_t i = 0; i < n; i++) {
        html_render(b, "<tr><td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td><td>", name,
                    rows[i].name, email, rows[i].email);
        form_open(r, arena_printf(r->arena, "%s/%lld/remove", p->path, (long long)rows[i].id),
                  NULL);
        html_render(b, "<button type=\"submit\" class=\"secondary\" aria-label=\"");
        html_text(b, T("Remove %s"), rows[i].email);
        html_render(b, "\">%s</button></form></td></tr>", T("Remove"));
    }
    html_render(b, "</tbody></table></div>");
}

/* The page: the list, the count and the add form. Answers 404/503 itself when the store fails. */
static void render(req_t *r, const recipients_portal_t *p, int64_t account_id, const add_form_t *f)
{
    recipient_row_t *rows = NULL;
    size_t n = 0;
    if (answer_status(r, corporate_recipients_view(r->svc, r->arena, account_id, &rows, &n)))
        return;
    bool refused = f->name_error || f->email_error;
    buf_t *b = &r->resp.body;
    layout_begin(r, p->section, T("Invoice recipients"));
    html_render(b, "<h1>%s</h1>", T("Invoice recipients"));
    if (f->info) notice_info(r, f->info);
    if (refused) notice_error(r, T("Please correct the fields marked below."));
    html_render(b, "<p>%s %s</p><p class=\"help\">",
                T("Add contacts to receive invoices by email."),
                T("Every invoice email goes to the billing contact and to each person on this "
                  "list."));
    /* TRANSLATORS: recipients the account has, of those allowed: 1 destinataire sur 20. */
    html_text(b, TN("%d of %d recipients", "%d of %d recipients", n), (int)n, (int)RECIPIENTS_MAX);
    html_render(b, "</p>");
    recipients_table(r, p, rows, n);

    html_render(b, "<section aria-labelledby=\"add\"><h2 id=\"add\">%s</h2><div class=\"panel\">",
                T("Add a recipient"));
    form_open(r, p->path, "novalidate");
    /* autocomplete off: this is someone else's name and address, not the user's own. */
    form_input(r, "name", T("Name"), "text", f->name, "off", field_error_text(r, f->name_error),
               true);
    form_input(r, "email", T("Email"), "email", f->email, "off",
               field_error_text(r, f->email_error), true);
    html_render(b,
                "<button type=\"submit\" class=\"primary\">%s</button></form></div></section>"
                "<p><a href=\"%s\">%s</a></p>",
                T("Add"), p->back, T("Back to the account"));
    layout_end(r);
}

void recipients_card(req_t *r, size_t n_recipients, const char *href)
{
    buf_t *b = &r->resp.body;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"recipients\">"
                "<h2 id=\"recipients\">%s</h2><p>%s</p><p class=\"help\">",
                T("Invoice recipients"), T("Add contacts to receive invoices by email."));
    /* TRANSLATORS: recipients the account has, of those allowed: 1 destinataire sur 20. */
    html_text(b, TN("%d of %d recipients", "%d of %d recipients", n_recipients), (int)n_recipients,
              (int)RECIPIENTS_MAX);
    html_render(b, "</p><p><a href=\"%s\">%s</a></p></section>", href,
                T("Manage invoice recipients"));
}

static void recipients_page(req_t *r, const recipients_portal_t *p)
{
    int64_t account_id = 0;
    if (!current_account(r, &account_id, NULL)) return;
    if (r->method != METHOD_POST) {
        const char *info = req_param(r, "added")     ? T("The recipient has been added.")
                           : req_param(r, "removed") ? T("The recipient has been removed.")
                                                     : NULL;
        add_form_t f = {.name = "", .email = "", .info = info};
        render(r, p, account_id, &f);
        return;
    }
    add_form_t f = {.name = req_field(r, "name"), .email = req_field(r, "email")};
    settings_ctx_t ctx = settings_ctx_of(r, account_id);
    settings_status_t st = svc_settings_add_recipient(r->svc, r->arena, &ctx, f.name, f.email,
                                                      &f.name_error, &f.email_error);
    if (!settings_answered(r, st, arena_printf(r->arena, "%s?added=1", p->path)))
        render(r, p, account_id, &f);
}

static void recipient_remove(req_t *r, const recipients_portal_t *p)
{
    int64_t account_id = 0, id = settings_path_id(r);
    if (!id) {
        answer_status(r, STATUS_NOT_FOUND);
        return;
    }
    if (!current_account(r, &account_id, NULL)) return;
    settings_ctx_t ctx = settings_ctx_of(r, account_id);
    settings_answered(r, svc_settings_remove_recipient(r->svc, r->arena, &ctx, id),
                      arena_printf(r->arena, "%s?removed=1", p->path));
}

void page_corporate_recipients(req_t *r)
{
    recipients_page(r, &corporate);
}

void page_corporate_recipient_remove(req_t *r)
{
    recipient_remove(r, &corporate);
}

void page_billing_recipients(req_t *r)
{
    recipients_page(r, &billing);
}

void page_billing_recipient_remove(req_t *r)
{
    recipient_remove(r, &billing);
}
