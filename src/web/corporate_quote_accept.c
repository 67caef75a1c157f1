/* POST /corporate/quotes/NUMBER/accept: the signed-in billing contact accepts a quote of their
 * account (name, job title, optional PO number, the terms ticked). Accepted: back to the quote,
 * which names the invoice issued. Refused input: the quote again with the messages and what was
 * typed. A quote that can no longer be accepted (decided meanwhile, expired, a forged POST):
 * the quote again, saying why, without buttons. */
#include "pages.h"

void page_corporate_quote_accept(req_t *r)
{
    int64_t account_id = 0;
    if (!current_account(r, &account_id, NULL)) return;
    const char *number = r->n_params > 0 ? r->params[0] : NULL;
    quote_forms_t forms = {.accept = {.name = req_field(r, "name"),
                                      .title = req_field(r, "title"),
                                      .po_number = req_field(r, "po_number"),
                                      .accept_terms = req_field(r, "accept_terms"),
                                      .reason = ""},
                           .reason = "",
                           .comment = ""};
    quote_decider_t who = corporate_quote_decider(r, account_id);
    quote_decision_t out = {0};
    status_t st =
        quote_accept(r->svc, r->arena, &who, number, &forms.accept, &forms.accept_errors, &out);
    corporate_quote_answer(r, &forms, st, &out, "accepted=1", &forms.accept_refused);
}
