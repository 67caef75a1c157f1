/* The client's address: the socket peer, or, behind a trusted proxy, the address that proxy
 * saw, taken from X-Forwarded-For. Pure functions, no libevent. */
#ifndef COBRO_CLIENT_ADDR_H
#define COBRO_CLIENT_ADDR_H
#include <stdbool.h>
#include <stddef.h>

/* An address (prefix 32 or 128) or a CIDR range. IPv4 is kept as 4 bytes, also when it came as
 * an IPv4-mapped IPv6 address (::ffff:192.0.2.1), so that both spellings match the same rules. */
typedef struct {
    int family; /* AF_INET or AF_INET6 */
    unsigned char addr[16];
    int prefix; /* bits that must match */
} ipnet_t;

enum { CLIENT_ADDR_MAX = 46 }; /* INET6_ADDRSTRLEN: an address in its canonical text form */

/* Parses the n bytes of s as an address ("192.0.2.1", "2001:db8::1"), or, when allow_prefix,
 * also as a range ("192.0.2.0/24", "2001:db8::/32"). A range must have no bits set past its
 * prefix. Surrounding spaces are not accepted. */
bool ipnet_parse(const char *s, size_t n, bool allow_prefix, ipnet_t *out);

/* Whether addr (an address, as ipnet_parse makes it) lies in one of the n ranges. */
bool ipnet_in_any(const ipnet_t *addr, const ipnet_t *nets, int n);

/* The address to count for a request from peer (the socket's address, as text) carrying the
 * X-Forwarded-For value xff (NULL when absent; several headers joined with commas). When peer
 * is not one of the trusted ranges, peer itself: the header is ignored. Otherwise the right-most
 * address of xff that is not itself trusted; when every address is trusted (or the header is
 * absent or empty), the left-most trusted one; an entry that does not parse ends the walk at the
 * trusted address to its right, since only a client could have written it. Written to out in
 * canonical form (peer is copied as is when it is not an address). */
void client_addr_pick(const char *peer, const char *xff, const ipnet_t *trusted, int n_trusted,
                      char out[CLIENT_ADDR_MAX]);

#endif
