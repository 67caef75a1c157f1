"""The language switcher: its redirect stays on this site (only known local pages, no control
characters, backslashes or authorities), and after a refused form it comes back to the same page
in the same state (the form's GET page, the typed login, the reset token) in the new language."""
import html
import re
import urllib.parse

import pytest

from harness import DEMO_PASSWORD, body_text, csrf_of, html_lang, input_value, to_pred

ACME = "acme-billing"
GLOBEX = "ap@globex.example"
BILLING_OWNER = "owner@initech.example"
STAFF_CAS = "cas@vendor.example"
WRONG = "wrong-password-9"

ES_SIGN_IN = {
    "/corporate": "Iniciar sesión en el Portal de facturación para empresas",
    "/billing": "Iniciar sesión en el Centro de facturación",
    "/staff": "Iniciar sesión en la consola del personal",
}
ES_INVALID = {
    "/corporate": "ID de usuario/contraseña no válidos",
    "/billing": "Correo electrónico/contraseña no válidos",
    "/staff": "Correo electrónico/contraseña no válidos",
}
ES_LOCKED = "Demasiados intentos fallidos de inicio de sesión"
ES_RESET = "Establecer una nueva contraseña"
ES_FORGOT = "¿Ha olvidado su contraseña?"
ES_MISMATCH = "Las dos contraseñas no coinciden."
ES_CHECK_EMAIL = "Revise su correo electrónico"
EXPIRED = "Your session has expired. Please sign in again."

LOGIN_FIELD = {"/corporate": "user_id", "/billing": "email", "/staff": "email"}
LOGIN = {"/corporate": ACME, "/billing": BILLING_OWNER, "/staff": STAFF_CAS}


@pytest.fixture(autouse=True)
def fresh_attempts(server):
    server.execute("DELETE FROM sign_in_attempts")
    yield
    server.execute("DELETE FROM sign_in_attempts")


def _lang(client, query):
    """GET /lang?QUERY (QUERY sent exactly as given): the 303's raw Location header."""
    r = client.get("/lang?" + query)
    assert r.status == 303, (query, r.status)
    return r.headers.get("Location")


# ---- the redirect stays on this site ---------------------------------------------------------

REFUSED = [
    ("tab", "next=/%09/evil.example/corporate", "/"),
    ("tab-backslash", "next=/%09%5Cevil.example", "/"),
    ("cr-lf", "next=/corporate%0D%0ASet-Cookie:%20x=1", "/"),
    ("lf-in-portal", "next=/corporate/%0A/evil.example", "/corporate"),
    ("encoded-tab", "next=/%2509/evil.example/corporate", "/"),
    ("backslash", "next=/%5Cevil.example", "/"),
    ("backslash-raw", "next=/\\evil.example", "/"),
    ("double-slash", "next=//evil.example/corporate", "/"),
    ("encoded-slash", "next=/%2F/evil.example", "/"),
    ("double-encoded-slash", "next=/%252F/evil.example", "/"),
    ("scheme", "next=https://evil.example/corporate", "/"),
    ("scheme-relative-backslash", "next=%5C%5Cevil.example", "/"),
    ("unknown-path", "next=/corporate/nowhere", "/corporate"),
    ("post-only-path", "next=/staff/sign-in", "/staff"),
    ("switcher-itself", "next=/lang%3Fto%3Dfr", "/"),
    ("overlong", "next=/billing%3Fx%3D" + "a" * 1100, "/billing"),
    ("empty", "next=", "/"),
    ("absent", "", "/"),
]


@pytest.mark.parametrize("name,query,fallback", REFUSED, ids=[v[0] for v in REFUSED])
def test_01_unsafe_next_falls_back_to_the_portal_start(server, name, query, fallback):
    c = server.client()
    loc = _lang(c, "to=es&" + query if query else "to=es")
    assert loc == fallback, (name, loc)
    # Whatever the browser makes of it, it stays on this host.
    assert urllib.parse.urlsplit(urllib.parse.urljoin(server.base_url + "/x", loc)).netloc == \
        urllib.parse.urlsplit(server.base_url).netloc
    assert c.cookie("cobro_lang") == "es", "the language is remembered even when next is refused"


KEPT = [
    ("page", "/corporate/forgot", "/corporate/forgot"),
    ("page-with-query", "/corporate/forgot?user_id=acme-billing", "/corporate/forgot?user_id=acme-billing"),
    ("star-segment", "/corporate/invoices/INV-1", "/corporate/invoices/INV-1"),
    ("unsafe-query-dropped", "/corporate?user_id=%0Aevil", "/corporate"),
    ("backslash-query-dropped", "/corporate?user_id=%5C", "/corporate"),
    ("fragment-dropped", "/billing#main", "/billing"),
]


@pytest.mark.parametrize("name,next_,expected", KEPT, ids=[v[0] for v in KEPT])
def test_02_local_pages_are_kept(server, name, next_, expected):
    loc = _lang(server.client(), "to=fr&next=" + urllib.parse.quote(next_, safe=""))
    assert loc == expected, (name, loc)


# ---- the switcher after a refused form -------------------------------------------------------

def _switch(client, page, to="es"):
    """Follows the page's link to the language `to`: the switcher's 303, then the GET it leads
    to. Returns (the address it led to, the answer)."""
    m = re.search(r'<a href="(/lang\?to=%s&amp;next=[^"]*)"' % to, page)
    assert m, "no switcher link to %s on the page" % to
    r = client.get(html.unescape(m.group(1)))
    assert r.status == 303, r
    target = r.headers.get("Location")
    assert target.startswith("/") and not target.startswith("//"), target
    return target, client.get(target)


def _assert_sign_in_page(portal, target, page):
    assert page.status == 200, (target, page.status, page.text[:400])
    assert urllib.parse.urlsplit(target).path == portal
    assert html_lang(page.text) == "es"
    assert ES_SIGN_IN[portal] in page.text
    assert "password" not in urllib.parse.urlsplit(target).query.lower().replace("wrong", "")
    assert WRONG not in target and DEMO_PASSWORD not in target


@pytest.mark.parametrize("portal", ["/corporate", "/billing", "/staff"])
def test_03_after_a_failed_sign_in(server, portal):
    c = server.client()
    r = c.submit(portal, portal + "/sign-in", {LOGIN_FIELD[portal]: LOGIN[portal], "password": WRONG})
    assert r.status == 401
    target, page = _switch(c, r.text)
    _assert_sign_in_page(portal, target, page)
    assert ES_INVALID[portal] in page.text, "the refusal is shown again, in Spanish"
    assert 'class="notice error" role="alert"' in page.text
    assert input_value(page.text, LOGIN_FIELD[portal]) == LOGIN[portal], "the typed login is kept"
    assert input_value(page.text, "password") == ""
    # The page it came back to is a working sign-in form.
    ok = c.post(portal + "/sign-in", {LOGIN_FIELD[portal]: LOGIN[portal], "password": DEMO_PASSWORD,
                                      "csrf": csrf_of(page.text)})
    assert ok.status == 303


@pytest.mark.parametrize("portal", ["/corporate", "/billing", "/staff"])
def test_04_after_an_expired_form(server, portal):
    c = server.client()
    c.get(portal)
    r = c.post(portal + "/sign-in", {LOGIN_FIELD[portal]: LOGIN[portal], "password": WRONG,
                                     "csrf": "expired-token"})
    assert r.status == 403
    target, page = _switch(c, r.text)
    _assert_sign_in_page(portal, target, page)
    assert input_value(page.text, LOGIN_FIELD[portal]) == LOGIN[portal]


@pytest.mark.parametrize("portal", ["/corporate", "/billing", "/staff"])
def test_05_after_the_lockout(server, portal):
    c = server.client()
    login = {"/corporate": GLOBEX, "/billing": BILLING_OWNER, "/staff": STAFF_CAS}[portal]
    field = LOGIN_FIELD[portal]
    r = None
    for i in range(6):
        r = c.submit(portal, portal + "/sign-in", {field: login, "password": "wrong-%d" % i})
        if r.status == 429:
            break
    assert r.status == 429
    target, page = _switch(c, r.text)
    _assert_sign_in_page(portal, target, page)
    assert ES_LOCKED in page.text
    assert input_value(page.text, field) == login


def _reset_token(server, sink):
    """A fresh reset link's token for ACME (earlier requests moved out of the hourly limit)."""
    cred_id, contact = server.query("SELECT id, contact_email FROM portal_credentials "
                                    "WHERE user_id = ?", (ACME,))[0]
    server.execute("UPDATE password_reset_tokens SET created_at = created_at - 7200 "
                   "WHERE credential_id = ?", (cred_id,))
    server.execute("UPDATE email_outbox SET created_at = created_at - 7200 WHERE to_addr = ?",
                   (contact,))
    link = re.compile(re.escape(server.base_url + "/corporate/reset?token=") + r"([A-Za-z0-9_-]+)")
    mark = sink.mark()
    assert server.client().submit("/corporate/forgot", "/corporate/forgot",
                                  {"user_id": ACME}).status == 200
    m = sink.wait_for(lambda m: to_pred(contact)(m) and link.search(body_text(m["msg"])),
                      since=mark)
    return link.search(body_text(m["msg"])).group(1)


def _assert_reset_page(target, page, token):
    assert page.status == 200, (target, page.status, page.text[:400])
    assert urllib.parse.urlsplit(target).path == "/corporate/reset"
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(target).query).get("token") == [token]
    assert html_lang(page.text) == "es"
    assert ES_RESET in page.text
    assert input_value(page.text, "token") == token, "the reset token is kept"


def test_06_after_a_refused_reset(server, smtp_sink):
    token = _reset_token(server, smtp_sink)
    c = server.client()
    form = c.get("/corporate/reset?token=" + token)
    r = c.post("/corporate/reset", {"token": token, "password": "long-enough-1",
                                    "password_confirm": "long-enough-2", "csrf": csrf_of(form.text)})
    assert r.status == 400
    target, page = _switch(c, r.text)
    _assert_reset_page(target, page, token)
    assert "long-enough" not in target
    assert ES_MISMATCH in page.text, "the refusal is shown again, in Spanish"
    # The form it came back to still sets the password.
    done = c.post("/corporate/reset", {"token": token, "password": "long-enough-3",
                                       "password_confirm": "long-enough-3",
                                       "csrf": csrf_of(page.text)})
    assert done.status == 200
    server.execute("UPDATE portal_credentials SET password_hash = (SELECT password_hash FROM "
                   "portal_credentials WHERE user_id = ?) WHERE user_id = ?", (GLOBEX, ACME))


def test_07_reset_after_an_expired_form_and_on_the_link_itself(server, smtp_sink):
    token = _reset_token(server, smtp_sink)
    c = server.client()
    form = c.get("/corporate/reset?token=" + token)
    assert form.status == 200
    target, page = _switch(c, form.text)  # straight from the emailed link
    _assert_reset_page(target, page, token)
    c = server.client()  # a reader still in English, whose form has expired
    c.get("/corporate/reset?token=" + token)
    r = c.post("/corporate/reset", {"token": token, "password": "x", "password_confirm": "x",
                                    "csrf": "expired-token"})
    assert r.status == 403
    target, page = _switch(c, r.text, to="es")
    _assert_reset_page(target, page, token)


def test_08_forgot_after_an_expired_form(server):
    c = server.client()
    c.get("/corporate/forgot")
    r = c.post("/corporate/forgot", {"user_id": ACME, "csrf": "expired-token"})
    assert r.status == 403
    target, page = _switch(c, r.text)
    assert page.status == 200
    assert urllib.parse.urlsplit(target).path == "/corporate/forgot"
    assert html_lang(page.text) == "es" and ES_FORGOT in page.text
    assert input_value(page.text, "user_id") == ""


def test_08b_forgot_confirmation_stays_the_same_for_any_user_id(server):
    """After "Forgot your password?" the switcher shows the same confirmation in the new
    language, and that page does not tell a known User ID from an unknown one."""
    pages = []
    for user_id in (ACME, "no-such-user"):
        c = server.client()
        r = c.submit("/corporate/forgot", "/corporate/forgot", {"user_id": user_id})
        assert r.status == 200
        assert user_id not in r.text
        target, page = _switch(c, r.text)
        assert target == "/corporate/forgot?sent=1"
        assert page.status == 200 and html_lang(page.text) == "es"
        assert ES_CHECK_EMAIL in page.text and input_value(page.text, "user_id") is None
        pages.append(page.text)
    assert pages[0] == pages[1]


# ---- "Session expired" is a warning, not a success ----------------------------------------------

def test_09_session_expired_is_a_warning(server):
    page = server.client().get("/corporate?expired=1").text
    m = re.search(r'<div class="notice ([a-z ]+)" role="([a-z]+)">([^<]*)</div>', page)
    assert m, page[:2000]
    assert (m.group(1), m.group(2), m.group(3)) == ("warning", "alert", EXPIRED)
    signed_out = server.client().get("/corporate?signed_out=1").text
    assert '<div class="notice info" role="status">You have signed out.</div>' in signed_out
    css = server.client().get("/static/style.css").text
    assert ".notice.warning{" in css
