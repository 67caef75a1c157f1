/* Request and response helpers shared by every handler. */
#include "request.h"
#include "workers/mailer.h"

#include <stdio.h>
#include <string.h>

void resp_header(req_t *r, const char *name, const char *value)
{
    if (r->resp.n_headers >= RESP_MAX_HEADERS) return;
    r->resp.headers[r->resp.n_headers].name = name;
    r->resp.headers[r->resp.n_headers].value = value;
    r->resp.n_headers++;
}

void resp_redirect(req_t *r, const char *location)
{
    r->resp.status = 303;
    resp_header(r, "Location", location);
}

void resp_cookie(req_t *r, const char *name, const char *value, int max_age, bool script_readable)
{
    char age[32] = "";
    if (max_age >= 0) snprintf(age, sizeof age, "; Max-Age=%d", max_age);
    resp_header(r, "Set-Cookie",
                arena_printf(r->arena, "%s=%s; Path=/%s%s; SameSite=Lax%s", name, value, age,
                             script_readable ? "" : "; HttpOnly",
                             r->app->cfg->secure_cookies ? "; Secure" : ""));
}

const char *req_cookie(const req_t *r, const char *name)
{
    return kv_get(&r->cookies, name);
}

const char *req_param(const req_t *r, const char *name)
{
    return kv_get(&r->query, name);
}

const char *req_field(const req_t *r, const char *name)
{
    const char *v = kv_get(&r->form, name);
    return v ? v : "";
}

const char *req_tr(const req_t *r, const char *msgid)
{
    return tr(r->lang, msgid);
}

const char *req_trn(const req_t *r, const char *msgid, const char *msgid_plural, unsigned long n)
{
    return trn(r->lang, msgid, msgid_plural, n);
}

void req_mail_queued(req_t *r)
{
    if (r->app->mailer) mailer_wake(r->app->mailer);
}
