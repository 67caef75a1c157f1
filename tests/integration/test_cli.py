"""The command line: help, configuration errors, idempotent migrate and demo, bill-run dates and
failures."""
import contextlib
import os
import sqlite3

from harness import clean_env, free_port, run_cobro, sanitizer_lines


def _no_sanitizer(p):
    assert not sanitizer_lines(p.stderr), p.stderr[-3000:]


def _counts(db):
    con = sqlite3.connect(db)
    try:
        return {t: con.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                for t in ("accounts", "staff_users", "portal_credentials", "account_users",
                          "products", "plans", "prices", "subscriptions")}
    finally:
        con.close()


def test_01_help_exits_0_with_usage(tmp_path):
    p = run_cobro(["--help"], cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    out = p.stdout + p.stderr
    assert "usage" in out.lower()
    for sub in ("serve", "migrate", "demo"):
        assert sub in out
    _no_sanitizer(p)


def test_02_serve_help_exits_0_with_usage(tmp_path):
    p = run_cobro(["serve", "--help"], cwd=tmp_path, timeout=20)
    assert p.returncode == 0, p.stderr
    out = p.stdout + p.stderr
    assert "usage" in out.lower()
    for flag in ("--db", "--listen", "--base-url", "--smtp-url", "--mail-from", "--threads"):
        assert flag in out, flag
    _no_sanitizer(p)
    assert not os.path.exists(tmp_path / "var"), "serve --help touched the disk"


def test_03_bad_listen_is_one_line_naming_the_flag(tmp_path):
    p = run_cobro(["serve", "--db", str(tmp_path / "x.db"), "--listen", "nonsense"], cwd=tmp_path,
                  timeout=20)
    assert p.returncode != 0
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, p.stderr
    assert "--listen" in lines[0]
    _no_sanitizer(p)


def test_04_bad_smtp_url_in_environment_names_the_variable(tmp_path):
    env = clean_env(COBRO_SMTP_URL="http://x")
    p = run_cobro(["serve", "--db", str(tmp_path / "x.db"),
                   "--listen", "127.0.0.1:%d" % free_port()], cwd=tmp_path, env=env, timeout=20)
    assert p.returncode != 0
    lines = [line for line in p.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, p.stderr
    assert "COBRO_SMTP_URL" in lines[0]
    _no_sanitizer(p)


def test_05_unknown_flag_is_refused(tmp_path):
    p = run_cobro(["migrate", "--db", str(tmp_path / "x.db"), "--listen", "127.0.0.1:1"],
                  cwd=tmp_path, timeout=20)
    assert p.returncode != 0
    assert "--listen" in p.stderr
    p = run_cobro(["no-such-command"], cwd=tmp_path, timeout=20)
    assert p.returncode != 0
    _no_sanitizer(p)


def test_06_migrate_twice_is_fine(tmp_path):
    db = str(tmp_path / "m.db")
    first = run_cobro(["migrate", "--db", db], cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    _no_sanitizer(first)
    second = run_cobro(["migrate", "--db", db], cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    _no_sanitizer(second)
    con = sqlite3.connect(db)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        secret = con.execute("SELECT count(*) FROM vendor_settings").fetchone()[0]
    finally:
        con.close()
    assert {"accounts", "sessions", "email_outbox", "audit_log", "password_reset_tokens"} <= tables
    assert secret >= 1, "no server secret after migrate"


def test_07_demo_twice_is_fine_and_changes_nothing(tmp_path):
    db = str(tmp_path / "d.db")
    first = run_cobro(["demo", "--db", db], cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    _no_sanitizer(first)
    after_first = _counts(db)
    assert after_first["accounts"] == 3
    assert after_first["staff_users"] == 4
    con = sqlite3.connect(db)
    secret = con.execute("SELECT value FROM vendor_settings ORDER BY key").fetchall()
    con.close()
    second = run_cobro(["demo", "--db", db], cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    _no_sanitizer(second)
    assert _counts(db) == after_first
    con = sqlite3.connect(db)
    assert con.execute("SELECT value FROM vendor_settings ORDER BY key").fetchall() == secret
    con.close()


def _db(db):
    """An autocommit connection that closes at the end of a with block."""
    return contextlib.closing(sqlite3.connect(db, isolation_level=None))


def _dump(db):
    with _db(db) as con:
        return list(con.iterdump())


def test_08_bill_run_dates_whose_renewals_leave_four_digit_years_are_refused(tmp_path):
    # An annual renewal ends a year after the run date, and dates have four-digit years: 9998 is
    # the last year a run may be in. Later dates are refused before anything is read or written.
    db = str(tmp_path / "b.db")
    p = run_cobro(["migrate", "--db", db], cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    with _db(db) as con:
        con.execute("INSERT INTO products (id, code, name) VALUES (1, 'w', 'Widget')")
        con.execute("INSERT INTO plans (id, product_id, code, billing_period)"
                    " VALUES (1, 1, 'w-annual', 'annual')")
        con.execute("INSERT INTO accounts (id, kind, name, currency, bill_to_name, country,"
                    " created_at) VALUES (1, 'online', 'Far Future', 'USD', 'Far Future', 'US', 0)")
        con.execute("INSERT INTO subscriptions (account_id, plan_id, currency, unit_amount, seats,"
                    " status, period_start, period_end, anchor_day, created_at)"
                    " VALUES (1, 1, 'USD', 100, 1, 'active', '9997-12-31', '9998-12-31', 31, 0)")
    dump = _dump(db)
    for bad in ("9999-01-01", "9999-12-31"):
        p = run_cobro(["bill-run", "--db", db, "--at", bad], cwd=tmp_path)
        _no_sanitizer(p)
        assert p.returncode == 2, (bad, p.returncode, p.stdout, p.stderr)
        lines = [line for line in p.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, p.stderr
        assert bad in lines[0] and "9998-12-31" in lines[0], p.stderr
        assert p.stdout == ""
    assert _dump(db) == dump
    p = run_cobro(["bill-run", "--db", db, "--at", "9998-12-31"], cwd=tmp_path)
    _no_sanitizer(p)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("bill run 9998-12-31: 1 invoices (1 lines)"), p.stdout
    with _db(db) as con:
        assert con.execute("SELECT period_start, period_end FROM subscriptions").fetchone() == (
            "9998-12-31", "9999-12-31")


def test_09_a_bill_run_the_database_stops_says_why(tmp_path):
    db = str(tmp_path / "d.db")
    p = run_cobro(["demo", "--db", db], cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    with _db(db) as con:
        at = con.execute("SELECT max(period_end) FROM subscriptions WHERE status = 'active'"
                         ).fetchone()[0]
        # Whatever the database refuses, here a rule of the test's own.
        con.execute("CREATE TRIGGER test_refuses BEFORE INSERT ON invoices"
                    " BEGIN SELECT RAISE(ABORT, 'no invoices today, says the test'); END")
    dump = _dump(db)
    p = run_cobro(["bill-run", "--db", db, "--at", at], cwd=tmp_path)
    _no_sanitizer(p)
    assert p.returncode == 1, (p.stdout, p.stderr)
    [stopped] = [line for line in p.stderr.splitlines() if "stopped after 0 invoices" in line]
    assert "no invoices today, says the test" in stopped and "account " in stopped, p.stderr
    assert _dump(db) == dump
