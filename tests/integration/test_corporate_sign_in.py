"""Corporate Billing Portal sign-in: success, errors, CSRF, cookies, sessions, lockout, escaping."""
import re

import pytest

from harness import DEMO_PASSWORD, csrf_of, input_tags, input_value, new_session_cookie, sha256_hex

ACME = "acme-billing"
GLOBEX = "ap@globex.example"
INVALID = "Invalid User ID/password"
LOCKED = ("Too many failed sign-in attempts. For your security, sign-in for this account is "
          "paused for 15 minutes.")
EXPIRED = "Your session has expired. Please sign in again."


@pytest.fixture(autouse=True)
def fresh_attempts(server):
    """Each test starts with no sign-in attempts on record (no lockout left by another test)."""
    server.execute("DELETE FROM sign_in_attempts")
    yield
    server.execute("DELETE FROM sign_in_attempts")


def _password_input(page):
    for attrs in input_tags(page):
        if attrs.get("name") == "password":
            return attrs
    return None


def test_01_sign_in_success_redirects_to_account(client):
    r = client.sign_in_corporate(ACME)
    assert r.status == 303
    assert r.location_path == "/corporate/account"
    assert client.cookie("cobro_session")
    page = client.get("/corporate/account")
    assert page.status == 200
    assert "Acme Corporation" in page.text
    assert ACME in page.text


def test_02_signed_in_visitor_on_sign_in_page_goes_to_account(client):
    assert client.sign_in_corporate(GLOBEX).status == 303
    r = client.get("/corporate")
    assert r.status == 303
    assert r.location_path == "/corporate/account"


def test_03_user_id_is_case_insensitive(client):
    r = client.sign_in_corporate("ACME-Billing")
    assert r.status == 303, r.text[:500]
    assert r.location_path == "/corporate/account"
    assert "Acme Corporation" in client.get("/corporate/account").text
    c2 = client.__class__(client.base_url)
    assert c2.sign_in_corporate("AP@Globex.Example").status == 303


def test_04_wrong_password_and_unknown_user_get_the_same_401(client):
    bad_pw = "Wr0ng-Secret-4711"
    wrong = client.sign_in_corporate(ACME, bad_pw)
    unknown = client.sign_in_corporate("nobody-here", bad_pw)
    for r, typed in ((wrong, ACME), (unknown, "nobody-here")):
        assert r.status == 401
        assert INVALID in r.text
        assert input_value(r.text, "user_id") == typed
        pw = _password_input(r.text)
        assert pw is not None and pw.get("value", "") == ""
        assert bad_pw not in r.text
        assert not new_session_cookie(r)
    # Apart from the typed User ID and the CSRF token, the two answers are the same page.
    def norm(r, typed):
        t = r.text.replace(csrf_of(r.text), "CSRF")
        return t.replace(typed, "USERID")
    assert norm(wrong, ACME) == norm(unknown, "nobody-here")
    assert client.get("/corporate/account").status == 303


def test_05_post_without_csrf_is_403_and_no_session(server):
    c = server.client()
    c.get("/corporate")
    r = c.post("/corporate/sign-in", {"user_id": ACME, "password": DEMO_PASSWORD})
    assert r.status == 403
    assert not new_session_cookie(r)
    assert c.cookie("cobro_session") is None
    assert c.get("/corporate/account").status == 303


def test_06_post_with_wrong_csrf_is_403_and_no_session(server):
    c = server.client()
    token = c.csrf("/corporate")
    forged = ("A" if token[0] != "A" else "B") + token[1:]
    r = c.post("/corporate/sign-in", {"user_id": ACME, "password": DEMO_PASSWORD, "csrf": forged})
    assert r.status == 403
    assert not new_session_cookie(r)
    assert c.cookie("cobro_session") is None
    # Another visitor's token does not work either.
    other = server.client().csrf("/corporate")
    if other != token:
        r = c.post("/corporate/sign-in", {"user_id": ACME, "password": DEMO_PASSWORD, "csrf": other})
        assert r.status == 403
        assert c.cookie("cobro_session") is None


def test_07_session_cookie_flags(client):
    r = client.sign_in_corporate(ACME)
    assert r.status == 303
    header = r.set_cookie("cobro_session")
    assert header, r.set_cookies()
    attrs = [a.strip().lower() for a in header.split(";")[1:]]
    assert "httponly" in attrs
    assert "samesite=lax" in attrs
    assert "path=/" in attrs
    assert "secure" not in attrs  # the base URL is http://


def test_08_session_token_is_new_at_every_sign_in(server):
    c = server.client()
    c.get("/corporate")
    pre = c.cookie("cobro_pre")
    planted = "x" * 43
    c.set_cookie("cobro_session", planted)  # a session fixation attempt
    r = c.sign_in_corporate(ACME)
    assert r.status == 303
    s1 = c.cookie("cobro_session")
    assert s1 and s1 != planted and s1 != pre
    # The anonymous cookie that existed before sign-in opens nothing.
    if pre:
        assert not server.session_valid(pre, "/corporate/account")
    assert server.session_valid(s1, "/corporate/account")
    # A second sign-in (another browser) gets another token.
    d = server.client()
    assert d.sign_in_corporate(ACME).status == 303
    s2 = d.cookie("cobro_session")
    assert s2 and s2 != s1


def test_09_sign_in_again_ends_the_previous_session_cookie(server):
    """The session cookie a browser holds when it signs in again is not valid afterwards."""
    c = server.client()
    assert c.sign_in_corporate(ACME).status == 303
    old = c.cookie("cobro_session")
    page = c.get("/corporate/account")
    assert page.status == 200
    r = c.post("/corporate/sign-in", {"user_id": GLOBEX, "password": DEMO_PASSWORD,
                                      "csrf": csrf_of(page.text)})
    assert r.status == 303, (r.status, r.text[:300])
    new = c.cookie("cobro_session")
    assert new and new != old
    assert "Globex" in c.get("/corporate/account").text
    assert server.session_valid(new, "/corporate/account")
    assert not server.session_valid(old, "/corporate/account")


def test_10_sign_out_ends_the_session(server):
    c = server.client()
    assert c.sign_in_corporate(ACME).status == 303
    token = c.cookie("cobro_session")
    r = c.sign_out("/corporate/account")
    assert r.status == 303
    assert r.location_path == "/corporate"
    stale = server.client()
    stale.set_cookie("cobro_session", token)
    r = stale.get("/corporate/account")
    assert r.status == 303
    assert r.location_path == "/corporate"
    assert c.get("/corporate/account").status == 303


def test_11_signed_out_visitor_is_sent_to_sign_in(client):
    r = client.get("/corporate/account")
    assert r.status == 303
    assert r.location_path == "/corporate"
    assert "expired" not in (r.location or "")


def test_12_idle_session_expires_after_30_minutes(server):
    c = server.client()
    assert c.sign_in_corporate(ACME).status == 303
    token = c.cookie("cobro_session")
    changed = server.execute("UPDATE sessions SET last_seen_at = last_seen_at - 3600 "
                             "WHERE token_digest = ?", (sha256_hex(token),))
    assert changed == 1, "no sessions row whose token_digest is the SHA-256 of the cookie"
    r = c.get("/corporate/account")
    assert r.status == 303
    assert r.location == "/corporate?expired=1"
    page = c.get("/corporate?expired=1")
    assert page.status == 200
    assert EXPIRED in page.text
    # An ended session is no success: not in the green box of "saved".
    assert 'class="notice warning"' in page.text and 'notice info' not in page.text
    assert c.get("/corporate/account").status == 303


def test_13_recent_activity_keeps_the_session(server):
    c = server.client()
    assert c.sign_in_corporate(ACME).status == 303
    token = c.cookie("cobro_session")
    server.execute("UPDATE sessions SET last_seen_at = last_seen_at - 1500 WHERE token_digest = ?",
                   (sha256_hex(token),))
    assert c.get("/corporate/account").status == 200


def test_14_staff_session_cannot_open_corporate_account(server):
    c = server.client()
    assert c.sign_in_staff("admin@vendor.example").status == 303
    r = c.get("/corporate/account")
    assert r.status == 303
    assert r.location_path == "/corporate"


def test_15_lockout_after_five_failures(server):
    c = server.client()
    for i in range(5):
        r = c.sign_in_corporate(GLOBEX, "wrong-password-%d" % i)
        # The 5th failure may already answer with the lock.
        assert r.status in ((401,) if i < 4 else (401, 429)), "attempt %d: %d" % (i + 1, r.status)
        assert not new_session_cookie(r)
    assert server.count("sign_in_attempts", "login = ? AND succeeded = 0", (GLOBEX,)) >= 5
    r = c.sign_in_corporate(GLOBEX, DEMO_PASSWORD)
    assert r.status == 429
    assert LOCKED in r.text
    assert not new_session_cookie(r)
    assert c.cookie("cobro_session") is None
    assert c.get("/corporate/account").status == 303
    # Another User ID is not affected.
    other = server.client()
    assert other.sign_in_corporate(ACME).status == 303
    assert other.get("/corporate/account").status == 200
    # The case of the typed User ID does not get round the lock.
    r = server.client().sign_in_corporate(GLOBEX.upper(), DEMO_PASSWORD)
    assert r.status == 429


def test_16_sign_in_attempts_are_recorded(server):
    c = server.client()
    assert c.sign_in_corporate(ACME, "not-the-password").status == 401
    assert server.client().sign_in_corporate(ACME).status == 303
    rows = server.query("SELECT audience, succeeded FROM sign_in_attempts WHERE login = ?", (ACME,))
    assert ("corporate", 0) in rows and ("corporate", 1) in rows
    cred_id = server.scalar("SELECT id FROM portal_credentials WHERE user_id = ?", (ACME,))
    assert server.count("audit_log", "action = 'sign_in' AND actor_kind = 'corporate' AND actor_id = ?",
                        (cred_id,)) >= 1


def test_17_user_id_is_html_escaped(client):
    evil = "<script>alert(1)</script>"
    r = client.sign_in_corporate(evil, "whatever-pass")
    assert r.status == 401
    assert "<script>alert(1)" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert input_value(r.text, "user_id") == evil
    quote = '"><img src=x onerror=alert(1)>'
    r = client.sign_in_corporate(quote, "whatever-pass")
    assert r.status == 401
    assert "<img src=x" not in r.text
    assert input_value(r.text, "user_id") == quote


def test_18_account_page_shows_contact_and_bill_to(server, client):
    assert client.sign_in_corporate(ACME).status == 303
    page = client.get("/corporate/account").text
    name, contact_email = server.query(
        "SELECT contact_name, contact_email FROM portal_credentials WHERE user_id = ?", (ACME,))[0]
    bill_to = server.scalar("SELECT a.bill_to_name FROM accounts a JOIN portal_credentials p "
                            "ON p.account_id = a.id WHERE p.user_id = ?", (ACME,))
    import html as _html
    text = _html.unescape(page)
    assert name in text and contact_email in text and bill_to in text
    assert re.search(r'<form\b[^>]*action="/sign-out"', page)
