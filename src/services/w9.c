/* The vendor's W-9 (docs/w9.md): checked to be a PDF, kept as base64 text in every version, and
 * downloaded by the billing contacts of US corporate accounts, each download logged. */
#include "services/w9.h"
#include "services/service_tx.h"
#include "services/services_internal.h"
#include "store/store_w9care.h"
#include "util/form.h"

#include <sodium.h>
#include <string.h>

/* A PDF starts with "%PDF-" and a version digit, and ends with "%%EOF" (maybe followed by line
 * ends and spaces) within its last kilobyte (ISO 32000-1, 7.5.2 and 7.5.5). */
w9_check_t w9_check_pdf(const char *data, size_t len)
{
    if (!data || len == 0) return W9_MISSING;
    if (len > W9_MAX_BYTES) return W9_TOO_LARGE;
    if (len < 16 || memcmp(data, "%PDF-", 5) != 0 || data[5] < '1' || data[5] > '9')
        return W9_NOT_PDF;
    size_t tail = len < 1024 ? len : 1024;
    const char *t = data + len - tail;
    for (size_t i = tail; i >= 5; i--)
        if (memcmp(t + i - 5, "%%EOF", 5) == 0) return W9_OK;
    return W9_NOT_PDF;
}

/* A file name fit to show and to keep: its last path segment, printable ASCII and UTF-8 past
 * it, at most 200 bytes; "w9.pdf" when nothing is left. */
static const char *clean_filename(arena_t *a, const char *name)
{
    if (!name) return "w9.pdf";
    const char *slash = strrchr(name, '/'), *back = strrchr(name, '\\');
    if (slash) name = slash + 1;
    if (back && back + 1 > name) name = back + 1;
    char *out = arena_alloc(a, 201);
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && n < 200; p++)
        if (*p >= 0x20 && *p != 0x7f && *p != '"') out[n++] = (char)*p;
    out[n] = '\0';
    while (n > 0 && !utf8_valid(out, n)) /* not UTF-8, or cut inside a character */
        out[--n] = '\0';
    return n ? out : "w9.pdf";
}

typedef struct {
    const char *filename, *b64, *sha256, *ip;
    int64_t size, staff_id, now, id;
} upload_t;

static store_status_t upload_body(store_t *s, void *arg)
{
    upload_t *u = arg;
    store_status_t r = store_vendor_file_add(s, "w9", u->filename, u->b64, u->size, u->sha256,
                                             u->staff_id, u->now, &u->id);
    if (r != STORE_OK) return r;
    return audit(s, u->staff_id ? "staff" : "system", u->staff_id, 0, "w9_uploaded", "w9", NULL,
                 u->filename, u->ip, u->now);
}

status_t w9_upload(services_t *svc, arena_t *a, const char *filename, const char *data, size_t len,
                   int64_t staff_id, const char *ip, int64_t now, w9_check_t *check, int64_t *id)
{
    *check = w9_check_pdf(data, len);
    if (*check != W9_OK) return STATUS_INVALID;
    size_t b64_len = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = arena_alloc_raw(a, b64_len);
    sodium_bin2base64(b64, b64_len, (const unsigned char *)data, len,
                      sodium_base64_VARIANT_ORIGINAL);
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(hash, (const unsigned char *)data, len);
    char *hex = arena_alloc_raw(a, sizeof hash * 2 + 1);
    sodium_bin2hex(hex, sizeof hash * 2 + 1, hash, sizeof hash);
    upload_t u = {.filename = clean_filename(a, filename),
                  .b64 = b64,
                  .sha256 = hex,
                  .ip = ip,
                  .size = (int64_t)len,
                  .staff_id = staff_id,
                  .now = now};
    store_status_t r = store_run_tx(services_store(svc), STORE_TX_WRITE, upload_body, &u);
    if (r == STORE_OK && id) *id = u.id;
    return outcome(r, REFUSED_NONE);
}

status_t w9_history(services_t *svc, arena_t *a, vendor_file_row_t **rows, size_t *n)
{
    return outcome(store_vendor_files_list(services_store(svc), a, "w9", W9_HISTORY_ROWS, rows, n),
                   REFUSED_NONE);
}

/* The account is a corporate one in the US: the only accounts the W-9 is for. */
static store_status_t us_corporate(store_t *s, arena_t *a, int64_t account_id, bool *yes)
{
    account_t acc;
    store_status_t r = store_account_by_id(s, a, account_id, &acc);
    *yes = r == STORE_OK && strcmp(acc.kind, "corporate") == 0 && strcmp(acc.country, "US") == 0;
    return r == STORE_NOT_FOUND ? STORE_OK : r;
}

status_t w9_offered(services_t *svc, arena_t *a, int64_t account_id, bool *offered)
{
    store_t *s = services_store(svc);
    *offered = false;
    bool us = false;
    store_status_t r = us_corporate(s, a, account_id, &us);
    if (r != STORE_OK || !us) return outcome(r, REFUSED_NONE);
    vendor_file_row_t f;
    r = store_vendor_file_current(s, a, "w9", false, &f);
    if (r == STORE_NOT_FOUND) return STATUS_OK;
    *offered = r == STORE_OK;
    return outcome(r, REFUSED_NONE);
}

typedef struct {
    arena_t *a;
    int64_t account_id, credential_id, now;
    const char *ip;
    vendor_file_row_t file;
} download_t;

static store_status_t download_body(store_t *s, void *arg)
{
    download_t *d = arg;
    bool us = false;
    store_status_t r = us_corporate(s, d->a, d->account_id, &us);
    if (r != STORE_OK) return r;
    if (!us) return STORE_NOT_FOUND;
    r = store_vendor_file_current(s, d->a, "w9", true, &d->file);
    if (r == STORE_OK)
        r = store_vendor_file_download_add(s, d->file.id, d->account_id, d->credential_id, d->ip,
                                           d->now);
    if (r == STORE_OK)
        r = audit(s, "corporate", d->credential_id, d->account_id, "w9_downloaded", "w9", NULL,
                  d->file.filename, d->ip, d->now);
    return r;
}

status_t w9_download(services_t *svc, arena_t *a, int64_t account_id, int64_t credential_id,
                     const char *ip, int64_t now, w9_file_t *out)
{
    download_t d = {
        .a = a, .account_id = account_id, .credential_id = credential_id, .now = now, .ip = ip};
    store_status_t r = store_run_tx(services_store(svc), STORE_TX_WRITE, download_body, &d);
    if (r != STORE_OK) return outcome(r, REFUSED_NONE);
    size_t b64_len = strlen(d.file.content_base64);
    unsigned char *bin = arena_alloc_raw(a, b64_len / 4 * 3 + 3);
    size_t len = 0;
    if (sodium_base642bin(bin, b64_len / 4 * 3 + 3, d.file.content_base64, b64_len, NULL, &len,
                          NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
        return STATUS_ERROR;
    out->data = (const char *)bin;
    out->len = len;
    out->filename = "W-9.pdf";
    return STATUS_OK;
}
