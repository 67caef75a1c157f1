/* Password hashing (argon2id via libsodium) and the password rules. */
#ifndef COBRO_PASSWORD_H
#define COBRO_PASSWORD_H
#include <stdbool.h>

enum { PASSWORD_HASH_MAX = 128, PASSWORD_MIN_CHARS = 10, PASSWORD_MAX_BYTES = 1024 };

typedef enum {
    PASSWORD_OK = 0,
    PASSWORD_TOO_SHORT,     /* fewer than PASSWORD_MIN_CHARS characters */
    PASSWORD_TOO_LONG,      /* more than PASSWORD_MAX_BYTES bytes */
    PASSWORD_SAME_AS_LOGIN, /* equals the User ID or email, ignoring ASCII case */
    PASSWORD_MISMATCH,      /* the confirmation differs */
    PASSWORD_CONTROL_CHARS, /* holds a control character (nobody types it at sign-in) */
} password_rule_t;

/* Checks a new password and its confirmation against the rules for this login. */
password_rule_t password_check(const char *password, const char *confirmation, const char *login);

/* Hashes password with argon2id into out (NUL-terminated). Slow on purpose (tens of
 * milliseconds, 64 MiB): call it only off the event loops. False when memory is short. */
bool password_hash(const char *password, char out[PASSWORD_HASH_MAX]);

/* True when password matches the stored hash. Slow like password_hash. */
bool password_verify(const char *stored_hash, const char *password);

/* Spends the time of one verification without a real hash, so a missing user answers as slowly
 * as a wrong password (no way to learn which IDs exist by timing). */
void password_verify_dummy(const char *password);

#endif
