"""Billing Center password reset ("Forgot your password?" on /billing): the same rules as the
Corporate Billing Portal's (test_password_reset.py), for an online account's users, members and
billing administrators alike, whose product login it is."""
import html
import re
import urllib.parse

import harness
import reset_helpers

import pytest

from harness import DEMO_PASSWORD, body_text, csrf_of, html_lang, input_value, sha256_hex

OWNER = "owner@initech.example"
MEMBER = "user@initech.example"
NEW_PASSWORD = "brand-new-secret-42"
EN_SUBJECT = "Reset your Billing Center password"
FR_SUBJECT = "Réinitialisez votre mot de passe du Centre de facturation"
CHANGED = "Your password has been changed."
USED = "This link has already been used."
EXPIRED = "This link has expired."
SENT = ("If this email address belongs to a Billing Center user, we have sent a link to set a new "
        "password to it.")
FORGOT = "Forgot your password?"


def _user(server, email_addr):
    rows = server.query("SELECT u.id, u.account_id, u.password_hash, u.role, a.lang "
                        "FROM account_users u JOIN accounts a ON a.id = u.account_id "
                        "WHERE u.email = ?", (email_addr,))
    assert rows, "no account user %s in the demo data" % email_addr
    return rows[0]


def _allow_resets(server, email_addr):
    """Moves this user's earlier reset requests out of the last hour (the 3-per-hour limit)."""
    user_id = _user(server, email_addr)[0]
    server.execute("UPDATE account_user_reset_tokens SET created_at = created_at - 7200 "
                   "WHERE account_user_id = ?", (user_id,))


def _request_reset(server, sink, email_addr, typed=None):
    """Asks for a reset email for email_addr and returns (token, message)."""
    _allow_resets(server, email_addr)
    fields = {"email": typed if typed is not None else email_addr}
    token, m, r = reset_helpers.request_reset(server, sink, "billing", fields, email_addr)
    assert SENT in html.unescape(r.text)
    return token, m


def _post_reset(client, token, password, confirm=None):
    return reset_helpers.post_reset(client, "billing", token, password, confirm)


def _signed_in(server, email_addr, password=DEMO_PASSWORD):
    c = server.client()
    r = c.sign_in_billing(email_addr, password)
    assert r.status == 303, (r.status, r.text[:300])
    return c


@pytest.fixture(autouse=True)
def restore(server):
    """Puts the demo passwords and languages back and clears sign-in attempts after each test."""
    users = server.query("SELECT id, password_hash FROM account_users")
    langs = server.query("SELECT id, lang FROM accounts")
    server.execute("DELETE FROM sign_in_attempts")
    yield
    for user_id, h in users:
        server.execute("UPDATE account_users SET password_hash = ? WHERE id = ?", (h, user_id))
    for account_id, lang in langs:
        server.execute("UPDATE accounts SET lang = ? WHERE id = ?", (lang, account_id))
    server.execute("DELETE FROM sign_in_attempts")


def test_01_sign_in_page_links_to_forgot(client):
    r = client.get("/billing")
    assert r.status == 200
    assert re.search(r'<a href="/billing/forgot">%s</a>' % re.escape(FORGOT), r.text)
    forgot = client.get("/billing/forgot")
    assert forgot.status == 200
    assert csrf_of(forgot.text)
    assert input_value(forgot.text, "email") is not None
    assert 'action="/billing/forgot"' in forgot.text
    assert re.search(r'<label for="email">', forgot.text)
    assert '<a href="/billing">' in forgot.text


def test_02_unknown_and_known_emails_get_the_same_confirmation(server):
    _allow_resets(server, OWNER)
    c = server.client()
    token = c.csrf("/billing/forgot")
    before = server.count("email_outbox")
    tokens = server.count("account_user_reset_tokens")
    unknown = c.post("/billing/forgot", {"email": "nobody@initech.example", "csrf": token})
    assert server.count("email_outbox") == before, "an email was queued for an unknown email"
    assert server.count("account_user_reset_tokens") == tokens
    # A corporate User ID is not a Billing Center login either.
    corporate = c.post("/billing/forgot", {"email": "acme-billing", "csrf": token})
    assert server.count("email_outbox") == before
    known = c.post("/billing/forgot", {"email": OWNER, "csrf": token})
    assert unknown.status == corporate.status == known.status == 200

    norm = reset_helpers.without_csrf
    assert norm(unknown) == norm(known) == norm(corporate)
    assert server.count("email_outbox") == before + 1
    assert server.count("account_user_reset_tokens") == tokens + 1


def test_03_reset_email_goes_to_the_user_with_the_link(server, smtp_sink):
    user_id, account_id, _, _, lang = _user(server, OWNER)
    assert lang == "en"
    audited = server.count("audit_log", "action = 'password_reset_requested' AND actor_kind = "
                           "'billing' AND actor_id = ? AND account_id = ?", (user_id, account_id))
    # Typed in another case and with spaces around: the same login.
    token, m = _request_reset(server, smtp_sink, OWNER, typed="  Owner@Initech.Example ")
    msg = m["msg"]
    assert [r.lower() for r in m["rcpt_tos"]] == [OWNER]
    assert OWNER in str(msg["To"]).lower()
    assert "billing@vendor.example" in str(msg["From"])
    assert str(msg["Subject"]) == EN_SUBJECT
    assert len(token) == 43
    body = body_text(msg)
    assert server.base_url + "/billing/reset?token=" + token in body
    assert OWNER in body
    assert "60 minutes" in body
    # Only the token's digest is stored, valid an hour.
    rows = server.query("SELECT account_user_id, expires_at - created_at, used_at "
                        "FROM account_user_reset_tokens WHERE token_digest = ?", (sha256_hex(token),))
    assert rows == [(user_id, 3600, None)]
    assert server.count("account_user_reset_tokens", "token_digest = ?", (token,)) == 0
    assert server.count("password_reset_tokens", "token_digest = ?", (sha256_hex(token),)) == 0
    assert server.count("audit_log", "action = 'password_reset_requested' AND actor_kind = "
                        "'billing' AND actor_id = ? AND account_id = ?",
                        (user_id, account_id)) == audited + 1


def test_04_admin_resets_the_password_once(server, smtp_sink):
    token, _ = _request_reset(server, smtp_sink, OWNER)
    user_id, account_id, _, _, _ = _user(server, OWNER)
    audited = server.count("audit_log", "action = 'password_changed' AND actor_kind = 'billing' "
                           "AND actor_id = ? AND account_id = ?", (user_id, account_id))
    c = server.client()
    form = c.get("/billing/reset?token=" + token)
    assert form.status == 200
    assert OWNER in html.unescape(form.text), "the form names the login being reset"
    assert 'action="/billing/reset"' in form.text
    r = _post_reset(c, token, NEW_PASSWORD)
    assert r.status == 200, r.text[:500]
    assert CHANGED in r.text
    assert '<a href="/billing">' in r.text
    assert server.count("audit_log", "action = 'password_changed' AND actor_kind = 'billing' "
                        "AND actor_id = ? AND account_id = ?", (user_id, account_id)) == audited + 1
    assert server.scalar("SELECT used_at FROM account_user_reset_tokens WHERE token_digest = ?",
                         (sha256_hex(token),)) is not None
    assert server.client().sign_in_billing(OWNER, DEMO_PASSWORD).status == 401
    new = server.client().sign_in_billing(OWNER, NEW_PASSWORD)
    assert new.status == 303
    assert new.location_path == "/billing/account"
    # Used: the link is refused, GET and POST, and changes nothing.
    again = c.get("/billing/reset?token=" + token)
    assert again.status == 410
    assert USED in again.text
    assert "/billing/forgot" in again.text
    r = c.post("/billing/reset", {"token": token, "password": "another-pass-123",
                                  "password_confirm": "another-pass-123",
                                  "csrf": c.csrf("/billing/forgot")})
    assert r.status == 410
    assert USED in r.text
    assert server.client().sign_in_billing(OWNER, "another-pass-123").status == 401


def test_05_a_member_resets_their_own_password(server, smtp_sink):
    user_id, _, _, role, _ = _user(server, MEMBER)
    assert role == "member"
    owner_hash = _user(server, OWNER)[2]
    token, m = _request_reset(server, smtp_sink, MEMBER)
    assert [r.lower() for r in m["rcpt_tos"]] == [MEMBER], "the link goes to the member themself"
    assert _post_reset(server.client(), token, NEW_PASSWORD).status == 200
    c = _signed_in(server, MEMBER, NEW_PASSWORD)
    assert c.get("/billing/account").status == 200
    assert _user(server, OWNER)[2] == owner_hash, "the administrator's password is untouched"


@pytest.mark.parametrize("password,confirm,message", [
    ("short-pw", None, "Use at least 10 characters."),
    (OWNER, None, "The password must not be the same as your email address."),
    (OWNER.upper(), None, "The password must not be the same as your email address."),
    (NEW_PASSWORD, NEW_PASSWORD + "x", "The two passwords are not the same."),
    ("x" * 1025, None, "Use at most 1024 characters."),
    ("line\nbreak-password", None, "A password cannot hold line breaks, tabs or other control "
                                   "characters."),
], ids=["too-short", "same-as-email", "same-as-email-other-case", "mismatch", "too-long",
        "control-chars"])
def test_06_password_rules_refuse_and_change_nothing(server, smtp_sink, password, confirm, message):
    user_id, _, old_hash, _, _ = _user(server, OWNER)
    token, _ = _request_reset(server, smtp_sink, OWNER)
    c = server.client()
    r = _post_reset(c, token, password, confirm)
    reset_helpers.assert_refused(r, token, message)
    assert 'aria-invalid="true"' in r.text
    assert server.scalar("SELECT password_hash FROM account_users WHERE id = ?",
                         (user_id,)) == old_hash
    assert server.scalar("SELECT used_at FROM account_user_reset_tokens WHERE token_digest = ?",
                         (sha256_hex(token),)) is None
    # The link still works afterwards.
    assert _post_reset(c, token, NEW_PASSWORD).status == 200


def test_07_expired_link_is_refused_in_the_visitors_language(server, smtp_sink):
    token, _ = _request_reset(server, smtp_sink, OWNER)
    changed = server.execute("UPDATE account_user_reset_tokens SET expires_at = ? "
                             "WHERE token_digest = ?", (int(harness.now()) - 60, sha256_hex(token)))
    assert changed == 1
    c = server.client()
    r = c.get("/billing/reset?token=" + token)
    assert r.status == 410
    assert EXPIRED in r.text
    es = server.client(accept_language="es")
    r = es.get("/billing/reset?token=" + token)
    assert r.status == 410
    assert html_lang(r.text) == "es"
    assert "Este enlace ha caducado." in r.text
    csrf = c.csrf("/billing/forgot")
    r = c.post("/billing/reset", {"token": token, "password": NEW_PASSWORD,
                                  "password_confirm": NEW_PASSWORD, "csrf": csrf})
    assert r.status == 410
    assert server.client().sign_in_billing(OWNER, NEW_PASSWORD).status == 401


def test_08_used_link_is_refused_in_the_visitors_language(server, smtp_sink):
    token, _ = _request_reset(server, smtp_sink, OWNER)
    assert _post_reset(server.client(), token, NEW_PASSWORD).status == 200
    r = server.client(accept_language="fr").get("/billing/reset?token=" + token)
    assert r.status == 410
    assert html_lang(r.text) == "fr"
    assert "Ce lien a déjà été utilisé." in html.unescape(r.text)


def test_09_garbage_and_the_other_portals_tokens_are_404(server, smtp_sink, client):
    reset_helpers.assert_garbage_tokens_refused(client, "billing")
    # Each portal's link works on its own reset page only.
    token, _ = _request_reset(server, smtp_sink, OWNER)
    assert client.get("/corporate/reset?token=" + token).status == 404
    assert client.get("/billing/reset?token=" + token).status == 200


def test_10_reset_ends_every_session_of_that_user_only(server, smtp_sink):
    owner_id = _user(server, OWNER)[0]
    before = [_signed_in(server, OWNER), _signed_in(server, OWNER)]
    member = _signed_in(server, MEMBER)
    for c in before + [member]:
        assert c.get("/billing/account").status == 200
    token, _ = _request_reset(server, smtp_sink, OWNER)
    assert _post_reset(server.client(), token, NEW_PASSWORD).status == 200
    for c in before:
        r = c.get("/billing/account")
        assert r.status == 303
        assert r.location_path == "/billing"
    assert server.count("sessions", "audience = 'billing' AND principal_id = ?", (owner_id,)) == 0
    assert member.get("/billing/account").status == 200, "another user's session was ended"


def test_11_at_most_three_reset_emails_per_hour(server, smtp_sink):
    _allow_resets(server, MEMBER)
    reset_helpers.ask_five_times(server, smtp_sink, "billing", {"email": MEMBER}, MEMBER)
    # The limit is per user: the administrator still gets a link.
    _request_reset(server, smtp_sink, OWNER)


def test_12_the_email_is_in_the_accounts_language(server, smtp_sink):
    account_id = _user(server, MEMBER)[1]
    server.execute("UPDATE accounts SET lang = 'fr' WHERE id = ?", (account_id,))
    token, m = _request_reset(server, smtp_sink, MEMBER)
    msg = m["msg"]
    assert str(msg["Subject"]) == FR_SUBJECT
    body = body_text(msg)
    assert body.startswith("Bonjour ")
    assert "Centre de facturation" in body
    assert MEMBER in body
    assert server.base_url + "/billing/reset?token=" + token in body
    # The reset page follows the visitor's language, not the account's.
    page = server.client(accept_language="it").get("/billing/reset?token=" + token)
    assert page.status == 200
    assert html_lang(page.text) == "it"


def test_13_posts_without_the_csrf_token_are_refused(server, smtp_sink):
    _allow_resets(server, OWNER)
    c = server.client()
    c.get("/billing/forgot")
    before = server.count("email_outbox")
    r = c.post("/billing/forgot", {"email": OWNER})
    assert r.status == 403
    r = c.post("/billing/forgot", {"email": OWNER, "csrf": "forged"})
    assert r.status == 403
    assert server.count("email_outbox") == before
    token, _ = _request_reset(server, smtp_sink, OWNER)
    old_hash = _user(server, OWNER)[2]
    c.get("/billing/reset?token=" + token)
    r = c.post("/billing/reset", {"token": token, "password": NEW_PASSWORD,
                                  "password_confirm": NEW_PASSWORD})
    assert r.status == 403
    assert _user(server, OWNER)[2] == old_hash
    assert server.scalar("SELECT used_at FROM account_user_reset_tokens WHERE token_digest = ?",
                         (sha256_hex(token),)) is None


def test_14_language_switch_after_a_refused_reset_keeps_the_token(server, smtp_sink):
    token, _ = _request_reset(server, smtp_sink, OWNER)
    c = server.client()
    r = _post_reset(c, token, "long-enough-1", "long-enough-2")
    assert r.status == 400
    m = re.search(r'<a href="(/lang\?to=es&amp;next=[^"]*)"', r.text)
    assert m, "no switcher link to es"
    switched = c.get(html.unescape(m.group(1)))
    assert switched.status == 303
    target = switched.headers.get("Location")
    parts = urllib.parse.urlsplit(target)
    assert parts.path == "/billing/reset"
    assert urllib.parse.parse_qs(parts.query) == {"token": [token], "refused": ["mismatch"]}
    page = c.get(target)
    assert page.status == 200
    assert html_lang(page.text) == "es"
    assert input_value(page.text, "token") == token
    # The forgot page's confirmation comes back without what was typed.
    sent = c.submit("/billing/forgot", "/billing/forgot", {"email": "someone@initech.example"})
    m = re.search(r'<a href="(/lang\?to=fr&amp;next=[^"]*)"', sent.text)
    target = c.get(html.unescape(m.group(1))).headers.get("Location")
    assert target == "/billing/forgot?sent=1"
    page = c.get(target)
    assert "Consultez votre messagerie" in html.unescape(page.text)
