/* The program's one status: what the store, the services and the views answer (store_status_t,
 * settings_status_t and auth_status_t are this type, their STORE_*, SETTINGS_* and AUTH_* names
 * its values), and what the web turns into an HTTP answer in one place (web/errors.c,
 * answer_status). */
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
