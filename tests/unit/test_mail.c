/* Unit tests of message rendering (quoted-printable, RFC 2047, headers), the outbox drain and its
 * retry rules (backoff, which SMTP failures count as refusals, requeueing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "services/mail.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/token.h"
#include "workers/mailer.h"
#include "workers/smtp.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------------------- */

static arena_t *arena;

static int setup(void **state)
{
    (void)state;
    arena = arena_new();
    return arena ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(arena);
    arena = NULL;
    return 0;
}

static const char *qp(const char *text)
{
    buf_t b;
    buf_init(&b, arena);
    mail_qp_encode(&b, text);
    return b.data;
}

static const char *hdr(const char *value)
{
    buf_t b;
    buf_init(&b, arena);
    mail_header_encode(&b, value);
    return b.data;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1; /* RFC 2045 wants upper case: lower case counts as malformed here */
}

/* A strict quoted-printable decoder: fails the test on a malformed escape, a line over 76
 * characters, a bare CR or LF, or unencoded whitespace at the end of a line. */
static char *qp_decode(const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(arena, n + 1);
    size_t j = 0, col = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r') {
            assert_true(i + 1 < n && s[i + 1] == '\n');
            assert_true(i == 0 || (s[i - 1] != ' ' && s[i - 1] != '\t'));
            out[j++] = '\r';
            out[j++] = '\n';
            i++;
            col = 0;
            continue;
        }
        assert_true(s[i] != '\n');
        if (s[i] == '=') {
            if (i + 2 < n && s[i + 1] == '\r' && s[i + 2] == '\n') {
                assert_true(col + 1 <= 76);
                i += 2;
                col = 0;
                continue;
            }
            assert_true(i + 2 < n);
            int hi = hexval(s[i + 1]), lo = hi < 0 ? -1 : hexval(s[i + 2]);
            assert_true(hi >= 0 && lo >= 0);
            out[j++] = (char)(hi * 16 + lo);
            i += 2;
            col += 3;
        } else {
            out[j++] = s[i];
            col++;
        }
        assert_true(col <= 76);
    }
    assert_true(n == 0 || (s[n - 1] != ' ' && s[n - 1] != '\t'));
    out[j] = '\0';
    return out;
}

/* "\n" -> "\r\n", for comparing decoded bodies with the text that was encoded. */
static char *crlf(const char *s)
{
    char *out = arena_alloc(arena, 2 * strlen(s) + 1);
    size_t j = 0;
    for (; *s; s++) {
        if (*s == '\n') out[j++] = '\r';
        out[j++] = *s;
    }
    out[j] = '\0';
    return out;
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

static size_t b64_decode(const char *s, size_t n, unsigned char *out)
{
    assert_int_equal(n % 4, 0);
    size_t j = 0;
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++)
            v[k] = s[i + k] == '=' ? 0 : b64val(s[i + k]);
        for (int k = 0; k < 4; k++)
            assert_true(v[k] >= 0);
        uint32_t w =
            (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        out[j++] = (unsigned char)(w >> 16);
        if (s[i + 2] != '=') out[j++] = (unsigned char)(w >> 8);
        if (s[i + 3] != '=') out[j++] = (unsigned char)w;
    }
    return j;
}

static bool utf8_valid(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = p[i] < 0x80                    ? 1
                   : p[i] >= 0xC2 && p[i] <= 0xDF ? 2
                   : p[i] >= 0xE0 && p[i] <= 0xEF ? 3
                   : p[i] >= 0xF0 && p[i] <= 0xF4 ? 4
                                                  : 0;
        if (!k || i + k > n) return false;
        for (size_t c = 1; c < k; c++)
            if ((p[i + c] & 0xC0) != 0x80) return false;
        i += k;
    }
    return true;
}

/* Decodes a sequence of B encoded-words separated by folding whitespace; each word must be at
 * most 75 characters and decode to whole UTF-8 characters. */
static char *words_decode(const char *s)
{
    char *out = arena_alloc(arena, strlen(s) + 1);
    size_t j = 0;
    while (*s) {
        if (!strncmp(s, "\r\n ", 3)) {
            s += 3;
            continue;
        }
        assert_true(!strncmp(s, "=?UTF-8?B?", 10));
        const char *end = strstr(s + 10, "?=");
        assert_non_null(end);
        assert_true(end + 2 - s <= 75);
        size_t k = b64_decode(s + 10, (size_t)(end - (s + 10)), (unsigned char *)out + j);
        assert_true(utf8_valid((unsigned char *)out + j, k));
        j += k;
        s = end + 2;
    }
    out[j] = '\0';
    return out;
}

/* Every LF is preceded by CR and every CR followed by LF. */
static bool all_crlf(const char *s)
{
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) return false;
        if (s[i] == '\r' && s[i + 1] != '\n') return false;
    }
    return true;
}

static email_t sample(void)
{
    return (email_t){
        .id = 42,
        .attempts = 1,
        .kind = "password_reset",
        .to_addr = "ana@example.org",
        .to_name = "Ana López",
        .reply_to = "",
        .subject = "Réinitialisez votre mot de passe",
        .body_text = "Bonjour Ana,\n\nRéinitialisez votre mot de passe : https://cobro.example/"
                     "corporate/reset?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
                     "Ce lien expire dans 1 heure.   \n-- \ncobro\n",
        .created_at = 1700000000, /* Tue, 14 Nov 2023 22:13:20 +0000 */
    };
}

static const char *render(const email_t *m, const char *from)
{
    buf_t b;
    buf_init(&b, arena);
    mail_render(&b, m, from);
    return b.data;
}

/* The value of header name (up to its CRLF, folding not unfolded), or NULL. */
static const char *header(const char *msg, const char *name)
{
    size_t n = strlen(name);
    const char *head_end = strstr(msg, "\r\n\r\n");
    assert_non_null(head_end);
    for (const char *p = msg; p && p < head_end; p = strstr(p, "\r\n"), p = p ? p + 2 : NULL) {
        if (!strncmp(p, name, n) && p[n] == ':' && p[n + 1] == ' ') {
            const char *e = strstr(p, "\r\n");
            while (e[2] == ' ')
                e = strstr(e + 2, "\r\n"); /* folded continuation */
            return arena_strndup(arena, p + n + 2, (size_t)(e - (p + n + 2)));
        }
    }
    return NULL;
}

/* ---- quoted-printable ---------------------------------------------------------------- */

static void test_01_qp_ascii(void **state)
{
    (void)state;
    assert_string_equal(qp("Hello, world! (cobro) 100% ~ok~"), "Hello, world! (cobro) 100% ~ok~");
    assert_string_equal(qp(""), "");
}

static void test_02_qp_accented_utf8(void **state)
{
    (void)state;
    assert_string_equal(qp("Réinitialisez"), "R=C3=A9initialisez");
    assert_string_equal(qp("€"), "=E2=82=AC");
    assert_string_equal(qp_decode(qp("Réinitialisez")), "Réinitialisez");
}

static void test_03_qp_equals_sign(void **state)
{
    (void)state;
    assert_string_equal(qp("a=b"), "a=3Db");
    assert_string_equal(qp("?token=x=="), "?token=3Dx=3D=3D");
}

static void test_04_qp_line_breaks_become_crlf(void **state)
{
    (void)state;
    assert_string_equal(qp("a\nb\r\nc\n"), "a\r\nb\r\nc\r\n");
    assert_string_equal(qp("a\rb"), "a=0Db"); /* a lone CR is data, not a line end */
}

static void test_05_qp_trailing_whitespace_encoded(void **state)
{
    (void)state;
    assert_string_equal(qp("end  \nnext\t"), "end =20\r\nnext=09");
    assert_string_equal(qp("a b"), "a b");
    assert_string_equal(qp(" "), "=20");
}

static void test_06_qp_long_line_soft_breaks(void **state)
{
    (void)state;
    char line[201];
    memset(line, 'a', 200);
    line[200] = '\0';
    const char *e = qp(line);
    assert_non_null(strstr(e, "=\r\n"));
    /* 75 characters and '=' per full line. */
    assert_int_equal(strstr(e, "=\r\n") - e, 75);
    assert_string_equal(qp_decode(e), line);
}

static void test_07_qp_line_of_76_is_not_broken(void **state)
{
    (void)state;
    char line[78];
    memset(line, 'x', 77);
    line[76] = '\0';
    assert_null(strstr(qp(line), "=\r\n"));
    line[76] = 'x';
    line[77] = '\0';
    assert_non_null(strstr(qp(line), "=\r\n"));
    assert_string_equal(qp_decode(qp(line)), line);
}

static void test_08_qp_escapes_never_split(void **state)
{
    (void)state;
    /* Every offset, so that a soft break lands at each position of an escape at least once. */
    for (int pad = 0; pad < 6; pad++) {
        char text[400] = "";
        for (int i = 0; i < pad; i++)
            strcat(text, "a");
        for (int i = 0; i < 60; i++)
            strcat(text, i % 7 == 3 ? "= " : "é");
        strcat(text, " \nsecond line ending in space ");
        const char *e = qp(text);
        assert_true(all_crlf(e));
        assert_string_equal(qp_decode(e), crlf(text)); /* the strict decoder checks each escape */
    }
}

/* ---- RFC 2047 ------------------------------------------------------------------------ */

static void test_09_header_ascii_passthrough(void **state)
{
    (void)state;
    assert_string_equal(hdr("Reset your password"), "Reset your password");
    assert_string_equal(hdr(""), "");
}

static void test_10_header_non_ascii_encoded(void **state)
{
    (void)state;
    const char *e = hdr("Réinitialisez");
    assert_string_equal(e, "=?UTF-8?B?UsOpaW5pdGlhbGlzZXo=?=");
    assert_string_equal(words_decode(e), "Réinitialisez");
    /* Text that looks like an encoded-word is encoded so that it reads back as written. */
    assert_string_equal(words_decode(hdr("=?x?")), "=?x?");
}

static void test_11_header_long_split_on_characters(void **state)
{
    (void)state;
    char text[600] = "Restablezca su contraseña ";
    for (int i = 0; i < 40; i++)
        strcat(text, i % 2 ? "ñ€" : "é😀a");
    const char *e = hdr(text);
    assert_non_null(strstr(e, "?=\r\n =?UTF-8?B?"));
    assert_string_equal(words_decode(e), text); /* checks ≤ 75 chars and whole characters */
}

static void test_12_header_no_line_injection(void **state)
{
    (void)state;
    const char *e = hdr("Hi\r\nBcc: victim@example.com");
    for (const char *p = strstr(e, "\r\n"); p; p = strstr(p + 2, "\r\n"))
        assert_int_equal(p[2], ' ');
    assert_string_equal(words_decode(e), "Hi  Bcc: victim@example.com");
}

/* ---- mail_render --------------------------------------------------------------------- */

static void test_13_render_headers(void **state)
{
    (void)state;
    email_t m = sample();
    const char *msg = render(&m, "Cobro <no-reply@cobro.example>");
    assert_string_equal(header(msg, "Date"), "Tue, 14 Nov 2023 22:13:20 +0000");
    assert_string_equal(header(msg, "From"), "Cobro <no-reply@cobro.example>");
    assert_string_equal(header(msg, "To"), "=?UTF-8?B?QW5hIEzDs3Bleg==?= <ana@example.org>");
    assert_string_equal(words_decode(header(msg, "Subject")), m.subject);
    assert_string_equal(header(msg, "MIME-Version"), "1.0");
    assert_string_equal(header(msg, "Content-Type"), "text/plain; charset=UTF-8");
    assert_string_equal(header(msg, "Content-Transfer-Encoding"), "quoted-printable");
    assert_true(!strncmp(msg, "Date: ", 6));
}

static void test_14_render_message_id_stable(void **state)
{
    (void)state;
    email_t m = sample();
    const char *a = render(&m, "Cobro <no-reply@cobro.example>");
    m.attempts = 7;
    const char *b = render(&m, "no-reply@cobro.example");
    assert_string_equal(header(a, "Message-ID"), "<outbox-42.1700000000@cobro.example>");
    assert_string_equal(header(b, "Message-ID"), header(a, "Message-ID"));
    assert_string_equal(header(b, "From"), "no-reply@cobro.example");
}

static void test_15_render_reply_to_only_when_set(void **state)
{
    (void)state;
    email_t m = sample();
    assert_null(header(render(&m, "x@cobro.example"), "Reply-To"));
    m.reply_to = NULL;
    assert_null(header(render(&m, "x@cobro.example"), "Reply-To"));
    m.reply_to = "support@acme.example";
    assert_string_equal(header(render(&m, "x@cobro.example"), "Reply-To"), "support@acme.example");
}

static void test_16_render_crlf_everywhere(void **state)
{
    (void)state;
    email_t m = sample();
    const char *msg = render(&m, "Cobro <no-reply@cobro.example>");
    assert_true(all_crlf(msg));
    size_t n = strlen(msg);
    assert_true(n >= 2 && !strcmp(msg + n - 2, "\r\n"));
}

static void test_17_render_body_decodes_to_text(void **state)
{
    (void)state;
    email_t m = sample();
    const char *msg = render(&m, "Cobro <no-reply@cobro.example>");
    const char *body = strstr(msg, "\r\n\r\n") + 4;
    assert_string_equal(qp_decode(body), crlf(m.body_text));
    /* A body without a final newline still ends the message with CRLF. */
    m.body_text = "Ciao";
    body = strstr(render(&m, "x@cobro.example"), "\r\n\r\n") + 4;
    assert_string_equal(body, "Ciao\r\n");
}

static void test_18_render_display_names(void **state)
{
    (void)state;
    email_t m = sample();
    m.to_name = "Doe, John";
    assert_string_equal(header(render(&m, "x@cobro.example"), "To"),
                        "\"Doe, John\" <ana@example.org>");
    m.to_name = "";
    assert_string_equal(header(render(&m, "x@cobro.example"), "To"), "ana@example.org");
    m.to_name = "Ana\r\nBcc: x@evil.example";
    const char *msg = render(&m, "x@cobro.example");
    assert_null(header(msg, "Bcc"));
    assert_true(all_crlf(msg));
    assert_string_equal(header(render(&m, "\"Équipe Cobro\" <no-reply@cobro.example>"), "From"),
                        "=?UTF-8?B?w4lxdWlwZSBDb2Jybw==?= <no-reply@cobro.example>");
}

/* ---- mailer_drain -------------------------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static mode_t current_umask(void)
{
    mode_t m = umask(0);
    umask(m);
    return m;
}

typedef struct {
    char dir[64], db[128], mail_dir[128];
    store_t *store;
} fixture_t;

static void fixture_open(fixture_t *f)
{
    assert_true(token_init());
    strcpy(f->dir, "/tmp/cobro-test-mail-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/cobro.db", f->dir);
    snprintf(f->mail_dir, sizeof f->mail_dir, "%s/var/mail", f->dir); /* created by the drain */
    char err[256];
    f->store = store_open(f->db, err, (int)sizeof err);
    assert_non_null(f->store);
    int from, to;
    assert_int_equal(store_migrate(f->store, &from, &to), STORE_OK);
}

static void fixture_close(fixture_t *f)
{
    store_close(f->store);
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

static int64_t queue(fixture_t *f, int64_t now)
{
    email_t m = sample();
    int64_t id = 0;
    assert_int_equal(store_outbox_add(f->store, &m, now, &id), STORE_OK);
    return id;
}

/* attempts, sent_at, failed_at, next_attempt_at of a row, read behind the store's back. */
static void row(fixture_t *f, int64_t id, int64_t v[4])
{
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT attempts, COALESCE(sent_at, 0),"
                                        " COALESCE(failed_at, 0), next_attempt_at"
                                        " FROM email_outbox WHERE id = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, id);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    for (int i = 0; i < 4; i++)
        v[i] = sqlite3_column_int64(st, i);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static void test_19_drain_writes_eml(void **state)
{
    (void)state;
    fixture_t f;
    fixture_open(&f);
    int64_t now = 1700000000;
    int64_t id = queue(&f, now);
    mailer_config_t cfg = {f.db, NULL, "Cobro <no-reply@cobro.example>", f.mail_dir, 0, 0};

    assert_int_equal(mailer_drain(&cfg, now), 1);
    char path[256];
    snprintf(path, sizeof path, "%s/%06lld-password_reset.eml", f.mail_dir, (long long)id);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, fp);
    text[n] = '\0';
    fclose(fp);
    assert_non_null(strstr(text, "\r\nTo: =?UTF-8?B?QW5hIEzDs3Bleg==?= <ana@example.org>\r\n"));
    assert_non_null(strstr(text, "Message-ID: <outbox-1.1700000000@cobro.example>\r\n"));
    email_t m = sample();
    assert_string_equal(qp_decode(strstr(text, "\r\n\r\n") + 4), crlf(m.body_text));

    int64_t v[4];
    row(&f, id, v);
    assert_int_equal(v[0], 1);   /* one attempt */
    assert_int_equal(v[1], now); /* sent */
    int64_t due = -1;
    assert_int_equal(store_outbox_next_due(f.store, &due), STORE_OK);
    assert_int_equal(due, 0);

    assert_int_equal(mailer_drain(&cfg, now + 3600), 0); /* nothing left to send */
    row(&f, id, v);
    assert_int_equal(v[0], 1);

    /* The message holds a live reset link: cobro's user alone reads it, in a folder only cobro's
     * user can list; the parent made on the way is an ordinary folder. */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(f.mail_dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    char parent[256];
    snprintf(parent, sizeof parent, "%s/var", f.dir);
    assert_int_equal(stat(parent, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0755 & ~current_umask());
    fixture_close(&f);
}

static void test_19b_eml_folder_too_open_is_tightened(void **state)
{
    (void)state;
    char dir[64] = "/tmp/cobro-test-eml-XXXXXX", err[512] = "", path[128], tmp[128];
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chmod(dir, 0755), 0);
    /* A temporary file left by a crash, world-readable: rewriting it must not keep its mode. */
    snprintf(tmp, sizeof tmp, "%s/.000001-password_reset.tmp", dir);
    FILE *fp = fopen(tmp, "w");
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(chmod(tmp, 0644), 0);

    const char *msg = "Subject: x\r\n\r\nlink\r\n";
    assert_true(eml_write(dir, "000001-password_reset", msg, strlen(msg), err, sizeof err));
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    snprintf(path, sizeof path, "%s/000001-password_reset.eml", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    unlink(path);
    rmdir(dir);
}

static void test_20_drain_retries_an_outage_for_ever(void **state)
{
    (void)state;
    /* A bound but not listening port refuses connections at once. */
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(sock >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(sock, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t sl = sizeof sa;
    assert_int_equal(getsockname(sock, (struct sockaddr *)&sa, &sl), 0);
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", ntohs(sa.sin_port));

    fixture_t f;
    fixture_open(&f);
    int64_t t = 1700000000;
    int64_t id = queue(&f, t);
    mailer_config_t cfg = {f.db, url, "no-reply@cobro.example", f.mail_dir, 0, 0};
    /* Past the ten attempts (some four hours) after which the message used to be given up. */
    static const int64_t waits[] = {60,   120,  240,  480,  960,  1920, 3600, 3600,
                                    3600, 3600, 3600, 3600, 3600, 3600, 3600};
    enum { N = sizeof waits / sizeof waits[0] };
    int64_t v[4];
    for (int i = 1; i <= N; i++) {
        assert_int_equal(mailer_drain(&cfg, t - 1), 0); /* not due yet: no attempt */
        assert_int_equal(mailer_drain(&cfg, t), 0);
        row(&f, id, v);
        assert_int_equal(v[0], i);
        assert_int_equal(v[1], 0);
        assert_int_equal(v[2], 0); /* never failed */
        assert_int_equal(v[3], t + waits[i - 1]);
        t = v[3];
    }
    outbox_counts_t c;
    assert_int_equal(store_outbox_counts(f.store, &c), STORE_OK);
    assert_int_equal(c.waiting, 1);
    assert_int_equal(c.retrying, 1);
    assert_int_equal(c.failed, 0);
    fixture_close(&f);
    close(sock);
}

static void test_21_backoff_doubles_up_to_the_cap(void **state)
{
    (void)state;
    static const int64_t want[] = {60, 60, 120, 240, 480, 960, 1920, 3600, 3600};
    for (int64_t a = 0; a < (int64_t)(sizeof want / sizeof want[0]); a++)
        assert_int_equal(mailer_backoff(a, 60, 3600), want[a]);
    /* Thousands of attempts: still the cap, no overflow. */
    assert_int_equal(mailer_backoff(100000, 60, 3600), 3600);
    assert_int_equal(mailer_backoff(INT64_MAX, 60, 3600), 3600);
    /* A cap that is not a power-of-two multiple of the base is reached exactly. */
    assert_int_equal(mailer_backoff(3, 7, 20), 20);
    assert_int_equal(mailer_backoff(2, 7, 20), 14);
    /* The test set-up (every second), and nonsense settings kept sane. */
    assert_int_equal(mailer_backoff(50, 1, 1), 1);
    assert_int_equal(mailer_backoff(5, 600, 60), 600); /* the cap is never below the base */
    assert_int_equal(mailer_backoff(5, 0, 0), 1);      /* never zero: no busy loop */
}

static void test_22_only_refusals_of_the_message_are_permanent(void **state)
{
    (void)state;
    assert_int_equal(smtp_classify(CURLE_OK, 250, SMTP_STAGE_DATA), SMTP_SENT);
    /* No server, a time-out, a name that does not resolve: the reply code is 0. */
    assert_int_equal(smtp_classify(CURLE_COULDNT_CONNECT, 0, SMTP_STAGE_SESSION), SMTP_TEMPORARY);
    assert_int_equal(smtp_classify(CURLE_OPERATION_TIMEDOUT, 0, SMTP_STAGE_SESSION),
                     SMTP_TEMPORARY);
    assert_int_equal(smtp_classify(CURLE_OPERATION_TIMEDOUT, 354, SMTP_STAGE_DATA), SMTP_TEMPORARY);
    assert_int_equal(smtp_classify(CURLE_COULDNT_RESOLVE_HOST, 0, SMTP_STAGE_SESSION),
                     SMTP_TEMPORARY);
    /* 4xx, wherever it comes. */
    for (smtp_stage_t st = SMTP_STAGE_SESSION; st <= SMTP_STAGE_DATA; st++) {
        assert_int_equal(smtp_classify(CURLE_WEIRD_SERVER_REPLY, 421, st), SMTP_TEMPORARY);
        assert_int_equal(smtp_classify(CURLE_SEND_ERROR, 451, st), SMTP_TEMPORARY);
        assert_int_equal(smtp_classify(CURLE_SEND_ERROR, 452, st), SMTP_TEMPORARY);
    }
    /* 5xx to the greeting, EHLO or MAIL FROM: the server or the set-up, not this message. */
    assert_int_equal(smtp_classify(CURLE_WEIRD_SERVER_REPLY, 554, SMTP_STAGE_SESSION),
                     SMTP_TEMPORARY);
    assert_int_equal(smtp_classify(CURLE_SEND_ERROR, 550, SMTP_STAGE_MAIL), SMTP_TEMPORARY);
    assert_int_equal(smtp_classify(CURLE_LOGIN_DENIED, 535, SMTP_STAGE_SESSION), SMTP_TEMPORARY);
    /* A login demanded at RCPT TO is the set-up's too. */
    assert_int_equal(smtp_classify(CURLE_SEND_ERROR, 530, SMTP_STAGE_RCPT), SMTP_TEMPORARY);
    /* 5xx to the recipient or the message: retrying cannot help. */
    assert_int_equal(smtp_classify(CURLE_SEND_ERROR, 550, SMTP_STAGE_RCPT), SMTP_REJECTED);
    assert_int_equal(smtp_classify(CURLE_SEND_ERROR, 553, SMTP_STAGE_RCPT), SMTP_REJECTED);
    assert_int_equal(smtp_classify(CURLE_SEND_ERROR, 554, SMTP_STAGE_DATA), SMTP_REJECTED);
    assert_int_equal(smtp_classify(CURLE_WEIRD_SERVER_REPLY, 552, SMTP_STAGE_DATA), SMTP_REJECTED);
}

/* A recipient no SMTP command can carry is refused before any connection: the refusal path,
 * without a server. */
static void test_23_refused_three_times_fails_until_requeued(void **state)
{
    (void)state;
    fixture_t f;
    fixture_open(&f);
    int64_t t = 1700000000;
    email_t m = sample();
    m.to_addr = "ana lopez@example.org";
    int64_t id = 0, other = queue(&f, t);
    assert_int_equal(store_outbox_add(f.store, &m, t, &id), STORE_OK);
    assert_int_equal(store_outbox_sent(f.store, other, t), STORE_OK);
    mailer_config_t cfg = {f.db, "smtp://127.0.0.1:9", "no-reply@cobro.example", f.mail_dir, 0, 0};
    int64_t v[4];
    for (int i = 1; i <= MAILER_REJECTIONS_MAX; i++) {
        assert_int_equal(mailer_drain(&cfg, t), 0);
        row(&f, id, v);
        assert_int_equal(v[0], i);
        if (i < MAILER_REJECTIONS_MAX) {
            assert_int_equal(v[2], 0);
            t = v[3];
        } else {
            assert_int_equal(v[2], t); /* failed */
        }
    }
    assert_int_equal(mailer_drain(&cfg, t + 86400 * 30), 0); /* no longer retried */
    row(&f, id, v);
    assert_int_equal(v[0], MAILER_REJECTIONS_MAX);

    arena_t *a = arena_new();
    outbox_row_t *rows;
    size_t n;
    assert_int_equal(store_outbox_list(f.store, a, true, 10, &rows, &n), STORE_OK);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, id);
    assert_int_equal(rows[0].rejections, MAILER_REJECTIONS_MAX);
    assert_string_equal(rows[0].last_error, "invalid recipient address");
    arena_free(a);

    /* Requeued: due at once, its refusals forgotten; a sent message is never requeued. */
    int64_t requeued = -1, hastened = -1, now = t + 100;
    assert_int_equal(store_outbox_requeue(f.store, other, now, &requeued, &hastened),
                     STORE_NOT_FOUND);
    assert_int_equal(store_outbox_requeue(f.store, 0, now, &requeued, &hastened), STORE_OK);
    assert_int_equal(requeued, 1);
    assert_int_equal(hastened, 0);
    row(&f, id, v);
    assert_int_equal(v[2], 0);
    assert_int_equal(v[3], now);
    row(&f, other, v);
    assert_int_equal(v[1], 1700000000); /* still sent once, at its time */
    assert_int_equal(mailer_drain(&cfg, now), 0);
    row(&f, id, v);
    assert_int_equal(v[0], MAILER_REJECTIONS_MAX + 1);
    assert_int_equal(v[2], 0); /* one refusal again, not three */
    fixture_close(&f);
}

/* A value ending with a full stop ends the sentence too: "Vendor, Inc." never gets "..". */
static void test_25_mail_text_one_full_stop(void **state)
{
    (void)state;
    arena_t *a = arena_new();
    assert_string_equal(mail_text(a, "la fattura %s emessa da %s.\n", "INV-1", "Vendor, Inc."),
                        "la fattura INV-1 emessa da Vendor, Inc.\n");
    assert_string_equal(mail_text(a, "from %s, thanks.", "Vendor, Inc."),
                        "from Vendor, Inc., thanks.");
    assert_string_equal(mail_text(a, "%s.", "Acme"), "Acme.");
    assert_string_equal(mail_text(a, "%s...", "Wait."), "Wait...");
    assert_string_equal(mail_text(a, "100%% %s", "done"), "100% done");
    assert_string_equal(mail_text(a, "[%s]", ""), "[]");
    assert_string_equal(mail_text(a, "no values"), "no values");
    arena_free(a);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_01_qp_ascii, setup, teardown),
        cmocka_unit_test_setup_teardown(test_02_qp_accented_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_03_qp_equals_sign, setup, teardown),
        cmocka_unit_test_setup_teardown(test_04_qp_line_breaks_become_crlf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_05_qp_trailing_whitespace_encoded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_06_qp_long_line_soft_breaks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_07_qp_line_of_76_is_not_broken, setup, teardown),
        cmocka_unit_test_setup_teardown(test_08_qp_escapes_never_split, setup, teardown),
        cmocka_unit_test_setup_teardown(test_09_header_ascii_passthrough, setup, teardown),
        cmocka_unit_test_setup_teardown(test_10_header_non_ascii_encoded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_11_header_long_split_on_characters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_12_header_no_line_injection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_13_render_headers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_14_render_message_id_stable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_15_render_reply_to_only_when_set, setup, teardown),
        cmocka_unit_test_setup_teardown(test_16_render_crlf_everywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_17_render_body_decodes_to_text, setup, teardown),
        cmocka_unit_test_setup_teardown(test_18_render_display_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_19_drain_writes_eml, setup, teardown),
        cmocka_unit_test(test_19b_eml_folder_too_open_is_tightened),
        cmocka_unit_test_setup_teardown(test_20_drain_retries_an_outage_for_ever, setup, teardown),
        cmocka_unit_test_setup_teardown(test_21_backoff_doubles_up_to_the_cap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_22_only_refusals_of_the_message_are_permanent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_23_refused_three_times_fails_until_requeued, setup,
                                        teardown),
        cmocka_unit_test(test_25_mail_text_one_full_stop),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
