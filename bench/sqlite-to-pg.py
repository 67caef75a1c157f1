#!/usr/bin/python3
"""Copies every row of a cobro SQLite database into a migrated, empty cobro PostgreSQL database
(same schema version), for the benchmarks: COPY per table, foreign-key and cobro's own triggers
off while loading (session_replication_role = replica), identity sequences moved past the ids.
Usage: bench/sqlite-to-pg.py SQLITE_DB POSTGRESQL_URL"""
import io
import sqlite3
import sys

import psycopg2


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    src = sqlite3.connect(argv[1])
    dst = psycopg2.connect(argv[2])
    cur = dst.cursor()
    cur.execute("SET session_replication_role = replica")
    tables = [r[0] for r in src.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name <> 'schema_migrations'")]
    for t in tables:
        cols = [r[1] for r in src.execute("PRAGMA table_info(%s)" % t)]
        cur.execute("DELETE FROM %s" % t)
        buf = io.StringIO()
        n = 0
        for row in src.execute("SELECT %s FROM %s" % (", ".join(cols), t)):
            buf.write("\t".join("\\N" if v is None else str(v).replace("\\", "\\\\")
                                .replace("\t", "\\t").replace("\n", "\\n") for v in row))
            buf.write("\n")
            n += 1
        buf.seek(0)
        cur.copy_expert("COPY %s (%s) FROM STDIN" % (t, ", ".join(cols)), buf)
        if "id" in cols:
            cur.execute("SELECT setval(pg_get_serial_sequence('%s', 'id'),"
                        " COALESCE((SELECT MAX(id) FROM %s), 0) + 1, false)" % (t, t))
    dst.commit()
    dst.close()
    dst = psycopg2.connect(argv[2])
    dst.autocommit = True
    dst.cursor().execute("VACUUM ANALYZE")
    dst.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
