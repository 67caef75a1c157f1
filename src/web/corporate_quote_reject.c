/* POST /corporate/quotes/NUMBER/reject: the signed-in billing contact rejects a quote of their
 * account with a reason (price, timing, seats, other) and an optional comment. As the accept
 * POST: back to the quote when done, the quote with the messages when refused. */
#include "pages.h"

void page_corporate_quote_reject(req_t *r)
{
    int64_t account_id = 0;
    if (!current_account(r, &account_id, NULL)) return;
    const char *number = r->n_params > 0 ? r->params[0] : NULL;
    quote_forms_t forms = {.accept = {.name = "", .title = "", .po_number = "", .accept_terms = ""},
                           .reason = req_field(r, "reason"),
                           .comment = req_field(r, "comment")};
    quote_decider_t who = corporate_quote_decider(r, account_id);
    quote_decision_t out = {0};
    status_t st = quote_reject(r->svc, r->arena, &who, number, forms.reason, forms.comment,
                               &forms.reason_error, &forms.comment_error, &out);
    corporate_quote_answer(r, &forms, st, &out, "rejected=1", &forms.reject_refused);
}
