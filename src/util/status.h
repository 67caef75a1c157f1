/* One status for what services answer (and what the store answers, once converted): the web
 * turns it into an HTTP answer in one place (web/errors.c, answer_status). */
#ifndef COBRO_STATUS_H
#define COBRO_STATUS_H

typedef enum {
    STATUS_OK = 0,
    STATUS_NOT_FOUND, /* no such thing, or not the asker's: answered alike (404) */
    STATUS_INVALID,   /* what was sent was refused (400; a form shows its own errors) */
    STATUS_CONFLICT,  /* someone else's change came first (409) */
    STATUS_LIMITED,   /* a sending or rate limit was reached (429) */
    STATUS_LOCKED,    /* too many failed attempts: locked for a while (429) */
    STATUS_REFUSED,   /* the principal may not do this: answered as not found (404) */
    STATUS_BUSY,      /* the database is busy: try again shortly (503, Retry-After) */
    STATUS_ERROR,     /* a hard failure, already logged (500) */
} status_t;

#endif
