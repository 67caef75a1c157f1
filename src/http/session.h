/* Sessions and CSRF tokens: reading the cookie, idle timeout, and the token every form carries. */
#ifndef COBRO_SESSION_H
#define COBRO_SESSION_H
#include "request.h"

#define SESSION_COOKIE "cobro_session"
#define SEED_COOKIE "cobro_pre"
#define LANG_COOKIE "cobro_lang"

enum {
    SESSION_IDLE_SECONDS = 30 * 60,
    SESSION_TOUCH_SECONDS = 60, /* last_seen_at is written at most once a minute */
};

/* Reads the session cookie into r (signed_in, audience, principal) and ends a session idle for
 * longer than SESSION_IDLE_SECONDS (r->session_expired). Then sets r->csrf, creating the
 * anonymous seed cookie when the client has neither. False when the store failed. */
bool session_load(req_t *r);

/* Writes what session_load left for later (marking the session used, removing an idle one):
 * pages that only read run inside a read transaction, and these writes come after it. */
void session_write_back(req_t *r);

/* True when the form's csrf field matches what this client must send. */
bool session_csrf_ok(const req_t *r);

/* The signed-in principal (who, which account, which role), read from the services once per
 * request; NULL, with the reason in *status (may be NULL), when nobody is signed in
 * (STATUS_NOT_FOUND) or it cannot be read. */
struct principal_view;
const struct principal_view *session_principal(req_t *r, status_t *status);

/* Ends the current session (row and cookie). */
void session_end(req_t *r);

#endif
