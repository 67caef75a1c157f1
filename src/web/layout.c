/* The frame of every page (head, header with tabs and language switcher, footer with contact
 * options) and the small form helpers the pages share. */
#include "http/router.h"
#include "http/session.h"
#include "i18n/address.h"
#include "i18n/format.h"
#include "services/session_views.h"
#include "pages.h"
#include "util/form.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

static const char *section_name(req_t *r, section_t section)
{
    switch (section) {
    case SECTION_CORPORATE:
        return T("Corporate Billing Portal");
    case SECTION_BILLING:
        return T("Billing Center");
    case SECTION_STAFF:
        return T("Staff console");
    default:
        return r->app && r->app->vendor_name && *r->app->vendor_name ? r->app->vendor_name
                                                                     : T("Billing");
    }
}

/* True when path is prefix or a page below it (an invoice under Invoice History). */
static bool path_under(const char *path, const char *prefix)
{
    size_t len = strlen(prefix);
    return strncmp(path, prefix, len) == 0 && (path[len] == '\0' || path[len] == '/');
}

/* Each portal's start, which is also the prefix of all its pages. */
static const struct {
    const char *prefix;
    section_t section;
} sections[] = {
    {"/corporate", SECTION_CORPORATE}, {"/billing", SECTION_BILLING}, {"/staff", SECTION_STAFF}};

section_t section_of_path(const char *path)
{
    for (size_t i = 0; path && i < sizeof sections / sizeof sections[0]; i++)
        if (path_under(path, sections[i].prefix)) return sections[i].section;
    return SECTION_HOME;
}

const char *section_home(section_t section)
{
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
        if (sections[i].section == section) return sections[i].prefix;
    return "/";
}

static bool signed_in_to(const req_t *r, section_t section)
{
    if (!r->signed_in) return false;
    return (section == SECTION_CORPORATE && r->audience == AUDIENCE_CORPORATE) ||
           (section == SECTION_BILLING && r->audience == AUDIENCE_BILLING) ||
           (section == SECTION_STAFF && r->audience == AUDIENCE_STAFF);
}

typedef struct {
    const char *path, *label;
    bool admin_only;     /* Billing Center: only the billing administrator sees invoices */
    const char *also[3]; /* other pages reached from this tab, where it stays current */
} tab_t;

/* The tabs of each signed-in section; the corporate portal's in the help texts' order, Quotes
 * first. */
static const tab_t corporate_tabs[] = {
    {"/corporate/quotes", N_("Quotes"), false, {NULL}},
    {"/corporate/account", N_("Account"), false, {"/corporate/bill-to", "/corporate/recipients"}},
    {"/corporate/invoices", N_("Invoice History"), false, {NULL}},
    {"/corporate/payment-method", N_("Payment Method"), false, {NULL}},
    {"/corporate/purchase-orders", N_("Purchase orders"), false, {NULL}},
    {"/corporate/requests", N_("Requests"), false, {NULL}},
    {NULL, NULL, false, {NULL}}};
/* The Billing Center's, one line each: the administrator's pages are admin_only (members see
 * the Account tab alone). */
static const tab_t billing_tabs[] = {
    {"/billing/account", N_("Account"), false, {"/billing/bill-to", "/billing/recipients"}},
    {"/billing/subscription", N_("Subscription"), true, {NULL}},
    {"/billing/invoices", N_("Invoice History"), true, {NULL}},
    {"/billing/payment-method", N_("Payment Method"), true, {NULL}},
    {NULL, NULL, false, {NULL}}};
static const tab_t staff_tabs[] = {{"/staff/home", N_("Home"), false, {"/staff/payment-details"}},
                                   {"/staff/accounts", N_("Accounts"), false, {"/staff/invoices"}},
                                   {"/staff/quotes", N_("Quotes"), false, {NULL}},
                                   {"/staff/requests", N_("Requests"), false, {NULL}},
                                   {NULL, NULL, false, {NULL}}};

static bool tab_current(const tab_t *t, const char *path)
{
    if (path_under(path, t->path)) return true;
    for (size_t i = 0; i < sizeof t->also / sizeof t->also[0] && t->also[i]; i++)
        if (path_under(path, t->also[i])) return true;
    return false;
}

static bool is_billing_admin(req_t *r)
{
    const principal_view_t *p = r->audience == AUDIENCE_BILLING ? session_principal(r, NULL) : NULL;
    return p && p->billing_admin;
}

static const tab_t *tabs_of(section_t section)
{
    return section == SECTION_CORPORATE ? corporate_tabs
           : section == SECTION_BILLING ? billing_tabs
                                        : staff_tabs;
}

enum { TABS_MAX = 8 };

/* Form fields that the page a form belongs to takes back from its query string, so that
 * coming back to it (in another language) keeps them: the reset link's token, and what was
 * typed as the login. Never a password; and not the User ID of "Forgot your password?", whose
 * answer must read the same whatever was typed. */
static const struct {
    const char *form_path, *field;
} kept_fields[] = {{"/corporate/reset", "token"},
                   {"/billing/reset", "token"},
                   {"/corporate/sign-in", "user_id"},
                   {"/billing/sign-in", "email"},
                   {"/staff/sign-in", "email"}};

enum { KEPT_FIELD_MAX = 256 }; /* a longer value is not worth a long address: left out */

/* Appends "&name=value" (the first one with '?') to the address in b. */
static void add_param(buf_t *b, bool *first, const char *name, const char *value)
{
    buf_putc(b, *first ? '?' : '&');
    *first = false;
    buf_puts(b, name);
    buf_putc(b, '=');
    url_encode(b, value);
}

/* The GET address that shows this page again, where the language switcher returns. A GET comes
 * back to its own path and query. A POST (a refused form, whatever refused it: the handler, the
 * CSRF check, the sign-in lockout) comes back to the page its form belongs to: its own path
 * when it also answers GET, else the nearest page up its path (/corporate/sign-in leads to
 * /corporate); with the fields that page takes back and the state the handler named. */
static const char *switcher_return(req_t *r)
{
    buf_t b;
    buf_init(&b, r->arena);
    bool first = true;
    if (r->method != METHOD_POST) {
        buf_puts(&b, r->path);
        for (size_t i = 0; i < r->query.n; i++)
            add_param(&b, &first, r->query.items[i].name, r->query.items[i].value);
        return b.data;
    }
    char *page = arena_strdup(r->arena, r->path);
    while (!router_has_page(page)) {
        char *slash = strrchr(page, '/');
        if (!slash || slash == page) {
            page = "/";
            break;
        }
        *slash = '\0';
    }
    buf_puts(&b, page);
    for (size_t i = 0; i < sizeof kept_fields / sizeof kept_fields[0]; i++) {
        if (strcmp(r->path, kept_fields[i].form_path) != 0) continue;
        const char *v = req_field(r, kept_fields[i].field);
        if (*v && strlen(v) <= KEPT_FIELD_MAX) add_param(&b, &first, kept_fields[i].field, v);
    }
    if (r->back_state) {
        buf_putc(&b, first ? '?' : '&');
        buf_puts(&b, r->back_state);
    }
    return b.data;
}

/* What the frame writes that depends only on the language and the section (the program's markup,
 * its catalogs' words, the section's start): made once per language and section for the
 * process's life, nothing in it read from the database. */
typedef struct {
    const char *s;
    size_t n;
} frag_t;

typedef struct {
    frag_t head;        /* up to <title> */
    frag_t after_title; /* from the title's end to the language switcher's first link */
    /* The switcher: sw[0], the return address, sw[1], ..., sw[LANG_COUNT - 1] (one address for
     * each language but the reader's). */
    frag_t sw[LANG_COUNT];
    /* The tabs (tab_open[i], then aria-current when it is the page's, then tab_close[i]), and
     * the sign-out form around its CSRF token. */
    frag_t tabs_open, tab_open[TABS_MAX], tab_close[TABS_MAX], tabs_close, sign_out_close;
    /* The footer up to each contact's address: "<label>: " and the mailto link's start. */
    frag_t care_open, cas_open;
} frame_frags_t;

static frag_t frag_take(arena_t *a, buf_t *t)
{
    frag_t f = {arena_strndup(a, t->data, t->len), t->len};
    t->len = 0;
    t->data[0] = '\0';
    return f;
}

static inline void put_frag(buf_t *b, frag_t f)
{
    buf_append(b, f.s, f.n);
}

static void frame_frags_make(req_t *r, section_t section, frame_frags_t *f)
{
    buf_t t;
    buf_init(&t, r->arena);
    const char *name = section_name(r, section);
    buf_lit(&t, "<!doctype html>\n<html lang=\"");
    html_escape(&t, lang_code(r->lang));
    buf_lit(&t, "\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    f->head = frag_take(r->arena, &t);
    buf_lit(&t, " – ");
    html_escape(&t, name);
    buf_lit(&t, "</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head>"
                "<body><a class=\"skip\" href=\"#main\">");
    html_escape(&t, T("Skip to main content"));
    buf_lit(&t, "</a><header class=\"top\"><div class=\"bar\"><a class=\"brand\" href=\"");
    html_escape(&t, section_home(section));
    buf_lit(&t, "\">");
    html_escape(&t, name);
    buf_lit(&t, "</a>");
    buf_lit(&t, "<nav class=\"langs\" aria-label=\"");
    html_escape(&t, T("Language"));
    buf_lit(&t, "\"><ul>");
    int hole = 0;
    for (int i = 0; i < LANG_COUNT; i++) {
        lang_t l = (lang_t)i;
        if (l == r->lang) {
            buf_lit(&t, "<li><span lang=\"");
            html_escape(&t, lang_code(l));
            buf_lit(&t, "\" aria-current=\"true\">");
            html_escape(&t, lang_native_name(l));
            buf_lit(&t, "</span></li>");
        } else {
            buf_lit(&t, "<li><a href=\"/lang?to=");
            html_escape(&t, lang_code(l));
            buf_lit(&t, "&amp;next=");
            if (hole == 0)
                f->after_title = frag_take(r->arena, &t);
            else
                f->sw[hole - 1] = frag_take(r->arena, &t);
            hole++;
            buf_lit(&t, "\" lang=\"");
            html_escape(&t, lang_code(l));
            buf_lit(&t, "\" hreflang=\"");
            html_escape(&t, lang_code(l));
            buf_lit(&t, "\">");
            html_escape(&t, lang_native_name(l));
            buf_lit(&t, "</a></li>");
        }
    }
    buf_lit(&t, "</ul></nav>");
    f->sw[hole - 1] = frag_take(r->arena, &t);
    if (section == SECTION_HOME) return;
    buf_lit(&t, "</main><footer><h2>");
    html_escape(&t, T("Need help?"));
    buf_lit(&t, "</h2><ul class=\"contacts\"><li><strong>");
    /* TRANSLATORS: a label before its value; French puts a no-break space before the colon. */
    const char *label_colon = T("%s:");
    html_text(&t, label_colon, T("Customer Care"));
    buf_lit(&t, "</strong> <a href=\"mailto:");
    f->care_open = frag_take(r->arena, &t);
    buf_lit(&t, "<li><strong>");
    html_text(&t, label_colon, T("Corporate Account Services"));
    buf_lit(&t, "</strong> <a href=\"mailto:");
    f->cas_open = frag_take(r->arena, &t);
    /* The frame is on every page: written as literals and escaped values, without a template
     * to read (its text is the program's markup, each value escaped as html_render's %s would). */
    buf_lit(&t, "<div class=\"bar sub\"><nav class=\"tabs\" aria-label=\"");
    html_escape(&t, T("Main menu"));
    buf_lit(&t, "\"><ul>");
    f->tabs_open = frag_take(r->arena, &t);
    const tab_t *tabs = tabs_of(section);
    for (int i = 0; i < TABS_MAX && tabs[i].path; i++) {
        buf_lit(&t, "<li><a href=\"");
        html_escape(&t, tabs[i].path);
        buf_lit(&t, "\"");
        f->tab_open[i] = frag_take(r->arena, &t);
        buf_lit(&t, ">");
        html_escape(&t, T(tabs[i].label));
        buf_lit(&t, "</a></li>");
        f->tab_close[i] = frag_take(r->arena, &t);
    }
    buf_lit(&t, "</ul></nav><form method=\"post\" action=\"/sign-out\" class=\"sign-out\">"
                "<input type=\"hidden\" name=\"csrf\" value=\"");
    f->tabs_close = frag_take(r->arena, &t);
    buf_lit(&t, "\"><button type=\"submit\" class=\"link\">");
    html_escape(&t, T("Sign out"));
    buf_lit(&t, "</button></form></div>");
    f->sign_out_close = frag_take(r->arena, &t);
}

/* The tabs and the sign-out form of a signed-in section. */
static void write_tabs(req_t *r, section_t section, const frame_frags_t *f)
{
    buf_t *b = &r->resp.body;
    put_frag(b, f->tabs_open);
    const tab_t *tabs = tabs_of(section);
    int admin = -1; /* asked of the store only when a tab needs it */
    for (int i = 0; i < TABS_MAX && tabs[i].path; i++) {
        const tab_t *t = &tabs[i];
        if (t->admin_only) {
            if (admin < 0) admin = is_billing_admin(r);
            if (!admin) continue;
        }
        put_frag(b, f->tab_open[i]);
        if (tab_current(t, r->path)) buf_lit(b, " aria-current=\"page\"");
        put_frag(b, f->tab_close[i]);
    }
    put_frag(b, f->tabs_close);
    html_escape(b, r->csrf);
    put_frag(b, f->sign_out_close);
}

static frame_frags_t frame_cache[LANG_COUNT][SECTION_STAFF + 1];
static atomic_bool frame_ready[LANG_COUNT][SECTION_STAFF + 1];
static pthread_mutex_t frame_lock = PTHREAD_MUTEX_INITIALIZER;
static arena_t *frame_arena;

/* The fragments for r's language and section: kept, except for the home section, whose name is
 * the vendor's (made at each page there, as before). */
static void frame_frags(req_t *r, section_t section, frame_frags_t *out)
{
    bool keep =
        (section == SECTION_CORPORATE || section == SECTION_BILLING || section == SECTION_STAFF) &&
        (unsigned)r->lang < LANG_COUNT;
    if (keep && !atomic_load_explicit(&frame_ready[r->lang][section], memory_order_acquire)) {
        pthread_mutex_lock(&frame_lock);
        if (!frame_arena) frame_arena = arena_new();
        if (frame_arena &&
            !atomic_load_explicit(&frame_ready[r->lang][section], memory_order_relaxed)) {
            req_t maker;
            memset(&maker, 0, sizeof maker);
            maker.lang = r->lang;
            maker.arena = frame_arena;
            frame_frags_make(&maker, section, &frame_cache[r->lang][section]);
            atomic_store_explicit(&frame_ready[r->lang][section], true, memory_order_release);
        }
        keep = frame_arena != NULL;
        pthread_mutex_unlock(&frame_lock);
    }
    if (keep)
        *out = frame_cache[r->lang][section];
    else
        frame_frags_make(r, section, out);
}

void layout_begin(req_t *r, section_t section, const char *title)
{
    buf_t *b = &r->resp.body;
    frame_frags_t f;
    frame_frags(r, section, &f);
    put_frag(b, f.head);
    html_escape(b, title);
    put_frag(b, f.after_title);
    /* The switcher's return address, percent-encoded then escaped once for its links. */
    buf_t next, e_next;
    buf_init(&next, r->arena);
    url_encode(&next, switcher_return(r));
    buf_init_cap(&e_next, r->arena, next.len + 32);
    html_escape(&e_next, next.data);
    for (int i = 0; i < LANG_COUNT - 1; i++) {
        buf_append(b, e_next.data, e_next.len);
        put_frag(b, f.sw[i]);
    }
    buf_lit(b, "</div>");
    if (section != SECTION_HOME && signed_in_to(r, section)) write_tabs(r, section, &f);
    buf_lit(b, "</header><main id=\"main\" tabindex=\"-1\">");
}

/* One contact of the footer after its label: "<email>, <phone>". */
static void contact_rest(buf_t *b, const char *email, const char *phone)
{
    html_escape(b, email);
    buf_lit(b, "\">");
    html_escape(b, email);
    buf_lit(b, "</a>");
    if (phone && *phone) {
        buf_lit(b, ", <span class=\"nowrap\">");
        html_escape(b, phone);
        buf_lit(b, "</span>");
    }
    buf_lit(b, "</li>");
}

void layout_end(req_t *r)
{
    buf_t *b = &r->resp.body;
    const app_t *app = r->app;
    section_t section = section_of_path(r->path);
    /* Staff are the people customers are told to contact: their pages keep only the vendor. */
    if (section == SECTION_STAFF) {
        html_render(b,
                    "</main><footer><p><a href=\"/help\">%s</a></p><p class=\"vendor\">%s</p>"
                    "</footer></body></html>\n",
                    T("Help articles"), app->vendor_name);
        return;
    }
    /* The footer's words depend on the language alone: any kept section's fragments have them. */
    frame_frags_t f;
    frame_frags(r, section == SECTION_HOME ? SECTION_CORPORATE : section, &f);
    put_frag(b, f.care_open);
    contact_rest(b, app->care_email, app->care_phone);
    put_frag(b, f.cas_open);
    contact_rest(b, app->cas_email, app->cas_phone);
    /* The help articles, from every page. */
    buf_lit(b, "</ul><p><a href=\"/help\">");
    html_escape(b, T("Help articles"));
    buf_lit(b, "</a></p><p class=\"vendor\">");
    html_escape(b, app->vendor_name);
    buf_lit(b, "</p></footer></body></html>\n");
}

void labelled_line(req_t *r, const char *fmt, const char *value)
{
    html_render(&r->resp.body, "<p>");
    html_text(&r->resp.body, fmt, value);
    html_render(&r->resp.body, "</p>");
}

void form_open(req_t *r, const char *action, const char *extra_attrs)
{
    html_render(&r->resp.body,
                "<form method=\"post\" action=\"%s\"%R%R><input type=\"hidden\" name=\"csrf\" "
                "value=\"%s\">",
                action, extra_attrs ? " " : "", extra_attrs ? extra_attrs : "", r->csrf);
}

void form_input(req_t *r, const char *id, const char *label, const char *type, const char *value,
                const char *autocomplete, const char *error, bool required)
{
    buf_t *b = &r->resp.body;
    html_render(b, "<div class=\"field\"><label for=\"%s\">%s</label>", id, label);
    if (error) html_render(b, "<p class=\"field-error\" id=\"%s-error\">%s</p>", id, error);
    /* A refused control character comes back visible (and as a character HTML allows). */
    html_render(b, "<input id=\"%s\" name=\"%s\" type=\"%s\" value=\"%s\"", id, id, type,
                value ? controls_visible(r->arena, value, false) : "");
    if (autocomplete) html_render(b, " autocomplete=\"%s\"", autocomplete);
    if (required) html_render(b, " required");
    if (error) html_render(b, " aria-invalid=\"true\" aria-describedby=\"%s-error\"", id);
    html_render(b, "></div>");
}

void notice_error(req_t *r, const char *message)
{
    html_render(&r->resp.body, "<div class=\"notice error\" role=\"alert\">%s</div>", message);
}

void notice_info(req_t *r, const char *message)
{
    html_render(&r->resp.body, "<div class=\"notice info\" role=\"status\">%s</div>", message);
}

void notice_warning(req_t *r, const char *message)
{
    html_render(&r->resp.body, "<div class=\"notice warning\" role=\"alert\">%s</div>", message);
}

void address_lines(req_t *r, const char *line1, const char *line2, const char *city,
                   const char *region, const char *postal_code, const char *country)
{
    address_lines_t addr; /* the order the invoice PDF prints too */
    format_address(r->lang, line1, line2, city, region, postal_code, country, &addr);
    for (size_t i = 0; i < addr.n; i++)
        html_render(&r->resp.body, "%s%R", addr.line[i], i + 1 < addr.n ? "<br>" : "");
}

void bill_to_block(req_t *r, const account_t *acc, const char *edit_href)
{
    buf_t *b = &r->resp.body;
    if (edit_href)
        html_render(b,
                    "<section class=\"card\" aria-labelledby=\"bill-to\"><div class=\"actions\">"
                    "<h2 id=\"bill-to\">%s</h2><a href=\"%s\">%s</a></div><address>%s<br>",
                    T("Bill To"), edit_href, T("Edit"), acc->bill_to_name);
    else
        html_render(b,
                    "<section class=\"card\" aria-labelledby=\"bill-to\"><h2 id=\"bill-to\">"
                    "%s</h2><address>%s<br>",
                    T("Bill To"), acc->bill_to_name);
    address_lines(r, acc->address_line1, acc->address_line2, acc->city, acc->region,
                  acc->postal_code, acc->country);
    html_render(b, "</address>");
    if (*acc->phone) labelled_line(r, T("Phone: %s"), acc->phone);
    html_render(b, "</section>");
}

bool current_account(req_t *r, int64_t *account_id, const char **country)
{
    status_t st = STATUS_NOT_FOUND;
    const principal_view_t *p = NULL;
    if (r->audience == AUDIENCE_CORPORATE || r->audience == AUDIENCE_BILLING)
        p = session_principal(r, &st);
    if (p) *account_id = p->account_id;
    if (country) *country = p ? p->account_country : NULL;
    return !answer_status(r, p ? STATUS_OK : st);
}
