"""A PostgreSQL primary lost in the middle of a bill run, its hot standby promoted: cobro's nodes
and the run carry on on the standby, with nothing lost or done twice. Whatever store the rest of
the suite runs on, this module starts its own two servers (tests/pg_cluster.py).

The standby streams the primary's WAL and is *synchronous* (synchronous_standby_names = '*' on
the primary, set once the standby is connected, so that the standby, made from the primary's
files, does not inherit it and wait for a standby of its own once promoted): a commit the
primary acknowledges is on the standby's disk too. So when the primary is stopped with
`pg_ctl stop -m immediate` (a crash: nothing is flushed or handed over), the promoted standby
holds every transaction cobro was told had committed. With asynchronous replication the last
acknowledged commits could be missing there, and a run could have queued emails (and told the
mailer) for invoices the new primary has never seen.

Everything connects with one libpq multi-host string naming both servers and
target_session_attrs=read-write: until the standby is promoted no writable server exists, the
nodes answer /healthz with 503; once it is, they find it by themselves and answer 200. The bill
run either finishes or stops with a non-zero status (it is then run again), never leaving an
account half billed: every period invoiced once, numbers gapless, each invoice's emails queued
once and delivered once by the nodes' mailers, `cobro verify` clean on the promoted server.
Before that, one email handed to the SMTP server just as the primary crashes: its mark "sent"
waits for the promoted standby (it used to be dropped, and the email sent again later)."""
import collections
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest

import harness
import pg_nodes
import pg_cluster
from harness import Client, Db, clean_env, cobro_bin, run_cobro, sanitizer_lines, with_data_key

os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(harness.REPO, "tests",
                                                                       "lsan.supp"))
ACME = "acme-billing"
COPIES = 600  # accounts with due subscriptions: enough that the run is under way at the crash
RUN_AT = "2027-12-31"


@pytest.fixture
def pair():
    """A primary and its synchronous hot standby, both durable (they are crashed on purpose)."""
    folder = tempfile.mkdtemp(prefix="cobro-pg-failover-")
    primary_data = pg_cluster.init(folder, "primary")
    primary_port = pg_cluster.free_port()
    pg_cluster.start_server(folder, primary_data, primary_port, durable=True)
    primary = "127.0.0.1:%d" % primary_port
    standby_data, standby = pg_cluster.start_standby(folder, primary)
    try:
        done = pg_cluster.psql(primary, "ALTER SYSTEM SET synchronous_standby_names = '*';"
                               " SELECT pg_reload_conf();")
        assert done.returncode == 0, done.stderr
        deadline = time.monotonic() + 30
        state = ""
        while time.monotonic() < deadline:
            state = pg_cluster.psql(primary, "SELECT state, sync_state FROM"
                                    " pg_stat_replication;").stdout.strip()
            if state == "streaming|sync":
                break
            time.sleep(0.1)
        assert state == "streaming|sync", state
        yield {"folder": folder, "primary": primary, "primary_data": primary_data,
               "standby": standby, "standby_data": standby_data}
    finally:
        pg_cluster.stop_server(primary_data, mode="immediate")
        pg_cluster.stop_server(standby_data, mode="immediate")
        shutil.rmtree(folder, ignore_errors=True)


def _healthz(node):
    try:
        return Client(node.base_url).get("/healthz", timeout=10).status
    except OSError as e:
        return e


def _wait_healthz(nodes, want, timeout):
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        got = [_healthz(n) for n in nodes]
        if got == [want] * len(nodes):
            return got
        time.sleep(0.1)
    raise AssertionError("/healthz: %r, not %d everywhere, after %d s" % (got, want, timeout))


class HeldSink:
    """An SMTP server that takes each message whole but answers its DATA only once released: the
    test acts while a mailer waits, after the message has left."""

    def __init__(self):
        self.port = harness.free_port()
        self.arrived = threading.Event()
        self.release = threading.Event()
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        self.messages.append(list(envelope.rcpt_tos))
        self.arrived.set()
        await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 120)
        return "250 OK"

    def __enter__(self):
        from aiosmtpd.controller import Controller
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.controller.stop()
        return False


def test_1_an_email_sent_as_the_primary_fails_is_marked_sent_once(pair, tmp_path):
    """The mailer has handed a message to the SMTP server when the primary crashes: the mark
    "sent" must wait for the promoted standby instead of being dropped, which would leave the
    message claimed and send it a second time when the claim's lease ends."""
    made = pg_cluster.psql(pair["primary"], "CREATE DATABASE mail;")
    assert made.returncode == 0, made.stderr
    db = "postgresql://postgres@%s,%s/mail?target_session_attrs=read-write" % (
        pair["primary"], pair["standby"])
    p = run_cobro(["migrate", "--db", db], cwd=str(tmp_path))
    assert p.returncode == 0, p.stderr
    con = Db(db)
    now = int(harness.now())
    mail = con.insert("INSERT INTO email_outbox (created_at, kind, to_addr, to_name, subject,"
                      " body_text, next_attempt_at) VALUES (?, 'notice', 'held@mail.example',"
                      " 'Held', 'Held mail', 'Hello.', ?)", (now, now))
    with HeldSink() as sink:
        folder = tmp_path / "node"
        folder.mkdir()
        node = harness.Server(folder, sink.port, ["--no-bill-run"], db=db)
        node.start(demo=False)
        try:
            assert sink.arrived.wait(60), "the mailer sent nothing"
            pg_cluster.stop_server(pair["primary_data"], mode="immediate")
            sink.release.set()  # the message has left; its mark finds no database
            time.sleep(1)  # the mark's first tries fail while no server is writable
            pg_cluster.promote(pair["standby_data"])
            promoted = Db("postgresql://postgres@%s/mail" % pair["standby"])
            deadline = time.monotonic() + 60
            while promoted.scalar("SELECT sent_at FROM email_outbox WHERE id = ?",
                                  (mail,)) is None and time.monotonic() < deadline:
                time.sleep(0.2)
            row = promoted.query("SELECT sent_at, claimed_until, attempts FROM email_outbox"
                                 " WHERE id = ?", (mail,))
            assert row[0][0] is not None and row[0][1] == 0, (row, node.stderr()[-3000:])
            assert sink.messages == [["held@mail.example"]]
        finally:
            problems = node.stop()
        assert not problems, "\n".join(problems)


def test_2_a_bill_run_survives_the_primary_lost_and_the_standby_promoted(pair, tmp_path, smtp_sink):
    made = pg_cluster.psql(pair["primary"], "CREATE DATABASE farm;")
    assert made.returncode == 0, made.stderr
    # Every cobro and every check of the test goes through the multi-host string.
    db = "postgresql://postgres@%s,%s/farm?target_session_attrs=read-write" % (
        pair["primary"], pair["standby"])
    cwd = str(tmp_path)
    p = run_cobro(["demo", "--db", db], cwd=cwd)
    assert p.returncode == 0, p.stderr
    con = Db(db)
    pg_nodes.copy_demo_accounts(db, COPIES)
    con.execute("UPDATE email_outbox SET sent_at = 1 WHERE sent_at IS NULL")
    first_mail = con.scalar("SELECT COALESCE(max(id), 0) + 1 FROM email_outbox")
    mark = smtp_sink.mark()
    nodes = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        srv = harness.Server(folder, smtp_sink.port, [], db=db)
        srv.start(demo=False)
        nodes.append(srv)
    run = None
    try:
        c = nodes[0].client()
        assert c.sign_in_corporate(ACME).status == 303
        before = con.count("invoices")
        # The run is held at the last account: the crash lands mid-run, inside a batch's
        # transaction, after earlier batches committed, whatever the machine's speed.
        hold = pg_nodes.HoldLastAccount(db)
        run = subprocess.Popen([cobro_bin()] + with_data_key(["bill-run", "--at", RUN_AT, "--db",
                                                              db]),
                               env=clean_env(), cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        pg_nodes.wait_lock_waiters(con, 1)
        assert run.poll() is None and con.count("invoices") > before
        pg_cluster.stop_server(pair["primary_data"], mode="immediate")
        hold.release()
        # No writable server: the nodes say so, and pages fail cleanly.
        for node in nodes:
            assert _healthz(node) == 503
        r = c.get("/corporate/bill-to")
        assert r.status == 503 and r.headers.get("Retry-After"), r
        pg_cluster.promote(pair["standby_data"])
        _wait_healthz(nodes, 200, 60)
        # The session made before the crash was committed on the standby too. Each event loop
        # of a node has its own connection, which comes back on its own backoff (at most 5 s):
        # until then a request it takes answers 503 with Retry-After, as a client is told to
        # expect, so the page is asked again until it answers.
        deadline = time.monotonic() + 60
        r = c.get("/corporate/bill-to")
        while r.status == 503 and time.monotonic() < deadline:
            assert r.headers.get("Retry-After"), r
            time.sleep(0.2)
            r = c.get("/corporate/bill-to")
        assert r.status == 200, r
        out, err = run.communicate(timeout=300)
        assert not sanitizer_lines(err), err[-3000:]
        # It finished, or it stopped with a failure status (then it is run again).
        if run.returncode != 0:
            assert run.returncode == 1, err[-3000:]
            assert "bill run for %s stopped" % RUN_AT in err, err[-3000:]
            p = run_cobro(["bill-run", "--at", RUN_AT, "--db", db], cwd=cwd, timeout=300)
            assert p.returncode == 0, p.stdout + p.stderr
        p = run_cobro(["bill-run", "--at", RUN_AT, "--db", db], cwd=cwd, timeout=300)
        assert p.returncode == 0 and " 0 invoices" in p.stdout, p.stdout + p.stderr
        # Everything now reads from the promoted standby.
        promoted = "postgresql://postgres@%s/farm" % pair["standby"]
        con = Db(promoted)
        assert con.scalar("SELECT pg_is_in_recovery()") is False
        assert con.count("subscriptions", "status = 'active' AND period_end <= ?",
                         (RUN_AT,)) == 0
        assert con.query("SELECT subscription_id, period_start, count(*) FROM invoice_lines"
                         " GROUP BY subscription_id, period_start HAVING count(*) > 1") == []
        for series, n, low, high in con.query("SELECT series, count(*), min(seq), max(seq)"
                                              " FROM invoices GROUP BY series"):
            assert (low, high) == (1, n), series
        assert con.scalar("SELECT count(DISTINCT account_id) FROM invoices WHERE account_id IN"
                          " (SELECT account_id FROM invoice_recipients WHERE email LIKE"
                          " 'ap%@copies.example')") == COPIES
        assert con.query("SELECT invoice_id, lower(to_addr), count(*) FROM email_outbox"
                         " WHERE kind = 'invoice' GROUP BY invoice_id, lower(to_addr)"
                         " HAVING count(*) > 1") == []
        v = run_cobro(["verify", "--db", promoted], cwd=cwd, timeout=120)
        assert v.returncode == 0, v.stdout[-3000:] + v.stderr[-3000:]
        # Every email queued is delivered, once. A mark "sent" lost with the primary would leave
        # a delivered email claimed, to go out again when the claim's lease ends: an email still
        # unsent must be one whose claim (not its sending) was cut short by the crash, never
        # delivered, at most one per mailer.
        deadline = time.monotonic() + 120
        while con.count("email_outbox", "sent_at IS NULL AND failed_at IS NULL AND"
                        " claimed_until < ?", (int(harness.now()),)) and (
                time.monotonic() < deadline):
            time.sleep(0.5)
        assert con.count("email_outbox", "failed_at IS NOT NULL") == 0
        stuck = con.query("SELECT id, to_addr FROM email_outbox WHERE sent_at IS NULL")
        assert len(stuck) <= len(nodes), stuck
        time.sleep(2)  # room for a duplicate to arrive
        queued = collections.Counter(
            (addr.lower(), subject) for addr, subject in con.query(
                "SELECT to_addr, subject FROM email_outbox WHERE id >= ? AND sent_at IS NOT NULL",
                (first_mail,)))
        sent = collections.Counter(
            (",".join(a.lower() for a in m["rcpt_tos"]), str(m["msg"]["Subject"]))
            for m in smtp_sink.since(mark))
        assert sum(queued.values()) >= COPIES
        assert sent == queued, (sent - queued, queued - sent)
        for node in nodes:
            assert "connected to PostgreSQL again" in node.stderr()
    finally:
        if run and run.poll() is None:
            run.send_signal(signal.SIGKILL)
            run.communicate()
        problems = []
        for n in nodes:
            problems += n.stop()
        assert not problems, "\n".join(problems)
