/* cobro backup and cobro restore: an SQLite database copied whole while the server runs, and put
 * back checked; a PostgreSQL database is left to PostgreSQL's own tools.
 *
 * The data key stays out of the backup: it exists so that a copy of the database alone reveals
 * no bank number, and a backup is exactly such a copy (it travels to other disks and hosts). The
 * backup says which key file it needs; restore refuses a backup whose sealed bank numbers the
 * target's key file cannot open, since the server would refuse to start on it, and it never
 * writes a key itself: the operator copies the right one in, from where keys are kept. */
#include "cli/cli.h"
#include "store/db.h"
#include "store/db_sqlite_backup.h"
#include "store/migrations.h"
#include "util/sealed.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char usage_backup[] =
    "Usage: cobro backup --to FILE [--db PATH]\n"
    "\n"
    "Writes a consistent copy of the SQLite database to FILE, also while cobro serve runs and\n"
    "writes: a temporary file beside FILE (mode 0600), checked (integrity_check, schema\n"
    "version) and synced, then renamed to FILE, which an earlier backup may hold. Prints its\n"
    "size, schema version and numbers of accounts and invoices.\n"
    "The data key is not in the backup: keep its file (PATH.key) apart from the backups.\n"
    "On PostgreSQL, use its own tools (pg_dump, pg_basebackup with WAL archiving).\n"
    "  --to FILE   where the backup goes\n" CLI_DB_OPTIONS;

static const char usage_restore[] =
    "Usage: cobro restore --from FILE [--force] [--db PATH]\n"
    "\n"
    "Puts the backup FILE in place as the SQLite database, with the server stopped. FILE must be\n"
    "a cobro database that passes integrity_check, with a schema no newer than this cobro's, and\n"
    "its bank details must open with the data key file. It is copied to a temporary file beside\n"
    "the database, checked, then renamed: the database is never half restored.\n"
    "On PostgreSQL, use its own tools (pg_restore or psql).\n"
    "  --from FILE  the backup (written by cobro backup)\n"
    "  --force      replace an existing database (refused while a process has it "
    "open)\n" CLI_DB_OPTIONS;

/* Takes the command's own option; on a usage error prints it and sets *rc. */
static const char *take_file_option(int *argc, char **argv, const char *name, int *rc)
{
    bool missing = false;
    const char *v = cli_take_option(argc, argv, name, &missing);
    if (missing || (v && !*v)) {
        fprintf(stderr, "cobro %s: %s needs a file name\n", argv[0], name);
        *rc = 2;
    }
    return v;
}

/* Loads the flags; -1 to go on, else the exit status. */
static int load(config_t *cfg, int argc, char **argv, const char *usage, const char *file,
                const char *flag)
{
    int rc = cli_load_config(cfg, CFG_DB, argc, argv, usage);
    if (rc >= 0) return rc;
    if (db_target_is_postgresql(cfg->db_path)) {
        fprintf(stderr,
                "cobro %s: --db is a PostgreSQL connection string: cobro %s works on SQLite "
                "only; use PostgreSQL's own tools (pg_dump and pg_restore, or pg_basebackup "
                "with WAL archiving; see docs/deploy.md)\n",
                argv[0], argv[0]);
        return 2;
    }
    if (!file) {
        fprintf(stderr, "cobro %s: %s FILE is required (see cobro %s --help)\n", argv[0], flag,
                argv[0]);
        return 2;
    }
    return -1;
}

int cmd_backup(int argc, char **argv)
{
    int rc = -1;
    const char *to = take_file_option(&argc, argv, "--to", &rc);
    if (rc >= 0) return rc;
    config_t cfg;
    rc = load(&cfg, argc, argv, usage_backup, to, "--to");
    if (rc >= 0) return rc;
    sqlite_copy_info_t info;
    char err[1024];
    if (!sqlite_backup(cfg.db_path, to, &info, err, sizeof err)) {
        fprintf(stderr, "cobro backup: %s\n", err);
        return 1;
    }
    printf("backup of %s written to %s: %lld bytes, schema version %d, %lld accounts, %lld "
           "invoices; integrity check ok\n",
           cfg.db_path, to, (long long)info.bytes, info.schema_version, (long long)info.accounts,
           (long long)info.invoices);
    printf("the data key is not in the backup: its bank details open only with the key file %s; "
           "keep a copy of that file apart from the backups\n",
           cfg.data_key_path);
    return 0;
}

/* True when the key file of the target opens the backup's check value; else one line in err. */
static bool key_opens(const config_t *cfg, const sqlite_copy_info_t *info, char *err,
                      size_t err_size)
{
    if (!info->has_key_check) return true; /* its first start makes or checks the key */
    data_key_t key;
    bool created = false;
    char why[512];
    if (!data_key_load(cfg->data_key_path, false, &key, &created, why, sizeof why)) {
        snprintf(err, err_size,
                 "the backup's bank details are sealed under a data key, which this restore "
                 "cannot check (%s): copy the key file of the database the backup was taken from "
                 "to %s (mode 0600), or point "
                 "--data-key-file / COBRO_DATA_KEY_FILE to it",
                 why, cfg->data_key_path);
        return false;
    }
    bool ok = data_key_opens(&key, info->key_check);
    if (!ok)
        snprintf(err, err_size,
                 "the data key file %s is not the key the backup's bank details are sealed "
                 "under: copy the key file of the database the backup was taken from there "
                 "(mode 0600), or point --data-key-file / COBRO_DATA_KEY_FILE to it",
                 cfg->data_key_path);
    return ok;
}

int cmd_restore(int argc, char **argv)
{
    int rc = -1;
    bool force = cli_take_switch(&argc, argv, "--force");
    const char *from = take_file_option(&argc, argv, "--from", &rc);
    if (rc >= 0) return rc;
    config_t cfg;
    rc = load(&cfg, argc, argv, usage_restore, from, "--from");
    if (rc >= 0) return rc;
    struct stat sb;
    char err[1024];
    if (!force && lstat(cfg.db_path, &sb) == 0) {
        fprintf(stderr,
                "cobro restore: a database already exists at %s: restore does not replace it "
                "unless given --force (back it up first with cobro backup)\n",
                cfg.db_path);
        return 1;
    }
    char tmp[4096];
    sqlite_copy_info_t info;
    if (!sqlite_restore_prepare(from, cfg.db_path, tmp, sizeof tmp, &info, err, sizeof err)) {
        fprintf(stderr, "cobro restore: %s; nothing was restored\n", err);
        return 1;
    }
    if (!key_opens(&cfg, &info, err, sizeof err)) {
        sqlite_restore_abandon(tmp);
        fprintf(stderr, "cobro restore: %s; nothing was restored\n", err);
        return 1;
    }
    if (!sqlite_restore_commit(tmp, cfg.db_path, force, err, sizeof err)) {
        fprintf(stderr, "cobro restore: %s; nothing was restored\n", err);
        return 1;
    }
    printf("restored %s to %s: schema version %d, %lld accounts, %lld invoices\n", from,
           cfg.db_path, info.schema_version, (long long)info.accounts, (long long)info.invoices);
    if (info.schema_version < migration_latest())
        printf("next: its schema is older than this cobro's (version %d): run cobro migrate "
               "--db %s, then start the server\n",
               migration_latest(), cfg.db_path);
    else
        printf("next: start the server on it (its schema is this cobro's)\n");
    return 0;
}
