/* POST /payments/events: the payment gateway's signed events (docs/payments.md). No session and
 * no CSRF token: the signature over the raw body is what is checked. 200 when acted on or seen
 * before, 400 when forged, stale or unreadable (the gateway stops sending it), 503 when the
 * database failed (the gateway sends it again). */
#include "pages.h"
#include "services/payments.h"

void page_payment_events(req_t *r)
{
    r->resp.content_type = "application/json";
    event_outcome_t o = payments_handle_event(r->svc, r->body, r->body_len, r->signature, r->now);
    switch (o) {
    case EVENT_ACTED:
        req_mail_queued(r); /* a receipt, when a payment settled */
        /* fall through */
    case EVENT_SEEN:
        r->resp.status = 200;
        html_render(&r->resp.body, "{\"received\":true}");
        break;
    case EVENT_REFUSED:
        r->resp.status = 400;
        html_render(&r->resp.body, "{\"error\":\"refused\"}");
        break;
    case EVENT_RETRY:
        r->resp.status = 503;
        resp_header(r, "Retry-After", "5");
        html_render(&r->resp.body, "{\"error\":\"busy\"}");
        break;
    }
}
