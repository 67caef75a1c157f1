/* The language switcher: remembers the choice in a cookie and goes back to the page. */
#include "http/session.h"
#include "pages.h"

#include <string.h>

/* Only a local path may be a target, so the switcher cannot send anyone to another site. */
static bool local_path(const char *p)
{
    return p && p[0] == '/' && p[1] != '/' && p[1] != '\\' && !strpbrk(p, "\r\n");
}

void page_lang(req_t *r)
{
    lang_t lang;
    if (lang_parse(req_param(r, "to"), &lang)) {
        resp_cookie(r, LANG_COOKIE, lang_code(lang), 365 * 24 * 3600, true);
        r->lang = lang;
    }
    const char *next = req_param(r, "next");
    resp_redirect(r, local_path(next) ? next : "/");
}
