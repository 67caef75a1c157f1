/* The Stripe driver: hosted Checkout, saved cards, refunds and events over Stripe's REST API. */
#include "payments/gateway.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Pinned so that Stripe's answers keep the shape read here (latest_charge on a PaymentIntent;
 * a Checkout Session's PaymentIntent made only once the customer pays). docs/stripe.md. */
#define STRIPE_VERSION "2024-06-20"

enum {
    CONNECT_MS = 5000,
    TOTAL_MS = 20000,
    ANSWER_MAX = 1 << 20, /* Stripe's objects are a few KiB */
    FORM_MAX = 16384,
    KEY_MAX = 512,
};

typedef struct {
    char *api_url; /* without a trailing slash */
    char *key;
    char *secrets[3]; /* NULL-ended, as gw_verify_signature takes them */
    long connect_ms, total_ms;
} stripe_t;

static void say(char err[GW_ERR_MAX], const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(char err[GW_ERR_MAX], const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, GW_ERR_MAX, fmt, ap);
    va_end(ap);
}

/* ---- request bodies: application/x-www-form-urlencoded -------------------------------- */

typedef struct {
    char data[FORM_MAX];
    size_t len;
    bool overflow;
} form_t;

/* Percent-encodes s (RFC 3986 unreserved characters kept) onto f. */
static void form_escape(form_t *f, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        bool keep = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_' || ch == '~';
        if (f->len + 4 >= FORM_MAX) {
            f->overflow = true;
            return;
        }
        if (keep) {
            f->data[f->len++] = (char)ch;
        } else {
            f->data[f->len++] = '%';
            f->data[f->len++] = hex[ch >> 4];
            f->data[f->len++] = hex[ch & 15];
        }
    }
    f->data[f->len] = '\0';
}

static void form_add(form_t *f, const char *key, const char *value)
{
    if (f->len + 2 >= FORM_MAX) {
        f->overflow = true;
        return;
    }
    if (f->len) f->data[f->len++] = '&';
    form_escape(f, key);
    f->data[f->len++] = '=';
    f->data[f->len] = '\0';
    form_escape(f, value ? value : "");
}

static void form_int(form_t *f, const char *key, int64_t v)
{
    char s[24];
    snprintf(s, sizeof s, "%" PRId64, v);
    form_add(f, key, s);
}

/* ---- one HTTP exchange ----------------------------------------------------------------- */

typedef struct {
    char *data;
    size_t len;
    bool too_long;
} answer_t;

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    answer_t *a = ud;
    size_t add = size * n;
    if (a->len + add > ANSWER_MAX) {
        a->too_long = true;
        return 0; /* ends the transfer */
    }
    char *grown = realloc(a->data, a->len + add + 1);
    if (!grown) return 0;
    a->data = grown;
    memcpy(a->data + a->len, p, add);
    a->len += add;
    a->data[a->len] = '\0';
    return add;
}

/* A value that may go into a header or a URL path as it is: printable ASCII, no separators. */
static bool safe_token(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n >= max) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch <= 0x20 || ch >= 0x7f || ch == '/' || ch == '?' || ch == '#' || ch == '%')
            return false;
    }
    return true;
}

static struct curl_slist *headers_for(const stripe_t *st, const char *idem)
{
    char line[KEY_MAX + 64];
    struct curl_slist *h = NULL, *next;
    snprintf(line, sizeof line, "Authorization: Bearer %s", st->key);
    h = curl_slist_append(h, line);
    sodium_memzero(line, sizeof line);
    if (h && (next = curl_slist_append(h, "Stripe-Version: " STRIPE_VERSION))) h = next;
    if (h && idem) {
        snprintf(line, sizeof line, "Idempotency-Key: %s", idem);
        next = curl_slist_append(h, line);
        if (!next) {
            curl_slist_free_all(h);
            return NULL;
        }
        h = next;
    }
    return h;
}

static void set_options(CURL *c, const stripe_t *st, const char *url, struct curl_slist *h,
                        answer_t *a)
{
    curl_easy_setopt(c, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* a threaded server */
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, st->connect_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, st->total_ms);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "cobro");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
}

/* What an answer comes to (docs/stripe.md, "Faults"): 2xx with a JSON object GW_OK; 402 (a
 * card error) GW_DECLINED; 409 (the same key in flight) and 5xx GW_UNKNOWN; other statuses
 * GW_ERROR. *json receives the parsed answer (2xx and 402) for the caller to read. */
static gw_result_t classify(long status, const answer_t *a, const char *what, json_t **json,
                            char err[GW_ERR_MAX])
{
    json_t *j = a->data ? json_loadb(a->data, a->len, 0, NULL) : NULL;
    if (!json_is_object(j)) {
        json_decref(j);
        j = NULL;
    }
    json_t *e = json_object_get(j, "error");
    const char *msg = json_string_value(json_object_get(e, "message"));
    if (status >= 200 && status < 300 && j) {
        *json = j;
        return GW_OK;
    }
    say(err, "%s: HTTP %ld%s%s", what, status, msg ? ": " : "", msg ? msg : "");
    if (status == 402 && j) {
        *json = j;
        return GW_DECLINED;
    }
    json_decref(j);
    if ((status >= 200 && status < 300) || status >= 500 || status == 409) {
        if (status < 300) say(err, "%s: HTTP %ld with an unreadable answer", what, status);
        return GW_UNKNOWN;
    }
    return GW_ERROR;
}

/* One request to Stripe: method "GET" or "POST" (then form is the body and idem the
 * Idempotency-Key, both required), path with its query string already encoded. */
static gw_result_t call(const stripe_t *st, const char *method, const char *path,
                        const form_t *form, const char *idem, json_t **json, char err[GW_ERR_MAX])
{
    char url[GW_URL_MAX + 512], what[160];
    *json = NULL;
    snprintf(what, sizeof what, "%s %.*s", method, 120, path);
    bool post = strcmp(method, "POST") == 0;
    if (post && (!form || form->overflow || !safe_token(idem, 256))) {
        say(err, "%s: no idempotency key, or a request too long", what);
        return GW_ERROR;
    }
    if ((size_t)snprintf(url, sizeof url, "%s%s", st->api_url, path) >= sizeof url) {
        say(err, "%s: address too long", what);
        return GW_ERROR;
    }
    CURL *c = curl_easy_init(); /* curl_global_init is main()'s job */
    struct curl_slist *h = c ? headers_for(st, post ? idem : NULL) : NULL;
    if (!h) {
        if (c) curl_easy_cleanup(c);
        say(err, "%s: out of memory", what);
        return GW_UNKNOWN;
    }
    answer_t a = {0};
    set_options(c, st, url, h, &a);
    if (post) curl_easy_setopt(c, CURLOPT_POSTFIELDS, form->data);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    gw_result_t r;
    if (rc != CURLE_OK) {
        say(err, "%s: %s", what, a.too_long ? "answer too long" : curl_easy_strerror(rc));
        r = GW_UNKNOWN; /* sent or not, carried out or not: nobody knows */
    } else {
        r = classify(status, &a, what, json, err);
    }
    free(a.data);
    return r;
}

/* ---- reading Stripe's answers ---------------------------------------------------------- */

static const char *str_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* An id, or an expanded object's id. */
static const char *ref_of(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_object(v) ? str_of(v, "id") : str_of(o, key);
}

static int64_t amount_of(json_t *o, const char *key)
{
    json_int_t v = json_integer_value(json_object_get(o, key));
    return v >= 0 && v <= 1000000000000 ? (int64_t)v : 0;
}

static void copy(char *dst, size_t size, const char *s)
{
    snprintf(dst, size, "%s", s);
}

static void upper_currency(char dst[4], const char *s)
{
    dst[0] = '\0';
    if (strlen(s) != 3) return;
    for (int i = 0; i < 3; i++)
        dst[i] = (char)(s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i]);
    dst[3] = '\0';
}

static void lower_currency(char dst[4], const char *s)
{
    snprintf(dst, 4, "%s", s);
    for (int i = 0; dst[i]; i++)
        if (dst[i] >= 'A' && dst[i] <= 'Z') dst[i] = (char)(dst[i] + 32);
}

/* A PaymentIntent's state, as gw_pay_state_t says it. */
static gw_pay_state_t intent_state(json_t *pi)
{
    const char *s = str_of(pi, "status");
    if (strcmp(s, "succeeded") == 0) return GW_PAY_SUCCEEDED;
    if (strcmp(s, "processing") == 0 || strcmp(s, "requires_capture") == 0)
        return GW_PAY_PROCESSING;
    if (strcmp(s, "canceled") == 0) return GW_PAY_FAILED;
    if (strcmp(s, "requires_payment_method") == 0 && json_object_get(pi, "last_payment_error"))
        return GW_PAY_FAILED;
    return GW_PAY_PENDING; /* requires_payment_method (untried), _confirmation, _action */
}

static void decline_of(json_t *e, gw_payment_t *p)
{
    const char *code = str_of(e, "decline_code");
    copy(p->decline_code, sizeof p->decline_code, *code ? code : str_of(e, "code"));
}

/* A PaymentIntent (latest_charge expanded or not) into p. */
static void read_intent(json_t *pi, gw_payment_t *p)
{
    p->state = intent_state(pi);
    copy(p->payment_ref, sizeof p->payment_ref, str_of(pi, "id"));
    int64_t received = amount_of(pi, "amount_received");
    p->amount = received > 0 ? received : amount_of(pi, "amount");
    upper_currency(p->currency, str_of(pi, "currency"));
    json_t *lpe = json_object_get(pi, "last_payment_error");
    if (lpe) decline_of(lpe, p);
    if (!p->decline_code[0] && strcmp(str_of(pi, "status"), "canceled") == 0)
        copy(p->decline_code, sizeof p->decline_code, "canceled");
    json_t *card = json_object_get(
        json_object_get(json_object_get(pi, "latest_charge"), "payment_method_details"), "card");
    copy(p->card_brand, sizeof p->card_brand, str_of(card, "brand"));
    const char *last4 = str_of(card, "last4");
    if (strlen(last4) == 4) copy(p->card_last4, sizeof p->card_last4, last4);
}

/* A Checkout Session (payment_intent.latest_charge expanded or not) into p. */
static void read_session(json_t *cs, gw_payment_t *p)
{
    const char *status = str_of(cs, "status"), *paid = str_of(cs, "payment_status");
    json_t *pi = json_object_get(cs, "payment_intent");
    if (json_is_object(pi))
        read_intent(pi, p);
    else
        copy(p->payment_ref, sizeof p->payment_ref, str_of(cs, "payment_intent"));
    if (!p->amount) p->amount = amount_of(cs, "amount_total");
    if (!p->currency[0]) upper_currency(p->currency, str_of(cs, "currency"));
    if (strcmp(status, "open") == 0)
        p->state = GW_PAY_PENDING;
    else if (strcmp(status, "expired") == 0)
        p->state = GW_PAY_EXPIRED;
    else if (json_is_object(pi) && p->state != GW_PAY_PENDING)
        return; /* the intent knows */
    else
        p->state = strcmp(paid, "unpaid") == 0 ? GW_PAY_PROCESSING : GW_PAY_SUCCEEDED;
}

/* A session made: its id, page and customer. No id or page: the answer cannot be trusted. */
static gw_result_t read_new_session(json_t *j, gw_session_t *out, char err[GW_ERR_MAX])
{
    memset(out, 0, sizeof *out);
    const char *id = str_of(j, "id"), *url = str_of(j, "url");
    if (!*id || !*url || strlen(id) >= GW_REF_MAX || strlen(url) >= GW_URL_MAX) {
        say(err, "checkout session: answer without an id or a page");
        return GW_UNKNOWN;
    }
    copy(out->session_ref, sizeof out->session_ref, id);
    copy(out->url, sizeof out->url, url);
    copy(out->customer_ref, sizeof out->customer_ref, ref_of(j, "customer"));
    return GW_OK;
}

/* ---- the operations -------------------------------------------------------------------- */

static bool page_request_ok(const gw_checkout_req_t *r, char err[GW_ERR_MAX])
{
    if (r->payment_id <= 0 || !r->currency || strlen(r->currency) != 3 || !r->success_url ||
        !*r->success_url || !r->cancel_url || !*r->cancel_url || r->amount < 0) {
        say(err, "checkout: incomplete request");
        return false;
    }
    return true;
}

/* The fields a payment page and a set-up page share. */
static void page_fields(form_t *f, const gw_checkout_req_t *r)
{
    char cur[4];
    lower_currency(cur, r->currency);
    form_add(f, "currency", cur);
    form_int(f, "client_reference_id", r->payment_id);
    form_add(f, "payment_method_types[0]", "card");
    if (r->lang && *r->lang) form_add(f, "locale", r->lang);
    form_add(f, "success_url", r->success_url);
    form_add(f, "cancel_url", r->cancel_url);
    if (r->expires_at > 0) form_int(f, "expires_at", r->expires_at);
}

/* The page's fields as one request body (heap: 16 KiB is much for a server thread's stack). */
static form_t *checkout_form(const gw_checkout_req_t *r)
{
    form_t *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    char cur[4];
    lower_currency(cur, r->currency);
    form_add(f, "mode", "payment");
    form_add(f, "line_items[0][price_data][currency]", cur);
    form_int(f, "line_items[0][price_data][unit_amount]", r->amount);
    form_add(f, "line_items[0][price_data][product_data][name]",
             r->description && *r->description ? r->description : "Invoice");
    form_add(f, "line_items[0][quantity]", "1");
    form_int(f, "metadata[cobro_payment]", r->payment_id);
    form_int(f, "payment_intent_data[metadata][cobro_payment]", r->payment_id);
    if (r->customer_ref && *r->customer_ref)
        form_add(f, "customer", r->customer_ref);
    else if (r->customer_email && *r->customer_email)
        form_add(f, "customer_email", r->customer_email);
    page_fields(f, r);
    return f;
}

/* POSTs a page's form and reads the session made. */
static gw_result_t post_session(const stripe_t *st, form_t *f, const char *idem, gw_session_t *out,
                                char err[GW_ERR_MAX])
{
    json_t *j = NULL;
    gw_result_t res = f ? call(st, "POST", "/v1/checkout/sessions", f, idem, &j, err) : GW_UNKNOWN;
    if (!f) say(err, "checkout session: out of memory");
    free(f);
    if (res == GW_OK)
        res = read_new_session(j, out, err);
    else if (res == GW_DECLINED)
        res = GW_ERROR; /* no card was tried: a refused request */
    json_decref(j);
    return res;
}

static gw_result_t stripe_create_checkout(gateway_t *gw, struct store *s,
                                          const gw_checkout_req_t *r, gw_session_t *out,
                                          char err[GW_ERR_MAX])
{
    (void)s;
    memset(out, 0, sizeof *out);
    if (!page_request_ok(r, err) || r->amount <= 0) {
        if (r->amount <= 0) say(err, "checkout: no amount");
        return GW_ERROR;
    }
    return post_session(gw->impl, checkout_form(r), r->idempotency_key, out, err);
}

/* A customer for an account that has none yet, so that its saved card can be charged later.
 * Its key is the set-up's own plus "-customer": a retried set-up finds the same customer. */
static gw_result_t create_customer(const stripe_t *st, const gw_checkout_req_t *r,
                                   char cus[GW_REF_MAX], char err[GW_ERR_MAX])
{
    form_t *f = calloc(1, sizeof *f);
    char idem[300];
    if (!f) return GW_UNKNOWN;
    if (r->customer_email && *r->customer_email) form_add(f, "email", r->customer_email);
    form_int(f, "metadata[cobro_setup]", r->payment_id);
    snprintf(idem, sizeof idem, "%s-customer", r->idempotency_key ? r->idempotency_key : "");
    json_t *j = NULL;
    gw_result_t res = call(st, "POST", "/v1/customers", f, idem, &j, err);
    free(f);
    if (res == GW_DECLINED) res = GW_ERROR;
    const char *id = str_of(j, "id");
    if (res == GW_OK && (!*id || strlen(id) >= GW_REF_MAX)) {
        say(err, "customer: answer without an id");
        res = GW_UNKNOWN;
    }
    if (res == GW_OK) copy(cus, GW_REF_MAX, id);
    json_decref(j);
    return res;
}

static form_t *setup_form(const gw_checkout_req_t *r, const char *customer)
{
    form_t *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    form_add(f, "mode", "setup");
    form_add(f, "customer", customer);
    form_int(f, "metadata[cobro_setup]", r->payment_id);
    form_int(f, "setup_intent_data[metadata][cobro_setup]", r->payment_id);
    page_fields(f, r);
    return f;
}

/* req->payment_id is our set-up's id here (metadata[cobro_setup]). */
static gw_result_t stripe_create_setup(gateway_t *gw, struct store *s, const gw_checkout_req_t *r,
                                       gw_session_t *out, char err[GW_ERR_MAX])
{
    (void)s;
    memset(out, 0, sizeof *out);
    if (!page_request_ok(r, err)) return GW_ERROR;
    char cus[GW_REF_MAX];
    copy(cus, sizeof cus, r->customer_ref ? r->customer_ref : "");
    if (!*cus) {
        gw_result_t res = create_customer(gw->impl, r, cus, err);
        if (res != GW_OK) return res;
    }
    gw_result_t res = post_session(gw->impl, setup_form(r, cus), r->idempotency_key, out, err);
    if (res == GW_OK) copy(out->customer_ref, sizeof out->customer_ref, cus);
    return res;
}

static form_t *charge_form(const gw_charge_req_t *r)
{
    form_t *f = calloc(1, sizeof *f);
    if (!f) return NULL;
    char cur[4];
    lower_currency(cur, r->currency);
    form_int(f, "amount", r->amount);
    form_add(f, "currency", cur);
    form_add(f, "customer", r->customer_ref);
    form_add(f, "payment_method", r->method_ref);
    form_add(f, "payment_method_types[0]", "card");
    form_add(f, "confirm", "true");
    form_add(f, "off_session", "true");
    if (r->description && *r->description) form_add(f, "description", r->description);
    form_int(f, "metadata[cobro_payment]", r->payment_id);
    form_add(f, "expand[0]", "latest_charge");
    return f;
}

/* A refused card: Stripe's error says why, and carries the PaymentIntent it made. */
static void read_card_error(json_t *j, gw_payment_t *out)
{
    json_t *e = json_object_get(j, "error");
    json_t *pi = json_object_get(e, "payment_intent");
    if (json_is_object(pi)) read_intent(pi, out);
    out->state = GW_PAY_FAILED;
    decline_of(e, out);
    if (!out->decline_code[0]) copy(out->decline_code, sizeof out->decline_code, "card_declined");
}

static gw_result_t stripe_charge_saved(gateway_t *gw, struct store *s, const gw_charge_req_t *r,
                                       gw_payment_t *out, char err[GW_ERR_MAX])
{
    (void)s;
    memset(out, 0, sizeof *out);
    if (r->payment_id <= 0 || r->amount <= 0 || !r->currency || strlen(r->currency) != 3 ||
        !r->customer_ref || !*r->customer_ref || !r->method_ref || !*r->method_ref) {
        say(err, "charge: incomplete request");
        return GW_ERROR;
    }
    form_t *f = charge_form(r);
    json_t *j = NULL;
    gw_result_t res =
        f ? call(gw->impl, "POST", "/v1/payment_intents", f, r->idempotency_key, &j, err)
          : GW_UNKNOWN;
    free(f);
    if (res == GW_DECLINED) read_card_error(j, out);
    if (res == GW_OK) {
        read_intent(j, out);
        if (out->state != GW_PAY_SUCCEEDED && out->state != GW_PAY_PROCESSING) {
            /* requires_action: the bank wants the customer, who is not there */
            if (!out->decline_code[0])
                copy(out->decline_code, sizeof out->decline_code, "authentication_required");
            out->state = GW_PAY_FAILED;
            res = GW_DECLINED;
        }
    }
    json_decref(j);
    return res;
}

/* GET path/<ref>?<query>: ref must be an id as Stripe writes them (nothing to escape). */
static gw_result_t get_object(const stripe_t *st, const char *path, const char *ref,
                              const char *query, json_t **j, char err[GW_ERR_MAX])
{
    char p[GW_REF_MAX + 256];
    *j = NULL;
    if (!safe_token(ref, GW_REF_MAX)) {
        say(err, "%s: not an id", path);
        return GW_ERROR;
    }
    snprintf(p, sizeof p, "%s/%s%s%s", path, ref, *query ? "?" : "", query);
    gw_result_t res = call(st, "GET", p, NULL, NULL, j, err);
    return res == GW_DECLINED ? GW_ERROR : res;
}

/* Our payment's PaymentIntent found by its metadata (a charge whose answer was lost). Stripe's
 * search lags by up to a minute: a NOT_FOUND soon after the request is asked again later. */
static gw_result_t search_intent(const stripe_t *st, int64_t payment_id, gw_payment_t *out,
                                 char err[GW_ERR_MAX])
{
    char q[64], path[300];
    form_t f = {.len = 0}; /* holds about 100 bytes here */
    snprintf(q, sizeof q, "metadata['cobro_payment']:'%" PRId64 "'", payment_id);
    form_add(&f, "query", q);
    form_add(&f, "expand[0]", "data.latest_charge");
    snprintf(path, sizeof path, "/v1/payment_intents/search?%.200s", f.data);
    json_t *j = NULL;
    gw_result_t res = call(st, "GET", path, NULL, NULL, &j, err);
    if (res == GW_DECLINED) res = GW_ERROR;
    json_t *data = json_object_get(j, "data");
    if (res == GW_OK && !json_is_array(data)) {
        say(err, "payment search: answer without data");
        res = GW_UNKNOWN;
    }
    out->state = GW_PAY_NOT_FOUND;
    /* Several (a page paid after a failed try): the one that got furthest tells. */
    size_t i;
    json_t *pi;
    gw_payment_t best = {.state = GW_PAY_NOT_FOUND};
    json_array_foreach(res == GW_OK ? data : NULL, i, pi)
    {
        gw_payment_t p = {0};
        read_intent(pi, &p);
        static const int rank[] = {
            [GW_PAY_PENDING] = 1, [GW_PAY_PROCESSING] = 3, [GW_PAY_SUCCEEDED] = 4,
            [GW_PAY_FAILED] = 2,  [GW_PAY_EXPIRED] = 1,    [GW_PAY_NOT_FOUND] = 0};
        if (rank[p.state] > rank[best.state]) best = p;
    }
    if (res == GW_OK) *out = best;
    json_decref(j);
    return res;
}

static gw_result_t stripe_retrieve(gateway_t *gw, struct store *s, const gw_lookup_t *w,
                                   gw_payment_t *out, char err[GW_ERR_MAX])
{
    (void)s;
    memset(out, 0, sizeof *out);
    json_t *j = NULL;
    gw_result_t res;
    if (w->payment_ref && *w->payment_ref) {
        res = get_object(gw->impl, "/v1/payment_intents", w->payment_ref,
                         "expand%5B%5D=latest_charge", &j, err);
        if (res == GW_OK) read_intent(j, out);
    } else if (w->session_ref && *w->session_ref) {
        res = get_object(gw->impl, "/v1/checkout/sessions", w->session_ref,
                         "expand%5B%5D=payment_intent.latest_charge", &j, err);
        if (res == GW_OK) read_session(j, out);
    } else {
        res = search_intent(gw->impl, w->payment_id, out, err);
    }
    json_decref(j);
    return res;
}

static gw_refund_state_t refund_state(const char *status)
{
    if (strcmp(status, "succeeded") == 0) return GW_REFUND_SUCCEEDED;
    if (strcmp(status, "failed") == 0 || strcmp(status, "canceled") == 0) return GW_REFUND_FAILED;
    return GW_REFUND_PENDING;
}

static gw_result_t stripe_refund(gateway_t *gw, struct store *s, const gw_refund_req_t *r,
                                 gw_refund_t *out, char err[GW_ERR_MAX])
{
    (void)s;
    memset(out, 0, sizeof *out);
    if (r->refund_id <= 0 || r->amount <= 0 || !r->payment_ref || !*r->payment_ref) {
        say(err, "refund: incomplete request");
        return GW_ERROR;
    }
    form_t *f = calloc(1, sizeof *f);
    if (!f) return GW_UNKNOWN;
    form_add(f, "payment_intent", r->payment_ref);
    form_int(f, "amount", r->amount);
    form_int(f, "metadata[cobro_refund]", r->refund_id);
    json_t *j = NULL;
    gw_result_t res = call(gw->impl, "POST", "/v1/refunds", f, r->idempotency_key, &j, err);
    free(f);
    if (res == GW_DECLINED) res = GW_ERROR;
    const char *id = str_of(j, "id");
    if (res == GW_OK && (!*id || strlen(id) >= GW_REF_MAX)) {
        say(err, "refund: answer without an id");
        res = GW_UNKNOWN;
    }
    if (res == GW_OK) {
        copy(out->refund_ref, sizeof out->refund_ref, id);
        out->state = refund_state(str_of(j, "status"));
    }
    json_decref(j);
    return res;
}

/* ---- events ---------------------------------------------------------------------------- */

/* Stripe's events name the card only by id: a succeeded payment's brand and last four digits
 * (for the receipt) are asked for; a failure leaves them unknown rather than the payment
 * unsettled. */
static void add_payment_card(const stripe_t *st, gw_event_t *ev)
{
    if (ev->kind != GW_EVENT_PAYMENT_SUCCEEDED || ev->payment.card_brand[0] ||
        !ev->payment.payment_ref[0])
        return;
    char err[GW_ERR_MAX];
    json_t *j = NULL;
    if (get_object(st, "/v1/payment_intents", ev->payment.payment_ref, "expand%5B%5D=latest_charge",
                   &j, err) == GW_OK) {
        gw_payment_t p = {0};
        read_intent(j, &p);
        memcpy(ev->payment.card_brand, p.card_brand, sizeof p.card_brand);
        memcpy(ev->payment.card_last4, p.card_last4, sizeof p.card_last4);
    }
    json_decref(j);
}

static void read_method(json_t *pm, gw_card_t *card)
{
    json_t *k = json_object_get(pm, "card");
    copy(card->method_ref, sizeof card->method_ref, str_of(pm, "id"));
    copy(card->brand, sizeof card->brand, str_of(k, "brand"));
    const char *last4 = str_of(k, "last4");
    if (strlen(last4) == 4) copy(card->last4, sizeof card->last4, last4);
    json_int_t m = json_integer_value(json_object_get(k, "exp_month"));
    json_int_t y = json_integer_value(json_object_get(k, "exp_year"));
    card->exp_month = m >= 1 && m <= 12 ? (int)m : 0;
    card->exp_year = y >= 2000 && y <= 9999 ? (int)y : 0;
    copy(card->holder_name, sizeof card->holder_name,
         str_of(json_object_get(pm, "billing_details"), "name"));
}

/* A saved card's display fields, which Stripe's events do not carry: without them the card
 * cannot be shown, so a failure here is GW_UNKNOWN (answer non-2xx: Stripe sends it again). */
static gw_result_t add_saved_card(const stripe_t *st, gw_event_t *ev, char err[GW_ERR_MAX])
{
    if (ev->kind != GW_EVENT_SETUP_SUCCEEDED || ev->card.brand[0]) return GW_OK;
    json_t *j = NULL;
    gw_result_t res;
    if (ev->setup_ref[0]) {
        res = get_object(st, "/v1/setup_intents", ev->setup_ref, "expand%5B%5D=payment_method", &j,
                         err);
        if (res == GW_OK) {
            if (!ev->card.customer_ref[0])
                copy(ev->card.customer_ref, GW_REF_MAX, ref_of(j, "customer"));
            read_method(json_object_get(j, "payment_method"), &ev->card);
        }
    } else if (ev->card.method_ref[0]) {
        res = get_object(st, "/v1/payment_methods", ev->card.method_ref, "", &j, err);
        if (res == GW_OK) read_method(j, &ev->card);
    } else {
        say(err, "%s: no card named", ev->type);
        res = GW_ERROR;
    }
    json_decref(j);
    if (res == GW_OK && (!ev->card.method_ref[0] || !ev->card.brand[0])) {
        say(err, "%s: the card's details were not found", ev->type);
        res = GW_UNKNOWN;
    }
    return res;
}

static gw_result_t stripe_read_event(gateway_t *gw, const char *body, size_t len,
                                     const char *signature_header, int64_t now, gw_event_t *out,
                                     char err[GW_ERR_MAX])
{
    const stripe_t *st = gw->impl;
    memset(out, 0, sizeof *out);
    if (!signature_header ||
        !gw_verify_signature((const char *const *)st->secrets, signature_header, body, len, now,
                             GW_EVENT_TOLERANCE)) {
        say(err, "event: no valid signature within %d s", (int)GW_EVENT_TOLERANCE);
        return GW_ERROR;
    }
    gw_result_t res = gw_read_stripe_event(body, len, out, err);
    if (res != GW_OK) return res;
    add_payment_card(st, out);
    return add_saved_card(st, out, err);
}

/* ---- the driver ------------------------------------------------------------------------ */

static void stripe_free(gateway_t *gw)
{
    if (!gw) return;
    stripe_t *st = gw->impl;
    if (st) {
        if (st->key) sodium_memzero(st->key, strlen(st->key));
        for (int i = 0; i < 2; i++)
            if (st->secrets[i]) sodium_memzero(st->secrets[i], strlen(st->secrets[i]));
        free(st->key);
        free(st->secrets[0]);
        free(st->secrets[1]);
        free(st->api_url);
        free(st);
    }
    free(gw);
}

static const gateway_ops_t stripe_ops = {
    .name = "stripe",
    .create_checkout = stripe_create_checkout,
    .create_setup = stripe_create_setup,
    .charge_saved = stripe_charge_saved,
    .retrieve = stripe_retrieve,
    .refund = stripe_refund,
    .read_event = stripe_read_event,
    .free = stripe_free,
};

/* COBRO_STRIPE_TIMEOUT_MS (tests: a fake's stalled answer need not take 20 s): the total
 * time-out in milliseconds, 100..600000; the connect time-out is the smaller of it and 5 s. */
static bool read_timeouts(stripe_t *st, char err[GW_ERR_MAX])
{
    st->connect_ms = CONNECT_MS;
    st->total_ms = TOTAL_MS;
    const char *v = getenv("COBRO_STRIPE_TIMEOUT_MS");
    if (!v || !*v) return true;
    char *end;
    long ms = strtol(v, &end, 10);
    if (*end || ms < 100 || ms > 600000) {
        say(err, "COBRO_STRIPE_TIMEOUT_MS: expected milliseconds, 100 to 600000");
        return false;
    }
    st->total_ms = ms;
    if (st->connect_ms > ms) st->connect_ms = ms;
    return true;
}

static bool settings_ok(const char *api_url, const char *key, const char *const secrets[2],
                        char err[GW_ERR_MAX])
{
    if (!api_url || (strncmp(api_url, "https://", 8) != 0 && strncmp(api_url, "http://", 7)) ||
        strlen(api_url) > 512) {
        say(err, "stripe: the API address must be an http(s) URL");
        return false;
    }
    if (!safe_token(key, KEY_MAX)) {
        say(err, "stripe: the secret key is empty or not a key");
        return false;
    }
    if (!secrets || !secrets[0] || !*secrets[0]) {
        say(err, "stripe: no webhook signing secret");
        return false;
    }
    return true;
}

gateway_t *gateway_stripe_new(const char *api_url, const char *secret_key,
                              const char *const webhook_secrets[2], char err[GW_ERR_MAX])
{
    if (!settings_ok(api_url, secret_key, webhook_secrets, err)) return NULL;
    gateway_t *gw = calloc(1, sizeof *gw);
    stripe_t *st = calloc(1, sizeof *st);
    if (gw) gw->ops = &stripe_ops;
    if (gw) gw->impl = st;
    if (!gw || !st || !read_timeouts(st, err)) {
        if (!gw || !st) say(err, "stripe: out of memory");
        if (gw)
            stripe_free(gw);
        else
            free(st);
        return NULL;
    }
    st->api_url = strdup(api_url);
    st->key = strdup(secret_key);
    st->secrets[0] = strdup(webhook_secrets[0]);
    if (webhook_secrets[1] && *webhook_secrets[1]) st->secrets[1] = strdup(webhook_secrets[1]);
    if (!st->api_url || !st->key || !st->secrets[0] ||
        (webhook_secrets[1] && *webhook_secrets[1] && !st->secrets[1])) {
        say(err, "stripe: out of memory");
        stripe_free(gw);
        return NULL;
    }
    size_t n = strlen(st->api_url);
    while (n > 0 && st->api_url[n - 1] == '/')
        st->api_url[--n] = '\0';
    return gw;
}
