/* The portable SQL layer's SQLite driver: WAL, foreign keys, busy timeout, cached statements. */
#include "db_driver.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CACHE_SLOTS = 256, BUSY_TIMEOUT_MS = 5000 };

typedef struct sqlite_stmt {
    struct db_stmt base; /* first: db.c sees a db_stmt_t */
    sqlite3_stmt *stmt;
} sqlite_stmt_t;

typedef struct sqlite_db {
    struct db base; /* first: db.c sees a db_t */
    sqlite3 *conn;
    struct cache_slot {
        const char *sql;
        sqlite_stmt_t st;
    } cache[CACHE_SLOTS];
} sqlite_db_t;

/* The driver's own view of what db.c hands it. */
static sqlite_db_t *conn_of(db_t *db)
{
    return (sqlite_db_t *)db;
}

static sqlite3_stmt *stmt_of(db_stmt_t *st)
{
    return ((sqlite_stmt_t *)st)->stmt;
}

static void log_error(sqlite_db_t *db, const char *what)
{
    fprintf(stderr, "cobro: database: %s: %s\n", what, sqlite3_errmsg(db->conn));
}

/* Before the first connection: no memory statistics, which would take a global mutex at every
 * allocation SQLite makes (measurable in a bill run; we never read them). */
static void configure_sqlite(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static db_t *sqlite_open(const char *path, char *err, int err_size)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_sqlite);
    sqlite_db_t *db = calloc(1, sizeof *db);
    if (!db) {
        snprintf(err, (size_t)err_size, "out of memory");
        return NULL;
    }
    db->base.driver = &db_sqlite_driver;
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
    return &db->base;
}

static void sqlite_close(db_t *base)
{
    sqlite_db_t *db = conn_of(base);
    for (int i = 0; i < CACHE_SLOTS; i++)
        sqlite3_finalize(db->cache[i].st.stmt);
    sqlite3_close(db->conn);
    free(db);
}

/* The cached statement for sql, prepared on first use. Open addressing on the string's address. */
static sqlite_stmt_t *cached(sqlite_db_t *db, const char *sql)
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
            slot->st.base.db = &db->base;
            return &slot->st;
        }
    }
    fprintf(stderr, "cobro: database: statement cache full\n");
    return NULL;
}

/* The INSERT's new id comes from sqlite3_last_insert_rowid, so returning_id changes nothing. */
static db_stmt_t *sqlite_query(db_t *base, const char *sql, bool returning_id, const char *types,
                               va_list ap)
{
    (void)returning_id;
    sqlite_db_t *db = conn_of(base);
    sqlite_stmt_t *st = cached(db, sql);
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
    return &st->base;
}

static db_status_t map(sqlite_db_t *db, int rc, const char *what)
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

static db_status_t sqlite_step(db_stmt_t *st)
{
    sqlite3_stmt *stmt = stmt_of(st);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) return DB_ROW; /* each row of a page: no status mapping, no SQL text */
    db_status_t s = map(conn_of(st->db), rc, sqlite3_sql(stmt));
    if (s != DB_ROW) sqlite3_reset(stmt);
    return s;
}

static int64_t sqlite_inserted_id(db_stmt_t *st)
{
    return sqlite3_last_insert_rowid(conn_of(st->db)->conn);
}

static db_status_t exec_plain(sqlite_db_t *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db->conn, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
        fprintf(stderr, "cobro: database: %s\n", msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    return map(db, rc, sql);
}

static db_status_t sqlite_bulk_cache(db_t *db, int kib)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", kib);
    return exec_plain(conn_of(db), sql);
}

static void sqlite_done(db_stmt_t *st)
{
    sqlite3_reset(stmt_of(st));
}

static int64_t sqlite_column_int(db_stmt_t *st, int col)
{
    return sqlite3_column_int64(stmt_of(st), col);
}

static const char *sqlite_column_text(db_stmt_t *st, int col)
{
    return (const char *)sqlite3_column_text(stmt_of(st), col);
}

static bool sqlite_column_is_null(db_stmt_t *st, int col)
{
    return sqlite3_column_type(stmt_of(st), col) == SQLITE_NULL;
}

static int64_t sqlite_changes(db_t *db)
{
    return sqlite3_changes64(conn_of(db)->conn);
}

/* Transaction statements go through the statement cache like any other: parsing them anew at
 * every request showed in profiles. */
static db_status_t sqlite_begin(db_t *db)
{
    return db_exec(db, "BEGIN IMMEDIATE", NULL);
}

static db_status_t sqlite_begin_read(db_t *db)
{
    return db_exec(db, "BEGIN", NULL);
}

static void sqlite_rollback(db_t *db)
{
    sqlite3 *conn = conn_of(db)->conn;
    if (!sqlite3_get_autocommit(conn)) sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
}

static db_status_t sqlite_commit(db_t *db)
{
    db_status_t s = db_exec(db, "COMMIT", NULL);
    if (s != DB_OK) sqlite_rollback(db);
    return s;
}

static db_status_t sqlite_exec_script(db_t *db, const char *sql)
{
    return exec_plain(conn_of(db), sql);
}

static void sqlite_forget_cache(db_t *db)
{
    /* In WAL mode a connection trusts its cached pages for as long as the WAL index says that
     * nothing was written, whatever happened to the file; freeing them makes it read again. */
    sqlite3_db_release_memory(conn_of(db)->conn);
}

static const char *sqlite_errmsg(db_t *db)
{
    return sqlite3_errmsg(conn_of(db)->conn);
}

const db_driver_t db_sqlite_driver = {
    .dialect = DB_SQLITE,
    .open = sqlite_open,
    .close = sqlite_close,
    .query = sqlite_query,
    .step = sqlite_step,
    .inserted_id = sqlite_inserted_id,
    .done = sqlite_done,
    .column_int = sqlite_column_int,
    .column_text = sqlite_column_text,
    .column_is_null = sqlite_column_is_null,
    .changes = sqlite_changes,
    .begin = sqlite_begin,
    .begin_read = sqlite_begin_read,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .exec_script = sqlite_exec_script,
    .bulk_cache = sqlite_bulk_cache,
    .forget_cache = sqlite_forget_cache,
    .errmsg = sqlite_errmsg,
};
