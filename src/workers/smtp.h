/* One SMTP delivery through libcurl, and the .eml fallback. */
#ifndef COBRO_SMTP_H
#define COBRO_SMTP_H
#include <stdbool.h>
#include <stddef.h>

/* Sends message (complete RFC 5322 text, CRLF line ends) to one recipient. smtp_url is
 * smtp://host:port or smtps://host:port (user:password@ allowed). On failure returns false and
 * writes a one-line reason into err. Blocking: call only from a worker thread. */
bool smtp_send(const char *smtp_url, const char *from_addr, const char *to_addr,
               const char *message, size_t len, char *err, size_t err_size);

/* Writes message as dir/NAME.eml atomically (temporary file, then rename), creating dir. */
bool eml_write(const char *dir, const char *name, const char *message, size_t len, char *err,
               size_t err_size);

#endif
