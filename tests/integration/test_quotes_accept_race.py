"""Accepting one quote many times at once (issue 11): a double click, two tabs, two contacts,
requests landing on several threads of the server at the same moment. Exactly one acceptance, one
invoice, one email per recipient and one to the rep; every other request is told the quote was
accepted; `cobro verify` finds nothing wrong. Run on SQLite and, with COBRO_TEST_STORE=postgresql,
on PostgreSQL, where the acceptances are serializable transactions retried on conflict."""
import threading

from harness import csrf_of, run_cobro

ACME_LOGIN = "acme-billing"
RACERS = 8


def test_01_many_acceptances_at_once_give_one(server, smtp_sink):
    number = server.scalar(
        "SELECT number FROM quotes q JOIN accounts a ON a.id = q.account_id"
        " WHERE a.name = 'Acme Corporation' AND q.state = 'sent' AND q.due_total > 0"
        " ORDER BY q.id DESC LIMIT 1")
    assert number, "the demo's sent Acme quote is missing"
    invoices_before = server.count("invoices")
    outbox_before = server.count("email_outbox")
    mark = smtp_sink.mark()
    # Each racer signs in on its own (its own session and form token), then all post together.
    clients = []
    for _ in range(RACERS):
        c = server.client()
        assert c.sign_in_corporate(ACME_LOGIN).status == 303
        clients.append((c, csrf_of(c.get("/corporate/quotes/" + number).text)))
    start = threading.Barrier(RACERS)
    answers = [None] * RACERS

    def accept(i):
        c, token = clients[i]
        start.wait()
        answers[i] = c.post("/corporate/quotes/%s/accept" % number,
                            {"name": "Jordan Smith", "title": "Controller", "po_number": "",
                             "accept_terms": "yes", "csrf": token})

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    statuses = sorted(a.status for a in answers)
    assert statuses == [303] + [409] * (RACERS - 1), statuses
    for a in answers:
        if a.status == 409:
            assert "This quote was accepted on" in a.text, a.text[:500]
    assert server.count("invoices") == invoices_before + 1
    q = server.query("SELECT state, invoice_id, due_total FROM quotes WHERE number = ?",
                     (number,))[0]
    assert q[0] == "accepted" and q[1]
    assert server.scalar("SELECT total FROM invoices WHERE id = ?", (q[1],)) == q[2]
    # One invoice email to the contact, one to the invoice recipient, one to the rep: three.
    assert server.count("email_outbox") == outbox_before + 3
    kinds = server.query("SELECT kind, to_addr FROM email_outbox ORDER BY id DESC LIMIT 3")
    assert sorted(k for k, _ in kinds) == ["invoice", "invoice", "quote_decided"], kinds
    smtp_sink.wait_for(lambda m: "rep@vendor.example" in m["rcpt_tos"], since=mark)
    p = run_cobro(["verify", "--db", server.db_path], cwd=server.dir)
    assert p.returncode == 0, p.stdout + p.stderr

