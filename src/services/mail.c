/* RFC 5322 rendering of outbox messages: headers, RFC 2047 words, quoted-printable bodies. */
#include "mail.h"
#include "util/email_addr.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

enum {
    QP_LINE_MAX = 76,  /* RFC 2045 6.7 (5), counting a soft break's '=' */
    WORD_MAX = 75,     /* RFC 2047 2: one encoded-word, delimiters included */
    WORD_RAW_MAX = 45, /* bytes whose base64 (60 chars) fits WORD_MAX with "=?UTF-8?B?" "?=" */
};

static const char hex_digits[] = "0123456789ABCDEF";

/* ---- quoted-printable ---------------------------------------------------------------- */

/* Appends the encoded line [p, end) (no line break in it) followed by nothing: the caller adds
 * the hard break. Whitespace at the end must be encoded or transports may strip it (rule 3). */
static void qp_line(buf_t *out, const char *p, const char *end)
{
    int col = 0;
    while (p < end) {
        unsigned char c = (unsigned char)*p++;
        char tok[3];
        int n;
        bool last = p == end;
        if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) {
            tok[0] = (char)c;
            n = 1;
        } else {
            tok[0] = '=';
            tok[1] = hex_digits[c >> 4];
            tok[2] = hex_digits[c & 15];
            n = 3;
        }
        /* The last token may reach column 76 itself; any other must leave room for the '=' of a
         * soft break, which always goes before a whole token so no escape is ever split. */
        if (col + n > (last ? QP_LINE_MAX : QP_LINE_MAX - 1)) {
            buf_append(out, "=\r\n", 3);
            col = 0;
        }
        buf_append(out, tok, (size_t)n);
        col += n;
    }
}

void mail_qp_encode(buf_t *out, const char *text)
{
    const char *p = text ? text : "";
    for (;;) {
        /* Lines end at LF; a CR right before it belongs to the break, any other CR is data. */
        const char *nl = strchr(p, '\n');
        const char *end = nl ? nl : p + strlen(p);
        const char *line_end = (nl && end > p && end[-1] == '\r') ? end - 1 : end;
        qp_line(out, p, line_end);
        if (!nl) break;
        buf_append(out, "\r\n", 2);
        p = nl + 1;
    }
}

/* ---- RFC 2047 header words ----------------------------------------------------------- */

/* Length of the UTF-8 sequence starting at p (1 for a stray byte), so a word never splits one. */
static size_t utf8_seq_len(const unsigned char *p)
{
    size_t n = 1;
    if (*p >= 0xC2 && *p <= 0xDF)
        n = 2;
    else if (*p >= 0xE0 && *p <= 0xEF)
        n = 3;
    else if (*p >= 0xF0 && *p <= 0xF4)
        n = 4;
    /* The string is NUL-terminated, so a sequence cut short stops at the NUL. */
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80) return 1;
    return n;
}

static void base64_append(buf_t *out, const unsigned char *p, size_t n)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n) v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n) v |= p[i + 2];
        char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], i + 1 < n ? b64[v >> 6 & 63] : '=',
                     i + 2 < n ? b64[v & 63] : '='};
        buf_append(out, q, 4);
    }
}

/* True when the value can go out as it is: printable ASCII and spaces, and nothing a decoder
 * would take for an encoded-word. */
static bool header_plain(const char *v)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p < 0x20 || *p > 0x7E) return false;
    return !strstr(v, "=?");
}

void mail_header_encode(buf_t *out, const char *value)
{
    const char *v = value ? value : "";
    if (header_plain(v)) {
        buf_puts(out, v);
        return;
    }
    /* Control characters become spaces first: a CR or LF from user data must never reach the
     * header block, even inside an encoded-word. */
    size_t len = strlen(v);
    unsigned char *clean = arena_alloc(out->arena, len + 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        clean[i] = c < 0x20 || c == 0x7F ? ' ' : c;
    }
    size_t i = 0;
    bool first = true;
    while (i < len) {
        size_t n = 0;
        while (i + n < len) {
            size_t k = utf8_seq_len(clean + i + n);
            if (n + k > WORD_RAW_MAX && n > 0) break;
            n += k;
        }
        /* Folding whitespace between adjacent encoded-words is dropped by decoders (6.2). */
        if (!first) buf_append(out, "\r\n ", 3);
        buf_puts(out, "=?UTF-8?B?");
        base64_append(out, clean + i, n);
        buf_puts(out, "?=");
        first = false;
        i += n;
    }
}

/* ---- the message --------------------------------------------------------------------- */

/* A display name as an RFC 5322 phrase: encoded-words when not ASCII, a quoted-string when it
 * holds specials, else as it is. */
static void put_phrase(buf_t *out, const char *name)
{
    if (!header_plain(name)) {
        mail_header_encode(out, name);
        return;
    }
    if (!name[strcspn(name, "()<>[]:;@\\,.\"")]) {
        buf_puts(out, name);
        return;
    }
    buf_putc(out, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"' || *p == '\\') buf_putc(out, '\\');
        buf_putc(out, *p);
    }
    buf_putc(out, '"');
}

/* An address from data: anything that could end the header line or the angle brackets goes. */
static void put_addr(buf_t *out, const char *addr)
{
    for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
        if (*p > 0x20 && *p != 0x7F && *p != '<' && *p != '>') buf_putc(out, (char)*p);
}

/* "Name <addr>", or the bare address when there is no name. */
static void put_mailbox(buf_t *out, const char *name, const char *addr)
{
    if (!name || !*name) {
        put_addr(out, addr);
        return;
    }
    put_phrase(out, name);
    buf_puts(out, " <");
    put_addr(out, addr);
    buf_putc(out, '>');
}

/* The display name of "Name <addr>" (quotes removed), or "" for a bare address. */
static char *from_name(arena_t *a, const char *from)
{
    const char *lt = strrchr(from, '<'); /* the same '<' email_addr_part takes */
    if (!lt || !strchr(lt, '>')) return arena_strdup(a, "");
    const char *s = from, *e = lt;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    if (e - s >= 2 && *s == '"' && e[-1] == '"') s++, e--;
    return arena_strndup(a, s, (size_t)(e - s));
}

/* RFC 5322 3.3 date in UTC. The names are written here because strftime follows the locale. */
static void put_date(buf_t *out, int64_t at)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)at;
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        t = 0;
        gmtime_r(&t, &tm);
    }
    buf_printf(out, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday % 7], tm.tm_mday,
               months[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void put_base64(buf_t *out, const unsigned char *data, size_t len)
{
    /* 57 bytes make 76 characters: the longest line RFC 2045 allows. */
    char line[80];
    for (size_t off = 0; off < len; off += 57) {
        size_t n = len - off < 57 ? len - off : 57;
        sodium_bin2base64(line, sizeof line, data + off, n, sodium_base64_VARIANT_ORIGINAL);
        buf_puts(out, line);
        buf_append(out, "\r\n", 2);
    }
}

void mail_render(buf_t *out, const email_t *m, const char *from)
{
    mail_render_with(out, m, from, NULL);
}

void mail_render_with(buf_t *out, const email_t *m, const char *from, const mail_attachment_t *att)
{
    const char *f = from ? from : "";
    char from_addr[EMAIL_MAX + 1];
    email_addr_part(f, from_addr, sizeof from_addr);
    const char *at = strrchr(from_addr, '@');
    const char *domain = at && at[1] ? at + 1 : "localhost";

    buf_puts(out, "Date: ");
    put_date(out, m->created_at);
    buf_puts(out, "\r\nFrom: ");
    put_mailbox(out, from_name(out->arena, f), from_addr);
    buf_puts(out, "\r\nTo: ");
    put_mailbox(out, m->to_name, m->to_addr ? m->to_addr : "");
    if (m->reply_to && *m->reply_to) {
        buf_puts(out, "\r\nReply-To: ");
        put_addr(out, m->reply_to);
    }
    buf_puts(out, "\r\nSubject: ");
    mail_header_encode(out, m->subject);
    /* Stable across retries, so a receiver can drop the copy of a message whose "sent" mark was
     * lost after the server had accepted it. */
    buf_printf(out, "\r\nMessage-ID: <outbox-%lld.%lld@", (long long)m->id,
               (long long)m->created_at);
    put_addr(out, domain);
    buf_puts(out, ">\r\nMIME-Version: 1.0\r\n");
    char boundary[64];
    if (att) {
        /* Base64 and quoted-printable never produce "=_", so the boundary cannot occur inside. */
        snprintf(boundary, sizeof boundary, "=_cobro_%lld_%lld", (long long)m->id,
                 (long long)m->created_at);
        buf_printf(out, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s\r\n", boundary,
                   boundary);
    }
    buf_puts(out, "Content-Type: text/plain; charset=UTF-8\r\n"
                  "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    size_t body_start = out->len;
    mail_qp_encode(out, m->body_text);
    if (out->len > body_start && (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2)))
        buf_append(out, "\r\n", 2);
    if (!att) return;
    buf_printf(out,
               "--%s\r\nContent-Type: %s; name=\"%s\"\r\n"
               "Content-Disposition: attachment; filename=\"%s\"\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\n",
               boundary, att->content_type, att->filename, att->filename);
    put_base64(out, att->data, att->len);
    buf_printf(out, "--%s--\r\n", boundary);
}

char *mail_text(arena_t *a, const char *fmt, ...)
{
    buf_t out;
    buf_init(&out, a);
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (p[0] == '%' && p[1] == '%') {
            buf_append(&out, "%", 1);
            p++;
        } else if (p[0] == '%' && p[1] == 's') {
            const char *v = va_arg(ap, const char *);
            if (!v) v = "";
            size_t n = strlen(v);
            buf_append(&out, v, n);
            p++;
            if (n > 0 && v[n - 1] == '.' && p[1] == '.') p++; /* "Inc." ends the sentence too */
        } else {
            buf_append(&out, p, 1);
        }
    }
    va_end(ap);
    return out.data ? out.data : arena_strdup(a, "");
}
