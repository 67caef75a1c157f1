"""Corporate Billing Portal password reset: the request, the email, the rules, the link's life."""
import re

import harness
import reset_helpers

import pytest

from harness import DEMO_PASSWORD, body_text, csrf_of, input_value, sha256_hex

ACME = "acme-billing"
GLOBEX = "ap@globex.example"
NEW_PASSWORD = "brand-new-secret-42"
EN_SUBJECT = "Reset your Corporate Billing Portal password"
CHANGED = "Your password has been changed."
USED = "This link has already been used."
EXPIRED = "This link has expired."


def _credential(server, user_id):
    rows = server.query("SELECT p.id, p.contact_email, p.password_hash, a.lang FROM portal_credentials p "
                        "JOIN accounts a ON a.id = p.account_id WHERE p.user_id = ?", (user_id,))
    assert rows, "no portal credential %s in the demo data" % user_id
    return rows[0]


def _allow_resets(server, user_id):
    """Moves this User ID's earlier reset requests out of the last hour (the 3-per-hour limit)."""
    cred_id, contact, _, _ = _credential(server, user_id)
    server.execute("UPDATE password_reset_tokens SET created_at = created_at - 7200 "
                   "WHERE credential_id = ?", (cred_id,))
    server.execute("UPDATE email_outbox SET created_at = created_at - 7200 WHERE to_addr = ?",
                   (contact,))


def _request_reset(server, sink, user_id):
    """Asks for a reset email for user_id and returns (token, message)."""
    _allow_resets(server, user_id)
    _, contact, _, _ = _credential(server, user_id)
    token, m, _ = reset_helpers.request_reset(server, sink, "corporate", {"user_id": user_id},
                                              contact)
    return token, m


def _post_reset(client, token, password, confirm=None):
    return reset_helpers.post_reset(client, "corporate", token, password, confirm)


@pytest.fixture(autouse=True)
def restore_passwords(server):
    """Puts the demo passwords back and clears sign-in attempts after each test."""
    saved = server.query("SELECT id, password_hash FROM portal_credentials")
    yield
    for cred_id, h in saved:
        server.execute("UPDATE portal_credentials SET password_hash = ? WHERE id = ?", (h, cred_id))
    server.execute("DELETE FROM sign_in_attempts")


def test_01_forgot_page_has_a_form(client):
    r = client.get("/corporate/forgot")
    assert r.status == 200
    assert csrf_of(r.text)
    assert input_value(r.text, "user_id") is not None


def test_02_unknown_and_known_user_ids_get_the_same_confirmation(server):
    _allow_resets(server, ACME)
    c = server.client()
    token = c.csrf("/corporate/forgot")
    before = server.count("email_outbox")
    unknown = c.post("/corporate/forgot", {"user_id": "no-such-user", "csrf": token})
    assert server.count("email_outbox") == before, "an email was queued for an unknown User ID"
    known = c.post("/corporate/forgot", {"user_id": ACME, "csrf": token})
    assert unknown.status == known.status == 200

    assert reset_helpers.without_csrf(unknown) == reset_helpers.without_csrf(known)
    assert server.count("email_outbox") == before + 1


def test_03_reset_email_goes_to_the_billing_contact(server, smtp_sink):
    _, contact, _, lang = _credential(server, ACME)
    token, m = _request_reset(server, smtp_sink, ACME)
    msg = m["msg"]
    assert contact.lower() in [r.lower() for r in m["rcpt_tos"]]
    assert contact.lower() in str(msg["To"]).lower()
    assert "billing@vendor.example" in str(msg["From"])
    assert lang == "en"
    assert str(msg["Subject"]) == EN_SUBJECT
    assert len(token) == 43
    body = body_text(msg)
    assert server.base_url + "/corporate/reset?token=" + token in body
    assert ACME in body
    rows = server.query("SELECT expires_at - created_at, used_at FROM password_reset_tokens "
                        "WHERE token_digest = ?", (sha256_hex(token),))
    assert rows == [(3600, None)]


def test_04_reset_page_sets_a_new_password(server, smtp_sink):
    token, _ = _request_reset(server, smtp_sink, ACME)
    cred_id = _credential(server, ACME)[0]
    audited = server.count("audit_log", "action = 'password_changed' AND actor_id = ?", (cred_id,))
    c = server.client()
    r = _post_reset(c, token, NEW_PASSWORD)
    assert r.status == 200, r.text[:500]
    assert server.count("audit_log", "action = 'password_changed' AND actor_id = ?",
                        (cred_id,)) == audited + 1
    assert CHANGED in r.text
    assert re.search(r'href="(%s)?/corporate"' % re.escape(server.base_url), r.text)
    old = server.client().sign_in_corporate(ACME, DEMO_PASSWORD)
    assert old.status == 401
    new = server.client().sign_in_corporate(ACME, NEW_PASSWORD)
    assert new.status == 303
    assert new.location_path == "/corporate/account"


@pytest.mark.parametrize("password,confirm,message", [
    ("short-pw", None, "Use at least 10 characters."),
    (ACME, None, "The password must not be the same as your User ID."),
    (ACME.upper(), None, "The password must not be the same as your User ID."),
    (NEW_PASSWORD, NEW_PASSWORD + "x", "The two passwords are not the same."),
], ids=["too-short", "same-as-user-id", "same-as-user-id-other-case", "mismatch"])
def test_05_password_rules_refuse_and_change_nothing(server, smtp_sink, password, confirm, message):
    cred_id, _, old_hash, _ = _credential(server, ACME)
    token, _ = _request_reset(server, smtp_sink, ACME)
    c = server.client()
    reset_helpers.assert_refused(_post_reset(c, token, password, confirm), token, message)
    assert server.scalar("SELECT password_hash FROM portal_credentials WHERE id = ?",
                         (cred_id,)) == old_hash
    assert server.scalar("SELECT used_at FROM password_reset_tokens WHERE token_digest = ?",
                         (sha256_hex(token),)) is None
    # The link still works afterwards.
    assert _post_reset(c, token, NEW_PASSWORD).status == 200


def test_06_link_is_single_use(server, smtp_sink):
    token, _ = _request_reset(server, smtp_sink, ACME)
    c = server.client()
    page = c.get("/corporate/reset?token=" + token)
    csrf = csrf_of(page.text)
    fields = {"token": token, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD, "csrf": csrf}
    assert c.post("/corporate/reset", fields).status == 200
    again = c.post("/corporate/reset", dict(fields, password="another-pass-123",
                                            password_confirm="another-pass-123"))
    assert again.status == 410
    assert USED in again.text
    r = c.get("/corporate/reset?token=" + token)
    assert r.status == 410
    assert USED in r.text
    assert server.client().sign_in_corporate(ACME, "another-pass-123").status == 401


def test_07_expired_link_is_410(server, smtp_sink):
    token, _ = _request_reset(server, smtp_sink, ACME)
    changed = server.execute("UPDATE password_reset_tokens SET expires_at = ? "
                             "WHERE token_digest = ?", (int(harness.now()) - 60, sha256_hex(token)))
    assert changed == 1
    c = server.client()
    r = c.get("/corporate/reset?token=" + token)
    assert r.status == 410
    assert EXPIRED in r.text
    csrf = c.csrf("/corporate/forgot")
    r = c.post("/corporate/reset", {"token": token, "password": NEW_PASSWORD,
                                    "password_confirm": NEW_PASSWORD, "csrf": csrf})
    assert r.status == 410
    assert server.client().sign_in_corporate(ACME, NEW_PASSWORD).status == 401


def test_08_garbage_token_is_404(client):
    reset_helpers.assert_garbage_tokens_refused(client, "corporate")


def test_09_reset_ends_open_sessions(server, smtp_sink):
    before = server.client()
    assert before.sign_in_corporate(ACME).status == 303
    assert before.get("/corporate/account").status == 200
    token, _ = _request_reset(server, smtp_sink, ACME)
    assert _post_reset(server.client(), token, NEW_PASSWORD).status == 200
    r = before.get("/corporate/account")
    assert r.status == 303
    assert r.location_path == "/corporate"
    cred_id = _credential(server, ACME)[0]
    assert server.count("sessions", "audience = 'corporate' AND principal_id = ?", (cred_id,)) == 0


def test_10_at_most_three_reset_emails_per_hour(server, smtp_sink):
    _allow_resets(server, ACME)
    _, contact, _, _ = _credential(server, ACME)
    reset_helpers.ask_five_times(server, smtp_sink, "corporate", {"user_id": ACME}, contact)


def test_11_italian_account_gets_the_email_in_italian(server, smtp_sink):
    _, contact, _, lang = _credential(server, GLOBEX)
    assert lang == "it"
    token, m = _request_reset(server, smtp_sink, GLOBEX)
    msg = m["msg"]
    assert contact.lower() in [r.lower() for r in m["rcpt_tos"]]
    subject = str(msg["Subject"])
    assert subject and subject != EN_SUBJECT
    body = body_text(msg)
    assert "password" in body.lower()
    assert GLOBEX in body
    assert server.base_url + "/corporate/reset?token=" + token in body
    # The reset page follows the visitor's language, not the account's.
    page = server.client(accept_language="it").get("/corporate/reset?token=" + token)
    assert page.status == 200
    assert 'lang="it"' in page.text
