/* The store's side of the vendor's files (the W-9 and its downloads) and of Customer Care's
 * change of an online account's billing administrator (verifications, account flags, account
 * users' roles, invitations): migration 14's tables. Kept apart from store.h, which every other
 * part of the store shares. */
#ifndef COBRO_STORE_W9CARE_H
#define COBRO_STORE_W9CARE_H
#include "store/rows_w9care.h"
#include "store/store.h"

/* ---- the vendor's files (store_vendor_files.c) -------------------------------------- */

store_status_t store_vendor_file_add(store_t *s, const char *kind, const char *filename,
                                     const char *content_base64, int64_t size, const char *sha256,
                                     int64_t uploaded_by, int64_t now, int64_t *id);
/* Every version of kind, newest first, at most limit, with how many times each was downloaded. */
store_status_t store_vendor_files_list(store_t *s, arena_t *a, const char *kind, int limit,
                                       vendor_file_row_t **out, size_t *n);
/* The newest version of kind (its content too when with_content); STORE_NOT_FOUND when none. */
store_status_t store_vendor_file_current(store_t *s, arena_t *a, const char *kind,
                                         bool with_content, vendor_file_row_t *out);
store_status_t store_vendor_file_download_add(store_t *s, int64_t file_id, int64_t account_id,
                                              int64_t credential_id, const char *ip, int64_t now);

/* ---- Customer Care (store_care.c) ------------------------------------------------------ */

/* The account's users, billing administrator first, then by name. */
store_status_t store_care_users(store_t *s, arena_t *a, int64_t account_id, care_user_row_t **out,
                                size_t *n);
store_status_t store_care_verification_add(store_t *s, int64_t account_id, int64_t staff_id,
                                           const char *basis, bool card_ok, bool person_ok,
                                           int64_t now, int64_t *id);
/* Failed verifications (either condition not met) of the account made at or after since. */
store_status_t store_care_failures_since(store_t *s, int64_t account_id, int64_t since,
                                         int64_t *count);
/* The last time a flag of the account was cleared (0: never). */
store_status_t store_care_last_cleared(store_t *s, int64_t account_id, int64_t *at);
/* The account's open flag of kind; STORE_NOT_FOUND when none. */
store_status_t store_care_open_flag(store_t *s, int64_t account_id, const char *kind, int64_t *id,
                                    int64_t *created_at);
store_status_t store_care_flag_add(store_t *s, int64_t account_id, const char *kind, int64_t now,
                                   int64_t *id);
/* Clears an open flag; STORE_NOT_FOUND when there is no such open flag. *account_id gets its
 * account. */
store_status_t store_care_flag_clear(store_t *s, int64_t id, int64_t staff_id, int64_t now,
                                     int64_t *account_id);

/* Open flags, oldest first, at most limit; account_id 0: every account's. */
store_status_t store_care_flags_open(store_t *s, arena_t *a, int64_t account_id, int limit,
                                     account_flag_row_t **out, size_t *n);
/* Marks a verification of the account by staff_id, both conditions met, unused and made at or
 * after since, as used; STORE_NOT_FOUND when there is no such verification. */
store_status_t store_care_verification_take(store_t *s, int64_t id, int64_t account_id,
                                            int64_t staff_id, int64_t since, int64_t now);
/* Whether such a verification exists (without using it). */
store_status_t store_care_verification_valid(store_t *s, int64_t id, int64_t account_id,
                                             int64_t staff_id, int64_t since);
/* Sets a user's role on the account; STORE_NOT_FOUND when the user is not the account's. */
store_status_t store_care_set_role(store_t *s, int64_t account_id, int64_t user_id,
                                   const char *role);
store_status_t store_care_billing_admins(store_t *s, int64_t account_id, int64_t *count);
/* A new user of the account (email in lower case); STORE_CONFLICT when the email is taken. */
store_status_t store_care_user_add(store_t *s, int64_t account_id, const char *email,
                                   const char *name, const char *role, const char *password_hash,
                                   int64_t now, int64_t *id);
/* Marks (or unmarks) a user as a registered administrator of its account. */
store_status_t store_care_set_registered_admin(store_t *s, int64_t user_id, bool on);
#endif
