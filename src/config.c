/* Settings from command-line flags and environment variables, checked before start-up.
 *
 * Order: defaults, then the environment, then flags (flags win). Only the final value of each
 * setting is checked, so a bad COBRO_LISTEN overridden by a good --listen is not an error.
 * Environment variables of settings the subcommand does not take are ignored (the environment
 * is shared by every subcommand); flags it does not take are refused. An empty environment
 * variable counts as unset. Strings from argv and env are kept as pointers; the few derived
 * strings (default base URL, base URL without its trailing slash) are allocated on the heap and
 * kept for the whole program. */
#include "config.h"
#include "store/db.h"
#include "util/email_addr.h"
#include "util/form.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    SETTING_DB,
    SETTING_DATA_KEY,
    SETTING_LISTEN,
    SETTING_BASE_URL,
    SETTING_SMTP_URL,
    SETTING_MAIL_FROM,
    SETTING_MAIL_DIR,
    SETTING_MAIL_RETRY_BASE,
    SETTING_MAIL_RETRY_MAX,
    SETTING_THREADS,
    SETTING_WORKERS,
    SETTING_QUEUE_MAX,
    SETTING_REQUEST_TIMEOUT,
    SETTING_TRUSTED_PROXY,
    SETTING_ACCESS_LOG,
    SETTING_BILL_RUN,
    SETTING_PAYMENTS,
    SETTING_ALLOW_TEST_PAYMENTS,
    SETTING_STRIPE_KEY_FILE,
    SETTING_STRIPE_WEBHOOK_SECRET_FILE,
    SETTING_STRIPE_API_URL,
    SETTING_COUNT
};

static const struct {
    const char *flag; /* without the leading "--" */
    const char *env;
    unsigned group;
    bool takes_value;
} settings[SETTING_COUNT] = {
    [SETTING_DB] = {"db", "COBRO_DB", CFG_DB, true},
    [SETTING_DATA_KEY] = {"data-key-file", "COBRO_DATA_KEY_FILE", CFG_DB, true},
    [SETTING_LISTEN] = {"listen", "COBRO_LISTEN", CFG_LISTEN, true},
    [SETTING_BASE_URL] = {"base-url", "COBRO_BASE_URL", CFG_BASE_URL, true},
    [SETTING_SMTP_URL] = {"smtp-url", "COBRO_SMTP_URL", CFG_SMTP, true},
    [SETTING_MAIL_FROM] = {"mail-from", "COBRO_MAIL_FROM", CFG_SMTP, true},
    [SETTING_MAIL_DIR] = {"mail-dir", "COBRO_MAIL_DIR", CFG_SMTP, true},
    [SETTING_MAIL_RETRY_BASE] = {"mail-retry-base", "COBRO_MAIL_RETRY_BASE", CFG_SMTP, true},
    [SETTING_MAIL_RETRY_MAX] = {"mail-retry-max", "COBRO_MAIL_RETRY_MAX", CFG_SMTP, true},
    [SETTING_THREADS] = {"threads", "COBRO_THREADS", CFG_THREADS, true},
    [SETTING_WORKERS] = {"workers", "COBRO_WORKERS", CFG_THREADS, true},
    [SETTING_QUEUE_MAX] = {"queue-max", "COBRO_QUEUE_MAX", CFG_THREADS, true},
    [SETTING_REQUEST_TIMEOUT] = {"request-timeout", "COBRO_REQUEST_TIMEOUT", CFG_THREADS, true},
    [SETTING_TRUSTED_PROXY] = {"trusted-proxy", "COBRO_TRUSTED_PROXY", CFG_THREADS, true},
    [SETTING_ACCESS_LOG] = {"no-access-log", "COBRO_ACCESS_LOG", CFG_THREADS, false},
    [SETTING_BILL_RUN] = {"no-bill-run", "COBRO_BILL_RUN", CFG_THREADS, false},
    [SETTING_PAYMENTS] = {"payments", "COBRO_PAYMENTS", CFG_PAYMENTS, true},
    [SETTING_ALLOW_TEST_PAYMENTS] = {"allow-test-payments", "COBRO_ALLOW_TEST_PAYMENTS",
                                     CFG_PAYMENTS, false},
    [SETTING_STRIPE_KEY_FILE] = {"stripe-key-file", "COBRO_STRIPE_KEY_FILE", CFG_PAYMENTS, true},
    [SETTING_STRIPE_WEBHOOK_SECRET_FILE] = {"stripe-webhook-secret-file",
                                            "COBRO_STRIPE_WEBHOOK_SECRET_FILE", CFG_PAYMENTS, true},
    [SETTING_STRIPE_API_URL] = {"stripe-api-url", "COBRO_STRIPE_API_URL", CFG_PAYMENTS, true},
};

/* An on/off setting: absent means on; "0" (also what its --no-... flag sets) off, "1" on. */
static bool parse_switch(const char *value, bool *on)
{
    *on = !value || strcmp(value, "1") == 0;
    return !value || strcmp(value, "0") == 0 || strcmp(value, "1") == 0;
}

enum {
    MAX_COUNT = 64,
    HOST_MAX = 253,
    MAX_RETRY_S = 86400,
    MAX_QUEUE = 1000000,
    MAX_REQUEST_TIMEOUT_S = 3600,
};

#define LISTEN_REASON "expected HOST:PORT with a port from 1 to 65535"
#define LISTEN_HOST_REASON                                                                         \
    "expected HOST:PORT where HOST is an IPv4 address, localhost, a host name of at most 63 "      \
    "characters or an [IPv6] address"
#define BASE_URL_REASON                                                                            \
    "expected http://HOST[:PORT][/PATH] or https://HOST[:PORT][/PATH] without spaces, query "      \
    "or fragment"
#define SMTP_REASON "expected smtp://HOST:PORT or smtps://HOST:PORT"
#define SMTP_USER_REASON SMTP_REASON ", with USER:PASSWORD@ before HOST when a login is needed"
#define MAIL_FROM_REASON "expected \"Name <address>\" or an address such as billing@example.com"
#define COUNT_REASON "expected a whole number from 1 to 64"
#define RETRY_REASON "expected a whole number of seconds from 1 to 86400"
#define QUEUE_REASON "expected a whole number from 1 to 1000000"
#define REQUEST_TIMEOUT_REASON "expected a whole number of seconds from 1 to 3600"
#define PROXY_REASON                                                                               \
    "expected IPv4 or IPv6 addresses or CIDR ranges (192.0.2.10, 10.0.0.0/8, 2001:db8::/32), "     \
    "separated by commas"

/* ---- Derived strings: heap copies kept on a list, so they live (and stay reachable) for the
 * whole program, however many times config_load runs (tests run it often). */

struct kept {
    struct kept *next;
    char *s;
};
static struct kept *kept_head;
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *keep(char *s)
{
    if (!s) return NULL;
    struct kept *k = malloc(sizeof *k);
    if (!k) {
        free(s);
        return NULL;
    }
    k->s = s;
    pthread_mutex_lock(&kept_lock);
    k->next = kept_head;
    kept_head = k;
    pthread_mutex_unlock(&kept_lock);
    return s;
}

/* ---- Errors */

static void set_err(char *err, int err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, int err_size, const char *fmt, ...)
{
    if (!err || err_size <= 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, (size_t)err_size, fmt, ap);
    va_end(ap);
}

/* A value as shown inside an error line: control characters as '?', long values cut short. */
static void shown(const char *value, char out[100])
{
    if (!value) value = ""; /* a setting never given (a file --payments stripe needs) */
    size_t n = 0;
    for (; n < 80 && value[n]; n++) {
        unsigned char c = (unsigned char)value[n];
        out[n] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
    }
    out[n] = '\0';
    if (value[n]) strcpy(out + n, "...");
}

/* An SMTP URL as shown inside an error line: its password, if any, as "***". */
static void shown_smtp(const char *value, char out[100])
{
    const char *scheme = strstr(value, "://");
    const char *at = scheme ? strrchr(scheme + 3, '@') : NULL;
    const char *colon = at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
    if (!colon) {
        shown(value, out);
        return;
    }
    char masked[100];
    snprintf(masked, sizeof masked, "%.*s:***%.60s", (int)(colon - value < 30 ? colon - value : 30),
             value, at);
    shown(masked, out);
}

/* ---- Syntax helpers */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

/* A port of 1 to 5 digits, 1..65535; -1 otherwise. */
static int parse_port(const char *s, size_t n)
{
    if (n == 0 || n > 5) return -1;
    int port = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i])) return -1;
        port = port * 10 + (s[i] - '0');
    }
    return port >= 1 && port <= 65535 ? port : -1;
}

static bool label_ok(const char *s, size_t n)
{
    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-') return false;
    for (size_t i = 0; i < n; i++)
        if (!is_alnum(s[i]) && s[i] != '-') return false;
    return true;
}

/* Dot-separated labels ("localhost", "mail.example.com"). */
static bool hostname_ok(const char *s, size_t n)
{
    if (n == 0 || n > HOST_MAX) return false;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (!label_ok(s + start, i - start)) return false;
            start = i + 1;
        }
    }
    return true;
}

typedef enum { HP_OK, HP_BAD_HOST, HP_BAD_PORT, HP_NO_PORT } host_port_t;

/* Splits s (n bytes) into a host (an IPv4 literal, a host name, or an IPv6 literal in
 * brackets, written to host without them) and an optional port (0 when absent). */
static host_port_t split_host_port(const char *s, size_t n, char host[HOST_MAX + 1], int *port)
{
    const char *host_start, *rest;
    size_t host_len;
    bool v6 = n > 0 && s[0] == '[';
    if (v6) {
        const char *close = memchr(s, ']', n);
        if (!close) return HP_BAD_HOST;
        host_start = s + 1;
        host_len = (size_t)(close - host_start);
        rest = close + 1;
    } else {
        const char *colon = memrchr(s, ':', n);
        host_start = s;
        host_len = colon ? (size_t)(colon - s) : n;
        rest = s + host_len;
    }
    size_t rest_len = (size_t)(s + n - rest);
    if (host_len == 0 || host_len > HOST_MAX) return HP_BAD_HOST;
    memcpy(host, host_start, host_len);
    host[host_len] = '\0';

    if (v6) {
        unsigned char addr[16];
        if (inet_pton(AF_INET6, host, addr) != 1) return HP_BAD_HOST;
    } else {
        bool numeric = true;
        for (size_t i = 0; i < host_len; i++)
            if (!is_digit(host[i]) && host[i] != '.') numeric = false;
        unsigned char addr[4];
        if (numeric ? inet_pton(AF_INET, host, addr) != 1 : !hostname_ok(host, host_len))
            return HP_BAD_HOST;
    }

    *port = 0;
    if (rest_len == 0) return HP_NO_PORT;
    if (rest[0] != ':') return HP_BAD_HOST;
    *port = parse_port(rest + 1, rest_len - 1);
    return *port > 0 ? HP_OK : HP_BAD_PORT;
}

/* ---- Public checks */

bool config_parse_listen(const char *listen, char host[64], int *port, char *err, int err_size)
{
    if (!listen || !*listen) {
        set_err(err, err_size, LISTEN_REASON);
        return false;
    }
    char h[HOST_MAX + 1];
    int p = 0;
    host_port_t r = split_host_port(listen, strlen(listen), h, &p);
    if (r == HP_OK && strlen(h) > 63) r = HP_BAD_HOST;
    if (r == HP_BAD_HOST && !strchr(listen, ':')) r = HP_NO_PORT; /* "abc": say what is missing */
    if (r != HP_OK) {
        set_err(err, err_size, r == HP_BAD_HOST ? LISTEN_HOST_REASON : LISTEN_REASON);
        return false;
    }
    if (host) strcpy(host, h);
    if (port) *port = p;
    return true;
}

bool config_check_base_url(const char *url, char *err, int err_size)
{
    const char *rest;
    if (url && strncmp(url, "http://", 7) == 0)
        rest = url + 7;
    else if (url && strncmp(url, "https://", 8) == 0)
        rest = url + 8;
    else {
        set_err(err, err_size, BASE_URL_REASON);
        return false;
    }
    size_t auth_len = strcspn(rest, "/?#");
    for (size_t i = 0; i < auth_len; i++) {
        if (rest[i] == '@') {
            set_err(err, err_size, BASE_URL_REASON " (and no USER@)");
            return false;
        }
    }
    char host[HOST_MAX + 1];
    int port;
    host_port_t r = split_host_port(rest, auth_len, host, &port);
    if (r != HP_OK && r != HP_NO_PORT) {
        set_err(err, err_size,
                r == HP_BAD_PORT ? BASE_URL_REASON ", with a port from 1 to 65535"
                                 : BASE_URL_REASON);
        return false;
    }
    /* The path: RFC 3986 path characters only (no space, query, fragment or raw non-ASCII). */
    for (const char *p = rest + auth_len; *p; p++) {
        char c = *p;
        if (c == '%') {
            if (!is_hex(p[1]) || !is_hex(p[2])) {
                set_err(err, err_size, BASE_URL_REASON ", and %% followed by two hex digits");
                return false;
            }
            p += 2;
        } else if (!is_alnum(c) && !strchr("-._~!$&'()*+,;=:@/", c)) {
            set_err(err, err_size, BASE_URL_REASON);
            return false;
        }
    }
    return true;
}

bool config_check_smtp_url(const char *url, char *err, int err_size)
{
    const char *rest;
    if (url && strncmp(url, "smtp://", 7) == 0)
        rest = url + 7;
    else if (url && strncmp(url, "smtps://", 8) == 0)
        rest = url + 8;
    else {
        set_err(err, err_size, SMTP_REASON);
        return false;
    }
    /* No path, query, fragment, space, control or non-ASCII character anywhere. */
    for (const char *p = rest; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c >= 0x7F || c == '/' || c == '?' || c == '#') {
            set_err(err, err_size, SMTP_REASON);
            return false;
        }
    }
    const char *at = strrchr(rest, '@');
    if (at) {
        const char *colon = memchr(rest, ':', (size_t)(at - rest));
        if (!colon || colon == rest || memchr(rest, '@', (size_t)(at - rest))) {
            set_err(err, err_size, SMTP_USER_REASON);
            return false;
        }
        rest = at + 1;
    }
    char host[HOST_MAX + 1];
    int port;
    host_port_t r = split_host_port(rest, strlen(rest), host, &port);
    if (r != HP_OK && r != HP_NO_PORT) {
        set_err(err, err_size,
                r == HP_BAD_PORT ? SMTP_REASON " with a port from 1 to 65535" : SMTP_REASON);
        return false;
    }
    return true;
}

/* RFC 5322 dot-atom, as email_valid checks the local part. */
static bool local_part_ok(const char *s, size_t n)
{
    if (n == 0 || s[0] == '.' || s[n - 1] == '.') return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (s[i + 1] == '.') return false;
        } else if (!is_alnum(c) && !strchr("!#$%&'*+-/=?^_`{|}~", c)) {
            return false;
        }
    }
    return true;
}

/* An address for From: email_valid, or also a domain of one label without a dot
 * (billing@localhost, the default), since a local test server accepts such a sender. */
static bool from_addr_ok(const char *s, size_t n)
{
    char a[EMAIL_MAX + 1];
    if (n == 0 || n > EMAIL_MAX) return false;
    memcpy(a, s, n);
    a[n] = '\0';
    if (email_valid(a)) return true;
    const char *at = strchr(a, '@');
    if (!at || strchr(at + 1, '@') || strchr(at + 1, '.')) return false;
    return local_part_ok(a, (size_t)(at - a)) && label_ok(at + 1, strlen(at + 1));
}

bool config_check_mail_from(const char *from, char *err, int err_size)
{
    if (!from || !*from) {
        set_err(err, err_size, MAIL_FROM_REASON);
        return false;
    }
    size_t n = strlen(from);
    bool ok;
    const char *lt = strchr(from, '<');
    if (!lt) {
        ok = from_addr_ok(from, n);
    } else {
        /* "Name <addr>": the name may be empty or quoted, but holds no control characters
         * (a CR LF would start a new header) and no other angle brackets. */
        const char *gt = strchr(lt, '>');
        ok = gt && gt[1] == '\0' && from_addr_ok(lt + 1, (size_t)(gt - lt - 1)) && n <= 998;
        for (const char *p = from; ok && p < lt; p++) {
            unsigned char c = (unsigned char)*p;
            if (c < 0x20 || c == 0x7F || c == '>') ok = false;
        }
        /* The name must be valid UTF-8 (it is encoded for the header as such). */
        if (ok && !utf8_valid(from, (size_t)(lt - from))) ok = false;
    }
    if (!ok) set_err(err, err_size, MAIL_FROM_REASON);
    return ok;
}

/* ---- Loading */

bool config_parse_whole(const char *s, int64_t max, int64_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 18) return false; /* 18 digits always fit in int64 */
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i])) return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1 || v > max) return false;
    *out = v;
    return true;
}

bool config_parse_proxies(const char *list, ipnet_t *nets, int *n, char *err, int err_size)
{
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        /* Spaces around the commas are allowed ("10.0.0.1, 10.0.0.2"). */
        size_t from = 0, to = len;
        while (from < to && p[from] == ' ')
            from++;
        while (to > from && p[to - 1] == ' ')
            to--;
        ipnet_t net;
        if (!ipnet_parse(p + from, to - from, true, &net)) {
            set_err(err, err_size, PROXY_REASON);
            return false;
        }
        if (*n >= CONFIG_PROXIES_MAX) {
            set_err(err, err_size, "at most %d trusted proxies", CONFIG_PROXIES_MAX);
            return false;
        }
        nets[(*n)++] = net;
        if (!p[len]) return true;
        p += len + 1;
    }
}

/* config_parse_whole for the int settings. */
static bool parse_whole(const char *s, int max, int *out)
{
    int64_t v = 0;
    if (!config_parse_whole(s, max, &v)) return false;
    *out = (int)v;
    return true;
}

static bool parse_count(const char *s, int *out)
{
    return strlen(s) <= 2 && parse_whole(s, MAX_COUNT, out);
}

static const char *env_get(char *const *env, const char *name)
{
    if (!env) return NULL;
    size_t n = strlen(name);
    for (char *const *e = env; *e; e++)
        if (strncmp(*e, name, n) == 0 && (*e)[n] == '=') return *e + n + 1;
    return NULL;
}

static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1) return 1;
    return n > MAX_COUNT ? MAX_COUNT : (int)n;
}

/* The payment settings (docs/payments.md): the sandbox takes no real money, so a public (https)
 * server refuses it unless told; Stripe needs its key and webhook secret files, read at start-up
 * (never from the command line). On false, *bad names the setting and reason says why. */
static bool check_payments(config_t *cfg, const char *const value[SETTING_COUNT], char *reason,
                           int reason_size, int *bad)
{
    const char *mode = value[SETTING_PAYMENTS];
    cfg->stripe_api_url = value[SETTING_STRIPE_API_URL];
    cfg->stripe_key_file = value[SETTING_STRIPE_KEY_FILE];
    cfg->stripe_webhook_secret_file = value[SETTING_STRIPE_WEBHOOK_SECRET_FILE];
    /* Off unless given: parse_switch reads an absent switch as on. */
    const char *allow = value[SETTING_ALLOW_TEST_PAYMENTS];
    *bad = SETTING_ALLOW_TEST_PAYMENTS;
    if (allow && !parse_switch(allow, &cfg->allow_test_payments)) {
        snprintf(reason, (size_t)reason_size, "expected 0 (off) or 1 (on)");
        return false;
    }
    if (!allow) cfg->allow_test_payments = false;
    *bad = SETTING_PAYMENTS;
    if (strcmp(mode, "sandbox") == 0) {
        cfg->payments = PAYMENTS_SANDBOX;
        if (cfg->secure_cookies && !cfg->allow_test_payments) {
            snprintf(reason, (size_t)reason_size,
                     "the sandbox (the default) takes no real money: a server at an https "
                     "address needs --payments stripe (or off), or --allow-test-payments to run "
                     "the sandbox");
            return false;
        }
    } else if (strcmp(mode, "stripe") == 0) {
        cfg->payments = PAYMENTS_STRIPE;
        if (!cfg->stripe_key_file || !*cfg->stripe_key_file) {
            *bad = SETTING_STRIPE_KEY_FILE;
            snprintf(reason, (size_t)reason_size,
                     "--payments stripe needs --stripe-key-file: the path of the file that "
                     "holds the Stripe secret key");
            return false;
        }
        if (!cfg->stripe_webhook_secret_file || !*cfg->stripe_webhook_secret_file) {
            *bad = SETTING_STRIPE_WEBHOOK_SECRET_FILE;
            snprintf(reason, (size_t)reason_size,
                     "--payments stripe needs --stripe-webhook-secret-file: the path of the "
                     "file that holds the webhook signing secret (two lines while one is "
                     "rotated)");
            return false;
        }
        if (!config_check_base_url(cfg->stripe_api_url, reason, reason_size)) {
            *bad = SETTING_STRIPE_API_URL;
            return false;
        }
    } else if (strcmp(mode, "off") == 0) {
        cfg->payments = PAYMENTS_OFF;
    } else {
        snprintf(reason, (size_t)reason_size, "expected sandbox, stripe or off");
        return false;
    }
    return true;
}

config_status_t config_load(config_t *cfg, unsigned accepted, int argc, char **argv,
                            char *const *env, char *err, int err_size)
{
    const char *subcommand = argc > 0 && argv[0] ? argv[0] : "cobro";
    char show[100];
    if (err && err_size > 0) err[0] = '\0';

    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return CONFIG_HELP;

    const char *value[SETTING_COUNT] = {
        [SETTING_DB] = "var/cobro.db",
        [SETTING_LISTEN] = "127.0.0.1:8080",
        [SETTING_MAIL_FROM] = "cobro <billing@localhost>",
        [SETTING_MAIL_DIR] = "var/mail",
        [SETTING_PAYMENTS] = "sandbox",
        [SETTING_STRIPE_API_URL] = "https://api.stripe.com",
    };
    char source[SETTING_COUNT][32] = {{0}}; /* where a value came from, for error lines */
    /* --trusted-proxy may be given again and again: every value counts (the flags replace the
     * environment variable, as other flags do). */
    const char *proxy_flags[CONFIG_PROXIES_MAX];
    int n_proxy_flags = 0;

    for (int s = 0; s < SETTING_COUNT; s++) {
        if (!(settings[s].group & accepted)) continue;
        const char *v = env_get(env, settings[s].env);
        if (v && *v) {
            value[s] = v;
            snprintf(source[s], sizeof source[s], "%s", settings[s].env);
        }
    }

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
            shown(arg, show);
            set_err(err, err_size, "unexpected argument \"%s\": cobro %s takes only --flags", show,
                    subcommand);
            return CONFIG_ERROR;
        }
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        int s = 0;
        while (s < SETTING_COUNT && !(strlen(settings[s].flag) == name_len &&
                                      strncmp(settings[s].flag, name, name_len) == 0))
            s++;
        if (s == SETTING_COUNT) {
            char flag[100];
            shown(arg, flag);
            if (eq && (size_t)(eq - arg) < 80) flag[eq - arg] = '\0';
            set_err(err, err_size, "unknown option %s (see cobro %s --help)", flag, subcommand);
            return CONFIG_ERROR;
        }
        if (!(settings[s].group & accepted)) {
            set_err(err, err_size, "--%s is not an option of cobro %s (see cobro %s --help)",
                    settings[s].flag, subcommand, subcommand);
            return CONFIG_ERROR;
        }
        snprintf(source[s], sizeof source[s], "--%s", settings[s].flag);
        if (!settings[s].takes_value) {
            if (eq) {
                set_err(err, err_size, "--%s takes no value", settings[s].flag);
                return CONFIG_ERROR;
            }
            /* A --no-... flag turns its switch off; any other (--allow-test-payments) on. */
            value[s] = strncmp(settings[s].flag, "no-", 3) == 0 ? "0" : "1";
            continue;
        }
        if (eq) {
            value[s] = eq + 1;
        } else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0) {
            value[s] = argv[++i];
        } else {
            set_err(err, err_size, "--%s: missing value", settings[s].flag);
            return CONFIG_ERROR;
        }
        if (s == SETTING_TRUSTED_PROXY) {
            if (n_proxy_flags == CONFIG_PROXIES_MAX) {
                set_err(err, err_size, "--trusted-proxy: at most %d trusted proxies",
                        CONFIG_PROXIES_MAX);
                return CONFIG_ERROR;
            }
            proxy_flags[n_proxy_flags++] = value[s];
        }
    }

    /* Check the final values, in a fixed order, and fill cfg. */
    memset(cfg, 0, sizeof *cfg);
    char reason[300];
#define FAIL(s, why)                                                                               \
    do {                                                                                           \
        if (s == SETTING_SMTP_URL)                                                                 \
            shown_smtp(value[s], show);                                                            \
        else                                                                                       \
            shown(value[s], show);                                                                 \
        set_err(err, err_size, "%s \"%s\": %s", source[s][0] ? source[s] : settings[s].env, show,  \
                why);                                                                              \
        return CONFIG_ERROR;                                                                       \
    } while (0)

    if (!*value[SETTING_DB])
        FAIL(SETTING_DB,
             "expected the path of the database file or a PostgreSQL connection string");
    cfg->db_path = value[SETTING_DB];
    if (value[SETTING_DATA_KEY] && !*value[SETTING_DATA_KEY])
        FAIL(SETTING_DATA_KEY, "expected the path of the data key file");
    /* The key lives beside a SQLite file by default; a PostgreSQL database has no folder of
     * its own, and every node of it needs the same key: its file must be named (a command
     * that opens the key says so; those that never read sealed values run without one). */
    if (value[SETTING_DATA_KEY]) {
        cfg->data_key_path = value[SETTING_DATA_KEY];
    } else if (db_target_is_postgresql(cfg->db_path)) {
        cfg->data_key_path = NULL;
    } else {
        char *path = malloc(strlen(cfg->db_path) + 5);
        if (path) sprintf(path, "%s.key", cfg->db_path);
        cfg->data_key_path = keep(path);
        if (!cfg->data_key_path) {
            set_err(err, err_size, "out of memory");
            return CONFIG_ERROR;
        }
    }

    if (!config_parse_listen(value[SETTING_LISTEN], cfg->host, &cfg->port, reason, sizeof reason))
        FAIL(SETTING_LISTEN, reason);
    cfg->listen = value[SETTING_LISTEN];

    if (value[SETTING_BASE_URL]) {
        if (!config_check_base_url(value[SETTING_BASE_URL], reason, sizeof reason))
            FAIL(SETTING_BASE_URL, reason);
        const char *url = value[SETTING_BASE_URL];
        size_t n = strlen(url);
        if (url[n - 1] == '/') {
            while (url[n - 1] == '/')
                n--; /* stops at the "//" of the scheme at the latest */
            url = keep(strndup(url, n));
            if (!url) {
                set_err(err, err_size, "out of memory");
                return CONFIG_ERROR;
            }
        }
        cfg->base_url = url;
    } else {
        char *url = malloc(strlen(cfg->listen) + 8);
        if (url) sprintf(url, "http://%s", cfg->listen);
        cfg->base_url = keep(url);
        if (!cfg->base_url) {
            set_err(err, err_size, "out of memory");
            return CONFIG_ERROR;
        }
    }
    cfg->secure_cookies = strncmp(cfg->base_url, "https://", 8) == 0;

    if (value[SETTING_SMTP_URL] &&
        !config_check_smtp_url(value[SETTING_SMTP_URL], reason, sizeof reason))
        FAIL(SETTING_SMTP_URL, reason);
    cfg->smtp_url = value[SETTING_SMTP_URL];

    if (!config_check_mail_from(value[SETTING_MAIL_FROM], reason, sizeof reason))
        FAIL(SETTING_MAIL_FROM, reason);
    cfg->mail_from = value[SETTING_MAIL_FROM];

    if (!*value[SETTING_MAIL_DIR]) FAIL(SETTING_MAIL_DIR, "expected the path of a directory");
    cfg->mail_dir = value[SETTING_MAIL_DIR];
    if (value[SETTING_MAIL_RETRY_BASE] &&
        !parse_whole(value[SETTING_MAIL_RETRY_BASE], MAX_RETRY_S, &cfg->mail_retry_base))
        FAIL(SETTING_MAIL_RETRY_BASE, RETRY_REASON);
    if (value[SETTING_MAIL_RETRY_MAX] &&
        !parse_whole(value[SETTING_MAIL_RETRY_MAX], MAX_RETRY_S, &cfg->mail_retry_max))
        FAIL(SETTING_MAIL_RETRY_MAX, RETRY_REASON);

    cfg->threads = default_threads();
    if (value[SETTING_THREADS] && !parse_count(value[SETTING_THREADS], &cfg->threads))
        FAIL(SETTING_THREADS, COUNT_REASON);
    cfg->workers = 4;
    if (value[SETTING_WORKERS] && !parse_count(value[SETTING_WORKERS], &cfg->workers))
        FAIL(SETTING_WORKERS, COUNT_REASON);

    cfg->queue_max = 1024;
    if (value[SETTING_QUEUE_MAX] &&
        !parse_whole(value[SETTING_QUEUE_MAX], MAX_QUEUE, &cfg->queue_max))
        FAIL(SETTING_QUEUE_MAX, QUEUE_REASON);
    cfg->request_timeout = 10;
    if (value[SETTING_REQUEST_TIMEOUT] &&
        !parse_whole(value[SETTING_REQUEST_TIMEOUT], MAX_REQUEST_TIMEOUT_S, &cfg->request_timeout))
        FAIL(SETTING_REQUEST_TIMEOUT, REQUEST_TIMEOUT_REASON);
    if (n_proxy_flags == 0 && value[SETTING_TRUSTED_PROXY])
        proxy_flags[n_proxy_flags++] = value[SETTING_TRUSTED_PROXY];
    for (int i = 0; i < n_proxy_flags; i++) {
        value[SETTING_TRUSTED_PROXY] = proxy_flags[i]; /* the one an error line shows */
        if (!config_parse_proxies(proxy_flags[i], cfg->trusted_proxies, &cfg->n_trusted_proxies,
                                  reason, sizeof reason))
            FAIL(SETTING_TRUSTED_PROXY, reason);
    }

    if (!parse_switch(value[SETTING_ACCESS_LOG], &cfg->access_log))
        FAIL(SETTING_ACCESS_LOG, "expected 0 (off) or 1 (on)");
    if (!parse_switch(value[SETTING_BILL_RUN], &cfg->bill_run))
        FAIL(SETTING_BILL_RUN, "expected 0 (off) or 1 (on)");

    int bad = 0;
    if ((accepted & CFG_PAYMENTS) && !check_payments(cfg, value, reason, sizeof reason, &bad))
        FAIL(bad, reason);
#undef FAIL
    return CONFIG_OK;
}
