/* What a database driver (db_sqlite.c, db_pg.c) gives db.c: its functions, in one table. Only
 * the drivers and db.c include this file; the store sees db.h alone. */
#ifndef COBRO_DB_DRIVER_H
#define COBRO_DB_DRIVER_H
#include "db.h"

#include <stdarg.h>

enum { DB_ANY_ROW = -1 };

typedef struct db_driver {
    db_dialect_t dialect;
    db_t *(*open)(const char *target, char *err, int err_size);
    void (*close)(db_t *db);
    /* Prepares (or finds cached) sql, binds the arguments and, for a driver that runs a
     * statement at once (PostgreSQL), runs it: its outcome then comes from the first step.
     * returning_id: the statement is an INSERT whose new id is wanted (db_insert). */
    db_stmt_t *(*query)(db_t *db, const char *sql, bool returning_id, const char *types,
                        va_list ap);
    db_status_t (*step)(db_stmt_t *st);
    /* db_exec_deferred(_rows) and db_flush; NULL when the driver runs every statement at once
     * (db.c then does, and checks must_change itself). must_change: 0, nothing to check;
     * DB_ANY_ROW, at least one row; n > 0, exactly n rows. */
    db_status_t (*exec_deferred)(db_t *db, int64_t must_change, const char *sql, const char *types,
                                 va_list ap);
    db_status_t (*flush)(db_t *db);
    /* After a db_insert's statement has run: the new row's id. */
    int64_t (*inserted_id)(db_stmt_t *st);
    void (*done)(db_stmt_t *st);
    int64_t (*column_int)(db_stmt_t *st, int col);
    const char *(*column_text)(db_stmt_t *st, int col);
    bool (*column_is_null)(db_stmt_t *st, int col);
    int64_t (*changes)(db_t *db);
    db_status_t (*begin)(db_t *db);
    db_status_t (*begin_read)(db_t *db);
    /* db_begin_locking; NULL when db_begin's writer serves (SQLite's one writer). */
    db_status_t (*begin_locking)(db_t *db);
    db_status_t (*commit)(db_t *db);
    void (*rollback)(db_t *db);
    db_status_t (*exec_script)(db_t *db, const char *sql);
    db_status_t (*bulk_cache)(db_t *db, int kib);
    void (*forget_cache)(db_t *db);
    const char *(*errmsg)(db_t *db);
} db_driver_t;

/* Every connection and statement starts with these, so db.c finds the driver of either. */
struct db {
    const db_driver_t *driver;
};
struct db_stmt {
    db_t *db;
};

extern const db_driver_t db_sqlite_driver;
extern const db_driver_t db_pg_driver;

#endif
