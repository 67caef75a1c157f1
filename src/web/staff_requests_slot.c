/* REQUESTS SLOT: the places in the staff console where the requests of issue 14 (migration 14's
 * requests table) are shown. The requests work fills these in; until then they show nothing.
 * staff_account.c calls staff_account_requests_section under the account's actions (the home
 * pages call staff_home_requests, staff_requests.c). */
#include "pages.h"

void staff_account_requests_section(req_t *r, const account_t *acc)
{
    (void)r;
    (void)acc; /* REQUESTS: the account's requests, open first, each linking to its page. */
}
