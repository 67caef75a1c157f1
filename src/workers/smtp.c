/* SMTP delivery through libcurl, and atomic .eml files for installations without a relay. */
#include "smtp.h"
#include "util/log.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

enum { CONNECT_TIMEOUT_S = 10, TOTAL_TIMEOUT_S = 60, ADDR_MAX = 320, REPLY_MAX = 200 };

typedef struct {
    const char *p;
    size_t left;
} upload_t;

static size_t read_message(char *dst, size_t size, size_t nitems, void *userdata)
{
    upload_t *u = userdata;
    size_t n = size * nitems;
    if (n > u->left) n = u->left;
    memcpy(dst, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

/* "<addr>" for MAIL FROM / RCPT TO. Refuses what could break out of the SMTP command line
 * (CR, LF, spaces, brackets): libcurl would send it as it is. */
static bool smtp_path(const char *addr, char *out, size_t n)
{
    if (!addr || !*addr) return false;
    for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
        if (*p <= 0x20 || *p == 0x7F || *p == '<' || *p == '>') return false;
    int w = snprintf(out, n, "<%s>", addr);
    return w > 0 && (size_t)w < n;
}

smtp_result_t smtp_classify(int curl_code, long reply, smtp_stage_t stage)
{
    if (curl_code == 0) return SMTP_SENT;
    /* 530-539 are about logging in (RFC 4954) whatever command they answer: the set-up, which
     * the operator can fix, so the message waits for that. */
    bool login = reply >= 530 && reply <= 539;
    bool about_message = stage == SMTP_STAGE_RCPT || stage == SMTP_STAGE_DATA;
    return reply >= 500 && reply <= 599 && !login && about_message ? SMTP_REJECTED : SMTP_TEMPORARY;
}

/* What the exchange showed: the stage at the last reply, and that reply's line. libcurl reports
 * only the reply code, not which command it answered, hence this trace. */
typedef struct {
    smtp_stage_t stage, reply_stage;
    long reply_code;
    bool quitting;
    char reply[REPLY_MAX + 1];
} trace_t;

static bool starts_with(const char *p, size_t n, const char *word)
{
    size_t k = strlen(word);
    return n >= k && strncasecmp(p, word, k) == 0;
}

/* CURLOPT_DEBUGFUNCTION. Of a command only its verb is looked at and nothing is kept: the rest
 * of an AUTH line is a password. A reply line is kept without its control characters, since it
 * comes from a remote server and ends up in logs. */
static int trace_cb(CURL *c, curl_infotype type, char *data, size_t size, void *userp)
{
    (void)c;
    trace_t *t = userp;
    if (type == CURLINFO_HEADER_OUT) {
        /* An AUTH continuation is base64: no space or ':', and to read "DATA" or "QUIT" it
         * would have to decode to three control characters, which no login is. */
        if (starts_with(data, size, "QUIT\r"))
            t->quitting = true; /* its 221 says nothing about the message */
        else if (starts_with(data, size, "MAIL FROM:"))
            t->stage = SMTP_STAGE_MAIL;
        else if (starts_with(data, size, "RCPT TO:"))
            t->stage = SMTP_STAGE_RCPT;
        else if (starts_with(data, size, "DATA\r"))
            t->stage = SMTP_STAGE_DATA;
        else
            t->stage = SMTP_STAGE_SESSION;
    } else if (type == CURLINFO_HEADER_IN && !t->quitting && size >= 3 &&
               isdigit((unsigned char)data[0]) && isdigit((unsigned char)data[1]) &&
               isdigit((unsigned char)data[2])) {
        t->reply_code = (data[0] - '0') * 100 + (data[1] - '0') * 10 + (data[2] - '0');
        t->reply_stage = t->stage;
        size_t n = 0;
        for (size_t i = 0; i < size && n < REPLY_MAX; i++) {
            unsigned char ch = (unsigned char)data[i];
            if (ch == '\r' || ch == '\n') break;
            t->reply[n++] = ch < 0x20 || ch >= 0x7F ? '?' : (char)ch;
        }
        t->reply[n] = '\0';
    }
    return 0;
}

static const char *stage_name(smtp_stage_t stage)
{
    switch (stage) {
    case SMTP_STAGE_MAIL:
        return "MAIL FROM";
    case SMTP_STAGE_RCPT:
        return "RCPT TO";
    case SMTP_STAGE_DATA:
        return "DATA";
    default:
        return "the session";
    }
}

smtp_result_t smtp_send(const char *smtp_url, const char *from_addr, const char *to_addr,
                        const char *message, size_t len, char *err, size_t err_size)
{
    char from[ADDR_MAX + 3], to[ADDR_MAX + 3];
    if (!smtp_path(from_addr, from, sizeof from)) {
        snprintf(err, err_size, "invalid sender address");
        return SMTP_TEMPORARY; /* the set-up's, fixed by the operator */
    }
    if (!smtp_path(to_addr, to, sizeof to)) {
        snprintf(err, err_size, "invalid recipient address");
        return SMTP_REJECTED; /* no attempt can send to it */
    }
    /* Needs curl_global_init, which is not thread-safe and so is done once by main(). */
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, err_size, "curl_easy_init failed");
        return SMTP_TEMPORARY;
    }
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    if (!rcpt) {
        curl_easy_cleanup(c);
        snprintf(err, err_size, "out of memory");
        return SMTP_TEMPORARY;
    }
    upload_t u = {message, len};
    trace_t t = {0};
    curl_easy_setopt(c, CURLOPT_URL, smtp_url);
    /* A configured URL must not turn this into some other protocol's client. */
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    /* Signals (for DNS timeouts) are not safe in a multi-threaded server. */
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)TOTAL_TIMEOUT_S);
    /* The debug function is called only in verbose mode; it prints nothing itself. */
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, trace_cb);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, &t);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);

    CURLcode rc = curl_easy_perform(c);
    smtp_result_t result = SMTP_SENT;
    if (rc != CURLE_OK) {
        long code = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        /* Should the trace and libcurl disagree on the last reply, its stage is unknown: then the
         * failure counts as temporary, which at worst costs more attempts. */
        bool traced = code && t.reply_code == code && t.reply[0];
        result = smtp_classify((int)rc, code, traced ? t.reply_stage : SMTP_STAGE_SESSION);
        if (traced)
            snprintf(err, err_size, "%s (reply to %s: %s)", curl_easy_strerror(rc),
                     stage_name(t.reply_stage), t.reply);
        else if (code)
            snprintf(err, err_size, "%s (SMTP %ld)", curl_easy_strerror(rc), code);
        else
            snprintf(err, err_size, "%s", curl_easy_strerror(rc));
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    return result;
}

/* mkdir -p: every missing component of dir, 0755. */
/* Creates dir and its missing parents. The parents are ordinary folders (0755); the mail folder
 * itself is 0700, since its messages hold live password-reset links. A mail folder that already
 * exists with group or other access is tightened to 0700 (it is cobro's own folder, named by
 * --mail-dir) and the change is logged; when that is not possible (another owner), nothing is
 * written there: the message stays in the outbox and the error says why. */
static bool make_dirs(const char *dir, char *err, size_t err_size)
{
    size_t n = strlen(dir);
    char *p = malloc(n + 1);
    if (!p) {
        snprintf(err, err_size, "out of memory");
        return false;
    }
    memcpy(p, dir, n + 1);
    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0'; /* "var/mail/" is the folder "var/mail" */
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0') continue;
        char saved = p[i];
        p[i] = '\0';
        if (mkdir(p, i == n ? 0700 : 0755) != 0 && errno != EEXIST) {
            snprintf(err, err_size, "mkdir %s: %s", p, strerror(errno));
            free(p);
            return false;
        }
        p[i] = saved;
    }
    free(p);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, err_size, "%s is not a directory", dir);
        return false;
    }
    if (st.st_mode & 077) {
        if (chmod(dir, 0700) != 0) {
            snprintf(err, err_size,
                     "mail folder %s is open to other users (mode %03o) and cannot be restricted "
                     "to 0700 (%s): no message is written there until its mode is 0700",
                     dir, (unsigned)(st.st_mode & 0777), strerror(errno));
            return false;
        }
        log_info("mail folder %s was open to other users (mode %03o): now 0700", dir,
                 (unsigned)(st.st_mode & 0777));
    }
    return true;
}

static bool write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        p += w;
        len -= (size_t)w;
    }
    return true;
}

bool eml_write(const char *dir, const char *name, const char *message, size_t len, char *err,
               size_t err_size)
{
    if (!make_dirs(dir, err, err_size)) return false;
    char tmp[4096], final[4096];
    int a = snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    int b = snprintf(final, sizeof final, "%s/%s.eml", dir, name);
    if (a < 0 || b < 0 || (size_t)a >= sizeof tmp || (size_t)b >= sizeof final) {
        snprintf(err, err_size, "path too long");
        return false;
    }
    /* Readable by cobro's user alone. A leftover temporary file keeps its old mode through
     * O_TRUNC, hence the fchmod; a link there is not followed. */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(err, err_size, "open %s: %s", tmp, strerror(errno));
        return false;
    }
    if (fchmod(fd, 0600) != 0) {
        snprintf(err, err_size, "chmod %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return false;
    }
    /* A reader of the directory sees either no file or the whole message, even after a crash:
     * the data is on disk before the name appears. */
    if (!write_all(fd, message, len) || fsync(fd) != 0) {
        snprintf(err, err_size, "write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return false;
    }
    if (close(fd) != 0) {
        snprintf(err, err_size, "close %s: %s", tmp, strerror(errno));
        unlink(tmp);
        return false;
    }
    if (rename(tmp, final) != 0) {
        snprintf(err, err_size, "rename %s: %s", final, strerror(errno));
        unlink(tmp);
        return false;
    }
    /* The rename itself is durable only once the directory is synced. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return true;
}
