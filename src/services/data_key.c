/* The installation's data key: loaded or made, checked against the database, then used to seal
 * bank numbers that older versions stored plain. */
#include "data_key.h"
#include "store/store.h"
#include "services/settings.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

/* A known text sealed under the key, kept in the database: a wrong key file fails to open it. */
static const char CHECK_SETTING[] = "data_key_check";
static const char CHECK_TEXT[] = "cobro data key";

static bool key_matches(arena_t *a, const data_key_t *key, const char *check)
{
    char *plain = NULL;
    return unseal_text(a, key, check, &plain) && strcmp(plain, CHECK_TEXT) == 0;
}

bool data_key_opens(const data_key_t *key, const char *check)
{
    arena_t *a = arena_new();
    bool ok = a && key_matches(a, key, check);
    arena_free(a);
    return ok;
}

/* The check value of the database, NULL when it has none yet; false when the store failed. */
static bool read_check(store_t *s, arena_t *a, char **check)
{
    *check = NULL;
    store_status_t r = store_setting(s, a, CHECK_SETTING, check);
    if (r == STORE_NOT_FOUND || (r == STORE_OK && !**check)) *check = NULL;
    return r == STORE_OK || r == STORE_NOT_FOUND;
}

bool data_key_open(store_t *s, const char *path, data_key_t *key, char *err, size_t err_size)
{
    arena_t *a = arena_new();
    char *check = NULL;
    bool ok = read_check(s, a, &check);
    if (!ok) snprintf(err, err_size, "cannot read the data key check from the database");
    bool created = false;
    if (ok && !data_key_load(path, check == NULL, key, &created, err, err_size)) {
        ok = false;
        if (check) {
            size_t used = strlen(err);
            snprintf(err + used, err_size - used,
                     " (this database's bank details are sealed under that key: restore the "
                     "file, or point --data-key-file / COBRO_DATA_KEY_FILE to it)");
        }
    }
    if (ok && !check) {
        /* The first node to get here sets the check; a node with another key then fails below. */
        ok = store_add_setting(s, CHECK_SETTING, seal_text(a, key, CHECK_TEXT)) == STORE_OK &&
             read_check(s, a, &check) && check;
        if (!ok) snprintf(err, err_size, "cannot write the data key check to the database");
    }
    if (ok && !key_matches(a, key, check)) {
        ok = false;
        snprintf(err, err_size,
                 "the data key file %s is not the key this database's bank details are sealed "
                 "under: point --data-key-file / COBRO_DATA_KEY_FILE to the right file",
                 path);
    }
    if (ok) {
        int sealed = settings_seal_plain_debits(s, a, key);
        if (sealed < 0) {
            ok = false;
            snprintf(err, err_size, "cannot seal the bank numbers stored plain");
        } else if (sealed > 0) {
            log_info("sealed the bank numbers of %d account(s) under the data key", sealed);
        }
    }
    if (ok && created)
        log_info("new data key written to %s (back it up apart from the database)", path);
    arena_free(a);
    return ok;
}
