"""Overlapping saves keep the audit log's chain: four clients of one corporate account save Bill To
and the payment method at the same time over HTTP, and every audit row's old value is the
previous row's new value for that field (old values read before the save's transaction broke
the chain in about one row in thirteen)."""
import os
import threading

from harness import REPO, csrf_of

# As scripts/check does: fontconfig's one-time configuration is not a leak of ours (ASan build).
os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(REPO, "tests", "lsan.supp"))

SERVER_ARGS = ["--workers", "4"]
ACME = "acme-billing"
WRITERS, SAVES = 4, 200
GOOD = {"contact_name": "Jordan Smith", "contact_email": "jordan.smith@acme.example",
        "bill_to_name": "Acme Corporation", "address_line1": "200 Oak Avenue",
        "address_line2": "Floor 3", "city": "Chicago", "region": "IL", "postal_code": "60601",
        "phone": "+1 (312) 555-0188"}
METHODS = ("wire", "check")


def _signed_in(server):
    c = server.client()
    r = c.sign_in_corporate(ACME)
    assert r.status == 303, r
    return c


def _writer(server, n, failures):
    try:
        c = _signed_in(server)
        bill_to = csrf_of(c.get("/corporate/bill-to").text)
        payment = csrf_of(c.get("/corporate/payment-method").text)
        for i in range(SAVES):
            r = c.post("/corporate/bill-to",
                       dict(GOOD, city="City %d-%d" % (n, i), address_line2="Floor %d" % i,
                            csrf=bill_to))
            if r.status != 303:
                failures.append(("bill-to", n, i, r.status, r.text[:300]))
            r = c.post("/corporate/payment-method",
                       {"method": METHODS[(n + i) % 2], "csrf": payment})
            if r.status != 303:
                failures.append(("payment", n, i, r.status, r.text[:300]))
    except Exception as e:  # reported by the test, not lost in the thread
        failures.append(("exception", n, repr(e)))


def _chain_breaks(server, account_id, field):
    rows = server.query("SELECT id, old_value, new_value FROM audit_log"
                        " WHERE account_id = ? AND field = ? ORDER BY id", (account_id, field))
    breaks = [(prev, row) for prev, row in zip(rows, rows[1:]) if row[1] != prev[2]]
    return rows, breaks


def test_overlapping_saves_keep_the_audit_chain(server):
    aid = server.scalar("SELECT account_id FROM portal_credentials WHERE user_id = ?", (ACME,))
    start = {f: server.scalar("SELECT %s FROM accounts WHERE id = ?" % f, (aid,))
             for f in ("city", "address_line2", "payment_method")}
    failures = []
    threads = [threading.Thread(target=_writer, args=(server, n, failures))
               for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:5]
    for field in ("city", "address_line2", "payment_method"):
        rows, breaks = _chain_breaks(server, aid, field)
        assert rows, field
        assert rows[0][1] == start[field], (field, rows[0])
        assert not breaks, "%s: %d of %d rows break the chain, first %r" % (
            field, len(breaks), len(rows), breaks[:3])
        # The last new value is what the account holds now.
        assert rows[-1][2] == server.scalar("SELECT %s FROM accounts WHERE id = ?" % field,
                                            (aid,)), field
