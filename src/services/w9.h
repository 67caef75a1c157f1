/* The vendor's W-9: admins upload each new version (staff console or `cobro vendor-file w9`),
 * every version is kept, and the billing contacts of US corporate accounts download the newest
 * from the Corporate Billing Portal, each download logged (docs/w9.md). */
#ifndef COBRO_W9_H
#define COBRO_W9_H
#include "services/services.h"
#include "store/rows_w9care.h"
#include "util/arena.h"
#include "util/status.h"

#include <stddef.h>
#include <stdint.h>

enum {
    W9_MAX_BYTES = 5 * 1024 * 1024, /* the schema's limit too (vendor_files.size) */
    W9_HISTORY_ROWS = 50,
};

/* What an uploaded file came to. */
typedef enum {
    W9_OK = 0,
    W9_MISSING,   /* no file, or an empty one */
    W9_TOO_LARGE, /* more than W9_MAX_BYTES */
    W9_NOT_PDF,   /* no %PDF- header at its start or no %%EOF at its end */
} w9_check_t;

/* Whether data (len bytes) is a PDF the portal may offer: its header and its trailer. */
w9_check_t w9_check_pdf(const char *data, size_t len);

/* Keeps data as the newest W-9 (staff_id 0: from the command line), audited. *check says why a
 * file was refused (STATUS_INVALID then, nothing written); *id receives the new version's id. */
status_t w9_upload(services_t *svc, arena_t *a, const char *filename, const char *data, size_t len,
                   int64_t staff_id, const char *ip, int64_t now, w9_check_t *check, int64_t *id);

/* Every version, newest first (at most W9_HISTORY_ROWS), with how often each was downloaded. */
status_t w9_history(services_t *svc, arena_t *a, vendor_file_row_t **rows, size_t *n);

/* Whether the account's billing contact is offered the W-9: a corporate account in the US, and
 * a W-9 uploaded. */
status_t w9_offered(services_t *svc, arena_t *a, int64_t account_id, bool *offered);

typedef struct {
    const char *filename; /* as the browser saves it */
    const char *data;
    size_t len;
} w9_file_t;

/* The newest W-9 for the billing contact (credential_id) of account_id, the download logged and
 * audited; STATUS_NOT_FOUND when the account is not offered it. */
status_t w9_download(services_t *svc, arena_t *a, int64_t account_id, int64_t credential_id,
                     const char *ip, int64_t now, w9_file_t *out);

#endif
