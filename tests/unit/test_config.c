/* Unit tests: settings from flags and environment (src/config.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config.h"

enum { ALL = CFG_DB | CFG_LISTEN | CFG_BASE_URL | CFG_SMTP | CFG_THREADS };

static config_t cfg;
static char err[512];

static config_status_t load_argv(unsigned accepted, char *const *env, int argc, char **argv)
{
    memset(&cfg, 0xA5, sizeof cfg);
    memset(err, 'E', sizeof err);
    err[sizeof err - 1] = '\0';
    return config_load(&cfg, accepted, argc, argv, env, err, (int)sizeof err);
}

/* LOAD(accepted, env, "subcommand", flags...) */
#define ARGV(...) ((char *[]){__VA_ARGS__})
#define LOAD(accepted, env, ...)                                                                   \
    load_argv((accepted), (env), (int)(sizeof ARGV(__VA_ARGS__) / sizeof(char *)),                 \
              ARGV(__VA_ARGS__))

/* The error line is one line and starts with the setting's name. */
static void assert_err_names(const char *setting)
{
    if (strncmp(err, setting, strlen(setting)) != 0)
        fail_msg("error \"%s\" does not start with \"%s\"", err, setting);
    assert_null(strchr(err, '\n'));
    assert_null(strchr(err, '\r'));
}

/* Checks one bad value both as a flag and as an environment variable. */
static void assert_bad(const char *flag, const char *env_name, const char *value)
{
    char arg[600], env_var[600], expect[700];
    snprintf(arg, sizeof arg, "--%s=%s", flag, value);
    char *argv[] = {"serve", arg};
    if (load_argv(ALL, NULL, 2, argv) != CONFIG_ERROR) fail_msg("%s accepted", arg);
    snprintf(expect, sizeof expect, "--%s \"", flag);
    assert_err_names(expect);

    snprintf(env_var, sizeof env_var, "%s=%s", env_name, value);
    char *env[] = {env_var, NULL};
    char *argv2[] = {"serve"};
    if (value[0] && load_argv(ALL, env, 1, argv2) != CONFIG_ERROR) fail_msg("%s accepted", env_var);
    if (value[0]) {
        snprintf(expect, sizeof expect, "%s \"", env_name);
        assert_err_names(expect);
    }
}

static void test_01_defaults(void **state)
{
    (void)state;
    assert_int_equal(LOAD(ALL, NULL, "serve"), CONFIG_OK);
    assert_string_equal(err, "");
    assert_string_equal(cfg.db_path, "var/cobro.db");
    assert_string_equal(cfg.data_key_path, "var/cobro.db.key"); /* beside the database */
    assert_string_equal(cfg.listen, "127.0.0.1:8080");
    assert_string_equal(cfg.host, "127.0.0.1");
    assert_int_equal(cfg.port, 8080);
    assert_string_equal(cfg.base_url, "http://127.0.0.1:8080");
    assert_false(cfg.secure_cookies);
    assert_null(cfg.smtp_url);
    assert_string_equal(cfg.mail_from, "cobro <billing@localhost>");
    assert_string_equal(cfg.mail_dir, "var/mail");
    assert_in_range(cfg.threads, 1, 64);
    assert_int_equal(cfg.workers, 4);
    assert_true(cfg.access_log);
    /* The defaults pass their own checks. */
    assert_true(config_check_mail_from(cfg.mail_from, err, sizeof err));
    assert_true(config_check_base_url(cfg.base_url, err, sizeof err));
}

static void test_01b_data_key_file(void **state)
{
    (void)state;
    char *env[] = {"COBRO_DATA_KEY_FILE=/etc/cobro/data.key", NULL};
    assert_int_equal(LOAD(ALL, env, "migrate"), CONFIG_OK);
    assert_string_equal(cfg.data_key_path, "/etc/cobro/data.key");
    assert_int_equal(LOAD(ALL, env, "migrate", "--data-key-file", "/k"), CONFIG_OK);
    assert_string_equal(cfg.data_key_path, "/k"); /* the flag wins */
    assert_int_equal(LOAD(ALL, NULL, "migrate", "--data-key-file="), CONFIG_ERROR);
    assert_non_null(strstr(err, "--data-key-file"));
    assert_non_null(strstr(err, "expected the path of the data key file"));
}

static void test_02_environment(void **state)
{
    (void)state;
    char *env[] = {"PATH=/usr/bin",
                   "COBRO_DB=/srv/cobro.db",
                   "COBRO_LISTEN=0.0.0.0:9000",
                   "COBRO_BASE_URL=https://billing.example.com/",
                   "COBRO_SMTP_URL=smtp://user:secret@mail.example.com:587",
                   "COBRO_MAIL_FROM=Acme Billing <billing@acme.example>",
                   "COBRO_MAIL_DIR=/srv/mail",
                   "COBRO_THREADS=3",
                   "COBRO_WORKERS=2",
                   "COBRO_ACCESS_LOG=0",
                   "COBRO_DBX=ignored",
                   NULL};
    assert_int_equal(LOAD(ALL, env, "serve"), CONFIG_OK);
    assert_ptr_equal(cfg.db_path, env[1] + strlen("COBRO_DB=")); /* kept, not copied */
    assert_string_equal(cfg.data_key_path, "/srv/cobro.db.key");
    assert_string_equal(cfg.listen, "0.0.0.0:9000");
    assert_string_equal(cfg.host, "0.0.0.0");
    assert_int_equal(cfg.port, 9000);
    assert_string_equal(cfg.base_url, "https://billing.example.com");
    assert_true(cfg.secure_cookies);
    assert_string_equal(cfg.smtp_url, "smtp://user:secret@mail.example.com:587");
    assert_string_equal(cfg.mail_from, "Acme Billing <billing@acme.example>");
    assert_string_equal(cfg.mail_dir, "/srv/mail");
    assert_int_equal(cfg.threads, 3);
    assert_int_equal(cfg.workers, 2);
    assert_false(cfg.access_log);
}

static void test_03_flags_win_over_env(void **state)
{
    (void)state;
    char *env[] = {"COBRO_DB=env.db", "COBRO_LISTEN=127.0.0.1:1111", "COBRO_THREADS=2",
                   "COBRO_ACCESS_LOG=1", NULL};
    assert_int_equal(LOAD(ALL, env, "serve", "--db", "flag.db", "--listen=127.0.0.1:2222",
                          "--threads", "5", "--no-access-log"),
                     CONFIG_OK);
    assert_string_equal(cfg.db_path, "flag.db");
    assert_int_equal(cfg.port, 2222);
    assert_string_equal(cfg.base_url, "http://127.0.0.1:2222");
    assert_int_equal(cfg.threads, 5);
    assert_false(cfg.access_log);

    /* Only the final value is checked: a bad env value overridden by a good flag is fine. */
    char *bad_env[] = {"COBRO_LISTEN=nonsense", "COBRO_WORKERS=0", NULL};
    assert_int_equal(LOAD(ALL, bad_env, "serve", "--listen", "localhost:3000", "--workers=8"),
                     CONFIG_OK);
    assert_string_equal(cfg.host, "localhost");
    assert_int_equal(cfg.workers, 8);

    /* A repeated flag: the last one wins. */
    assert_int_equal(LOAD(ALL, NULL, "serve", "--db", "a.db", "--db=b.db"), CONFIG_OK);
    assert_string_equal(cfg.db_path, "b.db");
}

static void test_04_env_of_other_subcommands_ignored(void **state)
{
    (void)state;
    char *env[] = {"COBRO_LISTEN=not a listen address", "COBRO_SMTP_URL=http://x", NULL};
    assert_int_equal(LOAD(CFG_DB, env, "migrate", "--db", "x.db"), CONFIG_OK);
    assert_string_equal(cfg.db_path, "x.db");
    assert_string_equal(cfg.listen, "127.0.0.1:8080");
    assert_null(cfg.smtp_url);
    /* An empty variable counts as unset. */
    char *empty[] = {"COBRO_DB=", "COBRO_SMTP_URL=", NULL};
    assert_int_equal(LOAD(ALL, empty, "serve"), CONFIG_OK);
    assert_string_equal(cfg.db_path, "var/cobro.db");
    assert_null(cfg.smtp_url);
}

static void test_05_help(void **state)
{
    (void)state;
    assert_int_equal(LOAD(ALL, NULL, "serve", "--help"), CONFIG_HELP);
    assert_int_equal(LOAD(ALL, NULL, "serve", "-h"), CONFIG_HELP);
    assert_int_equal(LOAD(ALL, NULL, "serve", "--db", "x.db", "--help"), CONFIG_HELP);
    /* Anywhere: even after a bad or unknown flag, or with a subcommand taking nothing. */
    assert_int_equal(LOAD(ALL, NULL, "serve", "--bogus", "--threads=0", "-h"), CONFIG_HELP);
    assert_int_equal(LOAD(0, NULL, "version", "--help"), CONFIG_HELP);
}

static void test_06_unknown_flags_and_arguments(void **state)
{
    (void)state;
    assert_int_equal(LOAD(ALL, NULL, "serve", "--bogus"), CONFIG_ERROR);
    assert_non_null(strstr(err, "--bogus"));
    /* The value of an unknown flag is not echoed (it may be a secret). */
    assert_int_equal(LOAD(ALL, NULL, "serve", "--smtp-password=hunter2"), CONFIG_ERROR);
    assert_non_null(strstr(err, "--smtp-password"));
    assert_null(strstr(err, "hunter2"));
    assert_int_equal(LOAD(ALL, NULL, "serve", "-x"), CONFIG_ERROR);
    assert_non_null(strstr(err, "-x"));
    assert_int_equal(LOAD(ALL, NULL, "serve", "stray"), CONFIG_ERROR);
    assert_non_null(strstr(err, "stray"));
    assert_int_equal(LOAD(ALL, NULL, "serve", "--"), CONFIG_ERROR);
    assert_int_equal(LOAD(ALL, NULL, "serve", "--DB", "x"), CONFIG_ERROR); /* case matters */
    assert_int_equal(LOAD(ALL, NULL, "serve", "--d", "x"), CONFIG_ERROR);  /* no prefixes */
    assert_int_equal(LOAD(ALL, NULL, "serve", "--dbx", "x"), CONFIG_ERROR);
    assert_null(strchr(err, '\n'));
}

static void test_07_flag_not_accepted_by_subcommand(void **state)
{
    (void)state;
    assert_int_equal(LOAD(CFG_DB, NULL, "migrate", "--listen", "127.0.0.1:80"), CONFIG_ERROR);
    assert_non_null(strstr(err, "--listen"));
    assert_non_null(strstr(err, "migrate"));
    assert_int_equal(LOAD(CFG_DB, NULL, "migrate", "--no-access-log"), CONFIG_ERROR);
    assert_non_null(strstr(err, "--no-access-log"));
    assert_int_equal(LOAD(CFG_DB | CFG_SMTP, NULL, "send-mail", "--workers=2"), CONFIG_ERROR);
    assert_non_null(strstr(err, "--workers"));
    assert_int_equal(LOAD(CFG_DB | CFG_SMTP, NULL, "send-mail", "--mail-dir", "/m"), CONFIG_OK);
    assert_string_equal(cfg.mail_dir, "/m");
}

static void test_08_missing_value(void **state)
{
    (void)state;
    assert_int_equal(LOAD(ALL, NULL, "serve", "--db"), CONFIG_ERROR);
    assert_err_names("--db");
    assert_non_null(strstr(err, "missing"));
    assert_int_equal(LOAD(ALL, NULL, "serve", "--listen", "--db", "x.db"), CONFIG_ERROR);
    assert_err_names("--listen");
    assert_int_equal(LOAD(ALL, NULL, "serve", "--no-access-log=0"), CONFIG_ERROR);
    assert_err_names("--no-access-log");
    /* An empty value is a bad value, named as such. */
    assert_int_equal(LOAD(ALL, NULL, "serve", "--db="), CONFIG_ERROR);
    assert_err_names("--db \"\"");
    assert_int_equal(LOAD(ALL, NULL, "serve", "--mail-dir", ""), CONFIG_ERROR);
    assert_err_names("--mail-dir \"\"");
}

static void test_09_exact_messages(void **state)
{
    (void)state;
    assert_int_equal(LOAD(ALL, NULL, "serve", "--listen", "abc"), CONFIG_ERROR);
    assert_string_equal(err, "--listen \"abc\": expected HOST:PORT with a port from 1 to 65535");
    char *env[] = {"COBRO_SMTP_URL=http://x", NULL};
    assert_int_equal(LOAD(ALL, env, "serve"), CONFIG_ERROR);
    assert_string_equal(err, "COBRO_SMTP_URL \"http://x\": expected smtp://HOST:PORT or "
                             "smtps://HOST:PORT");
}

static void test_10_every_error_names_the_setting(void **state)
{
    (void)state;
    assert_bad("db", "COBRO_DB", "");
    assert_bad("listen", "COBRO_LISTEN", "localhost");
    assert_bad("listen", "COBRO_LISTEN", "localhost:0");
    assert_bad("base-url", "COBRO_BASE_URL", "ftp://x.example");
    assert_bad("smtp-url", "COBRO_SMTP_URL", "smtp://host:99999");
    assert_bad("mail-from", "COBRO_MAIL_FROM", "not an address");
    assert_bad("mail-dir", "COBRO_MAIL_DIR", "");
    assert_bad("threads", "COBRO_THREADS", "0");
    assert_bad("workers", "COBRO_WORKERS", "65");
    assert_bad("mail-retry-base", "COBRO_MAIL_RETRY_BASE", "0");
    assert_bad("mail-retry-max", "COBRO_MAIL_RETRY_MAX", "1h");

    char *env[] = {"COBRO_ACCESS_LOG=yes", NULL};
    assert_int_equal(LOAD(ALL, env, "serve"), CONFIG_ERROR);
    assert_err_names("COBRO_ACCESS_LOG \"yes\"");
}

static void test_11_listen_forms(void **state)
{
    (void)state;
    char host[64];
    int port = 0;
    assert_true(config_parse_listen("localhost:8080", host, &port, err, sizeof err));
    assert_string_equal(host, "localhost");
    assert_int_equal(port, 8080);
    assert_true(config_parse_listen("[::1]:9000", host, &port, err, sizeof err));
    assert_string_equal(host, "::1"); /* without brackets, ready for getaddrinfo */
    assert_int_equal(port, 9000);
    assert_true(config_parse_listen("[2001:db8::a:1]:443", host, &port, err, sizeof err));
    assert_string_equal(host, "2001:db8::a:1");
    assert_true(config_parse_listen("[::]:1", host, &port, err, sizeof err));
    assert_int_equal(port, 1);
    assert_true(config_parse_listen("0.0.0.0:65535", host, &port, err, sizeof err));
    assert_int_equal(port, 65535);
    assert_true(config_parse_listen("billing-1.internal.example:80", host, &port, err, sizeof err));
    assert_string_equal(host, "billing-1.internal.example");

    /* Through config_load: the default base URL keeps the brackets. */
    assert_int_equal(LOAD(ALL, NULL, "serve", "--listen", "[::1]:8443"), CONFIG_OK);
    assert_string_equal(cfg.host, "::1");
    assert_int_equal(cfg.port, 8443);
    assert_string_equal(cfg.base_url, "http://[::1]:8443");
}

static void test_12_listen_rejects(void **state)
{
    (void)state;
    const char *bad[] = {"",
                         "abc",
                         ":8080",
                         "127.0.0.1",
                         "127.0.0.1:",
                         "127.0.0.1:0",
                         "127.0.0.1:65536",
                         "127.0.0.1:999999",
                         "127.0.0.1:80a",
                         "127.0.0.1:+80",
                         "127.0.0.1:-1",
                         "127.0.0.1: 80",
                         " 127.0.0.1:80",
                         "::1:8080",
                         "[::1]8080",
                         "[::1]",
                         "[::1]:",
                         "[zz::1]:80",
                         "[127.0.0.1]:80",
                         "[]:80",
                         "256.1.1.1:80",
                         "1.2.3:80",
                         "1.2.3.4.5:80",
                         "-bad.example:80",
                         "bad-.example:80",
                         "host_name:80",
                         "a..b:80",
                         "host name:80",
                         "http://localhost:80",
                         "localhost:80/",
                         "localhost:80\n",
                         "l\303\266calhost:80"};
    char host[64] = "untouched";
    int port = 12345;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        if (config_parse_listen(bad[i], host, &port, err, sizeof err))
            fail_msg("listen \"%s\" accepted", bad[i]);
        assert_true(strlen(err) > 10);
        assert_non_null(strstr(err, "HOST:PORT"));
    }
    assert_string_equal(host, "untouched");
    assert_int_equal(port, 12345);

    /* A host name longer than the 63 characters the host field holds. */
    char longhost[100];
    memset(longhost, 'h', 64);
    strcpy(longhost + 64, ":80");
    assert_false(config_parse_listen(longhost, host, &port, err, sizeof err));
    memset(longhost, 'h', 63);
    strcpy(longhost + 63, ":80");
    assert_true(config_parse_listen(longhost, host, &port, err, sizeof err));
    assert_int_equal(strlen(host), 63);

    /* No error buffer: still a plain false. */
    assert_false(config_parse_listen("nope", host, &port, NULL, 0));
    assert_false(config_parse_listen(NULL, host, &port, err, sizeof err));
}

static void test_13_base_url(void **state)
{
    (void)state;
    char url[] = "https://billing.example.com/app/";
    assert_int_equal(LOAD(ALL, NULL, "serve", "--base-url", url), CONFIG_OK);
    assert_string_equal(cfg.base_url, "https://billing.example.com/app");
    assert_string_equal(url, "https://billing.example.com/app/"); /* argv left alone */
    assert_true(cfg.secure_cookies);

    assert_int_equal(LOAD(ALL, NULL, "serve", "--base-url", "http://x.example//"), CONFIG_OK);
    assert_string_equal(cfg.base_url, "http://x.example");
    assert_false(cfg.secure_cookies);

    char same[] = "http://localhost:8080";
    assert_int_equal(LOAD(ALL, NULL, "serve", "--base-url", same), CONFIG_OK);
    assert_ptr_equal(cfg.base_url, same); /* nothing to strip: kept as is */

    assert_int_equal(LOAD(ALL, NULL, "serve", "--base-url=https://[2001:db8::1]:8443/"), CONFIG_OK);
    assert_string_equal(cfg.base_url, "https://[2001:db8::1]:8443");
    assert_true(cfg.secure_cookies);

    const char *good[] = {"http://localhost", "https://a.example/b/c", "http://127.0.0.1:8080/",
                          "https://x.example/p%20q/~u_-.!$&'()*+,;=:@"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!config_check_base_url(good[i], err, sizeof err)) fail_msg("\"%s\": %s", good[i], err);
}

static void test_14_base_url_rejects(void **state)
{
    (void)state;
    const char *bad[] = {"",
                         "x.example",
                         "ftp://x.example",
                         "http://",
                         "https://",
                         "http:///path",
                         "http://x y.example",
                         "http://x.example/a b",
                         "http://x.example/?q=1",
                         "http://x.example?q=1",
                         "http://x.example/#top",
                         "http://user@x.example",
                         "http://user:pw@x.example/",
                         "http://x.example:0",
                         "http://x.example:99999",
                         "http://x.example:",
                         "http://x.example/%zz",
                         "http://x.example/%4",
                         "http://x.example/\"><script>alert(1)</script>",
                         "javascript:alert(1)",
                         "http://x.example\r\nSet-Cookie: a=b",
                         "http://x.example/caf\xC3\xA9",
                         "http://-x.example",
                         "http://[::1",
                         "//x.example",
                         " http://x.example"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        if (config_check_base_url(bad[i], err, sizeof err))
            fail_msg("base URL \"%s\" accepted", bad[i]);
        assert_non_null(strstr(err, "http"));
    }
    assert_false(config_check_base_url(NULL, err, sizeof err));
    assert_int_equal(LOAD(ALL, NULL, "serve", "--base-url", "http://x.example/?next=/"),
                     CONFIG_ERROR);
    assert_err_names("--base-url \"http://x.example/?next=/\": ");
}

static void test_15_smtp_url(void **state)
{
    (void)state;
    const char *good[] = {"smtp://localhost:25",
                          "smtps://mail.example.com:465",
                          "smtp://user:pass@mail.example.com:587",
                          "smtp://mail.example.com",
                          "smtp://[::1]:2525",
                          "smtp://127.0.0.1:1025",
                          "smtps://apikey:a%40b%2Fc@smtp.example.com:465"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!config_check_smtp_url(good[i], err, sizeof err)) fail_msg("\"%s\": %s", good[i], err);

    const char *bad[] = {"",
                         "http://x",
                         "smtp:/x:25",
                         "SMTP://x:25",
                         "smtp://",
                         "smtp://:25",
                         "smtp://host:0",
                         "smtp://host:abc",
                         "smtp://host:65536",
                         "smtp://user@host:25",
                         "smtp://:pass@host:25",
                         "smtp://a:b@c@host:25",
                         "smtp://host:25/path",
                         "smtp://host:25/",
                         "smtp://host:25?x=1",
                         "smtp://ho st:25",
                         "smtp://host\r\n:25",
                         "smtp://user:pa ss@host:25",
                         "smtp://host_x:25",
                         "smtp://[::1:25"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        if (config_check_smtp_url(bad[i], err, sizeof err))
            fail_msg("SMTP URL \"%s\" accepted", bad[i]);
        assert_non_null(strstr(err, "smtp://HOST:PORT"));
    }
    assert_false(config_check_smtp_url(NULL, err, sizeof err));

    /* The password of a bad SMTP URL is not repeated in the error line. */
    assert_int_equal(LOAD(ALL, NULL, "serve", "--smtp-url", "smtp://mailer:s3cr3t@host:0"),
                     CONFIG_ERROR);
    assert_err_names("--smtp-url \"smtp://mailer:***@host:0\": ");
    assert_null(strstr(err, "s3cr3t"));
}

static void test_16_mail_from(void **state)
{
    (void)state;
    const char *good[] = {"billing@example.com",
                          "billing@localhost",
                          "cobro <billing@localhost>",
                          "Acme Billing <billing@acme.example>",
                          "\"Acme, Inc.\" <billing@acme.example>",
                          "<billing@acme.example>",
                          "Facturación Ñandú <f@acme.example>"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!config_check_mail_from(good[i], err, sizeof err)) fail_msg("\"%s\": %s", good[i], err);

    const char *bad[] = {"",
                         "nobody",
                         "Name <bad>",
                         "Name <a@b.example",
                         "Name <a@b.example> trailing",
                         "Name <a@b.example>>",
                         "Name\r\nBcc: victim@example.com <a@b.example>",
                         "Name <a@b.example>\r\nBcc: victim@example.com",
                         "a@-bad",
                         "a@b..example",
                         "a b@example.com",
                         "<>",
                         "Name <>",
                         "\xFF\xFE <a@b.example>",
                         "a@b.example <c@d.example",
                         "@example.com",
                         "a@",
                         "a@local_host"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        if (config_check_mail_from(bad[i], err, sizeof err))
            fail_msg("mail-from \"%s\" accepted", bad[i]);
        assert_true(strlen(err) > 10);
    }
    assert_false(config_check_mail_from(NULL, err, sizeof err));
}

static void test_17_counts(void **state)
{
    (void)state;
    assert_int_equal(LOAD(ALL, NULL, "serve", "--threads", "1", "--workers", "64"), CONFIG_OK);
    assert_int_equal(cfg.threads, 1);
    assert_int_equal(cfg.workers, 64);
    assert_int_equal(LOAD(ALL, NULL, "serve", "--threads=64", "--workers=1"), CONFIG_OK);
    assert_int_equal(cfg.threads, 64);
    assert_int_equal(cfg.workers, 1);

    const char *bad[] = {
        "0",  "65", "-1", "abc", "1.5", " 4", "4 ", "+4", "0x10", "100", "99999999999999999999",
        "4\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_bad("threads", "COBRO_THREADS", bad[i]);
        assert_non_null(strstr(err, "1 to 64"));
        assert_bad("workers", "COBRO_WORKERS", bad[i]);
    }
}

static void test_18_access_log(void **state)
{
    (void)state;
    char *off[] = {"COBRO_ACCESS_LOG=0", NULL};
    assert_int_equal(LOAD(ALL, off, "serve"), CONFIG_OK);
    assert_false(cfg.access_log);
    char *on[] = {"COBRO_ACCESS_LOG=1", NULL};
    assert_int_equal(LOAD(ALL, on, "serve"), CONFIG_OK);
    assert_true(cfg.access_log);
    assert_int_equal(LOAD(ALL, NULL, "serve", "--no-access-log"), CONFIG_OK);
    assert_false(cfg.access_log);
    char *junk[] = {"COBRO_ACCESS_LOG=false", NULL};
    assert_int_equal(LOAD(ALL, junk, "serve"), CONFIG_ERROR);
    assert_err_names("COBRO_ACCESS_LOG");
}

static void test_21_bill_run_switch(void **state)
{
    (void)state;
    assert_int_equal(LOAD(ALL, NULL, "serve"), CONFIG_OK);
    assert_true(cfg.bill_run);
    assert_int_equal(LOAD(ALL, NULL, "serve", "--no-bill-run"), CONFIG_OK);
    assert_false(cfg.bill_run);
    char *off[] = {"COBRO_BILL_RUN=0", NULL};
    assert_int_equal(LOAD(ALL, off, "serve"), CONFIG_OK);
    assert_false(cfg.bill_run);
    char *junk[] = {"COBRO_BILL_RUN=no", NULL};
    assert_int_equal(LOAD(ALL, junk, "serve"), CONFIG_ERROR);
    assert_err_names("COBRO_BILL_RUN");
    assert_int_equal(LOAD(ALL, NULL, "serve", "--no-bill-run=1"), CONFIG_ERROR);
}

static void test_22_mail_retry(void **state)
{
    (void)state;
    assert_int_equal(LOAD(ALL, NULL, "serve"), CONFIG_OK);
    assert_int_equal(cfg.mail_retry_base, 0); /* the mailer's defaults */
    assert_int_equal(cfg.mail_retry_max, 0);
    char *env[] = {"COBRO_MAIL_RETRY_BASE=1", "COBRO_MAIL_RETRY_MAX=86400", NULL};
    assert_int_equal(LOAD(ALL, env, "serve"), CONFIG_OK);
    assert_int_equal(cfg.mail_retry_base, 1);
    assert_int_equal(cfg.mail_retry_max, 86400);
    assert_int_equal(LOAD(ALL, env, "serve", "--mail-retry-base=30", "--mail-retry-max", "600"),
                     CONFIG_OK);
    assert_int_equal(cfg.mail_retry_base, 30);
    assert_int_equal(cfg.mail_retry_max, 600);
    const char *bad[] = {"0", "-1", "86401", "1.5", " 60", "60s", "", "9999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_bad("mail-retry-base", "COBRO_MAIL_RETRY_BASE", bad[i]);
        assert_non_null(strstr(err, "seconds from 1 to 86400"));
        assert_bad("mail-retry-max", "COBRO_MAIL_RETRY_MAX", bad[i]);
    }
    /* Only serve sends mail. */
    assert_int_equal(LOAD(CFG_DB, NULL, "migrate", "--mail-retry-base", "5"), CONFIG_ERROR);
}

static void test_19_hostile_values_in_errors(void **state)
{
    (void)state;
    /* A huge value with control characters: the error stays one short, clean line. */
    static char value[3000];
    memset(value, 'x', sizeof value - 1);
    value[10] = '\n';
    value[20] = '\x1B';
    value[sizeof value - 1] = '\0';
    char arg[3100];
    snprintf(arg, sizeof arg, "--listen=%s", value);
    char *argv[] = {"serve", arg};
    assert_int_equal(load_argv(ALL, NULL, 2, argv), CONFIG_ERROR);
    assert_err_names("--listen \"");
    assert_null(strchr(err, '\x1B'));
    assert_true(strlen(err) < 300);
    assert_non_null(strstr(err, "..."));

    /* A tiny error buffer is filled and terminated, never overrun. */
    char small[12];
    memset(small, 'Z', sizeof small);
    char *argv2[] = {"serve", "--listen", "nonsense"};
    assert_int_equal(config_load(&cfg, ALL, 3, argv2, NULL, small, (int)sizeof small),
                     CONFIG_ERROR);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(config_load(&cfg, ALL, 3, argv2, NULL, NULL, 0), CONFIG_ERROR);
}

static void test_20_repeated_loads_independent(void **state)
{
    (void)state;
    config_t a, b;
    char e[200];
    char *argv_a[] = {"serve", "--base-url", "https://a.example/"};
    char *argv_b[] = {"serve", "--base-url", "http://b.example/"};
    assert_int_equal(config_load(&a, ALL, 3, argv_a, NULL, e, sizeof e), CONFIG_OK);
    assert_int_equal(config_load(&b, ALL, 3, argv_b, NULL, e, sizeof e), CONFIG_OK);
    assert_string_equal(a.base_url, "https://a.example");
    assert_string_equal(b.base_url, "http://b.example");
    assert_true(a.secure_cookies);
    assert_false(b.secure_cookies);
}

static void test_23_queue_and_request_timeout(void **state)
{
    (void)state;
    assert_int_equal(LOAD(ALL, NULL, "serve"), CONFIG_OK);
    assert_int_equal(cfg.queue_max, 1024);
    assert_int_equal(cfg.request_timeout, 10);
    assert_int_equal(cfg.n_trusted_proxies, 0);
    char *env[] = {"COBRO_QUEUE_MAX=7", "COBRO_REQUEST_TIMEOUT=3", NULL};
    assert_int_equal(LOAD(ALL, env, "serve"), CONFIG_OK);
    assert_int_equal(cfg.queue_max, 7);
    assert_int_equal(cfg.request_timeout, 3);
    assert_int_equal(LOAD(ALL, env, "serve", "--queue-max", "1", "--request-timeout=3600"),
                     CONFIG_OK);
    assert_int_equal(cfg.queue_max, 1);
    assert_int_equal(cfg.request_timeout, 3600);
    const char *bad[] = {"0", "-1", "1000001", "1e3", " 5", "x", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_bad("queue-max", "COBRO_QUEUE_MAX", bad[i]);
        assert_bad("request-timeout", "COBRO_REQUEST_TIMEOUT", bad[i]);
    }
    assert_bad("request-timeout", "COBRO_REQUEST_TIMEOUT", "3601");
    assert_int_equal(LOAD(CFG_DB, NULL, "migrate", "--queue-max", "5"), CONFIG_ERROR);
}

/* The sandbox is the default; an https server runs it only when told; Stripe needs its files. */
static void test_25_payments(void **state)
{
    (void)state;
    enum { PAY = ALL | CFG_PAYMENTS };
    assert_int_equal(LOAD(PAY, NULL, "serve"), CONFIG_OK);
    assert_int_equal(cfg.payments, PAYMENTS_SANDBOX);
    assert_false(cfg.allow_test_payments);
    assert_int_equal(LOAD(PAY, NULL, "serve", "--base-url", "https://billing.example.com"),
                     CONFIG_ERROR);
    assert_non_null(strstr(err, "--allow-test-payments"));
    assert_int_equal(LOAD(PAY, NULL, "serve", "--base-url", "https://billing.example.com",
                          "--allow-test-payments"),
                     CONFIG_OK);
    assert_true(cfg.allow_test_payments);
    char *env[] = {"COBRO_ALLOW_TEST_PAYMENTS=1", NULL};
    assert_int_equal(LOAD(PAY, env, "serve", "--base-url", "https://billing.example.com"),
                     CONFIG_OK);
    assert_int_equal(LOAD(PAY, NULL, "serve", "--payments", "stripe"), CONFIG_ERROR);
    assert_non_null(strstr(err, "--stripe-key-file"));
    assert_int_equal(LOAD(PAY, NULL, "serve", "--payments", "stripe", "--stripe-key-file", "/k"),
                     CONFIG_ERROR);
    assert_non_null(strstr(err, "--stripe-webhook-secret-file"));
    assert_int_equal(LOAD(PAY, NULL, "serve", "--payments", "stripe", "--stripe-key-file", "/k",
                          "--stripe-webhook-secret-file", "/w", "--base-url",
                          "https://billing.example.com"),
                     CONFIG_OK);
    assert_int_equal(cfg.payments, PAYMENTS_STRIPE);
    assert_string_equal(cfg.stripe_api_url, "https://api.stripe.com");
    assert_string_equal(cfg.stripe_key_file, "/k");
    assert_int_equal(LOAD(PAY, NULL, "serve", "--payments", "paypal"), CONFIG_ERROR);
    assert_non_null(strstr(err, "expected sandbox, stripe or off"));
    assert_int_equal(LOAD(PAY, NULL, "serve", "--payments", "off"), CONFIG_OK);
    assert_int_equal(cfg.payments, PAYMENTS_OFF);
    /* Commands that take no payment settings refuse them. */
    assert_int_equal(LOAD(ALL, NULL, "migrate", "--payments", "off"), CONFIG_ERROR);
}

static void test_24_trusted_proxies(void **state)
{
    (void)state;
    assert_int_equal(LOAD(ALL, NULL, "serve", "--trusted-proxy", "127.0.0.1", "--trusted-proxy",
                          "10.0.0.0/8,::1", "--trusted-proxy=2001:db8::/32"),
                     CONFIG_OK);
    assert_int_equal(cfg.n_trusted_proxies, 4);
    assert_int_equal(cfg.trusted_proxies[1].prefix, 8);
    assert_int_equal(cfg.trusted_proxies[3].prefix, 32);
    char *env[] = {"COBRO_TRUSTED_PROXY=192.0.2.1, 192.0.2.2", NULL};
    assert_int_equal(LOAD(ALL, env, "serve"), CONFIG_OK);
    assert_int_equal(cfg.n_trusted_proxies, 2);
    /* Flags replace the environment variable, as other flags do. */
    assert_int_equal(LOAD(ALL, env, "serve", "--trusted-proxy", "::1"), CONFIG_OK);
    assert_int_equal(cfg.n_trusted_proxies, 1);

    const char *bad[] = {"localhost",        "10.0.0.1/8", "10.0.0.0/33", "1.2.3.4,", ",1.2.3.4",
                         "1.2.3.4,,5.6.7.8", "[::1]",      "1.2.3.4:80",  "x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_bad("trusted-proxy", "COBRO_TRUSTED_PROXY", bad[i]);
    assert_int_equal(LOAD(ALL, NULL, "serve", "--trusted-proxy", "::1", "--trusted-proxy", "nope"),
                     CONFIG_ERROR);
    assert_string_equal(err, "--trusted-proxy \"nope\": expected IPv4 or IPv6 addresses or CIDR "
                             "ranges (192.0.2.10, 10.0.0.0/8, 2001:db8::/32), separated by commas");
    /* More than 64 in all is refused with its own reason. */
    char many[65 * 16] = "";
    for (int i = 0; i < 65; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%s10.0.%d.1", i ? "," : "", i);
    char *argv[] = {"serve", "--trusted-proxy", many};
    assert_int_equal(load_argv(ALL, NULL, 3, argv), CONFIG_ERROR);
    assert_non_null(strstr(err, "at most 64 trusted proxies"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_defaults),
        cmocka_unit_test(test_01b_data_key_file),
        cmocka_unit_test(test_02_environment),
        cmocka_unit_test(test_03_flags_win_over_env),
        cmocka_unit_test(test_04_env_of_other_subcommands_ignored),
        cmocka_unit_test(test_05_help),
        cmocka_unit_test(test_06_unknown_flags_and_arguments),
        cmocka_unit_test(test_07_flag_not_accepted_by_subcommand),
        cmocka_unit_test(test_08_missing_value),
        cmocka_unit_test(test_09_exact_messages),
        cmocka_unit_test(test_10_every_error_names_the_setting),
        cmocka_unit_test(test_11_listen_forms),
        cmocka_unit_test(test_12_listen_rejects),
        cmocka_unit_test(test_13_base_url),
        cmocka_unit_test(test_14_base_url_rejects),
        cmocka_unit_test(test_15_smtp_url),
        cmocka_unit_test(test_16_mail_from),
        cmocka_unit_test(test_17_counts),
        cmocka_unit_test(test_18_access_log),
        cmocka_unit_test(test_19_hostile_values_in_errors),
        cmocka_unit_test(test_20_repeated_loads_independent),
        cmocka_unit_test(test_21_bill_run_switch),
        cmocka_unit_test(test_22_mail_retry),
        cmocka_unit_test(test_23_queue_and_request_timeout),
        cmocka_unit_test(test_24_trusted_proxies),
        cmocka_unit_test(test_25_payments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
