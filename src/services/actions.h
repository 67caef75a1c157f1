/* The entry points of the services that change things, as the web calls them: with the thread's
 * service handle instead of the store. Each one calls the service of the same name (auth.h,
 * settings.h, vendor_settings.h), which keeps the rules. */
#ifndef COBRO_ACTIONS_H
#define COBRO_ACTIONS_H
#include "services/auth.h"
#include "services/services.h"
#include "services/settings.h"
#include "services/vendor_settings.h"

auth_status_t svc_auth_sign_in(services_t *svc, arena_t *a, const auth_ctx_t *ctx, audience_t aud,
                               const char *login, const char *password,
                               const char *old_session_digest, sign_in_result_t *out);
auth_status_t svc_auth_request_reset(services_t *svc, arena_t *a, const auth_ctx_t *ctx,
                                     audience_t aud, const char *base_url, const char *login,
                                     bool *queued);
reset_state_t svc_auth_reset_state(services_t *svc, arena_t *a, audience_t aud, const char *token,
                                   int64_t now, reset_user_t *user);
reset_state_t svc_auth_reset_password(services_t *svc, arena_t *a, const auth_ctx_t *ctx,
                                      audience_t aud, const char *token, const char *password,
                                      const char *confirmation, password_rule_t *rule);
auth_status_t svc_auth_email_billing_admin(services_t *svc, arena_t *a, const auth_ctx_t *ctx,
                                           int64_t member_id, const char *message,
                                           account_user_t *admin);

status_t svc_settings_region_choices(services_t *svc, arena_t *a, const char *country,
                                     region_t **out, size_t *n);
settings_status_t svc_settings_save_bill_to(services_t *svc, arena_t *a, const settings_ctx_t *ctx,
                                            const bill_to_form_t *form, bill_to_errors_t *errors,
                                            bool *mail_queued);
settings_status_t svc_settings_add_recipient(services_t *svc, arena_t *a, const settings_ctx_t *ctx,
                                             const char *name, const char *email,
                                             field_error_t *name_error, field_error_t *email_error);
settings_status_t svc_settings_remove_recipient(services_t *svc, arena_t *a,
                                                const settings_ctx_t *ctx, int64_t recipient_id);
settings_status_t svc_settings_save_po(services_t *svc, arena_t *a, const settings_ctx_t *ctx,
                                       int64_t po_id, const po_form_t *form, po_errors_t *errors);
settings_status_t svc_settings_remove_po(services_t *svc, arena_t *a, const settings_ctx_t *ctx,
                                         int64_t po_id);
settings_status_t svc_settings_save_payment(services_t *svc, arena_t *a, const settings_ctx_t *ctx,
                                            const payment_form_t *form, payment_errors_t *errors);

status_t svc_vendor_payment_load(services_t *svc, arena_t *a, vendor_payment_t *out);
settings_status_t svc_vendor_payment_save(services_t *svc, arena_t *a, int64_t staff_id,
                                          const char *ip, int64_t now, const vendor_payment_t *form,
                                          vendor_payment_errors_t *errors);

#endif
