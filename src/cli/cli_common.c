/* The helpers every command uses: its flags, the store, and options only one command knows. */
#include "cli/cli.h"
#include "store/store.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

extern char **environ;

store_t *cli_open_store(const config_t *cfg, data_key_t *key)
{
    char err[512];
    if (!cfg->data_key_path) {
        fprintf(stderr, "cobro: a PostgreSQL database needs --data-key-file (COBRO_DATA_KEY_FILE):"
                        " the same key file on every node\n");
        return NULL;
    }
    store_t *s = store_open(cfg->db_path, err, sizeof err);
    if (!s) {
        fprintf(stderr, "cobro: %s\n", err);
        return NULL;
    }
    int from = 0, to = 0;
    if (store_migrate(s, &from, &to) != STORE_OK) {
        fprintf(stderr, "cobro: cannot migrate database %s\n", cfg->db_path);
        store_close(s);
        return NULL;
    }
    if (to != from) log_info("database %s migrated from version %d to %d", cfg->db_path, from, to);
    if (!data_key_open(s, cfg->data_key_path, key, err, sizeof err)) {
        fprintf(stderr, "cobro: %s\n", err);
        store_close(s);
        return NULL;
    }
    return s;
}

int cli_load_config(config_t *cfg, unsigned accepted, int argc, char **argv, const char *usage)
{
    char err[512];
    switch (config_load(cfg, accepted, argc, argv, environ, err, sizeof err)) {
    case CONFIG_HELP:
        fputs(usage, stdout);
        return 0;
    case CONFIG_ERROR:
        fprintf(stderr, "cobro %s: %s\n", argv[0], err);
        return 2;
    default:
        return -1;
    }
}

const char *cli_take_option(int *argc, char **argv, const char *name, bool *missing)
{
    size_t len = strlen(name);
    for (int i = 1; i < *argc; i++) {
        const char *value = NULL;
        int used = 0;
        if (strcmp(argv[i], name) == 0) {
            if (i + 1 >= *argc) {
                *missing = true;
                (*argc)--;
                argv[i] = NULL;
                return NULL;
            }
            value = argv[i + 1], used = 2;
        } else if (strncmp(argv[i], name, len) == 0 && argv[i][len] == '=') {
            value = argv[i] + len + 1, used = 1;
        } else {
            continue;
        }
        memmove(&argv[i], &argv[i + used], (size_t)(*argc - i - used + 1) * sizeof *argv);
        *argc -= used;
        return value;
    }
    return NULL;
}

bool cli_take_switch(int *argc, char **argv, const char *name)
{
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], name) != 0) continue;
        memmove(&argv[i], &argv[i + 1], (size_t)(*argc - i) * sizeof *argv);
        (*argc)--;
        return true;
    }
    return false;
}
