/* A sent quote as the renderers see it (HTML view, print view, PDF): the stored quote, the
 * account it is for (Bill To) and the seller, with the sentences both renderers share. */
#ifndef COBRO_QUOTE_DOC_H
#define COBRO_QUOTE_DOC_H
#include "i18n/i18n.h"
#include "store/rows.h"
#include "util/arena.h"
#include "util/buf.h"
#include <stdbool.h>
#include <stddef.h>

/* The seller (vendor settings at render time, as on invoices). address: lines with \n. */
typedef struct {
    const char *name, *address, *country, *email, *tax_id;
} quote_vendor_t;

typedef struct {
    const quote_t *quote;
    const account_t *account; /* Bill To and the region the tax is named after */
    quote_vendor_t vendor;
} quote_doc_t;

enum { QUOTE_TEXT_MAX = 600 };

/* What a line does, as a sentence, and when: "Add 15 seats of RescueAssist for the rest of the
 * term" + "from Dec 5, 2026 to Mar 31, 2027 (117 of 365 days)"; "From the next renewal on Apr
 * 1, 2027: remove 5 seats of RescueAssist" + "". country: the account's, for the date format. */
void quote_line_text(lang_t lang, const char *country, const quote_t *q, const quote_line_t *l,
                     char what[QUOTE_TEXT_MAX], char when[QUOTE_TEXT_MAX]);
/* True for the lines charged at acceptance (co-termed additions). */
bool quote_line_due_now(const quote_line_t *l);
/* What a line renews at for a year (seats x its renewal unit price); -1 when it renews nothing
 * it prices (seats removed). */
int64_t quote_line_annual(const quote_line_t *l);
/* The discount of a line in words: "10%" for a percent, the amount for an amount; "" for none. */
void quote_discount_text(lang_t lang, const char *country, const char *currency,
                         const quote_line_t *l, char out[QUOTE_TEXT_MAX]);
/* The state as the customer reads it ("sent" is "Pending"); state is quote_shown_state's. */
const char *quote_state_text(lang_t lang, const char *state);
/* "Net 30" (or "Due on receipt" for 0 days). */
void quote_terms_text(lang_t lang, int64_t days, char out[QUOTE_TEXT_MAX]);
/* The tax row's name, as invoices name it ("Illinois sales tax 6.25%", "IVA 22 %"). */
void quote_tax_label(lang_t lang, const quote_doc_t *d, char out[QUOTE_TEXT_MAX]);
/* The day a quote was issued (sent; else created), 'YYYY-MM-DD'. */
void quote_issue_date(const quote_t *q, char out[11]);
/* The last day of the current term (term_end is the next renewal: the term is [start, end)). */
void quote_term_last_day(const quote_t *q, char out[11]);
/* Whether any line is charged at acceptance. */
bool quote_has_due_now(const quote_t *q);

/* Appends the quote's PDF to out, in the quote's language (q->lang) with its locale's money and
 * dates: Letter for US and Canadian accounts, A4 elsewhere. Thread-safe; slow enough to belong on
 * a worker thread. False with a one-line reason in err. */
bool quote_pdf_render(const quote_doc_t *d, buf_t *out, char *err, size_t err_size);
/* "Q-2026-000001.pdf" (anything unusual in the number becomes '_'). */
const char *quote_pdf_filename(const quote_t *q, arena_t *a);

#endif
