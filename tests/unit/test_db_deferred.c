/* Unit tests: db_exec_deferred and db_flush on SQLite, which runs a deferred statement at once:
 * its row is there for the next query, its failure is answered by the call itself, must_change
 * answers DB_UNCHANGED for an UPDATE that matched nothing, and a rollback takes it back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

static db_t *open_db(void)
{
    snprintf(path, sizeof path, "/tmp/cobro-db-deferred-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char err[256];
    db_t *db = db_open(path, err, sizeof err);
    assert_non_null(db);
    assert_int_equal(db_exec_script(db, "CREATE TABLE t (id INTEGER PRIMARY KEY,"
                                        " name TEXT NOT NULL UNIQUE, n INTEGER NOT NULL)"),
                     DB_OK);
    return db;
}

static void drop_db(db_t *db)
{
    db_close(db);
    char more[80];
    unlink(path);
    snprintf(more, sizeof more, "%s-wal", path);
    unlink(more);
    snprintf(more, sizeof more, "%s-shm", path);
    unlink(more);
}

static int64_t count_rows(db_t *db)
{
    db_stmt_t *st = db_query(db, "SELECT COUNT(*) FROM t", NULL);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t n = db_int(st, 0);
    db_done(st);
    return n;
}

static void test_01_a_deferred_insert_is_there_for_the_next_query(void **state)
{
    (void)state;
    db_t *db = open_db();
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(
        db_exec_deferred(db, false, "INSERT INTO t (name, n) VALUES ($1, $2)", "si", "a", 1),
        DB_OK);
    assert_int_equal(count_rows(db), 1);
    assert_int_equal(db_flush(db), DB_OK);
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(count_rows(db), 1);
    assert_int_equal(db_flush(db), DB_OK); /* nothing queued: nothing to do */
    drop_db(db);
}

static void test_02_must_change_answers_unchanged_when_no_row_matched(void **state)
{
    (void)state;
    db_t *db = open_db();
    assert_int_equal(
        db_exec_deferred(db, false, "INSERT INTO t (name, n) VALUES ($1, $2)", "si", "a", 1),
        DB_OK);
    assert_int_equal(
        db_exec_deferred(db, true, "UPDATE t SET n = $1 WHERE name = $2", "is", 2, "a"), DB_OK);
    assert_int_equal(
        db_exec_deferred(db, true, "UPDATE t SET n = $1 WHERE name = $2", "is", 3, "nobody"),
        DB_UNCHANGED);
    /* Without must_change, matching nothing is no failure. */
    assert_int_equal(
        db_exec_deferred(db, false, "UPDATE t SET n = $1 WHERE name = $2", "is", 3, "nobody"),
        DB_OK);
    db_stmt_t *st = db_query(db, "SELECT n FROM t WHERE name = $1", "s", "a");
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_int(st, 0), 2);
    db_done(st);
    drop_db(db);
}

static void test_03_a_failure_is_answered_and_a_rollback_takes_everything_back(void **state)
{
    (void)state;
    db_t *db = open_db();
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(
        db_exec_deferred(db, false, "INSERT INTO t (name, n) VALUES ($1, $2)", "si", "a", 1),
        DB_OK);
    assert_int_equal(
        db_exec_deferred(db, false, "INSERT INTO t (name, n) VALUES ($1, $2)", "si", "a", 2),
        DB_CONSTRAINT);
    db_rollback(db);
    assert_int_equal(count_rows(db), 0);
    drop_db(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_a_deferred_insert_is_there_for_the_next_query),
        cmocka_unit_test(test_02_must_change_answers_unchanged_when_no_row_matched),
        cmocka_unit_test(test_03_a_failure_is_answered_and_a_rollback_takes_everything_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
