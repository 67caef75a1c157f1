/* What cobro's commands share: their entry points, loading a command's flags, opening the store,
 * and taking command-specific options out of argv before config_load sees it. */
#ifndef COBRO_CLI_H
#define COBRO_CLI_H
#include "config.h"
#include "services/data_key.h"
#include "store/store.h"

#include <stdbool.h>

/* The commands. argv[0] is the command's name ("serve"); each returns the exit status. */
/* The options every command that opens an existing or new database takes, for usage texts. */
#define CLI_DB_OPTIONS                                                                             \
    "  --db DB     database: a file (SQLite) or a PostgreSQL connection string\n"                  \
    "              (postgresql://user@host/dbname; COBRO_DB, default var/cobro.db)\n"              \
    "  --data-key-file PATH  key that seals bank numbers at rest (COBRO_DATA_KEY_FILE,\n"          \
    "              default the database path + .key, required for PostgreSQL;\n"                   \
    "              made for a new database)\n"

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_bill_run(int argc, char **argv);
int cmd_invoice(int argc, char **argv);
int cmd_outbox(int argc, char **argv);
int cmd_vendor_file(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_payments(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);

/* Loads the flags of a command (config_load with the environment); returns -1 to go on, else
 * the exit status after printing the usage (--help) or the error. */
int cli_load_config(config_t *cfg, unsigned accepted, int argc, char **argv, const char *usage);
/* The payment gateway of cfg->payments (payment_gateway.c); NULL when payments are off, or after
 * saying on stderr why it cannot start (check cfg->payments to tell them apart). */
struct gateway *cli_payment_gateway(const config_t *cfg, const char *server_secret);

/* Opens and migrates the database and opens its data key; NULL after printing why. */
store_t *cli_open_store(const config_t *cfg, data_key_t *key);

/* Removes "NAME VALUE" or "NAME=VALUE" from argv (so config_load never sees it) and returns
 * VALUE; NULL when absent. *missing is set when NAME comes without a value. */
const char *cli_take_option(int *argc, char **argv, const char *name, bool *missing);

/* Removes the switch name (a flag without a value) from argv; true when it was there. */
bool cli_take_switch(int *argc, char **argv, const char *name);

#endif
