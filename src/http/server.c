/* The HTTP server: HTTP/1.x answered by cobro itself over non-blocking sockets, one libevent
 * loop per core sharing one listening socket; blocking routes go to the worker pool and come back
 * to their loop to be answered. A request costs one read and one write: no per-request objects,
 * header lists or event changes, as libevent's evhttp made (see docs/performance.md). */
#include "server.h"
#include "store/store.h"
#include "client_addr.h"
#include "http1.h"
#include "pool.h"
#include "router.h"
#include "session.h"
#include "util/clock.h"
#include "util/log.h"
#include "web/pages.h"
#include "workers/mailer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

struct pending;
struct conn;

enum {
    ATTEMPTS_KEPT_SECONDS = 24 * 3600,
    IN_START = 8 * 1024, /* a connection's first input buffer: any ordinary request fits */
    /* The most a connection buffers: the largest head and body libevent accepted, and room for
     * a chunked body's framing. */
    IN_MAX = HARD_HEADERS_MAX + UPLOAD_BODY_MAX + 64 * 1024, /* an upload route's body */
    ACCEPTS_PER_WAKE = 32,
};

struct loop {
    struct server *srv;
    struct event_base *base;
    struct event *accept_ev;
    struct conn *conns; /* every open connection, to close them when stopping */
    store_t *store;
    services_t *svc; /* over store, for the requests of this loop */
    pthread_t thread;
    pthread_mutex_t mu;
    struct pending *done; /* answered on a worker, waiting to be sent from this loop */
    struct event *done_ev;
    /* Connections another loop accepted for this one (under mu), and how many this loop has,
     * those included: each accepted connection goes to the loop with the fewest. */
    struct incoming *incoming;
    struct event *incoming_ev;
    atomic_int n_conns;
};

struct incoming {
    struct incoming *next;
    int fd;
    socklen_t len;
    struct sockaddr_storage addr;
};

struct server {
    app_t *app;
    pool_t *pool;
    struct loop *loops;
    int n_loops;
    int fd;
    struct event *sigterm, *sigint, *purge;
};

/* One client connection. Its state, in turn: waiting for a request (the whole-request deadline
 * runs from wait_start), a request with a worker (busy: nothing read meanwhile), an answer not
 * yet all written (out: nothing read meanwhile either, so that answers keep their order and
 * memory stays bounded), and, once it is to be closed with input unread, draining. */
struct conn {
    struct loop *loop;
    struct conn *prev, *next;
    int fd;
    struct event *rev, *wev, *timer;
    char peer[CLIENT_ADDR_MAX];
    char *in;
    size_t in_len, in_cap;
    size_t scanned;   /* http1_parse's place in a head not yet whole */
    long head_len;    /* > 0: the current request's head is parsed into req */
    size_t body_wire; /* bytes of the body as sent (chunked: with its framing) */
    bool continued;   /* "100 Continue" sent for the current request */
    http1_req_t req;
    char *out; /* bytes written only in part, waiting for the socket to take them */
    size_t out_len, out_off, out_cap;
    int64_t wait_start; /* ms: when the connection could start sending its request */
    int64_t last_write; /* ms: when the socket last took bytes of a waiting answer */
    int64_t last_read;  /* ms: when the client last sent bytes */
    bool busy, closing, draining, reading;
};

struct pending {
    struct pending *next;
    struct conn *conn;
    req_t *r;
    int64_t started_us;
};

static int64_t now_micros(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 303:
        return "See Other";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 410:
        return "Gone";
    case 413:
        return "Content Too Large";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return status < 400 ? "OK" : "Error";
    }
}

/* The Date header's text for now, as libevent writes it (RFC 1123, GMT). Kept per thread for the
 * second it was made: a pure function of that second, it saves a gmtime and a printf a page. */
static const char *http_date(void)
{
    static __thread time_t made = -1;
    static __thread char text[80]; /* room for any int the compiler can imagine in it */
    time_t t = time(NULL);
    if (t != made) {
        static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
        static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
        struct tm tm;
        gmtime_r(&t, &tm);
        snprintf(text, sizeof text, "%s, %02d %s %4d %02d:%02d:%02d GMT", days[tm.tm_wday % 7],
                 tm.tm_mday, months[tm.tm_mon % 12], 1900 + tm.tm_year, tm.tm_hour, tm.tm_min,
                 tm.tm_sec);
        made = t;
    }
    return text;
}

/* Milliseconds on the loop's cached clock (no system call): for the connection timers. */
static int64_t loop_ms(struct loop *loop)
{
    struct timeval tv;
    event_base_gettimeofday_cached(loop->base, &tv);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void conn_free(struct conn *c)
{
    struct loop *loop = c->loop;
    atomic_fetch_sub_explicit(&loop->n_conns, 1, memory_order_relaxed);
    if (c->prev)
        c->prev->next = c->next;
    else
        loop->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    if (c->rev) event_free(c->rev);
    if (c->wev) event_free(c->wev);
    if (c->timer) event_free(c->timer);
    if (c->fd >= 0) close(c->fd);
    free(c->in);
    free(c->out);
    free(c);
}

static void set_reading(struct conn *c, bool on)
{
    if (c->reading == on) return;
    c->reading = on;
    if (on)
        event_add(c->rev, NULL);
    else
        event_del(c->rev);
}

static void arm_timer(struct conn *c, int64_t ms)
{
    if (ms < 1) ms = 1;
    struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
    event_add(c->timer, &tv);
}

/* Closes the connection once its answers are written. With input the client sent unread, the
 * socket is first half-closed and read until the client closes too (or the deadline passes):
 * closing a socket with unread input resets it, which can destroy the answer before the client
 * reads it. */
static void conn_close(struct conn *c)
{
    if (c->busy) {
        c->closing = true;
        return;
    }
    if (c->out_len > c->out_off) {
        c->closing = true;
        return;
    }
    bool unread = c->in_len > 0 || (c->head_len > 0);
    if (!unread || c->draining) {
        conn_free(c);
        return;
    }
    shutdown(c->fd, SHUT_WR);
    c->draining = true;
    c->in_len = 0;
    c->head_len = 0;
    set_reading(c, true);
    arm_timer(c, (int64_t)c->loop->srv->app->cfg->request_timeout * 1000);
}

/* Writes what waits in c->out; false when the connection was closed. */
static bool flush_out(struct conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            event_add(c->wev, NULL);
            return true;
        }
        if (n <= 0) {
            c->out_len = c->out_off = 0;
            c->closing = false;
            conn_free(c);
            return false;
        }
        c->out_off += (size_t)n;
        c->last_write = loop_ms(c->loop);
    }
    c->out_len = c->out_off = 0;
    event_del(c->wev);
    return true;
}

/* Keeps the n bytes at p to write once the socket takes them. */
static bool keep_out(struct conn *c, const char *p, size_t n)
{
    if (c->out_off && c->out_off == c->out_len) c->out_len = c->out_off = 0;
    if (c->out_len + n > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 16 * 1024;
        while (cap < c->out_len + n)
            cap *= 2;
        char *grown = realloc(c->out, cap);
        if (!grown) return false;
        c->out = grown;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
    return true;
}

/* Sends head then body (either may be empty) in one writev; what the socket does not take is
 * kept. False when the connection failed (and is gone). */
static bool conn_write(struct conn *c, const char *head, size_t hlen, const char *body, size_t blen)
{
    size_t done = 0;
    if (c->out_len == c->out_off) {
        struct iovec iov[2] = {{(void *)head, hlen}, {(void *)body, blen}};
        for (;;) {
            ssize_t n = writev(c->fd, iov, blen ? 2 : 1);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
            if (n < 0) {
                conn_free(c);
                return false;
            }
            done = (size_t)n;
            break;
        }
        if (done == hlen + blen) return true;
        c->last_write = loop_ms(c->loop);
    }
    bool ok = true;
    if (done < hlen)
        ok = keep_out(c, head + done, hlen - done) && keep_out(c, body, blen);
    else
        ok = keep_out(c, body + (done - hlen), blen - (done - hlen));
    if (!ok) {
        conn_free(c);
        return false;
    }
    event_add(c->wev, NULL);
    return true;
}

/* Appends a decimal number. */
static void buf_uint(buf_t *b, size_t v)
{
    char digits[24], *p = digits + sizeof digits;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    buf_append(b, p, (size_t)(digits + sizeof digits - p));
}

static void buf_str(buf_t *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

/* How the answer to the current request ends the connection, as libevent's evhttp did: HTTP/1.1
 * keeps it unless the client said "Connection: close"; HTTP/1.0 only on "keep-alive". */
static bool keeps_alive(const http1_req_t *q)
{
    return q->minor >= 1 ? !q->conn_close : q->conn_keep_alive;
}

/* Writes r's response to the client, logs it and frees the request's memory. The head is
 * written as libevent's evhttp wrote it, header for header and in its order (clients and tests
 * have seen that order for years): cobro's headers, then Date (HTTP/1.1), Connection:
 * keep-alive (an HTTP/1.0 client that asked for it), Content-Length (HEAD: first, with GET's
 * length), and Connection: close when the client asked for it or the server closes. True
 * when the connection stays open for the next request; false when it is gone or closing (then
 * the caller must leave it alone). */
static bool send_response(struct conn *c, req_t *r, int64_t started_us, bool close_after)
{
    const http1_req_t *q = &c->req;
    resp_t *w = &r->resp;
    int status = w->status ? w->status : 200;
    bool keep = keeps_alive(q) && !close_after;
    bool head_only = r->method == METHOD_HEAD;
    bool needs_body = status >= 200 && status != 204 && status != 304;
    buf_t h;
    buf_init_cap(&h, r->arena, 1024);
    buf_lit(&h, "HTTP/1.");
    char minor = (char)('0' + q->minor);
    buf_append(&h, &minor, 1);
    buf_lit(&h, " ");
    buf_uint(&h, (size_t)status);
    buf_lit(&h, " ");
    buf_str(&h, reason_phrase(status));
    buf_lit(&h, "\r\nContent-Type: ");
    buf_str(&h, w->content_type ? w->content_type : "text/html; charset=utf-8");
    buf_lit(&h, "\r\nX-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n"
                "Referrer-Policy: no-referrer\r\n"
                /* A payment form's answer redirects to the gateway's hosted page: Chrome holds
                 * form-action to redirects too. */
                "Content-Security-Policy: default-src 'self'; img-src 'self' data:;"
                " form-action 'self' https://checkout.stripe.com; frame-ancestors 'none';"
                " base-uri 'none'\r\n");
    bool cache_set = false;
    for (int i = 0; i < w->n_headers; i++) {
        buf_str(&h, w->headers[i].name);
        buf_lit(&h, ": ");
        buf_str(&h, w->headers[i].value);
        buf_lit(&h, "\r\n");
        if (strcasecmp(w->headers[i].name, "Cache-Control") == 0) cache_set = true;
    }
    /* Pages show account data: never kept by shared caches or the back button after sign-out. */
    if (!cache_set) buf_lit(&h, "Cache-Control: no-store\r\n");
    /* HEAD: the length a GET would carry, and no body (a body sent anyway would be read by a
     * keep-alive client or a proxy as the start of the next answer). */
    if (head_only) {
        buf_lit(&h, "Content-Length: ");
        buf_uint(&h, w->body.len);
        buf_lit(&h, "\r\n");
    }
    if (q->minor >= 1) {
        buf_lit(&h, "Date: ");
        buf_str(&h, http_date());
        buf_lit(&h, "\r\n");
    } else if (q->conn_keep_alive) {
        buf_lit(&h, "Connection: keep-alive\r\n");
    }
    if (!head_only && needs_body && (q->minor >= 1 || q->conn_keep_alive)) {
        buf_lit(&h, "Content-Length: ");
        buf_uint(&h, w->body.len);
        buf_lit(&h, "\r\n");
    }
    if (q->conn_close || (close_after && (q->minor >= 1 || q->conn_keep_alive)))
        buf_lit(&h, "Connection: close\r\n");
    buf_lit(&h, "\r\n");
    log_access(r->ip, r->method_name, r->path, status, (uint64_t)w->body.len,
               now_micros() - started_us);
    bool alive = conn_write(c, h.data, h.len, w->body.data, head_only ? 0 : w->body.len);
    arena_free(r->arena);
    if (!alive) return false;
    if (!keep) {
        conn_close(c);
        return false;
    }
    return true;
}

static int method_of(const char *m, const char **name)
{
    if (strcmp(m, "GET") == 0) {
        *name = "GET";
        return METHOD_GET;
    }
    if (strcmp(m, "POST") == 0) {
        *name = "POST";
        return METHOD_POST;
    }
    if (strcmp(m, "HEAD") == 0) {
        *name = "HEAD";
        return METHOD_HEAD;
    }
    *name = "OTHER";
    return METHOD_OTHER;
}

/* The address that sign-in limits count and the access log shows: the socket's peer, or, when
 * that peer is a trusted proxy (--trusted-proxy), the client it forwards for. Every
 * X-Forwarded-For header counts, joined with commas, as HTTP reads several of one name. */
static const char *client_address(req_t *r, const struct conn *c)
{
    const config_t *cfg = r->app->cfg;
    if (cfg->n_trusted_proxies == 0) return arena_strdup(r->arena, c->peer);
    const char *joined = NULL;
    for (int i = 0; i < c->req.n_xff; i++)
        joined = joined ? arena_printf(r->arena, "%s,%s", joined, c->req.xff[i]) : c->req.xff[i];
    char addr[CLIENT_ADDR_MAX];
    client_addr_pick(c->peer, joined, cfg->trusted_proxies, cfg->n_trusted_proxies, addr);
    return arena_strdup(r->arena, addr);
}

/* A request with the parts every page needs, even an error page: language, client address. */
static req_t *req_new(struct conn *c, bool have_head)
{
    arena_t *a = arena_new();
    if (!a) return NULL;
    req_t *r = arena_alloc(a, sizeof *r);
    r->arena = a;
    r->app = c->loop->srv->app;
    r->svc = c->loop->svc;
    r->now = clock_now();
    buf_init_cap(&r->resp.body, a, 16 * 1024); /* most pages fit: written without a copy */
    const http1_req_t *q = &c->req;
    if (have_head) {
        r->method = method_of(q->method, &r->method_name);
        r->path = arena_strdup(a, q->path);
        cookies_parse(a, q->cookie, &r->cookies);
        r->accept_language = q->accept_language ? arena_strdup(a, q->accept_language) : NULL;
        r->user_agent = q->user_agent ? arena_strdup(a, q->user_agent) : NULL;
        r->signature = q->signature ? arena_strdup(a, q->signature) : NULL;
    } else {
        r->method = METHOD_GET;
        r->method_name = "-";
        r->path = "-";
    }
    r->lang = lang_negotiate(req_cookie(r, LANG_COOKIE), r->accept_language);
    r->ip = client_address(r, c);
    return r;
}

/* The request is over: its bytes leave the input buffer, and the next one's clock starts. */
static void consume(struct conn *c, size_t n)
{
    if (n >= c->in_len) {
        c->in_len = 0;
        if (c->in_cap > IN_START * 8) { /* a large body's buffer is not kept */
            free(c->in);
            c->in = NULL;
            c->in_cap = 0;
        }
    } else {
        memmove(c->in, c->in + n, c->in_len - n);
        c->in_len -= n;
    }
    c->head_len = 0;
    c->scanned = 0;
    c->body_wire = 0;
    c->continued = false;
    c->wait_start = loop_ms(c->loop);
}

/* Answers with an error page and closes: the head could not be read, or the request cannot be
 * answered and kept apart from what follows it. */
static void refuse(struct conn *c, int status, bool have_head, int64_t started)
{
    if (!have_head) {
        memset(&c->req, 0, sizeof c->req);
        c->req.major = c->req.minor = 1;
        c->req.content_length = -1;
    }
    req_t *r = req_new(c, have_head);
    if (!r) {
        conn_free(c);
        return;
    }
    page_error(r, status);
    send_response(c, r, started, true);
}

/* Answers 503 when the worker queue is full, without queuing the work: clients are told to come
 * back soon instead of waiting behind an ever longer queue. */
static bool refuse_busy(struct conn *c, req_t *r, int64_t started)
{
    log_info("refused %s %s: the worker queue is full", r->method_name, r->path);
    page_busy(r);
    resp_header(r, "Retry-After", BUSY_RETRY_AFTER);
    return send_response(c, r, started, false);
}

static void run_blocking(void *arg, services_t *svc)
{
    struct pending *p = arg;
    struct loop *loop = p->conn->loop;
    p->r->svc = svc;
    router_dispatch(p->r);
    pthread_mutex_lock(&loop->mu);
    p->next = loop->done;
    loop->done = p;
    pthread_mutex_unlock(&loop->mu);
    event_active(loop->done_ev, EV_READ, 0);
}

static void process(struct conn *c);

/* Sends the answers finished on workers; when stopping, drops them with their memory. */
static void take_done(struct loop *loop, bool stopping)
{
    pthread_mutex_lock(&loop->mu);
    struct pending *p = loop->done;
    loop->done = NULL;
    pthread_mutex_unlock(&loop->mu);
    while (p) {
        struct pending *next = p->next;
        struct conn *c = p->conn;
        c->busy = false;
        if (stopping) {
            arena_free(p->r->arena);
        } else {
            consume(c, (size_t)c->head_len + c->body_wire);
            if (send_response(c, p->r, p->started_us, false)) {
                set_reading(c, true);
                process(c);
            }
        }
        free(p);
        p = next;
    }
}

static void on_done(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    take_done(arg, false);
}

/* The request whose head and body (body_len bytes at body) have arrived: routed and answered,
 * here or on a worker. True when the connection may go on to the next request now. */
static bool handle(struct conn *c, const char *body, size_t body_len, int64_t started)
{
    const http1_req_t *q = &c->req;
    size_t total = (size_t)c->head_len + c->body_wire;
    req_t *r = req_new(c, true);
    if (!r) {
        conn_free(c);
        return false;
    }
    arena_t *a = r->arena;
    if (q->headers_size > HEADERS_MAX) {
        page_error(r, 431);
    } else if (q->query &&
               form_parse(a, q->query, q->query_len, FORM_MAX_FIELDS, &r->query) != PARSE_OK) {
        page_error(r, 400);
    } else {
        bool method_ok = false;
        r->route = router_find(a, r->path, r->method, &method_ok, r->params, &r->n_params);
        if (!r->route || !method_ok) {
            if (r->route)
                resp_header(r, "Allow",
                            r->route->methods & METHOD_POST
                                ? (r->route->methods & METHOD_GET ? "GET, HEAD, POST" : "POST")
                                : "GET, HEAD");
            page_error(r, r->route ? 405 : 404);
        } else if (r->method == METHOD_POST && body_len > router_body_max(r->path)) {
            page_error(r, 413);
        } else {
            if (r->method == METHOD_POST) {
                char *copy = arena_alloc(a, body_len + 1);
                memcpy(copy, body, body_len);
                copy[body_len] = '\0';
                r->body = copy;
                r->body_len = body_len;
                r->body_is_form =
                    q->content_type &&
                    strncasecmp(q->content_type, "application/x-www-form-urlencoded", 33) == 0;
                /* Only a route that takes files reads multipart bodies (router.c). */
                if (q->content_type && r->route->max_body > BODY_MAX &&
                    strncasecmp(q->content_type, "multipart/form-data", 19) == 0)
                    r->content_type = arena_strdup(a, q->content_type);
            }
            if (r->route->blocking) {
                struct pending *p = calloc(1, sizeof *p);
                if (!p) {
                    page_error(r, 503);
                } else {
                    p->conn = c;
                    p->r = r;
                    p->started_us = started;
                    c->busy = true;
                    if (pool_submit(c->loop->srv->pool, run_blocking, p)) {
                        set_reading(c, false); /* the answer comes back through on_done */
                        return false;
                    }
                    c->busy = false;
                    free(p);
                    consume(c, total);
                    return refuse_busy(c, r, started);
                }
            } else {
                router_dispatch(r);
            }
        }
    }
    consume(c, total);
    return send_response(c, r, started, false);
}

/* "100 Continue" for a client that waits for it before sending its body. */
static void maybe_continue(struct conn *c)
{
    if (!c->req.expect_continue || c->continued || c->req.minor < 1) return;
    c->continued = true;
    static const char line[] = "HTTP/1.1 100 Continue\r\n\r\n";
    conn_write(c, line, sizeof line - 1, NULL, 0);
}

/* Answers every request that has arrived whole, in order, while the connection is free to. */
static void process(struct conn *c)
{
    while (!c->busy && !c->draining && !c->closing && c->out_len == c->out_off) {
        if (c->head_len == 0) {
            size_t k = 0; /* blank lines between requests (RFC 9112 allows them) */
            while (k < c->in_len && (c->in[k] == '\r' || c->in[k] == '\n'))
                k++;
            if (k) {
                memmove(c->in, c->in + k, c->in_len - k);
                c->in_len -= k;
                c->scanned = 0;
            }
            if (c->in_len == 0) return;
            long hl = http1_parse(c->in, c->in_len, HARD_HEADERS_MAX, &c->scanned, &c->req);
            if (hl == HTTP1_MORE) return;
            if (hl < 0) {
                refuse(c, hl == HTTP1_TOO_LARGE ? 431 : 400, false, now_micros());
                return;
            }
            c->head_len = hl;
        }
        char *body = c->in + c->head_len;
        size_t avail = c->in_len - (size_t)c->head_len, body_len = 0;
        /* A route that takes a file reads a larger body; every other keeps the usual limit. Only
         * a request with a body needs the route's limit (looking it up walked the route table at
         * every GET). */
        size_t hard = HARD_BODY_MAX;
        if (c->req.chunked || c->req.content_length > 0) {
            size_t route_max = router_body_max(c->req.path);
            if (route_max > hard) hard = route_max;
        }
        if (c->req.chunked) {
            long n = http1_dechunk(body, avail, hard, &body_len);
            if (n == HTTP1_MORE && c->in_len + 1 < IN_MAX) {
                maybe_continue(c);
                return;
            }
            if (n <= 0) {
                refuse(c, n == HTTP1_BAD ? 400 : 413, true, now_micros());
                return;
            }
            c->body_wire = (size_t)n;
        } else if (c->req.content_length > 0) {
            if ((uint64_t)c->req.content_length > (uint64_t)hard) {
                refuse(c, 413, true, now_micros());
                return;
            }
            if (avail < (size_t)c->req.content_length) {
                maybe_continue(c);
                return;
            }
            body_len = c->body_wire = (size_t)c->req.content_length;
        }
        if (!handle(c, body, body_len, now_micros())) return;
    }
}

static void rebase(const char **p, uintptr_t from, size_t len, char *to)
{
    uintptr_t at = (uintptr_t)*p;
    if (*p && at >= from && at < from + len) *p = to + (at - from);
}

/* Room to read into; false when the buffer is at its limit. The parsed head points into the
 * buffer, so its strings move with it. */
static bool make_room(struct conn *c)
{
    if (c->in_cap - c->in_len >= 2048) return true;
    if (c->in_cap >= IN_MAX) return c->in_cap - c->in_len > 1;
    size_t cap = c->in_cap ? c->in_cap * 2 : IN_START;
    if (cap > IN_MAX) cap = IN_MAX;
    uintptr_t old = (uintptr_t)c->in;
    char *grown = malloc(cap);
    if (!grown) return false;
    if (c->in_len) memcpy(grown, c->in, c->in_len);
    if (c->head_len > 0) {
        http1_req_t *q = &c->req;
        rebase(&q->method, old, c->in_len, grown);
        rebase(&q->path, old, c->in_len, grown);
        rebase(&q->query, old, c->in_len, grown);
        rebase(&q->cookie, old, c->in_len, grown);
        rebase(&q->accept_language, old, c->in_len, grown);
        rebase(&q->user_agent, old, c->in_len, grown);
        rebase(&q->signature, old, c->in_len, grown);
        rebase(&q->content_type, old, c->in_len, grown);
        for (int i = 0; i < q->n_xff; i++)
            rebase(&q->xff[i], old, c->in_len, grown);
    }
    free(c->in);
    c->in = grown;
    c->in_cap = cap;
    return true;
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct conn *c = arg;
    if (c->draining) c->in_len = 0; /* answered and closing: what comes is thrown away */
    if (!make_room(c)) {
        if (c->busy || c->out_len > c->out_off) { /* full until the answer is out */
            set_reading(c, false);
            return;
        }
        refuse(c, 413, c->head_len > 0, now_micros());
        return;
    }
    ssize_t n = recv(fd, c->in + c->in_len, c->in_cap - c->in_len - 1, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0) { /* the client closed, or the connection failed */
        conn_free(c);
        return;
    }
    c->in_len += (size_t)n;
    c->last_read = loop_ms(c->loop);
    if (c->draining)
        c->in_len = 0;
    else
        process(c);
}

static void on_write(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct conn *c = arg;
    if (!flush_out(c) || c->out_len > c->out_off) return;
    if (c->closing) {
        c->closing = false;
        conn_close(c);
        return;
    }
    set_reading(c, true);
    process(c);
}

/* The connection's one timer: the whole-request deadline while it waits for a request, the idle
 * timeout while a client does not take its answer or sends nothing, the end of draining. It is
 * set once per period, not at each request: when it fires it looks at what the connection is
 * doing and sets itself again for what remains. */
static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct conn *c = arg;
    int64_t now = loop_ms(c->loop), idle = (int64_t)IDLE_TIMEOUT_SECONDS * 1000;
    int64_t deadline = (int64_t)c->loop->srv->app->cfg->request_timeout * 1000;
    if (c->draining) {
        conn_free(c);
        return;
    }
    if (c->out_len > c->out_off) {
        if (now - c->last_write >= idle)
            conn_free(c);
        else
            arm_timer(c, idle - (now - c->last_write));
        return;
    }
    if (c->busy) {
        arm_timer(c, deadline);
        return;
    }
    int64_t quiet_since = c->last_read > c->wait_start ? c->last_read : c->wait_start;
    if (now - c->wait_start >= deadline) {
        log_info("closed a connection from %s: no whole request within %d s", c->peer,
                 c->loop->srv->app->cfg->request_timeout);
        conn_free(c);
        return;
    }
    if (now - quiet_since >= idle) {
        conn_free(c);
        return;
    }
    int64_t left = deadline - (now - c->wait_start);
    if (idle - (now - quiet_since) < left) left = idle - (now - quiet_since);
    arm_timer(c, left);
}

static void conn_new(struct loop *loop, int fd, const struct sockaddr *sa, socklen_t len)
{
    struct conn *c = calloc(1, sizeof *c);
    if (!c) {
        atomic_fetch_sub_explicit(&loop->n_conns, 1, memory_order_relaxed);
        close(fd);
        return;
    }
    c->loop = loop;
    c->fd = fd;
    if (getnameinfo(sa, len, c->peer, sizeof c->peer, NULL, 0, NI_NUMERICHOST) != 0)
        c->peer[0] = '\0';
    c->next = loop->conns;
    if (loop->conns) loop->conns->prev = c;
    loop->conns = c;
    c->rev = event_new(loop->base, fd, EV_READ | EV_PERSIST, on_read, c);
    c->wev = event_new(loop->base, fd, EV_WRITE | EV_PERSIST, on_write, c);
    c->timer = evtimer_new(loop->base, on_timer, c);
    if (!c->rev || !c->wev || !c->timer) {
        conn_free(c);
        return;
    }
    c->wait_start = c->last_read = loop_ms(loop);
    set_reading(c, true);
    arm_timer(c, (int64_t)loop->srv->app->cfg->request_timeout * 1000);
}

/* Takes the connections other loops accepted for this one. When stopping, closes them. */
static void take_incoming(struct loop *loop, bool stopping)
{
    pthread_mutex_lock(&loop->mu);
    struct incoming *in = loop->incoming;
    loop->incoming = NULL;
    pthread_mutex_unlock(&loop->mu);
    while (in) {
        struct incoming *next = in->next;
        if (stopping) {
            atomic_fetch_sub_explicit(&loop->n_conns, 1, memory_order_relaxed);
            close(in->fd);
        } else {
            conn_new(loop, in->fd, (struct sockaddr *)&in->addr, in->len);
        }
        free(in);
        in = next;
    }
}

static void on_incoming(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    take_incoming(arg, false);
}

/* Accepts what waits on the shared socket. Whichever loop the kernel wakes first accepts, and
 * often all of a burst: wrk's 64 connections went 65 to 4 between two loops, one core doing
 * nearly all the work. So each connection goes to the loop that has the fewest. */
static void on_accept(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    struct loop *loop = arg;
    struct server *srv = loop->srv;
    for (int i = 0; i < ACCEPTS_PER_WAKE; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int cfd = accept4(fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) log_info("accept: %s", strerror(errno));
            return;
        }
        struct loop *to = loop;
        int fewest = atomic_load_explicit(&loop->n_conns, memory_order_relaxed);
        for (int k = 0; k < srv->n_loops; k++) {
            int n = atomic_load_explicit(&srv->loops[k].n_conns, memory_order_relaxed);
            if (n < fewest) {
                fewest = n;
                to = &srv->loops[k];
            }
        }
        atomic_fetch_add_explicit(&to->n_conns, 1, memory_order_relaxed);
        struct incoming *in = to == loop ? NULL : malloc(sizeof *in);
        if (!in) {
            if (to != loop) {
                atomic_fetch_sub_explicit(&to->n_conns, 1, memory_order_relaxed);
                atomic_fetch_add_explicit(&loop->n_conns, 1, memory_order_relaxed);
            }
            conn_new(loop, cfd, (struct sockaddr *)&ss, len);
            continue;
        }
        in->fd = cfd;
        in->len = len;
        memcpy(&in->addr, &ss, len);
        pthread_mutex_lock(&to->mu);
        in->next = to->incoming;
        to->incoming = in;
        pthread_mutex_unlock(&to->mu);
        event_active(to->incoming_ev, EV_READ, 0);
    }
}

static void *loop_main(void *arg)
{
    struct loop *loop = arg;
    event_base_dispatch(loop->base);
    return NULL;
}

static void on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    struct server *srv = arg;
    log_info("signal %d: stopping", (int)sig);
    for (int i = 0; i < srv->n_loops; i++)
        event_base_loopexit(srv->loops[i].base, NULL);
}

static void on_purge(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct loop *loop = arg;
    int64_t removed = 0;
    int64_t now = clock_now();
    if (store_sessions_purge(loop->store, now - SESSION_IDLE_SECONDS, &removed) == STORE_OK &&
        removed > 0)
        log_info("removed %lld idle sessions", (long long)removed);
    /* A day is far beyond the 15-minute lockout and throttle windows; the audit log keeps the
     * sign-ins themselves. */
    if (store_attempts_purge(loop->store, now - ATTEMPTS_KEPT_SECONDS, &removed) == STORE_OK &&
        removed > 0)
        log_info("removed %lld sign-in attempts older than a day", (long long)removed);
}

/* Binds and listens on cfg->host:cfg->port; -1 with a reason printed. */
static int open_listener(const config_t *cfg)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", cfg->port);
    int rc = getaddrinfo(cfg->host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "cobro: cannot listen on %s: %s\n", cfg->listen, gai_strerror(rc));
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        fprintf(stderr, "cobro: cannot listen on %s: %s\n", cfg->listen, strerror(err));
        return -1;
    }
    evutil_make_socket_nonblocking(fd);
    return fd;
}

static bool loop_init(struct loop *loop, struct server *srv)
{
    char err[256];
    loop->srv = srv;
    pthread_mutex_init(&loop->mu, NULL);
    loop->store = store_open(srv->app->cfg->db_path, err, sizeof err);
    if (!loop->store) {
        fprintf(stderr, "cobro: %s\n", err);
        return false;
    }
    loop->svc = services_new(loop->store);
    if (!loop->svc) return false;
    /* With the change list, the event changes made while answering (rare: a blocking route, an
     * answer the socket does not take at once) become one epoll_ctl call. */
    struct event_config *ecfg = event_config_new();
    if (ecfg) event_config_set_flag(ecfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    loop->base = ecfg ? event_base_new_with_config(ecfg) : NULL;
    if (ecfg) event_config_free(ecfg);
    if (!loop->base) return false;
    /* Every loop accepts from the same socket, which it does not own (close). */
    loop->accept_ev = event_new(loop->base, srv->fd, EV_READ | EV_PERSIST, on_accept, loop);
    if (!loop->accept_ev || event_add(loop->accept_ev, NULL) != 0) return false;
    loop->done_ev = event_new(loop->base, -1, 0, on_done, loop);
    loop->incoming_ev = event_new(loop->base, -1, 0, on_incoming, loop);
    return loop->done_ev != NULL && loop->incoming_ev != NULL;
}

static void loop_free(struct loop *loop)
{
    take_done(loop, true); /* answers finished while stopping are dropped with their memory */
    take_incoming(loop, true);
    while (loop->conns)
        conn_free(loop->conns);
    if (loop->done_ev) event_free(loop->done_ev);
    if (loop->incoming_ev) event_free(loop->incoming_ev);
    if (loop->accept_ev) event_free(loop->accept_ev);
    if (loop->base) event_base_free(loop->base);
    services_free(loop->svc);
    store_close(loop->store);
    pthread_mutex_destroy(&loop->mu);
}

int server_run(app_t *app)
{
    const config_t *cfg = app->cfg;
    signal(SIGPIPE, SIG_IGN);
    evthread_use_pthreads();
    log_set_access(cfg->access_log);
    struct server srv = {.app = app, .n_loops = cfg->threads};
    char err[256] = "";
    srv.fd = open_listener(cfg);
    if (srv.fd < 0) return 1;
    srv.pool = pool_start(cfg->workers, cfg->queue_max, cfg->db_path, err, sizeof err);
    if (!srv.pool) {
        fprintf(stderr, "cobro: %s\n", err);
        close(srv.fd);
        return 1;
    }
    srv.loops = calloc((size_t)srv.n_loops, sizeof *srv.loops);
    int status = 0;
    for (int i = 0; i < srv.n_loops; i++) {
        if (!loop_init(&srv.loops[i], &srv)) {
            fprintf(stderr, "cobro: cannot start event loop %d\n", i);
            status = 1;
            srv.n_loops = i + 1;
            goto out;
        }
    }
    struct event_base *main_base = srv.loops[0].base;
    srv.sigterm = evsignal_new(main_base, SIGTERM, on_stop_signal, &srv);
    srv.sigint = evsignal_new(main_base, SIGINT, on_stop_signal, &srv);
    srv.purge = event_new(main_base, -1, EV_PERSIST, on_purge, &srv.loops[0]);
    struct timeval ten_minutes = {600, 0};
    event_add(srv.sigterm, NULL);
    event_add(srv.sigint, NULL);
    event_add(srv.purge, &ten_minutes);
    on_purge(-1, 0, &srv.loops[0]); /* once now: a server restarted often still cleans up */
    log_info("serving %s on http://%s with %d event loops and %d workers", cfg->base_url,
             cfg->listen, srv.n_loops, cfg->workers);
    for (int i = 1; i < srv.n_loops; i++)
        pthread_create(&srv.loops[i].thread, NULL, loop_main, &srv.loops[i]);
    event_base_dispatch(main_base);
    for (int i = 1; i < srv.n_loops; i++) {
        event_base_loopexit(srv.loops[i].base, NULL);
        pthread_join(srv.loops[i].thread, NULL);
    }
    event_free(srv.sigterm);
    event_free(srv.sigint);
    event_free(srv.purge);
out:
    pool_stop(srv.pool);
    for (int i = 0; i < srv.n_loops; i++)
        loop_free(&srv.loops[i]);
    free(srv.loops);
    close(srv.fd);
    log_info("stopped");
    return status;
}
