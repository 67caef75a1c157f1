/* cobro payments reconcile: asks the payment gateway, now, about every payment whose outcome
 * is not known and uses account credit, as each server does every minute (for operators after
 * an outage, and for tests that set the clock). */
#include "cli/cli.h"
#include "payments/gateway.h"
#include "services/payments.h"
#include "services/payments_offline.h"
#include "services/services.h"
#include "util/clock.h"

#include <stdio.h>
#include <string.h>

static const char usage_payments[] =
    "Usage: cobro payments reconcile [--db PATH] [payment settings]\n"
    "\n"
    "Asks the payment gateway about every payment whose outcome cobro does not know (a page that\n"
    "expired without an event, an answer lost to a time-out) and settles each as the gateway\n"
    "says; never charges anything. Then uses account credit on open invoices. A running server\n"
    "does both every minute.\n"
    "  --db DB       database file or PostgreSQL connection string (COBRO_DB)\n"
    "  --payments, --stripe-key-file, --stripe-webhook-secret-file, --stripe-api-url:\n"
    "                the gateway, as for cobro serve\n";

int cmd_payments(int argc, char **argv)
{
    bool reconcile = argc >= 2 && strcmp(argv[1], "reconcile") == 0;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(usage_payments, stdout);
        return 0;
    }
    if (!reconcile) {
        fputs(usage_payments, stderr);
        return 2;
    }
    config_t cfg;
    int rc = cli_load_config(&cfg, CFG_DB | CFG_BASE_URL | CFG_PAYMENTS, argc - 1, argv + 1,
                             usage_payments);
    if (rc >= 0) return rc;
    data_key_t key;
    store_t *s = cli_open_store(&cfg, &key);
    if (!s) return 1;
    arena_t *a = arena_new();
    char *secret = NULL;
    if (store_server_secret(s, a, &secret) != STORE_OK) {
        fprintf(stderr, "cobro payments: the database has no server secret; run cobro migrate\n");
        arena_free(a);
        store_close(s);
        return 1;
    }
    gateway_t *gw = cli_payment_gateway(&cfg, secret);
    services_t *svc = gw ? services_new(s) : NULL;
    rc = 1;
    if (svc) {
        payments_init(gw);
        int64_t now = clock_now();
        int64_t changed = payments_reconcile(svc, now);
        int64_t refunds = changed >= 0 ? refunds_reconcile(svc, now) : -1;
        if (refunds < 0) changed = -1;
        int64_t credited = changed >= 0 ? payments_apply_credit(svc, now) : -1;
        if (changed >= 0 && credited >= 0) {
            printf("payments: %lld settled by asking the gateway, %lld refunds settled, credit used"
                   " for %lld accounts\n",
                   (long long)changed, (long long)refunds, (long long)credited);
            rc = 0;
        } else {
            fprintf(stderr, "cobro payments: the database failed (see the log)\n");
        }
        payments_init(NULL);
        services_free(svc);
    } else if (cfg.payments == PAYMENTS_OFF) {
        fprintf(stderr, "cobro payments: payments are off (--payments off)\n");
    }
    gateway_free(gw);
    arena_free(a);
    store_close(s);
    return rc;
}
