/* The sandbox gateway's hosted pages (docs/payments.md): a test checkout that takes the usual
 * test card numbers and reports the outcome as the gateway's signed event. No real money. */
#ifndef COBRO_SANDBOX_CHECKOUT_H
#define COBRO_SANDBOX_CHECKOUT_H
#include "services/services.h"
#include "services/validate.h"
#include "store/rows.h"
#include "util/arena.h"

/* What the card form was sent with. */
typedef struct {
    const char *number, *expiry, *cvc, *name;
} sandbox_card_form_t;

typedef enum {
    SANDBOX_CARD_OK = 0,
    SANDBOX_CARD_NOT_TEST, /* a number that is not one of the test cards */
} sandbox_card_error_t;

typedef struct {
    field_error_t number, expiry, cvc, name;
    bool not_test_card; /* number is well formed but not a test card */
} sandbox_card_errors_t;

typedef struct {
    sandbox_session_t session;
    bool expired;         /* past its expiry: it takes nothing more */
    const char *redirect; /* after an action: where the browser goes next */
} sandbox_page_t;

/* The session ref names (a page whose state is open, authenticating or done). STATUS_NOT_FOUND
 * when there is none. Runs inside the page's read transaction. */
status_t sandbox_page_view(services_t *svc, arena_t *a, const char *ref, int64_t now,
                           sandbox_page_t *out);
/* Takes the card: the success cards complete the page, the decline cards fail it (the payer is
 * sent back with the outcome), the authentication card asks for the extra step first.
 * STATUS_INVALID with errors, nothing written; STATUS_CONFLICT when the page is no longer open
 * (paid, failed or expired meanwhile). out->redirect says where to go next. */
status_t sandbox_page_pay(services_t *svc, arena_t *a, const char *ref,
                          const sandbox_card_form_t *form, int64_t now,
                          sandbox_card_errors_t *errors, sandbox_page_t *out);
/* The extra authentication step: approve completes the payment, refusing fails it. */
status_t sandbox_page_authenticate(services_t *svc, arena_t *a, const char *ref, bool approve,
                                   int64_t now, sandbox_page_t *out);
/* The payer leaves: the page expires (its reservation ends with its event). */
status_t sandbox_page_cancel(services_t *svc, arena_t *a, const char *ref, int64_t now,
                             sandbox_page_t *out);

#endif
