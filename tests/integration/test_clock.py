"""The program's one clock: COBRO_NOW sets it for every command, the demo's history is the same on
every day of the month, and a malformed value stops a command with one line."""
import datetime
import sqlite3

import pytest

import harness
from harness import clean_env, run_cobro, sanitizer_lines

# The days where a calendar goes wrong, and the 5th (the day the demo's monthly plan used to
# renew on, which made the history one invoice shorter from the 1st to the 4th).
DAYS = ["2026-12-01", "2026-12-04", "2026-12-05", "2027-02-28", "2028-02-29", "2027-01-31",
        "2027-03-31", "2027-06-30"]


def _demo(tmp_path, day):
    db = str(tmp_path / ("demo-%s.db" % day))
    p = run_cobro(["demo", "--db", db], env=clean_env(COBRO_NOW=day + "T10:00:00Z"))
    assert p.returncode == 0, p.stderr
    assert not sanitizer_lines(p.stderr), p.stderr
    return db


def _history(db):
    """Per account: the number of invoices, the issue dates relative to the load day's month,
    and the subscription periods in force."""
    con = sqlite3.connect(db)
    try:
        return {name: n for name, n in con.execute(
            "SELECT a.name, count(i.id) FROM accounts a LEFT JOIN invoices i ON"
            " i.account_id = a.id GROUP BY a.id ORDER BY a.name")}
    finally:
        con.close()


def _periods(db):
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT period_start, period_end FROM subscriptions ORDER BY id").fetchall()
    finally:
        con.close()


def test_01_the_demo_history_is_the_same_on_every_day(tmp_path):
    histories = {day: _history(_demo(tmp_path, day)) for day in DAYS}
    first = histories[DAYS[0]]
    assert first["Initech"] == 6, first
    for day, h in histories.items():
        assert h == first, "on %s the demo left %r, on %s %r" % (day, h, DAYS[0], first)


def test_02_every_demo_period_is_in_force_on_the_load_day(tmp_path):
    """Whatever the day, each subscription's current period contains it, so the next renewal is
    in the future and nothing is overdue for the bill run."""
    for day in DAYS:
        for start, end in _periods(_demo(tmp_path, day)):
            assert start <= day < end, (day, start, end)


def test_03_bill_run_without_at_runs_on_the_clocks_day(tmp_path):
    db = _demo(tmp_path, "2027-01-31")
    p = run_cobro(["bill-run", "--db", db], env=clean_env(COBRO_NOW="2027-03-01T08:00:00Z"))
    assert p.returncode == 0, p.stderr
    assert "2027-03-01" in p.stdout + p.stderr
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT max(issue_date) FROM invoices").fetchone()[0] == "2027-03-01"
    finally:
        con.close()


@pytest.mark.parametrize("value", ["31/01/2027", "2027-02-30", "2027-01-31T25:00:00Z", "tomorrow",
                                   "2027-01-31T10:00:00+01:00"])
def test_04_a_malformed_cobro_now_stops_every_command(tmp_path, value):
    for args in (["migrate", "--db", str(tmp_path / "m.db")], ["bill-run", "--db", str(tmp_path / "m.db")]):
        p = run_cobro(args, env=clean_env(COBRO_NOW=value))
        assert p.returncode == 2, p
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and "COBRO_NOW" in lines[0] and value in lines[0], p.stderr
    assert not (tmp_path / "m.db").exists()


def test_05_the_server_reads_the_set_clock(server):
    """A session made now carries the tests' clock, not the system's."""
    c = server.client()
    assert c.sign_in_corporate("acme-billing").status == 303
    created = server.scalar("SELECT max(created_at) FROM sessions")
    assert abs(created - harness.now()) < 120, (created, harness.now())


def test_06_the_log_is_stamped_by_the_clock(tmp_path):
    p = run_cobro(["migrate", "--db", str(tmp_path / "l.db")],
                  env=clean_env(COBRO_NOW="2031-05-17T12:00:00Z"))
    assert p.returncode == 0, p.stderr
    stamped = [line for line in p.stderr.splitlines() if line.startswith("20")]
    assert stamped and all(line.startswith("2031-05-17T12:0") for line in stamped), p.stderr
