"""Invoices over HTTP on the demo data: Invoice History (newest first, at most 20), the invoice page
and its PDF, 404 for anyone else's invoice (exactly as for an unknown number), the Billing Center
administrator and member, the staff console, anonymous visitors; and the invoice emails of a
bill run against the live server's database, through the SMTP sink, in the account's language."""
import datetime
import html
import os
import re
import subprocess

import pytest

from harness import REPO, body_text, run_cobro, sanitizer_lines, to_pred

# As scripts/check does: fontconfig's one-time configuration is not a leak of ours (ASan build).
os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(REPO, "tests", "lsan.supp"))

ACME, GLOBEX, INITECH = "Acme Corporation", "Globex Italia S.p.A.", "Initech"
UNKNOWN = "INV-2099-999999"
OLD_SERIES = "INV-2019"          # hand-made history, older than anything the demo bills
N_OLD = 25
IT_MONTHS = ["gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"]
EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def spaces(text):
    """ICU puts no-break spaces in money and dates; compare with plain ones."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def money_en_us(minor):
    return "$" + format(minor / 100, ",.2f")


def money_it_eur(minor):
    whole, cents = divmod(minor, 100)
    return "%s,%02d €" % (format(whole, ",").replace(",", "."), cents)


def date_en_us(iso):
    d = datetime.date.fromisoformat(iso)
    return "%s %d, %d" % (EN_MONTHS[d.month - 1], d.day, d.year)


def date_it(iso):
    d = datetime.date.fromisoformat(iso)
    return "%d %s %d" % (d.day, IT_MONTHS[d.month - 1], d.year)


def account_id(server, name):
    return server.scalar("SELECT id FROM accounts WHERE name = ?", (name,))


def numbers_of(server, name):
    """The account's invoice numbers, newest first."""
    return [r[0] for r in server.query(
        "SELECT number FROM invoices WHERE account_id = ? ORDER BY issue_date DESC, id DESC",
        (account_id(server, name),))]


def listed(page, base):
    """Invoice numbers linked from an Invoice History table, in page order."""
    return re.findall(r'href="%s/(INV-\d{4}-\d{6})"' % re.escape(base), page)


def signed_in(server, kind, login):
    c = server.client()
    r = {"corporate": c.sign_in_corporate, "billing": c.sign_in_billing,
         "staff": c.sign_in_staff}[kind](login)
    assert r.status == 303, (kind, login, r.status, r.text[:300])
    return c


@pytest.fixture(scope="module")
def history(server):
    """N_OLD more invoices for Acme, issued before any of the demo's (one line each), so that
    Acme has more than 20."""
    server.execute("DELETE FROM sign_in_attempts")
    acme = account_id(server, ACME)
    template = server.scalar("SELECT id FROM invoices WHERE account_id = ? ORDER BY id LIMIT 1",
                             (acme,))
    sub = server.scalar("SELECT id FROM subscriptions WHERE account_id = ? ORDER BY id LIMIT 1",
                        (acme,))
    assert template and sub, "the demo data gives Acme invoices and subscriptions"
    made = []
    for i in range(1, N_OLD + 1):
        issue = datetime.date(2019, 1, 1) + datetime.timedelta(days=7 * i)
        number = "%s-%06d" % (OLD_SERIES, i)
        server.execute(
            "INSERT INTO invoices (account_id, number, series, seq, issue_date, due_date,"
            " currency, lang, status, tax_mode, account_kind, bill_to_name, address_line1,"
            " address_line2, city, region, postal_code, country, phone, contact_name,"
            " contact_email, portal_user_id, po_number, payment_method, subtotal, tax_total,"
            " total, amount_paid, created_at)"
            " SELECT account_id, ?, ?, ?, ?, ?, currency, lang, 'paid', tax_mode, account_kind,"
            " bill_to_name, address_line1, address_line2, city, region, postal_code, country,"
            " phone, contact_name, contact_email, portal_user_id, '', '', 10000, 625, 10625,"
            " 10625, created_at FROM invoices WHERE id = ?",
            (number, OLD_SERIES, i, issue.isoformat(),
             (issue + datetime.timedelta(days=30)).isoformat(), template))
        inv = server.scalar("SELECT id FROM invoices WHERE number = ?", (number,))
        server.execute(
            "INSERT INTO invoice_lines (invoice_id, position, subscription_id, product_name,"
            " billing_period, period_start, period_end, seats, unit_amount, net, tax_rate_ppm,"
            " tax, gross) VALUES (?, 1, ?, 'RescueAssist', 'monthly', ?, ?, 1, 10000, 10000,"
            " 62500, 625, 10625)",
            (inv, sub, issue.isoformat(), (issue + datetime.timedelta(days=28)).isoformat()))
        made.append(number)
    return made


def test_01_history_lists_the_newest_20(server, history):
    all_acme = numbers_of(server, ACME)
    assert len(all_acme) > 20
    demo_invoices = [n for n in all_acme if not n.startswith(OLD_SERIES)]
    assert demo_invoices, "the demo replays bill runs, so Acme has invoices of its own"
    # Newest first: the demo's invoices (issued in the last 30 months), then the made-up history
    # from the newest down.
    want = (demo_invoices + list(reversed(history)))[:20]
    c = signed_in(server, "corporate", "acme-billing")
    r = c.get("/corporate/invoices")
    assert r.status == 200
    got = listed(r.text, "/corporate/invoices")
    assert got == want
    for n in got:
        assert '/corporate/invoices/%s/pdf"' % n in r.text
    others = numbers_of(server, GLOBEX) + numbers_of(server, INITECH)
    assert not set(others) & set(re.findall(r"INV-\d{4}-\d{6}", r.text))


def test_02_invoice_page_shows_number_bill_to_contact_and_user_id(server, history):
    number = numbers_of(server, ACME)[0]
    po = server.scalar("SELECT po_number FROM invoices WHERE number = ?", (number,))
    c = signed_in(server, "corporate", "acme-billing")
    r = c.get("/corporate/invoices/" + number)
    assert r.status == 200
    text = html.unescape(r.text)
    for needle in (number, "Bill To", ACME, "100 Main Street", "Springfield", "Billing contact",
                   "Jordan Smith", "jordan.smith@acme.example", "User ID", "acme-billing",
                   "RescueAssist", "Subtotal", "Total"):
        assert needle in text, needle
    if po:
        assert po in text
    assert 'href="/corporate/invoices/%s/pdf"' % number in r.text
    pdf = c.get("/corporate/invoices/%s/pdf" % number)
    assert pdf.status == 200
    assert pdf.headers.get_content_type() == "application/pdf"
    assert pdf.raw.startswith(b"%PDF-") and len(pdf.raw) > 1000
    # A made-up old one renders as well (history pages link to every row).
    old = c.get("/corporate/invoices/%s/pdf" % history[0])
    assert old.status == 200 and old.raw.startswith(b"%PDF-")


def test_02b_the_sellers_country_is_named_in_the_invoices_language(server, history):
    """The vendor's country is a code in the settings, printed like the customer's: in Italian on
    the page read in Italian and in Globex's PDF (in the account's language), never the English
    name; in English on the page read in English."""
    number = numbers_of(server, GLOBEX)[0]
    c = signed_in(server, "corporate", "ap@globex.example")
    page = html.unescape(c.get("/corporate/invoices/" + number).text)
    seller = page[page.index('class="seller"'):page.index('class="meta"')]
    assert "United States" in seller, seller
    c.set_cookie("cobro_lang", "it")
    page = html.unescape(c.get("/corporate/invoices/" + number).text)
    seller = page[page.index('class="seller"'):page.index('class="meta"')]
    assert "Stati Uniti" in seller and "United States" not in seller, seller
    pdf = c.get("/corporate/invoices/%s/pdf" % number).raw
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    assert "Stati Uniti" in text and "United States" not in text


def test_03_someone_elses_invoice_is_404_like_an_unknown_one(server, history):
    acme_number = numbers_of(server, ACME)[0]
    globex_number = numbers_of(server, GLOBEX)[0]
    c = signed_in(server, "corporate", "ap@globex.example")
    own = c.get("/corporate/invoices/" + globex_number)
    assert own.status == 200 and globex_number in own.text
    assert acme_number not in c.get("/corporate/invoices").text
    for suffix in ("", "/pdf"):
        theirs = c.get("/corporate/invoices/%s%s" % (acme_number, suffix))
        unknown = c.get("/corporate/invoices/%s%s" % (UNKNOWN, suffix))
        assert theirs.status == 404 and unknown.status == 404, (suffix, theirs, unknown)
        assert theirs.headers.get_content_type() == unknown.headers.get_content_type() != \
            "application/pdf"
        assert theirs.text.replace(acme_number, "N") == unknown.text.replace(UNKNOWN, "N")
        # (The number itself is only in the language switcher's link back to the same path.)
        for secret in ("Acme", "Jordan Smith", "acme-billing", "Bill To", "%PDF"):
            assert secret not in theirs.text, secret
    # Acme's contact likewise cannot read Globex's.
    a = signed_in(server, "corporate", "acme-billing")
    assert a.get("/corporate/invoices/" + globex_number).status == 404
    assert a.get("/corporate/invoices/%s/pdf" % globex_number).status == 404


def test_04_billing_administrator_sees_the_accounts_invoices(server, history):
    initech = numbers_of(server, INITECH)
    assert len(initech) >= 6          # the demo's monthly subscription, replayed
    c = signed_in(server, "billing", "owner@initech.example")
    r = c.get("/billing/invoices")
    assert r.status == 200
    assert listed(r.text, "/billing/invoices") == initech[:20]
    page = c.get("/billing/invoices/" + initech[0])
    assert page.status == 200
    text = html.unescape(page.text)
    assert initech[0] in text and "owner@initech.example" in text and "Bill Lumbergh" in text
    pdf = c.get("/billing/invoices/%s/pdf" % initech[0])
    assert pdf.status == 200 and pdf.headers.get_content_type() == "application/pdf"
    assert pdf.raw.startswith(b"%PDF-")
    acme_number = numbers_of(server, ACME)[0]
    assert c.get("/billing/invoices/" + acme_number).status == 404
    assert c.get("/billing/invoices/%s/pdf" % acme_number).status == 404
    # A billing session is not a corporate one.
    r = c.get("/corporate/invoices/" + acme_number)
    assert r.status == 303 and r.location_path == "/corporate"


def test_05_member_gets_404(server, history):
    initech = numbers_of(server, INITECH)
    c = signed_in(server, "billing", "user@initech.example")
    assert c.get("/billing/account").status == 200
    for path in ("/billing/invoices", "/billing/invoices/" + initech[0],
                 "/billing/invoices/%s/pdf" % initech[0]):
        r = c.get(path)
        assert r.status == 404, (path, r)
        for secret in ("Bill Lumbergh", "Bill To", "4120 Freidrich Lane", "%PDF"):
            assert secret not in r.text, (path, secret)


def test_06_staff_sees_accounts_and_any_invoice(server, history):
    c = signed_in(server, "staff", "cas@vendor.example")
    r = c.get("/staff/accounts")
    assert r.status == 200
    text = html.unescape(r.text)
    ids = {}
    for name in (ACME, GLOBEX, INITECH):
        ids[name] = account_id(server, name)
        assert name in text
        assert 'href="/staff/accounts/%d"' % ids[name] in r.text
    page = c.get("/staff/accounts/%d" % ids[ACME])
    assert page.status == 200
    shown = listed(page.text, "/staff/invoices")
    assert shown == numbers_of(server, ACME)[:100] and len(shown) > 20
    assert ACME in html.unescape(page.text)
    for name in (GLOBEX, INITECH):
        number = numbers_of(server, name)[0]
        inv = c.get("/staff/invoices/" + number)
        assert inv.status == 200 and number in inv.text
        assert html.unescape(name) in html.unescape(inv.text)
        pdf = c.get("/staff/invoices/%s/pdf" % number)
        assert pdf.status == 200 and pdf.headers.get_content_type() == "application/pdf"
        assert pdf.raw.startswith(b"%PDF-")
    assert c.get("/staff/invoices/" + UNKNOWN).status == 404
    assert c.get("/staff/invoices/%s/pdf" % UNKNOWN).status == 404
    assert c.get("/staff/accounts/999999").status == 404
    assert c.get("/staff/accounts/abc").status == 404
    # Staff sessions do not open the customers' portals.
    r = c.get("/corporate/invoices")
    assert r.status == 303 and r.location_path == "/corporate"


def test_07_anonymous_visitors_are_sent_to_sign_in(server, history):
    number = numbers_of(server, ACME)[0]
    c = server.client()
    for path, sign_in in (("/corporate/invoices", "/corporate"),
                          ("/corporate/invoices/" + number, "/corporate"),
                          ("/corporate/invoices/%s/pdf" % number, "/corporate"),
                          ("/corporate/invoices/" + UNKNOWN, "/corporate"),
                          ("/billing/invoices", "/billing"),
                          ("/billing/invoices/" + number, "/billing"),
                          ("/billing/invoices/%s/pdf" % number, "/billing"),
                          ("/staff/accounts", "/staff"),
                          ("/staff/accounts/1", "/staff"),
                          ("/staff/invoices/" + number, "/staff"),
                          ("/staff/invoices/%s/pdf" % number, "/staff")):
        r = c.get(path)
        assert r.status == 303, (path, r.status)
        assert r.location_path == sign_in, (path, r.location)
        assert number not in r.text and b"%PDF" not in r.raw


def test_08_bill_run_emails_arrive_with_the_pdf_in_the_accounts_language(server, history,
                                                                        smtp_sink):
    # The next renewal of every demo subscription: one invoice per account.
    at = server.scalar("SELECT max(period_end) FROM subscriptions WHERE status = 'active'")
    before = {name: set(numbers_of(server, name)) for name in (ACME, GLOBEX, INITECH)}
    mark = smtp_sink.mark()
    p = run_cobro(["bill-run", "--at", at, "--db", server.db_path, "--base-url", server.base_url],
                  cwd=server.dir)
    assert p.returncode == 0, p.stderr
    assert not sanitizer_lines(p.stderr), p.stderr
    assert p.stdout.startswith("bill run %s: 3 invoices" % at), p.stdout
    new = {}
    for name in (ACME, GLOBEX, INITECH):
        [number] = set(numbers_of(server, name)) - before[name]
        new[name] = number
    want = {"jordan.smith@acme.example": (ACME, "en"), "payables@acme.example": (ACME, "en"),
            "ap@globex.example": (GLOBEX, "it"), "owner@initech.example": (INITECH, "en")}
    got = {}
    for addr in want:
        got[addr] = smtp_sink.wait_for(
            lambda m, a=addr: to_pred(a)(m) and new[want[a][0]] in str(m["msg"]["Subject"]),
            since=mark, timeout=30)
    english_subject = {}
    for addr, (name, lang) in want.items():
        number = new[name]
        total, due, issued, user_id = server.query(
            "SELECT total, due_date, issue_date, portal_user_id FROM invoices WHERE number = ?",
            (number,))[0]
        msg = got[addr]["msg"]
        subject = str(msg["Subject"])
        body = spaces(body_text(msg))
        assert number in subject and number in body
        assert user_id in body, (user_id, body)
        if lang == "en":
            english_subject[name] = subject
            assert money_en_us(total) in body, (money_en_us(total), body)
            # Due on its issue date: "on receipt", as the portal and the PDF say.
            due_text = "Due date: on receipt" if due == issued else date_en_us(due)
            assert due_text in body, (due_text, body)
        else:
            assert money_it_eur(total) in body, (money_it_eur(total), body)
            assert date_it(due) in body, (date_it(due), body)
            # Italian, not English: neither the subject's nor the body's words are English.
            assert subject != "Invoice %s from Vendor, Inc." % number, subject
            for english in ("Invoice %s from" % number, "Hello", "Your invoice", "Due date",
                            "is attached"):
                assert english not in subject + body, (english, subject, body)
        pdfs = [a for a in msg.iter_attachments() if a.get_content_type() == "application/pdf"]
        assert len(pdfs) == 1, [a.get_content_type() for a in msg.iter_attachments()]
        assert pdfs[0].get_filename() == number + ".pdf"
        assert pdfs[0].get_content().startswith(b"%PDF-")
    assert english_subject[ACME] == "Invoice %s from Vendor, Inc." % new[ACME]
    # Exactly one email per recipient: nothing else about these invoices arrived.
    numbers = set(new.values())
    ours = [m for m in smtp_sink.since(mark)
            if any(n in str(m["msg"]["Subject"]) for n in numbers)]
    assert sorted(r.lower() for m in ours for r in m["rcpt_tos"]) == sorted(want)
    # And the new invoice heads Acme's history.
    c = signed_in(server, "corporate", "acme-billing")
    assert listed(c.get("/corporate/invoices").text, "/corporate/invoices")[0] == new[ACME]


# ---- the tax per rate and the ways to pay (issue 9) -------------------------------------------

def pdf_text(raw):
    return spaces(subprocess.run(["pdftotext", "-layout", "-", "-"], input=raw,
                                 capture_output=True, check=True).stdout.decode())


def newest_with_taxes(server, name):
    """The account's newest invoice and its stored tax rows (name, rate, base, tax)."""
    number = numbers_of(server, name)[0]
    inv = server.scalar("SELECT id FROM invoices WHERE number = ?", (number,))
    return number, server.query("SELECT name, rate_ppm, taxable_base, tax_amount FROM"
                                " invoice_taxes WHERE invoice_id = ? ORDER BY position", (inv,))


def test_09_the_tax_is_named_as_the_country_names_it_with_its_rate(server, history):
    number, taxes = newest_with_taxes(server, ACME)
    assert [t[:2] for t in taxes] == [("sales tax", 62500)]      # Springfield, Illinois
    tax = money_en_us(taxes[0][3])
    c = signed_in(server, "corporate", "acme-billing")
    page = spaces(html.unescape(c.get("/corporate/invoices/" + number).text))
    assert re.search(r"Illinois sales tax 6\.25%</th><td class=\"num\">" + re.escape(tax), page)
    assert "Tax (" not in page
    assert re.search(r"Illinois sales tax 6\.25%\s+" + re.escape(tax), pdf_text(
        c.get("/corporate/invoices/%s/pdf" % number).raw))
    # Read in French: the words translated, the state's name kept, the rate as French writes it.
    c.set_cookie("cobro_lang", "fr")
    page = spaces(html.unescape(c.get("/corporate/invoices/" + number).text))
    assert "Taxe de vente (Illinois) 6,25 %" in page, page
    # Italy's IVA, in Italian, in the page and in the PDF (the account's language).
    number, taxes = newest_with_taxes(server, GLOBEX)
    assert [t[:2] for t in taxes] == [("IVA", 220000)]
    g = signed_in(server, "corporate", "ap@globex.example")
    g.set_cookie("cobro_lang", "it")
    page = spaces(html.unescape(g.get("/corporate/invoices/" + number).text))
    assert "IVA 22%" in page and money_it_eur(taxes[0][3]) in page
    text = pdf_text(g.get("/corporate/invoices/%s/pdf" % number).raw)
    assert re.search(r"IVA 22%\s+" + re.escape(money_it_eur(taxes[0][3])), text), text


def test_10_an_invoice_issued_before_per_rate_taxes_keeps_its_figures(server, history):
    """The hand-made history has no tax rows, like invoices issued before them: its stored
    6.25 on 100.00 shows as it always did, in the page and the PDF."""
    number = history[0]
    inv = server.scalar("SELECT id FROM invoices WHERE number = ?", (number,))
    assert server.count("invoice_taxes", "invoice_id = ?", (inv,)) == 0
    c = signed_in(server, "corporate", "acme-billing")
    page = spaces(html.unescape(c.get("/corporate/invoices/" + number).text))
    assert re.search(r"Tax \(6\.25%\)</th><td class=\"num\">\$6\.25<", page), page
    assert "$106.25" in page and "sales tax" not in page
    text = pdf_text(c.get("/corporate/invoices/%s/pdf" % number).raw)
    assert re.search(r"Tax \(6\.25%\)\s+\$6\.25", text) and "$106.25" in text, text
    assert "sales tax" not in text


def how_to_pay(page):
    return page[page.index('class="how-to-pay"'):page.index("</section>",
                                                            page.index('class="how-to-pay"'))]


def test_11_an_invoice_without_a_chosen_method_lists_every_way_to_pay(server, history):
    """Until the account chooses a payment method its invoices say every way the vendor takes
    payments, with where to send each: the bank for a wire, the address for a check."""
    aid = account_id(server, ACME)
    assert server.scalar("SELECT payment_method FROM accounts WHERE id = ?", (aid,)) == ""
    number = numbers_of(server, ACME)[0]
    assert server.scalar("SELECT payment_method FROM invoices WHERE number = ?", (number,)) == ""
    c = signed_in(server, "corporate", "acme-billing")
    section = how_to_pay(html.unescape(c.get("/corporate/invoices/" + number).text))
    want = ["No payment method has been chosen yet: any of these can be used.",
            "Pay by electronic payment or wire transfer, quoting the Invoice Number.",
            "Bank: First Republic Demo Bank", "IBAN: DE89 3704 0044 0532 0130 00",
            "Routing number (ABA): 011000015",
            "Pay by check, writing the Invoice Number on it.", "Lockbox 4411",
            "Pay by credit or debit card through Customer Care, quoting the Invoice Number.",
            "set it up under Payment Method in the Corporate Billing Portal."]
    at = [section.find(w) for w in want]
    assert all(i >= 0 for i in at), list(zip(want, at))
    assert at == sorted(at), list(zip(want, at))
    text = " ".join(pdf_text(c.get("/corporate/invoices/%s/pdf" % number).raw).split())
    for w in want:
        assert w in text, (w, text)
    # The Billing Center's online account: the same, but direct debit is set up in the corporate
    # portal only, so it is not offered there.
    number = numbers_of(server, INITECH)[0]
    b = signed_in(server, "billing", "owner@initech.example")
    section = how_to_pay(html.unescape(b.get("/billing/invoices/" + number).text))
    assert want[1] in section and want[4] in section and want[7] in section
    assert "direct debit" not in section


def test_12_invoice_history_reads_the_index_alone(tmp_path):
    """The Invoice History query (store_invoices_recent_each, read from the source so that the
    test follows it) finds its rows and every column it shows in one index: no look-up of each
    invoice's wide row (docs/performance.md, migration 9)."""
    import sqlite3
    db = str(tmp_path / "plan.db")
    p = run_cobro(["migrate", "--db", db], cwd=str(tmp_path))
    assert p.returncode == 0, p.stderr
    with open(os.path.join(REPO, "src", "store", "store_billing.c"), encoding="utf-8") as f:
        source = f.read()
    fn = source[source.index("store_invoices_recent_each("):]
    sql = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', fn[:fn.index('"ii"')]))
    assert sql.startswith("SELECT number, issue_date") and "LIMIT $2" in sql, sql
    con = sqlite3.connect(db)
    try:
        plan = " ".join(row[3] for row in con.execute(
            "EXPLAIN QUERY PLAN " + sql.replace("$1", "1").replace("$2", "20")))
    finally:
        con.close()
    assert "USING COVERING INDEX invoices_history" in plan, plan
    assert "TEMP B-TREE" not in plan, plan  # newest first straight from the index
