"""The customer side of quotes (issue 11) on the demo's quotes: the Corporate Billing Portal's
Quotes tab (pending first, then the history), a quote page in the help texts' terms and its PDF,
accepting (refused input kept, the invoice named, a second accept refused with the outcome of the
first), rejecting in Italian, a quote that can no longer be decided (expired, superseded: why,
no buttons, a forged POST refused the same way), another account's quote (404), and the email a
sent quote goes out in, with its PDF attached.

The demo (src/services/demo.c) gives Acme one sent quote and one that expired, and Globex one sent
in euros, read in Italian; the revisions of test 9 are made through the staff console's routes."""
import html
import os
import re
import subprocess
import tempfile

import pytest

from harness import REPO, csrf_of, form_actions, input_value

os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(REPO, "tests", "lsan.supp"))

ACME, GLOBEX = "Acme Corporation", "Globex Italia S.p.A."
ACME_LOGIN, GLOBEX_LOGIN = "acme-billing", "ap@globex.example"
ACME_CONTACT = "jordan.smith@acme.example"
REP = "rep@vendor.example"
EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def text_of(page):
    """The visible text of <main>, tags dropped, entities read, spaces folded."""
    m = re.search(r"<main\b.*?</main>", page, re.S)
    t = re.sub(r"<[^>]+>", " ", m.group(0) if m else page)
    return re.sub(r"\s+", " ", html.unescape(t)).replace("\u00a0", " ").replace("\u202f", " ")


def money_en_us(minor):
    return ("-" if minor < 0 else "") + "$" + format(abs(minor) / 100, ",.2f")


def date_en(iso):
    y, m, d = (int(x) for x in iso.split("-"))
    return "%s %d, %d" % (EN_MONTHS[m - 1], d, y)


def account_id(server, name):
    return server.scalar("SELECT id FROM accounts WHERE name = ?", (name,))


def quote(server, number):
    rows = server.query(
        "SELECT id, account_id, state, valid_until, due_total, renewal_total, COALESCE(invoice_id, 0),"
        " po_number, decided_name, decided_title, reject_reason, reject_comment FROM quotes"
        " WHERE number = ?", (number,))
    assert rows, number
    keys = ("id", "account_id", "state", "valid_until", "due_total", "renewal_total", "invoice_id",
            "po_number", "decided_name", "decided_title", "reject_reason", "reject_comment")
    return dict(zip(keys, rows[0]))


def quote_numbers(server, name, state):
    return [r[0] for r in server.query(
        "SELECT number FROM quotes WHERE account_id = ? AND state = ? ORDER BY id",
        (account_id(server, name), state))]


def signed_in(server, kind, login, lang=None):
    c = server.client(accept_language=lang)
    r = {"corporate": c.sign_in_corporate, "staff": c.sign_in_staff}[kind](login)
    assert r.status == 303, (kind, login, r.status, r.text[:300])
    return c


def pdf_text(data):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", f.name, "-"], check=True,
                             capture_output=True, text=True).stdout
    return re.sub(r"[ \t]+", " ", out.replace("\u00a0", " ").replace("\u202f", " "))


@pytest.fixture(scope="module")
def demo(server):
    """The demo's quotes: Acme's sent and expired ones, Globex's sent one."""
    server.execute("DELETE FROM sign_in_attempts")
    acme_sent = quote_numbers(server, ACME, "sent")
    globex_sent = quote_numbers(server, GLOBEX, "sent")
    # Past its day: marked expired already, or still "sent" with a valid-until before today.
    acme_expired = [r[0] for r in server.query(
        "SELECT number FROM quotes WHERE account_id = ? AND (state = 'expired' OR"
        " (state = 'sent' AND valid_until < ?)) ORDER BY id",
        (account_id(server, ACME), server.scalar("SELECT MIN(valid_until) FROM quotes")))]
    assert len(acme_sent) >= 1 and len(globex_sent) == 1 and acme_expired, \
        "the demo's quotes are missing (src/services/demo.c)"
    live = [n for n in acme_sent if n not in acme_expired]
    return {"acme": live[0], "acme_expired": acme_expired[0], "globex": globex_sent[0]}


# ---- 1. the Quotes tab ----------------------------------------------------------------------

def test_01_quotes_tab_first_pending_then_history(server, demo):
    c = signed_in(server, "corporate", ACME_LOGIN)
    r = c.get("/corporate/quotes")
    assert r.status == 200
    tabs = re.findall(r'<nav class="tabs".*?</nav>', r.text, re.S)[0]
    assert re.findall(r'href="(/corporate/[a-z-]+)"', tabs)[0] == "/corporate/quotes", \
        "Quotes is the first tab, as the help texts order them"
    assert 'aria-current="page">Quotes<' in tabs
    t = text_of(r.text)
    assert t.count("<h1") == 0 and r.text.count("<h1") == 1
    # Pending first, then the history; each row: number, date, valid until, totals, state.
    pending_at, history_at = t.index("Pending quotes"), t.index("Quote history")
    live_at, expired_at = t.index(demo["acme"]), t.index(demo["acme_expired"])
    assert pending_at < live_at < history_at < expired_at
    q = quote(server, demo["acme"])
    row = t[live_at:history_at]
    assert date_en(q["valid_until"]) in row and "Pending" in row
    assert money_en_us(q["due_total"]) in row and money_en_us(q["renewal_total"]) in row
    assert "Expired" in t[expired_at:]
    # Another account's quote is not listed; drafts never are.
    assert demo["globex"] not in t
    links = re.findall(r'href="/corporate/quotes/([^"/]+)"', r.text)
    assert set(links) == set(n for (n,) in server.query(
        "SELECT number FROM quotes WHERE account_id = ? AND state <> 'draft'",
        (account_id(server, ACME),)))


# ---- 2. a quote page -------------------------------------------------------------------------

def test_02_quote_page_in_the_help_texts_terms(server, demo):
    number = demo["acme"]
    # The internal note may change in any state and must never reach the customer.
    server.execute("UPDATE quotes SET internal_note = ? WHERE number = ?",
                   ("INTERNAL: margin floor 30%", number))
    c = signed_in(server, "corporate", ACME_LOGIN)
    r = c.get("/corporate/quotes/" + number)
    assert r.status == 200
    t = text_of(r.text)
    q = quote(server, number)
    line = server.query("SELECT product_name, seats, days, term_days FROM quote_lines"
                        " WHERE quote_id = ? ORDER BY position", (q["id"],))[0]
    rep = server.query("SELECT name, email FROM staff_users WHERE email = ?", (REP,))[0]
    for s in ["Quote " + number, "Quote number", "Valid until", date_en(q["valid_until"]),
              "Payment terms", "Net 30", "Status", "Pending", "Bill To", ACME,
              "Your sales representative", rep[0], rep[1],
              "Add %d seats of %s for the rest of the term" % (line[1], line[0]),
              "(%d of %d days)" % (line[2], line[3]),
              "Seats", "Unit price", "Discount", "10%", "Illinois sales tax 6.25%",
              "Total due on acceptance", money_en_us(q["due_total"]),
              "Annual amount from the next renewal on", money_en_us(q["renewal_total"]),
              "Print", "Download PDF"]:
        assert s in t, s
    assert "INTERNAL" not in r.text
    # The forms: accept (name, job title, PO, the terms ticked) and reject (a reason, a comment).
    actions = form_actions(r.text)
    assert "/corporate/quotes/%s/accept" % number in actions
    assert "/corporate/quotes/%s/reject" % number in actions
    for field in ("name", "title", "po_number", "accept_terms", "reason", "comment"):
        assert re.search(r'<label for="%s">|<label><input type="checkbox" id="%s"' % (field, field),
                         r.text), field
    assert input_value(r.text, "name") == "Jordan Smith", "the signed-in contact's name to start"
    assert re.findall(r'<option value="(\w+)"', r.text) == ["price", "timing", "seats", "other"]
    assert '/static/print.js' in r.text and 'class="actions no-print"' in r.text


def test_03_quote_pdf_has_the_text(server, demo):
    c = signed_in(server, "corporate", ACME_LOGIN)
    r = c.get("/corporate/quotes/%s/pdf" % demo["acme"])
    assert r.status == 200 and r.headers.get_content_type() == "application/pdf"
    assert r.headers["Content-Disposition"] == 'attachment; filename="%s.pdf"' % demo["acme"]
    t = pdf_text(r.raw)
    q = quote(server, demo["acme"])
    for s in ["Quote", demo["acme"], "Valid until", date_en(q["valid_until"]), "Bill To", ACME,
              "Your sales representative", "Illinois sales tax 6.25%", "Total due on acceptance",
              money_en_us(q["due_total"]), money_en_us(q["renewal_total"]), "Net 30"]:
        assert s in t, s
    assert "INTERNAL" not in t


# ---- 3. what can no longer be decided --------------------------------------------------------

def test_04_expired_quote_says_why_and_refuses_a_forged_post(server, demo):
    number = demo["acme_expired"]
    c = signed_in(server, "corporate", ACME_LOGIN)
    r = c.get("/corporate/quotes/" + number)
    assert r.status == 200
    t = text_of(r.text)
    q = quote(server, number)
    assert "This quote was valid until %s and can no longer be accepted" % date_en(
        q["valid_until"]) in t
    assert not [a for a in form_actions(r.text) if a.startswith("/corporate/quotes/")]
    token = csrf_of(r.text)
    invoices = server.count("invoices")
    for action, fields in (("accept", {"name": "Jordan Smith", "title": "CFO", "po_number": "",
                                       "accept_terms": "yes"}),
                           ("reject", {"reason": "price", "comment": ""})):
        f = c.post("/corporate/quotes/%s/%s" % (number, action), dict(fields, csrf=token))
        assert f.status == 409, (action, f.status)
        ft = text_of(f.text)
        assert "Your decision was not recorded" in ft and "can no longer be accepted" in ft
        assert 'role="alert"' in f.text
        assert not [a for a in form_actions(f.text) if a.startswith("/corporate/quotes/")]
    assert quote(server, number)["state"] in ("sent", "expired")
    assert server.count("invoices") == invoices


def test_05_another_accounts_quote_is_404(server, demo):
    c = signed_in(server, "corporate", ACME_LOGIN)
    theirs = demo["globex"]
    token = csrf_of(c.get("/corporate/quotes/" + demo["acme"]).text)
    for path in ("/corporate/quotes/" + theirs, "/corporate/quotes/%s/pdf" % theirs,
                 "/corporate/quotes/Q-2099-999999"):
        assert c.get(path).status == 404, path
    accept = c.post("/corporate/quotes/%s/accept" % theirs,
                    {"csrf": token, "name": "Jordan Smith", "title": "CFO", "po_number": "",
                     "accept_terms": "yes"})
    reject = c.post("/corporate/quotes/%s/reject" % theirs, {"csrf": token, "reason": "price"})
    assert accept.status == 404 and reject.status == 404
    assert quote(server, theirs)["state"] == "sent"
    # Signed out: the sign-in page, not the quote.
    anon = server.client()
    r = anon.get("/corporate/quotes/" + demo["acme"])
    assert r.status in (302, 303) and r.location_path == "/corporate"


# ---- 4. accepting ----------------------------------------------------------------------------

def test_06_accept_refused_input_is_kept_and_nothing_written(server, demo):
    number = demo["acme"]
    c = signed_in(server, "corporate", ACME_LOGIN)
    invoices = server.count("invoices")
    r = c.submit("/corporate/quotes/" + number, "/corporate/quotes/%s/accept" % number,
                 {"name": "Jordan <Smith>", "title": "", "po_number": "PO-2026-0042"})
    assert r.status == 400
    t = text_of(r.text)
    assert "The quote was not accepted. Check the fields marked below." in t
    assert "This field is required." in t
    assert "Tick the box to accept the terms of this quote." in t
    assert input_value(r.text, "name") == "Jordan <Smith>" and "Jordan &lt;Smith&gt;" in r.text
    assert input_value(r.text, "po_number") == "PO-2026-0042"
    assert re.search(r'id="title"[^>]*aria-invalid="true"', r.text)
    assert re.search(r'id="accept_terms"[^>]*aria-invalid="true"', r.text)
    q = quote(server, number)
    assert q["state"] == "sent" and q["invoice_id"] == 0
    assert server.count("invoices") == invoices


def test_07_accept_issues_the_invoice_and_a_second_accept_sees_it(server, demo, smtp_sink):
    number = demo["acme"]
    c = signed_in(server, "corporate", ACME_LOGIN)
    mark = smtp_sink.mark()
    fields = {"name": "Jordan Smith", "title": "CFO", "po_number": "PO-2026-0042",
              "accept_terms": "yes"}
    token = csrf_of(c.get("/corporate/quotes/" + number).text)
    r = c.post("/corporate/quotes/%s/accept" % number, dict(fields, csrf=token))
    assert r.status == 303 and r.location == "/corporate/quotes/%s?accepted=1" % number
    q = quote(server, number)
    assert q["state"] == "accepted" and q["invoice_id"]
    assert (q["decided_name"], q["decided_title"], q["po_number"]) == (
        "Jordan Smith", "CFO", "PO-2026-0042")
    inv = server.query("SELECT number, total, po_number FROM invoices WHERE id = ?",
                       (q["invoice_id"],))[0]
    assert inv[1] == q["due_total"] and inv[2] == "PO-2026-0042"
    page = c.get(r.location)
    t = text_of(page.text)
    assert ("Thank you: the quote has been accepted and invoice %s has been issued for the amount"
            " due." % inv[0]) in t
    assert 'href="/corporate/invoices/%s"' % inv[0] in page.text
    assert "Status Accepted" in t
    assert not [a for a in form_actions(page.text) if a.startswith("/corporate/quotes/")]
    # The same form again (a double click, a second tab): refused, showing the first outcome.
    invoices = server.count("invoices")
    again = c.post("/corporate/quotes/%s/accept" % number, dict(fields, csrf=token))
    assert again.status == 409
    at = text_of(again.text)
    assert "Your decision was not recorded" in at and "This quote was accepted on" in at
    assert "by Jordan Smith" in at and inv[0] in at
    assert server.count("invoices") == invoices
    # The invoice goes to the contact; the rep hears of the acceptance.
    smtp_sink.wait_for(lambda m: ACME_CONTACT in m["rcpt_tos"] and inv[0] in str(m["msg"]["Subject"]),
                       since=mark)
    smtp_sink.wait_for(lambda m: REP in m["rcpt_tos"], since=mark)
    # The list now has it in the history.
    lt = text_of(c.get("/corporate/quotes").text)
    assert lt.index("Quote history") < lt.index(number)


# ---- 5. rejecting, in Italian ----------------------------------------------------------------

def test_08_reject_in_italian_refused_then_done(server, demo, smtp_sink):
    number = demo["globex"]
    c = signed_in(server, "corporate", GLOBEX_LOGIN, lang="it")
    page = c.get("/corporate/quotes/" + number)
    assert page.status == 200
    t = text_of(page.text)
    for s in ["Preventivo " + number, "Valido fino al", "Fatturare a", "Rifiuta questo preventivo",
              "Accetta questo preventivo", "Totale dovuto all'accettazione", "IVA 22"]:
        assert s in t, s
    r = c.post("/corporate/quotes/%s/reject" % number,
               {"csrf": csrf_of(page.text), "reason": "", "comment": "Troppo presto per noi"})
    assert r.status == 400
    rt = text_of(r.text)
    assert "Il preventivo non è stato rifiutato." in rt and "Scegli un motivo." in rt
    assert "Troppo presto per noi" in r.text
    assert quote(server, number)["state"] == "sent"
    forged = c.post("/corporate/quotes/%s/reject" % number,
                    {"csrf": csrf_of(page.text), "reason": "because", "comment": ""})
    assert forged.status == 400 and quote(server, number)["state"] == "sent"
    mark = smtp_sink.mark()
    done = c.post("/corporate/quotes/%s/reject" % number,
                  {"csrf": csrf_of(page.text), "reason": "timing",
                   "comment": "Troppo presto per noi"})
    assert done.status == 303 and done.location == "/corporate/quotes/%s?rejected=1" % number
    q = quote(server, number)
    assert (q["state"], q["reject_reason"], q["reject_comment"]) == (
        "rejected", "timing", "Troppo presto per noi")
    dt = text_of(c.get(done.location).text)
    assert "Il preventivo è stato rifiutato." in dt and "Questo preventivo è stato rifiutato il" in dt
    assert "Motivo: Le tempistiche (Troppo presto per noi)" in dt
    assert "Stato Rifiutato" in dt
    smtp_sink.wait_for(lambda m: REP in m["rcpt_tos"], since=mark)
    lt = text_of(c.get("/corporate/quotes").text)
    assert "Preventivi" in lt and "Non ci sono preventivi in sospeso." in lt
    assert "Rifiutato" in lt[lt.index("Cronologia preventivi"):]


# ---- 6. a revision sent: the email with the PDF, the superseded one ---------------------------

def staff_post(staff, number, action):
    token = csrf_of(staff.get("/staff/quotes/" + number).text)
    return staff.post("/staff/quotes/%s/%s" % (number, action), {"csrf": token})


def test_09_sent_quote_email_carries_the_pdf_and_a_superseded_one_links_to_the_live(
        server, demo, smtp_sink):
    staff = signed_in(server, "staff", REP)
    # A revision of the expired quote, sent: the contact's email carries its PDF.
    r = staff_post(staff, demo["acme_expired"], "revise")
    assert r.status == 303, r.text[:500]
    first = quote_numbers(server, ACME, "draft")[-1]
    mark = smtp_sink.mark()
    sent = staff_post(staff, first, "send")
    assert sent.status == 303, text_of(sent.text)[:800]
    assert quote(server, first)["state"] == "sent"
    msg = smtp_sink.wait_for(lambda m: ACME_CONTACT in m["rcpt_tos"] and first in str(
        m["msg"]["Subject"]) + str(m["msg"].get_body(preferencelist=("plain",)).get_content()),
        since=mark)["msg"]
    pdfs = [a for a in msg.iter_attachments() if a.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1, [a.get_content_type() for a in msg.iter_attachments()]
    assert pdfs[0].get_filename() == first + ".pdf"
    t = pdf_text(pdfs[0].get_content())
    assert first in t and "Bill To" in t and "Total due on acceptance" in t
    assert server.scalar("SELECT COUNT(*) FROM email_outbox WHERE quote_id = ?",
                         (quote(server, first)["id"],)) == 1

    # Revised again and sent: the first revision is superseded, and says where the live one is.
    assert staff_post(staff, first, "revise").status == 303
    second = quote_numbers(server, ACME, "draft")[-1]
    assert staff_post(staff, second, "send").status == 303
    assert quote(server, first)["state"] == "superseded"
    c = signed_in(server, "corporate", ACME_LOGIN)
    page = c.get("/corporate/quotes/" + first)
    assert page.status == 200
    t = text_of(page.text)
    assert "This quote was replaced by a newer revision and can no longer be accepted." in t
    assert 'href="/corporate/quotes/%s"' % second in page.text
    assert not [a for a in form_actions(page.text) if a.startswith("/corporate/quotes/")]
    forged = c.post("/corporate/quotes/%s/accept" % first,
                    {"csrf": csrf_of(page.text), "name": "Jordan Smith", "title": "CFO",
                     "po_number": "", "accept_terms": "yes"})
    assert forged.status == 409 and quote(server, first)["state"] == "superseded"
    lt = text_of(c.get("/corporate/quotes").text)
    assert lt.index(second) < lt.index("Quote history") < lt.index(first)
    assert "Superseded" in lt
