#!/usr/bin/env python3
"""bench/payments' data: N pending card payments of one cent on the database's invoices, and for each
the sandbox gateway's signed payment_intent.succeeded event, written as lines
"<Stripe-Signature>\t<body>" for wrk (bench/payments.lua).
Usage: make-payments.py DB N UNIX_TIME OUT"""
import hashlib
import hmac
import json
import sqlite3
import sys

db, n, t, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
con = sqlite3.connect(db)
secret = con.execute("SELECT value FROM vendor_settings WHERE key = 'server_secret'").fetchone()[0]
key = hmac.new(secret.encode(), b"cobro sandbox events", hashlib.sha256).hexdigest().encode()
invoices = con.execute("SELECT id, account_id, currency FROM invoices WHERE amount_paid < total"
                       " ORDER BY id").fetchall()
assert invoices, "no invoice with a balance"
with con:  # the bill run's invoice emails count as sent: the bench measures payments only
    con.execute("UPDATE email_outbox SET sent_at = created_at WHERE sent_at IS NULL")
rows = []
for i in range(n):
    inv, acc, cur = invoices[i % len(invoices)]
    rows.append((acc, inv, cur, t, t, t))
with con:
    con.executemany(
        "INSERT INTO payments (account_id, invoice_id, method, source, gateway, amount, currency,"
        " state, reserved_until, created_at, updated_at) VALUES (?, ?, 'card', 'checkout',"
        " 'sandbox', 1, ?, 'pending', ? + 2100, ?, ?)", rows)
ids = [r[0] for r in con.execute("SELECT id FROM payments WHERE state = 'pending' ORDER BY id")]
con.close()
with open(out, "w") as f:
    for pid, (acc, inv, cur, *_rest) in zip(ids, rows):
        body = json.dumps({
            "id": "evt_bench_%d" % pid, "object": "event", "type": "payment_intent.succeeded",
            "created": t, "data": {"object": {
                "id": "pi_bench_%d" % pid, "object": "payment_intent", "amount": 1,
                "amount_received": 1, "currency": cur.lower(), "status": "succeeded",
                "metadata": {"cobro_payment": str(pid)},
                "latest_charge": {"id": "ch_bench_%d" % pid, "object": "charge",
                                  "payment_method_details": {"card": {"brand": "visa",
                                                                       "last4": "4242"}}}}}},
            separators=(",", ":"))
        sig = hmac.new(key, ("%d." % t).encode() + body.encode(), hashlib.sha256).hexdigest()
        f.write("t=%d,v1=%s\t%s\n" % (t, sig, body))
