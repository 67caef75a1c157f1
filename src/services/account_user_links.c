/* Billing Center password links for account users: a random token, only its digest stored. */
#include "services/account_user_links.h"
#include "store/store_w9care.h"
#include "util/token.h"

store_status_t account_user_link_new(store_t *s, arena_t *a, int64_t user_id, int64_t now,
                                     int64_t ttl, const char *base_url, const char **link)
{
    char token[TOKEN_CHARS + 1], digest[DIGEST_CHARS + 1];
    token_new(token);
    token_digest(token, digest);
    store_status_t r = store_reset_create(s, AUDIENCE_BILLING, digest, user_id, now, now + ttl);
    if (r == STORE_OK) *link = arena_printf(a, "%s/billing/reset?token=%s", base_url, token);
    return r;
}
