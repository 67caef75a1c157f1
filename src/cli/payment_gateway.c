/* The payment gateway `cobro serve` runs with (--payments): the sandbox, keyed from the server
 * secret and posting its events to this node, or Stripe with its secrets read from files. */
#include "cli/cli.h"
#include "payments/gateway.h"
#include "util/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* This node's own event endpoint: the listening address, with a wildcard host read as the
 * loopback. */
static void own_event_url(const config_t *cfg, char *out, size_t n)
{
    const char *host = cfg->host;
    if (!*host || strcmp(host, "0.0.0.0") == 0) host = "127.0.0.1";
    if (strcmp(host, "::") == 0) host = "::1";
    bool v6 = strchr(host, ':') != NULL;
    snprintf(out, n, "http://%s%s%s:%d/payments/events", v6 ? "[" : "", host, v6 ? "]" : "",
             cfg->port);
}

/* The sandbox's signing secret: derived from the server secret, so every node shares it. */
static void sandbox_secret(const char *server_secret, char out[65])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    static const char label[] = "cobro sandbox events";
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)server_secret, strlen(server_secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, sizeof label - 1);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(out, 65, mac, sizeof mac);
}

/* The first lines (at most max) of a small secret file, trimmed; false when unreadable. */
static bool read_lines(const char *path, char lines[][256], int max, int *n)
{
    FILE *f = fopen(path, "r");
    if (!f) return false;
    *n = 0;
    char line[256];
    while (*n < max && fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");
        line[len] = '\0';
        while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
            line[--len] = '\0';
        if (len) snprintf(lines[(*n)++], 256, "%s", line);
    }
    fclose(f);
    return *n > 0;
}

gateway_t *cli_payment_gateway(const config_t *cfg, const char *server_secret)
{
    char err[GW_ERR_MAX] = "";
    gateway_t *gw = NULL;
    if (cfg->payments == PAYMENTS_OFF) return NULL;
    if (cfg->payments == PAYMENTS_SANDBOX) {
        char url[300], secret[65];
        own_event_url(cfg, url, sizeof url);
        sandbox_secret(server_secret, secret);
        gw = gateway_sandbox_new(cfg->base_url, url, secret, err);
        sodium_memzero(secret, sizeof secret);
        if (gw) log_info("payments: the sandbox (test mode, no real money)");
    } else {
        char key[1][256], hooks[2][256];
        int nk = 0, nh = 0;
        if (!read_lines(cfg->stripe_key_file, key, 1, &nk)) {
            fprintf(stderr, "cobro: cannot read the Stripe key file %s\n", cfg->stripe_key_file);
            return NULL;
        }
        if (!read_lines(cfg->stripe_webhook_secret_file, hooks, 2, &nh)) {
            fprintf(stderr, "cobro: cannot read the webhook secret file %s\n",
                    cfg->stripe_webhook_secret_file);
            return NULL;
        }
        const char *secrets[2] = {hooks[0], nh > 1 ? hooks[1] : NULL};
        gw = gateway_stripe_new(cfg->stripe_api_url, key[0], secrets, err);
        sodium_memzero(key, sizeof key);
        sodium_memzero(hooks, sizeof hooks);
        if (gw) log_info("payments: Stripe at %s", cfg->stripe_api_url);
    }
    if (!gw) fprintf(stderr, "cobro: cannot start the payment gateway: %s\n", err);
    return gw;
}
