"""Purchase orders and the payment method preference of the Corporate Billing Portal, over HTTP on
the demo data: add, edit and remove purchase orders (overlapping dates refused in both directions,
touching days count), refused input written nowhere and typed values kept; the payment method
choices (ABA routing and IBAN checks, the mandate), bank numbers shown and audited only masked; the
staff console's audit log; a bill run printing the purchase order and the payment method on the
invoice page and PDF; and the purchase-order expiry reminder of the server's scheduler, sent once
even across a restart."""
import datetime
import html
import os
import re
import subprocess
import time

import pytest

import harness
from harness import NOT_MAILER, REPO, body_text, unseal, input_tags, input_value, run_cobro, sanitizer_lines, to_pred

# As scripts/check does: fontconfig's one-time configuration is not a leak of ours (ASan build).
os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(REPO, "tests", "lsan.supp"))

ACME, GLOBEX = "Acme Corporation", "Globex Italia S.p.A."
ACME_USER, GLOBEX_USER = "acme-billing", "ap@globex.example"
DEMO_PO = "PO-4500012345"
POS = "/corporate/purchase-orders"
PAY = "/corporate/payment-method"
OVERLAP = "These dates overlap another purchase order"
MASK = "\u2022\u2022\u2022\u2022"  # what mask_account puts before the last four characters
GOOD_ROUTING, BAD_ROUTING, US_ACCOUNT = "011000015", "123456789", "123456789"
GOOD_IBAN = "IT61 X030 6909 6061 0000 0012 345"
GOOD_IBAN_FLAT = GOOD_IBAN.replace(" ", "")
BAD_IBAN = "IT61 X030 6909 6061 0000 0012 354"  # two digits swapped: mod 97 fails


def today():
    return harness.today()


def year(offset):
    return today().year + offset


def day(y, m, d):
    return datetime.date(y, m, d).isoformat()


def account_id(server, name):
    return server.scalar("SELECT id FROM accounts WHERE name = ?", (name,))


def pos_of(server, name):
    """(number, amount, start, end) of the account's purchase orders, by start date."""
    return server.query("SELECT number, amount, start_date, end_date FROM purchase_orders"
                        " WHERE account_id = ? ORDER BY start_date, id", (account_id(server, name),))


def po_id(server, name, number):
    return server.scalar("SELECT id FROM purchase_orders WHERE account_id = ? AND number = ?",
                         (account_id(server, name), number))


def audit_rows(server, name, action_like="%"):
    return server.query("SELECT action, field, old_value, new_value, actor_kind FROM audit_log"
                        " WHERE account_id = ? AND action LIKE ? ORDER BY id",
                        (account_id(server, name), action_like))


def text_of(page):
    """The page's text without tags, entities decoded, ICU's no-break spaces made plain."""
    t = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"\s+", " ", t.replace("\u00a0", " ").replace("\u202f", " "))


def main_of(page):
    return re.split(r"<footer\b", page, flags=re.I)[0]


def signed_in(server, user_id):
    c = server.client()
    r = c.sign_in_corporate(user_id)
    assert r.status == 303, (user_id, r.status, r.text[:300])
    return c


def post(c, page_path, action, fields):
    """POSTs fields (plus the csrf token of page_path) to action."""
    return c.submit(page_path, action, fields)


def pdf_text(raw):
    assert raw.startswith(b"%PDF-")
    p = subprocess.run(["pdftotext", "-", "-"], input=raw, capture_output=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return re.sub(r"\s+", " ", p.stdout.decode("utf-8").replace("\u00a0", " "))


def snapshot(server):
    """Everything a refused form must leave alone."""
    return (server.query("SELECT * FROM purchase_orders ORDER BY id"),
            server.query("SELECT id, payment_method, debit_holder, debit_routing, debit_account,"
                         " debit_iban, debit_mandate_at FROM accounts ORDER BY id"),
            server.count("audit_log", NOT_MAILER), server.count("email_outbox"))


@pytest.fixture(autouse=True)
def fresh_attempts(server):
    server.execute("DELETE FROM sign_in_attempts")
    yield


@pytest.fixture(scope="module")
def acme(server):
    return signed_in(server, ACME_USER)


@pytest.fixture(scope="module")
def globex(server):
    return signed_in(server, GLOBEX_USER)


# ---- purchase orders ---------------------------------------------------------------------------

def test_01_list_shows_the_demo_po_in_force_and_an_add_form(server, acme):
    r = acme.get(POS)
    assert r.status == 200
    page = r.text
    assert 'aria-current="page"' in page and 'href="%s"' % POS in page
    pid = po_id(server, ACME, DEMO_PO)
    row = re.search(r"<tr\b[^>]*>(?:(?!</tr>).)*%s(?:(?!</tr>).)*</tr>" % DEMO_PO, page, re.S)
    assert row, page
    assert "In force" in row.group(0)
    assert "\u2014" in row.group(0), "no amount: a dash"
    assert 'href="%s/%d"' % (POS, pid) in row.group(0)
    assert 'action="%s/%d/remove"' % (POS, pid) in row.group(0)
    assert re.search(r'<button[^>]*aria-label="[^"]*%s[^"]*"[^>]*>Remove</button>' % DEMO_PO,
                     row.group(0)), row.group(0)
    types = {t.get("name"): t.get("type") for t in input_tags(page)}
    assert types["number"] == "text" and types["amount"] == "text"
    assert types["start_date"] == "date" and types["end_date"] == "date"
    for name, label in (("number", "Purchase order number"), ("amount", "Amount"),
                        ("start_date", "Start date"), ("end_date", "Expiration date")):
        assert re.search(r'<label for="%s">%s' % (name, label), page), name
    assert "In USD" in page, "the amount's hint names the account's currency"
    assert re.search(r'<form method="post" action="%s"' % POS, page)
    assert "In EUR" in text_of(signed_in(server, GLOBEX_USER).get(POS).text)


def test_01b_account_page_shows_how_the_account_pays(server, acme):
    """The account page names the payment method and the purchase order in force today, each with
    the link to the page that changes it."""
    end = server.scalar("SELECT end_date FROM purchase_orders WHERE number = ?", (DEMO_PO,))
    card = re.search(r'<section class="card" aria-labelledby="paying">.*?</section>',
                     acme.get("/corporate/account").text, re.S)
    assert card, "a 'How you pay' card"
    words = text_of(card.group(0))
    assert "How you pay" in words and "Purchase order in force" in words
    assert DEMO_PO in words
    y, m, d = (int(x) for x in end.split("-"))
    assert "(until %s)" % datetime.date(y, m, d).strftime("%b %-d, %Y") in words, words
    assert 'href="%s"' % PAY in card.group(0) and 'href="%s"' % POS in card.group(0)
    g = re.search(r'aria-labelledby="paying">.*?</section>',
                  signed_in(server, GLOBEX_USER).get("/corporate/account").text, re.S).group(0)
    assert "Purchase order in force</dt><dd>None " in g, "Globex has no purchase order"


def test_02_add_a_po(server, acme):
    y = year(2)
    before = len(audit_rows(server, ACME, "purchase_order_added"))
    r = post(acme, POS, POS, {"number": " PO-NEXT-1 ", "amount": "1250.00",
                              "start_date": day(y, 1, 1), "end_date": day(y, 12, 31)})
    assert r.status == 303, r.text[:2000]
    assert r.location == POS + "?saved=1"
    assert ("PO-NEXT-1", 125000, day(y, 1, 1), day(y, 12, 31)) in pos_of(server, ACME)
    page = acme.get(r.location).text
    assert 'role="status"' in page and "has been saved" in page
    text = text_of(page)
    assert "PO-NEXT-1" in text and "$1,250.00" in text
    added = audit_rows(server, ACME, "purchase_order_added")
    assert len(added) == before + 1
    action, field, old, new, actor = added[-1]
    assert (field, old, actor) == ("purchase_order", "", "corporate")
    assert "PO-NEXT-1" in new and day(y, 1, 1) in new and "1250.00" in new


@pytest.mark.parametrize("lang,typed,minor", [
    ("it", "1.250,50", 125050), ("fr", "1\u202f250,50", 125050), ("es", "1250,5", 125050),
    ("en", "1,250.50", 125050), ("en", "1250", 125000),
])
def test_02b_amounts_typed_the_readers_way(server, lang, typed, minor):
    """Each language's way of writing an amount is understood (the hint shows it)."""
    c = server.client()
    c.set_cookie("cobro_lang", lang)
    assert c.sign_in_corporate(ACME_USER).status == 303
    hint = "1250,00" if lang != "en" else "1250.00"
    assert hint in html.unescape(c.get(POS).text)
    y = year(9)
    r = post(c, POS, POS, {"number": "PO-%s" % lang.upper(), "amount": typed,
                           "start_date": day(y, 1, 1), "end_date": day(y, 1, 1)})
    assert r.status == 303, html.unescape(r.text)[-2000:]
    assert ("PO-%s" % lang.upper(), minor, day(y, 1, 1), day(y, 1, 1)) in pos_of(server, ACME)
    assert post(c, "%s/%d" % (POS, po_id(server, ACME, "PO-%s" % lang.upper())),
                "%s/%d/remove" % (POS, po_id(server, ACME, "PO-%s" % lang.upper())),
                {}).status == 303


def overlap_cases():
    """Both neighbours of the demo PO [Y-1-01-01, Y+1-12-31] and PO-NEXT-1 [Y+2-01-01, Y+2-12-31]:
    touching days count, since both ends are days in force."""
    return [
        ("starts on the last day of another", day(year(2), 12, 31), day(year(3), 6, 30)),
        ("ends on the first day of another", day(year(-3), 1, 1), day(year(-1), 1, 1)),
        ("inside another", day(year(2), 3, 1), day(year(2), 4, 1)),
        ("around others", day(year(-3), 1, 1), day(year(4), 1, 1)),
        ("one day inside", day(year(0), 6, 15), day(year(0), 6, 15)),
    ]


@pytest.mark.parametrize("what,start,end", overlap_cases(), ids=[c[0] for c in overlap_cases()])
def test_03_overlapping_dates_are_refused_and_nothing_is_written(server, acme, what, start, end):
    before = snapshot(server)
    typed = {"number": "PO-OVER <&>", "amount": "99.50", "start_date": start, "end_date": end}
    r = post(acme, POS, POS, typed)
    assert r.status == 400, (what, r.status)
    assert OVERLAP in html.unescape(r.text), what
    assert 'role="alert"' in r.text
    for name, value in typed.items():
        assert input_value(r.text, name) == value, (name, input_value(r.text, name))
    assert "PO-OVER <&>" not in r.text, "typed text is escaped"
    assert re.search(r'id="end_date"[^>]*aria-invalid="true"', r.text)
    assert snapshot(server) == before


def test_04_adjacent_dates_do_not_overlap(server, acme):
    y = year(3)
    r = post(acme, POS, POS, {"number": "PO-NEXT-2", "amount": "", "start_date": day(y, 1, 1),
                              "end_date": day(y, 12, 31)})
    assert r.status == 303, html.unescape(r.text)[-3000:]
    assert ("PO-NEXT-2", None, day(y, 1, 1), day(y, 12, 31)) in pos_of(server, ACME)


@pytest.mark.parametrize("fields,bad,message", [
    ({"start_date": day(year(5), 6, 2), "end_date": day(year(5), 6, 1)}, "end_date",
     "The expiration date cannot be before the start date."),
    ({"start_date": day(year(5), 1, 1), "end_date": "%d-02-30" % year(5)}, "end_date",
     "Enter a date as YYYY-MM-DD."),
    ({"start_date": "01/02/%d" % year(5)}, "start_date", "Enter a date as YYYY-MM-DD."),
    ({"start_date": ""}, "start_date", "This field is required."),
    ({"number": "  "}, "number", "This field is required."),
    ({"number": "X" * 41}, "number", "This is too long."),
    ({"amount": "12,5,0"}, "amount", "Enter an amount such as 1250.00"),
    ({"amount": "-5"}, "amount", "Enter an amount such as 1250.00"),
    ({"amount": "1.2345"}, "amount", "Enter an amount such as 1250.00"),
    ({"amount": "ten"}, "amount", "Enter an amount such as 1250.00"),
    ({"number": "PO-\n1"}, "number", "Type this on one line"),
    ({"number": "PO-\t1"}, "number", "Type this on one line"),
    ({"amount": "10\r00"}, "amount", "Type this on one line"),
    ({"end_date": "%d-12-31\x0b" % year(5)}, "end_date", "Type this on one line"),
], ids=["end-before-start", "no-such-day", "not-iso", "no-start", "no-number", "long-number",
        "bad-groups", "negative", "four-decimals", "words", "number-lf", "number-tab",
        "amount-cr", "date-vt"])
def test_05_bad_input_is_refused_with_the_typed_values(server, acme, fields, bad, message):
    typed = dict({"number": "PO-BAD", "amount": "10.00", "start_date": day(year(5), 1, 1),
                  "end_date": day(year(5), 12, 31)}, **fields)
    before = snapshot(server)
    r = post(acme, POS, POS, typed)
    assert r.status == 400
    assert message in html.unescape(r.text)
    assert re.search(r'id="%s"[^>]*aria-invalid="true"' % bad, r.text), bad
    for name in ("number", "amount"):  # control characters come back visible
        shown = "".join(chr(0x2400 + ord(ch)) if ord(ch) < 32 else ch for ch in typed[name])
        assert input_value(r.text, name) == shown
    assert snapshot(server) == before


def test_06_edit_a_po(server, acme):
    pid = po_id(server, ACME, "PO-NEXT-1")
    r = acme.get("%s/%d" % (POS, pid))
    assert r.status == 200
    assert input_value(r.text, "number") == "PO-NEXT-1"
    assert input_value(r.text, "amount") == "1250.00"
    assert input_value(r.text, "start_date") == day(year(2), 1, 1)
    # Read in Italian, the amount shows with a decimal comma, as the hint writes it.
    it = server.client()
    it.set_cookie("cobro_lang", "it")
    assert it.sign_in_corporate(ACME_USER).status == 303
    assert input_value(it.get("%s/%d" % (POS, pid)).text, "amount") == "1250,00"
    assert input_value(r.text, "end_date") == day(year(2), 12, 31)
    # Keeping its own dates is no overlap with itself.
    r = post(acme, "%s/%d" % (POS, pid), "%s/%d" % (POS, pid),
             {"number": "PO-NEXT-1B", "amount": "", "start_date": day(year(2), 1, 1),
              "end_date": day(year(2), 12, 31)})
    assert r.status == 303, html.unescape(r.text)[-3000:]
    assert r.location == POS + "?saved=1"
    assert server.query("SELECT number, amount FROM purchase_orders WHERE id = ?",
                        (pid,)) == [("PO-NEXT-1B", None)]
    action, field, old, new, _ = audit_rows(server, ACME, "purchase_order_changed")[-1]
    assert "PO-NEXT-1 " in old and "1250.00" in old
    assert "PO-NEXT-1B" in new and "1250.00" not in new
    # Moving it onto its neighbours is refused, in both directions, the typed values kept.
    for start, end in ((day(year(1), 12, 31), day(year(2), 12, 30)),
                       (day(year(2), 1, 2), day(year(3), 1, 1))):
        before = snapshot(server)
        r = post(acme, "%s/%d" % (POS, pid), "%s/%d" % (POS, pid),
                 {"number": "PO-NEXT-1C", "amount": "5", "start_date": start, "end_date": end})
        assert r.status == 400
        assert OVERLAP in html.unescape(r.text)
        assert input_value(r.text, "number") == "PO-NEXT-1C"
        assert input_value(r.text, "start_date") == start
        assert input_value(r.text, "end_date") == end
        assert "PO-NEXT-1B" in html.unescape(r.text), "the heading names the stored number"
        assert snapshot(server) == before


def test_07_someone_elses_or_unknown_po_is_404(server, globex):
    pid = po_id(server, ACME, DEMO_PO)
    before = snapshot(server)
    for path in ("%s/%d" % (POS, pid), "%s/999999" % POS, "%s/abc" % POS, "%s/0" % POS,
                 "%s/-1" % POS):
        assert globex.get(path).status == 404, path
    fields = {"number": "STOLEN", "amount": "", "start_date": day(year(9), 1, 1),
              "end_date": day(year(9), 1, 2)}
    assert post(globex, POS, "%s/%d" % (POS, pid), fields).status == 404
    assert post(globex, POS, "%s/%d/remove" % (POS, pid), {}).status == 404
    assert post(globex, POS, "%s/999999/remove" % POS, {}).status == 404
    assert snapshot(server) == before


def test_08_remove_a_po(server, acme):
    pid = po_id(server, ACME, "PO-NEXT-2")
    r = post(acme, POS, "%s/%d/remove" % (POS, pid), {})
    assert r.status == 303
    assert r.location == POS + "?removed=1"
    assert po_id(server, ACME, "PO-NEXT-2") is None
    page = acme.get(r.location).text
    assert "has been removed" in page and "PO-NEXT-2" not in page
    action, field, old, new, _ = audit_rows(server, ACME, "purchase_order_removed")[-1]
    assert "PO-NEXT-2" in old and new == ""
    assert post(acme, POS, "%s/%d/remove" % (POS, pid), {}).status == 404, "already gone"


def test_09_post_without_csrf_is_403(server, acme):
    before = snapshot(server)
    r = acme.post(POS, {"number": "NO-CSRF", "amount": "", "start_date": day(year(7), 1, 1),
                        "end_date": day(year(7), 1, 2)})
    assert r.status == 403
    assert snapshot(server) == before


def test_10_anonymous_visitors_are_sent_to_sign_in(server):
    c = server.client()
    for path in (POS, PAY, "%s/1" % POS):
        r = c.get(path)
        assert r.status == 303 and r.location_path == "/corporate", path


# ---- payment method ----------------------------------------------------------------------------

def radios(page):
    return [t for t in input_tags(page) if t.get("type") == "radio" and t.get("name") == "method"]


def checked_method(page):
    on = [t["value"] for t in radios(page) if "checked" in t]
    assert len(on) <= 1, on
    return on[0] if on else None


def test_11_payment_page_offers_four_choices_with_their_details(server, acme, globex):
    r = acme.get(PAY)
    assert r.status == 200
    page = r.text
    assert re.search(r"<fieldset\b[^>]*>\s*<legend>How do you want to pay\?</legend>", page)
    assert [t["value"] for t in radios(page)] == ["wire", "check", "direct_debit", "card"]
    for t in radios(page):
        assert re.search(r'<label for="%s">' % t["id"], page), t
    text = text_of(main_of(page))
    for words in ("Electronic payment / wire transfer", "Direct debit / ACH / recurring bank debit",
                  "Credit or debit card", "First Republic Demo Bank", "COBADEFFXXX",
                  "DE89 3704 0044 0532 0130 00", "011000015", "000123456789",
                  "Quote the invoice number with every payment.", "Lockbox 4411",
                  "San Francisco, CA 94120", "I accept the direct debit mandate"):
        assert words in text, words
    # Card payments are online now (the sandbox gateway): the choice says how (docs/cards.md).
    assert "or save a card and have each invoice charged to it automatically" in text
    names = {t.get("name") for t in input_tags(page)}
    assert {"holder", "routing", "account", "mandate"} <= names and "iban" not in names
    mandate = [t for t in input_tags(page) if t.get("name") == "mandate"][0]
    assert mandate["type"] == "checkbox" and mandate["value"] == "yes"
    assert re.search(r'<label for="mandate">', page)
    g = globex.get(PAY).text
    gnames = {t.get("name") for t in input_tags(g)}
    assert "iban" in gnames and not {"routing", "account"} & gnames
    assert 'lang="it"' in g


@pytest.mark.parametrize("method", ["wire", "check", "card"])
def test_12_each_simple_choice_saves(server, acme, method):
    r = post(acme, PAY, PAY, {"method": method, "holder": "", "routing": "", "account": ""})
    assert r.status == 303, html.unescape(r.text)[-3000:]
    assert r.location == PAY + "?saved=1"
    assert server.scalar("SELECT payment_method FROM accounts WHERE id = ?",
                         (account_id(server, ACME),)) == method
    page = acme.get(r.location).text
    assert checked_method(page) == method
    assert "has been saved" in page
    label = {"wire": "Electronic payment / wire transfer", "check": "Check by mail",
             "card": "Credit or debit card"}[method]
    card = re.search(r'aria-labelledby="paying">.*?</section>', acme.get("/corporate/account").text,
                     re.S).group(0)
    assert label in text_of(card), "the account page names the chosen method"
    action, field, old, new, actor = audit_rows(server, ACME, "payment_method_changed")[-1]
    assert (field, new, actor) == ("payment_method", method, "corporate")


def dd_usd(**over):
    return dict({"method": "direct_debit", "holder": "Acme Corporation", "routing": GOOD_ROUTING,
                 "account": US_ACCOUNT, "mandate": "yes"}, **over)


@pytest.mark.parametrize("over,bad,message", [
    ({"routing": BAD_ROUTING}, "routing", "This is not a valid routing number (ABA)"),
    ({"routing": "01100001"}, "routing", "This is not a valid routing number (ABA)"),
    ({"account": "12a4"}, "account", "Enter an account number of 4 to 17 digits."),
    ({"account": "123"}, "account", "Enter an account number of 4 to 17 digits."),
    ({"holder": ""}, "holder", "This field is required."),
    ({"mandate": ""}, "mandate", "Accept the direct debit mandate to use this payment method."),
], ids=["bad-aba-checksum", "eight-digits", "letters", "short-account", "no-holder", "no-mandate"])
def test_13_direct_debit_usd_refusals_keep_what_was_typed(server, acme, over, bad, message):
    before = snapshot(server)
    fields = dd_usd(**over)
    r = post(acme, PAY, PAY, fields)
    assert r.status == 400
    assert message in html.unescape(r.text)
    assert 'role="alert"' in r.text
    assert re.search(r'id="%s"[^>]*aria-invalid="true"' % bad, r.text), bad
    assert checked_method(r.text) == "direct_debit"
    for name in ("holder", "routing", "account"):
        assert input_value(r.text, name) == fields[name], name
    mandate = [t for t in input_tags(r.text) if t.get("name") == "mandate"][0]
    assert ("checked" in mandate) == (fields["mandate"] == "yes")
    assert snapshot(server) == before


def test_14_unknown_or_missing_method_is_refused(server, acme):
    before = snapshot(server)
    for method in ("bitcoin", ""):
        r = post(acme, PAY, PAY, {"method": method})
        assert r.status == 400, method
        assert ("Choose one of the options." if method else "This field is required.") in r.text
    assert snapshot(server) == before


def test_15_direct_debit_usd_saves_and_shows_only_masked_numbers(server, acme):
    r = post(acme, PAY, PAY, dd_usd())
    assert r.status == 303, html.unescape(r.text)[-3000:]
    row = server.query("SELECT payment_method, debit_holder, debit_routing, debit_account,"
                       " debit_mandate_at, debit_routing_hint, debit_number_hint, debit_iban"
                       " FROM accounts WHERE id = ?", (account_id(server, ACME),))[0]
    assert row[:2] == ("direct_debit", "Acme Corporation")
    assert row[4], "the mandate's acceptance time is kept"
    # Sealed at rest: the database holds no number in the clear, only what the data key opens.
    assert row[2].startswith("v1:") and row[3].startswith("v1:") and row[7] == ""
    assert GOOD_ROUTING not in row[2] and US_ACCOUNT not in row[3]
    assert unseal(server.db_path, row[2]) == GOOD_ROUTING
    assert unseal(server.db_path, row[3]) == US_ACCOUNT
    assert row[5:7] == (MASK + " 0015", MASK + " 6789")
    page = acme.get(PAY).text
    mine = main_of(page)
    assert checked_method(page) == "direct_debit"
    assert MASK + " 6789" in html.unescape(mine)
    # The vendor's own bank account (000123456789, routing 011000015 in the demo) is shown under
    # wire transfer; ours must appear nowhere, and the routing number not in our parts.
    assert US_ACCOUNT not in page.replace("000123456789", "")
    dd_part = mine[mine.index('id="method-direct_debit"'):]
    current = mine[mine.index('id="current"'):mine.index("</section>", mine.index('id="current"'))]
    for part in (dd_part, current):
        assert GOOD_ROUTING not in part
    assert MASK + " 6789" in html.unescape(current)
    assert input_value(page, "routing") == "" and input_value(page, "account") == ""
    assert input_value(page, "holder") == "Acme Corporation"
    # Saving direct debit again needs the numbers typed again: the stored ones are not in the form.
    before = snapshot(server)
    assert post(acme, PAY, PAY, dd_usd(routing="", account="")).status == 400
    assert snapshot(server) == before


def test_16_direct_debit_eur_iban(server, globex):
    gid = account_id(server, GLOBEX)
    before = snapshot(server)
    bad = {"method": "direct_debit", "holder": "Globex Italia S.p.A.", "iban": BAD_IBAN,
           "mandate": "yes"}
    r = post(globex, PAY, PAY, bad)
    assert r.status == 400
    assert input_value(r.text, "iban") == BAD_IBAN
    assert input_value(r.text, "holder") == "Globex Italia S.p.A."
    assert re.search(r'id="iban"[^>]*aria-invalid="true"', r.text)
    assert snapshot(server) == before
    r = post(globex, PAY, PAY, dict(bad, iban=GOOD_IBAN.lower(), mandate=""))
    assert r.status == 400 and snapshot(server) == before
    r = post(globex, PAY, PAY, dict(bad, iban=GOOD_IBAN))
    assert r.status == 303, html.unescape(r.text)[-3000:]
    method, iban, routing, account, hint = server.query(
        "SELECT payment_method, debit_iban, debit_routing, debit_account, debit_number_hint"
        " FROM accounts WHERE id = ?", (gid,))[0]
    assert (method, routing, account, hint) == ("direct_debit", "", "", MASK + " 2345")
    assert iban.startswith("v1:") and unseal(server.db_path, iban) == GOOD_IBAN_FLAT
    page = globex.get(PAY).text
    assert MASK + " 2345" in html.unescape(page)
    assert GOOD_IBAN_FLAT not in page and GOOD_IBAN not in page and "0012 345" not in page
    assert input_value(page, "iban") == ""


def test_16b_other_currencies_than_usd_debit_by_iban(server, globex):
    """The page asks what the service checks: an IBAN for every currency but US dollars."""
    gid = account_id(server, GLOBEX)
    server.execute("UPDATE accounts SET currency = 'GBP' WHERE id = ?", (gid,))
    try:
        page = globex.get(PAY).text
        names = {t.get("name") for t in input_tags(page)}
        assert "iban" in names and not {"routing", "account"} & names
        r = post(globex, PAY, PAY, {"method": "direct_debit", "holder": "Globex UK",
                                    "iban": "GB82 WEST 1234 5698 7654 32", "mandate": "yes"})
        assert r.status == 303, html.unescape(r.text)[-3000:]
        iban, hint = server.query("SELECT debit_iban, debit_number_hint FROM accounts"
                                  " WHERE id = ?", (gid,))[0]
        assert unseal(server.db_path, iban) == "GB82WEST12345698765432"
        assert hint == MASK + " 5432"
    finally:
        server.execute("UPDATE accounts SET currency = 'EUR' WHERE id = ?", (gid,))


def test_17_audit_log_holds_masked_bank_data_only(server):
    rows = server.query("SELECT old_value, new_value FROM audit_log WHERE action ="
                        " 'payment_method_changed'")
    assert rows
    values = " | ".join(v for row in rows for v in row)
    for full in (US_ACCOUNT, GOOD_ROUTING, GOOD_IBAN_FLAT, "0012345"):
        assert full not in values, (full, values)
    assert MASK + " 6789" in values and MASK + " 2345" in values
    acme_dd = [new for _, _, _, new, _ in audit_rows(server, ACME, "payment_method_changed")
               if new.startswith("direct_debit")]
    assert acme_dd and "Acme Corporation" in acme_dd[-1]


def test_18_staff_account_page_shows_the_audit_log(server):
    c = server.client()
    assert c.sign_in_staff("cas@vendor.example").status == 303
    r = c.get("/staff/accounts/%d" % account_id(server, ACME))
    assert r.status == 200
    page = html.unescape(r.text)
    assert "Audit log" in page
    log = page[page.index("Audit log"):]
    for words in ("Payment method changed", "Purchase order added", "Purchase order removed",
                  '<td data-label="Field">Payment method</td>',
                  "Direct debit / ACH / recurring bank debit",
                  MASK + " 6789", "PO-NEXT-1B", "UTC"):
        assert words in log, words
    assert "Billing contact (%s)" % ACME_USER in log, "who: the kind of person and their User ID"
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", log), "when"
    assert US_ACCOUNT not in page and GOOD_ROUTING not in page
    # Newest first: the direct debit saved last heads the table (its change and the mandate's
    # acceptance, written in the same instant).
    rows = re.findall(r"<tr>(.*?)</tr>", log.split("<tbody>", 1)[1], re.S)[:2]
    assert any("Payment method changed" in row and MASK + " 6789" in row for row in rows), rows
    assert any("mandate" in row for row in rows), rows


def test_18b_a_new_bank_account_with_the_same_last_digits_is_audited(server, acme):
    """Masked, two accounts ending alike read the same: the replacement must still be logged."""
    last = server.scalar("SELECT max(id) FROM audit_log WHERE " + NOT_MAILER)
    assert post(acme, PAY, PAY, dd_usd(account="5550006789")).status == 303
    rows = server.query("SELECT action, field, old_value, new_value FROM audit_log WHERE " + NOT_MAILER + " AND id > ?"
                        " ORDER BY id", (last,))
    assert [r[:2] for r in rows] == [("bank_account_replaced", "bank_account"),
                                     ("direct_debit_mandate_accepted", "mandate")], rows
    assert rows[0][2] == rows[0][3] and rows[0][3].endswith(MASK + " 6789")
    assert "5550006789" not in repr(rows)
    # The same account saved again (the mandate accepted again) replaces nothing.
    last = server.scalar("SELECT max(id) FROM audit_log WHERE " + NOT_MAILER)
    assert post(acme, PAY, PAY, dd_usd(account="5550006789")).status == 303
    assert server.query("SELECT action FROM audit_log WHERE " + NOT_MAILER + " AND id > ?", (last,)) == [
        ("direct_debit_mandate_accepted",)]
    fr = server.client(accept_language="fr")
    assert fr.sign_in_staff("cas@vendor.example").status == 303
    page = html.unescape(fr.get("/staff/accounts/%d" % account_id(server, ACME)).text)
    log = page[page.index('id="audit"'):]
    for words in ("Compte bancaire remplacé",
                  '<td data-label="Champ">Compte bancaire à débiter</td>', "Accepté"):
        assert words in log, words
    for code in ("bank_account_replaced", "payment_method", "direct_debit", "<code>"):
        assert code not in log, code


def test_18c_the_staff_audit_log_pages_back_fifty_at_a_time(server):
    aid = account_id(server, ACME)
    # The emails queued so far are delivered (each adds its line to the log) before counting.
    harness.wait_for("the outbox to drain", lambda: server.count(
        "email_outbox", "sent_at IS NULL AND failed_at IS NULL") == 0)
    total = server.count("audit_log", "account_id = ?", (aid,))
    for i in range(60 - min(total, 60) + 1):
        server.execute("INSERT INTO audit_log (at, actor_kind, account_id, action, field,"
                       " old_value, new_value, ip) VALUES (1, 'system', ?, 'bill_to_changed',"
                       " 'city', 'Old%d', 'New%d', '')" % (i, i), (aid,))
    oldest = server.query("SELECT old_value FROM audit_log WHERE account_id = ? ORDER BY at, id"
                          " LIMIT 1", (aid,))[0][0]
    c = server.client()
    assert c.sign_in_staff("cas@vendor.example").status == 303
    url = "/staff/accounts/%d" % aid
    seen = 0
    page = html.unescape(c.get(url).text)
    for _ in range(10):
        log = page[page.index('id="audit"'):]
        seen += len(re.findall(r'<tr><td class="nowrap" data-label="When">', log))
        older = re.search(r'href="(%s\?before=\d+)#audit">Older changes<' % re.escape(url), log)
        if not older:
            break
        page = html.unescape(c.get(older.group(1)).text)
        assert "Latest changes" in page
    assert oldest in log, "the oldest entry is on the last page"
    # Sign-ins are shown apart, in their own table (issue 14).
    assert seen == server.count("audit_log", "account_id = ? AND action <> 'sign_in'", (aid,))
    assert c.get(url + "?before=x").status == 400


# ---- a bill run: the purchase order and the payment method on the invoice ---------------------

def test_19_bill_run_prints_the_po_and_how_to_pay(server, acme, globex):
    at = server.scalar("SELECT max(period_end) FROM subscriptions WHERE status = 'active'")
    at_day = datetime.date.fromisoformat(at)
    # Globex: a purchase order in force on the bill-run date; Acme: wire transfer.
    r = post(globex, POS, POS, {"number": "PO-GLOBEX-77", "amount": "",
                                "start_date": today().isoformat(),
                                "end_date": (at_day + datetime.timedelta(days=60)).isoformat()})
    assert r.status == 303, html.unescape(r.text)[-3000:]
    assert post(acme, PAY, PAY, {"method": "wire"}).status == 303
    acme_po = server.scalar("SELECT number FROM purchase_orders WHERE account_id = ? AND"
                            " start_date <= ? AND end_date >= ? ORDER BY start_date DESC",
                            (account_id(server, ACME), at, at)) or ""
    before = {n: set(x for (x,) in server.query("SELECT number FROM invoices WHERE account_id = ?",
                                                 (account_id(server, n),))) for n in (ACME, GLOBEX)}
    p = run_cobro(["bill-run", "--at", at, "--db", server.db_path, "--base-url", server.base_url],
                  cwd=server.dir)
    assert p.returncode == 0, p.stderr
    assert not sanitizer_lines(p.stderr), p.stderr
    new = {}
    for name in (ACME, GLOBEX):
        got = set(x for (x,) in server.query("SELECT number FROM invoices WHERE account_id = ?",
                                             (account_id(server, name),))) - before[name]
        assert len(got) == 1, (name, got, p.stdout)
        new[name] = got.pop()

    # The purchase order in force on the issue date: in the database, on the page, in the PDF.
    g, a = new[GLOBEX], new[ACME]
    assert server.scalar("SELECT po_number FROM invoices WHERE number = ?", (g,)) == "PO-GLOBEX-77"
    page = globex.get("/corporate/invoices/%s" % g)
    assert page.status == 200 and "PO-GLOBEX-77" in page.text
    assert "PO-GLOBEX-77" in pdf_text(globex.get("/corporate/invoices/%s/pdf" % g).raw)
    assert server.scalar("SELECT po_number FROM invoices WHERE number = ?", (a,)) == acme_po
    acme_pdf = pdf_text(acme.get("/corporate/invoices/%s/pdf" % a).raw)
    if acme_po:
        assert acme_po in acme.get("/corporate/invoices/%s" % a).text
        assert acme_po in acme_pdf

    # The payment method chosen before the bill run, with how to pay in the PDF.
    assert server.scalar("SELECT payment_method FROM invoices WHERE number = ?", (a,)) == "wire"
    assert server.scalar("SELECT payment_method FROM invoices WHERE number = ?",
                         (g,)) == "direct_debit"
    assert "How to pay" in acme_pdf, acme_pdf
    assert "Pay by electronic payment or wire transfer, quoting the Invoice Number." in acme_pdf
    # ... and where to send it: the vendor's bank (vendor settings), on the page and in the PDF.
    acme_page = text_of(acme.get("/corporate/invoices/%s" % a).text)
    for words in ("Bank: First Republic Demo Bank", "IBAN: DE89 3704 0044 0532 0130 00",
                  "BIC / SWIFT: COBADEFFXXX", "Routing number (ABA): 011000015"):
        assert words in acme_page, (words, acme_page[-1500:])
        assert words in acme_pdf, (words, acme_pdf[-1500:])
    # A direct debit invoice names no bank of ours.
    assert "First Republic Demo Bank" not in text_of(globex.get("/corporate/invoices/%s" % g).text)


# ---- the expiry reminder of the server's scheduler ----------------------------------------------

class ReminderServer(harness.Server):
    """A server whose database is made first (cobro demo), changed by the test, then served; it
    can be stopped and served again on the same database."""

    def make_db(self):
        demo = run_cobro(["demo", "--db", self.db_path], cwd=self.dir)
        assert demo.returncode == 0, demo.stderr
        assert not sanitizer_lines(demo.stderr), demo.stderr

    def serve(self):
        self.port = harness.free_port()
        self.base_url = "http://127.0.0.1:%d" % self.port
        args = [harness.cobro_bin()] + harness.with_data_key(
            ["serve", "--db", self.db_path, "--listen", "127.0.0.1:%d" % self.port,
             "--base-url", self.base_url, "--smtp-url", "smtp://127.0.0.1:%d" % self.smtp_port,
             "--mail-from", harness.MAIL_FROM, "--threads", "2"])
        self._err = open(self.stderr_path, "ab")
        self._out = open(self.stdout_path, "ab")
        self.proc = subprocess.Popen(args, cwd=self.dir, env=harness.clean_env(),
                                     stdout=self._out, stderr=self._err)
        deadline = datetime.datetime.now() + datetime.timedelta(seconds=15)
        while datetime.datetime.now() < deadline:
            assert self.proc.poll() is None, self.stderr()
            try:
                if self.client().get("/healthz", timeout=2).status == 200:
                    return
            except OSError:
                pass
        raise AssertionError("cobro serve did not start:\n" + self.stderr())


def reminder_pred(number):
    return lambda m: to_pred(GLOBEX_USER)(m) and number in str(m["msg"]["Subject"])


def test_20_po_expiry_reminder_once_even_after_restart(tmp_path, smtp_sink):
    srv = ReminderServer(tmp_path, smtp_sink.port)
    srv.make_db()
    gid = srv.scalar("SELECT id FROM accounts WHERE name = ?", (GLOBEX,))
    acme_id = srv.scalar("SELECT id FROM accounts WHERE name = ?", (ACME,))
    t = today()
    soon, later = "PO-SOON-%d" % os.getpid(), "PO-LATER-%d" % os.getpid()
    # In force today and expiring in 20 days: one reminder. Acme's (the demo's, expiring in more
    # than a year) and one expiring in 40 days: none.
    srv.execute("INSERT INTO purchase_orders (account_id, number, start_date, end_date, created_at)"
                " VALUES (?, ?, ?, ?, 0)", (gid, soon, (t - datetime.timedelta(days=10)).isoformat(),
                                            (t + datetime.timedelta(days=20)).isoformat()))
    srv.execute("INSERT INTO purchase_orders (account_id, number, start_date, end_date, created_at)"
                " VALUES (?, ?, ?, ?, 0)", (gid, later, (t + datetime.timedelta(days=21)).isoformat(),
                                            (t + datetime.timedelta(days=40)).isoformat()))
    mark = smtp_sink.mark()
    problems = []
    try:
        srv.serve()
        msg = smtp_sink.wait_for(reminder_pred(soon), since=mark, timeout=30)["msg"]
        body = body_text(msg)
        assert GLOBEX_USER in body, body
        assert soon in body
        sent = srv.scalar("SELECT reminder_sent_at FROM purchase_orders WHERE number = ?", (soon,))
        assert sent
        problems += srv.stop()
        # A restart runs the scheduler again: nothing more for this purchase order.
        srv.serve()
        c = srv.client()
        assert c.get("/healthz").status == 200
        time.sleep(3)
        problems += srv.stop()
        assert len(smtp_sink.since(mark, reminder_pred(soon))) == 1
        assert not smtp_sink.since(mark, reminder_pred(later))
        assert not smtp_sink.since(mark, lambda m: DEMO_PO in str(m["msg"]["Subject"]))
        assert srv.count("email_outbox", "kind = 'purchase_order_expiring'") == 1
        assert srv.count("email_outbox", "kind = 'purchase_order_expiring' AND account_id = ?",
                         (acme_id,)) == 0
        # A new expiration date (through the portal) earns a new reminder.
        srv.serve()
        c = srv.client()
        assert c.sign_in_corporate(GLOBEX_USER).status == 303
        pid = srv.scalar("SELECT id FROM purchase_orders WHERE number = ?", (soon,))
        r = c.submit("%s/%d" % (POS, pid), "%s/%d" % (POS, pid),
                     {"number": soon, "amount": "", "start_date":
                      (t - datetime.timedelta(days=10)).isoformat(),
                      "end_date": (t + datetime.timedelta(days=19)).isoformat()})
        assert r.status == 303, html.unescape(r.text)[-2000:]
        assert srv.scalar("SELECT reminder_sent_at FROM purchase_orders WHERE id = ?",
                          (pid,)) is None
        problems += srv.stop()
        srv.serve()
        smtp_sink.wait_for(reminder_pred(soon), since=mark, timeout=30, count=2)
    finally:
        if srv.proc and srv.proc.poll() is None:
            problems += srv.stop()
    assert problems == [], "\n".join(problems)
