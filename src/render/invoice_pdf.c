/* The invoice PDF's layout: page one's header and address blocks, the lines table, totals and
 * payment notes, footers. Two passes over the lines: the first measures rows and decides the
 * pages (so that the footer can say "Page 1 of 3"), the second draws. The text and drawing
 * primitives are in pdf_text.c; ICU formats money, dates and percentages. */
#include "invoice_pdf.h"

#include "billing/calendar.h"
#include "billing/regions.h"
#include "billing/tax.h"
#include "i18n/address.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "render/invoice_text.h"

#include "pdf_text.h"

#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Page geometry, in points. */
#define LETTER_W 612.0
#define LETTER_H 792.0
#define A4_W 595.28
#define A4_H 841.89
#define MARGIN 48.0
#define FOOTER_H 34.0 /* space kept at the bottom of every page for the footer */
#define CELL_PAD 5.0  /* vertical padding inside table rows */
#define COL_GAP 8.0   /* horizontal gap between table columns */

enum { TEXT_MAX = 512, DATE_MAX = 64 };

static const pdf_rgb_t INK = {0.13, 0.14, 0.16};
static const pdf_rgb_t MUTED = {0.40, 0.42, 0.46};
static const pdf_rgb_t ACCENT = {0.09, 0.24, 0.42};
static const pdf_rgb_t RULE = {0.80, 0.82, 0.86};
static const pdf_rgb_t SHADE = {0.93, 0.95, 0.97};
static const pdf_rgb_t GOOD = {0.10, 0.45, 0.22};
static const pdf_rgb_t BAD = {0.70, 0.12, 0.12};

/* One invoice being drawn. */
typedef struct {
    pdf_canvas_t c;
    const invoice_doc_t *inv;
    lang_t lang;
    const char *country;
    double w, h;        /* page size */
    double left, right; /* content edges */
    int pages;
} pdf_t;

static const char *S(const char *s)
{
    return s ? s : "";
}

static void money(pdf_t *p, int64_t minor, char out[TEXT_MAX])
{
    format_money(p->lang, p->country, p->inv->currency, minor, out, TEXT_MAX);
}

static void date(pdf_t *p, const char *iso, char out[DATE_MAX])
{
    format_date(p->lang, p->country, iso, out, DATE_MAX);
}

/* A tax rate in parts per million as the locale writes a percentage ("20%", "5,5 %"). */
static void percent(pdf_t *p, int64_t ppm, char out[TEXT_MAX])
{
    format_percent(p->lang, p->country, ppm, out, TEXT_MAX);
}

static bool north_american(const char *country)
{
    return country && (strcasecmp(country, "US") == 0 || strcasecmp(country, "CA") == 0);
}

static const char *status_label(lang_t lang, const char *status, pdf_rgb_t *colour)
{
    *colour = strcmp(status, "paid") == 0                                     ? GOOD
              : strcmp(status, "void") == 0 || strcmp(status, "overdue") == 0 ? BAD
                                                                              : INK;
    return invoice_status_text(lang, status);
}

const char *invoice_payment_note(lang_t lang, const char *method)
{
    if (strcmp(method, "card") == 0)
        return tr(lang, "Pay by credit or debit card through Customer Care, quoting the Invoice "
                        "Number.");
    if (strcmp(method, "wire") == 0 || strcmp(method, "bank_transfer") == 0)
        return tr(lang, "Pay by electronic payment or wire transfer, quoting the Invoice Number.");
    if (strcmp(method, "check") == 0)
        return tr(lang, "Pay by check, writing the Invoice Number on it.");
    if (strcmp(method, "direct_debit") == 0 || strcmp(method, "ach") == 0)
        return tr(lang, "The amount is collected by direct debit from your bank account.");
    if (strcmp(method, "direct_debit_offer") == 0)
        return tr(lang,
                  "To have invoices collected by direct debit, set it up under Payment Method "
                  "in the Corporate Billing Portal.");
    return method;
}

const char *invoice_payment_intro(lang_t lang, size_t n_payments)
{
    return n_payments > 1 ? tr(lang, "No payment method has been chosen yet: any of these can be "
                                     "used.")
                          : NULL;
}

void invoice_tax_label(lang_t lang, const char *country, const char *region, const invoice_tax_t *t,
                       char *out, size_t n)
{
    char pct[64];
    format_percent(lang, country, t->rate_ppm, pct, sizeof pct);
    const char *name = t->name ? t->name : "";
    if (strcmp(name, "sales tax") == 0) {
        /* The state's proper name; its code when we do not know it. */
        const char *state = region_name(country, region);
        if (!state) state = region ? region : "";
        if (*state)
            snprintf(out, n, tr(lang, "%s sales tax %s"), state, pct);
        else
            snprintf(out, n, tr(lang, "Sales tax %s"), pct);
    } else if (strcmp(name, "VAT") == 0 || !*name) {
        snprintf(out, n, tr(lang, "VAT %s"), pct);
    } else { /* IVA, TVA, MwSt.: the country's own name, the same in every language */
        snprintf(out, n, "%s %s", name, pct);
    }
}

/* The labels a remit_to may use. tr() remembers translations by the msgid's address, so a label
 * read from the text is first matched to its constant here. */
static const char *const remit_labels[] = {
    N_("Bank"),        N_("Account name"),         N_("IBAN"),
    N_("BIC / SWIFT"), N_("Routing number (ABA)"), N_("Account number"),
};

static const char *remit_label(lang_t lang, const char *label, size_t len)
{
    for (size_t i = 0; i < sizeof remit_labels / sizeof remit_labels[0]; i++)
        if (strlen(remit_labels[i]) == len && strncmp(remit_labels[i], label, len) == 0)
            return tr(lang, remit_labels[i]);
    return NULL;
}

/* Writes the text of remit_to into out (at most n bytes with the NUL; out may be NULL when n is
 * 0) and returns its whole length, as snprintf does. */
static size_t remit_write(lang_t lang, const char *remit_to, char *out, size_t n)
{
    size_t used = 0;
    for (const char *p = remit_to ? remit_to : ""; *p;) {
        size_t len = strcspn(p, "\n");
        const char *tab = memchr(p, '\t', len);
        size_t label_len = tab ? (size_t)(tab - p) : 0;
        const char *label = tab ? remit_label(lang, p, label_len) : NULL;
        char *at = out && used < n ? out + used : NULL;
        size_t room = used < n ? n - used : 0;
        int w = !tab    ? snprintf(at, room, "%s%.*s", used ? "\n" : "", (int)len, p)
                : label ? snprintf(at, room, "%s%s: %.*s", used ? "\n" : "", label,
                                   (int)(len - label_len - 1), tab + 1)
                        : snprintf(at, room, "%s%.*s: %.*s", used ? "\n" : "", (int)label_len, p,
                                   (int)(len - label_len - 1), tab + 1);
        if (w < 0) break;
        used += (size_t)w;
        p += len;
        if (*p == '\n') p++;
    }
    return used;
}

char *invoice_remit_text(lang_t lang, const char *remit_to)
{
    /* Sized from a first pass: an address of any length and script comes out whole. */
    size_t n = remit_write(lang, remit_to, NULL, 0) + 1;
    char *out = malloc(n);
    if (!out) return NULL;
    out[0] = '\0';
    remit_write(lang, remit_to, out, n);
    return out;
}

/* ---- the lines table ---- */

typedef struct {
    double x, w;
    pdf_align_t align;
} column_t;

enum { C_PRODUCT, C_PERIOD, C_SEATS, C_UNIT, C_TAX, C_AMOUNT, C_COUNT };

enum { PERIOD_MAX = 4 * DATE_MAX + 8 }; /* dates with no-break spaces (invoice_period_text) */

typedef struct {
    column_t col[C_COUNT];
    bool show_tax; /* the lines do not all have the same rate */
    double header_h;
    char (*period)[PERIOD_MAX]; /* each line's service period, formatted once */
} table_t;

static const char *const column_labels[C_COUNT] = {
    N_("Product"), N_("Service period"), N_("Seats"), N_("Unit price"), N_("Tax"), N_("Amount")};

static double max_d(double a, double b)
{
    return a > b ? a : b;
}

/* The width of the longest word of a heading. */
static double heading_word_width(pdf_t *p, const char *heading)
{
    double w = 0;
    char word[TEXT_MAX];
    for (const char *h = heading; *h;) {
        size_t n = strcspn(h, " ");
        if (n >= sizeof word) n = sizeof word - 1;
        memcpy(word, h, n);
        word[n] = '\0';
        w = max_d(w, pdf_text_width(&p->c, F_HEADING, word) + 1);
        h += n;
        h += strspn(h, " ");
    }
    return w;
}

/* Column widths: the service period as wide as its longest text (so that dates do not wrap),
 * narrow columns at least as wide as their one-word headings, the product name the rest. */
static void table_columns(pdf_t *p, table_t *t, size_t n_lines)
{
    double cw = p->right - p->left;
    /* At least as wide as its heading's longest word: when only change lines (whose dates are in
     * their description, across this column) are listed, the heading alone sets it. */
    double period = max_d(60, heading_word_width(p, tr(p->lang, column_labels[C_PERIOD])));
    for (size_t i = 0; i < n_lines; i++)
        period = max_d(period, pdf_text_width(&p->c, F_BODY, t->period[i]) + 1);
    if (period > 170) period = 170;
    double seats =
        max_d(30, pdf_text_width(&p->c, F_HEADING, tr(p->lang, column_labels[C_SEATS])) + 1);
    double unit = 74, amount = 80;
    double tax =
        t->show_tax
            ? max_d(38, pdf_text_width(&p->c, F_HEADING, tr(p->lang, column_labels[C_TAX])) + 1)
            : 0;
    double fixed = period + seats + unit + tax + amount + COL_GAP * (t->show_tax ? 5 : 4);
    double product = cw - fixed;
    if (product < 100) { /* a long period squeezes it: the period wraps instead */
        period -= 100 - product;
        product = 100;
    }
    double x = p->left;
    const double widths[C_COUNT] = {product, period, seats, unit, tax, amount};
    const pdf_align_t aligns[C_COUNT] = {AL_LEFT, AL_LEFT, AL_RIGHT, AL_RIGHT, AL_RIGHT, AL_RIGHT};
    for (int i = 0; i < C_COUNT; i++) {
        t->col[i].x = x;
        t->col[i].w = widths[i];
        t->col[i].align = aligns[i];
        if (widths[i] > 0) x += widths[i] + COL_GAP;
    }
}

/* The table header row at y (drawn when draw); returns its height. */
static double table_header(pdf_t *p, const table_t *t, double y, bool draw)
{
    double h = 0;
    for (int pass = draw ? 0 : 1; pass < 2; pass++) {
        /* Pass 0 measures (for the shading behind), pass 1 draws when asked. */
        bool now = draw && pass == 1;
        if (now) pdf_fill_rect(&p->c, p->left - 4, y, p->right - p->left + 8, h, SHADE);
        double hh = 0;
        for (int i = 0; i < C_COUNT; i++) {
            if (t->col[i].w <= 0) continue;
            double th = pdf_text(&p->c, F_HEADING, tr(p->lang, column_labels[i]), t->col[i].x,
                                 y + CELL_PAD, t->col[i].w, t->col[i].align, ACCENT, now);
            if (th > hh) hh = th;
        }
        h = hh + 2 * CELL_PAD;
        if (now) pdf_hline(&p->c, p->left - 4, p->right + 4, y + h, 0.8, ACCENT);
    }
    return h;
}

/* "Nov 22, 2026 – Nov 21, 2027" (invoice_period_text). A change line says its dates in its
 * description, which spans the product and period columns: its period column is empty. */
static void service_period(pdf_t *p, const invoice_line_t *line, char out[PERIOD_MAX])
{
    if (line->is_change)
        out[0] = '\0';
    else
        invoice_period_text(p->lang, p->country, line->period_start, line->period_end, out,
                            PERIOD_MAX);
}

static const char *period_label(lang_t lang, const char *billing_period)
{
    if (strcmp(billing_period, "annual") == 0) return tr(lang, "Billed annually");
    if (strcmp(billing_period, "monthly") == 0) return tr(lang, "Billed monthly");
    return "";
}

/* The description of a line: its product name, or for a change line what happened and for which
 * dates, written across the product and period columns (invoice_change_text). Returns its
 * height. */
static double row_description(pdf_t *p, const table_t *t, const invoice_line_t *line, double top,
                              bool draw)
{
    const column_t *c = t->col;
    double h;
    if (line->is_change) {
        char text[TEXT_MAX];
        invoice_change_text(p->lang, p->country, line, text, sizeof text);
        double w = c[C_PERIOD].x + c[C_PERIOD].w - c[C_PRODUCT].x;
        h = pdf_text(&p->c, F_BODY, text, c[C_PRODUCT].x, top, w, AL_LEFT, INK, draw);
    } else {
        h = pdf_text(&p->c, F_BODY, S(line->product_name), c[C_PRODUCT].x, top, c[C_PRODUCT].w,
                     AL_LEFT, INK, draw);
        double ph = pdf_text(&p->c, F_BODY, t->period[line - p->inv->lines], c[C_PERIOD].x, top,
                             c[C_PERIOD].w, AL_LEFT, INK, draw);
        if (ph > h) h = ph;
    }
    const char *sub = period_label(p->lang, S(line->billing_period));
    if (*sub)
        h += 1 + pdf_text(&p->c, F_SMALL, sub, c[C_PRODUCT].x, top + h + 1, c[C_PRODUCT].w, AL_LEFT,
                          MUTED, draw);
    return h;
}

/* One line of the table at y; returns its height. A change line with a credit takes two rows,
 * kept together: its charge for the days, then, indented, the credit taken off it. */
static double table_row(pdf_t *p, const table_t *t, size_t index, double y, bool draw)
{
    const invoice_line_t *line = &p->inv->lines[index];
    char buf[TEXT_MAX];
    double top = y + CELL_PAD;
    const column_t *c = t->col;
    double h = row_description(p, t, line, top, draw);
    int64_t amount = line->net, credit = 0;
    if (line->is_change) invoice_change_amounts(line, S(p->inv->tax_mode), &amount, &credit);
    if (draw) {
        snprintf(buf, sizeof buf, "%" PRId64, line->seats);
        pdf_text(&p->c, F_BODY, buf, c[C_SEATS].x, top, c[C_SEATS].w, AL_RIGHT, INK, true);
        money(p, line->unit_amount, buf);
        pdf_text(&p->c, F_BODY, buf, c[C_UNIT].x, top, c[C_UNIT].w, AL_RIGHT, INK, true);
        if (t->show_tax) {
            percent(p, line->tax_rate_ppm, buf);
            pdf_text(&p->c, F_BODY, buf, c[C_TAX].x, top, c[C_TAX].w, AL_RIGHT, INK, true);
        }
        money(p, amount, buf);
        pdf_text(&p->c, F_BODY, buf, c[C_AMOUNT].x, top, c[C_AMOUNT].w, AL_RIGHT, INK, true);
    }
    if (line->is_change && line->credit > 0) {
        /* The credit's row: its words from under the description to the tax column, indented. */
        const double indent = 12;
        double x = c[C_PRODUCT].x + indent;
        double w = c[C_AMOUNT].x - COL_GAP - x;
        double ctop = top + h + 4;
        double ch =
            pdf_text(&p->c, F_BODY, invoice_credit_text(p->lang), x, ctop, w, AL_LEFT, MUTED, draw);
        if (draw) {
            money(p, -credit, buf);
            pdf_text(&p->c, F_BODY, buf, c[C_AMOUNT].x, ctop, c[C_AMOUNT].w, AL_RIGHT, INK, true);
        }
        h += 4 + ch;
    }
    if (draw) pdf_hline(&p->c, p->left - 4, p->right + 4, y + h + 2 * CELL_PAD, 0.4, RULE);
    return h + 2 * CELL_PAD;
}

/* ---- blocks ---- */

/* Seller top-left, title and invoice facts top-right; returns the y below both. */
static double page_one_header(pdf_t *p, double y)
{
    const invoice_doc_t *inv = p->inv;
    char buf[TEXT_MAX];
    double half = (p->right - p->left) * 0.5;

    /* Seller. */
    double ly = y;
    ly += pdf_text(&p->c, F_VENDOR, S(inv->vendor_name), p->left, ly, half - 10, AL_LEFT, ACCENT,
                   true) +
          4;
    if (*S(inv->vendor_address))
        ly += pdf_text(&p->c, F_BODY, inv->vendor_address, p->left, ly, half - 10, AL_LEFT, MUTED,
                       true);
    if (*S(inv->vendor_country)) {
        format_country(p->lang, inv->vendor_country, buf, TEXT_MAX);
        ly += pdf_text(&p->c, F_BODY, buf, p->left, ly, half - 10, AL_LEFT, MUTED, true);
    }
    if (*S(inv->vendor_email))
        ly += pdf_text(&p->c, F_BODY, inv->vendor_email, p->left, ly, half - 10, AL_LEFT, MUTED,
                       true);
    if (*S(inv->vendor_tax_id)) {
        snprintf(buf, sizeof buf, tr(p->lang, "Tax ID: %s"), inv->vendor_tax_id);
        ly += pdf_text(&p->c, F_BODY, buf, p->left, ly, half - 10, AL_LEFT, MUTED, true);
    }

    /* Title and facts. */
    double rx = p->left + half, rw = half;
    double ry = y - 4;
    ry += pdf_text(&p->c, F_TITLE, tr(p->lang, "Invoice"), rx, ry, rw, AL_RIGHT, ACCENT, true) + 8;
    typedef struct {
        const char *label, *value;
        pdf_rgb_t colour;
        pdf_font_t font;
    } fact_t;
    fact_t facts[5];
    int nf = 0;
    char issue[DATE_MAX], due[DATE_MAX];
    date(p, inv->issue_date, issue);
    if (strcmp(S(inv->due_date), S(inv->issue_date)) == 0)
        snprintf(due, sizeof due, "%s", tr(p->lang, "Due on receipt"));
    else
        date(p, inv->due_date, due);
    pdf_rgb_t status_colour;
    const char *status =
        status_label(p->lang, inv->shown_state ? inv->shown_state : S(inv->status), &status_colour);
    facts[nf++] = (fact_t){tr(p->lang, "Invoice Number"), S(inv->number), INK, F_BOLD};
    facts[nf++] = (fact_t){tr(p->lang, "Issue date"), issue, INK, F_BODY};
    facts[nf++] = (fact_t){tr(p->lang, "Due date"), due, INK, F_BODY};
    facts[nf++] = (fact_t){tr(p->lang, "Status"), status, status_colour, F_BOLD};
    if (*S(inv->po_number))
        facts[nf++] = (fact_t){tr(p->lang, "Purchase order"), inv->po_number, INK, F_BODY};
    /* Labels right-aligned against a left-aligned value column ending at the right margin. */
    const double value_w = 118, value_x = p->right - value_w, label_w = value_x - 10 - rx;
    for (int i = 0; i < nf; i++) {
        double a = pdf_text(&p->c, F_BODY, facts[i].label, rx, ry, label_w, AL_RIGHT, MUTED, true);
        double b = pdf_text(&p->c, facts[i].font, facts[i].value, value_x, ry, value_w, AL_LEFT,
                            facts[i].colour, true);
        ry += (a > b ? a : b) + 3;
    }
    return (ly > ry ? ly : ry) + 22;
}

/* A block heading with a rule under it; returns the y where the block's text starts. */
static double block_heading(pdf_t *p, const char *label, double x, double y, double w)
{
    double h = pdf_text(&p->c, F_HEADING, label, x, y, w, AL_LEFT, ACCENT, true);
    pdf_hline(&p->c, x, x + w, y + h + 2, 0.6, RULE);
    return y + h + 6;
}

/* "Bill To" on the left and the billing contact on the right; returns the y below both. */
static double address_blocks(pdf_t *p, double y)
{
    const invoice_doc_t *inv = p->inv;
    char buf[TEXT_MAX];
    double w = (p->right - p->left - 30) / 2;

    double ly = block_heading(p, tr(p->lang, "Bill To"), p->left, y, w);
    ly += pdf_text(&p->c, F_BOLD, S(inv->bill_to_name), p->left, ly, w, AL_LEFT, INK, true);
    address_lines_t addr; /* in the country's order, as the HTML invoice shows it */
    format_address(p->lang, inv->address_line1, inv->address_line2, inv->city, inv->region,
                   inv->postal_code, inv->country, &addr);
    for (size_t i = 0; i < addr.n; i++)
        ly += pdf_text(&p->c, F_BODY, addr.line[i], p->left, ly, w, AL_LEFT, INK, true);
    if (*S(inv->phone)) {
        char line[TEXT_MAX];
        snprintf(line, sizeof line, tr(p->lang, "Phone: %s"), inv->phone);
        ly += pdf_text(&p->c, F_BODY, line, p->left, ly + 2, w, AL_LEFT, MUTED, true) + 2;
    }

    double rx = p->right - w;
    double ry = block_heading(p, tr(p->lang, "Billing contact"), rx, y, w);
    ry += pdf_text(&p->c, F_BOLD, S(inv->contact_name), rx, ry, w, AL_LEFT, INK, true);
    if (*S(inv->contact_email))
        ry += pdf_text(&p->c, F_BODY, inv->contact_email, rx, ry, w, AL_LEFT, INK, true);
    if (*S(inv->portal_user_id)) {
        snprintf(buf, sizeof buf, tr(p->lang, "User ID: %s"), inv->portal_user_id);
        ry += pdf_text(&p->c, F_BODY, buf, rx, ry, w, AL_LEFT, INK, true);
    }
    return (ly > ry ? ly : ry) + 22;
}

/* The top of pages after the first; returns the y where the table starts. */
static double continued_header(pdf_t *p, double y)
{
    char buf[TEXT_MAX];
    double half = (p->right - p->left) / 2;
    double a =
        pdf_text(&p->c, F_BOLD, S(p->inv->vendor_name), p->left, y, half, AL_LEFT, ACCENT, true);
    snprintf(buf, sizeof buf, tr(p->lang, "Invoice %s (continued)"), S(p->inv->number));
    double b = pdf_text(&p->c, F_BOLD, buf, p->left + half, y, half, AL_RIGHT, INK, true);
    y += (a > b ? a : b) + 6;
    pdf_hline(&p->c, p->left, p->right, y, 0.6, RULE);
    return y + 14;
}

static double content_bottom(const pdf_t *p)
{
    return p->h - MARGIN - FOOTER_H;
}

static void footer(pdf_t *p, int page)
{
    char buf[TEXT_MAX];
    double y = p->h - MARGIN - 12;
    pdf_hline(&p->c, p->left, p->right, y, 0.4, RULE);
    double half = (p->right - p->left) / 2;
    snprintf(buf, sizeof buf, "%s · %s", S(p->inv->vendor_name), S(p->inv->number));
    pdf_text(&p->c, F_SMALL, buf, p->left, y + 5, half, AL_LEFT, MUTED, true);
    if (p->pages > 1) {
        snprintf(buf, sizeof buf, tr(p->lang, "Page %d of %d"), page + 1, p->pages);
        pdf_text(&p->c, F_SMALL, buf, p->left + half, y + 5, half, AL_RIGHT, MUTED, true);
    }
}

/* The tax rate every line shares, or -1 when they differ (or there are no lines). */
static int64_t single_rate(const invoice_doc_t *inv)
{
    if (inv->n_lines == 0) return -1;
    for (size_t i = 1; i < inv->n_lines; i++)
        if (inv->lines[i].tax_rate_ppm != inv->lines[0].tax_rate_ppm) return -1;
    return inv->lines[0].tax_rate_ppm;
}

/* Totals on the right and the notes under them, from y; returns the height. */
static double totals(pdf_t *p, double y, bool draw)
{
    const invoice_doc_t *inv = p->inv;
    char label[TEXT_MAX], value[TEXT_MAX];
    double w = 250, x = p->right - w, y0 = y;
    typedef struct {
        const char *label;
        int64_t amount;
        bool strong;
    } row_t;
    /* Subtotal, one row per tax rate (one "Tax" row on invoices issued before those were
     * stored), total, amount paid, balance due. */
    size_t n_tax = inv->n_taxes ? inv->n_taxes : 1, n_rows = 0;
    row_t *rows = g_new(row_t, n_tax + 4);
    char(*tax_labels)[TEXT_MAX] = g_malloc(n_tax * TEXT_MAX);
    rows[n_rows++] = (row_t){tr(p->lang, "Subtotal"), inv->subtotal, false};
    if (inv->n_taxes) {
        for (size_t i = 0; i < inv->n_taxes; i++) {
            invoice_tax_label(p->lang, p->country, S(inv->region), &inv->taxes[i], tax_labels[i],
                              TEXT_MAX);
            rows[n_rows++] = (row_t){tax_labels[i], inv->taxes[i].tax, false};
        }
    } else {
        invoice_tax_total_label(p->lang, p->country, inv, label, sizeof label);
        rows[n_rows++] = (row_t){label, inv->tax_total, false};
    }
    rows[n_rows++] = (row_t){tr(p->lang, "Total"), inv->total, true};
    rows[n_rows++] = (row_t){tr(p->lang, "Amount paid"), inv->amount_paid, false};
    rows[n_rows++] = (row_t){tr(p->lang, "Balance due"), inv->total - inv->amount_paid, true};
    for (size_t i = 0; i < n_rows; i++) {
        bool last = i + 1 == n_rows;
        pdf_font_t f = rows[i].strong ? F_TOTAL : F_BODY;
        double pad = rows[i].strong ? 5 : 3;
        money(p, rows[i].amount, value);
        double a = pdf_text(&p->c, f, rows[i].label, x, y + pad, w * 0.58, AL_LEFT, INK, false);
        double b = pdf_text(&p->c, f, value, x + w * 0.40, y + pad, w * 0.60, AL_RIGHT, INK, false);
        double h = (a > b ? a : b) + 2 * pad;
        if (draw) {
            if (last) pdf_fill_rect(&p->c, x - 6, y, w + 10, h, SHADE);
            if (rows[i].strong && !last) pdf_hline(&p->c, x - 6, p->right + 4, y, 0.8, INK);
            pdf_rgb_t c = rows[i].strong ? (last ? ACCENT : INK) : MUTED;
            pdf_text(&p->c, f, rows[i].label, x, y + pad, w * 0.58, AL_LEFT, c, true);
            pdf_text(&p->c, f, value, x + w * 0.40, y + pad, w * 0.60, AL_RIGHT,
                     rows[i].strong ? c : INK, true);
        }
        y += h;
    }
    g_free(rows);
    g_free(tax_labels);
    y += 18;

    /* Payments received, under the totals across the page: date, how, amount; a reversed one
     * stays, marked. */
    if (inv->n_received) {
        double lw = p->right - p->left, dw = 95, aw = 110;
        y += pdf_text(&p->c, F_HEADING, tr(p->lang, "Payments received"), p->left, y, lw, AL_LEFT,
                      ACCENT, draw) +
             3;
        for (size_t i = 0; i < inv->n_received; i++) {
            const invoice_received_t *rc = &inv->received[i];
            char when[DATE_MAX], how[TEXT_MAX], line[TEXT_MAX + 64];
            date(p, S(rc->date), when);
            invoice_received_method(p->lang, rc, how, sizeof how);
            if (rc->reversed)
                snprintf(line, sizeof line, "%s (%s)", how, tr(p->lang, "reversed"));
            else
                snprintf(line, sizeof line, "%s", how);
            money(p, rc->amount, value);
            double a = pdf_text(&p->c, F_BODY, when, p->left, y, dw - 5, AL_LEFT, INK, draw);
            double m = pdf_text(&p->c, F_BODY, line, p->left + dw, y, lw - dw - aw, AL_LEFT,
                                rc->reversed ? MUTED : INK, draw);
            double b = pdf_text(&p->c, F_BODY, value, p->right - aw, y, aw, AL_RIGHT, INK, draw);
            double h = a > b ? a : b;
            y += (h > m ? h : m) + 3;
        }
        y += 15;
    }

    double cw = p->right - p->left;
    if (strcmp(S(inv->tax_mode), "inclusive") == 0) {
        y += pdf_text(&p->c, F_SMALL, tr(p->lang, "Unit prices include tax."), p->left, y, cw,
                      AL_LEFT, MUTED, draw) +
             10;
    }
    if (inv->n_payments) {
        y += pdf_text(&p->c, F_HEADING, tr(p->lang, "How to pay"), p->left, y, cw, AL_LEFT, ACCENT,
                      draw) +
             3;
        const char *intro = invoice_payment_intro(p->lang, inv->n_payments);
        if (intro) y += pdf_text(&p->c, F_BODY, intro, p->left, y, cw, AL_LEFT, INK, draw) + 4;
        for (size_t i = 0; i < inv->n_payments; i++) {
            const invoice_payment_t *pay = &inv->payments[i];
            y += pdf_text(&p->c, F_BODY, invoice_payment_note(p->lang, pay->method), p->left, y, cw,
                          AL_LEFT, INK, draw) +
                 4;
            char *remit = invoice_remit_text(p->lang, pay->remit_to);
            if (remit && *remit)
                y += pdf_text(&p->c, F_BODY, remit, p->left + 10, y, cw - 10, AL_LEFT, INK, draw) +
                     4;
            free(remit);
        }
        y += 6;
    }
    return y - y0;
}

/* Decides the pages: page_of[i] for each line; returns the number of pages and sets
 * *totals_page. first_top and next_top are where the table starts on the first and later
 * pages. */
static int paginate(pdf_t *p, const table_t *t, double first_top, double next_top, int *page_of,
                    int *totals_page)
{
    const invoice_doc_t *inv = p->inv;
    double bottom = content_bottom(p);
    int page = 0, rows_on_page = 0;
    double y = first_top + t->header_h;
    for (size_t i = 0; i < inv->n_lines; i++) {
        double h = table_row(p, t, i, y, false);
        if (y + h > bottom && rows_on_page > 0) {
            page++;
            rows_on_page = 0;
            y = next_top + t->header_h;
        }
        page_of[i] = page;
        y += h;
        rows_on_page++;
    }
    y += 14;
    *totals_page = page;
    if (y + totals(p, y, false) > bottom && inv->n_lines > 0) {
        /* The totals go to a new page, and take the last line with them when that leaves one
         * behind: a page with totals alone looks like a separate document. */
        if (rows_on_page >= 2) page_of[inv->n_lines - 1] = page + 1;
        *totals_page = ++page;
    }
    return page + 1;
}

bool invoice_pdf_render(const invoice_doc_t *inv, buf_t *out, char *err, size_t err_size)
{
    if (err && err_size) err[0] = '\0';
    bool letter = north_american(inv->country);
    pdf_t p = {
        .inv = inv,
        .lang = LANG_EN,
        .country = S(inv->country),
        .w = letter ? LETTER_W : A4_W,
        .h = letter ? LETTER_H : A4_H,
    };
    (void)lang_parse(inv->lang, &p.lang);
    p.left = MARGIN;
    p.right = p.w - MARGIN;

    if (!pdf_open(&p.c, out, p.w, p.h, err, err_size)) return false;
    /* The issue date, not the clock: the same invoice gives the same file. */
    date_t issued;
    char when[32] = "";
    if (date_parse(inv->issue_date, &issued))
        snprintf(when, sizeof when, "%sT00:00:00Z", inv->issue_date);
    pdf_set_info(&p.c, S(inv->number), S(inv->vendor_name), "cobro", *when ? when : NULL);

    table_t t = {.show_tax = single_rate(inv) < 0 && inv->n_lines > 0};
    t.period = inv->n_lines ? g_malloc(inv->n_lines * sizeof *t.period) : NULL;
    for (size_t i = 0; i < inv->n_lines; i++)
        service_period(&p, &inv->lines[i], t.period[i]);
    table_columns(&p, &t, inv->n_lines);
    t.header_h = table_header(&p, &t, 0, false);

    /* Page one's blocks are drawn before the pages are counted: their height is needed first,
     * and they do not depend on the count. The footer, which does, comes last on each page. */
    double y = page_one_header(&p, MARGIN);
    y = address_blocks(&p, y);
    double first_top = y;
    /* A later page's top: the continued header's height, measured without drawing. */
    double next_top = MARGIN + pdf_text(&p.c, F_BOLD, "Ag", 0, 0, 0, AL_LEFT, INK, false) + 20;

    int *page_of = inv->n_lines ? g_new(int, inv->n_lines) : NULL;
    int totals_page = 0;
    p.pages = paginate(&p, &t, first_top, next_top, page_of, &totals_page);

    int page = 0;
    y = first_top;
    if (inv->n_lines) y += table_header(&p, &t, y, true);
    for (size_t i = 0; i < inv->n_lines; i++) {
        if (page_of[i] != page) {
            footer(&p, page);
            pdf_show_page(&p.c);
            page++;
            y = continued_header(&p, MARGIN);
            y += table_header(&p, &t, y, true);
        }
        y += table_row(&p, &t, i, y, true);
    }
    if (totals_page != page) {
        footer(&p, page);
        pdf_show_page(&p.c);
        page++;
        y = continued_header(&p, MARGIN);
    }
    y += 14;
    totals(&p, y, true);
    footer(&p, page);
    pdf_show_page(&p.c);
    g_free(page_of);
    g_free(t.period);

    return pdf_close(&p.c, err, err_size);
}

const char *invoice_pdf_filename(const invoice_doc_t *inv, arena_t *a)
{
    /* The number is ours ("INV-2026-000001"), but a file name must never carry a path or a
     * quote into a Content-Disposition header: anything unusual becomes '_'. */
    const char *n = S(inv->number);
    char *name = arena_printf(a, "%s.pdf", *n ? n : "invoice");
    for (char *c = name; *c; c++) {
        bool ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
                  (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.';
        if (!ok) *c = '_';
    }
    return name;
}
