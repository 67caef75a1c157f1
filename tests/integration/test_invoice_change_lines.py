"""Invoice lines of kind 'change' (issue 13: a change made during a period, charged for the rest of
it less a credit for what the period had already been charged) on every rendering of an invoice:
the Billing Center's invoice page and PDF (Initech, English), the Corporate Billing Portal's in
Italian (Globex), the staff console's; each line says what happened and for which dates, its charge
and under it the credit, the rows adding up to the subtotal; and `cobro verify` finds nothing wrong
with such an invoice. The invoices are written straight into the database, numbered in their
series, as the change service issues them. On SQLite and PostgreSQL."""
import html
import re
import subprocess

import pytest

from harness import now, run_cobro

INITECH, GLOBEX = "Initech", "Globex Italia S.p.A."
TODAY = "2026-11-16"  # the tests' clock (harness), as the demo's periods are


def spaces(text):
    """ICU and the change lines' dates use no-break spaces; compare with plain ones."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def rounded(numerator, denominator):
    """Half away from zero, for the non-negative amounts of invoices."""
    return (2 * numerator + denominator) // (2 * denominator)


def pdf_text(raw):
    return spaces(subprocess.run(["pdftotext", "-layout", "-", "-"], input=raw,
                                 capture_output=True, check=True).stdout.decode())


def one_line(text):
    """pdftotext -layout pads columns with runs of spaces (one space each) and rows with blank
    lines (dropped)."""
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def issue(server, account_name, lines):
    """An invoice for the account issued TODAY with lines (dicts of invoice_lines' columns; net
    from days of term_days less credit), tax per rate rounded once, numbered next in its series.
    Returns (number, lines with their net)."""
    acct = server.scalar("SELECT id FROM accounts WHERE name = ?", (account_name,))
    template = server.scalar("SELECT id FROM invoices WHERE account_id = ? ORDER BY id DESC"
                             " LIMIT 1", (acct,))
    mode, rate = server.query(
        "SELECT i.tax_mode, l.tax_rate_ppm FROM invoices i JOIN invoice_lines l"
        " ON l.invoice_id = i.id WHERE i.id = ? ORDER BY l.position LIMIT 1", (template,))[0]
    assert mode == "exclusive"
    series = "INV-" + TODAY[:4]
    seq = server.scalar("SELECT last_number FROM invoice_series WHERE series = ?", (series,)) + 1
    server.execute("UPDATE invoice_series SET last_number = ? WHERE series = ?", (seq, series))
    number = "%s-%06d" % (series, seq)
    for l in lines:
        l["net"] = rounded(l["seats"] * l["unit"] * l["days"], l["term_days"]) - l["credit"]
        l["tax"] = rounded(l["net"] * rate, 1000000)
    subtotal = sum(l["net"] for l in lines)
    tax = rounded(subtotal * rate, 1000000)
    server.execute(
        "INSERT INTO invoices (account_id, number, series, seq, issue_date, due_date,"
        " currency, lang, status, tax_mode, account_kind, bill_to_name, address_line1,"
        " address_line2, city, region, postal_code, country, phone, contact_name,"
        " contact_email, portal_user_id, po_number, payment_method, subtotal, tax_total,"
        " total, amount_paid, created_at)"
        " SELECT account_id, ?, ?, ?, ?, ?, currency, lang, 'open', tax_mode, account_kind,"
        " bill_to_name, address_line1, address_line2, city, region, postal_code, country,"
        " phone, contact_name, contact_email, portal_user_id, '', payment_method, ?, ?, ?, 0, ?"
        " FROM invoices WHERE id = ?",
        (number, series, seq, TODAY, TODAY, subtotal, tax, subtotal + tax, int(now()), template))
    inv = server.scalar("SELECT id FROM invoices WHERE number = ?", (number,))
    server.execute(
        "INSERT INTO invoice_taxes (invoice_id, position, name, rate_ppm, taxable_base,"
        " tax_amount) SELECT ?, 1, name, rate_ppm, ?, ? FROM invoice_taxes WHERE invoice_id = ?",
        (inv, subtotal, tax, template))
    for i, l in enumerate(lines, 1):
        server.execute(
            "INSERT INTO invoice_lines (invoice_id, position, subscription_id, product_name,"
            " billing_period, period_start, period_end, seats, unit_amount, net, tax_rate_ppm,"
            " tax, gross, days, term_days, kind, from_seats, from_period, credit)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'change', ?, ?, ?)",
            (inv, i, l["sub"], l["product"], l["period"], l["start"], l["end"], l["seats"],
             l["unit"], l["net"], rate, l["tax"], l["net"] + l["tax"], l["days"], l["term_days"],
             l["from_seats"], l["from_period"], l["credit"]))
    return number, lines, subtotal


@pytest.fixture(scope="module")
def invoices(server):
    server.execute("DELETE FROM sign_in_attempts")
    initech = server.scalar("SELECT id FROM accounts WHERE name = ?", (INITECH,))
    meeting = server.scalar(
        "SELECT s.id FROM subscriptions s JOIN plans p ON p.id = s.plan_id"
        " WHERE s.account_id = ? AND p.code = 'gotomeeting-monthly'", (initech,))
    # A product added today: its subscription, as the change service makes it.
    rescue = server.db.insert(
        "INSERT INTO subscriptions (account_id, plan_id, currency, unit_amount, seats, status,"
        " period_start, period_end, anchor_day, created_at) SELECT ?, id, 'USD', 2990, 4,"
        " 'active', ?, '2026-12-01', 1, ? FROM plans WHERE code = 'rescueassist-monthly'",
        (initech, TODAY, int(now())))
    # 5 -> 8 seats for the 15 days left of a 30-day month: 8 x $14.00 x 15/30 = $56.00 less
    # 5 x $14.00 x 15/30 = $35.00 already charged; RescueAssist added: 4 x $29.90 x 15/30 = $59.80.
    en = issue(server, INITECH, [
        dict(sub=meeting, product="GoToMeeting", period="monthly", start=TODAY, end="2026-12-01",
             seats=8, unit=1400, days=15, term_days=30, from_seats=5, from_period="monthly",
             credit=3500),
        dict(sub=rescue, product="RescueAssist", period="monthly", start=TODAY, end="2026-12-01",
             seats=4, unit=2990, days=15, term_days=30, from_seats=0, from_period="", credit=0),
    ])
    globex = server.scalar("SELECT id FROM accounts WHERE name = ?", (GLOBEX,))
    sub, unit, seats, end = server.query(
        "SELECT id, unit_amount, seats, period_end FROM subscriptions WHERE account_id = ?"
        " ORDER BY id LIMIT 1", (globex,))[0]
    # 10 -> 12 seats for the 29 days left of the year (2025-12-15 .. 2026-12-15: 365 days):
    # 12 x 640.00 x 29/365 = 610.1917... less 10 x 640.00 x 29/365 = 508.4931..., each rounded.
    assert (seats, end) == (10, "2026-12-15")
    it = issue(server, GLOBEX, [
        dict(sub=sub, product="GoToAssist Remote Support v5", period="annual", start=TODAY,
             end=end, seats=12, unit=unit, days=29, term_days=365, from_seats=10,
             from_period="annual", credit=rounded(10 * unit * 29, 365)),
    ])
    return {"en": en, "it": it}


def signed_in(server, kind, login):
    c = server.client()
    r = {"corporate": c.sign_in_corporate, "billing": c.sign_in_billing,
         "staff": c.sign_in_staff}[kind](login)
    assert r.status == 303, (kind, login, r.status, r.text[:300])
    return c


def row_texts(page):
    """The invoice lines table's body rows, as text: one string per <tr>, cells joined by |."""
    body = page[page.index("<tbody>", page.index('class="lines')):]
    body = body[:body.index("</tbody>")]
    rows = []
    for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", tr, re.S)
        rows.append("|".join(spaces(html.unescape(re.sub(r"<[^>]+>", "", c))).strip()
                             for c in cells))
    return rows


def test_01_billing_center_page_says_what_happened_and_for_which_dates(server, invoices):
    number, lines, subtotal = invoices["en"]
    assert (lines[0]["net"], lines[1]["net"], subtotal) == (2100, 5980, 8080)
    c = signed_in(server, "billing", "owner@initech.example")
    page = c.get("/billing/invoices/" + number)
    assert page.status == 200
    assert row_texts(page.text) == [
        "GoToMeeting, 5 → 8 seats, Nov 16, 2026 – Nov 30, 2026 (monthly)|8|$14.00|$56.00",
        "Less unused time already charged|-$35.00",
        "RescueAssist, new, 4 seats, Nov 16, 2026 – Nov 30, 2026 (monthly)|4|$29.90|$59.80",
    ]
    text = spaces(html.unescape(page.text))
    # $56.00 - $35.00 + $59.80: the subtotal, as issued.
    assert re.search(r"Subtotal</th><td class=\"num\">\$80\.80<", text)
    # The description spans the product and period columns; the credit its row's first four.
    assert '<tr class="change has-credit"><td colspan="2" data-label="Product">' in page.text
    assert '<tr class="credit"><td colspan="4" class="less">' in page.text


def test_02_billing_center_pdf(server, invoices):
    number, _, _ = invoices["en"]
    c = signed_in(server, "billing", "owner@initech.example")
    pdf = c.get("/billing/invoices/%s/pdf" % number)
    assert pdf.status == 200 and pdf.headers.get_content_type() == "application/pdf"
    text = one_line(pdf_text(pdf.raw))
    assert ("GoToMeeting, 5 → 8 seats, Nov 16, 2026 – Nov 30, 2026 8 $14.00 $56.00\n"
            "Billed monthly\nLess unused time already charged -$35.00\n"
            "RescueAssist, new, 4 seats, Nov 16, 2026 – Nov 30, 2026 4 $29.90 $59.80\n"
            "Billed monthly\n") in text, text
    assert "Subtotal $80.80" in text
    assert "Texas sales tax 6.25% $5.05" in text
    assert "Total $85.85" in text


def test_03_corporate_portal_in_italian(server, invoices):
    number, lines, subtotal = invoices["it"]
    charge = lines[0]["net"] + lines[0]["credit"]
    assert (charge, lines[0]["credit"]) == (61019, 50849)
    c = signed_in(server, "corporate", "ap@globex.example")
    c.set_cookie("cobro_lang", "it")
    page = c.get("/corporate/invoices/" + number)
    assert page.status == 200
    assert row_texts(page.text) == [
        "GoToAssist Remote Support v5, 10 → 12 postazioni, 16 nov 2026 – 14 dic 2026 (annuale)"
        "|12|640,00 €|610,19 €",
        "Meno il periodo non utilizzato già addebitato|-508,49 €",
    ]
    assert re.search(r"Subtotale</th><td class=\"num\">101,70 €<", spaces(page.text))
    # The PDF speaks the account's language.
    text = one_line(pdf_text(c.get("/corporate/invoices/%s/pdf" % number).raw))
    # A long description wraps where a date starts, never inside one.
    assert ("GoToAssist Remote Support v5, 10 → 12 postazioni, 12 640,00 € 610,19 €\n"
            "16 nov 2026 – 14 dic 2026\nFatturazione annuale\n"
            "Meno il periodo non utilizzato già addebitato -508,49 €\n") in text, text
    assert "Subtotale 101,70 €" in text


def test_04_staff_console(server, invoices):
    number, _, _ = invoices["en"]
    c = signed_in(server, "staff", "care@vendor.example")
    page = c.get("/staff/invoices/" + number)
    assert page.status == 200
    rows = row_texts(page.text)
    assert rows[0].startswith("GoToMeeting, 5 → 8 seats, Nov 16, 2026 – Nov 30, 2026")
    assert rows[1] == "Less unused time already charged|-$35.00"


def test_05_verify_finds_nothing_wrong(server, invoices):
    """The change lines' amounts are their charge less their credit; a change line shares days
    with its subscription's period line, which is what a change is, not a period billed twice."""
    out = run_cobro(["verify", "--db", server.db_path], cwd=server.dir)
    assert out.returncode == 0, out.stdout + out.stderr
    assert re.fullmatch(r"verify: \d+ checks, no problems\n", out.stdout), out.stdout
