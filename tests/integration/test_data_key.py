"""The data key that seals bank numbers at rest: made with a new database (owner-only file), checked
against the database at every start (a missing, foreign, unsafe or malformed key file stops the
command with one clear line and changes nothing), set by flag or environment, and used at start to
seal bank numbers an older version stored plain."""
import os
import sqlite3
import stat

from harness import clean_env, run_cobro, sanitizer_lines, unseal

MASK = "\u2022\u2022\u2022\u2022"


def _ok(p):
    assert p.returncode == 0, p.stderr[-3000:]
    assert not sanitizer_lines(p.stderr), p.stderr[-3000:]


def _refused(p, *words):
    """Stopped with status 1 and one line that says what is wrong."""
    assert p.returncode == 1, (p.returncode, p.stderr[-3000:])
    assert not sanitizer_lines(p.stderr), p.stderr[-3000:]
    lines = [line for line in p.stderr.splitlines() if line.startswith("cobro")]
    assert len(lines) == 1, p.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def _setting(db, key):
    con = sqlite3.connect(db)
    try:
        row = con.execute("SELECT value FROM vendor_settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None
    finally:
        con.close()


def _migrated(tmp_path, name="c.db"):
    db = str(tmp_path / name)
    _ok(run_cobro(["migrate", "--db", db], cwd=tmp_path))
    return db


def test_01_a_new_database_gets_an_owner_only_key_file(tmp_path):
    db = _migrated(tmp_path)
    key = db + ".key"
    mode = stat.S_IMODE(os.stat(key).st_mode)
    assert mode == 0o600, oct(mode)
    with open(key) as f:
        text = f.read()
    assert len(text) == 65 and text.endswith("\n")
    assert len(bytes.fromhex(text.strip())) == 32
    check = _setting(db, "data_key_check")
    assert check and check.startswith("v1:")
    assert unseal(db, check) == "cobro data key"


def test_02_the_key_is_kept_across_runs(tmp_path):
    db = _migrated(tmp_path)
    with open(db + ".key") as f:
        first = f.read()
    check = _setting(db, "data_key_check")
    _ok(run_cobro(["migrate", "--db", db], cwd=tmp_path))
    _ok(run_cobro(["demo", "--db", db], cwd=tmp_path))
    with open(db + ".key") as f:
        assert f.read() == first
    assert _setting(db, "data_key_check") == check


def test_03_two_databases_get_two_keys(tmp_path):
    a, b = _migrated(tmp_path, "a.db"), _migrated(tmp_path, "b.db")
    with open(a + ".key") as fa, open(b + ".key") as fb:
        assert fa.read() != fb.read()


def test_04_a_missing_key_file_stops_every_command(tmp_path):
    db = _migrated(tmp_path)
    os.rename(db + ".key", db + ".key.saved")
    for args in (["migrate"], ["demo"], ["bill-run", "--at", "2026-01-01"],
                 ["serve", "--listen", "127.0.0.1:1"]):
        line = _refused(run_cobro(args + ["--db", db], cwd=tmp_path, timeout=20),
                        db + ".key", "restore the file")
        assert "No such file" in line
    assert not os.path.exists(db + ".key"), "no new key may replace the lost one"
    os.rename(db + ".key.saved", db + ".key")
    _ok(run_cobro(["migrate", "--db", db], cwd=tmp_path))


def test_05_another_databases_key_is_refused(tmp_path):
    db, other = _migrated(tmp_path, "a.db"), _migrated(tmp_path, "b.db")
    _refused(run_cobro(["migrate", "--db", db, "--data-key-file", other + ".key"], cwd=tmp_path),
             other + ".key", "is not the key")


def test_06_a_key_file_others_may_read_is_refused(tmp_path):
    db = _migrated(tmp_path)
    os.chmod(db + ".key", 0o644)
    _refused(run_cobro(["migrate", "--db", db], cwd=tmp_path), "chmod 600")
    os.chmod(db + ".key", 0o600)
    _ok(run_cobro(["migrate", "--db", db], cwd=tmp_path))


def test_07_a_malformed_key_file_is_refused(tmp_path):
    db = _migrated(tmp_path)
    for bad in ("", "zz" * 32 + "\n", "ab" * 31 + "\n", "ab" * 33 + "\n"):
        with open(db + ".key.bad", "w") as f:
            f.write(bad)
        os.chmod(db + ".key.bad", 0o600)
        _refused(run_cobro(["migrate", "--db", db, "--data-key-file", db + ".key.bad"],
                           cwd=tmp_path), "does not hold one key")


def test_08_flag_and_environment_name_the_key_file(tmp_path):
    db = str(tmp_path / "c.db")
    key = str(tmp_path / "elsewhere.key")
    _ok(run_cobro(["migrate", "--db", db], cwd=tmp_path,
                  env=clean_env(COBRO_DATA_KEY_FILE=key)))
    assert os.path.exists(key) and not os.path.exists(db + ".key")
    _ok(run_cobro(["migrate", "--db", db, "--data-key-file", key], cwd=tmp_path))
    p = run_cobro(["migrate", "--db", db, "--data-key-file="], cwd=tmp_path)
    assert p.returncode == 2 and "--data-key-file" in p.stderr and "path" in p.stderr, p.stderr


def test_09_plain_bank_numbers_of_an_older_version_are_sealed_at_start(tmp_path):
    db = _migrated(tmp_path)
    _ok(run_cobro(["demo", "--db", db], cwd=tmp_path))
    con = sqlite3.connect(db)
    con.execute("UPDATE accounts SET payment_method = 'direct_debit', debit_holder = 'Acme',"
                " debit_routing = '011000015', debit_account = '123456789'"
                " WHERE name = 'Acme Corporation'")
    con.execute("UPDATE accounts SET payment_method = 'direct_debit', debit_holder = 'Globex',"
                " debit_iban = 'IT60X0542811101000000123456' WHERE name = 'Globex Italia S.p.A.'")
    con.commit()
    con.close()
    p = run_cobro(["migrate", "--db", db], cwd=tmp_path)
    _ok(p)
    assert "sealed the bank numbers of 2 account(s)" in p.stderr + p.stdout
    con = sqlite3.connect(db)
    rows = dict((name, row) for name, *row in con.execute(
        "SELECT name, debit_routing, debit_account, debit_iban, debit_routing_hint,"
        " debit_number_hint FROM accounts WHERE payment_method = 'direct_debit'"))
    con.close()
    routing, account, iban, routing_hint, number_hint = rows["Acme Corporation"]
    assert unseal(db, routing) == "011000015" and unseal(db, account) == "123456789"
    assert iban == "" and (routing_hint, number_hint) == (MASK + " 0015", MASK + " 6789")
    routing, account, iban, routing_hint, number_hint = rows["Globex Italia S.p.A."]
    assert unseal(db, iban) == "IT60X0542811101000000123456"
    assert (routing, account, routing_hint, number_hint) == ("", "", "", MASK + " 3456")
    # Nothing else to seal on the next start.
    p = run_cobro(["migrate", "--db", db], cwd=tmp_path)
    _ok(p)
    assert "sealed the bank numbers" not in p.stderr + p.stdout
