/* Random secret tokens, their stored digests, and keyed MACs (libsodium). */
#ifndef COBRO_TOKEN_H
#define COBRO_TOKEN_H
#include <stdbool.h>
#include <stddef.h>

enum {
    TOKEN_CHARS = 43,  /* 256 random bits, base64url without padding */
    DIGEST_CHARS = 64, /* SHA-256 in lower-case hex */
};

/* Must be called once before any other function here; false when libsodium cannot start. */
bool token_init(void);
/* Writes a new random 256-bit token as TOKEN_CHARS base64url characters plus NUL. */
void token_new(char out[TOKEN_CHARS + 1]);
/* Writes the SHA-256 of s in hex plus NUL: what the database keeps instead of the token. */
void token_digest(const char *s, char out[DIGEST_CHARS + 1]);
/* HMAC-SHA-256 of msg under key (any length), base64url, TOKEN_CHARS + NUL. */
void token_mac(const char *key, const char *msg, char out[TOKEN_CHARS + 1]);
/* Constant-time comparison of two NUL-terminated strings; NULL never matches. */
bool token_equal(const char *a, const char *b);
/* True when s has the shape of a token (TOKEN_CHARS base64url characters). */
bool token_well_formed(const char *s);

#endif
