"""Helpers for cobro's integration tests: the binary, a running server, an HTTP client with a
cookie jar, an SMTP sink, raw sockets and direct database access, on SQLite or PostgreSQL.
Standard library only (plus aiosmtpd for the sink, PyNaCl for sealed values and psycopg2 for
PostgreSQL)."""
import datetime
import email
import email.policy
import hashlib
import html
import http.cookiejar
import os
import re
import secrets
import select
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests"))
import pg_cluster  # noqa: E402
DEMO_PASSWORD = "demo-password"
# The audit log without the mailer's lines: it writes email_sent and email_failed when it delivers
# an email queued earlier, at its own pace, so a test that snapshots the log to show that nothing
# was written leaves them out.
NOT_MAILER = "action NOT IN ('email_sent', 'email_failed')"
MAIL_FROM = "Vendor Billing <billing@vendor.example>"
SANITIZER_MARKS = ("runtime error", "AddressSanitizer", "LeakSanitizer")


def cobro_bin():
    path = os.environ.get("COBRO_BIN") or "build/cobro"
    if not os.path.isabs(path):
        path = os.path.join(REPO, path)
    return path


# The tests' clock. Every cobro process a test starts gets COBRO_NOW from it, so nothing depends
# on the day the suite runs: COBRO_TEST_NOW sets the instant the clock shows when the tests start
# (scripts/check runs the date-sensitive tests at several), and it runs on from there, as cobro's
# own clock does. Tests read "now" and "today" from here, never from the system.
TEST_NOW = os.environ.get("COBRO_TEST_NOW") or "2026-11-16T10:00:00Z"


def _parse_instant(text):
    if "T" not in text:
        text += "T00:00:00Z"
    t = datetime.datetime.strptime(text.rstrip("Z"), "%Y-%m-%dT%H:%M:%S")
    return t.replace(tzinfo=datetime.timezone.utc).timestamp()


_CLOCK_OFFSET = _parse_instant(TEST_NOW) - time.time()


def now():
    """Seconds since 1970 by the tests' clock (a float)."""
    return time.time() + _CLOCK_OFFSET


def now_iso():
    """The tests' clock as COBRO_NOW takes it, to the millisecond."""
    t = datetime.datetime.fromtimestamp(now(), datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def today():
    """Today's date (UTC) by the tests' clock."""
    return datetime.datetime.fromtimestamp(now(), datetime.timezone.utc).date()


# ---- the store: SQLite, or PostgreSQL when COBRO_TEST_PG names a server ---------------------

# "127.0.0.1:PORT" of the PostgreSQL server the tests run on (scripts/check starts one with
# tests/pg_cluster.py, conftest.py when COBRO_TEST_STORE=postgresql); None: SQLite files.
PG_ADDRESS = os.environ.get("COBRO_TEST_PG") or None
# On PostgreSQL every test database shares one data key file (a PostgreSQL database has no
# folder to keep one beside it): with_data_key adds it to the commands that need it.
PG_KEY_FILE = os.path.join(tempfile.mkdtemp(prefix="cobro-test-key-"), "data.key")


def on_postgresql():
    return PG_ADDRESS is not None


def new_database(folder, name="t.db"):
    """What `--db` takes for a fresh, empty database of a test: a file in folder on SQLite, a new
    database on the tests' PostgreSQL server otherwise."""
    if not PG_ADDRESS:
        return os.path.join(str(folder), name)
    dbname = "t_" + secrets.token_hex(8)
    made = pg_cluster.psql(PG_ADDRESS, "CREATE DATABASE %s;" % dbname)
    assert made.returncode == 0, "CREATE DATABASE failed: " + made.stderr
    return "postgresql://postgres@%s/%s" % (PG_ADDRESS, dbname)


def data_key_path(db):
    """The data key file cobro uses for db when none is named."""
    return PG_KEY_FILE if db.startswith("postgresql://") else db + ".key"


def _pg_sql(sql):
    """sqlite3's placeholders (?) as psycopg2's (%s), with literal % doubled."""
    out, quoted = [], False
    for ch in sql:
        if ch == "'":
            quoted = not quoted
        if ch == "%":
            out.append("%%")
        elif ch == "?" and not quoted:
            out.append("%s")
        else:
            out.append(ch)
    return "".join(out)


class Db:
    """Direct access to a test database (a fresh connection per call, autocommit, so that no
    lock is held), with sqlite3's ? placeholders on either store."""

    def __init__(self, target):
        self.target = target

    def _run(self, sql, args, fetch):
        con = connect(self.target)
        try:
            cur = con.execute(sql, args)
            if not fetch:
                return cur.rowcount
            return [tuple(r) for r in cur.fetchall()] if cur.description else []
        finally:
            con.close()

    def query(self, sql, args=()):
        return self._run(sql, args, True)

    def scalar(self, sql, args=()):
        rows = self.query(sql, args)
        return rows[0][0] if rows else None

    def execute(self, sql, args=()):
        """Runs one statement; returns the number of rows changed."""
        return self._run(sql, args, False)

    def count(self, table, where="1=1", args=()):
        return self.scalar("SELECT count(*) FROM %s WHERE %s" % (table, where), args)

    def insert(self, sql, args=()):
        """Runs an INSERT into a table with an id; returns the new row's id."""
        return self.query(sql + " RETURNING id", args)[0][0]

    def hold_writers(self):
        """A context manager under which cobro's sign-ins cannot write: SQLite's write lock, or
        on PostgreSQL an exclusive lock on the table every sign-in updates first."""
        db = self

        class _Held:
            def __enter__(self):
                if db.target.startswith("postgresql://"):
                    import psycopg2
                    self.con = psycopg2.connect(db.target)
                    self.con.cursor().execute("LOCK TABLE sign_in_logins IN EXCLUSIVE MODE")
                else:
                    self.con = sqlite3.connect(db.target, timeout=15, isolation_level=None)
                    self.con.execute("BEGIN IMMEDIATE")
                return self

            def __exit__(self, *exc):
                try:
                    self.con.rollback()
                finally:
                    self.con.close()
                return False

        return _Held()


class _PgConnection:
    """A psycopg2 connection that answers like sqlite3's: execute(sql with ?, args) returns a
    cursor to fetch from or iterate; autocommit, so BEGIN and COMMIT are statements."""

    def __init__(self, target):
        import psycopg2
        self.con = psycopg2.connect(target)
        self.con.autocommit = True

    def execute(self, sql, args=()):
        cur = self.con.cursor()
        cur.execute(_pg_sql(sql), tuple(args))
        return cur

    def executemany(self, sql, rows):
        import psycopg2.extras
        cur = self.con.cursor()
        psycopg2.extras.execute_batch(cur, _pg_sql(sql), [tuple(r) for r in rows], page_size=500)
        return cur

    def commit(self):
        pass  # autocommit

    def close(self):
        self.con.close()


def integrity_errors():
    """The exceptions a refused write raises (a constraint or one of cobro's triggers), for
    pytest.raises, on either store."""
    errors = (sqlite3.IntegrityError,)
    if PG_ADDRESS:
        import psycopg2
        errors += (psycopg2.IntegrityError,)
    return errors


def table_names(con, target):
    """The tables of the database (cobro's, without SQLite's own), sorted."""
    if target.startswith("postgresql://"):
        sql = ("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
               " ORDER BY table_name")
    else:
        sql = ("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
               " ORDER BY name")
    return [r[0] for r in con.execute(sql).fetchall()]


def connect(target):
    """A connection to a test database with sqlite3's interface (execute, executemany, close),
    autocommit: sqlite3 itself for a file, _PgConnection for PostgreSQL."""
    if target.startswith("postgresql://"):
        return _PgConnection(target)
    return sqlite3.connect(target, timeout=15, isolation_level=None)


def reset_identities(target):
    """After rows were inserted with explicit ids (a test's fixture): PostgreSQL's identity
    sequences move past them, as SQLite's rowids do by themselves."""
    if not target.startswith("postgresql://"):
        return
    con = connect(target)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public'"
            " AND column_name = 'id' AND is_identity = 'YES'")]
        for t in tables:
            con.execute("SELECT setval(pg_get_serial_sequence('%s', 'id'),"
                        " COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)" % (t, t))
    finally:
        con.close()


def copy_database(source, folder, name):
    """A copy of the database source (no cobro may be connected to it) as a new database: the
    file and its data key beside it on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL."""
    if source.startswith("postgresql://"):
        target = new_database(folder, name)
        dbname = target.rsplit("/", 1)[1]
        drop = pg_cluster.psql(PG_ADDRESS, "DROP DATABASE %s; CREATE DATABASE %s TEMPLATE %s;"
                               % (dbname, dbname, source.rsplit("/", 1)[1]))
        assert drop.returncode == 0, drop.stderr
        return target
    target = os.path.join(str(folder), name)
    for ext in ("", "-wal", "-shm", ".key"):
        if os.path.exists(target + ext):
            os.remove(target + ext)
    import shutil
    shutil.copy(source, target)
    shutil.copy(source + ".key", target + ".key")
    return target


def with_data_key(args):
    """cobro's arguments, plus --data-key-file when they name a PostgreSQL database and no key."""
    args = list(args)
    for i, a in enumerate(args[:-1]):
        if a == "--db" and args[i + 1].startswith("postgresql://") and (
                "--data-key-file" not in args):
            return args + ["--data-key-file", PG_KEY_FILE]
    return args


def clean_env(**extra):
    """The environment for a cobro process: ours without any COBRO_* setting, plus the tests'
    clock (COBRO_NOW, read at this call) and extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COBRO_")}
    env["COBRO_NOW"] = now_iso()
    env.update(extra)
    return env


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sanitizer_lines(text):
    return [line for line in text.splitlines() if any(m in line for m in SANITIZER_MARKS)]


def stop_process(proc, timeout=20):
    """SIGTERM to proc unless it has exited, then waits for it; SIGKILL when it takes longer than
    timeout seconds. True when it exited by itself within the time."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
        return True
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return False


def run_cobro(args, cwd=None, env=None, timeout=60):
    """Runs `cobro ARGS` to completion; returns the CompletedProcess (text)."""
    return subprocess.run([cobro_bin()] + with_data_key(args), cwd=cwd, env=env or clean_env(),
                          capture_output=True, text=True, timeout=timeout)


def unseal(db_path, sealed):
    """The plain text of a bank number sealed by cobro (util/sealed.c: "v1:" + base64url of the
    nonce and the secretbox), read with the database's data key file (DB.key) and PyNaCl."""
    import base64
    import nacl.secret
    assert sealed.startswith("v1:"), sealed
    with open(data_key_path(db_path)) as f:
        key = bytes.fromhex(f.read().strip())
    b64 = sealed[3:]
    raw = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4))
    return nacl.secret.SecretBox(key).decrypt(raw).decode()


def sha256_hex(s):
    return hashlib.sha256(s.encode()).hexdigest()


# ---- SMTP sink ------------------------------------------------------------------------------

class SmtpSink:
    """Collects every message an SMTP client hands to 127.0.0.1:port (aiosmtpd)."""

    def __init__(self):
        self.port = free_port()
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self.messages = []  # dicts: mail_from, rcpt_tos, msg (EmailMessage), raw

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        with self._cond:
            self.messages.append({"mail_from": envelope.mail_from,
                                  "rcpt_tos": list(envelope.rcpt_tos), "msg": msg, "raw": raw})
            self._cond.notify_all()
        return "250 OK"

    def start(self):
        from aiosmtpd.controller import Controller
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        self._controller.stop()

    def mark(self):
        """A position in the list: later waits may look only at messages after it."""
        with self._lock:
            return len(self.messages)

    def since(self, mark=0, pred=None):
        with self._lock:
            items = list(self.messages[mark:])
        return [m for m in items if pred is None or pred(m)]

    def wait_for(self, pred, since=0, timeout=10.0, count=1):
        """Waits until count messages after since match pred; returns them (a list when
        count > 1, else the one message). Raises AssertionError on time-out."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [m for m in self.messages[since:] if pred(m)]
                if len(found) >= count:
                    return found if count > 1 else found[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        "no matching email within %.0f s (%d of %d found; %d messages seen: %s)"
                        % (timeout, len(found), count, len(self.messages) - since,
                           [(m["rcpt_tos"], str(m["msg"]["Subject"])) for m in self.messages[since:]]))
                self._cond.wait(min(left, 0.2))


def wait_for(what, pred, timeout=20.0):
    """Polls pred (a few times a second) until it holds; fails naming what after timeout s."""
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError("waited in vain for " + what)


def to_pred(addr):
    addr = addr.lower()
    return lambda m: addr in [r.lower() for r in m["rcpt_tos"]] or addr in str(m["msg"]["To"]).lower()


def body_text(msg):
    part = msg.get_body(preferencelist=("plain", "html"))
    return (part or msg).get_content()


# ---- HTML helpers ---------------------------------------------------------------------------

_TAG_RE = re.compile(r"<input\b[^>]*>", re.I | re.S)
_ATTR_RE = re.compile(r'([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|\'([^\']*)\'|([^\s>]+)))?')


def input_tags(page):
    """Every <input> of the page as a dict of its attributes (values unescaped)."""
    out = []
    for tag in _TAG_RE.findall(page):
        attrs = {}
        for m in _ATTR_RE.finditer(tag[len("<input"):].rstrip(">/")):
            val = m.group(2) if m.group(2) is not None else (
                m.group(3) if m.group(3) is not None else (m.group(4) or ""))
            attrs[m.group(1).lower()] = html.unescape(val)
        out.append(attrs)
    return out


def input_value(page, name):
    """The value attribute of the first input named name, '' when it has none, None if absent."""
    for attrs in input_tags(page):
        if attrs.get("name") == name:
            return attrs.get("value", "")
    return None


def csrf_of(page):
    token = input_value(page, "csrf")
    assert token, "no csrf hidden input on the page:\n" + page[:2000]
    return token


def html_lang(page):
    m = re.search(r"<html\b[^>]*\blang\s*=\s*\"([^\"]*)\"", page, re.I)
    return m.group(1) if m else None


def form_actions(page):
    return re.findall(r"<form\b[^>]*\baction\s*=\s*\"([^\"]*)\"", page, re.I)


# ---- HTTP client ----------------------------------------------------------------------------

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        self.text = body.decode("utf-8", errors="replace")

    @property
    def location(self):
        """The Location header as a path plus query ("/corporate?expired=1"), or None."""
        loc = self.headers.get("Location")
        if loc is None:
            return None
        parts = urllib.parse.urlsplit(loc)
        return parts.path + ("?" + parts.query if parts.query else "")

    @property
    def location_path(self):
        loc = self.location
        return None if loc is None else urllib.parse.urlsplit(loc).path

    def set_cookies(self):
        return self.headers.get_all("Set-Cookie") or []

    def set_cookie(self, name):
        """The raw Set-Cookie header for name, or None."""
        for h in self.set_cookies():
            if h.split("=", 1)[0].strip() == name:
                return h
        return None

    def __repr__(self):
        return "<Response %d %s>" % (self.status, self.headers.get("Location") or "")


class _PassThrough(urllib.request.HTTPErrorProcessor):
    """Every answer comes back as is: no exception for 4xx/5xx, no redirect followed."""

    def http_response(self, request, response):
        return response

    https_response = http_response


class Client:
    """A browser-like client: one cookie jar, redirects not followed."""

    def __init__(self, base_url, accept_language=None):
        self.base_url = base_url.rstrip("/")
        self.jar = http.cookiejar.CookieJar()
        self.accept_language = accept_language
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _PassThrough())

    def request(self, method, path, data=None, headers=None, timeout=30):
        url = path if path.startswith("http") else self.base_url + path
        h = {}
        if self.accept_language:
            h["Accept-Language"] = self.accept_language
        if data is not None:
            h["Content-Type"] = "application/x-www-form-urlencoded"
        h.update(headers or {})
        req = urllib.request.Request(url, data=data, headers=h, method=method)
        with self.opener.open(req, timeout=timeout) as resp:
            body = resp.read()
            return Response(resp.status, resp.headers, body)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, fields, **kw):
        if isinstance(fields, (bytes, bytearray)):
            data = bytes(fields)
        else:
            data = urllib.parse.urlencode(fields).encode("utf-8")
        return self.request("POST", path, data=data, **kw)

    def csrf(self, path):
        """GETs path (must answer 200) and returns its csrf token."""
        r = self.get(path)
        assert r.status == 200, "GET %s -> %d (%s)" % (path, r.status, r.headers.get("Location"))
        return csrf_of(r.text)

    def submit(self, page_path, action, fields):
        """GETs page_path for its csrf token, then POSTs fields plus csrf to action."""
        token = self.csrf(page_path)
        return self.post(action, dict(fields, csrf=token))

    def cookie(self, name):
        for c in self.jar:
            if c.name == name:
                return c.value
        return None

    def set_cookie(self, name, value):
        host = urllib.parse.urlsplit(self.base_url).hostname
        for c in list(self.jar):
            if c.name == name:
                self.jar.clear(c.domain, c.path, c.name)
        self.jar.set_cookie(http.cookiejar.Cookie(
            version=0, name=name, value=value, port=None, port_specified=False, domain=host,
            domain_specified=False, domain_initial_dot=False, path="/", path_specified=True,
            secure=False, expires=None, discard=True, comment=None, comment_url=None,
            rest={}, rfc2109=False))

    def drop_cookie(self, name):
        for c in list(self.jar):
            if c.name == name:
                self.jar.clear(c.domain, c.path, c.name)

    # Sign-in shortcuts (the client must not hold a session of that audience yet).
    def sign_in_corporate(self, user_id, password=DEMO_PASSWORD):
        return self.submit("/corporate", "/corporate/sign-in",
                           {"user_id": user_id, "password": password})

    def sign_in_billing(self, email_addr, password=DEMO_PASSWORD):
        return self.submit("/billing", "/billing/sign-in", {"email": email_addr, "password": password})

    def sign_in_staff(self, email_addr, password=DEMO_PASSWORD):
        return self.submit("/staff", "/staff/sign-in", {"email": email_addr, "password": password})

    def sign_out(self, signed_in_page):
        """POSTs /sign-out with the csrf token of a signed-in page."""
        r = self.get(signed_in_page)
        assert r.status == 200, r
        return self.post("/sign-out", {"csrf": csrf_of(r.text)})


def new_session_cookie(response):
    """The value of a cobro_session cookie the answer sets (not one it clears), or None."""
    header = response.set_cookie("cobro_session")
    if not header:
        return None
    value = header.split(";", 1)[0].split("=", 1)[1].strip()
    attrs = header.lower()
    if not value or "max-age=0" in attrs or "expires=thu, 01 jan 1970" in attrs:
        return None
    return value


# ---- raw sockets ----------------------------------------------------------------------------

def raw_exchange(port, head, body=b"", timeout=10.0, body_delay=0.5):
    """Sends head (bytes, the request line and headers, ending in a blank line); when the server
    has not answered within body_delay seconds, sends body too. Returns (status, raw answer);
    status is None when the server closed without an answer."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(head)
        if body:
            readable, _, _ = select.select([s], [], [], body_delay)
            if not readable:
                try:
                    s.sendall(body)
                except OSError:
                    pass
        data = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except OSError:
                break
            if not chunk:
                break
            data += chunk
            if b"\r\n\r\n" in data:
                hdr, _, rest = data.partition(b"\r\n\r\n")
                m = re.search(rb"(?im)^content-length:\s*(\d+)", hdr)
                if m and len(rest) >= int(m.group(1)):
                    break
    finally:
        s.close()
    m = re.match(rb"HTTP/1\.[01] (\d{3})", data)
    return (int(m.group(1)) if m else None), data


def read_answers(sock, methods, timeout=10.0):
    """Reads one answer per method in methods (in order) from sock, framed by Content-Length
    (a HEAD answer has no body whatever its Content-Length says). Returns a list of
    (status, headers dict with lower-case names, body bytes) and the bytes left over after the
    last answer, which must be empty on a well-framed connection: the caller checks."""
    sock.settimeout(timeout)
    data = b""
    answers = []

    def fill():
        nonlocal data
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError("connection closed after %d answers; read so far: %r"
                                 % (len(answers), data[:300]))
        data += chunk

    for method in methods:
        while b"\r\n\r\n" not in data:
            fill()
        head, _, data = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        m = re.match(r"HTTP/1\.[01] (\d{3})", lines[0])
        assert m, "not a status line: %r" % lines[0]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        assert "content-length" in headers, "answer without Content-Length: %r" % head
        length = 0 if method == "HEAD" else int(headers["content-length"])
        while len(data) < length:
            fill()
        answers.append((int(m.group(1)), headers, data[:length]))
        data = data[length:]
    sock.settimeout(0.3)  # anything more already sent would be a framing error
    try:
        extra = sock.recv(65536)
        data += extra
    except socket.timeout:
        pass
    return answers, data


def cookie_header(client):
    """The Cookie header a Client would send: every cookie of its jar."""
    return "; ".join("%s=%s" % (c.name, c.value) for c in client.jar)


# ---- the server -----------------------------------------------------------------------------

class Server:
    """One `cobro serve` on a fresh database (made by `cobro demo`), in its own temp dir."""

    def __init__(self, workdir, smtp_port, extra_args=(), db=None, extra_env=None):
        self.dir = str(workdir)
        self.extra_args = list(extra_args)  # more `cobro serve` options (--workers 16)
        self.extra_env = dict(extra_env or {})  # COBRO_* settings only tests use
        self.db_path = db or new_database(self.dir)
        self.db = Db(self.db_path)
        self.port = free_port()
        self.base_url = "http://127.0.0.1:%d" % self.port
        self.smtp_port = smtp_port
        self.proc = None
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self.stdout_path = os.path.join(self.dir, "stdout.log")

    def start(self, demo=True):
        """Loads the demo (unless demo is False: the database is ready) and starts the server."""
        binary = cobro_bin()
        if not os.path.exists(binary):
            raise AssertionError("cobro binary not found at %s (build it, or set COBRO_BIN)" % binary)
        if demo:
            made = run_cobro(["demo", "--db", self.db_path], cwd=self.dir)
            assert made.returncode == 0, "cobro demo failed (%d): %s" % (made.returncode,
                                                                       made.stderr)
            assert not sanitizer_lines(made.stderr), made.stderr
        args = [binary] + with_data_key(
            ["serve", "--db", self.db_path, "--listen", "127.0.0.1:%d" % self.port,
             "--base-url", self.base_url, "--smtp-url", "smtp://127.0.0.1:%d" % self.smtp_port,
             "--mail-from", MAIL_FROM, "--threads", "2"] + self.extra_args)
        self._err = open(self.stderr_path, "wb")
        self._out = open(self.stdout_path, "wb")
        self.proc = subprocess.Popen(args, cwd=self.dir, env=clean_env(**self.extra_env),
                                     stdout=self._out,
                                     stderr=self._err)
        deadline = time.monotonic() + 15
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("cobro serve exited with %d at start-up:\n%s"
                                     % (self.proc.returncode, self.stderr()))
            try:
                r = Client(self.base_url).get("/healthz", timeout=2)
                if r.status == 200:
                    return
                last = r.status
            except OSError as e:
                last = e
            time.sleep(0.1)
        self.proc.kill()
        self.proc.wait()
        raise AssertionError("cobro serve did not answer /healthz within 15 s (last: %r):\n%s"
                             % (last, self.stderr()))

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def stop(self):
        """SIGTERM, wait; returns a list of problems (empty when the exit was clean)."""
        problems = []
        if self.proc is None:
            return problems
        if self.proc.poll() is None:
            if not stop_process(self.proc):
                problems.append("cobro serve did not exit within 20 s of SIGTERM")
        else:
            problems.append("cobro serve had exited before the end of the tests")
        self._err.close()
        self._out.close()
        if self.proc.returncode != 0:
            problems.append("cobro serve exited with status %d" % self.proc.returncode)
        bad = sanitizer_lines(self.stderr())
        if bad:
            problems.append("sanitizer report on stderr: " + "; ".join(bad[:5]))
        if problems:
            problems.append("stderr tail:\n" + self.stderr()[-4000:])
        return problems

    def client(self, accept_language=None):
        return Client(self.base_url, accept_language=accept_language)

    # Database access: see Db.
    def query(self, sql, args=()):
        return self.db.query(sql, args)

    def scalar(self, sql, args=()):
        return self.db.scalar(sql, args)

    def execute(self, sql, args=()):
        """Runs one statement; returns the number of rows changed."""
        return self.db.execute(sql, args)

    def count(self, table, where="1=1", args=()):
        return self.db.count(table, where, args)

    def session_valid(self, token, path):
        """True when a fresh client holding only cobro_session=token gets path with 200."""
        c = self.client()
        c.set_cookie("cobro_session", token)
        return c.get(path).status == 200


def undo_requests_migration(con):
    """Takes a SQLite database back from schema version 14 (requests, W-9, Care's checks) to 13."""
    con.execute("DELETE FROM schema_migrations WHERE version >= 14")
    for table in ("request_messages", "requests", "request_series", "vendor_file_downloads",
                  "vendor_files", "care_verifications", "account_flags"):
        con.execute("DROP TABLE %s" % table)
    for table, column in (("email_outbox", "request_id"), ("account_users", "registered_admin")):
        con.execute("ALTER TABLE %s DROP COLUMN %s" % (table, column))


def undo_self_service_migration(con):
    """Takes a SQLite database back from schema version 13 (Billing Center self-service) to 12:
    migration 14 first (undo_requests_migration), then its tables and columns go, and invoice
    lines are unique by subscription and period start again (an index standing for the UNIQUE
    that migration 13 rebuilt the table without)."""
    undo_requests_migration(con)
    con.execute("DELETE FROM schema_migrations WHERE version >= 13")
    con.execute("DROP TRIGGER payments_purpose_fixed")
    for index in ("payments_change", "payments_invoice_attempt", "invoice_lines_period"):
        con.execute("DROP INDEX %s" % index)
    for table in ("dunning_cases", "subscription_changes", "account_user_reset_tokens"):
        con.execute("DROP TABLE %s" % table)
    for table, column in (("payments", "change_id"), ("payments", "attempt"),
                          ("products", "min_seats"), ("products", "max_seats"),
                          ("subscriptions", "next_plan_id"), ("subscriptions", "charged_amount"),
                          ("subscriptions", "charged_from"), ("subscriptions", "cancel_reason"),
                          ("subscriptions", "cancel_requested_at"), ("invoice_lines", "kind"),
                          ("invoice_lines", "from_seats"), ("invoice_lines", "from_period"),
                          ("invoice_lines", "credit")):
        con.execute("ALTER TABLE %s DROP COLUMN %s" % (table, column))
    con.execute("CREATE UNIQUE INDEX invoice_lines_v12_unique"
                " ON invoice_lines(subscription_id, period_start)")


def undo_payments_migration(con):
    """Takes a SQLite database back from schema version 12 (payments) to 11: migration 13 first
    (undo_self_service_migration), then its tables, the trigger it put on invoices and the column
    it added to the outbox go."""
    undo_self_service_migration(con)
    con.execute("DELETE FROM schema_migrations WHERE version >= 12")
    con.execute("DROP TRIGGER invoices_paid_within_total")
    for table in ("payment_allocations", "refunds", "payments", "payment_cards", "card_setups",
                  "gateway_events", "sandbox_sessions", "sandbox_events"):
        con.execute("DROP TABLE %s" % table)
    con.execute("ALTER TABLE email_outbox DROP COLUMN payment_id")


def undo_quotes_migration(con):
    """Takes a SQLite database back from schema version 11 (quotes) to 10, for the tests that
    rebuild an older schema and migrate it again: migration 12 first (undo_payments_migration),
    then the quote tables go, and the columns migration 11 added to subscriptions, invoice lines
    and the outbox."""
    undo_payments_migration(con)
    for table in ("quote_lines", "quotes", "quote_series"):
        con.execute("DROP TABLE %s" % table)
    for table, column in (("subscriptions", "next_seats"), ("subscriptions", "next_unit_amount"),
                          ("invoice_lines", "discount"), ("invoice_lines", "days"),
                          ("invoice_lines", "term_days"), ("email_outbox", "quote_id")):
        con.execute("ALTER TABLE %s DROP COLUMN %s" % (table, column))
