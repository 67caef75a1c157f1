"""cobro on PostgreSQL, whichever store the rest of the suite runs on: a server of this module's
own (tests/pg_cluster.py), so that it can be stopped and started under running cobro nodes.
- The connection string: a password written in it is refused; PostgreSQL needs a data key file.
- Two nodes on one database serve the same users: a session, a CSRF token and a lockout made on
  one hold on the other.
- Three bill runs at once on one database: every period invoiced once, numbers gapless, one
  email per recipient, `cobro verify` clean.
- Two nodes' mailers share one outbox: every email delivered once.
- The database stopped under a running node: /healthz answers 503, pages 503, and once the
  database is back the node reconnects by itself; nothing half done is left.
- A bill run waits for an account a short write holds (and passes over those another bill run
  holds); texts with commas, quotes, backslashes and braces land as typed."""
import os
import subprocess
import tempfile
import time

import pytest

import harness
import pg_nodes
import pg_cluster
from harness import (DEMO_PASSWORD, Db, clean_env, cobro_bin, csrf_of, run_cobro,
                     sanitizer_lines, with_data_key)

os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(harness.REPO, "tests",
                                                                       "lsan.supp"))
ACME = "acme-billing"


@pytest.fixture(scope="module")
def cluster():
    folder = tempfile.mkdtemp(prefix="cobro-pg-own-")
    address = pg_cluster.start(folder, durable=True)  # it is crashed on purpose
    yield {"folder": folder, "address": address}
    pg_cluster.stop(folder)


def _database(cluster, name):
    made = pg_cluster.psql(cluster["address"], "CREATE DATABASE %s;" % name)
    assert made.returncode == 0, made.stderr
    return "postgresql://postgres@%s/%s" % (cluster["address"], name)


def _demo(cluster, name, tmp_path):
    db = _database(cluster, name)
    p = run_cobro(["demo", "--db", db], cwd=str(tmp_path))
    assert p.returncode == 0, p.stderr
    return db


def _node(tmp_path, smtp_sink, db, name, extra=()):
    folder = tmp_path / name
    folder.mkdir()
    srv = harness.Server(folder, smtp_sink.port, list(extra), db=db)
    srv.start(demo=False)
    return srv


def _stop_all(*servers):
    problems = []
    for s in servers:
        problems += s.stop()
    assert not problems, "\n".join(problems)


def test_01_a_password_in_the_connection_string_is_refused(cluster, tmp_path):
    db = _database(cluster, "pw") + "?password=s3cret"
    p = run_cobro(["migrate", "--db", db], cwd=str(tmp_path))
    assert p.returncode != 0
    assert "holds a password" in p.stderr and "PGPASSFILE" in p.stderr, p.stderr
    assert "s3cret" not in p.stderr + p.stdout
    # user:password@host too.
    p = run_cobro(["migrate", "--db", "postgresql://postgres:s3cret@%s/pw" % cluster["address"]],
                  cwd=str(tmp_path))
    assert p.returncode != 0 and "holds a password" in p.stderr, p.stderr
    assert "s3cret" not in p.stderr + p.stdout


def test_02_a_postgresql_database_needs_a_data_key_file(cluster, tmp_path):
    db = _database(cluster, "nokey")
    p = subprocess.run([cobro_bin(), "migrate", "--db", db], env=clean_env(), cwd=str(tmp_path),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 1, p.stderr
    assert "needs --data-key-file" in p.stderr, p.stderr
    # A command that reads no sealed value runs without one.
    p = subprocess.run([cobro_bin(), "verify", "--db", db], env=clean_env(), cwd=str(tmp_path),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr


def test_03_two_nodes_share_sessions_csrf_tokens_and_lockouts(cluster, tmp_path, smtp_sink):
    db = _demo(cluster, "nodes", tmp_path)
    a = _node(tmp_path, smtp_sink, db, "a")
    b = _node(tmp_path, smtp_sink, db, "b")
    try:
        # Signed in on A, the same cookie is signed in on B.
        ca = a.client()
        assert ca.sign_in_corporate(ACME).status == 303
        cb = b.client()
        cb.set_cookie("cobro_session", ca.cookie("cobro_session"))
        page = cb.get("/corporate/bill-to")
        assert page.status == 200 and ACME in cb.get("/corporate/account").text
        # A form of A's page is accepted by B: the CSRF token is the session's, in the database.
        token = csrf_of(ca.get("/corporate/payment-method").text)
        r = cb.post("/corporate/payment-method", {"method": "check", "csrf": token})
        assert r.status == 303, r
        assert a.scalar("SELECT payment_method FROM accounts a JOIN portal_credentials c"
                        " ON c.account_id = a.id WHERE c.user_id = ?", (ACME,)) == "check"
        # Signed out on B: the session is gone on A too.
        assert cb.sign_out("/corporate/account").status == 303
        assert ca.get("/corporate/bill-to").status == 303
        # Failures spread over both nodes lock the login on both.
        login = "ap@globex.example"
        for i in range(12):
            node = (a, b)[i % 2]
            node.client().sign_in_corporate(login, "wrong-%d" % i)
        for node in (a, b):
            r = node.client().sign_in_corporate(login, DEMO_PASSWORD)
            assert r.status == 429, (node.port, r)
    finally:
        _stop_all(a, b)


def _bill_run(db, at, cwd):
    return subprocess.Popen([cobro_bin()] + with_data_key(["bill-run", "--at", at, "--db", db]),
                            env=clean_env(), cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_04_three_bill_runs_at_once_invoice_every_period_once(cluster, tmp_path):
    db = _demo(cluster, "billing", tmp_path)
    con = Db(db)
    before = con.count("invoices")
    # Many accounts, so that the runs overlap for real.
    pg_nodes.copy_demo_accounts(db, 300)
    at = "2027-12-31"
    runs = [_bill_run(db, at, str(tmp_path)) for _ in range(3)]
    outs = [p.communicate(timeout=300) for p in runs]
    for p, (out, err) in zip(runs, outs):
        assert p.returncode == 0, err[-3000:]
        assert not sanitizer_lines(err), err[-3000:]
    made = con.count("invoices") - before
    assert made > 300, made
    # Each period once: no two lines of one subscription start on the same day.
    assert con.query("SELECT subscription_id, period_start, count(*) FROM invoice_lines"
                     " GROUP BY subscription_id, period_start HAVING count(*) > 1") == []
    # Gapless per series.
    for series, n, low, high in con.query("SELECT series, count(*), min(seq), max(seq)"
                                          " FROM invoices GROUP BY series"):
        assert (low, high) == (1, n), series
    # A fourth run finds nothing left, and verify finds nothing wrong.
    p = run_cobro(["bill-run", "--at", at, "--db", db], cwd=str(tmp_path))
    assert p.returncode == 0 and " 0 invoices" in p.stdout, p.stdout + p.stderr
    v = run_cobro(["verify", "--db", db], cwd=str(tmp_path))
    assert v.returncode == 0, v.stdout[-3000:] + v.stderr[-3000:]
    # One email per invoice and recipient.
    assert con.query("SELECT invoice_id, lower(to_addr), count(*) FROM email_outbox"
                     " WHERE kind = 'invoice' GROUP BY invoice_id, lower(to_addr)"
                     " HAVING count(*) > 1") == []


def test_05_two_mailers_on_one_outbox_send_each_email_once(cluster, tmp_path, smtp_sink):
    db = _demo(cluster, "mail", tmp_path)
    con = Db(db)
    con.execute("UPDATE email_outbox SET sent_at = 1 WHERE sent_at IS NULL")
    now = int(harness.now())
    ids = [con.insert("INSERT INTO email_outbox (created_at, kind, to_addr, to_name, subject,"
                      " body_text, next_attempt_at) VALUES (?, 'notice', ?, 'Node Test', ?,"
                      " 'Hello.', ?)", (now, "n%d@nodes.example" % i, "Node mail %d" % i, now))
           for i in range(120)]
    mark = smtp_sink.mark()
    a = _node(tmp_path, smtp_sink, db, "ma", ["--no-bill-run"])
    b = _node(tmp_path, smtp_sink, db, "mb", ["--no-bill-run"])
    try:
        smtp_sink.wait_for(lambda m: "nodes.example" in str(m["msg"]["To"]), since=mark,
                           timeout=60, count=len(ids))
        time.sleep(2)  # room for a duplicate to arrive
    finally:
        _stop_all(a, b)
    got = [str(m["msg"]["Subject"]) for m in smtp_sink.since(mark)
           if "nodes.example" in str(m["msg"]["To"])]
    assert sorted(got) == sorted("Node mail %d" % i for i in range(120))
    assert con.count("email_outbox", "sent_at IS NULL") == 0


def test_06_a_node_rides_out_a_database_restart(cluster, tmp_path, smtp_sink):
    db = _demo(cluster, "restart", tmp_path)
    a = _node(tmp_path, smtp_sink, db, "ra", ["--no-bill-run"])
    try:
        c = a.client()
        assert c.sign_in_corporate(ACME).status == 303
        data = os.path.join(cluster["folder"], "data")
        pg_cluster.stop_server(data, mode="immediate")
        for _ in range(3):
            r = a.client().get("/healthz")
            assert r.status == 503, r
            assert r.text.strip() == "database unavailable"
        r = c.get("/corporate/bill-to")
        assert r.status == 503, r
        assert r.headers.get("Retry-After")
        port = int(cluster["address"].rsplit(":", 1)[1])
        pg_cluster.start_server(cluster["folder"], data, port, durable=True)
        deadline = time.monotonic() + 20
        status = None
        while time.monotonic() < deadline:
            status = a.client().get("/healthz").status
            if status == 200:
                break
            time.sleep(0.2)
        assert status == 200
        # The session made before the restart is still good, and writes work again.
        assert c.get("/corporate/bill-to").status == 200
        token = csrf_of(c.get("/corporate/payment-method").text)
        assert c.post("/corporate/payment-method", {"method": "wire", "csrf": token}).status == 303
        assert "connected to PostgreSQL again" in a.stderr()
    finally:
        _stop_all(a)
    v = run_cobro(["verify", "--db", db], cwd=str(tmp_path))
    assert v.returncode == 0, v.stdout + v.stderr


def test_07_nodes_started_at_once_migrate_once(cluster, tmp_path):
    db = _database(cluster, "together")
    procs = [subprocess.Popen([cobro_bin()] + with_data_key(["migrate", "--db", db]),
                              env=clean_env(), cwd=str(tmp_path), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, [o[1][-2000:] for o in outs]
    migrated = [err for _, err in outs if "migrated from version 0" in err]
    assert len(migrated) == 1, [o[1] for o in outs]
    assert Db(db).scalar("SELECT count(*) FROM schema_migrations") == Db(db).scalar(
        "SELECT max(version) FROM schema_migrations")


def test_08_the_daily_bill_run_runs_on_one_node_and_is_taken_over_after_a_lease(
        cluster, tmp_path, smtp_sink):
    db = _demo(cluster, "daily", tmp_path)
    con = Db(db)
    today = harness.today().isoformat()
    # A node died during today's run: its lease ran out a second ago.
    con.execute("UPDATE scheduled_jobs SET done_through = '', claimed_by = 'dead-node:1:0',"
                " lease_until = ? WHERE name = 'daily_bill_run'", (int(harness.now()) - 1,))
    a = _node(tmp_path, smtp_sink, db, "da")
    b = _node(tmp_path, smtp_sink, db, "db")
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and con.scalar(
                "SELECT done_through FROM scheduled_jobs WHERE name = 'daily_bill_run'") != today:
            time.sleep(0.2)
    finally:
        _stop_all(a, b)
    state = con.query("SELECT done_through, claimed_by, lease_until FROM scheduled_jobs"
                      " WHERE name = 'daily_bill_run'")
    assert state == [(today, "", 0)], state
    runs = [s for s in (a.stderr(), b.stderr()) if "runs the daily bill run of " + today in s]
    assert len(runs) == 1, (a.stderr()[-2000:], b.stderr()[-2000:])


def test_09_a_live_nodes_lease_is_left_alone(cluster, tmp_path, smtp_sink):
    db = _demo(cluster, "leased", tmp_path)
    con = Db(db)
    con.execute("UPDATE scheduled_jobs SET done_through = '', claimed_by = 'other-node:1:0',"
                " lease_until = ? WHERE name = 'daily_bill_run'", (int(harness.now()) + 3600,))
    a = _node(tmp_path, smtp_sink, db, "la")
    try:
        time.sleep(2)
    finally:
        _stop_all(a)
    assert "runs the daily bill run" not in a.stderr()
    assert con.scalar("SELECT claimed_by FROM scheduled_jobs") == "other-node:1:0"


def _billed_once_and_gapless(db, cwd, at):
    """Every period invoiced once, numbers gapless per series, one email per invoice and
    recipient, nothing left due, and `cobro verify` clean."""
    con = Db(db)
    assert con.query("SELECT subscription_id, period_start, count(*) FROM invoice_lines"
                     " GROUP BY subscription_id, period_start HAVING count(*) > 1") == []
    for series, n, low, high in con.query("SELECT series, count(*), min(seq), max(seq)"
                                          " FROM invoices GROUP BY series"):
        assert (low, high) == (1, n), series
    assert con.query("SELECT invoice_id, lower(to_addr), count(*) FROM email_outbox"
                     " WHERE kind = 'invoice' GROUP BY invoice_id, lower(to_addr)"
                     " HAVING count(*) > 1") == []
    p = run_cobro(["bill-run", "--at", at, "--db", db], cwd=cwd)
    assert p.returncode == 0 and " 0 invoices" in p.stdout, p.stdout + p.stderr
    v = run_cobro(["verify", "--db", db], cwd=cwd)
    assert v.returncode == 0, v.stdout[-3000:] + v.stderr[-3000:]


def _bill_run_workers(db, at, cwd, workers):
    return subprocess.Popen([cobro_bin()] + with_data_key(
        ["bill-run", "--at", at, "--db", db, "--workers", str(workers)]),
        env=clean_env(), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_10_workers_in_one_process_invoice_every_period_once(cluster, tmp_path):
    db = _demo(cluster, "workers", tmp_path)
    con = Db(db)
    before = con.count("invoices")
    # Several batches (200 accounts each) for each of the three workers.
    pg_nodes.copy_demo_accounts(db, 900)
    at = "2027-12-31"
    one = _bill_run_workers(db, at, str(tmp_path), 3)
    out, err = one.communicate(timeout=300)
    assert one.returncode == 0, err[-3000:]
    assert not sanitizer_lines(err), err[-3000:]
    made = con.count("invoices") - before
    assert made > 900, made
    # The summary line sums the workers' figures: every invoice made is counted once.
    assert (" %d invoices " % made) in out, out
    _billed_once_and_gapless(db, str(tmp_path), at)


def test_11_workers_killed_mid_run_then_run_again(cluster, tmp_path):
    db = _demo(cluster, "killed", tmp_path)
    con = Db(db)
    before = con.count("invoices")
    pg_nodes.copy_demo_accounts(db, 1500)
    at = "2027-12-31"
    run = _bill_run_workers(db, at, str(tmp_path), 3)
    # Killed once its first batches have landed (or when it is done, if it wins the race).
    while run.poll() is None and con.count("invoices") == before:
        time.sleep(0.05)
    run.kill()
    run.communicate(timeout=60)
    landed = con.count("invoices") - before
    # Each batch is one transaction: whole batches only (their accounts' invoices), never a
    # part of one. The invoices made are each complete: lines and taxes sum to the total.
    assert con.query("SELECT i.id FROM invoices i WHERE NOT EXISTS (SELECT 1 FROM invoice_lines l"
                     " WHERE l.invoice_id = i.id)") == []
    rerun = _bill_run_workers(db, at, str(tmp_path), 3)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err[-3000:]
    assert not sanitizer_lines(err), err[-3000:]
    assert con.count("invoices") - before > 1500, (landed, out)
    _billed_once_and_gapless(db, str(tmp_path), at)


# Texts a bill run's multi-row statements carry in PostgreSQL array literals (store/sql_array.c):
# each must land exactly as typed.
AWKWARD = 'Smith, "Jr." \\ {Ltd} NULL, \'s'


def test_12_a_held_account_is_waited_for_and_awkward_texts_land_as_typed(cluster, tmp_path):
    """Workers pass over the accounts another bill run holds, never those a short write elsewhere
    holds (an address saved in the portal): the run waits for that one and bills it. And the
    batch's rows, sent as arrays, keep commas, quotes, backslashes, braces and the word NULL."""
    db = _demo(cluster, "held", tmp_path)
    con = Db(db)
    pg_nodes.copy_demo_accounts(db, 500)
    at = "2027-12-31"
    due = [r[0] for r in con.query(
        "SELECT DISTINCT account_id FROM subscriptions WHERE status = 'active'"
        " AND period_end <= ? ORDER BY account_id", (at,))]
    held, awkward = due[len(due) // 2], due[len(due) // 3]
    con.execute("UPDATE accounts SET bill_to_name = ?, address_line2 = ? WHERE id = ?",
                (AWKWARD, "NULL", awkward))
    con.execute("UPDATE invoice_recipients SET name = ? WHERE account_id = ?", (AWKWARD, awkward))
    k = harness.connect(db)
    try:
        k.execute("BEGIN")
        k.execute("UPDATE accounts SET phone = phone WHERE id = ?", (held,))
        run = _bill_run_workers(db, at, str(tmp_path), 2)
        # Until a worker waits for the held row (the others go on past it).
        while run.poll() is None and not con.scalar(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE '%FROM accounts a%'"):
            time.sleep(0.05)
        k.execute("COMMIT")
    finally:
        k.close()
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, err[-3000:]
    assert not sanitizer_lines(err), err[-3000:]
    assert con.count("invoices", "account_id = ? AND issue_date = ?", (held, at)) == 1
    assert con.query("SELECT bill_to_name, address_line2 FROM invoices WHERE account_id = ?"
                     " AND issue_date = ?", (awkward, at)) == [(AWKWARD, "NULL")]
    names = con.query("SELECT to_name FROM email_outbox WHERE account_id = ? AND kind = 'invoice'"
                      " AND to_addr LIKE '%copies.example'", (awkward,))
    assert names and all(n == (AWKWARD,) for n in names), names
    _billed_once_and_gapless(db, str(tmp_path), at)
