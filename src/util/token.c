/* Random secret tokens, their stored digests, and keyed MACs (libsodium). */
#include "token.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

bool token_init(void)
{
    return sodium_init() >= 0;
}

/* The base64url character for a 6-bit value, computed without a table or a branch (as libsodium
 * does), so that a secret's bytes leave no trace in the cache or the branch predictor. */
static char b64_char(unsigned v)
{
    int x = (int)v, c = 'A' + x;
    c += ((25 - x) >> 8) & 6;  /* 26..51: 'a'.. */
    c -= ((51 - x) >> 8) & 75; /* 52..61: '0'.. */
    c -= ((61 - x) >> 8) & 13; /* 62: '-' */
    c += ((62 - x) >> 8) & 49; /* 63: '_' */
    return (char)c;
}

/* base64url without padding (RFC 4648 §5), exactly as sodium_bin2base64's URLSAFE_NO_PADDING
 * writes it, but without its general-purpose set-up, which cost a fifth of a page's CSRF token. */
static void encode(const unsigned char *bin, size_t n, char out[TOKEN_CHARS + 1])
{
    size_t i = 0, o = 0;
    for (; i + 3 <= n && o + 4 <= TOKEN_CHARS; i += 3) {
        uint32_t v = (uint32_t)bin[i] << 16 | (uint32_t)bin[i + 1] << 8 | bin[i + 2];
        out[o++] = b64_char(v >> 18);
        out[o++] = b64_char((v >> 12) & 63);
        out[o++] = b64_char((v >> 6) & 63);
        out[o++] = b64_char(v & 63);
    }
    if (i < n && o + 2 <= TOKEN_CHARS) { /* one or two bytes left: two or three characters */
        uint32_t v = (uint32_t)bin[i] << 16 | (i + 1 < n ? (uint32_t)bin[i + 1] << 8 : 0);
        out[o++] = b64_char(v >> 18);
        out[o++] = b64_char((v >> 12) & 63);
        if (i + 1 < n && o < TOKEN_CHARS) out[o++] = b64_char((v >> 6) & 63);
    }
    out[o] = '\0';
}

void token_new(char out[TOKEN_CHARS + 1])
{
    unsigned char bin[32];
    randombytes_buf(bin, sizeof bin);
    encode(bin, sizeof bin, out);
    sodium_memzero(bin, sizeof bin);
}

/* Results of token_digest and token_mac already worked out on this thread. Both are pure
 * functions of their inputs (and of the key, for a MAC), and a client sends the same session
 * cookie with each request: its digest and its CSRF MAC are asked for again and again. The input
 * is compared whole and in constant time, so a probe that is almost someone else's token learns
 * nothing; only what a request just handed in is kept, nothing the database says about it. */
enum { MEMO_SLOTS = 16, MEMO_IN = 64, MEMO_OUT = DIGEST_CHARS + 1 };
typedef struct {
    uint64_t in[MEMO_IN / 8]; /* the input, zero-padded */
    uint64_t key_gen;         /* token_mac: the kept key's generation; 0 for token_digest */
    bool used;
    char out[MEMO_OUT];
} memo_t;
static __thread memo_t digest_memo[MEMO_SLOTS], mac_memo[MEMO_SLOTS];

/* s zero-padded into in; false when it is too long to keep. */
static bool memo_input(const char *s, uint64_t in[MEMO_IN / 8])
{
    size_t n = strnlen(s, MEMO_IN);
    if (n == MEMO_IN) return false;
    memset(in, 0, MEMO_IN);
    memcpy(in, s, n);
    return true;
}

/* The input's slot, from all its bytes (a token's are random). */
static memo_t *memo_slot(memo_t *memo, const uint64_t in[MEMO_IN / 8])
{
    uint64_t h = 0;
    for (int i = 0; i < MEMO_IN / 8; i++)
        h ^= in[i];
    h *= 0x9E3779B97F4A7C15ull;
    return &memo[h >> 60];
}

/* Every word compared, whatever the first difference: the time taken says nothing of where. */
static bool memo_same(const memo_t *m, const uint64_t in[MEMO_IN / 8], uint64_t key_gen)
{
    uint64_t diff = m->key_gen ^ key_gen;
    for (int i = 0; i < MEMO_IN / 8; i++)
        diff |= m->in[i] ^ in[i];
    return m->used && diff == 0;
}

static void memo_keep(memo_t *m, const uint64_t in[MEMO_IN / 8], uint64_t key_gen, const char *out)
{
    memcpy(m->in, in, MEMO_IN);
    m->key_gen = key_gen;
    m->used = true;
    snprintf(m->out, sizeof m->out, "%s", out);
}

void token_digest(const char *s, char out[DIGEST_CHARS + 1])
{
    uint64_t in[MEMO_IN / 8];
    memo_t *m = memo_input(s, in) ? memo_slot(digest_memo, in) : NULL;
    if (m && memo_same(m, in, 0)) {
        memcpy(out, m->out, DIGEST_CHARS + 1);
        return;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
    sodium_bin2hex(out, DIGEST_CHARS + 1, h, sizeof h);
    if (m) memo_keep(m, in, 0, out);
}

/* HMAC's keyed start (the key's inner and outer pad blocks hashed) depends on the key alone: each
 * thread keeps it for the last key it used, so a page's CSRF token costs the message's hashing
 * only. The key is compared whole, so another key never uses a state it did not make. */
enum { KEY_KEPT_MAX = 128 };
static __thread struct {
    char key[KEY_KEPT_MAX + 1];
    crypto_auth_hmacsha256_state start;
    uint64_t gen; /* bumped at each new key: a remembered MAC is only for the key it was made by */
} kept;

void token_mac(const char *key, const char *msg, char out[TOKEN_CHARS + 1])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    size_t key_len = strlen(key);
    bool kept_key = key_len > 0 && key_len <= KEY_KEPT_MAX;
    if (kept_key && kept.gen && strcmp(kept.key, key) == 0) {
        st = kept.start;
    } else {
        crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, key_len);
        if (kept_key) {
            memcpy(kept.key, key, key_len + 1);
            kept.start = st;
            kept.gen++;
        }
    }
    uint64_t in[MEMO_IN / 8];
    memo_t *m = kept_key && memo_input(msg, in) ? memo_slot(mac_memo, in) : NULL;
    if (m && memo_same(m, in, kept.gen)) {
        memcpy(out, m->out, TOKEN_CHARS + 1);
        return;
    }
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, strlen(msg));
    crypto_auth_hmacsha256_final(&st, mac);
    encode(mac, sizeof mac, out);
    if (m) memo_keep(m, in, kept.gen, out);
}

bool token_equal(const char *a, const char *b)
{
    if (!a || !b) return false;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb) return false;
    return sodium_memcmp(a, b, la) == 0;
}

/* base64url's alphabet, for token_well_formed: a look-up a byte instead of five ranges (every
 * signed-in request checks its cookie). */
static const bool token_char[256] = {
    ['-'] = true, ['_'] = true, ['0'] = true, ['1'] = true, ['2'] = true, ['3'] = true,
    ['4'] = true, ['5'] = true, ['6'] = true, ['7'] = true, ['8'] = true, ['9'] = true,
    ['A'] = true, ['B'] = true, ['C'] = true, ['D'] = true, ['E'] = true, ['F'] = true,
    ['G'] = true, ['H'] = true, ['I'] = true, ['J'] = true, ['K'] = true, ['L'] = true,
    ['M'] = true, ['N'] = true, ['O'] = true, ['P'] = true, ['Q'] = true, ['R'] = true,
    ['S'] = true, ['T'] = true, ['U'] = true, ['V'] = true, ['W'] = true, ['X'] = true,
    ['Y'] = true, ['Z'] = true, ['a'] = true, ['b'] = true, ['c'] = true, ['d'] = true,
    ['e'] = true, ['f'] = true, ['g'] = true, ['h'] = true, ['i'] = true, ['j'] = true,
    ['k'] = true, ['l'] = true, ['m'] = true, ['n'] = true, ['o'] = true, ['p'] = true,
    ['q'] = true, ['r'] = true, ['s'] = true, ['t'] = true, ['u'] = true, ['v'] = true,
    ['w'] = true, ['x'] = true, ['y'] = true, ['z'] = true,
};

bool token_well_formed(const char *s)
{
    if (!s) return false;
    size_t n = 0;
    while (token_char[(unsigned char)s[n]])
        n++;
    return n == TOKEN_CHARS && s[n] == '\0';
}
