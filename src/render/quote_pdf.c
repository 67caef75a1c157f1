/* The quote PDF, in the layout of the invoice PDF (invoice_pdf.c): seller and quote facts, Bill
 * To and the sales rep, the lines (what each does and from when), what is due on acceptance and
 * the annual amount from the next renewal, payment terms and the note to the customer. Rows that
 * do not fit go to a new page under the table header again. */
#include "render/quote_doc.h"

#include "billing/calendar.h"
#include "i18n/address.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "render/pdf_text.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define LETTER_W 612.0
#define LETTER_H 792.0
#define A4_W 595.28
#define A4_H 841.89
#define MARGIN 48.0
#define FOOTER_H 34.0
#define CELL_PAD 5.0
#define COL_GAP 8.0

enum { TEXT_MAX = QUOTE_TEXT_MAX, DATE_MAX = 64 };

static const pdf_rgb_t INK = {0.13, 0.14, 0.16};
static const pdf_rgb_t MUTED = {0.40, 0.42, 0.46};
static const pdf_rgb_t ACCENT = {0.09, 0.24, 0.42};
static const pdf_rgb_t RULE = {0.80, 0.82, 0.86};
static const pdf_rgb_t SHADE = {0.93, 0.95, 0.97};

typedef struct {
    pdf_canvas_t c;
    const quote_doc_t *d;
    const quote_t *q;
    lang_t lang;
    const char *country;
    double w, h, left, right;
    int page;
} pdf_t;

static const char *S(const char *s)
{
    return s ? s : "";
}

static void money(pdf_t *p, int64_t minor, char out[TEXT_MAX])
{
    format_money(p->lang, p->country, p->q->currency, minor, out, TEXT_MAX);
}

static void date(pdf_t *p, const char *iso, char out[DATE_MAX])
{
    if (!format_date(p->lang, p->country, iso, out, DATE_MAX))
        snprintf(out, DATE_MAX, "%s", S(iso));
}

static double max_d(double a, double b)
{
    return a > b ? a : b;
}

/* ---- the lines table ---- */

enum { C_WHAT, C_SEATS, C_UNIT, C_DISCOUNT, C_NOW, C_ANNUAL, C_COUNT };

static const char *const column_labels[C_COUNT] = {N_("Description"),       N_("Seats"),
                                                   N_("Unit price"),        N_("Discount"),
                                                   N_("Due on acceptance"), N_("Annual amount")};

typedef struct {
    double x[C_COUNT], w[C_COUNT];
    double header_h;
} table_t;

static void table_columns(pdf_t *p, table_t *t)
{
    double seats = max_d(30, pdf_text_width(&p->c, F_HEADING, tr(p->lang, "Seats")) + 1);
    const double widths[C_COUNT] = {0, seats, 66, 56, 72, 72};
    double fixed = 0;
    for (int i = 1; i < C_COUNT; i++)
        fixed += widths[i] + COL_GAP;
    double x = p->left;
    for (int i = 0; i < C_COUNT; i++) {
        t->x[i] = x;
        t->w[i] = i == C_WHAT ? p->right - p->left - fixed : widths[i];
        x += t->w[i] + COL_GAP;
    }
}

static double table_header(pdf_t *p, const table_t *t, double y, bool draw)
{
    double hh = 0;
    for (int i = 0; i < C_COUNT; i++)
        hh = max_d(hh,
                   pdf_text(&p->c, F_HEADING, tr(p->lang, column_labels[i]), t->x[i], y + CELL_PAD,
                            t->w[i], i == C_WHAT ? AL_LEFT : AL_RIGHT, ACCENT, false));
    double h = hh + 2 * CELL_PAD;
    if (draw) {
        pdf_fill_rect(&p->c, p->left - 4, y, p->right - p->left + 8, h, SHADE);
        for (int i = 0; i < C_COUNT; i++)
            pdf_text(&p->c, F_HEADING, tr(p->lang, column_labels[i]), t->x[i], y + CELL_PAD,
                     t->w[i], i == C_WHAT ? AL_LEFT : AL_RIGHT, ACCENT, true);
        pdf_hline(&p->c, p->left - 4, p->right + 4, y + h, 0.8, ACCENT);
    }
    return h;
}

static double table_row(pdf_t *p, const table_t *t, const quote_line_t *l, double y, bool draw)
{
    char what[TEXT_MAX], when[TEXT_MAX], buf[TEXT_MAX];
    quote_line_text(p->lang, p->country, p->q, l, what, when);
    double top = y + CELL_PAD;
    double h = pdf_text(&p->c, F_BODY, what, t->x[C_WHAT], top, t->w[C_WHAT], AL_LEFT, INK, draw);
    if (*when)
        h += 1 + pdf_text(&p->c, F_SMALL, when, t->x[C_WHAT], top + h + 1, t->w[C_WHAT], AL_LEFT,
                          MUTED, draw);
    if (draw) {
        snprintf(buf, sizeof buf, "%" PRId64, l->seats);
        pdf_text(&p->c, F_BODY, buf, t->x[C_SEATS], top, t->w[C_SEATS], AL_RIGHT, INK, true);
        bool removes = quote_line_annual(l) < 0;
        if (removes)
            snprintf(buf, sizeof buf, "—");
        else
            money(p, l->unit_amount, buf);
        pdf_text(&p->c, F_BODY, buf, t->x[C_UNIT], top, t->w[C_UNIT], AL_RIGHT, INK, true);
        quote_discount_text(p->lang, p->country, p->q->currency, l, buf);
        pdf_text(&p->c, F_BODY, *buf ? buf : "—", t->x[C_DISCOUNT], top, t->w[C_DISCOUNT], AL_RIGHT,
                 INK, true);
        if (quote_line_due_now(l))
            money(p, l->due_now, buf);
        else
            snprintf(buf, sizeof buf, "—");
        pdf_text(&p->c, F_BODY, buf, t->x[C_NOW], top, t->w[C_NOW], AL_RIGHT, INK, true);
        if (removes)
            snprintf(buf, sizeof buf, "—");
        else
            money(p, quote_line_annual(l), buf);
        pdf_text(&p->c, F_BODY, buf, t->x[C_ANNUAL], top, t->w[C_ANNUAL], AL_RIGHT, INK, true);
        pdf_hline(&p->c, p->left - 4, p->right + 4, y + h + 2 * CELL_PAD, 0.4, RULE);
    }
    return h + 2 * CELL_PAD;
}

/* ---- blocks ---- */

static double page_one_header(pdf_t *p, double y)
{
    const quote_vendor_t *v = &p->d->vendor;
    const quote_t *q = p->q;
    char buf[TEXT_MAX];
    double half = (p->right - p->left) * 0.5;

    double ly = y;
    ly += pdf_text(&p->c, F_VENDOR, S(v->name), p->left, ly, half - 10, AL_LEFT, ACCENT, true) + 4;
    if (*S(v->address))
        ly += pdf_text(&p->c, F_BODY, v->address, p->left, ly, half - 10, AL_LEFT, MUTED, true);
    if (*S(v->country)) {
        format_country(p->lang, v->country, buf, TEXT_MAX);
        ly += pdf_text(&p->c, F_BODY, buf, p->left, ly, half - 10, AL_LEFT, MUTED, true);
    }
    if (*S(v->email))
        ly += pdf_text(&p->c, F_BODY, v->email, p->left, ly, half - 10, AL_LEFT, MUTED, true);
    if (*S(v->tax_id)) {
        snprintf(buf, sizeof buf, tr(p->lang, "Tax ID: %s"), v->tax_id);
        ly += pdf_text(&p->c, F_BODY, buf, p->left, ly, half - 10, AL_LEFT, MUTED, true);
    }

    double rx = p->left + half, rw = half;
    double ry = y - 4;
    ry += pdf_text(&p->c, F_TITLE, tr(p->lang, "Quote"), rx, ry, rw, AL_RIGHT, ACCENT, true) + 8;
    char issue_iso[11], issue[DATE_MAX], valid[DATE_MAX], terms[TEXT_MAX];
    quote_issue_date(q, issue_iso);
    date(p, issue_iso, issue);
    date(p, q->valid_until, valid);
    quote_terms_text(p->lang, q->payment_terms_days, terms);
    struct {
        const char *label, *value;
        pdf_font_t font;
    } facts[] = {
        {tr(p->lang, "Quote number"), S(q->number), F_BOLD},
        {tr(p->lang, "Date"), issue, F_BODY},
        {tr(p->lang, "Valid until"), valid, F_BOLD},
        {tr(p->lang, "Payment terms"), terms, F_BODY},
    };
    const double value_w = 118, value_x = p->right - value_w, label_w = value_x - 10 - rx;
    for (size_t i = 0; i < sizeof facts / sizeof facts[0]; i++) {
        double a = pdf_text(&p->c, F_BODY, facts[i].label, rx, ry, label_w, AL_RIGHT, MUTED, true);
        double b = pdf_text(&p->c, facts[i].font, facts[i].value, value_x, ry, value_w, AL_LEFT,
                            INK, true);
        ry += max_d(a, b) + 3;
    }
    return max_d(ly, ry) + 22;
}

static double block_heading(pdf_t *p, const char *label, double x, double y, double w)
{
    double h = pdf_text(&p->c, F_HEADING, label, x, y, w, AL_LEFT, ACCENT, true);
    pdf_hline(&p->c, x, x + w, y + h + 2, 0.6, RULE);
    return y + h + 6;
}

/* Bill To on the left, the sales rep on the right. */
static double address_blocks(pdf_t *p, double y)
{
    const account_t *acc = p->d->account;
    const quote_t *q = p->q;
    char buf[TEXT_MAX];
    double w = (p->right - p->left - 30) / 2;

    double ly = block_heading(p, tr(p->lang, "Bill To"), p->left, y, w);
    if (acc) {
        ly += pdf_text(&p->c, F_BOLD, *S(acc->bill_to_name) ? acc->bill_to_name : S(acc->name),
                       p->left, ly, w, AL_LEFT, INK, true);
        address_lines_t addr;
        format_address(p->lang, acc->address_line1, acc->address_line2, acc->city, acc->region,
                       acc->postal_code, acc->country, &addr);
        for (size_t i = 0; i < addr.n; i++)
            ly += pdf_text(&p->c, F_BODY, addr.line[i], p->left, ly, w, AL_LEFT, INK, true);
        if (*S(acc->phone)) {
            snprintf(buf, sizeof buf, tr(p->lang, "Phone: %s"), acc->phone);
            ly += pdf_text(&p->c, F_BODY, buf, p->left, ly + 2, w, AL_LEFT, MUTED, true) + 2;
        }
    } else {
        ly += pdf_text(&p->c, F_BOLD, S(q->account_name), p->left, ly, w, AL_LEFT, INK, true);
    }

    double rx = p->right - w;
    double ry = block_heading(p, tr(p->lang, "Your sales representative"), rx, y, w);
    ry += pdf_text(&p->c, F_BOLD, *S(q->sales_rep_name) ? q->sales_rep_name : "—", rx, ry, w,
                   AL_LEFT, INK, true);
    if (*S(q->sales_rep_email))
        ry += pdf_text(&p->c, F_BODY, q->sales_rep_email, rx, ry, w, AL_LEFT, INK, true);
    return max_d(ly, ry) + 22;
}

static double continued_header(pdf_t *p, double y)
{
    char buf[TEXT_MAX];
    double half = (p->right - p->left) / 2;
    double a =
        pdf_text(&p->c, F_BOLD, S(p->d->vendor.name), p->left, y, half, AL_LEFT, ACCENT, true);
    snprintf(buf, sizeof buf, tr(p->lang, "Quote %s (continued)"), S(p->q->number));
    double b = pdf_text(&p->c, F_BOLD, buf, p->left + half, y, half, AL_RIGHT, INK, true);
    y += max_d(a, b) + 6;
    pdf_hline(&p->c, p->left, p->right, y, 0.6, RULE);
    return y + 14;
}

static double content_bottom(const pdf_t *p)
{
    return p->h - MARGIN - FOOTER_H;
}

static void footer(pdf_t *p)
{
    char buf[TEXT_MAX];
    double y = p->h - MARGIN - 12;
    pdf_hline(&p->c, p->left, p->right, y, 0.4, RULE);
    snprintf(buf, sizeof buf, "%s · %s", S(p->d->vendor.name), S(p->q->number));
    pdf_text(&p->c, F_SMALL, buf, p->left, y + 5, p->right - p->left, AL_LEFT, MUTED, true);
}

static void next_page(pdf_t *p, double *y)
{
    footer(p);
    pdf_show_page(&p->c);
    p->page++;
    *y = continued_header(p, MARGIN);
}

/* One group of totals (subtotal, tax, total) under a heading, on the right; returns its height. */
static double totals_group(pdf_t *p, double y, const char *heading, int64_t subtotal, int64_t tax,
                           int64_t total, const char *total_label, bool draw)
{
    char tax_label[TEXT_MAX], value[TEXT_MAX];
    quote_tax_label(p->lang, p->d, tax_label);
    double w = 270, x = p->right - w, y0 = y;
    y += pdf_text(&p->c, F_HEADING, heading, x, y, w, AL_LEFT, ACCENT, draw) + 4;
    struct {
        const char *label;
        int64_t amount;
        bool strong;
    } rows[] = {{tr(p->lang, "Subtotal"), subtotal, false},
                {tax_label, tax, false},
                {total_label, total, true}};
    for (size_t i = 0; i < 3; i++) {
        pdf_font_t f = rows[i].strong ? F_TOTAL : F_BODY;
        double pad = rows[i].strong ? 5 : 3;
        money(p, rows[i].amount, value);
        double a = pdf_text(&p->c, f, rows[i].label, x, y + pad, w * 0.6, AL_LEFT, INK, false);
        double b = pdf_text(&p->c, f, value, x + w * 0.4, y + pad, w * 0.6, AL_RIGHT, INK, false);
        double h = max_d(a, b) + 2 * pad;
        if (draw) {
            if (rows[i].strong) pdf_fill_rect(&p->c, x - 6, y, w + 10, h, SHADE);
            pdf_rgb_t c = rows[i].strong ? ACCENT : MUTED;
            pdf_text(&p->c, f, rows[i].label, x, y + pad, w * 0.6, AL_LEFT, c, true);
            pdf_text(&p->c, f, value, x + w * 0.4, y + pad, w * 0.6, AL_RIGHT,
                     rows[i].strong ? c : INK, true);
        }
        y += h;
    }
    return y - y0 + 14;
}

/* The totals and notes; returns the height. */
static double totals(pdf_t *p, double y, bool draw)
{
    const quote_t *q = p->q;
    double y0 = y, cw = p->right - p->left;
    char heading[TEXT_MAX], renewal[DATE_MAX], buf[TEXT_MAX];
    if (quote_has_due_now(q))
        y += totals_group(p, y, tr(p->lang, "Due on acceptance"), q->due_subtotal, q->due_tax,
                          q->due_total, tr(p->lang, "Total due on acceptance"), draw);
    date(p, q->term_end, renewal);
    snprintf(heading, sizeof heading, tr(p->lang, "Annual amount from the next renewal on %s"),
             renewal);
    y += totals_group(p, y, heading, q->renewal_subtotal, q->renewal_tax, q->renewal_total,
                      tr(p->lang, "Annual amount"), draw);
    /* The renewal totals are the account's (docs/quotes.md), not the sum of the lines above. */
    y += pdf_text(
             &p->c, F_SMALL,
             tr(p->lang,
                "Annual amount: all of the account's subscriptions, with this quote's changes."),
             p->right - 270, y - 10, 270, AL_LEFT, MUTED, draw) +
         4;
    if (strcmp(S(q->tax_mode), "inclusive") == 0)
        y += pdf_text(&p->c, F_SMALL, tr(p->lang, "Unit prices include tax."), p->left, y, cw,
                      AL_LEFT, MUTED, draw) +
             10;
    if (quote_has_due_now(q)) {
        quote_terms_text(p->lang, q->payment_terms_days, buf);
        char line[TEXT_MAX];
        snprintf(line, sizeof line,
                 tr(p->lang, "On acceptance, an invoice for the amount due is issued at once. "
                             "Payment terms: %s."),
                 buf);
        y += pdf_text(&p->c, F_BODY, line, p->left, y, cw, AL_LEFT, INK, draw) + 8;
    }
    if (*S(q->customer_note)) {
        y +=
            pdf_text(&p->c, F_HEADING, tr(p->lang, "Note"), p->left, y, cw, AL_LEFT, ACCENT, draw) +
            3;
        y += pdf_text(&p->c, F_BODY, q->customer_note, p->left, y, cw, AL_LEFT, INK, draw) + 8;
    }
    char valid[DATE_MAX];
    date(p, q->valid_until, valid);
    snprintf(buf, sizeof buf,
             tr(p->lang, "This quote is valid until %s. Accept or reject it in the Corporate "
                         "Billing Portal, under Quotes."),
             valid);
    y += pdf_text(&p->c, F_SMALL, buf, p->left, y, cw, AL_LEFT, MUTED, draw) + 4;
    return y - y0;
}

static bool north_american(const char *country)
{
    return country && (strcasecmp(country, "US") == 0 || strcasecmp(country, "CA") == 0);
}

bool quote_pdf_render(const quote_doc_t *d, buf_t *out, char *err, size_t err_size)
{
    if (err && err_size) err[0] = '\0';
    const quote_t *q = d->quote;
    const char *country = d->account ? S(d->account->country) : "";
    bool letter = north_american(country);
    pdf_t p = {.d = d,
               .q = q,
               .lang = LANG_EN,
               .country = country,
               .w = letter ? LETTER_W : A4_W,
               .h = letter ? LETTER_H : A4_H};
    (void)lang_parse(S(q->lang), &p.lang);
    p.left = MARGIN;
    p.right = p.w - MARGIN;
    if (!pdf_open(&p.c, out, p.w, p.h, err, err_size)) return false;
    /* The issue date, not the clock: the same quote gives the same file. */
    char issued[11], when[32];
    quote_issue_date(q, issued);
    snprintf(when, sizeof when, "%sT00:00:00Z", issued);
    pdf_set_info(&p.c, S(q->number), S(d->vendor.name), "cobro", when);

    table_t t;
    table_columns(&p, &t);
    double bottom = content_bottom(&p);
    double y = page_one_header(&p, MARGIN);
    y = address_blocks(&p, y);
    y += table_header(&p, &t, y, true);
    for (size_t i = 0; i < q->n_lines; i++) {
        double h = table_row(&p, &t, &q->lines[i], y, false);
        if (y + h > bottom) {
            next_page(&p, &y);
            y += table_header(&p, &t, y, true);
        }
        y += table_row(&p, &t, &q->lines[i], y, true);
    }
    y += 14;
    if (y + totals(&p, y, false) > bottom) next_page(&p, &y);
    totals(&p, y, true);
    footer(&p);
    pdf_show_page(&p.c);
    return pdf_close(&p.c, err, err_size);
}
