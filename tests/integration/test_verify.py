"""`cobro verify`: a demo database and one after a bill run (tax exclusive and inclusive) are
clean; then each invariant is broken with direct SQL on a copy (the immutability triggers dropped
there, since verify exists to catch what slipped past them) and verify exits 1 naming exactly the
broken row; bad usage and a database that cannot be opened exit 2."""
import datetime
import re
import shutil
import sqlite3

import pytest

from harness import clean_env, now, run_cobro, sanitizer_lines, today

TRIGGERS = ("invoices_immutable", "invoices_kept", "invoice_lines_immutable",
            "invoice_lines_kept", "invoice_taxes_immutable", "invoice_taxes_kept")


def verify(db, cwd):
    p = run_cobro(["verify", "--db", str(db)], cwd=cwd)
    assert not sanitizer_lines(p.stderr), p.stderr[-3000:]
    return p


def findings(p):
    """The lines naming broken rows (the summary line left out)."""
    lines = p.stdout.splitlines()
    assert lines and re.fullmatch(r"verify: \d+ checks, .*", lines[-1]), p.stdout
    return lines[:-1]


def iso(at):
    return datetime.datetime.fromtimestamp(at, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def dbs(tmp_path_factory):
    """The demo database, and copies after a bill run a year on: tax exclusive and inclusive."""
    d = tmp_path_factory.mktemp("verify")
    demo = d / "demo.db"
    p = run_cobro(["demo", "--db", str(demo)], cwd=d)
    assert p.returncode == 0, p.stderr
    run_at = (today() + datetime.timedelta(days=400)).isoformat()
    out = {"dir": d, "demo": demo}
    for mode in ("exclusive", "inclusive"):
        db = d / ("billed-%s.db" % mode)
        copy_db(demo, db)
        con = sqlite3.connect(db)
        with con:
            con.execute("UPDATE vendor_settings SET value = ? WHERE key = 'tax_mode'", (mode,))
        con.close()
        p = run_cobro(["bill-run", "--db", str(db), "--at", run_at], cwd=d)
        assert p.returncode == 0, p.stderr
        assert " 0 invoices" not in p.stdout, p.stdout
        out[mode] = db
    return out


def copy_db(src, dst):
    s, t = sqlite3.connect(src), sqlite3.connect(dst)
    s.backup(t)
    s.close()
    t.close()
    key = str(src) + ".key"
    shutil.copy(key, str(dst) + ".key")


@pytest.fixture
def broken(dbs, tmp_path):
    """A copy of the billed (tax exclusive) database, without the immutability triggers: returns
    (connection, path); the test writes through the connection, commits, then runs verify."""
    db = tmp_path / "broken.db"
    copy_db(dbs["exclusive"], db)
    con = sqlite3.connect(db)
    for t in TRIGGERS:
        con.execute("DROP TRIGGER %s" % t)
    con.commit()
    yield con, db
    con.close()


def one(con, sql, *args):
    row = con.execute(sql, args).fetchone()
    assert row is not None, sql
    return row


def last_invoice(con):
    """(id, number, series, seq, account_id) of the newest invoice (the bill run's)."""
    return one(con, "SELECT id, number, series, seq, account_id FROM invoices ORDER BY id DESC"
               " LIMIT 1")


def break_and_verify(con, db, tmp_path, *statements):
    with con:
        for sql, args in statements:
            con.execute(sql, args)
    p = verify(db, tmp_path)
    assert p.returncode == 1, (p.stdout, p.stderr)
    return findings(p)


# ---- clean databases ------------------------------------------------------------------------

def test_demo_database_is_clean(dbs):
    p = verify(dbs["demo"], dbs["dir"])
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert re.fullmatch(r"verify: \d+ checks, no problems\n", p.stdout), p.stdout


@pytest.mark.parametrize("mode", ["exclusive", "inclusive"])
def test_database_after_a_bill_run_is_clean(dbs, mode):
    con = sqlite3.connect(dbs[mode])
    assert one(con, "SELECT COUNT(*) FROM invoices WHERE tax_mode = ?", mode)[0] > 0
    # Several lines per invoice at one rate: inclusive line nets do not add up to the base.
    assert one(con, "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM invoice_lines"
               " GROUP BY invoice_id) x")[0] > 1
    con.close()
    p = verify(dbs[mode], dbs["dir"])
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert findings(p) == []


# ---- invoice numbers ------------------------------------------------------------------------

def test_gap_in_a_series_names_the_invoice_after_it(broken, tmp_path):
    con, db = broken
    iid, number, series, seq, _ = last_invoice(con)
    new = "%s-%06d" % (series, seq + 1)
    got = break_and_verify(
        con, db, tmp_path,
        ("UPDATE invoices SET seq = seq + 1, number = ? WHERE id = ?", (new, iid)),
        ("UPDATE invoice_series SET last_number = last_number + 1 WHERE series = ?", (series,)))
    assert got == ["verify: series %s: number %d missing before invoice %s (id %d)"
                   % (series, seq, new, iid)]


def test_longer_gap_names_the_missing_range(broken, tmp_path):
    con, db = broken
    iid, number, series, seq, _ = last_invoice(con)
    new = "%s-%06d" % (series, seq + 3)
    got = break_and_verify(
        con, db, tmp_path,
        ("UPDATE invoices SET seq = seq + 3, number = ? WHERE id = ?", (new, iid)),
        ("UPDATE invoice_series SET last_number = last_number + 3 WHERE series = ?", (series,)))
    assert got == ["verify: series %s: numbers %d to %d missing before invoice %s (id %d)"
                   % (series, seq, seq + 2, new, iid)]


def test_duplicate_number_in_a_series(broken, tmp_path):
    con, db = broken
    iid, number, series, seq, _ = last_invoice(con)
    assert seq >= 2
    other_id, other_number = one(con, "SELECT id, number FROM invoices WHERE series = ? AND"
                                 " seq = ?", series, seq - 1)
    # The schema's UNIQUE (series, seq) and UNIQUE (number) are what a duplicate slipped past:
    # the copy gets an invoices table without them.
    sql = one(con, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'invoices'")[0]
    loose = (sql.replace("CREATE TABLE invoices", "CREATE TABLE invoices_loose", 1)
             .replace("number TEXT NOT NULL UNIQUE", "number TEXT NOT NULL")
             .replace("UNIQUE (series, seq),", ""))
    assert loose.count("UNIQUE") == 0, loose
    with con:
        con.execute(loose)
        con.execute("INSERT INTO invoices_loose SELECT * FROM invoices")
        con.execute("DROP TABLE invoices")
        con.execute("ALTER TABLE invoices_loose RENAME TO invoices")
    got = break_and_verify(
        con, db, tmp_path,
        ("UPDATE invoices SET seq = seq - 1, number = ? WHERE id = ?", (other_number, iid)),
        ("UPDATE invoice_series SET last_number = last_number - 1 WHERE series = ?", (series,)))
    assert got == ["verify: series %s: number %d issued twice: invoice %s (id %d) and invoice %s"
                   " (id %d)" % (series, seq - 1, other_number, other_id, other_number, iid)]


def test_series_counter_ahead_of_the_invoices(broken, tmp_path):
    con, db = broken
    _, _, series, seq, _ = last_invoice(con)
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE invoice_series SET last_number = ? WHERE series = ?",
                            (seq + 4, series)))
    assert got == ["verify: series %s: counter says %d, highest number issued is %d"
                   % (series, seq + 4, seq)]


def test_series_without_its_counter(broken, tmp_path):
    con, db = broken
    _, _, series, seq, _ = last_invoice(con)
    got = break_and_verify(con, db, tmp_path,
                           ("DELETE FROM invoice_series WHERE series = ?", (series,)))
    assert got == ["verify: series %s: no counter row, but invoices are numbered up to %d"
                   % (series, seq)]


def test_number_text_that_disagrees_with_series_and_seq(broken, tmp_path):
    con, db = broken
    iid, number, series, seq, _ = last_invoice(con)
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE invoices SET number = ? WHERE id = ?", ("X-%d" % seq, iid)))
    assert got == ["verify: invoice X-%d (id %d): series %s and number %d make %s, not X-%d"
                   % (seq, iid, series, seq, number, seq)]


# ---- each subscription period invoiced once -------------------------------------------------

def test_period_invoiced_twice_names_subscription_period_and_both_invoices(broken, tmp_path):
    con, db = broken
    iid, number, _, _, account = last_invoice(con)
    line = one(con, "SELECT id, subscription_id, period_start, period_end, product_name,"
               " billing_period, tax_rate_ppm FROM invoice_lines WHERE invoice_id = ?"
               " ORDER BY position LIMIT 1", iid)
    lid, sub, start, end, product, period, rate = line
    # An older invoice of the same account (so that only the period rule is broken) gets a line
    # of zero for part of the same period.
    other_id, other_number = one(con, "SELECT id, number FROM invoices WHERE account_id = ?"
                                 " AND id <> ? ORDER BY id DESC LIMIT 1", account, iid)
    s = datetime.date.fromisoformat(start) + datetime.timedelta(days=1)
    e = datetime.date.fromisoformat(end) - datetime.timedelta(days=1)
    assert s < e
    got = break_and_verify(
        con, db, tmp_path,
        ("INSERT INTO invoice_lines (invoice_id, position, subscription_id, product_name,"
         " billing_period, period_start, period_end, seats, unit_amount, net, tax_rate_ppm, tax,"
         " gross) VALUES (?, 99, ?, ?, ?, ?, ?, 1, 0, 0, ?, 0, 0)",
         (other_id, sub, product, period, s.isoformat(), e.isoformat(), rate)))
    assert got == ["verify: subscription %d: period %s to %s in invoice %s (id %d) overlaps"
                   " period %s to %s in invoice %s (id %d)"
                   % (sub, start, end, number, iid, s, e, other_number, other_id)]


# ---- lines + tax = total ------------------------------------------------------------------

def test_total_that_is_not_lines_plus_tax(broken, tmp_path):
    con, db = broken
    iid, number, _, _, _ = last_invoice(con)
    subtotal, tax, total = one(con, "SELECT subtotal, tax_total, total FROM invoices"
                               " WHERE id = ?", iid)
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE invoices SET subtotal = subtotal + 100, total = total + 100"
                            " WHERE id = ?", (iid,)))
    assert got == ["verify: invoice %s (id %d): lines %d + tax %d != total %d"
                   % (number, iid, subtotal, tax, total + 100)]


def test_tax_row_that_does_not_add_up(broken, tmp_path):
    con, db = broken
    iid, number, _, _, _ = last_invoice(con)
    subtotal, tax, total = one(con, "SELECT subtotal, tax_total, total FROM invoices"
                               " WHERE id = ?", iid)
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE invoice_taxes SET tax_amount = tax_amount + 1"
                            " WHERE invoice_id = ?", (iid,)))
    assert got == ["verify: invoice %s (id %d): lines %d + tax %d != total %d"
                   % (number, iid, subtotal, tax + 1, total)]


def test_line_changed_after_issue_is_named_by_each_rule_it_breaks(broken, tmp_path):
    con, db = broken
    iid, number, _, _, _ = last_invoice(con)
    subtotal, tax, total = one(con, "SELECT subtotal, tax_total, total FROM invoices"
                               " WHERE id = ?", iid)
    pos, net, seats, unit, rate = one(con, "SELECT position, net, seats, unit_amount,"
                                      " tax_rate_ppm FROM invoice_lines WHERE invoice_id = ?"
                                      " ORDER BY position LIMIT 1", iid)
    base = one(con, "SELECT taxable_base FROM invoice_taxes WHERE invoice_id = ? AND"
               " rate_ppm = ?", iid, rate)[0]
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE invoice_lines SET net = net + 100, gross = gross + 100"
                            " WHERE invoice_id = ? AND position = ?", (iid, pos)))
    assert got == [
        "verify: invoice %s (id %d): line %d: its price %d != net %d"
        % (number, iid, pos, seats * unit, net + 100),
        "verify: invoice %s (id %d): lines %d + tax %d != total %d"
        % (number, iid, subtotal + 100, tax, total),
        "verify: invoice %s (id %d): rate %d ppm: lines %d != base %d"
        % (number, iid, rate, base + 100, base),
    ]


def test_inclusive_invoice_whose_lines_do_not_make_its_total(dbs, tmp_path):
    db = tmp_path / "inclusive.db"
    copy_db(dbs["inclusive"], db)
    con = sqlite3.connect(db)
    for t in TRIGGERS:
        con.execute("DROP TRIGGER %s" % t)
    iid, number, _, _, _ = last_invoice(con)
    tax, total = one(con, "SELECT tax_total, total FROM invoices WHERE id = ?", iid)
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE invoices SET subtotal = subtotal + 100, total = total + 100"
                            " WHERE id = ?", (iid,)))
    con.close()
    assert got == ["verify: invoice %s (id %d): lines %d (tax %d included) != total %d"
                   % (number, iid, total, tax, total + 100)]


# ---- the outbox -----------------------------------------------------------------------------

def invoice_email(con):
    """(id, invoice_id, account_id) of the newest invoice email."""
    return one(con, "SELECT id, invoice_id, account_id FROM email_outbox WHERE kind = 'invoice'"
               " ORDER BY id DESC LIMIT 1")


def test_outbox_unknown_kind(broken, tmp_path):
    con, db = broken
    eid, _, _ = invoice_email(con)
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE email_outbox SET kind = 'telegram', invoice_id = NULL"
                            " WHERE id = ?", (eid,)))
    assert got == ["verify: email %d: unknown kind 'telegram'" % eid]


def test_outbox_invoice_email_of_another_account(broken, tmp_path):
    con, db = broken
    eid, inv, account = invoice_email(con)
    number = one(con, "SELECT number FROM invoices WHERE id = ?", inv)[0]
    other = one(con, "SELECT id FROM accounts WHERE id <> ? ORDER BY id LIMIT 1", account)[0]
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE email_outbox SET account_id = ? WHERE id = ?", (other, eid)))
    assert got == ["verify: email %d (invoice): for account %d, but invoice %s (id %d) belongs"
                   " to account %d" % (eid, other, number, inv, account)]


def test_outbox_invoice_email_naming_no_existing_invoice(broken, tmp_path):
    con, db = broken
    eid, _, _ = invoice_email(con)
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE email_outbox SET invoice_id = 99999 WHERE id = ?", (eid,)))
    assert got == ["verify: email %d (invoice): invoice 99999 does not exist" % eid]


def test_outbox_other_email_naming_an_invoice(broken, tmp_path):
    con, db = broken
    eid, inv, _ = invoice_email(con)
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE email_outbox SET kind = 'password_reset' WHERE id = ?",
                            (eid,)))
    assert got == ["verify: email %d (password_reset): names invoice %d but is not an invoice"
                   " email" % (eid, inv)]


def test_outbox_sent_and_failed(broken, tmp_path):
    con, db = broken
    eid, sent = one(con, "SELECT id, sent_at FROM email_outbox WHERE sent_at IS NOT NULL"
                    " ORDER BY id LIMIT 1")
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE email_outbox SET failed_at = ? WHERE id = ?",
                            (sent + 60, eid)))
    assert got == ["verify: email %d: both sent (%s) and failed (%s)"
                   % (eid, iso(sent), iso(sent + 60))]


def test_outbox_negative_attempts(broken, tmp_path):
    con, db = broken
    eid, _, _ = invoice_email(con)
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE email_outbox SET attempts = -1 WHERE id = ?", (eid,)))
    assert got == ["verify: email %d: attempts -1 < 0" % eid]


def test_outbox_more_rejections_than_attempts(broken, tmp_path):
    con, db = broken
    eid, _, _ = invoice_email(con)
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE email_outbox SET attempts = 1, rejections = 2 WHERE id = ?",
                            (eid,)))
    assert got == ["verify: email %d: rejections 2 > attempts 1" % eid]


def test_outbox_claim_beyond_any_lease(broken, tmp_path):
    con, db = broken
    eid, _, _ = invoice_email(con)
    until = int(now()) + 10 * 86400
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE email_outbox SET attempts = 1, claimed_until = ?"
                            " WHERE id = ?", (until, eid)))
    assert got == ["verify: email %d: claimed until %s, beyond the longest lease from now"
                   % (eid, iso(until))]


def test_outbox_claim_never_attempted(broken, tmp_path):
    con, db = broken
    eid, _, _ = invoice_email(con)
    until = int(now()) + 60
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE email_outbox SET attempts = 0, claimed_until = ?"
                            " WHERE id = ?", (until, eid)))
    assert got == ["verify: email %d: claimed (until %s) but never attempted" % (eid, iso(until))]


def test_every_broken_row_is_named_and_counted(broken, tmp_path):
    con, db = broken
    rows = [r[0] for r in con.execute("SELECT id FROM email_outbox ORDER BY id LIMIT 3")]
    with con:
        con.executemany("UPDATE email_outbox SET attempts = -2 WHERE id = ?",
                        [(r,) for r in rows])
    p = verify(db, tmp_path)
    assert p.returncode == 1
    assert findings(p) == ["verify: email %d: attempts -2 < 0" % r for r in rows]
    assert re.fullmatch(r"verify: \d+ checks, 3 rows breaking them", p.stdout.splitlines()[-1])


# ---- usage ----------------------------------------------------------------------------------

def test_help_documents_the_command(tmp_path):
    p = run_cobro(["--help"], cwd=tmp_path)
    assert p.returncode == 0
    assert "  verify " in p.stdout
    p = run_cobro(["verify", "--help"], cwd=tmp_path)
    assert p.returncode == 0
    assert "Usage: cobro verify [--db PATH]" in p.stdout
    assert "Exits 0" in p.stdout


def test_unexpected_argument_exits_2(dbs, tmp_path):
    p = run_cobro(["verify", "--db", str(dbs["demo"]), "now"], cwd=tmp_path)
    assert p.returncode == 2
    assert p.stderr.strip() == 'cobro verify: unexpected argument "now": cobro verify takes only' \
        ' --flags'
    assert p.stdout == ""


def test_unknown_option_exits_2(tmp_path):
    p = run_cobro(["verify", "--fix"], cwd=tmp_path)
    assert p.returncode == 2
    assert "--fix" in p.stderr


def test_missing_database_exits_2_and_creates_nothing(tmp_path):
    db = tmp_path / "absent.db"
    p = run_cobro(["verify", "--db", str(db)], cwd=tmp_path)
    assert p.returncode == 2
    assert p.stderr.strip() == "cobro verify: no database at %s (No such file or directory)" % db
    assert not db.exists()
    p = run_cobro(["verify"], cwd=tmp_path, env=clean_env(COBRO_DB=str(db)))
    assert p.returncode == 2
    assert "no database at %s" % db in p.stderr


def test_file_that_is_not_a_database_exits_2(tmp_path):
    db = tmp_path / "notes.db"
    db.write_text("not a database\n" * 100)
    p = run_cobro(["verify", "--db", str(db)], cwd=tmp_path)
    assert p.returncode == 2
    assert "not a database" in p.stderr
    assert p.stdout == ""


# ---- the other rules ------------------------------------------------------------------------

def test_line_billing_a_subscription_of_another_account(broken, tmp_path):
    con, db = broken
    iid, number, _, _, account = last_invoice(con)
    pos, sub = one(con, "SELECT position, subscription_id FROM invoice_lines WHERE invoice_id = ?"
                   " ORDER BY position LIMIT 1", iid)
    other = one(con, "SELECT id FROM accounts WHERE id <> ? ORDER BY id LIMIT 1", account)[0]
    with con:
        # An ended copy of the subscription, moved to the other account: no line of its own.
        cur = con.execute("INSERT INTO subscriptions (account_id, plan_id, currency, unit_amount,"
                          " seats, status, period_start, period_end, anchor_day, created_at)"
                          " SELECT ?, plan_id, currency, unit_amount, seats, 'expired',"
                          " period_start, period_end, anchor_day, created_at FROM subscriptions"
                          " WHERE id = ?", (other, sub))
        moved = cur.lastrowid
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE invoice_lines SET subscription_id = ? WHERE invoice_id = ?"
                            " AND position = ?", (moved, iid, pos)))
    assert got == ["verify: invoice %s (id %d): line %d bills subscription %d of account %d, not"
                   " of the invoice's account %d" % (number, iid, pos, moved, other, account)]


def test_series_that_does_not_match_the_issue_year(broken, tmp_path):
    con, db = broken
    iid, number, series, _, _ = last_invoice(con)
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE invoices SET issue_date = '1999-12-31' WHERE id = ?", (iid,)))
    assert got == ["verify: invoice %s (id %d): series %s does not match its issue date 1999-12-31"
                   % (number, iid, series)]


def test_line_at_a_rate_without_its_tax_row(broken, tmp_path):
    con, db = broken
    iid, number, _, _, _ = last_invoice(con)
    pos, net, rate = one(con, "SELECT position, net, tax_rate_ppm FROM invoice_lines"
                         " WHERE invoice_id = ? ORDER BY position LIMIT 1", iid)
    base = one(con, "SELECT taxable_base FROM invoice_taxes WHERE invoice_id = ? AND"
               " rate_ppm = ?", iid, rate)[0]
    got = break_and_verify(con, db, tmp_path,
                           ("UPDATE invoice_lines SET tax_rate_ppm = ? WHERE invoice_id = ?"
                            " AND position = ?", (rate + 1, iid, pos)))
    assert got == ["verify: invoice %s (id %d): rate %d ppm: lines %d != base %d"
                   % (number, iid, rate, base - net, base),
                   "verify: invoice %s (id %d): line %d: rate %d ppm has no tax row"
                   % (number, iid, pos, rate + 1)]
