/* Health check for load balancers: 200 when the database answers. */
#include "pages.h"

void page_healthz(req_t *r)
{
    r->resp.content_type = "text/plain; charset=utf-8";
    if (services_ping(r->svc) == STATUS_OK) {
        buf_puts(&r->resp.body, "ok\n");
    } else {
        r->resp.status = 503;
        buf_puts(&r->resp.body, "database unavailable\n");
    }
}
