/* The store's scheduled jobs: one node at a time runs each, under a lease it renews. */
#include "store_internal.h"

/* One statement takes the job: the row is locked, so of two nodes claiming at once the second
 * sees the first one's lease (PostgreSQL rechecks the WHERE on the row it waited for). */
store_status_t store_job_claim(store_t *s, const char *name, const char *period, const char *node,
                               int64_t now, int64_t lease_until, bool *claimed)
{
    *claimed = false;
    db_status_t r = db_exec(s->db,
                            "UPDATE scheduled_jobs SET claimed_by = $1, lease_until = $2"
                            " WHERE name = $3 AND done_through < $4"
                            " AND (lease_until <= $5 OR claimed_by = $6)",
                            "sissis", node, lease_until, name, period, now, node);
    if (r != DB_OK) return from_db(r);
    *claimed = db_changes(s->db) > 0;
    return STORE_OK;
}

store_status_t store_job_renew(store_t *s, const char *name, const char *node, int64_t lease_until)
{
    return must_change(s, db_exec(s->db,
                                  "UPDATE scheduled_jobs SET lease_until = $1"
                                  " WHERE name = $2 AND claimed_by = $3",
                                  "iss", lease_until, name, node));
}

store_status_t store_job_finish(store_t *s, const char *name, const char *node, const char *period)
{
    /* period NULL: released unfinished, so that another node (or the next check) runs it. */
    if (!period)
        return must_change(s, db_exec(s->db,
                                      "UPDATE scheduled_jobs SET claimed_by = '', lease_until = 0"
                                      " WHERE name = $1 AND claimed_by = $2",
                                      "ss", name, node));
    return must_change(s, db_exec(s->db,
                                  "UPDATE scheduled_jobs SET done_through = $1, claimed_by = '',"
                                  " lease_until = 0 WHERE name = $2 AND claimed_by = $3",
                                  "sss", period, name, node));
}

store_status_t store_job_state(store_t *s, arena_t *a, const char *name, job_state_t *out)
{
    db_stmt_t *st = db_query(s->db,
                             "SELECT done_through, claimed_by, lease_until FROM scheduled_jobs"
                             " WHERE name = $1",
                             "s", name);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    out->done_through = col_str(a, st, 0);
    out->claimed_by = col_str(a, st, 1);
    out->lease_until = db_int(st, 2);
    db_done(st);
    return STORE_OK;
}
