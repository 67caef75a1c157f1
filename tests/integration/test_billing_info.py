"""Billing Center, billing information (issue 13): the billing administrator of an online account
edits the Bill To address and phone (the country fixed, no billing contact: the administrator is a
product login), manages the invoice recipients, and saves, replaces and removes the card on file
on the sandbox gateway's hosted set-up page (no autopay choice: online renewals are charged
anyway). Each change is audited as the "billing" actor; refused input comes back as typed with its
message (in the user's language) and writes nothing; a member gets 404 for every page and action,
another online account's rows answer 404, and every POST needs the page's CSRF token."""
import html
import os
import re
import time

import pytest

from harness import NOT_MAILER, REPO, csrf_of, input_value, run_cobro

os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(REPO, "tests", "lsan.supp"))

OWNER, MEMBER = "owner@initech.example", "user@initech.example"
OTHER = "admin@hooli.example"  # the billing administrator of a second online account
INITECH, HOOLI = "Initech", "Hooli"
BILL_TO, RECIPIENTS, TAB = "/billing/bill-to", "/billing/recipients", "/billing/payment-method"
BULLETS = "\u2022\u2022\u2022\u2022"
ACCOUNT_COLS = ("bill_to_name", "address_line1", "address_line2", "city", "region", "postal_code",
                "country", "phone")
GOOD = {"bill_to_name": "Initech LLC", "address_line1": "500 Congress Avenue",
        "address_line2": "Suite 210", "city": "Austin", "region": "TX", "postal_code": "78701",
        "phone": "+1 (512) 555-0142"}
SUMMARY = "Please correct the fields marked below."
NOTHING_CHANGED = "Nothing was changed: use the buttons on this page."


def text_of(page):
    m = re.search(r"<main\b.*?</main>", page, re.S)
    t = re.sub(r"<[^>]+>", " ", m.group(0) if m else page)
    return re.sub(r"\s+", " ", html.unescape(t)).replace("\u00a0", " ").replace("\u202f", " ")


def account_id(server, name):
    return server.scalar("SELECT id FROM accounts WHERE name = ?", (name,))


def user_id(server, email_addr):
    return server.scalar("SELECT id FROM account_users WHERE email = ?", (email_addr,))


def signed_in(server, email_addr, lang=None):
    c = server.client(accept_language=lang) if lang else server.client()
    r = c.sign_in_billing(email_addr)
    assert r.status == 303 and r.location_path == "/billing/account", (r.status, r.text[:300])
    return c


def field_error(page, field):
    m = re.search(r'<p class="field-error" id="%s-error">(.*?)</p>' % re.escape(field), page, re.S)
    return html.unescape(m.group(1)) if m else None


def selected(page, name):
    """An input's value, or the selected option of a select."""
    m = re.search(r'<select\b[^>]*\bname="%s"[^>]*>(.*?)</select>' % name, page, re.S)
    if not m:
        return input_value(page, name)
    chosen = re.findall(r'<option value="([^"]*)" selected>', m.group(1))
    return html.unescape(chosen[0]) if chosen else None


def state(server):
    """Everything these pages may write, for before/after comparisons."""
    return {
        "accounts": server.query("SELECT id, %s FROM accounts ORDER BY id" % ", ".join(ACCOUNT_COLS)),
        "credentials": server.query("SELECT id, contact_name, contact_email FROM portal_credentials"
                                    " ORDER BY id"),
        "recipients": server.query("SELECT id, account_id, name, email FROM invoice_recipients"
                                   " ORDER BY id"),
        "cards": server.query("SELECT account_id, last4, autopay FROM payment_cards"
                              " ORDER BY account_id"),
        "setups": server.count("card_setups"),
        "audit": server.count("audit_log", NOT_MAILER),
        "outbox": server.count("email_outbox"),
    }


def audits(server, action, name=INITECH):
    return server.query("SELECT actor_kind, actor_id, field, old_value, new_value FROM audit_log"
                        " WHERE account_id = ? AND action = ? ORDER BY id",
                        (account_id(server, name), action))


def card_row(server, name=INITECH):
    rows = server.query("SELECT brand, last4, exp_month, exp_year, holder_name, autopay"
                        " FROM payment_cards WHERE account_id = ?", (account_id(server, name),))
    return rows[0] if rows else None


def card_action(c, action, **fields):
    return c.post(TAB, dict(fields, action=action, csrf=c.csrf(TAB)))


def save_card(server, c, number, holder="Bill Lumbergh", expiry="12 / 34"):
    """Adds or replaces Initech's card on the sandbox's set-up page; the set-up id once the
    gateway's event has saved it."""
    before = len(audits(server, "card_saved")) + len(audits(server, "card_replaced"))
    r = card_action(c, "setup")
    assert r.status == 303, text_of(r.text)[:400]
    path = r.location_path
    assert path.startswith("/sandbox/checkout/cs_test_"), path
    page = c.get(path)
    assert page.status == 200 and "Save a card" in page.text
    back = c.post(path, {"csrf": csrf_of(page.text), "number": number, "expiry": expiry,
                         "cvc": "123", "name": holder})
    assert back.status == 303 and back.location_path == TAB, back.location
    setup = int(re.search(r"[?&]setup=(\d+)", back.location).group(1))
    end = time.time() + 15
    while time.time() < end:
        if len(audits(server, "card_saved")) + len(audits(server, "card_replaced")) > before:
            return setup
        time.sleep(0.1)
    raise AssertionError("the card was not saved: %s" % server.stderr()[-2000:])


@pytest.fixture(scope="module", autouse=True)
def hooli(server):
    """A second online account with its billing administrator (the owner's demo password), one
    invoice recipient and a card on file."""
    hash_ = server.scalar("SELECT password_hash FROM account_users WHERE email = ?", (OWNER,))
    server.execute("INSERT INTO accounts (kind, name, currency, lang, bill_to_name, address_line1,"
                   " city, region, postal_code, country, phone, created_at) VALUES ('online',"
                   " ?, 'USD', 'en', 'Hooli', '1 Hacker Way', 'Palo Alto', 'CA', '94301', 'US',"
                   " '+1 650 555 0100', 0)", (HOOLI,))
    hid = account_id(server, HOOLI)
    server.execute("INSERT INTO account_users (account_id, email, name, role, password_hash,"
                   " created_at) VALUES (?, ?, 'Gavin Belson', 'billing_admin', ?, 0)",
                   (hid, OTHER, hash_))
    server.execute("INSERT INTO invoice_recipients (account_id, name, email, created_at)"
                   " VALUES (?, 'Hooli AP', 'ap@hooli.example', 0)", (hid,))
    server.execute("INSERT INTO payment_cards (account_id, gateway, customer_ref, method_ref,"
                   " brand, last4, exp_month, exp_year, holder_name, autopay, updated_at) VALUES"
                   " (?, 'sandbox', 'cus_sb_hooli', 'pm_sb_1881', 'visa', '1881', 1, 2033,"
                   " 'Gavin Belson', 0, 0)", (hid,))
    yield hid


def a_recipient(server):
    """The id of one of Initech's invoice recipients (added when it has none)."""
    aid = account_id(server, INITECH)
    if not server.count("invoice_recipients", "account_id = ?", (aid,)):
        server.execute("INSERT INTO invoice_recipients (account_id, name, email, created_at)"
                       " VALUES (?, 'Tom Smykowski', 'tom@initech.example', 0)", (aid,))
    return server.scalar("SELECT MIN(id) FROM invoice_recipients WHERE account_id = ?", (aid,))


@pytest.fixture(autouse=True)
def fresh(server):
    server.execute("DELETE FROM sign_in_attempts")
    yield


# ---- Bill To ------------------------------------------------------------------------------------

def test_01_account_page_leads_to_each_page(server):
    c = signed_in(server, OWNER)
    page = c.get("/billing/account").text
    assert re.search(r'<a href="/billing/bill-to">Edit</a>', page)
    assert '<a href="/billing/recipients">Manage invoice recipients</a>' in page
    nav = re.search(r'<nav class="tabs".*?</nav>', page, re.S).group(0)
    assert [html.unescape(x) for x in re.findall(r'<a href="([^"]+)"', nav)] == [
        "/billing/account", "/billing/subscription", "/billing/invoices",
        "/billing/payment-method"]
    # The Account tab stays current on the pages it leads to.
    for path in (BILL_TO, RECIPIENTS):
        nav = re.search(r'<nav class="tabs".*?</nav>', c.get(path).text, re.S).group(0)
        assert re.search(r'href="/billing/account" aria-current="page"', nav), path


def test_02_form_prefilled_without_contact_and_the_country_fixed(server):
    c = signed_in(server, OWNER)
    r = c.get(BILL_TO)
    assert r.status == 200 and r.text.count("<h1>") == 1
    for f, v in (("bill_to_name", "Initech"), ("address_line1", "4120 Freidrich Lane"),
                 ("city", "Austin"), ("region", "TX"), ("postal_code", "78744"),
                 ("phone", "+1 512 555 0199")):
        assert selected(r.text, f) == v, f
    assert input_value(r.text, "contact_name") is None
    assert input_value(r.text, "contact_email") is None
    assert input_value(r.text, "country") is None
    t = text_of(r.text)
    assert "United States" in t
    assert "The country cannot be changed here. To change it, contact Customer Care." in t
    assert re.search(r'<form\b[^>]*action="/billing/bill-to"', r.text)


def test_03_save_is_shown_and_audited_field_by_field(server):
    c = signed_in(server, OWNER)
    before = server.query("SELECT %s FROM accounts WHERE name = ?" % ", ".join(ACCOUNT_COLS),
                          (INITECH,))[0]
    outbox = server.count("email_outbox")
    # A country and contact fields posted anyway are not read.
    r = c.post(BILL_TO, dict(GOOD, country="FR", contact_email="evil@example.com",
                             csrf=c.csrf(BILL_TO)))
    assert r.status == 303 and r.location.endswith("/billing/account?saved=1"), r.status
    row = server.query("SELECT %s FROM accounts WHERE name = ?" % ", ".join(ACCOUNT_COLS),
                       (INITECH,))[0]
    assert row == ("Initech LLC", "500 Congress Avenue", "Suite 210", "Austin", "TX", "78701",
                   "US", "+1 (512) 555-0142")
    assert server.count("email_outbox") == outbox
    t = text_of(c.get("/billing/account?saved=1").text)
    assert "Your changes have been saved." in t and "500 Congress Avenue" in t
    owner = user_id(server, OWNER)
    got = {f: (k, a, o, n) for k, a, f, o, n in audits(server, "bill_to_changed")}
    assert got == {
        "bill_to_name": ("billing", owner, before[0], "Initech LLC"),
        "address_line1": ("billing", owner, before[1], "500 Congress Avenue"),
        "address_line2": ("billing", owner, before[2], "Suite 210"),
        "postal_code": ("billing", owner, before[5], "78701"),
        "phone": ("billing", owner, before[7], "+1 (512) 555-0142"),
    }


@pytest.mark.parametrize("field,value,message", [
    ("phone", "call me", "Enter a phone number of 7 to 20 digits; spaces, +, - and parentheses "
                         "are allowed."),
    ("postal_code", "ABC", "Enter a postal code in this country's format."),
    ("city", "", "This field is required."),
    ("address_line1", "x" * 101, "This is too long."),
    ("bill_to_name", "Ini\ttech", None),  # one line only: its own message
    ("region", "Ontario", "Choose the state or province from the list: the tax on your invoices "
                          "depends on it."),
])
def test_04_refused_field_is_kept_with_its_message_and_nothing_is_written(server, field, value,
                                                                          message):
    c = signed_in(server, OWNER)
    before = state(server)
    r = c.post(BILL_TO, dict(GOOD, **{field: value}, csrf=c.csrf(BILL_TO)))
    assert r.status == 400
    assert SUMMARY in text_of(r.text)
    if message:
        assert field_error(r.text, field) == message
        assert selected(r.text, field) == value
    else:
        assert field_error(r.text, field).startswith("Type this on one line")
        assert input_value(r.text, field) == "Ini\u2409tech"
    assert selected(r.text, "city") == (value if field == "city" else GOOD["city"])
    assert state(server) == before


def test_05_refusals_in_spanish(server):
    c = signed_in(server, OWNER, lang="es")
    before = state(server)
    r = c.post(BILL_TO, dict(GOOD, phone="123", city="", csrf=c.csrf(BILL_TO)))
    assert r.status == 400
    assert field_error(r.text, "phone") == ("Introduzca un número de teléfono de 7 a 20 dígitos; "
                                            "se admiten espacios, +, - y paréntesis.")
    assert field_error(r.text, "city") == "Este campo es obligatorio."
    assert selected(r.text, "phone") == "123"
    assert ("El país no se puede cambiar aquí. Para cambiarlo, póngase en contacto con Atención "
            "al cliente.") in text_of(r.text)
    assert state(server) == before


# ---- invoice recipients -------------------------------------------------------------------------

def test_06_add_and_remove_a_recipient_audited(server):
    c = signed_in(server, OWNER)
    page = c.get(RECIPIENTS)
    assert page.status == 200 and page.text.count("<h1>") == 1
    r = c.post(RECIPIENTS, {"name": "Milton Waddams", "email": "Milton@Initech.example",
                            "csrf": csrf_of(page.text)})
    assert r.status == 303 and r.location.endswith(RECIPIENTS + "?added=1")
    rows = server.query("SELECT id, name, email FROM invoice_recipients WHERE account_id = ?",
                        (account_id(server, INITECH),))
    assert [(n, e) for _, n, e in rows][-1] == ("Milton Waddams", "milton@initech.example")
    rid = rows[-1][0]
    page = c.get(RECIPIENTS + "?added=1")
    t = text_of(page.text)
    assert "The recipient has been added." in t and "milton@initech.example" in t
    assert 'action="/billing/recipients/%d/remove"' % rid in page.text
    owner = user_id(server, OWNER)
    assert audits(server, "invoice_recipient_added")[-1] == (
        "billing", owner, "email", "", "Milton Waddams <milton@initech.example>")
    r = c.post("%s/%d/remove" % (RECIPIENTS, rid), {"csrf": csrf_of(page.text)})
    assert r.status == 303 and r.location.endswith(RECIPIENTS + "?removed=1")
    assert server.count("invoice_recipients", "id = ?", (rid,)) == 0
    assert audits(server, "invoice_recipient_removed")[-1] == (
        "billing", owner, "email", "milton@initech.example", "")
    assert "The recipient has been removed." in text_of(c.get(RECIPIENTS + "?removed=1").text)


def test_07_refused_recipient_kept_in_french(server):
    c = signed_in(server, OWNER, lang="fr")
    assert c.post(RECIPIENTS, {"name": "Samir", "email": "samir@initech.example",
                               "csrf": c.csrf(RECIPIENTS)}).status == 303
    before = state(server)
    r = c.post(RECIPIENTS, {"name": "Samir N.", "email": "SAMIR@initech.example",
                            "csrf": c.csrf(RECIPIENTS)})
    assert r.status == 400
    assert field_error(r.text, "email") == "Cette adresse reçoit déjà les factures."
    assert input_value(r.text, "name") == "Samir N."
    assert input_value(r.text, "email") == "SAMIR@initech.example"
    r = c.post(RECIPIENTS, {"name": "", "email": "not an address", "csrf": c.csrf(RECIPIENTS)})
    assert r.status == 400
    assert field_error(r.text, "name") == "Ce champ est obligatoire."
    assert input_value(r.text, "email") == "not an address"
    assert state(server) == before


# ---- the card on file ---------------------------------------------------------------------------

def test_08_payment_method_page_shows_the_demo_card_without_autopay(server):
    c = signed_in(server, OWNER)
    r = c.get(TAB)
    assert r.status == 200 and r.text.count("<h1>") == 1
    t = text_of(r.text)
    assert "Card on file" in t and "Visa %s 4242" % BULLETS in t and "12/2030" in t
    assert "Peter Gibbons" in t and "Replace card" in t and "Remove card" in t
    assert ("The renewals of your subscriptions, and the changes you make to them, are charged "
            "to the card on file.") in t
    assert 'id="autopay"' not in r.text and "automatic" not in t.lower()
    assert re.search(r'<form\b[^>]*action="/billing/payment-method"', r.text)


def test_09_replace_remove_and_save_the_card(server):
    c = signed_in(server, OWNER)
    owner = user_id(server, OWNER)
    # Replace: the Subscription page and dunning emails link to this page for it.
    setup = save_card(server, c, "5555555555554444", expiry="03/2031")
    assert card_row(server) == ("mastercard", "4444", 3, 2031, "Bill Lumbergh", 0)
    assert audits(server, "card_setup_started")[-1] == ("billing", owner, "card", "", str(setup))
    assert audits(server, "card_replaced")[-1][3:] == (
        "visa %s 4242" % BULLETS, "mastercard %s 4444 03/2031" % BULLETS)
    page = c.get("%s?setup=%d" % (TAB, setup))
    t = text_of(page.text)
    assert "Your card has been saved." in t and "Mastercard %s 4444" % BULLETS in t
    assert "03/2031" in t and "4242" not in t and 'id="autopay"' not in page.text
    r = card_action(c, "remove")
    assert r.status == 303 and r.location.endswith(TAB + "?card=removed")
    assert card_row(server) is None
    assert audits(server, "card_removed")[-1] == ("billing", owner, "card",
                                                  "mastercard %s 4444" % BULLETS, "")
    t = text_of(c.get(TAB + "?card=removed").text)
    assert "The card has been removed." in t and "No card is saved yet." in t
    assert "Add a card" in t
    assert card_action(c, "remove").status == 404  # nothing left to remove
    save_card(server, c, "4242 4242 4242 4242", expiry="12 / 34")
    assert card_row(server) == ("visa", "4242", 12, 2034, "Bill Lumbergh", 0)
    assert audits(server, "card_saved")[-1][4] == "visa %s 4242 12/2034" % BULLETS


@pytest.mark.parametrize("lang,message", [
    ("en", NOTHING_CHANGED),
    ("it", "Non è stato modificato nulla: usa i pulsanti di questa pagina."),
])
def test_10_autopay_and_unknown_actions_change_nothing(server, lang, message):
    c = signed_in(server, OWNER, lang=lang)
    assert card_row(server) is not None
    before = state(server)
    for fields in ({"action": "autopay", "autopay": "on"}, {"action": "autopay"},
                   {"action": "explode"}, {"action": ""}):
        r = c.post(TAB, dict(fields, csrf=c.csrf(TAB)))
        assert r.status == 400, fields
        assert message in text_of(r.text)
        assert r.text.count("<h1>") == 1
    assert state(server) == before
    assert card_row(server)[5] == 0
    assert c.get(TAB + "?setup=abc").status == 404
    assert c.get(TAB + "?setup=999999").status == 404


# ---- members, other accounts, CSRF --------------------------------------------------------------

def test_11_a_member_reaches_none_of_it(server):
    rid = a_recipient(server)
    m = signed_in(server, MEMBER)
    page = m.get("/billing/account")
    assert page.status == 200
    token = csrf_of(page.text)
    nav = re.search(r'<nav class="tabs".*?</nav>', page.text, re.S).group(0)
    assert re.findall(r'<a href="([^"]+)"', nav) == ["/billing/account"]
    for path in ("/billing/bill-to", "/billing/recipients", "/billing/payment-method"):
        assert path not in page.text
    before = state(server)
    for path in (BILL_TO, RECIPIENTS, TAB, TAB + "?setup=1"):
        assert m.get(path).status == 404, path
    for path, fields in ((BILL_TO, GOOD), (RECIPIENTS, {"name": "M", "email": "m@x.example"}),
                         ("%s/%d/remove" % (RECIPIENTS, rid), {}), (TAB, {"action": "setup"}),
                         (TAB, {"action": "remove"})):
        r = m.post(path, dict(fields, csrf=token))
        assert r.status == 404, path
    assert state(server) == before


def test_12_another_accounts_rows_answer_404(server, hooli):
    initech_rid = a_recipient(server)
    initech_setup = server.scalar("SELECT MAX(id) FROM card_setups WHERE account_id = ?",
                                  (account_id(server, INITECH),))
    assert initech_rid and initech_setup
    h = signed_in(server, OTHER)
    page = h.get(RECIPIENTS)
    assert "ap@hooli.example" in page.text and "@initech.example" not in page.text
    assert "1881" in text_of(h.get(TAB).text)
    before = state(server)
    r = h.post("%s/%d/remove" % (RECIPIENTS, initech_rid), {"csrf": csrf_of(page.text)})
    assert r.status == 404
    assert h.get("%s?setup=%d" % (TAB, initech_setup)).status == 404
    assert state(server) == before
    # Hooli's own set-up page comes back to Hooli's Payment Method page, not Initech's.
    r = card_action(h, "setup")
    assert r.status == 303 and r.location_path.startswith("/sandbox/checkout/")
    assert server.scalar("SELECT account_id FROM card_setups WHERE id = (SELECT MAX(id) FROM"
                         " card_setups)") == hooli


def test_13_posts_without_the_token_are_403(server):
    c = signed_in(server, OWNER)
    rid = a_recipient(server)
    before = state(server)
    for path, fields in ((BILL_TO, GOOD), (RECIPIENTS, {"name": "X", "email": "x@initech.example"}),
                         ("%s/%d/remove" % (RECIPIENTS, rid), {}), (TAB, {"action": "setup"}),
                         (TAB, {"action": "remove"})):
        assert c.post(path, fields).status == 403, path
        assert c.post(path, dict(fields, csrf="0" * 43)).status == 403, path
    assert state(server) == before


def test_14_signed_out_and_corporate_visitors_go_to_sign_in(server):
    c = server.client()
    for path in (BILL_TO, RECIPIENTS, TAB):
        r = c.get(path)
        assert r.status == 303 and r.location_path == "/billing", path
    corp = server.client()
    assert corp.sign_in_corporate("acme-billing").status == 303
    for path in (BILL_TO, RECIPIENTS, TAB):
        r = corp.get(path)
        assert r.status == 303 and r.location_path == "/billing", path


def test_15_the_database_verifies(server):
    out = run_cobro(["verify", "--db", server.db_path], cwd=server.dir)
    assert out.returncode == 0, out.stdout + out.stderr
