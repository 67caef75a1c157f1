/* The client's address behind trusted proxies: address and range parsing, X-Forwarded-For. */
#include "client_addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static bool parse_prefix(const char *s, size_t n, int max, int *out)
{
    if (n == 0 || n > 3) return false;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v > max || (n > 1 && s[0] == '0')) return false;
    *out = v;
    return true;
}

bool ipnet_parse(const char *s, size_t n, bool allow_prefix, ipnet_t *out)
{
    char text[CLIENT_ADDR_MAX];
    const char *slash = memchr(s, '/', n);
    size_t addr_len = slash ? (size_t)(slash - s) : n;
    if (slash && !allow_prefix) return false;
    if (addr_len == 0 || addr_len >= sizeof text) return false;
    memcpy(text, s, addr_len);
    text[addr_len] = '\0';
    ipnet_t net = {0};
    if (inet_pton(AF_INET, text, net.addr) == 1) {
        net.family = AF_INET;
        net.prefix = 32;
    } else if (inet_pton(AF_INET6, text, net.addr) == 1) {
        net.family = AF_INET6;
        net.prefix = 128;
    } else {
        return false;
    }
    if (slash && !parse_prefix(slash + 1, n - addr_len - 1, net.prefix, &net.prefix)) return false;
    if (net.family == AF_INET6 && memcmp(net.addr, v4_mapped, 12) == 0 && net.prefix >= 96) {
        memmove(net.addr, net.addr + 12, 4);
        memset(net.addr + 4, 0, 12);
        net.family = AF_INET;
        net.prefix -= 96;
    }
    /* "192.0.2.1/24" is refused: whoever wrote it meant a host or a range, and we cannot tell. */
    int bytes = net.family == AF_INET ? 4 : 16;
    for (int bit = net.prefix; bit < bytes * 8; bit++)
        if (net.addr[bit / 8] & (0x80 >> (bit % 8))) return false;
    *out = net;
    return true;
}

static bool in_net(const ipnet_t *a, const ipnet_t *net)
{
    if (a->family != net->family) return false;
    int full = net->prefix / 8, rest = net->prefix % 8;
    if (memcmp(a->addr, net->addr, (size_t)full) != 0) return false;
    if (rest == 0) return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a->addr[full] & mask) == (net->addr[full] & mask);
}

bool ipnet_in_any(const ipnet_t *addr, const ipnet_t *nets, int n)
{
    for (int i = 0; i < n; i++)
        if (in_net(addr, &nets[i])) return true;
    return false;
}

static void to_text(const ipnet_t *a, char out[CLIENT_ADDR_MAX])
{
    if (!inet_ntop(a->family, a->addr, out, CLIENT_ADDR_MAX)) out[0] = '\0';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

void client_addr_pick(const char *peer, const char *xff, const ipnet_t *trusted, int n_trusted,
                      char out[CLIENT_ADDR_MAX])
{
    ipnet_t hop;
    if (!peer || !ipnet_parse(peer, strlen(peer), false, &hop) ||
        !ipnet_in_any(&hop, trusted, n_trusted)) {
        snprintf(out, CLIENT_ADDR_MAX, "%s", peer ? peer : "");
        return;
    }
    /* From the right: each entry was written by the hop to its right, which is trusted. */
    const char *end = xff ? xff + strlen(xff) : NULL;
    while (end && end > xff) {
        const char *start = end;
        while (start > xff && start[-1] != ',')
            start--;
        const char *a = start, *b = end;
        while (a < b && is_space(*a))
            a++;
        while (b > a && is_space(b[-1]))
            b--;
        end = start > xff ? start - 1 : NULL;
        if (a == b) continue; /* "a, , b": an empty entry says nothing */
        ipnet_t entry;
        if (!ipnet_parse(a, (size_t)(b - a), false, &entry)) break;
        hop = entry;
        if (!ipnet_in_any(&hop, trusted, n_trusted)) break;
    }
    to_text(&hop, out);
}
