"""Email delivery is never given up silently: an SMTP outage (no server, then 4xx replies) is
retried past the old limit of ten attempts and the email arrives once when the server is back; a
message the server refuses (550) is marked failed after three refusals in a row, listed by
`cobro outbox list --failed` and sent once after `cobro outbox retry`; rows the old rule gave up
are requeued by migration 7. The server retries every second here (--mail-retry-base 1
--mail-retry-max 1) instead of after 1, 2, 4... minutes."""
import re
import sqlite3
import threading
import time

import pytest

import harness
from harness import clean_env, run_cobro, sanitizer_lines


class ScriptedSink(harness.SmtpSink):
    """An SMTP sink that can be down (nothing listening on its port), and that answers chosen
    recipients' RCPT TO or end of DATA, or every MAIL FROM, with a chosen reply ("451 ...",
    "550 ...") instead of accepting."""

    def __init__(self):
        super().__init__()
        self.replies = {}       # lower-case address -> reply to its RCPT TO
        self.data_replies = {}  # lower-case address -> reply to the end of its message
        self.mail_reply = None  # reply to MAIL FROM
        self._running = False
        self._start_lock = threading.Lock()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.replies.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for a in envelope.rcpt_tos:
            if a.lower() in self.data_replies:
                return self.data_replies[a.lower()]
        return await super().handle_DATA(server, session, envelope)

    def start(self):
        with self._start_lock:
            if not self._running:
                super().start()
                self._running = True

    def stop(self):
        with self._start_lock:
            if self._running:
                super().stop()
                self._running = False


def _ids(m):
    found = re.search(r"<outbox-(\d+)\.", str(m["msg"]["Message-ID"] or ""))
    return int(found.group(1)) if found else None


# For conftest's server fixture, which also takes this module's smtp_sink fixture.
SERVER_ARGS = ["--mail-retry-base", "1", "--mail-retry-max", "1", "--no-bill-run"]


@pytest.fixture(scope="module")
def smtp_sink():
    s = ScriptedSink()  # not started: the first test begins with the SMTP server down
    yield s
    s.stop()


def queue(server, to_addr, subject):
    """Queues an email as the services do (one row in email_outbox); returns its id."""
    now = int(harness.now())
    return server.db.insert("INSERT INTO email_outbox (created_at, kind, to_addr, to_name, subject,"
                            " body_text, next_attempt_at) VALUES (?, 'notice', ?, 'Ops Test', ?,"
                            " 'Hello.', ?)", (now, to_addr, subject, now))


def row(server, oid):
    rows = server.query("SELECT attempts, rejections, sent_at, failed_at, last_error"
                        " FROM email_outbox WHERE id = ?", (oid,))
    assert rows, oid
    return dict(zip(("attempts", "rejections", "sent_at", "failed_at", "last_error"), rows[0]))


def wait_row(server, oid, pred, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        r = row(server, oid)
        if pred(r):
            return r
        if time.monotonic() > deadline:
            raise AssertionError("row %d never matched; last: %r" % (oid, r))
        time.sleep(0.2)


def delivered(smtp_sink, oid):
    return [m for m in smtp_sink.since(0) if _ids(m) == oid]


def outbox(server, *args):
    p = run_cobro(["outbox"] + list(args) + ["--db", server.db_path], cwd=server.dir)
    assert not sanitizer_lines(p.stderr), p.stderr[-3000:]
    return p


def test_01_outage_longer_than_ten_attempts_then_delivered_once(server, smtp_sink):
    addr = "outage@customer.example"
    oid = queue(server, addr, "Invoice during an outage")
    # Nothing listens on the SMTP port: connection refused, attempt after attempt.
    r = wait_row(server, oid, lambda r: r["attempts"] >= 6)
    assert r["failed_at"] is None and r["sent_at"] is None
    assert "connect" in r["last_error"].lower(), r
    # The server is back but answers 451 to the recipient (greylisting, a full queue).
    smtp_sink.replies[addr] = "451 4.3.0 Try again later"
    smtp_sink.start()
    r = wait_row(server, oid, lambda r: r["attempts"] >= 12 and "451" in r["last_error"])
    assert r["failed_at"] is None and r["sent_at"] is None, r
    assert r["rejections"] == 0, r  # a 4xx is never counted as a refusal
    assert "RCPT TO" in r["last_error"] and "Try again later" in r["last_error"], r
    assert delivered(smtp_sink, oid) == []
    listed = outbox(server, "list")
    assert listed.returncode == 0, listed.stderr
    line = [ln for ln in listed.stdout.splitlines() if ln.split()[:1] == [str(oid)]]
    assert line and " waiting " in line[0] and "451" in line[0], listed.stdout

    # Accepted at last: the email arrives, once.
    del smtp_sink.replies[addr]
    smtp_sink.wait_for(lambda m: _ids(m) == oid, timeout=30)
    r = wait_row(server, oid, lambda r: r["sent_at"] is not None, timeout=10)
    assert r["failed_at"] is None and r["last_error"] == "", r
    attempts = r["attempts"]
    time.sleep(3)  # room for a second copy to show up
    assert len(delivered(smtp_sink, oid)) == 1
    assert row(server, oid)["attempts"] == attempts
    [m] = delivered(smtp_sink, oid)
    assert m["rcpt_tos"] == [addr] and str(m["msg"]["Subject"]) == "Invoice during an outage"
    log = server.stderr()
    assert re.search(r"mail %d notice to %s: attempt 11 failed, retry in 1s" % (oid, addr), log)
    assert "mail %d notice to %s: sent (attempt %d)" % (oid, addr, attempts) in log
    assert "FAILED" not in log and "gave up" not in log


def test_02_refused_recipient_is_failed_listed_and_requeued_by_the_cli(server, smtp_sink):
    smtp_sink.start()
    first, second = "nobody@customer.example", "gone@customer.example"
    for a in (first, second):
        smtp_sink.replies[a] = "550 5.1.1 <%s>: mailbox unavailable" % a
    ids = [queue(server, first, "Refused one"), queue(server, second, "Refused two")]
    for oid in ids:
        r = wait_row(server, oid, lambda r: r["failed_at"] is not None)
        assert r["attempts"] == 3 and r["rejections"] == 3 and r["sent_at"] is None, r
        assert "reply to RCPT TO: 550 5.1.1" in r["last_error"], r
        assert "mailbox unavailable" in r["last_error"], r
    time.sleep(3)  # failed: no more attempts
    assert [row(server, oid)["attempts"] for oid in ids] == [3, 3]
    log = server.stderr()
    for oid, a in zip(ids, (first, second)):
        assert re.search(r"mail %d notice to %s: FAILED, refused 3 times in a row, no longer"
                         r" retried.*cobro outbox retry %d" % (oid, re.escape(a), oid), log), log[-3000:]
        assert "mail %d notice to %s: attempt 1 refused (1 of 3)" % (oid, a) in log

    failed = outbox(server, "list", "--failed")
    assert failed.returncode == 0, failed.stderr
    assert re.match(r"outbox: \d+ waiting \(\d+ of them after a failed attempt\), 2 failed\n",
                    failed.stdout), failed.stdout
    lines = {int(ln.split()[0]): ln for ln in failed.stdout.splitlines()[2:]}
    assert sorted(lines) == sorted(ids), failed.stdout
    for oid, a in zip(ids, (first, second)):
        assert lines[oid].split()[1:3] == ["failed", "3"], lines[oid]
        assert a in lines[oid] and "mailbox unavailable" in lines[oid]

    # The mailbox exists again: one requeued by id, the other with --all.
    smtp_sink.replies.clear()
    p = outbox(server, "retry", str(ids[0]))
    assert p.returncode == 0 and p.stdout == "email %d: requeued (it had failed)\n" % ids[0], p
    smtp_sink.wait_for(lambda m: _ids(m) == ids[0], timeout=15)
    time.sleep(2)
    assert row(server, ids[1])["failed_at"] is not None  # only the one named
    p = outbox(server, "retry", "--all")
    assert p.returncode == 0 and p.stdout.startswith("requeued 1 failed emails;"), p
    smtp_sink.wait_for(lambda m: _ids(m) == ids[1], timeout=15)
    for oid in ids:
        r = wait_row(server, oid, lambda r: r["sent_at"] is not None, timeout=10)
        assert r["failed_at"] is None and r["rejections"] == 0, r
    time.sleep(2)
    assert [len(delivered(smtp_sink, oid)) for oid in ids] == [1, 1]

    # A sent email is never requeued: the CLI says so and nothing leaves.
    p = outbox(server, "retry", str(ids[0]))
    assert p.returncode == 1 and "no unsent email %d" % ids[0] in p.stderr, p
    p = outbox(server, "retry", "--all")
    assert p.returncode == 0 and p.stdout.startswith("requeued 0 failed emails;"), p
    time.sleep(2)
    assert [len(delivered(smtp_sink, oid)) for oid in ids] == [1, 1]
    assert "0 failed" in outbox(server, "list", "--failed").stdout


def test_03_a_refusal_then_a_temporary_failure_starts_the_count_again(server, smtp_sink):
    smtp_sink.start()
    addr = "flaky@customer.example"
    smtp_sink.replies[addr] = "550 5.2.1 mailbox disabled"
    oid = queue(server, addr, "Flaky")
    wait_row(server, oid, lambda r: r["rejections"] == 2)
    smtp_sink.replies[addr] = "452 4.2.2 mailbox full"
    r = wait_row(server, oid, lambda r: "452" in r["last_error"])
    assert r["rejections"] == 0 and r["failed_at"] is None, r
    del smtp_sink.replies[addr]
    smtp_sink.wait_for(lambda m: _ids(m) == oid, timeout=15)
    assert wait_row(server, oid, lambda r: r["sent_at"] is not None)["failed_at"] is None


def test_04_only_refusals_of_the_message_count(server, smtp_sink):
    """A 5xx to MAIL FROM is about the sender, i.e. the set-up, the same for every email: it is
    retried like an outage. A 5xx at the end of DATA refuses the message itself."""
    smtp_sink.start()
    sender_refused = queue(server, "sender@customer.example", "Sender refused")
    smtp_sink.mail_reply = "553 5.7.1 sender address rejected"
    try:
        r = wait_row(server, sender_refused, lambda r: r["attempts"] >= 5)
        assert r["failed_at"] is None and r["rejections"] == 0, r
        assert "reply to MAIL FROM: 553 5.7.1" in r["last_error"], r
    finally:
        smtp_sink.mail_reply = None
    smtp_sink.wait_for(lambda m: _ids(m) == sender_refused, timeout=15)

    addr = "spam@customer.example"
    smtp_sink.data_replies[addr] = "554 5.6.0 message content refused"
    content_refused = queue(server, addr, "Content refused")
    r = wait_row(server, content_refused, lambda r: r["failed_at"] is not None)
    assert r["attempts"] == 3 and r["rejections"] == 3, r
    assert "reply to DATA: 554 5.6.0 message content refused" in r["last_error"], r
    del smtp_sink.data_replies[addr]
    assert delivered(smtp_sink, content_refused) == []
    assert outbox(server, "retry", str(content_refused)).returncode == 0
    smtp_sink.wait_for(lambda m: _ids(m) == content_refused, timeout=15)


def test_05_cli_usage_and_errors(server):
    for args in (["--help"], ["list", "--help"], ["retry", "-h"]):
        p = run_cobro(["outbox"] + args)
        assert p.returncode == 0 and "cobro outbox retry (ID... | --all)" in p.stdout, p
    assert "outbox" in run_cobro(["--help"]).stdout
    serve_help = run_cobro(["serve", "--help"]).stdout
    assert "--mail-retry-base" in serve_help and "COBRO_MAIL_RETRY_MAX" in serve_help
    for args, why in ((["retry"], "expected the ids"), (["retry", "7", "--all"], "expected the ids"),
                      (["retry", "x7"], "expected an email id"), (["list", "--all"], "--all"),
                      (["list", "--limit", "0"], "--limit"), (["retry", "--failed"], "--failed")):
        p = outbox(server, *args)
        assert p.returncode == 2 and why in p.stderr, (args, p)
    p = outbox(server, "retry", "999999")
    assert p.returncode == 1 and "no unsent email 999999" in p.stderr, p
    p = run_cobro(["outbox"])
    assert p.returncode == 2 and "Usage: cobro outbox" in p.stderr
    p = run_cobro(["serve", "--mail-retry-base", "0"], env=clean_env())
    assert p.returncode == 2 and "--mail-retry-base" in p.stderr, p


def test_06_migration_7_requeues_what_the_old_rule_gave_up(tmp_path):
    db = str(tmp_path / "old.db")
    p = run_cobro(["migrate", "--db", db], cwd=str(tmp_path))
    assert p.returncode == 0, p.stderr
    # Back to the schema of migration 6, with rows as the old mailer left them: one given up
    # after ten attempts of an outage, one sent.
    con = sqlite3.connect(db, isolation_level=None)
    try:
        # Back to version 6: the migrations after 7 are undone too (8 added invoice_taxes).
        con.execute("DELETE FROM schema_migrations WHERE version >= 7")
        harness.undo_quotes_migration(con)  # migration 11
        con.execute("DROP TABLE scheduled_jobs")  # migration 10
        con.execute("DROP TABLE invoice_taxes")
        con.execute("ALTER TABLE email_outbox DROP COLUMN rejections")
        # Migration 9 (the Invoice History index) undone too, so that it applies again.
        con.execute("DROP INDEX invoices_history")
        con.execute("CREATE INDEX invoices_account ON invoices(account_id, issue_date, id)")
        con.execute("INSERT INTO email_outbox (id, created_at, kind, to_addr, subject, body_text,"
                    " attempts, next_attempt_at, failed_at, last_error) VALUES (41, 1000,"
                    " 'invoice', 'a@customer.example', 'Invoice', 'x', 10, 15000, 15100,"
                    " 'Couldn''t connect to server')")
        con.execute("INSERT INTO email_outbox (id, created_at, kind, to_addr, subject, body_text,"
                    " attempts, next_attempt_at, sent_at) VALUES (42, 1000, 'invoice',"
                    " 'b@customer.example', 'Invoice', 'x', 1, 1000, 1001)")
    finally:
        con.close()
    p = run_cobro(["migrate", "--db", db], cwd=str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert re.search(r"migrated from version 6 to \d+", p.stderr), p.stderr
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT id, attempts, rejections, next_attempt_at, claimed_until,"
                           " sent_at, failed_at FROM email_outbox ORDER BY id").fetchall()
    finally:
        con.close()
    assert rows == [(41, 10, 0, 15000, 0, None, None), (42, 1, 0, 1000, 0, 1001, None)]
    listed = run_cobro(["outbox", "list", "--db", db], cwd=str(tmp_path))
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("outbox: 1 waiting (1 of them after a failed attempt), 0 failed\n")
    assert re.search(r"^41 +waiting +10 .*a@customer\.example  Couldn't connect to server$",
                     listed.stdout, re.M), listed.stdout
