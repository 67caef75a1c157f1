"""Billing Center self-service (issue 13, docs/subscriptions.md): the Subscription page, and each
change the billing administrator makes there, previewed to the cent and charged exactly that to
the card on file through the sandbox gateway: more seats (prorated by days, credited for what the
period was charged), fewer seats and monthly billing at the renewal, monthly to annual at once,
cancel and keep, reactivate, a new product; the seat limits of the price list; a preview whose
figures changed shown again; a declined card changing nothing; Customer Care acting for the
account; members and other accounts refused."""
import datetime
import html
import re

import pytest

import harness
from harness import body_text, csrf_of, run_cobro

OWNER = "owner@initech.example"
MEMBER = "user@initech.example"
CARE = "care@vendor.example"
BASE = "/billing/subscription"


def text_of(page):
    m = re.search(r"<main\b.*?</main>", page, re.S)
    t = re.sub(r"<[^>]+>", " ", m.group(0) if m else page)
    return re.sub(r"\s+", " ", html.unescape(t)).replace("\u00a0", " ").replace("\u202f", " ")


def rnd(num, den):
    """num / den rounded half away from zero (num >= 0), as cobro's money_mul_div."""
    return (2 * num + den) // (2 * den)


def d(text):
    return datetime.date.fromisoformat(text)


def initech(server):
    return server.scalar("SELECT id FROM accounts WHERE name = 'Initech'")


def subs(server):
    rows = server.query(
        "SELECT s.id, p.billing_period, s.seats, s.unit_amount, s.period_start, s.period_end,"
        " s.status, COALESCE(s.next_seats, -1), COALESCE(s.next_plan_id, 0),"
        " COALESCE(s.charged_amount, -1), COALESCE(s.charged_from, ''), s.cancel_at_period_end,"
        " pr.code, s.plan_id FROM subscriptions s JOIN plans p ON p.id = s.plan_id"
        " JOIN products pr ON pr.id = p.product_id WHERE s.account_id = ? ORDER BY s.id",
        (initech(server),))
    keys = ("id", "period", "seats", "unit", "start", "end", "status", "next_seats",
            "next_plan", "charged", "charged_from", "cancelling", "product", "plan")
    return [dict(zip(keys, r)) for r in rows]


def tax_rate(server):
    return server.scalar("SELECT rate_ppm FROM tax_rates WHERE country = 'US' AND region = 'TX'")


def signed_in(server, email=OWNER):
    c = server.client()
    r = c.sign_in_billing(email)
    assert r.status == 303, r.text[:300]
    return c


def counts(server):
    return (server.count("subscription_changes"), server.count("payments"),
            server.count("invoices"), server.count("subscriptions"))


def preview(c, what, sub=0, **fields):
    form = c.get("%s/change?do=%s&sub=%d" % (BASE, what, sub))
    assert form.status == 200, form.text[:400]
    data = {"do": what, "sub": str(sub), "step": "preview", "csrf": csrf_of(form.text)}
    data.update(fields)
    return c.post(BASE + "/change", data)


def confirm_fields(page):
    """The hidden fields of the preview's confirmation form."""
    m = re.search(r'<form[^>]*action="[^"]*/change"[^>]*>(.*?)</form>', page, re.S)
    assert m, page[:2000]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', m.group(1)))


def confirm(c, page, **override):
    f = {k: html.unescape(v) for k, v in confirm_fields(page).items()}
    f.update(override)
    return c.post(BASE + "/change", f)


@pytest.fixture(autouse=True)
def good_card(server):
    """Every test starts with the demo's sandbox card (one that is not declined)."""
    server.execute("UPDATE payment_cards SET method_ref = 'pm_sb_demo_4242', last4 = '4242'"
                   " WHERE account_id = ?", (initech(server),))
    server.execute("DELETE FROM sign_in_attempts")
    yield


def test_01_the_page_lists_each_product_with_its_renewal(server):
    c = signed_in(server)
    r = c.get(BASE)
    assert r.status == 200, r.text[:300]
    s = subs(server)[0]
    t = text_of(r.text)
    assert "Subscription" in t and "Monthly" in t
    assert "Change seats" in t and "Change billing frequency" in t and "Cancel" in t
    # The next renewal's amount: seats x price per seat, before tax.
    amount = s["seats"] * s["unit"]
    assert "$%s" % "{:,.2f}".format(amount / 100) in t, t
    assert "Add a product" in t
    assert "ending in 4242" in t


def test_02_members_and_strangers_get_nothing(server):
    c = signed_in(server, MEMBER)
    for path in (BASE, BASE + "/change?do=seats&sub=1", BASE + "/change?do=add"):
        assert c.get(path).status == 404, path
    # Another account's subscription, by id, answers 404 to the administrator too.
    other = server.scalar("SELECT id FROM subscriptions WHERE account_id <> ? ORDER BY id LIMIT 1",
                          (initech(server),))
    owner = signed_in(server)
    assert owner.get("%s/change?do=seats&sub=%d" % (BASE, other)).status == 404
    r = preview(owner, "seats", subs(server)[0]["id"], seats="6")
    page = owner.get(BASE).text
    assert owner.post(BASE + "/change", {"do": "seats", "sub": str(other), "seats": "9",
                                         "step": "preview", "csrf": csrf_of(page)}).status == 404
    # Without the CSRF token nothing is even previewed.
    assert owner.post(BASE + "/change", {"do": "seats", "sub": "1", "seats": "9",
                                         "step": "confirm", "expected_total": "1",
                                         "expected_renewal": "1"}).status == 403
    assert r.status == 200


def test_03_more_seats_preview_is_exact_and_writes_nothing(server):
    c = signed_in(server)
    s = subs(server)[0]
    before = counts(server)
    r = preview(c, "seats", s["id"], seats=str(s["seats"] + 3))
    assert r.status == 200, r.text[:500]
    today = harness.today()
    days = (d(s["end"]) - today).days
    term = (d(s["end"]) - d(s["start"])).days
    new = s["seats"] + 3
    charge = rnd(new * s["unit"] * days, term)
    credit = rnd(s["seats"] * s["unit"] * days, term)
    net = charge - credit
    tax = rnd(net * tax_rate(server), 1000000)
    f = confirm_fields(r.text)
    assert int(f["expected_total"]) == net + tax, (f, charge, credit, tax)
    renewal_net = new * s["unit"]
    assert int(f["expected_renewal"]) == renewal_net + rnd(renewal_net * tax_rate(server), 1000000)
    t = text_of(r.text)
    assert "%d of %d days" % (days, term) in t, t
    assert "Confirm and pay" in t
    assert counts(server) == before
    assert subs(server)[0] == s


def test_04_confirming_charges_exactly_the_preview(server, smtp_sink):
    c = signed_in(server)
    s = subs(server)[0]
    r = preview(c, "seats", s["id"], seats=str(s["seats"] + 2))
    expected = int(confirm_fields(r.text)["expected_total"])
    r = confirm(c, r.text)
    assert r.status == 303, r.text[:800]
    assert "done=" in r.location
    change = server.query("SELECT state, total, invoice_id, payment_id, credit, charge"
                          " FROM subscription_changes ORDER BY id DESC LIMIT 1")[0]
    assert change[0] == "applied" and change[1] == expected
    pay = server.query("SELECT amount, state, source FROM payments WHERE id = ?", (change[3],))[0]
    assert pay == (expected, "succeeded", "saved_card")
    inv = server.query("SELECT total, amount_paid, status FROM invoices WHERE id = ?",
                       (change[2],))[0]
    assert inv == (expected, expected, "paid")
    line = server.query("SELECT kind, from_seats, seats, credit, net FROM invoice_lines"
                        " WHERE invoice_id = ?", (change[2],))[0]
    assert line[0] == "change" and line[1] == s["seats"] and line[2] == s["seats"] + 2
    assert line[3] == change[4] and line[4] == change[5] - change[4]
    after = subs(server)[0]
    assert after["seats"] == s["seats"] + 2 and after["charged"] == change[5]
    assert after["charged_from"] == harness.today().isoformat()
    page = c.get(r.location_path + "?" + r.location.split("?", 1)[1])
    assert "was charged to the card on file" in text_of(page.text)
    assert server.count("audit_log", "action = 'subscription_changed'") >= 1
    # The invoice is emailed to the billing administrator.
    number = server.scalar("SELECT number FROM invoices WHERE id = ?", (change[2],))
    smtp_sink.wait_for(lambda m: number in m["msg"]["Subject"] and OWNER in m["rcpt_tos"])
    v = run_cobro(["verify", "--db", server.db_path], cwd=server.dir)
    assert v.returncode == 0, v.stdout + v.stderr


def test_05_a_second_change_credits_what_the_first_charged(server):
    c = signed_in(server)
    s = subs(server)[0]
    assert s["charged"] > 0  # from test 04
    r = preview(c, "seats", s["id"], seats=str(s["seats"] + 1))
    today = harness.today()
    days = (d(s["end"]) - today).days
    covered = (d(s["end"]) - d(s["charged_from"])).days
    credit = rnd(s["charged"] * days, covered)
    assert credit == s["charged"]  # the same day: all of it, never more
    r = confirm(c, r.text)
    assert r.status == 303, r.text[:500]
    line = server.query("SELECT l.credit FROM invoice_lines l JOIN subscription_changes c"
                        " ON c.invoice_id = l.invoice_id ORDER BY c.id DESC LIMIT 1")[0]
    assert line[0] == credit


def test_06_a_changed_preview_is_shown_again_and_nothing_is_charged(server):
    c = signed_in(server)
    s = subs(server)[0]
    r = preview(c, "seats", s["id"], seats=str(s["seats"] + 4))
    f = confirm_fields(r.text)
    before = counts(server)
    r = confirm(c, r.text, expected_total=str(int(f["expected_total"]) - 1))
    assert r.status == 409
    assert "have changed since you looked" in text_of(r.text)
    assert counts(server) == before
    assert subs(server)[0]["seats"] == s["seats"]


def test_07_fewer_seats_wait_for_the_renewal(server):
    c = signed_in(server)
    s = subs(server)[0]
    before = counts(server)
    r = preview(c, "seats", s["id"], seats="2")
    assert r.status == 200
    assert "Charged now" not in text_of(r.text)
    r = confirm(c, r.text)
    assert r.status == 303
    after = subs(server)[0]
    assert after["seats"] == s["seats"] and after["next_seats"] == 2
    assert server.count("payments") == before[1] and server.count("invoices") == before[2]
    page = text_of(c.get(BASE).text)
    assert "2 seats." in page
    # Asking for the seats it has takes the decrease back.
    r = confirm(c, preview(c, "seats", s["id"], seats=str(s["seats"])).text)
    assert r.status == 303 and subs(server)[0]["next_seats"] == -1


def test_08_seat_limits_and_bad_numbers_keep_what_was_typed(server):
    c = signed_in(server)
    s = subs(server)[0]
    server.execute("UPDATE products SET max_seats = 50 WHERE code = ?", (s["product"],))
    try:
        r = preview(c, "seats", s["id"], seats="51")
        assert r.status == 400
        t = text_of(r.text)
        assert "Choose from 1 to 50 seats" in t
        assert 'value="51"' in r.text
        r = preview(c, "seats", s["id"], seats="five")
        assert r.status == 400 and "whole number" in text_of(r.text) and 'value="five"' in r.text
        c.set_cookie("cobro_lang", "it")
        r = preview(c, "seats", s["id"], seats="51")
        assert r.status == 400
        assert "50" in text_of(r.text) and "Choose from" not in text_of(r.text)
    finally:
        server.execute("UPDATE products SET max_seats = 10000 WHERE code = ?", (s["product"],))


def test_09_a_declined_card_changes_nothing(server):
    server.execute("UPDATE payment_cards SET method_ref = 'pm_sb_test_9995', last4 = '9995'"
                   " WHERE account_id = ?", (initech(server),))
    c = signed_in(server)
    s = subs(server)[0]
    r = preview(c, "seats", s["id"], seats=str(s["seats"] + 5))
    r = confirm(c, r.text)
    assert r.status == 402, r.text[:300]
    t = text_of(r.text)
    assert "insufficient funds" in t and "Nothing was charged" in t
    assert "/billing/payment-method" in r.text
    assert subs(server)[0] == s
    change = server.query("SELECT state, decline_code, invoice_id FROM subscription_changes"
                          " ORDER BY id DESC LIMIT 1")[0]
    assert change == ("declined", "insufficient_funds", None)


def test_10_monthly_to_annual_now_with_a_credit(server):
    c = signed_in(server)
    s = subs(server)[0]
    # A decrease waiting for the renewal is called off by a year starting today, and said so.
    r = confirm(c, preview(c, "seats", s["id"], seats="2").text)
    assert r.status == 303 and subs(server)[0]["next_seats"] == 2
    s = subs(server)[0]
    r = preview(c, "frequency", s["id"])
    assert r.status == 200, r.text[:300]
    assert "The change to 2 seats waiting for the renewal is called off" in text_of(r.text)
    annual_plan, annual_unit = server.query(
        "SELECT p.id, c.unit_amount FROM plans p JOIN prices c ON c.plan_id = p.id"
        " JOIN products pr ON pr.id = p.product_id WHERE pr.code = ? AND p.billing_period ="
        " 'annual' AND c.currency = 'USD'", (s["product"],))[0]
    today = harness.today()
    days_left = (d(s["end"]) - today).days
    covered = (d(s["end"]) - d(s["charged_from"] or s["start"])).days
    charged = s["charged"] if s["charged"] >= 0 else s["seats"] * s["unit"]
    credit = rnd(charged * days_left, covered)
    net = s["seats"] * annual_unit - credit
    tax = rnd(net * tax_rate(server), 1000000)
    assert int(confirm_fields(r.text)["expected_total"]) == net + tax
    r = confirm(c, r.text)
    assert r.status == 303, r.text[:500]
    after = subs(server)[0]
    assert after["period"] == "annual" and after["plan"] == annual_plan
    assert after["next_seats"] == -1 and after["seats"] == s["seats"]
    assert after["start"] == today.isoformat()
    assert d(after["end"]).year == today.year + 1


def test_11_annual_to_monthly_waits_for_the_renewal(server):
    c = signed_in(server)
    s = subs(server)[0]
    assert s["period"] == "annual"
    r = confirm(c, preview(c, "frequency", s["id"]).text)
    assert r.status == 303
    after = subs(server)[0]
    assert after["period"] == "annual" and after["next_plan"] > 0
    assert "monthly billing" in text_of(c.get(BASE).text)


def test_12_cancel_and_keep(server):
    c = signed_in(server)
    s = subs(server)[0]
    r = preview(c, "cancel", s["id"], reason="Too expensive for us")
    assert r.status == 200
    assert "does not renew" in text_of(r.text)
    r = confirm(c, r.text)
    assert r.status == 303
    after = subs(server)[0]
    assert after["cancelling"] == 1
    t = text_of(c.get(BASE).text)
    assert "Cancelled: ends on" in t and "Too expensive for us" in t and "Keep the subscription" in t
    r = confirm(c, preview(c, "undo-cancel", s["id"]).text)
    assert r.status == 303 and subs(server)[0]["cancelling"] == 0


def test_13_add_a_product_co_termed(server):
    c = signed_in(server)
    have = {x["product"] for x in subs(server) if x["status"] == "active"}
    code = server.scalar("SELECT code FROM products WHERE code NOT IN (%s) ORDER BY code LIMIT 1"
                         % ",".join("?" * len(have)), tuple(have))
    r = preview(c, "add", 0, product=code, frequency="monthly", seats="3")
    assert r.status == 200, r.text[:500]
    r = confirm(c, r.text)
    assert r.status == 303, r.text[:500]
    new = [x for x in subs(server) if x["product"] == code][0]
    assert new["seats"] == 3 and new["status"] == "active"
    # The same product twice is refused in words.
    r = preview(c, "add", 0, product=code, frequency="monthly", seats="3")
    assert r.status == 400 and "already has this product" in text_of(r.text)


def test_14_customer_care_acts_for_the_account(server):
    staff = server.client()
    assert staff.sign_in_staff(CARE).status == 303
    acct = initech(server)
    base = "/staff/accounts/%d/subscription" % acct
    assert 'href="%s"' % base in staff.get("/staff/accounts/%d" % acct).text
    r = staff.get(base)
    assert r.status == 200 and "Initech" in text_of(r.text)
    s = [x for x in subs(server) if x["status"] == "active"][0]
    form = staff.get("%s/change?do=seats&sub=%d" % (base, s["id"]))
    r = staff.post(base + "/change", {"do": "seats", "sub": str(s["id"]), "step": "preview",
                                      "seats": str(s["seats"] + 1), "csrf": csrf_of(form.text)})
    assert r.status == 200, r.text[:300]
    f = {k: html.unescape(v) for k, v in confirm_fields(r.text).items()}
    r = staff.post(base + "/change", f)
    assert r.status == 303, r.text[:500]
    care_id = server.scalar("SELECT id FROM staff_users WHERE email = ?", (CARE,))
    row = server.query("SELECT actor_kind, actor_id FROM audit_log WHERE action ="
                       " 'subscription_changed' ORDER BY id DESC LIMIT 1")[0]
    assert row == ("staff", care_id)
    # A corporate account has no such page.
    corp = server.scalar("SELECT id FROM accounts WHERE kind = 'corporate' ORDER BY id LIMIT 1")
    assert staff.get("/staff/accounts/%d/subscription" % corp).status == 404
    assert "/subscription" not in staff.get("/staff/accounts/%d" % corp).text
    # A sales rep sees neither the link nor the page.
    rep = server.client()
    rep_email = server.scalar("SELECT email FROM staff_users WHERE role = 'sales_rep' LIMIT 1")
    assert rep.sign_in_staff(rep_email).status == 303
    assert rep.get(base).status == 404
    assert 'href="%s"' % base not in rep.get("/staff/accounts/%d" % acct).text


def _charging_change(server, extra_seats, sandbox_state):
    """A change of seats left charging as a server that died after asking the gateway would leave
    it: its row and its payment (processing, due to be asked), and the gateway's own record of the
    charge (sandbox_state: 'complete', or None when the charge never reached the gateway)."""
    s = [x for x in subs(server) if x["status"] == "active" and x["period"] == "monthly"][0]
    row = server.query("SELECT anchor_day, COALESCE(next_unit_amount, -1) FROM subscriptions"
                       " WHERE id = ?", (s["id"],))[0]
    basis = "%d|%s|%d|%d|%d|%s|%s|%d|%d|%d|%d|%d|%s|%d" % (
        s["id"], s["status"], s["plan"], s["seats"], s["unit"], s["start"], s["end"], row[0],
        s["next_seats"], row[1], s["next_plan"], s["charged"], s["charged_from"], s["cancelling"])
    today = harness.today()
    days, term = (d(s["end"]) - today).days, (d(s["end"]) - d(s["start"])).days
    new = s["seats"] + extra_seats
    charged = s["charged"] if s["charged"] >= 0 else s["seats"] * s["unit"]
    covered = (d(s["end"]) - d(s["charged_from"] or s["start"])).days
    charge, credit = rnd(new * s["unit"] * days, term), rnd(charged * days, covered)
    net = charge - credit
    tax = rnd(net * tax_rate(server), 1000000)
    now = int(harness.now())
    acct = initech(server)
    server.execute(
        "INSERT INTO subscription_changes (account_id, subscription_id, kind, plan_id, seats,"
        " from_seats, unit_amount, currency, period_start, period_end, anchor_day, days,"
        " term_days, charge, credit, subtotal, tax_total, total, renewal_total, basis, state,"
        " actor_kind, actor_id, created_at) VALUES (?, ?, 'add_seats', ?, ?, ?, ?, 'USD', ?, ?,"
        " ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 'charging', 'billing', 1, ?)",
        (acct, s["id"], s["plan"], new, s["seats"], s["unit"], today.isoformat(), s["end"],
         row[0], days, term, charge, credit, net, tax, net + tax, basis, now))
    change = server.scalar("SELECT max(id) FROM subscription_changes")
    server.execute(
        "INSERT INTO payments (account_id, method, source, gateway, amount, currency, state,"
        " next_check_at, checks, lang, created_at, updated_at, change_id) VALUES (?, 'card',"
        " 'saved_card', 'sandbox', ?, 'USD', 'processing', ?, 1, 'en', ?, ?, ?)",
        (acct, net + tax, now - 60, now - 600, now - 600, change))
    payment = server.scalar("SELECT max(id) FROM payments")
    server.execute("UPDATE subscription_changes SET payment_id = ? WHERE id = ?",
                   (payment, change))
    if sandbox_state:
        server.execute(
            "INSERT INTO sandbox_sessions (ref, kind, object_id, amount, currency, description,"
            " lang, success_url, cancel_url, expires_at, state, payment_ref, card_brand,"
            " card_last4, idempotency_key, created_at) VALUES (?, 'charge', ?, ?, 'USD', 'x',"
            " 'en', '', '', ?, ?, ?, 'visa', '4242', ?, ?)",
            ("ch_test_lost_%d" % payment, payment, net + tax, now - 600, sandbox_state,
             "pi_sb_lost_%d" % payment, "cobro-payment-%d" % payment, now - 600))
    return s, change, payment, net + tax


def test_15_a_charge_whose_answer_was_lost_is_made_by_the_reconciliation(server):
    """The server died between charging the card and recording the answer: the reconciliation
    asks the gateway, learns the charge succeeded, and makes the change once, with its invoice
    paid; asked again, it does nothing more."""
    s, change, payment, total = _charging_change(server, 2, "complete")
    invoices = server.count("invoices")
    p = run_cobro(["payments", "reconcile", "--db", server.db_path], cwd=server.dir)
    assert p.returncode == 0, p.stderr
    state, invoice = server.query("SELECT state, invoice_id FROM subscription_changes WHERE id = ?",
                                  (change,))[0]
    assert state == "applied", p.stderr
    assert server.query("SELECT total, amount_paid, status FROM invoices WHERE id = ?",
                        (invoice,))[0] == (total, total, "paid")
    assert [x for x in subs(server) if x["id"] == s["id"]][0]["seats"] == s["seats"] + 2
    p = run_cobro(["payments", "reconcile", "--db", server.db_path], cwd=server.dir)
    assert p.returncode == 0 and server.count("invoices") == invoices + 1


def test_16_a_charge_that_never_reached_the_gateway_is_declined_and_frees_the_account(server):
    s, change, payment, total = _charging_change(server, 3, None)
    c = signed_in(server)
    r = confirm(c, preview(c, "seats", s["id"], seats=str(s["seats"] + 1)).text)
    assert r.status == 409 and "being charged right now" in text_of(r.text)
    p = run_cobro(["payments", "reconcile", "--db", server.db_path], cwd=server.dir)
    assert p.returncode == 0, p.stderr
    assert server.query("SELECT state FROM subscription_changes WHERE id = ?",
                        (change,))[0][0] == "declined"
    assert [x for x in subs(server) if x["id"] == s["id"]][0]["seats"] == s["seats"]
    r = confirm(c, preview(c, "seats", s["id"], seats=str(s["seats"] + 1)).text)
    assert r.status == 303, r.text[:400]


def test_17_reactivate_an_ended_subscription_at_todays_price(server):
    """A subscription that expired two months ago (written here as the bill run leaves one);
    reactivating it starts a period of its own from today at the price list's price, charged in
    full on a period line."""
    c = signed_in(server)
    have = {x["product"] for x in subs(server) if x["status"] == "active"}
    plan, product = server.query(
        "SELECT p.id, pr.code FROM plans p JOIN products pr ON pr.id = p.product_id"
        " JOIN prices c ON c.plan_id = p.id AND c.currency = 'USD' WHERE p.billing_period ="
        " 'monthly' AND pr.code NOT IN (%s) ORDER BY pr.code LIMIT 1" % ",".join("?" * len(have)),
        tuple(have))[0]
    today = harness.today()
    start = (today - datetime.timedelta(days=61)).isoformat()
    end = (today - datetime.timedelta(days=30)).isoformat()
    server.execute(
        "INSERT INTO subscriptions (account_id, plan_id, currency, unit_amount, seats, status,"
        " period_start, period_end, anchor_day, created_at) VALUES (?, ?, 'USD', 100, 4,"
        " 'expired', ?, ?, ?, ?)", (initech(server), plan, start, end, d(start).day,
                                    int(harness.now())))
    s = [x for x in subs(server) if x["product"] == product][0]
    page = text_of(c.get(BASE).text)
    assert "Ended on" in page and "Reactivate" in page
    price = server.scalar("SELECT unit_amount FROM prices WHERE plan_id = ? AND currency = 'USD'",
                          (plan,))
    r = preview(c, "reactivate", s["id"], seats="2")
    assert r.status == 200, r.text[:400]
    net = 2 * price
    assert int(confirm_fields(r.text)["expected_total"]) == net + rnd(net * tax_rate(server),
                                                                      1000000)
    r = confirm(c, r.text)
    assert r.status == 303, r.text[:400]
    after = [x for x in subs(server) if x["id"] == s["id"]][0]
    assert (after["status"], after["seats"], after["unit"]) == ("active", 2, price)
    assert after["start"] == today.isoformat() and after["cancelling"] == 0
    kind = server.scalar("SELECT l.kind FROM invoice_lines l JOIN subscription_changes c"
                         " ON c.invoice_id = l.invoice_id ORDER BY c.id DESC LIMIT 1")
    assert kind == "period"
    v = run_cobro(["verify", "--db", server.db_path], cwd=server.dir)
    assert v.returncode == 0, v.stdout + v.stderr


def test_17b_zero_or_too_many_seats_are_told_the_limits(server):
    """A whole number outside the product's limits (0, or far too many) is told the limits, not
    asked for "a whole number"; what was typed is kept."""
    c = signed_in(server)
    s = [x for x in subs(server) if x["status"] == "active"][0]
    for typed in ("0", "2000000", "99999999999999999999999"):
        r = preview(c, "seats", s["id"], seats=typed)
        assert r.status == 400, typed
        t = text_of(r.text)
        assert "Choose from 1 to 10000 seats for this product." in t, (typed, t)
        assert "whole number" not in t, typed
        assert 'value="%s"' % typed in r.text


def test_18_the_bill_run_renews_with_what_waited_for_the_renewal(server):
    """Last, since it renews ahead of the clock: the subscription moved to monthly billing in
    test 11 renews monthly at the end of the year paid for, at the monthly price, and what its
    period was charged is the whole period again."""
    s = subs(server)[0]
    assert s["period"] == "annual" and s["next_plan"] > 0
    at = s["end"]
    p = run_cobro(["bill-run", "--db", server.db_path, "--at", at], cwd=server.dir)
    assert p.returncode == 0, p.stderr
    renewed = subs(server)[0]
    assert renewed["period"] == "monthly" and renewed["next_plan"] == 0
    assert renewed["plan"] == s["next_plan"]
    assert renewed["start"] == at and renewed["charged"] == -1
    v = run_cobro(["verify", "--db", server.db_path], cwd=server.dir)
    assert v.returncode == 0, v.stdout + v.stderr


def _money(text):
    """Minor units of an amount as the English pages write it: $1,234.56 or -$12.00."""
    t = html.unescape(re.sub(r"<[^>]+>", "", text)).strip().replace(",", "").replace("$", "")
    neg = t.startswith("-") or t.startswith("\u2212")
    t = t.lstrip("-\u2212")
    whole, _, cents = t.partition(".")
    v = int(whole) * 100 + int((cents + "00")[:2])
    return -v if neg else v


def test_19_prices_that_include_tax_preview_what_the_invoice_shows(server):
    """With the vendor's prices including tax, the preview's rows (the charge and the credit)
    add up to its subtotal, before tax, as the invoice's rows do; confirming charges the total."""
    server.execute("UPDATE vendor_settings SET value = 'inclusive' WHERE key = 'tax_mode'")
    try:
        c = signed_in(server)
        s = [x for x in subs(server) if x["status"] == "active"][0]
        r = preview(c, "seats", s["id"], seats=str(s["seats"] + 3))
        assert r.status == 200, r.text[:400]
        body = re.search(r'<section[^>]*aria-labelledby="due".*?</section>', r.text, re.S).group(0)
        tbody = re.search(r'<tbody>.*?</tbody>', body, re.S).group(0)
        rows = [_money(m) for m in re.findall(r'<td class="num"[^>]*>(.*?)</td>', tbody)]
        foot = [_money(m) for m in re.findall(r'<td class="num">(.*?)</td>',
                                              re.search(r'<tfoot>.*?</tfoot>', body, re.S).group(0))]
        subtotal, tax, total = foot
        assert len(rows) == 2 and rows[1] < 0, rows
        assert sum(rows) == subtotal and subtotal + tax == total
        assert int(confirm_fields(r.text)["expected_total"]) == total
        r = confirm(c, r.text)
        assert r.status == 303, r.text[:400]
        inv = server.scalar("SELECT invoice_id FROM subscription_changes ORDER BY id DESC LIMIT 1")
        assert server.query("SELECT subtotal, tax_total, total FROM invoices WHERE id = ?",
                            (inv,))[0] == (subtotal, tax, total)
        v = run_cobro(["verify", "--db", server.db_path], cwd=server.dir)
        assert v.returncode == 0, v.stdout + v.stderr
    finally:
        server.execute("UPDATE vendor_settings SET value = 'exclusive' WHERE key = 'tax_mode'")
