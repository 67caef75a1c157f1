/* The HTTP server: HTTP/1.x over sockets, one libevent loop per core sharing one listening socket.
 */
#ifndef COBRO_SERVER_H
#define COBRO_SERVER_H
#include "request.h"

enum {
    HEADERS_MAX = 8 * 1024,            /* request headers, all together: over it, 431 */
    BODY_MAX = 64 * 1024,              /* request body: over it, 413 */
    HARD_HEADERS_MAX = 64 * 1024,      /* a head past it is not read (431, closed) */
    HARD_BODY_MAX = 1024 * 1024,       /* a body past it is not read (413, closed) */
    UPLOAD_BODY_MAX = 6 * 1024 * 1024, /* a route that takes a file (route_t.max_body) */
    IDLE_TIMEOUT_SECONDS = 30,         /* a connection that sends nothing for this long is closed */
};

/* Seconds a client refused for a full worker queue is asked to wait (Retry-After). */
#define BUSY_RETRY_AFTER "5"

/* Serves until SIGTERM or SIGINT. Returns the process exit status; on a start-up failure prints
 * one line naming the cause. */
int server_run(app_t *app);

#endif
