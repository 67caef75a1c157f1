"""The vendor's payment details in the staff console (administrators only): prefilled from the
settings, refused input kept and written nowhere, a save audited field by field and shown to
customers on the Payment Method tab at once."""
import html
import re
import subprocess

import pytest

from harness import NOT_MAILER, input_value, run_cobro

PAGE = "/staff/payment-details"
PAY = "/corporate/payment-method"


def admin(server):
    c = server.client()
    assert c.sign_in_staff("admin@vendor.example").status == 303
    return c


def settings(server):
    return dict(server.query("SELECT key, value FROM vendor_settings WHERE key LIKE 'vendor_bank%'"
                             " OR key = 'vendor_check_address' ORDER BY key"))


def textarea(page, name):
    m = re.search(r'<textarea[^>]*name="%s"[^>]*>(.*?)</textarea>' % name, page, re.S)
    assert m, name
    return html.unescape(m.group(1))


GOOD = {"bank_name": "Banca Esempio", "account_name": "Vendor, Inc.", "routing": "021000021",
        "account": "987654321", "iban": "IT60 X054 2811 1010 0000 0123 456", "bic": "uncritmm",
        "check_address": "Vendor, Inc.\r\n\r\n  Lockbox 99  \r\nNew York, NY 10001\r\n"}


@pytest.fixture(autouse=True)
def fresh_attempts(server):
    server.execute("DELETE FROM sign_in_attempts")
    yield


@pytest.mark.parametrize("who", ["cas@vendor.example", "rep@vendor.example",
                                 "care@vendor.example"])
def test_01_only_administrators_find_the_page(server, who):
    c = server.client()
    assert c.sign_in_staff(who).status == 303
    assert c.get(PAGE).status == 404
    home = c.get("/staff/home").text
    assert PAGE not in home


def test_02_signed_out_and_corporate_visitors_cannot_reach_it(server):
    r = server.client().get(PAGE)
    assert r.status in (303, 404), r.status
    assert "Payment details" not in r.text
    c = server.client()
    assert c.sign_in_corporate("acme-billing").status == 303
    r = c.get(PAGE)
    assert r.status in (303, 404) and "Payment details" not in r.text


def test_03_the_form_is_prefilled_with_the_demo_details(server):
    c = admin(server)
    assert 'href="%s"' % PAGE in c.get("/staff/home").text
    page = c.get(PAGE).text
    assert "<h1>Payment details</h1>" in page
    saved = settings(server)
    for name, key in (("bank_name", "vendor_bank_name"), ("routing", "vendor_bank_routing"),
                      ("iban", "vendor_bank_iban"), ("bic", "vendor_bank_bic")):
        assert input_value(page, name) == saved[key], name
        assert re.search(r'<label for="%s">' % name, page), name
    assert textarea(page, "check_address") == saved["vendor_check_address"]
    assert '<label for="check_address">' in page


@pytest.mark.parametrize("over,field,message", [
    ({"routing": "123456789"}, "routing", "This is not a valid routing number (ABA)"),
    ({"routing": ""}, "routing", "This field is required."),
    ({"account": "12x4"}, "account", "Enter an account number of 4 to 17 digits."),
    ({"iban": "IT60 X054 2811 1010 0000 0123 457"}, "iban", "Enter a valid IBAN"),
    ({"bic": "UNCRIT"}, "bic", "Enter a BIC of 8 or 11 letters and digits"),
    ({"bank_name": "B" * 101}, "bank_name", "This is too long."),
    ({"check_address": "x" * 401}, "check_address", "This is too long."),
    ({"account_name": "Vendor,\nInc."}, "account_name", "Type this on one line"),
    ({"bic": "UNCRITMM\x0bXXX"}, "bic", "Type this on one line"),
    ({"check_address": "Vendor, Inc.\n\tVia Roma 1"}, "check_address",
     "Only line breaks are allowed here"),
    ({"check_address": "Vendor, Inc.\x1b[1m"}, "check_address", "Only line breaks are allowed here"),
], ids=["aba-checksum", "account-without-routing", "account-letters", "iban-mod97", "bic-short",
        "long-name", "long-address", "name-line-feed", "bic-control", "address-tab",
        "address-escape"])
def test_04_refused_input_is_kept_and_nothing_is_written(server, over, field, message):
    c = admin(server)
    before = (settings(server), server.count("audit_log", NOT_MAILER))
    typed = dict(GOOD, **over)
    r = c.submit(PAGE, PAGE, typed)
    assert r.status == 400
    page = html.unescape(r.text)
    assert message in page
    assert re.search(r'id="%s"[^>]*aria-invalid="true"' % field, r.text), field
    assert "Nothing was saved." in page
    assert input_value(r.text, "iban") == typed["iban"]
    assert input_value(r.text, "bank_name") == typed["bank_name"]
    assert (settings(server), server.count("audit_log", NOT_MAILER)) == before


def test_05_a_save_is_audited_and_customers_see_it_at_once(server):
    c = admin(server)
    old = settings(server)
    last = server.scalar("SELECT coalesce(max(id), 0) FROM audit_log")
    r = c.submit(PAGE, PAGE, GOOD)
    assert r.status == 303 and r.location == PAGE + "?saved=1", r.text[-2000:]
    assert "have been saved" in c.get(r.location).text
    now = settings(server)
    assert now["vendor_bank_name"] == "Banca Esempio"
    assert now["vendor_bank_bic"] == "uncritmm"
    assert now["vendor_check_address"] == "Vendor, Inc.\nLockbox 99\nNew York, NY 10001"
    audit = server.query("SELECT actor_kind, account_id, action, field, old_value, new_value"
                         " FROM audit_log WHERE " + NOT_MAILER + " AND id > ? ORDER BY id", (last,))
    changed = {row[3]: row for row in audit}
    assert set(changed) == {k for k in now if now[k] != old.get(k, "")}
    for kind, account, action, field, before, after in audit:
        assert (kind, account, action) == ("staff", None, "vendor_setting_changed")
        assert (before, after) == (old.get(field, ""), now[field])
    # The corporate Payment Method tab reads them on every request.
    acme = server.client()
    assert acme.sign_in_corporate("acme-billing").status == 303
    pay = html.unescape(acme.get(PAY).text)
    for words in ("Banca Esempio", "021000021", "987654321", "IT60 X054 2811 1010 0000 0123 456",
                  "Lockbox 99", "New York, NY 10001"):
        assert words in pay, words
    # Saving the same again changes nothing and audits nothing.
    last = server.scalar("SELECT max(id) FROM audit_log WHERE " + NOT_MAILER)
    assert c.submit(PAGE, PAGE, GOOD).status == 303
    assert server.scalar("SELECT max(id) FROM audit_log WHERE " + NOT_MAILER) == last


def test_05b_a_check_invoice_prints_the_mailing_address(server):
    acme = server.client()
    assert acme.sign_in_corporate("acme-billing").status == 303
    assert acme.submit(PAY, PAY, {"method": "check"}).status == 303
    at = server.scalar("SELECT max(period_end) FROM subscriptions WHERE status = 'active'")
    aid = server.scalar("SELECT id FROM accounts WHERE name = 'Acme Corporation'")
    before = server.count("invoices", "account_id = ?", (aid,))
    p = run_cobro(["bill-run", "--at", at, "--db", server.db_path], cwd=server.dir)
    assert p.returncode == 0, p.stderr
    assert server.count("invoices", "account_id = ?", (aid,)) == before + 1
    number = server.scalar("SELECT number FROM invoices WHERE account_id = ? ORDER BY id DESC",
                           (aid,))
    page = html.unescape(acme.get("/corporate/invoices/%s" % number).text)
    section = page[page.index('class="how-to-pay"'):]
    assert "Pay by check, writing the Invoice Number on it." in section
    assert "Vendor, Inc.<br>Lockbox 99<br>New York, NY 10001" in section
    pdf = acme.get("/corporate/invoices/%s/pdf" % number).raw
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    assert "Lockbox 99" in text and "New York, NY 10001" in text


def test_06_empty_details_send_customers_to_customer_care(server):
    c = admin(server)
    r = c.submit(PAGE, PAGE, {k: "" for k in GOOD})
    assert r.status == 303
    acme = server.client()
    assert acme.sign_in_corporate("acme-billing").status == 303
    pay = html.unescape(acme.get(PAY).text)
    assert "Customer Care will give you our bank details." in pay
    assert "Customer Care will give you our mailing address." in pay


def test_07_a_post_without_csrf_is_refused(server):
    c = admin(server)
    before = settings(server)
    r = c.post(PAGE, dict(GOOD, bank_name="Forged Bank"))
    assert r.status == 403
    assert settings(server) == before


def test_08_the_page_lists_the_changes_in_the_readers_language(server):
    """Every save shows below the form: who, the field in words, before and after."""
    c = admin(server)
    assert c.submit(PAGE, PAGE, dict(GOOD, bank_name="Banca Uno")).status == 303
    assert c.submit(PAGE, PAGE, dict(GOOD, bank_name="Banca Due")).status == 303
    page = html.unescape(c.get(PAGE).text)
    log = page[page.index('id="audit"'):]
    row = re.search(r"<tr>(?:(?!</tr>).)*Banca Uno(?:(?!</tr>).)*</tr>", log, re.S).group(0)
    for words in ("Staff (admin@vendor.example)", "Payment details changed",
                  '<td data-label="Field">Bank</td>',
                  '<td class="value" data-label="Old value">Banca Uno</td>'
                  '<td class="value" data-label="New value">Banca Due</td>'):
        assert words in row, (words, row)
    fr = server.client(accept_language="fr")
    assert fr.sign_in_staff("admin@vendor.example").status == 303
    page = html.unescape(fr.get(PAGE).text)
    log = page[page.index('id="audit"'):]
    assert "Coordonnées de paiement modifiées" in log
    assert '<td data-label="Champ">Banque</td>' in log
    assert "vendor_bank_name" not in log and "vendor_setting_changed" not in log


def change(old, new):
    """The old and new value cells of a change of bank name from Banca OLD to Banca NEW."""
    return ('<td class="value" data-label="Old value">Banca %02d</td><td class="value" data-label="New value">Banca %02d</td>'
            % (old, new))


def test_09_older_changes_page_back_by_fifty(server):
    c = admin(server)
    start = server.scalar("SELECT coalesce(max(id), 0) FROM audit_log")
    for i in range(53):
        assert c.submit(PAGE, PAGE, dict(GOOD, bank_name="Banca %02d" % i)).status == 303
    page = html.unescape(c.get(PAGE).text)
    log = page[page.index('id="audit"'):]
    assert change(51, 52) in log
    assert change(1, 2) not in log
    older = re.search(r'href="(/staff/payment-details\?before=\d+)#audit">Older changes<', log)
    assert older, log[-1500:]
    page = html.unescape(c.get(older.group(1)).text)
    log = page[page.index('id="audit"'):]
    assert change(1, 2) in log
    assert change(51, 52) not in log
    assert "Latest changes" in log
    # Each change shows exactly once over the two pages.
    first_ids = server.query("SELECT id FROM audit_log WHERE " + NOT_MAILER + " AND id > ? ORDER BY id", (start,))
    assert len(first_ids) == 53
    for bad in ("?before=abc", "?before=-3", "?before=1x", "?before=", "?before=+5",
                "?before=99999999999999999999", "?before=9223372036854775808"):
        assert c.get(PAGE + bad).status == 400, bad
    fr = server.client(accept_language="fr")
    assert fr.sign_in_staff("admin@vendor.example").status == 303
    r = fr.get(PAGE + "?before=99999999999999999999")
    assert r.status == 400 and "<h1>Requête incorrecte</h1>" in r.text


def test_10_a_long_check_address_prints_whole_on_invoices(server):
    """An address in a three-byte script at the 400-character limit is not cut on the invoice."""
    c = admin(server)
    address = "\u6771" * 399 + "X"
    assert c.submit(PAGE, PAGE, dict(GOOD, check_address=address)).status == 303
    acme = server.client()
    assert acme.sign_in_corporate("acme-billing").status == 303
    assert acme.submit(PAY, PAY, {"method": "check"}).status == 303
    at = server.scalar("SELECT max(period_end) FROM subscriptions WHERE status = 'active'")
    p = run_cobro(["bill-run", "--at", at, "--db", server.db_path], cwd=server.dir)
    assert p.returncode == 0, p.stderr
    aid = server.scalar("SELECT id FROM accounts WHERE name = 'Acme Corporation'")
    number = server.scalar("SELECT number FROM invoices WHERE account_id = ? ORDER BY id DESC",
                           (aid,))
    page = html.unescape(acme.get("/corporate/invoices/%s" % number).text)
    assert address in page[page.index('class="how-to-pay"'):]
