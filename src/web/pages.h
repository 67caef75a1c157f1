/* The web pages: one handler per page, the shared layout and form helpers. */
#ifndef COBRO_PAGES_H
#define COBRO_PAGES_H
#include "http/request.h"
#include "render/invoice_doc.h"
#include "services/payment_cards.h"
#include "services/payments_offline.h"
#include "services/quotes.h"
#include "services/requests.h"
#include "services/services.h"
#include "services/settings.h"
#include "services/subscriptions.h"
#include "util/html.h"

/* The translation of a msgid in the request's language (r must be in scope). */
#define T(s) req_tr(r, (s))
/* The form of a counted text that fits n (gettext plurals: one, many, or the language's own). */
#define TN(s, p, n) req_trn(r, (s), (p), (unsigned long)(n))

typedef enum { SECTION_HOME = 0, SECTION_CORPORATE, SECTION_BILLING, SECTION_STAFF } section_t;
/* The section a path belongs to (/corporate..., /billing..., /staff...), else SECTION_HOME. */
section_t section_of_path(const char *path);
/* Where a section starts: its sign-in page, which leads a signed-in user to their home. */
const char *section_home(section_t section);

/* ---- layout.c ---------------------------------------------------------------------- */

/* Opens the page: doctype, <html lang>, <title>title – section</title>, the stylesheet, a skip
 * link, the header with the section's name, its tabs and "Sign out" when signed in to it, and
 * the language switcher; then opens <main>. The page writes its own single <h1>. */
void layout_begin(req_t *r, section_t section, const char *title);
/* Closes <main> and writes the footer with the ways to reach Customer Care and Corporate
 * Account Services. */
void layout_end(req_t *r);

/* <form method="post" action="..."> with the hidden CSRF field. */
void form_open(req_t *r, const char *action, const char *extra_attrs);
/* A paragraph of a translated "Label: %s" sentence (each language places its own colon). */
void labelled_line(req_t *r, const char *fmt, const char *value);
/* A labelled input. error (may be NULL) is shown under it and tied with aria-describedby. */
void form_input(req_t *r, const char *id, const char *label, const char *type, const char *value,
                const char *autocomplete, const char *error, bool required);
/* A message box: role="alert" for errors and for warnings (something the reader must act on
 * that is not their mistake, such as an expired session), role="status" for confirmations. */
void notice_error(req_t *r, const char *message);
void notice_warning(req_t *r, const char *message);
void notice_info(req_t *r, const char *message);

/* The Bill To block of an account: name, address lines in the country's order, phone; with an
 * Edit link to edit_href when not NULL. */
void bill_to_block(req_t *r, const account_t *acc, const char *edit_href);
/* The account page's "Invoice recipients" card: how many of RECIPIENTS_MAX, and a link to
 * manage them at href (recipients.c). */
void recipients_card(req_t *r, size_t n_recipients, const char *href);
/* Address lines in the country's order ("City, ST 12345" in North America, "12345 City (PR)"
 * elsewhere), then the country's name in the user's language; lines end with <br>. */
void address_lines(req_t *r, const char *line1, const char *line2, const char *city,
                   const char *region, const char *postal_code, const char *country);

/* The account of the signed-in corporate contact or Billing Center user, and its country (may
 * be NULL); false after answering with an error page. */
bool current_account(req_t *r, int64_t *account_id, const char **country);

/* ---- invoice_html.c: what the invoice pages share --------------------------------------- */

enum { INVOICE_HISTORY_LIMIT = 20 };

/* The Invoice History table of an account (newest first, at most limit rows): Invoice Number
 * linking to base_path/NUMBER, dates, total, balance, status, and a PDF link on each row. */
void invoice_history_table(req_t *r, const invoice_summary_t *rows, size_t n, const char *country,
                           const char *base_path);
/* The printable HTML invoice: the same content as the PDF, with Print and PDF buttons. */
/* The account's total outstanding, overdue and credit (when any), per currency. */
void balances_card(req_t *r, const account_t *acc);
/* Staff: every payment of the account, newest first, with its gateway references. */
void payments_section(req_t *r, const account_t *acc);
void invoice_document(req_t *r, const invoice_doc_t *inv, const char *pdf_href);
/* The portal's "Pay now" address for inv: NULL unless it has a balance and a payment gateway
 * takes payments. */
const char *invoice_pay_href(req_t *r, const invoice_doc_t *inv);
/* The same with a "Pay now" button to pay_href (NULL: none). */
void invoice_document_pay(req_t *r, const invoice_doc_t *inv, const char *pdf_href,
                          const char *pay_href);
/* The invoice for this request's params[0], when it belongs to account_id (0: any account, for
 * staff); false after answering (404 for someone else's or an unknown invoice). */
bool load_invoice_for(req_t *r, int64_t account_id, invoice_doc_t *inv);
/* Answers with the invoice's PDF (worker thread: rendering takes milliseconds). */
void send_invoice_pdf(req_t *r, const invoice_doc_t *inv);
/* The three invoice pages of a portal (corporate or Billing Center), for the signed-in account:
 * Invoice History at base_path, one invoice at base_path/NUMBER, its PDF at base_path/NUMBER/pdf.
 */
void invoice_history_page(req_t *r, section_t section, const char *base_path, const char *help);
void invoice_view_page(req_t *r, section_t section, const char *base_path);
void invoice_pdf_page(req_t *r);
/* The status of an invoice in words. */
const char *invoice_status_label(req_t *r, const char *status);

/* ---- quote_html.c: what the quote pages share (customer and staff) ------------------------ */

/* The printable quote in the help texts' terms: number, dates, the sales rep, Bill To (acc; may
 * be NULL: the account's name only), the lines (what each does and from when), seats, unit
 * price, discount, amounts, the tax named as the account's country names it, the total due on
 * acceptance and the annual amount from the next renewal, payment terms and the note to the
 * customer (never the internal note), with Print and PDF buttons. */
void quote_document(req_t *r, const quote_t *q, const account_t *acc, const char *pdf_href);
/* Answers with the quote's PDF in its language (a route with .blocking = true: rendering takes
 * milliseconds). */
void send_quote_pdf(req_t *r, const quote_t *q, const account_t *acc);

/* ---- corporate_quote.c: the customer's quote page, shown by its GET and refused POSTs ---- */

/* What the accept and reject forms hold when shown again after a refusal. */
typedef struct {
    quote_accept_form_t accept;
    quote_accept_errors_t accept_errors;
    const char *reason, *comment;
    field_error_t reason_error, comment_error;
    bool accept_refused, reject_refused; /* which form was refused (its message shown) */
    bool conflict; /* a POST the quote's state refused: the reason is shown with an alert */
} quote_forms_t;
/* Shows the quote params[0] of the signed-in contact's account, with the forms when it can still
 * be decided, else why not (404 for another account's or an unknown quote). */
void corporate_quote_render(req_t *r, const quote_forms_t *forms);
/* The signed-in billing contact of account_id as the one who decides. */
quote_decider_t corporate_quote_decider(const req_t *r, int64_t account_id);
/* Answers a decision's POST: done, 303 to the quote with done_query ("accepted=1"); refused
 * input (400) or a state that refuses it (409), the quote again with *refused or forms->conflict
 * set; anything else, the error page. */
void corporate_quote_answer(req_t *r, quote_forms_t *forms, status_t st,
                            const quote_decision_t *out, const char *done_query, bool *refused);

/* ---- settings_form.c ------------------------------------------------------------------- */

/* The signed-in corporate contact and their account; false after answering with an error page. */
bool settings_load_contact(req_t *r, credential_t *c, account_t *acc);
/* Who changes what, for the settings service: this request's user on account_id. */
settings_ctx_t settings_ctx_of(const req_t *r, int64_t account_id);
/* The positive id in the path (/corporate/.../ID/...), or 0 when it is not one. */
int64_t settings_path_id(const req_t *r);
/* Answers a save: a redirect to done_url, or a 404/503 page. Returns false when the form was
 * refused (status 400 set) and the caller shows it again. */
bool settings_answered(req_t *r, settings_status_t status, const char *done_url);
/* A labelled input of a type (text, date...) with an optional hint and error (both tied with
 * aria-describedby), the required flag and extra attributes (trusted HTML, or NULL). */
void settings_input(req_t *r, const char *id, const char *label, const char *type,
                    const char *value, const char *hint, field_error_t e, bool required,
                    const char *extra_attrs);
/* settings_input for an optional text field. */
void settings_field(req_t *r, const char *id, const char *label, const char *value,
                    const char *hint, field_error_t e, const char *extra_attrs);
/* The name of a payment method code (wire, check, direct_debit, card) in the user's language. */
const char *payment_method_label(req_t *r, const char *method);
/* The sentence for a refused field (NULL for FIELD_OK), for form_input's error argument. */
const char *field_error_text(req_t *r, field_error_t e);

/* ---- card_on_file.c: the card on file on both portals' Payment Method pages ------------- */

typedef struct {
    const char *page_path;   /* the Payment Method page (the gateway sends the payer back there) */
    const char *action_path; /* where the card's buttons post (card_post) */
    bool autopay;            /* the corporate autopay choice is offered */
} card_portal_t;

/* The "Card on file" section: the card masked with Replace and Remove, or Add a card; the
 * autopay choice when the portal has it. */
void card_on_file_section(req_t *r, const card_portal_t *p, const card_view_t *cv);
/* A card brand as printed on the card ("visa" -> "Visa"); unknown brands as the gateway names
 * them, "card" (no brand known) as "". */
const char *card_brand_name(const char *brand);
/* Why no card can be saved yet (no payment gateway) and how Customer Care takes cards. */
void card_payments_off_text(req_t *r);
/* The set-up the gateway sent the payer back from (?setup=ID): its state in *state, NULL when
 * there is none. false: it is not account_id's (the page answers 404). */
bool card_returned_setup(req_t *r, int64_t account_id, const char **state, long long *id);
/* What the payer's last card action came to (?setup=ID, ?card=...). */
void card_notice(req_t *r, const card_portal_t *p, const char *setup_state, long long setup_id);
/* This request's signed-in user as the payer of account_id (the Billing Center's administrator
 * when signed in there). */
payer_t card_payer(const req_t *r, int64_t account_id);
/* Does the POSTed card action ("setup": to the gateway's hosted page, "remove", and with the
 * portal's autopay "autopay"). true when answered (redirect or error page); false when the page
 * is to be shown again with *error (its status set: 400 unknown action, 503 gateway down). */
bool card_post(req_t *r, const card_portal_t *p, const payer_t *who, const char **error);

/* ---- audit_table.c ------------------------------------------------------------------ */

/* The audit section: the first page_rows of rows (read newest first; one row more means there
 * are older ones, linked as page_url?before=ID), in the reader's language. older_page: this is
 * not the newest page (a link back to page_url is shown). */
void audit_table(req_t *r, const audit_row_t *rows, size_t n, size_t page_rows,
                 const char *page_url, bool older_page);
/* The ?before= entry id of an audit page: 0 when absent, -1 when malformed. */
int64_t audit_before_param(const req_t *r);
/* The account's sign-ins (audit entries sign_in), as the audit log shows its entries. */
void sign_ins_table(req_t *r, const audit_row_t *rows, size_t n);

/* ---- staff quotes (staff_quote.c, staff_account_quotes.c) ------------------------------ */

/* Who acts in the staff console on quotes: this request's staff member and role. */
quote_staff_ctx_t staff_quote_ctx(req_t *r);
void page_staff_quote_pdf(req_t *r); /* GET /staff/quotes/NUMBER/pdf */
/* A quote's state (draft, sent, accepted...) in the reader's language. */
const char *staff_quote_state_label(req_t *r, const char *state);
/* An amount / a 'YYYY-MM-DD' day in the reader's language (country may be NULL). */
const char *staff_quote_money(req_t *r, const char *country, const char *currency, int64_t minor);
const char *staff_quote_day(req_t *r, const char *country, const char *iso);
/* The "Quotes" section of a corporate account's staff page: its quotes with their state, and
 * "New quote" for those who manage them. */
void staff_account_quotes_section(req_t *r, const account_t *acc);

/* ---- staff payments (staff_payment_new.c, staff_payment.c, staff_payments.c) ---------- */

/* Who acts in the staff console on payments: this request's staff member and role. */
pay_staff_t staff_pay_ctx(req_t *r);
/* The Refunds section of a payment's or an account's page (nothing when n is 0). */
void staff_refunds_table(req_t *r, const char *country, const refund_t *rows, size_t n);
/* The Account credit section: credit kept, used and taken back (nothing when n is 0). */
void staff_credit_table(req_t *r, const account_t *acc, const allocation_row_t *rows, size_t n);
/* The decimal mark the reader types amounts with. */
char staff_decimal_mark(const req_t *r);
/* A payment's method (wire, check, ach, card) / state in the reader's language. */
const char *staff_payment_method_label(req_t *r, const char *method);
const char *staff_payment_state_label(req_t *r, const char *state);
/* The sentence for a refused field of the payment forms (NULL for OFFLINE_OK). */
const char *offline_error_text(req_t *r, offline_error_t e);
/* The account page's "Record a payment", for those who may. */
void staff_account_payments_link(req_t *r, int64_t account_id);
void page_staff_payment_new(req_t *r);     /* GET/POST /staff/accounts/ID/payments/new */
void page_staff_payment(req_t *r);         /* GET /staff/payments/ID */
void page_staff_payment_reverse(req_t *r); /* POST /staff/payments/ID/reverse */
void page_staff_payment_refund(req_t *r);  /* POST /staff/payments/ID/refund */
void page_staff_payments(req_t *r);        /* GET /staff/payments?state=unknown */

/* ---- the W-9 (w9_pages.c) and Customer Care's billing-administrator change (staff_care.c) -- */

void page_staff_w9(req_t *r);     /* GET/POST /staff/w9 (admins) */
void page_corporate_w9(req_t *r); /* GET /corporate/w9 (US corporate accounts; else 404) */
/* The corporate account page's W-9 card: only for US corporate accounts, once one is uploaded. */
void corporate_w9_card(req_t *r, int64_t account_id);
void page_staff_care(req_t *r);        /* GET /staff/accounts/ID/billing-admin */
void page_staff_care_verify(req_t *r); /* POST .../billing-admin/verify */
void page_staff_care_change(req_t *r); /* POST .../billing-admin/change */
void page_staff_flag_clear(req_t *r);  /* POST /staff/flags/ID/clear (admins) */
/* The staff account page's "Billing administrator" card (Care and admins; online accounts, or
 * any account with an open flag). */
void staff_account_care_section(req_t *r, const account_t *acc);
/* The admin home page's open account flags. */
void staff_home_flags_section(req_t *r);

/* ---- errors.c ---------------------------------------------------------------------- */

/* A complete error page for status (400, 403, 404, 405, 413, 429, 431, 503...). */
void page_error(req_t *r, int status);
/* 503 for a server too busy to take the request now (its worker queue is full). */
void page_busy(req_t *r);
/* THE answer to a service's status, for every page: nothing for STATUS_OK (false); else the
 * error page in the user's language (true): not found or refused 404, invalid 400, conflict
 * 409, limited or locked 429, busy 503 with Retry-After, error 500. */
bool answer_status(req_t *r, status_t st);
/* The HTTP status answer_status gives st. */
int status_http(status_t st);

/* ---- one file each ------------------------------------------------------------------- */

void page_home(req_t *r);
/* help.c: the help articles' index and one article (/help/SLUG). */
void page_help(req_t *r);
void page_help_article(req_t *r);
void page_healthz(req_t *r);
void page_stylesheet(req_t *r);
void page_lang(req_t *r);
void page_corporate_sign_in(req_t *r);
void page_corporate_sign_in_post(req_t *r);
void page_corporate_forgot(req_t *r);
void page_corporate_reset(req_t *r);
void page_corporate_account(req_t *r);
void page_billing_sign_in(req_t *r);
void page_billing_sign_in_post(req_t *r);
void page_billing_forgot(req_t *r); /* GET/POST /billing/forgot */
void page_billing_reset(req_t *r);  /* GET/POST /billing/reset?token=T */
void page_billing_account(req_t *r);
void page_billing_contact_admin(req_t *r);
void page_billing_bill_to(req_t *r);                   /* GET/POST /billing/bill-to */
void page_billing_recipients(req_t *r);                /* GET/POST /billing/recipients */
void page_billing_recipient_remove(req_t *r);          /* POST /billing/recipients/ID/remove */
void page_billing_payment(req_t *r);                   /* GET/POST /billing/payment-method */
void page_billing_subscription(req_t *r);              /* GET /billing/subscription */
void page_billing_subscription_change(req_t *r);       /* GET/POST /billing/subscription/change */
void page_staff_account_subscription(req_t *r);        /* GET /staff/accounts/ID/subscription */
void page_staff_account_subscription_change(req_t *r); /* GET/POST .../subscription/change */

/* ---- the Subscription page and its changes (subscription_pages.c), Billing Center and staff */
/* The page of v under base (its change pages are base/change); invoices link under
 * invoice_base; card_href is where the card on file is added or replaced (NULL: not offered). */
void subscription_page_render(req_t *r, section_t section, const char *base,
                              const subscription_page_t *v, const char *invoice_base,
                              const char *card_href);
/* GET/POST base/change: the form, its preview, its confirmation, for who. */
void subscription_change_page(req_t *r, section_t section, const char *base, const char *card_href,
                              const subscriber_t *who);
/* The staff account page's way to an online account's Subscription page (Customer Care, admins). */
void staff_account_subscription_link(req_t *r, const account_t *acc);
/* Why a card was declined, in the reader's words (a gateway's decline code). */
const char *card_decline_reason(req_t *r, const char *code);
void page_staff_sign_in(req_t *r);
void page_staff_sign_in_post(req_t *r);
void page_staff_home(req_t *r);
void page_sign_out(req_t *r);
void page_print_script(req_t *r);
void page_quote_preview_script(req_t *r);       /* GET /static/quote-preview.js (staff_quote.c) */
void page_corporate_bill_to(req_t *r);          /* GET/POST /corporate/bill-to */
void page_corporate_recipients(req_t *r);       /* GET/POST /corporate/recipients */
void page_corporate_recipient_remove(req_t *r); /* POST /corporate/recipients/ID/remove */
void page_corporate_pos(req_t *r);              /* GET/POST /corporate/purchase-orders */
void page_corporate_po(req_t *r);               /* GET/POST /corporate/purchase-orders/ID */
void page_corporate_po_remove(req_t *r);        /* POST /corporate/purchase-orders/ID/remove */
void page_corporate_payment(req_t *r);          /* GET/POST /corporate/payment-method */
void page_corporate_payment_card(req_t *r);     /* POST /corporate/payment-method/card */
void page_corporate_invoices(req_t *r);
void page_corporate_invoice(req_t *r);
void page_corporate_invoice_pay(req_t *r); /* GET/POST /corporate/invoices/NUMBER/pay */
void page_payment_events(req_t *r);        /* POST /payments/events (the gateway's events) */
void page_sandbox_checkout(req_t *r);      /* GET/POST /sandbox/checkout/REF */
void page_sandbox_authenticate(req_t *r);  /* GET/POST /sandbox/checkout/REF/authenticate */
void page_sandbox_cancel(req_t *r);        /* POST /sandbox/checkout/REF/cancel */
void page_corporate_invoice_pdf(req_t *r);
void page_billing_invoices(req_t *r);
void page_billing_invoice(req_t *r);
void page_billing_invoice_pdf(req_t *r);
void page_staff_accounts(req_t *r);
void page_staff_account(req_t *r);
void page_staff_payment_details(req_t *r);
void page_staff_invoice(req_t *r);
void page_staff_invoice_pdf(req_t *r);
void page_staff_quotes(req_t *r);           /* GET /staff/quotes */
void page_staff_account_quotes(req_t *r);   /* POST /staff/accounts/ID/quotes */
void page_staff_quote(req_t *r);            /* GET/POST /staff/quotes/NUMBER */
void page_staff_quote_send(req_t *r);       /* POST /staff/quotes/NUMBER/send */
void page_staff_quote_withdraw(req_t *r);   /* POST /staff/quotes/NUMBER/withdraw */
void page_staff_quote_revise(req_t *r);     /* POST /staff/quotes/NUMBER/revise */
void page_staff_quote_accept(req_t *r);     /* POST /staff/quotes/NUMBER/accept */
void page_staff_quote_preview(req_t *r);    /* POST /staff/quotes/NUMBER/preview */
void page_corporate_quotes(req_t *r);       /* GET /corporate/quotes */
void page_corporate_quote(req_t *r);        /* GET /corporate/quotes/NUMBER */
void page_corporate_quote_accept(req_t *r); /* POST /corporate/quotes/NUMBER/accept */
void page_corporate_quote_reject(req_t *r); /* POST /corporate/quotes/NUMBER/reject */
void page_corporate_quote_pdf(req_t *r);    /* GET /corporate/quotes/NUMBER/pdf */

/* ---- requests (request_html.c, corporate_requests.c, staff_requests.c, care_form.c) ------ */

/* "Category: kind" / a state / the day of an instant, in the reader's language. */
const char *request_kind_text(req_t *r, const request_t *q);
const char *request_state_text(req_t *r, const char *state);
const char *request_day(req_t *r, const char *country, int64_t t);
/* The grouped choice of a request's kind (optgroup per category): works without scripts.
 * with_any: a filter ("Any kind", Customer Care's topics too) rather than a required field. */
void request_kind_select(req_t *r, const char *id, const char *label, const char *chosen,
                         field_error_t e, bool with_any);
void request_textarea(req_t *r, const char *id, const char *label, const char *value,
                      field_error_t e, bool required);
/* The conversation: the details, then each message; staff see names and internal notes. */
void request_conversation(req_t *r, const request_view_t *v, bool staff);
/* The staff home's requests card: a rep's accounts' requests, the queue's links for the rest. */
void staff_home_requests(req_t *r);
void page_corporate_requests(req_t *r);         /* GET/POST /corporate/requests */
void page_corporate_request(req_t *r);          /* GET /corporate/requests/NUMBER */
void page_corporate_request_reply(req_t *r);    /* POST /corporate/requests/NUMBER/reply */
void page_corporate_request_withdraw(req_t *r); /* POST /corporate/requests/NUMBER/withdraw */
void page_staff_requests(req_t *r);             /* GET /staff/requests */
void page_staff_request(req_t *r);              /* GET /staff/requests/NUMBER */
void page_staff_request_post(req_t *r);         /* POST /staff/requests/NUMBER/ACTION */
void page_care_form(req_t *r);                  /* GET/POST /care */
/* ---- staff console: accounts, search, subscriptions, actions (staff_console.c) ---- */
#include "services/staff_console.h"
console_ctx_t staff_console_ctx(req_t *r);
/* A field error of the console's forms in words (its own codes, else field_error_text). */
const char *console_error_text(req_t *r, int e);
void page_staff_account_new(req_t *r);              /* GET/POST /staff/accounts/new */
void page_staff_account_subscription_new(req_t *r); /* GET/POST .../ID/subscriptions/new */
void page_staff_account_resend(req_t *r);           /* POST /staff/accounts/ID/resend-invoice */
void page_staff_account_reset_link(req_t *r);       /* POST /staff/accounts/ID/reset-link */
void page_staff_account_lift(req_t *r);             /* POST /staff/accounts/ID/lift-lockout */
/* The account page's place for the account's requests (filled by the requests work). */
void staff_account_requests_section(req_t *r, const account_t *acc);

#endif
