/* Sign out: ends the session and returns to that audience's sign-in page. */
#include "http/router.h"
#include "http/session.h"
#include "pages.h"

void page_sign_out(req_t *r)
{
    access_t back = r->audience == AUDIENCE_BILLING ? ACCESS_BILLING
                    : r->audience == AUDIENCE_STAFF ? ACCESS_STAFF
                                                    : ACCESS_CORPORATE;
    session_end(r);
    resp_redirect(r, arena_printf(r->arena, "%s?signed_out=1", router_sign_in_path(back)));
}
