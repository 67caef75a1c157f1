/* A whole-request deadline on top of evhttp. libevent's own timeout (evhttp_set_timeout) is
 * reset by every byte read, so a client trickling one byte at a time would keep its connection
 * for ever; here one timer per connection runs from the moment it may send a request (accepted,
 * or the previous answer sent) until the request has arrived whole.
 *
 * evhttp 2.1 has no hook when it accepts a connection except the one that makes its
 * bufferevent (evhttp_set_bevcb), called before the connection object exists. So that hook
 * notes the bufferevent (holding a reference, so it cannot vanish meanwhile), and a deferred
 * event, run in the same pass of the loop before any byte can be read, "adopts" it: it finds
 * the connection (the argument evhttp gives the bufferevent's callbacks), asks evhttp to tell us
 * when it closes, and starts the clock. Connections are found again by their socket, which is
 * unique while the connection lives. */
#include "deadline.h"
#include "util/log.h"

#include <event2/bufferevent.h>
#include <stdbool.h>
#include <stdlib.h>

struct conn {
    struct deadlines *owner;
    struct bufferevent *bev;
    struct evhttp_connection *evcon;
    struct event *timer;
    evutil_socket_t fd;
    int seconds;
    struct conn *next_fresh;
};

struct deadlines {
    struct event_base *base;
    const struct timeval *tv; /* a libevent "common timeout": O(1) for many equal timers */
    int seconds;
    struct event *adopt_ev;
    struct conn *fresh;  /* made by on_new_bev, not adopted yet */
    struct conn **by_fd; /* adopted connections, by socket */
    int cap;
};

static void forget(struct conn *c)
{
    struct deadlines *d = c->owner;
    if (c->fd >= 0 && c->fd < d->cap && d->by_fd[c->fd] == c) d->by_fd[c->fd] = NULL;
    if (c->timer) event_free(c->timer);
    free(c);
}

static void on_close(struct evhttp_connection *evcon, void *arg)
{
    (void)evcon;
    forget(arg);
}

static void on_expire(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct conn *c = arg;
    char *host = NULL;
    ev_uint16_t port = 0;
    evhttp_connection_get_peer(c->evcon, &host, &port);
    log_info("closed a connection from %s: no whole request within %d s", host ? host : "?",
             c->seconds);
    evhttp_connection_free(c->evcon); /* calls on_close, which frees c */
}

static bool remember(struct deadlines *d, struct conn *c)
{
    if (c->fd < 0) return false;
    if (c->fd >= d->cap) {
        int cap = d->cap ? d->cap : 256;
        while (cap <= c->fd)
            cap *= 2;
        struct conn **grown = realloc(d->by_fd, (size_t)cap * sizeof *grown);
        if (!grown) return false;
        for (int i = d->cap; i < cap; i++)
            grown[i] = NULL;
        d->by_fd = grown;
        d->cap = cap;
    }
    /* A socket number reused means its old connection is gone, even if we were not told. */
    if (d->by_fd[c->fd]) forget(d->by_fd[c->fd]);
    d->by_fd[c->fd] = c;
    return true;
}

static void adopt_fresh(struct deadlines *d)
{
    struct conn *c = d->fresh;
    d->fresh = NULL;
    while (c) {
        struct conn *next = c->next_fresh;
        struct bufferevent *bev = c->bev;
        bufferevent_event_cb eventcb = NULL;
        void *evcon = NULL;
        bufferevent_getcb(bev, NULL, NULL, &eventcb, &evcon);
        c->bev = NULL;
        c->fd = bufferevent_getfd(bev);
        c->timer = evtimer_new(d->base, on_expire, c);
        /* No callbacks: evhttp has already freed the connection (it failed at once). */
        if (!eventcb || !evcon || !c->timer || !remember(d, c)) {
            if (c->timer) event_free(c->timer);
            free(c);
        } else {
            c->evcon = evcon;
            evhttp_connection_set_closecb(c->evcon, on_close, c);
            evtimer_add(c->timer, d->tv);
        }
        bufferevent_decref(bev);
        c = next;
    }
}

static void on_adopt(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    adopt_fresh(arg);
}

static struct bufferevent *on_new_bev(struct event_base *base, void *arg)
{
    struct deadlines *d = arg;
    struct bufferevent *bev = bufferevent_socket_new(base, -1, 0); /* as evhttp makes them */
    struct conn *c = bev ? calloc(1, sizeof *c) : NULL;
    if (!c) return bev; /* out of memory: this connection goes without a deadline */
    c->owner = d;
    c->bev = bev;
    c->fd = -1;
    c->seconds = d->seconds;
    bufferevent_incref(bev);
    c->next_fresh = d->fresh;
    d->fresh = c;
    event_active(d->adopt_ev, EV_READ, 0);
    return bev;
}

deadlines_t *deadlines_new(struct event_base *base, struct evhttp *http, int seconds)
{
    struct deadlines *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->base = base;
    d->seconds = seconds;
    struct timeval tv = {seconds, 0};
    d->tv = event_base_init_common_timeout(base, &tv);
    d->adopt_ev = event_new(base, -1, 0, on_adopt, d);
    if (!d->tv || !d->adopt_ev) {
        deadlines_free(d);
        return NULL;
    }
    evhttp_set_bevcb(http, on_new_bev, d);
    return d;
}

static void on_answered(struct evhttp_request *req, void *arg)
{
    (void)req;
    struct conn *c = arg;
    evtimer_add(c->timer, c->owner->tv); /* the next request on this connection */
}

void deadlines_arrived(deadlines_t *d, struct evhttp_request *req)
{
    if (!d) return;
    if (d->fresh) adopt_fresh(d);
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
    evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
    struct conn *c = fd >= 0 && fd < d->cap ? d->by_fd[fd] : NULL;
    if (!c || c->evcon != evcon) return;
    evtimer_del(c->timer);
    evhttp_request_set_on_complete_cb(req, on_answered, c);
}

void deadlines_free(deadlines_t *d)
{
    if (!d) return;
    while (d->fresh) {
        struct conn *c = d->fresh;
        d->fresh = c->next_fresh;
        bufferevent_decref(c->bev);
        free(c);
    }
    for (int i = 0; i < d->cap; i++)
        if (d->by_fd[i]) forget(d->by_fd[i]);
    free(d->by_fd);
    if (d->adopt_ev) event_free(d->adopt_ev);
    free(d);
}
