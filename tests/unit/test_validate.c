/* Unit tests: field checks and bank number masking (src/services/validate.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "services/validate.h"

#define BUL "\xE2\x80\xA2" /* U+2022 BULLET */
#define MASK BUL BUL BUL BUL

/* The valid IBANs of the published examples, as people type them. */
static const char *const good_ibans[] = {
    "DE89 3704 0044 0532 0130 00",       "GB82 WEST 1234 5698 7654 32",
    "FR14 2004 1010 0505 0001 3M02 606", "IT60 X054 2811 1010 0000 0123 456",
    "ES91 2100 0418 4502 0005 1332",
};

/* ---- check_text ---------------------------------------------------------------------------- */

static void test_01_text_required_and_optional(void **state)
{
    (void)state;
    assert_int_equal(check_text("Acme Corp", true, 10), FIELD_OK);
    assert_int_equal(check_text("", true, 10), FIELD_REQUIRED);
    assert_int_equal(check_text(" \t\r\n ", true, 10), FIELD_REQUIRED);
    assert_int_equal(check_text(NULL, true, 10), FIELD_REQUIRED);
    assert_int_equal(check_text("", false, 10), FIELD_OK);
    assert_int_equal(check_text("   ", false, 10), FIELD_OK);
    assert_int_equal(check_text(NULL, false, 10), FIELD_OK);
}

static void test_02_text_length_after_trim(void **state)
{
    (void)state;
    assert_int_equal(check_text("abcde", true, 5), FIELD_OK);
    assert_int_equal(check_text("abcdef", true, 5), FIELD_TOO_LONG);
    assert_int_equal(check_text("   abcde \t\n", true, 5), FIELD_OK);
    assert_int_equal(check_text("abcdef", false, 5), FIELD_TOO_LONG);
    /* inner spaces count */
    assert_int_equal(check_text("ab  de", true, 5), FIELD_TOO_LONG);
}

static void test_03_text_counts_utf8_characters(void **state)
{
    (void)state;
    assert_int_equal(check_text("\xC3\xA9", true, 1), FIELD_OK);    /* é: 2 bytes */
    assert_int_equal(check_text("Jos\xC3\xA9", true, 4), FIELD_OK); /* José */
    assert_int_equal(check_text("Jos\xC3\xA9s", true, 4), FIELD_TOO_LONG);
    assert_int_equal(check_text("\xE2\x82\xAC\xE2\x82\xAC", true, 2), FIELD_OK); /* €€ */
    assert_int_equal(check_text("\xF0\x9F\x98\x80", true, 1), FIELD_OK);         /* 😀 */
    assert_int_equal(check_text("\xF0\x9F\x98\x80x", true, 1), FIELD_TOO_LONG);
}

static void test_04_text_does_not_modify_input(void **state)
{
    (void)state;
    char s[] = "  padded  ";
    assert_int_equal(check_text(s, true, 6), FIELD_OK);
    assert_string_equal(s, "  padded  ");
}

/* ---- check_email --------------------------------------------------------------------------- */

static void test_05_email(void **state)
{
    (void)state;
    assert_int_equal(check_email("billing@example.com"), FIELD_OK);
    assert_int_equal(check_email("  ap.team+cobro@mail.example.co.uk \n"), FIELD_OK);
    assert_int_equal(check_email(""), FIELD_REQUIRED);
    assert_int_equal(check_email("   "), FIELD_REQUIRED);
    assert_int_equal(check_email(NULL), FIELD_REQUIRED);
    assert_int_equal(check_email("billing"), FIELD_BAD_EMAIL);
    assert_int_equal(check_email("billing@localhost"), FIELD_BAD_EMAIL);
    assert_int_equal(check_email("a b@example.com"), FIELD_BAD_EMAIL);
    assert_int_equal(check_email("a@@example.com"), FIELD_BAD_EMAIL);
}

static void test_06_email_length(void **state)
{
    (void)state;
    /* 64 + 1 + 63 + 1 + 63 + 1 + 61 = 254 characters, every label within 63 */
    char s[300];
    memset(s, 'a', 64);
    s[64] = '@';
    size_t o = 65;
    for (int label = 0; label < 3; label++) {
        size_t n = label < 2 ? 63 : 61;
        memset(s + o, 'b', n);
        o += n;
        if (label < 2) s[o++] = '.';
    }
    s[o] = '\0';
    assert_int_equal(strlen(s), 254);
    assert_int_equal(check_email(s), FIELD_OK);
    s[o] = 'c';
    s[o + 1] = '\0';
    assert_int_equal(strlen(s), 255);
    assert_int_equal(check_email(s), FIELD_TOO_LONG);
}

/* ---- check_phone --------------------------------------------------------------------------- */

static void test_07_phone_accepted(void **state)
{
    (void)state;
    assert_int_equal(check_phone("+1 (415) 555-0100", true), FIELD_OK);
    assert_int_equal(check_phone("+39 02 1234 5678", true), FIELD_OK);
    assert_int_equal(check_phone("(415) 555-0100", true), FIELD_OK);
    assert_int_equal(check_phone("  +44 20 7946 0958  ", true), FIELD_OK);
    assert_int_equal(check_phone("1234567", true), FIELD_OK);              /* 7 digits */
    assert_int_equal(check_phone("12345678901234567890", true), FIELD_OK); /* 20 digits */
}

static void test_08_phone_digit_count(void **state)
{
    (void)state;
    assert_int_equal(check_phone("123456", true), FIELD_BAD_PHONE);                /* 6 */
    assert_int_equal(check_phone("+1 (23) 4-56", true), FIELD_BAD_PHONE);          /* 6 */
    assert_int_equal(check_phone("123456789012345678901", true), FIELD_BAD_PHONE); /* 21 */
    assert_int_equal(check_phone("+() - ", true), FIELD_BAD_PHONE);                /* 0 */
}

static void test_09_phone_characters(void **state)
{
    (void)state;
    assert_int_equal(check_phone("555 0100 +1", true), FIELD_BAD_PHONE); /* '+' in the middle */
    assert_int_equal(check_phone("1+4155550100", true), FIELD_BAD_PHONE);
    assert_int_equal(check_phone("++14155550100", true), FIELD_BAD_PHONE);
    assert_int_equal(check_phone("+1 415 CALL NOW", true), FIELD_BAD_PHONE); /* letters */
    assert_int_equal(check_phone("415555010x", true), FIELD_BAD_PHONE);
    assert_int_equal(check_phone("415/555/0100", true), FIELD_BAD_PHONE);
    assert_int_equal(check_phone("415.555.0100", true), FIELD_BAD_PHONE); /* not in the list */
    /* Separators count towards the length: 10 digits lost in 40 characters are refused. */
    assert_int_equal(check_phone("(((((((((((415))))))))))) 555-0100----", true), FIELD_TOO_LONG);
    assert_int_equal(check_phone("+1 (415) 555-0100 00 00 00 000", true), FIELD_OK); /* 30 */
    assert_int_equal(check_phone("415\t555 0100", true), FIELD_NOT_ONE_LINE);
}

static void test_10_phone_empty(void **state)
{
    (void)state;
    assert_int_equal(check_phone("", true), FIELD_REQUIRED);
    assert_int_equal(check_phone("   ", true), FIELD_REQUIRED);
    assert_int_equal(check_phone(NULL, true), FIELD_REQUIRED);
    assert_int_equal(check_phone("", false), FIELD_OK);
    assert_int_equal(check_phone(" ", false), FIELD_OK);
    assert_int_equal(check_phone("123", false), FIELD_BAD_PHONE); /* optional, but checked */
}

/* ---- check_postal_code --------------------------------------------------------------------- */

static void test_11_postal_us(void **state)
{
    (void)state;
    assert_int_equal(check_postal_code("94105", "US"), FIELD_OK);
    assert_int_equal(check_postal_code("94105-1234", "US"), FIELD_OK); /* ZIP+4 */
    assert_int_equal(check_postal_code(" 02110 ", "US"), FIELD_OK);
    assert_int_equal(check_postal_code("9410", "US"), FIELD_BAD_POSTAL);
    assert_int_equal(check_postal_code("941050", "US"), FIELD_BAD_POSTAL);
    assert_int_equal(check_postal_code("94105-123", "US"), FIELD_BAD_POSTAL);
    assert_int_equal(check_postal_code("94105-12345", "US"), FIELD_BAD_POSTAL);
    assert_int_equal(check_postal_code("94105 1234", "US"), FIELD_BAD_POSTAL);
    assert_int_equal(check_postal_code("941051234", "US"), FIELD_BAD_POSTAL);
    assert_int_equal(check_postal_code("9410A", "US"), FIELD_BAD_POSTAL);
    assert_int_equal(check_postal_code("", "US"), FIELD_REQUIRED);
    assert_int_equal(check_postal_code("  ", "US"), FIELD_REQUIRED);
}

static void test_12_postal_five_digit_countries(void **state)
{
    (void)state;
    const char *countries[] = {"IT", "FR", "ES", "DE"};
    for (size_t i = 0; i < 4; i++) {
        const char *c = countries[i];
        assert_int_equal(check_postal_code("20121", c), FIELD_OK);
        assert_int_equal(check_postal_code(" 75008\t", c), FIELD_OK);
        assert_int_equal(check_postal_code("2012", c), FIELD_BAD_POSTAL);   /* 4 digits */
        assert_int_equal(check_postal_code("201210", c), FIELD_BAD_POSTAL); /* 6 digits */
        assert_int_equal(check_postal_code("20121-1234", c), FIELD_BAD_POSTAL);
        assert_int_equal(check_postal_code("2O121", c), FIELD_BAD_POSTAL); /* letter O */
        assert_int_equal(check_postal_code("", c), FIELD_REQUIRED);
    }
}

static void test_13_postal_other_countries(void **state)
{
    (void)state;
    assert_int_equal(check_postal_code("SW1A 1AA", "GB"), FIELD_OK);
    assert_int_equal(check_postal_code("K1A 0B1", "CA"), FIELD_OK);
    assert_int_equal(check_postal_code("1010", "AT"), FIELD_OK); /* 4 digits elsewhere */
    assert_int_equal(check_postal_code("100-0001", "JP"), FIELD_OK);
    assert_int_equal(check_postal_code("123456", "IN"), FIELD_OK); /* 6 digits elsewhere */
    assert_int_equal(check_postal_code("ABCDEFGHIJ 12345", "NL"), FIELD_OK);        /* 16 */
    assert_int_equal(check_postal_code("ABCDEFGHIJ 123456", "NL"), FIELD_TOO_LONG); /* 17 */
    assert_int_equal(check_postal_code("", "GB"), FIELD_REQUIRED);
    assert_int_equal(check_postal_code("SW1A/1AA", "GB"), FIELD_BAD_POSTAL);
    assert_int_equal(check_postal_code("SW1A_1AA", "GB"), FIELD_BAD_POSTAL);
    assert_int_equal(check_postal_code("M\xC3\xBCnchen", "XX"), FIELD_BAD_POSTAL);
    assert_int_equal(check_postal_code("9410", NULL), FIELD_OK);
}

/* ---- check_aba_routing --------------------------------------------------------------------- */

static void test_14_routing_valid(void **state)
{
    (void)state;
    /* Checksum fine, but no such district prefix. */
    assert_int_equal(check_aba_routing("000000000"), FIELD_BAD_ROUTING);
    assert_int_equal(check_aba_routing("990000000"), FIELD_BAD_ROUTING);
    assert_int_equal(check_aba_routing("011000015"), FIELD_OK); /* Federal Reserve, Boston */
    assert_int_equal(check_aba_routing("021000021"), FIELD_OK); /* JPMorgan Chase */
}

static void test_15_routing_refused(void **state)
{
    (void)state;
    assert_int_equal(check_aba_routing("123456789"), FIELD_BAD_ROUTING);  /* checksum */
    assert_int_equal(check_aba_routing("011000016"), FIELD_BAD_ROUTING);  /* one digit off */
    assert_int_equal(check_aba_routing("021000012"), FIELD_BAD_ROUTING);  /* transposed */
    assert_int_equal(check_aba_routing("01100001"), FIELD_BAD_ROUTING);   /* 8 digits */
    assert_int_equal(check_aba_routing("0110000150"), FIELD_BAD_ROUTING); /* 10 digits */
    assert_int_equal(check_aba_routing("011 000 015"), FIELD_BAD_ROUTING);
    assert_int_equal(check_aba_routing(" 011000015"), FIELD_BAD_ROUTING);
    assert_int_equal(check_aba_routing("01100001A"), FIELD_BAD_ROUTING);
    assert_int_equal(check_aba_routing("0110-0001"), FIELD_BAD_ROUTING);
    assert_int_equal(check_aba_routing(""), FIELD_REQUIRED);
    assert_int_equal(check_aba_routing(NULL), FIELD_REQUIRED);
}

/* ---- check_us_account_number --------------------------------------------------------------- */

static void test_16_us_account(void **state)
{
    (void)state;
    assert_int_equal(check_us_account_number("1234"), FIELD_OK);              /* 4 */
    assert_int_equal(check_us_account_number("12345678901234567"), FIELD_OK); /* 17 */
    assert_int_equal(check_us_account_number("000123456789"), FIELD_OK);
    assert_int_equal(check_us_account_number("123"), FIELD_BAD_ACCOUNT);                /* 3 */
    assert_int_equal(check_us_account_number("123456789012345678"), FIELD_BAD_ACCOUNT); /* 18 */
    assert_int_equal(check_us_account_number("1234 5678"), FIELD_BAD_ACCOUNT);
    assert_int_equal(check_us_account_number("1234-5678"), FIELD_BAD_ACCOUNT);
    assert_int_equal(check_us_account_number("12345X"), FIELD_BAD_ACCOUNT);
    assert_int_equal(check_us_account_number(""), FIELD_REQUIRED);
    assert_int_equal(check_us_account_number(NULL), FIELD_REQUIRED);
}

/* ---- check_iban / iban_normalize ----------------------------------------------------------- */

static void test_17_iban_examples_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof good_ibans / sizeof good_ibans[0]; i++)
        if (check_iban(good_ibans[i]) != FIELD_OK) fail_msg("refused \"%s\"", good_ibans[i]);
    assert_int_equal(check_iban("DE89370400440532013000"), FIELD_OK); /* without spaces */
    assert_int_equal(check_iban("  DE89 3704 0044 0532 0130 00 \n"), FIELD_OK);
    assert_int_equal(check_iban("DE89 3704\t0044 0532 0130 00"), FIELD_NOT_ONE_LINE);
}

static void test_18_iban_one_digit_changed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof good_ibans / sizeof good_ibans[0]; i++) {
        size_t len = strlen(good_ibans[i]);
        /* every digit, check digits included, replaced by each other digit */
        for (size_t k = 0; k < len; k++) {
            if (good_ibans[i][k] < '0' || good_ibans[i][k] > '9') continue;
            for (char d = '0'; d <= '9'; d++) {
                if (d == good_ibans[i][k]) continue;
                char s[64];
                memcpy(s, good_ibans[i], len + 1);
                s[k] = d;
                if (check_iban(s) != FIELD_BAD_IBAN) fail_msg("accepted \"%s\"", s);
            }
        }
    }
    assert_int_equal(check_iban("DE88 3704 0044 0532 0130 00"), FIELD_BAD_IBAN);
    assert_int_equal(check_iban("GB82 WEST 1234 5698 7654 33"), FIELD_BAD_IBAN);
    assert_int_equal(check_iban("GB82 WEST 1234 5698 7654 23"), FIELD_BAD_IBAN); /* swapped */
    assert_int_equal(check_iban("GB82 WESU 1234 5698 7654 32"), FIELD_BAD_IBAN); /* letter */
}

static void test_19_iban_lower_case(void **state)
{
    (void)state;
    assert_int_equal(check_iban("gb82 west 1234 5698 7654 32"), FIELD_OK);
    assert_int_equal(check_iban("fr14 2004 1010 0505 0001 3m02 606"), FIELD_OK);
    assert_int_equal(check_iban("It60x0542811101000000123456"), FIELD_OK);
}

static void test_20_iban_wrong_length(void **state)
{
    (void)state;
    assert_int_equal(check_iban("DE89 3704 0044 0532 0130 0"), FIELD_BAD_IBAN);   /* 21 */
    assert_int_equal(check_iban("DE89 3704 0044 0532 0130 000"), FIELD_BAD_IBAN); /* 23 */
    assert_int_equal(check_iban("NO93 8601 1117 947"), FIELD_OK); /* 15, the shortest */
    assert_int_equal(check_iban("NO93 8601 1117 9470"), FIELD_BAD_IBAN);
    assert_int_equal(check_iban("DE89"), FIELD_BAD_IBAN);
    assert_int_equal(check_iban("DE8"), FIELD_BAD_IBAN);
    assert_int_equal(check_iban("D"), FIELD_BAD_IBAN);
    /* far longer than any IBAN (34) */
    assert_int_equal(check_iban("DE89 3704 0044 0532 0130 0037 0400 4405 3201 3000"),
                     FIELD_BAD_IBAN);
}

static void test_21_iban_country_and_shape(void **state)
{
    (void)state;
    assert_int_equal(check_iban("XX89 3704 0044 0532 0130 00"), FIELD_BAD_IBAN); /* unknown */
    assert_int_equal(check_iban("US64 SVBK US6S 3300 9673 8637"), FIELD_BAD_IBAN);
    assert_int_equal(check_iban("1289 3704 0044 0532 0130 00"), FIELD_BAD_IBAN);
    assert_int_equal(check_iban("DEAB 3704 0044 0532 0130 00"), FIELD_BAD_IBAN);
    assert_int_equal(check_iban("DE89-3704-0044-0532-0130-00"), FIELD_BAD_IBAN);
    assert_int_equal(check_iban("DE89 3704 0044 0532 0130 \xC3\xA9"), FIELD_BAD_IBAN);
    assert_int_equal(check_iban(""), FIELD_REQUIRED);
    assert_int_equal(check_iban("   "), FIELD_REQUIRED);
    assert_int_equal(check_iban(NULL), FIELD_REQUIRED);
}

static void test_22_iban_more_countries(void **state)
{
    (void)state;
    /* published example IBANs of other SEPA countries */
    assert_int_equal(check_iban("NL91 ABNA 0417 1643 00"), FIELD_OK);
    assert_int_equal(check_iban("BE68 5390 0754 7034"), FIELD_OK);
    assert_int_equal(check_iban("AT61 1904 3002 3457 3201"), FIELD_OK);
    assert_int_equal(check_iban("CH93 0076 2011 6238 5295 7"), FIELD_OK);
    assert_int_equal(check_iban("MT84 MALT 0110 0001 2345 MTLC AST0 01S"), FIELD_OK);
}

static void test_23_iban_normalize(void **state)
{
    (void)state;
    char out[64];
    iban_normalize("gb82 west 1234 5698 7654 32", out, sizeof out);
    assert_string_equal(out, "GB82WEST12345698765432");
    iban_normalize(" de89\t3704 0044 0532 0130 00\n", out, sizeof out);
    assert_string_equal(out, "DE89370400440532013000");
    iban_normalize("", out, sizeof out);
    assert_string_equal(out, "");
    iban_normalize(NULL, out, sizeof out);
    assert_string_equal(out, "");
    char small[5];
    iban_normalize("de89 3704", small, sizeof small);
    assert_string_equal(small, "DE89"); /* truncated, still terminated */
    char guard[2] = {'x', 'y'};
    iban_normalize("DE89", guard, 0);
    assert_int_equal(guard[0], 'x');
}

/* ---- mask_account -------------------------------------------------------------------------- */

static void test_24_mask_long(void **state)
{
    (void)state;
    char out[64];
    mask_account("123456789", out, sizeof out);
    assert_string_equal(out, MASK " 6789");
    mask_account("12345", out, sizeof out);
    assert_string_equal(out, MASK " 2345");
    mask_account("DE89370400440532013000", out, sizeof out);
    assert_string_equal(out, MASK " 3000");
    mask_account("011000015", out, sizeof out);
    assert_string_equal(out, MASK " 0015");
}

static void test_25_mask_short(void **state)
{
    (void)state;
    char out[64];
    mask_account("1234", out, sizeof out);
    assert_string_equal(out, MASK);
    mask_account("12", out, sizeof out);
    assert_string_equal(out, MASK);
    mask_account("", out, sizeof out);
    assert_string_equal(out, MASK);
    mask_account(NULL, out, sizeof out);
    assert_string_equal(out, MASK);
    mask_account("1 2 3 4", out, sizeof out); /* spaces are not characters of the number */
    assert_string_equal(out, MASK);
}

static void test_26_mask_with_spaces(void **state)
{
    (void)state;
    char out[64];
    mask_account("DE89 3704 0044 0532 0130 00", out, sizeof out);
    assert_string_equal(out, MASK " 3000");
    mask_account("GB82 WEST 1234 5698 7654 32", out, sizeof out);
    assert_string_equal(out, MASK " 5432");
    mask_account("1234 5678 9", out, sizeof out);
    assert_string_equal(out, MASK " 6789");
    mask_account("12-34-5", out, sizeof out);
    assert_string_equal(out, MASK " 2345");
}

static void test_27_mask_small_buffer(void **state)
{
    (void)state;
    char out[18]; /* exactly the 12 bullet bytes, a space, 4 characters and the NUL */
    mask_account("123456789", out, sizeof out);
    assert_string_equal(out, MASK " 6789");
    char tiny[17];
    mask_account("123456789", tiny, sizeof tiny);
    assert_string_equal(tiny, ""); /* nothing rather than a partial mask */
    char guard[1] = {'x'};
    mask_account("123456789", guard, 0);
    assert_int_equal(guard[0], 'x');
}

/* ---- check_bic ----------------------------------------------------------------------------- */

static void test_28_bic(void **state)
{
    (void)state;
    const char *good[] = {"COBADEFFXXX", "COBADEFF", "deutdeff500",
                          " BNPAFRPP ",  "UNCRITMM", "CHASUS33"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(check_bic(good[i]), FIELD_OK);
    const char *bad[] = {"COBADEF",  "COBADEFFXX", "COBADEFFXXXX", "C0BADEFF",
                         "COBAD3FF", "COBA DEFF",  "COBADEFF-XX",  "COBADEFF\xc3\xa9XX"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(check_bic(bad[i]), FIELD_BAD_BIC);
    assert_int_equal(check_bic(""), FIELD_REQUIRED);
    assert_int_equal(check_bic("   "), FIELD_REQUIRED);
    assert_int_equal(check_bic(NULL), FIELD_REQUIRED);
}

/* One-line fields refuse every control character and invalid UTF-8, wherever it is. */
static void test_29_one_line_fields_refuse_control_characters(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "Alice\nSmith",
        "Alice\rSmith",
        "Alice\tSmith",
        "PO\x0b"
        "1",
        "esc\x1b[31m",
        "del\x7f",
        "c1\xc2\x80",
        "c1\xc2\x85",
        "c1\xc2\x9f",
        "bad\xff",
        "half\xc3",
    };
    /* White space around a value is trimmed (and never stored); inside, it is refused. */
    assert_int_equal(check_one_line("Alice\n"), FIELD_NOT_ONE_LINE);
    assert_int_equal(check_text(" Alice\t\n", true, 80), FIELD_OK);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(check_one_line(bad[i]), FIELD_NOT_ONE_LINE);
        assert_int_equal(check_text(bad[i], true, 80), FIELD_NOT_ONE_LINE);
        assert_int_equal(check_text(bad[i], false, 80), FIELD_NOT_ONE_LINE);
    }
    /* Ordinary text, accents, U+00A0 (C2 A0, just past C1) and emoji pass. */
    static const char *const good[] = {"Alice Smith",
                                       "Zoë Müller-Łukasz",
                                       "1\xc2\xa0"
                                       "000",
                                       "PO-2026/17",
                                       "\xf0\x9f\x98\x80",
                                       ""};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(check_one_line(good[i]), FIELD_OK);
    assert_int_equal(check_email("a@exa\rmple.com"), FIELD_NOT_ONE_LINE);
    assert_int_equal(check_email("a\n@example.com"), FIELD_NOT_ONE_LINE);
    assert_int_equal(check_phone("+1 312\t555 0188", true), FIELD_NOT_ONE_LINE);
    assert_int_equal(check_postal_code("606\n01", "US"), FIELD_NOT_ONE_LINE);
    assert_int_equal(check_iban("DE89 3704\n0044 0532 0130 00"), FIELD_NOT_ONE_LINE);
    assert_int_equal(check_bic("COBADEFF\tXXX"), FIELD_NOT_ONE_LINE);
    assert_int_equal(check_aba_routing("011000015\n"), FIELD_NOT_ONE_LINE); /* never trimmed */
    assert_int_equal(check_us_account_number("1234\x01"
                                             "5678"),
                     FIELD_NOT_ONE_LINE);
}

/* Multi-line fields take LF and nothing else of the control characters. */
static void test_30_multi_line_fields_take_lf_only(void **state)
{
    (void)state;
    assert_int_equal(check_lines("Acme Inc.\n200 Oak Avenue\nChicago", true, 400), FIELD_OK);
    assert_int_equal(check_lines("", false, 400), FIELD_OK);
    assert_int_equal(check_lines("", true, 400), FIELD_REQUIRED);
    assert_int_equal(check_lines("a\tb", false, 400), FIELD_BAD_CHARS);
    assert_int_equal(check_lines("a\rb", false, 400), FIELD_BAD_CHARS);
    assert_int_equal(check_lines("a\x0c"
                                 "b",
                                 false, 400),
                     FIELD_BAD_CHARS);
    assert_int_equal(check_lines("a\x7f", false, 400), FIELD_BAD_CHARS);
    assert_int_equal(check_lines("a\xc2\x9b", false, 400), FIELD_BAD_CHARS);
    assert_int_equal(check_lines("a\xe2\x82", false, 400), FIELD_BAD_CHARS);
    assert_int_equal(check_lines("abcdef", false, 5), FIELD_TOO_LONG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_01_text_required_and_optional),
        cmocka_unit_test(test_02_text_length_after_trim),
        cmocka_unit_test(test_03_text_counts_utf8_characters),
        cmocka_unit_test(test_04_text_does_not_modify_input),
        cmocka_unit_test(test_05_email),
        cmocka_unit_test(test_06_email_length),
        cmocka_unit_test(test_07_phone_accepted),
        cmocka_unit_test(test_08_phone_digit_count),
        cmocka_unit_test(test_09_phone_characters),
        cmocka_unit_test(test_10_phone_empty),
        cmocka_unit_test(test_11_postal_us),
        cmocka_unit_test(test_12_postal_five_digit_countries),
        cmocka_unit_test(test_13_postal_other_countries),
        cmocka_unit_test(test_14_routing_valid),
        cmocka_unit_test(test_15_routing_refused),
        cmocka_unit_test(test_16_us_account),
        cmocka_unit_test(test_17_iban_examples_valid),
        cmocka_unit_test(test_18_iban_one_digit_changed),
        cmocka_unit_test(test_19_iban_lower_case),
        cmocka_unit_test(test_20_iban_wrong_length),
        cmocka_unit_test(test_21_iban_country_and_shape),
        cmocka_unit_test(test_22_iban_more_countries),
        cmocka_unit_test(test_23_iban_normalize),
        cmocka_unit_test(test_24_mask_long),
        cmocka_unit_test(test_25_mask_short),
        cmocka_unit_test(test_26_mask_with_spaces),
        cmocka_unit_test(test_27_mask_small_buffer),
        cmocka_unit_test(test_28_bic),
        cmocka_unit_test(test_29_one_line_fields_refuse_control_characters),
        cmocka_unit_test(test_30_multi_line_fields_take_lf_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
