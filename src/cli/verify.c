/* cobro verify: checks the database's invariants and names each row that breaks one. */
#include "cli/cli.h"
#include "services/verify.h"
#include "store/store.h"
#include "util/clock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char usage_verify[] =
    "Usage: cobro verify [--db PATH]\n"
    "\n"
    "Checks the database's invariants and prints one line for each row that breaks one, then a\n"
    "summary: invoice numbers gapless in each series (1..N, no duplicate, the series counter at\n"
    "the highest, each number's text made of its series and sequence), each subscription period\n"
    "invoiced once, every invoice's lines + tax = total (per tax rate too), and every outbox\n"
    "email consistent (a known kind, an invoice email naming an invoice of its account, never\n"
    "both sent and failed, sane attempt counts and claims). Reads only, in one snapshot, on a\n"
    "live database too. Exits 0 when every rule holds, 1 when a row breaks one, 2 on a usage\n"
    "error or a database that cannot be opened or read.\n"
    "  --db DB     database file or PostgreSQL connection string (COBRO_DB,\n"
    "              default var/cobro.db)\n";

/* Findings printed at most; the others are counted in the summary. */
enum { MAX_SHOWN = 100000 };

/* A file path must name an existing database: opening would create an empty one. Connection
 * strings (postgresql://..., key=value) are left to the store. NULL when it does, else why not. */
static const char *database_missing(const char *path)
{
    if (strstr(path, "://") || strchr(path, '=')) return NULL;
    struct stat st;
    if (stat(path, &st) != 0) return strerror(errno);
    return S_ISREG(st.st_mode) ? NULL : "not a file";
}

int cmd_verify(int argc, char **argv)
{
    config_t cfg;
    int rc = cli_load_config(&cfg, CFG_DB, argc, argv, usage_verify);
    if (rc >= 0) return rc;
    const char *missing = database_missing(cfg.db_path);
    if (missing) {
        fprintf(stderr, "cobro verify: no database at %s (%s)\n", cfg.db_path, missing);
        return 2;
    }
    char err[512];
    store_t *s = store_open(cfg.db_path, err, sizeof err);
    if (!s) {
        fprintf(stderr, "cobro verify: %s\n", err);
        return 2;
    }
    /* The rules are written for the current schema, as every command is. */
    int from = 0, to = 0;
    if (store_migrate(s, &from, &to) != STORE_OK) {
        fprintf(stderr, "cobro verify: cannot open database %s (not a cobro database?)\n",
                cfg.db_path);
        store_close(s);
        return 2;
    }
    arena_t *a = arena_new();
    verify_report_t rep;
    if (!a || !verify_database(s, a, clock_now(), MAX_SHOWN, &rep)) {
        fprintf(stderr, "cobro verify: cannot read database %s\n", cfg.db_path);
        arena_free(a);
        store_close(s);
        return 2;
    }
    for (size_t i = 0; i < rep.n; i++)
        printf("verify: %s\n", rep.findings[i].message);
    if (rep.total > (int64_t)rep.n)
        printf("verify: ... and %lld more not shown\n", (long long)(rep.total - (int64_t)rep.n));
    if (rep.total == 0)
        printf("verify: %zu checks, no problems\n", rep.n_checks);
    else
        printf("verify: %zu checks, %lld row%s breaking them\n", rep.n_checks, (long long)rep.total,
               rep.total == 1 ? "" : "s");
    arena_free(a);
    store_close(s);
    return rep.total == 0 ? 0 : 1;
}
