/* What the request pages share (the portal's Requests tab, the staff queue, the care form): the
 * kind and state in words, a day, the grouped choice of a kind, a text area, the conversation. */
#include "billing/calendar.h"
#include "i18n/format.h"
#include "pages.h"

#include <string.h>

const char *request_kind_text(req_t *r, const request_t *q)
{
    return arena_printf(r->arena, "%s: %s", T(request_category_label(q->category)),
                        T(request_kind_label(q->category, q->subcategory)));
}

const char *request_state_text(req_t *r, const char *state)
{
    const char *label = request_state_label(state);
    return *label ? T(label) : state;
}

const char *request_day(req_t *r, const char *country, int64_t t)
{
    char iso[11];
    date_format(date_from_unix(t), iso);
    char *out = arena_alloc(r->arena, 64);
    if (!format_date(r->lang, country && *country ? country : NULL, iso, out, 64))
        return arena_strdup(r->arena, iso);
    return out;
}

void request_kind_select(req_t *r, const char *id, const char *label, const char *chosen,
                         field_error_t e, bool with_any)
{
    buf_t *b = &r->resp.body;
    const char *error = field_error_text(r, e);
    html_render(b, "<div class=\"field\"><label for=\"%s\">%s</label>", id, label);
    if (error) html_render(b, "<p class=\"field-error\" id=\"%s-error\">%s</p>", id, error);
    html_render(
        b, "<select id=\"%s\" name=\"%s\"%R%R>", id, id, with_any ? "" : " required",
        error ? arena_printf(r->arena, " aria-invalid=\"true\" aria-describedby=\"%s-error\"", id)
              : "");
    html_render(b, "<option value=\"\">%s</option>",
                with_any ? T("Any kind") : T("Choose a category and subcategory"));
    /* One grouped list: the category is the group, the subcategory the option; it works
     * without scripts and reads both to a screen reader. */
    const char *group = NULL;
    for (const request_kind_t *k = request_kinds; k->category; k++) {
        if (!group || strcmp(group, k->category) != 0) {
            if (group) html_render(b, "</optgroup>");
            html_render(b, "<optgroup label=\"%s\">", T(request_category_label(k->category)));
            group = k->category;
        }
        const char *value = arena_printf(r->arena, "%s/%s", k->category, k->subcategory);
        bool on = chosen && strcmp(chosen, value) == 0;
        html_render(b, "<option value=\"%s\"%R>%s</option>", value, on ? " selected" : "",
                    T(k->label));
    }
    if (group) html_render(b, "</optgroup>");
    if (with_any) {
        html_render(b, "<optgroup label=\"%s\">", T("Customer Care"));
        for (const request_kind_t *k = care_topics; k->category; k++) {
            const char *value = arena_printf(r->arena, "%s/%s", k->category, k->subcategory);
            bool on = chosen && strcmp(chosen, value) == 0;
            html_render(b, "<option value=\"%s\"%R>%s</option>", value, on ? " selected" : "",
                        T(k->label));
        }
        html_render(b, "</optgroup>");
    }
    html_render(b, "</select></div>");
}

void request_textarea(req_t *r, const char *id, const char *label, const char *value,
                      field_error_t e, bool required)
{
    buf_t *b = &r->resp.body;
    const char *error = field_error_text(r, e);
    html_render(b, "<div class=\"field\"><label for=\"%s\">%s</label>", id, label);
    if (error) html_render(b, "<p class=\"field-error\" id=\"%s-error\">%s</p>", id, error);
    html_render(
        b,
        "<textarea id=\"%s\" name=\"%s\" rows=\"6\" maxlength=\"%d\"%R%R>%s</textarea>"
        "</div>",
        id, id, REQUEST_DETAILS_MAX, required ? " required" : "",
        error ? arena_printf(r->arena, " aria-invalid=\"true\" aria-describedby=\"%s-error\"", id)
              : "",
        value ? value : "");
}

void request_conversation(req_t *r, const request_view_t *v, bool staff)
{
    buf_t *b = &r->resp.body;
    const request_t *q = &v->req;
    html_render(b,
                "<section class=\"card\" aria-labelledby=\"conversation\"><h2 id=\"conversation\">"
                "%s</h2><ol class=\"conversation\">",
                T("Conversation"));
    html_render(b,
                "<li class=\"msg customer\"><p class=\"meta\"><strong>%s</strong> · %s</p>"
                "<p class=\"body\">%s</p></li>",
                staff ? q->requester_name : T("You"),
                request_day(r, q->account_country, q->created_at), q->details);
    for (size_t i = 0; i < v->n_msgs; i++) {
        const request_msg_t *m = &v->msgs[i];
        const char *who;
        if (strcmp(m->author_kind, "customer") == 0)
            who = staff ? q->requester_name : T("You");
        else if (strcmp(m->author_kind, "system") == 0)
            who = T("Update");
        else if (staff)
            who = *m->author_name ? m->author_name : T("Staff");
        else
            who = strcmp(q->queue, "customer_care") == 0 ? T("Customer Care")
                                                         : T("Corporate Account Services");
        html_render(b, "<li class=\"msg %s%R\"><p class=\"meta\"><strong>%s</strong>",
                    m->author_kind, m->internal ? " internal" : "", who);
        if (m->internal) html_render(b, " <span class=\"tag\">%s</span>", T("Internal note"));
        html_render(b, " · %s</p><p class=\"body\">%s</p></li>",
                    request_day(r, q->account_country, m->created_at), m->body);
    }
    html_render(b, "</ol></section>");
}
