/* Demo data: three products, three accounts, their users and staff (safe to load twice). */
#include "demo.h"
#include "store/store.h"
#include "billing/regions.h"
#include "billing.h"
#include "billing/money.h"
#include "services/payments.h"
#include "services/payments_offline.h"
#include "services/quotes.h"
#include "services/services.h"
#include "services/w9.h"
#include "render/sample_w9.h"
#include "store/store_w9care.h"
#include "util/password.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

typedef struct {
    const char *code, *name;
    int64_t monthly_usd, monthly_eur, annual_usd, annual_eur; /* per seat, minor units */
} demo_product_t;

static const demo_product_t products[] = {
    {"rescueassist", "RescueAssist", 9900, 9200, 99000, 92000},
    {"gotoassist-rs5", "GoToAssist Remote Support v5", 6900, 6400, 69000, 64000},
    {"gotomeeting", "GoToMeeting", 1400, 1300, 13600, 12600},
};

/* A calendar date as 'YYYY-MM-DD', months past December rolling into the next year. */
static void date_text(char out[11], int year, int month, int day)
{
    while (month > 12)
        month -= 12, year++;
    while (month < 1)
        month += 12, year--;
    date_format((date_t){year, month, day}, out);
}

typedef struct {
    store_t *s;
    int64_t now;
    const char *hash;
    int year, month;        /* today's, UTC */
    int64_t plan_ids[3][2]; /* [product][0 monthly, 1 annual] */
    bool ok;
    store_status_t failure; /* the first failure's status (STORE_BUSY: worth another run) */
} loader_t;

static void check(loader_t *L, store_status_t st)
{
    if (st != STORE_OK && L->ok) L->ok = false, L->failure = st;
}

static void load_catalog(loader_t *L)
{
    for (int i = 0; i < 3 && L->ok; i++) {
        const demo_product_t *p = &products[i];
        int64_t product_id = 0;
        char code[64];
        check(L, store_upsert_product(L->s, p->code, p->name, &product_id));
        snprintf(code, sizeof code, "%s-monthly", p->code);
        check(L, store_upsert_plan(L->s, product_id, code, "monthly", &L->plan_ids[i][0]));
        snprintf(code, sizeof code, "%s-annual", p->code);
        check(L, store_upsert_plan(L->s, product_id, code, "annual", &L->plan_ids[i][1]));
        check(L, store_upsert_price(L->s, L->plan_ids[i][0], "USD", p->monthly_usd));
        check(L, store_upsert_price(L->s, L->plan_ids[i][0], "EUR", p->monthly_eur));
        check(L, store_upsert_price(L->s, L->plan_ids[i][1], "USD", p->annual_usd));
        check(L, store_upsert_price(L->s, L->plan_ids[i][1], "EUR", p->annual_eur));
    }
}

static int64_t staff(loader_t *L, const char *email, const char *name, const char *role)
{
    staff_user_t u = {.email = (char *)email,
                      .name = (char *)name,
                      .role = (char *)role,
                      .password_hash = (char *)L->hash};
    int64_t id = 0;
    check(L, store_ensure_staff(L->s, &u, L->now, &id));
    return id;
}

/* A subscription to product (index), annual or monthly, whose first period began `history`
 * periods before the current one: the bill runs that demo_load replays then leave that many
 * invoices of history, and the current period ends next month. */
static void subscribe(loader_t *L, int64_t account_id, int product, bool annual, int seats,
                      const char *currency, int day, int history)
{
    subscription_new_t sub = {
        .account_id = account_id, .seats = seats, .currency = currency, .anchor_day = day};
    sub.plan_id = L->plan_ids[product][annual ? 1 : 0];
    check(L, store_price(L->s, sub.plan_id, currency, &sub.unit_amount));
    char start[11], end[11];
    if (annual) {
        date_text(start, L->year - 1 - history, L->month + 1, day);
        date_text(end, L->year - history, L->month + 1, day);
    } else {
        date_text(start, L->year, L->month - history, day);
        date_text(end, L->year, L->month + 1 - history, day);
    }
    sub.period_start = start;
    sub.period_end = end;
    check(L, store_ensure_subscription(L->s, &sub, L->now));
}

static void load_accounts(loader_t *L)
{
    int64_t rep = staff(L, "rep@vendor.example", "Rita Reyes", "sales_rep");
    staff(L, "cas@vendor.example", "Carlos Álvarez", "account_services");
    staff(L, "care@vendor.example", "Chloé Martin", "customer_care");
    staff(L, "admin@vendor.example", "Ada Admin", "admin");

    int64_t acme = 0, globex = 0, initech = 0, id = 0;
    account_t a1 = {.kind = "corporate",
                    .name = "Acme Corporation",
                    .currency = "USD",
                    .lang = "en",
                    .bill_to_name = "Acme Corporation",
                    .address_line1 = "100 Main Street",
                    .address_line2 = "Suite 400",
                    .city = "Springfield",
                    .region = "IL",
                    .postal_code = "62701",
                    .country = "US",
                    .phone = "+1 217 555 0100",
                    .sales_rep_id = rep};
    check(L, store_ensure_account(L->s, &a1, L->now, &acme));
    credential_t c1 = {.account_id = acme,
                       .user_id = "acme-billing",
                       .contact_name = "Jordan Smith",
                       .contact_email = "jordan.smith@acme.example",
                       .password_hash = (char *)L->hash};
    check(L, store_ensure_credential(L->s, &c1, L->now, &id));

    account_t a2 = {.kind = "corporate",
                    .name = "Globex Italia S.p.A.",
                    .currency = "EUR",
                    .lang = "it",
                    .bill_to_name = "Globex Italia S.p.A.",
                    .address_line1 = "Via Roma 12",
                    .address_line2 = "",
                    .city = "Milano",
                    .region = "MI",
                    .postal_code = "20121",
                    .country = "IT",
                    .phone = "+39 02 5550 1234",
                    .sales_rep_id = rep};
    check(L, store_ensure_account(L->s, &a2, L->now, &globex));
    credential_t c2 = {.account_id = globex,
                       .user_id = "ap@globex.example",
                       .contact_name = "Giulia Bianchi",
                       .contact_email = "ap@globex.example",
                       .password_hash = (char *)L->hash};
    check(L, store_ensure_credential(L->s, &c2, L->now, &id));

    account_t a3 = {.kind = "online",
                    .name = "Initech",
                    .currency = "USD",
                    .lang = "en",
                    .bill_to_name = "Initech",
                    .address_line1 = "4120 Freidrich Lane",
                    .address_line2 = "",
                    .city = "Austin",
                    .region = "TX",
                    .postal_code = "78744",
                    .country = "US",
                    .phone = "+1 512 555 0199"};
    check(L, store_ensure_account(L->s, &a3, L->now, &initech));
    account_user_t owner = {.account_id = initech,
                            .email = "owner@initech.example",
                            .name = "Bill Lumbergh",
                            .role = "billing_admin",
                            .password_hash = (char *)L->hash};
    account_user_t member = {.account_id = initech,
                             .email = "user@initech.example",
                             .name = "Peter Gibbons",
                             .role = "member",
                             .password_hash = (char *)L->hash};
    /* A registered administrator besides the billing administrator: someone Customer Care may
     * accept as the caller who asks to change the billing administrator (docs/care.md). */
    account_user_t it_admin = {.account_id = initech,
                               .email = "it@initech.example",
                               .name = "Samir Nagheenanajar",
                               .role = "member",
                               .password_hash = (char *)L->hash};
    check(L, store_ensure_account_user(L->s, &owner, L->now, &id));
    check(L, store_ensure_account_user(L->s, &member, L->now, &id));
    check(L, store_ensure_account_user(L->s, &it_admin, L->now, &id));
    check(L, store_care_set_registered_admin(L->s, id, true));

    subscribe(L, acme, 0, true, 25, "USD", 1, 2);
    subscribe(L, acme, 2, true, 40, "USD", 1, 2);
    subscribe(L, globex, 1, true, 10, "EUR", 15, 2);
    /* Renews on the 1st, a day no later than today whatever today is: so the replayed bill runs
     * leave the same history (6 invoices) on every day of the month. */
    subscribe(L, initech, 2, false, 5, "USD", 1, 6);

    check(L, store_ensure_invoice_recipient(L->s, acme, "Acme Accounts Payable",
                                            "payables@acme.example", L->now));
    char po_start[11], po_end[11];
    date_text(po_start, L->year - 1, 1, 1);
    date_text(po_end, L->year + 1, 12, 31);
    check(L, store_ensure_purchase_order(L->s, acme, "PO-4500012345", po_start, po_end, L->now));
}

/* Tax rates of the demo's countries and states, and the vendor's own details. */
static void load_settings(loader_t *L)
{
    /* The United States tax by state: every state and DC has its row (the states' own base
     * rates; 0 where there is no state sales tax), so every state an address may name has one. */
    static const struct {
        const char *state;
        int64_t ppm;
    } us[] = {
        {"AL", 40000}, {"AK", 0},     {"AZ", 56000}, {"AR", 65000}, {"CA", 72500}, {"CO", 29000},
        {"CT", 63500}, {"DE", 0},     {"DC", 60000}, {"FL", 60000}, {"GA", 40000}, {"HI", 40000},
        {"ID", 60000}, {"IL", 62500}, {"IN", 70000}, {"IA", 60000}, {"KS", 65000}, {"KY", 60000},
        {"LA", 44500}, {"ME", 55000}, {"MD", 60000}, {"MA", 62500}, {"MI", 60000}, {"MN", 68750},
        {"MS", 70000}, {"MO", 42250}, {"MT", 0},     {"NE", 55000}, {"NV", 68500}, {"NH", 0},
        {"NJ", 66250}, {"NM", 48750}, {"NY", 40000}, {"NC", 47500}, {"ND", 50000}, {"OH", 57500},
        {"OK", 45000}, {"OR", 0},     {"PA", 60000}, {"RI", 70000}, {"SC", 60000}, {"SD", 42000},
        {"TN", 70000}, {"TX", 62500}, {"UT", 61000}, {"VT", 60000}, {"VA", 53000}, {"WA", 65000},
        {"WV", 60000}, {"WI", 50000}, {"WY", 40000},
    };
    for (size_t i = 0; i < sizeof us / sizeof us[0]; i++) {
        const char *name = region_name("US", us[i].state);
        char label[64];
        snprintf(label, sizeof label, "%s sales tax", name ? name : us[i].state);
        check(L, store_set_tax_rate(L->s, "US", us[i].state, us[i].ppm, label));
    }
    static const struct {
        const char *country, *name;
        int64_t ppm;
    } rates[] = {
        {"IT", "IVA", 220000},
        {"FR", "TVA", 200000},
        {"ES", "IVA", 210000},
        {"DE", "MwSt.", 190000},
    };
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++)
        check(L, store_set_tax_rate(L->s, rates[i].country, "", rates[i].ppm, rates[i].name));
    check(L, store_set_setting(L->s, "vendor_name", "Vendor, Inc."));
    /* The country apart from the address lines: invoices print its name in their language. */
    check(L,
          store_set_setting(L->s, "vendor_address", "500 Market Street\nSan Francisco, CA 94105"));
    check(L, store_set_setting(L->s, "vendor_country", "US"));
    check(L, store_set_setting(L->s, "vendor_email", "billing@vendor.example"));
    check(L, store_set_setting(L->s, "vendor_tax_id", "EIN 12-3456789"));
    check(L, store_set_setting(L->s, "tax_mode", "exclusive"));
    /* Where customers send wire transfers and checks (shown on the Payment Method tab). */
    check(L, store_set_setting(L->s, "vendor_bank_name", "First Republic Demo Bank"));
    check(L, store_set_setting(L->s, "vendor_bank_account_name", "Vendor, Inc."));
    check(L, store_set_setting(L->s, "vendor_bank_routing", "011000015"));
    check(L, store_set_setting(L->s, "vendor_bank_account", "000123456789"));
    check(L, store_set_setting(L->s, "vendor_bank_iban", "DE89 3704 0044 0532 0130 00"));
    check(L, store_set_setting(L->s, "vendor_bank_bic", "COBADEFFXXX"));
    check(L, store_set_setting(L->s, "vendor_check_address",
                               "Vendor, Inc.\nLockbox 4411\nPO Box 7000\nSan Francisco, CA 94120"));
}

/* Replays the bill runs of the past two years, day by day, so the accounts have invoice
 * history. Their emails count as sent long ago. Runs with nothing due cost one query. */
static bool replay_history(store_t *s, int64_t now, char *err, int err_size)
{
    date_t today = date_from_unix(now);
    for (date_t d = date_add_months(today, -30, today.d); date_cmp(d, today) <= 0;
         d = date_add_days(d, 1)) {
        bill_run_stats_t stats;
        bill_run_opts_t opts = {.at = d,
                                .now = now,
                                .vendor_tax_mode = "exclusive",
                                .vendor_name = "Vendor, Inc.",
                                .base_url = ""};
        if (!bill_run(s, &opts, &stats)) {
            snprintf(err, (size_t)err_size, "the demo bill runs failed");
            return false;
        }
    }
    if (store_outbox_settle(s, "invoice", now) != STORE_OK) {
        snprintf(err, (size_t)err_size, "could not settle the demo invoice emails");
        return false;
    }
    return true;
}

/* The demo's catalog, settings and accounts, in one transaction (upserts: a rerun is harmless). */
static store_status_t load_body(store_t *s, void *arg)
{
    (void)s;
    loader_t *L = arg;
    L->ok = true;
    L->failure = STORE_OK;
    load_catalog(L);
    if (L->ok) load_settings(L);
    if (L->ok) load_accounts(L);
    return L->ok ? STORE_OK : L->failure;
}

/* The nth (from 0) demo quote of account (by name), as its sales rep makes it: one line, then
 * sent at sent_at; number receives it. Nothing (number NULL) when the account has that many
 * quotes already: the demo loads twice. */
static bool demo_quote(services_t *svc, arena_t *a, store_t *s, const char *account_name,
                       size_t nth, int64_t sent_at, const quote_line_form_t *line, const char *note,
                       char **number)
{
    account_row_t *rows = NULL;
    size_t n = 0;
    if (store_accounts_list(s, a, 100, 0, &rows, &n) != STORE_OK) return false;
    int64_t account_id = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].name, account_name) == 0) account_id = rows[i].id;
    quote_t *existing = NULL;
    size_t n_existing = 0;
    if (!account_id || quotes_of_account_staff_view(svc, a, account_id, sent_at, &existing,
                                                    &n_existing) != STATUS_OK)
        return false;
    *number = NULL;
    if (n_existing > nth) return true; /* loaded before */
    staff_user_t rep;
    if (store_staff_by_email(s, a, "rep@vendor.example", &rep) != STORE_OK) return false;
    quote_staff_ctx_t ctx = {.staff_id = rep.id, .role = "sales_rep", .ip = "", .now = sent_at};
    quote_builder_t b;
    if (quote_create(svc, a, &ctx, account_id, number) != STATUS_OK ||
        quote_builder_view(svc, a, &ctx, *number, &b) != STATUS_OK)
        return false;
    /* The line names the account's first subscription of the product (its id is only known
     * now). */
    quote_form_t f = {.effective_date = b.quote.effective_date,
                      .valid_until = b.quote.valid_until,
                      .payment_terms = "30",
                      .customer_note = note,
                      .internal_note = "",
                      .n_lines = 1,
                      .decimal_mark = '.'};
    f.lines[0] = *line;
    for (size_t i = 0; i < b.n_subscriptions; i++)
        if (strcmp(b.subscriptions[i].product_name, line->subscription_id) == 0)
            f.lines[0].subscription_id = arena_printf(a, "%lld", (long long)b.subscriptions[i].id);
    quote_errors_t e;
    return quote_save_draft(svc, a, &ctx, *number, &f, &e) == STATUS_OK &&
           quote_send(svc, a, &ctx, *number, &e) == STATUS_OK;
}

/* The demo's quotes (issue 11): Acme has one sent today (15 more seats of RescueAssist for the
 * rest of its term, 10 % off, valid 30 days) and one sent 45 days ago that has expired; Globex
 * one sent today, in euros and Italian. Made through the quote service, as a rep would. */
static bool load_quotes(store_t *s, int64_t now, char *err, int err_size)
{
    services_t *svc = services_new(s);
    arena_t *a = arena_new();
    char *number = NULL;
    bool ok = svc && a;
    /* subscription_id names the product here; demo_quote puts the subscription's id in. */
    quote_line_form_t expired = {.kind = "add_seats",
                                 .subscription_id = "GoToMeeting",
                                 .seats = "10",
                                 .unit_price = "",
                                 .discount_kind = "none",
                                 .discount = ""};
    quote_line_form_t acme = {.kind = "add_seats",
                              .subscription_id = "RescueAssist",
                              .seats = "15",
                              .unit_price = "",
                              .discount_kind = "percent",
                              .discount = "10"};
    quote_line_form_t globex = {.kind = "add_seats",
                                .subscription_id = "GoToAssist Remote Support v5",
                                .seats = "5",
                                .unit_price = "",
                                .discount_kind = "none",
                                .discount = ""};
    ok = ok && demo_quote(svc, a, s, "Acme Corporation", 0, now - 45 * 86400, &expired,
                          "Ten more GoToMeeting seats for the new team in Denver.", &number);
    ok = ok && (!number || quotes_expire(svc, now) >= 0);
    ok = ok && demo_quote(svc, a, s, "Acme Corporation", 1, now, &acme,
                          "Fifteen more RescueAssist seats for the support desk, with 10 % off "
                          "for the rest of the term and every renewal.",
                          &number);
    ok = ok && demo_quote(svc, a, s, "Globex Italia S.p.A.", 0, now, &globex,
                          "Cinque postazioni in più per il nuovo ufficio di Torino.", &number);
    /* Their emails count as sent long ago, like the history's invoices: nobody is mailed. */
    ok = ok && store_outbox_settle(s, "quote", now) == STORE_OK;
    if (!ok) snprintf(err, (size_t)err_size, "could not write the demo quotes");
    if (a) arena_free(a);
    if (svc) services_free(svc);
    return ok;
}

static int64_t account_named(store_t *s, arena_t *a, const char *name)
{
    account_row_t *rows = NULL;
    size_t n = 0;
    if (store_accounts_list(s, a, 100, 0, &rows, &n) != STORE_OK) return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].name, name) == 0) return rows[i].id;
    return 0;
}

/* A wire transfer Corporate Account Services recorded: amount applied to one invoice, received
 * ten days after it was issued. */
static bool demo_wire(services_t *svc, arena_t *a, const pay_staff_t *cas, int64_t account_id,
                      const open_invoice_t *inv, int64_t amount, const char *reference)
{
    char text[MONEY_TEXT_MAX], received[11];
    money_decimal(amount, currency_exponent(inv->invoice.currency), text);
    date_t issued;
    if (!date_parse(inv->invoice.due_date, &issued)) return false;
    date_format(date_add_days(issued, -20), received);
    offline_apply_in_t apply = {.invoice_id = arena_printf(a, "%lld", (long long)inv->invoice.id),
                                .amount = text};
    offline_payment_in_t in = {.method = "wire",
                               .received_date = received,
                               .amount = text,
                               .currency = inv->invoice.currency,
                               .reference = reference,
                               .payer = "Acme Corporation Accounts Payable",
                               .applies = &apply,
                               .n_applies = 1,
                               .decimal_mark = '.'};
    offline_payment_out_t out;
    return payment_record_offline(svc, a, cas, account_id, &in, &out) == STATUS_OK;
}

/* The demo's money in (issue 12): Acme's older invoices paid by wire, the one before its newest
 * paid in part (its newest stays open); Globex pays nothing (its invoices are overdue); Initech
 * keeps a sandbox test card on file. Recorded through the payment service, as Corporate Account
 * Services would; nothing when loaded before. */
static bool load_payments(store_t *s, int64_t now, char *err, int err_size)
{
    services_t *svc = services_new(s);
    arena_t *a = arena_new();
    bool ok = svc && a;
    staff_user_t cas_user;
    int64_t acme = ok ? account_named(s, a, "Acme Corporation") : 0;
    int64_t initech = ok ? account_named(s, a, "Initech") : 0;
    ok = ok && acme && initech &&
         store_staff_by_email(s, a, "cas@vendor.example", &cas_user) == STORE_OK;
    pay_staff_t cas = {
        .staff_id = ok ? cas_user.id : 0, .role = "account_services", .ip = "", .now = now};
    payment_t *done = NULL;
    size_t n_done = 0;
    offline_form_view_t v;
    ok = ok && payments_list(svc, a, acme, 0, &done, &n_done) == STATUS_OK;
    if (ok && n_done == 0) {
        ok = offline_form_view(svc, a, &cas, acme, &v) == STATUS_OK;
        for (size_t i = 0; ok && i + 1 < v.n_invoices; i++) {
            const open_invoice_t *inv = &v.invoices[i];
            bool last_but_one = i + 2 == v.n_invoices;
            /* 40 % of the one before the newest, rounded to whole units. */
            int64_t unit = 1;
            for (int e = currency_exponent(inv->invoice.currency); e > 0; e--)
                unit *= 10;
            int64_t amount = last_but_one ? inv->balance * 2 / 5 / unit * unit : inv->balance;
            ok = demo_wire(svc, a, &cas, acme, inv, amount,
                           arena_printf(a, "FW-%s", inv->invoice.number));
        }
    }
    payment_card_t card = {.account_id = initech,
                           .exp_month = 12,
                           .exp_year = 2030,
                           .autopay = false,
                           .gateway = "sandbox",
                           .customer_ref = "cus_sb_demo_initech",
                           .method_ref = "pm_sb_4242",
                           .brand = "visa",
                           .last4 = "4242",
                           .holder_name = "Peter Gibbons"};
    payment_card_t existing;
    if (ok && store_payment_card_of(s, a, initech, &existing) == STORE_NOT_FOUND)
        ok = store_payment_card_upsert(s, &card, now) == STORE_OK;
    if (!ok) snprintf(err, (size_t)err_size, "could not write the demo payments");
    if (a) arena_free(a);
    if (svc) services_free(svc);
    return ok;
}

/* A sample W-9 naming the vendor, drawn now (no binary file in the repository), kept as the
 * first version unless a W-9 is there already. */
static bool load_w9(store_t *s, int64_t now, char *err, int err_size)
{
    arena_t *a = arena_new();
    services_t *svc = services_new(s);
    bool ok = a && svc;
    vendor_file_row_t current;
    store_status_t r = ok ? store_vendor_file_current(s, a, "w9", false, &current) : STORE_ERROR;
    if (r == STORE_NOT_FOUND) {
        char *vendor = NULL;
        if (store_setting(s, a, "vendor_name", &vendor) != STORE_OK || !vendor || !*vendor)
            vendor = "Vendor, Inc.";
        buf_t pdf;
        buf_init(&pdf, a);
        char why[128] = "";
        w9_check_t check = W9_OK;
        int64_t id = 0;
        ok = sample_w9_render(vendor, &pdf, why, sizeof why) &&
             w9_upload(svc, a, "sample-w9.pdf", pdf.data, pdf.len, 0, "", now, &check, &id) ==
                 STATUS_OK;
    } else {
        ok = ok && r == STORE_OK;
    }
    if (!ok) snprintf(err, (size_t)err_size, "could not write the demo W-9");
    if (svc) services_free(svc);
    if (a) arena_free(a);
    return ok;
}

bool demo_load(store_t *s, int64_t now, char *err, int err_size)
{
    char hash[PASSWORD_HASH_MAX];
    if (!password_hash(DEMO_PASSWORD, hash)) {
        snprintf(err, (size_t)err_size, "cannot hash the demo password (out of memory?)");
        return false;
    }
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    loader_t L = {
        .s = s, .now = now, .hash = hash, .year = tm.tm_year + 1900, .month = tm.tm_mon + 1};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, load_body, &L);
    if (r != STORE_OK) {
        snprintf(err, (size_t)err_size,
                 r == STORE_BUSY ? "the database is busy" : "could not write the demo data");
        return false;
    }
    if (!replay_history(s, now, err, err_size)) return false;
    return load_quotes(s, now, err, err_size) && load_payments(s, now, err, err_size) &&
           load_w9(s, now, err, err_size);
}
