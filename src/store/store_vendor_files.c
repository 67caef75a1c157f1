/* The vendor's files customers download (the W-9): every version kept, and each download. */
#include "store_internal.h"
#include "store_w9care.h"

store_status_t store_vendor_file_add(store_t *s, const char *kind, const char *filename,
                                     const char *content_base64, int64_t size, const char *sha256,
                                     int64_t uploaded_by, int64_t now, int64_t *id)
{
    return from_db(db_insert(s->db, id,
                             "INSERT INTO vendor_files (kind, filename, content_base64, size,"
                             " sha256, uploaded_by, created_at)"
                             " VALUES ($1, $2, $3, $4, $5, NULLIF($6, 0), $7)",
                             "sssisii", kind, filename, content_base64, size, sha256, uploaded_by,
                             now));
}

store_status_t store_vendor_files_list(store_t *s, arena_t *a, const char *kind, int limit,
                                       vendor_file_row_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    db_stmt_t *st = db_query(
        s->db,
        "SELECT f.id, f.kind, f.filename, f.size, f.sha256, COALESCE(u.name, ''), f.created_at,"
        " (SELECT COUNT(*) FROM vendor_file_downloads d WHERE d.file_id = f.id)"
        " FROM vendor_files f LEFT JOIN staff_users u ON u.id = f.uploaded_by"
        " WHERE f.kind = $1 ORDER BY f.id DESC LIMIT $2",
        "si", kind, (int64_t)limit);
    if (!st) return STORE_ERROR;
    vendor_file_row_t *rows = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof *rows);
    db_status_t r;
    while ((r = db_step(st)) == DB_ROW && *n < (size_t)limit)
        rows[(*n)++] = (vendor_file_row_t){.id = db_int(st, 0),
                                           .kind = col_str(a, st, 1),
                                           .filename = col_str(a, st, 2),
                                           .size = db_int(st, 3),
                                           .sha256 = col_str(a, st, 4),
                                           .uploaded_by_name = col_str(a, st, 5),
                                           .created_at = db_int(st, 6),
                                           .downloads = db_int(st, 7),
                                           .content_base64 = ""};
    db_done(st);
    *out = rows;
    return r == DB_OK || r == DB_ROW ? STORE_OK : from_db(r);
}

store_status_t store_vendor_file_current(store_t *s, arena_t *a, const char *kind,
                                         bool with_content, vendor_file_row_t *out)
{
    /* SQLite numbers the $N parameters in the order they appear: $1 comes first. */
    db_stmt_t *st = db_query(s->db,
                             "SELECT id, kind, filename, size, sha256, created_at,"
                             " CASE WHEN $1 = 1 THEN content_base64 ELSE '' END"
                             " FROM vendor_files WHERE kind = $2 ORDER BY id DESC LIMIT 1",
                             "is", (int64_t)(with_content ? 1 : 0), kind);
    store_status_t r = one_row(st);
    if (r != STORE_OK) return r;
    *out = (vendor_file_row_t){.id = db_int(st, 0),
                               .kind = col_str(a, st, 1),
                               .filename = col_str(a, st, 2),
                               .size = db_int(st, 3),
                               .sha256 = col_str(a, st, 4),
                               .created_at = db_int(st, 5),
                               .content_base64 = col_str(a, st, 6),
                               .uploaded_by_name = ""};
    db_done(st);
    return STORE_OK;
}

store_status_t store_vendor_file_download_add(store_t *s, int64_t file_id, int64_t account_id,
                                              int64_t credential_id, const char *ip, int64_t now)
{
    return from_db(db_exec(s->db,
                           "INSERT INTO vendor_file_downloads (file_id, account_id,"
                           " credential_id, ip, at) VALUES ($1, $2, NULLIF($3, 0), $4, $5)",
                           "iiisi", file_id, account_id, credential_id, ip ? ip : "", now));
}
