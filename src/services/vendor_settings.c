/* The vendor's payment details (remit-to bank, check mailing address): loaded, checked, saved
 * whole and audited. */
#include "vendor_settings.h"
#include "store/store.h"
#include "util/form.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The settings keys, in the order of the vendor_payment_t fields. */
static const char *const keys[] = {
    "vendor_bank_name", "vendor_bank_account_name", "vendor_bank_routing",  "vendor_bank_account",
    "vendor_bank_iban", "vendor_bank_bic",          "vendor_check_address",
};
enum { N_KEYS = sizeof keys / sizeof keys[0] };

/* The field of v that holds keys[i]. */
static const char **field_at(vendor_payment_t *v, size_t i)
{
    const char **fields[N_KEYS] = {&v->bank_name, &v->account_name, &v->routing,      &v->account,
                                   &v->iban,      &v->bic,          &v->check_address};
    return fields[i];
}

store_status_t vendor_payment_load(store_t *s, arena_t *a, vendor_payment_t *out)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        char *v = NULL;
        store_status_t r = store_setting(s, a, keys[i], &v);
        if (r != STORE_OK && r != STORE_NOT_FOUND) return r;
        *field_at(out, i) = r == STORE_OK && v ? v : "";
    }
    return STORE_OK;
}

/* A trimmed copy; the check address keeps its line breaks (as \n) and loses blank lines. */
static char *cleaned(arena_t *a, const char *s, bool multi_line)
{
    char *t = str_trim(arena_strdup(a, s ? s : ""));
    if (!multi_line) return t;
    char *out = arena_alloc(a, strlen(t) + 1), *o = out;
    for (const char *p = t; *p;) {
        size_t len = strcspn(p, "\r\n");
        char *line = str_trim(arena_strndup(a, p, len));
        if (*line) o += sprintf(o, "%s%s", o == out ? "" : "\n", line);
        p += len;
        p += strspn(p, "\r\n");
    }
    *o = '\0';
    return out;
}

static bool valid(const vendor_payment_t *v, vendor_payment_errors_t *e)
{
    e->bank_name = check_text(v->bank_name, false, NAME_MAX);
    e->account_name = check_text(v->account_name, false, NAME_MAX);
    e->routing = *v->routing ? check_aba_routing(v->routing) : FIELD_OK;
    e->account = *v->account ? check_us_account_number(v->account) : FIELD_OK;
    e->iban = *v->iban ? check_iban(v->iban) : FIELD_OK;
    e->bic = *v->bic ? check_bic(v->bic) : FIELD_OK;
    e->check_address = check_lines(v->check_address, false, CHECK_ADDRESS_MAX);
    /* Half an American bank account is no way to pay. */
    if (!e->routing && !e->account && (*v->routing != '\0') != (*v->account != '\0')) {
        if (*v->routing)
            e->account = FIELD_REQUIRED;
        else
            e->routing = FIELD_REQUIRED;
    }
    return !(e->bank_name || e->account_name || e->routing || e->account || e->iban || e->bic ||
             e->check_address);
}

typedef struct {
    arena_t *a;
    int64_t staff_id, now;
    const char *ip;
    vendor_payment_t *next;
} vendor_payment_save_t;

/* Writes the settings that changed, each with its audit entry; the old values are read in the
 * same transaction, so that overlapping saves never log a stale one. */
static store_status_t vendor_payment_save_body(store_t *s, void *arg)
{
    vendor_payment_save_t *v = arg;
    vendor_payment_t old;
    store_status_t r = vendor_payment_load(s, v->a, &old);
    for (size_t i = 0; r == STORE_OK && i < N_KEYS; i++) {
        const char *before = *field_at(&old, i), *after = *field_at(v->next, i);
        if (strcmp(before, after) == 0) continue;
        r = store_set_setting(s, keys[i], after);
        audit_entry_t e = {.actor_kind = "staff",
                           .actor_id = v->staff_id,
                           .action = "vendor_setting_changed",
                           .field = keys[i],
                           .old_value = before,
                           .new_value = after,
                           .ip = v->ip};
        if (r == STORE_OK) r = store_audit(s, &e, v->now);
    }
    return r;
}

settings_status_t vendor_payment_save(store_t *s, arena_t *a, int64_t staff_id, const char *ip,
                                      int64_t now, const vendor_payment_t *form,
                                      vendor_payment_errors_t *errors)
{
    memset(errors, 0, sizeof *errors);
    vendor_payment_t typed = *form, next;
    for (size_t i = 0; i < N_KEYS; i++)
        *field_at(&next, i) =
            cleaned(a, *field_at(&typed, i), strcmp(keys[i], "vendor_check_address") == 0);
    bool ok = valid(&next, errors);
    /* Cleaning trims each line of the address: a tab that opened a line is judged as typed. */
    if (!errors->check_address && form->check_address &&
        check_lines(form->check_address, false, SIZE_MAX) == FIELD_BAD_CHARS) {
        errors->check_address = FIELD_BAD_CHARS;
        ok = false;
    }
    if (!ok) return SETTINGS_INVALID;

    vendor_payment_save_t v = {.a = a, .staff_id = staff_id, .now = now, .ip = ip, .next = &next};
    return store_run_tx(s, STORE_TX_WRITE, vendor_payment_save_body, &v) == STORE_OK
               ? SETTINGS_OK
               : SETTINGS_ERROR;
}
