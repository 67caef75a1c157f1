/* cobro demo: loads the demo products, accounts, users and staff. */
#include "cli/cli.h"
#include "store/store.h"
#include "services/demo.h"
#include "util/clock.h"

#include <stdio.h>

static const char usage_demo[] =
    "Usage: cobro demo [--db PATH]\n"
    "\n"
    "Applies migrations and loads the demo products, accounts, users and staff.\n"
    "Every demo password is '" DEMO_PASSWORD
    "'. Running it again changes nothing.\n" CLI_DB_OPTIONS;

int cmd_demo(int argc, char **argv)
{
    config_t cfg;
    int rc = cli_load_config(&cfg, CFG_DB, argc, argv, usage_demo);
    if (rc >= 0) return rc;
    data_key_t key;
    store_t *s = cli_open_store(&cfg, &key);
    if (!s) return 1;
    char err[256];
    bool ok = demo_load(s, clock_now(), err, sizeof err);
    store_close(s);
    if (!ok) {
        fprintf(stderr, "cobro demo: %s\n", err);
        return 1;
    }
    printf("Demo data loaded into %s. Every password is '%s'.\n"
           "  Corporate Billing Portal  /corporate  User ID acme-billing (Acme Corporation)\n"
           "                                        User ID ap@globex.example (Globex Italia, in "
           "Italian)\n"
           "  Billing Center            /billing    owner@initech.example (billing administrator)\n"
           "                                        user@initech.example (member)\n"
           "                                        it@initech.example (registered administrator)\n"
           "  Staff console             /staff      rep@vendor.example, cas@vendor.example,\n"
           "                                        care@vendor.example, admin@vendor.example\n",
           cfg.db_path, DEMO_PASSWORD);
    return 0;
}
