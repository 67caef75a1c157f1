/* cobro verify: checks the database's invariants (the rules are in store/store_verify.c). */
#ifndef COBRO_VERIFY_H
#define COBRO_VERIFY_H
#include "store/store.h"

typedef struct {
    verify_finding_t *findings; /* in the arena, at most max_findings of them */
    size_t n;
    int64_t total;   /* rows that break a rule, all counted */
    size_t n_checks; /* how many rules ran */
} verify_report_t;

/* Runs every rule in one read snapshot of the database as of now (Unix seconds). False when the
 * store failed (logged); then out holds nothing. */
bool verify_database(store_t *s, arena_t *a, int64_t now, size_t max_findings,
                     verify_report_t *out);

#endif
