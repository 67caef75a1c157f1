"""The card on file (issue 12, docs/cards.md) through the sandbox gateway: saving a card on the
hosted set-up page (the card arrives with the gateway's event), the Payment Method tab showing
brand, last four digits, expiry and cardholder name, replacing and removing it, the autopay
choice (each change audited), another account (404), bad input; and the automatic charge of each
invoice due by the vendor's today, run by the payments worker: charged once, settled through the
event (invoice paid, receipt), a declined card failing with an email holding the pay link, and
never a second attempt on the same day."""
import datetime
import html
import os
import re
import time

import harness
from harness import NOT_MAILER, REPO, body_text, csrf_of, run_cobro, to_pred, wait_for

os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(REPO, "tests", "lsan.supp"))

ACME, GLOBEX = "Acme Corporation", "Globex Italia S.p.A."
ACME_LOGIN, GLOBEX_LOGIN = "acme-billing", "ap@globex.example"
TAB = "/corporate/payment-method"
CARD = "/corporate/payment-method/card"
BULLETS = "\u2022\u2022\u2022\u2022"


def text_of(page):
    m = re.search(r"<main\b.*?</main>", page, re.S)
    t = re.sub(r"<[^>]+>", " ", m.group(0) if m else page)
    return re.sub(r"\s+", " ", html.unescape(t)).replace("\u00a0", " ").replace("\u202f", " ")


def signed_in(server, login):
    c = server.client()
    r = c.sign_in_corporate(login)
    assert r.status == 303, r.text[:300]
    return c


def account_id(server, name):
    return server.scalar("SELECT id FROM accounts WHERE name = ?", (name,))


def card_row(server, name):
    rows = server.query("SELECT brand, last4, exp_month, exp_year, holder_name, autopay,"
                        " method_ref FROM payment_cards WHERE account_id = ?",
                        (account_id(server, name),))
    if not rows:
        return None
    return dict(zip(("brand", "last4", "exp_month", "exp_year", "holder", "autopay",
                     "method_ref"), rows[0]))


def audits(server, name, action):
    return server.query("SELECT old_value, new_value FROM audit_log WHERE account_id = ?"
                        " AND action = ? ORDER BY id", (account_id(server, name), action))


def choose_card_method(client):
    page = client.get(TAB)
    assert page.status == 200
    r = client.post(TAB, {"csrf": csrf_of(page.text), "method": "card"})
    assert r.status == 303, text_of(r.text)[:400]


def card_action(client, action, **fields):
    page = client.get(TAB)
    assert page.status == 200
    data = {"csrf": csrf_of(page.text), "action": action}
    data.update(fields)
    return client.post(CARD, data)


def save_card(server, client, name, number, holder="Jordan Smith", expiry="12 / 34"):
    """Adds (or replaces) the account's card on the sandbox's set-up page; returns the set-up id
    once the event has saved the card."""
    before = server.scalar("SELECT COUNT(*) FROM audit_log WHERE account_id = ? AND action IN"
                           " ('card_saved', 'card_replaced')", (account_id(server, name),))
    r = card_action(client, "setup")
    assert r.status == 303, text_of(r.text)[:400]
    path = r.location_path
    assert path.startswith("/sandbox/checkout/cs_test_"), path
    page = client.get(path)
    assert page.status == 200 and "Save a card" in page.text
    back = client.post(path, {"csrf": csrf_of(page.text), "number": number, "expiry": expiry,
                              "cvc": "123", "name": holder})
    assert back.status == 303, text_of(back.text)[:400]
    assert back.location_path == TAB, back.location
    m = re.search(r"[?&]setup=(\d+)", back.location)
    assert m, back.location
    end = time.time() + 15
    while time.time() < end:
        n = server.scalar("SELECT COUNT(*) FROM audit_log WHERE account_id = ? AND action IN"
                          " ('card_saved', 'card_replaced')", (account_id(server, name),))
        if n > before:
            return int(m.group(1))
        time.sleep(0.1)
    raise AssertionError("the card was not saved: %s" % server.stderr()[-2000:])


def verify_clean(server):
    out = run_cobro(["verify", "--db", server.db_path], cwd=server.dir)
    assert out.returncode == 0, out.stdout + out.stderr


# ---- the card on file --------------------------------------------------------------------------

def test_01_card_section_once_card_is_the_method(server):
    c = signed_in(server, ACME_LOGIN)
    assert "Card on file" not in text_of(c.get(TAB).text)
    choose_card_method(c)
    page = c.get(TAB)
    t = text_of(page.text)
    assert "Card on file" in t and "No card is saved yet." in t
    assert 'value="setup"' in page.text and "Add a card" in t
    assert 'id="autopay"' not in page.text  # nothing to charge yet


def test_02_a_set_up_not_finished_yet_reads_as_being_saved(server):
    c = signed_in(server, ACME_LOGIN)
    r = card_action(c, "setup")
    assert r.status == 303 and r.location_path.startswith("/sandbox/checkout/cs_test_")
    setup = server.scalar("SELECT MAX(id) FROM card_setups WHERE account_id = ?",
                          (account_id(server, ACME),))
    assert server.scalar("SELECT state FROM card_setups WHERE id = ?", (setup,)) == "pending"
    page = c.get("%s?setup=%d" % (TAB, setup))
    assert page.status == 200
    assert "Your card is being saved" in text_of(page.text)
    assert 'href="%s?setup=%d"' % (TAB, setup) in page.text  # the refresh link
    assert card_row(server, ACME) is None


def test_03_add_a_card_on_the_sandbox_page(server):
    c = signed_in(server, ACME_LOGIN)
    setup = save_card(server, c, ACME, "4242 4242 4242 4242")
    assert server.scalar("SELECT state FROM card_setups WHERE id = ?", (setup,)) == "succeeded"
    card = card_row(server, ACME)
    assert card == {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2034,
                    "holder": "Jordan Smith", "autopay": 0, "method_ref": "pm_sb_4242"}
    page = c.get("%s?setup=%d" % (TAB, setup))
    t = text_of(page.text)
    assert "Your card has been saved." in t
    assert "Visa %s 4242" % BULLETS in t and "12/2034" in t and "Jordan Smith" in t
    assert "Replace card" in t and "Remove card" in t
    assert re.search(r'<label for="autopay"><input type="checkbox" id="autopay" name="autopay"'
                     r' value="on" aria-describedby="autopay-help"> Charge each invoice to this'
                     r' card automatically on its due date</label>', page.text)
    assert [a[1] for a in audits(server, ACME, "card_setup_started")][-1] == str(setup)
    assert audits(server, ACME, "card_saved")[-1] == ("", "visa %s 4242 12/2034" % BULLETS)


def test_04_autopay_on_and_off_is_audited(server):
    c = signed_in(server, ACME_LOGIN)
    r = card_action(c, "autopay", autopay="on")
    assert r.status == 303 and r.location.endswith(TAB + "?card=autopay-on"), r.location
    assert card_row(server, ACME)["autopay"] == 1
    page = c.get(r.location_path + "?card=autopay-on")
    assert "Automatic payment is on" in text_of(page.text)
    assert re.search(r'id="autopay" name="autopay" value="on" checked', page.text)
    r = card_action(c, "autopay")  # the checkbox left unticked
    assert r.status == 303 and r.location.endswith("?card=autopay-off")
    assert card_row(server, ACME)["autopay"] == 0
    assert audits(server, ACME, "card_autopay")[-2:] == [("off", "on"), ("on", "off")]
    # Saving the same choice again changes nothing and logs nothing.
    n = len(audits(server, ACME, "card_autopay"))
    assert card_action(c, "autopay").status == 303
    assert len(audits(server, ACME, "card_autopay")) == n
    assert card_action(c, "autopay", autopay="on").status == 303
    assert card_row(server, ACME)["autopay"] == 1


def test_05_bad_input_changes_nothing(server):
    c = signed_in(server, ACME_LOGIN)
    before = card_row(server, ACME)
    n_audit = server.scalar("SELECT COUNT(*) FROM audit_log WHERE " + NOT_MAILER)
    for fields in ({"action": "autopay", "autopay": "maybe"}, {"action": "explode"},
                   {"action": ""}):
        r = card_action(c, **fields)
        assert r.status == 400, (fields, r.status)
        assert "Nothing was changed: use the buttons on this page." in text_of(r.text)
        assert r.text.count("<h1>") == 1
    # Without the page's token: refused before anything is read.
    assert c.post(CARD, {"action": "remove"}).status == 403
    assert c.post(CARD, {"action": "autopay"}).status == 403
    assert card_row(server, ACME) == before
    assert server.scalar("SELECT COUNT(*) FROM audit_log WHERE " + NOT_MAILER) == n_audit
    # A set-up id that is not a number, or none of ours.
    assert c.get(TAB + "?setup=abc").status == 404
    assert c.get(TAB + "?setup=999999").status == 404


def test_06_replace_keeps_the_autopay_choice(server):
    c = signed_in(server, ACME_LOGIN)
    assert card_row(server, ACME)["autopay"] == 1
    save_card(server, c, ACME, "5555555555554444", holder="Jordan Q. Smith", expiry="03/2031")
    card = card_row(server, ACME)
    assert (card["brand"], card["last4"], card["exp_month"], card["exp_year"], card["holder"],
            card["autopay"]) == ("mastercard", "4444", 3, 2031, "Jordan Q. Smith", 1)
    t = text_of(c.get(TAB).text)
    assert "Mastercard %s 4444" % BULLETS in t and "03/2031" in t and "4242" not in t
    assert audits(server, ACME, "card_replaced")[-1] == (
        "visa %s 4242" % BULLETS, "mastercard %s 4444 03/2031" % BULLETS)


def test_07_another_account_cannot_see_or_act(server):
    acme_setup = server.scalar("SELECT MAX(id) FROM card_setups WHERE account_id = ?",
                               (account_id(server, ACME),))
    before = card_row(server, ACME)
    g = signed_in(server, GLOBEX_LOGIN)
    assert g.get("%s?setup=%d" % (TAB, acme_setup)).status == 404
    choose_card_method(g)
    page = g.get(TAB)
    assert "4444" not in text_of(page.text) and "Jordan" not in page.text
    # Globex has no card: removing or switching autopay finds nothing, and Acme's is untouched.
    assert card_action(g, "remove").status == 404
    assert card_action(g, "autopay", autopay="on").status == 404
    assert card_row(server, ACME) == before
    assert card_row(server, GLOBEX) is None


def test_08_remove_the_card(server):
    c = signed_in(server, ACME_LOGIN)
    r = card_action(c, "remove")
    assert r.status == 303 and r.location.endswith("?card=removed")
    assert card_row(server, ACME) is None
    assert audits(server, ACME, "card_removed")[-1] == ("mastercard %s 4444" % BULLETS, "")
    t = text_of(c.get(r.location_path + "?card=removed").text)
    assert "The card has been removed." in t and "Add a card" in t and "4444" not in t
    assert card_action(c, "remove").status == 404
    verify_clean(server)


# ---- automatic charges ---------------------------------------------------------------------

def open_invoices(server, name):
    return server.query("SELECT id, number, total - amount_paid, contact_email FROM invoices"
                        " WHERE account_id = ? AND status IN ('open', 'partially_paid')"
                        " ORDER BY id", (account_id(server, name),))


def attempts(server, invoice_id):
    return server.query("SELECT id, state, decline_code, amount FROM payments WHERE invoice_id = ?"
                        " AND source = 'saved_card' ORDER BY id", (invoice_id,))


def day_of(instant):
    return instant[:10]


def instant(day, hour=12):
    """'YYYY-MM-DD' (or a date) at hour UTC, as COBRO_NOW takes it."""
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    return "%sT%02d:00:00.000Z" % (day.isoformat(), hour)


def round_done(srv, count=1):
    """Waits until the node's payments worker has finished count rounds that charged something
    (it logs each such round once its charges are recorded)."""
    wait_for("the worker's automatic charges",
             lambda: srv.stderr().count("automatic charges") >= count)


def test_09_autopay_charges_once_a_day(nodes, smtp_sink):
    srv = nodes(harness.now_iso())
    # Acme's card is declined when charged (the set-up saves it: a set-up charges nothing);
    # Globex's succeeds, and its autopay stays off for now.
    acme, globex = signed_in(srv, ACME_LOGIN), signed_in(srv, GLOBEX_LOGIN)
    for c, name, number in ((acme, ACME, "4000000000000002"), (globex, GLOBEX, "4242424242424242")):
        choose_card_method(c)
        save_card(srv, c, name, number)
    assert card_row(srv, ACME)["last4"] == "0002"
    assert card_action(acme, "autopay", autopay="on").status == 303
    a_inv, g_inv = open_invoices(srv, ACME), open_invoices(srv, GLOBEX)
    assert a_inv and g_inv, (a_inv, g_inv)
    paid_before = {i[0]: srv.scalar("SELECT amount_paid FROM invoices WHERE id = ?", (i[0],))
                   for i in a_inv}  # the demo paid part of one by wire
    # Globex's invoices come after Acme's in the worker's order (by id): once Globex is charged
    # in a round, that round has been through Acme's.
    assert min(i[0] for i in g_inv) > 0 and max(i[0] for i in g_inv) > max(i[0] for i in a_inv)

    # The next day: every Acme invoice due by then is tried once, declined, and emailed about.
    day1 = harness.today() + datetime.timedelta(days=1)
    mark = smtp_sink.mark()
    srv = nodes(instant(day1))
    wait_for("Acme's charges declined", lambda: all(
        [a[1] for a in attempts(srv, i[0])] == ["failed"] for i in a_inv))
    for inv_id, number, balance, contact in a_inv:
        rows = attempts(srv, inv_id)
        assert (rows[0][2], rows[0][3]) == ("generic_decline", balance), rows
        msg = smtp_sink.wait_for(
            lambda m, n=number: to_pred(contact)(m) and "Automatic payment of invoice %s failed"
            % n in str(m["msg"]["Subject"]), since=mark)
        body = body_text(msg["msg"])
        assert "%s/corporate/invoices/%s/pay" % (srv.base_url, number) in body, body
        assert "0002" in body and "Nothing was charged" in body
        assert srv.scalar("SELECT amount_paid FROM invoices WHERE id = ?",
                          (inv_id,)) == paid_before[inv_id]
    assert len(smtp_sink.since(mark, lambda m: "Automatic payment" in str(m["msg"]["Subject"]))) \
        == len(a_inv)
    globex = signed_in(srv, GLOBEX_LOGIN)
    assert card_action(globex, "autopay", autopay="on").status == 303

    # Later the same day (another node starting): Globex is charged, settles through the event
    # (paid, receipt); Acme's invoices, tried today, are not tried again.
    mark = smtp_sink.mark()
    srv = nodes(instant(day1, 15))
    round_done(srv)
    wait_for("Globex's invoices paid", lambda: all(
        srv.scalar("SELECT status FROM invoices WHERE id = ?", (i[0],)) == "paid" for i in g_inv))
    for inv_id, number, balance, contact in g_inv:
        rows = attempts(srv, inv_id)
        assert [(r[1], r[3]) for r in rows] == [("succeeded", balance)], rows
        smtp_sink.wait_for(lambda m, n=number: to_pred(contact)(m) and n in body_text(m["msg"])
                           and "4242" in body_text(m["msg"]), since=mark)
    for inv_id, *_ in a_inv:
        assert len(attempts(srv, inv_id)) == 1, attempts(srv, inv_id)
    assert not smtp_sink.since(mark, lambda m: "Automatic payment" in str(m["msg"]["Subject"]))

    # The day after: one more attempt for each invoice still open, none for the paid ones.
    srv = nodes(instant(day1 + datetime.timedelta(days=1)))
    round_done(srv)
    for inv_id, *_ in a_inv:
        assert [a[1] for a in attempts(srv, inv_id)] == ["failed", "failed"]
    for inv_id, *_ in g_inv:
        assert len(attempts(srv, inv_id)) == 1
    audit = srv.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'autopay_started'")
    assert audit == 2 * len(a_inv) + len(g_inv)
    verify_clean(srv)


def test_10_only_what_is_due_on_a_card_with_autopay(nodes):
    srv = nodes(harness.now_iso())
    g_inv = sorted(open_invoices(srv, GLOBEX), key=lambda i: srv.scalar(
        "SELECT due_date FROM invoices WHERE id = ?", (i[0],)))
    dues = [srv.scalar("SELECT due_date FROM invoices WHERE id = ?", (i[0],)) for i in g_inv]
    assert len(g_inv) >= 2 and dues[-2] < dues[-1], dues
    c = signed_in(srv, ACME_LOGIN)
    choose_card_method(c)
    save_card(srv, c, ACME, "4242424242424242")
    # Acme: autopay on, then the method changed to wire transfer: nothing is charged.
    assert card_action(c, "autopay", autopay="on").status == 303
    page = c.get(TAB)
    assert c.post(TAB, {"csrf": csrf_of(page.text), "method": "wire"}).status == 303
    g = signed_in(srv, GLOBEX_LOGIN)
    choose_card_method(g)
    save_card(srv, g, GLOBEX, "4242424242424242")
    assert card_action(g, "autopay", autopay="on").status == 303

    # The day before Globex's last invoice falls due (on the vendor's clock): only the others.
    last = datetime.date.fromisoformat(dues[-1])
    srv = nodes(instant(last - datetime.timedelta(days=1)))
    round_done(srv)
    for inv, due in zip(g_inv, dues):
        assert len(attempts(srv, inv[0])) == (0 if due == dues[-1] else 1), (inv, due)
    # On its due date it is charged too.
    srv = nodes(instant(last))
    round_done(srv)
    assert len(attempts(srv, g_inv[-1][0])) == 1
    assert srv.scalar("SELECT COUNT(*) FROM payments p JOIN invoices i ON i.id = p.invoice_id"
                      " WHERE i.account_id = ? AND p.source = 'saved_card'",
                      (account_id(srv, ACME),)) == 0


def test_11_the_extra_authentication_step_on_a_set_up_page(server):
    """Approved, the card is saved; failed, nothing is saved, no event is sent (a set-up has no
    payment to fail: its id must never be read as a payment's) and the contact is back on the
    tab."""
    c = signed_in(server, ACME_LOGIN)
    choose_card_method(c)
    r = card_action(c, "setup")
    path = r.location_path
    page = c.get(path)
    r = c.post(path, {"csrf": csrf_of(page.text), "number": "4000002500003155",
                      "expiry": "12 / 34", "cvc": "123", "name": "Jordan Smith"})
    assert r.status == 303 and r.location_path == path + "/authenticate"
    page = c.get(r.location_path)
    ref = path.rsplit("/", 1)[1]
    events = server.count("sandbox_events")
    r = c.post(path + "/authenticate", {"csrf": csrf_of(page.text), "outcome": "fail"})
    assert r.status == 303 and r.location_path == TAB and "setup=" not in r.location, r.location
    assert server.scalar("SELECT state FROM sandbox_sessions WHERE ref = ?", (ref,)) == "failed"
    assert server.count("sandbox_events") == events
    assert card_row(server, ACME) is None
    # Approved on a new page: saved.
    r = card_action(c, "setup")
    path = r.location_path
    page = c.get(path)
    r = c.post(path, {"csrf": csrf_of(page.text), "number": "4000002500003155",
                      "expiry": "12 / 34", "cvc": "123", "name": "Jordan Smith"})
    page = c.get(r.location_path)
    r = c.post(path + "/authenticate", {"csrf": csrf_of(page.text), "outcome": "approve"})
    assert r.status == 303 and r.location_path == TAB and "setup=" in r.location
    wait_for("the card saved", lambda: card_row(server, ACME) is not None)
    assert card_row(server, ACME)["last4"] == "3155"
