/* SMTP delivery through libcurl, and atomic .eml files for installations without a relay. */
#include "smtp.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { CONNECT_TIMEOUT_S = 10, TOTAL_TIMEOUT_S = 60, ADDR_MAX = 320 };

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

bool smtp_send(const char *smtp_url, const char *from_addr, const char *to_addr,
               const char *message, size_t len, char *err, size_t err_size)
{
    char from[ADDR_MAX + 3], to[ADDR_MAX + 3];
    if (!smtp_path(from_addr, from, sizeof from) || !smtp_path(to_addr, to, sizeof to)) {
        snprintf(err, err_size, "invalid sender or recipient address");
        return false;
    }
    /* Needs curl_global_init, which is not thread-safe and so is done once by main(). */
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(err, err_size, "curl_easy_init failed");
        return false;
    }
    struct curl_slist *rcpt = curl_slist_append(NULL, to);
    if (!rcpt) {
        curl_easy_cleanup(c);
        snprintf(err, err_size, "out of memory");
        return false;
    }
    upload_t u = {message, len};
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

    CURLcode rc = curl_easy_perform(c);
    bool ok = rc == CURLE_OK;
    if (!ok) {
        long code = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        if (code)
            snprintf(err, err_size, "%s (SMTP %ld)", curl_easy_strerror(rc), code);
        else
            snprintf(err, err_size, "%s", curl_easy_strerror(rc));
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    return ok;
}

/* mkdir -p: every missing component of dir, 0755. */
static bool make_dirs(const char *dir, char *err, size_t err_size)
{
    size_t n = strlen(dir);
    char *p = malloc(n + 1);
    if (!p) {
        snprintf(err, err_size, "out of memory");
        return false;
    }
    memcpy(p, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0') continue;
        char saved = p[i];
        p[i] = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
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
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, err_size, "open %s: %s", tmp, strerror(errno));
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
