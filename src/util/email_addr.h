/* Syntax checks for what people type as emails and User IDs. */
#ifndef COBRO_EMAIL_ADDR_H
#define COBRO_EMAIL_ADDR_H
#include <stdbool.h>

enum { EMAIL_MAX = 254, USER_ID_MAX = 254 };

/* A practical address check: local@domain, local part of printable ASCII without spaces or
 * quotes (dot-atom), domain of labels [A-Za-z0-9-] with at least one dot, each label 1-63
 * characters and not starting or ending with '-', whole length at most EMAIL_MAX. */
bool email_valid(const char *s);
/* Lower-cases ASCII letters in place; returns s. Logins are compared in lower case. */
char *ascii_lower(char *s);
/* The address part of "Name <addr>" or addr itself, into out (size n). */
void email_addr_part(const char *from, char *out, unsigned n);

#endif
