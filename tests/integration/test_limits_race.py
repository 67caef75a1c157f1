"""Count limits under concurrency, on whichever store the suite runs (SQLite's one writer, or
PostgreSQL's serializable writers from many threads): however many requests arrive at once, at
most RECIPIENTS_MAX invoice recipients, at most three password-reset emails an hour for one
login, and at most three emails to the billing administrator a day from one member."""
import threading

import pytest

from harness import csrf_of

SERVER_ARGS = ["--workers", "8"]
ACME = "acme-billing"
MEMBER = "user@initech.example"
RECIPIENTS_MAX = 20
AT_ONCE = 32


def _at_once(n, action):
    """Runs action(i) in n threads released together; returns the results (or exceptions)."""
    results = [None] * n
    gate = threading.Barrier(n)

    def run(i):
        try:
            gate.wait()
            results[i] = action(i)
        except Exception as e:  # reported by the test
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    errors = [r for r in results if isinstance(r, Exception)]
    assert not errors, errors[:3]
    return results


def test_01_recipients_added_at_once_stop_at_the_limit(server):
    aid = server.scalar("SELECT account_id FROM portal_credentials WHERE user_id = ?", (ACME,))
    server.execute("DELETE FROM invoice_recipients WHERE account_id = ?", (aid,))
    clients = []
    for _ in range(4):
        c = server.client()
        assert c.sign_in_corporate(ACME).status in (303,)
        clients.append((c, c.csrf("/corporate/recipients")))

    def add(i):
        c, token = clients[i % len(clients)]
        return c.post("/corporate/recipients", {"name": "Race %d" % i,
                                                "email": "race%d@acme.example" % i,
                                                "csrf": token}).status

    statuses = _at_once(AT_ONCE, add)
    assert 503 not in statuses and 500 not in statuses, statuses
    assert server.count("invoice_recipients", "account_id = ?", (aid,)) == RECIPIENTS_MAX
    assert statuses.count(303) == RECIPIENTS_MAX, statuses


@pytest.mark.parametrize("portal,field,login", [
    ("corporate", "user_id", "ap@globex.example"),
    ("billing", "email", MEMBER),
])
def test_02_reset_emails_requested_at_once_stop_at_three(server, portal, field, login):
    forgot = "/%s/forgot" % portal
    before = server.count("email_outbox", "kind = 'password_reset' AND lower(to_addr) = ?",
                          (login,))
    tokens = []
    for _ in range(4):
        c = server.client()
        tokens.append((c, c.csrf(forgot)))

    def ask(i):
        c, token = tokens[i % len(tokens)]
        return c.post(forgot, {field: login, "csrf": token}).status

    statuses = _at_once(AT_ONCE, ask)
    assert 503 not in statuses and 500 not in statuses, statuses
    sent = server.count("email_outbox", "kind = 'password_reset' AND lower(to_addr) = ?",
                        (login,)) - before
    assert sent == 3, (sent, statuses)


def test_03_messages_to_the_billing_administrator_stop_at_three(server):
    before = server.count("email_outbox", "kind = 'billing_admin_contact'")
    c = server.client()
    assert c.sign_in_billing(MEMBER).status == 303
    token = csrf_of(c.get("/billing/account").text)

    def send(i):
        return c.post("/billing/contact-admin", {"message": "Race %d" % i, "csrf": token}).status

    statuses = _at_once(AT_ONCE, send)
    assert 503 not in statuses and 500 not in statuses, statuses
    assert server.count("email_outbox", "kind = 'billing_admin_contact'") - before == 3, statuses
    assert statuses.count(303) == 3 and statuses.count(429) == AT_ONCE - 3, statuses
