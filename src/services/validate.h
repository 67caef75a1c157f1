/* Checks of what billing contacts type: postal codes by country, phone numbers, bank routing
 * numbers (ABA), IBANs, dates, amounts; and masking of bank data for display and the audit log. */
#ifndef COBRO_VALIDATE_H
#define COBRO_VALIDATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Why a field was refused; FIELD_OK when it is fine. Pages turn these into sentences. */
typedef enum {
    FIELD_OK = 0,
    FIELD_REQUIRED,
    FIELD_TOO_LONG,
    FIELD_BAD_EMAIL,
    FIELD_BAD_PHONE,    /* digits, spaces, + - ( ) only, 7 to 20 digits */
    FIELD_BAD_POSTAL,   /* US: 12345 or 12345-6789; IT, FR, ES, DE: five digits */
    FIELD_BAD_ROUTING,  /* ABA: nine digits with a valid checksum */
    FIELD_BAD_ACCOUNT,  /* US bank account: 4 to 17 digits */
    FIELD_BAD_IBAN,     /* ISO 13616: country, check digits, mod-97 == 1, length per country */
    FIELD_BAD_DATE,     /* not a real YYYY-MM-DD date */
    FIELD_DATES_ORDER,  /* the expiration date is before the start date */
    FIELD_BAD_AMOUNT,   /* not an amount in the currency's decimals, or negative */
    FIELD_OVERLAP,      /* a purchase order's dates overlap another one's */
    FIELD_DUPLICATE,    /* already there (an invoice recipient's email) */
    FIELD_LIMIT,        /* too many (invoice recipients) */
    FIELD_MANDATE,      /* the direct debit mandate was not accepted */
    FIELD_BAD_CHOICE,   /* not one of the offered options */
    FIELD_BAD_BIC,      /* BIC/SWIFT: 4 letters, country, 2 letters or digits, optional branch */
    FIELD_TOO_OFTEN,    /* changed too many times lately (an email address that gets notices) */
    FIELD_BAD_REGION,   /* not a state or province the tax table knows, where tax depends on it */
    FIELD_NOT_ONE_LINE, /* a one-line field holds a line break, tab or other control character */
    FIELD_BAD_CHARS,    /* a multi-line field holds a control character other than LF */
    FIELD_BAD_NUMBER,   /* not a whole number in range (seats, days) */
    FIELD_BAD_PERCENT,  /* not a percentage from 0 to 100 with at most four decimals */
    FIELD_DISCOUNT_TOO_BIG, /* a discount over the line, or on a line that charges nothing now */
    FIELD_PAST_DATE,        /* a date before today */
    FIELD_OUTSIDE_TERM,     /* a date outside the account's current term */
    FIELD_TOO_MANY_SEATS,   /* removes every seat (or more) of the subscription */
    FIELD_NOT_ACCEPTED,     /* a box that must be ticked was not (accepting a quote's terms) */
    FIELD_SEATS_RANGE,      /* seats outside the price list's limits for the product */
    FIELD_UNCHANGED,        /* asks for what already is (the seats the subscription has) */
} field_error_t;

/* FIELD_NOT_ONE_LINE when s holds a control character (C0 including CR, LF and TAB, DEL, C1
 * U+0080-U+009F) or is not valid UTF-8, else FIELD_OK. Every one-line field goes through it
 * (check_text and the other checks below call it first). */
field_error_t check_one_line(const char *s);
/* A multi-line text (an address block, a message): LF is its only control character (CR LF
 * arrives folded to LF), else FIELD_BAD_CHARS; then as check_text. */
field_error_t check_lines(const char *s, bool required, size_t max);

/* Trims and checks a required (or optional) text of at most max characters (UTF-8). */
field_error_t check_text(const char *s, bool required, size_t max);
field_error_t check_email(const char *s);
field_error_t check_phone(const char *s, bool required);
/* Postal codes by country (ISO 3166 alpha-2, upper case): US ZIP or ZIP+4; IT, FR, ES, DE five
 * digits; any other country free text of at most 16 characters. */
field_error_t check_postal_code(const char *s, const char *country);
/* ABA routing number: nine digits, 3*(d1+d4+d7) + 7*(d2+d5+d8) + (d3+d6+d9) divisible by 10. */
field_error_t check_aba_routing(const char *s);
field_error_t check_us_account_number(const char *s);
/* IBAN, with or without spaces, any letter case: length for the country (at least the SEPA
 * countries), check digits by mod 97. */
field_error_t check_iban(const char *s);
/* BIC (ISO 9362), any letter case: bank code (4 letters), country (2 letters), location (2
 * letters or digits), optional branch (3 letters or digits). */
field_error_t check_bic(const char *s);
/* Copies the IBAN without spaces, upper case, into out (size n). */
void iban_normalize(const char *s, char *out, size_t n);

/* What the screen and the audit log show of a bank number: all but the last four characters
 * hidden ("•••• 6789"); short values become "••••". */
void mask_account(const char *s, char *out, size_t n);

#endif
