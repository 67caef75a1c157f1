/* cobro verify: runs the store's invariant rules in one snapshot, with the bounds they need. */
#include "verify.h"
#include "util/log.h"
#include "workers/mailer.h"

/* Nodes' clocks may differ a little: a claim another node took is allowed this much beyond. */
enum { CLOCK_SKEW_S = 300 };

typedef struct {
    arena_t *a;
    verify_opts_t opts;
    verify_report_t *out;
} verify_run_t;

static store_status_t verify_body(store_t *s, void *ctx)
{
    verify_run_t *v = ctx;
    v->out->findings = NULL;
    v->out->n = 0;
    v->out->total = 0;
    return store_verify(s, v->a, &v->opts, &v->out->findings, &v->out->n, &v->out->total);
}

bool verify_database(store_t *s, arena_t *a, int64_t now, size_t max_findings, verify_report_t *out)
{
    *out = (verify_report_t){0};
    store_verify_checks(&out->n_checks);
    verify_run_t v = {
        .a = a,
        .opts = {.latest_claim = now + MAILER_LEASE_S + CLOCK_SKEW_S, .max_findings = max_findings},
        .out = out,
    };
    store_status_t r = store_run_tx(s, STORE_TX_READ, verify_body, &v);
    if (r != STORE_OK) {
        log_error("verify: the database could not be read (store status %d): %s", (int)r,
                  store_errmsg(s));
        size_t n_checks = out->n_checks;
        *out = (verify_report_t){.n_checks = n_checks};
        return false;
    }
    return true;
}
