/* Bank details sealed at rest: authenticated encryption (libsodium secretbox) under a data key
 * kept in a file outside the database, so that a copy of the database alone reveals no bank
 * account number. */
#ifndef COBRO_SEALED_H
#define COBRO_SEALED_H
#include "util/arena.h"
#include <stdbool.h>
#include <stddef.h>

enum { DATA_KEY_BYTES = 32 };

typedef struct {
    unsigned char bytes[DATA_KEY_BYTES];
} data_key_t;

/* What a key file holds: the key in lower-case hex, then a newline. */
enum { DATA_KEY_FILE_CHARS = 2 * DATA_KEY_BYTES + 1 };

/* Reads the key file at path. When it does not exist and create is true, makes a new random key
 * and writes it there (mode 0600, never replacing a file another process wrote meanwhile).
 * Refuses a file that other users may read or write, or that is not one key in hex. False with
 * one line in err naming the path and what is wrong; *created tells whether the file is new. */
bool data_key_load(const char *path, bool create, data_key_t *key, bool *created, char *err,
                   size_t err_size);

/* "v1:" and the base64url of a fresh random nonce and the ciphertext of plain: a different text
 * every time, even for the same plain. "" stays "" (nothing to hide). */
char *seal_text(arena_t *a, const data_key_t *key, const char *plain);
/* The plain text of a sealed one; false when it is not sealed, was sealed under another key or
 * was altered. */
bool unseal_text(arena_t *a, const data_key_t *key, const char *sealed, char **plain);
/* True when s has the "v1:" mark of a sealed text. */
bool is_sealed(const char *s);

#endif
