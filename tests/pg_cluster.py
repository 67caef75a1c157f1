#!/usr/bin/env python3
"""A throw-away PostgreSQL 15 server for cobro's tests (the Debian package postgresql-15): initdb
in a folder, listening on 127.0.0.1 on a free port and on a Unix socket in that folder; fast and
unsafe settings (no fsync), since what it holds is thrown away with it.

As a program:
    tests/pg_cluster.py start DIR [--durable]   starts one in DIR, prints "127.0.0.1:PORT"
                                     (--durable: fsync and synchronous commits on, as in
                                     production; for benchmarks)
    tests/pg_cluster.py stop DIR     stops it and removes DIR
The test harnesses read COBRO_TEST_PG=127.0.0.1:PORT and make one database per server there."""
import os
import shutil
import socket
import subprocess
import sys

PG_BIN = "/usr/lib/postgresql/15/bin"


def as_postgres(args, cwd=None, timeout=120):
    """Runs a server program as the postgres system user when we are root (PostgreSQL refuses to
    run as root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + list(args), cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def init(folder, name="data"):
    """initdb into folder/name; returns the data directory. C locale: text sorts by code point,
    as SQLite sorts it."""
    os.makedirs(folder, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = os.path.join(folder, name)
    p = as_postgres([os.path.join(PG_BIN, "initdb"), "-D", data, "-U", "postgres", "-A", "trust",
                     "-E", "UTF8", "--locale=C", "--no-sync"], cwd=folder)
    if p.returncode != 0:
        raise RuntimeError("initdb failed:\n" + p.stdout[-2000:] + p.stderr[-2000:])
    return data


# Settings that make a server fast and lose its last commits in a crash: for the suites, not for
# the tests that crash the server on purpose (durable=True).
FAST_UNSAFE = ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]


def start_server(folder, data, port, extra=(), durable=False):
    """pg_ctl start of data on port; raises with the server's log on failure."""
    log = data + ".log"
    opts = " ".join(["-c listen_addresses=127.0.0.1", "-p %d" % port,
                     "-c unix_socket_directories=%s" % folder, "-c max_connections=400",
                     "-c shared_buffers=64MB"] + ([] if durable else FAST_UNSAFE) + list(extra))
    p = as_postgres([os.path.join(PG_BIN, "pg_ctl"), "start", "-w", "-t", "60", "-D", data,
                     "-l", log, "-o", opts], cwd=folder)
    if p.returncode != 0:
        text = open(log).read()[-3000:] if os.path.exists(log) else ""
        raise RuntimeError("pg_ctl start failed:\n%s%s\n%s" % (p.stdout, p.stderr, text))


def stop_server(data, mode="fast"):
    if os.path.exists(os.path.join(data, "postmaster.pid")):
        as_postgres([os.path.join(PG_BIN, "pg_ctl"), "stop", "-m", mode, "-w", "-D", data])


def start(folder, durable=False):
    """A new cluster in folder, started; returns its "127.0.0.1:PORT"."""
    data = init(folder)
    port = free_port()
    start_server(folder, data, port, durable=durable)
    with open(os.path.join(folder, "port"), "w") as f:
        f.write(str(port))
    return "127.0.0.1:%d" % port


def stop(folder):
    stop_server(os.path.join(folder, "data"))
    shutil.rmtree(folder, ignore_errors=True)


def start_standby(folder, primary, name="standby", durable=True):
    """A hot standby of the server at primary ("host:port"): pg_basebackup -R (streaming
    replication, standby.signal) into folder/name, started on a free port. Returns its data
    directory and "127.0.0.1:PORT"."""
    host, port = primary.rsplit(":", 1)
    data = os.path.join(folder, name)
    p = as_postgres([os.path.join(PG_BIN, "pg_basebackup"), "-h", host, "-p", port, "-U",
                     "postgres", "-D", data, "-R", "-X", "stream", "-c", "fast", "--no-sync"],
                    cwd=folder)
    if p.returncode != 0:
        raise RuntimeError("pg_basebackup failed:\n" + p.stdout[-2000:] + p.stderr[-2000:])
    standby_port = free_port()
    start_server(folder, data, standby_port, durable=durable)
    return data, "127.0.0.1:%d" % standby_port


def promote(data):
    """pg_ctl promote of a standby, waiting until it accepts writes."""
    p = as_postgres([os.path.join(PG_BIN, "pg_ctl"), "promote", "-w", "-t", "60", "-D", data])
    if p.returncode != 0:
        raise RuntimeError("pg_ctl promote failed:\n" + p.stdout + p.stderr)


def psql(address, sql, db="postgres"):
    """Runs sql with psql on the server at "host:port"; the CompletedProcess (text)."""
    host, port = address.rsplit(":", 1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    return subprocess.run([os.path.join(PG_BIN, "psql"), "-X", "-q", "-A", "-t", "-F", "|",
                           "-v", "ON_ERROR_STOP=1", "-h", host, "-p", port, "-U", "postgres",
                           "-d", db], input=sql, env=env, capture_output=True, text=True,
                          timeout=60)


def main(argv):
    if len(argv) not in (3, 4) or argv[1] not in ("start", "stop") or (
            len(argv) == 4 and argv[3] != "--durable"):
        sys.exit("usage: tests/pg_cluster.py start DIR [--durable] | stop DIR")
    if argv[1] == "start":
        print(start(argv[2], durable=len(argv) == 4))
    else:
        stop(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
