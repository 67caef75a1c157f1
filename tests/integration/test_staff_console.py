"""The staff console for sales reps and admins (issue 14): creating a corporate account with its
billing contact's portal User ID and the set-password email (its link works once), adding
subscriptions (a corporate account's must be annual: the schema's refusal told in words),
searching accounts by name, email, User ID and invoice number, the account page with the actions
for the customer (resend an invoice email, a password-reset link, lifting a sign-in lockout),
each audited, the audit log in words with sign-ins apart and the emails sent, who sees what
(404 for the others), CSRF, the home pages of each role and the public start page."""
import html
import os
import re

import pytest

from harness import NOT_MAILER, DEMO_PASSWORD, REPO, body_text, csrf_of, to_pred, wait_for

# The resent invoice's PDF is rendered by the mailer: the renderer's libraries' known leaks.
os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(REPO, "tests", "lsan.supp"))

ACME = "Acme Corporation"
INITECH = "Initech"
ADMIN, REP, CAS, CARE = ("admin@vendor.example", "rep@vendor.example", "cas@vendor.example",
                         "care@vendor.example")


def staff(server, email_addr):
    c = server.client()
    assert c.sign_in_staff(email_addr).status == 303
    return c


def account_id(server, name):
    return server.scalar("SELECT id FROM accounts WHERE name = ?", (name,))


def text_of(page):
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def norm(s):
    return " ".join(s.split())


def counts(server):
    """What a refused form must leave as it was (the mailer's audit lines aside)."""
    return tuple(server.count(t) for t in ("accounts", "portal_credentials", "email_outbox",
                                           "password_reset_tokens", "subscriptions")) + (
        server.count("audit_log", NOT_MAILER),)


def new_account_fields(**over):
    f = {"name": "Umbrella Holdings", "country": "us", "currency": "USD", "lang": "en",
         "bill_to_name": "Umbrella Holdings Inc.", "address_line1": "1 Raccoon Way",
         "address_line2": "", "city": "Springfield", "region": "IL", "postal_code": "62701",
         "phone": "+1 217 555 0100", "contact_name": "Alice Abernathy",
         "contact_email": "Alice@Umbrella.example", "user_id": "umbrella-billing"}
    f.update(over)
    return f


def create(c, fields):
    token = csrf_of(c.get("/staff/accounts/new").text)
    return c.post("/staff/accounts/new", dict(fields, csrf=token))


def link_re(server):
    return re.compile(re.escape(server.base_url + "/corporate/reset?token=") + r"([A-Za-z0-9_-]+)")


@pytest.fixture(autouse=True)
def fresh_attempts(server):
    server.execute("DELETE FROM sign_in_attempts")
    yield


# ---- the public start page --------------------------------------------------------------------

def test_01_start_page_offers_the_two_portals_and_not_the_staff_console(server):
    r = server.client().get("/")
    assert r.status == 200
    assert 'href="/corporate"' in r.text and 'href="/billing"' in r.text
    main = re.split(r"<footer\b", r.text)[0]
    assert 'href="/staff' not in main and "Staff console" not in main
    # The console itself stays where it was.
    assert server.client().get("/staff").status == 200


# ---- creating an account ----------------------------------------------------------------------

def test_02_refused_input_is_kept_and_nothing_is_written(server):
    c = staff(server, ADMIN)
    before = counts(server)
    r = create(c, new_account_fields(name="", country="zz", user_id="not ok!", contact_email="x@",
                                     city=""))
    assert r.status == 400
    t = norm(text_of(r.text))
    assert "Nothing was saved" in t
    assert "This field is required." in t
    assert "two-letter code" in t
    assert "Enter a username of 3 to 64" in t
    assert "Enter an email address such as name@example.com." in t
    assert 'value="not ok!"' in r.text and 'value="1 Raccoon Way"' in r.text
    assert counts(server) == before
    # A name or User ID already taken, any letter case of the User ID.
    r = create(c, new_account_fields(name=ACME, user_id="ACME-Billing"))
    assert r.status == 400
    t = norm(text_of(r.text))
    assert "An account with this name already exists" in t
    assert "This User ID is already taken" in t
    # A state the tax table does not know, in a country taxed by state.
    r = create(c, new_account_fields(region="Atlantis"))
    assert r.status == 400
    assert counts(server) == before


def test_03_a_rep_creates_an_account_that_is_theirs_and_the_link_works_once(server, smtp_sink):
    c = staff(server, REP)
    mark = smtp_sink.mark()
    r = create(c, new_account_fields())
    assert r.status == 303, r.text[:800]
    m = re.match(r"/staff/accounts/(\d+)\?done=created$", r.location_path + "?" + r.location.split("?")[1])
    assert m, r.location
    aid = int(m.group(1))
    rep_id = server.scalar("SELECT id FROM staff_users WHERE email = ?", (REP,))
    row = server.query("SELECT kind, name, country, currency, lang, sales_rep_id, region FROM"
                       " accounts WHERE id = ?", (aid,))[0]
    assert row == ("corporate", "Umbrella Holdings", "US", "USD", "en", rep_id, "IL")
    cred = server.query("SELECT user_id, contact_email FROM portal_credentials WHERE account_id = ?",
                        (aid,))
    assert cred == [("umbrella-billing", "alice@umbrella.example")]
    page = c.get(r.location_path + "?done=created")
    assert page.status == 200
    assert "umbrella-billing" in page.text and "has been created" in page.text
    # The email: User ID and the link, valid a week.
    msg = smtp_sink.wait_for(to_pred("alice@umbrella.example"), since=mark)["msg"]
    assert str(msg["Subject"]).startswith("Your Corporate Billing Portal User ID")
    body = body_text(msg)
    assert "umbrella-billing" in body and "within 7 days" in body
    token = link_re(server).search(body).group(1)
    assert server.query("SELECT t.expires_at - t.created_at FROM password_reset_tokens t JOIN"
                        " portal_credentials p ON p.id = t.credential_id WHERE p.account_id = ?",
                        (aid,)) == [(7 * 24 * 3600,)]
    # No password works before one is chosen.
    assert server.client().sign_in_corporate("umbrella-billing", DEMO_PASSWORD).status == 401
    # The link sets the password, once.
    u = server.client()
    form = u.get("/corporate/reset?token=" + token)
    assert form.status == 200
    r = u.post("/corporate/reset", {"token": token, "password": "umbrella-secret-42",
                                    "password_confirm": "umbrella-secret-42",
                                    "csrf": csrf_of(form.text)})
    assert r.status == 200 and "Your password has been changed." in r.text
    assert server.client().sign_in_corporate("umbrella-billing", "umbrella-secret-42").status == 303
    again = server.client().get("/corporate/reset?token=" + token)
    assert "This link has already been used." in again.text
    actions = [a for (a,) in server.query("SELECT action FROM audit_log WHERE account_id = ?"
                                          " AND actor_kind = 'staff' ORDER BY id", (aid,))]
    assert actions[:3] == ["account_created", "portal_user_created", "password_set_link_sent"]


def test_04_an_admin_chooses_the_rep_or_none(server):
    c = staff(server, ADMIN)
    r = create(c, new_account_fields(name="Cyberdyne Systems", user_id="ap@cyberdyne.example",
                                     contact_email="ap@cyberdyne.example", sales_rep_id="",
                                     country="IT", currency="EUR", lang="it", region="",
                                     postal_code="20121"))
    assert r.status == 303, text_of(r.text)[:2000]
    assert server.query("SELECT sales_rep_id, lang FROM accounts WHERE name = 'Cyberdyne Systems'") \
        == [(None, "it")]
    r = create(c, new_account_fields(name="Tyrell Corp", user_id="tyrell", sales_rep_id="999999"))
    assert r.status == 400 and "Choose one of the options." in r.text


# ---- who sees what ------------------------------------------------------------------------------

def test_05_who_may_create_and_who_sees_which_account(server):
    for email_addr in (CAS, CARE):
        c = staff(server, email_addr)
        assert c.get("/staff/accounts/new").status == 404
        token = csrf_of(c.get("/staff/home").text)
        before = counts(server)
        r = c.post("/staff/accounts/new", dict(new_account_fields(name="Nope", user_id="nope"),
                                               csrf=token))
        assert r.status == 404
        assert counts(server) == before
        assert "/staff/accounts/new" not in c.get("/staff/accounts").text
        # Every account.
        for name in (ACME, INITECH, "Cyberdyne Systems"):
            assert c.get("/staff/accounts/%d" % account_id(server, name)).status == 200
    rep = staff(server, REP)
    assert rep.get("/staff/accounts/%d" % account_id(server, ACME)).status == 200
    # A rep reads every account (and finds it), but acts only for their own: for the accounts of
    # nobody or of another rep, no actions shown and 404 to each.
    for name in (INITECH, "Cyberdyne Systems"):
        aid = account_id(server, name)
        page = rep.get("/staff/accounts/%d" % aid)
        assert page.status == 200
        assert "/reset-link" not in page.text and "/resend-invoice" not in page.text
        assert "/subscriptions/new" not in page.text and "Lift the lockout" not in page.text
        assert rep.get("/staff/accounts/%d/subscriptions/new" % aid).status == 404
        token = csrf_of(page.text)
        for action in ("reset-link", "lift-lockout", "resend-invoice"):
            assert rep.post("/staff/accounts/%d/%s" % (aid, action),
                            {"csrf": token, "login": "x", "number": "x"}).status == 404
    assert "Cyberdyne" in rep.get("/staff/accounts?q=cyberdyne").text
    # Subscriptions: admins and the account's rep; not Care nor Account Services.
    for email_addr in (CAS, CARE):
        assert staff(server, email_addr).get(
            "/staff/accounts/%d/subscriptions/new" % account_id(server, ACME)).status == 404
    assert rep.get("/staff/accounts/%d/subscriptions/new" % account_id(server, ACME)).status == 200


def test_06_csrf_is_required(server):
    c = staff(server, ADMIN)
    aid = account_id(server, ACME)
    before = counts(server)
    for path, fields in (("/staff/accounts/new", new_account_fields(name="NoToken", user_id="nt")),
                         ("/staff/accounts/%d/subscriptions/new" % aid, {"plan_id": "1", "seats": "1",
                                                                         "start_date": "2026-01-01"}),
                         ("/staff/accounts/%d/resend-invoice" % aid, {"number": "x"}),
                         ("/staff/accounts/%d/reset-link" % aid, {}),
                         ("/staff/accounts/%d/lift-lockout" % aid, {"login": "acme-billing"})):
        assert c.post(path, fields).status == 403, path
    assert counts(server) == before


# ---- search -------------------------------------------------------------------------------------

def hits(c, q):
    r = c.get("/staff/accounts?q=" + q)
    assert r.status == 200
    return set(re.findall(r'<a href="/staff/accounts/\d+">([^<]+)</a>', html.unescape(r.text)))


def test_07_search_by_each_key(server):
    c = staff(server, CARE)
    acme_email = server.scalar("SELECT contact_email FROM portal_credentials WHERE user_id = 'acme-billing'")
    admin_email = server.scalar("SELECT u.email FROM account_users u JOIN accounts a ON"
                                " a.id = u.account_id WHERE a.name = ? AND u.role = 'billing_admin'",
                                (INITECH,))
    number = server.scalar("SELECT i.number FROM invoices i JOIN accounts a ON a.id = i.account_id"
                           " WHERE a.name = ? ORDER BY i.id LIMIT 1", (ACME,))
    assert number, "the demo has invoices for Acme"
    assert hits(c, "acme+corp") == {ACME}                 # part of the name, any case
    assert hits(c, acme_email.upper()) == {ACME}          # the billing contact's email
    assert hits(c, admin_email) == {INITECH}              # an online account's administrator
    assert hits(c, "ACME-BILLING") == {ACME}              # the User ID
    assert hits(c, number.lower()) == {ACME}              # an invoice number
    assert hits(c, "%25") == set()                        # LIKE's own characters are plain text
    assert "No account matches this search." in c.get("/staff/accounts?q=zzz-nothing").text


# ---- subscriptions ------------------------------------------------------------------------------

def plan(server, period, currency="USD"):
    return server.scalar("SELECT p.id FROM plans p JOIN prices r ON r.plan_id = p.id WHERE"
                         " p.billing_period = ? AND r.currency = ? AND p.active = 1 ORDER BY p.id"
                         " LIMIT 1", (period, currency))


def test_08_subscriptions_annual_for_corporate_accounts(server):
    c = staff(server, REP)
    aid = account_id(server, "Umbrella Holdings")
    path = "/staff/accounts/%d/subscriptions/new" % aid
    form = c.get(path)
    assert form.status == 200
    monthly, annual = plan(server, "monthly"), plan(server, "annual")
    assert '<option value="%d"' % annual in form.text and '<option value="%d"' % monthly not in form.text
    before = counts(server)
    # Posted anyway, the database refuses it; the page says why.
    r = c.post(path, {"plan_id": str(monthly), "seats": "5", "start_date": "2026-03-31",
                      "csrf": csrf_of(form.text)})
    assert r.status == 400
    assert "Corporate accounts renew annually: choose an annual plan." in text_of(r.text)
    for bad in ({"seats": "0"}, {"seats": "many"}, {"start_date": "2026-02-30"}, {"plan_id": "999999"}):
        f = dict({"plan_id": str(annual), "seats": "5", "start_date": "2026-03-31"}, **bad)
        assert c.post(path, dict(f, csrf=csrf_of(form.text))).status == 400, bad
    assert counts(server) == before
    r = c.post(path, {"plan_id": str(annual), "seats": "5", "start_date": "2026-03-31",
                      "csrf": csrf_of(form.text)})
    assert r.status == 303, text_of(r.text)[:1500]
    rows = server.query("SELECT plan_id, seats, status, period_start, period_end, anchor_day FROM"
                        " subscriptions WHERE account_id = ?", (aid,))
    assert rows == [(annual, 5, "active", "2026-03-31", "2027-03-31", 31)]
    page = c.get("/staff/accounts/%d" % aid).text
    assert "The subscription has been added." not in page  # only with done=
    assert re.search(r'class="subscriptions', page)
    assert server.count("audit_log", "account_id = ? AND action = 'subscription_added'", (aid,)) == 1
    assert "Subscription added:" in text_of(page)


def test_08b_the_first_period_is_invoiced_at_once_and_emailed(server, smtp_sink):
    """A subscription the console adds is invoiced for its first period in the same transaction
    (the bill run invoices only the renewals after it), at the list price with the account's tax,
    due in 30 days for a corporate account, emailed to the billing contact; the invoice and the
    email's delivery are in the account's audit log."""
    aid = account_id(server, "Umbrella Holdings")
    sub_id, seats, unit, plan_id = server.query(
        "SELECT id, seats, unit_amount, plan_id FROM subscriptions WHERE account_id = ?", (aid,))[0]
    rows = server.query("SELECT id, number, issue_date, due_date, subtotal, tax_total, total,"
                        " currency, status FROM invoices WHERE account_id = ?", (aid,))
    assert len(rows) == 1, rows
    inv_id, number, issue, due, subtotal, tax, total, currency, status = rows[0]
    assert (currency, status) == ("USD", "open")
    assert subtotal == seats * unit and total == subtotal + tax
    # Springfield, Illinois: the tax table's rate for IL applies.
    rate = server.scalar("SELECT rate_ppm FROM tax_rates WHERE country = 'US' AND region = 'IL'")
    assert tax == (subtotal * rate + 500000) // 1000000
    from datetime import date, timedelta
    assert date.fromisoformat(due) - date.fromisoformat(issue) == timedelta(days=30)
    lines = server.query("SELECT subscription_id, period_start, period_end, seats, unit_amount,"
                         " net, days, term_days, kind FROM invoice_lines WHERE invoice_id = ?",
                         (inv_id,))
    assert lines == [(sub_id, "2026-03-31", "2027-03-31", seats, unit, subtotal, 365, 365, "period")]
    contact = server.scalar("SELECT contact_email FROM portal_credentials WHERE account_id = ?", (aid,))
    m = smtp_sink.wait_for(lambda m: to_pred(contact)(m) and number in str(m["msg"]["Subject"]))["msg"]
    assert any(p.get_content_type() == "application/pdf" for p in m.iter_attachments())
    assert server.query("SELECT actor_kind, old_value, new_value FROM audit_log WHERE account_id = ?"
                        " AND action = 'invoice_issued'", (aid,)) == \
        [("system", number, "%d.%02d USD" % divmod(total, 100))]
    wait_for("the email's line in the audit log",
             lambda: server.count("audit_log", "account_id = ? AND action = 'email_sent'"
                                  " AND new_value = ?", (aid, contact.lower())) >= 1)
    c = staff(server, REP)
    t = norm(text_of(c.get("/staff/accounts/%d?done=subscription" % aid).text))
    assert "The invoice for its first period has been issued and emailed" in t
    assert "Invoice %s issued: %d.%02d USD." % ((number,) + divmod(total, 100)) in t
    assert "Email sent to %s:" % contact in t


def test_08c_an_address_the_tax_table_does_not_know_adds_nothing(server):
    """The console takes only regions the tax table knows; when the table loses the account's
    region afterwards, adding a subscription is refused in words, with the form kept, and writes
    nothing (never an invoice at a silent 0 %)."""
    region, rate, name = server.query("SELECT region, rate_ppm, name FROM tax_rates WHERE country = 'US' AND"
                                " region NOT IN ('', 'IL') ORDER BY region LIMIT 1")[0]
    c = staff(server, ADMIN)
    r = create(c, new_account_fields(name="Nowhere Ltd", user_id="nowhere-billing",
                                      contact_email="ap@nowhere.example", region=region))
    assert r.status == 303, text_of(r.text)[:1500]
    aid = account_id(server, "Nowhere Ltd")
    path = "/staff/accounts/%d/subscriptions/new" % aid
    form = c.get(path)
    server.execute("DELETE FROM tax_rates WHERE country = 'US' AND region = ?", (region,))
    try:
        before = counts(server)
        r = c.post(path, {"plan_id": str(plan(server, "annual")), "seats": "2",
                          "start_date": "2026-04-01", "csrf": csrf_of(form.text)})
        assert r.status == 400
        assert "No tax rate is known for this account's address" in norm(text_of(r.text))
        assert 'value="2026-04-01"' in r.text
        assert counts(server) == before
        assert server.count("invoices", "account_id = ?", (aid,)) == 0
    finally:
        server.execute("INSERT INTO tax_rates (country, region, rate_ppm, name) VALUES ('US', ?, ?, ?)",
                       (region, rate, name))


# ---- the actions for the customer --------------------------------------------------------------

def test_09_resend_an_invoice_email_with_its_pdf_audited(server, smtp_sink):
    c = staff(server, CARE)
    aid = account_id(server, ACME)
    page = c.get("/staff/accounts/%d" % aid)
    number = server.scalar("SELECT number FROM invoices WHERE account_id = ? ORDER BY id LIMIT 1", (aid,))
    inv_id = server.scalar("SELECT id FROM invoices WHERE number = ?", (number,))
    contact = server.scalar("SELECT contact_email FROM portal_credentials WHERE account_id = ?", (aid,))
    for _ in range(2):  # twice: a copy never collides with the outbox's one email per invoice
        mark = smtp_sink.mark()
        r = c.post("/staff/accounts/%d/resend-invoice" % aid, {"number": number,
                                                                "csrf": csrf_of(page.text)})
        assert r.status == 303 and "done=resent" in r.location
        m = smtp_sink.wait_for(lambda m: to_pred(contact)(m) and number in str(m["msg"]["Subject"]),
                               since=mark)["msg"]
        pdfs = [p for p in m.iter_attachments() if p.get_content_type() == "application/pdf"]
        assert len(pdfs) == 1 and pdfs[0].get_content().startswith(b"%PDF")
    rows = server.query("SELECT kind, sender_ref, invoice_id FROM email_outbox WHERE kind ="
                        " 'invoice_copy' AND account_id = ? ORDER BY id", (aid,))
    assert rows[-2:] == [("invoice_copy", "invoice:%d" % inv_id, None)] * 2
    care_id = server.scalar("SELECT id FROM staff_users WHERE email = ?", (CARE,))
    assert server.query("SELECT actor_id, old_value, new_value FROM audit_log WHERE action ="
                        " 'invoice_email_resent' AND account_id = ?", (aid,)) == \
        [(care_id, number, contact)] * 2
    page = c.get("/staff/accounts/%d?done=resent" % aid)
    t = norm(text_of(page.text))
    assert "The invoice email is on its way" in t
    assert "Invoice %s emailed again to %s." % (number, contact) in t
    # The emails section says what was sent (answering "did you send it?").
    assert 'data-kind="invoice_copy"' in page.text and 'data-sent="1"' in page.text
    # Another account's invoice: 404.
    other = server.scalar("SELECT number FROM invoices WHERE account_id <> ? ORDER BY id LIMIT 1", (aid,))
    if other:
        assert c.post("/staff/accounts/%d/resend-invoice" % aid,
                      {"number": other, "csrf": csrf_of(page.text)}).status == 404


def test_10_password_reset_link_for_the_billing_contact(server, smtp_sink):
    c = staff(server, CAS)
    aid = account_id(server, ACME)
    cred = server.scalar("SELECT id FROM portal_credentials WHERE account_id = ?", (aid,))
    server.execute("UPDATE password_reset_tokens SET created_at = created_at - 7200 WHERE"
                   " credential_id = ?", (cred,))
    contact = server.scalar("SELECT contact_email FROM portal_credentials WHERE id = ?", (cred,))
    token = csrf_of(c.get("/staff/accounts/%d" % aid).text)
    for i in range(3):
        mark = smtp_sink.mark()
        r = c.post("/staff/accounts/%d/reset-link" % aid, {"csrf": token})
        assert r.status == 303 and "done=reset_link" in r.location
        body = body_text(smtp_sink.wait_for(to_pred(contact), since=mark)["msg"])
        assert link_re(server).search(body)
    r = c.post("/staff/accounts/%d/reset-link" % aid, {"csrf": token})
    assert r.status == 303 and "refused=limited" in r.location
    assert "Three password-reset links" in c.get(r.location_path + "?refused=limited").text
    assert server.count("audit_log", "account_id = ? AND action = 'password_reset_link_sent'",
                        (aid,)) == 3
    # An online account's link goes to its billing administrator's product login, for the
    # Billing Center's reset page, under the same rules.
    ini = account_id(server, INITECH)
    page = c.get("/staff/accounts/%d" % ini).text
    assert "Email a password-reset link to the billing administrator" in page
    mark = smtp_sink.mark()
    r = c.post("/staff/accounts/%d/reset-link" % ini, {"csrf": token})
    assert r.status == 303 and "done=reset_link" in r.location, r.location
    body = body_text(smtp_sink.wait_for(to_pred("owner@initech.example"), since=mark)["msg"])
    assert re.search(r"/billing/reset\?token=[A-Za-z0-9_-]{43}", body), body
    assert server.count("audit_log", "account_id = ? AND action = 'password_reset_link_sent'"
                        " AND actor_kind = 'staff'", (ini,)) == 1


def test_11_lift_a_sign_in_lockout(server):
    aid = account_id(server, ACME)
    for _ in range(5):
        server.client().sign_in_corporate("acme-billing", "wrong-password")
    assert server.client().sign_in_corporate("acme-billing").status == 429
    c = staff(server, CARE)
    page = c.get("/staff/accounts/%d" % aid)
    assert 'data-locked="1"' in page.text and "Lift the lockout" in page.text
    token = csrf_of(page.text)
    # Only a login of this account.
    assert c.post("/staff/accounts/%d/lift-lockout" % aid,
                  {"login": "ap@globex.example", "csrf": token}).status == 404
    r = c.post("/staff/accounts/%d/lift-lockout" % aid, {"login": "ACME-billing", "csrf": token})
    assert r.status == 303 and "done=lifted" in r.location
    assert server.client().sign_in_corporate("acme-billing").status == 303
    row = server.query("SELECT new_value, field FROM audit_log WHERE action = 'sign_in_lockout_lifted'"
                       " AND account_id = ?", (aid,))
    assert row == [("acme-billing", "login")]
    r = c.post("/staff/accounts/%d/lift-lockout" % aid, {"login": "acme-billing", "csrf": token})
    assert "refused=not_locked" in r.location
    page = c.get("/staff/accounts/%d" % aid)
    assert 'data-locked="0"' in page.text
    assert "lockout lifted" in page.text
    # Online accounts: each Billing Center user's login.
    ini = account_id(server, INITECH)
    email_addr = server.scalar("SELECT email FROM account_users WHERE account_id = ? AND role ="
                               " 'billing_admin'", (ini,))
    for _ in range(5):
        server.client().sign_in_billing(email_addr, "wrong-password")
    r = c.post("/staff/accounts/%d/lift-lockout" % ini, {"login": email_addr, "csrf": token})
    assert "done=lifted" in r.location
    assert server.client().sign_in_billing(email_addr).status == 303


# ---- the audit log in words, sign-ins apart -------------------------------------------------------

def test_12_audit_log_in_words_and_sign_ins_apart(server):
    server.client().sign_in_corporate("acme-billing")
    c = staff(server, ADMIN)
    aid = account_id(server, ACME)
    page = c.get("/staff/accounts/%d" % aid).text
    audit = page[page.index('class="audit-log'):]
    audit = audit[:audit.index("</table>")]
    sign_ins = page[page.index('class="sign-in-log'):]
    sign_ins = sign_ins[:sign_ins.index("</table>")]
    assert "Signed in." in sign_ins
    assert "Signed in." not in audit and "Account Umbrella" not in sign_ins
    assert "Sign-in lockout of acme-billing lifted" in text_of(audit)
    # Every action reads as a sentence: no code shows, each cell ends with a full stop.
    cells = re.findall(r'<td data-label="Action">([^<]*)</td>', audit)
    assert cells
    for words in cells:
        assert "_" not in words and words.endswith("."), words
    # And every field by its name in words, never its code (user_id, subscription, login...).
    fields = re.findall(r'<td data-label="Field">([^<]*)</td>', audit)
    assert fields
    for name in fields:
        assert "_" not in name and not re.fullmatch(r"[a-z0-9]+", name), name


# ---- home pages ------------------------------------------------------------------------------------

def test_13_each_role_sees_what_it_needs_on_its_home_page(server):
    rep = staff(server, REP).get("/staff/home").text
    assert "Your accounts" in rep and ACME in html.unescape(rep) and "Umbrella Holdings" in rep
    assert "Initech" not in rep
    assert "Your open quotes" in rep
    assert "/staff/payments?state=unknown" not in rep
    cas = staff(server, CAS).get("/staff/home").text
    assert "/staff/payments?state=unknown" in cas and 'data-unknown="' in cas
    assert "Your accounts" not in cas and 'action="/staff/accounts"' in cas
    care = staff(server, CARE).get("/staff/home").text
    assert 'action="/staff/accounts"' in care and "/staff/payments?state=unknown" not in care
    # Customer Care sees the online accounts in dunning (docs/dunning.md); the others do not.
    assert 'id="in-dunning"' in care and 'id="in-dunning"' not in rep and 'id="in-dunning"' not in cas
    ini = account_id(server, INITECH)
    inv = server.query("SELECT id, number FROM invoices WHERE account_id = ? AND id NOT IN"
                       " (SELECT invoice_id FROM dunning_cases) ORDER BY id LIMIT 1", (ini,))
    assert inv, "the demo has an invoice of Initech"
    if inv:
        server.execute("INSERT INTO dunning_cases (account_id, invoice_id, state, failures,"
                       " first_failed_at, updated_at) VALUES (?, ?, 'past_due', 4, 1, 1)",
                       (ini, inv[0][0]))
        try:
            care = html.unescape(staff(server, CARE).get("/staff/home").text)
            section = care[care.index('id="in-dunning"'):]
            assert INITECH in section and inv[0][1] in section and "Past due" in section
        finally:
            server.execute("DELETE FROM dunning_cases WHERE invoice_id = ?", (inv[0][0],))
    admin = staff(server, ADMIN).get("/staff/home").text
    for words in ("Open quotes", "/staff/payment-details", "/staff/payments?state=unknown",
                  "Initech", "/staff/accounts/new"):
        assert words in admin, words


def test_14_pages_in_spanish(server):
    c = server.client(accept_language="es")
    assert c.sign_in_staff(REP).status == 303
    home = c.get("/staff/home").text
    assert "Sus cuentas" in home
    form = c.get("/staff/accounts/new").text
    assert "Nueva cuenta corporativa" in form
    r = c.post("/staff/accounts/new", dict(new_account_fields(name=""), csrf=csrf_of(form)))
    assert r.status == 400 and "Este campo es obligatorio." in html.unescape(r.text)


def test_15_the_account_page_shows_its_requests(server):
    aid = account_id(server, ACME)
    cas = staff(server, CAS).get("/staff/accounts/%d" % aid).text
    assert 'id="acc-requests"' in cas and "/staff/requests?account=%d" % aid in cas
    rep = staff(server, REP).get("/staff/accounts/%d" % aid).text
    assert 'id="acc-requests"' in rep and "/staff/requests?account=" not in rep
    # Another rep's account: no requests section for this rep.
    assert 'id="acc-requests"' not in staff(server, REP).get(
        "/staff/accounts/%d" % account_id(server, "Cyberdyne Systems")).text
