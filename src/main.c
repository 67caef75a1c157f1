/* cobro's entry point: process-wide setup, then the command named by argv[1] (see src/cli/). */
#include "cli/cli.h"
#include "util/clock.h"
#include "util/token.h"

#include <curl/curl.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary; /* its line in cobro --help */
} command_t;

static const command_t commands[] = {
    {"serve", cmd_serve, "serve the portals and the staff console over HTTP"},
    {"migrate", cmd_migrate, "create or update the database schema"},
    {"demo", cmd_demo, "load the demo data (safe to run twice)"},
    {"bill-run", cmd_bill_run, "renew due subscriptions and issue their invoices"},
    {"invoice", cmd_invoice, "write an invoice's PDF (cobro invoice pdf NUMBER -o FILE)"},
    {"outbox", cmd_outbox, "list the emails not yet sent, and requeue failed ones"},
    {"vendor-file", cmd_vendor_file, "keep a new W-9 (cobro vendor-file w9 FILE)"},
    {"payments", cmd_payments, "ask the payment gateway about payments whose outcome is unknown"},
    {"verify", cmd_verify, "check the database's invariants; name each row that breaks one"},
    {"backup", cmd_backup, "copy the SQLite database to a file, also while serving (--to FILE)"},
    {"restore", cmd_restore, "put a backup in place of the SQLite database (--from FILE)"},
};

/* cobro --help: the text around the list of commands. */
static const char usage_head[] = "Usage: cobro COMMAND [OPTIONS]\n"
                                 "\n"
                                 "Subscription billing server with self-service billing portals.\n"
                                 "\n"
                                 "Commands:\n";
static const char usage_tail[] =
    "\n"
    "Run 'cobro COMMAND --help' for the options of a command.\n"
    "\n"
    "Every command reads the time from one clock. COBRO_NOW=YYYY-MM-DD[THH:MM:SS[.fff]Z] (UTC)\n"
    "starts that clock at the given instant instead of the system's time; it then runs on as\n"
    "usual. Tests and demos use it so that nothing depends on the day they run.\n";

static void usage(FILE *out)
{
    fputs(usage_head, out);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs(usage_tail, out);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    /* Keep freed memory instead of handing it back to the kernel at once: SQLite frees and
     * takes back the same pages at every statement, and trimming the heap each time cost a
     * fifth of a bill run in brk calls and page faults. */
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
    mallopt(M_TOP_PAD, 16 * 1024 * 1024);
    if (!token_init() || curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
        fprintf(stderr, "cobro: cannot initialize the crypto or network libraries\n");
        return 1;
    }
    char clock_err[160];
    if (!clock_init_from_env(clock_err, sizeof clock_err)) {
        fprintf(stderr, "cobro: %s\n", clock_err);
        return 2;
    }
    const char *cmd = argv[1];
    const command_t *c = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0] && !c; i++)
        if (strcmp(cmd, commands[i].name) == 0) c = &commands[i];
    int rc;
    if (c) {
        rc = c->run(argc - 1, argv + 1);
    } else {
        fprintf(stderr, "cobro: unknown command '%s' (try 'cobro --help')\n", cmd);
        rc = 2;
    }
    curl_global_cleanup();
    return rc;
}
