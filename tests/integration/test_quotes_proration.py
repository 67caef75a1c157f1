"""Proration of co-termed quote lines to the cent (issue 11), checked against an independent
computation here: the days from the quote's effective date to the account's renewal over the days
of the term (calendar days: a term holding 29 February has 366), the term amount times their ratio
rounded half away from zero, tax at the account's rate on their sum rounded once, and the invoice
acceptance issues carrying exactly those amounts. `make check` runs this file again with the
clock on the 1st, the 4th, the 28th, 29 February and the 31st, so the demo's quotes fall across
month ends and leap years."""
import datetime
from fractions import Fraction

from harness import csrf_of


def days_between(a, b):
    return (datetime.date.fromisoformat(b) - datetime.date.fromisoformat(a)).days


def half_away(fr):
    """A non-negative Fraction rounded half away from zero."""
    return int(fr + Fraction(1, 2))


def test_01_sent_quotes_prorate_by_calendar_days(server):
    quotes = server.query(
        "SELECT id, number, effective_date, term_start, term_end, tax_rate_ppm, tax_mode,"
        " due_subtotal, due_tax, due_total FROM quotes WHERE state IN ('sent', 'expired')"
        " ORDER BY id")
    assert quotes, "the demo has sent quotes"
    for qid, number, effective, start, end, rate, mode, subtotal, tax, total in quotes:
        lines = server.query(
            "SELECT kind, seats, unit_amount, discount_kind, discount_value, list_amount,"
            " discount, term_net, days, term_days, due_now FROM quote_lines WHERE quote_id = ?"
            " ORDER BY position", (qid,))
        due = 0
        for kind, seats, unit, dkind, dvalue, list_amount, discount, net, days, term_days, now \
                in lines:
            assert list_amount == seats * unit, number
            if dkind == "percent":
                per_seat = half_away(Fraction(unit * (1000000 - dvalue), 1000000))
                assert net == seats * per_seat, number
            assert net == list_amount - discount, number
            if kind in ("add_product", "add_seats"):
                assert days == days_between(effective, end), (number, days)
                assert term_days == days_between(start, end), (number, term_days)
                assert term_days in (365, 366)
                assert now == half_away(Fraction(net * days, term_days)), (number, now)
                due += now
            else:
                assert now == 0
        assert mode == "exclusive"
        assert subtotal == due, number
        assert tax == half_away(Fraction(due * rate, 1000000)), number
        assert total == subtotal + tax


def test_02_the_invoice_of_an_acceptance_carries_the_prorated_amounts(server):
    number, qid, due_total, due_tax = server.query(
        "SELECT q.number, q.id, q.due_total, q.due_tax FROM quotes q JOIN accounts a"
        " ON a.id = q.account_id WHERE a.name = 'Globex Italia S.p.A.' AND q.state = 'sent'")[0]
    c = server.client()
    assert c.sign_in_corporate("ap@globex.example").status == 303
    token = csrf_of(c.get("/corporate/quotes/" + number).text)
    r = c.post("/corporate/quotes/%s/accept" % number,
               {"name": "Giulia Bianchi", "title": "Responsabile amministrativa", "po_number": "",
                "accept_terms": "yes", "csrf": token})
    assert r.status == 303, r.text[:300]
    invoice_id = server.scalar("SELECT invoice_id FROM quotes WHERE id = ?", (qid,))
    inv = server.query("SELECT total, tax_total, currency, issue_date, due_date FROM invoices"
                       " WHERE id = ?", (invoice_id,))[0]
    assert inv[0] == due_total and inv[1] == due_tax and inv[2] == "EUR"
    assert days_between(inv[3], inv[4]) == 30  # Net 30
    # Globex's quote has one line, an addition: invoice line 1 is quote line 1.
    lines = server.query("SELECT l.net, l.days, l.term_days, l.seats, l.unit_amount, l.discount,"
                         " q.due_now FROM invoice_lines l JOIN quote_lines q ON q.quote_id = ?"
                         " AND q.position = l.position WHERE l.invoice_id = ? ORDER BY l.position",
                         (qid, invoice_id))
    assert lines
    for net, days, term_days, seats, unit, discount, due_now in lines:
        assert net == due_now
        assert net == half_away(Fraction((seats * unit - discount) * days, term_days))
