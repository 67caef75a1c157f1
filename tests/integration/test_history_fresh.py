"""Invoice History shows every write committed before the request, by any connection or process.
Each write below is made by another connection in another process (this one) between two
requests on one keep-alive connection, which one event loop, and so one database connection,
serves: the next page must show it. cobro reads the page's rows afresh at every request today;
these tests guard any memo kept across requests (one was tried and left out: docs/performance.md,
"Issue 9, fourth round")."""
import http.client
import re

from harness import cookie_header, sha256_hex

BASE = "/corporate/invoices"


def _rows(page):
    """(number, status cell) of each row, in page order: the status is the row's next to last
    cell, the PDF link's the last."""
    rows = []
    for row in re.findall(r'<tr><th scope="row".*?</tr>', page, re.S):
        number = re.search(r'href="%s/(INV-\d{4}-\d{6})"' % re.escape(BASE), row).group(1)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append((number, cells[-2]))
    return rows


def test_01_a_write_by_another_process_is_seen_by_the_next_request(server):
    c = server.client()
    assert c.sign_in_corporate("acme-billing").status == 303
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Cookie": cookie_header(c)}
    sock = []

    def page():
        conn.request("GET", BASE, headers=headers)
        r = conn.getresponse()
        body = r.read().decode()
        assert r.status == 200, body[:300]
        sock.append(conn.sock)
        return body

    try:
        first = page()
        assert page() == first  # the same rows again, nothing written in between
        rows = _rows(first)
        assert rows, first
        newest, status = rows[0]
        db_status = server.scalar("SELECT status FROM invoices WHERE number = ?", (newest,))
        assert db_status != "void", db_status

        # A status changed by another process.
        server.execute("UPDATE invoices SET status = 'void' WHERE number = ?", (newest,))
        changed = _rows(page())
        assert changed[0][0] == newest and changed[0][1] != status, (changed[0], status)
        assert changed[1:] == rows[1:]

        # A newer invoice added by another process comes first at once.
        number = "INV-2099-000001"
        server.execute(
            "INSERT INTO invoices (account_id, number, series, seq, issue_date, due_date,"
            " currency, lang, status, tax_mode, account_kind, bill_to_name, address_line1,"
            " address_line2, city, region, postal_code, country, phone, contact_name,"
            " contact_email, portal_user_id, po_number, payment_method, subtotal, tax_total,"
            " total, amount_paid, created_at)"
            " SELECT account_id, ?, 'INV-2099', 1, '2099-01-01', '2099-01-31', currency, lang,"
            " ?, tax_mode, account_kind, bill_to_name, address_line1, address_line2, city,"
            " region, postal_code, country, phone, contact_name, contact_email,"
            " portal_user_id, po_number, payment_method, subtotal, tax_total, total,"
            " amount_paid, created_at FROM invoices WHERE number = ?", (number, db_status, newest))
        added = page()
        # Due in 2099, it is never overdue: shown with its stored status ("Open"), where the
        # demo's invoice it copies may be past due (issue 12: "Overdue").
        assert db_status == "open", db_status
        assert [r for r in _rows(added)][:2] == [(number, "Open"), changed[0]], _rows(added)[:2]
        assert page() == added

        # Changed again, then back as it was: each page shows the database as it is.
        server.execute("UPDATE invoices SET status = 'void' WHERE number = ?", (number,))
        assert _rows(page())[0] == (number, changed[0][1])
        server.execute("UPDATE invoices SET status = ? WHERE number = ?", (db_status, number))
        assert page() == added
    finally:
        conn.close()
    # One connection served every request, so one event loop and one database connection.
    assert all(s is sock[0] for s in sock)


def test_02_a_session_deleted_by_another_process_ends_at_the_next_request(server):
    """The session and the credential's account, remembered the same way, are read again once
    anything is committed: a session deleted elsewhere (revoked, signed out on another node)
    signs out the very next request."""
    c = server.client()
    assert c.sign_in_corporate("acme-billing").status == 303
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Cookie": cookie_header(c)}

    def get():
        conn.request("GET", BASE, headers=headers)
        r = conn.getresponse()
        r.read()
        return r

    try:
        assert get().status == 200
        assert get().status == 200
        server.execute("DELETE FROM sessions WHERE token_digest = ?",
                       (sha256_hex(c.cookie("cobro_session")),))
        r = get()
        assert (r.status, r.getheader("Location")) == (303, "/corporate")  # the sign-in page
    finally:
        conn.close()


def test_03_the_table_kept_for_the_same_rows_follows_the_language(server):
    """The table made from remembered rows is given again only for the same language (and
    country and path): on one connection, English, French, English again."""
    c = server.client()
    assert c.sign_in_corporate("acme-billing").status == 303
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)

    def table(lang):
        conn.request("GET", BASE, headers={"Cookie": cookie_header(c) + "; cobro_lang=" + lang})
        r = conn.getresponse()
        body = r.read().decode()
        assert r.status == 200, body[:300]
        return body[body.index("<table"):body.index("</table>")]

    try:
        en = table("en")
        assert table("en") == en
        fr = table("fr")
        assert fr != en and "Numéro de facture" in fr and "Invoice Number" not in fr, fr[:400]
        assert table("en") == en
        assert table("it") not in (en, fr)
    finally:
        conn.close()


def _amounts(page):
    """(total cell, balance cell) of each row, in page order."""
    out = []
    for row in re.findall(r'<tr><th scope="row".*?</tr>', page, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        # The balance's amount, without the "Pay now" link after it (issue 12).
        out.append((cells[2], cells[3].split("<br>")[0]))
    return out


def test_04_each_row_shows_its_own_total_and_balance(server):
    """The table copies an amount it has just written when the next one is the same amount in
    the same currency (a balance equal to its total, a total equal to the row above's): a
    part-paid invoice's balance, and each row's total, are still shown as their own."""
    c = server.client()
    assert c.sign_in_corporate("acme-billing").status == 303
    numbers = [n for n, _ in _rows(c.get(BASE).text)]
    assert len(numbers) >= 3, numbers

    def shown(minor):
        return "{:,.2f}".format(minor / 100)

    for paid_row in range(3):
        for i, number in enumerate(numbers):
            server.execute("UPDATE invoices SET amount_paid = ? WHERE number = ?",
                           (100 if i == paid_row else 0, number))
        page = _amounts(c.get(BASE).text)
        for i, number in enumerate(numbers):
            total = server.scalar("SELECT total FROM invoices WHERE number = ?", (number,))
            total_cell, balance_cell = page[i]
            assert shown(total) in total_cell, (i, page)
            if i == paid_row:
                assert shown(total - 100) in balance_cell and balance_cell != total_cell, page
            else:
                assert balance_cell == total_cell, (i, page)
