/* Event signatures as Stripe makes them (Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256>). */
#include "payments/gateway.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

enum {
    MAC_BYTES = crypto_auth_hmacsha256_BYTES,
    MAC_HEX = 2 * MAC_BYTES,
    HEADER_MAX = 4096, /* Stripe's headers are ~150 bytes; anything this long is not one */
    V1_MAX = 8,        /* signatures read from one header (Stripe sends one per live secret) */
    SECRETS_MAX = 2,
};

/* HMAC-SHA256 of "<t>.<body>" keyed with secret (Stripe uses the whole "whsec_..." string). */
static void mac_of(const char *secret, int64_t t, const char *body, size_t len,
                   unsigned char mac[MAC_BYTES])
{
    crypto_auth_hmacsha256_state st;
    char prefix[32];
    int n = snprintf(prefix, sizeof prefix, "%" PRId64 ".", t);
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)prefix, (unsigned long long)n);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(&st, sizeof st);
}

void gw_sign_event(const char *secret, int64_t t, const char *body, size_t len, char *out,
                   size_t out_size)
{
    unsigned char mac[MAC_BYTES];
    char hex[MAC_HEX + 1];
    mac_of(secret, t, body, len, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(out, out_size, "t=%" PRId64 ",v1=%s", t, hex);
}

/* What a header says: its one timestamp and its v1 signatures, decoded. */
typedef struct {
    int64_t t;
    bool has_t;
    int n_v1;
    unsigned char v1[V1_MAX][MAC_BYTES];
} parsed_t;

/* A timestamp: 1 to 12 digits (year 33658 at most: no overflow, no sign, no spaces). */
static bool parse_t(const char *s, size_t n, int64_t *t)
{
    if (n == 0 || n > 12) return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *t = v;
    return true;
}

/* One "key=value" element; unknown keys (v0, later schemes) are skipped, as Stripe advises. */
static bool parse_element(const char *s, size_t n, parsed_t *p)
{
    const char *eq = memchr(s, '=', n);
    if (!eq || eq == s) return false;
    size_t klen = (size_t)(eq - s), vlen = n - klen - 1;
    const char *v = eq + 1;
    if (klen == 1 && s[0] == 't') {
        if (p->has_t) return false; /* two timestamps: which one was signed? */
        p->has_t = true;
        return parse_t(v, vlen, &p->t);
    }
    if (klen == 2 && s[0] == 'v' && s[1] == '1') {
        if (vlen != MAC_HEX || p->n_v1 == V1_MAX) return false;
        for (size_t i = 0; i < vlen; i++)
            if (!((v[i] >= '0' && v[i] <= '9') || (v[i] >= 'a' && v[i] <= 'f') ||
                  (v[i] >= 'A' && v[i] <= 'F')))
                return false;
        size_t got = 0;
        if (sodium_hex2bin(p->v1[p->n_v1], MAC_BYTES, v, vlen, NULL, &got, NULL) != 0 ||
            got != MAC_BYTES)
            return false;
        p->n_v1++;
    }
    return true;
}

static bool parse_header(const char *header, parsed_t *p)
{
    memset(p, 0, sizeof *p);
    size_t len = strnlen(header, HEADER_MAX + 1);
    if (len == 0 || len > HEADER_MAX) return false;
    const char *s = header, *end = header + len;
    while (s <= end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *stop = comma ? comma : end;
        if (!parse_element(s, (size_t)(stop - s), p)) return false;
        s = stop + 1;
    }
    return p->has_t && p->n_v1 > 0;
}

bool gw_verify_signature(const char *const *secrets, const char *header, const char *body,
                         size_t len, int64_t now, int64_t tolerance)
{
    parsed_t p;
    if (!secrets || !header || !body || tolerance < 0) return false;
    if (!parse_header(header, &p)) return false;
    int64_t age = now - p.t;
    if (age > tolerance || age < -tolerance) return false;
    /* Every comparison is made, whatever an earlier one found: the time taken says nothing of
     * which secret or which signature matched. */
    int matched = 0;
    for (int k = 0; k < SECRETS_MAX && secrets[k]; k++) {
        if (!*secrets[k]) continue;
        unsigned char mac[MAC_BYTES];
        mac_of(secrets[k], p.t, body, len, mac);
        for (int i = 0; i < p.n_v1; i++)
            matched |= sodium_memcmp(mac, p.v1[i], MAC_BYTES) == 0;
        sodium_memzero(mac, sizeof mac);
    }
    return matched != 0;
}
