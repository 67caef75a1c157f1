/* Numbered schema migrations, one sequence for both databases. */
#ifndef COBRO_MIGRATIONS_H
#define COBRO_MIGRATIONS_H

/* The DDL of migration version (1-based), or NULL past the latest. */
const char *migration_sql(int version);
int migration_latest(void);
/* The same migration as PostgreSQL runs it (migrations_pg.c), malloc'd: the caller frees it.
 * NULL past the latest, or when out of memory. */
char *migration_sql_postgresql(int version);

#endif
