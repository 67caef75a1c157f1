"""Staff sign-in and the staff home page."""
import html
import re

import pytest

from harness import DEMO_PASSWORD, input_value, new_session_cookie

STAFF = {
    "rep@vendor.example": "sales_rep",
    "cas@vendor.example": "account_services",
    "care@vendor.example": "customer_care",
    "admin@vendor.example": "admin",
}
# How each role may be named on the page (English).
ROLE_LABELS = {
    "sales_rep": ("sales representative",),
    "account_services": ("corporate account services",),
    "customer_care": ("customer care",),
    "admin": ("administrator",),
}


@pytest.fixture(autouse=True)
def fresh_attempts(server):
    server.execute("DELETE FROM sign_in_attempts")
    yield


def _main(page):
    """The page without its footer (which names Customer Care and Account Services for everyone)."""
    return re.split(r"<footer\b", page, flags=re.I)[0]


def test_01_demo_has_the_four_staff_users(server):
    rows = dict(server.query("SELECT email, role FROM staff_users"))
    assert rows == STAFF


@pytest.mark.parametrize("email_addr", sorted(STAFF))
def test_02_staff_sign_in_shows_email_and_role(server, email_addr):
    c = server.client()
    r = c.sign_in_staff(email_addr)
    assert r.status == 303, (r.status, r.text[:300])
    assert r.location_path == "/staff/home"
    assert new_session_cookie(r)
    home = c.get("/staff/home")
    assert home.status == 200
    name = server.scalar("SELECT name FROM staff_users WHERE email = ?", (email_addr,))
    text = html.unescape(_main(home.text))
    assert email_addr in text
    assert name in text
    role = STAFF[email_addr]
    rest = text.replace(email_addr, "")
    assert any(label in rest.lower() for label in ROLE_LABELS[role]), (role, rest[-1500:])


def test_03_wrong_password_is_401(server):
    c = server.client()
    r = c.sign_in_staff("cas@vendor.example", "not-the-password")
    assert r.status == 401
    assert "Invalid email/password" in r.text
    assert input_value(r.text, "email") == "cas@vendor.example"
    assert "not-the-password" not in r.text
    assert not new_session_cookie(r)
    assert c.get("/staff/home").status == 303
    r = server.client().sign_in_staff("ghost@vendor.example", "not-the-password")
    assert r.status == 401
    assert "Invalid email/password" in r.text


def test_04_corporate_session_cannot_open_staff_home(server):
    c = server.client()
    assert c.sign_in_corporate("acme-billing").status == 303
    r = c.get("/staff/home")
    assert r.status == 303
    assert r.location_path == "/staff"


def test_05_billing_session_cannot_open_staff_home(server):
    c = server.client()
    assert c.sign_in_billing("owner@initech.example").status == 303
    r = c.get("/staff/home")
    assert r.status == 303
    assert r.location_path == "/staff"


def test_06_staff_sign_out(server):
    c = server.client()
    assert c.sign_in_staff("care@vendor.example").status == 303
    token = c.cookie("cobro_session")
    r = c.sign_out("/staff/home")
    assert r.status == 303
    assert r.location_path == "/staff"
    assert not server.session_valid(token, "/staff/home")


def test_07_staff_sign_in_page_redirects_when_signed_in(server):
    c = server.client()
    assert c.sign_in_staff("rep@vendor.example", DEMO_PASSWORD).status == 303
    r = c.get("/staff")
    assert r.status == 303
    assert r.location_path == "/staff/home"
