/* A request as handlers see it, and the response they fill in: no libevent types here, so a
 * handler can run on an event loop or on a worker thread alike. */
#ifndef COBRO_REQUEST_H
#define COBRO_REQUEST_H
#include "config.h"
#include "i18n/i18n.h"
#include "services/services.h"
#include "store/rows.h"
#include "util/buf.h"
#include "util/form.h"
#include "util/sealed.h"
#include "util/token.h"
#include <stdbool.h>
#include <stdint.h>

enum { METHOD_GET = 1, METHOD_POST = 2, METHOD_HEAD = 4, METHOD_OTHER = 8 };

/* What is shared by every thread, read-only once the server runs. */
typedef struct app {
    const config_t *cfg;
    const char *secret;         /* server secret: keys CSRF tokens */
    const data_key_t *data_key; /* seals bank numbers at rest */
    struct mailer *mailer;      /* NULL in tests and CLI runs */
    /* Vendor settings shown on every page (read at start-up). */
    const char *vendor_name, *care_email, *care_phone, *cas_email, *cas_phone;
} app_t;

typedef struct {
    const char *name, *value;
} header_t;

enum { RESP_MAX_HEADERS = 12 };

typedef struct {
    int status;
    const char *content_type; /* default text/html; charset=utf-8 */
    buf_t body;
    header_t headers[RESP_MAX_HEADERS];
    int n_headers;
} resp_t;

struct route;

typedef struct req {
    arena_t *arena;
    const app_t *app;
    services_t *svc; /* this thread's service handle (the store stays behind it) */
    int64_t now;     /* Unix seconds, read once per request */

    int method;
    const char *method_name, *path; /* path without the query */
    kvlist_t query, form, cookies;
    const char *body; /* raw request body (POST), NUL-terminated */
    size_t body_len;
    bool body_is_form; /* Content-Type application/x-www-form-urlencoded */
    /* multipart/form-data with its boundary, only on a route that takes files (max_body);
     * else NULL. Its text fields go to form, its files to uploads (router.c). */
    const char *content_type;
    const struct multipart_part *uploads;
    size_t n_uploads;
    const char *ip, *accept_language, *user_agent;
    const char *signature; /* the Stripe-Signature header of a gateway's event; NULL: none */
    lang_t lang;
    const struct route *route;
    const char *params[4]; /* the path segments matched by '*' in the route, in order */
    int n_params;

    /* The session, when the cookie names a live one. */
    bool signed_in;
    audience_t audience;
    int64_t principal_id;
    char session_token[TOKEN_CHARS + 1];
    char session_digest[DIGEST_CHARS + 1];
    bool session_expired; /* a cookie named a session that had gone idle */
    bool session_touch;   /* its last_seen_at is due to be written (session_write_back) */
    /* The signed-in principal, read at most once per request (session_principal). */
    const struct principal_view *principal;
    const char *csrf; /* the token this client's forms must carry */

    /* What the GET address of the page being shown needs beyond the default (see
     * layout.c's switcher), as name=value, percent-encoded: e.g. "failed=1" when a refused
     * sign-in is shown, so that the language switcher comes back to it. NULL: nothing. */
    const char *back_state;

    resp_t resp;
} req_t;

/* Response helpers. Strings must live as long as the request (arena or static). */
void resp_header(req_t *r, const char *name, const char *value);
void resp_redirect(req_t *r, const char *location); /* 303 See Other */
/* Sets a cookie with HttpOnly (unless script_readable), SameSite=Lax, Path=/, Secure when the
 * base URL is https. max_age < 0: session cookie; 0: delete. */
void resp_cookie(req_t *r, const char *name, const char *value, int max_age, bool script_readable);

/* Request helpers. */
const char *req_cookie(const req_t *r, const char *name);
const char *req_param(const req_t *r, const char *name); /* query string */
const char *req_field(const req_t *r, const char *name); /* form body; "" when absent */
/* The translation of msgid in the request's language. */
const char *req_tr(const req_t *r, const char *msgid);
/* trn in the request's language: the form of a counted text that fits n. */
const char *req_trn(const req_t *r, const char *msgid, const char *msgid_plural, unsigned long n);

/* Tells the delivery worker that the transaction just committed queued email. */
void req_mail_queued(req_t *r);

/* Makes a fresh session for the principal: sets the cookie and the request's session fields. */
void req_adopt_session(req_t *r, const char *token, audience_t aud, int64_t principal_id);
/* Recomputes r->csrf from the current session (or the anonymous seed). */
void req_refresh_csrf(req_t *r);

#endif
