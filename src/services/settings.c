/* The corporate billing contact's own settings, and the Bill To and invoice recipients of an
 * online account's billing administrator: checked field by field, written whole, audited. */
#include "settings.h"
#include "store/store.h"
#include "billing/calendar.h"
#include "billing/money.h"
#include "i18n/format.h"
#include "i18n/i18n.h"
#include "mail.h"
#include "util/email_addr.h"
#include "util/form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A trimmed copy of what was typed ("" for NULL). */
static char *clean(arena_t *a, const char *s)
{
    return str_trim(arena_strdup(a, s ? s : ""));
}

/* Audits one field's change, even when its shown values read the same (a masked number). */
static store_status_t audit_write(store_t *s, const settings_ctx_t *ctx, const char *action,
                                  const char *field, const char *old_value, const char *new_value)
{
    audit_entry_t e = {.actor_kind = ctx->billing_center ? "billing" : "corporate",
                       .actor_id = ctx->credential_id,
                       .account_id = ctx->account_id,
                       .action = action,
                       .field = field,
                       .old_value = old_value,
                       .new_value = new_value,
                       .ip = ctx->ip};
    return store_audit(s, &e, ctx->now);
}

/* Audits one field's change (nothing when the value stayed the same). */
static store_status_t audit_change(store_t *s, const settings_ctx_t *ctx, const char *action,
                                   const char *field, const char *old_value, const char *new_value)
{
    if (strcmp(old_value, new_value) == 0) return STORE_OK;
    return audit_write(s, ctx, action, field, old_value, new_value);
}

/* Every change below runs as the body of one store_run_tx write transaction, which retries it
 * whole when the database is busy: so a body starts by resetting what it reports (errors,
 * flags), and refuses a form by setting *invalid and returning STORE_CONFLICT, which rolls back.
 * The values a save replaces, and so the audit's old values, are read inside that transaction
 * (BEGIN IMMEDIATE on SQLite, one writer at a time): read before it, two overlapping saves would
 * both log the same old value and the audit chain would break. */

/* The refusal of a form inside a transaction body: rolled back by store_run_tx. */
static store_status_t refuse(bool *invalid)
{
    *invalid = true;
    return STORE_CONFLICT;
}

/* What a change's transaction came to, for the page. Called after store_run_tx has returned
 * (never as an argument beside it: C leaves the order of arguments unspecified). */
static settings_status_t outcome(store_status_t r, bool invalid)
{
    if (invalid) return SETTINGS_INVALID;
    return r == STORE_OK ? SETTINGS_OK : r == STORE_NOT_FOUND ? SETTINGS_NOT_FOUND : SETTINGS_ERROR;
}

/* The Billing Center's actor must still be the account's billing administrator (read in the
 * change's transaction: a role handed over meanwhile refuses the change as not found). The
 * corporate contact's credential is checked where it is read. */
static store_status_t actor_may_change(store_t *s, arena_t *a, const settings_ctx_t *ctx)
{
    if (!ctx->billing_center) return STORE_OK;
    account_user_t u;
    store_status_t r = store_account_user_by_id(s, a, ctx->credential_id, &u);
    if (r == STORE_OK && (u.account_id != ctx->account_id || strcmp(u.role, "billing_admin") != 0))
        return STORE_NOT_FOUND;
    return r;
}

/* ---- Bill To ------------------------------------------------------------------------------- */

static int region_by_name(const void *x, const void *y)
{
    return strcmp(((const region_t *)x)->name, ((const region_t *)y)->name);
}

store_status_t settings_region_choices(store_t *s, arena_t *a, const char *country, region_t **out,
                                       size_t *n)
{
    char **codes = NULL;
    store_status_t r = store_tax_regions(s, a, country, &codes, n);
    if (r != STORE_OK) return r;
    *out = arena_alloc(a, (*n + 1) * sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        const char *name = region_name(country, codes[i]);
        (*out)[i] = (region_t){.code = codes[i], .name = name ? name : codes[i]};
    }
    if (*n > 1) qsort(*out, *n, sizeof **out, region_by_name);
    return STORE_OK;
}

/* The code of the choice the trimmed text names, by its code or its name in any letter case
 * ("il", "Illinois"); NULL if none. */
static const char *region_choice(const region_t *choices, size_t n, const char *typed)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(choices[i].code, typed) == 0 || strcasecmp(choices[i].name, typed) == 0)
            return choices[i].code;
    return NULL;
}

/* with_contact: the form holds the billing contact (the corporate portal's). */
static bool bill_to_valid(const bill_to_form_t *f, bool with_contact, const char *country,
                          const region_t *regions, size_t n_regions, const char *region,
                          bill_to_errors_t *e)
{
    if (with_contact) {
        e->contact_name = check_text(f->contact_name, true, NAME_MAX);
        e->contact_email = check_email(f->contact_email);
    }
    e->bill_to_name = check_text(f->bill_to_name, true, NAME_MAX);
    e->address_line1 = check_text(f->address_line1, true, ADDRESS_MAX);
    e->address_line2 = check_text(f->address_line2, false, ADDRESS_MAX);
    e->city = check_text(f->city, true, NAME_MAX);
    e->region = check_text(f->region, n_regions > 0, NAME_MAX);
    if (!e->region && n_regions > 0 && !region_choice(regions, n_regions, region))
        e->region = FIELD_BAD_REGION;
    e->postal_code = check_postal_code(f->postal_code, country);
    e->phone = check_phone(f->phone, true);
    return !(e->contact_name || e->contact_email || e->bill_to_name || e->address_line1 ||
             e->address_line2 || e->city || e->region || e->postal_code || e->phone);
}

/* The notice that the billing contact changed, to one address (old or new). */
static store_status_t queue_contact_notice(store_t *s, arena_t *a, const settings_ctx_t *ctx,
                                           const account_t *acc, const credential_t *cred,
                                           const char *to_name, const char *to_addr,
                                           const char *new_name, const char *new_email)
{
    lang_t lang = lang_of(acc->lang);
    email_t m = {
        .kind = "billing_contact_changed",
        .account_id = acc->id,
        .sender_ref = arena_printf(a, "credential:%lld", (long long)cred->id),
        .to_addr = to_addr,
        .to_name = to_name,
        .subject = mail_text(a, tr(lang, "The billing contact of %s has changed"), acc->name),
        .body_text = mail_text(
            a,
            tr(lang, "Hello %s,\n\n"
                     "The billing contact of %s in the Corporate Billing Portal is now %s (%s). "
                     "Invoices and portal emails go to this address from now on; the portal "
                     "User ID stays %s.\n\n"
                     "If you did not expect this change, contact Corporate Account Services.\n"),
            to_name, acc->name, new_name, new_email, cred->user_id),
    };
    return store_outbox_add(s, &m, ctx->now, NULL);
}

typedef struct {
    arena_t *a;
    const settings_ctx_t *ctx;
    const bill_to_form_t *form;
    bill_to_errors_t *errors;
    bool invalid, email_changed;
} bill_to_save_t;

static store_status_t save_bill_to(store_t *s, void *arg)
{
    bill_to_save_t *q = arg;
    arena_t *a = q->a;
    const settings_ctx_t *ctx = q->ctx;
    const bill_to_form_t *form = q->form;
    bill_to_errors_t *errors = q->errors;
    memset(errors, 0, sizeof *errors);
    q->invalid = q->email_changed = false;
    bool with_contact = !ctx->billing_center;
    account_t acc;
    credential_t cred = {0};
    store_status_t r = store_account_by_id(s, a, ctx->account_id, &acc);
    if (r == STORE_OK && with_contact) r = store_credential_by_id(s, a, ctx->credential_id, &cred);
    if (r == STORE_OK) r = actor_may_change(s, a, ctx);
    region_t *regions = NULL;
    size_t n_regions = 0;
    if (r == STORE_OK) r = settings_region_choices(s, a, acc.country, &regions, &n_regions);
    if (r != STORE_OK) return r;
    char *region = clean(a, form->region);
    if (!bill_to_valid(form, with_contact, acc.country, regions, n_regions, region, errors))
        return refuse(&q->invalid);

    account_t next = acc;
    next.bill_to_name = clean(a, form->bill_to_name);
    next.address_line1 = clean(a, form->address_line1);
    next.address_line2 = clean(a, form->address_line2);
    next.city = clean(a, form->city);
    /* Where the region is chosen from the tax table, its code is stored as the table spells it. */
    next.region = n_regions ? (char *)region_choice(regions, n_regions, region) : region;
    next.postal_code = clean(a, form->postal_code);
    next.phone = clean(a, form->phone);
    /* Without the contact, its values stay as they are: nothing to write, audit or notify. */
    const char *name = with_contact ? clean(a, form->contact_name) : "";
    const char *email = with_contact ? clean(a, form->contact_email) : "";
    if (!with_contact) cred.contact_name = cred.contact_email = (char *)"";
    bool email_changed = strcasecmp(email, cred.contact_email) != 0;

    if (email_changed) { /* counted inside the transaction: two saves at once cannot both pass */
        int64_t recent = 0;
        r = store_audit_count_since(s, acc.id, "bill_to_changed", "contact_email",
                                    ctx->now - 24 * 3600, &recent);
        if (r == STORE_OK && recent >= CONTACT_EMAIL_CHANGES_PER_DAY) {
            errors->contact_email = FIELD_TOO_OFTEN;
            return refuse(&q->invalid);
        }
    }
    if (r == STORE_OK) r = store_update_bill_to(s, &next);
    if (r == STORE_OK && with_contact) r = store_update_contact(s, cred.id, name, email);
    const char *act = "bill_to_changed";
    struct {
        const char *field, *old_value, *new_value;
    } changes[] = {
        {"contact_name", cred.contact_name, name},
        {"contact_email", cred.contact_email, email},
        {"bill_to_name", acc.bill_to_name, next.bill_to_name},
        {"address_line1", acc.address_line1, next.address_line1},
        {"address_line2", acc.address_line2, next.address_line2},
        {"city", acc.city, next.city},
        {"region", acc.region, next.region},
        {"postal_code", acc.postal_code, next.postal_code},
        {"phone", acc.phone, next.phone},
    };
    for (size_t i = 0; r == STORE_OK && i < sizeof changes / sizeof changes[0]; i++)
        r = audit_change(s, ctx, act, changes[i].field, changes[i].old_value, changes[i].new_value);
    if (r == STORE_OK && email_changed) {
        r = queue_contact_notice(s, a, ctx, &acc, &cred, cred.contact_name, cred.contact_email,
                                 name, email);
        if (r == STORE_OK)
            r = queue_contact_notice(s, a, ctx, &acc, &cred, name, email, name, email);
    }
    q->email_changed = email_changed;
    return r;
}

settings_status_t settings_save_bill_to(store_t *s, arena_t *a, const settings_ctx_t *ctx,
                                        const bill_to_form_t *form, bill_to_errors_t *errors,
                                        bool *mail_queued)
{
    bill_to_save_t q = {.a = a, .ctx = ctx, .form = form, .errors = errors};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, save_bill_to, &q);
    settings_status_t done = outcome(r, q.invalid);
    *mail_queued = done == SETTINGS_OK && q.email_changed;
    return done;
}

/* ---- invoice recipients ------------------------------------------------------------------ */

typedef struct {
    arena_t *a;
    const settings_ctx_t *ctx;
    const char *name, *email; /* cleaned; the email in lower case */
    field_error_t *email_error;
    bool invalid;
} recipient_add_t;

/* At most RECIPIENTS_MAX, each address once: counted inside the transaction, so that two adds
 * at once cannot both pass. */
static store_status_t add_recipient(store_t *s, void *arg)
{
    recipient_add_t *q = arg;
    q->invalid = false;
    *q->email_error = FIELD_OK;
    recipient_row_t *rows = NULL;
    size_t count = 0;
    store_status_t r = actor_may_change(s, q->a, q->ctx);
    if (r == STORE_OK) r = store_recipients_of(s, q->a, q->ctx->account_id, &rows, &count);
    if (r != STORE_OK) return r;
    for (size_t i = 0; i < count; i++) {
        if (strcasecmp(rows[i].email, q->email) == 0) {
            *q->email_error = FIELD_DUPLICATE;
            return refuse(&q->invalid);
        }
    }
    if (count >= RECIPIENTS_MAX) {
        *q->email_error = FIELD_LIMIT;
        return refuse(&q->invalid);
    }
    r = store_add_invoice_recipient(s, q->ctx->account_id, q->name, q->email, q->ctx->now);
    if (r == STORE_OK)
        r = audit_change(s, q->ctx, "invoice_recipient_added", "email", "",
                         arena_printf(q->a, "%s <%s>", q->name, q->email));
    return r;
}

settings_status_t settings_add_recipient(store_t *s, arena_t *a, const settings_ctx_t *ctx,
                                         const char *name, const char *email,
                                         field_error_t *name_error, field_error_t *email_error)
{
    *name_error = check_text(name, true, NAME_MAX);
    *email_error = check_email(email);
    if (*name_error || *email_error) return SETTINGS_INVALID;
    recipient_add_t q = {.a = a,
                         .ctx = ctx,
                         .name = clean(a, name),
                         .email = ascii_lower(clean(a, email)),
                         .email_error = email_error};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, add_recipient, &q);
    return outcome(r, q.invalid);
}

typedef struct {
    arena_t *a;
    const settings_ctx_t *ctx;
    int64_t recipient_id;
} recipient_remove_t;

static store_status_t remove_recipient(store_t *s, void *arg)
{
    recipient_remove_t *q = arg;
    char *email = NULL;
    store_status_t r = actor_may_change(s, q->a, q->ctx);
    if (r == STORE_OK)
        r = store_remove_recipient(s, q->ctx->account_id, q->recipient_id, &email, q->a);
    if (r == STORE_OK) r = audit_change(s, q->ctx, "invoice_recipient_removed", "email", email, "");
    return r;
}

settings_status_t settings_remove_recipient(store_t *s, arena_t *a, const settings_ctx_t *ctx,
                                            int64_t recipient_id)
{
    recipient_remove_t q = {.a = a, .ctx = ctx, .recipient_id = recipient_id};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, remove_recipient, &q);
    return outcome(r, false);
}

/* ---- purchase orders --------------------------------------------------------------------- */

static char *po_text(arena_t *a, const po_t *po, const char *currency)
{
    char amount[MONEY_TEXT_MAX] = "";
    if (po->amount >= 0) money_decimal(po->amount, currency_exponent(currency), amount);
    return arena_printf(a, "%s %s..%s%s%s", po->number, po->start_date, po->end_date,
                        *amount ? " " : "", amount);
}

typedef struct {
    arena_t *a;
    const settings_ctx_t *ctx;
    int64_t po_id; /* 0: a new one */
    const po_form_t *form;
    po_errors_t *errors;
    bool invalid;
} po_save_t;

static store_status_t save_po(store_t *s, void *arg)
{
    po_save_t *q = arg;
    arena_t *a = q->a;
    const settings_ctx_t *ctx = q->ctx;
    const po_form_t *form = q->form;
    po_errors_t *errors = q->errors;
    int64_t po_id = q->po_id;
    memset(errors, 0, sizeof *errors);
    q->invalid = false;
    account_t acc;
    store_status_t r = store_account_by_id(s, a, ctx->account_id, &acc);
    if (r != STORE_OK) return r;
    po_t old = {0};
    if (po_id && (r = store_po_by_id(s, a, ctx->account_id, po_id, &old)) != STORE_OK) return r;

    po_t po = {.id = po_id, .amount = -1};
    po.number = clean(a, form->number);
    po.start_date = clean(a, form->start_date);
    po.end_date = clean(a, form->end_date);
    errors->number = check_text(form->number, true, PO_NUMBER_MAX);
    char *amount = clean(a, form->amount);
    field_error_t amount_line = check_one_line(form->amount);
    int exponent = currency_exponent(acc.currency);
    char mark = ctx->decimal_mark ? ctx->decimal_mark : '.';
    if (amount_line)
        errors->amount = amount_line;
    else if (*amount && (exponent < 0 || !money_parse_typed(amount, exponent, mark, &po.amount) ||
                         po.amount < 0))
        errors->amount = FIELD_BAD_AMOUNT;
    date_t start, end;
    errors->start_date = check_one_line(form->start_date)     ? FIELD_NOT_ONE_LINE
                         : !*po.start_date                    ? FIELD_REQUIRED
                         : !date_parse(po.start_date, &start) ? FIELD_BAD_DATE
                                                              : FIELD_OK;
    errors->end_date = check_one_line(form->end_date)   ? FIELD_NOT_ONE_LINE
                       : !*po.end_date                  ? FIELD_REQUIRED
                       : !date_parse(po.end_date, &end) ? FIELD_BAD_DATE
                                                        : FIELD_OK;
    if (!errors->start_date && !errors->end_date && date_cmp(end, start) < 0)
        errors->end_date = FIELD_DATES_ORDER;
    if (errors->number || errors->amount || errors->start_date || errors->end_date)
        return refuse(&q->invalid);

    int64_t overlaps = 0;
    r = store_po_overlaps(s, ctx->account_id, po_id, po.start_date, po.end_date, &overlaps);
    if (r == STORE_OK && overlaps > 0) {
        errors->end_date = FIELD_OVERLAP;
        return refuse(&q->invalid);
    }
    if (r == STORE_OK)
        r = po_id ? store_po_update(s, ctx->account_id, &po)
                  : store_po_insert(s, ctx->account_id, &po, ctx->now, &po.id);
    if (r == STORE_OK)
        r = audit_change(s, ctx, po_id ? "purchase_order_changed" : "purchase_order_added",
                         "purchase_order", po_id ? po_text(a, &old, acc.currency) : "",
                         po_text(a, &po, acc.currency));
    return r;
}

settings_status_t settings_save_po(store_t *s, arena_t *a, const settings_ctx_t *ctx, int64_t po_id,
                                   const po_form_t *form, po_errors_t *errors)
{
    po_save_t q = {.a = a, .ctx = ctx, .po_id = po_id, .form = form, .errors = errors};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, save_po, &q);
    return outcome(r, q.invalid);
}

typedef struct {
    arena_t *a;
    const settings_ctx_t *ctx;
    int64_t po_id;
} po_remove_t;

static store_status_t remove_po(store_t *s, void *arg)
{
    po_remove_t *q = arg;
    account_t acc;
    po_t old;
    store_status_t r = store_account_by_id(s, q->a, q->ctx->account_id, &acc);
    if (r == STORE_OK) r = store_po_by_id(s, q->a, q->ctx->account_id, q->po_id, &old);
    if (r == STORE_OK) r = store_po_delete(s, q->ctx->account_id, q->po_id);
    if (r == STORE_OK)
        r = audit_change(s, q->ctx, "purchase_order_removed", "purchase_order",
                         po_text(q->a, &old, acc.currency), "");
    return r;
}

settings_status_t settings_remove_po(store_t *s, arena_t *a, const settings_ctx_t *ctx,
                                     int64_t po_id)
{
    po_remove_t q = {.a = a, .ctx = ctx, .po_id = po_id};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, remove_po, &q);
    return outcome(r, false);
}

typedef struct {
    int64_t po_id, now;
    const email_t *email;
} reminder_t;

/* STORE_NOT_FOUND when another node marked it first: nothing is queued then. */
static store_status_t mark_reminded(store_t *s, void *arg)
{
    reminder_t *q = arg;
    store_status_t r = store_po_reminded(s, q->po_id, q->now);
    if (r == STORE_OK) r = store_outbox_add(s, q->email, q->now, NULL);
    return r;
}

int settings_po_reminders(store_t *s, arena_t *a, int64_t now)
{
    date_t today = date_from_unix(now);
    char today_text[11], last_text[11];
    date_format(today, today_text);
    date_format(date_add_days(today, PO_REMINDER_DAYS), last_text);
    po_reminder_t *due = NULL;
    size_t n = 0;
    if (store_pos_needing_reminder(s, a, today_text, last_text, &due, &n) != STORE_OK) return -1;
    int sent = 0;
    for (size_t i = 0; i < n; i++) {
        po_reminder_t *p = &due[i];
        lang_t lang = lang_of(p->lang);
        char end[64];
        format_date(lang, p->country, p->end_date, end, sizeof end);
        email_t m = {
            .kind = "purchase_order_expiring",
            .account_id = p->account_id,
            .sender_ref = arena_printf(a, "purchase_order:%lld", (long long)p->po_id),
            .to_addr = p->contact_email,
            .to_name = p->contact_name,
            .subject = mail_text(a, tr(lang, "Purchase order %s expires on %s"), p->number, end),
            .body_text = mail_text(
                a,
                tr(lang, "Hello %s,\n\n"
                         "The purchase order %s that we print on your invoices expires on %s. "
                         "To keep it on future invoices, sign in to the Corporate Billing Portal "
                         "with the User ID %s and add the next purchase order, or change its "
                         "expiration date.\n"),
                p->contact_name, p->number, end, p->user_id),
        };
        /* The mark (conditional: another node may have sent it since the list was read) and the
         * email commit together: one reminder, never two. */
        reminder_t q = {.po_id = p->po_id, .now = now, .email = &m};
        store_status_t r = store_run_tx(s, STORE_TX_WRITE, mark_reminded, &q);
        if (r == STORE_NOT_FOUND) continue;
        if (r != STORE_OK) return -1;
        sent++;
    }
    return sent;
}

/* ---- payment method ---------------------------------------------------------------------- */

static const char *const methods[] = {"wire", "check", "direct_debit", "card"};

static bool method_known(const char *m)
{
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(m, methods[i]) == 0) return true;
    return false;
}

/* How the audit log shows an account's payment preference: bank numbers masked. */
static char *payment_text(arena_t *a, const account_t *acc)
{
    if (strcmp(acc->payment_method, "direct_debit") != 0) return acc->payment_method;
    bool ach = *acc->debit_routing_hint != '\0';
    return arena_printf(a, "direct_debit %s %s%s%s", acc->debit_holder,
                        ach ? acc->debit_routing_hint : "", ach ? " " : "", acc->debit_number_hint);
}

static char *masked(arena_t *a, const char *number)
{
    if (!*number) return "";
    char *out = arena_alloc(a, 64);
    mask_account(number, out, 64);
    return out;
}

/* True when the sealed number stored differs from the plain one typed (or cannot be read). */
static bool sealed_differs(arena_t *a, const data_key_t *key, const char *sealed, const char *plain)
{
    if (!*sealed) return *plain != '\0';
    char *stored = NULL;
    return !unseal_text(a, key, sealed, &stored) || strcmp(stored, plain) != 0;
}

/* True when a direct debit is replaced by another bank account whose masked hints read the same
 * (say a new account number with the same last four digits): the audit must still show it. */
static bool debit_replaced(arena_t *a, const data_key_t *key, const account_t *old,
                           const debit_numbers_t *typed)
{
    if (strcmp(old->payment_method, "direct_debit") != 0) return false;
    return sealed_differs(a, key, old->debit_routing, typed->routing) ||
           sealed_differs(a, key, old->debit_account, typed->account) ||
           sealed_differs(a, key, old->debit_iban, typed->iban);
}

/* Seals the plain bank numbers of d in place and fills their masked hints. */
static void seal_debit_numbers(arena_t *a, const data_key_t *key, debit_numbers_t *d)
{
    d->routing_hint = masked(a, d->routing);
    d->number_hint = masked(a, *d->iban ? d->iban : d->account);
    d->routing = seal_text(a, key, d->routing);
    d->account = seal_text(a, key, d->account);
    d->iban = seal_text(a, key, d->iban);
}

typedef struct {
    arena_t *a;
    const settings_ctx_t *ctx;
    const payment_form_t *form;
    payment_errors_t *errors;
    bool invalid;
} payment_save_t;

static store_status_t save_payment(store_t *s, void *arg)
{
    payment_save_t *q = arg;
    arena_t *a = q->a;
    const settings_ctx_t *ctx = q->ctx;
    const payment_form_t *form = q->form;
    payment_errors_t *errors = q->errors;
    memset(errors, 0, sizeof *errors);
    q->invalid = false;
    account_t acc;
    store_status_t r = store_account_by_id(s, a, ctx->account_id, &acc);
    if (r != STORE_OK) return r;
    const char *method = form->method ? form->method : "";
    if (!method_known(method)) {
        errors->method = *method ? FIELD_BAD_CHOICE : FIELD_REQUIRED;
        return refuse(&q->invalid);
    }
    account_t next = acc;
    next.payment_method = (char *)method;
    next.debit_holder = next.debit_routing = next.debit_account = next.debit_iban = "";
    next.debit_routing_hint = next.debit_number_hint = "";
    int64_t mandate_at = 0;
    bool replaced = false;
    if (strcmp(method, "direct_debit") == 0) {
        next.debit_holder = clean(a, form->holder);
        errors->holder = check_text(next.debit_holder, true, NAME_MAX);
        /* US dollars are debited through ACH (routing and account number); every other
         * currency through an IBAN. */
        if (strcmp(acc.currency, "USD") != 0) {
            errors->iban = check_iban(form->iban ? form->iban : "");
            char iban[64];
            iban_normalize(form->iban ? form->iban : "", iban, sizeof iban);
            next.debit_iban = arena_strdup(a, iban);
        } else {
            next.debit_routing = clean(a, form->routing);
            next.debit_account = clean(a, form->account);
            errors->routing = check_aba_routing(next.debit_routing);
            errors->account = check_us_account_number(next.debit_account);
        }
        if (!form->mandate || strcmp(form->mandate, "yes") != 0) errors->mandate = FIELD_MANDATE;
        if (errors->holder || errors->iban || errors->routing || errors->account || errors->mandate)
            return refuse(&q->invalid);
        mandate_at = ctx->now;
        /* Only sealed numbers reach the database (a copy of it alone reveals none). */
        if (!ctx->data_key) return STORE_ERROR;
        debit_numbers_t d = {.account_id = acc.id,
                             .routing = next.debit_routing,
                             .account = next.debit_account,
                             .iban = next.debit_iban};
        replaced = debit_replaced(a, ctx->data_key, &acc, &d);
        seal_debit_numbers(a, ctx->data_key, &d);
        next.debit_routing = d.routing, next.debit_account = d.account, next.debit_iban = d.iban;
        next.debit_routing_hint = d.routing_hint, next.debit_number_hint = d.number_hint;
    }
    r = store_update_payment(s, &next, mandate_at);
    if (r == STORE_OK) {
        const char *was = payment_text(a, &acc), *now = payment_text(a, &next);
        /* A new account whose masked text reads as the old one's is still a change to see. */
        r = replaced && strcmp(was, now) == 0
                ? audit_write(s, ctx, "bank_account_replaced", "bank_account", was, now)
                : audit_change(s, ctx, "payment_method_changed", "payment_method", was, now);
    }
    /* Each acceptance of the mandate is recorded, even when the bank details stay the same. */
    if (r == STORE_OK && mandate_at)
        r = audit_change(s, ctx, "direct_debit_mandate_accepted", "mandate", "", "accepted");
    return r;
}

settings_status_t settings_save_payment(store_t *s, arena_t *a, const settings_ctx_t *ctx,
                                        const payment_form_t *form, payment_errors_t *errors)
{
    payment_save_t q = {.a = a, .ctx = ctx, .form = form, .errors = errors};
    store_status_t r = store_run_tx(s, STORE_TX_WRITE, save_payment, &q);
    return outcome(r, q.invalid);
}

typedef struct {
    arena_t *a;
    const data_key_t *key;
    size_t sealed;
} seal_all_t;

static store_status_t seal_all(store_t *s, void *arg)
{
    seal_all_t *q = arg;
    debit_numbers_t *rows = NULL;
    size_t n = 0;
    q->sealed = 0;
    store_status_t r = store_debits_unsealed(s, q->a, &rows, &n);
    for (size_t i = 0; r == STORE_OK && i < n; i++) {
        seal_debit_numbers(q->a, q->key, &rows[i]);
        r = store_set_debit_numbers(s, &rows[i]);
    }
    q->sealed = n;
    return r;
}

int settings_seal_plain_debits(store_t *s, arena_t *a, const data_key_t *key)
{
    seal_all_t q = {.a = a, .key = key};
    return store_run_tx(s, STORE_TX_WRITE, seal_all, &q) == STORE_OK ? (int)q.sealed : -1;
}
