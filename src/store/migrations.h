/* Numbered schema migrations, one sequence for both databases. */
#ifndef COBRO_MIGRATIONS_H
#define COBRO_MIGRATIONS_H
#include "util/arena.h"

/* The DDL of migration version (1-based), or NULL past the latest. */
const char *migration_sql(int version);
/* The part of a migration both databases run (migrations_pg.c translates it): the whole of it,
 * except where SQLite's side rebuilds a table that PostgreSQL alters in place (13). */
const char *migration_sql_shared(int version);
int migration_latest(void);
/* The same migration as PostgreSQL runs it (migrations_pg.c), in a; NULL past the latest. */
char *migration_sql_postgresql(arena_t *a, int version);

#endif
