/* Purchase orders of a corporate account: the list (the one in force today marked), add, edit and
 * remove. The service checks every field and refuses dates that overlap another purchase order. */
#include "billing/calendar.h"
#include "billing/money.h"
#include "i18n/format.h"
#include "pages.h"
#include "services/actions.h"
#include "services/corporate_views.h"

#include <string.h>

/* The form of a purchase order (add or edit): typed or stored values, and the refusals. */
static void po_form(req_t *r, const char *action, const account_t *acc, const po_form_t *v,
                    const po_errors_t *e, const char *button)
{
    buf_t *b = &r->resp.body;
    form_open(r, action, "class=\"po-form\" novalidate");
    settings_input(r, "number", T("Purchase order number"), "text", v->number, NULL, e->number,
                   true,
                   arena_printf(r->arena, "maxlength=\"%d\" autocomplete=\"off\"", PO_NUMBER_MAX));
    settings_input(r, "amount", T("Amount (optional)"), "text", v->amount,
                   arena_printf(r->arena,
                                T("In %s, such as 1250.00. Leave it empty when the purchase "
                                  "order has no amount."),
                                acc->currency),
                   e->amount, false, "inputmode=\"decimal\" autocomplete=\"off\"");
    html_render(b, "<div class=\"field-row\">");
    settings_input(r, "start_date", T("Start date"), "date", v->start_date, NULL, e->start_date,
                   true, NULL);
    settings_input(r, "end_date", T("Expiration date"), "date", v->end_date, NULL, e->end_date,
                   true, NULL);
    html_render(b, "</div><button type=\"submit\" class=\"primary\">%s</button></form>", button);
}

static const char *money_text(req_t *r, const account_t *acc, int64_t minor)
{
    if (minor < 0) return "—";
    char *out = arena_alloc(r->arena, 64);
    format_money(r->lang, acc->country, acc->currency, minor, out, 64);
    return out;
}

static const char *day_text(req_t *r, const account_t *acc, const char *iso)
{
    char *out = arena_alloc(r->arena, 64);
    format_date(r->lang, acc->country, iso, out, 64);
    return out;
}

/* Where a purchase order stands today: in force, expired or not yet started. */
static const char *po_status(req_t *r, po_state_t state)
{
    switch (state) {
    case PO_EXPIRED:
        return T("Expired");
    case PO_NOT_YET:
        return T("Not yet in force");
    default:
        return T("In force");
    }
}

static void po_table(req_t *r, const account_t *acc, const po_t *pos, size_t n)
{
    buf_t *b = &r->resp.body;
    if (n == 0) {
        html_render(b, "<p>%s</p>", T("You have no purchase orders yet."));
        return;
    }
    char today[11];
    date_format(date_from_unix(r->now), today);
    const char *number = T("Number"), *amount = T("Amount"), *start = T("Start date"),
               *end = T("Expiration date"), *status_label = T("Status");
    /* Stacked on a phone (table.stack); the Edit and Remove buttons need no label there. */
    html_render(b,
                "<div class=\"table-wrap\"><table class=\"pos stack\"><caption>%s</caption><thead>"
                "<tr><th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\"><span class=\"sr-only\">%s</span></th></tr></thead><tbody>",
                T("Your purchase orders, latest start date first"), number, amount, start, end,
                status_label, T("Actions"));
    for (size_t i = 0; i < n; i++) {
        const po_t *po = &pos[i];
        po_state_t state = po_state_on(po, today); /* the rule of the account page and invoices */
        const char *status = po_status(r, state);
        bool in_force = state == PO_IN_FORCE;
        html_render(
            b,
            "<tr%R><th scope=\"row\" data-label=\"%s\">%s</th>"
            "<td class=\"num\" data-label=\"%s\">%s</td>"
            "<td class=\"nowrap\" data-label=\"%s\">%s</td>"
            "<td class=\"nowrap\" data-label=\"%s\">%s</td><td data-label=\"%s\">%R%s%R</td>"
            "<td><div class=\"actions row-actions\"><a href=\"/corporate/purchase-orders/%L\" "
            "aria-label=\"%s\">%s</a>",
            in_force ? " class=\"in-force\"" : "", number, po->number, amount,
            money_text(r, acc, po->amount), start, day_text(r, acc, po->start_date), end,
            day_text(r, acc, po->end_date), status_label, in_force ? "<strong>" : "", status,
            in_force ? "</strong>" : "", po->id,
            arena_printf(r->arena, T("Edit purchase order %s"), po->number), T("Edit"));
        form_open(
            r, arena_printf(r->arena, "/corporate/purchase-orders/%lld/remove", (long long)po->id),
            "class=\"inline\"");
        html_render(b,
                    "<button type=\"submit\" class=\"secondary\" aria-label=\"%s\">%s</button>"
                    "</form></div></td></tr>",
                    arena_printf(r->arena, T("Remove purchase order %s"), po->number), T("Remove"));
    }
    html_render(b, "</tbody></table></div>");
}

/* The list and the add form; v and e hold what was typed and refused (empty for a GET). */
static void render_list(req_t *r, const account_t *acc, const po_form_t *v, const po_errors_t *e,
                        bool refused)
{
    po_t *pos = NULL;
    size_t n = 0;
    if (answer_status(r, corporate_pos_view(r->svc, r->arena, acc->id, &pos, &n))) return;
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_CORPORATE, T("Purchase orders"));
    html_render(b, "<h1>%s</h1>", T("Purchase orders"));
    if (refused)
        notice_error(r, T("The purchase order was not added. Check the fields marked below."));
    else if (req_param(r, "saved"))
        notice_info(r, T("The purchase order has been saved."));
    else if (req_param(r, "removed"))
        notice_info(r, T("The purchase order has been removed."));
    po_table(r, acc, pos, n);
    html_render(b, "<p class=\"help\">%s</p>",
                T("The purchase order in force on an invoice's date is printed on that invoice. "
                  "Only one purchase order can be in force on any day. We email the billing "
                  "contact 30 days before it expires."));
    html_render(b,
                "<section class=\"card add-po\" aria-labelledby=\"add-po\"><h2 id=\"add-po\">%s"
                "</h2>",
                T("Add a purchase order"));
    po_form(r, "/corporate/purchase-orders", acc, v, e, T("Add purchase order"));
    html_render(b, "</section>");
    layout_end(r);
}

static po_form_t typed_form(req_t *r)
{
    return (po_form_t){.number = req_field(r, "number"),
                       .amount = req_field(r, "amount"),
                       .start_date = req_field(r, "start_date"),
                       .end_date = req_field(r, "end_date")};
}

void page_corporate_pos(req_t *r)
{
    credential_t c;
    account_t acc;
    if (!settings_load_contact(r, &c, &acc)) return;
    po_errors_t e = {0};
    if (r->method != METHOD_POST) {
        po_form_t empty = {"", "", "", ""};
        render_list(r, &acc, &empty, &e, false);
        return;
    }
    po_form_t v = typed_form(r);
    settings_ctx_t ctx = settings_ctx_of(r, acc.id);
    if (!settings_answered(r, svc_settings_save_po(r->svc, r->arena, &ctx, 0, &v, &e),
                           "/corporate/purchase-orders?saved=1"))
        render_list(r, &acc, &v, &e, true);
}

static void render_edit(req_t *r, const account_t *acc, const po_t *po, const po_form_t *v,
                        const po_errors_t *e, bool refused)
{
    buf_t *b = &r->resp.body;
    layout_begin(r, SECTION_CORPORATE,
                 arena_printf(r->arena, T("Edit purchase order %s"), po->number));
    /* The number stays on one line: a break at its hyphen would read as two numbers. */
    html_render(b, "<div class=\"panel\"><h1>%s <span class=\"nowrap\">%s</span></h1>",
                T("Edit purchase order"), po->number);
    if (refused)
        notice_error(r, T("The purchase order was not saved. Check the fields marked below."));
    po_form(r, arena_printf(r->arena, "/corporate/purchase-orders/%lld", (long long)po->id), acc, v,
            e, T("Save"));
    html_render(b, "<p><a href=\"/corporate/purchase-orders\">%s</a></p></div>",
                T("Back to purchase orders"));
    layout_end(r);
}

void page_corporate_po(req_t *r)
{
    credential_t c;
    account_t acc;
    if (!settings_load_contact(r, &c, &acc)) return;
    int64_t id = settings_path_id(r);
    po_t po;
    if (answer_status(r, corporate_po_view(r->svc, r->arena, acc.id, id, &po))) return;
    po_errors_t e = {0};
    if (r->method != METHOD_POST) {
        char amount[MONEY_TEXT_MAX] = "";
        int exponent = currency_exponent(acc.currency);
        if (po.amount >= 0 && exponent >= 0) money_decimal(po.amount, exponent, amount);
        /* Shown with the reader's decimal mark, as the hint writes it (either mark is read). */
        char *point = strchr(amount, '.');
        if (point) *point = settings_ctx_of(r, acc.id).decimal_mark;
        po_form_t v = {.number = po.number,
                       .amount = arena_strdup(r->arena, amount),
                       .start_date = po.start_date,
                       .end_date = po.end_date};
        render_edit(r, &acc, &po, &v, &e, false);
        return;
    }
    po_form_t v = typed_form(r);
    settings_ctx_t ctx = settings_ctx_of(r, acc.id);
    if (!settings_answered(r, svc_settings_save_po(r->svc, r->arena, &ctx, id, &v, &e),
                           "/corporate/purchase-orders?saved=1"))
        render_edit(r, &acc, &po, &v, &e, true);
}

void page_corporate_po_remove(req_t *r)
{
    credential_t c;
    account_t acc;
    if (!settings_load_contact(r, &c, &acc)) return;
    int64_t id = settings_path_id(r);
    if (!id) {
        answer_status(r, STATUS_NOT_FOUND);
        return;
    }
    settings_ctx_t ctx = settings_ctx_of(r, acc.id);
    settings_answered(r, svc_settings_remove_po(r->svc, r->arena, &ctx, id),
                      "/corporate/purchase-orders?removed=1");
}
