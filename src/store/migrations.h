/* Numbered schema migrations, one sequence for both databases. */
#ifndef COBRO_MIGRATIONS_H
#define COBRO_MIGRATIONS_H
#include "util/arena.h"

/* The DDL of migration version (1-based), or NULL past the latest. */
const char *migration_sql(int version);
int migration_latest(void);
/* The same migration as PostgreSQL runs it (migrations_pg.c), in a; NULL past the latest. */
char *migration_sql_postgresql(arena_t *a, int version);

#endif
