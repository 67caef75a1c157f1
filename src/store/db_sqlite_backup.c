/* cobro backup and restore on SQLite, through the sqlite3 API on the database's path (the store's
 * connection is not needed: a backup is taken beside a running server, a restore while none runs).
 *
 * The copy is made by VACUUM INTO, not by sqlite3_backup_step in chunks. The database is in WAL
 * mode (db_sqlite.c sets it), where a reader never blocks a writer: VACUUM INTO reads the whole
 * database in one read transaction, so the copy is one consistent snapshot while the server goes
 * on writing, and nobody waits for it. Chunked backup_step steps would bring nothing more in WAL
 * mode, and each write by the server between two steps restarts the copy from the first page, so
 * a busy server could keep a backup from ever finishing. VACUUM INTO also writes a compact file
 * (no free pages, no WAL to carry along). The price: while it reads, a checkpoint cannot move the
 * WAL past its snapshot, so the WAL file grows for the length of the backup. */
#include "store/db_sqlite_backup.h"
#include "store/migrations.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { BUSY_TIMEOUT_MS = 5000, IN_USE_TIMEOUT_MS = 2000 };

/* The files SQLite may keep beside a database: they belong to that database alone. */
static const char *const SIDECARS[] = {"-journal", "-wal", "-shm"};

static void remove_sidecars(const char *path)
{
    char side[PATH_MAX + 16];
    for (size_t i = 0; i < sizeof SIDECARS / sizeof SIDECARS[0]; i++) {
        snprintf(side, sizeof side, "%s%s", path, SIDECARS[i]);
        unlink(side);
    }
}

static void remove_copy(const char *path)
{
    unlink(path);
    remove_sidecars(path);
}

/* A new empty file "<beside><tag>XXXXXX" (mode 0600, as mkstemp makes it) in beside's folder, so
 * that the final rename stays within one file system. */
static bool make_temp(const char *beside, const char *tag, char *out, size_t out_size, char *err,
                      size_t err_size)
{
    if ((size_t)snprintf(out, out_size, "%s%sXXXXXX", beside, tag) >= out_size) {
        snprintf(err, err_size, "the path %s is too long", beside);
        return false;
    }
    int fd = mkstemp(out);
    if (fd < 0) {
        snprintf(err, err_size, "cannot create a temporary file beside %s: %s", beside,
                 strerror(errno));
        return false;
    }
    close(fd);
    return true;
}

/* The folder holding path. */
static void folder_of(const char *path, char out[PATH_MAX])
{
    snprintf(out, PATH_MAX, "%s", path);
    char *slash = strrchr(out, '/');
    if (!slash)
        snprintf(out, PATH_MAX, ".");
    else if (slash == out)
        out[1] = '\0';
    else
        *slash = '\0';
}

/* fsync of a file, or of the folder holding path (for a rename to last a power cut). */
static bool sync_path(const char *path, bool its_folder)
{
    char dir[PATH_MAX];
    if (its_folder) {
        folder_of(path, dir);
        path = dir;
    }
    int fd = open(path, O_RDONLY | (its_folder ? O_DIRECTORY : 0));
    if (fd < 0) return false;
    bool ok = fsync(fd) == 0;
    close(fd);
    return ok;
}

/* The first column of the one-row query sql as an integer; -1 when it fails. */
static int64_t single_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static bool has_sqlite_header(const char *path)
{
    static const char magic[16] = "SQLite format 3";
    char head[16];
    int fd = open(path, O_RDONLY);
    if (fd < 0) return false;
    ssize_t n = read(fd, head, sizeof head);
    close(fd);
    return n == (ssize_t)sizeof head && memcmp(head, magic, sizeof head) == 0;
}

/* Checks the copy at path (name is what messages call it) and fills info: an SQLite database
 * whose pages are all there, integrity_check ok, cobro's tables, a schema version from 1 to
 * max_version. Leaves it in rollback-journal mode, so that it is one self-contained file. */
static bool check_copy(const char *path, const char *name, int max_version,
                       sqlite_copy_info_t *info, char *err, size_t err_size)
{
    memset(info, 0, sizeof *info);
    if (!has_sqlite_header(path)) {
        snprintf(err, err_size, "%s is not a cobro database (not an SQLite file)", name);
        return false;
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        snprintf(err, err_size, "cannot open %s: %s", name,
                 db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return false;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    bool ok = false;
    struct stat sb;
    int64_t page_size = single_int(db, "PRAGMA page_size");
    int64_t pages = single_int(db, "PRAGMA page_count");
    if (page_size <= 0 || pages <= 0 || stat(path, &sb) != 0) {
        if (sqlite3_errcode(db) == SQLITE_CORRUPT)
            snprintf(err, err_size, "%s is damaged (cut short or corrupt): %s", name,
                     sqlite3_errmsg(db));
        else
            snprintf(err, err_size, "%s is not a cobro database: %s", name, sqlite3_errmsg(db));
        goto done;
    }
    if ((int64_t)sb.st_size < page_size * pages) {
        snprintf(err, err_size,
                 "%s is damaged: it is cut short (%lld bytes where its header counts %lld)", name,
                 (long long)sb.st_size, (long long)(page_size * pages));
        goto done;
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check(1)", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        snprintf(err, err_size, "%s is damaged: it fails the integrity check: %s", name,
                 sqlite3_errmsg(db));
        sqlite3_finalize(st);
        goto done;
    }
    const char *verdict = (const char *)sqlite3_column_text(st, 0);
    if (!verdict || strcmp(verdict, "ok") != 0) {
        snprintf(err, err_size, "%s is damaged: it fails the integrity check: %s", name,
                 verdict ? verdict : "no answer");
        sqlite3_finalize(st);
        goto done;
    }
    sqlite3_finalize(st);
    if (single_int(db, "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN"
                       " ('schema_migrations', 'vendor_settings', 'accounts', 'invoices')") != 4) {
        snprintf(err, err_size, "%s is an SQLite database but not a cobro database", name);
        goto done;
    }
    info->schema_version = (int)single_int(db, "SELECT COALESCE(MAX(version), 0)"
                                               " FROM schema_migrations");
    if (info->schema_version < 1) {
        snprintf(err, err_size, "%s has no schema version: it is not a cobro database", name);
        goto done;
    }
    if (info->schema_version > max_version) {
        snprintf(err, err_size,
                 "%s has schema version %d, newer than this cobro's (%d): restore it with the "
                 "cobro version that wrote it, or a later one",
                 name, info->schema_version, max_version);
        goto done;
    }
    info->accounts = single_int(db, "SELECT COUNT(*) FROM accounts");
    info->invoices = single_int(db, "SELECT COUNT(*) FROM invoices");
    if (sqlite3_prepare_v2(db, "SELECT value FROM vendor_settings WHERE key = 'data_key_check'", -1,
                           &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        if (v && *v && strlen(v) < sizeof info->key_check) {
            snprintf(info->key_check, sizeof info->key_check, "%s", v);
            info->has_key_check = true;
        }
    }
    sqlite3_finalize(st);
    /* No WAL to carry along: the copy is the one file, whatever mode its source was in. */
    if (sqlite3_exec(db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, err_size, "cannot finish the copy of %s: %s", name, sqlite3_errmsg(db));
        goto done;
    }
    ok = true;
done:
    sqlite3_close(db);
    remove_sidecars(path);
    if (ok && stat(path, &sb) == 0) info->bytes = (int64_t)sb.st_size;
    return ok;
}

bool sqlite_backup(const char *db_path, const char *to_path, sqlite_copy_info_t *info, char *err,
                   size_t err_size)
{
    struct stat src, dst;
    if (stat(db_path, &src) != 0 || !S_ISREG(src.st_mode)) {
        snprintf(err, err_size, "there is no database at %s", db_path);
        return false;
    }
    if (stat(to_path, &dst) == 0 && dst.st_dev == src.st_dev && dst.st_ino == src.st_ino) {
        snprintf(err, err_size, "%s is the database itself: write the backup to another file",
                 to_path);
        return false;
    }
    char tmp[PATH_MAX];
    if (!make_temp(to_path, ".tmp-", tmp, sizeof tmp, err, err_size)) return false;
    sqlite3 *db = NULL;
    bool ok = false;
    /* Read-only: a backup never changes the database, nor creates one at a mistyped path. */
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(err, err_size, "cannot open database %s: %s", db_path,
                 db ? sqlite3_errmsg(db) : "out of memory");
        goto done;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "VACUUM INTO ?1", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, tmp, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_DONE) {
        snprintf(err, err_size, "cannot copy database %s: %s", db_path, sqlite3_errmsg(db));
        sqlite3_finalize(st);
        goto done;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    db = NULL;
    char name[PATH_MAX + 32];
    snprintf(name, sizeof name, "the copy of %s", db_path);
    if (!check_copy(tmp, name, INT_MAX, info, err, err_size)) goto done;
    if (chmod(tmp, 0600) != 0 || !sync_path(tmp, false)) {
        snprintf(err, err_size, "cannot write %s: %s", tmp, strerror(errno));
        goto done;
    }
    if (rename(tmp, to_path) != 0) {
        snprintf(err, err_size, "cannot rename the backup to %s: %s", to_path, strerror(errno));
        goto done;
    }
    sync_path(to_path, true);
    ok = true;
done:
    sqlite3_close(db);
    if (!ok) remove_copy(tmp);
    return ok;
}

/* Copies the bytes of from into the (empty) file to; false with errno set. */
static bool copy_bytes(const char *from, const char *to)
{
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_TRUNC);
    bool ok = in >= 0 && out >= 0;
    char buf[64 * 1024];
    while (ok) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        for (ssize_t done = 0; ok && done < n;) {
            ssize_t w = write(out, buf + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR) continue;
            ok = w > 0;
            done += w > 0 ? w : 0;
        }
    }
    if (ok) ok = fsync(out) == 0;
    int saved = errno;
    if (in >= 0) close(in);
    if (out >= 0 && close(out) != 0 && ok) ok = false, saved = errno;
    errno = saved;
    return ok;
}

bool sqlite_restore_prepare(const char *from_path, const char *db_path, char *tmp_path,
                            size_t tmp_size, sqlite_copy_info_t *info, char *err, size_t err_size)
{
    struct stat from, db;
    if (stat(from_path, &from) != 0) {
        snprintf(err, err_size, "cannot read %s: %s", from_path, strerror(errno));
        return false;
    }
    if (!S_ISREG(from.st_mode)) {
        snprintf(err, err_size, "%s is not a cobro database (not a regular file)", from_path);
        return false;
    }
    if (stat(db_path, &db) == 0 && db.st_dev == from.st_dev && db.st_ino == from.st_ino) {
        snprintf(err, err_size, "%s is the database itself", from_path);
        return false;
    }
    if (!make_temp(db_path, ".restore-", tmp_path, tmp_size, err, err_size)) return false;
    if (!copy_bytes(from_path, tmp_path)) {
        snprintf(err, err_size, "cannot copy %s beside %s: %s", from_path, db_path,
                 strerror(errno));
        remove_copy(tmp_path);
        return false;
    }
    if (!check_copy(tmp_path, from_path, migration_latest(), info, err, err_size) ||
        !sync_path(tmp_path, false)) {
        if (!*err) snprintf(err, err_size, "cannot write %s: %s", tmp_path, strerror(errno));
        remove_copy(tmp_path);
        return false;
    }
    return true;
}

void sqlite_restore_abandon(const char *tmp_path)
{
    remove_copy(tmp_path);
}

/* Takes the existing database at path out of use for the rename: its WAL checkpointed into it and
 * gone (leaving WAL mode needs every other connection closed, so a running server makes this
 * fail), then an exclusive lock held on *held until the caller closes it. A file that is not a
 * database has nothing to keep and is replaced as it is. */
static bool take_over(const char *path, sqlite3 **held, char *err, size_t err_size)
{
    *held = NULL;
    if (!has_sqlite_header(path)) return true;
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        snprintf(err, err_size, "cannot open the database at %s: %s", path,
                 db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return false;
    }
    sqlite3_busy_timeout(db, IN_USE_TIMEOUT_MS);
    sqlite3_stmt *st = NULL;
    bool left_wal =
        sqlite3_prepare_v2(db, "PRAGMA journal_mode=DELETE", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW &&
        strcmp((const char *)sqlite3_column_text(st, 0), "delete") == 0;
    sqlite3_finalize(st);
    if (!left_wal || sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, err_size,
                 "the database at %s is in use (is cobro serve running on it?): stop every "
                 "process using it, then restore",
                 path);
        sqlite3_close(db);
        return false;
    }
    *held = db;
    return true;
}

/* Run as root, the copy would belong to root and lock the server's user out of it: it gets the
 * owner of the database it replaces, or else of the folder it goes into. */
static void give_owner(const char *tmp_path, const char *db_path, const struct stat *old)
{
    if (geteuid() != 0) return; /* anyone else makes files that are theirs, as the server's */
    struct stat dir;
    if (!old) {
        char folder[PATH_MAX];
        folder_of(db_path, folder);
        if (stat(folder, &dir) != 0) return;
        old = &dir;
    }
    if (chown(tmp_path, old->st_uid, old->st_gid) != 0) return; /* then it stays the caller's */
}

bool sqlite_restore_commit(const char *tmp_path, const char *db_path, bool force, char *err,
                           size_t err_size)
{
    struct stat sb;
    bool exists = lstat(db_path, &sb) == 0;
    if (exists && !force) {
        snprintf(err, err_size,
                 "a database already exists at %s: restore does not replace it unless given "
                 "--force (back it up first with cobro backup)",
                 db_path);
        remove_copy(tmp_path);
        return false;
    }
    sqlite3 *held = NULL;
    if (exists && !take_over(db_path, &held, err, err_size)) {
        remove_copy(tmp_path);
        return false;
    }
    give_owner(tmp_path, db_path, exists ? &sb : NULL);
    /* A -wal or -shm left by the old database would be read as the new one's. */
    remove_sidecars(db_path);
    bool ok = rename(tmp_path, db_path) == 0;
    if (!ok) snprintf(err, err_size, "cannot rename the copy to %s: %s", db_path, strerror(errno));
    sqlite3_close(held); /* the old file's lock, on the inode the rename replaced */
    if (!ok) {
        remove_copy(tmp_path);
        return false;
    }
    sync_path(db_path, true);
    return true;
}
