/* The HTTP server: libevent evhttp, one event loop per core sharing one listening socket;
 * blocking routes go to the worker pool and come back to their loop to be answered. */
#include "server.h"
#include "store/store.h"
#include "client_addr.h"
#include "deadline.h"
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
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct pending;

enum { ATTEMPTS_KEPT_SECONDS = 24 * 3600 };

struct loop {
    struct server *srv;
    struct event_base *base;
    struct evhttp *http;
    deadlines_t *deadlines; /* the whole-request deadline of every connection */
    store_t *store;
    services_t *svc; /* over store, for the requests of this loop */
    pthread_t thread;
    pthread_mutex_t mu;
    struct pending *done; /* answered on a worker, waiting to be sent from this loop */
    struct event *done_ev;
};

struct server {
    app_t *app;
    pool_t *pool;
    struct loop *loops;
    int n_loops;
    int fd;
    struct event *sigterm, *sigint, *purge;
};

struct pending {
    struct pending *next;
    struct evhttp_request *evreq;
    struct loop *loop;
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

/* Sends the status and headers of r's answer without its body, as HEAD requires, with the
 * Content-Length a GET would carry: libevent neither adds the length nor leaves the body out for
 * HEAD by itself, and a body sent anyway is read by a keep-alive client or a proxy as the start
 * of the next answer. */
static void send_head_reply(struct evhttp_request *evreq, req_t *r, int status)
{
    char length[24];
    snprintf(length, sizeof length, "%zu", r->resp.body.len);
    evhttp_add_header(evhttp_request_get_output_headers(evreq), "Content-Length", length);
    evhttp_send_reply(evreq, status, reason_phrase(status), NULL);
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

/* Date and Content-Length added here, where libevent would add them itself (HTTP/1.1, an answer
 * with a body), in its order and its format: its own way prints both with printf at each answer.
 */
static void add_date_and_length(struct evhttp_request *evreq, struct evkeyvalq *out, int status,
                                size_t len)
{
    if (evreq->major != 1 || evreq->minor < 1) return;
    if (status < 200 || status == 204 || status == 304) return;
    evhttp_add_header(out, "Date", http_date());
    char digits[24], *p = digits + sizeof digits;
    *--p = '\0';
    do {
        *--p = (char)('0' + len % 10);
        len /= 10;
    } while (len);
    evhttp_add_header(out, "Content-Length", p);
}

static void release_arena(const void *data, size_t len, void *arena)
{
    (void)data, (void)len;
    arena_free(arena);
}

/* Writes r's response to the client, logs it and frees the request's memory. */
static void send_response(struct evhttp_request *evreq, req_t *r, int64_t started_us)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(evreq);
    resp_t *w = &r->resp;
    evhttp_add_header(out, "Content-Type",
                      w->content_type ? w->content_type : "text/html; charset=utf-8");
    evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(out, "X-Frame-Options", "DENY");
    evhttp_add_header(out, "Referrer-Policy", "no-referrer");
    evhttp_add_header(out, "Content-Security-Policy",
                      "default-src 'self'; img-src 'self' data:; form-action 'self';"
                      " frame-ancestors 'none'; base-uri 'none'");
    bool cache_set = false;
    for (int i = 0; i < w->n_headers; i++) {
        evhttp_add_header(out, w->headers[i].name, w->headers[i].value);
        if (strcasecmp(w->headers[i].name, "Cache-Control") == 0) cache_set = true;
    }
    /* Pages show account data: never kept by shared caches or the back button after sign-out. */
    if (!cache_set) evhttp_add_header(out, "Cache-Control", "no-store");
    int status = w->status ? w->status : 200;
    struct evbuffer *body = NULL;
    arena_t *arena = r->arena;
    bool by_reference = false;
    if (r->method == METHOD_HEAD) {
        send_head_reply(evreq, r, status);
    } else {
        /* The body is handed to libevent by reference, not copied: the request's arena, which
         * holds it, is freed by libevent once the bytes are sent (or the connection is dropped). */
        body = evbuffer_new();
        by_reference =
            body && w->body.len &&
            evbuffer_add_reference(body, w->body.data, w->body.len, release_arena, arena) == 0;
        if (body && w->body.len && !by_reference) evbuffer_add(body, w->body.data, w->body.len);
        if (body) add_date_and_length(evreq, out, status, w->body.len);
        evhttp_send_reply(evreq, status, reason_phrase(status), body);
    }
    log_access(r->ip, r->method_name, r->path, status, (uint64_t)w->body.len,
               now_micros() - started_us);
    if (body) evbuffer_free(body); /* may free the arena, when libevent did not take the body */
    if (!by_reference) arena_free(arena);
}

static int method_of(enum evhttp_cmd_type cmd, const char **name)
{
    switch (cmd) {
    case EVHTTP_REQ_GET:
        *name = "GET";
        return METHOD_GET;
    case EVHTTP_REQ_POST:
        *name = "POST";
        return METHOD_POST;
    case EVHTTP_REQ_HEAD:
        *name = "HEAD";
        return METHOD_HEAD;
    default:
        *name = "OTHER";
        return METHOD_OTHER;
    }
}

static size_t headers_size(struct evkeyvalq *headers)
{
    size_t total = 0;
    for (struct evkeyval *h = headers->tqh_first; h; h = h->next.tqe_next)
        total += strlen(h->key) + strlen(h->value) + 4;
    return total;
}

static void run_blocking(void *arg, services_t *svc)
{
    struct pending *p = arg;
    p->r->svc = svc;
    router_dispatch(p->r);
    pthread_mutex_lock(&p->loop->mu);
    p->next = p->loop->done;
    p->loop->done = p;
    pthread_mutex_unlock(&p->loop->mu);
    event_active(p->loop->done_ev, EV_READ, 0);
}

static void on_done(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct loop *loop = arg;
    pthread_mutex_lock(&loop->mu);
    struct pending *p = loop->done;
    loop->done = NULL;
    pthread_mutex_unlock(&loop->mu);
    while (p) {
        struct pending *next = p->next;
        send_response(p->evreq, p->r, p->started_us);
        free(p);
        p = next;
    }
}

/* Every X-Forwarded-For header of the request joined with commas, as HTTP reads several of one
 * name; NULL when there is none. */
static const char *forwarded_for(arena_t *a, struct evkeyvalq *in)
{
    const char *joined = NULL;
    for (struct evkeyval *h = in->tqh_first; h; h = h->next.tqe_next) {
        if (strcasecmp(h->key, "X-Forwarded-For") != 0) continue;
        joined = joined ? arena_printf(a, "%s,%s", joined, h->value) : h->value;
    }
    return joined;
}

/* The address that sign-in limits count and the access log shows: the socket's peer, or, when
 * that peer is a trusted proxy (--trusted-proxy), the client it forwards for. */
static const char *client_address(req_t *r, struct evhttp_request *evreq)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(evreq);
    const char *host = NULL;
    ev_uint16_t port = 0;
    if (conn) evhttp_connection_get_peer(conn, (char **)&host, &port);
    const config_t *cfg = r->app->cfg;
    if (cfg->n_trusted_proxies == 0) return arena_strdup(r->arena, host ? host : "");
    char addr[CLIENT_ADDR_MAX];
    client_addr_pick(host ? host : "",
                     forwarded_for(r->arena, evhttp_request_get_input_headers(evreq)),
                     cfg->trusted_proxies, cfg->n_trusted_proxies, addr);
    return arena_strdup(r->arena, addr);
}

/* Fills the parts of r that every page needs, even an error page: language, client address. */
static void read_basics(req_t *r, struct evhttp_request *evreq)
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(evreq);
    cookies_parse(r->arena, evhttp_find_header(in, "Cookie"), &r->cookies);
    r->accept_language = evhttp_find_header(in, "Accept-Language");
    r->user_agent = evhttp_find_header(in, "User-Agent");
    r->lang = lang_negotiate(req_cookie(r, LANG_COOKIE), r->accept_language);
    r->ip = client_address(r, evreq);
}

/* Answers 503 when the worker queue is full, without queuing the work: clients are told to come
 * back soon instead of waiting behind an ever longer queue. */
static void refuse_busy(struct evhttp_request *evreq, req_t *r, int64_t started)
{
    log_info("refused %s %s: the worker queue is full", r->method_name, r->path);
    page_busy(r);
    resp_header(r, "Retry-After", BUSY_RETRY_AFTER);
    send_response(evreq, r, started);
}

static void on_request(struct evhttp_request *evreq, void *arg)
{
    struct loop *loop = arg;
    deadlines_arrived(loop->deadlines, evreq);
    int64_t started = now_micros();
    arena_t *a = arena_new();
    if (!a) {
        evhttp_send_error(evreq, 503, NULL);
        return;
    }
    req_t *r = arena_alloc(a, sizeof *r);
    r->arena = a;
    r->app = loop->srv->app;
    r->svc = loop->svc;
    r->now = clock_now();
    buf_init_cap(&r->resp.body, a, 16 * 1024); /* most pages fit: written without a copy */
    r->method = method_of(evhttp_request_get_command(evreq), &r->method_name);
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(evreq);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    r->path = arena_strdup(a, path && *path ? path : "/");
    read_basics(r, evreq);

    struct evkeyvalq *in = evhttp_request_get_input_headers(evreq);
    if (headers_size(in) > HEADERS_MAX) {
        page_error(r, 431);
        send_response(evreq, r, started);
        return;
    }
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    if (query && form_parse(a, query, strlen(query), FORM_MAX_FIELDS, &r->query) != PARSE_OK) {
        page_error(r, 400);
        send_response(evreq, r, started);
        return;
    }
    bool method_ok = false;
    r->route = router_find(a, r->path, r->method, &method_ok, r->params, &r->n_params);
    if (!r->route || !method_ok) {
        if (r->route)
            resp_header(r, "Allow",
                        r->route->methods & METHOD_POST
                            ? (r->route->methods & METHOD_GET ? "GET, HEAD, POST" : "POST")
                            : "GET, HEAD");
        page_error(r, r->route ? 405 : 404);
        send_response(evreq, r, started);
        return;
    }
    if (r->method == METHOD_POST) {
        struct evbuffer *body = evhttp_request_get_input_buffer(evreq);
        size_t len = evbuffer_get_length(body);
        if (len > BODY_MAX) {
            page_error(r, 413);
            send_response(evreq, r, started);
            return;
        }
        char *copy = arena_alloc(a, len + 1);
        evbuffer_copyout(body, copy, len);
        r->body = copy;
        r->body_len = len;
        const char *ctype = evhttp_find_header(in, "Content-Type");
        r->body_is_form = ctype && strncasecmp(ctype, "application/x-www-form-urlencoded", 33) == 0;
    }
    if (r->route->blocking) {
        struct pending *p = calloc(1, sizeof *p);
        if (!p) {
            page_error(r, 503);
            send_response(evreq, r, started);
            return;
        }
        p->evreq = evreq;
        p->loop = loop;
        p->r = r;
        p->started_us = started;
        if (!pool_submit(loop->srv->pool, run_blocking, p)) {
            free(p);
            refuse_busy(evreq, r, started);
        }
        return;
    }
    router_dispatch(r);
    send_response(evreq, r, started);
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
    /* With the change list, the several enable/disable changes libevent makes to a connection
     * while answering it become one epoll_ctl call instead of up to four per request. */
    struct event_config *ecfg = event_config_new();
    if (ecfg) event_config_set_flag(ecfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    loop->base = ecfg ? event_base_new_with_config(ecfg) : NULL;
    if (ecfg) event_config_free(ecfg);
    loop->http = loop->base ? evhttp_new(loop->base) : NULL;
    if (!loop->http) return false;
    evhttp_set_max_headers_size(loop->http, HARD_HEADERS_MAX);
    evhttp_set_max_body_size(loop->http, HARD_BODY_MAX);
    evhttp_set_timeout(loop->http, IDLE_TIMEOUT_SECONDS);
    loop->deadlines = deadlines_new(loop->base, loop->http, srv->app->cfg->request_timeout);
    if (!loop->deadlines) return false;
    evhttp_set_allowed_methods(loop->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                               EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                               EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_gencb(loop->http, on_request, loop);
    /* Every loop accepts from the same socket; the listener does not own (close) it. */
    struct evconnlistener *lev =
        evconnlistener_new(loop->base, NULL, NULL, LEV_OPT_REUSEABLE, 0, srv->fd);
    if (!lev || !evhttp_bind_listener(loop->http, lev)) return false;
    loop->done_ev = event_new(loop->base, -1, 0, on_done, loop);
    return loop->done_ev != NULL;
}

static void loop_free(struct loop *loop)
{
    on_done(-1, 0, loop); /* answers finished while stopping are dropped with their memory */
    if (loop->done_ev) event_free(loop->done_ev);
    if (loop->http) evhttp_free(loop->http); /* first: closing its connections uses deadlines */
    deadlines_free(loop->deadlines);
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
