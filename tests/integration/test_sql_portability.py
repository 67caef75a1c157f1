"""The store's SQL is portable: every statement of src/store/store*.c is accepted by PostgreSQL 15
(PREPARE parses it, resolves every table and column and infers every parameter's type) and by
SQLite (EXPLAIN), each against a database made by `cobro migrate`, whose two schemas have the same
tables, columns and triggers. One extractor feeds both sides; a DB_SQL_BY_DIALECT pair is tried
on its own database each. This reaches statements that no other test runs.

PostgreSQL is a throw-away server of the Debian package postgresql-15 (tests/pg_cluster.py), run
as the `postgres` system user on 127.0.0.1 and a free port; psql is the client."""
import os
import re
import sqlite3
import subprocess
import tempfile

import pytest

from harness import REPO, run_cobro, sanitizer_lines
import pg_cluster

PG_BIN = "/usr/lib/postgresql/15/bin"
STORE_C = os.path.join(REPO, "src", "store", "store.c")
# The store's query calls and the position of their SQL argument (db_insert takes the id first);
# VERIFY_SQL(sql, types) is how a rule of cobro verify (store_verify.c) spells its query.
CALLS = {"db_query": 1, "db_exec": 1, "db_insert": 2, "db_exec_deferred": 2, "VERIFY_SQL": 0}
STORE_SOURCES = sorted(
    os.path.join(REPO, "src", "store", f) for f in os.listdir(os.path.join(REPO, "src", "store"))
    if f.startswith("store") and f.endswith(".c"))
MIN_STATEMENTS = 40

# Statements of store.c that are SQLite-specific by nature and so are not tried on PostgreSQL:
# (a unique piece of the statement, the reason). None today: the schema_migrations bootstrap
# (CREATE TABLE IF NOT EXISTS) runs on both, and the PRAGMAs live in db_sqlite.c, not here.
SQLITE_ONLY = []

# How a parameter's binding letter (db.h) may be typed by PostgreSQL's inference. A text may also
# be an array's literal ('{1,2}', store/sql_array.h) for a multi-row statement's $1::bigint[].
PG_TYPES_FOR_LETTER = {"i": {"bigint", "integer"}, "b": {"bigint", "integer", "boolean"},
                       "s": {"text", "text[]", "bigint[]"}}


# ---- extracting the statements of store.c ---------------------------------------------------

# A comment, a string literal, a character constant, an identifier or one other character.
C_TOKEN = re.compile(r'/\*.*?\*/|//[^\n]*|"((?:[^"\\\n]|\\.)*)"|\'(?:[^\'\\\n]|\\.)*\''
                     r'|([A-Za-z_]\w*)|(\S)', re.S)
C_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "?": "?", "0": "\0"}


def _c_string(body):
    return re.sub(r"\\(.)", lambda m: C_ESCAPES.get(m.group(1), m.group(1)), body)


def _tokens(text):
    """(kind, value, offset) for each token, comments dropped: kind is str, ident or punct."""
    out = []
    for m in C_TOKEN.finditer(text):
        if m.group(1) is not None:
            out.append(("str", _c_string(m.group(1)), m.start()))
        elif m.group(2):
            out.append(("ident", m.group(2), m.start()))
        elif m.group(3):
            out.append(("punct", m.group(3), m.start()))
    return out


def _string_macros(source):
    """{NAME: text} for each #define whose body is only string literals (or such macros)."""
    macros = {}
    for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]((?:[^\n]*\\\n)*[^\n]*)", source, re.M):
        parts = []
        for kind, value, _ in _tokens(m.group(2).replace("\\\n", " ")):
            if kind == "str":
                parts.append(value)
            elif kind == "ident" and value in macros:
                parts.append(macros[value])
            else:
                parts = None
                break
        if parts:
            macros[m.group(1)] = "".join(parts)
    return macros


def extract_statements(path=None):
    """[{line, func, sql, types}] for every db_query/db_exec call of the file, in order. Raises
    ValueError when a call's SQL is not a string literal or string macro (the extractor would
    otherwise miss it silently)."""
    with open(path or STORE_C, encoding="utf-8") as f:
        source = f.read()
    # Macros the store's files share (INVOICE_MONEY) are in store_internal.h.
    with open(os.path.join(REPO, "src", "store", "store_internal.h"), encoding="utf-8") as f:
        shared = f.read()
    macros = _string_macros(shared + "\n" + source)
    # Preprocessor lines blanked out (newlines kept, so offsets give true line numbers).
    code = re.sub(r"^[ \t]*#(?:[^\n]*\\\n)*[^\n]*",
                  lambda m: re.sub(r"[^\n]", " ", m.group(0)), source, flags=re.M)
    toks = _tokens(code)
    found = []
    for i, (kind, value, pos) in enumerate(toks):
        if kind != "ident" or value not in CALLS or i + 1 >= len(toks) or toks[i + 1][1] != "(":
            continue
        line = code.count("\n", 0, pos) + 1
        args = _call_args(toks[i:])
        at = CALLS[value]
        where = os.path.basename(path or STORE_C)
        if len(args) < at + 2:
            raise ValueError("%s:%d: %s call with %d arguments" % (where, line, value, len(args)))
        sql_tokens = args[at]
        # DB_SQL_BY_DIALECT(db, "sqlite text", "postgresql text"): two statements, each tried on
        # its own database only.
        variants = [(None, sql_tokens)]
        if sql_tokens and sql_tokens[0][:2] == ("ident", "DB_SQL_BY_DIALECT"):
            inner = _call_args(sql_tokens)
            if len(inner) != 3:
                raise ValueError("%s:%d: DB_SQL_BY_DIALECT takes 3 arguments" % (where, line))
            variants = [("sqlite", inner[1]), ("postgresql", inner[2])]
        texts = []
        for dialect, toks_of_sql in variants:
            parts = []
            for k, v, _ in toks_of_sql:
                if k == "str":
                    parts.append(v)
                elif k == "ident" and v in macros:
                    parts.append(macros[v])
                else:
                    raise ValueError("%s:%d: %s SQL is not a string literal: %r"
                                     % (where, line, value, " ".join(t[1] for t in toks_of_sql)))
            texts.append((dialect, parts))
        types_tok = args[at + 1]
        if types_tok and all(t[0] == "str" for t in types_tok):
            types = "".join(t[1] for t in types_tok)
        elif len(types_tok) == 1 and types_tok[0][1] == "NULL":
            types = ""
        else:
            raise ValueError("%s:%d: %s types are not a literal" % (where, line, value))
        for dialect, parts in texts:
            found.append({"line": "%s:%d" % (where, line), "func": value,
                          "sql": " ".join("".join(parts).split()), "types": types,
                          "dialect": dialect})
    return found


def _call_args(tokens):
    """The arguments (token lists) of the call that tokens start with: NAME ( a , b )."""
    args, depth, cur = [], 0, []
    for tk in tokens[2:]:
        if tk[0] == "punct" and tk[1] in "([{":
            depth += 1
        elif tk[0] == "punct" and tk[1] in ")]}":
            if depth == 0:
                args.append(cur)
                break
            depth -= 1
        elif tk[0] == "punct" and tk[1] == "," and depth == 0:
            args.append(cur)
            cur = []
            continue
        cur.append(tk)
    return args


def placeholders(sql):
    """The numbers of the $N placeholders in order of first appearance."""
    seen = []
    for n in re.findall(r"\$(\d+)", sql):
        if int(n) not in seen:
            seen.append(int(n))
    return seen


def _where(st):
    return "%s %s: %s" % (st["line"], st["func"], st["sql"])


def _sqlite_only_reason(sql):
    for piece, reason in SQLITE_ONLY:
        if piece in sql:
            return reason
    return None


def _is_ddl(sql):
    return re.match(r"(CREATE|ALTER|DROP)\b", sql, re.I) is not None


@pytest.fixture(scope="module")
def statements():
    return [st for path in STORE_SOURCES for st in extract_statements(path)]


# ---- a throw-away PostgreSQL 15 -------------------------------------------------------------

class Postgres:
    def __init__(self, port):
        self.port = port
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        self.env["PGCONNECT_TIMEOUT"] = "10"

    def psql(self, sql, db="cobro"):
        """Runs sql through psql, stopping at the first error; CompletedProcess (text), rows
        unaligned with '|' between fields."""
        return subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-A", "-t", "-F", "|",
                               "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port),
                               "-U", "postgres", "-d", db],
                              input=sql, env=self.env, capture_output=True, text=True, timeout=30)


@pytest.fixture(scope="module")
def pg():
    if not os.path.exists(os.path.join(PG_BIN, "initdb")):
        pytest.fail("%s/initdb is missing: scripts/install-deps installs postgresql-15" % PG_BIN,
                    pytrace=False)
    tmp = tempfile.mkdtemp(prefix="cobro-pg-")
    try:
        address = pg_cluster.start(tmp)
        yield Postgres(int(address.rsplit(":", 1)[1]))
    finally:
        pg_cluster.stop(tmp)


@pytest.fixture(scope="module")
def pg_schema(pg, tmp_path_factory):
    """A database `cobro` made by `cobro migrate` on PostgreSQL: its CompletedProcess."""
    created = pg.psql("CREATE DATABASE cobro;", db="postgres")
    assert created.returncode == 0, created.stderr
    key = str(tmp_path_factory.mktemp("pgkey") / "data.key")
    return run_cobro(["migrate", "--db", "postgresql://postgres@127.0.0.1:%d/cobro" % pg.port,
                      "--data-key-file", key])


@pytest.fixture(scope="module")
def pg_prepared(pg, pg_schema, statements):
    """Every portable statement tried on PostgreSQL: [(statement, error or None, parameter
    types)]. DDL (which PREPARE does not take) is run as such, first, as the store does at start;
    the rest is PREPAREd, one connection each so that one failure hides no other."""
    if pg_schema.returncode != 0:
        pytest.fail("cobro migrate failed on PostgreSQL (see test_01):\n" + pg_schema.stderr,
                    pytrace=False)
    tried = [st for st in statements
             if _sqlite_only_reason(st["sql"]) is None and st["dialect"] != "sqlite"]
    results = []
    for n, st in enumerate(sorted(tried, key=lambda s: not _is_ddl(s["sql"])), 1):
        if _is_ddl(st["sql"]):
            p = pg.psql(st["sql"] + ";\n")
            types = []
        else:
            p = pg.psql("PREPARE stmt_%d AS %s;\nSELECT parameter_types FROM pg_prepared_statements"
                        " WHERE name = 'stmt_%d';\n" % (n, st["sql"], n))
            m = re.match(r"\{(.*)\}$", p.stdout.strip())
            types = [t.strip('"') for t in m.group(1).split(",")] if m and m.group(1) else []
        error = None if p.returncode == 0 else (p.stderr.strip() or "psql exit %d" % p.returncode)
        results.append((st, error, types))
    return results


@pytest.fixture(scope="module")
def sqlite_db(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("sqlite") / "cobro.db")
    p = run_cobro(["migrate", "--db", path])
    assert p.returncode == 0, p.stderr
    assert not sanitizer_lines(p.stderr), p.stderr[-3000:]
    return path


# ---- the tests ------------------------------------------------------------------------------

def test_01_migrations_make_the_same_tables_columns_and_triggers_on_postgres(
        pg, pg_schema, sqlite_db):
    assert pg_schema.returncode == 0, "cobro migrate failed on PostgreSQL:\n" + pg_schema.stderr
    assert not sanitizer_lines(pg_schema.stderr), pg_schema.stderr
    assert "ERROR" not in pg_schema.stderr and "WARNING" not in pg_schema.stderr, pg_schema.stderr

    p = pg.psql("SELECT table_name, column_name, data_type, is_identity"
                " FROM information_schema.columns WHERE table_schema = 'public'"
                " AND table_name <> 'schema_migrations'"
                " ORDER BY table_name, ordinal_position;")
    assert p.returncode == 0, p.stderr
    on_pg = {}
    for row in p.stdout.splitlines():
        table, column, data_type, identity = row.split("|")
        on_pg.setdefault(table, []).append((column, data_type, identity == "YES"))

    con = sqlite3.connect(sqlite_db)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                            " AND name NOT LIKE 'sqlite_%' AND name <> "
                                            "'schema_migrations' ORDER BY name")]
        on_sqlite = {}
        for t in tables:
            cols = list(con.execute("PRAGMA table_info(%s)" % t))
            single_pk = sum(1 for c in cols if c[5]) == 1
            on_sqlite[t] = [(c[1], {"INTEGER": "bigint", "TEXT": "text"}[c[2]],
                             bool(c[5]) and single_pk and c[2] == "INTEGER") for c in cols]
    finally:
        con.close()
    assert len(on_sqlite) >= 10, on_sqlite
    assert on_pg == on_sqlite

    # Every trigger of SQLite's has its PostgreSQL twin of the same name (PostgreSQL has more:
    # TRUNCATE, which SQLite lacks, is refused too).
    p = pg.psql("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname;")
    assert p.returncode == 0, p.stderr
    pg_triggers = set(p.stdout.split())
    con = sqlite3.connect(sqlite_db)
    try:
        sqlite_triggers = {r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    finally:
        con.close()
    assert len(sqlite_triggers) >= 10, sqlite_triggers
    assert sqlite_triggers <= pg_triggers, sqlite_triggers - pg_triggers


def test_02_store_statements_are_found_with_placeholders_in_order(statements):
    assert len(statements) >= MIN_STATEMENTS, "only %d statements found in store.c" % len(
        statements)
    problems = []
    for st in statements:
        nums = placeholders(st["sql"])
        if nums != list(range(1, len(nums) + 1)):
            problems.append("%s\n  placeholders not numbered 1..N in order: %s" % (_where(st), nums))
        if len(nums) != len(st["types"]):
            problems.append("%s\n  %d placeholders but types %r" % (_where(st), len(nums),
                                                                     st["types"]))
    for piece, reason in SQLITE_ONLY:
        assert reason, piece
        matches = [st for st in statements if piece in st["sql"]]
        assert len(matches) == 1, "SQLITE_ONLY entry %r matches %d statements" % (piece,
                                                                                   len(matches))
    # Macro prefixes were resolved (CREDENTIAL_COLUMNS and friends).
    assert any(st["sql"].startswith("SELECT c.id, c.account_id") for st in statements)
    assert not [st for st in statements if re.search(r"\b[A-Z]+_COLUMNS\b", st["sql"])]
    assert not problems, "\n".join(problems)


def test_03_every_store_statement_prepares_on_postgres(statements, pg_prepared):
    sqlite_variants = [st for st in statements if st["dialect"] == "sqlite"]
    assert len(pg_prepared) == len(statements) - len(SQLITE_ONLY) - len(sqlite_variants)
    failures = ["%s\n  -> %s" % (_where(st), error) for st, error, _ in pg_prepared if error]
    assert not failures, "%d of %d statements do not run on PostgreSQL:\n%s" % (
        len(failures), len(pg_prepared), "\n".join(failures))


def test_04_every_store_statement_prepares_on_sqlite(statements, sqlite_db):
    con = sqlite3.connect(sqlite_db)
    failures = []
    try:
        for st in statements:
            if st["dialect"] == "postgresql":
                continue
            params = (None,) * max(placeholders(st["sql"]) or [0])
            try:
                con.execute("EXPLAIN " + st["sql"], params).fetchall()
            except sqlite3.Error as e:
                failures.append("%s\n  -> %s" % (_where(st), e))
    finally:
        con.close()
    assert not failures, "%d of %d statements do not run on SQLite:\n%s" % (
        len(failures), len(statements), "\n".join(failures))


def test_05_postgres_infers_parameter_types_that_match_the_bindings(pg_prepared):
    """The letters of each call ('i' int64, 's' text, 'b' bool) agree with the types PostgreSQL
    infers for the parameters, so the driver can send them as they are."""
    checked, problems = 0, []
    for st, error, types in pg_prepared:
        if error or _is_ddl(st["sql"]):
            continue
        checked += 1
        if len(types) != len(st["types"]):
            problems.append("%s\n  PostgreSQL infers %s for types %r" % (_where(st), types,
                                                                          st["types"]))
            continue
        for k, (letter, pg_type) in enumerate(zip(st["types"], types), 1):
            if pg_type not in PG_TYPES_FOR_LETTER.get(letter, ()):
                problems.append("%s\n  $%d bound as %r but PostgreSQL infers %s"
                                % (_where(st), k, letter, pg_type))
    assert checked >= MIN_STATEMENTS - 5, checked
    assert not problems, "\n".join(problems)
