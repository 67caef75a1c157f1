/* The portable SQL layer on SQLite: WAL, foreign keys, busy timeout, cached statements. */
#include "db.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CACHE_SLOTS = 256, BUSY_TIMEOUT_MS = 5000 };

struct db_stmt {
    sqlite3_stmt *stmt;
    db_t *db;
};

struct db {
    sqlite3 *conn;
    struct cache_slot {
        const char *sql;
        struct db_stmt st;
    } cache[CACHE_SLOTS];
};

static void log_error(db_t *db, const char *what)
{
    fprintf(stderr, "cobro: database: %s: %s\n", what, sqlite3_errmsg(db->conn));
}

/* Before the first connection: no memory statistics, which would take a global mutex at every
 * allocation SQLite makes (measurable in a bill run; we never read them). */
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

db_t *db_open(const char *path, char *err, int err_size)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_sqlite);
    db_t *db = calloc(1, sizeof *db);
    if (!db) {
        snprintf(err, (size_t)err_size, "out of memory");
        return NULL;
    }
    int rc = sqlite3_open_v2(
        path, &db->conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, (size_t)err_size, "cannot open database %s: %s", path,
                 db->conn ? sqlite3_errmsg(db->conn) : sqlite3_errstr(rc));
        sqlite3_close(db->conn);
        free(db);
        return NULL;
    }
    sqlite3_busy_timeout(db->conn, BUSY_TIMEOUT_MS);
    char *msg = NULL;
    rc = sqlite3_exec(db->conn,
                      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(err, (size_t)err_size, "cannot use database %s: %s", path,
                 msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close(db->conn);
        free(db);
        return NULL;
    }
    return db;
}

void db_close(db_t *db)
{
    if (!db) return;
    for (int i = 0; i < CACHE_SLOTS; i++)
        sqlite3_finalize(db->cache[i].st.stmt);
    sqlite3_close(db->conn);
    free(db);
}

/* The cached statement for sql, prepared on first use. Open addressing on the string's address. */
static db_stmt_t *cached(db_t *db, const char *sql)
{
    size_t h = ((uintptr_t)sql >> 3) % CACHE_SLOTS;
    for (size_t probe = 0; probe < CACHE_SLOTS; probe++) {
        struct cache_slot *slot = &db->cache[(h + probe) % CACHE_SLOTS];
        if (slot->sql == sql) {
            sqlite3_reset(slot->st.stmt);
            sqlite3_clear_bindings(slot->st.stmt);
            return &slot->st;
        }
        if (slot->sql == NULL) {
            if (sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &slot->st.stmt,
                                   NULL) != SQLITE_OK) {
                log_error(db, sql);
                return NULL;
            }
            slot->sql = sql;
            slot->st.db = db;
            return &slot->st;
        }
    }
    fprintf(stderr, "cobro: database: statement cache full\n");
    return NULL;
}

static db_stmt_t *vquery(db_t *db, const char *sql, const char *types, va_list ap)
{
    db_stmt_t *st = cached(db, sql);
    if (!st) return NULL;
    for (int i = 0; types && types[i]; i++) {
        int idx = i + 1, rc = SQLITE_OK;
        switch (types[i]) {
        case 'i':
            rc = sqlite3_bind_int64(st->stmt, idx, va_arg(ap, int64_t));
            break;
        case 'b':
            rc = sqlite3_bind_int(st->stmt, idx, va_arg(ap, int) ? 1 : 0);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            rc = s ? sqlite3_bind_text(st->stmt, idx, s, -1, SQLITE_TRANSIENT)
                   : sqlite3_bind_null(st->stmt, idx);
            break;
        }
        default:
            fprintf(stderr, "cobro: database: bad bind type '%c'\n", types[i]);
            return NULL;
        }
        if (rc != SQLITE_OK) {
            log_error(db, "bind");
            return NULL;
        }
    }
    return st;
}

db_stmt_t *db_query(db_t *db, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    db_stmt_t *st = vquery(db, sql, types, ap);
    va_end(ap);
    return st;
}

static db_status_t map(db_t *db, int rc, const char *what)
{
    switch (rc & 0xff) {
    case SQLITE_ROW:
        return DB_ROW;
    case SQLITE_DONE:
    case SQLITE_OK:
        return DB_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return DB_BUSY;
    case SQLITE_CONSTRAINT:
        return DB_CONSTRAINT;
    default:
        log_error(db, what);
        return DB_ERROR;
    }
}

db_status_t db_step(db_stmt_t *st)
{
    if (!st) return DB_ERROR;
    db_status_t s = map(st->db, sqlite3_step(st->stmt), sqlite3_sql(st->stmt));
    if (s != DB_ROW) sqlite3_reset(st->stmt);
    return s;
}

db_status_t db_exec(db_t *db, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    db_stmt_t *st = vquery(db, sql, types, ap);
    va_end(ap);
    if (!st) return DB_ERROR;
    db_status_t s;
    while ((s = db_step(st)) == DB_ROW) {
    }
    return s;
}

static db_status_t exec_plain(db_t *db, const char *sql);

db_status_t db_insert(db_t *db, int64_t *id, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    db_stmt_t *st = vquery(db, sql, types, ap);
    va_end(ap);
    if (!st) return DB_ERROR;
    db_status_t s;
    while ((s = db_step(st)) == DB_ROW) {
    }
    if (s == DB_OK && id) *id = sqlite3_last_insert_rowid(db->conn);
    return s;
}

db_status_t db_bulk_cache(db_t *db, int kib)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", kib);
    return exec_plain(db, sql);
}

void db_done(db_stmt_t *st)
{
    if (st) sqlite3_reset(st->stmt);
}

int64_t db_int(db_stmt_t *st, int col)
{
    return sqlite3_column_int64(st->stmt, col);
}

const char *db_text(db_stmt_t *st, int col)
{
    return (const char *)sqlite3_column_text(st->stmt, col);
}

bool db_is_null(db_stmt_t *st, int col)
{
    return sqlite3_column_type(st->stmt, col) == SQLITE_NULL;
}

int64_t db_changes(db_t *db)
{
    return sqlite3_changes64(db->conn);
}

static db_status_t exec_plain(db_t *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db->conn, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
        fprintf(stderr, "cobro: database: %s\n", msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return map(db, rc, sql);
}

/* Transaction statements go through the statement cache like any other: parsing them anew at
 * every request showed in profiles. */
db_status_t db_begin(db_t *db)
{
    return db_exec(db, "BEGIN IMMEDIATE", NULL);
}

db_status_t db_begin_read(db_t *db)
{
    return db_exec(db, "BEGIN", NULL);
}

db_status_t db_commit(db_t *db)
{
    db_status_t s = db_exec(db, "COMMIT", NULL);
    if (s != DB_OK) db_rollback(db);
    return s;
}

void db_rollback(db_t *db)
{
    if (!sqlite3_get_autocommit(db->conn)) sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
}

db_status_t db_exec_script(db_t *db, const char *sql)
{
    return exec_plain(db, sql);
}

void db_forget_cache(db_t *db)
{
    /* In WAL mode a connection trusts its cached pages for as long as the WAL index says that
     * nothing was written, whatever happened to the file; freeing them makes it read again. */
    sqlite3_db_release_memory(db->conn);
}

const char *db_errmsg(db_t *db)
{
    return sqlite3_errmsg(db->conn);
}
