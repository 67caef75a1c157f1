/* The sign-in page shared by the three audiences: what differs is described by sign_in_kind_t. */
#ifndef COBRO_SIGN_IN_H
#define COBRO_SIGN_IN_H
#include "pages.h"

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
    const char *post_path, *home_path;
    bool forgot_link;
    const char *help_path; /* the help article on signing in here (NULL: none) */
} sign_in_kind_t;

/* GET: the form (or straight to the home page when already signed in to this audience). */
void sign_in_get(req_t *r, const sign_in_kind_t *k);
/* POST: checks the credentials (worker thread) and signs in, or shows the form again. */
void sign_in_post(req_t *r, const sign_in_kind_t *k);

#endif
