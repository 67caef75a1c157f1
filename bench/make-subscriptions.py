#!/usr/bin/python3
"""Fills a freshly migrated cobro database with N subscriptions over N/4 accounts, all due on one
date, for bench/bill-run. Usage: bench/make-subscriptions.py DB N DATE (DATE as YYYY-MM-DD).

Accounts: one in three corporate (a portal credential, Net 30), the rest online (a billing
administrator and a member); US states and EU countries with their tax rates; one account in ten
has two extra invoice recipients; one in twenty has a purchase order in force. Plans: the demo's
three products, monthly and annual, USD and EUR prices; corporate accounts take only the annual
ones (they renew annually: the database refuses them a monthly plan). Subscriptions: four per
account (the last account takes the remainder), each ending its period on DATE, so every one
renews."""
import datetime
import sqlite3
import sys

PRODUCTS = [  # code, name, monthly USD, monthly EUR, annual USD, annual EUR (minor units)
    ("rescueassist", "RescueAssist", 9900, 9200, 99000, 92000),
    ("gotoassist-rs5", "GoToAssist Remote Support v5", 6900, 6400, 69000, 64000),
    ("gotomeeting", "GoToMeeting", 1400, 1300, 13600, 12600),
]
# country, region, lang, currency, tax rate (ppm) of that region ('' = whole country)
PLACES = [
    ("US", "CA", "en", "USD", 72500), ("US", "NY", "en", "USD", 40000),
    ("US", "TX", "en", "USD", 62500), ("US", "IL", "en", "USD", 62500),
    ("US", "WA", "en", "USD", 65000), ("US", "OR", "en", "USD", 0),  # Oregon: no sales tax
    ("IT", "MI", "it", "EUR", 220000), ("FR", "", "fr", "EUR", 200000),
    ("ES", "", "es", "EUR", 210000), ("DE", "", "en", "EUR", 190000),
]
HASH = "$argon2id$v=19$m=65536,t=2,p=1$YmVuY2hiZW5jaGJlbmNo$bench"  # never used to sign in


def months_before(d, n):
    idx = d.year * 12 + d.month - 1 - n
    y, m = divmod(idx, 12)
    m += 1
    last = [31, 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28, 31, 30, 31, 30, 31,
            31, 30, 31, 30, 31][m - 1]
    return datetime.date(y, m, min(d.day, last))


def is_corporate(account):
    """One account in three."""
    return account % 3 == 0


def main():
    db, n, at = sys.argv[1], int(sys.argv[2]), datetime.date.fromisoformat(sys.argv[3])
    n_accounts = max(1, n // 4)
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    con.execute("BEGIN")
    plans = []  # (plan id, product name, period, USD, EUR)
    for i, (code, name, mu, me, au, ae) in enumerate(PRODUCTS, 1):
        con.execute("INSERT INTO products (id, code, name) VALUES (?, ?, ?)", (i, code, name))
        for j, (period, usd, eur) in enumerate((("monthly", mu, me), ("annual", au, ae))):
            pid = i * 2 - 1 + j
            con.execute("INSERT INTO plans (id, product_id, code, billing_period) VALUES (?,?,?,?)",
                        (pid, i, "%s-%s" % (code, period), period))
            con.executemany("INSERT INTO prices (plan_id, currency, unit_amount) VALUES (?,?,?)",
                            [(pid, "USD", usd), (pid, "EUR", eur)])
            plans.append((pid, period, usd, eur))
    con.executemany("INSERT INTO tax_rates (country, region, rate_ppm, name) VALUES (?,?,?,?)",
                    sorted({(c, r, p, "tax %s %s" % (c, r)) for c, r, _, _, p in PLACES
                            if p is not None}))
    con.execute("INSERT INTO vendor_settings (key, value) VALUES ('vendor_name', 'Vendor, Inc.')"
                " ON CONFLICT (key) DO NOTHING")

    accounts, creds, users, recipients, pos = [], [], [], [], []
    for a in range(1, n_accounts + 1):
        country, region, lang, cur, _ = PLACES[a % len(PLACES)]
        corporate = is_corporate(a)
        name = "Bench Account %07d" % a
        accounts.append((a, "corporate" if corporate else "online", name, cur, lang, name,
                         "%d Bench Street" % a, "Benchville", region, "%05d" % (a % 100000),
                         country, 0))
        if corporate:
            creds.append((a, "bench-%07d" % a, "Contact %d" % a, "ap%d@bench.example" % a, HASH))
        else:
            users.append((a, "admin%d@bench.example" % a, "Admin %d" % a, "billing_admin", HASH))
            users.append((a, "member%d@bench.example" % a, "Member %d" % a, "member", HASH))
        if a % 10 == 0:
            recipients.append((a, "Payables %d" % a, "payables%d@bench.example" % a))
            recipients.append((a, "Controller %d" % a, "controller%d@bench.example" % a))
        if a % 20 == 0:
            pos.append((a, "PO-%07d" % a, months_before(at, 6).isoformat(),
                        months_before(at, -6).isoformat()))
    con.executemany("INSERT INTO accounts (id, kind, name, currency, lang, bill_to_name,"
                    " address_line1, city, region, postal_code, country, created_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", accounts)
    con.executemany("INSERT INTO portal_credentials (account_id, user_id, contact_name,"
                    " contact_email, password_hash, password_changed_at, created_at)"
                    " VALUES (?,?,?,?,?,0,0)", creds)
    con.executemany("INSERT INTO account_users (account_id, email, name, role, password_hash,"
                    " created_at) VALUES (?,?,?,?,?,0)", users)
    con.executemany("INSERT INTO invoice_recipients (account_id, name, email, created_at)"
                    " VALUES (?,?,?,0)", recipients)
    con.executemany("INSERT INTO purchase_orders (account_id, number, start_date, end_date,"
                    " created_at) VALUES (?,?,?,?,0)", pos)

    end = at.isoformat()
    start_m, start_a = months_before(at, 1).isoformat(), months_before(at, 12).isoformat()

    annual = [p for p in plans if p[1] == "annual"]

    def subs():
        for k in range(n):
            a = min(k // 4 + 1, n_accounts)
            pool = annual if is_corporate(a) else plans
            pid, period, usd, eur = pool[k % len(pool)]
            cur = PLACES[a % len(PLACES)][3]
            yield (a, pid, cur, usd if cur == "USD" else eur, 1 + k % 50,
                   start_m if period == "monthly" else start_a, end, at.day)
    con.executemany("INSERT INTO subscriptions (account_id, plan_id, currency, unit_amount, seats,"
                    " status, period_start, period_end, anchor_day, created_at)"
                    " VALUES (?,?,?,?,?,'active',?,?,?,0)", subs())
    con.execute("COMMIT")
    con.close()
    print("%d subscriptions over %d accounts (%d corporate), %d invoice recipients, all due %s"
          % (n, n_accounts, len(creds), len(recipients), end))


if __name__ == "__main__":
    main()
