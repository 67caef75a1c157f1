"""Renewal charges and dunning (issue 13, docs/dunning.md) through the sandbox gateway, on the
store the tests run on: an online account's renewal invoice charged to its card once however
often the bill run and the worker run; a declined charge opening a dunning case with its email;
retries on days 1, 3, 5 and 7 (a node started for each day, as after a restart); past due after
the last, suspended after the grace period; a hard decline never retried; a new card retried at
once; a payment resolving the case; a node dying in the middle of a retry charging nothing twice
and emailing nothing twice. Each step is read from the database, the staff page and the emails."""
import datetime
import html
import os
import re
import time


import harness
from harness import REPO, body_text, clean_env, csrf_of, run_cobro, to_pred, wait_for

os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(REPO, "tests", "lsan.supp"))

INITECH, OWNER = "Initech", "owner@initech.example"
CAS = "cas@vendor.example"
DAY = 86400


def first_node(nodes):
    """The first node, on a fresh demo database, its clock a minute ahead of the demo's (which
    `cobro demo` reads after this is called): the demo's history comes before cobro first charged
    renewals, as an upgrade's does."""
    t = datetime.datetime.fromtimestamp(harness.now() + 60, datetime.timezone.utc)
    return nodes(t.strftime("%Y-%m-%dT%H:%M:%S.000Z"))


def instant(day, hour=12, minute=0):
    return "%sT%02d:%02d:00.000Z" % (day.isoformat(), hour, minute)


def unix(day, hour=12, minute=0):
    return int(datetime.datetime(day.year, day.month, day.day, hour, minute,
                                 tzinfo=datetime.timezone.utc).timestamp())


def renewal_day():
    """Initech renews on the 1st: the first day of the next month by the tests' clock."""
    t = harness.today()
    return datetime.date(t.year + (t.month == 12), t.month % 12 + 1, 1)


def round_done(srv):
    wait_for("the worker's first round of renewal charges and dunning",
             lambda: "renewal charges and dunning took" in srv.stderr())


def account_id(srv):
    return srv.scalar("SELECT id FROM accounts WHERE name = ?", (INITECH,))


def set_card(srv, last4):
    """The card on file charges as the sandbox's test card ending in last4 does."""
    srv.db.execute("UPDATE payment_cards SET method_ref = ?, last4 = ? WHERE account_id = ?",
                   ("pm_sb_" + last4, last4, account_id(srv)))


def bill_run(srv, day):
    out = run_cobro(["bill-run", "--at", day.isoformat(), "--db", srv.db_path],
                    env=clean_env(COBRO_NOW=instant(day, 11)))
    assert out.returncode == 0, out.stdout + out.stderr


def renewal_invoice(srv, day):
    rows = srv.query("SELECT id, number FROM invoices WHERE account_id = ? AND issue_date = ?",
                     (account_id(srv), day.isoformat()))
    assert len(rows) == 1, rows
    return rows[0]


def attempts(srv, inv):
    return [tuple(r) for r in srv.query(
        "SELECT attempt, state, decline_code FROM payments WHERE invoice_id = ? ORDER BY id",
        (inv,))]


def gateway_charges(srv, inv):
    """The charges the sandbox gateway received for the invoice's payments."""
    return srv.scalar("SELECT COUNT(*) FROM sandbox_sessions s JOIN payments p ON p.id ="
                      " s.object_id WHERE s.kind = 'charge' AND p.invoice_id = ?", (inv,))


def case(srv, inv):
    rows = srv.query("SELECT state, failures, no_retry, COALESCE(next_retry_at, 0),"
                     " last_decline_code FROM dunning_cases WHERE invoice_id = ?", (inv,))
    return dict(zip(("state", "failures", "no_retry", "next_retry_at", "decline"), rows[0])) \
        if rows else None


def dunning_mail(smtp_sink, mark, subject):
    return smtp_sink.since(mark, lambda m: to_pred(OWNER)(m) and subject in str(m["msg"]["Subject"]))


def one_mail(smtp_sink, mark, subject):
    smtp_sink.wait_for(lambda m: to_pred(OWNER)(m) and subject in str(m["msg"]["Subject"]),
                       since=mark)
    time.sleep(0.3)  # anything sent twice would be on its way by now
    got = dunning_mail(smtp_sink, mark, subject)
    assert len(got) == 1, [str(m["msg"]["Subject"]) for m in got]
    return body_text(got[0]["msg"])


def verify_clean(srv):
    out = run_cobro(["verify", "--db", srv.db_path], cwd=srv.dir)
    assert out.returncode == 0, out.stdout + out.stderr


def staff_page(srv):
    c = srv.client()
    assert c.sign_in_staff(CAS).status == 303
    page = c.get("/staff/accounts/%d" % account_id(srv))
    assert page.status == 200
    return c, page.text


def start_declined(nodes, smtp_sink, last4="0002"):
    """A node, Initech's card declining as last4, its renewal invoiced and charged: the charge
    declined. Returns (node, day of renewal, invoice id, invoice number, mark before)."""
    srv = first_node(nodes)
    set_card(srv, last4)
    day = renewal_day()
    bill_run(srv, day)
    inv, number = renewal_invoice(srv, day)
    mark = smtp_sink.mark()
    srv = nodes(instant(day))
    wait_for("the case", lambda: case(srv, inv) is not None)
    round_done(srv)
    return srv, day, inv, number, mark


# ---- the renewal charge ----------------------------------------------------------------------

def test_01_renewal_charged_once_whatever_runs_twice(nodes, smtp_sink):
    srv = first_node(nodes)
    old = [r[0] for r in srv.query("SELECT id FROM invoices WHERE account_id = ?",
                                   (account_id(srv),))]
    assert old, "the demo gives Initech its history"
    day = renewal_day()
    bill_run(srv, day)
    inv, number = renewal_invoice(srv, day)
    mark = smtp_sink.mark()
    srv = nodes(instant(day))
    wait_for("the renewal paid", lambda: srv.scalar(
        "SELECT status FROM invoices WHERE id = ?", (inv,)) == "paid")
    assert attempts(srv, inv) == [(1, "succeeded", "")]
    # The bill run again (nothing is due any more) and the worker again on another node.
    bill_run(srv, day)
    srv = nodes(instant(day, 13))
    round_done(srv)
    srv = nodes(instant(day, 14))
    round_done(srv)
    assert attempts(srv, inv) == [(1, "succeeded", "")]
    assert gateway_charges(srv, inv) == 1
    assert srv.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'renewal_charge_started'") == 1
    # The history from before cobro charged renewals is left alone; nothing opened a case.
    for i in old:
        assert attempts(srv, i) == [], i
    assert case(srv, inv) is None
    smtp_sink.wait_for(lambda m: to_pred(OWNER)(m) and number in body_text(m["msg"])
                       and "4242" in body_text(m["msg"]), since=mark)
    verify_clean(srv)


def test_02_no_card_the_invoice_stays_open_and_one_email_asks_for_one(nodes, smtp_sink):
    srv = first_node(nodes)
    srv.db.execute("DELETE FROM payment_cards WHERE account_id = ?", (account_id(srv),))
    day = renewal_day()
    bill_run(srv, day)
    inv, number = renewal_invoice(srv, day)
    mark = smtp_sink.mark()
    srv = nodes(instant(day))
    round_done(srv)
    body = one_mail(smtp_sink, mark, "Add a card to pay invoice %s" % number)
    assert "%s/billing/payment-method" % srv.base_url in body, body
    srv = nodes(instant(day, 13))
    round_done(srv)
    assert len(dunning_mail(smtp_sink, mark, "Add a card")) == 1
    assert attempts(srv, inv) == []
    assert srv.scalar("SELECT status FROM invoices WHERE id = ?", (inv,)) == "open"
    verify_clean(srv)


# ---- dunning -----------------------------------------------------------------------------------

def subscription_text(srv):
    """The Billing Center's Subscription page as its billing administrator reads it."""
    cl = srv.client()
    assert cl.sign_in_billing(OWNER).status == 303
    page = cl.get("/billing/subscription")
    assert page.status == 200, page.text[:300]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.text)))


def test_03_declined_retried_on_days_1_3_5_7_then_past_due_suspended_and_paid(nodes, smtp_sink):
    srv, day, inv, number, mark = start_declined(nodes, smtp_sink)
    c = case(srv, inv)
    assert (c["state"], c["failures"], c["no_retry"], c["decline"]) == \
        ("retrying", 1, 0, "generic_decline")
    first = srv.scalar("SELECT first_failed_at FROM dunning_cases WHERE invoice_id = ?", (inv,))
    assert c["next_retry_at"] == first + DAY
    body = one_mail(smtp_sink, mark, "Payment of invoice %s failed" % number)
    assert "%s/billing/invoices/%s" % (srv.base_url, number) in body, body
    assert "%s/billing/payment-method" % srv.base_url in body, body
    assert "the card was declined" in body and "Nothing was charged" in body
    assert "We will try again on" in body
    sub_page = subscription_text(srv)
    assert "The renewal charge for invoice %s was declined" % number in sub_page, sub_page
    assert "We will try the card again on" in sub_page

    # Days 1, 3 and 5: one retry each, one email each; a second node the same day does nothing.
    for k, d in ((2, 1), (3, 3), (4, 5)):
        mark = smtp_sink.mark()
        srv = nodes(instant(day + datetime.timedelta(days=d), 13))
        wait_for("retry %d" % k, lambda: case(srv, inv)["failures"] == k)
        one_mail(smtp_sink, mark, "Payment of invoice %s failed again" % number)
        srv = nodes(instant(day + datetime.timedelta(days=d), 14))
        round_done(srv)
        assert case(srv, inv)["failures"] == k
        assert [a[0] for a in attempts(srv, inv)] == list(range(1, k + 1))
    # Day 7: the last retry fails: past due.
    mark = smtp_sink.mark()
    d7 = day + datetime.timedelta(days=7)
    srv = nodes(instant(d7, 13))
    wait_for("the last retry", lambda: case(srv, inv)["failures"] == 5)
    assert case(srv, inv)["state"] == "past_due" and case(srv, inv)["next_retry_at"] == 0
    body = one_mail(smtp_sink, mark, "Invoice %s is past due" % number)
    assert "suspended" in body
    assert attempts(srv, inv) == [(k, "failed", "generic_decline") for k in range(1, 6)]
    assert gateway_charges(srv, inv) == 5
    _, page = staff_page(srv)
    assert re.search(r'data-dunning="state">Past due<', page), page

    # Grace: 14 days after past due, suspended (not the day before).
    srv = nodes(instant(d7 + datetime.timedelta(days=13), 14))
    round_done(srv)
    assert case(srv, inv)["state"] == "past_due"
    mark = smtp_sink.mark()
    srv = nodes(instant(d7 + datetime.timedelta(days=14), 14))
    wait_for("the suspension", lambda: case(srv, inv)["state"] == "suspended")
    body = one_mail(smtp_sink, mark, "Your subscription is suspended: invoice %s is unpaid"
                    % number)
    assert "reactivates it at once" in body
    c_staff, page = staff_page(srv)
    assert re.search(r'data-dunning="state"><strong class="overdue">Suspended</strong>', page)
    assert 'data-dunning="suspended-on"' in page
    assert "The subscription is suspended since" in subscription_text(srv)
    assert srv.count("audit_log", "action = 'dunning_suspended'") == 1, srv.query("SELECT id, at, account_id, old_value, new_value FROM audit_log WHERE action LIKE 'dunning%' ORDER BY id")

    # A wire recorded by staff pays the balance: resolved at once, emailed.
    balance = srv.scalar("SELECT total - amount_paid FROM invoices WHERE id = ?", (inv,))
    aid = account_id(srv)
    form = c_staff.get("/staff/accounts/%d/payments/new" % aid)
    assert form.status == 200
    mark = smtp_sink.mark()
    r = c_staff.post("/staff/accounts/%d/payments/new" % aid, {
        "csrf": csrf_of(form.text), "method": "wire",
        "received_date": harness.input_value(form.text, "received_date"), "currency": "USD",
        "reference": "WIRE-DUN", "payer": "Initech", "amount": "%d.%02d" % divmod(balance, 100),
        "apply_%d" % inv: "%d.%02d" % divmod(balance, 100)})
    assert r.status == 303, r.text[:800]
    assert case(srv, inv)["state"] == "resolved"
    one_mail(smtp_sink, mark, "Invoice %s is paid" % number)
    _, page = staff_page(srv)
    assert re.search(r'data-dunning="state">Resolved<', page)
    verify_clean(srv)


def test_04_hard_decline_not_retried_new_card_retries_at_once(nodes, smtp_sink):
    srv, day, inv, number, mark = start_declined(nodes, smtp_sink, "9987")
    c = case(srv, inv)
    assert (c["state"], c["failures"], c["no_retry"], c["decline"], c["next_retry_at"]) == \
        ("past_due", 1, 1, "lost_card", 0)
    body = one_mail(smtp_sink, mark, "Invoice %s is past due" % number)
    assert "reported lost or stolen" in body and "cannot be charged again" in body
    for d in (1, 3, 5, 7):
        srv = nodes(instant(day + datetime.timedelta(days=d), 13))
        round_done(srv)
    assert attempts(srv, inv) == [(1, "failed", "lost_card")]
    _, page = staff_page(srv)
    assert "None: the card must be replaced" in page

    # The billing administrator replaces the card on the Billing Center's Payment Method page
    # (the link of the emails): the new card is retried at once, paid, resolved.
    cl = srv.client()
    assert cl.sign_in_billing(OWNER).status == 303
    assert "/billing/payment-method\r\n" in body  # (sent by an earlier node: its address)
    r = cl.post("/billing/payment-method", {"action": "setup",
                                            "csrf": cl.csrf("/billing/payment-method")})
    assert r.status == 303 and r.location_path.startswith("/sandbox/checkout/"), r.location
    page = cl.get(r.location_path)
    assert page.status == 200 and "Save a card" in page.text
    mark = smtp_sink.mark()
    back = cl.post(r.location_path, {"csrf": csrf_of(page.text), "number": "4242424242424242",
                                     "expiry": "12 / 34", "cvc": "123", "name": "Bill Lumbergh"})
    assert back.status == 303, back.text[:300]
    wait_for("the retry with the new card paid", lambda: srv.scalar(
        "SELECT status FROM invoices WHERE id = ?", (inv,)) == "paid")
    assert attempts(srv, inv) == [(1, "failed", "lost_card"), (2, "succeeded", "")]
    wait_for("resolved", lambda: case(srv, inv)["state"] == "resolved")
    one_mail(smtp_sink, mark, "Invoice %s is paid" % number)
    verify_clean(srv)


def test_05_a_node_dying_in_a_retry_charges_and_emails_once(nodes, smtp_sink):
    srv, day, inv, number, mark = start_declined(nodes, smtp_sink)
    d1 = day + datetime.timedelta(days=1)
    # What a node leaves when it dies right after claiming the retry and writing its payment,
    # before asking the gateway: its lease on the case, the payment (attempt 2) processing.
    srv = nodes(instant(day, 15))  # the state is written while a node runs, as a crash leaves it
    round_done(srv)
    aid = account_id(srv)
    crash = unix(d1, 12, 1)
    balance = srv.scalar("SELECT total - amount_paid FROM invoices WHERE id = ?", (inv,))
    srv.db.execute("UPDATE dunning_cases SET claimed_until = ? WHERE invoice_id = ?",
                   (crash + 300, inv))
    srv.db.insert("INSERT INTO payments (account_id, invoice_id, method, source, gateway, amount,"
                  " currency, state, card_brand, card_last4, next_check_at, lang, created_at,"
                  " updated_at, attempt) VALUES (?, ?, 'card', 'saved_card', 'sandbox', ?, 'USD',"
                  " 'processing', 'visa', '0002', ?, 'en', ?, ?, 2)",
                  (aid, inv, balance, crash + 300, crash, crash))
    # Restarted within the lease: the retry is another node's (and its payment's outcome first).
    mark = smtp_sink.mark()
    srv = nodes(instant(d1, 12, 2))
    round_done(srv)
    assert gateway_charges(srv, inv) == 1
    assert case(srv, inv)["failures"] == 1
    # Once the lease has run out, the lost payment is asked about (the gateway never had it:
    # nothing was charged) and the retry made again: one charge, one email.
    srv = nodes(instant(d1, 12, 10))
    wait_for("the retry made again", lambda: case(srv, inv)["failures"] == 2)
    one_mail(smtp_sink, mark, "Payment of invoice %s failed again" % number)
    assert attempts(srv, inv) == [(1, "failed", "generic_decline"), (2, "expired", ""),
                                  (3, "failed", "generic_decline")]
    assert gateway_charges(srv, inv) == 2
    srv = nodes(instant(d1, 12, 20))
    round_done(srv)
    assert gateway_charges(srv, inv) == 2
    assert len(dunning_mail(smtp_sink, mark, "failed again")) == 1
    verify_clean(srv)
