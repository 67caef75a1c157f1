"""Sign-in throttling per client address: one address failing with many logins is refused."""
import time

import harness

import pytest


@pytest.fixture(autouse=True)
def fresh_attempts(server):
    server.execute("DELETE FROM sign_in_attempts")
    yield
    server.execute("DELETE FROM sign_in_attempts")


def _fill_failures(server, count, ip="127.0.0.1"):
    now = int(harness.now())
    for i in range(count):
        server.execute(
            "INSERT INTO sign_in_attempts (audience, login, ip, at, succeeded) VALUES (?, ?, ?, ?, 0)",
            ("corporate", "stuffed-%d" % i, ip, now - 60))


def test_01_below_the_address_limit_sign_in_works(server):
    _fill_failures(server, 98)
    c = server.client()
    r = c.sign_in_corporate("acme-billing")
    assert r.status == 303, r


def test_02_at_the_address_limit_every_login_is_refused_without_a_password_check(server):
    _fill_failures(server, 99)
    c = server.client()
    r = c.sign_in_corporate("unknown-user", "wrong-password")  # the 100th failure
    assert r.status == 401, r
    r = c.sign_in_billing("owner@initech.example")  # right password, another audience
    assert r.status == 429, r
    assert "Too many failed sign-in attempts" in r.text
    assert c.cookie("cobro_session") is None


def test_03_failures_older_than_15_minutes_do_not_count(server):
    now = int(harness.now())
    for i in range(120):
        server.execute(
            "INSERT INTO sign_in_attempts (audience, login, ip, at, succeeded) VALUES (?, ?, ?, ?, 0)",
            ("corporate", "old-%d" % i, "127.0.0.1", now - 16 * 60))
    r = server.client().sign_in_staff("care@vendor.example")
    assert r.status == 303, r


def test_04_other_addresses_do_not_count(server):
    _fill_failures(server, 150, ip="192.0.2.7")
    r = server.client().sign_in_corporate("acme-billing")
    assert r.status == 303, r


def _sign_in_from(server, forwarded_for, user_id, password):
    c = server.client()
    token = c.csrf("/corporate")
    return c.post("/corporate/sign-in", {"user_id": user_id, "password": password, "csrf": token},
                  headers={"X-Forwarded-For": forwarded_for})


def test_05_without_trusted_proxy_x_forwarded_for_is_ignored(server):
    # Without --trusted-proxy the header is anybody's to write: failures "from" different
    # forwarded addresses still add up on the socket's address.
    _fill_failures(server, 98)
    r = _sign_in_from(server, "198.51.100.1", "unknown-user", "wrong-password")
    assert r.status == 401, r
    r = _sign_in_from(server, "198.51.100.2", "unknown-user", "wrong-password")  # the 100th
    assert r.status == 401, r
    r = _sign_in_from(server, "198.51.100.3", "acme-billing", "demo-password")
    assert r.status == 429, r
    assert server.count("sign_in_attempts", "ip LIKE '198.51.100.%'") == 0
