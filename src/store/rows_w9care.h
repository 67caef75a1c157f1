/* Rows of the vendor's files and of Customer Care's billing-administrator change, as the store
 * hands them over (pages read them through services/w9.h and services/care.h). */
#ifndef COBRO_ROWS_W9CARE_H
#define COBRO_ROWS_W9CARE_H
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    int64_t id, size, created_at, downloads;
    char *kind, *filename, *sha256, *uploaded_by_name; /* "" when uploaded from the CLI */
    char *content_base64; /* only from store_vendor_file_current with content */
} vendor_file_row_t;

typedef struct {
    int64_t id;
    char *name, *email, *role;
    bool registered_admin;
} care_user_row_t;

typedef struct {
    int64_t id, account_id, created_at;
    char *kind, *account_name;
} account_flag_row_t;

#endif
