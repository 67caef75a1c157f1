/* The route table: for each path its methods, who may use it, and its handler. Authorization is
 * enforced from here by router_dispatch, never inside handlers. Each entry reads as a sentence:
 * "path P takes METHODS from ACCESS (with ROLE), handled by H (on the worker pool when blocking;
 * without sessions when no_session)". */
#include "router.h"
#include "web/pages.h"

/* One route a line reads best as a table; clang-format would fold each line in three. */
// clang-format off
const route_t routes[] = {
    {.path = "/", .methods = METHOD_GET, .access = ACCESS_PUBLIC, .handler = page_home},
    {.path = "/healthz", .methods = METHOD_GET, .access = ACCESS_PUBLIC, .handler = page_healthz, .no_session = true},
    {.path = "/static/style.css", .methods = METHOD_GET, .access = ACCESS_PUBLIC, .handler = page_stylesheet, .no_session = true},
    {.path = "/lang", .methods = METHOD_GET, .access = ACCESS_PUBLIC, .handler = page_lang},
    {.path = "/help", .methods = METHOD_GET, .access = ACCESS_PUBLIC, .handler = page_help},
    {.path = "/help/*", .methods = METHOD_GET, .access = ACCESS_PUBLIC, .handler = page_help_article},
    {.path = "/static/print.js", .methods = METHOD_GET, .access = ACCESS_PUBLIC, .handler = page_print_script, .no_session = true},
    {.path = "/static/quote-preview.js", .methods = METHOD_GET, .access = ACCESS_PUBLIC, .handler = page_quote_preview_script, .no_session = true},

    {.path = "/corporate", .methods = METHOD_GET, .access = ACCESS_PUBLIC, .handler = page_corporate_sign_in},
    {.path = "/corporate/sign-in", .methods = METHOD_POST, .access = ACCESS_PUBLIC, .handler = page_corporate_sign_in_post, .blocking = true},
    {.path = "/corporate/forgot", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_PUBLIC, .handler = page_corporate_forgot},
    {.path = "/corporate/reset", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_PUBLIC, .handler = page_corporate_reset, .blocking = true},
    {.path = "/corporate/account", .methods = METHOD_GET, .access = ACCESS_CORPORATE, .handler = page_corporate_account},
    {.path = "/corporate/bill-to", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_CORPORATE, .handler = page_corporate_bill_to},
    {.path = "/corporate/recipients", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_CORPORATE, .handler = page_corporate_recipients},
    {.path = "/corporate/recipients/*/remove", .methods = METHOD_POST, .access = ACCESS_CORPORATE, .handler = page_corporate_recipient_remove},
    {.path = "/corporate/purchase-orders", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_CORPORATE, .handler = page_corporate_pos},
    {.path = "/corporate/purchase-orders/*", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_CORPORATE, .handler = page_corporate_po},
    {.path = "/corporate/purchase-orders/*/remove", .methods = METHOD_POST, .access = ACCESS_CORPORATE, .handler = page_corporate_po_remove},
    {.path = "/corporate/payment-method", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_CORPORATE, .handler = page_corporate_payment},
    {.path = "/corporate/payment-method/card", .methods = METHOD_POST, .access = ACCESS_CORPORATE, .handler = page_corporate_payment_card, .blocking = true},
    {.path = "/corporate/quotes", .methods = METHOD_GET, .access = ACCESS_CORPORATE, .handler = page_corporate_quotes},
    {.path = "/corporate/quotes/*", .methods = METHOD_GET, .access = ACCESS_CORPORATE, .handler = page_corporate_quote},
    {.path = "/corporate/quotes/*/accept", .methods = METHOD_POST, .access = ACCESS_CORPORATE, .handler = page_corporate_quote_accept},
    {.path = "/corporate/quotes/*/reject", .methods = METHOD_POST, .access = ACCESS_CORPORATE, .handler = page_corporate_quote_reject},
    {.path = "/corporate/quotes/*/pdf", .methods = METHOD_GET, .access = ACCESS_CORPORATE, .handler = page_corporate_quote_pdf, .blocking = true},
    {.path = "/corporate/invoices", .methods = METHOD_GET, .access = ACCESS_CORPORATE, .handler = page_corporate_invoices},
    {.path = "/corporate/invoices/*", .methods = METHOD_GET, .access = ACCESS_CORPORATE, .handler = page_corporate_invoice},
    {.path = "/corporate/invoices/*/pay", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_CORPORATE, .handler = page_corporate_invoice_pay, .blocking = true},
    {.path = "/corporate/invoices/*/pdf", .methods = METHOD_GET, .access = ACCESS_CORPORATE, .handler = page_corporate_invoice_pdf, .blocking = true},

    {.path = "/payments/events", .methods = METHOD_POST, .access = ACCESS_PUBLIC, .handler = page_payment_events, .blocking = true, .no_session = true},
    {.path = "/sandbox/checkout/*", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_PUBLIC, .handler = page_sandbox_checkout},
    {.path = "/sandbox/checkout/*/authenticate", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_PUBLIC, .handler = page_sandbox_authenticate},
    {.path = "/sandbox/checkout/*/cancel", .methods = METHOD_POST, .access = ACCESS_PUBLIC, .handler = page_sandbox_cancel},

    {.path = "/billing", .methods = METHOD_GET, .access = ACCESS_PUBLIC, .handler = page_billing_sign_in},
    {.path = "/billing/sign-in", .methods = METHOD_POST, .access = ACCESS_PUBLIC, .handler = page_billing_sign_in_post, .blocking = true},
    {.path = "/billing/account", .methods = METHOD_GET, .access = ACCESS_BILLING, .handler = page_billing_account},
    {.path = "/billing/contact-admin", .methods = METHOD_POST, .access = ACCESS_BILLING, .role = "member", .handler = page_billing_contact_admin},
    {.path = "/billing/subscription", .methods = METHOD_GET, .access = ACCESS_BILLING, .role = "billing_admin", .handler = page_billing_subscription},
    {.path = "/billing/subscription/change", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_BILLING, .role = "billing_admin", .handler = page_billing_subscription_change, .blocking = true},
    {.path = "/billing/bill-to", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_BILLING, .role = "billing_admin", .handler = page_billing_bill_to},
    {.path = "/billing/recipients", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_BILLING, .role = "billing_admin", .handler = page_billing_recipients},
    {.path = "/billing/recipients/*/remove", .methods = METHOD_POST, .access = ACCESS_BILLING, .role = "billing_admin", .handler = page_billing_recipient_remove},
    {.path = "/billing/payment-method", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_BILLING, .role = "billing_admin", .handler = page_billing_payment, .blocking = true},
    {.path = "/billing/invoices", .methods = METHOD_GET, .access = ACCESS_BILLING, .role = "billing_admin", .handler = page_billing_invoices},
    {.path = "/billing/invoices/*", .methods = METHOD_GET, .access = ACCESS_BILLING, .role = "billing_admin", .handler = page_billing_invoice},
    {.path = "/billing/invoices/*/pdf", .methods = METHOD_GET, .access = ACCESS_BILLING, .role = "billing_admin", .handler = page_billing_invoice_pdf, .blocking = true},

    {.path = "/staff", .methods = METHOD_GET, .access = ACCESS_PUBLIC, .handler = page_staff_sign_in},
    {.path = "/staff/sign-in", .methods = METHOD_POST, .access = ACCESS_PUBLIC, .handler = page_staff_sign_in_post, .blocking = true},
    {.path = "/staff/home", .methods = METHOD_GET, .access = ACCESS_STAFF, .handler = page_staff_home},
    {.path = "/staff/accounts", .methods = METHOD_GET, .access = ACCESS_STAFF, .handler = page_staff_accounts},
    {.path = "/staff/accounts/*", .methods = METHOD_GET, .access = ACCESS_STAFF, .handler = page_staff_account},
    {.path = "/staff/accounts/*/subscription", .methods = METHOD_GET, .access = ACCESS_STAFF, .handler = page_staff_account_subscription},
    {.path = "/staff/accounts/*/subscription/change", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_STAFF, .handler = page_staff_account_subscription_change, .blocking = true},
    {.path = "/staff/payment-details", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_STAFF, .role = "admin", .handler = page_staff_payment_details},
    {.path = "/staff/accounts/*/payments/new", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_STAFF, .handler = page_staff_payment_new, .max_fields = 260},
    {.path = "/staff/payments", .methods = METHOD_GET, .access = ACCESS_STAFF, .handler = page_staff_payments},
    {.path = "/staff/payments/*", .methods = METHOD_GET, .access = ACCESS_STAFF, .handler = page_staff_payment},
    {.path = "/staff/payments/*/reverse", .methods = METHOD_POST, .access = ACCESS_STAFF, .handler = page_staff_payment_reverse},
    {.path = "/staff/payments/*/refund", .methods = METHOD_POST, .access = ACCESS_STAFF, .handler = page_staff_payment_refund, .blocking = true},
    {.path = "/staff/invoices/*", .methods = METHOD_GET, .access = ACCESS_STAFF, .handler = page_staff_invoice},
    {.path = "/staff/invoices/*/pdf", .methods = METHOD_GET, .access = ACCESS_STAFF, .handler = page_staff_invoice_pdf, .blocking = true},
    {.path = "/staff/accounts/*/quotes", .methods = METHOD_POST, .access = ACCESS_STAFF, .handler = page_staff_account_quotes},
    {.path = "/staff/quotes", .methods = METHOD_GET, .access = ACCESS_STAFF, .handler = page_staff_quotes},
    {.path = "/staff/quotes/*", .methods = METHOD_GET | METHOD_POST, .access = ACCESS_STAFF, .handler = page_staff_quote, .max_fields = 160},
    {.path = "/staff/quotes/*/send", .methods = METHOD_POST, .access = ACCESS_STAFF, .handler = page_staff_quote_send},
    {.path = "/staff/quotes/*/withdraw", .methods = METHOD_POST, .access = ACCESS_STAFF, .handler = page_staff_quote_withdraw},
    {.path = "/staff/quotes/*/revise", .methods = METHOD_POST, .access = ACCESS_STAFF, .handler = page_staff_quote_revise},
    {.path = "/staff/quotes/*/pdf", .methods = METHOD_GET, .access = ACCESS_STAFF, .handler = page_staff_quote_pdf, .blocking = true},
    {.path = "/staff/quotes/*/accept", .methods = METHOD_POST, .access = ACCESS_STAFF, .handler = page_staff_quote_accept},
    {.path = "/staff/quotes/*/preview", .methods = METHOD_POST, .access = ACCESS_STAFF, .handler = page_staff_quote_preview, .max_fields = 160},

    {.path = "/sign-out", .methods = METHOD_POST, .access = ACCESS_SIGNED_IN, .handler = page_sign_out},
};
// clang-format on

const int n_routes = (int)(sizeof routes / sizeof routes[0]);
