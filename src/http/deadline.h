/* A whole-request deadline: a request that has not arrived whole within the set time of its
 * connection opening (or of the previous answer on it) is dropped with its connection. */
#ifndef COBRO_DEADLINE_H
#define COBRO_DEADLINE_H
#include <event2/event.h>
#include <event2/http.h>

typedef struct deadlines deadlines_t;

/* Gives every connection http accepts (on base, the loop that runs it) a deadline of seconds.
 * NULL when out of memory. Free it after http. */
deadlines_t *deadlines_new(struct event_base *base, struct evhttp *http, int seconds);
/* To call when req has arrived whole: its clock stops, and the next request's starts once the
 * answer to this one has been sent. */
void deadlines_arrived(deadlines_t *d, struct evhttp_request *req);
void deadlines_free(deadlines_t *d);

#endif
