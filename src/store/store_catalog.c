/* The store's catalog (products, plans, prices, tax rates) and the demo's idempotent upserts. */
#include "store_internal.h"

#include <string.h>

/* ---- catalog and demo data ----------------------------------------------------------- */

store_status_t store_upsert_product(store_t *s, const char *code, const char *name, int64_t *id)
{
    return returning_id(db_query(s->db,
                                 "INSERT INTO products (code, name) VALUES ($1, $2)"
                                 " ON CONFLICT (code) DO UPDATE SET name = excluded.name"
                                 " RETURNING id",
                                 "ss", code, name),
                        id);
}

store_status_t store_upsert_plan(store_t *s, int64_t product_id, const char *code,
                                 const char *billing_period, int64_t *id)
{
    return returning_id(
        db_query(s->db,
                 "INSERT INTO plans (product_id, code, billing_period) VALUES ($1, $2, $3)"
                 " ON CONFLICT (code) DO UPDATE SET billing_period = excluded.billing_period"
                 " RETURNING id",
                 "iss", product_id, code, billing_period),
        id);
}

store_status_t store_upsert_price(store_t *s, int64_t plan_id, const char *currency,
                                  int64_t unit_amount)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO prices (plan_id, currency, unit_amount) VALUES ($1, $2, $3)"
                           " ON CONFLICT (plan_id, currency) DO UPDATE"
                           " SET unit_amount = excluded.unit_amount",
                           "isi", plan_id, currency, unit_amount));
}

store_status_t store_price(store_t *s, int64_t plan_id, const char *currency, int64_t *unit_amount)
{
    return returning_id(db_query(s->db,
                                 "SELECT unit_amount FROM prices WHERE plan_id = $1"
                                 " AND currency = $2",
                                 "is", plan_id, currency),
                        unit_amount);
}

/* INSERT ... ON CONFLICT DO NOTHING RETURNING gives no row when the row existed (STORE_NOT_FOUND):
 * then the existing id is read by the natural key. */
store_status_t store_ensure_staff(store_t *s, const staff_user_t *u, int64_t now, int64_t *id)
{
    store_status_t r = returning_id(
        db_query(s->db,
                 "INSERT INTO staff_users (email, name, role, password_hash, created_at)"
                 " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING RETURNING id",
                 "ssssi", u->email, u->name, u->role, u->password_hash, now),
        id);
    if (r != STORE_NOT_FOUND) return r;
    return returning_id(
        db_query(s->db, "SELECT id FROM staff_users WHERE email = $1", "s", u->email), id);
}

store_status_t account_insert(store_t *s, const account_t *acc, int64_t now, int64_t *id)
{
    return returning_id(
        db_query(s->db,
                 "INSERT INTO accounts (kind, name, currency, lang, bill_to_name, address_line1,"
                 " address_line2, city, region, postal_code, country, phone, sales_rep_id,"
                 " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
                 " NULLIF($13, 0), $14) ON CONFLICT (name) DO NOTHING RETURNING id",
                 "ssssssssssssii", acc->kind, acc->name, acc->currency, acc->lang,
                 acc->bill_to_name, acc->address_line1, acc->address_line2, acc->city, acc->region,
                 acc->postal_code, acc->country, acc->phone, acc->sales_rep_id, now),
        id);
}

store_status_t credential_insert(store_t *s, const credential_t *c, int64_t now, int64_t *id)
{
    return returning_id(
        db_query(
            s->db,
            "INSERT INTO portal_credentials (account_id, user_id, contact_name, contact_email,"
            " password_hash, password_changed_at, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id) DO NOTHING RETURNING id",
            "issssii", c->account_id, c->user_id, c->contact_name, c->contact_email,
            c->password_hash, now, now),
        id);
}

store_status_t store_ensure_account(store_t *s, const account_t *acc, int64_t now, int64_t *id)
{
    store_status_t r = account_insert(s, acc, now, id);
    if (r != STORE_NOT_FOUND) return r;
    return returning_id(db_query(s->db, "SELECT id FROM accounts WHERE name = $1", "s", acc->name),
                        id);
}

store_status_t store_ensure_credential(store_t *s, const credential_t *c, int64_t now, int64_t *id)
{
    store_status_t r = credential_insert(s, c, now, id);
    if (r != STORE_NOT_FOUND) return r;
    return returning_id(
        db_query(s->db, "SELECT id FROM portal_credentials WHERE user_id = $1", "s", c->user_id),
        id);
}

store_status_t store_ensure_account_user(store_t *s, const account_user_t *u, int64_t now,
                                         int64_t *id)
{
    store_status_t r = returning_id(
        db_query(s->db,
                 "INSERT INTO account_users (account_id, email, name, role, password_hash,"
                 " created_at) VALUES ($1, $2, $3, $4, $5, $6)"
                 " ON CONFLICT (email) DO NOTHING RETURNING id",
                 "issssi", u->account_id, u->email, u->name, u->role, u->password_hash, now),
        id);
    if (r != STORE_NOT_FOUND) return r;
    return returning_id(
        db_query(s->db, "SELECT id FROM account_users WHERE email = $1", "s", u->email), id);
}

store_status_t store_ensure_subscription(store_t *s, const subscription_new_t *sub, int64_t now)
{
    return from_db(db_exec(
        s->db,
        "INSERT INTO subscriptions (account_id, plan_id, currency, unit_amount, seats, status,"
        " period_start, period_end, anchor_day, created_at)"
        " SELECT $1, $2, $3, $4, $5, 'active', $6, $7, $8, $9"
        " WHERE NOT EXISTS (SELECT 1 FROM subscriptions WHERE account_id = $10 AND plan_id = $11)",
        "iisiissiiii", sub->account_id, sub->plan_id, sub->currency, sub->unit_amount, sub->seats,
        sub->period_start, sub->period_end, (int64_t)sub->anchor_day, now, sub->account_id,
        sub->plan_id));
}

/* ---- tax rates ----------------------------------------------------------------------- */

store_status_t store_tax_rate(store_t *s, const char *country, const char *region,
                              int64_t *rate_ppm)
{
    *rate_ppm = 0;
    const char *reg = region ? region : "";
    db_stmt_t *st = db_query(
        s->db,
        "SELECT COALESCE((SELECT rate_ppm FROM tax_rates WHERE country = $1 AND region = $2),"
        " (SELECT rate_ppm FROM tax_rates WHERE country = $3 AND region = ''), -1),"
        " (SELECT COUNT(*) FROM tax_rates WHERE country = $4 AND region <> '')",
        "ssss", country, reg, country, country);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    int64_t rate = db_int(st, 0), region_rates = db_int(st, 1);
    db_done(st);
    if (rate >= 0) {
        *rate_ppm = rate;
        return STORE_OK;
    }
    /* A country taxed by region, and this region is not in the table: never a silent 0 %. */
    return region_rates > 0 ? STORE_NOT_FOUND : STORE_OK;
}

store_status_t store_tax_regions(store_t *s, arena_t *a, const char *country, char ***codes,
                                 size_t *n)
{
    *n = 0;
    *codes = NULL;
    db_stmt_t *st = db_query(s->db,
                             "SELECT region FROM tax_rates WHERE country = $1 AND region <> ''"
                             " ORDER BY region LIMIT 200",
                             "s", country ? country : "");
    if (!st) return STORE_ERROR;
    size_t cap = 0;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        *codes = arena_grow(a, *codes, *n, &cap, sizeof **codes, 64);
        (*codes)[(*n)++] = col_str(a, st, 0);
    }
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_set_tax_rate(store_t *s, const char *country, const char *region,
                                  int64_t rate_ppm, const char *name)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO tax_rates (country, region, rate_ppm, name)"
                           " VALUES ($1, $2, $3, $4) ON CONFLICT (country, region)"
                           " DO UPDATE SET rate_ppm = excluded.rate_ppm, name = excluded.name",
                           "ssis", country, region ? region : "", rate_ppm, name ? name : ""));
}

/* ---- demo recipients and purchase orders --------------------------------------------- */

store_status_t store_ensure_invoice_recipient(store_t *s, int64_t account_id, const char *name,
                                              const char *email, int64_t now)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO invoice_recipients (account_id, name, email, created_at)"
                           " VALUES ($1, $2, $3, $4) ON CONFLICT (account_id, email) DO NOTHING",
                           "issi", account_id, name, email, now));
}

store_status_t store_ensure_purchase_order(store_t *s, int64_t account_id, const char *number,
                                           const char *start_date, const char *end_date,
                                           int64_t now)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO purchase_orders (account_id, number, start_date, end_date,"
                           " created_at) SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1"
                           " FROM purchase_orders WHERE account_id = $6 AND number = $7)",
                           "isssiis", account_id, number, start_date, end_date, now, account_id,
                           number));
}
