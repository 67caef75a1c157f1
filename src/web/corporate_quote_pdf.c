/* GET /corporate/quotes/NUMBER/pdf: the quote's PDF, in the account's language. */
#include "pages.h"
#include "services/corporate_views.h"

void page_corporate_quote_pdf(req_t *r)
{
    credential_t c;
    account_t acc;
    if (!settings_load_contact(r, &c, &acc)) return;
    quote_t q;
    char *live = NULL;
    char today[11] = "";
    if (answer_status(r, quote_customer_view(r->svc, r->arena, acc.id,
                                             r->n_params > 0 ? r->params[0] : NULL, r->now, &q,
                                             &live, today)))
        return;
    send_quote_pdf(r, &q, &acc);
}
