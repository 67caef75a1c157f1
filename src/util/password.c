/* Password hashing (argon2id via libsodium) and the password rules. */
#include "password.h"
#include "form.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

_Static_assert(crypto_pwhash_STRBYTES <= PASSWORD_HASH_MAX, "hash buffer too small");

password_rule_t password_check(const char *password, const char *confirmation, const char *login)
{
    if (strlen(password) > PASSWORD_MAX_BYTES) return PASSWORD_TOO_LONG;
    if (utf8_length(password) < PASSWORD_MIN_CHARS) return PASSWORD_TOO_SHORT;
    for (const unsigned char *p = (const unsigned char *)password; *p; p++)
        if (*p < 0x20 || *p == 0x7F || (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F))
            return PASSWORD_CONTROL_CHARS;
    if (login && strcasecmp(password, login) == 0) return PASSWORD_SAME_AS_LOGIN;
    if (confirmation && strcmp(password, confirmation) != 0) return PASSWORD_MISMATCH;
    return PASSWORD_OK;
}

bool password_hash(const char *password, char out[PASSWORD_HASH_MAX])
{
    return crypto_pwhash_str_alg(
               out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
               crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) == 0;
}

bool password_verify(const char *stored_hash, const char *password)
{
    if (!stored_hash || !*stored_hash) return false;
    return crypto_pwhash_str_verify(stored_hash, password, strlen(password)) == 0;
}

static char dummy_hash[PASSWORD_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy_hash(void)
{
    password_hash("cobro dummy password for timing", dummy_hash);
}

void password_verify_dummy(const char *password)
{
    pthread_once(&dummy_once, make_dummy_hash);
    (void)password_verify(dummy_hash, password);
}
