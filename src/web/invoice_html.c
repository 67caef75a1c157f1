/* What the invoice pages share: the Invoice History table, the printable invoice, the PDF. */
#include "billing/calendar.h"
#include "i18n/format.h"
#include "pages.h"
#include "render/invoice_pdf.h"
#include "render/invoice_text.h"
#include "services/invoice_views.h"
#include "services/invoices.h"

#include <stdlib.h>
#include <string.h>

const char *invoice_status_label(req_t *r, const char *status)
{
    return invoice_status_text(r->lang, status);
}

static const char *money(req_t *r, const char *country, const char *currency, int64_t minor)
{
    char *out = arena_alloc_raw(r->arena, 64);
    format_money(r->lang, country, currency, minor, out, 64);
    return out;
}

static const char *day(req_t *r, const char *country, const char *iso)
{
    char *out = arena_alloc_raw(r->arena, 64);
    format_date(r->lang, country, iso, out, 64);
    return out;
}

/* s escaped once, for a table that repeats it in every row (printed with %R); s itself when it
 * has nothing to escape, which is nearly always. */
static const char *escaped(req_t *r, const char *s)
{
    if (!s || !s[strcspn(s, "&<>\"'")]) return s ? s : "";
    buf_t b;
    buf_init_cap(&b, r->arena, strlen(s) + 32);
    html_escape(&b, s);
    return b.data;
}

/* A string and its length, to be appended without measuring it again. */
typedef struct {
    const char *s;
    size_t n;
} text_t;

/* escaped(), with its length. */
static text_t escaped_text(req_t *r, const char *s)
{
    const char *e = escaped(r, s);
    return (text_t){e, strlen(e)};
}

static inline void put_text(buf_t *b, text_t t)
{
    buf_append(b, t.s, t.n);
}

/* What t holds, as a text of its own; t is emptied for the next one. */
static text_t take(req_t *r, buf_t *t)
{
    text_t out = {arena_strndup(r->arena, t->data, t->len), t->len};
    t->len = 0;
    t->data[0] = '\0';
    return out;
}

void invoice_history_table(req_t *r, const invoice_summary_t *rows, size_t n, const char *country,
                           const char *base_path)
{
    buf_t *b = &r->resp.body;
    if (n == 0) {
        html_render(b, "<p>%s</p>", T("There are no invoices yet."));
        return;
    }
    const char *number = T("Invoice Number"), *date = T("Date"), *due = T("Due date"),
               *total = T("Total"), *balance = T("Balance"), *status = T("Status"),
               *download = T("Download");
    /* What every row repeats (the labels, the path, the words around the invoice number in the
     * PDF link's name) is escaped once here, not in each row; the rows are then written piece
     * by piece, the markup as literals of known length rather than a template read again for
     * each row. */
    text_t e_number = escaped_text(r, number), e_date = escaped_text(r, date),
           e_due = escaped_text(r, due), e_total = escaped_text(r, total),
           e_balance = escaped_text(r, balance), e_status = escaped_text(r, status),
           e_download = escaped_text(r, download), e_base = escaped_text(r, base_path),
           on_receipt = escaped_text(r, T("Due on receipt"));
    /* "stack": on a phone each row shows as a card of labels (data-label, the column headers
     * again) and values, so that no column is out of sight to the right. */
    buf_lit(b, "<div class=\"table-wrap\"><table class=\"invoices stack\"><caption>");
    /* Staff read another account's invoices: "your" would be the wrong person. */
    html_escape(b, section_of_path(base_path) == SECTION_STAFF
                       ? T("The account's most recent invoices, newest first")
                       : T("Your most recent invoices, newest first"));
    buf_lit(b, "</caption><thead><tr><th scope=\"col\">");
    put_text(b, e_number);
    buf_lit(b, "</th><th scope=\"col\">");
    put_text(b, e_date);
    buf_lit(b, "</th><th scope=\"col\">");
    put_text(b, e_due);
    buf_lit(b, "</th><th scope=\"col\" class=\"num\">");
    put_text(b, e_total);
    buf_lit(b, "</th><th scope=\"col\" class=\"num\">");
    put_text(b, e_balance);
    buf_lit(b, "</th><th scope=\"col\">");
    put_text(b, e_status);
    buf_lit(b, "</th><th scope=\"col\"><span class=\"sr-only\">");
    put_text(b, e_download);
    buf_lit(b, "</span></th></tr></thead><tbody>");
    const char *pdf_of = T("PDF of invoice %s");
    const char *hole = strstr(pdf_of, "%s");
    /* The sentence split at its one %s; any other directive and each row renders it whole. */
    bool split = hole && !strchr(hole + 2, '%') && strchr(pdf_of, '%') == hole;
    text_t pdf_before = {"", 0}, pdf_after = {"", 0};
    if (split) {
        pdf_before = escaped_text(r, arena_strndup(r->arena, pdf_of, (size_t)(hole - pdf_of)));
        pdf_after = escaped_text(r, hole + 2);
    }
    /* The row's markup between its own values (the invoice number, dates, amounts, status) is
     * the same in every row: put together once, with the labels in it, it is then appended in
     * one piece each time. */
    buf_t t;
    buf_init(&t, r->arena);
    buf_lit(&t, "<tr><th scope=\"row\" class=\"nowrap\" data-label=\"");
    put_text(&t, e_number);
    buf_lit(&t, "\"><a href=\"");
    put_text(&t, e_base);
    buf_lit(&t, "/");
    text_t before_number = take(r, &t);
    text_t before_link_text = {"\">", 2};
    buf_lit(&t, "</a></th><td class=\"nowrap\" data-label=\"");
    put_text(&t, e_date);
    buf_lit(&t, "\">");
    text_t before_date = take(r, &t);
    buf_lit(&t, "</td><td class=\"nowrap\" data-label=\"");
    put_text(&t, e_due);
    buf_lit(&t, "\">");
    text_t before_due = take(r, &t);
    buf_lit(&t, "</td><td class=\"num\" data-label=\"");
    put_text(&t, e_total);
    buf_lit(&t, "\">");
    text_t before_total = take(r, &t);
    buf_lit(&t, "</td><td class=\"num\" data-label=\"");
    put_text(&t, e_balance);
    buf_lit(&t, "\">");
    text_t before_balance = take(r, &t);
    buf_lit(&t, "</td><td data-label=\"");
    put_text(&t, e_status);
    buf_lit(&t, "\">");
    text_t before_status = take(r, &t);
    buf_lit(&t, "</td><td data-label=\"");
    put_text(&t, e_download);
    buf_lit(&t, "\"><a href=\"");
    put_text(&t, e_base);
    buf_lit(&t, "/");
    text_t before_pdf_number = take(r, &t);
    buf_lit(&t, "/pdf\" aria-label=\"");
    put_text(&t, pdf_before);
    text_t before_label_number = take(r, &t);
    put_text(&t, pdf_after);
    buf_lit(&t, "\">PDF</a></td></tr>");
    text_t row_end = take(r, &t);

    format_ctx_t fc;
    format_ctx_init(&fc, r->lang, country);
    /* Rows mostly share a status: its label is looked up and escaped again only when it changes. */
    const char *last_status = NULL;
    text_t status_label = {"", 0};
    for (size_t i = 0; i < n; i++) {
        const invoice_summary_t *v = &rows[i];
        text_t e_inv = escaped_text(r, v->number);
        put_text(b, before_number);
        put_text(b, e_inv);
        put_text(b, before_link_text);
        put_text(b, e_inv);
        put_text(b, before_date);
        format_date_html(b, &fc, v->issue_date);
        put_text(b, before_due);
        if (strcmp(v->due_date, v->issue_date) == 0)
            put_text(b, on_receipt);
        else
            format_date_html(b, &fc, v->due_date);
        put_text(b, before_total);
        format_money_html(b, &fc, v->currency, v->total);
        put_text(b, before_balance);
        format_money_html(b, &fc, v->currency, v->total - v->amount_paid);
        put_text(b, before_status);
        if (!last_status || strcmp(v->status, last_status) != 0) {
            last_status = v->status;
            status_label = escaped_text(r, invoice_status_label(r, v->status));
        }
        put_text(b, status_label);
        put_text(b, before_pdf_number);
        put_text(b, e_inv);
        put_text(b, before_label_number);
        if (split)
            put_text(b, e_inv);
        else
            html_text(b, pdf_of, v->number);
        put_text(b, row_end);
    }
    buf_lit(b, "</tbody></table></div>");
}

static void document_header(req_t *r, const invoice_doc_t *inv, const char *pdf_href)
{
    buf_t *b = &r->resp.body;
    html_render(b,
                "<div class=\"actions no-print\"><button type=\"button\" class=\"primary\" "
                "data-print hidden>%s</button> <a class=\"button\" href=\"%s\">%s</a></div>",
                T("Print"), pdf_href, T("Download PDF"));
    html_render(b,
                "<article class=\"invoice\" aria-labelledby=\"invoice-title\"><header "
                "class=\"invoice-head\"><div class=\"seller\"><strong>%s</strong>",
                inv->vendor_name);
    html_render(b, "<br>");
    if (inv->vendor_address && *inv->vendor_address) {
        /* The setting holds one address line per text line. */
        for (const char *p = inv->vendor_address; *p;) {
            size_t len = strcspn(p, "\n");
            html_render(b, "%s<br>", arena_strndup(r->arena, p, len));
            p += len + (p[len] == '\n');
        }
    }
    if (inv->vendor_country && *inv->vendor_country) {
        char country[96];
        format_country(r->lang, inv->vendor_country, country, sizeof country);
        html_render(b, "%s<br>", country);
    }
    if (inv->vendor_email && *inv->vendor_email) html_render(b, "%s<br>", inv->vendor_email);
    if (inv->vendor_tax_id && *inv->vendor_tax_id)
        html_text(b, T("Tax ID: %s"), inv->vendor_tax_id);
    html_render(b,
                "</div><div class=\"meta\"><h1 id=\"invoice-title\">%s <span class=\"nowrap\">%s"
                "</span></h1><dl class=\"facts\">",
                T("Invoice"), inv->number);
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Invoice Number"), inv->number);
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Date"), day(r, inv->country, inv->issue_date));
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Due date"),
                strcmp(inv->due_date, inv->issue_date) == 0 ? T("Due on receipt")
                                                            : day(r, inv->country, inv->due_date));
    html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Status"), invoice_status_label(r, inv->status));
    if (*inv->po_number)
        html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Purchase order"), inv->po_number);
    html_render(b, "</dl></div></header>");
}

static void document_parties(req_t *r, const invoice_doc_t *inv)
{
    buf_t *b = &r->resp.body;
    html_render(b,
                "<div class=\"parties\"><section aria-labelledby=\"inv-bill-to\"><h2 "
                "id=\"inv-bill-to\">%s</h2><address>%s<br>",
                T("Bill To"), inv->bill_to_name);
    address_lines(r, inv->address_line1, inv->address_line2, inv->city, inv->region,
                  inv->postal_code, inv->country);
    if (*inv->phone) html_render(b, "<br>%s", inv->phone);
    html_render(b,
                "</address></section><section aria-labelledby=\"inv-contact\"><h2 "
                "id=\"inv-contact\">%s</h2><address>%s<br>%s<br>",
                T("Billing contact"), inv->contact_name, inv->contact_email);
    html_text(b, T("User ID: %s"), inv->portal_user_id);
    html_render(b, "</address></section></div>");
}

static void document_lines(req_t *r, const invoice_doc_t *inv)
{
    buf_t *b = &r->resp.body;
    const char *c = inv->country, *cur = inv->currency;
    const char *product = T("Product"), *period = T("Service period"), *seats = T("Seats"),
               *unit = T("Unit price"), *amount = T("Amount");
    /* The box scrolls sideways in a window too narrow for the table yet too wide for it to be
     * stacked (table.stack in static.c): it takes the focus so the keyboard can scroll it. */
    html_render(b,
                "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
                "<table class=\"lines stack\"><caption class=\"sr-only\">%s</caption><thead><tr>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\" class=\"num\">%s</th><th scope=\"col\" class=\"num\">%s</th>"
                "<th scope=\"col\" class=\"num\">%s</th></tr></thead><tbody>",
                T("Invoice lines"), T("Invoice lines"), product, period, seats, unit, amount);
    for (size_t i = 0; i < inv->n_lines; i++) {
        const invoice_line_t *l = &inv->lines[i];
        /* The period is [start, end): people read its last day, the day before end. */
        char last[11];
        date_t end;
        date_parse(l->period_end, &end);
        date_format(date_add_days(end, -1), last);
        html_render(
            b,
            "<tr><td data-label=\"%s\">%s <span class=\"muted\">(%s)</span></td>"
            "<td data-label=\"%s\"><span class=\"nowrap\">%s</span> – <span class=\"nowrap\">%s"
            "</span></td><td class=\"num\" data-label=\"%s\">%L</td>"
            "<td class=\"num\" data-label=\"%s\">%s</td><td class=\"num\" data-label=\"%s\">%s"
            "</td></tr>",
            product, l->product_name,
            strcmp(l->billing_period, "annual") == 0 ? T("annual") : T("monthly"), period,
            day(r, c, l->period_start), day(r, c, last), seats, l->seats, unit,
            money(r, c, cur, l->unit_amount), amount, money(r, c, cur, l->net));
    }
    html_render(b,
                "</tbody><tfoot><tr><th scope=\"row\" colspan=\"4\">%s</th><td class=\"num\">%s"
                "</td></tr>",
                T("Subtotal"), money(r, c, cur, inv->subtotal));
    /* One row per tax rate, as issued; invoices issued before those were stored keep their one
     * "Tax (rate)" row and stored figure. */
    for (size_t i = 0; i < inv->n_taxes; i++) {
        char label[160];
        invoice_tax_label(r->lang, c, inv->region, &inv->taxes[i], label, sizeof label);
        html_render(b, "<tr><th scope=\"row\" colspan=\"4\">%s</th><td class=\"num\">%s</td></tr>",
                    label, money(r, c, cur, inv->taxes[i].tax));
    }
    if (inv->n_taxes == 0) {
        char label[160];
        invoice_tax_total_label(r->lang, c, inv, label, sizeof label);
        html_render(b, "<tr><th scope=\"row\" colspan=\"4\">%s</th><td class=\"num\">%s</td></tr>",
                    label, money(r, c, cur, inv->tax_total));
    }
    html_render(b,
                "<tr class=\"total\"><th scope=\"row\" colspan=\"4\">%s</th><td class=\"num\">%s"
                "</td></tr>",
                T("Total"), money(r, c, cur, inv->total));
    html_render(b, "<tr><th scope=\"row\" colspan=\"4\">%s</th><td class=\"num\">%s</td></tr>",
                T("Amount paid"), money(r, c, cur, inv->amount_paid));
    html_render(b,
                "<tr class=\"total\"><th scope=\"row\" colspan=\"4\">%s</th><td class=\"num\">%s"
                "</td></tr></tfoot></table></div>",
                T("Balance due"), money(r, c, cur, inv->total - inv->amount_paid));
}

void invoice_document(req_t *r, const invoice_doc_t *inv, const char *pdf_href)
{
    document_header(r, inv, pdf_href);
    document_parties(r, inv);
    document_lines(r, inv);
    if (inv->n_payments) {
        buf_t *b = &r->resp.body;
        html_render(b,
                    "<section class=\"how-to-pay\" aria-labelledby=\"inv-pay\">"
                    "<h2 id=\"inv-pay\">%s</h2>",
                    T("How to pay"));
        const char *intro = invoice_payment_intro(r->lang, inv->n_payments);
        if (intro) html_render(b, "<p>%s</p>", intro);
        for (size_t i = 0; i < inv->n_payments; i++) {
            const invoice_payment_t *pay = &inv->payments[i];
            html_render(b, "<p>%s</p>", invoice_payment_note(r->lang, pay->method));
            char *remit = invoice_remit_text(r->lang, pay->remit_to);
            if (remit && *remit) {
                html_render(b, "<p class=\"remit-to\">");
                for (const char *p = remit; *p;) {
                    size_t len = strcspn(p, "\n");
                    html_render(b, "%s", arena_strndup(r->arena, p, len));
                    p += len;
                    if (*p == '\n' && *++p) html_render(b, "<br>");
                }
                html_render(b, "</p>");
            }
            free(remit);
        }
        html_render(b, "</section>");
    }
    html_render(&r->resp.body, "</article><script src=\"/static/print.js\" defer></script>");
}

bool load_invoice_for(req_t *r, int64_t account_id, invoice_doc_t *inv)
{
    /* Someone else's invoice answers exactly like one that does not exist. */
    return !answer_status(
        r, invoice_view(r->svc, r->arena, r->n_params > 0 ? r->params[0] : NULL, account_id, inv));
}

void send_invoice_pdf(req_t *r, const invoice_doc_t *inv)
{
    char err[256];
    buf_t pdf;
    buf_init(&pdf, r->arena);
    if (!invoice_pdf_render(inv, &pdf, err, sizeof err)) {
        page_error(r, 503);
        return;
    }
    r->resp.body = pdf;
    r->resp.content_type = "application/pdf";
    /* "Download PDF" means a file saved, not a viewer tab (the HTML view is there to read). */
    resp_header(
        r, "Content-Disposition",
        arena_printf(r->arena, "attachment; filename=\"%s\"", invoice_pdf_filename(inv, r->arena)));
}

void invoice_history_page(req_t *r, section_t section, const char *base_path, const char *help)
{
    int64_t account_id = 0;
    const char *country = NULL;
    if (!current_account(r, &account_id, &country)) return;
    invoice_summary_t *rows = NULL;
    size_t n = 0;
    if (answer_status(r, invoice_history_view(r->svc, r->arena, account_id, INVOICE_HISTORY_LIMIT,
                                              &rows, &n)))
        return;
    layout_begin(r, section, T("Invoice History"));
    buf_t *b = &r->resp.body;
    buf_lit(b, "<h1>");
    html_escape(b, T("Invoice History"));
    buf_lit(b, "</h1><p class=\"help\">");
    html_escape(b, help);
    buf_lit(b, "</p>");
    invoice_history_table(r, rows, n, country, base_path);
    layout_end(r);
}

void invoice_view_page(req_t *r, section_t section, const char *base_path)
{
    int64_t account_id = 0;
    invoice_doc_t inv;
    if (!current_account(r, &account_id, NULL) || !load_invoice_for(r, account_id, &inv)) return;
    layout_begin(r, section, arena_printf(r->arena, "%s %s", T("Invoice"), inv.number));
    invoice_document(r, &inv, arena_printf(r->arena, "%s/%s/pdf", base_path, inv.number));
    layout_end(r);
}

void invoice_pdf_page(req_t *r)
{
    int64_t account_id = 0;
    invoice_doc_t inv;
    if (!current_account(r, &account_id, NULL) || !load_invoice_for(r, account_id, &inv)) return;
    send_invoice_pdf(r, &inv);
}

static const char print_script[] =
    "document.querySelectorAll('[data-print]').forEach(function (b) {\n"
    "  b.hidden = false;\n"
    "  b.addEventListener('click', function () { window.print(); });\n"
    "});\n";

void page_print_script(req_t *r)
{
    r->resp.content_type = "text/javascript; charset=utf-8";
    resp_header(r, "Cache-Control", "public, max-age=3600");
    buf_append(&r->resp.body, print_script, sizeof print_script - 1);
}
