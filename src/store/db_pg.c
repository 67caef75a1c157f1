/* The portable SQL layer's PostgreSQL driver (libpq): prepared statements cached per connection,
 * serializable writers, and a connection that comes back by itself after the server restarts or
 * fails over. */
#include "db_driver.h"
#include "util/log.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    CACHE_SLOTS = 256,
    MAX_PARAMS = 64,
    RECONNECT_FIRST_MS = 100, /* the pause before the second try at a lost server */
    RECONNECT_MAX_MS = 5000,  /* and the longest, doubling up to it */
    CONNECT_TIMEOUT_S = 5,    /* libpq's connect_timeout unless the connection string sets one */
    /* Deferred statements sent before their answers are read. The server writes its answers
     * while the client is still sending (and libpq in blocking mode does not read while it
     * writes): a bound keeps them (about 30 bytes each) far below what the sockets buffer, so
     * that neither side waits for the other forever. */
    PIPELINE_MAX = 1000
};

typedef struct pg_stmt {
    struct db_stmt base; /* first: db.c sees a db_stmt_t */
    PGresult *res;       /* the last run's rows, read by steps */
    int row;             /* the row the last step made current; -1 before the first */
    db_status_t outcome; /* of the last run: DB_OK, or the failure the first step reports */
} pg_stmt_t;

typedef struct pg_db {
    struct db base; /* first: db.c sees a db_t */
    PGconn *conn;
    char *target;
    bool in_tx;          /* a transaction is open: a lost connection must not be replaced */
    int64_t changes;     /* rows the last statement changed */
    int64_t retry_at_ms; /* no new connection attempt before this (monotonic) */
    int backoff_ms;      /* the pause after the next failed attempt */
    unsigned next_name;  /* prepared statement names: s1, s2... */
    char errmsg[400];    /* the last error, for logs */
    bool pipelined;      /* in libpq pipeline mode, with deferred statements sent */
    size_t n_pending;    /* entries of pending[] awaiting their answers, in order */
    struct pg_pending {
        struct pg_slot *slot;
        bool is_prepare;     /* the statement's PREPARE, sent ahead of its first run */
        int64_t must_change; /* as db_driver.h's exec_deferred takes it */
    } pending[2 * PIPELINE_MAX + 2];
    struct pg_slot {
        const char *sql;   /* the store's string: the cache key, with returning_id */
        bool returning_id; /* prepared with " RETURNING id" appended */
        bool prepared;     /* on the current connection */
        char name[16];
        pg_stmt_t st;
    } cache[CACHE_SLOTS];
} pg_db_t;

static pg_db_t *conn_of(db_t *db)
{
    return (pg_db_t *)db;
}

static pg_stmt_t *stmt_of(db_stmt_t *st)
{
    return (pg_stmt_t *)st;
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* libpq prints NOTICEs (CREATE TABLE IF NOT EXISTS on a table that exists) on stderr by
 * default; they are not errors and say nothing an operator must act on. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static void note_error(pg_db_t *db, const char *text)
{
    snprintf(db->errmsg, sizeof db->errmsg, "%s", text && *text ? text : "unknown error");
    size_t n = strlen(db->errmsg);
    while (n && (db->errmsg[n - 1] == '\n' || db->errmsg[n - 1] == ' '))
        db->errmsg[--n] = '\0';
}

/* A password written in --db would show in `ps`, shell histories and unit files: cobro takes it
 * only from a password file (PGPASSFILE, ~/.pgpass, or passfile= in the connection string). */
static bool refuse_inline_password(const char *target, char *err, int err_size)
{
    char *parse_error = NULL;
    PQconninfoOption *opts = PQconninfoParse(target, &parse_error);
    if (!opts) {
        snprintf(err, (size_t)err_size, "the database connection string is not valid: %s",
                 parse_error ? parse_error : "out of memory");
        PQfreemem(parse_error);
        return true;
    }
    bool has_password = false;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, "password") == 0 && o->val && *o->val) has_password = true;
    PQconninfoFree(opts);
    if (has_password)
        snprintf(err, (size_t)err_size,
                 "the database connection string holds a password: put it in a password file "
                 "(PGPASSFILE, or passfile= in the connection string) instead");
    return has_password;
}

static PGconn *connect_to(const char *target)
{
    /* Later entries win: the connection string (expanded from dbname) may set its own
     * connect_timeout and application_name. */
    const char *keys[] = {"connect_timeout", "fallback_application_name", "dbname", NULL};
    char timeout[16];
    snprintf(timeout, sizeof timeout, "%d", CONNECT_TIMEOUT_S);
    const char *values[] = {timeout, "cobro", target, NULL};
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (conn) PQsetNoticeProcessor(conn, ignore_notice, NULL);
    return conn;
}

static db_t *pg_open(const char *target, char *err, int err_size)
{
    if (refuse_inline_password(target, err, err_size)) return NULL;
    pg_db_t *db = calloc(1, sizeof *db);
    if (db) db->target = strdup(target);
    if (!db || !db->target) {
        if (db) free(db);
        snprintf(err, (size_t)err_size, "out of memory");
        return NULL;
    }
    db->base.driver = &db_pg_driver;
    db->conn = connect_to(target);
    if (!db->conn || PQstatus(db->conn) != CONNECTION_OK) {
        char reason[300];
        snprintf(reason, sizeof reason, "%s",
                 db->conn ? PQerrorMessage(db->conn) : "out of memory");
        reason[strcspn(reason, "\n")] = '\0';
        snprintf(err, (size_t)err_size, "cannot connect to the PostgreSQL database: %s", reason);
        PQfinish(db->conn);
        free(db->target);
        free(db);
        return NULL;
    }
    for (int i = 0; i < CACHE_SLOTS; i++)
        db->cache[i].st.base.db = &db->base;
    return &db->base;
}

static void pg_close(db_t *base)
{
    pg_db_t *db = conn_of(base);
    for (int i = 0; i < CACHE_SLOTS; i++)
        PQclear(db->cache[i].st.res);
    PQfinish(db->conn);
    free(db->target);
    free(db);
}

/* The connection, made again when it was lost and no transaction was open on it (statements of
 * a transaction that died with its connection must fail, never run on a new one by themselves).
 * Attempts are spaced out (100 ms doubling to 5 s) so that a server that is down is not called
 * by every request. */
static bool usable(pg_db_t *db)
{
    if (PQstatus(db->conn) == CONNECTION_OK) return true;
    if (db->in_tx) return false;
    int64_t now = monotonic_ms();
    if (now < db->retry_at_ms) return false;
    PQfinish(db->conn);
    db->conn = connect_to(db->target);
    for (int i = 0; i < CACHE_SLOTS; i++)
        db->cache[i].prepared = false; /* prepared statements died with the old session */
    if (db->conn && PQstatus(db->conn) == CONNECTION_OK) {
        log_info("database: connected to PostgreSQL again");
        db->backoff_ms = 0;
        return true;
    }
    note_error(db, db->conn ? PQerrorMessage(db->conn) : "out of memory");
    db->backoff_ms = db->backoff_ms ? db->backoff_ms * 2 : RECONNECT_FIRST_MS;
    if (db->backoff_ms > RECONNECT_MAX_MS) db->backoff_ms = RECONNECT_MAX_MS;
    db->retry_at_ms = now + db->backoff_ms;
    return false;
}

static bool starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/* What a failed command means for the caller. A lost or read-only server (a primary that went
 * away, a standby not yet promoted) is DB_BUSY, like a serialization failure: the transaction
 * is tried again, on a new connection once one can be made. */
static db_status_t failure(pg_db_t *db, PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    note_error(db, res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
                                                     : PQerrorMessage(db->conn));
    bool lost = PQstatus(db->conn) != CONNECTION_OK || !state || starts_with(state, "08") ||
                starts_with(state, "57P");
    if (starts_with(state, "25006")) { /* read-only: this server is (now) a standby */
        PQfinish(db->conn);
        db->conn = NULL;
        lost = true;
    }
    if (lost) {
        log_error("database: the PostgreSQL connection is unusable: %s", db->errmsg);
        return DB_BUSY;
    }
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0)
        return DB_BUSY;
    if (starts_with(state, "23")) return DB_CONSTRAINT;
    log_error("database: %s: %s", what, db->errmsg);
    return DB_ERROR;
}

static struct pg_slot *slot_for(pg_db_t *db, const char *sql, bool returning_id)
{
    size_t h = (((uintptr_t)sql >> 3) + returning_id) % CACHE_SLOTS;
    for (size_t probe = 0; probe < CACHE_SLOTS; probe++) {
        struct pg_slot *slot = &db->cache[(h + probe) % CACHE_SLOTS];
        if (slot->sql == sql && slot->returning_id == returning_id) return slot;
        if (slot->sql == NULL) {
            slot->sql = sql;
            slot->returning_id = returning_id;
            snprintf(slot->name, sizeof slot->name, "s%u", ++db->next_name);
            return slot;
        }
    }
    log_error("database: statement cache full");
    return NULL;
}

static bool prepare(pg_db_t *db, struct pg_slot *slot, int n_params)
{
    if (slot->prepared) return true;
    const char *text = slot->sql;
    char *with_id = NULL;
    if (slot->returning_id) {
        size_t n = strlen(slot->sql);
        with_id = malloc(n + sizeof " RETURNING id");
        if (!with_id) return false;
        memcpy(with_id, slot->sql, n);
        memcpy(with_id + n, " RETURNING id", sizeof " RETURNING id");
        text = with_id;
    }
    PGresult *res = PQprepare(db->conn, slot->name, text, n_params, NULL);
    free(with_id);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (ok)
        slot->prepared = true;
    else
        slot->st.outcome = failure(db, res, slot->sql);
    PQclear(res);
    return ok;
}

/* The arguments as libpq's texts: values[i] points into numbers[i] for integers. Returns how
 * many, or -1 (logged) for a bad type or too many. */
static int bind(const char *types, va_list ap, char numbers[][24], const char **values)
{
    int n = types ? (int)strlen(types) : 0;
    if (n > MAX_PARAMS) {
        log_error("database: %d parameters, at most %d", n, MAX_PARAMS);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        switch (types[i]) {
        case 'i':
            snprintf(numbers[i], sizeof numbers[i], "%lld", (long long)va_arg(ap, int64_t));
            values[i] = numbers[i];
            break;
        case 'b':
            values[i] = va_arg(ap, int) ? "1" : "0";
            break;
        case 's':
            values[i] = va_arg(ap, const char *); /* NULL is SQL NULL */
            break;
        default:
            log_error("database: bad bind type '%c'", types[i]);
            return -1;
        }
    }
    return n;
}

static db_status_t pg_flush(db_t *base);

static db_stmt_t *pg_query(db_t *base, const char *sql, bool returning_id, const char *types,
                           va_list ap)
{
    pg_db_t *db = conn_of(base);
    struct pg_slot *slot = slot_for(db, sql, returning_id);
    if (!slot) return NULL;
    pg_stmt_t *st = &slot->st;
    PQclear(st->res);
    st->res = NULL;
    st->row = -1;
    char numbers[MAX_PARAMS][24];
    const char *values[MAX_PARAMS];
    int n = bind(types, ap, numbers, values);
    if (n < 0) return NULL;
    db_status_t flushed = pg_flush(base); /* the statement's answer follows the deferred ones */
    if (flushed != DB_OK) {
        st->outcome = flushed;
        return &st->base;
    }
    if (!usable(db)) {
        note_error(db, db->conn ? PQerrorMessage(db->conn) : db->errmsg);
        st->outcome = DB_BUSY;
        return &st->base;
    }
    if (!prepare(db, slot, n)) return &st->base;
    st->res = PQexecPrepared(db->conn, slot->name, n, values, NULL, NULL, 0);
    ExecStatusType status = PQresultStatus(st->res);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        st->outcome = DB_OK;
        const char *changed = PQcmdTuples(st->res);
        db->changes = *changed ? strtoll(changed, NULL, 10) : 0;
    } else {
        st->outcome = failure(db, st->res, sql);
        PQclear(st->res);
        st->res = NULL;
    }
    return &st->base;
}

/* ---- deferred statements: libpq pipeline mode ---------------------------------------- */

static void pend(pg_db_t *db, struct pg_slot *slot, bool is_prepare, int64_t must_change)
{
    db->pending[db->n_pending++] =
        (struct pg_pending){.slot = slot, .is_prepare = is_prepare, .must_change = must_change};
}

/* Reads every answer of the pipeline, ends it and leaves pipeline mode: DB_OK, or the first
 * failure (the statements after a failed one are skipped by the server, and the transaction is
 * aborted: the caller rolls it back). */
static db_status_t pg_flush(db_t *base)
{
    pg_db_t *db = conn_of(base);
    if (!db->pipelined) return DB_OK;
    db_status_t first = DB_OK;
    bool lost = PQpipelineSync(db->conn) != 1;
    for (size_t i = 0; i < db->n_pending && !lost; i++) {
        struct pg_pending *p = &db->pending[i];
        PGresult *res = PQgetResult(db->conn);
        if (!res) { /* no answer: the connection broke */
            lost = true;
            break;
        }
        ExecStatusType status = PQresultStatus(res);
        if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
            if (!p->is_prepare) {
                const char *changed = PQcmdTuples(res);
                db->changes = *changed ? strtoll(changed, NULL, 10) : 0;
                bool unchanged =
                    p->must_change == DB_ANY_ROW ? db->changes == 0 : db->changes != p->must_change;
                if (p->must_change && unchanged && first == DB_OK) {
                    note_error(db, "a deferred statement did not change the rows it had to");
                    first = DB_UNCHANGED;
                }
            }
        } else {
            /* A PREPARE that failed or was skipped left no statement on the server. */
            if (p->is_prepare) p->slot->prepared = false;
            if (status != PGRES_PIPELINE_ABORTED && first == DB_OK)
                first = failure(db, res, p->slot->sql);
        }
        PQclear(res);
        while ((res = PQgetResult(db->conn)) != NULL) /* the NULL that ends each answer */
            PQclear(res);
    }
    if (!lost) {
        PGresult *res = PQgetResult(db->conn);
        lost = PQresultStatus(res) != PGRES_PIPELINE_SYNC;
        PQclear(res);
    }
    if (!lost) lost = PQexitPipelineMode(db->conn) != 1;
    if (lost) {
        /* Nothing more can be read in order from this connection: it is dropped, and the
         * transaction with it; once the caller has rolled back, usable() makes a new one. */
        note_error(db, PQerrorMessage(db->conn));
        log_error("database: the PostgreSQL connection broke during a pipeline: %s", db->errmsg);
        PQfinish(db->conn);
        db->conn = NULL;
        for (int i = 0; i < CACHE_SLOTS; i++)
            db->cache[i].prepared = false;
        first = DB_BUSY;
    }
    db->pipelined = false;
    db->n_pending = 0;
    return first;
}

static db_status_t pg_exec_deferred(db_t *base, int64_t must_change, const char *sql,
                                    const char *types, va_list ap)
{
    pg_db_t *db = conn_of(base);
    struct pg_slot *slot = slot_for(db, sql, false);
    if (!slot) return DB_ERROR;
    char numbers[MAX_PARAMS][24];
    const char *values[MAX_PARAMS];
    int n = bind(types, ap, numbers, values);
    if (n < 0) return DB_ERROR;
    if (!db->pipelined) {
        if (!usable(db)) {
            note_error(db, db->conn ? PQerrorMessage(db->conn) : db->errmsg);
            return DB_BUSY;
        }
        if (PQenterPipelineMode(db->conn) != 1) return failure(db, NULL, sql);
        db->pipelined = true;
    }
    if (!slot->prepared) {
        if (PQsendPrepare(db->conn, slot->name, sql, n, NULL) != 1) {
            db_status_t r = pg_flush(base);
            return r != DB_OK ? r : failure(db, NULL, sql);
        }
        slot->prepared = true; /* for the statements queued after it; undone if it fails */
        pend(db, slot, true, 0);
    }
    if (PQsendQueryPrepared(db->conn, slot->name, n, values, NULL, NULL, 0) != 1) {
        db_status_t r = pg_flush(base);
        return r != DB_OK ? r : failure(db, NULL, sql);
    }
    pend(db, slot, false, must_change);
    return db->n_pending >= PIPELINE_MAX ? pg_flush(base) : DB_OK;
}

static db_status_t pg_step(db_stmt_t *base)
{
    pg_stmt_t *st = stmt_of(base);
    if (st->outcome != DB_OK) return st->outcome;
    if (st->res && ++st->row < PQntuples(st->res)) return DB_ROW;
    return DB_OK;
}

static int64_t pg_column_int(db_stmt_t *base, int col)
{
    pg_stmt_t *st = stmt_of(base);
    const char *v = PQgetvalue(st->res, st->row, col);
    if (!v) return 0;
    if (v[0] == 't' && v[1] == '\0') return 1; /* a boolean expression's value */
    return strtoll(v, NULL, 10);
}

static int64_t pg_inserted_id(db_stmt_t *base)
{
    pg_stmt_t *st = stmt_of(base);
    return st->res && st->row >= 0 && st->row < PQntuples(st->res) ? pg_column_int(base, 0) : 0;
}

static const char *pg_column_text(db_stmt_t *base, int col)
{
    pg_stmt_t *st = stmt_of(base);
    return PQgetisnull(st->res, st->row, col) ? NULL : PQgetvalue(st->res, st->row, col);
}

static bool pg_column_is_null(db_stmt_t *base, int col)
{
    pg_stmt_t *st = stmt_of(base);
    return PQgetisnull(st->res, st->row, col);
}

static void pg_done(db_stmt_t *base)
{
    pg_stmt_t *st = stmt_of(base);
    PQclear(st->res);
    st->res = NULL;
}

static int64_t pg_changes(db_t *db)
{
    return conn_of(db)->changes;
}

/* A command with no parameters and no rows (BEGIN, COMMIT, a migration's script). */
static db_status_t run_plain(pg_db_t *db, const char *sql)
{
    db_status_t flushed = pg_flush(&db->base);
    if (flushed != DB_OK) return flushed;
    if (!usable(db)) {
        note_error(db, db->conn ? PQerrorMessage(db->conn) : db->errmsg);
        return DB_BUSY;
    }
    PGresult *res = PQexec(db->conn, sql);
    ExecStatusType status = PQresultStatus(res);
    db_status_t r =
        status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? DB_OK : failure(db, res, sql);
    PQclear(res);
    return r;
}

static db_status_t begin_as(db_t *base, const char *sql)
{
    pg_db_t *db = conn_of(base);
    db_status_t r = run_plain(db, sql);
    db->in_tx = r == DB_OK;
    return r;
}

/* Writers are SERIALIZABLE: every rule the store checks with a read before its write (count
 * limits, gapless numbers, one invoice per period) holds with many writers on many nodes, as it
 * does on SQLite's single writer; a transaction that would break one fails with 40001 instead,
 * and store_run_tx runs it again. */
static db_status_t pg_begin(db_t *db)
{
    return begin_as(db, "BEGIN ISOLATION LEVEL SERIALIZABLE");
}

/* A bulk job's writer that locks what it relies on itself (db.h, db_begin_locking). */
static db_status_t pg_begin_locking(db_t *db)
{
    return begin_as(db, "BEGIN ISOLATION LEVEL READ COMMITTED");
}

/* Readers see one snapshot and never wait or fail for a writer. */
static db_status_t pg_begin_read(db_t *db)
{
    return begin_as(db, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
}

static void pg_rollback(db_t *base)
{
    pg_db_t *db = conn_of(base);
    pg_flush(base); /* what was queued is thrown away with the transaction */
    if (db->conn && PQstatus(db->conn) == CONNECTION_OK &&
        PQtransactionStatus(db->conn) != PQTRANS_IDLE)
        PQclear(PQexec(db->conn, "ROLLBACK"));
    db->in_tx = false;
}

static db_status_t pg_commit(db_t *base)
{
    pg_db_t *db = conn_of(base);
    db_status_t flushed = pg_flush(base);
    if (flushed != DB_OK) {
        pg_rollback(base);
        return flushed;
    }
    PGresult *res = PQexec(db->conn, "COMMIT");
    db_status_t r;
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        r = failure(db, res, "COMMIT");
    else if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
        /* COMMIT of a transaction a failed statement had aborted answers ROLLBACK. */
        note_error(db, "the transaction had failed and was rolled back");
        log_error("database: COMMIT: %s", db->errmsg);
        r = DB_ERROR;
    } else
        r = DB_OK;
    PQclear(res);
    pg_rollback(base); /* after a failed COMMIT, if the server left the transaction open */
    return r;
}

static db_status_t pg_exec_script(db_t *db, const char *sql)
{
    return run_plain(conn_of(db), sql);
}

/* The page cache is the server's (its administrator's shared_buffers). What a bulk job needs
 * here is plans that follow the tables as they grow. A generic plan made while a table was small
 * (the first invoices of a bill run, and the foreign-key checks that look them up) reads the
 * whole table, and a bill run that wrote 100,000 renewals spent most of its time scanning
 * invoices. Planning each statement at each run (plan_cache_mode = force_custom_plan) avoided
 * that but cost about as much as running it; a bulk job's statements are all look-ups by key
 * that have an index, so this connection refuses sequential scans wherever an index can serve
 * instead (a table with none is still scanned), and keeps its plans. Measured on the bill run:
 * the invoice lines' insert and its foreign-key checks cost half as much. */
static db_status_t pg_bulk_cache(db_t *db, int kib)
{
    (void)kib;
    return run_plain(conn_of(db), "SET enable_seqscan = off");
}

static void pg_forget_cache(db_t *db)
{
    (void)db; /* nothing is kept in the client: every query asks the server */
}

static const char *pg_errmsg(db_t *db)
{
    return conn_of(db)->errmsg;
}

const db_driver_t db_pg_driver = {
    .dialect = DB_POSTGRESQL,
    .open = pg_open,
    .close = pg_close,
    .query = pg_query,
    .step = pg_step,
    .exec_deferred = pg_exec_deferred,
    .flush = pg_flush,
    .inserted_id = pg_inserted_id,
    .done = pg_done,
    .column_int = pg_column_int,
    .column_text = pg_column_text,
    .column_is_null = pg_column_is_null,
    .changes = pg_changes,
    .begin = pg_begin,
    .begin_read = pg_begin_read,
    .begin_locking = pg_begin_locking,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .exec_script = pg_exec_script,
    .bulk_cache = pg_bulk_cache,
    .forget_cache = pg_forget_cache,
    .errmsg = pg_errmsg,
};
