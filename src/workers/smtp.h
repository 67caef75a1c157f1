/* One SMTP delivery through libcurl, and the .eml fallback. */
#ifndef COBRO_SMTP_H
#define COBRO_SMTP_H
#include <stdbool.h>
#include <stddef.h>

/* What an attempt came to. Only a refusal of this very message is SMTP_REJECTED: everything
 * that another attempt may get past (no connection, a time-out, a 4xx reply, a server or set-up
 * problem such as a refused greeting, sender or login) is SMTP_TEMPORARY. */
typedef enum {
    SMTP_SENT = 0,
    SMTP_TEMPORARY,
    SMTP_REJECTED, /* a 5xx reply to RCPT TO, DATA or the message's end; or a malformed recipient */
} smtp_result_t;

/* The last command the client had sent when the server's last reply came. */
typedef enum {
    SMTP_STAGE_SESSION = 0, /* greeting, EHLO/HELO, STARTTLS, AUTH */
    SMTP_STAGE_MAIL,        /* MAIL FROM: about the sender, i.e. the set-up */
    SMTP_STAGE_RCPT,        /* RCPT TO: about the recipient */
    SMTP_STAGE_DATA,        /* DATA and the message itself */
} smtp_stage_t;

/* How a finished exchange counts: curl_code is libcurl's result (0 CURLE_OK), reply the server's
 * last reply code (0 when none), stage when it came. Pure, so that the rule can be tested. */
smtp_result_t smtp_classify(int curl_code, long reply, smtp_stage_t stage);

/* Sends message (complete RFC 5322 text, CRLF line ends) to one recipient. smtp_url is
 * smtp://host:port or smtps://host:port (user:password@ allowed). On failure writes a one-line
 * reason into err, with the server's reply when there was one. Blocking: call only from a worker
 * thread. */
smtp_result_t smtp_send(const char *smtp_url, const char *from_addr, const char *to_addr,
                        const char *message, size_t len, char *err, size_t err_size);

/* Writes message as dir/NAME.eml atomically (temporary file, then rename), creating dir. */
bool eml_write(const char *dir, const char *name, const char *message, size_t len, char *err,
               size_t err_size);

#endif
