/* Email messages: what cobro says in each email (composed in the recipient's language and queued
 * in the outbox), and the RFC 5322 text the delivery worker sends. */
#ifndef COBRO_MAIL_H
#define COBRO_MAIL_H
#include "i18n/i18n.h"
#include "store/rows.h"
#include "util/arena.h"
#include "util/buf.h"

/* Renders the complete message for an outbox row: headers (Date from created_at, From, To with
 * the display name, Reply-To when set, Subject RFC 2047-encoded when not ASCII, a stable
 * Message-ID <outbox-ID.CREATED@domain-of-from> so a receiver can drop a duplicate, MIME-Version,
 * Content-Type text/plain; charset=UTF-8, Content-Transfer-Encoding: quoted-printable) and the
 * body, quoted-printable, with CRLF line ends. from is "Name <addr>" or a bare address. */
void mail_render(buf_t *out, const email_t *m, const char *from);

typedef struct {
    const char *filename;     /* ASCII, e.g. "INV-2026-000001.pdf" */
    const char *content_type; /* e.g. "application/pdf" */
    const void *data;
    size_t len;
} mail_attachment_t;

/* Like mail_render, with one attachment: multipart/mixed, the text part first, the attachment
 * base64-encoded in lines of 76 characters. att NULL gives exactly mail_render's message. */
void mail_render_with(buf_t *out, const email_t *m, const char *from, const mail_attachment_t *att);

/* Fills the text of an email (a translated template) with values: as arena_printf, but with %s
 * and %% only, and a value that ends with a full stop absorbs the full stop right after it in the
 * template, as typography wants ("... issued by Vendor, Inc." not "Vendor, Inc.."). */
char *mail_text(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Quoted-printable encoding (RFC 2045) of UTF-8 text, CRLF line ends, lines at most 76 chars. */
void mail_qp_encode(buf_t *out, const char *text);
/* A header value as an RFC 2047 encoded-word sequence when it is not plain ASCII. */
void mail_header_encode(buf_t *out, const char *value);

#endif
