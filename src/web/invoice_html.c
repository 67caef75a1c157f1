/* What the invoice pages share: the Invoice History table, the printable invoice, the PDF. */
#include "billing/calendar.h"
#include "i18n/format.h"
#include "pages.h"
#include "render/invoice_pdf.h"
#include "render/invoice_text.h"
#include "services/invoice_views.h"
#include "services/invoices.h"
#include "services/payment_views.h"
#include "services/payments.h"

#include <pthread.h>
#include <stdatomic.h>
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

static inline void put_raw(buf_t *b, text_t t)
{
    buf_put_raw(b, t.s, t.n);
}

/* escaped_text of a value read from a row (the invoice number): one pass measures it and looks
 * for a byte to escape (strcspn and strlen were two, 60 instructions a row). */
static text_t escaped_value(req_t *r, const char *s)
{
    static const bool stop[256] = {
        ['\0'] = true, ['&'] = true, ['<'] = true, ['>'] = true, ['"'] = true, ['\''] = true};
    const unsigned char *p = (const unsigned char *)s;
    while (!stop[*p])
        p++;
    if (!*p) return (text_t){s, (size_t)((const char *)p - s)};
    return escaped_text(r, s);
}

/* What t holds, as a text of its own; t is emptied for the next one. */
static text_t take(req_t *r, buf_t *t)
{
    text_t out = {arena_strndup(r->arena, t->data, t->len), t->len};
    t->len = 0;
    t->data[0] = '\0';
    return out;
}

/* The Invoice History table, written a row at a time as the rows arrive. What every row repeats
 * (the labels, the path, the words around the invoice number in the PDF link's name, the markup
 * between a row's values) is put together once per table, escaped, and appended in one piece in
 * each row. */
typedef struct {
    text_t before_number, before_date, before_due, before_total, before_balance,
        before_label_number, row_end, last_row_end, on_receipt, pdf_after;
    /* "Pay now" after a balance (the portal's only): before the number, after it, the end. */
    text_t pay_before, pay_mid, pay_end;
    /* Each state's label, escaped ("Overdue" in bold, not by its colour alone), with the
     * markup before it and, up to the PDF link's path, after it: one piece a row. */
    text_t status_tail[SHOWN_COUNT];
    const char *pdf_of; /* the PDF link's name, when it could not be split at its %s */
} history_frags_t;

typedef struct {
    req_t *r;
    buf_t *b;
    size_t n; /* rows written */
    history_frags_t f;
    format_ctx_t fc;
    char today[11]; /* the vendor's, for "overdue" */
    bool pay;       /* "Pay now" on a balance: the portal with a payment gateway */
    /* The last total written, where it lies in b: a balance equal to it (nothing paid) or the
     * next row's equal total is copied from there instead of formatted again. */
    char total_currency[4];
    int64_t total_value;
    size_t total_at, total_len;
} history_table_t;

/* The fragments for r's language and base_path, in r's arena. */
static void history_frags_make(req_t *r, const char *base_path, history_frags_t *t)
{
    memset(t, 0, sizeof *t);
    text_t e_number = escaped_text(r, T("Invoice Number")), e_date = escaped_text(r, T("Date")),
           e_due = escaped_text(r, T("Due date")), e_total = escaped_text(r, T("Total")),
           e_balance = escaped_text(r, T("Balance due")), e_status = escaped_text(r, T("Status")),
           e_download = escaped_text(r, T("Download")), e_base = escaped_text(r, base_path);
    t->on_receipt = escaped_text(r, T("Due on receipt"));
    const char *pdf_of = T("PDF of invoice %s");
    const char *hole = strstr(pdf_of, "%s");
    /* The sentence split at its one %s; any other directive and each row renders it whole. */
    bool split = hole && !strchr(hole + 2, '%') && strchr(pdf_of, '%') == hole;
    text_t pdf_before = {"", 0};
    if (split) {
        pdf_before = escaped_text(r, arena_strndup(r->arena, pdf_of, (size_t)(hole - pdf_of)));
        t->pdf_after = escaped_text(r, hole + 2);
    } else {
        t->pdf_of = pdf_of;
    }
    /* The table's head first: "stack" shows each row as a card of labels (data-label, the column
     * headers again) and values on a phone, so that no column is out of sight to the right. */
    buf_t h;
    buf_init(&h, r->arena);
    buf_lit(&h, "<div class=\"table-wrap\"><table class=\"invoices stack\"><caption>");
    /* Staff read another account's invoices: "your" would be the wrong person. */
    html_escape(&h, section_of_path(base_path) == SECTION_STAFF
                        ? T("The account's most recent invoices, newest first")
                        : T("Your most recent invoices, newest first"));
    buf_lit(&h, "</caption><thead><tr><th scope=\"col\">");
    put_text(&h, e_number);
    buf_lit(&h, "</th><th scope=\"col\">");
    put_text(&h, e_date);
    buf_lit(&h, "</th><th scope=\"col\">");
    put_text(&h, e_due);
    buf_lit(&h, "</th><th scope=\"col\" class=\"num\">");
    put_text(&h, e_total);
    buf_lit(&h, "</th><th scope=\"col\" class=\"num\">");
    put_text(&h, e_balance);
    buf_lit(&h, "</th><th scope=\"col\">");
    put_text(&h, e_status);
    buf_lit(&h, "</th><th scope=\"col\"><span class=\"sr-only\">");
    put_text(&h, e_download);
    buf_lit(&h, "</span></th></tr></thead><tbody>");
    buf_lit(&h, "<tr><th scope=\"row\" class=\"nowrap\" data-label=\"");
    put_text(&h, e_number);
    buf_lit(&h, "\"><a href=\"");
    put_text(&h, e_base);
    buf_lit(&h, "/");
    /* The head and the first row's start in one piece: written when the first row comes. */
    t->before_number = take(r, &h);
    buf_lit(&h, "</a></th><td class=\"nowrap\" data-label=\"");
    put_text(&h, e_date);
    buf_lit(&h, "\">");
    t->before_date = take(r, &h);
    buf_lit(&h, "</td><td class=\"nowrap\" data-label=\"");
    put_text(&h, e_due);
    buf_lit(&h, "\">");
    t->before_due = take(r, &h);
    buf_lit(&h, "</td><td class=\"num\" data-label=\"");
    put_text(&h, e_total);
    buf_lit(&h, "\">");
    t->before_total = take(r, &h);
    buf_lit(&h, "</td><td class=\"num\" data-label=\"");
    put_text(&h, e_balance);
    buf_lit(&h, "\">");
    t->before_balance = take(r, &h);
    for (int i = 0; i < SHOWN_COUNT; i++) {
        buf_lit(&h, "</td><td data-label=\"");
        put_text(&h, e_status);
        buf_lit(&h, "\">");
        if (i == SHOWN_OVERDUE) buf_lit(&h, "<strong class=\"overdue\">");
        html_escape(&h, invoice_status_label(r, shown_state_names[i]));
        if (i == SHOWN_OVERDUE) buf_lit(&h, "</strong>");
        buf_lit(&h, "</td><td data-label=\"");
        put_text(&h, e_download);
        buf_lit(&h, "\"><a href=\"");
        put_text(&h, e_base);
        buf_lit(&h, "/");
        t->status_tail[i] = take(r, &h);
    }
    buf_lit(&h, "/pdf\" aria-label=\"");
    put_text(&h, pdf_before);
    t->before_label_number = take(r, &h);
    /* A row's end alone (the last row's, with the table's), and with the next row's start. */
    put_text(&h, t->pdf_after);
    buf_lit(&h, "\">PDF</a></td></tr></tbody></table></div>");
    t->last_row_end = take(r, &h);
    put_text(&h, t->pdf_after);
    buf_lit(&h, "\">PDF</a></td></tr><tr><th scope=\"row\" class=\"nowrap\" data-label=\"");
    put_text(&h, e_number);
    buf_lit(&h, "\"><a href=\"");
    put_text(&h, e_base);
    buf_lit(&h, "/");
    t->row_end = take(r, &h);
    /* The link names its invoice for a screen reader's list of links ("Pay now: INV-…"). */
    buf_lit(&h, "<br><a class=\"pay-now nowrap\" href=\"");
    put_text(&h, e_base);
    buf_lit(&h, "/");
    t->pay_before = take(r, &h);
    buf_lit(&h, "/pay\">");
    html_escape(&h, T("Pay now"));
    buf_lit(&h, "<span class=\"sr-only\">: ");
    t->pay_mid = take(r, &h);
    buf_lit(&h, "</span></a>");
    t->pay_end = take(r, &h);
}

/* The fragments are the program's markup and its catalogs' words, nothing read from the
 * database: made once per language for each table's path and kept for the process's life
 * (their making was 5,000 instructions a page: 10 look-ups in the catalogs, escapes, copies). */
static const char *const frag_paths[] = {"/corporate/invoices", "/billing/invoices",
                                         "/staff/invoices"};
enum { FRAG_PATHS = sizeof frag_paths / sizeof frag_paths[0] };
static history_frags_t frag_cache[LANG_COUNT][FRAG_PATHS];
static atomic_bool frag_ready[LANG_COUNT][FRAG_PATHS];
static pthread_mutex_t frag_lock = PTHREAD_MUTEX_INITIALIZER;
static arena_t *frag_arena;

static void history_frags(req_t *r, const char *base_path, history_frags_t *out)
{
    int p = 0;
    while (p < FRAG_PATHS && strcmp(frag_paths[p], base_path) != 0)
        p++;
    if (p == FRAG_PATHS || (unsigned)r->lang >= LANG_COUNT) {
        history_frags_make(r, base_path, out);
        return;
    }
    if (!atomic_load_explicit(&frag_ready[r->lang][p], memory_order_acquire)) {
        pthread_mutex_lock(&frag_lock);
        if (!frag_arena) frag_arena = arena_new();
        if (frag_arena && !atomic_load_explicit(&frag_ready[r->lang][p], memory_order_relaxed)) {
            req_t maker;
            memset(&maker, 0, sizeof maker);
            maker.lang = r->lang;
            maker.arena = frag_arena;
            history_frags_make(&maker, frag_paths[p], &frag_cache[r->lang][p]);
            atomic_store_explicit(&frag_ready[r->lang][p], true, memory_order_release);
        }
        pthread_mutex_unlock(&frag_lock);
        if (!frag_arena) {
            history_frags_make(r, base_path, out);
            return;
        }
    }
    *out = frag_cache[r->lang][p];
}

static void history_table_start(history_table_t *t, req_t *r, const char *country,
                                const char *base_path)
{
    memset(t, 0, sizeof *t);
    t->r = r;
    t->b = &r->resp.body;
    history_frags(r, base_path, &t->f);
    format_ctx_init(&t->fc, r->lang, country);
    balances_today(r->svc, r->now, t->today);
    t->pay = section_of_path(base_path) == SECTION_CORPORATE && payments_gateway() != NULL;
}

/* Appends the amount, copied from the last total written when it is the same amount in the same
 * currency (then formatting it would give the same text). */
static void history_amount(history_table_t *t, const char *currency, int64_t minor, bool is_total)
{
    buf_t *b = t->b;
    bool same = t->total_len && minor == t->total_value && strcmp(currency, t->total_currency) == 0;
    if (same) {
        if (b->len + t->total_len + 1 > b->cap) buf_grow(b, t->total_len);
        memcpy(b->data + b->len, b->data + t->total_at, t->total_len);
        b->len += t->total_len;
        b->data[b->len] = '\0';
    } else {
        size_t at = b->len;
        format_money_html(b, &t->fc, currency, minor);
        if (is_total && strlen(currency) < sizeof t->total_currency) {
            memcpy(t->total_currency, currency, strlen(currency) + 1);
            t->total_value = minor;
            t->total_at = at;
            t->total_len = b->len - at;
            return;
        }
    }
    if (is_total && same) t->total_at = b->len - t->total_len;
}

static bool history_table_row(void *ctx, const invoice_summary_ref_t *v)
{
    history_table_t *t = ctx;
    req_t *r = t->r;
    buf_t *b = t->b;
    text_t start = t->n++ ? t->f.row_end : t->f.before_number;
    text_t e_inv = escaped_value(r, v->number);
    buf_reserve(b, start.n + 2 * e_inv.n + 2 + t->f.before_date.n);
    put_raw(b, start);
    put_raw(b, e_inv);
    buf_put_raw(b, "\">", 2);
    put_raw(b, e_inv);
    put_raw(b, t->f.before_date);
    buf_end_raw(b);
    format_date_html(b, &t->fc, v->issue_date);
    put_text(b, t->f.before_due);
    if (strcmp(v->due_date, v->issue_date) == 0)
        put_text(b, t->f.on_receipt);
    else
        format_date_html(b, &t->fc, v->due_date);
    put_text(b, t->f.before_total);
    history_amount(t, v->currency, v->total, true);
    put_text(b, t->f.before_balance);
    int64_t balance = v->total - v->amount_paid;
    history_amount(t, v->currency, balance, false);
    shown_state_t state = invoice_shown(v->status, v->total, v->amount_paid, v->due_date, t->today);
    if (t->pay && balance > 0 && state != SHOWN_VOID) {
        put_text(b, t->f.pay_before);
        put_text(b, e_inv);
        put_text(b, t->f.pay_mid);
        put_text(b, e_inv);
        put_text(b, t->f.pay_end);
    }
    text_t tail = t->f.status_tail[state];
    buf_reserve(b, tail.n + 2 * e_inv.n + t->f.before_label_number.n);
    put_raw(b, tail);
    put_raw(b, e_inv);
    put_raw(b, t->f.before_label_number);
    if (!t->f.pdf_of) put_raw(b, e_inv);
    buf_end_raw(b);
    if (t->f.pdf_of) html_text(b, t->f.pdf_of, v->number);
    return true;
}

static void history_table_end(history_table_t *t)
{
    req_t *r = t->r;
    buf_t *b = t->b;
    if (t->n == 0) {
        html_render(b, "<p>%s</p>", T("There are no invoices yet."));
        return;
    }
    put_text(b, t->f.last_row_end);
}

void invoice_history_table(req_t *r, const invoice_summary_t *rows, size_t n, const char *country,
                           const char *base_path)
{
    history_table_t t;
    history_table_start(&t, r, country, base_path);
    for (size_t i = 0; i < n; i++) {
        const invoice_summary_t *v = &rows[i];
        invoice_summary_ref_t ref = {v->total,    v->amount_paid, v->number, v->issue_date,
                                     v->due_date, v->currency,    v->status};
        history_table_row(&t, &ref);
    }
    history_table_end(&t);
}

/* The state people read: "Overdue" in words and weight. */
static void shown_state(req_t *r, const invoice_doc_t *inv)
{
    const char *state = inv->shown_state ? inv->shown_state : inv->status;
    if (strcmp(state, "overdue") == 0)
        html_render(&r->resp.body, "<strong class=\"overdue\">%s</strong>",
                    invoice_status_label(r, state));
    else
        html_render(&r->resp.body, "%s", invoice_status_label(r, state));
}

static void document_header(req_t *r, const invoice_doc_t *inv, const char *pdf_href,
                            const char *pay_href)
{
    buf_t *b = &r->resp.body;
    html_render(b, "<div class=\"actions no-print\">");
    /* With "Pay now" first and primary, Print steps back beside the PDF link. */
    if (pay_href)
        html_render(b,
                    "<a class=\"button primary\" href=\"%s\">%s</a> <button type=\"button\" "
                    "class=\"secondary\" data-print hidden>%s</button>",
                    pay_href, T("Pay now"), T("Print"));
    else
        html_render(b, "<button type=\"button\" class=\"primary\" data-print hidden>%s</button>",
                    T("Print"));
    html_render(b, " <a class=\"button\" href=\"%s\">%s</a></div>", pdf_href, T("Download PDF"));
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
    html_render(b, "<dt>%s</dt><dd>", T("Status"));
    shown_state(r, inv);
    html_render(b, "</dd>");
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

/* A change line: what happened and for which dates across the product and period columns
 * (invoice_change_text), its charge for those days, and on a row of its own below, indented, the
 * credit for what the period had already been charged, negative: the two add up to the line's
 * amount (invoice_change_amounts). The frequency follows unless the description names it. */
static void document_change_line(req_t *r, const invoice_doc_t *inv, const invoice_line_t *l,
                                 const char *frequency)
{
    buf_t *b = &r->resp.body;
    const char *c = inv->country, *cur = inv->currency;
    char text[512];
    invoice_change_text(r->lang, c, l, text, sizeof text);
    int64_t charge, credit;
    invoice_change_amounts(l, inv->tax_mode, &charge, &credit);
    bool period_changed = *l->from_period && strcmp(l->from_period, l->billing_period) != 0;
    html_render(b, "<tr class=\"change%s\"><td colspan=\"2\" data-label=\"%s\">%s",
                l->credit > 0 ? " has-credit" : "", T("Product"), text);
    if (!period_changed) html_render(b, " <span class=\"muted\">(%s)</span>", frequency);
    html_render(b,
                "</td><td class=\"num\" data-label=\"%s\">%L</td><td class=\"num\" "
                "data-label=\"%s\">%s</td><td class=\"num\" data-label=\"%s\">%s</td></tr>",
                T("Seats"), l->seats, T("Unit price"), money(r, c, cur, l->unit_amount),
                T("Amount"), money(r, c, cur, charge));
    if (l->credit > 0)
        html_render(b,
                    "<tr class=\"credit\"><td colspan=\"4\" class=\"less\">%s</td>"
                    "<td class=\"num\" data-label=\"%s\">%s</td></tr>",
                    invoice_credit_text(r->lang), T("Amount"), money(r, c, cur, -credit));
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
        const char *frequency =
            strcmp(l->billing_period, "annual") == 0 ? T("annual") : T("monthly");
        if (l->is_change) {
            document_change_line(r, inv, l, frequency);
            continue;
        }
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
            product, l->product_name, frequency, period, day(r, c, l->period_start),
            day(r, c, last), seats, l->seats, unit, money(r, c, cur, l->unit_amount), amount,
            money(r, c, cur, l->net));
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

/* "Payments received": each payment applied to the invoice, under the totals. */
static void document_received(req_t *r, const invoice_doc_t *inv)
{
    if (!inv->n_received) return;
    buf_t *b = &r->resp.body;
    const char *c = inv->country, *cur = inv->currency;
    const char *date = T("Date"), *method = T("Method"), *amount = T("Amount");
    html_render(b,
                "<section class=\"received\" aria-labelledby=\"inv-received\">"
                "<h2 id=\"inv-received\">%s</h2><div class=\"table-wrap\"><table class=\"stack\">"
                "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\" class=\"num\">%s</th></tr></thead><tbody>",
                T("Payments received"), date, method, amount);
    for (size_t i = 0; i < inv->n_received; i++) {
        const invoice_received_t *p = &inv->received[i];
        char how[256];
        invoice_received_method(r->lang, p, how, sizeof how);
        html_render(b, "<tr><td class=\"nowrap\" data-label=\"%s\">%s</td><td data-label=\"%s\">%s",
                    date, day(r, c, p->date), method, how);
        /* A bounced check stays listed, marked: the balance it reopened is due again. */
        if (p->reversed) html_render(b, " <strong>(%s)</strong>", T("reversed"));
        html_render(b, "</td><td class=\"num\" data-label=\"%s\">%s</td></tr>", amount,
                    money(r, c, cur, p->amount));
    }
    /* The balance due is the totals' last row, just above. */
    html_render(b, "</tbody></table></div></section>");
}

const char *invoice_pay_href(req_t *r, const invoice_doc_t *inv)
{
    if (!payments_gateway() || inv->total <= inv->amount_paid || strcmp(inv->status, "void") == 0)
        return NULL;
    return arena_printf(r->arena, "/corporate/invoices/%s/pay", inv->number);
}

void invoice_document(req_t *r, const invoice_doc_t *inv, const char *pdf_href)
{
    invoice_document_pay(r, inv, pdf_href, NULL);
}

void invoice_document_pay(req_t *r, const invoice_doc_t *inv, const char *pdf_href,
                          const char *pay_href)
{
    document_header(r, inv, pdf_href, pay_href);
    document_parties(r, inv);
    document_lines(r, inv);
    document_received(r, inv);
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
    status_t st =
        invoice_view(r->svc, r->arena, r->n_params > 0 ? r->params[0] : NULL, account_id, inv);
    if (st == STATUS_OK) st = invoice_fill_received(r->svc, r->arena, inv, r->now);
    return !answer_status(r, st);
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
    layout_begin(r, section, T("Invoice History"));
    buf_t *b = &r->resp.body;
    buf_lit(b, "<h1>");
    html_escape(b, T("Invoice History"));
    buf_lit(b, "</h1><p class=\"help\">");
    html_escape(b, help);
    buf_lit(b, "</p>");
    /* The rows go straight from the database into the table; should reading them fail halfway,
     * the error page replaces everything written (answer_status starts the body again). */
    history_table_t t;
    history_table_start(&t, r, country, base_path);
    if (answer_status(r, invoice_history_each(r->svc, account_id, INVOICE_HISTORY_LIMIT,
                                              history_table_row, &t)))
        return;
    history_table_end(&t);
    layout_end(r);
}

void invoice_view_page(req_t *r, section_t section, const char *base_path)
{
    int64_t account_id = 0;
    invoice_doc_t inv;
    if (!current_account(r, &account_id, NULL) || !load_invoice_for(r, account_id, &inv)) return;
    layout_begin(r, section, arena_printf(r->arena, "%s %s", T("Invoice"), inv.number));
    const char *pay = section == SECTION_CORPORATE ? invoice_pay_href(r, &inv) : NULL;
    invoice_document_pay(r, &inv, arena_printf(r->arena, "%s/%s/pdf", base_path, inv.number), pay);
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

void balances_card(req_t *r, const account_t *acc)
{
    balance_view_t *v = NULL;
    size_t n = 0;
    /* The page is still worth having without its balances: a failed read leaves the card out. */
    if (account_balances(r->svc, r->arena, acc->id, acc->currency, r->now, &v, &n) != STATUS_OK)
        return;
    buf_t *b = &r->resp.body;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"balances\"><h2 id=\"balances\">%s</h2>",
                T("Balance"));
    for (size_t i = 0; i < n; i++) {
        const char *cur = v[i].currency;
        html_render(b, "<dl class=\"facts\">");
        if (n > 1) html_render(b, "<dt>%s</dt><dd>%s</dd>", T("Currency"), cur);
        html_render(b, "<dt>%s</dt><dd data-balance=\"outstanding\">%s</dd>",
                    T("Total outstanding"), money(r, acc->country, cur, v[i].outstanding));
        html_render(b, "<dt>%s</dt><dd data-balance=\"overdue\">", T("Overdue"));
        /* Overdue money stands out in words and weight, not by its colour alone. */
        if (v[i].overdue > 0)
            html_render(b, "<strong class=\"overdue\">%s</strong>",
                        money(r, acc->country, cur, v[i].overdue));
        else
            html_render(b, "%s", money(r, acc->country, cur, 0));
        html_render(b, "</dd>");
        if (v[i].credit > 0)
            html_render(b, "<dt>%s</dt><dd data-balance=\"credit\">%s</dd>", T("Account credit"),
                        money(r, acc->country, cur, v[i].credit));
        html_render(b, "</dl>");
    }
    html_render(b, "</section>");
}

/* A payment's state in words. */
static const char *payment_state_label(req_t *r, const char *state)
{
    if (strcmp(state, "pending") == 0) return T("Pending");
    if (strcmp(state, "processing") == 0) return T("Processing");
    if (strcmp(state, "succeeded") == 0) return T("Succeeded");
    if (strcmp(state, "failed") == 0) return T("Failed");
    if (strcmp(state, "expired") == 0) return T("Page expired");
    if (strcmp(state, "unknown") == 0) return T("Unknown: to be reconciled");
    if (strcmp(state, "reversed") == 0) return T("Reversed");
    return state;
}

void payments_section(req_t *r, const account_t *acc)
{
    payment_t *p = NULL;
    size_t n = 0;
    buf_t *b = &r->resp.body;
    if (payments_list(r->svc, r->arena, acc->id, 0, &p, &n) != STATUS_OK) return;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"payments\"><h2 id=\"payments\">%s</h2>",
                T("Payments"));
    if (n == 0) {
        html_render(b, "<p>%s</p></section>", T("There are no payments yet."));
        return;
    }
    const char *date = T("Date"), *invoice = T("Invoice"), *method = T("Method"),
               *amount = T("Amount"), *state = T("State"), *ref = T("Gateway reference");
    html_render(b,
                "<div class=\"table-wrap\"><table class=\"stack\"><caption class=\"sr-only\">%s"
                "</caption><thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
                T("Every payment of the account, newest first"), date, invoice, method, amount,
                state, ref);
    char zone_today[11];
    pay_staff_t who = staff_pay_ctx(r);
    bool may_open = pay_staff_may_record(&who);
    for (size_t i = 0; i < n; i++) {
        const payment_t *x = &p[i];
        invoice_received_t rc = {.method = x->method,
                                 .card_brand = x->card_brand,
                                 .card_last4 = x->card_last4,
                                 .reference = x->reference};
        char how[256];
        invoice_received_method(r->lang, &rc, how, sizeof how);
        const char *when = x->received_date;
        if (!when || !*when) {
            /* The day it settled, else the day it started, in the vendor's time zone. */
            balances_day(r->svc, r->now, x->settled_at ? x->settled_at : x->created_at, zone_today);
            when = zone_today;
        }
        /* Those who may open a payment (its ledger, refunds, reversal) get a link to it. */
        if (may_open)
            html_render(b,
                        "<tr><td class=\"nowrap\" data-label=\"%s\"><a href=\"/staff/payments/"
                        "%L\">%s</a></td><td data-label=\"%s\">",
                        date, (int64_t)x->id, day(r, acc->country, when), invoice);
        else
            html_render(b,
                        "<tr><td class=\"nowrap\" data-label=\"%s\">%s</td><td data-label=\"%s\">",
                        date, day(r, acc->country, when), invoice);
        if (x->invoice_number && *x->invoice_number)
            html_render(b, "<a class=\"nowrap\" href=\"/staff/invoices/%s\">%s</a>",
                        x->invoice_number, x->invoice_number);
        else
            html_render(b, "%s", T("None (account credit)"));
        html_render(b,
                    "</td><td data-label=\"%s\">%s</td><td class=\"num\" data-label=\"%s\">%s</td>"
                    "<td data-label=\"%s\">%s</td><td data-label=\"%s\"><code>%s</code>",
                    method, how, amount, money(r, acc->country, x->currency, x->amount), state,
                    payment_state_label(r, x->state), ref, x->session_ref);
        if (*x->payment_ref) html_render(b, "<br><code>%s</code>", x->payment_ref);
        html_render(b, "</td></tr>");
    }
    html_render(b, "</tbody></table></div></section>");
}
