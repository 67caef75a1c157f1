"""The staff side of quotes (issue 11): the open quotes page, an account's quotes and "New quote",
the builder of a draft (refused input kept, the priced preview), a quote that is not a draft read
only with the buttons its state allows, the actions (send, withdraw, revise, record an acceptance
on the customer's behalf), and who may do any of it."""
import html
import re
from html.parser import HTMLParser

import pytest

from harness import NOT_MAILER, DEMO_PASSWORD, csrf_of

ACME = "Acme Corporation"
GLOBEX = "Globex Italia S.p.A."


# ---- helpers --------------------------------------------------------------------------------

class _Form(HTMLParser):
    """The fields of the form whose action is `action`, as a browser would post them."""

    def __init__(self, action):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.fields = []  # [name, value]
        self.select = None
        self.select_first = None
        self.textarea = None
        self.labels = set()
        self.ids = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
            return
        if not self.inside:
            return
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("name"):
            self.ids[a["name"]] = a.get("id")
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append([a["name"], a.get("value") or ""])
        elif tag == "select":
            self.select = [a.get("name"), None]
            self.select_first = None
        elif tag == "option" and self.select is not None:
            if self.select_first is None:
                self.select_first = a.get("value") or ""
            if "selected" in a:
                self.select[1] = a.get("value") or ""
        elif tag == "textarea":
            self.textarea = [a.get("name"), ""]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            if self.select[1] is None:
                self.select[1] = self.select_first or ""
            self.fields.append(self.select)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append(self.textarea)
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def form_of(page, action):
    p = _Form(action)
    p.feed(page)
    return p


def fields_of(page, action):
    """The form's fields as a dict (names are unique in the builder)."""
    return dict(form_of(page, action).fields)


def text_of(page):
    """The main part of the page as text (no footer, tags dropped, entities decoded)."""
    main = re.split(r"<footer\b", page, flags=re.I)[0]
    main = re.sub(r"<[^>]+>", " ", main)
    return re.sub(r"\s+", " ", html.unescape(main)).replace("\u00a0", " ").replace("\u202f", " ")


def staff(server, email):
    c = server.client()
    r = c.sign_in_staff(email)
    assert r.status == 303, r
    return c


def account_id(server, name):
    return server.scalar("SELECT id FROM accounts WHERE name = ?", (name,))


def quote_row(server, number):
    rows = server.query(
        "SELECT state, due_total, renewal_total, on_behalf_staff_id, on_behalf_reason, "
        "decided_name, po_number, invoice_id FROM quotes WHERE number = ?", (number,))
    return rows[0] if rows else None


def subscription_id(server, account, product):
    return server.scalar(
        "SELECT s.id FROM subscriptions s JOIN plans p ON p.id = s.plan_id "
        "JOIN products pr ON pr.id = p.product_id "
        "WHERE s.account_id = ? AND pr.name = ? AND s.status = 'active' ORDER BY s.id",
        (account_id(server, account), product))


def new_draft(c, server, account=ACME):
    aid = account_id(server, account)
    page = "/staff/accounts/%d" % aid
    r = c.submit(page, "/staff/accounts/%d/quotes" % aid, {})
    assert r.status == 303, (r.status, r.text[:500])
    m = re.match(r"^/staff/quotes/(Q-[0-9A-Za-z-]+)$", r.location_path)
    assert m, r.location
    return m.group(1)


def builder_post(c, number, changes):
    """Posts the builder form as the page shows it, with changes applied."""
    page = c.get("/staff/quotes/%s" % number)
    assert page.status == 200, page
    fields = fields_of(page.text, "/staff/quotes/%s" % number)
    assert "l1_kind" in fields, sorted(fields)
    fields.update(changes)
    return c.post("/staff/quotes/%s" % number, fields)


def add_seats_line(server, seats="5", discount_kind="percent", discount="10", row=1,
                   product="RescueAssist"):
    p = "l%d_" % row
    return {p + "kind": "add_seats", p + "subscription": str(subscription_id(server, ACME, product)),
            p + "seats": seats, p + "price": "", p + "discount_kind": discount_kind,
            p + "discount": discount}


@pytest.fixture(scope="module")
def other_rep(server):
    """A second sales rep (owning no account): the demo has one."""
    h = server.scalar("SELECT password_hash FROM staff_users WHERE email = ?",
                      ("rep@vendor.example",))
    server.execute(
        "INSERT INTO staff_users (email, name, role, password_hash, created_at) "
        "VALUES (?, ?, 'sales_rep', ?, 0)", ("rep2@vendor.example", "Otto Other", h))
    return "rep2@vendor.example"


# ---- the lists ------------------------------------------------------------------------------

def test_01_open_quotes_soonest_to_expire_first(server):
    c = staff(server, "admin@vendor.example")
    r = c.get("/staff/quotes")
    assert r.status == 200
    assert r.text.count("<h1") == 1
    sent = server.query("SELECT number, valid_until FROM quotes WHERE state = 'sent' "
                        "ORDER BY valid_until, number")
    assert len(sent) >= 2, sent
    shown = re.findall(r'href="/staff/quotes/(Q-[^"]+)"', r.text)
    assert shown == [n for n, _ in sent], (shown, sent)
    text = text_of(r.text)
    assert ACME in text and GLOBEX in text
    assert "Rita Reyes" in text
    # The expired demo quote is not open.
    expired = server.scalar("SELECT number FROM quotes WHERE state = 'expired'")
    assert expired and expired not in r.text
    # Due now and the new annual amount, formatted.
    assert re.search(r"\$[0-9,]+\.[0-9]{2}", text), text
    assert re.search(r"€[0-9,]+\.[0-9]{2}", text), text  # Globex's, in euros


def test_02_a_rep_sees_their_own_open_quotes_care_none(server, other_rep):
    r = staff(server, "rep@vendor.example").get("/staff/quotes")
    assert r.status == 200
    assert len(re.findall(r'href="/staff/quotes/Q-', r.text)) >= 2
    r = staff(server, other_rep).get("/staff/quotes")
    assert r.status == 200
    assert 'href="/staff/quotes/Q-' not in r.text
    r = staff(server, "care@vendor.example").get("/staff/quotes")
    assert r.status == 200
    assert 'href="/staff/quotes/Q-' not in r.text


def test_03_account_page_lists_quotes_with_state_and_new_quote_by_role(server, other_rep):
    aid = account_id(server, ACME)
    for email, may in [("rep@vendor.example", True), ("cas@vendor.example", True),
                       ("admin@vendor.example", True), ("care@vendor.example", False),
                       (other_rep, False)]:
        r = staff(server, email).get("/staff/accounts/%d" % aid)
        assert r.status == 200, (email, r)
        assert 'id="quotes"' in r.text, email
        text = text_of(r.text)
        assert "Sent" in text and "Expired" in text, (email, text)
        has_button = ('action="/staff/accounts/%d/quotes"' % aid) in r.text
        assert has_button == may, email
        linked = 'href="/staff/quotes/Q-' in r.text
        assert linked == may, email
    # An online account has no quotes section.
    online = server.scalar("SELECT id FROM accounts WHERE kind = 'online' ORDER BY id")
    r = staff(server, "admin@vendor.example").get("/staff/accounts/%d" % online)
    assert r.status == 200
    assert 'id="quotes"' not in r.text
    assert "/quotes\" class" not in r.text


# ---- the builder ----------------------------------------------------------------------------

def test_04_new_quote_opens_the_builder_with_labelled_fields(server):
    c = staff(server, "rep@vendor.example")
    number = new_draft(c, server)
    assert quote_row(server, number)[0] == "draft"
    r = c.get("/staff/quotes/%s?done=created" % number)
    assert r.status == 200
    assert r.text.count("<h1") == 1
    f = form_of(r.text, "/staff/quotes/%s" % number)
    names = [n for n, _ in f.fields]
    for name in ("effective_date", "valid_until", "payment_terms", "customer_note",
                 "internal_note", "l1_kind", "l1_plan", "l1_subscription", "l1_seats",
                 "l1_price", "l1_discount_kind", "l1_discount"):
        assert name in names, name
    # Every field has a label tied to it.
    for name, _ in f.fields:
        if name == "csrf":
            continue
        assert f.ids.get(name) in f.labels, name
    values = dict(f.fields)
    assert values["payment_terms"] == "30"
    text = text_of(r.text)
    assert "Save and preview" in text
    assert "A new draft quote has been created." in text
    # A draft offers Send and Withdraw, never Revise nor the acceptance form.
    assert 'action="/staff/quotes/%s/send"' % number in r.text
    assert 'action="/staff/quotes/%s/withdraw"' % number in r.text
    assert "/revise\"" not in r.text and "/accept\"" not in r.text


def test_05_save_and_preview_prices_the_lines(server):
    c = staff(server, "rep@vendor.example")
    number = new_draft(c, server)
    changes = add_seats_line(server, seats="5")
    changes.update({"customer_note": "Thanks for your business", "internal_note": "Q4 push"})
    r = builder_post(c, number, changes)
    assert r.status == 303, (r.status, text_of(r.text)[:1500])
    assert r.location_path == "/staff/quotes/%s" % number
    page = c.get(r.location)
    assert page.status == 200
    text = text_of(page.text)
    assert "The draft has been saved." in text
    assert "Preview" in text
    assert "Add seats: RescueAssist" in text, text
    assert "Due now, with tax" in text
    assert "New annual amount from the next renewal" in text
    # The fields show what was saved, and empty rows follow for new lines.
    f = fields_of(page.text, "/staff/quotes/%s" % number)
    assert f["l1_seats"] == "5" and f["l1_discount_kind"] == "percent" and f["l1_discount"] == "10"
    assert f["l2_seats"] == "" and f["internal_note"] == "Q4 push"
    assert server.scalar("SELECT count(*) FROM quote_lines l JOIN quotes q ON q.id = l.quote_id "
                         "WHERE q.number = ?", (number,)) == 1
    # The saved line shows the subscription it adds seats to, so saving again keeps it.
    assert f["l1_subscription"] == str(subscription_id(server, ACME, "RescueAssist"))
    r = builder_post(c, number, {})
    assert r.status == 303, (r.status, text_of(r.text)[:1500])
    # The preview's due-now total is what sending stores.
    shown = re.search(r"Due now, with tax\s*(\$[0-9,]+\.[0-9]{2})", text).group(1)
    r = c.submit("/staff/quotes/%s" % number, "/staff/quotes/%s/send" % number, {})
    assert r.status == 303, (r.status, text_of(r.text)[:1500])
    due = quote_row(server, number)[1]
    assert shown == "${:,.2f}".format(due / 100), (shown, due)
    assert due > 0


def test_06_refused_input_is_kept_with_messages_and_nothing_saved(server):
    c = staff(server, "rep@vendor.example")
    number = new_draft(c, server)
    before = server.query("SELECT valid_until, payment_terms_days FROM quotes WHERE number = ?",
                          (number,))
    changes = add_seats_line(server, seats="lots", discount_kind="percent", discount="150")
    changes.update({"payment_terms": "999", "valid_until": "2026-02-30",
                    "l2_kind": "add_product", "l2_plan": "", "l2_seats": "3",
                    "internal_note": "kept <b>as typed</b>"})
    r = builder_post(c, number, changes)
    assert r.status == 400
    text = text_of(r.text)
    assert "Nothing was saved" in text
    assert "Enter a whole number" in text
    assert "Enter a date as YYYY-MM-DD." in text
    assert "Choose one of the options." in text
    f = form_of(r.text, "/staff/quotes/%s" % number)
    v = dict(f.fields)
    assert v["l1_seats"] == "lots" and v["l1_discount"] == "150"
    assert v["payment_terms"] == "999" and v["valid_until"] == "2026-02-30"
    assert v["l2_seats"] == "3" and v["l2_kind"] == "add_product"
    assert v["internal_note"] == "kept <b>as typed</b>"
    assert "<b>as typed</b>" not in r.text  # escaped, not markup
    # Each refused field is marked and its message tied to it.
    for name in ("l1_seats", "l1_discount", "payment_terms", "valid_until", "l2_plan"):
        assert re.search(r'<(input|select)[^>]*id="%s"[^>]*aria-invalid="true"' % name, r.text), name
        assert re.search(r'id="%s-error"' % name, r.text), name
    after = server.query("SELECT valid_until, payment_terms_days FROM quotes WHERE number = ?",
                         (number,))
    assert after == before
    assert server.scalar("SELECT count(*) FROM quote_lines l JOIN quotes q ON q.id = l.quote_id "
                         "WHERE q.number = ?", (number,)) == 0


def test_07_in_italian_the_refusal_reads_in_italian(server):
    c = staff(server, "rep@vendor.example")
    c.set_cookie("cobro_lang", "it")
    number = new_draft(c, server)
    r = builder_post(c, number, add_seats_line(server, seats="x"))
    assert r.status == 400
    assert '<html lang="it"' in r.text
    text = text_of(r.text)
    assert "Non è stato salvato nulla." in text, text[:1500]
    assert "Inserisci un numero intero, ad esempio 15." in text
    assert "Salva e visualizza l'anteprima" in text
    assert "Nothing was saved" not in text and "Enter a whole number" not in text


def test_08_twenty_lines_fit_in_one_post(server):
    c = staff(server, "rep@vendor.example")
    number = new_draft(c, server)
    page = c.get("/staff/quotes/%s" % number)
    fields = fields_of(page.text, "/staff/quotes/%s" % number)
    for i in range(1, 21):
        fields.update(add_seats_line(server, seats="1", discount_kind="", discount="", row=i))
    r = c.post("/staff/quotes/%s" % number, fields)
    assert r.status == 303, (r.status, text_of(r.text)[:800])
    assert server.scalar("SELECT count(*) FROM quote_lines l JOIN quotes q ON q.id = l.quote_id "
                         "WHERE q.number = ?", (number,)) == 20


def test_09_sending_without_lines_is_refused_in_words(server):
    c = staff(server, "rep@vendor.example")
    number = new_draft(c, server)
    r = c.submit("/staff/quotes/%s" % number, "/staff/quotes/%s/send" % number, {})
    assert r.status == 400
    assert "Add at least one line before sending the quote." in text_of(r.text)
    assert quote_row(server, number)[0] == "draft"


# ---- states and actions -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def sent_quote(server, smtp_sink):
    """A quote the rep sent: 2 more seats of RescueAssist."""
    c = staff(server, "rep@vendor.example")
    number = new_draft(c, server)
    assert builder_post(c, number, add_seats_line(server, seats="2", discount_kind="",
                                                  discount="")).status == 303
    before = server.count("email_outbox", "kind LIKE 'quote%'")
    r = c.submit("/staff/quotes/%s" % number, "/staff/quotes/%s/send" % number, {})
    assert r.status == 303, (r.status, text_of(r.text)[:1000])
    assert r.location_path == "/staff/quotes/%s" % number
    assert server.count("email_outbox", "kind LIKE 'quote%'") == before + 1
    return number


def test_10_a_sent_quote_reads_only_with_its_buttons(server, sent_quote):
    c = staff(server, "rep@vendor.example")
    r = c.get("/staff/quotes/%s?done=sent" % sent_quote)
    assert r.status == 200
    text = text_of(r.text)
    assert "The quote has been sent to the billing contact." in text
    assert "Sent" in text
    assert 'name="l1_seats"' not in r.text  # no builder
    acts = set(re.findall(r'action="/staff/quotes/%s/([a-z]+)"' % re.escape(sent_quote), r.text))
    assert acts == {"revise", "withdraw", "accept"}, acts
    assert "Record acceptance on the customer's behalf" in text


@pytest.mark.parametrize("action", ["send", ""])
def test_11_forged_posts_on_a_sent_quote_are_refused_in_words(server, sent_quote, action):
    c = staff(server, "rep@vendor.example")
    path = "/staff/quotes/%s" % sent_quote + ("/" + action if action else "")
    r = c.submit("/staff/quotes/%s" % sent_quote, path, {"l1_seats": "9", "l1_kind": "add_seats"})
    assert r.status == 409, r
    text = text_of(r.text)
    assert "This quote has already been sent." in text, text[:1500]
    assert quote_row(server, sent_quote)[0] == "sent"


def test_12_accept_on_a_draft_is_refused_in_words(server):
    c = staff(server, "rep@vendor.example")
    number = new_draft(c, server)
    r = c.submit("/staff/quotes/%s" % number, "/staff/quotes/%s/accept" % number,
                 {"name": "Pat", "title": "CFO", "reason": "PO by email"})
    assert r.status == 409
    assert "This quote has not been sent yet." in text_of(r.text)
    assert quote_row(server, number)[0] == "draft"


def test_13_record_acceptance_needs_a_reason_and_keeps_what_was_typed(server, sent_quote):
    c = staff(server, "rep@vendor.example")
    r = c.submit("/staff/quotes/%s" % sent_quote, "/staff/quotes/%s/accept" % sent_quote,
                 {"name": "Pat Doe", "title": "CFO", "po_number": "PO-77", "reason": ""})
    assert r.status == 400
    text = text_of(r.text)
    assert "The acceptance was not recorded." in text
    v = fields_of(r.text, "/staff/quotes/%s/accept" % sent_quote)
    assert v["name"] == "Pat Doe" and v["title"] == "CFO" and v["po_number"] == "PO-77"
    assert re.search(r'id="reason"[^>]*aria-invalid="true"', r.text)
    assert quote_row(server, sent_quote)[0] == "sent"


def test_14_revise_makes_a_draft_revision_once(server, sent_quote):
    c = staff(server, "rep@vendor.example")
    r = c.submit("/staff/quotes/%s" % sent_quote, "/staff/quotes/%s/revise" % sent_quote, {})
    assert r.status == 303, (r.status, text_of(r.text)[:800])
    revision = r.location_path.rsplit("/", 1)[1]
    assert revision == sent_quote + "-2"
    assert quote_row(server, revision)[0] == "draft"
    page = c.get(r.location)
    assert page.status == 200
    assert "A new revision has been created as a draft." in text_of(page.text)
    f = fields_of(page.text, "/staff/quotes/%s" % revision)
    assert f["l1_seats"] == "2" and f["l1_kind"] == "add_seats"
    # The sent one lists its revisions; revising it again is refused.
    r = c.get("/staff/quotes/%s" % sent_quote)
    assert 'href="/staff/quotes/%s"' % revision in r.text
    r = c.submit("/staff/quotes/%s" % sent_quote, "/staff/quotes/%s/revise" % sent_quote, {})
    assert r.status == 409
    assert "A draft revision of this quote already exists" in text_of(r.text)
    # Withdrawing the draft revision leaves the sent quote live.
    r = c.submit("/staff/quotes/%s" % revision, "/staff/quotes/%s/withdraw" % revision, {})
    assert r.status == 303
    assert quote_row(server, revision)[0] == "withdrawn"
    assert quote_row(server, sent_quote)[0] == "sent"


def test_15_acceptance_on_behalf_is_recorded_and_marked(server, sent_quote):
    c = staff(server, "rep@vendor.example")
    r = c.submit("/staff/quotes/%s" % sent_quote, "/staff/quotes/%s/accept" % sent_quote,
                 {"name": "Pat Doe", "title": "CFO", "po_number": "PO-77",
                  "reason": "Signed PO received by email"})
    assert r.status == 303, (r.status, text_of(r.text)[:1500])
    row = quote_row(server, sent_quote)
    assert row[0] == "accepted"
    assert row[3] and row[4] == "Signed PO received by email"
    assert row[5] == "Pat Doe" and row[6] == "PO-77"
    page = c.get(r.location)
    text = text_of(page.text)
    assert "The acceptance has been recorded on the customer's behalf." in text
    assert "Recorded by staff on the customer's behalf." in text
    assert "Pat Doe" in text and "CFO" in text and "PO-77" in text
    assert "Signed PO received by email" in text
    if row[7]:
        inv = server.scalar("SELECT number FROM invoices WHERE id = ?", (row[7],))
        assert 'href="/staff/invoices/%s"' % inv in page.text
    # An accepted quote offers no action.
    assert not re.search(r'action="/staff/quotes/%s/' % re.escape(sent_quote), page.text)
    # Every action on it now is refused in words, and changes nothing.
    for action in ("withdraw", "send", "accept", "revise"):
        r = c.submit("/staff/quotes/%s" % sent_quote, "/staff/quotes/%s/%s" % (sent_quote, action),
                     {"name": "X", "title": "Y", "reason": "Z"})
        assert r.status == 409, (action, r.status)
        assert "This quote has already been accepted." in text_of(r.text), action
    assert quote_row(server, sent_quote)[0] == "accepted"
    # The customer's page says the acceptance was recorded for them.
    customer = server.client()  # sent_quote is Acme's
    assert customer.sign_in_corporate("acme-billing").status == 303
    ctext = text_of(customer.get("/corporate/quotes/" + sent_quote).text)
    assert "(recorded by your sales representative on your behalf)" in ctext
    assert "your sales representative recorded the acceptance on your behalf" in ctext


def test_16_withdraw_a_sent_quote(server):
    c = staff(server, "cas@vendor.example")
    number = new_draft(c, server)
    assert builder_post(c, number, add_seats_line(server, seats="1", discount_kind="",
                                                  discount="")).status == 303
    assert c.submit("/staff/quotes/%s" % number, "/staff/quotes/%s/send" % number,
                    {}).status == 303
    r = c.submit("/staff/quotes/%s" % number, "/staff/quotes/%s/withdraw" % number, {})
    assert r.status == 303
    page = c.get(r.location)
    text = text_of(page.text)
    assert "The quote has been withdrawn." in text and "Withdrawn" in text
    acts = set(re.findall(r'action="/staff/quotes/%s/([a-z]+)"' % re.escape(number), page.text))
    assert acts == {"revise"}, acts


# ---- who may -----------------------------------------------------------------------------------

def test_17_care_and_another_rep_get_404_on_pages_and_actions(server, other_rep):
    rep = staff(server, "rep@vendor.example")
    number = new_draft(rep, server)
    aid = account_id(server, ACME)
    token_page = "/staff/home"
    for email in ("care@vendor.example", other_rep):
        c = staff(server, email)
        assert c.get("/staff/quotes/%s" % number).status == 404, email
        for action in ("", "/send", "/withdraw", "/revise", "/accept"):
            r = c.submit(token_page, "/staff/quotes/%s%s" % (number, action),
                         {"name": "a", "title": "b", "reason": "c"})
            assert r.status == 404, (email, action, r.status)
        r = c.submit(token_page, "/staff/accounts/%d/quotes" % aid, {})
        assert r.status == 404, email
    assert quote_row(server, number)[0] == "draft"
    # An unknown number is the same 404.
    assert rep.get("/staff/quotes/Q-1999-999999").status == 404


def test_18_quotes_need_a_staff_session_and_csrf(server):
    rep = staff(server, "rep@vendor.example")
    number = new_draft(rep, server)
    anon = server.client()
    r = anon.get("/staff/quotes/%s" % number)
    assert r.status == 303 and r.location_path == "/staff"
    corp = server.client()
    assert corp.sign_in_corporate("acme-billing").status == 303
    r = corp.get("/staff/quotes")
    assert r.status == 303 and r.location_path == "/staff"
    # No CSRF token: refused, nothing changes.
    r = rep.post("/staff/quotes/%s/withdraw" % number, {})
    assert r.status == 403
    r = rep.post("/staff/accounts/%d/quotes" % account_id(server, ACME), {})
    assert r.status == 403
    assert quote_row(server, number)[0] == "draft"


def test_19_the_staff_pdf_of_a_quote(server):
    """The staff console links the PDF of a sent quote, which is the customer's PDF; Customer
    Care, who may not manage quotes, gets 404 for it."""
    number = server.scalar("SELECT number FROM quotes WHERE state = 'sent' ORDER BY id LIMIT 1")
    rep = server.client()
    assert rep.sign_in_staff("rep@vendor.example").status == 303
    page = rep.get("/staff/quotes/" + number)
    assert 'href="/staff/quotes/%s/pdf"' % number in page.text
    pdf = rep.get("/staff/quotes/%s/pdf" % number)
    assert pdf.status == 200 and pdf.headers.get("Content-Type") == "application/pdf"
    assert pdf.raw[:5] == b"%PDF-"
    care = server.client()
    assert care.sign_in_staff("care@vendor.example").status == 303
    assert care.get("/staff/quotes/%s/pdf" % number).status == 404


# ---- the live preview (POST NUMBER/preview) --------------------------------------------------

def _round_div(n, d):
    """n / d rounded half away from zero, as money_mul_div does (n, d >= 0 here)."""
    q, r = divmod(n, d)
    return q + (1 if 2 * r >= d else 0)


def _tax(amount, rate, mode):
    """The tax on amount at rate (ppm), as tax_split: exclusive adds it, inclusive takes it out."""
    if mode == "inclusive":
        return amount - _round_div(amount * 1000000, 1000000 + rate)
    return _round_div(amount * rate, 1000000)


def usd(minor):
    return "${:,.2f}".format(minor / 100)


def snapshot(server, number):
    """Everything the preview could write: the quote, its lines, the audit log (a staff
    member's sign-in aside), the outbox."""
    return (server.query("SELECT * FROM quotes WHERE number = ?", (number,)),
            server.query("SELECT l.* FROM quote_lines l JOIN quotes q ON q.id = l.quote_id "
                         "WHERE q.number = ? ORDER BY l.id", (number,)),
            server.count("audit_log", "action <> 'sign_in' AND " + NOT_MAILER), server.count("email_outbox"))


def preview_post(c, number, changes, csrf=True):
    """Posts the builder form as the page shows it, with changes, to NUMBER/preview."""
    page = c.get("/staff/quotes/%s" % number)
    assert page.status == 200, page
    fields = fields_of(page.text, "/staff/quotes/%s" % number)
    fields.update(changes)
    if not csrf:
        fields.pop("csrf")
    return c.post("/staff/quotes/%s/preview" % number, fields)


def test_20_the_builder_loads_the_live_preview_script(server):
    c = staff(server, "rep@vendor.example")
    number = new_draft(c, server)
    page = c.get("/staff/quotes/%s" % number)
    assert 'data-preview="/staff/quotes/%s/preview"' % number in page.text
    assert '<script src="/static/quote-preview.js" defer></script>' in page.text
    assert re.search(r'id="quote-preview-body" aria-live="polite"', page.text)
    js = server.client().get("/static/quote-preview.js")
    assert js.status == 200
    assert js.headers["Content-Type"].startswith("text/javascript")
    assert "fetch(" in js.text and "data-preview" in js.text
    # The page's policy lets it run: scripts from the server itself, no inline script.
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src" not in csp
    assert "<script>" not in page.text


def test_21_preview_prices_the_form_as_typed_and_writes_nothing(server):
    c = staff(server, "rep@vendor.example")
    number = new_draft(c, server)
    # A stored line to edit: 5 seats of RescueAssist at the list price, 10 % off.
    assert builder_post(c, number, add_seats_line(server, seats="5")).status == 303
    term_start, term_end = server.query(
        "SELECT term_start, term_end FROM quotes WHERE number = ?", (number,))[0]
    import datetime
    start = datetime.date.fromisoformat(term_start)
    end = datetime.date.fromisoformat(term_end)
    # Effective 100 days before the renewal, whatever today is: 100 days of the term.
    effective = end - datetime.timedelta(days=100)
    term_days = (end - start).days
    before = snapshot(server, number)

    changes = add_seats_line(server, seats="3", discount_kind="percent", discount="10")
    changes.update({"l1_price": "1000.00", "effective_date": effective.isoformat()})
    r = preview_post(c, number, changes)
    assert r.status == 200, (r.status, text_of(r.text)[:1500])
    assert r.headers["Content-Type"].startswith("text/html")
    # A fragment: the preview section alone, its body a polite live region.
    assert r.text.startswith('<section class="card" id="quote-preview"'), r.text[:200]
    assert "<html" not in r.text and "<h1" not in r.text
    assert 'id="quote-preview-body" aria-live="polite"' in r.text

    # The amounts, computed here from the rules in docs/quotes.md.
    unit = 90000  # $1,000.00 less 10 % a seat a year
    term_net = 3 * unit
    due = _round_div(term_net * 100, term_days)
    aid = account_id(server, ACME)
    country, region = server.query("SELECT country, region FROM accounts WHERE id = ?",
                                   (aid,))[0]
    rate = server.scalar("SELECT rate_ppm FROM tax_rates WHERE country = ? AND region = ?",
                         (country, region or ""))
    if rate is None:
        rate = server.scalar("SELECT rate_ppm FROM tax_rates WHERE country = ? AND region = ''",
                             (country,))
    assert rate is not None and rate > 0, (country, region)
    mode = server.scalar("SELECT value FROM vendor_settings WHERE key = 'tax_mode'") or "exclusive"
    renewal = term_net
    for seats, unit_amount, next_seats, next_unit in server.query(
            "SELECT seats, unit_amount, next_seats, next_unit_amount FROM subscriptions "
            "WHERE account_id = ? AND status = 'active'", (aid,)):
        s = next_seats if next_seats is not None and next_seats > 0 else seats
        u = next_unit if next_unit is not None and next_unit >= 0 else unit_amount
        renewal += s * u
    due_tax, renewal_tax = _tax(due, rate, mode), _tax(renewal, rate, mode)
    due_sub = due - due_tax if mode == "inclusive" else due
    renewal_sub = renewal - renewal_tax if mode == "inclusive" else renewal
    text = text_of(r.text)
    row = ("Add seats: RescueAssist 3 %s %s %s %s (100 days of %d)"
           % (usd(100000), usd(30000), usd(term_net), usd(due), term_days))
    assert row in text, (row, text)
    assert "Due now, before tax %s" % usd(due_sub) in text, text
    assert "Due now, with tax %s" % usd(due_sub + due_tax) in text, text
    assert ("New annual amount from the next renewal %s (%s before tax)"
            % (usd(renewal_sub + renewal_tax), usd(renewal_sub))) in text, text
    assert "nothing is saved until you press \"Save and preview\"" in text, text

    # Nothing written: the stored draft (5 seats) and the audit log as they were.
    assert snapshot(server, number) == before
    page = c.get("/staff/quotes/%s" % number)
    assert fields_of(page.text, "/staff/quotes/%s" % number)["l1_seats"] == "5"

    # Saving the same form stores what the preview showed.
    page_fields = fields_of(page.text, "/staff/quotes/%s" % number)
    page_fields.update(changes)
    assert c.post("/staff/quotes/%s" % number, page_fields).status == 303
    saved = text_of(c.get("/staff/quotes/%s" % number).text)
    assert "Due now, with tax %s" % usd(due_sub + due_tax) in saved, saved
    assert row in saved


def test_22_preview_of_no_lines_and_of_refused_input(server):
    c = staff(server, "rep@vendor.example")
    number = new_draft(c, server)
    before = snapshot(server, number)
    r = preview_post(c, number, {})
    assert r.status == 200
    assert "Add a line to see the totals." in text_of(r.text)

    changes = add_seats_line(server, seats="lots")
    changes.update({"l1_price": "-5", "payment_terms": "999",
                    "l2_kind": "add_product", "l2_plan": "", "l2_seats": "<b>2</b>"})
    r = preview_post(c, number, changes)
    assert r.status == 200, r  # the request was fine: the form, half typed, is not yet
    assert r.text.startswith('<section class="card" id="quote-preview"'), r.text[:200]
    text = text_of(r.text).replace(" :", ":")
    assert "The totals will show once these fields are corrected:" in text, text
    # Each refused field listed with its reason and a link to it.
    for field, message in [
            ("payment_terms", "Payment terms (days): Enter a whole number, such as 15."),
            ("l1_seats", "Line 1, Seats: Enter a whole number, such as 15."),
            ("l1_price", "Line 1, Unit price a year (USD): Enter an amount such as 1250.00, or "
                         "leave it empty."),
            ("l2_plan", "Line 2, Product: Choose one of the options."),
            ("l2_seats", "Line 2, Seats: Enter a whole number, such as 15.")]:
        assert 'href="#%s"' % field in r.text, field
        assert message in text, (message, text)
    assert "<b>" not in r.text
    assert "Due now" not in text
    assert snapshot(server, number) == before


def test_23_preview_refusals_read_in_italian(server):
    c = staff(server, "rep@vendor.example")
    c.set_cookie("cobro_lang", "it")
    number = new_draft(c, server)
    r = preview_post(c, number, add_seats_line(server, seats="x"))
    assert r.status == 200
    text = text_of(r.text)
    assert "Inserisci un numero intero, ad esempio 15." in text, text
    assert "Enter a whole number" not in text and "The totals will show" not in text, text
    r = preview_post(c, number, add_seats_line(server, seats="2"))
    assert r.status == 200
    text = text_of(r.text)
    assert "Anteprima" in text and "Save and preview" not in text, text


def test_24_preview_needs_csrf_and_a_draft_this_rep_manages(server, other_rep):
    rep = staff(server, "rep@vendor.example")
    number = new_draft(rep, server)
    before = snapshot(server, number)
    # No CSRF token: 403, nothing written.
    r = preview_post(rep, number, add_seats_line(server, seats="2"), csrf=False)
    assert r.status == 403
    # Care and another rep: 404, as for the builder; an unknown number too.
    for email in ("care@vendor.example", other_rep):
        c = staff(server, email)
        r = c.submit("/staff/home", "/staff/quotes/%s/preview" % number,
                     add_seats_line(server, seats="2"))
        assert r.status == 404, (email, r.status)
        assert "Due now" not in r.text
    r = rep.submit("/staff/home", "/staff/quotes/Q-1999-999999/preview",
                   add_seats_line(server, seats="2"))
    assert r.status == 404
    # Without a staff session: to the sign-in page.
    anon = server.client()
    r = anon.submit("/staff", "/staff/quotes/%s/preview" % number, {})
    assert r.status == 303 and r.location_path == "/staff"
    assert snapshot(server, number) == before
    # A sent quote is no longer a draft: 409, said in words, nothing changed.
    sent_quote = new_draft(rep, server)
    assert builder_post(rep, sent_quote, add_seats_line(server, seats="2")).status == 303
    assert rep.submit("/staff/quotes/%s" % sent_quote, "/staff/quotes/%s/send" % sent_quote,
                      {}).status == 303
    sent_before = snapshot(server, sent_quote)
    r = rep.submit("/staff/quotes/%s" % sent_quote, "/staff/quotes/%s/preview" % sent_quote,
                   add_seats_line(server, seats="9"))
    assert r.status == 409, r
    assert "This quote has already been sent." in text_of(r.text)
    assert "Due now" not in text_of(r.text)
    assert snapshot(server, sent_quote) == sent_before
