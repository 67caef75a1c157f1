/* The W-9 pages: GET/POST /staff/w9, where admins upload the vendor's current W-9 (a PDF of at
 * most 5 MB, multipart/form-data) and see every version; GET /corporate/w9, the download for the
 * billing contacts of US corporate accounts (404 for every other account); and the W-9 card of
 * the corporate account page. */
#include "pages.h"
#include "services/w9.h"
#include "util/multipart.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* "YYYY-MM-DD HH:MM" in UTC, as the audit log shows times. */
static const char *utc_text(req_t *r, int64_t at)
{
    char out[32] = "";
    time_t t = (time_t)at;
    struct tm tm;
    if (gmtime_r(&t, &tm)) strftime(out, sizeof out, "%Y-%m-%d %H:%M", &tm);
    return arena_strdup(r->arena, out);
}

static const char *size_text(req_t *r, int64_t size)
{
    /* Kilobytes rounded up: a small file never shows as 0 KB. */
    return arena_printf(r->arena, T("%lld KB"), (long long)((size + 1023) / 1024));
}

static const char *check_text_of(req_t *r, w9_check_t c)
{
    switch (c) {
    case W9_MISSING:
        return T("Choose the W-9 file to upload.");
    case W9_TOO_LARGE:
        return T("The file is larger than 5 MB. Upload a smaller PDF.");
    case W9_NOT_PDF:
        return T("The file is not a PDF. Upload the W-9 as a PDF document.");
    default:
        return NULL;
    }
}

static void staff_w9_render(req_t *r, const char *error)
{
    vendor_file_row_t *rows = NULL;
    size_t n = 0;
    status_t st = w9_history(r->svc, r->arena, &rows, &n);
    if (st != STATUS_OK) {
        answer_status(r, st);
        return;
    }
    buf_t *b = &r->resp.body;
    r->resp.body.len = 0;
    layout_begin(r, SECTION_STAFF, T("W-9"));
    html_render(b, "<h1>%s</h1>", T("W-9"));
    if (req_param(r, "uploaded") && !error) notice_info(r, T("The new W-9 has been uploaded."));
    html_render(b, "<p>%s</p>",
                T("The billing contacts of corporate accounts in the United States download the "
                  "newest version from the Corporate Billing Portal. Earlier versions are kept."));
    html_render(b, "<section class=\"card\" aria-labelledby=\"upload\"><h2 id=\"upload\">%s</h2>",
                T("Upload a new version"));
    form_open(r, "/staff/w9", "enctype=\"multipart/form-data\"");
    html_render(b, "<div class=\"field\"><label for=\"file\">%s</label>",
                T("W-9 (PDF, at most 5 MB)"));
    if (error) html_render(b, "<p class=\"field-error\" id=\"file-error\">%s</p>", error);
    html_render(b, "<input id=\"file\" name=\"file\" type=\"file\" accept=\"application/pdf,.pdf\" "
                   "required");
    if (error) html_render(b, " aria-invalid=\"true\" aria-describedby=\"file-error\"");
    html_render(b, "></div><p><button type=\"submit\">%s</button></p></form></section>",
                T("Upload"));
    html_render(b, "<section class=\"card\" aria-labelledby=\"history\"><h2 id=\"history\">%s</h2>",
                T("Versions"));
    if (n == 0) {
        html_render(b, "<p>%s</p></section>", T("No W-9 has been uploaded yet."));
    } else {
        html_render(b,
                    "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"%s\">"
                    "<table class=\"stack\"><caption>%s</caption><thead><tr>"
                    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                    "</tr></thead><tbody>",
                    T("Versions"), T("Newest first; the first one is current (times in UTC)"),
                    T("Uploaded"), T("File"), T("Size"), T("Uploaded by"), T("Downloads"),
                    T("SHA-256"));
        for (size_t i = 0; i < n; i++) {
            const vendor_file_row_t *f = &rows[i];
            html_render(b,
                        "<tr><td class=\"nowrap\" data-label=\"%s\">%s%s</td>"
                        "<td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td>"
                        "<td data-label=\"%s\">%s</td><td data-label=\"%s\">%L</td>"
                        "<td class=\"value\" data-label=\"%s\"><code>%s</code></td></tr>",
                        T("Uploaded"), utc_text(r, f->created_at),
                        i == 0 ? arena_printf(r->arena, " (%s)", T("current")) : "", T("File"),
                        f->filename, T("Size"), size_text(r, f->size), T("Uploaded by"),
                        *f->uploaded_by_name ? f->uploaded_by_name : T("command line"),
                        T("Downloads"), f->downloads, T("SHA-256"), f->sha256);
        }
        html_render(b, "</tbody></table></div></section>");
    }
    layout_end(r);
}

void page_staff_w9(req_t *r)
{
    if (r->method != METHOD_POST) {
        staff_w9_render(r, NULL);
        return;
    }
    const multipart_part_t *file = NULL;
    for (size_t i = 0; i < r->n_uploads; i++)
        if (strcmp(r->uploads[i].name, "file") == 0) file = &r->uploads[i];
    w9_check_t check = W9_MISSING;
    int64_t id = 0;
    status_t st =
        w9_upload(r->svc, r->arena, file ? file->filename : NULL, file ? file->data : NULL,
                  file ? file->len : 0, r->principal_id, r->ip, r->now, &check, &id);
    if (st == STATUS_INVALID) {
        r->resp.status = 400;
        staff_w9_render(r, check_text_of(r, check));
        return;
    }
    if (answer_status(r, st)) return;
    resp_redirect(r, "/staff/w9?uploaded=1");
}

void page_corporate_w9(req_t *r)
{
    int64_t account_id = 0;
    const char *country = NULL;
    if (!current_account(r, &account_id, &country)) return;
    if (r->method == METHOD_HEAD) { /* asks, downloads nothing: not logged */
        bool offered = false;
        if (answer_status(r, w9_offered(r->svc, r->arena, account_id, &offered))) return;
        if (!offered) {
            page_error(r, 404);
            return;
        }
        r->resp.content_type = "application/pdf";
        return;
    }
    w9_file_t f;
    if (answer_status(
            r, w9_download(r->svc, r->arena, account_id, r->principal_id, r->ip, r->now, &f)))
        return;
    r->resp.content_type = "application/pdf";
    resp_header(r, "Content-Disposition",
                arena_printf(r->arena, "attachment; filename=\"%s\"", f.filename));
    resp_header(r, "Cache-Control", "private, no-store");
    buf_append(&r->resp.body, f.data, f.len);
}

void corporate_w9_card(req_t *r, int64_t account_id)
{
    bool offered = false;
    if (w9_offered(r->svc, r->arena, account_id, &offered) != STATUS_OK || !offered) return;
    html_render(&r->resp.body,
                "<section class=\"card\" aria-labelledby=\"w9\"><h2 id=\"w9\">%s</h2><p>%s</p>"
                "<p><a href=\"/corporate/w9\" download>%s</a></p></section>",
                T("W-9"), T("Our current Form W-9, for your accounts payable records."),
                T("Download the W-9 (PDF)"));
}
