/* The web's entry points into the services that change things: each hands the store behind the
 * service handle to the service itself. */
#include "services/actions.h"
#include "services/services_internal.h"

auth_status_t svc_auth_sign_in(services_t *svc, arena_t *a, const auth_ctx_t *ctx, audience_t aud,
                               const char *login, const char *password,
                               const char *old_session_digest, sign_in_result_t *out)
{
    return auth_sign_in(svc->store, a, ctx, aud, login, password, old_session_digest, out);
}

auth_status_t svc_auth_request_reset(services_t *svc, arena_t *a, const auth_ctx_t *ctx,
                                     audience_t aud, const char *base_url, const char *login,
                                     bool *queued)
{
    return auth_request_reset(svc->store, a, ctx, aud, base_url, login, queued);
}

reset_state_t svc_auth_reset_state(services_t *svc, arena_t *a, audience_t aud, const char *token,
                                   int64_t now, reset_user_t *user)
{
    return auth_reset_state(svc->store, a, aud, token, now, user);
}

reset_state_t svc_auth_reset_password(services_t *svc, arena_t *a, const auth_ctx_t *ctx,
                                      audience_t aud, const char *token, const char *password,
                                      const char *confirmation, password_rule_t *rule)
{
    return auth_reset_password(svc->store, a, ctx, aud, token, password, confirmation, rule);
}

auth_status_t svc_auth_email_billing_admin(services_t *svc, arena_t *a, const auth_ctx_t *ctx,
                                           int64_t member_id, const char *message,
                                           account_user_t *admin)
{
    return auth_email_billing_admin(svc->store, a, ctx, member_id, message, admin);
}

status_t svc_settings_region_choices(services_t *svc, arena_t *a, const char *country,
                                     region_t **out, size_t *n)
{
    return settings_region_choices(svc->store, a, country, out, n);
}

settings_status_t svc_settings_save_bill_to(services_t *svc, arena_t *a, const settings_ctx_t *ctx,
                                            const bill_to_form_t *form, bill_to_errors_t *errors,
                                            bool *mail_queued)
{
    return settings_save_bill_to(svc->store, a, ctx, form, errors, mail_queued);
}

settings_status_t svc_settings_add_recipient(services_t *svc, arena_t *a, const settings_ctx_t *ctx,
                                             const char *name, const char *email,
                                             field_error_t *name_error, field_error_t *email_error)
{
    return settings_add_recipient(svc->store, a, ctx, name, email, name_error, email_error);
}

settings_status_t svc_settings_remove_recipient(services_t *svc, arena_t *a,
                                                const settings_ctx_t *ctx, int64_t recipient_id)
{
    return settings_remove_recipient(svc->store, a, ctx, recipient_id);
}

settings_status_t svc_settings_save_po(services_t *svc, arena_t *a, const settings_ctx_t *ctx,
                                       int64_t po_id, const po_form_t *form, po_errors_t *errors)
{
    return settings_save_po(svc->store, a, ctx, po_id, form, errors);
}

settings_status_t svc_settings_remove_po(services_t *svc, arena_t *a, const settings_ctx_t *ctx,
                                         int64_t po_id)
{
    return settings_remove_po(svc->store, a, ctx, po_id);
}

settings_status_t svc_settings_save_payment(services_t *svc, arena_t *a, const settings_ctx_t *ctx,
                                            const payment_form_t *form, payment_errors_t *errors)
{
    return settings_save_payment(svc->store, a, ctx, form, errors);
}

status_t svc_vendor_payment_load(services_t *svc, arena_t *a, vendor_payment_t *out)
{
    return vendor_payment_load(svc->store, a, out);
}

settings_status_t svc_vendor_payment_save(services_t *svc, arena_t *a, int64_t staff_id,
                                          const char *ip, int64_t now, const vendor_payment_t *form,
                                          vendor_payment_errors_t *errors)
{
    return vendor_payment_save(svc->store, a, staff_id, ip, now, form, errors);
}
