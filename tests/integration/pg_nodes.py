"""What the tests of several cobro processes on one PostgreSQL database share: a database filled
with many due accounts, and a way to stop every bill run at its last account, mid-run, for as
long as a test needs (to kill one, or the database under it, at a known point)."""
import time

import harness


def copy_demo_accounts(db, count):
    """count new accounts, copies of the demo's, each with an invoice recipient
    (apN@copies.example) and copies of its source's active subscriptions (due when those are)."""
    accounts = harness.Db(db).query("SELECT id FROM accounts ORDER BY id")
    k = harness.connect(db)
    try:
        k.execute("BEGIN")
        for n in range(count):
            src = accounts[n % len(accounts)][0]
            new = k.execute(
                "INSERT INTO accounts (kind, name, currency, lang, bill_to_name, address_line1,"
                " city, region, postal_code, country, created_at) SELECT kind, name || ?,"
                " currency, lang, bill_to_name, address_line1, city, region, postal_code,"
                " country, created_at FROM accounts WHERE id = ? RETURNING id",
                (" copy %d" % n, src)).fetchone()[0]
            k.execute("INSERT INTO invoice_recipients (account_id, name, email, created_at)"
                      " VALUES (?, 'AP', ?, 0)", (new, "ap%d@copies.example" % n))
            k.execute("INSERT INTO subscriptions (account_id, plan_id, currency, unit_amount,"
                      " seats, status, period_start, period_end, anchor_day, auto_renew,"
                      " cancel_at_period_end, created_at) SELECT ?, plan_id, currency,"
                      " unit_amount, seats, status, period_start, period_end, anchor_day,"
                      " auto_renew, cancel_at_period_end, created_at FROM subscriptions"
                      " WHERE account_id = ? AND status = 'active'", (new, src))
        k.execute("COMMIT")
    finally:
        k.close()


class HoldLastAccount:
    """A transaction of the test's own that locks the subscriptions of the last account (the
    last a run reaches): every bill run stops there, mid-run, until it is released."""

    def __init__(self, db):
        import psycopg2
        self.con = psycopg2.connect(db)
        cur = self.con.cursor()
        cur.execute("SELECT id FROM subscriptions WHERE account_id = (SELECT max(id) FROM"
                    " accounts) FOR UPDATE")
        assert cur.fetchall()

    def release(self):
        try:
            self.con.rollback()
            self.con.close()
        except Exception:  # the server may be gone (it was crashed on purpose)
            pass


def wait_lock_waiters(con, n, timeout=120):
    """Waits until n sessions wait for a lock (the runs held at the last account)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if con.scalar("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                      " AND datname = current_database()") >= n:
            return
        time.sleep(0.05)
    raise AssertionError("%d bill runs never reached the held account" % n)
