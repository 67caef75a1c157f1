"""Billing Center: the billing administrator and a member of an online account."""
import html
import re
import time
import uuid

import pytest

from harness import DEMO_PASSWORD, body_text, csrf_of, input_value, new_session_cookie, to_pred

OWNER = "owner@initech.example"
MEMBER = "user@initech.example"
CONTACT_ADMIN = "Contact your billing administrator"
INVALID = "Invalid email/password"


@pytest.fixture(autouse=True)
def fresh_limits(server):
    """No earlier member message counts toward the 3-per-24-hours limit; no lockout."""
    server.execute("UPDATE email_outbox SET created_at = created_at - 2 * 86400 WHERE reply_to = ?",
                   (MEMBER,))
    server.execute("DELETE FROM sign_in_attempts")
    yield


def _user(server, email_addr):
    rows = server.query("SELECT u.name, u.role, a.name, a.id FROM account_users u JOIN accounts a "
                        "ON a.id = u.account_id WHERE u.email = ?", (email_addr,))
    assert rows, "no account user %s in the demo data" % email_addr
    return rows[0]


def _admin_of(server, account_id):
    return server.query("SELECT name, email FROM account_users WHERE account_id = ? AND "
                        "role = 'billing_admin'", (account_id,))[0]


def _signed_in(server, email_addr):
    c = server.client()
    r = c.sign_in_billing(email_addr)
    assert r.status == 303, (r.status, r.text[:300])
    assert r.location_path == "/billing/account"
    return c


def _contact_admin(c, message):
    page = c.get("/billing/account")
    assert page.status == 200
    return c.post("/billing/contact-admin", {"message": message, "csrf": csrf_of(page.text)})


def test_01_admin_sees_the_account_page(server):
    name, role, account, _ = _user(server, OWNER)
    assert role == "billing_admin"
    c = _signed_in(server, OWNER)
    r = c.get("/billing/account")
    assert r.status == 200
    text = html.unescape(r.text)
    assert account in text
    assert CONTACT_ADMIN not in text
    assert "/billing/contact-admin" not in r.text


def test_02_member_is_told_who_the_billing_administrator_is(server):
    _, role, account, account_id = _user(server, MEMBER)
    assert role == "member"
    admin_name, admin_email = _admin_of(server, account_id)
    assert admin_email == OWNER
    c = _signed_in(server, MEMBER)
    r = c.get("/billing/account")
    assert r.status == 200
    text = html.unescape(r.text)
    assert CONTACT_ADMIN in text
    assert admin_name in text and admin_email in text
    assert re.search(r'<form\b[^>]*action="/billing/contact-admin"', r.text)
    assert re.search(r'<form\b[^>]*method="post"', r.text, re.I)


def test_03_member_message_emails_the_administrator(server, smtp_sink):
    member_name, _, account, _ = _user(server, MEMBER)
    c = _signed_in(server, MEMBER)
    marker = "marker-" + uuid.uuid4().hex
    mark = smtp_sink.mark()
    r = _contact_admin(c, "Please add 5 seats. " + marker)
    assert r.status in (200, 303), (r.status, r.text[:300])
    m = smtp_sink.wait_for(lambda m: marker in body_text(m["msg"]), since=mark)
    msg = m["msg"]
    assert [x.lower() for x in m["rcpt_tos"]] == [OWNER]
    assert OWNER in str(msg["To"]).lower()
    assert MEMBER in str(msg["Reply-To"]).lower()
    assert str(msg["Subject"]) == "Message from %s about %s" % (member_name, account)
    assert "billing@vendor.example" in str(msg["From"])


def test_04_fourth_message_within_a_day_is_429(server, smtp_sink):
    c = _signed_in(server, MEMBER)
    run = uuid.uuid4().hex
    mark = smtp_sink.mark()
    for i in range(3):
        r = _contact_admin(c, "note %d %s" % (i, run))
        assert r.status in (200, 303), "message %d: %d" % (i + 1, r.status)
    before = server.count("email_outbox")
    r = _contact_admin(c, "note 3 %s" % run)
    assert r.status == 429
    assert server.count("email_outbox") == before
    assert server.count("email_outbox", "body_text LIKE ?", ("%note 3 " + run + "%",)) == 0
    smtp_sink.wait_for(lambda m: run in body_text(m["msg"]), since=mark, count=3)
    time.sleep(1.5)
    assert len(smtp_sink.since(mark, lambda m: run in body_text(m["msg"]))) == 3


def test_05_admin_posting_contact_admin_is_404(server):
    c = _signed_in(server, OWNER)
    before = server.count("email_outbox")
    r = _contact_admin(c, "to myself")
    assert r.status == 404
    assert server.count("email_outbox") == before


def test_06_wrong_password_is_401(server):
    c = server.client()
    r = c.sign_in_billing(OWNER, "wrong-password-1")
    assert r.status == 401
    assert INVALID in r.text
    assert input_value(r.text, "email") == OWNER
    assert input_value(r.text, "password") in ("", None)
    assert "wrong-password-1" not in r.text
    assert not new_session_cookie(r)
    assert c.get("/billing/account").status == 303
    r = server.client().sign_in_billing("nobody@initech.example", "wrong-password-1")
    assert r.status == 401
    assert INVALID in r.text


def test_07_email_is_case_insensitive_and_sign_in_page_redirects(server):
    c = server.client()
    r = c.sign_in_billing("Owner@Initech.Example")
    assert r.status == 303
    r = c.get("/billing")
    assert r.status == 303
    assert r.location_path == "/billing/account"


def test_08_signed_out_visitor_goes_to_sign_in(client):
    r = client.get("/billing/account")
    assert r.status == 303
    assert r.location_path == "/billing"
    page = client.get("/billing")
    assert page.status == 200
    assert csrf_of(page.text)
    assert DEMO_PASSWORD not in page.text


def test_09_contact_admin_needs_csrf_and_a_session(server):
    c = _signed_in(server, MEMBER)
    before = server.count("email_outbox")
    r = c.post("/billing/contact-admin", {"message": "no token"})
    assert r.status == 403
    anon = server.client()
    token = anon.csrf("/billing")
    r = anon.post("/billing/contact-admin", {"message": "anonymous", "csrf": token})
    assert r.status in (303, 401, 403)
    assert server.count("email_outbox") == before
