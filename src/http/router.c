/* The route table's look-up and the one place where every request is authorized. */
#include "router.h"
#include "server.h"
#include "session.h"
#include "services/session_views.h"
#include "util/log.h"
#include "util/multipart.h"
#include "web/pages.h"

#include <pthread.h>
#include <string.h>

/* Matches path against pattern segment by segment; '*' takes one non-empty segment, copied to
 * params unless a is NULL (a look-up that only asks whether the path matches). */
static bool path_match(arena_t *a, const char *pattern, const char *path, const char **params,
                       int *n_params)
{
    *n_params = 0;
    while (*pattern && *path) {
        if (pattern[0] == '*' && (pattern[1] == '/' || pattern[1] == '\0')) {
            size_t len = strcspn(path, "/");
            if (len == 0 || *n_params == 4) return false;
            if (a) params[*n_params] = arena_strndup(a, path, len);
            (*n_params)++;
            path += len;
            pattern++;
            continue;
        }
        if (*pattern != *path) return false;
        pattern++;
        path++;
    }
    return *pattern == '\0' && *path == '\0';
}

/* Each route's literal start (up to its first '*') and whether that is all of it, measured once:
 * most routes are then ruled out by a length and a memcmp instead of a walk byte by byte (the
 * Invoice History route came about thirtieth, 3,600 instructions a request). */
enum { ROUTES_MAX = 128 };
static struct {
    unsigned short lit;
    bool exact;
} route_shape[ROUTES_MAX];
static pthread_once_t route_shape_once = PTHREAD_ONCE_INIT;

static void measure_routes(void)
{
    for (int i = 0; i < n_routes && i < ROUTES_MAX; i++) {
        const char *star = strchr(routes[i].path, '*');
        route_shape[i].lit =
            (unsigned short)(star ? (size_t)(star - routes[i].path) : strlen(routes[i].path));
        route_shape[i].exact = !star;
    }
}

/* False when path cannot match route i (true: path_match decides). */
static bool may_match(int i, const char *path, size_t len)
{
    if (i >= ROUTES_MAX) return true;
    size_t lit = route_shape[i].lit;
    if (route_shape[i].exact ? len != lit : len <= lit) return false;
    return memcmp(routes[i].path, path, lit) == 0;
}

const route_t *router_find(arena_t *a, const char *path, int method, bool *method_ok,
                           const char **params, int *n_params)
{
    pthread_once(&route_shape_once, measure_routes);
    size_t len = strlen(path);
    *n_params = 0;
    for (int i = 0; i < n_routes; i++) {
        if (!may_match(i, path, len) || !path_match(a, routes[i].path, path, params, n_params))
            continue;
        int allowed = routes[i].methods;
        if (allowed & METHOD_GET) allowed |= METHOD_HEAD;
        *method_ok = (allowed & method) != 0;
        return &routes[i];
    }
    *method_ok = false;
    return NULL;
}

bool router_has_page(const char *path)
{
    int n_params;
    for (int i = 0; path && i < n_routes; i++)
        if (path_match(NULL, routes[i].path, path, NULL, &n_params))
            return (routes[i].methods & METHOD_GET) != 0; /* the first match answers, as there */
    return false;
}

size_t router_body_max(const char *path)
{
    int n_params;
    if (!path) return BODY_MAX;
    pthread_once(&route_shape_once, measure_routes);
    size_t len = strlen(path);
    for (int i = 0; i < n_routes; i++)
        if (may_match(i, path, len) && path_match(NULL, routes[i].path, path, NULL, &n_params)) {
            size_t m = routes[i].max_body;
            return m > BODY_MAX ? (m < UPLOAD_BODY_MAX ? m : UPLOAD_BODY_MAX) : BODY_MAX;
        }
    return BODY_MAX;
}

const char *router_sign_in_path(access_t access)
{
    switch (access) {
    case ACCESS_BILLING:
        return "/billing";
    case ACCESS_STAFF:
        return "/staff";
    default:
        return "/corporate";
    }
}

static bool audience_matches(access_t access, audience_t aud)
{
    switch (access) {
    case ACCESS_CORPORATE:
        return aud == AUDIENCE_CORPORATE;
    case ACCESS_BILLING:
        return aud == AUDIENCE_BILLING;
    case ACCESS_STAFF:
        return aud == AUDIENCE_STAFF;
    default:
        return true;
    }
}

/* The role of the signed-in principal, for routes that require one. */
static const char *principal_role(req_t *r)
{
    const principal_view_t *p = session_principal(r, NULL);
    return p ? p->role : "";
}

/* Sends a visitor without the right session to the sign-in page (after an idle timeout, with
 * the notice that says so). */
static void to_sign_in(req_t *r)
{
    const char *path = router_sign_in_path(r->route->access);
    resp_redirect(r, r->session_expired ? arena_printf(r->arena, "%s?expired=1", path) : path);
}

/* Pages that only read (GET and HEAD on the event loops) run in one read transaction: one
 * snapshot, and SQLite's locks taken once per request instead of once per query, which the
 * profile of the Invoice History page showed as the largest cost after the network. */
static bool reads_only(const req_t *r)
{
    return (r->method == METHOD_GET || r->method == METHOD_HEAD) && !r->route->blocking &&
           !r->route->no_session;
}

static void dispatch(req_t *r);

/* The page, in its read transaction. It answers whatever it reads (a failed read is an error
 * page), so the transaction never runs it twice. */
static void page_body(void *arg)
{
    dispatch(arg);
}

void router_dispatch(req_t *r)
{
    if (!(reads_only(r) && services_in_read(r->svc, page_body, r)))
        dispatch(r); /* a write, or no snapshot to be had: query by query */
    if (!r->route->no_session) session_write_back(r);
}

static void dispatch(req_t *r)
{
    const route_t *route = r->route;
    if (r->method == METHOD_POST && r->body_is_form) {
        parse_status_t ps = form_parse_body(
            r->arena, r->body, r->body_len,
            route->max_fields > 0 ? (size_t)route->max_fields : FORM_MAX_FIELDS, &r->form);
        if (ps != PARSE_OK) {
            page_error(r, ps == PARSE_TOO_LARGE ? 413 : 400);
            return;
        }
    }
    if (r->method == METHOD_POST && r->content_type) {
        /* A route that takes files (server.c keeps content_type only there): the text fields
         * become the form (the CSRF token among them), the files the uploads. */
        multipart_part_t *parts = NULL;
        size_t n = 0;
        parse_status_t ps = multipart_parse(r->arena, r->content_type, r->body, r->body_len,
                                            MULTIPART_MAX_PARTS, &parts, &n);
        if (ps != PARSE_OK) {
            page_error(r, ps == PARSE_TOO_LARGE ? 413 : 400);
            return;
        }
        kv_t *kv = arena_alloc(r->arena, (n ? n : 1) * sizeof *kv);
        multipart_part_t *files = arena_alloc(r->arena, (n ? n : 1) * sizeof *files);
        for (size_t i = 0; i < n; i++) {
            if (parts[i].filename)
                files[r->n_uploads++] = parts[i];
            else
                kv[r->form.n++] = (kv_t){.name = parts[i].name, .value = parts[i].data};
        }
        r->form.items = kv;
        r->uploads = files;
    }
    if (!route->no_session && !session_load(r)) {
        answer_status(r, STATUS_BUSY); /* the database did not answer: 503, Retry-After */
        return;
    }
    if (r->method == METHOD_POST && !route->no_session && !session_csrf_ok(r)) {
        log_info("refused %s %s: missing or wrong CSRF token", r->method_name, r->path);
        page_error(r, 403);
        return;
    }
    if (route->access != ACCESS_PUBLIC) {
        if (!r->signed_in || !audience_matches(route->access, r->audience)) {
            to_sign_in(r);
            return;
        }
        /* A principal without the role must not even learn that the page exists. */
        if (route->role && strcmp(principal_role(r), route->role) != 0) {
            page_error(r, 404);
            return;
        }
    }
    route->handler(r);
}
