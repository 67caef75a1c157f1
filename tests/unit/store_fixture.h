/* Unit-test helper: a fresh, migrated SQLite database in /tmp, and its removal (WAL files too). */
#ifndef COBRO_TEST_STORE_FIXTURE_H
#define COBRO_TEST_STORE_FIXTURE_H

#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Opens (creates and migrates) a database at a new /tmp path written into path; fails the test
 * on any error. name appears in the path, to tell the suites' files apart. */
static inline store_t *fixture_store_new(char path[64], const char *name)
{
    snprintf(path, 64, "/tmp/cobro-%s-XXXXXX", name);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[256];
    store_t *s = store_open(path, err, sizeof err);
    assert_non_null(s);
    int from = 0, to = 0;
    assert_int_equal(store_migrate(s, &from, &to), STORE_OK);
    return s;
}

/* Closes s and removes the database at path with its -wal and -shm files. */
static inline void fixture_store_drop(store_t *s, const char *path)
{
    store_close(s);
    unlink(path);
    char side[80];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

#endif
