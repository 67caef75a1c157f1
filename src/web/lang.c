/* The language switcher: remembers the choice in a cookie and goes back to the page. */
#include "http/local_target.h"
#include "http/router.h"
#include "http/session.h"
#include "pages.h"

#include <string.h>

/* A page the switcher may return to: one the route table answers with GET, but not the
 * switcher itself (a target that pointed back here would only bounce). */
static bool switcher_target_known(const char *path)
{
    return strcmp(path, "/lang") != 0 && router_has_page(path);
}

void page_lang(req_t *r)
{
    lang_t lang;
    if (lang_parse(req_param(r, "to"), &lang)) {
        resp_cookie(r, LANG_COOKIE, lang_code(lang), 365 * 24 * 3600, true);
        r->lang = lang;
    }
    const char *next = req_param(r, "next");
    const char *target = local_target(r->arena, next, switcher_target_known);
    if (!target) {
        /* A refused target leads to the start of the portal its path named (a fixed address),
         * so that a mangled link still lands somewhere useful and never anywhere else. */
        const char *path = next ? arena_strndup(r->arena, next, strcspn(next, "?#")) : NULL;
        target = section_home(section_of_path(path));
    }
    resp_redirect(r, target);
}
