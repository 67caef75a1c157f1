"""Card payments of invoices in the Corporate Billing Portal (issue 12) through the sandbox
gateway: the Pay page and its refusals (what was typed kept, nothing written), paying in full and
in part on the sandbox's hosted page, the decline cards, the extra authentication step, leaving
the page, the reservation that keeps payers from taking an invoice beyond its total (also with
100 payers at once), the signed event path (forged, stale and replayed events), the receipt email,
another account's invoice (404) and `cobro verify` after each."""
import hashlib
import hmac
import html
import json
import os
import re
import threading
import time

import pytest

from harness import REPO, body_text, csrf_of, input_value, run_cobro, to_pred

os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(REPO, "tests", "lsan.supp"))

ACME, GLOBEX = "Acme Corporation", "Globex Italia S.p.A."
ACME_LOGIN, GLOBEX_LOGIN = "acme-billing", "ap@globex.example"
ACME_CONTACT = "jordan.smith@acme.example"


def text_of(page):
    m = re.search(r"<main\b.*?</main>", page, re.S)
    t = re.sub(r"<[^>]+>", " ", m.group(0) if m else page)
    return re.sub(r"\s+", " ", html.unescape(t)).replace("\u00a0", " ").replace("\u202f", " ")


def signed_in(server, login, lang=None):
    c = server.client(accept_language=lang)
    r = c.sign_in_corporate(login)
    assert r.status == 303, r.text[:300]
    return c


def account_id(server, name):
    return server.scalar("SELECT id FROM accounts WHERE name = ?", (name,))


def open_invoice(server, name):
    """An invoice of the account with a balance and no payment in progress, and that balance
    (the oldest first: the demo gives Acme two)."""
    rows = server.query(
        "SELECT number, total - amount_paid FROM invoices i WHERE account_id = ?"
        " AND amount_paid < total AND NOT EXISTS (SELECT 1 FROM payments p"
        " WHERE p.invoice_id = i.id AND p.state IN ('pending', 'processing', 'unknown'))"
        " ORDER BY id", (account_id(server, name),))
    assert rows, "the demo needs an invoice of %s with a balance" % name
    return rows[0]


def invoice(server, number):
    row = server.query("SELECT id, total, amount_paid, status FROM invoices WHERE number = ?",
                       (number,))[0]
    return dict(zip(("id", "total", "amount_paid", "status"), row))


def payment(server, pid):
    row = server.query("SELECT state, amount, decline_code, card_brand, card_last4, session_ref"
                       " FROM payments WHERE id = ?", (pid,))[0]
    return dict(zip(("state", "amount", "decline_code", "brand", "last4", "session_ref"), row))


def wait_state(server, pid, states, timeout=15.0):
    """The payment once its event has come back (the sandbox posts it a moment later)."""
    end = time.time() + timeout
    while time.time() < end:
        p = payment(server, pid)
        if p["state"] in states:
            return p
        time.sleep(0.1)
    raise AssertionError("payment %s stayed %s" % (pid, payment(server, pid)["state"]))


def start_payment(client, number, amount):
    """POSTs the Pay form; returns the answer."""
    page = client.get("/corporate/invoices/%s/pay" % number)
    assert page.status == 200, page.text[:300]
    return client.post("/corporate/invoices/%s/pay" % number,
                       {"csrf": csrf_of(page.text), "amount": amount})


def hosted_page(client, answer):
    assert answer.status == 303, answer.text[:400]
    path = answer.location_path
    assert path.startswith("/sandbox/checkout/cs_test_"), path
    return path


def pay_on_page(client, path, card, expiry="12 / 34", cvc="123", name="Jordan Smith"):
    page = client.get(path)
    assert page.status == 200
    return client.post(path, {"csrf": csrf_of(page.text), "number": card, "expiry": expiry,
                              "cvc": cvc, "name": name})


def payment_id_of(answer):
    m = re.search(r"[?&]payment=(\d+)", answer.location)
    assert m, answer.location
    return int(m.group(1))


def verify_clean(server):
    out = run_cobro(["verify", "--db", server.db_path], cwd=server.dir)
    assert out.returncode == 0, out.stdout + out.stderr


def sandbox_secret(server):
    secret = server.scalar("SELECT value FROM vendor_settings WHERE key = 'server_secret'")
    return hmac.new(secret.encode(), b"cobro sandbox events", hashlib.sha256).hexdigest()


def signed_post(client, body, secret, t):
    sig = hmac.new(secret.encode(), ("%d." % t).encode() + body, hashlib.sha256).hexdigest()
    return client.request("POST", "/payments/events", data=body,
                          headers={"Stripe-Signature": "t=%d,v1=%s" % (t, sig),
                                   "Content-Type": "application/json"})


def test_01_pay_page_offers_the_balance(server):
    number, total = open_invoice(server, ACME)
    c = signed_in(server, ACME_LOGIN)
    page = c.get("/corporate/invoices/%s/pay" % number)
    assert page.status == 200
    assert re.search(r"<label for=\"amount\">Amount to pay \(USD\)</label>", page.text)
    assert input_value(page.text, "amount") == "%d.%02d" % (total // 100, total % 100)
    assert "Continue to secure payment" in page.text
    # Another account's invoice, and one that does not exist, answer alike.
    g = signed_in(server, GLOBEX_LOGIN)
    assert g.get("/corporate/invoices/%s/pay" % number).status == 404
    assert c.get("/corporate/invoices/NOPE-1/pay").status == 404


def test_02_refused_amounts_keep_what_was_typed_and_write_nothing(server):
    number, total = open_invoice(server, ACME)
    c = signed_in(server, ACME_LOGIN)
    before = server.scalar("SELECT COUNT(*) FROM payments")
    for typed, message in [("lots", "Enter the amount as a number"),
                           ("0.10", "The smallest card payment is $0.50."),
                           ("%d.00" % (total // 100 + 1), "The most you can pay now is")]:
        r = start_payment(c, number, typed)
        assert r.status == 400, (typed, r.status, text_of(r.text)[:600])
        assert message in text_of(r.text), (typed, text_of(r.text)[:400])
        assert input_value(r.text, "amount") == typed
        assert 'aria-invalid="true"' in r.text
    assert server.scalar("SELECT COUNT(*) FROM payments") == before
    # Without the form's token nothing happens either.
    r = c.post("/corporate/invoices/%s/pay" % number, {"amount": "10.00"})
    assert r.status == 403
    assert server.scalar("SELECT COUNT(*) FROM payments") == before


def test_03_paying_part_then_the_rest(server, smtp_sink):
    number, total = open_invoice(server, ACME)  # total: its balance (the demo paid part of it)
    before = invoice(server, number)["amount_paid"]
    c = signed_in(server, ACME_LOGIN)
    mark = smtp_sink.mark()
    path = hosted_page(c, start_payment(c, number, "100.00"))
    page = c.get(path)
    assert "Test mode: no real money" in page.text
    assert "$100.00" in text_of(page.text)
    pid = int(server.scalar("SELECT id FROM payments WHERE session_ref = ?",
                            (path.rsplit("/", 1)[1],)))
    assert payment(server, pid)["state"] == "pending"
    back = pay_on_page(c, path, "4242 4242 4242 4242")
    assert back.status == 303 and back.location_path == "/corporate/invoices/%s" % number
    assert payment_id_of(back) == pid
    p = wait_state(server, pid, {"succeeded"})
    assert (p["brand"], p["last4"]) == ("visa", "4242")
    inv = invoice(server, number)
    assert inv["amount_paid"] == before + 10000 and inv["status"] == "partially_paid"
    assert server.scalar("SELECT SUM(amount) FROM payment_allocations WHERE invoice_id = ?",
                         (inv["id"],)) == before + 10000
    shown = c.get("/corporate/invoices/%s?payment=%d" % (number, pid))
    assert "Payment received" in text_of(shown.text)
    msg = smtp_sink.wait_for(lambda m: to_pred(ACME_CONTACT)(m)
                             and "Payment received" in str(m["msg"]["Subject"]), since=mark)
    body = body_text(msg["msg"])
    assert "$100.00" in body and number in body and "4242" in body
    # The rest: the form now offers the new balance, and paying it settles the invoice.
    page = c.get("/corporate/invoices/%s/pay" % number)
    rest = total - 10000
    assert input_value(page.text, "amount") == "%d.%02d" % (rest // 100, rest % 100)
    path = hosted_page(c, c.post("/corporate/invoices/%s/pay" % number,
                                 {"csrf": csrf_of(page.text), "amount": input_value(page.text, "amount")}))
    back = pay_on_page(c, path, "5555555555554444")
    wait_state(server, payment_id_of(back), {"succeeded"})
    inv = invoice(server, number)
    assert inv["amount_paid"] == inv["total"] and inv["status"] == "paid"
    page = c.get("/corporate/invoices/%s/pay" % number)
    assert "This invoice is paid in full." in text_of(page.text)
    verify_clean(server)


@pytest.mark.parametrize("card,code,words", [
    ("4000 0000 0000 0002", "generic_decline", "the card was declined"),
    ("4000000000009995", "insufficient_funds", "the card has insufficient funds"),
])
def test_04_declined_cards_release_the_reservation(server, card, code, words):
    number, total = open_invoice(server, ACME)
    paid = invoice(server, number)["amount_paid"]
    c = signed_in(server, ACME_LOGIN)
    path = hosted_page(c, start_payment(c, number, "%d.%02d" % (total // 100, total % 100)))
    # The whole balance is held: nobody can start another payment meanwhile.
    r = start_payment(c, number, "1.00")
    assert r.status == 400 and "Payments already in progress cover the balance" in text_of(r.text)
    back = pay_on_page(c, path, card)
    pid = payment_id_of(back)
    p = wait_state(server, pid, {"failed"})
    assert p["decline_code"] == code
    shown = c.get(back.location_path + "?payment=%d" % pid)
    assert words in text_of(shown.text) and "Nothing was charged" in text_of(shown.text)
    assert invoice(server, number)["amount_paid"] == paid
    page = c.get("/corporate/invoices/%s/pay" % number)
    assert input_value(page.text, "amount") == "%d.%02d" % (total // 100, total % 100)
    verify_clean(server)


def test_05_extra_authentication_step(server):
    number, _ = open_invoice(server, ACME)
    paid = invoice(server, number)["amount_paid"]
    c = signed_in(server, ACME_LOGIN)
    for outcome, state in [("approve", "succeeded"), ("fail", "failed")]:
        path = hosted_page(c, start_payment(c, number, "20.00"))
        r = pay_on_page(c, path, "4000 0025 0000 3155")
        assert r.status == 303 and r.location_path == path + "/authenticate"
        page = c.get(r.location_path)
        assert "Confirm this payment with your bank" in text_of(page.text)
        back = c.post(r.location_path, {"csrf": csrf_of(page.text), "outcome": outcome})
        assert back.status == 303
        p = wait_state(server, payment_id_of(back), {state})
        if state == "failed":
            assert p["decline_code"] == "authentication_failed"
    assert invoice(server, number)["amount_paid"] == paid + 2000
    verify_clean(server)


def test_06_leaving_the_page_and_a_second_submission(server):
    number, _ = open_invoice(server, ACME)
    c = signed_in(server, ACME_LOGIN)
    path = hosted_page(c, start_payment(c, number, "30.00"))
    pid = int(server.scalar("SELECT id FROM payments WHERE session_ref = ?",
                            (path.rsplit("/", 1)[1],)))
    page = c.get(path)
    r = c.post(path + "/cancel", {"csrf": csrf_of(page.text)})
    assert r.status == 303 and "/pay?left=%d" % pid in r.location
    assert "You left the payment page" in text_of(c.get(r.location_path + "?left=%d" % pid).text)
    wait_state(server, pid, {"expired"})
    # The closed page takes no card, even from a form kept open in another tab.
    r = c.post(path, {"csrf": csrf_of(page.text), "number": "4242424242424242",
                      "expiry": "12 / 34", "cvc": "123", "name": ""})
    assert r.status == 409 and "This payment page is closed" in text_of(r.text)
    assert payment(server, pid)["state"] == "expired"
    # Bad card input is refused on the page, what was typed kept.
    path = hosted_page(c, start_payment(c, number, "30.00"))
    r = pay_on_page(c, path, "1234 5678 9012 3456", expiry="13 / 20", cvc="x")
    assert r.status == 400
    assert "use a test card" in text_of(r.text)
    r = pay_on_page(c, path, "4242", expiry="13 / 20", cvc="x")
    assert r.status == 400 and input_value(r.text, "expiry") == "13 / 20"
    assert 'id="cvc-error"' in r.text
    # Leaving releases the amount: the invoice takes payments again.
    assert c.post(path + "/cancel", {"csrf": csrf_of(r.text)}).status == 303
    wait_state(server, int(server.scalar("SELECT id FROM payments WHERE session_ref = ?",
                                         (path.rsplit("/", 1)[1],))), {"expired"})
    verify_clean(server)


def test_07_events_forged_stale_and_replayed(server):
    number, _ = open_invoice(server, ACME)
    c = signed_in(server, ACME_LOGIN)
    back = pay_on_page(c, hosted_page(c, start_payment(c, number, "40.00")), "4242424242424242")
    pid = payment_id_of(back)
    wait_state(server, pid, {"succeeded"})
    paid = invoice(server, number)["amount_paid"]
    body = server.scalar("SELECT body FROM sandbox_events WHERE body LIKE ? ORDER BY id DESC",
                         ('%"cobro_payment":"' + str(pid) + '"%',)).encode()
    assert b"payment_intent.succeeded" in body
    secret = sandbox_secret(server)
    now = int(server.scalar("SELECT MAX(received_at) FROM gateway_events"))
    anon = server.client()
    # The same event again (a gateway retrying): seen, nothing paid twice.
    assert signed_post(anon, body, secret, now).status == 200
    # Forged: another secret, an old timestamp, no signature, a changed body.
    assert signed_post(anon, body, "not-the-secret", now).status == 400
    assert signed_post(anon, body, secret, now - 3600).status == 400
    assert anon.request("POST", "/payments/events", data=body).status == 400
    forged = body.replace(b'"amount":4000', b'"amount":1')
    r = anon.request("POST", "/payments/events", data=forged, headers={
        "Stripe-Signature": "t=%d,v1=%s" % (now, hmac.new(secret.encode(), ("%d." % now).encode()
                                                           + body, hashlib.sha256).hexdigest())})
    assert r.status == 400
    # A new event id for a payment already settled changes nothing either.
    ev = json.loads(body)
    ev["id"] = "evt_test_again"
    assert signed_post(anon, json.dumps(ev).encode(), secret, now).status == 200
    assert invoice(server, number)["amount_paid"] == paid
    assert server.scalar("SELECT COUNT(*) FROM payment_allocations WHERE payment_id = ?",
                         (pid,)) == 1
    verify_clean(server)


def test_08_a_hundred_payers_at_once_never_exceed_the_total(server):
    number, total = open_invoice(server, ACME)  # total: the balance left
    inv_id = invoice(server, number)["id"]
    paid = invoice(server, number)["amount_paid"]
    share = max(50, total // 40)  # some forty payers fit, the rest are refused
    amount = "%d.%02d" % (share // 100, share % 100)
    clients = [signed_in(server, ACME_LOGIN) for _ in range(10)]
    pages = [c.get("/corporate/invoices/%s/pay" % number) for c in clients]
    answers = []
    lock = threading.Lock()

    def payer(i):
        c = clients[i % len(clients)]
        r = c.post("/corporate/invoices/%s/pay" % number,
                   {"csrf": csrf_of(pages[i % len(clients)].text), "amount": amount})
        with lock:
            answers.append((c, r))

    threads = [threading.Thread(target=payer, args=(i,)) for i in range(100)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    started = [(c, r) for c, r in answers if r.status == 303]
    refused = [r for _, r in answers if r.status == 400]
    assert len(started) + len(refused) == 100, [r.status for _, r in answers]
    assert len(started) == total // share
    reserved = server.scalar("SELECT SUM(amount) FROM payments WHERE invoice_id = ?"
                             " AND state = 'pending'", (inv_id,))
    assert reserved <= total
    for c, r in started:
        pay_on_page(c, r.location_path, "4242424242424242")
    end = time.time() + 60
    while time.time() < end and server.scalar(
            "SELECT COUNT(*) FROM payments WHERE invoice_id = ? AND state = 'pending'", (inv_id,)):
        time.sleep(0.2)
    inv = invoice(server, number)
    assert inv["amount_paid"] == paid + len(started) * share <= inv["total"]
    verify_clean(server)


def test_09_money_beyond_the_balance_is_credit_for_the_next_invoice(server):
    """A payment whose page was left, paid anyway later (its event comes after another payment
    settled the invoice), becomes credit; credit then pays the account's next invoice."""
    import harness
    gid = account_id(server, GLOBEX)
    rows = server.query("SELECT number, total - amount_paid FROM invoices WHERE account_id = ?"
                        " AND amount_paid < total ORDER BY issue_date, id", (gid,))
    assert len(rows) >= 2, rows
    (first, owed), (second, owed_next) = rows[0], rows[1]
    whole = "%d.%02d" % (owed // 100, owed % 100)
    c = signed_in(server, GLOBEX_LOGIN)
    left = hosted_page(c, start_payment(c, first, whole))
    late = int(server.scalar("SELECT id FROM payments WHERE session_ref = ?",
                             (left.rsplit("/", 1)[1],)))
    page = c.get(left)
    assert c.post(left + "/cancel", {"csrf": csrf_of(page.text)}).status == 303
    wait_state(server, late, {"expired"})
    back = pay_on_page(c, hosted_page(c, start_payment(c, first, whole)), "4242424242424242")
    wait_state(server, payment_id_of(back), {"succeeded"})
    assert invoice(server, first)["status"] == "paid"
    # The gateway reports the left page's payment as paid after all.
    now = int(harness.now())
    event = {"id": "evt_test_late", "object": "event", "type": "payment_intent.succeeded",
             "created": now, "data": {"object": {
                 "id": "pi_test_late", "object": "payment_intent", "amount": owed,
                 "amount_received": owed, "currency": "eur", "status": "succeeded",
                 "metadata": {"cobro_payment": str(late)}}}}
    r = signed_post(server.client(), json.dumps(event).encode(), sandbox_secret(server), now)
    assert r.status == 200, r.text
    assert payment(server, late)["state"] == "succeeded"
    assert invoice(server, first)["amount_paid"] == invoice(server, first)["total"]
    credit = server.scalar("SELECT SUM(amount) FROM payment_allocations WHERE account_id = ?"
                           " AND invoice_id IS NULL", (gid,))
    assert credit == owed
    # Credit pays the next invoice (each server does it every minute; the command at once).
    out = run_cobro(["payments", "reconcile", "--db", server.db_path], cwd=server.dir)
    assert out.returncode == 0, out.stderr
    used = min(owed, owed_next)
    nxt = server.query("SELECT total, amount_paid FROM invoices WHERE number = ?", (second,))[0]
    assert nxt[1] == nxt[0] - owed_next + used
    assert server.scalar("SELECT SUM(amount) FROM payment_allocations WHERE account_id = ?"
                         " AND invoice_id IS NULL", (gid,)) == owed - used
    assert server.scalar("SELECT COUNT(*) FROM audit_log WHERE account_id = ?"
                         " AND action = 'credit_applied'", (gid,)) == 1
    verify_clean(server)
