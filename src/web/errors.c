/* Error pages, in the user's language, for every status the server answers with. */
#include "pages.h"
#include "http/server.h"

typedef struct {
    int status;
    const char *title, *text;
} error_text_t;

static const error_text_t errors[] = {
    {400, N_("Bad request"),
     N_("The address or the form data could not be read. Check what you typed and try again.")},
    {403, N_("This form has expired"),
     N_("For your security, the form could not be accepted. Go back, reload the page and try "
        "again.")},
    {404, N_("Page not found"),
     N_("There is no page at this address, or you are not allowed to see it.")},
    {405, N_("Method not allowed"), N_("This page cannot be used that way.")},
    {409, N_("Changed meanwhile"),
     N_("Someone else changed this at the same time. Reload the page and try again.")},
    {413, N_("Too much data"), N_("What was sent is larger than this page accepts.")},
    {429, N_("Too many requests"), N_("Please wait a while before you try again.")},
    {431, N_("Request headers too large"),
     N_("Your browser sent more header data than the server accepts. Clearing this site's "
        "cookies usually helps.")},
    {500, N_("Something went wrong"),
     N_("The server could not answer this request. Please try again later; if it happens again, "
        "tell Customer Care.")},
    {503, N_("Service unavailable"),
     N_("The service cannot answer right now. Please try again in a few minutes.")},
};

static const error_text_t busy = {
    503, N_("Server busy"),
    N_("Too many requests are waiting right now. Please try again in a few seconds.")};

static void render_error(req_t *r, const error_text_t *e)
{
    r->resp.status = e->status;
    r->resp.body.len = 0;
    r->resp.body.data[0] = '\0';
    if (!r->csrf) r->csrf = "";
    /* In the frame of the portal the address belongs to (its name, and its tabs for someone
     * signed in to it), with a way back to that portal's start. */
    section_t section = section_of_path(r->path);
    layout_begin(r, section, T(e->title));
    html_render(&r->resp.body, "<h1>%s</h1><p>%s</p><p><a href=\"%s\">%s</a></p>", T(e->title),
                T(e->text), section_home(section), T("Go to the start page"));
    layout_end(r);
}

void page_error(req_t *r, int status)
{
    const error_text_t *e = &errors[0];
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++)
        if (errors[i].status == status) e = &errors[i];
    error_text_t shown = *e;
    shown.status = status; /* an unknown status keeps its number, with the 400 texts */
    render_error(r, &shown);
}

void page_busy(req_t *r)
{
    render_error(r, &busy);
}

int status_http(status_t st)
{
    switch (st) {
    case STATUS_OK:
        return 200;
    case STATUS_NOT_FOUND:
    case STATUS_REFUSED:
        return 404; /* a principal without the right must not learn it exists */
    case STATUS_INVALID:
        return 400;
    case STATUS_CONFLICT:
        return 409;
    case STATUS_LIMITED:
    case STATUS_LOCKED:
        return 429;
    case STATUS_BUSY:
        return 503;
    default:
        return 500;
    }
}

bool answer_status(req_t *r, status_t st)
{
    if (st == STATUS_OK) return false;
    if (st == STATUS_BUSY) {
        page_error(r, 503);
        resp_header(r, "Retry-After", BUSY_RETRY_AFTER);
    } else {
        page_error(r, status_http(st));
    }
    return true;
}
