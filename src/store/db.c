/* The portable SQL layer's front: picks a connection's driver and hands every call to it. */
#include "db_driver.h"

#include <string.h>

bool db_target_is_postgresql(const char *target)
{
    if (!target) return false;
    if (strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0)
        return true;
    /* libpq's other form, "host=db1 dbname=cobro": a file name never holds " =" pairs like
     * these, and a SQLite path with '=' in it is still taken for a path unless it starts so. */
    static const char *const keys[] = {
        "host=", "hostaddr=", "dbname=", "service=", "user=", "port="};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strncmp(target, keys[i], strlen(keys[i])) == 0) return true;
    return false;
}

db_t *db_open(const char *target, char *err, int err_size)
{
    const db_driver_t *d = db_target_is_postgresql(target) ? &db_pg_driver : &db_sqlite_driver;
    return d->open(target, err, err_size);
}

void db_close(db_t *db)
{
    if (db) db->driver->close(db);
}

db_dialect_t db_dialect(db_t *db)
{
    return db->driver->dialect;
}

db_stmt_t *db_query(db_t *db, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    db_stmt_t *st = db->driver->query(db, sql, false, types, ap);
    va_end(ap);
    return st;
}

db_status_t db_step(db_stmt_t *st)
{
    return st ? st->db->driver->step(st) : DB_ERROR;
}

static db_status_t step_to_end(db_stmt_t *st)
{
    if (!st) return DB_ERROR;
    db_status_t s;
    while ((s = st->db->driver->step(st)) == DB_ROW) {
    }
    return s;
}

db_status_t db_exec(db_t *db, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    db_stmt_t *st = db->driver->query(db, sql, false, types, ap);
    va_end(ap);
    return step_to_end(st);
}

db_status_t db_insert(db_t *db, int64_t *id, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    db_stmt_t *st = db->driver->query(db, sql, true, types, ap);
    va_end(ap);
    if (!st) return DB_ERROR;
    db_status_t s = db->driver->step(st);
    /* SQLite's INSERT ends at its first step (a second would run it again); PostgreSQL's
     * returns its id as a row, read before stepping past it. */
    if (s == DB_ROW || s == DB_OK) {
        if (id) *id = db->driver->inserted_id(st);
        if (s == DB_ROW) s = step_to_end(st);
    }
    return s;
}

/* must_change as the driver's exec_deferred takes it (db_driver.h). */
static db_status_t exec_deferred(db_t *db, int64_t must_change, const char *sql, const char *types,
                                 va_list ap)
{
    if (db->driver->exec_deferred)
        return db->driver->exec_deferred(db, must_change, sql, types, ap);
    db_status_t s = step_to_end(db->driver->query(db, sql, false, types, ap));
    if (s == DB_OK && must_change) {
        int64_t changed = db->driver->changes(db);
        if (must_change == DB_ANY_ROW ? changed == 0 : changed != must_change) s = DB_UNCHANGED;
    }
    return s;
}

db_status_t db_exec_deferred(db_t *db, bool must_change, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    db_status_t s = exec_deferred(db, must_change ? DB_ANY_ROW : 0, sql, types, ap);
    va_end(ap);
    return s;
}

db_status_t db_exec_deferred_rows(db_t *db, int64_t rows, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    db_status_t s = exec_deferred(db, rows > 0 ? rows : 0, sql, types, ap);
    va_end(ap);
    return s;
}

db_status_t db_flush(db_t *db)
{
    return db->driver->flush ? db->driver->flush(db) : DB_OK;
}

void db_done(db_stmt_t *st)
{
    if (st) st->db->driver->done(st);
}

int64_t db_int(db_stmt_t *st, int col)
{
    return st->db->driver->column_int(st, col);
}

const char *db_text(db_stmt_t *st, int col)
{
    return st->db->driver->column_text(st, col);
}

bool db_is_null(db_stmt_t *st, int col)
{
    return st->db->driver->column_is_null(st, col);
}

int64_t db_changes(db_t *db)
{
    return db->driver->changes(db);
}

db_status_t db_begin(db_t *db)
{
    return db->driver->begin(db);
}

db_status_t db_begin_locking(db_t *db)
{
    return db->driver->begin_locking ? db->driver->begin_locking(db) : db->driver->begin(db);
}

db_status_t db_begin_read(db_t *db)
{
    return db->driver->begin_read(db);
}

db_status_t db_commit(db_t *db)
{
    return db->driver->commit(db);
}

void db_rollback(db_t *db)
{
    db->driver->rollback(db);
}

db_status_t db_exec_script(db_t *db, const char *sql)
{
    return db->driver->exec_script(db, sql);
}

db_status_t db_bulk_cache(db_t *db, int kib)
{
    return db->driver->bulk_cache(db, kib);
}

void db_forget_cache(db_t *db)
{
    db->driver->forget_cache(db);
}

const char *db_errmsg(db_t *db)
{
    return db->driver->errmsg(db);
}
