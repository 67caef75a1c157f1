/* The store's side of the Billing Center's subscription changes (docs/subscriptions.md): an
 * account's subscriptions as the Subscription page shows them, the catalog it offers, the
 * subscription written back as a change leaves it, and the subscription_changes rows. */
#include "store/store_internal.h"

#include <string.h>

#define SUBSCRIPTION_COLUMNS                                                                       \
    "SELECT s.id, s.account_id, s.plan_id, pr.id, s.seats, s.unit_amount,"                         \
    " COALESCE(s.next_seats, -1), COALESCE(s.next_unit_amount, -1), COALESCE(s.next_plan_id, 0),"  \
    " COALESCE(s.charged_amount, -1), pr.min_seats, pr.max_seats,"                                 \
    " COALESCE(s.cancel_requested_at, 0), s.anchor_day, s.cancel_at_period_end, s.status,"         \
    " s.currency, s.period_start, s.period_end, COALESCE(s.charged_from, ''), s.cancel_reason,"    \
    " pr.name, pr.code, p.billing_period, COALESCE(np.billing_period, '')"                         \
    " FROM subscriptions s JOIN plans p ON p.id = s.plan_id"                                       \
    " JOIN products pr ON pr.id = p.product_id LEFT JOIN plans np ON np.id = s.next_plan_id"

static void read_subscription(arena_t *a, db_stmt_t *st, subscription_row_t *o)
{
    int64_t *ints[] = {&o->id,
                       &o->account_id,
                       &o->plan_id,
                       &o->product_id,
                       &o->seats,
                       &o->unit_amount,
                       &o->next_seats,
                       &o->next_unit_amount,
                       &o->next_plan_id,
                       &o->charged_amount,
                       &o->min_seats,
                       &o->max_seats,
                       &o->cancel_requested_at};
    int c = 0;
    for (; c < (int)(sizeof ints / sizeof ints[0]); c++)
        *ints[c] = db_int(st, c);
    o->anchor_day = (int)db_int(st, c++);
    o->cancel_at_period_end = db_int(st, c++) != 0;
    char **texts[] = {
        &o->status,         &o->currency,           &o->period_start, &o->period_end,
        &o->charged_from,   &o->cancel_reason,      &o->product_name, &o->product_code,
        &o->billing_period, &o->next_billing_period};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++, c++)
        *texts[t] = col_str(a, st, c);
}

store_status_t store_subscriptions_of(store_t *s, arena_t *a, int64_t account_id,
                                      subscription_row_t **out, size_t *n)
{
    *n = 0;
    *out = NULL;
    /* Active ones first, then those ended most recently; by product within each. */
    db_stmt_t *st = db_query(s->db,
                             SUBSCRIPTION_COLUMNS " WHERE s.account_id = $1 ORDER BY CASE WHEN"
                                                  " s.status = 'active' THEN 0 ELSE 1 END,"
                                                  " pr.name, s.period_end DESC, s.id",
                             "i", account_id);
    if (!st) return STORE_ERROR;
    size_t cap = 0;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow(a, *out, *n, &cap, sizeof **out, 8);
        read_subscription(a, st, &(*out)[(*n)++]);
    }
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_subscription_of(store_t *s, arena_t *a, int64_t account_id, int64_t id,
                                     subscription_row_t *out)
{
    db_stmt_t *st = db_query(s->db, SUBSCRIPTION_COLUMNS " WHERE s.id = $1 AND s.account_id = $2",
                             "ii", id, account_id);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    read_subscription(a, st, out);
    db_done(st);
    return STORE_OK;
}

store_status_t store_subscription_save(store_t *s, const subscription_row_t *sub)
{
    return must_change(
        s, db_exec(s->db,
                   "UPDATE subscriptions SET plan_id = $1, seats = $2, unit_amount = $3,"
                   " status = $4, period_start = $5, period_end = $6, anchor_day = $7,"
                   " next_seats = NULLIF($8, -1), next_unit_amount = NULLIF($9, -1),"
                   " next_plan_id = NULLIF($10, 0), charged_amount = NULLIF($11, -1),"
                   " charged_from = NULLIF($12, ''), cancel_at_period_end = $13,"
                   " cancel_reason = $14, cancel_requested_at = NULLIF($15, 0)"
                   " WHERE id = $16 AND account_id = $17",
                   "iiisssiiiiisisiii", sub->plan_id, sub->seats, sub->unit_amount, sub->status,
                   sub->period_start, sub->period_end, (int64_t)sub->anchor_day, sub->next_seats,
                   sub->next_unit_amount, sub->next_plan_id, sub->charged_amount,
                   sub->charged_from ? sub->charged_from : "",
                   (int64_t)(sub->cancel_at_period_end ? 1 : 0),
                   sub->cancel_reason ? sub->cancel_reason : "", sub->cancel_requested_at, sub->id,
                   sub->account_id));
}

store_status_t store_catalog_priced(store_t *s, arena_t *a, const char *currency,
                                    plan_price_t **out, size_t *n)
{
    *n = 0;
    *out = NULL;
    db_stmt_t *st = db_query(s->db,
                             "SELECT p.id, pr.id, c.unit_amount, pr.name, p.code, p.billing_period,"
                             " pr.code, pr.min_seats, pr.max_seats FROM plans p"
                             " JOIN products pr ON pr.id = p.product_id"
                             " JOIN prices c ON c.plan_id = p.id AND c.currency = $1"
                             " WHERE p.active = 1 AND pr.active = 1"
                             " ORDER BY pr.name, pr.id, p.billing_period DESC",
                             "s", currency);
    if (!st) return STORE_ERROR;
    size_t cap = 0;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow(a, *out, *n, &cap, sizeof **out, 16);
        (*out)[(*n)++] = (plan_price_t){.plan_id = db_int(st, 0),
                                        .product_id = db_int(st, 1),
                                        .unit_amount = db_int(st, 2),
                                        .product_name = col_str(a, st, 3),
                                        .plan_code = col_str(a, st, 4),
                                        .billing_period = col_str(a, st, 5),
                                        .product_code = col_str(a, st, 6),
                                        .min_seats = db_int(st, 7),
                                        .max_seats = db_int(st, 8)};
    }
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_change_insert(store_t *s, const subscription_change_t *c, int64_t now,
                                   int64_t *id)
{
    return from_db(db_insert(
        s->db, id,
        "INSERT INTO subscription_changes (account_id, subscription_id, kind, plan_id, seats,"
        " from_seats, unit_amount, currency, period_start, period_end, charge, credit, subtotal,"
        " tax_total, total, renewal_total, basis, state, reason, actor_kind, actor_id, created_at,"
        " decided_at, invoice_id, anchor_day, days, term_days, from_period) VALUES ($1,"
        " NULLIF($2, 0), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,"
        " $19, $20, $21, $22, NULLIF($23, 0), NULLIF($24, 0), $25, $26, $27, $28)",
        "iisiiiisssiiiiiissssiiiiiiis", c->account_id, c->subscription_id, c->kind, c->plan_id,
        c->seats, c->from_seats, c->unit_amount, c->currency, c->period_start, c->period_end,
        c->charge, c->credit, c->subtotal, c->tax_total, c->total, c->renewal_total, c->basis,
        c->state, c->reason, c->actor_kind, c->actor_id, now, c->decided_at, c->invoice_id,
        (int64_t)c->anchor_day, c->days, c->term_days, c->from_period ? c->from_period : ""));
}

#define CHANGE_COLUMNS                                                                             \
    "SELECT c.id, c.account_id, COALESCE(c.subscription_id, 0), c.plan_id, c.seats,"               \
    " c.from_seats, c.unit_amount, c.charge, c.credit, c.subtotal, c.tax_total, c.total,"          \
    " c.renewal_total, COALESCE(c.payment_id, 0), COALESCE(c.invoice_id, 0), c.actor_id,"          \
    " c.created_at, COALESCE(c.decided_at, 0), c.kind, c.currency, c.period_start, c.period_end,"  \
    " c.basis, c.state, c.reason, c.decline_code, c.actor_kind, COALESCE(i.number, ''), pr.name,"  \
    " c.days, c.term_days, c.anchor_day, c.from_period, p.billing_period, pr.id"                   \
    " FROM subscription_changes c JOIN plans p ON p.id = c.plan_id"                                \
    " JOIN products pr ON pr.id = p.product_id LEFT JOIN invoices i ON i.id = c.invoice_id"

static void read_change(arena_t *a, db_stmt_t *st, subscription_change_t *o)
{
    int64_t *ints[] = {
        &o->id,         &o->account_id,  &o->subscription_id, &o->plan_id,    &o->seats,
        &o->from_seats, &o->unit_amount, &o->charge,          &o->credit,     &o->subtotal,
        &o->tax_total,  &o->total,       &o->renewal_total,   &o->payment_id, &o->invoice_id,
        &o->actor_id,   &o->created_at,  &o->decided_at};
    int c = 0;
    for (; c < (int)(sizeof ints / sizeof ints[0]); c++)
        *ints[c] = db_int(st, c);
    char **texts[] = {&o->kind,       &o->currency,       &o->period_start, &o->period_end,
                      &o->basis,      &o->state,          &o->reason,       &o->decline_code,
                      &o->actor_kind, &o->invoice_number, &o->product_name};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++, c++)
        *texts[t] = col_str(a, st, c);
    o->days = db_int(st, c++);
    o->term_days = db_int(st, c++);
    o->anchor_day = (int)db_int(st, c++);
    o->from_period = col_str(a, st, c++);
    o->billing_period = col_str(a, st, c++);
    o->product_id = db_int(st, c);
}

store_status_t store_change_by_id(store_t *s, arena_t *a, int64_t id, subscription_change_t *out)
{
    db_stmt_t *st = db_query(s->db, CHANGE_COLUMNS " WHERE c.id = $1", "i", id);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    read_change(a, st, out);
    db_done(st);
    return STORE_OK;
}

store_status_t store_changes_of(store_t *s, arena_t *a, int64_t account_id, int limit,
                                subscription_change_t **out, size_t *n)
{
    *n = 0;
    *out = NULL;
    db_stmt_t *st =
        db_query(s->db, CHANGE_COLUMNS " WHERE c.account_id = $1 ORDER BY c.id DESC LIMIT $2", "ii",
                 account_id, (int64_t)limit);
    if (!st) return STORE_ERROR;
    size_t cap = 0;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW) {
        *out = arena_grow(a, *out, *n, &cap, sizeof **out, 8);
        read_change(a, st, &(*out)[(*n)++]);
    }
    return r == DB_OK ? STORE_OK : from_db(r);
}

store_status_t store_change_set_payment(store_t *s, int64_t id, int64_t payment_id)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE subscription_changes SET payment_id = $1 WHERE id = $2"
                                  " AND state = 'charging'",
                                  "ii", payment_id, id));
}

store_status_t store_change_decide(store_t *s, int64_t id, const char *state,
                                   int64_t subscription_id, int64_t invoice_id,
                                   const char *decline_code, int64_t now)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE subscription_changes SET state = $1,"
                                  " subscription_id = COALESCE(NULLIF($2, 0), subscription_id),"
                                  " invoice_id = NULLIF($3, 0), decline_code = $4, decided_at = $5"
                                  " WHERE id = $6 AND state = 'charging'",
                                  "siisii", state, subscription_id, invoice_id, decline_code, now,
                                  id));
}

store_status_t store_change_charging(store_t *s, int64_t account_id, int64_t *id)
{
    db_stmt_t *st = db_query(s->db,
                             "SELECT id FROM subscription_changes WHERE account_id = $1"
                             " AND state = 'charging'",
                             "i", account_id);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    *id = db_int(st, 0);
    db_done(st);
    return STORE_OK;
}
