/* The route table: for each path its methods, who may use it, and its handler. Authorization is
 * enforced from here by router_dispatch, never inside handlers. */
#include "router.h"
#include "web/pages.h"

const route_t routes[] = {
    {METHOD_GET, "/", ACCESS_PUBLIC, NULL, page_home, false, false},
    {METHOD_GET, "/healthz", ACCESS_PUBLIC, NULL, page_healthz, false, true},
    {METHOD_GET, "/static/style.css", ACCESS_PUBLIC, NULL, page_stylesheet, false, true},
    {METHOD_GET, "/lang", ACCESS_PUBLIC, NULL, page_lang, false, false},
    {METHOD_GET, "/static/print.js", ACCESS_PUBLIC, NULL, page_print_script, false, true},

    {METHOD_GET, "/corporate", ACCESS_PUBLIC, NULL, page_corporate_sign_in, false, false},
    {METHOD_POST, "/corporate/sign-in", ACCESS_PUBLIC, NULL, page_corporate_sign_in_post, true, false},
    {METHOD_GET | METHOD_POST, "/corporate/forgot", ACCESS_PUBLIC, NULL, page_corporate_forgot, false, false},
    {METHOD_GET | METHOD_POST, "/corporate/reset", ACCESS_PUBLIC, NULL, page_corporate_reset, true, false},
    {METHOD_GET, "/corporate/account", ACCESS_CORPORATE, NULL, page_corporate_account, false, false},
    {METHOD_GET | METHOD_POST, "/corporate/bill-to", ACCESS_CORPORATE, NULL, page_corporate_bill_to, false, false},
    {METHOD_GET | METHOD_POST, "/corporate/recipients", ACCESS_CORPORATE, NULL, page_corporate_recipients, false, false},
    {METHOD_POST, "/corporate/recipients/*/remove", ACCESS_CORPORATE, NULL, page_corporate_recipient_remove, false, false},
    {METHOD_GET | METHOD_POST, "/corporate/purchase-orders", ACCESS_CORPORATE, NULL, page_corporate_pos, false, false},
    {METHOD_GET | METHOD_POST, "/corporate/purchase-orders/*", ACCESS_CORPORATE, NULL, page_corporate_po, false, false},
    {METHOD_POST, "/corporate/purchase-orders/*/remove", ACCESS_CORPORATE, NULL, page_corporate_po_remove, false, false},
    {METHOD_GET | METHOD_POST, "/corporate/payment-method", ACCESS_CORPORATE, NULL, page_corporate_payment, false, false},
    {METHOD_GET, "/corporate/invoices", ACCESS_CORPORATE, NULL, page_corporate_invoices, false, false},
    {METHOD_GET, "/corporate/invoices/*", ACCESS_CORPORATE, NULL, page_corporate_invoice, false, false},
    {METHOD_GET, "/corporate/invoices/*/pdf", ACCESS_CORPORATE, NULL, page_corporate_invoice_pdf, true, false},

    {METHOD_GET, "/billing", ACCESS_PUBLIC, NULL, page_billing_sign_in, false, false},
    {METHOD_POST, "/billing/sign-in", ACCESS_PUBLIC, NULL, page_billing_sign_in_post, true, false},
    {METHOD_GET, "/billing/account", ACCESS_BILLING, NULL, page_billing_account, false, false},
    {METHOD_POST, "/billing/contact-admin", ACCESS_BILLING, "member", page_billing_contact_admin, false, false},
    {METHOD_GET, "/billing/invoices", ACCESS_BILLING, "billing_admin", page_billing_invoices, false, false},
    {METHOD_GET, "/billing/invoices/*", ACCESS_BILLING, "billing_admin", page_billing_invoice, false, false},
    {METHOD_GET, "/billing/invoices/*/pdf", ACCESS_BILLING, "billing_admin", page_billing_invoice_pdf, true, false},

    {METHOD_GET, "/staff", ACCESS_PUBLIC, NULL, page_staff_sign_in, false, false},
    {METHOD_POST, "/staff/sign-in", ACCESS_PUBLIC, NULL, page_staff_sign_in_post, true, false},
    {METHOD_GET, "/staff/home", ACCESS_STAFF, NULL, page_staff_home, false, false},
    {METHOD_GET, "/staff/accounts", ACCESS_STAFF, NULL, page_staff_accounts, false, false},
    {METHOD_GET, "/staff/accounts/*", ACCESS_STAFF, NULL, page_staff_account, false, false},
    {METHOD_GET | METHOD_POST, "/staff/payment-details", ACCESS_STAFF, "admin", page_staff_payment_details, false, false},
    {METHOD_GET, "/staff/invoices/*", ACCESS_STAFF, NULL, page_staff_invoice, false, false},
    {METHOD_GET, "/staff/invoices/*/pdf", ACCESS_STAFF, NULL, page_staff_invoice_pdf, true, false},

    {METHOD_POST, "/sign-out", ACCESS_SIGNED_IN, NULL, page_sign_out, false, false},
};

const int n_routes = (int)(sizeof routes / sizeof routes[0]);
