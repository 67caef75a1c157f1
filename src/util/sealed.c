/* Bank details sealed at rest under a data key kept outside the database (libsodium secretbox). */
#include "sealed.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char MARK[] = "v1:";
enum { MARK_CHARS = sizeof MARK - 1 };

static bool fail(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && err_size) vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
    return false;
}

/* Writes a new random key to path; false when the file exists already (another process made it:
 * the caller reads that one) or cannot be written. */
static bool create_key_file(const char *path, data_key_t *key, bool *exists, char *err,
                            size_t err_size)
{
    *exists = false;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return *exists = true, false;
        return fail(err, err_size, "cannot create the data key file %s: %s", path, strerror(errno));
    }
    randombytes_buf(key->bytes, sizeof key->bytes);
    char text[DATA_KEY_FILE_CHARS + 1];
    sodium_bin2hex(text, sizeof text, key->bytes, sizeof key->bytes);
    text[DATA_KEY_FILE_CHARS - 1] = '\n';
    text[DATA_KEY_FILE_CHARS] = '\0';
    bool ok = write(fd, text, DATA_KEY_FILE_CHARS) == DATA_KEY_FILE_CHARS && fsync(fd) == 0;
    int saved = errno;
    sodium_memzero(text, sizeof text);
    if (close(fd) != 0) ok = false;
    if (!ok) {
        unlink(path);
        return fail(err, err_size, "cannot write the data key file %s: %s", path, strerror(saved));
    }
    return true;
}

static bool read_key_file(const char *path, data_key_t *key, char *err, size_t err_size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return fail(err, err_size, "cannot read the data key file %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fail(err, err_size, "the data key file %s is not a regular file", path);
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        close(fd);
        return fail(err, err_size,
                    "the data key file %s can be read or changed by other users; "
                    "allow only its owner (chmod 600)",
                    path);
    }
    char text[DATA_KEY_FILE_CHARS + 2];
    ssize_t n = read(fd, text, sizeof text);
    close(fd);
    bool ok = (n == DATA_KEY_FILE_CHARS && text[DATA_KEY_FILE_CHARS - 1] == '\n') ||
              n == DATA_KEY_FILE_CHARS - 1;
    size_t bin_len = 0;
    ok = ok &&
         sodium_hex2bin(key->bytes, sizeof key->bytes, text, DATA_KEY_FILE_CHARS - 1, NULL,
                        &bin_len, NULL) == 0 &&
         bin_len == sizeof key->bytes;
    sodium_memzero(text, sizeof text);
    if (!ok)
        return fail(err, err_size,
                    "the data key file %s does not hold one key (%d hexadecimal digits)", path,
                    2 * DATA_KEY_BYTES);
    return true;
}

bool data_key_load(const char *path, bool create, data_key_t *key, bool *created, char *err,
                   size_t err_size)
{
    *created = false;
    if (!path || !*path) return fail(err, err_size, "no data key file given");
    if (create && access(path, F_OK) != 0 && errno == ENOENT) {
        bool exists = false;
        if (create_key_file(path, key, &exists, err, err_size)) return *created = true, true;
        if (!exists) return false;
    }
    return read_key_file(path, key, err, err_size);
}

bool is_sealed(const char *s)
{
    return s && strncmp(s, MARK, MARK_CHARS) == 0;
}

char *seal_text(arena_t *a, const data_key_t *key, const char *plain)
{
    if (!plain || !*plain) return arena_strdup(a, "");
    size_t plain_len = strlen(plain);
    size_t box_len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plain_len;
    unsigned char *box = arena_alloc(a, box_len);
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain,
                          plain_len, box, key->bytes);
    size_t b64_len = sodium_base64_ENCODED_LEN(box_len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(a, MARK_CHARS + b64_len);
    memcpy(out, MARK, MARK_CHARS);
    sodium_bin2base64(out + MARK_CHARS, b64_len, box, box_len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

bool unseal_text(arena_t *a, const data_key_t *key, const char *sealed, char **plain)
{
    *plain = NULL;
    if (!is_sealed(sealed)) return false;
    const char *b64 = sealed + MARK_CHARS;
    size_t b64_len = strlen(b64);
    size_t cap = b64_len / 4 * 3 + 3;
    unsigned char *box = arena_alloc(a, cap);
    size_t box_len = 0;
    if (sodium_base642bin(box, cap, b64, b64_len, NULL, &box_len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        box_len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return false;
    size_t plain_len = box_len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    unsigned char *out = arena_alloc(a, plain_len + 1);
    if (crypto_secretbox_open_easy(out, box + crypto_secretbox_NONCEBYTES,
                                   box_len - crypto_secretbox_NONCEBYTES, box, key->bytes) != 0)
        return false;
    out[plain_len] = '\0';
    if (memchr(out, '\0', plain_len)) return false; /* a text never holds NUL */
    *plain = (char *)out;
    return true;
}
