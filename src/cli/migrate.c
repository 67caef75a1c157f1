/* cobro migrate: creates the database or brings its schema up to date. */
#include "cli/cli.h"
#include "store/store.h"

#include <stdio.h>

static const char usage_migrate[] =
    "Usage: cobro migrate [--db PATH]\n"
    "\n"
    "Creates the database when absent and applies the migrations it lacks.\n" CLI_DB_OPTIONS;

int cmd_migrate(int argc, char **argv)
{
    config_t cfg;
    int rc = cli_load_config(&cfg, CFG_DB, argc, argv, usage_migrate);
    if (rc >= 0) return rc;
    data_key_t key;
    store_t *s = cli_open_store(&cfg, &key);
    if (!s) return 1;
    printf("database %s is at the latest schema version\n", cfg.db_path);
    store_close(s);
    return 0;
}
