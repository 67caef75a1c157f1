"""Money handled by staff (issue 12, "Offline payments and refunds"): Corporate Account Services
record a wire applied to two invoices with the rest kept as credit; refused input (a future date,
more applied than received, over a balance, an unknown or another account's invoice, another
currency, no reference, no CSRF token, the wrong role) writes nothing; reversing a check reopens
the balances and takes its credit back (refused when that credit was used); admins refund part of
a card payment through the sandbox (the invoice reopens, the contact gets an email), never more
than is left; a refund the gateway settles later by its event; the list of payments whose outcome
is unknown; customer care and sales reps get 404 everywhere. `cobro verify` after each."""
import hashlib
import hmac
import html
import json
import os
import re
import time

from harness import REPO, body_text, csrf_of, input_value, run_cobro, to_pred

os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(REPO, "tests", "lsan.supp"))

ACME, GLOBEX = "Acme Corporation", "Globex Italia S.p.A."
ACME_LOGIN = "acme-billing"
ACME_CONTACT = "jordan.smith@acme.example"
CAS, ADMIN = "cas@vendor.example", "admin@vendor.example"
CARE, REP = "care@vendor.example", "rep@vendor.example"


def text_of(page):
    m = re.search(r"<main\b.*?</main>", page, re.S)
    t = re.sub(r"<[^>]+>", " ", m.group(0) if m else page)
    return re.sub(r"\s+", " ", html.unescape(t)).replace("\u00a0", " ").replace("\u202f", " ")


def staff(server, email):
    c = server.client()
    r = c.sign_in_staff(email)
    assert r.status == 303, r
    return c


def account_id(server, name):
    return server.scalar("SELECT id FROM accounts WHERE name = ?", (name,))


def open_invoices(server, name):
    """The account's invoices with a balance and no payment in progress: (id, number, balance)."""
    return server.query(
        "SELECT id, number, total - amount_paid FROM invoices i WHERE account_id = ?"
        " AND status IN ('open', 'partially_paid') AND amount_paid < total AND NOT EXISTS"
        " (SELECT 1 FROM payments p WHERE p.invoice_id = i.id AND p.state IN"
        " ('pending', 'processing', 'unknown')) ORDER BY id", (account_id(server, name),))


def invoice(server, iid):
    row = server.query("SELECT amount_paid, status, total, number FROM invoices WHERE id = ?",
                       (iid,))[0]
    return dict(zip(("amount_paid", "status", "total", "number"), row))


def credit(server, name):
    return server.scalar("SELECT COALESCE(SUM(amount), 0) FROM payment_allocations"
                         " WHERE account_id = ? AND invoice_id IS NULL", (account_id(server, name),))


def counts(server):
    """What an action writes (sign-ins write audit entries of their own: not counted)."""
    return tuple(server.count(t) for t in ("payments", "payment_allocations", "refunds",
                                           "email_outbox")) + (
        server.count("audit_log", "action LIKE 'payment%' OR action LIKE 'refund%'"),)


def verify_clean(server):
    out = run_cobro(["verify", "--db", server.db_path], cwd=server.dir)
    assert out.returncode == 0, out.stdout + out.stderr


def new_form(c, aid):
    page = c.get("/staff/accounts/%d/payments/new" % aid)
    assert page.status == 200, page.text[:300]
    return page


def record(c, aid, fields):
    """POSTs the record form as the page gives it, with fields."""
    page = new_form(c, aid)
    data = {"csrf": csrf_of(page.text), "method": "wire",
            "received_date": input_value(page.text, "received_date"), "currency": "USD",
            "reference": "WIRE-1", "payer": "Acme Corporation AP"}
    data.update(fields)
    return c.post("/staff/accounts/%d/payments/new" % aid, data)


def recorded_id(answer):
    assert answer.status == 303, (answer.status, text_of(answer.text)[:800])
    m = re.match(r"^/staff/payments/(\d+)$", answer.location_path)
    assert m, answer.location
    return int(m.group(1))


def money(minor):
    return "%d.%02d" % (minor // 100, minor % 100)


# ---- recording ------------------------------------------------------------------------------

def test_01_record_a_wire_on_two_invoices_and_keep_the_rest_as_credit(server):
    aid = account_id(server, ACME)
    c = staff(server, CAS)
    page = c.get("/staff/accounts/%d" % aid)
    assert 'href="/staff/accounts/%d/payments/new"' % aid in page.text
    assert "Record a payment" in page.text
    invs = open_invoices(server, ACME)
    assert len(invs) >= 2, "the demo needs two open invoices of Acme"
    (i1, n1, b1), (i2, n2, b2) = invs[0], invs[1]
    form = new_form(c, aid)
    # Each invoice's amount field has its label; the methods are a radio group.
    assert re.search(r'<label class="sr-only" for="apply_%d">Amount to apply to invoice %s</label>'
                     % (i1, re.escape(n1)), form.text)
    assert re.search(r'<input type="radio" id="method-check" name="method" value="check"',
                     form.text)
    assert re.search(r"<legend>Method</legend>", form.text)
    before = (invoice(server, i1), invoice(server, i2), credit(server, ACME))
    r = record(c, aid, {"amount": "1,050.00", "apply_%d" % i1: "10.00",
                        "apply_%d" % i2: "20.00", "reference": "FT-2026-0001"})
    pid = recorded_id(r)
    p = server.query("SELECT source, method, state, amount, currency, reference, payer,"
                     " created_by_staff, settled_at IS NOT NULL FROM payments WHERE id = ?",
                     (pid,))[0]
    cas_id = server.scalar("SELECT id FROM staff_users WHERE email = ?", (CAS,))
    assert list(p[:8]) + [bool(p[8])] == ["offline", "wire", "succeeded", 105000, "USD",
                                          "FT-2026-0001", "Acme Corporation AP", cas_id, True]
    assert invoice(server, i1)["amount_paid"] == before[0]["amount_paid"] + 1000
    assert invoice(server, i2)["amount_paid"] == before[1]["amount_paid"] + 2000
    assert invoice(server, i1)["status"] in ("partially_paid", "paid")
    # Its own credit row (each server uses an account's credit on its invoices every minute, so
    # the account's credit may already have moved on).
    assert server.query("SELECT kind, amount FROM payment_allocations WHERE payment_id = ?"
                        " AND invoice_id IS NULL", (pid,)) == [("credit", 102000)]
    assert server.count("audit_log", "action = 'payment_recorded'") >= 1
    shown = c.get("/staff/payments/%d?recorded=1" % pid)
    t = text_of(shown.text)
    assert "The payment has been recorded." in t
    assert "Wire transfer" in t and "FT-2026-0001" in t and "$1,050.00" in t
    assert n1 in t and n2 in t and "Account credit" in t and "$1,020.00" in t
    assert "Reverse this payment" in t
    verify_clean(server)


def test_02_refused_input_keeps_what_was_typed_and_writes_nothing(server):
    aid = account_id(server, ACME)
    c = staff(server, CAS)
    (i1, n1, b1) = open_invoices(server, ACME)[0]
    globex_inv = server.scalar("SELECT id FROM invoices WHERE account_id = ? ORDER BY id",
                               (account_id(server, GLOBEX),))
    before = counts(server)
    cases = [
        ({"received_date": "2999-01-01", "amount": "10.00"},
         "The date received cannot be in the future.", "received_date", "2999-01-01"),
        ({"received_date": "2026-02-30", "amount": "10.00"}, "Enter a real date",
         "received_date", "2026-02-30"),
        ({"amount": "10.00", "apply_%d" % i1: "20.00"},
         "add up to more than the amount received", "amount", "10.00"),
        ({"amount": "%d.00" % (b1 // 100 + 10), "apply_%d" % i1: money(b1 + 1)},
         "more than the invoice's balance", "apply_%d" % i1, money(b1 + 1)),
        ({"amount": "10.00", "apply_999999": "1.00"},
         "not an open invoice of this account", "amount", "10.00"),
        ({"amount": "10.00", "apply_%d" % globex_inv: "1.00"},
         "not an open invoice of this account", "amount", "10.00"),
        ({"amount": "10.00", "currency": "EUR"}, "recorded in the account's currency",
         "amount", "10.00"),
        ({"amount": "10.00", "reference": ""}, "This field is required.", "amount", "10.00"),
        ({"amount": "ten", "reference": "CHK 1"}, "Enter the amount as a number", "amount", "ten"),
        ({"amount": "10.00", "method": "cash"}, "Choose one of the options.", "amount", "10.00"),
        ({"amount": "10.00", "reference": "x" * 101}, "This is too long.", "reference", "x" * 101),
    ]
    for fields, message, field, typed in cases:
        r = record(c, aid, fields)
        assert r.status == 400, (fields, r.status, text_of(r.text)[:500])
        t = text_of(r.text)
        assert "Nothing was recorded." in t, fields
        assert message in t, (fields, t[:1500])
        assert input_value(r.text, field) == typed, (fields, field)
        if "open invoice" not in message:  # an invoice the form does not list: a notice
            assert 'aria-invalid="true"' in r.text, fields
    assert counts(server) == before
    # Without the form's token: 403; other roles: 404, the form as if it did not exist.
    r = c.post("/staff/accounts/%d/payments/new" % aid,
               {"method": "wire", "amount": "10.00", "reference": "X", "currency": "USD"})
    assert r.status == 403
    for email in (CARE, REP):
        o = staff(server, email)
        assert o.get("/staff/accounts/%d/payments/new" % aid).status == 404
        home = o.get("/staff/home")
        r = o.post("/staff/accounts/%d/payments/new" % aid,
                   {"csrf": csrf_of(home.text), "method": "wire", "amount": "10.00",
                    "reference": "X", "currency": "USD", "received_date": "2020-01-01"})
        assert r.status == 404
    assert counts(server) == before
    assert c.get("/staff/accounts/999999/payments/new").status == 404
    verify_clean(server)


# ---- reversing -------------------------------------------------------------------------------

def test_03_reversing_a_check_reopens_the_balance_and_takes_its_credit_back(server):
    """On Globex, whose open invoices the check pays in full: with none left open, the credit it
    leaves stays until the reversal (each server uses credit on open invoices every minute)."""
    gid = account_id(server, GLOBEX)
    c = staff(server, CAS)
    invs = open_invoices(server, GLOBEX)
    assert invs, "the demo needs an open invoice of Globex"
    before_invs = {i: invoice(server, i) for i, _, _ in invs}
    before_credit = credit(server, GLOBEX)
    applies = {"apply_%d" % i: money(b) for i, _, b in invs}
    total = sum(b for _, _, b in invs) + 7000
    pid = recorded_id(record(c, gid, dict(applies, method="check", amount=money(total),
                                          currency="EUR", reference="CHK 4471")))
    for i in before_invs:
        assert invoice(server, i)["status"] == "paid"
    assert credit(server, GLOBEX) == before_credit + 7000
    page = c.get("/staff/payments/%d" % pid)
    # A reason is required; nothing changes without one.
    n = counts(server)
    r = c.post("/staff/payments/%d/reverse" % pid, {"csrf": csrf_of(page.text),
                                                   "reverse_reason": "  "})
    assert r.status == 400 and "This field is required." in text_of(r.text)
    assert counts(server) == n
    r = c.post("/staff/payments/%d/reverse" % pid, {"csrf": csrf_of(page.text),
                                                   "reverse_reason": "Check returned unpaid"})
    assert r.status == 303 and r.location_path == "/staff/payments/%d" % pid
    assert server.query("SELECT state, reversal_reason FROM payments WHERE id = ?",
                        (pid,))[0] == ("reversed", "Check returned unpaid")
    for i, before in before_invs.items():
        after = invoice(server, i)
        assert (after["amount_paid"], after["status"]) == (before["amount_paid"],
                                                          before["status"])
    assert credit(server, GLOBEX) == before_credit
    assert server.scalar("SELECT SUM(amount) FROM payment_allocations WHERE payment_id = ?",
                         (pid,)) == 0
    assert server.count("payment_allocations", "payment_id = ? AND kind = 'reversal'",
                        (pid,)) == len(invs) + 1
    assert server.count("audit_log", "action = 'payment_reversed'") >= 1
    t = text_of(c.get("/staff/payments/%d?reversed=1" % pid).text)
    assert "The payment has been reversed." in t and "Reversed" in t
    assert "Check returned unpaid" in t and "Reverse this payment" not in t
    verify_clean(server)
    # Once reversed, never again.
    n = counts(server)
    r = c.post("/staff/payments/%d/reverse" % pid, {"csrf": csrf_of(page.text),
                                                   "reverse_reason": "again"})
    assert r.status == 400 and counts(server) == n
    assert "Only a payment that has succeeded can be reversed." in text_of(r.text)
    verify_clean(server)


def test_04_a_reversal_is_refused_when_its_credit_was_used(server):
    aid = account_id(server, ACME)
    c = staff(server, CAS)
    (i1, n1, b1) = open_invoices(server, ACME)[0]
    pid = recorded_id(record(c, aid, {"method": "check", "amount": "50.00",
                                      "reference": "CHK 9001"}))
    # All the account's credit used on an invoice (as the server does every minute): a row to
    # the invoice and its negative from the credit.
    used = credit(server, ACME)
    if used > 0:
        paid = invoice(server, i1)["amount_paid"]
        server.execute("INSERT INTO payment_allocations (account_id, invoice_id, kind, amount,"
                       " currency, created_at) VALUES (?, ?, 'credit_applied', ?, 'USD', 1)",
                       (aid, i1, used))
        server.execute("INSERT INTO payment_allocations (account_id, invoice_id, kind, amount,"
                       " currency, created_at) VALUES (?, NULL, 'credit_applied', ?, 'USD', 1)",
                       (aid, -used))
        server.execute("UPDATE invoices SET amount_paid = ?, status = 'partially_paid'"
                       " WHERE id = ?", (paid + used, i1))
    assert credit(server, ACME) == 0
    verify_clean(server)
    page = c.get("/staff/payments/%d" % pid)
    n = counts(server)
    r = c.post("/staff/payments/%d/reverse" % pid, {"csrf": csrf_of(page.text),
                                                   "reverse_reason": "Bounced"})
    assert r.status == 400
    assert ("$50.00 of the credit it left has already been used on other invoices"
            in text_of(r.text)), text_of(r.text)[:1200]
    assert input_value(r.text, "reverse_reason") == "Bounced"
    assert counts(server) == n
    assert server.scalar("SELECT state FROM payments WHERE id = ?", (pid,)) == "succeeded"
    verify_clean(server)


# ---- refunds ---------------------------------------------------------------------------------

def pay_by_card(server, number, amount):
    """A card payment of the invoice through the sandbox, as in test_payments_card.py."""
    c = server.client()
    assert c.sign_in_corporate(ACME_LOGIN).status == 303
    page = c.get("/corporate/invoices/%s/pay" % number)
    r = c.post("/corporate/invoices/%s/pay" % number, {"csrf": csrf_of(page.text),
                                                      "amount": amount})
    assert r.status == 303, text_of(r.text)[:500]
    hosted = c.get(r.location_path)
    back = c.post(r.location_path, {"csrf": csrf_of(hosted.text), "number": "4242424242424242",
                                    "expiry": "12 / 34", "cvc": "123", "name": "Jordan Smith"})
    pid = int(re.search(r"[?&]payment=(\d+)", back.location).group(1))
    end = time.time() + 15
    while time.time() < end:
        if server.scalar("SELECT state FROM payments WHERE id = ?", (pid,)) == "succeeded":
            return pid
        time.sleep(0.1)
    raise AssertionError("payment %d never succeeded" % pid)


def test_05_refund_part_of_a_card_payment(server, smtp_sink):
    (i1, n1, b1) = open_invoices(server, ACME)[0]
    pid = pay_by_card(server, n1, "100.00")
    paid = invoice(server, i1)["amount_paid"]
    a = staff(server, ADMIN)
    page = a.get("/staff/payments/%d" % pid)
    assert page.status == 200
    t = text_of(page.text)
    assert "Card" in t and "visa ending in 4242" in t and "Refund" in t
    assert input_value(page.text, "refund_amount") == "100.00"
    # Corporate Account Services see the payment but may not refund it.
    cas = staff(server, CAS)
    cas_page = cas.get("/staff/payments/%d" % pid)
    assert cas_page.status == 200 and 'name="refund_amount"' not in cas_page.text
    assert cas.post("/staff/payments/%d/refund" % pid,
                    {"csrf": csrf_of(cas_page.text), "refund_amount": "1.00",
                     "refund_reason": "x"}).status == 404
    n = counts(server)
    for amount, reason, message in [("100.01", "Too much", "At most $100.00 can still be refunded"),
                                    ("40.00", "", "This field is required."),
                                    ("forty", "x", "Enter the amount as a number")]:
        r = a.post("/staff/payments/%d/refund" % pid, {"csrf": csrf_of(page.text),
                                                      "refund_amount": amount,
                                                      "refund_reason": reason})
        assert r.status == 400, (amount, r.status)
        assert message in text_of(r.text), (amount, text_of(r.text)[:1200])
        assert input_value(r.text, "refund_amount") == amount
    assert counts(server) == n
    mark = smtp_sink.mark()
    r = a.post("/staff/payments/%d/refund" % pid, {"csrf": csrf_of(page.text),
                                                  "refund_amount": "40.00",
                                                  "refund_reason": "Seats not used"})
    assert r.status == 303, text_of(r.text)[:800]
    assert r.location_path == "/staff/payments/%d" % pid and "refund=succeeded" in r.location
    rf = server.query("SELECT id, state, amount, refund_ref, reason FROM refunds"
                      " WHERE payment_id = ?", (pid,))
    assert len(rf) == 1 and rf[0][1:3] == ("succeeded", 4000) and rf[0][3].startswith("re_")
    assert server.query("SELECT invoice_id, amount FROM payment_allocations WHERE refund_id = ?"
                        " AND kind = 'refund'", (rf[0][0],)) == [(i1, -4000)]
    after = invoice(server, i1)
    assert after["amount_paid"] == paid - 4000 and after["status"] != "paid"
    msg = smtp_sink.wait_for(lambda m: to_pred(ACME_CONTACT)(m)
                             and "Refund" in str(m["msg"]["Subject"]), since=mark)
    body = body_text(msg["msg"])
    assert "$40.00" in body and n1 in body and "Seats not used" in body
    shown = text_of(a.get(r.location_path + "?refund=succeeded").text)
    assert "The refund has been made." in shown and "Seats not used" in shown
    assert "At most $60.00 can still be refunded" in shown
    verify_clean(server)
    # Beyond what is left: refused, nothing written; the rest is refundable.
    n = counts(server)
    r = a.post("/staff/payments/%d/refund" % pid, {"csrf": csrf_of(page.text),
                                                  "refund_amount": "60.01",
                                                  "refund_reason": "Rest"})
    assert r.status == 400 and "At most $60.00 can still be refunded" in text_of(r.text)
    assert counts(server) == n
    r = a.post("/staff/payments/%d/refund" % pid, {"csrf": csrf_of(page.text),
                                                  "refund_amount": "60.00",
                                                  "refund_reason": "Rest"})
    assert r.status == 303
    assert invoice(server, i1)["amount_paid"] == paid - 10000
    assert 'name="refund_amount"' not in a.get("/staff/payments/%d" % pid).text
    n = counts(server)
    r = a.post("/staff/payments/%d/refund" % pid, {"csrf": csrf_of(page.text),
                                                  "refund_amount": "0.01",
                                                  "refund_reason": "More"})
    assert r.status == 400 and "At most $0.00 can still be refunded." in text_of(r.text)
    assert counts(server) == n
    verify_clean(server)
    # An offline payment is reversed, not refunded.
    off = server.scalar("SELECT id FROM payments WHERE source = 'offline' AND state = 'succeeded'"
                        " ORDER BY id")
    n = counts(server)
    r = a.post("/staff/payments/%d/refund" % off, {"csrf": csrf_of(page.text),
                                                  "refund_amount": "1.00",
                                                  "refund_reason": "x"})
    assert r.status == 400 and counts(server) == n
    assert "Offline payments are reversed, not refunded." in text_of(r.text)


def sandbox_secret(server):
    secret = server.scalar("SELECT value FROM vendor_settings WHERE key = 'server_secret'")
    return hmac.new(secret.encode(), b"cobro sandbox events", hashlib.sha256).hexdigest()


def signed_post(client, body, secret, t):
    sig = hmac.new(secret.encode(), ("%d." % t).encode() + body, hashlib.sha256).hexdigest()
    return client.request("POST", "/payments/events", data=body,
                          headers={"Stripe-Signature": "t=%d,v1=%s" % (t, sig),
                                   "Content-Type": "application/json"})


def test_06_a_pending_refund_is_settled_by_the_gateways_event(server, smtp_sink):
    (i1, n1, b1) = open_invoices(server, ACME)[0]
    pid = pay_by_card(server, n1, "25.00")
    paid = invoice(server, i1)["amount_paid"]
    ref, admin_id = (server.scalar("SELECT payment_ref FROM payments WHERE id = ?", (pid,)),
                     server.scalar("SELECT id FROM staff_users WHERE email = ?", (ADMIN,)))
    # As the refund call leaves it when the gateway answers "pending".
    server.execute("INSERT INTO refunds (payment_id, account_id, amount, currency, state,"
                        " reason, created_by, created_at) VALUES (?, ?, 1500, 'USD', 'pending',"
                        " 'Duplicate order', ?, 1)", (pid, account_id(server, ACME), admin_id))
    rid = server.scalar("SELECT MAX(id) FROM refunds")
    verify_clean(server)  # a pending refund takes nothing yet
    now = int(server.scalar("SELECT MAX(received_at) FROM gateway_events"))
    ev = {"id": "evt_refund_%d" % rid, "object": "event", "type": "refund.updated",
          "created": now, "data": {"object": {
              "id": "re_test_%d" % rid, "object": "refund", "status": "succeeded", "amount": 1500,
              "currency": "usd", "payment_intent": ref,
              "metadata": {"cobro_refund": str(rid), "cobro_payment": str(pid)}}}}
    mark = smtp_sink.mark()
    body = json.dumps(ev).encode()
    assert signed_post(server.client(), body, sandbox_secret(server), now).status == 200
    assert server.query("SELECT state, refund_ref FROM refunds WHERE id = ?",
                        (rid,))[0] == ("succeeded", "re_test_%d" % rid)
    assert invoice(server, i1)["amount_paid"] == paid - 1500
    smtp_sink.wait_for(lambda m: to_pred(ACME_CONTACT)(m)
                       and "Refund" in str(m["msg"]["Subject"]), since=mark)
    # The same event again changes nothing.
    assert signed_post(server.client(), body, sandbox_secret(server), now).status == 200
    assert invoice(server, i1)["amount_paid"] == paid - 1500
    verify_clean(server)


# ---- who may, and the unknown payments --------------------------------------------------------

def test_07_customer_care_and_sales_reps_get_404(server):
    aid = account_id(server, ACME)
    pid = server.scalar("SELECT id FROM payments ORDER BY id DESC")
    for email in (CARE, REP):
        c = staff(server, email)
        home = c.get("/staff/home")
        assert "/staff/payments?state=unknown" not in home.text
        assert "Record a payment" not in c.get("/staff/accounts/%d" % aid).text
        for path in ("/staff/payments/%d" % pid, "/staff/payments?state=unknown",
                     "/staff/payments", "/staff/accounts/%d/payments/new" % aid):
            assert c.get(path).status == 404, (email, path)
        for action, fields in (("reverse", {"reverse_reason": "x"}),
                               ("refund", {"refund_amount": "1.00", "refund_reason": "x"})):
            r = c.post("/staff/payments/%d/%s" % (pid, action),
                       dict(fields, csrf=csrf_of(home.text)))
            assert r.status == 404, (email, action)


def test_08_staff_see_every_unknown_payment(server):
    (i1, n1, b1) = open_invoices(server, ACME)[0]
    c = server.client()
    assert c.sign_in_corporate(ACME_LOGIN).status == 303
    page = c.get("/corporate/invoices/%s/pay" % n1)
    r = c.post("/corporate/invoices/%s/pay" % n1, {"csrf": csrf_of(page.text), "amount": "12.00"})
    assert r.status == 303
    pid = server.scalar("SELECT MAX(id) FROM payments")
    server.execute("UPDATE payments SET state = 'unknown', checks = 3 WHERE id = ?", (pid,))
    cas = staff(server, CAS)
    home = cas.get("/staff/home")
    assert 'href="/staff/payments?state=unknown"' in home.text
    listed = cas.get("/staff/payments?state=unknown")
    assert listed.status == 200
    assert 'href="/staff/payments/%d"' % pid in listed.text
    t = text_of(listed.text)
    assert "Payments with an unknown outcome" in t and n1 in t and "$12.00" in t
    shown = text_of(cas.get("/staff/payments/%d" % pid).text)
    assert "Unknown" in shown and "Reverse this payment" not in shown
    assert cas.get("/staff/payments?state=succeeded").status == 404
    verify_clean(server)


def test_09_the_account_page_lists_its_refunds_and_credit(server):
    """The staff account page: every payment (linked for those who may open it), every refund
    with its reason and state, and the account's credit kept, used and taken back."""
    rows = server.query("SELECT r.account_id, r.reason, r.payment_id FROM refunds r"
                        " ORDER BY r.id LIMIT 1")
    assert rows, "the tests above made a refund"
    aid, reason, pid = rows[0]
    c = staff(server, "cas@vendor.example")
    page = c.get("/staff/accounts/%d" % aid)
    assert page.status == 200
    text = text_of(page.text)
    assert "Refunds" in text and reason in text, text[:2000]
    assert 'href="/staff/payments/%d"' % pid in page.text
    kept = server.query("SELECT account_id, payment_id FROM payment_allocations"
                        " WHERE kind = 'credit' ORDER BY id LIMIT 1")
    assert kept, "the tests above kept some credit"
    page = c.get("/staff/accounts/%d" % kept[0][0])
    assert "Kept from payment %d" % kept[0][1] in text_of(page.text)
    # Customer Care sees the lists but gets no link to a payment's page (which answers it 404).
    care = staff(server, "care@vendor.example")
    page = care.get("/staff/accounts/%d" % aid)
    assert page.status == 200 and reason in text_of(page.text)
    assert 'href="/staff/payments/' not in page.text
