/* The installation's data key: read (or made, for a new database) from its file, checked against
 * the database, and used to seal any bank numbers still stored plain. */
#ifndef COBRO_DATA_KEY_H
#define COBRO_DATA_KEY_H
#include "store/rows.h"
#include "util/arena.h"
#include "util/sealed.h"

/* Opens the data key of the database behind s from path. A database that has never had a key
 * gets a new key file (mode 0600); one that has refuses a missing file or another key, since its
 * sealed bank numbers could not be read. Seals plain bank numbers left by older versions. False
 * with one line in err saying what is wrong and what to do. */
bool data_key_open(store_t *s, const char *path, data_key_t *key, char *err, size_t err_size);

/* True when key opens check, the data key check value a database (or a backup of it) keeps: it
 * is then the key that database's bank numbers are sealed under. */
bool data_key_opens(const data_key_t *key, const char *check);

#endif
