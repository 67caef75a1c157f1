/* What the invoice page and the invoice PDF write alike: the status of an invoice in words, the
 * one tax row of an invoice issued before its taxes were stored per rate, a line's service period
 * and what a change line says and charges. */
#ifndef COBRO_INVOICE_TEXT_H
#define COBRO_INVOICE_TEXT_H
#include "i18n/i18n.h"
#include "render/invoice_doc.h"
#include <stddef.h>

/* "open", "partially_paid", "paid", "void", "overdue" in lang (an unknown status as it is). */
const char *invoice_status_text(lang_t lang, const char *status);

/* The label of the single tax row of an invoice without stored taxes (n_taxes 0): "Tax (rate)"
 * when its lines share one rate, else "Tax". */
void invoice_tax_total_label(lang_t lang, const char *country, const invoice_doc_t *inv, char *out,
                             size_t size);

/* How a payment received was made, in lang: "Visa ending in 4242", "Wire transfer, ref. 88812",
 * "Account credit". */
void invoice_received_method(lang_t lang, const invoice_received_t *p, char *out, size_t size);

/* A line's service period as people read it, dates as the invoice writes them: "Dec 12, 2026 –
 * Jan 4, 2027". The period is [start, end), so the last day shown is end - 1; a period of one day
 * is that day alone. Each date's own spaces are no-break spaces (U+00A0), so that a text that
 * wraps never cuts a date in two: it wraps at the dash. */
void invoice_period_text(lang_t lang, const char *country, const char *start, const char *end,
                         char *out, size_t size);

/* What a change line (is_change) says happened and for which dates, in lang: "GoToMeeting, 5 → 8
 * seats, Dec 12, 2026 – Jan 4, 2027" (the seats changed), "GoToMeeting, monthly → annual, 8 seats,
 * ..." (the billing period changed; both when both did), "GoToMeeting, new, 3 seats, ..." (a
 * product added: from_seats 0 and from_period ""), else "GoToMeeting, 3 seats, ...". The dates are
 * invoice_period_text's, with its no-break spaces. */
void invoice_change_text(lang_t lang, const char *country, const invoice_line_t *l, char *out,
                         size_t size);

/* What a change line shows in the Amount column: the charge for its days on its own row, and the
 * credit for what the period had already been charged on the row below (printed negative). They
 * add up to the line's amount as every line shows it (its net), to the minor unit, so the rows add
 * up to the subtotal: the credit shown is the stored credit (with prices that include tax, its
 * part before tax, split as tax_split does), the charge the net plus it. With prices that exclude
 * tax the charge is (seats x unit - discount) x days / term_days, as issued. */
void invoice_change_amounts(const invoice_line_t *l, const char *tax_mode, int64_t *charge,
                            int64_t *credit);

/* "Less unused time already charged", in lang: the label of a change line's credit. */
const char *invoice_credit_text(lang_t lang);

#endif
