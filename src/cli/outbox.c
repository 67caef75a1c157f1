/* cobro outbox: lists the emails not yet sent and requeues failed ones. */
#include "cli/cli.h"
#include "store/store.h"
#include "util/clock.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage_outbox[] =
    "Usage: cobro outbox list [--failed] [--limit N] [--db PATH]\n"
    "       cobro outbox retry (ID... | --all) [--db PATH]\n"
    "\n"
    "The emails not yet sent. An email that fails for a reason another attempt may get past (no\n"
    "connection, a time-out, a 4xx reply, a refused login or sender) is retried until it is\n"
    "sent, waiting at most an hour (serve --mail-retry-max) between attempts. One the mail server\n"
    "refuses itself (a 5xx reply to its recipient or content) 3 times in a row is marked failed\n"
    "and waits for an operator.\n"
    "  list          one line per unsent email: failed first, then the most attempts first\n"
    "    --failed    only the failed ones\n"
    "    --limit N   at most N lines (default 100)\n"
    "  retry ID...   requeue these emails: a failed one is retried again, a waiting one is due\n"
    "                now; a running server sends them within seconds. A sent email is never\n"
    "                sent again.\n"
    "  retry --all   the same for every unsent email (after fixing the cause of failures)\n"
    "  --db DB       database file or PostgreSQL connection string (COBRO_DB,\n"
    "                default var/cobro.db)\n"
    "  --data-key-file PATH  the database's data key (COBRO_DATA_KEY_FILE, default PATH.key)\n";

/* "2026-11-22T10:00:00Z", or "-" for 0. */
static const char *utc(int64_t at, char out[32])
{
    time_t t = (time_t)at;
    struct tm tm;
    if (at <= 0 || !gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm)) return "-";
    return out;
}

static int outbox_list(store_t *s, bool failed_only, int limit)
{
    outbox_counts_t c;
    arena_t *a = arena_new();
    outbox_row_t *rows = NULL;
    size_t n = 0;
    if (!a || store_outbox_counts(s, &c) != STORE_OK ||
        store_outbox_list(s, a, failed_only, limit, &rows, &n) != STORE_OK) {
        fprintf(stderr, "cobro outbox: cannot read the outbox\n");
        arena_free(a);
        return 1;
    }
    printf("outbox: %lld waiting (%lld of them after a failed attempt), %lld failed\n",
           (long long)c.waiting, (long long)c.retrying, (long long)c.failed);
    if (n > 0)
        printf("%-8s %-7s %8s  %-20s  %-20s  %-15s %s  %s\n", "ID", "STATE", "ATTEMPTS", "QUEUED",
               "NEXT ATTEMPT/FAILED", "KIND", "TO", "LAST ERROR");
    int64_t now = clock_now();
    for (size_t i = 0; i < n; i++) {
        const outbox_row_t *r = &rows[i];
        const char *state = r->failed_at             ? "failed"
                            : r->claimed_until > now ? "sending"
                                                     : "waiting";
        char queued[32], when[32];
        printf("%-8lld %-7s %8lld  %-20s  %-20s  %-15s %s  %s\n", (long long)r->id, state,
               (long long)r->attempts, utc(r->created_at, queued),
               utc(r->failed_at ? r->failed_at : r->next_attempt_at, when), r->kind, r->to_addr,
               *r->last_error ? r->last_error : "-");
    }
    int64_t total = failed_only ? c.failed : c.waiting + c.failed;
    if ((int64_t)n < total)
        printf("... and %lld more (--limit)\n", (long long)(total - (int64_t)n));
    arena_free(a);
    return 0;
}

/* One requeue, the body of its transaction (run again when the database is busy). */
typedef struct {
    int64_t id, now, requeued, hastened;
} requeue_t;

static store_status_t requeue_one(store_t *s, void *ctx)
{
    requeue_t *q = ctx;
    q->requeued = q->hastened = 0;
    return store_outbox_requeue(s, q->id, q->now, &q->requeued, &q->hastened);
}

/* Each id in its own transaction, reported once committed: a mistyped id does not hold back the
 * others, and what is printed is what happened. */
static int outbox_retry(store_t *s, const int64_t *ids, int nids)
{
    int rc = 0;
    for (int i = 0; i < (nids ? nids : 1); i++) {
        requeue_t q = {.id = nids ? ids[i] : 0, .now = clock_now()};
        store_status_t r = store_run_tx(s, STORE_TX_WRITE, requeue_one, &q);
        int64_t id = q.id, requeued = q.requeued, hastened = q.hastened;
        if (r != STORE_OK) {
            rc = 1;
            if (r == STORE_NOT_FOUND)
                fprintf(stderr,
                        "cobro outbox: no unsent email %lld (sent already, or no such id)\n",
                        (long long)id);
            else
                fprintf(stderr, "cobro outbox: cannot requeue %s (store status %d); try again\n",
                        id ? "this email" : "the emails", (int)r);
        } else if (!id) {
            printf("requeued %lld failed emails; %lld waiting emails are due now\n",
                   (long long)requeued, (long long)hastened);
        } else {
            printf("email %lld: %s\n", (long long)id,
                   requeued   ? "requeued (it had failed)"
                   : hastened ? "due now"
                              : "already due");
        }
    }
    return rc;
}

int cmd_outbox(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage_outbox, stdout);
            return 0;
        }
    }
    bool list = argc >= 2 && strcmp(argv[1], "list") == 0;
    bool retry = argc >= 2 && strcmp(argv[1], "retry") == 0;
    if (!list && !retry) {
        fputs(usage_outbox, stderr);
        return 2;
    }
    /* The ids come right after "retry"; then the action and the ids leave argv. */
    int64_t *ids = calloc((size_t)argc, sizeof *ids);
    if (!ids) return 1;
    int nids = 0;
    while (retry && 2 + nids < argc && argv[2 + nids][0] != '-') {
        if (!config_parse_whole(argv[2 + nids], INT64_MAX, &ids[nids])) {
            fprintf(stderr,
                    "cobro outbox retry: \"%s\": expected an email id (see cobro outbox"
                    " list)\n",
                    argv[2 + nids]);
            free(ids);
            return 2;
        }
        nids++;
    }
    memmove(&argv[1], &argv[2 + nids], (size_t)(argc - 1 - nids) * sizeof *argv);
    argc -= 1 + nids;
    bool missing = false;
    bool failed_only = cli_take_switch(&argc, argv, "--failed");
    bool all = cli_take_switch(&argc, argv, "--all");
    const char *limit_text = cli_take_option(&argc, argv, "--limit", &missing);
    int64_t limit = 100;
    const char *problem = NULL;
    if (list && (missing || (limit_text && !config_parse_whole(limit_text, 1000000, &limit))))
        problem = "--limit: expected a whole number from 1 to 1000000";
    else if (list && all)
        problem = "--all is an option of cobro outbox retry";
    else if (retry && (failed_only || limit_text || missing))
        problem = "--failed and --limit are options of cobro outbox list";
    else if (retry && (all ? nids > 0 : nids == 0))
        problem = "expected the ids of the emails to requeue, or --all";
    if (problem) {
        fprintf(stderr, "cobro outbox: %s (see cobro outbox --help)\n", problem);
        free(ids);
        return 2;
    }
    config_t cfg;
    int rc = cli_load_config(&cfg, CFG_DB, argc, argv, usage_outbox);
    if (rc < 0) {
        data_key_t key;
        store_t *s = cli_open_store(&cfg, &key);
        rc = !s ? 1 : list ? outbox_list(s, failed_only, (int)limit) : outbox_retry(s, ids, nids);
        store_close(s);
    }
    free(ids);
    return rc;
}
