"""Two accounts accepting their quotes at the same moment (issue 11): each acceptance issues its
invoice in the year's one series, so the numbers must come one after the other with no gap and no
duplicate, on SQLite (one writer) and on PostgreSQL (serializable acceptances that retry when a
number was taken meanwhile). A module of its own, so that its server starts with the demo's
quotes still pending."""
import threading

from harness import csrf_of, run_cobro
def test_01_two_accounts_accepting_at_once_get_consecutive_invoice_numbers(server):
    """Acme's and Globex's sent quotes accepted at the same moment, four times each: one invoice
    each, numbered one after the other in the year's series with no gap (`cobro verify`)."""
    sent = server.query(
        "SELECT q.number, a.name FROM quotes q JOIN accounts a ON a.id = q.account_id"
        " WHERE q.state = 'sent' AND q.due_total > 0 AND a.name IN ('Acme Corporation',"
        " 'Globex Italia S.p.A.') ORDER BY q.id")
    by_account = {}
    for number, name in sent:
        by_account.setdefault(name, number)
    assert len(by_account) == 2, sent
    logins = {"Acme Corporation": "acme-billing", "Globex Italia S.p.A.": "ap@globex.example"}
    racers = []
    for name, number in by_account.items():
        for _ in range(4):
            c = server.client()
            assert c.sign_in_corporate(logins[name]).status == 303
            racers.append((c, number, csrf_of(c.get("/corporate/quotes/" + number).text)))
    invoices_before = server.count("invoices")
    start = threading.Barrier(len(racers))
    answers = [None] * len(racers)

    def accept(i):
        c, number, token = racers[i]
        start.wait()
        answers[i] = c.post("/corporate/quotes/%s/accept" % number,
                            {"name": "A. Person", "title": "Controller", "po_number": "",
                             "accept_terms": "yes", "csrf": token}).status

    threads = [threading.Thread(target=accept, args=(i,)) for i in range(len(racers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(answers) == [303, 303] + [409] * (len(racers) - 2), answers
    assert server.count("invoices") == invoices_before + 2
    seqs = [r[0] for r in server.query("SELECT seq FROM invoices ORDER BY id DESC LIMIT 2")]
    assert sorted(seqs)[1] == sorted(seqs)[0] + 1, seqs
    p = run_cobro(["verify", "--db", server.db_path], cwd=server.dir)
    assert p.returncode == 0, p.stdout + p.stderr
