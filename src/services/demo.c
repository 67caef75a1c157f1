/* Demo data: three products, three accounts, their users and staff (safe to load twice). */
#include "demo.h"
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
    while (month > 12) month -= 12, year++;
    while (month < 1) month += 12, year--;
    snprintf(out, 11, "%04d-%02d-%02d", year, month, day);
}

typedef struct {
    store_t *s;
    int64_t now;
    const char *hash;
    int year, month; /* today's, UTC */
    int64_t plan_ids[3][2]; /* [product][0 monthly, 1 annual] */
    bool ok;
} loader_t;

static void check(loader_t *L, store_status_t st)
{
    if (st != STORE_OK) L->ok = false;
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
    staff_user_t u = {.email = (char *)email, .name = (char *)name, .role = (char *)role,
                      .password_hash = (char *)L->hash};
    int64_t id = 0;
    check(L, store_ensure_staff(L->s, &u, L->now, &id));
    return id;
}

/* A subscription to product (index) started on day of the current period, annual or monthly. */
static void subscribe(loader_t *L, int64_t account_id, int product, bool annual, int seats,
                      const char *currency, int day)
{
    subscription_new_t sub = {.account_id = account_id, .seats = seats, .currency = currency,
                              .anchor_day = day};
    sub.plan_id = L->plan_ids[product][annual ? 1 : 0];
    check(L, store_price(L->s, sub.plan_id, currency, &sub.unit_amount));
    char start[11], end[11];
    if (annual) {
        date_text(start, L->year - 1, L->month + 1, day);
        date_text(end, L->year, L->month + 1, day);
    } else {
        date_text(start, L->year, L->month, day);
        date_text(end, L->year, L->month + 1, day);
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
    account_t a1 = {.kind = "corporate", .name = "Acme Corporation", .currency = "USD",
                    .lang = "en", .bill_to_name = "Acme Corporation",
                    .address_line1 = "100 Main Street", .address_line2 = "Suite 400",
                    .city = "Springfield", .region = "IL", .postal_code = "62701",
                    .country = "US", .phone = "+1 217 555 0100", .sales_rep_id = rep};
    check(L, store_ensure_account(L->s, &a1, L->now, &acme));
    credential_t c1 = {.account_id = acme, .user_id = "acme-billing",
                       .contact_name = "Jordan Smith", .contact_email = "jordan.smith@acme.example",
                       .password_hash = (char *)L->hash};
    check(L, store_ensure_credential(L->s, &c1, L->now, &id));

    account_t a2 = {.kind = "corporate", .name = "Globex Italia S.p.A.", .currency = "EUR",
                    .lang = "it", .bill_to_name = "Globex Italia S.p.A.",
                    .address_line1 = "Via Roma 12", .address_line2 = "", .city = "Milano",
                    .region = "MI", .postal_code = "20121", .country = "IT",
                    .phone = "+39 02 5550 1234", .sales_rep_id = rep};
    check(L, store_ensure_account(L->s, &a2, L->now, &globex));
    credential_t c2 = {.account_id = globex, .user_id = "ap@globex.example",
                       .contact_name = "Giulia Bianchi", .contact_email = "ap@globex.example",
                       .password_hash = (char *)L->hash};
    check(L, store_ensure_credential(L->s, &c2, L->now, &id));

    account_t a3 = {.kind = "online", .name = "Initech", .currency = "USD", .lang = "en",
                    .bill_to_name = "Initech", .address_line1 = "4120 Freidrich Lane",
                    .address_line2 = "", .city = "Austin", .region = "TX",
                    .postal_code = "78744", .country = "US", .phone = "+1 512 555 0199"};
    check(L, store_ensure_account(L->s, &a3, L->now, &initech));
    account_user_t owner = {.account_id = initech, .email = "owner@initech.example",
                            .name = "Bill Lumbergh", .role = "billing_admin",
                            .password_hash = (char *)L->hash};
    account_user_t member = {.account_id = initech, .email = "user@initech.example",
                             .name = "Peter Gibbons", .role = "member",
                             .password_hash = (char *)L->hash};
    check(L, store_ensure_account_user(L->s, &owner, L->now, &id));
    check(L, store_ensure_account_user(L->s, &member, L->now, &id));

    subscribe(L, acme, 0, true, 25, "USD", 1);
    subscribe(L, acme, 2, true, 40, "USD", 1);
    subscribe(L, globex, 1, true, 10, "EUR", 15);
    subscribe(L, initech, 2, false, 5, "USD", 5);
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
    loader_t L = {.s = s, .now = now, .hash = hash, .year = tm.tm_year + 1900,
                  .month = tm.tm_mon + 1, .ok = true};
    if (store_begin(s) != STORE_OK) {
        snprintf(err, (size_t)err_size, "the database is busy");
        return false;
    }
    load_catalog(&L);
    if (L.ok) load_accounts(&L);
    if (!L.ok || store_commit(s) != STORE_OK) {
        store_rollback(s);
        snprintf(err, (size_t)err_size, "could not write the demo data");
        return false;
    }
    return true;
}
