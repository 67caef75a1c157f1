"""cobro backup and cobro restore on SQLite: a backup taken while a server runs and a client keeps
saving its Bill To holds every save committed before it began, passes integrity_check and
restores to a database that `cobro verify` finds sound and `cobro serve` opens; the backup file is owner-only and says what it holds;
restore never replaces a database without --force, nor one a server has open; garbage, truncated,
foreign or newer files and a backup whose data key is absent or another are refused with one line,
leaving the target as it was and no temporary file behind; a PostgreSQL URL gets exit 2."""
import hashlib
import os
import shutil
import sqlite3
import stat
import threading
import time

import pytest

import harness
from harness import clean_env, run_cobro, sanitizer_lines

ACME = "acme-billing"
BILL_TO = ("contact_name", "contact_email", "bill_to_name", "address_line1", "address_line2",
           "city", "region", "postal_code", "phone")


def _ok(p):
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr[-3000:])
    assert not sanitizer_lines(p.stderr), p.stderr[-3000:]
    return p


def _refused(p, *words, status=1):
    """Stopped with status and one line on stderr that says what is wrong."""
    assert p.returncode == status, (p.returncode, p.stdout, p.stderr[-3000:])
    assert not sanitizer_lines(p.stderr), p.stderr[-3000:]
    lines = [line for line in p.stderr.splitlines() if line.startswith("cobro")]
    assert len(lines) == 1, p.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def _sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def _files(folder):
    return sorted(os.listdir(folder))


def _query(db, sql, args=()):
    con = sqlite3.connect(db, timeout=15, isolation_level=None)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def _demo(folder, name="c.db"):
    os.makedirs(folder, exist_ok=True)
    db = os.path.join(str(folder), name)
    _ok(run_cobro(["demo", "--db", db], cwd=str(folder)))
    return db


def _backup(db, to):
    return _ok(run_cobro(["backup", "--db", db, "--to", to], cwd=os.path.dirname(to)))


def _restore(backup, db, *more):
    return run_cobro(["restore", "--from", backup, "--db", db] + list(more),
                     cwd=os.path.dirname(db))


def _copy_key(from_db, to_db):
    shutil.copyfile(from_db + ".key", to_db + ".key")
    os.chmod(to_db + ".key", 0o600)


class _BillToWriter(threading.Thread):
    """Saves Acme's Bill To over HTTP in a loop, the city "Backup N" at the Nth save; committed
    lists the N whose save was answered 303 (committed), in order."""

    def __init__(self, base_url, current):
        super().__init__(daemon=True)
        self.client = harness.Client(base_url)
        r = self.client.sign_in_corporate(ACME)
        assert r.status == 303, r.status
        self.fields = dict(current)
        self.committed = []
        self.failure = None
        self.halt = threading.Event()

    def run(self):
        n = 0
        try:
            while not self.halt.is_set():
                n += 1
                fields = dict(self.fields, city="Backup %d" % n)
                token = self.client.csrf("/corporate/bill-to")
                r = self.client.post("/corporate/bill-to", dict(fields, csrf=token))
                if r.status != 303:
                    raise AssertionError("save %d answered %d: %s" % (n, r.status, r.text[:300]))
                self.committed.append(n)
        except BaseException as e:  # reported by the test
            self.failure = e

    def wait_for(self, count):
        deadline = time.monotonic() + 60
        while len(self.committed) < count:
            assert self.failure is None, self.failure
            assert time.monotonic() < deadline, "the writer committed %d saves" % len(self.committed)
            time.sleep(0.05)


def _cities(db):
    """The N of every "Backup N" city save in the audit log, in order."""
    rows = _query(db, "SELECT new_value FROM audit_log WHERE action = 'bill_to_changed' AND"
                      " field = 'city' AND new_value LIKE 'Backup %' ORDER BY id")
    return [int(r[0].split()[1]) for r in rows]


def _sqlite_server(folder, smtp_sink, db=None, demo=True):
    """A running `cobro serve` on an SQLite file (also when the suite runs on PostgreSQL: backup
    and restore are SQLite's), by default a fresh demo database t.db in folder."""
    os.makedirs(str(folder), exist_ok=True)
    srv = harness.Server(folder, smtp_sink.port, db=db or os.path.join(str(folder), "t.db"))
    srv.start(demo=demo)
    return srv


# ---- a backup during writes --------------------------------------------------------------------

def test_01_a_backup_during_writes_restores_every_committed_row(tmp_path, smtp_sink):
    srv = _sqlite_server(tmp_path / "live", smtp_sink)
    try:
        acme_id = srv.scalar("SELECT account_id FROM portal_credentials WHERE user_id = ?", (ACME,))
        current = dict(zip(BILL_TO, srv.query(
            "SELECT c.contact_name, c.contact_email, a.bill_to_name, a.address_line1,"
            " a.address_line2, a.city, a.region, a.postal_code, a.phone FROM accounts a"
            " JOIN portal_credentials c ON c.account_id = a.id WHERE a.id = ?", (acme_id,))[0]))
        # Some bulk, so that the copy takes long enough for saves to commit while it runs.
        srv.execute("CREATE TABLE test_bulk (b BLOB NOT NULL)")
        srv.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                    " WHERE i < 4000) INSERT INTO test_bulk SELECT randomblob(4000) FROM n")
        writer = _BillToWriter(srv.base_url, {k: v or "" for k, v in current.items()})
        writer.start()
        try:
            writer.wait_for(5)
            before = list(writer.committed)  # committed before the backup began
            out = str(tmp_path / "backups" / "cobro.backup")
            os.makedirs(os.path.dirname(out))
            p = _backup(srv.db_path, out)
            after = len(writer.committed)
            writer.wait_for(after + 3)  # the server went on writing after the backup
        finally:
            writer.halt.set()
            writer.join(30)
        assert writer.failure is None, writer.failure
        assert "integrity check ok" in p.stdout, p.stdout
    finally:
        problems = srv.stop()
        assert not problems, problems

    # The copy is one snapshot: every save committed before it began, then a run of later saves
    # with no gap, and the account holds the city of its last save.
    assert _query(out, "PRAGMA integrity_check") == [("ok",)]
    saved = _cities(out)
    assert saved[:len(before)] == before, (before, saved)
    assert saved == list(range(1, len(saved) + 1)), saved
    assert len(saved) <= after + 1, (after, saved)  # at most the save in flight at its end
    print("saves committed before the backup: %d, in the backup: %d, when it ended: %d"
          % (len(before), len(saved), after))
    city = _query(out, "SELECT city FROM accounts WHERE id = ?", (acme_id,))[0][0]
    assert city == "Backup %d" % saved[-1], (city, saved[-1])
    assert len(_cities(srv.db_path)) > len(saved)  # the writer went on, in the live database

    # Restored into a fresh folder with the live key, the server opens it and shows the data.
    target = str(tmp_path / "restored" / "cobro.db")
    os.makedirs(os.path.dirname(target))
    _copy_key(srv.db_path, target)
    r = _ok(_restore(out, target))
    assert "restored" in r.stdout and "start the server" in r.stdout, r.stdout
    assert _files(os.path.dirname(target)) == ["cobro.db", "cobro.db.key"]  # nothing else
    assert _query(target, "PRAGMA integrity_check") == [("ok",)]
    assert _cities(target) == saved
    for table in ("accounts", "invoices", "audit_log", "portal_credentials", "email_outbox",
                  "test_bulk"):
        assert _query(target, "SELECT count(*) FROM %s" % table) == \
            _query(out, "SELECT count(*) FROM %s" % table), table
    # cobro verify finds every invariant holding in it.
    v = _ok(run_cobro(["verify", "--db", target], cwd=os.path.dirname(target)))
    assert v.returncode == 0, v.stdout
    restored = _sqlite_server(os.path.dirname(target), smtp_sink, db=target, demo=False)
    try:
        c = restored.client()
        assert c.sign_in_corporate(ACME).status == 303
        page = c.get("/corporate/account")
        assert page.status == 200 and city in page.text, page.text[:500]
    finally:
        problems = restored.stop()
        assert not problems, problems


def test_02_the_backup_is_owner_only_and_says_what_it_holds(tmp_path):
    db = _demo(tmp_path / "live")
    out = str(tmp_path / "b" / "x.backup")
    os.makedirs(os.path.dirname(out))
    p = _backup(db, out)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert _files(os.path.dirname(out)) == ["x.backup"]  # no temporary file, no -wal
    accounts = _query(db, "SELECT count(*) FROM accounts")[0][0]
    invoices = _query(db, "SELECT count(*) FROM invoices")[0][0]
    version = _query(db, "SELECT max(version) FROM schema_migrations")[0][0]
    assert "%d bytes" % os.path.getsize(out) in p.stdout, p.stdout
    assert "schema version %d, %d accounts, %d invoices" % (version, accounts, invoices) \
        in p.stdout, p.stdout
    assert "data key is not in the backup" in p.stdout and db + ".key" in p.stdout, p.stdout
    with open(db + ".key") as f:
        key = f.read().strip()
    with open(out, "rb") as f:
        assert key.encode() not in f.read()
    # A second backup to the same file replaces it whole.
    _backup(db, out)
    assert _files(os.path.dirname(out)) == ["x.backup"]


def test_03_backup_refuses_the_database_itself_and_a_missing_one(tmp_path):
    db = _demo(tmp_path)
    before = _sha(db)
    _refused(run_cobro(["backup", "--db", db, "--to", db], cwd=str(tmp_path)), "database itself")
    assert _sha(db) == before
    missing = str(tmp_path / "none.db")
    _refused(run_cobro(["backup", "--db", missing, "--to", str(tmp_path / "o")],
                       cwd=str(tmp_path)), "no database at " + missing)
    assert not os.path.exists(missing) and not os.path.exists(str(tmp_path / "o"))
    _refused(run_cobro(["backup", "--db", db], cwd=str(tmp_path)), "--to FILE", status=2)


# ---- restore -----------------------------------------------------------------------------------

def test_04_restore_over_an_existing_database_needs_force(tmp_path):
    db = _demo(tmp_path / "live")
    out = str(tmp_path / "x.backup")
    _backup(db, out)
    _query(db, "UPDATE accounts SET city = 'After the backup'")
    before = _sha(db)
    _refused(_restore(out, db), "already exists", "--force")
    assert _sha(db) == before
    assert set(_files(os.path.dirname(db))) <= {"c.db", "c.db-shm", "c.db-wal", "c.db.key"}
    r = _ok(_restore(out, db, "--force"))
    assert "restored" in r.stdout
    assert _files(os.path.dirname(db)) == ["c.db", "c.db.key"]  # the old -wal is gone
    assert _query(db, "SELECT count(*) FROM accounts WHERE city = 'After the backup'") == [(0,)]
    assert _query(db, "PRAGMA integrity_check") == [("ok",)]
    _ok(run_cobro(["migrate", "--db", db], cwd=os.path.dirname(db)))


def test_05_force_is_refused_while_a_server_has_the_database_open(tmp_path, smtp_sink):
    srv = _sqlite_server(tmp_path / "live", smtp_sink)
    try:
        out = str(tmp_path / "x.backup")
        _backup(srv.db_path, out)
        srv.execute("UPDATE accounts SET city = 'Kept'")
        _refused(_restore(out, srv.db_path, "--force"), "in use", "cobro serve")
        assert srv.count("accounts", "city = 'Kept'") == srv.count("accounts")
        assert srv.client().get("/healthz").status == 200
        assert not [f for f in _files(srv.dir) if ".restore-" in f]
    finally:
        problems = srv.stop()
        assert not problems, problems


def _garbage(path, good):
    with open(path, "wb") as f:
        f.write(b"this is not a database\n" * 100)


def _empty(path, good):
    open(path, "wb").close()


def _cut_short(path, good):
    with open(good, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:len(data) // 2])


def _cut_in_the_header(path, good):
    with open(good, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:100])


def _breaks_a_check(path, good):
    """A row that breaks a CHECK constraint: pages sound, data not (integrity_check sees it)."""
    shutil.copyfile(good, path)
    con = sqlite3.connect(path)
    con.execute("PRAGMA ignore_check_constraints = ON")
    con.execute("UPDATE products SET active = 7")
    con.commit()
    con.close()


def _last_page_overwritten(path, good):
    """The last page overwritten: the file has its length but not its content."""
    with open(good, "rb") as f:
        data = bytearray(f.read())
    page = int.from_bytes(data[16:18], "big")
    data[-page:] = b"\xa5" * page
    with open(path, "wb") as f:
        f.write(bytes(data))


def _foreign(path, good):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    con.commit()
    con.close()


def _newer(path, good):
    shutil.copyfile(good, path)
    con = sqlite3.connect(path)
    con.execute("INSERT INTO schema_migrations (version, applied_at) SELECT max(version) + 1, 0"
                " FROM schema_migrations")
    con.commit()
    con.close()


@pytest.mark.parametrize("make, words", [
    (_garbage, ("not a cobro database", "not an SQLite file")),
    (_empty, ("not a cobro database",)),
    (_cut_short, ("damaged",)),
    (_cut_in_the_header, ("damaged",)),
    (_last_page_overwritten, ("damaged",)),
    (_breaks_a_check, ("damaged", "integrity check", "CHECK")),
    (_foreign, ("not a cobro database",)),
    (_newer, ("newer than this cobro's",)),
], ids=["garbage", "empty", "cut-short", "cut-in-the-header", "overwritten", "check", "foreign", "newer"])
@pytest.mark.parametrize("existing", [False, True], ids=["new", "over-existing"])
def test_06_bad_files_are_refused_and_leave_the_target_untouched(tmp_path, make, words, existing):
    good_db = _demo(tmp_path / "src")
    good = str(tmp_path / "good.backup")
    _backup(good_db, good)
    bad = str(tmp_path / "bad.backup")
    make(bad, good)
    folder = tmp_path / "target"
    if existing:
        target = _demo(folder)
        _query(target, "PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        os.makedirs(folder)
        target = str(folder / "c.db")
    _copy_key(good_db, target)
    files = _files(folder)
    before = _sha(target) if existing else None
    line = _refused(_restore(bad, target, "--force"), bad, *words)
    assert "nothing was restored" in line
    assert _files(folder) == files
    if existing:
        assert _sha(target) == before
    else:
        assert not os.path.exists(target)


def test_07_restore_needs_the_backups_data_key(tmp_path):
    db = _demo(tmp_path / "live")
    out = str(tmp_path / "x.backup")
    _backup(db, out)
    os.makedirs(tmp_path / "t")
    target = str(tmp_path / "t" / "c.db")
    # No key file at the target: refused, and it says where the key must go.
    _refused(_restore(out, target), "data key", target + ".key", "--data-key-file")
    assert _files(tmp_path / "t") == []
    # Another database's key: refused.
    other = _demo(tmp_path / "other")
    _copy_key(other, target)
    _refused(_restore(out, target), "not the key", target + ".key")
    assert _files(tmp_path / "t") == ["c.db.key"]
    # The right key, given by --data-key-file: restored, and the server's check accepts it.
    _ok(_restore(out, target, "--data-key-file", db + ".key"))
    _ok(run_cobro(["migrate", "--db", target, "--data-key-file", db + ".key"],
                  cwd=str(tmp_path / "t")))


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give files to another user")
@pytest.mark.parametrize("existing", [False, True], ids=["new", "over-existing"])
def test_07b_run_as_root_the_database_keeps_the_servers_owner(tmp_path, existing):
    """An operator's `sudo cobro restore` must not leave a database the server's user cannot
    open: the copy gets the old database's owner, or the folder's."""
    db = _demo(tmp_path / "live")
    out = str(tmp_path / "x.backup")
    _backup(db, out)
    folder = tmp_path / "t"
    os.makedirs(folder)
    target = _demo(folder) if existing else str(folder / "c.db")
    _copy_key(db, target)
    owner = 4242
    if existing:
        os.chown(target, owner, owner)
    else:
        os.chown(str(folder), owner, owner)
    _ok(_restore(out, target, "--force"))
    st = os.stat(target)
    assert (st.st_uid, st.st_gid) == (owner, owner)
    assert stat.S_IMODE(st.st_mode) == 0o600


def test_08_an_older_schema_says_to_run_migrate(tmp_path):
    db = _demo(tmp_path / "live")
    out = str(tmp_path / "x.backup")
    _backup(db, out)
    latest = _query(out, "SELECT max(version) FROM schema_migrations")[0][0]
    con = sqlite3.connect(out)
    con.execute("DELETE FROM schema_migrations WHERE version = ?", (latest,))
    con.commit()
    con.close()
    os.makedirs(tmp_path / "t")
    target = str(tmp_path / "t" / "c.db")
    _copy_key(db, target)
    r = _ok(_restore(out, target))
    assert "schema version %d" % (latest - 1) in r.stdout, r.stdout
    assert "cobro migrate --db %s" % target in r.stdout, r.stdout


@pytest.mark.parametrize("command, flag", [("backup", "--to"), ("restore", "--from")])
@pytest.mark.parametrize("url", ["postgresql://cobro@db.example/cobro",
                                 "postgres://cobro@127.0.0.1:5432/cobro?sslmode=require",
                                 "host=db.example dbname=cobro user=cobro"])
def test_09_a_postgresql_database_is_left_to_its_own_tools(tmp_path, command, flag, url):
    p = run_cobro([command, "--db", url, flag, str(tmp_path / "x")], cwd=str(tmp_path))
    line = _refused(p, "PostgreSQL", "pg_dump", status=2)
    assert "pg_restore" in line
    assert _files(tmp_path) == []
    p = run_cobro([command, flag, str(tmp_path / "x")], cwd=str(tmp_path),
                  env=clean_env(COBRO_DB=url))
    _refused(p, "PostgreSQL", status=2)


def test_10_help_documents_both(tmp_path):
    top = _ok(run_cobro(["--help"]))
    assert "backup" in top.stdout and "restore" in top.stdout
    b = _ok(run_cobro(["backup", "--help"]))
    assert "--to FILE" in b.stdout and "data key" in b.stdout
    r = _ok(run_cobro(["restore", "--help"]))
    assert "--from FILE" in r.stdout and "--force" in r.stdout
