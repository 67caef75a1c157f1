/* The route table and the one place where every request is authorized. */
#ifndef COBRO_ROUTER_H
#define COBRO_ROUTER_H
#include "request.h"

typedef enum {
    ACCESS_PUBLIC = 0, /* anyone */
    ACCESS_CORPORATE,  /* a corporate billing contact's session */
    ACCESS_BILLING,    /* a Billing Center user's session */
    ACCESS_STAFF,      /* a staff session */
    ACCESS_SIGNED_IN,  /* any session */
} access_t;

typedef void (*handler_fn)(req_t *r);

typedef struct route {
    int methods;      /* METHOD_GET | METHOD_POST ... (HEAD is allowed wherever GET is) */
    const char *path; /* exact path; a '*' segment matches any one segment, which the handler
                         finds in r->params */
    access_t access;
    const char *role; /* NULL: any role of that audience; else the role required */
    handler_fn handler;
    bool blocking;   /* runs on the worker pool (password hashing, SMTP, PDF) */
    bool no_session; /* skips sessions and cookies entirely (health checks, static files) */
    int max_fields;  /* fields a POSTed form may carry; 0: FORM_MAX_FIELDS (a quote's builder
                        sends seven a line, for up to twenty lines) */
    size_t max_body; /* largest POST body taken, in bytes; 0: BODY_MAX. Above BODY_MAX only
                        for file uploads (multipart/form-data), up to UPLOAD_BODY_MAX */
} route_t;

extern const route_t routes[];
extern const int n_routes;

/* The route for path, or NULL; the '*' segments go to params (at most 4, arena copies).
 * *method_ok tells whether the method is one it takes. */
const route_t *router_find(arena_t *a, const char *path, int method, bool *method_ok,
                           const char **params, int *n_params);

/* Whether a GET of path (without its query) finds a route, as router_find would; nothing runs
 * and nothing is allocated. */
bool router_has_page(const char *path);

/* Runs a request whose route was found: body limits already checked by the HTTP layer.
 * GET and HEAD handlers on the event loops run inside a read transaction: they must not write
 * (a page that changes something is a POST).
 * Parses the form, loads the session, checks CSRF and access, calls the handler; every failure
 * becomes a proper page in the user's language. */
void router_dispatch(req_t *r);

/* The sign-in page of an access kind ("/corporate", "/billing", "/staff"). */
const char *router_sign_in_path(access_t access);

/* The largest body a POST to path may carry (the first matching route's max_body, else
 * BODY_MAX): what the HTTP layer reads before refusing with 413. Nothing is allocated. */
size_t router_body_max(const char *path);

#endif
