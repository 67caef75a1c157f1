/* The store's connection: opening, schema and migrations, transactions, vendor settings. */
#include "store_internal.h"
#include "migrations.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/token.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* ---- opening, schema, transactions --------------------------------------------------- */

store_t *store_open(const char *target, char *err, int err_size)
{
    db_t *db = db_open(target, err, err_size);
    if (!db) return NULL;
    store_t *s = calloc(1, sizeof *s);
    if (!s) {
        db_close(db);
        snprintf(err, (size_t)err_size, "out of memory");
        return NULL;
    }
    s->db = db;
    return s;
}

void store_close(store_t *s)
{
    if (!s) return;
    bill_rows_free(s);
    db_close(s->db);
    free(s);
}

static int schema_version(store_t *s)
{
    if (db_exec(s->db,
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
                NULL) != DB_OK)
        return -1;
    db_stmt_t *st =
        db_query(s->db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL);
    if (one_row(st) != STORE_OK) return -1;
    int v = (int)db_int(st, 0);
    db_done(st);
    return v;
}

/* One migration and its row in schema_migrations, in the transaction store_migrate runs. */
static store_status_t apply_migration(store_t *s, void *ctx)
{
    int version = *(const int *)ctx;
    db_status_t r;
    if (db_dialect(s->db) == DB_POSTGRESQL) {
        arena_t *a = arena_new();
        char *sql = a ? migration_sql_postgresql(a, version) : NULL;
        r = sql ? db_exec_script(s->db, sql) : DB_ERROR;
        arena_free(a);
    } else {
        r = db_exec_script(s->db, migration_sql(version));
    }
    if (r == DB_OK)
        r = db_exec(s->db, "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                    "ii", (int64_t)version, clock_now());
    return from_db(r);
}

/* Nodes started at once each migrate at start: on PostgreSQL they take turns under a lock held
 * by the session (SQLite's one writer needs none), so the second finds the schema made and does
 * nothing, where it would otherwise fail on tables the first had just created. */
static store_status_t migrations_lock(store_t *s, bool take)
{
    if (take)
        return from_db(db_exec(
            s->db, DB_SQL_BY_DIALECT(s->db, "SELECT 1", "SELECT pg_advisory_lock(720100)"), NULL));
    return from_db(db_exec(
        s->db, DB_SQL_BY_DIALECT(s->db, "SELECT 0", "SELECT pg_advisory_unlock(720100)"), NULL));
}

static store_status_t migrate_locked(store_t *s, int *from, int *to);

store_status_t store_migrate(store_t *s, int *from, int *to)
{
    if (migrations_lock(s, true) != STORE_OK) return STORE_ERROR;
    store_status_t r = migrate_locked(s, from, to);
    migrations_lock(s, false);
    return r;
}

static store_status_t migrate_locked(store_t *s, int *from, int *to)
{
    int v = schema_version(s);
    if (v < 0) return STORE_ERROR;
    *from = v;
    for (int next = v + 1; next <= migration_latest(); next++) {
        if (store_run_tx(s, STORE_TX_WRITE, apply_migration, &next) != STORE_OK) {
            fprintf(stderr, "cobro: migration %d failed\n", next);
            return STORE_ERROR;
        }
        v = next;
    }
    *to = v;
    /* The server secret is made once, by whichever migrate runs first. */
    char secret[TOKEN_CHARS + 1];
    token_new(secret);
    return from_db(db_exec(s->db,
                           "INSERT INTO vendor_settings (key, value) VALUES ('server_secret', $1)"
                           " ON CONFLICT (key) DO NOTHING",
                           "s", secret));
}

store_status_t store_ping(store_t *s)
{
    /* A query that reads a table, from the file rather than from memory: SELECT 1 answered
     * without reading the database at all, so a damaged database still looked healthy. */
    db_forget_cache(s->db);
    db_stmt_t *st = db_query(s->db, "SELECT MAX(version) FROM schema_migrations", NULL);
    store_status_t r = one_row(st);
    db_done(st);
    return r;
}

store_status_t store_begin(store_t *s)
{
    return from_db(db_begin(s->db));
}

store_status_t store_begin_read(store_t *s)
{
    return from_db(db_begin_read(s->db));
}

store_status_t store_commit(store_t *s)
{
    return from_db(db_commit(s->db));
}

store_status_t store_bulk_mode(store_t *s)
{
    /* 64 MiB of page cache: a bill run touches the same index pages again and again. */
    return from_db(db_bulk_cache(s->db, 64 * 1024));
}

bool store_writers_at_once(store_t *s)
{
    return db_dialect(s->db) == DB_POSTGRESQL;
}

void store_rollback(store_t *s)
{
    db_rollback(s->db);
}

const char *store_errmsg(store_t *s)
{
    return db_errmsg(s->db);
}

/* A short random pause before trying a busy transaction again: random so that the writers that
 * collided do not collide again in step, and growing (up to 2, 4, 8, 16, then 32 ms) with each
 * try. */
static void busy_pause(int attempt)
{
    uint32_t us = 1000 + randombytes_uniform((uint32_t)1000 << (attempt < 5 ? attempt : 5));
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)us * 1000};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

store_status_t store_run_tx(store_t *s, store_tx_kind_t kind, store_tx_body_t body, void *ctx)
{
    store_status_t r = STORE_BUSY;
    char why[160] = ""; /* the database's words for the last busy, read before the rollback */
    int attempts =
        db_dialect(s->db) == DB_POSTGRESQL ? STORE_TX_ATTEMPTS_POSTGRESQL : STORE_TX_ATTEMPTS;
    for (int attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1) busy_pause(attempt - 1);
        r = from_db(kind == STORE_TX_WRITE     ? db_begin(s->db)
                    : kind == STORE_TX_LOCKING ? db_begin_locking(s->db)
                                               : db_begin_read(s->db));
        if (r == STORE_BUSY) {
            snprintf(why, sizeof why, "%s", db_errmsg(s->db));
            continue;
        }
        if (r != STORE_OK) return r;
        r = body(s, ctx);
        if (r != STORE_OK) {
            if (r == STORE_BUSY) snprintf(why, sizeof why, "%s", db_errmsg(s->db));
            db_rollback(s->db);
            if (r == STORE_BUSY) continue;
            return r;
        }
        store_status_t c = from_db(db_commit(s->db)); /* a failed commit has rolled back */
        /* A read transaction wrote nothing: whatever ending it says, what the body read from its
         * snapshot stands (and the body need not be run twice, so a page is answered once). */
        if (kind == STORE_TX_READ || c != STORE_BUSY) return kind == STORE_TX_READ ? STORE_OK : c;
        snprintf(why, sizeof why, "%s", db_errmsg(s->db));
        r = c;
    }
    log_error("gave up a %s transaction after %d tries: the database stayed busy (%s)",
              kind == STORE_TX_READ ? "read" : "write", attempts, why);
    return r;
}

/* ---- settings ------------------------------------------------------------------------ */

store_status_t store_setting(store_t *s, arena_t *a, const char *key, char **out)
{
    db_stmt_t *st = db_query(s->db, "SELECT value FROM vendor_settings WHERE key = $1", "s", key);
    store_status_t r = one_row(st);
    if (r == STORE_OK) {
        *out = col_str(a, st, 0);
        db_done(st);
    }
    return r;
}

store_status_t store_set_setting(store_t *s, const char *key, const char *value)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO vendor_settings (key, value) VALUES ($1, $2)"
                           " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           "ss", key, value));
}

store_status_t store_add_setting(store_t *s, const char *key, const char *value)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO vendor_settings (key, value) VALUES ($1, $2)"
                           " ON CONFLICT (key) DO NOTHING",
                           "ss", key, value));
}

store_status_t store_server_secret(store_t *s, arena_t *a, char **out)
{
    return store_setting(s, a, "server_secret", out);
}
