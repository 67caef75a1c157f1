/* Numbered schema migrations of the store's backend. */
#ifndef COBRO_MIGRATIONS_H
#define COBRO_MIGRATIONS_H

/* The DDL of migration version (1-based), or NULL past the latest. */
const char *migration_sql(int version);
int migration_latest(void);

#endif
