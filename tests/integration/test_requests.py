"""Requests (issue 14): the Corporate Billing Portal's Requests tab (a grouped kind, details,
Submit; a number REQ-YYYY-NNNNNN from a gapless series; the confirmation on the page and by email;
a request's page with its state and conversation; reply, withdraw; a second open request of the
same kind refused with a link to the open one, also when many submit at once), the staff queue
(filters, "assign to me", replies emailed and shown, internal notes never shown nor emailed, every
state, overdue after one business day without an answer), the console's actions noted on the
request, who sees what, CSRF, and the public Care Billing Form with its rate limits. Runs on
SQLite, and on PostgreSQL with COBRO_TEST_STORE=postgresql."""
import html
import os
import re
import threading

import harness
from harness import REPO, csrf_of

# The invoice copy's PDF is rendered with fontconfig, whose cache the leak checker reports.
os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(REPO, "tests", "lsan.supp"))

ACME_LOGIN, GLOBEX_LOGIN = "acme-billing", "ap@globex.example"
ACME_CONTACT = "jordan.smith@acme.example"
CAS, CARE, REP, ADMIN = ("cas@vendor.example", "care@vendor.example", "rep@vendor.example",
                         "admin@vendor.example")
NUMBER_RE = re.compile(r"REQ-\d{4}-\d{6}")


def text_of(page):
    m = re.search(r"<main\b.*?</main>", page, re.S)
    t = re.sub(r"<[^>]+>", " ", m.group(0) if m else page)
    return re.sub(r"\s+", " ", html.unescape(t))


def signed_in(server, kind, login, lang=None):
    c = server.client(accept_language=lang)
    r = {"corporate": c.sign_in_corporate, "staff": c.sign_in_staff}[kind](login)
    assert r.status == 303, (kind, login, r.status)
    return c


def account_id(server, name):
    return server.scalar("SELECT id FROM accounts WHERE name = ?", (name,))


def submit(c, kind, details="Please help."):
    return c.submit("/corporate/requests", "/corporate/requests", {"kind": kind, "details": details})


def new_request(server, c, kind, details="Please help."):
    r = submit(c, kind, details)
    assert r.status == 303, (r.status, text_of(r.text)[:400])
    number = re.search(r"sent=(REQ-\d{4}-\d{6})", r.location).group(1)
    return number


def request_row(server, number):
    keys = ("id", "account_id", "queue", "source", "category", "subcategory", "state",
            "first_answer_at", "assigned_to", "closed_at", "lang", "seq")
    rows = server.query("SELECT id, account_id, queue, source, category, subcategory, state,"
                        " first_answer_at, assigned_to, closed_at, lang, seq FROM requests"
                        " WHERE number = ?", (number,))
    assert rows, number
    return dict(zip(keys, rows[0]))


def close_open(server, name):
    """Closes every open request of the account (each test starts from none)."""
    server.execute("UPDATE requests SET state = 'completed', closed_at = created_at"
                   " WHERE account_id = ? AND state IN ('submitted', 'in_review',"
                   " 'waiting_on_customer')", (account_id(server, name),))


def staff_post(c, number, action, fields=None):
    token = csrf_of(c.get("/staff/requests/" + number).text)
    return c.post("/staff/requests/%s/%s" % (number, action), dict(fields or {}, csrf=token))


def emails_of(server, request_id):
    return server.query("SELECT kind, to_addr, subject, body_text FROM email_outbox"
                        " WHERE request_id = ? ORDER BY id", (request_id,))


# ---- the Requests tab --------------------------------------------------------------------------

def test_1_tab_form_refusal_and_submission(server):
    close_open(server, "Acme Corporation")
    c = signed_in(server, "corporate", ACME_LOGIN)
    page = c.get("/corporate/requests")
    assert page.status == 200
    t = page.text
    assert 'href="/corporate/requests"' in t and "aria-current" in t
    # One grouped choice: the category is the group, the subcategory the option.
    assert '<label for="kind">' in t and '<select id="kind" name="kind"' in t
    for group in ("Billing", "Subscription", "Form Requests", "Other"):
        assert '<optgroup label="%s">' % group in t
    for value, label in (("billing/billing_frequency", "Change billing frequency"),
                         ("billing/invoice_copy", "Copy of an invoice"),
                         ("billing/payment_method", "Payment method"),
                         ("subscription/seats_products", "Add or remove seats or products"),
                         ("subscription/cancel", "Cancel"), ("subscription/reactivate", "Reactivate"),
                         ("forms/vendor_forms", "W-9 / Vendor Form / Regional Forms")):
        assert '<option value="%s">%s</option>' % (value, label) in t
    assert '<label for="details">' in t
    # Refused: nothing written, what was typed kept.
    before = server.count("requests")
    r = submit(c, "", "My typed details")
    assert r.status == 400
    assert "This field is required." in r.text and "My typed details" in r.text
    r = submit(c, "billing/nonsense", "")
    assert r.status == 400 and server.count("requests") == before
    # Filed: a number, the confirmation on the page and by email.
    number = new_request(server, c, "forms/vendor_forms", "We need your W-9 for our records.")
    row = request_row(server, number)
    assert (row["queue"], row["source"], row["category"], row["subcategory"], row["state"]) == (
        "account_services", "portal", "forms", "vendor_forms", "submitted")
    assert row["account_id"] == account_id(server, "Acme Corporation")
    page = c.get("/corporate/requests?sent=" + number)
    assert number in text_of(page.text) and "has been sent to Corporate Account Services" in page.text
    mails = emails_of(server, row["id"])
    assert len(mails) == 1 and mails[0][0] == "request_received" and mails[0][1] == ACME_CONTACT
    assert number in mails[0][2] and "/corporate/requests/" + number in mails[0][3]
    # Gapless: the next request of the year takes the next number.
    second = new_request(server, c, "billing/payment_method")
    assert request_row(server, second)["seq"] == row["seq"] + 1
    assert second[:9] == number[:9]


def test_2_duplicate_refused_with_link(server):
    close_open(server, "Acme Corporation")
    c = signed_in(server, "corporate", ACME_LOGIN)
    number = new_request(server, c, "subscription/cancel", "Cancel at the end of the term.")
    before = server.count("requests")
    r = submit(c, "subscription/cancel", "Again")
    assert r.status == 409
    assert 'href="/corporate/requests/%s"' % number in r.text
    assert "already have an open request of this kind" in r.text
    assert server.count("requests") == before
    # Once it is closed, a new one of that kind is taken.
    staff = signed_in(server, "staff", CAS)
    assert staff_post(staff, number, "state", {"state": "declined"}).status == 303
    assert new_request(server, c, "subscription/cancel") != number


def test_3_many_submit_at_once_one_wins(server):
    close_open(server, "Acme Corporation")
    clients = [signed_in(server, "corporate", ACME_LOGIN) for _ in range(6)]
    tokens = [csrf_of(c.get("/corporate/requests").text) for c in clients]
    results = [None] * len(clients)
    go = threading.Barrier(len(clients))

    def run(i):
        go.wait()
        results[i] = clients[i].post("/corporate/requests", {
            "kind": "billing/invoice_copy", "details": "Copy of the last invoice", "csrf": tokens[i]})

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    statuses = sorted(r.status for r in results)
    assert statuses == [303] + [409] * (len(clients) - 1), statuses
    assert server.scalar("SELECT COUNT(*) FROM requests WHERE account_id = ? AND subcategory ="
                         " 'invoice_copy' AND state = 'submitted'",
                         (account_id(server, "Acme Corporation"),)) == 1


def test_4_request_page_reply_and_withdraw(server):
    close_open(server, "Acme Corporation")
    c = signed_in(server, "corporate", ACME_LOGIN)
    number = new_request(server, c, "billing/billing_frequency", "Could we pay monthly?")
    page = c.get("/corporate/requests/" + number)
    assert page.status == 200
    t = text_of(page.text)
    assert "Submitted" in t and "Could we pay monthly?" in t and "Billing: Change billing frequency" in t
    token = csrf_of(page.text)
    r = c.post("/corporate/requests/%s/reply" % number, {"message": "", "csrf": token})
    assert r.status == 400 and "This field is required." in r.text
    r = c.post("/corporate/requests/%s/reply" % number, {"message": "Any news?", "csrf": token})
    assert r.status == 303
    assert "Any news?" in text_of(c.get("/corporate/requests/" + number).text)
    # Waiting on the customer; their reply takes it back to review.
    staff = signed_in(server, "staff", CAS)
    assert staff_post(staff, number, "state", {"state": "waiting_on_customer"}).status == 303
    assert "Waiting on you" in text_of(c.get("/corporate/requests/" + number).text)
    r = c.post("/corporate/requests/%s/reply" % number, {"message": "Monthly, please.", "csrf": token})
    assert r.status == 303 and request_row(server, number)["state"] == "in_review"
    r = c.post("/corporate/requests/%s/withdraw" % number, {"csrf": token})
    assert r.status == 303
    row = request_row(server, number)
    assert row["state"] == "withdrawn" and row["closed_at"]
    page = c.get("/corporate/requests/" + number)
    assert "Withdrawn" in text_of(page.text) and "/reply" not in page.text
    assert c.post("/corporate/requests/%s/reply" % number,
                  {"message": "late", "csrf": token}).status == 409
    assert c.post("/corporate/requests/%s/withdraw" % number, {"csrf": token}).status == 409
    assert server.count("audit_log", "action = 'request_withdrawn'") >= 1


def test_5_another_accounts_request_is_404(server):
    close_open(server, "Acme Corporation")
    acme = signed_in(server, "corporate", ACME_LOGIN)
    number = new_request(server, acme, "other/other", "Acme's own business")
    globex = signed_in(server, "corporate", GLOBEX_LOGIN)
    assert globex.get("/corporate/requests/" + number).status == 404
    token = csrf_of(globex.get("/corporate/requests").text)
    assert globex.post("/corporate/requests/%s/reply" % number,
                       {"message": "x", "csrf": token}).status == 404
    assert globex.post("/corporate/requests/%s/withdraw" % number, {"csrf": token}).status == 404
    assert number not in globex.get("/corporate/requests").text
    assert request_row(server, number)["state"] == "submitted"
    assert acme.get("/corporate/requests/REQ-1999-000001").status == 404
    # Signed out: the sign-in page, never the request.
    assert server.client().get("/corporate/requests/" + number).status in (302, 303)


def test_6_csrf_required(server):
    close_open(server, "Acme Corporation")
    c = signed_in(server, "corporate", ACME_LOGIN)
    before = server.count("requests")
    r = c.post("/corporate/requests", {"kind": "other/other", "details": "no token"})
    assert r.status == 403 and server.count("requests") == before
    number = new_request(server, c, "other/other")
    assert c.post("/corporate/requests/%s/withdraw" % number, {}).status == 403
    staff = signed_in(server, "staff", CAS)
    assert staff.post("/staff/requests/%s/state" % number, {"state": "completed"}).status == 403
    assert request_row(server, number)["state"] == "submitted"
    anon = server.client()
    assert anon.post("/care", {"name": "A", "email": "a@example.com", "topic": "other",
                               "details": "x"}).status == 403


# ---- the staff queue ---------------------------------------------------------------------------

def test_7_every_staff_state_and_reply(server):
    close_open(server, "Acme Corporation")
    c = signed_in(server, "corporate", ACME_LOGIN)
    staff = signed_in(server, "staff", CAS)
    number = new_request(server, c, "billing/payment_method", "Switch to wire transfers")
    rid = request_row(server, number)["id"]
    page = staff.get("/staff/requests/" + number)
    assert page.status == 200 and "Assign to me" in page.text
    assert staff_post(staff, number, "assign").status == 303
    cas_id = server.scalar("SELECT id FROM staff_users WHERE email = ?", (CAS,))
    assert request_row(server, number)["assigned_to"] == cas_id
    # A reply: emailed, shown in the portal, the first answer, into review.
    r = staff_post(staff, number, "message", {"message": "We can do that.", "internal": "0"})
    assert r.status == 303
    row = request_row(server, number)
    assert row["state"] == "in_review" and row["first_answer_at"]
    mails = emails_of(server, rid)
    assert [m[0] for m in mails] == ["request_received", "request_reply"]
    assert "We can do that." in mails[1][3] and mails[1][1] == ACME_CONTACT
    assert "We can do that." in text_of(c.get("/corporate/requests/" + number).text)
    for state, label in (("waiting_on_customer", "Waiting on you"), ("in_review", "In review"),
                         ("completed", "Completed")):
        assert staff_post(staff, number, "state", {"state": state}).status == 303
        assert request_row(server, number)["state"] == state
        assert label in text_of(c.get("/corporate/requests/" + number).text)
    assert request_row(server, number)["closed_at"]
    kinds = [m[0] for m in emails_of(server, rid)]
    assert kinds.count("request_state") == 2  # waiting on the customer, completed
    # Closed: no more replies or changes; internal notes still.
    assert staff_post(staff, number, "state", {"state": "in_review"}).status == 409
    assert staff_post(staff, number, "message",
                      {"message": "late", "internal": "0"}).status == 409
    assert staff_post(staff, number, "message",
                      {"message": "closing note", "internal": "1"}).status == 303
    # Declined, from submitted; a state staff cannot set.
    other = new_request(server, c, "billing/payment_method", "Again")
    assert staff_post(staff, other, "state", {"state": "withdrawn"}).status == 400
    assert staff_post(staff, other, "state", {"state": "bogus"}).status == 400
    assert staff_post(staff, other, "state", {"state": "declined"}).status == 303
    assert request_row(server, other)["state"] == "declined"
    assert server.count("audit_log", "action = 'request_state'") >= 4


def test_8_internal_note_never_shown_nor_emailed(server):
    close_open(server, "Acme Corporation")
    c = signed_in(server, "corporate", ACME_LOGIN)
    staff = signed_in(server, "staff", CAS)
    number = new_request(server, c, "other/other", "A question")
    rid = request_row(server, number)["id"]
    secret = "Internal: check with finance before answering"
    assert staff_post(staff, number, "message", {"message": secret, "internal": "1"}).status == 303
    assert secret in staff.get("/staff/requests/" + number).text
    assert "Internal note" in staff.get("/staff/requests/" + number).text
    assert secret not in c.get("/corporate/requests/" + number).text
    assert all(secret not in m[3] for m in emails_of(server, rid))
    assert server.count("email_outbox", "body_text LIKE ?", ("%check with finance%",)) == 0
    row = request_row(server, number)
    assert row["state"] == "submitted" and not row["first_answer_at"]


def test_9_overdue_after_one_business_day(server):
    close_open(server, "Acme Corporation")
    c = signed_in(server, "corporate", ACME_LOGIN)
    staff = signed_in(server, "staff", CAS)
    late = new_request(server, c, "other/other", "Old question")
    fresh = new_request(server, c, "billing/payment_method", "New question")
    # Ten days ago holds at least six business days, whatever day the clock shows.
    server.execute("UPDATE requests SET created_at = created_at - 864000 WHERE number = ?", (late,))
    q = staff.get("/staff/requests?state=overdue").text
    assert late in q and fresh not in q
    row = re.search(r'<tr class="overdue">.*?%s.*?</tr>' % late, staff.get("/staff/requests").text,
                    re.S)
    assert row and "Overdue" in row.group(0)
    assert "Overdue: no first answer" in staff.get("/staff/requests/" + late).text
    assert "Overdue: no first answer" not in staff.get("/staff/requests/" + fresh).text
    # An answer ends it.
    assert staff_post(staff, late, "message", {"message": "Answered", "internal": "0"}).status == 303
    assert late not in staff.get("/staff/requests?state=overdue").text


def test_10_queue_filters(server):
    close_open(server, "Acme Corporation")
    close_open(server, "Globex Italia S.p.A.")
    acme = signed_in(server, "corporate", ACME_LOGIN)
    globex = signed_in(server, "corporate", GLOBEX_LOGIN)
    staff = signed_in(server, "staff", CAS)
    a1 = new_request(server, acme, "subscription/seats_products", "Ten more seats")
    g1 = new_request(server, globex, "forms/vendor_forms", "Modulo fornitore")
    server.execute("UPDATE requests SET created_at = created_at - 5 * 86400 WHERE number = ?", (g1,))
    everything = staff.get("/staff/requests").text
    assert a1 in everything and g1 in everything
    by_kind = staff.get("/staff/requests?kind=forms/vendor_forms").text
    assert g1 in by_kind and a1 not in by_kind
    by_account = staff.get("/staff/requests?account=%d" % account_id(server, "Acme Corporation")).text
    assert a1 in by_account and g1 not in by_account
    by_age = staff.get("/staff/requests?age=3").text
    assert g1 in by_age and a1 not in by_age
    assert staff_post(staff, a1, "state", {"state": "completed"}).status == 303
    done = staff.get("/staff/requests?state=completed").text
    assert a1 in done and g1 not in done
    opened = staff.get("/staff/requests?state=open").text
    assert g1 in opened and a1 not in opened
    # The filters keep their values and have labels.
    for field in ("state", "kind", "account", "age"):
        assert '<label for="%s">' % field in by_age


def test_11_who_sees_what(server):
    close_open(server, "Acme Corporation")
    acme = signed_in(server, "corporate", ACME_LOGIN)
    seats = new_request(server, acme, "subscription/seats_products", "Five more seats")
    billing = new_request(server, acme, "billing/payment_method", "Card please")
    rep = signed_in(server, "staff", REP)
    home = rep.get("/staff/home").text
    assert seats in home and billing not in home
    assert rep.get("/staff/requests/" + seats).status == 200
    assert rep.get("/staff/requests/" + billing).status == 404
    # A rep sees; only the queue's staff work it.
    assert "Assign to me" not in rep.get("/staff/requests/" + seats).text
    assert staff_post(rep, seats, "state", {"state": "completed"}).status == 404
    assert request_row(server, seats)["state"] == "submitted"
    care = signed_in(server, "staff", CARE)
    assert care.get("/staff/requests/" + seats).status == 404
    assert seats not in care.get("/staff/requests").text
    admin = signed_in(server, "staff", ADMIN)
    assert admin.get("/staff/requests/" + seats).status == 200
    assert seats in admin.get("/staff/requests?queue=account_services").text
    assert seats not in admin.get("/staff/requests?queue=customer_care").text
    assert "Requests" in signed_in(server, "staff", CAS).get("/staff/home").text


# ---- the console's actions ---------------------------------------------------------------------

def test_12_actions_noted_and_audited(server, smtp_sink):
    close_open(server, "Acme Corporation")
    acme_id = account_id(server, "Acme Corporation")
    acme = signed_in(server, "corporate", ACME_LOGIN)
    staff = signed_in(server, "staff", CAS)
    number = new_request(server, acme, "billing/billing_frequency", "Quarterly?")
    assert staff_post(staff, number, "frequency", {"frequency": "monthly"}).status == 400
    assert staff_post(staff, number, "frequency", {"frequency": "annual"}).status == 303
    assert server.count("audit_log", "action = 'billing_frequency_decided' AND account_id = ?",
                        (acme_id,)) == 1
    assert "it stays annual" in text_of(acme.get("/corporate/requests/" + number).text)
    # Cancel at the end of the term.
    sub = server.scalar("SELECT MIN(id) FROM subscriptions WHERE account_id = ? AND status ="
                        " 'active' AND cancel_at_period_end = 0", (acme_id,))
    other_sub = server.scalar("SELECT MIN(id) FROM subscriptions WHERE account_id <> ?", (acme_id,))
    cancel = new_request(server, acme, "subscription/cancel", "Cancel please")
    assert staff_post(staff, cancel, "cancel", {"subscription": str(other_sub)}).status == 400
    assert staff_post(staff, cancel, "cancel", {"subscription": str(sub)}).status == 303
    assert server.scalar("SELECT cancel_at_period_end FROM subscriptions WHERE id = ?", (sub,)) == 1
    assert "cancelled at the end of its term" in text_of(staff.get("/staff/requests/" + cancel).text)
    assert server.count("audit_log", "action = 'subscription_cancel_at_end'") >= 1
    # Reactivate an expired subscription at the same price; a quote when the price changes.
    server.execute("UPDATE subscriptions SET status = 'expired' WHERE id = ?", (sub,))
    price = server.scalar("SELECT unit_amount FROM subscriptions WHERE id = ?", (sub,))
    react = new_request(server, acme, "subscription/reactivate", "Reactivate please")
    page = staff.get("/staff/requests/" + react).text
    assert 'action="/staff/accounts/%d/quotes"' % acme_id in page
    assert staff_post(staff, react, "reactivate", {"subscription": str(sub)}).status == 303
    status, cancel_flag, amount = server.query(
        "SELECT status, cancel_at_period_end, unit_amount FROM subscriptions WHERE id = ?", (sub,))[0]
    assert (status, cancel_flag, amount) == ("active", 0, price)
    assert staff_post(staff, react, "reactivate", {"subscription": str(sub)}).status == 400
    # The next bill run renews it from today for a year, at the same price, and invoices it.
    invoices = server.count("invoices", "account_id = ?", (acme_id,))
    run = harness.run_cobro(harness.with_data_key(["bill-run", "--db", server.db_path]))
    assert run.returncode == 0, run.stderr
    assert server.count("invoices", "account_id = ?", (acme_id,)) == invoices + 1
    start, end, amount = server.query(
        "SELECT period_start, period_end, unit_amount FROM subscriptions WHERE id = ?", (sub,))[0]
    assert start == harness.today().isoformat() and end > start and amount == price
    # A copy of an invoice, twice (the outbox keeps one invoice email per invoice and address).
    invoice_id, invoice_number = server.query(
        "SELECT id, number FROM invoices WHERE account_id = ? ORDER BY id DESC", (acme_id,))[0]
    copy = new_request(server, acme, "billing/invoice_copy", "A copy please")
    mark = smtp_sink.mark()
    for _ in range(2):
        assert staff_post(staff, copy, "invoice-copy", {"invoice": str(invoice_id)}).status == 303
    rid = request_row(server, copy)["id"]
    rows = server.query("SELECT kind, to_addr, invoice_id FROM email_outbox WHERE request_id = ?"
                        " AND kind = 'invoice_copy'", (rid,))
    assert rows == [("invoice_copy", ACME_CONTACT, None)] * 2
    msg = smtp_sink.wait_for(lambda m: invoice_number in str(m["msg"]["Subject"]), since=mark)
    attachments = [p.get_filename() for p in msg["msg"].iter_attachments()]
    assert any(a and a.endswith(".pdf") for a in attachments), attachments
    assert "was emailed to %s" % ACME_CONTACT in text_of(acme.get("/corporate/requests/" + copy).text)
    # Actions need an open request of the account in Corporate Account Services' queue.
    assert staff_post(staff, copy, "state", {"state": "completed"}).status == 303
    assert staff_post(staff, copy, "invoice-copy", {"invoice": str(invoice_id)}).status == 409


# ---- the Care Billing Form ---------------------------------------------------------------------

def care_post(c, **fields):
    data = {"name": "Pat Doe", "email": "pat@example.com", "company": "", "account": "",
            "topic": "billing_contact", "details": "Please change our billing contact."}
    data.update(fields)
    return c.submit("/care", "/care", data)


def reset_care_window(server):
    server.execute("UPDATE requests SET created_at = created_at - 7200 WHERE source = 'care_form'")


def test_13_care_form_files_in_customer_care_queue(server):
    reset_care_window(server)
    for path in ("/corporate", "/billing"):
        assert 'href="/care"' in server.client().get(path).text
    assert 'href="/care"' not in server.client().get("/staff").text
    c = server.client(accept_language="fr")
    page = c.get("/care")
    assert page.status == 200 and 'lang="fr"' in page.text
    for field in ("name", "email", "company", "account", "topic", "details"):
        assert '<label for="%s">' % field in page.text
    r = care_post(c, email="not-an-email", details="")
    assert r.status == 400 and "not-an-email" in r.text
    # An account's real name is kept as typed text: never matched, never revealed.
    r = care_post(c, account="Acme Corporation", company="Acme", email="Pat@Example.com")
    assert r.status == 303
    number = re.search(r"sent=(REQ-\d{4}-\d{6})", r.location).group(1)
    row = request_row(server, number)
    assert (row["queue"], row["source"], row["account_id"], row["lang"]) == (
        "customer_care", "care_form", None, "fr")
    confirm = c.get("/care?sent=" + number)
    assert number in confirm.text
    mails = emails_of(server, row["id"])
    assert len(mails) == 1 and mails[0][1] == "pat@example.com"
    assert "Bonjour" in mails[0][3]
    care = signed_in(server, "staff", CARE)
    assert number in care.get("/staff/requests").text
    assert care.get("/staff/requests/" + number).status == 200
    assert signed_in(server, "staff", CAS).get("/staff/requests/" + number).status == 404
    assert staff_post(care, number, "message", {"message": "Done.", "internal": "0"}).status == 303
    reply = emails_of(server, row["id"])[-1]
    assert reply[0] == "request_reply" and "Done." in reply[3]


def test_14_care_rate_limits(server):
    reset_care_window(server)
    c = server.client(accept_language="es")
    for i in range(3):
        assert care_post(c, email="same@example.com").status == 303
    before = server.count("requests")
    r = care_post(c, email="same@example.com")
    assert r.status == 429 and r.headers.get("Retry-After")
    assert "última hora" in html.unescape(r.text)
    assert "same@example.com" in r.text
    assert server.count("requests") == before
    # Per client address too: other emails from the same address are refused.
    reset_care_window(server)
    for i in range(3):
        assert care_post(c, email="a%d@example.com" % i).status == 303
    assert care_post(c, email="fresh@example.com").status == 429
    # After an hour the form takes requests again.
    reset_care_window(server)
    assert care_post(c, email="fresh@example.com").status == 303


def test_15_italian_requests_tab(server):
    close_open(server, "Globex Italia S.p.A.")
    c = signed_in(server, "corporate", GLOBEX_LOGIN, lang="it")
    page = c.get("/corporate/requests")
    assert page.status == 200 and 'lang="it"' in page.text
    assert "Richieste" in page.text
    number = new_request(server, c, "forms/vendor_forms", "Ci serve il modulo W-9")
    row = request_row(server, number)
    assert row["lang"] == "it"
    mail = emails_of(server, row["id"])[0]
    assert "Ciao" in mail[3] or "Gentile" in mail[3]
