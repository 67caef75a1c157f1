/* Staff console: GET /staff/quotes/NUMBER/pdf, the quote's PDF as the customer gets it (drafts
 * too, as a preview of what sending would store), for staff who may manage the account. */
#include "pages.h"
#include "services/quotes.h"

void page_staff_quote_pdf(req_t *r)
{
    quote_staff_ctx_t ctx = staff_quote_ctx(r);
    quote_builder_t v;
    if (answer_status(r, quote_builder_view(r->svc, r->arena, &ctx,
                                            r->n_params > 0 ? r->params[0] : NULL, &v)))
        return;
    send_quote_pdf(r, &v.quote, &v.account);
}
