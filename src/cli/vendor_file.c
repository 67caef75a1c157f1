/* cobro vendor-file w9 FILE: keeps FILE as the vendor's newest W-9 (the staff console's upload,
 * from the command line: the same checks, every version kept). */
#include "cli/cli.h"
#include "services/services.h"
#include "services/w9.h"
#include "store/store.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_vendor_file[] =
    "Usage: cobro vendor-file w9 FILE [--db PATH]\n"
    "\n"
    "Keeps FILE, a PDF of at most 5 MB, as the vendor's current W-9: the one the billing\n"
    "contacts of US corporate accounts download from the Corporate Billing Portal. Earlier\n"
    "versions are kept (the staff console's W-9 page lists them).\n" CLI_DB_OPTIONS;

/* Reads at most max + 1 bytes of path into a malloc'd buffer (*len); NULL after saying why. */
static char *read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cobro vendor-file: cannot open %s\n", path);
        return NULL;
    }
    char *data = malloc(max + 1);
    size_t n = data ? fread(data, 1, max + 1, f) : 0;
    bool bad = !data || ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "cobro vendor-file: cannot read %s\n", path);
        free(data);
        return NULL;
    }
    *len = n;
    return data;
}

int cmd_vendor_file(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage_vendor_file, stdout);
        return 0;
    }
    if (argc < 3 || strcmp(argv[1], "w9") != 0 || argv[2][0] == '-') {
        fputs(usage_vendor_file, stderr);
        return 2;
    }
    const char *path = argv[2];
    memmove(&argv[1], &argv[3], (size_t)(argc - 2) * sizeof *argv);
    argc -= 2;
    config_t cfg;
    int rc = cli_load_config(&cfg, CFG_DB, argc, argv, usage_vendor_file);
    if (rc >= 0) return rc;
    size_t len = 0;
    char *data = read_file(path, W9_MAX_BYTES, &len);
    if (!data) return 1;
    w9_check_t check = w9_check_pdf(data, len);
    if (check != W9_OK) {
        fprintf(stderr, "cobro vendor-file: %s: %s\n", path,
                check == W9_MISSING     ? "the file is empty"
                : check == W9_TOO_LARGE ? "the file is larger than 5 MB"
                                        : "the file is not a PDF");
        free(data);
        return 1;
    }
    data_key_t key;
    store_t *s = cli_open_store(&cfg, &key);
    if (!s) {
        free(data);
        return 1;
    }
    services_t *svc = services_new(s);
    arena_t *a = arena_new();
    int64_t id = 0;
    const char *slash = strrchr(path, '/');
    status_t st = svc && a ? w9_upload(svc, a, slash ? slash + 1 : path, data, len, 0, "",
                                       clock_now(), &check, &id)
                           : STATUS_ERROR;
    if (st == STATUS_OK)
        printf("W-9 version %lld kept (%zu bytes).\n", (long long)id, len);
    else
        fprintf(stderr, "cobro vendor-file: cannot keep the W-9 (%s)\n",
                st == STATUS_BUSY ? "the database is busy" : "database error");
    arena_free(a);
    if (svc) services_free(svc);
    store_close(s);
    free(data);
    return st == STATUS_OK ? 0 : 1;
}
