"""Sign-in lockout under concurrency: however many requests for one login arrive at once, at most
five of its passwords are checked in 15 minutes, and the right password sent after them is refused
without being checked."""
import threading
import time

import harness

import pytest

from harness import DEMO_PASSWORD, new_session_cookie

# Enough workers that many password checks would run side by side if the lockout let them.
SERVER_ARGS = ["--workers", "16"]
BURST = 24
MAX_CHECKS = 5

# audience, sign-in page, form action, login field, login
LOGINS = [
    ("corporate", "/corporate", "/corporate/sign-in", "user_id", "ap@globex.example"),
    ("billing", "/billing", "/billing/sign-in", "email", "owner@initech.example"),
    ("staff", "/staff", "/staff/sign-in", "email", "care@vendor.example"),
]


@pytest.fixture(autouse=True)
def fresh_attempts(server):
    server.execute("DELETE FROM sign_in_attempts")
    yield
    server.execute("DELETE FROM sign_in_attempts")


def _burst(server, login, passwords):
    """Posts one sign-in per password for login, all released at the same instant (each client
    fetched its CSRF token before); returns [(status, got a session cookie)] in order."""
    _, page, action, field, user = login
    clients = [server.client() for _ in passwords]
    tokens = [c.csrf(page) for c in clients]
    start = threading.Barrier(len(passwords))
    results = [None] * len(passwords)

    def post(i):
        start.wait(timeout=30)
        r = clients[i].post(action, {field: user, "password": passwords[i], "csrf": tokens[i]},
                            timeout=120)
        results[i] = (r.status, bool(new_session_cookie(r)))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(passwords))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert all(r is not None for r in results), results
    return results


def _checks(server, login):
    """Password checks made for login: every attempt on record is one."""
    return server.count("sign_in_attempts", "audience = ? AND login = ?", (login[0], login[4]))


def _failure_runs(server, login):
    """The numbers of failed checks between successes, in the order the checks were taken."""
    runs = [0]
    for (succeeded,) in server.query("SELECT succeeded FROM sign_in_attempts WHERE audience = ?"
                                     " AND login = ? ORDER BY id", (login[0], login[4])):
        if succeeded:
            runs.append(0)
        else:
            runs[-1] += 1
    return runs


def _sign_in(server, login, password):
    _, page, action, field, user = login
    return server.client().submit(page, action, {field: user, "password": password})


@pytest.mark.parametrize("login", LOGINS, ids=[x[0] for x in LOGINS])
def test_01_concurrent_wrong_passwords_check_at_most_five(server, login):
    results = _burst(server, login, ["wrong-password-%d" % i for i in range(BURST)])
    statuses = [s for s, _ in results]
    assert set(statuses) <= {401, 429}, statuses
    assert not any(cookie for _, cookie in results)
    assert statuses.count(401) <= MAX_CHECKS, statuses
    assert 1 <= _checks(server, login) <= MAX_CHECKS, statuses
    assert server.count("sign_in_attempts", "pending = 1") == 0  # every check was resolved

    r = _sign_in(server, login, DEMO_PASSWORD)
    assert r.status == 429, r
    assert not new_session_cookie(r)
    assert _checks(server, login) <= MAX_CHECKS


def test_02_right_password_amid_the_burst(server):
    # The reported case: wrong passwords at once and the right one among them. The right one is
    # checked only when it comes among the first five; its success then starts the count again
    # (as one at any other time does), so never more than five failed checks follow each other.
    login = LOGINS[0]
    passwords = ["wrong-password-%d" % i for i in range(BURST)]
    passwords.insert(BURST // 2, DEMO_PASSWORD)
    results = _burst(server, login, passwords)
    statuses = [s for s, _ in results]
    assert set(statuses) <= {303, 401, 429}, statuses
    assert statuses.count(303) <= 1, statuses
    runs = _failure_runs(server, login)
    assert len(runs) == 1 + statuses.count(303), (runs, statuses)
    assert max(runs) <= MAX_CHECKS, (runs, statuses)
    if 303 not in statuses:
        assert _checks(server, login) <= MAX_CHECKS, statuses


def test_03_a_success_opens_five_checks_not_more(server):
    # Right after a success (in the same second, too) a burst gets five checks, not one more.
    login = LOGINS[1]
    assert _sign_in(server, login, DEMO_PASSWORD).status == 303
    statuses = [s for s, _ in _burst(server, login, ["wrong-%d" % i for i in range(BURST)])]
    assert set(statuses) <= {401, 429}, statuses
    assert _failure_runs(server, login) == [0, MAX_CHECKS], statuses
    assert _sign_in(server, login, DEMO_PASSWORD).status == 429


def _pending(server, login, count):
    now = int(harness.now())
    for _ in range(count):
        server.execute("INSERT INTO sign_in_attempts (audience, login, ip, at, succeeded, pending)"
                       " VALUES (?, ?, '127.0.0.1', ?, 0, 1)", (login[0], login[4], now - 5))


def test_04_unresolved_attempts_count_as_failures(server):
    # An attempt whose check never ended (the server died during it) is taken as a failure.
    login = LOGINS[0]
    _pending(server, login, 5)
    r = server.client().sign_in_corporate(login[4])
    assert r.status == 429, r
    assert _checks(server, login) == 5


def test_05_below_the_limit_the_attempt_is_resolved(server):
    login = LOGINS[0]
    _pending(server, login, 4)
    r = server.client().sign_in_corporate(login[4])
    assert r.status == 303, r
    rows = server.query("SELECT succeeded, pending FROM sign_in_attempts WHERE login = ?"
                        " ORDER BY id", (login[4],))
    assert rows == [(0, 1)] * 4 + [(1, 0)]


def test_06_attempts_older_than_a_day_are_purged(server):
    """Anyone may type any login, so attempt rows must not pile up: the server removes those of
    more than a day (here at its start; it also does so every ten minutes)."""
    now = int(harness.now())
    for login, at in (("old@nowhere.example", now - 2 * 86400), ("new@nowhere.example", now)):
        server.execute("INSERT INTO sign_in_attempts (audience, login, ip, at, succeeded, pending)"
                       " VALUES ('staff', ?, '192.0.2.1', ?, 0, 0)", (login, at))
        server.execute("INSERT INTO sign_in_logins (audience, login, last_attempt_at)"
                       " VALUES ('staff', ?, ?)", (login, at))
    assert server.stop() == []
    server.start()
    assert [r[0] for r in server.query("SELECT login FROM sign_in_attempts")] == [
        "new@nowhere.example"]
    assert [r[0] for r in server.query("SELECT login FROM sign_in_logins"
                                       " WHERE login LIKE '%@nowhere.example'")] == [
        "new@nowhere.example"]
    assert "removed 1 sign-in attempts older than a day" in server.stderr()
