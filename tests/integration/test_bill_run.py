"""`cobro bill-run` on databases built here, row by row: what is due and only that, one invoice per
account, catch-up lines, month-end anchors, ended subscriptions, due dates, tax, purchase orders,
idempotency, gapless numbering, the queued emails, bad dates, and `cobro invoice pdf`."""
import calendar
import datetime
import os
import re
import subprocess
import time

import pytest

import harness
from harness import (REPO, clean_env, cobro_bin, free_port, run_cobro, sanitizer_lines,
                     stop_process)

# As scripts/check does: fontconfig's one-time configuration is not a leak of ours (ASan build).
os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(REPO, "tests", "lsan.supp"))

BASE_URL = "https://billing.vendor.example"
HASH = "not-a-real-hash"  # nobody signs in here
MONTHS = calendar.month_abbr  # en-US medium dates: "Mar 2, 2026"


# ---- a reference model, independent of the C code ---------------------------------------------

def d(text):
    return datetime.date.fromisoformat(text)


def add_months(day, months, anchor):
    """months after day, on the anchor day or the month's last day when the month is shorter."""
    idx = day.year * 12 + day.month - 1 + months
    y, m0 = divmod(idx, 12)
    last = calendar.monthrange(y, m0 + 1)[1]
    return datetime.date(y, m0 + 1, min(anchor, last))


def round_ppm(amount, rate_ppm):
    """amount * rate / 1e6 rounded half away from zero (amount >= 0)."""
    return (2 * amount * rate_ppm + 1000000) // 2000000


def money_en(minor):
    return "$%s" % format(minor / 100, ",.2f")


def date_en(iso):
    day = d(iso)
    return "%s %d, %d" % (MONTHS[day.month], day.day, day.year)


# ---- a database built by hand ----------------------------------------------------------------

class World:
    """A freshly migrated database and shortcuts to fill it."""

    def __init__(self, tmp_path):
        self.dir = str(tmp_path)
        self.db = harness.new_database(self.dir, "bill.db")
        p = run_cobro(["migrate", "--db", self.db], cwd=self.dir)
        assert p.returncode == 0, p.stderr
        assert not sanitizer_lines(p.stderr), p.stderr
        self.con = harness.connect(self.db)
        if not harness.on_postgresql():
            self.con.execute("PRAGMA foreign_keys=ON")
        self.plans = {}
        for pid, (name, period) in enumerate([("Widget Pro", "monthly"), ("Widget Pro", "annual"),
                                              ("Gadget Suite", "monthly"),
                                              ("Gadget Suite", "annual")], 1):
            prod = self.scalar("SELECT id FROM products WHERE name = ?", (name,))
            if prod is None:
                prod = self.con.execute("INSERT INTO products (code, name) VALUES (?, ?)"
                                        " RETURNING id",
                                        (name.lower().replace(" ", "-"), name)).fetchone()[0]
            self.con.execute("INSERT INTO plans (id, product_id, code, billing_period)"
                             " VALUES (?, ?, ?, ?)", (pid, prod, "p%d-%s" % (pid, period), period))
            self.plans[pid] = (name, period)
        self.con.execute("INSERT INTO vendor_settings (key, value) VALUES ('vendor_name',"
                         " 'Vendor, Inc.') ON CONFLICT (key) DO NOTHING")
        harness.reset_identities(self.db)  # the plans' ids were given

    def scalar(self, sql, args=()):
        row = self.con.execute(sql, args).fetchone()
        return row[0] if row else None

    def rows(self, sql, args=()):
        return self.con.execute(sql, args).fetchall()

    def account(self, name, kind="corporate", country="US", region="CA", lang="en",
                currency="USD", contact=None, user_id=None):
        """contact: (name, email) of the billing contact (corporate credential or online billing
        administrator)."""
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        contact = contact or ("%s Contact" % name, "billing@%s.example" % slug)
        aid = self.con.execute(
            "INSERT INTO accounts (kind, name, currency, lang, bill_to_name, address_line1,"
            " city, region, postal_code, country, phone, created_at)"
            " VALUES (?, ?, ?, ?, ?, '1 Test Way', 'Testville', ?, '12345', ?, '+1 555 0100', 0)"
            " RETURNING id",
            (kind, name, currency, lang, name + " Ltd", region, country)).fetchone()[0]
        if kind == "corporate":
            self.con.execute(
                "INSERT INTO portal_credentials (account_id, user_id, contact_name, contact_email,"
                " password_hash, password_changed_at, created_at) VALUES (?, ?, ?, ?, ?, 0, 0)",
                (aid, user_id or slug + "-billing", contact[0], contact[1], HASH))
        else:
            self.con.execute(
                "INSERT INTO account_users (account_id, email, name, role, password_hash,"
                " created_at) VALUES (?, ?, ?, 'billing_admin', ?, 0)",
                (aid, contact[1], contact[0], HASH))
            self.con.execute(
                "INSERT INTO account_users (account_id, email, name, role, password_hash,"
                " created_at) VALUES (?, ?, ?, 'member', ?, 0)",
                (aid, "member@%s.example" % slug, "A Member", HASH))
        return aid

    def recipient(self, account_id, name, email_addr):
        self.con.execute("INSERT INTO invoice_recipients (account_id, name, email, created_at)"
                         " VALUES (?, ?, ?, 0)", (account_id, name, email_addr))

    def po(self, account_id, number, start, end):
        self.con.execute("INSERT INTO purchase_orders (account_id, number, start_date, end_date,"
                         " created_at) VALUES (?, ?, ?, ?, 0)", (account_id, number, start, end))

    def tax(self, country, region, ppm):
        self.con.execute("INSERT INTO tax_rates (country, region, rate_ppm, name)"
                         " VALUES (?, ?, ?, 'tax')", (country, region, ppm))

    def sub(self, account_id, plan, start, end, anchor=None, seats=1, unit=1000,
            auto_renew=1, cancel=0, status="active", currency="USD"):
        return self.con.execute(
            "INSERT INTO subscriptions (account_id, plan_id, currency, unit_amount, seats, status,"
            " period_start, period_end, anchor_day, auto_renew, cancel_at_period_end, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id",
            (account_id, plan, currency, unit, seats, status, start, end,
             anchor or d(end).day, auto_renew, cancel)).fetchone()[0]

    def period(self, sub_id):
        return tuple(self.rows("SELECT period_start, period_end FROM subscriptions WHERE id = ?",
                               (sub_id,))[0])

    def status(self, sub_id):
        return self.scalar("SELECT status FROM subscriptions WHERE id = ?", (sub_id,))

    def invoices(self, account_id):
        """The account's invoices as dicts, oldest first."""
        cur = self.con.execute("SELECT * FROM invoices WHERE account_id = ? ORDER BY id",
                               (account_id,))
        names = [c[0] for c in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def lines(self, invoice_id):
        cur = self.con.execute("SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY position",
                               (invoice_id,))
        names = [c[0] for c in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def periods_of(self, account_id):
        """(subscription, period_start, period_end) of every line of the account's invoices."""
        return [tuple(r) for r in self.rows(
            "SELECT l.subscription_id, l.period_start, l.period_end FROM invoice_lines l"
            " JOIN invoices i ON i.id = l.invoice_id WHERE i.account_id = ?"
            " ORDER BY l.subscription_id, l.period_start", (account_id,))]

    def counts(self):
        return {t: self.scalar("SELECT count(*) FROM %s" % t)
                for t in harness.table_names(self.con, self.db)}

    def dump(self):
        """Every row of every table, in a set order: equal dumps, equal databases."""
        return {t: sorted(self.rows("SELECT * FROM %s" % t), key=repr)
                for t in harness.table_names(self.con, self.db)}

    def run(self, at, *extra):
        args = ["bill-run", "--db", self.db, "--base-url", BASE_URL]
        if at is not None:
            args += ["--at", at]
        p = run_cobro(args + list(extra), cwd=self.dir, timeout=120)
        assert not sanitizer_lines(p.stderr), p.stderr[-3000:]
        return p

    def run_ok(self, at):
        p = self.run(at)
        assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
        return p


SUMMARY = re.compile(r"^bill run (\d{4}-\d{2}-\d{2}): (\d+) invoices \((\d+) lines\) for (\d+)"
                     r" accounts; (\d+) subscriptions renewed, (\d+) ended; (\d+) emails queued$")


def summary(p):
    lines = [line for line in p.stdout.splitlines() if line.strip()]
    assert len(lines) == 1, p.stdout
    m = SUMMARY.match(lines[0])
    assert m, "unexpected bill-run output: %r" % lines[0]
    return (m.group(1),) + tuple(int(x) for x in m.groups()[1:])


def basic_world(tmp_path):
    """Four accounts around the run date 2026-01-31."""
    w = World(tmp_path)
    w.a = w.account("Alpha Online", kind="online")                  # US/CA, monthly and annual
    w.s1 = w.sub(w.a, 1, "2025-12-31", "2026-01-31", seats=3, unit=1500)   # ends on the date: due
    w.s2 = w.sub(w.a, 4, "2025-01-15", "2026-01-15", seats=2, unit=20000)  # annual, due
    w.s3 = w.sub(w.a, 3, "2026-01-01", "2026-02-01")                       # ends after: not due
    w.b = w.account("Beta Online", kind="online", region="TX")
    w.s4 = w.sub(w.b, 1, "2025-12-20", "2026-01-20", cancel=1)             # ends, cancelled
    w.s5 = w.sub(w.b, 3, "2025-12-31", "2026-01-31", seats=5, unit=1400)   # due
    w.c = w.account("Gamma Corp")                                   # corporate: annual only
    w.s6 = w.sub(w.c, 2, "2025-02-10", "2026-02-10")                       # not due
    w.s8 = w.sub(w.c, 4, "2024-12-01", "2025-12-01", status="cancelled")   # long gone
    w.dd = w.account("Delta Corp")
    w.s7 = w.sub(w.dd, 2, "2025-01-05", "2026-01-05", auto_renew=0)        # ends, expired
    return w


# ---- the tests -------------------------------------------------------------------------------

def test_01_bill_run_prints_one_summary_line(tmp_path):
    w = basic_world(tmp_path)
    p = w.run_ok("2026-01-31")
    # Alpha: s1 + s2 (2 lines); Beta: s5; Delta: s7 ends. Emails: one billing contact each.
    assert summary(p) == ("2026-01-31", 2, 3, 3, 3, 2, 2), p.stdout


def test_02_exactly_the_due_subscriptions_one_invoice_per_account(tmp_path):
    w = basic_world(tmp_path)
    before = {s: w.period(s) for s in (w.s3, w.s4, w.s6, w.s7, w.s8)}
    w.run_ok("2026-01-31")
    assert w.scalar("SELECT count(*) FROM invoices") == 2
    [inv_a] = w.invoices(w.a)
    assert [(l["position"], l["subscription_id"], l["period_start"], l["period_end"],
             l["product_name"], l["billing_period"], l["seats"], l["unit_amount"], l["net"])
            for l in w.lines(inv_a["id"])] == [
        (1, w.s1, "2026-01-31", "2026-02-28", "Widget Pro", "monthly", 3, 1500, 4500),
        (2, w.s2, "2026-01-15", "2027-01-15", "Gadget Suite", "annual", 2, 20000, 40000)]
    [inv_b] = w.invoices(w.b)
    assert [(l["subscription_id"], l["period_start"], l["period_end"], l["net"])
            for l in w.lines(inv_b["id"])] == [(w.s5, "2026-01-31", "2026-02-28", 7000)]
    assert w.invoices(w.c) == [] and w.invoices(w.dd) == []
    # Renewed periods advanced; everything else untouched.
    assert w.period(w.s1) == ("2026-01-31", "2026-02-28")
    assert w.period(w.s2) == ("2026-01-15", "2027-01-15")
    assert w.period(w.s5) == ("2026-01-31", "2026-02-28")
    assert {s: w.period(s) for s in before} == before
    assert [w.status(s) for s in (w.s1, w.s2, w.s3, w.s5, w.s6, w.s8)] == [
        "active", "active", "active", "active", "active", "cancelled"]
    # Each invoice issued is in its account's audit log, with its number and total.
    assert [tuple(r) for r in w.rows(
        "SELECT account_id, actor_kind, field, old_value, new_value FROM audit_log"
        " WHERE action = 'invoice_issued' ORDER BY account_id")] == sorted(
        (i["account_id"], "system", "invoice", i["number"],
         "%d.%02d %s" % (i["total"] // 100, i["total"] % 100, i["currency"]))
        for i in (inv_a, inv_b))


def test_03_missed_periods_are_caught_up_as_separate_lines(tmp_path):
    w = World(tmp_path)
    a = w.account("Late Online", kind="online")
    monthly = w.sub(a, 1, "2025-10-15", "2025-11-15", seats=2, unit=1000)
    annual = w.sub(a, 2, "2023-03-01", "2024-03-01", seats=1, unit=50000)
    on_time = w.sub(a, 3, "2026-01-20", "2026-02-20", seats=1, unit=700)
    p = w.run_ok("2026-02-20")
    assert summary(p)[1:6] == (1, 7, 1, 3, 0)
    [inv] = w.invoices(a)
    got = [(l["subscription_id"], l["period_start"], l["period_end"], l["net"])
           for l in w.lines(inv["id"])]
    # Every period that has begun by the run date, each its own line, oldest first.
    assert got == [
        (monthly, "2025-11-15", "2025-12-15", 2000), (monthly, "2025-12-15", "2026-01-15", 2000),
        (monthly, "2026-01-15", "2026-02-15", 2000), (monthly, "2026-02-15", "2026-03-15", 2000),
        (annual, "2024-03-01", "2025-03-01", 50000), (annual, "2025-03-01", "2026-03-01", 50000),
        (on_time, "2026-02-20", "2026-03-20", 700)]
    assert [l["position"] for l in w.lines(inv["id"])] == list(range(1, 8))
    assert inv["subtotal"] == 2000 * 4 + 50000 * 2 + 700
    assert w.period(monthly) == ("2026-02-15", "2026-03-15")
    assert w.period(annual) == ("2025-03-01", "2026-03-01")
    assert w.period(on_time) == ("2026-02-20", "2026-03-20")


def test_03b_years_behind_is_caught_up_in_one_invoice_and_once(tmp_path):
    # 191 monthly periods behind: all of them in the one invoice of this run, nothing left for
    # a second run of the same date (no cap that would leave periods for another invoice).
    w = World(tmp_path)
    a = w.account("Very Late Online", kind="online")
    s = w.sub(a, 1, "2010-01-01", "2010-02-01", seats=1, unit=100)
    p = w.run_ok("2026-01-01")
    assert summary(p)[1:3] == (1, 192), p.stdout
    assert w.period(s) == ("2026-01-01", "2026-02-01")
    counts = w.counts()
    p = w.run_ok("2026-01-01")
    assert summary(p)[1:3] == (0, 0), p.stdout
    assert w.counts() == counts
    assert "YYYY-MM-DD" in w.run(None, "--at").stderr


def test_04_periods_advance_across_month_ends(tmp_path):
    w = World(tmp_path)
    a = w.account("Month End Online", kind="online")
    s31 = w.sub(a, 1, "2025-12-31", "2026-01-31", anchor=31)
    s30 = w.sub(a, 3, "2025-12-30", "2026-01-30", anchor=30)
    leap = w.account("Leap Online", kind="online")
    l31 = w.sub(leap, 1, "2027-12-31", "2028-01-31", anchor=31)
    l29 = w.sub(leap, 2, "2027-02-28", "2028-02-29", anchor=29)  # annual, anchored on Feb 29

    w.run_ok("2026-01-31")
    assert w.period(s31) == ("2026-01-31", "2026-02-28")     # Jan 31 -> Feb 28
    assert w.period(s30) == ("2026-01-30", "2026-02-28")     # Jan 30 -> Feb 28
    p = w.run_ok("2026-02-27")                                # nothing ends before Feb 28
    assert summary(p)[1] == 0
    w.run_ok("2026-02-28")
    assert w.period(s31) == ("2026-02-28", "2026-03-31")     # Feb 28 -> Mar 31, not Mar 28
    assert w.period(s30) == ("2026-02-28", "2026-03-30")     # Feb 28 -> Mar 30
    w.run_ok("2026-03-31")
    assert w.period(s31) == ("2026-03-31", "2026-04-30")
    assert w.period(s30) == ("2026-03-30", "2026-04-30")
    assert w.periods_of(a) == [
        (s31, "2026-01-31", "2026-02-28"), (s31, "2026-02-28", "2026-03-31"),
        (s31, "2026-03-31", "2026-04-30"),
        (s30, "2026-01-30", "2026-02-28"), (s30, "2026-02-28", "2026-03-30"),
        (s30, "2026-03-30", "2026-04-30")]
    # Three invoices for Month End Online, one per run that had something due.
    assert [i["issue_date"] for i in w.invoices(a)] == ["2026-01-31", "2026-02-28", "2026-03-31"]
    # Leap year, and a catch-up within one run following the anchor: Jan 31 -> Feb 29 -> Mar 31.
    w.run_ok("2028-02-29")
    assert w.periods_of(leap) == [
        (l31, "2028-01-31", "2028-02-29"), (l31, "2028-02-29", "2028-03-31"),
        (l29, "2028-02-29", "2029-02-28")]
    assert w.period(l29) == ("2028-02-29", "2029-02-28")

    # The reference model agrees with every line written.
    for sid, start, end in w.rows("SELECT l.subscription_id, l.period_start, l.period_end"
                                  " FROM invoice_lines l"):
        anchor, plan = w.rows("SELECT anchor_day, plan_id FROM subscriptions WHERE id = ?",
                              (sid,))[0]
        months = 12 if w.plans[plan][1] == "annual" else 1
        assert add_months(d(start), months, anchor).isoformat() == end, (sid, start, end)


def test_05_cancelled_and_non_renewing_subscriptions_end_unbilled(tmp_path):
    w = World(tmp_path)
    a = w.account("Ending Online", kind="online")
    keep = w.sub(a, 1, "2025-12-31", "2026-01-31", unit=900)
    cancel = w.sub(a, 3, "2025-12-15", "2026-01-15", cancel=1)
    lapse = w.sub(a, 2, "2025-01-10", "2026-01-10", auto_renew=0)
    later = w.sub(a, 4, "2025-06-01", "2026-06-01", cancel=1)           # period not over yet
    b = w.account("Only Ending Online", kind="online")
    only = w.sub(b, 1, "2025-12-31", "2026-01-31", cancel=1, auto_renew=0)
    p = w.run_ok("2026-01-31")
    assert summary(p)[1:7] == (1, 1, 2, 1, 3, 1)
    assert w.status(cancel) == "cancelled" and w.status(lapse) == "expired"
    assert w.status(only) == "cancelled"           # cancelled by the customer wins over lapsing
    assert w.status(keep) == "active" and w.status(later) == "active"
    assert w.period(cancel) == ("2025-12-15", "2026-01-15")
    assert w.period(lapse) == ("2025-01-10", "2026-01-10")
    assert w.period(later) == ("2025-06-01", "2026-06-01")
    [inv] = w.invoices(a)
    assert [l["subscription_id"] for l in w.lines(inv["id"])] == [keep]
    assert inv["total"] == 900
    assert w.invoices(b) == []
    assert w.scalar("SELECT count(*) FROM invoice_lines WHERE subscription_id IN (?, ?, ?)",
                    (cancel, lapse, only)) == 0
    # Ended subscriptions stay ended and unbilled at later runs.
    w.run_ok("2026-07-01")
    assert w.status(later) == "cancelled"
    assert w.scalar("SELECT count(*) FROM invoice_lines WHERE subscription_id IN (?, ?, ?, ?)",
                    (cancel, lapse, only, later)) == 0
    assert w.scalar("SELECT count(*) FROM email_outbox WHERE account_id = ?", (b,)) == 0


def test_06_due_dates_and_snapshot(tmp_path):
    w = World(tmp_path)
    corp = w.account("Net Thirty Corp", contact=("Casey Payer", "casey@netthirty.example"),
                     user_id="netthirty-ap")
    w.sub(corp, 2, "2025-01-31", "2026-01-31")
    online = w.account("Pay Now Online", kind="online", region="NY",
                       contact=("Olive Owner", "owner@paynow.example"))
    w.sub(online, 1, "2025-12-31", "2026-01-31")
    w.run_ok("2026-01-31")
    [ic] = w.invoices(corp)
    [io] = w.invoices(online)
    assert (ic["issue_date"], ic["due_date"]) == ("2026-01-31", "2026-03-02")   # Net 30
    assert (io["issue_date"], io["due_date"]) == ("2026-01-31", "2026-01-31")   # on receipt
    assert ic["status"] == io["status"] == "open" and ic["amount_paid"] == 0
    assert (ic["account_kind"], io["account_kind"]) == ("corporate", "online")
    assert (ic["contact_name"], ic["contact_email"], ic["portal_user_id"]) == (
        "Casey Payer", "casey@netthirty.example", "netthirty-ap")
    # An online account's billing contact is its billing administrator, whose login is the email.
    assert (io["contact_name"], io["contact_email"], io["portal_user_id"]) == (
        "Olive Owner", "owner@paynow.example", "owner@paynow.example")
    assert (ic["bill_to_name"], ic["country"], ic["region"], ic["currency"], ic["lang"]) == (
        "Net Thirty Corp Ltd", "US", "CA", "USD", "en")


def test_07_tax_from_tax_rates_rounded_once_per_rate(tmp_path):
    w = World(tmp_path)
    w.tax("DE", "", 190000)
    w.tax("DE", "BY", 70000)        # a region row beats the country row
    w.tax("IT", "", 220000)
    w.tax("US", "NY", 40000)
    w.tax("US", "OR", 0)            # no sales tax: an explicit 0 row
    cases = {}   # account -> expected rate
    online = dict(kind="online")     # monthly plans too: corporate accounts renew annually
    by = w.account("Bavaria GmbH", country="DE", region="BY", currency="EUR", **online)
    cases[by] = 70000
    he = w.account("Hessen GmbH", country="DE", region="HE", currency="EUR", **online)
    cases[he] = 190000
    it = w.account("Milano Srl", country="IT", region="MI", currency="EUR", lang="it", **online)
    cases[it] = 220000
    ny = w.account("New York Inc", country="US", region="NY", **online)
    cases[ny] = 40000
    oregon = w.account("Oregon Inc", country="US", region="OR", **online)
    cases[oregon] = 0
    jp = w.account("Tokyo KK", country="JP", region="", currency="JPY", **online)
    cases[jp] = 0    # a country with no rates at all is not taxed
    for a in cases:
        # Three lines of 10.50 each: at 7% per-line rounding gives 0.74 x 3 = 2.22, where
        # rounding the invoice's 31.50 once would give 2.21 (2.205 half up).
        for plan in (1, 3, 2):
            w.sub(a, plan, "2025-12-31", "2026-01-31", unit=1050)
        w.sub(a, 4, "2025-01-31", "2026-01-31", unit=8, seats=1)   # 0.08: 7% is 0.0056 -> 0.01
    w.run_ok("2026-01-31")
    for a, rate in cases.items():
        [inv] = w.invoices(a)
        lines = w.lines(inv["id"])
        assert len(lines) == 4
        for l in lines:
            # Each line still carries its own rate and, for reference, its own tax.
            assert l["tax_rate_ppm"] == rate, (a, l)
            assert l["net"] == l["seats"] * l["unit_amount"]
            assert l["tax"] == round_ppm(l["net"], rate), (a, l)
            assert l["gross"] == l["net"] + l["tax"]
        # The invoice's tax is rounded once, on the sum of the lines at the rate (BR-CO-17).
        assert inv["subtotal"] == sum(l["net"] for l in lines)
        assert inv["tax_total"] == round_ppm(inv["subtotal"], rate), (a, inv)
        assert inv["subtotal"] + inv["tax_total"] == inv["total"]
        assert inv["tax_mode"] == "exclusive"
        taxes = w.rows("SELECT position, rate_ppm, taxable_base, tax_amount FROM invoice_taxes"
                       " WHERE invoice_id = ?", (inv["id"],))
        assert taxes == [(1, rate, inv["subtotal"], inv["tax_total"])]
    [inv_by] = w.invoices(by)
    assert [l["tax"] for l in w.lines(inv_by["id"])] == [74, 74, 74, 1]    # 2.23 line by line
    assert inv_by["tax_total"] == 221 and inv_by["total"] == 3158 + 221     # 31.58 x 7% = 2.2106
    [inv_it] = w.invoices(it)
    assert [l["tax"] for l in w.lines(inv_it["id"])] == [231, 231, 231, 2]   # 1.76 -> 2 cents
    assert inv_it["tax_total"] == 695                                         # 6.9476
    [inv_jp] = w.invoices(jp)
    assert inv_jp["tax_total"] == 0 and inv_jp["total"] == inv_jp["subtotal"] == 3158
    names = dict(w.rows("SELECT i.account_id, t.name FROM invoice_taxes t"
                        " JOIN invoices i ON i.id = t.invoice_id"))
    assert (names[by], names[it], names[ny], names[jp]) == ("MwSt.", "IVA", "sales tax", "VAT")


def test_08_prices_including_tax(tmp_path):
    w = World(tmp_path)
    w.con.execute("INSERT INTO vendor_settings (key, value) VALUES ('tax_mode', 'inclusive')"
                  " ON CONFLICT (key) DO UPDATE SET value = excluded.value")
    w.tax("IT", "", 220000)
    a = w.account("Inclusiva Srl", kind="online", country="IT", region="", currency="EUR")
    w.sub(a, 1, "2025-12-31", "2026-01-31", unit=12200)
    w.sub(a, 3, "2025-12-31", "2026-01-31", unit=1000)
    w.run_ok("2026-01-31")
    [inv] = w.invoices(a)
    assert inv["tax_mode"] == "inclusive"
    got = [(l["gross"], l["net"], l["tax"]) for l in w.lines(inv["id"])]
    # gross is the price; net = round(gross / 1.22); tax = gross - net.
    assert got == [(12200, 10000, 2200), (1000, 820, 180)]
    assert (inv["subtotal"], inv["tax_total"], inv["total"]) == (10820, 2380, 13200)


def test_09_purchase_order_in_force_on_the_issue_date(tmp_path):
    w = World(tmp_path)
    a = w.account("PO Corp")
    w.po(a, "PO-EXPIRED", "2025-01-01", "2026-01-30")
    w.po(a, "PO-CURRENT", "2026-01-31", "2026-02-28")      # starts on the issue date
    w.po(a, "PO-FUTURE", "2026-03-01", "2027-02-28")
    w.sub(a, 2, "2025-01-31", "2026-01-31")
    w.sub(a, 4, "2025-03-01", "2026-03-01")                 # due at the second run
    b = w.account("Last Day Corp")
    w.po(b, "PO-LAST-DAY", "2025-02-01", "2026-01-31")     # ends on the issue date
    w.sub(b, 2, "2025-01-31", "2026-01-31")
    c = w.account("No PO Corp")
    w.po(c, "PO-OLD", "2024-01-01", "2024-12-31")
    w.sub(c, 2, "2025-01-31", "2026-01-31")
    w.run_ok("2026-01-31")
    assert [i["po_number"] for i in w.invoices(a)] == ["PO-CURRENT"]
    assert [i["po_number"] for i in w.invoices(b)] == ["PO-LAST-DAY"]
    assert [i["po_number"] for i in w.invoices(c)] == [""]
    # The invoice email names the purchase order too; without one it says nothing of it.
    bodies = dict(w.rows("SELECT account_id, body_text FROM email_outbox WHERE kind = 'invoice'"))
    assert "Purchase order: PO-CURRENT" in bodies[a]
    assert "Purchase order: PO-LAST-DAY" in bodies[b]
    assert "Purchase order" not in bodies[c]
    w.run_ok("2026-03-01")                                  # now PO-FUTURE is in force
    assert [i["po_number"] for i in w.invoices(a)] == ["PO-CURRENT", "PO-FUTURE"]


def test_10_second_run_for_the_same_date_writes_nothing(tmp_path):
    w = basic_world(tmp_path)
    w.recipient(w.a, "Payables", "payables@alpha.example")
    w.po(w.a, "PO-1", "2026-01-01", "2026-12-31")
    w.tax("US", "CA", 72500)
    w.tax("US", "TX", 62500)     # Beta's state: a state missing from the table would be skipped
    w.run_ok("2026-01-31")
    counts, dump = w.counts(), w.dump()
    assert counts["invoices"] == 2 and counts["email_outbox"] == 3
    for at in ("2026-01-31", "2026-01-31", "2026-01-20"):
        p = w.run_ok(at)
        assert summary(p) == (at, 0, 0, 0, 0, 0, 0), p.stdout
        assert w.counts() == counts
    # Not only the counts: no byte changed (a manual run records nothing of itself).
    assert w.dump() == dump


def test_11_invoice_numbers_are_gapless_per_year(tmp_path):
    w = World(tmp_path)
    accounts = [w.account("Seq %d Online" % i, kind="online") for i in range(5)]
    for i, a in enumerate(accounts):
        w.sub(a, 1, "2026-10-31", "2026-11-30", anchor=30 + i % 2)   # anchors 30 and 31
    for at in ("2026-11-30", "2026-12-30", "2026-12-31", "2027-01-30", "2027-01-31"):
        w.run_ok(at)
    rows = w.rows("SELECT number, series, seq, issue_date FROM invoices ORDER BY id")
    assert len(rows) == 15       # five accounts, three months
    by_series = {}
    for number, series, seq, issue in rows:
        assert re.fullmatch(r"INV-\d{4}-\d{6}", number), number
        assert series == "INV-" + issue[:4]
        assert number == "%s-%06d" % (series, seq)
        by_series.setdefault(series, []).append(seq)
    assert by_series == {"INV-2026": list(range(1, 11)), "INV-2027": list(range(1, 6))}
    assert dict(w.rows("SELECT series, last_number FROM invoice_series")) == {
        "INV-2026": 10, "INV-2027": 5}
    assert w.scalar("SELECT min(number) FROM invoices") == "INV-2026-000001"


def test_12_one_email_per_recipient(tmp_path):
    w = World(tmp_path)
    w.tax("US", "CA", 72500)
    a = w.account("Alpha Corp", contact=("Alex Payer", "ap@alpha.example"), user_id="alpha-ap")
    w.recipient(a, "AP again", "AP@Alpha.example")             # the contact, in other case
    w.recipient(a, "Payables", "payables@alpha.example")
    w.recipient(a, "Payables twice", "PAYABLES@alpha.example")
    w.recipient(a, "The CFO", "cfo@alpha.example")
    w.sub(a, 2, "2025-01-31", "2026-01-31", seats=100, unit=1999)
    b = w.account("Beta Online", kind="online", region="CA",
                  contact=("Bea Owner", "owner@beta.example"))
    w.recipient(b, "Books", "books@beta.example")
    w.sub(b, 3, "2025-12-31", "2026-01-31", seats=3, unit=1400)
    c = w.account("Gamma Corp", contact=("Gil Contact", "gil@gamma.example"))
    w.sub(c, 2, "2025-01-31", "2026-01-31")
    p = w.run_ok("2026-01-31")
    assert summary(p)[6] == 3 + 2 + 1

    expected = {a: {"ap@alpha.example", "payables@alpha.example", "cfo@alpha.example"},
                b: {"owner@beta.example", "books@beta.example"},
                c: {"gil@gamma.example"}}
    for acct, addrs in expected.items():
        [inv] = w.invoices(acct)
        rows = w.rows("SELECT lower(to_addr), to_name, kind, account_id, subject, body_text,"
                      " sent_at FROM email_outbox WHERE invoice_id = ?", (inv["id"],))
        assert sorted(r[0] for r in rows) == sorted(addrs), rows     # one each, none doubled
        for to, name, kind, acct_id, subject, body, sent_at in rows:
            assert kind == "invoice" and acct_id == acct and sent_at is None
            assert inv["number"] in subject and inv["number"] in body
            assert money_en(inv["total"]) in body, (money_en(inv["total"]), body)
            if inv["due_date"] == inv["issue_date"]:   # as the portal says: due on receipt
                assert "Due date: on receipt\n" in body, body
            else:
                assert date_en(inv["due_date"]) in body, (date_en(inv["due_date"]), body)
            assert inv["portal_user_id"] in body
            assert BASE_URL in body
    [inv_a] = w.invoices(a)
    assert inv_a["total"] == 199900 + round_ppm(199900, 72500)   # $2,143.93
    names = dict(w.rows("SELECT to_addr, to_name FROM email_outbox WHERE invoice_id = ?",
                        (inv_a["id"],)))
    assert names["ap@alpha.example"] == "Alex Payer" and names["cfo@alpha.example"] == "The CFO"
    [inv_b] = w.invoices(b)
    body_b = w.scalar("SELECT body_text FROM email_outbox WHERE invoice_id = ? AND to_addr = ?",
                      (inv_b["id"], "owner@beta.example"))
    assert "owner@beta.example" in body_b and "/billing" in body_b
    assert "member@beta-online.example" not in [
        r[0] for r in w.rows("SELECT to_addr FROM email_outbox")]   # members get nothing


ON_RECEIPT = {"en": "Due date: on receipt\n", "es": "Fecha de vencimiento: a la recepción\n",
              "fr": "Date d'échéance : à réception\n", "it": "Scadenza: al ricevimento\n"}


@pytest.mark.parametrize("lang", ["en", "es", "fr", "it"])
def test_12b_invoice_emails_read_right_in_each_language(tmp_path, lang):
    """The vendor's name ends with a full stop ("Vendor, Inc."): no sentence gets a second one
    (Italian said "Vendor, Inc.."); a Billing Center invoice due on its issue date is due on
    receipt, as the portal and the PDF say, not due on a date."""
    w = World(tmp_path)
    w.tax("US", "CA", 72500)
    a = w.account("Alpha Corp", lang=lang, contact=("Alex Payer", "ap@alpha.example"),
                  user_id="alpha-ap")
    w.sub(a, 2, "2025-01-31", "2026-01-31", seats=100, unit=1999)
    b = w.account("Beta Online", kind="online", lang=lang, contact=("Bea Owner", "owner@beta.example"))
    w.sub(b, 3, "2025-12-31", "2026-01-31", seats=3, unit=1400)
    w.run_ok("2026-01-31")
    rows = w.rows("SELECT account_id, subject, body_text FROM email_outbox WHERE kind = 'invoice'")
    assert sorted(r[0] for r in rows) == sorted([a, b])
    for acct, subject, body in rows:
        assert "Vendor, Inc." in body, body
        for text in (subject, body):
            assert ".." not in text.replace(BASE_URL, ""), text
        [inv] = w.invoices(acct)
        if acct == b:
            assert inv["due_date"] == inv["issue_date"]
            assert ON_RECEIPT[lang] in body, body
        else:
            assert inv["due_date"] != inv["issue_date"]
            assert ON_RECEIPT[lang] not in body, body


def test_13_an_impossible_date_is_refused(tmp_path):
    w = basic_world(tmp_path)
    dump = w.dump()
    for bad in ("2026-02-30", "2026-13-01", "2025-02-29", "26-01-31", "2026-1-31", "tomorrow"):
        p = w.run(bad)
        assert p.returncode == 2, (bad, p.returncode, p.stdout, p.stderr)
        assert bad in p.stderr and "YYYY-MM-DD" in p.stderr, p.stderr
        assert len([x for x in p.stderr.splitlines() if x.strip()]) == 1, p.stderr
        assert p.stdout == ""
    p = w.run(None, "--at")                      # the flag without a value
    assert p.returncode == 2 and "--at" in p.stderr and p.stdout == "", p.stderr
    assert w.dump() == dump                      # nothing was written


def test_14_without_at_the_run_date_is_today_utc(tmp_path):
    w = World(tmp_path)
    today = harness.today()
    a = w.account("Today Online", kind="online")
    s = w.sub(a, 1, (today - datetime.timedelta(days=30)).isoformat(),
              (today - datetime.timedelta(days=1)).isoformat())
    p = w.run_ok(None)
    after = harness.today()
    run_date = summary(p)[0]
    assert run_date in (today.isoformat(), after.isoformat())
    [inv] = w.invoices(a)
    assert inv["issue_date"] == run_date
    assert w.period(s)[0] == (today - datetime.timedelta(days=1)).isoformat()


def test_15_invoice_pdf_command(tmp_path):
    w = basic_world(tmp_path)
    w.run_ok("2026-01-31")
    number = w.invoices(w.a)[0]["number"]
    out = os.path.join(w.dir, "inv.pdf")
    p = run_cobro(["invoice", "pdf", number, "-o", out, "--db", w.db], cwd=w.dir)
    assert p.returncode == 0, p.stderr
    assert not sanitizer_lines(p.stderr), p.stderr
    with open(out, "rb") as f:
        pdf = f.read()
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-64:], pdf[:20]
    assert len(pdf) > 1000

    missing = os.path.join(w.dir, "missing.pdf")
    p = run_cobro(["invoice", "pdf", "INV-2026-999999", "-o", missing, "--db", w.db], cwd=w.dir)
    assert p.returncode != 0
    assert "INV-2026-999999" in p.stderr, p.stderr
    assert not os.path.exists(missing)
    assert not sanitizer_lines(p.stderr), p.stderr

    p = run_cobro(["invoice", "pdf", number, "--db", w.db], cwd=w.dir)   # no -o
    assert p.returncode == 2 and "Usage" in p.stderr, p.stderr


def test_16_issued_invoices_cannot_change_except_payment_state(tmp_path):
    w = basic_world(tmp_path)
    w.run_ok("2026-01-31")
    con = harness.connect(w.db)
    inv_id, total = con.execute("SELECT id, total FROM invoices ORDER BY id LIMIT 1").fetchone()
    for sql in ("UPDATE invoices SET total = total + 1 WHERE id = ?",
                "UPDATE invoices SET number = 'X' WHERE id = ?",
                "UPDATE invoices SET bill_to_name = 'Someone else' WHERE id = ?",
                "DELETE FROM invoices WHERE id = ?",
                "UPDATE invoice_lines SET net = 0 WHERE invoice_id = ?",
                "DELETE FROM invoice_lines WHERE invoice_id = ?"):
        with pytest.raises(harness.integrity_errors(), match="issued invoice"):
            con.execute(sql, (inv_id,))
    # Payment state may change.
    con.execute("UPDATE invoices SET amount_paid = 100, status = 'partially_paid' WHERE id = ?",
                (inv_id,))
    con.commit()
    assert con.execute("SELECT total, amount_paid, status FROM invoices WHERE id = ?",
                       (inv_id,)).fetchone() == (total, 100, "partially_paid")
    con.close()


def serve_until(w, done, timeout=30):
    """Runs `cobro serve` on the world's database until done() holds (or timeout); returns
    whether it held, after a clean SIGTERM exit."""
    port = free_port()
    log = os.path.join(w.dir, "serve.log")
    with open(log, "wb") as err:
        proc = subprocess.Popen([cobro_bin()] + harness.with_data_key(
                                    ["serve", "--db", w.db, "--listen", "127.0.0.1:%d" % port,
                                     "--base-url", BASE_URL, "--mail-dir",
                                     os.path.join(w.dir, "mail"), "--threads", "1",
                                     "--no-access-log", "--payments", "off"]),
                                cwd=w.dir, env=clean_env(), stdout=err, stderr=err)
    try:
        deadline = time.monotonic() + timeout
        held = done()
        while not held and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            held = done()
    finally:
        stop_process(proc)
    with open(log, "rb") as f:
        text = f.read().decode(errors="replace")
    assert proc.returncode == 0, text[-3000:]
    assert not sanitizer_lines(text), text[-3000:]
    return held, text


def test_17_a_manual_run_for_a_later_date_leaves_the_daily_run_on(tmp_path):
    # `cobro bill-run --at` a date years ahead, then a subscription that falls due today: the
    # server's own daily run still bills it, today, as it would have without the manual run.
    w = World(tmp_path)
    w.run_ok("2099-12-31")
    # A database that an older cobro left with its last manual run far ahead counts nothing
    # either: that setting no longer holds the daily run back.
    w.con.execute("INSERT INTO vendor_settings (key, value) VALUES ('last_bill_run',"
                  " '2099-12-31') ON CONFLICT (key) DO UPDATE SET value = excluded.value")
    today = harness.today()
    a = w.account("Due Today Online", kind="online")
    s = w.sub(a, 1, add_months(today, -1, today.day).isoformat(), today.isoformat())
    held, log = serve_until(w, lambda: w.invoices(a))
    assert held, "the server did not bill the subscription due today:\n" + log[-3000:]
    [inv] = w.invoices(a)
    after = harness.today()
    assert inv["issue_date"] in (today.isoformat(), after.isoformat())
    assert w.period(s)[0] == today.isoformat()
    assert w.scalar("SELECT done_through FROM scheduled_jobs WHERE name = 'daily_bill_run'") == \
        inv["issue_date"]


RENEW_ANNUALLY = "corporate accounts renew annually"


def test_18_the_database_refuses_a_corporate_account_anything_but_annual_renewals(tmp_path):
    w = World(tmp_path)
    corp = w.account("Annual Corp")
    online = w.account("Monthly Online", kind="online")
    for monthly in (1, 3):
        with pytest.raises(harness.integrity_errors(), match=RENEW_ANNUALLY):
            w.sub(corp, monthly, "2025-12-31", "2026-01-31")
    annual = w.sub(corp, 2, "2025-01-31", "2026-01-31")
    by_month = w.sub(online, 1, "2025-12-31", "2026-01-31")
    # Ended monthly subscriptions never renew: as history they are no concern of the rule.
    ended = w.sub(corp, 3, "2024-12-31", "2025-01-31", status="cancelled")
    for sql, args in (
            ("UPDATE subscriptions SET plan_id = 1 WHERE id = ?", (annual,)),
            ("UPDATE subscriptions SET account_id = ? WHERE id = ?", (corp, by_month)),
            ("UPDATE subscriptions SET status = 'active' WHERE id = ?", (ended,)),
            ("UPDATE accounts SET kind = 'corporate' WHERE id = ?", (online,)),
            ("UPDATE plans SET billing_period = 'monthly' WHERE id = 2", ())):
        with pytest.raises(harness.integrity_errors(), match=RENEW_ANNUALLY):
            w.con.execute(sql, args)
    assert w.scalar("SELECT kind FROM accounts WHERE id = ?", (online,)) == "online"
    # Once its monthly subscription has ended, the online account may turn corporate.
    w.con.execute("UPDATE subscriptions SET status = 'cancelled' WHERE id = ?", (by_month,))
    w.con.execute("UPDATE accounts SET kind = 'corporate' WHERE id = ?", (online,))
    p = w.run_ok("2026-01-31")
    assert summary(p)[1:3] == (1, 1), p.stdout
    [inv] = w.invoices(corp)
    assert [(l["subscription_id"], l["billing_period"], l["period_end"])
            for l in w.lines(inv["id"])] == [(annual, "annual", "2027-01-31")]


@pytest.mark.skipif(harness.on_postgresql(),
                    reason="rebuilds a SQLite database of schema version 4, from before the rule")
def test_19_monthly_corporate_subscriptions_from_before_the_rule_still_renew_and_end(tmp_path):
    # A database at schema version 4 may hold them: migration 5 leaves them be (moving them to
    # an annual plan and price is a billing decision), and the bill run must not stop on them.
    w = World(tmp_path)
    triggers = [r[0] for r in w.rows("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                                     " AND sql LIKE ?", ("%" + RENEW_ANNUALLY + "%",))]
    assert len(triggers) == 4, triggers
    for name in triggers:
        w.con.execute("DROP TRIGGER %s" % name)
    # Back to version 4: migrations 6 (sign-in attempts), 7 (email rejections), 8 (invoice
    # taxes), 9 (the Invoice History index), 10 (scheduled jobs) and 11 (quotes) undone too, so
    # that all apply again.
    harness.undo_quotes_migration(w.con)
    w.con.execute("DROP TABLE scheduled_jobs")
    w.con.execute("DROP TABLE invoice_taxes")
    w.con.execute("DROP INDEX invoices_history")
    w.con.execute("CREATE INDEX invoices_account ON invoices(account_id, issue_date, id)")
    w.con.execute("DROP TABLE sign_in_logins")
    w.con.execute("ALTER TABLE sign_in_attempts DROP COLUMN pending")
    w.con.execute("ALTER TABLE email_outbox DROP COLUMN rejections")
    w.con.execute("DELETE FROM schema_migrations WHERE version >= 5")
    corp = w.account("Legacy Corp")
    renews = w.sub(corp, 1, "2025-12-31", "2026-01-31", unit=700)
    ends = w.sub(corp, 3, "2025-12-31", "2026-01-31", cancel=1)
    p = run_cobro(["migrate", "--db", w.db], cwd=w.dir)
    assert p.returncode == 0 and "from version 4 to 14" in p.stderr, p.stderr
    p = w.run_ok("2026-01-31")
    assert summary(p)[1:7] == (1, 1, 1, 1, 1, 1), p.stdout
    assert w.period(renews) == ("2026-01-31", "2026-02-28")
    assert w.status(ends) == "cancelled"
    # A no-op rewrite of such a row is no new breach; moving one to a monthly plan is.
    w.con.execute("UPDATE subscriptions SET plan_id = plan_id, status = status WHERE id = ?",
                  (renews,))
    with pytest.raises(harness.integrity_errors(), match=RENEW_ANNUALLY):
        w.con.execute("UPDATE subscriptions SET plan_id = 3 WHERE id = ?", (renews,))


def test_20_the_issue_9_invoice_is_taxed_once_per_rate(tmp_path):
    """$770.00 in Illinois at 6.25 %: 48.125 rounds once to $48.13, where the lines rounded one
    by one add up to $48.19 (a line of 765.20 and twelve of 0.40, each 0.025 -> 0.03)."""
    w = World(tmp_path)
    w.tax("US", "IL", 62500)
    a = w.account("Springfield Inc", kind="online", region="IL")
    w.sub(a, 1, "2025-12-31", "2026-01-31", unit=76520)
    for _ in range(12):
        w.sub(a, 3, "2025-12-31", "2026-01-31", unit=40)
    w.run_ok("2026-01-31")
    [inv] = w.invoices(a)
    assert sum(l["tax"] for l in w.lines(inv["id"])) == 4819           # per line: $48.19
    assert (inv["subtotal"], inv["tax_total"], inv["total"]) == (77000, 4813, 81813)
    assert w.rows("SELECT name, rate_ppm, taxable_base, tax_amount FROM invoice_taxes"
                  " WHERE invoice_id = ?", (inv["id"],)) == [("sales tax", 62500, 77000, 4813)]
    # Kept as issued, like the invoice.
    for sql in ("UPDATE invoice_taxes SET tax_amount = 4818 WHERE invoice_id = ?",
                "DELETE FROM invoice_taxes WHERE invoice_id = ?"):
        with pytest.raises(harness.integrity_errors(), match="issued invoice"):
            w.con.execute(sql, (inv["id"],))
    # The PDF shows the per-rate figure, named as Illinois names it.
    pdf = os.path.join(w.dir, "inv.pdf")
    p = run_cobro(["invoice", "pdf", inv["number"], "-o", pdf, "--db", w.db], cwd=w.dir)
    assert p.returncode == 0, p.stderr
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Illinois sales tax 6\.25%\s+\$48\.13", text), text
    assert "$818.13" in text and "$48.19" not in text and "Tax (" not in text


def test_21_an_unknown_region_is_skipped_and_reported_never_taxed_at_zero(tmp_path):
    """"Illinois" typed instead of IL: the bill run bills nobody 0 %; it leaves that account due
    and untouched, bills the others, says so and exits non-zero; once the address is mended the
    next run bills it at its rate."""
    w = World(tmp_path)
    w.tax("US", "IL", 62500)
    w.tax("US", "TX", 62500)
    bad = w.account("Named State Inc", kind="online", region="Illinois")
    good = w.account("Coded State Inc", kind="online", region="TX")
    s_bad = w.sub(bad, 1, "2025-12-31", "2026-01-31", unit=3019000)
    w.sub(good, 1, "2025-12-31", "2026-01-31", unit=10000)
    p = w.run("2026-01-31")
    assert p.returncode == 1, (p.stdout, p.stderr)
    assert "1 accounts skipped: no tax rate" in p.stdout, p.stdout
    assert ("account %d skipped: no tax rate for region 'Illinois' of country 'US'" % bad
            in p.stderr), p.stderr
    assert w.invoices(bad) == []
    assert w.period(s_bad) == ("2025-12-31", "2026-01-31")        # still due, untouched
    [inv] = w.invoices(good)
    assert inv["tax_total"] == 625
    w.con.execute("UPDATE accounts SET region = 'IL' WHERE id = ?", (bad,))
    w.run_ok("2026-01-31")
    [inv] = w.invoices(bad)
    assert (inv["subtotal"], inv["tax_total"]) == (3019000, 188688)   # 30,190 x 6.25% = 1,886.875


def many_accounts_world(tmp_path):
    """450 accounts (three batches of 200 and more), of both kinds, with recipients, purchase
    orders, a cancellation and catch-up periods, all billed on 2026-01-31."""
    os.makedirs(str(tmp_path), exist_ok=True)
    w = World(tmp_path)
    w.tax("US", "CA", 72500)
    for i in range(450):
        a = w.account("Many %d" % i, kind="online" if i % 3 else "corporate")
        if i % 3:
            w.sub(a, 1, "2025-11-30", "2025-12-31", seats=1 + i % 4, unit=1000 + i)  # catch-up
            w.sub(a, 3, "2025-12-31", "2026-01-31", cancel=1 if i % 7 == 0 else 0)
        else:
            w.sub(a, 2, "2025-01-31", "2026-01-31", seats=2)
        if i % 5 == 0:
            w.recipient(a, "AP", "ap%d@many.example" % i)
        if i % 11 == 0:
            w.po(a, "PO-%d" % i, "2026-01-01", "2026-12-31")
    return w


def billed(w):
    """What a bill run wrote, told apart from which invoice got which number: on PostgreSQL
    workers price their batches side by side and take the counter in whichever order they finish,
    so the numbers go to the accounts in another order (still gapless: the set is the same)."""
    per_account = {
        "invoices": w.rows("SELECT account_id, issue_date, due_date, currency, lang, status,"
                           " bill_to_name, po_number, subtotal, tax_total, total, created_at"
                           " FROM invoices ORDER BY account_id"),
        "lines": w.rows("SELECT i.account_id, l.position, l.subscription_id, l.product_name,"
                        " l.period_start, l.period_end, l.seats, l.unit_amount, l.net, l.tax,"
                        " l.gross FROM invoice_lines l JOIN invoices i ON i.id = l.invoice_id"
                        " ORDER BY i.account_id, l.position"),
        "taxes": w.rows("SELECT i.account_id, t.position, t.name, t.rate_ppm, t.taxable_base,"
                        " t.tax_amount FROM invoice_taxes t JOIN invoices i ON i.id = t.invoice_id"
                        " ORDER BY i.account_id, t.position"),
        "emails": w.rows("SELECT account_id, kind, lower(to_addr), to_name FROM email_outbox"
                         " ORDER BY account_id, lower(to_addr)"),
        "numbers": w.rows("SELECT series, seq, number FROM invoices ORDER BY series, seq"),
        "series": w.rows("SELECT series, last_number FROM invoice_series ORDER BY series"),
        "subscriptions": w.rows("SELECT * FROM subscriptions ORDER BY id"),
    }
    return {k: [tuple(r) for r in v] for k, v in per_account.items()}


def test_22_workers_give_the_same_result_as_one_run(tmp_path):
    """`--workers 2` (on SQLite: one worker, its one writer; on PostgreSQL: two threads claiming
    batches) writes what one run writes: the same invoices, lines, taxes and emails for each
    account, the same set of numbers and the same subscriptions (which number each invoice got
    may differ on PostgreSQL: billed() says why)."""
    one = many_accounts_world(tmp_path / "one")
    two = many_accounts_world(tmp_path / "two")
    # Both runs at the same instant: the rows they write carry it.
    env = clean_env(COBRO_NOW=harness.now_iso())
    args = ["bill-run", "--at", "2026-01-31", "--base-url", BASE_URL]
    p1 = run_cobro(args + ["--db", one.db], cwd=one.dir, env=env, timeout=120)
    p2 = run_cobro(args + ["--db", two.db, "--workers", "2"], cwd=two.dir, env=env, timeout=120)
    assert not sanitizer_lines(p1.stderr + p2.stderr), p1.stderr + p2.stderr
    assert p1.returncode == 0 and p2.returncode == 0, p1.stderr + p2.stderr
    assert summary(p1) == summary(p2), (p1.stdout, p2.stdout)
    assert summary(p1)[1] == 450, p1.stdout
    b1, b2 = billed(one), billed(two)
    assert len(b1["invoices"]) == 450
    for what in b1:
        assert b1[what] == b2[what], what
    # Every invoice has its line in the audit log, gathered batches (PostgreSQL) as well.
    for world in (one, two):
        assert world.scalar("SELECT count(*) FROM invoices i JOIN audit_log l ON l.account_id ="
                           " i.account_id AND l.action = 'invoice_issued' AND l.old_value ="
                           " i.number") == 450
        assert world.scalar("SELECT count(*) FROM audit_log WHERE action = 'invoice_issued'") == 450


def test_23_a_bad_number_of_workers_is_refused(tmp_path):
    w = basic_world(tmp_path)
    dump = w.dump()
    for bad in ("0", "-1", "two", "65", "1.5", ""):
        p = w.run("2026-01-31", "--workers", bad)
        assert p.returncode == 2, (bad, p.returncode, p.stdout, p.stderr)
        assert "--workers" in p.stderr and "1 to 64" in p.stderr, p.stderr
        assert p.stdout == ""
    assert w.dump() == dump
