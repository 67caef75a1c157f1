/* Thin portable SQL layer: the store writes its queries once, in SQL that SQLite 3.40 and
 * PostgreSQL 15 both run, with $1, $2... placeholders numbered in order of appearance.
 * db.c hands each call to the connection's driver: db_sqlite.c or db_pg.c (libpq). */
#ifndef COBRO_DB_H
#define COBRO_DB_H
#include <stdbool.h>
#include <stdint.h>

typedef struct db db_t;
typedef struct db_stmt db_stmt_t;

typedef enum {
    DB_OK = 0,     /* statement done / transaction step done */
    DB_ROW,        /* a row is ready to read */
    DB_BUSY,       /* soft failure (lock, serialization): retry the whole transaction */
    DB_CONSTRAINT, /* unique / foreign key / check violated */
    DB_ERROR,      /* hard failure, logged */
    DB_UNCHANGED,  /* a deferred statement that had to change a row changed none */
} db_status_t;

typedef enum { DB_SQLITE, DB_POSTGRESQL } db_dialect_t;

/* True when target names a PostgreSQL database (a postgresql:// or postgres:// URI, or a libpq
 * "key=value" connection string) rather than a SQLite file. */
bool db_target_is_postgresql(const char *target);
/* Opens target: a SQLite file (created when absent; WAL, foreign keys, a busy timeout) or a
 * PostgreSQL connection string. On failure returns NULL and writes a one-line reason into err. */
db_t *db_open(const char *target, char *err, int err_size);
db_dialect_t db_dialect(db_t *db);
/* A statement that must be written differently for each database: both texts are string
 * literals (tests/integration/test_sql_portability.py tries each on its own database). */
#define DB_SQL_BY_DIALECT(db, sqlite_sql, postgresql_sql)                                          \
    (db_dialect(db) == DB_POSTGRESQL ? (postgresql_sql) : (sqlite_sql))
void db_close(db_t *db);

/* Prepares sql (a string that lives for the whole program: statements are cached by its
 * address) and binds the arguments described by types, one letter each:
 *   'i' int64_t      's' const char * (NULL binds SQL NULL)      'b' bool (stored as 0/1)
 * Returns NULL on a hard error (logged). The statement is reset by the next db_query of the
 * same sql on this connection, or by db_done. */
db_stmt_t *db_query(db_t *db, const char *sql, const char *types, ...);

/* Steps: DB_ROW while rows come, then DB_OK; DB_BUSY / DB_CONSTRAINT / DB_ERROR on failure. */
db_status_t db_step(db_stmt_t *st);
/* Runs an INSERT into a table with an integer id and stores the new row's id in *id. The SQL has
 * no RETURNING clause: each driver fetches the id its own cheapest way (SQLite: the last rowid,
 * with no statement journal; PostgreSQL: RETURNING id appended). */
db_status_t db_insert(db_t *db, int64_t *id, const char *sql, const char *types, ...);
/* Runs a statement that returns no rows (or ignores them): db_query + steps to the end. */
db_status_t db_exec(db_t *db, const char *sql, const char *types, ...);
/* Deferred writes, for a bulk job's statements whose rows and outcome it does not need at once
 * (invoice lines, emails, subscription updates): on PostgreSQL each is sent without waiting for
 * its answer (libpq pipeline mode), and the answers are read all together, in one round trip, by
 * db_flush, or before anything that needs an answer (db_query, db_exec, db_insert, db_begin,
 * db_commit, db_rollback, db_exec_script all flush first; so does the 1,000th statement
 * queued). SQLite, with no round trips to save, runs the statement at once. A failure (a
 * constraint, a serialization failure) is answered by db_exec_deferred on SQLite and by the flush,
 * or by whatever call flushed, on PostgreSQL: the caller treats it as the failure of its
 * transaction. must_change: the statement must change a row (an UPDATE ... WHERE that checks a
 * state), else the answer is DB_UNCHANGED. Inside a transaction, so that a failure rolls back
 * everything the transaction queued. */
db_status_t db_exec_deferred(db_t *db, bool must_change, const char *sql, const char *types, ...);
/* The same for a multi-row statement (an UPDATE ... FROM unnest(...) of a batch's rows): it must
 * change exactly rows rows (none to check when rows is 0), else the answer is DB_UNCHANGED. */
db_status_t db_exec_deferred_rows(db_t *db, int64_t rows, const char *sql, const char *types, ...);
/* Sends what db_exec_deferred queued and reads every answer: DB_OK, or the first failure. */
db_status_t db_flush(db_t *db);
/* Releases the statement's locks and bindings early (it stays cached). NULL is accepted. */
void db_done(db_stmt_t *st);

int64_t db_int(db_stmt_t *st, int col);
/* Text of a column, valid until the next step/reset; NULL for SQL NULL. */
const char *db_text(db_stmt_t *st, int col);
bool db_is_null(db_stmt_t *st, int col);
/* Rows changed by the last INSERT/UPDATE/DELETE on this connection. */
int64_t db_changes(db_t *db);

/* Transactions. db_begin starts a writer that sees the database as if no other ran at once:
 * on SQLite it takes the write lock at once (BEGIN IMMEDIATE), so it never fails half-way for
 * lack of it; on PostgreSQL it is SERIALIZABLE, and any statement or the commit may answer
 * DB_BUSY (a serialization failure or deadlock): the caller runs the whole transaction again
 * (store_run_tx does). */
db_status_t db_begin(db_t *db);
/* A writer that takes the locks its rules need itself, for a bulk job that must run on several
 * connections at once: on PostgreSQL READ COMMITTED (each statement sees what committed before
 * it began; rows are locked with FOR UPDATE, and an UPDATE whose row changed meanwhile checks
 * its WHERE again on the new row), so that writers wait only where they lock the same rows
 * instead of failing and running again; on SQLite db_begin's (the one writer). Deadlocks answer
 * DB_BUSY as with db_begin. */
db_status_t db_begin_locking(db_t *db);
/* A read-only transaction: every query in it sees one snapshot, and the locks are taken once
 * instead of once per statement. Ended by db_commit. */
db_status_t db_begin_read(db_t *db);
db_status_t db_commit(db_t *db);
void db_rollback(db_t *db);
/* Runs statements separated by semicolons, with no parameters (migrations). */
db_status_t db_exec_script(db_t *db, const char *sql);

/* Sizes the page cache for a bulk job (a bill run): KiB of memory, whatever the database size
 * (SQLite; PostgreSQL keeps its cache in the server). */
db_status_t db_bulk_cache(db_t *db, int kib);
/* Outside a transaction: forgets the database pages this connection keeps in memory, so that
 * the next query reads the database itself (a health check must see the file as it is now). */
void db_forget_cache(db_t *db);
/* The last error message of this connection (for logs, never for users). */
const char *db_errmsg(db_t *db);

#endif
