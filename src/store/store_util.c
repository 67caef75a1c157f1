/* The store's shared row helpers and audience names (store_internal.h). */
#include "store_internal.h"

static const char *const audience_names[AUDIENCE_COUNT] = {"corporate", "billing", "staff"};

const char *audience_name(audience_t a)
{
    return (unsigned)a < AUDIENCE_COUNT ? audience_names[a] : "corporate";
}

store_status_t from_db(db_status_t s)
{
    switch (s) {
    case DB_OK:
    case DB_ROW:
        return STORE_OK;
    case DB_BUSY:
        return STORE_BUSY;
    case DB_CONSTRAINT:
        return STORE_CONFLICT;
    case DB_UNCHANGED:
        return STORE_NOT_FOUND;
    default:
        return STORE_ERROR;
    }
}

/* Copies column col as a string into the arena ("" for NULL). */
char *col_str(arena_t *a, db_stmt_t *st, int col)
{
    const char *t = db_text(st, col);
    return arena_strdup(a, t ? t : "");
}

/* Steps a query that returns at most one row: STORE_OK with the row ready, STORE_NOT_FOUND, or
 * a failure. The caller reads the row, then calls db_done. */
store_status_t one_row(db_stmt_t *st)
{
    if (!st) return STORE_ERROR;
    db_status_t r = db_step(st);
    if (r == DB_ROW) return STORE_OK;
    return r == DB_OK ? STORE_NOT_FOUND : from_db(r);
}

/* Runs an INSERT ... RETURNING id (or SELECT id) and stores the id. */
store_status_t returning_id(db_stmt_t *st, int64_t *id)
{
    store_status_t s = one_row(st);
    if (s == STORE_OK) {
        if (id) *id = db_int(st, 0);
        db_done(st);
    }
    return s;
}

store_status_t read_id_rows(db_stmt_t *st, arena_t *a, int limit, int64_t **ids, size_t *n)
{
    *n = 0;
    *ids = arena_alloc(a, sizeof **ids * (size_t)(limit > 0 ? limit : 1));
    if (!st) return STORE_ERROR;
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW && *n < (size_t)limit)
        (*ids)[(*n)++] = db_int(st, 0);
    db_done(st);
    return r == DB_ROW || r == DB_OK ? STORE_OK : from_db(r);
}

/* An UPDATE or DELETE that must touch a row: STORE_NOT_FOUND when it changed nothing. */
store_status_t must_change(store_t *s, db_status_t r)
{
    if (r != DB_OK) return from_db(r);
    return db_changes(s->db) > 0 ? STORE_OK : STORE_NOT_FOUND;
}
