"""Three `cobro serve` nodes on one PostgreSQL database behind nginx (the Debian package, run by
the test as a foreground master on a free loopback port, round robin over the nodes, passing
X-Forwarded-For; the nodes trust 127.0.0.1 as their proxy). Whatever store the rest of the suite
runs on, this module starts a PostgreSQL server of its own (tests/pg_cluster.py).
- A user signed in through nginx carries on whatever node answers: every node served some of
  the session's requests (their access logs say so, with the address nginx passed on).
- Three `cobro bill-run` processes at once on hundreds of due accounts, one killed with SIGKILL
  mid-run, then a run again: every period invoiced once and none left due, invoice numbers
  gapless per series, every invoice email delivered once through the SMTP sink by the nodes'
  mailers sharing the outbox, `cobro verify` clean. The test asserts these invariants, never how
  much the killed run had done."""
import collections
import os
import re
import signal
import subprocess
import tempfile
import time

import pytest

import harness
import pg_nodes
import pg_cluster
from harness import (Client, Db, clean_env, cobro_bin, csrf_of, run_cobro, sanitizer_lines,
                     with_data_key)

os.environ.setdefault("LSAN_OPTIONS", "suppressions=%s" % os.path.join(harness.REPO, "tests",
                                                                       "lsan.supp"))
NGINX = "/usr/sbin/nginx"
ACME = "acme-billing"
CLIENT_IP = "203.0.113.77"  # what our requests claim in X-Forwarded-For; nginx appends its peer
COPIES = 600  # accounts added with due subscriptions: enough that a run takes many batches
RUN_AT = "2027-12-31"

pytestmark = pytest.mark.skipif(not os.path.exists(NGINX), reason="nginx is not installed")


@pytest.fixture(scope="module")
def cluster():
    folder = tempfile.mkdtemp(prefix="cobro-pg-nginx-")
    address = pg_cluster.start(folder)
    yield {"folder": folder, "address": address}
    pg_cluster.stop(folder)


class Nginx:
    """nginx as a non-daemon master in its own prefix folder, in front of upstream ports."""

    def __init__(self, folder, port, upstreams):
        self.dir = str(folder)
        self.port = port
        self.url = "http://127.0.0.1:%d" % self.port
        os.makedirs(os.path.join(self.dir, "tmp"), exist_ok=True)
        servers = "".join("    server 127.0.0.1:%d;\n" % p for p in upstreams)
        temps = "".join("  %s_temp_path %s/tmp/%s;\n" % (k, self.dir, k)
                        for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        # As root, nginx's workers would become nobody, who cannot use this folder.
        user = "user root;\n" if os.geteuid() == 0 else ""
        conf = (user + "daemon off;\nmaster_process on;\nworker_processes 1;\n"
                "pid %(d)s/nginx.pid;\nerror_log %(d)s/error.log info;\n"
                "events { worker_connections 512; }\n"
                "http {\n  access_log %(d)s/access.log;\n%(temps)s"
                "  upstream cobro {\n%(servers)s  }\n"
                "  server {\n    listen 127.0.0.1:%(port)d;\n    location / {\n"
                "      proxy_pass http://cobro;\n      proxy_http_version 1.1;\n"
                "      proxy_set_header Connection \"\";\n"
                "      proxy_set_header Host $http_host;\n"
                "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
                "    }\n  }\n}\n") % {"d": self.dir, "temps": temps, "servers": servers,
                                      "port": self.port}
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([NGINX, "-p", self.dir, "-c", self.conf, "-e",
                                      os.path.join(self.dir, "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("nginx exited with %d: %s" % (
                    self.proc.returncode, self.proc.stderr.read().decode(errors="replace")))
            try:
                if Client(self.url).get("/healthz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("nginx did not answer within 15 s")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful shutdown of the master
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.proc.stderr.close()


@pytest.fixture(scope="module")
def farm(cluster, tmp_path_factory, smtp_sink):
    """The demo on the module's server plus COPIES accounts whose subscriptions are due at
    RUN_AT; three nodes (daily runs on, their mailers on the sink) behind nginx. Every email the
    demo queued is marked sent first, so what the sink gets afterwards is this module's."""
    root = tmp_path_factory.mktemp("farm")
    made = pg_cluster.psql(cluster["address"], "CREATE DATABASE farm;")
    assert made.returncode == 0, made.stderr
    db = "postgresql://postgres@%s/farm" % cluster["address"]
    p = run_cobro(["demo", "--db", db], cwd=str(root))
    assert p.returncode == 0, p.stderr
    con = Db(db)
    pg_nodes.copy_demo_accounts(db, COPIES)
    con.execute("UPDATE email_outbox SET sent_at = 1 WHERE sent_at IS NULL")
    first_mail = con.scalar("SELECT COALESCE(max(id), 0) + 1 FROM email_outbox")
    mark = smtp_sink.mark()
    port = harness.free_port()  # nginx's, chosen first: it is the nodes' base URL
    nodes, proxy = [], None
    try:
        for i in range(3):
            folder = root / ("node%d" % i)
            folder.mkdir()
            srv = harness.Server(folder, smtp_sink.port, ["--base-url", "http://127.0.0.1:%d"
                                                          % port, "--trusted-proxy", "127.0.0.1"],
                                 db=db)
            srv.start(demo=False)
            nodes.append(srv)
        proxy = Nginx(root / "nginx", port, [n.port for n in nodes])
        proxy.start()
        yield {"db": db, "con": con, "nodes": nodes, "nginx": proxy, "mark": mark,
               "first_mail": first_mail, "root": root}
    finally:
        if proxy:
            proxy.stop()
        problems = []
        for n in nodes:
            problems += n.stop()
        assert not problems, "\n".join(problems)


def _served_by(node, path):
    """How many requests for path from CLIENT_IP the node's access log shows, by status."""
    got = collections.Counter()
    for line in node.stderr().splitlines():
        parts = line.split()
        if len(parts) >= 6 and parts[1] == "access" and parts[2] == CLIENT_IP and (
                parts[4] == path):
            got[int(parts[5])] += 1
    return got


def test_01_a_session_carries_on_whatever_node_answers(farm):
    c = Client(farm["nginx"].url)
    xff = {"X-Forwarded-For": CLIENT_IP}
    token = csrf_of(c.get("/corporate", headers=xff).text)
    r = c.post("/corporate/sign-in", {"user_id": ACME, "password": harness.DEMO_PASSWORD,
                                      "csrf": token}, headers=xff)
    assert r.status == 303, r
    # Round robin: successive requests go to successive nodes; each must know the session.
    for _ in range(9):
        page = c.get("/corporate/account", headers=xff)
        assert page.status == 200, page
        assert ACME in page.text
    # A form served by one node is accepted by the next (the CSRF token is the session's).
    for method in ("check", "wire", "check"):
        token = csrf_of(c.get("/corporate/payment-method", headers=xff).text)
        r = c.post("/corporate/payment-method", {"method": method, "csrf": token}, headers=xff)
        assert r.status == 303, r
    assert farm["con"].scalar("SELECT payment_method FROM accounts a JOIN portal_credentials c"
                              " ON c.account_id = a.id WHERE c.user_id = ?", (ACME,)) == "check"
    # Every node served the signed-in page to the client nginx named, and none refused it.
    for node in farm["nodes"]:
        got = _served_by(node, "/corporate/account")
        assert got[200] >= 1 and set(got) == {200}, (node.port, got)
    assert sum(sum(_served_by(n, "/corporate/account").values()) for n in farm["nodes"]) == 9
    # Signed out through one node, the session is gone on all of them.
    page = c.get("/corporate/account", headers=xff)
    r = c.post("/sign-out", {"csrf": csrf_of(page.text)}, headers=xff)
    assert r.status == 303, r
    for _ in range(3):
        assert c.get("/corporate/account", headers=xff).status == 303


def _bill_run(db, cwd):
    return subprocess.Popen([cobro_bin()] + with_data_key(["bill-run", "--at", RUN_AT, "--db", db]),
                            env=clean_env(), cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_02_concurrent_bill_runs_one_killed_then_rerun(farm, smtp_sink):
    db, con, cwd = farm["db"], farm["con"], str(farm["root"])
    before = con.count("invoices")
    # The last account is held, so that the kill lands mid-run and inside a batch's transaction
    # whatever the machine's speed; released after the kill. The run that claims it first waits
    # there; the others pass over an account another run holds, bill the rest and end: the
    # victim is the one still running.
    hold = pg_nodes.HoldLastAccount(db)
    try:
        runs = [_bill_run(db, cwd) for _ in range(3)]
        pg_nodes.wait_lock_waiters(con, 1)
        deadline = time.monotonic() + 300
        while sum(p.poll() is None for p in runs) > 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        waiting = [p for p in runs if p.poll() is None]
        assert len(waiting) == 1, [p.returncode for p in runs]
        victim = waiting[0]
        victim.send_signal(signal.SIGKILL)
        victim.communicate(timeout=60)
        assert victim.returncode == -signal.SIGKILL, victim.returncode
        assert con.count("invoices") > before  # the runs had done some, not all
    finally:
        hold.release()
    for p in runs:
        if p is victim:
            continue
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-3000:]
        assert not sanitizer_lines(err), err[-3000:]
    # Run again, as an operator would after the kill; then a last run finds nothing left.
    p = run_cobro(["bill-run", "--at", RUN_AT, "--db", db], cwd=cwd, timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    p = run_cobro(["bill-run", "--at", RUN_AT, "--db", db], cwd=cwd, timeout=300)
    assert p.returncode == 0 and " 0 invoices" in p.stdout, p.stdout + p.stderr
    made = con.count("invoices") - before
    assert made >= COPIES, made
    # Nothing left due, each period invoiced once, numbers gapless per series.
    assert con.count("subscriptions", "status = 'active' AND period_end <= ?", (RUN_AT,)) == 0
    assert con.query("SELECT subscription_id, period_start, count(*) FROM invoice_lines"
                     " GROUP BY subscription_id, period_start HAVING count(*) > 1") == []
    for series, n, low, high in con.query("SELECT series, count(*), min(seq), max(seq)"
                                          " FROM invoices GROUP BY series"):
        assert (low, high) == (1, n), series
    # Every copied account got its invoice, with its email queued once.
    assert con.scalar("SELECT count(DISTINCT account_id) FROM invoices WHERE account_id IN"
                      " (SELECT account_id FROM invoice_recipients WHERE email LIKE"
                      " 'ap%@copies.example')") == COPIES
    assert con.query("SELECT invoice_id, lower(to_addr), count(*) FROM email_outbox"
                     " WHERE kind = 'invoice' GROUP BY invoice_id, lower(to_addr)"
                     " HAVING count(*) > 1") == []
    v = run_cobro(["verify", "--db", db], cwd=cwd, timeout=120)
    assert v.returncode == 0, v.stdout[-3000:] + v.stderr[-3000:]
    # The three nodes' mailers share the outbox: each queued email reaches the sink once.
    deadline = time.monotonic() + 240
    while con.count("email_outbox", "sent_at IS NULL AND failed_at IS NULL") and (
            time.monotonic() < deadline):
        time.sleep(0.5)
    assert con.count("email_outbox", "sent_at IS NULL") == 0
    time.sleep(2)  # room for a duplicate to arrive
    queued = collections.Counter(
        (addr.lower(), subject) for addr, subject in con.query(
            "SELECT to_addr, subject FROM email_outbox WHERE id >= ?", (farm["first_mail"],)))
    sent = collections.Counter(
        (",".join(a.lower() for a in m["rcpt_tos"]), str(m["msg"]["Subject"]))
        for m in smtp_sink.since(farm["mark"]))
    assert sum(queued.values()) >= COPIES
    assert sent == queued, (sent - queued, queued - sent)
    # And each was sent by one node only, by the nodes' own logs.
    sent_by = collections.Counter()
    for node in farm["nodes"]:
        sent_by.update(set(re.findall(r" mail (\d+) \S+ to \S+: sent ", node.stderr())))
    assert sum(sent_by.values()) == sum(queued.values())
    assert [i for i, k in sent_by.items() if k > 1] == []
