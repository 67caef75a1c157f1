/* The web pages: one handler per page, the shared layout and form helpers. */
#ifndef COBRO_PAGES_H
#define COBRO_PAGES_H
#include "http/request.h"
#include "util/html.h"

/* The translation of a msgid in the request's language (r must be in scope). */
#define T(s) req_tr(r, (s))

typedef enum { SECTION_HOME = 0, SECTION_CORPORATE, SECTION_BILLING, SECTION_STAFF } section_t;

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
/* A labelled input. error (may be NULL) is shown under it and tied with aria-describedby. */
void form_input(req_t *r, const char *id, const char *label, const char *type, const char *value,
                const char *autocomplete, const char *error, bool required);
/* A message box: role="alert" for errors, role="status" for confirmations. */
void notice_error(req_t *r, const char *message);
void notice_info(req_t *r, const char *message);

/* The Bill To block of an account: name, address lines in the country's order, phone. */
void bill_to_block(req_t *r, const account_t *acc);

/* ---- errors.c ---------------------------------------------------------------------- */

/* A complete error page for status (400, 403, 404, 405, 413, 429, 431, 503...). */
void page_error(req_t *r, int status);

/* ---- one file each ------------------------------------------------------------------- */

void page_home(req_t *r);
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
void page_billing_account(req_t *r);
void page_billing_contact_admin(req_t *r);
void page_staff_sign_in(req_t *r);
void page_staff_sign_in_post(req_t *r);
void page_staff_home(req_t *r);
void page_sign_out(req_t *r);

#endif
