/* The sign-in page shared by the three audiences, and the password reset pages of the portals
 * that have them: what differs is described by sign_in_kind_t. */
#ifndef COBRO_SIGN_IN_H
#define COBRO_SIGN_IN_H
#include "pages.h"

/* "Forgot your password?" and the reset link's page (password_reset.c), for a portal whose
 * users may reset their own password. The texts are msgids. */
typedef struct {
    const char *forgot_path, *reset_path;
    const char *forgot_help;   /* above the forgot form: what to type, where the link goes */
    const char *sent;          /* the one confirmation, whatever was typed */
    const char *no_email;      /* what to do when no email comes */
    const char *login_shown;   /* on the reset form: "User ID: %s" */
    const char *password_help; /* the rules, above the new password */
    const char *same_as_login; /* PASSWORD_SAME_AS_LOGIN's message */
} reset_kind_t;

typedef struct {
    audience_t audience;
    section_t section;
    const char *heading;      /* msgid */
    const char *intro;        /* msgid */
    const char *login_field;  /* form field name and id: "user_id" or "email" */
    const char *login_label;  /* msgid */
    const char *login_type;   /* "text" or "email" */
    const char *autocomplete; /* "username" or "email" */
    const char *invalid;      /* msgid of the one message for a wrong login or password */
    const char *page_path, *post_path, *home_path; /* the sign-in page, its form, after it */
    const reset_kind_t *reset;                     /* NULL: no "Forgot your password?" */
    const char *help_path; /* the help article on signing in here (NULL: none) */
} sign_in_kind_t;

/* GET: the form (or straight to the home page when already signed in to this audience). */
void sign_in_get(req_t *r, const sign_in_kind_t *k);
/* POST: checks the credentials (worker thread) and signs in, or shows the form again. */
void sign_in_post(req_t *r, const sign_in_kind_t *k);

/* GET/POST the portal's "Forgot your password?" page: k->reset must be set. */
void forgot_page(req_t *r, const sign_in_kind_t *k);
/* GET/POST the portal's reset link page (?token=...). */
void reset_page(req_t *r, const sign_in_kind_t *k);

#endif
