/* Sessions and CSRF tokens: reading the cookie, idle timeout, and the token every form carries. */
#include "session.h"
#include "services/session_views.h"

#include <string.h>

bool session_load(req_t *r)
{
    const char *token = req_cookie(r, SESSION_COOKIE);
    if (token_well_formed(token)) {
        char digest[DIGEST_CHARS + 1];
        token_digest(token, digest);
        session_t s;
        status_t st = sessions_find(r->svc, digest, &s);
        if (st != STATUS_OK && st != STATUS_NOT_FOUND) return false;
        if (st == STATUS_OK) {
            if (r->now - s.last_seen_at > SESSION_IDLE_SECONDS) {
                memcpy(r->session_digest, digest, DIGEST_CHARS + 1);
                resp_cookie(r, SESSION_COOKIE, "", 0, false);
                r->session_expired = true;
            } else {
                r->signed_in = true;
                r->audience = s.audience;
                r->principal_id = s.principal_id;
                memcpy(r->session_token, token, TOKEN_CHARS + 1);
                memcpy(r->session_digest, digest, DIGEST_CHARS + 1);
                r->session_touch = r->now - s.last_seen_at >= SESSION_TOUCH_SECONDS;
            }
        }
    }
    req_refresh_csrf(r);
    return true;
}

void req_refresh_csrf(req_t *r)
{
    char mac[TOKEN_CHARS + 1];
    if (r->signed_in) {
        /* "session:<token>", put together without printf (every signed-in page does this). */
        char msg[sizeof "session:" + TOKEN_CHARS];
        size_t n = strnlen(r->session_token, TOKEN_CHARS);
        memcpy(msg, "session:", 8);
        memcpy(msg + 8, r->session_token, n);
        msg[8 + n] = '\0';
        token_mac(r->app->secret, msg, mac);
    } else {
        const char *seed = req_cookie(r, SEED_COOKIE);
        if (!token_well_formed(seed)) {
            char fresh[TOKEN_CHARS + 1];
            token_new(fresh);
            seed = arena_strdup(r->arena, fresh);
            resp_cookie(r, SEED_COOKIE, seed, -1, false);
            /* Later lookups in this request see the new seed. */
            kv_t *items = arena_alloc(r->arena, (r->cookies.n + 1) * sizeof *items);
            memcpy(items, r->cookies.items, r->cookies.n * sizeof *items);
            items[r->cookies.n].name = SEED_COOKIE;
            items[r->cookies.n].value = seed;
            r->cookies.items = items;
            r->cookies.n++;
        }
        token_mac(r->app->secret, arena_printf(r->arena, "seed:%s", seed), mac);
    }
    r->csrf = arena_strdup(r->arena, mac);
}

void session_write_back(req_t *r)
{
    if (r->session_expired && r->session_digest[0] && !r->signed_in)
        sessions_delete(r->svc, r->session_digest);
    else if (r->signed_in && r->session_touch)
        sessions_touch(r->svc, r->session_digest, r->now);
    r->session_touch = false;
}

bool session_csrf_ok(const req_t *r)
{
    return token_equal(kv_get(&r->form, "csrf"), r->csrf);
}

void req_adopt_session(req_t *r, const char *token, audience_t aud, int64_t principal_id)
{
    r->signed_in = true;
    r->audience = aud;
    r->principal_id = principal_id;
    r->principal = NULL;
    memcpy(r->session_token, token, TOKEN_CHARS + 1);
    token_digest(token, r->session_digest);
    resp_cookie(r, SESSION_COOKIE, token, -1, false);
    req_refresh_csrf(r);
}

void session_end(req_t *r)
{
    if (r->signed_in) sessions_delete(r->svc, r->session_digest);
    r->signed_in = false;
    r->principal = NULL;
    resp_cookie(r, SESSION_COOKIE, "", 0, false);
}

const principal_view_t *session_principal(req_t *r, status_t *status)
{
    status_t st = STATUS_OK;
    if (!r->signed_in) {
        st = STATUS_NOT_FOUND;
    } else if (!r->principal) {
        principal_view_t *p = arena_alloc(r->arena, sizeof *p);
        st = principal_view(r->svc, r->arena, r->audience, r->principal_id, p);
        if (st == STATUS_OK) r->principal = p;
    }
    if (status) *status = st;
    return st == STATUS_OK ? r->principal : NULL;
}
