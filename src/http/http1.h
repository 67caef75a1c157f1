/* HTTP/1.x request heads parsed in place: the request line and the few headers cobro reads,
 * found in one pass without copying, so that a page costs no per-header allocation. */
#ifndef COBRO_HTTP1_H
#define COBRO_HTTP1_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { HTTP1_XFF_MAX = 16 }; /* X-Forwarded-For headers kept; more: a bad request */

typedef struct {
    const char *method; /* as sent, NUL-terminated */
    const char *path;   /* the target's path ("/" when empty), NUL-terminated */
    const char *query;  /* after '?', NUL-terminated; NULL when none */
    size_t query_len;   /* its length */
    int major, minor;   /* HTTP version */
    const char *cookie; /* first of each header, NULL when absent */
    const char *accept_language, *user_agent, *content_type;
    const char *signature; /* Stripe-Signature: a payment gateway's event (docs/payments.md) */
    const char *xff[HTTP1_XFF_MAX];
    int n_xff;
    int64_t content_length; /* -1 when absent */
    bool chunked;           /* Transfer-Encoding: chunked */
    bool conn_close;        /* Connection: close */
    bool conn_keep_alive;   /* Connection: keep-alive */
    bool expect_continue;   /* Expect: 100-continue */
    size_t headers_size;    /* sum of name + value + 4 over every header (the 431 limit) */
} http1_req_t;

enum { HTTP1_MORE = 0, HTTP1_BAD = -1, HTTP1_TOO_LARGE = -2 };

/* Parses the request head at the start of buf (len bytes; buf[len] must be writable and is not
 * read). Returns the head's length (through its blank line) with out filled in and the head's
 * bytes rewritten (NULs after its strings); HTTP1_MORE when the blank line has not arrived yet
 * (nothing is written then); HTTP1_TOO_LARGE when it has not within max bytes; HTTP1_BAD for
 * a malformed head. Leading blank lines are skipped, as RFC 9112 allows. Lines may end in LF or
 * CRLF; header values lose the spaces and tabs around them. scanned (may be NULL; 0 at first)
 * keeps, between calls on the same growing head, where the search for its end stopped. */
long http1_parse(char *buf, size_t len, size_t max, size_t *scanned, http1_req_t *out);

/* Decodes a chunked body in place at buf (len bytes available). Returns the bytes of the
 * encoding consumed (trailers included) with the decoded body's length in *body_len, HTTP1_MORE
 * when it has not arrived whole, HTTP1_TOO_LARGE when the decoded body would pass max,
 * HTTP1_BAD when malformed. On HTTP1_MORE buf is left as it was. */
long http1_dechunk(char *buf, size_t len, size_t max, size_t *body_len);

#endif
