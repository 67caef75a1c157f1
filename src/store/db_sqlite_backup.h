/* cobro backup and cobro restore on an SQLite database: a consistent copy taken while the server
 * runs, and a checked copy put in place of a database, each written whole before it is renamed. */
#ifndef COBRO_DB_SQLITE_BACKUP_H
#define COBRO_DB_SQLITE_BACKUP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a checked copy holds, for the command to print. */
typedef struct {
    int64_t bytes;
    int schema_version;
    int64_t accounts, invoices;
    bool has_key_check;  /* the copy holds a data key check value */
    char key_check[512]; /* that value (sealed under the data key), when it does */
} sqlite_copy_info_t;

/* Writes a consistent copy of the database at db_path to to_path: into a temporary file (0600)
 * beside it, checked (integrity_check, a cobro schema), fsynced, then renamed. Refuses a to_path
 * that is the database itself. False with one line in err; to_path is then left as it was. */
bool sqlite_backup(const char *db_path, const char *to_path, sqlite_copy_info_t *info, char *err,
                   size_t err_size);

/* Copies the backup at from_path into a new temporary file beside db_path (0600) and checks the
 * copy: an SQLite database, integrity_check ok, a cobro schema not newer than this binary's.
 * On success tmp_path names the copy, for sqlite_restore_commit or sqlite_restore_abandon. False
 * with one line in err (and nothing left behind); db_path is never touched here. */
bool sqlite_restore_prepare(const char *from_path, const char *db_path, char *tmp_path,
                            size_t tmp_size, sqlite_copy_info_t *info, char *err, size_t err_size);

/* Renames the checked copy over db_path. When db_path exists: refused unless force, and refused
 * while another process has the database open (a running server); its -wal and -shm files, which
 * belong to the old database, are removed first. The copy is abandoned on failure. */
bool sqlite_restore_commit(const char *tmp_path, const char *db_path, bool force, char *err,
                           size_t err_size);

/* Removes the copy made by sqlite_restore_prepare. */
void sqlite_restore_abandon(const char *tmp_path);

#endif
